"""Parsing: takes a ``SourceFile``, gives a ``syntax.Module`` or syntax diagnostics.

The grammar lives in ``grammar/eqlang.lark`` and is parsed with Lark's LALR parser, which
runs in time linear in the input. Comments are found by a separate scan and attached to the
declaration they precede, so ``fmt`` can keep them. Trees nested deeper than
``MAX_NESTING`` are refused before anything recursive walks them.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import attrs
from lark import Token, Tree
from lark.exceptions import UnexpectedInput

from eqlang.diagnostics import Diagnostic, EqlangError
from eqlang.syntax import ast as s
from eqlang.syntax import lalr
from eqlang.syntax.lookalikes import lookalike_text
from eqlang.syntax.parser_tables import grammar_parser
from eqlang.syntax.source import SourceFile, Span, normal_text

#: Deeper expressions are refused: no contract needs them, and every later stage recurses.
MAX_NESTING = 150
#: How many syntax errors one file reports before giving up.
MAX_SYNTAX_ERRORS = 20
#: The most decimal places a value is rounded to: exact arithmetic keeps 34 significant
#: digits (``eqlang.core.values.ExactMath``), so more places could never be kept.
MAX_DECIMAL_PLACES = 34

def parse_tree(source: SourceFile) -> Tree:
    """Parse to a Lark tree, reporting every syntax error that recovery can reach."""
    tree = lalr.parse_tree(source.text)
    if tree is not None:
        return tree
    # Imported here, with Lark's parser that keeps positions: only a file with a syntax
    # error needs them.
    from eqlang.syntax.syntax_errors import blank_before, resume_offset, syntax_diagnostic

    parser = grammar_parser()
    try:
        return parser.parse(source.text)
    except UnexpectedInput as first:
        error: UnexpectedInput | None = first
    diagnostics: list[Diagnostic] = []
    resume = 0
    while error is not None and len(diagnostics) < MAX_SYNTAX_ERRORS:
        diagnostic, stopped = syntax_diagnostic(source, error)
        diagnostics.append(diagnostic)
        resume = resume_offset(source.text, stopped, resume)
        if resume is None:
            break
        try:
            parser.parse(blank_before(source.text, resume))
            error = None
        except UnexpectedInput as again:
            error = again
    raise EqlangError(diagnostics)


def _level(node: Tree) -> int:
    """How much ``node`` adds to the nesting depth.

    Parentheses around an operation share its level, so ``(1 + (1 + 1))`` is as deep as
    its tree; parentheses around parentheses add one each, so redundant ones are measured
    too and a file of ten thousand of them is refused.
    """
    if node.data == "parenthesized":
        inner = node.children[0]
        return 1 if isinstance(inner, Tree) and inner.data == "parenthesized" else 0
    return 1


#: Operators that a long expression repeats, each occurrence one level deeper in the tree.
_CHAINS = frozenset({"binary", "and_", "or_", "otherwise"})


def _check_nesting(source: SourceFile, tree: Tree) -> None:
    stack: list[tuple[Tree, int, Tree | None]] = [(tree, 0, None)]
    while stack:
        node, depth, parent = stack.pop()
        if depth > MAX_NESTING:
            # The level too deep may be a lone operand or literal; the construct around it
            # (an `if`, a call, or in a chain such as `1 + 1 + ... + 1` the operation from
            # the chain's start) is what a reader recognises and splits up.
            chained = parent is not None and parent.data in _CHAINS and any(
                isinstance(child, Tree) and child.data == parent.data
                for child in parent.children)
            meta = parent.meta if parent is not None and not parent.meta.empty else node.meta
            span = source.span(meta.start_pos, meta.end_pos) if not meta.empty else None
            raise EqlangError(
                Diagnostic(
                    "E0005",
                    f"expression nested more than {MAX_NESTING} levels deep"
                    + (": each operator of a chain such as `a + b + c` is a level"
                       if chained else ""),
                    span,
                    hint="split the expression into named definitions with `define`"
                    + (", or aggregate: `sum(x for each m in measures)`" if chained else ""),
                )
            )
        # Children in source order, so the first level too deep found is the leftmost: the
        # `if` that starts it, not a literal of some `else` far to its right.
        # (Only parentheses can add other than one level: asked of them alone, since this
        # looks at every node of the file.)
        stack.extend(reversed([
            (child, depth + (1 if child.data != "parenthesized" else _level(child)), node)
            for child in node.children if isinstance(child, Tree)]))


def find_comments(text: str) -> list[tuple[int, str]]:
    """Offsets and texts of ``#`` comments, skipping ``#`` inside quoted text."""
    comments: list[tuple[int, str]] = []
    offset = 0
    for line in text.split("\n"):
        if "#" not in line:
            offset += len(line) + 1
            continue
        in_string = False
        escaped = False
        for i, ch in enumerate(line):
            if in_string:
                if escaped:
                    escaped = False
                elif ch == "\\":
                    escaped = True
                elif ch == '"':
                    in_string = False
            elif ch == '"':
                in_string = True
            elif ch == "#":
                comments.append((offset + i, line[i:].rstrip("\r").rstrip()))
                break
        offset += len(line) + 1
    return comments


