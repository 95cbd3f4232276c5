"""The builtins and simulated intervals the columnar backend computes through the exact
backend's own implementations (``position``, ``exp``, ``normal_quantile``, ``simulated
lower|upper|standard error``), held to the exact backend on generated tables: the same
values to the last digit, the same reasons, and the same organizations stopped by an
error; what it declines (a simulated value that reads other organizations, float64
simulations) it declines by name."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_columnar import _broken, _flat, assert_same, exactly

from eqlang.api import load_contract, settle
from eqlang.backends.columnar import Unsupported, evaluate
from eqlang.backends.columnar_values import DISTINCT_LIMIT, FloatNumbers
from eqlang.backends.derivation import EvaluationError
from eqlang.backends.exact import Evaluator
from eqlang.core.builtins import FUNCTIONS
from eqlang.core.program import Program
from eqlang.core.values import Quantity
from eqlang.data.tables import load_tables
from eqlang.diagnostics import EqlangError
from eqlang.tools.testing import inputs_for, tables_for

HEADER = """\
contract "Builtins and simulations"
  provider each organization
  currency USD
  period baseline is "2022"
  period performance is "2024"
  effective 2024-01-01 to 2024-12-31
end

measure COL "Colorectal cancer screening" higher is better weight 60%
measure CBP "Controlling blood pressure" higher is better weight 40%

stratification race "Race"
  groups Black, White, Asian
  ordered least advantaged first
  reference White
  focus Black, Asian
end

stratification area "Area"
  groups Rural
  reference whole population
end

parameter level: percent = 90% per "Section 1"
parameter draws: count = 12 per "Section 1"
parameter seed: count = 7 per "Section 1"

define gap(m: measure): pp = rate(m, White, performance) - rate(m, Black, performance)

define lagging(m: measure): group =
  if rate(m, Black, performance) < rate(m, Asian, performance) then Black else Asian
"""

#: Every new construct, guarded so that settling goes on: the values and reasons compared.
COMPUTED = HEADER + """
output black_place: count = position(Black) not rounded
output rest_place: count = position(rest(Black)) not rounded
output rural_place: count = position(Rural) not rounded
output lagging_place(m: measure): count = position(lagging(m)) not rounded
output grown(m: measure): number =
  exp(rate(m, Black, performance) / 10%) rounded to 6 decimals half even
output shrunk(m: measure): number = exp(0 - gap(m) / 1 pp) not rounded
output z(m: measure): number =
  if rate(m, Black, performance) > 0% and rate(m, Black, performance) < 100%
  then normal_quantile(rate(m, Black, performance))
  else not scored because "no quantile at 0% or 100%"
  not rounded
output critical: number = normal_quantile(level) rounded to 4 decimals half even
"""

SIMULATED = COMPUTED + """
output gap_low(m: measure): pp =
  simulated lower(gap(m), level: level, draws: draws, seed: seed)
  rounded to 4 decimals half even
output gap_high(m: measure): pp =
  simulated upper(gap(m), level: 95%, draws: 15, seed: 3) not rounded
output gap_error(m: measure): pp =
  simulated standard error(gap(m), draws: draws, seed: seed) not rounded
output rest_high(m: measure): percent =
  simulated upper(rate(m, rest(Black), performance), level: 80%, draws: 10, seed: 1)
  not rounded
output fragile(m: measure): percent =
  simulated upper(
    if rate(m, Black, performance) > 50% then rate(m, Black, performance)
    else not scored because "a low rate",
    level: 50%, draws: 6, seed: 11)
  not rounded
"""

#: Unguarded: a rate of 0% or 100% stops the settlement (E0401), in both backends alike.
STOPPING = HEADER + """
output z(m: measure): number = normal_quantile(rate(m, Black, performance)) not rounded
output low(m: measure): percent =
  simulated lower(rate(m, Asian, performance), level: 80%, draws: 5, seed: 2) not rounded
"""

#: A simulated interval inside the draws of another stops the settlement (E0405).
NESTED = HEADER + """
define inner(m: measure): percent =
  simulated lower(rate(m, Black, performance), level: 80%, draws: 4, seed: 2)
output nested(m: measure): percent =
  simulated upper(inner(m), level: 80%, draws: 4, seed: 2) not rounded
"""

#: A simulated value that reads other organizations, which the columnar backend declines.
PEERS = HEADER + """
output above_best(m: measure): pp =
  simulated upper(
    rate(m, ALL, performance) - max(rate(m, ALL, performance) at o for each o in organizations),
    level: 80%, draws: 4, seed: 2)
  not rounded
