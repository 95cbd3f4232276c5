"""Module loading: takes a contract path, gives the parsed contract and every module it imports.

``import hedis`` names a module of the standard library (``stdlib/hedis.eq``);
``import "common.eq" as common`` names a file beside the contract. Nothing outside those two
roots can be reached: a path that leaves them, through ``..`` or a link, is an error.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import attrs

from eqlang.diagnostics import Diagnostic, EqlangError, did_you_mean
from eqlang.syntax import ast as s
from eqlang.syntax.literate import parse_contract, read_contract
from eqlang.syntax.parser_tables import data_path
from eqlang.syntax.source import SourceError, SourceFile

#: Imports deeper than this are refused: a chain this long is a mistake, not a design.
MAX_IMPORT_DEPTH = 16


@attrs.frozen(eq=False)
class LoadedModule:
    """One parsed file and the modules its imports name, by alias."""

    key: str
    source: SourceFile
    module: s.Module
    imports: dict[str, LoadedModule]
    #: A module even when checked by itself (a file of the standard library, or one that
    #: `eqlang doc` documents): its stratifications are templates, which may share groups.
    library: bool = False


def stdlib_modules() -> dict[str, Path]:
    root = data_path("stdlib")
    return {p.stem: p for p in sorted(root.glob("*.eq"))} if root.is_dir() else {}


def source_error_diagnostic(error: SourceError) -> Diagnostic:
    """E0001 for a file that cannot be read as source, at the line and column of the
    offending byte where there is one."""
    return Diagnostic("E0001", error.message, None, hint=error.hint, path=error.path,
                      line=error.line, column=error.column)


class Loader:
    """Loads a contract and its imports, collecting every diagnostic on the way."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.stdlib = stdlib_modules()
        self.stdlib_root = data_path("stdlib").resolve()
        self.loaded: dict[Path, LoadedModule] = {}
        self.diagnostics: list[Diagnostic] = []
        self.in_progress: list[Path] = []
        #: Texts not read from disk (a contract from standard input), by the path they
        #: stand at for imports beside them.
        self.given: dict[Path, SourceFile] = {}

    def load_main(self, path: Path, display: str, module: bool = False,
                  source: SourceFile | None = None) -> LoadedModule | None:
        if source is not None:
            self.given[path.resolve()] = source
        loaded = self._load(path.resolve(), display, None, 0)
        return attrs.evolve(loaded, library=True) if module and loaded is not None else loaded

    def _load(
        self, resolved: Path, display: str, importer: s.Import | None, depth: int
    ) -> LoadedModule | None:
        if resolved in self.loaded:
            return self.loaded[resolved]
        if resolved in self.in_progress:
            chain = " -> ".join(p.name for p in [*self.in_progress, resolved])
            assert importer is not None
            self.diagnostics.append(
                Diagnostic("E0109", f"imports form a cycle: {chain}", importer.span,
                           hint="move what both files need into a third module")
            )
            return None
        if depth > MAX_IMPORT_DEPTH:
            assert importer is not None
            self.diagnostics.append(
                Diagnostic("E0109", f"imports nest more than {MAX_IMPORT_DEPTH} deep",
                           importer.span, hint="flatten the chain of imports")
            )
            return None
        try:
            source = self.given.get(resolved) or read_contract(resolved, display)
        except SourceError as error:
            diagnostic = source_error_diagnostic(error)
            if importer is not None:
                where = f" (line {error.line}, column {error.column} of it)" \
                    if error.line is not None else ""
                diagnostic = attrs.evolve(diagnostic, code="E0107", span=importer.span,
                                          message=f"cannot import `{display}`: "
                                          f"{error.message}{where}")
            self.diagnostics.append(diagnostic)
            return None
        try:
            module = parse_contract(source)
        except EqlangError as error:
            self.diagnostics.extend(error.diagnostics)
            return None
        self.in_progress.append(resolved)
        imports: dict[str, LoadedModule] = {}
        for declaration in module.declarations:
            if isinstance(declaration, s.Import):
                target = self._resolve(declaration, resolved.parent)
                if target is None:
                    continue
                loaded = self._load(target[0], target[1], declaration, depth + 1)
                if loaded is not None:
                    imports[declaration.alias] = loaded
        self.in_progress.pop()
        result = LoadedModule(display, source, module, imports,
                              library=resolved.parent == self.stdlib_root)
        self.loaded[resolved] = result
        return result

    def _resolve(self, declaration: s.Import, directory: Path) -> tuple[Path, str] | None:
        if declaration.path is None:
            if declaration.alias in self.stdlib:
                path = self.stdlib[declaration.alias]
                return path.resolve(), f"<stdlib>/{path.name}"
            self.diagnostics.append(
                Diagnostic(
                    "E0107", f"there is no standard library module `{declaration.alias}`",
                    declaration.span,
                    hint=did_you_mean(declaration.alias, self.stdlib)
                    or "the standard library has: " + ", ".join(sorted(self.stdlib)),
                )
            )
            return None
        if not declaration.path.strip():
            self.diagnostics.append(Diagnostic(
                "E0107", "cannot import an empty path", declaration.span,
                hint='name a file beside the contract: `import "terms.eq" as terms`'))
            return None
        relative = Path(declaration.path)
        try:
            escaped = escapes(declaration.path, directory, (self._root_of(directory),))
            if escaped is not None:
                library = (directory / relative).resolve()
                named = library.stem if library.parent == self.stdlib_root and \
                    library.stem in self.stdlib else None
                self.diagnostics.append(self._outside(declaration, escaped, named))
                return None
            target = (directory / relative).resolve()
            regular = target.is_file()
        except (OSError, RuntimeError) as error:  # a name too long, a loop of links
            self.diagnostics.append(Diagnostic(
                "E0107", f"cannot import `{_cut(declaration.path)}`: "
                + ("the name is too long for the file system"
                   if getattr(error, "errno", None) == errno.ENAMETOOLONG
                   else f"the path cannot be followed ({error})"),
                declaration.span, hint="name a file beside the contract with a short name"))
            return None
        if not regular:
            nearby = [p.name for p in directory.glob("*.eq")]
            what = ("it is a folder, not a file" if target.is_dir() else
                    "it is not a regular file" if target.exists() else "no such file")
            self.diagnostics.append(
                Diagnostic(
                    "E0107", f"cannot import `{_cut(declaration.path)}`: {what}",
                    declaration.span,
                    hint=did_you_mean(relative.name, nearby)
                    or "the path is relative to the importing file's folder",
                )
            )
            return None
        try:
            shown = str(target.relative_to(self.root))
        except ValueError:
            shown = f"<stdlib>/{target.relative_to(self.stdlib_root)}"
        return target, shown

    def _root_of(self, directory: Path) -> Path:
        """The folder a file in ``directory`` may import from by path: the standard
        library's own for its modules, else the contract's. A path that climbs from the
        contract's folder into the installed standard library's is refused like any
        other, as the language promises (E0108)."""
        resolved = directory.resolve()
        return self.stdlib_root if resolved.is_relative_to(self.stdlib_root) and not \
            self.root.is_relative_to(self.stdlib_root) else self.root

    @staticmethod
    def _outside(declaration: s.Import, what: str, library: str | None) -> Diagnostic:
        return Diagnostic(
            "E0108",
            f"`{_cut(declaration.path)}` is {what}; a contract may import only files in its own "
            "folder and the standard library",
            declaration.span,
            hint=f"this is the standard library module `{library}`: import it by name, "
            f"`import {library}`" if library is not None else
            "copy the module next to the contract, or use a standard library module",
        )


