"""Living articles: recording a new text of an article and carrying its claims over to it.

An article has no revision rows until its text first changes; recording a revision then stores
revision 1 from the text it had, moves the current sentences to that revision (they stay
readable), switches the article's body to the new text and splits it. The claims are re-anchored
after the commit by a Celery job (`reanchor_claims`), one per revision, with the pure algorithm
in `annotations.reanchoring`. Nothing about a claim is lost: an orphaned claim keeps its text,
span (on the revision it was last found in), sentences, sources, comments and verdicts.
"""

import json
from datetime import datetime
from typing import Any, cast

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Field, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import anchoring, jobs, reanchoring, roles, scoring, search
from ..audit import record_event, record_events
from ..memory import matching
from ..models import (
    AnchorStatus,
    Article,
    ArticleRevision,
    Claim,
    ImportJob,
    Sentence,
    content_hash,
    normalise_body,
)
from .articles import build_sentences
from .checks import require_checker


def revisions_of(article: Article) -> list[ArticleRevision]:
    """The article's revisions, oldest first; one unsaved (its text) if it was never revised."""
    revisions = list(article.revisions.order_by("number"))
    return revisions or [_first_revision(article)]


def _first_revision(article: Article) -> ArticleRevision:
    return ArticleRevision(
        article=article,
        number=1,
        body=article.body,
        content_hash=article.content_hash,
        source=ArticleRevision.Source.ORIGINAL,
        created_at=article.created_at,
    )


def revision_sentences(revision: ArticleRevision, *, current: bool) -> QuerySet[Sentence]:
    """The sentences of one revision: the article's current ones, or those kept with it."""
    if current:
        return Sentence.objects.filter(article_id=revision.article_id).order_by("position")
    return Sentence.all_revisions.filter(revision=revision).order_by("position")


def newest_revision(article: Article) -> ArticleRevision | None:
    """The revision whose text is the article's body; None while the article has only one text."""
    return article.revisions.order_by("-number").first()


def record_revision(
    *,
    article: Article,
    body: str,
    source: str,
    created_by: User | None = None,
    import_job: ImportJob | None = None,
) -> tuple[ArticleRevision, bool]:
    """Make `body` the article's current text; (the newest revision, False) if it is unchanged.

    The text is normalised as at import, so only a real change of text makes a revision. A text
    that another article already has is refused (the same text is never stored twice). The
    claims are re-anchored by a job queued when this commits. `import_job`: the import that
    brought the text (its audit event names it).
    """
    if created_by is not None:
        require_checker(created_by)
        if not roles.has_role(created_by, roles.EDITOR):
            raise PermissionDenied(_("Only editors may record a new text of an article."))
    if not isinstance(body, str) or not body.strip():
        raise ValidationError({"body": _("The new text is empty.")})
    body = normalise_body(body)
    digest = content_hash(body)
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        revisions = list(article.revisions.order_by("number"))
        if digest == article.content_hash:
            return (revisions[-1] if revisions else _first_revision(article)), False
        other = Article.objects.filter(content_hash=digest).exclude(pk=article.pk).first()
        if other is not None:
            raise ValidationError(
                {
                    "body": _("This text is already stored as article %(id)s: %(title)s")
                    % {"id": other.pk, "title": other.title}
                }
            )
        if not revisions:
            first = _first_revision(article)
            first.save()
            revisions.append(first)
        previous = revisions[-1]
        Sentence.objects.filter(article=article).update(revision=previous)
        revision = ArticleRevision.objects.create(
            article=article,
            number=previous.number + 1,
            body=body,
            content_hash=digest,
            source=source,
            created_by=created_by,
        )
        article.body = body
        try:
            with transaction.atomic():
                article.save(update_fields=["body", "content_hash", "updated_at"])
        except IntegrityError as exc:  # an import stored the same text a moment ago
            raise ValidationError(
                {"body": _("This text was just stored as another article; it is not stored twice.")}
            ) from exc
        Sentence.objects.bulk_create(build_sentences(article))
        record_event(
            actor=created_by,
            action="article.revised",
            obj=article,
            changes={
                "revision": revision.number,
                "source": source,
                **({"import_job": import_job.pk} if import_job is not None else {}),
            },
        )
        search.index_after_commit([article.pk], refresh=True)
        matching.queue_articles([article.pk])  # the new text's sentences: claim memory
        scoring.queue_scoring([article.pk])  # and check-worthiness
        _queue_reanchoring(revision.pk)
    return revision, True


def _queue_reanchoring(revision_id: int) -> None:
    jobs.send_after_commit(jobs.REANCHOR, args=[revision_id])


# The fields a re-anchoring writes, in one UPDATE per batch of claims; and the counters.
_REANCHOR_FIELDS = [
    "start",
    "end",
    "anchor_status",
    "anchor_revision",
    "anchor_previous",
    "text_changed_at",
    "updated_at",
]
REANCHOR_WRITE_BATCH = 500  # claims per UPDATE


