"""Reading the tables: how a backend answers ``rate``, ``numerator``, ``denominator``,
``reference``, a measure's facts and an organization input for the organization being
settled.

A part of the exact backend (``eqlang.backends.exact.Evaluator``), which the interval
backend extends.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from eqlang.backends.derivation import Env, Key, Parts
from eqlang.backends.simulation import Drawing
from eqlang.core import program as p
from eqlang.core.values import Entity, Group, NotScored, Quantity, Truth, Value
from eqlang.data.organizations import E_NEEDED, E_ORGANIZATION
from eqlang.data.tables import Row
from eqlang.syntax.source import Span


class Reads(Parts):
    #: The draw being evaluated in a simulation (``eqlang.backends.simulation``), if any.
    drawing: Drawing | None

    def period_label(self, period: Value) -> str:
        assert isinstance(period, Entity)
        return self.period_labels.get(period.name, period.name)

    def _row(self, org: str, measure: str, group: str, period: str) -> Row | None:
        return self.tables.lookup(org, measure, group, period)

    def all_row(self, org: str, measure: str, period: str, env: Env, span: Span | None) -> Row:
        row = self._row(org, measure, "ALL", period)
        if row is None:
            raise self.fail("E0402", f"the table has no ALL row for organization {org}, "
                            f"measure {measure}, period {period}", span, env,
                            hint="add the whole-population row (group ALL) for this measure "
                            "and period to the measure table")
        return row

    def counts(self, measure: str, group: Group, period: str, env: Env, span: Span | None
               ) -> tuple[Any, Any, list[Row]]:
        """Numerator, denominator and the rows behind them; a missing group row counts 0.
        In a draw of a simulation, the numerator is the one drawn for the cell."""
        numerator, denominator, rows = self._counts(measure, group, period, env, span)
        drawing = self.drawing
        if drawing is not None:
            if env.org != drawing.org:
                raise self.fail("E0405", f"a simulated interval draws the rates of the "
                                f"organization being settled, {drawing.org}, but its value "
                                f"reads those of {env.org}", span, env,
                                hint="simulate a value of the organization itself, and compare "
                                "organizations outside the simulated interval")
            spelled = group.label if group.name is None else self.program.spelling(group.name)
            cell = (measure, "rest of " + spelled if group.kind == "rest" else spelled, period)
            numerator = drawing.numerator(cell, numerator, denominator)
        return numerator, denominator, rows

    def _counts(self, measure: str, group: Group, period: str, env: Env, span: Span | None
                ) -> tuple[Any, Any, list[Row]]:
        org = env.org
        literal = self.math.literal
        if group.kind == "all":
            row = self.all_row(org, measure, period, env, span)
            return literal(row.numerator), literal(row.denominator), [row]
        assert group.name is not None
        row = self._row(org, measure, self.program.spelling(group.name), period)
        if group.kind == "named":
            if row is None:
                return literal(Decimal(0)), literal(Decimal(0)), []
            return literal(row.numerator), literal(row.denominator), [row]
        whole = self.all_row(org, measure, period, env, span)
        rows = [whole] + ([row] if row is not None else [])
        part = (row.numerator, row.denominator) if row else (Decimal(0), Decimal(0))
        rest = self.math.remainder((literal(whole.numerator), literal(whole.denominator)),
                                   (literal(part[0]), literal(part[1])))
        if rest is None:
            raise self.fail("E0408", f"the ALL row of {org}, {measure}, {period} is smaller than "
                            f"the {group.name} row, so the rest of the population is negative",
                            span, env, hint="check the ALL row: it counts the whole population")
        return rest[0], rest[1], rows

    def table_value(self, name: str, args: tuple[Value, ...], env: Env, span: Span | None
                    ) -> Value:
        measure, group, period = args
        for a in args:
            if isinstance(a, NotScored):
                return a
        assert isinstance(measure, Entity) and isinstance(group, Group)
        assert isinstance(period, Entity)
        key = Key(env.org, name, (measure, group, period))
        value = self._known(key)
        if value is None:
            label = self.period_label(period)
            numerator, denominator, rows = self.counts(measure.name, group, label, env, span)
            value = self.table_quantity(name, numerator, denominator, measure, group, label)
            self._derivation(key, "input", value=value, span=span, rows=rows)
            self.memo[key] = value
        self._use(env, key)
        return value

    def table_quantity(self, name: str, numerator: Any, denominator: Any, measure: Entity,
                       group: Group, label: str) -> Value:
        if name == "numerator":
            return Quantity("count", numerator)
        if name == "denominator":
            return Quantity("count", denominator)
        if denominator == 0:
            return NotScored(f"{group.label} has no members in {measure.name} {label} "
                             "(denominator 0)")
        return Quantity("percent", self.math.rate(numerator, denominator))

    def reference(self, args: tuple[Value, ...], env: Env, span: Span | None) -> Value:
        measure, group, period = args
        for a in args:
            if isinstance(a, NotScored):
                return a
        assert isinstance(measure, Entity) and isinstance(group, Group)
        if group.kind != "named" or group.name is None:
            raise self.fail("E0409", f"`{group.label}` belongs to no stratification, so it has "
                            "no reference group", span, env,
                            hint="call `reference` with a group of a stratification")
        strat = self.program.stratifications[self.program.group_strata[group.name]]
        ref = strat.reference
        if ref is None:
            raise self.fail("E0409", f"stratification `{strat.name}` declares no reference",
                            span, env, hint="add a `reference` line to the stratification")
        if ref.kind == "group":
            return Group("named", ref.group)
        if ref.kind == "whole":
            return Group("all")
        if ref.kind == "rest":
            return Group("rest", group.name)
        return self.best(measure, strat, period, env, span)

    def best(self, measure: Entity, strat: p.StratificationInfo, period: Value, env: Env,
             span: Span | None) -> Value:
        info = self.program.measures[measure.name]
        best: tuple[Any, str] | None = None
        for name, rate, denominator in self.candidates(measure, strat, period, env, span):
            if denominator < self.minimum(info):
                continue
            if best is None or (rate > best[0] if info.higher_is_better else rate < best[0]):
                best = (rate, name)
        if best is None:
            return self.no_best(measure, strat, period)
        return Group("named", best[1])

    def candidates(self, measure: Entity, strat: p.StratificationInfo, period: Value,
                   env: Env, span: Span | None) -> Iterator[tuple[str, Any, Any]]:
        """The groups that could be the best-performing one: each group with a rate, with
        its rate and denominator."""
        for name in strat.groups:
            group = Group("named", name)
            rate = self.table_value("rate", (measure, group, period), env, span)
            denominator = self.table_value("denominator", (measure, group, period), env, span)
            if isinstance(rate, Quantity) and isinstance(denominator, Quantity):
                yield name, rate.magnitude, denominator.magnitude

    @staticmethod
    def minimum(info: p.MeasureInfo) -> Decimal:
        """The denominator a group needs to be the best-performing group."""
        return info.min_denominator if info.min_denominator is not None else Decimal(1)

    def no_best(self, measure: Entity, strat: p.StratificationInfo, period: Value) -> Value:
        return NotScored(f"no group of {strat.name} has enough members in {measure.name} "
                         f"{self.period_label(period)} to be the best-performing group")

    def position(self, group: Value) -> Value:
        """A group's place in its stratification's order: 1 for the least advantaged."""
        place = group_position(self.program, group)
        if isinstance(place, Quantity):
            return Quantity(place.unit, self.math.literal(place.magnitude))
        return place

    def measure_fact(self, name: str, measure: Value, env: Env) -> Value:
        if isinstance(measure, NotScored):
            return measure
        assert isinstance(measure, Entity)
        key = Key("", name, (measure,))
        value = self._known(key)
        if value is None:
            info = self.program.measures[measure.name]
            if name == "weight":
                value = (Quantity("percent", self.math.literal(info.weight))
                         if info.weight is not None
                         else NotScored(f"measure {measure.name} has no weight"))
            elif name == "min_denominator":
                value = Quantity("count", self.math.literal(info.min_denominator or Decimal(0)))
            else:
                value = Truth(bool(info.higher_is_better))
            self._derivation(key, "measure", value=value, span=info.span)
            self.memo[key] = value
        self._use(env, key)
        return value

    # ---- organization inputs --------------------------------------------------------------

    def organization_input(self, name: str, env: Env, span: Span | None) -> Value:
        """An organization input of the organization ``env`` is evaluated for."""
        key = Key(env.org, name)
        value = self._known(key)
        if value is None:
            value, cell = self.input_read(name, env, span)
            info = self.program.inputs[name]
            self._derivation(key, "organization input", value=value, span=info.span,
                             citation=info.citation, cell=cell)
            self.memo[key] = value
        self._use(env, key)
        return value

    def input_read(self, name: str, env: Env, span: Span | None) -> tuple[Value, Any]:
        """An input's value as the organization table gives it, and its cell."""
        table = self.organizations
        if table is None:
            raise self.fail(E_NEEDED, f"the contract reads the organization input `{name}`, "
                            "but no organization table was given", span, env,
                            hint="give each organization's inputs in a table: "
                            "`eqlang eval ... --organizations organizations.csv`")
        found = table.value(env.org, name)
        if found is None:
            raise self.fail(E_ORGANIZATION, f"the organization table {table.path} has no row "
                            f"for organization {env.org}", span, env,
                            hint="add its row: every organization of the measure tables "
                            "needs its inputs")
        value, cell = found
        if isinstance(value, Quantity):
            value = Quantity(value.unit, self.math.literal(value.magnitude))
        return value, cell

    def peers_sharing(self, name: str, env: Env) -> list[str]:
        """The organizations whose input ``name`` has the value it has for ``env.org``."""
        own = self.input_read(name, env, None)[0]
        return [org for org in self.tables.organizations()
                if self.input_read(name, Env(org, {}, None, env.key), None)[0] == own]


def group_position(program: p.Program, group: Value) -> Value:
    """A group's place in its stratification's order, 1 for the least advantaged, as a
    count; not scored for a group outside an ordered stratification. Every backend that
    computes ``position`` asks this."""
    if isinstance(group, NotScored):
        return group
    assert isinstance(group, Group)
    if group.kind != "named" or group.name is None:
        return NotScored(f"{group.label} is not a group of a stratification, so it has no "
                         "place in an order")
    strat = program.stratifications[program.group_strata[group.name]]
    place = strat.position(group.name)
    if place is None:
        return NotScored(f"the groups of {strat.name} are not declared ordered")
    return Quantity("count", Decimal(place))
