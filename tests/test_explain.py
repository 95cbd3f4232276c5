"""`eqlang explain` on real traces: the derivation of a value as a negotiator reads it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_run import run
from contract_lines import line_of
from hypothesis import example, given
from hypothesis import strategies as st

from eqlang.render import WIDTH, wrap

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = "contracts/reference-equity.eq"
TABLE = "contracts/reference-equity.csv"
HARBORVIEW = "Harborview Health Partners"


@pytest.fixture(scope="module")
def trace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference contract's trace, written from the repository root as users do."""
    path = tmp_path_factory.mktemp("explain") / "trace.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        assert run("eval", CONTRACT, "--table", TABLE, "--trace", str(path))[0] == 0
    return path


@pytest.fixture(scope="module")
def showcase(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("showcase") / "trace.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        assert run("eval", "contracts/showcase.eq", "--table", "contracts/showcase.csv",
                   "--trace", str(path))[0] == 0
    return path


def explain(trace: Path, value: str, org: str = HARBORVIEW, *extra: str) -> list[str]:
    code, out, err = run("explain", str(trace), value, "--org", org, *extra)
    assert code == 0, err
    return out.splitlines()


def test_a_payout_reads_as_the_contract_applied(trace: Path) -> None:
    lines = explain(trace, "measure_payout(CBP)")
    assert lines[0] == HARBORVIEW
    assert lines[1] == ("measure_payout(CBP) $350,000.00 = pool $1,000,000.00 × "
                        "rescaled_weight(CBP) 35% × measure_score(CBP) 1")
    payout_line = line_of(CONTRACT, "output measure_payout(")
    assert lines[2] == f"│   output at {CONTRACT}:{payout_line}:1, rounded to cents half up"
    assert lines[3] == "├─ pool $1,000,000.00"
    pool_line = line_of(CONTRACT, "parameter pool:")
    assert lines[4] == f'│      parameter at {CONTRACT}:{pool_line}:1, per "Section 4.1"'


def test_the_branch_taken_is_shown_with_the_reason(trace: Path) -> None:
    lines = explain(trace, "measure_payout(COL)")
    # group_score is an if/else: only the branch taken is shown, and why it was taken.
    at = lines.index("│  │  ├─ group_score(COL, Asian) 1 = clamp(closure(COL, Asian) ≈0.6053 / "
                     "full_credit_closure 50%, 0, 1)")
    assert lines[at + 1] == "│  │  │  │   since gap(COL, Asian, baseline) ≈3.8 pp > small_gap 2 pp"
    rule_line = line_of(CONTRACT, "define group_score(")
    assert lines[at + 2] == f"│  │  │  │   rule at {CONTRACT}:{rule_line}:1"
    # The measure score's else-if chain: both conditions that led to the mean.
    at = lines.index("│  ├─ measure_score(COL) ≈0.9047 = mean(group_score(COL, g) for each g in "
                     "focus groups where scorable(COL, g))")
    assert lines[at + 1] == ("│  │  │   since count(g for each g in focus groups where "
                             "scorable(COL, g)) 3 != 0")
    assert lines[at + 2] == "│  │  │   and leveled_down(COL) is no"


def test_no_untaken_branch_appears_anywhere(trace: Path) -> None:
    data = json.loads(trace.read_text())
    for org in data["organizations"]:
        text = "\n".join(explain(trace, "payout", org))
        for word in (" then ", " else ", "if "):
            assert word not in text, (org, word)


def test_down_to_the_table_rows_with_file_and_line(trace: Path) -> None:
    lines = explain(trace, "gap(COL, Asian, baseline)")
    assert lines[1:] == [
        "gap(COL, Asian, baseline) ≈3.8 pp",
        "│   = max(0 pp, rate(COL, White, baseline) ≈70.9% - rate(COL, Asian, baseline) ≈67.1%)",
        "│   since higher_is_better(COL) is yes",
        f"│   rule at {CONTRACT}:{line_of(CONTRACT, 'define gap(')}:1",
        "├─ rate(COL, White, baseline) ≈70.9% = 2272.003 / 3204.518",
        "│      table row contracts/reference-equity.csv:70 (group White, period 2022)",
        "├─ rate(COL, Asian, baseline) ≈67.1% = 256.734 / 382.614",
        "│      table row contracts/reference-equity.csv:60 (group Asian, period 2022)",
        "└─ higher_is_better(COL) yes",
        f"       measure at {CONTRACT}:{line_of(CONTRACT, 'measure COL ')}:1",
    ]


def test_approximations_are_marked_and_the_trace_keeps_every_digit(trace: Path) -> None:
    nodes = json.loads(trace.read_text())["organizations"][HARBORVIEW]["nodes"]
    exact = nodes["closure(COL, Asian)"]["value"]["value"]
    assert exact == "0.60525284785509727881696014620216"
    assert len(exact) >= 30
    assert "closure(COL, Asian) ≈0.6053" in "\n".join(explain(trace, "group_score(COL, Asian)"))
    # An exact value is shown without the mark.
    assert "full_credit_closure 50%" in "\n".join(explain(trace, "group_score(COL, Asian)"))


