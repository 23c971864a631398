"""Points pages: a member's own ledger, a branch's view, the court's rules and settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.models import Role
from tianping.accounts.permissions import requires
from tianping.accounts.scoping import Scope, get_scoped, scoped
from tianping.lib.errors import add_errors, error_text
from tianping.orgs.models import COURT_KINDS, PARTY_KINDS, Org, OrgKind
from tianping.people.models import PARTY_STATUSES, Person
from tianping.points import actions
from tianping.points.forms import ManualEntryForm, ReverseForm, RuleForm, SchemeForm, VetoForm
from tianping.points.models import PointEntry, PointRule, Trigger
from tianping.points.queries import ledger, may_see_ranking, members_in_year, ranked, scores
from tianping.points.rules import scheme_for

# R4.2, shown where the rules are set: why some things can never earn points.
R42_NOTE = (
    "积分只奖励实际做了、经过核实的事情。依据2024年《整治形式主义为基层减负若干规定》"
    "和政务移动互联网应用程序的有关规定，在线时长、点击量、登录打卡、学习时长不得计分，"
    "照片等佐证材料不作强制要求，也不搞强制性的公开排名。因此本平台默认不显示排名；"
    "如需让支部书记看到本支部的排名，可在下方开启。党员本人始终可以看到自己的积分明细。"
)
LEDGER_KINDS = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.PARTY_COMMITTEE)


def _year(request: HttpRequest) -> int:
    text = request.GET.get("year", "")
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    return timezone.localdate().year


def _self_scope(scope: Scope) -> Scope:
    """The user's own record only, whatever else their role may see."""
    return Scope(
        user_id=scope.user_id, role=Role.MEMBER, person_id=scope.person_id, caps=scope.caps
    )


def _ledger_page(request: AuthenticatedHttpRequest, person: Person, *, own: bool) -> HttpResponse:
    scope = request.scope
    year = _year(request)
    data = ledger(person, year)
    can_manage = (
        scope.can("points.manage") and scoped(scope, Person.objects.filter(pk=person.pk)).exists()
    )
    crumbs: list[tuple[str, str | None]]
    if own:
        crumbs = [("我的积分", None)]
    else:
        crumbs = [(person.name, reverse("people:detail", args=[person.pk])), ("积分明细", None)]
        if person.party_org is not None and scope.covers_path(person.party_org.path):
            crumbs.insert(
                0,
                (
                    person.party_org.name,
                    reverse("points:branch", args=[person.party_org.code]) + f"?year={year}",
                ),
            )
    return render(
        request,
        "points/ledger.html",
        {
            "ledger": data,
            "person": person,
            "own": own,
            "can_manage": can_manage,
            "reverse_form": ReverseForm() if can_manage else None,
            "derived": {str(t) for t in actions.DERIVED_TRIGGERS},
            "breadcrumbs": crumbs,
        },
    )


def _person_queryset():
    return Person.objects.select_related("court", "party_org")


@requires("points.view")
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """R4.2: a member always sees their own ledger, with the source of every entry (R4.3)."""
    person_id = request.user.person_id
    if person_id is None:
        return render(request, "points/no_person.html", {"breadcrumbs": [("我的积分", None)]})
    person = get_scoped(_self_scope(request.scope), _person_queryset(), pk=person_id)
    return _ledger_page(request, person, own=True)


@requires("points.view")
def person_ledger(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A person's ledger for those whose scope holds them; a member reaches only their own."""
    person = get_scoped(request.scope, _person_queryset(), pk=pk)
    own = person.pk == request.user.person_id
    return _ledger_page(request, person, own=own)


@requires("points.view")
def branch(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """A party organisation's members with their year scores; ranks only where the court allows."""
    scope = request.scope
    org = get_scoped(scope, Org.objects.filter(kind__in=LEDGER_KINDS), code=code)
    year = _year(request)
    people = scoped(scope, members_in_year(org, year))
    rows = scores(people, year)
    show_ranking = may_see_ranking(scope, org)
    if show_ranking:
        rows = ranked(rows)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    context = {
        "org": org,
        "year": year,
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 6, -1)),
        "page": page,
        "show_ranking": show_ranking,
        "querystring_page": f"year={year}&",
        "hx_target": "#results",
        "breadcrumbs": [("党员积分", None), (org.name, None)],
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "points/_branch_results.html", context)
    return render(request, "points/branch.html", context)


