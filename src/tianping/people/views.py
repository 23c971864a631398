"""Roster pages: the list with filters and pinyin search, a person, edits, transfers, merges."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import requires
from tianping.accounts.scoping import Scope, can_change_org, get_scoped, scoped
from tianping.audit.models import AuditEvent
from tianping.lib import uploads
from tianping.lib.errors import add_errors
from tianping.orgs.models import COURT_KINDS, Org, OrgKind
from tianping.people import actions
from tianping.people.forms import (
    MergeForm,
    PeopleFilterForm,
    PersonCreateForm,
    PersonForm,
    TransferForm,
)
from tianping.people.models import Person, Placement
from tianping.people.queries import (
    SERVING_FIRST,
    PeopleFilter,
    can_see_phone,
    members_on,
    next_political_birthday,
    people_list,
    pick_people,
    political_birthdays,
)


def _filtered(request: AuthenticatedHttpRequest) -> tuple[PeopleFilterForm, PeopleFilter]:
    visible_orgs = scoped(request.scope, Org.objects.all())
    form = PeopleFilterForm(visible_orgs, request.GET or None)
    f = PeopleFilter()
    if form.is_valid():
        data = form.cleaned_data
        f = PeopleFilter(
            q=data["q"] or "",
            org=data["org"],
            department=data["department"],
            category=data["category"],
            political_status=data["political_status"],
            post_level=data["post_level"],
            status=data["status"],
        )
    return form, f


@requires("people.view")
def person_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.scope.self_only:
        return redirect("people:me")
    form, f = _filtered(request)
    page = Paginator(people_list(request.scope, f), 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "querystring_page": (params.urlencode() + "&") if params else "",
        "export_query": params.urlencode(),
        "hx_target": "#results",
        "breadcrumbs": [("人员花名册", None)],
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "people/_results.html", context)
    return render(request, "people/list.html", context)


@requires("people.export")
def export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    from tianping.people.exporting import roster_workbook

    _, f = _filtered(request)
    people = people_list(request.scope, f)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return uploads.xlsx_download(
        roster_workbook(people, phones=request.scope.can("people.contact")), f"花名册-{stamp}.xlsx"
    )


def _person_crumbs(person: Person, *extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [
        ("人员花名册", reverse("people:list")),
        (person.name, reverse("people:detail", args=[person.pk]) if extra else None),
        *extra,
    ]


@requires("people.view")
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    scope = request.scope
    person = get_scoped(
        scope,
        Person.objects.select_related("court", "department", "party_org", "party_group"),
        pk=pk,
    )
    placements = (
        Placement.objects.filter(person=person)
        .select_related("org")
        .order_by("kind", "-until", "-since")
    )
    events = scoped(
        scope, AuditEvent.objects.filter(object_type="people.person", object_id=str(person.pk))
    )[:50]
    show_phone = can_see_phone(scope, person)
    history = [(e, _shown_changes(e, show_phone)) for e in events]
    crumbs = [("我的档案", None)] if scope.self_only else _person_crumbs(person)
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "placements": placements,
            "history": history,
            "show_phone": show_phone,
            "links": _record_links(scope, person),
            "today": timezone.localdate(),
            "tab": request.GET.get("tab", "info"),
            "birthday": next_political_birthday(person, timezone.localdate()),
            "can_change": scope.can("people.change"),
            "breadcrumbs": crumbs,
        },
    )


PHONE_LABEL = str(Person._meta.get_field("phone").verbose_name)


def _shown_changes(event: AuditEvent, show_phone: bool) -> list[tuple[str, Any, Any]]:
    """An event's changes as this viewer may read them: a number they may not see is hidden."""
    changes = event.changes
    if show_phone:
        return changes
    return [
        (f, "（不显示）", "（不显示）") if f == PHONE_LABEL else (f, b, a) for f, b, a in changes
    ]


@dataclass(frozen=True)
class RecordLinks:
    """Which of a person's records, kept by other modules, this viewer may open from the page.

    The roster knows those modules only by their URL names (the template reverses them);
    each target checks scope again.
    """

    own: bool
    attendance: bool
    points: bool
    dues: bool
    recruitment: bool
    branch_code: str
    # 学时档案 (learning): every role that sees the person and training.
    training_hours: bool = False

    @property
    def any(self) -> bool:
        return (
            self.attendance or self.points or self.dues or self.recruitment or self.training_hours
        )


def _record_links(scope: Scope, person: Person) -> RecordLinks:
    own = scope.person_id is not None and scope.person_id == person.pk
    branch = person.party_org
    # Someone else's dues and recruitment are read in their branch's sheets.
    in_branch = branch is not None and scope.covers_path(branch.path)
    membership = scope.can("membership.view")
    return RecordLinks(
        own=own,
        attendance=scope.can("activities.view"),
        # 党员积分 and dues are a party member's.
        points=scope.can("points.view") and person.is_party_member,
        dues=membership and person.is_party_member and (own or in_branch),
        recruitment=membership and (own if scope.self_only else in_branch),
        branch_code=branch.code if branch is not None else "",
        training_hours=scope.can("learning.view"),
    )


@requires("people.view")
def me(request: AuthenticatedHttpRequest) -> HttpResponse:
    person_id = request.user.person_id
    if person_id is None:
        return render(request, "people/no_person.html", {"breadcrumbs": [("我的档案", None)]})
    return detail(request, person_id)


