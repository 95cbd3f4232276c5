"""Text that is not what it looks like: takes a contract's tokens, gives diagnostics for
bidirectional controls that could reorder code as it is shown (the "Trojan Source" trick),
and for names and quoted keys that mix scripts or look like another name.

Two texts look alike when their UTS #39 confusable skeletons are equal (`C0L` and `COL`, or
`Black` with a Cyrillic `а`); a word mixes scripts when no single script, in UTS #39's
highly restrictive sense, covers its letters (Latin with Cyrillic; Latin with Han and Kana
is Japanese and fine). Both come from ICU's spoof checker and Unicode data, not from tables
kept here. Quoted text is of two kinds: keys, matched against the measure tables (a
group's table spelling, a period's label, the provider, the rows of an example), against
the organization table (the texts an input may take, an example's inputs) and import
paths, held to one script a word; and display text (titles, citations, reasons), which may
hold any script and direction marks, as long as each direction it sets is ended within it.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

import icu

from eqlang.diagnostics import Diagnostic, Note
from eqlang.syntax.driver import Lexeme
from eqlang.syntax.source import SourceFile, normal_text
from eqlang.terminal import bidi_controls, escape

if TYPE_CHECKING:
    from lark import Tree

E_BIDI = "E0009"
E_LOOKALIKE = "E0011"

#: Rules whose quoted text is a key matched against the tables, or a path, not display text.
KEY_RULES = frozenset({"provider_named", "period", "import_file", "group_spelled",
                        "example_organization", "example_table", "example_rows", "row_group",
                        "row_period", "input_choices", "example_inputs"})
#: Bidirectional classes that open a run of direction, and the class that closes each.
_CLOSED_BY = {"LRE": "PDF", "RLE": "PDF", "LRO": "PDF", "RLO": "PDF", "LRI": "PDI",
              "RLI": "PDI", "FSI": "PDI"}
_WORD = re.compile(r"[^\W_]+")


@functools.cache
def _checker() -> icu.SpoofChecker:
    checker = icu.SpoofChecker()
    checker.setChecks(icu.USpoofChecks.RESTRICTION_LEVEL | icu.USpoofChecks.MIXED_NUMBERS)
    checker.setRestrictionLevel(icu.URestrictionLevel.HIGHLY_RESTRICTIVE)
    return checker


@functools.lru_cache(maxsize=65536)
def skeleton(text: str) -> str:
    """The UTS #39 skeleton of ``text``: equal for texts that look alike."""
    return _checker().getSkeleton(0, text)


def mixed_word(text: str) -> str | None:
    """The first word of ``text`` that mixes scripts (or kinds of digits), if any."""
    for word in _WORD.findall(text):
        if not word.isascii() and _checker().check(word):
            return word
    return None


def character(char: str) -> str:
    """``а`` (U+0430 CYRILLIC SMALL LETTER A): a character as a message names it."""
    shown = escape(char) if unicodedata.category(char)[0] in "CZ" else char
    return f"`{shown}` (U+{ord(char):04X} {unicodedata.name(char, 'unnamed')})"


def _script(char: str) -> str:
    return icu.Script.getScript(ord(char)).getName()


def why_mixed(word: str) -> str:
    """What is mixed in ``word``: the letters outside its main script, by name."""
    scripts = {char: _script(char) for char in word}
    counted = Counter(s for s in scripts.values() if s not in ("Common", "Inherited"))
    if len(counted) < 2:
        return "it mixes digits of different number systems"
    main = counted.most_common(1)[0][0]
    odd = [char for char, script in scripts.items() if script not in (main, "Common",
                                                                     "Inherited")]
    named = ", ".join(f"{character(c)} is {scripts[c]}" for c in odd[:3])
    return f"{named}, the rest {main}"


def how_they_differ(text: str, other: str) -> str:
    """Where two look-alike texts differ: each character of one where the other has
    another, or none (an invisible character, a letter written as two)."""
    parts = []
    for kind, start, end, other_start, other_end in difflib.SequenceMatcher(
            None, text, other, autojunk=False).get_opcodes():
        mine = " ".join(character(c) for c in text[start:end])
        theirs = " ".join(character(c) for c in other[other_start:other_end])
        if kind == "replace":
            parts.append(f"{mine} where the other has {theirs}")
        elif kind == "delete":
            parts.append(f"{mine}, which the other does not have")
        elif kind == "insert":
            parts.append(f"no {theirs}, which the other has")
    return "; ".join(parts[:3])


def suggestion(text: str) -> str | None:
    """The text in a single script that ``text`` looks like, if there is one."""
    plain = skeleton(text)
    return plain if plain != text and mixed_word(plain) is None else None


# ---- contracts -----------------------------------------------------------------------------


