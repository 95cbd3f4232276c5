"""`eqlang statement`: the pages it writes, read as data and rendered by headless Chromium."""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from browser import LETTER_WIDTH, measure, screenshot
from cli_run import run, shipped_inputs

from eqlang.core.values import Quantity, display
from eqlang.statements import file_names

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "contracts" / "reference-equity.eq"
SHIPPED = sorted((ROOT / "contracts").glob("*.eq"))
FIGURE = re.compile(r'<summary(?: class="unscored")? title="([^"]+)">([^<]*)</summary>')


def write(contract: Path, out: Path, *orgs: str) -> str:
    arguments = ["statement", str(contract), *shipped_inputs(contract), "--output", str(out)]
    for org in orgs:
        arguments += ["--org", org]
    code, stdout, stderr = run(*arguments)
    assert code == 0, stderr
    return stdout


def first_organization(contract: Path) -> str:
    lines = contract.with_suffix(".csv").read_text(encoding="utf-8").splitlines()[1:]
    return sorted(line.split(",")[0].strip('"') for line in lines if line)[0]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("statements")
    write(REFERENCE, out)
    return out


def figures(page: Path) -> dict[str, str]:
    return dict(FIGURE.findall(page.read_text(encoding="utf-8")))


def test_the_statements_agree_with_eval_to_the_cent(reference: Path) -> None:
    _, text, _ = run("eval", str(REFERENCE), "--table", str(REFERENCE.with_suffix(".csv")),
                        "--json")
    settled = json.loads(text)
    names = file_names(sorted(settled))
    for org, outputs in settled.items():
        shown = figures(reference / names[org])
        assert shown["payout"] == display(Quantity("money", Decimal(outputs["payout"])))
        for code, value in outputs["measure_payout"].items():
            expected = "not scored" if isinstance(value, dict) else display(
                Quantity("money", Decimal(value)))
            assert shown[f"measure_payout({code})"] == expected


def test_the_index_totals_the_payouts(reference: Path) -> None:
    _, text, _ = run("eval", str(REFERENCE), "--table", str(REFERENCE.with_suffix(".csv")),
                        "--json")
    total = sum(Decimal(o["payout"]) for o in json.loads(text).values())
    index = (reference / "index.html").read_text(encoding="utf-8")
    assert f"<td>total payout</td><td class=\"n\">{display(Quantity('money', total))}" in index
    for name in file_names(sorted(json.loads(text))).values():
        assert f'href="{name}"' in index
    assert index.count("<svg") == 1


def test_a_statement_shows_the_groups_left_out_and_each_derivation(reference: Path) -> None:
    page = (reference / "merrimack-valley-aco.html").read_text(encoding="utf-8")
    assert "HBD Asian: left out: scorable(HBD, Asian) is no (members: 9.217 in 2022, " \
        "11.436 in 2024)" in page
    assert "measure_score(HBD): no focus group has 30 members in both periods" in page
    # The credit of a group and why, one click away.
    assert re.search(r'title="group_score\(COL, Black\)">≈0\.7766</summary><div><p><b>'
                     r'group_score\(COL, Black\)</b></p><p>= clamp\(closure\(COL, Black\) '
                     r'≈0\.3883 / full_credit_closure 50%, 0, 1\)</p><p>since gap\(COL, '
                     r'Black, baseline\) ≈8\.5001 pp &gt; small_gap 2 pp</p>', page)
    # The contract lines behind each rule.
    assert "define scorable(m: measure, g: group): yesno =" in page


def test_the_footer_names_every_input_and_the_trace_with_their_digests(reference: Path) -> None:
    page = (reference / "harborview-health-partners.html").read_text(encoding="utf-8")
    trace = hashlib.sha256((reference / "trace.json").read_bytes()).hexdigest()
    table = hashlib.sha256(REFERENCE.with_suffix(".csv").read_bytes()).hexdigest()
    contract = hashlib.sha256(REFERENCE.read_bytes()).hexdigest()
    for digest in (trace, table, contract):
        assert f"<code>{digest}</code>" in page
    assert "pending" not in page
    code, _, err = run("verify", str(reference / "trace.json"), "--inputs", "/")
    assert code == 0, err


def test_pages_are_self_contained_and_the_same_bytes_each_run(reference: Path,
                                                             tmp_path: Path) -> None:
    write(REFERENCE, tmp_path)
    for page in sorted(reference.glob("*.html")):
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text.lower()
        assert not re.search(r'(?:src|href)="(?:https?:)?//', text)
        assert "@import" not in text and not re.search(r"url\((?!#)", text)
        assert (tmp_path / page.name).read_bytes() == page.read_bytes()
    assert (tmp_path / "trace.json").read_bytes() == (reference / "trace.json").read_bytes()


@pytest.mark.parametrize("contract", SHIPPED, ids=lambda p: p.stem)
def test_chromium_renders_each_shipped_contract(tmp_path: Path, contract: Path) -> None:
    org = first_organization(contract)
    write(contract, tmp_path / "out", org)
    page = tmp_path / "out" / file_names([org])[org]
    width, height = screenshot(page, tmp_path / "shot.png")
    assert (width, height) == (LETTER_WIDTH, 1056)
    # A blank or unstyled page compresses to a few kilobytes.
    assert (tmp_path / "shot.png").stat().st_size > 20_000
    for shown, charts in ((page, 1), (tmp_path / "out" / "index.html", 1)):
        probe = measure(shown)
        if shown == page:
            assert probe["details"] > 10
        assert probe["scrollWidth"] <= probe["clientWidth"], probe
        assert not probe["wide"], probe
        assert len(probe["charts"]) == charts, probe
        for chart_width, chart_height, marks in probe["charts"]:
            assert chart_width > 400 and chart_height > 100 and marks > 3, probe


def test_chromium_renders_the_index_of_many_organizations(reference: Path,
                                                          tmp_path: Path) -> None:
    width, height = screenshot(reference / "index.html", tmp_path / "index.png")
    assert (width, height) == (LETTER_WIDTH, 1056)
    assert (tmp_path / "index.png").stat().st_size > 20_000


def test_a_file_where_the_folder_should_be_is_refused(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x")
    code, _, err = run("statement", str(REFERENCE), "--table",
                       str(REFERENCE.with_suffix(".csv")), "--output", str(tmp_path / "taken"))
    assert code == 2 and "name a folder" in err


def test_file_names_are_plain_and_distinct() -> None:
    assert file_names(["Café Clinic", "Cafe Clinic", "index", "///"]) == {
        "Café Clinic": "cafe-clinic.html", "Cafe Clinic": "cafe-clinic-2.html",
        "index": "index-2.html", "///": "organization.html"}


def test_pages_drawn_by_worker_processes_are_the_same(reference: Path, tmp_path: Path) -> None:
    from eqlang.api import load_contract, settle
    from eqlang.statements import write_statements

    settled = settle(load_contract(str(REFERENCE)), [str(REFERENCE.with_suffix(".csv"))])
    write_statements(settled, tmp_path, jobs=2)
    for page in sorted(reference.glob("*.html")):
        assert (tmp_path / page.name).read_bytes() == page.read_bytes()


def test_a_name_that_would_reorder_or_inject_is_shown_escaped() -> None:
    from eqlang.statements.html import _e

    shown = _e("Clinic\u202e<script>")
    assert "\u202e" not in shown and "<script>" not in shown and "&lt;script&gt;" in shown
