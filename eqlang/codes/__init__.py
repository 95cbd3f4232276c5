"""Diagnostic codes: takes a code such as ``E0201``, gives the long explanation behind it.

Every diagnostic eqlang reports carries a code, an error's starting with E and a warning's
with W, and ``eqlang check --explain CODE`` prints the code's explanation: what the error
means, why eqlang refuses it (or warns), a small example of the mistake, the same example
fixed, and how to fix such errors in general. Each explanation is
a Markdown file of this package, named after its code (``E0201.md``), that reads on GitHub
as it reads in a terminal. This module reads the files; the format, once:

* The file starts with a header between two lines ``---``: ``stage: NAME`` (how the
  examples run, below) and, for a ``settle`` or ``table`` example that needs one,
  ``step-limit: N`` (an evaluation step budget instead of the evaluator's default). Then a
  heading line ``# E0201: title``, the title saying in one line what went wrong.
* The rest is what ``--explain`` prints under the title: paragraphs of prose, as written,
  and fenced blocks, printed indented by four spaces. Paragraphs are separated by one blank
  line and lines are at most 100 characters wide, for the terminal.
* A fence's info string is a language (``eqlang``, ``csv``, ``sh`` or ``text``), then the
  block's role, then flags. Roles: ``wrong`` and ``fixed`` (the examples), ``module NAME``
  (a file written beside both examples), ``fixed-module NAME`` (when given, these replace
  the modules for the fixed example), ``table`` (the measure table a ``settle`` or
  ``command`` example runs against) and ``contract`` (the contract that settles a ``table``
  example, or that a ``command`` example runs). A block without a role is shown in place of
  a ``wrong`` example that cannot be shown as it is run. The one flag, ``escaped``, makes
  ``\\xHH`` and ``\\uHHHH`` stand for that character and ``\\\\`` for a backslash, for bytes
  a text file cannot hold and characters a reader cannot see.
* Blocks that the examples run with but ``--explain`` does not show come last, under the
  heading ``## Run but not shown``: the ``contract`` and ``table`` of a ``command`` example,
  and a ``wrong`` example shown through a block without a role. Nothing but blocks follows
  that heading.
* The prose comes first (what the code means), then each shown block after its own
  paragraph, in this order, then the prose on how to fix such errors:

  - ``The contracts below are settled against this measure table:`` and the ``table``
    (stage ``settle``);
  - ``The tables below are settled by this contract:`` and the ``contract`` (stage
    ``table``, when it has one);
  - ``Beside the example, the file `NAME` holds:`` and each ``module NAME``;
  - ``This is refused with E0201:`` (``This measure table`` for stage ``table``, ``This
    command`` for stage ``command``; ``This is accepted with warning W0101:`` for a
    warning) and the ``wrong`` example or the block shown for it;
  - ``In the fixed example, the file `NAME` holds:`` and each ``fixed-module NAME``;
  - ``Fixed:`` and the ``fixed`` example.

Stages: ``check``: ``wrong`` and ``fixed`` are contracts (or library modules: a file without
a contract header) that are read, parsed and checked. ``settle``: both are contracts, checked
and then settled against ``table``. ``table``: both are measure tables (CSV); with a
``contract`` they are settled by it, without one they are only read. ``command``: both are
``eqlang`` command lines, one a line, run in order in a folder that holds ``contract`` as
contract.eq and ``table`` as measures.csv. ``wrong`` must fail with the file's code and
nothing else; ``fixed`` must pass (tests/test_codes.py runs them all). A warning's examples
are of stage ``check``: ``wrong`` must check with that warning and no other diagnostic,
``fixed`` with none.

A file that breaks these rules is refused with ``ExplanationFormatError``, naming the file
and the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources

import attrs

STAGES = ("check", "settle", "table", "command")
LANGUAGES = ("eqlang", "csv", "sh", "text", "json", "toml")
ROLES = ("wrong", "fixed", "module", "fixed-module", "table", "contract")
FLAGS = ("escaped",)
#: The heading of the blocks that run but are not shown.
NOT_SHOWN = "## Run but not shown"

_FILE_NAME = re.compile(r"[EW]\d{4}\.md")
_FIELD = re.compile(r"([a-z-]+): (\S.*)")
_HEADING = re.compile(r"# ([EW]\d{4}): (\S.*)")
_ESCAPE = re.compile(r"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|(\\))")
_FENCE = "```"


def is_warning(code: str) -> bool:
    """Whether a code is a warning's (W0101) rather than an error's (E0201)."""
    return code.startswith("W")


class ExplanationFormatError(ValueError):
    """An explanation file that does not follow the format (the message names file and line)."""


@attrs.frozen
class Explanation:
    """The long form of one diagnostic code, with a runnable example of the mistake."""

    code: str
    #: One line saying what went wrong.
    title: str
    #: Several paragraphs for the terminal: meaning, the examples, how to fix it.
    text: str
    stage: str = attrs.field(validator=attrs.validators.in_(STAGES))
    wrong: str = ""
    fixed: str = ""
    modules: tuple[tuple[str, str], ...] = ()
    fixed_modules: tuple[tuple[str, str], ...] | None = None
    #: The measure table a ``settle`` or ``command`` example is settled against.
    table: str = ""
    #: The contract that settles a ``table`` example, or that a ``command`` example runs.
    contract: str = ""
    #: An evaluation step budget for the example (``None``: the evaluator's default).
    step_limit: int | None = None

    @property
    def modules_for_fixed(self) -> tuple[tuple[str, str], ...]:
        return self.modules if self.fixed_modules is None else self.fixed_modules


@attrs.frozen
class _Prose:
    line: int
    text: str


@attrs.frozen
class _Block:
    line: int
    role: str
    name: str
    hidden: bool
    #: The block's lines as written, for the terminal.
    lines: tuple[str, ...]
    #: The block's text as the example runs it (escapes decoded).
    body: str

    def describe(self) -> str:
        if not self.role:
            return "a block without a role"
        return f"the `{self.role} {self.name}` block" if self.name else f"the `{self.role}` block"


class _Reader:
    """One explanation file being read, for errors that name its lines."""

    def __init__(self, source: str, text: str) -> None:
        self.source = source
        # A checkout with Windows line endings must explain the same, byte for byte.
        self.lines = text.replace("\r\n", "\n").split("\n")
        if self.lines and self.lines[-1] == "":
            self.lines.pop()

    def fail(self, line: int, message: str) -> ExplanationFormatError:
        return ExplanationFormatError(f"{self.source}:{line}: {message}")

    def header(self) -> tuple[dict[str, tuple[int, str]], int]:
        """The header's fields (each with its line) and the index of the line after it."""
        if not self.lines or self.lines[0] != "---":
            raise self.fail(1, "an explanation starts with a line `---`, then fields such as "
                               "`stage: check`, then a line `---`")
        fields: dict[str, tuple[int, str]] = {}
        for index in range(1, len(self.lines)):
            line = self.lines[index]
            if line == "---":
                return fields, index + 1
            if not line.strip() or line.startswith("#"):
                raise self.fail(index + 1, "the header that line 1 opens is not closed with a "
                                           "line `---` before this line")
            match = _FIELD.fullmatch(line)
            if match is None:
                raise self.fail(index + 1, f"`{line}` is not a header field `name: value`")
            key, value = match.groups()
            if key not in ("stage", "step-limit"):
                raise self.fail(index + 1, f"unknown header field `{key}`; the fields are "
                                           "`stage` and `step-limit`")
            if key in fields:
                raise self.fail(index + 1, f"`{key}` is given twice")
            fields[key] = (index + 1, value.rstrip())
        raise self.fail(1, "the header opened here is never closed with a line `---`")

    def parts(self, start: int) -> Iterator[_Prose | _Block]:
        """The paragraphs and fenced blocks from line index ``start`` on."""
        paragraph: list[str] = []
        first = 0
        hidden = False
        index = start
        while index <= len(self.lines):
            line = self.lines[index] if index < len(self.lines) else ""
            if paragraph and (not line.strip() or line.startswith(_FENCE) or line == NOT_SHOWN):
                yield _Prose(first, "\n".join(paragraph))
                paragraph = []
            if line.startswith(_FENCE):
                block, index = self.block(index, hidden)
                yield block
                continue
            if line == NOT_SHOWN:
                if hidden:
                    raise self.fail(index + 1, f"a second heading `{NOT_SHOWN}`")
                hidden = True
            elif line.strip():
                if hidden:
                    raise self.fail(index + 1, f"only blocks follow the heading `{NOT_SHOWN}`")
                if not paragraph:
                    first = index + 1
                paragraph.append(line)
            index += 1

    def block(self, index: int, hidden: bool) -> tuple[_Block, int]:
        """The fenced block opening at line index ``index``, and the index after it."""
        number = index + 1
        words = self.lines[index][len(_FENCE):].split()
        if not words or words[0] not in LANGUAGES:
            raise self.fail(number, "a fence names its language first: "
                                    f"{', '.join(LANGUAGES)}; then its role and flags")
        role, name, flags = "", "", set()
        rest = words[1:]
        while rest:
            word = rest.pop(0)
            if word in flags or (word in ROLES and role):
                raise self.fail(number, f"`{word}` comes after `{role or word}`: a block has "
                                        "one role and each flag once")
            if word in FLAGS:
                flags.add(word)
            elif word in ROLES:
                role = word
                if word in ("module", "fixed-module"):
                    if not rest or "/" in rest[0] or "\\" in rest[0] or rest[0].startswith("."):
                        raise self.fail(number, f"`{word}` is followed by the file's name, "
                                                "such as `common.eq`")
                    name = rest.pop(0)
            else:
                raise self.fail(number, f"`{word}` is not a role ({', '.join(ROLES)}) or a "
                                        f"flag ({', '.join(FLAGS)})")
        end = index + 1
        while end < len(self.lines) and self.lines[end].rstrip() != _FENCE:
            end += 1
        if end == len(self.lines):
            raise self.fail(number, "this block is never closed with a line ```")
        lines = tuple(self.lines[index + 1:end])
        body = "".join(line + "\n" for line in lines)
        if "escaped" in flags:
            body = _ESCAPE.sub(lambda m: m.group(3) or chr(int(m.group(1) or m.group(2), 16)),
                               body)
        block = _Block(line=number, role=role, name=name, hidden=hidden,
                       lines=lines, body=body)
        return block, end + 1


