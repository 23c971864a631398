"""发展党员 pages: the pipeline board, a file with its timeline, recording steps, court settings."""

from __future__ import annotations

import datetime as dt
import mimetypes
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import requires
from tianping.accounts.scoping import get_scoped, scoped
from tianping.activities.models import Activity, ActivityStatus
from tianping.lib.errors import add_errors, error_text
from tianping.lib.pickers import picked_key
from tianping.orgs.models import COURT_KINDS, Org, OrgKind
from tianping.people.models import PARTY_STATUSES, Person
from tianping.recruitment import actions, queries, rules
from tianping.recruitment.forms import CalendarDayForm, OpenFileForm, SettingForm, StepForm
from tianping.recruitment.models import (
    OPEN_STAGES,
    CalendarDay,
    Recruit,
    Step,
    StepKind,
    StepRole,
)

INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"})


def _crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    if not extra:
        return [("发展党员", None)]
    return [("发展党员", reverse("recruitment:board")), *extra]


def _file_crumbs(
    request: AuthenticatedHttpRequest, recruit: Recruit, *extra: tuple[str, str | None]
) -> list[tuple[str, str | None]]:
    url = reverse("recruitment:detail", args=[recruit.pk]) if extra else None
    if request.scope.self_only:
        return [("我的入党档案", url), *extra]
    return _crumbs((recruit.person.name, url), *extra)


def _get_file(request: AuthenticatedHttpRequest, pk: int) -> Recruit:
    return get_scoped(
        request.scope,
        Recruit.objects.select_related("person", "person__court", "branch"),
        pk=pk,
    )


def _read_upload(form: forms.Form) -> dict[str, Any]:
    upload = form.cleaned_data.get("evidence")
    if not upload:
        return {}
    return {
        "file_name": upload.name,
        "content": upload.read(),
        "content_type": mimetypes.guess_type(upload.name)[0] or "",
    }


# ---------------------------------------------------------------------------------------
# The board


@requires("membership.view")
def board(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = request.scope
    today = timezone.localdate()
    if scope.self_only:
        mine = scoped(scope, Recruit.objects.all()).order_by("-applied_on", "-id").first()
        if mine is not None:
            return redirect("recruitment:detail", pk=mine.pk)
        return render(request, "recruitment/no_file.html", {"breadcrumbs": _crumbs()})
    orgs = queries.board_orgs(scope)
    code = picked_key(request.GET.get("org", ""))
    if code:
        org = get_scoped(scope, Org.objects.all(), code=code)
    else:
        org = Org.objects.filter(pk=scope.root_id).first() or orgs.first()
        if org is None:
            raise Http404
    the_board = queries.board(scope, org, today)
    court = org if org.kind in COURT_KINDS else None
    return render(
        request,
        "recruitment/board.html",
        {
            "board": the_board,
            "org": org,
            "board_kinds": ",".join(sorted(queries.BOARD_KINDS)),
            "today": today,
            "horizon": queries.HORIZON_DAYS,
            "show_branches": org.kind != OrgKind.BRANCH,
            "can_manage": scope.can("membership.manage"),
            "court": court,
            "notice_days": actions.notice_days(org.court()),
            "breadcrumbs": _crumbs(),
        },
    )


# ---------------------------------------------------------------------------------------
# A file


@requires("membership.view")
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    scope = request.scope
    recruit = _get_file(request, pk)
    steps = list(
        scoped(scope, Step.objects.filter(recruit=recruit))
        .select_related("activity", "created_by")
        .prefetch_related(queries.people_prefetch())
        .order_by("on", "id")
    )
    today = timezone.localdate()
    days = actions.notice_days(recruit.branch.court())
    contacts = rules.current_people(steps, StepRole.CONTACT, (StepKind.ACTIVIST, StepKind.CONTACTS))
    introducers = rules.current_people(steps, StepRole.INTRODUCER, (StepKind.INTRODUCERS,))
    training_days, training_hours = rules.training_totals(steps)
    can_manage = scope.can("membership.manage") and recruit.is_open
    return render(
        request,
        "recruitment/detail.html",
        {
            "recruit": recruit,
            "steps": steps,
            "next_steps": rules.next_steps(recruit, steps, days) if recruit.is_open else [],
            "dues": [
                (d, d.overdue(today), d.sentence(today)) for d in rules.dues(recruit, steps, today)
            ]
            if recruit.is_open
            else [],
            "contacts": contacts,
            "introducers": introducers,
            "training_days": training_days,
            "training_hours": training_hours,
            "flags": rules.step_flags(steps),
            "allowed": [(k, StepKind(k).label) for k in rules.allowed_kinds(recruit)]
            if can_manage
            else [],
            "can_manage": can_manage,
            "today": today,
            "breadcrumbs": _file_crumbs(request, recruit),
        },
    )


@requires("membership.view")
def evidence_file(request: AuthenticatedHttpRequest, step_id: int) -> HttpResponseBase:
    step = get_scoped(
        request.scope,
        Step.objects.select_related("evidence"),
        pk=step_id,
    )
    if step.evidence is None:
        raise Http404
    name = step.evidence_name or "佐证材料"
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    try:
        handle = step.evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=content_type not in INLINE_TYPES,
        filename=name,
        content_type=content_type,
    )


