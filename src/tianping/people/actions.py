"""Writes to the roster: people, their placements, transfers and branch merges, all audited."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from tianping.audit.recording import record, snapshot
from tianping.lib.sheets import clean_text, match_key
from tianping.orgs.models import COURT_KINDS, CourtTerm, Org, OrgKind
from tianping.people.models import Person, Placement, PlacementKind
from tianping.people.pinyin import name_keys
from tianping.people.terms import TERM_MAX, closed_because

PERSON_FIELDS = (
    "employee_no",
    "name",
    "gender",
    "birth_date",
    "ethnicity",
    "education",
    "category",
    "post_level",
    "political_status",
    "party_joined_on",
    "full_member_on",
    "title",
    "judge_grade",
    "police_rank",
    "civil_rank",
    "work_started_on",
    "joined_court_on",
    "native_place",
    "degree",
    "phone",
    "department",
    "party_org",
    "party_group",
    "status",
)
EDITABLE_FIELDS = tuple(
    f for f in PERSON_FIELDS if f not in ("department", "party_org", "party_group")
)
PLACEMENT_FIELD: dict[str, str] = {
    PlacementKind.DEPARTMENT: "department",
    PlacementKind.PARTY_ORG: "party_org",
    PlacementKind.PARTY_GROUP: "party_group",
}
PLACEMENT_ORG_KINDS = {
    PlacementKind.DEPARTMENT: {OrgKind.DEPARTMENT},
    PlacementKind.PARTY_ORG: {OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.PARTY_COMMITTEE},
    PlacementKind.PARTY_GROUP: {OrgKind.GROUP},
}


PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{4,28}(转[0-9]{1,6})?$")


def phone_problem(phone: str) -> str:
    """Why a telephone number cannot be right, or "" (digits, spaces, hyphens, an extension)."""
    if phone and not PHONE.match(phone):
        return "联系电话只能包含数字、空格、括号和连字符，如 0472-1234567 或 13812345678"
    return ""


def date_problems(
    birth: dt.date | None,
    joined: dt.date | None,
    full: dt.date | None,
    work: dt.date | None = None,
    court: dt.date | None = None,
) -> list[tuple[str, str]]:
    """(field, message) for each date out of order; the import reports them by column."""
    problems = []
    if joined and birth and joined <= birth:
        problems.append(("party_joined_on", "入党日期不能早于出生日期"))
    if full and joined and full < joined:
        problems.append(("full_member_on", "转正日期不能早于入党日期"))
    if work and birth and work <= birth:
        problems.append(("work_started_on", "参加工作时间不能早于出生日期"))
    if court and work and court < work:
        problems.append(("joined_court_on", "入院时间不能早于参加工作时间"))
    return problems


def check_person(person: Person) -> None:
    """Rules a person record obeys whichever way it is written."""
    errors: dict[str, str] = {}
    if not person.employee_no:
        errors["employee_no"] = "工号不能为空"
    if not person.name:
        errors["name"] = "姓名不能为空"
    for name, message in date_problems(
        person.birth_date,
        person.party_joined_on,
        person.full_member_on,
        person.work_started_on,
        person.joined_court_on,
    ):
        errors[name] = message
    if message := phone_problem(person.phone):
        errors["phone"] = message
    if (
        person.employee_no
        and Person.objects.filter(court_id=person.court_id, employee_no=person.employee_no)
        .exclude(pk=person.pk)
        .exists()
    ):
        errors["employee_no"] = f"工号“{person.employee_no}”在本院已存在"
    if errors:
        raise ValidationError(errors)


def fill_name_keys(person: Person) -> None:
    person.name_pinyin, person.name_initials = name_keys(person.name)


def check_placements_in_court(court: Org, placements: dict[str, Org | None]) -> None:
    """A person's department, branch and group lie in their court, the group in the branch."""
    errors: dict[str, str] = {}
    for kind, org in placements.items():
        if org is not None and org.court().pk != court.pk:
            errors[PLACEMENT_FIELD[kind]] = f"“{org.name}”不属于{court.name}"
    group = placements.get(PlacementKind.PARTY_GROUP)
    branch = placements.get(PlacementKind.PARTY_ORG)
    if group is not None and (branch is None or not group.path.startswith(branch.path)):
        errors.setdefault("party_group", "党小组必须属于所在支部")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_create_person(
    user: Any, court: Org, *, since: dt.date | None = None, **fields: Any
) -> Person:
    placements: dict[str, Org | None] = {
        k: fields.pop(PLACEMENT_FIELD[k], None) for k in PlacementKind
    }
    check_placements_in_court(court, placements)
    person = Person(court=court, **fields)
    fill_name_keys(person)
    check_person(person)
    person.save()
    for kind, org in placements.items():
        if org is not None:
            _open_placement(person, kind, org, since, reason="新增人员")
    person.save()
    record(user, "people.create", person, after=snapshot(person, PERSON_FIELDS), org=court)
    return person


