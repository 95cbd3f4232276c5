"""Diagnostics: takes problems found at any stage, gives messages for people.

A ``Diagnostic`` has a code, a message, the span of the offending text, notes pointing at
related text (for example where each of two conflicting types came from), and a hint saying
how to fix it. Its severity is an error (``E0201``: the contract is refused) or a warning
(``W0101``: the contract is accepted, but something in it is probably not what its writer
meant). ``render`` lays it out as ``file:line:col: error[CODE]: message`` (or
``warning[CODE]``) followed by the source line with carets under the span.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import attrs

from eqlang.syntax.source import Span
from eqlang.terminal import printable


@attrs.frozen
class Note:
    """A secondary location that explains the main one."""

    message: str
    span: Span | None = None


#: The severities of a diagnostic.
ERROR = "error"
WARNING = "warning"


@attrs.frozen
class Diagnostic:
    code: str
    message: str
    span: Span | None = None
    hint: str | None = None
    notes: tuple[Note, ...] = ()
    path: str | None = None
    line: int | None = None
    column: int | None = None
    #: How many problems this diagnostic reports: more than one for the count of those a
    #: ``Collector`` left out, so that a total counts every problem, not every message.
    problems: int = 1
    #: ``ERROR`` or ``WARNING``; a warning's code starts with W.
    severity: str = ERROR

    @property
    def is_warning(self) -> bool:
        return self.severity == WARNING

    def location(self) -> str:
        if self.span is not None:
            return self.span.location()
        parts = [self.path or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def sort_key(self) -> tuple[str, int, int, str]:
        # Lines and columns, not offsets: a diagnostic placed by line alone (a table row, the
        # count of those not shown) then sorts among those placed by span.
        if self.span is not None:
            return (self.span.path, self.span.line, self.span.column, self.code)
        return (self.path or "", self.line or 0, self.column or 0, self.code)


def denied(warning: Diagnostic) -> Diagnostic:
    """A warning made an error, as ``eqlang check --deny-warnings`` reports it."""
    return attrs.evolve(warning, severity=ERROR, notes=(
        *warning.notes, Note("a warning, made an error by --deny-warnings")))


class EqlangError(Exception):
    """Raised with one or more diagnostics; the CLI renders them and exits 1."""

    def __init__(self, diagnostics: Diagnostic | Sequence[Diagnostic]) -> None:
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(d.message for d in self.diagnostics))

    def __str__(self) -> str:
        # What a notebook or a service log shows: the same text as the command line
        # (file:line:col, the offending text, the hint), not the bare message, which
        # would not say which file or row is wrong.
        return render_all(self.diagnostics)


#: At most this many diagnostics are reported at once (per table, per settlement); one more
#: then says how many were left out. A systematically broken export (wrong delimiter, say)
#: would otherwise bury the first, most useful messages under thousands of copies.
MAX_DIAGNOSTICS = 50


class Collector:
    """Keeps the first MAX_DIAGNOSTICS diagnostics and counts the rest by code."""

    def __init__(self) -> None:
        self.shown: list[Diagnostic] = []
        self.suppressed: Counter[str] = Counter()
        self.first_suppressed: Diagnostic | None = None

    def add(self, diagnostic: Diagnostic) -> None:
        if len(self.shown) < MAX_DIAGNOSTICS:
            self.shown.append(diagnostic)
            return
        if self.first_suppressed is None:
            self.first_suppressed = diagnostic
        self.suppressed[diagnostic.code] += 1

    def __bool__(self) -> bool:
        return bool(self.shown)

    @property
    def full(self) -> bool:
        """Whether a diagnostic added now would only be counted, so its hint is not needed."""
        return len(self.shown) >= MAX_DIAGNOSTICS

    def finish(self, where: str) -> list[Diagnostic]:
        """The diagnostics kept, and one more counting those left out of ``where``."""
        if self.first_suppressed is None:
            return list(self.shown)
        first = self.first_suppressed
        total = sum(self.suppressed.values())
        by_code = ", ".join(f"{code} x{count:,}" for code, count in sorted(self.suppressed.items()))
        summary = Diagnostic(
            code=self.suppressed.most_common(1)[0][0],
            message=f"{counted(total, 'more problem')} in {where} "
            f"not shown ({by_code}), the first at {first.location()}",
            path=first.span.path if first.span is not None else first.path,
            line=first.span.line if first.span is not None else first.line,
            hint="fix the problems above and check again to see the rest",
            problems=total,
        )
        return [*self.shown, summary]
#: At most this many names are offered for a partial name; more would be a list, not a hint.
_MAX_SUGGESTIONS = 3
#: Beyond this many known names only a difference of letter case is suggested: a closest
#: spelling costs time in proportion to the names, and a hostile file can declare thousands.
_MAX_FUZZY_POOL = 2_000
#: A partial name shorter than this (after case and spaces) matches too much to be a hint.
_MIN_PARTIAL = 3


def counted(number: int, noun: str) -> str:
    """A number and its noun, in the plural unless the number is one: `1 table`, `1,200 rows`."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


#: At most this many names are listed in a message; a table of a thousand organizations
#: would otherwise make one hint a thousand names long.
MAX_LISTED = 10


