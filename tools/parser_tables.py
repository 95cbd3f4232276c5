"""Write grammar/eqlang.tables.json, the parser tables of grammar/eqlang.lark, after the
grammar (or the Lark version) changed: python tools/parser_tables.py"""

from pathlib import Path

from eqlang.syntax.parser_tables import TABLES, serialized

GRAMMAR = Path(__file__).resolve().parent.parent / "grammar"

if __name__ == "__main__":
    (GRAMMAR / TABLES).write_text(serialized((GRAMMAR / "eqlang.lark").read_text(
        encoding="utf-8")), encoding="utf-8")
    print(f"wrote {GRAMMAR / TABLES}")