def escapes(written: str, directory: Path, roots: tuple[Path, ...]) -> str | None:
    """Why a path a contract names may not be read, or None when it stays inside ``roots``.

    A contract travels with the files beside it and nothing else, so an absolute path, or one
    that leads out of the roots through ``..`` or a link, is refused.
    """
    if Path(written).is_absolute():
        return "an absolute path"
    target = (directory / written).resolve()
    if not any(target.is_relative_to(root) for root in roots):
        # Without links, `..` alone decides; if it stays inside, a link led out.
        plain = Path(os.path.normpath(directory / written))
        if any(plain.is_relative_to(root) for root in roots):
            return "a path that leads outside its folder through a link"
        return "a path outside its folder"
    return None


def _cut(path: str) -> str:
    """A path for a message, cut short: a hostile file can name one thousands of bytes long."""
    return path if len(path) <= 80 else path[:77] + "..."


def load(path: str | Path, display: str | None = None, *, module: bool = False,
         source: SourceFile | None = None) -> LoadedModule:
    """Load a contract and its imports, or raise ``EqlangError`` with every problem found.

    ``display`` is the path diagnostics and traces show (by default ``path`` itself);
    ``eqlang verify`` reads a contract found beside a trace under the path it recorded.
    ``module`` loads the file as a module that a contract would import. ``source``, when
    given, is the contract's text, not read from disk: ``path`` then only places it, for
    the files it imports from beside it.
    """
    main_path = Path(path)
    loader = Loader(main_path.parent)
    loaded = loader.load_main(main_path, str(path) if display is None else display, module,
                              source)
    if loader.diagnostics or loaded is None:
        raise EqlangError(loader.diagnostics)
    return loaded


def all_modules(main: LoadedModule) -> list[LoadedModule]:
    """The main module and every module it reaches, each once, in a stable order."""
    seen: dict[str, LoadedModule] = {}
    stack = [main]
    while stack:
        current = stack.pop()
        if current.key in seen:
            continue
        seen[current.key] = current
        stack.extend(current.imports[alias] for alias in sorted(current.imports, reverse=True))
    return list(seen.values())
