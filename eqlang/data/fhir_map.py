"""The FHIR mapping: takes an optional map file (TOML), gives how the measure codes, periods
and groups of measure tables stand for the elements of FHIR MeasureReports, both ways.

A table names a measure by a short code (`COL`), a period by a label (`2024`) and a group by
its spelling (`Black`); a MeasureReport names the measure by a canonical URL, the period by
two dates and a stratum by coded values. Without a map file, a code stands for the canonical
URL ``https://eqlang.example/fhir/Measure/CODE`` (and is read back from the last part of any
canonical), a four-digit label for that calendar year and any other period for
``START/END``; a stratum's group is its text, else its coding's display. A map file,
given with ``--fhir-map``, names other canonical URLs, periods and group spellings::

    [measures]
    COL = "http://example.org/fhir/Measure/colorectal-cancer-screening"
    PPC = { canonical = "http://example.org/fhir/Measure/ppc", group = "timeliness" }

    [periods]
    "2024H1" = { start = 2024-01-01, end = 2024-06-30 }

    [groups]
    "White, Not Hispanic or Latino" = "White"

The URLs of eqlang's own extensions and code systems are defined here too, under the project
namespace that the trace schema uses; docs/fhir.md documents each.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import tomllib
from collections.abc import Mapping
from typing import Any

import attrs

from eqlang.diagnostics import Diagnostic, EqlangError, did_you_mean
from eqlang.files import Unreadable, read_limited
from eqlang.syntax.source import normal_text

NAMESPACE = "https://eqlang.example/fhir"
#: A population's count as an exact decimal, for counts of imputed membership.
DECIMAL_COUNT_URL = f"{NAMESPACE}/StructureDefinition/decimal-count"
#: An organization's settlement: its outputs and the SHA-256 of the trace behind them.
SETTLEMENT_URL = f"{NAMESPACE}/StructureDefinition/settlement"
#: Codes for a contract's stratifications, as stratifier codes.
STRATIFICATION_SYSTEM = f"{NAMESPACE}/CodeSystem/stratification"
#: Identifiers of organizations by the name measure tables give them.
ORGANIZATION_SYSTEM = f"{NAMESPACE}/organization"
#: The canonical URL of a measure the map does not name is this followed by its code.
MEASURE_BASE = f"{NAMESPACE}/Measure/"

CDC_RACE_ETHNICITY = "urn:oid:2.16.840.1.113883.6.238"
POPULATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/measure-population"
IMPROVEMENT_SYSTEM = "http://terminology.hl7.org/CodeSystem/measure-improvement-notation"
UCUM = "http://unitsofmeasure.org"

#: The OMB minimum categories in the CDC Race and Ethnicity code system.
CDC_CATEGORIES = {
    "1002-5": "American Indian or Alaska Native",
    "2028-9": "Asian",
    "2054-5": "Black or African American",
    "2076-8": "Native Hawaiian or Other Pacific Islander",
    "2106-3": "White",
    "2135-2": "Hispanic or Latino",
    "2186-5": "Not Hispanic or Latino",
}

#: Other spellings of the OMB categories that tables and contracts use, compared folded
#: (see ``_folded``); SPD 15 words the Pacific Islander category without "Other".
_CDC_SPELLINGS = {
    "1002-5": ("AIAN", "American Indian"),
    "2028-9": (),
    "2054-5": ("Black", "African American"),
    "2076-8": ("NHPI", "Native Hawaiian or Pacific Islander", "Pacific Islander"),
    "2106-3": (),
    "2135-2": ("Hispanic", "Latino", "Hispanic or Latina", "Latinx"),
    "2186-5": ("Not Hispanic", "NotHispanic", "Non-Hispanic", "Not Latino"),
}

E_MAP = "E0534"

_SECTIONS = ("measures", "periods", "groups")
_YEAR = re.compile(r"[0-9]{4}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: A FHIR date or dateTime: a year, perhaps a month and day, perhaps a time of day.
_FHIR_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?(T.*)?")


def _folded(name: str) -> str:
    return re.sub(r"[\W_]+", "", name).casefold()


_CDC_BY_NAME = {_folded(spelling): code for code, display in CDC_CATEGORIES.items()
                for spelling in (display, *_CDC_SPELLINGS[code])}


def cdc_code(*names: str) -> str | None:
    """The CDC code of the OMB category any of ``names`` spells, if one does."""
    for name in names:
        code = _CDC_BY_NAME.get(_folded(name))
        if code is not None:
            return code
    return None


def key_name(text: str) -> str:
    """A name as a table key holds it: without surrounding spaces, in NFC."""
    return normal_text(text.strip())


@attrs.frozen
class MeasureEntry:
    """One measure code of the map: the canonical URL it stands for, and for a Measure of
    several groups, the code or text of the one group it is."""

    code: str
    canonical: str
    group: str | None = None


@attrs.frozen
class FhirMap:
    """How measure codes, periods and groups stand for FHIR elements (see the module)."""

    measures: tuple[MeasureEntry, ...] = ()
    periods: Mapping[str, tuple[datetime.date, datetime.date]] = attrs.field(factory=dict)
    groups: Mapping[str, str] = attrs.field(factory=dict)
    #: The map file as shown in messages, or None for the defaults.
    path: str | None = None
    sha256: str | None = None

    # ---- from FHIR ------------------------------------------------------------------------

    def entries_for(self, canonical: str) -> list[MeasureEntry]:
        """The map's entries for a report's canonical URL: written with its version, or
        without a version, which stands for every version."""
        base = canonical.partition("|")[0]
        exact = [e for e in self.measures if e.canonical == canonical]
        return exact or [e for e in self.measures if e.canonical == base]

    def period_label(self, start: datetime.date, end: datetime.date) -> str:
        for label, dates in self.periods.items():
            if dates == (start, end):
                return label
        if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) \
                and start.year == end.year:
            return str(start.year)
        return f"{start.isoformat()}/{end.isoformat()}"

    def group_name(self, stratum: str) -> str:
        return self.groups.get(stratum, stratum)

    # ---- to FHIR --------------------------------------------------------------------------

    def canonical(self, code: str) -> MeasureEntry:
        for entry in self.measures:
            if entry.code == code:
                return entry
        return MeasureEntry(code, MEASURE_BASE + code)

    def period_dates(self, label: str) -> tuple[datetime.date, datetime.date] | None:
        """The first and last day of a period label, or None when neither the map nor the
        label itself says."""
        if label in self.periods:
            return self.periods[label]
        try:
            if _YEAR.fullmatch(label):
                year = int(label)
                return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
            first, slash, last = label.partition("/")
            if slash and _DATE.fullmatch(first) and _DATE.fullmatch(last):
                start = datetime.date.fromisoformat(first)
                end = datetime.date.fromisoformat(last)
                return (start, end) if start <= end else None
        except ValueError:
            return None
        return None


def default_code(canonical: str) -> str:
    """The measure code of a canonical URL the map does not name: its last part, without
    the version (``http://x.org/Measure/COL|2024`` is ``COL``)."""
    base = canonical.partition("|")[0].rstrip("/")
    return key_name(re.split(r"[/:]", base)[-1])


def fhir_date(text: str, last: bool) -> datetime.date | None:
    """The day a FHIR date or dateTime names, or None if it is not one. A year or month
    alone stands for its first day, or with ``last`` for its last day; a time of day is
    dropped, since periods are whole days."""
    match = _FHIR_DATE.fullmatch(text)
    if match is None:
        return None
    year, month, day = (int(part) if part else None for part in match.group(1, 2, 3))
    assert year is not None
    try:
        if month is None:
            return datetime.date(year, 12, 31) if last else datetime.date(year, 1, 1)
        if day is None:
            first = datetime.date(year, month, 1)
            if not last:
                return first
            following = datetime.date(year + month // 12, month % 12 + 1, 1)
            return following - datetime.timedelta(days=1)
        return datetime.date(year, month, day)
    except ValueError:
        return None


# ---- the map file --------------------------------------------------------------------------

#: Map files are a few lines; anything this large is a wrong path.
MAX_MAP_BYTES = 1024 * 1024


def load_fhir_map(path: str | os.PathLike[str]) -> FhirMap:
    """Read and check a map file; raise ``EqlangError`` (E0534) listing every problem."""
    shown = os.fspath(path)
    try:
        data = read_limited(path, MAX_MAP_BYTES, "FHIR map")
    except Unreadable as problem:
        hint = {"missing": "check the path given with --fhir-map",
                "directory": "name a .toml file",
                "too large": "a map names a few measures, periods and groups: check the path"}
        raise _error(shown, f"cannot read the FHIR map: {problem.message}",
                     hint.get(problem.kind, problem.hint)) from None
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _error(shown, f"the FHIR map is not UTF-8 text (byte {exc.start})",
                     "save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line ([0-9]+), column ([0-9]+)\)", str(exc))
        message = re.sub(r"\s*\(at (?:line [0-9]+, column [0-9]+|end of document)\)", "",
                         str(exc))
        raise EqlangError(Diagnostic(
            E_MAP, f"the FHIR map is not valid TOML: {message}", path=shown,
            line=int(where.group(1)) if where else None,
            column=int(where.group(2)) if where else None,
            hint="write sections [measures], [periods] and [groups] of `NAME = value` "
            "lines; see docs/fhir.md")) from None
    problems: list[Diagnostic] = []
    measures = _measures(document.get("measures", {}), shown, problems)
    periods = _periods(document.get("periods", {}), shown, problems)
    groups = _groups(document.get("groups", {}), shown, problems)
    for section in document:
        if section not in _SECTIONS:
            problems.append(_problem(shown, f"unknown section [{section}] in the FHIR map",
                                     did_you_mean(section, _SECTIONS)
                                     or "the sections are [measures], [periods] and [groups]"))
    if problems:
        raise EqlangError(problems)
    return FhirMap(measures, periods, groups, shown, hashlib.sha256(data).hexdigest())


def _measures(section: Any, shown: str, problems: list[Diagnostic]) -> tuple[MeasureEntry, ...]:
    if not _is_table(section, "measures", shown, problems):
        return ()
    entries: list[MeasureEntry] = []
    for code, value in section.items():
        where = f"[measures] {code}"
        canonical, group = value, None
        if isinstance(value, dict):
            unknown = sorted(set(value) - {"canonical", "group"})
            if unknown:
                problems.append(_problem(shown, f"{where}: unknown field `{unknown[0]}`",
                                         "a measure is `CODE = \"URL\"` or `CODE = { canonical "
                                         "= \"URL\", group = \"GROUP CODE\" }`"))
                continue
            canonical, group = value.get("canonical"), value.get("group")
            if group is not None and (not isinstance(group, str) or not group.strip()):
                problems.append(_problem(shown, f"{where}: `group` is not a group code",
                                         "write the code or text of the Measure's group, "
                                         "such as group = \"timeliness\""))
                continue
        if not isinstance(canonical, str) or ":" not in canonical or canonical != \
                canonical.strip():
            problems.append(_problem(shown, f"{where}: {canonical!r} is not a canonical URL",
                                     "write the Measure's canonical URL, such as "
                                     "\"http://example.org/fhir/Measure/COL\""))
            continue
        entry = MeasureEntry(key_name(code), canonical, group.strip() if group else None)
        clash = next((e for e in entries if (e.canonical, e.group) == (entry.canonical,
                                                                        entry.group)), None)
        if clash is not None:
            problems.append(_problem(shown, f"{where}: the same Measure as {clash.code}",
                                     "each measure code needs a Measure (or group) of its own, "
                                     "or a report could not say which code it is"))
            continue
        entries.append(entry)
    return tuple(entries)


def _periods(section: Any, shown: str, problems: list[Diagnostic]
             ) -> dict[str, tuple[datetime.date, datetime.date]]:
    periods: dict[str, tuple[datetime.date, datetime.date]] = {}
    if not _is_table(section, "periods", shown, problems):
        return periods
    hint = "write a period as \"LABEL\" = { start = 2024-01-01, end = 2024-06-30 }"
    for label, value in section.items():
        where = f"[periods] {label}"
        if not isinstance(value, dict) or set(value) != {"start", "end"}:
            problems.append(_problem(shown, f"{where}: a period needs a start and an end, "
                                     "and nothing else", hint))
            continue
        start, end = (_day(value[k]) for k in ("start", "end"))
        if start is None or end is None:
            problems.append(_problem(shown, f"{where}: start and end must be dates", hint))
        elif start > end:
            problems.append(_problem(shown, f"{where}: ends on {end}, before it starts on "
                                     f"{start}", "swap the dates"))
        elif (start, end) in periods.values():
            problems.append(_problem(shown, f"{where}: the same dates as another period",
                                     "give each label dates of its own"))
        else:
            periods[key_name(label)] = (start, end)
    return periods


def _groups(section: Any, shown: str, problems: list[Diagnostic]) -> dict[str, str]:
    groups: dict[str, str] = {}
    if not _is_table(section, "groups", shown, problems):
        return groups
    for stratum, group in section.items():
        where = f"[groups] \"{stratum}\""
        if not isinstance(group, str) or not group.strip():
            problems.append(_problem(shown, f"{where}: the group is not a name",
                                     "write the group as the contract's table spells it, such "
                                     "as \"White, Not Hispanic or Latino\" = \"White\""))
        elif key_name(group) == "ALL":
            problems.append(_problem(shown, f"{where}: ALL is the whole population",
                                     "a MeasureReport's whole population is its group's own "
                                     "populations; map strata to the groups they are"))
        else:
            groups[key_name(stratum)] = key_name(group)
    return groups


def _day(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return None
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _is_table(section: Any, name: str, shown: str, problems: list[Diagnostic]) -> bool:
    if isinstance(section, dict):
        return True
    problems.append(_problem(shown, f"`{name}` must be a section [{name}]",
                             f"start the lines with a line `[{name}]`"))
    return False


def _problem(shown: str, message: str, hint: str) -> Diagnostic:
    return Diagnostic(E_MAP, message, path=shown, hint=hint)


def _error(shown: str, message: str, hint: str) -> EqlangError:
    return EqlangError(_problem(shown, message, hint))
