"""Activity pages: list, plan, record as held with attendance, correct, cancel, evidence, calendar."""

from __future__ import annotations

import calendar
import datetime as dt
import mimetypes
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseNotAllowed,
    QueryDict,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import requires
from tianping.accounts.scoping import Scope, get_scoped, scoped
from tianping.activities import actions, kinds, queries
from tianping.activities.forms import (
    ActivityFilterForm,
    ActivityForm,
    AttendanceForm,
    CancelForm,
    EvidenceForm,
    MakeupForm,
    RecordForm,
    parse_date,
    parse_numbers,
    person_by_number,
)
from tianping.activities.models import (
    COMMON_REASONS,
    MAKEUP_METHODS,
    REASON_MAX_LENGTH,
    Activity,
    ActivityStatus,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
    Evidence,
)
from tianping.activities.queries import (
    ActivityFilter,
    GridRow,
    activities_in,
    attendance_counts,
    attendance_grid,
    blank_grid,
    expected_attendees,
    tally,
    tally_text,
)
from tianping.audit.models import AuditEvent
from tianping.lib import uploads
from tianping.lib.errors import add_errors, error_text
from tianping.lib.pickers import picked_key
from tianping.lib.sheets import table_bytes
from tianping.orgs.models import Org
from tianping.people.models import Person

PAGE_SIZE = 50
CALENDAR_DAY_LIMIT = 4
WEEKDAYS = "一二三四五六日"
# Evidence shown in the browser rather than downloaded: images and PDFs only, judged by the
# file name, never by what the uploader's browser claimed (no HTML or SVG inline).
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"})
ACTION_NAMES = {
    "activities.plan": "计划活动",
    "activities.update": "修改活动",
    "activities.held": "记录召开情况",
    "activities.attendance": "更正出勤",
    "activities.cancel": "取消活动",
    "activities.evidence": "上传佐证材料",
    "activities.makeup": "登记补学",
    "activities.makeup_clear": "撤销补学",
}
HISTORY_LABELS = {"attendance": "出勤", "file": "文件"}
# Keys whose value is a dict by person, spelled out person by person.
PER_PERSON = {"attendance": "出勤", "makeup": "补学"}


def _crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [("组织生活", reverse("activities:list")), *extra]


def _activity_crumbs(
    activity: Activity, *extra: tuple[str, str | None]
) -> list[tuple[str, str | None]]:
    url = reverse("activities:detail", args=[activity.pk]) if extra else None
    return _crumbs((activity.title, url), *extra)


def _get_activity(request: AuthenticatedHttpRequest, pk: int) -> Activity:
    return get_scoped(
        request.scope,
        Activity.objects.select_related("org", "host", "recorder", "lecturer"),
        pk=pk,
    )


def _also_names(activity: Activity) -> list[str]:
    codes = sorted(activity.counts_for - {activity.kind})
    return [kinds.KINDS[c].name for c in codes]


# ---------------------------------------------------------------------------------------
# What the attendance grid sends back


@dataclass
class GridChanges:
    statuses: dict[int, str]
    roles: dict[int, str]
    reasons: dict[int, str]


def _grid_changes(post: QueryDict, rows: list[GridRow], counts_speakers: bool) -> GridChanges:
    """The rows whose submitted value differs from the value the page was rendered with.

    Two secretaries who opened the grid at the same moment each send only what they
    changed, so the second save does not write the first one's rows back. A reason left
    out of the POST is left as it is.
    """
    changes: dict[int, str] = {}
    roles: dict[int, str] = {}
    reasons: dict[int, str] = {}
    for row in rows:
        pid = row.person.pk
        was = post.get(f"was-{pid}", row.was)
        now = post.get(f"status-{pid}", "")
        if now in AttendanceStatus.values and now != was:
            changes[pid] = now
        if f"reason-{pid}" in post:
            reason = post.get(f"reason-{pid}", "").strip()
            if reason != post.get(f"reason_was-{pid}", row.reason_was).strip():
                reasons[pid] = reason
        if counts_speakers:
            role_was = post.get(f"role_was-{pid}", row.role_was)
            speaking = post.get(f"speaker-{pid}") == "1"
            if speaking and role_was != AttendanceRole.SPEAKER:
                roles[pid] = AttendanceRole.SPEAKER
            elif not speaking and role_was == AttendanceRole.SPEAKER:
                roles[pid] = AttendanceRole.PARTICIPANT
    return GridChanges(changes, roles, reasons)


