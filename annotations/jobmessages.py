"""Messages a worker stores for people to read later (a job's errors), in the reader's language.

A worker has no request, so no language: it stores each message in English (`message`, what the
API always had) with its msgid and params, and whoever shows it (the API, the admin) translates
the msgid into the reader's language and fills in the params. A message stored before msgids
were kept, or one that quotes a library's text, has none and shows as stored.

    raise RecordError(JobMessage(gettext_noop('url "%(url)s" is not an http(s) URL.'), url=url))

The msgids are marked with `gettext_noop` where they are written, so `make messages` finds them.
"""

import contextlib
from collections.abc import Mapping
from typing import Any

from django.utils import formats
from django.utils.translation import gettext

Param = str | int | None


class JobMessage:
    """A msgid with its params; `str()` is the English text. A param may be a JobMessage (a
    nested reason, "%(url)s: %(error)s"), translated with the rest."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, /, **params: "Param | JobMessage") -> None:
        self.msgid = msgid
        self.params = params

    def __str__(self) -> str:
        # Numbers grouped as the English display groups them (`translate_stored`), so the stored
        # text is what an English reader sees; a number that must stay as typed (a setting's
        # value) is passed as text.
        return self.msgid % {
            name: f"{value:,}" if _is_number(value) else str(value)
            for name, value in self.params.items()
        }

    def __repr__(self) -> str:
        return f"JobMessage({self.msgid!r}, **{self.params!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, JobMessage):
            return (self.msgid, self.params) == (other.msgid, other.params)
        return NotImplemented

    def stored(self) -> dict[str, Any]:
        """The JSON kept for it: msgid and params (nested messages as such dicts)."""
        return {
            "msgid": self.msgid,
            "params": {
                name: value.stored() if isinstance(value, JobMessage) else value
                for name, value in self.params.items()
            },
        }

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any]) -> "JobMessage":
        """The message `stored()` kept (a fanned-out import's records wait in a chunk's row)."""
        return cls(
            stored["msgid"],
            **{
                name: cls.from_stored(value)
                if isinstance(value, Mapping) and "msgid" in value
                else value
                for name, value in (stored.get("params") or {}).items()
            },
        )


def message_of(exc: BaseException) -> "JobMessage | str":
    """What an exception raised with a JobMessage carries; its text for any other."""
    if exc.args and isinstance(exc.args[0], JobMessage):
        return exc.args[0]
    return str(exc)


def error_entry(ref: Mapping[str, Any], message: "JobMessage | str") -> dict[str, Any]:
    """A job error as stored: where (`file`, `line`, `record`, `claim`), the English `message`,
    and for a JobMessage its msgid and params."""
    entry = {**ref, "message": str(message)}
    if isinstance(message, JobMessage):
        entry.update(message.stored())
    return entry


def translate_stored(stored: Mapping[str, Any]) -> str:
    """A stored msgid and params in the active language; the params' numbers localised."""
    params = {
        name: translate_stored(value)
        if isinstance(value, Mapping) and "msgid" in value
        else _localised(value)
        for name, value in (stored.get("params") or {}).items()
    }
    return gettext(stored["msgid"]) % params


def _localised(value: Any) -> str:
    return formats.number_format(value) if _is_number(value) else str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def displayed(error: Mapping[str, Any]) -> dict[str, Any]:
    """A stored job error as a reader sees it: the message in the active language (the stored
    English one if it has no msgid or cannot be translated), where it happened, no msgid."""
    shown = {key: value for key, value in error.items() if key not in ("msgid", "params")}
    if "msgid" in error:
        # A msgid whose params changed since it was stored: the English text stands.
        with contextlib.suppress(KeyError, TypeError, ValueError):
            shown["message"] = translate_stored(error)
    return shown


def displayed_errors(errors: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every stored error of a job, as `displayed`."""
    return [displayed(error) for error in errors]
