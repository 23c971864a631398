"""Builder step (demo): 发展党员 files at every stage, each step dated as recruitment.rules accepts it.

Who is at which stage follows the roster: the members a branch admitted within the records
(the roster's 预备党员, and those now full members) have files that run from the application
to the 支部党员大会 that admitted them — the congress `add_activities` recorded with its
attendance — and on to full membership. Beside them, young staff outside the party stand
at the earlier stages (入党申请人, 入党积极分子, 发展对象), drawn so that the board has
something falling due this month, one deadline missed, and one activist whose promotion
the rules would still refuse (R2.4: under a year as activist), shown with the day it
becomes possible. The rows are what `recruitment.actions` stores for each step, written in
bulk; a refused step leaves nothing stored, so the refusal shows as the file's next step.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from tianping.activities.compliance import membership_on
from tianping.activities.models import Activity, ActivityStatus
from tianping.demo.activities import Roll, by_rank, full_members, serving_on
from tianping.demo.days import meeting_day_before, meeting_day_from
from tianping.demo.roster import Branch, CourtRoster, PersonDraft
from tianping.lib.dates import add_months, add_years
from tianping.orgs.models import Org, OrgKind
from tianping.people.models import PersonStatus, PlacementKind, PoliticalStatus
from tianping.recruitment import queries as recruitment_queries
from tianping.recruitment.actions import notice_days
from tianping.recruitment.models import Recruit, Stage, Step, StepKind, StepPerson, StepRole
from tianping.recruitment.rules import (
    ACTIVIST_YEARS,
    ADULT_AGE,
    APPROVE_WITHIN_MONTHS,
    ASSESS_EVERY_MONTHS,
    MONDAY_TO_FRIDAY,
    PROBATION_YEARS,
    TALK_WITHIN_MONTHS,
    TRAINING_DAYS,
    TRAINING_HOURS,
    WorkCalendar,
)
from tianping.recruitment.workdays import work_calendar

if TYPE_CHECKING:
    from tianping.demo.builder import Build

# How many files stand at each earlier stage across the city, by what they show.
APPLICANTS_TALKED = 5
APPLICANTS_TALK_DUE = 2  # applied last month: the talk falls due this month (R2.2)
ACTIVISTS = 6
CANDIDATES = 3
# Who may apply: serving staff outside the party, of an age at which courts' young staff do.
APPLICANT_AGES = (22, 38)
NON_PARTY = (PoliticalStatus.LEAGUE, PoliticalStatus.MASSES)

ASSESSMENT_NOTES = (
    "培养联系人汇报考察情况：政治立场坚定，能主动向党组织汇报思想，工作积极。",
    "经支部委员会考察，该同志理论学习认真，审判辅助工作完成较好，群众评价好。",
    "培养联系人与其谈心，了解思想和工作情况，表现良好，建议继续培养。",
    "半年考察：能够按时参加党课学习，在急难险重任务中表现突出。",
)
TALK_NOTE = "支部委员{talker}与申请人谈话，了解其入党动机、个人经历和思想状况，介绍党的基本知识。"
REVIEW_NOTE = (
    "经函调和外调，该同志政治立场坚定，历史清白，主要社会关系无影响入党的问题，政治审查合格。"
)


@dataclass
class StepDraft:
    kind: str
    on: dt.date
    ends_on: dt.date | None = None
    note: str = ""
    people: tuple[PersonDraft, ...] = ()
    days: int | None = None
    hours: Decimal | None = None
    entitled: int | None = None
    present: int | None = None
    votes_yes: int | None = None
    votes_no: int | None = None
    votes_abstain: int | None = None
    activity_id: int | None = None
    approver: str = ""


@dataclass
class FileDraft:
    person: PersonDraft
    branch: str
    status_before: str
    steps: list[StepDraft] = field(default_factory=list)

    def add(self, step: StepDraft) -> StepDraft:
        self.steps.append(step)
        return step


ROLE_OF: dict[str, str] = {
    StepKind.ACTIVIST: StepRole.CONTACT,
    StepKind.CONTACTS: StepRole.CONTACT,
    StepKind.INTRODUCERS: StepRole.INTRODUCER,
}


def recruit_row(draft: FileDraft) -> Recruit:
    """The file as recruitment.actions leaves it after its steps (see actions._advance)."""
    r = Recruit(  # type: ignore[misc]  # the roster is saved: its people have ids
        person_id=draft.person.pk,
        stage=Stage.APPLICANT,
        status_before=draft.status_before,
    )
    for step in draft.steps:
        kind = step.kind
        if kind == StepKind.APPLICATION:
            r.applied_on = step.on
        elif kind == StepKind.TALK and r.talked_on is None:
            r.talked_on = step.on
        elif kind == StepKind.ACTIVIST:
            r.stage, r.activist_on = Stage.ACTIVIST, step.on
        elif kind == StepKind.CANDIDATE:
            r.stage, r.candidate_on = Stage.CANDIDATE, step.on
        elif kind == StepKind.ADMISSION:
            r.resolution_on = step.on
        elif kind == StepKind.APPROVAL:
            assert r.resolution_on is not None
            r.stage, r.approved_on = Stage.PROBATIONARY, step.on
            r.probation_ends_on = add_years(r.resolution_on, PROBATION_YEARS)
        elif kind == StepKind.FULL:
            r.stage, r.full_on = Stage.MEMBER, r.probation_ends_on
        elif kind == StepKind.STOP:
            r.stage, r.closed_on = Stage.STOPPED, step.on
    return r


class Recruiting:
    """Draws the files of the demo city; `write` stores them."""

    def __init__(self, build: Build) -> None:
        self.build = build
        self.as_of = build.plan.as_of
        self.first = build.results["activities_window"][0]
        self.rng = build.rng("recruitment")
        self.rolls: dict[str, Roll] = defaultdict(Roll)
        for person in build.people():
            for stint in person.stints:
                if stint.kind == PlacementKind.PARTY_ORG:
                    self.rolls[stint.org].stays.append((person, stint.since, stint.until))
        self.orgs = {
            o.code: o
            for o in Org.objects.filter(pk__in=build.org_ids.values()).filter(
                kind__in=[OrgKind.BRANCH, *(r.plan.kind for r in build.rosters)]
            )
        }
        self.calendar: WorkCalendar = work_calendar(
            dt.date(self.first.year - 3, 1, 1), self.as_of + dt.timedelta(days=60)
        )
        self.notice_days = {r.plan.code: notice_days(self.orgs[r.plan.code]) for r in build.rosters}
        self.court_of: dict[str, CourtRoster] = {}
        for roster in build.rosters:
            for branch in roster.branches:
                self.court_of[branch.code] = roster
        self.files: list[FileDraft] = []

    # The branch's people ------------------------------------------------------------

    def full_on(self, branch: str, day: dt.date, *, besides: PersonDraft) -> list[PersonDraft]:
        """Full members of the branch serving that day, ranked, without the file's person."""
        members = [
            p
            for p in full_members(self.rolls[branch].on(day), day)
            if p is not besides and serving_on(p, day)
        ]
        return by_rank(members, day)

    def contacts(
        self, branch: str, day: dt.date, person: PersonDraft, n: int
    ) -> tuple[PersonDraft, ...]:
        """R2.3/R2.5: ordinary full members, seldom the secretary, who know the person's work."""
        full = self.full_on(branch, day, besides=person)
        pool = full[1:] if len(full) > n else full
        return tuple(sorted(self.rng.sample(pool, min(n, len(pool))), key=lambda p: p.employee_no))

    def talker(self, branch: str, day: dt.date, person: PersonDraft) -> str:
        full = self.full_on(branch, day, besides=person)
        return full[0].name if full else "书记"

    def approver(self, branch: str) -> str:
        """The higher party committee that approves an admission (R2.6)."""
        roster = self.court_of[branch]
        court = roster.plan.name
        if any(n.kind == OrgKind.PARTY_COMMITTEE for n in roster.tree.children):
            return f"中共{court}机关党委"
        return f"中共{court.removesuffix('人民法院')}直属机关工作委员会"

    # Dates ----------------------------------------------------------------------------

    def counts(self, day: dt.date) -> bool:
        """A working day by China's calendar (D6) and Monday to Friday alike, so a notice
        runs its full length whichever way its days are counted."""
        return self.calendar.is_working_day(day) and MONDAY_TO_FRIDAY.is_working_day(day)

    def notice_from(self, start: dt.date, court: str) -> tuple[dt.date, dt.date]:
        """R2.8: a notice from the first working day on or after `start`, for its length."""
        while not self.counts(start):
            start += dt.timedelta(days=1)
        end, n = start, 1
        while n < self.notice_days[court]:
            end += dt.timedelta(days=1)
            n += self.counts(end)
        return start, end

    def notice_until(self, end: dt.date, court: str) -> tuple[dt.date, dt.date]:
        """R2.8: a notice ending on the last working day on or before `end`."""
        while not self.counts(end):
            end -= dt.timedelta(days=1)
        start, n = end, 1
        while n < self.notice_days[court]:
            start -= dt.timedelta(days=1)
            n += self.counts(start)
        return start, end

    def between(self, low: dt.date, high: dt.date) -> dt.date:
        """A meeting day in [low, high], as near a random point as the calendar allows."""
        span = max(0, (high - low).days)
        day = meeting_day_from(low + dt.timedelta(days=self.rng.randint(0, span)))
        return day if day <= high else meeting_day_before(high)

    # The steps --------------------------------------------------------------------------

    def opening(self, f: FileDraft, applied: dt.date, talked: dt.date | None) -> None:
        f.add(StepDraft(StepKind.APPLICATION, applied, note="本人向党支部递交入党申请书。"))
        if talked is not None:
            note = TALK_NOTE.format(talker=self.talker(f.branch, talked, f.person))
            f.add(StepDraft(StepKind.TALK, talked, note=note))

    def activist(self, f: FileDraft, on: dt.date) -> None:
        people = self.contacts(f.branch, on, f.person, self.rng.choice((1, 2, 2)))
        note = "经党员推荐、群团组织推优，支部委员会研究，确定为入党积极分子，指定培养联系人。"
        f.add(StepDraft(StepKind.ACTIVIST, on, note=note, people=people))

    def assessments(self, f: FileDraft, start: dt.date, until: dt.date) -> dt.date:
        """R2.3: an assessment every six months or sooner, from `start` up to `until`;
        returns the last day one was held (or `start`)."""
        last = start
        while True:
            due = add_months(last, ASSESS_EVERY_MONTHS)
            day = meeting_day_before(due - dt.timedelta(days=self.rng.randint(0, 20)))
            if day >= until or day <= last:
                return last
            f.add(StepDraft(StepKind.ASSESSMENT, day, note=self.rng.choice(ASSESSMENT_NOTES)))
            last = day

    def candidate_steps(self, f: FileDraft, on: dt.date, court: str) -> None:
        """The notice before the decision, and the decision (R2.4, R2.8)."""
        start, end = self.notice_until(on - dt.timedelta(days=self.rng.randint(1, 6)), court)
        f.add(
            StepDraft(
                StepKind.CANDIDATE_NOTICE,
                start,
                end,
                note="在支部和院内公示栏公示，公示期间未收到反映。",
            )
        )
        note = "经支部委员会研究，听取党小组、培养联系人和党员群众意见，确定为发展对象，报上级党委备案。"
        f.add(StepDraft(StepKind.CANDIDATE, on, note=note))

    def preparation(self, f: FileDraft, start: dt.date, until: dt.date, court: str) -> None:
        """R2.5: introducers, the political review and the training, in that order."""
        span = (until - start).days
        introduced = self.between(start + dt.timedelta(days=1), start + dt.timedelta(span // 4))
        reviewed = self.between(
            introduced + dt.timedelta(days=3), start + dt.timedelta(days=span // 2)
        )
        trained = self.between(
            reviewed + dt.timedelta(days=3), start + dt.timedelta(days=span * 4 // 5)
        )
        people = self.contacts(f.branch, introduced, f.person, 2)
        f.add(StepDraft(StepKind.INTRODUCERS, introduced, people=people))
        f.add(StepDraft(StepKind.POLITICAL_REVIEW, reviewed, note=REVIEW_NOTE))
        f.add(
            StepDraft(
                StepKind.TRAINING,
                trained,
                note=f"参加{self.court_of[f.branch].plan.name}发展对象培训班，结业考试合格。",
                days=TRAINING_DAYS,
                hours=TRAINING_HOURS,
            )
        )

    def admission(self, f: FileDraft, on: dt.date, activity: int, court: str) -> None:
        """The notice, then the congress's vote (R2.6): the present count is the meeting's
        attendance of full members (D4), the entitled count the roster's."""
        start, end = self.notice_until(on - dt.timedelta(days=self.rng.randint(1, 5)), court)
        f.add(
            StepDraft(
                StepKind.ADMISSION_NOTICE,
                start,
                end,
                note="公示发展对象基本情况和培养考察情况，公示期间未收到反映。",
            )
        )
        branch = self.orgs[f.branch]
        entitled = membership_on(branch, on).full
        congress = Activity.objects.get(pk=activity)
        present = recruitment_queries.congress_counts(branch, [congress])[activity].present
        abstain = 1 if self.rng.random() < 0.2 and (present - 1) * 2 > entitled else 0
        f.add(
            StepDraft(
                StepKind.ADMISSION,
                on,
                entitled=entitled,
                present=present,
                votes_yes=present - abstain,
                votes_no=0,
                votes_abstain=abstain,
                activity_id=activity,
                note="入党介绍人介绍情况，支部党员大会讨论，无记名投票表决。",
            )
        )

    # Whole files --------------------------------------------------------------------

    def earliest_application(self, p: PersonDraft) -> dt.date:
        return max(add_years(p.birth_date, ADULT_AGE), p.hired_on + dt.timedelta(days=30))

    def admitted_file(self, p: PersonDraft, branch: str, votes: dict) -> FileDraft | None:
        """A member the branch admitted within the records: the file from the application
        to the vote, the approval and, for those now full members, the vote a year on."""
        resolution = p.party_joined_on
        admission = votes.get(("admission", p.employee_no))
        if resolution is None or admission is None:
            return None
        full_vote = votes.get(("full", p.employee_no))
        if p.political_status == PoliticalStatus.MEMBER and full_vote is None:
            return None  # moved branch before the vote on full membership: no file here
        rng = self.rng
        court = self.court_of[branch].plan.code
        candidate = meeting_day_before(resolution - dt.timedelta(days=rng.randint(60, 150)))
        activist = meeting_day_before(add_months(candidate, -rng.randint(12, 20)))
        applied = meeting_day_before(add_months(activist, -rng.randint(3, 10)))
        applied = max(applied, meeting_day_from(self.earliest_application(p)))
        talked = meeting_day_from(applied + dt.timedelta(days=rng.randint(5, 25)))
        if talked >= activist or add_years(activist, ACTIVIST_YEARS) > candidate:
            return None
        f = FileDraft(p, branch, self.status_before(p, applied))
        self.opening(f, applied, talked)
        self.activist(f, activist)
        self.assessments(f, activist, candidate)
        self.candidate_steps(f, candidate, court)
        self.preparation(f, candidate, resolution - dt.timedelta(days=12), court)
        self.admission(f, resolution, admission, court)
        latest = min(add_months(resolution, APPROVE_WITHIN_MONTHS), self.as_of)
        approved = self.between(
            resolution + dt.timedelta(days=min(20, (latest - resolution).days)), latest
        )
        f.add(
            StepDraft(
                StepKind.APPROVAL,
                approved,
                approver=self.approver(branch),
                note="经上级党委审批，同意接收为中共预备党员，预备期一年。",
            )
        )
        if full_vote is not None:
            on = Activity.objects.values_list("on", flat=True).get(pk=full_vote)
            f.add(
                StepDraft(
                    StepKind.FULL,
                    on,
                    activity_id=full_vote,
                    note="预备期间表现良好，经支部党员大会讨论，同意按期转为正式党员。",
                )
            )
        return f

    def status_before(self, p: PersonDraft, applied: dt.date) -> str:
        if p.political_status in NON_PARTY:
            return p.political_status
        young = applied < add_years(p.birth_date, 28)
        return PoliticalStatus.LEAGUE if young else PoliticalStatus.MASSES

    def admitted(self) -> None:
        votes = self.build.results["membership_votes"]
        for roster in self.build.rosters:
            for p in sorted(roster.people, key=lambda p: p.employee_no):
                joined = p.party_joined_on
                if not p.in_party or joined is None or joined < self.first:
                    continue
                branch = next(
                    (
                        s.org
                        for s in p.stints
                        if s.kind == PlacementKind.PARTY_ORG and s.since == joined
                    ),
                    None,
                )
                if branch is None or branch not in self.court_of:
                    continue
                f = self.admitted_file(p, branch, votes)
                if f is not None:
                    self.files.append(f)

    # The earlier stages ----------------------------------------------------------------

    def branches_of(self, roster: CourtRoster, dept: str) -> list[Branch]:
        return [b for b in roster.branches if dept in b.depts]

    def candidates_for(self) -> list[tuple[PersonDraft, str]]:
        """Serving staff outside the party who might apply, each with their branch."""
        low, high = APPLICANT_AGES
        found: list[tuple[PersonDraft, str]] = []
        for roster in self.build.rosters:
            for p in sorted(roster.people, key=lambda p: p.employee_no):
                if (
                    p.status != PersonStatus.SERVING
                    or p.political_status not in NON_PARTY
                    or not low <= self.age(p) <= high
                ):
                    continue
                branches = self.branches_of(roster, p.dept)
                if branches:
                    found.append((p, self.rng.choice(branches).code))
        self.rng.shuffle(found)
        return found

    def age(self, p: PersonDraft) -> int:
        b, d = p.birth_date, self.as_of
        return d.year - b.year - ((d.month, d.day) < (b.month, b.day))

    def earlier_stages(self, demo_branch: str | None) -> None:
        pool = self.candidates_for()
        as_of, rng = self.as_of, self.rng

        def without_files(branch: str) -> bool:
            court = self.court_of[branch].plan.code
            return not any(self.court_of[f.branch].plan.code == court for f in self.files)

        def pick(
            check: Callable[[PersonDraft, str], bool], prefer: str | None = None
        ) -> tuple[PersonDraft, str] | None:
            """The first of the pool that fits: from the preferred branch if one there does,
            else from a court that has no file yet, so that every court's board shows some."""
            order = sorted(
                range(len(pool)),
                key=lambda i: (pool[i][1] != prefer, not without_files(pool[i][1])),
            )
            for i in order:
                if check(*pool[i]):
                    return pool.pop(i)
            return None

        def fits(applied: dt.date) -> Callable[[PersonDraft, str], bool]:
            def check(p: PersonDraft, branch: str) -> bool:
                return (
                    self.earliest_application(p) <= applied
                    and len(self.full_on(branch, applied, besides=p)) >= 3
                )

            return check

        def opened(applied: dt.date, prefer: str | None = None) -> FileDraft | None:
            chosen = pick(fits(applied), prefer)
            if chosen is None:
                return None
            p, branch = chosen
            f = FileDraft(p, branch, p.political_status)
            self.files.append(f)
            return f

        def days_ago(low: int, high: int) -> dt.date:
            return meeting_day_before(as_of - dt.timedelta(days=rng.randint(low, high)))

        # 入党申请人. One talk overdue (R2.2), two falling due this month, the rest talked.
        applied = days_ago(40, 50)
        if f := opened(applied):
            self.opening(f, applied, None)
        for _ in range(APPLICANTS_TALK_DUE):
            applied = days_ago(8, 16)
            if f := opened(applied):
                self.opening(f, applied, None)
        for i in range(APPLICANTS_TALKED):
            applied = days_ago(60, 300)
            if f := opened(applied, demo_branch if i == 0 else None):
                self.opening(f, applied, self.talk_after(applied))

        # 入党积极分子.
        for i in range(ACTIVISTS):
            activist = days_ago(60, 600)
            applied = meeting_day_before(add_months(activist, -rng.randint(3, 9)))
            if f := opened(applied, demo_branch if i == 0 else None):
                self.opening(f, applied, self.talk_after(applied))
                self.activist(f, activist)
                last = self.assessments(f, activist, as_of + dt.timedelta(days=1))
                if add_months(last, ASSESS_EVERY_MONTHS) <= as_of + dt.timedelta(days=35):
                    # Not due within the coming month: assessed again lately.
                    f.add(
                        StepDraft(
                            StepKind.ASSESSMENT,
                            self.between(last + dt.timedelta(days=30), as_of),
                            note=rng.choice(ASSESSMENT_NOTES),
                        )
                    )
        # One whose half-year assessment and first year both fall this month (R2.3, R2.4).
        target = as_of + dt.timedelta(days=rng.randint(10, 20))
        activist = add_months(target, -12)
        while not self.counts(activist):
            activist += dt.timedelta(days=1)
        applied = meeting_day_before(add_months(activist, -rng.randint(3, 8)))
        if f := opened(applied):
            self.opening(f, applied, self.talk_after(applied))
            self.activist(f, activist)
            assessed = add_months(activist, ASSESS_EVERY_MONTHS)
            while not self.counts(assessed):
                assessed -= dt.timedelta(days=1)
            f.add(StepDraft(StepKind.ASSESSMENT, assessed, note=rng.choice(ASSESSMENT_NOTES)))
        # One under a year as activist whose notice already ran: the decision to make them
        # a development object is refused until the year is out (R2.4).
        activist = meeting_day_before(
            add_months(as_of, -10) - dt.timedelta(days=rng.randint(0, 15))
        )
        applied = meeting_day_before(add_months(activist, -rng.randint(4, 8)))
        if f := opened(applied):
            self.opening(f, applied, self.talk_after(applied))
            self.activist(f, activist)
            last = self.assessments(f, activist, as_of - dt.timedelta(days=60))
            # Assessed again before the notice, so that only the year is wanting (R2.3).
            assessed = self.between(as_of - dt.timedelta(days=45), as_of - dt.timedelta(days=30))
            if assessed > last:
                f.add(StepDraft(StepKind.ASSESSMENT, assessed, note=rng.choice(ASSESSMENT_NOTES)))
                last = assessed
            court = self.court_of[f.branch].plan.code
            start, end = self.notice_from(as_of - dt.timedelta(days=rng.randint(14, 20)), court)
            if start <= last:
                start, end = self.notice_from(last + dt.timedelta(days=1), court)
            f.add(
                StepDraft(
                    StepKind.CANDIDATE_NOTICE,
                    start,
                    end,
                    note="拟确定为发展对象，在支部和院内公示栏公示，公示期间未收到反映。",
                )
            )

        # 发展对象.
        for _ in range(CANDIDATES):
            candidate = days_ago(30, 160)
            self.candidate_file(opened, candidate, prepared=rng.random() < 0.7)
        # One whose notice before admission runs into this month (R2.8).
        candidate = days_ago(60, 120)
        f = self.candidate_file(opened, candidate, prepared=True)
        if f is not None:
            court = self.court_of[f.branch].plan.code
            posted = as_of
            while not self.counts(posted):
                posted -= dt.timedelta(days=1)
            start, end = self.notice_from(posted, court)  # posted by the records' last day
            f.add(
                StepDraft(
                    StepKind.ADMISSION_NOTICE,
                    start,
                    end,
                    note="公示发展对象基本情况和培养考察情况。",
                )
            )
        self.awaiting_approval(pool)

        # A file closed before its end (终止发展).
        applied = days_ago(400, 600)
        if f := opened(applied):
            self.opening(f, applied, self.talk_after(applied))
            activist = meeting_day_from(add_months(applied, rng.randint(3, 6)))
            self.activist(f, activist)
            last = self.assessments(f, activist, as_of - dt.timedelta(days=120))
            f.add(
                StepDraft(
                    StepKind.STOP,
                    self.between(last + dt.timedelta(days=10), as_of - dt.timedelta(days=30)),
                    note="本人申请暂缓，经支部委员会研究，终止对其的培养发展，今后可重新申请。",
                )
            )

    def talk_after(self, applied: dt.date) -> dt.date:
        """R2.2: the talk within a month of the application."""
        deadline = add_months(applied, TALK_WITHIN_MONTHS)
        return min(meeting_day_from(applied + dt.timedelta(days=self.rng.randint(4, 20))), deadline)

    def candidate_file(
        self,
        opened: Callable[..., FileDraft | None],
        candidate: dt.date,
        *,
        prepared: bool,
    ) -> FileDraft | None:
        rng = self.rng
        activist = meeting_day_before(add_months(candidate, -rng.randint(12, 18)))
        applied = meeting_day_before(add_months(activist, -rng.randint(3, 8)))
        f = opened(applied)
        if f is None:
            return None
        court = self.court_of[f.branch].plan.code
        self.opening(f, applied, self.talk_after(applied))
        self.activist(f, activist)
        self.assessments(f, activist, candidate)
        self.candidate_steps(f, candidate, court)
        if prepared:
            self.preparation(f, candidate, self.as_of - dt.timedelta(days=3), court)
        return f

    def awaiting_approval(self, pool: list[tuple[PersonDraft, str]]) -> None:
        """A development object the branch congress admitted lately, its approval due this
        month (R2.6: within three months of the vote)."""
        as_of, rng = self.as_of, self.rng
        month_end = add_months(as_of.replace(day=1), 2) - dt.timedelta(days=1)
        wanted = {b for _, b in pool}
        congresses = [
            a
            for a in Activity.objects.filter(
                kind="branch_congress",
                status=ActivityStatus.HELD,
                org__code__in=wanted,
                on__gt=as_of - dt.timedelta(days=95),
                on__lte=as_of - dt.timedelta(days=40),
            )
            .select_related("org")
            .order_by("on", "pk")
            if as_of < add_months(a.on, APPROVE_WITHIN_MONTHS) <= month_end
        ]
        rng.shuffle(congresses)
        for congress in congresses:
            branch = self.orgs[congress.org.code]
            count = recruitment_queries.congress_counts(branch, [congress])[congress.pk]
            if count.present * 2 <= membership_on(branch, congress.on).full:
                continue
            for i, (p, code) in enumerate(pool):
                resolution = congress.on
                candidate = meeting_day_before(resolution - dt.timedelta(days=rng.randint(60, 120)))
                activist = meeting_day_before(add_months(candidate, -rng.randint(12, 16)))
                applied = meeting_day_before(add_months(activist, -rng.randint(3, 8)))
                if code != congress.org.code or self.earliest_application(p) > applied:
                    continue
                pool.pop(i)
                f = FileDraft(p, code, p.political_status)
                self.files.append(f)
                court = self.court_of[code].plan.code
                self.opening(f, applied, self.talk_after(applied))
                self.activist(f, activist)
                self.assessments(f, activist, candidate)
                self.candidate_steps(f, candidate, court)
                self.preparation(f, candidate, resolution - dt.timedelta(days=12), court)
                self.admission(f, resolution, congress.pk, court)
                return

    # Writing ---------------------------------------------------------------------------

    def write(self) -> int:
        ids = self.build.org_ids
        recruits = []
        for f in self.files:
            f.steps.sort(key=lambda s: s.on)
            row = recruit_row(f)
            row.branch_id = ids[f.branch]
            recruits.append(row)
        Recruit.objects.bulk_create(recruits, batch_size=500)
        steps: list[Step] = []
        people: list[tuple[int, tuple[PersonDraft, ...], str]] = []
        for f, recruit in zip(self.files, recruits, strict=True):
            assert recruit.pk is not None
            for s in f.steps:
                steps.append(
                    Step(
                        recruit_id=recruit.pk,
                        kind=s.kind,
                        on=s.on,
                        ends_on=s.ends_on,
                        note=s.note,
                        days=s.days,
                        hours=s.hours,
                        entitled=s.entitled,
                        present=s.present,
                        votes_yes=s.votes_yes,
                        votes_no=s.votes_no,
                        votes_abstain=s.votes_abstain,
                        activity_id=s.activity_id,
                        approver=s.approver,
                        flags=[],
                    )
                )
                people.append((len(steps) - 1, s.people, ROLE_OF.get(s.kind, "")))
        Step.objects.bulk_create(steps, batch_size=1000)
        StepPerson.objects.bulk_create(
            [
                StepPerson(step_id=steps[i].pk, person_id=p.pk, role=role)  # type: ignore[misc]  # the roster is saved: its people have ids
                for i, chosen, role in people
                for p in chosen
            ],
            batch_size=1000,
        )
        return len(recruits)


def demo_branch_code(build: Build) -> str | None:
    from tianping.demo.logins import demo_branch

    return demo_branch(build).code


def add_recruitment(build: Build) -> None:
    """发展党员 files for the demo city (R2): those the records admitted, and the earlier stages."""
    drawer = Recruiting(build)
    drawer.admitted()
    drawer.earlier_stages(demo_branch_code(build))
    build.counts.update(recruit_files=drawer.write())
