"""Contract documents for signatories: takes a loaded contract, gives Markdown and HTML.

``contract_markdown`` writes one readable document of a contract: its header as a table of
terms, its measures, groups and parameters (with their citations) as tables, its rules and
payments in the contract's own words (doc comments, then the formula), its schedules' tiers
and its worked examples as tables, its promises as a list. A literate contract keeps its
prose as written, each ``eqlang`` block replaced by the rendering of its declarations; a
plain one is laid out in sections, its doc comments as the words around each term.
``markdown_html`` turns such Markdown (or any of ``eqlang doc``'s) into one self-contained
HTML page: no script, no font or style sheet from elsewhere, and the same bytes each time.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import attrs

from eqlang.check import units as t
from eqlang.syntax import ast as s
from eqlang.syntax.fmt import (
    attribution_line,
    declaration_head,
    format_claim,
    format_expr,
    format_literal,
    format_module,
    format_range,
)
from eqlang.syntax.literate import LiterateSource
from eqlang.syntax.modules import LoadedModule

_DIRECTIONS = {"higher_is_better": "higher is better", "lower_is_better": "lower is better"}
_REFERENCES = {"best": "the best-performing group", "whole": "the whole population",
               "rest": "the rest of the population (everyone outside the group)"}
#: The sections of a plain contract's document, in order, with the declarations in each.
_SECTIONS: tuple[tuple[str, tuple[type, ...]], ...] = (
    ("Measures", (s.Import, s.Measure)),
    ("Groups", (s.Stratification, s.Attribution)),
    ("Organization inputs", (s.Input,)),
    ("Parameters", (s.Parameter,)),
    ("Rules", (s.Definition, s.Schedule)),
    ("Payments", (s.Output,)),
    ("Worked examples", (s.Example,)),
    ("Promises", (s.Invariant,)),
)


# ---- Markdown pieces --------------------------------------------------------------------


def _text(text: str) -> str:
    """Text from the contract (a title, a citation) as Markdown that shows it as written."""
    escaped = re.sub(r"([\\`*_\[\]<|&])", r"\\\1", " ".join(text.split()))
    return escaped or " "


def _code(text: str) -> str:
    """Inline code that shows ``text`` as written, in a table cell too."""
    flat = " ".join(text.split()).replace("|", "\\|")
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{ticks}{pad}{flat}{pad}{ticks}"


def _fenced(code: str) -> list[str]:
    fence = "`" * max(3, max((len(r) + 1 for r in re.findall(r"`{3,}", code)), default=3))
    return [f"{fence}eqlang", code.rstrip("\n"), fence, ""]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _doc(declaration: s.Declaration) -> list[str]:
    """A declaration's doc comment, as the Markdown paragraphs its author wrote."""
    paragraphs: list[list[str]] = [[]]
    for line in declaration.leading.doc:
        if line.strip():
            paragraphs[-1].append(line.strip())
        else:
            paragraphs.append([])
    return [line for p in paragraphs if p for line in (" ".join(p), "")]


def _doc_line(declaration: s.Declaration) -> str:
    return " ".join(line.strip() for line in declaration.leading.doc if line.strip())


def _bare(declaration: s.Declaration) -> str:
    """A declaration as ``eqlang fmt`` writes it, without the comments above it."""
    return format_module(s.Module((attrs.evolve(declaration, leading=s.Leading()),)))


# ---- declarations -----------------------------------------------------------------------


