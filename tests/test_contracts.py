"""The worked contracts of contracts/: each checks, states its terms and that they are
illustrative, settles its sample table, and pays what the independent oracle
(tests/oracle_contracts.py, exact fractions from the CSV and the terms in prose) says.

How the pinned figures below were computed: each is eqlang's output for the sample table,
written down after the oracle, which restates the contract's terms without eqlang,
produced the same figure for every organization (``test_oracle_agrees`` keeps it so). The
pins catch a change in either; the oracle says which side moved.
"""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from oracle_contracts import ORACLES

from eqlang.api import load_contract, settle
from eqlang.cli import main
from eqlang.core.values import NotScored, Quantity, Value

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "contracts"
WORKED = sorted(ORACLES)


def organization_table(name: str) -> str | None:
    """The organization table beside a contract that reads organization inputs."""
    path = CONTRACTS / f"{name}-organizations.csv"
    return str(path) if path.exists() else None


def _run(name: str) -> dict[str, dict[str, Value | dict[str, Value]]]:
    contract = load_contract(str(CONTRACTS / f"{name}.eq"))
    return settle(contract, [str(CONTRACTS / f"{name}.csv")],
                  organization_table=organization_table(name)).outputs()


@pytest.fixture(scope="module")
def settled() -> dict[str, dict[str, dict[str, Value | dict[str, Value]]]]:
    return {name: _run(name) for name in WORKED}


def _figure(outputs: dict[str, Value | dict[str, Value]], figure: str) -> Value:
    """``payout`` or ``measure_credit(COL)`` from one organization's outputs."""
    name, _, key = figure.partition("(")
    value = outputs[name]
    if key:
        assert isinstance(value, dict)
        return value[key.rstrip(")")]
    assert not isinstance(value, dict)
    return value


def _number(value: Value) -> Decimal | None:
    """A figure as contracts write it (35% as 35, $1.00 as 1.00); None when not scored."""
    if isinstance(value, NotScored):
        return None
    assert isinstance(value, Quantity), value
    return value.magnitude * 100 if value.unit in ("percent", "pp") else value.magnitude


@pytest.mark.parametrize("name", WORKED)
def test_contract_checks_and_says_its_terms_are_illustrative(name: str) -> None:
    text = (CONTRACTS / f"{name}.eq").read_text(encoding="utf-8")
    header = text[: text.index("\ncontract ")]
    assert "illustrative" in header, f"{name}.eq says its numbers are illustrative"
    assert "in plain English" in header, f"{name}.eq states its terms in plain English"
    assert f"eqlang eval contracts/{name}.eq" in header.replace("\\\n#     ", "")
    program = load_contract(str(CONTRACTS / f"{name}.eq"))
    assert program.outputs, name


def test_eqlang_check_accepts_every_shipped_contract() -> None:
    files = sorted(str(p.relative_to(ROOT)) for p in CONTRACTS.glob("*.eq"))
    result = CliRunner().invoke(main, ["check", *files])
    assert result.exit_code == 0, result.output
    assert result.output.count(": ok (") == len(files)


@pytest.mark.parametrize("name", WORKED)
def test_oracle_agrees(name: str, settled: dict[str, dict[str, dict[str, object]]]) -> None:
    """Every figure the oracle computes, for every organization, equals eqlang's."""
    expected = ORACLES[name]()
    outputs = settled[name]
    assert set(outputs) == set(expected)
    for org, figures in expected.items():
        for figure, value in figures.items():
            actual = _number(_figure(outputs[org], figure))  # type: ignore[arg-type]
            where = f"{name}: {org}: {figure}"
            if value is None or actual is None:
                assert value is None and actual is None, (where, actual, value)
            elif isinstance(value, Fraction):
                assert abs(Fraction(actual) - value) < Fraction(1, 10**28), (where, actual,
                                                                            value)
            else:
                assert actual == value, (where, actual, value)


