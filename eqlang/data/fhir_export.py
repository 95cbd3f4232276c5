"""FHIR export: takes a settled contract (its program, measure tables and outputs) and gives a
FHIR R4 collection Bundle as JSON text.

For each organization settled, the Bundle holds an Organization carrying the settlement in
the extension ``SETTLEMENT_URL`` (every output of the contract, exact, and the SHA-256 of
the run's trace), then one summary MeasureReport per measure of the contract and period it
reads: the whole population's numerator and denominator, a stratifier per stratification
with a stratum per group the table has (coded in the CDC Race and Ethnicity code system
where the group is an OMB category), and each rate as an exact ``measureScore``. Groups in
the table that no stratification lists follow in a stratifier of their own, so that the
Bundle holds every row the contract could read, and reads back as the same table.

Counts that are whole numbers are written as ``count``; others (imputed membership) as a
decimal in the extension ``DECIMAL_COUNT_URL``. Numbers are written as their exact decimal
text, never through float; ids and ``fullUrl``s are derived from names, so the same inputs
give the same bytes.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import simplejson

from eqlang.core.program import Program
from eqlang.core.values import (
    DateValue,
    ExactArithmetic,
    NotScored,
    Quantity,
    Truth,
    Value,
    display,
    exact_text,
    plain_number,
)
from eqlang.data.fhir import MAX_COUNT
from eqlang.data.fhir_map import (
    CDC_CATEGORIES,
    CDC_RACE_ETHNICITY,
    DECIMAL_COUNT_URL,
    IMPROVEMENT_SYSTEM,
    NAMESPACE,
    ORGANIZATION_SYSTEM,
    POPULATION_SYSTEM,
    SETTLEMENT_URL,
    STRATIFICATION_SYSTEM,
    UCUM,
    FhirMap,
    cdc_code,
)
from eqlang.data.tables import Row, TableSet
from eqlang.diagnostics import Diagnostic, EqlangError
from eqlang.syntax import ast as s

E_EXPORT = "E0535"

#: The stratifier of groups a table has but no stratification of the contract lists.
UNLISTED = "groups no stratification of the contract lists"

Outputs = Mapping[str, Mapping[str, Value | Mapping[str, Value]]]


def export_bundle(program: Program, tables: TableSet, outputs: Outputs, trace_sha256: str,
                  fhir_map: FhirMap | None = None) -> str:
    """The Bundle for the organizations in ``outputs`` (as ``Run.outputs()`` gives them),
    as JSON text ending in a newline; raise ``EqlangError`` (E0535) for a period the map
    does not date."""
    return _Exporter(program, tables, fhir_map or FhirMap(), trace_sha256).text(outputs)


class _Exporter:
    def __init__(self, program: Program, tables: TableSet, fhir_map: FhirMap,
                 trace_sha256: str) -> None:
        self.program = program
        self.tables = tables
        self.map = fhir_map
        self.trace_sha256 = trace_sha256
        self.periods = self.dated_periods()
        self.currency = _header(program, "currency")

    def text(self, outputs: Outputs) -> str:
        entries: list[dict[str, Any]] = []
        for org in sorted(outputs):
            entries.append(self.organization(org, outputs[org]))
            entries.extend(self.reports(org))
        bundle = {
            "resourceType": "Bundle",
            "id": "eqlang-" + self.trace_sha256[:16],
            "type": "collection",
            "entry": entries,
        }
        return simplejson.dumps(bundle, indent=2, ensure_ascii=False) + "\n"

    def dated_periods(self) -> dict[str, dict[str, str]]:
        """Each period label the contract reads, with its FHIR period; every label the map
        cannot date is reported at once."""
        periods: dict[str, dict[str, str]] = {}
        problems: list[Diagnostic] = []
        for name, label in self.program.periods.items():
            dates = self.map.period_dates(label)
            if dates is None:
                problems.append(Diagnostic(
                    E_EXPORT, f"period {name} is \"{label}\", which is not a calendar year, "
                    "so its dates are unknown", path=self.map.path or self.program.main.source.path,
                    hint=f"date it in the [periods] section of a map given with --fhir-map: "
                    f"\"{label}\" = {{ start = 2024-01-01, end = 2024-12-31 }}"))
                continue
            periods[label] = {"start": dates[0].isoformat(), "end": dates[1].isoformat()}
        if problems:
            raise EqlangError(problems)
        return periods

    # ---- the organization and its settlement ----------------------------------------------

    def organization(self, org: str, outputs: Mapping[str, Value | Mapping[str, Value]]
                     ) -> dict[str, Any]:
        parts: list[dict[str, Any]] = [
            {"url": "contract", "valueString": self.contract_title()},
            {"url": "contractSha256", "valueString": self.program.main.source.sha256},
            {"url": "traceSha256", "valueString": self.trace_sha256},
        ]
        for name, value in outputs.items():
            if isinstance(value, Mapping):
                parts.extend(self.output(name, key, item) for key, item in value.items())
            else:
                parts.append(self.output(name, None, value))
        resource = {
            "resourceType": "Organization",
            "id": "org-" + _digest(org)[:16],
            "extension": [{"url": SETTLEMENT_URL, "extension": parts}],
            "identifier": [{"system": ORGANIZATION_SYSTEM, "value": org}],
            "name": org,
        }
        return {"fullUrl": _full_url("Organization", org), "resource": resource}

    def contract_title(self) -> str:
        header = self.program.header
        return header.title if header is not None else self.program.main.source.path

    def output(self, name: str, key: str | None, value: Value) -> dict[str, Any]:
        parts: list[dict[str, Any]] = [{"url": "name", "valueString": name}]
        if key is not None:
            parts.append({"url": "key", "valueString": key})
            if key in self.program.measures:
                parts.append({"url": "measure",
                              "valueCanonical": self.map.canonical(key).canonical})
        if isinstance(value, NotScored):
            parts.append({"url": "notScored", "valueString": value.reason})
        else:
            parts.append({"url": "value", **self.value(value)})
        return {"url": "output", "extension": parts}

    def value(self, value: Value) -> dict[str, Any]:
        """A value as a FHIR ``value[x]``: money as Money, percents and points as a
        Quantity in the unit as written, other numbers as a decimal."""
        if isinstance(value, Quantity):
            number = _number(exact_text(value))
            if value.unit == "money":
                money = {"value": number}
                if self.currency is not None:
                    money["currency"] = self.currency
                return {"valueMoney": money}
            if value.unit == "percent":
                return {"valueQuantity": {"value": number, "unit": "%", "system": UCUM,
                                          "code": "%"}}
            if value.unit == "pp":
                return {"valueQuantity": {"value": number, "unit": "percentage points"}}
            return {"valueDecimal": number}
        if isinstance(value, Truth):
            return {"valueBoolean": value.value}
        if isinstance(value, DateValue):
            return {"valueDate": value.value.isoformat()}
        return {"valueString": display(value)}

    # ---- measure reports ------------------------------------------------------------------

    def reports(self, org: str) -> list[dict[str, Any]]:
        entries = []
        for measure in self.program.contract_measures:
            for period in dict.fromkeys(self.program.periods.values()):
                report = self.report(org, measure, period)
                if report is not None:
                    key = f"{org}\x1f{measure}\x1f{period}"
                    entries.append({"fullUrl": _full_url("MeasureReport", key),
                                    "resource": report})
        return entries

    def report(self, org: str, measure: str, period: str) -> dict[str, Any] | None:
        whole = self.tables.lookup(org, measure, "ALL", period)
        groups = [g for g in self.tables.groups(org, measure, period) if g != "ALL"]
        if whole is None and not groups:
            return None
        entry = self.map.canonical(measure)
        group: dict[str, Any] = {}
        if entry.group is not None:
            group["code"] = {"text": entry.group}
        if whole is not None:
            group.update(_counted(whole))
        stratifiers = self.stratifiers(org, measure, period, groups)
        if stratifiers:
            group["stratifier"] = stratifiers
        report: dict[str, Any] = {
            "resourceType": "MeasureReport",
            "id": f"{_slug(measure)}-{_slug(period)}-{_digest(org, measure, period)[:12]}",
            "status": "complete",
            "type": "summary",
            "measure": entry.canonical,
            "reporter": {"reference": _full_url("Organization", org), "display": org},
            "period": self.periods[period],
        }
        better = self.program.measures[measure].higher_is_better \
            if measure in self.program.measures else None
        if better is not None:
            notation = "increase" if better else "decrease"
            report["improvementNotation"] = {"coding": [{
                "system": IMPROVEMENT_SYSTEM, "code": notation,
                "display": "Increased score indicates improvement" if better
                else "Decreased score indicates improvement"}]}
        report["group"] = [group]
        return report

    def stratifiers(self, org: str, measure: str, period: str, groups: list[str]
                    ) -> list[dict[str, Any]]:
        """A stratifier per stratification with rows, and one for the rest of the groups."""
        stratifiers = []
        listed: set[str] = set()
        titles = _titles(self.program)
        for name, info in self.program.stratifications.items():
            strata = []
            for group in info.groups:
                spelling = info.spellings.get(group, group)
                listed.add(spelling)
                row = self.tables.lookup(org, measure, spelling, period)
                if row is not None:
                    strata.append(_stratum(_concept(spelling, group), row))
            if strata:
                stratifiers.append({"code": [{
                    "coding": [{"system": STRATIFICATION_SYSTEM, "code": name}],
                    "text": titles.get(name, name)}], "stratum": strata})
        rest = [g for g in groups if g not in listed]
        if rest:
            rows = [self.tables.lookup(org, measure, g, period) for g in rest]
            stratifiers.append({"code": [{"text": UNLISTED}], "stratum": [
                _stratum(_concept(g, g), row) for g, row in zip(rest, rows, strict=True)
                if row is not None]})
        return stratifiers


def _concept(spelling: str, name: str) -> dict[str, Any]:
    """A group as a stratum's value: its CDC code where it is an OMB category, and always
    its spelling in the table as text, which is what reads back."""
    concept: dict[str, Any] = {}
    code = cdc_code(spelling, name)
    if code is not None:
        concept["coding"] = [{"system": CDC_RACE_ETHNICITY, "code": code,
                              "display": CDC_CATEGORIES[code]}]
    concept["text"] = spelling
    return concept


def _stratum(value: dict[str, Any], row: Row) -> dict[str, Any]:
    return {"value": value, **_counted(row)}


def _counted(row: Row) -> dict[str, Any]:
    """The populations of a row, and its rate as the measure score."""
    counted: dict[str, Any] = {"population": [_population("numerator", row.numerator),
                                              _population("denominator", row.denominator)]}
    if row.denominator:
        rate = ExactArithmetic().rate(row.numerator, row.denominator)
        counted["measureScore"] = {"value": _number(plain_number(rate))}
    return counted


_POPULATION_NAMES = {"numerator": "Numerator", "denominator": "Denominator"}


def _population(code: str, count: Decimal) -> dict[str, Any]:
    population: dict[str, Any] = {}
    whole = count == count.to_integral_value() and count <= MAX_COUNT
    if not whole:
        population["extension"] = [{"url": DECIMAL_COUNT_URL,
                                    "valueDecimal": _number(format(count, "f"))}]
    population["code"] = {"coding": [{"system": POPULATION_SYSTEM, "code": code,
                                      "display": _POPULATION_NAMES[code]}]}
    if whole:
        population["count"] = int(count)
    return population


def _number(text: str) -> simplejson.RawJSON:
    """A decimal written into the JSON as it is, digit for digit."""
    return simplejson.RawJSON(text)


def _header(program: Program, kind: str) -> str | None:
    for field in program.header.fields if program.header is not None else ():
        if field.kind == kind and field.values:
            return str(field.values[0])
    return None


def _titles(program: Program) -> dict[str, str]:
    """The titles the contract gives its stratifications."""
    return {d.name: d.title for d in program.main.module.declarations
            if isinstance(d, s.Stratification) and d.title}


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _full_url(kind: str, key: str) -> str:
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{NAMESPACE}/{kind}/{key}"))


def _slug(text: str) -> str:
    """Letters, digits, dots and dashes of ``text``, as a FHIR id may hold, at most 20."""
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-")[:20] or "x"
