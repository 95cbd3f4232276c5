"""Rank-like counts over organizations, by sorting: takes an aggregation such as
``count(better(m, x at o, x) for each o in organizations, not scored: skip)`` (how many
organizations do better than this one: ``payment.peers_ahead``) and gives its value in
every row without comparing every organization with every other.

The count qualifies when whether an organization ``o`` counts is a *threshold* in a single
value ``u = x at o`` of the other organization: a comparison of ``u`` (moved by values that
do not depend on ``o``: ``u - b``, ``-u``, ``u * c``...) with a value that does not depend
on ``o``, possibly under ``not``, under an ``if`` whose condition does not depend on ``o``,
and through rules it calls. Every operation there is correctly rounded, so monotone in
``u``: the organizations that count are those whose ``u`` lies above (or below) some point,
which a binary search over each lane's sorted values of ``u`` finds, evaluating the
condition itself (as the exact backend would, for one organization) at about log₂ N probe
values per row. Anything else, and a policy other than ``skip`` where some item is not
scored, is left to the general aggregation.

A mixin of ``ColumnarAggregations``.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from eqlang.backends.columnar_values import (
    NUM,
    SCORED,
    TRUTH,
    VALUE,
    Column,
    Env,
    Numbers,
    broadcast,
    either,
    is_false,
)
from eqlang.check.dependence import free_locals
from eqlang.core import program as p

#: What an expression is as a function of ``u``: not depending on it (INDEPENDENT), the
#: binder itself (BINDER), a number monotone in it (MONOTONE) or a yes/no that holds on one
#: side of a point (THRESHOLD).
INDEPENDENT, BINDER, MONOTONE, THRESHOLD = "independent", "binder", "monotone", "threshold"

#: The binder's value while a condition is evaluated at probe values.
PROBE = object()


@attrs.define
class _Found:
    """The ``x`` of ``x at o``, with the local variables it is evaluated with."""

    value: p.Expr | None = None
    env: Env | None = None


class Ranks:
    program: p.Program
    numbers: Numbers
    shape: tuple[int, int]
    probe: Column | None

    def eval(self, e: p.Expr, env: Env, live: Any) -> Column:
        raise NotImplementedError

    def ranked(self, e: p.Aggregate, env: Env, live: Any) -> Column | None:
        """A count over organizations by sorting, or None where it does not qualify."""
        if e.function != "count" or len(e.binders) != 1 or e.weight is not None or not \
                isinstance(e.binders[0].domain, p.Organizations) or \
                e.binders[0].domain.same is not None:
            return None
        binder = e.binders[0].name
        if e.where is None:
            condition = e.value
        elif isinstance(e.value, p.Local) and e.value.name == binder:
            condition = e.where
        else:
            return None
        found = _Found()
        symbols = {name: INDEPENDENT for name in env}
        symbols[binder] = BINDER
        try:
            shape = self._shape(condition, symbols, env, found, 0)
        except _NotThreshold:
            return None
        if shape != THRESHOLD or found.value is None or found.env is None:
            return None
        free = free_locals(found.value)
        if any(name not in found.env or not found.env[name].uniform for name in free):
            return None
        u = self.eval(found.value, found.env, True)
        return self._count(e, condition, {**env, binder: Column(VALUE, PROBE)}, u, live)

    # ---- which counts qualify -------------------------------------------------------------

    def _shape(self, e: p.Expr, symbols: dict[str, str], env: Env, found: _Found,
               depth: int) -> str:
        """What ``e`` is as a function of ``u``; raises ``_NotThreshold`` where it is none
        of those. ``env`` holds the columns of the local variables that do not depend on
        ``u``, for evaluating ``x``."""
        if depth > 32:
            raise _NotThreshold
        if isinstance(e, p.Local):
            return symbols.get(e.name, INDEPENDENT)
        if isinstance(e, p.At):
            where = self._shape(e.organization, symbols, env, found, depth + 1)
            if where == INDEPENDENT:
                self._independent(e.value, symbols, env, found, depth)
                return INDEPENDENT
            if where != BINDER or self._shape(e.value, {k: v for k, v in symbols.items()
                                                        if v == INDEPENDENT}, env, found,
                                              depth + 1) != INDEPENDENT:
                raise _NotThreshold
            if found.value is None:
                found.value, found.env = e.value, env
            elif found.value != e.value or not _same_env(found, e.value, env):
                raise _NotThreshold
            return MONOTONE
        if isinstance(e, p.Call):
            return self._call(e, symbols, env, found, depth)
        parts = [self._shape(c, symbols, env, found, depth + 1) for c in p.children(e)]
        if all(s == INDEPENDENT for s in parts):
            return INDEPENDENT
        if BINDER in parts:
            raise _NotThreshold
        if isinstance(e, p.Arithmetic):
            right = parts[1]
            if (e.op in "+-" and INDEPENDENT in parts) or (e.op == "*" and INDEPENDENT in parts) \
                    or (e.op == "/" and right == INDEPENDENT):
                return MONOTONE
        elif isinstance(e, p.Negate):
            return MONOTONE
        elif isinstance(e, p.Compare):
            if e.op in ("<", "<=", ">", ">=") and INDEPENDENT in parts:
                return THRESHOLD
        elif isinstance(e, p.Not):
            return THRESHOLD
        elif isinstance(e, p.If) and parts[0] == INDEPENDENT:
            rest = set(parts[1:])
            if rest <= {INDEPENDENT, THRESHOLD} or rest <= {INDEPENDENT, MONOTONE}:
                return THRESHOLD if THRESHOLD in rest or e.type == "yesno" else MONOTONE
        raise _NotThreshold

    def _independent(self, e: p.Expr, symbols: dict[str, str], env: Env, found: _Found,
                     depth: int) -> None:
        if self._shape(e, symbols, env, found, depth + 1) != INDEPENDENT:
            raise _NotThreshold

    def _call(self, e: p.Call, symbols: dict[str, str], env: Env, found: _Found,
              depth: int) -> str:
        parts = [self._shape(a, symbols, env, found, depth + 1) for a in e.args]
        if all(s == INDEPENDENT for s in parts):
            return INDEPENDENT
        rule = self.program.rules[e.rule]
        if rule.kind == "schedule" or rule.exceptions or rule.body is None or (
                rule.rounding is not None and rule.rounding.places is not None):
            raise _NotThreshold
        inner_symbols: dict[str, str] = {}
        inner_env: Env = {}
        for param, arg, part in zip(rule.params, e.args, parts, strict=True):
            inner_symbols[param.name] = part
            if part == INDEPENDENT:
                inner_env[param.name] = self.eval(arg, env, True)
        return self._shape(rule.body, inner_symbols, inner_env, found, depth + 1)

    # ---- counting ---------------------------------------------------------------------------

    def _count(self, e: p.Aggregate, condition: p.Expr, env: Env, u: Column, live: Any
               ) -> Column | None:
        size = self.shape[1]
        numbers = self.numbers
        values = _full(u.data if not u.empty else numbers.zero, self.shape, numbers)
        scored = np.logical_not(np.broadcast_to(u.unscored(), self.shape))
        if e.policy != "skip" and not scored.all():
            return None
        top = numbers.literal(_INFINITY)
        order = np.argsort(np.where(scored, values, top), axis=1, kind="stable")
        ordered = np.take_along_axis(values, order, axis=1)
        count = scored.sum(axis=1, keepdims=True)  # (lanes, 1)

        def holds(index: Any, err: bool = False) -> Column:
            probe = np.take_along_axis(ordered, np.broadcast_to(
                np.minimum(index, size - 1), self.shape), axis=1)
            self.probe = Column(NUM, probe, unit=u.unit, err=np.ones(self.shape, dtype=bool)
                                if err else False)
            try:
                return self.eval(condition, env, live)
            finally:
                self.probe = None

        lowest = holds(np.zeros(self.shape, dtype=np.int64))
        reaches = holds(np.zeros(self.shape, dtype=np.int64), err=True).err
        row_scored = np.logical_not(np.broadcast_to(lowest.unscored(), self.shape))
        if e.policy != "skip" and not row_scored.all():
            return None
        last = np.broadcast_to(np.maximum(count - 1, 0), self.shape)
        highest = holds(last)
        at_low = _truth(lowest, self.shape)
        at_high = _truth(highest, self.shape)
        rising = np.logical_and(np.logical_not(at_low), at_high)
        falling = np.logical_and(at_low, np.logical_not(at_high))
        # Binary search for the first place where the condition changes, per row.
        low = np.zeros(self.shape, dtype=np.int64)
        high = np.broadcast_to(count, self.shape).astype(np.int64) - 1
        searching = np.logical_or(rising, falling)
        while searching.any():
            middle = (low + high) // 2
            changed = _truth(holds(middle), self.shape) == rising
            high = np.where(np.logical_and(searching, changed), middle, high)
            low = np.where(np.logical_and(searching, np.logical_not(changed)), middle + 1, low)
            searching = np.logical_and(searching, low < high)
        counts = np.where(rising, np.broadcast_to(count, self.shape) - low,
                          np.where(falling, low, np.where(at_low, np.broadcast_to(
                              count, self.shape), 0)))
        counts = np.where(row_scored, np.where(np.broadcast_to(count, self.shape) > 0,
                                               counts, 0), 0)
        lane_err = np.logical_and(np.broadcast_to(u.err, self.shape), True).any(
            axis=1, keepdims=True)
        err = either(lowest.err, np.logical_and(reaches, lane_err) if not is_false(
            reaches) else False)
        return Column(NUM, numbers.whole(counts), SCORED, "count", err=err)


class _NotThreshold(Exception):
    pass


_INFINITY = __import__("decimal").Decimal("Infinity")


def _same_env(found: _Found, value: p.Expr, env: Env) -> bool:
    """Whether ``x`` reads the same values here as where it was first found."""
    assert found.env is not None
    for name in free_locals(value):
        a, b = found.env.get(name), env.get(name)
        if a is None or b is None or not a.uniform or not b.uniform or a.data != b.data or \
                a.ns != b.ns:
            return False
    return True


def _full(x: Any, shape: tuple[int, int], numbers: Numbers) -> np.ndarray:
    if isinstance(x, np.ndarray):
        return np.ascontiguousarray(np.broadcast_to(x, shape))
    return broadcast(x, shape) if numbers.exact else np.full(shape, float(x))


def _truth(column: Column, shape: tuple[int, int]) -> np.ndarray:
    """Where a yes/no column is scored yes."""
    if column.empty or column.kind != TRUTH:
        return np.zeros(shape, dtype=bool)
    return np.logical_and(np.broadcast_to(column.data, shape),
                          np.logical_not(np.broadcast_to(column.unscored(), shape)))
