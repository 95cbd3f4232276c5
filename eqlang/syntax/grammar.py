"""The grammar: takes nothing, gives the LALR parser of ``grammar/eqlang.lark`` (built once
per process) and the words that start declarations; ``data_path`` finds the shipped
``grammar`` and ``stdlib`` folders, installed or in a checkout.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from lark import Lark

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
    # Built once per process: the tables depend only on the shipped grammar file.
    grammar = (data_path("grammar") / "eqlang.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=True)
