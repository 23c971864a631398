"""Compliance pages: the subtree matrix and the branch health check (支部体检).

The rules are the compliance engine's and the reads are in `queries.py`; the markup is in
the templates. These views read the request, call them and render.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import requires
from tianping.accounts.scoping import Scope, get_scoped
from tianping.activities import compliance as engine
from tianping.activities.compliance import MISSING, SOURCES, Report, compliance, default_as_of
from tianping.activities.forms import HeartTalkForm, StudyRecordForm
from tianping.activities.heart_talks import do_record_heart_talk
from tianping.activities.kinds import OBLIGATIONS
from tianping.activities.models import StudyRecord
from tianping.activities.queries import (
    PERIOD_FILTERS,
    PERIODS_BY_CODE,
    PICKER_KINDS,
    WHOLE_YEAR,
    CourtGroup,
    PeriodFilter,
    compliance_in_period,
    compliance_totals,
    court_group,
    court_groups,
    health_url,
    heart_talks,
    matrix_columns,
    matrix_courts,
    matrix_rows,
    matrix_sections,
    obligation_lines,
    six_have,
    spans_courts,
    talk_people,
)
from tianping.activities.study_records import do_add_study_record
from tianping.activities.views import INLINE_TYPES
from tianping.lib import uploads
from tianping.lib.errors import add_errors
from tianping.lib.pickers import picked_key
from tianping.lib.sheets import table_bytes
from tianping.orgs.models import PARTY_KINDS, Org, OrgKind


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


def _period(request: HttpRequest) -> PeriodFilter:
    return PERIODS_BY_CODE.get(request.GET.get("period", "").strip().upper(), WHOLE_YEAR)


def _years() -> list[int]:
    this = timezone.localdate().year
    return list(range(this, this - 6, -1))


def _root(request: AuthenticatedHttpRequest) -> Org:
    """The organisation asked for (in scope, else 404), or the root of the user's scope."""
    scope = request.scope
    code = picked_key(request.GET.get("org", ""))
    if code:
        return get_scoped(scope, Org.objects.all(), code=code)
    root = Org.objects.filter(pk=scope.root_id).first()
    if root is None:
        raise Http404
    return root


# ---------------------------------------------------------------------------------------
# The matrix


def _court(request: AuthenticatedHttpRequest, root: Org, courts: list[Org]) -> Org | None:
    """The court asked to be opened: one of the subtree's courts in scope, else 404."""
    code = request.GET.get("court", "").strip()
    if not code:
        return None
    found = next((c for c in courts if c.code == code), None)
    if found is None:
        raise Http404
    return found