def parse(source: SourceFile) -> s.Module:
    """Parse one source file into a module, or raise ``EqlangError`` with syntax errors."""
    if not source.text.strip():
        raise EqlangError(
            Diagnostic(
                "E0006", "file is empty", None, path=source.path, line=1, column=1,
                hint="check the path; a contract starts with `contract \"Title\" ... end`",
            )
        )
    tree = parse_tree(source)
    _check_nesting(source, tree)
    builder = _Builder(source)
    declarations: list[s.Declaration] = []
    problems = lookalike_text(source, tree)
    for child in tree.children:
        # A value the grammar admits but the language does not (2024-02-30) spoils only
        # its own declaration, so such errors are reported together.
        try:
            declarations.append(builder.declaration(child))
        except EqlangError as error:
            problems.extend(error.diagnostics)
    if problems:
        raise EqlangError(problems)
    return _attach_comments(source, declarations)


def _attach_comments(source: SourceFile, declarations: list[s.Declaration]) -> s.Module:
    comments = find_comments(source.text)
    attached: list[s.Declaration] = []
    index = 0
    # The last line taken by a declaration or comment so far: a line more between it and
    # the next one is a blank line.
    previous_line = 0
    for position, declaration in enumerate(declarations):
        following = declarations[position + 1] if position + 1 < len(declarations) else None
        own: list[str] = []
        layout: list[str] = []
        # A comment belongs to the declaration it precedes, or to one it sits inside or on
        # the last line of; fmt writes all of them above the declaration, in the order
        # written, those from inside it or its last line right above it.
        start_line = source.position(declaration.span.start)[0]
        last_line = source.position(declaration.span.end)[0]
        above = True
        while index < len(comments):
            offset, text = comments[index]
            line = source.position(offset)[0]
            inside = offset < declaration.span.end
            same_line = line == last_line
            before_next = following is None or offset < following.span.start
            if not (inside or (same_line and before_next)):
                break
            if above and offset >= declaration.span.start:
                above = False
                _mark_blank(layout, start_line, previous_line)
            if above:
                _mark_blank(layout, line, previous_line)
                previous_line = line
            own.append(text)
            layout.append(s.DOC_LINE if text.startswith("##") else s.COMMENT_LINE)
            index += 1
        if above:
            _mark_blank(layout, start_line, previous_line)
        previous_line = last_line
        doc = tuple(c[2:].strip() for c in own if c.startswith("##"))
        plain = tuple(c for c in own if not c.startswith("##"))
        leading = s.Leading(doc, plain, layout=tuple(layout))
        attached.append(attrs.evolve(declaration, leading=leading))
    dangling = [(offset, text) for offset, text in comments[index:] if text.startswith("##")]
    if dangling:
        # A doc comment is shown by explain, the trace and generated docs with the
        # declaration after it; with none after it, its words would silently go nowhere.
        offset, text = dangling[0]
        raise EqlangError(Diagnostic(
            "E0008", "this doc comment documents nothing: no declaration follows it",
            source.span(offset, offset + len(text)),
            hint="write it right above the declaration it describes, or start it with a "
            "single `#` to keep it as a plain comment"))
    trailing = tuple(text for _, text in comments[index:])
    span = source.span(0, len(source.text))
    return s.Module(tuple(attached), trailing, span=span)


