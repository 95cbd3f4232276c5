"""Member-level inputs: takes member results and membership files, a checked contract and
attribution terms, gives the measure table they add up to, checked and traceable.

The member results file has one row per member, measure and period (``member_id, org,
measure, period, denominator, numerator``, flags of 0 or 1); the membership file one row
per member, stratification and group (``member_id, stratification, group, probability,
source``, ``source`` being ``self-reported`` or ``imputed``). An engine
(``eqlang.data.engines``) validates and aggregates them in SQL (``eqlang.data.member_sql``);
every problem becomes a ``Diagnostic`` naming the file and the row or member, and all are
raised together, before anything is written. The table produced is CSV text read back
through ``eqlang.data.tables``, so its rows are checked and located like any table's: the
trace points at its lines, and ``eqlang tabulate`` writes exactly that text.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from eqlang.core.program import Program
from eqlang.data import formats
from eqlang.data.attribution import MOST_PROBABLE, Attribution
from eqlang.data.engines import (
    CSV,
    DEFAULT_MEMORY_LIMIT,
    ENGINES,
    FLOAT,
    OTHER,
    PARQUET,
    DuckDB,
    Engine,
    EngineError,
    Spark,
)
from eqlang.data.engines import decimal_text as _decimal_text
from eqlang.data.member_sql import (
    DECIMAL,
    IMPUTED,
    LISTED,
    MAX_SCALE,
    MEMBERSHIP_COLUMNS,
    RESULT_COLUMNS,
    SELF_REPORTED,
    TEXT,
    Plan,
    Stratum,
    aggregate_query,
    checks,
    membership_problems,
    scale_query,
)
from eqlang.data.tables import REQUIRED_COLUMNS, MeasureTable, table_from_text
from eqlang.diagnostics import Collector, Diagnostic, EqlangError, counted, did_you_mean, listed

E_UNREADABLE = "E0901"
E_COLUMN = "E0902"
E_VALUE = "E0903"
E_NUMERATOR = "E0904"
E_DUPLICATE = "E0905"
E_SUM = "E0906"
E_MISSING = "E0907"
E_STRATIFICATION = "E0908"
E_ENGINE = "E0909"
E_TERMS = "E0607"

RESULTS, MEMBERSHIP = "results", "membership"


@attrs.frozen
class MemberFile:
    """One member file as read: its path as shown, what it holds, its digest and size."""

    role: str
    path: str
    real: str = attrs.field(repr=False)
    kind: str
    sha256: str
    rows: int = 0


@attrs.frozen(eq=False)
class Tabulation:
    """A measure table made from member files, with everything the trace records of how."""

    table: MeasureTable
    text: str = attrs.field(repr=False)
    files: tuple[MemberFile, ...]
    engine: str
    engine_version: str
    query: str = attrs.field(repr=False)
    attribution: Attribution
    warnings: tuple[str, ...] = ()

    def trace_fragment(self) -> dict[str, Any]:
        """What a trace records of this tabulation (see docs/trace.schema.json)."""
        return {
            "table": self.table.path,
            "sha256": self.table.sha256,
            "engine": {"name": self.engine, "version": self.engine_version},
            "attribution": self.attribution.to_json(),
            "files": [{"role": f.role, "path": f.path, "sha256": f.sha256, "rows": f.rows}
                      for f in self.files],
            "query": self.query,
        }


def tabulated_name(results: Sequence[str], membership: Sequence[str]) -> str:
    """How diagnostics and traces name the table made from these files."""
    return f"tabulated({', '.join([*results, *membership])})"


def open_engine(name: str = "duckdb", *, master: str | None = None,
                remote: str | None = None, threads: int | None = None,
                memory_limit: str | None = DEFAULT_MEMORY_LIMIT) -> Engine:
    """An engine by name; ``master`` and ``remote`` name a Spark cluster."""
    if name not in ENGINES:
        raise EqlangError(Diagnostic(E_ENGINE, f"there is no engine `{name}`", path="--engine",
                                     hint="use duckdb (the default) or spark"))
    if name != "spark" and (master or remote):
        raise EqlangError(Diagnostic(E_ENGINE, "a Spark master or remote URL names a Spark "
                                     "cluster; add --engine spark", path="--engine",
                                     hint="or drop the URL to tabulate with DuckDB"))
    try:
        if name == "spark":
            return Spark(master=master, remote=remote)
        return DuckDB(threads=threads, memory_limit=memory_limit)
    except EngineError as error:
        raise EqlangError(Diagnostic(E_ENGINE, error.message, path="--engine",
                                     hint=error.hint)) from None


def tabulate(program: Program, results: Sequence[str | os.PathLike[str]],
             membership: Sequence[str | os.PathLike[str]],
             attribution: Attribution | None = None, *,
             engine: Engine | str = "duckdb", display: str | None = None) -> Tabulation:
    """The measure table the member files add up to under the contract's attribution terms
    (by default, when it states none: self-report first, then imputed probabilities
    counted fractionally), or under ``attribution`` where the contract states none or the
    same ones.

    Raises ``EqlangError`` listing every problem in the files, each with its file and row
    or member, or E0607 when ``attribution`` differs from the contract's terms.
    """
    terms = terms_of(program, attribution)
    if isinstance(results, str | bytes) or isinstance(membership, str | bytes):
        raise TypeError("tabulate takes sequences of paths, not a single path")
    collector = Collector()
    files = [_examine(RESULTS, path, collector) for path in results] + \
            [_examine(MEMBERSHIP, path, collector) for path in membership]
    for role, given in ((RESULTS, results), (MEMBERSHIP, membership)):
        if not given:
            collector.add(Diagnostic(E_UNREADABLE, f"no {role} file given", path=f"--{role}",
                                     hint="name the member results with --members and the "
                                     "membership with --membership"))
    if collector:
        raise EqlangError(collector.finish("the member files"))
    examined = [f for f in files if f is not None]
    owned = isinstance(engine, str)
    runner = open_engine(engine) if isinstance(engine, str) else engine
    try:
        return _Tabulator(program, examined, terms, runner,
                          display or tabulated_name([str(p) for p in results],
                                                    [str(p) for p in membership])).run()
    finally:
        if owned:
            runner.close()


def terms_of(program: Program, given: Attribution | None) -> Attribution:
    """The terms a tabulation counts by: the contract's ``attribution`` block, or ``given``
    (``--attribution``, ``--tolerance``) where the contract states none; the default
    without either. Terms given that differ from the contract's are refused (E0607): the
    contract's are the ones signed."""
    stated = program.attribution.terms if program.attribution is not None else None
    if stated is None or given is None or given == stated:
        return given or stated or Attribution()
    raise EqlangError(Diagnostic(
        E_TERMS, f"the contract states its attribution terms ({stated.describe()}), and "
        f"the command line asks for others ({given.describe()})", None,
        path=program.main.source.path,
        hint="the contract's terms are the ones signed, and they apply: drop --attribution "
        "and --tolerance (to see what other terms would give, settle a copy of the contract "
        "with its `attribution` block changed)"))


