"""Tests for ``eqlang.syntax.fmt``: canonical layout, minimal parentheses, round trips and
idempotence."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
import strategies_syntax as gen
from hypothesis import given, settings

from eqlang.syntax import ast as s
from eqlang.syntax.comments import find_comments
from eqlang.syntax.fmt import WIDTH, format_expr, format_literal, format_module
from eqlang.syntax.parse import parse
from eqlang.syntax.source import SourceFile

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "contracts" / "reference-equity.eq"
LANGUAGE = ROOT / "docs" / "language.md"


def parse_text(text: str) -> s.Module:
    return parse(SourceFile("test.eq", text))


def fmt(text: str) -> str:
    return format_module(parse_text(text))


def body(expression: str) -> s.Expr:
    """The tree of one expression, read through a definition."""
    declaration = parse_text(f"define it =\n  {expression}\n").declarations[0]
    assert isinstance(declaration, s.Definition)
    return declaration.body


def roundtrip_expr(expression: str) -> str:
    """Format an expression's tree, checking that the result reads back as the same tree."""
    tree = body(expression)
    printed = format_expr(tree)
    assert body(printed) == tree, printed
    return printed


def assert_roundtrips(module: s.Module) -> str:
    text = format_module(module)
    again = parse(SourceFile("gen.eq", text))
    assert again == module, text
    assert format_module(again) == text
    return text


def ref(dotted: str) -> s.Name:
    return s.Name(tuple(dotted.split(".")))


def num(value: str) -> s.Literal:
    return s.Literal("number", Decimal(value))


# ---- the reference contract -------------------------------------------------------------


def test_reference_contract_roundtrips_and_is_idempotent() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    module = parse_text(text)
    formatted = format_module(module)
    assert parse_text(formatted) == module
    assert fmt(formatted) == formatted
    assert formatted.endswith("\n") and not formatted.endswith("\n\n")


def test_reference_contract_keeps_every_comment() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    formatted = fmt(text)
    before = sorted(c for _, c in find_comments(text))
    after = sorted(c for _, c in find_comments(formatted))
    assert before and after == before


def test_reference_contract_lines_are_short_where_they_can_be() -> None:
    formatted = fmt(REFERENCE.read_text(encoding="utf-8"))
    lines = formatted.splitlines()
    # A long top-level `if` is split over lines; each piece is short.
    assert any(line.startswith("  else if ") for line in lines)
    assert all(len(ln) <= WIDTH for ln in lines if ln.lstrip().startswith("if "))


def _example_after(heading: str) -> str:
    """The first ```eqlang block after ``heading`` in docs/language.md."""
    text = LANGUAGE.read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(heading)}\n.*?^```eqlang\n(.*?)^```$", text, re.M | re.S)
    assert match is not None, heading
    return match.group(1)


@pytest.mark.parametrize("heading", ["## 1. A first contract", "### Formatting"])
def test_the_documentation_shows_the_layout_fmt_prints(heading: str) -> None:
    example = _example_after(heading)
    assert fmt(example) == example


def _shipped() -> list[Path]:
    """Every .eq file eqlang ships for people to read: the contracts and their modules, the
    standard library, and examples under docs/ and tests/, but not the deliberately broken
    files of tests/broken."""
    found = [p for folder in ("contracts", "stdlib", "docs", "tests") for p in
             (ROOT / folder).rglob("*.eq")]
    return sorted(p for p in found if p.relative_to(ROOT).parts[:2] != ("tests", "broken"))


SHIPPED = _shipped()


def test_the_shipped_files_are_found() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in SHIPPED}
    assert {"contracts/reference-equity.eq", "stdlib/hedis.eq"} <= names
    assert not any(name.startswith("tests/broken/") for name in names)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_shipped_file_is_formatted(path: Path) -> None:
    shown = path.relative_to(ROOT).as_posix()
    text = path.read_text(encoding="utf-8")
    formatted = fmt(text)
    differ = next((i for i, (a, b) in enumerate(
        zip(text.splitlines(), formatted.splitlines(), strict=False), 1) if a != b), None)
    assert formatted == text, (
        f"{shown} is not formatted (first difference on line {differ}); "
        f"run `eqlang fmt --write {shown}`"
    )
    # What still runs past the width cannot be broken: prose in a comment (never re-flowed)
    # or a text in quotes.
    long_lines = [line for line in text.splitlines() if len(line) > WIDTH]
    assert all(line.lstrip().startswith("#") or '"' in line for line in long_lines)


# ---- declarations -----------------------------------------------------------------------


def test_header_layout() -> None:
    text = (
        'contract "T" payer "P" provider "Q" provider each organization currency USD '
        'period base is "2022" version "1" effective 2024-01-01 to 2024-12-31 '
        "settled as of 2025-06-30 end"
    )
    assert fmt(text) == (
        'contract "T"\n'
        '  payer "P"\n'
        '  provider "Q"\n'
        "  provider each organization\n"
        "  currency USD\n"
        '  period base is "2022"\n'
        '  version "1"\n'
        "  effective 2024-01-01 to 2024-12-31\n"
        "  settled as of 2025-06-30\n"
        "end\n"
    )


def test_empty_header() -> None:
    assert fmt('contract "T" end') == 'contract "T"\nend\n'


def test_imports_and_blank_lines_between_declarations() -> None:
    assert fmt('import hedis\n\n\n\nimport "common.eq"   as   common') == (
        'import hedis\n\nimport "common.eq" as common\n'
    )


def test_measure_attributes_keep_their_order() -> None:
    text = 'measure COL from hedis "Colorectal" minimum denominator 30 weight 35% higher is better'
    assert fmt(text) == (
        'measure COL from hedis "Colorectal" minimum denominator 30 weight 35% higher is better\n'
    )
    assert fmt("measure X lower is better  weight  -2.50 pp") == (
        "measure X lower is better weight -2.50 pp\n"
    )
    assert fmt("measure Y") == "measure Y\n"


def test_stratification_from_a_module_keeps_its_origin() -> None:
    text = 'stratification race from groups.omb_1997 "Race"\n  reference White\nend\n'
    assert fmt(text) == text


def test_stratification_layout() -> None:
    text = (
        'stratification race "Race" groups Asian, "Black or African American" as Black '
        "reference White reference best performing group reference whole population "
        "reference rest of population focus Asian,Black end"
    )
    assert fmt(text) == (
        'stratification race "Race"\n'
        '  groups Asian, "Black or African American" as Black\n'
        "  reference White\n"
        "  reference best performing group\n"
        "  reference whole population\n"
        "  reference rest of population\n"
        "  focus Asian, Black\n"
        "end\n"
    )


def test_parameter_with_amendments() -> None:
    text = (
        'parameter pool: money = $1000000.00 per "S 4" amended to $2000000 from 2025-01-01 '
        'per "A 1" amended to pool*2 from 2026-01-01'
    )
    assert fmt(text) == (
        'parameter pool: money = $1,000,000.00 per "S 4"\n'
        '  amended to $2,000,000 from 2025-01-01 per "A 1"\n'
        "  amended to pool * 2 from 2026-01-01\n"
    )


def test_definition_layout() -> None:
    text = (
        'define f(a: number, b: percent): number = a*b per "S 1" '
        'except 0 when a < 0 per "S 2" except 1 when b = 0'
    )
    assert fmt(text) == (
        "define f(a: number, b: percent): number =\n"
        "  a * b\n"
        '  per "S 1"\n'
        '  except 0 when a < 0 per "S 2"\n'
        "  except 1 when b = 0\n"
    )
    assert fmt("define g = 1") == "define g =\n  1\n"
    assert fmt("define h(): yesno = yes") == "define h(): yesno =\n  yes\n"


@pytest.mark.parametrize(
    ("clause", "canonical"),
    [
        ("rounded to cents half up", "rounded to cents half up"),
        ("rounded to dollars half   even", "rounded to dollars half even"),
        ("rounded to 3 decimals away  from zero", "rounded to 3 decimals away from zero"),
        ("rounded to cents toward zero", "rounded to cents toward zero"),
        ("not rounded", "not rounded"),
    ],
)
def test_output_rounding(clause: str, canonical: str) -> None:
    text = f'output pay(m: measure): money = pool * 2 {clause} per "S 5" except $0 when no'
    assert fmt(text) == (
        "output pay(m: measure): money =\n"
        "  pool * 2\n"
        f"  {canonical}\n"
        '  per "S 5"\n'
        "  except $0 when no\n"
    )


def test_schedule_layout() -> None:
    text = (
        "schedule bonus(x: percent): money domain from -5% through 100% "
        "below 0% pays $0 up to 10% pays $100 from 10% to 20% pays $200 "
        "from 20% through 30% pays $300 from 30% pays x * $10 above 99.5% pays $1,000 end"
    )
    assert fmt(text) == (
        "schedule bonus(x: percent): money\n"
        "  domain from -5% through 100%\n"
        "  below 0%             pays $0\n"
        "  up to 10%            pays $100\n"
        "  from 10% to 20%      pays $200\n"
        "  from 20% through 30% pays $300\n"
        "  from 30%             pays x * $10\n"
        "  above 99.5%          pays $1,000\n"
        "end\n"
    )


# ---- comments ---------------------------------------------------------------------------