#: A shown block and the paragraph that introduces it.
_Labelled = tuple[str, _Block]


def _noun(stage: str) -> str:
    return {"table": "This measure table", "command": "This command"}.get(stage, "This")


def _optional(reader: _Reader, blocks: list[_Block], role: str) -> _Block | None:
    found = [b for b in blocks if b.role == role]
    if len(found) > 1:
        raise reader.fail(found[1].line, f"a second `{role}` block")
    return found[0] if found else None


def _needed(reader: _Reader, blocks: list[_Block], role: str) -> _Block:
    block = _optional(reader, blocks, role)
    if block is None:
        raise reader.fail(len(reader.lines), f"the explanation has no `{role}` block")
    return block


def _modules(reader: _Reader, blocks: list[_Block], role: str) -> list[_Block]:
    found = [b for b in blocks if b.role == role]
    seen: set[str] = set()
    for block in found:
        if block.name in seen:
            raise reader.fail(block.line, f"a second `{role} {block.name}` block")
        seen.add(block.name)
    return found


def _shown(reader: _Reader, stage: str, code: str, blocks: list[_Block]) -> list[_Labelled]:
    """The blocks ``--explain`` shows, each with the paragraph that introduces it, in order."""
    wrong = _needed(reader, blocks, "wrong")
    fixed = _needed(reader, blocks, "fixed")
    table = _optional(reader, blocks, "table")
    contract = _optional(reader, blocks, "contract")
    needed = {"settle": ("table",), "command": ("table", "contract")}.get(stage, ())
    allowed = {"settle": ("table",), "table": ("contract",)}.get(stage, needed)
    for role, block in (("table", table), ("contract", contract)):
        if role in needed:
            _needed(reader, blocks, role)
        if block is not None and role not in allowed:
            raise reader.fail(block.line, f"a `{role}` block does not belong to a `{stage}` "
                                          "example")
    stand_ins = [b for b in blocks if not b.role]
    if wrong.hidden and len(stand_ins) != 1:
        raise reader.fail(wrong.line, "a `wrong` block that is not shown needs one block "
                                      "without a role to show in its place")
    if not wrong.hidden and stand_ins:
        raise reader.fail(stand_ins[0].line, "a block without a role stands in for a `wrong` "
                                             f"block under `{NOT_SHOWN}`, and the `wrong` "
                                             f"block on line {wrong.line} is shown")
    shown: list[_Labelled] = []
    if stage == "settle" and table is not None:
        shown.append(("The contracts below are settled against this measure table:", table))
    if stage == "table" and contract is not None:
        shown.append(("The tables below are settled by this contract:", contract))
    for module in _modules(reader, blocks, "module"):
        shown.append((f"Beside the example, the file `{module.name}` holds:", module))
    verdict = f"is accepted with warning {code}" if is_warning(code) else \
        f"is refused with {code}"
    shown.append((f"{_noun(stage)} {verdict}:",
                  stand_ins[0] if wrong.hidden else wrong))
    for module in _modules(reader, blocks, "fixed-module"):
        shown.append((f"In the fixed example, the file `{module.name}` holds:", module))
    shown.append(("Fixed:", fixed))
    kept = {id(block) for _, block in shown}
    for block in blocks:
        if block.hidden and id(block) in kept:
            raise reader.fail(block.line, f"{block.describe()} is shown by --explain; move it "
                                          f"above the heading `{NOT_SHOWN}`")
        if not block.hidden and id(block) not in kept:
            raise reader.fail(block.line, f"{block.describe()} of a `{stage}` example is not "
                                          f"shown by --explain; move it under a last heading "
                                          f"`{NOT_SHOWN}`")
    return shown


