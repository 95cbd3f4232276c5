"""Tests for eqlang.data.tables: the CSV format rules, their diagnostics, and the lookup API."""

from __future__ import annotations

import hashlib
import unicodedata
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eqlang.data import tables
from eqlang.data.tables import (
    REQUIRED_COLUMNS,
    MeasureTable,
    Row,
    TableSet,
    load_table,
    load_tables,
)
from eqlang.diagnostics import Diagnostic, EqlangError, render, render_all

DATA = Path(__file__).parent / "data" / "tables"
HEADER = "org,measure,group,period,numerator,denominator\n"


def write(tmp_path: Path, content: str | bytes, name: str = "t.csv") -> Path:
    """Write exact bytes: write_text could translate line ends on some platforms."""
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def errors_of(path: Path) -> tuple[Diagnostic, ...]:
    with pytest.raises(EqlangError) as info:
        load_table(path)
    return info.value.diagnostics


def only_error(path: Path) -> Diagnostic:
    diagnostics = errors_of(path)
    assert len(diagnostics) == 1, render_all(diagnostics)
    return diagnostics[0]


def at(diagnostic: Diagnostic) -> tuple[str, int, int]:
    """Code, line and column of a diagnostic that points into the table text."""
    assert diagnostic.span is not None, diagnostic
    return diagnostic.code, diagnostic.span.line, diagnostic.span.column


# ---- valid tables ----------------------------------------------------------------------------


def test_simple_table_gives_rows_with_exact_decimals(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "A,m,g,2024,431,812\nA,m,h,2024,101.25,193.486\n")
    table = load_table(path)
    assert table.path == str(path)
    assert table.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert table.rows == (
        Row("A", "m", "g", "2024", Decimal("431"), Decimal("812"), str(path), 2),
        Row("A", "m", "h", "2024", Decimal("101.25"), Decimal("193.486"), str(path), 3),
    )
    assert all(isinstance(row.numerator, Decimal) for row in table.rows)


def test_display_name_is_used_for_rows_and_diagnostics(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "A,m,g,2024,1,2\n")
    table = load_table(path, display="tables/t.csv")
    assert table.path == "tables/t.csv"
    assert table.rows[0].table == "tables/t.csv"
    bad = write(tmp_path, HEADER + "A,m,g,2024,x,2\n", "bad.csv")
    with pytest.raises(EqlangError) as info:
        load_table(bad, display="shown.csv")
    assert info.value.diagnostics[0].location() == "shown.csv:2:12"


def test_byte_order_mark_is_accepted_and_not_counted_as_a_column(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbf" + (HEADER + "A,m,g,2024,1,2\n").encode())
    assert load_table(path).rows[0].org == "A"
    # Columns are counted in the decoded text, so the mark does not shift them.
    bad = write(tmp_path, b"\xef\xbb\xbforg,measure,group,period,numerator,denom\n", "bad.csv")
    assert at(only_error(bad)) == ("E0502", 1, 36)


def test_crlf_line_ends(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER.replace("\n", "\r\n") + "A,m,g,2024,1,2\r\nB,m,g,2024,3,4\r\n")
    table = load_table(path)
    assert [(row.org, row.denominator, row.line) for row in table.rows] == [
        ("A", Decimal(2), 2),
        ("B", Decimal(4), 3),
    ]
    bad = write(tmp_path, HEADER.replace("\n", "\r\n") + "A,m,g,2024,1,2x\r\n", "bad.csv")
    diagnostic = only_error(bad)
    assert at(diagnostic) == ("E0503", 2, 14)
    assert diagnostic.span is not None and diagnostic.span.text == "2x"
    assert "\r" not in render(diagnostic)


def test_reordered_and_extra_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "note,denominator,period, group ,numerator,measure,org,Org\n"
        "anything at all,10,2024,g,3,m,A,ignored\n",
    )
    (row,) = load_table(path).rows
    assert (row.org, row.measure, row.group, row.period) == ("A", "m", "g", "2024")
    assert (row.numerator, row.denominator) == (Decimal(3), Decimal(10))


def test_quoted_fields_with_commas_quotes_and_newlines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER + '"Smith, Jones & Co","say ""hi""","two\nlines",2024,"12",20\nB,m,g,2024,1,2\n',
    )
    first, second = load_table(path).rows
    assert first.org == "Smith, Jones & Co"
    assert first.measure == 'say "hi"'
    assert first.group == "two\nlines"
    assert first.numerator == Decimal(12)
    assert (first.line, second.line) == (2, 4)


