"""The LALR driver: takes a text, gives the Lark tree of the grammar, or ``None`` at an error.

A file that parses is read by ``eqlang.syntax.driver``, which builds the AST without a
tree; this driver serves the files that one leaves to Lark (nested too deep, a value the
language refuses), whose tree ``parse`` measures and builds from as before.

Lark's own parser with ``propagate_positions`` works out each node's position as it
reduces, by looking through the children for the first and the last with a position, on
every reduction, including the many that only pass a child on (``?sum: product`` and the
like); on a long contract that was more than half of the parse. This driver runs Lark's
tables (the same states, the same lexer, the same tree-building callbacks, without
positions) and keeps, for each value on the stack, the index of the first token it took:
a reduction then covers the tokens from its first value's index to the last token shifted,
which gives the node's position without a look at its children. A rule that only passes
its one child on is not called at all, and where a run of them ends is worked out once
per state below it, state on top and lookahead. Tokens are made as Lark's ``Token`` makes
them, without its constructor's calls.

The tree is the one Lark builds, positions included: same nodes, same tokens, same
``meta`` start and end (line, column and offset). Where the two could differ (a rule that
returns a bare token and drops others, which this grammar has none of), and at any syntax
error, it gives ``None``, and the caller parses with Lark's own parser, whose errors
``syntax_errors`` turns into diagnostics: those stay exactly as they were.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import LarkError
from lark.parsers.lalr_analysis import Shift

from eqlang.syntax.parser_tables import tree_parser


class _Unlike(Exception):
    """A reduction whose position Lark works out differently from the token range."""


class _Unlexed(Exception):
    """Text that no pattern of the parser's state matches: a syntax error."""


class _Scanner:
    """What the driver's lexing reads of one of Lark's per-state lexers."""

    def __init__(self, lexer: Any) -> None:
        scanner = lexer.scanner  # built on first use, and the keyword callbacks with it
        self.patterns: list[re.Pattern[str]] = scanner._mres
        self.newline_types: frozenset[str] = lexer.newline_types
        self.ignore_types: frozenset[str] = lexer.ignore_types
        self.callback: dict[str, Any] = lexer.callback


