"""Tests of member-level inputs (eqlang.data.members and friends), run on a real DuckDB:
the counts equal an independent computation with fractions, bad files get located errors
and nothing is written, traces record the files and verify notices a change."""

from __future__ import annotations

import json
import os
import re
import runpy
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_whatif import SCENARIOS

from eqlang.api import load_contract, settle, verify_trace
from eqlang.cli import main
from eqlang.core.program import Program
from eqlang.data.attribution import Attribution, AttributionError, parse_attribution
from eqlang.data.member_sql import PIVOTED
from eqlang.data.members import tabulate
from eqlang.diagnostics import EqlangError, render_all
from eqlang.trace.writer import dumps

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "contracts" / "reference-equity.eq"
MEMBERS = ROOT / "contracts" / "reference-members.csv"
MEMBERSHIP = ROOT / "contracts" / "reference-membership.csv"
RESULTS_HEADER = "member_id,org,measure,period,denominator,numerator\n"
MEMBERSHIP_HEADER = "member_id,stratification,group,probability,source\n"

UNKNOWN_CONTRACT = """contract "Members"
  provider each organization
  currency USD
  period baseline is "2022"
  period performance is "2024"
  effective 2024-01-01 to 2024-12-31
end

measure COL "Colorectal cancer screening" higher is better

stratification race
  groups Asian, Black, Hispanic, White, Unknown
  reference White
end

output white_rate: percent = rate(COL, White, performance) rounded to 1 decimals half up
"""


@pytest.fixture(scope="module")
def reference() -> Program:
    return load_contract(CONTRACT)


@pytest.fixture(scope="module")
def with_unknown(tmp_path_factory: pytest.TempPathFactory) -> Program:
    path = tmp_path_factory.mktemp("contract") / "members.eq"
    path.write_text(UNKNOWN_CONTRACT, encoding="utf-8")
    return load_contract(path)


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    # surrogateescape: a lone \udcff stands for a byte that is not UTF-8.
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    return str(path)


def table_of(text: str) -> dict[tuple[str, str, str, str], tuple[Decimal, Decimal]]:
    rows = text.splitlines()[1:]
    found = {}
    for line in rows:
        org, measure, group, period, numerator, denominator = line.split(",")
        found[org, measure, group, period] = (Decimal(numerator), Decimal(denominator))
    return found


# ---- the counts, against plain Python with fractions ----------------------------------------

GROUPS = ("Asian", "Black", "Hispanic", "White", "AIAN")


@st.composite
def member_files(draw: st.DrawFn) -> tuple[list[tuple], list[tuple]]:
    """Member results and membership: every member has membership (self-reported, imputed
    with up to six decimals summing exactly to 1, or both)."""
    count = draw(st.integers(1, 12))
    results, membership = [], []
    for number in range(count):
        member = f"m{number}"
        org = draw(st.sampled_from(["Org A", "Org B"]))
        for measure in draw(st.sets(st.sampled_from(["COL", "CBP"]), min_size=1)):
            for period in draw(st.sets(st.sampled_from(["2022", "2024"]), min_size=1)):
                denominator = draw(st.integers(0, 1))
                numerator = draw(st.integers(0, denominator))
                results.append((member, org, measure, period, denominator, numerator))
        reported = draw(st.none() | st.sampled_from(GROUPS))
        if reported is not None:
            membership.append((member, "race", reported, "1", "self-reported"))
        if reported is None or draw(st.booleans()):
            groups = draw(st.lists(st.sampled_from(GROUPS), min_size=1, max_size=5,
                                   unique=True))
            cuts = sorted(draw(st.lists(st.integers(0, 10**6), min_size=len(groups) - 1,
                                        max_size=len(groups) - 1)))
            bounds = [0, *cuts, 10**6]
            for group, low, high in zip(groups, bounds, bounds[1:], strict=False):
                probability = Decimal(high - low).scaleb(-6)
                membership.append((member, "race", group, str(probability), "imputed"))
    return results, membership


