"""The audit log: who changed what and when. Append-only, in Python and in the database."""

from __future__ import annotations

from typing import Any, NoReturn

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q

from tianping.orgs.models import Org, subtree_q


class AppendOnlyError(Exception):
    pass


class UnlabelledAuditError(Exception):
    """An action or a changed key the audit page could not name in Chinese."""


ACTION_LABELS = {
    "orgs.create": "新建组织",
    "orgs.update": "修改组织",
    "orgs.move": "移动组织",
    "orgs.merge": "合并支部",
    "orgs.import": "导入组织",
    "orgs.map_value": "设置取值对照",
    "people.declare_term": "新增本院取值",
    "people.create": "新增人员",
    "people.update": "修改人员",
    "people.transfer": "人员调动",
    "people.import": "花名册导入",
    "activities.plan": "计划活动",
    "activities.update": "修改活动",
    "activities.held": "记录召开情况",
    "activities.import": "台账导入",
    "activities.attendance": "更正出勤",
    "activities.cancel": "取消活动",
    "activities.evidence": "上传佐证材料",
    "activities.makeup": "登记补学",
    "activities.makeup_clear": "撤销补学",
    "activities.review_open": "开启民主评议",
    "activities.review_update": "记录民主评议",
    "activities.review_close": "完成民主评议",
    "activities.study_record": "登记学习材料",
    "activities.obligation": "调整组织生活频次",
    "learning.plan": "制定学习计划",
    "talent.honour": "登记荣誉",
    "talent.honour_withdraw": "撤销荣誉",
    "service.volunteer_team": "组建志愿服务队",
    "service.volunteer_join": "志愿服务队队员加入",
    "service.volunteer_leave": "志愿服务队队员退出",
    "service.volunteer_record": "登记志愿服务情况",
    "service.volunteer_hours": "登记个人志愿服务时长",
    "service.volunteer_rule": "设定志愿服务证书规则",
    "service.volunteer_rule_retire": "停用志愿服务证书规则",
    "service.volunteer_certificate": "颁发志愿服务证书",
    "service.volunteer_certificate_revoke": "撤销志愿服务证书",
    "service.liaison_assign": "安排法官联系人",
    "service.liaison_end": "结束法官联系",
    "service.liaison_visit": "登记联系走访",
    "service.matter": "登记联系诉求",
    "service.matter_step": "登记诉求办理情况",
    "service.matter_close": "诉求办结",
    "service.brand": "创建支部品牌",
    "service.brand_plan": "制定品牌年度计划",
    "service.brand_activity": "计入品牌活动",
    "service.brand_evaluate": "评定支部品牌",
    "service.post": "设立党员示范岗",
    "service.duty_shift": "安排示范岗值岗",
    "service.duty_entry": "登记示范岗服务",
    "talent.honour_import": "导入荣誉",
    "talent.pool": "设立人才库",
    "talent.pool_rules": "修改人才库入库条件",
    "talent.pool_nominate": "人才库提名",
    "talent.pool_admit": "人才库入库",
    "talent.pool_decline": "人才库不予入库",
    "talent.pool_review": "人才库年度复核",
    "talent.pool_leave": "人才库出库",
    "talent.competition_create": "创建技能竞赛",
    "talent.competition_status": "变更竞赛状态",
    "talent.competition_track": "设立竞赛项目",
    "talent.competition_criterion": "设定评分标准",
    "talent.competition_round": "设立比赛轮次",
    "talent.competition_judges": "确定评委",
    "talent.competition_enrol": "竞赛报名",
    "talent.competition_entry": "提交参评文书",
    "talent.competition_score": "评委评分",
    "talent.competition_round_close": "结束本轮评分",
    "talent.competition_awards": "确认竞赛奖项",
    "talent.competition_reveal": "揭晓参评文书作者",
    "talent.typing_text": "登记速录范文",
    "talent.typing_exam": "发布速录考核",
    "talent.typing_start": "开始速录测试",
    "talent.typing_refusal": "拒绝粘贴或脚本输入",
    "talent.typing_finish": "速录测试交卷",
    "talent.typing_expire": "速录测试超时收卷",
    "learning.plan_topic": "调整学习专题",
    "learning.reflection": "提交心得体会",
    "learning.reflection_review": "审阅心得体会",
    "learning.reference": "上传查重参考文本",
    "points.seed_rules": "初始化积分规则",
    "points.manual": "人工加减分",
    "points.reverse": "冲销积分",
    "points.veto": "一票否决",
    "points.rule": "修改积分规则",
    "points.scheme": "修改积分方案",
    "points.review": "民主评议积分",
    "points.earned": "记录积分",
    "committees.election": "记录换届选举",
    "committees.postpone": "批准延期换届",
    "committees.setting": "修改支委会设置",
    "recruitment.open": "登记入党申请",
    "recruitment.step": "记录发展党员步骤",
    "recruitment.settings": "修改公示期",
    "recruitment.calendar_set": "设置节假日安排",
    "recruitment.calendar_remove": "删除节假日安排",
    "dues.base": "核定党费基数",
    "dues.pay": "登记党费交纳",
    "dues.void": "作废党费记录",
    "dues.setting": "修改党费设置",
    "dues.excuse": "记录未交党费原因",
    "dues.excuse_withdraw": "撤销未交党费原因",
    "learning.import_training": "培训台账导入",
    "learning.recommend": "荐书",
    "learning.book_copy": "登记漂流图书",
    "learning.handover": "图书交接",
    "learning.question_add": "新增试题",
    "learning.question_retire": "停用试题",
    "learning.question_restore": "恢复试题",
    "learning.quiz_create": "发布测试",
    "learning.attempt_start": "开始答题",
    "learning.attempt_submit": "交卷",
    "learning.attempt_expire": "超时交卷",
    "demo.load": "载入演示数据",
    "generate.load": "生成测试数据",
    "restore.load": "从备份恢复数据",
    "accounts.create_user": "新建账户",
    "accounts.grant": "授予角色",
    "accounts.revoke": "撤销角色",
    "accounts.set_password": "修改密码",
    "accounts.create_token": "创建API令牌",
    "accounts.revoke_token": "撤销API令牌",
    "learning.class_create": "新建培训班",
    "learning.class_update": "修改培训班",
    "learning.class_plan": "修改培训方案",
    "learning.class_final": "培训方案定稿",
    "learning.class_reopen": "培训方案退回拟定",
    "learning.class_finish": "培训班结业",
    "learning.class_cancel": "取消培训班",
    "learning.enrol": "培训报名",
    "learning.withdraw": "撤销培训报名",
    "learning.session": "安排培训课次",
    "learning.result": "记录结业结果",
    "learning.certificate": "颁发结业证书",
    "learning.feedback": "培训评价",
    "learning.share": "修改政治教育占比",
    "learning.requirement": "修改年度学时要求",
    "service.community_register": "双报到登记",
    "service.community_end": "结束双报到",
    "service.community_service": "登记社区服务",
    "service.community_withdraw": "撤销社区服务记录",
    "service.partner": "登记共建单位",
    "service.agreement": "签订共建协议",
    "service.joint_activity": "关联共建活动",
    "service.deed": "列入办实事清单",
    "service.deed_status": "更新办实事进展",
    "service.deed_activity": "关联办实事活动",
}
# Keys that actions add beside model fields.
EXTRA_FIELD_LABELS = {
    "frequency": "频次",
    "on": "生效日期",
    "reason": "原因",
    "moved_people": "转入人数",
    "participants": "参训人数",
    "parent": "上级组织",
    "user": "用户",
    "username": "用户名",
    "role": "角色",
    "org": "组织",
    "person": "人员",
    "makeup": "补学",
    # What points actions record beside an entry's fields.
    "rules": "积分规则条数",
    "year": "年度",
    "entry": "原记录",
    "points_total": "积分合计",
    "step": "步骤",
    "elected": "当选人员",
    "activity": "活动",
    "file": "文件",
    "sha256": "文件校验码",
    "points": "分值",
    "entries": "积分记录数",
    "created_at": "备份时间",
    "tables": "数据表数",
    "rows": "记录数",
    "media_files": "上传文件数",
    "media_bytes": "上传文件字节数",
    "closed_term": "结束的任期",
    "reverses": "冲销的积分记录",
    "point_entries": "积分记录数",
    "period": "周期",
    "count": "次数",
    # What training actions record beside a class's fields.
    "courses": "课程",
    "political_share": "政治教育课时占比",
    "enrolled": "学员",
    "rule": "报名规则",
    "session": "课次",
    "course": "课程",
    "hours": "学时",
    "rating": "评价",
    "comment": "意见建议",
    "requirement": "年度学时要求",
    "result": "结业结果",
}

