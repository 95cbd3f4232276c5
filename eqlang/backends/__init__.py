"""Backends: interpreters of the checked program.

``exact`` settles with exact decimals and records derivations (the settlement of record);
``interval`` bounds every output over all valid tables. Every other path is tested
against the exact backend.
"""
