"""Warnings: what each one finds and what it leaves alone, allow comments, `eqlang check`
with and without --deny-warnings, the shipped contracts and standard library clean under
it, and the soundness of the "may be not scored" analysis on generated tables: an
`otherwise` it says can never apply never does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eqlang.backends.exact import Evaluator
from eqlang.check import analyze, check
from eqlang.check.scoring import scoring
from eqlang.cli import main
from eqlang.core import program as p
from eqlang.data.tables import TableSet
from eqlang.diagnostics import Diagnostic, render
from eqlang.syntax.modules import load
from eqlang.tools.coverage import DecisionLog
from eqlang.tools.testing import tables_for

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted([*(ROOT / "contracts").glob("*.eq"), *(ROOT / "contracts").glob("*.eq.md"),
                  *(ROOT / "contracts" / "lib").glob("*.eq"), *(ROOT / "stdlib").glob("*.eq")])

#: A contract's header, import and measures, which the contracts below share.
PREAMBLE = """\
contract "Warnings"
  payer "Illustrative Health Plan"
  provider each organization
  currency USD
  period baseline is "2022"
  period performance is "2024"
end

import hedis

measure COL from hedis weight 60%
measure CBP from hedis weight 40%
"""

HEADER = PREAMBLE + """
stratification race
  groups Black, White
  reference White
end

parameter pool: money = $1,000,000.00 per "Section 4.1"
"""


def _warnings(tmp_path: Path, body: str, header: str = HEADER) -> list[Diagnostic]:
    path = tmp_path / "contract.eq"
    path.write_text(header + body, encoding="utf-8")
    analysis = analyze(load(path))
    assert not analysis.diagnostics, [d.message for d in analysis.diagnostics]
    return list(analysis.warnings)


def _codes(tmp_path: Path, body: str, header: str = HEADER) -> list[str]:
    return sorted(d.code for d in _warnings(tmp_path, body, header))


PAYOUT = """
output payout: money =
  pool * {}
  rounded to cents half up
"""

CASES = [
    # The peer median of the issue: the organization's own rate, every item the same.
    ("W0101", "median(rate(COL, ALL, performance) for each o in organizations)"),
    ("W0101", "count(m for each m in measures, g in groups)"),
    ("W0104", "(if rate(COL, Black, baseline) = rate(COL, Black, baseline) then 1 else 0)"),
    ("W0105", "(if rate(COL, Black, baseline) > 100% then 1 else 0)"),
    ("W0105", "(if weight(COL) > weight(CBP) then 1 else 0)"),
    ("W0105", "(if pool > $2,000,000.00 then 1 else 0)"),
    ("W0105", "count(m for each m in measures where numerator(m, ALL, baseline) >= 0)"),
    ("W0105", "(if sum(numerator(m, ALL, baseline) for each m in measures) is scored "
              "then 1 else 0)"),
    # A count is 0 over no items, not "not scored"; its `where` reads counts, always scored.
    ("W0106", "(count(m for each m in measures where numerator(m, ALL, baseline) > 0) "
              "otherwise 0)"),
    ("W0107", "sum(numerator(m, ALL, baseline) for each m in measures, not scored: skip)"),
    ("W0108", "(if rate(COL, Black, baseline) > 50% then 1 else 1)"),
]


@pytest.mark.parametrize(("code", "formula"), CASES)
def test_each_warning_finds_its_mistake(tmp_path: Path, code: str, formula: str) -> None:
    assert _codes(tmp_path, PAYOUT.format(formula)) == [code]


CLEAN = [
    "median(rate(COL, ALL, performance) at o for each o in organizations)",
    "count(m for each m in measures where rate(m, ALL, baseline) > 50%)",
    "(if rate(COL, Black, baseline) > rate(COL, Black, performance) then 1 else 0)",
    "(if rate(COL, Black, baseline) >= 50% then 1 else 0)",
    "(mean(rate(m, Black, baseline) for each m in measures) otherwise 0%)",
    "(rate(COL, Black, baseline) otherwise 0%)",
    "sum(rate(m, ALL, baseline) for each m in measures, not scored: skip)",
    "(if rate(COL, Black, baseline) is scored then 1 else 0)",
    "count(g for each g in groups where reference(COL, g, baseline) = White)",
]


@pytest.mark.parametrize("formula", CLEAN)
def test_what_is_meant_is_not_warned_about(tmp_path: Path, formula: str) -> None:
    assert _codes(tmp_path, PAYOUT.format(formula)) == []


def test_the_peer_median_warning_says_to_add_at_o(tmp_path: Path) -> None:
    body = PAYOUT.format("median(rate(COL, ALL, performance) for each o in organizations)")
    [warning] = _warnings(tmp_path, body)
    shown = render(warning)
    assert shown.startswith(str(tmp_path / "contract.eq") + ":")
    assert ": warning[W0101]: loop variable `o` is never used" in shown
    assert "hint: write `rate(COL, ALL, performance) at o`" in shown
    assert "see: eqlang check --explain W0101" in shown
    assert warning.span is not None and warning.span.text == "o"


def test_unused_declarations(tmp_path: Path) -> None:
    body = PAYOUT.format("helper(1, 2)") + """