@transaction.atomic
def do_update_person(user: Any, person: Person, **fields: Any) -> Person:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    before = snapshot(person, PERSON_FIELDS)
    for name, value in fields.items():
        setattr(person, name, value)
    fill_name_keys(person)
    check_person(person)
    person.save()
    after = snapshot(person, PERSON_FIELDS)
    if after != before:
        record(user, "people.update", person, before=before, after=after, org=person.court)
    return person


def _check_placement_org(person: Person, kind: str, org: Org) -> None:
    if org.kind not in PLACEMENT_ORG_KINDS[PlacementKind(kind)]:
        raise ValidationError(
            {PLACEMENT_FIELD[kind]: f"“{org.name}”不是{PlacementKind(kind).label}"}
        )
    if not org.is_active:
        raise ValidationError({PLACEMENT_FIELD[kind]: f"“{org.name}”已撤销"})


def _open_placement(
    person: Person, kind: str, org: Org, since: dt.date | None, reason: str
) -> None:
    _check_placement_org(person, kind, org)
    Placement.objects.create(person=person, org=org, kind=kind, since=since, reason=reason)
    setattr(person, PLACEMENT_FIELD[kind], org)


def _close_placement(person: Person, kind: str, on: dt.date) -> None:
    for placement in Placement.objects.filter(person=person, kind=kind, until__isnull=True):
        if placement.since is not None and placement.since >= on:
            raise ValidationError(
                {
                    "on": f"调动日期{on:%Y-%m-%d}不能早于或等于当前{PlacementKind(kind).label}的起始日期{placement.since:%Y-%m-%d}"
                }
            )
        placement.until = on
        placement.save(update_fields=["until"])
    setattr(person, PLACEMENT_FIELD[kind], None)


@transaction.atomic
def do_transfer(
    user: Any,
    person: Person,
    *,
    on: dt.date,
    department: Org | None = None,
    party_org: Org | None = None,
    party_group: Org | None = None,
    reason: str = "",
) -> Person:
    """组织关系转接 / 交流轮岗: close the current placements and open new ones from `on`."""
    before = snapshot(person, PERSON_FIELDS)
    wanted = {
        PlacementKind.DEPARTMENT: department,
        PlacementKind.PARTY_ORG: party_org,
        PlacementKind.PARTY_GROUP: party_group,
    }
    if party_org is not None and party_org != person.party_org and party_group is None:
        # A new branch ends membership of the old branch's party group.
        wanted[PlacementKind.PARTY_GROUP] = None
        if person.party_group_id is not None:
            _close_placement(person, PlacementKind.PARTY_GROUP, on)
    if party_group is not None:
        branch = party_org or person.party_org
        if branch is None or not party_group.path.startswith(branch.path):
            raise ValidationError({"party_group": "党小组必须属于所在支部"})
    changed = False
    for kind, org in wanted.items():
        if org is None or getattr(person, f"{PLACEMENT_FIELD[kind]}_id") == org.pk:
            continue
        _check_placement_org(person, kind, org)
        if getattr(person, f"{PLACEMENT_FIELD[kind]}_id") is not None:
            _close_placement(person, kind, on)
        _open_placement(person, kind, org, on, reason=reason or "调动")
        changed = True
    if not changed:
        raise ValidationError({"department": "请选择与当前不同的部门、支部或党小组"})
    if department is not None:
        # 交流轮岗 to another court moves the person's employer with them.
        new_court = department.court()
        if new_court.pk != person.court_id:
            person.court = new_court
            check_person(person)
    person.save()
    record(
        user,
        "people.transfer",
        person,
        before=before,
        after={**snapshot(person, PERSON_FIELDS), "on": on.isoformat(), "reason": reason},
        org=person.court,
    )
    return person


