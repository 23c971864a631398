"""Audit rows cannot be changed or deleted, by the ORM or by SQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from tianping.audit.models import AppendOnlyError, AuditEvent


def test_every_write_in_the_world_left_an_audit_row(world):
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"orgs.create", "people.create", "accounts.create_user", "accounts.grant"} <= actions


def test_an_audit_row_cannot_be_changed_through_the_orm(world):
    event = AuditEvent.objects.first()
    event.action = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(action="forged")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_an_audit_row_cannot_be_changed_in_sql(world):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'forged'")
    assert not AuditEvent.objects.filter(action="forged").exists()
