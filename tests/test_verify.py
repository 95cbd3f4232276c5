"""`eqlang verify`: a trace re-derived from its inputs, and every one-character change caught."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_run import run
from contract_lines import line_of

import eqlang.syntax.modules
from eqlang.api import explain_trace, verify_trace
from eqlang.syntax.parser_tables import data_path

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = "contracts/reference-equity.eq"
PAYOUT_LINE = line_of(CONTRACT, "output measure_payout(")
TABLE = "contracts/reference-equity.csv"
SHOWCASE = "contracts/showcase.eq"
SHOWCASE_TABLE = "contracts/showcase.csv"
MODULE = "contracts/lib/plan_measures.eq"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Copies of the contracts, tables and standard library, so tests may change them."""
    for name in (CONTRACT, TABLE, SHOWCASE, SHOWCASE_TABLE, MODULE):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    stdlib = tmp_path / "stdlib"
    shutil.copytree(data_path("stdlib"), stdlib)
    real = eqlang.syntax.modules.data_path
    monkeypatch.setattr(eqlang.syntax.modules, "data_path",
                        lambda kind: stdlib if kind == "stdlib" else real(kind))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def change_one_character(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` by ``new``, which differs from it in one character."""
    assert len(old) == len(new) and sum(a != b for a, b in zip(old, new, strict=True)) == 1
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def settle_with_trace(contract: str = CONTRACT, table: str = TABLE) -> None:
    code, _, err = run("eval", contract, "--table", table, "--trace", "t.json")
    assert code == 0, err


def verify_fails(*expected: str) -> str:
    code, out, err = run("verify", "t.json")
    assert code == 1, out
    assert err.startswith("t.json: does NOT verify\n")
    for text in expected:
        assert text in err, err
    return err


def test_an_untouched_trace_verifies(workdir: Path) -> None:
    settle_with_trace()
    code, out, _ = run("verify", "t.json")
    assert code == 0
    assert out == ("t.json: verified: the contract contracts/reference-equity.eq, 1 module, "
                   "1 table (168 rows) and every value of 4 organizations match the trace\n")


def test_a_changed_contract_is_named_with_both_hashes_and_the_values_it_moved(
        workdir: Path) -> None:
    settle_with_trace()
    before = json.loads(Path("t.json").read_text())["contract"]["sha256"]
    change_one_character(workdir / CONTRACT, "$1,000,000.00", "$1,000,000.01")
    verify_fails(f"contract {CONTRACT}: its SHA-256 is ", f"the trace records {before}",
                 "Merrimack Valley ACO: output payout: value: the trace says "
                 '"889722.48", re-deriving gives "889722.50"')


def test_a_change_to_a_comment_of_the_contract_is_caught_by_its_hash(workdir: Path) -> None:
    settle_with_trace()
    change_one_character(workdir / CONTRACT, "are illustrative, not", "are illustrativE, not")
    err = verify_fails(f"contract {CONTRACT}: its SHA-256 is ")
    assert err.count("\n  - ") == 1  # nothing else differs


def test_a_changed_standard_library_module_is_caught(workdir: Path) -> None:
    settle_with_trace()
    change_one_character(workdir / "stdlib" / "hedis.eq", "Colorectal cancer screening",
                         "Colorectal cancer screeninG")
    verify_fails("module <stdlib>/hedis.eq: its SHA-256 is ")


def test_a_changed_module_beside_the_contract_is_caught(workdir: Path) -> None:
    settle_with_trace(SHOWCASE, SHOWCASE_TABLE)
    change_one_character(workdir / MODULE, "minimum denominator 30", "minimum denominator 31")
    verify_fails("module lib/plan_measures.eq: its SHA-256 is ")


def test_a_changed_table_is_caught_with_the_values_it_moved(workdir: Path) -> None:
    settle_with_trace()
    change_one_character(workdir / TABLE, "Harborview Health Partners,COL,Asian,2022,256.734",
                         "Harborview Health Partners,COL,Asian,2022,256.735")
    verify_fails(f"table {TABLE}: its SHA-256 is ",
                 "Harborview Health Partners: value rate(COL, Asian, baseline): rows[0]."
                 'numerator: the trace says "256.734", re-deriving gives "256.735"',
                 "Harborview Health Partners: value closure(COL, Asian): value: the trace says "
                 '"0.60525284785509727881696014620216"')


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param('"payout":{"node":"payout","value":{"type":"money","value":"956901.01"',
                     '"payout":{"node":"payout","value":{"type":"money","value":"956901.02"',
                     'Harborview Health Partners: output payout: value: the trace says '
                     '"956901.02", re-deriving gives "956901.01"', id="an output value"),
        pytest.param('"line":60,', '"line":61,',
                     "Harborview Health Partners: value denominator(COL, Asian, baseline): "
                     "rows[0].line: the trace says 61, re-deriving gives 60", id="a row line"),
        pytest.param('"numerator":"256.734"', '"numerator":"256.735"',
                     "rows[0].numerator: the trace says \"256.735\"", id="a row count"),
        pytest.param('"rows":168', '"rows":167',
                     "tables[0].rows: the trace says 167, re-deriving gives 168",
                     id="a table's row count"),
        pytest.param(f'"at":"contracts/reference-equity.eq:{PAYOUT_LINE}:1"',
                     f'"at":"contracts/reference-equity.eq:{PAYOUT_LINE + 1}:1"',
                     "value measure_payout(CBP): at: the trace says", id="a source location"),
        pytest.param('"uses":["pool",', '"uses":["pooL",', "uses[0]: the trace says \"pooL\"",
                     id="a use"),
    ],
)
def test_a_one_character_change_to_the_trace_is_caught(workdir: Path, old: str, new: str,
                                                       expected: str) -> None:
    settle_with_trace()
    change_one_character(Path("t.json"), old, new)
    verify_fails(expected)


def test_a_changed_settlement_date_in_the_trace_is_caught(workdir: Path) -> None:
    settle_with_trace(SHOWCASE, SHOWCASE_TABLE)
    # From 2025-07-01 the second amendment raises the pool.
    change_one_character(Path("t.json"), '"as_of":"2025-06-30"', '"as_of":"2025-07-30"')
    verify_fails('value pool: value: the trace says "1650000.00", re-deriving gives '
                 '"1800000.00"')


def test_a_changed_hash_in_the_trace_is_caught(workdir: Path) -> None:
    settle_with_trace()
    trace = Path("t.json")
    data = json.loads(trace.read_text())
    for where, kind, path in ((data["contract"], "contract", CONTRACT),
                              (data["contract"]["modules"][0], "module", "<stdlib>/hedis.eq"),
                              (data["tables"][0], "table", TABLE)):
        digest = where["sha256"]
        changed = ("0" if digest[0] != "0" else "1") + digest[1:]
        settle_with_trace()
        change_one_character(trace, f'"sha256":"{digest}"', f'"sha256":"{changed}"')
        verify_fails(f"{kind} {path}: its SHA-256 is {digest}, the trace records {changed}")


def test_the_version_and_the_layout_of_the_trace_are_checked(workdir: Path) -> None:
    settle_with_trace()
    text = Path("t.json").read_text()
    Path("t.json").write_text(text.replace('"eqlang_version":"', '"eqlang_version":"9', 1))
    verify_fails("the trace was written by eqlang 9")
    Path("t.json").write_text(json.dumps(json.loads(text), indent=2, sort_keys=True))
    verify_fails("the file's content matches, but it is not byte for byte what eqlang writes")


def test_a_trace_travels_with_its_inputs(workdir: Path, tmp_path_factory: pytest.TempPathFactory,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    settle_with_trace()
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(elsewhere)
    code, out, _ = run("verify", str(workdir / "t.json"))
    assert code == 0 and "verified" in out


def test_a_missing_input_is_reported(workdir: Path) -> None:
    settle_with_trace()
    (workdir / TABLE).unlink()
    verify_fails(f"table {TABLE}: cannot be read (no such file), so the values cannot be "
                 "re-derived")


def test_inputs_not_found_from_another_directory_say_where_to_run(
        workdir: Path, tmp_path_factory: pytest.TempPathFactory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    settle_with_trace()
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "t.json").write_bytes((workdir / "t.json").read_bytes())
    monkeypatch.chdir(elsewhere)
    code, _, err = run("verify", "t.json")
    assert code == 1
    assert (f"- table {TABLE}: cannot be read (no such file), so the values cannot be "
            "re-derived; inputs are read only inside the trace's folder, or the folder named "
            "with --inputs DIR: name the folder `eqlang eval` ran in, or keep the inputs "
            "beside the trace") in err
    code, out, err = run("verify", "t.json", "--inputs", str(workdir))
    assert code == 0 and "verified" in out, err


def test_overrides_organizations_and_settlement_date_are_replayed(workdir: Path) -> None:
    code, _, err = run("eval", CONTRACT, "--table", TABLE, "--trace", "t.json", "--org",
                       "Pioneer Valley Physicians", "--set", "pool=$2,000,000.00", "--as-of",
                       "2024-06-30")
    assert code == 0, err
    code, out, _ = run("verify", "t.json")
    assert code == 0 and "every value of 1 organization match" in out
    change_one_character(Path("t.json"), '"pool":"$2,000,000.00"', '"pool":"$3,000,000.00"')
    verify_fails("Pioneer Valley Physicians: output payout: value:")


def test_a_damaged_trace_is_refused_with_a_diagnostic(workdir: Path) -> None:
    settle_with_trace()
    data = json.loads(Path("t.json").read_text())
    del data["tables"][0]["sha256"]
    Path("t.json").write_text(json.dumps(data))
    code, _, err = run("verify", "t.json")
    assert code == 1 and "E0701" in err and "`tables[0].sha256` is missing or malformed" in err
    Path("t.json").write_text('{"format": "eqlang-trace/0"}')
    code, _, err = run("verify", "t.json")
    assert code == 1 and "not an eqlang trace of format eqlang-trace/1" in err
    Path("t.json").write_text('{"format": "eqlang-trace/1", "contract": ')
    code, _, err = run("verify", "t.json")
    assert code == 1 and "not a JSON trace" in err


@pytest.mark.parametrize(("part", "damage"), [
    ("nodes", lambda org: org.update(nodes=7)),
    ("node", lambda org: org["outputs"]["measure_payout"].update(CBP={})),
    ("row", lambda org: org["nodes"]["rate(CBP, Black, baseline)"].update(rows=[{}])),
    ("value", lambda org: org["nodes"]["pool"].update(value={"type": "money"})),
], ids=lambda value: value if isinstance(value, str) else "")
def test_a_trace_damaged_deep_inside_gets_a_diagnostic_from_explain_and_verify(
        workdir: Path, part: str, damage: Callable[[dict[str, Any]], None]) -> None:
    # Edited by hand where the outline check does not look: E0701, never a traceback.
    settle_with_trace()
    data = json.loads(Path("t.json").read_text())
    damage(data["organizations"]["Harborview Health Partners"])
    Path("t.json").write_text(json.dumps(data))
    code, out, err = run("explain", "t.json", "measure_payout", "--org",
                         "Harborview Health Partners")
    assert (code, out) == (1, ""), out
    assert "error[E0701]: the trace is damaged" in err, err
    code, _, err = run("verify", "t.json")
    assert code == 1 and "Traceback" not in err


def test_an_output_with_no_values_says_so(workdir: Path) -> None:
    settle_with_trace()
    data = json.loads(Path("t.json").read_text())
    data["organizations"]["Harborview Health Partners"]["outputs"]["measure_payout"] = {}
    Path("t.json").write_text(json.dumps(data))
    code, out, err = run("explain", "t.json", "measure_payout", "--org",
                         "Harborview Health Partners")
    assert (code, out) == (1, "")
    assert "error[E0702]: output `measure_payout` has no values in this trace" in err


def test_the_api_reports_the_same(workdir: Path) -> None:
    settle_with_trace()
    assert verify_trace("t.json").ok
    change_one_character(Path("t.json"), '"value":"956901.01"', '"value":"956901.00"')
    result = verify_trace("t.json")
    assert not result.ok
    assert any("956901.00" in problem for problem in result.problems)


def _rewrite(change: object) -> None:
    """Edit the trace as data and write it back canonically, as a careful forger would."""
    from eqlang.trace.writer import dumps

    data = json.loads(Path("t.json").read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    Path("t.json").write_text(dumps(data), encoding="utf-8")


def test_an_organization_removed_from_the_trace_is_caught(workdir: Path) -> None:
    settle_with_trace()
    _rewrite(lambda data: data["organizations"].pop("Merrimack Valley ACO"))
    verify_fails("organization Merrimack Valley ACO: settled again from the inputs, but "
                 "missing from the trace")


def test_an_organization_removed_from_a_run_with_org_is_caught(workdir: Path) -> None:
    code, _, err = run("eval", CONTRACT, "--table", TABLE, "--trace", "t.json", "--org",
                       "Pioneer Valley Physicians", "--org", "Merrimack Valley ACO")
    assert code == 0, err
    assert json.loads(Path("t.json").read_text())["org_filter"] == [
        "Merrimack Valley ACO", "Pioneer Valley Physicians"]
    _rewrite(lambda data: data["organizations"].pop("Pioneer Valley Physicians"))
    verify_fails("organization Pioneer Valley Physicians: settled again from the inputs, but "
                 "missing from the trace")


def test_a_trace_of_every_organization_records_no_filter(workdir: Path) -> None:
    settle_with_trace()
    assert json.loads(Path("t.json").read_text())["org_filter"] is None


def test_a_trace_without_its_organization_filter_does_not_verify(workdir: Path) -> None:
    settle_with_trace()
    _rewrite(lambda data: data.pop("org_filter"))
    err = verify_fails("the trace does not record which organizations were asked for "
                       "(`org_filter`), so an organization taken out of it would go unnoticed")
    assert err.count("\n  - ") == 1, err  # nothing else differs
    # It still explains: explaining needs no inputs, and no filter.
    code, out, _ = run("explain", "t.json", "payout", "--org", "Merrimack Valley ACO")
    assert code == 0 and "payout $889,722.48" in out


def test_every_organization_whose_outputs_differ_is_named_first(workdir: Path) -> None:
    settle_with_trace()
    change_one_character(workdir / CONTRACT, "$1,000,000.00", "$9,000,000.00")
    err = verify_fails()
    items = [line for line in err.splitlines() if line.startswith("  - ")]
    # The details stop after 25 lines; the line after the hash names every organization
    # whose payment moved, however far down its own differences come.
    assert items[1] == ("  - outputs differ for 4 of 4 organizations: Cape and Islands Care "
                        "Network, Harborview Health Partners, Merrimack Valley ACO, Pioneer "
                        "Valley Physicians"), err
    assert items[-1].startswith("  - ... and "), err
    assert "Pioneer Valley Physicians: output" not in err  # too far down to be listed
    _rewrite(lambda data: data["organizations"].pop("Pioneer Valley Physicians"))
    assert "outputs differ for 4 of 4 organizations" in verify_fails()


# ---- a trace of format 1 ------------------------------------------------------------------

TRACE_V1 = ROOT / "tests" / "data" / "trace-v1" / "trace-v1.json"


def test_a_version_1_trace_verifies_by_its_outputs() -> None:
    """Written by eqlang before peers had a section of their own: its outputs are compared,
    and the report says that only they were."""
    result = verify_trace(TRACE_V1)
    assert result.ok, result.problems
    assert "the outputs of 1 organization" in result.checked
    assert "eqlang-trace/1" in result.checked and "only the outputs" in result.checked


def test_a_changed_output_in_a_version_1_trace_is_found(tmp_path: Path) -> None:
    for name in ("reference-equity.eq", "reference-equity.csv"):
        (tmp_path / name).write_bytes((TRACE_V1.parent / name).read_bytes())
    trace = json.loads(TRACE_V1.read_text(encoding="utf-8"))
    payout = trace["organizations"]["Harborview Health Partners"]["outputs"]["payout"]
    payout["value"]["value"] = "956901.02"
    changed = tmp_path / "trace-v1.json"
    changed.write_text(json.dumps(trace), encoding="utf-8")
    result = verify_trace(changed)
    assert not result.ok
    assert any("956901.02" in problem for problem in result.problems), result.problems


def test_a_version_1_trace_is_explained() -> None:
    text = explain_trace(TRACE_V1, "measure_payout(CBP)")
    assert text.startswith("measure_payout(CBP) $350,000.00 = pool $1,000,000.00")
