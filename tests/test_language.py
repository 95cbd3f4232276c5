"""The language, construct by construct: each test parses and checks a small contract through
the Python API and, where there is something to compute, settles it on a tiny table.

Also here: the showcase contract checks and settles, every ``eqlang`` example of
docs/language.md checks, and the unit and rounding tables of that document agree with the
checker and the evaluator.
"""

from __future__ import annotations

import datetime
import json
import re
import tempfile
import textwrap
from decimal import Context, Decimal
from pathlib import Path

import pytest

from eqlang.api import Run, load_contract, settle
from eqlang.core.program import Program
from eqlang.core.values import NotScored, Quantity, Truth, Value, display
from eqlang.diagnostics import Diagnostic, EqlangError, render
from eqlang.syntax.parser_tables import DECLARATION_KEYWORDS

#: The evaluator's 34 significant digits, for expected values computed here.
EXACT = Context(prec=34)

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "language.md"
SHOWCASE = ROOT / "contracts" / "showcase.eq"
SHOWCASE_TABLE = ROOT / "contracts" / "showcase.csv"

TABLE_HEADER = "org,measure,group,period,numerator,denominator\n"

HEADER = """\
contract "Test terms"
  provider each organization
  currency USD
  period baseline is "2022"
  period performance is "2024"
  settled as of 2024-12-31
end

measure COL "Colorectal cancer screening" higher is better
measure HBD "HbA1c poor control" lower is better

stratification race
  groups Asian, "Black or African American" as Black, White
  reference White
end
"""

# Organization A has every group; B and C only their whole-population (ALL) rows.
# COL 2024, A: ALL 60%, White 75%, Black 40%, Asian 80%. Peers' ALL: 60%, 70%, 80%.
# HBD 2024, A: ALL 20%, White 15%, Black 30%, Asian 10% (lower is better).
ROWS = """\
A,COL,ALL,2022,50,100
A,COL,ALL,2024,60,100
A,COL,White,2022,40,60
A,COL,White,2024,45,60
A,COL,Black or African American,2022,5,20
A,COL,Black or African American,2024,8,20
A,COL,Asian,2022,5,10
A,COL,Asian,2024,8,10
A,HBD,ALL,2022,30,100
A,HBD,ALL,2024,20,100
A,HBD,White,2022,12,60
A,HBD,White,2024,9,60
A,HBD,Black or African American,2022,8,20
A,HBD,Black or African American,2024,6,20
A,HBD,Asian,2022,1,10
A,HBD,Asian,2024,1,10
B,COL,ALL,2022,40,100
B,COL,ALL,2024,70,100
B,HBD,ALL,2022,25,100
B,HBD,ALL,2024,24,100
C,COL,ALL,2022,45,100
C,COL,ALL,2024,80,100
C,HBD,ALL,2022,22,100
C,HBD,ALL,2024,18,100
"""


# ---- helpers ----------------------------------------------------------------------------


def _folder(tmp_path: Path) -> Path:
    """A fresh folder under tmp_path, so one test can write several contracts."""
    return Path(tempfile.mkdtemp(dir=tmp_path))


