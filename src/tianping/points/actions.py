"""Writes to points: hand entries, reversals, the one-vote veto, rule changes, review results.

Every action runs in one transaction and writes its audit row. The ledger only grows: a
correction is a reversing entry (R4.3), and a changed rule applies to what is posted after it,
never to entries already in the ledger.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tianping.activities.models import DemocraticReview, ReviewGrade, ReviewStatus
from tianping.audit.recording import record, snapshot
from tianping.people.models import Person
from tianping.points.models import PointEntry, PointRule, PointScheme, Trigger
from tianping.points.queries import open_veto, year_bounds
from tianping.points.rules import rules_for

# Hand entries are for what the rules cannot see; a larger swing than this is a typing error.
MANUAL_LIMIT = Decimal("100")
RULE_LIMIT = Decimal("100")
BASE_LIMIT = Decimal("1000")
# Entries that activities or reviews post: they are corrected at their source, not by hand.
DERIVED_TRIGGERS = frozenset(
    {
        Trigger.ATTEND_ORG_LIFE,
        Trigger.GIVE_LECTURE,
        Trigger.REFLECTION,
        Trigger.VOLUNTEER_HOURS,
        Trigger.UNEXCUSED_ABSENCE,
        Trigger.REVIEW_EXCELLENT,
        Trigger.REVIEW_UNQUALIFIED,
    }
)
REVIEW_TRIGGERS: dict[str, Trigger] = {
    ReviewGrade.EXCELLENT: Trigger.REVIEW_EXCELLENT,
    ReviewGrade.UNQUALIFIED: Trigger.REVIEW_UNQUALIFIED,
}
ENTRY_FIELDS = ("person", "on", "points", "trigger", "reason", "activity", "reverses")
RULE_FIELDS = ("points", "per_hours", "cap", "cap_period", "active")
SCHEME_FIELDS = ("base", "rankings_for_secretaries")


def _by(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def _org(person: Person) -> Any:
    return person.party_org or person.court


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": "请填写事由"})
    if len(text) > 180:
        raise ValidationError({"reason": "事由不超过180字"})
    return text


def _decimal(value: Any, field: str, label: str, places: int = 2) -> Decimal:
    """A number as the ledger stores it (two decimal places), or a ValidationError on `field`."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: f"{label}应为数字"}) from None
    step = Decimal(1).scaleb(-places)
    if not number.is_finite() or number != number.quantize(step):
        raise ValidationError({field: f"{label}最多保留{places}位小数"})
    return number.quantize(step)


@transaction.atomic
def do_post_manual(
    user: Any, person: Person, points: Any, reason: str, on: dt.date | None = None
) -> PointEntry:
    """A hand entry: R4.3 asks for the person who posts it and the reason."""
    reason = _reason(reason)
    amount = _decimal(points, "points", "分值")
    if amount == 0:
        raise ValidationError({"points": "分值不能为0"})
    if abs(amount) > MANUAL_LIMIT:
        raise ValidationError({"points": f"单次加减分不超过{MANUAL_LIMIT}分"})
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"on": "日期不能晚于今天"})
    entry = PointEntry(
        person=person,
        on=on,
        points=amount,
        trigger=Trigger.MANUAL,
        reason=reason,
        created_by=_by(user),
    )
    entry.save()
    record(user, "points.manual", entry, after=snapshot(entry, ENTRY_FIELDS), org=_org(person))
    return entry


@transaction.atomic
def do_reverse(user: Any, entry: PointEntry, reason: str) -> PointEntry:
    """Cancel an entry by posting its opposite on the same date (R4.3): nothing is changed.

    Entries from attendance or reviews are corrected where they come from (the attendance,
    the review), or the next change there would post them again.
    """
    reason = _reason(reason)
    # Lock the person, not the entry: the app's database role may not lock (or change) a
    # ledger row, and every write to a person's points takes this lock first.
    entry = PointEntry.objects.select_related("person").get(pk=entry.pk)
    Person.objects.select_for_update().filter(pk=entry.person_id).first()
    if entry.reverses_id is not None:
        raise ValidationError({"entry": "冲销记录不能再冲销；如需恢复，请重新录入"})
    if PointEntry.objects.filter(reverses=entry).exists():
        raise ValidationError({"entry": "该记录已被冲销"})
    if entry.trigger in DERIVED_TRIGGERS:
        raise ValidationError({"entry": "该记录由活动出勤或民主评议自动生成，请更正出勤或评议结果"})
    reversal = PointEntry(
        person=entry.person,
        on=entry.on,
        points=-entry.points,
        trigger=entry.trigger,
        rule=entry.rule,
        activity=entry.activity,
        attendance=entry.attendance,
        reason=f"冲销：{reason}"[:200],
        reverses=entry,
        created_by=_by(user),
    )
    reversal.save()
    record(
        user,
        "points.reverse",
        reversal,
        before={"entry": str(entry), "reason": entry.reason},
        after=snapshot(reversal, ENTRY_FIELDS),
        org=_org(entry.person),
    )
    return reversal


