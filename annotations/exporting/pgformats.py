"""The export formats written by PostgreSQL: each claim's JSON or CSV line built by the query and
streamed by `COPY (SELECT ...) TO STDOUT`, so the job only writes bytes through.

Encoding in Python (a dict per record, orjson, the csv module) was most of an export's time; here
the database builds the same text from the same rows (`records.claim_rows`, the same filters) and
the same sources (`selectors.public_sources`). `formats.py` keeps the shapes, and the path SQLite
takes; tests/exporting/test_pgformats.py holds this module to the same bytes as that path.

Each claim is one COPY row. A batch of `EXPORT_CHUNK_SIZE` claims is one COPY (the connection is
busy while a COPY streams, so the job row is updated between them), its bounds found first by one
query over the filtered ids.
"""

from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import orjson
import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet

from annotations.csvsafe import escape_cell_sql
from annotations.models import Correction
from annotations.selectors import public_sources

from .formats import _ORGANISATION_WORDS, FORMATS, organisation
from .records import _claim_url_template, _iso_text, _ratings_url, claim_rows

# What Python's str.strip() strips (every character with str.isspace()): a person's name is
# written as `f"{first} {last}".strip()`.
PYTHON_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


@dataclass(frozen=True)
class _Text:
    """Literal output text (a piece of JSON written as is)."""

    text: str


# A piece of a line: literal text, or an SQL expression of type text that is never NULL.
Piece = _Text | str


def _quote(text: str) -> str:
    return psycopg.sql.quote(text, connection.connection)


def _concat(pieces: list[Piece]) -> str:
    """One SQL text expression writing `pieces` in order (one concat() call: one allocation)."""
    merged: list[Piece] = []
    for piece in pieces:
        if isinstance(piece, _Text) and merged and isinstance(merged[-1], _Text):
            merged[-1] = _Text(merged[-1].text + piece.text)
        else:
            merged.append(piece)
    args = [_quote(p.text) if isinstance(p, _Text) else p for p in merged]
    if len(args) > 100:  # FUNC_MAX_ARGS
        raise ValueError("An export line needs more than 100 pieces: split it.")
    return f"concat({', '.join(args)})"


def _json(value: Any) -> list[Piece]:
    """A constant, as orjson writes it."""
    return [_Text(orjson.dumps(value).decode())]


def _string(expression: str) -> list[Piece]:
    """An SQL value as JSON; PostgreSQL escapes strings as orjson does (control characters)."""
    return [f"COALESCE(to_json({expression})::text, 'null')"]


def _number(expression: str) -> list[Piece]:
    return [f"COALESCE(({expression})::text, 'null')"]


def _object(*members: tuple[Any, ...]) -> list[Piece]:
    """A JSON object of `(key, pieces)` members in order; `(key, pieces, condition)` is written
    only where the SQL condition holds (as the Python shapes leave a key out)."""
    pieces: list[Piece] = [_Text("{")]
    for index, (key, value, *when) in enumerate(members):
        head = _Text(("," if index else "") + orjson.dumps(key).decode() + ":")
        if when:
            if not index:
                raise ValueError("The first member of an object is always written.")
            pieces.append(f"CASE WHEN {when[0]} THEN {_concat([head, *value])} ELSE '' END")
        else:
            pieces += [head, *value]
    pieces.append(_Text("}"))
    return pieces


def _array(*elements: list[Piece]) -> list[Piece]:
    pieces: list[Piece] = [_Text("[")]
    for index, element in enumerate(elements):
        pieces += [_Text(",")] if index else []
        pieces += element
    return [*pieces, _Text("]")]


