"""Worked examples: the last pass of checking. Takes the checked program, gives its examples
checked and ready to run.

An ``example`` declaration carries a small measure table (rows written in the contract, or
table files beside it) and the values the contract must give for it. Checking one proves,
before anything is settled, that every row names a measure, group and period the contract
reads (rows obey the rules of a table file, with its messages), that every expectation
names an output or definition with arguments of the right kinds and a value of the right
unit that its rounding can produce, and that ``set`` assigns parameters values of their
type, and that ``inputs`` give every organization of its tables each organization input of
the right unit and range. ``eqlang.tools.examples`` runs the checked examples.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import attrs

from eqlang.check import units as t
from eqlang.check.names import literal_value
from eqlang.core.program import ERROR, InputInfo, Override, Param, Program
from eqlang.core.values import Entity, Group, Value
from eqlang.data.organizations import OrganizationTable, range_problem
from eqlang.data.tables import MeasureTable, Row, TableSet, WrittenRow, inline_table, load_table
from eqlang.diagnostics import (
    Diagnostic,
    EqlangError,
    Note,
    counted,
    did_you_mean,
    listed,
)
from eqlang.syntax import ast as s
from eqlang.syntax.modules import escapes
from eqlang.syntax.source import Span

#: The organization an example's rows belong to when nothing else names one.
DEFAULT_ORGANIZATION = "Example organization"

E_ROW = "E0801"
E_EXPECT = "E0802"
E_VALUE = "E0803"
E_SET = "E0804"
E_EXAMPLE = "E0805"
E_TABLE_PATH = "E0806"
E_INPUTS = "E0807"


@attrs.frozen
class CheckedExpectation:
    """One expectation, resolved: the rule, its arguments, and the value it must give.

    ``expected`` is None when the value must be not scored; ``reason`` is then a text the
    actual reason must contain, if the expectation gives one.
    """

    expectation: s.Expectation
    key: str
    args: tuple[Value, ...]
    expected: Value | None
    reason: str | None

    @property
    def label(self) -> str:
        """The value's name as traces and reports write it: ``measure_payout(COL)``."""
        names = [a.dotted for a in self.expectation.args]
        return f"{self.key}({', '.join(names)})" if names else self.key

    @property
    def span(self) -> Span:
        return self.expectation.span


@attrs.frozen(eq=False)
class CheckedExample:
    """An example ready to settle: its tables merged, its organization and settings known."""

    declaration: s.Example
    organization: str
    tables: TableSet
    overrides: dict[str, Override]
    as_of: datetime.date | None
    expectations: tuple[CheckedExpectation, ...]
    #: The organizations' inputs, when the contract declares any.
    inputs: OrganizationTable | None = None

    @property
    def title(self) -> str:
        return self.declaration.title

    @property
    def span(self) -> Span:
        return self.declaration.span


def check_examples(program: Program) -> tuple[tuple[CheckedExample, ...], list[Diagnostic]]:
    """Every example of the contract checked, and every problem found in any of them."""
    diagnostics: list[Diagnostic] = []
    for loaded in program.modules[1:]:
        for declaration in loaded.module.declarations:
            if isinstance(declaration, s.Example):
                diagnostics.append(Diagnostic(
                    E_EXAMPLE, "an imported module cannot carry worked examples",
                    declaration.span,
                    hint="move the example into the contract that imports this module"))
    checked: list[CheckedExample] = []
    titles: dict[str, s.Example] = {}
    for declaration in program.main.module.declarations:
        if not isinstance(declaration, s.Example):
            continue
        if declaration.title in titles:
            diagnostics.append(Diagnostic(
                E_EXAMPLE, f"two examples are called \"{declaration.title}\"", declaration.span,
                hint="give each example its own title, so reports can tell them apart",
                notes=(Note("the first one", titles[declaration.title].span),)))
        titles.setdefault(declaration.title, declaration)
        checker = _ExampleChecker(program, declaration)
        example = checker.run()
        diagnostics.extend(checker.diagnostics)
        if example is not None and not checker.diagnostics:
            checked.append(example)
    return tuple(checked), diagnostics


