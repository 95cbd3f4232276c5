"""Tests for ``eqlang.syntax.literate``: literate contracts (``NAME.eq.md``), whose ```eqlang
blocks are the contract and whose prose is the legal text around it."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import attrs
import pytest
from cli_run import run
from hypothesis import example, given, settings
from hypothesis import strategies as st

from eqlang.api import load_contract, settle, verify_trace
from eqlang.diagnostics import EqlangError
from eqlang.syntax import ast as s
from eqlang.syntax.literate import (
    format_literate,
    literate_source,
    read_contract,
    read_literate,
)
from eqlang.syntax.modules import load
from eqlang.syntax.parse import parse
from eqlang.syntax.source import SourceError, SourceFile

ROOT = Path(__file__).resolve().parent.parent
PLAIN = ROOT / "contracts" / "reference-equity.eq"
LITERATE = ROOT / "contracts" / "reference-equity.eq.md"
TABLE = ROOT / "contracts" / "reference-equity.csv"

FENCE = "```"

#: A small contract, in three blocks around prose, one in a block quote and one in a list.
SMALL = f"""# Terms between the parties

The plan pays each organization.

{FENCE}eqlang
contract "Small"
  provider each organization
  currency USD
  period baseline is "2022"
  period performance is "2024"
  effective 2024-01-01 to 2024-12-31
end
{FENCE}

> The measure, as quoted from the term sheet:
>
> {FENCE}eqlang
> measure COL "Colorectal cancer screening" higher is better weight 100%
> {FENCE}

1. The pool:

   {FENCE}eqlang title="Section 4"
   parameter pool: money = $1,000.00 per "Section 4"
   {FENCE}

{FENCE}python
this = "is not eqlang"
{FENCE}

    indented code is prose too

~~~eqlang
output payout: money =
  pool
  rounded to cents half up