def test_comments_stay_in_the_order_written_those_on_the_line_go_right_above() -> None:
    text = "## doc one\n# plain\n##   doc two  \nimport hedis   # same line\n# at the end\n"
    assert fmt(text) == (
        "## doc one\n# plain\n## doc two\n# same line\nimport hedis\n\n# at the end\n"
    )


def test_comment_on_the_same_line_is_moved_above() -> None:
    text = "measure COL weight 35%  # a note\nmeasure CBP weight 35% # another\n"
    assert fmt(text) == "# a note\nmeasure COL weight 35%\n# another\nmeasure CBP weight 35%\n"


def test_blank_lines_between_declarations_and_comments_are_kept_one_at_most() -> None:
    text = (
        "\n\n# File introduction.\n\n\n# ---- measures ----\n\n## Doc.\n"
        "measure COL weight 50%\nmeasure CBP weight 50%\n\n\n\nparameter p: number = 1\n"
        "# Section.\n\nparameter q: number = 2\n"
    )
    assert fmt(text) == (
        "# File introduction.\n\n# ---- measures ----\n\n## Doc.\n"
        "measure COL weight 50%\nmeasure CBP weight 50%\n\nparameter p: number = 1\n"
        "# Section.\n\nparameter q: number = 2\n"
    )
    assert fmt(fmt(text)) == fmt(text)


def test_a_built_tree_gets_a_blank_line_between_declarations_comments_then_docs() -> None:
    leading = s.Leading(("Doc.",), ("# note",))
    module = s.Module((s.Import("a", None), s.Import("b", None, leading)))
    assert format_module(module) == "import a\n\n# note\n## Doc.\nimport b\n"


def test_a_layout_that_no_longer_matches_the_comments_is_not_used() -> None:
    parsed = parse_text("import a\n# one\nimport b\n").declarations[1]
    changed = attrs.evolve(parsed, leading=attrs.evolve(parsed.leading, comments=()))
    assert format_module(s.Module((changed,))) == "import b\n"


def test_comments_inside_a_block_move_above_it() -> None:
    text = 'contract "T"\n  # who pays\n  payer "P" # the plan\nend\n'
    assert fmt(text) == '# who pays\n# the plan\ncontract "T"\n  payer "P"\nend\n'


def test_empty_doc_line_and_hash_in_text() -> None:
    text = '##\n## #tag\ndefine a = "x # not a comment"\n'
    formatted = fmt(text)
    assert formatted == '##\n## #tag\ndefine a =\n  "x # not a comment"\n'
    assert fmt(formatted) == formatted


def test_only_comments() -> None:
    assert fmt("# just a note\n\n\n# another") == "# just a note\n# another\n"


def test_formatting_keeps_all_comments_in_a_messy_file() -> None:
    text = (
        "# head\nimport a # on a\n\n\n# before b\n## doc b\nparameter b: number =\n"
        "  # inside b\n  1 + 2 # after value\n  amended to 3 from 2024-01-01 # last line\n"
        "# tail one\n# tail two\n"
    )
    formatted = fmt(text)
    assert sorted(c for _, c in find_comments(formatted)) == sorted(
        c for _, c in find_comments(text)
    )
    assert fmt(formatted) == formatted
    assert parse_text(formatted) == parse_text(text)


# ---- literals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("$1234567.89", "$1,234,567.89"),
        ("$1,000.00", "$1,000.00"),
        ("$5", "$5"),
        ("$0.5", "$0.5"),
        ("$999", "$999"),
        ("$1000", "$1,000"),
        ("35%", "35%"),
        ("2.50%", "2.50%"),
        ("2pp", "2 pp"),
        ("0.5  pp", "0.5 pp"),
        ("007", "7"),
        ("1.10", "1.10"),
        ("2024-02-29", "2024-02-29"),
        ('"say \\"hi\\"\\n\\\\ back"', '"say \\"hi\\"\\n\\\\ back"'),
        ("yes", "yes"),
        ("no", "no"),
    ],
)
def test_literals(written: str, canonical: str) -> None:
    assert roundtrip_expr(written) == canonical


def test_literal_values_without_exponent_notation() -> None:
    assert format_literal(s.Literal("number", Decimal("1E+3"))) == "1000"
    assert format_literal(s.Literal("money", Decimal("1.5E+6"))) == "$1,500,000"
    assert format_literal(s.Literal("percent", Decimal("0.000001"))) == "0.000001%"
    assert format_literal(s.Literal("date", datetime.date(5, 1, 2))) == "0005-01-02"
    assert format_literal(s.Literal("text", "a\\b\"c\nd")) == '"a\\\\b\\"c\\nd"'


def test_negative_bounds() -> None:
    assert fmt("measure X weight -$1234.5") == "measure X weight -$1,234.5\n"
    text = "schedule s(x: number): number from -1.5 to -0.25 pays -x end"
    assert fmt(text) == "schedule s(x: number): number\n  from -1.5 to -0.25 pays -x\nend\n"


