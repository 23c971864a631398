"""Pages of community work (社区工作): the 双报到 overview and each member's record, partners
and co-building agreements (结对共建), and the list of practical deeds (我为群众办实事). Thin:
reads in `queries.community`, writes in `actions.community`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import requires
from tianping.accounts.scoping import Scope, get_scoped, scoped
from tianping.activities.models import Activity
from tianping.lib import uploads
from tianping.lib.errors import add_errors, error_text
from tianping.lib.pickers import org_pick_field, person_pick_field, picked_key
from tianping.lib.sheets import table_bytes
from tianping.orgs.models import COURT_KINDS, Org, OrgKind
from tianping.people.models import PARTY_STATUSES, Person
from tianping.service.actions import community as actions
from tianping.service.models.community import (
    SERVICE_KINDS,
    Agreement,
    AgreementStatus,
    CommunityRegistration,
    CommunityService,
    Deed,
    DeedStatus,
    Partner,
    PartnerKind,
)
from tianping.service.queries import community as queries

PAGE_SIZE = 50
BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.PARTY_COMMITTEE)
DEED_ORG_KINDS = (*sorted(COURT_KINDS), *BRANCH_KINDS)
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [("服务与品牌", reverse("service:home")), *extra]


def _year(request: AuthenticatedHttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _years() -> list[int]:
    this = timezone.localdate().year
    return list(range(this, this - 6, -1))


def _paged(request: AuthenticatedHttpRequest, items: Any) -> tuple[Any, str]:
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, (params.urlencode() + "&") if params else ""


def _any(rows: Any) -> list[Any]:
    """Rows with their annotations (which the type checker cannot see)."""
    return list(rows)


def _htmx_results(request: AuthenticatedHttpRequest) -> bool:
    return bool(request.htmx and request.htmx.target == "results")


def _can_change(scope: Scope, org: Org) -> bool:
    """Whoever records or manages community work, for an organisation inside their subtree."""
    return (scope.can("service.record") or scope.can("service.manage")) and scope.covers_path(
        org.path
    )


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _a_year_on(day: dt.date) -> dt.date:
    """The last day of a one-year term starting on `day` (D1: 29 February falls on 28)."""
    try:
        return day.replace(year=day.year + 1) - dt.timedelta(days=1)
    except ValueError:
        return dt.date(day.year + 1, 2, 28)


def _fail(request: AuthenticatedHttpRequest, prefix: str, error: ValidationError) -> None:
    messages.error(request, f"{prefix}：{error_text(error)}")


# ---------------------------------------------------------------------------------------
# 双报到: the overview and one member's record


def _branches(scope: Scope) -> list[Org]:
    return list(
        scoped(scope, Org.objects.filter(kind__in=BRANCH_KINDS, is_active=True)).order_by("path")
    )


def _member_filter(request: AuthenticatedHttpRequest) -> tuple[queries.MemberFilter, list[Org]]:
    branches = _branches(request.scope)
    code = picked_key(request.GET.get("org", ""))[:40]
    org = next((b for b in branches if b.code == code), None)
    registered = request.GET.get("registered", "")
    return (
        queries.MemberFilter(
            year=_year(request),
            org=org,
            registered=registered if registered in ("yes", "no") else "",
            q=request.GET.get("q", "").strip()[:50],
        ),
        branches,
    )


@requires("service.view")
def registrations(request: AuthenticatedHttpRequest) -> HttpResponse:
    """双报到: every party member in scope, registered or not, with their services this year."""
    f, branches = _member_filter(request)
    people = queries.member_overview(request.scope, f)
    page, querystring = _paged(request, people)
    context = {
        "f": f,
        "branches": branches,
        "years": _years(),
        "totals": queries.overview_totals(people, f.year),
        "page": page,
        "querystring_page": querystring,
        "hx_target": "#results",
        "breadcrumbs": _crumbs(("双报到", None)),
    }
    if _htmx_results(request):
        return render(request, "service/community/_registrations.html", context)
    return render(request, "service/community/registrations.html", context)


@requires("service.view")
def registrations_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    f, _ = _member_filter(request)
    rows = [
        [
            p.employee_no,
            p.name,
            p.court.name,
            p.party_org.name if p.party_org else "",
            p.community or "未报到",
            p.district,
            p.services,
            p.service_hours,
        ]
        for p in _any(queries.member_overview(request.scope, f))
    ]
    headers = [
        "工号",
        "姓名",
        "法院",
        "党组织",
        "报到社区",
        "所属街道/区",
        "服务次数",
        "服务时长（小时）",
    ]
    return uploads.xlsx_download(
        table_bytes(headers, rows, title="双报到"), f"双报到情况-{f.year}年.xlsx"
    )


class RegisterForm(forms.Form):
    community = forms.CharField(label="报到社区", max_length=100)
    district = forms.CharField(label="所属街道/区", max_length=100, required=False)
    registered_on = forms.DateField(label="报到日期", widget=DATE_INPUT)


class EndForm(forms.Form):
    ended_on = forms.DateField(label="结束日期", widget=DATE_INPUT)
    reason = forms.CharField(label="结束原因", max_length=200, required=False)


class ServiceForm(forms.Form):
    on = forms.DateField(label="服务日期", widget=DATE_INPUT)
    content = forms.CharField(label="服务内容", max_length=200)
    hours = forms.DecimalField(
        label="服务时长（小时）", min_value=0.1, max_value=24, decimal_places=1, max_digits=4
    )
    activity = forms.TypedChoiceField(
        label="关联活动", required=False, coerce=int, empty_value=None
    )

    def __init__(self, activities: list[Activity], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].choices = [("", "（不关联）")] + [  # type: ignore[attr-defined]
            (a.pk, f"{a.on:%Y-%m-%d} {a.title}") for a in activities
        ]


def _member(request: AuthenticatedHttpRequest, person_id: int) -> Person:
    return get_scoped(
        request.scope, Person.objects.select_related("court", "party_org"), pk=person_id
    )


def _may_record_for(request: AuthenticatedHttpRequest, person: Person) -> bool:
    """A member records their own; a secretary or officer records for members they see."""
    if person.pk == request.user.person_id:
        return True
    return request.scope.can("service.record")


@requires("service.view")
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.person_id is None:
        messages.info(request, "当前账户未关联人员档案，请查看双报到情况")
        return redirect("service:community_registrations")
    return redirect("service:community_person", person_id=request.user.person_id)


@requires("service.view")
def person_record(request: AuthenticatedHttpRequest, person_id: int) -> HttpResponse:
    """One member's 双报到: registrations, services by year, and the forms to add to them."""
    person = _member(request, person_id)
    year = _year(request)
    history = list(queries.registrations(request.scope, person))
    current = next((r for r in history if r.ended_on is None), None)
    may_record = _may_record_for(request, person) and person.political_status in PARTY_STATUSES
    done = list(queries.services(request.scope, person=person, year=year))
    activities = (
        queries.own_service_activities(person) if may_record and current is not None else []
    )
    today = timezone.localdate()
    return render(
        request,
        "service/community/person.html",
        {
            "person": person,
            "year": year,
            "years": _years(),
            "history": history,
            "current": current,
            "services": done,
            "hours": sum((s.hours for s in done if s.withdrawn_at is None), 0),
            "may_record": may_record,
            "register_form": RegisterForm(initial={"registered_on": today})
            if may_record and current is None
            else None,
            "end_form": EndForm(initial={"ended_on": today}) if may_record and current else None,
            "service_form": ServiceForm(activities, initial={"on": today})
            if may_record and current
            else None,
            "breadcrumbs": _crumbs(
                ("双报到", reverse("service:community_registrations")), (person.name, None)
            ),
        },
    )


