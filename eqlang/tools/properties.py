"""Invariant search: takes a checked contract, gives for each invariant it declares either
"held on every table tried" or the smallest counterexample found.

Hypothesis generates valid measure tables for the contract (``eqlang.tools.testing``), with
every organization's inputs where the contract declares them, and shrinks
the first table that breaks an invariant to the smallest it can. The search is
deterministic: derandomized, a bounded number of tables, no example database (nothing is
written to the user's folder), and a time budget that only ever cuts a search short.

* ``always CLAIM [when CONDITION]``: every organization, every combination of the ``for
  each`` variables; where the condition is yes, the claim must be yes (a claim that is no or
  not scored breaks the invariant).
* ``VALUE never rises|falls when INPUT MOTION``: the contract is settled twice, on a table
  and on the same table with one group's rate moved in one direction (its numerator changed
  at fixed denominator, the ``ALL`` row changed by the same amount). VALUE is compared for
  the organization whose rate moved. A value that becomes not scored has fallen; one that
  becomes scored has risen.

For a broken relational invariant, the rule responsible is found by comparing the two
derivations: of the rules whose value changed, the one nearest the moved input whose new
value alone, put into the first settlement, already breaks the invariant.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
from hypothesis import HealthCheck, Phase, Verbosity, find, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.errors import NoSuchExample
from hypothesis.internal.conjecture import providers as _providers

from eqlang.backends.derivation import Derivation, Key
from eqlang.backends.exact import Evaluator
from eqlang.core import program as p
from eqlang.core.program import Program
from eqlang.core.values import Entity, Group, NotScored, Quantity, Truth, Value, display
from eqlang.data.organizations import OrganizationTable
from eqlang.data.tables import TableSet
from eqlang.diagnostics import Diagnostic, EqlangError, counted, render
from eqlang.outputs import make_folder, write_atomic
from eqlang.syntax import ast as s
from eqlang.syntax.fmt import format_claim, format_expr
from eqlang.terminal import printable
from eqlang.tools.budget import Budget
from eqlang.tools.testing import (
    Move,
    amounts,
    csv_text,
    inputs_for,
    movable,
    moved,
    organization_csv,
    rows_of,
    table_of,
    tables_for,
)

#: Rules tried one by one when looking for the one responsible.
MAX_SUSPECTS = 300
#: The search's budget unless asked otherwise.
DEFAULT_BUDGET = Budget()


class _Stop(BaseException):
    """Ends a search early. Not an ``Exception``: hypothesis must not take it for a failure
    to be shrunk, but let it through at once."""


@attrs.frozen
class Trial:
    """One candidate: a table and, for a relational invariant, one move of one rate."""

    tables: TableSet
    org: str | None = None
    bindings: Mapping[str, Value] = attrs.field(factory=dict)
    move: Move | None = None
    #: The rate moved, as the contract names it: ``rate(COL, Black, performance)``.
    moving: str = ""
    #: The organizations' inputs, for a contract that declares them.
    inputs: OrganizationTable | None = None


@attrs.frozen
class Used:
    """A value a claim or a rule used, with where it is defined."""

    name: str
    value: Value
    location: str | None


@attrs.frozen
class Culprit:
    """The rule found responsible for a broken relational invariant."""

    name: str
    location: str
    rule: str
    before: Value
    after: Value
    now_uses: tuple[str, ...]
    no_longer_uses: tuple[str, ...]
    alone: bool


@attrs.frozen
class Counterexample:
    """A table that breaks an invariant, and what went wrong on it."""

    trial: Trial
    org: str
    bindings: Mapping[str, Value]
    #: The claim's value (state invariants) or the value before the move (relational ones).
    before: Value | None = None
    after: Value | None = None
    condition: Value | None = None
    used: tuple[Used, ...] = ()
    culprit: Culprit | None = None
    error: Diagnostic | None = None


@attrs.frozen
class Outcome:
    """The search for one invariant."""

    invariant: p.Invariant
    tried: int
    seconds_exceeded: bool
    counterexample: Counterexample | None

    @property
    def holds(self) -> bool:
        return self.counterexample is None


def check_properties(program: Program, budget: Budget = DEFAULT_BUDGET) -> list[Outcome]:
    """Search every invariant of the contract for a counterexample."""
    return [_Search(program, invariant, budget).run() for invariant in program.invariants]


# ---- the search -------------------------------------------------------------------------------


def _group_spelling(program: Program, group: Group) -> str | None:
    if group.kind == "all":
        return "ALL"
    if group.kind != "named" or group.name is None:
        return None
    strat = program.stratifications[program.group_strata[group.name]]
    return strat.spellings.get(group.name, group.name)


class _Search:
    def __init__(self, program: Program, invariant: p.Invariant, budget: Budget) -> None:
        self.program = program
        self.invariant = invariant
        self.budget = budget
        self.tried = 0
        self.deadline = 0.0
        self.exceeded = False
        self.shrinks_left = budget.shrinks
        # The smallest counterexample so far: hypothesis only asks about smaller candidates
        # once it has one, so the last one found broken is the smallest.
        self.smallest: Trial | None = None

    def organizations(self, tables: TableSet) -> list[str]:
        if self.program.provider is not None:
            return [self.program.provider]
        return list(tables.organizations())

    def run(self) -> Outcome:
        claim = self.invariant.claim
        strategy = (self._trials() if isinstance(claim, p.Always)
                    else self._relational_trials(claim))
        self.deadline = time.monotonic() + self.budget.seconds
        with contextlib.suppress(NoSuchExample, _Stop), _isolated():
            find(strategy, self._broken, settings=settings(
                max_examples=self.budget.examples, derandomize=True, database=None,
                deadline=None, verbosity=Verbosity.quiet, print_blob=False,
                phases=(Phase.generate, Phase.shrink),
                suppress_health_check=list(HealthCheck)))
        example = None
        if self.smallest is not None:
            example = self.examine(self._alone(self.smallest), explain=True)
            assert example is not None
        return Outcome(self.invariant, self.tried, self.exceeded, example)

    def _alone(self, trial: Trial) -> Trial:
        """The counterexample with only the organization it is about, when that is enough
        (and breaks the invariant the same way, by its value or by an error): shrinking
        cannot always drop the others, and fewer rows read more easily."""
        example = self.examine(trial)
        assert example is not None
        if len(trial.tables.organizations()) < 2 or not example.org:
            return trial
        rows = [r for r in rows_of(trial.tables) if r.org == example.org]
        inputs = trial.inputs
        if inputs is not None:
            inputs = attrs.evolve(inputs, entries={example.org: inputs.entries[example.org]})
        alone = attrs.evolve(trial, tables=table_of(
            [(example.org, [(r.measure, r.group, r.period, r.numerator, r.denominator)
                            for r in rows])]), inputs=inputs)
        again = self.examine(alone)
        if again is None or (again.error is None) != (example.error is None):
            return trial
        return alone

    def _tables(self) -> st.SearchStrategy[TableSet]:
        # Groups the contract ignores add rows to every counterexample and change nothing
        # a search can find: the rest of each ALL row already stands for them.
        return tables_for(self.program, ignored_groups=())

    def _trials(self) -> st.SearchStrategy[Trial]:
        """Tables, with the organizations' inputs when the contract declares any."""
        if not self.program.inputs:
            return self._tables().map(Trial)
        return self._tables().flatmap(lambda tables: inputs_for(self.program, tables).map(
            lambda inputs: Trial(tables, inputs=inputs)))

    def _evaluator(self, trial: Trial, tables: TableSet | None = None) -> Evaluator:
        return Evaluator(self.program, trial.tables if tables is None else tables,
                         organizations=trial.inputs)

    def _broken(self, trial: Trial) -> bool:
        if time.monotonic() > self.deadline:
            self.exceeded = True
            raise _Stop
        if self.smallest is not None:
            if self.shrinks_left <= 0:
                raise _Stop
            self.shrinks_left -= 1
        self.tried += 1
        if self.examine(trial) is None:
            return False
        self.smallest = trial
        return True

    def examine(self, trial: Trial, explain: bool = False) -> Counterexample | None:
        """The counterexample ``trial`` is, or None if the invariant holds on it; with
        ``explain``, a broken relational invariant also gets the rule responsible."""
        try:
            if isinstance(self.invariant.claim, p.Always):
                return self._state(trial, self.invariant.claim)
            return self._relation(trial, self.invariant.claim, explain)
        except EqlangError as error:
            return Counterexample(trial, trial.org or "", trial.bindings,
                                  error=error.diagnostics[0])

    # ---- always -------------------------------------------------------------------------

    def _state(self, trial: Trial, claim: p.Always) -> Counterexample | None:
        evaluator = self._evaluator(trial)
        for org in self.organizations(trial.tables):
            bindings: Mapping[str, Value] = {}
            try:
                for bindings in evaluator.scope(self.invariant.binders, org):
                    example = self._state_of(evaluator, trial, claim, org, bindings)
                    if example is not None:
                        return example
            except EqlangError as error:
                # Where the settlement stopped, for the report and for `_alone`; the error's
                # own note names the rule and any peer involved.
                return Counterexample(trial, org, bindings, error=error.diagnostics[0])
        return None

    def _state_of(self, evaluator: Evaluator, trial: Trial, claim: p.Always, org: str,
                  bindings: Mapping[str, Value]) -> Counterexample | None:
        label = f"invariant {self.invariant.title}"
        condition = None
        if claim.condition is not None:
            condition, _ = evaluator.claim(claim.condition, org, bindings, label)
            if condition != Truth(True):
                return None
        value, node = evaluator.claim(claim.claim, org, bindings, label)
        if value != Truth(True):
            return Counterexample(trial, org, bindings, before=value, condition=condition,
                                  used=_used(evaluator, node))
        return None

    # ---- never --------------------------------------------------------------------------

    def _upward(self, measure: str, motion: str) -> bool:
        if motion in ("rises", "falls"):
            return motion == "rises"
        better_up = bool(self.program.measures[measure].higher_is_better)
        return better_up == (motion == "improves")

    def _targets(self, trial: Trial, claim: p.Never
                 ) -> list[tuple[str, Mapping[str, Value], Move, Decimal, bool, str]]:
        """Every rate the invariant may move, with the room it has to move."""
        tables = trial.tables
        evaluator = self._evaluator(trial)
        assert isinstance(claim.moved, p.Builtin)
        label = f"invariant {self.invariant.title}"
        targets = []
        for org in self.organizations(tables):
            for bindings in evaluator.scope(self.invariant.binders, org):
                measure, group, period = (evaluator.claim(a, org, bindings, label)[0]
                                          for a in claim.moved.args)
                if not (isinstance(measure, Entity) and isinstance(group, Group)
                        and isinstance(period, Entity)):
                    continue
                spelled = _group_spelling(self.program, group)
                if spelled is None:
                    continue
                label_period = self.program.periods.get(period.name, period.name)
                upward = self._upward(measure.name, claim.motion)
                room = movable(tables, org, measure.name, spelled, label_period, upward)
                if room > 0:
                    row = tables.lookup(org, measure.name, spelled, label_period)
                    assert row is not None
                    move = Move(org, measure.name, spelled, label_period, row.numerator)
                    moving = f"rate({measure.name}, {display(group)}, {period.name})"
                    targets.append((org, bindings, move, room, upward, moving))
        return targets

    def _relational_trials(self, claim: p.Never) -> st.SearchStrategy[Trial]:
        @st.composite
        def trials(draw: st.DrawFn) -> Trial:
            trial = draw(self._trials())
            targets = self._targets(trial, claim)
            if not targets:
                return trial
            org, bindings, move, room, upward, moving = targets[
                draw(st.integers(0, len(targets) - 1))]
            amount = draw(amounts(room))
            numerator = move.numerator + amount if upward else move.numerator - amount
            return attrs.evolve(trial, org=org, bindings=bindings,
                                move=attrs.evolve(move, numerator=numerator), moving=moving)
        return trials()

    def _relation(self, trial: Trial, claim: p.Never, explain: bool) -> Counterexample | None:
        if trial.move is None or trial.org is None:
            return None
        label = f"invariant {self.invariant.title}"
        first = self._evaluator(trial)
        second = self._evaluator(trial, moved(trial.tables, trial.move))
        before, _ = first.claim(claim.value, trial.org, trial.bindings, label)
        after, _ = second.claim(claim.value, trial.org, trial.bindings, label)
        if not _changed_wrongly(before, after, claim.change):
            return None
        culprit = _Culprits(self.program, trial, claim, first, second, before, after,
                            label).find() if explain else None
        return Counterexample(trial, trial.org, trial.bindings, before=before, after=after,
                              culprit=culprit)