def test_blank_lines_are_skipped_anywhere(tmp_path: Path) -> None:
    path = write(tmp_path, "\n" + HEADER + "\nA,m,g,2024,1,2\n   \n\r\nB,m,g,2024,1,2\n\n\n")
    table = load_table(path)
    assert [(row.org, row.line) for row in table.rows] == [("A", 4), ("B", 7)]


def test_denominator_zero_and_fractional_counts(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "A,m,g,2024,0,0\nA,m,h,2024,0.5,0.50\nA,m,i,2024,007,7\n")
    rows = load_table(path).rows
    assert [(row.numerator, row.denominator) for row in rows] == [
        (Decimal(0), Decimal(0)),
        (Decimal("0.5"), Decimal("0.50")),
        (Decimal(7), Decimal(7)),
    ]


@pytest.mark.parametrize("content", [HEADER, HEADER.rstrip("\n"), HEADER + "\n\n"])
def test_header_only_table_has_no_rows(tmp_path: Path, content: str) -> None:
    assert load_table(write(tmp_path, content)).rows == ()


def test_key_cells_are_stripped(tmp_path: Path) -> None:
    (row,) = load_table(write(tmp_path, HEADER + "  A ,\tm, g ,2024 ,1,2\n")).rows
    assert (row.org, row.measure, row.group, row.period) == ("A", "m", "g", "2024")


def test_sample_fixture_loads() -> None:
    table = load_table(DATA / "sample.csv", display="sample.csv")
    assert len(table.rows) == 5
    hispanic = table.rows[2]
    assert hispanic == Row(
        "Riverside Health",
        "Colorectal screening, 50-75",
        "Hispanic",
        "2024",
        Decimal(0),
        Decimal(0),
        "sample.csv",
        4,
    )
    assert table.rows[3].denominator == Decimal("193.486")


# ---- the table set ---------------------------------------------------------------------------


def test_table_set_lookups() -> None:
    tableset = load_tables([str(DATA / "sample.csv"), str(DATA / "sample_2025.csv")])
    assert len(tableset.tables) == 2
    row = tableset.lookup("Riverside Health", "Colorectal screening, 50-75", "Black", "2025")
    assert row is not None and row.numerator == Decimal(470)
    assert row.table == str(DATA / "sample_2025.csv") and row.line == 2
    assert (
        tableset.lookup("Riverside Health", "Colorectal screening, 50-75", "Asian", "2025") is None
    )
    assert tableset.organizations() == ("Lakeside Clinic", "Northgate Medical", "Riverside Health")
    assert tableset.has_org("Northgate Medical")
    assert not tableset.has_org("northgate medical")
    assert tableset.groups("Riverside Health", "Colorectal screening, 50-75", "2024") == (
        "Black",
        "Hispanic",
        "White",
    )
    assert tableset.groups("Lakeside Clinic", "Diabetes control", "2025") == ("Asian",)
    assert tableset.groups("Nobody", "Diabetes control", "2025") == ()


def test_empty_table_set() -> None:
    tableset = load_tables([])
    assert tableset.organizations() == ()
    assert tableset.lookup("A", "m", "g", "2024") is None


def test_load_tables_refuses_a_single_string() -> None:
    with pytest.raises(TypeError):
        load_tables(str(DATA / "sample.csv"))


def test_key_in_two_tables_names_both_files_and_lines(tmp_path: Path) -> None:
    first = write(tmp_path, HEADER + "A,m,g,2024,1,2\nB,m,g,2024,1,2\n", "first.csv")
    second = write(tmp_path, HEADER + "C,m,g,2024,1,2\n\nB,m,g,2024,1,3\n", "second.csv")
    with pytest.raises(EqlangError) as info:
        load_tables([str(first), str(second)])
    (diagnostic,) = info.value.diagnostics
    assert at(diagnostic) == ("E0505", 4, 1)
    assert diagnostic.span is not None and diagnostic.span.path == str(second)
    assert diagnostic.message == (
        f"duplicate row for org `B`, measure `m`, group `g`, period `2024`: "
        f"also in `{first}` line 3"
    )
    (note,) = diagnostic.notes
    assert note.span is not None
    assert (note.span.path, note.span.line) == (str(first), 3)
    assert "first row with this key" in render(diagnostic)