def _mark_blank(layout: list[str], line: int, previous_line: int) -> None:
    """Note a blank line before ``line`` if one stands after ``previous_line``."""
    if previous_line and line > previous_line + 1:
        layout.append(s.BLANK_LINE)


def _unquote(token: Token) -> str:
    body = str(token)[1:-1]
    text = re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), body)
    # As measure tables' key cells are, so that a name matches however its accents were typed.
    return normal_text(text)


def _date(source: SourceFile, token: Token) -> datetime.date:
    try:
        return datetime.date.fromisoformat(str(token))
    except ValueError:
        raise EqlangError(
            Diagnostic(
                "E0007", f"`{token}` is not a calendar date",
                source.span(token.start_pos, token.end_pos),
                hint="write dates as YYYY-MM-DD with a real month and day",
            )
        ) from None


#: The expressions whose parentheses ``fmt`` may keep (see ``ast.Compare.bracketed``).
_BRACKETABLE = (s.Compare, s.MemberOf, s.IsScored, s.Not, s.And, s.Or)


def _bracketed(expr: s.Expr) -> s.Expr:
    return attrs.evolve(expr, bracketed=True) if isinstance(expr, _BRACKETABLE) else expr


def _refuse_reference_all(group: str | None, span: Span) -> None:
    """``reference ALL``: the whole population as a reference is spelled out in words, and
    ``ALL`` can never be a group's name, so the checker's hint (list it among the groups)
    would lead nowhere; say what to write instead."""
    if group == "ALL":
        raise EqlangError(Diagnostic(
            "E0106", "`ALL` is the whole population, not a group, so it cannot be named as "
            "the reference group", span,
            hint="write `reference whole population` to compare each group with the whole "
            "population (or `reference rest of population` for everyone outside the group)"))


