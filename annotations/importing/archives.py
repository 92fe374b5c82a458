"""ZIP archives: each entry imported by its own format, within budgets measured while unpacking.

A 20 KB archive may hold an entry of 20 MB of one-character lines, and a parser fed those spends
an hour reporting each line as an error. So before an entry is parsed it is unpacked once, into
nothing, counting: an entry that unpacks to more than `zip_max_ratio` times its packed size, or
past what remains of `zip_max_bytes` for the whole archive, is refused with its own error before
any of it is read as records, and the other entries still import. Sizes are measured, never
taken from the headers. Unpacking runs at hundreds of MB/s and stops at the budget, so refusing
a bomb takes milliseconds; an entry that passes is unpacked a second time to be parsed.
"""

import io
import zipfile
from collections.abc import Callable, Iterator
from typing import IO

from django.utils.translation import gettext_noop

from annotations.jobmessages import JobMessage, message_of

from .records import MB, InputError, Item, Limits

# Below this an entry's ratio says little (a short page of blank lines packs 100:1), so the
# ratio counts only past it; 64 KB of one-character lines is a few thousand errors at most.
RATIO_GRACE_BYTES = 64 * 1024
_CHUNK = 256 * 1024

EntryParser = Callable[..., Iterator[Item]]


class EntryRefused(Exception):
    """An entry unpacks past a budget; the message says which, for a person."""


def parse_zip(stream: IO[bytes], *, limits: Limits, parse_entry: EntryParser) -> Iterator[Item]:
    """Each file of a ZIP in order, parsed by `parse_entry(name, entry, limits=limits)`.

    Too many entries refuse the archive whole; the unpacking budgets refuse one entry, as that
    entry's error (sizes are measured, never taken from the headers).
    """
    try:
        archive = zipfile.ZipFile(stream)
        infos = archive.infolist()
    except Exception as exc:  # BadZipFile, and NotImplementedError, ValueError... on damage
        raise InputError(
            JobMessage(
                gettext_noop("Not a readable ZIP archive (%(error)s)."),
                error=str(exc) or type(exc).__name__,
            )
        ) from exc
    if len(infos) > limits.zip_max_entries:
        raise InputError(
            JobMessage(
                gettext_noop("The ZIP holds %(entries)s entries; the limit is %(limit)s."),
                entries=len(infos),
                limit=limits.zip_max_entries,
            )
        )
    archive_size = stream.seek(0, io.SEEK_END)
    unpacked = 0
    for info in infos:
        name = info.filename
        # Not info.is_dir(): an entry with an empty name (a damaged archive) raised IndexError.
        if name.endswith("/") or name.startswith("__MACOSX/") or name.rsplit("/", 1)[-1][:1] == ".":
            continue
        try:
            size = _measure(
                archive,
                info,
                budget=limits.zip_max_bytes - unpacked,
                limits=limits,
                packed=min(info.compress_size, archive_size),
            )
            unpacked += size
            with archive.open(info) as entry:
                for item in parse_entry(name, entry, limits=limits):
                    item.ref = {"file": name, **item.ref}
                    yield item
        except (InputError, EntryRefused) as exc:
            yield Item({"file": name}, error=message_of(exc))
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
            # A damaged or encrypted entry, or a compression method Python lacks.
            yield Item({"file": name}, error=_not_unpacked(str(exc)))
        except Exception as exc:  # zlib.error and the like: this entry's, not the archive's
            yield Item({"file": name}, error=_not_unpacked(type(exc).__name__))


def _not_unpacked(reason: str) -> JobMessage:
    return JobMessage(gettext_noop("Could not unpack this entry (%(error)s)."), error=reason)


def _measure(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, budget: int, limits: Limits, packed: int
) -> int:
    """The entry's unpacked size, counted while unpacking; EntryRefused past a budget.

    `packed` is the entry's packed size, at most the archive's own: a header cannot make an
    entry look bigger than the file that holds it.
    """
    ratio_cap = max(limits.zip_max_ratio * max(packed, 1), RATIO_GRACE_BYTES)
    size = 0
    with archive.open(info) as entry:
        while chunk := entry.read(_CHUNK):
            size += len(chunk)
            if size > budget:
                raise EntryRefused(
                    JobMessage(
                        gettext_noop(
                            "This entry unpacks past the %(size)s MB limit for the archive's "
                            "unpacked contents; refused."
                        ),
                        size=f"{limits.zip_max_bytes / MB:g}",
                    )
                )
            if size > ratio_cap:
                raise EntryRefused(
                    JobMessage(
                        gettext_noop(
                            "This entry unpacks to more than %(ratio)s times its packed size "
                            "(%(packed)s bytes), a possible zip bomb; refused."
                        ),
                        ratio=limits.zip_max_ratio,
                        packed=packed,
                    )
                )
    return size