def test_same_table_twice_is_one_error(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "A,m,g,2024,1,2\n")
    with pytest.raises(EqlangError) as info:
        load_tables([str(path), str(path)])
    (diagnostic,) = info.value.diagnostics
    assert diagnostic.code == "E0505"
    assert "given more than once" in diagnostic.message


def test_load_tables_reports_problems_of_every_file(tmp_path: Path) -> None:
    bad_number = write(tmp_path, HEADER + "A,m,g,2024,x,2\n", "a.csv")
    missing = tmp_path / "missing.csv"
    clash_one = write(tmp_path, HEADER + "K,m,g,2024,1,2\n", "b.csv")
    clash_two = write(tmp_path, HEADER + "K,m,g,2024,1,2\n", "c.csv")
    with pytest.raises(EqlangError) as info:
        load_tables([str(bad_number), str(missing), str(clash_one), str(clash_two)])
    found = [(d.code, d.location()) for d in info.value.diagnostics]
    assert found == [
        ("E0503", f"{bad_number}:2:12"),
        ("E0501", str(missing)),
        ("E0505", f"{clash_two}:2:1"),
    ]


def test_hand_built_tables_merge_and_clash() -> None:
    row = Row("A", "m", "g", "2024", Decimal(1), Decimal(2), "x.csv", 2)
    other = attrs.evolve(row, table="y.csv", line=7)
    tableset = TableSet((MeasureTable("x.csv", "", (row,)),))
    assert tableset.lookup("A", "m", "g", "2024") == row
    with pytest.raises(EqlangError) as info:
        TableSet((MeasureTable("x.csv", "", (row,)), MeasureTable("y.csv", "", (other,))))
    (diagnostic,) = info.value.diagnostics
    assert diagnostic.code == "E0505"
    assert diagnostic.location() == "y.csv:7"
    assert "also in `x.csv` line 2" in diagnostic.message


# ---- E0501: unreadable tables ----------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    diagnostic = only_error(tmp_path / "nope.csv")
    assert diagnostic.code == "E0501"
    assert diagnostic.path == str(tmp_path / "nope.csv") and diagnostic.span is None
    assert diagnostic.message == "cannot read table: no such file"


def test_directory(tmp_path: Path) -> None:
    diagnostic = only_error(tmp_path)
    assert diagnostic.code == "E0501"
    assert "directory" in diagnostic.message


def test_nul_bytes(tmp_path: Path) -> None:
    diagnostic = only_error(write(tmp_path, HEADER.encode() + b"A,m,\x00,2024,1,2\n"))
    assert diagnostic.code == "E0501"
    assert diagnostic.span is None and (diagnostic.line, diagnostic.column) == (2, 5)
    assert "NUL bytes" in diagnostic.message
    assert diagnostic.hint is not None and "CSV" in diagnostic.hint


def test_invalid_utf8(tmp_path: Path) -> None:
    diagnostic = only_error(write(tmp_path, HEADER.encode() + b"Caf\xe9,m,g,2024,1,2\n"))
    assert diagnostic.code == "E0501"
    assert diagnostic.message == "table is not valid UTF-8 (byte 50 is 0xe9)"
    assert (diagnostic.path, diagnostic.line) == (str(tmp_path / "t.csv"), 2)
    assert diagnostic.location() == f"{tmp_path / 't.csv'}:2:4"


def test_undecodable_byte_column_counts_characters(tmp_path: Path) -> None:
    # "é" is two bytes but one column; the byte-order mark takes none.
    data = b"\xef\xbb\xbf" + HEADER.encode() + "Café,".encode() + b"\xff,g,2024,1,2\n"
    diagnostic = only_error(write(tmp_path, data))
    assert (diagnostic.line, diagnostic.column) == (2, 6)


def test_utf16(tmp_path: Path) -> None:
    diagnostic = only_error(write(tmp_path, HEADER.encode("utf-16")))
    assert diagnostic.code == "E0501"
    assert diagnostic.message == "table is UTF-16 text, not UTF-8"