@requires("people.change")
def edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = get_scoped(request.scope, Person.objects.select_related("court"), pk=pk)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in form.Meta.fields}
        person.refresh_from_db()  # the form wrote into the instance; the action compares
        try:
            actions.do_update_person(request.user, person, **fields)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, f"已保存{person.name}的信息。")
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/form.html",
        {
            "form": form,
            "title": f"修改：{person.name}",
            "person": person,
            "breadcrumbs": _person_crumbs(person, ("修改", None)),
        },
    )


@requires("people.change")
def create(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = request.scope
    courts = scoped(scope, Org.objects.filter(kind__in=COURT_KINDS)).order_by("path")
    court_code = request.GET.get("court") or request.POST.get("court")
    court = get_scoped(scope, courts, code=court_code) if court_code else courts.first()
    if court is None:
        raise Http404
    form = PersonCreateForm(court, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            person = actions.do_create_person(request.user, court, **data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, f"已新增{person.name}（{person.employee_no}）。")
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/form.html",
        {
            "form": form,
            "title": f"新增人员：{court.name}",
            "courts": courts,
            "court": court,
            "breadcrumbs": [("人员花名册", reverse("people:list")), ("新增人员", None)],
        },
    )


@requires("people.change")
def transfer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    scope = request.scope
    person = get_scoped(
        scope,
        Person.objects.select_related("court", "department", "party_org", "party_group"),
        pk=pk,
    )
    form = TransferForm(scoped(scope, Org.objects.all()), request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_transfer(
                request.user,
                person,
                on=data["on"],
                department=data["department"],
                party_org=data["party_org"],
                party_group=data["party_group"],
                reason=data["reason"],
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, f"{person.name}的调动已于{data['on']:%Y-%m-%d}生效。")
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/transfer.html",
        {"form": form, "person": person, "breadcrumbs": _person_crumbs(person, ("调动", None))},
    )


@requires("people.view")
def org_members(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The people of an organisation now, or on a past date (from placement history)."""
    scope = request.scope
    org = get_scoped(scope, Org.objects.all(), code=code)
    on_text = request.GET.get("on", "")
    on: dt.date | None = None
    if on_text:
        try:
            on = dt.date.fromisoformat(on_text)
        except ValueError:
            on = None
    if on is not None:
        people = members_on(scope, org, on, subtree=True)
    else:
        people = (
            people_list(scope, PeopleFilter(org=org))
            if org.kind != OrgKind.GROUP
            else scoped(scope, Person.objects.filter(party_group=org))
        )
    people = people.select_related("department", "party_org").order_by(
        *SERVING_FIRST, "employee_no"
    )
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    query = urlencode({"on": on_text}) + "&" if on_text else ""
    return render(
        request,
        "people/_org_members.html",
        {"org": org, "page": page, "on": on, "querystring_page": query, "hx_target": "#members"},
    )


@requires("orgs.change")
def merge_branch(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    scope = request.scope
    org = get_scoped(scope, Org.objects.all(), code=code)
    if not can_change_org(scope, org.kind) or org.kind != OrgKind.BRANCH or not org.is_active:
        raise PermissionDenied("only an active branch can be merged")
    court = org.court()
    candidates = (
        scoped(
            scope,
            Org.objects.filter(kind=OrgKind.BRANCH, is_active=True, path__startswith=court.path),
        )
        .exclude(pk=org.pk)
        .order_by("path")
    )
    form = MergeForm(candidates, request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["target"]
        try:
            moved = actions.do_merge_branches(request.user, org, target, form.cleaned_data["on"])
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request, f"“{org.name}”已并入“{target.name}”，{moved}人的组织关系随之转入。"
            )
            return redirect("orgs:detail", code=target.code)
    return render(
        request,
        "people/merge.html",
        {
            "form": form,
            "org": org,
            "breadcrumbs": [
                ("组织机构", reverse("orgs:tree")),
                (org.name, reverse("orgs:detail", args=[org.code])),
                ("合并支部", None),
            ],
        },
    )


@requires("people.view")
def birthdays(request: AuthenticatedHttpRequest) -> HttpResponse:
    """政治生日: members whose party anniversary falls in the month, for the branch's activity."""
    if request.scope.self_only:
        return redirect("people:me")
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-"))
        dt.date(year, month, 1)
    except ValueError:
        year, month = today.year, today.month
    first = dt.date(year, month, 1)
    prev = (first - dt.timedelta(days=1)).replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "people/birthdays.html",
        {
            "rows": political_birthdays(request.scope, year, month),
            "month": first,
            "prev": prev,
            "next": nxt,
            "breadcrumbs": [("人员花名册", reverse("people:list")), ("政治生日", None)],
        },
    )


@requires("people.view")
def pick(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A picker's matches: people in scope by name, 工号 or pinyin, as list items (HTMX)."""
    field = request.GET.get("field", "q")
    text = request.GET.get(field, "")
    matches, more = pick_people(
        request.scope,
        text,
        court=request.GET.get("court", ""),
        party=request.GET.get("party") == "1",
    )
    return render(
        request,
        "pickers/options.html",
        {"options": matches, "more": more, "text": text.strip(), "field": field},
    )