def write_contract(folder: Path, body: str, header: str = HEADER,
                   files: dict[str, str] | None = None) -> Path:
    for name, text in (files or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    path = folder / "contract.eq"
    path.write_text(header + "\n" + textwrap.dedent(body), encoding="utf-8")
    return path


def check(tmp_path: Path, body: str, header: str = HEADER,
          files: dict[str, str] | None = None) -> Program:
    return load_contract(str(write_contract(_folder(tmp_path), body, header, files)))


def refused(tmp_path: Path, body: str, header: str = HEADER,
            files: dict[str, str] | None = None) -> tuple[Diagnostic, ...]:
    """The diagnostics of a contract that must not check."""
    with pytest.raises(EqlangError) as caught:
        check(tmp_path, body, header, files)
    return caught.value.diagnostics


def codes(diagnostics: tuple[Diagnostic, ...]) -> list[str]:
    return [d.code for d in diagnostics]


def run(tmp_path: Path, body: str, rows: str = ROWS, header: str = HEADER,
        files: dict[str, str] | None = None, **options: object) -> Run:
    folder = _folder(tmp_path)
    contract = write_contract(folder, body, header, files)
    table = folder / "table.csv"
    table.write_text(TABLE_HEADER + textwrap.dedent(rows).strip() + "\n", encoding="utf-8")
    return settle(load_contract(str(contract)), [str(table)], **options)  # type: ignore[arg-type]


def outputs(tmp_path: Path, body: str, rows: str = ROWS, org: str = "A",
            **options: object) -> dict[str, Value | dict[str, Value]]:
    return run(tmp_path, body, rows, **options).outputs()[org]


def shown(tmp_path: Path, body: str, rows: str = ROWS, org: str = "A",
          **options: object) -> dict[str, str | dict[str, str]]:
    """Each output as a person reads it: ``35 pp``, ``$1,000.00``, ``not scored (...)``."""
    result: dict[str, str | dict[str, str]] = {}
    for name, value in outputs(tmp_path, body, rows, org, **options).items():
        if isinstance(value, dict):
            result[name] = {key: display(v) for key, v in value.items()}
        else:
            result[name] = display(value)
    return result


def evaluation_error(tmp_path: Path, body: str, rows: str = ROWS, **options: object
                     ) -> Diagnostic:
    with pytest.raises(EqlangError) as caught:
        run(tmp_path, body, rows, **options)
    assert len(caught.value.diagnostics) == 1
    return caught.value.diagnostics[0]


def quantity(value: Value | dict[str, Value]) -> Quantity:
    assert isinstance(value, Quantity), value
    return value


# ---- comments and doc comments ------------------------------------------------------------


def test_comments_and_doc_comments(tmp_path: Path) -> None:
    program = check(tmp_path, """\
        # a plain comment
        ## The pool, as signed.
        ## Second line of its documentation.
        parameter pool: money = $10.00  # trailing comment
        define label: text = "a # inside quotes is text"
        """)
    declaration = program.parameters["pool"].declaration
    assert declaration.leading.doc == ("The pool, as signed.", "Second line of its documentation.")
    assert "# a plain comment" in declaration.leading.comments
    label = program.rules["label"].declaration
    assert label.body.value == "a # inside quotes is text"  # type: ignore[union-attr]


# ---- header -------------------------------------------------------------------------------


def test_header_fields_are_read(tmp_path: Path) -> None:
    header = """\
        contract "All fields"
          payer "Example Health Plan"
          provider each organization
          currency USD
          period baseline is "2022"
          period performance is "2024"
          version "1.2"
          effective 2024-01-01 to 2024-12-31
          settled as of 2025-03-31
        end
        """
    program = check(tmp_path, "", header=textwrap.dedent(header))
    assert program.periods == {"baseline": "2022", "performance": "2024"}
    assert program.provider is None
    assert program.settled_as_of == datetime.date(2025, 3, 31)
    assert program.header is not None and program.header.title == "All fields"


def test_a_named_provider_is_the_only_organization_settled(tmp_path: Path) -> None:
    header = HEADER.replace("provider each organization", 'provider "B"')
    body = "output r: percent = rate(COL, ALL, performance) not rounded\n"
    result = run(tmp_path, body, header=header)
    assert {org: display(v["r"]) for org, v in result.outputs().items()} == {"B": "70%"}
    with pytest.raises(EqlangError) as caught:
        run(tmp_path, body, header=header, organizations=["A"])
    assert caught.value.diagnostics[0].code == "E0602"
    assert caught.value.diagnostics[0].message == (
        'organization "A" is not a party to the contract')
    with pytest.raises(EqlangError) as caught:
        run(tmp_path, body, header=HEADER.replace("provider each organization",
                                                  'provider "Zenith"'))
    assert caught.value.diagnostics[0].message == (
        'organization "Zenith" is not in the measure tables')


@pytest.mark.parametrize(("header", "code"), [
    ('contract "x"\n  currency USD\n  period p is "2024"\nend\n', "E0110"),
    ('contract "x"\n  provider each organization\n  period p is "2024"\nend\n', "E0110"),
    ('contract "x"\n  provider each organization\n  currency USD\nend\n', "E0110"),
    ('contract "x"\n  provider each organization\n  currency EUR\n  period p is "1"\nend\n',
     "E0110"),
    ('contract "x"\n  provider each organization\n  currency USD\n  period p is "1"\n'
     "  effective 2024-12-31 to 2024-01-01\nend\n", "E0110"),
    ('contract "x"\n  provider each organization\n  currency USD\n  currency USD\n'
     '  period p is "1"\nend\n', "E0102"),
    ('contract "x"\n  provider each organization\n  currency USD\n  period p is "1"\n'
     "  settled as of 2024-02-30\nend\n", "E0007"),
])
def test_header_problems_are_refused(tmp_path: Path, header: str, code: str) -> None:
    assert code in codes(refused(tmp_path, "", header=header))


def test_named_provider_settles_only_that_organization(tmp_path: Path) -> None:
    header = HEADER.replace("provider each organization", 'provider "B"')
    result = run(tmp_path, "output all_rate: percent = rate(COL, ALL, performance) not rounded",
                 header=header)
    assert list(result.outputs()) == ["B"]
    assert display(quantity(result.outputs()["B"]["all_rate"])) == "70%"


# ---- imports ------------------------------------------------------------------------------

MODULE = """\
    # The plan's own measures.
    ## Depression screening and follow-up.
    measure DSF "Depression screening" higher is better minimum denominator 30
    """


def test_import_stdlib_and_file_module(tmp_path: Path) -> None:
    program = check(tmp_path, """\
        import hedis
        import "lib/plan.eq" as plan
        measure CBP from hedis
        measure DSF from plan
        """, files={"lib/plan.eq": MODULE})
    assert program.measures["CBP"].title == "Controlling high blood pressure"
    assert program.measures["CBP"].higher_is_better is True
    dsf = program.measures["DSF"]
    assert (dsf.title, dsf.min_denominator, dsf.doc) == (
        "Depression screening", Decimal(30), ("Depression screening and follow-up.",))


@pytest.mark.parametrize(("line", "code"), [
    ('import "../outside.eq" as outside', "E0108"),
    ('import "/etc/hosts.eq" as hosts', "E0108"),
    ('import "lib/missing.eq" as missing', "E0107"),
    ("import nosuchmodule", "E0107"),
])
def test_imports_stay_inside_the_allowed_roots(tmp_path: Path, line: str, code: str) -> None:
    (tmp_path / "outside.eq").write_text(MODULE, encoding="utf-8")
    assert code in codes(refused(tmp_path, line + "\n"))


def test_module_has_no_header(tmp_path: Path) -> None:
    module = 'contract "module"\n  provider each organization\n  currency USD\nend\n'
    diagnostics = refused(tmp_path, 'import "lib/m.eq" as m\n', files={"lib/m.eq": module})
    assert "E0110" in codes(diagnostics)


LIB = """\
    parameter share: percent = 10%
    define twice(x: money): money = x * 2
    """


def test_module_definition_can_be_called(tmp_path: Path) -> None:
    result = shown(tmp_path, """\
        import "lib/m.eq" as m
        output doubled: money = m.twice($5.00) not rounded
        """, files={"lib/m.eq": LIB})
    assert result["doubled"] == "$10.00"


def test_module_parameter_is_unit_checked(tmp_path: Path) -> None:
    diagnostics = refused(tmp_path, """\
        import "lib/m.eq" as m
        output wrong: money = m.share not rounded
        """, files={"lib/m.eq": LIB})
    assert "E0203" in codes(diagnostics)


def test_module_parameter_can_be_overridden(tmp_path: Path) -> None:
    body = """\
        import "lib/m.eq" as m
        output paid: money = m.twice($100.00) * m.share rounded to cents half up
        """
    result = run(tmp_path, body, files={"lib/m.eq": LIB}, overrides=["m.share=25%"])
    assert display(result.outputs()["A"]["paid"]) == "$50.00"  # type: ignore[arg-type]
    with pytest.raises(EqlangError) as caught:
        run(tmp_path, body, files={"lib/m.eq": LIB}, overrides=["m.share=$1.00"])
    assert caught.value.diagnostics[0].message == "`m.share` is a percent, but `$1.00` is money"


# ---- measures -----------------------------------------------------------------------------


def test_measure_attributes(tmp_path: Path) -> None:
    header = HEADER.replace(
        'measure COL "Colorectal cancer screening" higher is better',
        'measure COL "Colorectal cancer screening" higher is better weight 60% '
        "minimum denominator 30",
    ).replace('measure HBD "HbA1c poor control" lower is better',
              'measure HBD "HbA1c poor control" lower is better weight 40%')
    result = shown(tmp_path, """\
        output w(m: measure): percent = weight(m) not rounded
        output minimum(m: measure): count = min_denominator(m) not rounded
        output better(m: measure): yesno = higher_is_better(m) not rounded
        output order: count = count(m for each m in measures) not rounded
        """, header=header)
    assert result["w"] == {"COL": "60%", "HBD": "40%"}
    assert result["minimum"] == {"COL": "30", "HBD": "0"}
    assert result["better"] == {"COL": "yes", "HBD": "no"}
    assert result["order"] == "2"


def test_measure_weights_sum_to_100(tmp_path: Path) -> None:
    header = HEADER.replace("higher is better", "higher is better weight 60%").replace(
        "lower is better", "lower is better weight 30%")
    diagnostics = refused(tmp_path, "", header=header)
    assert codes(diagnostics) == ["E0302"]
    assert "90%" in diagnostics[0].message
    header = HEADER.replace("higher is better", "higher is better weight 100%")
    assert codes(refused(tmp_path, "", header=header)) == ["E0302"]


def test_measure_needs_a_direction(tmp_path: Path) -> None:
    assert codes(refused(tmp_path, 'measure SNS "Social needs screening"\n')) == ["E0112"]


def test_measure_without_weight_has_weight_not_scored(tmp_path: Path) -> None:
    result = outputs(tmp_path, "output w: percent = weight(COL) not rounded")
    assert isinstance(result["w"], NotScored)


# ---- groups ------------------------------------------------------------------------------

STRATIFICATIONS = """\
contract "Four reference kinds"
  provider each organization
  currency USD
  period performance is "2024"
end

measure COL "c" higher is better minimum denominator 15
measure HBD "h" lower is better

stratification race
  groups Asian, "Black or African American" as Black, White
  reference best performing group
end

stratification ethnicity
  groups "Hispanic or Latino" as Hispanic, "Not Hispanic or Latino" as NotHispanic
  reference NotHispanic
end

stratification language
  groups "Language other than English" as NonEnglish
  reference rest of population
end

stratification area
  groups "Most deprived quintile" as Deprived
  reference whole population
end
"""

STRATIFIED_ROWS = """\
A,COL,ALL,2024,60,100
A,COL,White,2024,45,60
A,COL,Black or African American,2024,8,20
A,COL,Asian,2024,8,10
A,COL,Hispanic or Latino,2024,10,20
A,COL,Not Hispanic or Latino,2024,50,80
A,COL,Language other than English,2024,10,30
A,COL,Most deprived quintile,2024,20,50
A,HBD,ALL,2024,20,100
A,HBD,White,2024,9,60
A,HBD,Black or African American,2024,6,20
A,HBD,Asian,2024,1,10
"""


def test_reference_kinds(tmp_path: Path) -> None:
    result = shown(tmp_path, """\
        output ref_col(g: group): group = reference(COL, g, performance) not rounded
        output ref_rate(g: group): percent =
          rate(COL, reference(COL, g, performance), performance) not rounded
        """, rows=STRATIFIED_ROWS, header=STRATIFICATIONS)
    assert result["ref_col"] == {
        # Asian has the best rate (80%) but only 10 members, below COL's minimum of 15.
        "Asian": "White", "Black": "White", "White": "White",
        "Hispanic": "NotHispanic", "NotHispanic": "NotHispanic",
        "NonEnglish": "rest of NonEnglish",
        "Deprived": "ALL",
    }
    assert result["ref_rate"]["NonEnglish"] == display(
        Quantity("percent", EXACT.divide(Decimal(50), Decimal(70))))
    assert result["ref_rate"]["Deprived"] == "60%"
    assert result["ref_rate"]["Hispanic"] == "62.5%"


def test_best_performing_group_follows_direction(tmp_path: Path) -> None:
    # HBD has no minimum denominator, so Asian (10%, the lowest) is the best group.
    result = shown(tmp_path, """\
        output ref_hbd: group = reference(HBD, Black, performance) not rounded
        """, rows=STRATIFIED_ROWS, header=STRATIFICATIONS)
    assert result["ref_hbd"] == "Asian"


def test_group_spelled_differently_in_the_table(tmp_path: Path) -> None:
    result = shown(tmp_path, "output black: percent = rate(COL, Black, performance) not rounded")
    assert result["black"] == "40%"


def test_focus_groups(tmp_path: Path) -> None:
    body = """\
        output focus_count: count = count(g for each g in focus groups) not rounded
        output group_count: count = count(g for each g in groups) not rounded
        output black_in_focus: yesno = Black in focus groups not rounded
        output white_in_focus: yesno = White in focus groups of race not rounded
        """
    result = shown(tmp_path, body)
    assert result == {"focus_count": "2", "group_count": "3", "black_in_focus": "yes",
                      "white_in_focus": "no"}
    explicit = HEADER.replace("  reference White\n", "  reference White\n  focus Black\n")
    result = shown(tmp_path, body, header=explicit)
    assert result["focus_count"] == "1"


@pytest.mark.parametrize(("body", "code"), [
    ("define n: count = count(g for each g in focus groups)\n", "E0106"),
    ("define n: count = count(g for each g in groups)\n", "E0106"),
])
def test_two_stratifications_need_of(tmp_path: Path, body: str, code: str) -> None:
    second = 'stratification language\n  groups "Other language" as NonEnglish\n' \
        "  reference rest of population\nend\n"
    assert codes(refused(tmp_path, second + body)) == [code]
    check(tmp_path, second + body.replace("groups)", "groups of race)"))


@pytest.mark.parametrize(("strat", "code"), [
    ("stratification s2\n  groups Black\n  reference rest of population\nend\n", "E0111"),
    ("stratification s2\n  groups X, Y\n  reference Z\nend\n", "E0106"),
    ("stratification s2\n  groups X, Y\n  reference X\n  focus X\nend\n", "E0106"),
    ("stratification s2\n  groups X, Y\nend\n", "E0106"),
])
def test_stratification_problems(tmp_path: Path, strat: str, code: str) -> None:
    assert code in codes(refused(tmp_path, strat))


def test_rest_of_population(tmp_path: Path) -> None:
    result = shown(tmp_path, """\
        output rest_rate: percent = rate(COL, rest(White), performance) not rounded
        output rest_members: count = denominator(COL, rest(White), performance) not rounded
        """)
    # ALL 60/100 minus White 45/60 leaves 15/40.
    assert result == {"rest_rate": "37.5%", "rest_members": "40"}


def test_rest_larger_than_all_stops_settlement(tmp_path: Path) -> None:
    rows = "A,COL,ALL,2024,10,20\nA,COL,White,2024,15,30\n"
    diagnostic = evaluation_error(
        tmp_path, "output r: percent = rate(COL, rest(White), performance) not rounded", rows)
    assert diagnostic.code == "E0408"


# ---- parameters, types and units -----------------------------------------------------------


def test_parameters_of_every_type(tmp_path: Path) -> None:
    result = shown(tmp_path, """\
        parameter pool: money = $1,250,000.50 per "Section 1"
        parameter share: percent = 35% per "Section 2"
        parameter small_gap: pp = 2.5 pp
        parameter minimum_size: count = 30
        parameter factor: number = 1.96
        parameter start: date = 2024-04-01
        parameter guard: yesno = no
        parameter name: text = "Rider"
        parameter doubled: money = pool * 2
        parameter negative: pp = -1 pp
        output o_pool: money = pool not rounded
        output o_share: percent = share not rounded
        output o_gap: pp = small_gap not rounded
        output o_size: count = minimum_size not rounded
        output o_factor: number = factor not rounded
        output o_started: yesno = start <= 2024-12-31 not rounded
        output o_guard: yesno = guard not rounded
        output o_name: yesno = name = "Rider" not rounded
        output o_doubled: money = doubled not rounded
        output o_negative: pp = negative not rounded
        """)
    assert result == {
        "o_pool": "$1,250,000.50", "o_share": "35%", "o_gap": "2.5 pp", "o_size": "30",
        "o_factor": "1.96", "o_started": "yes", "o_guard": "no", "o_name": "yes",
        "o_doubled": "$2,500,001.00", "o_negative": "-1 pp",
    }


@pytest.mark.parametrize(("body", "code"), [
    ("parameter p: percent = rate(COL, ALL, performance)\n", "E0306"),
    ("parameter p: percent = weight(COL)\n", "E0306"),
    ("parameter p: pp = 2%\n", "E0203"),
    ("parameter p: money = 1000\n", "E0203"),
    ("parameter p: percent = 2 pp\n", "E0203"),
    ("parameter p: money = $1.00\n  amended to $2.00 from 2024-01-01\n"
     "  amended to $3.00 from 2024-01-01\n", "E0306"),
])
def test_parameter_problems(tmp_path: Path, body: str, code: str) -> None:
    assert code in codes(refused(tmp_path, body))


@pytest.mark.parametrize(("body", "line", "column", "text"), [
    ("parameter p: count = -3\n", 17, 22, "-3"),
    ("parameter p: count = - 0.5 per \"Section 2\"\n", 17, 22, "- 0.5"),
    ("parameter p: count = 30\n  amended to -1 from 2024-07-01\n", 18, 14, "-1"),
])
def test_a_negative_count_is_refused_where_it_is_written(
        tmp_path: Path, body: str, line: int, column: int, text: str) -> None:
    diagnostic, = refused(tmp_path, body)
    assert diagnostic.code == "E0203"
    assert diagnostic.message == f"`p` is a count, which cannot be negative, but it is given " \
        f"`{text}`"
    assert diagnostic.span is not None
    assert (diagnostic.span.line, diagnostic.span.column) == (line, column)
    assert diagnostic.hint is not None and "zero or more" in diagnostic.hint
    assert [n.message for n in diagnostic.notes] == ["`p` is declared a count"]


def test_counts_may_be_fractional_and_other_units_negative(tmp_path: Path) -> None:
    """Imputed membership makes counts fractional; money, points, percents and numbers can
    be below zero in a contract (a withhold, a worsening, a fall)."""
    result = shown(tmp_path, """\
        parameter size: count = 12.5
        parameter withhold: money = -$500.00
        parameter fall: pp = -1 pp
        parameter change: percent = -2%
        parameter factor: number = -0.5
        output o: money = withhold * size * factor rounded to cents half up
        output o_rest: percent = change + fall not rounded
        """)
    assert result == {"o": "$3,125.00", "o_rest": "-3%"}


def test_a_computed_count_below_zero_stops_settlement(tmp_path: Path) -> None:
    body = """\
        parameter size: count = 30
        parameter spare: count = size - 40
        output o: count = spare not rounded
        """
    diagnostic = evaluation_error(tmp_path, body)
    assert diagnostic.code == "E0405"
    assert diagnostic.message == "parameter `spare` is a count, which cannot be negative, " \
        "but its value is -10"
    assert diagnostic.span is not None and diagnostic.span.text == "size - 40"
    assert outputs(tmp_path, body, overrides=["size=45"])["o"] == Quantity("count",
                                                                          Decimal(5))


def test_unit_mismatch_hint_speaks_of_points(tmp_path: Path) -> None:
    diagnostic = refused(tmp_path, "parameter p: pp = 2%\n")[0]
    assert diagnostic.hint is not None and "2 pp" in diagnostic.hint


def test_parameter_naming_a_definition_is_refused(tmp_path: Path) -> None:
    body = """\
        define current: percent = rate(COL, ALL, performance)
        parameter p: percent = current
        """
    assert "E0306" in codes(refused(tmp_path, body))


def test_parameter_cycle_is_refused(tmp_path: Path) -> None:
    body = """\
        parameter a: count = b
        parameter b: count = a
        output o: count = a not rounded
        """
    with pytest.raises(EqlangError):
        run(tmp_path, body)


def test_parameter_naming_a_later_parameter_is_unit_checked(tmp_path: Path) -> None:
    body = """\
        parameter a: money = b
        parameter b: count = 3
        """
    assert "E0203" in codes(refused(tmp_path, body))


NUMERIC = ("money", "percent", "pp", "count", "number")
SAMPLES = {"money": "$1.00", "percent": "1%", "pp": "1 pp", "count": "1", "number": "1"}


def _unit_tables() -> list[tuple[str, str, str, str]]:
    """(left, op, right, result) from the four tables of docs/language.md."""
    cases = []
    for op in "+-*/":
        match = re.search(rf"^\| `{re.escape(op)}` \|.*\n\|[-|]+\|\n((?:\|.*\n)+)", DOCS.read_text(
            encoding="utf-8"), re.M)
        assert match is not None, f"no table for {op}"
        for line in match.group(1).splitlines():
            cells = [c.strip() for c in line.strip("|").split("|")]
            left = cells[0].strip("*")
            for right, result in zip(NUMERIC, cells[1:], strict=True):
                cases.append((left, op, right, result))
    assert len(cases) == 100
    return cases


@pytest.mark.parametrize(("left", "op", "right", "result"), _unit_tables())
def test_unit_rules_agree_with_the_documentation(tmp_path: Path, left: str, op: str,
                                                 right: str, result: str) -> None:
    body = f"""\
        parameter x: {left} = {SAMPLES[left]}
        parameter y: {right} = {SAMPLES[right]}
        define r = x {op} y
        """
    if result == "—":
        assert codes(refused(tmp_path, body)) == ["E0201"]
    else:
        assert check(tmp_path, body).rules["r"].type == result


def test_unit_arithmetic_values(tmp_path: Path) -> None:
    result = outputs(tmp_path, """\
        output gap: pp = rate(COL, White, performance) - rate(COL, Black, performance) not rounded
        output raised: percent = rate(COL, Black, performance) + 2 pp not rounded
        output share: money = $1,000.00 * 35% not rounded
        output ratio: number = $300.00 / $1,200.00 not rounded
        output gap_ratio: number = 3 pp / 2 pp not rounded
        output share_of_share: percent = 50% * 50% not rounded
        output mean_members: number = (denominator(COL, Black, performance) + 5) / 2 not rounded
        """)
    assert quantity(result["gap"]) == Quantity("pp", Decimal("0.35"))
    assert quantity(result["raised"]) == Quantity("percent", Decimal("0.42"))
    assert quantity(result["share"]) == Quantity("money", Decimal("350"))
    assert quantity(result["ratio"]) == Quantity("number", Decimal("0.25"))
    assert quantity(result["gap_ratio"]) == Quantity("number", Decimal("1.5"))
    assert quantity(result["share_of_share"]) == Quantity("percent", Decimal("0.25"))
    assert quantity(result["mean_members"]) == Quantity("number", Decimal("12.5"))


@pytest.mark.parametrize(("expression", "code"), [
    ("rate(COL, Black, performance) - rate(COL, White, performance) > 5%", "E0202"),
    ("$1.00 > 1", "E0202"),
    ("COL < HBD", "E0202"),
    ("2 pp - 1%", "E0201"),
    ("$1.00 + 10%", "E0201"),
    ("if yes then $1.00 else 1%", "E0201"),
])
def test_unit_errors(tmp_path: Path, expression: str, code: str) -> None:
    assert codes(refused(tmp_path, f"define r = {expression}\n")) == [code]


# ---- definitions and functions -------------------------------------------------------------


def test_definitions_and_functions(tmp_path: Path) -> None:
    body = """\
        define threshold: pp = 10 pp
        define black_gap = gap(COL, Black, performance)
        define gap(m: measure, g: group, p: period): pp =
          max(0 pp, rate(m, White, p) - rate(m, g, p))
        define wide(m: measure, g: group) = gap(m, g, performance) > threshold
        output o_gap: pp = black_gap not rounded
        output o_wide: yesno = wide(COL, Black) not rounded
        output o_asian: pp = gap(COL, Asian, baseline) not rounded
        """
    program = check(tmp_path, body)
    assert program.rules["black_gap"].type == "pp"
    assert program.rules["wide"].type == "yesno"
    assert shown(tmp_path, body) == {
        "o_gap": "35 pp", "o_wide": "yes", "o_asian": "16.66666666666666666666666666666667 pp",
    }


def test_stratification_parameters(tmp_path: Path) -> None:
    body = """\
        stratification ethnicity
          groups "Hispanic or Latino" as Hispanic, "Not Hispanic or Latino" as NotHispanic
          reference NotHispanic
        end
        define size(s: stratification): count = count(g for each g in groups of s)
        define focus_size(s: stratification): count = count(g for each g in focus groups of s)
        define best(m: measure, s: stratification, p: period): percent =
          max(rate(m, g, p) for each g in groups of s, not scored: skip)
        define member(g: group, s: stratification): yesno = g in groups of s
        output o_sizes: count = sum(size(s) for each s in {race, ethnicity}) not rounded
        output o_focus: count = focus_size(race) not rounded
        output o_best: percent = best(COL, race, performance) not rounded
        output o_best_empty: percent = best(COL, ethnicity, performance) not rounded
        output o_member: yesno = member(Black, race) and not member(Black, ethnicity)
          not rounded
        output o_unknown: count = size(not scored because "no stratification was chosen")
          not rounded
        output o_same: yesno = race != ethnicity not rounded
        """
    program = check(tmp_path, body)
    assert [p.type for p in program.rules["best"].params] == [
        "measure", "stratification", "period"]
    # race has Asian, Black and White (focus: Asian and Black); ethnicity has no table rows.
    # COL 2024 in A: Asian 80%, White 75%, Black 40%.
    assert shown(tmp_path, body) == {
        "o_sizes": "5", "o_focus": "2", "o_best": "80%",
        "o_best_empty": "not scored (no items to take the max of: all 2 items were not scored "
                        "(first: Hispanic has no members in COL 2024 (denominator 0)))",
        "o_member": "yes", "o_unknown": "not scored (no stratification was chosen)",
        "o_same": "yes",
    }


def test_a_stratification_value_in_the_trace_is_schema_valid(tmp_path: Path) -> None:
    import jsonschema

    body = """\
        define chosen: stratification = race
        define size(s: stratification): count = count(g for each g in groups of s)
        output n: count = size(chosen) not rounded
        """
    trace = run(tmp_path, body).trace()
    schema = json.loads((ROOT / "docs" / "trace.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(trace, schema)
    nodes = trace["organizations"]["A"]["nodes"]
    assert nodes["chosen"]["value"] == {"type": "stratification", "value": "race"}
    assert nodes["size(race)"]["value"]["value"] == "3"


@pytest.mark.parametrize(("body", "code"), [
    ("define size(g: group): count = count(h for each h in groups of g)\n", "E0203"),
    ("define size(s: stratification): count = count(h for each h in groups of t)\n", "E0101"),
    ("define n: count = count(g for each g in groups of race) + race\n", "E0201"),
    ("define f(s: stratification): count = 1\ndefine g: count = f(Black)\n", "E0203"),
    ("output o(s: stratification): count = 1 not rounded\n", "E0307"),
])
def test_stratification_parameter_problems(tmp_path: Path, body: str, code: str) -> None:
    assert code in codes(refused(tmp_path, body))


def test_module_ranges_over_a_stratification_parameter(tmp_path: Path) -> None:
    files = {"metrics.eq": """\
        ## The number of groups of a stratification.
        define size(s: stratification): count = count(g for each g in groups of s)
        """}
    body = 'import "metrics.eq" as metrics\noutput o: count = metrics.size(race) not rounded\n'
    assert shown(tmp_path, body, files=files) == {"o": "3"}


@pytest.mark.parametrize(("body", "code"), [
    ("define a: number = b + 1\ndefine b: number = a + 1\n", "E0301"),
    ("define f(n: number): number = f(n) + 1\n", "E0301"),
    ("define f(m: measure): number = 1\ndefine g: number = f(COL, COL)\n", "E0103"),
    ("define f(m: measure): number = 1\ndefine g: number = f(Black)\n", "E0203"),
    ("define f(m: measure): number = 1\ndefine g: number = f\n", "E0104"),
    ("define g: number = undefined_thing + 1\n", "E0101"),
    ("define f: number = not scored because \"never\"\ndefine g = not scored because \"x\"\n",
     "E0203"),
    ("define sum: number = 1\n", "E0102"),
    ("define ALL: number = 1\n", "E0102"),
    ("define x: number = 1\ndefine x: number = 2\n", "E0102"),
])
def test_definition_problems(tmp_path: Path, body: str, code: str) -> None:
    assert code in codes(refused(tmp_path, body))


def test_undefined_name_suggests_the_close_one(tmp_path: Path) -> None:
    diagnostic = refused(tmp_path, "define x: percent = rate(COL, Blak, performance)\n")[0]
    assert diagnostic.code == "E0101"
    assert diagnostic.hint is not None and "`Black`" in diagnostic.hint


# ---- expressions and precedence ------------------------------------------------------------


@pytest.mark.parametrize(("expression", "expected"), [
    ("1 + 2 * 3", "7"),
    ("10 - 4 - 3", "3"),
    ("12 / 3 / 2", "2"),
    ("-2 * 3", "-6"),
    ("2 * -3 + 1", "-5"),
    ("(1 + 2) * 3", "9"),
    ("1 + (if yes then 1 else 0)", "2"),
    ("not 1 > 2 and no", "no"),
    ("not (1 > 2 and no)", "yes"),
    ("yes or no and no", "yes"),
    ("(yes or no) and no", "no"),
    ("not no or no", "yes"),
    ("if 1 < 2 then 10 else 20", "10"),
    ("if no then 1 else if yes then 2 else 3", "2"),
    ("0.1 + 0.2 = 0.3", "yes"),
    ("COL in {COL, HBD}", "yes"),
    ("Black in {White}", "no"),
    ("2 != 2", "no"),
])
def test_precedence(tmp_path: Path, expression: str, expected: str) -> None:
    result = shown(tmp_path, f"output r = {expression} not rounded\n".replace(
        "output r =", "output r: " + ("yesno" if expected in ("yes", "no") else "number") + " ="))
    assert result["r"] == expected


@pytest.mark.parametrize("expression", ["1 < 2 < 3", "1 + if yes then 1 else 0", "1 == 1"])
def test_syntax_errors(tmp_path: Path, expression: str) -> None:
    assert codes(refused(tmp_path, f"define r = {expression}\n")) == ["E0002"]


# ---- rate, numerator, denominator ----------------------------------------------------------


def test_rate_numerator_denominator(tmp_path: Path) -> None:
    result = shown(tmp_path, """\
        output r(g: group): percent = rate(COL, g, performance) not rounded
        output n: count = numerator(COL, Black, baseline) not rounded
        output d: count = denominator(COL, ALL, baseline) not rounded
        output all_rate: percent = rate(HBD, ALL, performance) not rounded
        """)
    assert result == {"r": {"Asian": "80%", "Black": "40%", "White": "75%"}, "n": "5",
                      "d": "100", "all_rate": "20%"}


def test_missing_row_and_zero_denominator_are_not_scored(tmp_path: Path) -> None:
    rows = ROWS + "A,HBD,Hispanic,2024,0,0\n"
    header = HEADER.replace("groups Asian,", "groups Hispanic, Asian,")
    result = outputs(tmp_path, """\
        output missing_rate: percent = rate(COL, Black, performance) not rounded
        output missing_numerator: count = numerator(COL, Black, performance) not rounded
        output missing_denominator: count = denominator(COL, Black, performance) not rounded
        output zero_rate: percent = rate(HBD, Hispanic, performance) not rounded
        """, rows=rows, org="B", header=header)
    assert result["missing_rate"] == NotScored(
        "Black has no members in COL 2024 (denominator 0)")
    assert quantity(result["missing_numerator"]).magnitude == 0
    assert quantity(result["missing_denominator"]).magnitude == 0
    assert isinstance(result["zero_rate"], NotScored)
    assert "denominator 0" in result["zero_rate"].reason


def test_missing_all_row_raises_E0402(tmp_path: Path) -> None:
    rows = ROWS.replace("C,HBD,ALL,2022,22,100\n", "")
    diagnostic = evaluation_error(
        tmp_path, "output change: pp = rate(HBD, ALL, performance) - rate(HBD, ALL, baseline) "
        "not rounded\n", rows)
    assert diagnostic.code == "E0402"
    assert "organization C" in diagnostic.message
    assert "measure HBD" in diagnostic.message
    assert "period 2022" in diagnostic.message


def test_division_by_zero_raises_E0401(tmp_path: Path) -> None:
    diagnostic = evaluation_error(tmp_path, """\
        output share: number =
          numerator(COL, Black, performance) / denominator(COL, Black, performance)
          not rounded
        """)
    # A has Black members; B has no Black row, so its denominator is 0.
    assert diagnostic.code == "E0401"
    assert "division by zero" in diagnostic.message
    assert any("organization B" in note.message for note in diagnostic.notes)


# ---- not scored -----------------------------------------------------------------------------


def test_not_scored_because_is_scored_otherwise_because(tmp_path: Path) -> None:
    result = run(tmp_path, """\
        define maybe(g: group): percent =
          if denominator(COL, g, performance) < 15
          then not scored because "fewer than 15 members"
          else rate(COL, g, performance)
        output m(g: group): percent = maybe(g) not rounded
        output scored(g: group): yesno = maybe(g) is scored not rounded
        output unscored(g: group): yesno = maybe(g) is not scored not rounded
        output fallback: percent = maybe(Asian) otherwise (0% because "too small") not rounded
        output kept: percent = maybe(Black) otherwise 0% not rounded
        """)
    values = run_outputs = result.outputs()["A"]
    assert values["m"]["Asian"] == NotScored("fewer than 15 members")  # type: ignore[index]
    assert display(values["m"]["Black"]) == "40%"  # type: ignore[index]
    assert {k: display(v) for k, v in run_outputs["scored"].items()} == {  # type: ignore[union-attr]
        "Asian": "no", "Black": "yes", "White": "yes"}
    assert display(values["unscored"]["Asian"]) == "yes"  # type: ignore[index]
    fallback = quantity(values["fallback"])
    assert (display(fallback), fallback.note) == ("0%", "too small")
    assert display(values["kept"]) == "40%"
    trace = result.trace()["organizations"]["A"]
    assert trace["outputs"]["fallback"]["value"]["note"] == "too small"
    assert trace["outputs"]["m"]["Asian"]["value"] == {"not_scored": "fewer than 15 members"}


@pytest.mark.parametrize(("expression", "expected"), [
    ("nope + 1", "not scored (x)"),
    ("nope > 1", "not scored (x)"),
    ("max(nope, 1)", "not scored (x)"),
    ("no and nope > 1", "no"),
    ("yes or nope > 1", "yes"),
    ("yes and nope > 1", "not scored (x)"),
    ("not (nope > 1)", "not scored (x)"),
    ("if yes then 1 else nope", "1"),
    ("nope otherwise 7", "7"),
    ("nope otherwise nope otherwise 8", "8"),
])
def test_not_scored_propagation(tmp_path: Path, expression: str, expected: str) -> None:
    kind = "yesno" if expected in ("yes", "no") or ">" in expression else "number"
    result = shown(tmp_path, f"""\
        define nope: number = not scored because "x"
        output r: {kind} = {expression} not rounded
        """)
    assert result["r"] == expected


# ---- aggregations ---------------------------------------------------------------------------


@pytest.mark.parametrize(("expression", "kind", "expected"), [
    ("sum(denominator(COL, g, performance) for each g in groups)", "count", "90"),
    ("mean(rate(COL, g, performance) for each g in groups)", "percent", "65%"),
    ("mean(denominator(COL, g, performance) for each g in groups)", "number", "30"),
    ("mean(rate(COL, g, performance) weighted by denominator(COL, g, performance) "
     "for each g in groups)", "percent", "67.77777777777777777777777777777778%"),
    ("min(rate(COL, g, performance) for each g in groups)", "percent", "40%"),
    ("max(rate(COL, g, performance) for each g in groups where g != Asian)", "percent",
     "75%"),
    ("count(g for each g in groups where rate(COL, g, performance) > 50%)", "count", "2"),
    ("count(rate(COL, g, performance) > 50% for each g in groups)", "count", "2"),
    ("all(rate(COL, g, performance) > 30% for each g in groups)", "yesno", "yes"),
    ("all(rate(COL, g, performance) > 50% for each g in groups)", "yesno", "no"),
    ("any(rate(COL, g, performance) > 79% for each g in groups)", "yesno", "yes"),
    ("any(rate(COL, g, performance) > 81% for each g in groups)", "yesno", "no"),
    ("median(rate(COL, g, performance) for each g in groups)", "percent", "75%"),
    ("percentile(25%, rate(COL, g, performance) for each g in groups)", "percent", "57.5%"),
    ("sum(denominator(m, g, p) for each m in measures, g in {Black, White}, "
     "p in {baseline, performance})", "count", "320"),
])
def test_aggregations(tmp_path: Path, expression: str, kind: str, expected: str) -> None:
    assert shown(tmp_path, f"output r: {kind} = {expression} not rounded\n")["r"] == expected


@pytest.mark.parametrize(("name", "expected"), [
    ("sum", "0"), ("count", "0"), ("all", "yes"), ("any", "no"),
    ("mean", "not scored (no items to take the mean of: the `where` filter left out all 2 "
             "items (`m = COL and no` is no for m = COL))"),
    ("min", "not scored (no items to take the min of: the `where` filter left out all 2 "
            "items (`m = COL and no` is no for m = COL))"),
    ("max", "not scored (no items to take the max of: the `where` filter left out all 2 "
            "items (`m = COL and no` is no for m = COL))"),
    ("median", "not scored (no items to take the median of: the `where` filter left out "
               "all 2 items (`m = COL and no` is no for m = COL))"),
])
def test_aggregations_over_no_items(tmp_path: Path, name: str, expected: str) -> None:
    value = "m = HBD" if name in ("all", "any") else "1"
    kind = "yesno" if name in ("all", "any") else "number"
    if name == "count":
        value = "m"
    result = shown(tmp_path, f"output r: {kind} = {name}({value} for each m in measures "
                   "where m = CBP_NEVER) not rounded\n".replace("CBP_NEVER", "COL and no"))
    assert result["r"] == expected


def test_not_scored_policies(tmp_path: Path) -> None:
    # Organization B has no group rows: every group rate is not scored there.
    body = """\
        output skip: percent = sum(rate(COL, g, performance) for each g in groups,
                                   not scored: skip) not rounded
        output zero: percent = mean(rate(COL, g, performance) for each g in groups,
                                    not scored: zero) not rounded
        output propagate: percent = sum(rate(COL, g, performance) for each g in groups,
                                        not scored: propagate) not rounded
        output default: percent = sum(rate(COL, g, performance) for each g in groups)
          not rounded
        output skip_mean: percent = mean(rate(COL, g, performance) for each g in groups,
                                         not scored: skip) not rounded
        """
    rows = ROWS + "B,COL,White,2024,35,50\n"
    result = outputs(tmp_path, body, rows=rows, org="B")
    assert display(result["skip"]) == "70%"
    assert display(result["zero"]) == display(Quantity("percent", EXACT.divide(Decimal("0.7"), 3)))
    assert result["propagate"] == NotScored(
        "2 of 3 items not scored; first: Asian has no members in COL 2024 (denominator 0)")
    assert result["default"] == result["propagate"]
    assert display(result["skip_mean"]) == "70%"


#: Group weights for the weighted aggregations below: White 30%, Black 30%, Asian 40%.
GROUP_WEIGHTS = """\
    define w(g: group): percent =
      if g = White then 30% else if g = Black then 30% else 40%
    """


@pytest.mark.parametrize(("policy", "org", "expected"), [
    # A: every group scored: 30% × 75% + 30% × 40% + 40% × 80% = 66.5%.
    ("propagate", "A", "66.5%"),
    ("rescale", "A", "66.5%"),
    # B: only White (70%) is scored. skip and zero keep its 30% share: 21%; rescale scales
    # 30% up to the full 100%: 21% × 100% / 30% = 70%, exactly.
    ("skip", "B", "21%"),
    ("zero", "B", "21%"),
    ("rescale", "B", "70%"),
    ("propagate", "B",
     "not scored (2 of 3 items not scored; first: Asian has no members in COL 2024 "
     "(denominator 0))"),
    # C has no group rows at all: there is nothing left to rescale.
    ("rescale", "C",
     "not scored (none of the 3 items is scored, so there is no weight to rescale; first: "
     "Asian has no members in COL 2024 (denominator 0))"),
    ("skip", "C", "0%"),
])
def test_weighted_sum_policies(tmp_path: Path, policy: str, org: str, expected: str) -> None:
    body = GROUP_WEIGHTS + f"""\
        output r: percent = sum(rate(COL, g, performance) weighted by w(g)
                                for each g in groups, not scored: {policy}) not rounded
        """
    assert shown(tmp_path, body, rows=ROWS + "B,COL,White,2024,35,50\n", org=org)["r"] == \
        expected


@pytest.mark.parametrize(("policy", "expected"), [
    ("skip", "70%"),
    ("rescale", "70%"),
    # zero keeps the full weight and counts the missing groups as 0%: 21% / 100%.
    ("zero", "21%"),
])
def test_weighted_mean_policies(tmp_path: Path, policy: str, expected: str) -> None:
    body = GROUP_WEIGHTS + f"""\
        output r: percent = mean(rate(COL, g, performance) weighted by w(g)
                                 for each g in groups, not scored: {policy}) not rounded
        """
    assert shown(tmp_path, body, rows=ROWS + "B,COL,White,2024,35,50\n", org="B")["r"] == \
        expected


def test_weighted_sum_has_the_unit_of_the_product(tmp_path: Path) -> None:
    body = """\
        parameter pool: money = $1,000.00
        output paid: money =
          sum(pool weighted by rate(COL, g, performance) for each g in {White, Black})
          rounded to cents half up
        """
    # $1,000.00 × 75% + $1,000.00 × 40%.
    assert shown(tmp_path, body)["paid"] == "$1,150.00"


def test_rescaling_explains_itself_in_the_trace(tmp_path: Path) -> None:
    body = GROUP_WEIGHTS + """\
        define rescaled: percent = sum(rate(COL, g, performance) weighted by w(g)
                                       for each g in groups, not scored: rescale)
        define averaged: percent = mean(rate(COL, g, performance) weighted by w(g)
                                        for each g in groups, not scored: rescale)
        output r: percent = rescaled + 0 pp * averaged not rounded
        """
    result = run(tmp_path, body, rows=ROWS + "B,COL,White,2024,35,50\n")
    values = result.trace()["organizations"]["B"]["nodes"]
    reason = "2 of 3 items not scored; first: Asian has no members in COL 2024 (denominator 0)"
    assert values["rescaled"]["note"] == (
        f"{reason}; the scored items' weights, 30% of 100%, were scaled up by 3.3333 to carry "
        "the full weight")
    assert values["averaged"]["note"] == (
        f"{reason}; the mean is over the scored items' weights, 30% of 100%, rescaled to "
        "carry the full weight")


def test_rescale_leaves_out_an_item_whose_weight_is_not_scored(tmp_path: Path) -> None:
    body = """\
        define w(g: group): percent =
          if g = Asian then not scored because "no agreed weight" else 50%
        output r: percent = sum(rate(COL, g, performance) weighted by w(g)
                                for each g in groups, not scored: rescale) not rounded
        """
    # B: White scored (70%, weight 50%), Black not scored (weight 50%), Asian's weight
    # unknown: the full weight is 100%, the scored 50%, so 35% × 2 = 70%.
    assert shown(tmp_path, body, rows=ROWS + "B,COL,White,2024,35,50\n", org="B")["r"] == \
        "70%"


def test_where_filter_that_is_not_scored(tmp_path: Path) -> None:
    body = """\
        output skip: count = count(g for each g in groups where rate(COL, g, performance) > 50%,
                                   not scored: skip) not rounded
        output propagate: count =
          count(g for each g in groups where rate(COL, g, performance) > 50%) not rounded
        """
    result = outputs(tmp_path, body, rows=ROWS + "B,COL,White,2024,35,50\n", org="B")
    assert display(result["skip"]) == "1"
    assert isinstance(result["propagate"], NotScored)
    assert result["propagate"].reason.startswith("a `where` filter is not scored")


def test_policy_zero_needs_numbers(tmp_path: Path) -> None:
    body = "define r = all(rate(COL, g, performance) > 1% for each g in groups, " \
        "not scored: zero)\n"
    assert codes(refused(tmp_path, body)) == ["E0308"]


@pytest.mark.parametrize(("body", "code"), [
    ("define r = sum(1)\n", "E0308"),
    ("define r = min(1 weighted by 2 for each m in measures)\n", "E0308"),
    ("define r = count(m weighted by 2 for each m in measures)\n", "E0308"),
    ("define r = mean(1 for each m in measures, not scored: rescale)\n", "E0308"),
    ("define r = sum($1.00 weighted by $2.00 for each m in measures)\n", "E0201"),
    ("define r = mean(1 weighted by m for each m in measures)\n", "E0201"),
    ("define r = percentile(rate(COL, ALL, performance) for each m in measures)\n", "E0103"),
    ("define r = percentile(50, rate(COL, ALL, performance) for each m in measures)\n",
     "E0203"),
    ("define r = mean(m for each m in measures)\n", "E0201"),
    ("define r = count(g for each g in {Black, COL})\n", "E0201"),
])
def test_aggregation_problems(tmp_path: Path, body: str, code: str) -> None:
    assert code in codes(refused(tmp_path, body))


@pytest.mark.parametrize(("share", "values", "expected"), [
    ("67%", "60, 70, 80", "73.4"),
    ("50%", "60, 70, 80", "70"),
    ("50%", "10, 20, 30, 40", "25"),
    ("0%", "30, 10, 20", "10"),
    ("100%", "30, 10, 20", "30"),
    ("25%", "10, 20, 30, 40, 50", "20"),
    ("90%", "5", "5"),
    ("33%", "10, 20, 30, 40", "19.9"),
])
def test_percentile_interpolates(tmp_path: Path, share: str, values: str,
                                 expected: str) -> None:
    numbers = [v.strip() for v in values.split(",")]
    header = HEADER.replace("  reference White\n", "  reference White\nend\n\n"
                            "stratification sizes\n  groups "
                            + ", ".join(f"S{i}" for i in range(len(numbers)))
                            + "\n  reference S0\n")
    body = f"""\
        output p: count = percentile({share}, denominator(COL, g, performance)
                                     for each g in groups of sizes) not rounded
        """
    rows = ROWS + "".join(f"A,COL,S{i},2024,0,{v}\n" for i, v in enumerate(numbers))
    assert shown(tmp_path, body, rows=rows, header=header)["p"] == expected


def test_percentile_outside_0_to_100_raises_E0405(tmp_path: Path) -> None:
    # Written as a literal, the checker refuses it (E0308); computed, settlement stops.
    diagnostic = evaluation_error(tmp_path, """\
        parameter share: percent = 150%
        output p: percent = percentile(share, rate(COL, ALL, performance) at o
                                       for each o in organizations) not rounded
        """)
    assert diagnostic.code == "E0405"
    assert diagnostic.message.startswith("a percentile must lie between 0% and 100%")


# ---- peers with `at` ------------------------------------------------------------------------


def test_at_peers(tmp_path: Path) -> None:
    body = """\
        define cut(m: measure): percent =
          percentile(67%, rate(m, ALL, performance) at o for each o in organizations)
        output cut_col: percent = cut(COL) not rounded
        output median_col: percent =
          median(rate(COL, ALL, performance) at o for each o in organizations) not rounded
        output top: yesno = rate(COL, ALL, performance) >= cut(COL) not rounded
        output b_rate: percent = rate(COL, ALL, performance) at o_b not rounded
        define o_b: organization = max_org
        define max_org: organization = o_b_placeholder
        """
    # An organization value comes only from `for each o in organizations`; pick B by name.
    body = body.replace("""\
        output b_rate: percent = rate(COL, ALL, performance) at o_b not rounded
        define o_b: organization = max_org
        define max_org: organization = o_b_placeholder
        """, """\
        output above_b: count = count(o for each o in organizations
            where rate(COL, ALL, performance) at o > 70%) not rounded
        define peer_score(m: measure): number =
          if rate(m, ALL, performance) >= cut(m) then 1
          else if rate(m, ALL, performance) < percentile(33%, rate(m, ALL, performance) at o
                                                        for each o in organizations) then -1
          else 0
        output points: number = peer_score(COL) not rounded
        """)
    result = run(tmp_path, body)
    shown_by_org = {org: {k: display(v) for k, v in values.items()}  # type: ignore[arg-type]
                    for org, values in result.outputs().items()}
    # Peers' COL 2024 rates are 60%, 70% and 80%: position 0.67 x 2 = 1.34.
    for org in "ABC":
        assert shown_by_org[org]["cut_col"] == "73.4%"
        assert shown_by_org[org]["median_col"] == "70%"
        assert shown_by_org[org]["above_b"] == "1"
    assert [shown_by_org[org]["top"] for org in "ABC"] == ["no", "no", "yes"]
    # 33rd percentile: 60% + 0.66 x 10 pp = 66.6%.
    assert [shown_by_org[org]["points"] for org in "ABC"] == ["-1", "0", "1"]


def test_settling_one_organization_keeps_its_peers(tmp_path: Path) -> None:
    body = """\
        output cut: percent =
          percentile(67%, rate(COL, ALL, performance) at o for each o in organizations)
          not rounded
        """
    result = run(tmp_path, body, organizations=["A"])
    assert list(result.outputs()) == ["A"]
    assert display(result.outputs()["A"]["cut"]) == "73.4%"  # type: ignore[arg-type]


# ---- schedules ------------------------------------------------------------------------------

SCHEDULES = """\
    schedule credit(closed: percent): number
      domain up to 100%
      below 0% pays 0
      from 0% to 25% pays 1
      from 25% to 50% pays 2
      from 50% through 100% pays 3
    end

    schedule level(change: pp): number
      up to -1 pp pays 0
      above -1 pp pays 1
    end

    schedule size(members: count): money
      domain from 0
      from 0 to 30 pays $0.00
      from 30 pays $10.00
    end
    """

BOUNDARIES = [
    ("credit(-0.01%)", "0"), ("credit(0%)", "1"), ("credit(24.99%)", "1"),
    ("credit(25%)", "2"), ("credit(49.999%)", "2"), ("credit(50%)", "3"),
    ("credit(100%)", "3"), ("credit(-500%)", "0"),
    ("level(-1 pp)", "0"), ("level(-1.001 pp)", "0"), ("level(-0.999 pp)", "1"),
    ("level(5 pp)", "1"),
    ("size(0)", "$0.00"), ("size(29.999)", "$0.00"), ("size(30)", "$10.00"),
    ("size(1000)", "$10.00"),
]


def test_schedule_tiers_at_the_boundaries(tmp_path: Path) -> None:
    lines = [SCHEDULES]
    for index, (call, expected) in enumerate(BOUNDARIES):
        kind = "money" if expected.startswith("$") else "number"
        lines.append(f"    output t{index}: {kind} = {call} not rounded\n")
    result = shown(tmp_path, "".join(lines))
    assert [result[f"t{i}"] for i in range(len(BOUNDARIES))] == [e for _, e in BOUNDARIES]


@pytest.mark.parametrize(("call", "shown_value"), [
    ("credit(100.01%)", "100.01%"), ("size(-1)", "-1"),
])
def test_schedule_outside_its_domain_raises_E0404(tmp_path: Path, call: str,
                                                  shown_value: str) -> None:
    kind = "money" if call.startswith("size") else "number"
    diagnostic = evaluation_error(tmp_path, SCHEDULES + f"output t: {kind} = {call} not rounded\n")
    assert diagnostic.code == "E0404"
    assert diagnostic.message.startswith(shown_value + " is outside every tier")


def test_schedule_of_not_scored_is_not_scored(tmp_path: Path) -> None:
    result = outputs(tmp_path, SCHEDULES + """\
        output t: number = credit(rate(COL, Black, performance)) not rounded
        """, org="B")
    assert isinstance(result["t"], NotScored)


@pytest.mark.parametrize(("tiers", "code"), [
    ("  below 0% pays 0\n  from 0% to 50% pays 1\n  from 40% pays 2\n", "E0303"),
    ("  up to 0% pays 0\n  from 0% pays 1\n", "E0303"),
    ("  below 0% pays 0\n  from 10% pays 1\n", "E0304"),
    ("  below 0% pays 0\n  above 0% pays 1\n", "E0304"),
    ("  from 0% pays 1\n", "E0304"),
    ("  below 0% pays 0\n  from 0 pays 1\n", "E0309"),
    ("  domain from 0% through 100%\n  from 0% through 100% pays 1\n  above 100% pays 2\n",
     "E0304"),
    ("  domain from 0% through 100%\n  from 0% to 100% pays 1\n", "E0304"),
    ("  below 0% pays 0\n  from 0% pays $1.00\n", "E0203"),
])
def test_schedule_coverage_is_proven(tmp_path: Path, tiers: str, code: str) -> None:
    body = "schedule s(x: percent): number\n" + tiers + "end\n"
    assert code in codes(refused(tmp_path, body))


def test_schedule_input_must_be_numeric(tmp_path: Path) -> None:
    body = "schedule s(x: date): number\n  below 0 pays 0\n  from 0 pays 1\nend\n"
    assert "E0309" in codes(refused(tmp_path, body))


# ---- exceptions ------------------------------------------------------------------------------


def test_exceptions_replace_the_general_rule(tmp_path: Path) -> None:
    result = run(tmp_path, """\
        define factor(m: measure): number = 1 per "Section 1"
          except 2 when m = HBD per "Section 1(a)"
        output f(m: measure): number = factor(m) not rounded
        output g(g: group): number = 0 not rounded
          except 5 when g in {Asian, Black}
          except 9 when g = White
        """)
    values = result.outputs()["A"]
    assert {k: display(v) for k, v in values["f"].items()} == {  # type: ignore[union-attr]
        "COL": "1", "HBD": "2"}
    assert {k: display(v) for k, v in values["g"].items()} == {  # type: ignore[union-attr]
        "Asian": "5", "Black": "5", "White": "9"}
    node = result.trace()["organizations"]["A"]["nodes"]["factor(HBD)"]
    assert node["citation"] == "Section 1(a)"


@pytest.mark.parametrize("exceptions", [
    "  except 1 when m = COL\n  except 2 when m = COL\n",
    "  except 1 when m = COL\n  except 2 when m in {HBD, COL}\n",
])
def test_overlapping_exceptions_are_refused(tmp_path: Path, exceptions: str) -> None:
    body = "define f(m: measure): number = 0\n" + exceptions
    assert codes(refused(tmp_path, body)) == ["E0305"]


def test_overlapping_exceptions_at_run_time_raise_E0403(tmp_path: Path) -> None:
    body = """\
        define f(m: measure): number = 0
          except 1 when m = COL
          except 2 when higher_is_better(m)
        output o(m: measure): number = f(m) not rounded
        """
    check(tmp_path, body)  # the overlap cannot be seen without evaluating
    diagnostic = evaluation_error(tmp_path, body)
    assert diagnostic.code == "E0403"
    assert "two exceptions of `f` apply at once" in diagnostic.message


def test_exception_value_has_the_rule_type(tmp_path: Path) -> None:
    body = "define f(m: measure): money = $1.00\n  except 2% when m = COL\n"
    assert codes(refused(tmp_path, body)) == ["E0203"]


def test_exception_condition_not_scored_gives_not_scored(tmp_path: Path) -> None:
    result = outputs(tmp_path, """\
        output o: number = 1
          not rounded
          except 2 when rate(COL, Black, performance) > 50%
        """, org="B")
    assert isinstance(result["o"], NotScored)
    assert result["o"].reason.startswith("cannot tell whether an exception applies")


# ---- amendments -----------------------------------------------------------------------------

AMENDED = """\
    parameter bonus: money = $100.00 per "Section 6"
      amended to $120.00 from 2024-07-01 per "Amendment 1"
      amended to $150.00 from 2025-07-01 per "Amendment 2"
    output o: money = bonus not rounded
    """


@pytest.mark.parametrize(("dates", "as_of", "expected"), [
    ("  settled as of 2024-06-30\n", None, "$100.00"),
    ("  settled as of 2024-07-01\n", None, "$120.00"),
    ("  settled as of 2025-06-30\n", None, "$120.00"),
    ("  settled as of 2025-07-01\n", None, "$150.00"),
    ("  effective 2024-01-01 to 2024-12-31\n", None, "$120.00"),
    ("  effective 2025-01-01 to 2025-12-31\n  settled as of 2025-03-31\n", None, "$120.00"),
    ("  settled as of 2025-07-01\n", datetime.date(2023, 1, 1), "$100.00"),
])
def test_amendment_in_force_on_the_settlement_date(
        tmp_path: Path, dates: str, as_of: datetime.date | None, expected: str) -> None:
    header = HEADER.replace("  settled as of 2024-12-31\n", dates)
    result = run(tmp_path, AMENDED, header=header, as_of=as_of)
    assert display(result.outputs()["A"]["o"]) == expected  # type: ignore[arg-type]
    node = result.trace()["organizations"]["A"]["nodes"]["bonus"]
    if expected != "$100.00":
        assert node["citation"].startswith("Amendment")


def test_amendment_without_a_date_raises_E0407(tmp_path: Path) -> None:
    header = HEADER.replace("  settled as of 2024-12-31\n", "")
    with pytest.raises(EqlangError) as caught:
        run(tmp_path, AMENDED, header=header)
    assert codes(caught.value.diagnostics) == ["E0407"]


def test_amendments_out_of_date_order(tmp_path: Path) -> None:
    body = """\
        parameter bonus: money = $100.00
          amended to $150.00 from 2024-09-01
          amended to $120.00 from 2024-03-01
        output o: money = bonus not rounded
        """
    assert shown(tmp_path, body)["o"] == "$150.00"


# ---- outputs and rounding ------------------------------------------------------------------


def _rounding_table() -> list[tuple[str, str, str]]:
    """(mode, amount, expected) from the rounding table of docs/language.md."""
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(r"^\| Mode \|(.*)\n\|[-|]+\|\n((?:\|.*\n)+)", text, re.M)
    assert match is not None
    amounts = [c.strip() for c in match.group(1).strip().strip("|").split("|")]
    cases = []
    for line in match.group(2).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        mode = re.match(r"`([a-z ]+)`", cells[0])
        assert mode is not None
        for amount, expected in zip(amounts, cells[1:], strict=True):
            cases.append((mode.group(1), amount, expected))
    assert len(cases) == 20
    return cases


@pytest.mark.parametrize(("mode", "amount", "expected"), _rounding_table())
def test_rounding_modes_agree_with_the_documentation(tmp_path: Path, mode: str, amount: str,
                                                     expected: str) -> None:
    amount = amount.replace("\N{MINUS SIGN}", "-")
    result = shown(tmp_path, f"output o: money = {amount} rounded to cents {mode}\n")
    assert result["o"] == expected.replace("\N{MINUS SIGN}", "-")


def test_rounding_targets(tmp_path: Path) -> None:
    result = outputs(tmp_path, """\
        output cents_up: money = $2 / 3 rounded to cents half up
        output dollars: money = $1,234.50 rounded to dollars half even
        output dollars_down: money = $1,234.99 rounded to dollars toward zero
        output percent: percent = 12.3456% rounded to 2 decimals half up
        output points: pp = 1.005 pp rounded to 2 decimals half even
        output members: count = 2.5 rounded to 0 decimals half even
        output exact: money = $2 / 3 not rounded
        output flag: yesno = yes not rounded
        """)
    assert quantity(result["cents_up"]) == Quantity("money", Decimal("0.67"))
    assert quantity(result["dollars"]) == Quantity("money", Decimal("1234"))
    assert quantity(result["dollars_down"]) == Quantity("money", Decimal("1234"))
    assert display(result["percent"]) == "12.35%"
    assert display(result["points"]) == "1 pp"
    assert display(result["members"]) == "2"
    assert str(quantity(result["exact"]).magnitude) == "0.6666666666666666666666666666666667"
    assert result["flag"] == Truth(True)


@pytest.mark.parametrize(("body", "code"), [
    ("output o: percent = 10% rounded to cents half up\n", "E0307"),
    ("output o: yesno = yes rounded to 2 decimals half up\n", "E0307"),
    ("output o(m: measure, g: group): number = 1 not rounded\n", "E0307"),
    ("output o(p: period): number = 1 not rounded\n", "E0307"),
    ("output o: number = round(1.5, places, half up) not rounded\n"
     "parameter places: count = 1\n", "E0308"),
])
def test_output_problems(tmp_path: Path, body: str, code: str) -> None:
    assert code in codes(refused(tmp_path, body))


def test_outputs_per_measure_and_per_group(tmp_path: Path) -> None:
    result = shown(tmp_path, """\
        output per_measure(m: measure): percent = rate(m, ALL, performance)
          rounded to 1 decimals half up
        output per_group(g: group): percent = rate(COL, g, baseline)
          rounded to 1 decimals half up
        """)
    assert result["per_measure"] == {"COL": "60%", "HBD": "20%"}
    assert result["per_group"] == {"Asian": "50%", "Black": "25%", "White": "66.7%"}


def test_output_uses_the_rounded_value_of_another_output(tmp_path: Path) -> None:
    result = shown(tmp_path, """\
        output third(m: measure): money = $1.00 / 3 rounded to cents half up
        output total: money = sum(third(m) for each m in measures) * 3 not rounded
        """)
    assert result["total"] == "$1.98"


# ---- builtins ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("expression", "kind", "expected"), [
    ("min(3, 1, 2)", "number", "1"),
    ("max(0 pp, 2 pp - 5 pp)", "pp", "0 pp"),
    ("clamp(1.5, 0, 1)", "number", "1"),
    ("clamp(-0.5, 0, 1)", "number", "0"),
    ("clamp($5.00, $1.00, $10.00)", "money", "$5.00"),
    ("abs(-3 pp)", "pp", "3 pp"),
    ("round(2 / 3, 2, half even)", "number", "0.67"),
    ("round(12.345%, 1, toward zero)", "percent", "12.3%"),
    ("sqrt(2.25)", "number", "1.5"),
    ("ln(1)", "number", "0"),
])
def test_builtin_functions(tmp_path: Path, expression: str, kind: str, expected: str) -> None:
    assert shown(tmp_path, f"output r: {kind} = {expression} not rounded\n")["r"] == expected


@pytest.mark.parametrize(("expression", "code"), [
    ("clamp(1, 2, 0)", "E0405"), ("sqrt(-1)", "E0401"), ("ln(0)", "E0401"),
])
def test_builtin_functions_without_a_result(tmp_path: Path, expression: str, code: str) -> None:
    diagnostic = evaluation_error(tmp_path, f"output r: number = {expression} not rounded\n")
    assert diagnostic.code == code


# ---- diagnostics and commands ----------------------------------------------------------------


def test_diagnostic_format(tmp_path: Path) -> None:
    diagnostic = refused(tmp_path, "parameter pool: money = $10.00\n"
                                   "define wrong: money = pool + 10%\n")[0]
    text = render(diagnostic)
    first = text.splitlines()[0]
    assert re.fullmatch(r".*contract\.eq:\d+:\d+: error\[E0201\]: cannot add money and a percent",
                        first), first
    assert "= hint: to take a share of an amount, multiply" in text
    assert text.splitlines()[-1] == "  = see: eqlang check --explain E0201"


def test_check_and_explain_commands(tmp_path: Path) -> None:
    pytest.importorskip("eqlang.codes")
    from click.testing import CliRunner

    from eqlang.cli import main

    runner = CliRunner()
    good = runner.invoke(main, ["check", str(SHOWCASE)])
    assert good.exit_code == 0, good.output
    assert good.output.strip() == f"{SHOWCASE}: ok (6 measures, 22 outputs)"
    explained = runner.invoke(main, ["check", "--explain", "E0201"])
    assert explained.exit_code == 0
    assert explained.output.startswith("E0201")
    bad = write_contract(_folder(tmp_path), "define r = $1.00 + 10%\n")
    failed = runner.invoke(main, ["check", str(bad)])
    assert failed.exit_code == 1
    assert "error[E0201]" in failed.output


# ---- the showcase contract --------------------------------------------------------------------


def test_showcase_checks(tmp_path: Path) -> None:
    program = load_contract(str(SHOWCASE))
    assert list(program.stratifications) == ["race", "ethnicity", "language", "area",
                                             "income"]
    kinds = [s.reference.kind for s in program.stratifications.values()]  # type: ignore[union-attr]
    assert kinds == ["group", "best", "rest", "whole", "group"]
    assert program.stratifications["income"].order == "least advantaged first"
    assert program.simulates
    assert program.stratifications["race"].spellings["Black"] == "Black or African American"
    assert {p.type for p in program.parameters.values()} >= {
        "money", "percent", "pp", "count", "number", "date", "yesno"}
    assert program.measures["SNS"].min_denominator == 20
    assert program.measures["DSF"].title == "Depression screening and follow-up"


def _showcase_constructs() -> dict[str, set[str]]:
    """What the showcase's syntax tree holds, by kind of construct."""
    from eqlang.check.names import _walk
    from eqlang.syntax import ast as s
    from eqlang.syntax.parse import parse
    from eqlang.syntax.source import read_source

    found: dict[str, set[str]] = {key: set() for key in (
        "nodes", "calls", "weighted", "policies", "references", "literals", "rounding",
        "operators", "tiers", "header", "types", "attributes", "domains")}
    for node in _walk(parse(read_source(SHOWCASE))):
        if type(node).__module__ == s.__name__:
            found["nodes"].add(type(node).__name__)
        if isinstance(node, s.Call):
            found["calls"].add(node.callee.dotted)
            if node.weighted_by is not None:
                found["weighted"].add(node.callee.dotted)
        elif isinstance(node, s.ForEach):
            found["policies"].add(node.not_scored or "none")
            found["domains"].update(type(b.domain).__name__ for b in node.binders)
        elif isinstance(node, s.Reference):
            found["references"].add(node.kind)
        elif isinstance(node, s.Literal):
            found["literals"].add(node.kind)
        elif isinstance(node, s.Rounding):
            found["rounding"].add(f"{node.unit} {node.mode}")
        elif isinstance(node, s.Binary | s.Compare):
            found["operators"].add(node.op)
        elif isinstance(node, s.Range):
            found["tiers"].add(node.kind)
        elif isinstance(node, s.HeaderField):
            found["header"].add(node.kind)
        elif isinstance(node, s.Param | s.Parameter):
            found["types"].add(node.type)
        elif isinstance(node, s.MeasureAttribute):
            found["attributes"].add(node.kind)
    return found


def test_showcase_uses_every_construct_of_the_core_language() -> None:
    """The language core's list of constructs, each found in the showcase contract."""
    found = _showcase_constructs()
    assert found["header"] >= {"payer", "provider_each", "currency", "period", "version",
                               "effective", "settled_as_of"}
    assert found["attributes"] >= {"higher_is_better", "weight", "minimum_denominator"}
    assert found["references"] == {"group", "best", "whole", "rest"}
    assert found["types"] >= {"money", "percent", "pp", "count", "number", "date", "yesno",
                              "text", "measure", "group", "period", "stratification",
                              "organization"}
    assert found["literals"] >= {"money", "percent", "points", "number", "date", "text",
                                 "yesno"}
    assert found["operators"] >= {"+", "-", "*", "/", "=", "!=", "<", "<=", ">", ">="}
    assert found["nodes"] >= {
        "Import", "Measure", "Stratification", "Parameter", "Amendment", "Definition",
        "Output", "Exception_", "Schedule", "Invariant", "Example", "If", "And", "Or", "Not",
        "Negate", "Otherwise", "Because", "NotScoredLiteral", "IsScored", "MemberOf",
        "AtOrganization", "WholePopulation", "Simulated", "SimulationOption", "Listed",
        "FocusGroups", "StratificationGroups", "AllMeasures", "AllOrganizations",
        "RoundingMode", "ExampleOrganization", "ExampleSet", "ExampleAsOf", "ExampleTable",
        "ExampleRows", "Expectation"}
    assert found["domains"] >= {"Listed", "FocusGroups", "StratificationGroups",
                                "AllMeasures", "AllOrganizations"}
    assert found["calls"] >= {"min", "max", "clamp", "abs", "round", "rate", "numerator",
                              "denominator", "sum", "mean", "count", "all", "any", "median",
                              "percentile", "reference", "rest", "weight",
                              "min_denominator", "higher_is_better", "sqrt", "ln", "exp",
                              "normal_quantile", "position"}
    assert found["weighted"] >= {"mean"}
    assert found["policies"] == {"none", "skip", "zero", "rescale", "propagate"}
    assert found["tiers"] == {"below", "up_to", "above", "from", "from_to", "from_through"}
    assert found["rounding"] >= {"cents half up", "cents half even", "decimals half even",
                                 "decimals half down", "decimals away from zero",
                                 "dollars toward zero", "None None"}


def test_showcase_settles() -> None:
    result = settle(load_contract(str(SHOWCASE)), [str(SHOWCASE_TABLE)])
    values = result.outputs()
    assert sorted(values) == ["Bayside Community Health", "Granite Hills ACO",
                              "Riverbend Health Alliance"]
    for org_values in values.values():
        for value in org_values.values():
            for item in (value.values() if isinstance(value, dict) else [value]):
                assert isinstance(item, Quantity | Truth | NotScored)
                if isinstance(item, Quantity):
                    assert item.unit in ("money", "percent", "pp", "count", "number")
    bayside = values["Bayside Community Health"]
    # Amendment 1 is in force on 2025-06-30: the pool is $1,650,000.00, and HBD (20%) is
    # fully earned.
    assert display(bayside["measure_payout"]["HBD"]) == "$330,000.00"  # type: ignore[index]
    assert display(bayside["language_bonus"]) == "$50,000.00"
    total = quantity(bayside["total_payment"]).magnitude
    assert total == quantity(bayside["equity_payment"]).magnitude + Decimal("50000.00")
    granite = values["Granite Hills ACO"]
    hbd = quantity(granite["measure_payout"]["HBD"])  # type: ignore[index]
    assert hbd.magnitude == 0
    riverbend = values["Riverbend Health Alliance"]
    assert isinstance(riverbend["measure_payout"]["SNS"], NotScored)  # type: ignore[index]
    # SNS is not scored, so the other weights are rescaled over 90%; the weighted sum with
    # `not scored: rescale` gives the same shares, summed.
    pool = Decimal("1650000.00")
    payouts = [quantity(v).magnitude for v in riverbend["measure_payout"].values()  # type: ignore[union-attr]
               if isinstance(v, Quantity)]
    share = quantity(riverbend["earned_share"]).magnitude
    assert abs(sum(payouts) - pool * share) <= Decimal("0.005") * len(payouts)
    nodes = result.trace()["organizations"]["Riverbend Health Alliance"]["nodes"]
    assert display(Quantity("percent", Decimal(nodes["rescaled_weight(COL)"]["value"]["value"])
                            / 100)) == display(Quantity("percent", Decimal(25) / 90))


def test_showcase_trace() -> None:
    result = settle(load_contract(str(SHOWCASE)), [str(SHOWCASE_TABLE)])
    trace = json.loads(result.trace_json())
    assert [m["path"] for m in trace["contract"]["modules"]] == [
        "<stdlib>/hedis.eq", "lib/plan_measures.eq"]
    granite = trace["organizations"]["Granite Hills ACO"]["nodes"]
    assert granite["measure_score(HBD)"]["note"] == "the whole-population rate fell by 1 pp or more"
    pool = granite["pool"]
    assert (pool["value"]["value"], pool["citation"]) == ("1650000.00", "Amendment 1, section 2")
    assert granite["measure_score(WCV)"]["citation"] == "Pediatric rider, section 2"


# ---- the documentation -----------------------------------------------------------------------


def _doc_blocks() -> list[tuple[int, str, str]]:
    """(line, kind, text) of every ```eqlang and ```eqlang-wrong block of the document."""
    text = DOCS.read_text(encoding="utf-8")
    blocks = []
    for match in re.finditer(r"^```(eqlang(?:-wrong)?)\n(.*?)^```$", text, re.M | re.S):
        line = text.count("\n", 0, match.start()) + 1
        blocks.append((line, match.group(1), match.group(2)))
    return blocks


def _has_header(block: str) -> bool:
    return any(line.startswith("contract ") for line in block.splitlines())


DOC_BLOCKS = _doc_blocks()
FILE_MARK = "# file: "


def _doc_folder(tmp_path: Path) -> Path:
    """A folder holding the module files that the examples write (``# file: PATH``)."""
    for _, _, block in DOC_BLOCKS:
        first = block.splitlines()[0]
        if first.startswith(FILE_MARK):
            path = tmp_path / first[len(FILE_MARK):]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(block, encoding="utf-8")
    return tmp_path


def _doc_source(block: str) -> str:
    running_example = DOC_BLOCKS[0][2]
    return block if _has_header(block) else running_example + "\n" + block


def test_documentation_has_examples() -> None:
    kinds = [kind for _, kind, _ in DOC_BLOCKS]
    assert kinds.count("eqlang") >= 20
    assert _has_header(DOC_BLOCKS[0][2])


@pytest.mark.parametrize(("line", "kind", "block"),
                         [b for b in DOC_BLOCKS if b[1] == "eqlang"],
                         ids=[f"line{b[0]}" for b in DOC_BLOCKS if b[1] == "eqlang"])
def test_documentation_example_checks(tmp_path: Path, line: int, kind: str, block: str) -> None:
    from eqlang.syntax.parse import parse
    from eqlang.syntax.source import SourceFile

    parse(SourceFile(f"language.md:{line}", block))
    folder = _doc_folder(tmp_path)
    if block.startswith(FILE_MARK):
        return
    path = folder / f"example_{line}.eq"
    path.write_text(_doc_source(block), encoding="utf-8")
    load_contract(str(path))


@pytest.mark.parametrize(("line", "kind", "block"),
                         [b for b in DOC_BLOCKS if b[1] == "eqlang-wrong"],
                         ids=[f"line{b[0]}" for b in DOC_BLOCKS if b[1] == "eqlang-wrong"])
def test_documentation_wrong_example_is_refused(tmp_path: Path, line: int, kind: str,
                                                block: str) -> None:
    expected = re.search(r"error\[(E\d{4})\]", block)
    assert expected is not None, "a refused example names its error code"
    path = tmp_path / f"example_{line}.eq"
    path.write_text(_doc_source(block), encoding="utf-8")
    with pytest.raises(EqlangError) as caught:
        load_contract(str(path))
    assert expected.group(1) in codes(caught.value.diagnostics)


def test_running_example_settles(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    path = folder / "example.eq"
    path.write_text(DOC_BLOCKS[0][2], encoding="utf-8")
    table = folder / "table.csv"
    table.write_text(TABLE_HEADER + textwrap.dedent("""\
        A,COL,ALL,2024,60,100
        A,COL,White,2024,45,60
        A,COL,Black or African American,2024,14,20
        A,COL,Asian,2024,8,10
        A,COL,Hispanic,2024,5,10
        """), encoding="utf-8")
    result = settle(load_contract(str(path)), [str(table)])
    # Gaps to White's 75%: Asian 0 pp, Black 5 pp, Hispanic 25 pp; one of three is closed.
    payout = quantity(result.outputs()["A"]["payout"])
    assert payout == Quantity("money", Decimal("333333.33"))


def _settle_doc_example(tmp_path: Path, marker: str) -> tuple[Run, str]:
    """Settle the documentation's example that holds ``marker`` on the ```csv table shown
    after it; also give the text from the example on, to compare with what it says."""
    text = DOCS.read_text(encoding="utf-8")
    block = next(b for _, kind, b in DOC_BLOCKS if kind == "eqlang" and marker in b)
    after = text[text.index(marker):]
    csv = re.search(r"^```csv\n(.*?)^```$", after, re.M | re.S)
    assert csv is not None, f"no table after {marker!r}"
    folder = _doc_folder(tmp_path)
    (folder / "example.eq").write_text(_doc_source(block), encoding="utf-8")
    (folder / "example.csv").write_text(csv.group(1), encoding="utf-8")
    run_ = settle(load_contract(str(folder / "example.eq")), [str(folder / "example.csv")])
    return run_, " ".join(after[:csv.end() + 1000].split())


def test_module_example_of_the_documentation_settles(tmp_path: Path) -> None:
    """Section 4's module example, settled on the table it shows, pays what the text says."""
    run_, text = _settle_doc_example(tmp_path, 'contract "Plan-standard equity terms"')
    paid = run_.outputs()["Harbor Clinic"]["measure_payout"]
    assert isinstance(paid, dict)
    assert {m: display(v) for m, v in paid.items()} == {"COL": "$60,000.00",
                                                       "CBP": "$30,000.00"}
    for measure, value in paid.items():
        assert f"`measure_payout({measure})` is {display(value)}" in text
    nodes = run_.trace()["organizations"]["Harbor Clinic"]["nodes"]
    assert "plan.gap(COL, Black, baseline)" in nodes


def test_rescale_example_of_the_documentation_settles(tmp_path: Path) -> None:
    """Section 12's rescale example, settled on the table it shows, gives what it says."""
    run_, text = _settle_doc_example(tmp_path, "output weighted_payout: money =")
    nodes = run_.trace()["organizations"]["Harbor Clinic"]["nodes"]
    payout, credit = nodes["weighted_payout"], nodes["weighted_credit"]
    assert payout["value"] == {"type": "money", "value": "1000000.00"}
    assert "`weighted_payout` is $1,000,000.00" in text
    assert credit["value"] == {"type": "number", "value": "1"}
    assert "`weighted_credit` is 1." in text
    assert f'reads: "{payout["note"]}"' in text


def test_rescale_with_a_filter_that_is_not_scored(tmp_path: Path) -> None:
    body = GROUP_WEIGHTS + """\
        output r: percent = sum(rate(COL, g, performance) weighted by w(g) for each g in groups
                                where rate(COL, g, performance) > 50%, not scored: rescale)
          not rounded
        """
    value = outputs(tmp_path, body, rows=ROWS + "B,COL,White,2024,35,50\n", org="B")["r"]
    assert value == NotScored("a `where` filter is not scored: Asian has no members in COL "
                              "2024 (denominator 0)")


def test_reserved_words_section_lists_the_declaration_keywords() -> None:
    text = " ".join(DOCS.read_text(encoding="utf-8").split())
    listed = ", ".join(f"`{k}`" for k in DECLARATION_KEYWORDS)
    assert f"The twelve words that start a declaration ({listed}) are never names" in text
    assert len(DECLARATION_KEYWORDS) == 12