class _ExampleChecker:
    """Checks one example, collecting every problem it has."""

    def __init__(self, program: Program, example: s.Example) -> None:
        self.program = program
        self.example = example
        self.diagnostics: list[Diagnostic] = []
        main = program.main.module.declarations
        self.measures = [d.code for d in main if isinstance(d, s.Measure)]
        self.spellings = {
            spelling: name
            for strat in program.stratifications.values()
            for name, spelling in strat.spellings.items()
        }

    def error(self, code: str, message: str, span: Span | None, hint: str | None = None,
              notes: tuple[Note, ...] = ()) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, hint=hint, notes=notes))

    def run(self) -> CheckedExample | None:
        items = self.example.items
        if self.program.header is None:
            self.error(E_EXAMPLE, "a worked example needs a contract header", self.example.span,
                       hint="examples belong in a contract: its header names the periods the "
                       "rows are read in")
            return None
        organizations = [i for i in items if isinstance(i, s.ExampleOrganization)]
        dates = [i for i in items if isinstance(i, s.ExampleAsOf)]
        self._once(organizations, "organization")
        self._once(dates, "settlement date (`as of`)")
        organization = organizations[0] if organizations else None
        as_of = dates[0] if dates else None
        overrides = self._overrides(items)
        files = [self._table_file(i) for i in items if isinstance(i, s.ExampleTable)]
        tables = [table for table in files if table is not None]
        blocks = [i for i in items if isinstance(i, s.ExampleRows)]
        expectations = [i for i in items if isinstance(i, s.Expectation)]
        if not blocks and not files:
            self.error(E_EXAMPLE, f"example \"{self.example.title}\" has no measure table",
                       self.example.span,
                       hint="add `rows` such as `COL White 2022: 560 of 800`, or "
                       "`table \"FILE.csv\"` naming a table beside the contract")
        if not expectations:
            self.error(E_EXAMPLE, f"example \"{self.example.title}\" expects nothing",
                       self.example.span,
                       hint="add what the contract must give, such as "
                       "`expect payout = $350,000.00`")
        org = self._organization(organization, tables, blocks)
        written = [row for block in blocks for row in self._rows(block, org)]
        inline: list[MeasureTable] = []
        if written:
            try:
                inline.append(inline_table(self.example.span.source, written))
            except EqlangError as error:
                self.diagnostics.extend(error.diagnostics)
        checked = tuple(self._expectations(expectations))
        if self.diagnostics:
            return None
        try:
            table_set = TableSet((*tables, *inline))
        except EqlangError as error:
            self.diagnostics.extend(error.diagnostics)
            return None
        if not table_set.has_org(org):
            where = organization.span if organization is not None else self.example.span
            self.error(E_EXAMPLE, f"the example's tables have no rows for organization "
                       f"\"{org}\"", where,
                       hint=did_you_mean(org, table_set.organizations())
                       or ("its tables hold: " + listed(table_set.organizations())
                           if table_set.organizations() else "its tables have no rows"))
            return None
        inputs = self._inputs(items, org, table_set.organizations())
        if self.diagnostics:
            return None
        return CheckedExample(self.example, org, table_set, overrides,
                              as_of.date if as_of is not None else None, checked, inputs)

    def _once(self, found: list[s.ExampleOrganization] | list[s.ExampleAsOf],
              what: str) -> None:
        for extra in found[1:]:
            self.error(E_EXAMPLE, f"the example gives its {what} twice", extra.span,
                       hint="keep one", notes=(Note("first given here", found[0].span),))

    # ---- settings -----------------------------------------------------------------------

    def _overrides(self, items: tuple[s.ExampleItem, ...]) -> dict[str, Override]:
        overrides: dict[str, Override] = {}
        first: dict[str, s.ExampleSet] = {}
        for item in items:
            if not isinstance(item, s.ExampleSet):
                continue
            info = self.program.parameters.get(item.name)
            if item.name in first:
                self.error(E_SET, f"the example sets `{item.name}` twice", item.span,
                           hint="keep one", notes=(Note("first set here", first[item.name].span),))
                continue
            first[item.name] = item
            if info is None:
                self.error(E_SET, f"the contract has no parameter `{item.name}`", item.span,
                           hint=did_you_mean(item.name, self.program.parameters)
                           or "only parameters declared with `parameter` can be set; a "
                           "module's are named with the module in front, like `plan.pool`")
                continue
            problem = t.value_problem(item.name, info.type, item.value)
            if problem is not None:
                self.error(E_SET, problem[0], item.value.span,
                           hint=problem[1]
                           or f"write a value of type {info.type}, as in the contract",
                           notes=(Note(f"`{item.name}` is declared {t.describe(info.type)}",
                                       info.type_span),))
                continue
            overrides[item.name] = Override(literal_value(item.value),
                                            " ".join(item.value.span.text.split()),
                                            item.value.span)
        return overrides

    def _inputs(self, items: tuple[s.ExampleItem, ...], org: str,
                organizations: tuple[str, ...]) -> OrganizationTable | None:
        """The organizations' inputs the example gives (``inputs``), checked like the
        organization table: every input of every organization of its tables, of its type
        and within its range."""
        declared = self.program.inputs
        blocks = [i for i in items if isinstance(i, s.ExampleInputs)]
        if blocks and not declared:
            self.error(E_INPUTS, "the contract declares no organization inputs",
                       blocks[0].span, hint="remove the `inputs` lines, or declare the "
                       "inputs in the contract: `input member_months: count`")
            return None
        entries: dict[str, tuple[int, dict[str, Value]]] = {}
        given: dict[tuple[str, str], s.ExampleInput] = {}
        for block in blocks:
            owner = block.organization if block.organization is not None else org
            values = entries.setdefault(owner, (block.span.line, {}))[1]
            for item in block.inputs:
                value = self._input_value(item, owner, given)
                if value is not None:
                    values[item.name] = value
        if not declared:
            return None
        source = self.example.span.source
        for name in organizations:
            missing = [n for n in declared if n not in entries.get(name, (0, {}))[1]]
            if missing and not self.diagnostics:
                block = next((b for b in blocks if (b.organization or org) == name), None)
                self.error(E_INPUTS, "the example gives no value of "
                           + ", ".join(f"`{n}`" for n in missing) + f" for \"{name}\"",
                           block.span if block is not None else self.example.span,
                           hint="give every input of every organization in its tables: "
                           + ("`inputs " if name == org else f"`inputs for \"{name}\" ")
                           + " ".join(f"{n} {_input_example(declared[n])}" for n in missing)
                           + "`")
        return OrganizationTable(source.path, source.sha256, entries)

    def _input_value(self, item: s.ExampleInput, owner: str,
                     given: dict[tuple[str, str], s.ExampleInput]) -> Value | None:
        info = self.program.inputs.get(item.name)
        if info is None:
            self.error(E_INPUTS, f"the contract has no organization input `{item.name}`",
                       item.span, hint=did_you_mean(item.name, self.program.inputs)
                       or "the contract's inputs are: " + listed(list(self.program.inputs)))
            return None
        if (owner, item.name) in given:
            self.error(E_INPUTS, f"the example gives `{item.name}` of \"{owner}\" twice",
                       item.span, hint="keep one",
                       notes=(Note("first given here", given[owner, item.name].span),))
            return None
        given[owner, item.name] = item
        problem = t.value_problem(item.name, info.type, item.value)
        value = literal_value(item.value) if problem is None else None
        if value is not None:
            problem = range_problem(info, value)
        if problem is not None:
            self.error(E_INPUTS, problem[0], item.value.span,
                       hint=problem[1] or f"write {t.describe(info.type)}, as the contract "
                       "declares it", notes=(Note(f"`{item.name}` is declared here",
                                                  info.span),))
            return None
        return value

    def _table_file(self, item: s.ExampleTable) -> MeasureTable | None:
        contract = Path(self.program.main.source.path)
        directory = contract.parent.resolve()
        escaped = escapes(item.path, directory, (directory,))
        if escaped is not None:
            self.error(E_TABLE_PATH, f"`{item.path}` is {escaped}; an example may read only "
                       "tables in the contract's own folder", item.span,
                       hint="copy the table next to the contract, or write its rows in the "
                       "example")
            return None
        target = directory / item.path
        shown = str(contract.parent / item.path)
        if target.exists() and not (target.is_file() or target.is_dir()):
            # A pipe or a device would block or never end: refuse it before opening it.
            self.error("E0501", f"`{item.path}` is not a regular file", item.span,
                       hint="name a CSV file saved beside the contract")
            return None
        try:
            return load_table(target, shown)
        except EqlangError as error:
            note = Note("the example names the table here", item.span)
            self.diagnostics.extend(attrs.evolve(d, notes=(*d.notes, note))
                                    for d in error.diagnostics)
            return None

    def _organization(self, line: s.ExampleOrganization | None, tables: list[MeasureTable],
                      blocks: list[s.ExampleRows]) -> str:
        provider = self.program.provider
        if line is not None:
            if provider is not None and line.name != provider:
                self.error(E_EXAMPLE, f"the contract settles only \"{provider}\", not "
                           f"\"{line.name}\"", line.span,
                           hint=f"write `organization \"{provider}\"`, or leave the line out")
            return line.name
        if provider is not None:
            return provider
        named = sorted({row.org for table in tables for row in table.rows}
                       | {b.organization for b in blocks if b.organization is not None})
        if len(named) == 1:
            return named[0]
        if not named:
            return DEFAULT_ORGANIZATION
        self.error(E_EXAMPLE, "the example's tables hold several organizations; say which one "
                   "the expectations are about", self.example.span,
                   hint=f"add `organization \"{named[0]}\"`; the tables hold: "
                   + ", ".join(named))
        return named[0]

    # ---- rows ---------------------------------------------------------------------------

    def _rows(self, block: s.ExampleRows, org: str) -> list[WrittenRow]:
        owner = block.organization if block.organization is not None else org
        written: list[WrittenRow] = []
        source = self.example.span.source
        for row in block.rows:
            measure = self._measure(row.measure)
            group = self._group(row.group)
            period = self._period(row.period)
            if measure is None or group is None or period is None:
                continue
            numerator, denominator = row.numerator.value, row.denominator.value
            assert isinstance(numerator, Decimal) and isinstance(denominator, Decimal)
            table_row = Row(owner, measure, group, period, numerator, denominator,
                            source.path, row.span.line)
            written.append(WrittenRow(table_row, row.span, row.numerator.span,
                                      row.denominator.span))
        return written

    def _measure(self, word: s.TableWord) -> str | None:
        if word.text in self.measures:
            return word.text
        self.error(E_ROW, f"`{word.text}` is not a measure of the contract", word.span,
                   hint=did_you_mean(word.text, self.measures)
                   or "the contract's measures are " + ", ".join(self.measures))
        return None

    def _group(self, word: s.TableWord) -> str | None:
        program = self.program
        if word.kind == "all":
            return "ALL"
        if word.kind == "name":
            if word.text in program.group_strata:
                strat = program.stratifications[program.group_strata[word.text]]
                return strat.spellings.get(word.text, word.text)
            self.error(E_ROW, f"`{word.text}` is not a group of the contract", word.span,
                       hint=did_you_mean(word.text, program.group_strata)
                       or "name a group of a stratification, or ALL for everyone")
            return None
        if word.text in self.spellings:
            return word.text
        if word.text in program.group_strata:
            strat = program.stratifications[program.group_strata[word.text]]
            spelling = strat.spellings.get(word.text, word.text)
            self.error(E_ROW, f"the table spells group `{word.text}` as \"{spelling}\"",
                       word.span, hint=f"write `{word.text}` without quotes, or "
                       f"\"{spelling}\"")
            return None
        self.error(E_ROW, f"no group of the contract is spelled \"{word.text}\"", word.span,
                   hint=did_you_mean(word.text, self.spellings)
                   or "the contract reads only the groups of its stratifications and ALL")
        return None

    def _period(self, word: s.TableWord) -> str | None:
        periods = self.program.periods
        if word.kind == "name":
            if word.text in periods:
                return periods[word.text]
            self.error(E_ROW, f"`{word.text}` is not a period of the contract", word.span,
                       hint=did_you_mean(word.text, periods) or _periods_hint(periods))
            return None
        if word.text in periods.values():
            return word.text
        self.error(E_ROW, f"the contract has no period labelled \"{word.text}\"", word.span,
                   hint=_periods_hint(periods))
        return None

    # ---- expectations -------------------------------------------------------------------

    def _expectations(self, expectations: list[s.Expectation]) -> list[CheckedExpectation]:
        checked: list[CheckedExpectation] = []
        seen: dict[tuple[str, tuple[str, ...]], s.Expectation] = {}
        for expectation in expectations:
            resolved = self._target(expectation)
            if resolved is None:
                continue
            key, args = resolved
            identity = (key, tuple(a.dotted for a in expectation.args))
            if identity in seen:
                label = f"{key}({', '.join(identity[1])})" if identity[1] else key
                self.error(E_EXPECT, f"the example expects a value of `{label}` twice",
                           expectation.span,
                           hint="keep one expectation per value",
                           notes=(Note("first expected here", seen[identity].span),))
                continue
            seen[identity] = expectation
            expected = self._expected(expectation, key)
            if expectation.value is not None and expected is None:
                continue
            checked.append(CheckedExpectation(expectation, key, args, expected,
                                              expectation.reason))
        return checked

    def _target(self, expectation: s.Expectation) -> tuple[str, tuple[Value, ...]] | None:
        program = self.program
        name = expectation.name.dotted
        callable_ = program.rules.get(name)
        rules = sorted(k for k, c in program.rules.items() if c.kind != "schedule")
        if name in program.parameters:
            self.error(E_EXPECT, f"`{name}` is a parameter, not a value the contract computes",
                       expectation.name.span,
                       hint=f"to try another value, write `set {name} = ...`; expect outputs "
                       "and definitions")
            return None
        if callable_ is None:
            self.error(E_EXPECT, f"the contract has no output or definition `{name}`",
                       expectation.name.span,
                       hint=did_you_mean(name, rules) or "expect an output or a definition "
                       "of the contract or of a module it imports (`plan.gap(...)`)")
            return None
        if callable_.kind == "schedule":
            self.error(E_EXPECT, f"`{name}` is a schedule; its input is a number, which an "
                       "example cannot name", expectation.name.span,
                       hint="expect the output or definition that uses the schedule")
            return None
        params = callable_.params
        signature = f"{name}({', '.join(f'{p.name}: {p.type}' for p in params)})"
        if len(expectation.args) != len(params):
            self.error(E_EXPECT, f"`{name}` takes {counted(len(params), 'argument')}, "
                       "but the expectation gives "
                       f"{len(expectation.args)}", expectation.span,
                       hint=f"name one measure, group or period for each: `{signature}`"
                       if params else f"write `expect {name} = ...`")
            return None
        args: list[Value] = []
        for arg, param in zip(expectation.args, params, strict=True):
            value = self._argument(arg, param, signature)
            if value is None:
                return None
            args.append(value)
        return name, tuple(args)

    def _argument(self, arg: s.Name, param: Param, signature: str) -> Value | None:
        program = self.program
        text = arg.dotted
        if param.type == "measure":
            if text in self.measures:
                return Entity("measure", text)
            candidates: list[str] = self.measures
        elif param.type == "group":
            if text in program.group_strata:
                return Group("named", text)
            candidates = list(program.group_strata)
        elif param.type == "period":
            if text in program.periods:
                return Entity("period", text)
            candidates = list(program.periods)
        elif param.type == "stratification":
            if text in program.stratifications:
                return Entity("stratification", text)
            candidates = list(program.stratifications)
        else:
            self.error(E_EXPECT, f"an example can name measures, groups, periods and "
                       f"stratifications, but "
                       f"parameter `{param.name}` is {t.describe(param.type)}", arg.span,
                       hint=f"expect a rule that calls `{signature}` instead")
            return None
        self.error(E_EXPECT, f"`{text}` is not a {param.type} of the contract", arg.span,
                   hint=did_you_mean(text, candidates)
                   or f"`{signature}` takes a {param.type} here")
        return None

    def _expected(self, expectation: s.Expectation, key: str) -> Value | None:
        literal = expectation.value
        if literal is None:
            return None
        callable_ = self.program.rules[key]
        declared = callable_.type
        actual = t.literal_type(literal)
        if declared == ERROR:
            return None
        if not t.assignable(actual, declared):
            self.error(E_VALUE, f"`{key}` gives {t.describe(declared)}, but the expected value "
                       f"is {t.describe(actual)}", literal.span,
                       hint=t.unit_hint(actual, declared)
                       or f"write the value as {t.describe(declared)}",
                       notes=(Note(f"`{key}` is declared here", callable_.declaration.span),))
            return None
        declaration = callable_.declaration
        if isinstance(declaration, s.Output) and declaration.rounding.places is not None:
            places = declaration.rounding.places
            written = _decimals(literal)
            if written > places:
                unit = declaration.rounding.unit
                rounded = unit if unit in ("cents", "dollars") else f"{places} decimals"
                self.error(E_VALUE, f"`{key}` is rounded to {rounded}, so it is never "
                           f"{literal.span.text}", literal.span,
                           hint=f"write the value as the contract rounds it, with at most "
                           f"{counted(places, 'decimal')}",
                           notes=(Note("the rounding is here", declaration.rounding.span),))
                return None
        return literal_value(literal)


def _decimals(literal: s.Literal) -> int:
    """How many decimals a written number needs (trailing zeros need none)."""
    value = literal.value
    if not isinstance(value, Decimal):
        return 0
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def _input_example(info: InputInfo) -> str:
    if info.choices:
        return f'"{info.choices[0]}"'
    return {"money": "$4.00", "percent": "20%", "pp": "1.5 pp", "count": "12000",
            "number": "1.25", "yesno": "yes", "text": '"North"'}[info.type]


def _periods_hint(periods: dict[str, str]) -> str:
    listed = ", ".join(f"{name} (\"{label}\")" for name, label in periods.items())
    return f"write a period's name or its label: {listed}"
