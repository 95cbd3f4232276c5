"""Write grammar/eqlang.tables.json and grammar/eqlang.driver.json, the parser tables of
grammar/eqlang.lark (Lark's, and the driver's), after the grammar (or the Lark version)
changed: python tools/parser_tables.py"""

from pathlib import Path

from eqlang.syntax import driver
from eqlang.syntax.parser_tables import TABLES, serialized

GRAMMAR = Path(__file__).resolve().parent.parent / "grammar"

if __name__ == "__main__":
    grammar = (GRAMMAR / "eqlang.lark").read_text(encoding="utf-8")
    for name, text in ((TABLES, serialized(grammar)), (driver.TABLES,
                                                       driver.serialized(grammar))):
        (GRAMMAR / name).write_text(text, encoding="utf-8")
        print(f"wrote {GRAMMAR / name}")
