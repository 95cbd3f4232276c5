"""Aggregations of the columnar backend: takes an aggregation (``sum``, ``mean``, ``count``,
``all``, ``any``, ``min``, ``max``, ``median``, ``percentile`` over a ``for each``) and gives
its value in every row, as the exact backend (``eqlang.backends.aggregations``) gives it for
one organization: items in the same order, the same ``where`` filter, weights and policy
for items that are not scored, sums that start from 0 and add item by item, the first of
tied minimums, the same reasons.

Items are stacked along a first axis: for an aggregation over measures or groups, one
column per item; for one over organizations that does not depend on the organization being
settled (a peer median), the organizations of each lane are the items, computed once per
lane from a single evaluation over all rows (``peer``). A count of the organizations that do
better than this one (``peers_ahead``) is a rank: it is counted by sorting (``ranks``).

A mixin of ``ColumnarEvaluator`` (``eqlang.backends.columnar_eval``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import numpy as np

from eqlang.backends.aggregations import empty_cause, filter_text
from eqlang.backends.columnar_ranks import Ranks
from eqlang.backends.columnar_values import (
    NUM,
    SCORED,
    TRUTH,
    VALUE,
    Column,
    Env,
    Numbers,
    Strings,
    Unsupported,
    broadcast,
    is_false,
    merged,
    scalar,
)
from eqlang.check import units as t
from eqlang.core import builtins
from eqlang.core import program as p
from eqlang.core.values import Entity, Group, NotScored, Value

#: Up to this many items, a float64 sum adds them one at a time rather than stacked.
_FEW = 16


@attrs.define(slots=True, eq=False)
class Stack:
    """One part of every item (its ``where``, value or weight): arrays with the items along
    the first axis."""

    data: np.ndarray
    unscored: np.ndarray
    ns: np.ndarray
    err: np.ndarray


class ColumnarAggregations(Ranks):
    program: p.Program
    numbers: Numbers
    strings: Strings
    shape: tuple[int, int]
    organizations: tuple[str, ...]
    own: Column
    peers: dict[tuple[Any, ...], Column]
    track: bool

    def eval(self, e: p.Expr, env: Env, live: Any) -> Column:
        raise NotImplementedError

    def constant(self, value: Value) -> Column:
        raise NotImplementedError

    def blank(self, kind: str, unit: str | None = None, *, ns: Any = SCORED, err: Any = False
              ) -> Column:
        raise NotImplementedError

    def key_value(self, column: Column) -> Value:
        raise NotImplementedError

    def domain(self, d: p.Domain, env: Env, live: Any) -> list[Column] | Column:
        """The items of a domain, or a column not scored where its stratification is not."""
        if isinstance(d, p.Measures):
            return [self.constant(Entity("measure", c)) for c in self.program.contract_measures]
        if isinstance(d, p.Organizations):
            if d.same is not None:
                raise Unsupported("`organizations with the same` in an aggregation that "
                                  "depends on the organization settled")
            return [self.constant(Entity("organization", o)) for o in self.organizations]
        if isinstance(d, p.Groups):
            if d.stratification is not None:
                name = d.stratification
            else:
                assert d.local is not None
                chosen = env[d.local]
                if chosen.dead:
                    return chosen
                if not chosen.uniform or chosen.data is None:
                    raise Unsupported("groups of a stratification that differs per row")
                name = chosen.data.name
            strat = self.program.stratifications[name]
            return [self.constant(Group("named", g))
                    for g in (strat.focus if d.focus else strat.groups)]
        if not isinstance(d, p.Listed):
            raise Unsupported(f"the domain {type(d).__name__}")
        return [self.eval(item, env, live) for item in d.items]

    def _x_Aggregate(self, e: p.Aggregate, env: Env, live: Any) -> Column:
        free = self.program.peer_aggregates.get(e.site)
        if free is not None and len(e.binders) == 1 and all(env[n].uniform for n in free):
            key = (e.site, *(self.key_value(env[n]) for n in free))
            column = self.peers.get(key)
            if column is None:
                column = self.peers[key] = self.peer(e, {n: env[n] for n in free})
            return column
        ranked = self.ranked(e, env, live)
        if ranked is not None:
            return ranked
        return self.aggregate(e, env, live)

    # ---- items --------------------------------------------------------------------------

    def aggregate(self, e: p.Aggregate, env: Env, live: Any) -> Column:
        """An aggregation by its items, one column each."""
        domains: list[tuple[str, list[Column]]] = []
        err: Any = False
        for binder in e.binders:
            values = self.domain(binder.domain, env, live)
            if isinstance(values, Column):
                return self.blank(_kind(e), e.type, ns=values.ns, err=err)
            for value in values:
                err = _or(err, value.err)
            domains.append((binder.name, values))
        names = [name for name, _ in domains]
        items = [{**env, **dict(zip(names, combination, strict=True))}
                 for combination in itertools.product(*(values for _, values in domains))]
        shape = self.shape
        wheres = [self.eval(e.where, item, live) for item in items] if e.where else None
        where = self.stacked(wheres, shape, TRUTH) if wheres is not None else None
        keep, going = self.kept(e, where, len(items), (1,) * len(shape))
        values, weights = [], []
        for number, item in enumerate(items):
            rows = _and(live, keep[number]) if self.track else True
            if e.weight is not None:
                weights.append(self.eval(e.weight, item, rows))
            values.append(self.eval(e.value, item, rows))
        kind = next((v.kind for v in values if not v.empty), kind_of(e.value.type))
        value = self.stacked(values, shape, kind)
        weight = self.stacked(weights, shape, NUM) if e.weight is not None else None
        def item_text(k: int) -> str:
            return filter_text(e, {name: self.key_value(column) for name, column in
                                   items[k].items() if name in names and column.uniform})

        result = self.finish(e, kind, where, going, keep, value, weight, env, live, item_text)
        return result.with_err(err)

    def stacked(self, columns: Sequence[Column], shape: tuple[int, ...], expected: str
                ) -> Stack:
        """Items' columns, stacked; ``expected`` is their kind where none is scored. Each
        part (data, reasons, failures) takes the smallest shape within ``shape`` that its
        items' parts broadcast to: a part the same in every lane (a group's size, which no
        scenario draws) is stacked once, not once per lane."""
        count = len(columns)
        kind = next((c.kind for c in columns if not c.empty), expected)
        datas = [broadcast(self._filler(kind), ()) if c.empty else c.data for c in columns]
        data = np.empty((count, *_within(shape, datas)),
                        dtype=object if self.numbers.exact or kind == VALUE
                        else (bool if kind == TRUTH else np.float64))
        for number, x in enumerate(datas):
            data[number] = x if isinstance(x, np.ndarray) else broadcast(x, ())
        # Most items are scored everywhere and fail nowhere: then no stack is built for
        # their reasons and failures.
        if all(c.ns is SCORED or (not isinstance(c.ns, np.ndarray) and c.ns < 0)
               for c in columns):
            ns = np.broadcast_to(np.int32(SCORED), (count, 1, 1))
            unscored = np.broadcast_to(False, (count, 1, 1))
        else:
            ns = np.full((count, *_within(shape, [c.ns for c in columns])), SCORED,
                         dtype=np.int32)
            for number, column in enumerate(columns):
                ns[number] = column.ns
            unscored = ns >= 0
        if all(is_false(c.err) for c in columns):
            err = np.broadcast_to(False, (count, 1, 1))
        else:
            err = np.zeros((count, *_within(shape, [c.err for c in columns])), dtype=bool)
            for number, column in enumerate(columns):
                err[number] = column.err
        return Stack(data, unscored, ns, err)

    def _filler(self, kind: str) -> Any:
        return self.numbers.zero if kind == NUM else False if kind == TRUTH else None

    @staticmethod
    def kept(e: p.Aggregate, where: Stack | None, count: int, shape: tuple[int, ...]
             ) -> tuple[np.ndarray, np.ndarray]:
        """Which items pass the ``where`` filter, and the rows still going over each item:
        under every policy but ``skip``, a ``where`` that is not scored ends the aggregation
        in its row, before the items after it are looked at."""
        every = np.broadcast_to(True, (count, *shape))
        if where is None:
            return every, every
        passing = np.logical_and(np.logical_not(where.unscored), where.data.astype(bool))
        if e.policy == "skip" or not where.unscored.any():
            return passing, every
        stopped_before = np.zeros(where.unscored.shape, dtype=bool)
        if count > 1:
            stopped_before[1:] = np.logical_or.accumulate(where.unscored, axis=0)[:-1]
        going = np.logical_not(stopped_before)
        return np.logical_and(going, passing), going

    def finish(self, e: p.Aggregate, kind: str, where: Stack | None, going: np.ndarray,
               keep: np.ndarray, value: Stack, weight: Stack | None, env: Env, live: Any,
               item_text: Callable[[int], str]) -> Column:
        """The aggregation of stacked items: errors, the policy for items not scored, and
        the result."""
        count = keep.shape[0]
        err: Any = np.zeros((1, 1), dtype=bool)
        if where is not None and where.err.any():
            err = np.logical_or(err, np.logical_and(going, where.err).any(axis=0))
        item_err = value.err if weight is None else np.logical_or(value.err, weight.err)
        if item_err.any():
            err = np.logical_or(err, np.logical_and(keep, item_err).any(axis=0))
        stop_ns: Any = SCORED
        if where is not None and e.policy != "skip" and count:
            stopping = np.logical_and(going, where.unscored)
            stopped = stopping.any(axis=0)
            if stopped.any():
                first = np.argmax(stopping, axis=0)
                reason = np.take_along_axis(where.ns, first[None], axis=0)[0]
                stop_ns = np.where(stopped, self.strings.mapped(
                    reason, lambda r: f"a `where` filter is not scored: {r}"), SCORED)
        unscored = value.unscored if weight is None else np.logical_or(value.unscored,
                                                                       weight.unscored)
        unscored = np.logical_and(keep, unscored) if unscored.any() else unscored
        ns: Any = stop_ns
        rescaling = None
        counted = keep
        zeroed = None
        some_unscored = bool(unscored.any())
        if some_unscored and e.policy in ("skip", "zero"):
            if e.policy == "zero":
                counted = keep if weight is None else np.logical_and(
                    keep, np.logical_not(weight.unscored))
                zeroed = np.logical_and(counted, value.unscored)
            else:
                counted = np.logical_and(keep, np.logical_not(unscored))
        elif some_unscored:
            missing, items, first_reason = np.broadcast_arrays(
                unscored.sum(axis=0), keep.sum(axis=0), _first_reason(unscored, value, weight))
            summary = self.summaries(missing, items, first_reason,
                                     "{0} of {1} items not scored; first: {2}")
            some = missing > 0
            if e.policy == "propagate":
                ns = _first_of(ns, np.where(some, summary, SCORED))
            elif e.policy == "rescale":
                none = self.summaries(
                    missing, items, first_reason, "none of the {1} items is scored, so there "
                    "is no weight to rescale; first: {2}")
                ns = _first_of(ns, np.where(np.logical_and(some, missing == items), none,
                                            SCORED))
                known = keep if weight is None else np.logical_and(keep, np.logical_not(
                    weight.unscored))
                full, _ = self.total(weight.data if weight is not None else None, known)
                rescaling = (some, summary, full)
                counted = np.logical_and(keep, np.logical_not(unscored))
        if e.function not in ("sum", "count", "all", "any"):
            ns = _first_of(ns, self.emptied(e, where, going, keep, counted, unscored, value,
                                            weight, item_text))
        result = self.combine(e, kind, counted, zeroed, value, weight, rescaling, env, live)
        ns = _first_of(ns, result.ns)
        err = np.logical_or(err, np.logical_and(np.asarray(ns) < 0, result.err)) if not \
            is_false(result.err) else err
        return Column(result.kind, _shrink(result.data), _shrink(ns), result.unit,
                      err=_shrink(err) if err.any() else False)

    def emptied(self, e: p.Aggregate, where: Stack | None, going: np.ndarray,
                keep: np.ndarray, counted: np.ndarray, unscored: np.ndarray, value: Stack,
                weight: Stack | None, item_text: Callable[[int], str]) -> Any:
        """Per row, why an aggregation has no items left, where the ``where`` filter or the
        policy took them away (as the exact backend says it), else SCORED."""
        left_out = np.logical_and(going, np.logical_not(keep)) if where is not None else None
        nothing = np.logical_not(counted.any(axis=0))
        lost: Any = False if left_out is None else left_out.any(axis=0)
        lost = np.logical_and(nothing, np.logical_or(lost, unscored.any(axis=0)))
        if not lost.any():
            return SCORED
        shape = lost.shape

        def of_lost(x: np.ndarray) -> np.ndarray:
            return np.broadcast_to(x, shape)[lost]

        skipped = of_lost(unscored.sum(axis=0))
        first = of_lost(_first_reason(unscored, value, weight))
        if left_out is None:
            out_count = np.zeros_like(skipped)
            out_item = out_why = np.full_like(skipped, SCORED)
        else:
            out_count = of_lost(left_out.sum(axis=0))
            k = np.argmax(left_out, axis=0)[None]
            out_item = np.where(out_count > 0, of_lost(k[0]), SCORED)
            assert where is not None
            out_why = np.where(out_count > 0, of_lost(np.take_along_axis(
                np.broadcast_to(where.ns, left_out.shape), k, axis=0)[0]), SCORED)
        # One reason per distinct (items left out, the first of them and why, items
        # skipped, the first one's reason): rows share a handful.
        parts = [(out_count, keep.shape[0] + 1), (out_item + 1, keep.shape[0] + 2),
                 (out_why + 1, len(self.strings.texts) + 1), (skipped, keep.shape[0] + 1),
                 (first + 1, len(self.strings.texts) + 1)]
        key = np.zeros(out_count.shape, dtype=np.int64)
        for part, base in parts:
            key = key * base + part
        found, where_found = np.unique(key, return_inverse=True)
        texts = self.strings.texts
        codes = []
        for combined in found.tolist():
            values = []
            for _, base in reversed(parts):
                combined, digit = divmod(combined, base)
                values.append(digit)
            reason, count, why, item, out_n = values[0] - 1, values[1], values[2] - 1, \
                values[3] - 1, values[4]
            first_out = None
            if out_n:
                first_out = f"its `where` filter is not scored: {texts[why]}" if why >= 0 \
                    else item_text(item)
            cause = empty_cause(out_n, first_out, count,
                                NotScored(texts[reason]) if reason >= 0 else None)
            codes.append(self.strings.code(f"no items to take the {e.function} of: {cause}")
                         if cause else SCORED)
        out = np.full(shape, SCORED, dtype=np.int32)
        out[lost] = np.array(codes, dtype=np.int32)[where_found.reshape(-1)]
        return out

    def summaries(self, missing: np.ndarray, items: np.ndarray, first: np.ndarray,
                  template: str) -> np.ndarray:
        """Per row, the reason built from ``template`` with the number of items not scored,
        the number of items and the first reason."""
        out = np.full(missing.shape, SCORED, dtype=np.int32)
        rows = missing > 0
        if not rows.any():
            return out
        # One number per combination, to find the distinct ones quickly.
        base_items = int(items.max()) + 1
        base_first = len(self.strings.texts) + 1
        keys = (missing[rows].astype(np.int64) * base_items + items[rows]) * base_first + (
            first[rows] + 1)
        found, where = np.unique(keys, return_inverse=True)
        texts = self.strings.texts
        codes = []
        for key in found.tolist():
            rest, reason = divmod(key, base_first)
            a, b = divmod(rest, base_items)
            codes.append(self.strings.code(template.format(
                a, b, texts[reason - 1] if reason > 0 else "")))
        out[rows] = np.array(codes, dtype=np.int32)[where.reshape(-1)]
        return out

    # ---- combining ----------------------------------------------------------------------

    def combine(self, e: p.Aggregate, kind: str, counted: np.ndarray, zeroed: np.ndarray | None,
                value: Stack, weight: Stack | None, rescaling: Any, env: Env, live: Any
                ) -> Column:
        name = e.function
        numbers = self.numbers
        if name == "count":
            counts = counted if kind != TRUTH else np.logical_and(counted, value.data.astype(bool))
            if zeroed is not None and kind == TRUTH:
                counts = np.logical_or(counts, zeroed)
            return Column(NUM, numbers.whole(counts.sum(axis=0)), unit="count")
        if name in ("all", "any"):
            truths = counted if zeroed is None else np.logical_and(counted, np.logical_not(zeroed))
            answers = value.data.astype(bool) if kind == TRUTH else np.zeros_like(truths)
            if name == "all":
                data = np.logical_not(np.logical_and(truths, np.logical_not(answers)).any(axis=0))
            else:
                data = np.logical_and(truths, answers).any(axis=0)
            return Column(TRUTH, data)
        magnitudes = value.data
        if zeroed is not None:
            magnitudes = np.where(zeroed, numbers.zero, magnitudes)
        if name == "sum" and e.weight is not None:
            assert weight is not None
            return self.weighted_sum(e, counted, magnitudes, weight.data, rescaling)
        if name == "sum":
            total, failed = self.total(magnitudes, counted)
            return Column(NUM, total, unit=e.type, err=failed)
        empty = np.logical_not(counted.any(axis=0))
        nothing = self.strings.code(f"no items to take the {name} of")
        ns = np.where(empty, nothing, SCORED)
        if name == "mean":
            if e.weight is not None:
                assert weight is not None
                mean, broke = self.weighted_mean(counted, magnitudes, weight.data)
                ns = np.where(np.logical_and(broke, np.logical_not(empty)),
                              self.strings.code("the weights of the items sum to zero"), ns)
                return Column(NUM, mean, ns, e.type)
            total, failed = self.total(magnitudes, counted)
            divisor = numbers.whole(np.maximum(counted.sum(axis=0), 1))
            mean, broke = numbers.divide(total, divisor)
            return Column(NUM, mean, ns, e.type, err=_or(failed, broke))
        if name in ("min", "max"):
            pick = numbers.minimum if name == "min" else numbers.maximum
            return Column(NUM, self.ordered(magnitudes, counted, pick), ns, e.type)
        return self.percentiles(e, magnitudes, counted, ns, env, live)

    def percentiles(self, e: p.Aggregate, magnitudes: np.ndarray, counted: np.ndarray,
                    ns: np.ndarray, env: Env, live: Any) -> Column:
        numbers = self.numbers
        shape = np.broadcast_shapes(magnitudes.shape, counted.shape)[1:]
        scored = ns < 0
        share: Any = numbers.literal(builtins.MEDIAN)
        err: Any = False
        if e.share is not None:
            written = self.eval(e.share, env, _and(live, scored) if self.track else True)
            err = np.logical_and(scored, written.err)
            shape = np.broadcast_shapes(shape, *(np.shape(x) for x in (
                written.data, written.ns, written.err)))
            share_unscored = np.broadcast_to(written.unscored(), shape)
            ns = np.where(np.logical_and(scored, share_unscored), written.ns, ns)
            scored = np.logical_and(scored, np.logical_not(share_unscored))
            share = written.data
        outside = _or(numbers.test("<", share, numbers.zero), numbers.test(">", share,
                                                                           numbers.one))
        err = _or(err, np.logical_and(scored, outside))
        shares = np.broadcast_to(np.asarray(share, dtype=object) if numbers.exact
                                 else np.asarray(share, dtype=float), shape)
        out = np.empty(shape, dtype=object) if numbers.exact else np.zeros(shape)
        magnitudes, counted = (np.broadcast_to(x, (len(x), *shape))
                               for x in (magnitudes, counted))
        scored = np.broadcast_to(scored, shape)
        ns = np.broadcast_to(ns, shape)
        for index in np.ndindex(shape):
            chosen = [magnitudes[(k, *index)] for k in range(magnitudes.shape[0])
                      if counted[(k, *index)]]
            out[index] = numbers.percentile(chosen, shares[index]) if (
                chosen and scored[index] and not np.broadcast_to(outside, shape)[index]) \
                else numbers.zero
        return Column(NUM, out, ns, e.type, err=err)

    def total(self, magnitudes: np.ndarray | None, counted: np.ndarray) -> tuple[Any, Any]:
        """Σ of the counted items, from 0, item by item in item order; and where it fails."""
        numbers = self.numbers
        if magnitudes is None:
            return broadcast(numbers.zero, counted.shape[1:]), False
        if not numbers.exact:
            if counted.shape[0] > _FEW:
                return np.where(counted, magnitudes, 0.0).sum(axis=0), False
            # A few items: added one at a time, as the sum along the items adds them, with
            # no stack of every item's counted magnitudes (a fresh array as large as all).
            total: Any = None
            for k in range(counted.shape[0]):
                item = magnitudes[k] if counted[k].all() else np.where(counted[k],
                                                                      magnitudes[k], 0.0)
                total = item if total is None else np.add(total, item)
            return (broadcast(0.0, counted.shape[1:]) if total is None else total), False
        magnitudes, counted = np.broadcast_arrays(magnitudes, counted)
        shape = counted.shape[1:]
        if counted.shape[0] > max(1, int(np.prod(shape))):
            return self._each_position(magnitudes, counted, numbers.zero,
                                       lambda a, b: a + b), False
        total: Any = broadcast(numbers.zero, shape)
        failed: Any = False
        for k in range(counted.shape[0]):
            if not counted[k].any():
                continue
            added, broke = numbers.binary("+", total, magnitudes[k])
            total = np.where(counted[k], added, total)
            failed = _or(failed, np.logical_and(counted[k], broke) if isinstance(
                broke, np.ndarray) else (counted[k] if broke else False))
        return total, failed

    def ordered(self, magnitudes: np.ndarray, counted: np.ndarray,
                pick: Callable[[Any, Any], Any]) -> Any:
        """The first counted item, then ``pick`` of it and each next one."""
        magnitudes, counted = np.broadcast_arrays(magnitudes, counted)
        shape = counted.shape[1:]
        if self.numbers.exact and counted.shape[0] > max(1, int(np.prod(shape))):
            return self._each_position(magnitudes, counted, None, lambda a, b: b if a is None
                                       else pick(a, b), self.numbers.zero)
        result: Any = broadcast(self.numbers.zero, shape)
        started = np.zeros(shape, dtype=bool)
        for k in range(counted.shape[0]):
            rows = counted[k]
            if not rows.any():
                continue
            candidate = np.where(started, pick(result, magnitudes[k]), magnitudes[k])
            result = np.where(rows, candidate, result)
            started |= rows
        return result

    @staticmethod
    def _each_position(magnitudes: np.ndarray, counted: np.ndarray, start: Any,
                       step: Callable[[Any, Any], Any], empty: Any = None) -> np.ndarray:
        """A fold over the counted items of each position, in item order: for many items
        in few rows (the organizations of a lane)."""
        shape = counted.shape[1:]
        out = np.empty(shape, dtype=object)
        for index in np.ndindex(shape):
            acc = start
            column = magnitudes[(slice(None), *index)]
            for k in np.flatnonzero(counted[(slice(None), *index)]):
                acc = step(acc, column[k])
            out[index] = empty if acc is None else acc
        return out

    def weighted_sum(self, e: p.Aggregate, counted: np.ndarray, values: np.ndarray,
                     weights: np.ndarray, rescaling: Any) -> Column:
        numbers = self.numbers
        total, scored_weight, err = self.weighted_totals(counted, values, weights)
        if rescaling is None:
            return Column(NUM, total, unit=e.type, err=err)
        some, summary, full = rescaling
        zero = numbers.test("=", scored_weight, numbers.zero)
        unrescalable = self.strings.mapped(summary, lambda r: f"{r}; the weights of the scored "
                                           "items sum to zero, so they cannot be rescaled")
        ns = np.where(np.logical_and(some, zero), unrescalable, SCORED)
        product, broke = numbers.binary("*", total, full)
        rescaled, broke_too = numbers.divide(product, scored_weight)
        rescale = np.logical_and(some, np.logical_not(zero))
        err = _or(err, np.logical_and(rescale, np.logical_or(broke, broke_too)))
        return Column(NUM, np.where(rescale, rescaled, total), ns, e.type, err=err)

    def weighted_mean(self, counted: np.ndarray, values: np.ndarray, weights: np.ndarray
                      ) -> tuple[Any, Any]:
        """Σ value × weight ÷ Σ weight; and the rows where that fails (not scored)."""
        total, weight_total, broke = self.weighted_totals(counted, values, weights)
        mean, broke_mean = self.numbers.divide(total, weight_total)
        return mean, _or(broke, broke_mean)

    def weighted_totals(self, counted: np.ndarray, values: np.ndarray, weights: np.ndarray
                        ) -> tuple[Any, Any, Any]:
        """Σ value × weight and Σ weight over the counted items, and where they fail."""
        products, failed = self.numbers.binary("*", values, weights)
        broke = np.logical_and(counted, failed).any(axis=0) if isinstance(
            failed, np.ndarray) else False
        total, broke_total = self.total(np.asarray(products), counted)
        weight_total, broke_weight = self.total(weights, counted)
        return total, weight_total, _or(_or(broke, broke_total), broke_weight)

    # ---- peers ----------------------------------------------------------------------------

    def peer(self, e: p.Aggregate, env: Env) -> Column:
        """An aggregation over organizations that is the same for every organization: every
        organization of a lane evaluated at once, reduced along the organization axis."""
        binder = e.binders[0]
        if not isinstance(binder.domain, p.Organizations):
            return self.aggregate(e, env, True)
        lanes, size = self.shape
        items = {**env, binder.name: self.own}
        shape = (lanes, 1)

        def stack(column: Column, expected: str) -> Stack:
            def axis(x: Any, dtype: Any) -> np.ndarray:
                full = np.broadcast_to(x if isinstance(x, np.ndarray) else broadcast(
                    x, (1, 1)), (lanes, size))
                return np.ascontiguousarray(full.T).astype(dtype, copy=False)[:, :, None]
            kind = expected if column.empty else column.kind
            dtype = object if (self.numbers.exact or kind == VALUE) else (
                bool if kind == TRUTH else np.float64)
            data = self._filler(kind) if column.empty else column.data
            ns = axis(column.ns, np.int32)
            return Stack(axis(data, dtype), ns >= 0, ns, axis(column.err, bool))

        where = stack(self.eval(e.where, items, True), TRUTH) if e.where is not None else None
        groups = self.sharing(binder.domain)
        kept = [self.kept(e, _part(where, members), len(members), shape)
                for _, members in groups]
        live: Any = True
        if self.track:
            reached = np.zeros((size, lanes), dtype=bool)
            for (_, members), (keep, _) in zip(groups, kept, strict=True):
                reached[members] = keep[:, :, 0]
            live = np.ascontiguousarray(reached.T)
        weight = stack(self.eval(e.weight, items, live), NUM) if e.weight is not None else None
        first = self.eval(e.value, items, live)
        kind = kind_of(e.value.type) if first.empty else first.kind
        value = stack(first, kind)
        result: Column | None = None
        for (rows, members), (keep, going) in zip(groups, kept, strict=True):
            def item_text(k: int, members: np.ndarray = members) -> str:
                return filter_text(e, {binder.name: Entity(
                    "organization", self.organizations[members[k]])})

            column = self.finish(e, kind, _part(where, members), going, keep,
                                 _part(value, members), _part(weight, members), env, True,
                                 item_text)
            result = column if result is None else attrs.evolve(
                merged(rows, column, result), err=_or(_and(rows, column.err),
                                                      _and(np.logical_not(rows), result.err)))
        assert result is not None
        return result

    def sharing(self, d: p.Organizations) -> list[tuple[Any, np.ndarray]]:
        """The organizations an aggregation over ``d`` goes over, by the rows (the
        organizations settled) that see them: all for all, or with ``same``, for each value
        of the input, the rows whose organizations have it and those organizations."""
        size = self.shape[1]
        if d.same is None:
            return [(True, np.arange(size))]
        found: dict[Value, list[int]] = {}
        for index, value in enumerate(self.input_values(d.same)):
            found.setdefault(value, []).append(index)
        groups = []
        for members in found.values():
            rows = np.zeros((1, size), dtype=bool)
            rows[0, members] = True
            groups.append((rows, np.asarray(members, dtype=np.intp)))
        return groups

    def input_values(self, name: str) -> list[Value]:
        raise NotImplementedError


def _part(stack: Stack | None, members: np.ndarray) -> Any:
    """The items of a stack that are ``members``."""
    if stack is None or len(members) == stack.data.shape[0]:
        return stack
    return Stack(stack.data[members], stack.unscored[members], stack.ns[members],
                 stack.err[members])


def kind_of(type_name: str) -> str:
    """The kind of column an expression of this type gives."""
    if type_name in t.NUMERIC:
        return NUM
    return TRUTH if type_name == "yesno" else VALUE


def _kind(e: p.Aggregate) -> str:
    if e.function in ("all", "any"):
        return TRUTH
    return NUM


def _or(a: Any, b: Any) -> Any:
    if is_false(a):
        return b
    if is_false(b):
        return a
    return np.logical_or(a, b)


def _and(a: Any, b: Any) -> Any:
    if a is True:
        return b
    if b is True:
        return a
    return np.logical_and(a, b)


def _first_reason(unscored: np.ndarray, value: Stack, weight: Stack | None) -> np.ndarray:
    """Per row, the reason of the first item not scored: its value's, else its weight's."""
    first = np.argmax(unscored, axis=0)[None]

    def taken(x: np.ndarray) -> np.ndarray:
        return np.take_along_axis(np.broadcast_to(x, (len(x), *first.shape[1:])), first,
                                  axis=0)[0]

    return np.where(np.logical_and(taken(value.unscored), unscored.any(axis=0)),
                    taken(value.ns), taken(weight.ns) if weight is not None else SCORED)


def _first_of(a: Any, b: Any) -> Any:
    """Per row, the reason ``a`` gives, else ``b``'s."""
    if not isinstance(a, np.ndarray) and a < 0:
        return b
    return np.where(np.asarray(a) >= 0, a, b)


def _shrink(x: Any) -> Any:
    """A result of shape (1, 1) as a scalar, so that it stays the same for every row."""
    return scalar(x) if isinstance(x, np.ndarray) else x



def _within(shape: tuple[int, ...], parts: Sequence[Any]) -> tuple[int, ...]:
    """The smallest shape of ``shape``'s rank that ``parts`` (arrays or scalars, each
    within ``shape``) broadcast to."""
    return np.broadcast_shapes((1,) * len(shape), *(np.shape(x) for x in parts))
