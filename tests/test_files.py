"""Files eqlang reads and writes: only regular files are read, and an output never replaces
anything but a regular file (a device, a named pipe or a socket stays what it was)."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cli_run import copy_reference, run

from eqlang.api import load_contract, settle
from eqlang.diagnostics import EqlangError
from eqlang.files import Unreadable, read_limited
from eqlang.syntax.parser_tables import data_path

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = "contracts/reference-equity.eq"
TABLE = "contracts/reference-equity.csv"
FLAWED = ROOT / "docs" / "flaws" / "best-performing-reference.eq"
#: The first table `check --properties` saves for the flawed contract.
COUNTEREXAMPLE = "counterexample-1-better-care-for-a-focus-group-never-pays-less.csv"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return copy_reference(tmp_path, monkeypatch)


def _fifo(path: Path) -> Iterator[None]:
    os.mkfifo(path)
    yield


def _socket(path: Path) -> Iterator[None]:
    # Bound at a short path and moved into place: a socket's path has at most 107 bytes.
    short = Path(tempfile.mkdtemp(prefix="eq", dir="/tmp"))
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(short / "s"))
        os.rename(short / "s", path)
        yield
    finally:
        server.close()
        shutil.rmtree(short)


def _device(path: Path) -> Iterator[None]:
    # A null device of our own: the machine's /dev/null is not put at risk by a failing test.
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device needs root")
    yield


def _linked(make: Callable[[Path], Iterator[None]]) -> Callable[[Path], Iterator[None]]:
    def link(path: Path) -> Iterator[None]:
        real = path.with_name(path.name + ".real")
        made = make(real)
        next(made)
        path.symlink_to(real.name)
        yield
        next(made, None)
    return link


SPECIAL = {"fifo": _fifo, "socket": _socket, "device": _device,
           "link to a fifo": _linked(_fifo), "link to a device": _linked(_device)}
KINDS = {"fifo": "a named pipe (FIFO)", "socket": "a socket", "device": "a character device",
         "link to a fifo": "a named pipe (FIFO)", "link to a device": "a character device"}


@pytest.fixture(params=sorted(SPECIAL))
def special(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A special file (perhaps through a link) in a folder of its own, and its kind."""
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / COUNTEREXAMPLE
    made = SPECIAL[request.param](path)
    next(made)
    yield path, KINDS[request.param]
    next(made, None)


def _mode(path: Path) -> int:
    return os.stat(path).st_mode


def _unchanged(path: Path, before: int) -> None:
    """The special file is still there, of its kind, and nothing else was left beside it."""
    assert stat.S_IFMT(_mode(path)) == stat.S_IFMT(before)
    assert not any(p.name.endswith(".tmp") for p in path.parent.iterdir())


OUTPUTS = {
    "eval --trace": lambda path: ("eval", CONTRACT, "--table", TABLE, "--trace", str(path)),
    "doc --output": lambda path: ("doc", str(data_path("stdlib") / "hedis.eq"),
                                  "--output", str(path)),
    "doc --check": lambda path: ("doc", str(data_path("stdlib") / "hedis.eq"),
                                 "--output", str(path), "--check"),
    "check --counterexamples": lambda path: ("check", "--properties", "--examples", "50",
                                            "--counterexamples", str(path.parent),
                                            str(FLAWED)),
}


@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_an_output_never_replaces_a_special_file(
        workdir: Path, special: tuple[Path, str], command: str) -> None:
    path, kind = special
    before = _mode(path)
    code, _, err = run(*OUTPUTS[command](path))
    assert code == 1 and "Traceback" not in err
    assert f"{path}: error[E0605]: cannot " in err, err
    assert f"is {kind}, not a regular file" in err, err
    _unchanged(path, before)


def test_the_api_never_writes_a_trace_over_a_special_file(
        workdir: Path, special: tuple[Path, str]) -> None:
    path, _ = special
    before = _mode(path)
    run_ = settle(load_contract(CONTRACT), [TABLE])
    with pytest.raises(EqlangError) as caught:
        run_.write_trace(path)
    assert caught.value.diagnostics[0].code == "E0605"
    _unchanged(path, before)


