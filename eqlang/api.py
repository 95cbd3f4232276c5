"""The Python API: load a contract, settle it on measure tables, read outputs and the trace.

For notebooks and services; the command line is built on the same functions. The examples
below run as they are from the repository's root folder (the test suite runs them)::

    >>> from eqlang.api import load_contract, settle, verify_trace
    >>> contract = load_contract("contracts/reference-equity.eq")
    >>> run = settle(contract, ["contracts/reference-equity.csv"])
    >>> run.organizations
    ('Cape and Islands Care Network', 'Harborview Health Partners', 'Merrimack Valley ACO',
     'Pioneer Valley Physicians')

A number is an ``eqlang.core.values.Quantity``: a ``unit`` (``money``, ``percent``, ``pp``,
``count`` or ``number``) and an exact ``decimal.Decimal`` ``magnitude``, in dollars for
money and as a fraction for percents and points (35% is ``Decimal('0.35')``). An output is
rounded the way the contract says, so money comes to the cent::

    >>> payout = run.value("Harborview Health Partners", "payout")
    >>> payout.unit, payout.magnitude
    ('money', Decimal('956901.01'))
    >>> run.value("Harborview Health Partners", "measure_payout", "CBP").magnitude
    Decimal('350000.00')

A value that is not scored is an ``eqlang.core.values.NotScored`` carrying its reason, never
None or NaN; yes/no values are ``Truth``. ``outputs_json`` gives what ``eqlang eval --json``
prints, decimals as strings::

    >>> run.value("Merrimack Valley ACO", "measure_payout", "HBD")
    NotScored(reason='the measure is not scored')
    >>> run.outputs_json()["Merrimack Valley ACO"]["measure_payout"]
    {'COL': '440373.50', 'CBP': '449348.98',
     'HBD': {'not_scored': 'the measure is not scored'}}

``rows()`` gives one flat record per value, ready for ``pandas.DataFrame(run.rows())``;
``value`` there is in the unit as written, so 35% is 35::

    >>> run.rows()[0]
    {'organization': 'Cape and Islands Care Network', 'output': 'measure_payout', 'key': 'COL',
     'unit': 'money', 'value': Decimal('49345.25'), 'text': '49345.25', 'not_scored': None}

Every number explains itself, and a trace can be written and verified later::

    >>> print(run.explain("measure_payout(CBP)", org="Harborview Health Partners"))
    measure_payout(CBP) $350,000.00 = pool $1,000,000.00 × rescaled_weight(CBP) 35% × ...
    >>> run.write_trace("trace.json")
    >>> verify_trace("trace.json").ok
    True

The contract's worked examples run the same way ``eqlang test`` runs them::

    >>> from eqlang.api import example_coverage, run_examples
    >>> results = run_examples(contract)
    >>> all(result.passed for result in results)
    True
    >>> example_coverage(contract, results).percent
    '100.0%'

Every function raises ``eqlang.diagnostics.EqlangError`` for a problem; its
``diagnostics`` say what is wrong, where and how to fix it, as on the command line, and
nothing is printed::

    >>> from eqlang.diagnostics import EqlangError
    >>> try:
    ...     settle(contract, ["contracts/reference-equity.csv"], organizations=["harborview"])
    ... except EqlangError as error:
    ...     problem = error.diagnostics[0]
    >>> problem.code, problem.message, problem.hint
    ('E0602', 'organization "harborview" is not in the measure tables',
     'did you mean `Harborview Health Partners`?')
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import gc
import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import attrs

from eqlang import __version__
from eqlang.backends.derivation import E_STEPS, EvaluationError, Settlement
from eqlang.backends.exact import Evaluator
from eqlang.check import check
from eqlang.check import units as t
from eqlang.check.names import literal_value
from eqlang.core.program import Override, Program
from eqlang.core.values import NotScored, Quantity, Value, exact_text
from eqlang.data.fhir_export import export_bundle
from eqlang.data.fhir_map import FhirMap, load_fhir_map
from eqlang.data.members import Tabulation, tabulate
from eqlang.data.organizations import (
    OrganizationTable,
    inputs_for_run,
    organization_table_from_bytes,
)
from eqlang.data.tables import MeasureTable, TableSet, key_text, load_tables, table_from_bytes
from eqlang.data.trace_members import member_files, members_section, retabulate
from eqlang.diagnostics import (
    Collector,
    Diagnostic,
    EqlangError,
    Note,
    counted,
    did_you_mean,
    listed,
)
from eqlang.render import explain as explain_tree
from eqlang.render import outputs_data
from eqlang.syntax import ast as s
from eqlang.syntax.literate import contract_source
from eqlang.syntax.modules import load, stdlib_modules
from eqlang.syntax.parse import parse
from eqlang.syntax.source import SourceError, SourceFile, decode_source
from eqlang.tools.coverage import Coverage, coverage
from eqlang.tools.examples import ExampleResult, run_examples
from eqlang.tools.sections import HashingStream, Section, sections
from eqlang.tools.values import frame as values_frame
from eqlang.tools.values import records as value_records
from eqlang.trace.differences import compare, outputs_only, paid_summary
from eqlang.trace.inputs import TracedInputs, bad_trace, read_trace
from eqlang.trace.writer import (
    FORMAT,
    TraceWriter,
    build,
    dumps,
    write_atomic_stream,
)

#: How ``settle`` may settle: see its docstring.
BACKENDS = ("auto", "exact", "columnar")

if TYPE_CHECKING:
    from eqlang.backends.columnar import ColumnarRun

__all__ = [
    "ExampleResult",
    "Run",
    "Verification",
    "example_coverage",
    "explain_trace",
    "explained",
    "export_fhir",
    "find_values",
    "input_files",
    "load_contract",
    "load_trace",
    "organization_of",
    "parse_override",
    "run_examples",
    "settle",
    "tabulate",
    "verify_trace",
]

#: What a run settles on: table files (CSV, Parquet, Excel, FHIR; a folder of FHIR files),
#: loaded tables, tables made from member files, in any mix, or a ``TableSet``.
Tables = (str | Path | MeasureTable | Tabulation
          | Sequence[str | Path | MeasureTable | Tabulation] | TableSet)


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector while settling and tracing.

    Both allocate millions of small objects that live until the run ends and form no
    reference cycles; the collector would scan them again and again for cycles that are not
    there, which takes half the time of a large run. Reference counting still frees
    everything that is dropped, and the collector is switched back on afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_contract(path: str | Path, *, display: str | None = None) -> Program:
    """Read, parse and check a contract and the modules it imports.

    ``display`` is the path that diagnostics and traces show, by default ``path``.
    """
    return check(load(path, display))


@attrs.frozen(eq=False)
class Run:
    """One settlement run: its inputs, the evaluator that settled it, and results."""

    program: Program
    tables: TableSet
    #: What settled the run: the exact backend's evaluator, or the columnar backend's run
    #: (both answer ``computed`` for the settlement summary).
    evaluator: Evaluator | ColumnarRun
    settlements: tuple[Settlement, ...]
    overrides: dict[str, str]
    #: The organizations asked for by name, sorted; None when every one was settled. The
    #: trace records it so that `verify` notices an organization taken out of the trace.
    org_filter: tuple[str, ...] | None = None
    #: The overrides as values, and the settlement date asked for, to settle again.
    given: dict[str, Override] = attrs.Factory(dict)
    as_of: datetime.date | None = None
    #: The tables made from member-level files, which the trace records how.
    tabulations: tuple[Tabulation, ...] = ()
    #: Each organization's inputs, when the contract declares any.
    organization_table: OrganizationTable | None = None

    @property
    def organizations(self) -> tuple[str, ...]:
        """The organizations settled, sorted."""
        return tuple(st.org for st in self.settlements)

    def outputs(self) -> dict[str, dict[str, Value | dict[str, Value]]]:
        """Per organization, each output's value; an output defined per measure (or group)
        holds one value per measure code (or group name). Amounts are exact: a
        ``Quantity`` has a ``unit`` and a ``Decimal`` ``magnitude`` (35% is 0.35); a value
        that is not scored is a ``NotScored`` with its ``reason``."""
        return {st.org: st.outputs for st in self.settlements}

    def value(self, org: str, output: str, key: str | None = None) -> Value:
        """One output's value: ``run.value(org, "payout")`` or, for an output defined per
        measure, ``run.value(org, "measure_payout", "COL")``."""
        outputs = self._settlement(org).outputs
        if output not in outputs:
            raise _unknown("output", output, outputs)
        value = outputs[output]
        if isinstance(value, dict):
            if key is None:
                first = next(iter(value), "COL")
                raise EqlangError(Diagnostic(
                    "E0702", f"output `{output}` has one value per measure or group; name "
                    "which", None, path="eqlang.api",
                    hint=f"call value({org!r}, {output!r}, {first!r}); it has: "
                    + ", ".join(value)))
            if key not in value:
                raise _unknown(f"value of `{output}` for", key, value)
            return value[key]
        if key is not None:
            raise EqlangError(Diagnostic("E0702", f"output `{output}` has one value, not one "
                                         f"per measure or group", None, path="eqlang.api",
                                         hint=f"call value({org!r}, {output!r})"))
        return value

    def outputs_json(self) -> dict[str, dict[str, Any]]:
        """The outputs as ``eqlang eval --json`` prints them: decimal strings (``"350000.00"``),
        an object per measure for per-measure outputs, ``{"not_scored": reason}``."""
        return outputs_data(list(self.settlements))

    def rows(self) -> list[dict[str, Any]]:
        """One record per output value, for a data frame: organization, output, key (the
        measure or group, or None), unit, value (a ``Decimal`` in the unit as written: 35
        for 35%; None when not scored), text (as ``--json`` writes it) and not_scored."""
        records = []
        for st in self.settlements:
            for name, value in st.outputs.items():
                items = value.items() if isinstance(value, dict) else [(None, value)]
                for key, item in items:
                    records.append(_row(st.org, name, key, item))
        return records

    def sections(self, stream: IO[str] | HashingStream | None = None,
                 progress: Callable[[str], object] | None = None) -> Iterator[Section]:
        """Settle again, recording: each organization's trace section (to ``stream`` too)."""
        with _no_cycle_collection():
            yield from sections(self.program, self.tables, self.organizations,
                                overrides=self.given, texts=self.overrides, as_of=self.as_of,
                                org_filter=self.org_filter, stream=stream, progress=progress,
                                organization_table=self.organization_table,
                                members=members_section(self.tabulations))

    def values(self) -> list[dict[str, Any]]:
        """Every value, as ``eqlang eval --values`` writes it: ``value`` an exact Decimal."""
        return [row for part in self.sections() for row in value_records(part, self.program)]

    def values_frame(self) -> Any:
        """``values()`` as a pandas ``DataFrame``, its ``value`` column exact ``Decimal``s."""
        return values_frame(self.values())

    def trace(self) -> dict[str, Any]:
        """The trace as JSON data: what ``eqlang eval --trace`` writes."""
        with _no_cycle_collection():
            evaluator = self._recording()
            settlements = [evaluator.settle(st.org) for st in self.settlements]
            return build(self.program, self.tables, evaluator, settlements, self.overrides,
                         self.org_filter, members_section(self.tabulations),
                         self._organization_table())

    def trace_json(self) -> str:
        """The trace as canonical JSON text."""
        return dumps(self.trace())

    def write_trace(self, path: str | Path) -> None:
        """Write the trace atomically, one organization at a time; refuses to overwrite the
        contract, a module or a table."""
        with _no_cycle_collection():
            evaluator = self._recording()
            write_atomic_stream(path, lambda stream: _stream_trace(
                self, evaluator, [st.org for st in self.settlements], stream),
                protected=self.read_files())

    def read_files(self) -> list[str | Path]:
        """The files the run read, which no output may replace: the contract, its modules,
        the tables, the member files behind a table made from them and the organization
        table."""
        return [*input_files(self.program, [t.path for t in self.tables.tables]),
                *(f.path for tabulation in self.tabulations for f in tabulation.files),
                *([self.organization_table.path] if self.organization_table else [])]

    def _organization_table(self) -> dict[str, Any] | None:
        table = self.organization_table
        return table.trace_fragment() if table is not None else None

    def _recording(self) -> Evaluator:
        """An evaluator like the one that settled the run, recording every derivation."""
        return Evaluator(self.program, self.tables, overrides=self.given, as_of=self.as_of,
                         record=True, organizations=self.organization_table)

    def explain(self, value: str, *, org: str | None = None, depth: int | None = None) -> str:
        """How one value was derived, as ``eqlang explain`` prints it: ``"payout"``,
        ``"measure_payout(COL)"`` or any node id of the trace."""
        trace = self.trace()
        chosen = org if org is not None else (
            self.organizations[0] if len(self.organizations) == 1 else None)
        if chosen is None:
            raise EqlangError(Diagnostic("E0602", "the run settled several organizations; "
                                         "name one with org=", None, path="eqlang.api",
                                         hint="one of: " + listed(self.organizations)))
        self._settlement(chosen)
        return explained(trace, chosen, value, "eqlang.api", depth)

    def _settlement(self, org: str) -> Settlement:
        for st in self.settlements:
            if st.org == org:
                return st
        raise _unknown("organization", org, self.organizations)