def listed(names: Iterable[str]) -> str:
    """Names for a message, the first MAX_LISTED of them and a count of the rest:
    ``A, B, C and 990 more``."""
    names = list(names)
    shown = ", ".join(names[:MAX_LISTED])
    rest = len(names) - MAX_LISTED
    return shown + (f" and {rest:,} more" if rest > 0 else "")


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the known spelling ``name`` most likely stands for, if any.

    In order: the same name in other letter case; names that ``name`` begins, or whose
    words it gives in order, whatever the case (``mass general`` for "Mass General
    Brigham", ``measure_pay`` for `measure_payout`); the closest spelling.
    """
    pool = sorted(set(candidates))
    wanted = " ".join(name.split()).lower()
    same = [c for c in pool if c.lower() == wanted and c != name]
    if same:
        return f"did you mean `{same[0]}`? (names are case-sensitive)"
    if len(pool) > _MAX_FUZZY_POOL:
        return None
    if len(wanted) >= _MIN_PARTIAL:
        partial = [c for c in pool if _contains_words(c.lower(), wanted)]
        if 0 < len(partial) <= _MAX_SUGGESTIONS:
            return _offer(partial)
    lowered: dict[str, str] = {}
    for candidate in pool:
        lowered.setdefault(candidate.lower(), candidate)
    # A spelling slip changes a letter or two, not the length: without this, `baseline` was
    # answered with `Asian`, which shares four letters with it.
    slack = max(2, len(wanted) // 3)
    near = [c for c in lowered if abs(len(c) - len(wanted)) <= slack]
    matches = difflib.get_close_matches(wanted, near, n=1, cutoff=0.6)
    return _offer([lowered[matches[0]]]) if matches else None


def _contains_words(candidate: str, wanted: str) -> bool:
    """Whether ``wanted`` is a run of ``candidate``'s words, its last word perhaps cut short."""
    words, parts = _WORD.findall(candidate), _WORD.findall(wanted)
    if not parts:
        return False
    *whole, last = parts
    return any(words[i:i + len(whole)] == whole and words[i + len(whole)].startswith(last)
               for i in range(len(words) - len(whole)))


_WORD = re.compile(r"[^\W_]+|_")


def _offer(names: list[str]) -> str:
    shown = [f"`{n}`" for n in names]
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
    return f"did you mean {listed}?"


#: A source line longer than this is shown as a window around the offending text, so that
#: a hostile one-line file cannot flood the terminal.
MAX_SHOWN_WIDTH = 100
#: How much of the line before the offending text such a window keeps.
_CONTEXT_BEFORE = 30


def _excerpt(span: Span, label: str = "") -> list[str]:
    source = span.source
    line, column = source.position(span.start)
    end_line, end_column = source.position(max(span.start, span.end - 1))
    text = source.line_text(line)
    raw = text.expandtabs(1)
    width = len(str(line))
    last = end_column if end_line == line else len(text)
    length = max(1, last - column + 1)
    length = min(length, max(1, len(raw) - column + 1))
    # Control characters are shown escaped, wider than they stand: the carets follow.
    before = printable(raw[:column - 1])
    marked = printable(raw[column - 1:column - 1 + length])
    shown = before + marked + printable(raw[column - 1 + length:])
    indent, length = len(before), max(1, len(marked))
    if len(shown) > MAX_SHOWN_WIDTH:
        first = max(0, indent - _CONTEXT_BEFORE)
        window = shown[first:first + MAX_SHOWN_WIDTH]
        prefix = "..." if first > 0 else ""
        suffix = "..." if first + MAX_SHOWN_WIDTH < len(shown) else ""
        shown = prefix + window + suffix
        indent = indent - first + len(prefix)
        length = max(1, min(length, len(prefix) + len(window) - indent))
    gutter = " " * width
    caret_line = f"{gutter} | {' ' * indent}{'^' * length}"
    if end_line != line:
        caret_line += f" (continues to line {end_line})"
    if label:
        caret_line += f" {label}"
    return [f"{gutter} |", f"{line} | {shown}", caret_line]


def render(diagnostic: Diagnostic) -> str:
    """The full human-readable text of one diagnostic, control characters escaped: paths,
    names and source lines come from files anyone may have written."""
    lines = [printable(f"{diagnostic.location()}: {diagnostic.severity}[{diagnostic.code}]: "
                       f"{diagnostic.message}")]
    if diagnostic.span is not None:
        lines.extend(_excerpt(diagnostic.span))
    for note in diagnostic.notes:
        if note.span is not None:
            lines.append(printable(f"  = note: {note.message} ({note.span.location()})"))
            lines.extend("    " + row for row in _excerpt(note.span))
        else:
            lines.append(printable(f"  = note: {note.message}"))
    if diagnostic.hint:
        lines.append(printable(f"  = hint: {diagnostic.hint}"))
    lines.append(f"  = see: eqlang check --explain {diagnostic.code}")
    return "\n".join(lines)


def render_all(diagnostics: Iterable[Diagnostic]) -> str:
    ordered = sorted(diagnostics, key=lambda d: d.sort_key())
    return "\n\n".join(render(d) for d in ordered)
