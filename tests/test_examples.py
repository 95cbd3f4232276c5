"""Worked examples: checking them (E0801-E0806 and the table rules), running them with
``eqlang test``, the report of a failure, coverage, the command's exit codes, the Python API,
and the examples shipped in the contracts and in docs/language.md."""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from eqlang.api import example_coverage, load_contract, run_examples
from eqlang.cli import main
from eqlang.data.tables import load_table
from eqlang.diagnostics import Diagnostic, EqlangError
from eqlang.tools.coverage import render_coverage
from eqlang.tools.examples import render_results

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = sorted((ROOT / "contracts").glob("*.eq"))
DOCS = ROOT / "docs" / "language.md"

# Black members' COL gap to White is scored by a schedule: within 2 pp earns full credit.
TERMS = """\
contract "Test terms"
  provider each organization
  currency USD
  period baseline is "2022"
  period performance is "2024"
  settled as of 2024-12-31
end

measure COL "Colorectal cancer screening" higher is better weight 60%
measure HBD "HbA1c poor control" lower is better weight 40%

stratification race
  groups "Black or African American" as Black, White
  reference White
end

parameter pool: money = $1,000.00
  amended to $2,000.00 from 2024-07-01

schedule credit(gap: pp): number
  up to 2 pp pays 1
  above 2 pp pays 0
end

define gap(m: measure, p: period): pp =
  max(0 pp, rate(m, White, p) - rate(m, Black, p))

define score(m: measure): number =
  credit(gap(m, performance)) otherwise 0
  except 1 when m = HBD

output measure_payout(m: measure): money =
  pool * weight(m) * score(m)
  rounded to cents half up

output payout: money =
  sum(measure_payout(m) for each m in measures)
  rounded to cents half up
"""

# Black 70% against White 71%: a 1 pp gap, within 2 pp.
CLOSED = """\
    COL White 2024: 71 of 100
    COL Black 2024: 70 of 100
"""


#: The examples of a test start on the line after this one (TERMS, then a blank line).
BEFORE = TERMS.count("\n") + 1


def at(line: int) -> int:
    """A line of a test's examples, counted in the contract file."""
    return BEFORE + line


def write(folder: Path, examples: str, terms: str = TERMS, name: str = "terms.eq") -> Path:
    path = folder / name
    path.write_text(terms + "\n" + textwrap.dedent(examples), encoding="utf-8")
    return path


def example(title: str, rows: str, expectations: str, extra: str = "") -> str:
    return (f'example "{title}"\n{textwrap.indent(textwrap.dedent(extra), "  ")}  rows\n'
            f"{textwrap.indent(textwrap.dedent(rows), '    ')}"
            f"{textwrap.indent(textwrap.dedent(expectations), '  ')}end\n")


def refused(folder: Path, examples: str, terms: str = TERMS) -> tuple[Diagnostic, ...]:
    with pytest.raises(EqlangError) as caught:
        load_contract(str(write(folder, examples, terms)))
    return caught.value.diagnostics


def where(diagnostic: Diagnostic) -> str:
    """``CODE LINE:COL message``, lines counted from the first line of the examples."""
    assert diagnostic.span is not None, diagnostic
    return (f"{diagnostic.code} {diagnostic.span.line - BEFORE}:{diagnostic.span.column} "
            f"{diagnostic.message}")


def report(folder: Path, examples: str, terms: str = TERMS) -> str:
    program = load_contract(str(write(folder, examples, terms)))
    return render_results(program, run_examples(program))


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


# ---- passing examples ---------------------------------------------------------------------


def test_an_example_that_holds_passes(tmp_path: Path) -> None:
    text = report(tmp_path, example("gap closed", CLOSED, """\
        expect gap(COL, performance) = 1 pp
        expect score(COL) = 1
        expect measure_payout(COL) = $1,200
        expect measure_payout(HBD) = $800.00
        expect payout = $2,000.00
        """))
    # $1,200 and $1,200.00 are the same decimal; the settlement date picks Amendment 1.
    assert text == f'{tmp_path}/terms.eq:{at(1)}:1: example "gap closed": ok (5 expectations)\n'


def test_set_and_as_of_change_what_the_example_settles(tmp_path: Path) -> None:
    text = report(tmp_path, example("before the amendment", CLOSED, """\
        expect payout = $1,000.00
        """, extra="as of 2024-06-30\n") + example("a larger pool", CLOSED, """\
        expect payout = $5,000.00
        """, extra="set pool = $5,000.00\n"))
    assert text.count(": ok (1 expectation)") == 2, text


