"""Organization inputs: facts of each organization declared in the contract (`input NAME:
TYPE`) and read from an organization table, `organization` as a value, peers with the same
input, inputs in worked examples, bounds and traces; and attribution terms stated in the
contract, used when member files are tabulated."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import shlex
import shutil
from decimal import Decimal
from pathlib import Path
from statistics import median

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from eqlang.api import load_contract, settle, verify_trace
from eqlang.cli import main
from eqlang.core.values import Entity, Quantity, Text
from eqlang.data.organizations import load_organization_table
from eqlang.diagnostics import EqlangError, render_all
from eqlang.tools.bounds import output_bounds
from eqlang.tools.examples import run_examples
from eqlang.tools.testing import inputs_for, organization_csv, tables_for

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "contracts"
MONTHS = CONTRACTS / "member-month-equity.eq"
MONTHS_TABLE = CONTRACTS / "member-month-equity.csv"
MONTHS_INPUTS = CONTRACTS / "member-month-equity-organizations.csv"

HEADER = """contract "Example"
  provider each organization
  currency USD
  period baseline is "2022"
  period performance is "2024"
  effective 2024-01-01 to 2024-12-31
end

measure COL "Colorectal cancer screening" higher is better
"""
CONTRACT = HEADER + """
input member_months: count per "Section 2.1"
input dual_share: percent
input region: text one of "North", "South"
input rural: yesno

parameter pmpm_rate: money = $4.00

define pool: money = pmpm_rate * member_months
define regional: percent =
  median(rate(COL, ALL, performance) at o for each o in organizations with the same region)
define is_harbor = organization = "Harbor ACO"

output payout: money = pool * (100% + dual_share) rounded to cents half up
output bonus: money = if is_harbor and rural then $100.00 else $0.00 rounded to cents half up
output ahead: yesno = rate(COL, ALL, performance) >= regional not rounded
"""
TABLE = """org,measure,group,period,numerator,denominator
Harbor ACO,COL,ALL,2024,60,100
Summit ACO,COL,ALL,2024,70,100
Valley ACO,COL,ALL,2024,50,100
"""
INPUTS = """org,member_months,dual_share,region,rural
Harbor ACO,12000,20%,North,yes
Summit ACO,"9,000",10%,North,no
Valley ACO,5000.5,30%,South,TRUE
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> Path:
    write(tmp_path, "c.eq", CONTRACT)
    write(tmp_path, "t.csv", TABLE)
    write(tmp_path, "o.csv", INPUTS)
    return tmp_path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def codes(error: EqlangError) -> list[str]:
    return [d.code for d in error.diagnostics]


# ---- settling -------------------------------------------------------------------------------


def test_inputs_are_values_of_each_organization(files: Path) -> None:
    program = load_contract(str(files / "c.eq"))
    run = settle(program, [str(files / "t.csv")], organization_table=str(files / "o.csv"))
    out = run.outputs()
    # $4.00 x 12000 x 120%; "9,000" is nine thousand; 5000.5 member months.
    assert out["Harbor ACO"]["payout"] == Quantity("money", Decimal("57600.00"))
    assert out["Summit ACO"]["payout"] == Quantity("money", Decimal("39600.00"))
    assert out["Valley ACO"]["payout"] == Quantity("money", Decimal("26002.60"))
    # `organization` compares with the name; yes/no inputs read TRUE as yes.
    assert [out[o]["bonus"].magnitude for o in sorted(out)] == [100, 0, 0]
    # The North median is of Harbor and Summit only: 65%; Valley is alone in the South.
    assert [out[o]["ahead"].value for o in sorted(out)] == [False, True, True]


