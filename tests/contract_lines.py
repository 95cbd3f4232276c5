"""Where a declaration starts in a shipped file, for tests of the locations eqlang reports:
they compute the line, so that reformatting a contract (`eqlang fmt --write`) does not break
them, and still check the exact line and column reported."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def line_of(path: str | Path, start: str, text: str | None = None) -> int:
    """The 1-based line of ``path`` (relative to the repository, or ``text`` when given)
    that starts with ``start``; exactly one line must."""
    source = text if text is not None else (ROOT / path).read_text(encoding="utf-8")
    found = [n for n, line in enumerate(source.splitlines(), 1) if line.startswith(start)]
    assert len(found) == 1, f"{path}: {len(found)} lines start with {start!r}"
    return found[0]
