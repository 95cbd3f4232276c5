"""Simulated intervals: how the exact backend evaluates ``simulated lower(VALUE, level: L,
draws: N, seed: S)`` (and ``upper``, ``standard error``). Takes the value, the organization
being settled and the tables; gives the bound asked for, computed from the value settled
again on N tables whose rates are drawn around the table's, and, when recording, a
derivation whose note says how.

The method is the one the WHO uses for the health-inequality measures that have no formula
for their standard error, made reproducible:

- Every cell the value reads (a measure, group and period of the organization being
  settled; the whole population; the rest beside a group) has a rate y = numerator /
  denominator and a binomial standard error se = √(y(1 − y) / denominator). In draw k its
  rate is y + z·se, kept within 0% and 100%, and its numerator that rate times the
  denominator, which stays as it is. Each cell is drawn on its own: a group and the whole
  population that contains it are drawn apart.
- z is a standard normal deviate fixed by the seed, the draw and the cell: the first 16
  bytes of the SHA-256 of ``SEED|DRAW|MEASURE|GROUP|PERIOD`` (the group and period as the
  table spells them, ``ALL`` for the whole population, ``rest of GROUP`` for the rest),
  read as a whole number k, give the uniform number u = (k + ½) / 2^128, and z is the
  normal quantile of u as ``eqlang.core.normal.deviate`` approximates it. The same seed
  gives the same draws on every machine, in any order of evaluation; every organization is
  drawn with the same random numbers (common random numbers), so that two organizations
  with the same rows get the same interval whatever their names. For the same reason a
  simulated value reads the rows of the organization being settled only: one that reads
  another's (with ``at``) stops the settlement (E0405), since their cells would move
  together.
- The value is computed on each drawn table exactly as it is settled. A draw on which it is
  not scored is left out, and the note says how many were.
- The interval at level L runs from the (1 − L)/2 to the (1 + L)/2 percentile of the draws
  (between ranks, as ``percentile`` interpolates); the standard error is the draws'
  standard deviation, dividing by N − 1.

A mixin of the exact backend (``eqlang.backends.exact.Evaluator``): each draw is evaluated by
a copy of the evaluator with a memory of its own, whose table reads (``Reads.counts``) ask
``drawing`` for the drawn numerator. The interval backend answers for every table at once
instead (``IntervalEvaluator._x_Simulated``).
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs

from eqlang.backends.derivation import Env, EvaluationError, Key, Parts, one_line
from eqlang.core import normal
from eqlang.core import program as p
from eqlang.core.values import (
    ExactArithmetic,
    NotScored,
    Quantity,
    Value,
    display,
    plain_number,
)
from eqlang.diagnostics import Note

#: The uniform number is (k + ½) / 2^128 for the first 128 bits k of the SHA-256.
_SCALE = Decimal(1 << 129)
#: Values that do not depend on the tables, which every draw may share.
_FACTS = frozenset({"weight", "min_denominator", "higher_is_better"})


def uniform(seed: int, draw: int, cell: tuple[str, ...], context: Any) -> Decimal:
    """The uniform number in (0, 1) of one cell in one draw: the first 16 bytes of the
    SHA-256 of ``SEED|DRAW|MEASURE|GROUP|PERIOD`` as k, then (k + ½) / 2^128."""
    text = "|".join((str(seed), str(draw), *cell))
    k = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:16], "big")
    return context.divide(Decimal(2 * k + 1), _SCALE)


class Drawing:
    """One draw for the organization ``org``: every cell's numerator drawn once, the same
    wherever it is read."""

    def __init__(self, org: str, seed: int, index: int, math: ExactArithmetic) -> None:
        self.org = org
        self.seed = seed
        self.index = index
        self.math = math
        self.cells: dict[tuple[str, ...], Decimal] = {}

    def numerator(self, cell: tuple[str, ...], numerator: Decimal, denominator: Decimal
                  ) -> Decimal:
        """The drawn numerator of a cell: its rate moved by a normal deviate times its
        binomial standard error, kept within 0% and 100%, times its denominator."""
        drawn = self.cells.get(cell)
        if drawn is None:
            drawn = self.cells[cell] = self._draw(cell, numerator, denominator)
        return drawn

    def _draw(self, cell: tuple[str, ...], numerator: Decimal, denominator: Decimal
              ) -> Decimal:
        if denominator <= 0:
            return numerator
        c = self.math.context
        return moved(deviate(self.seed, self.index, cell, c), numerator, denominator, c)


def deviate(seed: int, draw: int, cell: tuple[str, ...], context: Any) -> Decimal:
    """The standard normal deviate of one cell in one draw (the same in every
    organization)."""
    return normal.deviate(uniform(seed, draw, cell, context), context)


def moved(z: Decimal, numerator: Decimal, denominator: Decimal, c: Any) -> Decimal:
    """A cell's numerator drawn with deviate ``z``: its rate moved by z times its binomial
    standard error, kept within 0% and 100%, times its denominator (above 0)."""
    rate = c.divide(numerator, denominator)
    spread = c.sqrt(c.divide(c.multiply(rate, c.subtract(1, rate)), denominator))
    return c.multiply(min(Decimal(1), max(Decimal(0), c.add(rate, c.multiply(z, spread)))),
                      denominator)


def summary(ordered: list[Decimal], level: Decimal | None, math: ExactArithmetic
            ) -> tuple[Decimal, Decimal | None, Decimal | None]:
    """The draws' standard deviation and, at a level, the percentiles at its two ends."""
    spread = _standard_deviation(ordered, math)
    if level is None:
        return spread, None, None
    tail = math.divide(math.subtract(Decimal(1), level), Decimal(2))
    return (spread, math.percentile(ordered, tail),
            math.percentile(ordered, math.subtract(Decimal(1), tail)))


