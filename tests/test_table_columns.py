"""Tests for eqlang.data.table_columns: a plain table read as columns is exactly the table
eqlang's own reader gives (rows, lines, keys, the spans diagnostics point at), and any other
text is left to that reader."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eqlang.data import tables
from eqlang.data.lookalikes import lookalike_keys
from eqlang.data.table_columns import read_plain
from eqlang.data.tables import KEY_COLUMNS, TableSet, misspelled_keys, table_from_text
from eqlang.diagnostics import render_all
from eqlang.syntax.source import Span

HEADER = "org,measure,group,period,numerator,denominator\n"


def by_own_reader(text: str) -> tables.MeasureTable:
    """The table as eqlang's record reader gives it, never read as columns."""
    sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    checker = tables._Checker(tables._LazySource("t.csv", text, sha256))
    rows, spans, diagnostics = checker.run()
    assert not diagnostics
    origin = tables._Origin(checker.source, spans, checker.columns)
    return tables.MeasureTable("t.csv", sha256, tuple(rows), origin=origin,
                               index=checker.index)


def at(span: Span | None) -> tuple[int, int, int, int, str] | None:
    """Where a span points, and the text it shows."""
    if span is None:
        return None
    return span.start, span.end, span.line, span.column, span.source.text[span.start:span.end]


def assert_same(text: str) -> None:
    fast = table_from_text(text, "t.csv")
    assert fast._columns is not None, "a plain table is read as columns"
    slow = by_own_reader(text)
    assert fast.size == slow.size
    assert fast.rows == slow.rows
    assert fast._index == slow._index
    for position in range(slow.size):
        assert fast.place(position) == slow.place(position)
        assert at(fast._row_span(position)) == at(slow._row_span(position))
        for column in (*KEY_COLUMNS, "numerator", "denominator"):
            assert at(fast._cell_span(position, column)) == at(slow._cell_span(position, column))
    for column in KEY_COLUMNS:
        assert fast.coded(column)[0] == slow.coded(column)[0]
        assert fast.coded(column)[1].tolist() == slow.coded(column)[1].tolist()
        assert fast.first_rows(column) == slow.first_rows(column)
    assert [c.tolist() for c in fast.counts()] == [c.tolist() for c in slow.counts()]


def test_plain_table_read_as_columns_is_the_same_table() -> None:
    text = (
        "denominator,extra,group,org,period,measure,numerator\n"
        "1391,x, ALL ,Org B,2022,CBP,1019\n"
        "10.5,,Black,Org A,2022,CBP,3.25\n"
        "7,,white,Org A ,2024,COL,7\n"
        "0,,White,Org B,2024,COL,0\n"
        f"4,,{unicodedata.normalize('NFD', 'Hispanić')},Org A,2022,CBP,1\n"
        "4,,Hispanić,Org B,2022,CBP,2"  # no line end after the last row
    )
    assert_same(text)


@pytest.mark.parametrize("text", [
    HEADER + 'A,CBP,ALL,2022,1,2\n"B",CBP,ALL,2022,1,2\n',  # quotes
    HEADER + "A,CBP,ALL,2022,1,2\r\nB,CBP,ALL,2022,1,2\r\n",  # CRLF
    HEADER + "A,CBP,ALL,2022,1,2\n\nB,CBP,ALL,2022,1,2\n",  # a blank line
    HEADER + "A,CBP,ALL,2022,1,2\n   \nB,CBP,ALL,2022,1,2\n",  # a line of spaces
    "\n" + HEADER + "A,CBP,ALL,2022,1,2\n",  # the header on line 2
    HEADER,  # no rows
    HEADER + "A,CBP,ALL,2022,1,2,3\n",  # a record wider than the header
    HEADER + "A,CBP,ALL,2022, 1,2\n",  # a count with a space
    HEADER + "A,CBP,ALL,2022,3,2\n",  # numerator > denominator
    HEADER + "A,CBP,ALL,2022,2.0000000000000001,2\n",  # floats say equal, it is larger
    HEADER + "A,CBP,ALL,2022,1,2\nA ,CBP,ALL,2022,1,2\n",  # a duplicate key
    HEADER + " ,CBP,ALL,2022,1,2\n",  # an empty key
    HEADER + "A,CBP,ALL,2022,1e3,2000\n",  # an exponent
    HEADER + "A,CBP,ALL,2022,٣,4\n",  # another script's digit
    HEADER + HEADER + "A,CBP,ALL,2022,1,2\n",  # the header again
    "org,measure,group,period,numerator\nA,CBP,ALL,2022,1\n",  # a column missing
    "org,org,measure,group,period,numerator,denominator\nA,A,CBP,ALL,2022,1,2\n",
])
def test_other_text_is_left_to_the_full_reader(text: str) -> None:
    assert read_plain(text, tables.MAX_TABLE_ROWS) is None


