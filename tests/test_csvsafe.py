"""Every CSV the tool serves goes through annotations.csvsafe, which escapes formula cells."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.db import connection

from annotations.csvsafe import csv_line, escape_cell, escape_cell_sql

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("  @SUM(A1)", "'  @SUM(A1)"),
        ("-2", "'-2"),
        ("\t=x", "'\t=x"),
        ("＝HYPERLINK()", "'＝HYPERLINK()"),
        ("plain, with a comma", "plain, with a comma"),
        (-1, "-1"),
        (None, ""),
    ],
)
def test_csv_line_escapes_every_formula_cell(cell, written):
    [row] = list(csv.reader(io.StringIO(csv_line(["id", cell]))))

    assert row == ["id", written]


def test_no_csv_is_written_outside_the_helper():
    writers = re.compile(r"\bcsv\.(writer|DictWriter)\(")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("annotations", "frontend", "factcheck")
        for path in (ROOT / folder).rglob("*.py")
        if writers.search(path.read_text()) and path.name != "csvsafe.py"
    ]

    assert offenders == []


@pytest.mark.parametrize(
    "cell",
    ["=1+1", "  @SUM(A1)", " x", "-2", "\t=x", "\r=x", "＋1", "'quoted", "a = b", "", "  ", None],
)
def test_postgresql_escapes_a_cell_as_python_does(db, cell):
    # The exports built by COPY escape their cells in SQL (annotations/exporting/pgformats.py).
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {escape_cell_sql('%s::text')}", [cell] * 3)
        [escaped] = cursor.fetchone()

    assert escaped == escape_cell(cell)