@pytest.mark.parametrize("content", ["", "\n\n", "\ufeff", "  \r\n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    diagnostic = only_error(write(tmp_path, content))
    assert diagnostic.code == "E0501"
    assert diagnostic.message.startswith("table is empty, expected a header row")
    assert diagnostic.span is None and diagnostic.path == str(tmp_path / "t.csv")


def test_too_big_is_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "MAX_TABLE_BYTES", 20)
    diagnostic = only_error(write(tmp_path, HEADER))
    assert diagnostic.code == "E0501"
    assert diagnostic.message.startswith(f"table file is {len(HEADER)} bytes")
    assert diagnostic.hint is not None and "split the table" in diagnostic.hint


# ---- E0502: columns --------------------------------------------------------------------------


def test_missing_column_suggests_close_header(tmp_path: Path) -> None:
    diagnostic = only_error(write(tmp_path, "org,measure,group,period,numerator,denom\n"))
    assert at(diagnostic) == ("E0502", 1, 36)
    assert diagnostic.message == "missing required column `denominator`"
    assert diagnostic.hint is not None and "did you mean `denominator`?" in diagnostic.hint


def test_missing_column_case_mismatch(tmp_path: Path) -> None:
    diagnostic = only_error(write(tmp_path, "org,measure,group,period,Numerator,denominator\n"))
    assert at(diagnostic) == ("E0502", 1, 26)
    assert diagnostic.message == "missing required column `numerator`"
    assert diagnostic.hint is not None and "case-sensitive" in diagnostic.hint


def test_every_missing_column_is_reported(tmp_path: Path) -> None:
    diagnostics = errors_of(write(tmp_path, "org,measure,group,amount\nA,m,g,1\n"))
    assert [(d.code, d.message) for d in diagnostics] == [
        ("E0502", "missing required column `period`"),
        ("E0502", "missing required column `numerator`"),
        ("E0502", "missing required column `denominator`"),
    ]
    assert all(at(d)[1:] == (1, 1) for d in diagnostics)
    assert diagnostics[0].hint is not None and "add a `period` column" in diagnostics[0].hint


def test_duplicated_column(tmp_path: Path) -> None:
    diagnostic = only_error(
        write(tmp_path, "org,measure,group,period,numerator,denominator, org\n")
    )
    assert at(diagnostic) == ("E0502", 1, 48)
    assert diagnostic.message == "column `org` appears more than once in the header"
    (note,) = diagnostic.notes
    assert note.span is not None and (note.span.line, note.span.column) == (1, 1)


def test_semicolon_separated_file(tmp_path: Path) -> None:
    diagnostic = only_error(write(tmp_path, HEADER.replace(",", ";") + "A;m;g;2024;1;2\n"))
    assert at(diagnostic) == ("E0502", 1, 1)
    assert "separated by semicolons" in diagnostic.message


# ---- E0503: numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("NaN", "`numerator` is not a valid number: `NaN`"),
        ("inf", "`numerator` is not a valid number: `inf`"),
        ("1_000", "`numerator` is not a valid number: `1_000`"),
        ('"1,000"', "`numerator` is not a valid number: `1,000`"),
        ("0x1F", "`numerator` is not a valid number: `0x1F`"),
        ("-3", "`numerator` is negative: `-3`"),
        ("+3", "`numerator` is not a valid number: `+3`"),
        ("1e3", "`numerator` is not a valid number: `1e3`"),
        (" 12", "`numerator` has spaces around the number: ` 12`"),
        ("12 ", "`numerator` has spaces around the number: `12 `"),
        ("", "empty `numerator` cell"),
        ("  ", "empty `numerator` cell"),
        (".5", "`numerator` is not a valid number: `.5`"),
        ("5.", "`numerator` is not a valid number: `5.`"),
        ("1.2.3", "`numerator` is not a valid number: `1.2.3`"),
        ("\u0661\u0662", "`numerator` is not a valid number: `\u0661\u0662`"),
        ("twelve", "`numerator` is not a valid number: `twelve`"),
    ],
)
def test_not_a_number(tmp_path: Path, cell: str, message: str) -> None:
    diagnostic = only_error(write(tmp_path, HEADER + f"A,m,g,2024,{cell},5000\n"))
    assert at(diagnostic) == ("E0503", 2, 12)
    assert diagnostic.message == message
    assert diagnostic.hint


def test_bad_denominator_column(tmp_path: Path) -> None:
    diagnostic = only_error(write(tmp_path, HEADER + "A,m,g,2024,1,1e3\n"))
    assert at(diagnostic) == ("E0503", 2, 14)
    assert diagnostic.message == "`denominator` is not a valid number: `1e3`"
    assert diagnostic.hint is not None and "without an exponent" in diagnostic.hint


