"""Properties every shipped contract must have, on generated tables (contracts/*.eq, so a
contract added later is held to them too): every valid table settles, its declared
invariants hold, settling is deterministic to the byte, and nothing but the numbers
matters: not the order of rows or columns, not the names of organizations."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eqlang.api import load_contract, settle
from eqlang.core.program import Program
from eqlang.core.values import Quantity, Value
from eqlang.data.organizations import OrganizationTable
from eqlang.data.tables import TableSet
from eqlang.diagnostics import EqlangError, render_all
from eqlang.tools.properties import Budget, check_properties, render_outcomes
from eqlang.tools.testing import (
    column_orders,
    csv_text,
    from_csv,
    inputs_for,
    renamed,
    rows_of,
    tables_for,
    with_rows,
)

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = sorted((ROOT / "contracts").glob("*.eq"))
PROGRAMS = {path.name: load_contract(str(path)) for path in CONTRACTS}
NAMES = sorted(PROGRAMS)
#: A generated run: tables, and the organizations' inputs of a contract that declares them.
Run = tuple[TableSet, OrganizationTable | None]
#: Generated tables per property and contract: the suite runs on 2 cores in CI.
SETTINGS = settings(max_examples=15, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def test_every_shipped_contract_is_covered() -> None:
    assert {"reference-equity.eq", "showcase.eq"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_every_shipped_contract_declares_invariants(name: str) -> None:
    assert PROGRAMS[name].invariants, f"{name} declares no invariant"


@pytest.mark.parametrize("name", NAMES)
def test_the_declared_invariants_hold(name: str) -> None:
    program = PROGRAMS[name]
    outcomes = check_properties(program, Budget(examples=25, seconds=600))
    for outcome in outcomes:
        assert outcome.holds, render_outcomes(name, [outcome])


@pytest.mark.parametrize("name", NAMES)
def test_every_valid_table_settles(name: str) -> None:
    """No runtime error on any valid table: empty organizations, measures and groups,
    rates of 0% and 100%, tiny and huge counts are outcomes the terms must settle (not
    scored, with a reason, or a value the terms justify), not a division by zero."""
    program = PROGRAMS[name]

    # Settling alone is quick: more tables than the other properties get.
    @settings(SETTINGS, max_examples=40)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        tables = data.draw(tables_for(program))
        try:
            settle(program, tables, organization_table=data.draw(inputs_for(program, tables)))
        except EqlangError as error:
            raise AssertionError(f"{name} cannot settle this table:\n"
                                 f"{render_all(error.diagnostics)}\n{csv_text(tables)}"
                                 ) from None

    check()


def _outputs(program: Program, tables: TableSet,
             inputs: OrganizationTable | None = None) -> dict[str, dict[str, object]]:
    return settle(program, tables, organization_table=inputs).outputs()


def _money_outputs(outputs: dict[str, Value | dict[str, Value]]) -> list[Quantity]:
    found = []
    for value in outputs.values():
        for one in value.values() if isinstance(value, dict) else [value]:
            if isinstance(one, Quantity) and one.unit == "money":
                found.append(one)
    return found


def _runs(program: Program) -> st.SearchStrategy[tuple[TableSet, OrganizationTable | None]]:
    """Tables for a contract, with its organizations' inputs when it declares any."""
    return tables_for(program).flatmap(
        lambda tables: inputs_for(program, tables).map(lambda inputs: (tables, inputs)))


def _property(name: str):  # type: ignore[no-untyped-def]
    """``@given`` over tables (and organization inputs) for one contract, with the budget
    above."""
    return lambda test: SETTINGS(given(_runs(PROGRAMS[name]), st.randoms(
        use_true_random=False), column_orders())(test))


@pytest.mark.parametrize("name", NAMES)
def test_the_same_inputs_give_a_byte_identical_trace(name: str) -> None:
    program = PROGRAMS[name]

    @_property(name)
    def check(run: Run, _: random.Random, __: tuple[str, ...]) -> None:
        tables, inputs = run
        assert settle(program, tables, organization_table=inputs).trace_json() == settle(
            program, tables, organization_table=inputs).trace_json()

    check()


@pytest.mark.parametrize("name", NAMES)
def test_row_and_column_order_change_nothing(name: str) -> None:
    program = PROGRAMS[name]

    @_property(name)
    def check(run: Run, shuffler: random.Random, columns: tuple[str, ...]) -> None:
        tables, inputs = run
        rows = rows_of(tables)
        shuffler.shuffle(rows)
        # Written out and read back through every check a file gets, CRLF line ends too.
        text = csv_text(rows, columns=columns, newline=shuffler.choice(["\n", "\r\n"]))
        assert _outputs(program, from_csv(text), inputs) == _outputs(program, tables, inputs)

    check()


@pytest.mark.parametrize("name", NAMES)
def test_renaming_organizations_changes_only_the_names(name: str) -> None:
    program = PROGRAMS[name]
    if program.provider is not None:
        pytest.skip("the contract names its one organization")

    @_property(name)
    def check(run: Run, shuffler: random.Random, _: tuple[str, ...]) -> None:
        tables, inputs = run
        orgs = list(tables.organizations())
        # New names in another order: peers are compared by value, not by name or position.
        fresh = [f"{shuffler.choice(['Zeta', 'Alpha', 'Mid'])} Health {n}"
                 for n in range(len(orgs))]
        shuffler.shuffle(fresh)
        names = dict(zip(orgs, fresh, strict=True))
        before = _outputs(program, tables, inputs)
        moved_inputs = None if inputs is None else attrs.evolve(inputs, entries={
            names[org]: entry for org, entry in inputs.entries.items()})
        after = _outputs(program, renamed(tables, names), moved_inputs)
        assert after == {names[org]: values for org, values in before.items()}

    check()


@pytest.mark.parametrize("name", NAMES)
def test_money_outputs_rounded_to_cents_are_whole_cents(name: str) -> None:
    program = PROGRAMS[name]
    to_cents = {key for key in program.outputs
                if getattr(program.rules[key].declaration.rounding, "unit", None) == "cents"}
    if not to_cents:
        pytest.skip("the contract rounds no output to cents")

    @_property(name)
    def check(run: Run, _: random.Random, __: tuple[str, ...]) -> None:
        for outputs in _outputs(program, *run).values():
            chosen = {k: v for k, v in outputs.items() if k in to_cents}
            for amount in _money_outputs(chosen):  # type: ignore[arg-type]
                assert amount.magnitude == amount.magnitude.quantize(Decimal("0.01"))
                assert amount.magnitude.as_tuple().exponent == -2

    check()


def test_duplicated_rows_across_orgs_settle_alike() -> None:
    """Two organizations with the very same rows get the very same outputs."""
    program = PROGRAMS["reference-equity.eq"]

    @SETTINGS
    @given(tables_for(program, max_organizations=1))
    def check(tables: TableSet) -> None:
        rows = rows_of(tables)
        twin = [attrs.evolve(r, org="Twin") for r in rows]
        outputs = _outputs(program, with_rows([*rows, *twin]))
        (org,) = tables.organizations()
        assert outputs[org] == outputs["Twin"]

    check()
