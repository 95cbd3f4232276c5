"""The syntax tree built as the parser reduces (``Driver.build``) is the one built from
Lark's tree (``Builder.tree``): same nodes, same spans, same tokens for ``lookalikes``."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest
import strategies_syntax as gen
from hypothesis import given, settings

from eqlang.diagnostics import EqlangError
from eqlang.syntax import ast as s
from eqlang.syntax import driver
from eqlang.syntax.build import Builder
from eqlang.syntax.fmt import format_module
from eqlang.syntax.lookalikes import tree_words
from eqlang.syntax.parse import MAX_NESTING, _check_nesting, parse, parse_tree
from eqlang.syntax.parser_tables import data_path
from eqlang.syntax.source import SourceFile, Span

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(
    path for folder in ("contracts", "stdlib", "examples", "bench/contracts", "tests")
    for path in (ROOT / folder).rglob("*.eq")
)


def spans(node: Any, found: list[Any]) -> list[Any]:
    """Every span in a syntax tree, field by field (spans take no part in equality)."""
    if attrs.has(type(node)):
        for field in attrs.fields(type(node)):
            value = getattr(node, field.name)
            if isinstance(value, Span):
                found.append((type(node).__name__, field.name, value.start, value.end))
            else:
                spans(value, found)
    elif isinstance(node, tuple | list):
        for item in node:
            spans(item, found)
    return found


def built(source: SourceFile) -> tuple[Any, set[int]] | None:
    builder = Builder(source)
    result = runner().build(source.text, builder.reducers, builder.span, MAX_NESTING,
                                 "parenthesized")
    return None if result is None else (result, builder.keys)


def words(lexemes: list[driver.Lexeme]) -> list[driver.Lexeme]:
    return sorted((token for token in lexemes if token.kind in ("NAME", "STRING")),
                  key=lambda token: token.start)


def assert_same(text: str) -> None:
    source = SourceFile("contract.eq", text)
    fast = built(source)
    try:
        tree = parse_tree(source)
        _check_nesting(source, tree)
    except EqlangError:
        assert fast is None
        return
    declarations, refused = Builder(source).tree(tree)
    if refused:
        assert fast is None
        return
    assert fast is not None
    (found, lexemes), keys = fast
    assert found == declarations
    assert spans(found, []) == spans(declarations, [])
    tree_lexemes, tree_keys = tree_words(tree)
    assert words(lexemes) == words(tree_lexemes)
    assert keys == tree_keys


def runner() -> driver.Driver:
    found = driver.driver()
    assert found is not None
    return found


def test_the_shipped_driver_tables_are_the_grammars() -> None:
    grammar = data_path("grammar")
    document = json.loads((grammar / driver.TABLES).read_text(encoding="utf-8"))
    text = (grammar / "eqlang.lark").read_text(encoding="utf-8")
    assert document["grammar_sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest(), \
        "the grammar changed: run `python tools/parser_tables.py`"


def test_tables_of_another_grammar_are_derived_again(tmp_path: Path) -> None:
    grammar = (data_path("grammar") / "eqlang.lark").read_text(encoding="utf-8")
    (tmp_path / driver.TABLES).write_text(driver.serialized(grammar), encoding="utf-8")
    (tmp_path / "eqlang.lark").write_text(grammar.replace('"yes"', '"aye"'), encoding="utf-8")
    tables = driver.tables(tmp_path)
    assert tables is not None
    source = SourceFile("contract.eq", "parameter p: yesno = aye\n")
    builder = Builder(source)
    found = driver.Driver(tables).build(source.text, builder.reducers, builder.span,
                                        MAX_NESTING, "parenthesized")
    assert found is not None
    assert found[0][0].value == s.Literal("yesno", True)


def test_damaged_tables_are_derived_again(tmp_path: Path) -> None:
    grammar = (data_path("grammar") / "eqlang.lark").read_text(encoding="utf-8")
    (tmp_path / "eqlang.lark").write_text(grammar, encoding="utf-8")
    (tmp_path / driver.TABLES).write_text("{not json", encoding="utf-8")
    assert driver.tables(tmp_path) is not None


def test_checking_imports_no_lark() -> None:
    # Lark is for files with syntax errors; the driver runs its own tables.
    code = ("import sys; from eqlang.syntax.modules import load; from eqlang.check import "
            "analyze; analyze(load(sys.argv[1])); print('lark' in sys.modules)")
    found = subprocess.run([sys.executable, "-c", code, str(ROOT / "contracts" /
                                                            "reference-equity.eq")],
                           capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "False"


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_file_builds_what_lark_s_tree_gives(path: Path) -> None:
    assert_same(path.read_text(encoding="utf-8", errors="replace"))


@settings(max_examples=150, deadline=None)
@given(gen.modules)
def test_generated_modules_build_what_lark_s_tree_gives(module: s.Module) -> None:
    assert_same(format_module(module))


@pytest.mark.parametrize("text", [
    "  # only a comment\n", "define x = 1 # trailing", "define x = 1 +\n",
    "define x = (((1)\n", "define x = 1 $ 2\n", "define d = 2024-02-30\n",
    "output o: money = 1 rounded to 40 decimals half up\n",
    "stratification s\n  groups A, B\n  reference ALL\nend\n",
    "define x = if yes then half up else half  \t even\n",
    "define x = sum(y for each m in measures where m in {a.b, c}, not scored: skip)\n",
])
def test_edge_cases_build_what_lark_s_tree_gives(text: str) -> None:
    assert_same(text)


@pytest.mark.parametrize("depth", [MAX_NESTING - 2, MAX_NESTING + 2])
def test_depth_is_measured_as_parse_measures_it(depth: int) -> None:
    sums = "define x = " + "1 + " * depth + "1\n"
    parentheses = "define x = " + "(" * depth + "1" + ")" * depth + "\n"
    both = "define x = " + "(1 + " * depth + "1" + ")" * depth + "\n"
    for text in (sums, parentheses, both):
        assert_same(text)
        source = SourceFile("contract.eq", text)
        fast = built(source)
        try:
            parse(source)
        except EqlangError as error:
            assert [d.code for d in error.diagnostics] == ["E0005"]
            assert fast is None
        else:
            assert fast is not None
