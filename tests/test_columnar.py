"""The columnar backend against the exact backend, the arbiter of every value.

Every shipped contract on its sample table, and generated tables (several organizations,
missing rows, missing ALL rows, zero denominators): the columnar backend in exact mode gives
the same outputs, to the last digit and exponent, the same reasons, the same notes, the same
settlement summary and fails for the same organizations; in float64 mode it comes within a
stated tolerance; over many lanes of perturbed tables it gives, lane by lane, what the
exact backend gives on each table.
"""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eqlang.api import load_contract, settle
from eqlang.backends.columnar import CellLanes, Lanes, Unsupported, evaluate
from eqlang.backends.columnar_eval import ColumnarEvaluator
from eqlang.backends.columnar_liveness import Liveness
from eqlang.backends.columnar_values import Column
from eqlang.backends.derivation import EvaluationError
from eqlang.backends.exact import Evaluator
from eqlang.core import program as p
from eqlang.core.program import Program
from eqlang.core.values import (
    Entity,
    Group,
    NotScored,
    Quantity,
    Value,
    display,
    exact_text,
)
from eqlang.data.organizations import OrganizationTable, load_organization_table
from eqlang.data.tables import TableSet, load_tables
from eqlang.diagnostics import EqlangError
from eqlang.render import summary
from eqlang.tools.testing import inputs_for, rows_of, tables_for, with_rows

ROOT = Path(__file__).resolve().parent.parent
#: Shipped contracts with simulated intervals, which float64 declines (their draws are made
#: in decimals).
SIMULATING = ["deprivation-gradient", "showcase"]
SAMPLES = sorted(p.stem for p in (ROOT / "contracts").glob("*.eq"))
FLAWS = sorted((ROOT / "docs" / "flaws").glob("*.eq"))
EVERY = [ROOT / "contracts" / f"{name}.eq" for name in SAMPLES] + FLAWS
#: How far float64 may stray from the exact value: relative, and absolute near zero (money
#: rounded to cents may differ by a cent where the exact value lies on a half cent).
RELATIVE, ABSOLUTE = 1e-9, 0.011

PROGRAMS: dict[Path, Program] = {}


def program_of(path: Path) -> Program:
    if path not in PROGRAMS:
        PROGRAMS[path] = load_contract(path)
    return PROGRAMS[path]


def exactly(program: Program, tables: TableSet, inputs: OrganizationTable | None = None
            ) -> dict[str, object]:
    """Each organization's settlement by the exact backend, or the error that stops it."""
    evaluator = Evaluator(program, tables, organizations=inputs)
    found: dict[str, object] = {}
    for org in _settled(program, tables):
        try:
            found[org] = evaluator.settle(org)
        except EvaluationError as error:
            found[org] = error
    return found


def shipped_inputs(contract: Path, program: Program) -> OrganizationTable | None:
    """The organization table shipped beside a contract that declares inputs."""
    path = contract.with_name(f"{contract.stem}-organizations.csv")
    return load_organization_table(path, program) if program.inputs else None


def _settled(program: Program, tables: TableSet) -> list[str]:
    return [program.provider] if program.provider else list(tables.organizations())


def _flat(outputs: dict[str, Value | dict[str, Value]]) -> dict[str, Value]:
    flat: dict[str, Value] = {}
    for name, value in outputs.items():
        for key, item in (value.items() if isinstance(value, dict) else [("", value)]):
            flat[f"{name}({key})"] = item
    return flat


def same_value(a: Value, b: Value) -> bool:
    """Equal as the exact backend's values are compared, written the same way, and with the
    same note."""
    notes = (getattr(a, "note", None), getattr(b, "note", None))
    return a == b and type(a) is type(b) and display(a) == display(b) and \
        exact_text(a) == exact_text(b) and notes[0] == notes[1]


