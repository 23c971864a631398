"""Committees in the JSON API: statuses and warnings for a subtree, one organisation, elections.

Mounted by the lead under `/committees` (router object `router`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from tianping.accounts.api import OrgRef, Paging, PersonRef, requires, scope_of
from tianping.accounts.scoping import Scope, get_scoped, scoped
from tianping.activities.models import Activity
from tianping.committees import actions, rules
from tianping.committees.models import (
    COMMITTEE_KINDS,
    Candidate,
    CommitteeMember,
    Election,
    Post,
    Term,
)
from tianping.committees.queries import (
    CommitteeStatus,
    committee_orgs,
    committee_status,
    committee_statuses,
    own_branch,
)
from tianping.lib.inputs import Day, EmployeeNo, Headcount, Id, OrgCode, Text
from tianping.orgs.api import find_org
from tianping.orgs.models import Org

router = Router(tags=["支委会与换届"])


class AlertOut(Schema):
    rule: str = Field(description="规则编号，如 《中国共产党支部工作条例（试行）》第六章")
    code: str = Field(
        description="稳定的提醒代码：no_committee、committee_too_small、committee_over_five、"
        "committee_too_large、committee_not_needed、no_secretary、duties_unassigned、"
        "too_few_full_members、joint_branch_units、over_fifty_members、"
        "should_be_primary_committee、election_due、election_overdue、no_secretary_recorded"
    )
    text: str
    level: str = Field(description="bad 严重、warn 提醒、info 提示")


class SeatOut(Schema):
    person: PersonRef
    posts: list[Post]
    post_names: str
    since: dt.date
    until: dt.date | None


class TermOut(Schema):
    elected_on: dt.date
    years: int
    ends_on: dt.date
    postponed_to: dt.date | None
    postponement_approved_by: str
    postponement_approved_on: dt.date | None
    postponement_reason: str
    due_on: dt.date = Field(description="下次换届应进行的日期：届满日期或经批准延期的日期")
    closed_on: dt.date | None = Field(description="换届日期；null 表示现任")


class StatusOut(Schema):
    org: OrgRef
    kind: str
    kind_name: str
    on: dt.date
    full_members: int
    party_members: int
    must_have_committee: bool
    term: TermOut | None
    committee: list[SeatOut]
    due_on: dt.date | None
    days_to_due: int | None
    warnings: list[AlertOut]


class StatusPage(Schema):
    count: int
    items: list[StatusOut]


class TermHistoryOut(TermOut):
    seats: list[SeatOut]


class CandidateOut(Schema):
    person: PersonRef
    votes: int
    elected: bool
    posts: list[Post]


class ElectionOut(Schema):
    id: int
    org: OrgRef
    held_on: dt.date
    congress_id: int | None
    entitled: int = Field(description="有选举权的正式党员数")
    present: int | None
    early_approved_by: str = Field(description="提前换届的批准机关或批准文件；按期换届为空")
    early_approved_on: dt.date | None = Field(description="提前换届的批准日期")
    early_reason: str
    note: str
    candidates: list[CandidateOut]
    term: TermOut


class DetailOut(StatusOut):
    terms: list[TermHistoryOut]
    elections: list[ElectionOut]


class StatusFilters(Paging):
    org: OrgCode | None = Field(None, description="组织代码：列出其下（含自身）选举委员会的党组织")
    on: Day | None = Field(None, description="统计日期 YYYY-MM-DD，默认今天")
    alerts: bool = Field(False, description="true 时只列有 bad 或 warn 级提醒的")


class CandidateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    employee_no: EmployeeNo = Field(..., description="工号：须为选举当日本组织的正式党员")
    votes: Headcount
    elected: bool = False
    posts: list[Post] = Field(default_factory=list, description="当选者的职务，可兼任")


class ElectionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    org: OrgCode = Field(
        ..., min_length=1, description="选举的党组织代码（支部、党总支或机关党委）"
    )
    held_on: Day = Field(..., description="选举日期")
    congress_id: Id | None = Field(None, description="对应的支部党员大会（活动编号）")
    present: Headcount | None = Field(None, description="实到有选举权的党员人数")
    early_approved_by: Text = Field(
        "",
        max_length=100,
        description="在本届任期届满前换届的，须填批准机关或批准文件；最多提前1年",
    )
    early_approved_on: Day | None = Field(None, description="提前换届的批准日期")
    early_reason: Text = Field("", max_length=200)
    note: Text = Field("", max_length=2000)
    candidates: list[CandidateIn] = Field(default_factory=list, max_length=200)


class PostponementIn(Schema):
    model_config = ConfigDict(extra="forbid")

    org: OrgCode = Field(..., min_length=1, description="党组织代码：延期的是其现任一届")
    postponed_to: Day = Field(
        ...,
        description="延期至，最多为届满后1年（《中国共产党支部工作条例（试行）》第六章、《中国共产党基层组织选举工作条例》）",
    )
    approved_by: Text = Field(..., max_length=100, description="批准机关")
    approved_on: Day
    reason: Text = Field("", max_length=200)


def _person(p: Any) -> dict[str, Any]:
    return {"id": p.pk, "employee_no": p.employee_no, "name": p.name}


def _seat(m: CommitteeMember) -> dict[str, Any]:
    return {
        "person": _person(m.person),
        "posts": m.posts,
        "post_names": m.post_names,
        "since": m.since,
        "until": m.until,
    }


def _term(t: Term) -> dict[str, Any]:
    return {
        "elected_on": t.elected_on,
        "years": t.years,
        "ends_on": t.ends_on,
        "postponed_to": t.postponed_to,
        "postponement_approved_by": t.postponement_approved_by,
        "postponement_approved_on": t.postponement_approved_on,
        "postponement_reason": t.postponement_reason,
        "due_on": t.due_on,
        "closed_on": t.closed_on,
    }


def _alert(a: rules.Alert) -> dict[str, Any]:
    return {"rule": a.rule, "code": a.code, "text": a.text, "level": a.level}


def status_data(s: CommitteeStatus) -> dict[str, Any]:
    return {
        "org": s.org,
        "kind": s.org.kind,
        "kind_name": s.org.get_kind_display(),
        "on": s.on,
        "full_members": s.full_members,
        "party_members": s.party_members,
        "must_have_committee": s.must_have_committee,
        "term": _term(s.term) if s.term is not None else None,
        "committee": [_seat(m) for m in s.members],
        "due_on": s.due_on,
        "days_to_due": s.days_to_due,
        "warnings": [_alert(a) for a in s.warnings],
    }


def election_data(e: Election) -> dict[str, Any]:
    return {
        "id": e.pk,
        "org": e.branch,
        "held_on": e.held_on,
        "congress_id": e.congress_id,
        "entitled": e.entitled,
        "present": e.present,
        "early_approved_by": e.early_approved_by,
        "early_approved_on": e.early_approved_on,
        "early_reason": e.early_reason,
        "note": e.note,
        "candidates": [
            {"person": _person(c.person), "votes": c.votes, "elected": c.elected, "posts": c.posts}
            for c in e.candidates.all()
        ],
        "term": _term(e.term),
    }


def _elections(scope: Scope, org: Org, pk: int | None = None) -> list[Election]:
    candidates = Candidate.objects.select_related("person").order_by("-elected", "-votes", "id")
    elections = Election.objects.filter(branch=org)
    if pk is not None:
        elections = elections.filter(pk=pk)
    return list(
        scoped(scope, elections)
        .select_related("branch", "term")
        .prefetch_related(Prefetch("candidates", queryset=candidates))
        .order_by("-held_on")
    )


def _committee_org(scope: Scope, code: str) -> Org:
    org = get_scoped(scope, Org.objects.all(), code=code)
    if org.kind not in COMMITTEE_KINDS:
        raise Http404
    return org


@router.get(
    "",
    response=StatusPage,
    summary="党组织委员会状况与提醒（《中国共产党支部工作条例（试行）》第二章–《中国共产党支部工作条例（试行）》第六章、《中国共产党基层组织选举工作条例》）",
)
@requires("membership.view")
def list_statuses(request: HttpRequest, filters: Query[StatusFilters]) -> dict[str, Any]:
    scope = scope_of(request)
    on = filters.on or timezone.localdate()
    if scope.self_only:
        # A member sees the committee of their own branch, and nothing around it.
        own = own_branch(scope)
        orgs = [own] if own is not None else []
    else:
        root = find_org(scope, filters.org, "org") if filters.org else None
        orgs = list(committee_orgs(scope, root))
    statuses = committee_statuses(orgs, on)
    if filters.alerts:
        statuses = [s for s in statuses if s.worst in (rules.BAD, rules.WARN)]
    chosen = statuses[filters.offset : filters.offset + filters.limit]
    return {"count": len(statuses), "items": [status_data(s) for s in chosen]}


def _body_org(scope: Scope, code: str) -> Org:
    # Named in the body like a court in POST /people: out of scope reads as not found.
    return find_org(scope, code, "org", COMMITTEE_KINDS)


@router.post("/elections", response={201: ElectionOut}, summary="记录换届选举（开启新一届任期）")
@requires("membership.manage")
def record_election(request: HttpRequest, payload: ElectionIn) -> Status[dict[str, Any]]:
    scope = scope_of(request)
    org = _body_org(scope, payload.org)
    congress = None
    if payload.congress_id is not None:
        congress = scoped(scope, Activity.objects.filter(pk=payload.congress_id)).first()
        if congress is None:
            raise ValidationError({"congress_id": f"找不到编号为{payload.congress_id}的会议"})
    election = actions.do_record_election(
        request.user,
        org,
        held_on=payload.held_on,
        congress=congress,
        present=payload.present,
        note=payload.note,
        early_approved_by=payload.early_approved_by,
        early_approved_on=payload.early_approved_on,
        early_reason=payload.early_reason,
        candidates=[
            actions.CandidateIn(
                employee_no=c.employee_no, votes=c.votes, elected=c.elected, posts=tuple(c.posts)
            )
            for c in payload.candidates
        ],
    )
    return Status(201, election_data(_elections(scope, org, election.pk)[0]))


@router.post(
    "/postponements",
    response=TermOut,
    summary="记录经批准的延期换届（《中国共产党支部工作条例（试行）》第六章、《中国共产党基层组织选举工作条例》）",
)
@requires("membership.manage")
def postpone(request: HttpRequest, payload: PostponementIn) -> dict[str, Any]:
    scope = scope_of(request)
    org = _body_org(scope, payload.org)
    term = scoped(scope, Term.objects.filter(branch=org, closed_on__isnull=True)).first()
    if term is None:
        raise ValidationError({"postponed_to": f"{org.name}尚无在任的委员会记录，无需延期"})
    term = actions.do_postpone_term(
        request.user,
        term,
        postponed_to=payload.postponed_to,
        approved_by=payload.approved_by,
        approved_on=payload.approved_on,
        reason=payload.reason,
    )
    return _term(term)


# Last: "/{code}" would otherwise take "elections" and "postponements" for a code.
@router.get("/{code}", response=DetailOut, summary="党组织委员会：现任、历届与换届选举")
@requires("membership.view")
def get_committee(request: HttpRequest, code: OrgCode) -> dict[str, Any]:
    scope = scope_of(request)
    org = _committee_org(scope, code)
    data = status_data(committee_status(org, timezone.localdate()))
    seats = CommitteeMember.objects.select_related("person").order_by("id")
    terms = (
        scoped(scope, Term.objects.filter(branch=org))
        .prefetch_related(Prefetch("members", queryset=seats))
        .order_by("-elected_on")
    )
    data["terms"] = [
        {
            **_term(t),
            "seats": [_seat(m) for m in sorted(t.members.all(), key=lambda s: (s.rank, s.pk))],
        }
        for t in terms
    ]
    data["elections"] = [election_data(e) for e in _elections(scope, org)]
    return data
