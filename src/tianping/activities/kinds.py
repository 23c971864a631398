"""The registry of activity kinds and of the statutory obligations they meet (DOMAIN.md R1.5).

Compliance, points, forms, imports and reports read this registry; adding a kind is one
entry. Frequencies marked configurable in DOMAIN.md can be overridden per court
(activities.models.ObligationSetting).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tianping.orgs.models import COURT_KINDS, OrgKind


class Period(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Category(StrEnum):
    ORGANISATIONAL_LIFE = "organisational_life"  # 三会一课 and the other statutory meetings
    STUDY = "study"
    TRAINING = "training"
    SERVICE = "service"
    CULTURE = "culture"
    WORK = "work"


CATEGORY_NAMES = {
    Category.ORGANISATIONAL_LIFE: "组织生活",
    Category.STUDY: "学习教育",
    Category.TRAINING: "教育培训",
    Category.SERVICE: "服务群众",
    Category.CULTURE: "文化活动",
    Category.WORK: "业务提升",
}

PARTY_HOLDERS = frozenset({OrgKind.BRANCH})
ANY_HOLDER = frozenset(OrgKind)


@dataclass(frozen=True)
class Kind:
    code: str
    name: str
    category: Category
    holders: frozenset[str]
    takes_attendance: bool = True
    # Points a present attendee earns by default (R4.1); a court's rule set decides.
    attendance_trigger: str = ""
    has_lecturer: bool = False
    has_external_audience: bool = False
    counts_speakers: bool = False
    aliases: tuple[str, ...] = ()
    # Kinds a record of this kind may also count for (R1.5: a 主题党日 held with a 党课).
    may_also_count_as: tuple[str, ...] = ()

    @property
    def category_name(self) -> str:
        return CATEGORY_NAMES[self.category]


ORG_LIFE = "attend_org_life"  # the R4.1 trigger "attending 三会一课/主题党日/组织生活会/民主评议"

KINDS: dict[str, Kind] = {
    k.code: k
    for k in [
        # R1.5, the statutory rhythm
        Kind(
            "branch_congress",
            "支部党员大会",
            Category.ORGANISATIONAL_LIFE,
            PARTY_HOLDERS,
            attendance_trigger=ORG_LIFE,
            aliases=("党员大会", "支部大会"),
            may_also_count_as=("party_lecture", "life_meeting", "democratic_review"),
        ),
        Kind(
            "branch_committee",
            "支部委员会会议",
            Category.ORGANISATIONAL_LIFE,
            PARTY_HOLDERS,
            attendance_trigger=ORG_LIFE,
            aliases=("支委会", "支部委员会"),
        ),
        Kind(
            "group_meeting",
            "党小组会",
            Category.ORGANISATIONAL_LIFE,
            frozenset({OrgKind.GROUP}),
            attendance_trigger=ORG_LIFE,
            aliases=("党小组会议",),
            # D3: a group's meeting is not its branch's 党课 (never across bodies).
        ),
        Kind(
            "party_lecture",
            "党课",
            Category.ORGANISATIONAL_LIFE,
            frozenset(
                {
                    OrgKind.BRANCH,
                    OrgKind.GENERAL_BRANCH,
                    OrgKind.PARTY_COMMITTEE,
                    OrgKind.LEADING_GROUP,
                }
            ),
            attendance_trigger=ORG_LIFE,
            has_lecturer=True,
            aliases=("专题党课", "讲党课"),
            may_also_count_as=("theme_day", "branch_congress"),
        ),
        Kind(
            "theme_day",
            "主题党日",
            Category.ORGANISATIONAL_LIFE,
            PARTY_HOLDERS,
            attendance_trigger=ORG_LIFE,
            aliases=("主题党日活动", "党日活动"),
            may_also_count_as=("party_lecture",),
        ),
        Kind(
            "life_meeting",
            "组织生活会",
            Category.ORGANISATIONAL_LIFE,
            PARTY_HOLDERS,
            attendance_trigger=ORG_LIFE,
            may_also_count_as=("democratic_review", "branch_congress"),
        ),
        Kind(
            "democratic_review",
            "民主评议党员",
            Category.ORGANISATIONAL_LIFE,
            PARTY_HOLDERS,
            attendance_trigger=ORG_LIFE,
            aliases=("民主评议",),
            may_also_count_as=("life_meeting", "branch_congress"),
        ),
        Kind(
            "heart_talk",
            "谈心谈话",
            Category.ORGANISATIONAL_LIFE,
            PARTY_HOLDERS,
            aliases=("谈心谈话活动",),
        ),
        Kind(
            "center_group_study",
            "理论学习中心组学习",
            Category.STUDY,
            frozenset({OrgKind.LEADING_GROUP, OrgKind.PARTY_COMMITTEE} | COURT_KINDS),
            aliases=("中心组学习", "党组理论学习中心组学习", "中心组集体学习"),
        ),
        # What the seeds describe beyond the statutory rhythm
        Kind(
            "training_class",
            "培训班",
            Category.TRAINING,
            ANY_HOLDER,
            aliases=("培训", "轮训班", "集训班"),
        ),
        Kind(
            "reading_session",
            "读书活动",
            Category.STUDY,
            ANY_HOLDER,
            aliases=("读书会", "读书分享会", "图书漂流"),
        ),
        Kind(
            "book_recommendation",
            "读书推荐",
            Category.STUDY,
            ANY_HOLDER,
            takes_attendance=False,
            aliases=("好书推荐",),
        ),
        Kind(
            "volunteer_service",
            "志愿服务",
            Category.SERVICE,
            ANY_HOLDER,
            aliases=("志愿活动", "志愿者服务"),
        ),
        Kind(
            "legal_education",
            "普法宣传",
            Category.SERVICE,
            ANY_HOLDER,
            has_external_audience=True,
            aliases=("普法", "法治宣传"),
        ),
        Kind(
            "legal_consultation",
            "法律咨询",
            Category.SERVICE,
            ANY_HOLDER,
            has_external_audience=True,
            aliases=("法律咨询服务",),
        ),
        Kind(
            "co_building",
            "结对共建",
            Category.SERVICE,
            ANY_HOLDER,
            aliases=("党建共建", "共建活动"),
        ),
        Kind("visit_condolence", "走访慰问", Category.SERVICE, ANY_HOLDER, aliases=("慰问",)),
        Kind(
            "liaison_visit",
            "法官联系走访",
            Category.SERVICE,
            ANY_HOLDER,
            has_external_audience=True,
            aliases=("法官联系人走访",),
        ),
        Kind("practical_deed", "办实事", Category.SERVICE, ANY_HOLDER, aliases=("我为群众办实事",)),
        Kind(
            "speech_contest",
            "演讲比赛",
            Category.CULTURE,
            ANY_HOLDER,
            counts_speakers=True,
            has_external_audience=True,
        ),
        Kind(
            "storytelling",
            "听我断案",
            Category.CULTURE,
            ANY_HOLDER,
            counts_speakers=True,
            has_external_audience=True,
            aliases=("“听我断案”分享会", "案例分享会"),
        ),
        Kind(
            "sports_day", "文体活动", Category.CULTURE, ANY_HOLDER, aliases=("运动会", "体育活动")
        ),
        Kind(
            "political_birthday",
            "政治生日",
            Category.ORGANISATIONAL_LIFE,
            ANY_HOLDER,
            aliases=("政治生日活动",),
        ),
        Kind(
            "skill_competition",
            "技能竞赛",
            Category.WORK,
            ANY_HOLDER,
            aliases=("业务技能竞赛", "岗位练兵", "技能比武"),
        ),
        Kind("trial_observation", "庭审观摩", Category.WORK, ANY_HOLDER, aliases=("观摩庭审",)),
        Kind(
            "research_session",
            "调研活动",
            Category.WORK,
            ANY_HOLDER,
            aliases=("调研", "专题研讨", "研讨会"),
        ),
    ]
}


def kind(code: str) -> Kind:
    return KINDS[code]


def choices() -> list[tuple[str, str]]:
    return [(k.code, k.name) for k in KINDS.values()]


def by_name(text: str) -> Kind | None:
    """A kind from its Chinese name or an alias, as a ledger writes it."""
    text = text.strip()
    for k in KINDS.values():
        if text == k.name or text in k.aliases or text == k.code:
            return k
    return None


@dataclass(frozen=True)
class Obligation:
    """One line of R1.5: who must hold what, how often."""

    code: str
    kind: str
    name: str
    holders: frozenset[str]
    period: Period
    count: int = 1
    rule: str = "R1.5"
    configurable: bool = False
    # Only a branch that must have a committee (R1.3) holds committee meetings.
    needs_committee: bool = False
    # The party committee's own lecture must be given by its secretary.
    lecturer_must_be_secretary: bool = False
    # Checked pair by pair (谈心谈话, D5) unless a court sets a plain count instead.
    pairs: bool = False
    note: str = ""


OBLIGATIONS: dict[str, Obligation] = {
    o.code: o
    for o in [
        Obligation(
            "branch_congress", "branch_congress", "支部党员大会", PARTY_HOLDERS, Period.QUARTER
        ),
        Obligation(
            "branch_committee",
            "branch_committee",
            "支部委员会会议",
            PARTY_HOLDERS,
            Period.MONTH,
            needs_committee=True,
            note="仅适用于正式党员7人以上、应设支部委员会的党支部",
        ),
        Obligation(
            "group_meeting", "group_meeting", "党小组会", frozenset({OrgKind.GROUP}), Period.MONTH
        ),
        Obligation(
            "party_lecture",
            "party_lecture",
            "党课",
            PARTY_HOLDERS,
            Period.QUARTER,
            configurable=True,
            note="地方惯例，条例未规定频次",
        ),
        Obligation(
            "secretary_lecture",
            "party_lecture",
            "党委（党组）书记讲党课",
            frozenset({OrgKind.PARTY_COMMITTEE, OrgKind.LEADING_GROUP}),
            Period.YEAR,
            lecturer_must_be_secretary=True,
        ),
        Obligation("theme_day", "theme_day", "主题党日", PARTY_HOLDERS, Period.MONTH),
        Obligation(
            "life_meeting",
            "life_meeting",
            "组织生活会",
            PARTY_HOLDERS,
            Period.YEAR,
            note="一般在第四季度召开",
        ),
        Obligation(
            "democratic_review",
            "democratic_review",
            "民主评议党员",
            PARTY_HOLDERS,
            Period.YEAR,
            note="可与组织生活会合并召开",
        ),
        Obligation(
            "heart_talk",
            "heart_talk",
            "谈心谈话",
            PARTY_HOLDERS,
            Period.YEAR,
            configurable=True,
            pairs=True,
            note="支部委员与每名党员（含支部委员之间）每年至少谈心谈话一次，逐对核对",
        ),
        Obligation(
            "center_group_study",
            "center_group_study",
            "理论学习中心组学习",
            frozenset({OrgKind.LEADING_GROUP}),
            Period.MONTH,
            configurable=True,
        ),
    ]
}

# Default per-court frequencies for the configurable obligations (count per period).
CONFIGURABLE_DEFAULTS = {
    o.code: (o.period, o.count) for o in OBLIGATIONS.values() if o.configurable
}


PERIOD_WORDS = {"month": "每月", "quarter": "每季度", "year": "每年"}


def frequency_text(rule: Obligation, period: str | None = None, count: int | None = None) -> str:
    """A frequency in words: 每季度1次; the rule's own where none is given (每年逐对核对)."""
    if period is None:
        if rule.pairs:
            return "每年逐对核对"
        period, count = rule.period.value, rule.count
    return f"{PERIOD_WORDS[str(period)]}{count}次"


def kinds_for_holder(org_kind: str) -> list[Kind]:
    return [k for k in KINDS.values() if org_kind in k.holders]


def counts_for(kind_code: str, also: list[str] | tuple[str, ...]) -> set[str]:
    """The kinds one record counts for: its own and the allowed extras it declares."""
    allowed = set(KINDS[kind_code].may_also_count_as)
    return {kind_code} | (set(also) & allowed)
