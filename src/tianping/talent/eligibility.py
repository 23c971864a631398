"""Talent-pool eligibility: the criterion registry and the one run every page, API and bench read.

A pool's rules are criteria from `REGISTRY`, each with its value; a person is eligible when
every rule holds at the reference date. Each criterion answers, for each person, what the
records say (the value), whether the rule holds, and the record it read (the source): the
evidence trail of a candidate. Apps above talent in the layering (appraisal) add criteria
with `register` without talent importing them.

Ages and years count whole years with `lib.dates` (D1): one turns N on the anniversary of
the birth date (29 February → 28 February in a common year). "不超过N周岁" holds up to the day
before the (N+1)th birthday: on the day a candidate turns N they are N and still eligible;
on the day they turn N+1 they are not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from tianping.lib.dates import add_years, age_on
from tianping.people.models import (
    PARTY_STATUSES,
    Category,
    Education,
    Person,
    PersonStatus,
    PoliticalStatus,
    PostLevel,
)
from tianping.talent.models import LEVEL_RANK, Honour, HonourKind, HonourLevel, TalentPool

# The person fields the criteria read: one row per person, never a model instance.
PERSON_FIELDS = (
    "id",
    "court_id",
    "court__name",
    "employee_no",
    "name",
    "gender",
    "birth_date",
    "category",
    "post_level",
    "work_started_on",
    "joined_court_on",
    "political_status",
    "education",
)
EDUCATION_RANK = {e: i for i, e in enumerate(Education.values)}  # doctorate first
SLACK = dt.timedelta(days=2)  # the database narrows loosely; the rule decides exactly


@dataclass(frozen=True)
class Finding:
    value: str
    met: bool
    source: str = ""


@dataclass(frozen=True)
class Evidence:
    """One rule checked for one person: what it asks, what the records say, met or not."""

    code: str
    label: str
    requirement: str
    value: str
    met: bool
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "requirement": self.requirement,
            "value": self.value,
            "met": self.met,
            "source": self.source,
        }


Row = dict[str, Any]
Evaluate = Callable[[Any, dt.date, list[Row]], dict[int, Finding]]


@dataclass(frozen=True)
class Criterion:
    """A kind of rule: its code, its name, how its value is checked and said, and how it
    reads the records for many people at once (`evaluate`), with an optional loose
    database condition on Person (`narrow`) that keeps at least everyone it would pass."""

    code: str
    label: str
    clean: Callable[[Any], Any]
    requirement: Callable[[Any], str]
    evaluate: Evaluate
    field: Callable[[], forms.Field]
    narrow: Callable[[Any, dt.date], Q] | None = None


REGISTRY: dict[str, Criterion] = {}


def register(criterion: Criterion) -> Criterion:
    REGISTRY[criterion.code] = criterion
    return criterion


class RuleError(ValueError):
    pass


# ---------------------------------------------------------------------------------------
# Value checks


def _int_in(low: int, high: int, what: str) -> Callable[[Any], int]:
    def clean(value: Any) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise RuleError(f"{what}应为整数") from None
        if isinstance(value, bool) or not low <= number <= high:
            raise RuleError(f"{what}应在{low}至{high}之间")
        return number

    return clean


def _choices_in(choices: type[Any], what: str) -> Callable[[Any], list[str]]:
    def clean(value: Any) -> list[str]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            raise RuleError(f"请选择{what}")
        found = [v for v in value if v in choices.values]
        if len(found) != len(value):
            raise RuleError(f"{what}无效")
        return list(dict.fromkeys(found))

    return clean


def _choice_in(choices: type[Any], what: str) -> Callable[[Any], str]:
    def clean(value: Any) -> str:
        if value not in choices.values:
            raise RuleError(f"{what}无效")
        return str(value)

    return clean


def _true(value: Any) -> bool:
    if value is not True:
        raise RuleError("该条件只能为“是”")
    return True


def _hours(value: Any) -> str:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise RuleError("学时应为数字") from None
    if not number.is_finite() or not 0 < number <= 1000:
        raise RuleError("学时应在0至1000之间")
    return str(number.quantize(Decimal("0.1")))


def _labels(choices: type[Any], values: Iterable[str]) -> str:
    table = dict(choices.choices)
    return "、".join(table.get(v, v) for v in values)


def _day(d: dt.date | None) -> str:
    return f"{d:%Y-%m-%d}" if d else ""


# ---------------------------------------------------------------------------------------
# The built-in criteria


def _age(value: int, on: dt.date, rows: list[Row]) -> dict[int, Finding]:
    out = {}
    for r in rows:
        birth = r["birth_date"]
        if birth is None:
            out[r["id"]] = Finding("出生日期未登记", False, "花名册")
            continue
        age = age_on(birth, on)
        out[r["id"]] = Finding(f"{age}周岁", age <= value, f"花名册：出生日期{_day(birth)}")
    return out


def _years_since(field: str, what: str) -> Evaluate:
    def evaluate(value: int, on: dt.date, rows: list[Row]) -> dict[int, Finding]:
        out = {}
        for r in rows:
            start = r[field]
            if start is None:
                out[r["id"]] = Finding(f"{what}未登记", False, "花名册")
                continue
            years = age_on(start, on) if start <= on else 0
            out[r["id"]] = Finding(f"{years}年", years >= value, f"花名册：{what}{_day(start)}")
        return out

    return evaluate


def _years_narrow(field: str) -> Callable[[int, dt.date], Q]:
    def narrow(value: int, on: dt.date) -> Q:
        return Q(**{f"{field}__lte": add_years(on, -value) + SLACK})

    return narrow


def _in_set(field: str, choices: type[Any], what: str) -> Evaluate:
    def evaluate(value: list[str], on: dt.date, rows: list[Row]) -> dict[int, Finding]:
        table = dict(choices.choices)
        return {
            r["id"]: Finding(
                table.get(r[field], r[field]) or f"{what}未登记", r[field] in value, "花名册"
            )
            for r in rows
        }

    return evaluate


def _party(value: bool, on: dt.date, rows: list[Row]) -> dict[int, Finding]:
    table = dict(PoliticalStatus.choices)
    return {
        r["id"]: Finding(
            table.get(r["political_status"], "未登记"),
            r["political_status"] in PARTY_STATUSES,
            "花名册：政治面貌",
        )
        for r in rows
    }


def _education(value: str, on: dt.date, rows: list[Row]) -> dict[int, Finding]:
    table = dict(Education.choices)
    bar = EDUCATION_RANK[value]
    return {
        r["id"]: Finding(
            table.get(r["education"], "学历未登记"),
            r["education"] in EDUCATION_RANK and EDUCATION_RANK[r["education"]] <= bar,
            "花名册：学历",
        )
        for r in rows
    }


def _honours(rows: list[Row], on: dt.date, condition: Q) -> dict[int, list[Row]]:
    """Each person's honours in force at `on` (awarded by then, not withdrawn by then)."""
    ids = [r["id"] for r in rows]
    found: dict[int, list[Row]] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        for h in (
            Honour.objects.filter(condition, person_id__in=chunk, awarded_on__lte=on)
            .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))
            .values("id", "person_id", "title", "level", "kind", "awarded_on", "document_no")
            .order_by("awarded_on", "id")
        ):
            found.setdefault(h["person_id"], []).append(dict(h))
    return found