def test_long_readings_wrap_before_an_operator(trace: Path) -> None:
    lines = explain(trace, "closure(COL, Black)")
    assert lines[1:4] == [
        "closure(COL, Black) ≈0.5417",
        "│   = (gap(COL, Black, baseline) ≈7.1999 pp - gap(COL, Black, performance) ≈3.3001 pp)",
        "│     / gap(COL, Black, baseline) ≈7.1999 pp",
    ]


def test_no_line_is_wider_than_the_page(trace: Path) -> None:
    data = json.loads(trace.read_text())
    for org in data["organizations"]:
        for line in explain(trace, "payout", org):
            assert len(line) <= WIDTH, line


def test_not_scored_values_say_why(trace: Path) -> None:
    lines = explain(trace, "measure_payout(HBD)", "Merrimack Valley ACO")
    text = "\n".join(lines)
    assert lines[1] == "measure_payout(HBD) not scored (the measure is not scored)"
    assert ("measure_score(HBD) not scored (no focus group has 30 members in both periods)"
            in text)
    assert "since count(g for each g in focus groups where scorable(HBD, g)) 0 = 0" in text
    assert "denominator(HBD, Asian, baseline) 9.217" in text


def test_leveling_down_reads_as_the_contract_says(trace: Path) -> None:
    text = "\n".join(explain(trace, "measure_score(CBP)", "Pioneer Valley Physicians"))
    assert ('measure_score(CBP) 0 = 0 because "whole-population rate fell by more than 1 pp"'
            in text)
    assert "and leveled_down(CBP) is yes" in text
    assert ("= rate(CBP, ALL, baseline) ≈73.1611% - rate(CBP, ALL, performance) ≈69.1877%"
            in text)


def test_depth_limits_the_tree(trace: Path) -> None:
    root = explain(trace, "payout", HARBORVIEW, "--depth", "0")
    assert root[1].startswith("payout $956,901.01")
    assert root[-1] == "    ... 7 more values behind it (raise --depth to see them)"
    assert not any(line.startswith(("├─", "└─")) for line in root)
    shallow = "\n".join(explain(trace, "payout", HARBORVIEW, "--depth", "1"))
    assert "├─ measure_payout(COL) $316,661.36" in shallow
    assert "table row" not in shallow and "raise --depth" in shallow
    full = "\n".join(explain(trace, "payout"))
    assert "raise --depth" not in full and "table row" in full


def test_a_value_explained_above_is_not_repeated(trace: Path) -> None:
    lines = explain(trace, "group_score(COL, Asian)")
    shown = [i for i, line in enumerate(lines) if "gap(COL, Asian, baseline) ≈3.8 pp" in line
             and "─ " in line]
    assert len(shown) == 2
    assert lines[shown[1] + 2].endswith("(derivation shown above)")


def test_an_output_per_measure_explains_every_measure(trace: Path) -> None:
    lines = explain(trace, "measure_payout")
    roots = [line for line in lines if line.startswith("measure_payout(")]
    # In the trace's order: canonical JSON sorts the measure codes.
    assert [r.split(" ")[0] for r in roots] == ["measure_payout(CBP)", "measure_payout(COL)",
                                                "measure_payout(HBD)"]


def test_explain_is_deterministic(trace: Path) -> None:
    assert explain(trace, "payout") == explain(trace, "payout")


def test_choosing_what_to_explain(trace: Path) -> None:
    code, _, err = run("explain", str(trace), "payout")
    assert code == 2 and "choose one with --org" in err and HARBORVIEW in err
    code, _, err = run("explain", str(trace), "payot", "--org", HARBORVIEW)
    assert code == 1 and "E0702" in err and "did you mean `payout`" in err
    code, _, err = run("explain", str(trace), "measure_payout(COLL)", "--org", HARBORVIEW)
    assert code == 1 and "has no value for `COLL`" in err and "did you mean `COL`" in err
    code, _, err = run("explain", str(trace), "payout", "--org", "Harborview Health Partner")
    assert code == 1 and "E0602" in err and f"did you mean `{HARBORVIEW}`" in err
    code, _, err = run("explain", str(trace), "payout", "--org", "harborview")
    assert code == 1 and f"did you mean `{HARBORVIEW}`?" in err
    code, _, err = run("explain", str(trace), "payout", "--org", "Nobody")
    assert code == 1 and f"it holds: Cape and Islands Care Network, {HARBORVIEW}" in err
    code, _, err = run("explain", str(trace), "payout", "--org", HARBORVIEW, "--depth", "-1")
    assert code == 2


