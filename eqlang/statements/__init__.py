"""Statements: takes a settled run, gives a folder of self-contained HTML pages, one per
organization and an index for the payer, with the trace beside them (``eqlang statement``).

The run is settled again with derivations recorded, one organization at a time: each
organization's trace section (``eqlang.tools.sections``) is written to the trace and turned
into its statement (``model``, ``charts``, ``html``) before the next is settled, so memory
stays flat however many organizations there are. A page's footer gives the SHA-256 of the
trace, known only once the trace is complete: pages are written to a folder of their own
first and moved into place at the end, the digest filled in, so that nothing is left half
written when anything fails.
"""

from __future__ import annotations

import collections
import concurrent.futures
import multiprocessing
import os
import re
import shutil
import statistics
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING

import attrs

from eqlang import __version__
from eqlang.core.values import Quantity, display
from eqlang.outputs import make_folder, refuse_inputs, write_atomic_stream
from eqlang.statements.charts import PayoutChart, distribution_svg
from eqlang.statements.html import (
    TRACE_DIGEST,
    IndexRow,
    RunFacts,
    index_page,
    statement_page,
)
from eqlang.statements.model import Builder, Statement, per_measure_output
from eqlang.tools.bounds import output_bounds
from eqlang.tools.findings import Finder, choose_headline
from eqlang.tools.sections import HashingStream

if TYPE_CHECKING:
    from eqlang.api import Run

INDEX = "index.html"
TRACE = "trace.json"


@attrs.frozen
class Written:
    """What ``write_statements`` wrote: the folder, the statements' files by organization,
    the index and the trace with its SHA-256."""

    folder: Path
    statements: dict[str, str]
    index: str
    trace: str
    trace_sha256: str


def file_names(organizations: Sequence[str]) -> dict[str, str]:
    """A file name for each organization's statement: its name in lower case ASCII letters,
    digits and dashes, numbered where two would be the same."""
    taken = {INDEX}
    names = {}
    for org in organizations:
        plain = unicodedata.normalize("NFKD", org).encode("ascii", "ignore").decode()
        stem = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60] or "organization"
        name, number = f"{stem}.html", 2
        while name in taken:
            name, number = f"{stem}-{number}.html", number + 1
        taken.add(name)
        names[org] = name
    return names


#: Organizations from which pages are drawn by worker processes beside the one that
#: settles: below it, starting them would take longer than it saves.
PARALLEL_FROM = 200


@attrs.frozen(eq=False)
class Pages:
    """Draws each organization's page into the staging folder: the same for every
    organization but for its statement."""

    facts: RunFacts
    chart: PayoutChart | None
    headline: str | None
    unit: str | None
    most_text: str | None
    per_measure: bool
    names: dict[str, str]
    staging: Path

    def render(self, statement: Statement) -> IndexRow:
        svg = None
        head_text = statement.headline.text if statement.headline else "not scored"
        if self.chart is not None:
            steps = [(amount, _label(amount, self.unit)) for _, amount in
                     statement.measure_amounts] if self.per_measure else []
            svg = self.chart.svg(steps, (statement.headline_amount, head_text),
                                 f"{statement.org}: from the most it can pay to "
                                 f"{self.headline}")
        name = self.names[statement.org]
        page = statement_page(statement, self.facts, svg, self.most_text, INDEX)
        (self.staging / name).write_text(page, encoding="utf-8")
        measures = tuple(_label(a, self.unit) for _, a in statement.measure_amounts) \
            if self.per_measure else ()
        return IndexRow(statement.org, name, statement.headline_amount,
                        statement.headline.text if statement.headline else "", measures,
                        tuple(a for _, a in statement.measure_amounts))


#: The pages a worker process draws with (set once in each worker, by ``_start``).
_worker: dict[str, Pages] = {}


def _start(pages: Pages) -> None:
    _worker["pages"] = pages


def _render(statement: Statement) -> IndexRow:
    return _worker["pages"].render(statement)


