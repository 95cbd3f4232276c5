"""Text for a terminal: takes any text eqlang prints, gives it with every character that
could take control of the terminal or reorder what it shows written as an escape.

Names, titles and values come from contracts, tables and traces that anyone may have
written. Printed raw, an ESC or BEL starts a terminal command (set the window title, write
the clipboard with OSC 52), a CR returns to the start of the line to print over it, and a
right-to-left override reverses the text after it. Every printer (diagnostics, summaries,
explain, verify, bounds, tests) passes its text through ``printable``; the character sets
come from ICU's Unicode data, not from a list kept here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

import icu

#: Control characters (C0, DEL, C1), line and paragraph separators, surrogates without a
#: pair, and the bidirectional controls; tab and line feed are layout and stay.
_ESCAPED = "[[:Cc:][:Cs:][:Zl:][:Zp:][:Bidi_Control:]-[\\t\\n]]"


def _class(pattern: str) -> re.Pattern[str]:
    """A regular expression matching one character of an ICU set ``pattern``."""
    found = icu.UnicodeSet(pattern)
    # Code points, not characters, in the class: a surrogate does not survive as a string.
    ranges = ((ord(found.getRangeStart(i)), ord(found.getRangeEnd(i)))
              for i in range(found.getRangeCount()))
    return re.compile("[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in ranges) + "]")


@functools.cache
def _pattern() -> re.Pattern[str]:
    return _class(_ESCAPED)


@functools.cache
def _bidi() -> re.Pattern[str]:
    return _class("[:Bidi_Control:]")


def escape(char: str) -> str:
    """One character as Python writes it in a string: ``\\r``, ``\\x1b``, ``\\u202e``."""
    if char == "\r":
        return "\\r"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 \
        else f"\\U{code:08x}"


def _json_escape(char: str) -> str:
    # Every character escaped is in the Basic Multilingual Plane, so one \\u escape does.
    return f"\\u{ord(char):04x}"


def printable(text: str, *, json: bool = False) -> str:
    """``text`` with every character that controls a terminal or the direction of text
    escaped; unchanged when it has none, and unchanged when given its own result. With
    ``json``, ``text`` is JSON and the escapes are JSON's (``\\u001b``), so it stays the
    same JSON: those characters stand only inside its strings."""
    return _pattern().sub(lambda match: (_json_escape if json else escape)(match.group()),
                          text)


def unsafe(text: str) -> Iterator[re.Match[str]]:
    """Each character of ``text`` that ``printable`` would escape."""
    return _pattern().finditer(text)


def is_bidi_control(char: str) -> bool:
    """Whether ``char`` sets the direction of the text after it (RLO, LRI, PDF, RLM...)."""
    return _bidi().fullmatch(char) is not None


def bidi_controls(text: str) -> Iterator[re.Match[str]]:
    """Each character of ``text`` that sets the direction of the text after it."""
    return _bidi().finditer(text)