def input_files(program: Program, tables: Sequence[str]) -> list[str | Path]:
    """The files a run reads: the contract, every module it imports, and the tables."""
    contract = Path(program.main.source.path)
    modules = [_module_file(m.source.path, contract) for m in program.modules[1:]]
    return [contract, *modules, *tables]


def _unknown(what: str, name: str, known: Any) -> EqlangError:
    names = list(known)
    return EqlangError(Diagnostic("E0702", f"there is no {what} `{name}` in this run", None,
                                  path="eqlang.api", hint=did_you_mean(name, names)
                                  or "there are: " + listed(names)))


def _row(org: str, output: str, key: str | None, value: Value) -> dict[str, Any]:
    number: Decimal | None = None
    unit = None
    if isinstance(value, Quantity):
        unit = value.unit
        number = Decimal(exact_text(value))
    return {
        "organization": org, "output": output, "key": key, "unit": unit, "value": number,
        "text": None if isinstance(value, NotScored) else exact_text(value),
        "not_scored": value.reason if isinstance(value, NotScored) else None,
    }


def parse_override(program: Program, assignment: str) -> tuple[str, Override]:
    """``NAME=VALUE`` for ``--set``: the value is checked like source, against the type."""
    name, equals, value = assignment.partition("=")
    name, value = name.strip(), value.strip()
    if not equals or not name or not value:
        raise EqlangError(Diagnostic(
            "E0601", f"`--set {assignment}` is not of the form NAME=VALUE", None,
            path="--set", hint="for example: --set pool=$1,200,000.00"))
    info = program.parameters.get(name)
    if info is None:
        raise EqlangError(Diagnostic(
            "E0601", f"the contract has no parameter `{name}`", None, path="--set",
            hint=did_you_mean(name, program.parameters)
            or "only parameters declared with `parameter` can be set; a module's are named "
            "with the module in front, like `plan.pool`"))
    # Read as a declaration of its own, under the parameter's own name (a module's
    # parameter is `plan.pool`, which is not one name).
    text = f"parameter {info.name}: {info.type} = {value}\n"
    source = SourceFile(f"--set {name}", text)
    try:
        module = parse(source)
    except EqlangError as error:
        # A date off the calendar is read, then refused: say that, not that it is unreadable.
        message = next((d.message for d in error.diagnostics if d.code == "E0007"),
                       f"`{value}` is not a value eqlang can read")
        raise EqlangError(Diagnostic(
            "E0601", message, None, path="--set",
            hint=f"write it as in a contract: {_example(info.type)}")) from error
    declarations = module.declarations
    expr = declarations[0].value if len(declarations) == 1 and isinstance(
        declarations[0], s.Parameter) and declarations[0].citation is None and not (
        declarations[0].amendments) else None
    literal = t.signed_literal(expr) if expr is not None else None
    if literal is None:
        raise EqlangError(Diagnostic(
            "E0601", f"`--set {name}` takes a single value, not `{value}`", None,
            path="--set", hint=f"write it as in a contract: {_example(info.type)}"))
    problem = t.value_problem(name, info.type, literal)
    if problem is not None:
        raise EqlangError(Diagnostic(
            "E0601", problem[0], None, path="--set",
            hint=f"write it as in a contract: {_example(info.type)}"))
    assert expr is not None
    return name, Override(literal_value(literal), " ".join(expr.span.text.split()), expr.span)


