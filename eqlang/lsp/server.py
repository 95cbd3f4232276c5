"""The language server: ``eqlang lsp`` speaks the Language Server Protocol over standard input
and output, on pygls. Takes the editor's requests about the documents it holds, gives
diagnostics, hovers, definitions, references, renames, outlines, formatting, code actions
and completions, each answered from ``eqlang.lsp.documents`` (the analysis of a document)
and the modules beside it.

A document is analysed when it is opened or saved, and shortly after the writer stops
typing (``DEBOUNCE_SECONDS``), and so are the open documents that import it. Positions
are converted between the editor's code units (UTF-16 by default) and Python's characters.
"""

from __future__ import annotations

import asyncio
import re
from importlib import resources
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from eqlang import __version__
from eqlang.codes import EXPLANATIONS, explain
from eqlang.diagnostics import Diagnostic, EqlangError, Note
from eqlang.lsp.completion import complete
from eqlang.lsp.documents import Analyzed, analyze_text, line_text, offset_at, source_of
from eqlang.lsp.hover import hover
from eqlang.lsp.navigation import Navigator, RenameRefused, Target, outline
from eqlang.syntax.literate import LiterateSource, format_source
from eqlang.syntax.parser_tables import DECLARATION_KEYWORDS
from eqlang.syntax.source import SourceError, SourceFile, Span

#: How long the writer must stop typing before a changed document is checked again.
DEBOUNCE_SECONDS = 0.3
#: The command a code action runs to show an explanation.
EXPLAIN_COMMAND = "eqlang.explain"
#: The JSON-RPC error code of a request that was understood but could not be done.
_REQUEST_FAILED = -32803
#: Warnings whose text the editor may grey out: something that could go.
_UNNECESSARY = frozenset({"W0101", "W0102", "W0106", "W0107"})
_DECLARATION_START = re.compile(
    rf"^[ \t>]*(?:{'|'.join(DECLARATION_KEYWORDS)})(?![A-Za-z0-9_])", re.M)
_SYMBOL_KINDS = {
    "module": lsp.SymbolKind.Module, "constant": lsp.SymbolKind.Constant,
    "enum": lsp.SymbolKind.Enum, "enum member": lsp.SymbolKind.EnumMember,
    "function": lsp.SymbolKind.Function, "event": lsp.SymbolKind.Event,
    "object": lsp.SymbolKind.Object, "namespace": lsp.SymbolKind.Namespace,
    "field": lsp.SymbolKind.Field,
}
_COMPLETION_KINDS = {
    "keyword": lsp.CompletionItemKind.Keyword, "function": lsp.CompletionItemKind.Function,
    "variable": lsp.CompletionItemKind.Variable, "constant": lsp.CompletionItemKind.Constant,
    "module": lsp.CompletionItemKind.Module, "type": lsp.CompletionItemKind.TypeParameter,
    "enum": lsp.CompletionItemKind.EnumMember, "field": lsp.CompletionItemKind.Field,
}