def _courts_for(scope: Scope) -> list[Org]:
    """Courts whose rules the user may read: those in scope and the court above their node."""
    if scope.self_only:
        own = scoped(_self_scope(scope), Person.objects.select_related("court"))
        return [p.court for p in own]
    courts = list(scoped(scope, Org.objects.filter(kind__in=COURT_KINDS)).order_by("path"))
    if scope.root_id is not None and scope.root_kind not in COURT_KINDS:
        root = Org.objects.get(pk=scope.root_id)
        court = root.court()
        if court.kind in COURT_KINDS and court not in courts:
            courts.insert(0, court)
    return courts


def _may_manage(scope: Scope, court: Org) -> bool:
    """The party committee office of the court (or an office above it) edits its rules."""
    if not scope.can("points.manage"):
        return False
    if scope.covers_path(court.path):
        return True
    # An office granted on the court's 机关党委 node manages that court's rules.
    return (
        scope.root_kind in PARTY_KINDS
        and scope.root_id is not None
        and Org.objects.get(pk=scope.root_id).court() == court
    )


@requires("points.view")
def rules(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The court's rule set and base, editable with points.manage; every change audited."""
    scope = request.scope
    courts = _courts_for(scope)
    if not courts:
        raise Http404
    code = request.GET.get("court") or request.POST.get("court")
    court = next((c for c in courts if c.code == code), None) if code else courts[0]
    if court is None:
        raise Http404
    scheme = scheme_for(court)
    rule_list = list(PointRule.objects.filter(court=court).order_by("id"))
    manage = _may_manage(scope, court)
    if request.method == "POST" and not manage:
        raise PermissionDenied("points.manage")
    data = request.POST if request.method == "POST" else None
    scheme_form = SchemeForm(data, instance=scheme, prefix="scheme")
    rule_forms = [RuleForm(data, instance=r, prefix=f"rule-{r.pk}") for r in rule_list]
    if data is not None:
        valid = scheme_form.is_valid() & all([f.is_valid() for f in rule_forms])
        if valid:
            saved = _save_rules(request, scheme, scheme_form, rule_forms)
            if saved is not None:
                messages.success(request, f"已保存{court.name}的积分规则。")
                return redirect(reverse("points:rules") + f"?court={court.code}")
    return render(
        request,
        "points/rules.html",
        {
            "court": court,
            "courts": courts,
            "scheme": scheme,
            "scheme_form": scheme_form,
            "rows": list(zip(rule_list, rule_forms, strict=True)),
            "manage": manage,
            "note": R42_NOTE,
            "breadcrumbs": [("党员积分", None), ("积分规则", None)],
        },
    )


def _save_rules(request: HttpRequest, scheme, scheme_form, rule_forms) -> bool | None:
    try:
        with transaction.atomic():
            actions.do_update_scheme(
                request.user,
                scheme,
                base=scheme_form.cleaned_data["base"],
                rankings_for_secretaries=scheme_form.cleaned_data["rankings_for_secretaries"],
            )
            for form in rule_forms:
                d = form.cleaned_data
                try:
                    actions.do_update_rule(
                        request.user,
                        form.instance,
                        points=d["points"],
                        per_hours=d.get("per_hours"),
                        cap=d.get("cap"),
                        cap_period=d.get("cap_period") or "",
                        active=d.get("active", False),
                    )
                except ValidationError as e:
                    add_errors(form, e)
                    raise
    except ValidationError as e:
        if not any(f.errors for f in rule_forms):
            add_errors(scheme_form, e)
        return None
    return True


def _people_for_forms(request: AuthenticatedHttpRequest) -> tuple:
    """People the user may post for, and the one the page was opened for (?person=pk)."""
    scope = request.scope
    people = scoped(scope, Person.objects.party_members())
    chosen = None
    pk = request.GET.get("person") or request.POST.get("for_person")
    if pk:
        chosen = get_scoped(scope, _person_queryset(), pk=pk)
        people = people.filter(pk=chosen.pk)
    return people, chosen


@requires("points.manage")
def manual(request: AuthenticatedHttpRequest) -> HttpResponse:
    """R4.3: a hand entry with its reason, posted by a named user."""
    people, chosen = _people_for_forms(request)
    initial = {"person": chosen.employee_no} if chosen else {}
    form = ManualEntryForm(people, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            entry = actions.do_post_manual(
                request.user, d["person"], d["points"], d["reason"], d["on"]
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request, f"已为{entry.person.name}记录{entry.points:+}分：{entry.reason}。"
            )
            return redirect(
                reverse("points:person", args=[entry.person_id]) + f"?year={entry.on.year}"
            )
    return render(
        request,
        "points/form.html",
        {
            "form": form,
            "chosen": chosen,
            "title": "人工加减分",
            "intro": "人工加减分须写明事由，记录录入人，录入后不能修改或删除；如有错误，请冲销后重新录入。",
            "submit": "记录",
            "breadcrumbs": [("党员积分", None), ("人工加减分", None)],
        },
    )


@requires("points.manage")
def veto(request: AuthenticatedHttpRequest) -> HttpResponse:
    """R4.1: the one-vote veto sets a member's year to 0; it is recorded with its reason."""
    people, chosen = _people_for_forms(request)
    initial = {"person": chosen.employee_no} if chosen else {}
    form = VetoForm(people, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            entry = actions.do_veto(request.user, d["person"], d["year"], d["reason"])
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, f"已对{entry.person.name}{d['year']}年度积分一票否决。")
            return redirect(reverse("points:person", args=[entry.person_id]) + f"?year={d['year']}")
    return render(
        request,
        "points/form.html",
        {
            "form": form,
            "chosen": chosen,
            "title": "一票否决",
            "intro": "一票否决后，该党员当年积分记为0分。否决记录不能删除，如需撤销，请在其积分明细中冲销。",
            "submit": "确认否决",
            "danger": True,
            "breadcrumbs": [("党员积分", None), ("一票否决", None)],
        },
    )


@requires("points.manage")
def reverse_entry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """R4.3: a hand entry or a veto is cancelled by a reversing entry, never by deleting it."""
    person = get_scoped(request.scope, _person_queryset(), pk=pk)
    back = reverse("points:person", args=[person.pk])
    if request.method != "POST":
        return redirect(back)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写冲销事由。")
        return redirect(back)
    entry = PointEntry.objects.filter(person=person, pk=form.cleaned_data["entry"]).first()
    if entry is None:
        raise Http404
    try:
        actions.do_reverse(request.user, entry, form.cleaned_data["reason"])
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        label = "一票否决" if entry.trigger == Trigger.VETO else f"{entry.points:+}分"
        messages.success(request, f"已冲销{entry.on:%Y-%m-%d}的{label}。")
    return redirect(f"{back}?year={entry.on.year}")


@requires("points.view")
def branches(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The party organisations in scope, each opening its members' year scores.

    A secretary's scope is one branch: they go straight to it.
    """
    scope = request.scope
    if scope.self_only:
        return redirect("points:mine")
    orgs = scoped(scope, Org.objects.filter(kind__in=LEDGER_KINDS, is_active=True)).order_by("path")
    if len(first := list(orgs[:2])) == 1:
        return redirect("points:branch", first[0].code)
    q = request.GET.get("q", "").strip()[:50]
    if q:
        orgs = orgs.filter(name__contains=q)
    page = Paginator(orgs, 100).get_page(request.GET.get("page"))
    counts = dict(
        Person.objects.filter(
            party_org__in=[o.pk for o in page], political_status__in=PARTY_STATUSES
        )
        .values_list("party_org")
        .annotate(n=Count("pk"))
    )
    return render(
        request,
        "points/branches.html",
        {
            "page": page,
            "rows": [(o, counts.get(o.pk, 0)) for o in page],
            "q": q,
            "year": _year(request),
            "querystring_page": f"q={q}&" if q else "",
            "breadcrumbs": [("党员积分", None)],
        },
    )


routes: list = [
    path("", branches, name="branches"),
    path("me/", mine, name="mine"),
    path("people/<int:pk>/", person_ledger, name="person"),
    path("people/<int:pk>/reverse/", reverse_entry, name="reverse"),
    path("branch/<str:code>/", branch, name="branch"),
    path("rules/", rules, name="rules"),
    path("manual/", manual, name="manual"),
    path("veto/", veto, name="veto"),
]
