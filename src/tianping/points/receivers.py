"""Points follow activities: every change to an activity reconciles its ledger entries."""

from typing import Any

from django.dispatch import receiver

from tianping.activities.actions import activity_changed
from tianping.points.posting import reconcile


@receiver(activity_changed)
def post_points(sender: Any, activity: Any, user: Any = None, **kwargs: Any) -> None:
    reconcile(activity, user)
