"""Builder step (demo): community work in the mid court and the demo basic court, through the
community actions: most party members registered with a community near where they live and
their services there (some part of the volunteer activities they attended), partner
communities, villages, enterprises and schools with agreements (one expired), and each court's
and the demo branch's list of practical deeds, done, in progress and one overdue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from tianping.activities.models import Activity, ActivityStatus
from tianping.demo.logins import BASIC_COURT, MID_COURT, demo_branch, login_people
from tianping.orgs.models import Org, OrgKind
from tianping.people.models import PARTY_STATUSES, Person
from tianping.service.actions import community as actions
from tianping.service.models.community import DeedStatus

if TYPE_CHECKING:
    from tianping.demo.builder import Build

# Streets and their communities near each court (白塔市 is fictional).
NEIGHBOURHOODS = {
    MID_COURT: {
        "白塔街道": ("朝阳社区", "和平社区", "文化社区"),
        "钢城街道": ("幸福社区", "光明社区", "建设社区"),
    },
    BASIC_COURT: {
        "新城街道": ("新华社区", "团结社区", "滨河社区"),
        "金源路街道": ("青年路社区", "金源社区", "东兴社区"),
    },
}
SERVICES = (
    ("社区矛盾纠纷调解", "2.0"),
    ("“法律明白人”普法讲座", "1.5"),
    ("社区环境整治志愿服务", "2.0"),
    ("疫苗接种点秩序维护", "3.0"),
    ("走访慰问困难群众", "2.0"),
    ("反诈宣传进楼院", "1.5"),
    ("文明城市创建志愿服务", "2.5"),
)
# Name, kind, address, contact, the agreement's title and content.
PARTNERS = {
    MID_COURT: (
        (
            "朝阳社区",
            "community",
            "白塔街道朝阳路18号",
            "刘桂英",
            "党建共建协议",
            "共办法治讲堂，共建诉源治理工作站。",
        ),
        (
            "白塔钢铁集团有限公司",
            "enterprise",
            "钢城大街1号",
            "马志刚",
            "法企共建协议",
            "法律体检、营商环境座谈、以案释法。",
        ),
        (
            "白塔市第一中学",
            "school",
            "学府路9号",
            "陈晓燕",
            "法治副校长共建协议",
            "法治副校长进校园，模拟法庭开放日。",
        ),
    ),
    BASIC_COURT: (
        (
            "新华社区",
            "community",
            "新城街道新华西路6号",
            "赵秀兰",
            "党建共建协议",
            "设立法官工作室，定期开展纠纷调解和普法宣传。",
        ),
        (
            "红旗村",
            "village",
            "金源区哈业胡同镇红旗村",
            "王满仓",
            "结对共建协议",
            "巡回审判进村，协助村规民约合法性审查。",
        ),
        (
            "金源区小微企业服务中心",
            "enterprise",
            "金源路88号",
            "李海涛",
            "法企共建协议",
            "涉企纠纷诉前化解，企业合规讲座。",
        ),
        (
            "金源区实验小学",
            "school",
            "新城街道育才路2号",
            "孙丽华",
            "共建协议",
            "法治课堂进校园，护苗行动。",
        ),
    ),
}
# Title, description, the org ("court" or "branch"), months until the deadline from the
# year's start, and how far it has come.
DEEDS = (
    (
        "巡回审判进社区",
        "在辖区社区设立巡回审判点，就地立案、就地开庭、就地调解。",
        "court",
        6,
        DeedStatus.DONE,
    ),
    (
        "诉讼服务延时",
        "诉讼服务中心工作日中午和下班后延时一小时，方便群众办事。",
        "court",
        3,
        DeedStatus.DONE,
    ),
    (
        "农民工欠薪专项执行",
        "集中执行涉农民工工资案件，春节前兑付到位。",
        "court",
        1,
        DeedStatus.IN_PROGRESS,
    ),
    (
        "跨域立案“一次都不跑”",
        "推行跨域立案和网上立案指导，群众就近即可递交材料。",
        "court",
        10,
        DeedStatus.IN_PROGRESS,
    ),
    (
        "法官进社区“以案释法”",
        "每月到报到社区开展一次以案释法。",
        "branch",
        12,
        DeedStatus.IN_PROGRESS,
    ),
    (
        "老年人涉诉“绿色通道”",
        "为七十岁以上当事人提供优先立案、上门送达。",
        "branch",
        9,
        DeedStatus.NOT_STARTED,
    ),
)


def add_community(build: Build) -> None:
    rng = build.rng("community")
    today = build.plan.as_of
    year = today.year
    drafts = login_people(build)
    member_draft, secretary_draft = drafts.get("dangyuan"), drafts.get("shuji")
    member_pk = member_draft.pk if member_draft is not None else None
    branch_code = demo_branch(build).code
    registered = services = agreements = deeds = 0
    for code in (MID_COURT, BASIC_COURT):
        court = Org.objects.get(code=code)
        # The mid court's subtree holds the basic courts: keep to the court's own organisations.
        others = [
            c.path
            for c in Org.objects.courts().filter(path__startswith=court.path).exclude(pk=court.pk)
        ]

        def own(path: str, others: list[str] = others) -> bool:
            return not any(path.startswith(p) for p in others)

        streets = NEIGHBOURHOODS[code]
        volunteer = list(
            Activity.objects.filter(
                kind__in=("volunteer_service", "legal_education"),
                org__path__startswith=court.path,
                status=ActivityStatus.HELD,
            )
            .select_related("org")
            .order_by("on", "pk")
        )
        volunteer = [a for a in volunteer if own(a.org.path)]
        attended: dict[int, list[Activity]] = {}
        for held in volunteer:
            for person_id in held.attendance.filter(status="present").values_list(
                "person_id", flat=True
            ):
                attended.setdefault(person_id, []).append(held)
        members = list(
            Person.objects.serving()
            .filter(court=court, political_status__in=PARTY_STATUSES)
            .order_by("employee_no")
        )
        for person in members:
            # About four in five register; the demo member always does, and a few of the
            # demo branch have not yet, so the secretary has someone to remind.
            if person.pk != member_pk and rng.random() > 0.8:
                continue
            street = rng.choice(list(streets))
            start = today - dt.timedelta(days=rng.randint(200, 900))
            registration = actions.do_register(
                None,
                person,
                community=rng.choice(streets[street]),
                district=street,
                registered_on=start,
                today=today,
            )
            registered += 1
            theirs = [a for a in attended.get(person.pk, []) if a.on >= start]
            count = rng.randint(2, 4) if person.pk == member_pk else rng.randint(0, 3)
            for n in range(count):
                activity: Activity | None = (
                    theirs[n] if n < len(theirs) and rng.random() < 0.6 else None
                )
                content, hours = rng.choice(SERVICES)
                on = activity.on if activity else today - dt.timedelta(days=rng.randint(3, 300))
                if on < start:
                    continue
                actions.do_record_service(
                    None,
                    registration,
                    on=on,
                    content=activity.title if activity else content,
                    hours=activity.hours if activity and activity.hours else Decimal(hours),
                    activity=activity,
                    today=today,
                )
                services += 1
        # Partners and agreements: the court's 机关党委 signs, one partner with a branch.
        committee = Org.objects.filter(
            kind=OrgKind.PARTY_COMMITTEE, path__startswith=court.path
        ).first()
        branches = [
            b
            for b in Org.objects.filter(kind=OrgKind.BRANCH, path__startswith=court.path).order_by(
                "path"
            )
            if own(b.path)
        ]
        for n, (name, kind, address, contact, title, content) in enumerate(PARTNERS[code]):
            partner = actions.do_add_partner(
                None, court, name=name, kind=kind, address=address, contact=contact
            )
            signer = committee or court
            if code == BASIC_COURT and n == 0:
                signer = next((b for b in branches if b.code == branch_code), signer)
            elif n == 1 and branches:
                signer = rng.choice(branches)
            # The second partner's agreement ran out last year; the rest run two years.
            starts = dt.date(year - 1, rng.randint(2, 6), 1) if n != 1 else dt.date(year - 2, 3, 1)
            ends = starts.replace(year=starts.year + (1 if n == 1 else 2)) - dt.timedelta(days=1)
            agreement = actions.do_sign_agreement(
                None,
                partner,
                signer,
                title=f"{signer.name}与{name}{title}",
                signed_on=starts,
                starts_on=starts,
                ends_on=ends,
                content=content,
                today=today,
            )
            agreements += 1
            inside = [
                a
                for a in volunteer
                if starts <= a.on <= min(ends, today) and a.org.path.startswith(signer.path)
            ]
            for activity in rng.sample(inside, min(len(inside), 3)):
                actions.do_link_joint_activity(None, agreement, activity)
        # The list of deeds: the court's, and the demo branch's (or the court's first branch).
        staff = [p for p in members if p.post_level] or members
        branch = next(
            (b for b in branches if b.code == branch_code), branches[0] if branches else court
        )
        for title, description, level, months, status in DEEDS:
            org = court if level == "court" else branch
            owner_pool = [p for p in staff if p.party_org_id == org.pk] or staff
            owner = rng.choice(owner_pool)
            if (
                secretary_draft is not None
                and secretary_draft.pk is not None
                and org.code == branch_code
                and level == "branch"
            ):
                owner = Person.objects.get(pk=secretary_draft.pk)
            deadline = min(
                dt.date(year, 12, 31), dt.date(year, 1, 1) + dt.timedelta(days=30 * months)
            )
            listed = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(10, 40))
            deed = actions.do_promise_deed(
                None,
                org,
                year=year,
                title=title,
                description=description,
                owner=owner,
                deadline=deadline,
                listed_on=min(listed, today),
            )
            deeds += 1
            if status == DeedStatus.NOT_STARTED:
                continue
            started = min(listed + dt.timedelta(days=14), today)
            actions.do_set_deed_status(
                None, deed, DeedStatus.IN_PROGRESS, on=started, note="已部署落实", today=today
            )
            delivered = [
                a for a in volunteer if started <= a.on <= today and a.org.path.startswith(org.path)
            ]
            for activity in rng.sample(delivered, min(len(delivered), 2)):
                actions.do_link_deed_activity(None, deed, activity)
            if status == DeedStatus.DONE:
                done_on = min(deadline - dt.timedelta(days=rng.randint(0, 20)), today)
                actions.do_set_deed_status(
                    None,
                    deed,
                    DeedStatus.DONE,
                    on=max(done_on, started),
                    completion_note=f"{title}已按期办结，群众满意。",
                    today=today,
                )
    build.counts.update(
        community_registrations=registered,
        community_services=services,
        co_building_agreements=agreements,
        practical_deeds=deeds,
    )