def _keep_choices(post: QueryDict, rows: list[GridRow]) -> None:
    """After a refused POST, show what the user had chosen, against what they started from."""
    for row in rows:
        pid = row.person.pk
        row.was = post.get(f"was-{pid}", row.was)
        row.role_was = post.get(f"role_was-{pid}", row.role_was)
        row.status = post.get(f"status-{pid}", row.status)
        row.reason_was = post.get(f"reason_was-{pid}", row.reason_was)
        row.reason = post.get(f"reason-{pid}", row.reason)
        if f"role_was-{pid}" in post:
            row.role = AttendanceRole.SPEAKER if post.get(f"speaker-{pid}") == "1" else row.role_was


# ---------------------------------------------------------------------------------------
# The list, its export, the calendar


def _filtered(request: AuthenticatedHttpRequest) -> tuple[ActivityFilterForm, QuerySet[Activity]]:
    scope = request.scope
    form = ActivityFilterForm(scoped(scope, Org.objects.all()), request.GET or None)
    f = ActivityFilter()
    if form.is_valid():
        data = form.cleaned_data
        f = ActivityFilter(
            q=data["q"],
            org=data["org"],
            kind=data["kind"],
            category=data["category"],
            status=data["status"],
            start=data["start"],
            end=data["end"],
        )
    return form, queries.activity_list(scope, f)


def _annotate_page(scope: Scope, page_activities: list[Activity]) -> None:
    counts = attendance_counts(scope, (a.pk for a in page_activities))
    for a in page_activities:
        a.counts = counts.get(a.pk, {})  # type: ignore[attr-defined]
        a.also_names = _also_names(a)  # type: ignore[attr-defined]


@requires("activities.view")
def activity_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, activities = _filtered(request)
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    _annotate_page(request.scope, list(page.object_list))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "querystring_page": (params.urlencode() + "&") if params else "",
        "export_query": params.urlencode(),
        "hx_target": "#results",
        "breadcrumbs": _crumbs(),
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "activities/_results.html", context)
    return render(request, "activities/list.html", context)


EXPORT_HEADERS = [
    # The ledger columns of CONTRACT.md first, so an export reads back as a ledger.
    "组织",
    "活动类型",
    "日期",
    "标题",
    "地点",
    "时长",
    "参加人员",
    "请假人员",
    "缺席人员",
    "内容摘要",
    "状态",
    "同时计为",
    "群众/外部参与人数",
]


@requires("activities.view")
def export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    _, activities = _filtered(request)
    attendance = scoped(request.scope, Attendance.objects.all()).select_related("person")
    activities = activities.prefetch_related(
        Prefetch("attendance", queryset=attendance.order_by("person__employee_no"))
    )

    def rows() -> Any:
        for a in activities.iterator(chunk_size=500):
            names: dict[str, list[str]] = defaultdict(list)
            for row in a.attendance.all():
                names[row.status].append(row.person.name)
            yield [
                a.org.code,
                a.get_kind_display(),
                a.on,
                a.title,
                a.location,
                a.hours,
                "、".join(names[AttendanceStatus.PRESENT]),
                "、".join(names[AttendanceStatus.LEAVE]),
                "、".join(names[AttendanceStatus.ABSENT]),
                a.summary,
                a.get_status_display(),
                "、".join(_also_names(a)),
                a.external_audience,
            ]

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return uploads.xlsx_download(
        table_bytes(EXPORT_HEADERS, rows(), title="活动台账"), f"活动台账-{stamp}.xlsx"
    )


def _month(text: str | None) -> dt.date | None:
    try:
        year, month = (text or "").split("-")
        first = dt.date(int(year), int(month), 1)
    except ValueError:
        return None
    # A grid reaches into the neighbouring months; stay well inside the calendar's range.
    return first if 1900 <= first.year <= 2999 else None