def assert_same(program: Program, tables: TableSet, inputs: OrganizationTable | None = None,
                remember: bool = True) -> None:
    expected = exactly(program, tables, inputs)
    run = evaluate(program, tables, organizations=list(expected), inputs=inputs,
                   remember=remember)
    failing = set(run.failing())
    for org, settled in expected.items():
        if isinstance(settled, EvaluationError):
            assert org in failing, f"{org}: the exact backend fails ({settled}), columnar not"
            continue
        assert org not in failing, f"{org}: columnar fails where the exact backend settles"
        (got,) = run.settlements([org])
        want, have = _flat(settled.outputs), _flat(got.outputs)
        assert want.keys() == have.keys()
        for name in want:
            assert same_value(want[name], have[name]), (org, name, want[name], have[name])
        assert settled.keys == got.keys


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_tables_settle_identically(name: str) -> None:
    contract = ROOT / "contracts" / f"{name}.eq"
    program = program_of(contract)
    tables = load_tables([contract.with_suffix(".csv")])
    inputs = shipped_inputs(contract, program)
    assert_same(program, tables, inputs)
    assert_same(program, tables, inputs, remember=False)
    orgs = _settled(program, tables)
    evaluator = Evaluator(program, tables, organizations=inputs)
    run = evaluate(program, tables, organizations=orgs, track=True, inputs=inputs)
    # The settlement statement reads rules' values through `computed`: the same text.
    assert summary(program, run, list(run.settlements(orgs))) == summary(
        program, evaluator, [evaluator.settle(org) for org in orgs])


def _broken(tables: TableSet, dropped: list[int]) -> TableSet:
    """The tables without some rows: a group gone, or an ALL row (settling then stops)."""
    rows = rows_of(tables)
    gone = {i % len(rows) for i in dropped}
    return with_rows([r for i, r in enumerate(rows) if i not in gone] or rows[:1])


@pytest.mark.parametrize("contract", EVERY, ids=lambda p: p.stem)
@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_generated_tables_settle_identically(contract: Path, data: st.DataObject) -> None:
    program = program_of(contract)
    tables = data.draw(tables_for(program, max_organizations=4))
    if data.draw(st.booleans()):
        tables = _broken(tables, data.draw(st.lists(st.integers(0, 10_000), max_size=3)))
    assert_same(program, tables, data.draw(inputs_for(program, tables)),
                remember=data.draw(st.booleans()))


@pytest.mark.parametrize("contract", [c for c in EVERY if c.stem not in SIMULATING],
                         ids=lambda p: p.stem)