define helper(x: number, y: number): number = x * 2

define only_helped: number = 3

define lonely: number = only_helped

parameter spare: count = 3

parameter recipient: text = "Health Equity Office" per "Section 7"

import payment
"""
    found = {(d.code, d.message) for d in _warnings(tmp_path, body)}
    assert found == {
        ("W0102", "parameter `y` of `helper` is never used"),
        ("W0102", "definition `lonely` is never used"),
        ("W0102", "definition `only_helped` is used only by declarations that no output or "
                  "invariant uses"),
        ("W0102", "parameter `spare` is never used"),
        ("W0102", "module `payment` is imported but never used"),
    }


def test_a_module_is_not_warned_about_what_its_importers_may_use(tmp_path: Path) -> None:
    module = """\
import payment

## Unused here: a contract that imports this module uses it.
define closure_score(m: measure, g: group, before: period, after: period): number =
  payment.gap_closure_score(m, g, before, after, 2 pp, 50%)
"""
    assert _codes(tmp_path, module, header="") == []


def test_a_weightless_measure_counted_only_by_loops(tmp_path: Path) -> None:
    header = HEADER.replace("measure CBP from hedis weight 40%",
                            "measure CBP from hedis weight 40%\nmeasure BCS from hedis weight 0%")
    header = header.replace("weight 60%", "weight 20%").replace("weight 40%", "weight 80%")
    loop = PAYOUT.format("mean(rate(m, ALL, baseline) for each m in measures)")
    assert _codes(tmp_path, loop, header) == ["W0103"]
    named = loop + "\noutput bcs: percent =\n  rate(BCS, ALL, baseline)\n  not rounded\n"
    assert _codes(tmp_path, named, header) == []


def test_no_warning_while_there_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "contract.eq"
    path.write_text(HEADER + PAYOUT.format("missing + median(rate(COL, ALL, performance) "
                                           "for each o in organizations)"), encoding="utf-8")
    analysis = analyze(load(path))
    assert [d.code for d in analysis.diagnostics] == ["E0101"]
    assert analysis.warnings == ()


# ---- allow comments -----------------------------------------------------------------------

SELF = "(if rate(COL, Black, baseline) = rate(COL, Black, baseline) then 1 else 0)"


@pytest.mark.parametrize("allowed", [
    PAYOUT.format(SELF).replace(f"pool * {SELF}",
                                f"pool * {SELF}  # allow W0104: kept from the signed text"),
    PAYOUT.format(SELF).replace(f"  pool * {SELF}",
                                f"  # allow W0104: kept from the signed text\n  pool * {SELF}"),
])
def test_an_allow_comment_with_a_reason_takes_one_warning(tmp_path: Path, allowed: str) -> None:
    assert _codes(tmp_path, allowed) == []


def test_an_allow_comment_above_a_doc_comment_reaches_the_declaration(tmp_path: Path) -> None:
    body = PAYOUT.format("1") + """
