"""Input files: takes a path, gives the bytes of a regular file read within a limit (or,
for one too large to hold, its SHA-256); the one place eqlang opens a file to read it by
name (``eqlang.outputs`` writes them).

It refuses anything but a regular file before reading a byte: a named pipe would make
the command wait for a writer, a device such as ``/dev/zero`` never ends, and a socket
cannot be read at all. A file is never read past its limit, whatever size it claims, since
files under ``/proc`` claim none. ``confined`` holds a path named by a trace, which anyone
may have edited, to the folder the user named.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path
from typing import BinaryIO


class Unreadable(Exception):
    """A file that is not read: what is wrong with it, and how to fix that. ``kind`` is one
    of ``missing``, ``directory``, ``special`` (a pipe, socket or device), ``too large``,
    ``outside`` (a folder it must be in) and ``error`` (any other), for callers whose
    hints say more."""

    def __init__(self, kind: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.hint = hint


def kind_of(mode: int) -> str | None:
    """What a file that is not a regular file is, in words; None for a regular file."""
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
             (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"))
    if stat.S_ISREG(mode):
        return None
    return next((words for test, words in kinds if test(mode)), "not a regular file")


def read_limited(path: str | Path, limit: int, noun: str) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them; a ``noun`` such
    as "contract" or "table" names the file in messages. Raises ``Unreadable``.

    """
    with _open_regular(path, noun) as stream:
        size = os.fstat(stream.fileno()).st_size
        if size > limit:
            raise _too_large(f"file is {size:,} bytes", limit, noun)
        try:
            data = stream.read(limit + 1)
        except OSError as exc:
            raise _unreadable(exc, noun) from None
    if len(data) > limit:
        raise _too_large(f"file is larger than {limit:,} bytes", limit, noun)
    return data


def sha256_of(path: str | Path, noun: str) -> str:
    """The SHA-256 of the regular file at ``path``, read a block at a time, for a file too
    large to hold in memory (a member file). Raises ``Unreadable``."""
    with _open_regular(path, noun) as stream:
        try:
            return hashlib.file_digest(stream, "sha256").hexdigest()
        except OSError as exc:
            raise _unreadable(exc, noun) from None


def _open_regular(path: str | Path, noun: str) -> BinaryIO:
    """The regular file at ``path``, open for reading. It is opened without blocking and
    checked again once open, so a named pipe cannot make the open wait, and a file swapped
    for one after the first look is still refused."""
    try:
        _refuse_special(os.stat(path).st_mode, noun)
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise Unreadable("missing", "no such file", "check the path and spelling") from None
    except OSError as exc:
        raise _unreadable(exc, noun) from None
    stream = os.fdopen(handle, "rb")
    try:
        _refuse_special(os.fstat(stream.fileno()).st_mode, noun)
    except Unreadable:
        stream.close()
        raise
    return stream


def _refuse_special(mode: int, noun: str) -> None:
    kind = kind_of(mode)
    if kind == "a directory":
        raise Unreadable("directory", f"this is a directory, not a {noun} file",
                         f"name a {noun} file")
    if kind is not None:
        raise Unreadable(
            "special", f"this is {kind}, not a regular file",
            f"save the {noun} to a file and name that: eqlang reads only regular files, so "
            "that a pipe or a device cannot keep it waiting or reading without end")


def _too_large(what: str, limit: int, noun: str) -> Unreadable:
    return Unreadable("too large", f"{what}; eqlang reads {noun}s of at most {limit:,} bytes",
                      f"check that this is the {noun} meant; a {noun} this large is "
                      "refused so that a wrong path cannot exhaust memory")


def _unreadable(exc: OSError, noun: str) -> Unreadable:
    if isinstance(exc, IsADirectoryError):
        return Unreadable("directory", f"this is a directory, not a {noun} file",
                          f"name a {noun} file")
    if exc.errno == errno.ENAMETOOLONG:
        return Unreadable("error", "the path is too long for the file system",
                          "check the path; a file name has at most 255 bytes")
    return Unreadable("error", f"cannot read file: {exc.strerror or exc}",
                      "check the path and its permissions")


def confined(recorded: str, folder: Path, base: Path | None = None) -> Path:
    """The file a trace names as ``recorded``, relative to ``base`` (by default
    ``folder``); raises ``Unreadable`` when it lies outside ``folder``, by an absolute path,
    by ``..`` or through a link.

    A trace is a file anyone may have edited: the paths in it decide nothing about which
    files are read, except within the folder the user named.
    """
    written = (base if base is not None else folder) / recorded
    root = Path(os.path.realpath(folder))
    target = Path(os.path.realpath(written))
    if not target.is_relative_to(root):
        plain = Path(os.path.abspath(written)).is_relative_to(Path(os.path.abspath(folder)))
        how = ("an absolute path" if Path(recorded).is_absolute() else
               "a link" if plain else "`..`")
        raise Unreadable(
            "outside", f"it is outside {folder}, reached by {how}",
            f"name a file inside {folder}")
    return target
