"""Running the ``eqlang`` command in-process, for tests of the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from eqlang.cli import main


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    """Exit status, standard output and standard error of ``eqlang ARGS``, with ``stdin``
    as standard input."""
    result = CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


ROOT = Path(__file__).resolve().parent.parent
CONTRACT = "contracts/reference-equity.eq"
TABLE = "contracts/reference-equity.csv"


def copy_reference(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``folder`` holding a copy of the reference contract and its table, made the current
    folder, so that a test may change them."""
    (folder / "contracts").mkdir()
    for name in (CONTRACT, TABLE):
        shutil.copy(ROOT / name, folder / name)
    monkeypatch.chdir(folder)
    return folder


def shipped_inputs(contract: Path) -> list[str]:
    """The command-line arguments giving a shipped contract its sample table and, where it
    reads organization inputs, its organization table."""
    arguments = ["--table", str(contract.with_suffix(".csv"))]
    organizations = contract.with_name(f"{contract.stem}-organizations.csv")
    if organizations.exists():
        arguments += ["--organizations", str(organizations)]
    return arguments
