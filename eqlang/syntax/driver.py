"""The LALR driver that builds the syntax tree: takes a text and the reductions of
``eqlang.syntax.build``, gives what the start rule reduces to (the declarations) and the
tokens, or ``None`` for the caller to parse with Lark (``eqlang.syntax.parse``).

It runs the grammar's LALR(1) tables and contextual lexer as Lark works them out from
``grammar/eqlang.lark``, but as plain data (``derive``), shipped beside the grammar as
``grammar/eqlang.driver.json`` with the SHA-256 of the grammar they come from: starting
eqlang then needs neither Lark nor its tables, which only a file with a syntax error
wants. When the grammar differs from the one the file was derived from (an edited
grammar), the tables are derived from Lark's parser again, in the process; ``python
tools/parser_tables.py`` writes the file again.

At each reduction the driver hands the children Lark would put in the rule's tree node
(named tokens and the values of nonterminals, ``None`` for an optional part left out,
``_rule``s spliced in, a ``?rule`` with one child passing it on) to the rule's reduction,
with the span from the rule's first token to its last. Tokens are ``Lexeme``s: kind,
text, and start and end offsets (spans need no lines and columns). In each parser state
the lexer tries the terminals Lark's contextual lexer tries there, in Lark's order, as one
expression that first skips what the grammar ignores (spaces and comments, which no other
terminal starts like); a name that is one of the state's keywords takes the keyword's
kind, as Lark's lexer retypes it. The driver also measures how deep the tree it stands for
is, as ``parse`` counts depth, and stops at the first level too deep: the caller then
parses with Lark, whose tree ``parse`` measures and reports.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from eqlang.diagnostics import EqlangError
from eqlang.syntax.parser_tables import data_path

if TYPE_CHECKING:
    from lark import Lark

TABLES = "eqlang.driver.json"

#: A step of a rule's reduction: the index of a value it keeps (and whether that value is
#: a ``_rule``'s list, spliced in), or ``(None, False)`` for an optional part left out.
Step = tuple[int | None, bool]
#: A rule as the driver reduces it: how many values it takes, whether it passes its one
#: child on, the nonterminal it makes, the name it reduces by (``None`` for a ``_rule``)
#: and its steps (``None`` when it keeps every value as it is).
Rule = tuple[int, bool, str, str | None, tuple[Step, ...] | None]


class Lexeme(NamedTuple):
    """A token as the driver gives it: its terminal, its text and where it lies."""

    kind: str
    text: str
    start: int
    end: int


class _Unlexed(Exception):
    """Text that no terminal of the parser's state matches: a syntax error."""


class _TooDeep(Exception):
    """A tree nested deeper than the caller allows."""