def test_row_limit_is_left_to_the_full_reader() -> None:
    text = HEADER + "".join(f"O{i},CBP,ALL,2022,1,2\n" for i in range(5))
    assert read_plain(text, 5) is not None
    assert read_plain(text, 4) is None


def test_a_count_in_both_columns_is_one_decimal() -> None:
    # One Decimal per text over both count columns (issue 12's memory at 10,000
    # organizations); texts that differ, even where equal in value, stay apart.
    text = HEADER + "A,M,ALL,2024,5,20\nB,M,ALL,2024,20,40\nC,M,ALL,2024,5.0,20.0\n"
    plain = read_plain(text, 10)
    assert plain is not None
    numerator, denominator = plain[0].numerator, plain[0].denominator
    assert numerator[1] is denominator[0]
    assert numerator[0] is not numerator[2]
    assert [str(x) for x in (*numerator, *denominator)] == ["5", "20", "5.0", "20", "40",
                                                            "20.0"]


def test_key_checks_read_the_columns() -> None:
    text = HEADER + "".join(
        f"O{i},CBP,{group},2024,1,2\n" for i in range(3) for group in ("ALL", "white", "Whitе"))
    table = table_from_text(text, "t.csv")
    table_set = TableSet((table,))
    found = misspelled_keys(table_set, measures=["CBP"], groups=["ALL", "White"],
                            periods=["2024"])
    found += lookalike_keys(table_set, read={"group": ["ALL", "White"]})
    slow = TableSet((by_own_reader(text),))
    expected = misspelled_keys(slow, measures=["CBP"], groups=["ALL", "White"],
                               periods=["2024"])
    expected += lookalike_keys(slow, read={"group": ["ALL", "White"]})
    assert render_all(found) == render_all(expected)
    assert "these 3 rows" in render_all(found) and "t.csv:3:" in render_all(found)
    assert table._given_rows is None, "the checks make no Row objects"


names = st.sampled_from(["A", "B ", " Ca", "Ça", unicodedata.normalize("NFD", "Ça"), "x y"])
counts = st.sampled_from(["0", "1", "2", "10", "0.5", "1.25", "007", "3.000"])


@given(st.lists(st.tuples(names, names, names, names, counts, counts), max_size=30))
@settings(max_examples=150, deadline=None)
def test_generated_tables_read_alike(records: list[tuple[str, ...]]) -> None:
    lines = []
    seen = set()
    for org, measure, group, period, numerator, denominator in records:
        key = tuple(tables.key_text(cell) for cell in (org, measure, group, period))
        if key in seen:
            continue
        seen.add(key)
        low, high = sorted((numerator, denominator), key=tables.Decimal)
        lines.append(f"{org},{measure},{group},{period},{low},{high}\n")
    text = HEADER + "".join(lines)
    if not lines:
        assert read_plain(text, tables.MAX_TABLE_ROWS) is None
        return
    assert_same(text)


def test_reading_a_plain_table_does_not_import_pandas() -> None:
    """pyarrow imports pandas (some 20 MiB, a third of a second) as soon as a Python value
    or a numpy array is converted to one of its arrays: reading a table as columns, with
    counts that only one of the two columns holds, never does."""
    script = (
        "import sys\n"
        "from eqlang.data.table_columns import read_plain\n"
        f"text = {HEADER!r} + 'A,M,ALL,2024,5,20\\nB,M,ALL,2024,7.5,40\\nC,M,ALL,2024,20,21\\n'\n"
        "assert read_plain(text, 10) is not None\n"
        "print('pandas' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"
