"""Builder step (demo): party dues — a base for every member, a year of payments, a few in arrears (R3).

Every party member of the demo city, serving or retired, has a base: their after-tax
regular pay (or pension) as the pay office's sheet gives it, by post level and years of
service, raised a little with January's pay adjustment. Each branch collects on a day of
its own every month; a few members pay a month late (补交) or through a colleague (代缴).
Three members have paid nothing for six months or more (R3.3: flagged), one more has a
reason on file for the months unpaid (缓交), and a few are a month or two behind. The rows
are what `dues.actions` stores (bases as from a pay sheet, payments at that month's dues),
written in bulk.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from tianping.demo.days import meeting_day_before, meeting_day_from
from tianping.demo.roster import PersonDraft
from tianping.dues.models import BaseSource, DuesBase, DuesExcuse, DuesPayment
from tianping.dues.rules import (
    ARREARS_MONTHS,
    DuesCategory,
    Rounding,
    add_months,
    dues_fen,
    month_end,
    month_of,
    months_between,
)
from tianping.people.models import Category, PersonStatus, PlacementKind, PostLevel

if TYPE_CHECKING:
    from tianping.demo.builder import Build

MONTHS = 12
# After-tax regular monthly pay in 元 (low, high) by post level, before years of service;
# judges and police draw their allowances on top.
PAY: dict[str, tuple[int, int]] = {
    PostLevel.STAFF: (4300, 5200),
    PostLevel.DIVISION_DEPUTY: (6400, 7200),
    PostLevel.DIVISION_CHIEF: (7300, 8200),
    PostLevel.COURT_DEPUTY: (8600, 9600),
    PostLevel.COURT_CHIEF: (9800, 10800),
}
PER_YEAR_OF_SERVICE = 45  # 元 a month for each year worked, up to thirty years
ALLOWANCE: dict[str, int] = {
    Category.JUDGE: 900,
    Category.JUDGE_ASSISTANT: 350,
    Category.JUDICIAL_POLICE: 500,
}
PENSION: dict[str, tuple[int, int]] = {
    PostLevel.STAFF: (4200, 5600),
    PostLevel.DIVISION_DEPUTY: (5600, 6800),
    PostLevel.DIVISION_CHIEF: (6400, 7600),
}
RAISE = (Decimal("1.02"), Decimal("1.045"))  # January's pay adjustment
LATE, BY_COLLEAGUE = 0.04, 0.025
IN_ARREARS = 3  # six months or more unpaid, without reason (R3.3)
BEHIND = 3  # a month or two behind
EXCUSE_REASON = "长期病休住院治疗，经支部委员会研究同意暂缓交纳，待返岗后补交"


def party_org_in(person: PersonDraft, month: dt.date) -> str | None:
    """The organisation the month's dues belong to: the placement in force earliest in the
    month (dues.queries.month_orgs)."""
    end = month_end(month)
    stints = [
        s
        for s in person.stints
        if s.kind == PlacementKind.PARTY_ORG
        and s.since <= end
        and (s.until is None or s.until > month)
    ]
    return min(stints, key=lambda s: s.since).org if stints else None


class Dues:
    def __init__(self, build: Build) -> None:
        self.build = build
        self.as_of = build.plan.as_of
        self.rng = build.rng("dues")
        last = month_of(self.as_of)
        self.months = [add_months(last, i - MONTHS + 1) for i in range(MONTHS)]
        self.collection_day: dict[str, int] = {}
        self.members = [
            p
            for p in build.people()
            if p.in_party and p.status in (PersonStatus.SERVING, PersonStatus.RETIRED)
        ]
        self.members.sort(key=lambda p: (p.court, p.employee_no))
        # Who has a reason on file for the months unpaid, and from which month (unpaid()).
        self.excused: list[tuple[PersonDraft, list[dt.date]]] = []

    def salary_fen(self, p: PersonDraft, on: dt.date) -> int:
        """After-tax regular monthly pay on the day, in fen (R3.1's base)."""
        low, high = PAY[p.post_level]
        years = min(30, max(0, on.year - p.hired_on.year))
        yuan = (
            self.rng.uniform(low, high) + years * PER_YEAR_OF_SERVICE + ALLOWANCE.get(p.category, 0)
        )
        return round(yuan * 100)

    def pension_fen(self, p: PersonDraft) -> int:
        """A retired member's monthly pension, in fen (R3.2's base)."""
        low, high = PENSION.get(p.post_level, PENSION[PostLevel.STAFF])
        return round(self.rng.uniform(low, high) * 100)

    def history(self, p: PersonDraft) -> list[tuple[dt.date, int, str]]:
        """The member's bases over the year: (from month, base in fen, category), oldest first.

        A pay sheet's base from the year's first month (or the month of admission, R3.3), a
        raise with January's pay adjustment, and a pension from the month after retiring.
        """
        # Dues are owed here from the admission (R3.3) or the month the member's relation
        # came to the court, whichever is later.
        arrived = min(s.since for s in p.stints if s.kind == PlacementKind.PARTY_ORG)
        start = max(self.months[0], month_of(arrived))
        if p.party_joined_on is not None:
            start = max(start, month_of(p.party_joined_on))
        retired = (
            add_months(month_of(p.left_on), 1)
            if p.status == PersonStatus.RETIRED and p.left_on is not None
            else None
        )
        if retired is not None and retired <= start:
            return [(start, self.pension_fen(p), DuesCategory.RETIRED)]
        entries: list[tuple[dt.date, int, str]] = [
            (start, self.salary_fen(p, start), DuesCategory.SERVING)
        ]
        january = next((m for m in self.months if m.month == 1 and m > start), None)
        if january is not None and (retired is None or january < retired):
            low, high = RAISE
            factor = Decimal(str(round(self.rng.uniform(float(low), float(high)), 4)))
            entries.append((january, int(entries[0][1] * factor), DuesCategory.SERVING))
        if retired is not None and retired <= self.months[-1]:
            entries.append((retired, self.pension_fen(p), DuesCategory.RETIRED))
        return entries

    def paid_on(self, org: str, month: dt.date) -> dt.date:
        """The branch's collection day in the month: a working day of that month, by the
        plan's day at the latest."""
        day = month.replace(day=self.collection_day.setdefault(org, self.rng.randint(5, 20)))
        collected = meeting_day_from(day)
        if collected > month_end(month):
            collected = meeting_day_before(day)
        return min(collected, self.as_of)

    def draw(self) -> tuple[list[DuesBase], list[DuesPayment], list[DuesExcuse]]:
        rng, ids = self.rng, self.build.org_ids
        bases: list[DuesBase] = []
        history: dict[int, list[tuple[dt.date, int, str]]] = {}
        for p in self.members:
            entries = history[id(p)] = self.history(p)
            for since, fen, category in entries:
                sheet = "离退休费" if category == DuesCategory.RETIRED else "工资"
                bases.append(
                    DuesBase(  # type: ignore[misc]  # the roster is saved: its people have ids
                        person_id=p.pk,
                        since=since,
                        base_fen=fen,
                        category=category,
                        source=BaseSource.SHEET,
                        note=f"{since.year}年{since.month}月{sheet}表",
                    )
                )

        skipped = self.unpaid(history)
        payments: list[DuesPayment] = []
        for p in self.members:
            entries = history[id(p)]
            for month in self.months:
                if month < entries[0][0] or month in skipped.get(id(p), ()):
                    continue
                org = party_org_in(p, month)
                if org is None:
                    continue
                _, fen, category = [e for e in entries if e[0] <= month][-1]
                amount = dues_fen(category, fen, Rounding.HALF_UP)
                paid_on = self.paid_on(org, month)
                # Last month's collection is complete but for those drawn as behind.
                late = month < self.months[-1] and rng.random() < LATE
                if late:
                    paid_on = self.paid_on(org, add_months(month, 1))
                payer = None
                note = "补交" if late else ""
                if not late and rng.random() < BY_COLLEAGUE:
                    payer = self.colleague(p, month)
                    note = "本人外出办案，由同支部党员代缴" if payer else ""
                payments.append(
                    DuesPayment(  # type: ignore[misc]  # the roster is saved: its people have ids
                        person_id=p.pk,
                        month=month,
                        amount_fen=amount,
                        paid_on=paid_on,
                        payer_id=payer.pk if payer else None,
                        back_paid=months_between(month, paid_on) >= 1,
                        org_id=ids[org],
                        note=note,
                    )
                )
        excuses = [
            DuesExcuse(  # type: ignore[misc]  # the roster is saved: its people have ids
                person_id=p.pk,
                first_month=months[0],
                last_month=None,
                reason=EXCUSE_REASON,
            )
            for p, months in self.excused
        ]
        return bases, payments, excuses

    def colleague(self, p: PersonDraft, month: dt.date) -> PersonDraft | None:
        org = party_org_in(p, month)
        others = [
            q
            for q in self.members
            if q is not p and q.status == PersonStatus.SERVING and party_org_in(q, month) == org
        ]
        return self.rng.choice(others) if others else None

    def unpaid(self, history: dict[int, list[tuple[dt.date, int, str]]]) -> dict[int, set[dt.date]]:
        """Who has not paid which months: the flagged, the excused and the few behind."""
        from tianping.demo.logins import demo_branch, login_people

        rng = self.rng
        # The demo's log-ins are people who pay on time.
        spared = {id(p) for p in login_people(self.build).values() if p is not None}
        pool = [
            p
            for p in self.members
            if p.status == PersonStatus.SERVING
            and p.post_level == PostLevel.STAFF
            and history[id(p)][0][0] == self.months[0]
            and id(p) not in spared
        ]
        rng.shuffle(pool)
        shuffled = list(pool)
        # The demo secretary's branch has one of them, to follow up.
        home = demo_branch(self.build).code
        pool.sort(key=lambda p: p.current(PlacementKind.PARTY_ORG) != home)
        skipped: dict[int, set[dt.date]] = defaultdict(set)
        courts_used: set[str] = set()
        flagged: list[PersonDraft] = []
        for p in pool:
            if len(flagged) == IN_ARREARS:
                break
            if p.court in courts_used:
                continue
            courts_used.add(p.court)
            flagged.append(p)
            run = rng.randint(ARREARS_MONTHS, ARREARS_MONTHS + 3)
            skipped[id(p)] = set(self.months[-run:])
        rest = [p for p in shuffled if id(p) not in skipped]
        excused = rest.pop()
        run = rng.randint(ARREARS_MONTHS + 1, ARREARS_MONTHS + 3)
        skipped[id(excused)] = set(self.months[-run:])
        self.excused = [(excused, self.months[-run:])]
        for p in rest[:BEHIND]:
            skipped[id(p)] = set(self.months[-rng.randint(1, 2) :])
        return skipped


def add_dues(build: Build) -> None:
    """Dues bases, a year of payments and a few arrears for the demo city (R3)."""
    drawer = Dues(build)
    bases, payments, excuses = drawer.draw()
    DuesBase.objects.bulk_create(bases, batch_size=1000)
    DuesPayment.objects.bulk_create(payments, batch_size=2000)
    DuesExcuse.objects.bulk_create(excuses)
    build.counts.update(dues_bases=len(bases), dues_payments=len(payments))
