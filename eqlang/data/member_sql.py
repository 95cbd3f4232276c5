"""The one definition of the member-level queries: takes what is known of the member files
(their column kinds, the stratifications to tabulate, the attribution terms, the decimal
scale of the probabilities), gives SQL text in DuckDB's dialect.

Every engine runs exactly this text: DuckDB as it is, Spark after ``sqlglot`` transpiles it
(``for_spark``). Each query reads two views the engine provides, ``results_raw`` and
``membership_raw``, holding the files' own columns plus ``source_file`` (the file a row came
from) and ``source_row`` (its row number counting the header as row 1, where the engine
knows it, else NULL).

Counts are decimals of one type, ``DECIMAL(18, scale)``, never floating point: each
member's flags (0 or 1) select their weight, and weights are summed exactly; an engine
that cannot hold a sum fails (Spark's ANSI mode) rather than rounding it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from decimal import Decimal

import attrs

from eqlang.data.attribution import MOST_PROBABLE, Attribution

RESULT_COLUMNS = ("member_id", "org", "measure", "period", "denominator", "numerator")
MEMBERSHIP_COLUMNS = ("member_id", "stratification", "group", "probability", "source")
OPTIONAL_MEMBERSHIP = ("method",)

SELF_REPORTED = "self-reported"
IMPUTED = "imputed"

#: The widest scale a probability may have: DECIMAL(18, 17) still holds 1.
MAX_SCALE = 17

#: The kinds of column the queries tell apart (an engine maps its own types onto them).
TEXT, INTEGER, BOOLEAN, DECIMAL = "text", "integer", "boolean", "decimal"

#: At most this many problems of one kind are listed; one more shows that there are more.
LISTED = 50

#: At most this many groups get a column each in the measure table's query, and a bit each
#: (two: one per source) in a word of 62 when the membership is checked in one pass.
PIVOTED = 31


@attrs.frozen
class Stratum:
    """A stratification to tabulate, and its group for members without membership (if it
    declares one)."""

    name: str
    unknown: str | None


@attrs.frozen
class Plan:
    """Everything the query text depends on."""

    results: dict[str, str]  # column -> kind
    membership: dict[str, str]
    strata: tuple[Stratum, ...]
    attribution: Attribution
    scale: int
    #: The groups a member may weigh in, as the membership and the terms name them (the
    #: tabulated stratifications' groups, their unknown groups, the terms' `otherwise`).
    groups: tuple[str, ...] = ()

    @property
    def number(self) -> str:
        """The type of a count: room for 18 digits."""
        return f"DECIMAL(18, {self.scale})"

    @property
    def weight(self) -> str:
        """The type of a probability, one digit before the point: narrow enough that
        DuckDB adds millions of them in machine integers, and a sum that could overflow
        those is still exact (a DECIMAL of 38 digits)."""
        return f"DECIMAL({self.scale + 1}, {self.scale})"


    @property
    def pivoted(self) -> bool:
        """Whether the measure table is made with a column per group (``aggregate_query``);
        beyond PIVOTED groups the query joins a row per member and group instead."""
        return len(self.groups) <= PIVOTED

    @property
    def member_weight(self) -> str:
        """The type of one member's weight in one group: a group may be the unknown or
        `otherwise` group of several stratifications, each adding at most 1."""
        return f"DECIMAL({self.scale + len(str(len(self.strata)))}, {self.scale})"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: Decimal, plan: Plan, kind: str | None = None) -> str:
    return f"CAST({_quote(format(value, 'f'))} AS {kind or plan.weight})"


def _key(column: str, kind: str) -> str:
    """A key column as trimmed text; empty text is NULL, so one test finds both."""
    text = _ident(column) if kind == TEXT else f"CAST({_ident(column)} AS VARCHAR)"
    return f"NULLIF(trim({text}), '')"


def _member(plan: Plan, kind: str) -> str:
    # Member ids are identifiers, compared exactly as written (spaces included: trimming
    # every id would cost a fifth of the aggregation); both files' as they are when of one
    # kind, as text otherwise.
    if kind == TEXT:
        return "NULLIF(member_id, '')"
    if plan.results["member_id"] == plan.membership["member_id"]:
        return "member_id"
    return "CAST(member_id AS VARCHAR)"


def _flag(column: str, kind: str) -> str:
    """A 0-or-1 column as the integer 0 or 1, or NULL for anything else."""
    name = _ident(column)
    if kind == TEXT:
        return f"CASE trim({name}) WHEN '1' THEN 1 WHEN '0' THEN 0 END"
    if kind == BOOLEAN:
        return f"CASE WHEN {name} THEN 1 WHEN NOT {name} THEN 0 END"
    return f"CASE WHEN {name} = 1 THEN 1 WHEN {name} = 0 THEN 0 END"


def _probability(plan: Plan) -> str:
    kind = plan.membership["probability"]
    if kind == TEXT:
        # A plain decimal only: no sign, exponent or spaces inside; the scale is at least
        # that of every such value (``scale_query``), so the cast never rounds.
        return (f"CASE WHEN regexp_matches(trim(probability), '^[0-9]+([.][0-9]+)?$') "
                f"THEN TRY_CAST(trim(probability) AS {plan.weight}) END")
    return f"TRY_CAST(probability AS {plan.weight})"


def _views(plan: Plan) -> str:
    """The typed views every query starts from."""
    results = plan.results
    membership = plan.membership
    strata = ", ".join(f"({_quote(s.name)}, {_quote(s.unknown) if s.unknown else 'NULL'})"
                       for s in plan.strata)
    return f"""results AS (
  SELECT {_member(plan, results['member_id'])} AS member_id,
         {_key('org', results['org'])} AS org,
         {_key('measure', results['measure'])} AS measure,
         {_key('period', results['period'])} AS period,
         {_flag('denominator', results['denominator'])} AS denominator,
         {_flag('numerator', results['numerator'])} AS numerator,
         CAST(denominator AS VARCHAR) AS denominator_text,
         CAST(numerator AS VARCHAR) AS numerator_text,
         source_file, source_row
  FROM results_raw
),
membership AS (
  SELECT {_member(plan, membership['member_id'])} AS member_id,
         {_key('stratification', membership['stratification'])} AS stratification,
         {_key('group', membership['group'])} AS grp,
         {_probability(plan)} AS probability,
         {_key('source', membership['source'])} AS source,
         CAST(probability AS VARCHAR) AS probability_text,
         CAST(source AS VARCHAR) AS source_text,
         source_file, source_row
  FROM membership_raw
),
strata AS (
  SELECT * FROM (VALUES {strata}) AS s(stratification, unknown_group)
)"""


def _weights(plan: Plan) -> str:
    """Each member's weight in each group of each stratification tabulated."""
    one = _literal(Decimal(1), plan)
    terms = plan.attribution
    chosen = f"""chosen AS (
  SELECT m.member_id, m.stratification, m.grp, m.probability, m.source
  FROM membership m JOIN strata s ON m.stratification = s.stratification
),
reported AS (
  SELECT member_id, stratification, grp, {one} AS weight
  FROM chosen WHERE source = {_quote(SELF_REPORTED)}
),
imputed AS (
  SELECT c.member_id, c.stratification, c.grp, c.probability
  FROM chosen c
  WHERE c.source = {_quote(IMPUTED)} AND NOT EXISTS (
    SELECT 1 FROM reported r
    WHERE r.member_id = c.member_id AND r.stratification = c.stratification)
),"""
    if terms.imputed == MOST_PROBABLE:
        assert terms.threshold is not None and terms.otherwise is not None
        inferred = f"""tops AS (
  SELECT member_id, stratification, max(probability) AS top
  FROM imputed GROUP BY member_id, stratification
),
best AS (
  SELECT i.member_id, i.stratification, min(i.grp) AS grp, count(*) AS tied, max(t.top) AS top
  FROM imputed i JOIN tops t
    ON i.member_id = t.member_id AND i.stratification = t.stratification
   AND i.probability = t.top
  GROUP BY i.member_id, i.stratification
),
inferred AS (
  SELECT member_id, stratification,
         CASE WHEN tied = 1 AND top >= {_literal(terms.threshold, plan)} THEN grp
              ELSE {_quote(terms.otherwise)} END AS grp,
         {one} AS weight
  FROM best
),"""
    else:
        inferred = """inferred AS (
  SELECT member_id, stratification, grp, probability AS weight
  FROM imputed WHERE probability > 0
),"""
    # Members without membership count in an Unknown group only where a stratification
    # declares one; otherwise they are an error, found before the counts are made, and
    # looking for them again would cost a pass over the results.
    unknown = f"""
  UNION ALL
  SELECT member_id, unknown_group AS grp, {one} AS weight
  FROM missing WHERE unknown_group IS NOT NULL""" if any(s.unknown for s in plan.strata) else ""
    return f"""{chosen}
{inferred}
members AS (
  SELECT DISTINCT member_id FROM results
),
missing AS (
  SELECT r.member_id, s.stratification, s.unknown_group
  FROM members r CROSS JOIN strata s
  WHERE NOT EXISTS (
    SELECT 1 FROM chosen c
    WHERE c.member_id = r.member_id AND c.stratification = s.stratification)
),
weighed AS (
  SELECT member_id, stratification, grp, weight FROM reported
  UNION ALL
  SELECT member_id, stratification, grp, weight FROM inferred
),
weights AS (
  SELECT member_id, grp, weight FROM weighed{unknown}
)"""


def _tally(plan: Plan) -> str:
    """The member results with their keys as written (compared trimmed only once grouped)
    and their flags as 0, 1 or NULL."""
    results = plan.results
    keys = {name: _ident(name) if results[name] == TEXT else f"CAST({_ident(name)} AS VARCHAR)"
            for name in ("org", "measure", "period")}
    return f"""(
    SELECT {_member(plan, results['member_id'])} AS member_id,
           {keys['org']} AS org, {keys['measure']} AS measure, {keys['period']} AS period,
           {_flag('denominator', results['denominator'])} AS denominator,
           {_flag('numerator', results['numerator'])} AS numerator
    FROM results_raw
  )"""


def _joined_query(plan: Plan) -> str:
    """The measure table: one row per organization, measure, group and period, with the
    group's weighted numerator and denominator, and an ALL row counting every member once.

    It runs once the checks found nothing: every key is there and every flag 0 or 1. So the
    member results are grouped by their keys as written, and the few groups are then put
    together by the keys as compared (trimmed), rather than trimming every row. Each row
    of weights is joined to each of the member's results: the query for many groups."""
    zero = _literal(Decimal(0), plan)
    # The member results are read twice, once per branch, as a subquery each: named once
    # and used twice, DuckDB would keep every row of them between the two.
    tally = _tally(plan)
    return f"""WITH {_views(plan)},
{_weights(plan)},
counts AS (
  SELECT r.org, r.measure, w.grp, r.period,
         sum(CASE WHEN r.numerator = 1 THEN w.weight ELSE {zero} END) AS numerator,
         sum(CASE WHEN r.denominator = 1 THEN w.weight ELSE {zero} END) AS denominator
  FROM {tally} AS r JOIN weights w ON r.member_id = w.member_id
  GROUP BY r.org, r.measure, w.grp, r.period
  UNION ALL
  SELECT org, measure, 'ALL' AS grp, period,
         CAST(sum(numerator) AS {plan.number}) AS numerator,
         CAST(sum(denominator) AS {plan.number}) AS denominator
  FROM {tally} AS a
  GROUP BY org, measure, period
)
SELECT trim(org) AS org, trim(measure) AS measure, grp AS "group", trim(period) AS period,
       sum(numerator) AS numerator, sum(denominator) AS denominator, 0 AS problems
FROM counts
GROUP BY trim(org), trim(measure), grp, trim(period)"""


def aggregate_query(plan: Plan) -> str:
    """The measure table, one row per organization, measure, group and period, with the
    group's weighted numerator and denominator and an ALL row counting every member once;
    and beside each row, ``problems``: how many member results the checks would report.

    It runs once the membership is known to be valid, before the member results are
    checked, and reads them once: each member's weights become one row with a column per
    group, joined to each of their results, and the few sums per organization, measure
    and period are then turned back into a row per group. The same pass counts what
    ``checks`` would find in the results (a bad cell, a numerator without a denominator, a
    member without membership where no unknown group counts them) except duplicates; only
    a count above zero makes those checks run. Beyond PIVOTED groups it is
    ``_joined_query``, which counts nothing: the checks run before it."""
    if not plan.pivoted:
        return _joined_query(plan)
    zero = _literal(Decimal(0), plan, plan.member_weight)
    one = _literal(Decimal(1), plan, plan.member_weight)
    columns = {group: f"w{number}" for number, group in enumerate(plan.groups)}
    # A member has membership in a stratification when they weigh in one of its groups: in
    # a valid membership every member with rows there does (self-reported, or imputed
    # probabilities summing to at least 1 minus a tolerance below 1, so one is above 0).
    has = {stratum.name: f"has{number}" for number, stratum in enumerate(plan.strata)}
    member = [
        *(f"max(CASE WHEN stratification = {_quote(name)} THEN 1 END) AS {column}"
          for name, column in has.items()),
        *(f"CAST(sum(weight) FILTER (WHERE grp = {_quote(group)}) AS {plan.member_weight}) "
          f"AS {column}" for group, column in columns.items())]
    weights = []
    for group, column in columns.items():
        # A member without membership in a stratification weighs 1 in its unknown group.
        absent = [f"p.{has[s.name]} IS NULL" for s in plan.strata if s.unknown == group]
        if absent:
            added = "".join(f" + CASE WHEN {test} THEN {one} ELSE {zero} END" for test in absent)
            weights.append(f"CASE WHEN {' OR '.join(absent)} THEN CAST(coalesce(p.{column}, "
                           f"{zero}){added} AS {plan.member_weight}) ELSE p.{column} END "
                           f"AS {column}")
        else:
            weights.append(f"p.{column}")
    # A group's sums are NULL where no member weighs in it, as no row would be.
    sums = [f"sum(CASE WHEN numerator = 1 THEN {column} WHEN {column} IS NOT NULL THEN {zero} "
            f"END) AS n_{column},\n"
            f"         sum(CASE WHEN denominator = 1 THEN {column} WHEN {column} IS NOT NULL "
            f"THEN {zero} END) AS d_{column}" for column in columns.values()]
    unlisted = [f"p.{has[s.name]} IS NULL" for s in plan.strata if not s.unknown]
    bad = ["r.member_id IS NULL", "r.denominator IS NULL", "r.numerator IS NULL",
           "r.numerator > r.denominator", *unlisted]
    rows = [f"SELECT org, measure, {_quote(group)} AS grp, period, n_{column} AS numerator, "
            f"d_{column} AS denominator, 0 AS problems FROM counts WHERE d_{column} IS NOT NULL"
            for group, column in columns.items()]
    # A key that is empty once trimmed is a problem of every result in its group.
    rows.append("""SELECT org, measure, 'ALL' AS grp, period, numerator, denominator,
         problems + CASE WHEN NULLIF(trim(org), '') IS NULL OR NULLIF(trim(measure), '') IS NULL
                          OR NULLIF(trim(period), '') IS NULL THEN results ELSE 0 END
           AS problems
  FROM counts""")
    between = ",\n         "
    return f"""WITH {_views(plan)},
{_weights(plan)},
per_member AS (
  SELECT member_id,
         {between.join(member)}
  FROM weighed GROUP BY member_id
),
joined AS (
  SELECT r.org, r.measure, r.period, r.numerator, r.denominator,
         {between.join([*weights, f"CASE WHEN {' OR '.join(bad)} THEN 1 ELSE 0 END AS bad"])}
  FROM {_tally(plan)} AS r LEFT JOIN per_member p ON r.member_id = p.member_id
),
counts AS (
  SELECT org, measure, period,
         {between.join([*sums, ""])}CAST(sum(numerator) AS {plan.number}) AS numerator,
         CAST(sum(denominator) AS {plan.number}) AS denominator,
         sum(bad) AS problems, count(*) AS results
  FROM joined
  GROUP BY org, measure, period
),
flat AS (
  {(chr(10) + "  UNION ALL" + chr(10) + "  ").join(rows)}
)
SELECT trim(org) AS org, trim(measure) AS measure, grp AS "group", trim(period) AS period,
       sum(numerator) AS numerator, sum(denominator) AS denominator,
       sum(problems) AS problems
FROM flat
GROUP BY trim(org), trim(measure), grp, trim(period)"""


