"""Diagnostic codes: takes a code such as ``E0201``, gives the long explanation behind it.

Every diagnostic eqlang reports carries a code, and ``eqlang check --explain CODE`` prints the
entry kept here: what the error means, why eqlang refuses it, a small example of the mistake,
the same example fixed, and how to fix such errors in general.

The examples are data as well as prose, so the test suite can hold them to their word:

* ``stage`` says how an example is run. ``check``: ``wrong`` and ``fixed`` are contracts (or
  library modules: a file without a contract header) that are read, parsed and checked.
  ``settle``: both are contracts, checked and then settled against ``table``. ``table``: both
  are measure tables (CSV); with a ``contract`` they are settled by it, without one they are
  only read. ``command``: both are ``eqlang`` command lines, one command a line, run in order
  in a folder that holds ``contract`` as contract.eq and ``table`` as measures.csv.
* ``modules`` are files written beside the example (``fixed_modules``, when given, replace
  them for the fixed example), so that import errors can be shown.
* ``wrong`` must fail with the entry's code and nothing else; ``fixed`` must pass.
"""

from __future__ import annotations

import textwrap

import attrs

STAGES = ("check", "settle", "table", "command")


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
    #: The measure table a ``settle`` example is settled against.
    table: str = ""
    #: The contract that settles a ``table`` example, if it needs one.
    contract: str = ""
    #: An evaluation step budget for the example (``None``: the evaluator's default).
    step_limit: int | None = None

    @property
    def modules_for_fixed(self) -> tuple[tuple[str, str], ...]:
        return self.modules if self.fixed_modules is None else self.fixed_modules


def _t(text: str) -> str:
    """A block of prose or code written indented in this file, without the indentation."""
    return textwrap.dedent(text).strip("\n")


def _indent(text: str) -> str:
    return textwrap.indent(text.rstrip("\n"), "    ")


