"""Differences between two traces: takes a trace as recorded and as settled again, gives
each difference as people say it (``Harbor ACO: output payout: value: the trace says ...``),
with the organization whose payment it changes; ``eqlang verify`` reports them.
"""

from __future__ import annotations

import json
from typing import Any

from eqlang.diagnostics import counted, listed


def outputs_only(trace: dict[str, Any]) -> dict[str, Any]:
    """What a trace says each organization is paid, without how: traces of different
    formats name the values behind the outputs differently."""
    def values(entry: dict[str, Any]) -> Any:
        if "value" in entry and "node" in entry:
            return entry["value"]
        return {key: values(item) for key, item in entry.items()}

    return {"organizations": {
        org: {"outputs": {name: values(entry) for name, entry in section["outputs"].items()}}
        for org, section in trace["organizations"].items()}}


def compare(recorded: Any, fresh: Any, where: list[str],
             found: list[tuple[str | None, str]]) -> None:
    """Describe every difference between the trace as recorded and as re-derived, each
    with the organization whose payment it changes (an output, or a whole organization),
    or None for any other difference."""
    if isinstance(recorded, dict) and isinstance(fresh, dict):
        # Within an organization, outputs first: they are what was paid.
        for key in sorted(set(recorded) | set(fresh), key=lambda k: (k != "outputs", k)):
            here = [*where, str(key)]
            if where == ["organizations"] and (key not in fresh or key not in recorded):
                found.append((str(key), f"organization {key}: " + (
                    "in the trace, but not settled again from the inputs" if key not in fresh
                    else "settled again from the inputs, but missing from the trace")))
            elif key not in fresh:
                found.append((_paid(here), f"{_where(here)}: in the trace, but not re-derived"))
            elif key not in recorded:
                found.append((_paid(here),
                              f"{_where(here)}: re-derived, but missing from the trace"))
            else:
                compare(recorded[key], fresh[key], here, found)
    elif isinstance(recorded, list) and isinstance(fresh, list) and len(recorded) == len(fresh):
        for index, (a, b) in enumerate(zip(recorded, fresh, strict=True)):
            compare(a, b, [*where, f"[{index}]"], found)
    elif recorded != fresh:
        found.append((_paid(where), f"{_where(where)}: the trace says {_shown(recorded)}, "
                      f"re-deriving gives {_shown(fresh)}"))


def paid_summary(paid: list[str], settled: int) -> str:
    """``outputs differ for 2 of 4 organizations: A, B``, each organization named once."""
    named = list(dict.fromkeys(paid))
    return (f"outputs differ for {len(named):,} of {counted(settled, 'organization')}: "
            f"{listed(named)}")


def _paid(path: list[str]) -> str | None:
    """The organization whose payment a difference at ``path`` changes, if it does."""
    if len(path) >= 3 and path[0] == "organizations" and path[2] == "outputs":
        return path[1]
    return None


def _where(path: list[str]) -> str:
    """``organizations > ORG > nodes > ID > value > value`` as people say it."""
    if len(path) >= 4 and path[0] == "organizations":
        org, section, name, rest = path[1], path[2], path[3], path[4:]
        if section == "outputs" and rest and rest[0] not in ("node", "value"):
            name, rest = f"{name}({rest[0]})", rest[1:]
        what = "output" if section == "outputs" else "value"
        return f"{org}: {what} {name}" + (f": {_dotted(rest)}" if rest else "")
    return _dotted(path)


_FIELD_NAMES = {"value.value": "value", "value.type": "unit",
                "value.not_scored": "reason not scored", "value.note": "note"}


def _dotted(path: list[str]) -> str:
    text = "".join(p if p.startswith("[") else f".{p}" for p in path).lstrip(".")
    return _FIELD_NAMES.get(text, text) or "(the whole trace)"


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 120 else text[:117] + "..."
