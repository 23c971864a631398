"""Reads of party dues: a month's sheet for an organisation, arrears, a member's own months.

Every read starts from an organisation the caller's scope reached (get_scoped) or from the
caller's own person, and narrows the rows to the scope again (`_visible`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet

from tianping.accounts.scoping import Scope
from tianping.dues.models import DuesBase, DuesExcuse, DuesPayment, DuesSetting
from tianping.dues.rules import (
    ARREARS_MONTHS,
    DuesCategory,
    Rounding,
    add_months,
    dues_fen,
    money,
    month_end,
    month_of,
    rate_for,
    rate_text,
    yuan,
)
from tianping.orgs.models import COURT_KINDS, Org
from tianping.people.models import (
    PARTY_STATUSES,
    Person,
    PersonStatus,
    Placement,
    PlacementKind,
)

# The fields of a person a sheet row shows or reckons with; the rest is not loaded.
ROW_FIELDS = (
    "id",
    "court_id",
    "employee_no",
    "name",
    "political_status",
    "party_joined_on",
    "status",
    "party_org_id",
)
# How far back the arrears page looks for the start of an unpaid run.
ARREARS_LOOKBACK = 36


# ---------------------------------------------------------------------------------------
# Who owes dues where in a month


def overlapping(month: dt.date) -> Q:
    """Placements in force on some day of the month (half-open intervals)."""
    return (Q(since__isnull=True) | Q(since__lte=month_end(month))) & (
        Q(until__isnull=True) | Q(until__gt=month)
    )


def month_orgs(root: Org, month: dt.date) -> dict[int, int]:
    """person id → the party organisation in `root`'s subtree their dues of `month` belong to.

    A member transferred during the month pays that month where they were at its start (a
    relation transferred out takes the month's dues with it, 转出当月党费在原组织交纳), so
    each member counts in exactly one organisation a month: the placement in force
    earliest in the month decides, and only members it puts inside the subtree are kept.
    """
    placements = Placement.objects.filter(overlapping(month), kind=PlacementKind.PARTY_ORG)
    inside = placements.filter(org__path__startswith=root.path).values("person_id")
    first: dict[int, tuple[dt.date, int, str]] = {}
    earliest = dt.date.min
    for person_id, org_id, since, path in placements.filter(person_id__in=inside).values_list(
        "person_id", "org_id", "since", "org__path"
    ):
        key = since or earliest
        if person_id not in first or key < first[person_id][0]:
            first[person_id] = (key, org_id, path)
    return {pid: org_id for pid, (_, org_id, path) in first.items() if path.startswith(root.path)}


def owes_in(month: dt.date) -> Q:
    """Party members who owe dues for the month: R3.3, a probationary member pays from the
    congress resolution (party_joined_on), so months before it owe nothing."""
    return Q(political_status__in=PARTY_STATUSES) & (
        Q(party_joined_on__isnull=True) | Q(party_joined_on__lte=month_end(month))
    )


def rounding_for(court_ids: Iterable[int]) -> dict[int, str]:
    """Each court's rounding (R3.3, configurable): its own setting, else its nearest
    ancestor court's, else half up."""
    ids = set(court_ids)
    if not ids:
        return {}
    paths = dict(Org.objects.filter(pk__in=ids).values_list("id", "path"))
    prefixes = {
        p[: i * Org.steplen] for p in paths.values() for i in range(1, len(p) // Org.steplen + 1)
    }
    found = dict(
        DuesSetting.objects.filter(court__path__in=prefixes).values_list("court__path", "rounding")
    )
    out = {}
    for court_id, path in paths.items():
        rounding = Rounding.HALF_UP.value
        for i in range(len(path) // Org.steplen, 0, -1):
            if path[: i * Org.steplen] in found:
                rounding = found[path[: i * Org.steplen]]
                break
        out[court_id] = rounding
    return out


def setting_rounding(court: Org) -> str:
    return rounding_for([court.pk])[court.pk]


@dataclass(frozen=True)
class BaseInForce:
    since: dt.date
    base_fen: int
    category: str


def bases_by_person(
    people: QuerySet[Person] | Iterable[int], until: dt.date
) -> dict[int, list[BaseInForce]]:
    """Each person's base history up to `until`, oldest first."""
    history: dict[int, list[BaseInForce]] = defaultdict(list)
    rows = DuesBase.objects.filter(since__lte=until)
    if isinstance(people, QuerySet):
        rows = rows.filter(person__in=people.values("pk"))
    else:
        rows = rows.filter(person_id__in=list(people))
    for person_id, since, base_fen, category in rows.order_by("person_id", "since").values_list(
        "person_id", "since", "base_fen", "category"
    ):
        history[person_id].append(BaseInForce(since, base_fen, category))
    return history


def in_force(history: list[BaseInForce], month: dt.date) -> BaseInForce | None:
    """R3.3: the base of the latest pay change on or before the month."""
    found = None
    for entry in history:
        if entry.since <= month:
            found = entry
        else:
            break
    return found


# ---------------------------------------------------------------------------------------
# A month's sheet


@dataclass
class DuesRow:
    person: Person
    org: Org | None
    month: dt.date
    base: BaseInForce | None
    rounding: str
    payment: DuesPayment | None = None

    @property
    def category(self) -> str:
        if self.base is not None:
            return self.base.category
        return (
            DuesCategory.RETIRED
            if self.person.status == PersonStatus.RETIRED
            else DuesCategory.SERVING
        )

    @property
    def category_name(self) -> str:
        return DuesCategory(self.category).label

    @property
    def has_base(self) -> bool:
        return self.base is not None

    @property
    def base_fen(self) -> int | None:
        return self.base.base_fen if self.base else None

    @property
    def base_yuan(self) -> Decimal | None:
        return yuan(self.base.base_fen) if self.base else None

    @property
    def rate(self) -> Decimal | None:
        return rate_for(self.category, self.base.base_fen) if self.base else None

    @property
    def rate_label(self) -> str:
        return rate_text(self.rate) if self.base else "—"

    @property
    def dues_fen(self) -> int | None:
        if self.base is None:
            return None
        return dues_fen(self.base.category, self.base.base_fen, self.rounding)

    @property
    def dues(self) -> Decimal | None:
        fen = self.dues_fen
        return yuan(fen) if fen is not None else None

    @property
    def paid(self) -> bool:
        return self.payment is not None

    @property
    def short_fen(self) -> int:
        """How much a payment fell short of the dues (a member may pay more, never less)."""
        if self.payment is None or self.dues_fen is None:
            return 0
        return max(self.dues_fen - self.payment.amount_fen, 0)

    def as_json(self) -> dict[str, str | None]:
        """The CONTRACT.md row: money and the rate as decimal strings."""
        rate = self.rate
        return {
            "employee_no": self.person.employee_no,
            "name": self.person.name,
            "base": money(self.base.base_fen) if self.base else None,
            "category": self.category_name,
            "rate": str(rate) if rate is not None else None,
            "dues": money(self.dues_fen) if self.dues_fen is not None else None,
        }


@dataclass
class MonthSheet:
    root: Org
    month: dt.date
    rows: list[DuesRow] = field(default_factory=list)
    # The people considered, as a queryset for further reads without long id lists.
    candidates: QuerySet[Person] | None = None

    @property
    def total_fen(self) -> int:
        return sum(r.dues_fen or 0 for r in self.rows)

    @property
    def paid_fen(self) -> int:
        return sum(r.payment.amount_fen for r in self.rows if r.payment)

    @property
    def total(self) -> Decimal:
        return yuan(self.total_fen)

    @property
    def paid_total(self) -> Decimal:
        return yuan(self.paid_fen)

    @property
    def counts(self) -> dict[str, int]:
        rows = self.rows
        return {
            "members": len(rows),
            "without_base": sum(1 for r in rows if not r.has_base),
            "paid": sum(1 for r in rows if r.payment),
            "unpaid": sum(1 for r in rows if not r.payment),
            "paid_by_other": sum(1 for r in rows if r.payment and r.payment.paid_by_other),
            "back_paid": sum(1 for r in rows if r.payment and r.payment.back_paid),
        }

    def as_json(self) -> dict[str, object]:
        return {
            "court": self.root.code,
            "month": f"{self.month:%Y-%m}",
            "rows": [r.as_json() for r in self.rows],
            "total": money(self.total_fen),
        }


def _visible(scope: Scope | None, person_id: int, org: Org | None) -> bool:
    """A row is the scope's when its member is the caller (self) or its month's
    organisation lies in the scope's subtree."""
    if scope is None or scope.is_global:
        return True
    if scope.self_only:
        return person_id == scope.person_id
    return org is not None and scope.covers_path(org.path)


def month_sheet(
    root: Org, month: dt.date, *, scope: Scope | None = None, org_filter: Org | None = None
) -> MonthSheet:
    """Every party member whose dues of `month` belong to `root`'s subtree (R3), with the
    base in force that month, the category, rate, dues and the month's payment.

    A fixed number of queries whatever the size: placements, people, bases, payments,
    organisations and settings.
    """
    month = month_of(month)
    subtree = org_filter or root
    where = month_orgs(subtree, month)
    # The candidates as a subquery, not a list of ids: a court has thousands of members.
    people = Person.objects.filter(
        owes_in(month),
        pk__in=Placement.objects.filter(
            overlapping(month), kind=PlacementKind.PARTY_ORG, org__path__startswith=subtree.path
        ).values("person_id"),
    )
    orgs = {o.pk: o for o in Org.objects.filter(pk__in=set(where.values()))}
    rows: list[DuesRow] = []
    for person in people.only(*ROW_FIELDS):
        if person.pk not in where:
            continue  # transferred in during the month: it belongs to the old organisation
        org = orgs.get(where[person.pk])
        if _visible(scope, person.pk, org):
            rows.append(DuesRow(person, org, month, None, Rounding.HALF_UP.value))
    history = bases_by_person(people, month)
    payments = {
        p.person_id: p
        for p in DuesPayment.objects.filter(
            month=month, voided_at__isnull=True, person__in=people.values("pk")
        ).select_related("payer")
    }
    roundings = rounding_for({r.person.court_id for r in rows})
    for row in rows:
        row.base = in_force(history.get(row.person.pk, []), month)
        row.rounding = roundings.get(row.person.court_id, Rounding.HALF_UP.value)
        row.payment = payments.get(row.person.pk)
    rows.sort(key=lambda r: (r.org.path if r.org else "", r.person.employee_no))
    return MonthSheet(root, month, rows, people)


# ---------------------------------------------------------------------------------------
# Arrears (R3.3, 党章第九条)


@dataclass
class Arrears:
    person: Person
    org: Org | None
    months: list[dt.date]  # the unpaid run, oldest first, ending at the as-of month
    owed_fen: int

    @property
    def count(self) -> int:
        return len(self.months)

    @property
    def flagged(self) -> bool:
        """Six consecutive months unpaid without a reason on file (R3.3)."""
        return self.count >= ARREARS_MONTHS

    @property
    def since(self) -> dt.date:
        return self.months[0]

    @property
    def owed(self) -> Decimal:
        return yuan(self.owed_fen)


def unpaid_run(
    as_of: dt.date,
    *,
    start: dt.date,
    paid: set[dt.date],
    excused: list[DuesExcuse],
    lookback: int = ARREARS_LOOKBACK,
) -> list[dt.date]:
    """The months unpaid in a row up to `as_of`, oldest first: a paid month, a month with
    an accepted reason, or the first month dues were owed ends the run."""
    run: list[dt.date] = []
    month = month_of(as_of)
    for _ in range(lookback):
        if month < start or month in paid or any(e.covers(month) for e in excused):
            break
        run.append(month)
        month = add_months(month, -1)
    run.reverse()
    return run


def _dues_start(person: Person, history: list[BaseInForce]) -> dt.date | None:
    """The first month dues are known to be owed: the first base on file, not before the
    congress resolution (R3.3). Without a base there is no amount to be in arrears of."""
    if not history:
        return None
    start = history[0].since
    if person.party_joined_on is not None:
        start = max(start, month_of(person.party_joined_on))
    return start


def arrears(
    root: Org, as_of: dt.date, *, scope: Scope | None = None, minimum: int = 1
) -> list[Arrears]:
    """Members of `root`'s subtree in the as-of month with `minimum` or more months unpaid in
    a row up to it, longest run first."""
    as_of = month_of(as_of)
    sheet = month_sheet(root, as_of, scope=scope)
    if not sheet.rows or sheet.candidates is None:
        return []
    people = sheet.candidates.values("pk")
    first = add_months(as_of, -(ARREARS_LOOKBACK - 1))
    paid: dict[int, set[dt.date]] = defaultdict(set)
    for person_id, month in DuesPayment.objects.filter(
        person__in=people, voided_at__isnull=True, month__gte=first, month__lte=as_of
    ).values_list("person_id", "month"):
        paid[person_id].add(month)
    excuses: dict[int, list[DuesExcuse]] = defaultdict(list)
    for excuse in DuesExcuse.objects.filter(person__in=people, voided_at__isnull=True):
        excuses[excuse.person_id].append(excuse)
    history = bases_by_person(sheet.candidates, as_of)
    out = []
    for row in sheet.rows:
        person = row.person
        start = _dues_start(person, history.get(person.pk, []))
        if start is None:
            continue
        run = unpaid_run(as_of, start=start, paid=paid[person.pk], excused=excuses[person.pk])
        if len(run) < minimum:
            continue
        owed = 0
        for month in run:
            base = in_force(history[person.pk], month)
            if base is not None:
                owed += dues_fen(base.category, base.base_fen, row.rounding)
        out.append(Arrears(person, row.org, run, owed))
    out.sort(key=lambda a: (-a.count, a.org.path if a.org else "", a.person.employee_no))
    return out


# ---------------------------------------------------------------------------------------
# A member's own months


@dataclass
class OwnMonth:
    month: dt.date
    owes: bool  # a party member that month (R3.3)
    base: BaseInForce | None
    dues_fen: int | None
    payment: DuesPayment | None
    excuse: DuesExcuse | None

    @property
    def category_name(self) -> str:
        return DuesCategory(self.base.category).label if self.base else ""

    @property
    def base_yuan(self) -> Decimal | None:
        return yuan(self.base.base_fen) if self.base else None

    @property
    def rate(self) -> Decimal | None:
        return rate_for(self.base.category, self.base.base_fen) if self.base else None

    @property
    def rate_label(self) -> str:
        return rate_text(self.rate) if self.base else "—"

    @property
    def dues(self) -> Decimal | None:
        return yuan(self.dues_fen) if self.dues_fen is not None else None

    @property
    def unpaid(self) -> bool:
        return self.owes and self.payment is None and self.dues_fen is not None


@dataclass
class OwnDues:
    person: Person
    year: int
    months: list[OwnMonth]
    run: list[dt.date]  # the unpaid run up to the last complete month
    voided: list[DuesPayment]

    @property
    def flagged(self) -> bool:
        return len(self.run) >= ARREARS_MONTHS

    @property
    def paid_fen(self) -> int:
        return sum(m.payment.amount_fen for m in self.months if m.payment)

    @property
    def due_fen(self) -> int:
        return sum(m.dues_fen or 0 for m in self.months if m.owes)

    @property
    def paid(self) -> Decimal:
        return yuan(self.paid_fen)

    @property
    def due(self) -> Decimal:
        return yuan(self.due_fen)


def own_dues(person: Person, year: int, today: dt.date) -> OwnDues:
    """A member's months of a year up to the current one: base, dues, payment (R3)."""
    last = month_of(today) if today.year == year else dt.date(year, 12, 1)
    months = [dt.date(year, m, 1) for m in range(1, last.month + 1)] if year <= today.year else []
    history = bases_by_person([person.pk], dt.date(max(year, today.year), 12, 1))
    own = history.get(person.pk, [])
    payments = list(
        DuesPayment.objects.filter(person=person, month__year=year)
        .select_related("payer")
        .order_by("month", "recorded_at")
    )
    live = {p.month: p for p in payments if p.voided_at is None}
    excuses = list(DuesExcuse.objects.filter(person=person, voided_at__isnull=True))
    rounding = setting_rounding(person.court)
    joined = month_of(person.party_joined_on) if person.party_joined_on else None
    rows = []
    for month in months:
        owes = person.is_party_member and (joined is None or joined <= month)
        base = in_force(own, month) if owes else None
        fen = dues_fen(base.category, base.base_fen, rounding) if base else None
        excuse = next((e for e in excuses if e.covers(month)), None)
        rows.append(OwnMonth(month, owes, base, fen, live.get(month), excuse))
    run: list[dt.date] = []
    start = _dues_start(person, own)
    if start is not None and person.is_party_member:
        as_of = add_months(month_of(today), -1)
        paid = set(
            DuesPayment.objects.filter(
                person=person, voided_at__isnull=True, month__lte=as_of
            ).values_list("month", flat=True)
        )
        run = unpaid_run(as_of, start=start, paid=paid, excused=excuses)
    voided = [p for p in payments if p.voided_at is not None]
    return OwnDues(person, year, rows, run, voided)


def dues_for(person: Person, month: dt.date) -> int | None:
    """One member's dues of one month in fen, or None without a base (R3)."""
    month = month_of(month)
    base = in_force(bases_by_person([person.pk], month).get(person.pk, []), month)
    if base is None:
        return None
    return dues_fen(base.category, base.base_fen, setting_rounding(person.court))


def party_org_in(person: Person, month: dt.date) -> Org | None:
    """The party organisation a member's dues of the month belong to (see month_orgs)."""
    placements = (
        Placement.objects.filter(
            overlapping(month_of(month)), person=person, kind=PlacementKind.PARTY_ORG
        )
        .select_related("org")
        .order_by("since")
    )
    chosen = None
    for p in placements:
        if chosen is None or (p.since or dt.date.min) < (chosen.since or dt.date.min):
            chosen = p
    return chosen.org if chosen else person.party_org


def courts_in(scope: Scope | None) -> QuerySet[Org]:
    from tianping.accounts.scoping import scoped

    return scoped(scope, Org.objects.filter(kind__in=COURT_KINDS)).order_by("path")


def person_row(person: Person, month: dt.date) -> DuesRow:
    """One member's row of a month's sheet, as the register shows it after a change."""
    month = month_of(month)
    history = bases_by_person([person.pk], month).get(person.pk, [])
    payment = (
        DuesPayment.objects.filter(person=person, month=month, voided_at__isnull=True)
        .select_related("payer")
        .first()
    )
    return DuesRow(
        person,
        party_org_in(person, month),
        month,
        in_force(history, month),
        setting_rounding(person.court),
        payment,
    )
