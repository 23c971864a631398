"""Writes to committees: record an election (which renews the term), approve a postponement, settings.

Each action is atomic and writes its audit row. An election closes the term running
before it and opens the next from the day it was held (R1.4), so the history of terms
and seats is kept, never rewritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tianping.activities.models import Activity, ActivityStatus
from tianping.audit.recording import record, snapshot
from tianping.committees import rules
from tianping.committees.models import (
    COMMITTEE_KINDS,
    POST_ORDER,
    Candidate,
    CommitteeMember,
    CommitteeSetting,
    Election,
    Post,
    Term,
    post_names,
)
from tianping.committees.queries import full_members_on
from tianping.orgs.models import COURT_KINDS, Org
from tianping.people.models import Person

CONGRESS_KIND = "branch_congress"
POSTPONEMENT_FIELDS = (
    "postponed_to",
    "postponement_approved_by",
    "postponement_approved_on",
    "postponement_reason",
)
# The range a court may set R1.2's threshold in: the question is only where exactly 100 falls.
PRIMARY_MIN_RANGE = (51, 500)


@dataclass(frozen=True)
class CandidateIn:
    """One line of an election result as entered: who (by 工号), votes, elected, posts."""

    employee_no: str
    votes: int
    elected: bool = False
    posts: Sequence[str] = field(default_factory=tuple)


def _check_congress(branch: Org, congress: Activity, held_on: dt.date) -> str | None:
    if congress.org_id != branch.pk:
        return f"“{congress.title}”不是{branch.name}的会议"
    if CONGRESS_KIND not in congress.counts_for:
        return f"“{congress.title}”不是支部党员大会"
    if congress.status != ActivityStatus.HELD:
        return f"“{congress.title}”尚未记录为已召开"
    if congress.on != held_on:
        return f"“{congress.title}”于{congress.on:%Y-%m-%d}召开，与选举日期{held_on:%Y-%m-%d}不一致"
    return None


def _check_candidates(
    branch: Org, held_on: dt.date, candidates: Sequence[CandidateIn], present: int | None
) -> tuple[list[tuple[Person, CandidateIn, list[str]]], dict[str, list[str]]]:
    """The candidates resolved to full members with their cleaned posts, and errors by row."""
    full = {p.employee_no.upper(): p for p in full_members_on(branch, held_on)}
    court = branch.court()
    errors: dict[str, list[str]] = {}
    rows: list[tuple[Person, CandidateIn, list[str]]] = []
    seen: set[str] = set()
    for i, c in enumerate(candidates):
        key = f"candidates.{i}"
        number = c.employee_no.strip().upper()
        problems: list[str] = []
        person = full.get(number)
        if not number:
            problems.append("请填写工号")
        elif number in seen:
            problems.append(f"工号{number}重复填写")
        elif person is None:
            other = Person.objects.filter(court=court, employee_no=number).first()
            if other is None:
                problems.append(f"找不到工号为{number}的人员")
            else:
                problems.append(
                    f"{other.name}（{number}）{held_on:%Y-%m-%d}时不是{branch.name}的正式党员，"
                    "不能作为候选人"
                )
        seen.add(number)
        if c.votes < 0:
            problems.append("得票数不能为负数")
        elif present is not None and c.votes > present:
            problems.append(f"得票数{c.votes}超过实到人数{present}")
        unknown = [p for p in c.posts if p not in POST_ORDER]
        posts = sorted(set(c.posts) - set(unknown), key=POST_ORDER.index)
        if unknown:
            problems.append(f"未知的职务：{'、'.join(unknown)}")
        if c.elected and not posts:
            problems.append("请为当选者选择职务（无具体分工的选“委员”）")
        if not c.elected and posts:
            problems.append("未当选者不能担任职务")
        if problems:
            errors[key] = [f"第{i + 1}位候选人：{p}" for p in problems]
        elif person is not None:
            rows.append((person, c, posts))
    return rows, errors


def _check_early(
    term: Term | None,
    held_on: dt.date,
    approved_by: str,
    approved_on: dt.date | None,
    reason: str,
) -> dict[str, list[str]]:
    """R1.4, D7: an election before term end is approved, and at most one year early."""
    early = term is not None and rules.is_early(term.ends_on, held_on)
    if not early:
        if approved_by or approved_on is not None or reason:
            what = (
                f"本届任期{term.ends_on:%Y-%m-%d}届满，{held_on:%Y-%m-%d}换届不属于提前换届"
                if term is not None
                else "尚无在任的委员会记录，本次选举不属于提前换届"
            )
            return {"early_approved_on": [f"{what}，无需填写提前换届批准"]}
        return {}
    assert term is not None
    errors: dict[str, list[str]] = {}
    if problem := rules.early_election_error(term.ends_on, held_on):
        errors["held_on"] = [problem]
    ahead = f"本届任期{term.ends_on:%Y-%m-%d}届满，{held_on:%Y-%m-%d}换届属于提前换届，须经上级党组织批准"
    if not approved_by:
        errors["early_approved_by"] = [f"{ahead}：请填写批准机关或批准文件"]
    if approved_on is None:
        errors["early_approved_on"] = [f"{ahead}：请填写批准日期"]
    elif approved_on > held_on:
        errors["early_approved_on"] = [
            f"批准日期{approved_on:%Y-%m-%d}晚于选举日期{held_on:%Y-%m-%d}：提前换届应先经批准"
        ]
    elif approved_on < term.elected_on:
        errors["early_approved_on"] = [f"批准日期不能早于本届选举日期{term.elected_on:%Y-%m-%d}"]
    return errors


@transaction.atomic
def do_record_election(
    user: Any,
    branch: Org,
    *,
    held_on: dt.date,
    candidates: Sequence[CandidateIn],
    congress: Activity | None = None,
    present: int | None = None,
    note: str = "",
    early_approved_by: str = "",
    early_approved_on: dt.date | None = None,
    early_reason: str = "",
) -> Election:
    """Record an election and renew the committee: close the running term, open the next (R1.4).

    An election before the running term ends is early (D7): it needs the approval recorded
    (who approved, or the document, and when), and may come at most one year early.
    """
    branch = Org.objects.select_for_update().get(pk=branch.pk)
    if branch.kind not in COMMITTEE_KINDS:
        raise ValidationError(
            {"branch": f"{branch.name}是{branch.get_kind_display()}，不选举委员会"}
        )
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if held_on > today:
        errors["held_on"] = ["选举日期不能晚于今天"]
    latest = Election.objects.filter(branch=branch).order_by("-held_on").first()
    if latest is not None and held_on <= latest.held_on:
        errors["held_on"] = [
            f"{branch.name}最近一次换届选举在{latest.held_on:%Y-%m-%d}，新的选举日期应晚于它"
        ]
    if branch.dissolved_on is not None and held_on >= branch.dissolved_on:
        errors["held_on"] = [f"{branch.name}已于{branch.dissolved_on:%Y-%m-%d}撤销"]
    if congress is not None and (problem := _check_congress(branch, congress, held_on)):
        errors["congress"] = [problem]
    previous = (
        Term.objects.select_for_update().filter(branch=branch, closed_on__isnull=True).first()
    )
    early_approved_by = early_approved_by.strip()
    early_reason = early_reason.strip()
    if "held_on" not in errors:
        errors.update(
            _check_early(previous, held_on, early_approved_by, early_approved_on, early_reason)
        )
    entitled = full_members_on(branch, held_on).count()
    if present is not None and present > entitled:
        errors["present"] = [f"实到人数不能超过有选举权的正式党员数（{entitled}人）"]
    if not candidates:
        errors["candidates"] = ["请至少填写一名候选人"]
    rows, row_errors = _check_candidates(branch, held_on, candidates, present)
    errors.update(row_errors)
    if candidates and not row_errors:
        elected_posts = [posts for _, c, posts in rows if c.elected]
        committee = rules.election_errors(branch.kind, entitled, elected_posts)
        if committee:
            errors["candidates"] = committee
    if errors:
        raise ValidationError(errors)

    election = Election.objects.create(
        branch=branch,
        held_on=held_on,
        congress=congress,
        entitled=entitled,
        present=present,
        early_approved_by=early_approved_by,
        early_approved_on=early_approved_on,
        early_reason=early_reason,
        note=note.strip(),
        recorded_by=user if getattr(user, "pk", None) else None,
    )
    Candidate.objects.bulk_create(
        Candidate(election=election, person=p, votes=c.votes, elected=c.elected, posts=posts)
        for p, c, posts in rows
    )
    if previous is not None:
        CommitteeMember.objects.filter(term=previous, until__isnull=True).update(until=held_on)
        previous.closed_on = held_on
        previous.save(update_fields=["closed_on"])
    years = rules.term_years(branch.kind)
    term = Term.objects.create(
        branch=branch,
        election=election,
        elected_on=held_on,
        years=years,
        ends_on=rules.add_years(held_on, years),
    )
    elected = [(p, posts) for p, c, posts in rows if c.elected]
    CommitteeMember.objects.bulk_create(
        CommitteeMember(term=term, person=p, posts=posts, since=held_on) for p, posts in elected
    )
    elected.sort(key=lambda e: min(POST_ORDER.index(x) for x in e[1]))
    record(
        user,
        "committees.election",
        election,
        after={
            "held_on": held_on.isoformat(),
            "congress": str(congress) if congress is not None else None,
            "entitled": entitled,
            "present": present,
            "candidates": [f"{p.name}（{p.employee_no}）{c.votes}票" for p, c, _ in rows],
            "elected": [f"{p.name}（{post_names(posts)}）" for p, posts in elected],
            "term": f"{held_on:%Y-%m-%d}至{term.ends_on:%Y-%m-%d}（{years}年）",
            "closed_term": (
                f"{previous.elected_on:%Y-%m-%d}起的一届于{held_on:%Y-%m-%d}换届"
                if previous is not None
                else None
            ),
            **(
                {
                    "early_approved_by": early_approved_by,
                    "early_approved_on": early_approved_on.isoformat(),
                    "early_reason": early_reason or None,
                }
                if early_approved_on is not None
                else {}
            ),
        },
        org=branch,
    )
    return election


@transaction.atomic
def do_postpone_term(
    user: Any,
    term: Term,
    *,
    postponed_to: dt.date,
    approved_by: str,
    approved_on: dt.date,
    reason: str = "",
) -> Term:
    """Record an approved postponement of the next election: at most 1 year past term end (R1.4)."""
    term = Term.objects.select_for_update().select_related("branch").get(pk=term.pk)
    errors: dict[str, str] = {}
    if not term.is_open:
        raise ValidationError(
            {"postponed_to": f"这一届已于{term.closed_on:%Y-%m-%d}换届，不能再延期"}
        )
    if problem := rules.postponement_error(term.ends_on, postponed_to):
        errors["postponed_to"] = problem
    approved_by = approved_by.strip()
    if not approved_by:
        errors["approved_by"] = (
            "请填写批准延期的上级党组织（《中国共产党支部工作条例（试行）》第六章、《中国共产党基层组织选举工作条例》：延期须经批准）"
        )
    if approved_on > timezone.localdate():
        errors["approved_on"] = "批准日期不能晚于今天"
    elif approved_on < term.elected_on:
        errors["approved_on"] = f"批准日期不能早于本届选举日期{term.elected_on:%Y-%m-%d}"
    if errors:
        raise ValidationError(errors)
    before = snapshot(term, POSTPONEMENT_FIELDS)
    term.postponed_to = postponed_to
    term.postponement_approved_by = approved_by
    term.postponement_approved_on = approved_on
    term.postponement_reason = reason.strip()
    term.save(update_fields=list(POSTPONEMENT_FIELDS))
    record(
        user,
        "committees.postpone",
        term,
        before=before,
        after=snapshot(term, POSTPONEMENT_FIELDS),
        org=term.branch,
    )
    return term


@transaction.atomic
def do_set_committee_setting(
    user: Any, court: Org, *, primary_committee_min: int
) -> CommitteeSetting:
    """A court's threshold for a primary party committee (R1.2, configurable at exactly 100)."""
    if court.kind not in COURT_KINDS:
        raise ValidationError({"court": f"{court.name}不是法院"})
    low, high = PRIMARY_MIN_RANGE
    if not low <= primary_committee_min <= high:
        raise ValidationError({"primary_committee_min": f"应在{low}到{high}之间"})
    setting, created = CommitteeSetting.objects.select_for_update().get_or_create(court=court)
    before = None if created else {"primary_committee_min": setting.primary_committee_min}
    if not created and setting.primary_committee_min == primary_committee_min:
        return setting
    setting.primary_committee_min = primary_committee_min
    setting.save()
    record(
        user,
        "committees.setting",
        setting,
        before=before,
        after={"primary_committee_min": primary_committee_min},
        org=court,
    )
    return setting


__all__ = [
    "CandidateIn",
    "Post",
    "do_postpone_term",
    "do_record_election",
    "do_set_committee_setting",
]