def by_fractions(results: list[tuple], membership: list[tuple], terms: Attribution
                 ) -> dict[tuple[str, str, str, str], tuple[Fraction, Fraction]]:
    """The measure table computed independently: self-report first, else the terms."""
    reported: dict[str, str] = {}
    imputed: dict[str, dict[str, Fraction]] = defaultdict(dict)
    for member, _, group, probability, source in membership:
        if source == "self-reported":
            reported[member] = group
        else:
            imputed[member][group] = Fraction(probability)
    weights: dict[str, dict[str, Fraction]] = {}
    for member in {row[0] for row in results}:
        if member in reported:
            weights[member] = {reported[member]: Fraction(1)}
        elif terms.imputed == "fractional":
            weights[member] = {g: p for g, p in imputed[member].items() if p > 0}
        else:
            top = max(imputed[member].values())
            best = [g for g, p in imputed[member].items() if p == top]
            assert terms.threshold is not None and terms.otherwise is not None
            chosen = best[0] if len(best) == 1 and top >= terms.threshold else terms.otherwise
            weights[member] = {chosen: Fraction(1)}
    table: dict[tuple[str, str, str, str], tuple[Fraction, Fraction]] = {}
    for member, org, measure, period, denominator, numerator in results:
        for group, weight in [*weights[member].items(), ("ALL", Fraction(1))]:
            key = (org, measure, group, period)
            num, den = table.get(key, (Fraction(0), Fraction(0)))
            table[key] = (num + weight * numerator, den + weight * denominator)
    return table


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(files=member_files(),
       terms=st.sampled_from([Attribution(), parse_attribution("most probable at 50% else AIAN"),
                              parse_attribution("most probable at 0.8 else Unknown")]))
def test_counts_equal_an_independent_computation_with_fractions(
        tmp_path: Path, reference: Program, files: tuple[list[tuple], list[tuple]],
        terms: Attribution) -> None:
    results, membership = files
    folder = Path(tmp_path) / f"case{os.urandom(4).hex()}"
    folder.mkdir()
    made = tabulate(
        reference,
        [write(folder, "r.csv", RESULTS_HEADER + "".join(
            ",".join(map(str, row)) + "\n" for row in results))],
        [write(folder, "m.csv", MEMBERSHIP_HEADER + "".join(
            ",".join(row) + "\n" for row in membership))],
        terms)
    expected = by_fractions(results, membership, terms)
    got = table_of(made.text)
    assert set(got) == set(expected)
    for key, (numerator, denominator) in expected.items():
        assert (Fraction(got[key][0]), Fraction(got[key][1])) == (numerator, denominator), key
    # The table read back is the one tabulated, row for row.
    assert len(made.table.rows) == len(expected)


def test_members_without_membership_count_in_a_declared_unknown_group(
        tmp_path: Path, with_unknown: Program) -> None:
    made = tabulate(with_unknown,
                    [write(tmp_path, "r.csv", RESULTS_HEADER + "m1,A,COL,2024,1,1\n"
                                                             "m2,A,COL,2024,1,0\n")],
                    [write(tmp_path, "m.csv", MEMBERSHIP_HEADER + "m1,race,White,1,"
                                                                  "self-reported\n")])
    assert table_of(made.text) == {
        ("A", "COL", "ALL", "2024"): (Decimal(1), Decimal(2)),
        ("A", "COL", "Unknown", "2024"): (Decimal(0), Decimal(1)),
        ("A", "COL", "White", "2024"): (Decimal(1), Decimal(1)),
    }


def test_tolerance_admits_rounded_probabilities(tmp_path: Path, reference: Program) -> None:
    results = [write(tmp_path, "r.csv", RESULTS_HEADER + "m1,A,COL,2024,1,1\n")]
    membership = [write(tmp_path, "m.csv", MEMBERSHIP_HEADER
                        + "m1,race,Black,0.333333,imputed\nm1,race,White,0.666666,imputed\n")]
    with pytest.raises(EqlangError) as caught:
        tabulate(reference, results, membership)
    assert [d.code for d in caught.value.diagnostics] == ["E0906"]
    assert "sum to 0.999999, not 1" in caught.value.diagnostics[0].message
    made = tabulate(reference, results, membership, Attribution(tolerance=Decimal("0.000001")))
    # Counted as given, not rescaled: the ALL row counts the member once, the groups
    # 0.999999 of them.
    assert table_of(made.text)[("A", "COL", "White", "2024")] == (Decimal("0.666666"),
                                                                   Decimal("0.666666"))