def test_an_output_through_a_link_to_a_regular_file_replaces_that_file(workdir: Path) -> None:
    Path("real.json").write_text("old\n")
    Path("link.json").symlink_to("real.json")
    assert run("eval", CONTRACT, "--table", TABLE, "--trace", "link.json")[0] == 0
    assert Path("link.json").is_symlink()
    assert Path("real.json").read_text().startswith('{"as_of"')


def test_a_folder_is_never_replaced(workdir: Path) -> None:
    Path("out.md").mkdir()
    code, _, err = run("doc", str(data_path("stdlib") / "hedis.eq"), "--output", "out.md")
    assert code == 1 and "out.md: error[E0605]: cannot write the output here: it is a " \
        "directory, not a regular file" in err, err
    assert Path("out.md").is_dir()


def test_a_very_long_output_name_is_refused_with_a_diagnostic(workdir: Path) -> None:
    name = "t" * 300 + ".json"
    code, _, err = run("eval", CONTRACT, "--table", TABLE, "--trace", name)
    assert code == 1 and "error[E0605]" in err and "Traceback" not in err, err


# ---- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [("check",), ("fmt",), ("bounds",), ("test",), ("doc",),
                                     ("eval", "--table", TABLE)],
                         ids=lambda words: words[0])
def test_a_contract_that_is_not_a_regular_file_is_refused(
        workdir: Path, special: tuple[Path, str], command: tuple[str, ...]) -> None:
    path, kind = special
    name, *rest = command
    code, _, err = run(name, str(path), *rest)
    assert code == 1 and "Traceback" not in err
    assert f"{path}: error[E0001]: this is {kind}, not a regular file" in err, err


def test_the_reader_stops_at_the_limit_and_names_what_it_refuses(tmp_path: Path) -> None:
    path = tmp_path / "big.eq"
    path.write_bytes(b"#" * 101)
    with pytest.raises(Unreadable) as caught:
        read_limited(path, 100, "contract")
    assert caught.value.kind == "too large"
    assert caught.value.message == ("file is 101 bytes; eqlang reads contracts of at most "
                                    "100 bytes")
    assert read_limited(path, 101, "contract") == b"#" * 101
    with pytest.raises(Unreadable) as caught:
        read_limited(tmp_path / ("x" * 5000), 100, "contract")
    assert caught.value.message == "the path is too long for the file system"


def test_an_import_name_too_long_for_the_file_system_is_located(workdir: Path) -> None:
    Path("long.eq").write_text(f'import "{"a" * 5000}.eq" as a\n')
    code, _, err = run("check", "long.eq")
    assert code == 1 and "Traceback" not in err
    assert err.startswith("long.eq:1:1: error[E0107]: cannot import "), err
    assert len(err.splitlines()[0]) < 300


def test_a_loop_of_links_is_refused_with_a_diagnostic(workdir: Path) -> None:
    Path("one.json").symlink_to("two.json")
    Path("two.json").symlink_to("one.json")
    code, _, err = run("eval", CONTRACT, "--table", TABLE, "--trace", "one.json")
    assert code == 1 and "one.json: error[E0605]: cannot write the output here: " in err, err
    assert Path("one.json").is_symlink() and Path("two.json").is_symlink()


def test_a_counterexample_folder_that_cannot_be_made_is_refused_with_a_diagnostic(
        workdir: Path) -> None:
    Path("taken").write_text("a file\n")
    code, _, err = run("check", "--properties", "--examples", "50", "--counterexamples",
                       "taken/found", str(FLAWED))
    assert code == 1 and "Traceback" not in err
    assert "taken/found: error[E0605]: cannot write the output here: cannot create the " \
        "folder" in err, err


def test_a_fhir_map_that_is_not_a_regular_file_is_refused(
        workdir: Path, special: tuple[Path, str]) -> None:
    path, kind = special
    code, _, err = run("eval", CONTRACT, "--table", TABLE, "--fhir-map", str(path))
    assert code == 1 and "Traceback" not in err
    assert f"cannot read the FHIR map: this is {kind}, not a regular file" in err, err
