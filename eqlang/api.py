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
from eqlang.data.tables import TableSet, key_text, load_table, load_tables
from eqlang.diagnostics import (
    Collector,
    Diagnostic,
    EqlangError,
    Note,
    counted,
    did_you_mean,
    listed,
    render_all,
)
from eqlang.render import explain as explain_tree
from eqlang.render import outputs_data
from eqlang.syntax import ast as s
from eqlang.syntax.modules import load, stdlib_modules
from eqlang.syntax.parse import parse
from eqlang.syntax.source import SourceFile, names_stdin
from eqlang.tools.coverage import Coverage, coverage
from eqlang.tools.examples import ExampleResult, run_examples
from eqlang.trace.writer import (
    FORMAT,
    READABLE,
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
    "find_values",
    "input_files",
    "load_contract",
    "load_trace",
    "organization_of",
    "parse_override",
    "run_examples",
    "settle",
    "verify_trace",
]


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

    def trace(self) -> dict[str, Any]:
        """The trace as JSON data: what ``eqlang eval --trace`` writes."""
        with _no_cycle_collection():
            evaluator = self._recording()
            settlements = [evaluator.settle(st.org) for st in self.settlements]
            return build(self.program, self.tables, evaluator, settlements, self.overrides,
                         self.org_filter)

    def trace_json(self) -> str:
        """The trace as canonical JSON text."""
        return dumps(self.trace())

    def write_trace(self, path: str | Path) -> None:
        """Write the trace atomically, one organization at a time; refuses to overwrite the
        contract, a module or a table."""
        inputs = input_files(self.program, [t.path for t in self.tables.tables])
        with _no_cycle_collection():
            evaluator = self._recording()
            write_atomic_stream(path, lambda stream: _stream_trace(
                self, evaluator, [st.org for st in self.settlements], stream),
                protected=inputs)

    def _recording(self) -> Evaluator:
        """An evaluator like the one that settled the run, recording every derivation."""
        return Evaluator(self.program, self.tables, overrides=self.given, as_of=self.as_of,
                         record=True)

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
    tables: str | Path | Sequence[str | Path] | TableSet,
    *,
    organizations: str | Sequence[str] | None = None,
    overrides: str | Sequence[str] | Mapping[str, str] = (),
    as_of: datetime.date | None = None,
    trace: str | Path | None = None,
    backend: str = "auto",
) -> Run:
    """Settle a checked contract on measure tables (CSV paths, or a loaded ``TableSet``).

    A single path, organization or ``NAME=VALUE`` override may be given on its own instead
    of in a list.

    Every organization in the tables is settled, or only the provider the contract's header
    names, or only ``organizations``. ``overrides`` replace parameters for a what-if run,
    as ``eqlang eval --set`` does (``["pool=$1,200,000.00"]`` or ``{"pool": "$1,200,000.00"}``,
    values written as in the contract); ``as_of`` is the settlement date that picks amended
    values (by default the contract's own). With ``trace``, the trace is written to that
    file as the run settles, one organization at a time (nothing is written if it fails).

    ``backend`` chooses how: ``"exact"`` walks the contract once per organization and is
    the only one that writes traces; ``"columnar"`` settles every organization at once
    (``eqlang.backends.columnar``), to the same values; ``"auto"`` (the default) settles
    with the columnar backend when no trace is asked for and it gives the same answer (it
    can follow the contract and no organization's settlement stops with an error), and
    with the exact backend otherwise, which says where and why a settlement stops.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend is one of {', '.join(BACKENDS)}, not {backend!r}")
    with _no_cycle_collection():
        return _settle(program, tables, organizations, overrides, as_of, trace, backend)


def _settle(program: Program, tables: str | Path | Sequence[str | Path] | TableSet,
            organizations: str | Sequence[str] | None,
            overrides: str | Sequence[str] | Mapping[str, str],
            as_of: datetime.date | None, trace: str | Path | None, backend: str) -> Run:
    # A lone string is a sequence too: read as a list, `"t.csv"` would be five tables
    # named by its letters.
    if isinstance(tables, str | Path):
        tables = [tables]
    if isinstance(organizations, str):
        organizations = [organizations]
    if organizations:
        organizations = [key_text(org) for org in organizations]
    table_set = tables if isinstance(tables, TableSet) else load_tables(list(tables))
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
            "E0605", "the columnar backend writes no trace", None, path="--backend",
            hint="drop `--backend columnar`: a trace is written by the exact backend"))
    if trace is None and backend != "exact":
        columnar = _columnar(program, table_set, sorted(chosen), parsed, as_of,
                             backend == "columnar")
        if columnar is not None:
            return Run(program, table_set, columnar, columnar.settlements(sorted(chosen)),
                       texts, org_filter, parsed, as_of)
    evaluator = Evaluator(program, table_set, overrides=parsed, as_of=as_of,
                          record=trace is not None)
    run = Run(program, table_set, evaluator, (), texts, org_filter, parsed, as_of)
    if trace is None:
        return attrs.evolve(run, settlements=_settle_each(evaluator, sorted(chosen)))
    settled: list[Settlement] = []
    inputs = input_files(program, [t.path for t in table_set.tables])
    write_atomic_stream(trace, lambda stream: settled.extend(
        _stream_trace(run, evaluator, sorted(chosen), stream)), protected=inputs)
    return attrs.evolve(run, settlements=tuple(settled))


def _columnar(program: Program, tables: TableSet, organizations: list[str],
              overrides: dict[str, Override], as_of: datetime.date | None, asked: bool
              ) -> ColumnarRun | None:
    """The run settled by the columnar backend, or None where the exact backend must
    settle it: a contract the columnar backend declines (refused, if it was ``asked`` for
    by name), or an organization whose settlement stops with an error, which the exact
    backend locates."""
    from eqlang.backends.columnar import Unsupported, evaluate

    try:
        run = evaluate(program, tables, overrides=overrides, as_of=as_of,
                       organizations=organizations, track=True)
    except Unsupported as why:
        if not asked:
            return None
        raise EqlangError(Diagnostic(
            "E0605", f"the columnar backend cannot settle this contract: {why}", None,
            path=program.main.source.path,
            hint="settle it with `--backend exact`, or leave the choice to eqlang "
            "(`--backend auto`)")) from None
    failing = set(run.failing())
    return None if any(org in failing for org in organizations) else run


def _chosen(program: Program, table_set: TableSet,
            organizations: Sequence[str] | None) -> list[str]:
    """The organizations to settle: those asked for, the contract's provider, or all."""
    known = table_set.organizations()
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
        if not table_set.has_org(org):  # a set: `in known` would take N² at 10,000
            raise EqlangError(Diagnostic(
                "E0602", f"organization \"{org}\" is not in the measure tables", None,
                path=", ".join(t.path for t in table_set.tables),
                hint=did_you_mean(org, known) or "the tables hold: " + listed(known)))
    return chosen


