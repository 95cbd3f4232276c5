"""Simulated intervals in the columnar backend: takes ``simulated lower|upper|standard
error(VALUE, level: L, draws: N, seed: S)`` and the evaluator's columns, gives the bound in
every row, equal to the exact backend's (``eqlang.backends.simulation``, which says how
the draws are made) to the last digit.

A draw's deviate depends on the seed, the draw and the cell (measure, group, period), not
on the organization, so draw k is one evaluation of VALUE over every row at once, by a copy
of the evaluator that reads each cell's numerator drawn with that deviate
(``simulation.moved``, row by row in decimals); the bound of a row is then found from its
N values as the exact backend finds it (``simulation.summary``).

Declined (``Unsupported``; the exact backend settles the contract): float64 mode (the
draws are defined in decimals; ``columnar_support`` declines it before settling), options
that differ from row to row, and a VALUE that reads other organizations (``at``, a
``for each`` over organizations), whose settlement the exact backend stops (E0405) only
where such a read happens.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import attrs
import numpy as np

from eqlang.backends.columnar_values import (
    NUM,
    SCORED,
    Column,
    Env,
    Unsupported,
    broadcast,
    either,
)
from eqlang.backends.simulation import (
    deviate,
    fewer_than_two,
    moved,
    option_problem,
    result_unit,
    summary,
)
from eqlang.core import program as p
from eqlang.core.values import NotScored, Quantity, Value


@attrs.define(slots=True, eq=False)
class Draw:
    """The draw an evaluator copy reads the tables in: its seed and number, and each
    cell's deviate, found once."""

    seed: int
    index: int
    deviates: dict[tuple[str, ...], Decimal] = attrs.Factory(dict)


