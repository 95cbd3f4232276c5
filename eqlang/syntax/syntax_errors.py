"""Syntax errors: takes a Lark parse error, gives a diagnostic a person can act on.

The parser (``eqlang.syntax.parse``) stops at the first token the grammar cannot take. This
says, in the contract's own words, what it found and what could come there (`expected a
rounding mode such as half up`), points back at a declaration left unfinished, suggests a
keyword for a misspelt one, and finds where reading can resume, so that one run reports
several errors.
"""

from __future__ import annotations

import functools
import re

from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from eqlang.diagnostics import Diagnostic, Note, did_you_mean
from eqlang.syntax.parser_tables import DECLARATION_KEYWORDS, grammar_parser
from eqlang.syntax.source import SourceFile

_TERMINAL_NAMES = {
    "NAME": "a name",
    "STRING": 'a quoted text like "Section 4"',
    "MONEY": "an amount like $1,000.00",
    "NUMBER": "a number",
    "INT": "a whole number",
    "DATE": "a date like 2024-01-01",
    "TYPE": "a type (money, percent, pp, count, number, yesno, date, measure, group, "
    "period, organization, stratification, text)",
    "ROUND_MODE": "a rounding mode (half up, half even, half down, toward zero, "
    "away from zero)",
    "POLICY": "skip, zero, propagate or rescale",
    "ADD_OP": "`+` or `-`",
    "MUL_OP": "`*` or `/`",
    "$END": "the end of the file",
}


@functools.lru_cache(maxsize=1)
def _keywords() -> frozenset[str]:
    """The words of the grammar, such as ``and`` or ``per``."""
    return frozenset(
        t.pattern.value for t in grammar_parser().terminals
        if t.pattern.type == "str" and t.pattern.value.isalpha()
    )


#: A terminal that is a choice of plain words, such as the types or the not-scored policies.
_WORD_CHOICE = re.compile(r"\((?:\?:)?([a-z]+(?:\|[a-z]+)*)\)(?:\\b)?")


@functools.lru_cache(maxsize=1)
def _terminal_words() -> dict[str, tuple[str, ...]]:
    """The words each keyword-like terminal stands for: ``ROUNDED`` is `rounded`."""
    words: dict[str, tuple[str, ...]] = {}
    for terminal in grammar_parser().terminals:
        pattern = terminal.pattern.value
        if terminal.pattern.type == "str" and pattern.isalpha():
            words[terminal.name] = (pattern,)
        elif terminal.pattern.type == "re" and (choice := _WORD_CHOICE.fullmatch(pattern)):
            words[terminal.name] = tuple(choice.group(1).split("|"))
    return words


def _keyword_suggestion(token: Token, expected: set[str]) -> str | None:
    """"did you mean `rounded`?" for a misspelled word where only keywords can stand."""
    if token.type != "NAME":
        return None
    words = _terminal_words()
    candidates = [w for name in expected for w in words.get(name, ())]
    if expected & {k.upper() for k in DECLARATION_KEYWORDS}:
        candidates.extend(DECLARATION_KEYWORDS)
    return did_you_mean(str(token), candidates)


def _describe_terminal(name: str) -> str:
    if name in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[name]
    for terminal in grammar_parser().terminals:
        if terminal.name == name and terminal.pattern.type == "str":
            return f"`{terminal.pattern.value}`"
    return name.lower()


def _describe_token(token: Token) -> str:
    if token.type == "$END":
        return "the end of the file"
    text = str(token)
    return f"`{text}`" if len(text) <= 40 else f"`{text[:37]}...`"


@functools.lru_cache(maxsize=1)
def _operators() -> frozenset[str]:
    """Terminals that continue an expression; one by one they would crowd out the rest."""
    symbols = {"=", "!=", "<", "<=", ">", ">="}
    compared = {t.name for t in grammar_parser().terminals
                if t.pattern.type == "str" and t.pattern.value in symbols}
    return frozenset({"ADD_OP", "MUL_OP"} | compared)


@functools.lru_cache(maxsize=1)
def _expression_starts() -> frozenset[str]:
    """The terminals that can begin an expression, read off the parser where one must."""
    interactive = grammar_parser().parse_interactive("define x: number = ")
    interactive.exhaust_lexer()
    return frozenset(interactive.accepts()) - {"$END"}


def _expected_text(expected: set[str]) -> str:
    declarations = {k.upper() for k in DECLARATION_KEYWORDS}
    rest = expected - declarations - {"$END"}
    names = []
    if {"LPAR", "NAME", "NUMBER"} <= rest:
        # A dozen ways to begin an operand say less than the word for what is missing
        # (where an `if` cannot begin one unbracketed, it is still an expression).
        names.append("an expression")
        rest -= _expression_starts()
    if len(rest & _operators()) > 2:
        names.append("an operator")
        rest -= _operators()
    names.extend(sorted({_describe_terminal(e) for e in rest}))
    if len(names) > 12:
        names = [*names[:12], "..."]
    if expected & declarations:
        names.append("a new declaration")
    if "$END" in expected:
        names.append("the end of the file")
    return ", ".join(names)


def _acceptable(error: UnexpectedInput) -> set[str]:
    """The terminals that could stand where parsing stopped.

    Lark's own ``expected`` set comes from LALR states that merge several contexts, so it
    may name tokens that only fit elsewhere (an output's ``rounded`` after a definition's
    body). Trying each candidate on a copy of the parser gives the exact set.
    """
    parser = getattr(error, "interactive_parser", None)
    if parser is not None:
        try:
            return set(parser.accepts())
        except UnexpectedInput:
            pass
    return set(getattr(error, "expected", None) or getattr(error, "allowed", None) or ())


def _open_declaration(error: UnexpectedInput) -> tuple[Token, Token | None] | None:
    """The keyword of the declaration being read when parsing stopped, if any, with the name
    token that follows it."""
    parser = getattr(error, "interactive_parser", None)
    if parser is None:
        return None
    # A finished declaration is a tree on the stack, so its keyword is no longer there;
    # the keyword nearest the top belongs to the declaration still open.
    stack = parser.parser_state.value_stack
    for index in range(len(stack) - 1, -1, -1):
        item = stack[index]
        if isinstance(item, Token) and item.type == str(item).upper() \
                and str(item) in DECLARATION_KEYWORDS:
            after = stack[index + 1] if index + 1 < len(stack) else None
            name = after if isinstance(after, Token) and after.type == "NAME" else None
            return item, name
    return None


def syntax_diagnostic(source: SourceFile, error: UnexpectedInput) -> tuple[Diagnostic, int]:
    """The diagnostic for one Lark error, and the offset where parsing stopped."""
    if isinstance(error, UnexpectedCharacters):
        offset = error.pos_in_stream
        char = source.text[offset]
        hint = "remove the character"
        if char == "'":
            hint = 'eqlang quotes text with double quotes: "like this"'
        elif char in "€£":
            hint = "amounts are written in dollars with a leading $, like $1,000.00"
        return (
            Diagnostic(
                "E0004", f"unexpected character `{char}`", source.span(offset, offset + 1),
                hint=hint,
            ),
            offset,
        )
    expected = _acceptable(error)
    if isinstance(error, UnexpectedEOF) or (
        isinstance(error, UnexpectedToken) and error.token.type == "$END"
    ):
        # Lark's end-of-input token borrows the position of the last token read, so the
        # carets stand under the unfinished text, not under a comment after it.
        token = getattr(error, "token", None)
        if token is not None and token.end_pos:
            start, end = token.start_pos, token.end_pos
        else:
            end = len(source.text.rstrip())
            start = max(0, end - 1)
        hint = "the file ends in the middle of a declaration"
        if "END" in expected:
            hint = "close the block with `end`"
        elif "ROUNDED" in expected:
            hint = _rounding_hint(_open_declaration(error)) or hint
        return (
            Diagnostic(
                "E0003", f"unexpected end of file; expected {_expected_text(expected)}",
                source.span(start, end), hint=hint,
            ),
            len(source.text),
        )
    assert isinstance(error, UnexpectedToken)
    token = error.token
    start = token.start_pos if token.start_pos is not None else 0
    end = token.end_pos if token.end_pos is not None else start + 1
    if str(token) == "=" and source.text[start - 1:start] == "=":
        # `==` reads as two `=` tokens; the second is the one that cannot stand.
        return (
            Diagnostic("E0002", "`==` is not an eqlang operator", source.span(start - 1, end),
                       hint="compare with a single `=`: `gap = 0 pp`"),
            start,
        )
    return (
        Diagnostic(
            "E0002",
            f"unexpected {_describe_token(token)}; expected {_expected_text(expected)}",
            source.span(start, end),
            hint=_token_hint(token, expected, error),
            notes=_unfinished_note(source, token, error),
        ),
        start,
    )