def test_undeclared_groups_are_tabulated_with_a_warning(tmp_path: Path,
                                                         reference: Program) -> None:
    made = tabulate(reference,
                    [write(tmp_path, "r.csv", RESULTS_HEADER + "m1,A,COL,2024,1,1\n")],
                    [write(tmp_path, "m.csv", MEMBERSHIP_HEADER
                           + "m1,race,Black or African American,0.5,imputed\n"
                             "m1,race,AIAN,0.5,imputed\n")])
    assert ("A", "COL", "AIAN", "2024") in table_of(made.text)
    warned = " ".join(made.warnings)
    assert "`Black or African American`" in warned and "did you mean `Black`?" in warned
    assert "`AIAN`" in warned and "did you mean `Asian`" not in warned


def test_more_groups_than_the_query_has_columns_for_are_counted_the_same(
        tmp_path: Path, reference: Program) -> None:
    # Beyond PIVOTED groups the table is made by joining each member's weights row by row
    # to their results, after the checks: the counts and the errors are the same.
    groups = [f"G{number:03}" for number in range(PIVOTED + 6)]
    shares = [Decimal(1) - Decimal("0.01") * (len(groups) - 1)] + [Decimal("0.01")] * (
        len(groups) - 1)
    results = [(f"m{number}", "Org A", "COL", "2024", 1, number % 2) for number in range(4)]
    membership = [(member, "race", group, str(share), "imputed")
                  for member, *_ in results for group, share in zip(groups, shares,
                                                                    strict=True)]
    results_file = write(tmp_path, "r.csv", RESULTS_HEADER + "".join(
        ",".join(map(str, row)) + "\n" for row in results))
    membership_file = write(tmp_path, "m.csv", MEMBERSHIP_HEADER + "".join(
        ",".join(row) + "\n" for row in membership))
    made = tabulate(reference, [results_file], [membership_file])
    expected = by_fractions(results, membership, Attribution())
    assert {key: (Fraction(n), Fraction(d)) for key, (n, d) in table_of(made.text).items()} \
        == expected
    stray = write(tmp_path, "r2.csv", RESULTS_HEADER + "m9,Org A,COL,2024,1,0\n")
    with pytest.raises(EqlangError) as caught:
        tabulate(reference, [results_file, stray], [membership_file])
    assert [d.code for d in caught.value.diagnostics] == ["E0907"]
    assert caught.value.diagnostics[0].path == stray


# ---- bad files: located errors, nothing written ---------------------------------------------

GOOD_RESULTS = RESULTS_HEADER + "m1,A,COL,2024,1,1\nm2,A,COL,2024,1,0\n"
GOOD_MEMBERSHIP = MEMBERSHIP_HEADER + ("m1,race,White,1,self-reported\n"
                                       "m2,race,Black,0.62,imputed\nm2,race,White,0.38,imputed\n")

BAD = [
    ("E0901", "results", "", "the results file is empty"),
    ("E0901", "membership", MEMBERSHIP_HEADER + "m1,race,White,1,self-reported\n".replace(
        "White", "Blanc\udcff"), "UTF-8"),
    ("E0902", "results", RESULTS_HEADER.replace(",", ";") + "m1;A;COL;2024;1;1\n",
     "separated by semicolons"),
    ("E0902", "results", RESULTS_HEADER.replace("numerator", "numer") + "m1,A,COL,2024,1,1\n",
     "no column `numerator`"),
    ("E0903", "results", GOOD_RESULTS + "m3,A,COL,2024,2,1\n", "`denominator` is `2`"),
    ("E0903", "results", GOOD_RESULTS + "m3,,COL,2024,1,1\n", "empty `org` cell"),
    ("E0903", "results", GOOD_RESULTS + "m2, ,CBP,2024,1,1\n", "empty `org` cell"),
    ("E0904", "results", GOOD_RESULTS + "m3,A,COL,2024,0,1\n", "numerator 1 without"),
    ("E0905", "results", GOOD_RESULTS + "m1,B,COL,2024,1,0\n", "member `m1` has 2 rows"),
    ("E0907", "results", GOOD_RESULTS + "m9,A,COL,2024,1,0\n", "member `m9` has results"),
    ("E0903", "membership", GOOD_MEMBERSHIP + "m3,race,White,-0.1,imputed\n",
     "probability `-0.1`"),
    ("E0903", "membership", GOOD_MEMBERSHIP + "m3,race,White,1,self reported\n",
     "did you mean"),
    ("E0903", "membership", GOOD_MEMBERSHIP + "m3,race,White,0.5,self-reported\n",
     "self-reported group with probability"),
    ("E0905", "membership", GOOD_MEMBERSHIP + "m2,race,Black,0.62,imputed\n", "2 imputed rows"),
    # Probabilities of 0 given twice: the sums are right, the rows are still duplicates.
    ("E0905", "membership", GOOD_MEMBERSHIP + "m2,race,Asian,0,imputed\n" * 2,
     "2 imputed rows"),
    ("E0906", "membership", GOOD_MEMBERSHIP + "m2,race,Asian,0.1,imputed\n", "sum to 1.1"),
    ("E0906", "membership", GOOD_MEMBERSHIP + "m1,race,Black,1,self-reported\n",
     "2 self-reported groups"),
    ("E0908", "membership", GOOD_MEMBERSHIP.replace(",race,", ",ethnicity,"),
     "no rows for stratification `race`"),
]


