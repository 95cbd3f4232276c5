"""The interpreter against the independent oracle, and the reference contract's promises,
on generated tables."""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle_reference import settle as oracle_settle

from eqlang.api import load_contract, settle
from eqlang.tables import MeasureTable, TableSet
from eqlang.testing import tables_for
from eqlang.values import NotScored, Quantity

CONTRACT = load_contract("contracts/reference-equity.eq")
POOL = Decimal("1000000.00")
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _rows(tables: TableSet) -> list[dict[str, object]]:
    return [
        {"org": r.org, "measure": r.measure, "group": r.group, "period": r.period,
         "numerator": r.numerator, "denominator": r.denominator}
        for t in tables.tables for r in t.rows
    ]


def _amount(value: object) -> Decimal | None:
    if isinstance(value, NotScored):
        return None
    assert isinstance(value, Quantity)
    return value.magnitude


@SETTINGS
@given(tables_for(CONTRACT))
def test_interpreter_agrees_with_the_oracle_to_the_cent(tables: TableSet) -> None:
    expected = oracle_settle(_rows(tables))
    outputs = settle(CONTRACT, tables).outputs()
    assert set(outputs) == set(expected)
    for org, result in outputs.items():
        assert _amount(result["payout"]) == expected[org]["payout"]
        per_measure = result["measure_payout"]
        assert isinstance(per_measure, dict)
        for code, value in per_measure.items():
            assert _amount(value) == expected[org]["measure_payout"][code], (org, code)


@SETTINGS
@given(tables_for(CONTRACT))
def test_payout_is_within_the_pool_and_is_the_sum_of_its_parts(tables: TableSet) -> None:
    for result in settle(CONTRACT, tables).outputs().values():
        payout = _amount(result["payout"])
        assert payout is not None and Decimal(0) <= payout <= POOL
        assert payout == payout.quantize(Decimal("0.01"))
        per_measure = result["measure_payout"]
        assert isinstance(per_measure, dict)
        parts = [_amount(v) for v in per_measure.values()]
        assert payout == min(sum((p for p in parts if p is not None), Decimal(0)), POOL)


@SETTINGS
@given(tables_for(CONTRACT))
def test_same_inputs_give_a_byte_identical_trace(tables: TableSet) -> None:
    first = settle(CONTRACT, tables).trace_json()
    second = settle(CONTRACT, tables).trace_json()
    assert first == second


@SETTINGS
@given(tables_for(CONTRACT), st.randoms(use_true_random=False))
def test_row_order_changes_nothing(tables: TableSet, shuffler: random.Random) -> None:
    rows = list(tables.tables[0].rows)
    shuffler.shuffle(rows)
    shuffled = TableSet((MeasureTable("generated.csv", "0" * 64, tuple(rows)),))
    assert settle(CONTRACT, shuffled).outputs() == settle(CONTRACT, tables).outputs()
