"""Which values may be not scored: an analysis of the checked program for warnings. Takes a
``Program`` without errors, gives for each ``otherwise``, ``is scored`` test and
aggregation with a not-scored policy whether what it tests may ever be not scored.

The analysis is sound: it answers "may be not scored" whenever some measure table, some
organization and some call could make the value not scored, so that a warning built on a
"never" (an ``otherwise`` that can never apply) is never wrong. It follows the rules of
language.md section 11: a rate may be not scored (a group without members), a best
performing reference may be (no group large enough), a measure's weight may be (a measure
without one), an aggregation may be by its policy or over no items; arithmetic,
comparisons and builtins pass a not-scored operand on; ``otherwise`` stops it; ``is
scored`` is always yes or no.

A rule is analysed once for each set of its parameters that may be not scored where it is
called (its context), so that ``f(x) = x otherwise 0`` called only with scored values is
told apart from one called with a rate. A contract is a closed world: its rules are called
from its outputs, invariants and examples, always with scored measures and groups, and from
each other. A module checked by itself is open: whoever imports it may pass anything, so its
rules are analysed with every parameter possibly not scored as well.
"""

from __future__ import annotations

from collections import defaultdict

import attrs

from eqlang.core import program as p
from eqlang.core.values import Entity

#: Aggregations that are not scored over no items (language.md section 12).
_EMPTY_UNSCORED = frozenset({"mean", "min", "max", "median", "percentile"})


@attrs.frozen
class Fact:
    """What is known of a local variable: whether it may be not scored, and, for a measure,
    which measures it may be (None: any measure of the program)."""

    maybe: bool
    measures: frozenset[str] | None = None


Env = dict[str, Fact]
#: The parameters of a rule that may be not scored where it is called.
Context = frozenset[str]


@attrs.frozen
class Scoring:
    """The analysis' answers, by site: True where what is tested may be not scored in some
    context, False where it never is. A site of a rule never analysed is absent."""

    #: ``value otherwise fallback``: whether ``value`` may be not scored.
    otherwise: dict[int, bool]
    #: ``x is scored``: whether ``x`` may be not scored.
    tests: dict[int, bool]
    #: An aggregation: whether one of its items (value, weight or `where`) may be not scored.
    items: dict[int, bool]


