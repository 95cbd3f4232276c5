"""The exact backend: takes a checked ``Program`` and measure tables, gives each
organization's outputs with exact decimals, and, when asked, the derivation of every value.

This is the settlement of record. Every rule is pure, so each (organization, rule,
arguments) is evaluated once and remembered; a rule that does not depend on the organization
being settled (``Program.organization_rules``), and an aggregation over organizations that
does not (a peer median, ``Program.peer_aggregates``), is evaluated once per run for all.
Asked to ``record``, each evaluated rule, parameter, table value and organization input
(from ``organizations``, the organization table) becomes a ``Derivation``
(``eqlang.backends.derivation``) under a typed ``Key`` (organization, rule, arguments), with
its value, its source span, the values it used and the table rows it read; ``eqlang.trace``
writes them out. Contracts have no recursion and loop only over finite domains, and a step
budget bounds even the largest nested aggregation, so evaluation always ends. Reading the
tables (``reads``) and aggregating (``aggregations``) live in modules of their own.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable as Fn
from collections.abc import Mapping
from typing import Any

from eqlang.backends.aggregations import Aggregations
from eqlang.backends.derivation import (
    E_STEPS,
    DecisionRecorder,
    Derivation,
    Env,
    EvaluationError,
    Key,
    Settlement,
    annotate,
    deep_enough,
    one_line,
)
from eqlang.backends.reads import Reads
from eqlang.check import units as t
from eqlang.core import builtins
from eqlang.core import program as p
from eqlang.core.limits import DEFAULT_STEP_LIMIT
from eqlang.core.values import (
    Arithmetic,
    ArithmeticError_,
    DateValue,
    Entity,
    ExactArithmetic,
    Group,
    Mode,
    NotScored,
    Quantity,
    Truth,
    Value,
    display,
)
from eqlang.data.lookalikes import lookalike_keys
from eqlang.data.tables import TableSet, misspelled_keys
from eqlang.diagnostics import Diagnostic, Note
from eqlang.syntax.source import Span

#: Decisions a derivation does not keep for its reading: they show in its span already.
_UNREAD_DECISIONS = frozenset({"applies", "general"})


def refuse_unread_keys(program: p.Program, tables: TableSet) -> None:
    """Refuse tables whose key cells would leave rows unread without a word: spelled unlike
    the name they mean, or only looking like it (every backend refuses them)."""
    groups = ["ALL", *(program.spelling(group) for group in program.group_strata)]
    problems = misspelled_keys(tables, measures=program.measures, groups=groups,
                               periods=program.periods.values())
    problems += lookalike_keys(tables, read={
        "org": [program.provider] if program.provider is not None else [],
        "measure": program.measures, "group": groups, "period": program.periods.values()})
    if problems:
        raise EvaluationError(problems)


def output_arguments(program: p.Program, name: str) -> list[Value]:
    """The measures or groups an output is settled for; empty if it takes none."""
    params = program.rules[name].params
    if not params:
        return []
    if params[0].type == "measure":
        return [Entity("measure", code) for code in program.contract_measures]
    return [Group("named", g) for strat in program.stratifications.values()
            for g in strat.groups]


class Evaluator(Reads, Aggregations):
    """Evaluates one checked program over one set of tables, exactly."""

    def __init__(
        self,
        program: p.Program,
        tables: TableSet,
        *,
        overrides: Mapping[str, p.Override] | None = None,
        as_of: datetime.date | None = None,
        step_limit: int = DEFAULT_STEP_LIMIT,
        recorder: DecisionRecorder | None = None,
        record: bool = False,
        arithmetic: Arithmetic | None = None,
        organizations: Any = None,
    ) -> None:
        self.program = program
        self.tables = tables
        self.organizations = organizations
        self.recorder = recorder
        self.recording = record
        self.math: Arithmetic = arithmetic or ExactArithmetic()
        self.overrides = dict(overrides or {})
        self.as_of = as_of or program.settled_as_of or (
            program.effective[1] if program.effective else None)
        self.step_limit = step_limit
        self.steps_left = step_limit
        self.memo: dict[Key, Value] = {}
        self.derivations: dict[Key, Derivation] = {}
        self.period_labels = dict(program.periods)
        self.contract_measures = program.contract_measures
        self.constants: dict[int, Value] = {}
        self.dispatch: dict[type, Fn[[Any, Env], Value]] = {
            cls: getattr(self, "_x_" + cls.__name__) for cls in (
                p.Const, p.Unscored, p.Local, p.Parameter, p.Call, p.Builtin, p.Aggregate,
                p.Arithmetic, p.Negate, p.Compare, p.Not, p.And, p.Or, p.If, p.Otherwise,
                p.Because, p.IsScored, p.MemberOf, p.At, p.Input, p.TheOrganization)
        }
        refuse_unread_keys(program, tables)

    # ---- what other stages ask ------------------------------------------------------------

    def settle(self, org: str) -> Settlement:
        with deep_enough():
            return self._settle(org)

    def _settle(self, org: str) -> Settlement:
        self.steps_left = self.step_limit
        outputs: dict[str, Value | dict[str, Value]] = {}
        keys: dict[str, Key | dict[str, Key]] = {}
        for name in self.program.outputs:
            rule = self.program.rules[name]
            if not rule.params:
                outputs[name], keys[name] = self.call(rule, (), Env(org, {}, None))
                continue
            per: dict[str, Value] = {}
            per_keys: dict[str, Key] = {}
            for argument in self.output_arguments(name):
                label = display(argument)
                per[label], per_keys[label] = self.call(rule, (argument,), Env(org, {}, None))
            outputs[name] = per
            keys[name] = per_keys
        return Settlement(org, outputs, keys)

    def value_of(self, org: str, rule: str, args: tuple[Value, ...] = ()) -> tuple[Value, Key]:
        """One rule's value for an organization, and the key of its derivation."""
        with deep_enough():
            return self.call(self.program.rules[rule], args, Env(org, {}, None))

    def output(self, name: str, argument: Value | None, org: str) -> Value:
        """One output of one organization, for one measure or group if it takes one."""
        return self.value_of(org, name, () if argument is None else (argument,))[0]

    def output_arguments(self, name: str) -> list[Value]:
        """The measures or groups an output is settled for; empty if it takes none."""
        return output_arguments(self.program, name)

    def computed(self, org: str, rule: str, args: tuple[Value, ...]) -> Value | None:
        """A rule's value if it was evaluated already, without evaluating it."""
        return self.memo.get(self.key_of(org, rule, args))

    def key_of(self, org: str, rule: str, args: tuple[Value, ...]) -> Key:
        """The key a rule's value for an organization is remembered under."""
        return Key(org if rule in self.program.organization_rules else "", rule, args)

    def assume(self, key: Key, value: Value) -> None:
        """Take ``value`` as the value of ``key`` from now on, as if it had been evaluated
        (to see what one rule's value changes)."""
        self.memo[key] = value
        self.derivations[key] = Derivation(key, "assumed", value=value)

    def scope(self, binders: tuple[p.Binder, ...], org: str) -> list[dict[str, Value]]:
        """Every combination of values of ``for each`` variables, as for an aggregation."""
        bindings = self._bindings(binders, Env(org, {}, None))
        return [] if isinstance(bindings, NotScored) else list(bindings)

    def claim(self, expr: p.Expr, org: str, bindings: Mapping[str, Value], label: str
              ) -> tuple[Value, Derivation]:
        """An invariant's expression for one organization; the derivation lists what it
        used."""
        derivation = Derivation(Key(org, label, tuple(bindings.values())), "invariant",
                                span=expr.span)
        saved, self.recording = self.recording, True
        try:
            with deep_enough():
                derivation.value = self.eval(expr, Env(org, dict(bindings), derivation,
                                                       derivation.key))
        finally:
            self.recording = saved
        return derivation.value, derivation

    def release(self, org: str) -> None:
        """Forget the derivations of one organization, once written: values stay known."""
        for key in [k for k in self.derivations if k.org == org]:
            del self.derivations[key]

    # ---- errors ---------------------------------------------------------------------------

    def fail(self, code: str, message: str, span: Span | None, env: Env,
             hint: str | None = None) -> EvaluationError:
        # Say which organization, measure, group and period, as a settlement analyst
        # would look them up in the table, then which rule was being evaluated.
        where = [f"organization {env.org}"] if env.org else []
        for value in env.local.values():
            if isinstance(value, Group):
                where.append(f"group {value.label}")
            elif isinstance(value, Entity) and value.kind == "period":
                label = self.period_labels.get(value.name, value.name)
                where.append(f"period {value.name}" + (f" ({label})" if label != value.name
                                                       else ""))
            elif isinstance(value, Entity) and value.kind == "measure":
                where.append(f"measure {value.name}")
        if env.key is not None:
            where.append(f"while evaluating {env.key.id}")
        notes = (Note(", ".join(where)),) if where else ()
        return EvaluationError(Diagnostic(code, message, span, hint=hint, notes=notes))

    def _out_of_steps(self, e: p.Expr, env: Env) -> None:
        raise self.fail(E_STEPS, f"settling one organization took more than "
                        f"{self.step_limit:,} evaluation steps", e.span, env,
                        hint="the contract nests aggregations over organizations too "
                        "deeply; name the inner values with `define` so they are reused")

    # ---- derivations ----------------------------------------------------------------------

    def decided(self, site: int, outcome: str, env: Env) -> None:
        if env.node is not None and outcome not in _UNREAD_DECISIONS:
            env.node.record(site, outcome)
        if self.recorder is not None:
            self.recorder.decided(site, outcome, env.node)

    def _use(self, env: Env, key: Key) -> None:
        if env.node is not None:
            env.node.uses[key] = None

    def _known(self, key: Key) -> Value | None:
        """The remembered value of ``key``; when recording, only with its derivation (one
        released since is derived again)."""
        value = self.memo.get(key)
        if value is not None and self.recording and key not in self.derivations:
            return None
        return value

    def _derivation(self, key: Key, kind: str, **fields: Any) -> Derivation | None:
        if not self.recording:
            return None
        derivation = Derivation(key, kind, **fields)
        self.derivations[key] = derivation
        return derivation

    # ---- rules ------------------------------------------------------------------------------

    def call(self, rule: p.Rule, args: tuple[Value, ...], env: Env) -> tuple[Value, Key]:
        key = Key(env.org if rule.key in self.program.organization_rules else "", rule.key,
                  args)
        value = self._known(key)
        if value is None:
            node = self._derivation(key, rule.kind, span=rule.span, citation=rule.citation)
            inner = Env(env.org, {q.name: a for q, a in zip(rule.params, args, strict=True)},
                        node, key)
            value = self._rule(rule, args, inner)
            if node is not None:
                if isinstance(value, Quantity) and value.note:
                    annotate(inner, value.note)
                node.value = value
            self.memo[key] = value
        self._use(env, key)
        return value, key

    def _rule(self, rule: p.Rule, args: tuple[Value, ...], env: Env) -> Value:
        if rule.kind == "schedule":
            return self.schedule(rule, args[0], env)
        value = self.body(rule, env)
        if rule.rounding is not None and rule.rounding.places is not None \
                and isinstance(value, Quantity):
            assert rule.rounding.mode is not None
            magnitude = self.round(value, rule.rounding.places, rule.rounding.mode, env,
                                   rule.rounding.span)
            value = Quantity(value.unit, magnitude, value.note)
        return value

    def body(self, rule: p.Rule, env: Env) -> Value:
        """A rule's value: its exception that applies, or its general rule."""
        applying = []
        for exception in rule.exceptions:
            condition = self.eval(exception.condition, env)
            if isinstance(condition, NotScored):
                return NotScored(f"cannot tell whether an exception applies: {condition.reason}")
            assert isinstance(condition, Truth)
            if condition.value:
                applying.append(exception)
        if len(applying) > 1:
            raise self.overlap(rule, applying[0], applying[1], env, surely=True)
        if applying:
            return self.exception_applies(applying[0], env)
        if rule.exceptions:
            assert rule.body is not None
            self.decided(rule.body.site, "general", env)
        assert rule.body is not None
        return self.eval(rule.body, env)

    def exception_applies(self, exception: p.Exception_, env: Env) -> Value:
        self.decided(exception.site, "applies", env)
        if env.node is not None:
            env.node.citation = exception.citation or env.node.citation
            env.node.span = exception.span
        return self.eval(exception.value, env)

    def overlap(self, rule: p.Rule, first: p.Exception_, second: p.Exception_, env: Env,
                surely: bool) -> EvaluationError:
        """Two exceptions of ``rule`` that apply (``surely``) or may apply at once."""
        apply = "apply" if surely else "may apply"
        shown = ", ".join(display(v) for v in env.local.values())
        return EvaluationError(Diagnostic(
            "E0403", f"two exceptions of `{rule.name}` {apply} at once", second.span,
            hint="exceptions may not overlap: narrow one of the conditions",
            notes=(Note(f"this exception {apply.replace('apply', 'applies')} too", first.span),
                   Note(f"organization {env.org}, arguments {shown}")),
        ))

    def round(self, value: Quantity, places: int, mode: str, env: Env, span: Span | None
              ) -> Any:
        function = builtins.FUNCTIONS["round"]
        assert function.compute is not None
        try:
            return function.compute(self.math, value.unit, value.magnitude, places, mode)
        except ArithmeticError_ as exc:
            raise self.fail("E0405", str(exc), span, env,
                            hint="an amount this large usually means a rule multiplies where "
                            "it should divide, or a table holds an impossible count") from None

    def schedule(self, rule: p.Rule, argument: Value, env: Env) -> Value:
        if isinstance(argument, NotScored):
            return argument
        assert isinstance(argument, Quantity)
        x = argument.magnitude
        for tier in rule.tiers:
            if tier.contains(x):
                return self.tier_chosen(tier, env)
        raise self.out_of_tiers(rule, argument, env)

    def tier_chosen(self, tier: p.Tier, env: Env) -> Value:
        self.decided(tier.site, "tier", env)
        if env.node is not None:
            env.node.note = f"tier {tier.text}"
        return self.eval(tier.value, env)

    def out_of_tiers(self, rule: p.Rule, argument: Value, env: Env) -> EvaluationError:
        return self.fail("E0404", f"{display(argument)} is outside every tier of "
                         f"`{rule.name}`", rule.span, env, hint="clamp the value before "
                         "looking it up, or widen the schedule's domain")

    # ---- parameters -----------------------------------------------------------------------

    def parameter(self, key: str, env: Env) -> Value:
        memo_key = Key("", key)
        value = self._known(memo_key)
        if value is None:
            value = self._parameter(key, memo_key)
            self.memo[memo_key] = value
        self._use(env, memo_key)
        return value

    def _parameter(self, key: str, memo_key: Key) -> Value:
        info = self.program.parameters[key]
        node = self._derivation(memo_key, "parameter", span=info.span, citation=info.citation)
        env = Env("", {}, node, memo_key)
        override = self.overrides.get(key)
        if override is not None:
            if node is not None:
                node.note = f"overridden with --set {key}={override.text}"
                node.span = override.span
                node.citation = None
            value = self.constant(override.value)
            span = override.span
        else:
            expr = self._in_force(info, node, env)
            value = self.eval(expr, env)
            span = expr.span
        if isinstance(value, Quantity) and info.type in ("count", "number"):
            value = Quantity(info.type, value.magnitude)
        if isinstance(value, Quantity) and info.type in t.NON_NEGATIVE and self.below_zero(
                value.magnitude):
            # A literal is refused when the contract is checked; a computed value (a
            # constant: parameters read no table) only shows here.
            raise self.fail("E0405", f"parameter `{key}` is {t.describe(info.type)}, which "
                            f"cannot be negative, but its value is {display(value)}",
                            span, env, hint="compute it so that it stays at zero or above, for "
                            "example with `max(0, ...)`")
        if node is not None:
            node.value = value
        return value

    def below_zero(self, magnitude: Any) -> bool:
        return bool(magnitude < 0)

    def _in_force(self, info: p.ParameterRule, node: Derivation | None, env: Env) -> p.Expr:
        """The value of a parameter in force on the settlement date."""
        if not info.amendments:
            return info.value
        if self.as_of is None:
            raise self.fail("E0407", f"`{info.key}` has amendments, but no settlement date "
                            "says which one is in force", info.span, env,
                            hint="add `settled as of YYYY-MM-DD` or `effective ... to "
                            "...` to the header, or pass --as-of")
        as_of = self.as_of
        started = [a for a in info.amendments if a.effective <= as_of]
        if not started:
            return info.value
        # The latest that has started, in whatever order they are written; the checker
        # refuses two that start on the same day.
        amendment = max(started, key=lambda a: a.effective)
        if node is not None:
            node.span = amendment.span
            node.citation = amendment.citation
            node.note = f"amended from {amendment.effective}, in force on {as_of}"
        return amendment.value

    # ---- expressions ------------------------------------------------------------------------

    def eval(self, e: p.Expr, env: Env) -> Value:
        self.steps_left -= 1
        if self.steps_left < 0:
            self._out_of_steps(e, env)
        return self.dispatch[type(e)](e, env)

    def constant(self, value: Value) -> Value:
        """A constant of the program as this backend's value."""
        return value

    def _x_Const(self, e: p.Const, env: Env) -> Value:
        value = self.constants.get(e.site)
        if value is None:
            value = self.constants[e.site] = self.constant(e.value)
        return value

    def _x_Unscored(self, e: p.Unscored, env: Env) -> Value:
        return NotScored(e.reason)

    def _x_Local(self, e: p.Local, env: Env) -> Value:
        return env.local[e.name]

    def _x_Parameter(self, e: p.Parameter, env: Env) -> Value:
        return self.parameter(e.key, env)

    def _x_Call(self, e: p.Call, env: Env) -> Value:
        args = tuple(self.eval(a, env) for a in e.args)
        value, key = self.call(self.program.rules[e.rule], args, env)
        if env.node is not None:
            env.node.record(e.site, key)
        return value

    def _x_Because(self, e: p.Because, env: Env) -> Value:
        value = self.eval(e.value, env)
        if isinstance(value, Quantity):
            return Quantity(value.unit, value.magnitude, e.reason)
        if env.node is not None:
            env.node.note = e.reason
        return value

    def _x_Builtin(self, e: p.Builtin, env: Env) -> Value:
        args = tuple(self.eval(a, env) for a in e.args)
        function = builtins.FUNCTIONS[e.name]
        if function.computed == builtins.READS:
            value = self.reads(e, args, env)
            if function.own_node:
                return value
        else:
            value = self.numbers(e, function, args, env)
        if env.node is not None:
            env.node.record(e.site, value)
        return value

    def reads(self, e: p.Builtin, args: tuple[Value, ...], env: Env) -> Value:
        """A builtin that reads the tables or the contract's measures."""
        name = e.name
        if name in ("rate", "numerator", "denominator"):
            return self.table_value(name, args, env, e.span)
        if name == "reference":
            return self.reference(args, env, e.span)
        if name == "rest":
            group = args[0]
            if isinstance(group, NotScored):
                return group
            assert isinstance(group, Group)
            return Group("rest", group.name)
        return self.measure_fact(name, args[0], env)

    def numbers(self, e: p.Builtin, function: builtins.Function, args: tuple[Value, ...],
                env: Env) -> Value:
        """A builtin computed from numbers."""
        missing = next((a for a in args if isinstance(a, NotScored)), None)
        if missing is not None:
            return missing
        if e.name == "round":
            x, _, mode = args
            # The checker holds the places to a number written out (E0308).
            places = e.args[1]
            assert isinstance(x, Quantity) and isinstance(mode, Mode)
            assert isinstance(places, p.Const) and isinstance(places.value, Quantity)
            return Quantity(x.unit, self.round(x, int(places.value.magnitude), mode.mode, env,
                                               e.span))
        quantities = [a for a in args if isinstance(a, Quantity)]
        self.check_arguments(e, quantities, env)
        assert function.compute is not None
        try:
            magnitude = function.compute(self.math, *(q.magnitude for q in quantities))
        except ArithmeticError_ as exc:
            raise self.fail("E0401", str(exc), e.span, env) from None
        return Quantity(self.unit_of(e, quantities), magnitude)

    def check_arguments(self, e: p.Builtin, quantities: list[Quantity], env: Env) -> None:
        """Refuse arguments a builtin has no result for, other than by arithmetic."""
        if e.name == "clamp":
            _, low, high = quantities
            if low.magnitude > high.magnitude:
                raise self.fail("E0405", self.reversed_clamp(low, high), e.span, env,
                                hint="swap the bounds")

    @staticmethod
    def reversed_clamp(low: Quantity, high: Quantity) -> str:
        return f"clamp's low bound {display(low)} is above its high bound {display(high)}"

    @staticmethod
    def unit_of(e: p.Expr, quantities: list[Quantity]) -> str:
        return e.type if e.type in t.NUMERIC else quantities[0].unit

    def _x_Arithmetic(self, e: p.Arithmetic, env: Env) -> Value:
        left = self.eval(e.left, env)
        right = self.eval(e.right, env)
        for side in (left, right):
            if isinstance(side, NotScored):
                return side
        assert isinstance(left, Quantity) and isinstance(right, Quantity)
        try:
            return Quantity(e.type, self.arithmetic(e, left.magnitude, right.magnitude, env))
        except ArithmeticError_ as exc:
            raise self.fail("E0401", f"{exc} in `{one_line(e)}`", e.span, env,
                            hint="guard the division: `if x = 0 then not scored because "
                            "\"...\" else y / x`") from None

    def arithmetic(self, e: p.Arithmetic, a: Any, b: Any, env: Env) -> Any:
        math = self.math
        return {"+": math.add, "-": math.subtract, "*": math.multiply,
                "/": math.divide}[e.op](a, b)

    def _x_Negate(self, e: p.Negate, env: Env) -> Value:
        value = self.eval(e.operand, env)
        if isinstance(value, NotScored):
            return value
        assert isinstance(value, Quantity)
        return Quantity(value.unit, self.math.negate(value.magnitude))

    def _x_Compare(self, e: p.Compare, env: Env) -> Value:
        left = self.eval(e.left, env)
        right = self.eval(e.right, env)
        for side in (left, right):
            if isinstance(side, NotScored):
                return side
        if isinstance(left, Quantity) and isinstance(right, Quantity):
            return Truth(self.math.test(e.op, left.magnitude, right.magnitude))
        if isinstance(left, DateValue) and isinstance(right, DateValue):
            order = (left.value > right.value) - (left.value < right.value)
            return Truth({"=": order == 0, "!=": order != 0, "<": order < 0, "<=": order <= 0,
                          ">": order > 0, ">=": order >= 0}[e.op])
        return Truth(self.same(left, right, e.op == "="))

    def same(self, left: Value, right: Value, equal: bool) -> Any:
        """Whether two values are the same (``equal``) or differ."""
        return (left == right) == equal

    def truth(self, e: p.Expr, env: Env) -> Truth | NotScored:
        value = self.eval(e, env)
        assert isinstance(value, Truth | NotScored)
        return value

    def _x_Not(self, e: p.Not, env: Env) -> Value:
        value = self.truth(e.operand, env)
        if isinstance(value, NotScored):
            return value
        return Truth(not value.value)

    def _x_And(self, e: p.And, env: Env) -> Value:
        return self.connective(e.left, e.right, False, env)

    def _x_Or(self, e: p.Or, env: Env) -> Value:
        return self.connective(e.left, e.right, True, env)

    def connective(self, left_expr: p.Expr, right_expr: p.Expr, decisive: bool, env: Env
                   ) -> Value:
        """``and`` (decisive answer no) or ``or`` (decisive answer yes): a decisive answer on
        either side decides, even when the other side is not scored."""
        left = self.truth(left_expr, env)
        if isinstance(left, Truth) and left.value == decisive:
            return left
        # The right side counts only where the left is not decisive: `d > 0 and x / d`.
        right = self.truth(right_expr, env)
        if isinstance(right, Truth) and right.value == decisive:
            return right
        return left if isinstance(left, NotScored) else right

    def _x_If(self, e: p.If, env: Env) -> Value:
        condition = self.truth(e.condition, env)
        if isinstance(condition, NotScored):
            self.decided(e.site, "not scored", env)
            return NotScored(f"the condition is not scored: {condition.reason}")
        self.decided(e.site, "then" if condition.value else "else", env)
        return self.eval(e.then if condition.value else e.otherwise, env)

    def _x_Otherwise(self, e: p.Otherwise, env: Env) -> Value:
        value = self.eval(e.value, env)
        fallback = isinstance(value, NotScored)
        self.decided(e.site, "fallback" if fallback else "value", env)
        return self.eval(e.fallback, env) if fallback else value

    def _x_IsScored(self, e: p.IsScored, env: Env) -> Value:
        value = self.eval(e.operand, env)
        return Truth(isinstance(value, NotScored) == e.negated)

    def _x_MemberOf(self, e: p.MemberOf, env: Env) -> Value:
        element = self.eval(e.element, env)
        if isinstance(element, NotScored):
            return element
        members = self.domain(e.domain, env)
        if isinstance(members, NotScored):
            return members
        return Truth(self.member(element, members))

    def member(self, element: Value, members: list[Value]) -> Any:
        """Whether ``element`` is one of ``members``."""
        return any(self.same(element, item, True) for item in members)

    def _x_Input(self, e: p.Input, env: Env) -> Value:
        return self.organization_input(e.name, env, e.span)

    def _x_TheOrganization(self, e: p.TheOrganization, env: Env) -> Value:
        value = Entity("organization", env.org)
        if env.node is not None:
            env.node.record(e.site, value)
        return value

    def _x_At(self, e: p.At, env: Env) -> Value:
        org = self.eval(e.organization, env)
        if isinstance(org, NotScored):
            return org
        assert isinstance(org, Entity)
        return self.eval(e.value, Env(org.name, env.local, env.node, env.key))
