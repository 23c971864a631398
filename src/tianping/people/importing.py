"""The roster import (花名册): a sheet checked whole into a plan, then written in bulk and audited.

The command line and the web page share it: `parse_roster` reads and checks every row and
writes nothing; `apply_roster` writes a clean plan in one transaction. Upsert is by 工号
within a court. A column the sheet leaves out is left alone; a column it has is the truth,
so a blank 部门 cell ends the person's department placement.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone

from tianping.audit.models import AuditEvent
from tianping.audit.recording import bulk, event, new_batch, snapshot_values
from tianping.lib.bulk import insert_values, update_values
from tianping.lib.sheets import (
    CellError,
    Choices,
    Columns,
    ImportResult,
    SheetError,
    Source,
    Table,
    ValueMap,
    clean_code,
    clean_name,
    clean_text,
    employee_key,
    match_key,
    parse_date,
    read_table,
    sort_errors,
    table_bytes,
)
from tianping.orgs.mappings import court_value_map
from tianping.orgs.models import COURT_KINDS, Org
from tianping.people.actions import (
    EDITABLE_FIELDS,
    PERSON_FIELDS,
    PLACEMENT_FIELD,
    PLACEMENT_ORG_KINDS,
    date_problems,
    phone_problem,
)
from tianping.people.models import (
    Category,
    CivilRank,
    Degree,
    Education,
    Gender,
    JudgeGrade,
    Person,
    PersonStatus,
    Placement,
    PlacementKind,
    PoliceRank,
    PoliticalStatus,
    PostLevel,
)
from tianping.people.pinyin import name_keys
from tianping.people.terms import OPEN_COLUMNS, closed_because

T = TypeVar("T")

# The columns, in the order the export writes them, with the model field each fills.
ROSTER_COLUMNS: dict[str, str] = {
    "工号": "employee_no",
    "姓名": "name",
    "性别": "gender",
    "出生日期": "birth_date",
    "民族": "ethnicity",
    "学历": "education",
    "人员类别": "category",
    "职务层级": "post_level",
    "部门": "department",
    "政治面貌": "political_status",
    "入党日期": "party_joined_on",
    "转正日期": "full_member_on",
    "所在支部": "party_org",
    "所在党小组": "party_group",
    "状态": "status",
    # What a court's 干部 record holds; optional, and after the first columns so that older
    # sheets and readers of the export keep their positions.
    "职务": "title",
    "法官等级": "judge_grade",
    "警衔": "police_rank",
    "职级": "civil_rank",
    "参加工作时间": "work_started_on",
    "入院时间": "joined_court_on",
    "籍贯": "native_place",
    "学位": "degree",
    "联系电话": "phone",
}
PHONE_COLUMN = "联系电话"
# Which court of the subtree a row belongs to; only a sheet spanning several courts needs it.
COURT_COLUMN = "所在法院"
HEADERS = Columns(
    synonyms={
        "工号": (
            "人员编号",
            "员工编号",
            "职工编号",
            "干警编号",
            "编号",
            "人员代码",
            "员工号",
            "职工号",
            "工作证号",
        ),
        "姓名": ("人员姓名", "干警姓名", "职工姓名", "名字"),
        "性别": (),
        "出生日期": ("出生年月", "出生年月日", "出生时间", "生日"),
        "民族": (),
        "学历": ("最高学历", "文化程度", "学历层次"),
        "人员类别": ("人员分类", "人员类型", "类别", "岗位类别", "身份类别"),
        # 职务 and 职级 are columns of their own; an older sheet's 职务 column still fills
        # 职务层级 where the sheet has none (see _RowReader.post_level_fallback).
        "职务层级": ("职务级别", "行政职务", "领导职务", "职务层次"),
        "部门": ("所在部门", "部门名称", "庭室", "所在庭室", "工作部门", "内设机构"),
        "政治面貌": (),
        "入党日期": ("入党时间", "入党年月"),
        "转正日期": ("转正时间", "转正年月", "预备党员转正日期"),
        "所在支部": (
            "支部",
            "党支部",
            "所在党支部",
            "所属支部",
            "所属党支部",
            "所在党组织",
            "党组织",
        ),
        "所在党小组": ("党小组", "所属党小组", "小组"),
        "状态": ("人员状态", "在职状态", "在岗状态"),
        "职务": ("现任职务", "职务名称", "担任职务", "现职务"),
        "法官等级": ("法官级别", "等级"),
        "警衔": ("警衔等级", "现警衔"),
        "职级": ("现任职级", "现职级", "职级层次"),
        "参加工作时间": ("参加工作日期", "参工时间", "工作时间", "参加工作年月"),
        "入院时间": ("入院日期", "进院时间", "进院日期", "到院时间", "入院年月"),
        "籍贯": ("籍贯地",),
        "学位": ("最高学位", "学位名称"),
        "联系电话": ("电话", "手机", "手机号", "手机号码", "电话号码", "联系方式"),
        COURT_COLUMN: ("法院", "所属法院", "所在单位", "单位"),
    },
    required=("工号", "姓名"),
)
COLUMN_ORDER = [*ROSTER_COLUMNS, COURT_COLUMN]
# The values a row sets on a person: what a person's edit may change, less the key itself.
VALUE_FIELDS = tuple(f for f in EDITABLE_FIELDS if f != "employee_no")
# The dates a row may not give later than today, by column.
DATE_COLUMNS = {
    "出生日期": "birth_date",
    "入党日期": "party_joined_on",
    "转正日期": "full_member_on",
    "参加工作时间": "work_started_on",
    "入院时间": "joined_court_on",
}
COLUMN_OF = {name: column for column, name in ROSTER_COLUMNS.items()}
PLACEMENT_COLUMNS = {
    "部门": PlacementKind.DEPARTMENT,
    "所在支部": PlacementKind.PARTY_ORG,
    "所在党小组": PlacementKind.PARTY_GROUP,
}
IMPORT_REASON = "花名册导入"
AUDIT_ACTION = "people.import"
CHUNK = 2000


def _choices(what: str, enum: Any, synonyms: dict[str, str]) -> Choices:
    table = {**{c.label: c.value for c in enum}, **{c.value: c.value for c in enum}, **synonyms}
    return Choices(what, table, [c.label for c in enum])


GENDERS = _choices(
    "性别",
    Gender,
    {"男性": Gender.MALE, "女性": Gender.FEMALE, "m": Gender.MALE, "f": Gender.FEMALE},
)
EDUCATIONS = _choices(
    "学历",
    Education,
    {
        "博士": Education.DOCTORATE,
        "博士研究生学历": Education.DOCTORATE,
        "研究生(博士)": Education.DOCTORATE,
        "硕士": Education.MASTER,
        "硕士研究生学历": Education.MASTER,
        "研究生(硕士)": Education.MASTER,
        "研究生": Education.MASTER,
        "研究生学历": Education.MASTER,
        "在职研究生": Education.MASTER,
        "本科": Education.BACHELOR,
        "大学": Education.BACHELOR,
        "大学本科学历": Education.BACHELOR,
        "本科学历": Education.BACHELOR,
        "学士": Education.BACHELOR,
        "大专": Education.COLLEGE,
        "专科": Education.COLLEGE,
        "大学专科学历": Education.COLLEGE,
        "大专学历": Education.COLLEGE,
        "中专": Education.SECONDARY,
        "高中": Education.SECONDARY,
        "中技": Education.SECONDARY,
        "职高": Education.SECONDARY,
        "技校": Education.SECONDARY,
        "初中": Education.SECONDARY,
        "中专及以下": Education.SECONDARY,
        "高中及以下": Education.SECONDARY,
        "高中(中专)": Education.SECONDARY,
    },
)
CATEGORIES = _choices(
    "人员类别",
    Category,
    {
        "法官": Category.JUDGE,
        "员额": Category.JUDGE,
        "审判员": Category.JUDGE,
        "入额法官": Category.JUDGE,
        "助理审判员": Category.JUDGE_ASSISTANT,
        "法助": Category.JUDGE_ASSISTANT,
        "书记": Category.CLERK,
        "聘用书记员": Category.CLERK,
        "速录员": Category.CLERK,
        "法警": Category.JUDICIAL_POLICE,
        "司法警察人员": Category.JUDICIAL_POLICE,
        "司法行政": Category.ADMIN_STAFF,
        "行政人员": Category.ADMIN_STAFF,
        "司法行政人员(综合)": Category.ADMIN_STAFF,
        "综合行政人员": Category.ADMIN_STAFF,
    },
)
POST_LEVELS = _choices(
    "职务层级",
    PostLevel,
    {
        "院长": PostLevel.COURT_CHIEF,
        "党组书记": PostLevel.COURT_CHIEF,
        "党组书记、院长": PostLevel.COURT_CHIEF,
        "院领导正职": PostLevel.COURT_CHIEF,
        "副院长": PostLevel.COURT_DEPUTY,
        "党组副书记": PostLevel.COURT_DEPUTY,
        "党组成员": PostLevel.COURT_DEPUTY,
        "政治部主任": PostLevel.COURT_DEPUTY,
        "纪检组长": PostLevel.COURT_DEPUTY,
        "审判委员会专职委员": PostLevel.COURT_DEPUTY,
        "专职委员": PostLevel.COURT_DEPUTY,
        "执行局局长": PostLevel.COURT_DEPUTY,
        "院领导副职": PostLevel.COURT_DEPUTY,
        "庭长": PostLevel.DIVISION_CHIEF,
        "主任": PostLevel.DIVISION_CHIEF,
        "局长": PostLevel.DIVISION_CHIEF,
        "处长": PostLevel.DIVISION_CHIEF,
        "科长": PostLevel.DIVISION_CHIEF,
        "队长": PostLevel.DIVISION_CHIEF,
        "中层正职干部": PostLevel.DIVISION_CHIEF,
        "副庭长": PostLevel.DIVISION_DEPUTY,
        "副主任": PostLevel.DIVISION_DEPUTY,
        "副局长": PostLevel.DIVISION_DEPUTY,
        "副处长": PostLevel.DIVISION_DEPUTY,
        "副科长": PostLevel.DIVISION_DEPUTY,
        "副队长": PostLevel.DIVISION_DEPUTY,
        "中层副职干部": PostLevel.DIVISION_DEPUTY,
        # D9: the short forms a court writes for its department heads and their deputies.
        "正职": PostLevel.DIVISION_CHIEF,
        "副职": PostLevel.DIVISION_DEPUTY,
        "干警": PostLevel.STAFF,
        "普通干警": PostLevel.STAFF,
        "一般干部": PostLevel.STAFF,
        "科员": PostLevel.STAFF,
        "办事员": PostLevel.STAFF,
        "工作人员": PostLevel.STAFF,
        "无": PostLevel.STAFF,
    },
)
# A 职务 cell that only names a level is no title (an older sheet's 职务 column).
LEVEL_ONLY = frozenset(match_key(t) for t in (*PostLevel.labels, "正职", "副职"))
JUDGE_GRADES = _choices("法官等级", JudgeGrade, {})
POLICE_RANKS = _choices("警衔", PoliceRank, {})
CIVIL_RANKS = _choices(
    "职级",
    CivilRank,
    {
        "一级主任": CivilRank.PRINCIPAL_1,
        "二级主任": CivilRank.PRINCIPAL_2,
        "三级主任": CivilRank.PRINCIPAL_3,
        "四级主任": CivilRank.PRINCIPAL_4,
    },
)
DEGREES = _choices(
    "学位",
    Degree,
    {
        **{f"{d}学位": d for d in ("博士", "硕士", "学士")},
        **{
            f"{field}{label}": code
            for field in ("法学", "法律", "文学", "经济学", "管理学", "工学", "理学", "哲学")
            for label, code in (
                ("博士", Degree.DOCTOR),
                ("硕士", Degree.MASTER),
                ("学士", Degree.BACHELOR),
            )
        },
    },
)
_NOTHING = frozenset({"无", "没有", "-", "—", "/", "／"})
_DEMOCRATIC_PARTIES = (
    "民革",
    "民盟",
    "民建",
    "民进",
    "农工党",
    "致公党",
    "九三学社",
    "台盟",
    "中国国民党革命委员会",
    "中国民主同盟",
    "中国民主建国会",
    "中国民主促进会",
    "中国农工民主党",
    "中国致公党",
    "台湾民主自治同盟",
)
POLITICAL_STATUSES = _choices(
    "政治面貌",
    PoliticalStatus,
    {
        "党员": PoliticalStatus.MEMBER,
        "共产党员": PoliticalStatus.MEMBER,
        "中国共产党党员": PoliticalStatus.MEMBER,
        "中共正式党员": PoliticalStatus.MEMBER,
        "正式党员": PoliticalStatus.MEMBER,
        "预备党员": PoliticalStatus.PROBATIONARY,
        "中国共产党预备党员": PoliticalStatus.PROBATIONARY,
        "团员": PoliticalStatus.LEAGUE,
        "共青团员": PoliticalStatus.LEAGUE,
        "中国共产主义青年团团员": PoliticalStatus.LEAGUE,
        "无党派": PoliticalStatus.NON_PARTY,
        "无党派民主人士": PoliticalStatus.NON_PARTY,
        **{party: PoliticalStatus.DEMOCRATIC_PARTY for party in _DEMOCRATIC_PARTIES},
        **{
            f"{party}{s}": PoliticalStatus.DEMOCRATIC_PARTY
            for party in _DEMOCRATIC_PARTIES
            for s in ("党员", "盟员", "会员", "社员")
        },
        "民主党派人士": PoliticalStatus.DEMOCRATIC_PARTY,
    },
)
STATUSES = _choices(
    "状态",
    PersonStatus,
    {
        "在岗": PersonStatus.SERVING,
        "在编": PersonStatus.SERVING,
        "正常": PersonStatus.SERVING,
        "离休": PersonStatus.RETIRED,
        "离退休": PersonStatus.RETIRED,
        "已退休": PersonStatus.RETIRED,
        "退职": PersonStatus.RETIRED,
        "调出": PersonStatus.TRANSFERRED,
        "调走": PersonStatus.TRANSFERRED,
        "已调离": PersonStatus.TRANSFERRED,
        "辞职": PersonStatus.RESIGNED,
        "离职": PersonStatus.RESIGNED,
        "辞退": PersonStatus.RESIGNED,
        "已辞职": PersonStatus.RESIGNED,
        "死亡": PersonStatus.DECEASED,
        "病故": PersonStatus.DECEASED,
        "已故": PersonStatus.DECEASED,
        "已去世": PersonStatus.DECEASED,
        "逝世": PersonStatus.DECEASED,
    },
)
ETHNIC_GROUPS = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 "
    "哈尼族 哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 "
    "柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 "
    "塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 "
    "鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()
ETHNICITIES = Choices(
    "民族",
    {
        **{e: e for e in ETHNIC_GROUPS},
        **{e[:-1]: e for e in ETHNIC_GROUPS},
        "蒙族": "蒙古族",
        "维族": "维吾尔族",
        "穿青人": "穿青人",
        "其他": "其他",
        "外国血统中国籍人士": "外国血统中国籍人士",
    },
    ["汉族", "蒙古族", "回族", "…（56个民族的名称）"],
)


def _optional(choices: Choices) -> Callable[[Any], str]:
    """An enumeration where a clerk may write 无 or a dash for "none"."""

    def match(value: Any) -> str:
        return "" if clean_text(value) in _NOTHING else choices.match(value)

    return match


def _text(value: Any, *, what: str, limit: int) -> str:
    text = clean_text(value)
    if len(text) > limit:
        raise CellError(f"{what}不能超过{limit}个字符")
    return text


def _phone(value: Any) -> str:
    """A telephone number; a number cell (13812345678.0) reads as its digits."""
    text = clean_code(value)
    if message := phone_problem(text):
        raise CellError(message)
    return text


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---------------------------------------------------------------------------------------
# The organisations a court owns, found by what a sheet writes


@dataclass
class CourtTree:
    """A court's own departments, party organisations and groups (not a lower court's)."""

    court: Org
    orgs: list[Org] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_id: dict[int, Org] = {}
        self._by_text: dict[str, dict[str, list[Org]]] = {
            k: defaultdict(list) for k in PlacementKind
        }
        self._names: dict[str, dict[str, int]] = {k: defaultdict(int) for k in PlacementKind}
        self._parent: dict[int, int | None] = {}
        # A roster names the same few organisations thousands of times.
        self._found: dict[tuple[str, str, int | None], Org | CellError] = {}
        by_path = {o.path: o for o in self.orgs}
        for org in self.orgs:
            self.by_id[org.pk] = org
            parent = by_path.get(org.path[: -Org.steplen])
            self._parent[org.pk] = parent.pk if parent else None
            for kind, kinds in PLACEMENT_ORG_KINDS.items():
                if org.kind in kinds:
                    self._by_text[kind][match_key(org.code)].append(org)
                    if match_key(org.name) != match_key(org.code):
                        self._by_text[kind][match_key(org.name)].append(org)
                    self._names[kind][self._name_scope(kind, org, parent)] += 1

    @staticmethod
    def _name_scope(kind: str, org: Org, parent: Org | None) -> str:
        # A group's name need only be unique within its branch (every branch has a 第一党小组).
        prefix = f"{parent.pk}:" if kind == PlacementKind.PARTY_GROUP and parent else ""
        return prefix + match_key(org.name)

    def label(self, org: Org | None, kind: str) -> str:
        """What the export writes for an organisation: its name, or its code where the name is shared."""
        if org is None:
            return ""
        parent = self.by_id.get(self._parent.get(org.pk) or 0)
        if (
            org.pk in self.by_id
            and self._names[kind].get(self._name_scope(kind, org, parent), 0) == 1
        ):
            return org.name
        return org.code

    def parent_of(self, org: Org) -> Org | None:
        return self.by_id.get(self._parent.get(org.pk) or 0)

    def find(self, kind: str, text: str, branch: Org | None = None) -> Org:
        """The department, party organisation or group a cell names; CellError if none or several."""
        key = (kind, text, branch.pk if branch is not None else None)
        found = self._found.get(key)
        if found is None:
            try:
                found = self._find(kind, text, branch)
            except CellError as e:
                found = e
            self._found[key] = found
        if isinstance(found, CellError):
            raise found
        return found

    def _find(self, kind: str, text: str, branch: Org | None) -> Org:
        what = PlacementKind(kind).label
        if kind == PlacementKind.PARTY_GROUP:
            what = "党小组"
        elif kind == PlacementKind.PARTY_ORG:
            what = "支部"
        candidates = self._by_text[kind].get(match_key(text), [])
        if kind == PlacementKind.PARTY_GROUP and branch is not None:
            under = [o for o in candidates if o.path.startswith(branch.path)]
            if not under and candidates:
                raise CellError(f"“{text}”不属于{branch.name}")
            candidates = under
        if not candidates:
            others = [
                o
                for k in PlacementKind
                if k != kind
                for o in self._by_text[k].get(match_key(text), [])
            ]
            if others:
                raise CellError(f"“{others[0].name}”是{others[0].get_kind_display()}，不是{what}")
            raise CellError(f"{self.court.name}没有代码或名称为“{text}”的{what}")
        live = [o for o in candidates if o.is_active]
        if not live:
            raise CellError(f"{what}“{candidates[0].name}”已撤销")
        if len(live) > 1:
            codes = "、".join(o.code for o in live)
            hint = "请同时填写所在支部，或" if kind == PlacementKind.PARTY_GROUP else "请"
            raise CellError(
                f"{self.court.name}有多个名为“{text}”的{what}（{codes}），{hint}填写代码"
            )
        return live[0]


def court_trees(court: Org) -> dict[int, CourtTree]:
    """Every court at or below `court` with the organisations it owns, from one query."""
    orgs = list(
        Org.objects.filter(path__startswith=court.path)
        .only("id", "code", "name", "kind", "path", "depth", "is_active")
        .order_by("path")
    )
    courts = {o.path: o for o in orgs if o.kind in COURT_KINDS}
    owned: dict[int, list[Org]] = defaultdict(list)
    for org in orgs:
        if org.kind in COURT_KINDS:
            continue
        for depth in range(org.depth - 1, court.depth - 1, -1):
            owner = courts.get(org.path[: depth * Org.steplen])
            if owner is not None:
                owned[owner.pk].append(org)
                break
    return {c.pk: CourtTree(c, owned[c.pk]) for c in courts.values()}


# ---------------------------------------------------------------------------------------
# The plan


# A clean sheet row: its number, the person's court, 工号, field values and placements.
Row = tuple[int, Org, str, dict[str, Any], dict[str, Org | None]]


@dataclass(slots=True)
class NewPerson:
    row: int
    court_id: int
    employee_no: str
    values: dict[str, Any]
    placements: dict[str, Org]


@dataclass(slots=True)
class ChangedPerson:
    row: int
    before: dict[str, Any]  # the person's current values, by model field (ids for placements)
    changes: dict[str, Any]  # model field → new value
    moves: dict[str, Org | None]  # placement kind → new organisation (None ends it)


@dataclass
class RosterPlan:
    """A checked roster: who would be created or changed, or every problem in the sheet."""

    court: Org
    trees: dict[int, CourtTree] = field(default_factory=dict)
    new: list[NewPerson] = field(default_factory=list)
    changed: list[ChangedPerson] = field(default_factory=list)
    unchanged: int = 0
    errors: list[SheetError] = field(default_factory=list)
    open_placements: dict[tuple[int, str], list[tuple[int, dt.date | None]]] = field(
        default_factory=dict
    )
    org_names: dict[int, str] = field(default_factory=dict)
    values: ValueMap = field(default_factory=ValueMap)
    # The sheet's clean rows and headers, so that a kept plan is checked again against the
    # data as it is when confirmed without reading the workbook again (`recheck_roster`).
    rows: list[Row] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def result(self, *, dry_run: bool = False) -> ImportResult:
        return ImportResult(
            created=len(self.new),
            updated=len(self.changed),
            unchanged=self.unchanged,
            errors=list(self.errors),
            dry_run=dry_run,
        )


def _same_text(field_name: str, old: Any, new: Any) -> bool:
    """An existing value that cleans to the sheet's value is not a change (王 芳 and 王芳)."""
    if old == new:
        return True
    if not isinstance(old, str) or not old:
        return False
    if field_name == "name":
        return clean_name(old) == new
    if field_name == "ethnicity":
        try:
            return ETHNICITIES.match(old) == new
        except CellError:
            return False
    return False