def _example(type_name: str) -> str:
    return {"money": "$1,200,000.00", "percent": "40%", "pp": "3 pp", "count": "50",
            "number": "0.5", "date": "2024-07-01", "yesno": "yes", "text": '"text"'}.get(
        type_name, "a literal")


def settle(
    program: Program,
    tables: Tables,
    *,
    organizations: str | Sequence[str] | None = None,
    overrides: str | Sequence[str] | Mapping[str, str] = (),
    as_of: datetime.date | None = None,
    trace: str | Path | None = None,
    fhir_map: str | Path | FhirMap | None = None,
    organization_table: str | Path | OrganizationTable | None = None,
    progress: Callable[[str], object] | None = None,
    backend: str = "auto",
    remember: bool = True,
) -> Run:
    """Settle a checked contract on measure tables: CSV, Parquet, Excel or FHIR paths,
    loaded ``MeasureTable``s, tables made from member-level files (``Tabulation``, from
    ``tabulate``), or a ``TableSet``.

    A single path, organization or ``NAME=VALUE`` override may be given on its own instead
    of in a list.

    Every organization in the tables is settled, or only the provider the contract's header
    names, or only ``organizations``. ``overrides`` replace parameters for a what-if run,
    as ``eqlang eval --set`` does (``["pool=$1,200,000.00"]`` or ``{"pool": "$1,200,000.00"}``,
    values written as in the contract); ``as_of`` is the settlement date that picks amended
    values (by default the contract's own). With ``trace``, the trace is written to that
    file as the run settles, one organization at a time (nothing is written if it fails).
    A FHIR Bundle or MeasureReport, or a folder of them, is read through ``fhir_map`` (a
    map file or a loaded ``FhirMap``; see docs/fhir.md). A contract that declares
    organization inputs reads them from ``organization_table`` (a file, as
    ``--organizations`` takes, or a loaded ``OrganizationTable``), which must have a row for
    every organization of the tables. ``progress(org)``: one settled.

    ``backend`` chooses how: ``"exact"`` walks the contract once per organization and is
    the only one that writes traces; ``"columnar"`` settles every organization at once
    (``eqlang.backends.columnar``), to the same values; ``"auto"`` (the default) settles
    with the columnar backend when no trace is asked for and it gives the same answer (it
    can follow the contract and no organization's settlement stops with an error), and
    with the exact backend otherwise, which says where and why a settlement stops.

    ``remember=False`` says that nothing will ask the run's evaluator for the values behind
    the outputs (``Run.evaluator.computed``, as the settlement summary and statements do):
    the columnar backend then lets each value go once no output still to come reads it,
    which lowers the peak memory of a large run.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend is one of {', '.join(BACKENDS)}, not {backend!r}")
    with _no_cycle_collection():
        return _settle(program, tables, organizations, overrides, as_of, trace,
                       _fhir_map(fhir_map), organization_table, progress, backend, remember)


def _fhir_map(fhir_map: str | Path | FhirMap | None) -> FhirMap | None:
    return load_fhir_map(fhir_map) if isinstance(fhir_map, str | Path) else fhir_map


def export_fhir(run: Run, fhir_map: str | Path | FhirMap | None = None, *,
                trace: str | None = None) -> str:
    """The run as a FHIR R4 collection Bundle, JSON text as ``eqlang export fhir`` writes
    it: a summary MeasureReport per organization, measure and period, and each
    organization's settlement with the SHA-256 of the run's trace (``trace``, when the
    caller has built ``run.trace_json()`` already)."""
    text = run.trace_json() if trace is None else trace
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return export_bundle(run.program, run.tables, run.outputs(), digest, _fhir_map(fhir_map))


def _settle(program: Program, tables: Tables, organizations: str | Sequence[str] | None,
            overrides: str | Sequence[str] | Mapping[str, str],
            as_of: datetime.date | None, trace: str | Path | None,
            fhir_map: FhirMap | None = None,
            organization_table: str | Path | OrganizationTable | None = None,
            progress: Callable[[str], object] | None = None, backend: str = "auto",
            remember: bool = True) -> Run:
    _settleable(program)
    if isinstance(organizations, str):
        organizations = [organizations]
    if organizations:
        organizations = [key_text(org) for org in organizations]
    table_set, tabulations = _table_set(tables, fhir_map)
    inputs = inputs_for_run(program, organization_table, table_set.organizations(),
                            ", ".join(t.path for t in table_set.tables))
    assignments = (
        [f"{k}={v}" for k, v in overrides.items()] if isinstance(overrides, Mapping)
        else [overrides] if isinstance(overrides, str) else list(overrides)
    )
    parsed: dict[str, Override] = {}
    for assignment in assignments:
        name, override = parse_override(program, assignment)
        if name in parsed:
            raise EqlangError(Diagnostic(
                "E0601", f"`{name}` is set twice: `{parsed[name].text}` and "
                f"`{override.text}`", None, path="--set",
                hint="give each parameter one value per run"))
        parsed[name] = override
    if as_of is not None and program.effective is not None and as_of < program.effective[0]:
        raise EqlangError(Diagnostic(
            "E0604", f"the settlement date {as_of} is before the contract takes effect on "
            f"{program.effective[0]}", None, path="--as-of",
            hint="settle on or after the start of the contract, usually after its "
            "performance period ends"))
    chosen = _chosen(program, table_set, organizations)
    org_filter = tuple(sorted(set(organizations))) if organizations else None
    texts = {name: override.text for name, override in parsed.items()}
    if trace is not None and backend == "columnar":
        raise EqlangError(Diagnostic(
            "E0608", "the columnar backend writes no trace", None, path="--backend",
            hint="drop `--backend columnar`: a trace is written by the exact backend"))
    if trace is None and backend != "exact":
        columnar = _columnar(program, table_set, sorted(chosen), parsed, as_of, inputs,
                             backend == "columnar", remember)
        if columnar is not None:
            for org in sorted(chosen) if progress is not None else ():
                progress(org)
            return Run(program, table_set, columnar, columnar.settlements(sorted(chosen)),
                       texts, org_filter, parsed, as_of, tabulations, inputs)
    evaluator = Evaluator(program, table_set, overrides=parsed, as_of=as_of,
                          record=trace is not None, organizations=inputs)
    run = Run(program, table_set, evaluator, (), texts, org_filter, parsed, as_of, tabulations,
              inputs)
    if trace is None:
        return attrs.evolve(run, settlements=_settle_each(evaluator, sorted(chosen), None,
                                                          progress))
    settled: list[Settlement] = []
    write_atomic_stream(trace, lambda stream: settled.extend(
        _stream_trace(run, evaluator, sorted(chosen), stream, progress)),
        protected=run.read_files())
    return attrs.evolve(run, settlements=tuple(settled))


def _columnar(program: Program, tables: TableSet, organizations: list[str],
              overrides: dict[str, Override], as_of: datetime.date | None,
              inputs: OrganizationTable | None, asked: bool, remember: bool = True
              ) -> ColumnarRun | None:
    """The run settled by the columnar backend, or None where the exact backend must
    settle it: a contract the columnar backend declines (refused, if it was ``asked`` for
    by name), or an organization whose settlement stops with an error, which the exact
    backend locates."""
    from eqlang.backends.columnar import Unsupported, evaluate

    try:
        run = evaluate(program, tables, overrides=overrides, as_of=as_of,
                       organizations=organizations, track=remember, inputs=inputs,
                       remember=remember)
    except Unsupported as why:
        if not asked:
            return None
        raise EqlangError(Diagnostic(
            "E0608", f"the columnar backend cannot settle this contract: {why}", None,
            path=program.main.source.path,
            hint="settle it with `--backend exact`, or leave the choice to eqlang "
            "(`--backend auto`)")) from None
    failing = set(run.failing())
    return None if any(org in failing for org in organizations) else run


def _table_set(tables: Tables, fhir_map: FhirMap | None
               ) -> tuple[TableSet, tuple[Tabulation, ...]]:
    """The tables of a run, in the order given (files named one after another are read
    together, so that every problem in them is reported at once), and those of them made
    from member files."""
    if isinstance(tables, TableSet):
        return tables, ()
    # A lone string is a sequence too: read as a list, `"t.csv"` would be five tables
    # named by its letters.
    items = [tables] if isinstance(tables, str | Path | MeasureTable | Tabulation) else tables
    loaded: list[MeasureTable] = []
    paths: list[str | Path] = []
    for item in [*items, None]:
        if isinstance(item, str | Path):
            paths.append(item)
            continue
        if paths:
            loaded.extend(load_tables(paths, fhir_map=fhir_map).tables)
            paths = []
        if isinstance(item, Tabulation):
            loaded.append(item.table)
        elif item is not None:
            loaded.append(item)
    tabulations = tuple(t for t in items if isinstance(t, Tabulation))
    return TableSet(tuple(loaded)), tabulations


def _chosen(program: Program, table_set: TableSet,
            organizations: Sequence[str] | None) -> list[str]:
    """The organizations to settle: those asked for, the contract's provider, or all."""
    known = table_set.organizations()
    if not known:
        # Most likely an export that wrote only its header: an empty settlement would look
        # like a run that paid nobody.
        raise EqlangError([Diagnostic(
            "E0602", "the measure table holds no rows, so there is no organization to settle",
            None, path=table.path, line=2, column=1,
            hint="check that the export wrote its rows, not only the header")
            for table in table_set.tables] or [Diagnostic(
                "E0602", "no measure table was given, so there is no organization to settle",
                None, path="eqlang.api", hint="pass the paths of the measure tables")])
    chosen = list(known)
    if program.provider is not None:
        chosen = [program.provider]
    if organizations:
        chosen = list(dict.fromkeys(organizations))
        outside = [o for o in chosen if program.provider not in (None, o)]
        if outside:
            raise EqlangError(Diagnostic(
                "E0602", f"organization \"{outside[0]}\" is not a party to the contract",
                None, path=program.main.source.path,
                hint=f"the contract is with \"{program.provider}\" only; settle that "
                "organization, or drop the organization filter"))
    for org in chosen:
        if not table_set.has_org(org):  # a set: `in known` made many organizations quadratic
            raise EqlangError(Diagnostic(
                "E0602", f"organization \"{org}\" is not in the measure tables", None,
                path=", ".join(t.path for t in table_set.tables),
                hint=did_you_mean(org, known) or "the tables hold: " + listed(known)))
    return chosen


