"""The language server, driven as an editor drives it: `eqlang lsp` runs as a process of its
own, and pytest-lsp's client speaks the protocol to it over standard input and output,
with the capabilities VS Code announces. One server serves every test of this module, as it
serves an editor's session; each test opens the documents it needs.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from eqlang.syntax.fmt import format_module
from eqlang.syntax.parse import parse
from eqlang.syntax.source import SourceFile

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "contracts"
SHIPPED = sorted([*CONTRACTS.glob("*.eq"), *CONTRACTS.glob("*.eq.md"),
                  *(CONTRACTS / "lib").glob("*.eq"), *(ROOT / "stdlib").glob("*.eq")])

pytestmark = pytest.mark.asyncio(loop_scope="module")

PEER_GATE = """\
contract "Peer quality gate"
  payer "Illustrative Health Plan"
  provider each organization
  currency USD
  period performance is "2024"
end

import hedis

measure WCV from hedis weight 100%

parameter pool: money = $375,719.50 per "Section 4.1"

## The peers' median rate of well-care visits.
define wcv_median: percent =
  median(rate(WCV, ALL, performance) for each o in organizations)

output payout: money =
  if rate(WCV, ALL, performance) < wcv_median then pool / 2 else pool
  rounded to cents half up
"""


def _fixed_code_action_hook(client: LanguageClient) -> None:
    """lsprotocol reads any code action that carries a command as a bare Command; an
    editor tells the two apart by whether `command` is a string, as the protocol says."""
    converter = client.protocol._converter

    def hook(obj: Any, _: type) -> lsp.Command | lsp.CodeAction:
        kind = lsp.Command if isinstance(obj.get("command"), str) else lsp.CodeAction
        return converter.structure(obj, kind)

    converter.register_structure_hook(lsp.Command | lsp.CodeAction, hook)


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "eqlang", "lsp"]),
    scope="module")
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    _fixed_code_action_hook(lsp_client)
    await lsp_client.initialize_session(lsp.InitializeParams(
        capabilities=client_capabilities("visual_studio_code"), root_uri=ROOT.as_uri()))
    yield
    await lsp_client.shutdown_session()


async def _open(client: LanguageClient, path: Path, text: str | None = None) -> str:
    """Open a document (its text as on disk, or ``text``) and wait for its diagnostics."""
    uri = path.as_uri()
    client.diagnostics.pop(uri, None)
    language = "markdown" if path.name.endswith(".md") else "eqlang"
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(
        uri=uri, language_id=language, version=1,
        text=path.read_text(encoding="utf-8") if text is None else text)))
    while uri not in client.diagnostics:
        await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return uri


async def _shipped(client: LanguageClient, name: str) -> tuple[str, str]:
    """Open a shipped contract: its text, and its URI once its diagnostics are in."""
    path = CONTRACTS / name
    return path.read_text(encoding="utf-8"), await _open(client, path)


def _close(client: LanguageClient, uri: str) -> None:
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(
        lsp.TextDocumentIdentifier(uri)))


def _at(text: str, needle: str, nth: int = 0, shift: int = 0) -> lsp.Position:
    """The position of the ``nth`` occurrence of ``needle`` (plus ``shift`` characters)."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    index += shift
    line = text.count("\n", 0, index)
    return lsp.Position(line, index - (text.rfind("\n", 0, index) + 1))


def _doc(uri: str) -> lsp.TextDocumentIdentifier:
    return lsp.TextDocumentIdentifier(uri)


# ---- diagnostics --------------------------------------------------------------------------


async def test_every_shipped_file_opens_without_an_error_or_a_warning(
        client: LanguageClient) -> None:
    for path in SHIPPED:
        uri = await _open(client, path)
        assert list(client.diagnostics[uri]) == [], path
        _close(client, uri)


