"""Building the syntax tree: takes a rule of the grammar as the parser reduces it (what the
grammar keeps of it, and its span), gives the AST node, or the part of one, that it stands
for.

The LALR driver (``eqlang.syntax.driver``) calls these as it reduces, so a contract becomes
frozen AST nodes in one pass over its tokens, with no parse tree in between. A file that
goes to Lark's own parser (a syntax error, nesting too deep, a value the language refuses)
has its Lark tree turned into the same nodes by the same functions (``Builder.tree``).

A rule's children are what Lark would keep of it in a tree node: the values of its
nonterminals, its named tokens as ``Lexeme``s (the `!` rules keep every token) and ``None``
for an optional part left out. Rules are named as in the grammar, by alias where there is
one (``-> binary``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs

from eqlang.diagnostics import Diagnostic, EqlangError
from eqlang.syntax import ast as s
from eqlang.syntax.driver import Lexeme
from eqlang.syntax.lookalikes import KEY_RULES
from eqlang.syntax.source import SourceFile, Span, normal_text

if TYPE_CHECKING:
    from lark import Token, Tree

#: The most decimal places a value is rounded to: exact arithmetic keeps 34 significant
#: digits (``eqlang.core.values.ExactMath``), so more places could never be kept.
MAX_DECIMAL_PLACES = 34

#: What a rule's reduction takes: its children and its span.
Reducer = Callable[[list[Any], Span], Any]

_HEADER_FIELDS = ("payer", "provider_named", "provider_each", "currency", "period", "version",
                  "effective", "settled_as_of")
_MEASURE_ATTRIBUTES = ("higher_is_better", "lower_is_better", "weight", "minimum_denominator")
_LITERALS = ("money", "percent", "points", "number", "date", "text", "yes", "no")
_ATTRIBUTION_ITEMS = ("self_reported_first", "imputed_fractionally", "imputed_most_probable",
                      "probabilities_within", "probabilities_exactly")
_RANGES = ("range_below", "range_up_to", "range_above", "range_from", "range_from_to",
           "range_from_through")
_REFERENCE_KINDS = {"reference_best": "best", "reference_whole": "whole",
                    "reference_rest": "rest"}
_TABLE_WORDS = {"NAME": "name", "STRING": "quoted", "INT": "number"}
#: The expressions whose parentheses ``fmt`` may keep (see ``ast.Compare.bracketed``).
_BRACKETABLE = (s.Compare, s.MemberOf, s.IsScored, s.Not, s.And, s.Or)


class _NotScored(NamedTuple):
    """``is not scored [because REASON]``, the outcome an expectation may name."""

    reason: str | None


def unquote(token: Lexeme) -> str:
    body = token.text[1:-1]
    text = re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), body)
    # As measure tables' key cells are, so that a name matches however its accents were typed.
    return normal_text(text)


def _bracketed(expr: s.Expr) -> s.Expr:
    return attrs.evolve(expr, bracketed=True) if isinstance(expr, _BRACKETABLE) else expr


class Builder:
    """The reductions of one source file's rules, each giving its AST node with its span."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        #: Where each quoted key starts (a table spelling, a period's label, an import path,
        #: ...): ``lookalikes`` holds keys to one script a word, display text not.
        self.keys: set[int] = set()
        self.reducers: dict[str, Reducer] = self._reducers()

    def span(self, start: int, end: int) -> Span:
        return Span(self.source, start, end)

    def at(self, token: Lexeme) -> Span:
        return Span(self.source, token.start, token.end)

    def _reducers(self) -> dict[str, Reducer]:
        table: dict[str, Reducer] = {
            name.removeprefix("r_"): getattr(self, name) for name in dir(self)
            if name.startswith("r_")}
        for names, reduce in ((_HEADER_FIELDS, self.header_field),
                              (_MEASURE_ATTRIBUTES, self.measure_attribute),
                              (_LITERALS, self.literal),
                              (_ATTRIBUTION_ITEMS, self.attribution_item),
                              (_RANGES, self.range)):
            for name in names:
                table[name] = _named(reduce, name)
        for name in _REFERENCE_KINDS:
            table[name] = _named(self.reference_kind, name)
        for name in ("sim_level", "sim_draws", "sim_seed"):
            table[name] = _named(self.simulation_option, name)
        for name in ("is_scored", "is_not_scored"):
            table[name] = _named(self.is_scored, name)
        for name in KEY_RULES:
            table[name] = self._keyed(table[name])
        return table

    def _keyed(self, reduce: Reducer) -> Reducer:
        def keyed(children: list[Any], span: Span) -> Any:
            self.keys.update(child.start for child in children
                             if type(child) is Lexeme and child.kind == "STRING")
            return reduce(children, span)
        return keyed

    def date(self, token: Lexeme) -> datetime.date:
        try:
            return datetime.date.fromisoformat(token.text)
        except ValueError:
            raise EqlangError(
                Diagnostic(
                    "E0007", f"`{token.text}` is not a calendar date", self.at(token),
                    hint="write dates as YYYY-MM-DD with a real month and day",
                )
            ) from None

    # ---- Lark's trees -------------------------------------------------------------------

    def tree(self, tree: Tree) -> tuple[list[s.Declaration], list[Diagnostic]]:
        """The declarations of a Lark tree (of a file without syntax errors, nested no
        deeper than the parser allows), and the errors of those that cannot be built: a
        value the grammar admits but the language does not (2024-02-30) spoils only its own
        declaration, so such errors are reported together."""
        declarations: list[s.Declaration] = []
        problems: list[Diagnostic] = []
        for child in tree.children:
            try:
                declarations.append(self._node(child))
            except EqlangError as error:
                problems.extend(error.diagnostics)
        return declarations, problems

    def _node(self, item: Tree | Token | None) -> Any:
        from lark import Token

        if isinstance(item, Token):
            return Lexeme(item.type, str(item), item.start_pos or 0, item.end_pos or 0)
        if item is None:
            return None
        children = [self._node(child) for child in item.children]
        meta = item.meta
        start, end = (0, 0) if meta.empty else (meta.start_pos, meta.end_pos)
        return self.reducers[item.data](children, self.span(start, max(start, end)))

    # ---- declarations -------------------------------------------------------------------

    def r_start(self, children: list[Any], span: Span) -> list[s.Declaration]:
        return children

    def r_contract_header(self, children: list[Any], span: Span) -> s.ContractHeader:
        title, *fields = children
        return s.ContractHeader(unquote(title), tuple(fields), span=span)

    def header_field(self, kind: str, children: list[Lexeme], span: Span) -> s.HeaderField:
        values: list[str | datetime.date] = []
        for token in children:
            if token.kind == "STRING":
                values.append(unquote(token))
            elif token.kind == "DATE":
                values.append(self.date(token))
            else:
                values.append(token.text)
        return s.HeaderField(kind, tuple(values), span=span)

    def r_import_stdlib(self, children: list[Any], span: Span) -> s.Import:
        return s.Import(children[0].text, None, span=span)

    def r_import_file(self, children: list[Any], span: Span) -> s.Import:
        path, alias = children
        return s.Import(alias.text, unquote(path), span=span)

    def r_measure_decl(self, children: list[Any], span: Span) -> s.Measure:
        code, origin, title, *attributes = children
        return s.Measure(code.text, origin, unquote(title) if title is not None else None,
                         tuple(attributes), span=span)

    def r_measure_origin(self, children: list[Any], span: Span) -> str:
        return children[0].text

    def measure_attribute(self, kind: str, children: list[Any], span: Span
                          ) -> s.MeasureAttribute:
        return s.MeasureAttribute(kind, children[0] if children else None, span=span)

    def r_stratification(self, children: list[Any], span: Span) -> s.Stratification:
        name, origin, title, *items = children
        return s.Stratification(name.text, unquote(title) if title is not None else None,
                                tuple(items), origin=origin, span=span)

    def r_strat_origin(self, children: list[Any], span: Span) -> s.Name:
        return children[0]

    def r_groups(self, children: list[Any], span: Span) -> s.StratificationItem:
        return s.StratificationItem("groups", groups=tuple(children), span=span)

    def r_group_plain(self, children: list[Any], span: Span) -> s.GroupEntry:
        return s.GroupEntry(children[0].text, None, span=span)

    def r_group_spelled(self, children: list[Any], span: Span) -> s.GroupEntry:
        spelling, name = children
        return s.GroupEntry(name.text, unquote(spelling), span=span)

    def r_reference(self, children: list[Any], span: Span) -> s.StratificationItem:
        return s.StratificationItem("reference", reference=children[0], span=span)

    def r_reference_group(self, children: list[Any], span: Span) -> s.Reference:
        group = children[0].text
        if group == "ALL":
            # The whole population as a reference is spelled out in words, and `ALL` can
            # never be a group's name, so the checker's hint (list it among the groups)
            # would lead nowhere; say what to write instead.
            raise EqlangError(Diagnostic(
                "E0106", "`ALL` is the whole population, not a group, so it cannot be named "
                "as the reference group", span,
                hint="write `reference whole population` to compare each group with the "
                "whole population (or `reference rest of population` for everyone outside "
                "the group)"))
        return s.Reference("group", group, span=span)

    def reference_kind(self, kind: str, children: list[Any], span: Span) -> s.Reference:
        return s.Reference(_REFERENCE_KINDS[kind], None, span=span)

    def r_ordered(self, children: list[Any], span: Span) -> s.StratificationItem:
        return s.StratificationItem("ordered", order=f"{children[0]} advantaged first",
                                    span=span)

    def r_order_end(self, children: list[Any], span: Span) -> str:
        return children[0].text

    def r_focus(self, children: list[Any], span: Span) -> s.StratificationItem:
        focus = tuple(s.FocusEntry(token.text, span=self.at(token)) for token in children)
        return s.StratificationItem("focus", focus=focus, span=span)

    def r_citation(self, children: list[Any], span: Span) -> str:
        return unquote(children[0])

    def r_parameter(self, children: list[Any], span: Span) -> s.Parameter:
        name, type_token, value, citation, *amendments = children
        return s.Parameter(name.text, type_token.text, value, citation, tuple(amendments),
                           type_span=self.at(type_token), span=span)

    def r_amendment(self, children: list[Any], span: Span) -> s.Amendment:
        value, effective, citation = children
        return s.Amendment(value, self.date(effective), citation, span=span)

    def r_params(self, children: list[Any], span: Span) -> tuple[s.Param, ...]:
        return tuple(param for param in children if param is not None)

    def r_param(self, children: list[Any], span: Span) -> s.Param:
        name, type_token = children
        return s.Param(name.text, type_token.text, span=span)

    def r_return_type(self, children: list[Any], span: Span) -> str:
        return children[0].text

    def r_exception(self, children: list[Any], span: Span) -> s.Exception_:
        value, condition, citation = children
        return s.Exception_(value, condition, citation, span=span)

    def r_definition(self, children: list[Any], span: Span) -> s.Definition:
        name, params, return_type, body, citation, *exceptions = children
        return s.Definition(name.text, params, return_type, body, citation, tuple(exceptions),
                            span=span)

    def r_output(self, children: list[Any], span: Span) -> s.Output:
        name, params, return_type, body, rounding, citation, *exceptions = children
        return s.Output(name.text, params, return_type, body, rounding, citation,
                        tuple(exceptions), span=span)

    def r_not_rounded(self, children: list[Any], span: Span) -> s.Rounding:
        return s.Rounding(None, None, None, span=span)

    def r_to_cents(self, children: list[Any], span: Span) -> str:
        return "cents"

    def r_to_dollars(self, children: list[Any], span: Span) -> str:
        return "dollars"

    def r_to_decimals(self, children: list[Any], span: Span) -> Lexeme:
        return children[0]

    def r_rounded(self, children: list[Any], span: Span) -> s.Rounding:
        target, mode = children
        mode_text = " ".join(mode.text.split())
        if target == "cents":
            return s.Rounding("cents", 2, mode_text, span=span)
        if target == "dollars":
            return s.Rounding("dollars", 0, mode_text, span=span)
        written = target.text.lstrip("0") or "0"
        if len(written) > 2 or int(written) > MAX_DECIMAL_PLACES:
            shown = written if len(written) <= 20 else f"{written[:17]}... ({len(written):,} " \
                "digits)"
            raise EqlangError(Diagnostic(
                "E0010", f"cannot round to {shown} decimals: exact arithmetic keeps "
                f"{MAX_DECIMAL_PLACES} significant digits, so no more than "
                f"{MAX_DECIMAL_PLACES} decimal places can be kept", self.at(target),
                hint=f"round to cents, dollars or at most {MAX_DECIMAL_PLACES} decimals, or "
                "write `not rounded`"))
        return s.Rounding("decimals", int(written), mode_text, span=span)

    def r_schedule(self, children: list[Any], span: Span) -> s.Schedule:
        name, param, return_type, domain, *tiers = children
        return s.Schedule(name.text, param, return_type, domain, tuple(tiers), span=span)

    def r_schedule_domain(self, children: list[Any], span: Span) -> s.Range:
        return children[0]

    def r_tier(self, children: list[Any], span: Span) -> s.Tier:
        range_, value = children
        return s.Tier(range_, value, span=span)

    def r_input_decl(self, children: list[Any], span: Span) -> s.Input:
        name, type_token, values, citation = children
        range_ = values if isinstance(values, s.Range) else None
        choices = values if isinstance(values, tuple) else ()
        return s.Input(name.text, type_token.text, range_, choices, citation,
                       type_span=self.at(type_token), span=span)

    def r_input_range(self, children: list[Any], span: Span) -> s.Range:
        return children[0]

    def r_input_choices(self, children: list[Any], span: Span) -> tuple[s.Literal, ...]:
        return tuple(s.Literal("text", unquote(token), span=self.at(token))
                     for token in children)

    def r_attribution(self, children: list[Any], span: Span) -> s.Attribution:
        names = tuple(s.Name((child.text,), span=self.at(child)) for child in children
                      if type(child) is Lexeme)
        items = tuple(child for child in children if type(child) is not Lexeme)
        return s.Attribution(names, items, span=span)

    def attribution_item(self, kind: str, children: list[Any], span: Span
                         ) -> s.AttributionItem:
        children = [child for child in children if child is not None]
        if kind == "imputed_most_probable":
            threshold, otherwise = children
            return s.AttributionItem(kind, threshold=threshold, otherwise=otherwise.text,
                                     span=span)
        if kind in ("probabilities_within", "probabilities_exactly"):
            total = s.Literal("number", Decimal(children[0].text), span=self.at(children[0]))
            tolerance = children[1] if len(children) > 1 else None
            return s.AttributionItem(kind, total=total, tolerance=tolerance, span=span)
        return s.AttributionItem(kind, span=span)

    def r_invariant(self, children: list[Any], span: Span) -> s.Invariant:
        title, claim, binders = children
        return s.Invariant(unquote(title), claim, binders or (), span=span)

    def r_invariant_scope(self, children: list[Any], span: Span) -> tuple[s.Binder, ...]:
        return tuple(children)

    def r_always_claim(self, children: list[Any], span: Span) -> s.Always:
        claim, condition = children
        return s.Always(claim, condition, span=span)

    def r_never_claim(self, children: list[Any], span: Span) -> s.Never:
        value, change, moved, motion = children
        return s.Never(value, change, moved, motion, span=span)

    def r_value_change(self, children: list[Any], span: Span) -> str:
        return children[0].text

    def r_input_change(self, children: list[Any], span: Span) -> str:
        return children[0].text

    def range(self, kind: str, bounds: list[s.Literal], span: Span) -> s.Range:
        kind = kind.removeprefix("range_")
        if kind in ("below", "up_to"):
            low, high = None, bounds[0]
        elif kind in ("above", "from"):
            low, high = bounds[0], None
        else:
            low, high = bounds
        return s.Range(kind, low, high, span=span)

    def r_neg(self, children: list[Any], span: Span) -> s.Literal:
        inner = children[0]
        if isinstance(inner.value, Decimal):
            return s.Literal(inner.kind, inner.value.copy_negate(), span=span)
        raise EqlangError(
            Diagnostic("E0201", f"cannot negate {inner.kind}", span,
                       hint="only numbers, amounts, percents and points can be negative"))

    # ---- worked examples ----------------------------------------------------------------

    def r_example(self, children: list[Any], span: Span) -> s.Example:
        title, *items = children
        return s.Example(unquote(title), tuple(items), span=span)

    def r_example_organization(self, children: list[Any], span: Span
                               ) -> s.ExampleOrganization:
        return s.ExampleOrganization(unquote(children[0]), span=span)

    def r_example_set(self, children: list[Any], span: Span) -> s.ExampleSet:
        name, value = children
        return s.ExampleSet(name.dotted, value, span=span)

    def r_example_as_of(self, children: list[Any], span: Span) -> s.ExampleAsOf:
        return s.ExampleAsOf(self.date(children[0]), span=span)

    def r_example_table(self, children: list[Any], span: Span) -> s.ExampleTable:
        return s.ExampleTable(unquote(children[0]), span=span)

    def r_example_rows(self, children: list[Any], span: Span) -> s.ExampleRows:
        organization, *rows = children
        return s.ExampleRows(unquote(organization) if organization is not None else None,
                             tuple(rows), span=span)

    def r_example_inputs(self, children: list[Any], span: Span) -> s.ExampleInputs:
        organization, *inputs = children
        return s.ExampleInputs(unquote(organization) if organization is not None else None,
                               tuple(inputs), span=span)

    def r_example_input(self, children: list[Any], span: Span) -> s.ExampleInput:
        name, value = children
        return s.ExampleInput(name.text, value, span=span)

    def r_example_expect(self, children: list[Any], span: Span) -> s.Expectation:
        target, names, outcome = children
        if isinstance(outcome, _NotScored):
            return s.Expectation(target, names or (), None, outcome.reason, span=span)
        return s.Expectation(target, names or (), outcome, span=span)

    def r_expect_args(self, children: list[Any], span: Span) -> tuple[s.Name, ...]:
        return tuple(s.Name((token.text,), span=self.at(token)) for token in children)

    def r_expect_value(self, children: list[Any], span: Span) -> s.Literal:
        return children[0]

    def r_expect_not_scored(self, children: list[Any], span: Span) -> _NotScored:
        reason = children[0]
        return _NotScored(unquote(reason) if reason is not None else None)

    def r_example_row(self, children: list[Any], span: Span) -> s.ExampleRow:
        measure, group, period, numerator, denominator = children
        return s.ExampleRow(self.table_word(measure), group, period, numerator, denominator,
                            span=span)

    def table_word(self, token: Lexeme) -> s.TableWord:
        kind = _TABLE_WORDS.get(token.kind, "all")
        text = unquote(token) if kind == "quoted" else token.text
        return s.TableWord(kind, text, span=self.at(token))

    def r_row_group(self, children: list[Any], span: Span) -> s.TableWord:
        return self.table_word(children[0])

    def r_row_period(self, children: list[Any], span: Span) -> s.TableWord:
        return self.table_word(children[0])

    def r_row_count(self, children: list[Any], span: Span) -> s.Literal:
        token = children[0]
        return s.Literal("number", Decimal(token.text), span=self.at(token))

    # ---- expressions --------------------------------------------------------------------

    def literal(self, kind: str, children: list[Any], span: Span) -> s.Literal:
        if kind in ("yes", "no"):
            return s.Literal("yesno", kind == "yes", span=span)
        token = children[0]
        text = token.text
        if kind == "money":
            return s.Literal("money", Decimal(text[1:].replace(",", "")), span=span)
        if kind in ("percent", "points", "number"):
            return s.Literal(kind, Decimal(text), span=span)
        if kind == "date":
            return s.Literal("date", self.date(token), span=span)
        return s.Literal("text", unquote(token), span=span)

    def r_parenthesized(self, children: list[Any], span: Span) -> s.Expr:
        # The grammar keeps parentheses as a node so that nesting is measured through them;
        # the AST does not need them, since its shape already says how operands group.
        return _bracketed(children[0])

    def r_name(self, children: list[Any], span: Span) -> s.Name:
        return s.Name(tuple(token.text for token in children), span=span)

    def r_call(self, children: list[Any], span: Span) -> s.Call:
        callee, *args, weighting, for_each = children
        return s.Call(callee, tuple(arg for arg in args if arg is not None), weighting,
                      for_each, span=span)

    def r_weighting(self, children: list[Any], span: Span) -> s.Expr:
        return children[0]

    def r_for_each(self, children: list[Any], span: Span) -> s.ForEach:
        *binders, where, policy = children
        return s.ForEach(tuple(binders), where, policy, span=span)

    def r_filter(self, children: list[Any], span: Span) -> s.Expr:
        return children[0]

    def r_policy(self, children: list[Any], span: Span) -> str:
        return children[0].text

    def r_binder(self, children: list[Any], span: Span) -> s.Binder:
        name, domain = children
        return s.Binder(name.text, domain, span=span)

    def r_all_measures(self, children: list[Any], span: Span) -> s.AllMeasures:
        return s.AllMeasures(span=span)

    def r_all_organizations(self, children: list[Any], span: Span) -> s.AllOrganizations:
        same = children[0] if children else None
        return s.AllOrganizations(
            s.Name((same.text,), span=self.at(same)) if same is not None else None, span=span)

    def r_focus_groups(self, children: list[Any], span: Span) -> s.FocusGroups:
        return s.FocusGroups(_of(children), span=span)

    def r_strat_groups(self, children: list[Any], span: Span) -> s.StratificationGroups:
        return s.StratificationGroups(_of(children), span=span)

    def r_listed(self, children: list[Any], span: Span) -> s.Listed:
        return s.Listed(tuple(children), span=span)

    def r_if_expr(self, children: list[Any], span: Span) -> s.If:
        condition, then, otherwise = children
        return s.If(condition, then, otherwise, span=span)

    def r_because(self, children: list[Any], span: Span) -> s.Because:
        value, reason = children
        return s.Because(value, unquote(reason), span=span)

    def r_otherwise(self, children: list[Any], span: Span) -> s.Otherwise:
        value, fallback = children
        return s.Otherwise(value, fallback, span=span)

    def r_or_(self, children: list[Any], span: Span) -> s.Or:
        left, right = children
        return s.Or(left, right, span=span)

    def r_and_(self, children: list[Any], span: Span) -> s.And:
        left, right = children
        return s.And(left, right, span=span)

    def r_not_(self, children: list[Any], span: Span) -> s.Not:
        return s.Not(children[0], span=span)

    def r_compare(self, children: list[Any], span: Span) -> s.Compare:
        left, op, right = children
        return s.Compare(op, left, right, span=span)

    def r_compare_op(self, children: list[Any], span: Span) -> str:
        return children[0].text

    def r_member_of(self, children: list[Any], span: Span) -> s.MemberOf:
        element, domain = children
        return s.MemberOf(element, domain, span=span)

    def is_scored(self, kind: str, children: list[Any], span: Span) -> s.IsScored:
        return s.IsScored(children[0], kind == "is_not_scored", span=span)

    def r_binary(self, children: list[Any], span: Span) -> s.Binary:
        left, op, right = children
        return s.Binary(op.text, left, right, span=span)

    def r_negate(self, children: list[Any], span: Span) -> s.Negate:
        return s.Negate(children[0], span=span)

    def r_at_org(self, children: list[Any], span: Span) -> s.AtOrganization:
        value, organization = children
        return s.AtOrganization(value, organization, span=span)

    def r_not_scored(self, children: list[Any], span: Span) -> s.NotScoredLiteral:
        return s.NotScoredLiteral(unquote(children[0]), span=span)

    def r_this_organization(self, children: list[Any], span: Span) -> s.ThisOrganization:
        return s.ThisOrganization(span=span)

    def r_whole_population(self, children: list[Any], span: Span) -> s.WholePopulation:
        return s.WholePopulation(span=span)

    def r_simulated(self, children: list[Any], span: Span) -> s.Simulated:
        bound, value, *options = children
        return s.Simulated(bound, value, tuple(options), span=span)

    def r_simulated_bound(self, children: list[Any], span: Span) -> str:
        return " ".join(token.text for token in children)

    def simulation_option(self, kind: str, children: list[Any], span: Span
                          ) -> s.SimulationOption:
        return s.SimulationOption(kind.removeprefix("sim_"), children[0], span=span)

    def r_round_mode(self, children: list[Any], span: Span) -> s.RoundingMode:
        return s.RoundingMode(" ".join(children[0].text.split()), span=span)


def _named(reduce: Callable[[str, list[Any], Span], Any], name: str) -> Reducer:
    """A reduction shared by several rules, told which rule it reduces."""
    return lambda children, span: reduce(name, children, span)


def _of(children: list[Any]) -> str | None:
    """The stratification an optional ``of NAME`` names."""
    return children[0].text if children and children[0] is not None else None
