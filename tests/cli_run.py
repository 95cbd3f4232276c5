"""Running the ``eqlang`` command in-process, for tests of the command line."""

from __future__ import annotations

from click.testing import CliRunner

from eqlang.cli import main


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    """Exit status, standard output and standard error of ``eqlang ARGS``, with ``stdin``
    as standard input."""
    result = CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr
