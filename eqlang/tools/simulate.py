"""Payout ranges under sampling noise: takes a contract, the observed measure tables, a
method, a number of draws and a seed, gives each draw as a lane (``eqlang.tools.lanes``)
and, once the lanes are settled, the distribution of the headline output per organization
and in total (``eqlang simulate``).

Each draw redraws the numerator of every group's row (not ``ALL``) given its denominator:

- ``binomial``: ``x ~ Binomial(N, p)`` with ``N`` the denominator rounded to a whole number
  of members and ``p`` the observed rate; the drawn numerator is ``x / N`` times the
  denominator (so a fractional, imputed denominator keeps its size).
- ``beta-binomial``: first ``p ~ Beta(a + k, b + N - k)``, the rate's posterior under a
  ``Beta(a, b)`` prior given ``k = p_observed × N`` successes (the prior is stated with
  ``--prior``, Jeffreys' ``0.5,0.5`` by default), then ``x ~ Binomial(N, p)``: the
  posterior predictive, which adds the uncertainty of the rate itself.

An organization's ``ALL`` row moves with its groups: its numerator changes by the sum of
the changes of its groups' numerators (members in no group row keep their count).
Draws come from numpy's ``Generator`` (PCG64) seeded with the seed, in blocks of 1,000
draws, each block for all its draws and all rows at once in the order of the rows' keys
(the rates first, for beta-binomial), so the same seed gives the same draws.
Summary statistics (mean, percentiles) are computed in float64 from the settled values:
the simulation is an estimate, never a settlement.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import attrs
import numpy as np

from eqlang.backends.derivation import Settlement
from eqlang.core.program import Program
from eqlang.core.values import NotScored, Quantity, Value, display, exact_text
from eqlang.data.tables import Row, TableSet
from eqlang.tools.lanes import Cell, Drawn, Lane, Settled

METHODS = ("binomial", "beta-binomial")
JEFFREYS = (0.5, 0.5)


@attrs.frozen
class Method:
    """How draws are made: ``kind`` one of ``METHODS``, the Beta prior (a, b) for
    beta-binomial, the number of draws and the seed."""

    kind: str
    draws: int
    seed: int
    prior: tuple[float, float] = JEFFREYS

    def describe(self) -> str:
        if self.kind == "binomial":
            what = ("binomial: each group's numerator drawn given its denominator (rounded "
                    "to whole members) and its observed rate")
        else:
            a, b = self.prior
            what = (f"beta-binomial with a Beta({a:g}, {b:g}) prior: each group's rate drawn "
                    "from its posterior given the observed counts, then its numerator given "
                    "its denominator")
        return f"{self.draws:,} draws, seed {self.seed}; {what}; ALL rows move with their groups"

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"method": self.kind, "draws": self.draws, "seed": self.seed}
        if self.kind == "beta-binomial":
            data["prior"] = {"a": self.prior[0], "b": self.prior[1]}
        return data


def drawn_rows(program: Program, tables: TableSet, organizations: Sequence[str]) -> list[Row]:
    """The rows whose numerators are drawn: every group's row (not ALL) of the contract's
    measures and periods for the organizations settled, in key order."""
    measures = set(program.contract_measures)
    periods = set(program.periods.values())
    chosen = set(organizations)
    rows = [row for table in tables.tables for row in table.rows
            if row.group != "ALL" and row.measure in measures and row.period in periods
            and row.org in chosen]
    return sorted(rows, key=lambda r: r.key)


#: The most members a row is drawn with (see ``draw``).
MOST_MEMBERS = 1e15

#: Draws made together: each block draws its rates (beta-binomial) and then its counts for
#: all its draws and rows at once; memory stays bounded however many draws are asked for.
BLOCK = 1000


def draw(rows: Sequence[Row], method: Method) -> Iterator[np.ndarray]:
    """Drawn numerators as shares of whole members, ``x / N`` (the observed rate where
    ``N`` is 0), block by block: arrays of (draws in the block, rows)."""
    generator = np.random.Generator(np.random.PCG64(method.seed))
    denominators = np.array([float(r.denominator) for r in rows])
    numerators = np.array([float(r.numerator) for r in rows])
    # Past 10^15 members a rate's spread is far below any cent; int64 would overflow.
    members = np.rint(np.minimum(denominators, MOST_MEMBERS)).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = np.where(denominators > 0, numerators / denominators, 0.0)
    observed = np.clip(observed, 0.0, 1.0)
    for start in range(0, method.draws, BLOCK):
        shape = (min(BLOCK, method.draws - start), len(rows))
        if method.kind == "beta-binomial":
            a, b = method.prior
            successes = observed * members
            rates = generator.beta(a + successes, b + members - successes, size=shape)
        else:
            rates = np.broadcast_to(observed, shape)
        drawn = generator.binomial(members, rates, size=shape)
        yield np.where(members > 0, drawn / np.maximum(members, 1), observed)


def lanes(program: Program, tables: TableSet, organizations: Sequence[str], method: Method
          ) -> Iterator[Lane]:
    """One lane per draw, the drawn counts exact decimals, made as they are settled."""
    rows = drawn_rows(program, tables, organizations)
    number = 0
    for block in draw(rows, method):
        for shares in block:
            number += 1
            yield _lane(number, rows, shares, tables)


def _lane(number: int, rows: Sequence[Row], shares: np.ndarray, tables: TableSet) -> Lane:
    cells: dict[Cell, tuple[Decimal, Decimal]] = {}
    moved: dict[Cell, Decimal] = {}
    with decimal.localcontext(prec=34):
        for row, share in zip(rows, shares, strict=True):
            numerator = Decimal(repr(float(share))) * row.denominator
            numerator = min(max(numerator, Decimal(0)), row.denominator)
            cells[row.key] = (numerator, row.denominator)
            whole = (row.org, row.measure, "ALL", row.period)
            moved[whole] = moved.get(whole, Decimal(0)) + numerator - row.numerator
        for whole, change in moved.items():
            row_all = tables.lookup(*whole)
            if row_all is None:
                continue
            numerator = min(max(row_all.numerator + change, Decimal(0)), row_all.denominator)
            cells[whole] = (numerator, row_all.denominator)
    return Lane(f"draw {number}", {}, cells)


def drawn_numerators(program: Program, tables: TableSet, organizations: Sequence[str],
                     method: Method) -> tuple[list[Row], Iterator[np.ndarray]]:
    """The draws as float numerators, block by block, as ``lanes`` makes them one lane at
    a time (the same draws, the same ALL rows): the rows whose counts change (every
    group's, then the ALL rows they move) and, per block, an array of (draws, rows)."""
    groups = drawn_rows(program, tables, organizations)
    wholes: list[Row] = []
    where: dict[tuple[str, str, str, str], int] = {}
    moves = []
    for column, row in enumerate(groups):
        whole = (row.org, row.measure, "ALL", row.period)
        if whole not in where:
            row_all = tables.lookup(*whole)
            if row_all is None:
                continue
            where[whole] = len(wholes)
            wholes.append(row_all)
        moves.append((column, where[whole]))
    denominators = np.array([float(r.denominator) for r in groups])
    observed = np.array([float(r.numerator) for r in groups])
    all_denominators = np.array([float(r.denominator) for r in wholes])
    all_observed = np.array([float(r.numerator) for r in wholes])
    # The groups' columns ordered by their ALL row, and where each ALL row's run starts:
    # each ALL row's change is one reduceat over its groups' changes.
    moves.sort(key=lambda move: move[1])
    sources = np.array([m[0] for m in moves], dtype=np.intp)
    starts = np.searchsorted(np.array([m[1] for m in moves]), np.arange(len(wholes)))

    def blocks() -> Iterator[np.ndarray]:
        for shares in draw(groups, method):
            drawn = np.clip(shares * denominators, 0.0, denominators)
            change = np.add.reduceat((drawn - observed)[:, sources], starts, axis=1) \
                if len(wholes) else np.zeros((drawn.shape[0], 0))
            moved = np.clip(all_observed + change, 0.0, all_denominators)
            yield np.concatenate([drawn, moved], axis=1)

    return [*groups, *wholes], blocks()


@attrs.frozen
class Range:
    """The distribution of one organization's headline output (or the total)."""

    org: str
    settled: Value
    mean: float
    p5: float
    p50: float
    p95: float
    nothing: float
    whole: float | None
    unscored: float
    tiers: dict[tuple[str, str], float] = attrs.Factory(dict)


def ranges(headline: str, baseline: Sequence[Settlement], settled: Iterable[Settled | Drawn],
           most: Decimal | None) -> list[Range]:
    """Per organization, then in total (when the headline is an amount), the headline's
    distribution over the draws, given lane by lane (``Settled``) or block by block
    (``Drawn``, as ``settle_drawn`` gives them); each is read once, as it comes, and only
    the headline's amount and the tiers are kept."""
    amounts: list[np.ndarray] = []
    tier_counts: list[dict[tuple[str, str], int]] = [{} for _ in baseline]
    for item in settled:
        if isinstance(item, Drawn):
            amounts.append(item.amounts)
            lanes_tiers: Sequence[dict[str, frozenset[tuple[str, str]]]] = item.tiers
        else:
            amounts.append(np.array([[float(v.magnitude) if isinstance(
                v := st.outputs[headline], Quantity) else np.nan for st in item.settlements]]))
            lanes_tiers = [item.tiers]
        for tiers in lanes_tiers:
            for index, st in enumerate(baseline):
                for pair in tiers.get(st.org, ()):
                    tier_counts[index][pair] = tier_counts[index].get(pair, 0) + 1
    table = np.concatenate(amounts, axis=0).astype(np.float64) if amounts else np.empty(
        (0, len(baseline)))
    found = []
    for index, st in enumerate(baseline):
        settled_value = st.outputs[headline]
        assert not isinstance(settled_value, dict)
        tiers = {pair: count / len(table) for pair, count in tier_counts[index].items()}
        found.append(_range(st.org, settled_value, table[:, index], most, tiers))
    whole = [st.outputs[headline] for st in baseline]
    if baseline and not np.isnan(table).any() and all(isinstance(v, Quantity) for v in whole):
        with decimal.localcontext(prec=120):
            total = sum((v.magnitude for v in whole if isinstance(v, Quantity)), Decimal(0))
        unit = whole[0].unit  # type: ignore[union-attr]
        most_total = most * len(baseline) if most is not None else None
        found.append(_range("total", Quantity(unit, total), table.sum(axis=1), most_total, {}))
    return found


def _range(org: str, settled: Value, amounts: np.ndarray, most: Decimal | None,
           tiers: dict[tuple[str, str], float]) -> Range:
    scored = amounts[~np.isnan(amounts)]
    share = len(scored) / len(amounts) if len(amounts) else 0.0
    if len(scored) == 0:
        return Range(org, settled, np.nan, np.nan, np.nan, np.nan, 0.0, None, 1.0, tiers)
    p5, p50, p95 = np.percentile(scored, [5, 50, 95])
    # An amount is paid to the cent: compared at half a cent, float sums are not off.
    nothing = float(np.mean(np.abs(amounts) < 0.005)) if len(amounts) else 0.0
    whole = float(np.mean(np.abs(amounts - float(most)) < 0.005)) if most is not None else None
    return Range(org, settled, float(np.mean(scored)), float(p5), float(p50), float(p95),
                 nothing, whole, 1.0 - share, tiers)


def _amount(value: float, unit: str) -> str:
    if np.isnan(value):
        return "not scored"
    digits = 2 if unit == "money" else 4
    number = Decimal(repr(value))
    if unit == "money":
        number = number.quantize(Decimal("0.01"), rounding=decimal.ROUND_HALF_EVEN)
    return display(Quantity(unit, number), digits)


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def tier_order(program: Program) -> list[tuple[str, str]]:
    """Every (schedule, tier) of the contract, in the order it is written."""
    return [(rule.name, tier.text) for rule in program.rules.values()
            if rule.kind == "schedule" for tier in rule.tiers]


def render_text(title: str, tables: str, headline: str, unit: str, method: Method,
                found: Sequence[Range], engine: str,
                order: Sequence[tuple[str, str]] = ()) -> str:
    """The distributions as ``eqlang simulate`` prints them."""
    lines = [f"{title}: payout ranges under sampling noise", f"  tables {tables}",
             f"  {method.describe()}", f"  settled by the {engine}", "",
             f"{headline}:"]
    header = ["organization", "settled", "mean", "P5", "P50", "P95", "pays nothing",
              "pays the most"]
    rows = [header]
    for r in found:
        rows.append([r.org, _settled(r.settled), _amount(r.mean, unit), _amount(r.p5, unit),
                     _amount(r.p50, unit), _amount(r.p95, unit), _share(r.nothing),
                     _share(r.whole)])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        lines.append("  " + "  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i])
                                      for i, c in enumerate(row)).rstrip())
    unscored = [r for r in found if r.unscored]
    for r in unscored:
        lines.append(f"  {r.org}: not scored in {r.unscored:.1%} of the draws")
    reached = {pair for r in found for pair in r.tiers}
    tiers = [pair for pair in order if pair in reached] or sorted(reached)
    if tiers:
        lines += ["", "Chance of landing in each tier (some value of the schedule in it):"]
        tier_rows = [["organization", *(f"{s} {t}" for s, t in tiers)]]
        tier_rows += [[r.org, *(_share(r.tiers.get(pair, 0.0)) for pair in tiers)]
                      for r in found if r.org != "total"]
        widths = [max(len(row[i]) for row in tier_rows) for i in range(len(tier_rows[0]))]
        for row in tier_rows:
            lines.append("  " + "  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i])
                                          for i, c in enumerate(row)).rstrip())
    return "\n".join(lines) + "\n"


def _settled(value: Value) -> str:
    if isinstance(value, NotScored):
        return "not scored"
    digits = 2 if isinstance(value, Quantity) and value.unit == "money" else 4
    return display(value, digits)


def as_json(headline: str, method: Method, found: Sequence[Range], engine: str
            ) -> dict[str, Any]:
    def number(value: float) -> str | None:
        return None if np.isnan(value) else repr(value)

    return {
        **method.as_json(), "engine": engine, "output": headline,
        "organizations": {
            r.org: {"settled": exact_text(r.settled) if not isinstance(r.settled, NotScored)
                    else {"not_scored": r.settled.reason},
                    "mean": number(r.mean), "p5": number(r.p5), "p50": number(r.p50),
                    "p95": number(r.p95), "pays_nothing": r.nothing,
                    "pays_the_most": r.whole, "not_scored": r.unscored,
                    "tiers": {f"{s} {t}": share for (s, t), share in sorted(r.tiers.items())}}
            for r in found},
    }
