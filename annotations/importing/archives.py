"""ZIP archives: each entry imported by its own format, within limits on entries and size."""

import zipfile
from collections.abc import Iterator
from typing import IO

from . import formats
from .formats import MB, SAMPLE_BYTES, InputError, Item, Limits, detect_format


def parse_zip(stream: IO[bytes], *, limits: Limits) -> Iterator[Item]:
    """Each file of a ZIP in order, by its own format; limits on entries and unpacked size."""
    try:
        archive = zipfile.ZipFile(stream)
    except zipfile.BadZipFile as exc:
        raise InputError(f"Not a readable ZIP archive ({exc}).") from exc
    infos = archive.infolist()
    if len(infos) > limits.zip_max_entries:
        raise InputError(
            f"The ZIP holds {len(infos)} entries; the limit is {limits.zip_max_entries}."
        )
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limits.zip_max_bytes:
        raise InputError(
            f"The ZIP would unpack to {unpacked / MB:,.1f} MB, over the "
            f"{limits.zip_max_bytes / MB:g} MB limit (a possible zip bomb); refused."
        )
    for info in infos:
        name = info.filename
        if info.is_dir() or name.startswith("__MACOSX/") or name.rsplit("/", 1)[-1][:1] == ".":
            continue
        try:
            with archive.open(info) as entry:
                head = entry.read(SAMPLE_BYTES)
            fmt = detect_format(name, head)
            if fmt == "zip":
                raise InputError("Archives inside archives are not imported.")
            # ZipExtFile seeks by re-reading; a fresh handle per entry keeps it simple.
            with archive.open(info) as entry:
                for item in formats.parse(entry, fmt=fmt, limits=limits):
                    item.ref = {"file": name, **item.ref}
                    yield item
        except InputError as exc:
            yield Item({"file": name}, error=str(exc))
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            yield Item({"file": name}, error=f"Could not unpack this entry ({exc}).")