# allow W0102: kept for the report
## A figure the parties wanted on record.
parameter spare: count = 3
"""
    assert _codes(tmp_path, body) == []


@pytest.mark.parametrize(("comment", "message"), [
    ("# allow W0104", "an allow comment says why the code is deliberate"),
    ("# allow W0102: not the warning that is here", "there is no warning W0102 on line"),
    ("# allow E0201: an error", "`E0201` is an error, which no comment can allow"),
    ("# allow W9999: nothing", "there is no warning `W9999`"),
    ("# allow W0109: itself", "cannot be allowed"),
])
def test_an_allow_comment_that_allows_nothing_is_reported(
        tmp_path: Path, comment: str, message: str) -> None:
    body = PAYOUT.format(SELF).replace(f"  pool * {SELF}", f"  {comment}\n  pool * {SELF}")
    found = _warnings(tmp_path, body)
    assert sorted(d.code for d in found) == ["W0104", "W0109"]
    [problem] = [d for d in found if d.code == "W0109"]
    assert message in problem.message
    assert problem.span is not None and problem.span.text == comment


def test_a_comment_about_allowing_something_is_prose(tmp_path: Path) -> None:
    body = PAYOUT.format("1") + "\n# allow for rounding: the pool is paid in whole cents\n"
    assert _codes(tmp_path, body) == []


# ---- the command line ---------------------------------------------------------------------


def test_check_prints_warnings_and_exits_0_and_deny_warnings_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "contract.eq"
    path.write_text(HEADER + PAYOUT.format(
        "median(rate(COL, ALL, performance) for each o in organizations)"), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{path}: ok (2 measures, 1 output, 1 warning)\n"
    assert "warning[W0101]" in result.stderr and "error[" not in result.stderr
    denied = CliRunner().invoke(main, ["check", "--deny-warnings", str(path)])
    assert denied.exit_code == 1
    assert "error[W0101]: loop variable `o` is never used" in denied.stderr
    assert "note: a warning, made an error by --deny-warnings" in denied.stderr
    assert denied.stderr.rstrip().endswith("1 error")
    assert "ok" not in denied.stdout


def test_the_shipped_contracts_and_stdlib_check_clean_under_deny_warnings() -> None:
    result = CliRunner().invoke(main, ["check", "--deny-warnings", *map(str, SHIPPED)])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.count(": ok (") == len(SHIPPED)
    assert "warning" not in result.stdout


def test_explain_a_warning() -> None:
    result = CliRunner().invoke(main, ["check", "--explain", "w0101"])
    assert result.exit_code == 0
    assert result.stdout.startswith("W0101: a loop variable never used\n")
    assert "This is accepted with warning W0101:" in result.stdout


# ---- soundness of "may be not scored" -----------------------------------------------------

SOUNDNESS = PREAMBLE + """
stratification race
  groups Asian, Black, White
  reference best performing group
  focus Asian, Black
end

define passed(x: number): number = x otherwise -1

define counted(m: measure): count =
  count(g for each g in focus groups where denominator(m, g, performance) > 0) otherwise 0

define summed: count = sum(numerator(m, ALL, performance) for each m in measures) otherwise 0

define members(m: measure): count = denominator(m, Black, performance) otherwise 0

define zeroed(m: measure): percent =
  max(rate(m, g, performance) for each g in focus groups, not scored: zero) otherwise 0%

define rated(m: measure): percent = rate(m, Black, performance) otherwise 0%

define skipped(m: measure): percent =
  mean(rate(m, g, performance) for each g in focus groups, not scored: skip) otherwise 0%

define peers(m: measure): percent =
  median(rate(m, ALL, performance) at o for each o in organizations, not scored: skip)
  otherwise 0%

define best(m: measure): group = reference(m, Black, performance) otherwise White

define guarded(m: measure): percent =
  (if denominator(m, Black, performance) > 0 then rate(m, Black, performance) else 0%)
  otherwise 0%

output shares(m: measure): percent =
  rated(m) + skipped(m) + peers(m) + guarded(m) + zeroed(m)
  + (if best(m) = White then 1% else 0%)
  not rounded

output counts(m: measure): number =
  counted(m) + summed + members(m) + passed(2) + passed(rate(m, Black, baseline) / 100%)
  not rounded
"""


def _soundness_program(tmp_path: Path) -> p.Program:
    path = tmp_path / "soundness.eq"
    path.write_text(SOUNDNESS, encoding="utf-8")
    return check(load(path))


def _otherwise_sites(program: p.Program) -> dict[str, int]:
    sites = {}
    for rule in program.rules.values():
        if rule.body is not None and rule.module == program.main.key:
            for e in p.walk(rule.body):
                if isinstance(e, p.Otherwise):
                    sites[rule.name] = e.site
    return sites


def test_the_analysis_tells_which_otherwise_can_never_apply(tmp_path: Path) -> None:
    program = _soundness_program(tmp_path)
    answers = scoring(program).otherwise
    never = {name for name, site in _otherwise_sites(program).items() if not answers[site]}
    assert never == {"counted", "summed", "members", "zeroed"}


@pytest.fixture(scope="module")
def soundness_program(tmp_path_factory: pytest.TempPathFactory) -> p.Program:
    return _soundness_program(tmp_path_factory.mktemp("soundness"))


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_an_otherwise_said_never_to_apply_never_does(soundness_program: p.Program,
                                                     data: st.DataObject) -> None:
    program = soundness_program
    tables: TableSet = data.draw(tables_for(program))
    log = DecisionLog()
    evaluator = Evaluator(program, tables, recorder=log)
    for org in tables.organizations():
        evaluator.settle(org)
    answers = scoring(program).otherwise
    for name, site in _otherwise_sites(program).items():
        if not answers[site]:
            assert (site, "fallback") not in log.taken, name