@dataclass(frozen=True)
class _Sql:
    """SQL text expressions over the row `r` (the columns of `records.claim_rows`), as the
    functions of `records.py` and `formats.py` compute them in Python."""

    sources_from: str  # FROM clause of the visible sources of claim r.id
    corrections_from: str

    def claim_url(self, claim_id: str) -> str:
        prefix, suffix = _claim_url_template(settings.PUBLIC_BASE_URL).split("{}")
        return f"concat({_quote(prefix)}, {claim_id}, {_quote(suffix)})"

    def ratings_url(self) -> str:
        url = _quote(_ratings_url(settings.PUBLIC_BASE_URL))
        return (
            f"CASE WHEN COALESCE(r.rating_slug, '') = '' THEN {url} "
            f"ELSE concat({url}, '#', r.scale_slug, '-', r.rating_slug) END"
        )

    def same_as(self) -> str:
        return (
            "CASE WHEN r.same_as_id IS NOT NULL AND r.same_as_status = 'published' "
            f"AND NOT r.same_as_hidden THEN {self.claim_url('r.same_as_id')} "
            "ELSE NULLIF(r.same_as_external_url, '') END"
        )

    def person(self, role: str) -> str:
        username = f"r.{role}_username"
        mode = settings.PUBLIC_SHOW_PEOPLE
        if mode == "none":
            return "NULL::text"
        if mode == "username":
            return username
        whitespace = _quote(PYTHON_WHITESPACE)
        full = f"btrim(concat(r.{role}_first_name, ' ', r.{role}_last_name), {whitespace})"
        return (
            f"CASE WHEN {username} IS NULL THEN NULL "
            f"ELSE COALESCE(NULLIF({full}, ''), {username}) END"
        )

    def claim_text(self) -> str:
        return "COALESCE(NULLIF(r.text, ''), r.quote_exact)"

    def published_at(self) -> str:
        return "COALESCE(r.approved_at, r.claim_published_at)"

    def claimant_type(self) -> str:
        # The Python pattern itself: `\b` is a word boundary there and `\y` in PostgreSQL.
        pattern = _ORGANISATION_WORDS.pattern.replace(r"\b", r"\y")
        return f"CASE WHEN r.claimant ~* {_quote(pattern)} THEN 'Organization' ELSE 'Person' END"

    def sources_json(self) -> str:
        source = _object(
            ("url", _string("so.url")),
            ("title", _string("so.title")),
            ("publisher", _string("so.publisher")),
            ("quote", _string("so.quote")),
            ("stance", _string("so.stance")),
        )
        return (
            f"(SELECT COALESCE('[' || string_agg({_concat(source)}, ',' "
            f"ORDER BY so.created_at, so.id) || ']', '[]') {self.sources_from})"
        )

    def corrections_json(self) -> str:
        correction = _object(
            ("kind", _string("co.kind")),
            ("note", _string("co.note")),
            ("created_at", _string("co.created")),
        )
        return (
            f"(SELECT COALESCE('[' || string_agg({_concat(correction)}, ',' "
            f"ORDER BY co.created_at, co.id) || ']', '[]') {self.corrections_from})"
        )

    def source_urls(self) -> str:
        return (
            f"(SELECT string_agg(so.url, E'\\n' ORDER BY so.created_at, so.id) {self.sources_from})"
        )

    def correction_lines(self) -> str:
        return (
            "(SELECT string_agg(concat(co.kind, ': ', co.note), E'\\n' "
            f"ORDER BY co.created_at, co.id) {self.corrections_from})"
        )


