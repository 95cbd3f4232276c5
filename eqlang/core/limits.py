"""How far settling may go: takes nothing, gives the bounds that the checker proves a contract
within (``eqlang.check.cost``) and the backends enforce (``eqlang.backends.derivation``).

Here, below both, so that checking does not load a backend to learn them.
"""

#: Expression steps settling one organization may take (values shared by every organization
#: count toward the first that needs them). Far above any real contract, it bounds hostile
#: ones; the checker refuses a contract whose bound for one organization is beyond it
#: (eqlang.check.cost).
DEFAULT_STEP_LIMIT = 10_000_000

#: Python stack frames an evaluation may need: the checker refuses rules that call one
#: another deeper than eqlang.check.cost.MAX_FRAMES, and this leaves room above that.
STACK_FRAMES = 30_000
