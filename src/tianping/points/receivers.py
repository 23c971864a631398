"""Points follow activities and reviews: every change reconciles the ledger entries it earns."""

from typing import Any

from django.dispatch import receiver

from tianping.activities.actions import activity_changed, review_closed
from tianping.points.actions import reconcile_review
from tianping.points.posting import reconcile


@receiver(activity_changed)
def post_points(sender: Any, activity: Any, user: Any = None, **kwargs: Any) -> None:
    reconcile(activity, user)


@receiver(review_closed)
def post_review_points(sender: Any, review: Any, user: Any = None, **kwargs: Any) -> None:
    """R1.6 results feed points where the court's rules give them any (R4.1)."""
    reconcile_review(review, user)
