"""The grammar: takes nothing, gives the LALR parser of ``grammar/eqlang.lark`` (its tables
loaded once per process, ``parser_tables``) and the words that start declarations;
``data_path`` finds the shipped ``grammar`` and ``stdlib`` folders, installed or in a
checkout.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from lark import Lark

from eqlang.syntax import parser_tables

#: The words that start a declaration: reserved, never names (see the grammar's NAME).
DECLARATION_KEYWORDS = (
    "contract", "import", "measure", "stratification", "parameter", "define", "output",
    "schedule", "invariant", "example", "input", "attribution",
)


def data_path(kind: str) -> Path:
    """Where the shipped ``grammar`` or ``stdlib`` folder is, installed or in a checkout."""
    installed = resources.files("eqlang") / "_data" / kind
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parents[2] / kind


@functools.lru_cache(maxsize=1)
def parser() -> Lark:
    # Once per process: the tables depend only on the shipped grammar file.
    return parser_tables.parser(data_path("grammar"))
