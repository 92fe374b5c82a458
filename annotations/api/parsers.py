"""The API's JSON parser: a body nested too deeply is a 400, never a RecursionError's 500."""

from collections.abc import Iterable

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# No request of the API nests deeper than a few levels (a claim's sources, an import's list of
# URLs); 64 leaves room and keeps every later walk of the data (validation, rendering an error
# that quotes it) far from Python's recursion limit of 1000.
MAX_JSON_DEPTH = 64


class JSONParser(parsers.JSONParser):
    """DRF's JSONParser, but `{"a": [[[[...]]]]}` nested past MAX_JSON_DEPTH is a ParseError.

    The json module recurses once per level: 5,000 `[` raised RecursionError, which DRF does not
    turn into a ParseError (only ValueError), so every JSON endpoint answered 500.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(self._too_deep()) from error
        if _depth_exceeds(data, MAX_JSON_DEPTH):
            raise ParseError(self._too_deep())
        return data

    @staticmethod
    def _too_deep() -> str:
        return _("JSON parse error - nested deeper than %(depth)d levels.") % {
            "depth": MAX_JSON_DEPTH
        }


def _depth_exceeds(data: object, limit: int) -> bool:
    """Whether lists and objects in `data` nest deeper than `limit` (walked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children: Iterable[object]
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
