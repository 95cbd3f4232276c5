"""Parser tables: takes the grammar, gives a ready Lark parser, from tables worked out once.

Also where the shipped folders are (``data_path``) and the words that start declarations.

Working out the LALR tables of ``grammar/eqlang.lark`` takes a quarter of a second at
every start of eqlang, more than checking most contracts. The tables are shipped beside the
grammar instead, as ``grammar/eqlang.tables.json``, with the SHA-256 of the grammar and
the Lark version they were worked out from; when either differs (an edited grammar, another
Lark), the parser is built from the grammar as before. ``python tools/parser_tables.py``
writes the file again (Lark numbers the states differently at each build, so do it only
when the grammar changes), and a test checks that the shipped one is the grammar's.

The tables are JSON, not Lark's own pickle format, so that loading them runs no code: the
file is data like the grammar. JSON keys are text, so mappings whose keys are numbers or
pairs are written as lists of pairs.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lark import Lark

#: The options every eqlang parser is built with.
OPTIONS: dict[str, Any] = {"parser": "lalr", "propagate_positions": True,
                           "maybe_placeholders": True}

TABLES = "eqlang.tables.json"

DECLARATION_KEYWORDS = (
    "contract", "import", "measure", "stratification", "parameter", "define", "output",
    "schedule", "invariant", "example", "input", "attribution",
)


def data_path(kind: str) -> Path:
    """Where a shipped folder (``grammar``, ``stdlib``) is, installed or in a checkout."""
    # Beside the package's modules, as the wheel installs it (not ``importlib.resources``,
    # whose import costs every command more than the lookup).
    package = Path(__file__).resolve().parents[1]
    installed = package / "_data" / kind
    if installed.is_dir():
        return installed
    return package.parent / kind


@functools.lru_cache(maxsize=1)
def grammar_parser() -> Lark:
    """The parser of the shipped grammar, once per process."""
    return parser(data_path("grammar"))


def build(grammar: str, **options: Any) -> Lark:
    from lark import Lark

    return Lark(grammar, **{**OPTIONS, **options})


def serialized(grammar: str) -> str:
    """The tables of ``grammar`` as the JSON text shipped beside it."""
    import lark

    data, memo = build(grammar).memo_serialize([lark.lexer.TerminalDef, lark.grammar.Rule])
    document = {"grammar_sha256": _digest(grammar), "lark": lark.__version__,
                "tables": _encoded({"data": data, "memo": memo})}
    return json.dumps(document, sort_keys=True, separators=(",", ":")) + "\n"


def parser(folder: Path, **options: Any) -> Lark:
    """The parser of the grammar in ``folder``: from its shipped tables when they are the
    grammar's and this Lark's, else built. ``options`` are those Lark lets a loaded parser
    change (``propagate_positions``)."""
    # Imported here: the driver of ``eqlang.syntax.driver`` needs no Lark, only a file
    # with a syntax error does.
    import lark
    from lark import Lark

    grammar = (folder / "eqlang.lark").read_text(encoding="utf-8")
    try:
        document = json.loads((folder / TABLES).read_text(encoding="utf-8"),
                              object_hook=_decoded)
    except (OSError, ValueError):
        return build(grammar, **options)
    if document.get("grammar_sha256") != _digest(grammar) or \
            document.get("lark") != lark.__version__:
        return build(grammar, **options)
    tables = document["tables"]
    return Lark._load_from_dict(tables["data"], tables["memo"], **options)


def _digest(grammar: str) -> str:
    return hashlib.sha256(grammar.encode("utf-8")).hexdigest()


def _encoded(value: Any) -> Any:
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            return {key: _encoded(item) for key, item in value.items()}
        return {"__pairs__": [[_encoded(key), _encoded(item)] for key, item in value.items()]}
    if isinstance(value, tuple):
        return {"__tuple__": [_encoded(item) for item in value]}
    if isinstance(value, list):
        return [_encoded(item) for item in value]
    return value


def _decoded(value: dict[str, Any]) -> Any:
    if "__pairs__" in value:
        return dict(value["__pairs__"])
    if "__tuple__" in value:
        return tuple(value["__tuple__"])
    return value