def test_a_built_negative_literal_in_an_expression_is_bracketed_like_a_negation() -> None:
    tree = s.AtOrganization(ref("x"), s.Literal("number", Decimal("-5")))
    assert format_expr(tree) == "x at (-5)"


# ---- expressions and parentheses --------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("(a + b) * c", "(a + b) * c"),
        ("a + (b * c)", "a + b * c"),
        ("(a - b) - c", "a - b - c"),
        ("a - (b - c)", "a - (b - c)"),
        ("a / (b * c)", "a / (b * c)"),
        ("(a / b) * c", "a / b * c"),
        ("-(a + b)", "-(a + b)"),
        ("-(-a)", "--a"),
        ("a - -b", "a - -b"),
        ("(-a) at o", "(-a) at o"),
        ("-(a at o)", "-a at o"),
        ("a at (b at c)", "a at (b at c)"),
        ("(a at b) at c", "a at b at c"),
        ("a at (b + c)", "a at (b + c)"),
        ("(if a then b else c) + d", "(if a then b else c) + d"),
        ("d + (if a then b else c)", "d + (if a then b else c)"),
        ("if a then b else (c + d)", "if a then b else c + d"),
        # Not needed by the grammar, but by a reader: where does a nested `if` end?
        ("if (if a then b else c) then (if d then e else f) else (if g then h else i)",
         "if (if a then b else c) then (if d then e else f) else if g then h else i"),
        ("if if a then b else c then if d then e else f else g",
         "if (if a then b else c) then (if d then e else f) else g"),
        ("sum(if a then b else c for each m in measures)",
         "sum((if a then b else c) for each m in measures)"),
        ("not (a and b)", "not (a and b)"),
        ("(a or b) and c", "(a or b) and c"),
        ("a or (b or c)", "a or (b or c)"),
        ("(a and b) and c", "a and b and c"),
        ("(a otherwise b) otherwise c", "(a otherwise b) otherwise c"),
        ("a otherwise (b otherwise c)", "a otherwise b otherwise c"),
        ("(a because \"r\") otherwise b", "(a because \"r\") otherwise b"),
        ("a otherwise (b because \"r\")", "a otherwise (b because \"r\")"),
        ("(a otherwise b) because \"r\"", "a otherwise b because \"r\""),
        ("(a because \"r\") because \"q\"", "(a because \"r\") because \"q\""),
        ("(if a then b else c) because \"r\"", "(if a then b else c) because \"r\""),
        ("if a then b else (c because \"r\")", "if a then b else c because \"r\""),
        ("(a < b) = c", "(a < b) = c"),
        ("a = (b < c)", "a = (b < c)"),
        ("(a + b) <= c * d", "a + b <= c * d"),
        ("(a in measures) is scored", "(a in measures) is scored"),
        ("(a is scored) = yes", "(a is scored) = yes"),
        ("(a + b) is not scored", "a + b is not scored"),
        ("(not a) is scored", "(not a) is scored"),
        ("(a and b) in {x, y.z}", "(a and b) in {x, y.z}"),
        ("not scored because \"r\" because \"q\"", "not scored because \"r\" because \"q\""),
        ("f(a, (b))", "f(a, b)"),
        ("f(if a then b else c, d)", "f(if a then b else c, d)"),
        ("f()", "f()"),
        ("hedis.rate(m) at o", "hedis.rate(m) at o"),
        ("ALL", "ALL"),
        ("round(x, half  even)", "round(x, half even)"),
        ("x at away from zero", "x at away from zero"),
    ],
)
def test_parentheses(written: str, canonical: str) -> None:
    assert roundtrip_expr(written) == canonical


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        # Around a comparison or a yes/no operation that is an operand, the writer's
        # parentheses tell a reader how it groups, so they stay.
        ("(rate(WCV, ALL, performance) < wcv_median) otherwise no",
         "(rate(WCV, ALL, performance) < wcv_median) otherwise no"),
        ("a otherwise (b >= c)", "a otherwise (b >= c)"),
        ("not (a < b)", "not (a < b)"),
        ("not (a and b)", "not (a and b)"),
        ("not (not a)", "not (not a)"),
        ("(a < b) and (c in measures)", "(a < b) and (c in measures)"),
        ("a or (b is scored)", "a or (b is scored)"),
        ("(not a) and b", "(not a) and b"),
        ("a and (not b)", "a and (not b)"),
        ("a or (b and c)", "a or (b and c)"),
        ("(a or b) otherwise c", "(a or b) otherwise c"),
        ("(a < b) because \"r\"", "(a < b) because \"r\""),
        ("((a < b)) and c", "(a < b) and c"),
        ("not (not scored because \"r\" = a)", "not (not scored because \"r\" = a)"),
        # Those a reader does not need go: around what stands whole, within a run of one
        # operator, and around what is not a comparison or yes/no operation.
        ("if (a < b) then (c and d) else (e or f)", "if a < b then c and d else e or f"),
        ("f((a < b), (not c))", "f(a < b, not c)"),
        ("(a and b) and c", "a and b and c"),
        ("(a or b) or (c or d)", "a or b or (c or d)"),
        ("(a + b) < c", "a + b < c"),
        ("(x) otherwise (y)", "x otherwise y"),
        ("sum((a < b) for each m in measures where (c and d))",
         "sum(a < b for each m in measures where c and d)"),
    ],
)
def test_the_writers_parentheses_stay_where_they_help_a_reader(written: str,
                                                                 canonical: str) -> None:
    assert roundtrip_expr(written) == canonical
    assert roundtrip_expr(canonical) == canonical


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("count(g for each g in focus groups)", "count(g for each g in focus groups)"),
        ("count(for each g in groups of race)", "count(for each g in groups of race)"),
        (
            "sum(x weighted by w for each m in measures, g in focus groups of race "
            "where (a and b), not scored: skip)",
            "sum(x weighted by w for each m in measures, g in focus groups of race "
            "where a and b, not scored: skip)",
        ),
        ("mean(x for each o in organizations, not scored: zero)",
         "mean(x for each o in organizations, not scored: zero)"),
        ("f(weighted by w)", "f(weighted by w)"),
        ("a in groups", "a in groups"),
        ("a in organizations", "a in organizations"),
        (
            "all(d(m, h) >= n for each h in {g, White})",
            "all(d(m, h) >= n for each h in {g, White})",
        ),
    ],
)
def test_calls_and_domains(written: str, canonical: str) -> None:
    assert roundtrip_expr(written) == canonical


