"""CSV that is safe to open in a spreadsheet: the one place the tool writes CSV.

A cell starting with `=`, `+`, `-` or `@` is run as a formula by Excel, LibreOffice and Google
Sheets (`=HYPERLINK(...)` leaks data on a click, DDE runs programs), and imported text, article
titles and ZIP entry names are anyone's to choose. Every CSV the tool serves (the export and
the feed's csv, an import's error report) writes its lines through `csv_line`.
"""

import csv
import io
from collections.abc import Iterable
from typing import Any

# OWASP's list of cell openings that spreadsheets evaluate, plus their full-width forms, which
# some spreadsheet programs fold to the ASCII ones.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def escape_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula.

    Only strings are escaped (numbers such as a rating of -1 stay numbers); a leading quote is
    what OWASP recommends and what spreadsheets hide when they display the cell.
    """
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_line(cells: Iterable[Any]) -> str:
    """One CSV line (RFC 4180 quoting, `\\r\\n` at the end) of these cells, each escaped."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([escape_cell(cell) for cell in cells])
    return buffer.getvalue()


def escape_cell_sql(expression: str) -> str:
    """PostgreSQL's twin of `escape_cell` for a text `expression` (exports built by COPY).

    The same triggers after the same leading spaces; NULL stays NULL.
    """
    triggers = ", ".join("'" + trigger.replace("'", "''") + "'" for trigger in FORMULA_TRIGGERS)
    return (
        f"CASE WHEN left(ltrim({expression}, ' '), 1) IN ({triggers}) "
        f"THEN '''' || {expression} ELSE {expression} END"
    )