def _feed_item(q: _Sql) -> list[Piece]:
    """`records.feed_item`: a JSON Lines line."""
    return _object(
        ("id", _number("r.id")),
        ("url", _string(q.claim_url("r.id"))),
        (
            "claim",
            _object(
                ("quote", _string("r.quote_exact")),
                ("text", _string(q.claim_text())),
                ("claimant", _string("r.claimant")),
                ("language", _string("r.language")),
                ("start", _number("r.claim_start")),
                ("end", _number("r.claim_end")),
            ),
        ),
        (
            "article",
            _object(
                ("id", _number("r.article_id")),
                ("title", _string("r.article_title")),
                ("url", _string("r.article_url")),
                ("publisher", _string("r.article_publisher")),
                ("published_at", _string("r.article_published_at")),
            ),
        ),
        (
            "rating",
            _object(
                ("slug", _string("r.rating_slug")),
                ("label", _string("r.rating_label")),
                ("value", _number("r.rating_value")),
                ("best", _number("r.best_rating")),
                ("worst", _number("r.worst_rating")),
                ("scale", _string("r.scale_slug")),
                ("url", _string(q.ratings_url())),
            ),
        ),
        ("explanation", _string("r.explanation")),
        ("same_as", _string(q.same_as())),
        ("sources", [q.sources_json()]),
        ("corrections", [q.corrections_json()]),
        ("reviewer", _string(q.person("reviewer"))),
        ("editor", _string(q.person("editor"))),
        ("created_at", _string("r.claim_created_at")),
        ("published_at", _string(q.published_at())),
        ("updated_at", _string("r.modified_at")),
    )


def _claimreview(q: _Sql) -> list[Piece]:
    """`formats.claimreview`."""
    url = q.claim_url("r.id")
    rating = _object(
        ("@type", _json("Rating")),
        ("alternateName", _string("r.rating_label")),
        ("ratingValue", _number("r.rating_value"), "r.rating_value IS NOT NULL"),
        ("bestRating", _number("r.best_rating"), "r.rating_value IS NOT NULL"),
        ("worstRating", _number("r.worst_rating"), "r.rating_value IS NOT NULL"),
    )
    appearance = _object(
        ("@type", _json("CreativeWork")),
        ("headline", _string("r.article_title")),
        ("url", _string("r.article_url"), "r.article_url <> ''"),
        (
            "publisher",
            _object(("@type", _json("Organization")), ("name", _string("r.article_publisher"))),
            "r.article_publisher <> ''",
        ),
        ("datePublished", _string("r.article_published_at"), "r.article_published_at <> ''"),
    )
    claim = _object(
        ("@type", _json("Claim")),
        ("appearance", appearance),
        (
            "author",
            _object(("@type", _string(q.claimant_type())), ("name", _string("r.claimant"))),
            "r.claimant <> ''",
        ),
        ("datePublished", _string("r.article_published_at"), "r.article_published_at <> ''"),
        ("sameAs", _string(q.same_as()), f"({q.same_as()}) IS NOT NULL"),
    )
    return _object(
        ("@context", _json("https://schema.org")),
        ("@type", _json("ClaimReview")),
        ("@id", _string(f"concat({url}, '#claimreview')")),
        ("url", _string(url)),
        ("claimReviewed", _string(q.claim_text())),
        ("datePublished", _string(q.published_at())),
        ("dateModified", _string("r.modified_at")),
        ("inLanguage", _string("r.language")),
        ("author", _json(organisation())),
        ("reviewRating", rating),
        ("reviewBody", _string("r.explanation")),
        ("itemReviewed", claim),
    )