def _text(reader: _Reader, parts: list[_Prose | _Block], shown: list[_Labelled]) -> str:
    """The terminal text, once the shown blocks are checked to follow their paragraphs."""
    visible = [p for p in parts if not (isinstance(p, _Block) and p.hidden)]
    first = next(i for i, p in enumerate(visible) if isinstance(p, _Block))
    if first < 2:
        raise reader.fail(visible[first].line, "the explanation starts with prose saying what "
                                               "the error means, before its first block")
    position = first - 1
    for label, block in shown:
        said = visible[position] if position < len(visible) else None
        if not isinstance(said, _Prose) or said.text != label:
            where = said.line if said is not None else len(reader.lines)
            raise reader.fail(where, f"expected the paragraph `{label}` here, before "
                                     f"{block.describe()}")
        if position + 1 >= len(visible) or visible[position + 1] is not block:
            raise reader.fail(said.line, f"`{label}` is followed by {block.describe()}")
        position += 2
    rest = visible[position:]
    if not rest:
        raise reader.fail(shown[-1][1].line, "the explanation ends with prose saying how to fix "
                                             "such errors, after this block")
    pieces = []
    for part in visible:
        if isinstance(part, _Prose):
            pieces.append(part.text)
        else:
            pieces.append("\n".join(("    " + line) if line.strip() else line
                                    for line in part.lines))
    return "\n\n".join(pieces)


