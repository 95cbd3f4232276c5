"""Contract proofs: the fourth pass of checking. Takes the typed program, proves what a
contract promises by its shape before anything is settled, or gives errors.

The measure weights sum to 100%; the tiers of a schedule neither overlap nor leave gaps in
its domain; no two exceptions of a rule can apply at once for a value the checker can see;
an amended parameter has one amendment per date; an output is rounded the way its unit can
be, and settled per measure or per group at most; an invariant moves a rate of the table.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from eqlang.check import units as t
from eqlang.check.names import tier_interval
from eqlang.check.scope import Declarations, Pass
from eqlang.check.types import TypedProgram
from eqlang.core import program as p
from eqlang.core.program import ERROR
from eqlang.core.values import Group, plain_number
from eqlang.diagnostics import Note
from eqlang.syntax import ast as s

_NEG_INF = Decimal("-Infinity")
_POS_INF = Decimal("Infinity")


class Proofs(Pass):
    def __init__(self, declared: Declarations, typed: TypedProgram) -> None:
        super().__init__(declared.diagnostics)
        self.declared = declared
        self.typed = typed

    def run(self) -> None:
        self._check_weights()
        for rule in self.typed.rules.values():
            d = rule.declaration
            if isinstance(d, s.Schedule):
                if _bounds_agree(d):
                    # Bounds in different units cannot be ordered, so coverage waits for them.
                    self._tier_coverage(d)
                continue
            self._exception_overlaps(d)
            if isinstance(d, s.Output):
                self._rounding(d, rule.type)
                self._output_params(d)
        for parameter in self.typed.parameters.values():
            self._amendment_dates(parameter.declaration)
        for invariant in self.typed.invariants:
            if isinstance(invariant.claim, p.Never):
                self._moved_rate(invariant.claim.moved)

    def _amendment_dates(self, d: s.Parameter) -> None:
        dates: dict[datetime.date, s.Amendment] = {}
        for amendment in d.amendments:
            if amendment.effective in dates:
                self.error("E0306", f"two amendments of `{d.name}` take effect on "
                           f"{amendment.effective}", amendment.span,
                           hint="give each amendment its own effective date",
                           notes=(Note("the other amendment", dates[amendment.effective].span),))
            dates[amendment.effective] = amendment

    def _moved_rate(self, moved: p.Expr) -> None:
        """The input of a relational invariant: a table rate of a group named outright."""
        if not (isinstance(moved, p.Builtin) and moved.name == "rate"):
            self.error("E0310", "the input that moves must be a rate read from the measure "
                       "table", moved.span,
                       hint="write `rate(MEASURE, GROUP, PERIOD)`, for example "
                       "`rate(m, g, performance)`")
            return
        if len(moved.args) != 3:
            return
        group = moved.args[1]
        named = isinstance(group, p.Local) or (
            isinstance(group, p.Const) and isinstance(group.value, Group))
        if not named:
            self.error("E0310", "the group whose rate moves must be named: a group, a `for "
                       "each` variable over groups, or ALL", group.span,
                       hint="move the rate of a group itself; `reference(...)` and "
                       "`rest(...)` are computed from the table, not rows of it")

    def _check_weights(self) -> None:
        measures, own = self.declared.measures, self.declared.main_measures
        weighted = [c for c in own if measures[c].weight is not None]
        if not weighted:
            return
        missing = [c for c in own if measures[c].weight is None]
        if missing:
            for code in missing:
                self.error("E0302", f"measure `{code}` has no weight, but other measures do",
                           measures[code].span,
                           hint="give every measure of the contract a weight, or none")
            return
        total = sum((measures[c].weight or Decimal(0) for c in weighted), Decimal(0))
        if total != 1:
            def percent(value: Decimal | None) -> str:
                return f"{plain_number(value or Decimal(0), scale=True)}%"

            listing = " + ".join(f"{c} {percent(measures[c].weight)}" for c in weighted)
            self.error("E0302", f"the measure weights sum to {percent(total)}, not 100%",
                       measures[weighted[-1]].span,
                       hint=f"{listing} = {percent(total)}; adjust them to sum to 100%",
                       notes=tuple(Note(f"{c} weighs {percent(measures[c].weight)}",
                                        measures[c].span) for c in weighted[:-1]))

    def _rounding(self, d: s.Output, result: str) -> None:
        if d.rounding.places is None:
            return
        if result not in t.NUMERIC and result != ERROR:
            self.error("E0307", f"output `{d.name}` gives {t.describe(result)}, which "
                       "cannot be rounded", d.rounding.span, hint="write `not rounded`")
        elif d.rounding.unit in ("cents", "dollars") and result not in ("money", ERROR):
            self.error("E0307", f"output `{d.name}` gives {t.describe(result)}; only "
                       f"money is rounded to {d.rounding.unit}", d.rounding.span,
                       hint="round to a number of decimals: `rounded to 4 decimals half even`")

    def _output_params(self, d: s.Output) -> None:
        params = d.params or ()
        if len(params) > 1 or any(q.type not in ("measure", "group") for q in params):
            self.error("E0307", f"output `{d.name}` is settled per measure or per group, so it "
                       "takes at most one parameter, of type measure or group",
                       d.span, hint="compute other breakdowns with `define` and output one "
                       "value per measure or group")

    def _exception_overlaps(self, d: s.Definition | s.Output) -> None:
        keyed: list[tuple[s.Exception_, str, frozenset[str]]] = []
        for exception in d.exceptions:
            simple = _simple_condition(exception.condition)
            if simple is None:
                continue
            name, values = simple
            for other, other_name, other_values in keyed:
                shared = values & other_values
                if other_name == name and shared:
                    self.error(
                        "E0305",
                        f"two exceptions of `{d.name}` apply when `{name}` is "
                        f"{', '.join(sorted(shared))}",
                        exception.span,
                        hint="exceptions may not overlap: say in one of them which value wins",
                        notes=(Note("the other exception", other.span),),
                    )
            keyed.append((exception, name, values))

    def _tier_coverage(self, d: s.Schedule) -> None:
        intervals = sorted(
            ((*tier_interval(tier.range), tier) for tier in d.tiers),
            key=lambda iv: (iv[0], not iv[1]),
        )
        lo, lo_closed, hi, hi_closed = (
            tier_interval(d.domain) if d.domain else (_NEG_INF, False, _POS_INF, False)
        )
        for i in range(1, len(intervals)):
            _, _, a_hi, a_hi_c, a = intervals[i - 1]
            b_lo, b_lo_c, _, _, b = intervals[i]
            if b_lo < a_hi or (b_lo == a_hi and a_hi_c and b_lo_c):
                self.error("E0303", "two tiers overlap", b.range.span,
                           hint="make one tier end where the next begins: `from 0% to 25%` "
                           "then `from 25% to 50%`",
                           notes=(Note("overlaps this tier", a.range.span),))
            elif b_lo > a_hi or (b_lo == a_hi and not a_hi_c and not b_lo_c):
                self.error("E0304", f"no tier covers values between {_show(a_hi, a.range.high)} "
                           f"and {_show(b_lo, b.range.low)}", b.range.span,
                           hint="extend a tier so that each one begins where the previous ends",
                           notes=(Note("the tier before the gap", a.range.span),))
        first_lo, first_lo_c, first = intervals[0][0], intervals[0][1], intervals[0][4]
        last_hi, last_hi_c, last = intervals[-1][2], intervals[-1][3], intervals[-1][4]
        domain_low = d.domain.low if d.domain else None
        domain_high = d.domain.high if d.domain else None
        if first_lo > lo or (first_lo == lo and lo_closed and not first_lo_c):
            self.error("E0304", f"no tier covers the bottom of the domain "
                       f"({_stretch(lo, domain_low, 'below', first_lo, first.range.low)})",
                       first.range.span,
                       hint="start the first tier at the bottom of the domain, or use `below`")
        if last_hi < hi or (last_hi == hi and hi_closed and not last_hi_c):
            self.error("E0304", f"no tier covers the top of the domain "
                       f"({_stretch(hi, domain_high, 'above', last_hi, last.range.high)})",
                       last.range.span,
                       hint="end the last tier at the top of the domain, or use `from X`")
        for _, _, _, _, tier in intervals:
            t_lo, t_lo_c, t_hi, t_hi_c = tier_interval(tier.range)
            if t_lo < lo or t_hi > hi or (t_lo == lo and t_lo_c and not lo_closed) or (
                t_hi == hi and t_hi_c and not hi_closed
            ):
                self.error("E0304", "this tier reaches outside the schedule's domain",
                           tier.range.span, hint="keep every tier inside `domain`")


def _bounds_agree(d: s.Schedule) -> bool:
    """Whether every bound of a schedule is in the unit of its input (E0309 otherwise)."""
    if d.param.type not in t.NUMERIC:
        return False
    bounds: list[s.Literal] = []
    for r in ([d.domain] if d.domain else []) + [tier.range for tier in d.tiers]:
        bounds.extend(b for b in (r.low, r.high) if b is not None)
    return all(t.assignable(t.literal_type(b), d.param.type) for b in bounds)


def _stretch(end: Decimal, end_bound: s.Literal | None, side: str, tier: Decimal,
             tier_bound: s.Literal | None) -> str:
    """The uncovered stretch between a domain's end and the nearest tier: `from 5 up to 10`."""
    if end.is_infinite():
        return f"values {side} {_show(tier, tier_bound)}"
    low, high = sorted([(end, end_bound), (tier, tier_bound)], key=lambda b: b[0])
    return f"from {_show(*low)} up to {_show(*high)}"


def _show(value: Decimal, bound: s.Literal | None) -> str:
    """A tier bound as the contract writes it, unit and all: `80%`, not `80`."""
    if value.is_infinite():
        return "no limit"
    return " ".join(bound.span.text.split()) if bound is not None else format(value, "f")


def _simple_condition(condition: s.Expr) -> tuple[str, frozenset[str]] | None:
    """``x = NAME`` or ``x in {A, B}`` as (x, {names}); anything else is checked at run time."""
    if isinstance(condition, s.Compare) and condition.op == "=":
        left, right = condition.left, condition.right
        if isinstance(left, s.Name) and isinstance(right, s.Name) and len(left.parts) == 1:
            return left.parts[0], frozenset({right.dotted})
    if isinstance(condition, s.MemberOf) and isinstance(condition.domain, s.Listed):
        element = condition.element
        if isinstance(element, s.Name) and len(element.parts) == 1:
            return element.parts[0], frozenset(i.dotted for i in condition.domain.items)
    return None