@requires("service.view")
def register(request: AuthenticatedHttpRequest, person_id: int) -> HttpResponse:
    person = _member(request, person_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not _may_record_for(request, person):
        raise PermissionDenied("service.record")
    form = RegisterForm(request.POST)
    if not form.is_valid():
        messages.error(request, "报到未保存：" + error_text(form.errors))
    else:
        try:
            actions.do_register(request.user, person, **form.cleaned_data)
        except ValidationError as e:
            _fail(request, "报到未保存", e)
        else:
            messages.success(request, f"已登记{person.name}到{form.cleaned_data['community']}报到")
    return redirect("service:community_person", person_id=person.pk)


def _registration(request: AuthenticatedHttpRequest, registration_id: int) -> CommunityRegistration:
    return get_scoped(
        request.scope, CommunityRegistration.objects.select_related("person"), pk=registration_id
    )


@requires("service.view")
def end_registration(request: AuthenticatedHttpRequest, registration_id: int) -> HttpResponse:
    registration = _registration(request, registration_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not _may_record_for(request, registration.person):
        raise PermissionDenied("service.record")
    form = EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, "未保存：" + error_text(form.errors))
    else:
        try:
            actions.do_end_registration(
                request.user,
                registration,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as e:
            _fail(request, "未保存", e)
        else:
            messages.success(request, f"已结束在{registration.community}的报到")
    return redirect("service:community_person", person_id=registration.person_id)


@requires("service.view")
def add_service(request: AuthenticatedHttpRequest, registration_id: int) -> HttpResponse:
    registration = _registration(request, registration_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    person = registration.person
    if not _may_record_for(request, person):
        raise PermissionDenied("service.record")
    activities = queries.own_service_activities(person)
    form = ServiceForm(activities, request.POST)
    if not form.is_valid():
        messages.error(request, "服务记录未保存：" + error_text(form.errors))
    else:
        data = form.cleaned_data
        activity = next((a for a in activities if a.pk == data["activity"]), None)
        try:
            actions.do_record_service(
                request.user,
                registration,
                on=data["on"],
                content=data["content"],
                hours=data["hours"],
                activity=activity,
            )
        except ValidationError as e:
            _fail(request, "服务记录未保存", e)
        else:
            messages.success(request, f"已登记{data['on']:%Y-%m-%d}的社区服务")
    return redirect("service:community_person", person_id=person.pk)


@requires("service.view")
def withdraw_service(request: AuthenticatedHttpRequest, service_id: int) -> HttpResponse:
    service = get_scoped(
        request.scope, CommunityService.objects.select_related("person"), pk=service_id
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not _may_record_for(request, service.person):
        raise PermissionDenied("service.record")
    try:
        actions.do_withdraw_service(
            request.user, service, reason=request.POST.get("reason", "")[:200]
        )
    except ValidationError as e:
        _fail(request, "未撤销", e)
    else:
        messages.success(request, "已撤销该服务记录")
    return redirect("service:community_person", person_id=service.person_id)


# ---------------------------------------------------------------------------------------
# 结对共建: partners and agreements


class PartnerForm(forms.Form):
    court = forms.ChoiceField(label="法院")
    name = forms.CharField(label="单位名称", max_length=100)
    kind = forms.ChoiceField(label="单位类型", choices=PartnerKind.choices)
    address = forms.CharField(label="地址", max_length=200, required=False)
    contact = forms.CharField(label="联系人", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)

    def __init__(self, courts: list[Org], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["court"].choices = [(c.code, c.name) for c in courts]  # type: ignore[attr-defined]


@requires("service.view")
def partners(request: AuthenticatedHttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    f = queries.PartnerFilter(
        kind=kind if kind in PartnerKind.values else "", q=request.GET.get("q", "").strip()[:50]
    )
    found = queries.partners(request.scope, f)
    page, querystring = _paged(request, found)
    can_manage = request.scope.can("service.manage")
    context = {
        "f": f,
        "kinds": PartnerKind.choices,
        "page": page,
        "querystring_page": querystring,
        "hx_target": "#results",
        "form": PartnerForm(uploads.courts_of(request)) if can_manage else None,
        "breadcrumbs": _crumbs(
            ("结对共建", reverse("service:community_agreements")), ("共建单位", None)
        ),
    }
    if _htmx_results(request):
        return render(request, "service/community/_partners.html", context)
    return render(request, "service/community/partners.html", context)


@requires("service.manage")
@require_POST
def partner_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PartnerForm(uploads.courts_of(request), request.POST)
    if not form.is_valid():
        messages.error(request, "共建单位未保存：" + error_text(form.errors))
        return redirect("service:community_partners")
    data = dict(form.cleaned_data)
    court = uploads.court_of(request, data.pop("court"))
    try:
        partner = actions.do_add_partner(request.user, court, **data)
    except ValidationError as e:
        _fail(request, "共建单位未保存", e)
        return redirect("service:community_partners")
    messages.success(request, f"已登记共建单位“{partner.name}”")
    return redirect("service:community_partner", partner_id=partner.pk)


@requires("service.view")
def partners_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    rows = [
        [
            p.court.name,
            p.name,
            p.get_kind_display(),
            p.address,
            p.contact,
            p.phone if request.scope.can("service.manage") else "",
            p.agreement_count,
            p.agreements_in_force,
        ]
        for p in _any(queries.partners(request.scope))
    ]
    headers = ["法院", "单位名称", "单位类型", "地址", "联系人", "联系电话", "协议数", "履行中协议"]
    return uploads.xlsx_download(table_bytes(headers, rows, title="共建单位"), "共建单位.xlsx")


class AgreementForm(forms.Form):
    org = org_pick_field(label="签约党组织", queryset=Org.objects.none())
    title = forms.CharField(label="协议名称", max_length=200)
    signed_on = forms.DateField(label="签订日期", widget=DATE_INPUT)
    starts_on = forms.DateField(label="起始日期", widget=DATE_INPUT)
    ends_on = forms.DateField(label="截止日期", widget=DATE_INPUT)
    content = forms.CharField(
        label="共建内容", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, orgs: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]


def _signers(request: AuthenticatedHttpRequest, partner: Partner) -> Any:
    return scoped(
        request.scope,
        Org.objects.filter(
            path__startswith=partner.court.path,
            kind__in=(
                *COURT_KINDS,
                OrgKind.PARTY_COMMITTEE,
                OrgKind.GENERAL_BRANCH,
                OrgKind.BRANCH,
            ),
            is_active=True,
        ),
    )


def _partner(request: AuthenticatedHttpRequest, partner_id: int) -> Partner:
    return get_scoped(request.scope, Partner.objects.select_related("court"), pk=partner_id)


@requires("service.view")
def partner_detail(request: AuthenticatedHttpRequest, partner_id: int) -> HttpResponse:
    partner = _partner(request, partner_id)
    can_manage = request.scope.can("service.manage") and request.scope.covers_path(
        partner.court.path
    )
    today = timezone.localdate()
    return render(
        request,
        "service/community/partner.html",
        {
            "partner": partner,
            "agreements": list(
                queries.agreements(request.scope, queries.AgreementFilter(partner=partner))
            ),
            "show_phone": request.scope.can("service.manage"),
            "form": AgreementForm(
                _signers(request, partner),
                initial={"signed_on": today, "starts_on": today, "ends_on": _a_year_on(today)},
            )
            if can_manage
            else None,
            "breadcrumbs": _crumbs(
                ("结对共建", reverse("service:community_agreements")),
                ("共建单位", reverse("service:community_partners")),
                (partner.name, None),
            ),
        },
    )


@requires("service.manage")
def agreement_sign(request: AuthenticatedHttpRequest, partner_id: int) -> HttpResponse:
    partner = _partner(request, partner_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.scope.covers_path(partner.court.path):
        raise PermissionDenied("service.manage")
    form = AgreementForm(_signers(request, partner), request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        org = data.pop("org")
        try:
            agreement = actions.do_sign_agreement(request.user, partner, org, **data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, f"已登记共建协议“{agreement.title}”")
            return redirect("service:community_agreement", agreement_id=agreement.pk)
    messages.error(request, "共建协议未保存：" + error_text(form.errors))
    return redirect("service:community_partner", partner_id=partner.pk)


def _agreement_filter(request: AuthenticatedHttpRequest) -> queries.AgreementFilter:
    status, kind = request.GET.get("status", ""), request.GET.get("kind", "")
    return queries.AgreementFilter(
        status=status if status in AgreementStatus.values else "",
        kind=kind if kind in PartnerKind.values else "",
        q=request.GET.get("q", "").strip()[:50],
    )


@requires("service.view")
def agreements(request: AuthenticatedHttpRequest) -> HttpResponse:
    """结对共建: agreements with their partner, dates, status and joint activities."""
    f = _agreement_filter(request)
    found = queries.agreements(request.scope, f)
    page, querystring = _paged(request, found)
    context = {
        "f": f,
        "statuses": AgreementStatus.choices,
        "kinds": PartnerKind.choices,
        "page": page,
        "querystring_page": querystring,
        "hx_target": "#results",
        "breadcrumbs": _crumbs(("结对共建", None)),
    }
    if _htmx_results(request):
        return render(request, "service/community/_agreements.html", context)
    return render(request, "service/community/agreements.html", context)


@requires("service.view")
def agreements_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    rows = [
        [
            a.title,
            a.partner.name,
            a.partner.get_kind_display(),
            a.org.name,
            a.signed_on,
            a.starts_on,
            a.ends_on,
            AgreementStatus(a.state).label,
            a.joint_count,
            a.content,
        ]
        for a in _any(queries.agreements(request.scope, _agreement_filter(request)))
    ]
    headers = [
        "协议名称",
        "共建单位",
        "单位类型",
        "签约党组织",
        "签订日期",
        "起始日期",
        "截止日期",
        "状态",
        "共建活动次数",
        "共建内容",
    ]
    return uploads.xlsx_download(table_bytes(headers, rows, title="共建协议"), "结对共建协议.xlsx")


def _agreement(request: AuthenticatedHttpRequest, agreement_id: int) -> Agreement:
    return get_scoped(
        request.scope,
        Agreement.objects.select_related("partner", "org", "court"),
        pk=agreement_id,
    )


class LinkForm(forms.Form):
    activity = forms.TypedChoiceField(label="活动", coerce=int)

    def __init__(self, activities: list[Activity], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].choices = [  # type: ignore[attr-defined]
            (a.pk, f"{a.on:%Y-%m-%d} {a.org.name} {a.title}") for a in activities
        ]


def _agreement_activities(
    request: AuthenticatedHttpRequest, agreement: Agreement
) -> list[Activity]:
    return [
        a
        for a in queries.service_activities(request.scope, agreement.court, limit=300)
        if agreement.starts_on <= a.on <= agreement.ends_on
    ][:100]


@requires("service.view")
def agreement_detail(request: AuthenticatedHttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    may_link = _can_change(request.scope, agreement.org) or (
        request.scope.can("service.record") and request.scope.covers_path(agreement.court.path)
    )
    return render(
        request,
        "service/community/agreement.html",
        {
            "agreement": agreement,
            "state": AgreementStatus(agreement.status_on(timezone.localdate())),
            "joint": list(queries.joint_activities(agreement)),
            "form": LinkForm(_agreement_activities(request, agreement)) if may_link else None,
            "breadcrumbs": _crumbs(
                ("结对共建", reverse("service:community_agreements")), (agreement.title, None)
            ),
        },
    )


@requires("service.view")
def agreement_link(request: AuthenticatedHttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not (request.scope.can("service.record") or request.scope.can("service.manage")):
        raise PermissionDenied("service.record")
    activity = _picked_activity(request, agreement.court)
    if activity is not None:
        try:
            actions.do_link_joint_activity(request.user, agreement, activity)
        except ValidationError as e:
            _fail(request, "未关联", e)
        else:
            messages.success(request, f"已关联共建活动“{activity.title}”")
    return redirect("service:community_agreement", agreement_id=agreement.pk)


def _picked_activity(request: AuthenticatedHttpRequest, court: Org) -> Activity | None:
    try:
        pk = int(request.POST.get("activity", ""))
    except ValueError:
        pk = 0
    activity = (
        scoped(request.scope, Activity.objects.filter(pk=pk, kind__in=SERVICE_KINDS))
        .filter(org__path__startswith=court.path)
        .select_related("org")
        .first()
        if pk > 0
        else None
    )
    if activity is None:
        messages.error(request, "请选择本院的服务群众类活动")
    return activity


# ---------------------------------------------------------------------------------------
# 我为群众办实事


def _deed_filter(request: AuthenticatedHttpRequest) -> queries.DeedFilter:
    status = request.GET.get("status", "")
    return queries.DeedFilter(
        year=_year(request),
        status=status if status in DeedStatus.values else "",
        overdue=request.GET.get("overdue") == "1",
        q=request.GET.get("q", "").strip()[:50],
    )


class DeedForm(forms.Form):
    org = org_pick_field(label="承诺单位", kinds=DEED_ORG_KINDS, queryset=Org.objects.none())
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="事项", max_length=200)
    description = forms.CharField(
        label="具体内容", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = person_pick_field(label="责任人", queryset=Person.objects.none())
    deadline = forms.DateField(label="完成时限", widget=DATE_INPUT)

    def __init__(self, scope: Scope, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = scoped(  # type: ignore[attr-defined]
            scope, Org.objects.filter(kind__in=DEED_ORG_KINDS, is_active=True)
        )
        self.fields["owner"].queryset = scoped(scope, Person.objects.serving())  # type: ignore[attr-defined]


def _may_promise(scope: Scope) -> bool:
    return scope.can("service.record") or scope.can("service.manage")


@requires("service.view")
def deeds(request: AuthenticatedHttpRequest) -> HttpResponse:
    """我为群众办实事: the list, the overdue plainly marked, and the counts per court."""
    f = _deed_filter(request)
    found = queries.deeds(request.scope, f)
    page, querystring = _paged(request, found)
    counts = queries.deed_counts(request.scope, f.year or timezone.localdate().year)
    context = {
        "f": f,
        "years": _years(),
        "statuses": DeedStatus.choices,
        "counts": counts,
        "summary": queries.summary(counts),
        "page": page,
        "querystring_page": querystring,
        "hx_target": "#results",
        "form": DeedForm(request.scope, initial={"year": f.year})
        if _may_promise(request.scope)
        else None,
        "breadcrumbs": _crumbs(("我为群众办实事", None)),
    }
    if _htmx_results(request):
        return render(request, "service/community/_deeds.html", context)
    return render(request, "service/community/deeds.html", context)


@requires("service.view")
@require_POST
def deed_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not _may_promise(request.scope):
        raise PermissionDenied("service.record")
    form = DeedForm(request.scope, request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        org = data.pop("org")
        try:
            deed = actions.do_promise_deed(request.user, org, **data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, f"已将“{deed.title}”列入办实事清单")
            return redirect("service:community_deed", deed_id=deed.pk)
    messages.error(request, "事项未保存：" + error_text(form.errors))
    return redirect("service:community_deeds")


@requires("service.view")
def deeds_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    f = _deed_filter(request)
    rows = [
        [
            d.year,
            d.org.name,
            d.title,
            d.description,
            d.owner.name,
            d.deadline,
            d.get_status_display(),
            "是" if d.is_overdue else "",
            d.done_on,
            d.completion_note,
            d.delivered,
        ]
        for d in _any(queries.deeds(request.scope, f))
    ]
    headers = [
        "年度",
        "承诺单位",
        "事项",
        "具体内容",
        "责任人",
        "完成时限",
        "状态",
        "逾期",
        "办结日期",
        "办结情况",
        "关联活动数",
    ]
    return uploads.xlsx_download(
        table_bytes(headers, rows, title="办实事清单"), f"我为群众办实事清单-{f.year}年.xlsx"
    )


def _deed(request: AuthenticatedHttpRequest, deed_id: int) -> Deed:
    return get_scoped(
        request.scope, Deed.objects.select_related("org", "court", "owner"), pk=deed_id
    )


def _may_move(request: AuthenticatedHttpRequest, deed: Deed) -> bool:
    return _can_change(request.scope, deed.org) or deed.owner_id == request.user.person_id


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="新状态", choices=DeedStatus.choices[1:])
    on = forms.DateField(label="日期", widget=DATE_INPUT)
    note = forms.CharField(label="进展说明", max_length=500, required=False)
    completion_note = forms.CharField(
        label="办结情况",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="办结时填写",
    )


@requires("service.view")
def deed_detail(request: AuthenticatedHttpRequest, deed_id: int) -> HttpResponse:
    deed = _deed(request, deed_id)
    today = timezone.localdate()
    may_move = _may_move(request, deed)
    return render(
        request,
        "service/community/deed.html",
        {
            "deed": deed,
            "overdue": deed.overdue_on(today),
            "history": list(queries.deed_history(deed)),
            "deliveries": list(queries.deed_deliveries(deed)),
            "status_form": StatusForm(initial={"on": today})
            if may_move and deed.status in (DeedStatus.NOT_STARTED, DeedStatus.IN_PROGRESS)
            else None,
            "link_form": LinkForm(queries.service_activities(request.scope, deed.court))
            if may_move
            else None,
            "breadcrumbs": _crumbs(
                ("我为群众办实事", reverse("service:community_deeds")), (deed.title, None)
            ),
        },
    )


@requires("service.view")
def deed_status(request: AuthenticatedHttpRequest, deed_id: int) -> HttpResponse:
    deed = _deed(request, deed_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not _may_move(request, deed):
        raise PermissionDenied("service.record")
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "进展未保存：" + error_text(form.errors))
    else:
        data = form.cleaned_data
        try:
            deed = actions.do_set_deed_status(
                request.user,
                deed,
                data["status"],
                on=data["on"],
                note=data["note"],
                completion_note=data["completion_note"],
            )
        except ValidationError as e:
            _fail(request, "进展未保存", e)
        else:
            messages.success(request, f"“{deed.title}”已更新为{deed.get_status_display()}")
    return redirect("service:community_deed", deed_id=deed.pk)


@requires("service.view")
def deed_link(request: AuthenticatedHttpRequest, deed_id: int) -> HttpResponse:
    deed = _deed(request, deed_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not _may_move(request, deed):
        raise PermissionDenied("service.record")
    activity = _picked_activity(request, deed.court)
    if activity is not None:
        try:
            actions.do_link_deed_activity(request.user, deed, activity)
        except ValidationError as e:
            _fail(request, "未关联", e)
        else:
            messages.success(request, f"已关联活动“{activity.title}”")
    return redirect("service:community_deed", deed_id=deed.pk)


routes: list[URLPattern] = [
    path("community/", registrations, name="community_registrations"),
    path("community/export/", registrations_export, name="community_registrations_export"),
    path("community/mine/", mine, name="community_mine"),
    path("community/people/<int:person_id>/", person_record, name="community_person"),
    path("community/people/<int:person_id>/register/", register, name="community_register"),
    path(
        "community/registrations/<int:registration_id>/end/",
        end_registration,
        name="community_end",
    ),
    path(
        "community/registrations/<int:registration_id>/services/",
        add_service,
        name="community_service_add",
    ),
    path(
        "community/services/<int:service_id>/withdraw/",
        withdraw_service,
        name="community_service_withdraw",
    ),
    path("community/partners/", partners, name="community_partners"),
    path("community/partners/add/", partner_add, name="community_partner_add"),
    path("community/partners/export/", partners_export, name="community_partners_export"),
    path("community/partners/<int:partner_id>/", partner_detail, name="community_partner"),
    path("community/partners/<int:partner_id>/sign/", agreement_sign, name="community_sign"),
    path("community/agreements/", agreements, name="community_agreements"),
    path("community/agreements/export/", agreements_export, name="community_agreements_export"),
    path("community/agreements/<int:agreement_id>/", agreement_detail, name="community_agreement"),
    path(
        "community/agreements/<int:agreement_id>/link/",
        agreement_link,
        name="community_agreement_link",
    ),
    path("community/deeds/", deeds, name="community_deeds"),
    path("community/deeds/add/", deed_add, name="community_deed_add"),
    path("community/deeds/export/", deeds_export, name="community_deeds_export"),
    path("community/deeds/<int:deed_id>/", deed_detail, name="community_deed"),
    path("community/deeds/<int:deed_id>/status/", deed_status, name="community_deed_status"),
    path("community/deeds/<int:deed_id>/link/", deed_link, name="community_deed_link"),
]
