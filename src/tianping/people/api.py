"""The roster in the JSON API: list and search, a person, create, edit, transfer, members on a date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from tianping.accounts.api import OrgRef, Paging, page, requires, scope_of
from tianping.accounts.scoping import Scope, get_scoped
from tianping.lib.inputs import Day, EmployeeNo, Id, Month, OrgCode, Search, Text
from tianping.lib.sheets import clean_code
from tianping.orgs.api import find_org
from tianping.orgs.models import COURT_KINDS, Org, OrgKind
from tianping.people import actions
from tianping.people.models import (
    Category,
    CivilRank,
    Degree,
    Education,
    Gender,
    JudgeGrade,
    Person,
    PersonStatus,
    PoliceRank,
    PoliticalStatus,
    PostLevel,
)
from tianping.people.queries import (
    PeopleFilter,
    can_see_phone,
    members_on,
    people_list,
    political_birthdays,
)

router = Router(tags=["人员"])
# Mounted under /orgs: the orgs app knows nothing of people, so this route lives here.
members_router = Router(tags=["组织"])

# Enumerations answered as the stored code with its Chinese label beside it as `<field>_name`.
CHOICE_FIELDS = ("gender", "education", "category", "post_level", "political_status", "status")
# A 干部 record's fields, answered in a person's detail.
CADRE_CHOICE_FIELDS = ("judge_grade", "police_rank", "civil_rank", "degree")
TEXT_FIELDS = ("employee_no", "name", "ethnicity", "title", "native_place", "phone")
RELATED = ("court", "department", "party_org", "party_group")
# Which kinds of organisation each placement field of a request may name.
PLACEMENT_KINDS = {
    actions.PLACEMENT_FIELD[kind]: kinds for kind, kinds in actions.PLACEMENT_ORG_KINDS.items()
}


class PersonOut(Schema):
    id: int
    employee_no: str
    name: str
    gender: str
    gender_name: str
    category: str
    category_name: str
    post_level: str
    post_level_name: str
    political_status: str
    political_status_name: str
    status: str
    status_name: str
    court: OrgRef
    department: OrgRef | None
    party_org: OrgRef | None = Field(description="所在支部（或党总支、机关党委）")
    party_group: OrgRef | None


class PlacementOut(Schema):
    kind: str
    kind_name: str
    org: OrgRef
    since: dt.date | None = Field(description="起始日期（含）；null 表示早于现有记录")
    until: dt.date | None = Field(description="截止日期（不含）；null 表示至今")
    reason: str


class PersonDetailOut(PersonOut):
    birth_date: dt.date | None
    ethnicity: str
    education: str
    education_name: str
    party_joined_on: dt.date | None
    full_member_on: dt.date | None
    is_party_member: bool
    title: str = Field(description="职务，如：副庭长")
    judge_grade: str
    judge_grade_name: str = Field(description="法官等级")
    police_rank: str
    police_rank_name: str = Field(description="警衔")
    civil_rank: str
    civil_rank_name: str = Field(description="职级")
    work_started_on: dt.date | None = Field(description="参加工作时间")
    joined_court_on: dt.date | None = Field(description="入院时间")
    native_place: str = Field(description="籍贯")
    degree: str
    degree_name: str = Field(description="学位")
    phone: str | None = Field(
        description="联系电话：仅本人及政治部、机关党委、平台管理员可见，其他人得到 null"
    )
    placements: list[PlacementOut] = Field(description="部门、党组织、党小组的隶属历史")


class PersonPage(Schema):
    count: int
    items: list[PersonOut]


class PeopleFilters(Paging):
    q: Search = Field("", description="姓名、工号、拼音首字母或全拼，如 zhq、zhanghuaqing")
    org: OrgCode | None = Field(None, description="组织代码：法院、部门或党组织，含其下级")
    department: OrgCode | None = Field(None, description="部门代码，含其下设部门")
    category: Category | None = None
    political_status: PoliticalStatus | None = None
    status: PersonStatus | None = None
    post_level: PostLevel | None = None


class MembersFilters(Paging):
    on: Day | None = Field(None, description="日期 YYYY-MM-DD，默认今天")
    subtree: bool = Field(False, description="true 时包括下级组织的人员")


class PersonFieldsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    gender: Gender | None = None
    birth_date: Day | None = None
    ethnicity: Text | None = Field(None, max_length=20)
    education: Education | None = None
    category: Category | None = None
    post_level: PostLevel | None = None
    political_status: PoliticalStatus | None = None
    party_joined_on: Day | None = None
    full_member_on: Day | None = None
    title: Text | None = Field(None, max_length=50, description="职务")
    judge_grade: JudgeGrade | None = None
    police_rank: PoliceRank | None = None
    civil_rank: CivilRank | None = None
    work_started_on: Day | None = Field(None, description="参加工作时间")
    joined_court_on: Day | None = Field(None, description="入院时间")
    native_place: Text | None = Field(None, max_length=50, description="籍贯")
    degree: Degree | None = None
    phone: Text | None = Field(None, max_length=30, description="联系电话")


class PersonCreateIn(PersonFieldsIn):
    court: OrgCode = Field(..., min_length=1, description="所在法院代码")
    employee_no: EmployeeNo = Field(..., min_length=1)
    name: Text = Field(..., min_length=1, max_length=50)
    status: PersonStatus = PersonStatus.SERVING
    department: OrgCode | None = Field(None, description="部门代码")
    party_org: OrgCode | None = Field(None, description="支部代码")
    party_group: OrgCode | None = Field(None, description="党小组代码")
    since: Day | None = Field(None, description="入职/转入日期，不清楚可省略")


class PersonUpdateIn(PersonFieldsIn):
    """Only the fields sent are changed; null clears an optional field."""

    employee_no: EmployeeNo | None = Field(None, min_length=1)
    name: Text | None = Field(None, min_length=1, max_length=50)
    status: PersonStatus | None = None


class TransferIn(Schema):
    model_config = ConfigDict(extra="forbid")

    on: Day = Field(..., description="调动生效日期")
    department: OrgCode | None = Field(
        None, description="调入部门代码（可为其他法院的部门：交流轮岗）"
    )
    party_org: OrgCode | None = Field(None, description="转入支部代码（组织关系转接）")
    party_group: OrgCode | None = Field(None, description="转入党小组代码")
    reason: Text = Field("", max_length=100)


def person_data(
    person: Person, *, detail: bool = False, scope: Scope | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": person.pk,
        "employee_no": person.employee_no,
        "name": person.name,
        **{name: getattr(person, name) for name in RELATED},
    }
    for name in CHOICE_FIELDS:
        data[name] = getattr(person, name)
        data[f"{name}_name"] = getattr(person, f"get_{name}_display")()
    if detail:
        placements = person.placements.select_related("org").order_by(
            F("since").asc(nulls_first=True), "kind", "pk"
        )
        for name in CADRE_CHOICE_FIELDS:
            data[name] = getattr(person, name)
            data[f"{name}_name"] = getattr(person, f"get_{name}_display")()
        data.update(
            birth_date=person.birth_date,
            ethnicity=person.ethnicity,
            party_joined_on=person.party_joined_on,
            full_member_on=person.full_member_on,
            is_party_member=person.is_party_member,
            title=person.title,
            work_started_on=person.work_started_on,
            joined_court_on=person.joined_court_on,
            native_place=person.native_place,
            phone=person.phone if can_see_phone(scope, person) else None,
            placements=[
                {
                    "kind": p.kind,
                    "kind_name": p.get_kind_display(),
                    "org": p.org,
                    "since": p.since,
                    "until": p.until,
                    "reason": p.reason,
                }
                for p in placements
            ],
        )
    return data


def people_page(queryset: QuerySet[Person], paging: Paging) -> dict[str, Any]:
    result = page(queryset.select_related(*RELATED), paging)
    result["items"] = [person_data(p) for p in result["items"]]
    return result


def clean_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Body values as the model stores them: blank text for null, names without spaces."""
    fields: dict[str, Any] = {}
    for name, value in data.items():
        if name in CHOICE_FIELDS or name in CADRE_CHOICE_FIELDS or name in TEXT_FIELDS:
            value = "" if value is None else str(value).strip()
        fields[name] = value
    if "name" in fields:
        fields["name"] = "".join(fields["name"].split())
    if "employee_no" in fields:
        fields["employee_no"] = fields["employee_no"].upper()
    if "status" in fields and not fields["status"]:
        raise ValidationError({"status": "状态不能为空"})
    if "phone" in fields:
        fields["phone"] = clean_code(fields["phone"])
    today = timezone.localdate()
    for name, label in (
        ("birth_date", "出生日期"),
        ("work_started_on", "参加工作时间"),
        ("joined_court_on", "入院时间"),
    ):
        day = fields.get(name)
        if day is not None and day > today:
            raise ValidationError({name: f"{label}不能晚于今天"})
    return fields


