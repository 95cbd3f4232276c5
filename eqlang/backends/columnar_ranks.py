"""Rank-like counts over organizations for the columnar backend, by sorting.

A mixin of ``ColumnarAggregations``.
"""

from __future__ import annotations

from typing import Any

from eqlang.backends.columnar_values import Column
from eqlang.core import program as p


class Ranks:
    def ranked(self, e: p.Aggregate, env: dict[str, Column], live: Any) -> Column | None:
        return None
