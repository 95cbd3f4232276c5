"""Member-level inputs in a trace: takes tabulations, gives the trace's ``members`` section;
takes that section back, gives the same tables made again from the files it names.

The section is a list, one entry per table made from member files: the table's name (as the
trace's ``tables`` and every table row of a derivation name it) and SHA-256, the engine
and its version, the attribution terms, each member file's role, path, SHA-256 and row count,
and the query text. ``verify`` checks the files' digests, makes the tables again with the
recorded terms, and compares.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from eqlang.core.program import Program
from eqlang.data.attribution import Attribution, AttributionError
from eqlang.data.members import MEMBERSHIP, RESULTS, Tabulation, tabulate


def members_section(tabulations: Sequence[Tabulation]) -> list[dict[str, Any]]:
    """The trace's ``members`` section."""
    return [t.trace_fragment() for t in tabulations]


def section_problem(section: Any) -> str | None:
    """What is missing or malformed in a trace's ``members`` section, for a trace that may
    have been edited by hand."""
    if not isinstance(section, list):
        return "`members` is not a list"
    for number, entry in enumerate(section):
        where = f"members[{number}]"
        if not isinstance(entry, dict):
            return f"`{where}` is not an object"
        for key, kind in (("table", str), ("sha256", str), ("engine", dict),
                          ("attribution", dict), ("files", list), ("query", str)):
            if not isinstance(entry.get(key), kind):
                return f"`{where}.{key}` is missing or malformed"
        for index, file in enumerate(entry["files"]):
            if not isinstance(file, dict) or not all(
                    isinstance(file.get(k), str) for k in ("role", "path", "sha256")) or \
                    file["role"] not in (RESULTS, MEMBERSHIP):
                return f"`{where}.files[{index}]` is missing or malformed"
        try:
            Attribution.from_json(entry["attribution"])
        except AttributionError as error:
            return f"`{where}.attribution`: {error}"
    return None


def member_files(section: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every member file the section names, each once."""
    seen: dict[str, dict[str, Any]] = {}
    for entry in section:
        for file in entry["files"]:
            seen.setdefault(file["path"], file)
    return list(seen.values())


def retabulate(program: Program, entry: dict[str, Any],
               locate: Callable[[str], Path]) -> Tabulation:
    """The table of one ``members`` entry made again from its files (found by ``locate``)
    with its recorded terms, named as the trace names it; DuckDB does the work, and the
    engine recorded is kept, since every engine gives the same table."""
    files = entry["files"]
    located = {f["path"]: locate(f["path"]) for f in files}
    made = tabulate(program,
                    [located[f["path"]] for f in files if f["role"] == RESULTS],
                    [located[f["path"]] for f in files if f["role"] == MEMBERSHIP],
                    Attribution.from_json(entry["attribution"]), display=entry["table"])
    shown = {str(path): recorded for recorded, path in located.items()}
    return attrs.evolve(
        made,
        files=tuple(attrs.evolve(f, path=shown.get(f.path, f.path)) for f in made.files),
        engine=str(entry["engine"].get("name", made.engine)),
        engine_version=str(entry["engine"].get("version", made.engine_version)))
