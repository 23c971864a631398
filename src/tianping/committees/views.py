"""支部委员会与换届 pages: a subtree's overview with warnings, a branch's committee and history, elections."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import requires
from tianping.accounts.scoping import Scope, get_scoped, scoped
from tianping.activities.models import Activity, ActivityStatus
from tianping.committees import actions, rules
from tianping.committees.forms import (
    CANDIDATE_ROWS,
    ElectionForm,
    OverviewFilterForm,
    PostponeForm,
    SettingForm,
    candidate_formset,
)
from tianping.committees.models import (
    COMMITTEE_KINDS,
    Candidate,
    CommitteeMember,
    CommitteeSetting,
    Election,
    Term,
)
from tianping.committees.queries import (
    CommitteeStatus,
    committee_orgs,
    committee_status,
    committee_statuses,
    full_members_on,
    own_branch,
)
from tianping.lib import uploads
from tianping.lib.errors import add_errors
from tianping.lib.pickers import picked_key
from tianping.lib.sheets import table_bytes
from tianping.orgs.models import COURT_KINDS, Org

PAGE_SIZE = 100
YES_NO = {True: "是", False: "否"}


def _scope(request: AuthenticatedHttpRequest) -> Scope:
    return request.scope


def _day(text: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return default


# ---------------------------------------------------------------------------------------
# The overview


def _overview_data(
    request: AuthenticatedHttpRequest,
) -> tuple[Org | None, dt.date, bool, list[CommitteeStatus]]:
    """The root asked for (404 outside the scope), the day, the alerts-only switch, the rows."""
    scope = _scope(request)
    code = picked_key(request.GET.get("org", ""))
    if code:
        root: Org | None = get_scoped(scope, Org.objects.all(), code=code)
    elif scope.is_global:
        root = None
    else:
        root = Org.objects.filter(pk=scope.root_id).first()
        if root is None:
            raise Http404
    on = _day(request.GET.get("on", ""), timezone.localdate())
    only_alerts = request.GET.get("alerts", "") in ("on", "1", "true")
    statuses = committee_statuses(list(committee_orgs(scope, root)), on)
    if only_alerts:
        statuses = [s for s in statuses if s.worst in (rules.BAD, rules.WARN)]
    return root, on, only_alerts, statuses


def _summary(statuses: list[CommitteeStatus]) -> dict[str, int]:
    def count(*codes: str) -> int:
        return sum(1 for s in statuses if any(s.has(c) for c in codes))

    return {
        "orgs": len(statuses),
        "no_committee": count("no_committee"),
        "size": count(
            "committee_too_small",
            "committee_too_large",
            "committee_over_five",
            "committee_not_needed",
        ),
        "members": count(
            "over_fifty_members", "should_be_primary_committee", "too_few_full_members"
        ),
        "due": count("election_due"),
        "overdue": count("election_overdue"),
    }


@requires("membership.view")
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = _scope(request)
    if scope.self_only:
        return redirect("committees:mine")
    root, on, only_alerts, statuses = _overview_data(request)
    picker = scoped(scope, Org.objects.filter(kind__in=COURT_KINDS | COMMITTEE_KINDS)).order_by(
        "path"
    )
    form = OverviewFilterForm(
        picker,
        initial={"org": root.code if root else None, "on": on, "alerts": only_alerts},
    )
    page = Paginator(statuses, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "root": root,
        "on": on,
        "today": timezone.localdate(),
        "page": page,
        "summary": _summary(statuses),
        "querystring_page": (params.urlencode() + "&") if params else "",
        "export_query": params.urlencode(),
        "hx_target": "#results",
        "can_configure": _can_configure(scope),
        "breadcrumbs": [("支委会与换届", None)],
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "committees/_results.html", context)
    return render(request, "committees/overview.html", context)


def _committee_text(status: CommitteeStatus) -> str:
    return "；".join(f"{m.person.name}（{m.post_names}）" for m in status.members)


@requires("membership.view")
def export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    if _scope(request).self_only:
        raise PermissionDenied("a member sees their own branch only")
    _, on, _, statuses = _overview_data(request)
    headers = [
        "组织代码",
        "组织名称",
        "类型",
        "正式党员",
        "党员",
        "应设支委会",
        "现任委员",
        "本届选举日期",
        "换届到期日",
        "提醒",
    ]
    rows = [
        [
            s.org.code,
            s.org.name,
            s.org.get_kind_display(),
            s.full_members,
            s.party_members,
            YES_NO[s.must_have_committee],
            _committee_text(s),
            s.term.elected_on if s.term else None,
            s.due_on,
            "；".join(a.text for a in s.warnings),
        ]
        for s in statuses
    ]
    return uploads.xlsx_download(
        table_bytes(headers, rows, title="支委会与换届"), f"支委会与换届-{on:%Y%m%d}.xlsx"
    )


# ---------------------------------------------------------------------------------------
# One organisation's committee


def _committee_org(request: AuthenticatedHttpRequest, code: str) -> Org:
    """A party organisation that elects a committee, inside the scope, else 404."""
    org = get_scoped(_scope(request), Org.objects.all(), code=code)
    if org.kind not in COMMITTEE_KINDS:
        raise Http404
    return org


def _history(scope: Scope, org: Org) -> tuple[list[Term], list[Election]]:
    seats = CommitteeMember.objects.select_related("person").order_by("id")
    terms = list(
        scoped(scope, Term.objects.filter(branch=org))
        .select_related("election")
        .prefetch_related(Prefetch("members", queryset=seats))
        .order_by("elected_on")
    )
    for number, term in enumerate(terms, start=1):
        term.number = number  # type: ignore[attr-defined]
        term.seats = sorted(term.members.all(), key=lambda s: (s.rank, s.pk))  # type: ignore[attr-defined]
    candidates = Candidate.objects.select_related("person").order_by("-elected", "-votes", "id")
    elections = list(
        scoped(scope, Election.objects.filter(branch=org))
        .select_related("congress", "term")
        .prefetch_related(Prefetch("candidates", queryset=candidates))
        .order_by("-held_on")
    )
    return list(reversed(terms)), elections


def _render_branch(request: AuthenticatedHttpRequest, org: Org, *, mine: bool) -> HttpResponse:
    scope = _scope(request)
    today = timezone.localdate()
    status = committee_status(org, today)
    terms, elections = _history(scope, org)
    can_manage = scope.can("membership.manage") and scope.covers_path(org.path)
    if mine:
        crumbs: list[tuple[str, str | None]] = [("我的支部委员会", None)]
    else:
        crumbs = [("支委会与换届", reverse("committees:overview")), (org.name, None)]
    return render(
        request,
        "committees/branch.html",
        {
            "org": org,
            "status": status,
            "terms": terms,
            "elections": elections,
            "today": today,
            "mine": mine,
            "can_manage": can_manage,
            "link_people": not scope.self_only,
            "breadcrumbs": crumbs,
        },
    )


@requires("membership.view")
def branch(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    scope = _scope(request)
    org = get_scoped(scope, Org.objects.all(), code=code)
    if org.kind not in COMMITTEE_KINDS:
        # A court or department: its party organisations are on the overview.
        return redirect(reverse("committees:overview") + f"?org={org.code}")
    return _render_branch(request, org, mine=False)


@requires("membership.view")
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The committee of the branch the user belongs to: read-only, the way a member sees it."""
    org = own_branch(_scope(request))
    if org is None:
        return render(
            request, "committees/no_branch.html", {"breadcrumbs": [("我的支部委员会", None)]}
        )
    return _render_branch(request, org, mine=True)


