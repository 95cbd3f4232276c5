"""What the columnar evaluator still needs to remember: takes the checked ``Program``, the
outputs still to be evaluated and what the evaluator remembers so far, gives which of its
remembered rule values and table reads those outputs may read (``Needed``).

The columnar backend (``eqlang.backends.columnar``) evaluates the outputs one after
another, each for one of its measures or groups. A rule's value is remembered per
(rule, arguments) so that a later call reads it instead of computing it again; once no
output still to come can read a value, remembering it only holds memory. A settlement of
10,000 organizations computes some 600,000 decimals that no output reads in the end: the
gaps, closures and scores of a measure once that measure's score is known.

The answer comes from the program, not from running it: starting at each output still to
come, follow the calls its evaluation can make. A call whose arguments are known (the
measure an output is settled for, the items of a ``for each`` over measures or groups) and
whose value is remembered already is read, not evaluated: it is needed, and what it calls
is not reached through it. A call whose arguments are not known keeps every remembered
value of its rule, and what that rule calls is followed as if it were evaluated. Table
reads (``rate``, ``numerator``, ``denominator``, ``reference``) keep the reads of the
measures they may read. The answer errs on the side of keeping: a value let go that is
read after all would be computed again, the same value at the cost of the time.

The output being evaluated counts among those still to come: what its evaluation has still
to read is what evaluating it over again, with what is remembered now, would read. So the
evaluator may let values go in the middle of an output, once the value they were made of
is remembered.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Sequence

import attrs

from eqlang.core import program as p
from eqlang.core.values import Entity, Group, Value

#: An argument as far as the program tells: the values it may take, or None for any.
Known = frozenset[Value] | None
#: How a call's argument is known where it is written: values given there, and the rule's
#: parameters whose values it may also take; None where the program does not tell.
Source = tuple[frozenset[Value], tuple[str, ...]] | None

#: A call not remembered for at most so many combinations of its arguments is followed
#: for each on its own; beyond, for all of them at once.
SEPARATELY = 64

#: The builtins that read the measure tables, each with the measure as first argument.
TABLE_READS = frozenset({"rate", "numerator", "denominator", "reference"})

Key = tuple[str, tuple[Value, ...]]


@attrs.define
class Needed:
    """The remembered values the outputs still to come may read."""

    #: Rules all of whose remembered values are needed (called with arguments not known).
    rules: set[str] = attrs.Factory(set)
    #: Remembered values needed, by (rule key, arguments).
    keys: set[Key] = attrs.Factory(set)
    #: Measures whose table reads are needed; None for every measure.
    measures: set[Value] | None = attrs.Factory(set)

    def keeps(self, key: Key) -> bool:
        return key[0] in self.rules or key in self.keys

    def keeps_read(self, measure: Value) -> bool:
        return self.measures is None or measure in self.measures


@attrs.frozen
class Site:
    """A call of a rule (``rule``), a table read (``rule`` None) or a parameter's first
    evaluation (``parameter``) in a rule's body, with how its arguments are known (a read's
    first argument is its measure)."""

    rule: str | None
    args: tuple[Source, ...] = ()
    parameter: str | None = None


class Liveness:
    """Answers ``needed`` for one program (each rule is read for its call sites once), and
    says when an evaluator that lets values go should ask (``due``)."""

    def __init__(self, program: p.Program) -> None:
        self.program = program
        self.sites: dict[str, list[Site]] = {}
        self.parameter_sites: dict[str, list[Site]] = {}
        #: The outputs still to be evaluated, the one being evaluated first.
        self.upcoming: Sequence[tuple[str, Value | None]] = ()
        # The search walks the program: it is made once per so many values remembered.
        self.every = max(4, len(program.rules) // 8)
        self.since = 0  # values remembered since the last search

    def due(self) -> bool:
        """Whether to let values go now, one more being remembered."""
        self.since += 1
        if self.since < self.every:
            return False
        self.since = 0
        return True

    def needed(self, steps: Iterable[tuple[str, Value | None]], remembered: Collection[Key],
               parameters: Collection[str]) -> Needed:
        """What evaluating ``steps`` (output and the measure or group it is settled for, or
        None) may read of the values ``remembered`` (rule key and arguments) and of the
        table reads, given the parameters already evaluated."""
        follower = _Follower(self, remembered, parameters)
        for output, argument in steps:
            follower.call(self.program.rules[output].key, [] if argument is None
                          else [frozenset([argument])])
        return follower.found

    def rule_sites(self, key: str) -> list[Site]:
        found = self.sites.get(key)
        if found is None:
            rule = self.program.rules[key]
            parts = [*([rule.body] if rule.body is not None else []),
                     *(x for exception in rule.exceptions
                       for x in (exception.condition, exception.value)),
                     *(tier.value for tier in rule.tiers)]
            found = self.sites[key] = _Sites(self.program, {q.name for q in rule.params}
                                             ).of(parts)
        return found

    def parameter_sites_of(self, key: str) -> list[Site]:
        found = self.parameter_sites.get(key)
        if found is None:
            info = self.program.parameters[key]
            found = self.parameter_sites[key] = _Sites(self.program, set()).of(
                [info.value, *(a.value for a in info.amendments)])
        return found


class _Sites:
    """Collects the sites of a rule's expressions, knowing its parameters' names."""

    def __init__(self, program: p.Program, params: set[str]) -> None:
        self.program = program
        self.params = params
        self.found: list[Site] = []

    def of(self, parts: list[p.Expr]) -> list[Site]:
        for part in parts:
            self.expr(part, {})
        return self.found

    def expr(self, e: p.Expr, scope: dict[str, Source]) -> None:
        if isinstance(e, p.Call):
            self.found.append(Site(self.program.rules[e.rule].key,
                                   tuple(self.source(a, scope) for a in e.args)))
        elif isinstance(e, p.Builtin) and e.name in TABLE_READS and e.args:
            self.found.append(Site(None, (self.source(e.args[0], scope),)))
        elif isinstance(e, p.Parameter):
            self.found.append(Site(None, parameter=e.key))
        if isinstance(e, p.Aggregate):
            scope = {**scope, **{b.name: self.domain(b.domain, scope) for b in e.binders}}
        for child in p.children(e):
            self.expr(child, scope)

    def source(self, e: p.Expr, scope: dict[str, Source]) -> Source:
        if isinstance(e, p.Const) and isinstance(e.value, Entity | Group):
            return frozenset([e.value]), ()
        if isinstance(e, p.Local):
            if e.name in scope:
                return scope[e.name]
            if e.name in self.params:
                return frozenset(), (e.name,)
        return None

    def domain(self, d: p.Domain, scope: dict[str, Source]) -> Source:
        if isinstance(d, p.Measures):
            return frozenset(Entity("measure", c) for c in self.program.contract_measures), ()
        if isinstance(d, p.Groups) and d.stratification is not None:
            strat = self.program.stratifications[d.stratification]
            return frozenset(Group("named", g)
                             for g in (strat.focus if d.focus else strat.groups)), ()
        if isinstance(d, p.Listed):
            items = [self.source(item, scope) for item in d.items]
            if any(item is None for item in items):
                return None
            return (frozenset().union(*(item[0] for item in items if item is not None)),
                    tuple(name for item in items if item is not None for name in item[1]))
        return None


class _Follower:
    """Follows the calls evaluation can make, noting what they read."""

    def __init__(self, liveness: Liveness, remembered: Collection[Key],
                 parameters: Collection[str]) -> None:
        self.liveness = liveness
        self.remembered = remembered
        self.parameters = set(parameters)
        self.found = Needed()
        self.followed: set[tuple[str, tuple[Known, ...]]] = set()

    def call(self, rule: str, args: Sequence[Known]) -> None:
        if any(a is None for a in args):
            self.found.rules.add(rule)
            self.evaluate(rule, args)
            return
        keys = [(rule, combination) for combination in itertools.product(
            *(a for a in args if a is not None))]
        self.found.keys.update(keys)
        missing = [key[1] for key in keys if key not in self.remembered]
        if len(missing) > SEPARATELY:
            self.evaluate(rule, args)
            return
        # Remembered values are read, not evaluated: only the others are followed, each
        # on its own, so that a measure done with keeps nothing of what it was made of.
        for values in missing:
            self.evaluate(rule, [frozenset([v]) for v in values])

    def evaluate(self, rule: str, args: Sequence[Known]) -> None:
        """Follow what evaluating ``rule`` for arguments among ``args`` may read."""
        mark = (rule, tuple(args))
        if mark in self.followed:
            return
        self.followed.add(mark)
        params = self.liveness.program.rules[rule].params
        env = {q.name: a for q, a in zip(params, args, strict=True)}
        self.sites(self.liveness.rule_sites(rule), env)

    def sites(self, sites: list[Site], env: dict[str, Known]) -> None:
        for site in sites:
            if site.parameter is not None:
                if site.parameter not in self.parameters:
                    # Evaluated once, by the first output that reads it.
                    self.parameters.add(site.parameter)
                    self.sites(self.liveness.parameter_sites_of(site.parameter), {})
                continue
            args = [_known(source, env) for source in site.args]
            if site.rule is not None:
                self.call(site.rule, args)
            elif args[0] is None or self.found.measures is None:
                self.found.measures = None
            else:
                self.found.measures.update(args[0])


def _known(source: Source, env: dict[str, Known]) -> Known:
    if source is None:
        return None
    values, params = source
    for name in params:
        value = env.get(name)
        if value is None:
            return None
        values = values | value
    return values
