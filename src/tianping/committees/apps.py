from django.apps import AppConfig


class CommitteesConfig(AppConfig):
    name = "tianping.committees"
    label = "committees"
    verbose_name = "支部委员会与换届"

    def ready(self) -> None:
        # Activities stands above committees (DESIGN.md) and asks for the committees here.
        from tianping.activities import committee_hooks
        from tianping.committees.health import health_checks
        from tianping.committees.queries import committee_seats

        committee_hooks.register(seats=committee_seats, checks=health_checks)
