"""The interpreter against the independent oracle, and the reference contract's promises,
on generated tables, checked in Python from the table itself rather than through the
contract's own invariant declarations: better care never pays less, no leveling down, and
an unscored measure changes the others only by rescaling their weights."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from oracle_reference import settle as oracle_settle

from eqlang.api import load_contract, settle
from eqlang.core.values import NotScored, Quantity
from eqlang.data.tables import MeasureTable, TableSet
from eqlang.tools.testing import Move, amounts, movable, moved, tables_for

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


# ---- the reference contract's promises, checked from the table itself ------------------------

MEASURES = ("COL", "CBP", "HBD")
FOCUS = ("Asian", "Black", "Hispanic")
HIGHER_IS_BETTER = {"COL": True, "CBP": True, "HBD": False}
WEIGHT = {"COL": Decimal("0.35"), "CBP": Decimal("0.35"), "HBD": Decimal("0.30")}


@st.composite
def improvements(draw: st.DrawFn) -> tuple[TableSet, Move]:
    """A table and a better performance-period rate for one focus group of one measure."""
    tables = draw(tables_for(CONTRACT))
    candidates = []
    for org in tables.organizations():
        for measure in MEASURES:
            for group in FOCUS:
                room = movable(tables, org, measure, group, "2024", HIGHER_IS_BETTER[measure])
                if room > 0:
                    candidates.append((org, measure, group, room))
    assume(candidates)
    org, measure, group, room = draw(st.sampled_from(candidates))
    row = tables.lookup(org, measure, group, "2024")
    assert row is not None
    amount = draw(amounts(room))
    numerator = row.numerator + (amount if HIGHER_IS_BETTER[measure] else -amount)
    return tables, Move(org, measure, group, "2024", numerator)


@SETTINGS
@given(improvements())
def test_better_care_for_a_focus_group_never_lowers_the_payout(
        case: tuple[TableSet, Move]) -> None:
    tables, move = case
    before = _amount(settle(CONTRACT, tables).outputs()[move.org]["payout"])
    after = _amount(settle(CONTRACT, moved(tables, move)).outputs()[move.org]["payout"])
    assert before is not None and after is not None
    assert after >= before, (move, before, after)


def _all_rate(tables: TableSet, org: str, measure: str, period: str) -> Decimal | None:
    row = tables.lookup(org, measure, "ALL", period)
    if row is None or row.denominator == 0:
        return None
    return row.numerator / row.denominator


@SETTINGS
@given(tables_for(CONTRACT))
def test_a_measure_whose_whole_population_worsened_by_over_1_pp_pays_nothing(
        tables: TableSet) -> None:
    for org, result in settle(CONTRACT, tables).outputs().items():
        per_measure = result["measure_payout"]
        assert isinstance(per_measure, dict)
        for measure in MEASURES:
            before = _all_rate(tables, org, measure, "2022")
            after = _all_rate(tables, org, measure, "2024")
            if before is None or after is None:
                continue
            worse = before - after if HIGHER_IS_BETTER[measure] else after - before
            if worse > Decimal("0.01"):
                assert _amount(per_measure[measure]) in (None, Decimal("0.00")), (org, measure)


def _score(run_trace: dict, org: str, measure: str) -> Decimal | None:
    value = run_trace["organizations"][org]["nodes"][f"measure_score({measure})"]["value"]
    return Decimal(value["value"]) if "value" in value else None


@SETTINGS
@given(tables_for(CONTRACT, max_organizations=1), st.sampled_from(MEASURES))
def test_an_unscored_measure_changes_the_others_only_through_the_rescaled_weights(
        tables: TableSet, dropped: str) -> None:
    # Without White rows, no focus group of the measure is scorable: it is not scored.
    rows = [r for t in tables.tables for r in t.rows
            if not (r.measure == dropped and r.group == "White")]
    without = TableSet((MeasureTable("generated.csv", "0" * 64, tuple(rows)),))
    (org,) = tables.organizations()
    first, second = settle(CONTRACT, tables), settle(CONTRACT, without)
    trace_first, trace_second = first.trace(), second.trace()
    assert _score(trace_second, org, dropped) is None
    scored = [m for m in MEASURES if _score(trace_second, org, m) is not None]
    total = sum((WEIGHT[m] for m in scored), Decimal(0))
    payouts = second.outputs()[org]["measure_payout"]
    assert isinstance(payouts, dict)
    for measure in scored:
        score = _score(trace_second, org, measure)
        assert score == _score(trace_first, org, measure), "its own score is unchanged"
        assert score is not None
        expected = (POOL * WEIGHT[measure] / total * score).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert _amount(payouts[measure]) == expected, (measure, expected)
