"""Moderation: the audit table becomes append-only in PostgreSQL.

A trigger refuses UPDATE and DELETE on annotations_auditevent, so even raw SQL (a shell, a
script, another service on the database) cannot rewrite the trail; the model and its queryset
already refuse through the ORM. TRUNCATE is left alone on purpose: Django's test runner empties
tables with it between transactional tests. SQLite (the laptop default) gets no trigger.

(The Moderator group's view permissions are granted after every migrate and flush by a
post_migrate receiver, `annotations.moderation.grant_moderator_views`.)
"""

from django.db import migrations

APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION annotations_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'annotations_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS annotations_auditevent_append_only ON annotations_auditevent;
CREATE TRIGGER annotations_auditevent_append_only
    BEFORE UPDATE OR DELETE ON annotations_auditevent
    FOR EACH ROW EXECUTE FUNCTION annotations_auditevent_append_only();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS annotations_auditevent_append_only ON annotations_auditevent;
DROP FUNCTION IF EXISTS annotations_auditevent_append_only();
"""


def make_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_SQL, params=None)  # a literal % in it


def drop_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0002_groups_and_default_scale"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [
        migrations.RunPython(make_append_only, drop_append_only),
    ]
