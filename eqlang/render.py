"""Rendering: takes settlements and traces, gives text for people and JSON for programs.

``summary`` is the settlement statement an analyst reads; ``outputs_json`` the machine form
of the same figures; ``explain`` walks a trace from one value down to the table rows, as an
indented tree a negotiator can follow.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from eqlang import syntax as s
from eqlang.check import Program
from eqlang.evaluate import Evaluator, Settlement
from eqlang.values import NotScored, Quantity, Value, display, exact_text

#: Decimals shown to people for rates and scores; traces and --json keep every digit.
SHOWN_DIGITS = 4


def outputs_json(settlements: list[Settlement]) -> str:
    """``{org: {output: value}}`` with decimal strings and ``{"not_scored": reason}``."""
    def encode(value: Value) -> Any:
        if isinstance(value, NotScored):
            return {"not_scored": value.reason}
        return exact_text(value)

    data = {
        st.org: {
            name: ({k: encode(v) for k, v in value.items()} if isinstance(value, dict)
                   else encode(value))
            for name, value in st.outputs.items()
        }
        for st in settlements
    }
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _title(program: Program) -> str:
    return program.header.title if program.header else program.main.source.path


def summary(program: Program, evaluator: Evaluator, settlements: list[Settlement]) -> str:
    """The settlement statement: outputs, per-measure figures, and what was not scored."""
    lines = [f"{_title(program)}: settlement", ""]
    measure_rules = [
        key for key, c in program.callables.items()
        if len(c.params) == 1 and c.params[0].type == "measure" and c.module == program.main.key
    ]
    for st in settlements:
        lines.append(f"Organization: {st.org}")
        scalar = {k: v for k, v in st.outputs.items() if not isinstance(v, dict)}
        width = max([len(k) for k in scalar] + [10])
        for name, value in scalar.items():
            assert not isinstance(value, dict)
            lines.append(f"  {name:<{width}}  {display(value, SHOWN_DIGITS)}")
            if isinstance(value, Quantity) and value.note:
                lines.append(f"  {'':<{width}}  ({value.note})")
        table = _measure_table(evaluator, st.org, measure_rules)
        if table:
            lines.append("")
            lines.extend("  " + row for row in table)
        missing = _not_scored(evaluator, st, measure_rules)
        lines.append("")
        if missing:
            lines.append("  Not scored:")
            lines.extend(f"    {what}: {why}" for what, why in missing)
        else:
            lines.append("  Every measure was scored.")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _measure_table(evaluator: Evaluator, org: str, rules: list[str]) -> list[str]:
    codes = list(evaluator.contract_measures)
    columns: list[tuple[str, list[str]]] = []
    for rule in rules:
        cells = []
        for code in codes:
            node = evaluator.nodes.get((org, f"{rule}({code})"))
            if node is None or node.value is None:
                cells.append("")
            elif isinstance(node.value, NotScored):
                cells.append("not scored")
            else:
                cells.append(display(node.value, SHOWN_DIGITS))
        if any(cells):
            columns.append((rule, cells))
    if not columns:
        return []
    header = ["measure", *(name for name, _ in columns)]
    rows = [[code, *(cells[i] for _, cells in columns)] for i, code in enumerate(codes)]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def fmt(row: list[str]) -> str:
        first = row[0].ljust(widths[0])
        rest = "  ".join(cell.rjust(widths[i + 1]) for i, cell in enumerate(row[1:]))
        return f"{first}  {rest}".rstrip()

    return [fmt(header), *(fmt(r) for r in rows)]


def _not_scored(evaluator: Evaluator, st: Settlement, rules: list[str]
                ) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for name, value in st.outputs.items():
        items = value.items() if isinstance(value, dict) else [("", value)]
        for key, v in items:
            if isinstance(v, NotScored):
                found.append((f"{name}({key})" if key else name, v.reason))
    for rule in rules:
        for code in evaluator.contract_measures:
            node = evaluator.nodes.get((st.org, f"{rule}({code})"))
            if node is not None and isinstance(node.value, NotScored):
                label = f"{rule}({code})"
                if all(label != what for what, _ in found):
                    found.append((label, node.value.reason))
    return found


# ---- explain --------------------------------------------------------------------------


def _value_text(encoded: dict[str, str]) -> str:
    if "not_scored" in encoded:
        return f"not scored ({encoded['not_scored']})"
    value, unit = encoded["value"], encoded["type"]
    if unit == "money":
        amount = Decimal(value)
        return display(Quantity("money", amount))
    if unit in ("percent", "pp", "number", "count"):
        number = Decimal(value)
        shown = number.quantize(Decimal(1).scaleb(-SHOWN_DIGITS)) if number.as_tuple(
        ).exponent < -SHOWN_DIGITS else number  # type: ignore[operator]
        text = format(shown.normalize(), "f") if shown == shown.to_integral() else format(
            shown, "f")
        approx = "≈ " if shown != number else ""
        suffix = {"percent": "%", "pp": " pp"}.get(unit, "")
        return f"{approx}{text}{suffix}"
    return value


def _substitute(expr: str, params: list[str], args: list[str]) -> str:
    for name, arg in zip(params, args, strict=False):
        expr = re.sub(rf"\b{re.escape(name)}\b", arg, expr)
    return expr


_KINDS = {"definition": "rule", "output": "output", "parameter": "parameter",
          "schedule": "schedule", "measure": "measure attribute"}


def _facts(node: dict[str, Any]) -> list[str]:
    kind = _KINDS.get(node["kind"], node["kind"])
    facts = [f"{kind} at {node['at']}"] if node.get("at") else [kind]
    if node.get("citation"):
        facts.append(f"per \"{node['citation']}\"")
    if node.get("note"):
        facts.append(node["note"])
    if node["value"].get("note"):
        facts.append(node["value"]["note"])
    return facts


def _with_values(expr: str, uses: list[str], nodes: dict[str, Any]) -> str:
    """The rule with each value it used written in place of its name."""
    labels = sorted((u for u in uses if u in nodes), key=len, reverse=True)
    if not labels:
        return expr
    pattern = re.compile("|".join(rf"(?<![\w.]){re.escape(label)}(?![\w(])" for label in labels))
    return pattern.sub(lambda m: _value_text(nodes[m.group(0)]["value"]).removeprefix("≈ "),
                       expr)


def explain(trace: dict[str, Any], org: str, root: str, depth: int | None) -> str:
    """The derivation of one node as an indented tree, down to the table rows."""
    nodes = trace["organizations"][org]["nodes"]
    lines: list[str] = []
    shown: set[str] = set()

    def walk(node_id: str, prefix: str, child_prefix: str, level: int) -> None:
        node = nodes.get(node_id)
        if node is None:
            lines.append(f"{prefix}{node_id} (from another organization's derivation)")
            return
        label = node_id.split("::")[-1]
        value = _value_text(node["value"])
        relation = " " if value.startswith("≈") else " = "
        lines.append(f"{prefix}{label}{relation}{value}")
        detail = child_prefix + ("│ " if node["uses"] else "  ")
        if node["kind"] == "input":
            for row in node.get("rows", []):
                lines.append(f"{detail}row {row['table']}:{row['line']}: group {row['group']}, "
                             f"period {row['period']}, numerator {row['numerator']}, "
                             f"denominator {row['denominator']}")
            return
        expr = _substitute(node.get("expr", ""), node.get("params", []), node["args"])
        if expr and node["kind"] != "measure" and expr != value:
            lines.append(f"{detail}= {expr}")
            with_values = _with_values(expr, node["uses"], nodes)
            if with_values != expr and len(with_values) <= 160:
                lines.append(f"{detail}= {with_values}")
        lines.append(f"{detail}({'; '.join(_facts(node))})")
        if node_id in shown and node["uses"]:
            lines.append(f"{detail}(derivation shown above)")
            return
        shown.add(node_id)
        if depth is not None and level >= depth:
            if node["uses"]:
                lines.append(f"{detail}... {len(node['uses'])} more (raise --depth to see them)")
            return
        uses = node["uses"]
        for i, used in enumerate(uses):
            last = i == len(uses) - 1
            walk(used, child_prefix + ("└─ " if last else "├─ "),
                 child_prefix + ("   " if last else "│  "), level + 1)

    walk(root, "", "", 0)
    return "\n".join(lines) + "\n"


# ---- generated documentation ------------------------------------------------------------


def _signature(declaration: s.Declaration) -> str | None:
    if isinstance(declaration, s.Measure):
        direction = next((a.kind.replace("_", " ") for a in declaration.attributes
                          if a.kind.endswith("is_better")), "")
        title = f" \"{declaration.title}\"" if declaration.title else ""
        return f"measure {declaration.code}{title} {direction}".rstrip()
    if isinstance(declaration, s.Stratification):
        groups = [g.spelling or g.name for item in declaration.items for g in item.groups]
        return f"stratification {declaration.name}: {', '.join(groups)}"
    if isinstance(declaration, s.Parameter):
        return f"parameter {declaration.name}: {declaration.type}"
    if isinstance(declaration, s.Definition | s.Output):
        keyword = "define" if isinstance(declaration, s.Definition) else "output"
        params = ", ".join(f"{p.name}: {p.type}" for p in declaration.params or ())
        head = f"{keyword} {declaration.name}({params})" if declaration.params is not None \
            else f"{keyword} {declaration.name}"
        return head + (f": {declaration.return_type}" if declaration.return_type else "")
    if isinstance(declaration, s.Schedule):
        p = declaration.param
        return f"schedule {declaration.name}({p.name}: {p.type}): {declaration.return_type}"
    if isinstance(declaration, s.Invariant):
        return f"invariant \"{declaration.title}\""
    return None


def module_docs(modules: list[tuple[str, s.Module]]) -> str:
    """Markdown reference of modules, from their ``##`` doc comments, in source order."""
    lines = ["# Standard library", "",
             "Generated by `eqlang doc` from the doc comments (`##`) of the modules; do not "
             "edit by hand.", ""]
    for name, module in modules:
        lines.append(f"## `{name}`")
        lines.append("")
        first = module.declarations[0] if module.declarations else None
        intro = [c.lstrip("#").strip() for c in (first.leading.comments if first else ())]
        if intro:
            lines.append(" ".join(intro))
            lines.append("")
        for declaration in module.declarations:
            signature = _signature(declaration)
            if signature is None:
                continue
            lines.append(f"### `{signature}`")
            lines.append("")
            doc = " ".join(declaration.leading.doc).strip()
            lines.append(doc or "(no description)")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
