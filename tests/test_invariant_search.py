"""`eqlang check --properties`: the counterexample search finds real flaws, finds none where
there are none, and reports what it finds so that a person can reproduce it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from eqlang.api import load_contract, settle
from eqlang.cli import main
from eqlang.core.values import NotScored, Quantity
from eqlang.data.tables import load_tables
from eqlang.tools.properties import Budget, Outcome, check_properties, render_outcomes
from eqlang.tools.testing import moved

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "contracts" / "reference-equity.eq"
FLAWED = ROOT / "docs" / "flaws" / "best-performing-reference.eq"
INVARIANTS_DOC = ROOT / "docs" / "invariants.md"
#: Far above what any search here takes: the limit must never decide a test's outcome.
SECONDS = 600.0

STRICTER = """
## Stricter than the contract can keep: White members' care gets a little worse, within the
## 1 pp guard, the gaps narrow and the payout rises.
invariant "worse care for White never pays more":
  payout never rises when rate(m, White, performance) worsens
  for each m in measures
"""


def _shown(document: Path, start: str) -> str:
    """The text of the block of ``document`` that begins with ``start``."""
    text = document.read_text(encoding="utf-8")
    begin = text.index("```\n" + start) + 4
    return text[begin:text.index("```\n", begin)]


def money(value: object) -> Decimal:
    assert isinstance(value, Quantity) and value.unit == "money", value
    return value.magnitude


def one_outcome(path: Path, title: str, examples: int = 200) -> Outcome:
    program = load_contract(str(path))
    invariant = next(i for i in program.invariants if i.title == title)
    (outcome,) = check_properties(attrs.evolve(program, invariants=(invariant,)),
                                  Budget(examples, SECONDS))
    return outcome


@pytest.fixture(scope="module")
def stricter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stricter")
    path = folder / "reference-equity.eq"
    path.write_text(REFERENCE.read_text(encoding="utf-8") + STRICTER, encoding="utf-8")
    return path


# ---- (a) the best-performing-group flaw ---------------------------------------------------


@pytest.fixture(scope="module")
def flaw() -> Outcome:
    return one_outcome(FLAWED, "better care for a focus group never pays less")


def test_the_best_performing_reference_flaw_is_found(flaw: Outcome) -> None:
    example = flaw.counterexample
    assert example is not None and example.error is None
    move = example.trial.move
    assert move is not None
    before, after = money(example.before), money(example.after)
    assert after < before, "better care for a focus group paid less"
    # The moved rate is a focus group's, and it rose (both measures are higher-is-better).
    assert move.group in ("Asian", "Black", "Hispanic")
    row = example.trial.tables.lookup(move.org, move.measure, move.group, move.period)
    assert row is not None and move.numerator > row.numerator


def test_the_flaw_is_blamed_on_the_gap_to_the_best_performing_group(flaw: Outcome) -> None:
    culprit = flaw.counterexample.culprit  # type: ignore[union-attr]
    assert culprit is not None and culprit.alone
    assert culprit.name.startswith("gap(")
    assert culprit.location.endswith("best-performing-reference.eq:38:1")
    assert culprit.rule == "define gap(m: measure, g: group): pp ="
    # Another group's gap widened, although its own care did not change.
    assert "Asian" in culprit.name or "Black" in culprit.name or "Hispanic" in culprit.name
    moved_group = flaw.counterexample.trial.move.group  # type: ignore[union-attr]
    assert f", {moved_group})" not in culprit.name
    assert isinstance(culprit.after, Quantity) and isinstance(culprit.before, Quantity)
    assert culprit.after.magnitude > culprit.before.magnitude


def test_the_printed_tables_reproduce_both_payouts(flaw: Outcome, tmp_path: Path) -> None:
    program = load_contract(str(FLAWED))
    example = flaw.counterexample
    assert example is not None and example.trial.move is not None
    saved: dict[str, str] = {}

    def save(name: str, text: str) -> str:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        saved[name] = str(path)
        return str(path)

    report = render_outcomes(str(FLAWED), [flaw], save)
    first, second = sorted(saved.values(), key=len)
    assert first.endswith(".csv") and second.endswith(".after.csv")
    org = example.org
    assert money(settle(program, [first]).outputs()[org]["payout"]) == money(example.before)
    assert money(settle(program, [second]).outputs()[org]["payout"]) == money(example.after)
    # Every row of the first table is printed, so it can be copied as well as saved.
    for line in Path(first).read_text(encoding="utf-8").splitlines():
        assert f"\n    {line}\n" in report



def test_a_group_under_30_members_cannot_be_the_flawed_contracts_best(tmp_path: Path) -> None:
    # The flawed terms say so in their comment: 5 Asian members all screened do not become
    # the reference, so the other groups, level at 70%, have no gap and COL pays its half.
    table = tmp_path / "small.csv"
    table.write_text(
        "org,measure,group,period,numerator,denominator\n"
        "Org A,COL,Asian,2024,5,5\n"
        "Org A,COL,Black,2024,21,30\n"
        "Org A,COL,Hispanic,2024,21,30\n"
        "Org A,COL,White,2024,21,30\n"
        "Org A,COL,ALL,2024,68,95\n",
        encoding="utf-8",
    )
    outputs = settle(load_contract(str(FLAWED)), [str(table)]).outputs()
    assert money(outputs["Org A"]["payout"]) == Decimal("500000.00")

def test_the_report_reads_well(flaw: Outcome) -> None:
    report = render_outcomes("flawed.eq", [flaw])
    lines = report.splitlines()
    assert lines[0] == "flawed.eq: 1 invariant, 1 broken"
    assert lines[1] == '  BROKEN  "better care for a focus group never pays less"'
    assert re.search(r'^\S+best-performing-reference\.eq:53:1: invariant "better care for a '
                     r'focus group never pays less" is broken$', report, re.M)
    assert "  payout never falls when rate(m, g, performance) improves for each m in " \
        "measures, g in focus groups" in lines
    assert re.search(r"^    rate\((COL|CBP), \w+, performance\) rises from [\d.]+% "
                     r"\([\d.]+ of [\d.]+\) to [\d.]+% \([\d.]+ of [\d.]+\)$", report, re.M)
    assert re.search(r"^    payout falls from \$[\d,.]+ to \$[\d,.]+$", report, re.M)
    assert re.search(r"^  the rule responsible: gap\(\w+, \w+\), at \S+:38:1$", report, re.M)
    assert "  the same table after the move, these rows changed:" in lines
    assert all(len(line) <= 100 for line in lines if ".eq:" not in line)


def test_the_documented_report_is_what_the_command_prints(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["check", "--properties",
                                       "docs/flaws/best-performing-reference.eq"])
    assert result.exit_code == 1
    shown = _shown(INVARIANTS_DOC, "docs/flaws/best-performing-reference.eq:53:1")
    assert result.output.endswith(shown), result.output


def test_the_command_exits_1_and_can_save_the_tables(tmp_path: Path) -> None:
    folder = tmp_path / "found"
    result = CliRunner().invoke(main, ["check", "--properties", "--examples", "50",
                                       "--counterexamples", str(folder), str(FLAWED)])
    assert result.exit_code == 1, result.output
    assert "1 invariant, 1 broken" in result.output
    saved = sorted(p.name for p in folder.iterdir())
    assert saved == ["counterexample-1-better-care-for-a-focus-group-never-pays-less.after.csv",
                     "counterexample-1-better-care-for-a-focus-group-never-pays-less.csv"]
    assert f"saved as {folder / saved[1]}" in result.output
    load_tables([folder / saved[0]])


# ---- (b) the reference contract keeps its promises ----------------------------------------


def test_the_reference_contract_keeps_its_invariants(monkeypatch: pytest.MonkeyPatch) -> None:
    program = load_contract(str(REFERENCE))
    assert [i.title for i in program.invariants] == [
        "payout within the pool", "better care for a focus group never pays less",
        "no leveling down"]
    # As docs/invariants.md shows it, with fewer tables than the default 200 to keep the
    # suite fast (the shipped contracts' invariants are searched again elsewhere).
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["check", "--properties", "--examples", "60",
                                       "contracts/reference-equity.eq"])
    assert result.exit_code == 0, result.output
    assert "3 invariants, none broken" in result.output
    shown = _shown(INVARIANTS_DOC, "contracts/reference-equity.eq: ok")
    assert shown.replace("in 200 tables", "in 60 tables") == result.output


# ---- (c) a stricter promise the reference contract does not keep --------------------------


def test_a_worse_rate_for_white_can_raise_the_reference_payout(stricter: Path) -> None:
    outcome = one_outcome(stricter, "worse care for White never pays more")
    example = outcome.counterexample
    assert example is not None and example.error is None
    move = example.trial.move
    assert move is not None and move.group == "White" and move.period == "2024"
    assert money(example.after) > money(example.before)
    tables = example.trial.tables
    row = tables.lookup(move.org, move.measure, "White", "2024")
    assert row is not None
    # Worse care: a lower rate where higher is better, a higher one for HbA1c poor control.
    assert (move.numerator < row.numerator) == (move.measure != "HBD")
    # Under the guard: the whole population moved by less than 1 pp, so nothing leveled down.
    whole = tables.lookup(move.org, move.measure, "ALL", "2024")
    assert whole is not None
    shift = abs(move.numerator - row.numerator) / whole.denominator
    assert shift <= Decimal("0.01")
    program = load_contract(str(stricter))
    outputs = settle(program, moved(tables, move)).outputs()[move.org]
    assert money(outputs["payout"]) == money(example.after)
    # As docs/invariants.md tells it.
    text = INVARIANTS_DOC.read_text(encoding="utf-8")
    assert (row.numerator, move.numerator, row.denominator) == (22, 21, 30)
    flat = " ".join(text.split())
    assert move.measure == "COL" and "screening rate falls from 73.3% to 70% (22 to 21 of 30)" \
        in flat
    assert (money(example.before), money(example.after)) == (Decimal("650000.00"),
                                                              Decimal("1000000.00"))
    assert "the payout rises from $650,000.00 to $1,000,000.00" in flat
    culprit = example.culprit
    assert culprit is not None and culprit.name.startswith(f"gap({move.measure}, ")
    assert isinstance(culprit.after, Quantity) and isinstance(culprit.before, Quantity)
    assert culprit.after.magnitude < culprit.before.magnitude, "the gap narrowed"


def test_the_search_is_deterministic(flaw: Outcome) -> None:
    again = one_outcome(FLAWED, "better care for a focus group never pays less")
    assert render_outcomes("x", [again]) == render_outcomes("x", [flaw])
    assert again.tried == flaw.tried


# ---- state invariants, errors, limits -------------------------------------------------------

STATE = """\
contract "Over the pool"
  provider each organization
  currency USD
  period performance is "2024"
