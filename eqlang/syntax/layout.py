"""Line breaking: takes a document of text, possible breaks and groups, gives lines that fit a
width.

``fmt`` describes each declaration as a document and ``render`` chooses where to break it.
The algebra is Wadler's "prettier printer", laid out the way Prettier does it: a group goes on
one line when it fits in what is left of the line (counting the text that must follow it up
to the next possible break); otherwise each of its own breaks starts a new line, and every
group inside it chooses again. A break's indentation is nested (relative to the enclosing
indentation) or aligned (to the column where the aligned part starts). Nothing here knows
eqlang: documents are plain data, and ``flat`` prints one on a single line.
"""

from __future__ import annotations

from typing import TypeAlias

import attrs


@attrs.frozen
class Line:
    """A place to break: ``flat`` is printed when its group stays on one line. A hard line
    always breaks, and a group holding one cannot stay on one line."""

    flat: str = " "
    hard: bool = False


@attrs.frozen
class Nest:
    """Breaks inside ``doc`` indent ``indent`` columns more than the enclosing ones."""

    indent: int
    doc: Doc


@attrs.frozen
class Align:
    """Breaks inside ``doc`` indent to the column where ``doc`` starts."""

    doc: Doc


@attrs.frozen
class Group:
    """``doc`` on one line if it fits, or with every break of its own taken."""

    doc: Doc


@attrs.frozen
class IfBreak:
    """``broken`` where the enclosing group breaks, ``flat`` where it stays on one line."""

    broken: str
    flat: str = ""


@attrs.frozen
class Hug:
    """``head`` kept on one line with the first line of ``tail``, so that only ``tail``
    breaks (``total * sum(`` and the sum's lines below), when that fits. With a
    ``continuation``, only when ``tail`` would not fit on a line of its own either, starting
    that many columns further right than ``head``. Otherwise ``otherwise``, which must read
    the same on one line."""

    head: Doc
    tail: Doc
    otherwise: Doc
    continuation: int | None = None


@attrs.frozen
class Fill:
    """Items separated by a space, or by a break where the next item would not fit (or the
    one before did not): the way words fill a paragraph.

    ``previous_flat`` is for the printer: set on the rest of a fill being laid out, it tells
    whether the item before it stayed on one line.
    """

    items: tuple[Doc, ...]
    previous_flat: bool | None = None


#: Text (never holding a newline), a sequence printed one after another, or a combinator.
Doc: TypeAlias = "str | tuple[Doc, ...] | Line | Nest | Align | Group | IfBreak | Hug | Fill"

#: A space, or a break.
LINE = Line(" ")
#: Nothing, or a break.
SOFTLINE = Line("")
#: Always a break.
HARDLINE = Line("", hard=True)

_FLAT = True
_BREAK = False

# What the printer still has to lay out: (indentation, flat?, document), last first.
_Command: TypeAlias = "tuple[int, bool, Doc]"


def join(separator: Doc, docs: list[Doc] | tuple[Doc, ...]) -> tuple[Doc, ...]:
    """``docs`` with ``separator`` between each two."""
    joined: list[Doc] = []
    for index, doc in enumerate(docs):
        if index:
            joined.append(separator)
        joined.append(doc)
    return tuple(joined)


def flat(doc: Doc) -> str:
    """The document on one line: every break printed as its flat text."""
    parts: list[str] = []
    stack: list[Doc] = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
        elif isinstance(item, tuple):
            stack.extend(reversed(item))
        elif isinstance(item, Line | IfBreak):
            parts.append(item.flat)
        elif isinstance(item, Nest | Align | Group):
            stack.append(item.doc)
        elif isinstance(item, Hug):
            stack.append(item.otherwise)
        else:
            stack.extend(reversed(join(LINE, item.items)))
    return "".join(parts)