class EqlangServer(LanguageServer):
    """The server and what it knows of the documents the editor holds."""

    def __init__(self) -> None:
        super().__init__("eqlang", __version__)
        self.analyses: dict[str, Analyzed] = {}
        #: The last analysis of each document that gave a program, for completion while the
        #: file does not load.
        self.last_good: dict[str, Analyzed] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}

    # ---- documents ------------------------------------------------------------------------

    def path_of(self, uri: str) -> Path:
        path = to_fs_path(uri)
        if path is None:
            # An unsaved document stands in the folder the server runs in.
            return Path.cwd() / (uri.rsplit("/", 1)[-1] or "untitled.eq")
        return Path(path)

    def open_texts(self) -> dict[Path, str]:
        return {self.path_of(uri): doc.source
                for uri, doc in self.workspace.text_documents.items()}

    def analyze(self, uri: str) -> Analyzed:
        document = self.workspace.get_text_document(uri)
        path = self.path_of(uri)
        others = {p: t for p, t in self.open_texts().items() if p != path}
        analyzed = analyze_text(path, document.source, others)
        self.analyses[uri] = analyzed
        if analyzed.analysis is not None:
            self.last_good[uri] = analyzed
        self.publish(uri, analyzed)
        return analyzed

    def refresh(self, uri: str) -> None:
        """Analyse a document and every open document that reads it."""
        changed = self.path_of(uri).resolve()
        self.analyze(uri)
        for other, analyzed in list(self.analyses.items()):
            if other != uri and other in self.workspace.text_documents and any(
                    f.resolve() == changed for f in analyzed.files()):
                self.analyze(other)

    def later(self, uri: str) -> None:
        """Analyse a document once the writer has stopped typing for a moment."""
        running = self.pending.pop(uri, None)
        if running is not None:
            running.cancel()

        async def wait() -> None:
            await asyncio.sleep(DEBOUNCE_SECONDS)
            self.pending.pop(uri, None)
            if uri in self.workspace.text_documents:
                self.refresh(uri)

        self.pending[uri] = asyncio.get_running_loop().create_task(wait())

    def current(self, uri: str) -> Analyzed:
        """The document's analysis for the text the editor holds now."""
        analyzed = self.analyses.get(uri)
        document = self.workspace.get_text_document(uri)
        if analyzed is None or analyzed.text != document.source:
            running = self.pending.pop(uri, None)
            if running is not None:
                running.cancel()
            analyzed = self.analyze(uri)
        return analyzed

    # ---- positions ------------------------------------------------------------------------

    def offset(self, uri: str, analyzed: Analyzed, position: lsp.Position) -> int | None:
        """The offset in the analysed eqlang text of an editor's position."""
        if analyzed.source is None:
            return None
        document = self.workspace.get_text_document(uri)
        at = document.position_codec.position_from_client_units(document.lines, position)
        return offset_at(analyzed.source, at.line, at.character)

    def range_of(self, span: Span) -> lsp.Range:
        source = span.source
        return lsp.Range(self._position(source, span.start), self._position(source, span.end))

    def _position(self, source: SourceFile, offset: int) -> lsp.Position:
        line, column = source.position(offset)
        text = line_text(source, line)
        codec = self.workspace.position_codec
        return lsp.Position(line - 1, codec.client_num_units(text[:column - 1]))

    def location(self, analyzed: Analyzed, span: Span) -> lsp.Location:
        return lsp.Location(from_fs_path(str(analyzed.file_of(span))) or "", self.range_of(span))

    # ---- diagnostics ----------------------------------------------------------------------

    def publish(self, uri: str, analyzed: Analyzed) -> None:
        shown = [self.diagnostic(analyzed, d) for d in analyzed.problems]
        document = self.workspace.get_text_document(uri)
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
            uri=uri, diagnostics=shown, version=document.version))

    def diagnostic(self, analyzed: Analyzed, d: Diagnostic) -> lsp.Diagnostic:
        message = d.message
        if d.span is not None and d.span.source.path == str(analyzed.path):
            where = self.range_of(d.span)
        elif d.span is None and d.path == str(analyzed.path) and d.line is not None:
            start = lsp.Position(d.line - 1, max(0, (d.column or 1) - 1))
            where = lsp.Range(start, lsp.Position(d.line - 1, start.character + 1))
        else:
            # A problem in a module the document imports is shown at the top of the
            # document, saying where it is.
            where = lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0))
            message = f"{d.location()}: {message}"
        if d.hint:
            message += f"\nhint: {d.hint}"
        related = [lsp.DiagnosticRelatedInformation(self.location(analyzed, n.span), n.message)
                   for n in d.notes if isinstance(n, Note) and n.span is not None]
        extra = [n.message for n in d.notes if n.span is None]
        if extra:
            message += "".join(f"\nnote: {n}" for n in extra)
        return lsp.Diagnostic(
            range=where, message=message, code=d.code, source="eqlang",
            severity=lsp.DiagnosticSeverity.Warning if d.is_warning
            else lsp.DiagnosticSeverity.Error,
            related_information=related or None,
            tags=[lsp.DiagnosticTag.Unnecessary] if d.code in _UNNECESSARY else None)

    # ---- requests -------------------------------------------------------------------------

    def navigator(self, uri: str) -> tuple[Analyzed, Navigator] | None:
        analyzed = self.current(uri)
        if analyzed.analysis is None or analyzed.source is None:
            return None
        return analyzed, Navigator(analyzed)

    def target(self, uri: str, position: lsp.Position
               ) -> tuple[Analyzed, Navigator, Target, int] | None:
        found = self.navigator(uri)
        if found is None:
            return None
        analyzed, nav = found
        offset = self.offset(uri, analyzed, position)
        target = nav.target_at(offset) if offset is not None else None
        if target is None or offset is None:
            return None
        return analyzed, nav, target, offset