@requires("compliance.view")
def matrix(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Organisations × periods for a subtree and a year: met / missing / upcoming (R1.5).

    A subtree of several courts (a 中院, a province) lists its courts with their figures;
    each opens to its own organisations' rows, in the page (HTMX) or as a plain link.
    """
    scope: Scope = request.scope
    root = _root(request)
    year = _year(request)
    period = _period(request)
    problems_only = request.GET.get("problems") == "1"
    columns = matrix_columns(period, year)
    courts = matrix_courts(scope, root)
    by_court = spans_courts(root, courts)
    opened = _court(request, root, courts)
    if not by_court:
        opened = None  # a single court's page shows its rows already
    query: dict[str, str | int] = {"org": root.code, "year": year}
    if period.code:
        query["period"] = period.code
    export_url = reverse("activities:compliance_export") + f"?{urlencode(query)}"
    if problems_only:
        query["problems"] = 1
    context: dict[str, object] = {
        "root": root,
        "year": year,
        "columns": columns,
        "span": len(columns) + 1,
        "query": urlencode(query),
        "problems_only": problems_only,
    }

    def opened_group(court: Org) -> CourtGroup:
        # One court: only its own organisations are read.
        return court_group(
            compliance_in_period(court, year, period, court_only=True),
            root,
            problems_only=problems_only,
            columns=columns,
            sections=matrix_sections(scope, court, [OrgKind.GENERAL_BRANCH]),
            folded=request.GET.get("fold") == "1",
        )

    if opened is not None and request.htmx and request.htmx.target == f"court-{opened.code}":
        # Opened or folded again in the page.
        return render(
            request,
            "activities/compliance_court.html",
            {**context, "group": opened_group(opened)},
        )
    if by_court:
        # The courts' lines and the page's totals come from the cached tally; only an
        # opened court is read afresh.
        groups = court_groups(
            scope,
            root,
            courts,
            year,
            period,
            opened=opened_group(opened) if opened is not None else None,
            problems_only=problems_only,
        )
        summary = compliance_totals(scope, root, year, period)
        rows = None
    else:
        report = compliance_in_period(root, year, period)
        summary = report.summary
        groups = None
        rows = matrix_rows(
            report,
            matrix_sections(scope, root),
            problems_only=problems_only,
            columns=columns,
        )
    return render(
        request,
        "activities/compliance.html",
        {
            **context,
            "years": _years(),
            "period": period,
            "periods": PERIOD_FILTERS,
            "as_of": default_as_of(year),
            "summary": summary,
            "groups": groups,
            "rows": rows,
            "picker_kinds": ",".join(sorted(PICKER_KINDS)),
            "export_url": export_url,
            "legend": [(engine.SHORT_NAMES[o.code], o.name) for o in OBLIGATIONS.values()],
            "breadcrumbs": [("组织生活合规", None)],
        },
    )


EXPORT_HEADERS = ["组织代码", "组织名称", "制度", "周期", "应开展", "已开展", "单位", "状态"]


@requires("compliance.view")
def export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The matrix as a sheet: one row per organisation, obligation and period."""
    root = _root(request)
    year = _year(request)
    period = _period(request)
    report = compliance_in_period(root, year, period)
    rows = (
        [
            r.org.code,
            r.org.name,
            r.kind_name,
            r.span.code,
            r.required,
            r.held,
            r.unit,
            r.status_name,
        ]
        for r in report.rows
    )
    when = f"{year}年" if period is WHOLE_YEAR else f"{year}年{period.label}"
    return uploads.xlsx_download(
        table_bytes(EXPORT_HEADERS, rows, title=f"{when}组织生活合规"),
        f"组织生活合规-{root.name}-{when}.xlsx",
    )


# ---------------------------------------------------------------------------------------
# The health check of one party organisation (支部体检)


def _talk_day(year: int, as_of: dt.date) -> dt.date:
    """The day whose members a year's 谈心谈话 must reach: the report's date, within the year."""
    return max(min(as_of, dt.date(year, 12, 31)), dt.date(year, 1, 1))


def _heart_talk_section(
    request: AuthenticatedHttpRequest,
    org: Org,
    year: int,
    report: Report,
    form: HeartTalkForm | None,
) -> dict[str, object]:
    scope: Scope = request.scope
    talks = heart_talks(org, year, report)
    health = health_url(org, year)
    if form is None and scope.can("activities.record"):
        talker = request.GET.get("talker", "")
        initial: dict[str, object] = {
            "year": year,
            "on": min(timezone.localdate(), _talk_day(year, report.as_of)),
        }
        if talker.isdigit() and talks.by_pairs:
            chosen = int(talker)
            initial["talker"] = chosen
            initial["members"] = [
                m if c == chosen else c for c, m in talks.pairs if chosen in (c, m)
            ]
        form = HeartTalkForm(talks.people, talks.committee_ids, initial=initial)
    return {
        "by_pairs": talks.by_pairs,
        "due": talks.due,
        "committee": [p for p in talks.people if p.pk in talks.committee_ids],
        "members": talks.people,
        "missing": [
            (talker, others, f"{health}&talker={talker.pk}#heart-talk")
            for talker, others in talks.missing
        ],
        "form": form,
        "committee_link": reverse("committees:branch", args=[org.code])
        if scope.can("membership.view")
        else "",
    }


def _health_context(
    request: AuthenticatedHttpRequest,
    org: Org,
    year: int,
    form: StudyRecordForm | None = None,
    talk_form: HeartTalkForm | None = None,
) -> dict[str, object]:
    scope: Scope = request.scope
    as_of = default_as_of(year)
    # A branch answers for its party groups too; a committee's branches have their own pages.
    report = compliance(org, year, as_of, descendants=org.kind == OrgKind.BRANCH, with_ids=True)
    day = min(as_of, dt.date(year, 12, 31))
    context: dict[str, object] = {
        "org": org,
        "year": year,
        "years": _years(),
        "as_of": as_of,
        "report": report,
        "summary": report.summary,
        "checks": engine.membership_checks(org, day, report, scope),
        "obligations": obligation_lines(scope, report),
        "missing": [r for r in report.rows if r.status == MISSING],
        "sources": SOURCES,
        "matrix_url": reverse("activities:compliance")
        + "?"
        + urlencode({"org": org.code, "year": year}),
        "breadcrumbs": [
            ("组织生活合规", reverse("activities:compliance")),
            (f"{org.name} · 体检", None),
        ],
    }
    if org.kind in OBLIGATIONS["heart_talk"].holders:
        context["talks"] = _heart_talk_section(request, org, year, report, talk_form)
    if org.kind == OrgKind.LEADING_GROUP:
        context["six"] = six_have(scope, org, year)
        if scope.can("activities.record"):
            context["study_form"] = form or StudyRecordForm(org, scope, initial={"year": year})
    return context


def _party_org(request: AuthenticatedHttpRequest, code: str) -> Org:
    org = get_scoped(request.scope, Org.objects.all(), code=code)
    if org.kind not in PARTY_KINDS:
        raise Http404
    return org


@requires("compliance.view")
def health(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """支部体检: R1.1–R1.5 and D5 for a branch, R1.2–R1.5 for a committee, R1.5/R1.7 for the 党组."""
    org = _party_org(request, code)
    return render(request, "activities/health.html", _health_context(request, org, _year(request)))


@requires("activities.record")
def add_study_record(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Add a record to the center group's "六有" (R1.7) from the health page."""
    org = _party_org(request, code)
    # Scope first, then the method: an outsider learns nothing, not even that this is a form.
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if org.kind != OrgKind.LEADING_GROUP:
        raise Http404
    scope: Scope = request.scope
    form = StudyRecordForm(org, scope, request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            record = do_add_study_record(
                request.user,
                org,
                year=data["year"],
                item=data["item"],
                title=data["title"],
                person=form.person,
                amount=data["amount"],
                file_name=upload.name if upload else "",
                content=upload.read() if upload else None,
                content_type=(mimetypes.guess_type(upload.name)[0] or "") if upload else "",
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, f"已登记{record.get_item_display()}：{record.title}。")
            return redirect(health_url(org, record.year) + "#six-have")
    year = form.cleaned_data.get("year") or _year(request)
    return render(
        request, "activities/health.html", _health_context(request, org, year, form), status=400
    )


@requires("activities.record")
def add_heart_talk(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Record a 谈心谈话 (D5) from the branch's health page: the talker and whom they talked with."""
    org = _party_org(request, code)
    # Scope first, then the method: an outsider learns nothing, not even that this is a form.
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if org.kind not in OBLIGATIONS["heart_talk"].holders:
        raise Http404
    year = _year(request)
    if str(request.POST.get("year", "")).isdigit():
        year = int(request.POST["year"])
    if not 2000 <= year <= timezone.localdate().year + 1:
        year = timezone.localdate().year
    people, seated = talk_people(org, _talk_day(year, default_as_of(year)))
    form = HeartTalkForm(people, seated, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            record = do_record_heart_talk(
                request.user,
                org,
                on=data["on"],
                talker=form.people[data["talker"]],
                members=[form.people[pk] for pk in data["members"]],
                location=data["location"],
                summary=data["summary"],
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            others = len(data["members"])
            messages.success(request, f"已登记谈心谈话：{record.title}（谈话对象{others}人）。")
            return redirect(health_url(org, record.on.year) + "#heart-talk")
    return render(
        request,
        "activities/health.html",
        _health_context(request, org, year, talk_form=form),
        status=400,
    )


@requires("compliance.view")
def study_record_file(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    """The file proving one "六有" record; without a record named, back to the health page."""
    org = _party_org(request, code)
    record_id = request.GET.get("id", "")
    if not record_id.isdigit():
        return redirect(health_url(org, _year(request)) + "#six-have")
    item = get_scoped(
        request.scope,
        StudyRecord.objects.select_related("evidence").filter(org=org),
        pk=int(record_id),
    )
    if item.evidence is None:
        raise Http404
    content_type = mimetypes.guess_type(item.evidence_name)[0] or "application/octet-stream"
    try:
        handle = item.evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=content_type not in INLINE_TYPES,
        filename=item.evidence_name or "file",
        content_type=content_type,
    )


routes: list[URLPattern] = [
    path("compliance/", matrix, name="compliance"),
    path("compliance/export/", export, name="compliance_export"),
    path("health/<str:code>/", health, name="health"),
    path("health/<str:code>/study-records/", add_study_record, name="study_record_add"),
    path("health/<str:code>/heart-talks/", add_heart_talk, name="heart_talk_add"),
    path("health/<str:code>/study-records/file/", study_record_file, name="study_record_file"),
]
