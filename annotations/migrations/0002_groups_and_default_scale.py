"""The roles as groups, and the default rating scale (5 numeric ratings and 2 outside the range)."""

from django.db import migrations

GROUPS = ("Reviewer", "Editor", "Moderator")

DEFAULT_SCALE = {
    "slug": "default",
    "name": "Truth scale",
    "description": "Five steps from true to false, and two ratings outside the numeric range.",
    "best_rating": 5,
    "worst_rating": 1,
}
RATINGS = [
    ("true", "True", 5, "The claim is accurate and nothing significant is missing."),
    ("mostly-true", "Mostly true", 4, "Accurate, but needs clarification or more context."),
    ("half-true", "Half true", 3, "Partially accurate; leaves out important details."),
    ("mostly-false", "Mostly false", 2, "Contains an element of truth but ignores critical facts."),
    ("false", "False", 1, "The claim is not accurate."),
    ("misleading", "Misleading", None, "Accurate facts presented to give a false impression."),
    ("unverifiable", "Unverifiable", None, "No reliable evidence exists to confirm or refute it."),
]


def create(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    RatingScale = apps.get_model("annotations", "RatingScale")
    Rating = apps.get_model("annotations", "Rating")
    for name in GROUPS:
        Group.objects.get_or_create(name=name)
    scale, _ = RatingScale.objects.get_or_create(
        slug=DEFAULT_SCALE["slug"], defaults={**DEFAULT_SCALE, "is_default": True}
    )
    for position, (slug, label, value, description) in enumerate(RATINGS):
        Rating.objects.get_or_create(
            scale=scale,
            slug=slug,
            defaults={
                "label": label,
                "value": value,
                "description": description,
                "position": position,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("annotations", "RatingScale").objects.filter(slug="default").delete()
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(create, remove)]
