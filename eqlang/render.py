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

import attrs

from eqlang import syntax as s
from eqlang import types as t
from eqlang.check import Program
from eqlang.evaluate import Evaluator, Settlement
from eqlang.fmt import declaration_head, format_expr, format_range
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

#: A doc comment line that shows how a declaration is used: ``Example: EXPR [is VALUE]``.
EXAMPLE = re.compile(r"^Example: (?P<expr>.+?)(?: is (?P<value>.+))?$")
_RULER = re.compile(r"^#\s*-{2,}")
_DIRECTIONS = {"higher_is_better": "higher is better", "lower_is_better": "lower is better"}
_REFERENCES = {"best": "the best-performing group", "whole": "the whole population",
               "rest": "the rest of the population"}


@attrs.frozen
class DocModule:
    """One module to document: the name it is imported by and its parsed text."""

    name: str
    module: s.Module


def module_docs(modules: list[tuple[str, s.Module]]) -> str:
    """A Markdown reference of modules from their ``##`` doc comments.

    Modules come in import order (a module after the modules it imports, otherwise
    alphabetically); each gets its introduction (the plain comments at the top of its
    file), an index, and one section per declaration with its signature, its doc comment and
    its examples.
    """
    ordered = _import_order([DocModule(name, module) for name, module in modules])
    lines = ["# Standard library", "",
             "Generated by `eqlang doc` from the doc comments (`##`) of the modules; do not "
             "edit by hand. A contract uses a module with `import NAME` and names what it "
             "declares as `NAME.declaration`; see docs/language.md, section 4.", "",
             "| Module | What it holds |", "|---|---|"]
    lines.extend(f"| [`{m.name}`](#{_anchor(m.name)}) | {_first_sentence(_intro(m.module))} |"
                 for m in ordered)
    lines.append("")
    for m in ordered:
        lines.extend(_module_section(m))
    return "\n".join(lines).rstrip() + "\n"


def _import_order(modules: list[DocModule]) -> list[DocModule]:
    names = {m.name for m in modules}
    waiting = {m.name: {d.alias for d in m.module.declarations
                        if isinstance(d, s.Import) and d.alias in names and d.alias != m.name}
               for m in modules}
    by_name = {m.name: m for m in modules}
    ordered: list[DocModule] = []
    while waiting:
        ready = sorted(n for n, deps in waiting.items() if not deps) or sorted(waiting)[:1]
        name = ready[0]
        ordered.append(by_name[name])
        del waiting[name]
        for deps in waiting.values():
            deps.discard(name)
    return ordered


def _anchor(heading: str) -> str:
    """The fragment GitHub gives a heading: lower case, punctuation dropped, spaces dashed."""
    kept = "".join(c for c in heading.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def _intro(module: s.Module) -> str:
    first = module.declarations[0] if module.declarations else None
    comments = first.leading.comments if first is not None else ()
    words = [c.lstrip("#").strip() for c in comments if not _RULER.match(c)]
    return " ".join(w for w in words if w)


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?\.)(\s|$)", text)
    return (match.group(1) if match else text) or "(no description)"


def _doc_parts(declaration: s.Declaration) -> tuple[list[str], list[tuple[str, str | None]]]:
    """A doc comment's paragraphs and its examples as (expression, value or None)."""
    paragraphs: list[list[str]] = [[]]
    examples: list[tuple[str, str | None]] = []
    for line in declaration.leading.doc:
        example = EXAMPLE.match(line.strip())
        if example:
            examples.append((example.group("expr"), example.group("value")))
        elif not line.strip():
            paragraphs.append([])
        else:
            paragraphs[-1].append(line.strip())
    return [" ".join(p) for p in paragraphs if p], examples