@settings(max_examples=10, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_float_mode_is_close(contract: Path, data: st.DataObject) -> None:
    program = program_of(contract)
    tables = data.draw(tables_for(program, max_organizations=4))
    inputs = data.draw(inputs_for(program, tables))
    expected = exactly(program, tables, inputs)
    run = evaluate(program, tables, mode="float64", inputs=inputs)
    for org, settled in expected.items():
        if isinstance(settled, EvaluationError):
            continue
        (got,) = run.settlements([org])
        for name, want in _flat(settled.outputs).items():
            have = _flat(got.outputs)[name]
            if isinstance(want, Quantity) and isinstance(have, Quantity):
                assert math.isclose(float(want.magnitude), have.magnitude, rel_tol=RELATIVE,
                                    abs_tol=_last_place(program, name, want)), (
                    org, name, want, have)
            elif not isinstance(want, Quantity):
                # Yes/no and not scored agree except where a comparison sits on a tie that
                # floats cannot see; generated tables seldom put one there.
                assert type(want) is type(have) or isinstance(want, NotScored) or isinstance(
                    have, NotScored), (org, name, want, have)


def _last_place(program: Program, name: str, value: Quantity) -> float:
    """How far a float may stray from an exact value: a cent, or one unit of the last place
    an output is rounded to (a float can fall on the other side of a tie)."""
    rounding = program.rules[name.partition("(")[0]].rounding
    if rounding is None or rounding.places is None:
        return ABSOLUTE
    places = rounding.places + (2 if value.unit in ("percent", "pp") else 0)
    return max(ABSOLUTE, 1.01 * 10.0 ** -places)


@pytest.mark.parametrize("contract", [c for c in EVERY if c.stem in (
    "reference-equity", "showcase", "ma-health-equity-index", "best-performing-reference")],
    ids=lambda p: p.stem)
@settings(max_examples=8, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_lanes_of_perturbed_tables(contract: Path, data: st.DataObject) -> None:
    """Lanes of whole tables (each a perturbation of the first), evaluated together in
    chunks of a few lanes, equal the exact backend on each table."""
    program = program_of(contract)
    base = data.draw(tables_for(program, max_organizations=3, missing_rows=False))
    rows = rows_of(base)
    lanes = [base]
    for _ in range(data.draw(st.integers(1, 4))):
        changed = []
        for row in rows:
            share = data.draw(st.sampled_from((None, Decimal(0), Decimal("0.5"), Decimal(1))))
            numerator = row.numerator if share is None or row.group == "ALL" else (
                row.denominator * share)
            changed.append(attrs.evolve(row, numerator=numerator))
        lanes.append(_valid(changed))
    run = evaluate(program, base, lanes=Lanes.of_tables(base, lanes), chunk_rows=4)
    for number, table in enumerate(lanes):
        expected = exactly(program, table)
        for org, settled in expected.items():
            if isinstance(settled, EvaluationError):
                assert org in run.failing(number)
                continue
            (got,) = run.settlements([org], lane=number)
            for name, want in _flat(settled.outputs).items():
                assert same_value(want, _flat(got.outputs)[name]), (number, org, name)


def _valid(rows: list) -> TableSet:
    """Rows with each ALL row raised to hold its groups."""
    groups: dict[tuple[str, str, str], list] = {}
    for row in rows:
        if row.group != "ALL":
            groups.setdefault((row.org, row.measure, row.period), []).append(row)
    fixed = []
    for row in rows:
        if row.group == "ALL":
            parts = groups.get((row.org, row.measure, row.period), [])
            numerator = max(row.numerator, sum((p.numerator for p in parts), Decimal(0)))
            denominator = max(row.denominator, sum((p.denominator for p in parts), Decimal(0)),
                              numerator)
            row = attrs.evolve(row, numerator=numerator, denominator=denominator)
        fixed.append(row)
    return with_rows(fixed)


def test_lanes_change_cells_and_parameters() -> None:
    """A what-if of one cell and a parameter per lane: each lane as the exact backend
    settles the changed table with the changed parameter."""
    contract = ROOT / "contracts" / "reference-equity.eq"
    program = program_of(contract)
    tables = load_tables([contract.with_suffix(".csv")])
    orgs = tables.organizations()
    cell = ("CBP", "Black", "2024")
    rows = {org: tables.lookup(org, *cell[:2], cell[2]) for org in orgs}
    numerators = np.array([[rows[o].numerator * share for o in orgs]
                           for share in (Decimal(1), Decimal("0.5"), Decimal(0))], dtype=object)
    pools = [Quantity("money", Decimal(v)) for v in ("1000000.00", "2000000.00", "5.00")]
    lanes = Lanes(count=3, parameters={"pool": pools}, cells={cell: CellLanes(numerators)})
    run = evaluate(program, tables, lanes=lanes)
    for lane, share in enumerate((Decimal(1), Decimal("0.5"), Decimal(0))):
        changed = with_rows([attrs.evolve(r, numerator=r.numerator * share)
                             if (r.measure, r.group, r.period) == cell else r
                             for r in rows_of(tables)])
        text = f"pool={display(pools[lane])}"
        expected = settle(program, changed, overrides=[text], backend="exact").outputs()
        for org in orgs:
            (got,) = run.settlements([org], lane=lane)
            for name, want in _flat(expected[org]).items():
                assert same_value(want, _flat(got.outputs)[name]), (lane, org, name)


def test_float_lanes_give_arrays() -> None:
    contract = ROOT / "contracts" / "reference-equity.eq"
    program = program_of(contract)
    tables = load_tables([contract.with_suffix(".csv")])
    run = evaluate(program, tables, lanes=Lanes(count=5), mode="float64")
    values, codes = run.magnitudes("payout")
    assert values.shape == (5, len(tables.organizations())) and values.dtype == np.float64
    assert (values == values[0]).all() and (codes < 0).all()
    exact = settle(program, tables, backend="exact").outputs()
    for number, org in enumerate(tables.organizations()):
        payout = exact[org]["payout"]
        assert isinstance(payout, Quantity)
        assert abs(values[0, number] - float(payout.magnitude)) <= ABSOLUTE


UNSUPPORTED = """
contract "At with a number that differs per organization"
  provider each organization
  currency USD
  period performance is "2024"
end
import hedis
measure COL from hedis weight 100%
define shifted(x: pp, o: organization): percent = (rate(COL, ALL, performance) + x) at o
output best: percent =
  max(shifted(rate(COL, ALL, performance) - 50%, o) for each o in organizations)
  not rounded
"""


def test_unsupported_is_declined(tmp_path: Path) -> None:
    """`x at o` where x reads a number that differs per row: the columnar backend declines
    rather than guess, `auto` settles with the exact backend, and asking for the columnar
    backend by name is refused with E0608."""
    contract = tmp_path / "shifted.eq"
    contract.write_text(UNSUPPORTED, encoding="utf-8")
    program = load_contract(contract)
    tables = load_tables([ROOT / "contracts" / "reference-equity.csv"])
    with pytest.raises(Unsupported):
        evaluate(program, tables)
    run = settle(program, tables)
    assert isinstance(run.evaluator, Evaluator)
    assert run.outputs() == settle(program, tables, backend="exact").outputs()
    with pytest.raises(EqlangError) as refused:
        settle(program, tables, backend="columnar")
    assert refused.value.diagnostics[0].code == "E0608"


def test_auto_settles_columnar_and_falls_back_on_errors() -> None:
    contract = ROOT / "contracts" / "reference-equity.eq"
    program = program_of(contract)
    tables = load_tables([contract.with_suffix(".csv")])
    assert not isinstance(settle(program, tables).evaluator, Evaluator)
    assert isinstance(settle(program, tables, backend="exact").evaluator, Evaluator)
    rows = [r for r in rows_of(tables) if not (r.group == "ALL" and r.measure == "COL")]
    with pytest.raises(EvaluationError) as columnar:
        settle(program, with_rows(rows), backend="columnar")
    with pytest.raises(EvaluationError) as exact:
        settle(program, with_rows(rows), backend="exact")
    assert columnar.value.diagnostics == exact.value.diagnostics


def test_lanes_of_rows() -> None:
    """Numerators given per row and lane (as a simulation draws them): each lane as the
    exact backend settles the table with those numerators."""
    contract = ROOT / "contracts" / "reference-equity.eq"
    program = program_of(contract)
    tables = load_tables([contract.with_suffix(".csv")])
    rows = rows_of(tables)
    shares = (Decimal(1), Decimal("0.5"), Decimal("0.25"))
    numerators = np.array([[row.numerator * share for row in rows] for share in shares],
                          dtype=object)
    run = evaluate(program, tables, lanes=Lanes.of_rows(tables, rows, numerators))
    for lane, share in enumerate(shares):
        changed = with_rows([attrs.evolve(r, numerator=r.numerator * share) for r in rows])
        expected = settle(program, changed, backend="exact").outputs()
        for org, outputs in expected.items():
            (got,) = run.settlements([org], lane=lane)
            for name, want in _flat(outputs).items():
                assert same_value(want, _flat(got.outputs)[name]), (lane, org, name)


@attrs.frozen
class _Unknown:
    """A kind of expression the columnar backend has never seen (as a later branch may add
    one to the core program)."""

    value: object
    type: str = "percent"
    span: object = None
    site: int = 0


def _with_body(program: Program, name: str, body: object) -> Program:
    rule = attrs.evolve(program.rules[name], body=body)
    return attrs.evolve(program, rules={**program.rules, name: rule})


def test_unknown_constructs_are_declined_by_name() -> None:
    """A node, builtin or aggregation function the backend does not know, or a new field
    set on a node it knows, is declined before anything is settled, naming it; asked for
    by name, the columnar backend refuses with E0608."""
    contract = ROOT / "contracts" / "reference-equity.eq"
    program = program_of(contract)
    tables = load_tables([contract.with_suffix(".csv")])
    name = next(n for n in program.outputs if not program.rules[n].params)
    body = program.rules[name].body
    unknown = _with_body(program, name, _Unknown(body))
    with pytest.raises(Unsupported, match="the construct `_Unknown`"):
        evaluate(unknown, tables)
    with pytest.raises(EqlangError) as refused:
        settle(unknown, tables, backend="columnar")
    assert refused.value.diagnostics[0].code == "E0608"
    assert "_Unknown" in refused.value.diagnostics[0].message
    drawn = _with_body(program, name, attrs.evolve(
        next(e for e in program_walk(program) if isinstance(e, p.Builtin)), name="cube"))
    with pytest.raises(Unsupported, match="the builtin `cube`"):
        evaluate(drawn, tables)
    aggregate = next(e for e in program_walk(program) if isinstance(e, p.Aggregate))
    with pytest.raises(Unsupported, match="the aggregation `position`"):
        evaluate(_with_body(program, name, attrs.evolve(aggregate, function="position")),
                 tables)


def program_walk(program: Program) -> list[p.Expr]:
    return [e for rule in program.rules.values() if rule.body is not None
            for e in p.walk(rule.body)]


@pytest.mark.parametrize("name", ["member-month-equity", "mssp-health-equity-adjustment"])
def test_organization_inputs_settle_columnar(name: str) -> None:
    """The contracts with organization inputs (peers `with the same` region among them)
    settle with the columnar backend, by default, to the exact backend's outputs."""
    contract = ROOT / "contracts" / f"{name}.eq"
    program = program_of(contract)
    table = contract.with_name(f"{name}-organizations.csv")
    auto = settle(program, [contract.with_suffix(".csv")], organization_table=table)
    exact = settle(program, [contract.with_suffix(".csv")], organization_table=table,
                   backend="exact")
    assert not isinstance(auto.evaluator, Evaluator)
    assert auto.settlements == exact.settlements
    assert summary(program, auto.evaluator, list(auto.settlements)) == summary(
        program, exact.evaluator, list(exact.settlements))


@pytest.mark.parametrize("name", SIMULATING)
def test_contracts_with_simulated_intervals_settle_columnar(name: str) -> None:
    """The shipped contracts with simulated intervals (and `position`, `exp`,
    `normal_quantile`) settle with the columnar backend, by default and by name, to the
    exact backend's outputs byte for byte; float64 declines the simulation by name."""
    contract = ROOT / "contracts" / f"{name}.eq"
    program = program_of(contract)
    assert program.simulates
    tables = load_tables([contract.with_suffix(".csv")])
    auto = settle(program, tables)
    assert not isinstance(auto.evaluator, Evaluator)
    assert auto.outputs_json() == settle(program, tables, backend="columnar").outputs_json() \
        == settle(program, tables, backend="exact").outputs_json()
    with pytest.raises(Unsupported, match=r"the construct `Simulated` in float64"):
        evaluate(program, tables, mode="float64")


def test_a_definition_no_output_reaches_is_not_declined() -> None:
    """Only what settling reaches counts: a builtin the backend does not know, in the
    standard library's `z_value`, which stands unused in the program of the Beth Israel
    Lahey contract, does not keep the columnar backend from settling it."""
    contract = ROOT / "contracts" / "bluecross-bilh.eq"
    program = program_of(contract)
    unused = next(n for n, r in program.rules.items() if r.body is not None and any(
        isinstance(e, p.Builtin) and e.name == "normal_quantile" for e in p.walk(r.body)))
    builtin = next(e for e in p.walk(program.rules[unused].body)
                   if isinstance(e, p.Builtin) and e.name == "normal_quantile")
    changed = _with_body(program, unused, attrs.evolve(builtin, name="cube"))
    tables = load_tables([contract.with_suffix(".csv")])
    assert evaluate(changed, tables).settlements()
    used = next(n for n in program.outputs if not program.rules[n].params)
    with pytest.raises(Unsupported, match="the builtin `cube`"):
        evaluate(_with_body(changed, used, attrs.evolve(builtin, name="cube")), tables)


def _rule_evaluations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The rules the columnar evaluator evaluates from now on, one entry each time."""
    evaluated: list[str] = []
    original = ColumnarEvaluator.rule

    def rule(self: ColumnarEvaluator, rule: p.Rule, env: dict[str, Column], live: object
             ) -> Column:
        evaluated.append(rule.key)
        return original(self, rule, env, live)

    monkeypatch.setattr(ColumnarEvaluator, "rule", rule)
    return evaluated


@pytest.mark.parametrize("name", SAMPLES)
def test_values_let_go_are_not_read_again(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run that lets each value go once no output still to come reads it evaluates every
    rule exactly as often as one that remembers everything: nothing it let go was needed
    after all (which would cost the time of computing it again)."""
    contract = ROOT / "contracts" / f"{name}.eq"
    program = program_of(contract)
    tables = load_tables([contract.with_suffix(".csv")])
    inputs = shipped_inputs(contract, program)
    evaluated = _rule_evaluations(monkeypatch)
    evaluate(program, tables, inputs=inputs)
    remembering = sorted(evaluated)
    evaluated.clear()
    evaluate(program, tables, inputs=inputs, remember=False)
    assert sorted(evaluated) == remembering


def test_what_a_settled_measure_was_made_of_is_let_go() -> None:
    """Once the reference contract's payout of COL is settled, the payouts still to come
    read every measure's score, but none of COL's gaps, closures or table reads."""
    program = program_of(ROOT / "contracts" / "reference-equity.eq")
    tables = load_tables([ROOT / "contracts" / "reference-equity.csv"])
    run = evaluate(program, tables)
    evaluator = run._evaluator
    assert evaluator is not None
    later = [Entity("measure", m) for m in ("CBP", "HBD")]
    steps = [("measure_payout", m) for m in later] + [("payout", None)]
    # Remembered once COL's payout is settled: everything but what the later outputs
    # compute (the payout of COL rescales its weight by every measure's score).
    remembered = {key for key in evaluator.memo if key not in {
        ("payout", ()), *((rule, (m,)) for rule in ("measure_payout", "rescaled_weight")
                          for m in later)}}
    liveness = Liveness(program)
    found = liveness.needed(steps, remembered, evaluator.parameters)
    kept = {key for key in remembered if found.keeps(key)}
    col = Entity("measure", "COL")
    assert ("measure_score", (col,)) in kept
    assert ("measure_payout", (col,)) in kept
    assert not [key for key in kept if key[0] in ("gap", "closure", "group_score")]
    assert not found.keeps_read(col)
    # With the payout of COL still to come, its gaps are needed (they are not remembered
    # yet: evaluating them reads COL's rates).
    found = liveness.needed([("measure_payout", col)], {}, {})
    assert ("gap", (col, Group("named", "Asian"), Entity("period", "baseline"))) in found.keys
    assert found.keeps_read(col)


def test_a_run_that_forgets_answers_for_no_value() -> None:
    """`computed` (the settlement summary) needs every value; a run that lets them go
    says it knows none rather than answering for some."""
    program = program_of(ROOT / "contracts" / "reference-equity.eq")
    tables = load_tables([ROOT / "contracts" / "reference-equity.csv"])
    run = evaluate(program, tables, remember=False)
    org = run.names[0]
    assert run.computed(org, "measure_score", (Entity("measure", "COL"),)) is None
    assert evaluate(program, tables, track=True, organizations=[org]).computed(
        org, "measure_score", (Entity("measure", "COL"),)) is not None
