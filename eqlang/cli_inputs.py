"""What a command that settles reads: takes the command line's ``--table``, ``--fhir-map``,
``--organizations``, the member-level files' options, ``--org`` and ``--as-of``; gives them
to the command as one ``RunInputs``, which names every file it reads and settles a contract
on them (tabulating member files first, under the contract's attribution terms).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import click

from eqlang.cli_members import MEMBER_OPTIONS, tabulation
from eqlang.terminal import printable
from eqlang.tools.progress import progress_bar

# The settling and the readers are imported where a command settles: every command shows
# these options, and `eqlang check` loads none of them.
if TYPE_CHECKING:
    from eqlang.api import Run
    from eqlang.core.program import Program
    from eqlang.data.fhir_map import FhirMap
    from eqlang.data.members import Tabulation
    from eqlang.data.tables import TableSet

F = TypeVar("F", bound=Callable[..., Any])

TABLE_HELP = ("A measure table: CSV (perhaps gzip-compressed), Parquet, Excel, a FHIR "
              "Bundle or MeasureReport (JSON), or a folder of them; repeat for several.")
MAP_HELP = "How FHIR MeasureReports name the contract's measures, periods and groups."
ORGANIZATIONS_HELP = ("Each organization's inputs (CSV, Parquet or Excel): a column org and "
                      "one per input the contract declares.")

_MEMBER_NAMES = ("members", "membership", "attribution", "tolerance", "engine",
                 "spark_master", "spark_remote")


def as_of_date(value: str | None) -> datetime.date | None:
    """The settlement date ``--as-of`` names."""
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2024-12-31",
                                 param_hint="'--as-of'") from None


@attrs.frozen
class MemberFiles:
    """Member results and membership, and how to add them up into a measure table."""

    members: tuple[str, ...] = ()
    membership: tuple[str, ...] = ()
    attribution: str | None = None
    tolerance: str | None = None
    engine: str = "duckdb"
    spark_master: str | None = None
    spark_remote: str | None = None

    @property
    def named(self) -> bool:
        return bool(self.members or self.membership)

    def tabulate(self, program: Program) -> Tabulation | None:
        """The table the files add up to for ``program``, or None when none are named; its
        warnings go to standard error."""
        made = tabulation(program, self.members, self.membership, self.attribution,
                          self.tolerance, self.engine, self.spark_master, self.spark_remote)
        for warning in made.warnings if made is not None else ():
            click.echo(printable(f"eqlang: warning: {warning}"), err=True)
        return made


@attrs.frozen
class RunInputs:
    """Everything a settling command reads, as its command line names it."""

    tables: tuple[str, ...] = ()
    fhir_map: str | None = None
    organization_table: str | None = None
    member_files: MemberFiles = MemberFiles()
    orgs: tuple[str, ...] = ()
    as_of: str | None = None

    def require(self) -> None:
        """Refuse a command line that names neither a table nor member files."""
        if not self.tables and not self.member_files.named:
            raise click.UsageError("name a measure table with --table, or member-level files "
                                   "with --members and --membership")

    def files(self, program: Program) -> list[str]:
        """Every file the run reads, which no output may overwrite."""
        from eqlang.api import input_files
        return [*input_files(program, self.tables), *self.member_files.members,
                *self.member_files.membership,
                *([self.organization_table] if self.organization_table else []),
                *([self.fhir_map] if self.fhir_map else [])]

    def fhir(self) -> FhirMap:
        from eqlang.data.fhir_map import FhirMap, load_fhir_map
        return FhirMap() if self.fhir_map is None else load_fhir_map(self.fhir_map)

    def table_set(self) -> TableSet | None:
        """The measure tables named, loaded once (for commands that settle twice)."""
        from eqlang.data.tables import load_tables
        return load_tables(list(self.tables), fhir_map=self.fhir()) if self.tables else None

    def settle(self, program: Program, *, overrides: tuple[str, ...] = (),
               trace: str | None = None, loaded: TableSet | None = None,
               inputs_if_declared: bool = False, backend: str = "auto",
               remember: bool = True) -> Run:
        """Settle ``program`` on the tables (``loaded`` if given) and on the table its member
        files add up to, with a progress bar; with ``trace``, write the trace as it
        settles. With ``inputs_if_declared``, the organization table is read only if the
        contract declares organization inputs (two versions of the terms compare on one
        command line, though only one reads it). ``backend`` as `eval --backend` takes it;
        ``remember`` as ``eqlang.api.settle`` takes it."""
        from eqlang.api import settle
        from eqlang.data.members import Tabulation
        made = self.member_files.tabulate(program)
        if loaded is None:
            loaded = self.table_set()
        tables = [*(loaded.tables if loaded is not None else ()),
                  *([made] if made is not None else [])]
        known = {org for table in tables
                 for org in (table.table if isinstance(table, Tabulation) else table).coded(
                     "org")[0]}
        total = len(self.orgs) or (1 if program.provider else len(known))
        organization_table = (None if inputs_if_declared and not program.inputs
                              else self.organization_table)
        with progress_bar(total, "organization") as advance:
            return settle(program, tables, organizations=list(self.orgs),
                          overrides=list(overrides), as_of=as_of_date(self.as_of),
                          trace=trace, organization_table=organization_table,
                          progress=advance, backend=backend, remember=remember)


def run_options(org_help: str) -> Callable[[F], F]:
    """The options of every command that settles: measure tables or member files, a FHIR
    map, the organization table, ``--org`` and ``--as-of``, given to the command as one
    ``inputs`` argument."""
    options = [
        click.option("--table", "tables", multiple=True, metavar="PATH", help=TABLE_HELP),
        click.option("--fhir-map", "fhir_map", metavar="MAP.toml", help=MAP_HELP),
        click.option("--organizations", "organization_table", metavar="FILE",
                     help=ORGANIZATIONS_HELP),
        *MEMBER_OPTIONS,
        click.option("--org", "orgs", multiple=True, metavar="ORG", help=org_help),
        click.option("--as-of", "as_of", metavar="DATE",
                     help="Settlement date that picks amended parameter values."),
    ]

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def gathered(*args: Any, **kwargs: Any) -> Any:
            files = MemberFiles(**{name: kwargs.pop(name) for name in _MEMBER_NAMES})
            inputs = RunInputs(tables=kwargs.pop("tables"), fhir_map=kwargs.pop("fhir_map"),
                               organization_table=kwargs.pop("organization_table"),
                               member_files=files, orgs=kwargs.pop("orgs"),
                               as_of=kwargs.pop("as_of"))
            inputs.require()
            return command(*args, inputs=inputs, **kwargs)

        wrapped: Any = gathered
        for option in reversed(options):
            wrapped = option(wrapped)
        return wrapped
    return decorate
