"""Writes of study: plans and their topics, reflections and their review, the 查重 corpus.

Every action runs in one transaction and writes its audit row. A reflection is checked for
similarity when it is submitted (advisory only: the check never refuses a submission).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tianping.activities.models import Activity, StudyItem
from tianping.activities.study_records import do_add_study_record
from tianping.audit.recording import record, snapshot
from tianping.learning.models.study import (
    REFLECTION_MAX_CHARS,
    PlanTopic,
    ReferenceText,
    Reflection,
    ReflectionStatus,
    SimilarityBand,
    SimilarityMatch,
    StudyPlan,
)
from tianping.learning.queries.study import PLAN_KINDS, similar_texts
from tianping.lib import similarity
from tianping.orgs.models import Org, OrgKind
from tianping.people.models import Person
from tianping.points.actions import reconcile_earned
from tianping.points.models import Trigger

PLAN_FIELDS = ("org", "year", "title", "note")
TOPIC_FIELDS = ("plan", "month", "title", "readings")
REFLECTION_FIELDS = ("person", "org", "title", "activity", "topic", "status")
REVIEW_FIELDS = ("status", "review_comment")
REFERENCE_FIELDS = ("court", "title", "file_name")
# The most similar texts kept for a reflection's report.
KEEP_MATCHES = 5
REFERENCE_MAX_CHARS = 200_000


def _by(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


# ---------------------------------------------------------------------------------------
# Plans


@transaction.atomic
def do_create_plan(user: Any, org: Org, *, year: int, title: str, note: str = "") -> StudyPlan:
    """A yearly study plan; a center group's plan also stands as its "六有" plan item (R1.7)."""
    errors: dict[str, str] = {}
    title = title.strip()
    if org.kind not in PLAN_KINDS:
        errors["org"] = "学习计划属于党组（理论学习中心组）、机关党委、党总支或党支部"
    if not 1900 <= year <= 2100:
        errors["year"] = f"年度“{year}”无效"
    if not title:
        errors["title"] = "请填写计划名称"
    if not errors and StudyPlan.objects.filter(org=org, year=year).exists():
        errors["year"] = f"{org.name}{year}年度的学习计划已经制定"
    if errors:
        raise ValidationError(errors)
    plan = StudyPlan.objects.create(
        org=org, year=year, title=title[:200], note=note.strip(), created_by=_by(user)
    )
    if org.kind == OrgKind.LEADING_GROUP:
        plan.study_record = do_add_study_record(
            user, org, year=year, item=StudyItem.PLAN, title=plan.title
        )
        plan.save(update_fields=["study_record"])
    record(user, "learning.plan", plan, after=snapshot(plan, PLAN_FIELDS), org=org)
    return plan


@transaction.atomic
def do_add_topic(
    user: Any, plan: StudyPlan, *, month: int, title: str, readings: str = ""
) -> PlanTopic:
    errors: dict[str, str] = {}
    title = title.strip()
    if not 1 <= month <= 12:
        errors["month"] = "月份应为1至12"
    if not title:
        errors["title"] = "请填写学习专题"
    if errors:
        raise ValidationError(errors)
    position = plan.topics.filter(month=month).count()
    topic = PlanTopic.objects.create(
        plan=plan, month=month, title=title[:200], readings=readings.strip(), position=position
    )
    record(user, "learning.plan_topic", topic, after=snapshot(topic, TOPIC_FIELDS), org=plan.org)
    return topic


def topic_activity_choices(plan: StudyPlan) -> Any:
    """The activities a topic may be linked to: the plan organisation's and those below it
    (a center group's sessions, a branch's study and theme days), in the plan's year."""
    return (
        Activity.objects.filter(
            org__path__startswith=plan.org.path,
            on__gte=dt.date(plan.year, 1, 1),
            on__lte=dt.date(plan.year, 12, 31),
        )
        .select_related("org")
        .order_by("on", "id")
    )


@transaction.atomic
def do_link_topic_activities(
    user: Any, topic: PlanTopic, activities: Iterable[Activity]
) -> PlanTopic:
    """The activities that carried a topic out, replacing the ones linked before."""
    wanted = list(activities)
    allowed = set(topic_activity_choices(topic.plan).values_list("pk", flat=True))
    outside = [a for a in wanted if a.pk not in allowed]
    if outside:
        raise ValidationError(
            {"activities": f"“{outside[0]}”不是本组织{topic.plan.year}年度的活动"}
        )
    before = sorted(str(a) for a in topic.activities.all())
    topic.activities.set(wanted)
    record(
        user,
        "learning.plan_topic",
        topic,
        before={"activities": before},
        after={"activities": sorted(str(a) for a in wanted)},
        org=topic.plan.org,
    )
    return topic


# ---------------------------------------------------------------------------------------
# Reflections


def _index(
    court_id: int,
    sig: bytes,
    *,
    reflection: Reflection | None = None,
    reference: ReferenceText | None = None,
) -> None:
    SimilarityBand.objects.bulk_create(
        [
            SimilarityBand(court_id=court_id, key=key, reflection=reflection, reference=reference)
            for key in similarity.band_keys(sig)
        ]
    )


def check_reflection(reflection: Reflection) -> list[SimilarityMatch]:
    """Compare a reflection with the court's earlier ones and its reference corpus.

    Part of the submitting action's transaction; the result is advice to the reviewer.
    """
    found = similar_texts(
        reflection.court_id,
        reflection.normalised,
        bytes(reflection.signature),
        before_reflection=reflection.pk,
        limit=KEEP_MATCHES,
    )
    SimilarityMatch.objects.filter(reflection=reflection).delete()
    matches = SimilarityMatch.objects.bulk_create(
        [
            SimilarityMatch(
                reflection=reflection,
                source_reflection_id=f.reflection_id,
                source_reference_id=f.reference_id,
                rate=round(f.rate, 4),
                passages=f.passages,
            )
            for f in found
        ]
    )
    reflection.top_rate = max((m.rate for m in matches), default=0.0)
    reflection.checked_at = timezone.now()
    reflection.save(update_fields=["top_rate", "checked_at"])
    return matches