class Driver:
    """The grammar's tables, run by a loop that builds the tree as it reduces."""

    def __init__(self, tables: dict[str, Any]) -> None:
        self.start_state: int = tables["start"]
        self.end_state: int = tables["end"]
        self.states: list[dict[str, int]] = tables["states"]
        self.rules: list[Rule] = [
            (size, passes_on, origin, name,
             None if steps is None else tuple((index, splice) for index, splice in steps))
            for size, passes_on, origin, name, steps in tables["rules"]]
        self.terminals: dict[str, str] = tables["terminals"]
        self.ignore: frozenset[str] = frozenset(tables["ignore"])
        self.flags: int = tables["flags"]
        self.lexers: list[tuple[list[str], dict[str, dict[str, str]]]] = tables["lexers"]
        self.lexer_of: list[int] = tables["lexer_of"]
        self.rows = _Rows(self)
        self.words = _StateWords(self)
        #: Where a run of one-child reductions that pass their child on ends, by the state
        #: below, the state on top and the lookahead (see ``_passed``).
        self.passes: dict[tuple[int, int, str], int] = {}

    def row(self, state: int) -> dict[str, tuple[bool, Any]]:
        """A state's actions: ``(True, next state)`` to shift (or go to, after a
        reduction), ``(False, rule)`` to reduce."""
        rules = self.rules
        return {kind: (True, action) if action >= 0 else (False, rules[-action - 1])
                for kind, action in self.states[state].items()}

    def _passed(self, below: int, origin: str, kind: str) -> int:
        """The state on top of the stack after reducing to ``origin`` over ``below`` and
        every reduction after it that passes its one child on, with ``kind`` ahead: such a
        reduction replaces the top state and nothing else, so ``below`` stays below. The
        run stops at the end state (the loop must see it) and at anything the lookahead
        cannot follow (the loop then finds the syntax error)."""
        while True:
            goto = self.rows[below][origin][1]
            if goto == self.end_state:
                return goto
            action = self.rows[goto].get(kind)
            if action is None or action[0] or not action[1][1]:
                return goto
            origin = action[1][2]

    def build(self, text: str, reducers: dict[str, Callable[[list[Any], Any], Any]],
              span: Callable[[int, int], Any], limit: int, transparent: str
              ) -> tuple[Any, list[Lexeme]] | None:
        """What the start rule reduces to for ``text``, and its tokens; ``None`` at a
        syntax error, at a reduction that raises ``EqlangError``, or where the tree would
        be nested more than ``limit`` levels deep (``transparent`` is the rule that adds
        no level, unless around itself: parentheses).

        ``reducers`` reduce each rule by name; ``span(start, end)`` is what they get as
        the span of the text a rule covers.
        """
        try:
            return self._build(text, reducers, span, limit, transparent)
        except (KeyError, _Unlexed, _TooDeep, EqlangError):
            return None

    def _build(self, text: str, reducers: dict[str, Callable[[list[Any], Any], Any]],
               span: Callable[[int, int], Any], limit: int, transparent: str
               ) -> tuple[Any, list[Lexeme]] | None:
        rows, end_state, passes, words = self.rows, self.end_state, self.passes, self.words
        new_tuple = tuple.__new__
        stack = [self.start_state]
        values: list[Any] = []
        # For each value on the stack: where its first token starts, and how deep the tree
        # below it is as a child counts it, doubled, plus one for a transparent node.
        starts: list[int] = []
        marks: list[int] = []
        lexemes: list[Lexeme] = []
        position, length, last_end = 0, len(text), 0
        while True:
            lexer = words[stack[-1]]
            found = lexer.match(text, position)
            if found is None:
                if lexer.skip(text, position).end() != length:
                    raise _Unlexed
                kind, lexeme, start = "$END", None, length
            else:
                kind = found.lastgroup
                start, position = found.start(kind), found.end()
                value = text[start:position]
                keywords = lexer.keywords.get(kind)
                if keywords is not None:
                    kind = keywords.get(value, kind)
                lexeme = new_tuple(Lexeme, (kind, value, start, position))
                lexemes.append(lexeme)
            while True:
                shift, argument = rows[stack[-1]][kind]
                if shift:
                    stack.append(argument)
                    values.append(lexeme)
                    starts.append(start)
                    marks.append(0)
                    last_end = position
                    break
                size, passes_on, origin, name, steps = argument
                if passes_on:
                    # A run of rules that pass their one child on changes only the state
                    # on top of the stack: where it ends is looked up, not walked again.
                    key = (stack[-2], stack[-1], kind)
                    goto = passes.get(key)
                    if goto is None:
                        goto = passes[key] = self._passed(stack[-2], origin, kind)
                    stack[-1] = goto
                else:
                    if size:
                        first = starts[-size]
                        raw = values[-size:]
                        below = marks[-size:]
                        del stack[-size:], values[-size:], starts[-size:], marks[-size:]
                        # How deep the tree below this node is: deeper than the limit, and
                        # so is every node above it, up to the start.
                        depth = max(below) >> 1
                        if depth > limit:
                            raise _TooDeep
                    else:
                        first, raw, below, depth = 0, [], [], 0
                    children = raw if steps is None else _kept(raw, steps)
                    if name is None:
                        # A ``_rule`` (a repetition): its children go into the rule above.
                        value, mark = children, depth << 1
                    else:
                        value = reducers[name](children, span(first, last_end if size
                                                              else first))
                        if name == transparent:
                            inner = below[steps[0][0] or 0 if steps else 0]
                            mark = (depth + (inner & 1)) << 1 | 1
                        else:
                            mark = (depth + 1) << 1
                    goto = rows[stack[-1]][origin][1]
                    stack.append(goto)
                    values.append(value)
                    starts.append(first)
                    marks.append(mark)
                if goto == end_state and kind == "$END":
                    return values[-1], lexemes
            if lexeme is None:
                return None