@pytest.mark.parametrize(("code", "role", "text", "message"), BAD)
def test_bad_member_files_get_located_errors_and_write_nothing(
        tmp_path: Path, code: str, role: str, text: str, message: str) -> None:
    results = write(tmp_path, "r.csv", text if role == "results" else GOOD_RESULTS)
    membership = write(tmp_path, "m.csv", text if role == "membership" else GOOD_MEMBERSHIP)
    output = tmp_path / "table.csv"
    run = CliRunner().invoke(main, ["tabulate", str(CONTRACT), "--members", results,
                                    "--membership", membership, "--output", str(output)])
    assert run.exit_code == 1, run.output
    assert f"error[{code}]" in run.stderr and message in run.stderr, run.stderr
    # Located: the file the problem is in.
    assert (results if role == "results" else membership) in run.stderr
    assert not output.exists()


def test_parquet_problems_name_the_row(tmp_path: Path, reference: Program) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    results = tmp_path / "r.parquet"
    pq.write_table(pa.table({"member_id": ["m1", "m2", "m3"], "org": ["A", "A", "A"],
                             "measure": ["COL"] * 3, "period": ["2024"] * 3,
                             "denominator": pa.array([1, 1, 0], pa.int8()),
                             "numerator": pa.array([1, 0, 1], pa.int8())}), results)
    membership = tmp_path / "m.parquet"
    pq.write_table(pa.table({"member_id": ["m1", "m2", "m3"], "stratification": ["race"] * 3,
                             "group": ["White", "Black", "White"],
                             "probability": pa.array([Decimal(1)] * 3, pa.decimal128(7, 6)),
                             "source": ["self-reported"] * 3}), membership)
    with pytest.raises(EqlangError) as caught:
        tabulate(reference, [results], [membership])
    (problem,) = caught.value.diagnostics
    assert (problem.code, problem.path, problem.line) == ("E0904", str(results), 4)


def test_floating_point_probabilities_are_refused(tmp_path: Path, reference: Program) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    results = write(tmp_path, "r.csv", RESULTS_HEADER + "m1,A,COL,2024,1,1\n")
    membership = tmp_path / "m.parquet"
    pq.write_table(pa.table({"member_id": ["m1"], "stratification": ["race"],
                             "group": ["White"], "probability": [1.0],
                             "source": ["self-reported"]}), membership)
    with pytest.raises(EqlangError) as caught:
        tabulate(reference, [results], [membership])
    assert [d.code for d in caught.value.diagnostics] == ["E0902"]
    assert "floating-point" in caught.value.diagnostics[0].message


@pytest.mark.parametrize("kind", ["fifo", "directory", "workbook", "missing"])
def test_files_that_are_not_member_files_are_refused(tmp_path: Path, reference: Program,
                                                     kind: str) -> None:
    results = tmp_path / "r.csv"
    if kind == "fifo":
        os.mkfifo(results)
    elif kind == "directory":
        results.mkdir()
    elif kind == "workbook":
        import openpyxl

        openpyxl.Workbook().save(results)
    membership = write(tmp_path, "m.csv", GOOD_MEMBERSHIP)
    with pytest.raises(EqlangError) as caught:
        tabulate(reference, [results], [membership])
    (problem,) = caught.value.diagnostics
    assert problem.code == "E0901" and problem.path == str(results)
    expected = {"fifo": "named pipe", "directory": "directory", "workbook": "Excel workbook",
                "missing": "no such file"}[kind]
    assert expected in problem.message, render_all([problem])