@contextlib.contextmanager
def _isolated() -> Iterator[None]:
    """Run hypothesis apart from its surroundings, so that a search writes nothing into the
    folder it is run from and finds the same tables wherever eqlang is installed.

    Hypothesis keeps scratch files (a cache of constants) under ``.hypothesis`` in the
    working folder: they go to a temporary folder instead. It also mixes into generated
    data the literal constants of "local" modules it finds loaded, which makes the tables
    depend on whether eqlang is installed in place or as a package, and on which other
    modules happen to be loaded: the search sees none. (That hook is internal to
    hypothesis; if a later version moves it, only this repeatability across installs is
    lost, not the search.)
    """
    with tempfile.TemporaryDirectory(prefix="eqlang-search-") as folder:
        set_hypothesis_home_dir(folder)
        original = getattr(_providers, "_get_local_constants", None)
        if original is not None:
            _providers._get_local_constants = _no_constants  # type: ignore[attr-defined]
        _forget_constants()
        try:
            yield
        finally:
            if original is not None:
                _providers._get_local_constants = original  # type: ignore[attr-defined]
            _forget_constants()
            set_hypothesis_home_dir(None)


def _forget_constants() -> None:
    """Empty hypothesis's cache of constants, which may hold those found before."""
    cache = getattr(getattr(_providers, "CONSTANTS_CACHE", None), "cache", None)
    if cache is not None:
        cache.clear()


