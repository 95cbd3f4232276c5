"""Aggregations: how a backend evaluates ``sum``, ``mean``, ``count``, ``all``, ``any``,
``min``, ``max``, ``median`` and ``percentile`` over a ``for each``, with its ``where``
filter, its weights and its policy for items that are not scored.

A part of the exact backend (``eqlang.backends.exact.Evaluator``), which the interval
backend extends.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from eqlang.backends.derivation import Env, Key, Parts, annotate
from eqlang.check import units as t
from eqlang.core import builtins
from eqlang.core import program as p
from eqlang.core.values import (
    ArithmeticError_,
    Entity,
    Group,
    NotScored,
    Quantity,
    Truth,
    Value,
    display,
)

#: An item of an aggregation: its value, its weight, and whether it surely counts.
Item = tuple[Value, Value | None, bool]


class Aggregations(Parts):

    def domain(self, d: p.Domain, env: Env) -> list[Value] | NotScored:
        if isinstance(d, p.Measures):
            return [Entity("measure", c) for c in self.contract_measures]
        if isinstance(d, p.Organizations):
            found = self.tables.organizations() if d.same is None else \
                self.peers_sharing(d.same, env)
            return [Entity("organization", o) for o in found]
        if isinstance(d, p.Groups):
            if d.stratification is not None:
                strat = self.program.stratifications[d.stratification]
            else:
                assert d.local is not None
                chosen = env.local[d.local]
                if isinstance(chosen, NotScored):
                    return chosen
                assert isinstance(chosen, Entity)
                strat = self.program.stratifications[chosen.name]
            return [Group("named", g) for g in (strat.focus if d.focus else strat.groups)]
        return [self.eval(item, env) for item in d.items]

    def _bindings(self, binders: tuple[p.Binder, ...], env: Env
                  ) -> Iterator[dict[str, Value]] | NotScored:
        domains: list[tuple[str, list[Value]]] = []
        for binder in binders:
            values = self.domain(binder.domain, env)
            if isinstance(values, NotScored):
                return values
            domains.append((binder.name, values))
        return self._combinations(domains, env)

    @staticmethod
    def _combinations(domains: list[tuple[str, list[Value]]], env: Env
                      ) -> Iterator[dict[str, Value]]:
        names = [name for name, _ in domains]
        for combination in itertools.product(*(values for _, values in domains)):
            yield {**env.local, **dict(zip(names, combination, strict=True))}

    def _x_Aggregate(self, e: p.Aggregate, env: Env) -> Value:
        free = self.program.peer_aggregates.get(e.site)
        value = self.aggregate(e, env) if free is None else self.peer(e, free, env)
        if env.node is not None and free is None:
            env.node.record(e.site, value)
        return value

    def peer(self, e: p.Aggregate, free: tuple[str, ...], env: Env) -> Value:
        """An aggregation over organizations that is the same for every organization:
        evaluated once per run for each value of the variables it reads. Its key is named
        ``@SITE``; traces name it by its text."""
        args = tuple(env.local[name] for name in free)
        shared = self.program.peer_inputs.get(e.site)
        if shared is not None:
            # Computed once for each value of the input the peers share.
            args += (self.organization_input(shared, env, e.span),)
        key = Key("", f"@{e.site}", args)
        value = self._known(key)
        if value is None:
            node = self._derivation(key, "peers", span=e.span)
            inner = Env(env.org, env.local, node, env.key)
            value = self.aggregate(e, inner)
            if node is not None:
                node.value = value
            self.memo[key] = value
        self._use(env, key)
        if env.node is not None:
            env.node.record(e.site, key)
        return value

    def aggregate(self, e: p.Aggregate, env: Env) -> Value:
        policy = e.policy
        # (value, weight, certain): an item is uncertain where it may or may not count,
        # which only a backend of values known within bounds sees.
        items: list[Item] = []
        perhaps_unscored = False
        bindings = self._bindings(e.binders, env)
        if isinstance(bindings, NotScored):
            return bindings
        # Items the `where` filter left out, and why the first of them was, so that an
        # aggregation left with nothing says what took its items away.
        left_out = 0
        first_out: str | None = None
        for local in bindings:
            inner = self.inner(env, local)
            certain = True
            if e.where is not None:
                keep = self.eval(e.where, inner)
                if isinstance(keep, NotScored):
                    if policy == "skip":
                        left_out += 1
                        first_out = first_out or f"its `where` filter is not scored: " \
                            f"{keep.reason}"
                        continue
                    return NotScored(f"a `where` filter is not scored: {keep.reason}")
                assert isinstance(keep, Truth)
                counts, certain, perhaps = self.admitted(keep, policy)
                perhaps_unscored = perhaps_unscored or perhaps
                if not counts:
                    left_out += 1
                    first_out = first_out or filter_text(e, local)
                    continue
            items.append((*self.item(e, inner), certain))
        unscored = [i for i, (v, w, _) in enumerate(items)
                    if isinstance(v, NotScored) or isinstance(w, NotScored)]
        rescaling: tuple[str, Any] | None = None
        first: NotScored | None = None
        if unscored:
            first = next(x for i in unscored for x in items[i][:2] if isinstance(x, NotScored))
            assert isinstance(first, NotScored)
            summary = f"{len(unscored)} of {len(items)} items not scored; first: {first.reason}"
            if policy == "propagate":
                if any(items[i][2] for i in unscored):
                    return NotScored(summary)
                perhaps_unscored = True
            if policy == "rescale":
                if len(unscored) == len(items):
                    return NotScored(f"none of the {len(items)} items is scored, so there is "
                                     f"no weight to rescale; first: {first.reason}")
                # The full weight is that of every item whose weight is known, scored or not.
                rescaling = (summary, self.total([w.magnitude for _, w, _ in items
                                                  if isinstance(w, Quantity)]))
            if policy == "zero":
                zero = Quantity(e.value.type, self.math.literal(Decimal(0)))
                items = [(zero if isinstance(v, NotScored) else v, w, c) for v, w, c in items
                         if not isinstance(w, NotScored)]
            else:
                dropped = set(unscored)
                items = [item for i, item in enumerate(items) if i not in dropped]
        if not items and e.function not in ("sum", "count", "all", "any"):
            cause = empty_cause(left_out, first_out, len(unscored), first)
            if cause is not None:
                return NotScored(f"no items to take the {e.function} of: {cause}")
        return self.finish(e, items, rescaling, perhaps_unscored, env)

    def inner(self, env: Env, local: dict[str, Value]) -> Env:
        """Where one item of an aggregation is evaluated."""
        return Env(env.org, local, env.node, env.key)

    def admitted(self, keep: Truth, policy: str) -> tuple[bool, bool, bool]:
        """Whether an item whose `where` filter gave ``keep`` counts, whether surely, and
        whether that may leave the result not scored."""
        return bool(keep.value), True, False

    def item(self, e: p.Aggregate, env: Env) -> tuple[Value, Value | None]:
        """An aggregation's item and its weight."""
        weight = None if e.weight is None else self.eval(e.weight, env)
        return self.eval(e.value, env), weight

    def finish(self, e: p.Aggregate, items: list[Item], rescaling: tuple[str, Any] | None,
               perhaps_unscored: bool, env: Env) -> Value:
        """The aggregation of the items that count, once the not-scored ones are dealt
        with as the policy says."""
        return self.combine(e, [(v, w) for v, w, _ in items], rescaling, env)

    def combine(self, e: p.Aggregate, items: list[tuple[Value, Value | None]],
                rescaling: tuple[str, Any] | None, env: Env) -> Value:
        """The aggregation of the items that count."""
        name = e.function
        math = self.math
        if name == "count":
            counted = sum(1 for v, _ in items if not isinstance(v, Truth) or v.value)
            return Quantity("count", math.literal(Decimal(counted)))
        if name in ("all", "any"):
            answers = [v.value for v, _ in items if isinstance(v, Truth)]
            return Truth(all(answers) if name == "all" else any(answers))
        magnitudes = [v.magnitude for v, _ in items if isinstance(v, Quantity)]
        if name == "sum" and e.weight is not None:
            return self.weighted_sum(e, items, rescaling, env)
        if name == "sum":
            return Quantity(e.type, self.total(magnitudes))
        if not magnitudes:
            return NotScored(f"no items to take the {name} of")
        if name == "mean" and e.weight is not None:
            return self.weighted_mean(e, items, rescaling, env)
        if name == "mean":
            return Quantity(e.type, math.mean(magnitudes, None))
        if name in ("min", "max"):
            pick = math.minimum if name == "min" else math.maximum
            result = magnitudes[0]
            for magnitude in magnitudes[1:]:
                result = pick(result, magnitude)
            return Quantity(e.type, result)
        share = math.literal(builtins.MEDIAN)
        if e.share is not None:
            written = self.eval(e.share, env)
            if isinstance(written, NotScored):
                return written
            assert isinstance(written, Quantity)
            share = written.magnitude
        self.check_share(e, share, env)
        return Quantity(e.type, math.percentile(magnitudes, share))

    def check_share(self, e: p.Aggregate, share: Any, env: Env) -> None:
        if share < 0 or share > 1:
            raise self.fail("E0405", "a percentile must lie between 0% and 100%", e.span, env)

    def total(self, magnitudes: list[Any]) -> Any:
        total = self.math.literal(Decimal(0))
        for magnitude in magnitudes:
            total = self.math.add(total, magnitude)
        return total

    def weighted_totals(self, items: list[tuple[Value, Value | None]]) -> tuple[Any, Any]:
        """Σ value × weight and Σ weight, over items that are all scored."""
        products, weights = [], []
        for value, weight in items:
            assert isinstance(value, Quantity) and isinstance(weight, Quantity)
            products.append(self.math.multiply(value.magnitude, weight.magnitude))
            weights.append(weight.magnitude)
        return self.total(products), self.total(weights)

    def weighted_sum(self, e: p.Aggregate, items: list[tuple[Value, Value | None]],
                     rescaling: tuple[str, Any] | None, env: Env) -> Value:
        total, scored_weight = self.weighted_totals(items)
        if rescaling is None:
            return Quantity(e.type, total)
        unrescalable = NotScored(f"{rescaling[0]}; the weights of the scored items sum to zero, "
                                 "so they cannot be rescaled")
        if scored_weight == 0:
            return unrescalable
        return self.rescaled(e, total, scored_weight, rescaling, env)

    def rescaled(self, e: p.Aggregate, total: Any, scored_weight: Any,
                 rescaling: tuple[str, Any], env: Env) -> Value:
        summary, full_weight = rescaling
        math = self.math
        # Multiplied before dividing, so the one division is the only rounding.
        rescaled = math.divide(math.multiply(total, full_weight), scored_weight)
        if env.node is not None:
            factor = math.divide(full_weight, scored_weight)
            annotate(env, f"{summary}; the scored items' weights, "
                     f"{weight_text(e, scored_weight)} of {weight_text(e, full_weight)}, "
                     f"were scaled up by {display(Quantity('number', factor), 4)} to carry "
                     "the full weight")
        return Quantity(e.type, rescaled)

    def weighted_mean(self, e: p.Aggregate, items: list[tuple[Value, Value | None]],
                      rescaling: tuple[str, Any] | None, env: Env) -> Value:
        values = [v.magnitude for v, _ in items if isinstance(v, Quantity)]
        weights = [w.magnitude for _, w in items if isinstance(w, Quantity)]
        try:
            mean = self.math.mean(values, weights)
        except ArithmeticError_:
            return NotScored("the weights of the items sum to zero")
        if rescaling is not None and env.node is not None:
            summary, full_weight = rescaling
            # Scaling every weight by one factor leaves a weighted mean as it is.
            annotate(env, f"{summary}; the mean is over the scored items' weights, "
                     f"{weight_text(e, self.total(weights))} of {weight_text(e, full_weight)},"
                     " rescaled to carry the full weight")
        return Quantity(e.type, mean)


