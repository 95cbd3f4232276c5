"""Traces: evaluated derivations in, canonical JSON an auditor can follow out."""