server = EqlangServer()


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: EqlangServer, params: lsp.DidOpenTextDocumentParams) -> None:
    ls.refresh(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: EqlangServer, params: lsp.DidChangeTextDocumentParams) -> None:
    ls.later(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: EqlangServer, params: lsp.DidSaveTextDocumentParams) -> None:
    ls.refresh(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: EqlangServer, params: lsp.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    running = ls.pending.pop(uri, None)
    if running is not None:
        running.cancel()
    ls.analyses.pop(uri, None)
    ls.last_good.pop(uri, None)
    ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def on_hover(ls: EqlangServer, params: lsp.HoverParams) -> lsp.Hover | None:
    found = ls.navigator(params.text_document.uri)
    if found is None:
        return None
    analyzed, nav = found
    offset = ls.offset(params.text_document.uri, analyzed, params.position)
    shown = hover(nav, offset) if offset is not None else None
    if shown is None:
        return None
    text, span = shown
    return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, text),
                     ls.range_of(span) if span is not None else None)


@server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
def on_definition(ls: EqlangServer, params: lsp.DefinitionParams) -> lsp.Location | None:
    found = ls.target(params.text_document.uri, params.position)
    if found is None or found[2].declaration is None:
        return None
    analyzed, _, target, _ = found
    assert target.declaration is not None
    return ls.location(analyzed, target.declaration)


@server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
def on_references(ls: EqlangServer, params: lsp.ReferenceParams) -> list[lsp.Location]:
    found = ls.target(params.text_document.uri, params.position)
    if found is None:
        return []
    analyzed, _, target, _ = found
    spans = [r for r in target.references
             if params.context.include_declaration or r is not target.declaration]
    return [ls.location(analyzed, span) for span in spans]


@server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
def on_prepare_rename(ls: EqlangServer, params: lsp.PrepareRenameParams
                      ) -> lsp.PrepareRenamePlaceholder | None:
    found = ls.target(params.text_document.uri, params.position)
    if found is None:
        return None
    _, nav, target, offset = found
    try:
        nav.refuse(target, "eqlang_rename_probe")
    except RenameRefused as refused:
        raise JsonRpcException(str(refused), code=_REQUEST_FAILED) from None
    here = next((r for r in target.references
                 if r.source is nav.source and r.start <= offset <= r.end), None)
    if here is None:
        return None
    return lsp.PrepareRenamePlaceholder(ls.range_of(here), target.name)


