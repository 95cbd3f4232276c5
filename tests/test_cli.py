"""The ``eqlang`` command as a settlement analyst and an auditor use it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from eqlang.cli import main

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = "contracts/reference-equity.eq"
TABLE = "contracts/reference-equity.csv"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the reference contract and table, so tests may change them."""
    (tmp_path / "contracts").mkdir()
    shutil.copy(ROOT / CONTRACT, tmp_path / CONTRACT)
    shutil.copy(ROOT / TABLE, tmp_path / TABLE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_eval_prints_a_settlement_summary(workdir: Path) -> None:
    code, out, _ = run("eval", CONTRACT, "--table", TABLE)
    assert code == 0
    assert "Organization: Harborview Health Partners" in out
    assert "payout" in out and "$956,901.01" in out
    assert "measure_score" in out  # the per-measure table
    assert "HBD" in out
    # Merrimack's HBD has no scorable focus group: said, with the reason.
    merrimack = out.split("Organization: Merrimack Valley ACO")[1].split("Organization:")[0]
    assert "Not scored:" in merrimack
    assert "no focus group has 30 members in both periods" in merrimack


def test_eval_json_uses_decimal_strings_and_not_scored_objects(workdir: Path) -> None:
    code, out, _ = run("eval", CONTRACT, "--table", TABLE, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["Harborview Health Partners"]["payout"] == "956901.01"
    assert data["Harborview Health Partners"]["measure_payout"]["CBP"] == "350000.00"
    hbd = data["Merrimack Valley ACO"]["measure_payout"]["HBD"]
    assert set(hbd) == {"not_scored"}


def test_org_filter_and_unknown_org(workdir: Path) -> None:
    code, out, _ = run("eval", CONTRACT, "--table", TABLE, "--json", "--org",
                       "Pioneer Valley Physicians")
    assert code == 0
    assert list(json.loads(out)) == ["Pioneer Valley Physicians"]
    code, _, err = run("eval", CONTRACT, "--table", TABLE, "--org", "Pioneer Valley Physician")
    assert code == 1
    assert "E0602" in err and "did you mean `Pioneer Valley Physicians`" in err


def test_set_overrides_a_parameter_and_is_type_checked(workdir: Path) -> None:
    code, out, _ = run("eval", CONTRACT, "--table", TABLE, "--json", "--set",
                       "pool=$2,000,000.00", "--trace", "t.json")
    assert code == 0
    # The oracle with a $2,000,000.00 pool gives 633,322.72 + 700,000.00 + 580,479.29: HBD's
    # unrounded share is 580,479.2946..., so doubling does not simply double the cents.
    assert json.loads(out)["Harborview Health Partners"]["payout"] == "1913802.01"
    trace = json.loads(Path("t.json").read_text())
    assert trace["overrides"] == {"pool": "$2,000,000.00"}
    code, _, err = run("eval", CONTRACT, "--table", TABLE, "--set", "pool=35%")
    assert code == 1
    assert "E0601" in err and "`pool` is money" in err
    code, _, err = run("eval", CONTRACT, "--table", TABLE, "--set", "small_gap=2%")
    assert code == 1 and "percentage points" in err
    code, _, err = run("eval", CONTRACT, "--table", TABLE, "--set", "pol=$1")
    assert code == 1 and "did you mean `pool`" in err


def test_nothing_is_written_on_error_and_inputs_are_never_overwritten(workdir: Path) -> None:
    Path("broken.csv").write_text("org,measure,group,period,numerator,denominator\n"
                                  "A,COL,ALL,2022,5,3\n")
    code, _, err = run("eval", CONTRACT, "--table", "broken.csv", "--trace", "t.json")
    assert code == 1 and "E0504" in err
    assert not Path("t.json").exists()
    before = Path(TABLE).read_bytes()
    code, _, err = run("eval", CONTRACT, "--table", TABLE, "--trace", TABLE)
    assert code == 1 and "refusing to overwrite the input file" in err
    assert Path(TABLE).read_bytes() == before
    assert not list(Path("contracts").glob(".*"))  # no temporary file left behind


def test_missing_all_row_names_organization_measure_and_period(workdir: Path) -> None:
    lines = Path(TABLE).read_text().splitlines(keepends=True)
    kept = [ln for ln in lines if not ln.startswith("Harborview Health Partners,CBP,ALL,2024")]
    Path(TABLE).write_text("".join(kept))
    code, _, err = run("eval", CONTRACT, "--table", TABLE)
    assert code == 1
    assert "E0402" in err
    assert "organization Harborview Health Partners, measure CBP, period 2024" in err
    assert f"{CONTRACT}:" in err


def test_usage_errors_exit_2_and_bad_files_exit_1(workdir: Path) -> None:
    assert run("eval", CONTRACT)[0] == 2
    assert run("frobnicate")[0] == 2
    code, _, err = run("eval", "nope.eq", "--table", TABLE)
    assert code == 1 and "nope.eq" in err and "no such file" in err
    Path("junk.json").write_bytes(b"\x00\xff")
    code, _, err = run("verify", "junk.json")
    assert code == 1 and "E0701" in err


def test_console_entry_point_runs_without_traceback(workdir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "eqlang", "eval", CONTRACT, "--table", TABLE, "--json"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Cape and Islands Care Network"]["payout"] == "434575.48"
