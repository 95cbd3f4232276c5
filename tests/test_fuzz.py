"""Fuzzing: valid contracts, tables and traces, damaged a few places at a time (see
``fuzzing.py``), are refused with located diagnostics or accepted, never with a traceback.

The settings are fixed (derandomized, no example database) so that CI runs the same
examples every time, in a few tens of seconds in all; ``FUZZ_EXAMPLES`` in the environment
runs that many random examples instead, for a longer search by hand.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fuzzing import damaged_trace, mutated, words_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eqlang.api import load_contract, settle
from eqlang.check import check
from eqlang.cli import main
from eqlang.data.tables import TableSet, table_from_bytes
from eqlang.diagnostics import EqlangError, render_all
from eqlang.syntax.fmt import format_module
from eqlang.syntax.modules import load
from eqlang.syntax.parse import parse
from eqlang.syntax.source import SourceError, decode_source
from eqlang.terminal import unsafe

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = {"contracts/reference-equity.eq": "contracts/reference-equity.csv",
             "contracts/showcase.eq": "contracts/showcase.csv",
             "stdlib/payment.eq": None}
REFERENCE, TABLE = "contracts/reference-equity.eq", "contracts/reference-equity.csv"
BASES = {name: (ROOT / name).read_bytes() for name in [*CONTRACTS, TABLE]}
WORDS = {name: words_of(data) for name, data in BASES.items()}
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0"))


def fuzz(examples: int) -> settings:
    return settings(max_examples=EXAMPLES or examples, deadline=None,
                    derandomize=not EXAMPLES, database=None,
                    suppress_health_check=list(HealthCheck))


def refused_well(error: EqlangError | SourceError) -> None:
    """A refusal people can act on: every diagnostic placed, rendered without a control
    character reaching the terminal."""
    if isinstance(error, SourceError):
        assert error.path and error.message and error.hint
        return
    assert error.diagnostics
    for diagnostic in error.diagnostics:
        assert diagnostic.span is not None or diagnostic.path, diagnostic
        assert diagnostic.code.startswith("E0")
    assert not list(unsafe(render_all(error.diagnostics).replace("\n", "")))


@fuzz(60)
@given(st.data())
def test_a_damaged_contract_is_refused_with_located_diagnostics(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(CONTRACTS)))
    text = data.draw(mutated(BASES[name], WORDS[name]))
    try:
        source = decode_source(name, text)
        format_module(parse(source))
        program = check(load(ROOT / name, name, source=source))
        table = CONTRACTS[name]
        if table is not None:
            settle(program, [ROOT / table])
    except (EqlangError, SourceError) as error:
        refused_well(error)


REFERENCE_PROGRAM = load_contract(ROOT / REFERENCE, display=REFERENCE)


@fuzz(60)
@given(mutated(BASES[TABLE], WORDS[TABLE]))
def test_a_damaged_table_is_refused_with_located_diagnostics(text: bytes) -> None:
    try:
        table = table_from_bytes(text, TABLE)
        settle(REFERENCE_PROGRAM, TableSet((table,)))
    except EqlangError as error:
        refused_well(error)


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A folder with the reference contract, its table and a trace of them."""
    folder = tmp_path_factory.mktemp("traced")
    (folder / "contracts").mkdir()
    for name in (REFERENCE, TABLE):
        shutil.copy(ROOT / name, folder / name)
    trace = settle(load_contract(folder / REFERENCE, display=REFERENCE),
                   [folder / TABLE]).trace()
    return folder, trace


def _commands(folder: Path, trace: Path) -> None:
    """explain and verify on a trace: a clean exit, no traceback, nothing raw printed."""
    org = "Harborview Health Partners"
    for words in (["explain", str(trace), "payout", "--org", org],
                  ["explain", str(trace), "measure_payout(CBP)", "--org", org, "--depth", "2"],
                  ["verify", str(trace), "--inputs", str(folder)]):
        result = CliRunner().invoke(main, words, catch_exceptions=False)
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output
        assert not list(unsafe(result.output.replace("\n", "")))


@fuzz(25)
@given(st.data())
def test_a_damaged_trace_is_refused_by_explain_and_verify(
        traced: tuple[Path, dict[str, Any]], data: st.DataObject) -> None:
    folder, trace = traced
    damaged = data.draw(damaged_trace(trace))
    path = folder / "damaged.json"
    path.write_text(json.dumps(damaged, ensure_ascii=False, sort_keys=True))
    _commands(folder, path)


@fuzz(25)
@given(st.data())
def test_a_trace_damaged_byte_by_byte_is_refused_by_explain_and_verify(
        traced: tuple[Path, dict[str, Any]], data: st.DataObject) -> None:
    folder, trace = traced
    text = json.dumps(trace, ensure_ascii=False, sort_keys=True).encode("utf-8")
    path = folder / "damaged.json"
    path.write_bytes(data.draw(mutated(text, (b'"path":', b'"rows":', b'"at":', b"{", b"}"))))
    _commands(folder, path)