def get_person(scope: Scope, pk: int) -> Person:
    return get_scoped(scope, Person.objects.select_related(*RELATED), pk=pk)


@router.get("", response=PersonPage, summary="人员花名册")
@requires("people.view")
def list_people(request: HttpRequest, filters: Query[PeopleFilters]) -> dict[str, Any]:
    scope = scope_of(request)
    f = PeopleFilter(
        q=filters.q.strip(),
        org=find_org(scope, filters.org, "org") if filters.org else None,
        department=(
            find_org(scope, filters.department, "department", {OrgKind.DEPARTMENT})
            if filters.department
            else None
        ),
        category=filters.category or "",
        political_status=filters.political_status or "",
        status=filters.status or "",
        post_level=filters.post_level or "",
    )
    return people_page(people_list(scope, f), filters)


class BirthdayOut(Schema):
    date: dt.date
    years: int
    employee_no: str
    name: str
    joined_on: dt.date
    branch: str | None


class BirthdaysOut(Schema):
    month: str
    items: list[BirthdayOut]


class BirthdayFilters(Schema):
    month: Month = Field("", description="YYYY-MM，默认本月")


@router.get("/birthdays", response=BirthdaysOut, summary="政治生日（入党纪念日）")
@requires("people.view")
def birthdays(request: HttpRequest, filters: Query[BirthdayFilters]) -> dict[str, Any]:
    """Party anniversaries in the month, for the branch's 政治生日 activity; a member sees theirs."""
    today = timezone.localdate()
    year, month = (
        (int(x) for x in filters.month.split("-")) if filters.month else (today.year, today.month)
    )
    rows = political_birthdays(scope_of(request), year, month)
    return {
        "month": f"{year:04d}-{month:02d}",
        "items": [
            {
                "date": b.on,
                "years": b.years,
                "employee_no": b.person.employee_no,
                "name": b.person.name,
                "joined_on": b.person.party_joined_on,
                "branch": b.person.party_org.name if b.person.party_org else None,
            }
            for b in rows
        ],
    }


@router.get("/{int:person_id}", response=PersonDetailOut, summary="人员详情")
@requires("people.view")
def get_person_detail(request: HttpRequest, person_id: Id) -> dict[str, Any]:
    scope = scope_of(request)
    return person_data(get_person(scope, person_id), detail=True, scope=scope)


@router.post("", response={201: PersonDetailOut}, summary="新增人员")
@requires("people.change")
def create_person(request: HttpRequest, payload: PersonCreateIn) -> Status[dict[str, Any]]:
    scope = scope_of(request)
    data = payload.model_dump()
    court = find_org(scope, data.pop("court"), "court", COURT_KINDS)
    for field, kinds in PLACEMENT_KINDS.items():
        code = data.pop(field)
        data[field] = find_org(scope, code, field, kinds) if code else None
    since = data.pop("since")
    person = actions.do_create_person(request.user, court, since=since, **clean_fields(data))
    return Status(201, person_data(person, detail=True, scope=scope))


@router.patch("/{int:person_id}", response=PersonDetailOut, summary="修改人员信息")
@requires("people.change")
def update_person(request: HttpRequest, person_id: Id, payload: PersonUpdateIn) -> dict[str, Any]:
    scope = scope_of(request)
    person = get_person(scope, person_id)
    actions.do_update_person(
        request.user, person, **clean_fields(payload.model_dump(exclude_unset=True))
    )
    return person_data(person, detail=True, scope=scope)


@router.post(
    "/{int:person_id}/transfer", response=PersonDetailOut, summary="调动：部门、组织关系转接"
)
@requires("people.change")
def transfer_person(request: HttpRequest, person_id: Id, payload: TransferIn) -> dict[str, Any]:
    scope = scope_of(request)
    person = get_person(scope, person_id)
    if not (payload.department or payload.party_org or payload.party_group):
        raise ValidationError({"department": "请至少指定调入部门、支部或党小组之一"})
    targets = {
        field: find_org(scope, code, field, kinds) if (code := getattr(payload, field)) else None
        for field, kinds in PLACEMENT_KINDS.items()
    }
    actions.do_transfer(
        request.user, person, on=payload.on, reason=payload.reason.strip(), **targets
    )
    # The action updated the person in place; its new orgs are the ones looked up above.
    return person_data(person, detail=True, scope=scope)


@members_router.get("/{code}/members", response=PersonPage, summary="某日在该组织的人员")
@requires("people.view")
def org_members(
    request: HttpRequest, code: OrgCode, filters: Query[MembersFilters]
) -> dict[str, Any]:
    scope = scope_of(request)
    org = get_scoped(scope, Org.objects.all(), code=code)
    day = filters.on or timezone.localdate()
    members = members_on(scope, org, day, subtree=filters.subtree)
    return people_page(members.order_by("court__path", "employee_no"), filters)