def test_a_value_name_is_read_whole_not_guessed_at(trace: Path) -> None:
    code, _, err = run("explain", str(trace), "gap(COL,Asian,baseline", "--org", HARBORVIEW)
    assert code == 1
    assert err.splitlines()[:2] == [
        f"{trace}: error[E0702]: `gap(COL,Asian,baseline` is not closed: a `)` is missing",
        "  = hint: write it as gap(COL, Asian, baseline)"]
    code, _, err = run("explain", str(trace), "payout(COL)", "--org", HARBORVIEW)
    assert code == 1
    assert err.splitlines()[:2] == [
        f"{trace}: error[E0702]: output `payout` has one value, not one per measure or group",
        "  = hint: ask for `payout`"]


def test_exceptions_schedules_and_chosen_reference_groups(showcase: Path) -> None:
    granite = "Granite Hills ACO"
    text = "\n".join(explain(showcase, "measure_score(WCV)", granite))
    assert "measure_score(WCV) 0 = pediatric_score(WCV)" in text
    assert "since WCV = WCV" in text and 'per "Pediatric rider, section 2"' in text
    assert "since -12.52 pp is below -5 pp" in text
    text = "\n".join(explain(showcase, "gap(COL, Black, baseline)", granite))
    # `reference(m, g, p)` reads as the group it chose for this organization.
    assert ("= max(0 pp, rate(COL, White, baseline) 71% - rate(COL, Black, baseline) 62%)"
            in text)
    text = "\n".join(explain(showcase, "peer_cut(WCV, performance)", granite))
    assert "rate(WCV, ALL, performance) at Bayside Community Health ≈80.0645%" in text
    amended = line_of("contracts/showcase.eq", "  amended to $1,650,000.00")
    assert f"parameter at contracts/showcase.eq:{amended}:3" in "\n".join(
        explain(showcase, "pool", granite))


def test_an_old_trace_without_readings_still_explains(trace: Path, tmp_path: Path) -> None:
    data = json.loads(trace.read_text())
    for node in data["organizations"][HARBORVIEW]["nodes"].values():
        node.pop("reading", None)
        node.pop("since", None)
    old = tmp_path / "old.json"
    old.write_text(json.dumps(data))
    lines = explain(old, "measure_payout(CBP)")
    assert lines[1] == "measure_payout(CBP) $350,000.00"


@given(st.text(st.sampled_from("ab (),×-"), max_size=300), st.integers(20, 120))
@example("a aaaaaaaaaaaaaaaaaaaaa a", 20)  # a term longer than a line, then more to wrap
def test_wrapping_keeps_every_word_in_order(text: str, width: int) -> None:
    lines = wrap(text, width)
    assert " ".join(lines) == text
    for line in lines:
        assert len(line) <= width or " " not in line.strip() or line == lines[0]


@pytest.mark.parametrize("value", ["payot", "measure_payout(XYZ)", "gap(COL, Asian, 2031)"])
def test_a_value_not_in_the_trace_prints_nothing_but_the_error(trace: Path, value: str) -> None:
    code, out, err = run("explain", str(trace), value, "--org", HARBORVIEW)
    assert code == 1 and "E0702" in err
    assert out == ""


@pytest.mark.parametrize("written", ["gap(COL,Asian,baseline)", "gap( COL ,Asian, baseline )",
                                     "gap (COL, Asian, baseline)", "measure_payout (COL)",
                                     "measure_payout( COL )"])
def test_spacing_inside_a_value_name_does_not_matter(trace: Path, written: str) -> None:
    canonical = written.replace(" ", "").replace(",", ", ")
    assert explain(trace, written) == explain(trace, canonical)


def test_a_term_that_is_not_scored_cannot_be_read_as_a_test(tmp_path: Path) -> None:
    """`if leveled_down(CBP) not scored then` would read as a test of scoring; the value
    after a term is set apart."""
    cape = "Cape and Islands Care Network"
    table = tmp_path / "t.csv"
    table.write_text("".join(
        f"{cape},CBP,ALL,2024,0,0\n" if line.startswith(f"{cape},CBP,ALL,2024,") else line
        for line in (ROOT / TABLE).read_text().splitlines(keepends=True)))
    path = tmp_path / "trace.json"
    assert run("eval", str(ROOT / CONTRACT), "--table", str(table), "--org", cape,
               "--trace", str(path))[0] == 0
    lines = explain(path, "measure_score(CBP)", cape, "--depth", "1")
    assert lines[2].startswith("│   = if leveled_down(CBP) (not scored) then 0 because")
    assert lines[7] == ("│      = rate(CBP, ALL, baseline) ≈73.6814% - rate(CBP, ALL, "
                        "performance) (not scored)")


def test_a_stratification_argument_reads_as_the_one_given(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # `groups of s` inside the stdlib's variance reads as `groups of race`, the way `m` and
    # `p` read as COL and performance.
    monkeypatch.chdir(ROOT)
    path = tmp_path / "tufts.json"
    assert run("eval", "contracts/bluecross-tufts.eq", "--table", "contracts/bluecross-tufts.csv",
               "--trace", str(path))[0] == 0
    text = " ".join(" ".join(explain(path, "variance(COL, performance)",
                                     "Tufts Medicine: Boston", "--depth", "1")).split())
    assert "for each g in groups of race where" in text
    assert "groups of s " not in text
