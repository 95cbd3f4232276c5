"""`eqlang whatif`: scenario files, their lanes, and each scenario beside the baseline."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from cli_run import run, shipped_inputs

from eqlang.api import load_contract, parse_override, settle
from eqlang.tools.lanes import Lane, lane_tables, settle_lanes
from eqlang.tools.scenarios import read_scenarios

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "contracts" / "reference-equity.eq"
TABLE = str(REFERENCE.with_suffix(".csv"))
SHIPPED = sorted((ROOT / "contracts").glob("*.eq"))
SCENARIOS = """
[[scenario]]
name = "Black members' CBP rate 3 points higher"
[[scenario.change]]
measure = "CBP"
group = "Black"
period = "performance"
rate = "+3 pp"

[[scenario]]
name = "A larger pool"
set = { pool = "$1,200,000.00" }
"""


def scenario_file(tmp_path: Path, text: str = SCENARIOS) -> Path:
    path = tmp_path / "scenarios.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_rate_change_moves_the_group_and_its_all_row(tmp_path: Path) -> None:
    program = load_contract(REFERENCE)
    base = settle(program, [TABLE]).tables
    first = read_scenarios(scenario_file(tmp_path), program, base, parse_override)[0]
    org = "Harborview Health Partners"
    black = base.lookup(org, "CBP", "Black", "2024")
    whole = base.lookup(org, "CBP", "ALL", "2024")
    assert black is not None and whole is not None
    changed = lane_tables(base, first.lane)
    new_black = changed.lookup(org, "CBP", "Black", "2024")
    new_whole = changed.lookup(org, "CBP", "ALL", "2024")
    assert new_black is not None and new_whole is not None
    added = black.denominator * Decimal("0.03")
    assert new_black.numerator == black.numerator + added
    assert new_black.denominator == black.denominator
    assert new_whole.numerator == whole.numerator + added
    # Other cells are the base's.
    assert changed.lookup(org, "CBP", "Black", "2022") == base.lookup(org, "CBP", "Black", "2022")


def test_whatif_sets_each_scenario_beside_the_baseline(tmp_path: Path) -> None:
    code, out, err = run("whatif", str(REFERENCE), "--table", TABLE, "--scenario",
                         str(scenario_file(tmp_path)))
    assert code == 0, err
    assert "Scenario 1: Black members' CBP rate 3 points higher" in out
    assert "  pool set to $1,200,000.00" in out
    lines = {line.split("  ")[1]: line for line in out.splitlines()
             if line.startswith("  ") and "$" in line}
    assert "$956,901.01" in lines["Harborview Health Partners"]
    total = lines["total"].split()
    assert total[1] == "$2,805,429.07"


def test_the_json_form_and_the_engine_agree_with_eval(tmp_path: Path) -> None:
    code, out, err = run("whatif", str(REFERENCE), "--table", TABLE, "--scenario",
                         str(scenario_file(tmp_path)), "--json")
    assert code == 0, err
    data = json.loads(out)
    code, baseline, _ = run("eval", str(REFERENCE), "--table", TABLE, "--json")
    assert data["baseline"] == json.loads(baseline)
    code, larger, _ = run("eval", str(REFERENCE), "--table", TABLE, "--json", "--set",
                          "pool=$1,200,000.00")
    assert data["scenarios"][1]["outputs"] == json.loads(larger)
    assert data["totals"]["payout"]["baseline"] == "2805429.07"


def test_the_engine_settles_a_lane_as_eval_settles_its_tables() -> None:
    program = load_contract(REFERENCE)
    run_ = settle(program, [TABLE])
    cells = {("Merrimack Valley ACO", "HBD", "Asian", "2022"): (Decimal(10), Decimal(40)),
             ("Merrimack Valley ACO", "HBD", "Asian", "2024"): (Decimal(9), Decimal(41))}
    lane = Lane("bigger Asian HBD group", cells=cells)
    [settled] = settle_lanes(program, run_.tables, [lane], run_.organizations)
    again = settle(program, lane_tables(run_.tables, lane))
    assert [s.outputs for s in settled.settlements] == [s.outputs for s in again.settlements]


@pytest.mark.parametrize(("text", "expected"), [
    ("[[scenario]]\nname = \"x\"\n[[scenario.change]]\nrate = \"+3 points\"\n",
     'scenario 1 ("x"), change 1: rate: `+3 points` is not a change eqlang can make'),
    ("[[scenario]]\nname = \"x\"\n[[scenario.change]]\nmeasure = \"CPB\"\nrate = \"+3 pp\"\n",
     "there is no measure `CPB`"),
    ("[[scenario]]\nname = \"x\"\nset = { pool = \"35%\" }\n", "set.pool"),
    ("[[scenario]]\nname = \"x\"\n", "changes nothing"),
    ("[[scenario]\n", "not valid TOML"),
    ("[[scenario]]\nname = \"x\"\n[[scenario.change]]\norganization = \"Nobody\"\n"
     "rate = \"+1 pp\"\n", 'organization "Nobody" is not in the measure tables'),
])
def test_a_bad_scenario_file_is_refused_with_where_and_why(tmp_path: Path, text: str,
                                                           expected: str) -> None:
    code, out, err = run("whatif", str(REFERENCE), "--table", TABLE, "--scenario",
                         str(scenario_file(tmp_path, text)))
    assert code == 1 and out == ""
    assert "E0620" in err and expected in err, err


@pytest.mark.parametrize("contract", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_contract_runs_a_scenario(tmp_path: Path, contract: Path) -> None:
    text = "[[scenario]]\nname = \"fewer members\"\n[[scenario.change]]\n" \
        "denominators = \"x 0.9\"\n[[scenario]]\nname = \"better rates\"\n" \
        "[[scenario.change]]\nrate = \"+2 pp\"\nperiod = \"performance\"\n"
    code, out, err = run("whatif", str(contract), *shipped_inputs(contract),
                         "--scenario", str(scenario_file(tmp_path, text)), "--json")
    assert code == 0, err
    assert [s["name"] for s in json.loads(out)["scenarios"]] == ["fewer members",
                                                                 "better rates"]


def test_a_directory_binary_or_huge_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "binary.toml").write_bytes(b"\xff\xfe\x00junk")
    (tmp_path / "huge.toml").write_text("#" * (5 * 2**20), encoding="utf-8")
    for path, said in ((tmp_path, "this is a directory"),
                       (tmp_path / "binary.toml", "not UTF-8 text"),
                       (tmp_path / "huge.toml", "larger than 4 MiB"),
                       (tmp_path / "missing.toml", "no such scenario file")):
        code, _, err = run("whatif", str(REFERENCE), "--table", TABLE, "--scenario", str(path))
        assert code == 1 and "E0620" in err and said in err, err
