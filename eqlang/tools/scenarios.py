"""Scenario files: takes a TOML file of named scenarios, the contract and the base measure
tables, gives each scenario as a ``Lane`` (``eqlang.tools.lanes``) for ``eqlang whatif``.

A scenario has a name, parameter values to set (written as in the contract, as ``--set``
takes them) and changes to the tables, applied in order, each to the rows its selectors
pick (a measure, a group, a period, organizations; every row where one is left out)::

    [[scenario]]
    name = "Hispanic members' HbA1c poor control 2 points lower in 2024"
    [[scenario.change]]
    measure = "HBD"
    group = "Hispanic"
    period = "2024"
    rate = "-2 pp"

    [[scenario]]
    name = "A larger pool, and a fifth fewer members"
    set = { pool = "$1,200,000.00" }
    [[scenario.change]]
    denominators = "x 0.8"

A change is one of ``rate`` (``"+3 pp"``, ``"-2 pp"``, ``"75%"`` to set it, ``"x 1.1"``),
``numerators`` (``"+ 10"``, ``"- 10"``, ``"x 1.05"``) or ``denominators`` (``"x 0.8"``:
the members scaled, numerator and denominator alike, so the rate stays). Counts stay
between 0 and the denominator (a rate is held within 0% and 100%); the lane says how many
rows were held so. Changing a named group changes its organization's ``ALL`` row by the
same counts, since its members are among all members.
"""

from __future__ import annotations

import decimal
import re
import tomllib
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from eqlang.core.program import Override, Program
from eqlang.data.tables import TableSet
from eqlang.diagnostics import Diagnostic, EqlangError, did_you_mean, listed
from eqlang.tools.lanes import Cell, Lane

CODE = "E0620"
#: The largest scenario file read: a file of changes is small.
MAX_BYTES = 4 * 2**20
_OPERATIONS = ("rate", "numerators", "denominators")
_SELECTORS = ("measure", "group", "period", "organization", "organizations")
_NUMBER = r"([0-9]+(?:\.[0-9]+)?)"
_RATE_SHIFT = re.compile(rf"^([+-])\s*{_NUMBER}\s*pp$")
_RATE_SET = re.compile(rf"^{_NUMBER}\s*%$")
_TIMES = re.compile(rf"^[x×*]\s*{_NUMBER}$")
_COUNT_SHIFT = re.compile(rf"^([+-])\s*{_NUMBER}$")
HUNDRED = Decimal(100)


@attrs.frozen
class Scenario:
    """A scenario as read: its lane, what it says it does, and rows held within bounds."""

    lane: Lane
    description: tuple[str, ...]
    held: int


@attrs.frozen
class _Change:
    where: str
    measure: str | None
    group: str | None
    period: str | None
    organizations: frozenset[str] | None
    operation: str
    text: str


