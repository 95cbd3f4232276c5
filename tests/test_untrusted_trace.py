"""A trace is untrusted input: `verify` reads only regular files inside the folder the user
names (the trace's own by default), within the inputs' size limits, and shows nothing of a
file that is not the one traced; `explain` and `verify` read the trace itself the same way.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_run import run

import eqlang.trace.inputs

ROOT = Path(__file__).resolve().parent.parent
SHOWCASE = "contracts/showcase.eq"
SHOWCASE_TABLE = "contracts/showcase.csv"
MODULE = "contracts/lib/plan_measures.eq"
#: A line of a private file: it must never be printed, whatever the trace says.
SECRET = "root:x:0:0:the private line no trace may show"

Field = Callable[[dict[str, Any]], dict[str, Any]]
#: Each path field of a trace, as the object that holds it.
FIELDS: dict[str, Field] = {
    "contract": lambda trace: trace["contract"],
    "module": lambda trace: next(m for m in trace["contract"]["modules"]
                                 if not m["path"].startswith("<stdlib>")),
    "table": lambda trace: trace["tables"][0],
}


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The showcase contract, its module and its table, settled with a trace beside them,
    and a private file in a folder next to it."""
    work = tmp_path / "work"
    for name in (SHOWCASE, SHOWCASE_TABLE, MODULE):
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, work / name)
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "passwd").write_text(SECRET + "\n")
    monkeypatch.chdir(work)
    code, _, err = run("eval", SHOWCASE, "--table", SHOWCASE_TABLE, "--trace", "t.json")
    assert code == 0, err
    return work


def edit(field: str, path: str) -> None:
    """Point one path field of t.json somewhere else."""
    trace = json.loads(Path("t.json").read_text())
    FIELDS[field](trace)["path"] = path
    Path("t.json").write_text(json.dumps(trace))


def refused(*expected: str) -> str:
    code, out, err = run("verify", "t.json")
    assert code == 1 and "Traceback" not in err, err
    assert SECRET not in out + err and "root:x" not in out + err
    for text in expected:
        assert text in err, err
    return err


