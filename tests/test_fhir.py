"""Tests of FHIR MeasureReports in and out (eqlang.data.fhir, fhir_map, fhir_export): the
export validates against FHIR R4 models, settles the same as the CSV it came from, reads
hand-written reports in the specification's style, and locates every kind of damage."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import shlex
import shutil
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import simplejson
from cli_run import run
from click.testing import CliRunner
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.measurereport import MeasureReport
from fhir.resources.R4B.organization import Organization
from fhirclient.models.bundle import Bundle as R4Bundle
from fhirclient.models.measurereport import MeasureReport as R4MeasureReport
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_settlement_doc import matches

from eqlang.api import export_fhir, load_contract, settle, verify_trace
from eqlang.cli import main
from eqlang.core.values import ExactArithmetic
from eqlang.data.fhir import json_path
from eqlang.data.fhir_map import (
    CDC_RACE_ETHNICITY,
    DECIMAL_COUNT_URL,
    SETTLEMENT_URL,
    FhirMap,
    load_fhir_map,
)
from eqlang.data.tables import load_tables
from eqlang.diagnostics import EqlangError, render_all

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "fhir"
REFERENCE = str(ROOT / "contracts" / "reference-equity.eq")
REFERENCE_CSV = str(ROOT / "contracts" / "reference-equity.csv")
SHIPPED = sorted(p.stem for p in (ROOT / "contracts").glob("*.eq"))


def export(tmp_path: Path, contract: str = REFERENCE, table: str = REFERENCE_CSV,
           *options: str) -> Path:
    out = tmp_path / "bundle.json"
    code, _, err = run("export", "fhir", contract, "--table", table, "--output", str(out),
                       *options)
    assert code == 0, err
    return out


@pytest.fixture(scope="module")
def reference_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export(tmp_path_factory.mktemp("reference"))


def resources(bundle: Path, kind: str) -> list[dict[str, Any]]:
    data = json.loads(bundle.read_text(encoding="utf-8"), parse_float=Decimal)
    return [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == kind]


def problems(path: Path, fhir_map: FhirMap | None = None) -> list[Any]:
    with pytest.raises(EqlangError) as caught:
        load_tables([path], fhir_map=fhir_map)
    return list(caught.value.diagnostics)


# ---- export and back -------------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_contract_settles_the_same_from_its_exported_bundle(
        tmp_path: Path, name: str) -> None:
    contract = str(ROOT / "contracts" / f"{name}.eq")
    table = str(ROOT / "contracts" / f"{name}.csv")
    inputs = ROOT / "contracts" / f"{name}-organizations.csv"
    given = str(inputs) if inputs.exists() else None
    bundle = export(tmp_path, contract, table, *(["--organizations", given] if given else []))
    program = load_contract(contract)
    from_csv = settle(program, [table], organization_table=given)
    from_fhir = settle(program, [bundle], organization_table=given)
    assert from_fhir.outputs() == from_csv.outputs()
    assert from_fhir.outputs_json() == from_csv.outputs_json()


def test_the_reference_bundle_reads_back_as_the_rows_of_its_table(reference_bundle: Path
                                                                  ) -> None:
    def rows(path: str | Path) -> dict[Any, tuple[Decimal, Decimal]]:
        tables = load_tables([path])
        return {r.key: (r.numerator, r.denominator) for t in tables.tables for r in t.rows}

    assert rows(reference_bundle) == rows(REFERENCE_CSV)


def test_every_exported_resource_validates_as_fhir_r4(reference_bundle: Path) -> None:
    text = reference_bundle.read_text(encoding="utf-8")
    Bundle.model_validate_json(text)  # fhir.resources: R4B, primitives' formats checked
    R4Bundle(json.loads(text), strict=True)  # fhirclient: models generated from R4 4.0.1
    for resource in resources(reference_bundle, "MeasureReport"):
        MeasureReport.model_validate(json.loads(json.dumps(resource, default=str)))
        R4MeasureReport(json.loads(json.dumps(resource, default=float)), strict=True)
        assert resource["status"] == "complete" and resource["type"] == "summary"
    for resource in resources(reference_bundle, "Organization"):
        Organization.model_validate(json.loads(json.dumps(resource, default=str)))


def test_the_validators_refuse_what_is_not_fhir(reference_bundle: Path) -> None:
    # Guards the test above: a report with a count of the wrong type is refused by both.
    data = json.loads(reference_bundle.read_text(encoding="utf-8"))
    report = next(e["resource"] for e in data["entry"]
                  if e["resource"]["resourceType"] == "MeasureReport")
    report["group"][0]["population"][0]["count"] = "many"
    with pytest.raises(ValueError):
        MeasureReport.model_validate(report)
    with pytest.raises(Exception, match="Wrong type"):
        R4MeasureReport(report, strict=True)


def test_a_report_holds_what_the_issue_lists(reference_bundle: Path) -> None:
    reports = resources(reference_bundle, "MeasureReport")
    # 4 organizations x 3 measures x 2 periods.
    assert len(reports) == 24
    hbd = next(r for r in reports if r["measure"].endswith("/HBD")
               and r["reporter"]["display"] == "Harborview Health Partners"
               and r["period"] == {"start": "2024-01-01", "end": "2024-12-31"})
    assert hbd["measure"] == "https://eqlang.example/fhir/Measure/HBD"
    assert hbd["improvementNotation"]["coding"][0]["code"] == "decrease"
    group = hbd["group"][0]
    counts = {p["code"]["coding"][0]["code"]: p["count"] for p in group["population"]}
    numerator, denominator = counts["numerator"], counts["denominator"]
    assert group["measureScore"]["value"] == ExactArithmetic().rate(Decimal(numerator),
                                                                    Decimal(denominator))
    race, unlisted = group["stratifier"]
    assert race["code"][0]["coding"][0]["code"] == "race"
    codes = {s["value"]["text"]: s["value"].get("coding", [{}])[0].get("code")
             for s in race["stratum"]}
    assert codes == {"Asian": "2028-9", "Black": "2054-5", "Hispanic": "2135-2",
                     "White": "2106-3"}
    assert race["stratum"][0]["value"]["coding"][0]["system"] == CDC_RACE_ETHNICITY
    # Groups no stratification lists are kept, as text.
    assert {s["value"]["text"] for s in unlisted["stratum"]} == {"Other", "Unknown"}
    assert all("coding" not in s["value"] for s in unlisted["stratum"])


def test_fractional_counts_go_in_the_extension_and_leave_count_out(reference_bundle: Path
                                                                   ) -> None:
    reports = resources(reference_bundle, "MeasureReport")
    stratum = reports[0]["group"][0]["stratifier"][0]["stratum"][0]
    numerator = stratum["population"][0]
    assert "count" not in numerator
    [extension] = numerator["extension"]
    assert extension["url"] == DECIMAL_COUNT_URL
    assert isinstance(extension["valueDecimal"], Decimal)
    tables = load_tables([REFERENCE_CSV])
    row = tables.lookup(reports[0]["reporter"]["display"], "COL", "Asian", "2022")
    assert row is not None and extension["valueDecimal"] == row.numerator
    # The score is written out exactly as the settlement computes it, not through float.
    text = reference_bundle.read_text(encoding="utf-8")
    assert '"value": 0.7005988023952095808383233532934132' in text


def test_each_organization_carries_its_settlement_and_the_trace_hash(tmp_path: Path) -> None:
    trace = tmp_path / "trace.json"
    bundle = export(tmp_path, REFERENCE, REFERENCE_CSV, "--trace", str(trace))
    digest = hashlib.sha256(trace.read_bytes()).hexdigest()
    run_ = settle(load_contract(REFERENCE), [REFERENCE_CSV])
    for organization in resources(bundle, "Organization"):
        [settlement] = organization["extension"]
        assert settlement["url"] == SETTLEMENT_URL
        parts = settlement["extension"]
        assert {"url": "traceSha256", "valueString": digest} in parts
        outputs = [p["extension"] for p in parts if p["url"] == "output"]
        payout = next(o for o in outputs if o[0]["valueString"] == "payout")
        expected = run_.value(organization["name"], "payout").magnitude
        assert payout[-1] == {"url": "value", "valueMoney": {"value": expected,
                                                              "currency": "USD"}}
        col = next(o for o in outputs if {"url": "key", "valueString": "COL"} in o)
        assert {"url": "measure", "valueCanonical": "https://eqlang.example/fhir/Measure/COL"} \
            in col
    # The trace of `eval --trace` on the same inputs is the same file, with the same hash.
    code, _, _ = run("eval", REFERENCE, "--table", REFERENCE_CSV, "--trace",
                     str(tmp_path / "eval.json"))
    assert code == 0 and (tmp_path / "eval.json").read_bytes() == trace.read_bytes()


def test_not_scored_outputs_carry_their_reason(tmp_path: Path) -> None:
    bundle = export(tmp_path)
    merrimack = next(o for o in resources(bundle, "Organization")
                     if o["name"] == "Merrimack Valley ACO")
    outputs = [p["extension"] for p in merrimack["extension"][0]["extension"]
               if p["url"] == "output"]
    hbd = next(o for o in outputs if {"url": "key", "valueString": "HBD"} in o)
    assert hbd[-1] == {"url": "notScored", "valueString": "the measure is not scored"}


def test_the_export_is_byte_identical_when_run_again(tmp_path: Path,
                                                     reference_bundle: Path) -> None:
    again = export(tmp_path)
    assert again.read_bytes() == reference_bundle.read_bytes()
    program = load_contract(REFERENCE)
    text = export_fhir(settle(program, [REFERENCE_CSV]))
    # The API writes what the command line writes (the same table path gives the same trace).
    assert text.encode("utf-8") == reference_bundle.read_bytes()


def test_export_refuses_to_overwrite_an_input_and_leaves_nothing_behind(tmp_path: Path
                                                                        ) -> None:
    table = tmp_path / "t.csv"
    table.write_bytes(Path(REFERENCE_CSV).read_bytes())
    code, _, err = run("export", "fhir", REFERENCE, "--table", str(table), "--output",
                       str(table))
    assert code == 1 and "E0603" in err
    assert table.read_bytes() == Path(REFERENCE_CSV).read_bytes()
    code, _, err = run("export", "fhir", REFERENCE, "--table", str(tmp_path / "missing.csv"),
                       "--output", str(tmp_path / "out.json"))
    assert code == 1 and "E0501" in err
    assert not (tmp_path / "out.json").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]  # no temporary file either


def test_export_only_the_organizations_asked_for(tmp_path: Path) -> None:
    bundle = export(tmp_path, REFERENCE, REFERENCE_CSV, "--org", "Merrimack Valley ACO")
    assert [o["name"] for o in resources(bundle, "Organization")] == ["Merrimack Valley ACO"]
    assert {r["reporter"]["display"] for r in resources(bundle, "MeasureReport")} == {
        "Merrimack Valley ACO"}


# ---- hand-written reports in the specification's style ---------------------------------


def test_race_by_ethnicity_components_exclusions_and_exceptions_import() -> None:
    tables = load_tables([DATA / "spec-style.json"])
    rows = {r.key[1:]: (r.numerator, r.denominator) for r in tables.tables[0].rows}
    measure = "colorectal-cancer-screening"
    # Denominator exclusions and exceptions leave the denominator, numerator exclusions the
    # numerator; the measure code is the canonical's last part, without its version.
    assert rows[measure, "ALL", "2022"] == (980, 1400)
    assert rows[measure, "ALL", "2024"] == (994, 1400)
    assert rows[measure, "Asian, Not Hispanic or Latino", "2024"] == (71, 100)
    assert rows[measure, "Black or African American, Not Hispanic or Latino", "2022"] == (
        60, 100)
    # A coding without display is named by the CDC code system's own name.
    assert rows[measure, "Asian, Not Hispanic or Latino", "2022"] == (69, 100)
    assert rows[measure, "White, Hispanic or Latino", "2022"] == (Decimal("38.5"),
                                                                  Decimal("55.25"))
    assert rows[measure, "Female", "2022"] == (580, 800)
    assert rows[measure, "male", "2022"] == (400, 600)  # a code, where there is no display
    assert {r.org for r in tables.tables[0].rows} == {"Harborview Health Partners"}


def test_the_hand_written_reports_are_fhir_themselves() -> None:
    text = (DATA / "spec-style.json").read_text(encoding="utf-8")
    Bundle.model_validate_json(text)
    R4Bundle(json.loads(text), strict=True)


def test_a_map_combines_strata_into_the_contracts_groups_and_settles_as_the_csv() -> None:
    program = load_contract(REFERENCE)
    fhir_map = load_fhir_map(DATA / "spec-style-map.toml")
    from_fhir = settle(program, [DATA / "spec-style.json"], fhir_map=fhir_map)
    from_csv = settle(program, [DATA / "spec-style.csv"])
    assert from_fhir.outputs() == from_csv.outputs()
    assert from_fhir.value("Harborview Health Partners", "payout").magnitude == Decimal(
        "600000.00")
    hispanic = from_fhir.tables.lookup("Harborview Health Partners", "COL", "Hispanic", "2022")
    assert hispanic is not None and (hispanic.numerator, hispanic.denominator) == (69, 100)
    # The row points at the first stratum it was added up from, by line.
    lines = (DATA / "spec-style.json").read_text(encoding="utf-8").splitlines()
    assert hispanic.table.endswith("spec-style.json")
    assert lines[hispanic.line - 1].strip() == "{" and '"2135-2"' in lines[hispanic.line + 2]


def test_the_map_is_given_on_the_command_line() -> None:
    code, out, err = run("eval", REFERENCE, "--table", str(DATA / "spec-style.json"),
                         "--fhir-map", str(DATA / "spec-style-map.toml"), "--json")
    assert code == 0, err
    assert json.loads(out)["Harborview Health Partners"]["payout"] == "600000.00"


def test_a_folder_of_reports_is_one_table_per_file_and_its_trace_verifies(
        tmp_path: Path, reference_bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    data = json.loads(reference_bundle.read_text(encoding="utf-8"))
    for entry in data["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "MeasureReport":
            (folder / f"{resource['id']}.json").write_text(json.dumps(resource, indent=1),
                                                           encoding="utf-8")
    (folder / "README.txt").write_text("not read", encoding="utf-8")
    # Beside the reports, as verify reads inputs only inside the trace's folder.
    shutil.copy(REFERENCE, tmp_path / "reference-equity.eq")
    monkeypatch.chdir(tmp_path)
    code, out, err = run("eval", "reference-equity.eq", "--table", "reports", "--json",
                         "--trace", "trace.json")
    assert code == 0, err
    _, expected, _ = run("eval", REFERENCE, "--table", REFERENCE_CSV, "--json")
    assert out == expected
    trace = json.loads((tmp_path / "trace.json").read_text(encoding="utf-8"))
    assert len(trace["tables"]) == 24
    assert trace["tables"][0]["path"].startswith("reports/")
    assert verify_trace(tmp_path / "trace.json").ok


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    [problem] = problems(tmp_path / "empty")
    assert problem.code == "E0530" and "no .json file" in problem.message


def test_a_lone_measure_report_is_a_table(tmp_path: Path, reference_bundle: Path) -> None:
    data = json.loads(reference_bundle.read_text(encoding="utf-8"))
    path = tmp_path / "report.json"
    path.write_text(json.dumps(data["entry"][1]["resource"]), encoding="utf-8")
    tables = load_tables([path])
    assert {r.group for r in tables.tables[0].rows} >= {"ALL", "Asian", "White"}


# ---- damage, located ---------------------------------------------------------------------


def damaged(tmp_path: Path, change: Any, name: str = "bad.json") -> Path:
    """The spec-style bundle with ``change`` applied to its data."""
    data = json.loads((DATA / "spec-style.json").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / name
    path.write_text(simplejson.dumps(data, indent=2), encoding="utf-8")
    return path


def report_2022(data: dict[str, Any]) -> dict[str, Any]:
    return data["entry"][1]["resource"]  # type: ignore[no-any-return]


def stratum(data: dict[str, Any], number: int = 0) -> dict[str, Any]:
    return report_2022(data)["group"][0]["stratifier"][0]["stratum"][number]  # type: ignore


def set_in(path: tuple[Any, ...], value: Any) -> Any:
    def change(data: Any) -> None:
        for step in path[:-1]:
            data = data[step]
        data[path[-1]] = value
    return change


STRATUM = ("entry", 1, "resource", "group", 0, "stratifier", 0, "stratum")

DAMAGE = [
    # (what is changed, the value put there, the code, words of the message)
    (("entry", 1, "resource", "status"), "pending", "E0531", "status is `pending`"),
    (("entry", 1, "resource", "type"), "individual", "E0531", "type is `individual`"),
    (("entry", 1, "resource", "measure"), 7, "E0531", "`measure` must be text"),
    (("entry", 1, "resource", "period", "start"), "2022-13-01", "E0531", "not a FHIR date"),
    (("entry", 1, "resource", "period", "end"), "2021-12-31", "E0531", "ends on 2021-12-31"),
    (("entry", 1, "resource", "reporter"), {"reference": "Organization/nobody"}, "E0531",
     "names no organization"),
    ((*STRATUM, 0, "component", 0, "value"), {"coding": [{"system": "x"}]}, "E0531",
     "names no group"),
    ((*STRATUM, 0, "population", 0, "code"), {"text": "denominator"}, "E0531",
     "no denominator population"),
    ((*STRATUM, 0, "population", 0, "count"), Decimal("1010.5"), "E0532",
     "is not a whole number"),
    ((*STRATUM, 0, "population", 0, "count"), -3, "E0532", "is negative"),
    ((*STRATUM, 0, "population", 0, "count"), "1010", "E0532", "must be a number"),
    ((*STRATUM, 0, "population", 0, "count"), 2**31, "E0532", "too large"),
    ((*STRATUM, 3, "population", 0, "extension", 0, "valueDecimal"), "55.25", "E0532",
     "must be a JSON number"),
    ((*STRATUM, 0, "population", 1, "count"), 2000, "E0532", "smaller than its exclusions"),
    ((*STRATUM, 0, "population", 2, "count"), 1001, "E0504", "is greater than"),
    ((*STRATUM, 1, "component"), None, "E0531", "no value and no components"),
]


@pytest.mark.parametrize(("where", "value", "code", "words"), DAMAGE,
                         ids=[f"{d[2]}-{d[3]}" for d in DAMAGE])
def test_damage_is_reported_with_the_file_line_report_and_json_path(
        tmp_path: Path, where: tuple[Any, ...], value: Any, code: str, words: str) -> None:
    path = damaged(tmp_path, set_in(where, value))
    found = problems(path)
    assert [p.code for p in found] == [code], render_all(found)
    [problem] = found
    assert words in problem.message
    assert "(in MeasureReport `col-2022`)" in problem.message
    # The JSON path of the offending element (or of the element holding it) leads the
    # message, and the span points at it.
    shown = problem.message.split(": ")[0]
    assert shown.startswith("entry[1].resource")
    # Exclusions too large are reported at the population they are taken from.
    assert json_path(where).startswith(shown) or shown.startswith(json_path(where[:-2]))
    assert problem.span is not None and problem.span.path == str(path)
    assert problem.hint


def test_the_json_path_names_the_population_and_the_line(tmp_path: Path) -> None:
    path = damaged(tmp_path, set_in((*STRATUM, 2, "population", 1, "count"), 69.5))
    [problem] = problems(path)
    assert problem.message.startswith(
        "entry[1].resource.group[0].stratifier[0].stratum[2].population[1].count: "
        "the count `69.5` is not a whole number")
    line = path.read_text(encoding="utf-8").splitlines()[problem.span.line - 1]
    assert '"count": 69.5' in line
    assert problem.span.text == "69.5"


def test_a_canonical_url_without_a_name_needs_the_map(tmp_path: Path) -> None:
    path = damaged(tmp_path, set_in(("entry", 1, "resource", "measure"), "urn:uuid:"))
    [problem] = problems(path)
    assert problem.code == "E0533" and problem.message.startswith(
        "entry[1].resource.measure: cannot tell a measure code from `urn:uuid:`")
    fhir_map = load_fhir_map(write_map(tmp_path, '[measures]\nCOL = "urn:uuid:"\n'))
    rows = load_tables([path], fhir_map=fhir_map).tables[0].rows
    assert {r.measure for r in rows} == {"COL", "colorectal-cancer-screening"}


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        report_2022(data)["status"] = "error"
        stratum(data, 0)["population"][0]["count"] = 1.5
        data["entry"][2]["resource"]["period"] = {"start": "2024-01-01"}

    codes = sorted(p.code for p in problems(damaged(tmp_path, change)))
    assert codes == ["E0531", "E0531", "E0532"]


def test_a_report_given_twice_is_a_duplicate_row_pointing_at_the_first(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["entry"].append(copy.deepcopy(data["entry"][1]))

    found = problems(damaged(tmp_path, change))
    assert {p.code for p in found} == {"E0505"}
    assert found[0].message.startswith("entry[3].resource.group[0]: a second row")
    assert "first" in found[0].notes[0].message and found[0].notes[0].span is not None


def test_two_strata_of_one_stratifier_with_the_same_group_are_refused(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        strata = report_2022(data)["group"][0]["stratifier"][0]["stratum"]
        strata.append(copy.deepcopy(strata[0]))

    [problem] = problems(damaged(tmp_path, change))
    assert problem.code == "E0531" and "a second stratum" in problem.message


def test_a_stratum_mapped_to_all_is_refused(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        stratum(data, 0)["component"] = None
        stratum(data, 0)["value"] = {"text": "ALL"}

    [problem] = problems(damaged(tmp_path, change))
    assert problem.code == "E0531" and "a stratum named ALL" in problem.message


def test_count_and_decimal_count_must_agree(tmp_path: Path) -> None:
    def change(count: int) -> Any:
        def apply(data: dict[str, Any]) -> None:
            stratum(data, 3)["population"][0]["count"] = count
        return apply

    tables = load_tables([damaged(tmp_path, change(55), "agree.json")])
    row = tables.lookup("Harborview Health Partners", "colorectal-cancer-screening",
                        "White, Hispanic or Latino", "2022")
    assert row is not None and row.denominator == Decimal("55.25")
    [problem] = problems(damaged(tmp_path, change(60), "disagree.json"))
    assert problem.code == "E0532" and "disagrees" in problem.message


@pytest.mark.parametrize(("text", "words"), [
    ('{"resourceType": "Bundle", "entry": [', "not valid JSON"),
    ('{"resourceType": "MeasureReport", "status": NaN}', "`NaN` is not a JSON number"),
    ('{"resourceType": "Patient", "id": "p"}', "a Patient resource, not a FHIR Bundle"),
    ('[{"resourceType": "MeasureReport"}]', "a JSON list"),
    ('{"resourceType": "Bundle", "type": "collection", "entry": []}', "holds no MeasureReport"),
    ('{"resourceType": "Bundle", "resourceType": "Bundle", "entry": []}', "appears twice"),
    ("[" * 100_000, "nested too deeply"),
])
def test_files_that_hold_no_report_are_refused(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    found = problems(path)
    assert {p.code for p in found} == {"E0530"}
    assert any(words in p.message for p in found), render_all(found)


def test_an_error_on_the_command_line_is_rendered_with_the_offending_line(tmp_path: Path
                                                                          ) -> None:
    path = damaged(tmp_path, set_in((*STRATUM, 2, "population", 1, "count"), 69.5))
    code, out, err = run("eval", REFERENCE, "--table", str(path))
    assert code == 1 and out == ""
    assert f"{path}:" in err and "error[E0532]" in err
    assert '"count": 69.5' in err and "^^^^" in err
    assert "Traceback" not in err


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 2**40) | st.text(max_size=5)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(["count", "value", "code", "text", "coding"]), children,
                      max_size=3),
    max_leaves=6)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


SPEC = json.loads((DATA / "spec-style.json").read_text(encoding="utf-8"))
SPEC_PATHS = _paths(SPEC)[1:]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.sampled_from(SPEC_PATHS), value=JSON_VALUES | st.just(...))
def test_any_damage_gives_diagnostics_or_rows_never_a_crash(
        tmp_path: Path, where: tuple[Any, ...], value: Any) -> None:
    data = copy.deepcopy(SPEC)
    holder = data
    for step in where[:-1]:
        holder = holder[step]
    if value is ...:
        del holder[where[-1]]
    else:
        holder[where[-1]] = value
    path = tmp_path / "mutated.json"
    path.write_text(json.dumps(data, default=str), encoding="utf-8")
    try:
        tables = load_tables([path])
    except EqlangError as error:
        for problem in error.diagnostics:
            assert problem.code in {"E0530", "E0531", "E0532", "E0533", "E0504", "E0505"}
            assert problem.hint and (problem.span is not None or problem.path)
        render_all(error.diagnostics)
    else:
        for row in tables.tables[0].rows:
            assert 0 <= row.numerator <= row.denominator


# ---- the map -----------------------------------------------------------------------------


def write_map(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "map.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_map_names_measures_by_canonical_with_or_without_version_and_dates_periods(
        tmp_path: Path) -> None:
    fhir_map = load_fhir_map(write_map(tmp_path, """
        [measures]
        COL = "http://example.org/fhir/Measure/colorectal-cancer-screening|2024.1.0"
        [periods]
        "CY22" = { start = 2022-01-01, end = "2022-12-31" }
        """.replace("\n        ", "\n")))
    tables = load_tables([DATA / "spec-style.json"], fhir_map=fhir_map)
    assert {(r.measure, r.period) for r in tables.tables[0].rows} == {("COL", "CY22"),
                                                                      ("COL", "2024")}


def test_a_map_chooses_one_group_of_a_measure_of_several(tmp_path: Path) -> None:
    def two_groups(data: dict[str, Any]) -> None:
        report = report_2022(data)
        second = copy.deepcopy(report["group"][0])
        second["code"] = {"coding": [{"code": "group-2"}], "text": "second rate"}
        report["group"].append(second)

    path = damaged(tmp_path, two_groups)
    # Without a map, each group is a measure of its own, named after it.
    measures = {r.measure for r in load_tables([path]).tables[0].rows}
    assert {"colorectal-cancer-screening#group-1", "colorectal-cancer-screening#group-2",
            "colorectal-cancer-screening"} == measures
    canonical = "http://example.org/fhir/Measure/colorectal-cancer-screening"
    plain = load_fhir_map(write_map(tmp_path, f'[measures]\nCOL = "{canonical}"\n'))
    [problem] = problems(path, plain)
    assert problem.code == "E0533" and "has 2 groups" in problem.message
    chosen = load_fhir_map(write_map(tmp_path, f'[measures]\nCOL = {{ canonical = '
                                     f'"{canonical}", group = "second rate" }}\n'))
    rows = load_tables([path], fhir_map=chosen).tables[0].rows
    # The 2024 report's one group is not the group named, so it gives no row.
    assert {(r.measure, r.period) for r in rows} == {("COL", "2022")}


@pytest.mark.parametrize(("text", "words"), [
    ("[measures\n", "not valid TOML"),
    ("[measure]\nCOL = \"http://x.org/M\"\n", "did you mean `measures`?"),
    ("[measures]\nCOL = \"colorectal\"\n", "is not a canonical URL"),
    ("[measures]\nCOL = { canonical = \"http://x.org/M\", rate = 1 }\n", "unknown field"),
    ("[measures]\nCOL = \"http://x.org/M\"\nBCS = \"http://x.org/M\"\n", "the same Measure"),
    ("[periods]\nP = { start = 2024-12-31, end = 2024-01-01 }\n", "before it starts"),
    ("[periods]\nP = { start = 2024-01-01 }\n", "needs a start and an end"),
    ("[groups]\n\"White, Hispanic or Latino\" = \"ALL\"\n", "ALL is the whole population"),
    ("measures = 3\n", "must be a section"),
])
def test_a_bad_map_is_refused_with_the_entry_at_fault(tmp_path: Path, text: str,
                                                      words: str) -> None:
    with pytest.raises(EqlangError) as caught:
        load_fhir_map(write_map(tmp_path, text))
    found = caught.value.diagnostics
    assert {p.code for p in found} == {"E0534"}
    assert any(words in p.message or words in (p.hint or "") for p in found), render_all(found)


def test_a_bad_map_on_the_command_line_exits_1(tmp_path: Path) -> None:
    code, _, err = run("eval", REFERENCE, "--table", REFERENCE_CSV, "--fhir-map",
                       str(write_map(tmp_path, "[measures\n")))
    assert code == 1 and "map.toml:1:" in err and "E0534" in err


FISCAL = """contract "Fiscal years"
  provider each organization
  currency USD
  period baseline is "2022"
  period performance is "FY2024"
