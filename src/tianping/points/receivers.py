"""Points follow activities and reviews: every change reconciles the ledger entries it earns."""

from typing import Any

from django.dispatch import receiver

from tianping.activities.actions import activities_changed, activity_changed, review_closed
from tianping.points.actions import reconcile_review
from tianping.points.posting import reconcile, reconcile_many


@receiver(activity_changed)
def post_points(sender: Any, activity: Any, user: Any = None, **kwargs: Any) -> None:
    reconcile(activity, user)


@receiver(activities_changed)
def post_points_of_batch(sender: Any, activities: Any, user: Any = None, **kwargs: Any) -> None:
    """A batch (a ledger import) is reconciled in one pass over all its activities."""
    reconcile_many(activities, user)


@receiver(review_closed)
def post_review_points(sender: Any, review: Any, user: Any = None, **kwargs: Any) -> None:
    """R1.6 results feed points where the court's rules give them any (R4.1)."""
    reconcile_review(review, user)