def test_not_scored_matches_not_scored_and_the_reason_given(tmp_path: Path) -> None:
    rows = "COL White 2024: 71 of 100\n"
    text = report(tmp_path, example("no Black members", rows, """\
        expect gap(COL, performance) is not scored
        """) + example("the reason", rows, """\
        expect gap(COL, performance) is not scored because "has no members"
        """) + example("reason differs", rows, """\
        expect gap(COL, performance) is not scored because "too few members"
        """) + example("a value where none is", rows, """\
        expect score(COL) is not scored
        """))
    lines = text.splitlines()
    assert lines[0].endswith('example "no Black members": ok (1 expectation)')
    assert lines[1].endswith('example "the reason": ok (1 expectation)')
    assert lines[2].endswith('example "reason differs": FAILED, 1 of 1 expectation not met')
    assert lines[4] == '    expected not scored (with a reason containing "too few members")'
    assert lines[5] == ("    actual   not scored (Black has no members in COL 2024 "
                        "(denominator 0))")
    failed = text[text.index('"a value where none is"'):]
    # The schedule's input is not scored, so `otherwise` gives 0: a value, not "not scored".
    assert "    actual   0\n" in failed
    assert "used the fallback of `credit(gap(m, performance)) otherwise 0`" in failed


def test_the_organization_comes_from_the_rows_the_table_or_the_header(tmp_path: Path) -> None:
    (tmp_path / "small.csv").write_text(
        "org,measure,group,period,numerator,denominator\n"
        "Harbor ACO,COL,White,2024,71,100\n"
        "Harbor ACO,COL,Black or African American,2024,70,100\n", encoding="utf-8")
    path = write(tmp_path, """\
        example "from a table file"
          table "small.csv"
          expect payout = $2,000.00
        end

        example "rows without an organization"
          rows
            COL White 2024: 71 of 100
          expect score(HBD) = 1
        end
        """)
    program = load_contract(str(path))
    assert [e.organization for e in program.examples] == ["Harbor ACO", "Example organization"]
    assert all(r.passed for r in run_examples(program))
    named = TERMS.replace("provider each organization", 'provider "Harbor ACO"')
    program = load_contract(str(write(tmp_path, example("x", CLOSED, "expect score(COL) = 1\n"),
                                      named, "named.eq")))
    assert program.examples[0].organization == "Harbor ACO"


def test_rows_for_peers(tmp_path: Path) -> None:
    terms = TERMS + textwrap.dedent("""\
        define peer_best: percent =
          max(rate(COL, ALL, performance) at o for each o in organizations)
        """)
    text = report(tmp_path, """\
        example "compared with a peer"
          organization "Harbor ACO"
          rows
            COL ALL 2024: 70 of 100
          rows for "Peer ACO"
            COL ALL 2024: 80 of 100
          expect peer_best = 80%
        end
        """, terms)
    assert text.endswith('"compared with a peer": ok (1 expectation)\n'), text


# ---- failing examples -----------------------------------------------------------------------


def test_a_failure_shows_expected_actual_and_where_the_values_part(tmp_path: Path) -> None:
    # Black 66% against White 71%: a 5 pp gap, so COL earns nothing.
    text = report(tmp_path, example("gap still open", """\
        COL White 2024: 71 of 100
        COL Black 2024: 66 of 100
        """, """\
        expect measure_payout(HBD) = $800.00
        expect payout = $2,000.00
        """))
    path = f"{tmp_path}/terms.eq"
    assert text == textwrap.dedent(f"""\
        {path}:{at(1)}:1: example "gap still open": FAILED, 1 of 2 expectations not met
          {path}:{at(6)}:3: expect payout = $2,000.00
            expected $2,000.00
            actual   $800.00
            where they part:
              payout = $800.00 (output at {path}:36:1)
                = sum(measure_payout(m) for each m in measures), rounded to cents half up
                uses measure_payout(COL) = $0.00
                uses measure_payout(HBD) = $800.00 [as this example expects, {path}:{at(5)}:3]
        """)


def test_a_failure_follows_a_value_passed_on_to_the_rule_that_made_it(tmp_path: Path) -> None:
    terms = TERMS + "output reported: money = measure_payout(COL) not rounded\n"
    text = report(tmp_path, example("gap still open", """\
        COL White 2024: 71 of 100
        COL Black 2024: 66 of 100
        """, "expect reported = $1,200.00\n"), terms)
    chain = text[text.index("where they part:"):]
    assert chain.splitlines()[1:] == [
        f"      reported = $0.00 (output at {tmp_path}/terms.eq:39:1)",
        "        passes on the value of measure_payout(COL):",
        f"      measure_payout(COL) = $0.00 (output at {tmp_path}/terms.eq:32:1)",
        "        = pool $2,000.00 × weight(COL) 60% × score(COL) 0, rounded to cents half up",
        "        uses pool = $2,000.00",
        "        uses weight(COL) = 60%",
        "        uses score(COL) = 0",
        "          no exception applied; used the general rule (29:3)",
        "          did not need the fallback of `credit(gap(m, performance)) otherwise 0` (29:3)",
    ]


