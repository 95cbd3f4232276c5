"""The abstract syntax of eqlang: small frozen attrs classes, each carrying its source span.

``parse`` builds these from source text; ``check``, ``evaluate`` and ``fmt`` read them.
Spans take no part in equality, so two texts that differ only in layout give equal trees.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import attrs

from eqlang.syntax.source import Span


def _span() -> attrs.Attribute:  # type: ignore[type-arg]
    return attrs.field(default=None, eq=False, repr=False, kw_only=True)


def _bracketed() -> attrs.Attribute:  # type: ignore[type-arg]
    """Whether the writer put the expression in parentheses. Layout, like a span: ``fmt``
    keeps such parentheses around a comparison or a yes/no operation that is an operand
    (``(a < b) otherwise no``), where they tell a reader how it groups."""
    return attrs.field(default=False, eq=False, repr=False, kw_only=True)


# ---- expressions ------------------------------------------------------------------------


@attrs.frozen
class Literal:
    """A constant. ``kind`` is money, percent, points, number, date, text or yesno.

    Percent and points keep the number as written (``35%`` holds 35); the value layer
    turns them into fractions.
    """

    kind: str
    value: Decimal | datetime.date | str | bool
    span: Span = _span()


@attrs.frozen
class Name:
    """A reference to a declaration, parameter or bound variable; ``hedis.COL`` has two parts."""

    parts: tuple[str, ...]
    span: Span = _span()

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


@attrs.frozen
class AllMeasures:
    span: Span = _span()


@attrs.frozen
class AllOrganizations:
    """``organizations``, or ``organizations with the same NAME``: those whose organization
    input ``same`` has the value it has for the organization being settled."""

    same: Name | None = None
    span: Span = _span()


@attrs.frozen
class FocusGroups:
    stratification: str | None
    span: Span = _span()


@attrs.frozen
class StratificationGroups:
    stratification: str | None
    span: Span = _span()


@attrs.frozen
class Listed:
    items: tuple[Name, ...]
    span: Span = _span()


Domain = AllMeasures | AllOrganizations | FocusGroups | StratificationGroups | Listed


@attrs.frozen
class Binder:
    name: str
    domain: Domain
    span: Span = _span()


@attrs.frozen
class ForEach:
    """The ``for each`` clause that turns a call into an aggregation."""

    binders: tuple[Binder, ...]
    where: Expr | None
    not_scored: str | None
    span: Span = _span()


@attrs.frozen
class Call:
    callee: Name
    args: tuple[Expr, ...]
    weighted_by: Expr | None = None
    for_each: ForEach | None = None
    span: Span = _span()


@attrs.frozen
class Binary:
    """Arithmetic: ``+ - * /``."""

    op: str
    left: Expr
    right: Expr
    span: Span = _span()


@attrs.frozen
class Compare:
    op: str
    left: Expr
    right: Expr
    span: Span = _span()
    bracketed: bool = _bracketed()


@attrs.frozen
class Negate:
    operand: Expr
    span: Span = _span()


@attrs.frozen
class Not:
    operand: Expr
    span: Span = _span()
    bracketed: bool = _bracketed()


@attrs.frozen
class And:
    left: Expr
    right: Expr
    span: Span = _span()
    bracketed: bool = _bracketed()


@attrs.frozen
class Or:
    left: Expr
    right: Expr
    span: Span = _span()
    bracketed: bool = _bracketed()


@attrs.frozen
class If:
    condition: Expr
    then: Expr
    otherwise: Expr
    span: Span = _span()


@attrs.frozen
class Otherwise:
    """``value otherwise fallback``: the fallback stands in when the value is not scored."""

    value: Expr
    fallback: Expr
    span: Span = _span()


@attrs.frozen
class Because:
    """A value with the reason a reader should see next to it in the trace."""

    value: Expr
    reason: str
    span: Span = _span()


@attrs.frozen
class NotScoredLiteral:
    reason: str
    span: Span = _span()


@attrs.frozen
class IsScored:
    operand: Expr
    negated: bool
    span: Span = _span()
    bracketed: bool = _bracketed()


@attrs.frozen
class MemberOf:
    element: Expr
    domain: Domain
    span: Span = _span()
    bracketed: bool = _bracketed()


@attrs.frozen
class AtOrganization:
    """``expr at o``: the expression evaluated for organization ``o``."""

    value: Expr
    organization: Expr
    span: Span = _span()


@attrs.frozen
class WholePopulation:
    """``ALL``: the whole-population rows of a measure table."""

    span: Span = _span()


@attrs.frozen
class RoundingMode:
    mode: str
    span: Span = _span()


#: What a simulated interval gives, as written after ``simulated``.
SIMULATED_BOUNDS = ("lower", "upper", "standard error")


@attrs.frozen
class SimulationOption:
    """``level: 95%``, ``draws: 1000`` or ``seed: 2024`` in a simulated interval."""

    name: str
    value: Expr
    span: Span = _span()


@attrs.frozen
class Simulated:
    """``simulated lower(VALUE, level: 95%, draws: 1000, seed: 2024)``: a bound of the
    interval of VALUE found by simulation (``upper``), or its standard error (``standard
    error``, which takes no level). ``bound`` is one of ``SIMULATED_BOUNDS``; the options
    are as written (the checker says which it needs)."""

    bound: str
    value: Expr
    options: tuple[SimulationOption, ...]
    span: Span = _span()


@attrs.frozen
class ThisOrganization:
    """``organization``: the organization being settled (or the one ``at`` names)."""

    span: Span = _span()


Expr = (
    Literal | Name | Call | Binary | Compare | Negate | Not | And | Or | If | Otherwise
    | Because | NotScoredLiteral | IsScored | MemberOf | AtOrganization | WholePopulation
    | RoundingMode | Simulated | ThisOrganization
)


# ---- declarations -----------------------------------------------------------------------


#: The lines of a ``Leading.layout``: a plain comment, a doc comment line, a blank line.
COMMENT_LINE = "comment"
DOC_LINE = "doc"
BLANK_LINE = "blank"


@attrs.frozen
class Leading:
    """What stands before a declaration: its doc comment and plain comments.

    ``layout`` is how the source set them out, for ``fmt``: in the order written, one entry
    per comment line (``COMMENT_LINE`` takes the next of ``comments``, ``DOC_LINE`` the next
    of ``doc``) and a ``BLANK_LINE`` for each run of blank lines; a first ``BLANK_LINE`` sets
    the declaration apart from the one before. ``None`` (a tree not read from a file) means
    a blank line, the plain comments, then the doc comment. Like a span, it is layout and
    takes no part in equality.
    """

    doc: tuple[str, ...] = ()
    comments: tuple[str, ...] = ()
    layout: tuple[str, ...] | None = attrs.field(default=None, eq=False, kw_only=True)


@attrs.frozen
class HeaderField:
    """One line of the contract header; ``values`` are strings or dates as written."""

    kind: str
    values: tuple[str | datetime.date, ...]
    span: Span = _span()


@attrs.frozen
class ContractHeader:
    title: str
    fields: tuple[HeaderField, ...]
    leading: Leading = Leading()
    span: Span = _span()


@attrs.frozen
class Import:
    """``import hedis`` (a stdlib module) or ``import "common.eq" as common``."""

    alias: str
    path: str | None
    leading: Leading = Leading()
    span: Span = _span()


@attrs.frozen
class MeasureAttribute:
    kind: str
    value: Literal | None = None
    span: Span = _span()


@attrs.frozen
class Measure:
    code: str
    origin: str | None
    title: str | None
    attributes: tuple[MeasureAttribute, ...]
    leading: Leading = Leading()
    span: Span = _span()


@attrs.frozen
class GroupEntry:
    name: str
    spelling: str | None
    span: Span = _span()


@attrs.frozen
class Reference:
    """``kind`` is group, best, whole or rest; ``group`` names the group for kind group."""

    kind: str
    group: str | None
    span: Span = _span()


@attrs.frozen
class FocusEntry:
    name: str
    span: Span = _span()


#: How an ``ordered`` line orders a stratification's groups: as listed, from the least
#: advantaged to the most, or the other way round.
ORDERS = ("least advantaged first", "most advantaged first")


@attrs.frozen
class StratificationItem:
    """A ``groups``, ``reference``, ``focus`` or ``ordered`` line of a stratification;
    ``order`` is one of ``ORDERS`` for an ``ordered`` line."""

    kind: str
    groups: tuple[GroupEntry, ...] = ()
    reference: Reference | None = None
    focus: tuple[FocusEntry, ...] = ()
    order: str | None = None
    span: Span = _span()


@attrs.frozen
class Stratification:
    """Groups of one kind. ``origin`` names a stratification of a module to start from."""

    name: str
    title: str | None
    items: tuple[StratificationItem, ...]
    leading: Leading = Leading()
    origin: Name | None = None
    span: Span = _span()


@attrs.frozen
class Amendment:
    value: Expr
    effective: datetime.date
    citation: str | None
    span: Span = _span()


@attrs.frozen
class Parameter:
    name: str
    type: str
    value: Expr
    citation: str | None
    amendments: tuple[Amendment, ...]
    leading: Leading = Leading()
    type_span: Span = _span()
    span: Span = _span()


@attrs.frozen
class Param:
    name: str
    type: str
    span: Span = _span()


@attrs.frozen
class Exception_:
    """``except VALUE when CONDITION``: a more specific rule that overrides the general one."""

    value: Expr
    condition: Expr
    citation: str | None
    span: Span = _span()


@attrs.frozen
class Rounding:
    """``places`` is None for ``not rounded``; ``unit`` is how it was written (cents...)."""

    unit: str | None
    places: int | None
    mode: str | None
    span: Span = _span()


@attrs.frozen
class Definition:
    name: str
    params: tuple[Param, ...] | None
    return_type: str | None
    body: Expr
    citation: str | None
    exceptions: tuple[Exception_, ...]
    leading: Leading = Leading()
    span: Span = _span()


@attrs.frozen
class Output:
    name: str
    params: tuple[Param, ...] | None
    return_type: str
    body: Expr
    rounding: Rounding
    citation: str | None
    exceptions: tuple[Exception_, ...]
    leading: Leading = Leading()
    span: Span = _span()


@attrs.frozen
class Range:
    """A tier's range. ``kind``: below, up_to, above, from, from_to, from_through."""

    kind: str
    low: Literal | None
    high: Literal | None
    span: Span = _span()


