"""FHIR MeasureReports as measure tables: takes a FHIR R4 Bundle of summary MeasureReports, or
one MeasureReport, as JSON text, and gives the checked rows a CSV measure table gives.

Each report gives rows for one organization (its ``reporter``), one measure (its
``measure``, through the ``FhirMap``) and one period (its ``period``): a row for the whole
population (group ``ALL``) from the populations of each of its groups, and a row per stratum
of each stratifier, its group named by the stratum's ``value`` or, for race by ethnicity,
its ``component`` values joined with ", ". A row's numerator is the ``numerator`` population
less any ``numerator-exclusion``; its denominator the ``denominator`` population less
``denominator-exclusion`` and ``denominator-exception``, as proportion measures are scored.
A count is the population's integer ``count``, or an exact decimal in the extension
``DECIMAL_COUNT_URL`` where imputed membership makes it fractional.

Numbers are read as ``Decimal`` straight from the JSON text, never through float. Every
problem is reported with the file, line and column, the JSON path of the offending value
(``entry[3].resource.group[0].population[1].count``) and the report's id, all of them
together, as for a CSV table. The json module gives no positions, so ``_Positions`` finds
them by skipping values with its decoder, only along the paths that are needed.
"""

from __future__ import annotations

import bisect
import json
import os
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import attrs

from eqlang.data.fhir_map import (
    CDC_CATEGORIES,
    CDC_RACE_ETHNICITY,
    DECIMAL_COUNT_URL,
    POPULATION_SYSTEM,
    FhirMap,
    MeasureEntry,
    default_code,
    fhir_date,
    key_name,
)
from eqlang.data.tables import (
    E_DUPLICATE,
    E_RATIO,
    Key,
    MeasureTable,
    Row,
    _LazySource,
    _Origin,
)
from eqlang.diagnostics import Collector, Diagnostic, Note

E_FILE = "E0530"
E_REPORT = "E0531"
E_COUNT = "E0532"
E_MEASURE = "E0533"

#: The largest value of FHIR's ``integer`` type, and so of ``count``.
MAX_COUNT = 2_147_483_647
#: Decimal counts this large are no count of members: most likely a misplaced exponent.
_MAX_DECIMAL_COUNT = Decimal("1E18")

#: Populations a row's counts come from; others (initial-population, ...) are not read.
_COUNTED = ("numerator", "numerator-exclusion", "denominator", "denominator-exclusion",
            "denominator-exception")

_SPACE = re.compile(r"[ \t\n\r]*")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

JsonPath = tuple[str | int, ...]


def looks_like_json(text: str) -> bool:
    """Whether a table's text is JSON (a FHIR resource) rather than CSV: a CSV header
    never starts with a brace or a bracket."""
    first = _SPACE.match(text).end()
    return first < len(text) and text[first] in "{["


def table_paths(paths: Sequence[str | os.PathLike[str]]
                ) -> tuple[list[str | os.PathLike[str]], list[Diagnostic]]:
    """The table files named: a folder stands for the ``.json`` files directly in it, in
    order of name; each file is given as named."""
    files: list[str | os.PathLike[str]] = []
    problems: list[Diagnostic] = []
    for path in paths:
        if not os.path.isdir(path):
            files.append(path)
            continue
        shown = os.fspath(path)
        found = sorted(name for name in os.listdir(path)
                       if name.lower().endswith(".json") and not name.startswith(".")
                       and os.path.isfile(os.path.join(path, name)))
        if not found:
            problems.append(Diagnostic(
                E_FILE, "the folder holds no .json file", path=shown,
                hint="a folder given with --table stands for the FHIR Bundles and "
                "MeasureReports (.json files) directly in it; name a CSV table by its file"))
        files.extend(os.path.join(shown, name) for name in found)
    return files, problems


def read_fhir_table(text: str, shown: str, sha256: str, fhir_map: FhirMap | None = None
                    ) -> tuple[MeasureTable | None, list[Diagnostic]]:
    """The rows of a Bundle or MeasureReport, or every problem that keeps it from being
    read; ``sha256`` is that of the file's bytes."""
    return _Reader(text, shown, sha256, fhir_map or FhirMap()).run()