# ---------------------------------------------------------------------------------------
# Writes


def _applicants(request: AuthenticatedHttpRequest) -> QuerySet[Person]:
    scope = request.scope
    return (
        scoped(scope, Person.objects.serving())
        .exclude(political_status__in=PARTY_STATUSES)
        .exclude(recruit_files__stage__in=OPEN_STAGES)
        .select_related("court")
        .order_by("court__path", "employee_no")
    )


@requires("membership.manage")
def new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open a file: an applicant hands in their application (入党申请书)."""
    scope = request.scope
    branches = scoped(scope, Org.objects.filter(kind=OrgKind.BRANCH, is_active=True)).order_by(
        "path"
    )
    initial = {}
    if code := request.GET.get("org"):
        initial["branch"] = branches.filter(code=code).first()
    form = OpenFileForm(
        branches,
        _applicants(request),
        request.POST or None,
        request.FILES or None,
        initial=initial,
        findable=lambda court: queries.applicant_lookup(scope, court),
    )
    if request.method == "POST" and form.is_valid() and form.found is not None:
        data = form.cleaned_data
        try:
            recruit = actions.do_open_file(
                request.user,
                form.found,
                data["branch"],
                on=data["on"],
                note=data["note"],
                **_read_upload(form),
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request,
                f"已登记{recruit.person.name}的入党申请（{recruit.applied_on:%Y-%m-%d}）。"
                f"请在1个月内派人谈话（《中国共产党发展党员工作细则》第七条）。",
            )
            return redirect("recruitment:detail", pk=recruit.pk)
    return render(
        request,
        "recruitment/new.html",
        {"form": form, "breadcrumbs": _crumbs(("登记入党申请", None))},
    )


def _step_form(request: AuthenticatedHttpRequest, recruit: Recruit, kind: str) -> StepForm:
    scope = request.scope
    court = recruit.branch.court()
    people = (
        scoped(scope, Person.objects.filter(court=court).party_members())
        .exclude(pk=recruit.person_id)
        .order_by("employee_no")
    )
    # Only the branch's congresses held from the first day the step may be dated can have
    # discussed it: after the notice (R2.8), or when probation ends (R2.7).
    steps = list(recruit.steps.order_by("on", "id").prefetch_related(queries.people_prefetch()))
    days = actions.notice_days(court)
    opens = [n.possible_on for n in rules.next_steps(recruit, steps, days) if n.kind == kind]
    since = max([recruit.stage_started_on, *(d for d in opens if d is not None)])
    congresses = scoped(
        scope,
        Activity.objects.filter(
            org=recruit.branch,
            kind="branch_congress",
            status=ActivityStatus.HELD,
            on__gte=since,
            on__lte=timezone.localdate(),
        ),
    ).order_by("-on", "-id")
    present: dict[int, int | None] = {}
    if kind == StepKind.ADMISSION:
        counts = queries.congress_counts(recruit.branch, list(congresses))
        present = {pk: c.present if c.recorded else None for pk, c in counts.items()}
    return StepForm(
        kind,
        request.POST or None,
        request.FILES or None,
        people=people,
        findable=scoped(scope, Person.objects.all()),
        court=court,
        congresses=congresses,
        congress_present=present,
    )


@requires("membership.manage")
def step(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record a step of a file; a refused step shows the rule beside the field it concerns."""
    recruit = _get_file(request, pk)
    allowed = rules.allowed_kinds(recruit)
    kind = request.GET.get("kind") or request.POST.get("kind") or ""
    if kind not in allowed:
        steps = list(recruit.steps.order_by("on", "id").prefetch_related(queries.people_prefetch()))
        days = actions.notice_days(recruit.branch.court())
        return render(
            request,
            "recruitment/step_choose.html",
            {
                "recruit": recruit,
                "allowed": [(k, StepKind(k).label) for k in allowed],
                "next_steps": rules.next_steps(recruit, steps, days),
                "asked": StepKind(kind).label if kind in StepKind.values else "",
                "breadcrumbs": _file_crumbs(request, recruit, ("记录步骤", None)),
            },
        )
    form = _step_form(request, recruit, kind)
    refusals: list[rules.Refusal] = []
    if request.method == "POST" and form.is_valid():
        try:
            done = actions.do_record_step(
                request.user, recruit, form.to_input(), **_read_upload(form)
            )
        except rules.StepRefused as e:
            refusals = e.refusals
            add_errors(form, e)
        except ValidationError as e:
            add_errors(form, e)
        else:
            text = f"已记录“{done.get_kind_display()}”（{done.on:%Y-%m-%d}）。"
            if done.flags:
                text += "请注意：" + "；".join(f"{f['rule']} {f['message']}" for f in done.flags)
                messages.warning(request, text)
            else:
                messages.success(request, text)
            return redirect("recruitment:detail", pk=recruit.pk)
    return render(
        request,
        "recruitment/step.html",
        {
            "recruit": recruit,
            "form": form,
            "kind": kind,
            "kind_label": StepKind(kind).label,
            "refusals": refusals,
            "breadcrumbs": _file_crumbs(request, recruit, (StepKind(kind).label, None)),
        },
    )


