"""`eqlang diff`: two versions of the terms compared on the same tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_run import run, shipped_inputs

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "contracts" / "reference-equity.eq"
TABLE = str(REFERENCE.with_suffix(".csv"))
SHIPPED = sorted((ROOT / "contracts").glob("*.eq"))


def changed_copy(tmp_path: Path, old: str, new: str, source: Path = REFERENCE) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    copy = tmp_path / source.name
    copy.write_text(text.replace(old, new), encoding="utf-8")
    return copy


def test_a_changed_threshold_is_named_with_the_organizations_it_moved(tmp_path: Path) -> None:
    new = changed_copy(tmp_path, 'small_gap: pp = 2 pp per', 'small_gap: pp = 3 pp per')
    code, out, err = run("diff", str(REFERENCE), str(new), "--table", TABLE)
    assert code == 0, err
    assert "  parameter small_gap: changed\n" in out
    assert 'reference-equity.eq:62:1: parameter small_gap: pp = 2 pp per "Section 3.3"' in out
    assert ':62:1: parameter small_gap: pp = 3 pp per "Section 3.3"' in out
    assert "Outputs that changed: 2, for 1 organization: Cape and Islands Care Network" in out
    assert "Cape and Islands Care Network  payout  $434,575.48  $551,242.14  +$116,666.66" in out
    assert "Harborview Health Partners     payout  $956,901.01  $956,901.01     no change" in out
    # Where the derivations part: the branch group_score took, as explain shows it.
    assert "the derivations part at group_score(CBP, Asian):" in out
    assert "since gap(CBP, Asian, baseline) ≈1.0991 pp <= small_gap 2 pp" in out
    assert "and gap(CBP, Asian, performance) ≈2.7998 pp <= small_gap 3 pp" in out
    assert "the derivations part at group_score(CBP, Asian), as shown above" in out


def test_the_json_form_holds_the_same(tmp_path: Path) -> None:
    new = changed_copy(tmp_path, 'small_gap: pp = 2 pp per', 'small_gap: pp = 3 pp per')
    code, out, _ = run("diff", str(REFERENCE), str(new), "--table", TABLE, "--json")
    assert code == 0
    data = json.loads(out)
    assert [(t["kind"], t["name"], t["change"]) for t in data["terms"]] == [
        ("parameter", "small_gap", "changed")]
    moved = {c["organization"] for c in data["changed"]}
    assert moved == {"Cape and Islands Care Network"}
    payout = next(c for c in data["changed"] if c["output"] == "payout")
    assert payout["old"] == "$434,575.48" and payout["new"] == "$551,242.14"
    assert payout["parts_at"] == "group_score(CBP, Asian)"
    assert "small_gap 3 pp" in payout["new_explained"]


def test_weights_rules_and_tiers_are_compared_with_both_texts(tmp_path: Path) -> None:
    new = changed_copy(tmp_path, "measure CBP from hedis weight 35%",
                       "measure CBP from hedis weight 40%")
    new = changed_copy(tmp_path, "measure HBD from hedis weight 30%",
                       "measure HBD from hedis weight 25%", new)
    new = changed_copy(tmp_path, "  then 0 because", "  then 0.5 because", new)
    code, out, err = run("diff", str(REFERENCE), str(new), "--table", TABLE, "--json")
    assert code == 0, err
    terms = {(t["kind"], t["name"]): t for t in json.loads(out)["terms"]}
    assert set(terms) == {("weight", "CBP"), ("weight", "HBD"), ("rule", "measure_score")}
    assert "weight 35%" in terms["weight", "CBP"]["old"]["text"]
    assert "weight 40%" in terms["weight", "CBP"]["new"]["text"]
    assert "then 0.5 because" in terms["rule", "measure_score"]["new"]["text"]


def test_the_same_terms_change_nothing() -> None:
    code, out, _ = run("diff", str(REFERENCE), str(REFERENCE), "--table", TABLE)
    assert code == 0
    assert "  the terms are the same\n" in out and out.endswith("No output changed.\n")


@pytest.mark.parametrize("contract", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_contract_compares_with_itself(contract: Path) -> None:
    code, out, err = run("diff", str(contract), str(contract), *shipped_inputs(contract),
                         "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["terms"] == [] and data["changed"] == []
    assert data["outputs"]