def _stream_trace(run: Run, evaluator: Evaluator, organizations: list[str],
                  stream: IO[str]) -> tuple[Settlement, ...]:
    """Settle each organization with ``evaluator`` (which records) and write its part of
    the trace to ``stream`` as soon as it is settled."""
    writer = TraceWriter(run.program, run.tables, evaluator, run.overrides, run.org_filter,
                         stream)
    writer.begin()
    settlements = _settle_each(evaluator, organizations, writer.add)
    writer.end()
    return settlements


def _settle_each(evaluator: Evaluator, organizations: list[str],
                 settled: Callable[[Settlement], None] | None = None
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
                raise  # the step budget is the whole run's: the next organization has none
            key = (first.code, first.message, first.location())
            if key in failures:
                failures[key][1].append(org)
            else:
                failures[key] = (error, [])
            continue
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
    return _read_trace(path)[1]


def _read_trace(path: str | Path) -> tuple[bytes, dict[str, Any]]:
    """The bytes of a trace file and the trace they hold, checked enough to be read."""
    shown = str(path)
    try:
        raw = Path(path).read_bytes()
        data = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        if names_stdin(path):
            raise _bad_trace(shown, "cannot read a trace from `-` (standard input)",
                             "name the trace file") from None
        raise _bad_trace(shown, "no such trace file",
                         "write one with `eqlang eval ... --trace FILE`") from None
    except IsADirectoryError:
        raise _bad_trace(shown, "this is a directory, not a trace file",
                         "name a .json file written by `eqlang eval --trace`") from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise _bad_trace(shown, f"not a JSON trace: {exc}",
                         "pass a file written by `eqlang eval --trace`") from None
    if not isinstance(data, dict) or data.get("format") not in READABLE:
        found = data.get("format") if isinstance(data, dict) else None
        raise _bad_trace(shown, f"not an eqlang trace of format {' or '.join(READABLE)}"
                         + (f" (it says {found!r})" if found else ""),
                         "pass a file written by `eqlang eval --trace`")
    problem = _shape_problem(data)
    if problem is not None:
        raise _bad_trace(shown, f"the trace is damaged: {problem}",
                         "write it again with `eqlang eval ... --trace FILE`")
    return raw, data


def _bad_trace(path: str, message: str, hint: str) -> EqlangError:
    return EqlangError(Diagnostic("E0701", message, None, path=path, hint=hint))


def _shape_problem(trace: dict[str, Any]) -> str | None:
    """What is missing or malformed in the parts of a trace that explain and verify read."""
    def need(where: str, value: Any, kind: type | tuple[type, ...]) -> str | None:
        return None if isinstance(value, kind) else f"`{where}` is missing or malformed"

    contract = trace.get("contract")
    checks = [need("contract", contract, dict), need("tables", trace.get("tables"), list),
              need("organizations", trace.get("organizations"), dict),
              need("overrides", trace.get("overrides"), dict),
              need("as_of", trace.get("as_of"), (str, type(None))),
              # Missing only from traces written before it was recorded; verify says so.
              need("org_filter", trace.get("org_filter"), (list, type(None)))]
    checks += [need(f"org_filter[{number}]", name, str)
               for number, name in enumerate(_of(trace.get("org_filter"), list))]
    if isinstance(contract, dict):
        checks += [need("contract.path", contract.get("path"), str),
                   need("contract.sha256", contract.get("sha256"), str),
                   need("contract.modules", contract.get("modules"), list)]
        for number, module in enumerate(_of(contract.get("modules"), list)):
            checks += [need(f"contract.modules[{number}]", module, dict)]
            if isinstance(module, dict):
                checks += [need(f"contract.modules[{number}].{k}", module.get(k), str)
                           for k in ("path", "sha256")]
    for number, table in enumerate(_of(trace.get("tables"), list)):
        checks += [need(f"tables[{number}]", table, dict)]
        if isinstance(table, dict):
            checks += [need(f"tables[{number}].{k}", table.get(k), str)
                       for k in ("path", "sha256")]
    sections = [(f"organizations.{org}", section)
                for org, section in _of(trace.get("organizations"), dict).items()]
    if trace.get("format") == FORMAT:
        checks.append(need("peers", trace.get("peers"), dict))
        sections.append(("peers", {"outputs": {}, "nodes": _of(trace.get("peers"), dict)}))
    for where, section in sections:
        checks += [need(where, section, dict)]
        if isinstance(section, dict):
            checks += [need(f"{where}.{k}", section.get(k), dict) for k in ("outputs", "nodes")]
            for node_id, node in _of(section.get("nodes"), dict).items():
                problem = need(f"{where}.nodes.{node_id}", node, dict)
                if problem is None:
                    problem = next((f"`{where}.nodes.{node_id}.{k}` is missing or "
                                    "malformed" for k, kind in _NODE_FIELDS
                                    if not isinstance(node.get(k), kind)), None)
                checks.append(problem)
    return next((c for c in checks if c is not None), None)


def _of(value: Any, kind: type) -> Any:
    """``value`` to look inside when it is a ``kind``, else an empty one: a damaged part is
    reported by the check of the part itself, not by a crash while looking into it."""
    return value if isinstance(value, kind) else kind()


_NODE_FIELDS = (("kind", str), ("name", str), ("args", list), ("value", dict), ("uses", list))


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
        raise _bad_trace(path, f"the trace is damaged: {what} in the derivation of `{value}`",
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


def verify_trace(path: str | Path) -> Verification:
    """Re-evaluate a trace from its recorded contract, modules and tables, and compare.

    Every input file is hashed and compared with the trace; then the run is repeated with
    the recorded organizations, overrides and settlement date, and the new trace is compared
    with the file byte by byte and, where they differ, value by value. Each difference is
    described.
    """
    shown = str(path)
    raw, trace = _read_trace(path)
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
    del trace  # a large trace is parsed again only if it differs, to describe how
    contract_file = _locate(contract["path"], shown)
    readable = _check_file("contract", contract["path"], contract_file, contract["sha256"],
                           problems)
    for module in contract["modules"]:
        readable &= _check_file("module", module["path"],
                                _module_file(module["path"], contract_file),
                                module["sha256"], problems)
    table_files = []
    for table in tables:
        table_files.append(_locate(table["path"], shown))
        readable &= _check_file("table", table["path"], table_files[-1], table["sha256"],
                                problems)
    if readable:
        try:
            program = load_contract(contract_file, display=contract["path"])
            table_set = TableSet(tuple(load_table(file, display=table["path"])
                                       for file, table in zip(table_files, tables, strict=True)))
            # Settled again for the organizations the run was asked for, not those the
            # trace holds: one taken out of the trace must show as missing from it.
            run = settle(program, table_set, organizations=org_filter, overrides=overrides,
                         as_of=_date(as_of))
            fresh = run.trace()
            if not recorded_filter:
                del fresh["org_filter"]  # said above; every other difference still counts
        except EqlangError as error:
            problems.append("re-evaluation from the recorded inputs failed:\n"
                            + render_all(error.diagnostics))
        else:
            recorded = json.loads(raw) if first_version else None
            if recorded is not None:
                fresh, recorded = _outputs_only(fresh), _outputs_only(recorded)
            if (recorded is not None and fresh != recorded) or (
                    recorded is None and dumps(fresh).encode("utf-8") != raw):
                found: list[tuple[str | None, str]] = []
                _compare(recorded if recorded is not None else json.loads(raw), fresh, [],
                         found)
                differences = [text for _, text in found]
                paid = [org for org, _ in found if org is not None]
                if paid:
                    # The details below stop after a few; this line names every organization
                    # whose payment differs, however far down its differences come.
                    settled = set(organizations) | set(fresh["organizations"])
                    differences.insert(0, _paid_summary(paid, len(settled)))
                hashed = any("SHA-256" in p for p in problems)
                problems.extend(d for d in differences if not (hashed and ".sha256:" in d))
                if not differences:
                    problems.append("the file's content matches, but it is not byte for byte "
                                    "what eqlang writes (was it reformatted or re-encoded?)")
    if len(problems) > MAX_DIFFERENCES:
        problems[MAX_DIFFERENCES:] = [f"... and {len(problems) - MAX_DIFFERENCES} more "
                                      "differences"]
    return Verification(shown, tuple(problems), checked)


def _outputs_only(trace: dict[str, Any]) -> dict[str, Any]:
    """What a trace says each organization is paid, without how: traces of different
    formats name the values behind the outputs differently."""
    def values(entry: dict[str, Any]) -> Any:
        if "value" in entry and "node" in entry:
            return entry["value"]
        return {key: values(item) for key, item in entry.items()}

    return {"organizations": {
        org: {"outputs": {name: values(entry) for name, entry in section["outputs"].items()}}
        for org, section in trace["organizations"].items()}}


def _date(text: str | None) -> datetime.date | None:
    if text is None:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise _bad_trace("trace", f"the settlement date {text!r} is not a date",
                         "write the trace again with `eqlang eval --trace`") from None


def _locate(recorded: str, trace_path: str) -> Path:
    """A recorded input path: as written (relative to where eqlang ran), else beside the
    trace, for a trace that travelled with its inputs."""
    as_written = Path(recorded)
    if as_written.exists() or as_written.is_absolute():
        return as_written
    beside = Path(trace_path).parent / recorded
    return beside if beside.exists() else as_written


def _module_file(recorded: str, contract_file: Path) -> Path:
    if recorded.startswith("<stdlib>/"):
        name = recorded.removeprefix("<stdlib>/").removesuffix(".eq")
        return stdlib_modules().get(name, Path(recorded))
    return contract_file.parent / recorded


def _check_file(kind: str, recorded: str, path: Path, sha256: str, problems: list[str]) -> bool:
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        problem = f"{kind} {recorded}: cannot be read ({exc.strerror or exc}), so the values " \
            "cannot be re-derived"
        if isinstance(exc, FileNotFoundError) and not Path(recorded).is_absolute():
            problem += ("; a recorded path is relative to the directory `eqlang eval` ran in: "
                        "run `eqlang verify` there, or keep the inputs beside the trace")
        problems.append(problem)
        return False
    if digest != sha256:
        problems.append(f"{kind} {recorded}: its SHA-256 is {digest}, the trace records "
                        f"{sha256}: the file or the trace was changed after the trace was "
                        "written")
    return True


def _compare(recorded: Any, fresh: Any, where: list[str],
             found: list[tuple[str | None, str]]) -> None:
    """Describe every difference between the trace as recorded and as re-derived, each
    with the organization whose payment it changes (an output, or a whole organization),
    or None for any other difference."""
    if isinstance(recorded, dict) and isinstance(fresh, dict):
        # Within an organization, outputs first: they are what was paid.
        for key in sorted(set(recorded) | set(fresh), key=lambda k: (k != "outputs", k)):
            here = [*where, str(key)]
            if where == ["organizations"] and (key not in fresh or key not in recorded):
                found.append((str(key), f"organization {key}: " + (
                    "in the trace, but not settled again from the inputs" if key not in fresh
                    else "settled again from the inputs, but missing from the trace")))
            elif key not in fresh:
                found.append((_paid(here), f"{_where(here)}: in the trace, but not re-derived"))
            elif key not in recorded:
                found.append((_paid(here),
                              f"{_where(here)}: re-derived, but missing from the trace"))
            else:
                _compare(recorded[key], fresh[key], here, found)
    elif isinstance(recorded, list) and isinstance(fresh, list) and len(recorded) == len(fresh):
        for index, (a, b) in enumerate(zip(recorded, fresh, strict=True)):
            _compare(a, b, [*where, f"[{index}]"], found)
    elif recorded != fresh:
        found.append((_paid(where), f"{_where(where)}: the trace says {_shown(recorded)}, "
                      f"re-deriving gives {_shown(fresh)}"))


def _paid_summary(paid: list[str], settled: int) -> str:
    """``outputs differ for 2 of 4 organizations: A, B``, each organization named once."""
    named = list(dict.fromkeys(paid))
    return (f"outputs differ for {len(named):,} of {counted(settled, 'organization')}: "
            f"{listed(named)}")


def _paid(path: list[str]) -> str | None:
    """The organization whose payment a difference at ``path`` changes, if it does."""
    if len(path) >= 3 and path[0] == "organizations" and path[2] == "outputs":
        return path[1]
    return None


def _where(path: list[str]) -> str:
    """``organizations > ORG > nodes > ID > value > value`` as people say it."""
    if len(path) >= 4 and path[0] == "organizations":
        org, section, name, rest = path[1], path[2], path[3], path[4:]
        if section == "outputs" and rest and rest[0] not in ("node", "value"):
            name, rest = f"{name}({rest[0]})", rest[1:]
        what = "output" if section == "outputs" else "value"
        return f"{org}: {what} {name}" + (f": {_dotted(rest)}" if rest else "")
    return _dotted(path)


_FIELD_NAMES = {"value.value": "value", "value.type": "unit",
                "value.not_scored": "reason not scored", "value.note": "note"}


def _dotted(path: list[str]) -> str:
    text = "".join(p if p.startswith("[") else f".{p}" for p in path).lstrip(".")
    return _FIELD_NAMES.get(text, text) or "(the whole trace)"


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 120 else text[:117] + "..."