def _no_constants() -> Any:
    return _providers.Constants()  # type: ignore[attr-defined]


def _changed_wrongly(before: Value, after: Value, change: str) -> bool:
    """Whether the value did what the invariant says it never does."""
    if isinstance(before, Quantity) and isinstance(after, Quantity):
        return after.magnitude < before.magnitude if change == "falls" \
            else after.magnitude > before.magnitude
    if isinstance(before, NotScored) == isinstance(after, NotScored):
        return False
    return (change == "falls") == isinstance(after, NotScored)


def _location(node: Derivation) -> str | None:
    return node.span.location() if node.span is not None else None


def _name(key: Key, org: str) -> str:
    return key.id if key.org in ("", org) else f"{key.id} at {key.org}"


def _used(evaluator: Evaluator, node: Derivation) -> tuple[Used, ...]:
    """The values a claim used directly: outputs, definitions, parameters, table values."""
    used = []
    for key in node.uses:
        other = evaluator.derivations[key]
        assert other.value is not None
        used.append(Used(_name(key, node.org), other.value, _location(other)))
    return tuple(used)


class _Culprits:
    """Compares two derivations to name the rule that makes a relational invariant fail."""

    def __init__(self, program: Program, trial: Trial, claim: p.Never, first: Evaluator,
                 second: Evaluator, before: Value, after: Value, label: str) -> None:
        self.program = program
        self.trial = trial
        self.claim = claim
        self.first = first
        self.second = second
        self.before = before
        self.after = after
        self.label = label

    def changed(self) -> dict[Key, tuple[Value, Value]]:
        """Rules whose value differs between the two settlements, with both values."""
        found = {}
        for key, value in self.second.memo.items():
            old = self.first.memo.get(key)
            if key.name in self.program.rules and old is not None and old != value:
                found[key] = (old, value)
        return found

    def changed_inputs(self) -> set[Key]:
        return {key for key, value in self.second.memo.items()
                if key.name in _TABLE_VALUES and key in self.first.memo
                and self.first.memo[key] != value}

    def heights(self, changed: set[Key], inputs: set[Key]) -> dict[Key, int]:
        """How many changed rules lie between each changed rule and the moved input."""
        heights: dict[Key, int] = {key: 0 for key in inputs}

        def height(key: Key) -> int:
            stack = [key]
            while stack:
                current = stack[-1]
                below = list(self.second.derivations[current].uses)
                pending = [b for b in below if b in changed | inputs and b not in heights]
                if pending:
                    stack.extend(pending)
                    continue
                stack.pop()
                heights[current] = 1 + max((heights[b] for b in below if b in heights),
                                           default=0)
            return heights[key]

        for key in sorted(changed, key=_order):
            height(key)
        return heights

    def alone(self, key: Key, after: Value) -> Value:
        """VALUE in the first settlement with only this one rule's new value put in."""
        evaluator = Evaluator(self.program, self.trial.tables,
                              organizations=self.trial.inputs)
        evaluator.assume(key, after)
        assert self.trial.org is not None
        value, _ = evaluator.claim(self.claim.value, self.trial.org, self.trial.bindings,
                                   self.label)
        return value

    def find(self) -> Culprit | None:
        changed = self.changed()
        if not changed:
            return None
        heights = self.heights(set(changed), self.changed_inputs())
        order = sorted(changed, key=lambda k: (heights.get(k, 0), k.org != self.trial.org,
                                               *_order(k)))
        passing_on = None
        for key in order[:MAX_SUSPECTS]:
            _, after = changed[key]
            value = self.alone(key, after)
            if not _changed_wrongly(self.before, value, self.claim.change):
                continue
            if value != self.after:
                return self.describe(key, alone=True)
            # A rule that gives the whole change by itself mostly passes the moved rate on
            # (a rule that reads it): look on for one that explains part of it.
            passing_on = passing_on or key
        if passing_on is not None:
            return self.describe(passing_on, alone=True)
        # No single rule breaks it alone: name the highest one, which combines the others.
        return self.describe(order[-1], alone=False)

    def describe(self, key: Key, alone: bool) -> Culprit:
        node, old = self.second.derivations[key], self.first.derivations[key]
        declaration = self.program.rules[key.name].declaration
        assert node.value is not None and old.value is not None
        now = [u.id for u in node.uses if u not in old.uses]
        gone = [u.id for u in old.uses if u not in node.uses]
        assert self.trial.org is not None
        return Culprit(_name(key, self.trial.org), declaration.span.location(),
                       _rule_head(declaration), old.value, node.value, tuple(now),
                       tuple(gone), alone)


