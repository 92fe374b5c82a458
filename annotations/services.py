"""Writes with rules. Views, admin actions, commands and tasks call these; none repeats them."""

from datetime import datetime

from django.db import transaction

from .models import Article, ImportJob, Sentence, content_hash, normalise_body
from .segmentation import split_sentences


def build_sentences(article: Article) -> list[Sentence]:
    """Unsaved Sentence rows for `article.body`, with offsets into it, ready for bulk_create."""
    return [
        Sentence(
            article=article,
            position=position,
            start=span.start,
            end=span.end,
            text=span.text,
            paragraph=span.paragraph,
        )
        for position, span in enumerate(split_sentences(article.body, article.language))
    ]


def create_article(
    *,
    title: str,
    body: str,
    url: str | None = None,
    publisher: str = "",
    authors: list[str] | None = None,
    published_at: datetime | None = None,
    language: str = "en",
    metadata: dict | None = None,
    import_job: ImportJob | None = None,
) -> tuple[Article, bool]:
    """Store an article split into sentences; (existing article, False) if its URL or text is known.

    The body is normalised (NFC, Unix line ends) before it is hashed and split, so offsets
    always point into exactly the stored text.
    """
    body = normalise_body(body)
    digest = content_hash(body)
    existing = Article.objects.filter(content_hash=digest).first()
    if existing is None and url:
        existing = Article.objects.filter(url=url).first()
    if existing is not None:
        return existing, False
    with transaction.atomic():
        article = Article.objects.create(
            title=title.strip()[:1000],
            body=body,
            url=url or None,
            publisher=publisher,
            authors=authors or [],
            published_at=published_at,
            language=language,
            metadata=metadata or {},
            import_job=import_job,
        )
        Sentence.objects.bulk_create(build_sentences(article))
    return article, True
