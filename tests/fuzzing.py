"""Hypothesis strategies that damage valid inputs: the bytes of a contract or a table, and the
data of a trace, changed a few places at a time the ways files get damaged or forged.

A mutation deletes, repeats or swaps a stretch, cuts the file short, or puts in a piece
drawn from the file itself, from the grammar's words, or from a list of hostile pieces (NUL,
a lone CR, terminal commands, direction overrides, look-alike letters, bytes that are not
UTF-8, numbers too long to convert, nesting too deep to walk). Shrinking keeps a failure
small enough to read.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st

#: Pieces that have broken parsers and printers elsewhere.
HOSTILE = (
    b"\x00", b"\r", b"\r\n", b"\x1b]0;pwned\x07", b"\x1b]52;c;cHduZWQ=\x07", b"\x9b",
    "\u202e".encode(), "\u2066".encode(), "\u2028".encode(), "\u200f".encode(),
    "\u0430".encode(), "\u0391".encode(), b"\xe9", b"\xff\xfe", b"\xef\xbb\xbf",
    b"9" * 5000, b"0." + b"0" * 400 + b"1", b"1e999999", b"(" * 200, b")" * 200, b"[" * 3000,
    b'"', b"\\", b"#", b"##", b"\n", b",", b"$", b"%", b" pp", b"-", b"/ 0", b"NaN",
    b"Infinity", b"ALL", b"end", b"..", b"/etc/passwd", b"../../x", b"-1",
)


@st.composite
def mutated(draw: st.DrawFn, base: bytes, words: tuple[bytes, ...] = (),
            max_mutations: int = 4) -> bytes:
    """``base`` with one to ``max_mutations`` damages."""
    data = bytearray(base)
    pieces = st.sampled_from(HOSTILE + words)
    for _ in range(draw(st.integers(1, max_mutations))):
        kind = draw(st.sampled_from(("insert", "insert", "replace", "delete", "repeat",
                                     "swap", "cut")))
        at = draw(st.integers(0, len(data)))
        span = draw(st.integers(0, 64))
        if kind == "insert":
            data[at:at] = draw(pieces)
        elif kind == "replace":
            data[at:at + span] = draw(pieces)
        elif kind == "delete":
            del data[at:at + span]
        elif kind == "repeat":
            data[at:at] = data[at:at + span] * draw(st.integers(1, 3))
        elif kind == "swap":
            other = draw(st.integers(0, len(data)))
            first, second = sorted((at, other))
            data[first:second + span] = (data[second:second + span] + data[first + span:second]
                                         + data[first:first + span])
        else:
            del data[at:]
    return bytes(data)


def words_of(text: bytes) -> tuple[bytes, ...]:
    """The distinct words and punctuation of ``text``, to put back in other places."""
    return tuple(sorted(set(re.findall(rb"[A-Za-z_][A-Za-z0-9_]*|[^\sA-Za-z0-9_]", text))))


#: Values to put in place of a part of a trace.
_FORGED = st.one_of(
    st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(allow_nan=False),
    st.text(max_size=20), st.sampled_from(["../../etc/passwd", "/dev/zero", "/proc/self/environ",
                                           "\x1b]52;c;cHduZWQ=\x07", "\u202e", "", "-"]),
    st.just([]), st.just({}), st.just({"type": "money"}), st.just({"value": "1e999999"}),
)


@st.composite
def damaged_trace(draw: st.DrawFn, trace: dict[str, Any], max_mutations: int = 3) -> Any:
    """A copy of the trace data with one to ``max_mutations`` parts deleted, replaced by a
    forged value, or moved to another part."""
    data = _copy(trace)
    for _ in range(draw(st.integers(1, max_mutations))):
        path = _path(draw, data)
        # Copied: a forged list or object is one object for every draw, and a later
        # mutation inside it would change what the strategy gives.
        if not path:
            return _copy(draw(_FORGED))
        parent = _at(data, path[:-1])
        key = path[-1]
        kind = draw(st.sampled_from(("delete", "forge", "forge", "move")))
        if kind == "delete":
            del parent[key]
        elif kind == "forge":
            parent[key] = _copy(draw(_FORGED))
        else:
            parent[key] = _copy(_at(data, _path(draw, data)))
    return data


def _path(draw: st.DrawFn, data: Any) -> list[Any]:
    """A path to some part of ``data``, going down a random number of levels."""
    path: list[Any] = []
    here = data
    while isinstance(here, dict | list) and here and draw(st.integers(0, 4)):
        key = draw(st.sampled_from(sorted(here) if isinstance(here, dict)
                                   else range(len(here))))
        path.append(key)
        here = here[key]
    return path


def _at(data: Any, path: list[Any]) -> Any:
    for key in path:
        data = data[key]
    return data


def _copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_copy(v) for v in data]
    return data
