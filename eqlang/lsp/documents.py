"""Documents: takes the text of a file an editor holds (a contract, a module or a literate
contract, saved or not), gives its analysis: the checked program as far as it could be
built, and the errors and warnings to show.

The text is checked as ``eqlang check`` checks the file, its imports read from the editor
when it holds them and from disk otherwise. A file that does not parse gives no program;
the editor still needs one to hover, complete and jump while the writer types, so the
declarations that do not parse are left out (their text turned into spaces, every other
character in place) and the rest is analysed: a *partial* program, used for navigation
only, while the errors shown are the real ones.

Positions are 0-based lines and characters of Python strings (code points); the server
converts them to what the editor counts in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import attrs

from eqlang.check import Analysis, analyze
from eqlang.diagnostics import Diagnostic
from eqlang.syntax.literate import LiterateSource, is_literate, literate_source
from eqlang.syntax.modules import LoadedModule, Loader, source_error_diagnostic
from eqlang.syntax.parser_tables import DECLARATION_KEYWORDS, data_path
from eqlang.syntax.source import SourceError, SourceFile, Span, decode_source

#: How many times the declarations that do not parse are left out before giving up.
_MAX_RETRIES = 20
#: A line that starts a declaration (after a literate block's `> ` or indentation).
_DECLARATION_LINE = re.compile(
    rf"^[ \t>]*(?:{'|'.join(DECLARATION_KEYWORDS)})(?![A-Za-z0-9_])", re.M)
#: The display name of a standard library module, as the loader gives it.
STDLIB_PREFIX = "<stdlib>/"


@attrs.frozen(eq=False)
class Analyzed:
    """One analysis of a document."""

    path: Path
    #: The text analysed, as the editor holds it (a literate contract's Markdown).
    text: str
    #: The main source as checked (a literate contract's eqlang text), or None when the
    #: file could not be read as eqlang at all.
    source: SourceFile | None
    #: The checked program and its diagnostics, or None when nothing could be loaded.
    analysis: Analysis | None
    #: The errors and warnings to show.
    problems: tuple[Diagnostic, ...]
    #: Whether ``analysis`` is of the file with its unparsable declarations left out.
    partial: bool = False

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def program(self) -> object | None:
        return self.analysis.program if self.analysis is not None else None

    def file_of(self, span: Span) -> Path:
        """The file a span of this analysis is in."""
        return file_of(span.source.path, self.root)

    def files(self) -> list[Path]:
        """Every file the analysis read: the document and the modules it imports."""
        if self.analysis is None:
            return [self.path]
        return [file_of(m.source.path, self.root) for m in self.analysis.program.modules]


def file_of(display: str, root: Path) -> Path:
    """The file behind a path as the loader shows it: absolute, relative to the contract's
    folder, or ``<stdlib>/NAME.eq``."""
    if display.startswith(STDLIB_PREFIX):
        return data_path("stdlib") / display[len(STDLIB_PREFIX):]
    shown = Path(display)
    return shown if shown.is_absolute() else root / shown


def _display(path: Path, root: Path) -> str | None:
    """How the loader shows a file it reaches from a contract in ``root``, if it does."""
    resolved = path.resolve()
    stdlib = data_path("stdlib").resolve()
    if resolved.parent == stdlib:
        return STDLIB_PREFIX + resolved.name
    try:
        return str(resolved.relative_to(root.resolve()))
    except ValueError:
        return None


def source_of(display: str, path: Path, text: str) -> SourceFile:
    """The eqlang source of an editor's text; raises ``SourceError`` for what cannot be
    one (a literate file without an ``eqlang`` block, a file too large)."""
    source = decode_source(display, text.encode("utf-8"))
    return literate_source(source) if is_literate(path) else source


def _load(path: Path, text: str, others: dict[Path, str]) -> tuple[LoadedModule | None,
                                                                  list[Diagnostic]]:
    loader = Loader(path.parent)
    for other, other_text in others.items():
        shown = _display(other, path.parent)
        if shown is None or other.resolve() == path.resolve():
            continue
        try:
            loader.given[other.resolve()] = source_of(shown, other, other_text)
        except SourceError:
            continue  # read from disk instead, where the loader reports it
    try:
        source = source_of(str(path), path, text)
    except SourceError as error:
        return None, [source_error_diagnostic(error)]
    loaded = loader.load_main(path, str(path), source=source)
    return (loaded if not loader.diagnostics else None), list(loader.diagnostics)


def analyze_text(path: Path, text: str, others: dict[Path, str] | None = None) -> Analyzed:
    """Check the text an editor holds for ``path``; ``others`` are the texts it holds for
    other files, which imports read instead of the disk."""
    others = others or {}
    loaded, problems = _load(path, text, others)
    if loaded is not None:
        try:
            analysis = analyze(loaded)
        except RecursionError:
            problems = [Diagnostic("E0005", "the contract is nested too deeply to check",
                                   None, path=str(path), line=1)]
            return Analyzed(path, text, loaded.source, None, tuple(problems))
        return Analyzed(path, text, loaded.source,
                        analysis, (*analysis.diagnostics, *analysis.warnings))
    partial = _partial(path, text, problems, others)
    source = partial.source if partial is not None else None
    return Analyzed(path, text, source, partial.analysis if partial is not None else None,
                    tuple(problems), partial=partial is not None)


def _partial(path: Path, text: str, problems: list[Diagnostic], others: dict[Path, str]
             ) -> Analyzed | None:
    """The analysis of the text with the declarations that do not load left out, or None
    when the problems are not in declarations of this file."""
    current = text
    for _ in range(_MAX_RETRIES):
        spoilt = [_offset(d, current, path) for d in problems]
        if not spoilt or None in spoilt:
            return None
        blanked = _blank(current, [o for o in spoilt if o is not None])
        if blanked == current:
            return None
        current = blanked
        loaded, problems = _load(path, current, others)
        if loaded is not None:
            try:
                analysis = analyze(loaded)
            except RecursionError:
                return None
            return Analyzed(path, text, loaded.source, analysis, (), partial=True)
    return None


def _offset(d: Diagnostic, text: str, path: Path) -> int | None:
    """Where a problem of this file is, as an offset; None for one elsewhere."""
    if d.span is not None:
        return d.span.start if d.span.source.path == str(path) else None
    if d.path == str(path) and d.line is not None:
        starts = [0, *(m.end() for m in re.finditer("\n", text))]
        return starts[min(d.line, len(starts)) - 1]
    return None


def _blank(text: str, offsets: Iterable[int]) -> str:
    """``text`` with each declaration holding one of ``offsets`` turned into spaces."""
    starts = [m.start() for m in _DECLARATION_LINE.finditer(text)]
    chars = list(text)
    for offset in offsets:
        begin = max((s for s in starts if s <= offset), default=0)
        end = min((s for s in starts if s > offset), default=len(text))
        for i in range(begin, end):
            if chars[i] not in "\r\n":
                chars[i] = " "
    return "".join(chars)


def line_text(source: SourceFile, line: int) -> str:
    """Line ``line`` (1-based) of a file as its editor shows it: a literate contract's line
    of Markdown."""
    literate = source.literate if isinstance(source, LiterateSource) else None
    if literate is not None:
        lines = literate.markdown.split("\n")
        return lines[line - 1].rstrip("\r") if line <= len(lines) else ""
    return source.line_text(line) if line <= source.line_count else ""


def offset_at(source: SourceFile, line: int, character: int) -> int | None:
    """The offset in the eqlang text of a 0-based position; None in a literate contract's
    prose."""
    if line >= source.line_count:
        return None
    start = _line_start(source, line + 1)
    end = source.text.find("\n", start)
    offset = min(start + character, len(source.text) if end < 0 else end)
    if isinstance(source, LiterateSource) and source.literate is not None:
        return source.literate.to_eqlang(offset)
    return offset


def _line_start(source: SourceFile, line: int) -> int:
    text = source.text
    index = 0
    for _ in range(line - 1):
        found = text.find("\n", index)
        if found < 0:
            return len(text)
        index = found + 1
    return index