@attrs.frozen
class Tier:
    range: Range
    value: Expr
    span: Span = _span()


@attrs.frozen
class Schedule:
    name: str
    param: Param
    return_type: str
    domain: Range | None
    tiers: tuple[Tier, ...]
    leading: Leading = Leading()
    span: Span = _span()


@attrs.frozen
class Always:
    """``always CLAIM [when CONDITION]``: a yes/no that holds on every valid table."""

    claim: Expr
    condition: Expr | None
    span: Span = _span()


@attrs.frozen
class Never:
    """``VALUE never CHANGE when INPUT MOTION``: a relation between two settlements.

    ``change`` is rises or falls (what the value must not do); ``motion`` is how the table
    rate ``moved`` is moved in the second settlement: rises, falls, improves or worsens
    (improves is rises for a measure where higher is better, falls where lower is).
    """

    value: Expr
    change: str
    moved: Expr
    motion: str
    span: Span = _span()


Claim = Always | Never


@attrs.frozen
class Invariant:
    """A promise of the contract that ``eqlang check --properties`` tries to break."""

    title: str
    claim: Claim
    binders: tuple[Binder, ...]
    leading: Leading = Leading()
    span: Span = _span()


# ---- organization inputs and attribution terms --------------------------------------------


@attrs.frozen
class Input:
    """``input NAME: TYPE [RANGE | one of "A", "B"] [per "..."]``: a fact of each
    organization, read from the organization table. ``range`` bounds a number; ``choices``
    are the texts a text input may take (empty: any)."""

    name: str
    type: str
    range: Range | None
    choices: tuple[Literal, ...]
    citation: str | None
    leading: Leading = Leading()
    type_span: Span = _span()
    span: Span = _span()