def test_attribution_terms_are_read_and_refused_with_a_reason() -> None:
    terms = parse_attribution("most probable at 80% else Unknown", "0.00001")
    assert (terms.threshold, terms.otherwise, terms.tolerance) == (
        Decimal("0.8"), "Unknown", Decimal("0.00001"))
    assert Attribution.from_json(terms.to_json()) == terms
    assert "80%" in terms.describe()
    for text in ("most probable", "most probable at 180% else Unknown", "weighted"):
        with pytest.raises(AttributionError):
            parse_attribution(text)


# ---- settling, traces and verify ------------------------------------------------------------


def test_eval_settles_from_member_files_and_verify_notices_a_changed_one(
        tmp_path: Path) -> None:
    members = tmp_path / "members.csv"
    members.write_bytes(MEMBERS.read_bytes())
    membership = tmp_path / "membership.csv"
    membership.write_bytes(MEMBERSHIP.read_bytes())
    trace = tmp_path / "trace.json"
    run = CliRunner().invoke(main, ["eval", str(CONTRACT), "--members", str(members),
                                    "--membership", str(membership), "--tolerance", "0.00001",
                                    "--json", "--trace", str(trace)])
    assert run.exit_code == 0, run.output
    paid = json.loads(run.stdout)
    assert set(paid) == {"Harborview Health Partners", "Merrimack Valley ACO"}
    data = json.loads(trace.read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads((ROOT / "docs" / "trace.schema.json").read_text(
        encoding="utf-8")))
    (section,) = data["members"]
    assert section["engine"]["name"] == "duckdb" and section["engine"]["version"]
    assert section["attribution"]["imputed"] == "fractional"
    assert section["attribution"]["tolerance"] == "0.00001"
    assert "GROUP BY" in section["query"]
    assert [(f["role"], f["rows"]) for f in section["files"]] == [
        ("results", MEMBERS.read_text().count("\n") - 1),
        ("membership", MEMBERSHIP.read_text().count("\n") - 1)]
    assert data["tables"][0]["path"] == section["table"]
    # The contract lies in the repository, the member files beside the trace.
    assert verify_trace(trace, inputs="/").ok
    text = membership.read_text(encoding="utf-8")
    membership.write_text(text.replace("self-reported", "imputed", 1), encoding="utf-8")
    result = verify_trace(trace, inputs="/")
    assert not result.ok
    assert any("member file" in p and "SHA-256" in p for p in result.problems)


def test_a_tabulation_settles_like_the_table_it_writes(tmp_path: Path,
                                                       reference: Program) -> None:
    made = tabulate(reference, [MEMBERS], [MEMBERSHIP],
                    Attribution(tolerance=Decimal("0.00001")))
    written = tmp_path / "table.csv"
    written.write_text(made.text, encoding="utf-8")
    assert settle(reference, made).outputs_json() == settle(reference, written).outputs_json()


