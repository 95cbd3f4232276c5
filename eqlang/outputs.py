"""Output files: takes a path and a text, writes the text whole, or refuses with a
diagnostic; every command that writes a file writes it here.

A file is written to a temporary file beside the target and renamed over it, so that a
reader never sees half a file, and only over a regular file or where nothing is yet:
renamed over ``/dev/null`` or a named pipe, the output would replace the device or the pipe
with a regular file. An output never replaces an input of the same run. Every refusal is an
``EqlangError`` with a code, the path and a hint.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from eqlang.diagnostics import Diagnostic, EqlangError
from eqlang.files import kind_of

#: Refusals of an output: it would replace an input, or cannot be written where it is named.
E_OVERWRITES_INPUT = "E0603"
E_UNWRITABLE = "E0605"


def refuse_inputs(path: str | Path, inputs: list[str | Path]) -> None:
    """Raise ``EqlangError`` if ``path`` cannot be written whole (E0605: a directory, a
    missing folder, a named pipe, a device) or would replace one of ``inputs`` (E0603):
    checked before the work, not after.

    Paths are compared as files, not as text: ``./t.csv``, a link to it and a hard link
    are the same table.
    """
    try:
        target = _target(path)
        parent = target.parent if str(target.parent) else Path(".")
        if not parent.is_dir():
            raise _refused(path, f"there is no directory {parent}",
                           "create the directory first, or name a file in one that exists")
        info = os.stat(target)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _unwritable(path, exc) from None
    kind = kind_of(info.st_mode)
    if kind is not None:
        raise _refused(path, f"it is {kind}, not a regular file",
                       "name a new file, or a regular file to replace; eqlang writes an "
                       "output whole and never in place of a device, a pipe or a folder")
    for other in inputs:
        try:
            same = os.path.samefile(target, other)
        except OSError:
            continue  # an input that is not a file on disk (a standard library name)
        if same:
            raise EqlangError(Diagnostic(
                E_OVERWRITES_INPUT, f"refusing to overwrite the input file {other} with the "
                "output", None, path=str(path),
                hint="write the output to a new file, for example --trace trace.json"))


def write_atomic(path: str | Path, text: str, protected: list[str | Path] | None = None) -> None:
    """Write ``text`` through a temporary file and a rename (see ``write_atomic_stream``)."""
    write_atomic_stream(path, lambda stream: stream.write(text), protected)


def write_atomic_stream(path: str | Path, produce: Callable[[IO[str]], object],
                        protected: list[str | Path] | None = None) -> None:
    """Write what ``produce`` writes to a stream through a temporary file and a rename, so a
    reader never sees half a file, and nothing is left if ``produce`` fails; refused as
    ``refuse_inputs`` says, with ``protected`` the inputs never replaced.

    The file gets the permissions a newly created file gets (0666 less the umask), or keeps
    those of the file it replaces, not the owner-only ones of a temporary file. Through a
    symbolic link, the file it names is rewritten and the link stays.
    """
    _write_through(path, produce, protected, binary=False)


def write_atomic_bytes(path: str | Path, produce: Callable[[IO[bytes]], object],
                       protected: list[str | Path] | None = None) -> None:
    """``write_atomic_stream`` for a binary file (a Parquet file, a workbook)."""
    _write_through(path, produce, protected, binary=True)


def _write_through(path: str | Path, produce: Callable[[Any], object],
                   protected: list[str | Path] | None, binary: bool) -> None:
    refuse_inputs(path, list(protected or []))
    target = _target(path)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name[:64]}.", suffix=".tmp",
                                             dir=directory)
    except OSError as error:
        raise _unwritable(path, error) from None
    try:
        with (os.fdopen(handle, "wb") if binary else
              os.fdopen(handle, "w", encoding="utf-8", newline="\n")) as stream:
            produce(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        # Looked at again right before the rename: what stood there when the command began
        # may have been replaced since by something that must not be renamed over.
        refuse_inputs(path, list(protected or []))
        os.replace(temporary, target)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _unwritable(path, error) from None
        raise


def make_folder(folder: str | Path) -> None:
    """Create ``folder`` (and the folders above it) for outputs, unless it is there; refused
    with E0605 when it cannot be."""
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _refused(folder, f"cannot create the folder: {error.strerror or error}",
                       "name a folder that can be created, or one that exists") from None


def _target(path: str | Path) -> Path:
    """The file a write to ``path`` replaces: through links, the file they lead to."""
    target = Path(path)
    return Path(os.path.realpath(target)) if target.is_symlink() else target


def _refused(path: str | Path, why: str, hint: str) -> EqlangError:
    return EqlangError(Diagnostic(E_UNWRITABLE, f"cannot write the output here: {why}", None,
                                  path=str(path), hint=hint))


def _unwritable(path: str | Path, error: OSError) -> EqlangError:
    """The failure to write ``path``, named by the path asked for: the temporary file's
    name would only puzzle the reader."""
    if error.errno == errno.ENAMETOOLONG:
        return _refused(path, "the name is too long for the file system",
                        "name a shorter file; a file name has at most 255 bytes")
    return _refused(path, error.strerror or str(error),
                    "check the path, and that its folder is writable and has room")