def result_unit(bound: str, unit: str) -> str:
    """The unit of a simulated bound of a value of ``unit``: a standard error of a percent
    is in points."""
    spread_unit = "pp" if unit == "percent" else unit
    return spread_unit if bound == "standard error" else unit


def fewer_than_two(draws: int, first_reason: str | None) -> NotScored:
    return NotScored(f"fewer than two of the {draws} draws were scored; first: "
                     f"{first_reason}")


@attrs.frozen
class Drawn:
    """The draws of one value: the scored ones, in order, and what was left out."""

    values: tuple[Decimal, ...]
    unit: str
    unscored: int
    first_reason: str | None


class Simulations(Parts):
    """The exact backend's simulated intervals; see the module's docstring."""

    derivations: dict[Key, Any]
    recording: bool
    recorder: Any
    steps_left: int
    dispatch: dict[type, Callable[[Any, Env], Value]]
    #: The draw being evaluated, in a copy of the evaluator that evaluates draws; else None.
    drawing: Drawing | None
    #: What each value's draws gave: by organization, value, local variables, draws and
    #: seed, so that the lower and upper bound of one interval share their draws.
    drawn: dict[tuple[Any, ...], Drawn | NotScored]

    def dispatch_table(self) -> dict[type, Callable[[Any, Env], Value]]:
        raise NotImplementedError

    def _x_Simulated(self, e: p.Simulated, env: Env) -> Value:
        options = self.simulation_options(e, env)
        if isinstance(options, NotScored):
            return options
        level, draws, seed = options
        if self.drawing is not None:
            raise self.fail("E0405", "a simulated interval cannot be computed inside the draws "
                            "of another", e.span, env, hint="simulate the outer value only: "
                            "its draws already vary every rate the inner one reads")
        written = f", level: {plain_number(level, scale=True)}%" if level is not None else ""
        label = (f"simulated {e.bound}({_substituted(e.value, env.local)}{written}, "
                 f"draws: {draws}, seed: {seed})")
        key = Key(env.org if env.key is None or env.key.org else "", label)
        return self.derived(key, "simulation", e, env, lambda inner: self._bound(
            e, env, self.eval(e.value, inner), level, draws, seed))

    def simulation_options(self, e: p.Simulated, env: Env
                           ) -> tuple[Decimal | None, int, int] | NotScored:
        """The level (a fraction; None for a standard error), draws and seed, checked."""
        found: list[Decimal] = []
        for option in e.options:
            value = self.eval(option, env)
            if isinstance(value, NotScored):
                return NotScored(f"the simulation's {_option_name(e, option)} is not scored: "
                                 f"{value.reason}")
            assert isinstance(value, Quantity)
            found.append(value.magnitude)
        problem = option_problem(found)
        if problem is not None:
            option, message = problem
            raise self.fail("E0405", message, getattr(e, option).span, env)
        *level, draws, seed = found
        return (level[0] if level else None), int(draws), int(seed)

    def _bound(self, e: p.Simulated, env: Env, estimate: Value, level: Decimal | None,
               draws: int, seed: int) -> tuple[Value, str | None]:
        """The bound ``e`` asks for, and the note that says how it was found."""
        if isinstance(estimate, NotScored):
            return estimate, None
        assert isinstance(estimate, Quantity)
        drawn = self._draws(e, env, draws, seed)
        if isinstance(drawn, NotScored):
            return drawn, None
        math = self.math
        assert isinstance(math, ExactArithmetic)
        ordered = list(drawn.values)
        unit = estimate.unit
        if len(ordered) < 2:
            return fewer_than_two(draws, drawn.first_reason), None
        spread, low, high = summary(ordered, level, math)
        interval = ""
        if level is not None:
            assert low is not None and high is not None
            tail = math.divide(math.subtract(Decimal(1), level), Decimal(2))
            interval = (f"{plain_number(level, scale=True)}% interval "
                        f"{_shown(unit, low)} to {_shown(unit, high)} "
                        f"(the {plain_number(tail, scale=True)}th and "
                        f"{plain_number(math.subtract(Decimal(1), tail), scale=True)}th "
                        "percentiles of the draws); ")
            magnitude = low if e.bound == "lower" else high
        else:
            magnitude = spread
        spread_unit = "pp" if unit == "percent" else unit
        note = (f"{interval}standard error {_shown(spread_unit, spread)} (the draws' standard "
                f"deviation); {draws} draws from seed {seed}, each rate drawn from a normal "
                "distribution with its binomial standard error, within 0% and 100%; the "
                f"value on the table itself: {_shown(unit, estimate.magnitude)}")
        if drawn.unscored:
            note += (f"; {drawn.unscored} of {draws} draws were not scored and are left out "
                     f"(first: {drawn.first_reason})")
        return Quantity(result_unit(e.bound, unit), magnitude), note

    def _draws(self, e: p.Simulated, env: Env, draws: int, seed: int) -> Drawn | NotScored:
        """The value computed on each drawn table, remembered for the other bounds."""
        memory = (env.org, e.value, tuple(sorted(env.local.items(), key=lambda i: i[0])),
                  draws, seed)
        found = self.drawn.get(memory)
        if found is not None:
            return found
        drawer = self._drawer()
        base = drawer.memo
        values: list[Decimal] = []
        unit = ""
        unscored = 0
        first: str | None = None
        math = self.math
        assert isinstance(math, ExactArithmetic)
        for index in range(1, draws + 1):
            drawer.memo = dict(base)
            drawer.drawing = Drawing(env.org, seed, index, math)
            drawer.steps_left = self.steps_left
            try:
                value = drawer.eval(e.value, Env(env.org, dict(env.local), None, env.key))
            except EvaluationError as error:
                raise _in_draw(error, index, seed) from None
            finally:
                self.steps_left = drawer.steps_left
            if isinstance(value, Quantity):
                values.append(value.magnitude)
                unit = value.unit
            else:
                unscored += 1
                if first is None and isinstance(value, NotScored):
                    first = value.reason
        found = Drawn(tuple(sorted(values)), unit, unscored, first)
        self.drawn[memory] = found
        return found

    def _drawer(self) -> Any:
        """A copy of this evaluator to evaluate draws with: its own memory (holding what
        does not depend on the tables: parameters, measure facts, constant rules), no
        derivations, no recorder."""
        program = self.program
        drawer = copy.copy(self)
        drawer.memo = {k: v for k, v in self.memo.items() if not k.org and (
            k.name in program.parameters or k.name in _FACTS
            or k.name in program.constant_rules)}
        drawer.derivations = {}
        drawer.recording = False
        drawer.recorder = None
        drawer.drawn = {}
        drawer.dispatch = drawer.dispatch_table()
        return drawer