@requires("activities.view")
def calendar_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    month = _month(request.GET.get("month")) or today.replace(day=1)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    items = activities_in(request.scope, weeks[0][0], weeks[-1][-1]).exclude(
        status=ActivityStatus.CANCELLED
    )
    by_day: dict[dt.date, list[Activity]] = defaultdict(list)
    for a in items:
        by_day[a.on].append(a)
    grid = [
        [
            {
                "day": day,
                "in_month": day.month == month.month,
                "items": by_day.get(day, [])[:CALENDAR_DAY_LIMIT],
                "more": max(0, len(by_day.get(day, [])) - CALENDAR_DAY_LIMIT),
            }
            for day in week
        ]
        for week in weeks
    ]
    days = [
        (day, WEEKDAYS[day.weekday()], by_day[day])
        for day in sorted(by_day)
        if day.month == month.month
    ]
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "activities/calendar.html",
        {
            "month": month,
            "grid": grid,
            "days": days,
            "today": today,
            "previous": f"{previous:%Y-%m}",
            "following": f"{following:%Y-%m}",
            "this_month": f"{today:%Y-%m}",
            "weekdays": WEEKDAYS,
            "breadcrumbs": _crumbs(("活动日历", None)),
        },
    )


# ---------------------------------------------------------------------------------------
# Planning, editing, recording after the fact


def _initial_from(data: QueryDict) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for name in ActivityForm.base_fields:
        if name in data:
            initial[name] = data.getlist(name) if name == "also_counts_as" else data.get(name)
    return initial


def _candidates(org: Org | None, on: dt.date, *keep: int | None) -> QuerySet[Person]:
    """Whom host, recorder and lecturer are chosen from: the members as of that date."""
    if org is None:
        return Person.objects.none()
    expected = expected_attendees(org, on).values("pk")
    ids = [pk for pk in keep if pk]
    return Person.objects.filter(Q(pk__in=expected) | Q(pk__in=ids)).order_by("employee_no")


@dataclass
class Planning:
    form: ActivityForm
    org: Org | None
    kind: kinds.Kind | None
    on: dt.date


def _planning(request: AuthenticatedHttpRequest, *, past: bool) -> Planning:
    """The plan (or 补录) form for what the user has chosen so far.

    The organisation decides which kinds are offered (kinds_for_holder), and a kind chosen
    first narrows the organisations to those that may hold it.
    """
    scope = request.scope
    data = request.POST if request.method == "POST" else request.GET
    all_orgs = scoped(scope, Org.objects.filter(is_active=True)).order_by("path")
    kind = kinds.KINDS.get(data.get("kind") or "")
    org = all_orgs.filter(code=picked_key(data["org"])).first() if data.get("org") else None
    if org is None:
        holding = all_orgs.filter(kind__in=kind.holders) if kind else all_orgs
        org = holding.filter(pk=scope.root_id).first() or holding.first()
    if kind is not None and org is not None and org.kind not in kind.holders:
        kind = None
    on = parse_date(data.get("on")) or timezone.localdate()
    orgs = all_orgs.filter(kind__in=kind.holders) if kind else all_orgs
    candidates = _candidates(org, on)
    options: dict[str, Any] = {
        "orgs": orgs,
        "org": org,
        "kind": kind,
        "candidates": candidates,
        "with_outcome": past,
        "past": past,
    }
    if request.method == "POST":
        form = ActivityForm(request.POST, **options)
    else:
        initial = {**_initial_from(data), "on": on}
        initial["org"] = org.code if org else None
        initial["kind"] = kind.code if kind else ""
        form = ActivityForm(initial=initial, **options)
    return Planning(form, org, kind, on)


@requires("activities.record")
def plan(request: AuthenticatedHttpRequest) -> HttpResponse:
    planning = _planning(request, past=False)
    form = planning.form
    if request.method == "POST" and form.is_valid():
        try:
            activity = actions.do_plan_activity(
                request.user, form.cleaned_data["org"], **form.activity_fields()
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, f"已计划“{activity.title}”（{activity.on:%Y-%m-%d}）。")
            return redirect("activities:detail", pk=activity.pk)
    return render(
        request,
        "activities/form.html",
        {
            "form": form,
            "planning": planning,
            "title": "计划活动",
            "submit": "保存计划",
            "breadcrumbs": _crumbs(("计划活动", None)),
        },
    )


