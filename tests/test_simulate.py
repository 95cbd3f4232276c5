"""`eqlang simulate`: payout ranges under sampling noise, reproducible from the seed."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from cli_run import run, shipped_inputs

from eqlang.api import load_contract, settle
from eqlang.tools.lanes import exact_lane, settle_lanes
from eqlang.tools.simulate import Method, draw, drawn_rows, lanes

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "contracts" / "reference-equity.eq"
TABLE = str(REFERENCE.with_suffix(".csv"))
SHIPPED = sorted((ROOT / "contracts").glob("*.eq"))


def simulate(*extra: str, table: str = TABLE, contract: Path = REFERENCE) -> dict:
    inputs = shipped_inputs(contract)[2:] if table == str(contract.with_suffix(".csv")) else []
    code, out, err = run("simulate", str(contract), "--table", table, *inputs, "--json",
                         *extra)
    assert code == 0, err
    return json.loads(out)


def test_the_same_seed_gives_the_same_ranges_and_says_how() -> None:
    first = simulate("--draws", "30", "--seed", "11")
    assert first == simulate("--draws", "30", "--seed", "11")
    assert first != simulate("--draws", "30", "--seed", "12")
    assert (first["method"], first["draws"], first["seed"]) == ("binomial", 30, 11)
    _, text, _ = run("simulate", str(REFERENCE), "--table", TABLE, "--draws", "30",
                        "--seed", "11")
    assert "30 draws, seed 11; binomial: each group's numerator drawn" in text


def test_draws_are_binomial_given_the_denominator() -> None:
    program = load_contract(REFERENCE)
    tables = settle(program, [TABLE]).tables
    rows = drawn_rows(program, tables, tables.organizations())
    shares = np.concatenate(list(draw(rows, Method("binomial", 4000, 5))))
    assert shares.shape == (4000, len(rows))
    members = np.rint([float(r.denominator) for r in rows])
    observed = np.array([float(r.numerator / r.denominator) for r in rows])
    # Each share is a whole number of members over N, centred on the observed rate with
    # the binomial's spread.
    assert np.allclose(np.rint(shares * members), shares * members)
    assert np.all(np.abs(shares.mean(axis=0) - observed) < 4 * np.sqrt(
        observed * (1 - observed) / members / 4000) + 1e-9)
    assert np.allclose(shares.std(axis=0), np.sqrt(observed * (1 - observed) / members),
                       rtol=0.1)


def test_all_rows_move_with_their_groups() -> None:
    program = load_contract(REFERENCE)
    tables = settle(program, [TABLE]).tables
    org = "Harborview Health Partners"
    [lane] = list(lanes(program, tables, [org], Method("binomial", 1, 2)))
    for measure in program.contract_measures:
        for period in ("2022", "2024"):
            groups = [r for t in tables.tables for r in t.rows if r.org == org
                      and r.measure == measure and r.period == period and r.group != "ALL"]
            change = sum(lane.cells[r.key][0] - r.numerator for r in groups)
            whole = tables.lookup(org, measure, "ALL", period)
            assert whole is not None
            assert lane.cells[(org, measure, "ALL", period)][0] == whole.numerator + change


def test_with_very_large_denominators_the_range_collapses_onto_the_settlement(
        tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    with open(TABLE, encoding="utf-8", newline="") as source, \
            big.open("w", encoding="utf-8", newline="") as target:
        reader, writer = csv.reader(source), csv.writer(target)
        writer.writerow(next(reader))
        for row in reader:
            row[4] = str(Decimal(row[4]) * 10**14)
            row[5] = str(Decimal(row[5]) * 10**14)
            writer.writerow(row)
    data = simulate("--draws", "20", "--seed", "1", table=str(big))
    for org, found in data["organizations"].items():
        settled = Decimal(found["settled"])
        for key in ("mean", "p5", "p50", "p95"):
            # Within a millionth: the spread of a rate shrinks as one over the root of N.
            assert abs(Decimal(found[key]) - settled) <= settled / 10**6, (org, key, found)


def test_beta_binomial_states_its_prior() -> None:
    data = simulate("--draws", "10", "--method", "beta-binomial", "--prior", "1,1")
    assert data["method"] == "beta-binomial" and data["prior"] == {"a": 1.0, "b": 1.0}
    code, _, err = run("simulate", str(REFERENCE), "--table", TABLE, "--prior", "1,1")
    assert code == 2 and "beta-binomial only" in err
    code, _, err = run("simulate", str(REFERENCE), "--table", TABLE, "--method",
                       "beta-binomial", "--prior", "0,1")
    assert code == 2 and "two positive numbers" in err


def test_tiers_are_counted_for_a_contract_with_schedules() -> None:
    contract = ROOT / "contracts" / "bluecross-bilh.eq"
    data = simulate("--draws", "10", contract=contract, table=str(contract.with_suffix(".csv")))
    tiers = {name for found in data["organizations"].values() for name in found["tiers"]}
    assert any(name.startswith("disparity_tier ") for name in tiers)


def test_the_engine_settles_each_draw_as_the_exact_backend_does() -> None:
    program = load_contract(REFERENCE)
    run_ = settle(program, [TABLE])
    drawn = list(lanes(program, run_.tables, run_.organizations, Method("binomial", 3, 9)))
    settled = settle_lanes(program, run_.tables, drawn, run_.organizations)
    for lane, result in zip(drawn, settled, strict=True):
        reference = exact_lane(program, run_.tables, lane, run_.organizations)
        assert [s.outputs for s in result.settlements] == [
            s.outputs for s in reference.settlements]


@pytest.mark.parametrize("contract", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_contract_simulates(contract: Path) -> None:
    data = simulate("--draws", "4", contract=contract, table=str(contract.with_suffix(".csv")))
    assert data["organizations"]


def test_denominators_past_int64_are_drawn_without_overflow() -> None:
    from eqlang.data.tables import Row

    rows = [Row("A", "COL", "Black", "2024", Decimal("5E+29"), Decimal("1E+30"), "t", 1)]
    shares = next(draw(rows, Method("binomial", 5, 1)))
    assert np.all(np.abs(shares - 0.5) < 1e-6)
