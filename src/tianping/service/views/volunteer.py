"""志愿服务 pages: teams with their yearly figures, a service's team and each volunteer's
hours, the hours ledger with drill-down, 我的志愿服务, certificate rules, certificates
(A4 print and the public verification page), and the figures as an Excel sheet."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import PermissionDenied, public, requires
from tianping.accounts.scoping import Scope, get_scoped, scoped
from tianping.activities.models import Activity
from tianping.lib import uploads
from tianping.lib.errors import add_errors, error_text
from tianping.lib.pickers import PickField, org_pick_field
from tianping.lib.sheets import table_bytes
from tianping.orgs.models import COURT_KINDS, Org
from tianping.people.models import Person
from tianping.service.actions import volunteer as actions
from tianping.service.models.volunteer import (
    CertificateRule,
    TeamMember,
    VolunteerCertificate,
    VolunteerTeam,
)
from tianping.service.queries import volunteer as queries

PAGE = 100


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 1900 <= int(raw) <= 2100 else timezone.localdate().year


def _org(request: AuthenticatedHttpRequest) -> Org:
    """The organisation asked for (in scope), else the one the role is granted on."""
    scope = request.scope
    code = request.GET.get("org", "")[:40]
    if code:
        return get_scoped(scope, Org.objects.all(), code=code)
    if scope is None or scope.root_id is None:
        raise Http404
    return Org.objects.get(pk=scope.root_id)


def _orgs(scope: Scope | None) -> list[Org]:
    """What the organisation filter offers: the courts in scope, else the scope's own root."""
    return list(scoped(scope, Org.objects.filter(kind__in=COURT_KINDS)).order_by("path"))


def _years(scope: Scope | None, org: Org | None = None) -> list[tuple[str, str]]:
    return [(str(y), f"{y}年") for y in queries.years_with_service(scope, org)]


def _crumbs(*tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [
        ("服务与品牌", reverse("service:home")),
        ("志愿服务", reverse("service:volunteer")),
        *tail,
    ]


# ---------------------------------------------------------------------------------------
# Teams and figures


@requires("service.view")
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each court's year: 活动次数, 参与人次, 服务时长, 受益群众, by team."""
    org, year = _org(request), _year(request)
    figures = queries.court_figures(request.scope, org, year)
    return render(
        request,
        "service/volunteer/overview.html",
        {
            "org": org,
            "year": year,
            "years": _years(request.scope, org),
            "orgs": _orgs(request.scope),
            "figures": figures,
            "query": urlencode({"org": org.code, "year": year}),
            "breadcrumbs": _crumbs(),
        },
    )


EXPORT_HEADERS = [
    "法院",
    "志愿服务队",
    "所属组织",
    "活动次数",
    "参与人次",
    "服务时长（小时）",
    "受益群众（人）",
]


@requires("service.view")
def export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    org, year = _org(request), _year(request)
    rows: list[list[Any]] = []
    for c in queries.court_figures(request.scope, org, year):
        for team, f in c.teams:
            rows.append([c.court.name, team.name, team.owner.name, *_cells(f)])
        if c.unassigned.activities:
            rows.append([c.court.name, "（未归入志愿服务队）", "", *_cells(c.unassigned)])
        rows.append([c.court.name, "合计", "", *_cells(c.total)])
    return uploads.xlsx_download(
        table_bytes(EXPORT_HEADERS, rows, title=f"{year}年志愿服务"),
        f"{org.name}{year}年志愿服务统计.xlsx",
    )


def _cells(f: queries.Figures) -> list[Any]:
    return [f.activities, f.participations, float(f.hours), f.beneficiaries]


class TeamForm(forms.Form):
    owner = org_pick_field(
        label="所属组织",
        kinds=sorted(actions.TEAM_OWNER_KINDS),
        active=True,
        queryset=Org.objects.none(),
    )
    name = forms.CharField(label="队伍名称", max_length=100)
    founded_on = forms.DateField(
        label="成立日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label="简介", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, scope: Scope | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(PickField, self.fields["owner"]).queryset = scoped(
            scope, Org.objects.filter(kind__in=actions.TEAM_OWNER_KINDS, is_active=True)
        )


@requires("service.manage")
def team_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None, scope=request.scope)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        owner = data["owner"]
        try:
            team = actions.do_create_team(
                request.user,
                owner,
                name=data["name"],
                founded_on=data["founded_on"],
                description=data["description"],
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, f"已组建“{team.name}”。")
            return redirect("service:volunteer_team", pk=team.pk)
    return render(
        request,
        "service/volunteer/team_form.html",
        {"form": form, "breadcrumbs": _crumbs(("组建志愿服务队", None))},
    )


