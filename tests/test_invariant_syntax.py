"""Invariant declarations: how they read, how the checker refuses bad ones, how fmt lays
them out (comments kept, idempotent, reading back as the same tree)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import strategies_syntax as gen
from hypothesis import given, settings

from eqlang.api import load_contract
from eqlang.diagnostics import EqlangError
from eqlang.syntax import ast as s
from eqlang.syntax.fmt import format_module
from eqlang.syntax.parse import parse
from eqlang.syntax.source import SourceFile

HEADER = """\
contract "Invariant terms"
  provider each organization
  currency USD
  period baseline is "2022"
  period performance is "2024"
end

import hedis

measure COL from hedis weight 60%
measure HBD from hedis weight 40%

stratification race
  groups Black, Hispanic, White
  reference White
  focus Black, Hispanic
end

parameter pool: money = $100,000.00

output measure_payout(m: measure): money =
  pool * weight(m) * (rate(m, Black, performance) otherwise 0%)
  rounded to cents half up

output payout: money = sum(measure_payout(m) for each m in measures) rounded to cents half up
"""


def parse_text(text: str) -> s.Module:
    return parse(SourceFile("test.eq", text))


def fmt(text: str) -> str:
    return format_module(parse_text(text))


def check(tmp_path: Path, body: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "contract.eq"
    path.write_text(HEADER + "\n" + textwrap.dedent(body), encoding="utf-8")
    return load_contract(str(path))


def refused(tmp_path: Path, body: str) -> list[tuple[str, str, int, int]]:
    """(code, message, line, column) of each error, lines counted in ``body``."""
    with pytest.raises(EqlangError) as caught:
        check(tmp_path, body)
    offset = HEADER.count("\n") + 1
    return [(d.code, d.message, d.span.line - offset, d.span.column)
            for d in caught.value.diagnostics if d.span is not None]


# ---- reading ------------------------------------------------------------------------------


def test_a_state_invariant_reads_as_always_claim_when_condition() -> None:
    module = parse_text('invariant "within": always payout <= pool when pool > $0.00\n')
    (invariant,) = module.declarations
    assert isinstance(invariant, s.Invariant)
    assert invariant.title == "within"
    assert invariant.binders == ()
    claim = invariant.claim
    assert isinstance(claim, s.Always)
    assert claim.claim == s.Compare("<=", s.Name(("payout",)), s.Name(("pool",)))
    assert claim.condition is not None and claim.condition.span.text == "pool > $0.00"
    assert (invariant.span.line, invariant.span.column) == (1, 1)


def test_a_relational_invariant_names_the_value_and_the_moved_rate() -> None:
    module = parse_text(textwrap.dedent("""\
        invariant "monotone":
          payout never falls when rate(m, g, performance) improves
          for each m in measures, g in focus groups
        """))
    (invariant,) = module.declarations
    assert isinstance(invariant, s.Invariant)
    claim = invariant.claim
    assert isinstance(claim, s.Never)
    assert (claim.change, claim.motion) == ("falls", "improves")
    assert claim.value == s.Name(("payout",))
    assert claim.moved.span.text == "rate(m, g, performance)"
    assert [b.name for b in invariant.binders] == ["m", "g"]
    assert invariant.binders[1].domain == s.FocusGroups(None)
    assert (claim.span.line, claim.span.column) == (2, 3)


@pytest.mark.parametrize("word", ["never", "always", "rises", "falls", "improves", "worsens"])
def test_the_new_keywords_still_read_as_names_where_no_keyword_can_stand(word: str) -> None:
    module = parse_text(f"define {word} = 1\ndefine other = {word} + 1\n")
    assert [d.name for d in module.declarations] == [word, "other"]  # type: ignore[union-attr]


def test_a_missing_motion_is_a_syntax_error_that_names_the_choices() -> None:
    with pytest.raises(EqlangError) as caught:
        parse_text('invariant "x": payout never falls when rate(COL, Black, performance)\n')
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "E0003"
    assert "`improves`" in diagnostic.message and "`worsens`" in diagnostic.message


def test_a_syntax_error_before_an_invariant_resumes_at_it() -> None:
    with pytest.raises(EqlangError) as caught:
        parse_text('define x = = 1\ninvariant "y": always yes +\n')
    assert [d.span.line for d in caught.value.diagnostics] == [1, 2]


# ---- checking -----------------------------------------------------------------------------


def test_a_good_contract_keeps_its_invariants_in_order(tmp_path: Path) -> None:
    program = check(tmp_path, """\
        invariant "within the pool": always payout <= pool
        invariant "monotone":
          measure_payout(m) never falls when rate(m, Black, performance) improves
          for each m in measures
        invariant "no payout without Black members":
          always measure_payout(m) = $0.00 when denominator(m, Black, performance) = 0
          for each m in measures
        """)
    assert [i.title for i in program.invariants] == [
        "within the pool", "monotone", "no payout without Black members"]


def test_a_claim_that_is_not_yes_or_no_is_refused(tmp_path: Path) -> None:
    errors = refused(tmp_path, 'invariant "x": always payout\n')
    assert errors == [("E0203", "expected yes/no, found money", 1, 23)]


def test_a_condition_that_is_not_yes_or_no_is_refused(tmp_path: Path) -> None:
    errors = refused(tmp_path, 'invariant "x": always payout <= pool when pool\n')
    assert errors == [("E0203", "expected yes/no, found money", 1, 43)]


def test_units_are_checked_in_claims(tmp_path: Path) -> None:
    errors = refused(tmp_path, 'invariant "x": always payout <= 100%\n')
    assert [e[0] for e in errors] == ["E0202"]


def test_names_in_claims_are_resolved_with_did_you_mean(tmp_path: Path) -> None:
    with pytest.raises(EqlangError) as caught:
        check(tmp_path, 'invariant "x": always payuot <= pool\n')
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "E0101"
    assert diagnostic.hint is not None and "`payout`" in diagnostic.hint


def test_a_value_that_cannot_rise_or_fall_is_refused(tmp_path: Path) -> None:
    errors = refused(tmp_path, 'invariant "x":\n  payout > pool never falls when '
                     'rate(COL, Black, performance) rises\n')
    assert errors == [("E0310", "only a number can fall; `payout > pool` gives yes/no", 2, 3)]


@pytest.mark.parametrize("moved", [
    "numerator(COL, Black, performance)",
    "pool",
    "sum(rate(COL, g, performance) for each g in groups)",
])
def test_the_moved_input_must_be_a_table_rate(tmp_path: Path, moved: str) -> None:
    errors = refused(tmp_path, f'invariant "x": payout never falls when {moved} rises\n')
    assert [e[0] for e in errors] == ["E0310"]
    assert errors[0][1] == "the input that moves must be a rate read from the measure table"


@pytest.mark.parametrize("group", ["rest(Black)", "reference(COL, Black, performance)"])
def test_the_moved_rate_must_be_of_a_group_named_outright(tmp_path: Path, group: str) -> None:
    errors = refused(tmp_path, f'invariant "x": payout never falls when '
                     f'rate(COL, {group}, performance) rises\n')
    assert [(e[0], e[3]) for e in errors] == [("E0310", 50)]


def test_all_and_bound_groups_may_move(tmp_path: Path) -> None:
    program = check(tmp_path, """\
        invariant "a": payout never falls when rate(COL, ALL, performance) rises
        invariant "b": payout never rises when rate(COL, g, baseline) worsens for each g in groups
        """)
    assert len(program.invariants) == 2


def test_duplicate_titles_and_variables_are_refused(tmp_path: Path) -> None:
    errors = refused(tmp_path, """\
        invariant "x": always payout <= pool
        invariant "x": always payout >= $0.00
        invariant "y": always yes for each m in measures, m in measures
        """)
    assert [(e[0], e[2]) for e in errors] == [("E0102", 2), ("E0102", 3)]
    assert errors[0][1] == 'invariant "x" is declared twice'


def test_a_variable_used_outside_its_scope_is_undefined(tmp_path: Path) -> None:
    errors = refused(tmp_path, 'invariant "x": always measure_payout(m) <= pool\n')
    assert [e[0] for e in errors] == ["E0101"]


def test_explanation_of_e0310_exists() -> None:
    from eqlang.codes import explain

    assert "rate(MEASURE" in explain("E0310")


# ---- formatting ---------------------------------------------------------------------------


def test_a_short_invariant_stays_on_one_line() -> None:
    text = 'invariant "payout within the pool": always payout <= pool\n'
    assert fmt(text) == text
    assert fmt('invariant   "payout within the pool" :\n  always\n payout<=pool\n') == text


def test_an_invariant_with_for_each_puts_claim_and_scope_on_their_own_lines() -> None:
    assert fmt('## Doc.\ninvariant "m": payout never falls when rate(m, g, performance) '
               'improves for each m in measures, g in focus groups of race  # why\n') == (
        "## Doc.\n"
        "# why\n"
        'invariant "m":\n'
        "  payout never falls when rate(m, g, performance) improves\n"
        "  for each m in measures, g in focus groups of race\n"
    )


def test_a_long_invariant_without_scope_breaks_after_the_title() -> None:
    text = ('invariant "no leveling down on any measure in any period of the contract":\n'
            "  always measure_payout(COL) = $0.00 when leveled_down(COL)\n")
    assert fmt(text) == text
    assert len(f'{text.splitlines()[0]} {text.splitlines()[1].strip()}') > 92


def test_the_reference_contract_invariants_are_written_as_fmt_writes_them() -> None:
    path = Path(__file__).resolve().parent.parent / "contracts" / "reference-equity.eq"
    text = path.read_text(encoding="utf-8")
    invariants = [d for d in parse_text(text).declarations if isinstance(d, s.Invariant)]
    assert len(invariants) == 3
    for invariant in invariants:
        printed = format_module(s.Module((invariant,)))
        assert printed.rstrip("\n").split("\n")[-1] in text
        assert invariant.span.text in printed


@settings(max_examples=150, deadline=None)
@given(gen.invariants)
def test_generated_invariants_roundtrip_and_format_idempotently(
        invariant: s.Invariant) -> None:
    module = s.Module((invariant,))
    text = format_module(module)
    again = parse(SourceFile("gen.eq", text))
    assert again == module, text
    assert format_module(again) == text