def parse_explanation(text: str, source: str) -> Explanation:
    """The explanation a file holds; ``source`` is its name, as ``E0201.md`` or a path.

    Raises ``ExplanationFormatError`` naming the file and the line of the first mistake.
    """
    reader = _Reader(source, text)
    fields, start = reader.header()
    if "stage" not in fields:
        raise reader.fail(1, f"the header has no `stage`: one of {', '.join(STAGES)}")
    stage_line, stage = fields["stage"]
    if stage not in STAGES:
        raise reader.fail(stage_line, f"unknown stage `{stage}`: one of {', '.join(STAGES)}")
    step_limit = None
    if "step-limit" in fields:
        limit_line, limit = fields["step-limit"]
        if not limit.isdigit() or int(limit) == 0:
            raise reader.fail(limit_line, f"the step limit `{limit}` is not a whole number "
                                          "above zero")
        step_limit = int(limit)
    while start < len(reader.lines) and not reader.lines[start].strip():
        start += 1
    heading = reader.lines[start] if start < len(reader.lines) else ""
    match = _HEADING.fullmatch(heading)
    expected = source.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".md")
    if match is None or match.group(1) != expected:
        raise reader.fail(start + 1, f"after the header comes the heading `# {expected}: "
                                     "what went wrong`")
    code, title = match.groups()
    if is_warning(code) and stage != "check":
        raise reader.fail(stage_line, f"a warning's examples are contracts that check: "
                                      f"`stage: check`, not `{stage}`")
    parts = list(reader.parts(start + 1))
    blocks = [p for p in parts if isinstance(p, _Block)]
    shown = _shown(reader, stage, code, blocks)
    explanation_text = _text(reader, parts, shown)
    by_role = {b.role: b.body for b in blocks}
    fixed_modules = tuple((b.name, b.body) for b in blocks if b.role == "fixed-module")
    return Explanation(
        code=code,
        title=title.rstrip(),
        text=explanation_text,
        stage=stage,
        wrong=by_role["wrong"],
        fixed=by_role["fixed"],
        modules=tuple((b.name, b.body) for b in blocks if b.role == "module"),
        fixed_modules=fixed_modules or None,
        table=by_role.get("table", ""),
        contract=by_role.get("contract", ""),
        step_limit=step_limit,
    )


def explanation_files() -> list[tuple[str, str]]:
    """Every explanation file of the package, as (path such as ``eqlang/codes/E0201.md``,
    text), in order of code."""
    folder = resources.files(__name__)
    prefix = __name__.replace(".", "/")
    return sorted((f"{prefix}/{entry.name}", entry.read_text(encoding="utf-8"))
                  for entry in folder.iterdir() if _FILE_NAME.fullmatch(entry.name))


def load_explanations() -> dict[str, Explanation]:
    """Every explanation of the package, by code."""
    explanations = {}
    for path, text in explanation_files():
        entry = parse_explanation(text, path)
        explanations[entry.code] = entry
    return explanations


EXPLANATIONS: dict[str, Explanation] = load_explanations()


def known_codes() -> list[str]:
    """Every code that has an explanation, in order."""
    return sorted(EXPLANATIONS)


def explain(code: str) -> str:
    """The explanation of one code as terminal text: a title line, a blank line, the text.

    Raises ``KeyError`` for a code that has no explanation.
    """
    key = code.strip().upper()
    entry = EXPLANATIONS.get(key)
    if entry is None:
        raise KeyError(f"no explanation for `{code}`; known codes are "
                       f"{', '.join(known_codes())}")
    return f"{entry.code}: {entry.title}\n\n{entry.text}"
