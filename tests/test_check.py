"""Tests of reading, parsing and checking: broken contracts, unit rules, hostile input.

``tests/broken/`` holds small contracts with one kind of mistake each. A case's first lines
say what it must report, one diagnostic a line::

    # expect: E0201 4:31 cannot add money and a percent
    # expect: E0110 terms.eq:2:1 an imported module cannot have a contract header
    # expect: E0001 - file contains NUL bytes

that is: the code, where (``LINE:COL`` in the case's own file, ``FILE:LINE:COL`` in another
file of its folder, ``-`` for a diagnostic about the whole file), and a piece of the message.
The set of (code, file, line, column) reported must be exactly the expected set. A line
``# xfail: reason`` marks a case that a known checker bug makes fail. A file that cannot hold a
comment (the empty file) keeps its expectations in ``NAME.eq.expect`` beside it. Files without
expectations are modules imported by the cases in their folder.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from eqlang.check import load_and_check
from eqlang.check import units as t
from eqlang.core.program import Program
from eqlang.diagnostics import (
    MAX_DIAGNOSTICS,
    MAX_SHOWN_WIDTH,
    Diagnostic,
    EqlangError,
    did_you_mean,
    render,
    render_all,
)
from eqlang.syntax import modules as modules_module
from eqlang.syntax.parser_tables import DECLARATION_KEYWORDS
from eqlang.syntax.source import MAX_SOURCE_BYTES
from eqlang.terminal import printable

ROOT = Path(__file__).resolve().parent.parent
BROKEN = Path(__file__).resolve().parent / "broken"
REFERENCE = ROOT / "contracts" / "reference-equity.eq"

EXPECT = re.compile(rb"^# expect: (E\d{4}) (-|(?:(\S+\.eq):)?(\d+):(\d+)) (.+?)\s*$")
XFAIL = re.compile(rb"^# xfail: (.+?)\s*$")


@attrs.frozen
class Expected:
    code: str
    file: str
    line: int | None
    column: int | None
    substring: str

    @property
    def key(self) -> tuple[str, str, int | None, int | None]:
        return (self.code, self.file, self.line, self.column)


@attrs.frozen
class Case:
    path: Path
    expected: tuple[Expected, ...]
    xfail: str | None


def _header_lines(data: bytes) -> Iterator[bytes]:
    """The leading comment lines of a case, read as bytes: some cases are not text."""
    for raw in data.split(b"\n"):
        line = raw.rstrip(b"\r")
        if not line.startswith(b"#"):
            return
        yield line


def read_case(path: Path) -> Case | None:
    sidecar = path.with_name(path.name + ".expect")
    data = sidecar.read_bytes() if sidecar.exists() else path.read_bytes()
    expected: list[Expected] = []
    xfail = None
    for line in _header_lines(data):
        if line.startswith(b"# expect:"):
            match = EXPECT.match(line)
            assert match is not None, f"{path}: malformed expectation {line!r}"
            code, where, file, row, column, substring = match.groups()
            expected.append(Expected(
                code.decode(),
                file.decode() if file else path.name,
                int(row) if where != b"-" else None,
                int(column) if where != b"-" else None,
                substring.decode("utf-8"),
            ))
        elif (found := XFAIL.match(line)) is not None:
            xfail = found.group(1).decode("utf-8")
    if not expected:
        return None
    return Case(path, tuple(expected), xfail)


def all_cases() -> list[Case]:
    cases = [read_case(p) for p in sorted(BROKEN.rglob("*.eq"))]
    return [c for c in cases if c is not None]


def _case_param(case: Case) -> object:
    marks = [pytest.mark.xfail(reason=case.xfail, strict=True)] if case.xfail else []
    return pytest.param(case, id=str(case.path.relative_to(BROKEN)), marks=marks)


def key_of(diagnostic: Diagnostic) -> tuple[str, str, int | None, int | None]:
    if diagnostic.span is not None:
        return (diagnostic.code, Path(diagnostic.span.path).name, diagnostic.span.line,
                diagnostic.span.column)
    return (diagnostic.code, Path(diagnostic.path or "").name, diagnostic.line,
            diagnostic.column)


def check_rendering(diagnostic: Diagnostic) -> None:
    text = render(diagnostic)
    first = text.split("\n", 1)[0]
    if diagnostic.span is not None:
        span = diagnostic.span
        assert first.startswith(f"{span.path}:{span.line}:{span.column}: "
                                f"error[{diagnostic.code}]: "), first
        rows = text.split("\n")
        caret_at = next(i for i, row in enumerate(rows)
                        if re.fullmatch(r"\s*\d*\s*\|\s*\^+.*", row))
        # The carets stand under the first character of the offending text in the quoted
        # source line (which may be a window of a long line).
        caret, quoted = rows[caret_at], rows[caret_at - 1]
        position = caret.index("^")
        assert quoted[:caret.index("|")].strip() == str(span.line), text
        assert len(quoted) <= 120 + caret.index("|") + 2, "long lines are shown as a window"
        # Control characters are shown escaped, wider than they stand.
        if span.text and span.text[0] not in "\t\r\n":
            assert quoted[position] == printable(span.text)[0], text
        line = span.source.line_text(span.line)
        if len(line) <= MAX_SHOWN_WIDTH:
            before = printable(line[:span.column - 1])
            assert position - caret.index("|") - 1 == len(before) + 1, text
    else:
        where = f"{diagnostic.path}:{diagnostic.line}:{diagnostic.column}" \
            if diagnostic.line is not None else f"{diagnostic.path}"
        assert first.startswith(f"{where}: error[{diagnostic.code}]: "), first
    assert diagnostic.message in first
    assert "= hint: " in text, f"no hint for {diagnostic.code}: {first}"
    assert f"--explain {diagnostic.code}" in text


def diagnostics_of(path: Path) -> tuple[Diagnostic, ...]:
    with pytest.raises(EqlangError) as caught:
        load_and_check(str(path))
    return caught.value.diagnostics


# ---- the broken collection --------------------------------------------------------------


def test_the_collection_is_large_and_covers_every_checker_code() -> None:
    cases = all_cases()
    assert len(cases) >= 30
    covered = {e.code for c in cases if not c.xfail for e in c.expected}
    files = ["syntax/source.py", "syntax/parse.py", "syntax/syntax_errors.py",
             "syntax/modules.py", "syntax/lookalikes.py",
             *(f"check/{p.name}" for p in (ROOT / "eqlang" / "check").glob("*.py"))]
    sources = "".join((ROOT / "eqlang" / f).read_text(encoding="utf-8") for f in files)
    emitted = set(re.findall(r'"(E0[0-3]\d\d)"', sources))
    assert emitted, "no codes found in the checker's sources"
    assert emitted - covered == set()


def test_files_without_expectations_are_modules_of_a_case() -> None:
    for path in sorted(BROKEN.rglob("*.eq")):
        if read_case(path) is None:
            assert path.parent != BROKEN, f"{path.name} has no `# expect:` line"
            assert any(read_case(p) for p in path.parent.glob("*.eq")), path


@pytest.mark.parametrize("case", [_case_param(c) for c in all_cases()])
def test_broken_contract(case: Case) -> None:
    diagnostics = diagnostics_of(case.path)
    got = {key_of(d) for d in diagnostics}
    want = {e.key for e in case.expected}
    shown = [f"{d.code} {key_of(d)[1]}:{key_of(d)[2]}:{key_of(d)[3]} {d.message}"
             for d in diagnostics]
    assert got == want, "\n".join(shown)
    for expected in case.expected:
        messages = [d.message for d in diagnostics if key_of(d) == expected.key]
        assert any(expected.substring in m for m in messages), (expected, messages)
    for diagnostic in diagnostics:
        check_rendering(diagnostic)


# ---- contracts that are right -----------------------------------------------------------


def test_reference_contract_checks_clean() -> None:
    program = load_and_check(str(REFERENCE))
    assert isinstance(program, Program)
    assert program.outputs == ("measure_payout", "payout")
    assert list(program.measures)[:3] == ["COL", "CBP", "HBD"]
    assert program.stratifications["race"].focus == ("Asian", "Black", "Hispanic")


def write(tmp_path: Path, text: str, name: str = "contract.eq") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def check_ok(tmp_path: Path, text: str) -> Program:
    return load_and_check(str(write(tmp_path, text)))


def check_fails(tmp_path: Path, text: str) -> tuple[Diagnostic, ...]:
    return diagnostics_of(write(tmp_path, text))


def only(diagnostics: tuple[Diagnostic, ...], code: str) -> Diagnostic:
    assert [d.code for d in diagnostics] == [code], [(d.code, d.message) for d in diagnostics]
    check_rendering(diagnostics[0])
    return diagnostics[0]


# ---- unit rules (eqlang/check/units.py) ------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "a", "b", "result"),
    [
        (t.subtract, "percent", "percent", "pp"),
        (t.add, "percent", "pp", "percent"),
        (t.add, "pp", "percent", "percent"),
        (t.subtract, "percent", "pp", "percent"),
        (t.subtract, "pp", "percent", None),
        (t.add, "pp", "pp", "pp"),
        (t.add, "money", "money", "money"),
        (t.add, "money", "percent", None),
        (t.add, "money", "pp", None),
        (t.add, "percent", "number", None),
        (t.add, "count", "number", "number"),
        (t.add, "count", "count", "count"),
        (t.multiply, "money", "percent", "money"),
        (t.multiply, "percent", "money", "money"),
        (t.multiply, "percent", "percent", "percent"),
        (t.multiply, "pp", "number", "pp"),
        (t.multiply, "money", "money", None),
        (t.multiply, "pp", "percent", "pp"),
        (t.multiply, "pp", "pp", None),
        (t.multiply, "text", "number", None),
        (t.divide, "money", "money", "number"),
        (t.divide, "pp", "pp", "number"),
        (t.divide, "money", "percent", "money"),
        (t.divide, "money", "count", "money"),
        (t.divide, "number", "money", None),
        (t.divide, "yesno", "number", None),
    ],
)
def test_unit_algebra(rule: object, a: str, b: str, result: str | None) -> None:
    assert rule(a, b) == result  # type: ignore[operator]


def test_unit_relations() -> None:
    assert t.comparable("count", "number")
    assert not t.comparable("percent", "money")
    assert not t.comparable("percent", "pp")
    assert t.comparable(t.NOTHING, "money")
    assert t.ordered("date") and not t.ordered("group") and not t.ordered("text")
    assert t.join("count", "number") == "number"
    assert t.join(t.NOTHING, "money") == "money"
    assert t.join("money", "percent") is None
    assert t.assignable("count", "number") and t.assignable("number", "count")
    assert t.assignable(t.NOTHING, "pp")
    assert not t.assignable("pp", "percent") and not t.assignable("percent", "pp")


@pytest.mark.parametrize(
    "text",
    [
        "define gap: pp = 60% - 50%",
        "define adjusted: percent = 60% + 2 pp",
        "define adjusted: percent = 2 pp + 60%",
        "define lowered: percent = 60% - 2 pp",
        "parameter pool: money = $1,000.00\ndefine share: money = pool * 35%",
        "parameter pool: money = $1,000.00\ndefine share: money = 35% * pool",
        "define ratio: number = $10.00 / $4.00",
        "define per_member: money = $10.00 / 4",
        "define closure: number = 3 pp / 4 pp",
        "define scaled: pp = 2 pp * 1.5",
        "define half_gap: pp = 4 pp * 50%",
        "define total: number = 2 + 0.5",
        "parameter n: count = 30\ndefine m: number = n",
        "define either(b: yesno): number = if b then 1 else 0.5",
        "define larger: money = max($1.00, $2.00)",
        "define bounded: percent = clamp(50%, 0%, 100%)",
        "define same: yesno = 2024-01-01 < 2024-12-31",
    ],
)
def test_unit_rule_accepted(tmp_path: Path, text: str) -> None:
    check_ok(tmp_path, text + "\n")


@pytest.mark.parametrize(
    ("text", "code", "message", "hint"),
    [
        ("parameter pool: money = $1.00\ndefine bad: money = pool + 10%",
         "E0201", "cannot add money and a percent", "multiply"),
        ("parameter pool: money = $1.00\ndefine bad: money = pool - 10%",
         "E0201", "cannot subtract a percent from money", "multiply"),
        ("define bad: percent = 2 pp - 60%",
         "E0201", "cannot subtract a percent from percentage points", "points minus a rate"),
        ("define bad = $1.00 * $2.00",
         "E0201", "cannot multiply money and money", "not by money"),
        ("define bad = 2 pp * 2 pp",
         "E0201", "cannot multiply percentage points and percentage points", None),
        ("define bad = 3 / $1.00",
         "E0201", "cannot divide a number by money", None),
        ("define bad = 50% + 2",
         "E0201", "cannot add a percent and a number", "35%"),
        ("define bad = 2 pp + 2",
         "E0201", "cannot add percentage points and a number", "2 pp"),
        ("define bad: percent = 60% - 50%",
         "E0203", "expected a percent, found percentage points", "percentage points"),
        ("parameter closure: percent = 50 pp",
         "E0203", "expected a percent, found percentage points", "percentage points"),
        ("parameter gap: pp = 2%",
         "E0203", "expected percentage points, found a percent", "2 pp"),
        ("parameter share: percent = 35",
         "E0203", "expected a percent, found a number", "percent sign"),
        ("parameter pool: money = 1000",
         "E0203", "expected money, found a number", "dollar sign"),
        ("define bad: yesno = 50% > $1.00",
         "E0202", "cannot compare a percent with money", None),
        ("define bad: yesno = 50% > 2 pp",
         "E0202", "cannot compare a percent with percentage points", None),
        ('define bad: yesno = "a" < "b"',
         "E0202", "text has no order", "`=`"),
        ("define bad(b: yesno) = if b then $1.00 else 1%",
         "E0201", "the two branches of `if` give different types: money and a percent", None),
        ("define bad = max($1.00, 1%)",
         "E0201", "`max` compares values of one unit", None),
    ],
)
def test_unit_rule_rejected(tmp_path: Path, text: str, code: str, message: str,
                            hint: str | None) -> None:
    diagnostic = only(check_fails(tmp_path, text + "\n"), code)
    assert message in diagnostic.message
    if hint is not None:
        assert diagnostic.hint is not None and hint in diagnostic.hint, diagnostic.hint


def test_type_error_notes_say_where_each_type_came_from(tmp_path: Path) -> None:
    text = ("parameter pool: money = $1,000,000.00\n"
            "\n"
            "define enlarged_pool: money = pool + 10%\n")
    diagnostic = only(check_fails(tmp_path, text), "E0201")
    assert (diagnostic.span.line, diagnostic.span.column) == (3, 31)
    notes = {n.message: n.span for n in diagnostic.notes}
    money = notes["money comes from parameter `pool`, declared money"]
    percent = notes["a percent comes from the literal `10%`"]
    assert money is not None and (money.line, money.column, money.text) == (1, 17, "money")
    assert percent is not None and (percent.line, percent.column, percent.text) == (3, 38, "10%")
    text_shown = render(diagnostic)
    assert "note: money comes from parameter `pool`" in text_shown
    assert "note: a percent comes from the literal `10%`" in text_shown


def test_declared_type_error_notes_the_declaration(tmp_path: Path) -> None:
    text = "parameter small_gap: pp = 2 pp\ndefine threshold: percent =\n  small_gap\n"
    diagnostic = only(check_fails(tmp_path, text), "E0203")
    assert (diagnostic.span.line, diagnostic.span.column) == (3, 3)
    assert diagnostic.hint is not None and "percentage points" in diagnostic.hint
    notes = {n.message: n.span for n in diagnostic.notes}
    found = notes["percentage points comes from parameter `small_gap`, declared percentage points"]
    wanted = notes["a percent is expected because `threshold` is declared that way"]
    assert found is not None and (found.line, found.column, found.text) == (1, 22, "pp")
    assert wanted is not None and (wanted.line, wanted.column) == (2, 1)


@pytest.mark.parametrize(("text", "where", "note", "hint"), [
    ("parameter pool: money = $1.00\nparameter waived: yesno = no\n"
     "define d: money = pool except 5% when waived\n", (3, 31),
     "money is expected because the general rule of `d` gives money",
     "a share of an amount is `amount * percent`"),
    ("parameter pool: money = $1.00\ndefine e: money = if pool then pool else $0.00\n",
     (2, 22), "yes/no is expected because an `if` condition is yes or no",
     "write a yes/no condition here, such as a comparison: `gap <= 2 pp`"),
    ("parameter pool: money = $1.00\ndefine f: yesno = not pool\n", (2, 23),
     "yes/no is expected because `not` applies to yes/no",
     "write a yes/no condition here, such as a comparison: `gap <= 2 pp`"),
    ("parameter pool: money = $1.00\ndefine c: pp =\n  pool > $0.00\n", (3, 3),
     "percentage points is expected because `c` is declared that way",
     "write percentage points here, or declare it yes/no if that is what it is"),
    ("define i: number = sqrt(yes)\n", (1, 25),
     "a number is expected because `sqrt` takes a number here", "write a number here"),
])
def test_every_type_error_says_why_and_how_to_fix_it(
        tmp_path: Path, text: str, where: tuple[int, int], note: str, hint: str) -> None:
    """The note reads as a sentence whatever asked for the type, and a hint is always given,
    also where no unit hint applies."""
    diagnostic = only(check_fails(tmp_path, text), "E0203")
    assert (diagnostic.span.line, diagnostic.span.column) == where
    assert note in [n.message for n in diagnostic.notes]
    assert diagnostic.hint == hint


def test_a_misspelt_builtin_is_offered(tmp_path: Path) -> None:
    text = ("measure COL \"Colorectal\" higher is better\n"
            "define r: percent = rat(COL, ALL, 2024)\n")
    diagnostic = only(check_fails(tmp_path, text), "E0101")
    assert diagnostic.message == "`rat` is not defined"
    assert diagnostic.hint == "did you mean `rate`?"


def test_argument_type_error_notes_the_parameter(tmp_path: Path) -> None:
    text = ("define gap(a: percent, b: percent): pp = a - b\n"
            "define sampled: pp = gap(60%, 2 pp)\n")
    diagnostic = only(check_fails(tmp_path, text), "E0203")
    assert (diagnostic.span.line, diagnostic.span.column) == (2, 31)
    declared = [n for n in diagnostic.notes if "parameter `b` of `gap`" in n.message]
    assert declared and declared[0].span is not None
    assert (declared[0].span.line, declared[0].span.column) == (1, 24)


# ---- hostile input ----------------------------------------------------------------------

# How long each hostile input takes is measured by bench/bench_hostile.py, not asserted here.


def refused(path: Path, code: str) -> Diagnostic:
    with pytest.raises(EqlangError) as caught:
        load_and_check(str(path))
    assert [d.code for d in caught.value.diagnostics][:1] == [code], caught.value.diagnostics
    for diagnostic in caught.value.diagnostics:
        check_rendering(diagnostic)
    return caught.value.diagnostics[0]


def test_an_unfinished_declaration_is_shown_where_it_stops(tmp_path: Path) -> None:
    # The parser only notices at the next declaration; a note points back at the mistake.
    text = ("define x: number = 1 +   # more to come\n\n# a comment\n"
            "output y: number = 2 not rounded\n")
    diagnostic = refused(write(tmp_path, text), "E0002")
    assert where(diagnostic) == (4, 1)
    assert diagnostic.message == "unexpected `output`; expected an expression"
    (note,) = diagnostic.notes
    assert note.message == "the declaration before it stops here, unfinished"
    assert note.span is not None and (note.span.line, note.span.column) == (1, 22)
    assert note.span.text == "+"


def test_a_mistake_inside_a_line_gets_no_note_about_the_line_before(tmp_path: Path) -> None:
    diagnostic = refused(write(tmp_path, "define x: number = 1 + * 2\n"), "E0002")
    assert diagnostic.message == "unexpected `*`; expected an expression"
    assert diagnostic.notes == ()


@pytest.mark.parametrize("text", ["", "   \n\n\t\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    diagnostic = refused(write(tmp_path, text), "E0006")
    assert diagnostic.message == "file is empty"


def test_binary_junk(tmp_path: Path) -> None:
    junk = random.Random(7).randbytes(4096) + b"\x00"
    path = tmp_path / "junk.eq"
    path.write_bytes(junk)
    diagnostic = refused(path, "E0001")
    assert "NUL" in diagnostic.message


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.eq"
    path.write_bytes('parameter city: text = "Montréal"\n'.encode("latin-1"))
    assert "UTF-8" in refused(path, "E0001").message


def test_missing_file(tmp_path: Path) -> None:
    assert "no such file" in refused(tmp_path / "nowhere.eq", "E0001").message


def test_three_megabyte_file_is_refused_by_its_size(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.eq"
    line = b"parameter pool: money = $1,000.00\n"
    path.write_bytes(line * (3_000_000 // len(line) + 1))
    assert path.stat().st_size > MAX_SOURCE_BYTES
    with monkeypatch.context() as patched:
        # Refused by its size alone: the parser is never reached.
        patched.setattr(modules_module, "parse_contract", _never_called)
        diagnostic = refused(path, "E0001")
    assert "bytes" in diagnostic.message


def _never_called(*_: object, **__: object) -> None:
    raise AssertionError("the parser was asked to read an over-long file")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_file_is_not_read() -> None:
    """A device is refused before a byte is read: /dev/zero would never end."""
    with pytest.raises(EqlangError) as caught:
        load_and_check("/dev/zero")
    diagnostic, = caught.value.diagnostics
    assert diagnostic.code == "E0001"
    assert diagnostic.message == "this is a character device, not a regular file"
    check_rendering(diagnostic)


def test_a_file_that_claims_no_size_is_read_no_further_than_the_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files under /proc claim a size of 0: the read itself stops past the limit."""
    path = write(tmp_path, "# x\n" * MAX_SOURCE_BYTES)
    real_stat, real_fstat = os.stat, os.fstat

    def no_size(info: os.stat_result) -> os.stat_result:
        return os.stat_result((*info[:6], 0, *info[7:]))

    monkeypatch.setattr(os, "stat", lambda where, **kw: no_size(real_stat(where, **kw)))
    monkeypatch.setattr(os, "fstat", lambda handle: no_size(real_fstat(handle)))
    with pytest.raises(EqlangError) as caught:
        load_and_check(str(path))
    diagnostic, = caught.value.diagnostics
    assert diagnostic.message == ("file is larger than 500,000 bytes; eqlang reads contracts "
                                  "of at most 500,000 bytes")


