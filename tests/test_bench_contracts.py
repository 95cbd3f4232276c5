"""The benchmark's contracts: the peer contracts (bench/contracts/, written by
bench/peer_contracts.py) check and settle, each peer term looks at the peers and its plain
twin does not; the 10,000-line contract (bench/large_contract.py) checks clean."""

from __future__ import annotations

import statistics
from decimal import Decimal
from pathlib import Path

import large_contract
import peer_contracts
import pytest
from click.testing import CliRunner

from eqlang.api import load_contract, settle
from eqlang.cli import main
from eqlang.syntax.source import MAX_SOURCE_BYTES
from eqlang.tools.synthetic import reference_table
from eqlang.tools.testing import from_csv

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "bench" / "contracts"
NAMES = [name for name, _ in peer_contracts.generate()]


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("peers") / "reference-15.csv"
    path.write_text(reference_table(15, seed=5).text(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def settled(table: Path) -> dict[str, dict]:
    paths = {name: FOLDER / name for name in NAMES}
    paths["reference"] = ROOT / "contracts" / "reference-equity.eq"
    return {name: settle(load_contract(str(path)), [str(table)]).outputs_json()
            for name, path in paths.items()}


def test_the_contracts_are_what_the_generator_writes() -> None:
    assert sorted(path.name for path in FOLDER.glob("*.eq")) == sorted(NAMES)
    for name, text in peer_contracts.generate():
        assert (FOLDER / name).read_text(encoding="utf-8") == text, \
            f"bench/contracts/{name} differs from bench/peer_contracts.py"


@pytest.mark.parametrize("variant", peer_contracts.VARIANTS, ids=lambda v: v.name)
def test_each_variant_differs_from_its_twin_only_in_its_peer_term(variant) -> None:
    peer = peer_contracts.contract(variant, plain=False)
    plain = peer_contracts.contract(variant, plain=True)
    assert "for each o in organizations" in peer or "payment.peer_third" in peer
    assert "organizations" not in plain and "peer_third" not in plain
    # The terms after the peer (or plain) definition are the same.
    assert peer[peer.index("define standing"):] == plain[plain.index("define standing"):]


@pytest.mark.parametrize("name", NAMES)
def test_each_contract_settles_every_organization(settled: dict, name: str) -> None:
    assert set(settled[name]) == set(settled["reference"])
    assert any(values["payout"] != "0.00" for values in settled[name].values())


def test_a_peer_term_changes_what_is_paid(settled: dict) -> None:
    for variant in peer_contracts.VARIANTS:
        assert settled[f"{variant.name}.eq"] != settled[f"{variant.name}-plain.eq"], variant


def test_the_median_gate_pays_at_the_peers_median_or_better(settled: dict, table: Path
                                                            ) -> None:
    """Worked out from the table: on COL (higher is better), an organization whose
    whole-population rate is below the peers' median is paid nothing on COL; one at the
    median or above is paid what the reference contract pays it."""
    tables = from_csv(table.read_text(encoding="utf-8"))
    rates = {org: Decimal(row.numerator) / row.denominator
             for org in tables.organizations()
             if (row := tables.lookup(org, "COL", "ALL", "2024")) is not None}
    median = statistics.median(rates.values())
    below = [org for org, rate in rates.items() if rate < median]
    assert 5 <= len(below) <= 8
    for org, rate in rates.items():
        gated = settled["peer-median.eq"][org]["measure_payout"]["COL"]
        reference = settled["reference"][org]["measure_payout"]["COL"]
        if isinstance(reference, dict):
            assert gated == reference
        else:
            assert gated == ("0.00" if rate < median else reference), org


# ---- the 10,000-line contract ------------------------------------------------------------


def test_the_large_contract_has_ten_thousand_lines_within_the_size_limit() -> None:
    text = large_contract.contract()
    assert text.count("\n") == 10_000 and text.endswith("\n")
    assert len(text.encode()) < MAX_SOURCE_BYTES
    assert text.count("\n# ---- market ") > 90


def test_a_shorter_large_contract_checks_clean(tmp_path: Path) -> None:
    """Its first markets, of both kinds (own definitions, and the standard library's), as
    `eqlang check` reads them, without a warning; the benchmark checks the whole 10,000
    lines."""
    text = large_contract.contract(lines=700)
    assert large_contract.contract(lines=700) == text
    assert large_contract.contract(lines=700, seed=1) != text
    path = tmp_path / "large.eq"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--deny-warnings", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output == f"{path}: ok (20 measures, 14 outputs)\n"
    program = load_contract(str(path))
    assert {"payout_r1", "payout_r3", "measure_payout_r6"} <= set(program.outputs)


def test_the_peer_contracts_check_without_a_warning() -> None:
    result = CliRunner().invoke(main, ["check", "--deny-warnings",
                                       *(str(FOLDER / name) for name in NAMES)])
    assert result.exit_code == 0, result.output