def json_path(path: JsonPath) -> str:
    """``entry[3].resource.group[0]`` for ``("entry", 3, "resource", "group", 0)``."""
    parts = []
    for step in path:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        elif _IDENTIFIER.fullmatch(step):
            parts.append(f".{step}")
        else:
            parts.append(f"[{json.dumps(step, ensure_ascii=False)}]")
    return "".join(parts).lstrip(".") or "the top level"


class _Positions:
    """Where the values of a JSON text are: the start and end offsets of the value at a
    path, found by skipping each member of the containers along the path with the json
    decoder. Each container is scanned once, so locating every stratum of a bundle costs a
    few passes over the text."""

    def __init__(self, text: str) -> None:
        self.text = text
        # Numbers are skipped as text: an integer of thousands of digits would exceed the
        # int conversion limit.
        self._skip = json.JSONDecoder(parse_float=str, parse_int=str, parse_constant=str)
        self._members: dict[int, dict[str | int, tuple[int, int]]] = {}
        self._root = (_SPACE.match(text).end(), len(text.rstrip(" \t\r\n")))

    def of(self, path: JsonPath) -> tuple[int, int] | None:
        start, end = self._root
        for step in path:
            found = self._children(start).get(step)
            if found is None:
                return None
            start, end = found
        return start, end

    def _children(self, start: int) -> dict[str | int, tuple[int, int]]:
        known = self._members.get(start)
        if known is not None:
            return known
        text, decode, space = self.text, self._skip.raw_decode, _SPACE.match
        members: dict[str | int, tuple[int, int]] = {}
        self._members[start] = members
        opener = text[start]
        if opener not in "{[":
            return members
        closer = "}" if opener == "{" else "]"
        pos = space(text, start + 1).end()
        index = 0
        while pos < len(text) and text[pos] != closer:
            if opener == "{":
                key, pos = decode(text, pos)
                pos = space(text, space(text, pos).end() + 1).end()  # past the colon
            else:
                key, index = index, index + 1
            _, end = decode(text, pos)
            members[key] = (pos, end)
            pos = space(text, end).end()
            if pos < len(text) and text[pos] == ",":
                pos = space(text, pos + 1).end()
        return members


class _Twice(dict[str, Any]):
    """A JSON object in which a key appears more than once, with those keys."""

    keys_twice: list[str]


class _Constant(ValueError):
    """NaN or Infinity: JavaScript, not JSON."""


def _refuse_constant(name: str) -> Any:
    raise _Constant(name)


@attrs.define
class _Merged:
    """The strata of one stratifier that the map makes one group, added up."""

    numerator: Decimal
    denominator: Decimal
    path: JsonPath
    names: set[str]


