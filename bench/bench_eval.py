"""Benchmarks of issue 12, eqlang beside its yardsticks in one run, each in a fresh process.

Every measurement runs the commands it compares one after the other in the same run, so
that their ratio is fair on a shared machine whose speed drifts; CPU time (user + system)
and peak resident memory are each child process's own, from ``wait4``. It prints a
Markdown table with the ratios and the targets of issue 12 (docs/performance.md):

- ``eval``: `eqlang eval --json` of the reference contract against the hand-written pandas
  script (bench/yardstick_pandas.py) on a generated table of each size in ``--orgs``; the
  two must settle every organization to the same cent, or the run stops.
- ``trace``: `eqlang eval --json --trace` at the largest size: peak memory and trace size;
  the settlement must be the one printed without the trace.
- ``peers``: each peer contract (bench/contracts/) against its plain twin, at each size.
- ``lanes``: the reference contract over ``--lanes`` scenario lanes of 100 organizations,
  eqlang's columnar backend in float64 against the numpy version (bench/yardstick_numpy.py),
  both in this process; the numpy version is checked against eqlang's exact settlement of
  lanes 0 (the observed table), 1 and the last, and the backend against the numpy version
  in every lane.
- ``check``: `eqlang check` of a 10,000-line contract (bench/large_contract.py), beside
  `eqlang check` of the reference contract (what starting the command costs); with
  ``--against CHECKOUT``, also `eqlang check` of the same contract by another checkout of
  eqlang (an earlier commit), the two run in turn, and both must print the same (with
  ``eval`` too: the other checkout's `eqlang eval` runs in turn with this one's and the
  pandas script, and must print the same bytes); with ``--compiled``, eqlang's modules
  are compiled to bytecode first, as an installed copy has them (a checkout run under
  PYTHONDONTWRITEBYTECODE compiles them at every start).
- ``verify``: `eval --trace`, `verify` and `explain` of one payout at the smallest size.

    python bench/bench_eval.py [--orgs 1000,10000] [--only eval,peers,...] [--repeat K]
                               [--lanes 10000] [--timeout S] [--memory-limit GIB]
    python bench/bench_eval.py --only check --repeat 3 [--against CHECKOUT] [--compiled]
    python bench/bench_eval.py --only eval --repeat 3 [--against CHECKOUT] [--compiled]
    python bench/bench_eval.py --profile [--orgs N]
    python bench/bench_eval.py --profile --only check

With --repeat, each command runs K times and the run with the least CPU time counts: on a
shared machine it is the one least disturbed. A command still running after --timeout
seconds, or holding more than --memory-limit GiB, is stopped and reported as such (the
peer contracts grow with the square of the table today). --profile instead settles in
this process and prints the CPU time of each stage and a cProfile listing.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
CONTRACT = ROOT / "contracts" / "reference-equity.eq"
SEED = 2024
LANE_ORGANIZATIONS = 100
MEASUREMENTS = ("eval", "trace", "peers", "lanes", "check", "verify")
GIB = 2**30


@attrs.frozen
class Usage:
    """What one process took, and what it printed."""

    wall: float
    cpu: float
    peak: int  # bytes
    output: bytes = attrs.field(repr=False)
    stopped: str | None = None  # why it was stopped before it finished, if it was


@attrs.frozen
class Limits:
    repeat: int
    timeout: float
    memory: int  # bytes


class Launcher:
    """The small process that starts every measured command (see bench/launcher.py)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.process = subprocess.Popen([sys.executable, "-S", str(BENCH / "launcher.py")],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()

    def run(self, arguments: Sequence[str]) -> Usage:
        """The least CPU-hungry of ``limits.repeat`` runs of one command."""
        best: Usage | None = None
        for _ in range(self.limits.repeat):
            usage = self.run_once(arguments)
            if usage.stopped:
                return usage
            if best is None or usage.cpu < best.cpu:
                best = usage
        assert best is not None
        return best

    def run_once(self, arguments: Sequence[str]) -> Usage:
        assert self.process.stdin is not None and self.process.stdout is not None
        with tempfile.TemporaryDirectory() as folder:
            out, err = Path(folder) / "stdout", Path(folder) / "stderr"
            request = {"command": list(arguments), "stdout": str(out), "stderr": str(err),
                       "timeout": self.limits.timeout, "memory": self.limits.memory}
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            reply = json.loads(self.process.stdout.readline())
            output, errors = out.read_bytes(), err.read_bytes()
        if reply["status"] != 0 and not reply["stopped"]:
            sys.exit(f"{' '.join(arguments)} failed:\n{errors.decode(errors='replace')}")
        return Usage(reply["wall"], reply["cpu"], reply["peak"], output, reply["stopped"])


def eqlang(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "eqlang", *arguments]


# ---- the report ---------------------------------------------------------------------------


@attrs.frozen
class Row:
    """One line of the results table."""

    measurement: str
    eqlang: str
    yardstick: str = ""
    ratio: str = ""
    target: str = ""
    met: str = ""
    eqlang_peak: str = ""
    yardstick_peak: str = ""
    notes: str = ""


COLUMNS = ("measurement", "eqlang CPU", "yardstick CPU", "ratio", "target", "met",
           "eqlang peak memory", "yardstick peak memory", "notes")


def markdown(rows: Sequence[Row]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(attrs.astuple(row)) + " |" for row in rows]
    return "\n".join(lines)


def seconds(usage: Usage) -> str:
    text = f"{usage.cpu:.2f} s"
    if usage.stopped:
        return f"> {text} ({usage.stopped})"
    return text


def memory(size: int) -> str:
    return f"{size / GIB:.2f} GiB" if size >= GIB else f"{size / 2**20:.0f} MiB"


def ratio(ours: Usage, yardstick: Usage) -> float:
    return ours.cpu / max(yardstick.cpu, 1e-9)


def verdict(met: bool, stopped: bool = False) -> str:
    return "no" if stopped or not met else "yes"


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---- the measurements ---------------------------------------------------------------------


def table(organizations: int) -> tuple[Path, int]:
    """The generated table of ``organizations`` (written once per run) and its row count."""
    from eqlang.tools.synthetic import reference_table

    path = OUT / f"reference-{organizations}.csv"
    generated = reference_table(organizations, SEED)
    path.write_text(generated.text(), encoding="utf-8")
    return path, len(generated.rows)


def measure_eval(sizes: Sequence[int], launcher: Launcher, settled: dict[int, bytes],
                 against: Path | None = None) -> list[Row]:
    from reference_terms import differences

    rows = []
    for organizations in sizes:
        path, count = table(organizations)
        progress(f"eval, {organizations:,} organizations")
        output = OUT / f"pandas-{organizations}.json"
        arguments = ("eval", str(CONTRACT), "--table", str(path), "--json")
        commands = [[sys.executable, str(BENCH / "yardstick_pandas.py"), str(path),
                     "--output", str(output)], eqlang(*arguments)]
        if against is not None:
            # The other checkout's command too, all three in turn, so that a busy minute
            # weighs on each alike.
            commands.append(other_eqlang(against, *arguments))
        pandas, ours, *before = alternating(launcher, commands)
        settled[organizations] = ours.output
        if not ours.stopped:
            found = differences(json.loads(ours.output), json.loads(output.read_bytes()))
            if found:
                sys.exit("eqlang and the pandas yardstick differ:\n" + "\n".join(found))
        bound, cap = (1.5, None) if organizations <= 1000 else (2.0, 300 * 2**20)
        target = f"≤ {bound:g}×" + (f", ≤ {memory(cap)}" if cap else "")
        for usage, whose in [*((b, f", {against}") for b in before), (ours, "")]:
            if usage is not ours and usage.output != ours.output:
                sys.exit(f"`eqlang eval` prints something else in {against}")
            times = ratio(usage, pandas)
            met = times <= bound and (cap is None or usage.peak <= cap)
            rows.append(Row(f"`eval`, {organizations:,} organizations ({count:,} rows){whose}",
                            seconds(usage), f"{seconds(pandas)} (pandas)", f"{times:.2f}×",
                            target, verdict(met, bool(usage.stopped)), memory(usage.peak),
                            memory(pandas.peak),
                            "" if usage.stopped else "same cents for every organization"))
    return rows


def other_eqlang(against: Path, *arguments: str) -> list[str]:
    """An eqlang command run by another checkout (``--against``), checked to import it."""
    found = subprocess.run(
        [sys.executable, "-P", "-c", "import eqlang; print(eqlang.__file__)"],
        env={**os.environ, "PYTHONPATH": str(against)}, capture_output=True, text=True)
    if not Path(found.stdout.strip()).resolve().is_relative_to(against.resolve()):
        sys.exit(f"--against {against}: eqlang is not imported from there "
                 f"({found.stdout.strip() or found.stderr.strip()})")
    # -P: the current folder (this checkout, perhaps) does not come before PYTHONPATH.
    return ["/usr/bin/env", f"PYTHONPATH={against}", sys.executable, "-P", "-m", "eqlang",
            *arguments]


def measure_trace(organizations: int, launcher: Launcher, settled: dict[int, bytes]
                  ) -> list[Row]:
    path, count = table(organizations)
    trace = OUT / "trace.json"
    trace.unlink(missing_ok=True)
    progress(f"eval --trace, {organizations:,} organizations")
    traced = launcher.run(eqlang("eval", str(CONTRACT), "--table", str(path), "--json",
                                 "--trace", str(trace)))
    notes = [f"{traced.wall:.1f} s wall"]
    if not traced.stopped:
        notes.append(f"trace {trace.stat().st_size / 1e6:,.0f} MB")
        if organizations in settled and settled[organizations] != traced.output:
            sys.exit("the settlement with --trace differs from the one without")
    trace.unlink(missing_ok=True)
    return [Row(f"`eval --trace`, {organizations:,} organizations ({count:,} rows)",
                seconds(traced), target="≤ 1 GiB",
                met=verdict(traced.peak <= GIB, bool(traced.stopped)),
                eqlang_peak=memory(traced.peak), notes=", ".join(notes))]


def measure_peers(sizes: Sequence[int], launcher: Launcher) -> list[Row]:
    from peer_contracts import FOLDER, VARIANTS

    rows = []
    for organizations in sizes:
        path, _ = table(organizations)
        for variant in VARIANTS:
            progress(f"{variant.name}, {organizations:,} organizations")
            plain = launcher.run(eqlang("eval", str(FOLDER / f"{variant.name}-plain.eq"),
                                        "--table", str(path), "--json"))
            peer = launcher.run(eqlang("eval", str(FOLDER / f"{variant.name}.eq"), "--table",
                                       str(path), "--json"))
            times = ratio(peer, plain)
            rows.append(Row(f"{variant.title}, {organizations:,} organizations",
                            seconds(peer), f"{seconds(plain)} (plain twin)",
                            f"{'> ' if peer.stopped else ''}{times:.2f}×", "≤ 1.2×",
                            verdict(times <= 1.2, bool(peer.stopped or plain.stopped)),
                            memory(peer.peak), memory(plain.peak),
                            f"`{variant.name}.eq` against `{variant.name}-plain.eq`"))
    return rows


def fastest(step: Callable[[], object], repeat: int) -> tuple[float, object]:
    """The least CPU time of ``repeat`` calls in this process, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.process_time()
        result = step()
        best = min(best, time.process_time() - start)
    return best, result


def measure_lanes(count: int, launcher: Launcher) -> list[Row]:
    import lanes as scenario
    import yardstick_numpy

    path, _ = table(LANE_ORGANIZATIONS)
    progress(f"lanes: drawing {count:,} lanes of {LANE_ORGANIZATIONS} organizations")
    drawn = scenario.draw(path, count, SEED)
    repeat = max(launcher.limits.repeat, 3)
    progress("lanes: the numpy yardstick")
    numpy_cpu, by_numpy = fastest(lambda: yardstick_numpy.settle(drawn), repeat)
    checked = tuple(sorted({0, 1, count - 1} & set(range(count))))
    found = yardstick_numpy.checked_against_eqlang(str(CONTRACT), drawn, by_numpy, checked)
    if found:
        sys.exit("the numpy yardstick differs from eqlang's exact settlement:\n"
                 + "\n".join(found))
    label = f"columnar float64, {count:,} lanes × {LANE_ORGANIZATIONS} organizations"
    numpy_text = f"{numpy_cpu:.3f} s (numpy)"
    checked_text = (f"numpy equals eqlang's exact settlement in lanes "
                    f"{', '.join(map(str, checked))}")
    progress("lanes: eqlang's columnar backend")
    ours_cpu, by_eqlang = fastest(lambda: scenario.eqlang_lanes(CONTRACT, drawn), repeat)
    found = scenario.lanes_differ(by_numpy, by_eqlang)
    if found:
        sys.exit("eqlang's columnar backend and the numpy yardstick differ:\n"
                 + "\n".join(found))
    times = ours_cpu / numpy_cpu
    return [Row(label, f"{ours_cpu:.3f} s", numpy_text, f"{times:.2f}×", "≤ 2×",
                verdict(times <= 2), notes=f"{checked_text}; the same cents in every lane")]


def measure_check(launcher: Launcher, against: Path | None = None) -> list[Row]:
    from large_contract import contract

    path = OUT / "large-10000.eq"
    path.write_text(contract(10_000), encoding="utf-8")
    progress("check, 10,000-line contract")
    startup = launcher.run(eqlang("check", str(CONTRACT)))
    if against is None:
        large = launcher.run(eqlang("check", str(path)))
    else:
        # The other checkout's command and this one's in turn, so that a busy minute
        # weighs on both alike.
        before, large = alternating(launcher, [other_eqlang(against, "check", str(path)),
                                               eqlang("check", str(path))])
        if before.output != large.output:
            sys.exit(f"`eqlang check` says something else in {against}:\n"
                     f"{before.output.decode()}\nand here:\n{large.output.decode()}")
    rows = [Row("`check`, 10,000-line contract", seconds(large),
                f"{seconds(startup)} (`check` of the reference contract)",
                target="< 1 s", met=verdict(large.cpu < 1, bool(large.stopped)),
                eqlang_peak=memory(large.peak), yardstick_peak=memory(startup.peak),
                notes=f"{large.wall:.2f} s wall, {path.stat().st_size / 1e3:,.0f} kB")]
    if against is not None:
        rows.insert(0, Row(f"`check`, 10,000-line contract, {against}", seconds(before),
                           target="< 1 s", met=verdict(before.cpu < 1, bool(before.stopped)),
                           eqlang_peak=memory(before.peak),
                           notes=f"{before.wall:.2f} s wall; this checkout "
                           f"{before.cpu / max(large.cpu, 1e-9):.2f}× faster"))
    return rows


def alternating(launcher: Launcher, commands: Sequence[Sequence[str]]) -> list[Usage]:
    """The least CPU-hungry of ``repeat`` runs of each command, run in turn."""
    best: list[Usage | None] = [None] * len(commands)
    for _ in range(launcher.limits.repeat):
        for index, command in enumerate(commands):
            usage = launcher.run_once(command)
            current = best[index]
            if usage.stopped or current is None or usage.cpu < current.cpu:
                best[index] = usage
    return [usage for usage in best if usage is not None]


def measure_verify(organizations: int, launcher: Launcher) -> list[Row]:
    path, count = table(organizations)
    trace = OUT / "trace.json"
    progress(f"verify and explain, {organizations:,} organizations")
    traced = launcher.run(eqlang("eval", str(CONTRACT), "--table", str(path), "--json",
                                 "--trace", str(trace)))
    if traced.stopped:
        return [Row(f"`eval --trace`, {organizations:,} organizations", seconds(traced),
                    eqlang_peak=memory(traced.peak), notes="so nothing to verify")]
    rows = [Row(f"`eval --trace`, {organizations:,} organizations ({count:,} rows)",
                seconds(traced), eqlang_peak=memory(traced.peak),
                notes=f"{traced.wall:.1f} s wall, trace {trace.stat().st_size / 1e6:,.0f} MB")]
    for label, arguments in (
            # The trace names its inputs by absolute paths, under the repository.
            ("`verify`", ["verify", str(trace), "--inputs", str(ROOT)]),
            ("`explain` of one payout", ["explain", str(trace), "payout", "--org",
                                         f"Organization {1:0{len(str(organizations))}d}"])):
        usage = launcher.run(eqlang(*arguments))
        rows.append(Row(f"{label}, {organizations:,} organizations", seconds(usage),
                        eqlang_peak=memory(usage.peak), notes=f"{usage.wall:.1f} s wall"))
    trace.unlink(missing_ok=True)
    return rows


# ---- profile --------------------------------------------------------------------------------


def profile(organizations: int) -> None:
    """Stage by stage CPU time of `eval --trace` in this process, then a cProfile listing."""
    import cProfile
    import gc
    import pstats

    from eqlang.api import load_contract, settle
    from eqlang.data.tables import load_tables
    from eqlang.outputs import write_atomic
    from eqlang.trace.writer import dumps

    path, _ = table(organizations)
    gc.disable()  # as the command runs
    stages: list[tuple[str, float]] = []
    start = time.process_time()

    def lap(name: str) -> None:
        nonlocal start
        now = time.process_time()
        stages.append((name, now - start))
        start = now

    program = load_contract(CONTRACT)
    lap("read and check the contract")
    tables = load_tables([path])
    lap("read and check the table")
    settled = settle(program, tables)
    lap("settle")
    data = settled.trace()
    lap("build the trace")
    text = dumps(data)
    lap("canonical JSON")
    write_atomic(OUT / "trace.json", text)
    lap("write the file")
    for name, spent in stages:
        print(f"  {name:<28} {spent:5.2f} s CPU")
    profiler = cProfile.Profile()
    profiler.enable()
    settle(program, tables).trace()
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(20)


def profile_check() -> None:
    """Stage by stage CPU time of `eqlang check` of the 10,000-line contract in this process
    (imports and parser tables apart), then a cProfile listing of reading and checking."""
    import cProfile
    import gc
    import pstats

    path = OUT / "large-10000.eq"
    # Written by another process: generating it parses and formats, and would load here
    # what the stages below are to measure.
    subprocess.run([sys.executable, str(BENCH / "large_contract.py"), "--output", str(path)],
                   check=True)
    gc.disable()  # as the command runs
    start = time.process_time()
    from eqlang.check import analyze
    from eqlang.syntax import driver
    from eqlang.syntax.modules import load
    imported = time.process_time()
    driver.driver()
    ready = time.process_time()
    loaded = load(str(path))
    read = time.process_time()
    analysis = analyze(loaded)
    checked = time.process_time()
    assert analysis.ok, analysis.diagnostics
    for name, spent in (("import eqlang.check and the parser", imported - start),
                        ("load the driver's tables", ready - imported),
                        ("read and parse (5 files)", read - ready),
                        ("check", checked - read)):
        print(f"  {name:<36} {spent:5.2f} s CPU")
    profiler = cProfile.Profile()
    profiler.enable()
    analyze(load(str(path)))
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


# ---- main -----------------------------------------------------------------------------------


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of whole numbers: {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("every size must be at least 1")
    return sizes


def _measurements(text: str) -> list[str]:
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in chosen if name not in MEASUREMENTS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown measurement {', '.join(unknown) or text!r}; choose from "
            f"{', '.join(MEASUREMENTS)}")
    return chosen


def main(arguments: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=_sizes, default=[1000, 10_000],
                        help="table sizes in organizations, comma-separated "
                        "(default 1000,10000)")
    parser.add_argument("--only", type=_measurements, default=list(MEASUREMENTS),
                        help=f"measurements to make, comma-separated, of {', '.join(MEASUREMENTS)}"
                        " (default all)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each command; the one with the least CPU time counts")
    parser.add_argument("--lanes", type=int, default=10_000,
                        help="scenario lanes of 100 organizations (default 10000)")
    parser.add_argument("--timeout", type=float, default=1800.0,
                        help="seconds a command may run before it is stopped (default 1800)")
    parser.add_argument("--memory-limit", type=float, default=8.0,
                        help="GiB a command may hold before it is stopped (default 8)")
    parser.add_argument("--profile", action="store_true",
                        help="stages and a cProfile listing of `eval --trace` at the first size"
                        " (of `check` of the 10,000-line contract with --only check)")
    parser.add_argument("--against", type=Path, metavar="CHECKOUT",
                        help="with eval and check: also measure `eqlang eval` and `eqlang check`"
                        " of another checkout of eqlang (an earlier commit, say), in turn "
                        "with this one")
    parser.add_argument("--compiled", action="store_true",
                        help="compile eqlang's modules (and the other checkout's) to bytecode "
                        "first, as an installed copy has them")
    args = parser.parse_args(arguments)
    OUT.mkdir(parents=True, exist_ok=True)
    if args.profile:
        if args.only == ["check"]:
            profile_check()
        else:
            profile(args.orgs[0])
        return
    launcher = Launcher(Limits(max(1, args.repeat), args.timeout,
                               int(args.memory_limit * GIB)))
    print(f"{datetime.date.today()}, {platform.python_implementation()} "
          f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at the start")
    if args.compiled:
        # As an installed copy runs: pip compiles a package's modules when it installs it,
        # where a checkout under PYTHONDONTWRITEBYTECODE compiles them at every start.
        for checkout in [ROOT, *([args.against] if args.against is not None else [])]:
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(checkout / "eqlang")],
                           check=True)
    settled: dict[int, bytes] = {}
    steps: list[tuple[str, Callable[[], list[Row]]]] = [
        ("eval", lambda: measure_eval(args.orgs, launcher, settled, args.against)),
        ("trace", lambda: measure_trace(max(args.orgs), launcher, settled)),
        ("peers", lambda: measure_peers(args.orgs, launcher)),
        ("lanes", lambda: measure_lanes(args.lanes, launcher)),
        ("check", lambda: measure_check(launcher, args.against)),
        ("verify", lambda: measure_verify(min(args.orgs), launcher)),
    ]
    rows: list[Row] = []
    for name, step in steps:
        if name in args.only:
            load = os.getloadavg()[0]
            for row in step():
                # The machine's load as the measurement began: ratios hold up under load
                # better than single figures do.
                row = attrs.evolve(row, notes="; ".join(
                    filter(None, [row.notes, f"load {load:.1f}"])))
                rows.append(row)
                progress(markdown([row]).splitlines()[-1])
    launcher.close()
    print()
    print(markdown(rows))
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