@attrs.frozen
class AttributionItem:
    """A line of an attribution block. ``kind``: self_reported_first,
    imputed_fractionally, imputed_most_probable (``threshold``, ``otherwise``),
    probabilities_within (``total``, ``tolerance``) or probabilities_exactly (``total``)."""

    kind: str
    threshold: Literal | None = None
    otherwise: str | None = None
    total: Literal | None = None
    tolerance: Literal | None = None
    span: Span = _span()


@attrs.frozen
class Attribution:
    """``attribution of race ... end``: how members with imputed race and ethnicity count in
    the tables made from member files."""

    stratifications: tuple[Name, ...]
    items: tuple[AttributionItem, ...]
    leading: Leading = Leading()
    span: Span = _span()


# ---- worked examples --------------------------------------------------------------------


@attrs.frozen
class TableWord:
    """A measure, group or period as a row of a worked example writes it.

    ``kind`` is name (``White``, ``baseline``), quoted (``"Black or African American"``, the
    table's spelling), number (a period label such as ``2022``, kept as written) or all.
    """

    kind: str
    text: str
    span: Span = _span()


@attrs.frozen
class ExampleRow:
    """``COL White 2022: 560 of 800``: one row of a worked example's measure table."""

    measure: TableWord
    group: TableWord
    period: TableWord
    numerator: Literal
    denominator: Literal
    span: Span = _span()