async def test_the_peer_median_without_at_o_is_a_warning_with_the_hint(
        client: LanguageClient, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("peer") / "gate.eq"
    uri = await _open(client, path, PEER_GATE)
    [warning] = client.diagnostics[uri]
    assert warning.code == "W0101" and warning.source == "eqlang"
    assert warning.severity == lsp.DiagnosticSeverity.Warning
    assert warning.range.start == _at(PEER_GATE, "each o in", shift=len("each "))
    assert "write `rate(WCV, ALL, performance) at o`" in warning.message
    # The code action shows the explanation: VS Code can show a document, so it is opened.
    actions = await client.text_document_code_action_async(lsp.CodeActionParams(
        _doc(uri), warning.range, lsp.CodeActionContext(diagnostics=[warning])))
    assert actions is not None
    [action] = actions
    assert isinstance(action, lsp.CodeAction) and action.command is not None
    assert action.title.startswith("Explain W0101: ")
    shown = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(
        action.command.command, action.command.arguments))
    assert shown.startswith("W0101: a loop variable never used")
    assert client.shown_documents[-1].uri.endswith("/eqlang/codes/W0101.md")
    _close(client, uri)


async def test_diagnostics_follow_the_text_as_it_changes(
        client: LanguageClient, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("typing") / "gate.eq"
    uri = await _open(client, path, PEER_GATE)
    broken = PEER_GATE.replace("then pool / 2 else pool", "then pool / 2 else")
    for version, text in enumerate((broken, PEER_GATE.replace("for each o", "at o for each o")),
                                   start=2):
        client.diagnostics.pop(uri, None)
        client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [lsp.TextDocumentContentChangeWholeDocument(text=text)]))
        while uri not in client.diagnostics:
            await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if version == 2:
            [error] = client.diagnostics[uri]
            assert error.code == "E0002" and error.severity == lsp.DiagnosticSeverity.Error
            assert error.range.start.line == _at(broken, "rounded to").line
            # While the file does not parse, the rest of it still answers.
            hover = await client.text_document_hover_async(lsp.HoverParams(
                _doc(uri), _at(broken, "wcv_median", shift=2)))
            assert hover is not None and "peers' median" in hover.contents.value
        else:
            assert list(client.diagnostics[uri]) == []
    _close(client, uri)


# ---- hover, definition, references ----------------------------------------------------


async def test_hover_shows_a_parameters_value_citation_and_doc(client: LanguageClient) -> None:
    text, uri = await _shipped(client, "reference-equity.eq")
    hover = await client.text_document_hover_async(lsp.HoverParams(
        _doc(uri), _at(text, "pool * rescaled_weight", shift=1)))
    assert hover is not None
    shown = hover.contents.value
    assert 'parameter pool: money = $1,000,000.00 per "Section 4.1"' in shown
    assert "Value: `$1,000,000.00`, per \"Section 4.1\"." in shown
    assert "The pool each organization can earn." in shown
    assert hover.range is not None and hover.range.start == _at(text, "pool * rescaled_weight")
    # A measure taken from the standard library shows its definition there.
    measure = await client.text_document_hover_async(lsp.HoverParams(
        _doc(uri), _at(text, "measure COL", shift=len("measure "))))
    assert measure is not None
    assert "weight 35%" in measure.contents.value
    assert 'measure COL "Colorectal cancer screening" higher is better' \
        in measure.contents.value
    # Any other expression: its type and unit.
    expression = await client.text_document_hover_async(lsp.HoverParams(
        _doc(uri), _at(text, "rate(m, White, p) - rate", shift=len("rate(m, White, p) "))))
    assert expression is not None
    assert "Type: percentage points (`pp`)" in expression.contents.value
    _close(client, uri)


async def test_definition_and_references_reach_the_standard_library(
        client: LanguageClient) -> None:
    text, uri = await _shipped(client, "ma-health-equity-index.eq")
    where = _at(text, "payment.peer_third", shift=len("payment.") + 1)
    definition = await client.text_document_definition_async(lsp.DefinitionParams(
        _doc(uri), where))
    assert isinstance(definition, lsp.Location)
    assert definition.uri.endswith("/stdlib/payment.eq")
    stdlib = (ROOT / "stdlib" / "payment.eq").read_text(encoding="utf-8")
    assert definition.range.start == _at(stdlib, "define peer_third", shift=len("define "))
    references = await client.text_document_references_async(lsp.ReferenceParams(
        text_document=_doc(uri), position=where,
        context=lsp.ReferenceContext(include_declaration=True)))
    assert references is not None
    assert {r.uri.rsplit("/", 1)[-1] for r in references} == {"payment.eq",
                                                              "ma-health-equity-index.eq"}
    _close(client, uri)