@requires("service.view")
def team(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = get_scoped(request.scope, VolunteerTeam.objects.select_related("owner", "court"), pk=pk)
    year = _year(request)
    figures = queries.team_figures(request.scope, [found.pk], year)[found.pk]
    return render(
        request,
        "service/volunteer/team.html",
        {
            "team": found,
            "year": year,
            "years": _years(request.scope),
            "figures": figures,
            "current": queries.members(found, current=True),
            "former": queries.members(found, current=False),
            "services": queries.team_services(request.scope, found, year)[:200],
            "can_manage": request.scope is not None and request.scope.can("service.manage"),
            "today": timezone.localdate(),
            "breadcrumbs": _crumbs((found.name, None)),
        },
    )


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


@requires("service.manage")
def team_members(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Join (by 工号) or leave; the page shows the outcome."""
    found = get_scoped(request.scope, VolunteerTeam.objects.select_related("owner", "court"), pk=pk)
    back = reverse("service:volunteer_team", args=[found.pk])
    if request.method != "POST":
        return redirect(back)
    post = request.POST
    try:
        if post.get("leave"):
            stay = get_scoped(
                request.scope, TeamMember.objects.filter(team=found), pk=post.get("leave", "")
            )
            left_on = _date(post.get("left_on", ""))
            if left_on is None:
                raise ValidationError({"left_on": "请填写退出日期"})
            actions.do_leave_team(request.user, stay, left_on, post.get("reason", "")[:200])
            messages.success(request, f"{stay.person.name}已退出“{found.name}”。")
        else:
            number = post.get("employee_no", "").strip()[:30]
            person = (
                scoped(
                    request.scope, Person.objects.filter(court__path__startswith=found.court.path)
                )
                .filter(employee_no__iexact=number)
                .first()
            )
            if person is None:
                raise ValidationError({"employee_no": f"未找到工号为“{number}”的人员"})
            joined_on = _date(post.get("joined_on", "")) or timezone.localdate()
            actions.do_join_team(request.user, found, person, joined_on)
            messages.success(request, f"{person.name}已加入“{found.name}”。")
    except ValidationError as e:
        messages.error(request, error_text(e))
    return redirect(back)


# ---------------------------------------------------------------------------------------
# A service: team, beneficiaries, each volunteer's hours


@requires("service.view")
def service(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = get_scoped(
        request.scope, Activity.objects.select_related("org").filter(kind=queries.KIND), pk=pk
    )
    scope = request.scope
    can_record = scope is not None and scope.can("service.record") and not scope.self_only
    record = queries.service_of(activity)
    teams = queries.teams_for(activity)
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied("service.record")
        try:
            _save_service(request, activity, teams)
        except ValidationError as e:
            messages.error(request, error_text(e))
        else:
            messages.success(request, f"已保存“{activity.title}”的志愿服务情况。")
        return redirect("service:volunteer_service", pk=activity.pk)
    return render(
        request,
        "service/volunteer/service.html",
        {
            "activity": activity,
            "record": record,
            "teams": teams,
            "rows": queries.service_rows(activity) if not (scope and scope.self_only) else [],
            "can_record": can_record,
            "breadcrumbs": _crumbs((activity.title, None)),
        },
    )


def _save_service(
    request: AuthenticatedHttpRequest, activity: Activity, teams: list[VolunteerTeam]
) -> None:
    post = request.POST
    team_id = post.get("team", "")
    team = next((t for t in teams if str(t.pk) == team_id), None)
    if team_id and team is None:
        raise ValidationError({"team": "请选择本院的志愿服务队"})
    raw = post.get("beneficiaries", "0").strip() or "0"
    if not raw.isdigit() or len(raw) > 7:
        raise ValidationError({"beneficiaries": "受益群众人数应为整数"})
    actions.do_record_service(
        request.user,
        activity,
        team=team,
        beneficiaries=int(raw),
        community=post.get("community", "")[:200],
    )
    for row in queries.service_rows(activity):
        key = f"hours-{row.person_id}"
        if key not in post:
            continue
        text = post.get(key, "").strip()
        try:
            hours = Decimal(text) if text else None
        except InvalidOperation:
            raise ValidationError(
                {"hours": f"{row.person.name}的服务时长“{text[:10]}”不是数字"}
            ) from None
        if hours is not None and not hours.is_finite():
            raise ValidationError({"hours": f"{row.person.name}的服务时长不是数字"})
        was = row.hours
        if (hours if hours is not None else activity.hours) != was:
            actions.do_set_service_hours(request.user, activity, row.person, hours)


# ---------------------------------------------------------------------------------------
# Hours


@requires("service.view")
def hours(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = request.scope
    if scope is not None and scope.self_only:
        return redirect("service:volunteer_mine")
    org, year = _org(request), _year(request)
    q = request.GET.get("q", "").strip()[:50]
    raw = request.GET.get("page", "")
    number = int(raw) if raw.isdigit() and 0 < int(raw) <= 100_000 else 1
    ledger = queries.hours_ledger(scope, org, year, q=q, limit=PAGE, offset=(number - 1) * PAGE)
    page = Paginator(range(ledger.people), PAGE).get_page(number)
    params = {"org": org.code, "year": year, **({"q": q} if q else {})}
    return render(
        request,
        "service/volunteer/hours.html",
        {
            "org": org,
            "year": year,
            "q": q,
            "years": _years(scope, org),
            "orgs": _orgs(scope),
            "ledger": ledger,
            "page": page,
            "querystring_page": urlencode(params) + "&",
            "breadcrumbs": _crumbs(("志愿服务时长", None)),
        },
    )


@requires("service.view")
def person(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = get_scoped(request.scope, Person.objects.select_related("court"), pk=pk)
    return _person_page(request, found, mine=found.pk == getattr(request.scope, "person_id", None))


@requires("service.view")
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = request.scope
    if scope is None or scope.person_id is None:
        messages.info(request, "当前账户未关联人员，没有个人志愿服务记录。")
        return redirect("service:volunteer")
    found = Person.objects.select_related("court").get(pk=scope.person_id)
    return _person_page(request, found, mine=True)


def _person_page(request: AuthenticatedHttpRequest, found: Person, *, mine: bool) -> HttpResponse:
    year = _year(request)
    data = queries.person_year(request.scope, found, year)
    title = "我的志愿服务" if mine else f"{found.name}的志愿服务"
    return render(
        request,
        "service/volunteer/person.html",
        {
            "data": data,
            "person": found,
            "year": year,
            "years": [(str(y), f"{y}年") for y in queries.years_with_service(request.scope)],
            "mine": mine,
            "title": title,
            "rules": queries.rules_of(found.court) if found.court_id else [],
            "breadcrumbs": _crumbs((title, None)),
        },
    )


# ---------------------------------------------------------------------------------------
# Certificate rules and certificates


class RuleForm(forms.Form):
    court = forms.ChoiceField(label="法院")
    title = forms.CharField(label="证书名称", max_length=60, initial="志愿服务证书")
    min_hours = forms.DecimalField(
        label="年度志愿服务时长不少于（小时）",
        min_value=Decimal("0.5"),
        max_value=Decimal("2000"),
        decimal_places=1,
    )

    def __init__(self, *args: Any, courts: list[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["court"]).choices = [(c.code, c.name) for c in courts]


@requires("service.view")
def certificates(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = request.scope
    if scope is not None and scope.self_only:
        return redirect("service:volunteer_mine")
    year = _year(request)
    org = _org(request)
    found = queries.certificates(scope, org, year)
    page = Paginator(found, PAGE).get_page(request.GET.get("page"))
    courts = _orgs(scope)
    can_manage = scope is not None and scope.can("service.manage")
    form = RuleForm(courts=courts) if can_manage and courts else None
    return render(
        request,
        "service/volunteer/certificates.html",
        {
            "page": page,
            "year": year,
            "org": org,
            "years": _years(scope, org),
            "orgs": courts,
            "rules": queries.rules_in(scope),
            "form": form,
            "can_manage": can_manage,
            "querystring_page": urlencode({"org": org.code, "year": year}) + "&",
            "breadcrumbs": _crumbs(("志愿服务证书", None)),
        },
    )


@requires("service.manage")
def rules(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Add a tier, or retire one (the certificates it issued stand)."""
    back = reverse("service:volunteer_certificates")
    if request.method != "POST":
        return redirect(back)
    scope = request.scope
    try:
        if request.POST.get("retire"):
            rule = get_scoped(
                scope, CertificateRule.objects.all(), pk=request.POST.get("retire", "")
            )
            if not scope or not scope.covers_path(rule.court.path):
                raise Http404
            actions.do_retire_rule(request.user, rule)
            messages.success(request, f"已停用规则：{rule.text}。")
        else:
            form = RuleForm(request.POST, courts=_orgs(scope))
            if not form.is_valid():
                raise ValidationError({k: v[0] for k, v in form.errors.items()})
            data = form.cleaned_data
            court = get_scoped(scope, Org.objects.filter(kind__in=COURT_KINDS), code=data["court"])
            rule = actions.do_add_rule(
                request.user, court, title=data["title"], min_hours=data["min_hours"]
            )
            messages.success(request, f"已设定规则：{rule.text}，符合条件的人员已自动发证。")
    except ValidationError as e:
        messages.error(request, error_text(e))
    return redirect(back)


@requires("service.view")
def certificate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = get_scoped(
        request.scope,
        VolunteerCertificate.objects.select_related("person", "rule__court"),
        pk=pk,
    )
    verify = request.build_absolute_uri(reverse("service:volunteer_verify", args=[found.code]))
    return render(request, "service/volunteer/certificate.html", {"c": found, "verify": verify})


@public
def verify(request: Any, code: str) -> HttpResponse:
    """Anyone holding a certificate's code sees whom it names, for what, and whether it stands."""
    found = queries.certificate_by_code(code)
    if found is None:
        raise Http404
    return render(request, "service/volunteer/verify.html", {"c": found})


routes: list[URLPattern] = [
    path("volunteer/", overview, name="volunteer"),
    path("volunteer/export/", export, name="volunteer_export"),
    path("volunteer/teams/new/", team_new, name="volunteer_team_new"),
    path("volunteer/teams/<int:pk>/", team, name="volunteer_team"),
    path("volunteer/teams/<int:pk>/members/", team_members, name="volunteer_team_members"),
    path("volunteer/services/<int:pk>/", service, name="volunteer_service"),
    path("volunteer/hours/", hours, name="volunteer_hours"),
    path("volunteer/hours/<int:pk>/", person, name="volunteer_person"),
    path("volunteer/mine/", mine, name="volunteer_mine"),
    path("volunteer/certificates/", certificates, name="volunteer_certificates"),
    path("volunteer/certificates/<int:pk>/", certificate, name="volunteer_certificate"),
    path("volunteer/rules/", rules, name="volunteer_rules"),
    path("volunteer/verify/<str:code>/", verify, name="volunteer_verify"),
]
