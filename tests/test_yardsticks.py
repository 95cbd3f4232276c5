"""The benchmark's tables and yardsticks (bench/): the generated tables look like the shipped
one, and the hand-written pandas and numpy versions of the reference contract settle to the
cent what eqlang settles. Nothing here is timed; bench/bench_eval.py times them.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import yardstick_numpy
import yardstick_pandas
from lanes import draw, eqlang_lanes, lane_tables, lanes_differ
from reference_terms import differences

from eqlang.api import load_contract, settle
from eqlang.tools.synthetic import reference_table
from eqlang.tools.testing import from_csv

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "contracts" / "reference-equity.eq"
SAMPLE = ROOT / "contracts" / "reference-equity.csv"


@pytest.fixture(scope="module")
def contract():
    return load_contract(str(CONTRACT))


@pytest.fixture(scope="module")
def table_200(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "reference-200.csv"
    path.write_text(reference_table(200, seed=7).text(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def eqlang_200(contract, table_200: Path) -> dict:
    return settle(contract, [str(table_200)]).outputs_json()


# ---- the generated tables ----------------------------------------------------------------


def test_generated_tables_have_the_shipped_shape(table_200: Path) -> None:
    tables = from_csv(table_200.read_text(encoding="utf-8"))
    rows = tables.tables[0].rows
    shipped = from_csv(SAMPLE.read_text(encoding="utf-8")).tables[0].rows
    assert {(r.measure, r.group, r.period) for r in rows} \
        == {(r.measure, r.group, r.period) for r in shipped}
    assert len(tables.organizations()) == 200
    # About 40.5 rows an organization, as in issue 12's table: some groups have no row.
    assert 39.5 < len(rows) / 200 < 41.5
    # Imputed group counts, whole ALL rows at least their groups, and small groups.
    assert any(r.denominator != r.denominator.to_integral_value() for r in rows)
    assert any(0 < r.denominator < 30 for r in rows if r.group in ("Asian", "Black"))
    for r in rows:
        if r.group == "ALL":
            assert r.denominator == r.denominator.to_integral_value()
            parts = [tables.lookup(r.org, r.measure, g, r.period)
                     for g in tables.groups(r.org, r.measure, r.period) if g != "ALL"]
            assert sum(p.denominator for p in parts if p) <= r.denominator
            assert sum(p.numerator for p in parts if p) <= r.numerator


def test_generated_tables_are_deterministic() -> None:
    assert reference_table(30, seed=1).text() == reference_table(30, seed=1).text()
    assert reference_table(30, seed=1).text() != reference_table(30, seed=2).text()


def test_generated_tables_exercise_every_path(eqlang_200: dict) -> None:
    """Measures paid in full, in part, nothing and not scored, and organizations paid
    nothing because no measure was scored."""
    kinds = Counter()
    for values in eqlang_200.values():
        for amount in values["measure_payout"].values():
            kinds["not scored" if isinstance(amount, dict) else
                  "nothing" if amount == "0.00" else "paid"] += 1
        scored = [a for a in values["measure_payout"].values() if not isinstance(a, dict)]
        kinds["nothing scored"] += not scored
    assert min(kinds["paid"], kinds["nothing"], kinds["not scored"],
               kinds["nothing scored"]) > 0, kinds


# ---- the pandas yardstick ----------------------------------------------------------------


def test_pandas_settles_the_sample_table_as_eqlang_does(contract) -> None:
    eqlang = settle(contract, [str(SAMPLE)]).outputs_json()
    assert yardstick_pandas.settle(SAMPLE) == eqlang


def test_pandas_settles_a_generated_table_to_the_cent(eqlang_200: dict, table_200: Path
                                                     ) -> None:
    assert differences(eqlang_200, yardstick_pandas.settle(table_200)) == []


def test_pandas_prints_what_eqlang_eval_json_prints(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from eqlang.cli import main

    out = tmp_path / "pandas.json"
    yardstick_pandas.main([str(SAMPLE), "--output", str(out)])
    result = CliRunner().invoke(main, ["eval", str(CONTRACT), "--table", str(SAMPLE),
                                       "--json"])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == result.output


def test_differences_finds_a_cent_and_a_measure_not_scored() -> None:
    settled = yardstick_pandas.settle(SAMPLE)
    changed = json.loads(json.dumps(settled))
    org = "Harborview Health Partners"
    changed[org]["measure_payout"]["COL"] = "316661.37"
    changed["Merrimack Valley ACO"]["measure_payout"]["HBD"] = "0.00"
    assert differences(settled, changed) == [
        "Harborview Health Partners: measure_payout(COL) is $316661.36 against $316661.37",
        "Merrimack Valley ACO: measure_payout(HBD) is not scored against $0.00",
    ]
    del changed[org]
    assert differences(settled, changed)[0] == f"organization {org!r} is only in the first"


def test_pandas_refuses_a_table_without_an_all_row(tmp_path: Path) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "no-all.csv"
    path.write_text("\n".join(line for line in lines if ",HBD,ALL,2024," not in line) + "\n",
                    encoding="utf-8")
    with pytest.raises(SystemExit, match=r"no ALL row for organization .*, measure HBD, "
                                          r"period 2024"):
        yardstick_pandas.settle(path)


# ---- scenario lanes and the numpy yardstick ----------------------------------------------


@pytest.fixture(scope="module")
def lanes(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("lanes") / "reference-30.csv"
    path.write_text(reference_table(30, seed=11).text(), encoding="utf-8")
    return draw(path, lanes=40, seed=3)


def test_lane_zero_is_the_observed_table_and_the_others_are_valid_tables(lanes) -> None:
    observed = lanes.rows
    assert lanes.numerators[0].tolist() == [float(r.numerator) for r in observed]
    assert not np.array_equal(lanes.numerators[1], lanes.numerators[2])
    assert (lanes.numerators <= lanes.denominators).all() and (lanes.numerators >= 0).all()
    for lane in (1, 39):
        tables = lane_tables(lanes, lane)
        for row in tables.tables[0].rows:
            if row.group != "ALL":
                assert row.numerator == row.numerator.to_integral_value()
                whole = tables.lookup(row.org, row.measure, "ALL", row.period)
                assert row.numerator <= whole.numerator
                assert row.denominator - row.numerator <= whole.denominator - whole.numerator


def test_lanes_are_drawn_from_the_seed(lanes) -> None:
    again = draw(lane_tables(lanes, 0), lanes=40, seed=3)
    assert np.array_equal(again.numerators, lanes.numerators)
    other = draw(lane_tables(lanes, 0), lanes=40, seed=4)
    assert not np.array_equal(other.numerators, lanes.numerators)


def test_numpy_settles_lanes_as_eqlang_does_to_the_cent(contract, lanes) -> None:
    settled = yardstick_numpy.settle(lanes)
    assert settled.payout.shape == (40, 30)
    assert settled.measure_payout.shape == (3, 40, 30)
    for lane in (0, 1, 17, 39):
        exact = settle(contract, lane_tables(lanes, lane)).outputs_json()
        assert differences(exact, settled.of_lane(lane)) == [], lane
    # The lanes differ from one another, as draws of a table do.
    assert len({tuple(settled.payout[lane]) for lane in range(40)}) > 30


def test_lanes_differ_finds_a_changed_cent(lanes) -> None:
    settled = yardstick_numpy.settle(lanes)
    assert lanes_differ(settled, settled) == []
    changed = yardstick_numpy.settle(lanes)
    changed.payout[5, 2] += 1
    assert lanes_differ(settled, changed) == [
        f"payout at (5, 2): {settled.payout[5, 2]} against {settled.payout[5, 2] + 1} cents"]


def test_eqlang_lanes_give_the_yardstick_s_cents(lanes) -> None:
    """The columnar backend's float64 lanes give the same cents as the numpy yardstick in
    every lane."""
    assert lanes_differ(yardstick_numpy.settle(lanes), eqlang_lanes(CONTRACT, lanes)) == []
