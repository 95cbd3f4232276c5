"""Allow comments: takes the warnings about a file and its text, gives the warnings left once
its allow comments have taken theirs, and a warning for each allow comment that is wrong.

An allow comment is a plain comment ``# allow W0103: REASON``. Written after code, it allows
that warning on its own line; alone on its line, on the next line that holds code (other
comments may stand between, such as a doc comment). It allows every warning with that code
that starts on that line, and nothing else. The reason is required: an allow comment says
why the code is deliberate, for the next reader. An allow comment without a reason, one
naming a code that is not a warning, and one that allows nothing (the warning went away)
are reported as W0109, which no comment can allow.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

from eqlang.diagnostics import WARNING, Diagnostic
from eqlang.syntax.comments import find_comments
from eqlang.syntax.source import SourceFile, Span

#: ``# allow CODE`` and what follows; a comment such as "# allow for rounding" is prose.
_ALLOW = re.compile(r"#\s*allow\s+([A-Za-z]\d{4})\b(.*)$")
_PROBLEM = "W0109"


@attrs.frozen
class Allow:
    code: str
    reason: str
    #: The line whose warnings it allows.
    line: int
    span: Span
    #: How the comment is wrong, if it is; such a comment allows nothing.
    problem: str | None = None


def allow_comments(source: SourceFile, codes: Iterable[str]) -> list[Allow]:
    """The allow comments of a source text, each with the line it applies to."""
    known = set(codes)
    comments = find_comments(source.text)
    comment_lines = {source.position(offset)[0] for offset, _ in comments}
    found: list[Allow] = []
    for offset, text in comments:
        if text.startswith("##"):
            continue
        match = _ALLOW.match(text)
        if match is None:
            continue
        code, rest = match.group(1).upper(), match.group(2)
        line, column = source.position(offset)
        span = source.span(offset, offset + len(text))
        target = line
        if not source.line_text(line)[:column - 1].strip():
            # Alone on its line: it stands above the next line of code, over other comment
            # lines but not over a blank line.
            target = line + 1
            while target in comment_lines and source.line_text(target).lstrip().startswith("#"):
                target += 1
        reason = rest.strip().removeprefix(":").strip() if rest.strip().startswith(":") else ""
        problem = None
        if code not in known:
            problem = (f"`{code}` is an error, which no comment can allow" if code[0] == "E"
                       else f"there is no warning `{code}`")
        elif code == _PROBLEM:
            problem = f"`{_PROBLEM}` is about allow comments themselves and cannot be allowed"
        elif not reason:
            problem = "an allow comment says why the code is deliberate"
        found.append(Allow(code, reason, target, span, problem))
    return found


def apply_allows(source: SourceFile, warnings: list[Diagnostic], codes: Iterable[str]
                 ) -> list[Diagnostic]:
    """The warnings no allow comment of ``source`` takes, and W0109 for each allow comment
    that is wrong or allows nothing."""
    allows = allow_comments(source, codes)
    used: set[int] = set()
    kept: list[Diagnostic] = []
    for warning in warnings:
        span = warning.span
        taken = None
        if span is not None and span.source is source:
            taken = next((i for i, a in enumerate(allows) if a.problem is None
                          and a.code == warning.code and a.line == span.line), None)
        if taken is None:
            kept.append(warning)
        else:
            used.add(taken)
    for index, allow in enumerate(allows):
        if allow.problem is not None:
            hint = ("write the code of a warning and the reason: "
                    "`# allow W0103: the weight is kept for the report`")
            if allow.code in set(codes) and allow.code != _PROBLEM:
                hint = f"write the reason after a colon: `# allow {allow.code}: REASON`"
            kept.append(_problem(f"this allow comment allows nothing: {allow.problem}",
                                 allow.span, hint))
        elif index not in used:
            kept.append(_problem(
                f"this allow comment allows nothing: there is no warning {allow.code} on "
                f"line {allow.line}", allow.span,
                "remove the comment; an allow comment stands on the line of the warning it "
                "allows, or alone on the line above it"))
    return kept


def _problem(message: str, span: Span, hint: str) -> Diagnostic:
    return Diagnostic(_PROBLEM, message, span, hint=hint, severity=WARNING)
