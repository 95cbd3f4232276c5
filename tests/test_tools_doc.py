"""The console examples of docs/tools.md print what the document shows."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_settlement_doc import matches

from eqlang.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "tools.md"
BLOCK = re.compile(r"```(console|toml|text)\n(.*?)```", re.DOTALL)
CHANGED = re.compile(r"`new-terms\.eq` is `contracts/reference-equity\.eq` with line (\d+) "
                     r"changed to\n`([^`]+)`")


def test_console_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = DOC.read_text(encoding="utf-8")
    shutil.copytree(ROOT / "contracts", tmp_path / "contracts")
    monkeypatch.chdir(tmp_path)
    number, line = CHANGED.search(text).groups()  # type: ignore[union-attr]
    lines = (tmp_path / "contracts" / "reference-equity.eq").read_text(
        encoding="utf-8").splitlines(keepends=True)
    lines[int(number) - 1] = line + "\n"
    Path("new-terms.eq").write_text("".join(lines), encoding="utf-8")
    ran = 0
    for kind, body in BLOCK.findall(text):
        if kind == "toml":
            Path("scenarios.toml").write_text(body, encoding="utf-8")
            continue
        if kind == "text":
            # The beginning of the values table written by the command before it.
            written = Path("values.csv").read_text(encoding="utf-8").splitlines()
            assert written[:len(body.splitlines())] == body.splitlines()
            continue
        for command in re.split(r"^\$ ", body, flags=re.MULTILINE)[1:]:
            first, _, expected = command.partition("\n")
            words = shlex.split(first)
            assert words[0] == "eqlang"
            result = CliRunner().invoke(main, words[1:], catch_exceptions=False)
            assert result.exit_code == 0, result.output
            assert matches(expected.splitlines(), result.stdout.splitlines()), (
                f"$ {first}\n--- expected\n{expected}--- got\n{result.stdout}")
            ran += 1
    assert ran >= 5


def test_the_python_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code = DOC.read_text(encoding="utf-8").split("```python\n")[1].split("```")[0]
    namespace: dict[str, object] = {}
    exec(compile(code, "docs/tools.md", "exec"), namespace)
    frame = namespace["frame"]
    from decimal import Decimal

    assert frame["value"].iloc[0] == Decimal("49345.25")  # type: ignore[index]
