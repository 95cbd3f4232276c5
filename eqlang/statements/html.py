"""Statement pages as HTML: takes ``Statement``s (``eqlang.statements.model``) and the
run's facts, gives self-contained pages: one per organization and an index for the payer.

A page needs nothing from elsewhere: its style is in the page, its charts are inline SVG,
its fonts the reader's own, and it has no script. Each number's derivation is one click
away in an HTML ``details`` element. It prints on letter paper.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from decimal import Decimal

import attrs

from eqlang.statements.model import Figure, GroupRow, MeasureSection, Statement
from eqlang.terminal import printable

#: Columns of a measure's table of groups' values; more go in another table below, so
#: that a table fits the width of letter paper.
COLUMNS_PER_TABLE = 5

#: Stands in a page for the trace's SHA-256 until the trace is complete.
TRACE_DIGEST = "@@eqlang-trace-sha256-pending@@"

CSS = """
@page { size: letter; margin: 0.55in; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; font-size: 10pt;
  line-height: 1.4; color: #1a1a1a; margin: 0 auto; padding: 0.35in; max-width: 8in;
  overflow-wrap: break-word; }
h1 { font-size: 17pt; margin: 0.1em 0 0.2em; }
h2 { font-size: 13pt; margin: 1.4em 0 0.4em; border-bottom: 1px solid #c8cdd2;
  padding-bottom: 0.15em; }
