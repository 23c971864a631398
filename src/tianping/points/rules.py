"""A court's point rule set: the R4.1 defaults, seeded on first use, editable per court."""

from __future__ import annotations

from decimal import Decimal

from tianping.audit.recording import record
from tianping.orgs.models import Org
from tianping.points.models import PointRule, PointScheme, Trigger

BASE = Decimal("60")

# R4.1 (published government examples): trigger → (points, per_hours, cap, cap_period)
DEFAULT_RULES: dict[str, tuple[Decimal, Decimal | None, Decimal | None, str]] = {
    Trigger.ATTEND_ORG_LIFE: (Decimal("1"), None, None, ""),
    Trigger.REFLECTION: (Decimal("3"), None, None, ""),
    Trigger.REFLECTION_COMMENDED: (Decimal("3"), None, None, ""),
    Trigger.GIVE_LECTURE: (Decimal("5"), None, None, ""),
    Trigger.VOLUNTEER_HOURS: (Decimal("1"), Decimal("2"), Decimal("10"), "year"),
    Trigger.UNEXCUSED_ABSENCE: (Decimal("-2"), None, None, ""),
    # Not in R4.1's list: results of 民主评议 carry no points until a court sets them.
    Trigger.REVIEW_EXCELLENT: (Decimal("0"), None, None, ""),
    Trigger.REVIEW_UNQUALIFIED: (Decimal("0"), None, None, ""),
}


def scheme_for(court: Org) -> PointScheme:
    """The court's scheme, seeded with R4.1 on first use (an audited system write)."""
    scheme = PointScheme.objects.filter(court=court).first()
    if scheme is not None:
        return scheme
    scheme = PointScheme.objects.create(court=court, base=BASE)
    PointRule.objects.bulk_create(
        [
            PointRule(court=court, trigger=t, points=p, per_hours=h, cap=c, cap_period=cp)
            for t, (p, h, c, cp) in DEFAULT_RULES.items()
        ],
        ignore_conflicts=True,
    )
    record(
        None,
        "points.seed_rules",
        scheme,
        after={"base": str(BASE), "rules": len(DEFAULT_RULES)},
        org=court,
    )
    return scheme


def rules_for(court: Org) -> dict[str, PointRule]:
    scheme_for(court)
    return {r.trigger: r for r in PointRule.objects.filter(court=court, active=True)}