def _settleable(program: Program) -> None:
    """Refuse a module, or a contract without outputs: settled, either would pay nobody
    anything and exit as if all were well."""
    path = program.main.source.path
    if program.header is None:
        raise EqlangError(Diagnostic(
            "E0606", "this is a module, not a contract: it has no contract header, so there "
            "is nothing to settle", None, path=path, line=1, column=1,
            hint="settle the contract that imports it; a contract starts with `contract "
            "\"Title\" ... end` and declares the outputs it pays"))
    if not program.outputs:
        raise EqlangError(Diagnostic(
            "E0606", "the contract declares no output, so there is nothing to settle",
            program.header.span,
            hint="declare what it pays with `output NAME: money = ... rounded to cents half "
            "up`"))


def _stream_trace(run: Run, evaluator: Evaluator, organizations: list[str],
                  stream: IO[str], progress: Callable[[str], object] | None = None
                  ) -> tuple[Settlement, ...]:
    """Settle each organization with ``evaluator`` (which records) and write its part of
    the trace to ``stream`` as soon as it is settled."""
    writer = TraceWriter(run.program, run.tables, evaluator, run.overrides, run.org_filter,
                         stream, members_section(run.tabulations), run._organization_table())
    writer.begin()
    settlements = _settle_each(evaluator, organizations, writer.add, progress)
    writer.end()
    return settlements


