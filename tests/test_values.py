"""Every value as a table: `eqlang eval --values` (CSV, Parquet, Excel) and the API's frame."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest
from cli_run import run, shipped_inputs

from eqlang.api import load_contract, settle

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = str(ROOT / "contracts" / "reference-equity.eq")
TABLE = str(ROOT / "contracts" / "reference-equity.csv")
SHIPPED = sorted(p for p in (ROOT / "contracts").glob("*.eq"))
HARBORVIEW = "Harborview Health Partners"


@pytest.fixture(scope="module")
def reference_run():  # type: ignore[no-untyped-def]
    return settle(load_contract(CONTRACT), [TABLE])


def test_the_frame_keeps_decimals_exact_and_holds_definitions(reference_run) -> None:  # type: ignore[no-untyped-def]
    frame = reference_run.values_frame()
    assert all(isinstance(v, Decimal) for v in frame["value"].dropna())
    assert frame["value"].dtype == object
    mine = frame[frame.organization == HARBORVIEW]
    kinds = set(mine.kind)
    assert {"output", "definition", "parameter", "input", "measure"} <= kinds
    payout = mine[(mine.rule == "payout")].iloc[0]
    assert payout.value == reference_run.value(HARBORVIEW, "payout").magnitude
    assert payout.rounding == "rounded to cents half up"
    assert payout.source.endswith("reference-equity.eq:118:1")
    # A definition's value, in the unit as written: a gap of 8.6 points is 8.6..., a
    # weight of 35% is 35.
    weight = mine[(mine.rule == "rescaled_weight") & (mine.arguments == "CBP")].iloc[0]
    assert weight.value == Decimal(35) and weight.unit == "percent"
    gap = mine[(mine.rule == "gap") & (mine.arguments == "CBP, Black, baseline")].iloc[0]
    assert gap.unit == "pp" and Decimal("8.6") < gap.value < Decimal("8.61")


def test_unscored_values_carry_their_reason(reference_run) -> None:  # type: ignore[no-untyped-def]
    frame = reference_run.values_frame()
    merrimack = frame[frame.organization == "Merrimack Valley ACO"]
    score = merrimack[(merrimack.rule == "measure_score") & (merrimack.arguments == "HBD")]
    row = score.iloc[0]
    assert not row.scored and row.value is None
    assert row.reason == "no focus group has 30 members in both periods"
    left_out = merrimack[(merrimack.rule == "scorable") & (merrimack.arguments == "HBD, Asian")]
    assert left_out.iloc[0].text == "no"


def test_csv_parquet_and_excel_hold_the_same_exact_values(tmp_path: Path) -> None:
    paths = {kind: tmp_path / f"values.{kind}" for kind in ("csv", "parquet", "xlsx")}
    for path in paths.values():
        code, _, err = run("eval", CONTRACT, "--table", TABLE, "--values", str(path))
        assert code == 0, err
    with paths["csv"].open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    table = pq.read_table(paths["parquet"]).to_pylist()
    assert len(rows) == len(table)
    for text_row, arrow_row in zip(rows, table, strict=True):
        assert text_row["rule"] == arrow_row["rule"]
        assert text_row["value"] == (arrow_row["text"] or "")
        if arrow_row["value"] is not None:
            assert arrow_row["value"] == Decimal(text_row["value"])
    book = openpyxl.load_workbook(paths["xlsx"])
    assert book.sheetnames == ["measure_payout", "payout", "inputs"]
    sheet = book["payout"]
    header = [cell.value for cell in sheet[1]]
    assert header[4:6] == ["value", "value (exact text)"]
    payouts = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1] == "payout"]
    assert len(payouts) == 4
    for row in payouts:
        assert isinstance(row[4], float | int) and Decimal(row[5]) == Decimal(str(row[4]))


def test_the_workbook_is_the_same_bytes_each_time(tmp_path: Path) -> None:
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    for path in (first, second):
        assert run("eval", CONTRACT, "--table", TABLE, "--values", str(path))[0] == 0
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("contract", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_contract_writes_its_values(tmp_path: Path, contract: Path) -> None:
    out = tmp_path / "values.csv"
    code, _, err = run("eval", str(contract), *shipped_inputs(contract),
                       "--values", str(out))
    assert code == 0, err
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["kind"] for row in rows} >= {"output", "parameter", "input"}


def test_a_file_of_unknown_kind_is_refused_before_settling(tmp_path: Path) -> None:
    code, _, err = run("eval", CONTRACT, "--table", TABLE, "--values", str(tmp_path / "v.txt"))
    assert code == 2 and ".csv, .parquet or .xlsx" in err
    assert not (tmp_path / "v.txt").exists()


def test_the_values_never_overwrite_a_table(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_bytes(Path(TABLE).read_bytes())
    code, _, err = run("eval", CONTRACT, "--table", str(table), "--values", str(table))
    assert code == 1 and "E0603" in err
    assert table.read_bytes() == Path(TABLE).read_bytes()


def test_a_value_wider_than_any_arrow_decimal_is_kept_as_its_digits() -> None:
    from eqlang.tools.values import COLUMNS, arrow_table

    row = dict.fromkeys(COLUMNS)
    wide = {**row, "value": Decimal("1E+80"), "text": "1" + "0" * 80, "scored": True}
    small = {**row, "value": Decimal("0.5"), "text": "0.5", "scored": True}
    table = arrow_table([wide, small])
    assert table.column("value").to_pylist() == ["1" + "0" * 80, "0.5"]
    assert str(arrow_table([small]).schema.field("value").type) == "decimal128(2, 1)"


def test_a_name_that_looks_like_a_formula_stays_text_in_the_workbook(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    text = Path(TABLE).read_text(encoding="utf-8").replace(
        "Harborview Health Partners", "=SUM(1+1)")
    table.write_text(text, encoding="utf-8")
    out = tmp_path / "v.xlsx"
    code, _, err = run("eval", CONTRACT, "--table", str(table), "--values", str(out))
    assert code == 0, err
    sheet = openpyxl.load_workbook(out)["payout"]
    names = {r[0].value for r in sheet.iter_rows(min_row=2)}
    kinds = {r[0].data_type for r in sheet.iter_rows(min_row=2)}
    assert "=SUM(1+1)" in names and kinds == {"s"}
