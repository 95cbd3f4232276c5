"""The trace: what it holds, that the schema documents and validates it, and that it is
canonical (the same inputs give the same bytes, in any process)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from contract_lines import line_of

from eqlang import __version__
from eqlang import outputs as outputs_module
from eqlang.api import load_contract, settle
from eqlang.diagnostics import EqlangError
from eqlang.syntax.parser_tables import data_path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "docs" / "trace.schema.json").read_text(encoding="utf-8"))
CONTRACT = "contracts/reference-equity.eq"
TABLE = "contracts/reference-equity.csv"
HARBORVIEW = "Harborview Health Partners"


@pytest.fixture(scope="module", autouse=True)
def _at_root() -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        yield


@pytest.fixture(scope="module")
def reference(_at_root: None) -> dict[str, Any]:
    return json.loads(settle(load_contract(CONTRACT), [TABLE]).trace_json())


@pytest.fixture(scope="module")
def showcase(_at_root: None) -> dict[str, Any]:
    run = settle(load_contract("contracts/showcase.eq"), ["contracts/showcase.csv"],
                 overrides={"small_gap": "3 pp"})
    return json.loads(run.trace_json())


def sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_traces_validate_against_the_schema(reference: dict[str, Any],
                                            showcase: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.validate(reference, SCHEMA)
    # The showcase has modules, amendments, exceptions, schedules, values of other
    # organizations and an override: every kind of node but organization inputs, which
    # the health equity adjustment reads.
    jsonschema.validate(showcase, SCHEMA)
    inputs = json.loads(settle(
        load_contract("contracts/mssp-health-equity-adjustment.eq"),
        ["contracts/mssp-health-equity-adjustment.csv"],
        organization_table="contracts/mssp-health-equity-adjustment-organizations.csv",
    ).trace_json())
    jsonschema.validate(inputs, SCHEMA)
    kinds = {n["kind"] for trace in (showcase, inputs) for org in trace["organizations"].values()
             for n in org["nodes"].values()} | {n["kind"] for n in showcase["peers"].values()}
    assert kinds == set(SCHEMA["$defs"]["node"]["properties"]["kind"]["enum"])
    assert inputs["organization_table"]["rows"] == len(inputs["organizations"])
    node = inputs["organizations"]["Neponset ACO"]["nodes"]["high_adi_share"]
    assert node["cell"] == {"table": inputs["organization_table"]["path"],
                            "line": node["cell"]["line"], "column": "high_adi_share"}


def test_the_schema_documents_every_field() -> None:
    undocumented = []

    def walk(schema: Any, where: str) -> None:
        if isinstance(schema, dict):
            for name, sub in schema.get("properties", {}).items():
                if "description" not in sub and "$ref" not in sub:
                    undocumented.append(f"{where}.{name}")
            for key, sub in schema.items():
                walk(sub, f"{where}.{key}")
        elif isinstance(schema, list):
            for index, sub in enumerate(schema):
                walk(sub, f"{where}[{index}]")

    walk(SCHEMA, "schema")
    assert not undocumented


def test_the_schema_refuses_what_a_trace_cannot_hold(reference: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(reference))
    node = broken["organizations"][HARBORVIEW]["nodes"]["pool"]
    node["value"]["value"] = 1000000.0  # a float, not a decimal string
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)


def test_the_trace_records_its_inputs(reference: dict[str, Any]) -> None:
    assert reference["format"] == "eqlang-trace/2"
    assert reference["eqlang_version"] == __version__
    assert reference["contract"] == {
        "path": CONTRACT, "sha256": sha256(CONTRACT),
        "modules": [{"path": "<stdlib>/hedis.eq",
                     "sha256": sha256(data_path("stdlib") / "hedis.eq")}],
    }
    rows = len(Path(TABLE).read_text().splitlines()) - 1
    assert reference["tables"] == [{"path": TABLE, "sha256": sha256(TABLE), "rows": rows}]
    assert reference["overrides"] == {}
    assert reference["as_of"] == "2024-12-31"  # the end of the contract's effective period


def test_every_module_is_recorded_with_its_hash(showcase: dict[str, Any]) -> None:
    assert showcase["contract"]["modules"] == [
        {"path": "<stdlib>/hedis.eq", "sha256": sha256(data_path("stdlib") / "hedis.eq")},
        {"path": "lib/plan_measures.eq", "sha256": sha256("contracts/lib/plan_measures.eq")},
    ]
    assert showcase["overrides"] == {"small_gap": "3 pp"}
    assert showcase["as_of"] == "2025-06-30"


def test_outputs_and_derivation_nodes(reference: dict[str, Any]) -> None:
    harborview = reference["organizations"][HARBORVIEW]
    assert harborview["outputs"]["payout"] == {
        "node": "payout", "value": {"type": "money", "value": "956901.01"}}
    assert harborview["outputs"]["measure_payout"]["CBP"] == {
        "node": "measure_payout(CBP)", "value": {"type": "money", "value": "350000.00"}}
    nodes = harborview["nodes"]
    payout = nodes["measure_payout(COL)"]
    assert payout["kind"] == "output" and payout["name"] == "measure_payout"
    assert payout["args"] == ["COL"] and payout["params"] == ["m"]
    assert payout["at"] == f"{CONTRACT}:{line_of(CONTRACT, 'output measure_payout(')}:1"
    assert payout["expr"] == ("pool * rescaled_weight(m) * measure_score(m), "
                              "rounded to cents half up")
    assert payout["rounded"] == "rounded to cents half up"
    assert payout["uses"] == ["pool", "rescaled_weight(COL)", "measure_score(COL)"]
    assert payout["reading"] == [{"node": "pool"}, " × ", {"node": "rescaled_weight(COL)"},
                                 " × ", {"node": "measure_score(COL)"}]
    # Every use is a node of the trace: the derivation is closed.
    for node in nodes.values():
        for used in node["uses"]:
            assert used in nodes


def test_table_values_name_their_rows(reference: dict[str, Any]) -> None:
    nodes = reference["organizations"][HARBORVIEW]["nodes"]
    rate = nodes["rate(COL, Asian, baseline)"]
    assert rate["kind"] == "input" and rate["args"] == ["COL", "Asian", "baseline"]
    assert rate["rows"] == [{"table": TABLE, "line": 60, "group": "Asian", "period": "2022",
                             "numerator": "256.734", "denominator": "382.614"}]
    line = Path(TABLE).read_text().splitlines()[59]
    assert line == "Harborview Health Partners,COL,Asian,2022,256.734,382.614"
    assert rate["at"].startswith(f"{CONTRACT}:") and rate["expr"].startswith("rate(")


def test_values_keep_every_digit_and_not_scored_keeps_its_reason(
        reference: dict[str, Any]) -> None:
    nodes = reference["organizations"][HARBORVIEW]["nodes"]
    rate = Decimal(nodes["rate(COL, Asian, baseline)"]["value"]["value"])
    assert len(rate.as_tuple().digits) >= 28
    with localcontext(prec=len(rate.as_tuple().digits)):
        assert rate == Decimal("25673.4") / Decimal("382.614")  # as divided, not rounded
    merrimack = reference["organizations"]["Merrimack Valley ACO"]["nodes"]
    assert merrimack["measure_score(HBD)"]["value"] == {
        "not_scored": "no focus group has 30 members in both periods"}


def test_the_branch_taken_and_why(reference: dict[str, Any]) -> None:
    nodes = reference["organizations"][HARBORVIEW]["nodes"]
    score = nodes["group_score(COL, Asian)"]
    assert score["reading"] == ["clamp(", {"node": "closure(COL, Asian)"}, " / ",
                                {"node": "full_credit_closure"}, ", 0, 1)"]
    assert score["since"] == [[{"node": "gap(COL, Asian, baseline)"}, " > ",
                               {"node": "small_gap"}]]
    payout = nodes["payout"]
    assert payout["since"] == [[
        {"text": "count(m for each m in measures where measure_score(m) is scored)",
         "value": {"type": "count", "value": "3"}}, " != 0"]]


def test_overrides_and_amendments_are_visible_on_their_nodes(
        showcase: dict[str, Any]) -> None:
    nodes = showcase["organizations"]["Granite Hills ACO"]["nodes"]
    assert nodes["small_gap"]["note"] == "overridden with --set small_gap=3 pp"
    assert nodes["pool"]["note"] == "amended from 2024-07-01, in force on 2025-06-30"
    assert nodes["pool"]["citation"] == "Amendment 1, section 2"
    other = next(n for key, n in showcase["peers"].items()
                 if key.startswith("Bayside Community Health::"))
    assert other["org"] == "Bayside Community Health"


def test_canonical_json(_at_root: None) -> None:
    text = settle(load_contract(CONTRACT), [TABLE]).trace_json()
    assert text.endswith("}\n") and "\n" not in text[:-1]
    data = json.loads(text, parse_float=lambda s: pytest.fail(f"a float in the trace: {s}"))
    assert json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n" \
        == text
    assert text == settle(load_contract(CONTRACT), [TABLE]).trace_json()


def test_byte_identical_across_processes(tmp_path: Path) -> None:
    """Two processes with different hash seeds write the same bytes."""
    written = []
    for seed in ("1", "2"):
        out = tmp_path / f"trace-{seed}.json"
        result = subprocess.run(
            [sys.executable, "-m", "eqlang", "eval", "contracts/showcase.eq", "--table",
             "contracts/showcase.csv", "--trace", str(out)],
            cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True,
            text=True, check=False)
        assert result.returncode == 0, result.stderr
        written.append(out.read_bytes())
    assert written[0] == written[1]


def test_a_failed_write_names_the_output_not_the_temporary_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "t.json"

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise PermissionError(13, "Permission denied", str(tmp_path / ".t.json.x1.tmp"))

    monkeypatch.setattr(outputs_module.tempfile, "mkstemp", refuse)
    with pytest.raises(EqlangError) as info:
        outputs_module.write_atomic(target, "{}\n")
    (problem,) = info.value.diagnostics
    assert (problem.code, problem.path) == ("E0605", str(target))
    assert problem.message == "cannot write the output here: Permission denied"
    monkeypatch.undo()
    monkeypatch.setattr(outputs_module.os, "replace", refuse)
    with pytest.raises(EqlangError) as info:
        outputs_module.write_atomic(target, "{}\n")
    assert info.value.diagnostics[0].message == "cannot write the output here: Permission denied"
    assert list(tmp_path.iterdir()) == []  # the temporary file is removed, nothing written
