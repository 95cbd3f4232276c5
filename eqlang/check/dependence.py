"""Dependence on the organization: the last analysis of checking. Takes the typed rules,
gives which of them depend on the organization being settled, and which aggregations over
organizations do not (a peer median: the same for every organization).

A value depends on the organization being settled when it reads that organization's rows
(``rate``, ``numerator``, ``denominator``, ``reference``) or inputs, or names it
(``organization``), directly or through a rule it calls; ``x at o`` reads the rows of ``o``
instead, so it depends only on how ``o`` is found. An aggregation over ``organizations with
the same INPUT`` depends on the organization only through that input's value: it is
computed once per run for each value.
Backends compute what does not depend on the organization once per run, not once per
organization.
"""

from __future__ import annotations

import attrs

from eqlang.core import program as p

#: Builtins that read the rows of the organization being settled.
_READS_ROWS = frozenset({"rate", "numerator", "denominator", "reference"})


class _Dependence:
    def __init__(self, rules: dict[str, p.Rule]) -> None:
        self.rules = rules
        self.known: dict[str, bool] = {}
        self.in_progress: set[str] = set()
        self.peers: dict[int, tuple[str, ...]] = {}
        self.peer_inputs: dict[int, str] = {}
        #: Rules that read some organization's rows, directly or through what they call.
        self.reading: set[str] = set()

    def rule(self, key: str) -> bool:
        if key in self.known:
            return self.known[key]
        if key in self.in_progress or key not in self.rules:
            return False  # a cycle or an unknown rule: already an error
        self.in_progress.add(key)
        rule = self.rules[key]
        parts: list[p.Expr] = [x for x in (rule.body,) if x is not None]
        for exception in rule.exceptions:
            parts.extend((exception.value, exception.condition))
        parts.extend(tier.value for tier in rule.tiers)
        found = False
        for part in parts:
            found = self.expr(part) or found
            if any(self._reads(e) for e in p.walk(part)):
                self.reading.add(key)
        self.in_progress.discard(key)
        self.known[key] = found
        return found

    def expr(self, e: p.Expr) -> bool:
        """Whether ``e`` depends on the organization; every expression below it is visited,
        so that each aggregation over organizations is classified."""
        if isinstance(e, p.At):
            self.expr(e.value)
            return self.expr(e.organization)
        below = [self.expr(child) for child in p.children(e)]
        found = any(below)
        if (isinstance(e, p.Builtin) and e.name in _READS_ROWS) or isinstance(
                e, p.Input | p.TheOrganization):
            found = True
        elif isinstance(e, p.Call):
            found = self.rule(e.rule) or found
        if isinstance(e, p.Aggregate) and not found and any(
                isinstance(b.domain, p.Organizations) for b in e.binders):
            self.peers[e.site] = tuple(sorted(free_locals(e)))
            shared = [b.domain.same for b in e.binders
                      if isinstance(b.domain, p.Organizations) and b.domain.same is not None]
            if shared:
                # One binder shares an input; the checker allows `with the same` only there.
                self.peer_inputs[e.site] = shared[0]
                found = True
        return found


    def _reads(self, e: p.Expr) -> bool:
        if isinstance(e, p.Builtin):
            return e.name in _READS_ROWS
        if isinstance(e, p.Input | p.TheOrganization):
            return True
        if isinstance(e, p.Aggregate):
            return any(isinstance(b.domain, p.Organizations) and b.domain.same is not None
                       for b in e.binders)
        return isinstance(e, p.Call) and (self.rule(e.rule) or e.rule in self.reading)


def free_locals(e: p.Expr, bound: frozenset[str] = frozenset()) -> set[str]:
    """The local variables ``e`` reads that it does not bind itself."""
    if isinstance(e, p.Local):
        return set() if e.name in bound else {e.name}
    found: set[str] = set()
    if isinstance(e, p.Aggregate):
        inner = bound | {b.name for b in e.binders}
        for b in e.binders:
            for item in p.domain_items(b.domain):
                found |= free_locals(item, bound)
            if isinstance(b.domain, p.Groups) and b.domain.local and b.domain.local not in bound:
                found.add(b.domain.local)
        if e.share is not None:
            found |= free_locals(e.share, bound)
        for part in (e.where, e.value, e.weight):
            if part is not None:
                found |= free_locals(part, inner)
        return found
    if isinstance(e, p.MemberOf) and isinstance(e.domain, p.Groups) and e.domain.local \
            and e.domain.local not in bound:
        found.add(e.domain.local)
    for child in p.children(e):
        found |= free_locals(child, bound)
    return found


@attrs.frozen
class Dependence:
    #: Rules that depend on the organization being settled.
    organization_rules: frozenset[str]
    #: Rules that read no organization's rows at all: constants of the contract.
    constant_rules: frozenset[str]
    #: Aggregations over organizations that do not depend on the organization being
    #: settled, by site, with the local variables they read.
    peer_aggregates: dict[int, tuple[str, ...]]
    #: Those of them over peers with the same value of an input, by site: the input.
    peer_inputs: dict[int, str] = attrs.Factory(dict)


def organization_dependence(rules: dict[str, p.Rule], order: tuple[str, ...]) -> Dependence:
    """What depends on the organization being settled, and what reads no rows at all;
    ``order`` has each rule after those it calls, so that no chain of calls recurses."""
    dependence = _Dependence(rules)
    for key in (*order, *rules):
        dependence.rule(key)
    return Dependence(frozenset(k for k, v in dependence.known.items() if v),
                      frozenset(k for k in rules if k not in dependence.reading),
                      dependence.peers, dependence.peer_inputs)