@pytest.mark.parametrize("name", WORKED)
def test_oracle_agrees_with_the_worked_examples(name: str) -> None:
    """Every expectation of the contract's worked examples on a figure the oracle computes,
    checked against the oracle settling the example's rows. Examples that `set` a parameter
    or settle `as of` another date are left out: the oracle knows the terms as signed."""
    program = load_contract(str(CONTRACTS / f"{name}.eq"))
    compared = 0
    for example in program.examples:
        if example.overrides or example.as_of is not None:
            continue
        table = {(row.org, row.measure, row.group, row.period):
                 (Fraction(row.numerator), Fraction(row.denominator))
                 for rows in example.tables.tables for row in rows.rows}
        inputs = None if example.inputs is None else {
            org: {k: Fraction(v.magnitude) for k, v in values.items()
                  if isinstance(v, Quantity)}
            for org, (_, values) in example.inputs.entries.items()}
        figures = (ORACLES[name](table) if inputs is None else
                   ORACLES[name](table, inputs))[example.organization]
        for expectation in example.expectations:
            if expectation.label not in figures:
                continue
            value = figures[expectation.label]
            where = f"{name}: {example.title}: {expectation.label}"
            if expectation.expected is None or value is None:
                assert expectation.expected is None and value is None, (where, value)
            else:
                assert Fraction(_number(expectation.expected)) == value, (where, value)
            compared += 1
    assert compared >= 3, f"{name}: only {compared} expectations compared with the oracle"


# Pinned key figures, one or two per organization (see the module's docstring).
PINNED: dict[str, dict[str, dict[str, str]]] = {
    "bluecross-steward": {
        "Steward Health Care Network: Merrimack Valley": {"equity_payment": "443034.79",
                                                          "measure_score(CBP)": "0"},
        "Steward Health Care Network: Metro Boston": {"equity_payment": "262378.96"},
        "Steward Health Care Network: South Shore": {"equity_payment": "710625.17"},
    },
    "bluecross-bilh": {
        "Beth Israel Lahey Health: Boston": {"equity_payment": "816000.00"},
        "Beth Israel Lahey Health: Cape Ann": {"equity_payment": "876000.00"},
        "Beth Israel Lahey Health: Metrowest": {"equity_payment": "1053000.00"},
        "Beth Israel Lahey Health: North Shore": {"equity_payment": "714000.00"},
    },
    "bluecross-mgb": {
        "Mass General Brigham: Boston": {"total_payment": "71020.00"},
        "Mass General Brigham: North": {"total_payment": "51020.00", "data_bonus": "0.00"},
        "Mass General Brigham: South": {"total_payment": "35610.00",
                                        "measure_points(CBP)": "0"},
    },
    "bluecross-boston-aco": {
        "Boston ACO: BMC Primary Care": {"equity_payment": "900000.00"},
        "Boston ACO: Community Health Centers": {"equity_payment": "525573.00"},
        "Boston ACO: South End": {"equity_payment": "101493.00"},
    },
    "bluecross-tufts": {
        "Tufts Medicine: Boston": {"equity_payment": "850000.00"},
        "Tufts Medicine: Lowell": {"equity_payment": "743750.00"},
        "Tufts Medicine: Melrose-Wakefield": {"equity_payment": "513548.75"},
    },
    "bluecross-boston-childrens": {
        "Boston Children's: Community Practices": {"equity_payment": "157500.00"},
        "Boston Children's: Martha's Vineyard Pediatrics": {"equity_payment": "400000.00",
                                                            "band_credit(WCV_18_21)": "-"},
        "Boston Children's: Pediatric Physicians' Organization": {
            "equity_payment": "195000.00"},
    },
    "ma-health-equity-index": {
        "Berkshire Elder Care": {"reward": "0.08"},
        "Charles River Medicare": {"reward": "0.4"},
        "Pioneer Valley Medicare": {"index": "1", "reward": "0"},
    },
    "deprivation-gradient": {
        "Eastfield Community Care": {"payout": "416675.00", "measure_credit(COL)": "0.8667"},
        "Northgate Medical Group": {"payout": "106025.00", "gradient_2024_low(CBP)": "3.96"},
        "Riverside Health Partners": {"payout": "430875.00",
                                      "race_disparity_2024_high(COL)": "8.57"},
    },
    "mssp-health-equity-adjustment": {
        "Neponset ACO": {"bonus_points": "10"},
        "Plymouth Bay Physicians": {"bonus_points": "0"},
        "South Coast Care Collaborative": {"bonus_points": "0"},
    },
}


