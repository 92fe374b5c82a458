"""Template filters and tags of the pages: dates of the export records, durations in words, the
default scale's wording in the reader's language, and HTML captured for a translated sentence."""

from datetime import datetime, timedelta

from django import template
from django.template.base import Parser, Token
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext

from annotations.defaults import translated_default

register = template.Library()


@register.filter
def as_datetime(value: str | datetime | None) -> datetime | None:
    """An ISO 8601 text of the export records as a datetime, for the `date` filter."""
    if value is None or isinstance(value, datetime):
        return value
    return parse_datetime(value)


@register.filter
def duration_words(value: timedelta | None) -> str:
    """A lockout's length in words: "1 hour", "30 minutes" (in the active language)."""
    if not value:
        return ""
    minutes = round(value.total_seconds() / 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


@register.filter
def translated(value: str | None) -> str:
    """A word of the default rating scale (stored in English) in the active language; any other
    text (a scale an editor wrote) as it is."""
    return translated_default(value or "")


class CaptureNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str) -> None:
        self.nodelist, self.name = nodelist, name

    def render(self, context: template.Context) -> str:
        # Already rendered, so already escaped: safe to put inside {% blocktranslate %}.
        context[self.name] = mark_safe(self.nodelist.render(context))  # noqa: S308
        return ""


@register.tag
def capture_as(parser: Parser, token: Token) -> CaptureNode:
    """`{% capture_as name %}<time>…</time>{% endcapture_as %}`: a piece of HTML as a variable,
    so one translated sentence can hold links and dates ({% blocktranslate %} takes no tags)."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("capture_as takes one variable name.")
    nodelist = parser.parse(("endcapture_as",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[1])
