"""The benchmark scripts of bench/ start: each imports what it needs from the others and
answers --help (a benchmark that no longer runs is found here, not when it is wanted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
SCRIPTS = sorted(p.name for p in BENCH.glob("bench_*.py"))


@pytest.mark.parametrize("script", SCRIPTS)
def test_each_benchmark_answers_help(script: str) -> None:
    done = subprocess.run([sys.executable, str(BENCH / script), "--help"], cwd=BENCH,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout
