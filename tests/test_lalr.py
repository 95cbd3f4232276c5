"""The LALR driver (eqlang.syntax.lalr) builds the tree Lark's own parser builds."""

from __future__ import annotations

from pathlib import Path

import pytest
import strategies_syntax as gen
from hypothesis import given, settings
from lark import Token, Tree

from eqlang.syntax import ast as s
from eqlang.syntax import lalr
from eqlang.syntax.fmt import format_module
from eqlang.syntax.parser_tables import grammar_parser, tree_parser

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(
    path for folder in ("contracts", "stdlib", "examples", "bench/contracts", "tests")
    for path in (ROOT / folder).rglob("*.eq")
)
META = ("line", "column", "start_pos", "end_line", "end_column", "end_pos")


def shape(node: object) -> list[object]:
    """Everything about a tree that a later stage could read, node by node in preorder: rule
    names, tokens with their types and positions, each node's position and child count."""
    found: list[object] = []
    pending = [node]
    while pending:
        item = pending.pop()
        if isinstance(item, Tree):
            meta = None if item.meta.empty else tuple(getattr(item.meta, key) for key in META)
            found.append(("tree", item.data, meta, len(item.children)))
            pending.extend(reversed(item.children))
        elif isinstance(item, Token):
            found.append(("token", item.type, str(item), item.start_pos, item.end_pos,
                          item.line, item.column, item.end_line, item.end_column))
        else:
            found.append(item)
    return found


def lark_tree(text: str) -> Tree | None:
    try:
        return grammar_parser().parse(text)
    except Exception:
        return None


def test_there_are_sources_to_compare() -> None:
    assert len(SOURCES) > 100


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_file_parses_to_lark_s_tree(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    expected = lark_tree(text)
    found = lalr.parse_tree(text)
    # A file Lark refuses is left to Lark, whose errors are the diagnostics.
    assert (found is None) == (expected is None)
    assert shape(found) == shape(expected)


@settings(max_examples=150, deadline=None)
@given(gen.modules)
def test_generated_modules_parse_to_lark_s_tree(module: s.Module) -> None:
    text = format_module(module)
    assert shape(lalr.parse_tree(text)) == shape(lark_tree(text))


@pytest.mark.parametrize("text", [
    "", "   \n", "define x = 1 +\n", "define x = (((1)\n", "contract \"T\"\n  bogus\nend\n",
    "define x = 1 $ 2\n", "parameter p: yesno = yes\n" * 3 + "output",
])
def test_text_with_a_syntax_error_is_left_to_lark(text: str) -> None:
    expected = lark_tree(text)
    found = lalr.parse_tree(text)
    assert (found is None) == (expected is None)
    assert shape(found) == shape(expected)


def test_deep_nesting_does_not_recurse() -> None:
    text = "define x = " + "(" * 5000 + "1" + ")" * 5000 + "\n"
    assert shape(lalr.parse_tree(text)) == shape(lark_tree(text))


@pytest.mark.parametrize("path", sorted((ROOT / "contracts").glob("*.eq")), ids=lambda p: p.name)
def test_lark_s_own_lexer_gives_the_same_tree(path: Path) -> None:
    # Where a Lark version keeps its patterns otherwise, the driver lexes with Lark's lexer.
    driver = lalr.Driver(tree_parser())
    driver.scanning = False
    text = path.read_text(encoding="utf-8")
    assert shape(driver.parse(text)) == shape(lark_tree(text))