class _Words:
    """The lexing of one of Lark's per-state lexers: its terminals in its order, as one
    expression that first skips what the grammar ignores, and the keywords a matched name
    may turn out to be."""

    def __init__(self, driver: Driver, order: list[str], keywords: dict[str, dict[str, str]]
                 ) -> None:
        terminals, ignore = driver.terminals, driver.ignore
        ignored = "|".join(terminals[name] for name in order if name in ignore)
        # Atomic: what is skipped is never given back for a terminal to start earlier.
        skip = f"(?>(?:{ignored})*)" if ignored else ""
        alternatives = "|".join(f"(?P<{name}>{terminals[name]})" for name in order
                                if name not in ignore)
        self.match = re.compile(f"{skip}(?:{alternatives})", driver.flags).match
        self.skip = re.compile(skip, driver.flags).match
        self.keywords = keywords


class _StateWords(dict[int, _Words]):
    """The lexing of each parser state, made when the parser first reaches the state
    (states that accept the same terminals share one)."""

    def __init__(self, driver: Driver) -> None:
        super().__init__()
        self.driver = driver
        self.shared: dict[int, _Words] = {}

    def __missing__(self, state: int) -> _Words:
        index = self.driver.lexer_of[state]
        words = self.shared.get(index)
        if words is None:
            words = self.shared[index] = _Words(self.driver, *self.driver.lexers[index])
        self[state] = words
        return words


class _Rows(dict[int, dict[str, tuple[bool, Any]]]):
    """The driver's states' actions, each worked out when the parser first reaches it."""

    def __init__(self, driver: Driver) -> None:
        super().__init__()
        self.driver = driver

    def __missing__(self, state: int) -> dict[str, tuple[bool, Any]]:
        row = self[state] = self.driver.row(state)
        return row


def _kept(values: list[Any], steps: tuple[Step, ...]) -> list[Any]:
    children: list[Any] = []
    for index, splice in steps:
        if index is None:
            children.append(None)
        elif splice:
            if children:
                children += values[index]
            else:  # a left-recursive repetition grows its own list
                children = values[index]
        else:
            children.append(values[index])
    return children


# ---- the tables -------------------------------------------------------------------------


def derive(lark: Lark) -> dict[str, Any]:
    """The tables of a Lark LALR parser with a contextual lexer, as the driver runs them.

    Raises ``ValueError`` where the driver could not give what Lark's tree builder gives:
    a ``?rule`` that keeps one of several children, an inlined ``_rule`` that may pass a
    child on, a rule other than the start that can be empty, lexer callbacks, keywords
    matched otherwise than as written, patterns for another regular expression module.
    """
    from lark.lexer import PatternStr, UnlessCallback, _create_unless
    from lark.parsers.lalr_analysis import Shift

    interactive = lark.parse_interactive("")
    conf = interactive.parser_state.parse_conf
    contextual = interactive.lexer_thread.lexer
    placeholders = bool(lark.options.maybe_placeholders)
    index = {rule: number for number, rule in enumerate(conf.callbacks)}
    rules = []
    for rule, callback in conf.callbacks.items():
        passes_on = len(rule.expansion) == 1 and _passes_on(callback)
        internal = rule.origin.name.startswith("_")
        if (rule.options.expand1 and not rule.alias and not passes_on) \
                or (internal and rule.options.expand1) \
                or (not rule.expansion and rule.origin.name not in lark.options.start):
            raise ValueError(f"the driver cannot reduce {rule}")
        name, steps = _plan(rule, placeholders)
        rules.append([len(rule.expansion), passes_on, rule.origin.name, name, steps])
    if sorted(conf.states) != list(range(len(conf.states))):
        raise ValueError("the parser's states are not numbered 0 to N-1")
    states = [{kind: conf.states[state][kind][1] if conf.states[state][kind][0] is Shift
               else -index[conf.states[state][kind][1]] - 1 for kind in conf.states[state]}
              for state in range(len(conf.states))]
    lexers: list[Any] = []
    lexer_of = []
    made: dict[int, int] = {}
    terminals = {}
    for state in range(len(conf.states)):
        lexer = contextual.lexers[state]
        if id(lexer) not in made:
            if lexer.user_callbacks or lexer.use_bytes or lexer.re is not re:
                raise ValueError("the lexer has callbacks or another regular expression module")
            kept, callbacks = _create_unless(lexer.terminals, lexer.g_regex_flags, lexer.re,
                                             lexer.use_bytes)
            keywords = {}
            for kind, callback in callbacks.items():
                strings = callback.scanner.terminals if type(callback) is UnlessCallback \
                    else None
                if strings is None or any(not isinstance(string.pattern, PatternStr)
                                          or string.pattern.flags for string in strings):
                    raise ValueError("the lexer retypes names otherwise than by keywords")
                keywords[kind] = {string.pattern.value: string.name for string in strings}
            terminals.update({terminal.name: terminal.pattern.to_regexp() for terminal in kept})
            made[id(lexer)] = len(lexers)
            lexers.append([[terminal.name for terminal in kept], keywords])
        lexer_of.append(made[id(lexer)])
    flags = {lexer.g_regex_flags for lexer in contextual.lexers.values()}
    if len(flags) != 1:
        raise ValueError("the lexers use different flags")
    return {"start": conf.start_state, "end": conf.end_state, "states": states,
            "rules": rules, "terminals": terminals, "ignore": sorted(lark.lexer_conf.ignore),
            "flags": flags.pop(), "lexers": lexers, "lexer_of": lexer_of}