end

import hedis

measure COL from hedis

stratification race
  groups Black, White
  reference White
end

parameter pool: money = $1,000.00

output payout: money =
  pool * (50% + (rate(COL, Black, performance) otherwise 0%))
  rounded to cents half up

output per_member: money =
  pool / denominator(COL, Black, performance)
  rounded to cents half up

invariant "within the pool": always payout <= pool
"""


def test_a_broken_state_invariant_shows_the_values_the_claim_used(tmp_path: Path) -> None:
    path = tmp_path / "over.eq"
    path.write_text(STATE, encoding="utf-8")
    program = load_contract(str(path))
    (outcome,) = check_properties(program, Budget(100, SECONDS))
    example = outcome.counterexample
    assert example is not None and example.error is None
    assert [u.name for u in example.used] == ["payout", "pool"]
    assert money(example.used[0].value) > money(example.used[1].value)
    report = render_outcomes("over.eq", [outcome])
    assert f'for organization "{example.org}": the claim is no' in report
    assert re.search(r"^    payout = \$1,[\d,.]+ \(\S+over\.eq:18:1\)$", report, re.M)
    assert re.search(r"^    pool = \$1,000\.00 \(\S+over\.eq:16:1\)$", report, re.M)


def test_a_table_the_contract_cannot_settle_is_a_counterexample(tmp_path: Path) -> None:
    path = tmp_path / "divides.eq"
    path.write_text(STATE.replace('invariant "within the pool": always payout <= pool',
                                  'invariant "positive": always per_member >= $0.00'),
                    encoding="utf-8")
    program = load_contract(str(path))
    (outcome,) = check_properties(program, Budget(100, SECONDS))
    example = outcome.counterexample
    assert example is not None and example.error is not None
    assert example.error.code == "E0401"
    report = render_outcomes("divides.eq", [outcome])
    assert "on this table the contract cannot be settled" in report
    assert "error[E0401]" in report


UNGUARDED = ROOT / "tests" / "data" / "contracts" / "unguarded-share.eq"


def test_a_share_of_an_empty_population_is_found_and_reported(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A share of the whole population without a guard: the search finds an organization
    with no members, and says where the settlement stops, for whom, and on which table, as
    docs/invariants.md shows it."""
    monkeypatch.chdir(ROOT)
    shown_path = "tests/data/contracts/unguarded-share.eq"
    result = CliRunner().invoke(main, ["check", "--properties", shown_path])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[1] == f"{shown_path}: 1 invariant, 1 broken"
    assert lines[4] == f'{shown_path}:33:1: invariant "the bonus is at most the bonus" is broken'
    org = re.fullmatch(r'  on this table the contract cannot be settled \(organization '
                       r'"(Org [A-E])"\):', lines[6])
    assert org is not None, lines[6]
    assert lines[7] == (f"    {shown_path}:26:3: error[E0401]: division by zero (0 / 0) in "
                        "`denominator(COL, Unknown, performance) / denominator(COL, ALL, "
                        "performance)`")
    assert f"      = note: organization {org[1]}, while evaluating missing_race" in lines
    # The smallest table: the one organization, with no screening members at all.
    assert lines[-2:] == ["    org,measure,group,period,numerator,denominator",
                          f"    {org[1]},COL,ALL,2024,0,0"]
    shown = _shown(INVARIANTS_DOC, f"{shown_path}:33:1")
    assert result.output.endswith(shown), result.output


