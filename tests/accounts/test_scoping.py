"""The scoping function: a grant reaches its node's subtree and nothing else."""

from tianping.accounts.scoping import scope_for, scoped
from tianping.audit.models import AuditEvent
from tianping.orgs.models import Org
from tianping.people.models import Person


def names(qs):
    return sorted(p.name for p in qs)


def test_a_mid_court_officer_sees_the_basic_courts_below(world):
    scope = scope_for(world.users["alice"])
    assert names(scoped(scope, Person.objects.all())) == names(
        p for k, p in world.people.items() if k != "hu"
    )


def test_a_basic_court_officer_does_not_see_the_mid_court(world):
    scope = scope_for(world.users["bob"])
    assert names(scoped(scope, Person.objects.all())) == ["周强", "孙丽", "王芳", "赵磊"]
    assert not scoped(scope, Org.objects.filter(code="BT")).exists()


def test_a_secretary_sees_their_branch(world):
    scope = scope_for(world.users["carol"])
    assert names(scoped(scope, Person.objects.all())) == ["王芳", "赵磊"]


def test_a_member_sees_only_themself(world):
    scope = scope_for(world.users["dave"])
    assert names(scoped(scope, Person.objects.all())) == ["赵磊"]
    assert not scoped(scope, Org.objects.all()).exists()
    assert not scoped(scope, AuditEvent.objects.all()).exists()


def test_the_outsider_sees_nothing_of_ours(world):
    scope = scope_for(world.users["oscar"])
    assert names(scoped(scope, Person.objects.all())) == ["胡敏"]
    assert not scoped(scope, Org.objects.filter(code__startswith="BT")).exists()


def test_the_platform_admin_sees_every_court(world):
    scope = scope_for(world.users["admin"])
    assert scoped(scope, Person.objects.all()).count() == len(world.people)


def test_no_scope_sees_nothing(world):
    assert not scoped(None, Person.objects.all()).exists()
