"""The rows every installation needs: the role groups and the default rating scale.

Created by migration 0002 and again after every `flush` (a post_migrate receiver in apps.py), so
a database emptied by tests or by an operator always has its roles and scale back.
"""

from django.utils.translation import gettext, gettext_noop

from annotations.roles import ALL as GROUPS

DEFAULT_SCALE = {
    "slug": "default",
    "name": gettext_noop("Truth scale"),
    "description": gettext_noop(
        "Five steps from true to false, and two ratings outside the numeric range."
    ),
    "best_rating": 5,
    "worst_rating": 1,
}
# Stored in English (the rows are data); shown in the reader's language by translated_default().
RATINGS = [
    (
        "true",
        gettext_noop("True"),
        5,
        gettext_noop("The claim is accurate and nothing significant is missing."),
    ),
    (
        "mostly-true",
        gettext_noop("Mostly true"),
        4,
        gettext_noop("Accurate, but needs clarification or more context."),
    ),
    (
        "half-true",
        gettext_noop("Half true"),
        3,
        gettext_noop("Partially accurate; leaves out important details."),
    ),
    (
        "mostly-false",
        gettext_noop("Mostly false"),
        2,
        gettext_noop("Contains an element of truth but ignores critical facts."),
    ),
    ("false", gettext_noop("False"), 1, gettext_noop("The claim is not accurate.")),
    (
        "misleading",
        gettext_noop("Misleading"),
        None,
        gettext_noop("Accurate facts presented to give a false impression."),
    ),
    (
        "unverifiable",
        gettext_noop("Unverifiable"),
        None,
        gettext_noop("No reliable evidence exists to confirm or refute it."),
    ),
]
# The default scale's words, which the catalogue translates; a scale an editor made is shown as
# it was typed.
DEFAULT_WORDING = frozenset(
    [DEFAULT_SCALE["name"], DEFAULT_SCALE["description"]]
    + [text for _slug, label, _value, description in RATINGS for text in (label, description)]
)


def translated_default(text: str) -> str:
    """A word of the default rating scale in the active language; other text unchanged."""
    return gettext(text) if text in DEFAULT_WORDING else text


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
