"""The ``eqlang`` command as a settlement analyst and an auditor use it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from eqlang.cli import main

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = "contracts/reference-equity.eq"
TABLE = "contracts/reference-equity.csv"
SCHEMA = json.loads((ROOT / "docs" / "trace.schema.json").read_text())


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


def test_trace_is_schema_valid_and_byte_identical(workdir: Path) -> None:
    assert run("eval", CONTRACT, "--table", TABLE, "--trace", "a.json")[0] == 0
    assert run("eval", CONTRACT, "--table", TABLE, "--trace", "b.json")[0] == 0
    first, second = Path("a.json").read_bytes(), Path("b.json").read_bytes()
    assert first == second
    trace = json.loads(first)
    jsonschema.validate(trace, SCHEMA)
    assert trace["contract"]["modules"][0]["path"] == "<stdlib>/hedis.eq"
    assert trace["tables"][0]["rows"] == len(Path(TABLE).read_text().splitlines()) - 1
    nodes = trace["organizations"]["Harborview Health Partners"]["nodes"]
    rate = nodes["rate(COL, Asian, baseline)"]
    assert rate["kind"] == "input"
    assert rate["rows"][0]["table"] == TABLE and rate["rows"][0]["line"] > 1
    assert rate["rows"][0]["period"] == "2022"
    payout = nodes["measure_payout(COL)"]
    assert payout["at"].startswith(f"{CONTRACT}:")
    assert "pool * rescaled_weight(m) * measure_score(m)" in payout["expr"]
    assert set(payout["uses"]) >= {"pool", "rescaled_weight(COL)", "measure_score(COL)"}


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


def test_explain_walks_from_payout_to_table_rows(workdir: Path) -> None:
    run("eval", CONTRACT, "--table", TABLE, "--trace", "t.json")
    code, out, _ = run("explain", "t.json", "measure_payout(COL)", "--org",
                       "Harborview Health Partners")
    assert code == 0
    assert out.splitlines()[1] == "measure_payout(COL) = $316,661.36"
    assert "= pool * rescaled_weight(COL) * measure_score(COL), rounded to cents half up" in out
    assert "pool = $1,000,000.00" in out and 'per "Section 4.1"' in out
    assert "row contracts/reference-equity.csv:" in out
    code, shallow, _ = run("explain", "t.json", "payout", "--org",
                           "Harborview Health Partners", "--depth", "1")
    assert code == 0 and "raise --depth" in shallow and "row contracts" not in shallow
    code, _, err = run("explain", "t.json", "payout")
    assert code == 2 and "choose one with --org" in err
    code, _, err = run("explain", "t.json", "payot", "--org", "Merrimack Valley ACO")
    assert code == 1 and "did you mean `payout`" in err


def test_verify_accepts_an_untouched_trace(workdir: Path) -> None:
    run("eval", CONTRACT, "--table", TABLE, "--trace", "t.json")
    code, out, _ = run("verify", "t.json")
    assert code == 0 and "verified" in out


def _one_character_change(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("target", "old", "new", "expected"),
    [
        (CONTRACT, "$1,000,000.00", "$1,000,000.01", "contract contracts/reference-equity.eq: "
         "changed"),
        (TABLE, "Harborview Health Partners,COL,Asian,2022,", "Harborview Health Partners,COL,"
         "Asian,2023,", "table contracts/reference-equity.csv: changed"),
        ("t.json", '"value":"956901.01"', '"value":"956901.02"', "the trace says"),
    ],
)
def test_verify_catches_a_one_character_change(workdir: Path, target: str, old: str, new: str,
                                               expected: str) -> None:
    run("eval", CONTRACT, "--table", TABLE, "--trace", "t.json")
    _one_character_change(Path(target), old, new)
    code, _, err = run("verify", "t.json")
    assert code == 1
    assert "does NOT verify" in err and expected in err


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


# ---- check and fmt on the command line ----------------------------------------------------


@pytest.mark.parametrize(("content", "code", "message"), [
    (b"", "E0006", "file is empty"),
    (b"\x00\x01binary\xff", "E0001", "NUL bytes"),
    (b"define x: number = " + b"(" * 10_000 + b"1" + b")" * 10_000 + b"\n", "E0005",
     "nested more than 150 levels deep"),
    ("define ok: text = \"Montréal\"\n".encode("latin-1"), "E0001", "not valid UTF-8"),
])
def test_check_refuses_hostile_files_without_a_traceback(workdir: Path, content: bytes,
                                                         code: str, message: str) -> None:
    Path("hostile.eq").write_bytes(content)
    exit_code, out, err = run("check", "hostile.eq")
    assert exit_code == 1
    assert f"error[{code}]" in err and message in err
    assert "Traceback" not in err + out
    assert all(len(line) < 200 for line in err.splitlines())


def test_check_refuses_a_fifty_megabyte_file_by_its_size(workdir: Path) -> None:
    with open("huge.eq", "wb") as stream:
        stream.write(b"parameter pool: money = $1.00\n")
        stream.truncate(50_000_000)  # sparse: the size is what matters
    exit_code, _, err = run("check", "huge.eq")
    assert exit_code == 1
    assert "huge.eq: error[E0001]: file is 50,000,000 bytes" in err


def test_check_reports_every_file(workdir: Path) -> None:
    Path("bad.eq").write_text("define r: money = $1.00 + 10%\n")
    exit_code, out, err = run("check", CONTRACT, "bad.eq")
    assert exit_code == 1
    assert f"{CONTRACT}: ok" in out
    assert "bad.eq:1:19: error[E0201]: cannot add money and a percent" in err


MESSY = "# terms\nparameter   pool: money=$1,000.00 # the pool\ndefine half = pool*50%\n"
TIDY = "# terms\n# the pool\nparameter pool: money = $1,000.00\n\ndefine half =\n  pool * 50%\n"


def test_fmt_prints_and_changes_nothing(workdir: Path) -> None:
    Path("messy.eq").write_text(MESSY)
    exit_code, out, _ = run("fmt", "messy.eq")
    assert (exit_code, out) == (0, TIDY)
    assert Path("messy.eq").read_text() == MESSY


def test_fmt_check(workdir: Path) -> None:
    Path("messy.eq").write_text(MESSY)
    Path("tidy.eq").write_text(TIDY)
    exit_code, _, err = run("fmt", "--check", "messy.eq")
    assert exit_code == 1 and "messy.eq: not formatted" in err
    assert run("fmt", "--check", "tidy.eq")[0] == 0
    assert Path("messy.eq").read_text() == MESSY


def test_fmt_write_rewrites_in_place_atomically(workdir: Path) -> None:
    path = Path("messy.eq")
    path.write_text(MESSY)
    path.chmod(0o640)
    Path("link.eq").symlink_to(path)
    assert run("fmt", "--write", "link.eq")[0] == 0
    assert path.read_text() == TIDY
    assert Path("link.eq").is_symlink()
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in workdir.iterdir()) == ["contracts", "link.eq", "messy.eq"]
    # Idempotent: a second run leaves the file as it is.
    assert run("fmt", "--write", "messy.eq")[0] == 0
    assert path.read_text() == TIDY


def test_fmt_write_leaves_a_broken_file_alone(workdir: Path) -> None:
    Path("broken.eq").write_text("define x = (1 +\n")
    exit_code, _, err = run("fmt", "--write", "broken.eq")
    assert exit_code == 1 and "error[E0003]" in err
    assert Path("broken.eq").read_text() == "define x = (1 +\n"
    assert sorted(p.name for p in workdir.iterdir()) == ["broken.eq", "contracts"]