def _examine(role: str, path: str | os.PathLike[str], collector: Collector) -> MemberFile | None:
    shown = os.fspath(path)
    refusal = formats.regular_file_problem(path, f"{role} file")
    if refusal is None:
        try:
            kind = formats.sniff(path, formats.read_head(path))
            digest = hashlib.sha256()
            with open(path, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
        except OSError as error:
            refusal = formats.Refusal(f"cannot read {role} file: {error.strerror or error}",
                                      "check the path and its permissions")
        else:
            if isinstance(kind, formats.Refusal):
                refusal = kind
            elif os.path.getsize(path) == 0:
                refusal = formats.Refusal(f"the {role} file is empty",
                                          "export it again, with its header row")
            elif kind == formats.XLSX:
                refusal = formats.Refusal(
                    "this is an Excel workbook; member files are CSV or Parquet",
                    "member-level data outgrows a worksheet's 1,048,576 rows: export it as "
                    "Parquet or CSV")
            else:
                engine_kind = PARQUET if kind == formats.PARQUET else CSV
                return MemberFile(role, shown, os.path.abspath(shown), engine_kind,
                                  digest.hexdigest())
    collector.add(Diagnostic(E_UNREADABLE, refusal.message, path=shown, hint=refusal.hint))
    return None


class _Tabulator:
    """One tabulation: registers the files, checks them, aggregates."""

    def __init__(self, program: Program, files: list[MemberFile], terms: Attribution,
                 engine: Engine, display: str) -> None:
        self.program = program
        self.files = files
        self.terms = terms
        self.engine = engine
        self.display = display
        self.collector = Collector()
        self.warnings: list[str] = []
        self.shown = {f.real: f.path for f in files}

    def fail_if_any(self) -> None:
        if self.collector:
            raise EqlangError(self.collector.finish("the member files"))

    def error(self, code: str, message: str, file: str | None, row: int | None,
              hint: str) -> None:
        self.collector.add(Diagnostic(code, message, path=file, line=row, hint=hint))

    def where(self, source_file: Any, source_row: Any) -> tuple[str | None, int | None]:
        if source_file is None:
            return None, None
        real = self.engine.file_of(str(source_file))
        return self.shown.get(real, str(source_file)), (
            int(source_row) if source_row is not None else None)

    def run(self) -> Tabulation:
        kinds = {}
        for role, view, required in ((RESULTS, "results_raw", RESULT_COLUMNS),
                                     (MEMBERSHIP, "membership_raw", MEMBERSHIP_COLUMNS)):
            kinds[role] = self.register(role, view, required)
        self.fail_if_any()
        plan = self.plan(kinds[RESULTS], kinds[MEMBERSHIP])
        self.fail_if_any()
        assert plan is not None
        present = self.engine_rows(_groups_query(plan))
        absent = self.groups(plan, present)
        plan = attrs.evolve(plan, groups=self.tabulated_groups(plan, present))
        query = aggregate_query(plan)
        rows = self.counted(plan, query, present)
        if rows is None:
            self.locate(plan, absent)
            self.fail_if_any()
            rows = [row[:6] for row in self.engine_rows(query)]
        counts = self.row_counts()
        text = _table_text(rows)
        table = table_from_text(text, self.display)
        files = tuple(attrs.evolve(f, rows=counts.get(f.real, 0)) for f in self.files)
        return Tabulation(table, text, files, self.engine.name, self.engine.version,
                          query, self.terms, tuple(self.warnings))

    def engine_rows(self, sql: str) -> list[tuple[Any, ...]]:
        try:
            return self.engine.rows(sql)
        except EngineError as error:
            names = listed(f.path for f in self.files)
            raise EqlangError(Diagnostic(E_UNREADABLE, error.message, path=names,
                                         hint=error.hint)) from None

    def register(self, role: str, view: str, required: tuple[str, ...]) -> dict[str, str]:
        mine = [f for f in self.files if f.role == role]
        kinds = {f.kind for f in mine}
        if len(kinds) > 1:
            self.error(E_UNREADABLE, f"the {role} files mix CSV and Parquet", mine[0].path,
                       None, "give the files of one role in one format")
            return {}
        try:
            columns = self.engine.register(view, [f.real for f in mine], kinds.pop())
        except EngineError as error:
            self.error(E_UNREADABLE, error.message, listed(f.path for f in mine), None,
                       error.hint)
            return {}
        shown = listed(f.path for f in mine)
        (only, *others) = columns or [""]
        for separator, word in ((";", "semicolons"), ("\t", "tabs")):
            if not others and separator in only:
                self.error(E_COLUMN, f"the {role} file's header is one column; the file seems "
                           f"separated by {word}", shown, 1,
                           "member files are comma-separated: export the file as CSV with "
                           "commas, or as Parquet")
                return {}
        for name in required:
            if name in columns:
                continue
            near = did_you_mean(name, [c for c in columns if c not in required])
            self.error(E_COLUMN, f"the {role} file has no column `{name}`", shown, 1,
                       (near + f" Rename the column to `{name}`. ") if near else
                       f"the {role} file needs the columns {', '.join(required)} (in any "
                       "order; others are ignored)")
        for name in required:
            kind = columns.get(name)
            if kind == FLOAT:
                self.error(E_COLUMN, f"column `{name}` of the {role} file holds floating-"
                           "point numbers, which are binary approximations, not the exact "
                           "decimals the file's writer meant", shown, 1,
                           "store it as text or as a decimal type (pyarrow: "
                           "pa.decimal128(9, 6); pandas: a column of decimal.Decimal); 0 "
                           "and 1 as integers")
            elif kind == OTHER and name in ("denominator", "numerator", "probability"):
                self.error(E_COLUMN, f"column `{name}` of the {role} file is not a number "
                           "or text", shown, 1,
                           "write it as text, an integer or a decimal type")
        return columns

    def plan(self, results: dict[str, str], membership: dict[str, str]) -> Plan | None:
        def kind(value: str) -> str:
            return DECIMAL if value.startswith(DECIMAL) else TEXT if value == OTHER else value

        results_kinds = {c: kind(results[c]) for c in RESULT_COLUMNS}
        membership_kinds = {c: kind(membership[c]) for c in MEMBERSHIP_COLUMNS}
        probability = membership["probability"]
        if probability.startswith(DECIMAL):
            scale = int(probability.split(":")[1])
        elif probability == TEXT:
            sql = scale_query(membership_kinds)
            assert sql is not None
            found = self.engine_rows(sql)[0][0]
            scale = int(found) if found is not None else 0
        else:
            scale = 0
        wanted = max(scale, *(-value.as_tuple().exponent for value in (
            self.terms.tolerance, self.terms.threshold) if value is not None))
        if wanted > MAX_SCALE:
            membership_file = next(f.path for f in self.files if f.role == MEMBERSHIP)
            self.error(E_VALUE, f"probabilities (or the tolerance) have {wanted} decimal "
                       f"places; eqlang counts with at most {MAX_SCALE}", membership_file,
                       None, "round the imputation's output (six decimals is usual) and "
                       "state a tolerance for the sums")
            return None
        return Plan(results_kinds, membership_kinds, self.strata(), self.terms, wanted)

    def strata(self) -> tuple[Stratum, ...]:
        found = []
        for name, info in self.program.stratifications.items():
            declared = {info.spellings.get(g, g): g for g in info.groups}
            names = {g: info.spellings.get(g, g) for g in info.groups}
            unknown = self.terms.unknown
            spelled = names.get(unknown, unknown if unknown in declared else None)
            found.append(Stratum(name, spelled))
        return tuple(found)

    def tabulated_groups(self, plan: Plan, present: list[tuple[Any, ...]]) -> tuple[str, ...]:
        """The groups a member may weigh in: the membership's, in the stratifications
        tabulated, and those the terms and the contract count members in."""
        tabulated = {s.name for s in plan.strata}
        found = {group for stratification, group, *_ in present if stratification in tabulated}
        found |= {s.unknown for s in plan.strata if s.unknown}
        if self.terms.imputed == MOST_PROBABLE and self.terms.otherwise is not None:
            found.add(self.terms.otherwise)
        return tuple(sorted(found))

    def counted(self, plan: Plan, query: str, present: list[tuple[Any, ...]]
                ) -> list[tuple[Any, ...]] | None:
        """The table's rows, when one pass over the membership, the aggregation's own pass
        over the results and the search for duplicate results find nothing to report; None
        when the checks must run to locate what they found (or when ``query`` makes the
        table without counting problems)."""
        membership = membership_problems(plan, sorted({group for _, group, *_ in present}))
        if self.collector or not plan.pivoted or membership is None:
            return None
        if self.engine_rows(membership)[0][0]:
            return None
        rows = self.engine_rows(query)
        if any(row[6] for row in rows):
            return None
        duplicates = next(c for c in checks(plan) if c.name == "duplicate_results")
        if self.engine_rows(duplicates.sql):
            return None
        return [row[:6] for row in rows]

    def locate(self, plan: Plan, absent: bool) -> None:
        """Run every check, each problem becoming a diagnostic with its file and row or
        member."""
        problems = {check.name: check for check in checks(plan) if check.name != "groups"}
        for name, check in problems.items():
            if name == "missing" and absent:
                continue  # one message per stratification said it already
            rows = self.engine_rows(check.sql)
            getattr(self, f"_{name}")(rows)

    def groups(self, plan: Plan, rows: list[tuple[Any, ...]]) -> bool:
        """Warn of groups the contract does not declare; report stratifications the
        membership lacks. True when one is missing."""
        present: dict[str, list[tuple[str, Any, Any, int]]] = {}
        for stratification, group, source_file, source_row, members in rows:
            present.setdefault(stratification, []).append((group, source_file, source_row,
                                                           members))
        missing = False
        for stratum in plan.strata:
            if stratum.name in present:
                continue
            missing = True
            file = next(f.path for f in self.files if f.role == MEMBERSHIP)
            near = did_you_mean(stratum.name, present)
            self.error(E_STRATIFICATION, f"the membership has no rows for stratification "
                       f"`{stratum.name}`, which the contract declares", file, None,
                       (near + " The stratification column must name the contract's "
                        "stratification.") if near else
                       "add its rows, with the stratification column naming it" +
                       (f"; the file has {listed(sorted(present))}" if present else ""))
        tabulated = {s.name for s in plan.strata}
        for stratification in sorted(set(present) - tabulated):
            self.warnings.append(f"the membership's stratification `{stratification}` is not "
                                 "one the contract declares; its rows are not tabulated")
        owner: dict[str, str] = {}
        for stratification in sorted(set(present) & tabulated):
            info = self.program.stratifications[stratification]
            declared = [info.spellings.get(g, g) for g in info.groups]
            for group, source_file, source_row, members in present[stratification]:
                if group in owner and owner[group] != stratification:
                    file, row = self.where(source_file, source_row)
                    self.error(E_STRATIFICATION, f"group `{group}` appears in stratifications "
                               f"`{owner[group]}` and `{stratification}`", file, row,
                               "a measure table has one row per group: name the groups of "
                               "each stratification differently")
                owner[group] = stratification
                if group in declared:
                    continue
                file, row = self.where(source_file, source_row)
                near = _close_group(group, declared)
                self.warnings.append(
                    f"{file}{f':{row}' if row else ''}: group `{group}` of stratification "
                    f"`{stratification}` ({counted(members, 'membership row')}) is not declared by "
                    "the contract: "
                    "it is tabulated and the contract ignores it"
                    + (f"; {near}" if near else ""))
        terms = self.terms
        if terms.imputed == MOST_PROBABLE and terms.otherwise is not None:
            for stratum in plan.strata:
                info = self.program.stratifications[stratum.name]
                if terms.otherwise not in [info.spellings.get(g, g) for g in info.groups]:
                    self.warnings.append(f"members below the threshold count in "
                                         f"`{terms.otherwise}`, which stratification "
                                         f"`{stratum.name}` does not declare: the contract "
                                         "ignores them")
        return missing

    # Each check's rows become diagnostics; ``total`` (the last column) counts them all.

    def _more(self, rows: list[tuple[Any, ...]], what: str, code: str) -> None:
        if len(rows) > LISTED:
            total = int(rows[0][-1])
            file, row = self.where(rows[LISTED][0], rows[LISTED][1])
            self.collector.add(Diagnostic(code, f"{total - LISTED:,} more {what} not shown",
                                          path=file, line=row,
                                          hint="fix the problems above and run again to "
                                          "see the rest", problems=total - LISTED))

    def _result_rows(self, rows: list[tuple[Any, ...]]) -> None:
        for (source_file, source_row, member, org, measure, period, denominator_text,
             numerator_text, denominator, numerator, _) in rows[:LISTED]:
            file, row = self.where(source_file, source_row)
            who = _member(member, measure, period)
            for column, value in (("member_id", member), ("org", org),
                                  ("measure", measure), ("period", period)):
                if value is None:
                    self.error(E_VALUE, f"empty `{column}` cell{who}", file, row,
                               f"every member result needs a `{column}`")
            for column, flag, text in (("denominator", denominator, denominator_text),
                                       ("numerator", numerator, numerator_text)):
                if flag is None:
                    self.error(E_VALUE, f"`{column}` is {_shown(text)}{who}; it must be 0 or "
                               "1", file, row, f"write 1 when the member is in the "
                               f"{column}, 0 when not")
            if numerator == 1 and denominator == 0:
                self.error(E_NUMERATOR, f"numerator 1 without denominator 1{who}", file, row,
                           "a member counts in the numerator only when in the denominator: "
                           "set the denominator to 1, or the numerator to 0")
        self._more(rows, "problems in member results", E_VALUE)

    def _duplicate_results(self, rows: list[tuple[Any, ...]]) -> None:
        for source_file, source_row, member, measure, period, copies, _ in rows[:LISTED]:
            file, row = self.where(source_file, source_row)
            self.error(E_DUPLICATE, f"member `{member}` has {copies} rows for measure "
                       f"`{measure}`, period `{period}`", file, row,
                       "each member has one result per measure and period: remove the "
                       "extra rows")
        self._more(rows, "duplicate member results", E_DUPLICATE)

    def _membership_rows(self, rows: list[tuple[Any, ...]]) -> None:
        for (source_file, source_row, member, stratification, group, probability_text,
             probability, source_text, source, _) in rows[:LISTED]:
            file, row = self.where(source_file, source_row)
            who = f" (member `{member}`)" if member is not None else ""
            for column, value in (("member_id", member), ("stratification", stratification),
                                  ("group", group)):
                if value is None:
                    self.error(E_VALUE, f"empty `{column}` cell{who}", file, row,
                               f"every membership row needs a `{column}`")
            if probability is None or probability > 1:
                self.error(E_VALUE, f"probability {_shown(probability_text)}{who} is not a "
                           "probability from 0 to 1", file, row,
                           "write a plain decimal from 0 to 1, such as 0.62 (not a percent)")
            if source not in (SELF_REPORTED, IMPUTED):
                near = did_you_mean(str(source_text or ""), [SELF_REPORTED, IMPUTED])
                self.error(E_VALUE, f"source {_shown(source_text)}{who} is neither "
                           f"`{SELF_REPORTED}` nor `{IMPUTED}`", file, row,
                           near or f"write `{SELF_REPORTED}` or `{IMPUTED}`")
            elif source == SELF_REPORTED and probability is not None and probability != 1:
                self.error(E_VALUE, f"a self-reported group with probability "
                           f"{_shown(probability_text)}{who}", file, row,
                           "a self-reported group is certain: write probability 1, or "
                           "mark the row imputed")
        self._more(rows, "problems in the membership", E_VALUE)

    def _duplicate_membership(self, rows: list[tuple[Any, ...]]) -> None:
        for (source_file, source_row, member, stratification, group, source, copies,
             _) in rows[:LISTED]:
            file, row = self.where(source_file, source_row)
            self.error(E_DUPLICATE, f"member `{member}` has {copies} {source} rows for group "
                       f"`{group}` of `{stratification}`", file, row,
                       "give each member one row per stratification, group and source")
        self._more(rows, "duplicate membership rows", E_DUPLICATE)

    def _sums(self, rows: list[tuple[Any, ...]]) -> None:
        tolerance = self.terms.tolerance
        for (source_file, source_row, member, stratification, reported, imputed_sum,
             _) in rows[:LISTED]:
            file, row = self.where(source_file, source_row)
            if reported > 1:
                self.error(E_SUM, f"member `{member}` has {reported} self-reported groups "
                           f"in `{stratification}`", file, row,
                           "a member reports one group per stratification; keep the one "
                           "reported, or record the rest as imputed")
                continue
            within = f" within {_decimal_text(tolerance)}" if tolerance else ""
            self.error(E_SUM, f"the imputed probabilities of member `{member}` in "
                       f"`{stratification}` sum to {_decimal_text(imputed_sum)}, not 1"
                       f"{within}", file, row,
                       "each member's imputed probabilities sum to 1; if they were rounded, "
                       "state how far the sums may be off (--tolerance 0.00001)"
                       if not tolerance else "check the imputation output for this member")
        self._more(rows, "members whose probabilities do not sum to 1", E_SUM)

    def _missing(self, rows: list[tuple[Any, ...]]) -> None:
        for source_file, source_row, member, stratification, _ in rows[:LISTED]:
            file, row = self.where(source_file, source_row)
            self.error(E_MISSING, f"member `{member}` has results but no membership in "
                       f"`{stratification}`", file, row,
                       f"add the member's membership rows; or declare a group "
                       f"`{self.terms.unknown}` in stratification `{stratification}`, where "
                       "members without membership are then counted")
        self._more(rows, "members without membership", E_MISSING)

    def row_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for view in ("results_raw", "membership_raw"):
            for source_file, rows in self.engine_rows(
                    f"SELECT source_file, count(*) FROM {view} GROUP BY source_file"):
                counts[self.engine.file_of(str(source_file))] = int(rows)
        return counts


def _groups_query(plan: Plan) -> str:
    return next(c.sql for c in checks(plan) if c.name == "groups")


def _close_group(group: str, declared: list[str]) -> str | None:
    """A declared group an undeclared one may stand for: one whose name begins it (`Black`
    for `Black or African American`), or a near spelling; never for an abbreviation such
    as AIAN, which only looks like `Asian`."""
    first = re.split(r"[\W_]+", group.casefold(), maxsplit=1)[0]
    starts = [name for name in declared if name.casefold() == first]
    if starts:
        return f"did you mean `{starts[0]}`?"
    if group.isupper():
        return None
    return did_you_mean(group, declared)


def _member(member: Any, measure: Any, period: Any) -> str:
    parts = [f"member `{member}`" if member is not None else None,
             f"measure `{measure}`" if measure is not None else None,
             f"period `{period}`" if period is not None else None]
    shown = ", ".join(p for p in parts if p)
    return f" ({shown})" if shown else ""


def _shown(value: Any) -> str:
    if value is None:
        return "empty"
    text = str(value)
    text = text if len(text) <= 40 else text[:37] + "..."
    return repr(text) if any(ch < " " for ch in text) else f"`{text}`"


def _key(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value)).strip()


