"""Sources cited for a claim: added, edited and removed only while the claim is a draft.

A source a moderator hid stays hidden: citing its URL on that claim again needs a moderator.
"""

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from .. import roles
from ..audit import record_event, record_update, snapshot
from ..models import Claim, Source
from ..roles import AnyUser
from .checks import require_checker
from .claims import lock_claim, record_contributor, require_open_for_edits

SOURCE_FIELDS = ("claim", "url", "title", "publisher", "quote", "stance", "accessed_at")

_http_url = URLValidator(schemes=["http", "https"])


def check_url(url: str) -> None:
    """Refuse anything but an http(s) URL, naming the field."""
    try:
        _http_url(url)
    except ValidationError as error:
        raise ValidationError({"url": _("Enter a valid http:// or https:// URL.")}) from error


def _url_key(url: str) -> tuple[str, str, str, str]:
    """A URL as compared with hidden ones: case-insensitive scheme and host, no default port,
    fragment or trailing slash, so trivial variants of a hidden address are recognised."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:  # out of range: no such address, compare it as written
        port, host = None, parts.netloc.lower()
    if port and (parts.scheme.lower(), port) not in {("http", 80), ("https", 443)}:
        host = f"{host}:{port}"
    scheme = parts.scheme.lower().replace("https", "http")
    return scheme, host, parts.path.rstrip("/"), parts.query


def check_not_hidden_here(
    *, claim: Claim, url: str, actor: User, exclude: int | None = None
) -> None:
    """Refuse citing again on `claim` a URL that a moderator hid there, unless `actor` moderates.

    A hidden source stays hidden: posting it anew must not make it public again behind the
    moderator's back.
    """
    if roles.has_role(actor, roles.MODERATOR):
        return
    key = _url_key(url)
    hidden = claim.sources.filter(is_hidden=True)
    if exclude is not None:
        hidden = hidden.exclude(pk=exclude)
    if any(_url_key(other) == key for other in hidden.values_list("url", flat=True)):
        raise PermissionDenied(
            _(
                "A moderator hid a source with this URL on this claim: only a moderator may cite "
                "it again."
            )
        )


def add_source(
    *,
    claim: Claim,
    created_by: User,
    url: str,
    title: str = "",
    publisher: str = "",
    quote: str = "",
    stance: str = Source.Stance.CONTEXT,
    accessed_at: datetime | None = None,
) -> Source:
    """Cite evidence for a claim: an http(s) URL, what it says and how it bears on the claim.

    Only while the claim is drafted (not awaiting an editor, not published or retracted).
    """
    require_checker(created_by)
    check_url(url)
    with transaction.atomic():
        claim = lock_claim(claim.pk)
        require_open_for_edits(claim, what=_("sources"))
        check_not_hidden_here(claim=claim, url=url, actor=created_by)
        source = Source(
            claim=claim,
            created_by=created_by,
            url=url,
            title=title,
            publisher=publisher,
            quote=quote,
            stance=stance,
            accessed_at=accessed_at,
        )
        source.save()
        record_contributor(claim=claim, user=created_by)
        record_event(
            actor=created_by,
            action="source.created",
            obj=source,
            changes=snapshot(source, SOURCE_FIELDS),
        )
    return source


def _require_author_or_editor(*, author_id: int, user: AnyUser) -> None:
    if author_id != user.pk and not roles.has_role(user, roles.EDITOR):
        raise PermissionDenied(
            _("Only the person who added this source or an editor may change it.")
        )


def _lock_source_for_change(source: Source, actor: User) -> Source:
    """Lock the source's claim, then the source, and check that `actor` may change it now."""
    claim = lock_claim(source.claim_id)
    source = Source.objects.select_for_update(of=("self",)).get(pk=source.pk)
    source.claim = claim
    _require_author_or_editor(author_id=source.created_by_id, user=actor)
    if source.is_hidden and not roles.has_role(actor, roles.MODERATOR):
        raise PermissionDenied(_("A moderator hid this source: only a moderator may change it."))
    require_open_for_edits(claim, what=_("sources"))
    return source


def update_source(*, source: Source, actor: User, **changes: Any) -> Source:
    """Edit a source (url, title, publisher, quote, stance, accessed_at). Its author or editors,
    while its claim is drafted."""
    require_checker(actor)
    unknown = set(changes) - set(SOURCE_FIELDS[1:])
    if unknown:
        raise ValueError(f"Not source fields: {sorted(unknown)}")
    if "url" in changes:
        check_url(changes["url"])
    with transaction.atomic():
        source = _lock_source_for_change(source, actor)
        if "url" in changes:
            check_not_hidden_here(
                claim=source.claim, url=changes["url"], actor=actor, exclude=source.pk
            )
        before = snapshot(source, SOURCE_FIELDS)
        for name, value in changes.items():
            setattr(source, name, value)
        source.save()
        record_contributor(claim=source.claim, user=actor)
        record_update(
            actor=actor, action="source.updated", obj=source, before=before, fields=SOURCE_FIELDS
        )
    return source


def delete_source(*, source: Source, actor: User) -> None:
    """Remove a source. Its author or editors, while its claim is drafted."""
    require_checker(actor)
    with transaction.atomic():
        source = _lock_source_for_change(source, actor)
        record_contributor(claim=source.claim, user=actor)
        record_event(
            actor=actor,
            action="source.deleted",
            obj=source,
            changes=snapshot(source, SOURCE_FIELDS),
        )
        source.delete()