def test_peers_with_the_same_input_are_computed_once_per_value(files: Path) -> None:
    program = load_contract(str(files / "c.eq"))
    trace = settle(program, [str(files / "t.csv")],
                   organization_table=str(files / "o.csv")).trace()
    labels = [k for k in trace["peers"] if k.startswith("median(")]
    assert sorted(labels) == [
        "median(rate(COL, ALL, performance) at o for each o in organizations with the same "
        f"region) [region {r}]" for r in ("North", "South")]
    north = trace["peers"][labels[0]]
    assert north["value"] == {"type": "percent", "value": "65"}


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_the_regional_median_is_the_median_of_the_region(data: st.DataObject) -> None:
    """On generated tables and organization tables: an independent median over the
    organizations that share the region."""
    program = load_contract(str(MONTHS))
    tables = data.draw(tables_for(program, max_organizations=5))
    inputs = data.draw(inputs_for(program, tables))
    assert inputs is not None
    evaluator = settle(program, tables, organization_table=inputs, backend="exact").evaluator
    for org in tables.organizations():
        region = inputs.entries[org][1]["region"]
        rates = []
        for other in tables.organizations():
            row = tables.lookup(other, "COL", "ALL", "2024")
            if inputs.entries[other][1]["region"] == region and row is not None \
                    and row.denominator:
                rates.append(row.numerator / row.denominator)
        value, _ = evaluator.value_of(org, "regional_median", (Entity("measure", "COL"),))
        if len(rates) == len([o for o in tables.organizations()
                              if inputs.entries[o][1]["region"] == region]) and rates:
            assert isinstance(value, Quantity)
            assert abs(value.magnitude - median(rates)) < Decimal("1e-25")


def test_the_member_month_contract_pays_from_its_organization_table() -> None:
    program = load_contract(str(MONTHS))
    run = settle(program, [str(MONTHS_TABLE)], organization_table=str(MONTHS_INPUTS),
                 backend="exact")
    with MONTHS_INPUTS.open(encoding="utf-8", newline="") as handle:
        months = {r["org"]: Decimal(r["member_months"]) for r in csv.DictReader(handle)}
    assert set(run.organizations) == set(months)
    for org, outputs in run.outputs().items():
        pool = (Decimal("2.50") * months[org]).quantize(Decimal("0.01"))
        assert run.evaluator.value_of(org, "pool")[0] == Quantity("money", pool)
        assert Decimal(0) <= outputs["payout"].magnitude <= pool


# ---- the organization table ----------------------------------------------------------------


def test_a_table_of_every_kind_reads_alike(files: Path) -> None:
    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq

    program = load_contract(str(files / "c.eq"))
    expected = load_organization_table(files / "o.csv", program).entries
    (files / "o.csv.gz").write_bytes(gzip.compress(INPUTS.encode("utf-8")))
    rows = list(csv.reader(io.StringIO(INPUTS)))
    columns = {name: [r[i] for r in rows[1:]] for i, name in enumerate(rows[0])}
    pq.write_table(pa.table(columns), files / "o.parquet")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(rows[0])
    for org, months, share, region, rural in rows[1:]:
        # Numbers as numbers, a percent as Excel holds it (0.2 formatted as a percent).
        sheet.append([org, float(months.replace(",", "")), float(share[:-1]) / 100, region,
                      rural.upper() in ("YES", "TRUE")])
        sheet.cell(sheet.max_row, 3).number_format = "0.0%"
    book.save(files / "o.xlsx")
    for name in ("o.csv.gz", "o.parquet", "o.xlsx"):
        found = load_organization_table(files / name, program).entries
        assert {o: v for o, (_, v) in found.items()} == {o: v for o, (_, v) in
                                                          expected.items()}, name


