"""Source files and spans: takes file bytes, gives decoded text and line/column positions.

Every AST node and value carries a ``Span`` so that diagnostics and traces can point at the
exact text behind them.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import unicodedata
from pathlib import Path
from typing import BinaryIO

import attrs

from eqlang.files import Unreadable, read_limited
from eqlang.terminal import escape, is_bidi_control, unsafe

#: Contracts larger than this are refused before parsing: no real contract comes near it
#: (the largest shipped one is under 30 kB), and a file this size checks within seconds.
MAX_SOURCE_BYTES = 500_000

#: The path that stands for standard input, and how diagnostics show it.
STDIN, STDIN_SHOWN = "-", "<stdin>"


def names_stdin(path: str | Path) -> bool:
    """Whether a path the user gave is `-`, which only some commands read as standard input."""
    return Path(path).name == STDIN


def normal_text(text: str) -> str:
    """Text in Unicode normal form NFC, the form names are compared in: an accent typed as
    one character or as a letter and a combining mark looks the same to every reader."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


@attrs.frozen(eq=False)
class SourceFile:
    """One source text with its display path. Compared by identity: texts can be large."""

    path: str
    text: str
    sha256: str = ""
    _line_starts: tuple[int, ...] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        # Each line starts one past the end of the one before it: a step per line, not per
        # character (a long contract has hundreds of thousands of them).
        lines = self.text.split("\n")
        ends = itertools.accumulate(len(line) + 1 for line in lines[:-1])
        object.__setattr__(self, "_line_starts", (0, *ends))

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset."""
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def line_text(self, line: int) -> str:
        start = self._line_starts[line - 1]
        end = self._line_starts[line] - 1 if line < len(self._line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r")

    def span(self, start: int, end: int) -> Span:
        return Span(self, start, max(start, end))

    @property
    def line_count(self) -> int:
        return len(self._line_starts)


@attrs.frozen
class Span:
    """A half-open range of characters in one source file."""

    source: SourceFile = attrs.field(repr=False)
    start: int
    end: int

    @property
    def line(self) -> int:
        return self.source.position(self.start)[0]

    @property
    def column(self) -> int:
        return self.source.position(self.start)[1]

    @property
    def text(self) -> str:
        return self.source.text[self.start : self.end]

    @property
    def path(self) -> str:
        return self.source.path

    def location(self) -> str:
        line, column = self.source.position(self.start)
        return f"{self.source.path}:{line}:{column}"

    def to(self, other: Span) -> Span:
        """The span covering this one through ``other`` (same file)."""
        return Span(self.source, min(self.start, other.start), max(self.end, other.end))


class SourceError(Exception):
    """A file that cannot be read as eqlang source at all (missing, binary, too large), with
    the line and column of the offending byte where there is one."""

    def __init__(self, path: str, message: str, hint: str, line: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.hint = hint
        self.line = line
        self.column = column


def _place(data: bytes, offset: int) -> tuple[int, int]:
    """Line and character column of the byte at ``offset``, counted as the parser counts
    them (a byte-order mark is not a column)."""
    start = data.rfind(b"\n", 0, offset) + 1
    before = data[start:offset].decode("utf-8", errors="replace").lstrip("\ufeff")
    return data.count(b"\n", 0, offset) + 1, len(before) + 1


def decode_source(path: str, data: bytes) -> SourceFile:
    """Decode contract bytes, refusing what cannot be a contract with a reason and a fix.

    Lines end with LF or CRLF. A carriage return on its own is refused where it stands:
    some editors and terminals end a line there and others do not, so a comment would run
    on, unseen, over what looks like the next line.
    """
    if len(data) > MAX_SOURCE_BYTES:
        raise SourceError(
            path,
            f"file is {len(data):,} bytes; eqlang reads contracts of at most "
            f"{MAX_SOURCE_BYTES:,} bytes",
            "split the contract into modules and import them",
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise SourceError(
            path,
            f"file contains NUL bytes (the first at byte {nul}): this looks like a binary "
            "file, not a contract",
            "check the path; contracts are UTF-8 text files ending in .eq",
            *_place(data, nul),
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        offset = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        raise SourceError(
            path,
            f"file is not valid UTF-8 (byte {offset} is 0x{data[offset]:02x})",
            "save the contract as UTF-8 text",
            *_place(data, offset),
        ) from None
    for found in unsafe(text):
        char, offset = found.group(), found.start()
        if is_bidi_control(char) or text.startswith("\r\n", offset):
            continue  # a line end, or a direction the parser allows in display text only
        line = text.count("\n", 0, offset) + 1
        column = offset - text.rfind("\n", 0, offset)
        if char == "\r" or unicodedata.category(char) in ("Zl", "Zp"):
            what = "a carriage return (CR)" if char == "\r" else f"a {_NAMES[char]}"
            raise SourceError(
                path,
                f"{what} that does not end a line: eqlang ends lines at LF or CRLF only, "
                f"and some programs show a {_NAMES[char]} as a line break where eqlang sees "
                "none",
                "save the file with LF (or CRLF) line ends", line, column)
        raise SourceError(
            path,
            f"a control character, {escape(char)}, which a terminal or an editor may act on "
            "or hide instead of showing",
            "remove it; a line break in quoted text is written \\n", line, column)
    return SourceFile(path, text, hashlib.sha256(data).hexdigest())


_NAMES = {"\r": "lone CR", "\u2028": "line separator (U+2028)",
          "\u2029": "paragraph separator (U+2029)"}


def read_source(path: str | Path, display: str | None = None) -> SourceFile:
    """Read and decode a source file from disk: a regular file of at most
    ``MAX_SOURCE_BYTES``, never a pipe or a device."""
    shown = display if display is not None else str(path)
    try:
        data = read_limited(path, MAX_SOURCE_BYTES, "contract")
    except Unreadable as problem:
        if problem.kind == "missing" and names_stdin(path):
            raise SourceError(shown, "`-` (standard input) is read only by `eqlang check` and "
                              "`eqlang fmt`", "save the contract to a file and name it") from None
        hint = {"directory": "name a .eq file; for every contract in a folder, use a "
                "wildcard such as `contracts/*.eq`",
                "too large": "split the contract into modules and import them"}
        raise SourceError(shown, problem.message,
                          hint.get(problem.kind, problem.hint)) from None
    return decode_source(shown, data)


def read_stream(stream: BinaryIO, display: str = STDIN_SHOWN) -> SourceFile:
    """Read and decode a contract from a stream (standard input), as ``read_source`` does
    a file; one byte past the limit is read, since a pipe has no size to check first."""
    return decode_source(display, stream.read(MAX_SOURCE_BYTES + 1))
