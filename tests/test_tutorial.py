"""docs/tutorial.md, followed to the end in an empty folder: every file it writes is written,
every command it shows is run, and every output it shows is the output the command gives.

The tutorial's blocks:

- ```` ```eqlang file=NAME ```` (or ``csv``) writes NAME with the block's text;
  ```` ```eqlang append=NAME ```` adds the block's text to the end of NAME, after a blank
  line, as the reader is asked to.
- ```` ```console ```` holds commands, each on a line starting with ``$ ``, followed by the
  output the command prints (standard output and standard error, as a terminal shows them).
  ``eqlang`` commands are run through the command line's entry point; ``mkdir``, ``cd`` and
  ``touch`` are done here.
- Other blocks (``sh``, for installing) are instructions, not steps.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from eqlang.cli import main

TUTORIAL = Path(__file__).resolve().parent.parent / "docs" / "tutorial.md"
BLOCK = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```$", re.M | re.S)


@attrs.frozen
class Step:
    line: int
    kind: str  # "file", "append" or "command"
    target: str
    text: str


def steps(markdown: str) -> list[Step]:
    found: list[Step] = []
    for match in BLOCK.finditer(markdown):
        line = markdown.count("\n", 0, match.start()) + 1
        info, body = match.group("info").split(), match.group("body")
        if not info:
            continue
        for option in info[1:]:
            kind, _, target = option.partition("=")
            if kind in ("file", "append"):
                found.append(Step(line, kind, target, body))
        if info[0] == "console":
            found.extend(_commands(line, body))
    return found


def _commands(line: int, body: str) -> list[Step]:
    commands: list[Step] = []
    for offset, text in enumerate(body.splitlines()):
        if text.startswith("$ "):
            commands.append(Step(line + 1 + offset, "command", text[2:], ""))
        elif commands:
            last = commands[-1]
            commands[-1] = attrs.evolve(last, text=last.text + text + "\n")
        else:
            raise AssertionError(f"tutorial line {line}: output before any command")
    return commands


def run(step: Step, folder: Path) -> tuple[Path, str]:
    """Carry out one step in ``folder``; give the folder after it and what it printed."""
    if step.kind == "file":
        (folder / step.target).write_text(step.text, encoding="utf-8")
        return folder, ""
    if step.kind == "append":
        path = folder / step.target
        before = path.read_text(encoding="utf-8") if path.exists() else ""
        path.write_text(before.rstrip("\n") + "\n\n" + step.text, encoding="utf-8")
        return folder, ""
    words = shlex.split(step.target)
    if words[0] == "mkdir":
        (folder / words[1]).mkdir()
        return folder, ""
    if words[0] == "cd":
        return folder / words[1], ""
    if words[0] == "touch":
        (folder / words[1]).touch()
        return folder, ""
    assert words[0] == "eqlang", f"tutorial line {step.line}: cannot run `{step.target}`"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        result = CliRunner().invoke(main, words[1:], prog_name="eqlang")
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        step.line, result.exception)
    return folder, result.output


def test_tutorial_has_steps() -> None:
    found = steps(TUTORIAL.read_text(encoding="utf-8"))
    commands = [s for s in found if s.kind == "command" and s.target.startswith("eqlang")]
    assert len(commands) >= 8
    assert found[0].kind == "command" and found[0].target.startswith("mkdir")


def test_tutorial_runs_to_the_end(tmp_path: Path) -> None:
    folder = tmp_path
    for step in steps(TUTORIAL.read_text(encoding="utf-8")):
        folder, printed = run(step, folder)
        if step.kind == "command":
            shown = [line.rstrip() for line in step.text.rstrip("\n").splitlines()]
            actual = [line.rstrip() for line in printed.rstrip("\n").splitlines()]
            assert actual == shown, (
                f"docs/tutorial.md line {step.line}: `{step.target}` prints\n"
                + "\n".join(actual))
