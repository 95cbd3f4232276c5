"""The benchmark harness (bench/bench_eval.py) measures each command on its own: the memory
of the process that starts it does not count, a command that runs too long is stopped, and
its options say plainly what is wrong. No timing is asserted here."""

from __future__ import annotations

import sys

import bench_eval
import pytest


@pytest.fixture
def launcher():
    started = bench_eval.Launcher(bench_eval.Limits(repeat=1, timeout=20.0, memory=2**30))
    yield started
    started.close()


def test_a_command_reports_its_own_peak_memory(launcher) -> None:
    # This test process holds far more than a bare Python; the command must not inherit it.
    ballast = b"1" * (300 * 2**20)
    small = launcher.run([sys.executable, "-S", "-c", "pass"])
    large = launcher.run([sys.executable, "-S", "-c", "x = b'1' * (200 * 2**20)"])
    assert small.peak < 100 * 2**20 < 200 * 2**20 < large.peak
    assert small.stopped is None and small.cpu >= 0
    del ballast


def test_a_command_prints_into_its_usage(launcher) -> None:
    usage = launcher.run([sys.executable, "-S", "-c", "print('settled')"])
    assert usage.output == b"settled\n"


def test_a_command_that_runs_too_long_is_stopped() -> None:
    launcher = bench_eval.Launcher(bench_eval.Limits(repeat=3, timeout=0.5, memory=2**30))
    try:
        usage = launcher.run([sys.executable, "-S", "-c", "while True: pass"])
    finally:
        launcher.close()
    assert usage.stopped is not None and usage.stopped.startswith("stopped after")
    assert bench_eval.seconds(usage).startswith("> ")


def test_a_command_that_fails_stops_the_benchmark(launcher) -> None:
    with pytest.raises(SystemExit, match=r"failed:\n.*no such thing"):
        launcher.run([sys.executable, "-S", "-c", "raise SystemExit('no such thing')"])


@pytest.mark.parametrize(("arguments", "message"), [
    (["--orgs", "1000,ten"], "not a list of whole numbers: '1000,ten'"),
    (["--orgs", "0"], "every size must be at least 1"),
    (["--only", "eval,speed"], "unknown measurement 'speed'; choose from eval, trace, peers"),
])
def test_options_say_what_is_wrong(arguments: list[str], message: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        bench_eval.main(arguments)
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err


def test_the_results_table_is_markdown() -> None:
    row = bench_eval.Row("`eval`, 10 organizations", "1.00 s", "0.50 s (pandas)", "2.00×")
    lines = bench_eval.markdown([row]).splitlines()
    assert lines[0].startswith("| measurement | eqlang CPU | yardstick CPU | ratio |")
    assert lines[1] == "|" + "---|" * len(bench_eval.COLUMNS)
    assert lines[2].startswith("| `eval`, 10 organizations | 1.00 s | 0.50 s (pandas) | 2.00× |")