def test_a_failure_names_other_unmet_expectations_it_meets(tmp_path: Path) -> None:
    terms = TERMS + "output reported: money = measure_payout(COL) not rounded\n"
    text = report(tmp_path, example("two wrong", """\
        COL White 2024: 71 of 100
        COL Black 2024: 66 of 100
        """, """\
        expect reported = $1,200.00
        expect measure_payout(COL) = $1,200.00
        """), terms)
    assert "FAILED, 2 of 2 expectations not met" in text
    assert (f"measure_payout(COL) = $0.00 (output at {tmp_path}/terms.eq:32:1) "
            f"[this example expects $1,200.00, {tmp_path}/terms.eq:{at(7)}:3]") in text
    assert "(this example expects another value here; that failure is shown on its own)" in text


def test_decisions_on_the_way_are_shown(tmp_path: Path) -> None:
    text = report(tmp_path, example("gap still open", """\
        COL White 2024: 71 of 100
        COL Black 2024: 66 of 100
        """, "expect score(COL) = 1\n"))
    chain = text[text.index("where they part:"):].splitlines()[1:]
    assert chain == [
        f"      score(COL) = 0 (rule at {tmp_path}/terms.eq:28:1)",
        "        no exception applied; used the general rule (29:3)",
        "        did not need the fallback of `credit(gap(m, performance)) otherwise 0` (29:3)",
        "        passes on the value of credit(5 pp):",
        f"      credit(5 pp) = 0 (schedule at {tmp_path}/terms.eq:20:1)",
        "        used the tier `above 2 pp pays 0` (22:3)",
    ]


def test_a_settlement_that_stops_is_an_error_of_the_example(tmp_path: Path) -> None:
    terms = TERMS + "output whole: percent = rate(COL, ALL, performance) not rounded\n"
    text = report(tmp_path, example("no ALL row", CLOSED, "expect payout = $2,000.00\n"), terms)
    lines = text.splitlines()
    assert lines[0].endswith('example "no ALL row": ERROR, the settlement stopped')
    assert "error[E0402]: the table has no ALL row for organization Example organization" \
        in lines[1]


# ---- checking examples ----------------------------------------------------------------------


def test_rows_name_what_the_contract_reads(tmp_path: Path) -> None:
    diagnostics = refused(tmp_path, example("bad rows", """\
        CLO White 2024: 1 of 2
        COL Whyte 2024: 1 of 2
        COL "Black" 2024: 1 of 2
        COL "Blakc or African American" 2024: 1 of 2
        COL White 2023: 1 of 2
        COL White perfomance: 1 of 2
        COL "Black or African American" performance: 1 of 2
        COL ALL "2022": 3 of 4
        """, "expect payout = $0.00\n"))
    assert [where(d) for d in diagnostics] == [
        "E0801 3:5 `CLO` is not a measure of the contract",
        "E0801 4:9 `Whyte` is not a group of the contract",
        'E0801 5:9 the table spells group `Black` as "Black or African American"',
        'E0801 6:9 no group of the contract is spelled "Blakc or African American"',
        'E0801 7:15 the contract has no period labelled "2023"',
        "E0801 8:15 `perfomance` is not a period of the contract",
    ]
    hints = [d.hint for d in diagnostics]
    assert hints[0] == "did you mean `COL`?"
    assert hints[2] == 'write `Black` without quotes, or "Black or African American"'
    assert hints[3] == "did you mean `Black or African American`?"
    assert hints[4] == ('write a period\'s name or its label: baseline ("2022"), '
                        'performance ("2024")')


def test_rows_obey_the_table_rules_with_the_same_messages(tmp_path: Path) -> None:
    diagnostics = refused(tmp_path, example("bad counts", """\
        COL White 2024: 71 of 100
        COL White 2024: 72 of 100
        COL Black 2024: 80 of 70
        """, "expect payout = $0.00\n"))
    assert [where(d) for d in diagnostics] == [
        "E0505 4:5 duplicate row for org `Example organization`, measure `COL`, group "
        f"`White`, period `2024` (first on line {at(3)})",
        "E0504 5:21 numerator 80 is greater than denominator 70",
    ]
    # A CSV table with the same mistakes gets the same words.
    csv = tmp_path / "same.csv"
    csv.write_text("org,measure,group,period,numerator,denominator\n"
                   "Example organization,COL,White,2024,71,100\n"
                   "Example organization,COL,White,2024,72,100\n"
                   "Example organization,COL,Black,2024,80,70\n", encoding="utf-8")
    with pytest.raises(EqlangError) as caught:
        load_table(csv)
    table_messages = [(d.code, d.message, d.hint) for d in caught.value.diagnostics]
    example_messages = [(d.code, d.message, d.hint) for d in diagnostics]
    assert [m[0] for m in table_messages] == ["E0505", "E0504"]
    assert table_messages[0][1].replace("line 2", f"line {at(3)}") == example_messages[0][1]
    assert table_messages[1:] == example_messages[1:]
    assert table_messages[0][2] == example_messages[0][2]


def test_rows_and_a_table_file_cannot_repeat_a_row(tmp_path: Path) -> None:
    (tmp_path / "small.csv").write_text(
        "org,measure,group,period,numerator,denominator\n"
        "Example organization,COL,White,2024,71,100\n", encoding="utf-8")
    diagnostics = refused(tmp_path, example("twice", CLOSED, "expect payout = $0.00\n",
                                            extra='table "small.csv"\n'))
    assert [(d.code, d.message) for d in diagnostics] == [(
        "E0505", "duplicate row for org `Example organization`, measure `COL`, group "
        f"`White`, period `2024`: also in `{tmp_path}/small.csv` line 2")]
    assert diagnostics[0].span is not None and diagnostics[0].span.line == at(4)


def test_expectations_name_outputs_and_definitions(tmp_path: Path) -> None:
    diagnostics = refused(tmp_path, example("bad expectations", CLOSED, """\
        expect payot = $0.00
        expect pool = $1,000.00
        expect credit(COL) = 1
        expect measure_payout = $0.00
        expect measure_payout(CLO) = $0.00
        expect gap(COL, Black) = 1 pp
        expect payout = $2,000.00
        expect payout = $2,000.00
        """))
    assert [where(d) for d in diagnostics] == [
        "E0802 5:10 the contract has no output or definition `payot`",
        "E0802 6:10 `pool` is a parameter, not a value the contract computes",
        "E0802 7:10 `credit` is a schedule; its input is a number, which an example cannot "
        "name",
        "E0802 8:3 `measure_payout` takes 1 argument, but the expectation gives 0",
        "E0802 9:25 `CLO` is not a measure of the contract",
        "E0802 10:19 `Black` is not a period of the contract",
        "E0802 12:3 the example expects a value of `payout` twice",
    ]
    assert diagnostics[0].hint == "did you mean `payout`?"
    assert diagnostics[3].hint == ("name one measure, group or period for each: "
                                   "`measure_payout(m: measure)`")


def test_expected_values_must_be_possible(tmp_path: Path) -> None:
    diagnostics = refused(tmp_path, example("bad values", CLOSED, """\
        expect payout = 2000
        expect measure_payout(COL) = $1,200.001
        expect gap(COL, performance) = 1%
        expect score(COL) = yes
        """))
    assert [where(d) for d in diagnostics] == [
        "E0803 5:19 `payout` gives money, but the expected value is a number",
        "E0803 6:32 `measure_payout` is rounded to cents, so it is never $1,200.001",
        "E0803 7:34 `gap` gives percentage points, but the expected value is a percent",
        "E0803 8:23 `score` gives a number, but the expected value is yes/no",
    ]
    assert diagnostics[0].hint == "write amounts with a dollar sign: `$1,000.00`"
    assert diagnostics[2].hint == ("a gap between rates is in percentage points: write "
                                   "`2 pp`, not `2%`")
    # Trailing zeros add no decimals: $2,000.000 can be a value rounded to cents.
    load_contract(str(write(tmp_path, example("zeros", CLOSED, "expect payout = $2,000.000\n"))))


def test_set_must_name_a_parameter_with_a_value_of_its_type(tmp_path: Path) -> None:
    diagnostics = refused(tmp_path, example("bad settings", CLOSED, "expect payout = $0.00\n",
                                            extra="set pool = 1000\nset pol = $1.00\n"
                                            "set pool = $1.00\n"))
    assert [where(d) for d in diagnostics] == [
        "E0804 2:14 `pool` is money, but `1000` is a number",
        "E0804 3:3 the contract has no parameter `pol`",
        "E0804 4:3 the example sets `pool` twice",
    ]
    assert diagnostics[1].hint == "did you mean `pool`?"


def test_set_refuses_a_negative_count(tmp_path: Path) -> None:
    terms = TERMS + "parameter minimum_size: count = 30\n"
    diagnostic, = refused(tmp_path, example("negative", CLOSED, "expect payout = $0.00\n",
                                            extra="set minimum_size = -3\n"), terms)
    assert diagnostic.code == "E0804" and diagnostic.span is not None
    assert (diagnostic.span.line - BEFORE - 1, diagnostic.span.column) == (2, 22)
    assert diagnostic.message == ("`minimum_size` is a count, which cannot be negative, but "
                                  "it is given `-3`")
    assert diagnostic.hint == "a count is a number of members: write zero or more, like `30`"