def write_statements(run: Run, folder: str | Path,
                     progress: Callable[[str], object] | None = None,
                     jobs: int | None = None) -> Written:
    """Write a statement for each organization of ``run``, the index and the trace into
    ``folder`` (created if missing). ``jobs`` is how many processes draw pages beside the
    one that settles (by default one per processor for a large run, none for a small one).
    """
    program = run.program
    target = Path(folder)
    make_folder(target)
    headline, most = choose_headline(program, output_bounds(program))
    per_measure = per_measure_output(program, headline)
    builder = Builder(program, headline, per_measure)
    finder = Finder(program, run.evaluator.computed, run.tables)
    names = file_names(run.organizations)
    unit = program.rules[headline].type if headline is not None else None
    if jobs is None:
        jobs = (os.cpu_count() or 1) if len(names) >= PARALLEL_FROM else 0
    rows: list[IndexRow] = []
    digest: list[str] = []
    inputs = _inputs(run)
    staging = Path(tempfile.mkdtemp(prefix=".eqlang-statements-", dir=target))
    pages = Pages(
        _facts(run),
        PayoutChart(headline, program.contract_measures if per_measure else (), most)
        if headline is not None else None,
        headline, unit,
        display(Quantity(unit, _scaled(most, unit)), 2) if most is not None and unit else None,
        per_measure is not None, names, staging)
    try:
        def produce(stream: IO[str]) -> None:
            hashing = HashingStream(stream)
            statements = (builder.build(section, finder.findings(section.settlement))
                          for section in run.sections(hashing, progress))
            rows.extend(_drawn(pages, statements, jobs))
            digest.append(hashing.hexdigest())

        write_atomic_stream(target / TRACE, produce, protected=inputs)
        index = _index(program.contract_measures if per_measure else (), headline, unit, rows,
                       pages.facts, most)
        (staging / INDEX).write_text(index, encoding="utf-8")
        for name in [*names.values(), INDEX]:
            refuse_inputs(target / name, inputs)
        # Each page is renamed into place whole; one sync at the end makes them durable
        # (a sync per page would make a thousand pages take a minute on a slow disk).
        for name in [*names.values(), INDEX]:
            staged = staging / name
            staged.write_text(staged.read_text(encoding="utf-8").replace(TRACE_DIGEST,
                                                                         digest[0]),
                              encoding="utf-8")
            os.chmod(staged, _mode())
            os.replace(staged, target / name)
        _sync(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Written(target, names, INDEX, TRACE, digest[0])


def _drawn(pages: Pages, statements: Iterator[Statement], jobs: int) -> list[IndexRow]:
    """Each statement's page drawn, here or by ``jobs`` worker processes while the next
    organizations settle; the rows of the index, in order."""
    if jobs < 1:
        return [pages.render(statement) for statement in statements]
    rows: list[IndexRow] = []
    waiting: collections.deque[concurrent.futures.Future[IndexRow]] = collections.deque()
    # Forked, the workers start with the contract and the chart already built, and without
    # the settlement's memory, which is allocated after they start.
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(jobs, context, initializer=_start,
                                                initargs=(pages,)) as pool:
        for statement in statements:
            waiting.append(pool.submit(_render, statement))
            while len(waiting) > 4 * jobs:
                rows.append(waiting.popleft().result())
        rows.extend(future.result() for future in waiting)
    return rows


def _mode() -> int:
    """The permissions a new file gets."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _sync(folder: Path) -> None:
    """Make the pages renamed into ``folder`` durable."""
    os.sync()
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _inputs(run: Run) -> list[str | Path]:
    from eqlang.api import input_files

    return input_files(run.program, [t.path for t in run.tables.tables])


def _facts(run: Run) -> RunFacts:
    program = run.program
    header = program.header
    payer = None
    if header is not None:
        payer = next((str(f.values[0]) for f in header.fields if f.kind == "payer"
                      and f.values), None)
    as_of = run.evaluator.as_of
    return RunFacts(
        title=header.title if header is not None else program.main.source.path,
        payer=payer,
        contract=(program.main.source.path, program.main.source.sha256),
        modules=tuple(sorted((m.source.path, m.source.sha256) for m in program.modules[1:])),
        tables=tuple((t.path, t.sha256) for t in run.tables.tables),
        trace=TRACE,
        as_of=as_of.isoformat() if as_of is not None else None,
        periods=tuple(program.periods.items()),
        version=__version__,
        overrides=tuple(sorted(run.overrides.items())))


def _scaled(amount: Decimal | None, unit: str | None) -> Decimal | None:
    """An amount as written (35 for 35%) as a magnitude (0.35)."""
    if amount is None or unit not in ("percent", "pp"):
        return amount
    return amount.scaleb(-2)


def _label(amount: Decimal | None, unit: str | None) -> str:
    if amount is None or unit is None:
        return "not scored"
    if unit in ("money", "percent", "pp", "count", "number"):
        return display(Quantity(unit, _scaled(amount, unit)), 2 if unit == "money" else 4)
    return str(amount)


def _index(measures: Sequence[str], headline: str | None, unit: str | None,
           rows: list[IndexRow], facts: RunFacts, most: Decimal | None) -> str:
    amounts = [r.headline for r in rows if r.headline is not None]
    stats: list[tuple[str, str]] = [("organizations", f"{len(rows):,}")]
    total_text = None
    measure_totals: list[str] = []
    chart = None
    if headline is not None and amounts:
        total = sum(amounts, Decimal(0))
        total_text = _label(total, unit) if unit in ("money", "count") else None
        if total_text is not None:
            stats.append((f"total {headline}", total_text))
            for index in range(len(measures)):
                column = [r.measure_amounts[index] for r in rows]
                measure_totals.append(_label(sum((c for c in column if c is not None),
                                                 Decimal(0)), unit))
        stats += [(f"mean {headline}", _label(sum(amounts, Decimal(0)) / len(amounts), unit)),
                  (f"median {headline}", _label(statistics.median(amounts), unit)),
                  (f"least {headline}", _label(min(amounts), unit)),
                  (f"greatest {headline}", _label(max(amounts), unit)),
                  ("paid nothing", f"{sum(1 for a in amounts if a == 0):,}")]
        if most is not None:
            stats.append(("paid the most the contract can pay",
                          f"{sum(1 for a in amounts if a == most):,}"))
        unscored = len(rows) - len(amounts)
        if unscored:
            stats.append((f"{headline} not scored", f"{unscored:,}"))
        chart = distribution_svg(amounts, headline,
                                 f"{headline} across {len(amounts):,} organizations")
    return index_page(facts, headline, measures, rows, total_text, stats, chart,
                      measure_totals if total_text is not None else [])


__all__ = ["INDEX", "TRACE", "Written", "file_names", "write_statements"]