def test_rendered_bad_number_has_caret_under_cell(tmp_path: Path) -> None:
    diagnostic = only_error(write(tmp_path, HEADER + "A,m,g,2024,1e3,2000\n"))
    lines = render(diagnostic).splitlines()
    assert lines[0] == (
        f"{tmp_path / 't.csv'}:2:12: error[E0503]: `numerator` is not a valid number: `1e3`"
    )
    assert lines[2] == "2 | A,m,g,2024,1e3,2000"
    assert lines[3] == "  |            ^^^"
    assert any(line.startswith("  = hint: ") for line in lines)


# ---- E0504, E0505, E0507: row checks ---------------------------------------------------------


def test_numerator_greater_than_denominator(tmp_path: Path) -> None:
    diagnostic = only_error(write(tmp_path, HEADER + "A,m,g,2024,13,12.5\n"))
    assert at(diagnostic) == ("E0504", 2, 12)
    assert diagnostic.message == "numerator 13 is greater than denominator 12.5"
    (note,) = diagnostic.notes
    assert note.span is not None and (note.span.line, note.span.column) == (2, 15)


def test_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "A,m,g,2024,1,2\nB,m,g,2024,1,2\n A ,m,g,2024,2,3\n")
    diagnostic = only_error(path)
    assert at(diagnostic) == ("E0505", 4, 1)
    assert diagnostic.message == (
        "duplicate row for org `A`, measure `m`, group `g`, period `2024` (first on line 2)"
    )
    (note,) = diagnostic.notes
    assert note.span is not None and (note.span.line, note.span.column) == (2, 1)


COMPOSED, DECOMPOSED = "Caf\u00e9", "Cafe\u0301"  # the same name to every reader


def test_key_cells_are_compared_in_unicode_normal_form(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + f"{DECOMPOSED},m,Latin{DECOMPOSED[-2:]},2024,1,2\n")
    (row,) = load_table(path).rows
    assert (row.org, row.group) == (COMPOSED, "Latin\u00e9")


def test_names_that_differ_only_in_accent_encoding_are_one_key(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + f"{COMPOSED},m,g,2024,1,2\n{DECOMPOSED},m,g,2024,1,2\n")
    diagnostic = only_error(path)
    assert at(diagnostic) == ("E0505", 3, 1)
    assert diagnostic.hint is not None and "Unicode normal form NFC" in diagnostic.hint


def test_an_ascii_duplicate_hint_says_nothing_of_unicode(tmp_path: Path) -> None:
    diagnostic = only_error(write(tmp_path, HEADER + "A,m,g,2024,1,2\nA,m,g,2024,1,2\n"))
    assert diagnostic.hint is not None and "Unicode" not in diagnostic.hint


def test_duplicate_key_is_found_even_when_first_row_is_bad(tmp_path: Path) -> None:
    diagnostics = errors_of(write(tmp_path, HEADER + "A,m,g,2024,x,2\nA,m,g,2024,1,2\n"))
    assert [at(d) for d in diagnostics] == [("E0503", 2, 12), ("E0505", 3, 1)]


@pytest.mark.parametrize(
    ("line", "column", "name"),
    [
        (",m,g,2024,1,2", 1, "org"),
        ("A,,g,2024,1,2", 3, "measure"),
        ("A,m,  ,2024,1,2", 5, "group"),
        ('A,m,g,"",1,2', 7, "period"),
    ],
)
def test_empty_key_cell(tmp_path: Path, line: str, column: int, name: str) -> None:
    diagnostic = only_error(write(tmp_path, HEADER + line + "\n"))
    assert at(diagnostic) == ("E0507", 2, column)
    assert diagnostic.message == f"empty `{name}` cell"


# ---- E0506: malformed records ----------------------------------------------------------------


def test_too_many_fields(tmp_path: Path) -> None:
    diagnostic = only_error(write(tmp_path, HEADER + "A,m,g,2024,1,2,3,4\n"))
    assert at(diagnostic) == ("E0506", 2, 16)
    assert diagnostic.message == "record has 8 fields but the header has 6"
    assert diagnostic.span is not None and diagnostic.span.text == "3,4"


