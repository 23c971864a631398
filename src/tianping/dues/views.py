"""党费 pages: a month's dues, the pay-sheet upload, the register, arrears, settings, one's own.

A month's page shows totals and downloads the Excel sheet; the register updates row by row
(HTMX); a member is sent to their own dues and sees nothing else.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import requires
from tianping.accounts.scoping import Scope, get_scoped, scoped
from tianping.dues import actions
from tianping.dues.forms import (
    BaseForm,
    ExcuseForm,
    PaymentForm,
    SettingForm,
    UploadForm,
    VoidForm,
)
from tianping.dues.models import DuesPayment
from tianping.dues.paysheet import PAY_COLUMNS, PayPlan, parse_pay_sheet, write_dues_sheet
from tianping.dues.queries import (
    MonthSheet,
    arrears,
    month_sheet,
    own_dues,
    person_row,
    setting_rounding,
)
from tianping.dues.rules import (
    ARREARS_MONTHS,
    BACK_PAY_MONTHS,
    DuesCategory,
    Rounding,
    add_months,
    month_code,
    month_of,
    parse_month,
)
from tianping.lib import uploads
from tianping.lib.errors import add_errors, error_text
from tianping.lib.pickers import picked_key
from tianping.lib.sheets import employee_no_q, table_bytes
from tianping.orgs.actions import do_map_values
from tianping.orgs.models import COURT_KINDS, Org, OrgKind
from tianping.people.models import Person

# Dues are reckoned for a court or a party organisation holding members (not a group).
DUES_ORG_KINDS = COURT_KINDS | {
    OrgKind.PARTY_COMMITTEE,
    OrgKind.GENERAL_BRANCH,
    OrgKind.BRANCH,
}
BRANCH_KINDS = (OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH)
# What the filters' pickers search (lib/pickers.py): the organisations dues are reckoned for.
PICKED_ORG_KINDS = ",".join(sorted(DUES_ORG_KINDS))
PICKED_BRANCH_KINDS = ",".join(BRANCH_KINDS)
PAGE_SIZE = 100
SESSION_KEY = "tianping_dues_uploads"
STALE_SECONDS = 24 * 3600
PREVIEW_LIMIT = 500
# The arrears page lists every flagged member, and the longest of the shorter runs.
OTHERS_SHOWN = 200


# ---------------------------------------------------------------------------------------
# Parameters


def _dues_orgs(scope: Scope) -> Any:
    return scoped(scope, Org.objects.filter(kind__in=DUES_ORG_KINDS))


def _root(request: AuthenticatedHttpRequest, name: str = "court") -> Org | None:
    """The organisation asked for (404 when outside the scope), else the scope's own node
    when dues are reckoned there, else the first court the scope sees."""
    scope = request.scope
    code = picked_key(request.GET.get(name) or request.POST.get(name) or "")
    if code:
        return get_scoped(scope, _dues_orgs(scope), code=code)
    if scope.root_id is not None:
        own = _dues_orgs(scope).filter(pk=scope.root_id).first()
        if own is not None:
            return own
    return _dues_orgs(scope).filter(kind__in=COURT_KINDS).order_by("path").first()


def _branch(request: AuthenticatedHttpRequest, root: Org) -> Org | None:
    code = picked_key(request.GET.get("branch") or "")
    if not code or code == root.code:
        return None
    return get_scoped(
        request.scope,
        _dues_orgs(request.scope).filter(path__startswith=root.path, kind__in=BRANCH_KINDS),
        code=code,
    )


def _month(
    request: HttpRequest, name: str = "month", default: dt.date | None = None
) -> tuple[dt.date, str]:
    """The month asked for, or the default (this month) with the reason it was not used."""
    fallback = default or month_of(timezone.localdate())
    text = (request.GET.get(name) or "").strip()
    if not text:
        return fallback, ""
    try:
        return parse_month(text), ""
    except ValueError as e:
        return fallback, str(e)


def _has_branches(scope: Scope, root: Org) -> bool:
    return (
        _dues_orgs(scope)
        .filter(path__startswith=root.path, kind__in=BRANCH_KINDS, is_active=True)
        .exclude(pk=root.pk)
        .exists()
    )


def _query(**params: Any) -> str:
    return urlencode({k: v for k, v in params.items() if v})


def _next_url(request: AuthenticatedHttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback


def _no_org(request: AuthenticatedHttpRequest, title: str) -> HttpResponse:
    return render(
        request,
        "dues/no_org.html",
        {"title": title, "breadcrumbs": [("党费", None)]},
    )


def _sheet_context(
    request: AuthenticatedHttpRequest, root: Org, sheet: MonthSheet, branch: Org | None
) -> dict[str, Any]:
    page = Paginator(sheet.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    params = {
        "court": root.code,
        "month": month_code(sheet.month),
        "branch": branch.code if branch else "",
    }
    return {
        "root": root,
        "branch": branch,
        "sheet": sheet,
        "counts": sheet.counts,
        "page": page,
        "month_code": month_code(sheet.month),
        "prev_query": _query(**{**params, "month": month_code(add_months(sheet.month, -1))}),
        "next_query": _query(**{**params, "month": month_code(add_months(sheet.month, 1))}),
        "params": params,
        "query": _query(**params),
        "querystring_page": _query(**params) + "&",
        "hx_target": "#results",
        "org_kinds": PICKED_ORG_KINDS,
        "branch_kinds": PICKED_BRANCH_KINDS,
        "branches": _has_branches(request.scope, root),
        "can_manage": request.scope.can("dues.manage"),
        "rounding": Rounding(setting_rounding(root.court())).label,
    }


# ---------------------------------------------------------------------------------------
# A month's dues


@requires("membership.view")
def month(request: AuthenticatedHttpRequest) -> HttpResponse:
    """R3: every member's base, category, rate and dues of a month, with totals."""
    if request.scope.self_only:
        return redirect("dues:mine")
    root = _root(request)
    if root is None:
        return _no_org(request, "党费收缴")
    branch = _branch(request, root)
    when, bad_month = _month(request)
    sheet = month_sheet(root, when, scope=request.scope, org_filter=branch)
    context = _sheet_context(request, root, sheet, branch)
    context.update(
        bad_month=bad_month,
        breadcrumbs=[("党费", reverse("dues:month")), (f"{sheet.month:%Y年%m月}", None)],
    )
    if request.htmx and request.htmx.target == "results":
        return render(request, "dues/_month_results.html", context)
    return render(request, "dues/month.html", context)