class _Renderer:
    """Renders runs of declarations, looking up what a contract takes from its modules."""

    def __init__(self, loaded: LoadedModule) -> None:
        self.loaded = loaded

    def _imported(self, alias: str | None, kind: type, name: str) -> s.Declaration | None:
        module = self.loaded.imports.get(alias) if alias is not None else None
        if module is None:
            return None
        return next((d for d in module.module.declarations if isinstance(d, kind)
                     and getattr(d, "code", getattr(d, "name", None)) == name), None)

    def run(self, declarations: list[s.Declaration]) -> list[str]:
        """The Markdown of consecutive declarations of one kind."""
        first = declarations[0]
        if isinstance(first, s.ContractHeader):
            return [line for d in declarations for line in self.header(d)]
        if isinstance(first, s.Import):
            return self.imports(declarations)
        if isinstance(first, s.Measure):
            return self.measures(declarations)
        if isinstance(first, s.Parameter):
            return self.parameters(declarations)
        if isinstance(first, s.Input):
            return self.inputs(declarations)
        renderers = {s.Stratification: self.stratification, s.Schedule: self.schedule,
                     s.Example: self.example, s.Invariant: self.invariant,
                     s.Attribution: self.attribution}
        render = renderers.get(type(first), self.rule)
        return [line for d in declarations for line in render(d)]

    def header(self, header: s.ContractHeader) -> list[str]:
        rows: list[list[str]] = []
        for field in header.fields:
            values = [v if isinstance(v, str) else v.isoformat() for v in field.values]
            match field.kind:
                case "payer":
                    rows.append(["Payer", _text(values[0])])
                case "provider_named":
                    rows.append(["Provider", _text(values[0])])
                case "provider_each":
                    rows.append(["Provider", "each organization in the measure tables, "
                                 "settled on its own"])
                case "currency":
                    rows.append(["Currency", _text(values[0])])
                case "period":
                    rows.append([f"Period {_code(values[0])}", _text(values[1])])
                case "version":
                    rows.append(["Version", _text(values[0])])
                case "effective":
                    rows.append(["Effective", f"{values[0]} to {values[1]}"])
                case "settled_as_of":
                    rows.append(["Settled as of", values[0]])
        return [*_doc(header), *_table(["Term", "Agreed"], rows)]

    def imports(self, imports: list[s.Declaration]) -> list[str]:
        names = []
        for d in imports:
            assert isinstance(d, s.Import)
            names.append(f"the standard library module {_code(d.alias)}" if d.path is None
                         else f"the module {_code(d.path)} (as {_code(d.alias)})")
        return ["The contract uses " + ", ".join(names) + ".", ""]

    def measures(self, measures: list[s.Declaration]) -> list[str]:
        rows = []
        for d in measures:
            assert isinstance(d, s.Measure)
            source = self._imported(d.origin, s.Measure, d.code)
            attributes = {a.kind: a for a in (*(source.attributes if isinstance(
                source, s.Measure) else ()), *d.attributes)}
            title = d.title or (source.title if isinstance(source, s.Measure) else None)
            direction = next((_DIRECTIONS[k] for k in attributes if k in _DIRECTIONS), "")
            weight = attributes.get("weight")
            minimum = attributes.get("minimum_denominator")
            about = _doc_line(d) or (_doc_line(source) if source is not None else "")
            rows.append([
                _code(d.code) + (f" (from {_code(d.origin)})" if d.origin else ""),
                _text(title) if title else "", direction,
                format_literal(weight.value) if weight and weight.value else "",
                format_literal(minimum.value) if minimum and minimum.value else "",
                about.replace("|", "\\|"),
            ])
        return _table(["Measure", "Name", "Direction", "Weight", "Minimum denominator",
                       "Notes"], rows)

    def stratification(self, d: s.Declaration) -> list[str]:
        assert isinstance(d, s.Stratification)
        items = list(d.items)
        if d.origin is not None and len(d.origin.parts) == 2:
            template = self._imported(d.origin.parts[0], s.Stratification, d.origin.parts[1])
            if isinstance(template, s.Stratification):
                given = {item.kind for item in items}
                items = [i for i in template.items if i.kind not in given] + items
        title = f" ({_text(d.title)})" if d.title else ""
        origin = f", from {_code(d.origin.dotted)}" if d.origin is not None else ""
        lines = [f"**Groups of {_code(d.name)}**{title}{origin}", "", *_doc(d)]
        groups = [g for item in items for g in item.groups]
        lines += _table(["Group", "Spelled in the measure tables"],
                        [[_code(g.name), _text(g.spelling or g.name)] for g in groups])
        reference = next((i.reference for i in items if i.reference is not None), None)
        if reference is not None:
            named = (_code(reference.group) if reference.kind == "group" and reference.group
                     else _REFERENCES[reference.kind])
            lines += [f"Each group is compared with {named}.", ""]
        focus = [f.name for item in items for f in item.focus]
        if focus:
            lines += ["Focus groups: " + ", ".join(_code(f) for f in focus) + ".", ""]
        return lines

    def parameters(self, parameters: list[s.Declaration]) -> list[str]:
        rows = []
        for d in parameters:
            assert isinstance(d, s.Parameter)
            value = format_expr(d.value)
            per = _text(d.citation) if d.citation else ""
            rows.append([_code(d.name), _code(value), t.describe(d.type), per,
                         _doc_line(d).replace("|", "\\|")])
            for amendment in d.amendments:
                rows.append(["", _code(format_expr(amendment.value)), t.describe(d.type),
                             _text(amendment.citation) if amendment.citation else "",
                             f"amended: applies from {amendment.effective.isoformat()}"])
        return _table(["Parameter", "Value", "Kind", "Per", "Meaning"], rows)

    def inputs(self, inputs: list[s.Declaration]) -> list[str]:
        rows = []
        for d in inputs:
            assert isinstance(d, s.Input)
            values = (format_range(d.range) if d.range is not None else
                      "one of " + ", ".join(format_literal(c) for c in d.choices)
                      if d.choices else "")
            rows.append([_code(d.name), t.describe(d.type), _text(values) if values else "",
                         _text(d.citation) if d.citation else "",
                         _doc_line(d).replace("|", "\\|")])
        return ["Each organization's value of these is read from the organization table.", "",
                *_table(["Input", "Kind", "Values", "Per", "Meaning"], rows)]

    def attribution(self, d: s.Declaration) -> list[str]:
        assert isinstance(d, s.Attribution)
        names = ", ".join(_code(n.dotted) for n in d.stratifications)
        return [f"**Attribution of {names}**: how members whose groups are imputed count in "
                "tables made from member files.", "", *_doc(d),
                *(f"- {_text(attribution_line(item))}" for item in d.items), ""]

    def rule(self, d: s.Declaration) -> list[str]:
        assert isinstance(d, s.Definition | s.Output)
        what = "Payment" if isinstance(d, s.Output) else "Rule"
        lines = [f"**{what} {_code(d.name)}**", "", *_doc(d), *_fenced(_bare(d))]
        if d.citation:
            lines += [f"Per {_text(d.citation)}.", ""]
        return lines

    def schedule(self, d: s.Declaration) -> list[str]:
        assert isinstance(d, s.Schedule)
        head = declaration_head(d)
        lines = [f"**Schedule {_code(d.name)}**: {_code(head)}", "", *_doc(d)]
        if d.domain is not None:
            lines += [f"{_code(d.param.name)} is always {format_range(d.domain)}.", ""]
        rows = [[_text(f"{d.param.name} {format_range(tier.range)}"),
                 _code(format_expr(tier.value))] for tier in d.tiers]
        return [*lines, *_table(["When", "Pays"], rows)]

    def example(self, d: s.Declaration) -> list[str]:
        assert isinstance(d, s.Example)
        lines = [f"**Worked example: {_text(d.title)}**", "", *_doc(d)]
        settings: list[str] = []
        expected: list[list[str]] = []
        for item in d.items:
            match item:
                case s.ExampleOrganization(name):
                    settings.append(f"organization {_text(name)}")
                case s.ExampleSet(name, value):
                    settings.append(f"{_code(name)} set to {_code(format_literal(value))}")
                case s.ExampleAsOf(date):
                    settings.append(f"settled as of {date.isoformat()}")
                case s.ExampleTable(path):
                    settings.append(f"the rows of {_code(path)}")
                case s.ExampleRows() | s.ExampleInputs():
                    pass
                case s.Expectation():
                    expected.append(_expected(item))
        if settings:
            lines += ["With " + "; ".join(settings) + ".", ""]
        for given in (i for i in d.items if isinstance(i, s.ExampleInputs)):
            whose = f" of {_text(given.organization)}" if given.organization else ""
            lines += [f"Organization inputs{whose}: " + ", ".join(
                f"{_code(i.name)} {_code(format_literal(i.value))}" for i in given.inputs)
                + ".", ""]
        for rows in (i for i in d.items if isinstance(i, s.ExampleRows)):
            if rows.organization is not None:
                lines += [f"Rows of {_text(rows.organization)}:", ""]
            lines += _table(["Measure", "Group", "Period", "Numerator", "Denominator"],
                            [[_text(r.measure.text), _text(r.group.text), _text(r.period.text),
                              format_literal(r.numerator), format_literal(r.denominator)]
                             for r in rows.rows])
        return [*lines, *_table(["Value", "Expected"], expected)]

    def invariant(self, d: s.Declaration) -> list[str]:
        assert isinstance(d, s.Invariant)
        return [f"**Promise: {_text(d.title)}**", "", *_doc(d),
                f"{_code(format_claim(d))}", ""]