def lookalike_text(source: SourceFile, lexemes: list[Lexeme], keys: set[int]
                   ) -> list[Diagnostic]:
    """The bidirectional controls out of place, and the names and keys that mix scripts or
    look like another, in one parsed file: its tokens, and where its quoted keys start
    (quoted text in a rule of ``KEY_RULES``)."""
    strings = sorted(((token, token.start in keys) for token in lexemes
                      if token.kind == "STRING"), key=lambda pair: pair[0].start)
    names = [token for token in lexemes if token.kind == "NAME"]
    problems = list(_bidi_problems(source, strings))
    problems.extend(_mixed_keys(source, strings))
    problems.extend(_lookalike_names(source, names, strings))
    return problems


def tree_words(tree: Tree) -> tuple[list[Lexeme], set[int]]:
    """The named tokens of a Lark tree, and where its quoted keys start."""
    from lark import Token, Tree

    lexemes: list[Lexeme] = []
    keys: set[int] = set()
    pending = [tree]
    while pending:
        node = pending.pop()
        for child in node.children:
            if isinstance(child, Tree):
                pending.append(child)
            elif isinstance(child, Token):
                start = child.start_pos or 0
                lexemes.append(Lexeme(child.type, str(child), start, child.end_pos or 0))
                if child.type == "STRING" and node.data in KEY_RULES:
                    keys.add(start)
    return lexemes, keys


def _bidi_problems(source: SourceFile, strings: list[tuple[Lexeme, bool]]
                   ) -> Iterator[Diagnostic]:
    inside = sorted((t.start, t.end, key) for t, key in strings)
    starts = [start for start, _, _ in inside]
    checked: set[int] = set()
    for found in bidi_controls(source.text):
        offset, char = found.start(), found.group()
        index = bisect.bisect_right(starts, offset) - 1
        host = inside[index] if index >= 0 and offset < inside[index][1] - 1 else None
        if host is None or host[2]:
            where = "a name or a quoted key" if host is not None else "code or a comment"
            yield Diagnostic(
                E_BIDI, f"{character(char)} in {where}: a direction control there can make "
                "the text show in another order than eqlang reads it",
                source.span(offset, offset + 1),
                hint="remove it; direction controls belong only in quoted display text such "
                "as a title or a citation")
        elif host[0] not in checked:
            checked.add(host[0])
            problem = _unbalanced(source.text[host[0]:host[1]])
            if problem is not None:
                yield Diagnostic(
                    E_BIDI, f"{problem}: the direction it sets would run on past the closing "
                    "quote and reorder the code after it", source.span(host[0], host[1]),
                    hint="end each embedding or override with U+202C POP DIRECTIONAL "
                    "FORMATTING, and each isolate with U+2069 POP DIRECTIONAL ISOLATE, inside "
                    "the quotes")


def _unbalanced(quoted: str) -> str | None:
    """Why the direction controls of one quoted text do not end within it, if they do not."""
    open_: list[tuple[str, str]] = []
    for char in quoted:
        kind = unicodedata.bidirectional(char)
        if kind in _CLOSED_BY:
            open_.append((char, _CLOSED_BY[kind]))
        elif kind in ("PDF", "PDI"):
            if not open_ or open_[-1][1] != kind:
                return f"{character(char)} closes no direction opened before it"
            open_.pop()
    return f"{character(open_[-1][0])} is not ended" if open_ else None


def _mixed_keys(source: SourceFile, strings: list[tuple[Lexeme, bool]]
                ) -> Iterator[Diagnostic]:
    for token, key in strings:
        if not key:
            continue
        word = mixed_word(token.text)
        if word is not None:
            meant = suggestion(word)
            yield Diagnostic(
                E_LOOKALIKE, f"`{word}` mixes scripts in one word: {why_mixed(word)}; it "
                "would match no table cell typed in one script",
                source.span(token.start, token.end),
                hint=(f"did you mean `{meant}`? " if meant else "")
                + "write each word in a single script")


def _lookalike_names(source: SourceFile, names: list[Lexeme],
                     strings: list[tuple[Lexeme, bool]]) -> Iterator[Diagnostic]:
    """Names and keys that look the same as an earlier one but are not."""
    tokens = list(names)
    # A key that mixes scripts or holds a direction control is reported as such; that it
    # looks like a name goes without saying.
    tokens += [t for t, key in strings if key and mixed_word(t.text) is None
               and not any(bidi_controls(t.text))]
    tokens.sort(key=lambda t: t.start)
    first: dict[str, tuple[str, Lexeme]] = {}
    reported: set[tuple[str, str]] = set()
    for token in tokens:
        # Quoted text in the form it is compared in: an accent typed either way is one name.
        text = normal_text(token.text[1:-1]) if token.kind == "STRING" else token.text
        if not text:
            continue
        seen = first.setdefault(skeleton(text), (text, token))
        if seen[0] == text or (seen[0], text) in reported:
            continue
        reported.add((seen[0], text))
        yield Diagnostic(
            E_LOOKALIKE, f"`{text}` looks the same as `{seen[0]}` but is not: "
            f"{how_they_differ(text, seen[0])}",
            source.span(token.start, token.end),
            notes=(Note(f"`{seen[0]}` is here", source.span(seen[1].start, seen[1].end)),),
            hint=f"write `{seen[0]}` if the same is meant; otherwise choose a name that does "
            "not look like it")