h3 { font-size: 11pt; margin: 1.2em 0 0.3em; }
p { margin: 0.3em 0; }
.kicker { text-transform: uppercase; letter-spacing: 0.08em; font-size: 8pt; color: #555; }
.meta { color: #444; }
.headline { font-size: 13pt; margin: 0.6em 0; }
.headline strong { font-size: 16pt; }
table { border-collapse: collapse; width: 100%; margin: 0.4em 0 0.6em; table-layout: auto; }
th, td { border-bottom: 1px solid #e1e4e8; padding: 0.2em 0.35em; text-align: left;
  vertical-align: top; }
th { font-weight: 600; background: #f3f5f7; font-size: 9pt; }
td.n, th.n { text-align: right; }
tfoot td { font-weight: 600; border-top: 1px solid #999; }
.chart { width: 100%; height: auto; display: block; margin: 0.4em 0; }
details { display: inline-block; max-width: 100%; }
details > summary { cursor: pointer; list-style: none; display: inline;
  text-decoration: underline dotted #7a8793; white-space: nowrap; }
td details[open] { display: block; }
details > summary::-webkit-details-marker { display: none; }
details[open] > summary { font-weight: 600; }
details > div { display: block; margin: 0.25em 0 0.4em; padding: 0.3em 0.5em;
  background: #f7f8fa; border-left: 3px solid #2f6f9f; font-size: 8.5pt; text-align: left;
  font-weight: normal; white-space: normal; }
details > div p { margin: 0.1em 0; }
.unscored { color: #8a4b00; }
.ref { font-size: 8pt; color: #555; }
pre { white-space: pre-wrap; font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace;
  font-size: 8.5pt; background: #f7f8fa; padding: 0.4em 0.6em; margin: 0.2em 0 0.8em;
  border-left: 3px solid #c8cdd2; }
ul { margin: 0.3em 0; padding-left: 1.2em; }
footer { margin-top: 2em; border-top: 1px solid #c8cdd2; padding-top: 0.5em; font-size: 8pt;
  color: #444; }
footer code { font-size: 7.5pt; }
section.measure { break-inside: avoid-page; }
a { color: #1f4f7a; }
@media print {
  body { padding: 0; max-width: none; }
  details > summary { text-decoration: none; }
  h2 { break-after: avoid; }
}
"""


@attrs.frozen
class RunFacts:
    """What every page says about the run: the contract, tables and trace with their
    SHA-256, the settlement date, the periods."""

    title: str
    payer: str | None
    contract: tuple[str, str]
    modules: tuple[tuple[str, str], ...]
    tables: tuple[tuple[str, str], ...]
    trace: str
    as_of: str | None
    periods: tuple[tuple[str, str], ...]
    version: str
    overrides: tuple[tuple[str, str], ...] = ()


def _e(text: object) -> str:
    """Text for the page: HTML's special characters escaped, and characters that control
    a terminal or the direction of text (a right-to-left override in a name) shown as
    escapes, as the command line shows them."""
    return html.escape(printable(str(text)), quote=True)


def _name(text: str) -> str:
    """A rule's name with places to break after its underscores and after the dots of a
    module's qualified name, so that five columns of them fit letter paper."""
    return _e(text).replace("_", "_<wbr>").replace(".", ".<wbr>")


def value_html(shown: Figure | None, empty: str = "") -> str:
    """A value with its derivation one click away."""
    if shown is None:
        return empty
    lines = list(shown.lines)
    if not shown.scored and shown.reason:
        lines.insert(0, f"not scored: {shown.reason}")
    body = "".join(f"<p>{_e(line)}</p>" for line in lines)
    label = _e(shown.text)
    css = ' class="unscored"' if not shown.scored else ""
    return (f'<details><summary{css} title="{_e(shown.id)}">{label}</summary>'
            f"<div><p><b>{_e(shown.id)}</b></p>{body}</div></details>")


def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}"
            "</body>\n</html>\n")


def _run_lines(facts: RunFacts, titled: bool = True) -> str:
    periods = ", ".join(f"{name} {label}" for name, label in facts.periods)
    said = [_e(facts.title)] if titled else []
    said += [f"payer {_e(facts.payer)}"] if facts.payer else []
    parts = [f"<p class=\"meta\">{' · '.join(said)}</p>" if said else "",
             f"<p class=\"meta\">periods: {_e(periods)}"
             + (f" · settled as of {_e(facts.as_of)}" if facts.as_of else "") + "</p>"]
    for name, value in facts.overrides:
        parts.append(f"<p class=\"unscored\">What-if: {_e(name)} set to {_e(value)}, not the "
                     "contract's value.</p>")
    return "\n".join(parts) + "\n"


def footer(facts: RunFacts) -> str:
    rows = [("contract", *facts.contract), *(("module", *m) for m in facts.modules),
            *(("table", *t) for t in facts.tables), ("trace", facts.trace, TRACE_DIGEST)]
    items = "".join(f"<tr><td>{_e(kind)}</td><td>{_e(path)}</td><td><code>{_e(digest)}"
                    "</code></td></tr>" for kind, path, digest in rows)
    return ("<footer>\n<p>Settled by eqlang " + _e(facts.version) + ". Every figure above "
            "is in the trace, which <code>eqlang verify</code> re-derives from these files; "
            "<code>eqlang explain</code> shows any value's derivation in full.</p>\n"
            f"<table><thead><tr><th>file</th><th>path</th><th>SHA-256</th></tr></thead>"
            f"<tbody>{items}</tbody></table>\n</footer>\n")


def statement_page(statement: Statement, facts: RunFacts, chart: str | None,
                   most: str | None, index_name: str) -> str:
    parts = [f"<p class=\"kicker\">Settlement statement · <a href=\"{_e(index_name)}\">"
             "all organizations</a></p>",
             f"<h1>{_e(statement.org)}</h1>", _run_lines(facts)]
    if statement.headline is not None:
        head = statement.headline
        parts.append(f"<div class=\"headline\">{_name(head.id)}: "
                     f"<strong>{value_html(head)}</strong>"
                     + (f" of at most {_e(most)}" if most else "") + "</div>")
    if chart:
        parts.append("<h2>From the most it can pay to the payout</h2>\n" + chart)
    parts.append(_outputs(statement.outputs))
    parts.append("<h2>Measure by measure</h2>")
    parts.extend(_measure(m, facts) for m in statement.measures)
    if statement.others:
        parts.append("<h2>The organization's other values</h2>")
        parts.append(_figure_table(statement.others))
    parts.append(_unscored(statement))
    parts.append(_rules(statement))
    parts.append(footer(facts))
    return _page(f"{statement.org}: {facts.title}", "\n".join(parts) + "\n")


def _outputs(outputs: Sequence[Figure]) -> str:
    return "<h2>Outputs</h2>\n" + _figure_table(outputs)


def _figure_table(figures: Sequence[Figure]) -> str:
    rows = "".join(f"<tr><td>{_name(f.id)}</td><td class=\"n\">{value_html(f)}</td></tr>"
                   for f in figures)
    return (f"<table><thead><tr><th>value</th><th class=\"n\">amount</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>\n")


def _measure(m: MeasureSection, facts: RunFacts) -> str:
    heading = _e(m.code) + (f": {_e(m.title)}" if m.title else "")
    meta = ", ".join(x for x in (f"weight {m.weight}" if m.weight else "", m.direction) if x)
    parts = [f"<section class=\"measure\">\n<h3>{heading}</h3>"]
    if meta:
        parts.append(f"<p class=\"meta\">{_e(meta)}</p>")
    shown = [g for g in m.groups if any(r.figure for r in g.rates) or any(g.values)]
    if shown:
        period_heads = "".join(f"<th class=\"n\">rate {_e(label)}</th>" for label in m.periods)
        rows = []
        for group in shown:
            rates = "".join(
                f"<td class=\"n\">{value_html(r.figure)}"
                + (f"<br><span class=\"ref\">{_e(r.numerator)} / {_e(r.denominator)}</span>"
                   if r.numerator is not None else "") + "</td>" for r in group.rates)
            rows.append(f"<tr><td>{_group(group)}</td>{rates}</tr>")
        parts.append(f"<table><thead><tr><th>group</th>{period_heads}</tr></thead>"
                     f"<tbody>{''.join(rows)}</tbody></table>")
    for start in range(0, len(m.columns), COLUMNS_PER_TABLE):
        heads = m.columns[start:start + COLUMNS_PER_TABLE]
        rows = [f"<tr><td>{_group(group)}</td>" + "".join(
            f"<td class=\"n\">{value_html(v)}</td>"
            for v in group.values[start:start + COLUMNS_PER_TABLE]) + "</tr>"
            for group in shown if any(group.values[start:start + COLUMNS_PER_TABLE])]
        if rows:
            head_cells = "".join(f"<th class=\"n\">{_name(c)}</th>" for c in heads)
            parts.append(f"<table><thead><tr><th>group</th>{head_cells}</tr></thead>"
                         f"<tbody>{''.join(rows)}</tbody></table>")
    if m.values:
        parts.append(_figure_table(m.values))
    if m.findings:
        items = "".join(
            f"<li>{_e(f.group)}: {'left out' if f.left_out else 'not scored'}: "
            f"{_e(f.value)} {_e(f.reason)} (members: {_e(f.members_text)})</li>"
            for f in m.findings)
        parts.append(f"<p><b>Groups left out or not scored</b></p><ul>{items}</ul>")
    parts.append("</section>")
    return "\n".join(parts) + "\n"


def _group(group: GroupRow) -> str:
    role = " <span class=\"ref\">(reference)</span>" if group.reference else (
        " <span class=\"ref\">(focus)</span>" if group.focus else "")
    return f"{_e(group.name)}{role}"


def _unscored(statement: Statement) -> str:
    groups = [f for m in statement.measures for f in m.findings]
    if not statement.unscored and not groups:
        return "<h2>Not scored</h2>\n<p>Every value was scored, and no group was left out.</p>\n"
    items = [f"<li>{_e(f.measure)} {_e(f.group)}: "
             f"{'left out' if f.left_out else 'not scored'}: {_e(f.value)} {_e(f.reason)} "
             f"(members: {_e(f.members_text)})</li>" for f in groups]
    items += [f"<li>{_e(value)}: {_e(reason)}</li>" for value, reason in statement.unscored]
    return f"<h2>Not scored or left out</h2>\n<ul>{''.join(items)}</ul>\n"


def _rules(statement: Statement) -> str:
    parts = ["<h2>The contract's rules behind these values</h2>"]
    for rule in statement.rules:
        cited = f", per “{_e(rule.citation)}”" if rule.citation else ""
        parts.append(f"<p><b>{_name(rule.name)}</b> ({_e(rule.kind)} at {_e(rule.at)}"
                     f"{cited})</p><pre>{_e(rule.text)}</pre>")
    return "\n".join(parts) + "\n"


@attrs.frozen
class IndexRow:
    org: str
    file: str
    headline: Decimal | None
    headline_text: str
    measures: tuple[str, ...]
    measure_amounts: tuple[Decimal | None, ...] = ()


def index_page(facts: RunFacts, headline: str | None, measure_heads: Sequence[str],
               rows: Sequence[IndexRow], total: str | None, stats: Sequence[tuple[str, str]],
               chart: str | None, measure_totals: Sequence[str]) -> str:
    parts = ["<p class=\"kicker\">Settlement statements</p>", f"<h1>{_e(facts.title)}</h1>",
             _run_lines(facts, titled=False)]
    if stats:
        parts.append("<h2>Across organizations</h2>")
        parts.append("<table><tbody>" + "".join(
            f"<tr><td>{_e(k)}</td><td class=\"n\">{_e(v)}</td></tr>" for k, v in stats)
            + "</tbody></table>")
    if chart:
        parts.append(chart)
    parts.append("<h2>Organizations</h2>")
    # The headline and the first measures in one table, further measures in more, so that
    # each fits the width of the page.
    chunks = [(0, min(len(measure_heads), COLUMNS_PER_TABLE - 1))]
    chunks += [(start, min(len(measure_heads), start + COLUMNS_PER_TABLE))
               for start in range(chunks[0][1], len(measure_heads), COLUMNS_PER_TABLE)]
    for number, (start, stop) in enumerate(chunks):
        lead = headline is not None and number == 0
        heads = (f"<th class=\"n\">{_name(headline)}</th>" if lead and headline else "") + \
            "".join(f"<th class=\"n\">{_name(h)}</th>" for h in measure_heads[start:stop])
        body = "".join(
            f"<tr><td><a href=\"{_e(r.file)}\">{_e(r.org)}</a></td>"
            + (f"<td class=\"n\">{_e(r.headline_text)}</td>" if lead else "")
            + "".join(f"<td class=\"n\">{_e(v)}</td>" for v in r.measures[start:stop])
            + "</tr>" for r in rows)
        foot = ""
        if total is not None:
            foot = ("<tfoot><tr><td>total</td>"
                    + (f"<td class=\"n\">{_e(total)}</td>" if lead else "")
                    + "".join(f"<td class=\"n\">{_e(v)}</td>"
                              for v in measure_totals[start:stop]) + "</tr></tfoot>")
        parts.append(f"<table><thead><tr><th>organization</th>{heads}</tr></thead>"
                     f"<tbody>{body}</tbody>{foot}</table>")
    parts.append(footer(facts))
    return _page(f"{facts.title}: statements", "\n".join(parts) + "\n")
