"""The columnar backend: takes a checked ``Program``, measure tables and, optionally,
scenario lanes, gives every output for every organization of every lane at once.

Where the exact backend (``eqlang.backends.exact``, the settlement of record) walks the
program once per organization, this one walks it once per run, each operation over a
column of rows (lanes × organizations): see ``columnar_eval`` for how branches, rules,
``at`` and errors are followed, ``columnar_aggregations`` for aggregations and peers, and
``columnar_values`` for the two number modes:

- ``mode="exact"``: decimals computed operation by operation as the exact backend computes
  them. Its settlements equal the exact backend's to the last digit and exponent, with the
  same reasons for what is not scored; ``eqlang eval`` uses it when no trace is asked for.
- ``mode="float64"``: floats, for simulation over many lanes; close to the exact values,
  never the settlement of record.

Errors are not raised: each row records whether settling that organization would stop with
an error (on the path the exact backend takes for it), and ``ColumnarRun.failed`` names
those organizations, for the caller to settle them with the exact backend, which says where
and why. A program the backend cannot follow soundly (``x at o`` where ``x`` reads a local
variable that differs per row, say) raises ``Unsupported``; the caller settles with the
exact backend instead.

Scenario lanes (``Lanes``, from ``columnar_tables``): each lane is the base tables with
some cells' counts replaced and some parameters set, for what-if runs ("Black members' CBP
rate 3 pp higher in every organization": one cell's numerators) and simulation (numerators
drawn per lane for the same denominators)::

    run = evaluate(program, tables, lanes=Lanes(count=1000, cells={
        ("CBP", "Black", "2024"): CellLanes(numerator=drawn)}), mode="float64")
    run.magnitudes("measure_payout", "CBP")   # (1000, organizations) float64, NaN not scored
    run.failed                                # (1000, organizations): would stop with an error

    # "denominators × 0.8" in lane 1, parameters per lane:
    lanes = Lanes(count=2, parameters={"pool": [pool, pool]},
                  cells={cell: CellLanes(denominator=np.stack([d, d * 0.8]), ...)})
    # a simulation: numerators drawn per lane for every row of the base tables
    lanes = Lanes.of_rows(tables, rows, numerators)      # numerators: (lanes, len(rows))

``run.settlements(lane=k)`` gives lane ``k`` as ``Settlement``s, ``run.value(org, output,
code, lane=k)`` one value, ``run.failing(k)`` the organizations whose settlement would stop
there, ``run.reasons`` the texts of the reason codes ``magnitudes`` gives.

A run of one lane in exact mode gives ``Settlement``s identical to the exact backend's
(``settlements``), and answers ``computed(org, rule, args)`` as the exact evaluator does,
for the settlement summary.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from eqlang.backends.columnar_eval import ColumnarEvaluator, row_value
from eqlang.backends.columnar_liveness import Liveness
from eqlang.backends.columnar_support import refuse_unknown
from eqlang.backends.columnar_tables import Cell, CellLanes, Counts, Lanes
from eqlang.backends.columnar_values import (
    NUM,
    Column,
    ExactNumbers,
    FloatNumbers,
    Strings,
    Unsupported,
)
from eqlang.backends.derivation import Key, Settlement
from eqlang.backends.exact import output_arguments, refuse_unread_keys
from eqlang.core import program as p
from eqlang.core.values import NotScored, Quantity, Value, display
from eqlang.data.tables import TableSet

__all__ = ["Cell", "CellLanes", "ColumnarRun", "Lanes", "Unsupported", "evaluate"]

#: Rows (lanes × organizations) evaluated together, by number mode; lanes beyond are
#: evaluated in chunks, so that memory stays bounded whatever the number of lanes. A decimal
#: is an object of its own, some fifteen times the size of a float. Each chunk walks the
#: program once (some 10 ms for the reference contract), and holds every rule's column
#: while it is evaluated: 2^18 float64 rows peak at about 250 MiB for the reference
#: contract.
CHUNK_ROWS = {"exact": 1 << 14, "float64": 1 << 18}


class ColumnarRun:
    """Every output of every organization in every lane, and what reached it."""

    def __init__(self, program: p.Program, tables: TableSet, lanes: Lanes, mode: str,
                 as_of: datetime.date | None, strings: Strings,
                 outputs: dict[tuple[str, str | None], list[tuple[slice, Column]]],
                 failed: np.ndarray, evaluator: ColumnarEvaluator | None,
                 inputs: Any = None,
                 tier_hits: dict[tuple[str, str], list[tuple[slice, Any]]] | None = None
                 ) -> None:
        self.program = program
        self.tables = tables
        self.lanes = lanes
        self.mode = mode
        self.as_of = as_of
        self.strings = strings
        #: The organizations of the tables, in order: the columns of every output.
        self.names = tables.organizations()
        #: The organization table, as the exact backend's ``Evaluator.organizations``.
        self.organizations = inputs
        self.contract_measures = program.contract_measures
        self._outputs = outputs
        #: (lanes, organizations): True where settling would stop with an error.
        self.failed = failed
        self._evaluator = evaluator
        self._place = {org: i for i, org in enumerate(self.names)}
        self.numbers = ExactNumbers() if mode == "exact" else FloatNumbers()
        #: Per (schedule, tier), the rows of each chunk of lanes whose values fell in it.
        self.tier_hits = tier_hits or {}

    @property
    def reasons(self) -> list[str]:
        """The texts that reason codes stand for."""
        return self.strings.texts

    def failing(self, lane: int = 0) -> list[str]:
        """The organizations whose settlement in ``lane`` would stop with an error."""
        return [org for org, bad in zip(self.names, self.failed[lane], strict=True)
                if bad]

    def value(self, org: str, output: str, argument: str | None = None, lane: int = 0
              ) -> Value:
        """One output of one organization in one lane (for one measure or group code)."""
        column, row = self._column(output, argument, lane)
        return row_value(column, (row, self._place[org]), self.strings, self.numbers)

    def magnitudes(self, output: str, argument: str | None = None
                   ) -> tuple[np.ndarray, np.ndarray]:
        """An output's magnitudes (NaN, or None in exact mode, where not scored) and reason
        codes (-1 where scored), each of shape (lanes, organizations)."""
        shape = (self.lanes.count, len(self.names))
        exact = self.mode == "exact"
        data = np.empty(shape, dtype=object) if exact else np.full(shape, np.nan)
        codes = np.empty(shape, dtype=np.int32)
        for lanes, column in self._outputs[output, argument]:
            rows = (lanes.stop - lanes.start, shape[1])
            ns = np.broadcast_to(column.ns, rows)
            codes[lanes] = ns
            if column.kind == NUM and not column.empty:
                chunk = np.broadcast_to(column.data, rows)
                data[lanes] = np.where(ns >= 0, None if exact else np.nan, chunk)
        return data, codes

    def settlements(self, organizations: Sequence[str] | None = None, lane: int = 0
                    ) -> tuple[Settlement, ...]:
        """Each organization's outputs in ``lane``, as the exact backend settles them."""
        plan = []
        for name in self.program.outputs:
            arguments = output_arguments(self.program, name)
            per = [(None, None, self._column(name, None, lane))] if not \
                self.program.rules[name].params else \
                [(a, display(a), self._column(name, display(a), lane)) for a in arguments]
            plan.append((name, bool(self.program.rules[name].params), per))
        chosen = list(organizations if organizations is not None else self.names)
        places = np.array([self._place[org] for org in chosen], dtype=np.intp)
        # Each output's values in the lane, read for all organizations at once.
        read = {(name, label): self._lane_values(column, row, places)
                for name, _, per in plan for _, label, (column, row) in per}
        found = []
        for number, org in enumerate(chosen):
            settled: dict[str, Value | dict[str, Value]] = {}
            keys: dict[str, Key | dict[str, Key]] = {}
            for name, per_argument, per in plan:
                values = {label: read[name, label][number] for _, label, _ in per}
                if not per_argument:
                    settled[name] = values[None]
                    keys[name] = self.key_of(org, name, ())
                    continue
                settled[name] = values
                keys[name] = {label: self.key_of(org, name, (argument,))
                              for argument, label, _ in per}
            found.append(Settlement(org, settled, keys))
        return tuple(found)

    def _lane_values(self, column: Column, row: int, places: np.ndarray) -> list[Value]:
        """The values of a column in one lane for the organizations at ``places``, as
        ``row_value`` gives each."""
        count = len(places)

        def line(x: Any) -> list[Any]:
            if not isinstance(x, np.ndarray):
                return [x] * count
            found = x[row if x.shape[0] > 1 else 0]
            return [found[0]] * count if found.shape[0] == 1 else found[places].tolist()

        texts = self.strings.texts
        ns = line(column.ns)
        if column.kind != NUM:
            return [row_value(column, (row, int(place)), self.strings, self.numbers)
                    for place in places]
        data, units, notes = line(column.data), line(column.unit), line(column.note)
        magnitude = self.numbers.to_magnitude
        return [NotScored(texts[code]) if code >= 0 else Quantity(
            str(unit), magnitude(value), texts[note] if note >= 0 else None)
            for code, value, unit, note in zip(ns, data, units, notes, strict=True)]

    def key_of(self, org: str, rule: str, args: tuple[Value, ...]) -> Key:
        """The key the exact backend remembers a rule's value under."""
        return Key(org if rule in self.program.organization_rules else "", rule, args)

    def computed(self, org: str, rule: str, args: tuple[Value, ...]) -> Value | None:
        """A rule's value in lane 0 if settling reached it, as ``Evaluator.computed``."""
        evaluator = self._evaluator
        if evaluator is None:
            return None
        entry = evaluator.memo.get((rule, args))
        if entry is None:
            return None
        reached = np.broadcast_to(entry.reached, evaluator.shape)
        place = self._place[org]
        if rule in self.program.organization_rules:
            if not reached[0, place]:
                return None
        elif not reached[0].any():
            return None
        return evaluator.value_at(entry.column, (0, place))

    def tiers(self, organizations: Sequence[str], lane: int = 0
              ) -> dict[str, frozenset[tuple[str, str]]]:
        """Per organization, the (schedule, tier) pairs some value of its settlement in
        ``lane`` fell in (a run made with ``tiers``); organizations with none are left out."""
        found: dict[str, set[tuple[str, str]]] = {}
        for pair, parts in self.tier_hits.items():
            for lanes, mask in parts:
                if not lanes.start <= lane < lanes.stop:
                    continue
                rows = np.broadcast_to(mask, (lanes.stop - lanes.start, len(self.names)))
                hit = rows[lane - lanes.start]
                for org in organizations:
                    if hit[self._place[org]]:
                        found.setdefault(org, set()).add(pair)
        return {org: frozenset(pairs) for org, pairs in found.items()}

    def _column(self, output: str, argument: str | None, lane: int) -> tuple[Column, int]:
        for lanes, column in self._outputs[output, argument]:
            if lanes.start <= lane < lanes.stop:
                return column, lane - lanes.start
        raise IndexError(f"there is no lane {lane}")

