"""The ``eqlang`` command: check (and its invariant search), bounds, fmt, eval, explain and
verify; statement, diff, whatif and simulate for those who read settlements (docs/tools.md).

Exit codes: 0 when all is well, 1 when a contract, table or trace has a problem (reported as
diagnostics on standard error), 2 for a command line that cannot be understood.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import gc
import hashlib
import json
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from eqlang import __version__
from eqlang.check import analyze
from eqlang.check import check as check_program
from eqlang.cli_inputs import MemberFiles, RunInputs, run_options
from eqlang.cli_members import member_options
from eqlang.diagnostics import (
    Diagnostic,
    EqlangError,
    counted,
    denied,
    did_you_mean,
    listed,
    render_all,
)
from eqlang.files import Unreadable, read_limited
from eqlang.outputs import E_UNWRITABLE, refuse_inputs, write_atomic
from eqlang.syntax.ast import ContractHeader
from eqlang.syntax.literate import format_source, parse_contract, read_contract
from eqlang.syntax.modules import LoadedModule, load, source_error_diagnostic, stdlib_modules
from eqlang.syntax.source import (
    STDIN,
    STDIN_SHOWN,
    SourceError,
    SourceFile,
    read_stream,
)
from eqlang.terminal import printable
from eqlang.tools.budget import DEFAULT_EXAMPLES, DEFAULT_SECONDS, Budget
from eqlang.tools.progress import progress_bar

# What only some commands need is imported in those commands: `eqlang check` then starts
# without the backends, the data readers and hypothesis (about a third of a second).
if TYPE_CHECKING:
    from eqlang.core.program import Program

F = TypeVar("F", bound=Callable[..., Any])


#: Diagnostics about the command line itself rather than a contract, table or trace: a
#: `--set` that cannot be applied is a usage error, like an option value click refuses.
USAGE_CODES = frozenset({"E0601", "E0604", "E0608"})


def _echo(text: str, *, nl: bool = True, err: bool = False, json: bool = False) -> None:
    """Print ``text``, every character that could take control of the terminal escaped
    (JSON's way in ``json``): names and paths come from files anyone may have written.
    `fmt` and `doc` print their documents as they write them, without this."""
    click.echo(printable(text, json=json), nl=nl, err=err)


def _fail(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic]) -> NoReturn:
    _echo(render_all(diagnostics), err=True)
    total = sum(d.problems for d in diagnostics)
    shown = sum(d.problems == 1 for d in diagnostics)
    _echo(f"\n{counted(total, 'error')}" + (f" ({shown:,} shown)" if shown < total else ""),
               err=True)
    sys.exit(2 if all(d.code in USAGE_CODES for d in diagnostics) else 1)


def reports_errors(command: F) -> F:
    """Turn every anticipated failure into diagnostics and exit 1, never a traceback."""
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except EqlangError as error:
            _fail(error.diagnostics)
        except SourceError as error:
            _fail([source_error_diagnostic(error)])
        except BrokenPipeError:
            # The reader went away (`eqlang explain ... | head`): stop quietly, and keep
            # Python from complaining again when it flushes standard output on exit.
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except UnicodeEncodeError as error:
            # The output is written whole or not at all, so nothing half-printed is left.
            _echo(f"eqlang: error: standard output is encoded as {error.encoding}, which "
                       f"cannot show U+{ord(error.object[error.start]):04X} (and perhaps other "
                       "characters eqlang prints); use a UTF-8 locale, or set "
                       "PYTHONIOENCODING=utf-8", err=True)
            sys.exit(1)
        except OSError as error:
            _echo(f"eqlang: error: {error.strerror or error}"
                       + (f": {error.filename}" if error.filename else ""), err=True)
            sys.exit(1)
        except RecursionError:
            _echo("eqlang: error: the input is nested too deeply to process", err=True)
            sys.exit(1)
    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="eqlang")
def main() -> None:
    """eqlang: pay-for-equity contracts as checked, traceable code."""


@main.command(short_help="Check contracts: syntax, names, types, units, tiers, invariants.")
@click.argument("files", nargs=-1, type=click.Path())
@click.option("--explain", "code", metavar="CODE", help="Explain an error code, e.g. E0201.")
@click.option("--properties", is_flag=True,
              help="Also search generated tables for counterexamples to each invariant.")
@click.option("--examples", type=click.IntRange(min=1), default=DEFAULT_EXAMPLES,
              show_default=True, help="With --properties: tables tried per invariant.")
@click.option("--seconds", type=click.FloatRange(min=0, min_open=True),
              default=DEFAULT_SECONDS, show_default=True,
              help="With --properties: time limit per invariant.")
@click.option("--counterexamples", "counterexample_dir", metavar="DIR",
              help="With --properties: write each counterexample table into DIR.")
@click.option("--deny-warnings", is_flag=True,
              help="Treat warnings as errors: report them as errors and exit 1.")
@reports_errors
def check(files: tuple[str, ...], code: str | None, properties: bool, examples: int,
          seconds: float, counterexample_dir: str | None, deny_warnings: bool) -> None:
    """Check contracts without evaluating them: syntax, names, types, units, tiers.

    A FILE of - reads the contract from standard input.

    Warnings (W codes) are printed and leave the exit status 0; with --deny-warnings they
    are errors. With --properties, also search for measure tables that break the
    contract's invariants; exit 1 if any invariant is broken.
    """
    if code is not None:
        from eqlang.codes import EXPLANATIONS
        from eqlang.codes import explain as explain_code
        wanted = code.strip().upper()
        if wanted not in EXPLANATIONS:
            hint = did_you_mean(wanted, EXPLANATIONS)
            raise click.UsageError(printable(f"no error code {code}"
                                             + (f"; {hint}" if hint else "")))
        _echo(explain_code(wanted))
        return
    if not files:
        raise click.UsageError("name at least one contract file, or use --explain CODE")
    _require_properties(click.get_current_context(), properties, counterexample_dir)
    _stdin_once(files)
    diagnostics: list[Diagnostic] = []
    broken = 0
    for file in files:
        try:
            analysis = analyze(_load_stdin() if file == STDIN else load(file))
        except EqlangError as error:
            diagnostics.extend(error.diagnostics)
            continue
        except SourceError as error:
            diagnostics.append(source_error_diagnostic(error))
            continue
        if analysis.diagnostics or (deny_warnings and analysis.warnings):
            diagnostics.extend(analysis.diagnostics)
            if deny_warnings:
                diagnostics.extend(denied(w) for w in analysis.warnings)
            continue
        program = analysis.program
        if file == STDIN:
            file = STDIN_SHOWN
        found = f", {counted(len(analysis.warnings), 'warning')}" if analysis.warnings else ""
        _echo(f"{file}: ok ({counted(len(program.contract_measures), 'measure')}, "
              f"{counted(len(program.outputs), 'output')}{found})")
        if analysis.warnings:
            click.echo(render_all(analysis.warnings) + "\n", err=True)
        if properties:
            broken += _search_properties(file, program, Budget(examples, seconds),
                                         counterexample_dir)
    if diagnostics:
        _fail(diagnostics)
    if broken:
        sys.exit(1)


def _stdin_once(files: tuple[str, ...]) -> None:
    if files.count(STDIN) > 1:
        raise click.UsageError("`-` (standard input) can be named only once")


def _read_stdin() -> SourceFile:
    return read_stream(sys.stdin.buffer)


def _load_stdin() -> LoadedModule:
    """A contract piped in, read as if it were a file in the current folder: the files it
    imports from beside it are read from there."""
    return load(Path.cwd() / STDIN_SHOWN, STDIN_SHOWN, source=_read_stdin())


def _require_properties(context: click.Context, properties: bool, folder: str | None) -> None:
    """Refuse the search's options without the search, and a folder that cannot be one, before
    a search that may take minutes finds something it then cannot save."""
    given = [f"--{name}" for name in ("examples", "seconds", "counterexamples")
             if context.get_parameter_source(
                 "counterexample_dir" if name == "counterexamples" else name)
             is not click.core.ParameterSource.DEFAULT]
    if given and not properties:
        verb = "applies" if len(given) == 1 else "apply"
        raise click.UsageError(f"{' and '.join(given)} only {verb} to the invariant search; "
                               "add --properties")
    if folder is not None and Path(folder).exists() and not Path(folder).is_dir():
        raise click.UsageError(printable(f"--counterexamples {folder}: this is a file, not a "
                                         "folder; name a folder (it is created if missing)"))


def _search_properties(file: str, program: Program, budget: Budget,
                       folder: str | None) -> int:
    """Search one contract's invariants, print the report; the number broken."""
    from eqlang.tools.properties import check_properties, render_outcomes, saver
    outcomes = check_properties(program, budget)
    inputs = [m.source.path for m in program.modules]
    save = saver(folder, inputs) if folder is not None else None
    _echo(render_outcomes(file, outcomes, save), nl=False)
    return sum(1 for o in outcomes if not o.holds)


@main.command(short_help="Run the language server for editors (over stdin and stdout).")
def lsp() -> None:
    """Run the eqlang language server, speaking the Language Server Protocol over standard
    input and output: diagnostics, hover, definitions, references, rename, outline,
    formatting and completion for .eq and .eq.md files. Editors start it; see
    docs/editors.md."""
    # Imported here: the server's libraries are not needed by any other command.
    from eqlang.lsp.server import serve

    serve()


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--write", is_flag=True, help="Rewrite the files in place (atomically).")
@click.option("--check", "check_only", is_flag=True,
              help="Change nothing; list the files not already formatted and exit 1 if any.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Change nothing; print what formatting would change, as a unified diff.")
@reports_errors
def fmt(files: tuple[str, ...], write: bool, check_only: bool, show_diff: bool) -> None:
    """Print contracts in the canonical layout, keeping their comments.

    Lines are broken to fit 92 columns where they can be. With one file and no option, print
    it formatted; --write, --check and --diff take any number of files. A FILE of - reads
    standard input.
    """
    if write and (check_only or show_diff):
        raise click.UsageError("--write rewrites files; --check and --diff change nothing")
    if not (write or check_only or show_diff) and len(files) > 1:
        raise click.UsageError("name one file to print, or use --write, --check or --diff")
    if write and STDIN in files:
        raise click.UsageError("--write cannot rewrite standard input; without --write, "
                               "`eqlang fmt -` prints the formatted text")
    _stdin_once(files)
    diagnostics: list[Diagnostic] = []
    unformatted: list[str] = []
    read = 0
    for file in files:
        try:
            source = _read_stdin() if file == STDIN else read_contract(file)
            if file == STDIN:
                file = STDIN_SHOWN
            written, formatted = format_source(source)
        except EqlangError as error:
            diagnostics.extend(error.diagnostics)
            continue
        except SourceError as error:
            diagnostics.append(source_error_diagnostic(error))
            continue
        read += 1
        if not (write or check_only or show_diff):
            click.echo(formatted, nl=False)
        elif formatted != written:
            unformatted.append(file)
            if write:
                write_atomic(file, formatted)
            if show_diff:
                click.echo(_unified_diff(file, written, formatted), nl=False)
            if check_only:
                _echo(f"{file}: not formatted", err=True)
    if check_only:
        _report_check(read, unformatted)
    if diagnostics:
        _fail(diagnostics)
    if check_only and unformatted:
        sys.exit(1)


def _unified_diff(file: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(before.splitlines(keepends=True),
                                 after.splitlines(keepends=True),
                                 f"{file} (as written)", f"{file} (formatted)")
    # A last line without a newline would run into the next file's header.
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _report_check(read: int, unformatted: list[str]) -> None:
    """The last line of `fmt --check`: how many of the files read need formatting."""
    files = counted(read, "file")
    if unformatted:
        _echo(f"{len(unformatted)} of {files} not formatted; "
                   "run `eqlang fmt --write` on them", err=True)
    else:
        _echo(f"{files} already formatted, nothing to change")


@main.command(short_help="Least and greatest value of each output over every valid table.")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the bounds as JSON.")
@reports_errors
def bounds(files: tuple[str, ...], as_json: bool) -> None:
    """Show the least and greatest value of each output over every valid measure table."""
    from eqlang.api import load_contract
    from eqlang.tools.bounds import bounds_json, output_bounds, render_bounds
    results = {}
    for file in files:
        program = load_contract(file)
        found = output_bounds(program)
        if as_json:
            results[file] = bounds_json(found)
        else:
            _echo(render_bounds(file, found, bool(program.inputs)), nl=False)
    if as_json:
        _echo(json.dumps(results, indent=2, sort_keys=True, ensure_ascii=False), json=True)


@main.command(name="tabulate", short_help="Add up member-level files into a measure table.")
@click.argument("contract", type=click.Path())
@member_options
@click.option("--output", required=True, metavar="TABLE",
              help="Write the measure table here: CSV, or Parquet for a .parquet name.")
@reports_errors
def tabulate_command(contract: str, members: tuple[str, ...], membership: tuple[str, ...],
                     attribution: str | None, tolerance: str | None, engine: str,
                     spark_master: str | None, spark_remote: str | None, output: str) -> None:
    """Add up member results and membership into the contract's measure table.

    Each member counts in their self-reported group, or else by the attribution terms in
    the groups imputed to them; the ALL row counts every member once. Every problem in the
    files is reported with its file and row or member, and nothing is written then.
    """
    from eqlang.api import input_files, load_contract
    from eqlang.data.members import write_table
    if not members or not membership:
        raise click.UsageError("name the member results with --members and the membership "
                               "with --membership")
    program = load_contract(contract)
    refuse_inputs(output, [*input_files(program, []), *members, *membership])
    made = MemberFiles(members, membership, attribution, tolerance, engine, spark_master,
                       spark_remote).tabulate(program)
    assert made is not None
    write_table(made, output)
    _echo(f"{output}: {counted(len(made.table.rows), 'row')} from "
               f"{counted(sum(f.rows for f in made.files if f.role == 'results'), 'member result')}"
               f" ({made.attribution.describe()})")


@main.command(name="eval", short_help="Settle a contract on measure tables or member files.")
@click.argument("contract", type=click.Path())
@run_options("Settle only this organization; repeat for several.")
@click.option("--trace", "trace_path", metavar="OUT.json", help="Write the full trace here.")
@click.option("--json", "as_json", is_flag=True,
              help="Print {org: {output: value}} as JSON, with decimal strings.")
@click.option("--values", "values_path", metavar="FILE",
              help="Also write every value (definitions too) as a table: .csv, .parquet or "
              ".xlsx.")
@click.option("--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a parameter for a what-if run (checked like source).")
@click.option("--backend", type=click.Choice(["auto", "exact", "columnar"]), default="auto",
              show_default=True,
              help="How to settle: exact walks the contract per organization (and writes "
              "traces), columnar settles all at once to the same values; auto uses columnar "
              "where it gives the same answer.")
@reports_errors
def eval_command(contract: str, inputs: RunInputs, trace_path: str | None, as_json: bool,
                 values_path: str | None, overrides: tuple[str, ...], backend: str) -> None:
    """Settle a contract on measure tables, or on member-level files, and print the payouts.
    """
    from eqlang.api import load_contract
    from eqlang.render import outputs_json, summary
    from eqlang.tools.values import write_values
    if trace_path == "-":
        # A file named "-" would surprise anyone used to "-" meaning standard output.
        raise click.BadParameter("the trace is written to a file, not to standard output; "
                                 "name one, such as trace.json (--json prints the payouts)",
                                 param_hint="'--trace'")
    _values_option(values_path, trace_path)
    program = load_contract(contract)
    for path in (trace_path, values_path):
        if path is not None:
            # Refused before the work is done, not after.
            refuse_inputs(path, inputs.files(program))
    # The summary shows values behind the outputs; --json prints the outputs alone.
    run = inputs.settle(program, overrides=overrides, trace=trace_path, backend=backend,
                        remember=not as_json)
    if values_path is not None:
        write_values(values_path, run.values(), program, run.read_files())
    settlements = list(run.settlements)
    if as_json:
        # Nothing reads the tables or the evaluator's values again: freed, the output is
        # built in their memory rather than above it (issue 12's 300 MiB at 10,000 orgs).
        del run
        text = outputs_json(settlements)
    else:
        text = summary(program, run.evaluator, settlements, run.overrides)
    _echo(text, nl=False, json=as_json)


def _values_option(path: str | None, trace_path: str | None) -> None:
    """Refuse a --values file that cannot be written, before settling."""
    from eqlang.tools.values import format_of
    if path is None:
        return
    if path == "-" or format_of(path) is None:
        raise click.BadParameter(f"{path}: name a file ending in .csv, .parquet or .xlsx",
                                 param_hint="'--values'")
    if trace_path is not None and os.path.abspath(trace_path) == os.path.abspath(path):
        raise click.BadParameter("the values and the trace need files of their own",
                                 param_hint="'--values'")


@main.command(short_help="A statement per organization (HTML), an index and the trace.")
@click.argument("contract", type=click.Path())
@run_options("Write statements for this organization only; repeat for several.")
@click.option("--output", required=True, metavar="DIR",
              help="The folder to write the statements, the index and the trace into.")
@reports_errors
def statement(contract: str, inputs: RunInputs, output: str) -> None:
    """Write a settlement statement for each organization: one self-contained HTML page
    each (no script, no file fetched, printable on letter paper), an index page with the
    totals and their distribution, and the trace they come from (trace.json).

    See docs/tools.md for what a statement shows.
    """
    from eqlang.api import load_contract
    if Path(output).exists() and not Path(output).is_dir():
        raise click.BadParameter(f"{output} is a file; name a folder (it is created if "
                                 "missing)", param_hint="'--output'")
    # matplotlib is imported by the one command that draws.
    from eqlang.statements import INDEX, TRACE, write_statements

    run = inputs.settle(load_contract(contract))
    with progress_bar(len(run.organizations), "statement") as advance:
        written = write_statements(run, output, advance)
    _echo(f"{output}: {counted(len(written.statements), 'statement')} and {INDEX}; "
               f"trace {TRACE} SHA-256 {written.trace_sha256}")


@main.command(name="diff",
              short_help="Compare two versions of the terms on the same tables.")
@click.argument("old", type=click.Path())
@click.argument("new", type=click.Path())
@run_options("Compare only this organization; repeat for several.")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@reports_errors
def diff_command(old: str, new: str, inputs: RunInputs, as_json: bool) -> None:
    """Compare two versions of a contract's terms on the same measure tables.

    Prints what changed in the terms (parameters, measure weights, tiers, groups, rules,
    each with its text in both versions), each organization's outputs under both, and for
    each output that changed the first value where the two derivations part, as
    `eqlang explain` shows it.
    """
    from eqlang.api import load_contract
    from eqlang.tools.diff import as_json as diff_json
    from eqlang.tools.diff import compare
    from eqlang.tools.diff import render_text as render_diff
    old_program, new_program = load_contract(old), load_contract(new)
    table_set = inputs.table_set()
    # Each version tabulates member files under its own terms, and reads the organization
    # table if it declares organization inputs.
    runs = [inputs.settle(program, loaded=table_set, inputs_if_declared=True)
            for program in (old_program, new_program)]
    comparison = compare(*runs)
    if as_json:
        _echo(json.dumps(diff_json(comparison), indent=2, sort_keys=True, ensure_ascii=False),
              json=True)
    else:
        _echo(render_diff(comparison), nl=False)


@main.command(short_help="Each scenario of a scenario file beside the baseline.")
@click.argument("contract", type=click.Path())
@run_options("Only this organization; repeat for several.")
@click.option("--scenario", "scenario_files", multiple=True, required=True,
              metavar="FILE.toml", help="A file of scenarios (docs/tools.md); repeat for more.")
@click.option("--json", "as_json", is_flag=True,
              help="Print every output under each scenario as JSON.")
@reports_errors
def whatif(contract: str, inputs: RunInputs, scenario_files: tuple[str, ...],
           as_json: bool) -> None:
    """Settle a contract under each scenario of the scenario files (parameters set, rates
    or counts changed) and show each beside the baseline, per organization and in total.
    """
    from eqlang.api import load_contract, parse_override

    # numpy and the columnar backend are imported by the commands that settle lanes.
    from eqlang.tools.lanes import ENGINES as LANE_ENGINES
    from eqlang.tools.lanes import settle_lanes
    from eqlang.tools.scenarios import read_scenarios
    from eqlang.tools.whatif import as_json as whatif_json
    from eqlang.tools.whatif import render_text as render_whatif
    program = load_contract(contract)
    run = inputs.settle(program)
    scenarios = [scenario for path in scenario_files
                 for scenario in read_scenarios(path, program, run.tables, parse_override)]
    names = [s.lane.name for s in scenarios]
    repeated = next((n for n in names if names.count(n) > 1), None)
    if repeated is not None:
        raise click.UsageError(printable(f"two scenarios are named \"{repeated}\"; give each "
                                         "its own name"))
    with progress_bar(len(scenarios), "scenario") as advance:
        lanes = list(settle_lanes(program, run.tables, [s.lane for s in scenarios],
                                  run.organizations, as_of=run.evaluator.as_of,
                                  progress=advance,
                                  organization_table=run.organization_table))
    if as_json:
        _echo(json.dumps(whatif_json(scenarios, run.settlements,
                                     [lane.settlements for lane in lanes],
                                     LANE_ENGINES["exact"]),
                         indent=2, sort_keys=True, ensure_ascii=False), json=True)
        return
    title = program.header.title if program.header else contract
    _echo(render_whatif(title, ", ".join(t.path for t in run.tables.tables), scenarios,
                        run.settlements, [lane.settlements for lane in lanes],
                        LANE_ENGINES["exact"]), nl=False)


def _prior(value: str | None) -> tuple[float, float] | None:
    if value is None:
        return None
    parts = value.split(",")
    try:
        a, b = (float(part) for part in parts)
    except ValueError:
        a = b = -1.0
    if len(parts) != 2 or not (a > 0 and b > 0) or not all(map(math.isfinite, (a, b))):
        raise click.BadParameter(f"{value!r} is not two positive numbers A,B, such as 0.5,0.5",
                                 param_hint="'--prior'")
    return a, b


@main.command(short_help="The payout's distribution under sampling noise.")
@click.argument("contract", type=click.Path())
@run_options("Only this organization; repeat for several.")
@click.option("--draws", type=click.IntRange(min=1, max=1_000_000), default=1000,
              show_default=True, help="How many times to draw the tables.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="The seed of the draws: the same seed gives the same draws.")
@click.option("--method", type=click.Choice(("binomial", "beta-binomial")), default="binomial",
              show_default=True,
              help="How each group's numerator is drawn given its denominator.")
@click.option("--prior", metavar="A,B",
              help="With --method beta-binomial: the Beta prior of a rate (default 0.5,0.5).")
@click.option("--output", "output_name", metavar="OUTPUT",
              help="The output to simulate (by default the payout: see docs/tools.md).")
@click.option("--json", "as_json", is_flag=True, help="Print the distributions as JSON.")
@reports_errors
def simulate(contract: str, inputs: RunInputs, draws: int, seed: int, method: str,
             prior: str | None, output_name: str | None, as_json: bool) -> None:
    """Draw each group's numerator again given its denominator, settle each draw, and show
    the payout's distribution per organization and in total: mean, P5, P50, P95, the chance
    of paying nothing, of paying the most the contract can, and of each tier.
    """
    from eqlang.api import load_contract
    from eqlang.tools.bounds import output_bounds
    from eqlang.tools.findings import choose_headline

    # numpy and the columnar backend are imported by the commands that draw.
    from eqlang.tools.lanes import ENGINES as LANE_ENGINES
    from eqlang.tools.lanes import settle_drawn
    from eqlang.tools.simulate import JEFFREYS, Method, drawn_numerators, ranges, tier_order
    from eqlang.tools.simulate import as_json as simulate_json
    from eqlang.tools.simulate import render_text as render_simulation

    beta = _prior(prior)
    if beta is not None and method != "beta-binomial":
        raise click.UsageError("--prior applies to --method beta-binomial only")
    chosen = Method(method, draws, seed, beta or JEFFREYS)
    program = load_contract(contract)
    run = inputs.settle(program)
    headline, most = choose_headline(program, output_bounds(program))
    if output_name is not None:
        scalar = [n for n in program.outputs if not program.rules[n].params]
        if output_name not in scalar:
            raise click.BadParameter(f"{output_name!r} is not an output without arguments; "
                                     + (did_you_mean(output_name, scalar) or "outputs: "
                                        + listed(scalar)), param_hint="'--output'")
        if output_name != headline:
            most = next((b for b in _upper_bounds(program) if b[0] == output_name),
                        (output_name, None))[1]
        headline = output_name
    if headline is None:
        raise click.UsageError("the contract has no output without arguments to simulate")
    with progress_bar(draws, "draw") as advance:
        rows, blocks = drawn_numerators(program, run.tables, run.organizations, chosen)
        settled = settle_drawn(program, run.tables, rows, blocks, run.organizations,
                               headline, as_of=run.evaluator.as_of, progress=advance,
                               organization_table=run.organization_table)
        found = ranges(headline, run.settlements, settled, most)
    if as_json:
        _echo(json.dumps(simulate_json(headline, chosen, found, LANE_ENGINES["float64"]),
                         indent=2, sort_keys=True, ensure_ascii=False), json=True)
        return
    title = program.header.title if program.header else contract
    _echo(render_simulation(title, ", ".join(t.path for t in run.tables.tables), headline,
                            program.rules[headline].type, chosen, found,
                            LANE_ENGINES["float64"],
                            tier_order(program)), nl=False)


def _upper_bounds(program: Program) -> list[tuple[str, Any]]:
    from eqlang.tools.bounds import output_bounds
    from eqlang.tools.findings import upper_bound
    return [(b.output, upper_bound(b.value)) for b in output_bounds(program)
            if b.argument is None]


@main.group()
def export() -> None:
    """Write a settlement in another format: FHIR MeasureReports."""


@export.command(name="fhir", short_help="A FHIR Bundle of MeasureReports and the settlement.")
@click.argument("contract", type=click.Path())
@run_options("Export only this organization; repeat for several.")
@click.option("--output", required=True, metavar="OUT.json", help="Write the Bundle here.")
@click.option("--trace", "trace_path", metavar="OUT.json",
              help="Also write the trace whose SHA-256 the Bundle records.")
@reports_errors
def export_fhir_command(contract: str, inputs: RunInputs, output: str,
                        trace_path: str | None) -> None:
    """Settle a contract and write a FHIR R4 collection Bundle: a summary MeasureReport per
    organization, measure and period, stratified as the contract's stratifications, and
    each organization's settlement with the SHA-256 of the trace.

    See docs/fhir.md for the mapping, field by field.
    """
    from eqlang.api import export_fhir, load_contract
    for option, path in (("--output", output), ("--trace", trace_path)):
        if path == "-":
            raise click.BadParameter("name a file to write, such as bundle.json",
                                     param_hint=f"'{option}'")
    if trace_path is not None and os.path.abspath(trace_path) == os.path.abspath(output):
        raise click.BadParameter("the trace and the Bundle need files of their own",
                                 param_hint="'--trace'")
    program = load_contract(contract)
    read = inputs.files(program)
    for path in (output, trace_path):
        if path is not None:
            refuse_inputs(path, read)
    run = inputs.settle(program)
    trace = run.trace_json()
    bundle = export_fhir(run, inputs.fhir(), trace=trace)
    read += [t.path for t in run.tables.tables]
    write_atomic(output, bundle, protected=read)
    if trace_path is not None:
        write_atomic(trace_path, trace, protected=read)
    reports = bundle.count('"resourceType": "MeasureReport"')
    _echo(f"{output}: {counted(reports, 'MeasureReport')} for "
               f"{counted(len(run.organizations), 'organization')}; trace SHA-256 "
               f"{hashlib.sha256(trace.encode('utf-8')).hexdigest()}")


@main.command(short_help="Show how one value of a trace was derived, down to the table rows.")
@click.argument("trace_file", metavar="TRACE", type=click.Path())
@click.argument("output")
@click.option("--org", help="The organization, when the trace holds several.")
@click.option("--depth", type=click.IntRange(min=0),
              help="How many levels below the value to show (all by default).")
@reports_errors
def explain(trace_file: str, output: str, org: str | None, depth: int | None) -> None:
    """Show how one value of a trace was derived, down to the table rows.

    OUTPUT is an output (payout; measure_payout for every measure), one measure's value
    (measure_payout(COL)) or any value of the trace (gap(COL, Asian, baseline)).
    """
    from eqlang.api import explained, load_trace, organization_of
    trace = load_trace(trace_file)
    if org is None and len(trace["organizations"]) > 1:
        raise click.UsageError(printable("the trace holds several organizations; choose one "
                                         "with --org: " + listed(sorted(trace["organizations"]))))
    chosen = organization_of(trace, org, trace_file)
    text = explained(trace, chosen, output, trace_file, depth)  # before printing anything
    _echo(chosen)
    _echo(text, nl=False)


@main.command(short_help="Re-derive a trace from its recorded inputs; report any difference.")
@click.argument("trace_file", metavar="TRACE", type=click.Path())
@click.option("--inputs", "inputs", metavar="DIR",
              type=click.Path(exists=True, file_okay=False),
              help="Read the inputs the trace names only inside DIR (by default, the "
              "trace's own folder).")
@reports_errors
def verify(trace_file: str, inputs: str | None) -> None:
    """Re-evaluate a trace from its recorded inputs and report every difference.

    Checks the SHA-256 of the contract, every module and every table, re-derives every value
    and compares the result with the trace; exits 0 only when all of it matches. The paths
    a trace records are read only inside the trace's folder, or DIR given with --inputs.
    """
    from eqlang.api import verify_trace
    result = verify_trace(trace_file, inputs=inputs)
    if not result.ok:
        _echo(f"{trace_file}: does NOT verify", err=True)
        for problem in result.problems:
            first, *rest = problem.splitlines()
            _echo(f"  - {first}", err=True)
            for line in rest:
                _echo(f"    {line}", err=True)
        sys.exit(1)
    _echo(f"{trace_file}: verified: {result.checked} match the trace")


@main.command(short_help="A contract as a document for signatories, or docs of modules.")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--output", metavar="FILE", help="Write the document here instead of printing it.")
@click.option("--format", "format_", type=click.Choice(["markdown", "html"]),
              help="Markdown or one self-contained HTML page (by default, HTML when --output "
              "ends in .html or .htm, else Markdown).")
@click.option("--check", "check_only", is_flag=True,
              help="Exit 1 if FILE (given with --output) is not up to date.")
@reports_errors
def doc(files: tuple[str, ...], output: str | None, format_: str | None,
        check_only: bool) -> None:
    """Document a contract for the people who sign it, or modules from their doc comments.

    A CONTRACT (plain .eq or literate .eq.md) is rendered as one document: its terms, its
    parameters with their citations, its tiers and worked examples as tables. MODULE files
    (such as stdlib/*.eq) get a reference from their ## doc comments.
    """
    from eqlang.document import contract_markdown, document_title, markdown_html
    if format_ is None:
        format_ = "html" if output is not None and Path(output).suffix.lower() in (
            ".html", ".htm") else "markdown"
    contracts = [f for f in files if _is_contract(f)]
    if contracts and len(files) > 1:
        raise click.UsageError(f"{contracts[0]} is a contract, documented by itself: name one "
                               "contract, or only modules")
    if contracts:
        loaded = load(contracts[0])
        check_program(loaded)  # a document of a contract with errors would document them
        text = contract_markdown(loaded)
    else:
        text = _module_reference(files)
    if format_ == "html":
        text = markdown_html(text, document_title(text))
    if check_only:
        if output is None:
            raise click.UsageError("--check needs --output FILE")
        if _current(output, text) != text:
            _echo(f"{output} is out of date; run `eqlang doc {' '.join(files)} --output "
                       f"{output}`", err=True)
            sys.exit(1)
        _echo(f"{output} is up to date")
    elif output is not None:
        write_atomic(output, text, protected=list(files))
    else:
        click.echo(text, nl=False)  # the document itself, as --output would write it


def _current(output: str, text: str) -> str | None:
    """What ``output`` holds now, to compare with ``text``: None when it is missing or too
    long to be the same; a pipe or a device is refused, as writing to it would be."""
    try:
        return read_limited(output, len(text.encode("utf-8")), "document").decode(
            "utf-8", errors="replace")
    except Unreadable as problem:
        if problem.kind in ("missing", "too large"):
            return None
        raise EqlangError(Diagnostic(E_UNWRITABLE, f"cannot check the output here: "
                                     f"{problem.message}", None, path=output,
                                     hint=problem.hint)) from None


def _is_contract(file: str) -> bool:
    """Whether a file has a contract header (read as a module, so that nothing it imports
    is needed to tell)."""
    module = parse_contract(read_contract(file))
    return any(isinstance(d, ContractHeader) for d in module.declarations)


def _module_reference(files: tuple[str, ...]) -> str:
    from eqlang.render import module_docs
    modules = []
    for file in sorted(files):
        loaded = load(file, module=True)
        check_program(loaded)  # documentation of a module with errors would document the errors
        modules.append((Path(file).stem, loaded.module))
    # By name, not by folder: a checkout's stdlib/ is the standard library too, when the
    # installed package reads its own copy (a non-editable install run from the checkout).
    shipped = stdlib_modules()
    everything_shipped = all(Path(f).resolve().parent.name == "stdlib" and Path(f).stem in shipped
                             for f in files)
    return module_docs(modules, "Standard library" if everything_shipped else "Modules")


@main.command(name="test",
              short_help="Run the worked examples of contracts (--coverage: what they miss).")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--coverage", "show_coverage", is_flag=True,
              help="Also list the rules, tiers and branches no example exercised.")
@click.option("--fail-under", type=click.IntRange(0, 100), metavar="PERCENT",
              help="Fail when coverage is below PERCENT (implies --coverage).")
@reports_errors
def test_command(files: tuple[str, ...], show_coverage: bool, fail_under: int | None) -> None:
    """Run the worked examples of contracts and report each one that fails."""
    from eqlang.api import example_coverage, load_contract, run_examples
    from eqlang.tools.coverage import render_coverage
    from eqlang.tools.examples import render_results
    counts = {"passed": 0, "failed": 0}
    broken = 0
    below: list[str] = []
    for file in files:
        try:
            program = load_contract(file)
        except EqlangError as error:
            broken += 1
            _echo(f"{file}: cannot run its examples: the contract has errors", err=True)
            _echo(render_all(error.diagnostics) + "\n", err=True)
            continue
        results = run_examples(program)
        if not results:
            _echo(f"{file}: no worked examples")
        _echo(render_results(program, results), nl=False)
        for result in results:
            counts["passed" if result.passed else "failed"] += 1
        if show_coverage or fail_under is not None:
            covered = example_coverage(program, results)
            _echo(render_coverage(covered), nl=False)
            if fail_under is not None and not covered.at_least(fail_under):
                below.append(f"{file} ({covered.percent})")
    ran = counts["passed"] + counts["failed"]
    summary = (f"\n{counted(ran, 'example')} in {counted(len(files), 'file')}: "
               f"{counts['passed']} passed, "
               f"{counts['failed']} failed")
    if broken:
        summary += f"; {counted(broken, 'file')} with errors"
    _echo(summary)
    if below:
        _echo(f"coverage below {fail_under}%: " + ", ".join(below))
    if ran == 0 and not broken:
        _echo("no worked examples to run; add an `example` to the contract "
                   "(`eqlang check --explain E0801` shows one)", err=True)
    if counts["failed"] or broken or below or ran == 0:
        sys.exit(1)


def entry_point() -> NoReturn:
    """The ``eqlang`` console command (and ``python -m eqlang``): ``main`` in a process
    that ends as soon as its output is out.

    A settlement builds millions of small objects that live until the command ends. The
    cyclic garbage collector would scan them again and again for cycles they do not form,
    and tearing the heap down at exit would free them one by one: together a third of
    the time of a large run. So the collector is off for the command, and the process exits
    without the teardown once everything it wrote is flushed. (``main`` itself, as tests and
    other programs call it, does neither.)
    """
    gc.disable()
    try:
        main(prog_name="eqlang")
        status: Any = 0
    except SystemExit as exit_:
        status = exit_.code
    if status is not None and not isinstance(status, int):
        print(status, file=sys.stderr)
        status = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        status = status or 1
    os._exit(status or 0)
