"""Hostile contracts, tables and command lines: each is refused with a code, its place and
a hint, never a traceback and never a silent misreading (issue 16, items 4, 6, 8 and 9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_run import copy_reference, run

from eqlang.api import load_contract, settle
from eqlang.diagnostics import EqlangError
from eqlang.syntax.parse import MAX_DECIMAL_PLACES
from eqlang.syntax.parser_tables import data_path

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = "contracts/reference-equity.eq"
TABLE = "contracts/reference-equity.csv"
ROUNDING = "rounded to cents half up"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return copy_reference(tmp_path, monkeypatch)


def fails(*args: str, code: str, where: str, message: str = "") -> str:
    """Run eqlang; it must exit 1 with ``code`` at ``where`` (file:line:col)."""
    status, _, err = run(*args)
    assert status == 1 and "Traceback" not in err, err
    assert f"{where}: error[{code}]: {message}" in err, err
    assert "= hint: " in err
    return err


def reference_with(old: str, new: str) -> Path:
    text = Path(CONTRACT).read_text()
    assert old in text
    Path("c.eq").write_text(text.replace(old, new, 1), newline="")
    return Path("c.eq")


def line_col(old: str, offset: int = 0) -> str:
    text = Path(CONTRACT).read_text()
    index = text.index(old) + offset
    line = text.count("\n", 0, index) + 1
    return f"{line}:{index - text.rfind(chr(10), 0, index)}"


# ---- line ends -----------------------------------------------------------------------------


@pytest.mark.parametrize("ending", ["\r", "\u2028", "\u2029"], ids=["CR", "LS", "PS"])
def test_a_line_end_eqlang_does_not_read_as_one_is_refused_at_its_place(
        workdir: Path, ending: str) -> None:
    # The amendment after the comment would be ignored while an editor shows it.
    old = "# Settle it with:"
    reference_with(old, "# Amendment 3" + ending + "parameter extra: money = $0.00")
    for command in (("check",), ("fmt",), ("eval", "--table", TABLE)):
        fails(command[0], "c.eq", *command[1:], code="E0001",
              where=f"c.eq:{line_col(old, 13)}", message="a ")


def test_a_file_of_only_carriage_returns_is_refused_on_its_first_line(workdir: Path) -> None:
    text = Path(CONTRACT).read_text().replace("\n", "\r")
    Path("c.eq").write_text(text, newline="")
    first_cr = text.index("\r") + 1
    fails("check", "c.eq", code="E0001", where=f"c.eq:1:{first_cr}",
          message="a carriage return (CR) that does not end a line")


def test_crlf_line_ends_are_read_as_line_ends(workdir: Path) -> None:
    text = Path(CONTRACT).read_text().replace("\n", "\r\n")
    Path("c.eq").write_text(text, newline="")
    code, out, err = run("check", "c.eq")
    assert code == 0 and out == "c.eq: ok (3 measures, 2 outputs)\n", err


# ---- bytes that are not text ---------------------------------------------------------------


@pytest.mark.parametrize(("data", "where", "message"), [
    (b'contract "x"\nend\nparameter p: text = "a\x00b"\n', "3:23",
     "file contains NUL bytes (the first at byte 39)"),
    (b'contract "x"\nend\nparameter p: text = "Montr\xe9al"\n', "3:27",
     "file is not valid UTF-8 (byte 43 is 0xe9)"),
    (b'\xef\xbb\xbfcontract "x"\nend\n# caf\xe9\n', "3:6",
     "file is not valid UTF-8 (byte 25 is 0xe9)"),
], ids=["NUL", "Latin-1", "Latin-1 after a byte-order mark"])
def test_a_byte_that_is_not_text_is_refused_at_its_line_and_column(
        workdir: Path, data: bytes, where: str, message: str) -> None:
    Path("c.eq").write_bytes(data)
    fails("check", "c.eq", code="E0001", where=f"c.eq:{where}", message=message)
    Path("main.eq").write_text('import "c.eq" as c\n')
    err = fails("check", "main.eq", code="E0107", where="main.eq:1:1",
                message=f"cannot import `c.eq`: {message}")
    line, column = where.split(":")
    assert f"(line {line}, column {column} of it)" in err


# ---- a file that is not a contract ---------------------------------------------------------


def test_a_module_given_to_eval_is_not_settled(workdir: Path) -> None:
    Path("m.eq").write_text("define x: number = 1\n")
    fails("eval", "m.eq", "--table", TABLE, code="E0606", where="m.eq:1:1",
          message="this is a module, not a contract")
    stdlib = str(data_path("stdlib") / "payment.eq")
    fails("eval", stdlib, "--table", TABLE, code="E0606", where=f"{stdlib}:1:1")
    with pytest.raises(EqlangError) as caught:
        settle(load_contract("m.eq"), [TABLE])
    assert caught.value.diagnostics[0].code == "E0606"


def test_a_contract_without_outputs_is_not_settled(workdir: Path) -> None:
    Path("c.eq").write_text('contract "Nothing"\n  provider each organization\n  currency USD\n'
                            '  period baseline is "2022"\nend\n')
    fails("eval", "c.eq", "--table", TABLE, code="E0606", where="c.eq:1:1",
          message="the contract declares no output")


@pytest.mark.parametrize("table", ["", "\ufeff", "org,measure,group,period,numerator,"
                                   "denominator\n", "org,measure,group,period,numerator,"
                                   "denominator\r\n\r\n"], ids=["empty", "only a mark",
                                                                "header", "header, CRLF"])
def test_a_table_without_rows_is_refused_at_its_line(workdir: Path, table: str) -> None:
    Path("t.csv").write_text(table, encoding="utf-8", newline="")
    line = 2 if "org" in table else 1
    fails("eval", CONTRACT, "--table", "t.csv", code="E0602" if line == 2 else "E0501",
          where=f"t.csv:{line}:1")
    with pytest.raises(EqlangError) as caught:
        settle(load_contract(CONTRACT), [])
    assert caught.value.diagnostics[0].message.startswith("no measure table was given")


# ---- rounding ------------------------------------------------------------------------------


@pytest.mark.parametrize("places", [str(MAX_DECIMAL_PLACES + 1), "999999999999", "9" * 10_000,
                                    "0" * 5000 + "35"],
                         ids=["35", "twelve digits", "ten thousand digits", "leading zeros"])
def test_a_number_of_decimal_places_too_large_is_refused_where_it_is_written(
        workdir: Path, places: str) -> None:
    reference_with(ROUNDING, f"rounded to {places} decimals half up")
    where = f"c.eq:{line_col(ROUNDING, len('rounded to '))}"
    for command in (("check",), ("fmt",), ("bounds",), ("eval", "--table", TABLE)):
        fails(command[0], "c.eq", *command[1:], code="E0010", where=where,
              message="cannot round to ")


def test_the_largest_number_of_places_is_accepted(workdir: Path) -> None:
    reference_with(ROUNDING, f"rounded to 0{MAX_DECIMAL_PLACES} decimals half up")
    assert run("check", "c.eq")[0] == 0


@pytest.mark.parametrize("places", ["999999999999", "9" * 10_000, "2.5"])
def test_round_to_too_many_places_is_refused_where_it_is_written(
        workdir: Path, places: str) -> None:
    old = "pool * rescaled_weight(m) * measure_score(m)"
    reference_with(old, f"round({old}, {places}, half up)")
    text = Path("c.eq").read_text()
    index = text.index(f"round({old}, ") + len(f"round({old}, ")
    where = f"c.eq:{text.count(chr(10), 0, index) + 1}:{index - text.rfind(chr(10), 0, index)}"
    for command in (("check",), ("bounds",), ("eval", "--table", TABLE)):
        fails(command[0], "c.eq", *command[1:], code="E0010", where=where,
              message="cannot round to ")


# ---- imports -------------------------------------------------------------------------------


def _stdlib_from(folder: Path) -> str:
    """A relative path from ``folder`` to the installed standard library's hedis.eq."""
    import os
    return os.path.relpath(data_path("stdlib").resolve() / "hedis.eq", folder.resolve())