@requires("activities.record")
def record_past(request: AuthenticatedHttpRequest) -> HttpResponse:
    """补录: an activity already held, with its attendance, in one step."""
    planning = _planning(request, past=True)
    form = planning.form
    rows = blank_grid(planning.org, planning.on)
    if request.method == "POST":
        if form.is_valid():
            org, on = form.cleaned_data["org"], form.cleaned_data["on"]
            if (org, on) != (planning.org, planning.on):
                rows = blank_grid(org, on)
            kind = kinds.KINDS[form.cleaned_data["kind"]]
            grid = _grid_changes(request.POST, rows, kind.counts_speakers)
            try:
                activity = actions.do_record_past_activity(
                    request.user,
                    org,
                    attendance=grid.statuses,
                    roles=grid.roles,
                    reasons=grid.reasons,
                    **form.activity_fields(),
                )
            except ValidationError as e:
                add_errors(form, e)
            else:
                done = f"已补录“{activity.title}”（{activity.on:%Y-%m-%d}）"
                if kind.takes_attendance:
                    done += "：" + tally_text(tally(attendance_grid(request.scope, activity)))
                messages.success(request, done + "。")
                return redirect("activities:detail", pk=activity.pk)
        _keep_choices(request.POST, rows)
    chosen = planning.kind
    return render(
        request,
        "activities/form.html",
        {
            "form": form,
            "planning": planning,
            "rows": rows,
            "show_grid": chosen is None or chosen.takes_attendance,
            "counts_speakers": bool(chosen and chosen.counts_speakers),
            "reasons": COMMON_REASONS,
            "title": "补录活动",
            "submit": "补录",
            "breadcrumbs": _crumbs(("补录活动", None)),
        },
    )


@requires("activities.record")
def edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = _get_activity(request, pk)
    if activity.status == ActivityStatus.CANCELLED:
        messages.error(request, "已取消的活动不能修改。")
        return redirect("activities:detail", pk=activity.pk)
    data = request.POST if request.method == "POST" else request.GET
    kind = kinds.KINDS.get(data.get("kind") or activity.kind)
    if kind is not None and activity.org.kind not in kind.holders:
        kind = activity.kind_info
    on = parse_date(data.get("on")) or activity.on
    options: dict[str, Any] = {
        "orgs": None,
        "org": activity.org,
        "kind": kind,
        "candidates": _candidates(
            activity.org, on, activity.host_id, activity.recorder_id, activity.lecturer_id
        ),
        "with_outcome": activity.is_held,
    }
    if request.method == "POST":
        form = ActivityForm(request.POST, **options)
        if form.is_valid():
            try:
                actions.do_update_activity(request.user, activity, **form.activity_fields())
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, f"已保存“{form.cleaned_data['title']}”。")
                return redirect("activities:detail", pk=activity.pk)
    else:
        initial = {
            "kind": activity.kind,
            "title": activity.title,
            "on": activity.on,
            "start_time": activity.start_time,
            "end_time": activity.end_time,
            "location": activity.location,
            "agenda": activity.agenda,
            "host": activity.host_id,
            "recorder": activity.recorder_id,
            "lecturer": activity.lecturer_id,
            "lecturer_is_secretary": activity.lecturer_is_secretary,
            "also_counts_as": activity.also_counts_as,
            "hours": activity.hours,
            "external_audience": activity.external_audience,
            "summary": activity.summary,
            **_initial_from(request.GET),
        }
        form = ActivityForm(initial=initial, **options)
    return render(
        request,
        "activities/form.html",
        {
            "form": form,
            "activity": activity,
            "planning": Planning(form, activity.org, kind, on),
            "title": f"修改：{activity.title}",
            "submit": "保存",
            "breadcrumbs": _activity_crumbs(activity, ("修改", None)),
        },
    )


# ---------------------------------------------------------------------------------------
# One activity: detail with tabs, print, record as held, correct, cancel, evidence


