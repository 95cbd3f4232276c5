"""A trace and the inputs it names, read as untrusted input: takes a trace file (and, for
``eqlang verify``, the recorded paths and hashes), gives the trace checked enough to be read
(and the bytes of each input, with a description of every problem).

A trace is a file anyone may have edited. It is read within a size limit, as JSON without
numbers too long to convert, and its outline is checked before anything reads it. The paths
in it decide nothing about which files are read: each input is read only inside the folder
the user names, only if it is a regular file within the limit of the command that first
reads it, and a file whose SHA-256 differs from the trace's is never shown, since it may not
be an input at all.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from eqlang.data.tables import MAX_TABLE_BYTES
from eqlang.data.trace_members import section_problem
from eqlang.diagnostics import Diagnostic, EqlangError, listed, render_all
from eqlang.files import Unreadable, confined, read_limited, sha256_of
from eqlang.syntax.modules import source_error_diagnostic, stdlib_modules
from eqlang.syntax.source import MAX_SOURCE_BYTES, SourceError, names_stdin
from eqlang.trace.writer import FORMAT, READABLE

#: Traces larger than this are not read: one of a thousand organizations is about 53 MB,
#: and reading one takes several times its size in memory.
MAX_TRACE_BYTES = 512 * 1024 * 1024
#: The most digits a whole number in a trace may have: every one is a count or a line number.
_MAX_TRACE_DIGITS = 20


def read_trace(path: str | Path) -> tuple[bytes, dict[str, Any]]:
    """The bytes of a trace file and the trace they hold, checked enough to be read."""
    shown = str(path)
    try:
        raw = read_limited(path, MAX_TRACE_BYTES, "trace")
        data = json.loads(raw.decode("utf-8"), parse_int=_trace_int,
                          parse_constant=_no_constant)
    except Unreadable as problem:
        if problem.kind == "missing":
            if names_stdin(path):
                raise bad_trace(shown, "cannot read a trace from `-` (standard input)",
                                 "name the trace file") from None
            raise bad_trace(shown, "no such trace file",
                             "write one with `eqlang eval ... --trace FILE`") from None
        hint = ("name a .json file written by `eqlang eval --trace`"
                if problem.kind == "directory" else problem.hint)
        raise bad_trace(shown, problem.message, hint) from None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        # ValueError is JSONDecodeError, or a number refused by the two functions below.
        raise bad_trace(shown, f"not a JSON trace: {exc}",
                         "pass a file written by `eqlang eval --trace`") from None
    if not isinstance(data, dict) or data.get("format") not in READABLE:
        found = data.get("format") if isinstance(data, dict) else None
        raise bad_trace(shown, f"not an eqlang trace of format {' or '.join(READABLE)}"
                         + (f" (it says {_cut(found)!r})" if found else ""),
                         "pass a file written by `eqlang eval --trace`")
    problem = _shape_problem(data)
    if problem is not None:
        raise bad_trace(shown, f"the trace is damaged: {problem}",
                         "write it again with `eqlang eval ... --trace FILE`")
    return raw, data


def _trace_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_TRACE_DIGITS:
        raise ValueError(f"it holds a whole number {len(text):,} digits long, where every "
                         "number of a trace is a count or a line number")
    return int(text)


def _no_constant(text: str) -> Any:
    raise ValueError(f"`{text}` is not a number JSON allows")


def _cut(value: Any) -> Any:
    """A value of a trace for a message, cut short if it is a long text."""
    return value[:60] + "..." if isinstance(value, str) and len(value) > 60 else value


def bad_trace(path: str, message: str, hint: str) -> EqlangError:
    """E0701 for a trace that cannot be read as one, or is damaged."""
    return EqlangError(Diagnostic("E0701", message, None, path=path, hint=hint))


def _shape_problem(trace: dict[str, Any]) -> str | None:
    """What is missing or malformed in the parts of a trace that explain and verify read."""
    def need(where: str, value: Any, kind: type | tuple[type, ...]) -> str | None:
        return None if isinstance(value, kind) else f"`{where}` is missing or malformed"

    contract = trace.get("contract")
    checks = [need("contract", contract, dict), need("tables", trace.get("tables"), list),
              need("organizations", trace.get("organizations"), dict),
              need("overrides", trace.get("overrides"), dict),
              # Null when the contract's own date was used, but never left out.
              need("as_of", trace.get("as_of", 0), (str, type(None))),
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
    if "organization_table" in trace:
        inputs = trace["organization_table"]
        checks.append(need("organization_table", inputs, dict))
        checks += [need(f"organization_table.{k}", _of(inputs, dict).get(k), str)
                   for k in ("path", "sha256")]
    if "members" in trace:
        checks.append(section_problem(trace["members"]))
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


class TracedInputs:
    """The inputs a trace names, read for ``verify`` as untrusted paths: each only inside
    ``folder``, only a regular file within its limit, hashed and compared with the trace;
    every problem goes to ``problems``."""

    def __init__(self, folder: Path, problems: list[str]) -> None:
        self.folder = folder
        self.problems = problems
        self.complete = True
        #: Inputs whose SHA-256 differs from the trace's: they may be other files entirely.
        self.changed: list[str] = []

    def file(self, kind: str, recorded: str, sha256: str, *, base: Path | None = None,
             root: Path | None = None, at: str | None = None) -> tuple[Path, bytes] | None:
        """The path and bytes of one input, or None when it is not read: ``recorded`` (or
        ``at``, where the trace records another name), from ``base`` and inside ``root``,
        by default the folder inputs are read from."""
        limit = MAX_TABLE_BYTES if kind in ("table", "organization table") else \
            MAX_SOURCE_BYTES
        try:
            data = read_limited(confined(at or recorded, root or self.folder, base), limit,
                                kind)
        except Unreadable as problem:
            self._unreadable(kind, recorded, problem)
            return None
        self._compare(kind, recorded, hashlib.sha256(data).hexdigest(), sha256)
        # As named, not as resolved: a contract reached through a link imports from beside
        # the link, as it did when it was settled.
        return (base or root or self.folder) / (at or recorded), data

    def located(self, kind: str, recorded: str, sha256: str) -> Path | None:
        """Where an input too large to hold in memory lies (a member file, which an engine
        reads itself), hashed as it is read; None when it is not read."""
        try:
            target = confined(recorded, self.folder)
            digest = sha256_of(target, kind)
        except Unreadable as problem:
            self._unreadable(kind, recorded, problem)
            return None
        self._compare(kind, recorded, digest, sha256)
        return target

    def _unreadable(self, kind: str, recorded: str, problem: Unreadable) -> None:
        self.complete = False
        text = f"{kind} {recorded}: cannot be read ({problem.message}), so the values " \
            "cannot be re-derived"
        if problem.kind in ("missing", "outside"):
            text += ("; inputs are read only inside the trace's folder, or the folder "
                     "named with --inputs DIR: name the folder `eqlang eval` ran in, or "
                     "keep the inputs beside the trace")
        self.problems.append(text)

    def _compare(self, kind: str, recorded: str, digest: str, sha256: str) -> None:
        if digest != sha256:
            self.changed.append(f"{kind} {recorded}")
            self.problems.append(f"{kind} {recorded}: its SHA-256 is {digest}, the trace "
                                 f"records {sha256}: the file or the trace was changed after "
                                 "the trace was written")

    def module(self, recorded: str, sha256: str, contract: tuple[Path, bytes] | None) -> None:
        """Check one module: of the standard library, or beside the contract."""
        if recorded.startswith("<stdlib>/"):
            name = recorded.removeprefix("<stdlib>/").removesuffix(".eq")
            library = stdlib_modules()
            if name not in library:
                self.complete = False
                self.problems.append(f"module {recorded}: there is no such module in the "
                                     "standard library, so the values cannot be re-derived")
                return
            # The installed standard library is eqlang's own, read wherever it is.
            self.file("module", recorded, sha256, root=library[name].parent,
                      at=library[name].name)
        elif contract is not None:
            self.file("module", recorded, sha256, base=contract[0].parent)

    def failure(self, error: EqlangError | SourceError) -> str:
        """Why re-evaluation failed; the diagnostics only if every input is the one traced,
        since their excerpts show the files' text."""
        if self.changed:
            return (f"re-evaluation from the recorded inputs failed; the errors are not shown, "
                    f"because {listed(self.changed)} differ from the files traced and may not "
                    "be inputs at all: check them with `eqlang check` or `eqlang eval`")
        diagnostics = error.diagnostics if isinstance(error, EqlangError) else [
            source_error_diagnostic(error)]
        return "re-evaluation from the recorded inputs failed:\n" + render_all(diagnostics)
