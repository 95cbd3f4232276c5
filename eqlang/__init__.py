"""eqlang: pay-for-equity contracts as a checked, traceable language.

Pipeline, one module per stage: ``source`` (files and spans) -> ``parse`` (grammar and tree
to AST in ``syntax``) -> ``check`` (names, types, units) -> ``evaluate`` (over ``values``
and ``tables``) -> ``trace`` -> ``render``.
"""

__version__ = "0.1.0"
