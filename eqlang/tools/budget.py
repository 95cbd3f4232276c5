"""How hard `eqlang check --properties` searches: takes nothing, gives the defaults and the
``Budget`` a search is given. A module of its own so that the command line reads them
without importing the search (and hypothesis, a tenth of eqlang's start-up) on every run.
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