def scale_query(membership: dict[str, str]) -> str | None:
    """The most decimal places any well-formed probability written as text has; None when
    the column is not text (its type fixes the scale)."""
    if membership.get("probability") != TEXT:
        return None
    return """SELECT max(length(p) - strpos(p, '.')) FROM (
  SELECT trim(probability) AS p FROM membership_raw
  WHERE regexp_matches(trim(probability), '^[0-9]+[.][0-9]+$')
) AS t"""


@attrs.frozen
class Check:
    """One validation query: the rows it returns are problems, each located by
    ``source_file`` and ``source_row`` or by the member it concerns."""

    name: str
    sql: str


def _listed(select: str, where: str, order: str) -> str:
    """Problem rows, the first LISTED + 1 of them in a fixed order, each with the total."""
    return (f"SELECT * FROM (SELECT {select}, count(*) OVER () AS total FROM {where}) AS p "
            f"ORDER BY {order} LIMIT {LISTED + 1}")


def _bad_membership(plan: Plan) -> str:
    """A membership row with a bad cell."""
    one = _literal(Decimal(1), plan)
    return ("member_id IS NULL OR stratification IS NULL OR grp IS NULL OR "
            f"probability IS NULL OR probability > {one} OR source IS NULL OR "
            f"source NOT IN ({_quote(SELF_REPORTED)}, {_quote(IMPUTED)}) OR "
            f"(source = {_quote(SELF_REPORTED)} AND probability <> {one})")