def test_a_relative_path_into_the_standard_library_is_refused(workdir: Path) -> None:
    Path("c.eq").write_text(f'import "{_stdlib_from(workdir)}" as h\n')
    err = fails("check", "c.eq", code="E0108", where="c.eq:1:1",
                message=f"`{_stdlib_from(workdir)}` is a path outside its folder")
    assert "import it by name, `import hedis`" in err


def test_a_link_into_the_standard_library_is_refused(workdir: Path) -> None:
    Path("lib").symlink_to(data_path("stdlib").resolve())
    Path("c.eq").write_text('import "lib/hedis.eq" as h\n')
    fails("check", "c.eq", code="E0108", where="c.eq:1:1",
          message="`lib/hedis.eq` is a path that leads outside its folder through a link")


def test_a_module_in_a_subfolder_cannot_climb_out_either(workdir: Path) -> None:
    Path("sub").mkdir()
    Path("sub/m.eq").write_text(f'import "{_stdlib_from(workdir / "sub")}" as h\n')
    Path("c.eq").write_text('import "sub/m.eq" as m\n')
    fails("check", "c.eq", code="E0108", where="sub/m.eq:1:1")


def test_an_absolute_path_into_the_standard_library_is_refused(workdir: Path) -> None:
    target = data_path("stdlib").resolve() / "hedis.eq"
    Path("c.eq").write_text(f'import "{target}" as h\n')
    fails("check", "c.eq", code="E0108", where="c.eq:1:1", message=f"`{target}` is an "
          "absolute path")


def test_the_standard_library_by_name_and_its_own_imports_still_work(workdir: Path) -> None:
    Path("c.eq").write_text("import hedis\nimport payment\n")
    code, _, err = run("check", "c.eq")
    assert code == 0, err


@pytest.mark.parametrize("name", ["a" * 5000 + ".eq", "d/" * 3000 + "x.eq",
                                  "a" * 300 + "/x.eq"],
                         ids=["a long name", "a deep path", "a long folder"])
def test_an_import_path_the_file_system_cannot_take_is_refused_at_the_import(
        workdir: Path, name: str) -> None:
    Path("c.eq").write_text(f'contract "x"\nend\nimport "{name}" as a\n')
    err = fails("check", "c.eq", code="E0107", where="c.eq:3:1", message="cannot import `")
    assert max(len(line) for line in err.splitlines()) < 300