def test_an_example_needs_a_table_expectations_and_one_organization(tmp_path: Path) -> None:
    diagnostics = refused(tmp_path, """\
        example "empty"
        end

        example "empty"
          organization "A"
          organization "B"
          as of 2024-12-31
          as of 2025-01-31
          rows
            COL White 2024: 71 of 100
          expect payout = $0.00
        end

        example "two organizations"
          rows for "A"
            COL White 2024: 71 of 100
          rows for "B"
            COL White 2024: 71 of 100
          expect payout = $0.00
        end
        """)
    assert [where(d) for d in diagnostics] == [
        'E0805 1:1 example "empty" has no measure table',
        'E0805 1:1 example "empty" expects nothing',
        'E0805 4:1 two examples are called "empty"',
        "E0805 6:3 the example gives its organization twice",
        "E0805 8:3 the example gives its settlement date (`as of`) twice",
        "E0805 14:1 the example's tables hold several organizations; say which one the "
        "expectations are about",
    ]
    assert diagnostics[-1].hint == 'add `organization "A"`; the tables hold: A, B'


def test_the_organization_must_have_rows_and_be_the_provider(tmp_path: Path) -> None:
    diagnostics = refused(tmp_path, """\
        example "elsewhere"
          organization "Harbour ACO"
          rows for "Harbor ACO"
            COL White 2024: 71 of 100
          expect payout = $0.00
        end
        """)
    assert [where(d) for d in diagnostics] == [
        'E0805 2:3 the example\'s tables have no rows for organization "Harbour ACO"']
    assert diagnostics[0].hint == "did you mean `Harbor ACO`?"
    named = TERMS.replace("provider each organization", 'provider "Harbor ACO"')
    with pytest.raises(EqlangError) as caught:
        load_contract(str(write(tmp_path, example("x", CLOSED, "expect payout = $0.00\n",
                                                  extra='organization "Harbour ACO"\n'),
                                named)))
    assert [d.message for d in caught.value.diagnostics] == [
        'the contract settles only "Harbor ACO", not "Harbour ACO"']


def test_table_files_stay_in_the_contract_folder(tmp_path: Path) -> None:
    folder = tmp_path / "terms"
    folder.mkdir()
    (tmp_path / "outside.csv").write_text("org,measure,group,period,numerator,denominator\n",
                                          encoding="utf-8")
    (folder / "link.csv").symlink_to(tmp_path / "outside.csv")
    os.mkfifo(folder / "pipe.csv")
    diagnostics = refused(folder, """\
        example "tables"
          table "../outside.csv"
          table "/etc/passwd"
          table "link.csv"
          table "missing.csv"
          table "pipe.csv"
          expect payout = $0.00
        end
        """)
    located = sorted((d.code, d.span.line if d.span else 0, d.message) for d in diagnostics)
    offset = TERMS.count("\n") + 1
    assert located == [
        ("E0501", 0, "cannot read table: no such file"),
        ("E0501", offset + 6, "`pipe.csv` is not a regular file"),
        ("E0806", offset + 2, "`../outside.csv` is a path outside its folder; an example may "
                              "read only tables in the contract's own folder"),
        ("E0806", offset + 3, "`/etc/passwd` is an absolute path; an example may read only "
                              "tables in the contract's own folder"),
        ("E0806", offset + 4, "`link.csv` is a path that leads outside its folder through a "
                              "link; an example may read only tables in the contract's own "
                              "folder"),
    ]
    missing = next(d for d in diagnostics if d.message.endswith("no such file"))
    assert missing.path == f"{folder}/missing.csv"
    assert missing.notes[-1].message == "the example names the table here"


def test_examples_belong_to_a_contract(tmp_path: Path) -> None:
    module = example("in a module", CLOSED, "expect payout = $0.00\n")
    (tmp_path / "lib.eq").write_text(module, encoding="utf-8")
    terms = TERMS.replace("end\n\nmeasure", 'end\n\nimport "lib.eq" as lib\n\nmeasure', 1)
    diagnostics = refused(tmp_path, "", terms)
    assert [(d.code, d.span.path if d.span else None, d.message) for d in diagnostics] == [
        ("E0805", "lib.eq", "an imported module cannot carry worked examples")]
    with pytest.raises(EqlangError) as caught:
        load_contract(str(tmp_path / "lib.eq"))
    assert [d.message for d in caught.value.diagnostics] == [
        "a worked example needs a contract header"]