@pytest.mark.parametrize(("text", "code", "message", "hint"), [
    ("org,member_months,dual_share,regio,rural\nHarbor ACO,1,2%,North,no\n", "E0541",
     "column `regio` is not an organization input", "did you mean `region`?"),
    ("org,member_months,dual_share,rural\nHarbor ACO,1,2%,no\n", "E0541",
     "the header has no column `region`", "org,member_months,dual_share,region,rural"),
    ("org,member_months,dual_share,region,rural\nHarbor ACO,1,0.2,North,no\n", "E0542",
     "`dual_share` is a percent, but `0.2` is a number", "could mean 0.2% or 20%"),
    ("org,member_months,dual_share,region,rural\nHarbor ACO,12%,2%,North,no\n", "E0542",
     "`member_months` is a count, but `12%` is a percent", ""),
    ("org,member_months,dual_share,region,rural\nHarbor ACO,-1,2%,North,no\n", "E0542",
     "`member_months` is -1, outside its range", ""),
    ("org,member_months,dual_share,region,rural\nHarbor ACO,1,2%,Nrth,no\n", "E0542",
     "`region` is one of \"North\", \"South\", not `Nrth`", "did you mean `North`?"),
    ("org,member_months,dual_share,region,rural\nHarbor ACO,1,2%,North,\n", "E0542",
     "`rural` has no value", "yes or no"),
    ("org,member_months,dual_share,region,rural\nHarbor ACO,1,2%,North,no\n"
     "Harbor ACO,2,2%,North,no\n", "E0543", "organization \"Harbor ACO\" has two rows", ""),
])
def test_a_bad_organization_table_is_located(files: Path, text: str, code: str,
                                             message: str, hint: str) -> None:
    program = load_contract(str(files / "c.eq"))
    path = write(files, "bad.csv", text)
    with pytest.raises(EqlangError) as caught:
        load_organization_table(path, program)
    (first,) = [d for d in caught.value.diagnostics if message in d.message]
    assert first.code == code and first.span is not None and first.span.line >= 1
    assert hint in (first.hint or "")


def test_an_organization_of_the_tables_without_a_row_is_an_error(files: Path) -> None:
    write(files, "o.csv", INPUTS.replace("Valley ACO", "Valey ACO"))
    code, _, err = invoke("eval", str(files / "c.eq"), "--table", str(files / "t.csv"),
                          "--organizations", str(files / "o.csv"))
    assert code == 1
    assert "error[E0543]: organization \"Valley ACO\" is in the measure tables" in err
    assert "did you mean `Valey ACO`?" in err


def test_the_run_and_the_contract_must_agree_about_an_organization_table(files: Path) -> None:
    code, _, err = invoke("eval", str(files / "c.eq"), "--table", str(files / "t.csv"))
    assert code == 1 and "error[E0544]" in err and "--organizations" in err
    plain = write(files, "plain.eq", HEADER + "output r: percent = rate(COL, ALL, performance)"
                  " rounded to 1 decimals half up\n")
    code, _, err = invoke("eval", str(plain), "--table", str(files / "t.csv"),
                          "--organizations", str(files / "o.csv"))
    assert code == 1 and "error[E0544]: the contract declares no organization inputs" in err


def test_a_trace_records_the_table_and_verify_notices_a_change(files: Path) -> None:
    trace = files / "trace.json"
    code, _, err = invoke("eval", str(files / "c.eq"), "--table", str(files / "t.csv"),
                          "--organizations", str(files / "o.csv"), "--trace", str(trace))
    assert code == 0, err
    data = json.loads(trace.read_text(encoding="utf-8"))
    assert data["organization_table"]["rows"] == 3
    node = data["organizations"]["Summit ACO"]["nodes"]["member_months"]
    assert node["kind"] == "organization input" and node["value"]["value"] == "9000"
    assert node["cell"] == {"table": str(files / "o.csv"), "line": 3,
                            "column": "member_months"}
    code, out, _ = invoke("explain", str(trace), "pool", "--org", "Summit ACO")
    assert f"organization table {files / 'o.csv'}:3 (column member_months)" in out
    assert verify_trace(trace).ok
    write(files, "o.csv", INPUTS.replace("5000.5", "5000.75"))
    result = verify_trace(trace)
    assert not result.ok
    assert any("organization table" in p and "SHA-256" in p for p in result.problems)
    assert any("outputs differ for 1 of 3 organizations: Valley ACO" in p
               for p in result.problems)
    # Nothing overwrites the organization table.
    code, _, err = invoke("eval", str(files / "c.eq"), "--table", str(files / "t.csv"),
                          "--organizations", str(files / "o.csv"), "--trace",
                          str(files / "o.csv"))
    assert code == 1 and "E0603" in err


