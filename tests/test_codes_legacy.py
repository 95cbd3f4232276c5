"""The explanation files against the Python module they were generated from: every code's
`--explain` text and every example, byte for byte. Kept only while the old module is.
"""

from __future__ import annotations

import legacy_codes
import pytest

from eqlang import codes

FIELDS = ("code", "title", "text", "stage", "wrong", "fixed", "modules", "fixed_modules",
          "table", "contract", "step_limit")


def test_the_same_codes_are_explained() -> None:
    assert sorted(codes.EXPLANATIONS) == sorted(legacy_codes.EXPLANATIONS)


@pytest.mark.parametrize("code", sorted(legacy_codes.EXPLANATIONS))
def test_explain_renders_as_before(code: str) -> None:
    assert codes.explain(code) == legacy_codes.explain(code)


@pytest.mark.parametrize("code", sorted(legacy_codes.EXPLANATIONS))
def test_examples_are_as_before(code: str) -> None:
    old, new = legacy_codes.EXPLANATIONS[code], codes.EXPLANATIONS[code]
    for field in FIELDS:
        assert getattr(new, field) == getattr(old, field), field
