"""The audit trail: one explicit call per business step, from the service that performs it.

Why not django-simple-history: it snapshots whole rows on every save, but cannot name the business
action ("verdict.approved", "claim.hidden", "flag.dismissed") nor cover steps that are not a
save of one model (an export started, a role changed). One table of named events, written in
the same transaction as the change, answers "who did what, when, and what changed" directly.
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEvent


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The JSON-safe values of `fields` on `obj`, to diff before and after a change."""
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if not isinstance(field, models.Field):
            raise TypeError(f"{name} is a relation's other side, not a field of {obj!r}.")
        value = getattr(obj, field.attname)
        values[name] = (
            value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        )
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{"field": [before, after]} for the fields whose value changed."""
    return {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}


def record_event(
    *, actor, action: str, obj: models.Model | None = None, changes: dict | None = None
) -> AuditEvent:
    """Append one audit event. Call it inside the transaction of the change it records."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=obj.pk if obj is not None else None,
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=changes or {},
    )


def record_events(*, actor, events: Iterable[tuple[str, models.Model, dict]]) -> list[AuditEvent]:
    """Append many events, (action, obj, changes) each, in one INSERT: a job's bulk step.

    Call it inside the transaction of the changes it records, as `record_event`.
    """
    rows = [
        AuditEvent(
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            action=action,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            object_repr=str(obj)[:200],
            changes=changes or {},
        )
        for action, obj, changes in events
    ]
    return AuditEvent.objects.bulk_create(rows)


def record_update(
    *, actor, action: str, obj: models.Model, before: dict[str, Any], fields: Iterable[str]
) -> AuditEvent:
    """Append the event of an update: `fields` as they were in `before` (a snapshot) and are now."""
    return record_event(
        actor=actor, action=action, obj=obj, changes=diff(before, snapshot(obj, fields))
    )