def _table_text(rows: list[tuple[Any, ...]]) -> str:
    """The measure table as CSV text, sorted, counts exact and without trailing zeros."""
    records = sorted((_key(org), _key(measure), _key(group), _key(period),
                      _decimal_text(numerator), _decimal_text(denominator))
                     for org, measure, group, period, numerator, denominator in rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REQUIRED_COLUMNS)
    writer.writerows(records)
    return out.getvalue()


# ---- writing ---------------------------------------------------------------------------

def table_bytes(tabulation: Tabulation, path: str | Path) -> bytes:
    """The table as a file named ``path`` holds it: Parquet for ``.parquet``, else CSV."""
    if str(path).lower().endswith(".parquet"):
        return _parquet(tabulation)
    return tabulation.text.encode("utf-8")


def _parquet(tabulation: Tabulation) -> bytes:
    """The table as Parquet: keys as strings, counts as exact decimals of one scale."""
    from decimal import Decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = tabulation.table.rows
    scale = max((max(0, -r.numerator.as_tuple().exponent, -r.denominator.as_tuple().exponent)
                 for r in rows), default=0)
    number = pa.decimal128(38, scale)
    quantum = Decimal(1).scaleb(-scale)
    columns = {
        "org": pa.array([r.org for r in rows], pa.string()),
        "measure": pa.array([r.measure for r in rows], pa.string()),
        "group": pa.array([r.group for r in rows], pa.string()),
        "period": pa.array([r.period for r in rows], pa.string()),
        "numerator": pa.array([r.numerator.quantize(quantum) for r in rows], number),
        "denominator": pa.array([r.denominator.quantize(quantum) for r in rows], number),
    }
    sink = io.BytesIO()
    pq.write_table(pa.table(columns), sink)
    return sink.getvalue()


def write_table(tabulation: Tabulation, path: str | Path) -> None:
    """Write the table to ``path`` whole or not at all (through a temporary file and a
    rename); a path that exists and is not a regular file (a device, a pipe) is refused,
    never replaced."""
    import stat
    import tempfile

    target = Path(path)
    data = table_bytes(tabulation, target)
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        raise OSError(f"cannot write {path}: it exists and is not a regular file")
    directory = target.parent if str(target.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                         dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, stat.S_IMODE(mode) if mode is not None else 0o666 & ~umask)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