@transaction.atomic
def do_veto(user: Any, person: Person, year: int, reason: str) -> PointEntry:
    """The one-vote veto (一票否决, R4.1): the year's score is 0 whatever else it holds."""
    reason = _reason(reason)
    today = timezone.localdate()
    start, end = year_bounds(year)
    if start > today:
        raise ValidationError({"year": "不能否决尚未开始的年度"})
    # Lock the person so two officers vetoing at once post one veto.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    if PointEntry.objects.filter(open_veto(), person=person, on__gte=start, on__lte=end).exists():
        raise ValidationError({"year": f"{person.name}{year}年度已被一票否决"})
    entry = PointEntry(
        person=person,
        on=min(today, end),
        points=Decimal("0"),
        trigger=Trigger.VETO,
        reason=reason,
        created_by=_by(user),
    )
    entry.save()
    record(
        user,
        "points.veto",
        entry,
        after={**snapshot(entry, ENTRY_FIELDS), "year": year},
        org=_org(person),
    )
    return entry


def _check_rule(rule: PointRule) -> None:
    errors: dict[str, str] = {}
    if abs(rule.points) > RULE_LIMIT:
        errors["points"] = f"分值应在±{RULE_LIMIT}之间"
    if rule.per_hours is not None:
        if rule.trigger != Trigger.VOLUNTEER_HOURS:
            errors["per_hours"] = "只有按时长计分的事项可以设置每多少小时"
        elif rule.per_hours <= 0:
            errors["per_hours"] = "每多少小时应大于0"
    if rule.cap is not None:
        if rule.cap < 0:
            errors["cap"] = "上限不能为负数"
        if not rule.cap_period:
            errors["cap_period"] = "设置上限时请选择上限周期"
    elif rule.cap_period:
        errors["cap"] = "选择了上限周期，请填写上限"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_update_rule(
    user: Any,
    rule: PointRule,
    *,
    points: Any,
    per_hours: Any = None,
    cap: Any = None,
    cap_period: str = "",
    active: bool = True,
) -> PointRule:
    """Change one rule of a court. Entries already posted keep the points they were posted with."""
    rule = PointRule.objects.select_for_update().select_related("court").get(pk=rule.pk)
    before = snapshot(rule, RULE_FIELDS)
    rule.points = _decimal(points, "points", "分值")
    rule.per_hours = (
        None if per_hours in (None, "") else _decimal(per_hours, "per_hours", "时长", places=1)
    )
    rule.cap = None if cap in (None, "") else _decimal(cap, "cap", "上限")
    rule.cap_period = cap_period or ""
    rule.active = bool(active)
    _check_rule(rule)
    after = snapshot(rule, RULE_FIELDS)
    if after != before:
        rule.save()
        record(
            user,
            "points.rule",
            rule,
            before=before,
            after=after,
            org=rule.court,
            object_repr=f"{rule.court.name}：{rule.get_trigger_display()}",
        )
    return rule


@transaction.atomic
def do_update_scheme(
    user: Any, scheme: PointScheme, *, base: Any, rankings_for_secretaries: bool
) -> PointScheme:
    """A court's base score and whether its secretaries see their branch's ranking (R4.1, R4.2)."""
    scheme = PointScheme.objects.select_for_update().select_related("court").get(pk=scheme.pk)
    before = snapshot(scheme, SCHEME_FIELDS)
    scheme.base = _decimal(base, "base", "基础分")
    if not (Decimal("0") <= scheme.base <= BASE_LIMIT):
        raise ValidationError({"base": f"基础分应在0到{BASE_LIMIT}之间"})
    scheme.rankings_for_secretaries = bool(rankings_for_secretaries)
    after = snapshot(scheme, SCHEME_FIELDS)
    if after != before:
        scheme.save()
        record(user, "points.scheme", scheme, before=before, after=after, org=scheme.court)
    return scheme


def review_tag(review: DemocraticReview) -> str:
    """How a review's entries name it; also how they are found again when it is re-closed."""
    return f"{review.year}年度{review.branch.name}民主评议党员"


def review_day(review: DemocraticReview) -> dt.date:
    """Review results belong to the review's year: its meeting's date, else the day it closed."""
    start, end = year_bounds(review.year)
    if review.meeting is not None and start <= review.meeting.on <= end:
        return review.meeting.on
    closed = timezone.localtime(review.closed_at).date() if review.closed_at else end
    return min(max(closed, start), end)


