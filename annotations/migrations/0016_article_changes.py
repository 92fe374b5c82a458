"""The reviewer's page's version: PostgreSQL notes every statement that changes what it shows.

`ArticleChange` gets a row per statement and article (statement-level triggers with transition
tables, so a COPY of thousands of sentences adds one row per article, not one per sentence):
the page of an article is cached by its number of rows (annotations.api.reader). Triggers, not
calls in the services, so no write path can forget; PostgreSQL only (on SQLite the page is not
cached).
"""

from django.conf import settings
from django.db import migrations, models

# How the rows of a transition table (named by %I) lead to their article.
OWN_ARTICLE = "SELECT article_id FROM %I"
CLAIMS_ARTICLE = "SELECT c.article_id FROM %I AS r JOIN annotations_claim AS c ON c.id = r.claim_id"
ARTICLE_TABLES = {
    "annotations_article": ("SELECT id AS article_id FROM %I", ("UPDATE",)),
    "annotations_sentence": (OWN_ARTICLE, ("INSERT", "UPDATE", "DELETE")),
    "annotations_articlerevision": (OWN_ARTICLE, ("INSERT", "UPDATE", "DELETE")),
    "annotations_claim": (OWN_ARTICLE, ("INSERT", "UPDATE", "DELETE")),
    "annotations_claim_sentences": (CLAIMS_ARTICLE, ("INSERT", "UPDATE", "DELETE")),
    "annotations_verdict": (CLAIMS_ARTICLE, ("INSERT", "UPDATE", "DELETE")),
}
# Shown on many articles: a change of these columns is noted once, for every article. Deleting
# a user or a rating in use changes (or is refused by) the rows that point at it.
SHARED_TABLES = {
    "auth_user": ("username", "first_name", "last_name"),
    "annotations_rating": ("slug", "label", "value"),
}

FUNCTIONS_SQL = """
CREATE FUNCTION annotations_note_article_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed text;
BEGIN
    -- TG_ARGV[0] selects `article_id` from the transition table its %I names.
    IF TG_OP = 'INSERT' THEN
        changed := format(TG_ARGV[0], 'new_rows');
    ELSIF TG_OP = 'DELETE' THEN
        changed := format(TG_ARGV[0], 'old_rows');
    ELSE
        changed := format(TG_ARGV[0], 'new_rows') || ' UNION ' || format(TG_ARGV[0], 'old_rows');
    END IF;
    EXECUTE 'INSERT INTO annotations_articlechange (article_id) SELECT DISTINCT article_id FROM ('
        || changed || ') AS changed WHERE article_id IS NOT NULL';
    RETURN NULL;
END
$$;

CREATE FUNCTION annotations_note_shared_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- TG_ARGV[0]: a row-value expression over `n` and `o`, the same row after and before.
    EXECUTE 'INSERT INTO annotations_articlechange (article_id) SELECT NULL WHERE EXISTS ('
        || 'SELECT 1 FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id WHERE '
        || TG_ARGV[0] || ')';
    RETURN NULL;
END
$$;
"""

TRANSITIONS = {
    "INSERT": "NEW TABLE AS new_rows",
    "UPDATE": "NEW TABLE AS new_rows OLD TABLE AS old_rows",
    "DELETE": "OLD TABLE AS old_rows",
}


def _triggers() -> list[tuple[str, str, str]]:
    """(name, table, CREATE TRIGGER statement) of every trigger."""
    triggers = []
    for table, (select, events) in ARTICLE_TABLES.items():
        for event in events:
            name = f"{table}_{event.lower()}_noted"
            argument = select.replace("'", "''")
            triggers.append(
                (
                    name,
                    table,
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                    f"REFERENCING {TRANSITIONS[event]} FOR EACH STATEMENT "
                    f"EXECUTE FUNCTION annotations_note_article_change('{argument}')",
                )
            )
    for table, columns in SHARED_TABLES.items():
        name = f"{table}_update_noted"
        after = ", ".join(f"n.{column}" for column in columns)
        before = ", ".join(f"o.{column}" for column in columns)
        condition = f"({after}) IS DISTINCT FROM ({before})"
        triggers.append(
            (
                name,
                table,
                f"CREATE TRIGGER {name} AFTER UPDATE ON {table} "
                f"REFERENCING {TRANSITIONS['UPDATE']} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION annotations_note_shared_change('{condition}')",
            )
        )
    return triggers


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTIONS_SQL, params=None)  # a literal % in it
    for _, _, create in _triggers():
        schema_editor.execute(create, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, _ in _triggers():
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS annotations_note_article_change()")
    schema_editor.execute("DROP FUNCTION IF EXISTS annotations_note_shared_change()")


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0015_triagelearn_checkworthiness_model"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ArticleChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("article_id", models.BigIntegerField(blank=True, null=True)),
            ],
            options={
                "indexes": [models.Index(fields=["article_id"], name="article_change_article_idx")],
            },
        ),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