def _update_claims(claims: list[tuple[Claim, int]]) -> None:
    """Write the claims' re-anchored fields, bump `version` and `review_version` (by each one's
    increment) in one statement.

    On PostgreSQL an `UPDATE ... FROM (VALUES ...)`: `bulk_update` builds a CASE per claim and
    field in Python, which measured 6-8 times the job's SQL time on 26 claims.
    """
    if not claims:
        return
    if connection.vendor != "postgresql":
        for claim, bump in claims:
            claim.version = F("version") + 1
            claim.review_version = F("review_version") + bump
        Claim.objects.bulk_update(
            [claim for claim, _ in claims], [*_REANCHOR_FIELDS, "version", "review_version"]
        )
        return
    fields = [cast("Field[Any, Any]", Claim._meta.get_field(name)) for name in _REANCHOR_FIELDS]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column or f.attname) for f in fields)
    casts = ", ".join(f"%s::{f.db_type(connection)}" for f in fields)
    sets = ", ".join(
        f"{quote(f.column or f.attname)} = v.{quote(f.column or f.attname)}" for f in fields
    )
    rows: list[str] = []
    params: list[Any] = []
    for claim, bump in claims:
        rows.append(f"(%s::bigint, {casts}, %s::integer)")
        params.append(claim.pk)
        for field in fields:
            value = getattr(claim, field.attname)
            params.append(json.dumps(value) if field.name == "anchor_previous" else value)
        params.append(bump)
    table = quote(Claim._meta.db_table)
    # Names and types from the model, every value a parameter: S608's concern does not apply.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS c SET {sets}, version = c.version + 1, "  # noqa: S608
            "review_version = c.review_version + v.bump "
            f"FROM (VALUES {', '.join(rows)}) AS v(id, {columns}, bump) WHERE c.id = v.id",
            params,
        )


def reanchor_claims(*, revision_id: int) -> dict[str, int]:
    """Carry every claim of the revision's article onto its text; counts by new anchor status.

    Idempotent: a claim already placed on this revision is left alone, so a re-delivered job
    changes nothing. If a newer revision exists, its own job does the work and this one stops.
    A constant number of queries per article (the writes one per REANCHOR_WRITE_BATCH claims):
    the claims in one UPDATE, their new sentences in one INSERT, the audit events in one more.
    The claims that moved or changed are re-embedded for claim memory after the commit.
    """
    counts = {status: 0 for status in AnchorStatus.values}
    with transaction.atomic():
        revision = ArticleRevision.objects.select_related("article").get(pk=revision_id)
        article = Article.objects.select_for_update().get(pk=revision.article_id)
        if article.content_hash != revision.content_hash:
            return counts  # a newer text came in; its job re-anchors from here
        texts = ArticleRevision.objects.filter(article=article).values_list("pk", "number", "body")
        bodies = {pk: body for pk, _, body in texts}
        numbers = {pk: number for pk, number, _ in texts}
        first = min(numbers, key=lambda pk: numbers[pk])
        claims = list(
            Claim.objects.filter(article=article)
            .exclude(anchor_revision=revision)
            .select_for_update()
            .order_by("pk")
        )
        # Each claim's span is on the text of its `anchor_revision`; no revision means the text
        # the article had before it was first revised (revision 1).
        groups: dict[int, list[Claim]] = {}
        for claim in claims:
            groups.setdefault(claim.anchor_revision_id or first, []).append(claim)
        spans = list(
            Sentence.objects.filter(article=article)
            .order_by("position")
            .values_list("id", "start", "end")
        )
        writes = _Writes(now=timezone.now(), revision=revision)
        for source_id, group in groups.items():
            anchors = [
                reanchoring.StoredAnchor(
                    c.start, c.end, c.quote_exact, c.quote_prefix, c.quote_suffix
                )
                for c in group
            ]
            results = reanchoring.reanchor(bodies[source_id], article.body, anchors)
            for claim, result in zip(group, results, strict=True):
                writes.apply(
                    claim,
                    result,
                    source_revision_id=source_id,
                    source_number=numbers[source_id],
                    old_body=bodies[source_id],
                    spans=spans,
                )
                counts[result.status] += 1
        writes.save()
    return counts


