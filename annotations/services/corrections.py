"""Corrections of a published claim: the changes a new verdict proposes, applied on approval.

A published claim's span, wording and sources are frozen (see `claims.require_open_for_edits`):
the public keeps seeing them until an editor approves a verdict that proposes new ones. The
proposal travels in `Verdict.changes`, so the editor reviews it with the verdict, the verdict's
ETag covers it, and the two-person rule covers it (its author cannot approve it).

The shape of `changes` (every key optional, at least one):

    {"claimant": str, "text": str, "start": int, "end": int,
     "add_sources": [{"url", "title", "publisher", "quote", "stance"}],
     "remove_sources": [source ids of the claim]}
"""

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..audit import record_event, record_update, snapshot
from ..models import Claim, Source, Verdict
from .claims import CLAIM_FIELDS, _anchor, _set_span, record_contributor
from .sources import SOURCE_FIELDS, check_not_hidden_here, check_url

CLAIM_KEYS = ("claimant", "text", "start", "end")
SOURCE_KEYS = ("url", "title", "publisher", "quote", "stance")
LIMITS = {"claimant": 255, "url": 2048, "title": 500, "publisher": 255}


def _text(value: object, *, field: str) -> str:
    if not isinstance(value, str) or "\x00" in value:
        raise ValidationError(
            {"changes": _("%(field)s must be a string (no NUL characters).") % {"field": field}}
        )
    if field in LIMITS and len(value) > LIMITS[field]:
        raise ValidationError(
            {
                "changes": _("%(field)s is longer than %(limit)s characters.")
                % {"field": field, "limit": LIMITS[field]}
            }
        )
    return value


def _clean_source(raw: object, *, claim: Claim, author: User, position: int) -> dict[str, Any]:
    if not isinstance(raw, dict) or not isinstance(raw.get("url"), str):
        raise ValidationError(
            {
                "changes": _("add_sources[%(position)s] must be an object with a url.")
                % {"position": position}
            }
        )
    unknown = set(raw) - set(SOURCE_KEYS)
    if unknown:
        raise ValidationError(
            {
                "changes": _("add_sources[%(position)s]: unknown fields %(fields)s.")
                % {"position": position, "fields": sorted(unknown)}
            }
        )
    source = {key: _text(raw.get(key, ""), field=key) for key in SOURCE_KEYS}
    source["stance"] = source["stance"] or Source.Stance.CONTEXT
    if source["stance"] not in Source.Stance.values:
        raise ValidationError(
            {
                "changes": _("add_sources[%(position)s].stance: one of %(choices)s.")
                % {"position": position, "choices": ", ".join(Source.Stance)}
            }
        )
    check_url(source["url"])
    check_not_hidden_here(claim=claim, url=source["url"], actor=author)
    return source


def clean_changes(*, claim: Claim, author: User, changes: dict[str, Any]) -> dict[str, Any]:
    """The proposed changes checked against the claim as it is now (a 400 naming what is wrong).

    Only a published claim takes proposals: a claim being drafted is edited directly.
    """
    if not changes:
        return {}
    if not isinstance(changes, dict):
        raise ValidationError({"changes": _("Proposed changes must be an object.")})
    if claim.status != Claim.Status.PUBLISHED:
        raise ValidationError(
            {
                "changes": _(
                    "Only a correction of a published claim proposes changes: edit a "
                    "draft claim and its sources directly."
                )
            }
        )
    unknown = set(changes) - {*CLAIM_KEYS, "add_sources", "remove_sources"}
    if unknown:
        raise ValidationError(
            {"changes": _("Unknown fields: %(fields)s.") % {"fields": sorted(unknown)}}
        )
    clean: dict[str, Any] = {}
    for key in ("claimant", "text"):
        if key in changes:
            clean[key] = _text(changes[key], field=key)
    if "start" in changes or "end" in changes:
        start, end = changes.get("start", claim.start), changes.get("end", claim.end)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            raise ValidationError({"changes": _("start and end must be integers.")})
        _anchor(article=claim.article, start=start, end=end, sentence_ids=None)
        clean["start"], clean["end"] = start, end
    added = changes.get("add_sources", [])
    removed = changes.get("remove_sources", [])
    if not isinstance(added, list) or not isinstance(removed, list):
        raise ValidationError({"changes": _("add_sources and remove_sources must be lists.")})
    if added:
        clean["add_sources"] = [
            _clean_source(raw, claim=claim, author=author, position=i)
            for i, raw in enumerate(added)
        ]
    if removed:
        if not all(isinstance(pk, int) and not isinstance(pk, bool) for pk in removed):
            raise ValidationError({"changes": _("remove_sources lists source ids.")})
        visible = set(claim.sources.filter(is_hidden=False).values_list("pk", flat=True))
        foreign = sorted(set(removed) - visible)
        if foreign:
            raise ValidationError(
                {
                    "changes": _("Not sources of claim #%(id)s: %(ids)s.")
                    % {"id": claim.pk, "ids": ", ".join(map(str, foreign))}
                }
            )
        clean["remove_sources"] = sorted(set(removed))
        if not added and visible <= set(removed):
            raise ValidationError(
                {"changes": _("A published verdict needs a source: do not remove them all.")}
            )
    if not clean:
        raise ValidationError({"changes": _("Propose at least one change, or leave it out.")})
    return clean


def apply_changes(*, verdict: Verdict, claim: Claim, editor: User) -> dict[str, Any]:
    """Apply an approved verdict's proposed changes to its locked claim; what changed, for the
    audit trail. The proposal is checked again: the claim may have moved since it was made."""
    if not verdict.changes:
        return {}
    changes = clean_changes(claim=claim, author=verdict.author, changes=verdict.changes)
    before = snapshot(claim, CLAIM_FIELDS)
    if "start" in changes:
        start, end, covered = _anchor(
            article=claim.article, start=changes["start"], end=changes["end"], sentence_ids=None
        )
        _set_span(claim, start=start, end=end)
        claim.sentences.set(covered)
    for key in ("claimant", "text"):
        if key in changes:
            setattr(claim, key, changes[key])
    claim.save()
    record_update(
        actor=editor, action="claim.corrected", obj=claim, before=before, fields=CLAIM_FIELDS
    )
    for source in Source.objects.filter(pk__in=changes.get("remove_sources", [])):
        record_event(
            actor=editor,
            action="source.deleted",
            obj=source,
            changes={**snapshot(source, SOURCE_FIELDS), "correction_by_verdict": verdict.pk},
        )
        source.delete()
    for fields in changes.get("add_sources", []):
        source = Source.objects.create(claim=claim, created_by=verdict.author, **fields)
        record_event(
            actor=verdict.author,
            action="source.created",
            obj=source,
            changes={**snapshot(source, SOURCE_FIELDS), "correction_by_verdict": verdict.pk},
        )
    record_contributor(claim=claim, user=verdict.author)
    return changes