def _honour_source(h: Row) -> str:
    no = f"（{h['document_no']}）" if h["document_no"] else ""
    return f"荣誉#{h['id']}：{_day(h['awarded_on'])}{h['title']}{no}"


def _honour_level(value: str, on: dt.date, rows: list[Row]) -> dict[int, Finding]:
    levels = [lv for lv in HonourLevel.values if LEVEL_RANK[lv] <= LEVEL_RANK[value]]
    found = _honours(rows, on, Q(level__in=levels))
    out = {}
    for r in rows:
        held = found.get(r["id"], [])
        if not held:
            out[r["id"]] = Finding("无", False, "荣誉表彰台账")
            continue
        best = min(held, key=lambda h: (LEVEL_RANK[h["level"]], -h["awarded_on"].toordinal()))
        out[r["id"]] = Finding(
            f"{HonourLevel(best['level']).label}“{best['title']}”等{len(held)}项",
            True,
            _honour_source(best),
        )
    return out


def _honour_kinds(value: list[str], on: dt.date, rows: list[Row]) -> dict[int, Finding]:
    found = _honours(rows, on, Q(kind__in=value))
    out = {}
    for r in rows:
        held = found.get(r["id"], [])
        if not held:
            out[r["id"]] = Finding("无", False, "荣誉表彰台账")
            continue
        last = held[-1]
        out[r["id"]] = Finding(
            f"{HonourKind(last['kind']).label}“{last['title']}”等{len(held)}项",
            True,
            _honour_source(last),
        )
    return out


def _training(value: str, on: dt.date, rows: list[Row]) -> dict[int, Finding]:
    """Credited hours (learning/hours.py, R7.2) in the last whole year before `on`."""
    from tianping.learning.hours import hours_by

    year = on.year - 1
    need = Decimal(value)
    credited: dict[object, Any] = {}
    ids = [r["id"] for r in rows]
    for start in range(0, len(ids), 5000):
        credited.update(hours_by("person_id", year, ids[start : start + 5000]))
    out = {}
    for r in rows:
        hours = credited.get(r["id"])
        total = hours.total if hours is not None else Decimal("0")
        out[r["id"]] = Finding(f"{total}学时", total >= need, f"{year}年度学时档案")
    return out


