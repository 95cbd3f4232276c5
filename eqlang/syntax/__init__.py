"""Syntax: source text in, a syntax tree of frozen attrs nodes with spans out (and back).

``source`` reads files into text with line and column positions, ``parse`` turns text into
the tree of ``ast`` by the grammar in ``grammar/eqlang.lark``, ``modules`` loads a contract
with the modules it imports, and ``fmt`` (with ``layout``) prints a tree in canonical form.
"""