def _history(scope: Scope, activity: Activity) -> list[dict[str, Any]]:
    """The activity's audit events, attendance changes spelled out person by person."""
    events = scoped(
        scope,
        AuditEvent.objects.filter(object_type="activities.activity", object_id=str(activity.pk)),
    ).order_by("-at", "-id")[:100]
    shown = []
    for e in events:
        before, after = e.before or {}, e.after or {}
        changes: list[tuple[str, Any, Any]] = []
        for key in dict.fromkeys([*before, *after]):
            b, a = before.get(key), after.get(key)
            if key == "sha256" or b == a or (not b and not a):
                continue
            if key in PER_PERSON:
                b, a = b or {}, a or {}
                for name in dict.fromkeys([*b, *a]):
                    if b.get(name) != a.get(name):
                        changes.append((f"{PER_PERSON[key]}·{name}", b.get(name), a.get(name)))
                continue
            if key == "also_counts_as":
                b = "、".join(kinds.KINDS[c].name for c in b or [] if c in kinds.KINDS)
                a = "、".join(kinds.KINDS[c].name for c in a or [] if c in kinds.KINDS)
            elif isinstance(b, bool) or isinstance(a, bool):
                b, a = ("是" if b else "否"), ("是" if a else "否")
            label = HISTORY_LABELS.get(key) or e.field_label(key)
            changes.append((label, b, a))
        shown.append(
            {
                "at": e.at,
                "user": e.user_label,
                "action": ACTION_NAMES.get(e.action, e.action_label),
                "changes": changes,
            }
        )
    return shown


def _render_detail(
    request: AuthenticatedHttpRequest,
    activity: Activity,
    tab: str,
    evidence_form: EvidenceForm | None = None,
    status: int = 200,
    makeup_form: MakeupForm | None = None,
) -> HttpResponse:
    scope = request.scope
    rows = attendance_grid(scope, activity)
    can_record = scope.can("activities.record")
    evidence = scoped(scope, Evidence.objects.filter(activity=activity)).select_related(
        "blob", "uploaded_by"
    )
    return render(
        request,
        "activities/detail.html",
        {
            "activity": activity,
            "tab": tab,
            "rows": rows,
            "tally": tally(rows),
            "made_up": sum(1 for r in rows if r.missed and r.makeup_on),
            "unrecorded": sum(1 for r in rows if not r.status),
            "also_names": _also_names(activity),
            "evidence": evidence.order_by("-uploaded_at", "-id"),
            "evidence_form": evidence_form or EvidenceForm(),
            "history": [] if scope.self_only else _history(scope, activity),
            "can_record": can_record and activity.status != ActivityStatus.CANCELLED,
            "can_correct": can_record and activity.is_held,
            "statuses": AttendanceStatus.choices,
            "reasons": COMMON_REASONS,
            "makeup_methods": MAKEUP_METHODS,
            "makeup_form": makeup_form,
            "makeup_person": _int(makeup_form.data.get("person", "")) if makeup_form else None,
            "today": timezone.localdate(),
            "breadcrumbs": _activity_crumbs(activity),
        },
        status=status,
    )


@requires("activities.view")
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = _get_activity(request, pk)
    tab = request.GET.get("tab", "overview")
    if tab not in ("overview", "attendance", "evidence", "history"):
        tab = "overview"
    return _render_detail(request, activity, tab)