@requires("membership.view")
def month_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The dues sheet of the month as Excel, the same columns the command line writes."""
    if request.scope.self_only:
        raise Http404
    root = _root(request)
    if root is None:
        raise Http404
    branch = _branch(request, root)
    when, _ = _month(request)
    sheet = month_sheet(root, when, scope=request.scope, org_filter=branch)
    buffer = io.BytesIO()
    write_dues_sheet(buffer, sheet)
    buffer.seek(0)
    name = (branch or root).code
    return uploads.xlsx_download(buffer, f"党费-{name}-{month_code(sheet.month)}.xlsx")


# ---------------------------------------------------------------------------------------
# Pay-sheet upload: upload → preview (every bad row, nothing written) → confirm


# The pay sheet waits between preview and confirm in the shared upload store (lib.uploads),
# like every other import; the month travels in the held entry.
PENDING = uploads.PendingUploads(SESSION_KEY)


def _courts(request: AuthenticatedHttpRequest) -> list[Org]:
    return uploads.courts_of(request)


def _court(request: AuthenticatedHttpRequest, code: str) -> Org:
    return uploads.court_of(request, code)


def _parse(source: Any, court: Org, month: str) -> PayPlan:
    """The shared upload flow's check: the month travels as text with the held upload."""
    return parse_pay_sheet(source, court, parse_month(month))


def _preview_context(plan: PayPlan, court: Org, filename: str) -> dict[str, Any]:
    sheet = plan.sheet() if plan.ok else None
    changes = {line.person.pk: plan.change(line) for line in plan.lines}
    counts = {"新增": 0, "修改": 0, "不变": 0}
    for line in plan.lines:
        if line.person.is_party_member:
            counts[plan.change(line)] += 1
    return {
        "plan": plan,
        "court": court,
        "month": plan.month,
        "filename": filename,
        "errors": plan.errors,
        "sheet": sheet,
        "rows": [(r, changes.get(r.person.pk, "")) for r in sheet.rows[:PREVIEW_LIMIT]]
        if sheet
        else [],
        "change_counts": counts,
        "limit": PREVIEW_LIMIT,
        "map_route": "dues:upload_map",
        "breadcrumbs": [
            ("党费", reverse("dues:month")),
            ("工资表导入", reverse("dues:upload")),
            ("预览", None),
        ],
    }


@requires("dues.manage")
def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, preview = uploads.upload_form(
        request,
        UploadForm,
        PENDING,
        _parse,
        _preview_context,
        "dues/upload_preview.html",
        initial={"month": month_of(timezone.localdate())},
    )
    if preview is not None:
        return preview
    return render(
        request,
        "dues/upload.html",
        {
            "form": form,
            "courts": _courts(request),
            "columns": PAY_COLUMNS,
            "breadcrumbs": [("党费", reverse("dues:month")), ("工资表导入", None)],
        },
    )


