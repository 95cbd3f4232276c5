"""The columnar evaluator: takes a checked ``Program`` and the measure tables as columns
(``columnar_tables.Counts``) for a range of scenario lanes, gives each expression's value
for every lane and organization at once, as ``Column``s (``columnar_values``).

It interprets the program as the exact backend (``eqlang.backends.exact``, the
specification of every value) does, one operation over all rows where the exact backend
does it for one organization:

- Both sides of a branch (``if``, ``otherwise``, ``and``/``or``, an exception, a tier) are
  computed for the rows that take it; a failure (a division by zero, a missing ALL row, a
  value outside every tier) counts only in the rows whose path reaches it, which is what a
  column's ``err`` records.
- A rule called with the same arguments in every row is evaluated once and remembered per
  (rule, arguments); one called with arguments that differ per row is evaluated once per
  distinct measure, group or period among them, or, given numbers that differ per row,
  with those columns as its parameters.
- ``x at o`` reads ``x`` in the row of organization ``o`` of the same lane.
- Aggregations (``columnar_aggregations``) go over their items as columns; an aggregation
  over organizations that does not depend on the organization being settled is computed
  once per lane along the organization axis.

Where it cannot follow the exact backend soundly it raises ``Unsupported`` and the caller
settles with the exact backend.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
import numpy as np

from eqlang.backends.columnar_aggregations import ColumnarAggregations, kind_of
from eqlang.backends.columnar_liveness import Liveness, Needed
from eqlang.backends.columnar_ranks import PROBE
from eqlang.backends.columnar_simulation import ColumnarSimulations
from eqlang.backends.columnar_tables import Counts
from eqlang.backends.columnar_values import (
    NUM,
    SCORED,
    TRUTH,
    VALUE,
    Column,
    Env,
    Numbers,
    Strings,
    Unsupported,
    both,
    chosen,
    chosen_err,
    either,
    first_unscored,
    is_false,
    merged,
    negated,
    objects,
    rest,
    scalar,
    where,
)
from eqlang.backends.reads import group_position
from eqlang.check import units as t
from eqlang.check.dependence import free_locals
from eqlang.core import program as p
from eqlang.core.builtins import FUNCTIONS
from eqlang.core.limits import DEFAULT_STEP_LIMIT
from eqlang.core.values import (
    DateValue,
    Entity,
    Group,
    Mode,
    NotScored,
    Quantity,
    Truth,
    Value,
)


@attrs.define(slots=True, eq=False)
class Entry:
    """A rule's value for one set of arguments, and the rows whose evaluation reached it."""

    column: Column
    reached: Any = False


