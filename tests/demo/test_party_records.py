"""The demo fills every party module: recruitment files, committees, dues and last year's reviews,
each record what the module's actions and rules would have accepted (R1.3–R1.6, R2, R3)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count, F, Q

from tianping.accounts.models import User
from tianping.accounts.scoping import scope_for
from tianping.activities.compliance import MET, MISSING, compliance, membership_on
from tianping.activities.models import (
    Activity,
    ActivityStatus,
    AttendanceRole,
    AttendanceStatus,
    DemocraticReview,
    ReviewGrade,
    ReviewStatus,
)
from tianping.activities.review import eligible_meetings, excellent_cap, is_probationary
from tianping.committees import rules as committee_rules
from tianping.committees.models import COMMITTEE_KINDS, CommitteeMember, Election, Post, Term
from tianping.committees.queries import committee_statuses, full_members_on
from tianping.demo.plans import demo_as_of
from tianping.demo.reviews import REVIEW_POINTS
from tianping.dues.models import DuesBase, DuesExcuse, DuesPayment
from tianping.dues.queries import arrears, bases_by_person, in_force, party_org_in
from tianping.dues.rules import DuesCategory, add_months, dues_fen, month_of, months_between
from tianping.lib.dates import add_years
from tianping.orgs.models import Org, OrgKind
from tianping.people.models import (
    PARTY_STATUSES,
    Person,
    PersonStatus,
    Placement,
    PlacementKind,
    PoliticalStatus,
    PostLevel,
)
from tianping.points.actions import reconcile_review
from tianping.points.models import PointEntry, Trigger
from tianping.recruitment import queries as recruitment_queries
from tianping.recruitment import rules as recruitment_rules
from tianping.recruitment.actions import notice_days
from tianping.recruitment.models import PIPELINE, Recruit, Stage, Step, StepKind
from tianping.recruitment.workdays import work_calendar

AS_OF = demo_as_of()
# The month the demo is shown in: its first day and its last.
SHOWN = (AS_OF + dt.timedelta(days=1), add_months(month_of(AS_OF), 2) - dt.timedelta(days=1))


def _board(today: dt.date) -> recruitment_queries.Board:
    """The board as the 政治部 login sees it for the whole city."""
    scope = scope_for(User.objects.get(username="zhengzhibu"))
    return recruitment_queries.board(scope, Org.objects.get(code="BT"), today)


# ---------------------------------------------------------------------------------------
# Recruitment (R2)


def test_r2_the_demo_has_recruitment_files_at_every_stage(demo_db: Any):
    stages = Counter(Recruit.objects.values_list("stage", flat=True))
    for stage in PIPELINE:
        assert stages[stage] >= 3, (stage, stages)
    assert stages[Stage.STOPPED] == 1
    # Each court has files, so every officer's board has something on it.
    courts = Org.objects.filter(kind__in=[OrgKind.MID_COURT, OrgKind.BASIC_COURT])
    for court in courts:
        assert Recruit.objects.filter(branch__path__startswith=court.path).exists(), court.code


def test_r2_the_files_agree_with_the_roster(demo_db: Any):
    for recruit in Recruit.objects.select_related("person"):
        person = recruit.person
        if recruit.stage in (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.STOPPED):
            assert person.political_status not in PARTY_STATUSES, person
            assert recruit.status_before == person.political_status
        elif recruit.stage == Stage.PROBATIONARY:
            assert person.political_status == PoliticalStatus.PROBATIONARY, person
            assert person.party_joined_on == recruit.resolution_on
        else:
            assert person.political_status == PoliticalStatus.MEMBER, person
            assert person.party_joined_on == recruit.resolution_on
            assert person.full_member_on == recruit.probation_ends_on == recruit.full_on
        if recruit.resolution_on is not None and person.is_party_member:
            # Placed in the branch by the vote that admitted them (they may have moved since).
            assert Placement.objects.filter(
                person=person,
                kind=PlacementKind.PARTY_ORG,
                org=recruit.branch,
                since=recruit.resolution_on,
            ).exists(), person
        assert person.status == PersonStatus.SERVING
        assert person.age_on(recruit.applied_on) >= recruitment_rules.ADULT_AGE


def _advance(recruit: Recruit, step: Step) -> None:
    """What recording the step does to the file (recruitment.actions._advance, minus the roster)."""
    kind = step.kind
    if kind == StepKind.TALK and recruit.talked_on is None:
        recruit.talked_on = step.on
    elif kind == StepKind.ACTIVIST:
        recruit.stage, recruit.activist_on = Stage.ACTIVIST, step.on
    elif kind == StepKind.CANDIDATE:
        recruit.stage, recruit.candidate_on = Stage.CANDIDATE, step.on
    elif kind == StepKind.ADMISSION:
        recruit.resolution_on = step.on
    elif kind == StepKind.APPROVAL:
        recruit.stage, recruit.approved_on = Stage.PROBATIONARY, step.on
        recruit.probation_ends_on = add_years(recruit.resolution_on, 1)
    elif kind == StepKind.FULL:
        recruit.stage, recruit.full_on = Stage.MEMBER, recruit.probation_ends_on
    elif kind == StepKind.STOP:
        recruit.stage, recruit.closed_on = Stage.STOPPED, step.on


def test_r2_every_step_is_one_the_rules_accept_when_replayed_in_order(demo_db: Any):
    """Each step, checked against the file as it stood before it, passes recruitment.rules:
    no refusal, no flag (talks within a month, assessments every six months, notices of five
    working days, a year as activist, votes with a quorum present by attendance)."""
    calendar = work_calendar(dt.date(AS_OF.year - 5, 1, 1), AS_OF + dt.timedelta(days=60))
    files = Recruit.objects.select_related("person", "person__court", "branch").prefetch_related(
        recruitment_queries.steps_prefetch()
    )
    checked = 0
    for stored in files:
        steps = list(stored.steps.all())
        assert steps[0].kind == StepKind.APPLICATION
        recruitment_rules.check_application(stored.person, steps[0].on, AS_OF)
        state = Recruit(
            person=stored.person,
            branch=stored.branch,
            stage=Stage.APPLICANT,
            applied_on=steps[0].on,
        )
        days = notice_days(stored.branch.court())
        for i, step in enumerate(steps[1:], 1):
            people = [sp.person for sp in step.step_people.all()]
            admission = step.kind == StepKind.ADMISSION
            given = recruitment_rules.StepInput(
                kind=step.kind,
                on=step.on,
                ends_on=step.ends_on,
                note=step.note,
                people=people,
                days=step.days,
                hours=step.hours,
                present=step.present,
                votes_yes=step.votes_yes,
                votes_no=step.votes_no,
                votes_abstain=step.votes_abstain,
                activity=step.activity,
                approver=step.approver,
            )
            result = recruitment_rules.check_step(
                state,
                steps[:i],
                given,
                today=AS_OF,
                notice_days=days,
                calendar=calendar,
                roster_entitled=membership_on(stored.branch, step.on).full if admission else None,
                congress=(
                    recruitment_queries.congress_counts(stored.branch, [step.activity])[
                        step.activity_id
                    ]
                    if admission
                    else None
                ),
            )
            assert result.flags == [], (stored.person.name, step, result.flags)
            if admission:
                assert (result.entitled, result.present) == (step.entitled, step.present)
            _advance(state, step)
            checked += 1
        for name in (
            "stage",
            "applied_on",
            "talked_on",
            "activist_on",
            "candidate_on",
            "resolution_on",
            "approved_on",
            "probation_ends_on",
            "full_on",
            "closed_on",
        ):
            assert getattr(state, name) == getattr(stored, name), (stored.person.name, name)
    assert checked > 200


def test_r2_6_admission_votes_are_linked_to_held_branch_congresses_with_a_quorum_present(
    demo_db: Any,
):
    votes = Step.objects.filter(kind__in=[StepKind.ADMISSION, StepKind.FULL]).select_related(
        "activity", "recruit__branch"
    )
    assert votes.filter(kind=StepKind.ADMISSION).count() >= 15
    assert votes.filter(kind=StepKind.FULL).count() >= 3
    for step in votes:
        congress = step.activity
        assert congress is not None, step
        assert congress.kind == "branch_congress" and congress.status == ActivityStatus.HELD
        assert congress.org_id == step.recruit.branch_id and congress.on == step.on
        if step.kind == StepKind.ADMISSION:
            count = recruitment_queries.congress_counts(step.recruit.branch, [congress])
            present = count[congress.pk].present
            assert step.present == present and step.entitled
            assert present * 2 > step.entitled and step.votes_yes * 2 > step.entitled


def test_r2_the_board_shows_steps_due_this_month_and_one_overdue(demo_db: Any):
    for today in SHOWN:
        board = _board(today)
        overdue = [d for d in board.dues if d.overdue(today)]
        coming = [d for d in board.dues if not d.overdue(today)]
        # Deadlines of this month fall behind as the month goes on; one was missed already.
        assert overdue, today
        if today == SHOWN[0]:
            assert len(overdue) == 1 and overdue[0].rule == "R2.2", overdue
            assert len(coming) >= 5
            assert {d.rule for d in coming} >= {"R2.2", "R2.3", "R2.6", "R2.8"}
        assert all(d.on <= today + dt.timedelta(days=30) for d in board.dues)


def test_r2_4_an_activist_under_a_year_waits_only_for_the_date_it_becomes_possible(
    demo_db: Any,
):
    """The step the file shows next would be refused today (R2.4), with the day it is allowed."""
    found = []
    for recruit in Recruit.objects.filter(stage=Stage.ACTIVIST).select_related("person", "branch"):
        steps = list(recruit.steps.order_by("on", "id"))
        nxt = next(
            n
            for n in recruitment_rules.next_steps(recruit, steps, 5)
            if n.kind == StepKind.CANDIDATE
        )
        if nxt.waiting_for or nxt.possible_on is None or nxt.possible_on <= SHOWN[1]:
            continue
        found.append(recruit)
        eligible = add_years(recruit.activist_on, 1)
        assert nxt.possible_on == eligible
        try:
            recruitment_rules.check_step(
                recruit,
                steps,
                recruitment_rules.StepInput(kind=StepKind.CANDIDATE, on=AS_OF),
                today=AS_OF,
                notice_days=5,
                calendar=recruitment_rules.MONDAY_TO_FRIDAY,
            )
        except recruitment_rules.StepRefused as refused:
            assert [r.rule for r in refused.refusals] == ["R2.4"]
            assert refused.possible_on == eligible
        else:
            raise AssertionError(f"{recruit.person.name} would have been promoted")
    assert len(found) == 1, found


# ---------------------------------------------------------------------------------------
# Committees (R1.3, R1.4)


def _statuses(on: dt.date) -> list:
    orgs = list(Org.objects.filter(kind__in=COMMITTEE_KINDS).order_by("path"))
    return committee_statuses(orgs, on)


def test_r1_3_every_organisation_has_the_committee_its_size_asks_for(demo_db: Any):
    statuses = _statuses(SHOWN[0])
    assert len(statuses) == Org.objects.filter(kind__in=COMMITTEE_KINDS).count()
    for status in statuses:
        assert status.term is not None and status.secretary is not None, status.org.code
        size = len(status.members)
        held = Counter(p for m in status.members for p in m.posts)
        assert held[Post.SECRETARY] == 1
        if status.must_have_committee:
            assert committee_rules.COMMITTEE_MIN <= size <= committee_rules.COMMITTEE_USUAL_MAX, (
                status.org.code,
                status.term,
            )
            assert {Post.ORGANISATION, Post.PUBLICITY, Post.DISCIPLINE} <= set(held)
        else:  # below seven full members: a secretary alone
            assert size == 1, status.org.code
        codes = {a.code for a in status.warnings}
        assert codes <= {"election_due", "election_overdue"}, (status.org.code, codes)


def test_r1_4_some_elections_fall_due_within_90_days_one_is_overdue_one_postponed(demo_db: Any):
    for today in SHOWN:
        codes = Counter(a.code for s in _statuses(today) for a in s.warnings)
        assert codes["election_overdue"] == 1, (today, codes)
        assert codes["election_due"] >= 3, (today, codes)
    postponed = Term.objects.filter(closed_on__isnull=True, postponed_to__isnull=False)
    assert postponed.count() == 1
    term = postponed.get()
    assert term.ends_on < SHOWN[0] and term.postponed_to > SHOWN[1]
    assert term.postponed_to <= committee_rules.latest_postponement(term.ends_on)
    assert term.postponement_approved_by and term.postponement_reason
    assert term.elected_on <= term.postponement_approved_on <= min(term.ends_on, AS_OF)


def test_r1_4_elections_renew_terms_that_ran_out_and_use_the_congress_attendance(demo_db: Any):
    for election in Election.objects.select_related("branch", "congress", "term"):
        branch = election.branch
        assert election.entitled == full_members_on(branch, election.held_on).count()
        assert election.present * 2 > election.entitled
        elected = list(election.candidates.filter(elected=True))
        full = set(full_members_on(branch, election.held_on).values_list("pk", flat=True))
        assert all(c.person_id in full and c.votes <= election.present for c in elected)
        assert (
            committee_rules.election_errors(
                branch.kind, election.entitled, [c.posts for c in elected]
            )
            == []
        )
        term = election.term
        assert term.ends_on == add_years(election.held_on, term.years)
        # The term it closed had run its course: no early election, none to approve (D7).
        before = Term.objects.filter(branch=branch, closed_on=election.held_on).first()
        if before is not None:
            assert not committee_rules.is_early(before.ends_on, election.held_on)
        assert not election.is_early
        if election.congress is not None:
            congress = election.congress
            assert congress.org_id == branch.pk and congress.on == election.held_on
            assert congress.status == ActivityStatus.HELD and congress.kind == "branch_congress"
            count = recruitment_queries.congress_counts(branch, [congress])[congress.pk]
            assert election.present == count.present
    window_start = dt.date(AS_OF.year - 1, 1, 1)
    within = Election.objects.filter(held_on__gte=window_start, branch__kind=OrgKind.BRANCH)
    assert within.exists() and not within.filter(congress__isnull=True).exists()
    assert Term.objects.exclude(closed_on=None).exists()


def test_r1_3_the_secretary_login_is_the_secretary_of_its_branch_committee(demo_db: Any):
    shuji = User.objects.select_related("person").get(username="shuji")
    branch = shuji.grants.get().org
    (status,) = committee_statuses([branch], SHOWN[0])
    assert status.secretary.person == shuji.person


# ---------------------------------------------------------------------------------------
# Dues (R3)


def test_r3_every_serving_and_retired_member_has_a_base_by_pay(demo_db: Any):
    members = Person.objects.filter(
        political_status__in=PARTY_STATUSES,
        status__in=[PersonStatus.SERVING, PersonStatus.RETIRED],
        party_org__isnull=False,
    )
    without = members.annotate(n=Count("dues_bases")).filter(n=0)
    assert members.count() > 600 and not without.exists(), list(without[:5])
    history = bases_by_person(members, month_of(AS_OF))
    latest = {pk: entries[-1] for pk, entries in history.items()}
    retired = dict(
        Placement.objects.filter(
            kind=PlacementKind.DEPARTMENT, person__status=PersonStatus.RETIRED
        ).values_list("person_id", "until")
    )
    by_level: dict[str, list[int]] = {}
    for person in members:
        base = latest[person.pk]
        if person.status == PersonStatus.RETIRED and month_of(retired[person.pk]) < month_of(AS_OF):
            assert base.category == DuesCategory.RETIRED, person  # R3.2, from the month after
        else:
            assert base.category == DuesCategory.SERVING, person
            by_level.setdefault(person.post_level, []).append(base.base_fen)
    mean = {level: sum(v) / len(v) for level, v in by_level.items()}
    # After-tax pay rises with the post: a court chief earns most, the staff least.
    assert (
        mean[PostLevel.STAFF]
        < mean[PostLevel.DIVISION_DEPUTY]
        < mean[PostLevel.DIVISION_CHIEF]
        < mean[PostLevel.COURT_DEPUTY]
        < mean[PostLevel.COURT_CHIEF]
    )
    assert 400_000 < mean[PostLevel.STAFF] < 800_000
    assert DuesBase.objects.filter(since__month=1).exists()  # January's pay adjustment


def test_r3_a_year_of_payments_each_the_months_dues_where_the_member_belonged(demo_db: Any):
    months = DuesPayment.objects.dates("month", "month")
    assert len(months) == 12 and months[len(months) - 1] == month_of(AS_OF)
    sample = DuesPayment.objects.select_related("person", "person__court", "org").order_by("id")[
        ::40
    ]
    assert len(sample) > 150
    for payment in sample:
        person = payment.person
        base = in_force(bases_by_person([person.pk], payment.month)[person.pk], payment.month)
        assert payment.amount_fen == dues_fen(base.category, base.base_fen)
        assert payment.org == party_org_in(person, payment.month)
        assert payment.back_paid == (months_between(payment.month, payment.paid_on) >= 1)
        assert payment.paid_on <= AS_OF
        if person.party_joined_on is not None:
            assert payment.month >= month_of(person.party_joined_on)  # R3.3
    assert DuesPayment.objects.filter(back_paid=True).exists()
    assert DuesPayment.objects.exclude(payer=None).exclude(payer=F("person")).exists()


def test_r3_3_a_few_members_are_in_arrears_three_flagged_and_one_excused(demo_db: Any):
    root = Org.objects.get(code="BT")
    found = arrears(root, month_of(AS_OF))
    flagged = [a for a in found if a.flagged]
    assert len(flagged) == 3
    assert 4 <= len(found) <= 10
    assert len({a.person.court_id for a in flagged}) == 3
    (excuse,) = DuesExcuse.objects.select_related("person")
    unpaid = DuesPayment.objects.filter(person=excuse.person, month__gte=excuse.first_month)
    assert not unpaid.exists()
    assert months_between(excuse.first_month, AS_OF) + 1 >= 6
    assert excuse.person not in [a.person for a in found]
    logins = {u.person_id for u in User.objects.exclude(person=None)}
    assert not logins & {a.person.pk for a in found}
    # The demo secretary has one of them to follow up in their own branch.
    branch = User.objects.get(username="shuji").grants.get().org
    assert any(a.flagged and a.org == branch for a in found)


# ---------------------------------------------------------------------------------------
# 谈心谈话 (R1.5, D5)


def test_d5_each_committee_member_talks_with_the_branch_and_most_branches_meet_it(
    demo_db: Any,
):
    year = AS_OF.year - 1
    talks = Activity.objects.filter(
        kind="heart_talk", status=ActivityStatus.HELD, on__year=year
    ).select_related("org")
    assert talks.count() >= Org.objects.filter(kind=OrgKind.BRANCH).count() * 2
    for talk in talks[::7]:
        (talker,) = talk.attendance.filter(role=AttendanceRole.TALKER)
        assert talker.status == AttendanceStatus.PRESENT
        (status,) = committee_statuses([talk.org], talk.on)
        assert talker.person_id in {m.person_id for m in status.members}, talk
    report = compliance(Org.objects.get(code="BT"), year, dt.date(year, 12, 31))
    rows = Counter(r.status for r in report.rows if r.obligation.code == "heart_talk")
    assert rows[MET] >= 0.7 * sum(rows.values()), rows
    assert rows[MISSING], "a few branches still owe some talks"
    assert any(matrix.missing for matrix in report.talks.values())


# ---------------------------------------------------------------------------------------
# Democratic reviews (R1.6) and their points (R4.1)


def test_r1_6_last_years_reviews_are_graded_within_the_cap_and_closed(demo_db: Any):
    year = AS_OF.year - 1
    reviews = DemocraticReview.objects.filter(year=year).select_related("branch", "meeting")
    branches = Org.objects.filter(kind=OrgKind.BRANCH).count()
    assert reviews.count() >= branches * 0.8
    assert not DemocraticReview.objects.exclude(year=year).exists()
    grades: Counter[str] = Counter()
    for review in reviews:
        assert review.status == ReviewStatus.CLOSED
        assert review.meeting in eligible_meetings(review)
        entries = list(review.entries.select_related("person"))
        full = [e for e in entries if not e.probationary]
        excellent = sum(e.grade == ReviewGrade.EXCELLENT for e in full)
        assert excellent <= excellent_cap(len(full)), review
        assert all(e.grade for e in full)
        for e in entries:
            assert e.probationary == is_probationary(e.person, review.meeting.on)
            if e.probationary:
                assert e.grade == ""
        grades.update(e.grade for e in full)
    assert grades[ReviewGrade.EXCELLENT] and grades[ReviewGrade.QUALIFIED]
    assert grades[ReviewGrade.BASIC]
    assert DemocraticReview.objects.filter(
        year=year, entries__probationary=True, entries__grade=""
    ).exists()


def test_r4_1_review_points_are_posted_as_closing_a_review_posts_them(demo_db: Any):
    year = AS_OF.year - 1
    excellent = Counter(
        DemocraticReview.objects.filter(
            year=year, entries__grade=ReviewGrade.EXCELLENT
        ).values_list("entries__person_id", flat=True)
    )
    entries = PointEntry.objects.filter(trigger=Trigger.REVIEW_EXCELLENT)
    assert Counter(entries.values_list("person_id", flat=True)) == excellent
    assert not entries.exclude(points=REVIEW_POINTS[Trigger.REVIEW_EXCELLENT]).exists()
    assert not entries.filter(Q(activity__isnull=True) | ~Q(on__year=year)).exists()
    for review in DemocraticReview.objects.order_by("id")[::10]:
        assert reconcile_review(review) == []  # nothing left to post: the ledger matches


# ---------------------------------------------------------------------------------------
# The demo's people


def test_the_demo_logins_are_people_who_do_what_their_role_does(demo_db: Any):
    people = {
        u.username: u.person for u in User.objects.select_related("person__department", "person")
    }
    assert people["admin"] is None
    for username in ("zhengzhibu", "dangwei", "shuji", "dangyuan", "yuanzhang"):
        person = people[username]
        assert person.status == PersonStatus.SERVING, username
        assert person.political_status == PoliticalStatus.MEMBER, username
        assert person.full_member_on is None or person.full_member_on <= AS_OF
    assert people["dangwei"].department.code == "BT-JY-ZZB"
    assert people["zhengzhibu"].department.code == "BT-ZZB"
    assert people["yuanzhang"].post_level == PostLevel.COURT_CHIEF
    assert people["dangyuan"].party_org == people["shuji"].party_org
    # The member is an ordinary member of the branch the secretary leads.
    seats = CommitteeMember.objects.filter(until__isnull=True)
    assert not seats.filter(person=people["dangyuan"]).exists()
    own = seats.filter(person=people["shuji"], term__branch=people["shuji"].party_org)
    assert [seat.posts for seat in own] == [[Post.SECRETARY]]
