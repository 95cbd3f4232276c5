"""How hard the invariant search looks: takes nothing, gives the defaults and ``Budget``.

Apart from ``eqlang.tools.properties`` so that the command line can name the defaults in
its options without importing the search (and hypothesis) on every command.
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


#: The effort of a search unless asked otherwise.
DEFAULT_BUDGET = Budget()
