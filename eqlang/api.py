"""The Python API: load a contract, settle it on measure tables, read outputs and the trace.

    >>> from eqlang.api import load_contract, settle
    >>> contract = load_contract("contracts/reference-equity.eq")
    >>> run = settle(contract, ["contracts/reference-equity.csv"])
    >>> run.outputs()["Harborview Health Partners"]["payout"]
    Quantity(unit='money', magnitude=Decimal('956901.01'))

The contract's worked examples run the same way ``eqlang test`` runs them:

    >>> results = run_examples(contract)
    >>> all(result.passed for result in results)
    True
    >>> example_coverage(contract, results).percent
    '100.0%'

Everything raises ``EqlangError`` with diagnostics for people; nothing prints.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from eqlang import syntax as s
from eqlang.check import Program, _literal_type, load_and_check
from eqlang.coverage import Coverage, coverage
from eqlang.diagnostics import Diagnostic, EqlangError, did_you_mean
from eqlang.evaluate import Evaluator, Settlement
from eqlang.example_runner import ExampleResult, run_examples
from eqlang.parse import parse
from eqlang.source import SourceFile
from eqlang.tables import TableSet, load_tables
from eqlang.trace import build, dumps
from eqlang.types import assignable, describe
from eqlang.values import Value

__all__ = [
    "ExampleResult",
    "Run",
    "example_coverage",
    "load_contract",
    "parse_override",
    "run_examples",
    "settle",
]


def load_contract(path: str) -> Program:
    """Read, parse and check a contract and the modules it imports."""
    return load_and_check(path)


@attrs.frozen(eq=False)
class Run:
    """One settlement run: its inputs, the evaluator that holds every node, and results."""

    program: Program
    tables: TableSet
    evaluator: Evaluator
    settlements: tuple[Settlement, ...]
    overrides: dict[str, str]

    def outputs(self) -> dict[str, dict[str, Value | dict[str, Value]]]:
        """Per organization, each output's value (per measure or group where it is so)."""
        return {st.org: st.outputs for st in self.settlements}

    def trace(self) -> dict[str, Any]:
        return build(self.program, self.tables, self.evaluator, list(self.settlements),
                     self.overrides)

    def trace_json(self) -> str:
        return dumps(self.trace())


def parse_override(program: Program, assignment: str) -> tuple[str, s.Expr]:
    """``NAME=VALUE`` for ``--set``: the value is checked like source, against the type."""
    name, equals, value = assignment.partition("=")
    name, value = name.strip(), value.strip()
    if not equals or not name or not value:
        raise EqlangError(Diagnostic(
            "E0601", f"`--set {assignment}` is not of the form NAME=VALUE", None,
            path="--set", hint="for example: --set pool=$1,200,000.00"))
    info = program.parameters.get(name)
    if info is None or "." in name:
        raise EqlangError(Diagnostic(
            "E0601", f"the contract has no parameter `{name}`", None, path="--set",
            hint=did_you_mean(name, [p for p in program.parameters if "." not in p])
            or "only parameters declared with `parameter` can be set"))
    text = f"parameter {name}: {info.type} = {value}\n"
    source = SourceFile(f"--set {name}", text)
    try:
        module = parse(source)
    except EqlangError as error:
        raise EqlangError(Diagnostic(
            "E0601", f"`{value}` is not a value eqlang can read", None, path="--set",
            hint=f"write it as in a contract: {_example(info.type)}")) from error
    declarations = module.declarations
    expr = declarations[0].value if len(declarations) == 1 and isinstance(
        declarations[0], s.Parameter) else None
    literal = expr.operand if isinstance(expr, s.Negate) else expr
    if not isinstance(literal, s.Literal):
        raise EqlangError(Diagnostic(
            "E0601", f"`--set {name}` takes a single value, not `{value}`", None,
            path="--set", hint=f"write it as in a contract: {_example(info.type)}"))
    actual = _literal_type(literal)
    if not assignable(actual, info.type):
        raise EqlangError(Diagnostic(
            "E0601", f"`{name}` is {describe(info.type)}, but `{value}` is {describe(actual)}",
            None, path="--set", hint=f"write it as in a contract: {_example(info.type)}"))
    assert expr is not None
    return name, expr


def _example(type_name: str) -> str:
    return {"money": "$1,200,000.00", "percent": "40%", "pp": "3 pp", "count": "50",
            "number": "0.5", "date": "2024-07-01", "yesno": "yes", "text": '"text"'}.get(
        type_name, "a literal")


def settle(
    program: Program,
    tables: Sequence[str] | TableSet,
    *,
    organizations: Sequence[str] | None = None,
    overrides: Sequence[str] | Mapping[str, str] = (),
    as_of: datetime.date | None = None,
) -> Run:
    """Settle the contract for every organization in the tables, or only those named."""
    table_set = tables if isinstance(tables, TableSet) else load_tables(list(tables))
    assignments = (
        [f"{k}={v}" for k, v in overrides.items()] if isinstance(overrides, Mapping)
        else list(overrides)
    )
    parsed: dict[str, s.Expr] = {}
    texts: dict[str, str] = {}
    for assignment in assignments:
        name, expr = parse_override(program, assignment)
        parsed[name] = expr
        texts[name] = " ".join(expr.span.text.split())
    known = table_set.organizations()
    chosen = list(known)
    if program.provider is not None:
        chosen = [program.provider]
    if organizations:
        chosen = list(dict.fromkeys(organizations))
    for org in chosen:
        if org not in known:
            raise EqlangError(Diagnostic(
                "E0602", f"organization \"{org}\" is not in the measure tables", None,
                path=", ".join(t.path for t in table_set.tables),
                hint=did_you_mean(org, known) or "the tables hold: " + ", ".join(known)))
    evaluator = Evaluator(program, table_set, overrides=parsed, as_of=as_of)
    settlements = tuple(evaluator.settle(org) for org in sorted(chosen))
    return Run(program, table_set, evaluator, settlements, texts)


def example_coverage(program: Program, results: Sequence[ExampleResult]) -> Coverage:
    """What the worked examples exercised of the contract: rules, tiers, branches."""
    return coverage(program, ((r.evaluator, r.log) for r in results))