@requires("activities.view")
def print_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The 会议记录 for the paper file, on A4.

    The record lists everyone's attendance. A member sees only their own row, so a print
    for them would be an official record with the others left out: it is refused instead.
    """
    activity = _get_activity(request, pk)
    if request.scope.self_only:
        return render(
            request,
            "activities/print_refused.html",
            {"activity": activity, "breadcrumbs": _activity_crumbs(activity, ("打印", None))},
            status=403,
        )
    rows = attendance_grid(request.scope, activity)
    by_status: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        name = row.person.name
        by_status[row.status].append(f"{name}（{row.reason}）" if row.reason else name)
    return render(
        request,
        "activities/print.html",
        {
            "activity": activity,
            "expected": [r.person.name for r in rows],
            "present": by_status[AttendanceStatus.PRESENT],
            "leave": by_status[AttendanceStatus.LEAVE],
            "absent": by_status[AttendanceStatus.ABSENT],
            "makeups": [r for r in rows if r.missed and r.makeup_on],
            "also_names": _also_names(activity),
            "printed_on": timezone.localdate(),
        },
    )


def _was(post: QueryDict, name: str) -> str:
    return (post.get(name) or "").replace("\r\n", "\n").strip()


@requires("activities.record")
def record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record as held: the grid of members as of the date, minutes, hours, audience, speakers."""
    activity = _get_activity(request, pk)
    if activity.status == ActivityStatus.CANCELLED:
        messages.error(request, "已取消的活动不能记录为已召开。")
        return redirect("activities:detail", pk=activity.pk)
    kind = activity.kind_info
    rows = attendance_grid(request.scope, activity)
    if request.method == "POST":
        post = request.POST
        form = RecordForm(post, kind=kind)
        if form.is_valid():
            data = form.cleaned_data
            grid = _grid_changes(post, rows, kind.counts_speakers)
            for number in parse_numbers(data["extra"]):
                person = person_by_number(activity.org, number)
                if person is None:
                    form.add_error("extra", f"未找到工号为“{number}”的人员")
                elif person.pk not in grid.statuses:
                    grid.statuses[person.pk] = AttendanceStatus.PRESENT
            # Only what this user changed is sent, like the grid rows (see _grid_changes).
            fields: dict[str, Any] = {}
            if _was(post, "summary") != _was(post, "summary_was"):
                fields["summary"] = data["summary"]
            if _was(post, "hours") != _was(post, "hours_was"):
                fields["hours"] = data["hours"]
            if "external_audience" in form.fields and _was(post, "external_audience") != _was(
                post, "external_audience_was"
            ):
                fields["external_audience"] = data["external_audience"]
            if not form.errors:
                try:
                    actions.do_record_held(
                        request.user,
                        activity,
                        attendance=grid.statuses,
                        roles=grid.roles,
                        reasons=grid.reasons,
                        **fields,
                    )
                except ValidationError as e:
                    add_errors(form, e)
                else:
                    now = attendance_grid(request.scope, activity)
                    done = f"已记录“{activity.title}”召开情况"
                    if kind.takes_attendance or any(r.status for r in now):
                        done += "：" + tally_text(tally(now))
                    messages.success(request, done + "。")
                    left = sum(1 for r in now if r.expected and not r.status)
                    if left and kind.takes_attendance:
                        messages.warning(request, f"尚有{left}人未标记出勤。")
                    return redirect(
                        reverse("activities:detail", args=[activity.pk]) + "?tab=attendance"
                    )
        _keep_choices(post, rows)
        originals = {n: post.get(f"{n}_was", "") for n in ("summary", "hours", "external_audience")}
    else:
        originals = {
            "summary": activity.summary,
            "hours": "" if activity.hours is None else str(activity.hours),
            "external_audience": ""
            if activity.external_audience is None
            else str(activity.external_audience),
        }
        form = RecordForm(initial=originals, kind=kind)
    return render(
        request,
        "activities/record.html",
        {
            "activity": activity,
            "form": form,
            "rows": rows,
            "originals": originals,
            "show_grid": kind.takes_attendance,
            "counts_speakers": kind.counts_speakers,
            "reasons": COMMON_REASONS,
            "breadcrumbs": _activity_crumbs(activity, ("记录召开情况", None)),
        },
    )


@dataclass
class RowChange:
    """A POST about one person's row of an activity's attendance grid."""

    activity: Activity
    back: str  # the attendance tab, where the outcome is shown

    def row(self, scope: Scope, person_id: int | None) -> GridRow:
        """The person's row as the grid shows it to this scope; 404 when it shows none."""
        for row in attendance_grid(scope, self.activity):
            if row.person.pk == person_id:
                return row
        raise Http404


def _row_change(request: AuthenticatedHttpRequest, pk: int) -> RowChange | HttpResponse:
    # Scope first (404 whatever the method), then the method.
    activity = _get_activity(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return RowChange(activity, reverse("activities:detail", args=[activity.pk]) + "?tab=attendance")


@requires("activities.record")
def attendance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Correct one person's attendance; the points ledger follows with reversing entries."""
    change = _row_change(request, pk)
    if isinstance(change, HttpResponse):
        return change
    activity, back = change.activity, change.back
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        if "reason" in form.errors:
            messages.error(request, f"请假/缺席原因不能超过{REASON_MAX_LENGTH}字。")
        else:
            messages.error(request, "请选择出勤状态。")
        return redirect(back)
    row = change.row(request.scope, form.cleaned_data["person"])
    status = form.cleaned_data["status"]
    reason = form.cleaned_data["reason"] if "reason" in request.POST else None
    try:
        stored = actions.do_set_attendance(
            request.user, activity, row.person, status, reason=reason
        )
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, f"已将{row.person.name}的出勤更正为“{stored.status_text}”。")
    return redirect(back)


