"""Cost: a pass of checking. Takes the typed program, gives an upper bound of the work of
settling it, or errors: a contract whose bound is beyond the documented limit even for one
organization (E0311), or whose rules call each other in a chain too deep to evaluate
(E0312).

The work is counted in evaluation steps, as the backends count them: one per expression
evaluated. A rule whose parameters are all measures, groups, periods, stratifications or
organizations is evaluated once per argument (and per organization, if it depends on the
organization being settled); one that takes a number is evaluated again at every call.
An aggregation costs its items times the cost of one. The number of organizations is not
known until the tables are read, so the bound is a polynomial in it: the part paid once per
run (rules the same for every organization, peer aggregations) and the part paid for each
organization. The checker refuses a contract whose bound for one organization is beyond
``MAX_STEPS``; the exact backend counts the steps of each organization it settles against
the same budget, and stops one that would use more (E0406) instead of running for hours or
out of memory.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from eqlang.check.scope import Declarations, Pass
from eqlang.core import program as p
from eqlang.core.limits import DEFAULT_STEP_LIMIT, STACK_FRAMES

#: The most evaluation steps a contract may need to settle one organization (and what
#: every organization shares), checked when the contract is checked; the exact backend's
#: step budget for each organization is the same.
MAX_STEPS = DEFAULT_STEP_LIMIT

#: Python stack frames the exact backend may use at most: a chain of rules calling one
#: another deeper than this (counting how deep each call is written) is refused (E0312).
MAX_FRAMES = STACK_FRAMES * 2 // 3

#: Costs are kept below this so that a hostile contract cannot build enormous numbers.
_CAP = 10**30


@attrs.frozen
class Poly:
    """A cost as a polynomial in the number of organizations: ``terms[k]`` times N**k."""

    terms: tuple[int, ...] = (0,)

    def __add__(self, other: Poly) -> Poly:
        if len(self.terms) == 1 and len(other.terms) == 1:
            # Most costs do not grow with the organizations: one term, added straight.
            return Poly((min(_CAP, self.terms[0] + other.terms[0]),))
        size = max(len(self.terms), len(other.terms))
        return Poly(tuple(min(_CAP, _at(self.terms, k) + _at(other.terms, k))
                          for k in range(size)))

    def __mul__(self, other: Poly) -> Poly:
        if len(self.terms) == 1 and len(other.terms) == 1:
            return Poly((min(_CAP, self.terms[0] * other.terms[0]),))
        terms = [0] * (len(self.terms) + len(other.terms) - 1)
        for i, a in enumerate(self.terms):
            for j, b in enumerate(other.terms):
                terms[i + j] = min(_CAP, terms[i + j] + a * b)
        return Poly(tuple(terms))

    def at(self, organizations: int) -> int:
        return min(_CAP, sum(c * organizations**k for k, c in enumerate(self.terms)))


def _at(terms: tuple[int, ...], k: int) -> int:
    return terms[k] if k < len(terms) else 0


ONE = Poly((1,))
PER_ORGANIZATION = Poly((0, 1))


@attrs.frozen
class Cost:
    """The bound of one contract's settlement, and where the largest part of it comes from.

    ``per_run`` is paid once whatever the number of organizations; ``per_organization``
    for each organization settled. ``parts`` lists each rule's share of them (its cost
    times how many times it is evaluated), largest first, to name the one responsible.
    """

    per_run: Poly = Poly()
    per_organization: Poly = Poly()
    parts: tuple[tuple[str, p.Rule | None, Poly, bool], ...] = ()

    def steps(self, organizations: int) -> int:
        """The most steps settling ``organizations`` organizations can take."""
        return min(_CAP, self.per_run.at(organizations)
                   + organizations * self.per_organization.at(organizations))

    def largest(self, organizations: int) -> tuple[str, p.Rule | None] | None:
        """The rule (or aggregation) that accounts for the most of it."""
        if not self.parts:
            return None
        name, rule, _, _ = max(
            self.parts, key=lambda part: part[2].at(organizations)
            * (1 if not part[3] else max(organizations, 1)))
        return name, rule


class Costs(Pass):
    def __init__(self, declared: Declarations, rules: dict[str, p.Rule],
                 parameters: dict[str, p.ParameterRule], organization_rules: frozenset[str],
                 peers: dict[int, tuple[str, ...]], peer_inputs: dict[int, str] | None = None,
                 inputs: dict[str, p.InputInfo] | None = None) -> None:
        super().__init__(declared.diagnostics)
        self.rules = rules
        self.parameters = parameters
        self.organization_rules = organization_rules
        self.peers = peers
        self.peer_inputs = peer_inputs or {}
        self.inputs = inputs or {}
        measures = max(len(declared.measures), 1)
        groups = sum(len(s.groups) for s in declared.stratifications.values())
        self.domains = {
            "measure": Poly((measures,)), "period": Poly((max(len(declared.periods), 1),)),
            # A named group, the whole population, or the rest of the population beside one.
            "group": Poly((2 * groups + 1,)),
            "stratification": Poly((max(len(declared.stratifications), 1),)),
            "organization": PER_ORGANIZATION,
        }
        self.own_measures = Poly((max(len(declared.main_measures), 1),))
        self.strata = declared.stratifications
        self.once: dict[str, Poly] = {}
        self.in_progress: set[str] = set()
        self.frames: dict[str, tuple[int, tuple[str, ...]]] = {}

    def run(self, outputs: Iterable[str], order: tuple[str, ...]) -> Cost:
        """The bound of settling ``outputs``; ``order`` has each rule after those it calls,
        so that no chain of calls recurses."""
        for key in order:
            self._once(key)
            self._depth(key)
        per_run, per_organization = Poly(), Poly()
        parts = []
        for key in self._reachable(outputs):
            rule = self.rules[key]
            instances = self._instances(rule.params)
            if instances is None:
                continue  # evaluated at each call, counted there
            total = instances * self._once(key)
            org = key in self.organization_rules
            parts.append((key, rule, total, org))
            if org:
                per_organization = per_organization + total
            else:
                per_run = per_run + total
        for aggregate, instances, once in self._peer_sites().values():
            total = instances * once
            assert aggregate.span is not None
            parts.append((f"the aggregation at {aggregate.span.location()}", None, total,
                          False))
            per_run = per_run + total
        for parameter in self.parameters.values():
            per_run = per_run + self._cost(parameter.value)
        cost = Cost(per_run, per_organization,
                    tuple(sorted(parts, key=lambda part: part[2].terms, reverse=True)))
        self._check(cost)
        for key in outputs:
            self._depth(key)
        return cost

    def _check(self, cost: Cost) -> None:
        steps = cost.steps(1)
        if steps <= MAX_STEPS:
            return
        largest = cost.largest(1)
        assert largest is not None
        name, rule = largest
        where = f"`{name}`" if rule is not None else name
        if rule is not None:
            responsible = self._responsible(name)
            if responsible != name:
                where = f"`{responsible}` (called by `{name}`)"
                rule = self.rules[responsible]
        self.error("E0311", f"settling this contract may take more than {MAX_STEPS:,} "
                   f"evaluation steps for a single organization (up to {_shown(steps)}), "
                   f"most of them in {where}", rule.span if rule is not None else None,
                   hint="a rule that takes a number is evaluated again at every call, and "
                   "an aggregation over several variables takes every combination of "
                   "them: pass measures, groups or periods instead of computed numbers, "
                   "name inner values with `define`, or loop over fewer variables")

    def _responsible(self, key: str) -> str:
        """Down from a rule, the rule that makes most of its work: while one call of a rule
        evaluated anew at every call accounts for more than half of it, that rule."""
        while True:
            total = self._once(key).at(1)
            heaviest: tuple[str, int] | None = None
            for part in _parts(self.rules[key]):
                for e in p.walk(part):
                    if isinstance(e, p.Call) and e.rule in self.rules and self._instances(
                            self.rules[e.rule].params) is None:
                        work = self._once(e.rule).at(1)
                        if heaviest is None or work > heaviest[1]:
                            heaviest = (e.rule, work)
            if heaviest is None or 2 * heaviest[1] <= total:
                return key
            key = heaviest[0]

    # ---- the cost of one evaluation ---------------------------------------------------------

    def _instances(self, params: Iterable[p.Param]) -> Poly | None:
        """How many different argument lists a rule can be called with; None where one
        is a number, text or date, which is not counted (the rule is evaluated at each
        call)."""
        total = ONE
        for param in params:
            domain = self.domains.get(param.type)
            if domain is None:
                return None
            total = total * domain
        return total

    def _once(self, key: str) -> Poly:
        """The cost of evaluating a rule's body once (exceptions and every tier included)."""
        if key in self.once:
            return self.once[key]
        if key in self.in_progress:
            return ONE  # a cycle: already an error
        self.in_progress.add(key)
        cost = Poly()
        for part in _parts(self.rules[key]):
            cost = cost + self._cost(part)
        self.in_progress.discard(key)
        self.once[key] = cost
        return cost

    def _cost(self, e: p.Expr) -> Poly:
        cost = ONE
        if isinstance(e, p.Aggregate):
            peer = self.peers.get(e.site)
            if peer is not None and self._memoized(peer, e):
                for binder in e.binders:
                    for item in p.domain_items(binder.domain):
                        cost = cost + self._cost(item)
                return cost
            return cost + self._aggregate(e)
        for child in p.children(e):
            cost = cost + self._cost(child)
        if isinstance(e, p.Call) and e.rule in self.rules and self._instances(
                self.rules[e.rule].params) is None:
            cost = cost + self._once(e.rule)
        if isinstance(e, p.Builtin) and e.name == "reference":
            cost = cost + Poly((4 * max((len(s.groups) for s in self.strata.values()),
                                        default=1),))
        return cost

    def _aggregate(self, e: p.Aggregate) -> Poly:
        """One aggregation: its domains, then every combination of its variables."""
        cost = Poly()
        combinations = ONE
        for binder in e.binders:
            combinations = combinations * self._size(binder.domain)
            for item in p.domain_items(binder.domain):
                cost = cost + self._cost(item)
        each = Poly()
        for part in (e.where, e.value, e.weight):
            if part is not None:
                each = each + self._cost(part)
        if e.share is not None:
            cost = cost + self._cost(e.share)
        return cost + combinations * each

    def _size(self, domain: p.Domain) -> Poly:
        if isinstance(domain, p.Measures):
            return self.own_measures
        if isinstance(domain, p.Organizations):
            return PER_ORGANIZATION
        if isinstance(domain, p.Groups):
            sizes = [len(s.focus if domain.focus else s.groups) for s in self.strata.values()
                     if domain.stratification in (None, s.name)]
            return Poly((max(sizes, default=1),))
        return Poly((len(domain.items),))

    def _memoized(self, free: tuple[str, ...], e: p.Aggregate) -> bool:
        """Whether a peer aggregation is remembered per value of the variables it reads,
        which needs each of them to range over measures, groups, periods and the like."""
        types = _local_types(e)
        return all(types.get(name) in self.domains for name in free)

    def _peer_sites(self) -> dict[int, tuple[p.Aggregate, Poly, Poly]]:
        """Each remembered peer aggregation: how many times it is evaluated, and its cost."""
        found: dict[int, tuple[p.Aggregate, Poly, Poly]] = {}
        for rule in self.rules.values():
            for part in _parts(rule):
                for e in p.walk(part):
                    free = self.peers.get(e.site) if isinstance(e, p.Aggregate) else None
                    if free is None or not isinstance(e, p.Aggregate) \
                            or not self._memoized(free, e):
                        continue
                    types = _local_types(e)
                    instances = ONE
                    for name in free:
                        instances = instances * self.domains[types[name]]
                    if e.site in self.peer_inputs:
                        instances = instances * self._values(self.peer_inputs[e.site])
                    found[e.site] = (e, instances, self._aggregate(e))
        return found

    def _values(self, name: str) -> Poly:
        """How many values an organization input can take among the organizations: its
        texts, yes or no, or as many as there are organizations."""
        info = self.inputs.get(name)
        if info is not None and info.choices:
            return Poly((len(info.choices),))
        if info is not None and info.type == "yesno":
            return Poly((2,))
        return PER_ORGANIZATION

    def _reachable(self, outputs: Iterable[str]) -> list[str]:
        found: list[str] = []
        seen: set[str] = set()
        stack = list(outputs)
        while stack:
            key = stack.pop()
            if key in seen or key not in self.rules:
                continue
            seen.add(key)
            found.append(key)
            for part in _parts(self.rules[key]):
                stack.extend(e.rule for e in p.walk(part) if isinstance(e, p.Call))
        return sorted(found)

    # ---- how deep the calls go --------------------------------------------------------------

    def _depth(self, key: str) -> tuple[int, tuple[str, ...]]:
        """The stack frames evaluating a rule can take, and the chain of rules behind it."""
        if key in self.frames:
            return self.frames[key]
        self.frames[key] = (0, ())  # a cycle: already an error
        rule = self.rules[key]
        deepest: tuple[int, tuple[str, ...]] = (0, ())
        for part in _parts(rule):
            for level, call in _calls(part, 0):
                below, chain = self._depth(call.rule)
                if 2 * level + _CALL_FRAMES + below > deepest[0]:
                    deepest = (2 * level + _CALL_FRAMES + below, chain)
        result = (deepest[0], (key, *deepest[1]))
        self.frames[key] = result
        if result[0] > MAX_FRAMES and not any(
                self.frames.get(name, (0, ()))[0] > MAX_FRAMES for name in result[1][1:]):
            shown = " -> ".join(result[1][:4]) + (" -> ..." if len(result[1]) > 4 else "")
            self.error("E0312", f"`{key}` calls a chain of {len(result[1])} rules, each "
                       f"inside the last, too deep to evaluate: {shown}", rule.span,
                       hint="compute the chain's steps side by side and combine them, "
                       "instead of each rule calling the one before it")
        return result


#: Frames one call of a rule adds beyond the expression it is written in (the interval
#: backend takes the most).
_CALL_FRAMES = 10


def _calls(e: p.Expr, level: int) -> Iterable[tuple[int, p.Call]]:
    """Every call of a rule in ``e``, with how deep in ``e`` it is written."""
    if isinstance(e, p.Call):
        yield level, e
    for child in p.children(e):
        yield from _calls(child, level + 1)


def _parts(rule: p.Rule) -> list[p.Expr]:
    parts = [x for x in (rule.body,) if x is not None]
    for exception in rule.exceptions:
        parts.extend((exception.value, exception.condition))
    parts.extend(tier.value for tier in rule.tiers)
    return parts


def _local_types(e: p.Aggregate) -> dict[str, str]:
    """The type of each variable an aggregation's expressions read."""
    return {x.name: x.type for x in p.walk(e) if isinstance(x, p.Local)}


def _shown(steps: int) -> str:
    return f"{steps:,}" if steps < 10**15 else f"about 10^{len(str(steps)) - 1}"