def test_generated_organization_tables_read_back_as_written(tmp_path: Path) -> None:
    program = load_contract(str(CONTRACTS / "mssp-health-equity-adjustment.eq"))

    @settings(max_examples=25, deadline=None)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        tables = data.draw(tables_for(program))
        inputs = data.draw(inputs_for(program, tables))
        assert inputs is not None
        path = tmp_path / "generated.csv"
        path.write_text(organization_csv(inputs), encoding="utf-8")
        back = load_organization_table(path, program)
        assert {o: v for o, (_, v) in back.entries.items()} == \
            {o: v for o, (_, v) in inputs.entries.items()}

    check()


# ---- bounds and worked examples --------------------------------------------------------------


def test_bounds_take_every_value_an_input_may_take(tmp_path: Path) -> None:
    path = write(tmp_path, "b.eq", HEADER + """
input share: percent
input months: count from 100 through 1000
input north: yesno
input region: text one of "North", "South"
output bonus: money = $100.00 * share rounded to cents half up
output pool: money = $2.00 * months rounded to cents half up
output flag: money = (if north then $1.00 else $0.00) rounded to cents half up
output named: money = (if organization = "Harbor" then $5.00 else $0.00)
  rounded to cents half up
output by_region: money = (if region = "North" then $3.00 else $0.00) rounded to cents half up
""")
    bounds = {b.label: b.value for b in output_bounds(load_contract(str(path)))}
    shown = {k: (v.magnitude.low, v.magnitude.high) for k, v in bounds.items()
             if isinstance(v, Quantity)}
    assert shown == {"bonus": (0, 100), "pool": (200, 2000), "flag": (0, 1),
                     "named": (0, 5), "by_region": (0, 3)}


def test_worked_examples_give_inputs_and_are_checked(tmp_path: Path) -> None:
    body = CONTRACT + """
example "Harbor, north and rural"
  organization "Harbor ACO"
  inputs member_months 12000 dual_share 20% region "North" rural yes
  inputs for "Summit ACO" member_months 9000 dual_share 10% region "North" rural no
  rows COL ALL 2024: 60 of 100
  rows for "Summit ACO" COL ALL 2024: 70 of 100
  expect payout = $57,600.00
  expect bonus = $100.00
end
"""
    program = load_contract(str(write(tmp_path, "e.eq", body)))
    (result,) = run_examples(program)
    assert result.passed
    broken = body.replace('inputs for "Summit ACO" member_months 9000 dual_share 10% '
                          'region "North" rural no',
                          'inputs for "Summit ACO" member_months 9000 dual_share 0.1')
    with pytest.raises(EqlangError) as caught:
        load_contract(str(write(tmp_path, "f.eq", broken)))
    assert codes(caught.value) == ["E0807"]
    assert "`dual_share` is a percent, but `0.1` is a number" in render_all(
        caught.value.diagnostics)


# ---- the language --------------------------------------------------------------------------


def test_organization_is_a_value_compared_with_its_name(tmp_path: Path) -> None:
    path = write(tmp_path, "o.eq", HEADER + """
define me = organization
define peer_count = count(o for each o in organizations where o != organization)
output harbor: yesno = organization = "Harbor ACO" not rounded
output peers: count = peer_count not rounded
""")
    program = load_contract(str(path))
    table = write(tmp_path, "t.csv", TABLE)
    out = settle(program, [str(table)]).outputs()
    assert [out[o]["harbor"].value for o in sorted(out)] == [True, False, False]
    assert {out[o]["peers"].magnitude for o in out} == {2}


def test_mistakes_with_organizations_get_hints(tmp_path: Path) -> None:
    path = write(tmp_path, "m.eq", HEADER + """
define a = organization = Harbor
define b = organization = 5
define c = organisation = "Harbor"
""")
    with pytest.raises(EqlangError) as caught:
        load_contract(str(path))
    text = render_all(caught.value.diagnostics)
    assert 'write the name in quotes, as the tables spell it: `organization = "Harbor"`' in text
    assert "error[E0202]: cannot compare an organization with a number" in text
    assert 'compare it with its name in quotes: `organization = "Harbor ACO"`' in text
    assert "did you mean `organization`?" in text