def _settle_each(evaluator: Evaluator, organizations: list[str],
                 settled: Callable[[Settlement], None] | None = None,
                 progress: Callable[[str], object] | None = None
                 ) -> tuple[Settlement, ...]:
    """Settle each organization in turn; an error stops its own organization only, so that
    one run reports every organization's problem (a missing ALL row in many exports, say).

    An error raised at the same place with the same message for several organizations (an
    unguarded division in a rule they all reach) is reported once, naming the others.
    """
    settlements: list[Settlement] = []
    failures: dict[tuple[str, str, str], tuple[EvaluationError, list[str]]] = {}
    for org in organizations:
        try:
            settlement = evaluator.settle(org)
        except EvaluationError as error:
            first = error.diagnostics[0]
            if first.code == E_STEPS:
                raise  # the next organization would most likely run as long again
            key = (first.code, first.message, first.location())
            if key in failures:
                failures[key][1].append(org)
            else:
                failures[key] = (error, [])
            continue
        finally:
            if progress is not None:
                progress(org)
        settlements.append(settlement)
        if settled is not None and not failures:
            settled(settlement)
    if not failures:
        return tuple(settlements)
    collector = Collector()
    for error, others in failures.values():
        first, *rest = error.diagnostics
        if others:
            first = attrs.evolve(first, notes=(*first.notes, Note(
                "the same error at this line also stops "
                f"{counted(len(others), 'more organization')}"
                f": {listed(others)}")))
        for diagnostic in (first, *rest):
            collector.add(diagnostic)
    raise EvaluationError(collector.finish("the settlement"))