class _Reader:
    def __init__(self, path: str, program: Program, tables: TableSet,
                 parse_override: Any) -> None:
        self.path = path
        self.program = program
        self.tables = tables
        self.parse_override = parse_override
        self.periods = dict(program.periods)

    def fail(self, where: str, message: str, hint: str) -> EqlangError:
        return EqlangError(Diagnostic(CODE, f"{where}: {message}", None, path=self.path,
                                      hint=hint))

    def scenarios(self, data: dict[str, Any]) -> list[Scenario]:
        unknown = [k for k in data if k != "scenario"]
        if unknown:
            raise self.fail(unknown[0], "a scenario file holds only [[scenario]] tables",
                            "start each scenario with [[scenario]] and its name = \"...\"")
        listed_ = data.get("scenario")
        if not isinstance(listed_, list) or not listed_:
            raise self.fail("scenario", "the file names no scenario",
                            "add [[scenario]] with a name and its changes")
        names: set[str] = set()
        found = []
        for number, entry in enumerate(listed_, start=1):
            where = f"scenario {number}"
            if not isinstance(entry, dict):
                raise self.fail(where, "is not a table", "write it as [[scenario]]")
            name = entry.get("name")
            if not isinstance(name, str) or not name.strip():
                raise self.fail(where, "has no name", "add name = \"...\"")
            where = f"scenario {number} (\"{name}\")"
            if name in names:
                raise self.fail(where, "has the name of an earlier scenario",
                                "give each scenario a name of its own")
            names.add(name)
            extra = [k for k in entry if k not in ("name", "set", "change")]
            if extra:
                raise self.fail(f"{where}: {extra[0]}", "is not part of a scenario",
                                "a scenario has name, set and [[scenario.change]] entries")
            found.append(self.scenario(where, name, entry))
        return found

    def scenario(self, where: str, name: str, entry: dict[str, Any]) -> Scenario:
        overrides: dict[str, Override] = {}
        description: list[str] = []
        assignments = entry.get("set", {})
        if not isinstance(assignments, dict):
            raise self.fail(f"{where}: set", "is not a table of parameter values",
                            "write set = { pool = \"$1,200,000.00\" }")
        for key, value in assignments.items():
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise self.fail(f"{where}: set.{key}", "is not a value",
                                "write the value as in the contract, in quotes")
            try:
                parsed_name, override = self.parse_override(self.program, f"{key}={value}")
            except EqlangError as error:
                problem = error.diagnostics[0]
                raise self.fail(f"{where}: set.{key}", problem.message,
                                problem.hint or "") from None
            overrides[parsed_name] = override
            description.append(f"{parsed_name} set to {override.text}")
        changes = entry.get("change", [])
        if not isinstance(changes, list):
            raise self.fail(f"{where}: change", "is not a list of changes",
                            "write each change as [[scenario.change]]")
        parsed = [self.change(f"{where}, change {number}", change)
                  for number, change in enumerate(changes, start=1)]
        if not parsed and not overrides:
            raise self.fail(where, "changes nothing",
                            "add set = { ... } or a [[scenario.change]]")
        cells, held = self.apply(parsed)
        description += [_described(c) for c in parsed]
        return Scenario(Lane(name, overrides, cells), tuple(description), held)

    def change(self, where: str, entry: Any) -> _Change:
        if not isinstance(entry, dict):
            raise self.fail(where, "is not a table", "write it as [[scenario.change]]")
        extra = [k for k in entry if k not in (*_OPERATIONS, *_SELECTORS)]
        if extra:
            raise self.fail(f"{where}: {extra[0]}", "is not part of a change",
                            "a change has one of rate, numerators, denominators, and "
                            "measure, group, period, organization(s) to choose rows")
        operations = [k for k in _OPERATIONS if k in entry]
        if len(operations) != 1:
            raise self.fail(where, "needs exactly one of rate, numerators or denominators",
                            "for example rate = \"+3 pp\"")
        operation = operations[0]
        text = entry[operation]
        if not isinstance(text, str) or _operation(operation, text) is None:
            raise self.fail(f"{where}: {operation}", f"`{text}` is not a change eqlang "
                            "can make", _EXAMPLES[operation])
        measure = self.chosen(where, entry, "measure", list(self.program.contract_measures))
        groups = ["ALL", *(g for s in self.program.stratifications.values() for g in s.groups)]
        group = self.chosen(where, entry, "group", groups)
        period = entry.get("period")
        if period is not None:
            period = str(period)
            if period in self.periods:
                period = self.periods[period]
            elif period not in self.periods.values():
                raise self.fail(f"{where}: period", f"there is no period `{period}`",
                                did_you_mean(period, [*self.periods, *self.periods.values()])
                                or "periods: " + listed([*self.periods]))
        organizations = None
        for key in ("organization", "organizations"):
            if key in entry:
                given = entry[key]
                given = [given] if isinstance(given, str) else given
                if not isinstance(given, list) or not all(isinstance(g, str) for g in given):
                    raise self.fail(f"{where}: {key}", "is not a list of organizations",
                                    "write organizations = [\"...\", \"...\"]")
                known = self.tables.organizations()
                for org in given:
                    if org not in known:
                        raise self.fail(f"{where}: {key}", f"organization \"{org}\" is not in "
                                        "the measure tables", did_you_mean(org, known)
                                        or "the tables hold: " + listed(known))
                organizations = frozenset(given)
        spelled = self.program.spelling(group) if group not in (None, "ALL") else group
        return _Change(where, measure, spelled, period, organizations, operation, text)

    def chosen(self, where: str, entry: dict[str, Any], key: str, known: list[str]
               ) -> str | None:
        value = entry.get(key)
        if value is None:
            return None
        if value not in known:
            raise self.fail(f"{where}: {key}", f"there is no {key} `{value}`",
                            did_you_mean(str(value), known) or f"{key}s: " + listed(known))
        return str(value)

    def apply(self, changes: Sequence[_Change]) -> tuple[dict[Cell, tuple[Decimal, Decimal]],
                                                         int]:
        counts: dict[Cell, tuple[Decimal, Decimal]] = {}
        held = 0
        rows = [row for table in self.tables.tables for row in table.rows]
        for change in changes:
            deltas: dict[Cell, tuple[Decimal, Decimal]] = {}
            touched = 0
            for row in rows:
                if not _picks(change, row.key):
                    continue
                touched += 1
                numerator, denominator = counts.get(row.key, (row.numerator, row.denominator))
                new, was_held = _changed(change.operation, change.text, numerator, denominator)
                held += was_held
                counts[row.key] = new
                if change.group not in (None, "ALL"):
                    whole = (row.org, row.measure, "ALL", row.period)
                    moved = (new[0] - numerator, new[1] - denominator)
                    previous = deltas.get(whole, (Decimal(0), Decimal(0)))
                    deltas[whole] = (previous[0] + moved[0], previous[1] + moved[1])
            if not touched:
                raise self.fail(change.where, "picks no row of the measure tables",
                                "check the measure, group, period and organizations")
            for whole, (dn, dd) in deltas.items():
                row = self.tables.lookup(*whole)
                if row is None:
                    continue
                numerator, denominator = counts.get(whole, (row.numerator, row.denominator))
                counts[whole] = (numerator + dn, denominator + dd)
        return counts, held


