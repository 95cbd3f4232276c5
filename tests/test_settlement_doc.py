"""The console examples of docs/settlement.md print what the document shows."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from eqlang.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "settlement.md"
BLOCK = re.compile(r"```(console|csv)\n(.*?)```", re.DOTALL)


def matches(expected: list[str], actual: list[str]) -> bool:
    """Line by line; a line `...` in the expected text stands for any number of lines."""
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and expected[0] == actual[0] and matches(expected[1:], actual[1:])


def test_the_document_has_console_examples() -> None:
    assert sum(1 for kind, _ in BLOCK.findall(DOC.read_text()) if kind == "console") >= 5


def test_console_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "contracts", tmp_path / "contracts")
    monkeypatch.chdir(tmp_path)
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    csv_name = re.compile(r"For this `([\w.-]+)`:")
    names = iter(csv_name.findall(DOC.read_text(encoding="utf-8")))
    for kind, text in blocks:
        if kind == "csv":
            Path(next(names)).write_text(text, encoding="utf-8")
            continue
        commands = re.split(r"^\$ ", text, flags=re.MULTILINE)[1:]
        for command in commands:
            line, _, expected = command.partition("\n")
            words = shlex.split(line)
            assert words[0] == "eqlang"
            result = CliRunner().invoke(main, words[1:], catch_exceptions=False)
            actual = result.output.splitlines()
            assert matches(expected.splitlines(), actual), (
                f"$ {line}\n--- expected\n{expected}--- got\n{result.output}")


def test_the_readme_explain_excerpt_is_real(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    excerpt = readme.split("down to the table rows (abridged):\n\n```text\n")[1].split("```")[0]
    monkeypatch.chdir(ROOT)
    trace = tmp_path / "trace.json"
    runner = CliRunner()
    assert runner.invoke(main, ["eval", "contracts/reference-equity.eq", "--table",
                                "contracts/reference-equity.csv", "--trace",
                                str(trace)]).exit_code == 0
    result = runner.invoke(main, ["explain", str(trace), "measure_payout(CBP)", "--org",
                                  "Harborview Health Partners"])
    expected = ["...", *excerpt.splitlines(), "..."]
    assert matches(expected, result.output.splitlines()), result.output
