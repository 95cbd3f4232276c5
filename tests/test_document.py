"""Tests for ``eqlang doc CONTRACT`` (``eqlang.document``): one document of a contract, plain
or literate, in Markdown and as a self-contained HTML page."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from cli_run import run
from markdown_it import MarkdownIt

from eqlang.document import contract_markdown, document_title, markdown_html
from eqlang.syntax.literate import read_literate
from eqlang.syntax.modules import load

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "contracts"
PLAIN = CONTRACTS / "reference-equity.eq"
LITERATE = CONTRACTS / "reference-equity.eq.md"
SHOWCASE = CONTRACTS / "showcase.eq"
SHIPPED = sorted([*CONTRACTS.glob("*.eq"), *CONTRACTS.glob("*.eq.md")])


def _markdown(path: Path) -> str:
    code, out, err = run("doc", str(path))
    assert code == 0, err
    return out


def test_a_plain_contract_reads_as_terms_tables_and_rules() -> None:
    text = _markdown(PLAIN)
    assert text.startswith("# Reference equity contract\n\n")
    assert "| Payer | Illustrative Health Plan |" in text
    assert "| Period `baseline` | 2022 |" in text
    # Measures with what they take from the standard library, parameters with citations.
    assert ("| `HBD` (from `hedis`) | HbA1c poor control (> 9%) | lower is better | 30% |"
            in text)
    assert ("| `pool` | `$1,000,000.00` | money | Section 4.1 | The pool each organization can "
            "earn. |") in text
    # A rule in the contract's words: its doc comment, then the formula as fmt lays it out.
    rule = text[text.index("**Rule `closure`**"):]
    assert rule.startswith("**Rule `closure`**\n\nShare of the baseline gap closed by the "
                           "performance period.\n\n```eqlang\ndefine closure(")
    # Worked examples as tables, with their expected values.
    assert "| COL | Black | 2022 | 60 | 100 |" in text
    assert "| `measure_payout(COL)` | `$210,000.00` |" in text
    assert "| `measure_score(CBP)` | not scored (no focus group has 30 members) |" in text
    assert "**Promise: payout within the pool**" in text
    sections = re.findall(r"^## (.+)$", text, re.M)
    assert sections == ["Measures", "Groups", "Parameters", "Rules", "Payments",
                        "Worked examples", "Promises"]


def test_tiers_and_amendments_are_tables() -> None:
    text = _markdown(SHOWCASE)
    assert "| When | Pays |\n|---|---|\n| c below 0% | `0` |" in text
    assert "| c from 75% through 100% | `1` |" in text
    assert re.search(r"\| +\| `\$1,650,000\.00` \| money \| Amendment 1, section 2 \| "
                     r"amended: applies from 2024-07-01 \|", text)


def test_a_literate_contract_keeps_its_prose_around_its_terms() -> None:
    text = _markdown(LITERATE)
    literate = read_literate(LITERATE.read_text(encoding="utf-8"))
    starts = [0, *(b.end for b in literate.blocks)]
    ends = [*(b.start for b in literate.blocks), len(literate.markdown)]
    for start, end in zip(starts, ends, strict=True):
        prose = literate.markdown[start:end].strip("\n")
        assert prose in text, prose
    # The blocks are rendered, not quoted: the header became a table where it stood.
    assert "```eqlang\ncontract" not in text
    terms = text.index("## 1. Parties and term")
    assert terms < text.index("| Payer | Illustrative Health Plan |") < text.index(
        "## 2. Measures")
    assert "| `pool` | `$1,000,000.00` | money | Section 4.1 |" in text
    assert "\n\n\n" not in text


def test_the_literate_and_plain_documents_state_the_same_terms() -> None:
    def tables(text: str) -> list[str]:
        return sorted(line for line in text.splitlines() if line.startswith("| "))
    assert tables(_markdown(LITERATE)) == tables(_markdown(PLAIN))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_contract_is_documented(path: Path) -> None:
    text = contract_markdown(load(path))
    assert text.endswith(")." + "\n") and "SHA-256" in text.splitlines()[-1]
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    assert any(token.type == "table_open" for token in tokens)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += attrs


def test_html_is_one_self_contained_page(tmp_path: Path) -> None:
    out = tmp_path / "terms.html"
    assert run("doc", str(LITERATE), "--output", str(out))[0] == 0
    page = out.read_text(encoding="utf-8")
    elements = _Elements()
    elements.feed(page)
    assert page.startswith("<!DOCTYPE html>\n")
    assert "<title>Reference equity contract</title>" in page
    assert {"table", "pre", "h1", "h2"} <= set(elements.tags)
    assert not {"script", "link", "img", "iframe", "object"} & set(elements.tags)
    assert not [a for a in elements.attributes if a[0] in ("src", "srcset")
                or a[0].startswith("on")]
    assert "@import" not in page and "url(" not in page
    # The same bytes every time, and the same as --format html prints.
    again = tmp_path / "again.html"
    assert run("doc", str(LITERATE), "--output", str(again))[0] == 0
    assert again.read_bytes() == out.read_bytes()
    assert run("doc", str(LITERATE), "--format", "html")[1] == page


def test_raw_html_and_images_in_prose_load_nothing() -> None:
    page = markdown_html("# T\n\n<script>alert(1)</script>\n\n![logo](https://x.test/a.png)\n"
                         "[link](javascript:alert(1))\n", "T")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<img" not in page and 'href="javascript' not in page


def test_the_title_is_the_first_heading() -> None:
    assert document_title("Intro\n\n## `pool` \\* terms ##\n# Later\n") == "pool * terms"
    assert document_title("no heading") == "eqlang document"


def test_module_docs_stay_as_they_were_and_have_html_too(tmp_path: Path) -> None:
    stdlib = sorted(str(p) for p in (ROOT / "stdlib").glob("*.eq"))
    code, out, _ = run("doc", *stdlib, "--output", str(ROOT / "docs" / "stdlib.md"), "--check")
    assert code == 0 and "up to date" in out
    page = tmp_path / "stdlib.html"
    assert run("doc", *stdlib, "--output", str(page))[0] == 0
    assert "<title>Standard library</title>" in page.read_text(encoding="utf-8")


def test_a_contract_with_errors_is_not_documented(tmp_path: Path) -> None:
    broken = tmp_path / "broken.eq.md"
    broken.write_text(LITERATE.read_text(encoding="utf-8").replace(
        "parameter small_gap: pp = 2 pp", "parameter small_gap: money = 2 pp"), encoding="utf-8")
    out = tmp_path / "out.html"
    code, _, err = run("doc", str(broken), "--output", str(out))
    assert code == 1 and "error[E0203]" in err and f"{broken}:" in err
    assert not out.exists()