def test_a_saved_error_table_reproduces_the_error(tmp_path: Path) -> None:
    folder = tmp_path / "found"
    result = CliRunner().invoke(main, ["check", "--properties", "--counterexamples",
                                       str(folder), str(UNGUARDED)])
    assert result.exit_code == 1, result.output
    (saved,) = folder.iterdir()
    assert f"  the table, saved as {saved}:" in result.output.splitlines()
    settled = CliRunner().invoke(main, ["eval", str(UNGUARDED), "--table", str(saved)])
    assert settled.exit_code == 1
    assert "error[E0401]: division by zero" in settled.output


def test_the_time_limit_cuts_a_search_short_and_says_so() -> None:
    result = CliRunner().invoke(main, ["check", "--properties", "--seconds", "0.000001",
                                       str(REFERENCE)])
    assert result.exit_code == 0, result.output
    assert "(stopped at the time limit)" in result.output


def test_a_contract_without_invariants_reports_none(tmp_path: Path) -> None:
    path = tmp_path / "plain.eq"
    path.write_text(STATE.split("invariant")[0], encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--properties", str(path)])
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == f"{path}: 0 invariants, none broken"


def test_options_are_validated() -> None:
    result = CliRunner().invoke(main, ["check", "--properties", "--examples", "0",
                                       str(REFERENCE)])
    assert result.exit_code == 2
    assert "--examples" in result.output


def test_the_search_options_need_the_search(tmp_path: Path) -> None:
    folder = tmp_path / "found"
    result = CliRunner().invoke(main, ["check", "--counterexamples", str(folder),
                                       str(REFERENCE)])
    assert result.exit_code == 2
    assert "--counterexamples only applies to the invariant search; add --properties" \
        in result.output
    assert not folder.exists()
    result = CliRunner().invoke(main, ["check", "--examples", "5", "--seconds", "3",
                                       str(REFERENCE)])
    assert result.exit_code == 2
    assert "--examples and --seconds only apply to the invariant search" in result.output


def test_a_counterexample_folder_that_is_a_file_is_refused_before_the_search(
        tmp_path: Path) -> None:
    taken = tmp_path / "taken.csv"
    taken.write_text("keep me\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--properties", "--counterexamples",
                                       str(taken), str(FLAWED)])
    assert result.exit_code == 2
    assert f"--counterexamples {taken}: this is a file, not a folder" in result.output
    assert "invariant" not in result.output, "the search ran before the folder was checked"
    assert taken.read_text(encoding="utf-8") == "keep me\n"