def _multi(choices: type[Any], label: str) -> Callable[[], forms.Field]:
    return lambda: forms.MultipleChoiceField(
        label=label,
        choices=choices.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


register(
    Criterion(
        code="age_max",
        label="年龄",
        clean=_int_in(18, 70, "年龄上限"),
        requirement=lambda v: f"不超过{v}周岁",
        evaluate=_age,
        field=lambda: forms.IntegerField(
            label="年龄不超过（周岁）", min_value=18, max_value=70, required=False
        ),
        # age ≤ N ⟺ the (N+1)th birthday is after `on`: born after about on − (N+1) years.
        narrow=lambda v, on: Q(birth_date__gt=add_years(on, -(v + 1)) - SLACK),
    )
)
register(
    Criterion(
        code="service_years_min",
        label="工作年限",
        clean=_int_in(0, 50, "工作年限"),
        requirement=lambda v: f"参加工作满{v}年",
        evaluate=_years_since("work_started_on", "参加工作时间"),
        field=lambda: forms.IntegerField(
            label="参加工作满（年）", min_value=0, max_value=50, required=False
        ),
        narrow=_years_narrow("work_started_on"),
    )
)
register(
    Criterion(
        code="court_years_min",
        label="入院年限",
        clean=_int_in(0, 50, "入院年限"),
        requirement=lambda v: f"在法院工作满{v}年",
        evaluate=_years_since("joined_court_on", "入院时间"),
        field=lambda: forms.IntegerField(
            label="在法院工作满（年）", min_value=0, max_value=50, required=False
        ),
        narrow=_years_narrow("joined_court_on"),
    )
)
register(
    Criterion(
        code="categories",
        label="人员类别",
        clean=_choices_in(Category, "人员类别"),
        requirement=lambda v: _labels(Category, v),
        evaluate=_in_set("category", Category, "人员类别"),
        field=_multi(Category, "人员类别"),
        narrow=lambda v, on: Q(category__in=v),
    )
)
register(
    Criterion(
        code="post_levels",
        label="职务层级",
        clean=_choices_in(PostLevel, "职务层级"),
        requirement=lambda v: _labels(PostLevel, v),
        evaluate=_in_set("post_level", PostLevel, "职务层级"),
        field=_multi(PostLevel, "职务层级"),
        narrow=lambda v, on: Q(post_level__in=v),
    )
)
register(
    Criterion(
        code="party_member",
        label="政治面貌",
        clean=_true,
        requirement=lambda v: "中共党员（含预备党员）",
        evaluate=_party,
        field=lambda: forms.BooleanField(label="须为中共党员", required=False),
        narrow=lambda v, on: Q(political_status__in=PARTY_STATUSES),
    )
)
register(
    Criterion(
        code="education_min",
        label="学历",
        clean=_choice_in(Education, "学历"),
        requirement=lambda v: f"{Education(v).label}及以上",
        evaluate=_education,
        field=lambda: forms.ChoiceField(
            label="学历不低于", choices=[("", "（不限）"), *Education.choices], required=False
        ),
        narrow=lambda v, on: Q(
            education__in=[e for e, rank in EDUCATION_RANK.items() if rank <= EDUCATION_RANK[v]]
        ),
    )
)
register(
    Criterion(
        code="honour_level",
        label="荣誉级别",
        clean=_choice_in(HonourLevel, "荣誉级别"),
        requirement=lambda v: f"获{HonourLevel(v).label}以上荣誉",
        evaluate=_honour_level,
        field=lambda: forms.ChoiceField(
            label="获得荣誉不低于", choices=[("", "（不限）"), *HonourLevel.choices], required=False
        ),
    )
)
register(
    Criterion(
        code="honour_kinds",
        label="荣誉类别",
        clean=_choices_in(HonourKind, "荣誉类别"),
        requirement=lambda v: "获" + _labels(HonourKind, v) + "之一",
        evaluate=_honour_kinds,
        field=_multi(HonourKind, "获得下列荣誉之一"),
    )
)
register(
    Criterion(
        code="training_hours_min",
        label="培训学时",
        clean=_hours,
        requirement=lambda v: f"上一年度学时不少于{v}",
        evaluate=_training,
        field=lambda: forms.DecimalField(
            label="上一年度学时不少于",
            min_value=Decimal("0.1"),
            max_value=1000,
            decimal_places=1,
            required=False,
        ),
    )
)


# ---------------------------------------------------------------------------------------
# Rules and runs


def clean_rules(rules: Any) -> list[dict[str, Any]]:
    """A pool's rules checked: known criteria, each once, with a valid value."""
    if not isinstance(rules, list):
        raise RuleError("入库条件应为列表")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for rule in rules:
        if not isinstance(rule, dict) or set(rule) != {"criterion", "value"}:
            raise RuleError("每项条件应为 {criterion, value}")
        criterion = REGISTRY.get(rule["criterion"])
        if criterion is None:
            raise RuleError(f"未知的条件“{rule['criterion']}”")
        if criterion.code in seen:
            raise RuleError(f"条件“{criterion.label}”重复")
        seen.add(criterion.code)
        out.append({"criterion": criterion.code, "value": criterion.clean(rule["value"])})
    return out


def describe(rules: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """Each rule as (name, requirement) in words; a rule whose criterion is gone is said so."""
    out = []
    for rule in rules:
        criterion = REGISTRY.get(rule["criterion"])
        if criterion is None:
            out.append((rule["criterion"], "（该条件已不可用）"))
        else:
            out.append((criterion.label, criterion.requirement(rule["value"])))
    return out


@dataclass
class Candidate:
    person: Row
    evidence: list[Evidence]

    @property
    def eligible(self) -> bool:
        return all(e.met for e in self.evidence)

    @property
    def failed(self) -> list[Evidence]:
        return [e for e in self.evidence if not e.met]


def check_rows(rules: Sequence[dict[str, Any]], on: dt.date, rows: list[Row]) -> list[Candidate]:
    """Every rule for every row: the evidence trail of each person."""
    # Each rule's words once, not once per person: a province has tens of thousands.
    findings: list[tuple[str, str, str, dict[int, Finding]]] = []
    for rule in rules:
        criterion = REGISTRY.get(rule["criterion"])
        if criterion is None:
            code = str(rule["criterion"])
            findings.append((code, code, "（不可用）", {}))
            continue
        found = criterion.evaluate(rule["value"], on, rows)
        findings.append(
            (criterion.code, criterion.label, criterion.requirement(rule["value"]), found)
        )
    missing = Finding("", False)
    return [
        Candidate(
            r,
            [
                Evidence(code, label, requirement, f.value, f.met, f.source)
                for code, label, requirement, found in findings
                for f in (found.get(r["id"], missing),)
            ],
        )
        for r in rows
    ]


def people_rows(people: QuerySet[Person]) -> list[Row]:
    return list(people.values(*PERSON_FIELDS).order_by("court__path", "employee_no"))


def candidates_of(pool: TalentPool) -> QuerySet[Person]:
    """Who a pool draws from: the serving people of its court and the courts under it."""
    return Person.objects.filter(
        court__path__startswith=pool.court.path, status=PersonStatus.SERVING
    )


def eligibility_run(
    pool: TalentPool, on: dt.date, people: QuerySet[Person] | None = None
) -> list[Candidate]:
    """The people of the pool's courts who meet every rule at `on`, each with their evidence.

    The database narrows by the rules that say how (loosely, around dates); each rule then
    decides exactly in Python, so the birthday edge is the rule's, not the query's.
    """
    people = candidates_of(pool) if people is None else people
    criteria = []
    for rule in pool.rules:
        criterion = REGISTRY.get(rule["criterion"])
        if criterion is None:
            return []  # a rule nobody can check passes nobody
        if criterion.narrow is not None:
            people = people.filter(criterion.narrow(rule["value"], on))
        criteria.append((criterion, rule["value"]))
    rows = people_rows(people)
    # Rule by rule, each over those the rules before it kept: only the eligible are
    # asked for their honours or hours, and only they get an evidence trail.
    findings: list[tuple[Criterion, str, dict[int, Finding]]] = []
    for criterion, value in criteria:
        found = criterion.evaluate(value, on, rows)
        rows = [r for r in rows if found[r["id"]].met]
        findings.append((criterion, criterion.requirement(value), found))
    return [
        Candidate(
            r,
            [
                Evidence(c.code, c.label, said, f[r["id"]].value, True, f[r["id"]].source)
                for c, said, f in findings
            ],
        )
        for r in rows
    ]


def check_people(pool: TalentPool, on: dt.date, person_ids: Iterable[int]) -> dict[int, Candidate]:
    """The evidence of named people (a pool's members), met or not, by person id."""
    ids = list(person_ids)
    rows: list[Row] = []
    for start in range(0, len(ids), 5000):
        rows += people_rows(Person.objects.filter(pk__in=ids[start : start + 5000]))
    return {c.person["id"]: c for c in check_rows(pool.rules, on, rows)}