def _webannotation(q: _Sql) -> list[Piece]:
    """`formats.webannotation`, without the @context the collection gives."""
    url = q.claim_url("r.id")
    org = settings.FACTCHECK_ORGANIZATION
    language = _string("r.language")
    linking = _object(
        ("type", _json("SpecificResource")),
        ("purpose", _json("linking")),
        ("source", _string(q.same_as())),
    )
    body = _array(
        _object(
            ("type", _json("TextualBody")),
            ("purpose", _json("assessing")),
            ("value", _string("r.explanation")),
            ("format", _json("text/plain")),
            ("language", language),
        ),
        _object(
            ("type", _json("TextualBody")),
            ("purpose", _json("tagging")),
            ("value", _string("r.rating_label")),
            ("language", language),
        ),
        _object(
            ("type", _json("SpecificResource")),
            ("purpose", _json("classifying")),
            ("source", _string(q.ratings_url())),
        ),
    )
    # "Same claim as": a fourth body, only when there is an earlier fact-check to link.
    body[-1:] = [
        f"CASE WHEN ({q.same_as()}) IS NOT NULL THEN {_concat([_Text(','), *linking])} ELSE '' END",
        _Text("]"),
    ]
    source = "COALESCE(NULLIF(r.article_url, ''), concat('urn:x-factcheck:article:', r.article_id))"
    return _object(
        ("id", _string(f"concat({url}, '#annotation')")),
        ("type", _json("Annotation")),
        ("motivation", _json("assessing")),
        ("created", _string("r.claim_created_at")),
        ("modified", _string("r.modified_at")),
        ("creator", _json({"type": "Organization", "name": org["name"], "homepage": org["url"]})),
        ("canonical", _string(url)),
        ("body", body),
        (
            "target",
            _object(
                ("source", _string(source)),
                (
                    "selector",
                    _array(
                        _object(
                            ("type", _json("TextQuoteSelector")),
                            ("exact", _string("r.quote_exact")),
                            ("prefix", _string("r.quote_prefix")),
                            ("suffix", _string("r.quote_suffix")),
                        ),
                        _object(
                            ("type", _json("TextPositionSelector")),
                            ("start", _number("r.claim_start")),
                            ("end", _number("r.claim_end")),
                        ),
                    ),
                ),
            ),
        ),
    )


def _csv_cells(q: _Sql) -> list[tuple[str, bool]]:
    """`formats.csv_row`: (SQL expression, is text) in `CSV_COLUMNS` order."""
    return [
        ("r.id", False),
        (q.claim_url("r.id"), True),
        ("r.quote_exact", True),
        (q.claim_text(), True),
        ("r.claimant", True),
        ("r.language", True),
        ("r.article_title", True),
        ("r.article_url", True),
        ("r.article_publisher", True),
        ("r.article_published_at", True),
        ("r.rating_slug", True),
        ("r.rating_label", True),
        ("r.rating_value", False),
        ("r.best_rating", False),
        ("r.worst_rating", False),
        ("r.explanation", True),
        (q.source_urls(), True),
        (q.correction_lines(), True),
        (q.person("reviewer"), True),
        (q.person("editor"), True),
        ("r.claim_created_at", True),
        (q.published_at(), True),
        ("r.modified_at", True),
        (q.same_as(), True),
    ]


_LINES = {"jsonl": _feed_item, "claimreview": _claimreview, "webannotation": _webannotation}


def _compiled(queryset: QuerySet[Any]) -> str:
    """The queryset's SQL with its parameters in it (COPY takes no bound parameters)."""
    sql, params = queryset.query.sql_with_params()
    return psycopg.ClientCursor(connection.connection).mogrify(sql, params)


def _copy_statement(format: str, claims: QuerySet[Any]) -> tuple[str, str]:
    """The COPY of `claims` in `format`, and the COPY format it is read in.

    Every value in it is quoted by psycopg (`_quote`, `_compiled`) or is an int; the text around
    them is ours (S608 cannot see that, hence its noqa).
    """
    sources = public_sources().values(
        "claim_id", "id", "url", "title", "publisher", "quote", "stance", "created_at"
    )
    corrections = Correction.objects.values(
        "claim_id", "id", "kind", "note", "created_at", created=_iso_text("created_at")
    )
    q = _Sql(
        sources_from=f"FROM ({_compiled(sources.order_by())}) so WHERE so.claim_id = r.id",
        corrections_from=f"FROM ({_compiled(corrections.order_by())}) co WHERE co.claim_id = r.id",
    )
    rows = f"({_compiled(claim_rows(claims))}) r"
    if format == "csv":
        # The cells are computed once in a subquery (its ORDER BY keeps PostgreSQL from inlining
        # it), then escaped; an empty text cell is written as NULL, which COPY leaves empty as
        # the csv module does (an empty string it would quote).
        cells = _csv_cells(q)
        inner = ", ".join(f"{sql} AS c{i}" for i, (sql, _) in enumerate(cells))
        outer = ", ".join(
            f"NULLIF({escape_cell_sql(f'c.c{i}')}, '')" if text else f"c.c{i}"
            for i, (_, text) in enumerate(cells)
        )
        select = f"SELECT {outer} FROM (SELECT {inner} FROM {rows} ORDER BY r.id) c ORDER BY c.c0"  # noqa: S608
        return f"COPY ({select}) TO STDOUT (FORMAT csv)", "csv"
    # Each line ends with the separator's comma, if any (COPY adds the newline).
    separator = FORMATS[format].separator.decode().removesuffix("\n")
    line = _concat([*_LINES[format](q), _Text(separator)])
    select = f"SELECT {line} FROM {rows} ORDER BY r.id"  # noqa: S608
    # CSV with a delimiter and a quote character that JSON never holds unescaped: COPY writes
    # each line exactly as built (its text format would double every backslash).
    return f"COPY ({select}) TO STDOUT (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02')", "json"