class Driver:
    """Lark's LALR tables and callbacks, run by a loop that tracks positions by token index."""

    def __init__(self, lark: Lark) -> None:
        self.lark = lark
        conf = lark.parse_interactive("").parser_state.parse_conf
        self.states: dict[Any, dict[str, tuple[Any, Any]]] = conf.states
        self.end_state = conf.end_state
        self.usable = all(not isinstance(key, str) for key in conf.callbacks)
        # Each rule as the loop needs it: how many values it takes, its callback (None for
        # one that passes its one child on) and the nonterminal it makes. Looked up by rule
        # once per state, not at every reduction (a rule's hash is a Python method).
        self.reductions = {
            rule: (len(rule.expansion),
                   None if len(rule.expansion) == 1 and _passes_on(callback) else callback,
                   rule.origin.name)
            for rule, callback in conf.callbacks.items()}
        self.rows: dict[Any, dict[str, tuple[bool, Any]]] = {}
        #: Where a run of one-child reductions that pass their child on ends, by the state
        #: below, the state on top and the lookahead (see ``_passed``).
        self.passes: dict[tuple[Any, Any, str], Any] = {}
        # The driver reads each state's patterns itself where this Lark keeps them as
        # compiled expressions (``Scanner._mres``); elsewhere Lark's lexer runs as it is.
        lexer = lark.parse_interactive("").lexer_thread.lexer
        root = getattr(lexer, "root_lexer", None)
        self.scanning = hasattr(lexer, "lexers") and all(
            hasattr(root, attribute) for attribute in ("scanner", "newline_types",
                                                       "ignore_types")) and \
            hasattr(root.scanner, "_mres")
        self.scanners: dict[Any, _Scanner] = {}

    def _row(self, state: Any) -> dict[str, tuple[bool, Any]]:
        """A state's actions: ``(True, next state)`` to shift (or go to, after a
        reduction), ``(False, reduction)`` to reduce."""
        row = {kind: (True, argument) if action is Shift else (False, self.reductions[argument])
               for kind, (action, argument) in self.states[state].items()}
        self.rows[state] = row
        return row

    def _passed(self, below: Any, origin: str, kind: str) -> Any:
        """The state on top of the stack after reducing to ``origin`` over ``below`` and
        every reduction after it that passes its one child on, with ``kind`` ahead: such a
        reduction replaces the top state and nothing else, so ``below`` stays below. The
        run stops at the end state (the loop must see it) and at anything the lookahead
        cannot follow (the loop then finds the syntax error as before)."""
        under = self.rows.get(below) or self._row(below)
        while True:
            goto = under[origin][1]
            if goto == self.end_state:
                return goto
            action = (self.rows.get(goto) or self._row(goto)).get(kind)
            if action is None or action[0] or action[1][1] is not None:
                return goto
            origin = action[1][2]

    def parse(self, text: str) -> Tree | None:
        """The tree of ``text``, or ``None`` if it has a syntax error (or for Lark to build)."""
        if not self.usable:
            return None
        interactive = self.lark.parse_interactive(text)
        state = interactive.parser_state
        thread = interactive.lexer_thread
        # Lark's contextual lexer reads the parser's state from ``state.state_stack``.
        tokens = self._lex(text, thread.lexer.lexers, state.state_stack) if self.scanning \
            else thread.lex(state)
        try:
            return self._run(_ended(tokens), state.state_stack)
        except (KeyError, LarkError, _Unlike, _Unlexed):
            return None

    def _lex(self, text: str, lexers: dict[Any, Any], state_stack: list[Any]
             ) -> Iterator[Token]:
        """The tokens of ``text`` as Lark's contextual lexer gives them: each read by the
        patterns of the parser's state at that point, with the same types and positions.

        Lark's lexer takes several calls and a line counter object per token, more than
        half of the parse; this is the same matching in one loop.
        """
        scanners, new_string = self.scanners, str.__new__
        position, line, line_start, end = 0, 1, 0, len(text)
        while position < end:
            state = state_stack[-1]
            scanner = scanners.get(state)
            if scanner is None:
                scanner = scanners[state] = _Scanner(lexers[state])
            for pattern in scanner.patterns:
                found = pattern.match(text, position)
                if found:
                    break
            else:
                raise _Unlexed
            value, kind = found.group(0), found.lastgroup
            start, start_line, start_column = position, line, position - line_start + 1
            if kind in scanner.newline_types:
                newlines = value.count("\n")
                if newlines:
                    line += newlines
                    line_start = position + value.rindex("\n") + 1
            position += len(value)
            ignored = kind in scanner.ignore_types
            if ignored and kind not in scanner.callback:
                continue
            # What ``Token(...)`` does, without its two Python-level calls per token.
            token = new_string(Token, value)
            token.type, token.value, token.start_pos = kind, value, start
            token.line, token.column = start_line, start_column
            token.end_line, token.end_column, token.end_pos = line, position - line_start + 1, \
                position
            callback = scanner.callback.get(kind)
            if callback is not None:
                # A keyword that the name pattern matched too: the callback names it.
                token = callback(token)
            if not ignored:
                if not isinstance(token, Token):
                    raise _Unlexed
                yield token

    def _run(self, tokens_in: Iterator[Token], state_stack: list[Any]) -> Tree | None:
        rows, row_of, end_state, passes = self.rows, self._row, self.end_state, self.passes
        values: list[Any] = []
        # The index of the first token of each value on the stack (the next index when the
        # value took none), and every token shifted so far.
        starts: list[int] = []
        tokens: list[Token] = []
        for token in tokens_in:
            kind = token.type
            while True:
                shift, argument = (rows.get(state_stack[-1]) or row_of(state_stack[-1]))[kind]
                if shift:
                    state_stack.append(argument)
                    values.append(token)
                    starts.append(len(tokens))
                    tokens.append(token)
                    break
                size, callback, origin = argument
                if callback is None:
                    # A run of rules that pass their one child on changes only the state
                    # on top of the stack: where it ends is looked up, not walked again.
                    key = (state_stack[-2], state_stack[-1], kind)
                    goto = passes.get(key)
                    if goto is None:
                        goto = passes[key] = self._passed(state_stack[-2], origin, kind)
                    state_stack[-1] = goto
                else:
                    shifted = len(tokens)
                    if size:
                        start = starts[-size]
                        children = values[-size:]
                        del state_stack[-size:], values[-size:], starts[-size:]
                    else:
                        start, children = shifted, []
                    value = callback(children)
                    if type(value) is Tree:
                        meta = value.meta
                        if start < shifted and meta.empty:
                            first, last = tokens[start], tokens[shifted - 1]
                            meta.line, meta.column = first.line, first.column
                            meta.start_pos = first.start_pos
                            meta.end_line, meta.end_column = last.end_line, last.end_column
                            meta.end_pos = last.end_pos
                            meta.empty = False
                    elif size > 1 or (value is not None and type(value) is not Token):
                        raise _Unlike(origin)
                    goto = (rows.get(state_stack[-1]) or row_of(state_stack[-1]))[origin][1]
                    state_stack.append(goto)
                    values.append(value)
                    starts.append(start)
                if goto == end_state and kind == "$END":
                    return values[-1]
        return None


def _ended(tokens: Iterator[Token]) -> Iterator[Token]:
    """``tokens``, then the end marker Lark's parser feeds after them."""
    token = None
    for token in tokens:
        yield token
    yield Token.new_borrow_pos("$END", "", token) if token is not None \
        else Token("$END", "", 0, 1, 1)


#: A stand-in child, to ask a one-child rule's callback whether it gives the child back.
_PROBE = Token("PROBE", "")


def _passes_on(callback: Any) -> bool:
    """Whether a one-child rule's callback returns its child as it is (``?sum: product``)."""
    try:
        return callback([_PROBE]) is _PROBE
    except Exception:  # a callback that inlines its child reads attributes a token lacks
        return False


@functools.lru_cache(maxsize=1)
def driver() -> Driver:
    """The driver of the shipped grammar, once per process."""
    return Driver(tree_parser())


def parse_tree(text: str) -> Tree | None:
    """The Lark tree of ``text`` with positions, or ``None`` when Lark's own parser must
    parse it (a syntax error, to be reported as before)."""
    return driver().parse(text)