# ---------------------------------------------------------------------------------------
# Writes


def _branch_crumbs(org: Org, label: str) -> list[tuple[str, str | None]]:
    return [
        ("支委会与换届", reverse("committees:overview")),
        (org.name, reverse("committees:branch", args=[org.code])),
        (label, None),
    ]


def _rows(request: AuthenticatedHttpRequest) -> int:
    try:
        return int(request.GET.get("rows", CANDIDATE_ROWS))
    except ValueError:
        return CANDIDATE_ROWS


@requires("membership.manage")
def election(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    scope = _scope(request)
    org = _committee_org(request, code)
    congresses = scoped(
        scope,
        Activity.objects.filter(org=org, kind=actions.CONGRESS_KIND, status=ActivityStatus.HELD),
    ).order_by("-on")[:50]
    Formset = candidate_formset(_rows(request))
    if request.method == "POST":
        form = ElectionForm(congresses, request.POST)
        formset = Formset(request.POST, prefix="c")
        if form.is_valid() and formset.is_valid():
            lines = [(i, f.candidate()) for i, f in enumerate(formset.forms) if f.cleaned_data]
            filled = [(i, c) for i, c in lines if c is not None]
            data = form.cleaned_data
            try:
                new = actions.do_record_election(
                    request.user,
                    org,
                    held_on=data["held_on"],
                    congress=data["congress"],
                    present=data["present"],
                    note=data["note"],
                    early_approved_by=data["early_approved_by"],
                    early_approved_on=data["early_approved_on"],
                    early_reason=data["early_reason"],
                    candidates=[c for _, c in filled],
                )
            except ValidationError as e:
                for key, errs in e.message_dict.items():
                    if key.startswith("candidates."):
                        index = filled[int(key.split(".", 1)[1])][0]
                        formset.forms[index].add_error(None, errs)
                    else:
                        add_errors(form, ValidationError({key: errs}))
            else:
                term = new.term
                messages.success(
                    request,
                    f"已记录{org.name}{new.held_on:%Y-%m-%d}的换届选举：新一届任期{term.years}年，"
                    f"至{term.ends_on:%Y-%m-%d}届满。",
                )
                for alert in committee_status(org, timezone.localdate()).warnings:
                    if alert.rule == "R1.3" and alert.level != rules.INFO:
                        messages.warning(request, alert.text)
                return redirect("committees:branch", code=org.code)
    else:
        form = ElectionForm(congresses, initial={"held_on": timezone.localdate()})
        formset = Formset(prefix="c")
    today = timezone.localdate()
    status = committee_status(org, today)
    return render(
        request,
        "committees/election.html",
        {
            "org": org,
            "form": form,
            "formset": formset,
            "status": status,
            "full_members": full_members_on(org, today),
            "earliest": rules.earliest_early_election(status.term.ends_on) if status.term else None,
            "more_rows": min(formset.total_form_count() + 4, 40),
            "breadcrumbs": _branch_crumbs(org, "记录换届选举"),
        },
    )


@requires("membership.manage")
def postpone(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    scope = _scope(request)
    org = _committee_org(request, code)
    term = scoped(scope, Term.objects.filter(branch=org, closed_on__isnull=True)).first()
    if term is None:
        messages.error(request, f"{org.name}尚无在任的委员会记录，无需延期：请先记录换届选举。")
        return redirect("committees:branch", code=org.code)
    initial = {
        "postponed_to": term.postponed_to,
        "approved_by": term.postponement_approved_by,
        "approved_on": term.postponement_approved_on or timezone.localdate(),
        "reason": term.postponement_reason,
    }
    form = PostponeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_postpone_term(
                request.user,
                term,
                postponed_to=data["postponed_to"],
                approved_by=data["approved_by"],
                approved_on=data["approved_on"],
                reason=data["reason"],
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request, f"已记录：{org.name}换届经批准延期至{data['postponed_to']:%Y-%m-%d}。"
            )
            return redirect("committees:branch", code=org.code)
    return render(
        request,
        "committees/postpone.html",
        {
            "org": org,
            "term": term,
            "form": form,
            "latest": rules.latest_postponement(term.ends_on),
            "breadcrumbs": _branch_crumbs(org, "记录延期换届"),
        },
    )


def _can_configure(scope: Scope) -> bool:
    """Court settings belong to a court-wide office, not to one branch's secretary."""
    return scope.can("membership.manage") and (scope.is_global or scope.root_kind in COURT_KINDS)


@requires("membership.manage")
def court_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A court's threshold for a primary party committee (R1.2)."""
    scope = _scope(request)
    if not _can_configure(scope):
        raise PermissionDenied("court settings belong to a court-wide office")
    courts = scoped(scope, Org.objects.filter(kind__in=COURT_KINDS)).order_by("path")
    code = request.GET.get("court") or request.POST.get("court")
    court = get_scoped(scope, courts, code=code) if code else courts.first()
    if court is None:
        raise Http404
    setting = CommitteeSetting.objects.filter(court=court).first()
    current = setting.primary_committee_min if setting else rules.PRIMARY_COMMITTEE_MIN
    form = SettingForm(request.POST or None, initial={"primary_committee_min": current})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_set_committee_setting(
                request.user,
                court,
                primary_committee_min=form.cleaned_data["primary_committee_min"],
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, f"已保存{court.name}的支委会设置。")
            return redirect(reverse("committees:settings") + f"?court={court.code}")
    return render(
        request,
        "committees/settings.html",
        {
            "form": form,
            "court": court,
            "courts": courts,
            "breadcrumbs": [("支委会与换届", reverse("committees:overview")), ("设置", None)],
        },
    )


routes: list[URLPattern] = [
    path("", overview, name="overview"),
    path("export/", export, name="export"),
    path("mine/", mine, name="mine"),
    path("settings/", court_settings, name="settings"),
    path("<str:code>/", branch, name="branch"),
    path("<str:code>/election/", election, name="election"),
    path("<str:code>/postpone/", postpone, name="postpone"),
]