@pytest.mark.parametrize(
    ("tree", "text"),
    [
        (s.Binary("*", s.Binary("+", ref("a"), ref("b")), ref("c")), "(a + b) * c"),
        (s.Binary("-", ref("a"), s.Binary("-", ref("b"), ref("c"))), "a - (b - c)"),
        (s.Negate(s.Binary("+", ref("a"), ref("b"))), "-(a + b)"),
        (s.Binary("+", s.If(ref("a"), ref("b"), ref("c")), ref("d")), "(if a then b else c) + d"),
        (s.Not(s.And(ref("a"), ref("b"))), "not (a and b)"),
        (s.Otherwise(s.Otherwise(ref("a"), ref("b")), ref("c")), "(a otherwise b) otherwise c"),
        (s.Otherwise(ref("a"), s.Otherwise(ref("b"), ref("c"))), "a otherwise b otherwise c"),
        (s.Compare("<", s.Negate(num("1")), s.Binary("/", ref("x"), num("2.5"))), "-1 < x / 2.5"),
    ],
)
def test_printing_built_trees(tree: s.Expr, text: str) -> None:
    assert format_expr(tree) == text
    assert body(text) == tree


# ---- long bodies ------------------------------------------------------------------------


def test_a_long_if_body_is_split_and_a_short_one_is_not() -> None:
    short = "define a =\n  if x then y else z\n"
    assert fmt(short) == short
    cond = "some_long_condition_name(m, g, baseline) <= another_long_threshold_name"
    text = (
        f"define a = if {cond} then first_branch_value(m, g) + 1 "
        f"else if {cond} then (if p then q else r) else last_branch(m)"
    )
    assert fmt(text) == (
        "define a =\n"
        f"  if {cond}\n"
        "  then first_branch_value(m, g) + 1\n"
        f"  else if {cond}\n"
        "  then (if p then q else r)\n"
        "  else last_branch(m)\n"
    )
    assert fmt(fmt(text)) == fmt(text)


def test_a_long_if_in_the_then_branch_is_nested() -> None:
    long_name = "x" * 80
    text = f"define a = if c then (if {long_name} then 1 else 2) else 3"
    assert fmt(text) == (
        "define a =\n"
        "  if c\n"
        "  then\n"
        f"    if {long_name}\n"
        "    then 1\n"
        "    else 2\n"
        "  else 3\n"
    )
    assert parse_text(fmt(text)) == parse_text(text)


def test_a_long_sum_breaks_before_each_operator_level_with_its_first_term() -> None:
    text = "define a = " + " + ".join(f"term_{i}" for i in range(20))
    formatted = fmt(text)
    assert formatted.splitlines() == [
        "define a =", "  term_0", *(f"  + term_{i}" for i in range(1, 20))
    ]
    assert parse_text(formatted) == parse_text(text)


# ---- line breaking ----------------------------------------------------------------------


def lines(*rows: str) -> str:
    return "\n".join(rows) + "\n"