class _Builder:
    """Turns Lark trees into AST nodes with spans."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source

    def span(self, item: Tree | Token) -> Span:
        # As ``SourceFile.span`` makes it, without the call: every node of the tree has one.
        if isinstance(item, Token):
            start, end = item.start_pos or 0, item.end_pos or 0
        else:
            meta = item.meta
            start, end = (0, 0) if meta.empty else (meta.start_pos, meta.end_pos)
        return Span(self.source, start, end if end > start else start)

    # ---- declarations -----------------------------------------------------------------

    def declaration(self, tree: Tree) -> s.Declaration:
        method = getattr(self, f"decl_{tree.data}")
        return method(tree)

    def decl_contract_header(self, tree: Tree) -> s.ContractHeader:
        title, *fields = tree.children
        return s.ContractHeader(
            _unquote(title), tuple(self.header_field(f) for f in fields), span=self.span(tree)
        )

    def header_field(self, tree: Tree) -> s.HeaderField:
        values: list[str | datetime.date] = []
        for child in tree.children:
            if child.type == "STRING":
                values.append(_unquote(child))
            elif child.type == "DATE":
                values.append(_date(self.source, child))
            else:
                values.append(str(child))
        return s.HeaderField(str(tree.data), tuple(values), span=self.span(tree))

    def decl_import_stdlib(self, tree: Tree) -> s.Import:
        return s.Import(str(tree.children[0]), None, span=self.span(tree))

    def decl_import_file(self, tree: Tree) -> s.Import:
        path, alias = tree.children
        return s.Import(str(alias), _unquote(path), span=self.span(tree))

    def decl_measure_decl(self, tree: Tree) -> s.Measure:
        code, origin, title, *attributes = tree.children
        return s.Measure(
            str(code),
            str(origin.children[0]) if origin is not None else None,
            _unquote(title) if title is not None else None,
            tuple(self.measure_attribute(a) for a in attributes),
            span=self.span(tree),
        )

    def measure_attribute(self, tree: Tree) -> s.MeasureAttribute:
        value = self.bound(tree.children[0]) if tree.children else None
        return s.MeasureAttribute(str(tree.data), value, span=self.span(tree))

    def decl_stratification(self, tree: Tree) -> s.Stratification:
        name, origin, title, *items = tree.children
        return s.Stratification(
            str(name),
            _unquote(title) if title is not None else None,
            tuple(self.strat_item(i) for i in items),
            origin=self.x_name(origin.children[0]) if origin is not None else None,
            span=self.span(tree),
        )

    def strat_item(self, tree: Tree) -> s.StratificationItem:
        span = self.span(tree)
        if tree.data == "groups":
            entries = []
            for entry in tree.children:
                if entry.data == "group_plain":
                    entries.append(s.GroupEntry(str(entry.children[0]), None,
                                                span=self.span(entry)))
                else:
                    spelling, name = entry.children
                    entries.append(s.GroupEntry(str(name), _unquote(spelling),
                                                span=self.span(entry)))
            return s.StratificationItem("groups", groups=tuple(entries), span=span)
        if tree.data == "reference":
            kind_tree = tree.children[0]
            kinds = {
                "reference_group": "group", "reference_best": "best",
                "reference_whole": "whole", "reference_rest": "rest",
            }
            group = str(kind_tree.children[0]) if kind_tree.data == "reference_group" else None
            _refuse_reference_all(group, self.span(kind_tree))
            reference = s.Reference(kinds[kind_tree.data], group, span=self.span(kind_tree))
            return s.StratificationItem("reference", reference=reference, span=span)
        focus = tuple(s.FocusEntry(str(t), span=self.span(t)) for t in tree.children)
        return s.StratificationItem("focus", focus=focus, span=span)

    def citation(self, tree: Tree | None) -> str | None:
        return _unquote(tree.children[0]) if tree is not None else None

    def decl_parameter(self, tree: Tree) -> s.Parameter:
        name, type_token, value, citation, *amendments = tree.children
        return s.Parameter(
            str(name),
            str(type_token),
            self.expr(value),
            self.citation(citation),
            tuple(
                s.Amendment(
                    self.expr(a.children[0]),
                    _date(self.source, a.children[1]),
                    self.citation(a.children[2]),
                    span=self.span(a),
                )
                for a in amendments
            ),
            type_span=self.span(type_token),
            span=self.span(tree),
        )

    def params(self, tree: Tree | None) -> tuple[s.Param, ...] | None:
        if tree is None:
            return None
        return tuple(self.param(p) for p in tree.children if p is not None)

    def param(self, tree: Tree) -> s.Param:
        name, type_token = tree.children
        return s.Param(str(name), str(type_token), span=self.span(tree))

    def exceptions(self, trees: list[Tree]) -> tuple[s.Exception_, ...]:
        return tuple(
            s.Exception_(
                self.expr(t.children[0]), self.expr(t.children[1]),
                self.citation(t.children[2]), span=self.span(t),
            )
            for t in trees
        )

    def decl_definition(self, tree: Tree) -> s.Definition:
        name, params, return_type, body, citation, *exceptions = tree.children
        return s.Definition(
            str(name),
            self.params(params),
            str(return_type.children[0]) if return_type is not None else None,
            self.expr(body),
            self.citation(citation),
            self.exceptions(exceptions),
            span=self.span(tree),
        )

    def decl_output(self, tree: Tree) -> s.Output:
        name, params, return_type, body, rounding, citation, *exceptions = tree.children
        return s.Output(
            str(name),
            self.params(params),
            str(return_type.children[0]),
            self.expr(body),
            self.rounding(rounding),
            self.citation(citation),
            self.exceptions(exceptions),
            span=self.span(tree),
        )

    def rounding(self, tree: Tree) -> s.Rounding:
        if tree.data == "not_rounded":
            return s.Rounding(None, None, None, span=self.span(tree))
        target, mode = tree.children
        mode_text = " ".join(str(mode).split())
        if target.data == "to_cents":
            return s.Rounding("cents", 2, mode_text, span=self.span(tree))
        if target.data == "to_dollars":
            return s.Rounding("dollars", 0, mode_text, span=self.span(tree))
        places = target.children[0]
        written = str(places).lstrip("0") or "0"
        if len(written) > 2 or int(written) > MAX_DECIMAL_PLACES:
            shown = written if len(written) <= 20 else f"{written[:17]}... ({len(written):,} " \
                "digits)"
            raise EqlangError(Diagnostic(
                "E0010", f"cannot round to {shown} decimals: exact arithmetic keeps "
                f"{MAX_DECIMAL_PLACES} significant digits, so no more than "
                f"{MAX_DECIMAL_PLACES} decimal places can be kept", self.span(places),
                hint=f"round to cents, dollars or at most {MAX_DECIMAL_PLACES} decimals, or "
                "write `not rounded`"))
        return s.Rounding("decimals", int(written), mode_text, span=self.span(tree))

    def decl_schedule(self, tree: Tree) -> s.Schedule:
        name, param, return_type, domain, *tiers = tree.children
        return s.Schedule(
            str(name),
            self.param(param),
            str(return_type.children[0]),
            self.range(domain.children[0]) if domain is not None else None,
            tuple(
                s.Tier(self.range(t.children[0]), self.expr(t.children[1]), span=self.span(t))
                for t in tiers
            ),
            span=self.span(tree),
        )

    def decl_input_decl(self, tree: Tree) -> s.Input:
        name, type_token, values, citation = tree.children
        range_ = choices = None
        if values is not None and values.data == "input_range":
            range_ = self.range(values.children[0])
        elif values is not None:
            choices = tuple(s.Literal("text", _unquote(t), span=self.span(t))
                            for t in values.children)
        return s.Input(str(name), str(type_token), range_, choices or (),
                       self.citation(citation), type_span=self.span(type_token),
                       span=self.span(tree))

    def decl_attribution(self, tree: Tree) -> s.Attribution:
        names = tuple(s.Name((str(t),), span=self.span(t)) for t in tree.children
                      if isinstance(t, Token))
        items = tuple(self.attribution_item(t) for t in tree.children if isinstance(t, Tree))
        return s.Attribution(names, items, span=self.span(tree))

    def attribution_item(self, tree: Tree) -> s.AttributionItem:
        kind = str(tree.data)
        span = self.span(tree)
        children = [c for c in tree.children if c is not None]
        if kind == "imputed_most_probable":
            threshold, otherwise = children
            return s.AttributionItem(kind, threshold=self.bound(threshold),
                                     otherwise=str(otherwise), span=span)
        if kind in ("probabilities_within", "probabilities_exactly"):
            total = s.Literal("number", Decimal(str(children[0])),
                              span=self.span(children[0]))
            tolerance = self.bound(children[1]) if len(children) > 1 else None
            return s.AttributionItem(kind, total=total, tolerance=tolerance, span=span)
        return s.AttributionItem(kind, span=span)

    def decl_invariant(self, tree: Tree) -> s.Invariant:
        title, claim, scope = tree.children
        binders = tuple(self.binder(b) for b in scope.children) if scope is not None else ()
        return s.Invariant(_unquote(title), self.claim(claim), binders, span=self.span(tree))

    def claim(self, tree: Tree) -> s.Claim:
        if tree.data == "always_claim":
            claim, condition = tree.children
            return s.Always(self.expr(claim),
                            self.expr(condition) if condition is not None else None,
                            span=self.span(tree))
        value, change, moved, motion = tree.children
        return s.Never(self.expr(value), str(change.children[0]), self.expr(moved),
                       str(motion.children[0]), span=self.span(tree))

    def range(self, tree: Tree) -> s.Range:
        kind = str(tree.data).removeprefix("range_")
        bounds = [self.bound(c) for c in tree.children]
        if kind in ("below", "up_to"):
            low, high = None, bounds[0]
        elif kind in ("above", "from"):
            low, high = bounds[0], None
        else:
            low, high = bounds
        return s.Range(kind, low, high, span=self.span(tree))

    def bound(self, tree: Tree) -> s.Literal:
        if tree.data == "neg":
            inner = self.literal(tree.children[0])
            value = inner.value
            if isinstance(value, Decimal):
                return s.Literal(inner.kind, value.copy_negate(), span=self.span(tree))
            raise EqlangError(
                Diagnostic("E0201", f"cannot negate {inner.kind}", self.span(tree),
                           hint="only numbers, amounts, percents and points can be negative")
            )
        return self.literal(tree)

    # ---- worked examples ----------------------------------------------------------------

    def decl_example(self, tree: Tree) -> s.Example:
        title, *items = tree.children
        return s.Example(_unquote(title), tuple(self.example_item(i) for i in items),
                         span=self.span(tree))

    def example_item(self, tree: Tree) -> s.ExampleItem:
        span = self.span(tree)
        children = tree.children
        if tree.data == "example_organization":
            return s.ExampleOrganization(_unquote(children[0]), span=span)
        if tree.data == "example_set":
            return s.ExampleSet(self.x_name(children[0]).dotted, self.bound(children[1]),
                                span=span)
        if tree.data == "example_as_of":
            return s.ExampleAsOf(_date(self.source, children[0]), span=span)
        if tree.data == "example_table":
            return s.ExampleTable(_unquote(children[0]), span=span)
        if tree.data == "example_rows":
            organization, *rows = children
            return s.ExampleRows(
                _unquote(organization) if organization is not None else None,
                tuple(self.example_row(r) for r in rows), span=span,
            )
        if tree.data == "example_inputs":
            organization, *inputs = children
            return s.ExampleInputs(
                _unquote(organization) if organization is not None else None,
                tuple(s.ExampleInput(str(i.children[0]), self.bound(i.children[1]),
                                     span=self.span(i)) for i in inputs), span=span,
            )
        name, args, outcome = children
        names = tuple(s.Name((str(a),), span=self.span(a))
                      for a in (args.children if args is not None else ()))
        target = self.x_name(name)
        if outcome.data == "expect_value":
            return s.Expectation(target, names, self.bound(outcome.children[0]), span=span)
        reason = outcome.children[0]
        return s.Expectation(target, names, None,
                             _unquote(reason) if reason is not None else None, span=span)

    def example_row(self, tree: Tree) -> s.ExampleRow:
        measure, group, period, numerator, denominator = tree.children
        return s.ExampleRow(
            self.table_word(measure), self.table_word(group.children[0]),
            self.table_word(period.children[0]), self.count(numerator), self.count(denominator),
            span=self.span(tree),
        )

    def table_word(self, token: Token) -> s.TableWord:
        kinds = {"NAME": "name", "STRING": "quoted", "INT": "number"}
        kind = kinds.get(token.type, "all")
        text = _unquote(token) if kind == "quoted" else str(token)
        return s.TableWord(kind, text, span=self.span(token))

    def count(self, tree: Tree) -> s.Literal:
        token = tree.children[0]
        return s.Literal("number", Decimal(str(token)), span=self.span(token))

    # ---- expressions ------------------------------------------------------------------

    def expr(self, item: Tree | Token) -> s.Expr:
        if isinstance(item, Token):
            raise AssertionError(f"unexpected token {item!r}")
        method = getattr(self, f"x_{item.data}", None)
        if method is None:
            return self.literal(item)
        return method(item)

    def literal(self, tree: Tree) -> s.Literal:
        kind = str(tree.data)
        span = self.span(tree)
        if kind in ("yes", "no"):
            return s.Literal("yesno", kind == "yes", span=span)
        token = tree.children[0]
        text = str(token)
        if kind == "money":
            return s.Literal("money", Decimal(text[1:].replace(",", "")), span=span)
        if kind in ("percent", "points", "number"):
            return s.Literal(kind, Decimal(text), span=span)
        if kind == "date":
            return s.Literal("date", _date(self.source, token), span=span)
        return s.Literal("text", _unquote(token), span=span)

    def x_parenthesized(self, tree: Tree) -> s.Expr:
        # The grammar keeps parentheses as a node so that nesting is measured through them;
        # the AST does not need them, since its shape already says how operands group.
        return _bracketed(self.expr(tree.children[0]))

    def x_name(self, tree: Tree) -> s.Name:
        return s.Name(tuple(map(str, tree.children)), span=self.span(tree))

    def x_call(self, tree: Tree) -> s.Call:
        callee, *rest = tree.children
        for_each = rest.pop()
        weighting = rest.pop()
        args = tuple(self.expr(a) for a in rest if a is not None)
        return s.Call(
            self.x_name(callee),
            args,
            self.expr(weighting.children[0]) if weighting is not None else None,
            self.for_each(for_each) if for_each is not None else None,
            span=self.span(tree),
        )

    def for_each(self, tree: Tree) -> s.ForEach:
        binders: list[s.Binder] = []
        where: s.Expr | None = None
        policy: str | None = None
        for child in tree.children:
            if child is None:
                continue
            if child.data == "binder":
                binders.append(self.binder(child))
            elif child.data == "filter":
                where = self.expr(child.children[0])
            else:
                policy = str(child.children[0])
        return s.ForEach(tuple(binders), where, policy, span=self.span(tree))

    def binder(self, tree: Tree) -> s.Binder:
        name, domain = tree.children
        return s.Binder(str(name), self.domain(domain), span=self.span(tree))

    def domain(self, tree: Tree) -> s.Domain:
        span = self.span(tree)
        if tree.data == "all_measures":
            return s.AllMeasures(span=span)
        if tree.data == "all_organizations":
            same = tree.children[0] if tree.children else None
            return s.AllOrganizations(
                s.Name((str(same),), span=self.span(same)) if same is not None else None,
                span=span)
        if tree.data in ("focus_groups", "strat_groups"):
            strat = str(tree.children[0]) if tree.children and tree.children[0] else None
            cls = s.FocusGroups if tree.data == "focus_groups" else s.StratificationGroups
            return cls(strat, span=span)
        return s.Listed(tuple(self.x_name(c) for c in tree.children), span=span)

    def x_if_expr(self, tree: Tree) -> s.If:
        condition, then, otherwise = (self.expr(c) for c in tree.children)
        return s.If(condition, then, otherwise, span=self.span(tree))

    def x_because(self, tree: Tree) -> s.Because:
        value, reason = tree.children
        return s.Because(self.expr(value), _unquote(reason), span=self.span(tree))

    def x_otherwise(self, tree: Tree) -> s.Otherwise:
        value, fallback = (self.expr(c) for c in tree.children)
        return s.Otherwise(value, fallback, span=self.span(tree))

    def x_or_(self, tree: Tree) -> s.Or:
        left, right = (self.expr(c) for c in tree.children)
        return s.Or(left, right, span=self.span(tree))

    def x_and_(self, tree: Tree) -> s.And:
        left, right = (self.expr(c) for c in tree.children)
        return s.And(left, right, span=self.span(tree))

    def x_not_(self, tree: Tree) -> s.Not:
        return s.Not(self.expr(tree.children[0]), span=self.span(tree))

    def x_compare(self, tree: Tree) -> s.Compare:
        left, op, right = tree.children
        return s.Compare(str(op.children[0]), self.expr(left), self.expr(right),
                         span=self.span(tree))

    def x_member_of(self, tree: Tree) -> s.MemberOf:
        element, domain = tree.children
        return s.MemberOf(self.expr(element), self.domain(domain), span=self.span(tree))

    def x_is_scored(self, tree: Tree) -> s.IsScored:
        return s.IsScored(self.expr(tree.children[0]), False, span=self.span(tree))

    def x_is_not_scored(self, tree: Tree) -> s.IsScored:
        return s.IsScored(self.expr(tree.children[0]), True, span=self.span(tree))

    def x_binary(self, tree: Tree) -> s.Binary:
        left, op, right = tree.children
        return s.Binary(str(op), self.expr(left), self.expr(right), span=self.span(tree))

    def x_negate(self, tree: Tree) -> s.Negate:
        return s.Negate(self.expr(tree.children[0]), span=self.span(tree))

    def x_at_org(self, tree: Tree) -> s.AtOrganization:
        value, org = (self.expr(c) for c in tree.children)
        return s.AtOrganization(value, org, span=self.span(tree))

    def x_not_scored(self, tree: Tree) -> s.NotScoredLiteral:
        return s.NotScoredLiteral(_unquote(tree.children[0]), span=self.span(tree))

    def x_this_organization(self, tree: Tree) -> s.ThisOrganization:
        return s.ThisOrganization(span=self.span(tree))

    def x_whole_population(self, tree: Tree) -> s.WholePopulation:
        return s.WholePopulation(span=self.span(tree))

    def x_round_mode(self, tree: Tree) -> s.RoundingMode:
        return s.RoundingMode(" ".join(str(tree.children[0]).split()), span=self.span(tree))
