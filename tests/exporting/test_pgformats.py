"""Exports written by PostgreSQL (`pgformats`) are the bytes the Python path writes.

The Python path (`formats.stream` over `records.iter_records`) is what SQLite runs and what the
other tests in this folder pin; every text that trips an encoder, every optional key, every
batch boundary and every way of naming people is compared here byte for byte.
"""

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model

from annotations.exporting import pgformats
from annotations.exporting.formats import export_chunks, rendered_chunks, stream
from annotations.exporting.records import iter_records
from annotations.exporting.run import filtered_claims
from annotations.models import Claim, Correction, ExternalFactCheck, Rating, Verdict
from annotations.selectors import published_claims
from tests.exporting.test_json_text import AWKWARD_TEXTS
from tests.factories import ArticleFactory, ClaimFactory, SourceFactory, published_claim

FORMATS = ["jsonl", "csv", "claimreview", "webannotation"]
FORMULAS = ["=cmd|' /C calc'!A0", "  +SUM(1,2)", "-1", "@x", "＝1+1", "\t=1", "a = b"]
CLAIMANTS = [
    "Ministerio de Sanidad",
    "COMISIÓN Europea",
    "La Policía",
    "policíaco",
    "Acme S.A.",
    "the_news desk",
    "Ana Ruiz",
    "",
]
NAMES = [("", ""), ("  ", " "), ("\u3000Ana", "Ruiz\u2003"), ("Łukasz", ""), ("=1", "+2")]


def python_bytes(fmt: str, claims) -> bytes:
    return b"".join(stream(fmt, iter_records(claims)))


def postgresql_bytes(fmt: str, claims) -> bytes:
    return b"".join(pgformats.export_chunks(fmt, claims))


@pytest.fixture
def varied_claims(db):
    """Published claims with every optional value both present and absent, awkward texts in
    every text field, hidden sources, several corrections, and every kind of `same_as`."""
    user_model = get_user_model()
    unrated = Rating.objects.filter(value__isnull=True).first()
    texts = AWKWARD_TEXTS + FORMULAS
    claims = []
    for index, text in enumerate(texts):
        first, last = NAMES[index % len(NAMES)]
        claim = published_claim(
            text=text if index % 3 else "",
            claimant=CLAIMANTS[index % len(CLAIMANTS)],
            quote_prefix=text,
            article=ArticleFactory(
                title=text,
                publisher="" if index % 4 == 0 else text,
                url=None if index % 2 else f"https://news.example.org/{index}?q={text[:3]}",
                published_at=None if index % 5 == 0 else datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
            ),
        )
        verdict = Verdict.objects.get(pk=claim.published_verdict_id)
        verdict.explanation = text
        if index % 6 == 0:
            verdict.reviewed_by = None
        else:
            user_model.objects.filter(pk=verdict.reviewed_by_id).update(
                first_name=first, last_name=last
            )
        if index % 4 == 1 and unrated:
            verdict.rating = unrated
        verdict.save()
        user_model.objects.filter(pk=verdict.author_id).update(first_name=last, last_name=first)
        source = claim.sources.get()
        source.title = source.quote = source.publisher = text
        source.save()
        SourceFactory(claim=claim, url=f"https://evidence.example.org/{index}", title=text)
        SourceFactory(claim=claim, url="https://hidden.example.org/", is_hidden=True)
        for note in (text, "second note") if index % 2 else ():
            Correction.objects.create(
                claim=claim, kind=Correction.Kind.UPDATE, note=note, created_by=claim.created_by
            )
        claims.append(claim)
    # A correction made on a whole second: Python's isoformat() would drop the microseconds.
    Correction.objects.filter(claim=claims[1]).update(created_at=datetime(2025, 5, 6, tzinfo=UTC))
    external = ExternalFactCheck.objects.create(
        claim_text="x", url="https://checkers.example.org/x?a=1&b=ü", publisher="Other"
    )
    hidden_earlier = published_claim()
    Claim.objects.filter(pk=hidden_earlier.pk).update(is_hidden=True)
    Claim.objects.filter(pk=claims[0].pk).update(same_as=claims[2])
    Claim.objects.filter(pk=claims[3].pk).update(same_as_external=external)
    Claim.objects.filter(pk=claims[4].pk).update(same_as=ClaimFactory())  # a draft: no link
    Claim.objects.filter(pk=claims[5].pk).update(same_as=hidden_earlier)
    return claims


@pytest.mark.parametrize("people", ["name", "username", "none"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_postgresql_writes_the_bytes_the_python_path_writes(varied_claims, settings, fmt, people):
    settings.PUBLIC_SHOW_PEOPLE = people
    settings.EXPORT_CHUNK_SIZE = 4  # batches end inside the list: separators across them

    expected = python_bytes(fmt, published_claims())

    assert postgresql_bytes(fmt, published_claims()) == expected
    assert b"hidden.example.org" not in expected  # the comparison covers what matters
    assert b"https://checkers.example.org/x" in expected


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("size", [1, 2, 3, 1000])
def test_every_batch_size_gives_the_same_file(varied_claims, settings, fmt, size):
    expected = python_bytes(fmt, published_claims())
    settings.EXPORT_CHUNK_SIZE = size

    assert postgresql_bytes(fmt, published_claims()) == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_filters_apply_in_postgresql_as_in_python(varied_claims, fmt):
    Claim.objects.filter(pk=varied_claims[0].pk).update(updated_at=datetime(2020, 1, 1, tzinfo=UTC))
    filters = {"publisher": "plain%text", "updated_since": "2021-01-01T00:00:00Z"}
    wanted = published_claim(article__publisher="plain%text")  # a % must stay a %
    claims = filtered_claims(filters)

    assert list(claims) == [wanted]
    assert postgresql_bytes(fmt, claims) == python_bytes(fmt, claims)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_export_is_the_same_in_both(db, fmt):
    assert postgresql_bytes(fmt, published_claims()) == python_bytes(fmt, published_claims())


def test_the_number_of_queries_grows_with_batches_not_claims(
    varied_claims, settings, django_assert_max_num_queries
):
    settings.EXPORT_CHUNK_SIZE = 5
    batches = -(-len(varied_claims) // 5)

    # The batches' bounds, then for each batch (and an empty last one) its planner settings and
    # its COPY, in a transaction (a savepoint here: two more).
    with django_assert_max_num_queries(1 + 4 * (batches + 1)):
        postgresql_bytes("jsonl", published_claims())


def test_progress_is_reported_per_batch_and_at_the_end(varied_claims, settings):
    settings.EXPORT_CHUNK_SIZE = 4
    seen = []

    list(export_chunks("csv", published_claims(), on_progress=seen.append))

    total = len(varied_claims)
    assert seen == [*range(4, total + 1, 4), *([total] if total % 4 else [])]


def test_claimant_types_follow_the_python_pattern(db):
    for claimant in CLAIMANTS:
        published_claim(claimant=claimant)

    assert postgresql_bytes("claimreview", published_claims()) == python_bytes(
        "claimreview", published_claims()
    )


def test_the_python_path_reports_progress_per_batch_and_at_the_end(varied_claims, settings):
    # What SQLite runs (`make run` without DATABASE_URL), here on PostgreSQL's rows.
    settings.EXPORT_CHUNK_SIZE = 4
    seen = []

    body = b"".join(rendered_chunks("jsonl", published_claims(), on_progress=seen.append))

    total = len(varied_claims)
    assert seen == [*range(4, total + 1, 4), *([total] if total % 4 else [])]
    assert body == python_bytes("jsonl", published_claims())