@transaction.atomic
def reconcile_review(review: DemocraticReview, user: Any = None) -> list[PointEntry]:
    """Post the points a closed review's grades earn, reversing what they no longer earn.

    Idempotent, like posting.reconcile for an activity: the review may be closed again after a
    correction, and only the difference is posted.
    """
    review = DemocraticReview.objects.select_related("branch", "meeting").get(pk=review.pk)
    rules = rules_for(review.branch.court())
    tag = review_tag(review)
    due: dict[tuple[int, str], tuple[Decimal, PointRule, str]] = {}
    if review.status == ReviewStatus.CLOSED:
        for entry in review.entries.all():
            trigger = REVIEW_TRIGGERS.get(entry.grade)
            rule = rules.get(trigger) if trigger else None
            if trigger is not None and rule is not None and rule.points:
                label = ReviewGrade(entry.grade).label
                due[(entry.person_id, trigger)] = (rule.points, rule, f"{tag}：{label}")
    start, end = year_bounds(review.year)
    have: dict[tuple[int, str], list[PointEntry]] = {}
    for point in PointEntry.objects.filter(
        # The review's own members: branches of other courts may bear the same name (tag).
        person_id__in=review.entries.values("person_id"),
        trigger__in=list(REVIEW_TRIGGERS.values()),
        on__gte=start,
        on__lte=end,
        reason__startswith=tag,
        reverses__isnull=True,
        reversed_by__isnull=True,
    ):
        have.setdefault((point.person_id, point.trigger), []).append(point)
    by = _by(user)
    day = review_day(review)
    posted: list[PointEntry] = []
    for key in sorted(set(due) | set(have)):
        want = due.get(key)
        held = have.get(key, [])
        if want is not None and len(held) == 1 and held[0].points == want[0]:
            continue
        for old in held:
            posted.append(
                PointEntry(
                    person_id=old.person_id,
                    on=old.on,
                    points=-old.points,
                    trigger=old.trigger,
                    rule=old.rule,
                    activity=old.activity,
                    reason=f"更正：冲销“{old.reason}”"[:200],
                    reverses=old,
                    created_by=by,
                )
            )
        if want is not None:
            posted.append(
                PointEntry(
                    person_id=key[0],
                    on=day,
                    points=want[0],
                    trigger=key[1],
                    rule=want[1],
                    activity=review.meeting,
                    reason=want[2][:200],
                    created_by=by,
                )
            )
    for point in posted:
        point.save()
    if posted:
        record(
            user,
            "points.review",
            review,
            after={
                "point_entries": len(posted),
                "points_total": str(sum(e.points for e in posted)),
            },
            org=review.branch,
        )
    return posted


@transaction.atomic
def reconcile_earned(
    user: Any,
    person: Person,
    trigger: str,
    tag: str,
    day: dt.date,
    earned: bool,
    source: Any = None,
    reason: str = "",
) -> list[PointEntry]:
    """The points one record of another app earns its person by the court's rule (R4.1),
    cited by a person and a reason (R4.3) that starts with `tag`, which finds them again.

    Idempotent like `reconcile_review`: the rule's points are posted once while `earned`,
    and reversed when the record no longer earns them (or the rule has changed).
    """
    rule = rules_for(person.court).get(trigger)
    want = rule.points if earned and rule is not None and rule.points else None
    held = list(
        PointEntry.objects.filter(
            person=person,
            trigger=trigger,
            reason__startswith=tag,
            reverses__isnull=True,
            reversed_by__isnull=True,
        )
    )
    if want is not None and len(held) == 1 and held[0].points == want:
        return []
    by = _by(user)
    posted = [
        PointEntry(
            person=person,
            on=old.on,
            points=-old.points,
            trigger=old.trigger,
            rule=old.rule,
            reason=f"更正：冲销“{old.reason}”"[:200],
            reverses=old,
            created_by=by,
        )
        for old in held
    ]
    if want is not None:
        posted.append(
            PointEntry(
                person=person,
                on=day,
                points=want,
                trigger=trigger,
                rule=rule,
                reason=(reason if reason.startswith(tag) else tag)[:200],
                created_by=by,
            )
        )
    for point in posted:
        point.save()
    if posted:
        record(
            user,
            "points.earned",
            source,
            after={
                "point_entries": len(posted),
                "points_total": str(sum(e.points for e in posted)),
            },
            org=_org(person),
        )
    return posted


__all__ = [
    "do_post_manual",
    "do_reverse",
    "do_update_rule",
    "do_update_scheme",
    "do_veto",
    "reconcile_earned",
    "reconcile_review",
]