end

import hedis

measure COL from hedis weight 60%
measure HBD from hedis weight 40%

output change(m: measure): pp = rate(m, ALL, performance) - rate(m, ALL, baseline) not rounded
"""


def test_export_uses_the_maps_canonical_urls_and_period_dates(tmp_path: Path) -> None:
    contract = tmp_path / "fy.eq"
    contract.write_text(FISCAL, encoding="utf-8")
    table = tmp_path / "fy.csv"
    table.write_text(Path(REFERENCE_CSV).read_text(encoding="utf-8").replace(",2024,",
                                                                             ",FY2024,"),
                     encoding="utf-8")
    out = tmp_path / "out.json"
    code, _, err = run("export", "fhir", str(contract), "--table", str(table), "--output",
                       str(out))
    assert code == 1 and "E0535" in err and "FY2024" in err and not out.exists()
    fhir_map = write_map(tmp_path, """[measures]
COL = "http://example.org/fhir/Measure/colorectal-cancer-screening"
[periods]
"FY2024" = { start = 2023-07-01, end = 2024-06-30 }
""")
    bundle = export(tmp_path, str(contract), str(table), "--fhir-map", str(fhir_map))
    reports = resources(bundle, "MeasureReport")
    assert {r["measure"] for r in reports} == {
        "http://example.org/fhir/Measure/colorectal-cancer-screening",
        "https://eqlang.example/fhir/Measure/HBD"}
    assert {"start": "2023-07-01", "end": "2024-06-30"} in [r["period"] for r in reports]
    program = load_contract(contract)
    assert settle(program, [bundle], fhir_map=fhir_map).outputs() == settle(
        program, [table]).outputs()


# ---- docs/fhir.md shows real output ------------------------------------------------------

DOC = ROOT / "docs" / "fhir.md"
BLOCK = re.compile(r"```(console|csv|json|toml)\n(.*?)```", re.DOTALL)


def contains(shown: Any, real: Any) -> bool:
    """Whether ``shown`` is ``real`` abridged: objects may leave keys out, lists items."""
    if isinstance(shown, dict):
        return isinstance(real, dict) and all(k in real and contains(v, real[k])
                                              for k, v in shown.items())
    if isinstance(shown, list):
        items = iter(real) if isinstance(real, list) else iter(())
        return all(any(contains(item, candidate) for candidate in items) for item in shown)
    return bool(shown == real and type(shown) is type(real))


def test_the_documents_examples_are_real(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    shutil.copytree(ROOT / "contracts", tmp_path / "contracts")
    shutil.copytree(DATA, tmp_path / "tests" / "data" / "fhir")
    monkeypatch.chdir(tmp_path)
    text = DOC.read_text(encoding="utf-8")
    kinds = []
    for block in BLOCK.finditer(text):
        kind, body = block.groups()
        before = text[:block.start()].rstrip().rsplit("\n\n", 1)[-1]
        written = re.search(r"For this\s+`([\w.-]+)`", before)
        shown = re.search(r"\(`([\w.-]+)`, `entry\[(\d+)\]`\):$", before)
        if written is not None:
            Path(written.group(1)).write_text(body, encoding="utf-8")
        elif shown is not None:
            real = simplejson.loads(Path(shown.group(1)).read_text(encoding="utf-8"),
                                    use_decimal=True)["entry"][int(shown.group(2))]["resource"]
            assert contains(simplejson.loads(body, use_decimal=True), real), body[:200]
        elif kind == "toml":
            tomllib.loads(body)
        else:
            assert kind == "console", before
            for command in re.split(r"^\$ ", body, flags=re.MULTILINE)[1:]:
                line, _, expected = command.partition("\n")
                words = shlex.split(line)
                result = CliRunner().invoke(main, words[1:], catch_exceptions=False)
                assert matches(expected.splitlines(), result.output.splitlines()), (
                    f"$ {line}\n--- expected\n{expected}--- got\n{result.output}")
        kinds.append(kind)
    assert kinds.count("console") >= 3 and "json" in kinds
    mapped = (DATA / "spec-style-map.toml").read_text(encoding="utf-8")
    first_map = next(b.group(2) for b in BLOCK.finditer(text) if b.group(1) == "toml")
    assert first_map in mapped


def test_the_readme_links_the_fhir_document() -> None:
    assert "(docs/fhir.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