_EXAMPLES = {"rate": "write it as \"+3 pp\", \"-2 pp\", \"75%\" or \"x 1.1\"",
             "numerators": "write it as \"+ 10\", \"- 10\" or \"x 1.05\"",
             "denominators": "write it as \"x 0.8\" (the members scaled, the rate kept)"}


def _operation(operation: str, text: str) -> tuple[str, Decimal] | None:
    text = text.strip()
    if operation == "rate":
        if match := _RATE_SHIFT.match(text):
            sign = -1 if match.group(1) == "-" else 1
            return "shift", sign * Decimal(match.group(2))
        if match := _RATE_SET.match(text):
            return "set", Decimal(match.group(1))
    if operation in ("rate", "numerators", "denominators") and (match := _TIMES.match(text)):
        return "times", Decimal(match.group(1))
    if operation == "numerators" and (match := _COUNT_SHIFT.match(text)):
        sign = -1 if match.group(1) == "-" else 1
        return "shift", sign * Decimal(match.group(2))
    return None


def _changed(operation: str, text: str, numerator: Decimal, denominator: Decimal
             ) -> tuple[tuple[Decimal, Decimal], bool]:
    """New counts, and whether they had to be held within 0 and the denominator."""
    parsed = _operation(operation, text)
    assert parsed is not None
    with decimal.localcontext(prec=60):
        return _counts(operation, parsed, numerator, denominator)


def _counts(operation: str, parsed: tuple[str, Decimal], numerator: Decimal,
            denominator: Decimal) -> tuple[tuple[Decimal, Decimal], bool]:
    how, amount = parsed
    if operation == "denominators":
        return (numerator * amount, denominator * amount), False
    if operation == "numerators":
        wanted = numerator * amount if how == "times" else numerator + amount
    elif denominator == 0:
        return (numerator, denominator), False
    elif how == "shift":
        wanted = numerator + denominator * amount / HUNDRED
    elif how == "set":
        wanted = denominator * amount / HUNDRED
    else:
        wanted = numerator * amount
    kept = min(max(wanted, Decimal(0)), denominator)
    return (kept, denominator), kept != wanted


def _picks(change: _Change, key: Cell) -> bool:
    org, measure, group, period = key
    return ((change.measure is None or change.measure == measure)
            and (change.group is None or change.group == group)
            and (change.period is None or change.period == period)
            and (change.organizations is None or org in change.organizations))


def _described(change: _Change) -> str:
    parts = [change.measure or "every measure",
             change.group or "every group",
             change.period or "every period"]
    whom = (listed(sorted(change.organizations)) if change.organizations is not None
            else "every organization")
    return f"{change.operation} {change.text}: {', '.join(parts)}, {whom}"


def read_scenarios(path: str | Path, program: Program, tables: TableSet,
                   parse_override: Any) -> list[Scenario]:
    """The scenarios of a TOML file, checked against the contract and the tables;
    ``parse_override`` reads a parameter's value as ``--set`` does."""
    shown = str(path)
    try:
        if Path(path).stat().st_size > MAX_BYTES:
            raise EqlangError(Diagnostic(
                CODE, f"the scenario file is larger than {MAX_BYTES // 2**20} MiB", None,
                path=shown, hint="a scenario file names changes, not tables: describe the "
                "changes with measure, group, period and organizations"))
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EqlangError(Diagnostic(CODE, "no such scenario file", None, path=shown,
                                     hint="name a TOML file of [[scenario]] tables")) from None
    except IsADirectoryError:
        raise EqlangError(Diagnostic(CODE, "this is a directory, not a scenario file", None,
                                     path=shown, hint="name a TOML file of [[scenario]] tables")
                          ) from None
    except UnicodeDecodeError as exc:
        raise EqlangError(Diagnostic(CODE, f"not UTF-8 text: {exc.reason} at byte {exc.start}",
                                     None, path=shown,
                                     hint="name a TOML file of [[scenario]] tables")) from None
    except tomllib.TOMLDecodeError as exc:
        raise EqlangError(Diagnostic(CODE, f"not valid TOML: {exc}", None, path=shown,
                                     hint="see docs/tools.md for a scenario file")) from None
    return _Reader(shown, program, tables, parse_override).scenarios(data)
