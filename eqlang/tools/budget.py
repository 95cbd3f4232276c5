"""The invariant search's budget: takes nothing, gives how hard ``eqlang check --properties``
looks by default.

Apart from the search itself (``eqlang.tools.properties``), so that the command line can show
these defaults without loading hypothesis and the exact backend for every command.
"""

from __future__ import annotations

import attrs

#: Tables tried per invariant unless asked otherwise.
DEFAULT_EXAMPLES = 200
#: Seconds one invariant's search may take before it is cut short.
DEFAULT_SECONDS = 120.0
#: Candidates tried while shrinking a counterexample, after the first one is found.
DEFAULT_SHRINKS = 300


@attrs.frozen
class Budget:
    """How hard to look: tables generated per invariant, candidates tried to make a
    counterexample smaller, and a time limit per invariant."""

    examples: int = DEFAULT_EXAMPLES
    seconds: float = DEFAULT_SECONDS
    shrinks: int = DEFAULT_SHRINKS