def render(doc: Doc, width: int) -> str:
    """The document laid out in lines of at most ``width`` columns where it can be."""
    parts: list[str] = []
    column = 0
    stack: list[_Command] = [(0, _BREAK, doc)]
    while stack:
        indent, mode, item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
            column += len(item)
        elif isinstance(item, tuple):
            stack.extend((indent, mode, d) for d in reversed(item))
        elif isinstance(item, Line):
            if mode is _FLAT and not item.hard:
                parts.append(item.flat)
                column += len(item.flat)
            else:
                parts.append("\n" + " " * indent)
                column = indent
        elif isinstance(item, IfBreak):
            text = item.flat if mode is _FLAT else item.broken
            parts.append(text)
            column += len(text)
        elif isinstance(item, Nest):
            stack.append((indent + item.indent, mode, item.doc))
        elif isinstance(item, Align):
            stack.append((column, mode, item.doc))
        elif isinstance(item, Group):
            fits = mode is _FLAT or _fits((indent, _FLAT, item.doc), stack, width - column)
            stack.append((indent, _FLAT if fits else _BREAK, item.doc))
        elif isinstance(item, Hug):
            stack.extend(_hug(item, indent, mode, stack, width - column))
        elif mode is _FLAT or not item.items:
            stack.append((indent, mode, join(LINE, item.items)))
        else:
            column = _fill(item, indent, stack, parts, column, width)
    # Breaks never follow a space in the documents fmt builds; this is a safety net.
    return "\n".join(line.rstrip() for line in "".join(parts).split("\n"))


def _hug(hug: Hug, indent: int, mode: bool, stack: list[_Command],
         width: int) -> list[_Command]:
    """What to lay out for a hug, last first."""
    whole = (hug.head, hug.tail)
    if mode is _FLAT or _fits((indent, _FLAT, whole), stack, width):
        return [(indent, _FLAT, whole)]
    tail = (indent, _BREAK, hug.tail)
    tail_fits_alone = hug.continuation is not None and _fits(
        (indent, _FLAT, hug.tail), stack, width - hug.continuation)
    if not tail_fits_alone and _fits((indent, _FLAT, hug.head), [*stack, tail], width):
        return [tail, (indent, _FLAT, hug.head)]
    return [(indent, _BREAK, hug.otherwise)]


def _fill(fill: Fill, indent: int, stack: list[_Command], parts: list[str], column: int,
          width: int) -> int:
    """Lay out the next item of a broken fill (and the break before it); the new column."""
    first, rest = fill.items[0], fill.items[1:]
    # The last item carries whatever follows the fill on its line.
    following = stack if not rest else []
    if fill.previous_flat is not None:
        if fill.previous_flat and _fits((indent, _FLAT, (LINE, first)), following,
                                        width - column):
            parts.append(" ")
            column += 1
        else:
            parts.append("\n" + " " * indent)
            column = indent
    fits = _fits((indent, _FLAT, first), following, width - column)
    if rest:
        stack.append((indent, _BREAK, Fill(rest, previous_flat=fits)))
    stack.append((indent, _FLAT if fits else _BREAK, first))
    return column


def _fits(command: _Command, rest: list[_Command], width: int) -> bool:
    """Whether ``command`` and then ``rest``, up to its next break, fit in ``width``."""
    stack = [command]
    rest_index = len(rest)
    in_rest = False
    while width >= 0:
        if not stack:
            if rest_index == 0:
                return True
            rest_index -= 1
            stack.append(rest[rest_index])
            in_rest = True
            continue
        indent, mode, item = stack.pop()
        if isinstance(item, str):
            width -= len(item)
        elif isinstance(item, tuple):
            stack.extend((indent, mode, d) for d in reversed(item))
        elif isinstance(item, Line):
            if item.hard:
                return in_rest
            if mode is _BREAK:
                return True
            width -= len(item.flat)
        elif isinstance(item, IfBreak):
            width -= len(item.flat if mode is _FLAT else item.broken)
        elif isinstance(item, Nest | Align | Group):
            stack.append((indent, mode, item.doc))
        elif isinstance(item, Hug):
            stack.append((indent, mode, (item.head, item.tail)))
        else:
            items = join(LINE, item.items)
            after = item.previous_flat is not None
            stack.append((indent, mode, (LINE, items) if after else items))
    return False