def example_coverage(program: Program, results: Sequence[ExampleResult]) -> Coverage:
    """What the worked examples exercised of the contract: rules, tiers, branches."""
    return coverage(program, ((r.evaluator, r.log) for r in results))


# ---- traces ------------------------------------------------------------------------------


def load_trace(path: str | Path) -> dict[str, Any]:
    """Read a trace written by ``eqlang eval --trace`` (or ``Run.write_trace``)."""
    return read_trace(path)[1]


def organization_of(trace: dict[str, Any], org: str | None, path: str) -> str:
    """The organization to explain: ``org``, or the only one the trace holds."""
    orgs = sorted(trace["organizations"])
    if org is None:
        if len(orgs) == 1:
            return orgs[0]
        raise EqlangError(Diagnostic(
            "E0602", "the trace holds several organizations; choose one", None, path=path,
            hint="one of: " + listed(orgs)))
    if org not in trace["organizations"]:
        raise EqlangError(Diagnostic(
            "E0602", f"the trace has no organization \"{org}\"", None, path=path,
            hint=did_you_mean(org, orgs) or "it holds: " + listed(orgs)))
    return org


def find_values(trace: dict[str, Any], org: str, value: str, path: str) -> list[str]:
    """The node ids ``value`` names: an output (``payout``; every measure's for
    ``measure_payout``), one measure's (``measure_payout(COL)``) or any node id."""
    section = trace["organizations"][org]
    outputs = section["outputs"]
    # A value that is the same for every organization (a peer median) is in `peers`.
    peers = trace.get("peers", {})
    nodes = {**{f"peers::{k}": v for k, v in peers.items()}, **peers, **section["nodes"]}
    wanted = " ".join(value.split())
    if wanted not in nodes:
        # Node ids are spaced one way, `gap(COL, Asian, baseline)`; people type
        # `gap(COL,Asian,baseline)` too.
        wanted = re.sub(r"\s*([(),])\s*", r"\1", wanted).replace(",", ", ")
    name, _, rest = wanted.partition("(")
    name = name.strip()
    if rest and not rest.endswith(")"):
        raise EqlangError(Diagnostic(
            "E0702", f"`{value}` is not closed: a `)` is missing", None, path=path,
            hint=f"write it as {name.strip()}({rest.strip()})"))
    if name in outputs:
        entry = outputs[name]
        if not entry:
            raise EqlangError(Diagnostic(
                "E0702", f"output `{name}` has no values in this trace: it is defined per "
                "measure or group, and there were none", None, path=path,
                hint="run `eqlang verify` on the trace if that is a surprise"))
        if "node" in entry:
            if rest:
                raise EqlangError(Diagnostic(
                    "E0702", f"output `{name}` has one value, not one per measure or group",
                    None, path=path, hint=f"ask for `{name}`"))
            return [entry["node"]]
        if rest:
            key = rest.removesuffix(")").strip()
            if key in entry:
                return [entry[key]["node"]]
            raise EqlangError(Diagnostic(
                "E0702", f"output `{name}` has no value for `{key}`", None, path=path,
                hint=did_you_mean(key, entry) or "it has: " + ", ".join(entry)))
        return [entry[key]["node"] for key in entry]
    if wanted in section["nodes"] or wanted.startswith("peers::"):
        return [wanted]
    if wanted in nodes:
        return [f"peers::{wanted}"]
    raise EqlangError(Diagnostic(
        "E0702", f"the trace has no output or value `{value}` for {org}", None, path=path,
        hint=did_you_mean(wanted, [*outputs, *section["nodes"], *peers])
        or "outputs: " + ", ".join(outputs)))