BROKEN_LAYOUTS = [
    pytest.param(
        "define score(m: measure, g: group): number = max(payment.achievement_points("
        "payment.attainment_score(rate(m, g, performance), threshold(m), benchmark(m))), "
        "min(9, payment.improvement_score(m, before, after, benchmark(m), share, margin)))",
        lines(
            "define score(m: measure, g: group): number =",
            "  max(",
            "    payment.achievement_points(",
            "      payment.attainment_score(rate(m, g, performance), threshold(m), benchmark(m))),",
            "    min(9, payment.improvement_score(m, before, after, benchmark(m), share, margin)))",
        ),
        id="arguments one a line, inner calls choosing again",
    ),
    pytest.param(
        "define r = payment.guarded_score(payment.gap_closure_score(m, g, baseline, "
        "performance, small_gap, full_credit_closure), m, g, baseline, performance, margin)",
        lines(
            "define r =",
            "  payment.guarded_score(",
            "    payment.gap_closure_score(m, g, baseline, performance, "
            "small_gap, full_credit_closure),",
            "    m, g, baseline, performance, margin)",
        ),
        id="plain arguments share lines",
    ),
    pytest.param(
        "define s = sum(peer_points(rate(m, g, performance) - peer_cut(m, performance)) "
        "otherwise 0 for each g in {Black, Hispanic} where denominator(m, g, performance) "
        ">= minimum_size and m != WCV, not scored: skip)",
        lines(
            "define s =",
            "  sum(",
            "    peer_points(rate(m, g, performance) - peer_cut(m, performance)) otherwise 0",
            "    for each g in {Black, Hispanic}",
            "    where denominator(m, g, performance) >= minimum_size and m != WCV,",
            "    not scored: skip)",
        ),
        id="aggregation at for each, where and not scored",
    ),
    pytest.param(
        "define s = sum(if higher_is_better(m) then denominator(m, g, performance) - "
        "numerator(m, g, performance) else numerator(m, g, performance) "
        "for each g in focus groups of race)",
        lines(
            "define s =",
            "  sum(",
            "    (if higher_is_better(m)",
            "     then denominator(m, g, performance) - numerator(m, g, performance)",
            "     else numerator(m, g, performance))",
            "    for each g in focus groups of race)",
        ),
        id="a broken if before for each is bracketed",
    ),
    pytest.param(
        "output pay: money = pool * mean(measure_credit(m) weighted by weight(m) for each m "
        'in measures, not scored: rescale) otherwise ($0.00 because "no measure could be '
        'scored") rounded to cents half up',
        lines(
            "output pay: money =",
            "  pool * mean(",
            "    measure_credit(m) weighted by weight(m)",
            "    for each m in measures, not scored: rescale)",
            '  otherwise ($0.00 because "no measure could be scored")',
            "  rounded to cents half up",
        ),
        id="a chain keeps its line and lets its last call break",
    ),
    pytest.param(
        'define w(m: measure): percent = if measure_score(m) is not scored then not scored '
        'because "the measure is not scored" else weight(m) / sum(weight(n) for each n in '
        "measures where measure_score(n) is scored) * 100%",
        lines(
            "define w(m: measure): percent =",
            "  if measure_score(m) is not scored",
            '  then not scored because "the measure is not scored"',
            "  else weight(m)",
            "       / sum(weight(n) for each n in measures where measure_score(n) is scored)",
            "       * 100%",
        ),
        id="operators line up under the first operand",
    ),
    pytest.param(
        "define s(m: measure, g: group, before: period, after: period, minimum: count): yesno ="
        " large_enough(m, g, before, minimum) and large_enough(m, g, after, minimum) and "
        "large_enough(m, reference(m, g, before), before, minimum) otherwise no",
        lines(
            "define s(m: measure, g: group, before: period, after: period, "
            "minimum: count): yesno =",
            "  large_enough(m, g, before, minimum)",
            "    and large_enough(m, g, after, minimum)",
            "    and large_enough(m, reference(m, g, before), before, minimum)",
            "  otherwise no",
        ),
        id="a chain inside a chain indents",
    ),
    pytest.param(
        "define s(m: measure, g: group, before: period, after: period, minimum: count): yesno ="
        " (large_enough(m, g, before, minimum) and large_enough(m, g, after, minimum) and "
        "large_enough(m, reference(m, g, before), before, minimum)) otherwise no",
        lines(
            "define s(m: measure, g: group, before: period, after: period, "
            "minimum: count): yesno =",
            "  (large_enough(m, g, before, minimum)",
            "   and large_enough(m, g, after, minimum)",
            "   and large_enough(m, reference(m, g, before), before, minimum))",
            "  otherwise no",
        ),
        id="a chain the writer bracketed keeps its brackets and lines up inside them",
    ),
    pytest.param(
        "define gap_closure_score(m: measure, g: group, before: period, after: period, "
        "small_gap: pp, full_credit: percent): number = 1",
        lines(
            "define gap_closure_score(m: measure, g: group, before: period, after: period, "
            "small_gap: pp,",
            "    full_credit: percent): number =",
            "  1",
        ),
        id="parameters fill lines, indented twice",
    ),
    pytest.param(
        'stratification race "Race" groups "American Indian or Alaska Native" as AIAN, Asian, '
        '"Black or African American" as Black, White reference White end',
        lines(
            'stratification race "Race"',
            '  groups "American Indian or Alaska Native" as AIAN, Asian,',
            '    "Black or African American" as Black, White',
            "  reference White",
            "end",
        ),
        id="groups fill lines",
    ),
    pytest.param(
        'measure SNS "Social needs screening at an annual wellness visit, as the plan defines '
        'it" higher is better weight 10% minimum denominator 20',
        lines(
            'measure SNS "Social needs screening at an annual wellness visit, as the plan '
            'defines it"',
            "  higher is better weight 10% minimum denominator 20",
        ),
        id="measure attributes below a long title",
    ),
    pytest.param(
        'parameter improvement_needed: percent = 10% per "Schedule B, section 3.4, as amended '
        'by the letter of 2024-03-01" amended to 12% from 2025-01-01 per "Amendment 2 to '
        'Schedule B, section 3.4, signed on 2024-11-15"',
        lines(
            "parameter improvement_needed: percent = 10%",
            '  per "Schedule B, section 3.4, as amended by the letter of 2024-03-01"',
            "  amended to 12% from 2025-01-01",
            '    per "Amendment 2 to Schedule B, section 3.4, signed on 2024-11-15"',
        ),
        id="citations below",
    ),
    pytest.param(
        "define x: money = pool except $0.00 when leveled_down(COL) and leveled_down(CBP) and "
        'leveled_down(HBD) per "Schedule B, section 3.6"',
        lines(
            "define x: money =",
            "  pool",
            "  except $0.00",
            "    when leveled_down(COL) and leveled_down(CBP) and leveled_down(HBD)",
            '    per "Schedule B, section 3.6"',
        ),
        id="exception clauses",
    ),
    pytest.param(
        'invariant "payment within the pool": always equity_payment >= $0.00 and '
        "equity_payment <= pool and total_payment <= pool + language_bonus_amount "
        "when pool > $0.00",
        lines(
            'invariant "payment within the pool":',
            "  always equity_payment >= $0.00",
            "         and equity_payment <= pool",
            "         and total_payment <= pool + language_bonus_amount",
            "    when pool > $0.00",
        ),
        id="invariant claim",
    ),
    pytest.param(
        'invariant "more care never costs the group": group_payout(m, g) never falls when '
        "rate(m, g, performance) improves for each m in measures, g in focus groups of race, "
        "h in {Asian, Black, Hispanic, White, AIAN, NHPI}",
        lines(
            'invariant "more care never costs the group":',
            "  group_payout(m, g) never falls when rate(m, g, performance) improves",
            "  for each m in measures, g in focus groups of race,",
            "           h in {Asian, Black, Hispanic, White, AIAN, NHPI}",
        ),
        id="invariant binders line up",
    ),
]


