"""Nothing eqlang prints takes control of the terminal: control characters, line separators
and bidirectional controls from contracts, tables and traces are shown escaped, by every
command; and a contract cannot hold them (but for direction marks in display text)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_run import copy_reference, run
from hypothesis import given, settings
from hypothesis import strategies as st

from eqlang.terminal import printable, unsafe

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = "contracts/reference-equity.eq"
TABLE = "contracts/reference-equity.csv"
HARBORVIEW = "Harborview Health Partners"
#: Terminal commands: set the window title, and write the clipboard (OSC 52).
TITLE = "\x1b]0;pwned\x07"
CLIPBOARD = "\x1b]52;c;cHduZWQ=\x07"
#: What no printed text may hold: ESC, BEL, CR, a C1 control, an override, a separator.
HOSTILE = ("\x1b", "\x07", "\r", "\x9b", "\u202e", "\u2066", "\u2028")


def assert_safe(*texts: str) -> None:
    for text in texts:
        assert not list(unsafe(text)), repr(text[:200])
        assert not any(char in text for char in HOSTILE)


@given(st.text())
@settings(max_examples=300, deadline=None, database=None)
def test_printable_leaves_nothing_to_act_on_and_is_idempotent(text: str) -> None:
    shown = printable(text)
    assert_safe(shown)
    assert printable(shown) == shown
    if not list(unsafe(text)):
        assert shown == text


@given(st.dictionaries(st.text(), st.text()))
@settings(max_examples=200, deadline=None, database=None)
def test_printable_json_stays_the_same_json(data: dict[str, str]) -> None:
    text = json.dumps(data, ensure_ascii=False)
    shown = printable(text, json=True)
    assert_safe(shown)
    assert json.loads(shown) == data


def test_the_escapes_read_like_python_strings() -> None:
    assert printable(f"Evil {TITLE} Org") == "Evil \\x1b]0;pwned\\x07 Org"
    assert printable("a\rb\u202ec\U000e0001\n\t") == "a\\rb\\u202ec\U000e0001\n\t"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy_reference(tmp_path, monkeypatch)
    text = (tmp_path / TABLE).read_text().replace(HARBORVIEW, f"Evil {TITLE} Org")
    (tmp_path / "evil.csv").write_text(text)
    return tmp_path


def test_a_hostile_organization_name_is_escaped_in_the_summary_and_json(workdir: Path) -> None:
    code, out, err = run("eval", CONTRACT, "--table", "evil.csv")
    assert code == 0, err
    assert "Organization: Evil \\x1b]0;pwned\\x07 Org" in out
    assert_safe(out)
    code, out, _ = run("eval", CONTRACT, "--table", "evil.csv", "--json")
    assert_safe(out)
    assert f"Evil {TITLE} Org" in json.loads(out)  # the same name, escaped JSON's way


def test_a_hostile_organization_name_is_escaped_by_explain_and_verify(workdir: Path) -> None:
    assert run("eval", CONTRACT, "--table", "evil.csv", "--trace", "t.json")[0] == 0
    code, out, err = run("explain", "t.json", "payout", "--org", f"Evil {TITLE} Org")
    assert code == 0, err
    assert out.startswith("Evil \\x1b]0;pwned\\x07 Org\n")
    assert_safe(out)
    code, _, err = run("explain", "t.json", "payout", "--org", "Evil")
    assert code == 1 and "did you mean `Evil \\x1b]0;pwned\\x07 Org`?" in err
    assert_safe(err)
    code, _, err = run("explain", "t.json", "payout")
    assert code == 2 and "Evil \\x1b]0;pwned\\x07 Org" in err
    assert_safe(err)


def test_a_terminal_command_planted_in_a_trace_is_shown_escaped(workdir: Path) -> None:
    assert run("eval", CONTRACT, "--table", TABLE, "--trace", "t.json")[0] == 0
    trace = json.loads(Path("t.json").read_text())
    for node in trace["organizations"][HARBORVIEW]["nodes"].values():
        node["at"] = CLIPBOARD + node["at"]
        node["name"] = node["name"] + "\r\u202e"
    trace["contract"]["path"] = TITLE + trace["contract"]["path"]
    Path("t.json").write_text(json.dumps(trace))
    code, out, err = run("explain", "t.json", "payout", "--org", HARBORVIEW)
    assert code == 0, err
    assert "output at \\x1b]52;c;cHduZWQ=\\x07contracts/reference-equity.eq:" in out
    assert_safe(out, err)
    code, out, err = run("verify", "t.json")
    assert code == 1
    assert "contract \\x1b]0;pwned\\x07contracts/reference-equity.eq: cannot be read" in err
    assert_safe(out, err)


def test_a_hostile_table_cell_is_escaped_in_diagnostics_with_the_carets_below_it(
        workdir: Path) -> None:
    Path("bad.csv").write_text("org,measure,group,period,numerator,denominator\n"
                               "A\x1b[2J,COL,ALL,2022,x\r9,10\n")
    code, out, err = run("eval", CONTRACT, "--table", "bad.csv")
    assert code == 1
    assert_safe(out, err)
    lines = err.splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("2 | "))
    assert lines[row] == "2 | A\\x1b[2J,COL,ALL,2022,x\\r9,10"
    carets = lines[row + 1]
    assert lines[row][carets.index("^"):len(carets)] == "x\\r9"  # the whole cell


@pytest.mark.parametrize(("text", "what"), [
    (f'contract "Evil {TITLE}"\nend\n', "a control character, \\x1b,"),
    ('contract "x"\n  payer "A\rB"\nend\n', "a carriage return (CR) that does not end a line"),
    ("# note\u2028parameter p: money = $0.00\n", "a line separator (U+2028) that does not end"),
    ('contract "x"\n  version "\x9b31m"\nend\n', "a control character, \\x9b,"),
], ids=["ESC in a title", "CR in a name", "line separator", "C1 control"])
def test_a_contract_holding_a_control_character_is_refused_where_it_stands(
        workdir: Path, text: str, what: str) -> None:
    Path("c.eq").write_text(text, newline="")
    for command in (("check",), ("fmt",), ("bounds",), ("eval", "--table", TABLE)):
        code, out, err = run(command[0], "c.eq", *command[1:])
        assert code == 1 and out == ""
        assert what in err and "c.eq:" in err.splitlines()[0]
        assert_safe(err)