def evaluate(program: p.Program, tables: TableSet, *, lanes: Lanes | None = None,
             mode: str = "exact", overrides: Mapping[str, p.Override] | None = None,
             as_of: datetime.date | None = None, organizations: Sequence[str] | None = None,
             track: bool = False, chunk_rows: int | None = None, inputs: Any = None,
             tiers: bool = False, remember: bool = True) -> ColumnarRun:
    """Every output of ``program`` for every organization of ``tables`` in every lane.

    ``organizations`` are those being settled (all, by default): what their settlement
    reaches is what ``computed`` answers for, when ``track`` asks for it (one lane only).
    ``inputs`` is the organization table (``eqlang.data.organizations.OrganizationTable``)
    of a contract that declares organization inputs. With ``tiers``, the run notes which
    tiers of the contract's schedules each organization's values fell in, lane by lane
    (``ColumnarRun.tiers``). Without ``remember``, each rule value and table read is let go
    as soon as no output still to be evaluated reads it (``columnar_liveness``), which
    lowers the run's peak memory, and ``computed`` answers for nothing (``track`` and
    ``tiers`` need every value, and keep them). Raises ``Unsupported`` for a program
    the backend declines (``columnar_support``), and ``EvaluationError`` for table keys
    spelled differently from the contract's, as the exact backend does.
    """
    if mode not in ("exact", "float64"):
        raise ValueError(f"mode is 'exact' or 'float64', not {mode!r}")
    lanes = lanes or Lanes()
    numbers = ExactNumbers() if mode == "exact" else FloatNumbers()
    refuse_unknown(program, mode)
    refuse_unread_keys(program, tables)
    for key in lanes.parameters:
        if key not in program.parameters:
            raise ValueError(f"the contract has no parameter `{key}`")
    as_of = as_of or program.settled_as_of or (
        program.effective[1] if program.effective else None)
    counts = Counts(tables, lanes, numbers)
    strings = Strings()
    orgs = counts.organizations
    size = max(1, len(orgs))
    step = max(1, (chunk_rows or CHUNK_ROWS[mode]) // size)
    chosen = set(orgs if organizations is None else organizations)
    live: Any = True if organizations is None else np.array(
        [[org in chosen for org in orgs]], dtype=bool)
    outputs: dict[tuple[str, str | None], list[tuple[slice, Column]]] = {}
    failed = np.zeros((lanes.count, len(orgs)), dtype=bool)
    evaluator: ColumnarEvaluator | None = None
    # Following which rows reach what costs masks; tiers need them in every lane.
    track = (track and lanes.count == 1) or tiers
    # Tracking reads remembered values again for rows that reach them later, so it keeps
    # them all.
    liveness = Liveness(program) if not remember and not track else None
    steps = [(name, argument) for name in program.outputs
             for argument in list(output_arguments(program, name)) or [None]]
    hits: dict[tuple[str, str], list[tuple[slice, Any]]] = {}
    for start in range(0, lanes.count, step):
        chunk = slice(start, min(lanes.count, start + step))
        evaluator = ColumnarEvaluator(program, counts, chunk, numbers, strings,
                                      overrides=overrides or {}, as_of=as_of, track=track,
                                      inputs=inputs, tiers=tiers)
        evaluator.liveness = liveness
        with numbers.scope():
            for number, (name, argument) in enumerate(steps):
                if liveness is not None:
                    liveness.upcoming = steps[number:]
                args = [] if argument is None else [evaluator.constant(argument)]
                column = evaluator.call(program.rules[name], args, live)
                label = None if argument is None else display(argument)
                outputs.setdefault((name, label), []).append((chunk, column))
                failed[chunk] |= np.broadcast_to(column.err, evaluator.shape)
                if liveness is not None:
                    evaluator.forget(liveness.needed(steps[number + 1:], evaluator.memo,
                                                     evaluator.parameters))
        for pair, mask in (evaluator.tiers or {}).items():
            hits.setdefault(pair, []).append((chunk, mask))
    keep = evaluator if lanes.count <= step and liveness is None else None
    return ColumnarRun(program, tables, lanes, mode, as_of, strings, outputs, failed, keep,
                       inputs, hits)