@requires("dues.manage")
@require_POST
def upload_confirm(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """Set the checked pay sheet's bases: now, or (a big sheet) by a task."""
    return uploads.confirm(
        request, PENDING, token, "tianping.dues.paysheet.write_pay_sheet", "dues:upload_summary"
    )


@requires("dues.manage")
def upload_summary(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """A confirmed pay sheet: its progress while a task writes it; then, written, the
    month's dues with the bases it set; refused, what is wrong now (nothing written)."""
    context = uploads.written(request, PENDING, token)
    court = context["court"]
    month = context["entry"].get("params", {}).get("month", "")
    when = parse_month(month)
    result = context.get("result")
    if result is not None:
        PENDING.forget(request, token)
    if result is not None and result.ok:
        messages.success(
            request,
            f"已按工资表核定{court.name}{when:%Y年%m月}起的党费基数：新增{result.created}人，"
            f"修改{result.updated}人，不变{result.unchanged}人。",
        )
        return redirect(
            reverse("dues:month") + "?" + _query(court=court.code, month=month_code(when))
        )
    if result is not None:
        context["form"] = UploadForm(_courts(request), initial={"court": court.code, "month": when})
    return render(
        request,
        "dues/upload_summary.html",
        {
            **context,
            "month": when,
            "breadcrumbs": [
                ("党费", reverse("dues:month")),
                ("工资表导入", reverse("dues:upload")),
                ("导入结果", None),
            ],
        },
    )


@requires("dues.manage")
@require_POST
def upload_map(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """Map the unknown words of a held pay sheet (a court's own 人员状态) to standard
    values, kept for the court, and check the same file again."""
    return uploads.map_values(
        request,
        token,
        UploadForm,
        PENDING,
        _parse,
        _preview_context,
        "dues/upload_preview.html",
        do_map_values,
    )


@requires("dues.manage")
def upload_progress(request: AuthenticatedHttpRequest) -> HttpResponse:
    """How far the check of this user's pay sheet has got (polled by the page)."""
    return uploads.progress(request)


@requires("dues.manage")
def upload_template(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """A pay sheet to fill in: the columns the upload reads, an example row, a drop-down."""
    sheet = table_bytes(
        list(PAY_COLUMNS),
        [["FY0001", "张三", "6500.00", DuesCategory.SERVING.label]],
        title="工资表",
        choices={"人员状态": [c.label for c in DuesCategory]},
    )
    return uploads.xlsx_download(sheet, "党费工资表模板.xlsx")


# ---------------------------------------------------------------------------------------
# The payment register


@requires("dues.manage")
def register(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Record the month's payments row by row (paid, paid by another member, back-paid)."""
    root = _root(request)
    if root is None:
        return _no_org(request, "党费登记")
    branch = _branch(request, root)
    when, bad_month = _month(request)
    sheet = month_sheet(root, when, scope=request.scope, org_filter=branch)
    context = _sheet_context(request, root, sheet, branch)
    context.update(
        bad_month=bad_month,
        today=timezone.localdate(),
        next=request.get_full_path(),
        breadcrumbs=[
            ("党费", reverse("dues:month") + "?" + context["query"]),
            ("收缴登记", None),
        ],
    )
    if request.htmx and request.htmx.target == "results":
        return render(request, "dues/_register_results.html", context)
    return render(request, "dues/register.html", context)


def _row_response(
    request: HttpRequest,
    person: Person,
    when: dt.date,
    *,
    form: Any = None,
    done: str = "",
    warnings: list[str] | None = None,
) -> HttpResponse:
    return render(
        request,
        "dues/_register_row.html",
        {
            "row": person_row(person, when),
            "form": form,
            "done": done,
            "warnings": warnings or [],
            "today": timezone.localdate(),
            "next": request.POST.get("next", ""),
            "month_code": month_code(when),
        },
    )


def _person(request: AuthenticatedHttpRequest, pk: Any) -> Person:
    return get_scoped(request.scope, Person.objects.select_related("court", "party_org"), pk=pk)


def _payer(request: AuthenticatedHttpRequest, person: Person, number: str) -> Person | None:
    number = number.strip()
    if not number:
        return None
    found = (
        scoped(request.scope, Person.objects.all())
        .filter(employee_no_q(number), court=person.court)
        .first()
    )
    if found is None:
        raise ValidationError({"payer": f"您的范围内没有工号为“{number}”的人员"})
    return found


def _back(request: AuthenticatedHttpRequest, person: Person, when: dt.date) -> str:
    fallback = reverse("dues:register") + "?" + _query(month=month_code(when))
    return _next_url(request, fallback)


@requires("dues.manage")
def pay(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Record one month (or a back-paid run of months) for one member."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = PaymentForm(request.POST)
    if not form.is_valid():
        if "person" not in form.cleaned_data:
            raise Http404
        person = _person(request, form.cleaned_data["person"])
        when = form.cleaned_data.get("month") or month_of(timezone.localdate())
        if request.htmx:
            return _row_response(request, person, when, form=form)
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, f"{person.name}：{e}")
        return redirect(_back(request, person, when))
    data = form.cleaned_data
    person = _person(request, data["person"])
    first = data["month"]
    last = data.get("through") or first
    months = []
    current = first
    while current <= last:
        months.append(current)
        current = add_months(current, 1)
    try:
        payer = _payer(request, person, data.get("payer") or "")
        result = actions.do_record_payments(
            request.user,
            person,
            months,
            paid_on=data["paid_on"],
            amount_fen=form.amount_fen(),
            payer=payer,
            note=data.get("note") or "",
        )
    except ValidationError as e:
        add_errors(form, e)
        if request.htmx:
            return _row_response(request, person, first, form=form)
        for errs in form.errors.values():
            for message in errs:
                messages.error(request, f"{person.name}：{message}")
        return redirect(_back(request, person, first))
    span = f"{first:%Y年%m月}" if first == last else f"{first:%Y年%m月}至{last:%Y年%m月}"
    done = f"已登记{person.name}{span}的党费。"
    if request.htmx:
        return _row_response(request, person, first, done=done, warnings=result.warnings)
    messages.success(request, done)
    for warning in result.warnings:
        messages.warning(request, warning)
    return redirect(_back(request, person, first))


@requires("dues.manage")
def void(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Void a payment recorded by mistake; it stays in the register, struck through."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = VoidForm(request.POST)
    pk = request.POST.get("payment", "")
    payment = get_scoped(
        request.scope, DuesPayment.objects.select_related("person", "person__court"), pk=pk
    )
    person = payment.person
    if form.is_valid():
        try:
            actions.do_void_payment(request.user, payment, form.cleaned_data["reason"])
        except ValidationError as e:
            add_errors(form, e)
    if form.errors:
        if request.htmx:
            return _row_response(request, person, payment.month, form=form)
        for errs in form.errors.values():
            for message in errs:
                messages.error(request, f"{person.name}：{message}")
        return redirect(_back(request, person, payment.month))
    done = f"已作废{person.name}{payment.month:%Y年%m月}的交纳记录。"
    if request.htmx:
        return _row_response(request, person, payment.month, done=done)
    messages.success(request, done)
    return redirect(_back(request, person, payment.month))


@requires("dues.manage")
def set_base(request: AuthenticatedHttpRequest) -> HttpResponse:
    """R3.3: a member's base from a month on (a pay change, or the first base on file)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = BaseForm(request.POST)
    if not form.is_valid():
        if "person" not in form.cleaned_data:
            raise Http404
        person = _person(request, form.cleaned_data["person"])
        when = form.cleaned_data.get("since") or month_of(timezone.localdate())
        if request.htmx:
            return _row_response(request, person, when, form=form)
        for errs in form.errors.values():
            for message in errs:
                messages.error(request, f"{person.name}：{message}")
        return redirect(_back(request, person, when))
    data = form.cleaned_data
    person = _person(request, data["person"])
    try:
        actions.do_set_base(request.user, person, data["since"], form.base_fen(), data["category"])
    except ValidationError as e:
        add_errors(form, e)
        if request.htmx:
            return _row_response(request, person, data["since"], form=form)
        messages.error(request, error_text(form.errors))
        return redirect(_back(request, person, data["since"]))
    done = f"已核定{person.name}自{data['since']:%Y年%m月}起的党费基数。"
    if request.htmx:
        return _row_response(request, person, data["since"], done=done)
    messages.success(request, done)
    return redirect(_back(request, person, data["since"]))


# ---------------------------------------------------------------------------------------
# Arrears


@requires("membership.view")
def arrears_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """R3.3 (党章第九条): members with months unpaid in a row; six or more is flagged."""
    if request.scope.self_only:
        return redirect("dues:mine")
    root = _root(request)
    if root is None:
        return _no_org(request, "党费欠缴")
    # The month in progress is not yet overdue: by default the run ends last month.
    last_month = add_months(month_of(timezone.localdate()), -1)
    when, bad_month = _month(request, default=last_month)
    found = arrears(root, when, scope=request.scope)
    flagged = [a for a in found if a.flagged]
    others = [a for a in found if not a.flagged]
    params = {"court": root.code, "month": month_code(when)}
    return render(
        request,
        "dues/arrears.html",
        {
            "root": root,
            "month": when,
            "month_code": month_code(when),
            "bad_month": bad_month,
            "flagged": flagged,
            "others": others[:OTHERS_SHOWN],
            "others_count": len(others),
            "others_shown": OTHERS_SHOWN,
            "threshold": ARREARS_MONTHS,
            "back_pay_months": BACK_PAY_MONTHS,
            "org_kinds": PICKED_ORG_KINDS,
            "can_manage": request.scope.can("dues.manage"),
            "today": timezone.localdate(),
            "next": request.get_full_path(),
            "query": _query(**params),
            "breadcrumbs": [
                ("党费", reverse("dues:month") + "?" + _query(court=root.code)),
                ("欠缴提醒", None),
            ],
        },
    )


@requires("dues.manage")
def excuse(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Record the reason months were not paid (缓交/免交), so they are not flagged."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ExcuseForm(request.POST)
    valid = form.is_valid()
    if "person" not in form.cleaned_data:
        raise Http404
    person = _person(request, form.cleaned_data["person"])
    fallback = reverse("dues:arrears")
    if valid:
        data = form.cleaned_data
        try:
            actions.do_record_excuse(
                request.user, person, data["first_month"], data.get("last_month"), data["reason"]
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, f"已记录{person.name}未交党费的原因。")
            return redirect(_next_url(request, fallback))
    for errs in form.errors.values():
        for message in errs:
            messages.error(request, f"{person.name}：{message}")
    return redirect(_next_url(request, fallback))


# ---------------------------------------------------------------------------------------
# A court's setting


@requires("dues.manage")
def setting(request: AuthenticatedHttpRequest) -> HttpResponse:
    """R3.3 (configurable): how the court rounds dues to the fen."""
    courts = _courts(request)
    code = (request.GET.get("court") or request.POST.get("court") or "").strip()
    court = _court(request, code) if code else (courts[0] if courts else None)
    if court is None:
        return _no_org(request, "党费设置")
    current = setting_rounding(court)
    form = SettingForm(request.POST or None, initial={"rounding": current})
    if request.method == "POST" and form.is_valid():
        actions.do_set_rounding(request.user, court, form.cleaned_data["rounding"])
        messages.success(request, f"已保存{court.name}的党费设置。")
        return redirect(reverse("dues:setting") + "?" + _query(court=court.code))
    return render(
        request,
        "dues/setting.html",
        {
            "form": form,
            "court": court,
            "courts": courts,
            "breadcrumbs": [
                ("党费", reverse("dues:month") + "?" + _query(court=court.code)),
                ("党费设置", None),
            ],
        },
    )


# ---------------------------------------------------------------------------------------
# A member's own dues


@requires("membership.view")
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A member's own months: base, rate, dues, and whether and how each was paid."""
    crumbs = [("我的党费", None)]
    person_id = request.user.person_id
    if person_id is None:
        return render(request, "dues/no_person.html", {"breadcrumbs": crumbs})
    person = Person.objects.select_related("court", "party_org").get(pk=person_id)
    today = timezone.localdate()
    text = request.GET.get("year", "")
    year = int(text) if text.isdigit() and 2000 <= int(text) <= today.year else today.year
    data = own_dues(person, year, today)
    return render(
        request,
        "dues/mine.html",
        {
            "own": data,
            "person": person,
            "year": year,
            "years": list(range(today.year, today.year - 5, -1)),
            "threshold": ARREARS_MONTHS,
            "breadcrumbs": crumbs,
        },
    )


routes = [
    path("", month, name="month"),
    path("export/", month_export, name="month_export"),
    path("upload/", upload, name="upload"),
    # Before the token route, which would otherwise take "template" for a token.
    path("upload/template/", upload_template, name="upload_template"),
    path("upload/progress/", upload_progress, name="upload_progress"),
    path("upload/<str:token>/confirm/", upload_confirm, name="upload_confirm"),
    path("upload/<str:token>/map/", upload_map, name="upload_map"),
    path("upload/<str:token>/", upload_summary, name="upload_summary"),
    path("register/", register, name="register"),
    path("register/pay/", pay, name="pay"),
    path("register/void/", void, name="void"),
    path("register/base/", set_base, name="set_base"),
    path("arrears/", arrears_view, name="arrears"),
    path("arrears/excuse/", excuse, name="excuse"),
    path("setting/", setting, name="setting"),
    path("mine/", mine, name="mine"),
]
