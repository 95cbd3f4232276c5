"""The parser tables shipped beside the grammar (eqlang.syntax.parser_tables)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from eqlang.syntax import parser_tables
from eqlang.syntax.parser_tables import data_path

ROOT = Path(__file__).resolve().parent.parent
GRAMMAR = data_path("grammar")


def test_the_shipped_tables_are_the_grammars() -> None:
    # The states are numbered differently at each build, so the tables are compared by
    # the grammar they were worked out from, and by what the parser reads (below).
    grammar = (GRAMMAR / "eqlang.lark").read_text(encoding="utf-8")
    shipped = json.loads((GRAMMAR / parser_tables.TABLES).read_text(encoding="utf-8"))
    assert shipped["grammar_sha256"] == hashlib.sha256(grammar.encode("utf-8")).hexdigest(), \
        "the grammar changed: run `python tools/parser_tables.py`"


@pytest.mark.parametrize("contract", sorted((ROOT / "contracts").glob("*.eq")),
                         ids=lambda path: path.name)
def test_the_loaded_parser_reads_as_the_built_one(contract: Path) -> None:
    grammar = (GRAMMAR / "eqlang.lark").read_text(encoding="utf-8")
    text = contract.read_text(encoding="utf-8")
    assert parser_tables.parser(GRAMMAR).parse(text) == parser_tables.build(grammar).parse(text)


def test_tables_of_another_grammar_are_not_used(tmp_path: Path) -> None:
    grammar = (GRAMMAR / "eqlang.lark").read_text(encoding="utf-8")
    (tmp_path / parser_tables.TABLES).write_text(parser_tables.serialized(grammar))
    edited = grammar.replace('"yes"', '"aye"')
    (tmp_path / "eqlang.lark").write_text(edited, encoding="utf-8")
    assert parser_tables.parser(tmp_path).parse('parameter p: yesno = aye\n')


def test_damaged_tables_are_not_used(tmp_path: Path) -> None:
    (tmp_path / "eqlang.lark").write_text(
        (GRAMMAR / "eqlang.lark").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / parser_tables.TABLES).write_text("{not json")
    assert parser_tables.parser(tmp_path).parse('parameter p: yesno = yes\n')