async def test_references_of_a_loop_variable_stay_in_its_loop(client: LanguageClient) -> None:
    text, uri = await _shipped(client, "reference-equity.eq")
    references = await client.text_document_references_async(lsp.ReferenceParams(
        text_document=_doc(uri), position=_at(text, "for each h in", shift=len("for each ")),
        context=lsp.ReferenceContext(include_declaration=True)))
    assert references is not None
    assert sorted((r.range.start.line, r.range.start.character) for r in references) == sorted(
        [(_at(text, "m, h, p").line, _at(text, "m, h, p").character + 3),
         (_at(text, "each h in").line, _at(text, "each h in").character + 5)])
    _close(client, uri)


# ---- rename -----------------------------------------------------------------------------


async def test_rename_changes_every_reference_and_refuses_a_taken_or_reserved_name(
        client: LanguageClient) -> None:
    text, uri = await _shipped(client, "reference-equity.eq")
    where = _at(text, "parameter small_gap", shift=len("parameter "))
    edit = await client.text_document_rename_async(lsp.RenameParams(_doc(uri), where,
                                                                    "narrow_gap"))
    assert edit is not None and edit.changes is not None
    assert list(edit.changes) == [uri]
    assert len(edit.changes[uri]) == text.count("small_gap") - text.count("# small_gap")
    assert {e.new_text for e in edit.changes[uri]} == {"narrow_gap"}
    for taken in ("pool", "gap", "if", "rate"):
        with pytest.raises(Exception, match="cannot rename"):
            await client.text_document_rename_async(lsp.RenameParams(_doc(uri), where, taken))
    with pytest.raises(Exception, match="measure tables name it"):
        await client.text_document_prepare_rename_async(lsp.PrepareRenameParams(
            _doc(uri), _at(text, "measure COL", shift=len("measure "))))
    _close(client, uri)


async def test_renaming_a_parameter_set_by_a_worked_example_renames_it_there(
        client: LanguageClient) -> None:
    text, uri = await _shipped(client, "reference-equity.eq")
    edit = await client.text_document_rename_async(lsp.RenameParams(
        _doc(uri), _at(text, "parameter pool", shift=len("parameter ")), "equity_pool"))
    assert edit is not None and edit.changes is not None
    lines = {e.range.start.line for e in edit.changes[uri]}
    assert _at(text, "set pool").line in lines
    _close(client, uri)


# ---- outline, formatting, completion ------------------------------------------------------


async def test_document_symbols_outline_the_contract(client: LanguageClient) -> None:
    _, uri = await _shipped(client, "reference-equity.eq")
    symbols = await client.text_document_document_symbol_async(lsp.DocumentSymbolParams(
        _doc(uri)))
    assert symbols is not None
    names = [s.name for s in symbols]
    assert names[:3] == ["Reference equity contract", "hedis", "COL"]
    assert {"pool", "measure_payout", "payout", "race"} <= set(names)
    header = symbols[0]
    assert isinstance(header, lsp.DocumentSymbol) and header.children is not None
    assert [c.name for c in header.children] == ["baseline", "performance"]
    _close(client, uri)


async def test_formatting_goes_through_fmt(client: LanguageClient,
                                           tmp_path_factory: pytest.TempPathFactory) -> None:
    messy = PEER_GATE.replace("parameter pool: money = $375,719.50",
                              "parameter   pool :money=$375719.50")
    path = tmp_path_factory.mktemp("fmt") / "gate.eq"
    uri = await _open(client, path, messy)
    edits = await client.text_document_formatting_async(lsp.DocumentFormattingParams(
        _doc(uri), lsp.FormattingOptions(tab_size=2, insert_spaces=True)))
    assert edits is not None and len(edits) == 1
    assert edits[0].new_text == format_module(parse(SourceFile("gate.eq", messy)))
    _close(client, uri)
    shipped = await _open(client, CONTRACTS / "showcase.eq")
    unchanged = await client.text_document_formatting_async(lsp.DocumentFormattingParams(
        _doc(shipped), lsp.FormattingOptions(tab_size=2, insert_spaces=True)))
    assert unchanged is not None and len(unchanged) == 0
    _close(client, shipped)