class _Writes:
    """What one re-anchoring job changes, gathered claim by claim and written in bulk."""

    def __init__(self, *, now: datetime, revision: ArticleRevision) -> None:
        self.now, self.revision = now, revision
        self.claims: list[tuple[Claim, int]] = []  # and its review version's increment
        self.sentences: list[tuple[int, int]] = []  # (claim id, sentence id) to add
        self.events: list[tuple[str, Claim, dict[str, Any]]] = []
        self.reembed: list[int] = []  # claims that moved or changed: claim memory

    def apply(
        self,
        claim: Claim,
        result: reanchoring.Reanchored,
        *,
        source_revision_id: int,
        source_number: int,
        old_body: str,
        spans: list[tuple[int, int, int]],
    ) -> None:
        revision = self.revision
        before = {"anchor_status": claim.anchor_status, "start": claim.start, "end": claim.end}
        previous = {
            "revision": source_number,
            "start": claim.start,
            "end": claim.end,
            "text": old_body[claim.start : claim.end],
        }
        moved = result.status != AnchorStatus.ORPHANED and (result.start, result.end) != (
            claim.start,
            claim.end,
        )
        if result.status == AnchorStatus.ORPHANED:
            if (
                claim.anchor_status == AnchorStatus.ORPHANED
                and claim.anchor_revision_id == source_revision_id
            ):
                return  # still gone: nothing to write, and `updated_at` must not move
            if claim.anchor_status != AnchorStatus.ORPHANED:
                claim.anchor_previous = previous
                claim.text_changed_at = self.now
            claim.anchor_status = AnchorStatus.ORPHANED
            claim.anchor_revision_id = source_revision_id
        else:
            if result.status == AnchorStatus.CHANGED or moved or claim.anchor_status != "anchored":
                claim.anchor_previous = previous
            if result.status == AnchorStatus.CHANGED:
                claim.text_changed_at = self.now
            # A changed claim keeps the quote it was checked against until a reviewer accepts
            # the new text; an anchored one has exactly that text again.
            claim.start, claim.end = cast(int, result.start), cast(int, result.end)  # placed
            claim.anchor_status = result.status
            claim.anchor_revision = revision
            covered = anchoring.covered(
                [(s, e) for _, s, e in spans], start=claim.start, end=claim.end
            )
            self.sentences.extend((claim.pk, spans[i][0]) for i in covered)
            if moved or result.status == AnchorStatus.CHANGED:
                self.reembed.append(claim.pk)
        # What Claim.save() would do: stamp the time, bump the version (the ETag) and, when
        # the span moved, the review version (an approval names the span it saw).
        claim.updated_at = self.now
        self.claims.append((claim, 1 if moved else 0))
        if before["anchor_status"] != claim.anchor_status or moved:
            self.events.append(
                (
                    f"claim.{claim.anchor_status}",
                    claim,
                    {
                        "revision": [source_number, revision.number],
                        "anchor_status": [before["anchor_status"], claim.anchor_status],
                        "start": [before["start"], claim.start],
                        "end": [before["end"], claim.end],
                    },
                )
            )

    def save(self) -> None:
        for start in range(0, len(self.claims), REANCHOR_WRITE_BATCH):
            _update_claims(self.claims[start : start + REANCHOR_WRITE_BATCH])
        through = Claim.sentences.through
        through.objects.bulk_create(
            [through(claim_id=c, sentence_id=s) for c, s in self.sentences],
            ignore_conflicts=True,  # a sentence the claim already covers
            batch_size=REANCHOR_WRITE_BATCH * 4,
        )
        record_events(actor=None, events=self.events)
        if self.reembed:
            matching.queue_claims(self.reembed)


def accept_anchor(*, claim: Claim, actor: User) -> Claim:
    """A reviewer confirms a changed claim's new text: its quote becomes that text, `anchored`.

    Only for `changed` claims (an orphan has no new place; re-span it instead). The claim's
    author, assignee and editors may; the public note that the article changed stays.
    """
    from .claims import can_edit_claim

    require_checker(actor)
    if not can_edit_claim(claim=claim, user=actor):
        raise PermissionDenied(_("Only the claim's author, its assignee or an editor may do this."))
    if claim.anchor_status != AnchorStatus.CHANGED:
        raise ValidationError(
            {
                "anchor_status": _(
                    "Only a changed claim can be accepted; re-span this one instead (anchor "
                    "status: %(status)s)."
                )
                % {"status": claim.get_anchor_status_display()}
            }
        )
    with transaction.atomic():
        claim = Claim.objects.select_for_update().select_related("article").get(pk=claim.pk)
        body = claim.article.body
        selector = anchoring.quote_selector(body, start=claim.start, end=claim.end)
        before = claim.quote_exact
        claim.quote_exact, claim.quote_prefix, claim.quote_suffix = (
            selector.exact,
            selector.prefix,
            selector.suffix,
        )
        claim.anchor_status = AnchorStatus.ANCHORED
        claim.save(
            update_fields=[
                "quote_exact",
                "quote_prefix",
                "quote_suffix",
                "anchor_status",
                "updated_at",
            ]
        )
        record_event(
            actor=actor,
            action="claim.anchor_accepted",
            obj=claim,
            changes={"quote_exact": [before, claim.quote_exact]},
        )
        matching.queue_claims([claim.pk])  # its quote is new: claim memory matches by it
    return claim
