"""What-if: takes the baseline's and each scenario's settlements (``eqlang.tools.lanes``),
gives each scalar output per organization under each scenario beside the baseline, with
the change and the totals across organizations, as text and as data (``eqlang whatif``).
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from eqlang.backends.derivation import Settlement
from eqlang.core.values import NotScored, Quantity, Value, display, exact_text
from eqlang.render import outputs_data
from eqlang.tools.scenarios import Scenario

BASELINE = "baseline"


def _shown(value: Value | None) -> str:
    if value is None:
        return ""
    if isinstance(value, NotScored):
        return "not scored"
    digits = 2 if isinstance(value, Quantity) and value.unit == "money" else 4
    text = display(value, digits)
    return text if text == display(value) else "≈" + text


def _change(before: Value | None, after: Value | None) -> str:
    if not isinstance(before, Quantity) or not isinstance(after, Quantity) or \
            before.unit != after.unit:
        return ""
    with decimal.localcontext(prec=60):
        difference = after.magnitude - before.magnitude
    if difference == 0:
        return _shown(Quantity(after.unit, difference))
    text = _shown(Quantity(after.unit, abs(difference)))
    return ("+" if difference > 0 else "-") + text.lstrip("≈") if not text.startswith("≈") \
        else ("≈+" if difference > 0 else "≈-") + text[1:]


def _total(values: Sequence[Value]) -> Value | None:
    quantities = [v for v in values if isinstance(v, Quantity)]
    units = {q.unit for q in quantities}
    if len(units) != 1 or units - {"money", "count"}:
        return None
    with decimal.localcontext(prec=120):
        return Quantity(units.pop(), sum((q.magnitude for q in quantities), Decimal(0)))


def scalar_outputs(settlements: Sequence[Settlement]) -> list[str]:
    names: dict[str, None] = {}
    for st in settlements:
        for name, value in st.outputs.items():
            if not isinstance(value, dict):
                names[name] = None
    return list(names)


def render_text(title: str, tables: str, scenarios: Sequence[Scenario],
                baseline: Sequence[Settlement], lanes: Sequence[Sequence[Settlement]],
                engine: str) -> str:
    """Each scalar output, per organization and in total, under each scenario."""
    lines = [f"{title}: what if", f"  tables {tables}; settled by the {engine}", ""]
    for number, scenario in enumerate(scenarios, start=1):
        lines.append(f"Scenario {number}: {scenario.lane.name}")
        lines.extend(f"  {item}" for item in scenario.description)
        if scenario.held:
            lines.append(f"  ({scenario.held:,} rows held within 0 and their denominator)")
    for name in scalar_outputs(baseline):
        lines.append("")
        lines.append(f"{name}:")
        header = ["organization", BASELINE]
        for number, _ in enumerate(scenarios, start=1):
            header += [f"scenario {number}", "change"]
        rows = [header]
        columns: list[list[Value]] = [[] for _ in range(len(scenarios) + 1)]
        for index, st in enumerate(baseline):
            before = st.outputs[name]
            assert not isinstance(before, dict)
            row = [st.org, _shown(before)]
            columns[0].append(before)
            for lane_number, lane in enumerate(lanes, start=1):
                after = lane[index].outputs.get(name)
                assert not isinstance(after, dict)
                columns[lane_number].append(after)  # type: ignore[arg-type]
                row += [_shown(after), _change(before, after)]
            rows.append(row)
        totals = [_total(column) for column in columns]
        if len(baseline) > 1 and all(t is not None for t in totals):
            row = ["total", _shown(totals[0])]
            for total in totals[1:]:
                row += [_shown(total), _change(totals[0], total)]
            rows.append(row)
        widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
        for row in rows:
            lines.append("  " + "  ".join(cell.ljust(widths[i]) if i == 0 else
                                          cell.rjust(widths[i]) for i, cell in enumerate(row))
                         .rstrip())
    return "\n".join(lines) + "\n"


def as_json(scenarios: Sequence[Scenario], baseline: Sequence[Settlement],
            lanes: Sequence[Sequence[Settlement]], engine: str) -> dict[str, Any]:
    """Every output under the baseline and each scenario, as ``eval --json`` writes them."""
    return {
        "engine": engine,
        "baseline": outputs_data(list(baseline)),
        "scenarios": [{"name": s.lane.name, "changes": list(s.description),
                       "held": s.held, "outputs": outputs_data(list(lane))}
                      for s, lane in zip(scenarios, lanes, strict=True)],
        "totals": {
            name: {BASELINE: _text(_total([st.outputs[name] for st in baseline])),
                   **{s.lane.name: _text(_total([st.outputs[name] for st in lane]))
                      for s, lane in zip(scenarios, lanes, strict=True)}}
            for name in scalar_outputs(baseline)},
    }


def _text(value: Value | None) -> str | None:
    return None if value is None else exact_text(value)