def move_placements(user: Any, source: Org, target: Org, on: dt.date, reason: str) -> int:
    """Close every open placement in `source` on `on` and open one in `target`."""
    moved = 0
    open_here = Placement.objects.filter(org=source, until__isnull=True).select_related("person")
    for placement in open_here:
        person = placement.person
        if placement.since is not None and placement.since >= on:
            raise ValidationError({"on": f"{person.name}在{source.name}的起始日期晚于合并日期"})
        placement.until = on
        placement.save(update_fields=["until"])
        Placement.objects.create(
            person=person, org=target, kind=placement.kind, since=on, reason=reason
        )
        setattr(person, PLACEMENT_FIELD[placement.kind], target)
        person.save(update_fields=[PLACEMENT_FIELD[placement.kind], "updated_at"])
        moved += 1
    return moved


@transaction.atomic
def do_merge_branches(user: Any, source: Org, target: Org, on: dt.date) -> int:
    """Merge branch `source` into `target` on a date; members move and history is kept.

    The source stays in the tree, inactive and pointing at its successor, so figures for
    dates before the merge still find it. Returns how many people moved.
    """
    if source.pk == target.pk:
        raise ValidationError({"target": "不能与自身合并"})
    if source.kind != OrgKind.BRANCH or target.kind != OrgKind.BRANCH:
        raise ValidationError({"target": "只能合并两个党支部"})
    if not source.is_active or not target.is_active:
        raise ValidationError({"target": "已撤销的支部不能合并"})
    if source.court().pk != target.court().pk:
        raise ValidationError({"target": "只能合并同一法院的党支部"})
    before = snapshot(source, ("name", "is_active", "merged_into", "dissolved_on"))
    moved = move_placements(
        user, source, target, on, reason=f"支部合并：{source.name}并入{target.name}"
    )
    # The merged branch's party groups carry on under the target.
    for group in list(Org.objects.get_children(source).filter(kind=OrgKind.GROUP)):
        Org.objects.move(group, target, "last-child")
    source.refresh_from_db()
    source.is_active = False
    source.merged_into = target
    source.dissolved_on = on
    source.save(update_fields=["is_active", "merged_into", "dissolved_on"])
    record(
        user,
        "orgs.merge",
        source,
        before=before,
        after={
            **snapshot(source, ("name", "is_active", "merged_into", "dissolved_on")),
            "moved_people": moved,
        },
        org=target,
    )
    return moved


@transaction.atomic
def do_declare_terms(user: Any, court: Org, entries: list[tuple[str, str]]) -> list[CourtTerm]:
    """Keep a court's own terms of open roster columns (column, term): its imports then
    take the term as it is, and its person form offers it. Each new term is one audit row;
    a closed column is refused with the reason (people.terms)."""
    if court.kind not in COURT_KINDS:
        raise ValidationError({"court": "本院取值按法院保存"})
    kept = []
    for column, written in entries:
        column, term = column.strip(), clean_text(written)
        if why := closed_because(column):
            raise ValidationError(f"{column}不能新增取值：{why}")
        if not term:
            raise ValidationError("取值不能为空")
        if len(term) > TERM_MAX:
            raise ValidationError(f"{column}的取值不能超过{TERM_MAX}个字符")
        key = match_key(term)
        found = CourtTerm.objects.filter(court=court, column=column, value=key).first()
        if found is not None:
            kept.append(found)
            continue
        declared = CourtTerm.objects.create(court=court, column=column, value=key, term=term)
        record(
            user,
            "people.declare_term",
            declared,
            after=snapshot(declared, ("column", "term")),
            org=court,
        )
        kept.append(declared)
    return kept
