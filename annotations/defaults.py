"""The rows every installation needs: the role groups and the default rating scale.

Created by migration 0002 and again after every `flush` (a post_migrate receiver in apps.py), so
a database emptied by tests or by an operator always has its roles and scale back.
"""

from annotations.roles import ALL as GROUPS

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


def ensure_defaults(apps) -> None:
    """Create the groups and the default scale if missing (idempotent; historical `apps`)."""
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
