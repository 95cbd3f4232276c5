"""Checking: a loaded contract in, a checked program out, or every error found.

Names are resolved, types and units proven, and the contract's static promises (weights,
tiers, exceptions, worked examples) checked before anything is evaluated.
"""