class ColumnarSimulations:
    """The columnar evaluator's simulated intervals (a mixin of ``ColumnarEvaluator``)."""

    program: p.Program
    numbers: Any
    strings: Any
    shape: tuple[int, int]
    memo: dict[Any, Any]
    reads_memo: dict[Any, Any]
    peers: dict[Any, Any]
    #: The draw a copy of the evaluator evaluates; None in the evaluator itself.
    drawing: Draw | None = None

    def eval(self, e: p.Expr, env: Env, live: Any) -> Column:
        raise NotImplementedError

    def blank(self, kind: str, unit: str | None = None, *, ns: Any = SCORED, err: Any = False
              ) -> Column:
        raise NotImplementedError

    def unscored(self, kind: str, reason: Any, unit: str | None = None) -> Column:
        raise NotImplementedError

    def value_at(self, column: Column, index: tuple[int, int]) -> Value:
        raise NotImplementedError

    def key_value(self, column: Column) -> Value:
        raise NotImplementedError

    def _x_Simulated(self, e: p.Simulated, env: Env, live: Any) -> Column:
        assert self.numbers.exact  # float64 is declined before settling (columnar_support)
        found: list[Decimal] = []
        err: Any = False
        for option in e.options:
            column = self.eval(option, env, live)
            if not column.uniform:
                raise Unsupported("a simulated interval whose level, draws or seed differ "
                                  "from row to row")
            err = either(err, column.err)
            value = self.key_value(column)
            if isinstance(value, NotScored):
                name = ("level" if option is e.level else "number of draws"
                        if option is e.draws else "seed")
                return self.unscored(NUM, f"the simulation's {name} is not scored: "
                                     f"{value.reason}").with_err(err)
            if not isinstance(value, Quantity):
                return self.blank(NUM, err=True)  # the option failed to evaluate
            found.append(value.magnitude)
        if self.drawing is not None or option_problem(found) is not None:
            return self.blank(NUM, err=True)  # the exact backend stops here (E0405)
        if _reads_others(self.program, e.value):
            raise Unsupported("a simulated interval of a value that reads other "
                              "organizations")
        *level, draws, seed = found
        estimate = self.eval(e.value, env, live)
        drawn = [self._drawer(int(seed), index).eval(e.value, env, live)
                 for index in range(1, int(draws) + 1)]
        return self._bounds(e, estimate, drawn, level[0] if level else None, int(draws)
                            ).with_err(err)

    def _drawer(self, seed: int, index: int) -> Any:
        """A copy of this evaluator that reads the tables of draw ``index``: the rule values
        and table reads of its own, the parameters and constants shared."""
        drawer = copy.copy(self)
        drawer.drawing = Draw(seed, index)
        drawer.memo = {}
        drawer.reads_memo = {}
        drawer.peers = {}
        drawer.track = False
        drawer.tiers = None
        drawer.liveness = None
        return drawer

    def drawn(self, measure: str, group: Any, label: str, numerator: Any, denominator: Any
              ) -> Any:
        """The numerators of a cell in the draw being evaluated, in every row."""
        draw = self.drawing
        assert draw is not None
        spelled = group.label if group.name is None else self.program.spelling(group.name)
        cell = (measure, "rest of " + spelled if group.kind == "rest" else spelled, label)
        context = self.numbers.context
        z = draw.deviates.get(cell)
        if z is None:
            z = draw.deviates[cell] = deviate(draw.seed, draw.index, cell, context)

        def one(n: Decimal, d: Decimal) -> Decimal:
            return moved(z, n, d, context) if d > 0 else n

        if not isinstance(numerator, np.ndarray) and not isinstance(denominator, np.ndarray):
            return one(numerator, denominator)
        shape = np.broadcast_shapes(np.shape(numerator), np.shape(denominator))
        return _MOVED(broadcast(numerator, shape), broadcast(denominator, shape), one)

    def _bounds(self, e: p.Simulated, estimate: Column, drawn: list[Column],
                level: Decimal | None, draws: int) -> Column:
        """The bound of each row from its draws, as ``Simulations._bound`` finds it."""
        math = self.numbers.arithmetic
        shape = self.shape
        data = np.full(shape, Decimal(0), dtype=object)
        ns = np.full(shape, SCORED, dtype=np.int64)
        units = np.full(shape, result_unit(e.bound, estimate.unit) if isinstance(
            estimate.unit, str) else "number", dtype=object)
        failed = np.zeros(shape, dtype=bool)
        code = self.strings.code
        for index in np.ndindex(shape):
            if _at(estimate.err, index):
                failed[index] = True
                continue
            value = self.value_at(estimate, index)
            if isinstance(value, NotScored):
                ns[index] = code(value.reason)
                continue
            assert isinstance(value, Quantity)
            units[index] = result_unit(e.bound, value.unit)
            values: list[Decimal] = []
            first: str | None = None
            for column in drawn:
                if _at(column.err, index):
                    failed[index] = True
                    break
                one = self.value_at(column, index)
                if isinstance(one, Quantity):
                    values.append(one.magnitude)
                elif first is None and isinstance(one, NotScored):
                    first = one.reason
            if failed[index]:
                continue
            if len(values) < 2:
                ns[index] = code(fewer_than_two(draws, first).reason)
                continue
            spread, low, high = summary(sorted(values), level, math)
            data[index] = spread if level is None else low if e.bound == "lower" else high
        unit: Any = units
        if len(set(units.reshape(-1).tolist())) == 1:
            unit = units[0, 0]
        return Column(NUM, data, ns if (ns >= 0).any() else SCORED, unit,
                      err=failed if failed.any() else False)


_MOVED = np.frompyfunc(lambda n, d, one: one(n, d), 3, 1)


def _at(x: Any, index: tuple[int, int]) -> Any:
    if not isinstance(x, np.ndarray):
        return bool(x)
    return bool(x[min(index[0], x.shape[0] - 1), min(index[1], x.shape[1] - 1)])


def _reads_others(program: p.Program, value: p.Expr) -> bool:
    """Whether ``value``, or a rule it calls, may read another organization's rows: holds
    an ``at`` or a ``for each`` over organizations."""
    waiting = [value]
    called: set[str] = set()
    while waiting:
        for e in p.walk(waiting.pop()):
            if isinstance(e, p.At) or (isinstance(e, p.Aggregate) and any(
                    isinstance(b.domain, p.Organizations) for b in e.binders)):
                return True
            if isinstance(e, p.Call) and e.rule not in called and e.rule in program.rules:
                called.add(e.rule)
                rule = program.rules[e.rule]
                waiting.extend([*([rule.body] if rule.body is not None else []),
                                *(x for ex in rule.exceptions for x in (ex.value, ex.condition)),
                                *(tier.value for tier in rule.tiers)])
    return False
