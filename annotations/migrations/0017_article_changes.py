"""The reviewer's page's version: PostgreSQL notes every statement that changes what it shows.

`ArticleChange` gets a row per statement and article (statement-level triggers with transition
tables, so a COPY of thousands of sentences adds one row per article, not one per sentence):
the page of an article is cached by its number of rows (annotations.api.reader). Triggers, not
calls in the services, so no write path can forget; PostgreSQL only (on SQLite the page is not
cached).
"""

from django.conf import settings
from django.db import migrations, models

# Each function reads the statement's transition tables (`new_rows`, `old_rows`) in static SQL,
# so PL/pgSQL keeps its plans (a dynamic EXECUTE was planned anew on every statement).
FUNCTIONS_SQL = """
CREATE FUNCTION annotations_note_own_article() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO annotations_articlechange (article_id)
            SELECT DISTINCT article_id FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO annotations_articlechange (article_id)
            SELECT DISTINCT article_id FROM old_rows;
    ELSE
        INSERT INTO annotations_articlechange (article_id)
            SELECT article_id FROM new_rows UNION SELECT article_id FROM old_rows;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION annotations_note_claims_article() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO annotations_articlechange (article_id)
            SELECT DISTINCT c.article_id FROM new_rows AS r
            JOIN annotations_claim AS c ON c.id = r.claim_id;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO annotations_articlechange (article_id)
            SELECT DISTINCT c.article_id FROM old_rows AS r
            JOIN annotations_claim AS c ON c.id = r.claim_id;
    ELSE
        INSERT INTO annotations_articlechange (article_id)
            SELECT DISTINCT c.article_id
            FROM (SELECT claim_id FROM new_rows UNION SELECT claim_id FROM old_rows) AS r
            JOIN annotations_claim AS c ON c.id = r.claim_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION annotations_note_article() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO annotations_articlechange (article_id) SELECT id FROM new_rows;
    RETURN NULL;
END
$$;

CREATE FUNCTION annotations_note_user_names() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO annotations_articlechange (article_id) SELECT NULL WHERE EXISTS (
        SELECT 1 FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
        WHERE (n.username, n.first_name, n.last_name)
            IS DISTINCT FROM (o.username, o.first_name, o.last_name)
    );
    RETURN NULL;
END
$$;

CREATE FUNCTION annotations_note_ratings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO annotations_articlechange (article_id) SELECT NULL WHERE EXISTS (
        SELECT 1 FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
        WHERE (n.slug, n.label, n.value) IS DISTINCT FROM (o.slug, o.label, o.value)
    );
    RETURN NULL;
END
$$;
"""
ALL = ("INSERT", "UPDATE", "DELETE")
# table: (function, events). A user's name and a rating are shown on many articles: a change to
# them is noted once, for every article; deleting one in use changes (or is refused by) the rows
# that point at it.
TRIGGERS = {
    "annotations_article": ("annotations_note_article", ("UPDATE",)),
    "annotations_sentence": ("annotations_note_own_article", ALL),
    "annotations_articlerevision": ("annotations_note_own_article", ALL),
    "annotations_claim": ("annotations_note_own_article", ALL),
    "annotations_claim_sentences": ("annotations_note_claims_article", ALL),
    "annotations_verdict": ("annotations_note_claims_article", ALL),
    "auth_user": ("annotations_note_user_names", ("UPDATE",)),
    "annotations_rating": ("annotations_note_ratings", ("UPDATE",)),
}
FUNCTIONS = sorted({function for function, _ in TRIGGERS.values()})
TRANSITIONS = {
    "INSERT": "NEW TABLE AS new_rows",
    "UPDATE": "NEW TABLE AS new_rows OLD TABLE AS old_rows",
    "DELETE": "OLD TABLE AS old_rows",
}


def _triggers() -> list[tuple[str, str, str]]:
    """(name, table, CREATE TRIGGER statement) of every trigger."""
    return [
        (
            f"{table}_{event.lower()}_noted",
            table,
            f"CREATE TRIGGER {table}_{event.lower()}_noted AFTER {event} ON {table} "
            f"REFERENCING {TRANSITIONS[event]} FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        )
        for table, (function, events) in TRIGGERS.items()
        for event in events
    ]


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTIONS_SQL)
    for _, _, create in _triggers():
        schema_editor.execute(create)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, _ in _triggers():
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for function in FUNCTIONS:
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}()")


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0016_import_updates_revisions"),
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