def _unfinished_note(source: SourceFile, token: Token, error: UnexpectedInput
                     ) -> tuple[Note, ...]:
    """Where the unfinished declaration stops, when the error is only seen at the next one:
    the mistake is there, lines above the carets."""
    if str(token) not in DECLARATION_KEYWORDS:
        return ()
    read = _read_so_far(error)
    last = read[-1] if read else None
    while isinstance(last, Tree) and last.children:
        last = last.children[-1]
    if not isinstance(last, Token) or last.end_pos is None or last.line is None \
            or token.line is None or last.line >= token.line:
        return ()
    return (Note("the declaration before it stops here, unfinished",
                 source.span(last.start_pos, last.end_pos)),)


def _read_so_far(error: UnexpectedInput) -> list[Tree | Token]:
    """What the parser had read, in trees and tokens, when it stopped."""
    parser = getattr(error, "interactive_parser", None)
    return list(parser.parser_state.value_stack) if parser is not None else []


def _rounding_hint(declaration: tuple[Token, Token | None] | None) -> str | None:
    """For an output left without its rounding: which output, since the error is only seen at
    the next token, often the next declaration's first line."""
    if declaration is None or str(declaration[0]) != "output":
        return None
    keyword, name = declaration
    which = f"the output `{name}` (line {keyword.line})" if name is not None \
        else f"the output at line {keyword.line}"
    return (f"{which} does not say how it is rounded: end it with `rounded to cents half up` "
            "(or another rounding) or `not rounded`")


def _token_hint(token: Token, expected: set[str], error: UnexpectedInput) -> str:
    """How to fix an unexpected ``token``."""
    text = str(token)
    read = _read_so_far(error)
    declaration = _open_declaration(error)
    keyword = str(declaration[0]) if declaration is not None else None
    comparing = len(read) >= 2 and isinstance(read[-2], Tree) and read[-2].data == "compare_op"
    if read and isinstance(read[-1], Token) and read[-1].type == "NAME" \
            and str(read[-1]) == "end" and text in DECLARATION_KEYWORDS:
        before = read[-2] if len(read) >= 2 else None
        unfinished = f"`{before}` line" if isinstance(before, Token) else "line before it"
        return (f"`end` on line {read[-1].line} was read as a name, because the "
                f"{unfinished} is unfinished: complete it, or remove it")
    if token.type == "NAME" and text != text.lower() and text.lower() in _keywords():
        return "keywords are lower-case"
    if comparing and token.type in _operators() - {"ADD_OP", "MUL_OP"}:
        return f"comparisons do not chain: write `a {text} b and b {text} c`"
    suggestion = _keyword_suggestion(token, expected)
    if suggestion is not None:
        return suggestion
    if keyword == "parameter" and text == "except":
        return ("a parameter is one value; exceptions belong to a definition: "
                "`define minimum(m: measure): count = 30 except 50 when m = WCV`")
    if "ROUNDED" in expected and (hint := _rounding_hint(declaration)):
        return hint
    if "END" in expected and text in DECLARATION_KEYWORDS:
        return "the block before this line is missing its `end`"
    if "TYPE" in expected:
        return "name one of the types: money, percent, pp, count, number, yesno, date, " \
            "measure, group, period, organization, stratification, text"
    missing = [w for name in expected for w in _terminal_words().get(name, ())]
    missing_word = missing[0] if len(expected) == 1 and len(missing) == 1 else None
    if text in DECLARATION_KEYWORDS:
        return f"`{text}` starts a new declaration; the one before it is incomplete" + (
            f": it needs `{missing_word}`" if missing_word else "")
    if missing_word:
        return f"`{missing_word}` is missing before this point"
    return "check the spelling and punctuation just before this point"


def resume_offset(text: str, after: int, resumed: int) -> int | None:
    """Where recovery parses again: at ``after`` itself when a declaration starts there (the
    one before it was left unfinished, and this one deserves its own check), else the start
    of the next line that begins with a declaration keyword. Always past ``resumed``, where
    the last attempt began, so recovery ends."""
    pattern = re.compile(r"^(" + "|".join(DECLARATION_KEYWORDS) + r")\b", re.MULTILINE)
    if after > resumed and pattern.match(text, after) and text[after - 1:after] in ("", "\n"):
        return after
    line_end = text.find("\n", after)
    if line_end < 0:
        return None
    match = pattern.search(text, line_end + 1)
    return match.start() if match else None


def blank_before(text: str, offset: int) -> str:
    """The text with everything before ``offset`` blanked, keeping offsets and line numbers."""
    head = re.sub(r"[^\n]", " ", text[:offset])
    return head + text[offset:]