def explain_trace(trace: dict[str, Any] | str | Path, value: str, *, org: str | None = None,
                  depth: int | None = None) -> str:
    """``eqlang explain`` as a function: the derivation of ``value`` in a trace (data, or
    the path of a trace file)."""
    path = "trace" if isinstance(trace, dict) else str(trace)
    data = trace if isinstance(trace, dict) else load_trace(trace)
    chosen = organization_of(data, org, path)
    return explained(data, chosen, value, path, depth)


def explained(trace: dict[str, Any], org: str, value: str, path: str,
              depth: int | None = None) -> str:
    """The derivation of ``value`` for ``org`` as indented trees, one per value it names.

    A trace is a file people can edit. Its outline is checked when it is read; should a
    node deeper in it have been edited out of shape, the reader gets E0701, not a
    traceback."""
    try:
        roots = find_values(trace, org, value, path)
        return "".join(explain_tree(trace, org, root, depth) for root in roots)
    except (KeyError, TypeError, AttributeError, ValueError, IndexError,
            decimal.DecimalException) as exc:
        what = (f"a field `{exc.args[0]}` is missing" if isinstance(exc, KeyError) and exc.args
                else "a field has a value of the wrong kind")
        raise bad_trace(path, f"the trace is damaged: {what} in the derivation of `{value}`",
                         "check it with `eqlang verify TRACE`, or write it again with "
                         "`eqlang eval ... --trace FILE`") from None


# ---- verification ------------------------------------------------------------------------

#: Differences listed before the rest are only counted: one changed input can change
#: thousands of values, and the first few say what happened.
MAX_DIFFERENCES = 25


