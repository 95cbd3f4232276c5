"""Measure tables as Parquet, Excel workbooks and gzip-compressed CSV; files of other kinds
named for what they are; special files refused; and the misspelling check's cost."""

from __future__ import annotations

import gzip
import os
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eqlang.data.spelling import misspelled_keys
from eqlang.data.tables import MeasureTable, Row, TableSet, load_table, load_tables
from eqlang.diagnostics import EqlangError

HEADER = ["org", "measure", "group", "period", "numerator", "denominator"]
ROWS = [["Harbor ACO", "COL", "ALL", "2024", 650, 1000],
        ["Harbor ACO", "COL", "Black", "2024", Decimal("130.25"), Decimal("200.5")]]
EXPECTED = {("Harbor ACO", "COL", "ALL", "2024"): (Decimal(650), Decimal(1000)),
            ("Harbor ACO", "COL", "Black", "2024"): (Decimal("130.25"), Decimal("200.5"))}


def rows_of(path: Path) -> dict[tuple[str, str, str, str], tuple[Decimal, Decimal]]:
    return {row.key: (row.numerator, row.denominator) for row in load_table(path).rows}


def errors_of(path: Path) -> list[tuple[str, str, int | None]]:
    with pytest.raises(EqlangError) as caught:
        load_table(path)
    return [(d.code, d.message, d.line if d.span is None else d.span.line)
            for d in caught.value.diagnostics]


def workbook(path: Path, rows: list[list[object]]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_parquet_tables_are_read_exactly(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({
        "org": ["Harbor ACO"] * 2, "measure": ["COL"] * 2, "group": ["ALL", "Black"],
        "period": pa.array([2024, 2024], pa.int32()),
        "numerator": pa.array([Decimal(650), Decimal("130.25")], pa.decimal128(9, 3)),
        "denominator": pa.array([1000.0, 200.5], pa.float64())}), path)
    assert rows_of(path) == EXPECTED
    table = load_table(path)
    assert table.rows[1].line == 3  # the second record: the header is row 1


def test_parquet_problems_name_the_row(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"org": ["A", "A"], "measure": ["COL", "COL"],
                             "group": ["ALL", "Black"], "period": ["2024", "2024"],
                             "numerator": [10, 30], "denominator": [20, 20]}), path)
    assert [(code, line) for code, _, line in errors_of(path)] == [("E0504", 3)]


def test_excel_numbers_are_taken_exactly_and_text_stays_text(tmp_path: Path) -> None:
    path = workbook(tmp_path / "t.xlsx", [HEADER, *([*r[:4], float(r[4]), float(r[5])]
                                                     for r in ROWS)])
    assert rows_of(path) == EXPECTED
    path = workbook(tmp_path / "text.xlsx", [HEADER, ["Harbor ACO", "COL", "ALL", "2024",
                                                      "650", "1000"]])
    assert rows_of(path)[("Harbor ACO", "COL", "ALL", "2024")] == (Decimal(650),
                                                                   Decimal(1000))


def test_excel_refuses_more_than_15_digits_and_formulas_without_values(
        tmp_path: Path) -> None:
    path = workbook(tmp_path / "t.xlsx", [HEADER,
                                          ["A", "COL", "ALL", "2024", 123.4567890123456, 1e3],
                                          ["A", "COL", "Black", "2024", "=1+1", 5]])
    found = errors_of(path)
    assert [(code, line) for code, _, line in found] == [("E0503", 2), ("E0503", 3)]
    assert "16 significant digits" in found[0][1]
    assert "formula =1+1 with no saved value" in found[1][1]


def test_gzip_tables_are_read_and_hashed_as_given(tmp_path: Path) -> None:
    text = ",".join(HEADER) + "\n" + "".join(",".join(map(str, r)) + "\n" for r in ROWS)
    path = tmp_path / "t.csv.gz"
    path.write_bytes(gzip.compress(text.encode("utf-8")))
    assert rows_of(path) == EXPECTED
    import hashlib

    assert load_table(path).sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    damaged = tmp_path / "cut.csv.gz"
    damaged.write_bytes(path.read_bytes()[:-10])
    assert errors_of(damaged)[0][0] == "E0501"


