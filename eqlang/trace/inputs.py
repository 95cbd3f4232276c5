"""The inputs a trace names, read for ``eqlang verify``: takes the recorded paths and
hashes, gives the bytes of each input and a description of every problem.

A trace is a file anyone may have edited, so its paths decide nothing about which files are
read: each is read only inside the folder the user names, only if it is a regular file
within the limit of the command that first reads it, and a file whose SHA-256 differs from
the trace's is never shown, since it may not be an input at all.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from eqlang.data.tables import MAX_TABLE_BYTES
from eqlang.diagnostics import EqlangError, listed, render_all
from eqlang.files import Unreadable, confined, read_limited
from eqlang.syntax.modules import source_error_diagnostic, stdlib_modules
from eqlang.syntax.source import MAX_SOURCE_BYTES, SourceError


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
        limit = MAX_TABLE_BYTES if kind == "table" else MAX_SOURCE_BYTES
        try:
            data = read_limited(confined(at or recorded, root or self.folder, base), limit,
                                kind)
        except Unreadable as problem:
            self.complete = False
            text = f"{kind} {recorded}: cannot be read ({problem.message}), so the values " \
                "cannot be re-derived"
            if problem.kind in ("missing", "outside"):
                text += ("; inputs are read only inside the trace's folder, or the folder "
                         "named with --inputs DIR: name the folder `eqlang eval` ran in, or "
                         "keep the inputs beside the trace")
            self.problems.append(text)
            return None
        digest = hashlib.sha256(data).hexdigest()
        if digest != sha256:
            self.changed.append(f"{kind} {recorded}")
            self.problems.append(f"{kind} {recorded}: its SHA-256 is {digest}, the trace "
                                 f"records {sha256}: the file or the trace was changed after "
                                 "the trace was written")
        # As named, not as resolved: a contract reached through a link imports from beside
        # the link, as it did when it was settled.
        return (base or root or self.folder) / (at or recorded), data

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