@attrs.frozen
class ExampleRows:
    """A block of rows; ``organization`` is None for the example's own organization."""

    organization: str | None
    rows: tuple[ExampleRow, ...]
    span: Span = _span()


@attrs.frozen
class ExampleInput:
    """``member_months 12000``: one organization input of a worked example."""

    name: str
    value: Literal
    span: Span = _span()


@attrs.frozen
class ExampleInputs:
    """``inputs [for "NAME"] ...``: organization inputs; ``organization`` is None for the
    example's own organization."""

    organization: str | None
    inputs: tuple[ExampleInput, ...]
    span: Span = _span()


@attrs.frozen
class ExampleOrganization:
    name: str
    span: Span = _span()


@attrs.frozen
class ExampleSet:
    """``set pool = $500,000.00``: a parameter's value for this example only."""

    name: str
    value: Literal
    span: Span = _span()


@attrs.frozen
class ExampleAsOf:
    date: datetime.date
    span: Span = _span()


@attrs.frozen
class ExampleTable:
    """``table "cases/small.csv"``: a measure table file beside the contract."""

    path: str
    span: Span = _span()


@attrs.frozen
class Expectation:
    """``expect NAME(ARGS) = VALUE`` or ``expect NAME(ARGS) is not scored [because "..."]``.

    ``value`` is None for a not-scored expectation; ``reason`` is then the text the actual
    reason must contain, if one is given.
    """

    name: Name
    args: tuple[Name, ...]
    value: Literal | None
    reason: str | None = None
    span: Span = _span()


ExampleItem = (
    ExampleOrganization | ExampleSet | ExampleAsOf | ExampleTable | ExampleRows | ExampleInputs
    | Expectation
)


@attrs.frozen
class Example:
    """A worked example: a small measure table and the values the contract must give for it."""

    title: str
    items: tuple[ExampleItem, ...]
    leading: Leading = Leading()
    span: Span = _span()


Declaration = (
    ContractHeader | Import | Measure | Stratification | Parameter | Definition | Output
    | Schedule | Invariant | Example | Input | Attribution
)


@attrs.frozen
class Module:
    """One parsed file: its declarations in order and the comments after the last one."""

    declarations: tuple[Declaration, ...]
    trailing: tuple[str, ...] = ()
    span: Span = _span()