@pytest.mark.parametrize(("content", "named"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "old-style Excel workbook"),
    (b"%PDF-1.7\n" + bytes(64), "PDF document"),
    (b"SQLite format 3\x00" + bytes(64), "SQLite database"),
    (b"BZh91AY&SY" + bytes(64), "bzip2"),
    (b"\x00\x01binary" + bytes(64), "binary file of a kind eqlang does not read"),
])
def test_other_kinds_of_file_are_named_for_what_they_are(tmp_path: Path, content: bytes,
                                                         named: str) -> None:
    path = tmp_path / "table.csv"
    path.write_bytes(content)
    ((code, message, _),) = errors_of(path)
    assert code == "E0501" and named in message, message


def test_a_named_pipe_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    result: list[list[tuple[str, str, int | None]]] = []
    reader = threading.Thread(target=lambda: result.append(errors_of(fifo)), daemon=True)
    reader.start()
    reader.join(timeout=20)
    if reader.is_alive():  # unblock the reader so the test run can end
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a named pipe as a table blocked")
    ((code, message, _),) = result[0]
    assert code == "E0501" and "named pipe" in message


def test_a_device_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EqlangError) as caught:
        load_tables(["/dev/zero"])
    assert "character device" in caught.value.diagnostics[0].message


# ---- the misspelling check ------------------------------------------------------------------


def _table(groups: list[str]) -> TableSet:
    rows = tuple(Row(f"Org {number}", "COL", group, "2024", Decimal(1), Decimal(2), "t.csv",
                     number) for number, group in enumerate(groups, start=2))
    return TableSet((MeasureTable("t.csv", "", rows),))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(["White", "white", "WHITE", " White", "Whi te", "Black",
                                 "black", "Other"]), min_size=1, max_size=60))
def test_each_misspelling_is_reported_once_at_its_first_row_with_its_count(
        groups: list[str]) -> None:
    found = misspelled_keys(_table(groups), measures=["COL"], groups=["White", "Black"],
                            periods=["2024"])
    wrong = sorted({g for g in groups if g not in ("White", "Black", "Other")})
    assert [d.message.split("`")[1] for d in found] == wrong
    for diagnostic in found:
        value = diagnostic.message.split("`")[1]
        assert diagnostic.line == groups.index(value) + 2
        count = groups.count(value)
        assert ("this row" if count == 1 else f"these {count:,} rows") in diagnostic.hint


def test_many_distinct_misspellings_are_each_counted(tmp_path: Path) -> None:
    # Every row spells White differently: the check stays linear (bench/ times it; issue 16
    # found 25,000 such rows taking a minute when each misspelling rescanned the table).
    spellings = ["W" + "".join(ch.upper() if (n >> i) & 1 else ch for i, ch in
                               enumerate("hite")) + " " * (n // 16) for n in range(20_000)]
    found = misspelled_keys(_table(spellings), measures=["COL"], groups=["White"],
                            periods=["2024"])
    # The first spelling is White itself; the other 19,999 are 50 shown and one counting
    # the rest.
    assert len(found) == 51
    assert found[-1].message.startswith("19,949 more problems")


# ---- memory per row and the row limit -------------------------------------------------------


def test_a_loaded_row_takes_little_memory(tmp_path: Path) -> None:
    import random
    import tracemalloc

    rng = random.Random(5)
    lines = [",".join(HEADER)]
    for number in range(40_000):
        denominator = rng.randint(10, 4000)
        lines.append(f"Organization {number // 42:05d},{('COL', 'CBP', 'HBD')[number % 3]},"
                     f"Group {number % 14},{2022 + number % 2},"
                     f"{rng.randint(0, denominator - 1)}.{rng.randint(0, 999)},{denominator}")
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tracemalloc.start()
    try:
        table = load_tables([path])
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(table.tables[0].rows) == 40_000
    # The documented bound (docs/settlement.md) is about 500 bytes a row beyond the text.
    per_row = (held - len(path.read_bytes())) / 40_000
    assert per_row < 560, per_row


def test_a_table_with_too_many_rows_is_refused_at_the_row(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    from eqlang.data import tables

    monkeypatch.setattr(tables, "MAX_TABLE_ROWS", 3)
    path = tmp_path / "t.csv"
    path.write_text(",".join(HEADER) + "\n" + "".join(f"A,COL,g{n},2024,1,2\n" for n in range(5)),
                    encoding="utf-8")
    ((code, message, line),) = errors_of(path)
    assert (code, line) == ("E0501", 5) and "more than 3 rows" in message