class ColumnarEvaluator(ColumnarSimulations, ColumnarAggregations):
    """Evaluates one checked program for every organization of a range of lanes."""

    def __init__(self, program: p.Program, counts: Counts, lanes: slice, numbers: Numbers,
                 strings: Strings, *, overrides: Mapping[str, p.Override],
                 as_of: datetime.date | None, track: bool = False,
                 work_limit: int = DEFAULT_STEP_LIMIT, inputs: Any = None,
                 tiers: bool = False) -> None:
        self.program = program
        self.counts = counts
        self.lanes = lanes
        self.numbers = numbers
        self.strings = strings
        self.overrides = overrides
        self.as_of = as_of
        self.track = track
        #: The organization table (``eqlang.data.organizations.OrganizationTable``), if any.
        self.inputs = inputs
        self.input_columns: dict[str, Column] = {}
        #: With ``tiers``: per (schedule, tier text), the rows where some value the schedule
        #: was called with on the row's path fell in the tier (needs ``track``).
        self.tiers: dict[tuple[str, str], Any] | None = {} if tiers else None
        self.organizations = counts.organizations
        size = len(self.organizations)
        self.shape = (lanes.stop - lanes.start, size)
        self.org_index = {org: i for i, org in enumerate(self.organizations)}
        self.own = Column(VALUE, objects([Entity("organization", o) for o in
                                          self.organizations], (1, size)), own=True)
        # The exact backend's budget is per organization: over all of them, as much again.
        self.work_left = work_limit * max(1, size)
        self.memo: dict[tuple[str, tuple[Value, ...]], Entry] = {}
        self.reads_memo: dict[tuple[Any, ...], Column] = {}
        self.parameters: dict[str, Column] = {}
        self.constants: dict[int, Column] = {}
        self.peers: dict[tuple[Any, ...], Column] = {}
        self.free: dict[int, frozenset[str]] = {}
        #: The value of ``x at o`` while a rank's condition is evaluated (``columnar_ranks``).
        self.probe: Column | None = None
        #: With a ``Liveness``, values that nothing still to come reads are let go.
        self.liveness: Liveness | None = None
        # The class's functions, not methods bound to this evaluator: a table of bound
        # methods would be a reference cycle, and with the cycle collector off (as `eqlang`
        # runs) the evaluator and every value it remembers would outlive the run.
        self.dispatch = _handlers(type(self))

    # ---- values and columns -------------------------------------------------------------

    def constant(self, value: Value) -> Column:
        """A value the same in every row."""
        if isinstance(value, Quantity):
            return Column(NUM, self.numbers.literal(value.magnitude), unit=value.unit,
                          note=self.strings.code(value.note) if value.note else SCORED)
        if isinstance(value, Truth):
            return Column(TRUTH, value.value)
        if isinstance(value, NotScored):
            return Column(VALUE, None, self.strings.code(value.reason))
        return Column(VALUE, value)

    def unscored(self, kind: str, reason: Any, unit: str | None = None) -> Column:
        code = self.strings.code(reason) if isinstance(reason, str) else reason
        return self.blank(kind, unit, ns=code)

    def blank(self, kind: str, unit: str | None = None, *, ns: Any = SCORED, err: Any = False
              ) -> Column:
        """A column of the right kind whose data no row reads: not scored, or failing."""
        data = self.numbers.zero if kind == NUM else False if kind == TRUTH else None
        return Column(kind, data, ns, unit or ("number" if kind == NUM else None), err=err)

    def value_at(self, column: Column, index: tuple[int, int]) -> Value:
        """The value of one row, as the exact backend gives it."""
        return row_value(column, index, self.strings, self.numbers)

    def key_value(self, column: Column) -> Value:
        """The value of a column that is the same in every row."""
        return self.value_at(column, (0, 0))

    def charge(self, e: p.Expr) -> None:
        """Count one expression evaluated for every organization of a lane."""
        self.work_left -= self.shape[1]
        if self.work_left < 0:
            raise Unsupported("the contract takes more work than the columnar backend's "
                              "budget (an aggregation over organizations inside one)")

    # ---- rules --------------------------------------------------------------------------

    def call(self, rule: p.Rule, args: Sequence[Column], live: Any) -> Column:
        err: Any = False
        for a in args:
            err = either(err, a.err)
        if err is True:
            return self.blank(kind_of(rule.type), rule.type, err=True)
        if all(a.uniform for a in args) and not any(a.data is PROBE for a in args):
            return self.remembered(rule, args, live).with_err(err)
        split = None if any(a.data is PROBE for a in args) else self.split(args)
        if split is None:
            env = {q.name: a for q, a in zip(rule.params, args, strict=True)}
            return self.rule(rule, env, live).with_err(err)
        options = []
        for mask, values in split:
            if any(v is None for v in values):
                options.append((mask, self.blank(kind_of(rule.type), rule.type, err=True)))
            else:
                options.append((mask, self.remembered(
                    rule, [self.constant(v) for v in values], self.reach(live, mask))))
        return attrs.evolve(chosen(options), err=either(err, chosen_err(options)))

    def reach(self, live: Any, rows: Any) -> Any:
        """The rows that evaluating a part for ``rows`` reaches, of those ``live`` reaches:
        followed only when the run tracks what is reached, for nothing else reads them."""
        return both(live, rows) if self.track else True

    def remembered(self, rule: p.Rule, args: Sequence[Column], live: Any) -> Column:
        key = (rule.key, tuple(self.key_value(a) for a in args))
        entry = self.memo.get(key)
        if entry is None:
            env = {q.name: a for q, a in zip(rule.params, args, strict=True)}
            entry = self.memo[key] = Entry(self.rule(rule, env, live))
            entry.reached = live if self.track else True
            if self.liveness is not None and self.liveness.due():
                # The rest of the output being evaluated lies within evaluating it over
                # again, which the search follows: nothing it will read is let go.
                self.forget(self.liveness.needed(self.liveness.upcoming, self.memo,
                                                 self.parameters))
        elif self.track:
            fresh = both(live, negated(entry.reached))
            if not is_false(fresh):
                # Rows that reach it for the first time reach what it calls too.
                entry.reached = either(entry.reached, live)
                env = {q.name: a for q, a in zip(rule.params, args, strict=True)}
                self.rule(rule, env, fresh)
        return entry.column

    def forget(self, needed: Needed) -> None:
        """Let go of the remembered rule values and table reads not ``needed``."""
        self.memo = {key: entry for key, entry in self.memo.items() if needed.keeps(key)}
        # A read's key is (what, measure, ...): what is read, then of which measure.
        self.reads_memo = {key: column for key, column in self.reads_memo.items()
                           if needed.keeps_read(key[1])}

    def split(self, args: Sequence[Column]) -> list[tuple[Any, tuple[Value, ...]]] | None:
        """The distinct combinations of argument values, each with its rows, where every
        argument that differs per row is a measure, group, period or other such value; None
        where numbers differ per row (the rule is then evaluated over the columns)."""
        if any(not a.uniform and a.kind != VALUE for a in args):
            return None
        codes: list[np.ndarray] = []
        tables: list[list[Value]] = []
        for a in args:
            found: dict[Any, int] = {}
            values: list[Value] = []
            column = np.broadcast_to(self._as_values(a), self.shape)
            code = np.empty(self.shape, dtype=np.int64)
            for index, value in np.ndenumerate(column):
                number = found.get(value)
                if number is None:
                    number = found[value] = len(values)
                    values.append(value)
                code[index] = number
            codes.append(code)
            tables.append(values)
        combined = np.zeros(self.shape, dtype=np.int64)
        for code, values in zip(codes, tables, strict=True):
            combined = combined * len(values) + code
        found_combinations = np.unique(combined)
        if len(found_combinations) > 64:
            raise Unsupported("a rule is called with too many different arguments")
        result = []
        for combination in found_combinations:
            mask = combined == combination
            picked = []
            rest = int(combination)
            for values in reversed(tables):
                picked.append(values[rest % len(values)])
                rest //= len(values)
            result.append((mask, tuple(reversed(picked))))
        return result

    def _as_values(self, column: Column) -> np.ndarray:
        """A VALUE column as one ``Value`` per row, NotScored where not scored."""
        data = column.data
        if isinstance(column.ns, np.ndarray) or column.ns >= 0:
            shape = np.broadcast_shapes(np.shape(data), np.shape(column.ns))
            out = np.empty(shape, dtype=object)
            values = np.broadcast_to(np.asarray(data, dtype=object) if isinstance(
                data, np.ndarray) else objects([data], ()), shape)
            ns = np.broadcast_to(column.ns, shape)
            for index, code in np.ndenumerate(ns):
                out[index] = NotScored(self.strings.texts[code]) if code >= 0 else values[
                    index]
            return out
        return data if isinstance(data, np.ndarray) else objects([data], (1, 1))

    def rule(self, rule: p.Rule, env: Env, live: Any) -> Column:
        if rule.kind == "schedule":
            if self.tiers is not None:
                self.watch(rule, env[rule.params[0].name], live)
            return self.schedule(rule, env[rule.params[0].name], env, live)
        value = self.body(rule, env, live)
        rounding = rule.rounding
        if rounding is not None and rounding.places is not None and value.kind == NUM:
            assert rounding.mode is not None
            magnitude, failed = self.numbers.round(value.data, value.unit, rounding.places,
                                                   rounding.mode) if isinstance(
                value.unit, str) else self._round_units(value, rounding.places, rounding.mode)
            value = attrs.evolve(value, data=magnitude, err=value.err if is_false(failed)
                                 else either(value.err, both(failed, negated(value.unscored()))))
        return value

    def watch(self, rule: p.Rule, x: Column, live: Any) -> None:
        """Note the tiers of a schedule that a scored number it is called with falls in,
        in the rows that reach the call."""
        assert self.tiers is not None
        if x.kind != NUM or x.empty:
            return
        rows = both(live, negated(x.unscored()))
        numbers = self.numbers
        for tier in rule.tiers:
            above = numbers.test(">=" if tier.low_closed else ">", x.data,
                                 numbers.literal(tier.low))
            below = numbers.test("<=" if tier.high_closed else "<", x.data,
                                 numbers.literal(tier.high))
            hit = both(rows, both(above, below))
            if not is_false(hit):
                key = (rule.name, tier.text)
                self.tiers[key] = either(self.tiers.get(key, False), hit)

    def _round_units(self, value: Column, places: int, mode: str) -> tuple[Any, Any]:
        """Rounding where the unit differs per row (percent rounds two places further)."""
        data: Any = value.data
        failed: Any = False
        for unit in np.unique(value.unit):
            rounded, broke = self.numbers.round(value.data, str(unit), places, mode)
            rows = value.unit == unit
            data = where(rows, rounded, data)
            failed = either(failed, both(rows, broke))
        return data, failed

    def body(self, rule: p.Rule, env: Env, live: Any) -> Column:
        """A rule's value: its exception that applies, or its general rule."""
        assert rule.body is not None
        if not rule.exceptions:
            return self.eval(rule.body, env, live)
        pending: Any = True  # rows still deciding which exception applies
        err: Any = False
        applying: Any = 0
        first: Any = -1
        stopped: Any = SCORED
        for number, exception in enumerate(rule.exceptions):
            condition = self.eval(exception.condition, env, self.reach(live, pending))
            err = either(err, both(pending, condition.err))
            unknown = both(pending, condition.unscored())
            if not is_false(unknown):
                stopped = where(unknown, self.strings.mapped(
                    condition.ns, lambda r: f"cannot tell whether an exception applies: {r}"),
                    stopped)
                pending = both(pending, negated(unknown))
            applies = both(pending, condition.data)
            if not is_false(applies):
                applying = applying + np.asarray(applies, dtype=np.int32) if isinstance(
                    applies, np.ndarray) else applying + int(applies)
                first = where(both(applies, _equal(first, -1)), number, first)
        err = either(err, both(pending, _greater(applying, 1)))
        options = [(negated(pending), self.unscored(kind_of(rule.type), stopped))]
        general = both(pending, _equal(applying, 0))
        if not is_false(general):
            value = self.eval(rule.body, env, self.reach(live, general))
            options.append((general, value))
            err = either(err, both(general, value.err))
        for number, exception in enumerate(rule.exceptions):
            rows = both(both(pending, _equal(applying, 1)), _equal(first, number))
            if is_false(rows):
                continue
            value = self.eval(exception.value, env, self.reach(live, rows))
            options.append((rows, value))
            err = either(err, both(rows, value.err))
        return attrs.evolve(chosen(options), err=err)

    def schedule(self, rule: p.Rule, argument: Column, env: Env, live: Any) -> Column:
        if argument.empty:
            return argument
        scored = negated(argument.unscored())
        x = argument.data
        taken: Any = False
        options = [(argument.unscored(), argument)]
        err: Any = argument.err
        for tier in rule.tiers:
            low = self.numbers.literal(tier.low)
            high = self.numbers.literal(tier.high)
            inside = both(self.numbers.test(">=" if tier.low_closed else ">", x, low),
                          self.numbers.test("<=" if tier.high_closed else "<", x, high))
            rows = both(both(scored, negated(taken)), inside)
            if is_false(rows):
                continue
            value = self.eval(tier.value, env, self.reach(live, rows))
            options.append((rows, value))
            err = either(err, both(rows, value.err))
            taken = either(taken, rows)
        return attrs.evolve(chosen(options), err=either(err, both(scored, negated(taken))))

    # ---- parameters ---------------------------------------------------------------------

    def parameter(self, key: str) -> Column:
        column = self.parameters.get(key)
        if column is None:
            column = self.parameters[key] = self._parameter(key)
        return column

    def _parameter(self, key: str) -> Column:
        info = self.program.parameters[key]
        lane_values = self.counts.lanes.parameters.get(key)
        override = self.overrides.get(key)
        own: Column | None = None
        if lane_values is None or any(v is None for v in lane_values[self.lanes]):
            # The run's override, or the contract's value in force.
            if override is not None:
                own = self.constant(override.value)
            else:
                expr = self._in_force(info)
                own = self.blank(kind_of(info.type), info.type, err=True) if expr is None \
                    else self.eval(expr, {}, True)
        if lane_values is not None:
            if own is not None and not (own.uniform and is_false(own.err)):
                raise Unsupported(f"lanes that keep parameter `{key}`, which has no value "
                                  "in force")
            value = self.per_lane([own if v is None else self.constant(v)
                                   for v in lane_values[self.lanes]])
        else:
            assert own is not None
            if own.err is True:
                return own
            value = own
        if value.kind == NUM and info.type in ("count", "number"):
            value = attrs.evolve(value, unit=info.type, note=SCORED)
        if value.kind == NUM and info.type in t.NON_NEGATIVE:
            below = both(self.numbers.test("<", value.data, self.numbers.zero),
                         negated(value.unscored()))
            value = value.with_err(below)
        return value

    def per_lane(self, columns: list[Column]) -> Column:
        """One uniform column per lane, as one column."""
        if all(c.kind == NUM for c in columns):
            data = objects([c.data for c in columns], (len(columns), 1)) if \
                self.numbers.exact else np.array([[c.data] for c in columns], dtype=float)
            return Column(NUM, scalar(data), self._lanes_of([c.ns for c in columns]),
                          scalar(objects([c.unit for c in columns], (len(columns), 1))),
                          self._lanes_of([c.note for c in columns]))
        data = objects([c.data for c in columns], (len(columns), 1))
        return Column(columns[0].kind, scalar(data), self._lanes_of([c.ns for c in columns]))

    @staticmethod
    def _lanes_of(codes: list[int]) -> Any:
        return codes[0] if len(set(codes)) == 1 else np.array(codes, dtype=np.int32).reshape(
            len(codes), 1)

    def _in_force(self, info: p.ParameterRule) -> p.Expr | None:
        """The value in force on the settlement date; None where no date says which."""
        if not info.amendments:
            return info.value
        if self.as_of is None:
            return None
        started = [a for a in info.amendments if a.effective <= self.as_of]
        if not started:
            return info.value
        return max(started, key=lambda a: a.effective).value

    # ---- expressions --------------------------------------------------------------------

    def eval(self, e: p.Expr, env: Env, live: Any) -> Column:
        self.charge(e)
        handler = self.dispatch.get(type(e))
        if handler is None:
            # ``columnar_support`` declines such programs first; this is the last guard.
            raise Unsupported(f"the construct {type(e).__name__}")
        return handler(self, e, env, live)

    def _x_Const(self, e: p.Const, env: Env, live: Any) -> Column:
        column = self.constants.get(e.site)
        if column is None:
            column = self.constants[e.site] = self.constant(e.value)
        return column

    def _x_Unscored(self, e: p.Unscored, env: Env, live: Any) -> Column:
        return self.unscored(kind_of(e.type), e.reason,
                             e.type if e.type in t.NUMERIC else None)

    def _x_Local(self, e: p.Local, env: Env, live: Any) -> Column:
        return env[e.name]

    def _x_Parameter(self, e: p.Parameter, env: Env, live: Any) -> Column:
        return self.parameter(e.key)

    def _x_Call(self, e: p.Call, env: Env, live: Any) -> Column:
        args = [self.eval(a, env, live) for a in e.args]
        return self.call(self.program.rules[e.rule], args, live)

    def _x_Because(self, e: p.Because, env: Env, live: Any) -> Column:
        value = self.eval(e.value, env, live)
        if value.kind != NUM:
            return value
        return attrs.evolve(value, note=self.strings.code(e.reason))

    def _x_Builtin(self, e: p.Builtin, env: Env, live: Any) -> Column:
        args = [self.eval(a, env, live) for a in e.args]
        err: Any = False
        for a in args:
            err = either(err, a.err)
        if e.name in ("rate", "numerator", "denominator", "reference", "rest", "weight",
                      "min_denominator", "higher_is_better", "position"):
            value = self.reads(e, args, kind_of(e.type))
        else:
            value = self.computed(e, args)
        return value.with_err(err)

    def computed(self, e: p.Builtin, args: list[Column]) -> Column:
        """A builtin computed from numbers."""
        ns = first_unscored(args)
        if any(a.empty for a in args):
            return self.blank(NUM, e.type if e.type in t.NUMERIC else None, ns=ns)
        scored = ns < 0
        numbers = self.numbers
        failed: Any = False
        if e.name == "round":
            x = args[0]
            places = e.args[1]
            mode = args[2].data
            assert isinstance(places, p.Const) and isinstance(places.value, Quantity)
            assert isinstance(mode, Mode) and isinstance(x.unit, str)
            data, failed = numbers.round(x.data, x.unit, int(places.value.magnitude),
                                         mode.mode)
            return Column(NUM, data, ns, x.unit, err=both(failed, scored))
        data_args = [a.data for a in args]
        if e.name == "clamp":
            failed = numbers.test(">", data_args[1], data_args[2])
            data = numbers.clamp(*data_args)
        elif e.name in ("min", "max"):
            pick = numbers.minimum if e.name == "min" else numbers.maximum
            data = data_args[0]
            for other in data_args[1:]:
                data = pick(data, other)
        elif e.name == "abs":
            data = numbers.absolute(data_args[0])
        else:
            data, failed = numbers.function(FUNCTIONS[e.name], data_args[0])
        unit = e.type if e.type in t.NUMERIC else args[0].unit
        return Column(NUM, data, ns, unit, err=both(failed, scored))

    def _x_Arithmetic(self, e: p.Arithmetic, env: Env, live: Any) -> Column:
        left = self.eval(e.left, env, live)
        right = self.eval(e.right, env, live)
        ns = first_unscored((left, right))
        if left.empty or right.empty:
            return self.blank(NUM, e.type, ns=ns, err=either(left.err, right.err))
        data, failed = self.numbers.binary(e.op, left.data, right.data)
        err = either(either(left.err, right.err), both(failed, ns < 0))
        return Column(NUM, data, ns, e.type, err=err)

    def _x_Negate(self, e: p.Negate, env: Env, live: Any) -> Column:
        value = self.eval(e.operand, env, live)
        if value.empty:
            return value
        return Column(NUM, self.numbers.negate(value.data), value.ns, value.unit,
                      err=value.err)

    def _x_Compare(self, e: p.Compare, env: Env, live: Any) -> Column:
        left = self.eval(e.left, env, live)
        right = self.eval(e.right, env, live)
        ns = first_unscored((left, right))
        err = either(left.err, right.err)
        if left.empty or right.empty:
            return self.blank(TRUTH, ns=ns, err=err)
        if left.kind == NUM and right.kind == NUM:
            data = self.numbers.test(e.op, left.data, right.data)
        elif left.kind == TRUTH and right.kind == TRUTH:
            data = _truth_test(e.op, left.data, right.data)
        else:
            data = self._compare_values(e.op, left, right)
        return Column(TRUTH, data, ns, err=err)

    def _compare_values(self, op: str, left: Column, right: Column) -> Any:
        a, b = left.data, right.data
        if not isinstance(a, np.ndarray) and not isinstance(b, np.ndarray):
            return _value_test(op, a, b)
        shape = np.broadcast_shapes(np.shape(a), np.shape(b))
        a_rows = np.broadcast_to(np.asarray(a, dtype=object) if isinstance(a, np.ndarray)
                                 else objects([a], ()), shape)
        b_rows = np.broadcast_to(np.asarray(b, dtype=object) if isinstance(b, np.ndarray)
                                 else objects([b], ()), shape)
        out = np.zeros(shape, dtype=bool)
        for index in np.ndindex(shape):
            out[index] = _value_test(op, a_rows[index], b_rows[index])
        return out

    def _x_Not(self, e: p.Not, env: Env, live: Any) -> Column:
        value = self.eval(e.operand, env, live)
        if value.empty:
            return value
        return Column(TRUTH, negated(value.data), value.ns, err=value.err)

    def _x_And(self, e: p.And, env: Env, live: Any) -> Column:
        return self.connective(e.left, e.right, False, env, live)

    def _x_Or(self, e: p.Or, env: Env, live: Any) -> Column:
        return self.connective(e.left, e.right, True, env, live)

    def connective(self, left_expr: p.Expr, right_expr: p.Expr, decisive: bool, env: Env,
                   live: Any) -> Column:
        """``and`` (decisive answer no) or ``or`` (decisive answer yes)."""
        left = self.eval(left_expr, env, live)
        left_decides = both(negated(left.unscored()), _truth_is(left.data, decisive))
        if left.uniform and left_decides is True:
            return left
        undecided = negated(left_decides)
        right = self.eval(right_expr, env, self.reach(live, undecided))
        right_decides = both(negated(right.unscored()), _truth_is(right.data, decisive))
        decides = either(left_decides, right_decides)
        ns = where(decides, SCORED, where(left.unscored(), left.ns, right.ns))
        data = where(decides, decisive, right.data)
        err = either(left.err, both(undecided, right.err))
        return Column(TRUTH, data, ns, err=err)

    def _x_If(self, e: p.If, env: Env, live: Any) -> Column:
        condition = self.eval(e.condition, env, live)
        unknown = condition.unscored()
        reason = self.strings.mapped(condition.ns,
                                     lambda r: f"the condition is not scored: {r}")
        options = []
        err: Any = condition.err
        scored = negated(unknown)
        taken = both(scored, condition.data)
        for rows, branch in ((taken, e.then), (rest(scored, taken), e.otherwise)):
            if is_false(rows):
                continue
            value = self.eval(branch, env, self.reach(live, rows))
            options.append((rows, value))
            err = either(err, both(rows, value.err))
        if not options:
            return self.unscored(kind_of(e.type), reason).with_err(err)
        result = chosen(options)
        if not is_false(unknown):
            # Not scored where the condition is not: those rows' magnitudes are never read,
            # so they keep the branches' (no pass over the rows to choose them).
            result = merged(unknown, Column(result.kind, result.data, reason, result.unit,
                                            own=result.own), result)
        return attrs.evolve(result, err=err)

    def _x_Otherwise(self, e: p.Otherwise, env: Env, live: Any) -> Column:
        value = self.eval(e.value, env, live)
        fallback_rows = value.unscored()
        if is_false(fallback_rows):
            return value
        fallback = self.eval(e.fallback, env, self.reach(live, fallback_rows))
        result = merged(fallback_rows, fallback, value)
        return attrs.evolve(result, err=either(value.err, both(fallback_rows, fallback.err)))

    def _x_IsScored(self, e: p.IsScored, env: Env, live: Any) -> Column:
        value = self.eval(e.operand, env, live)
        unscored = value.unscored()
        return Column(TRUTH, unscored if e.negated else negated(unscored), err=value.err)

    def _x_MemberOf(self, e: p.MemberOf, env: Env, live: Any) -> Column:
        element = self.eval(e.element, env, live)
        if element.empty:
            return self.blank(TRUTH, ns=element.ns, err=element.err)
        scored = negated(element.unscored())
        members = self.domain(e.domain, env, self.reach(live, scored))
        if isinstance(members, Column):
            ns = where(element.unscored(), element.ns, members.ns)
            return Column(TRUTH, False, ns, err=either(element.err, both(scored, members.err)))
        err = element.err
        data: Any = False
        for member in members:
            err = either(err, both(scored, member.err))
            same = _truth_test("=", True, self._compare_values("=", element, member)) \
                if element.kind == VALUE else self.numbers.test("=", element.data, member.data)
            data = either(data, same)
        return Column(TRUTH, data, element.ns, err=err)

    def _x_TheOrganization(self, e: p.TheOrganization, env: Env, live: Any) -> Column:
        return self.own

    def _x_Input(self, e: p.Input, env: Env, live: Any) -> Column:
        column = self.input_columns.get(e.name)
        if column is None:
            column = self.input_columns[e.name] = self.organization_input(e.name)
        return column

    def organization_input(self, name: str) -> Column:
        """An organization input of every row's organization, from the organization table;
        the same in every lane."""
        values = self.input_values(name)
        shape = (1, len(values))
        if values and all(isinstance(v, Quantity) for v in values):
            magnitudes = [self.numbers.literal(v.magnitude) for v in values
                          if isinstance(v, Quantity)]
            data = objects(magnitudes, shape) if self.numbers.exact else \
                np.asarray(magnitudes, dtype=np.float64).reshape(shape)
            return Column(NUM, data, unit=self.program.inputs[name].type)
        if values and all(isinstance(v, Truth) for v in values):
            return Column(TRUTH, np.asarray([v.value for v in values if isinstance(v, Truth)],
                                            dtype=bool).reshape(shape))
        return Column(VALUE, objects(values, shape))

    def input_values(self, name: str) -> list[Value]:
        """An organization input of each organization, in the order of the tables."""
        table = self.inputs
        found = [table.value(org, name) if table is not None else None
                 for org in self.organizations]
        if any(cell is None for cell in found):
            # The exact backend says which organization has no row, and where.
            raise Unsupported("an organization table without a row for every organization")
        return [cell[0] for cell in found if cell is not None]

    def _x_At(self, e: p.At, env: Env, live: Any) -> Column:
        org = self.eval(e.organization, env, live)
        if org.data is PROBE:
            assert self.probe is not None
            return self.probe
        if org.empty:
            return self.blank(kind_of(e.type), e.type, ns=org.ns, err=org.err)
        scored = negated(org.unscored())
        if org.own:
            value = self.eval(e.value, env, live)
        else:
            value = self.elsewhere(e, org, env, self.reach(live, scored))
        result = merged(scored, value, self.unscored(value.kind, org.ns, value.unit
                                                     if isinstance(value.unit, str) else None))
        return attrs.evolve(result, err=either(org.err, both(scored, value.err)))

    def elsewhere(self, e: p.At, org: Column, env: Env, live: Any) -> Column:
        """``x at o`` where ``o`` is another row's organization: ``x`` as it is in that row,
        which needs ``x`` to read no local variable that differs per row."""
        free = self.free.get(e.site)
        if free is None:
            free = self.free[e.site] = frozenset(free_locals(e.value))
        if any(not env[name].uniform for name in free if name in env):
            raise Unsupported("`x at o` where x reads a local variable that differs per row")
        if org.uniform:
            entity = org.data
            assert isinstance(entity, Entity)
            column = self.org_index.get(entity.name)
            if column is None:
                raise Unsupported(f"organization {entity.name} is not in the tables")
            value = self.eval(e.value, env, self._reaching(live, column))
            return _take_column(value, column)
        index = np.zeros(self.shape, dtype=np.int64)
        names = np.broadcast_to(org.data, self.shape)
        unscored = np.broadcast_to(org.unscored(), self.shape)
        for position, entity in np.ndenumerate(names):
            if not unscored[position]:
                index[position] = self.org_index[entity.name]
        value = self.eval(e.value, env, True if self.track else live)
        return _take_rows(value, index, self.shape)

    def _reaching(self, live: Any, column: int) -> Any:
        """The rows that evaluating ``x at o`` for organization ``column`` reaches."""
        if not self.track:
            return True
        lanes = np.broadcast_to(live, self.shape).any(axis=1)
        reached = np.zeros(self.shape, dtype=bool)
        reached[:, column] = lanes
        return reached

    # ---- reading the tables -------------------------------------------------------------

    def reads(self, e: p.Builtin, args: list[Column], kind: str) -> Column:
        name = e.name
        if name in ("weight", "min_denominator", "higher_is_better"):
            return self.by_values(args, kind, lambda values: self.measure_fact(name,
                                                                               values[0]))
        if name == "rest":
            return self.by_values(args, kind, lambda values: self.constant(
                Group("rest", values[0].name)))
        if name == "reference":
            return self.by_values(args, kind, lambda values: self.reference(*values))
        if name == "position":
            return self.by_values(args, kind, lambda values: self.constant(group_position(
                self.program, values[0])))
        return self.by_values(args, kind, lambda values: self.table_value(name, *values))

    def by_values(self, args: list[Column], kind: str,
                  compute: Callable[[tuple[Value, ...]], Column]) -> Column:
        """``compute`` for the arguments' values, once per distinct combination; not scored
        where an argument is not (the first one's reason)."""
        ns = first_unscored(args)
        if all(a.uniform for a in args):
            if ns >= 0:
                return self.unscored(kind, ns)
            values = tuple(self.key_value(a) for a in args)
            if any(v is None for v in values):
                return self.blank(kind, err=True)  # an argument that failed to evaluate
            return compute(values)
        split = self.split(args)
        if split is None:
            raise Unsupported("a table read whose measure, group or period is a number")
        options = []
        for mask, values in split:
            if any(isinstance(v, NotScored) for v in values):
                options.append((mask, self.unscored(kind, ns)))
            elif any(v is None for v in values):
                options.append((mask, self.blank(kind, err=True)))
            else:
                options.append((mask, compute(values)))
        return attrs.evolve(chosen(options), err=chosen_err(options))

    def measure_fact(self, name: str, measure: Value) -> Column:
        assert isinstance(measure, Entity)
        info = self.program.measures[measure.name]
        if name == "weight":
            return self.constant(Quantity("percent", info.weight) if info.weight is not None
                                 else NotScored(f"measure {measure.name} has no weight"))
        if name == "min_denominator":
            return self.constant(Quantity("count", info.min_denominator or Decimal(0)))
        return self.constant(Truth(bool(info.higher_is_better)))

    def period_label(self, period: Value) -> str:
        assert isinstance(period, Entity)
        return self.program.periods.get(period.name, period.name)

    def table_value(self, name: str, measure: Value, group: Value, period: Value) -> Column:
        key = (name, measure, group, period)
        column = self.reads_memo.get(key)
        if column is None:
            column = self.reads_memo[key] = self._table_value(name, measure, group, period)
        return column

    def _table_value(self, name: str, measure: Value, group: Value, period: Value
                     ) -> Column:
        assert isinstance(measure, Entity) and isinstance(group, Group)
        label = self.period_label(period)
        numerator, denominator, err = self._counts(measure.name, group, label)
        if self.drawing is not None:
            numerator = self.drawn(measure.name, group, label, numerator, denominator)
        if name == "numerator":
            return Column(NUM, numerator, unit="count", err=err)
        if name == "denominator":
            return Column(NUM, denominator, unit="count", err=err)
        zero = self.numbers.test("=", denominator, self.numbers.zero)
        reason = self.strings.code(f"{group.label} has no members in {measure.name} {label} "
                                   "(denominator 0)")
        rate, _ = self.numbers.divide(numerator, denominator)
        return Column(NUM, rate, where(zero, reason, SCORED), "percent", err=err)

    def _counts(self, measure: str, group: Group, label: str) -> tuple[Any, Any, Any]:
        """Numerators and denominators of a group (0 of 0 where its row is missing), and the
        rows where reading them fails."""
        numbers = self.numbers
        whole = self.counts.cell((measure, "ALL", label), self.lanes)
        if group.kind == "all":
            return scalar(whole[0]), scalar(whole[1]), _missing(whole[2])
        assert group.name is not None
        part = self.counts.cell((measure, self.program.spelling(group.name), label),
                                self.lanes)
        numerator, denominator = part[0], part[1]  # 0 of 0 where the row is missing
        if group.kind == "named":
            return scalar(numerator), scalar(denominator), False
        rest_numerator, broke = numbers.remainder(whole[0], numerator)
        rest_denominator, broke_too = numbers.remainder(whole[1], denominator)
        negative = either(numbers.test("<", rest_numerator, numbers.zero),
                          numbers.test("<", rest_denominator, numbers.zero))
        invalid = either(either(negative, numbers.test(">", rest_numerator,
                                                       rest_denominator)),
                         either(broke, broke_too))
        return (scalar(rest_numerator), scalar(rest_denominator),
                either(_missing(whole[2]), invalid))

    def reference(self, measure: Value, group: Value, period: Value) -> Column:
        assert isinstance(measure, Entity) and isinstance(group, Group)
        if group.kind != "named" or group.name is None:
            return Column(VALUE, None, err=True)
        strat = self.program.stratifications[self.program.group_strata[group.name]]
        ref = strat.reference
        if ref is None:
            return Column(VALUE, None, err=True)
        if ref.kind == "group":
            return self.constant(Group("named", ref.group))
        if ref.kind == "whole":
            return self.constant(Group("all"))
        if ref.kind == "rest":
            return self.constant(Group("rest", group.name))
        key = ("best", measure, strat.name, period)
        column = self.reads_memo.get(key)
        if column is None:
            column = self.reads_memo[key] = self.best(measure, strat, period)
        return column

    def best(self, measure: Entity, strat: p.StratificationInfo, period: Value) -> Column:
        """The best-performing group of each row: the first with the best rate among those
        with enough members."""
        info = self.program.measures[measure.name]
        minimum = self.numbers.literal(info.min_denominator if info.min_denominator
                                       is not None else Decimal(1))
        best_rate: Any = self.numbers.zero
        best_group: Any = -1
        test = ">" if info.higher_is_better else "<"
        for number, name in enumerate(strat.groups):
            group = Group("named", name)
            rate = self.table_value("rate", measure, group, period)
            denominator = self.table_value("denominator", measure, group, period)
            usable = both(negated(rate.unscored()), negated(
                self.numbers.test("<", denominator.data, minimum)))
            better = both(usable, either(_equal(best_group, -1),
                                         self.numbers.test(test, rate.data, best_rate)))
            best_rate = where(better, rate.data, best_rate)
            best_group = where(better, number, best_group)
        groups = objects([Group("named", g) for g in strat.groups] + [None],
                         (len(strat.groups) + 1,))
        data = scalar(groups[best_group]) if isinstance(best_group, np.ndarray) else groups[
            best_group]
        reason = self.strings.code(
            f"no group of {strat.name} has enough members in {measure.name} "
            f"{self.period_label(period)} to be the best-performing group")
        return Column(VALUE, data, where(_equal(best_group, -1), reason, SCORED))