~~~
"""


def _write(folder: Path, text: str, name: str = "terms.eq.md") -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    return path


# ---- the reading ------------------------------------------------------------------------


def test_blocks_keep_every_character_where_the_markdown_has_it() -> None:
    literate = read_literate(SMALL)
    text = literate.text
    assert len(text) == len(SMALL)
    assert text.count("\n") == SMALL.count("\n")
    kept = [i for i, ch in enumerate(text) if not ch.isspace()]
    assert all(text[i] == SMALL[i] for i in kept)
    words = re.findall(r"\S+", text)
    assert words[:2] == ["contract", '"Small"']
    assert "measure" in words and "payout:" in words
    for prose in ("Terms", "quoted", ">", "1.", "title=", "this", "indented", "~~~", FENCE):
        assert prose not in words, prose
    assert len(literate.blocks) == 4


def test_a_module_reads_the_same_as_the_blocks_written_plainly() -> None:
    module = parse(SourceFile("terms.eq.md", read_literate(SMALL).text))
    plain = "\n".join(re.findall(r"^(?:> |   )?(?:```|~~~)eqlang.*\n((?:.*\n)*?)^(?:> |   )?"
                                 r"(?:```|~~~)$", SMALL, re.M)).replace("> ", "")
    assert module == parse(SourceFile("plain.eq", plain))


def test_the_position_map_goes_both_ways() -> None:
    literate = read_literate(SMALL)
    measure = SMALL.index("measure COL")
    assert literate.to_eqlang(measure) == measure
    assert literate.to_markdown(measure) == measure
    assert literate.block_at(measure) is literate.blocks[1]
    for prose in (SMALL.index("The plan"), SMALL.index("> The measure"),
                  SMALL.index("```eqlang"), SMALL.index("indented")):
        assert literate.to_eqlang(prose) is None
        assert literate.block_at(prose) is None
    with pytest.raises(ValueError, match="outside the text"):
        literate.to_markdown(len(SMALL) + 1)


def test_windows_line_ends_and_a_lone_carriage_return_keep_the_lines() -> None:
    crlf = SMALL.replace("\n", "\r\n")
    literate = read_literate(crlf)
    assert literate.text.count("\n") == crlf.count("\n")
    assert parse(SourceFile("t.eq.md", literate.text)) == parse(
        SourceFile("t.eq.md", read_literate(SMALL).text))
    lone = "Prose\rstill prose\n```eqlang\nmeasure A\n```\n"
    assert re.findall(r"\S+", read_literate(lone).text) == ["measure", "A"]


def test_a_block_left_open_runs_to_the_end_of_the_file() -> None:
    literate = read_literate("Prose.\n\n```eqlang\nmeasure A\n")
    assert re.findall(r"\S+", literate.text) == ["measure", "A"]


_prose = st.lists(st.sampled_from(["Whereas", "the plan", "pays", "#", "`code`", "- item",
                                   "> quoted", "| a | b |", "**bold**", "eqlang", "1."]),
                  min_size=1, max_size=6).map(" ".join)
_code = st.lists(st.sampled_from(["measure A", "  weight 10%", "# note", "## doc", "",
                                  'parameter p: money = $1.00 per "S 1"', "x  y"]),
                 max_size=4)
_container = st.sampled_from(["", "> ", "   ", "- "])


@st.composite
def _documents(draw: st.DrawFn) -> tuple[str, list[list[str]]]:
    """Markdown of prose paragraphs and ```eqlang blocks (in a quote, a list item or at the
    top level), with the lines each block holds."""
    parts: list[str] = []
    blocks: list[list[str]] = []
    for _ in range(draw(st.integers(1, 4))):
        parts.append(draw(_prose) + "\n")
        container = draw(_container)
        lines = draw(_code)
        inner = "  " if container == "- " else container
        if container == "- " and not lines:
            # An empty fenced block alone in a list item is an edge of its own: the list
            # item's content is then the fence alone.
            lines = ["measure A"]
        body = "".join((inner + line).rstrip() + "\n" if line else inner.rstrip() + "\n"
                       for line in lines)
        parts.append(f"{container}```eqlang\n{body}{inner}```\n")
        blocks.append(lines)
    return "\n".join(parts), blocks


@settings(max_examples=200, deadline=None)
@given(_documents())
def test_generated_documents_map_each_block_line_to_its_place(
        document: tuple[str, list[list[str]]]) -> None:
    markdown, blocks = document
    literate = read_literate(markdown)
    assert len(literate.text) == len(markdown)
    assert [[markdown[a:b] for a, b in block.lines] for block in literate.blocks] == [
        [line.rstrip() for line in lines] for lines in blocks]
    for index, ch in enumerate(literate.text):
        block = literate.block_at(index)
        if block is None:
            assert ch.isspace()
        else:
            assert ch == markdown[index]


# ---- reading files ----------------------------------------------------------------------


def test_a_literate_source_is_named_and_hashed_as_the_markdown_file(tmp_path: Path) -> None:
    path = _write(tmp_path, SMALL)
    source = read_contract(path, "shown/terms.eq.md")
    assert source.path == "shown/terms.eq.md"
    plain = read_contract(_write(tmp_path, "measure A\n", "a.eq"))
    assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert plain.text == "measure A\n"


def test_other_markdown_and_markdown_without_blocks_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as refused:
        read_contract(_write(tmp_path, SMALL, "README.md"))
    assert "ends in .eq.md" in refused.value.message
    with pytest.raises(SourceError) as empty:
        literate_source(SourceFile("t.eq.md", "# Just prose\n\n```text\nx\n```\n"))
    assert "no ```eqlang block" in empty.value.message


def test_diagnostics_name_the_markdown_file_and_its_line(tmp_path: Path) -> None:
    broken = SMALL.replace("rounded to cents half up", "rounded to cents half sideways")
    path = _write(tmp_path, broken)
    code, _, err = run("check", str(path))
    assert code == 1
    line = broken[:broken.index("half sideways")].count("\n") + 1
    assert f"{path}:{line}:" in err
    assert "  rounded to cents half sideways" in err


def test_a_declaration_must_end_in_the_block_it_starts_in(tmp_path: Path) -> None:
    split = SMALL.replace("  pool\n  rounded", "  pool\n~~~\n\nThe rounding:\n\n~~~eqlang\nrounded")
    with pytest.raises(EqlangError) as caught:
        load(_write(tmp_path, split))
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "E0003"
    assert "ends in the middle of a declaration" in diagnostic.message
    assert diagnostic.span is not None and diagnostic.span.text == "l"
    assert diagnostic.span.line == split[:split.index("  pool\n")].count("\n") + 1


# ---- the reference contract, literate ---------------------------------------------------


def _declarations(path: Path) -> list[s.Declaration]:
    """The declarations with their doc comments; the plain comments of the plain contract
    (its terms in plain English) are the literate one's prose."""
    module = load(path).module
    return [attrs.evolve(d, leading=s.Leading(d.leading.doc)) for d in module.declarations]


def test_the_literate_reference_contract_has_the_plain_ones_declarations() -> None:
    assert _declarations(LITERATE) == _declarations(PLAIN)