@pytest.mark.parametrize(("text", "formatted"), BROKEN_LAYOUTS)
def test_long_lines_break_where_a_reader_expects(text: str, formatted: str) -> None:
    assert fmt(text) == formatted
    assert fmt(formatted) == formatted
    assert parse_text(formatted) == parse_text(text)
    assert all(len(line) <= WIDTH for line in formatted.splitlines())


# ---- generated trees --------------------------------------------------------------------


def test_reserved_words_cover_the_grammar() -> None:
    for word in ("if", "then", "else", "ALL", "measures", "pp", "scored", "at", "because"):
        assert word in gen.RESERVED
    for word in ("money", "yesno", "organization", "half", "even", "toward", "away", "skip"):
        assert word in gen.RESERVED


@settings(max_examples=200, deadline=None)
@given(gen.names)
def test_generated_names_read_back_as_names(name: str) -> None:
    assert body(name) == s.Name((name,))
    assert body(f"{name} at {name}.{name}") == s.AtOrganization(
        s.Name((name,)), s.Name((name, name))
    )


@settings(max_examples=200, deadline=None)
@given(gen.expressions)
def test_generated_expressions_roundtrip(tree: s.Expr) -> None:
    printed = format_expr(tree)
    assert body(printed) == tree, printed


@settings(max_examples=300, deadline=None)
@given(gen.expressions)
def test_generated_expressions_keep_the_writers_parentheses_idempotently(tree: s.Expr) -> None:
    # The trees carry random marks for parentheses a writer put in; what fmt prints reads
    # back as the same tree, with the marks fmt kept, and prints the same again.
    printed = format_expr(tree)
    again = body(printed)
    assert again == tree, printed
    assert format_expr(again) == printed