# ---- helpers ------------------------------------------------------------------------------


@functools.cache
def _handlers(cls: type[ColumnarEvaluator]
              ) -> dict[type, Callable[[ColumnarEvaluator, Any, Env, Any], Column]]:
    """The evaluator's function for each kind of expression."""
    return {kind: getattr(cls, "_x_" + kind.__name__) for kind in (
        p.Const, p.Unscored, p.Local, p.Parameter, p.Call, p.Builtin, p.Aggregate,
        p.Arithmetic, p.Negate, p.Compare, p.Not, p.And, p.Or, p.If, p.Otherwise,
        p.Because, p.IsScored, p.MemberOf, p.At, p.Input, p.TheOrganization, p.Simulated)}


def row_value(column: Column, index: tuple[int, int], strings: Strings, numbers: Numbers
              ) -> Value:
    """The value of one row of a column (lane, organization), as the exact backend gives it."""
    ns = _at(column.ns, index)
    if ns >= 0:
        return NotScored(strings.texts[ns])
    data = _at(column.data, index)
    if column.kind == NUM:
        note = _at(column.note, index)
        return Quantity(str(_at(column.unit, index)), numbers.to_magnitude(data),
                        strings.texts[note] if note >= 0 else None)
    if column.kind == TRUTH:
        return Truth(bool(data))
    return data


