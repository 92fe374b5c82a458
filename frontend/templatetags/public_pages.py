"""Template filters of the public pages."""

from datetime import datetime, timedelta

from django import template
from django.utils.dateparse import parse_datetime

register = template.Library()


@register.filter
def as_datetime(value: str | datetime | None) -> datetime | None:
    """An ISO 8601 text of the export records as a datetime, for the `date` filter."""
    if value is None or isinstance(value, datetime):
        return value
    return parse_datetime(value)


@register.filter
def duration_words(value: timedelta | None) -> str:
    """A lockout's length in words: "1 hour", "30 minutes"."""
    if not value:
        return ""
    minutes = round(value.total_seconds() / 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