@attrs.frozen
class Verification:
    """What ``eqlang verify`` found: ``ok`` only when every hash and value matches."""

    trace: str
    problems: tuple[str, ...]
    checked: str

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_trace(path: str | Path, *, inputs: str | Path | None = None) -> Verification:
    """Re-evaluate a trace from its recorded contract, modules and tables, and compare.

    Every input file is hashed and compared with the trace; then the run is repeated with
    the recorded organizations, overrides and settlement date, and the new trace is compared
    with the file byte by byte and, where they differ, value by value. Each difference is
    described.

    A trace is untrusted: the inputs it names are read only inside ``inputs`` (by default
    the trace's own folder), only if they are regular files within the size limits of the
    commands that first read them, and a file whose SHA-256 differs from the trace's is
    never shown, not even in an error's excerpt: it may not be the file that was traced.
    """
    shown = str(path)
    folder = Path(inputs) if inputs is not None else Path(path).parent
    raw, trace = read_trace(path)
    problems: list[str] = []
    if trace.get("eqlang_version") != __version__:
        problems.append(f"the trace was written by eqlang {trace.get('eqlang_version')}, "
                        f"this is eqlang {__version__}: values may differ for that reason "
                        "alone; verify with the version that wrote it")
    contract, tables = trace["contract"], trace["tables"]
    organizations = sorted(trace["organizations"])
    recorded_filter = "org_filter" in trace
    if recorded_filter:
        org_filter = trace["org_filter"]
    else:
        org_filter = organizations
        problems.append("the trace does not record which organizations were asked for "
                        "(`org_filter`), so an organization taken out of it would go "
                        "unnoticed: write it again with `eqlang eval ... --trace FILE`")
    overrides = {str(k): str(v) for k, v in trace["overrides"].items()}
    as_of = trace["as_of"]
    rows = sum(t["rows"] for t in tables if isinstance(t.get("rows"), int))
    first_version = trace["format"] != FORMAT
    every = "the outputs" if first_version else "every value"
    checked = (f"the contract {contract['path']}, {counted(len(contract['modules']), 'module')}, "
               f"{counted(len(tables), 'table')} ({counted(rows, 'row')}) and {every} of "
               f"{counted(len(organizations), 'organization')}")
    if first_version:
        checked += (f" (a {trace['format']} trace records peer values in every "
                    f"organization, where {FORMAT} records them once, so only the outputs "
                    "can be compared; write it again with `eqlang eval ... --trace FILE` to "
                    "verify every value)")
    members = trace.get("members", [])
    if members:
        files = member_files(members)
        member_rows = sum(f["rows"] for f in files if isinstance(f.get("rows"), int))
        checked += (f", from {counted(len(files), 'member file')} "
                    f"({counted(member_rows, 'row')})")
    organization_inputs = trace.get("organization_table")
    if organization_inputs is not None:
        input_rows = organization_inputs.get("rows")
        checked += f", with the organization table {organization_inputs['path']}" + (
            f" ({counted(input_rows, 'row')})" if isinstance(input_rows, int) else "")
    del trace  # a large trace is parsed again only if it differs, to describe how
    read = TracedInputs(folder, problems)
    contract_file = read.file("contract", contract["path"], contract["sha256"])
    for module in contract["modules"]:
        read.module(module["path"], module["sha256"], contract_file)
    made = {entry["table"] for entry in members}
    # A table made from member files is made again from them, not read.
    table_data = {table["path"]: read.file("table", table["path"], table["sha256"])
                  for table in tables if table["path"] not in made}
    member_paths = {f["path"]: read.located("member file", f["path"], f["sha256"])
                    for f in member_files(members)}
    inputs_data = None if organization_inputs is None else read.file(
        "organization table", organization_inputs["path"], organization_inputs["sha256"])
    if read.complete:
        assert contract_file is not None
        try:
            program = check(load(contract_file[0], contract["path"], source=contract_source(
                contract_file[0], decode_source(contract["path"], contract_file[1]))))
            tabulations = {entry["table"]: retabulate(program, entry, member_paths.__getitem__)
                           for entry in members}
            tables_read: list[MeasureTable | Tabulation] = []
            for table in tables:
                data = table_data.get(table["path"])
                tables_read.append(table_from_bytes(data[1], table["path"]) if data is not None
                                   else tabulations[table["path"]])
            organization_table = None if inputs_data is None or organization_inputs is None \
                else organization_table_from_bytes(inputs_data[1], program,
                                                   organization_inputs["path"])
            # Settled again for the organizations the run was asked for, not those the
            # trace holds: one taken out of the trace must show as missing from it.
            run = settle(program, tables_read, organizations=org_filter, overrides=overrides,
                         as_of=_date(as_of), organization_table=organization_table)
            fresh = run.trace()
            if not recorded_filter:
                del fresh["org_filter"]  # said above; every other difference still counts
        except (EqlangError, SourceError) as error:
            problems.append(read.failure(error))
        else:
            recorded = json.loads(raw) if first_version else None
            if recorded is not None:
                fresh, recorded = outputs_only(fresh), outputs_only(recorded)
            if (recorded is not None and fresh != recorded) or (
                    recorded is None and dumps(fresh).encode("utf-8") != raw):
                found: list[tuple[str | None, str]] = []
                compare(recorded if recorded is not None else json.loads(raw), fresh, [],
                        found)
                differences = [text for _, text in found]
                paid = [org for org, _ in found if org is not None]
                if paid:
                    # The details below stop after a few; this line names every organization
                    # whose payment differs, however far down its differences come.
                    settled = set(organizations) | set(fresh["organizations"])
                    differences.insert(0, paid_summary(paid, len(settled)))
                hashed = any("SHA-256" in p for p in problems)
                problems.extend(d for d in differences if not (hashed and ".sha256:" in d))
                if not differences:
                    problems.append("the file's content matches, but it is not byte for byte "
                                    "what eqlang writes (was it reformatted or re-encoded?)")
    if len(problems) > MAX_DIFFERENCES:
        problems[MAX_DIFFERENCES:] = [f"... and {len(problems) - MAX_DIFFERENCES} more "
                                      "differences"]
    return Verification(shown, tuple(problems), checked)


def _date(text: str | None) -> datetime.date | None:
    if text is None:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise bad_trace("trace", f"the settlement date {text!r} is not a date",
                         "write the trace again with `eqlang eval --trace`") from None


def _module_file(recorded: str, contract_file: Path) -> Path:
    if recorded.startswith("<stdlib>/"):
        name = recorded.removeprefix("<stdlib>/").removesuffix(".eq")
        return stdlib_modules().get(name, Path(recorded))
    return contract_file.parent / recorded