class _RowReader:
    """Turns one sheet row into field values, collecting the row's problems."""

    def __init__(self, plan: RosterPlan, index: dict[str, int], written: dict[str, str]) -> None:
        self.plan = plan
        self.index = index
        self.written = written
        self.value_columns = [
            (c, ROSTER_COLUMNS[c], index[c])
            for c in ROSTER_COLUMNS
            if c in index and ROSTER_COLUMNS[c] in VALUE_FIELDS
        ]
        self.courts_by_text: dict[str, list[Org]] = defaultdict(list)
        for tree in plan.trees.values():
            self.courts_by_text[match_key(tree.court.code)].append(tree.court)
            if match_key(tree.court.name) != match_key(tree.court.code):
                self.courts_by_text[match_key(tree.court.name)].append(tree.court)
        self.today = timezone.localdate()
        self._parsers: dict[str, Callable[[Any], Any]] = {
            "name": clean_name,
            "gender": GENDERS.match,
            "birth_date": parse_date,
            "ethnicity": ETHNICITIES.match,
            "education": EDUCATIONS.match,
            "category": CATEGORIES.match,
            "post_level": POST_LEVELS.match,
            "political_status": POLITICAL_STATUSES.match,
            "party_joined_on": parse_date,
            "full_member_on": parse_date,
            "status": STATUSES.match,
            "title": partial(_text, what="职务", limit=50),
            "judge_grade": _optional(JUDGE_GRADES),
            "police_rank": _optional(POLICE_RANKS),
            "civil_rank": _optional(CIVIL_RANKS),
            "work_started_on": parse_date,
            "joined_court_on": parse_date,
            "native_place": partial(_text, what="籍贯", limit=50),
            "degree": _optional(DEGREES),
            "phone": _phone,
        }
        # An older sheet wrote the level in its 职务 (or 职级) column and had no 职务层级.
        self.post_level_fallback = "职务层级" not in index

    def raw(self, values: list[Any], column: str) -> Any:
        i = self.index.get(column)
        return values[i] if i is not None and i < len(values) else None

    def error(
        self, row: int, column: str, value: Any, message: str, offered: Sequence[str] = ()
    ) -> SheetError:
        # An unknown word of an open column may be declared the court's own term.
        why = closed_because(column) if offered else ""
        return SheetError(
            row,
            self.written.get(column, column),
            value,
            message,
            offered,
            canonical=column,
            declarable=bool(offered) and not why,
            closed=why,
        )

    def court(self, number: int, values: list[Any], errors: list[SheetError]) -> Org | None:
        raw = self.raw(values, COURT_COLUMN)
        text = clean_text(raw)
        if not text:
            return self.plan.court
        found = self.courts_by_text.get(match_key(text), [])
        if len(found) == 1:
            return found[0]
        message = (
            f"{self.plan.court.name}及其下级法院中没有“{text}”"
            if not found
            else f"有多个法院名为“{text}”，请填写法院代码"
        )
        errors.append(self.error(number, COURT_COLUMN, raw, message))
        return None

    def values(self, number: int, values: list[Any], errors: list[SheetError]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        mapped = self.plan.values
        for column, name, i in self.value_columns:
            raw = values[i] if i < len(values) else None
            if mapped and column in OPEN_COLUMNS and (term := mapped.own(column, raw)):
                out[name] = term  # the court's own term, stored as it is
                continue
            try:
                out[name] = self._parsers[name](mapped.apply(column, raw) if mapped else raw)
            except CellError as e:
                if not (name == "civil_rank" and self._level_from(raw, out)):
                    errors.append(self.error(number, column, raw, e.message, e.offered))
                continue
            if name == "title" and out[name] and self._level_from(out[name], out):
                if match_key(out[name]) in LEVEL_ONLY:
                    out[name] = ""
        if "name" in out and len(out["name"]) > 50:
            errors.append(self.error(number, "姓名", out["name"], "姓名不能超过50个字符"))
        today = self.today
        for column, name in DATE_COLUMNS.items():
            day = out.get(name)
            if day is not None and day > today:
                errors.append(self.error(number, column, self.raw(values, column), "日期晚于今天"))
        return out

    def _level_from(self, raw: Any, out: dict[str, Any]) -> bool:
        """On a sheet without 职务层级, a 职务 or 职级 cell naming a level fills it (D9)."""
        if not self.post_level_fallback:
            return False
        try:
            level = POST_LEVELS.match(raw)
        except CellError:
            return False
        if level and not out.get("post_level"):
            out["post_level"] = level
        return bool(level)

    def placements(
        self, number: int, values: list[Any], tree: CourtTree, errors: list[SheetError]
    ) -> dict[str, Org | None]:
        """Placement kind → organisation (None: the cell is blank) for the columns present."""
        out: dict[str, Org | None] = {}
        for column, kind in PLACEMENT_COLUMNS.items():
            if column not in self.index:
                continue
            raw = self.raw(values, column)
            text = clean_text(raw)
            if not text:
                out[kind] = None
                continue
            branch = out.get(PlacementKind.PARTY_ORG) if kind == PlacementKind.PARTY_GROUP else None
            if (
                kind == PlacementKind.PARTY_GROUP
                and branch is None
                and clean_text(self.raw(values, "所在支部"))
            ):
                continue  # the branch itself is wrong and already reported
            try:
                out[kind] = tree.find(kind, text, branch)
            except CellError as e:
                errors.append(self.error(number, column, raw, e.message))
        group = out.get(PlacementKind.PARTY_GROUP)
        if group is not None and out.get(PlacementKind.PARTY_ORG) is None:
            if "所在支部" in self.index:
                errors.append(
                    self.error(
                        number,
                        "所在党小组",
                        self.raw(values, "所在党小组"),
                        "填写党小组时须同时填写所在支部",
                    )
                )
            else:
                out[PlacementKind.PARTY_ORG] = tree.parent_of(group)
        return out


def parse_roster(source: Source, court: Org, values: ValueMap | None = None) -> RosterPlan:
    """Read and check a roster for `court`: every row, every problem; writes nothing.

    A cell passes through the court's kept value mappings, and `values` over them.
    """
    plan = RosterPlan(court=court)
    if court.kind not in COURT_KINDS:
        plan.errors.append(SheetError(None, "", court.code, f"“{court.name}”不是法院"))
        return plan
    plan.values = court_value_map(court, values)
    try:
        with read_table(source, HEADERS) as table:
            plan.trees = court_trees(court)
            if not table.has(COURT_COLUMN):
                plan.trees = {court.pk: plan.trees[court.pk]}
            reader = _RowReader(plan, table.index, table.written)
            rows, errors = _read_rows(table, reader)
    except SheetError as e:
        plan.errors = [e]
        return plan
    plan.index, plan.written = dict(table.index), dict(table.written)
    # Rows that read cleanly are still compared with the people they name, so that
    # problems only that comparison finds are reported alongside the others.
    _plan_changes(plan, rows, reader)
    _settle(plan, errors)
    if plan.ok:
        plan.rows = rows
    return plan


def _settle(plan: RosterPlan, errors: list[SheetError]) -> None:
    """All the problems in the sheet's order; a plan with any writes nothing."""
    errors = [*errors, *plan.errors]
    if errors:
        positions = {plan.written.get(c, c): i for i, c in enumerate(COLUMN_ORDER)}
        plan.errors = sort_errors(errors, lambda c: positions.get(c, len(positions)))
        plan.new, plan.changed, plan.unchanged = [], [], 0


def recheck_roster(kept: RosterPlan) -> RosterPlan:
    """A checked roster's clean rows compared again with the tree and the people as they
    are now (someone may have changed them since the preview); the workbook is not read.

    The organisations the check found stand by identity (a renamed department is still the
    one the row meant); one that has left its court's tree or closed is a problem of that
    row, as it would be in a fresh check.
    """
    plan = RosterPlan(court=kept.court, values=kept.values, index=kept.index, written=kept.written)
    trees = court_trees(kept.court)
    plan.trees = {pk: trees[pk] for pk in kept.trees if pk in trees}
    reader = _RowReader(plan, kept.index, kept.written)
    column_of: dict[str, str] = {kind: column for column, kind in PLACEMENT_COLUMNS.items()}
    rows: list[Row] = []
    errors: list[SheetError] = []
    for number, court, employee_no, fields, placements in kept.rows:
        tree = plan.trees.get(court.pk)
        if tree is None:
            message = f"{court.name}已不在{kept.court.name}之下"
            errors.append(reader.error(number, COURT_COLUMN, court.name, message))
            continue
        now: dict[str, Org | None] = {}
        for kind, org in placements.items():
            current = tree.by_id.get(org.pk) if org is not None else None
            if org is not None and (current is None or not current.is_active):
                message = f"“{org.name}”已撤销" if current else f"{court.name}已没有“{org.name}”"
                errors.append(reader.error(number, column_of[kind], org.name, message))
            now[kind] = current
        rows.append((number, tree.court, employee_no, dict(fields), now))
    _plan_changes(plan, rows, reader)
    _settle(plan, errors)
    return plan


def write_roster(kept: RosterPlan, user: Any) -> ImportResult:
    """Confirm a kept roster (the shared upload flow's writer): checked again against the
    data as it is now, then written whole, or nothing and the problems."""
    return apply_roster(recheck_roster(kept), user)


def _read_rows(table: Table, reader: _RowReader) -> tuple[list[Row], list[SheetError]]:
    """Every row cleaned into values, or the problems each row has."""
    errors: list[SheetError] = []
    rows: list[Row] = []
    first_row: dict[tuple[int, str], int] = {}
    for number, values in table:
        row_errors: list[SheetError] = []
        raw_no = reader.raw(values, "工号")
        employee_no = clean_code(raw_no)
        if not employee_no:
            row_errors.append(reader.error(number, "工号", raw_no, "工号不能为空"))
        elif len(employee_no) > 30:
            row_errors.append(reader.error(number, "工号", raw_no, "工号不能超过30个字符"))
        person_court = reader.court(number, values, row_errors)
        if employee_no and person_court is not None:
            key = (person_court.pk, employee_key(employee_no))
            if key in first_row:
                message = f"工号“{employee_no}”与第{first_row[key]}行重复"
                row_errors.append(reader.error(number, "工号", raw_no, message))
            else:
                first_row[key] = number
        fields = reader.values(number, values, row_errors)
        if "name" in fields and not fields["name"]:
            row_errors.append(reader.error(number, "姓名", None, "姓名不能为空"))
        placements: dict[str, Org | None] = {}
        if person_court is not None:
            tree = reader.plan.trees[person_court.pk]
            placements = reader.placements(number, values, tree, row_errors)
        if row_errors:
            errors.extend(row_errors)
        elif person_court is not None:
            rows.append((number, person_court, employee_no, fields, placements))
    return rows, errors


def _existing_people(court_ids: Iterable[int]) -> dict[tuple[int, str], dict[str, Any]]:
    fields = (
        "id",
        "court_id",
        "employee_no",
        *VALUE_FIELDS,
        "department_id",
        "party_org_id",
        "party_group_id",
    )
    return {
        (p["court_id"], employee_key(p["employee_no"])): p
        for p in Person.objects.filter(court_id__in=list(court_ids)).values(*fields)
    }


def _plan_changes(plan: RosterPlan, rows: list[Row], reader: _RowReader) -> None:
    """Compare each clean row with the person it names: new, changed or unchanged."""
    existing = _existing_people({court.pk for _, court, _, _, _ in rows})
    today = timezone.localdate()
    pinyin: dict[str, tuple[str, str]] = {}
    for number, court, employee_no, fields, placements in rows:
        person = existing.get((court.pk, employee_key(employee_no)))
        if person is None:
            values = dict(fields)
            if not values.get("status"):
                values["status"] = PersonStatus.SERVING
            name = values["name"]
            if name not in pinyin:
                pinyin[name] = name_keys(name)
            values["name_pinyin"], values["name_initials"] = pinyin[name]
            problem = _date_order(values)
            if problem:
                plan.errors.append(reader.error(number, problem[0], problem[1], problem[2]))
                continue
            plan.new.append(
                NewPerson(
                    number,
                    court.pk,
                    employee_no,
                    values,
                    {k: o for k, o in placements.items() if o},
                )
            )
            continue
        if "status" in fields and not fields["status"]:
            del fields["status"]  # a blank 状态 keeps what the person has
        changes = {f: v for f, v in fields.items() if not _same_text(f, person[f], v)}
        if any(f in changes for f in DATE_COLUMNS.values()):
            problem = _date_order({**person, **changes})
            if problem:
                plan.errors.append(reader.error(number, problem[0], problem[1], problem[2]))
                continue
        moves: dict[str, Org | None] = {}
        for kind, org in placements.items():
            if person[f"{PLACEMENT_FIELD[kind]}_id"] != (org.pk if org else None):
                moves[kind] = org
        if (
            PlacementKind.PARTY_ORG in moves
            and PlacementKind.PARTY_GROUP not in placements
            and person["party_group_id"] is not None
        ):
            # A new branch ends membership of the old branch's party group (as a transfer does).
            moves[PlacementKind.PARTY_GROUP] = None
        if changes and "name" in changes:
            name = changes["name"]
            if name not in pinyin:
                pinyin[name] = name_keys(name)
            changes["name_pinyin"], changes["name_initials"] = pinyin[name]
        if changes or moves:
            plan.changed.append(ChangedPerson(number, person, changes, moves))
        else:
            plan.unchanged += 1
    _load_open_placements(plan, reader, today)
    _load_org_names(plan)


def _date_order(values: dict[str, Any]) -> tuple[str, str, str] | None:
    """The rule people.actions.check_person enforces, as (column, value, message)."""
    problems = date_problems(*(values.get(f) for f in DATE_COLUMNS.values()))
    if not problems:
        return None
    name, message = problems[0]
    return COLUMN_OF[name], values[name].isoformat(), message


def _load_open_placements(plan: RosterPlan, reader: _RowReader, today: dt.date) -> None:
    moving = [c for c in plan.changed if c.moves]
    if not moving:
        return
    found: dict[tuple[int, str], list[tuple[int, dt.date | None]]] = defaultdict(list)
    for chunk in _chunks([c.before["id"] for c in moving], 500):
        for pk, person_id, kind, since in Placement.objects.filter(
            person_id__in=chunk, until__isnull=True
        ).values_list("id", "person_id", "kind", "since"):
            found[(person_id, kind)].append((pk, since))
    plan.open_placements = dict(found)
    column_of: dict[str, str] = {kind: column for column, kind in PLACEMENT_COLUMNS.items()}
    for change in moving:
        for kind in change.moves:
            for _, since in found.get((change.before["id"], kind), []):
                if since is not None and since > today:
                    column = column_of[kind]
                    plan.errors.append(
                        reader.error(
                            change.row,
                            column,
                            "",
                            f"此人当前的{PlacementKind(kind).label}自{since:%Y-%m-%d}起生效，晚于今天，请在人员页面办理调动",
                        )
                    )


def _load_org_names(plan: RosterPlan) -> None:
    """Names of organisations the audit snapshots mention, including any outside the trees."""
    names = {o.pk: o.name for tree in plan.trees.values() for o in tree.orgs}
    missing = {
        c.before[f"{f}_id"]
        for c in plan.changed
        for f in ("department", "party_org", "party_group")
        if c.before[f"{f}_id"] is not None and c.before[f"{f}_id"] not in names
    }
    if missing:
        names.update(Org.objects.filter(pk__in=missing).values_list("id", "name"))
    plan.org_names = names


# ---------------------------------------------------------------------------------------
# Writing a plan
#
# A first import writes 25,000 people, their placements and as many audit rows. The rows
# go through lib/bulk.py as values (no instances, no per-value compiling), and each audit
# row is built by audit.recording from the same values the person row holds.


def _orgs_named(plan: RosterPlan) -> dict[str, dict[Any, str]]:
    """How the audit names a person's organisations (`str(org)`), by field."""
    return {name: plan.org_names for name in ("department", "party_org", "party_group")}


@transaction.atomic
def apply_roster(plan: RosterPlan, user: Any) -> ImportResult:
    """Write a clean plan in one transaction: people, placements, and one audit row each
    (`people.import`, tied together by one batch id)."""
    if not plan.ok:
        return plan.result()
    today = timezone.localdate()
    batch = new_batch()
    names = _orgs_named(plan)
    courts = Org.objects.in_bulk(
        {n.court_id for n in plan.new} | {c.before["court_id"] for c in plan.changed}
    )
    for chunk in _chunks(plan.new):
        _create(chunk, user, batch, names, courts)
    for changed in _chunks(plan.changed):
        _update(changed, plan, user, batch, names, courts, today)
    return plan.result()


def _audit(
    user: Any,
    batch: str,
    person_id: int,
    values: dict[str, Any],
    before: dict[str, Any] | None,
    names: dict[str, dict[Any, str]],
    courts: dict[int, Org],
) -> AuditEvent:
    """The import's audit row of one person, from the values their row holds."""
    return event(
        user,
        AUDIT_ACTION,
        object_type=Person._meta.label_lower,
        object_id=str(person_id),
        object_repr=f"{values['name']}（{values['employee_no']}）",
        org=courts[values["court_id"]],
        before=snapshot_values(Person, PERSON_FIELDS, before, names) if before else None,
        after=snapshot_values(Person, PERSON_FIELDS, values, names),
        batch=batch,
    )


def _create(
    chunk: Sequence[NewPerson],
    user: Any,
    batch: str,
    names: dict[str, dict[Any, str]],
    courts: dict[int, Org],
) -> None:
    rows = []
    for new in chunk:
        row = {"court_id": new.court_id, "employee_no": new.employee_no, **new.values}
        row.update({f"{PLACEMENT_FIELD[kind]}_id": org.pk for kind, org in new.placements.items()})
        rows.append(row)
    insert_values(Person, rows)
    found = Person.objects.filter(
        court_id__in={new.court_id for new in chunk},
        employee_no__in=[new.employee_no for new in chunk],
    ).values_list("court_id", "employee_no", "id")
    ids = {(court_id, no): pk for court_id, no, pk in found}
    placed = []
    events = []
    for new, row in zip(chunk, rows, strict=True):
        pk = ids[(new.court_id, new.employee_no)]
        for kind, org in new.placements.items():
            # Where a newly listed person was before today is unknown: since stays empty.
            placed.append(
                {
                    "person_id": pk,
                    "org_id": org.pk,
                    "kind": kind,
                    "since": None,
                    "reason": IMPORT_REASON,
                }
            )
        events.append(_audit(user, batch, pk, row, None, names, courts))
    insert_values(Placement, placed)
    bulk(events)


def _update(
    chunk: Sequence[ChangedPerson],
    plan: RosterPlan,
    user: Any,
    batch: str,
    names: dict[str, dict[Any, str]],
    courts: dict[int, Org],
    today: dt.date,
) -> None:
    by_fields: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    to_close: list[int] = []
    to_delete: list[int] = []
    opened: list[dict[str, Any]] = []
    events = []
    for change in chunk:
        before = change.before
        after = {**before, **change.changes}
        for kind, org in change.moves.items():
            after[f"{PLACEMENT_FIELD[kind]}_id"] = org.pk if org else None
            for pk, since in plan.open_placements.get((before["id"], kind), []):
                # A placement opened today and changed again today was never held: it goes.
                (to_delete if since == today else to_close).append(pk)
            if org is not None:
                opened.append(
                    {
                        "person_id": before["id"],
                        "org_id": org.pk,
                        "kind": kind,
                        "since": today,
                        "reason": IMPORT_REASON,
                    }
                )
        attnames = tuple(
            sorted({*change.changes, *(f"{PLACEMENT_FIELD[k]}_id" for k in change.moves)})
        )
        by_fields[attnames].append(after)
        events.append(_audit(user, batch, before["id"], after, before, names, courts))
    for attnames, rows in by_fields.items():
        update_values(Person, attnames, rows)
    for ids in _chunks(to_close, 500):
        Placement.objects.filter(pk__in=ids).update(until=today)
    for ids in _chunks(to_delete, 500):
        Placement.objects.filter(pk__in=ids).delete()
    insert_values(Placement, opened)
    bulk(events)


def import_roster(
    source: Source,
    court: Org,
    user: Any,
    *,
    dry_run: bool = False,
    values: ValueMap | None = None,
) -> ImportResult:
    plan = parse_roster(source, court, values)
    if dry_run or not plan.ok:
        return plan.result(dry_run=dry_run)
    return apply_roster(plan, user)


# ---------------------------------------------------------------------------------------
# The template a clerk fills in

TEMPLATE_EXAMPLE = {
    "工号": "FY0001",
    "姓名": "张三",
    "性别": Gender.MALE.label,
    "出生日期": "1985-03-02",
    "民族": "汉族",
    "学历": Education.BACHELOR.label,
    "人员类别": Category.JUDGE.label,
    "职务层级": PostLevel.STAFF.label,
    "政治面貌": PoliticalStatus.MEMBER.label,
    "入党日期": "2008-07-01",
    "转正日期": "2009-07-01",
    "状态": PersonStatus.SERVING.label,
}
TEMPLATE_CHOICES: dict[str, list[str]] = {
    "性别": GENDERS.offered,
    "民族": list(ETHNIC_GROUPS),
    "学历": EDUCATIONS.offered,
    "人员类别": CATEGORIES.offered,
    "职务层级": POST_LEVELS.offered,
    "政治面貌": POLITICAL_STATUSES.offered,
    "状态": STATUSES.offered,
    "法官等级": JUDGE_GRADES.offered,
    "警衔": POLICE_RANKS.offered,
    "职级": CIVIL_RANKS.offered,
    "学位": DEGREES.offered,
}


def roster_template() -> Any:
    """An empty roster to fill in: the header, one example row, drop-downs for enumerations."""
    headers = list(ROSTER_COLUMNS)
    example = [TEMPLATE_EXAMPLE.get(h, "") for h in headers]
    return table_bytes(headers, [example], title="花名册", choices=TEMPLATE_CHOICES)