def test_too_few_fields(tmp_path: Path) -> None:
    diagnostic = only_error(write(tmp_path, HEADER + "A,m,g,1,2\n"))
    assert at(diagnostic) == ("E0506", 2, 1)
    assert diagnostic.message == "record has 5 fields but the header has 6"


@pytest.mark.parametrize("again", [HEADER, '"org", measure,group,period,numerator,denominator\n'])
def test_the_header_repeated_further_down_is_one_error(tmp_path: Path, again: str) -> None:
    # Two exports joined end to end keep the second one's header.
    diagnostic = only_error(write(tmp_path, HEADER + "A,m,g,2022,1,2\n" + again
                                  + "A,m,g,2024,1,2\n"))
    assert at(diagnostic) == ("E0506", 3, 1)
    assert diagnostic.message == "the header row appears again, on line 3"
    assert diagnostic.hint is not None and "--table" in diagnostic.hint


def test_unterminated_quote(tmp_path: Path) -> None:
    diagnostic = only_error(write(tmp_path, HEADER + 'A,m,g,2024,1,2\nB,"m,g,2024,1,2\nC\n'))
    assert at(diagnostic) == ("E0506", 3, 3)
    assert diagnostic.message == "unterminated quoted field: this quote is never closed"


def test_stray_quote_in_unquoted_field(tmp_path: Path) -> None:
    diagnostic = only_error(write(tmp_path, HEADER + 'A,5" screen,g,2024,1,2\n'))
    assert at(diagnostic) == ("E0506", 2, 4)
    assert diagnostic.message == "quote character inside an unquoted field"
    assert diagnostic.hint is not None and '"5"" screen"' in diagnostic.hint


def test_space_before_opening_quote(tmp_path: Path) -> None:
    diagnostic = only_error(write(tmp_path, HEADER + 'A, "m",g,2024,1,2\n'))
    assert at(diagnostic) == ("E0506", 2, 4)
    assert diagnostic.hint is not None and "remove the spaces" in diagnostic.hint


def test_text_after_closing_quote(tmp_path: Path) -> None:
    diagnostic = only_error(write(tmp_path, HEADER + 'A,"m"x,g,2024,1,2\n'))
    assert at(diagnostic) == ("E0506", 2, 6)
    assert diagnostic.message == "unexpected text after the closing quote of a quoted field"


def test_bare_carriage_return(tmp_path: Path) -> None:
    diagnostic = only_error(write(tmp_path, HEADER + "A,m\rx,g,2024,1,2\n"))
    assert at(diagnostic) == ("E0506", 2, 4)
    assert diagnostic.message == "carriage return without a line feed"


def test_malformed_records_are_found_when_columns_are_missing(tmp_path: Path) -> None:
    diagnostics = errors_of(write(tmp_path, 'org,measure,group,period,numerator\nA,"m\n'))
    assert [at(d) for d in diagnostics] == [("E0502", 1, 1), ("E0506", 2, 3)]


# ---- reporting every problem -----------------------------------------------------------------


def test_all_problems_of_a_file_are_reported() -> None:
    diagnostics = errors_of(DATA / "broken.csv")
    assert [at(d) for d in diagnostics] == [
        ("E0503", 2, 46),
        ("E0504", 3, 46),
        ("E0507", 4, 1),
        ("E0505", 5, 1),
        ("E0506", 6, 1),
    ]
    assert diagnostics[3].message.endswith("(first on line 2)")


def test_diagnostics_are_capped_at_fifty(tmp_path: Path) -> None:
    body = "".join(f"A,m,g{i},2024,x,2\n" for i in range(60))
    body += "A,m,h,2024,3,2\n"
    diagnostics = errors_of(write(tmp_path, HEADER + body))
    assert len(diagnostics) == 51
    assert all(d.code == "E0503" for d in diagnostics[:50])
    summary = diagnostics[50]
    assert summary.message == (
        "11 more problems in this table not shown (E0503 x10, E0504 x1), "
        f"the first at {tmp_path / 't.csv'}:52:14"
    )
    assert (summary.path, summary.line) == (str(tmp_path / "t.csv"), 52)


# ---- size (speed itself is measured in bench/, not asserted here) ----------------------------


def test_large_table_loads_completely(tmp_path: Path) -> None:
    lines = [HEADER]
    for org in range(30):
        for measure in range(20):
            for group in range(10):
                for period in range(6):
                    lines.append(f"Org {org},Measure {measure},Group {group},{2020 + period},")
                    lines.append(f"{(org * measure + group) % 500},{500 + period}.25\n")
    path = write(tmp_path, "".join(lines))
    tableset = load_tables([str(path)])
    assert len(tableset.organizations()) == 30
    assert tableset.lookup("Org 29", "Measure 19", "Group 9", "2025") is not None