@pytest.mark.parametrize("field", sorted(FIELDS))
@pytest.mark.parametrize(("written", "how"), [
    ("{private}/passwd", "an absolute path"),
    ("../private/passwd", "`..`"),
    ("contracts/../../private/passwd", "`..`"),
    ("leak", "a link"),
    ("/dev/zero", "an absolute path"),
    ("/proc/self/environ", "an absolute path"),
])
def test_a_path_out_of_the_folder_is_never_read(workdir: Path, field: str, written: str,
                                                how: str) -> None:
    private = workdir.parent / "private"
    (workdir / "leak").symlink_to(private / "passwd")
    if field == "module":
        # A module's path is recorded from the contract's folder.
        written = written.replace("../private", "../../private").replace("leak", "../leak")
    edit(field, written.format(private=private))
    refused(f"{field} {written.format(private=private)}: cannot be read (it is outside ",
            f"reached by {how}), so the values cannot be re-derived")


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_a_file_in_the_folder_that_is_not_the_one_traced_is_never_shown(
        workdir: Path, field: str) -> None:
    # Read, since it is inside the folder; its hash differs, so re-evaluation fails without
    # a single excerpt of it.
    for notes in ("notes.txt", "contracts/notes.txt"):
        Path(notes).write_text(SECRET + "\n")
    edit(field, {"contract": "contracts/notes.txt", "module": "notes.txt"}.get(field,
                                                                             "notes.txt"))
    err = refused("its SHA-256 is")
    assert "error[" not in err
    if field != "module":  # a module is only hashed: re-evaluation reads what is imported
        assert "re-evaluation from the recorded inputs failed; the errors are not shown" in err


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_a_named_pipe_or_a_device_in_the_folder_is_refused_without_waiting(
        workdir: Path, field: str) -> None:
    # In a process of its own with a time limit: were the pipe opened to read, it would wait
    # for a writer forever.
    os.mkfifo("pipe")
    edit(field, "pipe" if field != "module" else "../pipe")
    result = subprocess.run([sys.executable, "-m", "eqlang", "verify", "t.json"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "this is a named pipe (FIFO), not a regular file" in result.stderr, result.stderr


def test_an_input_larger_than_its_limit_is_not_read(workdir: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(eqlang.trace.inputs, "MAX_TABLE_BYTES", 100)
    refused(f"table {SHOWCASE_TABLE}: cannot be read (file is ", "eqlang reads tables of at "
            "most 100 bytes)")


def test_a_standard_library_path_reaches_only_the_standard_library(workdir: Path) -> None:
    trace = json.loads(Path("t.json").read_text())
    for module in trace["contract"]["modules"]:
        if module["path"].startswith("<stdlib>"):
            module["path"] = "<stdlib>/../../../private/passwd"
    Path("t.json").write_text(json.dumps(trace))
    refused("module <stdlib>/../../../private/passwd: there is no such module in the "
            "standard library")


def test_inputs_elsewhere_are_read_from_the_folder_named(
        workdir: Path, tmp_path_factory: pytest.TempPathFactory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    shutil.move("t.json", elsewhere / "t.json")
    refused_here = run("verify", str(elsewhere / "t.json"))
    assert refused_here[0] == 1 and "cannot be read (no such file)" in refused_here[2]
    code, out, err = run("verify", str(elsewhere / "t.json"), "--inputs", str(workdir))
    assert code == 0 and "verified" in out, err
    code, _, err = run("verify", str(elsewhere / "t.json"), "--inputs", "nowhere")
    assert code == 2 and "'--inputs': Directory 'nowhere' does not exist" in err


# ---- the trace itself --------------------------------------------------------------------


@pytest.mark.parametrize("command", [("verify",), ("explain", "payout")],
                         ids=lambda words: words[0])
@pytest.mark.parametrize(("make", "message"), [
    (lambda path: os.mkfifo(path), "this is a named pipe (FIFO), not a regular file"),
    (lambda path: path.symlink_to("/dev/zero"), "this is a character device, not a regular "
                                                "file"),
    (lambda path: path.write_text('{"format": "eqlang-trace/1", "rows": ' + "9" * 5000 + "}"),
     "it holds a whole number 5,000 digits long"),
    (lambda path: path.write_text('{"format": "eqlang-trace/1", "rows": NaN}'),
     "`NaN` is not a number JSON allows"),
    (lambda path: path.write_text("[" * 100_000 + "]" * 100_000), "not a JSON trace"),
], ids=["fifo", "device", "long number", "NaN", "deep"])
def test_a_trace_that_cannot_be_one_is_refused_at_once(
        tmp_path: Path, command: tuple[str, ...], make: Callable[[Path], None],
        message: str) -> None:
    trace = tmp_path / "t.json"
    make(trace)
    name, *rest = command
    result = subprocess.run([sys.executable, "-m", "eqlang", name, str(trace), *rest],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"{trace}: error[E0701]: " in result.stderr and message in result.stderr, \
        result.stderr


@pytest.mark.parametrize("command", [("verify",), ("explain", "payout")],
                         ids=lambda words: words[0])
def test_a_huge_row_count_in_a_valid_trace_is_refused(workdir: Path,
                                                      command: tuple[str, ...]) -> None:
    text = Path("t.json").read_text()
    rows = json.loads(text)["tables"][0]["rows"]
    Path("t.json").write_text(text.replace(f'"rows":{rows}', '"rows":' + "9" * 5000, 1))
    code, _, err = run(*command[:1], "t.json", *command[1:])
    assert code == 1 and "Traceback" not in err
    assert "t.json: error[E0701]: not a JSON trace: it holds a whole number 5,000 digits " \
        "long" in err, err


def test_a_trace_larger_than_its_limit_is_not_read(workdir: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(eqlang.trace.inputs, "MAX_TRACE_BYTES", 100)
    for command in (("verify",), ("explain", "payout")):
        code, _, err = run(command[0], "t.json", *command[1:])
        assert code == 1 and "t.json: error[E0701]: file is " in err, err
        assert "eqlang reads traces of at most 100 bytes" in err


def test_the_paths_inside_a_trace_are_shown_never_opened(workdir: Path) -> None:
    private = str(workdir.parent / "private" / "passwd")
    trace = json.loads(Path("t.json").read_text())
    for section in trace["organizations"].values():
        for node in section["nodes"].values():
            node["at"] = f"{private}:1:1"
            for row in node.get("rows", []):
                row["table"] = private
    Path("t.json").write_text(json.dumps(trace))
    org = next(iter(trace["organizations"]))
    code, out, err = run("explain", "t.json", "equity_payment", "--org", org)
    assert code == 0 and f"at {private}:1:1" in out, err
    assert SECRET not in out + err
    refused("the trace says")