def test_the_literate_reference_contract_settles_as_its_plain_twin() -> None:
    outputs = [run("eval", str(path), "--table", str(TABLE), "--json") for path in
               (PLAIN, LITERATE)]
    assert outputs[0][0] == outputs[1][0] == 0
    assert outputs[0][1] == outputs[1][1]
    assert json.loads(outputs[1][1])
    literate = settle(load_contract(LITERATE), [TABLE])
    assert literate.outputs() == settle(load_contract(PLAIN), [TABLE]).outputs()


def test_the_literate_reference_contract_runs_its_examples_and_formats() -> None:
    code, out, _ = run("test", str(LITERATE))
    assert code == 0 and "3 passed, 0 failed" in out
    assert run("fmt", "--check", str(LITERATE))[0] == 0


def test_trace_and_explain_name_lines_of_the_markdown(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    trace = tmp_path / "trace.json"
    shown = "contracts/reference-equity.eq.md"
    assert run("eval", shown, "--table", "contracts/reference-equity.csv",
               "--trace", str(trace))[0] == 0
    code, out, _ = run("explain", str(trace), "payout", "--org", "Harborview Health Partners",
                       "--depth", "1")
    assert code == 0
    markdown = LITERATE.read_text(encoding="utf-8").split("\n")
    found = re.findall(rf"at {re.escape(shown)}:(\d+):1", out)
    assert found
    for line in found:
        assert re.match(r"(output|parameter|define|measure)\b", markdown[int(line) - 1])
    # The trace is elsewhere than its inputs: verify is told the folder eval ran in.
    assert verify_trace(str(trace), inputs=ROOT).ok


# ---- formatting -------------------------------------------------------------------------


def _prose_of(markdown: str) -> str:
    """The Markdown with each block's lines taken out, from the start of the first (its
    indentation goes with the block, as the indentation of the lines after it does)."""
    literate = read_literate(markdown)
    pieces, done = [], 0
    for block in literate.blocks:
        if block.lines:
            pieces.append(markdown[done:markdown.rfind("\n", 0, block.lines[0][1]) + 1])
            done = block.lines[-1][1]
    return "".join([*pieces, markdown[done:]])


def test_fmt_formats_the_blocks_and_leaves_the_prose_byte_for_byte() -> None:
    messy = (SMALL.replace("parameter pool: money = $1,000.00", "parameter   pool:money=$1000.00")
             .replace("measure COL", "measure    COL").replace("~~~eqlang\noutput",
                                                              "~~~eqlang\n\n\noutput"))
    formatted = format_literate(literate_source(SourceFile("t.eq.md", messy)))
    assert formatted == SMALL
    assert _prose_of(formatted) == _prose_of(messy)


def test_fmt_breaks_long_lines_inside_a_quote_with_the_quote_marker() -> None:
    long = ("> ```eqlang\n> define a_long_name: number = some_function(first_argument, "
            "second_argument) + another_function(third_argument, fourth_argument)\n>\n"
            "> # kept\n> ```\nAfter.\r\n")
    formatted = format_literate(literate_source(SourceFile("t.eq.md", long)))
    assert formatted.endswith("> # kept\n> ```\nAfter.\r\n")
    assert all(line.startswith(">") for line in formatted.split("\n")[:-2])
    assert formatted.count("\n") > long.count("\n")
    again = format_literate(literate_source(SourceFile("t.eq.md", formatted)))
    assert again == formatted


def test_fmt_cli_checks_writes_and_diffs_literate_files(tmp_path: Path) -> None:
    messy = SMALL.replace("measure COL", "measure    COL")
    path = _write(tmp_path, messy)
    code, _, err = run("fmt", "--check", str(path))
    assert code == 1 and "not formatted" in err
    code, out, _ = run("fmt", "--diff", str(path))
    assert "-> measure    COL" in out and "+> measure COL" in out
    code, out, _ = run("fmt", str(path))
    assert out == SMALL
    assert run("fmt", "--write", str(path))[0] == 0
    assert path.read_text(encoding="utf-8") == SMALL


@settings(max_examples=100, deadline=None)
@given(_documents())
# Found by hypothesis: a block in a list item whose first line is blank, and so unindented.
@example(("Whereas\n\n- ```eqlang\n\n  measure A\n  ```\n", [["", "measure A"]]))
def test_generated_documents_format_idempotently_keeping_their_prose(
        document: tuple[str, list[list[str]]]) -> None:
    markdown, _ = document
    source = literate_source(SourceFile("t.eq.md", markdown))
    try:
        formatted = format_literate(source)
    except EqlangError:
        return  # a generated block that is not a contract; the reading is tested above
    assert _prose_of(formatted) == _prose_of(markdown)
    assert format_literate(literate_source(SourceFile("t.eq.md", formatted))) == formatted