MODULE_TERMS = TERMS.replace(
    "end\n\nmeasure", 'end\n\nimport disparity\nimport "lib.eq" as lib\n\nmeasure', 1)
LIB = """\
parameter bonus: money = $100.00
define doubled_gap(m: measure, g: group, p: period): pp =
  2 * (rate(m, reference(m, g, p), p) - rate(m, g, p))
define bonus_due: money = bonus
"""


def test_expectations_and_settings_may_name_what_modules_declare(tmp_path: Path) -> None:
    """A module's rule is expected, and its parameter set, by the name the contract uses."""
    (tmp_path / "lib.eq").write_text(LIB, encoding="utf-8")
    text = report(tmp_path, example("module values", CLOSED, """\
        expect lib.doubled_gap(COL, Black, performance) = 2 pp
        expect lib.bonus_due = $250.00
        expect disparity.gap_to_reference(COL, Black, performance) = 1 pp
        expect disparity.weighted_mean_rate(COL, race, performance) = 70.5%
        expect disparity.gap_to_reference(COL, Black, baseline) is not scored
        """, extra="set lib.bonus = $250.00\n"), MODULE_TERMS)
    assert text.endswith('example "module values": ok (5 expectations)\n'), text


def test_a_module_rule_that_fails_is_reported_by_the_name_the_contract_uses(
        tmp_path: Path) -> None:
    (tmp_path / "lib.eq").write_text(LIB, encoding="utf-8")
    text = report(tmp_path, example("module values", CLOSED, """\
        expect lib.doubled_gap(COL, Black, performance) = 3 pp
        """), MODULE_TERMS)
    assert "FAILED, 1 of 1 expectation not met" in text
    assert "expect lib.doubled_gap(COL, Black, performance) = 3 pp\n" in text
    assert "    expected 3 pp\n    actual   2 pp\n" in text


def test_module_names_in_an_example_are_resolved_with_did_you_mean(tmp_path: Path) -> None:
    (tmp_path / "lib.eq").write_text(LIB, encoding="utf-8")
    diagnostics = refused(tmp_path, example("bad module names", CLOSED, """\
        expect lib.doubled(COL, Black, performance) = 2 pp
        expect disparity.weighted_mean_rate(COL, rase, performance) = 70.5%
        expect lib.bonus = $1.00
        """, extra="set lib.bonu = $1.00\nset lib.bonus = 5%\n"), MODULE_TERMS)
    offset = MODULE_TERMS.count("\n") + 1
    assert [(d.code, d.span.line - offset, d.span.column, d.message, d.hint)
            for d in diagnostics if d.span is not None] == [
        ("E0804", 2, 3, "the contract has no parameter `lib.bonu`", "did you mean `lib.bonus`?"),
        ("E0804", 3, 19, "`lib.bonus` is money, but `5%` is a percent",
         "a share of an amount is `amount * percent`"),
        ("E0802", 7, 10, "the contract has no output or definition `lib.doubled`",
         "did you mean `lib.doubled_gap`?"),
        ("E0802", 8, 44, "`rase` is not a stratification of the contract",
         "did you mean `race`?"),
        ("E0802", 9, 10, "`lib.bonus` is a parameter, not a value the contract computes",
         "to try another value, write `set lib.bonus = ...`; expect outputs and definitions"),
    ]


def test_examples_are_checked_with_the_contract(tmp_path: Path) -> None:
    """`eqlang check` reports example errors too, and exits 1."""
    path = write(tmp_path, example("bad", CLOSED, "expect payot = $0.00\n"))
    code, _, err = cli("check", str(path))
    assert code == 1
    assert (f"{path}:{at(5)}:10: error[E0802]: the contract has no output or definition "
            "`payot`") in err


# ---- coverage ----------------------------------------------------------------------------


COVERAGE_TERMS = TERMS + textwrap.dedent("""\
    define unused(m: measure): number =
      if higher_is_better(m) then 1 else 0 otherwise 2
    """)


def test_coverage_lists_what_no_example_exercised(tmp_path: Path) -> None:
    path = write(tmp_path, example("gap closed", CLOSED, "expect payout = $2,000.00\n"),
                 COVERAGE_TERMS)
    program = load_contract(str(path))
    results = run_examples(program)
    text = render_coverage(example_coverage(program, results))
    assert text == textwrap.dedent(f"""\
        coverage of {path} by 1 example: 9 of 16 items (56.2%)
          rules 5/6, tiers 1/2, branches 0/2, exceptions 2/2, otherwise 1/4
          not exercised:
            {path}:22:3: tier of `credit` never used: above 2 pp pays 0
            {path}:29:41: `otherwise` fallback in `score` never used: 0
            {path}:39:1: rule never evaluated (and the 4 items inside it): define unused(m: \
measure): number
        """)