def _module_section(m: DocModule) -> list[str]:
    lines = [f"## `{m.name}`", ""]
    intro = _intro(m.module)
    if intro:
        lines += [intro, ""]
    imports = [d.alias for d in m.module.declarations if isinstance(d, s.Import)]
    usage = f"Use it with `import {m.name}`."
    if imports:
        usage += " It imports " + ", ".join(f"`{name}`" for name in imports) + "."
    lines += [usage, ""]
    measures = [d for d in m.module.declarations if isinstance(d, s.Measure)]
    if measures:
        lines += _measure_doc_table(measures)
    named = [d for d in m.module.declarations
             if isinstance(d, s.Stratification | s.Parameter | s.Definition | s.Output
                           | s.Schedule)]
    if named:
        lines += ["| Name | Kind | Gives | Summary |", "|---|---|---|---|"]
        for d in named:
            heading = f"{m.name}.{d.name}"
            paragraphs, _ = _doc_parts(d)
            summary = _first_sentence(paragraphs[0]) if paragraphs else "(no description)"
            lines.append(f"| [`{d.name}`](#{_anchor(heading)}) | {_kind(d)} | {_gives(d)} | "
                         f"{summary} |")
        lines.append("")
        for d in named:
            lines += _declaration_section(m.name, d)
    return lines


def _kind(d: s.Declaration) -> str:
    if isinstance(d, s.Definition):
        return "function" if d.params else "definition"
    return type(d).__name__.lower()


def _gives(d: s.Declaration) -> str:
    if isinstance(d, s.Stratification):
        return "groups"
    if isinstance(d, s.Parameter):
        return t.describe(d.type)
    if isinstance(d, s.Definition | s.Output | s.Schedule):
        return t.describe(d.return_type) if d.return_type else "(inferred)"
    return ""


def _measure_doc_table(measures: list[s.Measure]) -> list[str]:
    lines = ["| Code | Name | Direction | Description |", "|---|---|---|---|"]
    for d in measures:
        direction = next((_DIRECTIONS[a.kind] for a in d.attributes if a.kind in _DIRECTIONS),
                         "")
        paragraphs, _ = _doc_parts(d)
        description = " ".join(paragraphs) or "(no description)"
        lines.append(f"| `{d.code}` | {d.title or ''} | {direction} | {description} |")
    return [*lines, ""]


def _declaration_section(module: str, d: s.Declaration) -> list[str]:
    assert isinstance(d, s.Stratification | s.Parameter | s.Definition | s.Output
                      | s.Schedule)
    lines = [f"### `{module}.{d.name}`", ""]
    paragraphs, examples = _doc_parts(d)
    if not isinstance(d, s.Stratification):
        head = declaration_head(d)
        if isinstance(d, s.Parameter):
            head += f" = {format_expr(d.value)}"
        lines += ["```eqlang", head, "```", ""]
    for paragraph in paragraphs or ["(no description)"]:
        lines += [paragraph, ""]
    if isinstance(d, s.Stratification):
        lines += _stratification_doc(module, d)
    if isinstance(d, s.Schedule):
        lines += _tier_table(d)
    if examples:
        lines += ["Example" + ("s:" if len(examples) > 1 else ":"), "", "```eqlang"]
        lines += [expr + (f"  # {value}" if value else "") for expr, value in examples]
        lines += ["```", ""]
    return lines


def _stratification_doc(module: str, d: s.Stratification) -> list[str]:
    title = f" (\"{d.title}\")" if d.title else ""
    lines = [f"Taken with `stratification NAME from {module}.{d.name}`{title}.", "",
             "| Group | Spelled in tables |", "|---|---|"]
    groups = [g for item in d.items for g in item.groups]
    lines += [f"| `{g.name}` | {g.spelling or g.name} |" for g in groups]
    ref = next((item.reference for item in d.items if item.reference is not None), None)
    reference = "none (the contract names one)"
    if ref is not None:
        reference = f"`{ref.group}`" if ref.kind == "group" else _REFERENCES[ref.kind]
    focus = [f.name for item in d.items for f in item.focus] or [
        g.name for g in groups if ref is None or g.name != ref.group]
    lines += ["", f"Reference: {reference}. Focus groups: "
              f"{', '.join(f'`{name}`' for name in focus)}.", ""]
    return lines


def _tier_table(d: s.Schedule) -> list[str]:
    lines = ["| Input | Pays |", "|---|---|"]
    if d.domain is not None:
        lines = [f"Domain: {format_range(d.domain)}.", "", *lines]
    lines += [f"| {format_range(tier.range)} | {format_expr(tier.value)} |" for tier in d.tiers]
    return [*lines, ""]
