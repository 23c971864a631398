"""Certificates follow volunteer hours: every change to a service's attendance (a correction
down revokes, up issues) brings the certificates of its people in line, in the same
transaction."""

from typing import Any

from django.dispatch import receiver

from tianping.activities.actions import activities_changed, activity_changed
from tianping.service.actions.volunteer import certificates_for_activities
from tianping.service.models.volunteer import VolunteerService
from tianping.service.queries.volunteer import KIND


def _concerned(activity: Any) -> bool:
    """A service, or what was one with its team recorded (its kind changed since)."""
    return activity.kind == KIND or VolunteerService.objects.filter(activity=activity).exists()


@receiver(activity_changed)
def follow_activity(sender: Any, activity: Any, user: Any = None, **kwargs: Any) -> None:
    if _concerned(activity):
        certificates_for_activities(user, [activity])


@receiver(activities_changed)
def follow_batch(sender: Any, activities: Any, user: Any = None, **kwargs: Any) -> None:
    certificates_for_activities(user, [a for a in activities if a.kind == KIND])