def membership_problems(plan: Plan, groups: Sequence[str]) -> str | None:
    """One pass over the membership, grouped by member and stratification, counting the
    members in whom the membership checks of ``checks`` would find something: a bad cell,
    a group given twice by one source, two self-reported groups, imputed probabilities not
    summing to 1. Zero means those checks would find nothing; only a count above zero makes
    them run. ``groups`` are every group the membership names: each group and source gets
    a bit, and a member with fewer bits than rows has one twice. None when there are more
    than PIVOTED groups (a word's bits): then the checks run."""
    if len(groups) > PIVOTED:
        return None
    tolerance = plan.attribution.tolerance
    low = _literal(Decimal(1) - tolerance, plan)
    high = _literal(Decimal(1) + tolerance, plan)
    number = " ".join(f"WHEN {_quote(group)} THEN {2 * index}"
                      for index, group in enumerate(groups))
    bit = (f"CAST(1 AS BIGINT) << CAST((CASE grp {number} END) + "
           f"CASE WHEN source = {_quote(IMPUTED)} THEN 1 ELSE 0 END AS INTEGER)")
    return f"""WITH {_views(plan)}
SELECT count(*) FROM (
  SELECT count(*) FILTER (WHERE {_bad_membership(plan)}) AS bad,
         count(*) AS given, bit_count(bit_or({bit})) AS distinct_given,
         count(*) FILTER (WHERE source = {_quote(SELF_REPORTED)}) AS reported,
         sum(probability) FILTER (WHERE source = {_quote(IMPUTED)}) AS imputed_sum
  FROM membership GROUP BY member_id, stratification
) AS m
WHERE bad > 0 OR given > distinct_given OR reported > 1 OR imputed_sum < {low}
   OR imputed_sum > {high}"""


