"""The audit trail is append-only: the ORM, the database and the admin all refuse changes."""

import pytest
from django.db import DatabaseError, connection, transaction

from annotations import moderation
from annotations.models import AppendOnlyError, AuditEvent


@pytest.fixture
def event(world, reviewer):
    moderation.flag_content(target=world.claim, user=reviewer, reason="spam")
    return AuditEvent.objects.get(action="flag.created")


def test_orm_refuses_to_change_or_delete_an_event(event):
    event.action = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "flag.created"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE annotations_auditevent SET action = 'forged' WHERE id = %s",
        "UPDATE annotations_auditevent SET changes = '{}'::jsonb WHERE id = %s",
        "DELETE FROM annotations_auditevent WHERE id = %s",
    ],
)
def test_database_refuses_raw_sql_updates_and_deletes(event, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "flag.created"


def test_database_still_accepts_new_events(event, moderator, reviewer):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM annotations_auditevent")
        (count,) = cursor.fetchone()
    moderation.dismiss_flag(
        flag=moderation.Flag.objects.get(created_by=reviewer), moderator=moderator, reason="ok"
    )
    assert AuditEvent.objects.count() == count + 1