def test_file_just_under_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "large.eq"
    line = "# a long comment line, repeated to fill the file with harmless text\n"
    body = "parameter pool: money = $1,000.00\n"
    path.write_text(line * ((MAX_SOURCE_BYTES - len(body)) // len(line)) + body)
    assert path.stat().st_size <= MAX_SOURCE_BYTES
    load_and_check(str(path))


DEPTH = 10_000


def test_ten_thousand_nested_parentheses(tmp_path: Path) -> None:
    text = "define x: number = " + "(" * DEPTH + "1" + ")" * DEPTH + "\n"
    refused(write(tmp_path, text), "E0005")


@pytest.mark.parametrize(
    "expression",
    [
        pytest.param("(1 + " * DEPTH + "1" + ")" * DEPTH, id="nested-sums"),
        pytest.param(" + ".join(["1"] * DEPTH), id="sum-chain"),
        pytest.param(" - ".join(["1"] * DEPTH), id="difference-chain"),
        pytest.param(" * ".join(["1"] * DEPTH), id="product-chain"),
        pytest.param("-" * DEPTH + "1", id="negations"),
        pytest.param("abs(" * DEPTH + "1" + ")" * DEPTH, id="nested-calls"),
        pytest.param("if yes then 1 else " * (DEPTH // 2) + "1", id="if-chain"),
        pytest.param("1 otherwise " * DEPTH + "1", id="otherwise-chain"),
    ],
)
def test_deep_expressions_are_refused(tmp_path: Path, expression: str) -> None:
    diagnostic = refused(write(tmp_path, f"define x: number = {expression}\n"), "E0005")
    assert diagnostic.span is not None and diagnostic.span.line == 1


def test_a_deep_if_is_shown_at_its_if(tmp_path: Path) -> None:
    # Not at the condition or a literal of an `else` far to its right.
    expression = "if yes then " * 200 + "1" + " else 2" * 200
    diagnostic = refused(write(tmp_path, f"define x: number = {expression}\n"), "E0005")
    assert diagnostic.span is not None and diagnostic.span.text.startswith("if yes then if")
    assert (diagnostic.span.column - 20) % len("if yes then ") == 0


def test_deep_boolean_chains_are_refused(tmp_path: Path) -> None:
    refused(write(tmp_path, "define x: yesno = " + " and ".join(["yes"] * DEPTH) + "\n"), "E0005")
    refused(write(tmp_path, "define x: yesno = " + "not " * DEPTH + "yes\n"), "E0005")


@pytest.mark.parametrize(("operator", "first"), [("+", "1"), ("and", "yes"),
                                                 ("otherwise", "1")])
def test_a_long_chain_is_named_a_chain(tmp_path: Path, operator: str, first: str) -> None:
    """151 terms in a row are as deep as 151 nested ones; the message says why, and points
    at the chain (from its start, for an operator read left to right), not at one operand
    in the middle."""
    chain = f" {operator} ".join([first] * 160)
    diagnostic = refused(write(tmp_path, f"define x = {chain}\n"), "E0005")
    assert diagnostic.message == ("expression nested more than 150 levels deep: each operator "
                                  "of a chain such as `a + b + c` is a level")
    assert diagnostic.span is not None
    assert diagnostic.span.text.startswith(f"{first} {operator} {first} {operator}")
    if operator != "otherwise":  # `otherwise` groups to the right: its deepest part is last
        assert diagnostic.span.column == 12
    assert diagnostic.hint == ("split the expression into named definitions with `define`, or "
                               "aggregate: `sum(x for each m in measures)`")


def test_nesting_within_the_limit_is_accepted(tmp_path: Path) -> None:
    check_ok(tmp_path, "define x: number = " + "(1 + " * 100 + "1" + ")" * 100 + "\n")


def test_redundant_parentheses_count_as_nesting(tmp_path: Path) -> None:
    # Parentheses around an operation share its level; around parentheses they add one.
    check_ok(tmp_path, "define x: number = " + "(" * 100 + "1" + ")" * 100 + "\n")
    diagnostic = refused(write(tmp_path, "define x: number = " + "(" * 200 + "1" + ")" * 200
                               + "\n"), "E0005")
    assert diagnostic.message == "expression nested more than 150 levels deep"


@pytest.mark.parametrize("keyword", DECLARATION_KEYWORDS)
def test_declaration_keywords_are_not_names(tmp_path: Path, keyword: str) -> None:
    diagnostic = only(check_fails(tmp_path, f"define {keyword}: number = 1\n"), "E0002")
    assert diagnostic.message.startswith(f"unexpected `{keyword}`; expected a name")
    assert (diagnostic.span.line, diagnostic.span.column) == (1, 8)


def test_the_grammar_reserves_exactly_the_declaration_keywords() -> None:
    grammar = (ROOT / "grammar" / "eqlang.lark").read_text(encoding="utf-8")
    match = re.search(r"^NAME: /\(\?!\(\?:([a-z|]+)\)", grammar, re.M)
    assert match is not None
    assert sorted(match.group(1).split("|")) == sorted(DECLARATION_KEYWORDS)


def test_an_unfinished_expression_before_a_declaration(tmp_path: Path) -> None:
    text = "define a: yesno = yes and\n\ndefine b: number = 1\n"
    diagnostic = only(check_fails(tmp_path, text), "E0002")
    assert (diagnostic.span.line, diagnostic.span.column) == (3, 1)
    assert diagnostic.hint == "`define` starts a new declaration; the one before it is incomplete"


def test_expected_tokens_are_exact_for_the_declaration(tmp_path: Path) -> None:
    # A definition's body may be followed by a citation or an exception, never a rounding.
    diagnostic = only(check_fails(tmp_path, "define z: number = 1 2\n"), "E0002")
    assert "`rounded`" not in diagnostic.message and "`per`" in diagnostic.message
    diagnostic = only(check_fails(tmp_path, "output z: number = 1 2\n"), "E0002")
    assert "`rounded`" in diagnostic.message and "`per`" not in diagnostic.message
    assert diagnostic.hint is not None and "rounded to cents half up" in diagnostic.hint


def test_each_unfinished_declaration_is_reported(tmp_path: Path) -> None:
    # Recovery resumes at the declaration that stopped the one before, so it is read and
    # its own error reported, not skipped.
    text = "".join(f"define x{i}: number = 1 +\n" for i in range(4))
    diagnostics = check_fails(tmp_path, text)
    assert [(d.code, where(d)) for d in diagnostics] == [
        ("E0002", (2, 1)), ("E0002", (3, 1)), ("E0002", (4, 1)), ("E0003", (4, 23))]


def test_many_syntax_errors_are_capped(tmp_path: Path) -> None:
    text = "".join(f"parameter p{i} = {i}\n" for i in range(200))
    diagnostics = diagnostics_of(write(tmp_path, text))
    assert len(diagnostics) == 20
    assert [where(d)[0] for d in diagnostics] == list(range(1, 21))
    assert {d.code for d in diagnostics} == {"E0002"}


def test_random_bytes_never_crash(tmp_path: Path) -> None:
    """Arbitrary text (no NUL) fails with diagnostics, never with a Python exception."""
    rng = random.Random(2024)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 $%(),.:=<>+-*/\"#\n" + "ÀéΩ'€"
    for i in range(60):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 300)))
        path = write(tmp_path, text, f"random{i}.eq")
        try:
            load_and_check(str(path))
        except EqlangError as error:
            for diagnostic in error.diagnostics:
                render(diagnostic)


# ---- parameters, modules, groups and syntax hints ----------------------------------------
# These were known bugs once; each test states the behaviour the language promises.


def where(diagnostic: Diagnostic) -> tuple[int, int]:
    assert diagnostic.span is not None
    return diagnostic.span.line, diagnostic.span.column


def test_parameter_naming_a_later_definition(tmp_path: Path) -> None:
    text = "parameter a: number = d\ndefine d: number = 1\n"
    diagnostic = only(check_fails(tmp_path, text), "E0306")
    assert diagnostic.message == ("a parameter's value must be a constant; `d` is a "
                                  "definition, computed when the contract is settled")
    assert where(diagnostic) == (1, 23)


def test_parameter_naming_a_definition_that_uses_it(tmp_path: Path) -> None:
    # Refused as not constant, and not reported a second time as a cycle.
    text = "parameter a: number = d\ndefine d: number = a + 1\n"
    assert where(only(check_fails(tmp_path, text), "E0306")) == (1, 23)


def test_parameter_cycle_is_reported(tmp_path: Path) -> None:
    diagnostics = check_fails(tmp_path, "parameter a: number = b\nparameter b: number = a\n")
    diagnostic = only(diagnostics, "E0301")
    assert diagnostic.message == "`a` depends on itself: a -> b -> a"
    assert where(diagnostic) == (1, 1)
    assert diagnostic.hint is not None and "plain value" in diagnostic.hint


def test_parameter_cycle_through_an_amendment(tmp_path: Path) -> None:
    text = ("parameter a: money = $1.00\n  amended to b from 2024-01-01\n"
            "parameter b: money = a * 2\n")
    diagnostic = only(check_fails(tmp_path, text), "E0301")
    assert diagnostic.message == "`a` depends on itself: a -> b -> a"


def test_parameters_may_use_parameters_below_them(tmp_path: Path) -> None:
    program = check_ok(tmp_path, "parameter total: money = part * 2\n"
                       "parameter part: money = $5.00\n")
    assert program.parameters["total"].type == "money"


def test_parameter_naming_a_later_parameter_is_unit_checked(tmp_path: Path) -> None:
    diagnostic = only(check_fails(tmp_path, "parameter a: money = b\nparameter b: count = 3\n"),
                      "E0203")
    assert diagnostic.message == "expected money, found a count"
    assert where(diagnostic) == (1, 22)


def test_calling_a_definition_of_an_imported_module(tmp_path: Path) -> None:
    write(tmp_path, "define half(x: money): money = x * 50%\n", "common.eq")
    program = check_ok(tmp_path, 'import "common.eq" as common\n'
                       "define y: money = common.half($10.00)\n")
    assert program.rules["common.half"].module == "common.eq"
    assert program.rules["y"].type == "money"


def test_module_definition_used_before_its_declaration(tmp_path: Path) -> None:
    write(tmp_path, "define double(x: money): money = half(x) * 4\n"
          "define half(x: money): money = x * 50%\n", "common.eq")
    check_ok(tmp_path, 'import "common.eq" as common\n'
             "define y: money = common.double($10.00)\n")


def test_module_call_with_wrong_arguments(tmp_path: Path) -> None:
    write(tmp_path, "define half(x: money): money = x * 50%\n", "common.eq")
    diagnostic = only(check_fails(tmp_path, 'import "common.eq" as common\n'
                                  "define y: money = common.half($1.00, $2.00)\n"), "E0103")
    assert diagnostic.message == "`common.half` takes 1 argument, but 2 were given"
    assert diagnostic.hint == "call it as `common.half(x: money)`"
    assert where(diagnostic) == (2, 19)


def test_module_result_is_unit_checked(tmp_path: Path) -> None:
    write(tmp_path, "define half(x: money): money = x * 50%\n", "common.eq")
    diagnostic = only(check_fails(tmp_path, 'import "common.eq" as common\n'
                                  "define y: percent = common.half($1.00)\n"), "E0203")
    assert diagnostic.message == "expected a percent, found money"
    assert where(diagnostic) == (2, 21)


def test_type_of_an_imported_parameter_is_checked(tmp_path: Path) -> None:
    write(tmp_path, "parameter pool: money = $1,000.00\n", "common.eq")
    diagnostic = only(check_fails(tmp_path, 'import "common.eq" as common\n'
                                  "define share: percent = common.pool\n"), "E0203")
    assert diagnostic.message == "expected a percent, found money"
    assert where(diagnostic) == (2, 25)
    origin = next(n.span for n in diagnostic.notes if n.message.startswith("money comes from"))
    assert origin is not None and (origin.path, origin.line, origin.column) == (
        "common.eq", 1, 17)


def test_modules_of_modules_have_their_own_names(tmp_path: Path) -> None:
    # Both modules call their import `lib`; their declarations must not be confused.
    write(tmp_path, 'import "inner.eq" as lib\nparameter bonus: money = lib.bonus * 2\n',
          "outer.eq")
    write(tmp_path, "parameter bonus: money = $5.00\n", "inner.eq")
    program = check_ok(tmp_path, 'import "outer.eq" as lib\n'
                       "define r: money = lib.bonus\n")
    assert {"lib.bonus", "lib.lib.bonus"} <= set(program.parameters)


def test_a_module_of_a_module_is_not_reachable_through_it(tmp_path: Path) -> None:
    write(tmp_path, 'import "inner.eq" as inner\n', "outer.eq")
    write(tmp_path, "parameter bonus: money = $5.00\n", "inner.eq")
    diagnostic = only(check_fails(tmp_path, 'import "outer.eq" as outer\n'
                                  "define r: percent = outer.inner.bonus\n"), "E0101")
    assert diagnostic.message == "`outer.inner.bonus` names something inside a module's module"
    assert where(diagnostic) == (2, 21)


def test_same_table_spelling_in_two_stratifications(tmp_path: Path) -> None:
    text = ('stratification race\n  groups Asian, White, "Other" as OtherRace\n'
            "  reference White\nend\n"
            'stratification language\n  groups English, "Other" as OtherLanguage\n'
            "  reference English\nend\n")
    diagnostic = only(check_fails(tmp_path, text), "E0111")
    assert diagnostic.message == ('rows spelled "Other" in the table already belong to group '
                                  "`OtherRace` of stratification `race`")
    assert where(diagnostic) == (6, 19)


def test_templates_of_a_module_may_share_groups(tmp_path: Path) -> None:
    write(tmp_path, "stratification race_1997\n  groups Asian, White\n  reference White\nend\n"
          "stratification race_2024\n  groups Asian, MENA, White\n  reference White\nend\n",
          "groups.eq")
    program = check_ok(tmp_path, 'import "groups.eq" as groups\n'
                       "stratification race from groups.race_2024\nend\n")
    assert program.stratifications["race"].groups == ("Asian", "MENA", "White")


def test_group_listed_twice_is_reported_once(tmp_path: Path) -> None:
    text = "stratification race\n  groups Asian, Black, Black, White\n  reference White\nend\n"
    diagnostic = only(check_fails(tmp_path, text), "E0102")
    assert diagnostic.message == "group `Black` is listed twice in `race`"
    assert where(diagnostic) == (2, 24)


def test_one_spelling_for_two_groups(tmp_path: Path) -> None:
    text = ('stratification race\n  groups "Black" as B1, "Black" as B2, White\n'
            "  reference White\nend\n")
    diagnostic = only(check_fails(tmp_path, text), "E0102")
    assert diagnostic.message == 'group "Black" is listed twice, as `B1` and as `B2`'
    assert where(diagnostic) == (2, 25)


def test_calling_a_module(tmp_path: Path) -> None:
    diagnostic = only(check_fails(tmp_path, "import hedis\ndefine g: number = hedis(1)\n"),
                      "E0104")
    assert diagnostic.message == "`hedis` is a module, not something to call"
    assert diagnostic.hint == "call a definition inside it: `hedis.NAME(...)`"
    assert where(diagnostic) == (2, 20)


def test_calling_a_parameter(tmp_path: Path) -> None:
    diagnostic = only(check_fails(tmp_path, "parameter p: money = $1.00\n"
                                  "define g: money = p(1)\n"), "E0104")
    assert diagnostic.message == "`p` is money, not something to call"


@pytest.mark.parametrize(("name", "hint"), [
    ("Pool", "did you mean `pool`? (names are case-sensitive)"),
    ("pol", "did you mean `pool`?"),
    ("measure_pay", "did you mean `measure_payout`?"),
    ("measure", "did you mean `measure_payout` or `measure_score`?"),
    ("score", "did you mean `measure_score`?"),
    ("mass general", "did you mean `Mass General Brigham`?"),
    ("general brigham", "did you mean `Mass General Brigham`?"),
    ("ma", None),  # too short to stand for a name it begins
    ("zzz", None),
])
def test_did_you_mean_finds_case_prefixes_words_and_spellings(name: str,
                                                              hint: str | None) -> None:
    known = ["pool", "payout", "measure_payout", "measure_score", "Mass General Brigham"]
    assert did_you_mean(name, known) == hint


@pytest.mark.parametrize(("name", "hint"), [
    ("baseline", None),  # shares four letters with `Asian`, but is no slip of it
    ("CLO", "did you mean `COL`?"),
    ("Asain", "did you mean `Asian`?"),
    ("perfomance", "did you mean `performance`?"),
])
def test_did_you_mean_offers_slips_not_names_of_another_length(name: str,
                                                                hint: str | None) -> None:
    assert did_you_mean(name, ["Asian", "White", "COL", "CBP", "performance"]) == hint


def test_did_you_mean_offers_no_list_for_a_name_too_many_share() -> None:
    known = [f"Valley Clinic {n}" for n in range(4)]
    assert did_you_mean("valley", known) is None
    assert did_you_mean("valley", known[:3]) == (
        "did you mean `Valley Clinic 0`, `Valley Clinic 1` or `Valley Clinic 2`?")


def test_double_equals_hint(tmp_path: Path) -> None:
    diagnostic = only(check_fails(tmp_path, "define d(g: pp): yesno = g == 2 pp\n"), "E0002")
    assert diagnostic.message == "`==` is not an eqlang operator"
    assert diagnostic.hint is not None and "single `=`" in diagnostic.hint
    assert where(diagnostic) == (1, 28) and diagnostic.span.text == "=="


def test_rounding_hint_only_for_outputs(tmp_path: Path) -> None:
    diagnostic = only(check_fails(tmp_path, "define z: number = 1 2\n"), "E0002")
    assert diagnostic.hint is not None and "rounded" not in diagnostic.hint
    assert where(diagnostic) == (1, 22)


def test_an_output_without_rounding_is_named_where_the_next_one_starts(tmp_path: Path) -> None:
    # The parser sees the missing rounding only at the next declaration, so the hint names
    # the output that lacks it, and every such output is reported, the last one at the end
    # of the file.
    text = ("output a: number = 1\n"
            "# a comment\n\n"
            "## The doc of b.\n"
            "output b: number = 2\n"
            "output c: number = 3\n")
    diagnostics = check_fails(tmp_path, text)
    assert [(d.code, where(d)) for d in diagnostics] == [
        ("E0002", (5, 1)), ("E0002", (6, 1)), ("E0003", (6, 20))]
    assert [d.hint for d in diagnostics] == [
        f"the output `{name}` (line {line}) does not say how it is rounded: end it with "
        "`rounded to cents half up` (or another rounding) or `not rounded`"
        for name, line in (("a", 1), ("b", 5), ("c", 6))]


def test_capital_keyword_hint(tmp_path: Path) -> None:
    diagnostic = only(check_fails(tmp_path, "define a: yesno = yes AND no\n"), "E0002")
    assert diagnostic.hint == "keywords are lower-case"
    assert diagnostic.message.startswith("unexpected `AND`; expected")
    assert where(diagnostic) == (1, 23)


@pytest.mark.parametrize(("text", "position", "hint"), [
    ("parameter pool: mony = $1.00\n", (1, 17), "did you mean `money`?"),
    ("defne x: number = 1\n", (1, 1), "did you mean `define`?"),
    ("define x: number = 1\nmesure COL\n", (2, 1), "did you mean `measure`?"),
    ("define x: yesno = if yes than no else yes\n", (1, 26), "did you mean `then`?"),
    ("output x: money = $1.00 roundd to cents half up\n", (1, 25), "did you mean `rounded`?"),
])
def test_misspelled_keyword_hint(tmp_path: Path, text: str, position: tuple[int, int],
                                 hint: str) -> None:
    diagnostic = only(check_fails(tmp_path, text), "E0002")
    assert diagnostic.hint == hint
    assert where(diagnostic) == position


def test_chained_comparison_hint(tmp_path: Path) -> None:
    diagnostic = only(check_fails(tmp_path, "define a: yesno = 1 < 2 <= 3\n"), "E0002")
    assert diagnostic.message.startswith("unexpected `<=`; expected")
    assert diagnostic.hint == "comparisons do not chain: write `a <= b and b <= c`"
    assert where(diagnostic) == (1, 25)
    diagnostic = only(check_fails(tmp_path, "schedule s(x: number): number\n  < 0 pays 1\nend\n"),
                      "E0002")
    assert diagnostic.hint is not None and "chain" not in diagnostic.hint


def test_end_read_as_a_group_name(tmp_path: Path) -> None:
    text = "stratification e\n  groups A\n  focus\nend\n\ndefine a: number = 1\n"
    diagnostic = only(check_fails(tmp_path, text), "E0002")
    assert diagnostic.hint == ("`end` on line 4 was read as a name, because the `focus` line is "
                               "unfinished: complete it, or remove it")
    assert where(diagnostic) == (6, 1)


def test_parameter_exception_hint(tmp_path: Path) -> None:
    text = "parameter minimum: count = 30\n  except 50 when m = WCV\n"
    diagnostic = only(check_fails(tmp_path, text), "E0002")
    assert diagnostic.hint is not None
    assert diagnostic.hint.startswith("a parameter is one value; exceptions belong to a "
                                      "definition")
    assert where(diagnostic) == (2, 3)


def test_missing_keyword_hint(tmp_path: Path) -> None:
    text = ("stratification race\n  groups Asian, White\n  reference best performing\n"
            "  focus Asian\nend\n")
    diagnostic = only(check_fails(tmp_path, text), "E0002")
    assert diagnostic.message == "unexpected `focus`; expected `group`"
    assert diagnostic.hint == "`group` is missing before this point"
    assert where(diagnostic) == (4, 3)
    diagnostic = only(check_fails(tmp_path, 'import "t.eq"\ndefine a: number = 1\n'), "E0002")
    assert diagnostic.hint == ("`define` starts a new declaration; the one before it is "
                               "incomplete: it needs `as`")
    assert where(diagnostic) == (2, 1)


def test_function_parameter_note_reads_as_a_sentence(tmp_path: Path) -> None:
    diagnostic = only(check_fails(tmp_path, "define g(m: measure): number = m\n"), "E0203")
    assert where(diagnostic) == (1, 32)
    notes = {n.message: n.span for n in diagnostic.notes}
    found = notes["a measure comes from parameter `m`, declared a measure"]
    assert found is not None and (found.line, found.column) == (1, 10)


@pytest.mark.parametrize(("unit", "tiers", "message"), [
    ("money", "domain from $0\n  from $0 to $500 pays 1\n  from $600 pays 2\n",
     "no tier covers values between $500 and $600"),
    ("money", "from $0 pays 1\n", "no tier covers the bottom of the domain (values below $0)"),
    ("pp", "below -1 pp pays 1\n  from 0 pp pays 2\n",
     "no tier covers values between -1 pp and 0 pp"),
    ("number", "domain from 0 through 10\n  from 0 to 5 pays 1\n",
     "no tier covers the top of the domain (from 5 up to 10)"),
])
def test_tier_gaps_are_shown_in_the_schedule_unit(tmp_path: Path, unit: str, tiers: str,
                                                  message: str) -> None:
    text = f"schedule s(x: {unit}): number\n  {tiers}end\n"
    diagnostic = only(check_fails(tmp_path, text), "E0304")
    assert diagnostic.message == message
    assert where(diagnostic) == (text.count("\n") - 1, 3)


def test_focus_groups_without_any_stratification(tmp_path: Path) -> None:
    diagnostic = only(check_fails(
        tmp_path, "define c: count = count(g for each g in focus groups)\n"), "E0106")
    assert diagnostic.message == ("the contract declares no stratification, so there are no "
                                  "groups to range over")
    assert where(diagnostic) == (1, 41)


@pytest.mark.parametrize("groups", ["Asian, White", "Asian, White, ALL"])
def test_reference_all_suggests_reference_whole_population(tmp_path: Path,
                                                           groups: str) -> None:
    # Naming ALL as the reference (with or without it among the groups, as the old hint
    # had it) gets one error, which says what to write.
    text = f"stratification race\n  groups {groups}\n  reference ALL\nend\n"
    diagnostic = only(check_fails(tmp_path, text), "E0106")
    assert "`ALL` is the whole population, not a group" in diagnostic.message
    assert diagnostic.hint is not None and "`reference whole population`" in diagnostic.hint
    assert where(diagnostic) == (3, 13)
    fixed = text.replace("reference ALL", "reference whole population").replace(", ALL", "")
    assert load_and_check(str(write(tmp_path, fixed))) is not None


def test_focus_groups_of_a_module_definition_follow_the_contract(tmp_path: Path) -> None:
    write(tmp_path, "define n: count = count(g for each g in focus groups)\n", "common.eq")
    text = ('import "common.eq" as common\n'
            "stratification race\n  groups A, B\n  reference A\nend\n"
            "stratification language\n  groups E, S\n  reference E\nend\n")
    diagnostic = only(check_fails(tmp_path, text), "E0106")
    assert diagnostic.message == "the contract has more than one stratification; say which"
    assert diagnostic.span is not None and diagnostic.span.path.endswith("common.eq")


def test_membership_message_grammar(tmp_path: Path) -> None:
    text = 'measure COL "c" higher is better\ndefine d(n: number): yesno = n in measures\n'
    diagnostic = only(check_fails(tmp_path, text), "E0202")
    assert diagnostic.message == "cannot look for a number among measures"
    assert where(diagnostic) == (2, 30)


def test_weight_sum_message_shows_plain_percents(tmp_path: Path) -> None:
    text = ("import hedis\nmeasure COL from hedis weight 35%\n"
            "measure CBP from hedis weight 35%\nmeasure HBD from hedis weight 20%\n")
    diagnostic = only(check_fails(tmp_path, text), "E0302")
    assert "sum to 90%," in diagnostic.message
    assert diagnostic.hint is not None and "HBD 20% " in diagnostic.hint


def test_duplicate_parameter_does_not_replace_the_first(tmp_path: Path) -> None:
    text = ("parameter pool: money = $1.00\n"
            "define bonus: money = pool + 5%\n"
            "parameter pool: money = $2.00\n")
    diagnostics = check_fails(tmp_path, text)
    assert sorted((d.code, where(d)) for d in diagnostics) == [
        ("E0102", (3, 1)), ("E0201", (2, 23))]
    unit = next(d for d in diagnostics if d.code == "E0201")
    origin = next(n.span for n in unit.notes if n.message.startswith("money comes from"))
    assert origin is not None and origin.line == 1


def test_duplicate_declarations_are_still_checked(tmp_path: Path) -> None:
    text = "define a: money = $1.00\ndefine a: money = $1.00 + 5%\n"
    diagnostics = check_fails(tmp_path, text)
    assert sorted((d.code, where(d)) for d in diagnostics) == [
        ("E0102", (2, 1)), ("E0201", (2, 19))]


def test_unexpected_end_points_at_the_last_token(tmp_path: Path) -> None:
    diagnostic = only(check_fails(tmp_path, "define a: number = 1 +\n# a closing comment\n"),
                      "E0003")
    assert where(diagnostic) == (1, 22) and diagnostic.span.text == "+"
    assert diagnostic.message.startswith("unexpected end of file; expected")


def test_tier_gaps_are_reported_beside_other_errors(tmp_path: Path) -> None:
    text = ("define bad: money = $1.00 + 5%\n"
            "schedule credit(x: percent): number\n  below 25% pays 0\n  from 30% pays 1\nend\n")
    diagnostics = check_fails(tmp_path, text)
    assert sorted((d.code, where(d)) for d in diagnostics) == [
        ("E0201", (1, 21)), ("E0304", (4, 3))]


def test_a_long_line_is_shown_as_a_window(tmp_path: Path) -> None:
    text = "define x: number = " + "(" * 10_000 + "1" + ")" * 10_000 + "\n"
    diagnostic = refused(write(tmp_path, text), "E0005")
    shown = render(diagnostic)
    assert len(shown) < 1000
    quoted = shown.split("\n")[2]
    assert quoted.startswith("1 | ...(((") and quoted.endswith("(((...")


def test_a_schedule_over_dates_is_refused_once(tmp_path: Path) -> None:
    text = "schedule a(b: date): date\n  below 2024-01-03 pays 2025-01-03\nend\n"
    diagnostic = only(check_fails(tmp_path, text), "E0309")
    assert diagnostic.message == "a schedule maps numbers to values; `b` is a date"
    assert where(diagnostic) == (1, 12)


def test_a_group_cannot_be_spelled_all(tmp_path: Path) -> None:
    text = 'stratification race\n  groups "ALL" as Everyone, White\n  reference White\nend\n'
    diagnostic = only(check_fails(tmp_path, text), "E0111")
    assert diagnostic.message == ('rows spelled "ALL" in the table are the whole population, '
                                  "not a group of a stratification")
    assert where(diagnostic) == (2, 10)


def test_many_errors_are_capped_and_counted(tmp_path: Path) -> None:
    # Thousands of misspelt names must not cost a "did you mean" each against thousands of
    # declared names: the checker shows the first MAX_DIAGNOSTICS and counts the rest.
    text = "".join(f"define y{i}: number = oops{i} + 1\n" for i in range(MAX_DIAGNOSTICS + 30))
    diagnostics = check_fails(tmp_path, text)
    assert len(diagnostics) == MAX_DIAGNOSTICS + 1
    summary = diagnostics[-1]
    assert summary.message.startswith("30 more problems in this contract and its modules not "
                                      "shown (E0101 x30), the first at ")
    assert summary.message.endswith(f"contract.eq:{MAX_DIAGNOSTICS + 1}:22")
    shown = render_all(diagnostics)
    assert shown.index("`oops49` is not defined") < shown.index("30 more problems")
    assert shown.index("contract.eq:2:21:") < shown.index("contract.eq:12:22:")


@pytest.mark.parametrize(("written", "code", "message"), [
    ("../outside.eq", "E0108", "`../outside.eq` is a path outside its folder; a contract may "
     "import only files in its own folder and the standard library"),
    ("link.eq", "E0108", "`link.eq` is a path that leads outside its folder through a link; a "
     "contract may import only files in its own folder and the standard library"),
    ("/etc/passwd", "E0108", "`/etc/passwd` is an absolute path; a contract may import only "
     "files in its own folder and the standard library"),
    ("", "E0107", "cannot import an empty path"),
])
def test_imports_stay_in_the_contract_folder(tmp_path: Path, written: str, code: str,
                                             message: str) -> None:
    folder = tmp_path / "terms"
    folder.mkdir()
    write(tmp_path, "define k: number = 1\n", "outside.eq")
    (folder / "link.eq").symlink_to(tmp_path / "outside.eq")
    diagnostic = only(diagnostics_of(write(folder, f'import "{written}" as m\n')), code)
    assert diagnostic.message == message
    assert where(diagnostic) == (1, 1)


def test_impossible_dates_of_separate_declarations_are_reported_together(
        tmp_path: Path) -> None:
    text = ("parameter start: date = 2024-02-30\n"
            "parameter cap: money = $5.00\n"
            "  amended to $7.00 from 2024-13-01\n")
    diagnostics = check_fails(tmp_path, text)
    assert [(d.code, d.message, where(d)) for d in diagnostics] == [
        ("E0007", "`2024-02-30` is not a calendar date", (1, 25)),
        ("E0007", "`2024-13-01` is not a calendar date", (3, 25)),
    ]