def _expected(expectation: s.Expectation) -> list[str]:
    target = expectation.name.dotted
    if expectation.args:
        target += "(" + ", ".join(a.dotted for a in expectation.args) + ")"
    if expectation.value is not None:
        return [_code(target), _code(format_literal(expectation.value))]
    reason = f" ({_text(expectation.reason)})" if expectation.reason else ""
    return [_code(target), f"not scored{reason}"]


def _runs(declarations: list[s.Declaration]) -> Iterator[list[s.Declaration]]:
    """Consecutive declarations of one kind (an import with the measures after it)."""
    run: list[s.Declaration] = []
    for d in declarations:
        kind = s.Measure if isinstance(d, s.Import) else type(d)
        if run and (s.Measure if isinstance(run[-1], s.Import) else type(run[-1])) != kind:
            yield run
            run = []
        run.append(d)
    if run:
        yield run


def _split_imports(run: list[s.Declaration]) -> Iterator[list[s.Declaration]]:
    imports = [d for d in run if isinstance(d, s.Import)]
    rest = [d for d in run if not isinstance(d, s.Import)]
    yield from (group for group in (imports, rest) if group)


# ---- documents --------------------------------------------------------------------------


def contract_markdown(loaded: LoadedModule) -> str:
    """The document of a contract, for the people who sign it, as Markdown."""
    renderer = _Renderer(loaded)
    source = loaded.source
    if isinstance(source, LiterateSource) and source.literate is not None:
        lines = _literate(renderer, loaded)
    else:
        lines = _plain(renderer, loaded.module)
    lines += ["---", "", f"Generated by `eqlang doc` from {_code(source.path)} "
              f"(SHA-256 {_code(source.sha256)}).", ""]
    return "\n".join(lines).rstrip() + "\n"


