"""The command line's options for member-level files: takes the words given to
``--members``, ``--membership``, ``--attribution``, ``--tolerance`` and ``--engine``, gives
the measure table the files add up to (``eqlang.data.members``), under the contract's
attribution terms or, where it states none, the command line's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import click

from eqlang.core.program import Program
from eqlang.data.attribution import Attribution, AttributionError, parse_attribution
from eqlang.data.engines import ENGINES

if TYPE_CHECKING:
    from eqlang.data.members import Tabulation

F = TypeVar("F", bound=Callable[..., Any])


#: The options that name member-level files and how to tabulate them.
MEMBER_OPTIONS = [
    click.option("--members", "members", multiple=True, metavar="RESULTS",
                 help="Member results (CSV or Parquet): one row per member, measure "
                 "and period; repeat for several."),
    click.option("--membership", multiple=True, metavar="MEMBERSHIP",
                 help="Membership (CSV or Parquet): each member's groups, self-reported "
                 "or imputed; repeat for several."),
    click.option("--attribution", metavar="TERMS",
                 help="How imputed membership counts, where the contract does not say: "
                 "fractional (the default), or 'most probable at 80% else Unknown' "
                 "(self-reported always first)."),
    click.option("--tolerance", metavar="DECIMAL",
                 help="How far a member's imputed probabilities may sum from 1 "
                 "(default: exactly 1)."),
    click.option("--engine", type=click.Choice(ENGINES), default="duckdb",
                 show_default=True, help="The engine that tabulates member files."),
    click.option("--spark-master", metavar="URL",
                 help="With --engine spark: a master URL (local[4], spark://host:7077)."),
    click.option("--spark-remote", metavar="URL",
                 help="With --engine spark: a Spark Connect URL (sc://host:15002)."),
]


def member_options(command: F) -> F:
    """Decorate ``command`` with the options of member-level files."""
    for option in reversed(MEMBER_OPTIONS):
        command = option(command)
    return command


def tabulation(program: Program, members: tuple[str, ...], membership: tuple[str, ...],
               attribution: str | None, tolerance: str | None, engine: str,
               spark_master: str | None, spark_remote: str | None) -> Tabulation | None:
    """The table made from the member files named, or None when none are."""
    # Imported here: every command shows these options, few read member files.
    from eqlang.data.members import open_engine, tabulate, terms_of

    if not members and not membership:
        return None
    if not members or not membership:
        raise click.UsageError("member-level data needs both --members (the results) and "
                               "--membership (each member's groups)")
    # A clash with the contract's terms is found before an engine (a Spark cluster) starts.
    terms = terms_of(program, command_line_terms(program, attribution, tolerance))
    runner = open_engine(engine, master=spark_master, remote=spark_remote)
    try:
        made = tabulate(program, list(members), list(membership), terms, engine=runner)
    finally:
        runner.close()
    return made


def command_line_terms(program: Program, attribution: str | None, tolerance: str | None
           ) -> Attribution | None:
    """The attribution terms the command line gives, each part the contract's own where
    only the other is given; None when it gives none."""
    if attribution is None and tolerance is None:
        return None
    stated = program.attribution.terms if program.attribution is not None else None
    try:
        if attribution is None and stated is not None:
            return attrs.evolve(stated, tolerance=parse_attribution(
                "fractional", tolerance).tolerance)
        if tolerance is None and stated is not None:
            tolerance = format(stated.tolerance, "f")
        return parse_attribution(attribution or "fractional", tolerance)
    except AttributionError as error:
        option = "'--attribution'" if attribution is not None else "'--tolerance'"
        raise click.BadParameter(str(error), param_hint=option) from None