_TABLE_VALUES = frozenset({"rate", "numerator", "denominator"})


def _order(key: Key) -> tuple[str, str]:
    return (key.org, key.id)


def _rule_head(declaration: s.Definition | s.Output | s.Schedule) -> str:
    """The first line of a rule as written: ``define gap(m: measure, ...): pp =``."""
    return declaration.span.text.split("\n", 1)[0].rstrip()


# ---- the report -------------------------------------------------------------------------------


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "invariant"


def _bindings_text(bindings: Mapping[str, Value]) -> str:
    return ", ".join(f"{name} = {display(value)}" for name, value in bindings.items())


def _change(before: Value, after: Value) -> str:
    if isinstance(before, Quantity) and isinstance(after, Quantity):
        verb = "rises" if after.magnitude > before.magnitude else "falls" \
            if after.magnitude < before.magnitude else "stays"
        return f"{verb} from {display(before, 4)} to {display(after, 4)}"
    return f"changes from {display(before, 4)} to {display(after, 4)}"


def _rate_text(numerator: Decimal, denominator: Decimal) -> str:
    rate = display(Quantity("percent", numerator / denominator), 4)
    return f"{rate} ({format(numerator, 'f')} of {format(denominator, 'f')})"


def render_outcomes(path: str, outcomes: Sequence[Outcome],
                    save: Callable[[str, str], str] | None = None) -> str:
    """The report of one contract's search, for people. ``save(name, text)`` keeps a
    counterexample table and says where it went."""
    broken = [o for o in outcomes if not o.holds]
    lines = [f"{path}: {counted(len(outcomes), 'invariant')}, "
             f"{len(broken) or 'none'} broken"]
    for outcome in outcomes:
        title = outcome.invariant.title
        cut = " (stopped at the time limit)" if outcome.seconds_exceeded else ""
        if outcome.holds:
            lines.append(f"  holds   \"{title}\": no counterexample in {outcome.tried} "
                         f"tables{cut}")
        else:
            lines.append(f"  BROKEN  \"{title}\"")
    for number, outcome in enumerate(broken, start=1):
        lines.append("")
        lines.extend(_broken_lines(number, outcome, save))
    return printable("\n".join(lines) + "\n")


