"""What kind of file an input is, from its first bytes: takes a path, gives a kind
(``csv``, ``gzip``, ``parquet``, ``xlsx``) or a located refusal naming what the file is.

Kinds are told by content, never by name alone: a workbook saved as ``table.csv`` is still
a workbook. Only regular files are read: a named pipe or a device would block or never
end, so it is refused before it is opened for reading.
"""

from __future__ import annotations

import os
import stat
import zipfile
from typing import IO

import attrs

CSV, GZIP, PARQUET, XLSX = "csv", "gzip", "parquet", "xlsx"

#: Magic numbers of kinds eqlang does not read, to name them in the refusal.
_OTHER_KINDS = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Excel workbook (.xls) or other OLE2 "
     "document", "save it as .xlsx or export it as CSV"),
    (b"%PDF-", "a PDF document", "export the data as CSV, Parquet or .xlsx"),
    (b"SQLite format 3\x00", "an SQLite database", "export the table as CSV or Parquet"),
    (b"BZh", "a bzip2-compressed file", "compress with gzip (.csv.gz) or not at all"),
    (b"\xfd7zXZ\x00", "an xz-compressed file", "compress with gzip (.csv.gz) or not at all"),
    (b"(\xb5/\xfd", "a Zstandard-compressed file", "compress with gzip (.csv.gz) or not at all"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "extract it and name the file inside"),
    (b"ARROW1", "an Arrow IPC (Feather) file", "write it as Parquet"),
    (b"Obj\x01", "an Avro file", "write it as Parquet"),
    (b"ORC", "an ORC file", "write it as Parquet"),
    (b"\x89PNG", "a PNG image", "name the data file, not a picture of it"),
    (b"\xff\xd8\xff", "a JPEG image", "name the data file, not a picture of it"),
    (b"\x7fELF", "a program (ELF executable)", "name the data file"),
)


@attrs.frozen
class Refusal:
    """Why a file cannot be read, and how to fix it."""

    message: str
    hint: str


def regular_file_problem(path: str | os.PathLike[str], what: str) -> Refusal | None:
    """A refusal for a path that is not a regular file (or cannot be examined); None for a
    regular file. ``what`` names the input in the message (``table``, ``member file``)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return Refusal(f"cannot read {what}: no such file", "check the path and spelling")
    except OSError as error:
        return Refusal(f"cannot read {what}: {error.strerror or error}",
                       "check the path and its permissions")
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return Refusal(f"cannot read {what}: this is a directory, not a file",
                       "name a file inside it")
    kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else
            "a character device" if stat.S_ISCHR(mode) else
            "a block device" if stat.S_ISBLK(mode) else
            "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
    return Refusal(f"cannot read {what}: this is {kind}, not a regular file",
                   "save the data to a file and name the file: eqlang reads only regular "
                   "files, whose size is known and which it can read again to verify")


def sniff(path: str | os.PathLike[str] | IO[bytes], head: bytes) -> str | Refusal:
    """The kind of a file whose first bytes are ``head`` (at least 16 of them, if it has
    them): csv (text), gzip, parquet or xlsx; or why it is none of those. ``path`` is the
    file, or its bytes already read, to look inside a ZIP archive."""
    if head.startswith(b"PAR1"):
        return PARQUET
    if head.startswith(b"\x1f\x8b"):
        return GZIP
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    for magic, name, hint in _OTHER_KINDS:
        if head.startswith(magic):
            return Refusal(f"this is {name}, not a table eqlang reads", hint)
    return CSV


def _zip_kind(path: str | os.PathLike[str] | IO[bytes]) -> str | Refusal:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return Refusal("this is a damaged ZIP archive, not a table eqlang reads",
                       "export the table again as CSV, Parquet or .xlsx")
    if "xl/workbook.xml" in names:
        return XLSX
    if "content.xml" in names and "mimetype" in names:
        return Refusal("this is an OpenDocument spreadsheet (.ods), not a table eqlang reads",
                       "save it as .xlsx or export it as CSV")
    if "word/document.xml" in names:
        return Refusal("this is a Word document, not a table eqlang reads",
                       "export the data as CSV, Parquet or .xlsx")
    return Refusal("this is a ZIP archive, not a table eqlang reads",
                   "extract it and name the table inside")


def read_head(path: str | os.PathLike[str], size: int = 512) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)
