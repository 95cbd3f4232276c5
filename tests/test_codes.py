"""Tests of eqlang.codes: every code the package emits is explained, every explanation file
follows the format, and every example in an explanation does what its text says (the wrong
one fails with its code, the fixed one passes; a warning's wrong example checks with exactly
that warning and no error, its fixed one with no warning).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from eqlang.api import settle
from eqlang.backends.exact import Evaluator
from eqlang.check import analyze, load_and_check
from eqlang.cli import main
from eqlang.codes import (
    EXPLANATIONS,
    STAGES,
    ExplanationFormatError,
    explain,
    explanation_files,
    is_warning,
    known_codes,
    parse_explanation,
)
from eqlang.data.tables import load_tables
from eqlang.diagnostics import Diagnostic, EqlangError
from eqlang.syntax.modules import load
from eqlang.syntax.parse import parse
from eqlang.syntax.source import SourceFile

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "eqlang"
CODE = re.compile(r"\b[EW]0\d{3}\b")
#: Codes reserved for the command line and traces (emitted by api.py and cli.py).
RESERVED = {"E0601", "E0602", "E0603", "E0604", "E0701"}


def emitted_codes() -> set[str]:
    """Every code written in a string literal of a module of the package."""
    found: set[str] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        found.update(re.findall(r"""["']([EW]0\d{3})["']""", path.read_text(encoding="utf-8")))
    return found


def test_the_package_emits_codes() -> None:
    # Guards the regular expression: if it found nothing, the next test would prove nothing.
    assert {"E0001", "E0101", "E0201", "E0301", "E0401", "E0501", "W0101"} <= emitted_codes()


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


# ---- the file format --------------------------------------------------------------------

SAMPLE = """\
---
stage: check
---

# E0201: values whose units cannot be combined

What it means,
over two lines.

Beside the example, the file `common.eq` holds:

```eqlang module common.eq
parameter pool: money = $10.00
```

This is refused with E0201:

```text
(the wrong example, as shown)
```

Fixed:

```eqlang fixed
define x: number = 1

define y: number = 2
```

How to fix it.

## Run but not shown

```eqlang wrong escaped
define x: number = 1 + 10%\\x00 \\\\
```
"""

#: What the sample renders to: the prose as written, each shown block indented by four spaces.
SAMPLE_TEXT = """\
What it means,
over two lines.

Beside the example, the file `common.eq` holds:

    parameter pool: money = $10.00

This is refused with E0201:

    (the wrong example, as shown)

Fixed:

    define x: number = 1

    define y: number = 2

How to fix it."""


def test_the_sample_renders_prose_as_written_and_blocks_indented() -> None:
    entry = parse_explanation(SAMPLE, "E0201.md")
    assert (entry.code, entry.title, entry.stage) == (
        "E0201", "values whose units cannot be combined", "check")
    assert entry.text == SAMPLE_TEXT
    assert entry.modules == (("common.eq", "parameter pool: money = $10.00\n"),)
    assert entry.fixed_modules is None
    assert entry.fixed == "define x: number = 1\n\ndefine y: number = 2\n"
    assert entry.wrong == "define x: number = 1 + 10%\x00 \\\n"


def _edited(old: str, new: str) -> str:
    assert old in SAMPLE
    return SAMPLE.replace(old, new, 1)


MALFORMED = [
    (SAMPLE.removeprefix("---\nstage: check\n---\n"), 1, "starts with a line `---`"),
    (_edited("stage: check", "stages: check"), 2, "unknown header field `stages`"),
    (_edited("stage: check", "stage: chek"), 2, "unknown stage `chek`"),
    (_edited("stage: check", "stage: check\nstage: settle"), 3, "`stage` is given twice"),
    (_edited("stage: check", "stage: settle\nstep-limit: 0"), 3, "not a whole number above"),
    (_edited("stage: check\n---", "stage: check"), 3, "not closed with a line `---`"),
    (_edited("# E0201:", "# E0202:"), 5, "the heading `# E0201: what went wrong`"),
    (_edited("```eqlang module", "```eqlang modul"), 12, "`modul` is not a role"),
    (_edited("```eqlang module common.eq", "```eqlang module"), 12, "followed by the file's"),
    (_edited("```eqlang module", "```module"), 12, "names its language first"),
    (_edited("```eqlang fixed", "```eqlang fixed fixed"), 24, "a block has one role"),
    (_edited("```eqlang fixed", "```eqlang fixed module a.eq"), 24, "a block has one role"),
    (SAMPLE.removesuffix("```\n"), 34, "never closed with a line ```"),
    (_edited("```eqlang fixed", "```eqlang wrong"), 34, "a second `wrong` block"),
    (_edited("```eqlang fixed", "```eqlang module other.eq"), 36, "no `fixed` block"),
    (_edited("refused with E0201", "refused with E0202"), 16, "the paragraph `This is refused"),
    (_edited("Fixed:\n\n", ""), 22, "the paragraph `Fixed:` here"),
    (_edited("What it means,\nover two lines.\n\n", ""), 9, "starts with prose"),
    (_edited("How to fix it.\n\n", ""), 24, "ends with prose"),
    (_edited("```eqlang wrong", "Not shown.\n\n```eqlang wrong"), 34, "only blocks follow"),
    (_edited("```text\n(the wrong example, as shown)\n```\n\n", ""), 30, "in its place"),
    (_edited("## Run but not shown\n\n", ""), 18, "and the `wrong` block on line 32 is shown"),
    (_edited("```eqlang wrong", "```eqlang module b.eq\n```\n\n```eqlang wrong"), 34,
     "the `module b.eq` block is shown by --explain; move it above the heading"),
    (_edited("```eqlang wrong", "```csv table\n```\n\n```eqlang wrong"), 34,
     "a `table` block does not belong to a `check` example"),
    (_edited("stage: check", "stage: settle"), 36, "no `table` block"),
]


@pytest.mark.parametrize(("text", "line", "message"), MALFORMED)
def test_a_malformed_file_is_refused_naming_file_and_line(
    text: str, line: int, message: str
) -> None:
    with pytest.raises(ExplanationFormatError) as caught:
        parse_explanation(text, "eqlang/codes/E0201.md")
    assert str(caught.value).startswith(f"eqlang/codes/E0201.md:{line}: "), str(caught.value)
    assert message in str(caught.value)


def test_a_block_shown_that_explain_leaves_out_is_refused() -> None:
    # A command example's contract is written for the commands to run, not shown.
    text = (PACKAGE / "codes" / "E0601.md").read_text(encoding="utf-8")
    heading = "## Run but not shown\n\n"
    moved = text.replace(heading, "").replace("```csv table", heading + "```csv table")
    line = moved.split("\n").index("```eqlang contract") + 1
    with pytest.raises(ExplanationFormatError, match=rf"^E0601.md:{line}: the `contract` block "
                       r"of a `command` example is not shown by --explain; move it under"):
        parse_explanation(moved, "E0601.md")


@pytest.mark.parametrize(("path", "text"), explanation_files())
def test_markdown_reads_each_file_as_the_terminal_shows_it(path: str, text: str) -> None:
    """A CommonMark parser, as GitHub's, sees the same paragraphs and blocks as the loader:
    no line of prose turns into a list, a heading or a rule, and every block is fenced."""
    lines = text.split("\n")
    body_start = lines.index("---", 1) + 1  # GitHub shows the header as a table of its own
    tokens = [t for t in MarkdownIt("commonmark").parse("\n".join(lines[body_start:]))
              if t.level == 0 and not t.type.endswith("_close")]
    kinds = [t.type for t in tokens]
    assert kinds[0] == "heading_open" and tokens[0].tag == "h1", path
    not_shown = len(tokens)
    if kinds.count("heading_open") == 2:
        not_shown = kinds.index("heading_open", 1)
        assert tokens[not_shown].tag == "h2", path
        assert set(kinds[not_shown + 1:]) == {"fence"}, path
    shown = tokens[1:not_shown]
    assert set(kinds[1:not_shown]) <= {"paragraph_open", "fence"}, (path, kinds)
    pieces = []
    for token in shown:
        if token.type == "fence":
            pieces.append("\n".join(("    " + line) if line.strip() else line
                                    for line in token.content.rstrip("\n").split("\n")))
        else:
            begin, end = token.map
            pieces.append("\n".join(lines[body_start + begin:body_start + end]))
    assert "\n\n".join(pieces) == EXPLANATIONS[Path(path).stem].text


def test_every_file_beside_the_loader_is_an_explanation() -> None:
    # A misnamed file (E201.md, e0201.md) would be skipped without a word.
    folder = PACKAGE / "codes"
    others = {p.name for p in folder.iterdir()} - {"__init__.py", "__pycache__", "README.md"}
    assert {f"{code}.md" for code in EXPLANATIONS} == others
    assert len(explanation_files()) == len(EXPLANATIONS)


def test_the_readme_example_is_a_valid_explanation() -> None:
    readme = (PACKAGE / "codes" / "README.md").read_text(encoding="utf-8")
    example = re.search(r"^````markdown\n(.*?)^````$", readme, re.S | re.M)
    assert example is not None, "README.md shows a whole explanation file"
    parse_explanation(example.group(1), "E0201.md")


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
        for name, body in modules:
            _write(folder, name, body)
        _write(folder, "contract.eq", entry.contract)
        _write(folder, "measures.csv", entry.table)
        _commands(folder, text, monkeypatch)
    elif entry.stage == "check" and is_warning(code):
        # A warning is a diagnostic of a contract that checks: raised here as an error
        # would be, so that the tests below read both alike.
        analysis = analyze(load(str(_example(folder, text, modules))))
        if analysis.diagnostics or analysis.warnings:
            raise EqlangError([*analysis.diagnostics, *analysis.warnings])
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
        # Other files beside an example (a FHIR map) are not eqlang.
        assert not name.endswith(".eq") or parse(SourceFile(name, body)).declarations


@pytest.mark.parametrize(
    "code", sorted(c for c, e in EXPLANATIONS.items() if e.stage == "table" and e.contract)
)
def test_table_example_contracts_parse(code: str) -> None:
    assert parse(SourceFile("x.eq", EXPLANATIONS[code].contract)).declarations
