"""Derivations: what the backends record of an evaluation, and what they share.

A ``Key`` names a value (organization, rule, arguments); a ``Derivation`` records how it was
reached: its value, its source span, the values it used and the table rows it read. An
``Env`` is where an expression is evaluated: for which organization, with which local
variables, and into which derivation.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any, Protocol

import attrs

from eqlang.core import program as p
from eqlang.core.limits import STACK_FRAMES
from eqlang.core.values import Arithmetic, Value, display
from eqlang.data.tables import Row, TableSet
from eqlang.diagnostics import EqlangError
from eqlang.syntax.source import Span

#: The error of a run that used up its step budget.
E_STEPS = "E0406"

#: What ``Derivation.seen`` holds for an expression evaluated more than once for one value
#: (an ``if`` inside a ``for each``, say): there is no single outcome to show.
VARIED = object()


@attrs.frozen
class Key:
    """What a derivation is a derivation of: a rule, parameter, table value, measure fact or
    peer aggregation, by organization ("" for what is the same for every organization),
    name and arguments."""

    org: str
    name: str
    args: tuple[Value, ...] = ()

    @property
    def id(self) -> str:
        """How traces and reports name the value: ``gap(COL, Black, baseline)``."""
        if not self.args:
            return self.name
        return f"{self.name}({', '.join(display(a) for a in self.args)})"


@attrs.define(slots=True)
class Derivation:
    """One evaluated value: a rule's, a parameter's, a table value's or a measure fact's."""

    key: Key
    kind: str
    value: Value | None = None
    span: Span | None = None
    #: The values it used, in the order first used.
    uses: dict[Key, None] = attrs.field(factory=dict)
    rows: list[Row] = attrs.field(factory=list)
    #: For an organization input: where in the organization table it was read.
    cell: Any = None
    citation: str | None = None
    note: str | None = None
    #: How it was reached, by site: the branch an ``if`` took ("then", "else"), whether an
    #: ``otherwise`` fell back ("fallback", "value"), the tier a schedule chose ("tier"), an
    #: aggregation's or builtin's result, the key of the value a call gave. The trace uses
    #: it to show the rule as it was applied instead of the rule as written.
    seen: dict[int, Any] | None = None

    @property
    def org(self) -> str:
        return self.key.org

    @property
    def id(self) -> str:
        return self.key.id

    def record(self, site: int, outcome: Any) -> None:
        if self.seen is None:
            self.seen = {site: outcome}
        else:
            # Values are not compared: under interval arithmetic, equality of magnitudes
            # need not be a plain yes or no.
            self.seen[site] = VARIED if site in self.seen else outcome


class DecisionRecorder(Protocol):
    """Told which way each decision went: a branch of an ``if``, a tier, an exception, an
    ``otherwise``, by the site decided at; ``derivation`` is the value being derived."""

    def decided(self, site: int, outcome: str, derivation: Derivation | None) -> None: ...


@attrs.frozen
class Settlement:
    """One organization's outputs: a value, or per measure or group code a value."""

    org: str
    outputs: dict[str, Value | dict[str, Value]]
    keys: dict[str, Key | dict[str, Key]]


class EvaluationError(EqlangError):
    pass


@attrs.define
class Env:
    """Where an expression is evaluated: for which organization, with which local variables,
    and into which derivation (None when nothing is recorded)."""

    org: str
    local: dict[str, Value]
    node: Derivation | None
    #: The value being evaluated, for messages, whether or not it is recorded.
    key: Key | None = None


class Parts:
    """What the parts of an evaluator (``reads``, ``aggregations``) need of the evaluator
    they are part of (``eqlang.backends.exact.Evaluator``), which provides it."""

    program: p.Program
    tables: TableSet
    #: Each organization's inputs (an ``eqlang.data.organizations.OrganizationTable``).
    organizations: Any
    math: Arithmetic
    memo: dict[Key, Value]
    period_labels: dict[str, str]
    contract_measures: tuple[str, ...]

    def eval(self, e: p.Expr, env: Env) -> Value:
        raise NotImplementedError

    def organization_input(self, name: str, env: Env, span: Span | None) -> Value:
        raise NotImplementedError

    def peers_sharing(self, name: str, env: Env) -> list[str]:
        raise NotImplementedError

    def fail(self, code: str, message: str, span: Span | None, env: Env,
             hint: str | None = None) -> EvaluationError:
        raise NotImplementedError

    def _known(self, key: Key) -> Value | None:
        raise NotImplementedError

    def _derivation(self, key: Key, kind: str, **fields: Any) -> Derivation | None:
        raise NotImplementedError

    def _use(self, env: Env, key: Key) -> None:
        raise NotImplementedError


def annotate(env: Env, text: str) -> None:
    """Add a note to the value being derived, beside any it already has."""
    if env.node is not None:
        env.node.note = text if not env.node.note else f"{env.node.note}; {text}"


def one_line(e: p.Expr) -> str:
    """An expression's source text on one line, for messages."""
    return " ".join(e.span.text.split()) if e.span is not None else ""



@contextlib.contextmanager
def deep_enough() -> Iterator[None]:
    """Let an evaluation recurse as deep as the checker allows rules to call one another.

    Python's default limit (1,000 frames) would stop a chain of some 150 definitions, each
    calling the next, which is a legitimate if unusual contract; the checker bounds how deep
    a contract can go, and this raises the limit above that bound while evaluating (Python
    calls between its own functions take no machine stack, so the limit is safe to raise).
    """
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(max(before, STACK_FRAMES))
    try:
        yield
    finally:
        sys.setrecursionlimit(before)