def _normalized(files: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple((name, _t(body) + "\n") for name, body in files)


def _files(label: str, files: tuple[tuple[str, str], ...]) -> list[str]:
    parts = []
    for name, body in files:
        parts.append(f"{label} `{name}` holds:")
        parts.append(_indent(body))
    return parts


def _entry(
    code: str,
    title: str,
    meaning: str,
    wrong: str,
    fixed: str,
    fix: str,
    *,
    stage: str = "check",
    shown_wrong: str | None = None,
    modules: tuple[tuple[str, str], ...] = (),
    fixed_modules: tuple[tuple[str, str], ...] | None = None,
    table: str = "",
    contract: str = "",
    step_limit: int | None = None,
) -> Explanation:
    """An explanation whose text is put together from its parts and its examples."""
    wrong = _t(wrong) + "\n" if wrong.strip() else wrong
    fixed = _t(fixed) + "\n"
    table = _t(table) + "\n" if table else ""
    contract = _t(contract) + "\n" if contract else ""
    modules = _normalized(modules)
    fixed_modules = None if fixed_modules is None else _normalized(fixed_modules)
    noun = {"table": "This measure table", "command": "This command"}.get(stage, "This")
    parts = [_t(meaning)]
    if contract and stage == "table":
        parts += ["The tables below are settled by this contract:", _indent(contract)]
    if table and stage == "settle":
        parts += ["The contracts below are settled against this measure table:",
                  _indent(table)]
    parts += _files("Beside the example, the file", modules)
    parts += [f"{noun} is refused with {code}:", _indent(_t(shown_wrong or wrong))]
    if fixed_modules is not None:
        parts += _files("In the fixed example, the file", fixed_modules)
    parts += ["Fixed:", _indent(fixed), _t(fix)]
    return Explanation(
        code=code,
        title=title,
        text="\n\n".join(parts),
        stage=stage,
        wrong=wrong,
        fixed=fixed,
        modules=modules,
        fixed_modules=fixed_modules,
        table=table,
        contract=contract,
        step_limit=step_limit,
    )


# Texts that several examples share. The header names the periods that settle examples use.
_HEADER = """
contract "Example"
  provider each organization
  currency USD
  period baseline is "2022"
  period performance is "2024"
  effective 2024-01-01 to 2024-12-31
end
"""

_RACE = """
measure COL "Colorectal cancer screening" higher is better

stratification race
  groups Black, White
  reference White
end
"""

_TABLE = """
org,measure,group,period,numerator,denominator
Harbor ACO,COL,ALL,2022,600,1000
Harbor ACO,COL,ALL,2024,650,1000
Harbor ACO,COL,Black,2022,100,200
Harbor ACO,COL,Black,2024,130,200
Harbor ACO,COL,White,2022,420,650
Harbor ACO,COL,White,2024,440,650
"""


def _contract(*blocks: str) -> str:
    return "\n\n".join(_t(b) for b in (_HEADER, *blocks)) + "\n"


_ENTRIES: list[Explanation] = []


def _add(entry: Explanation) -> None:
    _ENTRIES.append(entry)


# ---- reading and parsing: E00xx ---------------------------------------------------------

_add(_entry(
    "E0001", "the source file cannot be read as a contract",
    """
    eqlang could not read the file as contract text. The file is missing, is a directory or
    not a regular file (a named pipe, a socket, a device such as /dev/zero), contains NUL
    bytes (it is a binary file, such as a spreadsheet workbook or a PDF), is not valid UTF-8,
    has a carriage return that does not end a line, or is larger than the 500,000 bytes
    eqlang reads. A contract is a plain UTF-8 text file ending in .eq, its lines ending in
    LF or CRLF; anything else is refused before parsing, so that a wrong path fails at once
    with a reason instead of as a flood of syntax errors. A NUL byte, a byte that is not
    UTF-8 and a lone carriage return are shown at their line and column. (A lone carriage
    return is refused because editors disagree on it: some show a line break where eqlang
    would read one line, so a comment could hide the terms after it.)
    """,
    wrong="PK\x03\x04\x14\x00\x06\x00\x08\x00",
    shown_wrong="PK␃␄␔␀␆␀␈␀...   (a spreadsheet workbook saved under the name contract.eq)",
    fixed=_HEADER,
    fix="""
    Check the path: it should name the .eq file, not the workbook the terms were drafted in.
    Save contracts as UTF-8 text (every code editor does by default). A contract over the size
    limit is not a real contract: split shared definitions into modules and import them.
    """,
))

_add(_entry(
    "E0002", "syntax error: a token that cannot stand here",
    """
    The parser met a word or symbol that cannot follow what came before it. The message says
    what it found and what it expected instead. Often the mistake is just before the spot
    shown: a block (`contract`, `stratification`, `schedule`) missing its `end`, an output
    without `rounded to ...` or `not rounded`, `==` where eqlang writes `=`, or a keyword in
    capitals (`AND` for `and`); the hint names the output that lacks its rounding. Each
    declaration starts with its own keyword, so after an error eqlang resumes at the next
    line that starts one (the line shown, when it does) and reports what else it finds.
    """,
    wrong="""
    stratification race
      groups Asian, Black, Hispanic, White
      reference White

    parameter pool: money = $1,000,000.00
    """,
    fixed="""
    stratification race
      groups Asian, Black, Hispanic, White
      reference White
    end

    parameter pool: money = $1,000,000.00
    """,
    fix="""
    Read the line shown and the one before it. Close every block with `end`; give every
    output its rounding; compare with a single `=`; write keywords in lower case; quote text
    with double quotes. The `expected ...` list in the message names what may stand there.
    """,
))

_add(_entry(
    "E0003", "the file ends in the middle of a declaration",
    """
    The file stops before the last declaration is complete: a block was never closed with
    `end`, or an expression stops after an operator such as `+` or `and`. eqlang will not
    guess how the declaration was meant to end, because a guessed term in a payment contract
    is worse than a refused one.
    """,
    wrong="""
    contract "Reference equity contract"
      provider each organization
      currency USD
      period baseline is "2022"
      period performance is "2024"
    """,
    fixed="""
    contract "Reference equity contract"
      provider each organization
      currency USD
      period baseline is "2022"
      period performance is "2024"
    end
    """,
    fix="""
    Finish the last declaration: add the missing `end`, or complete the expression. If the
    file was cut short when it was copied, copy it again from the signed original.
    """,
))

_add(_entry(
    "E0004", "a character that is not part of eqlang",
    """
    The file contains a character that no eqlang token can start with. Common causes are
    single quotes around text (eqlang uses double quotes), a currency sign other than `$`,
    curly quotes pasted from a word processor, and letters outside A-Z in names.
    """,
    wrong="""
    parameter pool: money = $1,000,000.00 per 'Section 4.1'
    """,
    fixed="""
    parameter pool: money = $1,000,000.00 per "Section 4.1"
    """,
    fix="""
    Replace or remove the character shown. Text goes in straight double quotes ("like this"),
    amounts are written in dollars with a leading `$`, and names use letters, digits and `_`.
    """,
))

_add(_entry(
    "E0005", "an expression nested too deeply",
    """
    An expression is nested more than 150 levels deep: parentheses inside parentheses, or a
    chain of operators so long that its tree is that deep. No contract term needs that much
    nesting, and every later stage walks the expression, so eqlang refuses it early rather
    than risk running out of stack on hostile or machine-written input.
    """,
    wrong="define total: number =\n  " + "(1 + " * 160 + "1" + ")" * 160,
    shown_wrong="""
    define total: number =
      (1 + (1 + (1 + ... 160 levels of parentheses ... 1)))
    """,
    fixed="""
    define part: number = 1 + 1 + 1 + 1
    define total: number = part + part + part + part
    """,
    fix="""
    Split the expression into named steps with `define`: each step is shorter, shows up in
    the trace on its own line, and can be reused. If a program wrote the expression, make it
    write intermediate definitions instead of one long chain.
    """,
))

_add(_entry(
    "E0006", "the file is empty",
    """
    The file has no text at all, or only spaces and blank lines. An empty contract would
    settle nothing, which is almost certainly not what was meant: usually the wrong file was
    named, or an editor failed to save it.
    """,
    wrong="",
    shown_wrong="(an empty file)",
    fixed=_HEADER,
    fix="""
    Check the path. A contract starts with its header, `contract "Title" ... end`, followed by
    the measures, groups, parameters, definitions and outputs it pays on.
    """,
))

_add(_entry(
    "E0007", "a date that is not on the calendar",
    """
    A date is written in the right shape, YYYY-MM-DD, but names a day that does not exist,
    such as the 29th of February in a year that is not a leap year, or month 13. Dates decide
    which amendment of a parameter is in force and when the contract runs, so eqlang does not
    round them to a nearby day.
    """,
    wrong="""
    contract "Leap year"
      provider each organization
      currency USD
      period performance is "2023"
      effective 2023-02-29 to 2023-12-31
    end
    """,
    fixed="""
    contract "Leap year"
      provider each organization
      currency USD
      period performance is "2023"
      effective 2023-03-01 to 2023-12-31
    end
    """,
    fix="""
    Write the date as it appears in the signed contract, with a real month (01-12) and a day
    that month has.
    """,
))

_add(_entry(
    "E0008", "a doc comment that documents nothing",
    """
    A comment that starts with `##` is a doc comment: it documents the declaration right
    after it, and `eqlang explain`, traces and `eqlang doc` show it with that declaration.
    This one stands after the last declaration of the file, so nothing would ever show it.
    Usually the declaration it was written for was moved or deleted.
    """,
    wrong=_contract("parameter pool: money = $100,000.00",
                    "## The bonus for complete race data."),
    fixed=_contract("parameter pool: money = $100,000.00",
                    "# The bonus for complete race data is still to be agreed."),
    fix="""
    Move the doc comment right above the declaration it describes, or, to keep it as a
    note to readers of the file, start it with a single `#`.
    """,
))

_add(_entry(
    "E0009", "a direction control that could reorder the text as it is shown",
    """
    The file holds a bidirectional control character (such as U+202E RIGHT-TO-LEFT
    OVERRIDE, U+2066 LEFT-TO-RIGHT ISOLATE or U+200F RIGHT-TO-LEFT MARK) in code, in a
    comment or in a quoted key, or one that quoted display text opens and does not end.
    Editors and terminals obey these characters, so the text can show in another order than
    eqlang reads it: a comment can seem to end early and hide a term after it, or an
    amount can seem to say another one (the "Trojan Source" trick). Direction controls are
    allowed only inside quoted display text (titles, citations, reasons), where names in
    right-to-left scripts may need them, and each override, embedding or isolate must be
    ended inside the same quotes. eqlang shows the character escaped, as `\\u202e`.
    """,
    wrong=_contract("""
    # The pool is fixed.\u202e $0.00 = pool
    parameter pool: money = $100,000.00
    """),
    shown_wrong=_contract("""
    # The pool is fixed.<U+202E> $0.00 = pool
    parameter pool: money = $100,000.00
    """),
    fixed=_contract("""
    # The pool is fixed.
    parameter pool: money = $100,000.00
    """),
    fix="""
    Delete the character: it is invisible in most editors, so search for it (`\\u202e`, or
    the code point eqlang names). In a title or a citation in a right-to-left script, end
    each direction it opens inside the quotes: an embedding or an override with U+202C POP
    DIRECTIONAL FORMATTING, an isolate with U+2069 POP DIRECTIONAL ISOLATE.
    """,
))

_add(_entry(
    "E0010", "a number of decimal places too large to round to",
    """
    An output is `rounded to N decimals` with N larger than 34. eqlang computes with exact
    decimals of 34 significant digits, so no value can have more decimal places than that
    to keep; a number like 999999999999 is a typing slip or a hostile file, and rounding to
    it could never finish. (A `round(value, N, mode)` with such an N stops the settlement
    with E0405.)
    """,
    wrong=_contract("""
    measure COL higher is better
    output share: number = 1 / 3
      rounded to 999999999999 decimals half even
    """),
    fixed=_contract("""
    measure COL higher is better
    output share: number = 1 / 3
      rounded to 6 decimals half even
    """),
    fix="""
    Round to the places the contract promises: cents for money, a few decimals for a rate or
    a score, at most 34. Write `not rounded` to keep every digit eqlang computes.
    """,
))

_add(_entry(
    "E0011", "a name or quoted key that is not what it looks like",
    """
    A name, or a quoted text that is matched against the measure tables (a group's table
    spelling, a period's label, the provider, an example's rows) or names a file, looks
    like another but is made of other characters: it mixes scripts in one word (a Cyrillic
    `а` among Latin letters looks exactly like a Latin `a`), or it looks the same as another
    name of the file (`C0L` with a zero and `COL` with the letter O). Such a name matches
    nothing it seems to match: a group spelled with a Cyrillic letter has no members in a
    table typed on an English keyboard, and its gaps are never measured. eqlang applies
    Unicode's confusable detection (UTS #39: mixed scripts and confusable skeletons) and
    names each character that differs. Titles, citations and reasons, which are only shown,
    may mix scripts.
    """,
    wrong=_contract("""
    measure COL higher is better

    stratification race
      groups "Bl\u0430ck" as Black, White
      reference White
    end
    """),
    shown_wrong=_contract("""
    measure COL higher is better

    stratification race
      groups "Blаck" as Black, White   # the first `а` is U+0430 CYRILLIC SMALL LETTER A
      reference White
    end
    """),
    fixed=_contract("""
    measure COL higher is better

    stratification race
      groups Black, White
      reference White
    end
    """),
    fix="""
    Retype the name on your keyboard, or copy it from the table it should match; the hint
    gives the spelling in one script when there is one. If two different names only look
    alike, rename one so that a reader can tell them apart.
    """,
))

# ---- names and structure: E01xx ---------------------------------------------------------

_add(_entry(
    "E0101", "a name that is not defined",
    """
    A name is used that no declaration in scope defines: no parameter, definition, output,
    schedule, measure, group, period or module has that name, nor does a loop variable or a
    parameter of the enclosing definition. Names are case-sensitive. Where a declared name is
    close, the hint says `did you mean ...`. The same code is used for `hedis.COL` when `hedis`
    is not imported, and for a measure that the named module does not have.
    """,
    wrong="""
    parameter minimum_size: count = 30

    define big_enough(n: count): yesno = n >= minimum_sise
    """,
    fixed="""
    parameter minimum_size: count = 30

    define big_enough(n: count): yesno = n >= minimum_size
    """,
    fix="""
    Correct the spelling, or declare the name: `parameter` for a figure the contract states,
    `define` for a computed value, `measure` for a measure, and a stratification's `groups`
    line for a group. A name from a module is written `module.NAME` after `import module`.
    """,
))

_add(_entry(
    "E0102", "a name or entry declared twice",
    """
    The same name is declared twice in one file, or an entry that may appear once appears
    again: a header field such as `currency`, a group in a stratification's `groups` line, a
    focus group, a measure's weight or direction, a parameter of a definition, or a loop
    variable already bound. A second declaration would make it unclear which of two figures
    the contract pays on, so eqlang refuses both rather than pick one.
    """,
    wrong="""
    parameter pool: money = $1,000,000.00 per "Section 4.1"
    parameter pool: money = $250,000.00 per "Section 4.2"
    """,
    fixed="""
    parameter pool: money = $1,000,000.00 per "Section 4.1"
    parameter bonus_pool: money = $250,000.00 per "Section 4.2"
    """,
    fix="""
    Rename one of the two, or delete the copy. The note points at the first declaration. Names
    of builtins (`rate`, `sum`, `weight`, `ALL`, ...) cannot be declared at all.
    """,
))

_add(_entry(
    "E0103", "a call with the wrong number of arguments",
    """
    A function is called with more or fewer arguments than it takes. `rate`, `numerator` and
    `denominator` take a measure, a group and a period; `weight` takes a measure; `clamp`
    takes a value and two bounds; `round` a value, a number of places and a rounding mode;
    `min` and `max` of values at least two; an aggregation one value before `for each`
    (`percentile` two). A definition takes exactly the parameters it declares. eqlang has no
    default arguments, so a missing one is never filled in silently.
    """,
    wrong="""
    measure COL "Colorectal cancer screening" higher is better

    stratification race
      groups Black, White
      reference White
    end

    define black_rate(p: period): percent = rate(COL, Black)
    """,
    fixed="""
    measure COL "Colorectal cancer screening" higher is better

    stratification race
      groups Black, White
      reference White
    end

    define black_rate(p: period): percent = rate(COL, Black, p)
    """,
    fix="""
    Give the call the arguments the hint lists, in order. For a definition, the hint repeats
    its declared parameters.
    """,
))

_add(_entry(
    "E0104", "something used as a value or a function that is not one",
    """
    A name is used in a way its kind does not allow: a definition that takes arguments is
    used without them, a parameter or measure is called like a function, a module or a
    module's stratification template is used as a value (a contract's own stratification is
    a value, of type `stratification`; a template becomes one only when the contract takes it
    with `stratification NAME from MODULE.TEMPLATE`), or a call with `for each` names
    something that is not an aggregation (sum, mean, min, max, count, all, any, median,
    percentile).
    """,
    wrong="""
    define gap(a: percent, b: percent): pp = a - b

    define doubled_gap: pp = 2 * gap
    """,
    fixed="""
    define gap(a: percent, b: percent): pp = a - b

    define doubled_gap: pp = 2 * gap(60%, 50%)
    """,
    fix="""
    Call definitions that take parameters with their arguments; write parameters, measures
    and groups without parentheses; name something inside a module (`hedis.COL`); and loop
    over a stratification's groups with `groups of race` or `focus groups of race`.
    """,
))

_add(_entry(
    "E0106", "a stratification that cannot define its gaps",
    """
    A gap is measured between a focus group and the reference group of the same
    stratification, so the stratification must list its groups, name a reference, and name
    focus groups among its own groups. This error means one of those fails: no `groups`
    line, no `reference` line, a reference or focus group that is not in the `groups` line
    (often a spelling slip), the reference group listed as a focus group too (its gap to
    itself is always zero), or `focus groups` written without `of NAME` when the contract has
    more than one stratification, or none (in a module too: a module's function that must
    work with any stratification takes it as a parameter `s: stratification` and writes
    `groups of s`). It also means that a module's definition names a group that none of the
    contract's stratifications lists: a module's stratifications are templates, and their
    groups are read only once the contract takes one with `from`. Or a group's table
    spelling (`"Black or African American" as Black`) is empty or has spaces around it, so
    that no row of a table, read without those spaces, can ever match it.
    """,
    wrong="""
    stratification race
      groups Asian, Black, Hispanic, White
      reference Whites
    end
    """,
    fixed="""
    stratification race
      groups Asian, Black, Hispanic, White
      reference White
    end
    """,
    fix="""
    Make the reference and focus lines name groups from the `groups` line, exactly as spelled
    there. With two stratifications, say which one a loop ranges over: `focus groups of race`.
    In a module, take the stratification as a parameter: `define size(s: stratification):
    count = count(g for each g in groups of s)`, called from the contract as `size(race)`.
    """,
))

_COMMON = ("common.eq", 'parameter pool: money = $1,000,000.00 per "Section 4.1"')

_add(_entry(
    "E0107", "an import that names no module",
    """
    An `import` names a module that does not exist: `import NAME` looks in eqlang's standard
    library (for example `import hedis`), and `import "FILE.eq" as NAME` looks for a file in
    the importing file's folder. The file is missing, misspelled or unreadable, or the
    standard library has no module of that name.
    """,
    modules=(_COMMON,),
    wrong="""
    import "comon.eq" as common

    define half_pool: money = common.pool * 50%
    """,
    fixed="""
    import "common.eq" as common

    define half_pool: money = common.pool * 50%
    """,
    fix="""
    Correct the name (the hint suggests a close one), or put the module beside the contract.
    Paths are relative to the folder of the file that imports them.
    """,
))

_add(_entry(
    "E0108", "an import that leaves the contract's folder",
    """
    An import's path is absolute or climbs out of the contract's folder (through `..` or a
    link). A contract may import only files in its own folder and the standard library: the
    folder is what gets reviewed, signed and archived together, and a settlement must not
    change because some file elsewhere on a machine changed.
    """,
    modules=(_COMMON,),
    wrong="""
    import "../shared/common.eq" as common

    define half_pool: money = common.pool * 50%
    """,
    fixed="""
    import "common.eq" as common

    define half_pool: money = common.pool * 50%
    """,
    fix="""
    Copy the module into the contract's folder (or a folder below it) and import it from
    there, or use a standard library module such as `import hedis`.
    """,
))

_add(_entry(
    "E0109", "imports that form a cycle or nest too deeply",
    """
    Following the imports from the contract leads back to a file already being loaded (a
    imports b, b imports a), or the chain of imports is more than 16 files deep. A cycle has
    no order in which the modules can be read, and a chain that deep is a mistake, not a
    design.
    """,
    modules=(
        ("targets.eq", """
            import "scores.eq" as scores

            parameter target: percent = 75%
            """),
        ("scores.eq", """
            import "targets.eq" as targets

            define met(r: percent): yesno = r >= targets.target
            """),
    ),
    fixed_modules=(
        ("targets.eq", """
            parameter target: percent = 75%
            """),
        ("scores.eq", """
            import "targets.eq" as targets

            define met(r: percent): yesno = r >= targets.target
            """),
    ),
    wrong="""
    import "scores.eq" as scores

    parameter pool: money = $1,000,000.00
    """,
    fixed="""
    import "scores.eq" as scores

    parameter pool: money = $1,000,000.00
    """,
    fix="""
    Decide which module depends on which, and remove the import that points back; here
    `targets.eq` used nothing from `scores.eq`. When both modules really need something from
    each other, move it into a third module that both import.
    """,
))

_add(_entry(
    "E0110", "a contract header that is incomplete or invalid",
    """
    The contract header must say who is paid (`provider each organization` or
    `provider "Name"`), the currency (`currency USD`: amounts are written in dollars) and at
    least one period that names the table's periods (`period baseline is "2022"`). The
    effective dates must not end before they start, and only the contract itself has a
    header: an imported module must not have one (nor is a contract documented with
    `eqlang doc`, which is for modules). The provider's name and the periods' labels are
    matched with the table's cells, so none may be empty or have spaces around it.
    """,
    wrong="""
    contract "Reference equity contract"
      provider each organization
      period baseline is "2022"
      period performance is "2024"
    end
    """,
    fixed="""
    contract "Reference equity contract"
      provider each organization
      currency USD
      period baseline is "2022"
      period performance is "2024"
    end
    """,
    fix="""
    Add the missing field, as the hint shows, or correct the one reported. Remove headers
    from modules that a contract imports.
    """,
))

_add(_entry(
    "E0111", "a group that belongs to two stratifications",
    """
    A group name appears in two of the contract's stratifications. The measure table's
    `group` column names each group once, so a row for `Other` could belong to either
    stratification, and the gaps of both would be computed from the same counts. A
    stratification taken from a module (`stratification race from groups.race`) brings its
    groups into the contract and counts as the contract's own; the stratifications a module
    merely declares are templates and do not count until a contract takes them. The same
    holds for two groups that the table spells alike (`"Other" as OtherRace` and `"Other" as
    OtherLanguage`), and for a group spelled `"ALL"`: those rows are the whole population.
    """,
    modules=(("groups.eq", """
        stratification race
          groups Asian, Black, White, Other
          reference White
        end
        """),),
    wrong="""
    import "groups.eq" as groups

    stratification race from groups.race end

    stratification language
      groups English, Spanish, Other
      reference English
    end
    """,
    fixed="""
    import "groups.eq" as groups

    stratification race from groups.race end

    stratification language
      groups English, Spanish, "Other language" as OtherLanguage
      reference English
    end
    """,
    fix="""
    Give the group a name of its own in one of the stratifications, and spell it that way in
    the table, as `"Other language" as OtherLanguage` does.
    """,
))

_add(_entry(
    "E0112", "a measure that does not say which direction is better",
    """
    A measure of the contract does not say whether a higher or a lower rate is better. The
    direction decides which way a gap points (a group below the reference on screening is
    behind; a group above it on poor HbA1c control is behind), so eqlang never assumes one.
    Measures taken from a module (`measure HBD from hedis`) inherit its direction.
    """,
    wrong="""
    measure ED30 "Emergency department visits within 30 days of discharge"
    """,
    fixed="""
    measure ED30 "Emergency department visits within 30 days of discharge" lower is better
    """,
    fix="""
    Add `higher is better` or `lower is better` to the measure, as the measure's
    specification states.
    """,
))

# ---- types and units: E02xx -------------------------------------------------------------

_add(_entry(
    "E0201", "values whose units cannot be combined",
    """
    Arithmetic or an aggregation combines values whose units do not fit. eqlang keeps money,
    percents, percentage points (pp), counts and plain numbers apart: a percent is a share
    (35% of the pool), a pp is the distance between two rates (a gap of 4.2 pp). Money plus
    a percent means nothing; money times a percent is money; a percent minus a percent is pp;
    a percent plus pp is a percent. The same code covers the two branches of an `if` giving
    different units, and summing things that are not numbers. The notes show where each of the
    conflicting types came from.
    """,
    wrong="""
    parameter pool: money = $1,000,000.00

    define enlarged_pool: money = pool + 10%
    """,
    fixed="""
    parameter pool: money = $1,000,000.00

    define enlarged_pool: money = pool + pool * 10%
    """,
    fix="""
    Say what the contract means: a share of an amount is `amount * percent`; a change in a
    rate is in pp (`rate - 2 pp`); a number that means a percent is written with its sign
    (`35%`). Follow the notes to the declarations whose types disagree.
    """,
))

_add(_entry(
    "E0202", "a comparison between values that cannot be compared",
    """
    A comparison puts side by side values of different units, such as a rate (a percent)
    and an amount of money, or orders values that have no order (`<` between two groups or
    two measures), or looks for a value in a set of a different kind. Such a comparison is
    never true in any meaningful sense, so a payment condition built on it is refused.
    """,
    wrong="""
    measure COL "Colorectal cancer screening" higher is better

    stratification race
      groups Black, White
      reference White
    end

    parameter target: money = $60.00

    define met(p: period): yesno = rate(COL, Black, p) >= target
    """,
    fixed="""
    measure COL "Colorectal cancer screening" higher is better

    stratification race
      groups Black, White
      reference White
    end

    parameter target: percent = 60%

    define met(p: period): yesno = rate(COL, Black, p) >= target
    """,
    fix="""
    Compare like with like: rates with percents, gaps with pp, amounts with money. Groups,
    measures and periods can only be tested for equality (`=`, `!=`) or membership (`in`).
    """,
))

_add(_entry(
    "E0203", "a value whose type does not match the declared type",
    """
    A value has a different type from the one declared for it: a parameter's value, a
    definition's body, an argument passed to a parameter, a schedule tier's payment, an
    exception's value, or a measure's weight. The message reads `expected X, found Y`, and the
    notes show where Y came from and where X was declared. A frequent case is percentage
    points where a percent is meant: `50 pp` is a distance between two rates, while `50%` is
    a share, such as the share of a gap to be closed. A value written as a count, or as a
    measure's minimum denominator, is also refused when it is negative: a count is a number of
    members, which may be fractional where membership is imputed but is never below zero.
    """,
    wrong="""
    parameter full_credit_closure: percent = 50 pp
    """,
    fixed="""
    parameter full_credit_closure: percent = 50%
    """,
    fix="""
    Either the value or the declaration is wrong; the contract's text decides which. Write
    shares as percents (`50%`), distances between rates as points (`2 pp`), amounts with `$`,
    and counts as plain numbers of zero or more; or change the declared type to what the
    value really is.
    """,
))

# ---- the contract's promises: E03xx -----------------------------------------------------

_add(_entry(
    "E0301", "definitions or parameters that depend on each other in a cycle",
    """
    A definition uses itself, directly or through other definitions, or a parameter's value
    leads back to the parameter through other parameters. eqlang has no recursion: every
    value is computed from the measure table in a fixed number of steps, so that every
    settlement ends and every dollar can be traced to table rows.
    """,
    wrong="""
    define gap_score: number = closure_score * 2

    define closure_score: number = gap_score / 2
    """,
    fixed="""
    parameter base_score: number = 1

    define closure_score: number = base_score / 2

    define gap_score: number = closure_score * 2
    """,
    fix="""
    Follow the chain in the message and break it: one of the definitions must be computed
    from something else, such as a parameter or a rate from the table.
    """,
))

_add(_entry(
    "E0302", "measure weights that do not sum to 100%",
    """
    The contract gives its measures weights, but they do not add up to 100%, or some
    measures have a weight and others have none. The weights split the pool among the
    measures; weights summing to 90% would leave a tenth of the pool unaccounted for, and
    weights over 100% would promise more than the pool.
    """,
    wrong="""
    import hedis

    measure COL from hedis weight 35%
    measure CBP from hedis weight 35%
    measure HBD from hedis weight 20%
    """,
    fixed="""
    import hedis

    measure COL from hedis weight 35%
    measure CBP from hedis weight 35%
    measure HBD from hedis weight 30%
    """,
    fix="""
    Give every measure of the contract a weight, or none, and make them sum to exactly 100%.
    The hint lists each weight and the total.
    """,
))

_add(_entry(
    "E0303", "tiers of a schedule that overlap",
    """
    Two tiers of a schedule both cover some value, so for that value the schedule would pay
    two different amounts. Ranges are read exactly: `from 0% through 25%` includes 25%, and
    so does `from 25% to 50%`, so the two overlap at 25%.
    """,
    wrong="""
    schedule credit(closure: percent): number
      domain from 0% through 100%
      from 0% through 25% pays 0
      from 25% to 50% pays 0.5
      from 50% through 100% pays 1
    end
    """,
    fixed="""
    schedule credit(closure: percent): number
      domain from 0% through 100%
      from 0% to 25% pays 0
      from 25% to 50% pays 0.5
      from 50% through 100% pays 1
    end
    """,
    fix="""
    Let each tier end where the next one begins: `from A to B` excludes B, `from A through B`
    includes it, and `from B ...` starts at B.
    """,
))

_add(_entry(
    "E0304", "tiers of a schedule that leave a gap",
    """
    Some value of the schedule's input is covered by no tier: there is a gap between two
    tiers, the tiers do not reach the bottom or the top of the schedule's domain, or a tier
    reaches outside the domain. A value in the gap would have no payment at all, which the
    contract surely did not intend. Without a `domain` line the tiers must cover every value.
    """,
    wrong="""
    schedule credit(closure: percent): number
      domain from 0% through 100%
      from 0% to 25% pays 0
      from 30% to 50% pays 0.5
      from 50% through 100% pays 1
    end
    """,
    fixed="""
    schedule credit(closure: percent): number
      domain from 0% through 100%
      from 0% to 25% pays 0
      from 25% to 50% pays 0.5
      from 50% through 100% pays 1
    end
    """,
    fix="""
    Extend a tier so that each begins where the previous one ends, start the first at the
    bottom of the domain (or use `below`), and end the last at the top (or use `from X`).
    """,
))

_add(_entry(
    "E0305", "exceptions that can apply at the same time",
    """
    Two `except ... when ...` clauses of one definition can both apply to the same case, for
    example because both name the same group. Exceptions replace the general rule, and the
    contract must say which value holds; eqlang does not let the order of the clauses decide.
    Conditions that can be compared without data (`g = Black`, `g in {Black, Hispanic}`) are
    checked here; others are checked when the contract is settled (E0403).
    """,
    wrong="""
    stratification race
      groups Asian, Black, Hispanic, White
      reference White
    end

    define focus_weight(g: group): number =
      1
      except 2 when g in {Black, Hispanic}
      except 3 when g = Black
    """,
    fixed="""
    stratification race
      groups Asian, Black, Hispanic, White
      reference White
    end

    define focus_weight(g: group): number =
      1
      except 2 when g = Hispanic
      except 3 when g = Black
    """,
    fix="""
    Narrow one of the conditions so that they never hold together, stating in the contract
    which value wins for the shared case.
    """,
))

_add(_entry(
    "E0306", "a parameter that is not a plain constant",
    """
    A parameter is a figure the contract states: its value, and that of each amendment, must
    be a constant, not something computed from the measure table or from organizations, and
    it cannot name a definition, output or schedule, which are computed at settlement. It
    may use other parameters. Two amendments of one parameter must also take effect on
    different dates, or it would be unclear which is in force.
    """,
    wrong="""
    measure COL "Colorectal cancer screening" higher is better weight 100%

    parameter col_weight: percent = weight(COL)
    """,
    fixed="""
    measure COL "Colorectal cancer screening" higher is better weight 100%

    define col_weight: percent = weight(COL)
    """,
    fix="""
    Use `define` for values computed from the table or from other declarations, and keep
    `parameter` for figures written in the contract. Give each amendment its own date.
    """,
))

_add(_entry(
    "E0307", "an output whose rounding or parameters do not fit",
    """
    An output is rounded in a way its value cannot be, or takes parameters that settlement
    cannot supply. Only money is rounded to cents or dollars; other numbers are rounded to a
    number of decimals; yes/no, groups and text are `not rounded`. An output is settled once
    per organization, or once per measure or per group, so it takes at most one parameter,
    of type measure or group. Outputs are what a contract pays, so an imported module has
    none: it offers definitions that the contract's outputs use.
    """,
    wrong="""
    parameter share: percent = 35%

    output paid_share: percent = share rounded to cents half up
    """,
    fixed="""
    parameter share: percent = 35%

    output paid_share: percent = share rounded to 4 decimals half even
    """,
    fix="""
    Round money to cents or dollars and other numbers to decimals. Compute breakdowns that
    need more parameters with `define`, and output one value per measure or group.
    """,
))

_add(_entry(
    "E0308", "an aggregation or rounding call used the wrong way",
    """
    An aggregation or a call to `round` is written in a way that has no meaning: an
    aggregation without `for each`; `weighted by` on anything but `sum` and `mean` (a weighted
    minimum or count means nothing); `not scored: rescale` on an aggregation without
    `weighted by`, which has no weights to scale up; `not scored: zero` on values that are not
    numbers; a `percentile` written outside 0% to 100%; `round` with a number of places that
    is not written out, or without a rounding mode.
    """,
    wrong="""
    stratification race
      groups Black, Hispanic, White
      reference White
    end

    define pooled_rate(m: measure, p: period): percent =
      mean(rate(m, g, p) for each g in focus groups, not scored: rescale)
    """,
    fixed="""
    stratification race
      groups Black, Hispanic, White
      reference White
    end

    define pooled_rate(m: measure, p: period): percent =
      mean(rate(m, g, p) weighted by denominator(m, g, p) for each g in focus groups,
           not scored: rescale)
    """,
    fix="""
    Write aggregations as `NAME(value for each x in domain)`; weight only `sum` and `mean`;
    rescale only weighted aggregations (without weights, `skip` leaves the not-scored items
    out); use `skip` or `propagate` for values that are not numbers; write a percentile as a
    share from 0% to 100% (`percentile(67%, ...)`); write `round(x, 2, half up)`.
    """,
))

_add(_entry(
    "E0309", "a schedule whose input or bounds are not of one numeric unit",
    """
    A schedule maps a number to a payment through tiers. Its input must be numeric (money,
    percent, pp, count or number), and every bound of every tier and of the domain must be
    written in the input's unit: a schedule over a closure percent cannot have a tier that
    starts at 50 pp.
    """,
    wrong="""
    schedule credit(closure: percent): number
      below 50% pays 0
      from 50 pp pays 1
    end
    """,
    fixed="""
    schedule credit(closure: percent): number
      below 50% pays 0
      from 50% pays 1
    end
    """,
    fix="""
    Write every bound in the unit of the input, and declare the input with the unit of the
    values the schedule is applied to.
    """,
))

_add(_entry(
    "E0310", "an invariant that eqlang cannot check",
    """
    An invariant of the form `VALUE never rises|falls when INPUT rises|falls|improves|worsens`
    compares two settlements: one on the table as given, one on the same table with a single
    rate moved. eqlang moves that rate by changing the numerator of its row (and of the ALL
    row by the same amount), so INPUT must be a rate read from the table, `rate(MEASURE,
    GROUP, PERIOD)`, of a group named outright: a group, a `for each` variable over groups,
    or ALL. `reference(...)` and `rest(...)` are computed from the table, not rows of it, and
    a numerator or denominator cannot move alone without changing the rate's meaning. VALUE
    must be a number (money, a percent, points, a count or a plain number): only a number
    can rise or fall.
    """,
    wrong=_contract(_RACE, """
    parameter pool: money = $100,000.00

    output payout: money = pool * rate(COL, Black, performance) rounded to cents half up

    invariant "better screening never pays less":
      payout never falls when numerator(COL, Black, performance) rises
    """),
    fixed=_contract(_RACE, """
    parameter pool: money = $100,000.00

    output payout: money = pool * rate(COL, Black, performance) rounded to cents half up

    invariant "better screening never pays less":
      payout never falls when rate(COL, Black, performance) rises
    """),
    fix="""
    Move the rate itself: `rate(m, g, performance) improves` raises the rate of a measure
    where higher is better and lowers it where lower is better. To state a promise about a
    yes/no or about values that no single rate controls, write an `always` invariant.
    """,
))

# ---- settlement: E04xx ------------------------------------------------------------------

_add(_entry(
    "E0401", "division by zero, or arithmetic with no defined result",
    """
    While settling, a division had a zero divisor, or a function got a value outside its
    domain (the square root or logarithm of a negative number). A typical case is gap closure
    when the baseline gap is zero: closing a share of nothing is undefined. eqlang does not
    turn it into 0 or 100%, because either would pay on a figure the contract never stated.
    """,
    stage="settle",
    table="""
    org,measure,group,period,numerator,denominator
    Harbor ACO,COL,Black,2022,60,100
    Harbor ACO,COL,Black,2024,70,100
    Harbor ACO,COL,White,2022,600,1000
    Harbor ACO,COL,White,2024,650,1000
    """,
    wrong=_contract(_RACE, """
    define gap(p: period): pp = rate(COL, White, p) - rate(COL, Black, p)

    output closure: number =
      (gap(baseline) - gap(performance)) / gap(baseline)
      rounded to 4 decimals half even
    """),
    fixed=_contract(_RACE, """
    define gap(p: period): pp = rate(COL, White, p) - rate(COL, Black, p)

    output closure: number =
      if gap(baseline) = 0 pp
      then not scored because "there was no baseline gap to close"
      else (gap(baseline) - gap(performance)) / gap(baseline)
      rounded to 4 decimals half even
    """),
    fix="""
    Guard the division and say in the contract what happens instead: usually the value is
    `not scored because "..."`, or a fixed score such as the reference contract's rule that a
    small baseline gap counts as closed.
    """,
))

_add(_entry(
    "E0402", "the measure table has no ALL row where one is needed",
    """
    Settlement needed the whole-population row (group `ALL`) for an organization, measure
    and period, and the table has none. The ALL row counts every member, including those in
    no listed group; it is needed for `rate(m, ALL, p)`, for `reference whole population`
    and for `reference rest of population`. eqlang does not add up the group rows instead,
    because members outside the listed groups would be left out.
    """,
    stage="table",
    contract=_contract("""
    measure COL "Colorectal cancer screening" higher is better

    output population_change: pp =
      rate(COL, ALL, performance) - rate(COL, ALL, baseline)
      not rounded
    """),
    wrong="""
    org,measure,group,period,numerator,denominator
    Harbor ACO,COL,ALL,2022,600,1000
    Harbor ACO,COL,Black,2024,130,200
    """,
    fixed="""
    org,measure,group,period,numerator,denominator
    Harbor ACO,COL,ALL,2022,600,1000
    Harbor ACO,COL,ALL,2024,650,1000
    Harbor ACO,COL,Black,2024,130,200
    """,
    fix="""
    Add the ALL row for the organization, measure and period named in the message to the
    measure table; ask the data supplier for the whole-population counts.
    """,
))

_add(_entry(
    "E0403", "two exceptions apply to the same case",
    """
    While settling, two `except ... when ...` clauses of one definition both applied to the
    same arguments for the same organization. The checker rejects overlaps it can see from
    the text (E0305); this one depends on the data. eqlang stops rather than let the order of
    the clauses decide which payment rule wins.
    """,
    stage="settle",
    table=_TABLE.replace("Black,2022,100,200", "Black,2022,180,200"),
    wrong=_contract(_RACE, """
    define group_credit(g: group): number =
      1
      except 0 when rate(COL, g, performance) < rate(COL, g, baseline)
      except 2 when rate(COL, g, performance) >= 60%

    output black_credit: number = group_credit(Black) not rounded
    """),
    fixed=_contract(_RACE, """
    define group_credit(g: group): number =
      1
      except 0 when rate(COL, g, performance) < rate(COL, g, baseline)
      except 2 when rate(COL, g, performance) >= 60%
                and rate(COL, g, performance) >= rate(COL, g, baseline)

    output black_credit: number = group_credit(Black) not rounded
    """),
    fix="""
    Decide which exception should win when both hold, and narrow the other one's condition so
    that they never hold together. The note names the organization and the arguments.
    """,
))

_add(_entry(
    "E0404", "a value outside every tier of a schedule",
    """
    While settling, a schedule was applied to a value that no tier covers: the value lies
    outside the schedule's `domain`. The checker proves the tiers cover the domain (E0304),
    but the value came from the data, for example a negative closure when a gap widened.
    """,
    stage="settle",
    table=_TABLE.replace("Black,2024,130,200", "Black,2024,80,200"),
    wrong=_contract(_RACE, """
    define gap(p: period): pp = rate(COL, White, p) - rate(COL, Black, p)

    define closure: percent = (gap(baseline) - gap(performance)) / gap(baseline) * 100%

    schedule credit(closure: percent): number
      domain from 0% through 100%
      from 0% to 50% pays 0
      from 50% through 100% pays 1
    end

    output closure_credit: number = credit(closure) not rounded
    """),
    fixed=_contract(_RACE, """
    define gap(p: period): pp = rate(COL, White, p) - rate(COL, Black, p)

    define closure: percent = (gap(baseline) - gap(performance)) / gap(baseline) * 100%

    schedule credit(closure: percent): number
      domain from 0% through 100%
      from 0% to 50% pays 0
      from 50% through 100% pays 1
    end

    output closure_credit: number = credit(clamp(closure, 0%, 100%)) not rounded
    """),
    fix="""
    Clamp the value into the domain before the lookup, as the contract's terms intend, or
    widen the domain and add tiers for the values the data can produce.
    """,
))

_add(_entry(
    "E0405", "an operation that cannot be carried out on these values",
    """
    While settling, an operation got values it cannot work with: `clamp` with its low bound
    above its high bound, `percentile` with a share outside 0% to 100%, or a rounding that
    cannot be done at the precision asked for, or a count parameter computed from other
    parameters (`size - 40`) that comes out below zero. These depend on parameters or data,
    so the checker cannot always see them.
    """,
    stage="settle",
    table=_TABLE,
    wrong=_contract("""
    measure COL "Colorectal cancer screening" higher is better

    output capped_rate: percent =
      clamp(rate(COL, ALL, performance), 90%, 10%)
      rounded to 2 decimals half up
    """),
    fixed=_contract("""
    measure COL "Colorectal cancer screening" higher is better

    output capped_rate: percent =
      clamp(rate(COL, ALL, performance), 10%, 90%)
      rounded to 2 decimals half up
    """),
    fix="""
    Correct the arguments named in the message: swap clamp's bounds, keep percentiles
    between 0% and 100%, and round to a sensible number of places.
    """,
))

_ORGS = "".join(f"Org {name},COL,ALL,2024,{600 + 10 * i},1000\n"
                for i, name in enumerate("ABCDEFGHIJ"))

_add(_entry(
    "E0406", "settlement took more evaluation steps than allowed",
    """
    Settlement ran past its budget of evaluation steps. The budget is far above what any
    real contract needs (200 million steps); reaching it means that the contract recomputes
    the same values over and over, typically an aggregation over organizations nested inside
    another, which grows with the square or cube of the number of organizations. The budget
    keeps a hostile or mistaken contract from running for hours. The example is shown with a
    budget of 3,000 steps so that it stays small.
    """,
    stage="settle",
    step_limit=3000,
    table="org,measure,group,period,numerator,denominator\n" + _ORGS,
    wrong=_contract("""
    measure COL "Colorectal cancer screening" higher is better

    output above_median: count =
      count(o for each o in organizations
            where rate(COL, ALL, performance) at o
                  > median(rate(COL, ALL, performance) at p for each p in organizations))
      not rounded
    """),
    fixed=_contract("""
    measure COL "Colorectal cancer screening" higher is better

    define median_rate: percent =
      median(rate(COL, ALL, performance) at p for each p in organizations)

    output above_median: count =
      count(o for each o in organizations where rate(COL, ALL, performance) at o > median_rate)
      not rounded
    """),
    fix="""
    Name inner values with `define`: a definition is computed once for its arguments and then
    reused, while an expression written inline is computed again at every use.
    """,
))

_add(_entry(
    "E0407", "a parameter with amendments but no date to choose one",
    """
    A parameter has amendments (`amended to ... from DATE`), and nothing says on which date
    the contract is settled, so eqlang cannot tell which amendment is in force. It does not
    guess the latest or the earliest: the difference is money.
    """,
    stage="settle",
    table=_TABLE,
    wrong="""
    contract "Example"
      provider each organization
      currency USD
      period baseline is "2022"
      period performance is "2024"
    end

    measure COL "Colorectal cancer screening" higher is better

    parameter pool: money = $100,000.00 per "Section 4.1"
      amended to $120,000.00 from 2024-07-01 per "Amendment 1"

    output payout: money = pool * rate(COL, ALL, performance) rounded to cents half up
    """,
    fixed="""
    contract "Example"
      provider each organization
      currency USD
      period baseline is "2022"
      period performance is "2024"
      settled as of 2024-12-31
    end

    measure COL "Colorectal cancer screening" higher is better

    parameter pool: money = $100,000.00 per "Section 4.1"
      amended to $120,000.00 from 2024-07-01 per "Amendment 1"

    output payout: money = pool * rate(COL, ALL, performance) rounded to cents half up
    """,
    fix="""
    Add `settled as of YYYY-MM-DD` or `effective START to END` to the header (the end of
    the effective period is then the settlement date), or give the date when settling.
    """,
))

_add(_entry(
    "E0408", "an ALL row smaller than a group's row",
    """
    With `reference rest of population`, a group is compared with everyone not in it: the
    ALL row minus the group's row. Here the ALL row has fewer members (or fewer numerator
    cases) than the group's own row, so the rest of the population would be negative. The
    table is inconsistent, most often because the ALL row came from another extract or
    period, or the two counts were swapped.
    """,
    stage="table",
    contract=_contract("""
    measure COL "Colorectal cancer screening" higher is better

    stratification race
      groups Black, White
      reference rest of population
    end

    output black_gap: pp =
      rate(COL, reference(COL, Black, baseline), baseline) - rate(COL, Black, baseline)
      not rounded
    """),
    wrong="""
    org,measure,group,period,numerator,denominator
    Harbor ACO,COL,ALL,2022,60,100
    Harbor ACO,COL,Black,2022,100,200
    """,
    fixed="""
    org,measure,group,period,numerator,denominator
    Harbor ACO,COL,ALL,2022,600,1000
    Harbor ACO,COL,Black,2022,100,200
    """,
    fix="""
    Correct the ALL row named in the message: it must count the whole population, so it is
    at least as large as any group's row for the same organization, measure and period.
    """,
))

_add(_entry(
    "E0409", "the reference of a group that has none",
    """
    `reference(m, g, p)` was asked for the reference group of a group that belongs to no
    stratification, such as `ALL`, or of a group whose stratification names no reference
    (possible in a library module). Without a reference group there is no gap to measure.
    """,
    stage="settle",
    table=_TABLE,
    wrong=_contract(_RACE, """
    output population_gap: pp =
      rate(COL, reference(COL, ALL, baseline), baseline) - rate(COL, ALL, baseline)
      not rounded
    """),
    fixed=_contract(_RACE, """
    output black_gap: pp =
      rate(COL, reference(COL, Black, baseline), baseline) - rate(COL, Black, baseline)
      not rounded
    """),
    fix="""
    Call `reference` with a group of a stratification that has a `reference` line.
    """,
))

# ---- measure tables: E05xx --------------------------------------------------------------

_add(_entry(
    "E0501", "the measure table cannot be read",
    """
    The measure table could not be read as CSV text: the file is missing, is a directory,
    is empty, is larger than 512 MiB, contains NUL bytes (a spreadsheet workbook rather
    than a CSV export), or is not UTF-8 (spreadsheets' "Unicode text" export is UTF-16).
    """,
    stage="table",
    wrong="",
    shown_wrong="(an empty file)",
    fixed="""
    org,measure,group,period,numerator,denominator
    Harbor ACO,COL,ALL,2024,650,1000
    """,
    fix="""
    Export the table from the spreadsheet as CSV in UTF-8 (often called `CSV UTF-8`), with
    the header row first, and check the path given.
    """,
))

_add(_entry(
    "E0502", "a required column is missing or doubled in the table's header",
    """
    The first row of a measure table must name the columns org, measure, group, period,
    numerator and denominator, each once, in any order (other columns are ignored). A column
    is missing, misspelled or given twice, or the file is separated by semicolons or tabs
    instead of commas.
    """,
    stage="table",
    wrong="""
    org,measure,group,period,numerator,denom
    Harbor ACO,COL,ALL,2024,650,1000
    """,
    fixed="""
    org,measure,group,period,numerator,denominator
    Harbor ACO,COL,ALL,2024,650,1000
    """,
    fix="""
    Rename the header cells to the required names, and export with commas as separators.
    """,
))

_add(_entry(
    "E0503", "a count in the table is not a plain number",
    """
    A numerator or denominator cell is not a plain non-negative decimal number: it is empty,
    negative, has digit separators or spaces, a percent sign, or a placeholder such as `n/a`.
    eqlang reads counts exactly and does not guess what a cell was meant to say.
    """,
    stage="table",
    wrong="""
    org,measure,group,period,numerator,denominator
    Harbor ACO,COL,ALL,2024,650,n/a
    """,
    fixed="""
    org,measure,group,period,numerator,denominator
    Harbor ACO,COL,ALL,2024,650,1000
    """,
    fix="""
    Write counts as plain numbers like `812` or `193.486` (imputed counts may have decimals).
    A row without data should be left out rather than filled with a placeholder.
    """,
))

_add(_entry(
    "E0504", "a numerator larger than its denominator",
    """
    A row's numerator is greater than its denominator. The numerator counts the members of
    the denominator who met the measure, so it can never be larger; a rate above 100% would
    distort every gap computed from it. Most often the two columns are swapped.
    """,
    stage="table",
    wrong="""
    org,measure,group,period,numerator,denominator
    Harbor ACO,COL,ALL,2024,1000,650
    """,
    fixed="""
    org,measure,group,period,numerator,denominator
    Harbor ACO,COL,ALL,2024,650,1000
    """,
    fix="""
    Check the row against its source and correct the counts, or swap the columns.
    """,
))

_add(_entry(
    "E0505", "the same row appears twice in the tables",
    """
    Two rows have the same organization, measure, group and period, in one table or across
    the tables given together. eqlang would not know which counts to use, and does not add
    them up or take the last one.
    """,
    stage="table",
    wrong="""
    org,measure,group,period,numerator,denominator
    Harbor ACO,COL,ALL,2024,650,1000
    Harbor ACO,COL,ALL,2024,655,1000
    """,
    fixed="""
    org,measure,group,period,numerator,denominator
    Harbor ACO,COL,ALL,2024,650,1000
    """,
    fix="""
    Remove the duplicate row, keeping the one that matches the source; check that no table
    was given twice and that two extracts do not overlap.
    """,
))

_add(_entry(
    "E0506", "a malformed CSV record",
    """
    A record of the table is not well-formed CSV: it has more or fewer fields than the
    header, or a quote is unbalanced or stands inside an unquoted field. The usual cause is a
    value containing a comma, such as an organization name, written without quotes. A
    record that repeats the header (two exports joined end to end) is reported here too.
    """,
    stage="table",
    wrong="""
    org,measure,group,period,numerator,denominator
    Harbor ACO, Inc.,COL,ALL,2024,650,1000
    """,
    fixed="""
    org,measure,group,period,numerator,denominator
    "Harbor ACO, Inc.",COL,ALL,2024,650,1000
    """,
    fix="""
    Quote values that contain commas, quotes or line breaks, and write a quote inside a
    quoted value twice (""). Exporting the sheet as CSV again usually does this correctly.
    """,
))

_add(_entry(
    "E0507", "an empty key cell in the table",
    """
    One of the key cells of a row (org, measure, group or period) is empty, so the row
    cannot be attached to any organization, measure, group or period.
    """,
    stage="table",
    wrong="""
    org,measure,group,period,numerator,denominator
    Harbor ACO,COL,,2024,650,1000
    """,
    fixed="""
    org,measure,group,period,numerator,denominator
    Harbor ACO,COL,ALL,2024,650,1000
    """,
    fix="""
    Fill in the missing key, or delete the row if it carries no data.
    """,
))

# A contract that reads group Black, and a table that spells it {black}: the examples of
# spellings the contract does not read.
_BLACK_RATE = _contract(_RACE, """
output black_rate: percent = rate(COL, Black, performance) rounded to 1 decimals half up
""")
_BLACK_ROWS = """
org,measure,group,period,numerator,denominator
Harbor ACO,COL,ALL,2024,650,1000
Harbor ACO,COL,{black},2024,130,200
"""

_add(_entry(
    "E0508", "a table names a measure, group or period unlike the contract",
    """
    A key cell of the table differs from a measure code, group or period label that the
    contract reads only in case, spacing or punctuation: `white` for `White`, `Col` for
    `COL`. Rows for groups the contract does not name (Other, Unknown) are ignored, and so
    would these be; but then the group they were meant for would have no members, and the
    settlement would quietly pay nothing for it. Each such spelling is reported once, at its
    first row, with the number of rows written that way.
    """,
    stage="table",
    contract=_BLACK_RATE,
    wrong=_BLACK_ROWS.format(black="black"),
    fixed=_BLACK_ROWS.format(black="Black"),
    fix="""
    Spell the key as the contract does (names are case-sensitive), in the export or by
    editing the table; the message names the spelling the contract reads.
    """,
))

_add(_entry(
    "E0509", "a key cell of the table that is not what it looks like",
    """
    A key cell of the table (an organization, a measure, a group or a period) mixes scripts
    in one word, or looks the same as a name the contract reads, or as another cell of its
    column, but is made of other characters: a Cyrillic `а` among Latin letters, a capital
    `I` where the other has a small `l`. Read as written, the row would belong to no group
    the contract knows, or an organization would be settled twice under two names that a
    reader cannot tell apart. eqlang applies Unicode's confusable detection (UTS #39: mixed
    scripts and confusable skeletons) and names each character that differs. Here the
    second row's `а` is U+0430 CYRILLIC SMALL LETTER A.
    """,
    stage="table",
    contract=_BLACK_RATE,
    wrong=_BLACK_ROWS.format(black="Bl\u0430ck"),
    shown_wrong=_BLACK_ROWS.format(black="Blаck"),
    fixed=_BLACK_ROWS.format(black="Black"),
    fix="""
    Retype the cell, or fix the export that wrote it; the hint gives the spelling in one
    script when there is one. Two organizations whose names only look alike are one
    organization written two ways, or two that need names a reader can tell apart.
    """,
))

# ---- the command line and traces: E06xx, E07xx -----------------------------------------

# The command examples run in a folder holding this contract (as contract.eq) and _TABLE (as
# measures.csv); every line of an example is one command, run in order.
_COMMAND_CONTRACT = _contract("""
measure COL "Colorectal cancer screening" higher is better

parameter pool: money = $100,000.00 per "Section 4.1"

output payout: money = pool * rate(COL, ALL, performance) rounded to cents half up
""")

_add(_entry(
    "E0601", "a --set override that cannot be applied",
    """
    `eqlang eval ... --set NAME=VALUE` replaces a parameter's value for one what-if run, for
    example to see what a larger pool would pay. The option is not of the form NAME=VALUE,
    names no parameter of the contract, or gives a value that is not a single eqlang
    constant of the parameter's declared type (a count below zero, a date not on the calendar
    included). It is a usage error: the command exits with status 2 and settles nothing.
    Here the contract declares
    `parameter pool: money = $100,000.00`, and a bare number is not money.
    """,
    stage="command",
    contract=_COMMAND_CONTRACT,
    table=_TABLE,
    wrong="eqlang eval contract.eq --table measures.csv --set pool=120000",
    fixed="eqlang eval contract.eq --table measures.csv --set 'pool=$120,000.00'",
    fix="""
    Write the value as it would be written in the contract, with its unit: `$120,000.00` for
    money, `40%` for a percent, `3 pp` for points; quote it for the shell. Only parameters
    can be set, not definitions; a module's parameter is named with the module in front, as
    the contract names it (`--set plan.pool=...`).
    """,
))

_add(_entry(
    "E0602", "an organization that the tables or the trace do not have",
    """
    `--org NAME` chooses the organizations to settle (or, for `eqlang explain`, the one to
    show from a trace), and no row of the measure tables, or no part of the trace, names
    that organization. Names must match the table's org column exactly; eqlang does not
    settle an organization it has no data for, which would pay on nothing. A contract whose
    header names its provider (`provider "NAME"`) is settled for that organization only, so
    it must be in the tables, and `--org` cannot choose another. Tables with no rows at all
    (a header only) name no organization, and `eqlang eval` refuses them rather than print
    a settlement of nobody.
    """,
    stage="command",
    contract=_COMMAND_CONTRACT,
    table=_TABLE,
    wrong="eqlang eval contract.eq --table measures.csv --org 'Harbour ACO'",
    fixed="eqlang eval contract.eq --table measures.csv --org 'Harbor ACO'",
    fix="""
    Copy the name from the table's org column; the hint suggests a close spelling when there
    is one, or lists the organizations the tables hold.
    """,
))

_add(_entry(
    "E0603", "an output that would overwrite an input",
    """
    `--trace FILE` names the contract, one of its modules or one of the measure tables.
    Writing the trace there would destroy the input that the trace is evidence about, so
    eqlang refuses before settling and writes nothing. Paths are compared as files: another
    spelling of the same path, or a link to it, is refused too.
    """,
    stage="command",
    contract=_COMMAND_CONTRACT,
    table=_TABLE,
    wrong="eqlang eval contract.eq --table measures.csv --trace measures.csv",
    fixed="eqlang eval contract.eq --table measures.csv --trace trace.json",
    fix="""
    Name a new file for the trace, such as `trace.json`, beside the inputs or anywhere else.
    """,
))

_add(_entry(
    "E0604", "a settlement date before the contract takes effect",
    """
    `eqlang eval ... --as-of DATE` settles as of another date than the contract's own, to
    choose which amended parameter values are in force. A date before the contract's
    `effective` start settles under terms that were not yet agreed, so it is refused, as
    the same date written in the header (`settled as of`) is refused (E0110). It is a usage
    error: the command exits with status 2 and settles nothing. Here the contract takes
    effect on 2024-01-01.
    """,
    stage="command",
    contract=_COMMAND_CONTRACT,
    table=_TABLE,
    wrong="eqlang eval contract.eq --table measures.csv --as-of 2023-12-31",
    fixed="eqlang eval contract.eq --table measures.csv --as-of 2025-03-31",
    fix="""
    Give a date on or after the start of the contract's term, usually the day its
    performance period closes or the day of the settlement, after it ends.
    """,
))

_add(_entry(
    "E0605", "an output that cannot be written where it is named",
    """
    An output file (`--trace FILE`, `eqlang doc --output FILE`, `eqlang fmt --write`, the
    tables of `eqlang check --properties --counterexamples DIR`) is written whole: to a
    temporary file beside it, then renamed in its place, so that no reader ever sees half of
    it. That is refused when the folder does not exist, when the file cannot be created
    there, and when the name is a folder, a named pipe, a socket or a device such as
    `/dev/null`: renamed over one of those, the output would replace it with a regular file.
    Nothing is settled or written when the output is refused. Here the folder `out` does
    not exist.
    """,
    stage="command",
    contract=_COMMAND_CONTRACT,
    table=_TABLE,
    wrong="eqlang eval contract.eq --table measures.csv --trace out/trace.json",
    fixed="eqlang eval contract.eq --table measures.csv --trace trace.json",
    fix="""
    Name a regular file in a folder that exists, or create the folder first. To discard an
    output, leave the option out: without `--trace`, no trace is written.
    """,
))

_add(_entry(
    "E0606", "a file with nothing to settle",
    """
    `eqlang eval` (and `verify`, and the Python API's `settle`) settles contracts: files that
    start with a `contract "Title" ... end` header and declare outputs, the amounts the
    contract pays. The file named is a module, made to be imported by contracts, or a
    contract without a single output. Settled, it would print an empty settlement and exit
    as if all were well, so eqlang refuses it and says why.
    """,
    stage="command",
    contract=_COMMAND_CONTRACT,
    table=_TABLE,
    modules=(("terms.eq", """
    define target: percent = 60%
    """),),
    wrong="eqlang eval terms.eq --table measures.csv",
    fixed="eqlang eval contract.eq --table measures.csv",
    fix="""
    Name the contract, not a module it imports. A contract that should pay something needs
    an `output` for it: `output payout: money = ... rounded to cents half up`.
    """,
))

_add(_entry(
    "E0701", "a trace file that cannot be read",
    """
    A trace is the record of a settlement, written by `eqlang eval ... --trace FILE`: it shows
    how every output was derived from the contract and the table rows. The file named could
    not be read as one: it does not exist, is not valid JSON (cut short or edited by hand), or
    is JSON of another kind or of another version of the trace format. A trace edited by hand
    can also be valid JSON with a part out of shape (a field missing, a value of the wrong
    kind); the message then says the trace is damaged and which field is missing.
    """,
    stage="command",
    contract=_COMMAND_CONTRACT,
    table=_TABLE,
    wrong="eqlang explain trace.json payout",
    fixed="""
    eqlang eval contract.eq --table measures.csv --trace trace.json
    eqlang explain trace.json payout
    """,
    fix="""
    Settle the contract again with `--trace` to write a fresh trace, and keep trace files
    unedited: they are the evidence behind each payment.
    """,
))

_add(_entry(
    "E0702", "a trace that has no such output or value",
    """
    `eqlang explain TRACE NAME` shows how one output or value of a trace was derived, and
    the trace has no output or value of that name (or, for `NAME(KEY)`, no value of that
    output for that measure or group). Names are those of the contract's outputs and
    definitions, spelled exactly.
    """,
    stage="command",
    contract=_COMMAND_CONTRACT,
    table=_TABLE,
    wrong="""
    eqlang eval contract.eq --table measures.csv --trace trace.json
    eqlang explain trace.json payment
    """,
    fixed="""
    eqlang eval contract.eq --table measures.csv --trace trace.json
    eqlang explain trace.json payout
    """,
    fix="""
    Use a name the contract declares with `output` or `define`; the hint suggests a close
    one, or lists the outputs the trace holds.
    """,
))

# ---- worked examples: E08xx --------------------------------------------------------------

# The contract the example explanations add a worked example to.
_EXAMPLE_TERMS = _RACE + """
parameter pool: money = $100,000.00 per "Section 4.1"

output payout: money = pool * rate(COL, Black, performance) rounded to cents half up
"""


def _worked(*lines: str, title: str = "Black members screened at 65%") -> str:
    """The example contract with one worked example holding these lines."""
    body = "\n".join(f"  {line}" for line in lines)
    return _contract(_EXAMPLE_TERMS, f'example "{title}"\n{body}\nend')


_ROWS = ("rows", "  COL Black 2024: 65 of 100")
_PAID = "expect payout = $65,000.00"

_add(_entry(
    "E0801", "a worked example's row that the contract cannot read",
    """
    A row of a worked example (`MEASURE GROUP PERIOD: NUMERATOR of DENOMINATOR`) names
    something the contract does not read: a measure it does not declare, a group of none of
    its stratifications, or a period its header does not name. The example's table would
    then hold a row that no rule ever looks at, and the example would not show what its
    author meant. A group is written by its name in the contract (`Black`), by its spelling
    in the measure table in quotes (`"Black or African American"`) or as `ALL`; a period by
    its name (`baseline`) or its label (`2022`).
    """,
    wrong=_worked("rows", "  COL Black 2023: 65 of 100", _PAID),
    fixed=_worked(*_ROWS, _PAID),
    fix="""
    Use the contract's own words: a measure code it declares, a group of its
    stratifications, a period name or label from its header. The hint suggests the closest
    one.
    """,
))

_add(_entry(
    "E0802", "an expectation about a value the contract does not compute",
    """
    An `expect` line of a worked example names something that is not an output or a
    definition of the contract, names a parameter or a schedule (a parameter is set with
    `set`, and a schedule's input is a number an example cannot name), gives the wrong
    number of arguments, gives an argument that is not a measure, group or period of the
    contract, or expects the same value twice.
    """,
    wrong=_worked(*_ROWS, "expect payment = $65,000.00"),
    fixed=_worked(*_ROWS, _PAID),
    fix="""
    Name an output or definition as declared, with one measure, group or period for each of
    its parameters: `expect measure_payout(COL) = ...`. State each value once.
    """,
))

_add(_entry(
    "E0803", "an expected value the rule can never give",
    """
    The value after `=` in an `expect` line cannot be the value of the output or definition
    it names: it is of another type or unit (a percent where the output is money), or it has
    more decimals than the output keeps (an output rounded to cents is never $1.005). An
    expectation is compared exactly, so such an example could never pass.
    """,
    wrong=_worked(*_ROWS, "expect payout = 65%"),
    fixed=_worked(*_ROWS, _PAID),
    fix="""
    Write the value in the rule's unit (money with `$`, a percent with `%`, points with `pp`)
    and as the output rounds it. To say that a value is not scored, write
    `expect NAME is not scored`.
    """,
))

_add(_entry(
    "E0804", "a `set` in a worked example that cannot be applied",
    """
    `set NAME = VALUE` gives a parameter another value for one worked example, as
    `eqlang eval --set` does for one run. The name is not a parameter of the contract, the
    parameter is set twice, or the value is not of the parameter's type: a plain number for
    money, a percent for points.
    """,
    wrong=_worked("set pool = 50000", *_ROWS, "expect payout = $32,500.00",
                  title="a smaller pool"),
    fixed=_worked("set pool = $50,000.00", *_ROWS, "expect payout = $32,500.00",
                  title="a smaller pool"),
    fix="""
    Set only parameters declared with `parameter`, once each, to a value written as in the
    contract, with its unit.
    """,
))

_add(_entry(
    "E0805", "a worked example that cannot be set up",
    """
    A worked example needs a measure table (`rows`, or `table "FILE.csv"`), at least one
    `expect` line, and one organization the expectations are about. This error means one of
    those is missing or unclear: no table, nothing expected, an organization the tables have
    no rows for, tables holding several organizations with no `organization` line to choose
    one, an organization other than the one the header's `provider` names, a line given
    twice, two examples with one title, or an example in an imported module (examples belong
    to the contract).
    """,
    wrong=_worked(*_ROWS),
    fixed=_worked(*_ROWS, _PAID),
    fix="""
    Give the example rows or a table, say what the contract must give for them with
    `expect`, and name the organization with `organization "NAME"` when its tables hold
    several.
    """,
))

_add(_entry(
    "E0806", "a worked example's table file outside the contract's folder",
    """
    `table "PATH"` names a measure table for a worked example. Like an import, the path is
    relative to the contract's folder and may not leave it: an absolute path, or one that
    climbs out with `..` or through a link, is refused, so that a contract and its examples
    travel together and run the same anywhere.
    """,
    wrong=_worked('table "../shared/measures.csv"', _PAID),
    fixed=_worked(*_ROWS, _PAID),
    fix="""
    Keep the example's table in the contract's folder or a folder below it
    (`table "examples/small.csv"`), or write its rows in the example.
    """,
))

EXPLANATIONS: dict[str, Explanation] = {entry.code: entry for entry in _ENTRIES}


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
