"""Search documents move out of the article row, and the article and sentence tables lose the
indexes nothing queries: every index is paid for on each row an import inserts.

On PostgreSQL the documents of existing articles are built here and GIN-indexed; the expression
index of 0004 goes.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SEARCH_INDEX = "annotations_articlesearch_document_gin"
OLD_INDEX = "annotations_article_search_gin"


def build_documents(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Filled before the index is built: one CREATE INDEX beats an index insert per row.
    schema_editor.execute(
        "INSERT INTO annotations_articlesearch (article_id, document) "
        "SELECT id, to_tsvector('simple'::regconfig, title || ' ' || body) "
        "FROM annotations_article"
    )
    schema_editor.execute(
        f"CREATE INDEX {SEARCH_INDEX} ON annotations_articlesearch USING gin (document)"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")


def restore_expression_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON annotations_article USING gin ("
        "to_tsvector('simple'::regconfig, "
        "COALESCE(\"title\", '') || ' ' || COALESCE(\"body\", '')))"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0004_article_search_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ArticleSearch",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search",
                        serialize=False,
                        to="annotations.article",
                    ),
                ),
                ("document", django.contrib.postgres.search.SearchVectorField()),
            ],
        ),
        migrations.RemoveIndex(
            model_name="sentence",
            name="annotations_article_3f03c2_idx",
        ),
        migrations.AlterField(
            model_name="article",
            name="content_hash",
            field=models.CharField(editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="article",
            name="language",
            field=models.CharField(default="en", max_length=16),
        ),
        migrations.AlterField(
            model_name="article",
            name="publisher",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AlterField(
            model_name="article",
            name="assignee",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="assigned_articles",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="sentence",
            name="article",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="sentences",
                to="annotations.article",
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["publisher"], name="article_publisher_idx"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["language"], name="article_language_idx"),
        ),
        migrations.AddConstraint(
            model_name="article",
            constraint=models.UniqueConstraint(
                fields=("content_hash",), name="article_content_hash_unique"
            ),
        ),
        migrations.RunPython(build_documents, restore_expression_index),
    ]
