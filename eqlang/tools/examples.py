"""Running worked examples: takes a checked ``Program``, gives each example's verdict.

Each example is settled like ``eqlang eval`` would settle its table for its organization
(with its own ``set`` values and settlement date), and each expectation is compared with the
value the contract gives: exactly, as decimals, after the output's own rounding; a
not-scored expectation matches a not-scored value (whose reason must contain the reason
given, if one is). A failure is explained by following the derivation of the actual value
down to the rule where it was made: ``render_results`` prints that chain with the values in
place and the decisions taken on the way.
"""

from __future__ import annotations

from typing import Any

import attrs

from eqlang.backends.derivation import Derivation, Key
from eqlang.backends.exact import Evaluator
from eqlang.check.examples import CheckedExample, CheckedExpectation
from eqlang.core import program as p
from eqlang.core.program import Program
from eqlang.core.values import NotScored, Quantity, Value, display
from eqlang.diagnostics import Diagnostic, EqlangError, counted, render
from eqlang.render import reading_text, value_text
from eqlang.terminal import printable
from eqlang.tools.coverage import DecisionLog
from eqlang.trace.writer import Encoder, encode_value

#: How many steps a failure's chain follows, and how many inputs it lists at its end.
MAX_CHAIN = 12
MAX_INPUTS = 8
_RULE_KINDS = ("definition", "output", "schedule")
_KIND_WORDS = {"definition": "rule", "output": "output", "schedule": "schedule"}


@attrs.frozen
class Outcome:
    """One expectation and the value the contract gave."""

    expectation: CheckedExpectation
    actual: Value
    node: Key
    passed: bool


@attrs.frozen(eq=False)
class ExampleResult:
    """One example's verdict: its outcomes, or the diagnostics that stopped its settlement."""

    example: CheckedExample
    outcomes: tuple[Outcome, ...]
    errors: tuple[Diagnostic, ...]
    evaluator: Evaluator
    log: DecisionLog

    @property
    def passed(self) -> bool:
        return not self.errors and all(o.passed for o in self.outcomes)

    @property
    def failures(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if not o.passed)


def matches(expectation: CheckedExpectation, actual: Value) -> bool:
    """Whether a value is what an expectation says, exactly."""
    expected = expectation.expected
    if expected is None:
        return isinstance(actual, NotScored) and (
            expectation.reason is None or expectation.reason in actual.reason)
    if isinstance(expected, Quantity):
        # Counts and plain numbers are one kind of value; the checker proved the units agree.
        return isinstance(actual, Quantity) and actual.magnitude == expected.magnitude
    return actual == expected


def run_example(program: Program, example: CheckedExample) -> ExampleResult:
    """Settle one example for its organization and compare every expectation."""
    log = DecisionLog()
    evaluator = Evaluator(program, example.tables, organizations=example.inputs,
                          overrides=example.overrides,
                          as_of=example.as_of, recorder=log, record=True)
    try:
        evaluator.settle(example.organization)
        outcomes = []
        for expectation in example.expectations:
            actual, key = evaluator.value_of(example.organization, expectation.key,
                                             expectation.args)
            outcomes.append(Outcome(expectation, actual, key, matches(expectation, actual)))
    except EqlangError as error:
        return ExampleResult(example, (), error.diagnostics, evaluator, log)
    return ExampleResult(example, tuple(outcomes), (), evaluator, log)


def run_examples(program: Program) -> tuple[ExampleResult, ...]:
    """Every worked example of a checked contract, run in the order written."""
    return tuple(run_example(program, example) for example in program.examples)


# ---- reports ----------------------------------------------------------------------------


def _shown(value: Value | None) -> str:
    return "not scored" if value is None else display(value)


def _expected_text(expectation: CheckedExpectation) -> str:
    if expectation.expected is None:
        reason = expectation.reason
        return "not scored" + (f" (with a reason containing \"{reason}\")" if reason else "")
    return display(expectation.expected)


def render_result(program: Program, result: ExampleResult) -> str:
    """One example's verdict; for a failure, each unmet expectation and where values part."""
    example = result.example
    head = f"{example.span.location()}: example \"{example.title}\""
    if result.errors:
        lines = [f"{head}: ERROR, the settlement stopped"]
        for diagnostic in result.errors:
            lines.extend("    " + line for line in render(diagnostic).splitlines())
        return "\n".join(lines) + "\n"
    total = len(result.outcomes)
    if result.passed:
        return f"{head}: ok ({counted(total, 'expectation')})\n"
    failures = result.failures
    lines = [f"{head}: FAILED, {len(failures)} of {counted(total, 'expectation')} not met"]
    failing = {o.node: o for o in failures}
    for outcome in failures:
        expectation = outcome.expectation
        lines.append(f"  {expectation.span.location()}: "
                     f"{' '.join(expectation.span.text.split())}")
        lines.append(f"    expected {_expected_text(expectation)}")
        lines.append(f"    actual   {display(outcome.actual)}")
        lines.append("    where they part:")
        chain = _Chain(program, result, failing)
        lines.extend("      " + line for line in chain.lines(outcome))
    return "\n".join(lines) + "\n"


