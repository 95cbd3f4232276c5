"""The engine of `whatif` and `simulate` (eqlang.tools.lanes) against its reference.

Lanes are settled by the columnar backend: scenarios in exact decimal mode, where every
value must equal what the exact backend gives on that lane's tables (``exact_lane``), to
the last digit, with the same tiers; draws in float64 mode, where each value must come
within a cent (or the last place an output is rounded to) of the exact backend's on the
same drawn counts, with the same values not scored.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from eqlang.api import load_contract, parse_override, settle
from eqlang.backends.columnar_support import refuse_unknown
from eqlang.backends.columnar_values import Unsupported
from eqlang.core.program import Program
from eqlang.core.values import NotScored, Quantity, Value
from eqlang.tools import lanes as lanes_module
from eqlang.tools.lanes import BLOCK, Lane, exact_lane, settle_drawn, settle_lanes
from eqlang.tools.scenarios import read_scenarios
from eqlang.tools.simulate import Method, drawn_numerators, lanes

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "contracts").glob("*.eq"))
SCENARIOS = """
[[scenario]]
name = "fewer members"
[[scenario.change]]
denominators = "x 0.9"

[[scenario]]
name = "better rates"
[[scenario.change]]
rate = "+2 pp"
period = "performance"

[[scenario]]
name = "worse rates"
[[scenario.change]]
rate = "-4 pp"
"""


def _run(contract: Path):  # type: ignore[no-untyped-def]
    program = load_contract(contract)
    inputs = contract.with_name(f"{contract.stem}-organizations.csv")
    run = settle(program, [contract.with_suffix(".csv")],
                 organization_table=inputs if program.inputs else None)
    return program, run


def _no_fallback(monkeypatch: pytest.MonkeyPatch, program: Program, mode: str = "exact"
                 ) -> None:
    """The shipped contracts' lanes are all settled by the columnar backend: the engine
    does not hand any to the exact backend (which would make these tests hold trivially).
    Only a contract the backend declines in ``mode`` (a simulated interval in float64:
    tests/test_columnar.py) has its lanes settled by the exact backend."""
    try:
        refuse_unknown(program, mode)
    except Unsupported:
        return

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("a lane was settled by the exact backend")

    monkeypatch.setattr(lanes_module, "exact_lane", refused)


def _flat(outputs: dict) -> dict[str, Value]:
    return {f"{name}({key})": item for name, value in outputs.items()
            for key, item in (value.items() if isinstance(value, dict) else [("", value)])}


def _priced_parameter(program) -> str | None:  # type: ignore[no-untyped-def]
    """A money parameter of the contract, to set in a scenario."""
    return next((key for key, info in program.parameters.items()
                 if info.type == "money" and "." not in key), None)


@pytest.mark.parametrize("contract", SHIPPED, ids=lambda p: p.stem)
def test_scenarios_settle_as_the_exact_backend(tmp_path: Path, contract: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    program, run = _run(contract)
    text = SCENARIOS
    priced = _priced_parameter(program)
    if priced is not None:
        text += f'\n[[scenario]]\nname = "set"\nset = {{ {priced} = "$1,234.56" }}\n'
    path = tmp_path / "scenarios.toml"
    path.write_text(text, encoding="utf-8")
    chosen = [s.lane for s in read_scenarios(path, program, run.tables, parse_override)]
    _no_fallback(monkeypatch, program)
    settled = list(settle_lanes(program, run.tables, chosen, run.organizations,
                                organization_table=run.organization_table))
    assert len(settled) == len(chosen)
    for lane, got in zip(chosen, settled, strict=True):
        want = exact_lane(program, run.tables, lane, run.organizations,
                          organization_table=run.organization_table)
        assert got.settlements == want.settlements, lane.name
        assert got.tiers == {org: pairs for org, pairs in want.tiers.items()
                             if org in run.organizations}, lane.name


def test_blocks_of_lanes_and_a_lane_that_keeps_the_contract_s_value() -> None:
    """More lanes than a block, some setting a parameter and some not: each lane as the
    exact backend settles it."""
    contract = ROOT / "contracts" / "reference-equity.eq"
    program, run = _run(contract)
    pools = [Lane(f"lane {n}", {"pool": parse_override(program, f"pool=${n},000.00")[1]}
                  if n % 3 == 0 else {}) for n in range(BLOCK["exact"] + 3)]
    settled = list(settle_lanes(program, run.tables, pools, run.organizations))
    for number in (0, 1, 2, BLOCK["exact"], BLOCK["exact"] + 1):
        want = exact_lane(program, run.tables, pools[number], run.organizations)
        assert settled[number].settlements == want.settlements


def _close(want: Value, have: Value) -> bool:
    if isinstance(want, Quantity) and isinstance(have, Quantity):
        return math.isclose(float(want.magnitude), float(have.magnitude), rel_tol=1e-9,
                            abs_tol=0.011)
    if isinstance(want, NotScored):
        return isinstance(have, NotScored) and want.reason == have.reason
    return want == have


@pytest.mark.parametrize("contract", SHIPPED, ids=lambda p: p.stem)
def test_draws_settle_as_the_exact_backend_within_a_cent(
        contract: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`simulate`'s draws in float64 against the exact backend on the same draws (the
    lanes ``simulate.lanes`` makes one at a time): every output of every lane through
    ``settle_lanes``, and each output without arguments, with the tiers, through
    ``settle_drawn`` as `simulate` reads them."""
    program, run = _run(contract)
    method = Method("binomial", 6, 3)
    slow = list(lanes(program, run.tables, run.organizations, method))
    wanted = [exact_lane(program, run.tables, lane, run.organizations,
                         organization_table=run.organization_table) for lane in slow]
    _no_fallback(monkeypatch, program, "float64")
    every = list(settle_lanes(program, run.tables, slow, run.organizations,
                              organization_table=run.organization_table, mode="float64"))
    for lane, got, want in zip(slow, every, wanted, strict=True):
        for mine, theirs in zip(got.settlements, want.settlements, strict=True):
            assert mine.org == theirs.org
            have, expected = _flat(mine.outputs), _flat(theirs.outputs)
            assert have.keys() == expected.keys()
            for name, value in expected.items():
                assert _close(value, have[name]), (lane.name, mine.org, name, value,
                                                   have[name])
    for output in [n for n in program.outputs if not program.rules[n].params]:
        rows, blocks = drawn_numerators(program, run.tables, run.organizations, method)
        (drawn,) = settle_drawn(program, run.tables, rows, blocks, run.organizations, output,
                                organization_table=run.organization_table)
        assert drawn.amounts.shape == (method.draws, len(run.organizations))
        for number, want in enumerate(wanted):
            for place, theirs in enumerate(want.settlements):
                value = theirs.outputs[output]
                amount = drawn.amounts[number, place]
                if isinstance(value, Quantity):
                    assert math.isclose(float(value.magnitude), amount, rel_tol=1e-9,
                                        abs_tol=0.011), (number, theirs.org, output)
                else:
                    assert np.isnan(amount)
            assert drawn.tiers[number] == {org: pairs for org, pairs in want.tiers.items()
                                           if org in run.organizations}


def test_drawn_numerators_are_the_lanes_counts() -> None:
    """The draws as arrays are the counts ``simulate.lanes`` gives lane by lane."""
    contract = ROOT / "contracts" / "reference-equity.eq"
    program, run = _run(contract)
    method = Method("beta-binomial", 5, 8)
    rows, blocks = drawn_numerators(program, run.tables, run.organizations, method)
    numerators = np.concatenate(list(blocks))
    for number, lane in enumerate(lanes(program, run.tables, run.organizations, method)):
        for column, row in enumerate(rows):
            assert math.isclose(float(lane.cells[row.key][0]), numerators[number, column],
                                rel_tol=1e-12, abs_tol=1e-9)