class _Reader:
    """Reads one parsed file into rows, collecting diagnostics."""

    def __init__(self, text: str, shown: str, sha256: str, fhir_map: FhirMap) -> None:
        self.text = text
        self.shown = shown
        self.sha256 = sha256
        self.map = fhir_map
        self.source = _LazySource(shown, text, sha256)
        self.positions = _Positions(text)
        self.collector = Collector()
        self.rows: list[Row] = []
        self.spans: list[tuple[int, int]] = []
        #: The first row of each key: its position, where it was read, and its stratifier.
        self.keys: dict[Key, tuple[int, JsonPath, JsonPath | None]] = {}
        #: Organization names by the references that may name them.
        self.organizations: dict[str, str] = {}
        self.twice: list[_Twice] = []
        self._newlines: list[int] | None = None
        #: The report being read, as messages name it.
        self.report_name = ""

    # ---- diagnostics -------------------------------------------------------------------

    def problem(self, code: str, path: JsonPath, message: str, hint: str,
                notes: tuple[Note, ...] = (), at: JsonPath | None = None) -> None:
        """Report a problem with the value at ``path`` (shown at ``at``, if given)."""
        offsets = self.positions.of(path if at is None else at)
        span = self.source.span(*offsets) if offsets is not None else None
        text = (f"{json_path(path)}: " if path else "") + message + (
            f" (in {self.report_name})" if self.report_name else "")
        self.collector.add(Diagnostic(code, text, span=span, hint=hint, notes=notes,
                                      path=None if span is not None else self.shown))

    def note(self, message: str, path: JsonPath) -> Note:
        offsets = self.positions.of(path)
        return Note(f"{message}, at {json_path(path)}",
                    self.source.span(*offsets) if offsets is not None else None)

    # ---- the file ----------------------------------------------------------------------

    def run(self) -> tuple[MeasureTable | None, list[Diagnostic]]:
        data = self.parse()
        if data is not None:
            self.read(data)
            self.report_twice(data)
        diagnostics = self.collector.finish("this file")
        if diagnostics:
            return None, diagnostics
        origin = _Origin(self.source, tuple(self.spans))
        return MeasureTable(self.shown, self.sha256, tuple(self.rows), origin=origin), []

    def parse(self) -> Any:
        hint = "FHIR resources are JSON: check the file is what an engine or eqlang wrote"
        try:
            return json.loads(self.text, parse_float=Decimal, parse_int=Decimal,
                              parse_constant=_refuse_constant, object_pairs_hook=self._object)
        except json.JSONDecodeError as exc:
            at = min(exc.pos, max(len(self.text) - 1, 0))
            self.collector.add(Diagnostic(E_FILE, f"not valid JSON: {exc.msg}",
                                          self.source.span(at, at + 1), hint=hint))
        except _Constant as exc:
            found = re.search(rf"[\[:,]\s*({re.escape(str(exc))})", self.text)
            span = self.source.span(*found.span(1)) if found else None
            self.collector.add(Diagnostic(
                E_FILE, f"`{exc}` is not a JSON number", span,
                path=None if span else self.shown,
                hint="write the number, or leave the element out if there is none"))
        except RecursionError:
            self.collector.add(Diagnostic(E_FILE, "the JSON is nested too deeply to read",
                                          path=self.shown, hint=hint))
        return None

    def _object(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) == len(pairs):
            return obj
        twice = _Twice(obj)
        seen: set[str] = set()
        twice.keys_twice = [k for k, _ in pairs if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
        self.twice.append(twice)
        return twice

    def report_twice(self, data: Any) -> None:
        """Each object with a key written twice, wherever it is: JSON readers differ on
        which of the two they keep."""
        if not self.twice:
            return
        wanted = {id(obj) for obj in self.twice}
        stack: list[tuple[JsonPath, Any]] = [((), data)]
        while stack:
            path, value = stack.pop()
            if isinstance(value, dict):
                if id(value) in wanted:
                    key = value.keys_twice[0]
                    self.report_name = ""
                    self.problem(E_FILE, path, f"`{key}` appears twice in one object",
                                 "remove one of them: JSON readers differ on which they keep",
                                 at=(*path, key))
                stack.extend(((*path, k), v) for k, v in value.items())
            elif isinstance(value, list):
                stack.extend(((*path, i), v) for i, v in enumerate(value))

    def read(self, data: Any) -> None:
        kind = data.get("resourceType") if isinstance(data, dict) else None
        if kind == "Bundle":
            self.bundle(data)
        elif kind == "MeasureReport":
            self.report(data, ())
        else:
            what = f"a {kind} resource" if isinstance(kind, str) else (
                "JSON without a resourceType" if isinstance(data, dict) else "a JSON list")
            self.problem(E_FILE, (), f"this is {what}, not a FHIR Bundle or MeasureReport",
                         "name a Bundle of MeasureReports, a MeasureReport, or a CSV table")

    def bundle(self, data: dict[str, Any]) -> None:
        entries = data.get("entry")
        if not isinstance(entries, list):
            self.problem(E_FILE, ("entry",) if "entry" in data else (),
                         "the Bundle has no list of entries", "put each MeasureReport in an "
                         "entry: \"entry\": [{\"resource\": {...}}]")
            return
        reports: list[int] = []
        for index, entry in enumerate(entries):
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict):
                if not isinstance(entry, dict) or "resource" in entry:
                    self.problem(E_REPORT, ("entry", index), "the entry is not an object "
                                 "holding a resource", "write {\"resource\": {...}}")
                continue
            kind = resource.get("resourceType")
            if kind == "MeasureReport":
                reports.append(index)
            elif kind == "Organization":
                self.organization(resource, entry.get("fullUrl"))
            elif kind == "Bundle":
                self.problem(E_REPORT, ("entry", index, "resource"), "a Bundle inside the "
                             "Bundle", "list the MeasureReports in one Bundle, or give the "
                             "files in a folder")
            elif not isinstance(kind, str):
                self.problem(E_REPORT, ("entry", index, "resource"), "the resource has no "
                             "resourceType", "add \"resourceType\": \"MeasureReport\"")
        if not reports and not self.collector:
            self.problem(E_FILE, ("entry",), "the Bundle holds no MeasureReport",
                         "add the summary MeasureReports to settle on")
        for index in reports:
            self.report(entries[index]["resource"], ("entry", index, "resource"))

    def organization(self, resource: dict[str, Any], full_url: Any) -> None:
        name = resource.get("name")
        if not isinstance(name, str) or not name.strip():
            return
        rid = resource.get("id")
        for reference in (full_url, f"Organization/{rid}" if isinstance(rid, str) else None):
            if isinstance(reference, str):
                self.organizations[reference] = key_name(name)

    # ---- one report --------------------------------------------------------------------

    def report(self, resource: dict[str, Any], path: JsonPath) -> None:
        rid = resource.get("id")
        self.report_name = (f"MeasureReport `{rid}`" if isinstance(rid, str)
                            else "a MeasureReport without an id")
        status = self.string(resource, path, "status", "`complete`")
        if status is not None and status != "complete":
            self.problem(E_REPORT, (*path, "status"), f"the report's status is `{status}`",
                         "settle only on complete reports: a pending one's counts may still "
                         "change, an erroneous one's are wrong")
        kind = self.string(resource, path, "type", "`summary`")
        if kind is not None and kind not in ("summary", "subject-list"):
            self.problem(E_REPORT, (*path, "type"), f"the report's type is `{kind}`, not "
                         "`summary`", "eqlang settles on counts: give summary reports (one "
                         "per organization, measure and period)")
        canonical = self.string(resource, path, "measure", "the Measure's canonical URL")
        org = self.reporter(resource, path)
        period = self.period(resource, path)
        groups = resource.get("group")
        if not isinstance(groups, list) or not groups:
            self.problem(E_REPORT, (*path, "group") if "group" in resource else path,
                         "the report has no groups", "a summary report gives its counts in "
                         "group[].population and group[].stratifier[].stratum[].population")
            return
        if canonical is None or org is None or period is None:
            return
        entries = self.map.entries_for(canonical)
        for index, group in enumerate(groups):
            group_path = (*path, "group", index)
            if not isinstance(group, dict):
                self.problem(E_REPORT, group_path, "a group must be an object",
                             "write {\"population\": [...], \"stratifier\": [...]}")
                continue
            measure = self.measure_code(canonical, entries, group, group_path, len(groups))
            if measure is not None:
                self.group(group, group_path, org, measure, period)

    def string(self, resource: dict[str, Any], path: JsonPath, name: str, what: str
               ) -> str | None:
        value = resource.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
        where = (*path, name) if name in resource else path
        self.problem(E_REPORT, where, f"`{name}` is missing" if value is None
                     else f"`{name}` must be text, not {_kind(value)}",
                     f"give the report's `{name}`: {what}")
        return None

    def reporter(self, resource: dict[str, Any], path: JsonPath) -> str | None:
        reporter = resource.get("reporter")
        hint = ("name the organization as the tables do, in \"reporter\": {\"display\": "
                "\"Harborview Health Partners\"} (or a reference to an Organization in the "
                "Bundle, or an identifier)")
        if not isinstance(reporter, dict):
            self.problem(E_REPORT, (*path, "reporter") if "reporter" in resource else path,
                         "the report has no reporter, so the organization is unknown", hint)
            return None
        display = reporter.get("display")
        reference = reporter.get("reference")
        identifier = reporter.get("identifier")
        if isinstance(display, str) and display.strip():
            return key_name(display)
        if isinstance(reference, str) and reference in self.organizations:
            return self.organizations[reference]
        if isinstance(identifier, dict) and isinstance(identifier.get("value"), str) \
                and identifier["value"].strip():
            return key_name(identifier["value"])
        self.problem(E_REPORT, (*path, "reporter"), "the reporter names no organization: no "
                     "display, no identifier, and no reference to an Organization in the "
                     "Bundle", hint)
        return None

    def period(self, resource: dict[str, Any], path: JsonPath) -> str | None:
        period = resource.get("period")
        hint = "write \"period\": {\"start\": \"2024-01-01\", \"end\": \"2024-12-31\"}"
        if not isinstance(period, dict):
            self.problem(E_REPORT, (*path, "period") if "period" in resource else path,
                         "the report has no period", hint)
            return None
        days = []
        for name in ("start", "end"):
            text = period.get(name)
            day = fhir_date(text, last=name == "end") if isinstance(text, str) else None
            if day is None:
                where = (*path, "period", name) if name in period else (*path, "period")
                self.problem(E_REPORT, where, f"the period's {name} is missing" if text is None
                             else f"the period's {name} is not a FHIR date: {_shown(text)}"
                             if isinstance(text, str) else
                             f"the period's {name} must be text, not {_kind(text)}", hint)
                return None
            days.append(day)
        start, end = days
        if start > end:
            self.problem(E_REPORT, (*path, "period"), f"the period ends on {end}, before it "
                         f"starts on {start}", "swap the dates")
            return None
        return self.map.period_label(start, end)

    def measure_code(self, canonical: str, entries: list[MeasureEntry], group: dict[str, Any],
                     path: JsonPath, count: int) -> str | None:
        """The measure code of one group of a report, or None for a group the map leaves
        out (it names other groups of the same Measure)."""
        names = _concept_words(group.get("code"))
        for entry in entries:
            if entry.group is not None and entry.group in names:
                return entry.code
        plain = [entry for entry in entries if entry.group is None]
        if plain and count == 1:
            return plain[0].code
        if plain:
            if path[-1] != 0:
                return None  # said once, at the first group
            self.problem(E_MEASURE, path[:-1], f"the FHIR map names {canonical} as measure "
                         f"{plain[0].code}, but the report has {count} groups",
                         f"say which group is {plain[0].code}: {plain[0].code} = {{ canonical "
                         f"= \"{canonical}\", group = \"CODE\" }}, CODE being the code or text "
                         "of that group's `code`")
            return None
        if entries:
            return None
        code = default_code(canonical)
        if not code:
            if path[-1] == 0:  # said once, for the first group
                self.problem(E_MEASURE, (*path[:-2], "measure"), "cannot tell a measure code "
                             f"from {_shown(canonical)}", "name the measure code in the "
                             "[measures] section of a map given with --fhir-map")
            return None
        if count > 1:
            code += "#" + (names[0] if names else str(path[-1] + 1))  # type: ignore[operator]
        return code

    # ---- counts ------------------------------------------------------------------------

    def group(self, group: dict[str, Any], path: JsonPath, org: str, measure: str,
              period: str) -> None:
        whole = self.counts(group, path, required=False)
        if whole is not None:
            self.add_row((org, measure, "ALL", period), whole, path, None)
        stratifiers = group.get("stratifier", [])
        if not isinstance(stratifiers, list):
            self.problem(E_REPORT, (*path, "stratifier"), "`stratifier` must be a list",
                         "write \"stratifier\": [{\"stratum\": [...]}]")
            return
        for index, stratifier in enumerate(stratifiers):
            stratifier_path = (*path, "stratifier", index)
            strata = stratifier.get("stratum") if isinstance(stratifier, dict) else None
            if not isinstance(strata, list):
                self.problem(E_REPORT, stratifier_path, "the stratifier has no list of strata",
                             "write {\"stratum\": [{\"value\": ..., \"population\": [...]}]}")
                continue
            merged: dict[str, _Merged] = {}
            for number, stratum in enumerate(strata):
                stratum_path = (*stratifier_path, "stratum", number)
                self.stratum(stratum, stratum_path, merged)
            for name, found in merged.items():
                self.add_row((org, measure, name, period), (found.numerator, found.denominator),
                             found.path, stratifier_path)

    def stratum(self, stratum: Any, path: JsonPath, merged: dict[str, _Merged]) -> None:
        if not isinstance(stratum, dict):
            self.problem(E_REPORT, path, "a stratum must be an object",
                         "write {\"value\": {\"text\": \"Black\"}, \"population\": [...]}")
            return
        name = self.stratum_name(stratum, path)
        counts = self.counts(stratum, path, required=True)
        if name is None or counts is None:
            return
        group = self.map.group_name(name)
        if group == "ALL":
            self.problem(E_REPORT, path, "a stratum named ALL", "ALL is the whole population, "
                         "which the group's own populations give; name the stratum's group")
            return
        found = merged.get(group)
        if found is None:
            merged[group] = _Merged(counts[0], counts[1], path, {name})
        elif name in found.names:
            self.problem(E_REPORT, path, f"a second stratum `{name}` in this stratifier",
                         "each stratum of a stratifier is a different group: remove one",
                         (self.note("the first", found.path),))
        else:
            # Strata the map makes one group (races of Hispanic members, say) are disjoint
            # parts of it, being strata of one stratifier: their counts add up.
            found.numerator += counts[0]
            found.denominator += counts[1]
            found.names.add(name)

    def stratum_name(self, stratum: dict[str, Any], path: JsonPath) -> str | None:
        value, components = stratum.get("value"), stratum.get("component")
        if value is not None and components is not None:
            self.problem(E_REPORT, path, "the stratum has both a value and components",
                         "give a value, or components (race and ethnicity), not both")
            return None
        if value is not None:
            name = self.concept_name(value, (*path, "value"))
        elif isinstance(components, list) and components:
            names = []
            for index, component in enumerate(components):
                where = (*path, "component", index)
                if not isinstance(component, dict) or "value" not in component:
                    self.problem(E_REPORT, where, "the component has no value",
                                 "write {\"code\": {...}, \"value\": {...}}")
                    return None
                names.append(self.concept_name(component["value"], (*where, "value")))
            if None in names:
                return None
            name = ", ".join(n for n in names if n is not None)
        else:
            self.problem(E_REPORT, path, "the stratum has no value and no components",
                         "say which group the stratum counts: \"value\": {\"text\": \"Black\"}")
            return None
        return name

    def concept_name(self, concept: Any, path: JsonPath) -> str | None:
        """A group's name from a CodeableConcept: its text, else a coding's display, else
        the name of a CDC Race and Ethnicity code, else a code."""
        if isinstance(concept, dict):
            text = concept.get("text")
            codings = [c for c in concept.get("coding") or () if isinstance(c, dict)] \
                if isinstance(concept.get("coding"), list) else []
            candidates = [text] + [c.get("display") for c in codings] + [
                CDC_CATEGORIES.get(c["code"]) for c in codings
                if c.get("system") == CDC_RACE_ETHNICITY and isinstance(c.get("code"), str)
            ] + [c.get("code") for c in codings]
            for candidate in candidates:
                if isinstance(candidate, str) and candidate.strip():
                    return key_name(candidate)
        self.problem(E_REPORT, path, "the stratum's value names no group: no text, display "
                     "or code", "write the group as the tables name it: {\"text\": \"Black\"}, "
                     "or a coding with a code and display")
        return None

    def counts(self, holder: dict[str, Any], path: JsonPath, required: bool
               ) -> tuple[Decimal, Decimal] | None:
        populations = holder.get("population")
        hint = ("give the numerator and denominator populations, each with its count: "
                "\"population\": [{\"code\": {\"coding\": [{\"system\": "
                f"\"{POPULATION_SYSTEM}\", \"code\": \"numerator\"}}]}}, \"count\": 12}}, ...]")
        if populations is None:
            if required:
                self.problem(E_REPORT, path, "the stratum has no populations", hint)
            return None
        if not isinstance(populations, list):
            self.problem(E_REPORT, (*path, "population"), "`population` must be a list", hint)
            return None
        found: dict[str, tuple[Decimal, JsonPath]] = {}
        readable = True
        for index, population in enumerate(populations):
            where = (*path, "population", index)
            if not isinstance(population, dict):
                self.problem(E_REPORT, where, "a population must be an object", hint)
                readable = False
                continue
            code = _population_code(population.get("code"))
            if code not in _COUNTED:
                continue
            if code in found:
                self.problem(E_REPORT, where, f"a second {code} population", "give each "
                             "population once", (self.note("the first", found[code][1]),))
                readable = False
                continue
            count = self.count(population, where)
            if count is None:
                readable = False
                continue
            found[code] = (count, where)
        if not readable:
            return None
        missing = [code for code in ("numerator", "denominator") if code not in found]
        if missing:
            self.problem(E_REPORT, (*path, "population"), f"there is no {missing[0]} "
                         "population", hint)
            return None
        return self.net(found, path)

    def net(self, found: dict[str, tuple[Decimal, JsonPath]], path: JsonPath
            ) -> tuple[Decimal, Decimal] | None:
        """Numerator and denominator less their exclusions and exceptions."""
        zero = (Decimal(0), path)
        numerator, numerator_at = found["numerator"]
        denominator, denominator_at = found["denominator"]
        excluded = found.get("numerator-exclusion", zero)[0]
        removed = found.get("denominator-exclusion", zero)[0] + found.get(
            "denominator-exception", zero)[0]
        if removed > denominator:
            self.problem(E_COUNT, denominator_at, f"the denominator, {denominator}, is smaller "
                         f"than its exclusions and exceptions, {removed}",
                         "exclusions and exceptions are members of the denominator: check "
                         "the counts")
            return None
        if excluded > numerator:
            self.problem(E_COUNT, numerator_at, f"the numerator, {numerator}, is smaller than "
                         f"its exclusions, {excluded}", "numerator exclusions are members of "
                         "the numerator: check the counts")
            return None
        net_numerator, net_denominator = numerator - excluded, denominator - removed
        if net_numerator > net_denominator:
            self.problem(E_RATIO, numerator_at, f"the numerator, {net_numerator}, is greater "
                         f"than the denominator, {net_denominator}" + (
                             " (after exclusions and exceptions)"
                             if (excluded, removed) != (0, 0) else ""),
                         "the numerator counts members of the denominator: check whether the "
                         "two are swapped", (self.note("the denominator", denominator_at),))
            return None
        return net_numerator, net_denominator

    def count(self, population: dict[str, Any], path: JsonPath) -> Decimal | None:
        """A population's count: the decimal extension where there is one, else ``count``."""
        extensions = population.get("extension", [])
        if not isinstance(extensions, list):
            self.problem(E_COUNT, (*path, "extension"), "`extension` must be a list",
                         f"write \"extension\": [{{\"url\": \"{DECIMAL_COUNT_URL}\", "
                         "\"valueDecimal\": 12.5}]")
            return None
        decimal_at = [i for i, e in enumerate(extensions)
                      if isinstance(e, dict) and e.get("url") == DECIMAL_COUNT_URL]
        exact: Decimal | None = None
        if len(decimal_at) > 1:
            self.problem(E_COUNT, (*path, "extension", decimal_at[1]), "a second decimal "
                         "count for the population", "give the count once")
            return None
        if decimal_at:
            where = (*path, "extension", decimal_at[0])
            value = extensions[decimal_at[0]].get("valueDecimal")
            if not isinstance(value, Decimal):
                self.problem(E_COUNT, (*where, "valueDecimal") if value is not None else where,
                             "the decimal count must be a JSON number in `valueDecimal`, not "
                             f"{_kind(value)}", "write \"valueDecimal\": 193.486, without quotes")
                return None
            if value < 0 or value >= _MAX_DECIMAL_COUNT:
                self.problem(E_COUNT, (*where, "valueDecimal"), f"the decimal count {value} is "
                             + ("negative" if value < 0 else "too large to be a count"),
                             "a count is a number of members, zero or more")
                return None
            exact = value.copy_abs()  # -0 is 0
        count = population.get("count")
        if count is not None:
            if not isinstance(count, Decimal):
                self.problem(E_COUNT, (*path, "count"), f"the count must be a number, not "
                             f"{_kind(count)}", "write \"count\": 12, without quotes")
                return None
            if count.as_tuple().exponent != 0 or not 0 <= count <= MAX_COUNT:
                exponent = count.as_tuple().exponent
                problem = ("is negative" if count < 0 else "is too large for FHIR's integer"
                           if count > MAX_COUNT and exponent == 0 else "is not a whole number")
                self.problem(E_COUNT, (*path, "count"), f"the count {_shown(str(count))} "
                             f"{problem}", "`count` is an integer; a fractional count (of "
                             f"imputed members) goes in the extension {DECIMAL_COUNT_URL} as "
                             "valueDecimal, leaving count out")
                return None
            if exact is not None and abs(count - exact) >= 1:
                self.problem(E_COUNT, (*path, "count"), f"the count {count} disagrees with the "
                             f"decimal count {exact}", "leave `count` out, or make it the "
                             "decimal count rounded")
                return None
            if exact is None:
                return count.copy_abs()
        if exact is None:
            self.problem(E_COUNT, path, "the population has no count",
                         f"give its \"count\", or a decimal count in the extension "
                         f"{DECIMAL_COUNT_URL}")
        return exact

    # ---- rows --------------------------------------------------------------------------

    def add_row(self, key: Key, counts: tuple[Decimal, Decimal], path: JsonPath,
                stratifier: JsonPath | None) -> None:
        offsets = self.positions.of(path)
        assert offsets is not None
        first = self.keys.get(key)
        if first is None:
            self.keys[key] = (len(self.rows), path, stratifier)
            org, measure, group, period = key
            self.rows.append(Row(org, measure, group, period, counts[0], counts[1], self.shown,
                                 self.line(offsets[0])))
            self.spans.append(offsets)
            return
        position, first_path, first_stratifier = first
        row = self.rows[position]
        if stratifier is not None and first_stratifier is not None \
                and first_stratifier[:-2] == stratifier[:-2] \
                and (row.numerator, row.denominator) == counts:
            return  # the same group in two stratifiers of one report group, counted alike
        org, measure, group, period = key
        self.problem(E_DUPLICATE, path, f"a second row for org `{org}`, measure `{measure}`, "
                     f"group `{group}`, period `{period}`",
                     "each organization, measure, group and period may be counted once: "
                     "remove one report or stratum, or map them to different names",
                     (self.note("the first", first_path),))

    def line(self, offset: int) -> int:
        if self._newlines is None:
            self._newlines = [match.start() for match in re.finditer("\n", self.text)]
        return bisect.bisect_left(self._newlines, offset) + 1


def _population_code(concept: Any) -> str | None:
    if not isinstance(concept, dict) or not isinstance(concept.get("coding"), list):
        return None
    for coding in concept["coding"]:
        if isinstance(coding, dict) and coding.get("system", POPULATION_SYSTEM) == \
                POPULATION_SYSTEM and isinstance(coding.get("code"), str):
            return str(coding["code"])
    return None


def _concept_words(concept: Any) -> list[str]:
    """The codes and text of a CodeableConcept, which a map's group may name."""
    if not isinstance(concept, dict):
        return []
    words = [c.get("code") for c in concept.get("coding") or ()
             if isinstance(c, dict)] if isinstance(concept.get("coding"), list) else []
    words.append(concept.get("text"))
    return [w.strip() for w in words if isinstance(w, str) and w.strip()]


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, Decimal):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null"


def _shown(text: str, limit: int = 40) -> str:
    cut = text if len(text) <= limit else text[:limit - 3] + "..."
    return f"`{cut}`" if cut.isprintable() else repr(cut)

