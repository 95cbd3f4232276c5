"""Tests of eqlang.codes: every code the package emits is explained, and every example in an
explanation does what its text says (the wrong one fails with its code, the fixed one passes).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from eqlang.api import settle
from eqlang.backends.exact import Evaluator
from eqlang.check.checker import load_and_check
from eqlang.cli import main
from eqlang.codes import EXPLANATIONS, STAGES, explain, known_codes
from eqlang.data.tables import load_tables
from eqlang.diagnostics import Diagnostic, EqlangError
from eqlang.syntax.parse import parse
from eqlang.syntax.source import SourceFile

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "eqlang"
CODE = re.compile(r"\bE0\d{3}\b")
#: Codes reserved for the command line and traces (emitted by api.py and cli.py).
RESERVED = {"E0601", "E0602", "E0603", "E0604", "E0701"}


def emitted_codes() -> set[str]:
    """Every code written in a string literal of a module of the package (not codes.py)."""
    found: set[str] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "codes.py":
            continue
        found.update(re.findall(r"""["'](E0\d{3})["']""", path.read_text(encoding="utf-8")))
    return found


def test_the_package_emits_codes() -> None:
    # Guards the regular expression: if it found nothing, the next test would prove nothing.
    assert {"E0001", "E0101", "E0201", "E0301", "E0401", "E0501"} <= emitted_codes()


def test_every_emitted_code_is_explained() -> None:
    missing = emitted_codes() - set(EXPLANATIONS)
    assert not missing, f"codes without an explanation: {sorted(missing)}"


def test_reserved_codes_are_explained() -> None:
    assert set(EXPLANATIONS) >= RESERVED


def test_no_explanation_for_a_code_nobody_uses() -> None:
    assert set(EXPLANATIONS) - emitted_codes() == set()


def test_known_codes_are_sorted_and_complete() -> None:
    codes = known_codes()
    assert codes == sorted(EXPLANATIONS)
    assert all(CODE.fullmatch(c) for c in codes)


@pytest.mark.parametrize("code", sorted(EXPLANATIONS))
def test_explanation_shape(code: str) -> None:
    entry = EXPLANATIONS[code]
    assert entry.code == code
    assert entry.stage in STAGES
    assert entry.title and "\n" not in entry.title and entry.title == entry.title.strip()
    paragraphs = [p for p in entry.text.split("\n\n") if p.strip()]
    assert len(paragraphs) >= 4, "meaning, the wrong example, the fixed one, how to fix it"
    assert entry.fixed.strip()
    assert entry.wrong != entry.fixed or entry.fixed_modules is not None
    # Every example is shown in the text (the wrong one may be shown in a readable form).
    assert _indented(entry.fixed) in entry.text
    for line in entry.text.splitlines():
        assert len(line) <= 100, f"line too wide for a terminal: {line!r}"
        assert line == line.rstrip(), f"trailing blanks: {line!r}"


def _indented(text: str) -> str:
    return "\n".join(("    " + line) if line.strip() else "" for line in text.rstrip().split("\n"))


@pytest.mark.parametrize("code", sorted(EXPLANATIONS))
def test_explain_renders_title_blank_line_text(code: str) -> None:
    shown = explain(code)
    first, blank, *rest = shown.split("\n")
    assert first == f"{code}: {EXPLANATIONS[code].title}"
    assert blank == ""
    assert "\n".join(rest).strip() == EXPLANATIONS[code].text.strip()


def test_explain_accepts_lower_case_and_blanks() -> None:
    assert explain(" e0201 ") == explain("E0201")


def test_explain_unknown_code() -> None:
    with pytest.raises(KeyError, match="E9999"):
        explain("E9999")


# ---- the examples run -------------------------------------------------------------------


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _example(folder: Path, text: str, modules: tuple[tuple[str, str], ...]) -> Path:
    folder.mkdir()
    for name, body in modules:
        _write(folder, name, body)
    return _write(folder, "contract.eq", text)


def _settle(contract: Path, table: Path, step_limit: int | None) -> None:
    """Settle as `eqlang eval` does, or with the evaluator's own step budget."""
    program = load_and_check(str(contract))
    tables = load_tables([table])
    if step_limit is None:
        settle(program, tables)
        return
    evaluator = Evaluator(program, tables, step_limit=step_limit)
    for org in tables.organizations():
        evaluator.settle(org)


def _commands(folder: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run each line of a command example; a failing one raises its diagnostics' codes."""
    monkeypatch.chdir(folder)
    for line in text.splitlines():
        words = shlex.split(line)
        assert words[0] == "eqlang"
        result = CliRunner().invoke(main, words[1:], catch_exceptions=False)
        if result.exit_code != 0:
            codes = re.findall(r"error\[(E0\d{3})\]", result.stderr)
            assert codes, f"`{line}` failed without a diagnostic: {result.output}"
            raise EqlangError([Diagnostic(c, result.stderr) for c in codes])


def _run(tmp_path: Path, code: str, which: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the wrong or the fixed example of an explanation as its stage says."""
    entry = EXPLANATIONS[code]
    text = entry.wrong if which == "wrong" else entry.fixed
    modules = entry.modules if which == "wrong" else entry.modules_for_fixed
    folder = tmp_path / which
    if entry.stage == "command":
        folder.mkdir()
        _write(folder, "contract.eq", entry.contract)
        _write(folder, "measures.csv", entry.table)
        for name, body in modules:
            _write(folder, name, body)
        _commands(folder, text, monkeypatch)
    elif entry.stage == "check":
        load_and_check(str(_example(folder, text, modules)))
    elif entry.stage == "settle":
        contract = _example(folder, text, modules)
        _settle(contract, _write(folder, "measures.csv", entry.table), entry.step_limit)
    else:
        assert entry.stage == "table"
        folder.mkdir()
        table = _write(folder, "measures.csv", text)
        if entry.contract:
            _settle(_write(folder, "contract.eq", entry.contract), table, entry.step_limit)
        else:
            load_tables([table])


@pytest.mark.parametrize("code", sorted(EXPLANATIONS))
def test_wrong_example_fails_with_its_code(
    tmp_path: Path, code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(EqlangError) as caught:
        _run(tmp_path, code, "wrong", monkeypatch)
    codes = {d.code for d in caught.value.diagnostics}
    assert codes == {code}, [(d.code, d.message) for d in caught.value.diagnostics]


@pytest.mark.parametrize("code", sorted(EXPLANATIONS))
def test_fixed_example_passes(tmp_path: Path, code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _run(tmp_path, code, "fixed", monkeypatch)


@pytest.mark.parametrize(
    "code", sorted(c for c, e in EXPLANATIONS.items() if e.stage in ("check", "settle"))
)
def test_fixed_example_parses(code: str) -> None:
    module = parse(SourceFile("x.eq", EXPLANATIONS[code].fixed))
    assert module.declarations


@pytest.mark.parametrize(
    "code", sorted(c for c, e in EXPLANATIONS.items() if e.stage in ("check", "settle"))
)
def test_wrong_example_parses_unless_it_shows_a_syntax_error(code: str) -> None:
    """Only the E00xx examples may fail before checking; the others are valid syntax."""
    entry = EXPLANATIONS[code]
    if code < "E0100":
        with pytest.raises(EqlangError) as caught:
            parse(SourceFile("x.eq", entry.wrong))
        assert {d.code for d in caught.value.diagnostics} == {code} or code == "E0001"
    else:
        assert parse(SourceFile("x.eq", entry.wrong)).declarations


@pytest.mark.parametrize("code", sorted(c for c, e in EXPLANATIONS.items() if e.modules))
def test_example_modules_parse(code: str) -> None:
    entry = EXPLANATIONS[code]
    for name, body in (*entry.modules, *entry.modules_for_fixed):
        assert parse(SourceFile(name, body)).declarations


@pytest.mark.parametrize(
    "code", sorted(c for c, e in EXPLANATIONS.items() if e.stage == "table" and e.contract)
)
def test_table_example_contracts_parse(code: str) -> None:
    assert parse(SourceFile("x.eq", EXPLANATIONS[code].contract)).declarations
