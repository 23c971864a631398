"""Learning follows the activities: a session's attendance or status changed, so the
credits its class keeps (`learning.actions.summary`) are rewritten in the same transaction."""

from typing import Any

from django.dispatch import receiver

from tianping.activities.actions import activities_changed, activity_changed
from tianping.learning.actions.summary import refresh_classes
from tianping.learning.models import ClassSession


@receiver(activity_changed)
def refresh_class_of_session(sender: Any, activity: Any, **kwargs: Any) -> None:
    ids = ClassSession.objects.filter(activity_id=activity.pk).values_list(
        "training_class_id", flat=True
    )
    refresh_classes(list(ids))


@receiver(activities_changed)
def refresh_classes_of_sessions(sender: Any, activities: Any, **kwargs: Any) -> None:
    pks = [a.pk for a in activities]
    found: set[int] = set()
    for start in range(0, len(pks), 5000):
        found.update(
            ClassSession.objects.filter(activity_id__in=pks[start : start + 5000]).values_list(
                "training_class_id", flat=True
            )
        )
    refresh_classes(found)