# Keys that name counts of a whole data set where they are loaded (`tianping demo`,
# `generate`, `restore`): "attendance" there is a count, not an activity's attendance.
LOAD_COUNT_LABELS = {
    "profile": "数据集",
    "seed": "随机种子",
    "as_of": "数据截止日期",
    "courts": "法院数",
    "departments": "部门数",
    "party_committees": "党委数",
    "general_branches": "党总支数",
    "branches": "党支部数",
    "groups": "党小组数",
    "orgs": "组织数",
    "people": "人员数",
    "serving": "在职人数",
    "party_members": "党员数",
    "placements": "任职记录数",
    "activities": "活动数",
    "attendance": "出勤记录数",
    "point_entries": "积分记录数",
    "users": "账户数",
    "recruit_files": "发展党员档案数",
    "elections": "换届选举数",
    "dues_bases": "党费基数记录数",
    "dues_payments": "党费交纳记录数",
    "democratic_reviews": "民主评议数",
    "training_classes": "培训班数",
    "training_enrolments": "参训人次",
    "enrolments": "参训记录数",
    "recommendations": "荐书数",
    "book_handovers": "图书交接数",
    "quiz_attempts": "答题次数",
    "volunteer_teams": "志愿服务队数",
    "volunteer_members": "志愿服务队队员数",
    "volunteer_services": "志愿服务记录数",
    "volunteer_certificates": "志愿服务证书数",
    "community_registrations": "双报到登记数",
    "community_services": "社区服务记录数",
    "co_building_agreements": "共建协议数",
    "practical_deeds": "办实事事项数",
    "liaison_assignments": "法官联系安排数",
    "liaison_visits": "联系走访次数",
    "liaison_matters": "联系诉求件数",
    "brands": "支部品牌数",
    "duty_entries": "示范岗服务记录数",
    "honours": "荣誉记录数",
    "talent_pools": "人才库数",
    "pool_members": "人才库提名人次",
    "competition_tracks": "竞赛项目",
    "competition_awards": "竞赛奖项",
    "typing_attempts": "速录测试人次",
}
ACTION_FIELD_LABELS = {
    "demo.load": LOAD_COUNT_LABELS,
    "generate.load": LOAD_COUNT_LABELS,
    "restore.load": LOAD_COUNT_LABELS,
}


