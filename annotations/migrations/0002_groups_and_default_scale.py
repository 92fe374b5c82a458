"""The roles as groups, and the default rating scale (5 numeric ratings and 2 outside the range)."""

from django.db import migrations

from annotations.defaults import GROUPS, ensure_defaults


def create(apps, schema_editor):
    ensure_defaults(apps)


def remove(apps, schema_editor):
    apps.get_model("annotations", "RatingScale").objects.filter(slug="default").delete()
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(create, remove)]