def test_coverage_is_complete_with_a_second_example(tmp_path: Path) -> None:
    examples = (example("gap closed", CLOSED, "expect payout = $2,000.00\n")
                + example("gap open", "COL White 2024: 71 of 100\nCOL Black 2024: 66 of 100\n",
                          "expect payout = $800.00\n")
                + example("no data", "COL White 2024: 71 of 100\n", "expect payout = $800.00\n"))
    program = load_contract(str(write(tmp_path, examples)))
    covered = example_coverage(program, run_examples(program))
    assert covered.percent == "100.0%"
    assert render_coverage(covered).splitlines()[1] == (
        "  rules 5/5, tiers 2/2, branches 0/0, exceptions 2/2, otherwise 2/2")


def test_coverage_percent_is_rounded_down(tmp_path: Path) -> None:
    path = write(tmp_path, example("gap closed", CLOSED, "expect payout = $2,000.00\n"),
                 COVERAGE_TERMS)
    program = load_contract(str(path))
    covered = example_coverage(program, run_examples(program))
    tenths = len(covered.covered) * 1000 // len(covered.items)
    assert covered.percent == f"{tenths // 10}.{tenths % 10}%"
    assert covered.percent == "56.2%"  # 9 of 16 is 56.25%
    assert covered.at_least(56) and not covered.at_least(57)


# ---- the command -------------------------------------------------------------------------


def test_test_command_exit_codes(tmp_path: Path) -> None:
    good = write(tmp_path, example("ok", CLOSED, "expect payout = $2,000.00\n"), name="good.eq")
    bad = write(tmp_path, example("wrong", CLOSED, "expect payout = $1.00\n"), name="bad.eq")
    none = write(tmp_path, "", name="none.eq")
    broken = write(tmp_path, example("x", CLOSED, "expect payot = $1.00\n"), name="broken.eq")

    code, out, _ = cli("test", str(good))
    assert (code, out.splitlines()[-1]) == (0, "1 example in 1 file: 1 passed, 0 failed")
    code, out, _ = cli("test", str(good), str(bad))
    assert (code, out.splitlines()[-1]) == (1, "2 examples in 2 files: 1 passed, 1 failed")
    code, out, err = cli("test", str(none))
    assert code == 1
    assert out.splitlines()[0] == f"{none}: no worked examples"
    assert "no worked examples to run" in err
    code, out, _ = cli("test", str(good), str(none))
    assert code == 0, out
    code, out, err = cli("test", str(good), str(broken))
    assert code == 1
    assert out.splitlines()[-1] == "1 example in 2 files: 1 passed, 0 failed; 1 file with errors"
    assert "error[E0802]" in err
    assert cli("test")[0] == 2
    assert cli("test", "--no-such-option", str(good))[0] == 2
    assert cli("test", "--fail-under", "101", str(good))[0] == 2


def test_test_command_coverage_and_fail_under(tmp_path: Path) -> None:
    path = write(tmp_path, example("gap closed", CLOSED, "expect payout = $2,000.00\n"),
                 COVERAGE_TERMS)
    code, out, _ = cli("test", "--coverage", str(path))
    assert code == 0
    assert f"coverage of {path} by 1 example: 9 of 16 items (56.2%)" in out
    assert cli("test", "--fail-under", "56", str(path))[0] == 0
    code, failed, _ = cli("test", "--fail-under", "57", str(path))
    assert code == 1
    assert failed.splitlines()[-1] == f"coverage below 57%: {path} (56.2%)"
    # Deterministic: the same run gives the same bytes.
    assert failed == out + f"coverage below 57%: {path} (56.2%)\n"
    assert cli("test", "--coverage", str(path))[1] == out


# ---- shipped contracts and documentation ---------------------------------------------------


@pytest.mark.parametrize("contract", CONTRACTS, ids=[c.name for c in CONTRACTS])
def test_every_shipped_contract_has_examples_that_pass_and_cover_it(contract: Path) -> None:
    program = load_contract(str(contract))
    results = run_examples(program)
    assert results, f"{contract.name} has no worked example"
    failed = [r for r in results if not r.passed]
    assert not failed, render_results(program, tuple(failed))
    assert example_coverage(program, results).percent == "100.0%"