async def _labels(client: LanguageClient, uri: str, position: lsp.Position) -> set[str]:
    found = await client.text_document_completion_async(lsp.CompletionParams(
        _doc(uri), position))
    assert isinstance(found, lsp.CompletionList)
    return {item.label for item in found.items}


async def test_completion_knows_names_keywords_groups_measures_and_modules(
        client: LanguageClient) -> None:
    text, uri = await _shipped(client, "reference-equity.eq")
    inside = await _labels(client, uri, _at(text, "pool * rescaled_weight", shift=2))
    assert {"pool", "rescaled_weight", "m", "rate", "sum", "COL", "Black", "baseline",
            "otherwise", "hedis"} <= inside
    assert "define" not in inside
    assert "define" in await _labels(client, uri, lsp.Position(_at(text, "output payout").line,
                                                               0))
    typing = text.replace("define closure(m: measure", "define closure(m: meas")
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
        [lsp.TextDocumentContentChangeWholeDocument(text=typing)]))
    types = await _labels(client, uri, _at(typing, "(m: meas", shift=len("(m: meas")))
    assert {"measure", "money", "percent", "pp"} <= types
    member = text.replace("import hedis\n", "import hedis\n\ndefine x: number = hedis.\n")
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        lsp.VersionedTextDocumentIdentifier(uri=uri, version=3),
        [lsp.TextDocumentContentChangeWholeDocument(text=member)]))
    members = await _labels(client, uri, _at(member, "hedis.\n", shift=len("hedis.")))
    assert {"COL", "CBP", "WCV"} <= members and "pool" not in members
    _close(client, uri)


# ---- literate contracts -------------------------------------------------------------------


async def test_a_literate_contract_answers_at_its_markdown_positions(
        client: LanguageClient) -> None:
    markdown, uri = await _shipped(client, "reference-equity.eq.md")
    assert list(client.diagnostics[uri]) == []
    use = _at(markdown, "pool * rescaled_weight")
    hover = await client.text_document_hover_async(lsp.HoverParams(_doc(uri), use))
    assert hover is not None and "per \"Section 4.1\"" in hover.contents.value
    assert hover.range is not None and hover.range.start == use
    definition = await client.text_document_definition_async(lsp.DefinitionParams(
        _doc(uri), use))
    assert isinstance(definition, lsp.Location)
    assert definition.range.start == _at(markdown, "parameter pool", shift=len("parameter "))
    prose = await client.text_document_hover_async(lsp.HoverParams(
        _doc(uri), _at(markdown, "Every figure in it (pool", shift=len("Every figure in it ("))))
    assert prose is None
    _close(client, uri)


async def test_an_import_alias_is_renamed_where_it_is_written(client: LanguageClient) -> None:
    text, uri = await _shipped(client, "showcase.eq")
    edit = await client.text_document_rename_async(lsp.RenameParams(
        _doc(uri), _at(text, "from plan", shift=len("from ")), "catalogue"))
    assert edit is not None and edit.changes is not None
    assert sorted(e.range.start.line for e in edit.changes[uri]) == sorted(
        [_at(text, "as plan").line, _at(text, "from plan").line])
    hover = await client.text_document_hover_async(lsp.HoverParams(
        _doc(uri), _at(text, "as plan", shift=len("as "))))
    assert hover is not None and "Module `lib/plan_measures.eq`." in hover.contents.value
    _close(client, uri)


async def test_a_file_that_cannot_be_a_contract_is_a_diagnostic_not_a_crash(
        client: LanguageClient, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("hostile")
    for name, text in (("binary.eq", "contract\x00"), ("prose.eq.md", "# Terms\n\nNo code.\n"),
                       ("deep.eq", "define x: number = " + "(" * 400 + "1" + ")" * 400 + "\n")):
        uri = await _open(client, folder / name, text)
        [problem] = client.diagnostics[uri]
        assert problem.severity == lsp.DiagnosticSeverity.Error and problem.code in (
            "E0001", "E0005"), problem
        hover = await client.text_document_hover_async(lsp.HoverParams(
            _doc(uri), lsp.Position(0, 1)))
        assert hover is None
        _close(client, uri)
