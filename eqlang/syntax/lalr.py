"""The LALR driver: takes a text, gives the Lark tree of the grammar, or ``None`` at an error.

Lark's own parser with ``propagate_positions`` works out each node's position as it
reduces, by looking through the children for the first and the last with a position, on
every reduction, including the many that only pass a child on (``?sum: product`` and the
like); on a long contract that was more than half of the parse. This driver runs Lark's
tables (the same states, the same lexer, the same tree-building callbacks, without
positions) and keeps, for each value on the stack, the index of the first token it took:
a reduction then covers the tokens from its first value's index to the last token shifted,
which gives the node's position without a look at its children. A rule that only passes
its one child on is not called at all.

The tree is the one Lark builds, positions included: same nodes, same tokens, same
``meta`` start and end (line, column and offset). Where the two could differ (a rule that
returns a bare token and drops others, which this grammar has none of), and at any syntax
error, it gives ``None``, and the caller parses with Lark's own parser, whose errors
``syntax_errors`` turns into diagnostics: those stay exactly as they were.
"""

from __future__ import annotations

import functools
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import LarkError
from lark.parsers.lalr_analysis import Shift

from eqlang.syntax.parser_tables import tree_parser


class _Unlike(Exception):
    """A reduction whose position Lark works out differently from the token range."""


class Driver:
    """Lark's LALR tables and callbacks, run by a loop that tracks positions by token index."""

    def __init__(self, lark: Lark) -> None:
        self.lark = lark
        conf = lark.parse_interactive("").parser_state.parse_conf
        self.states: dict[Any, dict[str, tuple[Any, Any]]] = conf.states
        self.callbacks: dict[Any, Any] = conf.callbacks
        self.end_state = conf.end_state
        self.usable = all(not isinstance(key, str) for key in self.callbacks)
        self.passing = frozenset(rule for rule, callback in self.callbacks.items()
                                 if len(rule.expansion) == 1 and _passes_on(callback))

    def parse(self, text: str) -> Tree | None:
        """The tree of ``text``, or ``None`` if it has a syntax error (or for Lark to build)."""
        if not self.usable:
            return None
        interactive = self.lark.parse_interactive(text)
        state = interactive.parser_state
        # The index of the first token of each value on the stack (the next index when the
        # value took none), and every token shifted so far.
        starts: list[int] = []
        tokens: list[Token] = []
        try:
            token = None
            for token in interactive.lexer_thread.lex(state):
                self._feed(state, token, starts, tokens)
            end = Token.new_borrow_pos("$END", "", token) if token is not None \
                else Token("$END", "", 0, 1, 1)
            return self._feed(state, end, starts, tokens)
        except (KeyError, LarkError, _Unlike):
            return None

    def _feed(self, state: Any, token: Token, starts: list[int],
              tokens: list[Token]) -> Tree | None:
        """Shift ``token`` after every reduction it calls for; the tree once it is ``$END``."""
        states, callbacks, passing = self.states, self.callbacks, self.passing
        state_stack: list[Any] = state.state_stack
        value_stack: list[Any] = state.value_stack
        while True:
            action, argument = states[state_stack[-1]][token.type]
            if action is Shift:
                state_stack.append(argument)
                value_stack.append(token)
                starts.append(len(tokens))
                tokens.append(token)
                return None
            rule = argument
            if rule in passing:
                goto = states[state_stack[-2]][rule.origin.name][1]
                state_stack[-1] = goto
                if token.type == "$END" and goto == self.end_state:
                    return value_stack[-1]
                continue
            size = len(rule.expansion)
            shifted = len(tokens)
            if size:
                start = starts[-size]
                children = value_stack[-size:]
                del state_stack[-size:], value_stack[-size:], starts[-size:]
            else:
                start, children = shifted, []
            value = callbacks[rule](children)
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
                raise _Unlike(rule)
            goto = states[state_stack[-1]][rule.origin.name][1]
            state_stack.append(goto)
            value_stack.append(value)
            starts.append(start)
            if token.type == "$END" and goto == self.end_state:
                return value


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