@pytest.mark.parametrize("name", WORKED)
def test_pinned_figures(name: str, settled: dict[str, dict[str, dict[str, object]]]) -> None:
    for org, figures in PINNED[name].items():
        for figure, pinned in figures.items():
            actual = _number(_figure(settled[name][org], figure))  # type: ignore[arg-type]
            assert (actual is None and pinned == "-") or actual == Decimal(pinned), (
                name, org, figure, actual)


@pytest.mark.parametrize("name", WORKED)
def test_eval_runs_from_the_repository_root(name: str, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    """The README's promise: `eqlang eval` settles each contract with no other set-up."""
    monkeypatch.chdir(ROOT)
    inputs = organization_table(name)
    result = CliRunner().invoke(main, ["eval", f"contracts/{name}.eq", "--table",
                                       f"contracts/{name}.csv", "--json", *(
                                           ["--organizations", inputs] if inputs else [])])
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.output)) == set(ORACLES[name]())


def test_sample_tables_are_what_the_generator_writes(tmp_path: Path) -> None:
    import runpy

    generator = runpy.run_path(str(ROOT / "tools" / "sample_tables.py"))
    for name, text in generator["generate"]():
        shipped = (CONTRACTS / name).read_text(encoding="utf-8")
        assert shipped == text, f"contracts/{name} differs from tools/sample_tables.py"


def test_sample_tables_are_realistic() -> None:
    """Fractional (imputed) group counts, small groups below 30 and several organizations."""
    for name in WORKED:
        rows = (CONTRACTS / f"{name}.csv").read_text(encoding="utf-8").splitlines()[1:]
        orgs = {row.split(",")[0] for row in rows}
        denominators = [Decimal(row.rsplit(",", 1)[1]) for row in rows]
        assert len(orgs) >= (12 if name.startswith(("ma-", "mssp-")) else 3), name
        if any(row.split(",")[2] != "ALL" for row in rows):
            # Group counts are imputed; the MSSP table holds whole populations only.
            assert any(d != d.to_integral_value() for d in denominators), name
        if name.startswith("bluecross-"):
            assert any(0 < d < 30 for d in denominators), name


def test_better_care_for_the_best_race_can_pay_bilh_less(tmp_path: Path) -> None:
    """The BILH header warns that measuring races against the best-performing race lets
    better care for that race lower the payment. Every group at 21 of 30 on every measure in
    both years pays the whole $1,200,000; one more AIAN member screened in 2024 makes AIAN
    the best race at 73.33%, the four other races trail it by 3.33 points (a weighted mean of
    2.67 points, the 75% tier), so COL earns 0.6 x 75% + 0.4 x 100% = 85% and the payment is
    $1,200,000 x (30% x 85% + 70%) = $1,146,000."""
    groups = ["American Indian or Alaska Native", "Asian", "Black or African American",
              "Native Hawaiian or Other Pacific Islander", "White", "Hispanic or Latino",
              "Not Hispanic or Latino"]
    rows = ["org,measure,group,period,numerator,denominator"]
    for measure in ("COL", "CBP", "HBD"):
        for period in ("2022", "2024"):
            rows += [f"Org A,{measure},{g},{period},21,30" for g in groups]
            rows.append(f"Org A,{measure},ALL,{period},168,240")
    before = tmp_path / "before.csv"
    before.write_text("\n".join(rows) + "\n", encoding="utf-8")
    after = tmp_path / "after.csv"
    after.write_text(
        before.read_text(encoding="utf-8")
        .replace("COL,American Indian or Alaska Native,2024,21,30",
                 "COL,American Indian or Alaska Native,2024,22,30")
        .replace("COL,ALL,2024,168,240", "COL,ALL,2024,169,240"), encoding="utf-8")
    contract = load_contract(str(CONTRACTS / "bluecross-bilh.eq"))
    paid = [_number(_figure(settle(contract, [str(t)]).outputs()["Org A"], "equity_payment"))
            for t in (before, after)]
    assert paid == [Decimal("1200000.00"), Decimal("1146000.00")]
    assert "better care for that race" in (CONTRACTS / "bluecross-bilh.eq").read_text(
        encoding="utf-8")