def test_tabulate_writes_parquet_with_exact_decimals(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    output = tmp_path / "table.parquet"
    run = CliRunner().invoke(main, ["tabulate", str(CONTRACT), "--members", str(MEMBERS),
                                    "--membership", str(MEMBERSHIP), "--tolerance", "0.00001",
                                    "--output", str(output)])
    assert run.exit_code == 0, run.output
    csv_output = tmp_path / "table.csv"
    CliRunner().invoke(main, ["tabulate", str(CONTRACT), "--members", str(MEMBERS),
                              "--membership", str(MEMBERSHIP), "--tolerance", "0.00001",
                              "--output", str(csv_output)])
    table = pq.read_table(output).to_pylist()
    expected = table_of(csv_output.read_text(encoding="utf-8"))
    assert {(r["org"], r["measure"], r["group"], r["period"]): (r["numerator"],
                                                                r["denominator"])
            for r in table} == expected


def test_the_sample_member_files_are_what_the_generator_writes() -> None:
    generator = runpy.run_path(str(ROOT / "tools" / "member_files.py"))
    results, membership = generator["generate"]()
    assert MEMBERS.read_text(encoding="utf-8") == results
    assert MEMBERSHIP.read_text(encoding="utf-8") == membership


def test_every_way_of_writing_a_trace_records_the_member_files(
        tmp_path: Path, reference: Program) -> None:
    # The trace streamed as the run settles, written afterwards, and built as data are the
    # same bytes, with the members section in its sorted place, and each verifies.
    members = tmp_path / "members.csv"
    members.write_bytes(MEMBERS.read_bytes())
    membership = tmp_path / "membership.csv"
    membership.write_bytes(MEMBERSHIP.read_bytes())
    made = tabulate(reference, [members], [membership], Attribution(tolerance=Decimal("0.00001")))
    streamed, written = tmp_path / "streamed.json", tmp_path / "written.json"
    run = settle(reference, [made], organizations="Harborview Health Partners",
                 trace=streamed)
    run.write_trace(written)
    text = streamed.read_text(encoding="utf-8")
    assert text == written.read_text(encoding="utf-8") == dumps(run.trace())
    keys = list(json.loads(text))
    assert keys == sorted(keys) and "members" in keys
    assert run.trace()["members"] == [made.trace_fragment()]
    assert verify_trace(streamed, inputs="/").ok and verify_trace(written, inputs="/").ok
    with pytest.raises(EqlangError, match="E0603"):
        run.write_trace(membership)  # a member file is an input, never overwritten
    assert membership.read_bytes() == MEMBERSHIP.read_bytes()


def test_a_trace_without_member_files_has_no_members_section(reference: Program) -> None:
    run = settle(reference, ROOT / "contracts" / "reference-equity.csv")
    assert "members" not in run.trace()


@pytest.mark.parametrize("command", ["diff", "whatif", "simulate", "statement", "export"])
def test_every_settling_command_reads_member_files_as_the_table_they_add_up_to(
        tmp_path: Path, command: str) -> None:
    """Each command that takes --table takes --members and --membership too, and gives what
    it gives on the measure table `tabulate` writes from them."""
    terms = ["--tolerance", "0.00001"]
    table = tmp_path / "table.csv"
    made = CliRunner().invoke(main, ["tabulate", str(CONTRACT), "--members", str(MEMBERS),
                                     "--membership", str(MEMBERSHIP), *terms,
                                     "--output", str(table)])
    assert made.exit_code == 0, made.output
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(SCENARIOS, encoding="utf-8")
    arguments = {
        "diff": (["diff", str(CONTRACT), str(CONTRACT)], ["--json"]),
        "whatif": (["whatif", str(CONTRACT)], ["--scenario", str(scenario), "--json"]),
        "simulate": (["simulate", str(CONTRACT)], ["--draws", "5", "--json"]),
        "statement": (["statement", str(CONTRACT)], ["--output"]),
        "export": (["export", "fhir", str(CONTRACT)], ["--output"]),
    }[command]

    def outcome(source: list[str], name: str) -> str:
        extra = [*arguments[1], str(tmp_path / name)] if arguments[1] == ["--output"] \
            else arguments[1]
        run = CliRunner().invoke(main, [*arguments[0], *source, *extra])
        assert run.exit_code == 0, run.output
        if command == "statement":
            page = (tmp_path / name / "harborview-health-partners.html").read_text(
                encoding="utf-8")
            # Every figure with its name; the rows behind them are in different files.
            return json.dumps(re.findall(r'<summary[^>]*title="([^"]+)">([^<]*)</summary>',
                                         page))
        if command == "export":
            bundle = json.loads((tmp_path / name).read_text(encoding="utf-8"))
            return json.dumps([entry["resource"].get("group") for entry in bundle["entry"]])
        data = json.loads(run.stdout)
        data.pop("tables", None)
        return json.dumps(data, sort_keys=True)

    from_members = outcome(["--members", str(MEMBERS), "--membership", str(MEMBERSHIP),
                            *terms], "from-members")
    assert from_members == outcome(["--table", str(table)], "from-table")
    assert "Harborview" in from_members or len(from_members) > 1000