def shown(value: Any) -> Any:
    """A stored value as a person reads it, nested values included (a review's entries)."""
    if value is None or value == "":
        return "—"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, dict):
        return "；".join(f"{k}：{shown(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(str(shown(v)) for v in value)
    return value


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events cannot be changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(models.Model):
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        # Accounts are deactivated, never deleted, while their history stands.
        on_delete=models.PROTECT,
        related_name="+",
    )
    user_label = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("操作", max_length=60, db_index=True)
    object_type = models.CharField("对象类型", max_length=60)
    object_id = models.CharField("对象编号", max_length=60, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    # The organisation whose subtree the object belongs to: what scopes the audit page.
    org = models.ForeignKey(
        Org,
        verbose_name="所属组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    batch = models.CharField("批次", max_length=40, blank=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_label} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events cannot be deleted")

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def object_type_label(self) -> str:
        try:
            return str(apps.get_model(self.object_type)._meta.verbose_name)
        except (LookupError, ValueError):
            return "—"

    def field_label(self, name: str) -> str:
        if name in ACTION_FIELD_LABELS.get(self.action, {}):
            return ACTION_FIELD_LABELS[self.action][name]
        if name in EXTRA_FIELD_LABELS:
            return EXTRA_FIELD_LABELS[name]
        try:
            field = apps.get_model(self.object_type)._meta.get_field(name)
        except (LookupError, ValueError, FieldDoesNotExist):
            return name
        if field.auto_created and not field.concrete:
            # A reverse relation (an activity's attendance): named by the model it reaches.
            return str(field.related_model._meta.verbose_name)
        return str(field.verbose_name)

    @property
    def changes(self) -> list[tuple[str, Any, Any]]:
        """(field label, before, after) for each field that differs."""
        before, after = self.before or {}, self.after or {}
        keys = list(dict.fromkeys([*before, *after]))
        return [
            (self.field_label(k), shown(before.get(k)), shown(after.get(k)))
            for k in keys
            if before.get(k) != after.get(k)
        ]

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "org__path")


class DataGeneration(models.Model):
    """One row per write (`audit.generation`): the count and sum of the ids change whenever
    a write commits, and figures are cached under them. Runtime state: neither backed up
    nor counted as data, and wiped with the data."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "数据版本"
        verbose_name_plural = "数据版本"

    def __str__(self) -> str:
        return f"{self.pk} {self.at:%Y-%m-%d %H:%M:%S}"
