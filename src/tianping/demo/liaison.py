"""Builder step (demo): 法官联系人 in both demo courts, through the liaison actions: judges
assigned to townships, associations (商会), NPC deputies, enterprises and CPPCC members; visits
(activities with attendance) with the matters raised, some closed, some still open more than
30 days later. The demo branch's judges are among them, so its secretary records their visits."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from tianping.demo.logins import BASIC_COURT, MID_COURT, demo_branch
from tianping.people.models import Category, Person
from tianping.service.actions import liaison as actions

if TYPE_CHECKING:
    from tianping.demo.builder import Build

CONTACTS = {
    BASIC_COURT: [
        ("township", "哈林格尔镇人民政府", "镇综治办主任"),
        ("township", "麻池镇人民政府", "镇司法所所长"),
        ("township", "赛汗街道办事处", "街道党工委副书记"),
        ("association", "九原区工商业联合会（总商会）", "商会秘书长"),
        ("association", "九原区个体劳动者协会", "协会会长"),
        ("npc_deputy", "区人大代表 王建华", "王建华代表"),
        ("npc_deputy", "区人大代表 刘淑珍", "刘淑珍代表"),
        ("enterprise", "包头市某稀土新材料有限公司", "公司法务主管"),
        ("cppcc_member", "区政协委员 赵志刚", "赵志刚委员"),
    ],
    MID_COURT: [
        ("association", "包头市民营企业商会", "商会副会长"),
        ("npc_deputy", "市人大代表 高玉兰", "高玉兰代表"),
        ("enterprise", "包头钢铁（集团）某分公司", "公司法律事务部"),
        ("cppcc_member", "市政协委员 李明", "李明委员"),
    ],
}
MATTERS = [
    ("legal_advice", "村民咨询土地承包经营权流转合同效力问题", "请法官到村开展一次以案说法"),
    ("enforcement", "企业反映一起买卖合同纠纷案件执行进度缓慢", "已协调执行局查明被执行人财产线索"),
    ("dispute", "两户村民因宅基地界线发生纠纷，希望诉前调解", "已委派人民调解员联合调解"),
    ("business", "会员企业希望了解破产重整程序和办理时限", "已安排破产审判团队上门讲解"),
    ("litigation", "代表转达群众反映网上立案操作不便", "已在诉讼服务中心安排专人帮助立案"),
    ("suggestion", "建议在镇里设立巡回审判点", "已纳入年度巡回审判计划"),
    ("legal_advice", "企业咨询劳动合同解除的法律风险", "已发送风险提示书"),
    ("dispute", "物业服务费纠纷较多，希望开展示范调解", "已召开示范调解会"),
]
RESULTS = [
    "诉求已办结，当事人表示满意",
    "已书面答复并电话回访",
    "纠纷已调解结案",
    "已举办专题讲座，企业反映良好",
]


def add_liaison(build: Build) -> None:
    rng = build.rng("liaison")
    as_of = build.plan.as_of
    branch_code = demo_branch(build).code
    assignments = visits = matters = closed = 0
    for code, contacts in CONTACTS.items():
        judges = list(
            Person.objects.serving()
            .filter(court__code=code, category=Category.JUDGE)
            .select_related("party_org")
            .order_by("employee_no")
        )
        if not judges:
            continue
        # The demo branch's judges first, so its secretary has visits to record.
        judges.sort(key=lambda p: p.party_org is None or p.party_org.code != branch_code)
        for n, (kind, name, who) in enumerate(contacts):
            judge = judges[n % len(judges)]
            starts = as_of - dt.timedelta(days=rng.randint(300, 500))
            a = actions.do_assign(
                None,
                judge,
                contact_kind=kind,
                contact_name=name,
                contact_person=who,
                starts_on=starts,
                note="依托“法官联系人”机制，定期走访、收集诉求、跟踪办理",
            )
            assignments += 1
            # A visit every month or two, the last within the last month.
            day = starts + dt.timedelta(days=rng.randint(10, 40))
            while day <= as_of:
                raised = []
                if rng.random() < 0.6:
                    category, text, _ = rng.choice(MATTERS)
                    raised.append(actions.RaisedMatter(text, category, who))
                visit = actions.do_record_visit(
                    None,
                    a,
                    on=day,
                    title=f"走访{name}",
                    location=name,
                    summary="听取意见建议，开展以案释法，登记反映的问题",
                    met=rng.randint(3, 30),
                    matters=raised,
                )
                visits += 1
                for m in visit.matters.all():
                    matters += 1
                    # The old ones mostly closed; a few left open past 30 days on purpose.
                    age = (as_of - m.raised_on).days
                    _, _, step = next(x for x in MATTERS if x[1] == m.text)
                    if age > 5:
                        actions.do_add_step(
                            None, m, on=m.raised_on + dt.timedelta(days=min(age, 5)), text=step
                        )
                    if age > 45 and rng.random() < 0.8:
                        actions.do_close_matter(
                            None,
                            m,
                            on=m.raised_on + dt.timedelta(days=rng.randint(10, min(age, 40))),
                            result=rng.choice(RESULTS),
                        )
                        closed += 1
                day += dt.timedelta(days=rng.randint(35, 70))
    build.counts["liaison_assignments"] = assignments
    build.counts["liaison_visits"] = visits
    build.counts["liaison_matters"] = matters