def option_problem(found: list[Decimal]) -> tuple[str, str] | None:
    """What is wrong with a simulation's options (the level, if any, the draws and the
    seed): which one and why; None if nothing."""
    *level, draws, seed = found
    if level and not 0 < level[0] < 1:
        return "level", (f"a confidence level lies strictly between 0% and 100%, not "
                         f"{plain_number(level[0], scale=True)}%")
    if draws != draws.to_integral_value() or not 2 <= draws <= p.MAX_DRAWS:
        return "draws", (f"the number of draws is a whole number from 2 to "
                         f"{p.MAX_DRAWS:,}, not {plain_number(draws)}")
    if seed != seed.to_integral_value() or seed < 0:
        return "seed", f"a seed is a whole number, 0 or more, not {plain_number(seed)}"
    return None


def _option_name(e: p.Simulated, option: p.Expr) -> str:
    if option is e.level:
        return "level"
    return "number of draws" if option is e.draws else "seed"


def _standard_deviation(values: list[Decimal], math: ExactArithmetic) -> Decimal:
    count = Decimal(len(values))
    # Every step in the backend's own context, so the spread does not hang on the caller's.
    total = Decimal(0)
    for value in values:
        total = math.add(total, value)
    mean = math.divide(total, count)
    squares = Decimal(0)
    for value in values:
        squares = math.add(squares, math.square(math.subtract(value, mean)))
    return math.sqrt(math.divide(squares, count - 1))


def _shown(unit: str, magnitude: Decimal) -> str:
    return display(Quantity(unit, magnitude), digits=4)


def _substituted(e: p.Expr, local: dict[str, Value]) -> str:
    """The value's text with the rule's parameters written as their arguments, for its
    label in traces: `index_of_disparity(COL, race, performance)`."""
    text = one_line(e)
    for name, value in local.items():
        text = re.sub(rf"(?<![\w.]){re.escape(name)}(?![\w.(])", display(value), text)
    return text


def _in_draw(error: EvaluationError, index: int, seed: int) -> EvaluationError:
    note = Note(f"in draw {index} of a simulation from seed {seed}: the rates were drawn "
                "around the table's, and this draw's stopped the settlement")
    return EvaluationError([attrs.evolve(d, notes=(*d.notes, note)) for d in error.diagnostics])
