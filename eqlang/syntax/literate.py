"""Literate contracts: takes a Markdown file, gives the eqlang text of its ``eqlang`` blocks.

A literate contract is a Markdown file, named ``NAME.eq.md``, whose fenced code blocks with
the info string ``eqlang`` are the contract and whose prose is the legal text around them.
Its eqlang text is the Markdown with everything outside those blocks' contents turned into
spaces (line ends kept): every character of a block stands at the same offset, line and
column as in the Markdown file, so that a diagnostic, a trace span or an ``explain``
location read off the eqlang text names the right place in the Markdown. ``Literate`` is the
map both ways, for tools (a language server) that hold positions in the Markdown.

Fenced blocks are found by markdown-it-py, a CommonMark parser, so a block inside a list
item or a block quote is found as a Markdown reader sees it. ``format_literate`` formats the
blocks one by one and leaves every other byte of the file as it is.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path

import attrs

from eqlang.diagnostics import Diagnostic, EqlangError
from eqlang.syntax import ast as s
from eqlang.syntax.fmt import format_module
from eqlang.syntax.parse import parse
from eqlang.syntax.source import SourceError, SourceFile, read_source

#: How the name of a literate contract ends.
LITERATE_SUFFIX = ".eq.md"
#: The info string (first word after the fence) of a block that holds the contract.
BLOCK_LANGUAGE = "eqlang"


def is_literate(path: str | Path) -> bool:
    """Whether a path names a literate contract (``NAME.eq.md``)."""
    return Path(path).name.lower().endswith(LITERATE_SUFFIX)


def _is_markdown(path: str | Path) -> bool:
    return Path(path).suffix.lower() in (".md", ".markdown")


@attrs.frozen
class Block:
    """One ``eqlang`` block: offsets into the Markdown text, half-open."""

    #: From the first character of the opening fence line to the end of the closing fence
    #: line (or of the file, when the block is never closed).
    start: int
    end: int
    #: Each content line's text, without the container's prefix (``> ``, a list item's
    #: indentation) or the line end.
    lines: tuple[tuple[int, int], ...]
    #: What stands before a content line's text: the block quote markers and indentation
    #: that new lines of the block are written with.
    prefix: str

    @property
    def content_start(self) -> int:
        return self.lines[0][0] if self.lines else self.start

    @property
    def content_end(self) -> int:
        return self.lines[-1][1] if self.lines else self.start

    def holds(self, offset: int) -> bool:
        """Whether ``offset`` is a character of the block's content (or the end of a line)."""
        return any(start <= offset <= end for start, end in self.lines)


@attrs.frozen
class Literate:
    """A Markdown text, the eqlang text of its blocks, and the map between them.

    The map is the identity on the blocks' contents: an offset (or line and column) there is
    the same in both texts. A position in the prose has no eqlang position.
    """

    markdown: str
    text: str
    blocks: tuple[Block, ...]

    def block_at(self, offset: int) -> Block | None:
        """The block whose content holds ``offset`` of the Markdown, if any."""
        index = bisect.bisect_right([b.start for b in self.blocks], offset) - 1
        if index >= 0 and self.blocks[index].holds(offset):
            return self.blocks[index]
        return None

    def to_eqlang(self, offset: int) -> int | None:
        """The eqlang offset of a Markdown offset; None for prose."""
        return offset if self.block_at(offset) is not None else None

    def to_markdown(self, offset: int) -> int:
        """The Markdown offset of an eqlang offset: the same one (a space outside the
        blocks stands where the prose it replaced stood)."""
        if not 0 <= offset <= len(self.text):
            raise ValueError(f"offset {offset} is outside the text (0 to {len(self.text)})")
        return offset


def _line_starts(text: str) -> list[int]:
    return [0, *(i + 1 for i, ch in enumerate(text) if ch == "\n")]


def _markdown_lines(text: str) -> str:
    """The text as markdown-it should see it: a carriage return not followed by a line feed
    ends a line there but not for eqlang, so it is read as a space, keeping the two line
    counts equal."""
    return re.sub(r"\r(?!\n)", " ", text)


def read_literate(markdown: str, path: str = "<markdown>") -> Literate:
    """The eqlang text of a Markdown text's ``eqlang`` blocks, with the blocks themselves.

    ``path`` only names the file in the error raised when a block's content cannot be found
    on its lines (a tab in a container's indentation, which Markdown reads as spaces).
    """
    # Imported here: a plain .eq contract is read without Markdown.
    from markdown_it import MarkdownIt

    starts = _line_starts(markdown)
    ends = [*(start - 1 for start in starts[1:]), len(markdown)]
    blocks: list[Block] = []
    # Imported here: settling a plain contract reads no Markdown, and the parser takes a
    # tenth of eqlang's start-up to import.

    for token in MarkdownIt("commonmark").parse(_markdown_lines(markdown)):
        if token.type != "fence" or token.map is None:
            continue
        words = token.info.split()
        if not words or words[0] != BLOCK_LANGUAGE:
            continue
        first, last = token.map
        lines = []
        prefix = ""
        for number, content in enumerate(token.content.split("\n")[:-1], start=first + 1):
            line_start, line_end = starts[number], ends[number]
            if markdown[line_end - 1:line_end] == "\r" and line_end > line_start:
                line_end -= 1
            written = markdown[line_start:line_end]
            if not written.endswith(content):
                raise SourceError(
                    path, f"line {number + 1}: the eqlang block's text cannot be placed on "
                    "its line (a tab in the indentation before it?)",
                    "indent the block and what contains it with spaces, not tabs")
            if not prefix and content:
                # From a line with text: a blank line of a block in a list item may have
                # none of the item's indentation.
                prefix = written[:len(written) - len(content)]
            lines.append((line_end - len(content), line_end))
        blocks.append(Block(starts[first], ends[last - 1], tuple(lines), prefix))
    text = re.sub(r"[^\r\n]", " ", markdown)
    pieces = []
    done = 0
    for block in blocks:
        for start, end in block.lines:
            pieces += [text[done:start], markdown[start:end]]
            done = end
    pieces.append(text[done:])
    return Literate(markdown, "".join(pieces), tuple(blocks))