def test_the_reference_examples_agree_with_the_oracle() -> None:
    """The reference examples' payouts, settled again by the independent oracle."""
    from oracle_reference import settle as oracle

    program = load_contract(str(ROOT / "contracts" / "reference-equity.eq"))
    for checked in program.examples:
        rows = [{"org": r.org, "measure": r.measure, "group": r.group, "period": r.period,
                 "numerator": r.numerator, "denominator": r.denominator}
                for table in checked.tables.tables for r in table.rows]
        expected = oracle(rows)[checked.organization]
        pool = checked.overrides.get("pool")
        scale = 1 if pool is None else pool.value.magnitude / 1_000_000  # type: ignore[union-attr]
        for expectation in checked.expectations:
            value = expectation.expected
            if expectation.key == "payout":
                assert value is not None and value.magnitude == expected["payout"] * scale
            elif expectation.key == "measure_payout":
                code = expectation.args[0].name  # type: ignore[union-attr]
                oracle_value = expected["measure_payout"][code]
                if value is None:
                    assert oracle_value is None
                else:
                    assert value.magnitude == oracle_value * scale  # type: ignore[union-attr]


def _doc_examples() -> list[tuple[int, str]]:
    text = DOCS.read_text(encoding="utf-8")
    found = []
    for match in re.finditer(r"^```eqlang\n(.*?)^```$", text, re.M | re.S):
        if re.search(r"^example ", match.group(1), re.M):
            found.append((text.count("\n", 0, match.start()) + 1, match.group(1)))
    return found


def test_the_language_reference_runs_its_examples(tmp_path: Path) -> None:
    blocks = _doc_examples()
    assert blocks, "docs/language.md shows no worked example"
    running = re.search(r"^```eqlang\n(.*?)^```$", DOCS.read_text(encoding="utf-8"),
                        re.M | re.S)
    assert running is not None
    for line, block in blocks:
        source = block if block.startswith("contract ") else running.group(1) + "\n" + block
        path = tmp_path / f"doc_{line}.eq"
        path.write_text(source, encoding="utf-8")
        program = load_contract(str(path))
        results = run_examples(program)
        assert results and all(r.passed for r in results), render_results(program, results)


def _text_after(phrase: str) -> str:
    """The first plain code block of docs/language.md after a phrase."""
    text = DOCS.read_text(encoding="utf-8")
    start = text.index("```\n", text.index(phrase)) + 4
    return text[start:text.index("```\n", start)]


def test_the_language_reference_shows_what_eqlang_test_prints(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = DOCS.read_text(encoding="utf-8")
    running = re.search(r"^```eqlang\n(.*?)^```$", text, re.M | re.S)
    assert running is not None
    block = _doc_examples()[0][1]
    wrong = block.replace("expect payout = $666,666.67", "expect payout = $700,000.00")
    assert wrong != block
    Path("terms.eq").write_text(running.group(1) + "\n" + wrong, encoding="utf-8")
    code, out, _ = cli("test", "terms.eq")
    assert (code, out) == (1, _text_after("`eqlang test terms.eq` would print:"))
    Path("terms.eq").write_text(running.group(1) + "\n" + block, encoding="utf-8")
    code, out, _ = cli("test", "--coverage", "terms.eq")
    assert (code, out) == (0, _text_after("after a summary."))


INVARIANTS = ROOT / "docs" / "invariants.md"


def test_the_invariants_document_shows_what_eqlang_test_prints(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = INVARIANTS.read_text(encoding="utf-8")
    reference = (ROOT / "contracts" / "reference-equity.eq").read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "contracts").mkdir()
    # Its worked example holds for the reference contract.
    shown = re.search(r"^```eqlang\n(.*?)^```$", text, re.M | re.S)
    assert shown is not None
    Path("contracts/example.eq").write_text(reference + "\n" + shown.group(1), encoding="utf-8")
    code, out, _ = cli("test", "contracts/example.eq")
    assert code == 0, out
    # Its failure is the one the reference contract gives with CBP's payout mistaken.
    wrong = reference.replace("  expect measure_payout(CBP) = $0.00\n",
                              "  expect measure_payout(CBP) = $350,000.00\n")
    assert wrong != reference
    Path("contracts/terms.eq").write_text(wrong, encoding="utf-8")
    code, out, _ = cli("test", "contracts/terms.eq")
    sample = text[text.index("```\n", text.index("Here a copy")) + 4:]
    assert code == 1 and sample[:sample.index("```\n")] in out
    Path("contracts/reference-equity.eq").write_text(reference, encoding="utf-8")
    code, out, _ = cli("test", "--coverage", "contracts/reference-equity.eq")
    summary = text[text.index("```\ncoverage of") + 4:]
    assert code == 0 and summary[:summary.index("```\n")] in out


def test_a_table_file_without_rows_leaves_the_example_without_data(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("org,measure,group,period,numerator,denominator\n",
                                        encoding="utf-8")
    diagnostics = refused(tmp_path, """\
        example "no data"
          table "empty.csv"
          expect payout = $0.00
        end
        """)
    assert [(where(d), d.hint) for d in diagnostics] == [(
        'E0805 1:1 the example\'s tables have no rows for organization "Example organization"',
        "its tables have no rows")]
