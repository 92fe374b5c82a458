"""Moderation: the audit table becomes append-only in PostgreSQL, and moderators get read access.

1. A trigger refuses UPDATE and DELETE on annotations_auditevent, so even raw SQL (a shell, a
   script, another service on the database) cannot rewrite the trail; the model and its queryset
   already refuse through the ORM. TRUNCATE is left alone on purpose: Django's test runner empties
   tables with it between transactional tests. SQLite (the laptop default) gets no trigger.
2. The Moderator group gets the `view_*` permissions of what it polices (content, flags,
   corrections, the audit trail, users). Its actions (hide, dismiss, retract, deactivate) are
   checked by role in annotations.moderation, not by `change_*` permissions, so moderators
   cannot edit a verdict's or a claim's content through the admin's forms.
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

MODERATOR_VIEWS = {
    "annotations": (
        "article",
        "sentence",
        "claim",
        "source",
        "comment",
        "verdict",
        "correction",
        "flag",
        "auditevent",
    ),
    "auth": ("user", "group"),
}


def make_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_SQL, params=None)  # a literal % in it


def drop_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL, params=None)


def grant_moderator_views(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations (post_migrate); create them now so
    # the grant works on a fresh database too.
    for app_label in MODERATOR_VIEWS:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    moderator, _ = Group.objects.get_or_create(name="Moderator")
    for app_label, models in MODERATOR_VIEWS.items():
        moderator.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label,
                codename__in=[f"view_{model}" for model in models],
            )
        )


def revoke_moderator_views(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    moderator = Group.objects.filter(name="Moderator").first()
    if moderator is None:
        return
    for app_label, models in MODERATOR_VIEWS.items():
        moderator.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label=app_label,
                codename__in=[f"view_{model}" for model in models],
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0002_groups_and_default_scale"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [
        migrations.RunPython(make_append_only, drop_append_only),
        migrations.RunPython(grant_moderator_views, revoke_moderator_views),
    ]