def _render(renderer: _Renderer, declarations: list[s.Declaration]) -> list[str]:
    return [line for run in _runs(declarations) for part in _split_imports(run)
            for line in renderer.run(part)]


def _plain(renderer: _Renderer, module: s.Module) -> list[str]:
    declarations = list(module.declarations)
    header = next((d for d in declarations if isinstance(d, s.ContractHeader)), None)
    title = header.title if header is not None else "Contract"
    lines = [f"# {_text(title)}", ""]
    if header is not None:
        lines += _render(renderer, [header])
    for heading, kinds in _SECTIONS:
        chosen = [d for d in declarations if isinstance(d, kinds)]
        if chosen:
            lines += [f"## {heading}", "", *_render(renderer, chosen)]
    return lines


def _literate(renderer: _Renderer, loaded: LoadedModule) -> list[str]:
    source = loaded.source
    assert isinstance(source, LiterateSource) and source.literate is not None
    literate = source.literate
    markdown = literate.markdown
    lines: list[str] = []
    done = 0
    for block in literate.blocks:
        inside = [d for d in loaded.module.declarations
                  if literate.block_at(d.span.start) is block]
        prose = markdown[done:block.start].strip("\r\n")
        lines += [prose, ""] if prose else []
        lines += _render(renderer, inside)
        done = block.end
    rest = markdown[done:].strip("\r\n")
    lines += [rest, ""] if rest else []
    return [line.rstrip("\r") for chunk in lines for line in chunk.split("\n")]


def markdown_html(markdown: str, title: str) -> str:
    """A self-contained HTML page of Markdown: raw HTML in it is shown as text, images as
    their links, and nothing is loaded from elsewhere."""
    from markdown_it import MarkdownIt  # only `eqlang doc` needs it

    parser = MarkdownIt("commonmark", {"html": False}).enable("table").disable("image")
    body = parser.render(markdown)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n<style>\n{_STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )


def document_title(markdown: str) -> str:
    """The text of a document's first heading."""
    match = re.search(r"^#{1,6}\s+(.+?)\s*#*\s*$", markdown, re.M)
    if match is None:
        return "eqlang document"
    return re.sub(r"\\(.)", r"\1", match.group(1)).replace("`", "")


_STYLE = """\
body { margin: 0; background: #fff; color: #1b1b1b;
  font: 16px/1.55 Georgia, "Times New Roman", serif; }
main { max-width: 46rem; margin: 2rem auto 4rem; padding: 0 1.25rem; }
h1, h2, h3, h4 { font-family: system-ui, -apple-system, "Segoe UI", sans-serif;
  line-height: 1.25; margin: 2rem 0 0.75rem; }
h1 { font-size: 1.9rem; } h2 { font-size: 1.4rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.5rem 0 1.25rem; width: 100%;
  font-size: 0.92rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.55rem; text-align: left;
  vertical-align: top; }
th { background: #f3f3f3; font-family: system-ui, sans-serif; }
code { font: 0.88em/1.4 ui-monospace, "Cascadia Mono", Menlo, Consolas, monospace;
  background: #f5f5f5; padding: 0.05em 0.25em; border-radius: 3px; }
pre { background: #f7f7f7; border: 1px solid #e2e2e2; border-radius: 4px;
  padding: 0.75rem 1rem; overflow-x: auto; }
pre code { background: none; padding: 0; }
blockquote { margin: 1rem 0; padding: 0 1rem; border-left: 4px solid #ddd; color: #444; }
hr { border: 0; border-top: 1px solid #ddd; margin: 2.5rem 0 1rem; }
@media print { main { margin: 0; max-width: none; } pre { white-space: pre-wrap; } }
"""
