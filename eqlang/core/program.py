"""The checked program: what checking gives and every backend interprets.

A ``Program`` holds a contract and its modules as data of its own: each declaration with
its parameters and type, each expression a small frozen node that carries its type (with
its unit), its source span, the syntax it was read from, and a ``site`` number unique in
the program. Names are resolved already: a reference to a parameter is a ``Parameter``
node holding the parameter's key, a call of a definition a ``Call`` holding the rule's key,
a loop variable a ``Local``. No backend looks a name up or infers a type again.

Checking builds the program in passes (``eqlang.check``): names give nodes whose type is
``UNTYPED``, types fill it in. A contract with errors still gives a program, in which what
could not be resolved or typed is an ``Invalid`` node of type ``ERROR``: editors read it,
backends refuse it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs

from eqlang.core.values import Value
from eqlang.syntax import ast as s
from eqlang.syntax.modules import LoadedModule
from eqlang.syntax.source import Span

#: The type of a node before the types pass has seen it.
UNTYPED = "?"
#: The type of a node that could not be resolved or typed; it hides follow-on errors.
ERROR = "error"


def _meta(default: Any = None) -> Any:
    return attrs.field(default=default, eq=False, kw_only=True, repr=False)


def _type() -> Any:
    return attrs.field(default=UNTYPED, kw_only=True)


# ---- expressions ------------------------------------------------------------------------
# Every expression has ``type``, and, left out of equality so that two nodes that mean the
# same compare equal wherever they were written, ``span``, ``site`` and ``syntax``.


@attrs.frozen
class _Node:
    """What every expression has: its type (``UNTYPED`` until the types pass), and, left out
    of equality, its span, its site and the syntax it was read from."""

    type: str = _type()
    span: Span | None = _meta()
    site: int = _meta(0)
    syntax: Any = _meta()


@attrs.frozen
class Const(_Node):
    """A constant: a literal, a measure, group, period or stratification named outright,
    ``ALL``, a rounding mode."""

    value: Value


@attrs.frozen
class Unscored(_Node):
    """``not scored because "..."``."""

    reason: str


@attrs.frozen
class Local(_Node):
    """A parameter of the rule being evaluated, or a ``for each`` variable."""

    name: str


@attrs.frozen
class Parameter(_Node):
    """A contract parameter, by its key (``plan.pool`` for a module's)."""

    key: str


@attrs.frozen
class Call(_Node):
    """A definition, output or schedule applied to arguments (none, for a name used alone)."""

    rule: str
    args: tuple[Expr, ...]


@attrs.frozen
class Builtin(_Node):
    """A builtin function applied to arguments; ``eqlang.core.builtins`` declares each."""

    name: str
    args: tuple[Expr, ...]


@attrs.frozen
class Measures:
    """The contract's own measures, in the order declared."""

    span: Span | None = _meta()


@attrs.frozen
class Organizations:
    """Every organization in the measure tables, or with ``same`` (an organization input)
    those whose input has the value it has for the organization evaluated for."""

    same: str | None = None
    span: Span | None = _meta()


@attrs.frozen
class Groups:
    """The groups (or focus groups) of a stratification: one of the contract's, named
    outright (``stratification``), or the one a parameter of type stratification holds
    (``local``)."""

    stratification: str | None
    local: str | None
    focus: bool
    span: Span | None = _meta()


@attrs.frozen
class Listed:
    items: tuple[Expr, ...]
    span: Span | None = _meta()


Domain = Measures | Organizations | Groups | Listed


@attrs.frozen
class Binder:
    name: str
    domain: Domain
    type: str = _type()
    span: Span | None = _meta()


@attrs.frozen
class Aggregate(_Node):
    """``function(value [weighted by weight] for each binders [where ...] [, not scored:
    policy])``; ``share`` is a percentile's first argument."""

    function: str
    binders: tuple[Binder, ...]
    value: Expr
    where: Expr | None = None
    weight: Expr | None = None
    share: Expr | None = None
    policy: str = "propagate"


@attrs.frozen
class Arithmetic(_Node):
    """``+ - * /``."""

    op: str
    left: Expr
    right: Expr


@attrs.frozen
class Negate(_Node):
    operand: Expr


@attrs.frozen
class Compare(_Node):
    op: str
    left: Expr
    right: Expr


@attrs.frozen
class Not(_Node):
    operand: Expr


@attrs.frozen
class And(_Node):
    left: Expr
    right: Expr


@attrs.frozen
class Or(_Node):
    left: Expr
    right: Expr


@attrs.frozen
class If(_Node):
    condition: Expr
    then: Expr
    otherwise: Expr


@attrs.frozen
class Otherwise(_Node):
    """``value otherwise fallback``: the fallback stands in when the value is not scored."""

    value: Expr
    fallback: Expr


@attrs.frozen
class Because(_Node):
    """A value with the reason a reader should see next to it."""

    value: Expr
    reason: str


@attrs.frozen
class IsScored(_Node):
    operand: Expr
    negated: bool


@attrs.frozen
class MemberOf(_Node):
    element: Expr
    domain: Domain


@attrs.frozen
class At(_Node):
    """``value at organization``: the value as it is for another organization."""

    value: Expr
    organization: Expr


@attrs.frozen
class Input(_Node):
    """An organization input (``member_months``), of the organization the expression is
    evaluated for: read from the organization table."""

    name: str


@attrs.frozen
class TheOrganization(_Node):
    """``organization``: the organization the expression is evaluated for."""


@attrs.frozen
class Invalid(_Node):
    """What could not be resolved or typed; found only in a program with errors.

    ``parts`` are the sub-expressions that could be resolved, kept so that their own
    errors are found too; ``not_callable`` a value written as if it could be called.
    """

    parts: tuple[Expr, ...] = ()
    not_callable: Expr | None = None
    type: str = attrs.field(default=ERROR, kw_only=True)


Expr = (
    Const | Unscored | Local | Parameter | Call | Builtin | Aggregate | Arithmetic | Negate
    | Compare | Not | And | Or | If | Otherwise | Because | IsScored | MemberOf | At | Input
    | TheOrganization | Invalid
)

def _aggregate_children(e: Aggregate) -> list[Expr]:
    found = [item for b in e.binders for item in domain_items(b.domain)]
    found.extend(x for x in (e.share, e.where, e.value, e.weight) if x is not None)
    return found


def _invalid_children(e: Invalid) -> list[Expr]:
    return [*([e.not_callable] if e.not_callable is not None else []), *e.parts]


#: Each expression class's sub-expressions, in evaluation order (a function per class: the
#: passes walk every expression many times).
_CHILDREN: dict[type, Callable[[Any], list[Expr]]] = {
    Call: lambda e: list(e.args), Builtin: lambda e: list(e.args),
    Arithmetic: lambda e: [e.left, e.right], Negate: lambda e: [e.operand],
    Compare: lambda e: [e.left, e.right], Not: lambda e: [e.operand],
    And: lambda e: [e.left, e.right], Or: lambda e: [e.left, e.right],
    If: lambda e: [e.condition, e.then, e.otherwise], Otherwise: lambda e: [e.value, e.fallback],
    Because: lambda e: [e.value], IsScored: lambda e: [e.operand],
    At: lambda e: [e.value, e.organization],
    MemberOf: lambda e: [e.element, *domain_items(e.domain)],
    Aggregate: _aggregate_children, Invalid: _invalid_children,
}


def children(e: Expr) -> list[Expr]:
    """The sub-expressions of ``e``, those of its domains and filters included."""
    found = _CHILDREN.get(type(e))
    return found(e) if found is not None else []


def domain_items(d: Domain) -> tuple[Expr, ...]:
    return d.items if isinstance(d, Listed) else ()


def walk(e: Expr) -> list[Expr]:
    """``e`` and every expression below it, parents before children."""
    found: list[Expr] = []
    stack = [e]
    # ``children`` inlined: every pass walks every expression, some of them several times.
    kinds = _CHILDREN.get
    while stack:
        current = stack.pop()
        found.append(current)
        below = kinds(type(current))
        if below is not None:
            stack.extend(reversed(below(current)))
    return found


# ---- declarations -----------------------------------------------------------------------


@attrs.frozen
class Param:
    name: str
    type: str
    span: Span | None = _meta()


@attrs.frozen
class Exception_:
    """``except VALUE when CONDITION``: a more specific rule that overrides the general one."""

    value: Expr
    condition: Expr
    citation: str | None
    span: Span | None = _meta()
    site: int = _meta(0)


@attrs.frozen
class Tier:
    """One tier of a schedule: its range as magnitudes (percent and points as fractions;
    an open end is infinite) and the value it pays."""

    low: Decimal
    low_closed: bool
    high: Decimal
    high_closed: bool
    value: Expr
    text: str
    span: Span | None = _meta()
    site: int = _meta(0)

    def contains(self, x: Any) -> bool:
        """Whether the tier's range holds ``x`` (a magnitude)."""
        return bool((x >= self.low if self.low_closed else x > self.low)
                    and (x <= self.high if self.high_closed else x < self.high))


@attrs.frozen
class Range:
    """A schedule's domain, as magnitudes."""

    low: Decimal
    low_closed: bool
    high: Decimal
    high_closed: bool
    span: Span | None = _meta()


@attrs.frozen
class Rule:
    """A definition, output or schedule. ``body`` is None for a schedule, which pays by
    ``tiers``; ``rounding`` is an output's."""

    key: str
    name: str
    kind: str
    params: tuple[Param, ...]
    type: str
    body: Expr | None
    exceptions: tuple[Exception_, ...] = ()
    rounding: s.Rounding | None = None
    tiers: tuple[Tier, ...] = ()
    domain: Range | None = None
    citation: str | None = None
    module: str = ""
    span: Span | None = _meta()
    declaration: Any = _meta()

    @property
    def site(self) -> int:
        """The site that stands for the rule itself, in coverage: its body's."""
        return self.body.site if self.body is not None else self.tiers[0].site


@attrs.frozen
class Amendment:
    value: Expr
    effective: datetime.date
    citation: str | None
    span: Span | None = _meta()


@attrs.frozen
class ParameterRule:
    """A contract parameter: a constant fixed when the contract is signed, perhaps amended."""

    key: str
    name: str
    type: str
    value: Expr
    amendments: tuple[Amendment, ...]
    citation: str | None
    module: str = ""
    span: Span | None = _meta()
    type_span: Span | None = _meta()
    declaration: Any = _meta()


@attrs.frozen
class Always:
    claim: Expr
    condition: Expr | None


@attrs.frozen
class Never:
    """``VALUE never CHANGE when INPUT MOTION`` (see ``eqlang.syntax.ast.Never``)."""

    value: Expr
    change: str
    moved: Expr
    motion: str


@attrs.frozen
class Invariant:
    title: str
    claim: Always | Never
    binders: tuple[Binder, ...]
    span: Span | None = _meta()
    declaration: Any = _meta()


@attrs.frozen
class MeasureInfo:
    code: str
    title: str | None
    higher_is_better: bool | None
    weight: Decimal | None
    min_denominator: Decimal | None
    doc: tuple[str, ...]
    span: Span


@attrs.frozen
class StratificationInfo:
    name: str
    groups: tuple[str, ...]
    #: Each group's name -> its spelling in measure tables.
    spellings: dict[str, str]
    reference: s.Reference | None
    focus: tuple[str, ...]
    span: Span


@attrs.frozen
class InputInfo:
    """An organization input: its type, and the values it may take, as magnitudes (a
    percent as a fraction; an open end infinite) for a number, the texts allowed for text
    (none: any text)."""

    name: str
    type: str
    low: Decimal
    low_closed: bool
    high: Decimal
    high_closed: bool
    choices: tuple[str, ...]
    citation: str | None
    doc: tuple[str, ...]
    span: Span
    type_span: Span | None = None

    def admits(self, magnitude: Decimal) -> bool:
        """Whether a number lies within the input's range."""
        return ((magnitude >= self.low if self.low_closed else magnitude > self.low)
                and (magnitude <= self.high if self.high_closed else magnitude < self.high))


@attrs.frozen
class AttributionTerms:
    """The contract's attribution terms (an ``eqlang.data.attribution.Attribution``) and the
    stratifications it names."""

    terms: Any
    stratifications: tuple[str, ...]
    span: Span | None = _meta()


@attrs.frozen
class Override:
    """A parameter's value given for one run (``--set``, an example's ``set``): a literal."""

    value: Value
    text: str
    span: Span | None = None


# ---- the symbol index ---------------------------------------------------------------------


@attrs.frozen
class Symbol:
    """A declared name: where it is declared, what it is, and its documentation.

    ``key`` is unique in the program: a rule's or parameter's key (``plan.pool``), a
    measure's code, ``group:NAME``, ``period:NAME``, ``stratification:NAME`` or
    ``module:ALIAS`` (per importing module), and ``RULE#NAME`` for a rule's parameter.
    """

    key: str
    name: str
    kind: str
    span: Span | None
    type: str = UNTYPED
    doc: tuple[str, ...] = ()


@attrs.frozen
class Use:
    """A name written in a contract, and the symbol it refers to."""

    span: Span
    key: str


@attrs.frozen
class Symbols:
    declarations: dict[str, Symbol] = attrs.Factory(dict)
    uses: tuple[Use, ...] = ()

    def at(self, path: str, line: int, column: int) -> Symbol | None:
        """The symbol declared or used at a position, if any."""
        for use in self.uses:
            if _covers(use.span, path, line, column):
                return self.declarations.get(use.key)
        for symbol in self.declarations.values():
            if symbol.span is not None and _covers(symbol.span, path, line, column):
                return symbol
        return None

    def references(self, key: str) -> list[Span]:
        """Every place the symbol is written: its declaration first, then its uses."""
        symbol = self.declarations.get(key)
        found = [symbol.span] if symbol is not None and symbol.span is not None else []
        found.extend(use.span for use in self.uses if use.key == key)
        return found


def _covers(span: Span, path: str, line: int, column: int) -> bool:
    if span.source.path != path or not 1 <= line <= span.source.line_count:
        return False
    start_line, start_column = span.source.position(span.start)
    end_line, end_column = span.source.position(span.end)
    return (start_line, start_column) <= (line, column) <= (end_line, end_column)


# ---- the program ------------------------------------------------------------------------


@attrs.frozen(eq=False)
class Program:
    """A checked contract: everything a backend needs, already resolved and typed."""

    main: LoadedModule
    modules: tuple[LoadedModule, ...]
    header: s.ContractHeader | None
    periods: dict[str, str]
    provider: str | None
    measures: dict[str, MeasureInfo]
    #: The measures the contract itself declares, in its order: what `measures` ranges over.
    contract_measures: tuple[str, ...]
    stratifications: dict[str, StratificationInfo]
    #: Each group of the contract's stratifications -> its stratification.
    group_strata: dict[str, str]
    parameters: dict[str, ParameterRule]
    rules: dict[str, Rule]
    outputs: tuple[str, ...]
    settled_as_of: datetime.date | None
    invariants: tuple[Invariant, ...] = ()
    #: The contract's worked examples, checked and ready to run (eqlang.check.examples).
    examples: tuple[Any, ...] = ()
    symbols: Symbols = attrs.Factory(Symbols)
    #: Rules whose value depends on the organization being settled (they read its rows,
    #: directly or through what they call); every other rule is the same for all.
    organization_rules: frozenset[str] = frozenset()
    #: Rules that read no organization's rows at all: constants of the contract.
    constant_rules: frozenset[str] = frozenset()
    #: Aggregations over organizations that do not depend on the organization being
    #: settled (a peer median), by site, with the local variables they read: computed once
    #: per run for each value of those variables.
    peer_aggregates: dict[int, tuple[str, ...]] = attrs.Factory(dict)
    #: A bound of the evaluation steps of settling (eqlang.check.cost.Cost).
    cost: Any = None
    #: The organization inputs the contract declares, in the order declared.
    inputs: dict[str, InputInfo] = attrs.Factory(dict)
    #: Peer aggregations over ``organizations with the same INPUT``, by site: the input
    #: whose value, beside the local variables, each is computed once per run for.
    peer_inputs: dict[int, str] = attrs.Factory(dict)
    #: How members with imputed race and ethnicity count, if the contract says.
    attribution: AttributionTerms | None = None

    @property
    def effective(self) -> tuple[datetime.date, datetime.date] | None:
        """The first and last day the contract is in effect, if its header says."""
        for f in self.header.fields if self.header is not None else ():
            if f.kind == "effective":
                start, end = f.values
                assert isinstance(start, datetime.date) and isinstance(end, datetime.date)
                return start, end
        return None

    def spelling(self, group: str) -> str:
        """How measure tables spell one of the contract's groups."""
        strat = self.stratifications.get(self.group_strata.get(group, ""))
        return strat.spellings.get(group, group) if strat is not None else group
