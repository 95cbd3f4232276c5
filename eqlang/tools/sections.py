"""Each organization's derivation as the trace writes it: takes a checked program, tables,
the run's overrides and settlement date and the organizations to settle, gives each
organization's settlement with its trace section (every value it reached, with its rule as
applied, source line and table rows) while it settles, writing the trace too when asked.

Statements and the values table (``eqlang.statements``, ``eqlang.tools.values``) are built
from these sections one organization at a time, so that their memory does not grow with
the number of organizations, and a statement's numbers are the trace's to the digit.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import IO, Any

import attrs

from eqlang.backends.derivation import Settlement
from eqlang.backends.exact import Evaluator
from eqlang.core.program import Override, Program
from eqlang.data.organizations import OrganizationTable
from eqlang.data.tables import TableSet
from eqlang.trace.writer import PEERS, Discard, TraceWriter


@attrs.frozen
class Section:
    """One organization's settlement and its trace section; ``peers`` holds the values of
    the trace's ``peers`` section written so far (those the section names as ``peers::ID``
    are all there)."""

    settlement: Settlement
    section: dict[str, Any]
    peers: dict[str, dict[str, Any]]

    @property
    def org(self) -> str:
        return self.settlement.org

    @property
    def nodes(self) -> dict[str, Any]:
        return self.section["nodes"]

    def node(self, node_id: str) -> dict[str, Any] | None:
        """A node by the id the section uses for it (``peers::ID`` for a peer's)."""
        if node_id.startswith(PEERS):
            return self.peers.get(node_id[len(PEERS):])
        return self.section["nodes"].get(node_id)

    def view(self) -> dict[str, Any]:
        """The section's nodes and the peers' under ``peers::``, as ``explain`` reads them."""
        return {**{PEERS + k: v for k, v in self.peers.items()}, **self.section["nodes"]}


class HashingStream:
    """A text stream that passes what is written on and keeps its SHA-256 (of the UTF-8
    bytes), so that a trace's hash is known as soon as it is written."""

    def __init__(self, stream: IO[str] | Discard) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def write(self, text: str) -> int:
        self.digest.update(text.encode("utf-8"))
        return self.stream.write(text)

    def hexdigest(self) -> str:
        return self.digest.hexdigest()


def sections(program: Program, tables: TableSet, organizations: Sequence[str], *,
             overrides: Mapping[str, Override], texts: dict[str, str],
             as_of: datetime.date | None, org_filter: tuple[str, ...] | None,
             stream: IO[str] | HashingStream | None = None,
             progress: Callable[[str], object] | None = None,
             organization_table: OrganizationTable | None = None,
             members: list[dict[str, Any]] | None = None) -> Iterator[Section]:
    """Settle each organization with a recording evaluator and give its section; with
    ``stream``, the trace (as ``eqlang eval --trace`` writes it) is written to it on the
    way, and finished when the last organization has been given.

    ``overrides`` are the parsed ``--set`` values and ``texts`` the same as written; the
    organizations must settle (the run they come from did), with their inputs from
    ``organization_table``; ``members`` is the trace's section on tables made from member
    files.
    """
    evaluator = Evaluator(program, tables, overrides=overrides, as_of=as_of, record=True,
                          organizations=organization_table)
    writer = TraceWriter(program, tables, evaluator, texts, org_filter,
                         stream if stream is not None else Discard(),  # type: ignore[arg-type]
                         members, None if organization_table is None
                         else organization_table.trace_fragment())
    writer.begin()
    for org in organizations:
        settlement = evaluator.settle(org)
        section = writer.add(settlement)
        yield Section(settlement, section, writer.peers)
        if progress is not None:
            progress(org)
    writer.end()
