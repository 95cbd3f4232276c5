"""The ``eqlang`` command: check, fmt, eval, explain and verify.

Exit codes: 0 when all is well, 1 when a contract, table or trace has a problem (reported as
diagnostics on standard error), 2 for a command line that cannot be understood.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from eqlang import __version__
from eqlang.api import Run, example_coverage, load_contract, run_examples, settle
from eqlang.codes import EXPLANATIONS
from eqlang.codes import explain as explain_code
from eqlang.coverage import render_coverage
from eqlang.diagnostics import Diagnostic, EqlangError, did_you_mean, render_all
from eqlang.example_runner import render_results
from eqlang.fmt import format_module
from eqlang.parse import parse
from eqlang.render import explain as explain_tree
from eqlang.render import module_docs, outputs_json, summary
from eqlang.source import SourceError, read_source
from eqlang.trace import FORMAT, dumps, write_atomic

F = TypeVar("F", bound=Callable[..., Any])


def _fail(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic]) -> NoReturn:
    click.echo(render_all(diagnostics), err=True)
    count = len(diagnostics)
    click.echo(f"\n{count} error{'s' if count != 1 else ''}", err=True)
    sys.exit(1)


def reports_errors(command: F) -> F:
    """Turn every anticipated failure into diagnostics and exit 1, never a traceback."""
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except EqlangError as error:
            _fail(error.diagnostics)
        except SourceError as error:
            _fail([Diagnostic("E0001", error.message, None, hint=error.hint, path=error.path)])
        except OSError as error:
            click.echo(f"eqlang: error: {error.strerror or error}"
                       + (f": {error.filename}" if error.filename else ""), err=True)
            sys.exit(1)
        except RecursionError:
            click.echo("eqlang: error: the input is nested too deeply to process", err=True)
            sys.exit(1)
    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="eqlang")
def main() -> None:
    """eqlang: pay-for-equity contracts as checked, traceable code."""


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--explain", "code", metavar="CODE", help="Explain an error code, e.g. E0201.")
@reports_errors
def check(files: tuple[str, ...], code: str | None) -> None:
    """Check contracts without evaluating them: syntax, names, types, units, tiers."""
    if code is not None:
        wanted = code.strip().upper()
        if wanted not in EXPLANATIONS:
            hint = did_you_mean(wanted, EXPLANATIONS)
            raise click.UsageError(f"no error code {code}" + (f"; {hint}" if hint else ""))
        click.echo(explain_code(wanted))
        return
    if not files:
        raise click.UsageError("name at least one contract file, or use --explain CODE")
    diagnostics: list[Diagnostic] = []
    for file in files:
        try:
            program = load_contract(file)
        except EqlangError as error:
            diagnostics.extend(error.diagnostics)
            continue
        measures = sum(1 for d in program.main.module.declarations
                       if type(d).__name__ == "Measure")
        click.echo(f"{file}: ok ({measures} measures, {len(program.outputs)} outputs)")
    if diagnostics:
        _fail(diagnostics)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--write", is_flag=True, help="Rewrite the file in place (atomically).")
@click.option("--check", "check_only", is_flag=True,
              help="Exit 1 if the file is not already formatted; change nothing.")
@reports_errors
def fmt(file: str, write: bool, check_only: bool) -> None:
    """Print a contract in the canonical layout, keeping its comments."""
    source = read_source(file)
    formatted = format_module(parse(source))
    if check_only:
        if formatted != source.text:
            click.echo(f"{file}: not formatted; run `eqlang fmt --write {file}`", err=True)
            sys.exit(1)
        click.echo(f"{file}: formatted")
    elif write:
        if formatted != source.text:
            write_atomic(file, formatted)
    else:
        click.echo(formatted, nl=False)


def _as_of(value: str | None) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2024-12-31") from None


@main.command(name="eval")
@click.argument("contract", type=click.Path(dir_okay=False))
@click.option("--table", "tables", multiple=True, required=True, metavar="PATH",
              help="A measure table (CSV); repeat for several.")
@click.option("--org", "orgs", multiple=True, metavar="ORG",
              help="Settle only this organization; repeat for several.")
@click.option("--trace", "trace_path", metavar="OUT.json", help="Write the full trace here.")
@click.option("--json", "as_json", is_flag=True, help="Print outputs as JSON.")
@click.option("--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a parameter for a what-if run.")
@click.option("--as-of", "as_of", metavar="DATE",
              help="Settlement date that picks amended parameter values.")
@reports_errors
def eval_command(contract: str, tables: tuple[str, ...], orgs: tuple[str, ...],
                 trace_path: str | None, as_json: bool, overrides: tuple[str, ...],
                 as_of: str | None) -> None:
    """Settle a contract on measure tables and print the payouts."""
    program = load_contract(contract)
    run = settle(program, list(tables), organizations=list(orgs), overrides=list(overrides),
                 as_of=_as_of(as_of))
    settlements = list(run.settlements)
    text = outputs_json(settlements) if as_json else summary(program, run.evaluator,
                                                             settlements)
    if trace_path is not None:
        inputs = [contract, *tables, *(m.source.path for m in program.modules)]
        write_atomic(trace_path, run.trace_json(), protected=inputs)
    click.echo(text, nl=False)


def _load_trace(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EqlangError(Diagnostic("E0701", "no such trace file", None, path=path,
                                     hint="write one with `eqlang eval ... --trace FILE`")
                          ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EqlangError(Diagnostic("E0701", f"not a JSON trace: {exc}", None, path=path,
                                     hint="pass a file written by `eqlang eval --trace`")
                          ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise EqlangError(Diagnostic("E0701", f"not an eqlang trace (format {FORMAT})", None,
                                     path=path,
                                     hint="pass a file written by `eqlang eval --trace`"))
    return data


def _pick_org(trace: dict[str, Any], org: str | None, path: str) -> str:
    orgs = sorted(trace["organizations"])
    if org is None:
        if len(orgs) == 1:
            return orgs[0]
        raise click.UsageError("the trace holds several organizations; choose one with --org: "
                               + ", ".join(orgs))
    if org not in trace["organizations"]:
        raise EqlangError(Diagnostic("E0602", f"the trace has no organization \"{org}\"", None,
                                     path=path, hint=did_you_mean(org, orgs)
                                     or "it holds: " + ", ".join(orgs)))
    return org


def _find_node(trace: dict[str, Any], org: str, output: str, path: str) -> list[str]:
    section = trace["organizations"][org]
    outputs = section["outputs"]
    name, _, rest = output.partition("(")
    name = name.strip()
    if name in outputs:
        entry = outputs[name]
        if "node" in entry:
            return [entry["node"]]
        if rest:
            key = rest.rstrip(")").strip()
            if key in entry:
                return [entry[key]["node"]]
            raise EqlangError(Diagnostic("E0702", f"output `{name}` has no value for `{key}`",
                                         None, path=path, hint=did_you_mean(key, entry)
                                         or "it has: " + ", ".join(entry)))
        return [entry[k]["node"] for k in entry]
    if output in section["nodes"]:
        return [output]
    raise EqlangError(Diagnostic("E0702", f"the trace has no output or value `{output}`", None,
                                 path=path, hint=did_you_mean(output, [*outputs,
                                                                       *section["nodes"]])
                                 or "outputs: " + ", ".join(outputs)))


@main.command()
@click.argument("trace_file", metavar="TRACE", type=click.Path(dir_okay=False))
@click.argument("output")
@click.option("--org", help="The organization, when the trace holds several.")
@click.option("--depth", type=click.IntRange(min=0), help="How many levels to show.")
@reports_errors
def explain(trace_file: str, output: str, org: str | None, depth: int | None) -> None:
    """Show how one value of a trace was derived, down to the table rows."""
    trace = _load_trace(trace_file)
    chosen = _pick_org(trace, org, trace_file)
    roots = _find_node(trace, chosen, output, trace_file)
    click.echo(f"{chosen}")
    for root in roots:
        click.echo(explain_tree(trace, chosen, root, depth), nl=False)


def _resolve(recorded: str, trace_file: str) -> str:
    if Path(recorded).exists():
        return recorded
    beside = Path(trace_file).parent / recorded
    return str(beside) if beside.exists() else recorded


def _sha256(path: str) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def _differences(recorded: Any, fresh: Any, where: str, found: list[str]) -> None:
    if len(found) >= 25:
        return
    if isinstance(recorded, dict) and isinstance(fresh, dict):
        for key in sorted(set(recorded) | set(fresh)):
            here = f"{where} > {key}" if where else key
            if key not in fresh:
                found.append(f"{here}: in the trace, but re-evaluation does not produce it")
            elif key not in recorded:
                found.append(f"{here}: re-evaluation produces it, but the trace lacks it")
            else:
                _differences(recorded[key], fresh[key], here, found)
    elif recorded != fresh:
        found.append(f"{where}: the trace says {json.dumps(recorded, ensure_ascii=False)}, "
                     f"re-evaluation gives {json.dumps(fresh, ensure_ascii=False)}")


@main.command()
@click.argument("trace_file", metavar="TRACE", type=click.Path(dir_okay=False))
@reports_errors
def verify(trace_file: str) -> None:
    """Re-evaluate a trace from its recorded inputs and report every difference."""
    trace = _load_trace(trace_file)
    problems: list[str] = []
    contract = _resolve(trace["contract"]["path"], trace_file)
    digest = _sha256(contract)
    if digest is None:
        problems.append(f"contract {contract}: cannot be read")
    elif digest != trace["contract"]["sha256"]:
        problems.append(f"contract {contract}: changed since the trace was written "
                        f"(SHA-256 {trace['contract']['sha256'][:12]}... then, "
                        f"{digest[:12]}... now)")
    tables = []
    for table in trace["tables"]:
        path = _resolve(table["path"], trace_file)
        tables.append(path)
        digest = _sha256(path)
        if digest is None:
            problems.append(f"table {path}: cannot be read")
        elif digest != table["sha256"]:
            problems.append(f"table {path}: changed since the trace was written (SHA-256 "
                            f"{table['sha256'][:12]}... then, {digest[:12]}... now)")
    fresh: dict[str, Any] | None = None
    if digest is not None and all(_sha256(p) is not None for p in tables):
        try:
            program = load_contract(contract)
            as_of = trace.get("as_of")
            run: Run = settle(
                program, tables, organizations=sorted(trace["organizations"]),
                overrides=trace.get("overrides", {}),
                as_of=datetime.date.fromisoformat(as_of) if as_of else None,
            )
            fresh = json.loads(dumps(run.trace()))
        except EqlangError as error:
            problems.append("re-evaluation failed:\n" + render_all(error.diagnostics))
    if fresh is not None:
        recorded_modules = {m["path"]: m["sha256"] for m in trace["contract"]["modules"]}
        for module in fresh["contract"]["modules"]:
            then = recorded_modules.get(module["path"])
            if then is None:
                problems.append(f"module {module['path']}: imported now, not in the trace")
            elif then != module["sha256"]:
                problems.append(f"module {module['path']}: changed since the trace was written")
        fresh["contract"]["path"] = trace["contract"]["path"]
        for table, original in zip(fresh["tables"], trace["tables"], strict=False):
            table["path"] = original["path"]
        differences: list[str] = []
        _differences(trace, fresh, "", differences)
        problems.extend(d for d in differences if not _explained(d, problems))
    if problems:
        click.echo(f"{trace_file}: does NOT verify", err=True)
        for problem in problems:
            click.echo(f"  - {problem}", err=True)
        sys.exit(1)
    orgs = len(trace["organizations"])
    click.echo(f"{trace_file}: verified: the contract, {len(trace['contract']['modules'])} "
               f"module(s), {len(trace['tables'])} table(s) and {orgs} organization(s) "
               "match the trace")


def _explained(difference: str, problems: list[str]) -> bool:
    """Hash differences already reported as changed files need not be repeated."""
    return "sha256" in difference and any("changed since" in p for p in problems)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--output", metavar="FILE", help="Write the Markdown here instead of printing it.")
@click.option("--check", "check_only", is_flag=True,
              help="Exit 1 if FILE (given with --output) is not up to date.")
@reports_errors
def doc(files: tuple[str, ...], output: str | None, check_only: bool) -> None:
    """Generate Markdown documentation from the doc comments of modules."""
    modules = []
    for file in sorted(files):
        source = read_source(file)
        modules.append((Path(file).stem, parse(source)))
    text = module_docs(modules)
    if check_only:
        if output is None:
            raise click.UsageError("--check needs --output FILE")
        current = Path(output).read_text(encoding="utf-8") if Path(output).exists() else ""
        if current != text:
            click.echo(f"{output} is out of date; run `eqlang doc {' '.join(files)} --output "
                       f"{output}`", err=True)
            sys.exit(1)
        click.echo(f"{output} is up to date")
    elif output is not None:
        write_atomic(output, text)
    else:
        click.echo(text, nl=False)


@main.command(name="test")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--coverage", "show_coverage", is_flag=True,
              help="Also list the rules, tiers and branches no example exercised.")
@click.option("--fail-under", type=click.IntRange(0, 100), metavar="PERCENT",
              help="Fail when coverage is below PERCENT (implies --coverage).")
@reports_errors
def test_command(files: tuple[str, ...], show_coverage: bool, fail_under: int | None) -> None:
    """Run the worked examples of contracts and report each one that fails."""
    counts = {"passed": 0, "failed": 0}
    broken = 0
    below: list[str] = []
    for file in files:
        try:
            program = load_contract(file)
        except EqlangError as error:
            broken += 1
            click.echo(f"{file}: cannot run its examples: the contract has errors", err=True)
            click.echo(render_all(error.diagnostics) + "\n", err=True)
            continue
        results = run_examples(program)
        if not results:
            click.echo(f"{file}: no worked examples")
        click.echo(render_results(program, results), nl=False)
        for result in results:
            counts["passed" if result.passed else "failed"] += 1
        if show_coverage or fail_under is not None:
            covered = example_coverage(program, results)
            click.echo(render_coverage(covered), nl=False)
            if fail_under is not None and not covered.at_least(fail_under):
                below.append(f"{file} ({covered.percent})")
    ran = counts["passed"] + counts["failed"]
    summary = (f"\n{ran} example{'s' if ran != 1 else ''} in {len(files)} "
               f"file{'s' if len(files) != 1 else ''}: {counts['passed']} passed, "
               f"{counts['failed']} failed")
    if broken:
        summary += f"; {broken} file{'s' if broken != 1 else ''} with errors"
    click.echo(summary)
    if below:
        click.echo(f"coverage below {fail_under}%: " + ", ".join(below))
    if ran == 0 and not broken:
        click.echo("no worked examples to run; add an `example` to the contract "
                   "(see docs/language.md)", err=True)
    if counts["failed"] or broken or below or ran == 0:
        sys.exit(1)