@server.feature(lsp.TEXT_DOCUMENT_RENAME, lsp.RenameOptions(prepare_provider=True))
def on_rename(ls: EqlangServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
    uri = params.text_document.uri
    found = ls.navigator(uri)
    if found is None:
        raise JsonRpcException("the file does not check, so its names cannot be followed; "
                               "fix its errors first", code=_REQUEST_FAILED)
    analyzed, nav = found
    if analyzed.partial:
        raise JsonRpcException("the file does not parse; fix its syntax errors before "
                               "renaming", code=_REQUEST_FAILED)
    offset = ls.offset(uri, analyzed, params.position)
    try:
        edits = nav.rename(offset if offset is not None else -1, params.new_name,
                           {p: t for p, t in ls.open_texts().items() if p != analyzed.path})
    except RenameRefused as refused:
        raise JsonRpcException(f"cannot rename: {refused}", code=_REQUEST_FAILED) from None
    changes = {from_fs_path(str(path)) or "": [lsp.TextEdit(ls.range_of(span), new)
                                              for span, new in spans]
               for path, spans in edits.items()}
    return lsp.WorkspaceEdit(changes=changes)


@server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def on_document_symbol(ls: EqlangServer, params: lsp.DocumentSymbolParams
                       ) -> list[lsp.DocumentSymbol]:
    analyzed = ls.current(params.text_document.uri)
    if analyzed.analysis is None:
        return []

    def convert(entry: Any) -> lsp.DocumentSymbol:
        return lsp.DocumentSymbol(
            name=entry.name, kind=_SYMBOL_KINDS[entry.kind], detail=entry.detail,
            range=ls.range_of(entry.span), selection_range=ls.range_of(entry.name_span),
            children=[convert(c) for c in entry.children] or None)

    return [convert(entry) for entry in outline(analyzed.analysis.program.main.module)]


@server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
def on_formatting(ls: EqlangServer, params: lsp.DocumentFormattingParams
                  ) -> list[lsp.TextEdit] | None:
    uri = params.text_document.uri
    document = ls.workspace.get_text_document(uri)
    path = ls.path_of(uri)
    try:
        written, formatted = format_source(source_of(str(path), path, document.source))
    except (EqlangError, SourceError):
        return None  # a file that does not parse is left as it is; its errors are shown
    if formatted == written:
        return []
    lines = document.lines
    end = lsp.Position(len(lines), 0)
    return [lsp.TextEdit(lsp.Range(lsp.Position(0, 0), end), formatted)]


@server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION,
                lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
def on_code_action(ls: EqlangServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    actions = []
    seen: set[str] = set()
    for d in params.context.diagnostics:
        code = str(d.code) if d.code is not None else ""
        if d.source != "eqlang" or code not in EXPLANATIONS or code in seen:
            continue
        seen.add(code)
        title = f"Explain {code}: {EXPLANATIONS[code].title}"
        actions.append(lsp.CodeAction(
            title=title, kind=lsp.CodeActionKind.QuickFix, diagnostics=[d],
            command=lsp.Command(title, EXPLAIN_COMMAND, arguments=[code])))
    return actions


@server.command(EXPLAIN_COMMAND)
async def explain_code(ls: EqlangServer, *args: Any) -> str:
    """Show a code's explanation: its Markdown file opened in the editor when the editor
    can show a document, as a message otherwise. Gives the explanation's text."""
    code = str(args[0][0] if args and isinstance(args[0], list) else args[0] if args
               else "").strip().upper()
    if code not in EXPLANATIONS:
        raise JsonRpcException(f"no explanation for `{code}`", code=_REQUEST_FAILED)
    text = explain(code)
    window = ls.client_capabilities.window
    file = Path(str(resources.files("eqlang.codes") / f"{code}.md"))
    if window is not None and window.show_document is not None \
            and window.show_document.support and file.is_file():
        await ls.window_show_document_async(lsp.ShowDocumentParams(
            uri=from_fs_path(str(file)) or "", take_focus=True))
    else:
        ls.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Info, text))
    return text


@server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=["."]))
def on_completion(ls: EqlangServer, params: lsp.CompletionParams) -> lsp.CompletionList:
    uri = params.text_document.uri
    analyzed = ls.current(uri)
    document = ls.workspace.get_text_document(uri)
    at = document.position_codec.position_from_client_units(document.lines, params.position)
    line = document.lines[at.line] if at.line < len(document.lines) else ""
    source = analyzed.source
    if isinstance(source, LiterateSource) and (
            offset_at(source, at.line, at.character) is None):
        return lsp.CompletionList(is_incomplete=False, items=[])  # prose
    before = line[:at.character]
    upto = "".join(document.lines[:at.line]) + before
    starts = [m.start() for m in _DECLARATION_START.finditer(upto)]
    declaration = upto[starts[-1]:] if starts else upto
    good = analyzed if analyzed.analysis is not None else ls.last_good.get(uri)
    program = good.analysis.program if good is not None and good.analysis else None
    if isinstance(source, LiterateSource) and source.literate is not None:
        # A block inside a quote or a list item: its lines start with that prefix.
        block = source.literate.block_at(offset_at(source, at.line, at.character) or 0)
        if block is not None and before.startswith(block.prefix):
            before = before[len(block.prefix):]
    items = complete(program, before, declaration)
    return lsp.CompletionList(is_incomplete=False, items=[
        lsp.CompletionItem(label=i.label, kind=_COMPLETION_KINDS.get(i.kind),
                           detail=i.detail or None,
                           documentation=lsp.MarkupContent(lsp.MarkupKind.Markdown,
                                                           i.documentation)
                           if i.documentation else None)
        for i in items])


def serve() -> None:
    """Run the language server over standard input and output until the editor stops it."""
    server.start_io()