def _broken_lines(number: int, outcome: Outcome,
                  save: Callable[[str, str], str] | None) -> list[str]:
    invariant = outcome.invariant
    example = outcome.counterexample
    assert example is not None
    claim = invariant.claim
    lines = [f"{invariant.span.location()}: invariant \"{invariant.title}\" is broken",
             f"  {format_claim(invariant.declaration)}"]
    where = f"organization \"{example.org}\""
    if example.bindings:
        where += f", {_bindings_text(example.bindings)}"
    if example.error is not None:
        lines.append(f"  on this table the contract cannot be settled ({where}):")
        lines.extend("    " + line for line in render(example.error).split("\n"))
    elif isinstance(claim, p.Always):
        assert example.before is not None
        lines.append(f"  for {where}: the claim is {display(example.before)}")
        for used in example.used:
            at = f" ({used.location})" if used.location else ""
            lines.append(f"    {used.name} = {display(used.value)}{at}")
    else:
        lines.extend(_relational_lines(example, claim))
    tables = example.trial.tables
    table_name = f"counterexample-{number}-{_slug(invariant.title)}.csv"
    lines.append("  the table (save it as a .csv file, then `eqlang eval CONTRACT --table "
                 "FILE`):" if save is None else
                 f"  the table, saved as {save(table_name, csv_text(tables))}:")
    lines.extend("    " + line for line in csv_text(tables).rstrip("\n").split("\n"))
    inputs = example.trial.inputs
    if inputs is not None:
        text = organization_csv(inputs)
        inputs_name = table_name.replace(".csv", ".organizations.csv")
        lines.append("  the organization table (save it too, for `--organizations FILE`):"
                     if save is None else
                     f"  the organization table, saved as {save(inputs_name, text)}:")
        lines.extend("    " + line for line in text.rstrip("\n").split("\n"))
    move = example.trial.move
    if move is not None and example.error is None:
        after = moved(tables, move)
        changed = [r for r in after.tables[0].rows if r != tables.lookup(*r.key)]
        after_name = table_name.replace(".csv", ".after.csv")
        lines.append("  the same table after the move, these rows changed:" if save is None
                     else f"  the table after the move, saved as "
                     f"{save(after_name, csv_text(after))}; these rows changed:")
        lines.extend("    " + line for line in csv_text(changed).rstrip("\n").split("\n")[1:])
    return lines


