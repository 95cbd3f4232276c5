"""Comments: takes a source text and its parsed declarations, gives each declaration the
comments that belong to it and how they were laid out, for ``fmt`` and the documentation.

``#`` starts a comment outside quoted text; a comment belongs to the declaration it
precedes, or to the one it sits inside or on the last line of. Doc comments (``##``) become
the declaration's ``doc``; plain ones its ``comments``.
"""

from __future__ import annotations

import attrs

from eqlang.diagnostics import Diagnostic, EqlangError
from eqlang.syntax import ast as s
from eqlang.syntax.source import SourceFile


def find_comments(text: str) -> list[tuple[int, str]]:
    """Offsets and texts of ``#`` comments, skipping ``#`` inside quoted text."""
    comments: list[tuple[int, str]] = []
    offset = 0
    for line in text.split("\n"):
        if "#" not in line:
            offset += len(line) + 1
            continue
        in_string = False
        escaped = False
        for i, ch in enumerate(line):
            if in_string:
                if escaped:
                    escaped = False
                elif ch == "\\":
                    escaped = True
                elif ch == '"':
                    in_string = False
            elif ch == '"':
                in_string = True
            elif ch == "#":
                comments.append((offset + i, line[i:].rstrip("\r").rstrip()))
                break
        offset += len(line) + 1
    return comments


def attach_comments(source: SourceFile, declarations: list[s.Declaration]) -> s.Module:
    """The module of ``declarations``, each with the comments above it (and those inside it
    or after it on its last line) as its ``leading``, and the comments after the last one.

    Raises ``EqlangError`` (E0008) for a doc comment that no declaration follows.
    """
    comments = find_comments(source.text)
    attached: list[s.Declaration] = []
    index = 0
    # The last line taken by a declaration or comment so far: a line more between it and
    # the next one is a blank line.
    previous_line = 0
    for position, declaration in enumerate(declarations):
        following = declarations[position + 1] if position + 1 < len(declarations) else None
        own: list[str] = []
        layout: list[str] = []
        # A comment belongs to the declaration it precedes, or to one it sits inside or on
        # the last line of; fmt writes all of them above the declaration, in the order
        # written, those from inside it or its last line right above it.
        start_line = source.position(declaration.span.start)[0]
        last_line = source.position(declaration.span.end)[0]
        above = True
        while index < len(comments):
            offset, text = comments[index]
            line = source.position(offset)[0]
            inside = offset < declaration.span.end
            same_line = line == last_line
            before_next = following is None or offset < following.span.start
            if not (inside or (same_line and before_next)):
                break
            if above and offset >= declaration.span.start:
                above = False
                _mark_blank(layout, start_line, previous_line)
            if above:
                _mark_blank(layout, line, previous_line)
                previous_line = line
            own.append(text)
            layout.append(s.DOC_LINE if text.startswith("##") else s.COMMENT_LINE)
            index += 1
        if above:
            _mark_blank(layout, start_line, previous_line)
        previous_line = last_line
        doc = tuple(c[2:].strip() for c in own if c.startswith("##"))
        plain = tuple(c for c in own if not c.startswith("##"))
        leading = s.Leading(doc, plain, layout=tuple(layout))
        attached.append(attrs.evolve(declaration, leading=leading))
    dangling = [(offset, text) for offset, text in comments[index:] if text.startswith("##")]
    if dangling:
        # A doc comment is shown by explain, the trace and generated docs with the
        # declaration after it; with none after it, its words would silently go nowhere.
        offset, text = dangling[0]
        raise EqlangError(Diagnostic(
            "E0008", "this doc comment documents nothing: no declaration follows it",
            source.span(offset, offset + len(text)),
            hint="write it right above the declaration it describes, or start it with a "
            "single `#` to keep it as a plain comment"))
    trailing = tuple(text for _, text in comments[index:])
    span = source.span(0, len(source.text))
    return s.Module(tuple(attached), trailing, span=span)


def _mark_blank(layout: list[str], line: int, previous_line: int) -> None:
    """Note a blank line before ``line`` if one stands after ``previous_line``."""
    if previous_line and line > previous_line + 1:
        layout.append(s.BLANK_LINE)