def test_a_search_that_finds_nothing_makes_no_folder(tmp_path: Path) -> None:
    contract = tmp_path / "terms.eq"
    contract.write_text(REFERENCE.read_text(encoding="utf-8").split("\n# ----")[0]
                        + '\ninvariant "payout within the pool": always payout <= pool\n',
                        encoding="utf-8")
    folder = tmp_path / "found"
    result = CliRunner().invoke(main, ["check", "--properties", "--examples", "5",
                                       "--counterexamples", str(folder), str(contract)])
    assert result.exit_code == 0, result.output
    assert not folder.exists()


def test_the_search_writes_nothing_into_the_working_folder(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HYPOTHESIS")}
    completed = subprocess.run(
        [sys.executable, "-m", "eqlang", "check", "--properties", "--examples", "20",
         str(FLAWED)], cwd=tmp_path, env=environment, capture_output=True, text=True,
        check=False)
    assert completed.returncode == 1, completed.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_language_reference_tells_which_invariants_the_running_example_keeps(
        tmp_path: Path) -> None:
    text = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```eqlang\n(.*?)^```$", text, re.M | re.S)
    invariants = next(b for b in blocks if 'invariant "wide gaps pay nothing"' in b)
    path = tmp_path / "running.eq"
    path.write_text(blocks[0] + "\n" + invariants, encoding="utf-8")
    outcomes = check_properties(load_contract(str(path)), Budget(30, SECONDS, shrinks=20))
    first, *others = outcomes
    assert first.counterexample is not None
    assert isinstance(first.counterexample.before, NotScored)
    assert "has no members in COL 2024" in first.counterexample.before.reason
    assert all(o.holds for o in others)