@requires("activities.record")
def makeup(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """补学 of a member on leave or absent: recorded, corrected or withdrawn; no points."""
    change = _row_change(request, pk)
    if isinstance(change, HttpResponse):
        return change
    activity, back = change.activity, change.back
    form = MakeupForm(request.POST)
    row = change.row(request.scope, _int(request.POST.get("person", "")))
    name = row.person.name
    try:
        if request.POST.get("withdraw") == "1":
            actions.do_clear_makeup(request.user, activity, row.person)
            messages.success(request, f"已撤销{name}的补学记录。")
            return redirect(back)
        if not form.is_valid():
            return _render_detail(request, activity, "attendance", status=400, makeup_form=form)
        stored = actions.do_record_makeup(
            request.user,
            activity,
            row.person,
            on=form.cleaned_data["on"],
            method=form.cleaned_data["method"],
        )
    except ValidationError as e:
        if not hasattr(e, "error_dict") or set(e.error_dict) - {"on", "method"}:
            messages.error(request, error_text(e))
            return redirect(back)
        add_errors(form, e)
        return _render_detail(request, activity, "attendance", status=400, makeup_form=form)
    messages.success(request, f"已登记{name}的补学：{stored.makeup_text}。补学不计积分。")
    return redirect(back)


def _int(text: str) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


@requires("activities.record")
def cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = _get_activity(request, pk)
    if activity.status == ActivityStatus.CANCELLED:
        messages.info(request, "该活动已取消。")
        return redirect("activities:detail", pk=activity.pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_cancel(request.user, activity, form.cleaned_data["reason"])
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, f"已取消“{activity.title}”，该活动不计入任何制度和积分。")
            return redirect("activities:detail", pk=activity.pk)
    return render(
        request,
        "activities/cancel.html",
        {
            "activity": activity,
            "form": form,
            "breadcrumbs": _activity_crumbs(activity, ("取消活动", None)),
        },
    )


@requires("activities.record")
def evidence(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Attach an optional file (never compulsory, R4.2); identical content is stored once."""
    activity = _get_activity(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if activity.status == ActivityStatus.CANCELLED:
        messages.error(request, "已取消的活动不能上传佐证材料。")
        return redirect("activities:detail", pk=activity.pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_detail(request, activity, "evidence", evidence_form=form, status=400)
    upload = form.cleaned_data["file"]
    known = set(Evidence.objects.filter(activity=activity).values_list("pk", flat=True))
    content_type = mimetypes.guess_type(upload.name)[0] or ""
    item = actions.do_add_evidence(request.user, activity, upload.name, upload.read(), content_type)
    if item.pk in known:
        messages.info(request, f"“{upload.name}”与已上传的“{item.name}”内容相同，未重复保存。")
    else:
        messages.success(request, f"已上传“{item.name}”。")
    return redirect(reverse("activities:detail", args=[activity.pk]) + "?tab=evidence")


@requires("activities.view")
def evidence_file(request: AuthenticatedHttpRequest, evidence_id: int) -> HttpResponseBase:
    item = get_scoped(request.scope, Evidence.objects.select_related("blob"), pk=evidence_id)
    content_type = mimetypes.guess_type(item.name)[0] or "application/octet-stream"
    try:
        handle = item.blob.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=content_type not in INLINE_TYPES,
        filename=item.name,
        content_type=content_type,
    )


routes: list[URLPattern] = [
    path("", activity_list, name="list"),
    path("export/", export, name="export"),
    path("calendar/", calendar_view, name="calendar"),
    path("plan/", plan, name="plan"),
    path("record-past/", record_past, name="record_past"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/print/", print_view, name="print"),
    path("<int:pk>/record/", record, name="record"),
    path("<int:pk>/attendance/", attendance, name="attendance"),
    path("<int:pk>/makeup/", makeup, name="makeup"),
    path("<int:pk>/cancel/", cancel, name="cancel"),
    path("<int:pk>/edit/", edit, name="edit"),
    path("<int:pk>/evidence/", evidence, name="evidence"),
    path("evidence/<int:evidence_id>/", evidence_file, name="evidence_file"),
]