@attrs.frozen(eq=False)
class LiterateSource(SourceFile):
    """The eqlang text of a literate contract, as a source file: diagnostics and traces name
    the Markdown file, and its SHA-256 is the Markdown file's."""

    literate: Literate | None = attrs.field(default=None, kw_only=True, repr=False)


def literate_source(markdown: SourceFile) -> LiterateSource:
    """A Markdown file read from disk, as the eqlang source it holds."""
    literate = read_literate(markdown.text, markdown.path)
    if not literate.blocks:
        raise SourceError(
            markdown.path, "this Markdown file has no ```eqlang block, so it holds no contract",
            "put the contract's declarations in fenced blocks opened with ```eqlang and "
            "closed with ```")
    return LiterateSource(markdown.path, literate.text, markdown.sha256, literate=literate)


def read_contract(path: str | Path, display: str | None = None) -> SourceFile:
    """Read a contract or module: eqlang source, or a literate contract (``NAME.eq.md``)."""
    return contract_source(path, read_source(path, display))


def contract_source(path: str | Path, source: SourceFile) -> SourceFile:
    """The text of the file at ``path``, already read, as a contract or module is read."""
    if is_literate(path):
        return literate_source(source)
    if _is_markdown(path):
        raise SourceError(
            source.path, "this is a Markdown file; eqlang reads Markdown as a literate "
            f"contract only when its name ends in {LITERATE_SUFFIX}",
            f"rename it to end in {LITERATE_SUFFIX} if its ```eqlang blocks are a contract")
    return source


def parse_contract(source: SourceFile) -> s.Module:
    """Parse a source file; in a literate one, each declaration must end in the block it
    starts in, so that it reads whole wherever the contract is shown."""
    module = parse(source)
    literate = source.literate if isinstance(source, LiterateSource) else None
    if literate is not None:
        found = (_split(source, literate, d) for d in module.declarations)
        problems = [d for d in found if d is not None]
        if problems:
            raise EqlangError(problems)
    return module


def _split(source: SourceFile, literate: Literate, declaration: s.Declaration
           ) -> Diagnostic | None:
    span = declaration.span
    block = literate.block_at(span.start)
    if block is None or span.end <= block.content_end:
        return None
    stop = len(literate.text[block.content_start:block.content_end].rstrip())
    last = block.content_start + stop
    line = source.position(span.end)[0]
    return Diagnostic(
        "E0003", "the ```eqlang block ends in the middle of a declaration, which goes on in "
        f"the next block (line {line})", source.span(max(span.start, last - 1), last),
        hint="keep each declaration within one block: move the prose from inside it to "
        "before or after it")


def _alone(literate: Literate, block: Block, path: str) -> SourceFile:
    """The eqlang text of one block alone, at its place in the file."""
    text = re.sub(r"[^\r\n]", " ", literate.text[:block.content_start])
    rest = literate.text[block.content_end:]
    return SourceFile(path, text + literate.text[block.content_start:block.content_end]
                      + re.sub(r"[^\r\n]", " ", rest))


def format_literate(source: LiterateSource) -> str:
    """The Markdown with each ``eqlang`` block in the canonical layout and every other byte
    as it was. The whole contract must parse, each declaration within one block."""
    parse_contract(source)
    literate = source.literate
    assert literate is not None
    markdown = literate.markdown
    newline = "\r\n" if "\r\n" in markdown else "\n"
    pieces = []
    done = 0
    for block in literate.blocks:
        if not block.lines:
            continue
        alone = _alone(literate, block, source.path)
        if not alone.text.strip():
            continue  # a block of blank lines has nothing to lay out
        formatted = format_module(parse(alone))
        lines = [block.prefix + line if line else block.prefix.rstrip()
                 for line in formatted.split("\n")[:-1]]
        # From the start of the block's first line: a blank one may be shorter than the
        # prefix (in a list item, it often has none of the item's indentation).
        first = markdown.rfind("\n", 0, block.lines[0][1]) + 1
        last = block.lines[-1][1]
        pieces += [markdown[done:first], newline.join(lines)]
        done = last
    pieces.append(markdown[done:])
    return "".join(pieces)


def format_source(source: SourceFile) -> tuple[str, str]:
    """A source file's text as written and formatted: a literate contract's Markdown with
    its blocks formatted, or eqlang source in the canonical layout."""
    if isinstance(source, LiterateSource) and source.literate is not None:
        return source.literate.markdown, format_literate(source)
    return source.text, format_module(parse(source))