def _plan(rule: Any, placeholders: bool) -> tuple[str | None, list[list[Any]] | None]:
    """The name a rule reduces by (``None`` for a ``_rule``, whose children go into the
    rule above), and its steps: which values it keeps, as Lark's tree builder keeps them
    (every value but the tokens it filters out, ``_rule``s spliced in, ``None`` for each
    optional part left out); no steps when it keeps every value as it is."""
    expansion = rule.expansion
    name = rule.alias or rule.options.template_source or rule.origin.name
    empty = rule.options.empty_indices if placeholders else ()
    # How many left-out optional parts come before each symbol, and after the last.
    missing = [len(run) for run in "".join(str(int(flag)) for flag in empty).split("0")] \
        if empty else [0] * (len(expansion) + 1)
    steps: list[list[Any]] = []
    for position, symbol in enumerate(expansion):
        steps += [[None, False]] * missing[position]
        if rule.options.keep_all_tokens or not (symbol.is_term and symbol.filter_out):
            steps.append([position, not symbol.is_term and symbol.name.startswith("_")])
    steps += [[None, False]] * missing[len(expansion)]
    plain = steps == [[position, False] for position in range(len(expansion))]
    return (None if rule.origin.name.startswith("_") and not rule.alias else name,
            None if plain else steps)


def _passes_on(callback: Any) -> bool:
    """Whether a one-child rule's callback returns its child as it is (``?sum: product``)."""
    from lark import Token

    probe = Token("PROBE", "")
    try:
        return callback([probe]) is probe
    except Exception:  # a callback that inlines its child reads attributes a token lacks
        return False


def serialized(grammar: str) -> str:
    """The driver's tables of ``grammar`` as the JSON text shipped beside it."""
    import lark

    from eqlang.syntax.parser_tables import build

    document = {"grammar_sha256": _digest(grammar), "lark": lark.__version__,
                "tables": derive(build(grammar, propagate_positions=False))}
    return json.dumps(document, sort_keys=True, separators=(",", ":")) + "\n"


def tables(folder: Path) -> dict[str, Any] | None:
    """The driver's tables of the grammar in ``folder``: shipped when they are the
    grammar's, else derived from Lark's parser of it; ``None`` where the driver cannot run
    them."""
    grammar = (folder / "eqlang.lark").read_text(encoding="utf-8")
    try:
        document = json.loads((folder / TABLES).read_text(encoding="utf-8"))
        if document.get("grammar_sha256") == _digest(grammar):
            return dict(document["tables"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    from eqlang.syntax.parser_tables import parser

    try:
        return derive(parser(folder, propagate_positions=False))
    except ValueError:
        return None


@functools.lru_cache(maxsize=1)
def driver() -> Driver | None:
    """The driver of the shipped grammar, once per process (``None`` if it cannot run it)."""
    found = tables(data_path("grammar"))
    return Driver(found) if found is not None else None


def _digest(grammar: str) -> str:
    return hashlib.sha256(grammar.encode("utf-8")).hexdigest()
