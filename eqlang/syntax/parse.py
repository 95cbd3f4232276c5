"""Parsing: takes a ``SourceFile``, gives a ``syntax.Module`` or syntax diagnostics.

The grammar lives in ``grammar/eqlang.lark``. ``eqlang.syntax.driver`` runs its LALR
tables (as Lark works them out) in time linear in the input and builds the AST as it
reduces, by the reductions of ``eqlang.syntax.build``. A file it leaves to Lark (a syntax
error, nesting too deep, a value the language refuses) is parsed by Lark into a tree, which
is measured and built into the AST by the same reductions, so its diagnostics are Lark's
and this module's as they always were. Comments are found by a separate scan and attached
to the declaration they precede, so ``fmt`` can keep them. Trees nested deeper than
``MAX_NESTING`` are refused before anything recursive walks them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eqlang.diagnostics import Diagnostic, EqlangError
from eqlang.syntax import ast as s
from eqlang.syntax import driver
from eqlang.syntax.build import MAX_DECIMAL_PLACES as MAX_DECIMAL_PLACES
from eqlang.syntax.build import Builder
from eqlang.syntax.comments import attach_comments
from eqlang.syntax.lookalikes import lookalike_text, tree_words
from eqlang.syntax.source import SourceFile

if TYPE_CHECKING:
    from lark import Tree

#: Deeper expressions are refused: no contract needs them, and every later stage recurses.
MAX_NESTING = 150
#: How many syntax errors one file reports before giving up.
MAX_SYNTAX_ERRORS = 20


def parse_tree(source: SourceFile) -> Tree:
    """Parse to a Lark tree, reporting every syntax error that recovery can reach."""
    # Imported here: only a file that the driver leaves to Lark needs Lark.
    from lark.exceptions import UnexpectedInput

    from eqlang.syntax.parser_tables import grammar_parser
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
    from lark import Tree

    if node.data == "parenthesized":
        inner = node.children[0]
        return 1 if isinstance(inner, Tree) and inner.data == "parenthesized" else 0
    return 1


#: Operators that a long expression repeats, each occurrence one level deeper in the tree.
_CHAINS = frozenset({"binary", "and_", "or_", "otherwise"})


def _check_nesting(source: SourceFile, tree: Tree) -> None:
    from lark import Tree

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


def parse(source: SourceFile) -> s.Module:
    """Parse one source file into a module, or raise ``EqlangError`` with syntax errors."""
    if not source.text.strip():
        raise EqlangError(
            Diagnostic(
                "E0006", "file is empty", None, path=source.path, line=1, column=1,
                hint="check the path; a contract starts with `contract \"Title\" ... end`",
            )
        )
    builder = Builder(source)
    runner = driver.driver()
    built = None if runner is None else runner.build(
        source.text, builder.reducers, builder.span, MAX_NESTING, "parenthesized")
    if built is not None:
        declarations, lexemes = built
        problems = lookalike_text(source, lexemes, builder.keys)
    else:
        # A syntax error, nesting too deep or a value the language refuses: Lark's tree,
        # measured and built as it always was, gives the diagnostics.
        tree = parse_tree(source)
        _check_nesting(source, tree)
        lexemes, keys = tree_words(tree)
        problems = lookalike_text(source, lexemes, keys)
        declarations, refused = Builder(source).tree(tree)
        problems.extend(refused)
    if problems:
        raise EqlangError(problems)
    return attach_comments(source, declarations)