def test_text_inputs_compare_with_the_texts_they_may_take(tmp_path: Path) -> None:
    path = write(tmp_path, "r.eq", HEADER + """
input region: text one of "North", "South"
define north = region = "North"
define nrth = region = "Nrth"
""")
    with pytest.raises(EqlangError) as caught:
        load_contract(str(path))
    (only,) = caught.value.diagnostics
    assert only.code == "E0202" and only.hint == "did you mean `North`?"


# ---- attribution terms in the contract -----------------------------------------------------


def test_the_contracts_attribution_terms_tabulate_member_files(tmp_path: Path) -> None:
    for name in ("reference-members.csv", "reference-membership.csv"):
        shutil.copy(CONTRACTS / name, tmp_path / name)
    trace = tmp_path / "trace.json"
    code, _, err = invoke("eval", str(MONTHS), "--members",
                            str(tmp_path / "reference-members.csv"), "--membership",
                            str(tmp_path / "reference-membership.csv"), "--organizations",
                            str(MONTHS_INPUTS), "--trace", str(trace))
    assert code == 0, err
    (section,) = json.loads(trace.read_text(encoding="utf-8"))["members"]
    # The contract's terms, without --tolerance: the sample's rounded sums are admitted.
    assert section["attribution"]["tolerance"] == "0.00001"
    # The contract and its organization table lie in the repository, the member files here.
    assert verify_trace(trace, inputs="/").ok
    # The same terms restated are accepted; others are refused, saying which terms apply.
    code, _, err = invoke("eval", str(MONTHS), "--members",
                          str(tmp_path / "reference-members.csv"), "--membership",
                          str(tmp_path / "reference-membership.csv"), "--organizations",
                          str(MONTHS_INPUTS), "--tolerance", "0.00001")
    assert code == 0, err
    code, _, err = invoke("tabulate", str(MONTHS), "--members",
                          str(tmp_path / "reference-members.csv"), "--membership",
                          str(tmp_path / "reference-membership.csv"), "--attribution",
                          "most probable at 80% else Unknown", "--output",
                          str(tmp_path / "t.csv"))
    assert code == 1
    assert "error[E0607]: the contract states its attribution terms" in err
    assert "the contract's terms are the ones signed, and they apply" in err
    assert not (tmp_path / "t.csv").exists()


def test_attribution_terms_are_stored_on_the_program() -> None:
    terms = load_contract(str(MONTHS)).attribution
    assert terms is not None and terms.stratifications == ("race",)
    assert terms.terms.describe() == ("self-reported first, else imputed probabilities "
                                      "counted fractionally; probabilities sum to 1 within "
                                      "0.00001")


def test_a_text_value_is_text() -> None:
    program = load_contract(str(MONTHS))
    table = load_organization_table(MONTHS_INPUTS, program)
    value, cell = table.value("Pioneer Valley Physicians", "region") or (None, None)
    assert value == Text("Western") and cell is not None and cell.column == "region"


# ---- the documentation ---------------------------------------------------------------------


def test_the_member_month_examples_of_the_data_guide_are_real(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/data.md's console examples of the member-month contract print what they show."""
    from test_settlement_doc import matches

    text = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    shutil.copytree(CONTRACTS, tmp_path / "contracts")
    monkeypatch.chdir(tmp_path)
    ran = 0
    for block in re.findall(r"```console\n(.*?)```", text, re.DOTALL):
        for command in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
            line, _, expected = command.partition("\n")
            if "member-month" not in line:
                continue
            words = shlex.split(line)
            result = CliRunner().invoke(main, words[1:])
            assert matches(expected.splitlines(), result.output.splitlines()), (
                f"$ {line}\n--- expected\n{expected}--- got\n{result.output}")
            ran += 1
    assert ran >= 6