def checks(plan: Plan) -> tuple[Check, ...]:
    """Every validation, each a query whose rows are the problems it finds (none: valid)."""
    views = f"WITH {_views(plan)},\n{_weights(plan)}\n"
    tolerance = plan.attribution.tolerance
    low = _literal(Decimal(1) - tolerance, plan)
    high = _literal(Decimal(1) + tolerance, plan)
    one = _literal(Decimal(1), plan)
    found = [
        Check("result_rows", views + _listed(
            "source_file, source_row, member_id, org, measure, period, denominator_text, "
            "numerator_text, denominator, numerator",
            "results WHERE member_id IS NULL OR org IS NULL OR measure IS NULL OR "
            "period IS NULL OR denominator IS NULL OR numerator IS NULL OR "
            "numerator > denominator",
            "source_file, source_row, member_id, measure, period")),
        # Members with two results for one measure and period are found cheaply first:
        # each measure-period pair (few, in any file) gets a bit, and a member whose bits
        # number fewer than their rows has a pair twice. Grouping by member makes a table
        # forty times smaller than grouping by member, measure and period would. Only those
        # members' rows are then compared exactly.
        Check("duplicate_results", views.rstrip() + f""",
pairs AS (
  SELECT measure, period, CAST((k - k % 62) / 62 AS BIGINT) AS word,
         CAST(1 AS BIGINT) << CAST(k % 62 AS INTEGER) AS mask
  FROM (SELECT measure, period,
               dense_rank() OVER (ORDER BY {_key('measure', plan.results['measure'])},
                                           {_key('period', plan.results['period'])}) - 1 AS k
        FROM (SELECT DISTINCT measure, period FROM results_raw) AS d) AS ranked
),
doubled AS (
  SELECT r.member_id FROM results_raw r
  JOIN pairs p ON r.measure = p.measure AND r.period = p.period
  GROUP BY r.member_id, p.word HAVING bit_count(bit_or(p.mask)) < count(*)
)
""" + _listed(
            "min(source_file) AS source_file, min(source_row) AS source_row, member_id, "
            "measure, period, count(*) AS copies",
            "(SELECT r.* FROM results r JOIN (SELECT DISTINCT member_id FROM doubled) AS d "
            "ON r.member_id = d.member_id) AS twice "
            "WHERE measure IS NOT NULL AND period IS NOT NULL "
            "GROUP BY member_id, measure, period HAVING count(*) > 1",
            "source_file, source_row, member_id, measure, period")),
        Check("membership_rows", views + _listed(
            "source_file, source_row, member_id, stratification, grp, probability_text, "
            "probability, source_text, source",
            f"membership WHERE {_bad_membership(plan)}",
            "source_file, source_row, member_id, stratification, grp")),
        Check("duplicate_membership", views + _listed(
            "min(source_file) AS source_file, min(source_row) AS source_row, member_id, "
            "stratification, grp, source, count(*) AS copies",
            "membership WHERE member_id IS NOT NULL AND stratification IS NOT NULL AND "
            "grp IS NOT NULL AND source IS NOT NULL "
            "GROUP BY member_id, stratification, grp, source "
            "HAVING count(*) > 1",
            "source_file, source_row, member_id, stratification, grp")),
        Check("sums", views + _listed(
            "min(source_file) AS source_file, min(source_row) AS source_row, member_id, "
            "stratification, "
            f"count(*) FILTER (WHERE source = {_quote(SELF_REPORTED)}) AS reported, "
            f"sum(probability) FILTER (WHERE source = {_quote(IMPUTED)}) AS imputed_sum",
            "membership WHERE member_id IS NOT NULL AND stratification IS NOT NULL "
            f"AND source IN ({_quote(SELF_REPORTED)}, {_quote(IMPUTED)}) "
            # A member with an unreadable probability is reported for it alone.
            "GROUP BY member_id, stratification HAVING "
            f"sum(CASE WHEN probability IS NULL OR probability > {one} THEN 1 ELSE 0 END) = 0"
            f" AND (count(*) FILTER (WHERE source = {_quote(SELF_REPORTED)}) > 1 OR "
            f"sum(probability) FILTER (WHERE source = {_quote(IMPUTED)}) < {low} OR "
            f"sum(probability) FILTER (WHERE source = {_quote(IMPUTED)}) > {high})",
            "source_file, source_row, member_id, stratification")),
        Check("missing", views + _listed(
            "min(r.source_file) AS source_file, min(r.source_row) AS source_row, "
            "m.member_id, m.stratification",
            "missing m JOIN results r ON r.member_id = m.member_id "
            "WHERE m.unknown_group IS NULL GROUP BY m.member_id, m.stratification",
            "source_file, source_row, member_id, stratification")),
        Check("groups", views +
              "SELECT stratification, grp, min(source_file) AS source_file, "
              "min(source_row) AS source_row, count(*) AS members FROM membership "
              "WHERE stratification IS NOT NULL AND grp IS NOT NULL "
              "GROUP BY stratification, grp ORDER BY stratification, grp"),
    ]
    return tuple(found)


@functools.lru_cache(maxsize=64)
def for_spark(sql: str) -> str:
    """The same query in Spark SQL."""
    import sqlglot

    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]