@pytest.mark.parametrize(
    "body",
    [
        pytest.param('"' + '""' * 200_000, id="escaped-quotes-never-closed"),
        pytest.param('a"' * 200_000, id="stray-quotes"),
        pytest.param('"a"b' * 100_000 + "\n", id="text-after-closing-quotes"),
        pytest.param("," * 400_000 + "\n", id="very-wide-record"),
    ],
)
def test_hostile_input_is_refused_as_malformed(tmp_path: Path, body: str) -> None:
    path = write(tmp_path, HEADER + body)
    with pytest.raises(EqlangError) as info:
        load_table(path)
    assert all(d.code == "E0506" for d in info.value.diagnostics)


# ---- properties ------------------------------------------------------------------------------

# Key cells as a table holds them after reading: stripped and in Unicode normal form NFC
# (test_key_cells_are_compared_in_unicode_normal_form covers cells that are not).
KEY_TEXT = (
    st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        min_size=1,
        max_size=8,
    )
    .map(lambda text: unicodedata.normalize("NFC", text).strip())
    .filter(bool)
)
NUMBER_TEXT = st.builds(
    lambda whole, fraction: f"{whole}.{fraction}" if fraction else whole,
    st.text("0123456789", min_size=1, max_size=7),
    st.text("0123456789", max_size=4),
)
EXTRA_COLUMNS = st.lists(st.sampled_from(["note", "Org", "", "source"]), max_size=2)


def csv_cell(value: str, quote: bool) -> str:
    if quote or any(ch in value for ch in ',"\r\n') or value != value.strip():
        return '"' + value.replace('"', '""') + '"'
    return value


@st.composite
def valid_tables(draw: st.DrawFn) -> tuple[str, list[tuple[str, str, str, str, str, str, int]]]:
    """A CSV text and the rows (key, numerator, denominator, line) it should load as."""
    drawn = draw(
        st.lists(
            st.tuples(KEY_TEXT, KEY_TEXT, KEY_TEXT, KEY_TEXT, NUMBER_TEXT, NUMBER_TEXT),
            max_size=6,
            unique_by=lambda row: row[:4],
        )
    )
    columns = draw(st.permutations([*REQUIRED_COLUMNS, *draw(EXTRA_COLUMNS)]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = "\ufeff" if draw(st.booleans()) else ""
    text += ",".join(csv_cell(name, draw(st.booleans())) for name in columns) + newline
    expected = []
    for org, measure, group, period, first, second in drawn:
        numerator, denominator = sorted((first, second), key=Decimal)
        values = dict(
            zip(
                REQUIRED_COLUMNS, (org, measure, group, period, numerator, denominator), strict=True
            )
        )
        line = text.count("\n") + 1
        cells = [
            csv_cell(values.get(name, draw(KEY_TEXT)), draw(st.booleans())) for name in columns
        ]
        text += ",".join(cells) + newline
        text += draw(st.sampled_from(["", newline, newline * 2]))
        expected.append((org, measure, group, period, numerator, denominator, line))
    return text, expected


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_tables())
def test_written_rows_load_back(tmp_path_factory: pytest.TempPathFactory, case: tuple) -> None:
    text, expected = case
    path = write(tmp_path_factory.getbasetemp(), text, "roundtrip.csv")
    got = [
        (r.org, r.measure, r.group, r.period, r.numerator, r.denominator, r.line)
        for r in load_table(path).rows
    ]
    assert got == [(*row[:4], Decimal(row[4]), Decimal(row[5]), row[6]) for row in expected]


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from('ab1.,"\r\n -'), max_size=60))
def test_any_text_loads_or_fails_with_renderable_diagnostics(
    tmp_path_factory: pytest.TempPathFactory, body: str
) -> None:
    path = write(tmp_path_factory.getbasetemp(), HEADER + body, "fuzz.csv")
    try:
        load_table(path)
    except EqlangError as error:
        assert error.diagnostics
        for diagnostic in error.diagnostics:
            assert diagnostic.code in {"E0503", "E0504", "E0505", "E0506", "E0507"}
            assert render(diagnostic)
