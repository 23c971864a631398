"""The one scoping function: every query for a user passes through `scoped`.

A role is granted on a node of the organisation tree and reaches that node's subtree.
Each scoped model answers `scope_q(scope)`; anything outside it is 404, never 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404

from tianping.accounts.models import Role, RoleGrant
from tianping.orgs.models import PARTY_KINDS

M = TypeVar("M", bound=models.Model)
# A queryset keeps its own class (and its methods: `Person.objects.serving()`) through scoping.
QS = TypeVar("QS", bound=models.QuerySet[Any])

# What each role may do inside its scope. Seeing is separate from changing: a leader
# sees a whole court read-only; a member sees only themself.
_READ = {
    "dashboard.view",
    "orgs.view",
    "people.view",
    "activities.view",
    "compliance.view",
    "points.view",
    "membership.view",
    "learning.view",
    "service.view",
    "talent.view",
}
# learning.review: a secretary reads the reflections of their branch (with their 查重 report).
# service.record: a secretary records liaison visits, matters raised and their handling,
# 双报到 services and duty at a demonstration post for their branch.
_RECORD = {
    "activities.record",
    "membership.manage",
    "dues.manage",
    "learning.review",
    "service.record",
}
_ADMIN = {
    "orgs.change",
    "people.change",
    "people.import",
    "people.export",
    # A person's telephone: the officers who keep the roster, not secretaries or leaders.
    "people.contact",
    "activities.import",
    "audit.view",
    "accounts.view",
    "accounts.grant",
    # Training classes, study plans, the question bank and the court's training settings.
    "learning.manage",
    # Training statistics of a court's subtree (班次, 人次, hours): officers and leaders whose
    # scope is a court; not members, not a branch secretary (no court in their scope).
    "learning.stats",
    # Volunteer teams, certificates rules, co-building, 办实事 lists, liaison assignments,
    # branch brands and their evaluation, demonstration posts.
    "service.manage",
    # Honours and awards (荣誉表彰): the 政治部 and the 机关党委 record them.
    "talent.honours",
    # Talent pools, skill competitions and stenography exams: the 政治部's work.
    "talent.manage",
}
CAPABILITIES: dict[str, frozenset[str]] = {
    Role.PLATFORM_ADMIN: frozenset(
        # platform.calendar: China's holiday table every court's notices count by (D6).
        _READ | _RECORD | _ADMIN | {"points.manage", "compliance.manage", "platform.calendar"}
    ),
    Role.POLITICAL_DEPT: frozenset(_READ | {"activities.record"} | _ADMIN),
    Role.PARTY_OFFICE: frozenset(
        _READ
        | _RECORD
        | {
            "orgs.change",
            "people.export",
            "people.contact",
            "activities.import",
            "audit.view",
            "points.manage",
            "compliance.manage",
            "learning.manage",
            "learning.stats",
            "service.manage",
            "talent.honours",
        }
    ),
    Role.BRANCH_SECRETARY: frozenset(_READ | _RECORD),
    Role.LEADER: frozenset(_READ | {"people.export", "learning.stats"}),
    Role.MEMBER: frozenset(
        {
            "people.view",
            "activities.view",
            "points.view",
            "membership.view",
            "learning.view",
            "service.view",
            "talent.view",
        }
    ),
}

# The order in which a user's grants are offered when they have several.
ROLE_ORDER = [
    Role.PLATFORM_ADMIN,
    Role.POLITICAL_DEPT,
    Role.PARTY_OFFICE,
    Role.LEADER,
    Role.BRANCH_SECRETARY,
    Role.MEMBER,
]


@dataclass(frozen=True)
class Scope:
    user_id: int
    role: str
    grant_id: int | None = None
    root_id: int | None = None
    root_path: str = ""
    root_kind: str = ""
    root_name: str = ""
    person_id: int | None = None
    caps: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_global(self) -> bool:
        return self.role == Role.PLATFORM_ADMIN and self.root_path == ""

    @property
    def self_only(self) -> bool:
        return self.role == Role.MEMBER

    @property
    def role_name(self) -> str:
        return Role(self.role).label

    def can(self, capability: str) -> bool:
        return capability in self.caps

    def require(self, capability: str) -> None:
        if capability not in self.caps:
            raise PermissionDenied(capability)

    def covers_path(self, path: str) -> bool:
        """Whether an organisation with this tree path lies inside the scope."""
        if self.is_global:
            return True
        if self.self_only:
            return False
        return path.startswith(self.root_path)


def scope_from_grant(grant: RoleGrant) -> Scope:
    org = grant.org
    # A platform admin granted at the root of the tree sees everything, including courts
    # created later as new roots.
    is_root_admin = grant.role == Role.PLATFORM_ADMIN and org.depth == 1
    return Scope(
        user_id=grant.user_id,
        role=grant.role,
        grant_id=grant.pk,
        root_id=org.pk,
        root_path="" if is_root_admin else org.path,
        root_kind=org.kind,
        root_name=org.name,
        person_id=grant.user.person_id,
        caps=CAPABILITIES[grant.role],
    )


def grants_for(user: Any) -> list[RoleGrant]:
    grants = list(RoleGrant.objects.current().filter(user=user).select_related("org", "user"))
    grants.sort(key=lambda g: (ROLE_ORDER.index(Role(g.role)), g.org.path))
    return grants


def scope_for(user: Any, grant_id: int | None = None) -> Scope | None:
    """The user's scope: the chosen grant if it is still current, else their first."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    grants = grants_for(user)
    chosen = next((g for g in grants if g.pk == grant_id), grants[0] if grants else None)
    return scope_from_grant(chosen) if chosen else None


def scoped(scope: Scope | None, queryset: QS) -> QS:
    """Restrict a queryset to what the scope may see. Nothing is visible without a scope."""
    model = queryset.model
    scope_q = getattr(model, "scope_q", None)
    if scope_q is None:
        raise ImproperlyConfigured(
            f"{model.__name__} has no scope_q: it cannot be queried for a user"
        )
    if scope is None:
        return queryset.none()
    return queryset.filter(scope_q(scope))


def get_scoped(scope: Scope | None, queryset: models.QuerySet[M], **lookup: Any) -> M:
    """One object inside the scope, or 404: out of scope looks exactly like absent."""
    try:
        return scoped(scope, queryset).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_change_org(scope: Scope | None, kind: str) -> bool:
    """A party committee office shapes party organisations only; 政治部 and admins, any kind."""
    if scope is None or not scope.can("orgs.change"):
        return False
    if scope.role == Role.PARTY_OFFICE:
        return kind in PARTY_KINDS
    return True
