"""Claim search by trigram indexes: pg_trgm, and a GIN index on UPPER(column) gin_trgm_ops for
each column the admin and the API search (annotations.search.CLAIM_SEARCH_FIELDS).

UPPER(column) is the expression Django's `icontains` compares on PostgreSQL
(`UPPER(col::text) LIKE UPPER('%word%')`), so these indexes serve it as written; an index on
the bare column would not. PostgreSQL only: elsewhere (SQLite) search stays a scan.
"""

from django.db import migrations

INDEXES = {
    "annotations_claim_quote_exact_trgm": "quote_exact",
    "annotations_claim_text_trgm": "text",
    "annotations_claim_claimant_trgm": "claimant",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # A trusted extension: the database's owner may create it. Going back leaves it installed,
    # as something else may have come to use it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON annotations_claim "
            f'USING gin (UPPER("{column}") gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("annotations", "0009_frozen_versions_and_contributors")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
