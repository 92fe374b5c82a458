"""A GIN index for the articles' full-text search, on PostgreSQL only.

The expression is exactly what `annotations.api.filters.article_search_vector()` compiles to, so
the planner uses the index for `?q=`; SQLite (the laptop default) has no tsvector and searches
with icontains instead.
"""

from django.db import migrations

INDEX = "annotations_article_search_gin"
CREATE = (
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON annotations_article USING gin ("
    "to_tsvector('simple'::regconfig, "
    "COALESCE(\"title\", '') || ' ' || COALESCE(\"body\", '')))"
)
DROP = f"DROP INDEX IF EXISTS {INDEX}"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("annotations", "0003_moderation")]
    operations = [migrations.RunPython(create_index, drop_index)]