class _Analysis:
    def __init__(self, program: p.Program, open_modules: frozenset[str]) -> None:
        self.program = program
        self.open_modules = open_modules
        self.results: dict[tuple[str, Context], bool] = {}
        self.otherwise: dict[int, bool] = defaultdict(bool)
        self.tests: dict[int, bool] = defaultdict(bool)
        self.items: dict[int, bool] = defaultdict(bool)
        self.parameters: dict[str, bool] = {}
        weighted = frozenset(c for c, m in program.measures.items() if m.weight is not None)
        self.weighted = weighted
        self.any_best = any(info.reference is not None and info.reference.kind == "best"
                            for info in program.stratifications.values())

    def run(self) -> Scoring:
        for key, rule in self.program.rules.items():
            self.rule(key, frozenset())
            if rule.module in self.open_modules:
                self.rule(key, frozenset(q.name for q in rule.params))
        for key in self.program.parameters:
            self.parameter(key)
        for invariant in self.program.invariants:
            env = self.bind({}, invariant.binders)
            claim = invariant.claim
            parts = ([claim.claim, claim.condition] if isinstance(claim, p.Always)
                     else [claim.value, claim.moved])
            for part in parts:
                if part is not None:
                    self.expr(part, env)
        return Scoring(dict(self.otherwise), dict(self.tests), dict(self.items))

    # ---- declarations ---------------------------------------------------------------------

    def rule(self, key: str, context: Context) -> bool:
        """Whether rule ``key`` may give a not-scored value when the parameters in
        ``context`` may be not scored."""
        found = self.results.get((key, context))
        if found is not None:
            return found
        rule = self.program.rules.get(key)
        if rule is None:
            return True
        # A cycle is an error, so a rule met again while analysed is only a program with
        # errors; answering "may" keeps the analysis sound there too.
        self.results[(key, context)] = True
        env = {q.name: Fact(q.name in context) for q in rule.params}
        maybe = False
        if rule.body is None:
            # A schedule passes a not-scored argument on, or pays a tier's value.
            maybe = bool(context)
        for part in [x for x in (rule.body,) if x is not None] + [t.value for t in rule.tiers]:
            maybe = self.expr(part, env) or maybe
        for exception in rule.exceptions:
            condition = self.expr(exception.condition, env)
            maybe = self.expr(exception.value, env) or condition or maybe
        self.results[(key, context)] = maybe
        return maybe

    def parameter(self, key: str) -> bool:
        found = self.parameters.get(key)
        if found is not None:
            return found
        info = self.program.parameters.get(key)
        if info is None:
            return True
        self.parameters[key] = True  # a cycle, as for rules
        # A value given with --set or an example's `set` is a literal: always scored.
        maybe = False
        for value in [info.value, *(a.value for a in info.amendments)]:
            maybe = self.expr(value, {}) or maybe
        self.parameters[key] = maybe
        return maybe

    # ---- expressions ----------------------------------------------------------------------

    def expr(self, e: p.Expr, env: Env) -> bool:
        """Whether ``e`` may be not scored; every site below it is visited on the way."""
        method = getattr(self, "_x_" + type(e).__name__, None)
        if method is not None:
            return method(e, env)
        # Arithmetic, comparisons, negation, not, and, or, if, because, invalid: not scored
        # when an operand may be (`and` and `or` decide some cases, not all).
        maybe = False
        for child in p.children(e):
            maybe = self.expr(child, env) or maybe
        return maybe or isinstance(e, p.Invalid)

    def _x_Const(self, e: p.Const, env: Env) -> bool:
        return False

    def _x_Unscored(self, e: p.Unscored, env: Env) -> bool:
        return True

    def _x_Local(self, e: p.Local, env: Env) -> bool:
        fact = env.get(e.name)
        return fact is None or fact.maybe

    def _x_Parameter(self, e: p.Parameter, env: Env) -> bool:
        return self.parameter(e.key)

    def _x_Call(self, e: p.Call, env: Env) -> bool:
        rule = self.program.rules.get(e.rule)
        if rule is None:
            return True
        context = frozenset(q.name for q, a in zip(rule.params, e.args, strict=False)
                            if self.expr(a, env))
        return self.rule(e.rule, context)

    def _x_Builtin(self, e: p.Builtin, env: Env) -> bool:
        maybe = False
        for a in e.args:
            maybe = self.expr(a, env) or maybe
        if e.name in ("rate", "position"):
            # A group without members in the measure and period; a group of a
            # stratification without an order, or ALL.
            return True
        if e.name == "reference":
            return maybe or self.any_best
        if e.name == "weight":
            return maybe or not self.measures_of(e.args[0], env) <= self.weighted
        return maybe

    def measures_of(self, e: p.Expr, env: Env) -> frozenset[str]:
        """The measures an expression of type measure may be."""
        if isinstance(e, p.Const) and isinstance(e.value, Entity):
            return frozenset({e.value.name})
        if isinstance(e, p.Local):
            fact = env.get(e.name)
            if fact is not None and fact.measures is not None:
                return fact.measures
        return frozenset(self.program.measures)

    def _x_Otherwise(self, e: p.Otherwise, env: Env) -> bool:
        value = self.expr(e.value, env)
        fallback = self.expr(e.fallback, env)
        self.otherwise[e.site] |= value
        return value and fallback

    def _x_IsScored(self, e: p.IsScored, env: Env) -> bool:
        self.tests[e.site] |= self.expr(e.operand, env)
        return False

    def _x_MemberOf(self, e: p.MemberOf, env: Env) -> bool:
        maybe = self.expr(e.element, env)
        for item in p.domain_items(e.domain):
            maybe = self.expr(item, env) or maybe
        return maybe or self.domain_maybe(e.domain, env)

    def _x_Aggregate(self, e: p.Aggregate, env: Env) -> bool:
        inner = self.bind(env, e.binders)
        maybe = any(self.domain_maybe(b.domain, env) for b in e.binders)
        share = e.share is not None and self.expr(e.share, env)
        where = e.where is not None and self.expr(e.where, inner)
        value = self.expr(e.value, inner)
        weight = e.weight is not None and self.expr(e.weight, inner)
        self.items[e.site] |= value or weight or where
        policy = e.policy
        if where and policy != "skip":
            maybe = True
        if (value or weight) and policy in ("propagate", "rescale"):
            maybe = True
        if e.function in _EMPTY_UNSCORED:
            dropped = (policy == "skip" and (value or weight or where)) or (
                policy == "zero" and weight)
            empty = e.where is not None or dropped or any(
                self.may_be_empty(b.domain) for b in e.binders)
            maybe = maybe or empty or share
        if e.function == "mean" and e.weight is not None:
            maybe = True  # the weights may sum to zero
        return maybe

    def bind(self, env: Env, binders: tuple[p.Binder, ...]) -> Env:
        inner = dict(env)
        for b in binders:
            domain = b.domain
            measures: frozenset[str] | None = None
            if isinstance(domain, p.Measures):
                measures = frozenset(self.program.contract_measures)
            elif isinstance(domain, p.Listed) and b.type == "measure":
                measures = frozenset().union(*(self.measures_of(i, env) for i in domain.items))
            items = [self.expr(i, env) for i in p.domain_items(domain)]
            inner[b.name] = Fact(any(items), measures)
        return inner

    def domain_maybe(self, d: p.Domain, env: Env) -> bool:
        """Whether a set's items cannot be told: the groups of a stratification held by a
        variable that may be not scored."""
        if isinstance(d, p.Groups) and d.local is not None:
            fact = env.get(d.local)
            return fact is None or fact.maybe
        return False

    def may_be_empty(self, d: p.Domain) -> bool:
        program = self.program
        if isinstance(d, p.Measures):
            return not program.contract_measures
        if isinstance(d, p.Organizations):
            return False  # the organization being settled is one of them
        if isinstance(d, p.Groups):
            if d.stratification is not None:
                stratifications = [program.stratifications.get(d.stratification)]
            else:
                stratifications = list(program.stratifications.values())
            return not stratifications or any(
                s is None or not (s.focus if d.focus else s.groups) for s in stratifications)
        return not d.items


def scoring(program: p.Program, open_modules: frozenset[str] = frozenset()) -> Scoring:
    """Whether each ``otherwise``, ``is scored`` and aggregation of ``program`` may meet a
    value that is not scored. The rules of ``open_modules`` may be called from outside the
    program, with any argument."""
    return _Analysis(program, open_modules).run()