def _relational_lines(example: Counterexample, claim: p.Never) -> list[str]:
    move = example.trial.move
    assert move is not None and example.before is not None and example.after is not None
    row = example.trial.tables.lookup(move.org, move.measure, move.group, move.period)
    assert row is not None
    where = f"organization \"{example.org}\""
    if example.bindings:
        where += f", {_bindings_text(example.bindings)}"
    lines = [f"  for {where}:"]
    direction = "rises" if move.numerator > row.numerator else "falls"
    lines.append(f"    {example.trial.moving} {direction} from "
                 f"{_rate_text(row.numerator, row.denominator)} to "
                 f"{_rate_text(move.numerator, row.denominator)}")
    lines.append(f"    {format_expr(claim.value.syntax)} "
                 f"{_change(example.before, example.after)}")
    culprit = example.culprit
    if culprit is not None:
        lines.append(f"  the rule responsible: {culprit.name}, at {culprit.location}")
        lines.append(f"    {culprit.rule}")
        lines.append(f"    {culprit.name} {_change(culprit.before, culprit.after)}")
        lines.append("    with only this change, the invariant already breaks" if culprit.alone
                     else "    it combines several changes, none of which breaks the invariant "
                     "alone")
        if culprit.now_uses:
            instead = f" instead of {', '.join(culprit.no_longer_uses)}" \
                if culprit.no_longer_uses else ""
            lines.append(f"    it now uses {', '.join(culprit.now_uses)}{instead}")
    return lines


def saver(folder: str, protected: Sequence[str]) -> Callable[[str, str], str]:
    """Where ``--counterexamples DIR`` puts each table; returns the path written. The folder
    is made with the first table, so a search that finds nothing leaves nothing behind."""

    def save(name: str, text: str) -> str:
        make_folder(folder)
        path = str(Path(folder) / name)
        write_atomic(path, text, protected=list(protected))
        return path
    return save