def _reflection_errors(
    person: Person, title: str, body: str, activity: Activity | None, topic: PlanTopic | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if person.party_org_id is None:
        errors["person"] = f"{person.name}尚未编入党组织，心得体会无人审阅"
    if not title:
        errors["title"] = "请填写标题"
    if not body:
        errors["body"] = "请填写正文"
    elif len(body) > REFLECTION_MAX_CHARS:
        errors["body"] = f"正文不超过{REFLECTION_MAX_CHARS}字（现有{len(body)}字）"
    if activity is not None and not activity.attendance.filter(person=person).exists():
        errors["activity"] = "只能关联本人参加的活动"
    if topic is not None and person.court_id != topic.plan.org.court().pk:
        errors["topic"] = "只能关联本院的学习专题"
    return errors


@transaction.atomic
def do_submit_reflection(
    user: Any,
    person: Person,
    *,
    title: str,
    body: str,
    activity: Activity | None = None,
    topic: PlanTopic | None = None,
    revising: Reflection | None = None,
) -> Reflection:
    """A member's reflection, new or revised after it was returned; checked for similarity."""
    title, body = title.strip(), body.strip()
    errors = _reflection_errors(person, title, body, activity, topic)
    if revising is not None:
        if revising.person_id != person.pk:
            errors["person"] = "只能修改本人的心得体会"
        elif revising.status != ReflectionStatus.RETURNED:
            errors["status"] = "只有退回修改的心得体会可以修改"
    if errors:
        raise ValidationError(errors)
    assert person.party_org is not None
    norm = similarity.normalised_text(body)
    sig = similarity.signature(norm)
    before = snapshot(revising, REFLECTION_FIELDS) if revising else None
    reflection = revising or Reflection(person=person, court_id=person.court_id)
    reflection.org = person.party_org
    reflection.title = title[:200]
    reflection.body = body
    reflection.activity = activity
    reflection.topic = topic
    reflection.status = ReflectionStatus.SUBMITTED
    reflection.normalised = norm
    reflection.signature = sig
    reflection.save()
    SimilarityBand.objects.filter(reflection=reflection).delete()
    _index(reflection.court_id, sig, reflection=reflection)
    check_reflection(reflection)
    record(
        user,
        "learning.reflection",
        reflection,
        before=before,
        after=snapshot(reflection, REFLECTION_FIELDS),
        org=reflection.org,
    )
    return reflection


@transaction.atomic
def do_review_reflection(
    user: Any, reflection: Reflection, *, status: str, comment: str = ""
) -> Reflection:
    """The secretary reads a reflection: 已阅, or 退回修改 with a comment."""
    comment = comment.strip()
    errors: dict[str, str] = {}
    if status not in (ReflectionStatus.READ, ReflectionStatus.RETURNED):
        errors["status"] = "请选择已阅或退回修改"
    if status == ReflectionStatus.RETURNED and not comment:
        errors["comment"] = "退回修改请写明意见"
    if len(comment) > 500:
        errors["comment"] = "意见不超过500字"
    if errors:
        raise ValidationError(errors)
    before = snapshot(reflection, REVIEW_FIELDS)
    reflection.status = status
    reflection.review_comment = comment
    reflection.reviewed_by = _by(user)
    reflection.reviewed_at = timezone.now()
    reflection.save(update_fields=["status", "review_comment", "reviewed_by", "reviewed_at"])
    record(
        user,
        "learning.reflection_review",
        reflection,
        before=before,
        after=snapshot(reflection, REVIEW_FIELDS),
        org=reflection.org,
    )
    # R4.1: a reflection earns its author points once it has been read (verified, R4.2).
    # The tag finds the entry again; it names the reflection as its author knows it.
    submitted = timezone.localtime(reflection.submitted_at)
    tag = f"心得体会《{reflection.title}》（{submitted:%Y-%m-%d %H:%M}提交）"
    reconcile_earned(
        user,
        reflection.person,
        Trigger.REFLECTION,
        tag,
        timezone.localdate(),
        earned=status == ReflectionStatus.READ,
        source=reflection,
        reason=f"{tag}已阅",
    )
    return reflection


# ---------------------------------------------------------------------------------------
# The reference corpus


@transaction.atomic
def do_add_reference(
    user: Any, court: Org, *, title: str, body: str, file_name: str = ""
) -> ReferenceText:
    errors: dict[str, str] = {}
    title, body = title.strip(), body.strip()
    if not court.is_court:
        errors["court"] = "参考文本属于法院"
    if not title:
        errors["title"] = "请填写标题"
    if not body:
        errors["body"] = "文件中没有文字"
    elif len(body) > REFERENCE_MAX_CHARS:
        errors["body"] = f"单篇参考文本不超过{REFERENCE_MAX_CHARS}字"
    if errors:
        raise ValidationError(errors)
    norm = similarity.normalised_text(body)
    sig = similarity.signature(norm)
    reference = ReferenceText.objects.create(
        court=court,
        title=title[:200],
        file_name=file_name[:200],
        body=body,
        normalised=norm,
        signature=sig,
        created_by=_by(user),
    )
    _index(court.pk, sig, reference=reference)
    record(
        user,
        "learning.reference",
        reference,
        after=snapshot(reference, REFERENCE_FIELDS),
        org=court,
    )
    return reference