"""

PROGRAMS: dict[str, Program] = {}


def program_of(text: str, tmp_path: Path) -> Program:
    if text not in PROGRAMS:
        path = tmp_path / "gaps.eq"
        path.write_text(text, encoding="utf-8")
        PROGRAMS[text] = load_contract(path)
    return PROGRAMS[text]


@pytest.mark.parametrize("text", [SIMULATED, STOPPING, NESTED],
                         ids=["simulated", "stopping", "nested"])
@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_tables_settle_identically(text: str, tmp_path: Path,
                                             data: st.DataObject) -> None:
    program = program_of(text, tmp_path)
    tables = data.draw(tables_for(program, max_organizations=4))
    if data.draw(st.booleans()):
        tables = _broken(tables, data.draw(st.lists(st.integers(0, 10_000), max_size=3)))
    assert_same(program, tables, data.draw(inputs_for(program, tables)),
                remember=data.draw(st.booleans()))


def test_simulated_values_that_read_other_organizations_are_declined(tmp_path: Path) -> None:
    program = program_of(PEERS, tmp_path)
    path = tmp_path / "gaps.csv"
    path.write_text(TABLE, encoding="utf-8")
    with pytest.raises(Unsupported, match="reads other organizations"):
        evaluate(program, load_tables([path]))
    with pytest.raises(EqlangError) as refused:
        settle(program, [path], backend="columnar")
    assert refused.value.diagnostics[0].code == "E0608"
    # `auto` settles with the exact backend, which stops: a draw moves one organization's
    # rates only.
    with pytest.raises(EvaluationError) as stopped:
        settle(program, [path])
    assert stopped.value.diagnostics[0].code == "E0405"


TABLE = "org,measure,group,period,numerator,denominator\n" + "".join(
    f"{org},{m},{g},{period},{n},{d}\n"
    for org, shift in (("Harbor ACO", 0), ("Lakeside", 7))
    for m in ("COL", "CBP") for period in ("2022", "2024")
    for g, n, d in (("ALL", 600 + shift, 1000), ("Black", 90 + shift, 200),
                    ("White", 380, 600), ("Asian", 40, 100), ("Rural", shift, 50)))


def test_the_sample_settles_columnar_by_name(tmp_path: Path) -> None:
    program = program_of(SIMULATED, tmp_path)
    path = tmp_path / "gaps.csv"
    path.write_text(TABLE, encoding="utf-8")
    columnar = settle(program, [path], backend="columnar")
    assert not isinstance(columnar.evaluator, Evaluator)
    assert columnar.outputs_json() == settle(program, [path], backend="exact").outputs_json()


@settings(max_examples=10, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_float_mode_is_close(tmp_path: Path, data: st.DataObject) -> None:
    """float64 computes `position`, `exp` and `normal_quantile` (the last through the
    exact implementation, once per different argument) close to the exact values."""
    program = program_of(COMPUTED, tmp_path)
    tables = data.draw(tables_for(program, max_organizations=4))
    expected = exactly(program, tables)
    run = evaluate(program, tables, mode="float64")
    for org, settled in expected.items():
        if isinstance(settled, EvaluationError):
            assert org in run.failing()
            continue
        (got,) = run.settlements([org])
        for name, want in _flat(settled.outputs).items():
            have = _flat(got.outputs)[name]
            if isinstance(want, Quantity):
                assert isinstance(have, Quantity), (org, name, want, have)
                assert math.isclose(float(want.magnitude), have.magnitude, rel_tol=1e-9,
                                    abs_tol=1e-4), (org, name, want, have)
            else:
                assert want == have, (org, name, want, have)


def test_float_functions_fail_where_the_exact_one_has_no_result() -> None:
    numbers = FloatNumbers()
    with numbers.scope():
        result, failed = numbers.function(FUNCTIONS["exp"], np.array([[1.0, 800.0]]))
        assert result[0, 0] == pytest.approx(math.e) and failed.tolist() == [[False, True]]
        shares = np.array([[0.975, 0.0, 1.0, 0.5]])
        result, failed = numbers.function(FUNCTIONS["normal_quantile"], shares)
        assert failed.tolist() == [[False, True, True, False]]
        assert result[0, 0] == pytest.approx(1.959963984540054) and result[0, 3] == 0.0
        assert numbers.function(FUNCTIONS["normal_quantile"], 0.5) == (0.0, False)
        many = np.linspace(0.01, 0.99, DISTINCT_LIMIT + 1).reshape(1, -1)
        with pytest.raises(Unsupported, match="the builtin `normal_quantile`"):
            numbers.function(FUNCTIONS["normal_quantile"], many)