def _at(x: Any, index: tuple[int, int]) -> Any:
    if not isinstance(x, np.ndarray):
        return x
    row = index[0] if x.shape[0] > 1 else 0
    column = index[1] if x.shape[1] > 1 else 0
    return x[row, column]


def _equal(x: Any, value: int) -> Any:
    result = x == value
    return result if isinstance(result, np.ndarray) else bool(result)


def _greater(x: Any, value: int) -> Any:
    result = x > value
    return result if isinstance(result, np.ndarray) else bool(result)


def _truth_is(data: Any, value: bool) -> Any:
    if isinstance(data, np.ndarray):
        return data if value else np.logical_not(data)
    return bool(data) == value


def _truth_test(op: str, a: Any, b: Any) -> Any:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.equal(a, b) if op == "=" else np.not_equal(a, b)
    return (bool(a) == bool(b)) == (op == "=")


def _value_test(op: str, a: Any, b: Any) -> bool:
    if isinstance(a, DateValue) and isinstance(b, DateValue):
        order = (a.value > b.value) - (a.value < b.value)
        return {"=": order == 0, "!=": order != 0, "<": order < 0, "<=": order <= 0,
                ">": order > 0, ">=": order >= 0}[op]
    return (a == b) == (op == "=")


def _missing(present: Any) -> Any:
    """The rows where a row that must be there (an ALL row) is missing."""
    if isinstance(present, np.ndarray):
        missing = np.logical_not(present)
        return missing if missing.any() else False
    return not present


def _take_column(value: Column, column: int) -> Column:
    """Every row's value as it is in organization ``column`` of its lane."""
    def take(x: Any) -> Any:
        if not isinstance(x, np.ndarray) or x.shape[1] == 1:
            return x
        return scalar(x[:, column:column + 1])
    return Column(value.kind, take(value.data), take(value.ns), take(value.unit),
                  take(value.note), take(value.err))


def _take_rows(value: Column, index: np.ndarray, shape: tuple[int, int]) -> Column:
    """Every row's value as it is in the organization ``index`` names, in its lane."""
    def take(x: Any) -> Any:
        if not isinstance(x, np.ndarray) or x.shape[1] == 1:
            return x
        return np.take_along_axis(np.broadcast_to(x, (shape[0], x.shape[1])), index, axis=1)
    return Column(value.kind, take(value.data), take(value.ns), take(value.unit),
                  take(value.note), take(value.err))