@requires("membership.manage")
def settings_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A court's notice length (R2.8, configurable)."""
    scope = request.scope
    courts = scoped(scope, Org.objects.filter(kind__in=COURT_KINDS)).order_by("path")
    code = request.GET.get("org") or request.POST.get("org")
    court = get_scoped(scope, courts, code=code) if code else courts.first()
    if court is None:
        raise PermissionDenied("no court in scope")
    form = SettingForm(
        request.POST or None, initial={"notice_working_days": actions.notice_days(court)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_set_notice_days(
                request.user, court, form.cleaned_data["notice_working_days"]
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request,
                f"{court.name}的公示期已设为{form.cleaned_data['notice_working_days']}个工作日。",
            )
            return redirect(reverse("recruitment:board") + f"?org={court.code}")
    return render(
        request,
        "recruitment/settings.html",
        {
            "form": form,
            "court": court,
            "courts": courts,
            "breadcrumbs": _crumbs(("公示期设置", None)),
        },
    )


# ---------------------------------------------------------------------------------------
# China's calendar (D6), kept by the platform


WEEKDAYS = "一二三四五六日"
YEARS = (1949, 2100)


def _year(text: str, default: int) -> int:
    try:
        year = int(text)
    except ValueError:
        return default
    return year if YEARS[0] <= year <= YEARS[1] else default


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


@requires("platform.calendar")
def workdays_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A year's statutory holidays and 调休 days, which every court's notices count by (D6)."""
    scope = request.scope
    today = timezone.localdate()
    year = _year(request.GET.get("year", ""), today.year)
    editing = _date(request.GET.get("day", ""))
    initial: dict[str, Any] = {}
    if editing is not None:
        row = scoped(scope, CalendarDay.objects.filter(day=editing)).first()
        initial = {"day": editing, "arrangement": "holiday"}
        if row is not None:
            initial = {
                "day": row.day,
                "arrangement": "working" if row.working else "holiday",
                "name": row.name,
            }
        year = editing.year
    form = CalendarDayForm(
        request.POST if request.method == "POST" and "remove" not in request.POST else None,
        initial=initial,
    )
    if request.method == "POST" and "remove" in request.POST:
        day = _date(request.POST["remove"])
        if day is None:
            messages.error(request, "日期格式不正确")
            return redirect(reverse("recruitment:workdays") + f"?year={year}")
        try:
            actions.do_remove_calendar_day(request.user, day)
        except ValidationError as e:
            messages.error(request, error_text(e))
        else:
            messages.success(
                request, f"已删除{day:%Y-%m-%d}的节假日安排，该日按周一至周五计算是否为工作日。"
            )
        return redirect(reverse("recruitment:workdays") + f"?year={day.year}")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = actions.do_set_calendar_day(
                request.user,
                data["day"],
                working=data["arrangement"] == "working",
                name=data["name"],
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request,
                f"已保存：{row.day:%Y-%m-%d}（星期{WEEKDAYS[row.day.weekday()]}）"
                f"{row.name}{row.arrangement}。",
            )
            return redirect(reverse("recruitment:workdays") + f"?year={row.day.year}")
    the_year = queries.calendar_year(scope, year)
    return render(
        request,
        "recruitment/workdays.html",
        {
            "form": form,
            "calendar": the_year,
            "rows": [(d, WEEKDAYS[d.day.weekday()]) for d in the_year.days],
            "editing": editing,
            "breadcrumbs": [("节假日安排", None)],
        },
    )


routes: list[URLPattern] = [
    path("workdays/", workdays_view, name="workdays"),
    path("", board, name="board"),
    path("new/", new, name="new"),
    path("settings/", settings_view, name="settings"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/step/", step, name="step"),
    path("steps/<int:step_id>/file/", evidence_file, name="evidence"),
]