class _Chain:
    """Follows a failing value's derivation to the rule where the value was made.

    From the value expected, it steps to the one rule input whose value is the value itself
    (the rule passed it on), as long as there is exactly one; where none carries it, the value
    was made there, and that rule is shown with its values in place, the decisions it took
    and its inputs. Inputs this example also expects are marked with how they fared.
    """

    def __init__(self, program: Program, result: ExampleResult,
                 failing: dict[Key, Outcome]) -> None:
        self.program = program
        self.result = result
        self.evaluator = result.evaluator
        self.failing = failing
        self.org = result.example.organization
        self.encoder = Encoder(program)
        self.expected = {o.node: o for o in result.outcomes}
        self.sites = decision_sites(program)

    def node(self, key: Key) -> Derivation:
        return self.evaluator.derivations[key]

    @staticmethod
    def inputs(node: Derivation) -> list[Key]:
        return list(node.uses)

    def lines(self, outcome: Outcome) -> list[str]:
        start = outcome.node
        key = start
        lines: list[str] = []
        for _ in range(MAX_CHAIN):
            node = self.node(key)
            lines.append(self.heading(node, marked=key != start))
            if key != start and key in self.failing:
                lines.append("  (this example expects another value here; that failure is "
                             "shown on its own)")
                return lines
            lines.extend("  " + d for d in self.decisions(node))
            rules = [k for k in self.inputs(node) if self.node(k).kind in _RULE_KINDS]
            carrying = [k for k in rules if self.node(k).value == node.value]
            if any(k in self.expected and self.expected[k].passed for k in carrying):
                # The example vouches for that value, so the values part here, not there.
                carrying = []
            if len(carrying) != 1:
                lines.extend(self.made_here(node))
                return lines
            key = carrying[0]
            lines.append(f"  passes on the value of {self.label(self.node(key))}:")
        lines.append("  ... (the chain goes on; see `eqlang explain` on a trace)")
        return lines

    def label(self, node: Derivation) -> str:
        prefix = "" if node.org in ("", self.org) else f"{node.org}::"
        return prefix + node.id

    def encoded(self, node: Derivation) -> dict[str, Any]:
        return self.encoder.node(node, self.org)

    def heading(self, node: Derivation, marked: bool) -> str:
        encoded = self.encoded(node)
        kind = _KIND_WORDS.get(node.kind, node.kind)
        where = f" ({kind} at {encoded['at']})" if encoded.get("at") else ""
        mark = self.mark(node) if marked else ""
        return f"{self.label(node)}{self.value(node)}{where}{mark}"

    def mark(self, node: Derivation) -> str:
        outcome = self.expected.get(node.key)
        if outcome is None:
            return ""
        where = outcome.expectation.span.location()
        if outcome.passed:
            return f" [as this example expects, {where}]"
        return f" [this example expects {_expected_text(outcome.expectation)}, {where}]"

    def value(self, node: Derivation) -> str:
        text = value_text(encode_value(node.value))
        if isinstance(node.value, Quantity) and node.value.note:
            text += f" ({node.value.note})"
        return (" " if text.startswith("≈") else " = ") + text

    def decisions(self, node: Derivation) -> list[str]:
        home = self.result.example.span.path
        return [_decision(self.sites[site], outcome, home)
                for site, outcome in self.result.log.of(node)]

    def made_here(self, node: Derivation) -> list[str]:
        encoded = self.encoded(node)
        lines = []
        # The rule as applied, as `eqlang explain` shows it: the branch taken, each term
        # with its value. A schedule's tier is among its decisions.
        if node.kind in ("definition", "output"):
            nodes = {}
            for key in self.inputs(node):
                child = self.node(key)
                nodes[self.encoder.id(key, self.org)] = self.encoded(child)
            applied = reading_text(encoded, nodes)
            if applied is not None:
                lines.append(f"  = {applied}")
        inputs = self.inputs(node)
        for key in inputs[:MAX_INPUTS]:
            child = self.node(key)
            lines.append(f"  uses {self.label(child)}{self.value(child)}{self.mark(child)}")
            lines.extend(f"    {d}" for d in self.decisions(child))
        if len(inputs) > MAX_INPUTS:
            lines.append(f"  uses {len(inputs) - MAX_INPUTS} more values (see `eqlang explain`)")
        return lines


def _flat(text: str, width: int = 50) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


def decision_sites(program: Program) -> dict[int, Any]:
    """Every place a decision is taken, by site: ``if``, ``otherwise``, tiers, exceptions
    and the general rules of rules with exceptions."""
    found: dict[int, Any] = {}
    for rule in program.rules.values():
        parts = [x for x in (rule.body,) if x is not None]
        for exception in rule.exceptions:
            found[exception.site] = exception
            parts.extend((exception.value, exception.condition))
        for tier in rule.tiers:
            found[tier.site] = tier
            parts.append(tier.value)
        if rule.body is not None:
            found[rule.body.site] = rule.body
        for part in parts:
            found.update((e.site, e) for e in p.walk(part) if isinstance(e, p.If | p.Otherwise))
    return found


def _decision(site: Any, outcome: str, home: str) -> str:
    """A decision in words, with where it was taken (line:column in the contract ``home``)."""
    span = site.span
    where = f"{span.line}:{span.column}" if span.path == home else span.location()
    if outcome == "general":
        return f"no exception applied; used the general rule ({where})"
    if isinstance(site, p.If):
        condition = site.condition.span
        if outcome == "not scored":
            return f"the condition `{_flat(condition.text)}` was not scored ({where})"
        return f"took the {outcome} branch of `if {_flat(condition.text)}` ({where})"
    if isinstance(site, p.Tier):
        return f"used the tier `{_flat(site.span.text)}` ({where})"
    if isinstance(site, p.Exception_):
        return f"applied the exception `{_flat(site.span.text)}` ({where})"
    assert isinstance(site, p.Otherwise)
    if outcome == "fallback":
        return f"used the fallback of `{_flat(site.span.text)}`: the value was not scored " \
            f"({where})"
    return f"did not need the fallback of `{_flat(site.span.text)}` ({where})"


def render_results(program: Program, results: tuple[ExampleResult, ...]) -> str:
    return printable("".join(render_result(program, r) for r in results))