def filter_text(e: p.Aggregate, local: dict[str, Value]) -> str:
    """``scorable(CBP, g) is no for g = Hispanic``: why the ``where`` filter left an item
    out, with the values of the variables it ranges over."""
    assert e.where is not None
    names = [b.name for b in e.binders]
    text = " ".join(e.where.span.text.split()) if e.where.span is not None else "the filter"
    chosen = ", ".join(f"{name} = {display(local[name])}" for name in names if name in local)
    return f"`{text}` is no for {chosen}" if chosen else f"`{text}` is no"


def empty_cause(left_out: int, first_out: str | None, skipped: int,
                 unscored: NotScored | None) -> str | None:
    """Why an aggregation has no items left: the ``where`` filter left them all out, or
    every one was not scored and skipped (the reasons of the first of each kind)."""
    causes = []
    if left_out:
        causes.append(f"the `where` filter left out {_items(left_out)} ({first_out})")
    if unscored is not None:
        which = ("the other" if skipped > 1 else "the other item") if left_out else _items(
            skipped)
        count = f" {skipped}" if left_out and skipped > 1 else ""
        verb = "were" if skipped > 1 else "was"
        causes.append(f"{which}{count} {verb} not scored (first: {unscored.reason})")
    return "; ".join(causes) or None


def _items(count: int) -> str:
    return "the only item" if count == 1 else f"all {count} items"


def weight_text(e: p.Aggregate, magnitude: Any) -> str:
    assert e.weight is not None
    return display(Quantity(e.weight.type if e.weight.type in t.NUMERIC else "number",
                            magnitude), 4)