def _batch_bounds(claims: QuerySet[Any], size: int) -> list[int]:
    """The id of every `size`-th claim: batches of `size` claims in id order, found in one query."""
    ids = _compiled(claims.order_by().values("id"))
    with connection.cursor() as cursor:
        # No bound parameters: the filters' values are in `ids`, a % in them must stay one.
        cursor.execute(
            "SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n "  # noqa: S608
            f"FROM ({ids}) ids) numbered WHERE n % {int(size)} = 0 ORDER BY id"
        )
        return [row[0] for row in cursor.fetchall()]


# A batch is at most EXPORT_CHUNK_SIZE claims in a range of ids: nested loops over primary keys
# are its plan. PostgreSQL's default costs chose hash joins over whole scans of the verdicts and
# articles instead, once a batch, which makes an export quadratic: at 100,000 claims a batch of
# 2,000 took 340-460 ms that way and 110-150 ms with nested loops (EXPLAIN ANALYZE, 2026-12-02,
# busy machine). Nor are parallel workers worth starting for a batch.
_BATCH_PLAN = (
    "SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', "
    "true), set_config('max_parallel_workers_per_gather', '0', true)"
)


def _copy_rows(statement: str) -> list[memoryview]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_BATCH_PLAN)  # for this transaction only
        # Logged like any query (DEBUG, django_assert_num_queries), errors as Django's.
        logged = getattr(cursor, "debug_sql", None)
        with (
            connection.wrap_database_errors,
            logged(statement) if logged else nullcontext(),
            cursor.cursor.copy(statement) as copy,
        ):
            return list(copy)


def export_chunks(
    format: str, claims: QuerySet[Any], *, on_progress: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    """The whole file of an export of `claims` in `format`, built by PostgreSQL, in chunks.

    `on_progress` gets the number of claims written after each batch and at the end.
    """
    spec = FORMATS[format]
    size = settings.EXPORT_CHUNK_SIZE
    connection.ensure_connection()
    bounds = _batch_bounds(claims, size)
    yield spec.head()
    written = 0
    reported = None
    for low, high in zip([None, *bounds], [*bounds, None], strict=True):
        batch = claims
        if low is not None:
            batch = batch.filter(id__gt=low)
        if high is not None:
            batch = batch.filter(id__lte=high)
        statement, copy_format = _copy_statement(format, batch)
        rows = _copy_rows(statement)
        if not rows:
            continue
        if copy_format == "csv":
            # COPY ends a line with \n, the csv module (RFC 4180) with \r\n.
            block = b"\r\n".join(row[:-1] for row in rows) + b"\r\n"
        elif spec.separator:
            # Lines end with the separator: the last one's goes before the next batch instead.
            block = b"".join(rows)[: -len(spec.separator)]
            block = spec.separator + block if written else block
        else:
            block = b"".join(rows)
        written += len(rows)
        yield block
        if on_progress:
            on_progress(written)
            reported = written
    if on_progress and reported != written:
        on_progress(written)
    yield spec.tail