@settings(max_examples=200, deadline=None)
@given(gen.modules)
def test_generated_modules_roundtrip_and_format_idempotently(module: s.Module) -> None:
    text = assert_roundtrips(module)
    assert text.endswith("\n") and not text.endswith("\n\n")


def _body_lines(text: str, rule: s.Definition | s.Output) -> list[str]:
    # The body starts after the comment lines and the rule's head, which ends in " =" (a
    # comment may hold " =" too).
    leading = len(rule.leading.comments) + len(rule.leading.doc)
    lines = text.split("\n")[leading:]
    head = next(i for i, line in enumerate(lines) if line.endswith(" ="))
    return lines[head + 1 :]


@settings(max_examples=200, deadline=None)
@given(gen.long_rules)
def test_generated_long_if_bodies_roundtrip(rule: s.Definition | s.Output) -> None:
    text = assert_roundtrips(s.Module((rule,)))
    flat = "  " + format_expr(rule.body)
    lines = _body_lines(text, rule)
    if len(flat) > WIDTH:
        assert lines[0].startswith("  if ")
        assert any(line.startswith("  then") for line in lines), text
        assert any(line.startswith("  else") for line in lines), text
    else:
        assert lines[0] == flat


@settings(max_examples=300, deadline=None)
@given(gen.wide_rules)
def test_generated_wide_rules_fit_the_width_and_roundtrip(
        rule: s.Definition | s.Output) -> None:
    text = assert_roundtrips(s.Module((rule,)))
    too_long = [line for line in text.splitlines() if len(line) > WIDTH]
    assert not too_long, text
    flat = "  " + format_expr(rule.body)
    if len(flat) <= WIDTH:
        assert _body_lines(text, rule)[0] == flat


def test_long_negative_bounds_keep_every_digit() -> None:
    text = "measure X weight -12345678901234567890123456789.5\n"
    assert fmt(text) == text


# ---- worked examples ---------------------------------------------------------------------


EXAMPLE = """\
example  "half the gap"   organization "Example Health" set pool = $500,000.00
  as of 2024-12-31 # the settlement date
  rows COL ALL 2022: 700 of 1000 COL "Black or African American" baseline: 56.5 of 80
  rows for "Peer Health" COL ALL 2024: 7 of 10
  table "cases/small.csv"
  expect payout = $350,000.00 expect measure_payout(COL) = -$1.50
  expect measure_payout(HBD) is not scored expect gap(COL, Black) is not scored because "r"
end
"""


def test_example_layout_aligns_rows_and_keeps_the_order_written() -> None:
    assert fmt(EXAMPLE) == (
        "# the settlement date\n"
        'example "half the gap"\n'
        '  organization "Example Health"\n'
        "  set pool = $500,000.00\n"
        "  as of 2024-12-31\n"
        "  rows\n"
        "    COL ALL                         2022:      700 of 1000\n"
        '    COL "Black or African American" baseline: 56.5 of   80\n'
        '  rows for "Peer Health"\n'
        "    COL ALL 2024: 7 of 10\n"
        '  table "cases/small.csv"\n'
        "  expect payout = $350,000.00\n"
        "  expect measure_payout(COL) = -$1.50\n"
        "  expect measure_payout(HBD) is not scored\n"
        '  expect gap(COL, Black) is not scored because "r"\n'
        "end\n"
    )
    assert fmt(fmt(EXAMPLE)) == fmt(EXAMPLE)
    assert parse_text(fmt(EXAMPLE)) == parse_text(EXAMPLE)


def test_example_period_labels_keep_their_digits() -> None:
    # A period label is table text: 02022 stays 02022, not the number 2022.
    text = 'example "t"\n  rows\n    COL ALL 02022: 1 of 2\nend\n'
    assert fmt(text) == text


@settings(max_examples=200, deadline=None)
@given(gen.examples)
def test_generated_examples_roundtrip(example: s.Example) -> None:
    assert_roundtrips(s.Module((example,)))


def test_quoted_text_is_kept_in_unicode_normal_form() -> None:
    # A title typed with a combining accent reads, compares and formats like the one typed
    # with the accented letter: measure tables' names are compared the same way.
    module = parse(SourceFile("accent.eq", 'contract "Cli\u0301nica"\nend\n'))
    header = module.declarations[0]
    assert isinstance(header, s.ContractHeader) and header.title == "Cl\u00ednica"
    assert format_module(module) == 'contract "Cl\u00ednica"\nend\n'
