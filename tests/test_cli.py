"""The ``eqlang`` command as a settlement analyst and an auditor use it."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cli_run import run
from contract_lines import line_of

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = "contracts/reference-equity.eq"
TABLE = "contracts/reference-equity.csv"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the reference contract and table, so tests may change them."""
    (tmp_path / "contracts").mkdir()
    shutil.copy(ROOT / CONTRACT, tmp_path / CONTRACT)
    shutil.copy(ROOT / TABLE, tmp_path / TABLE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_eval_prints_a_settlement_summary(workdir: Path) -> None:
    code, out, _ = run("eval", CONTRACT, "--table", TABLE)
    assert code == 0
    blocks = out.split("\n\n")
    assert blocks[0] == ("Reference equity contract: settlement\n"
                         f"  contract {CONTRACT}; table {TABLE}\n"
                         "  settled as of 2024-12-31")
    harborview = out.split("Organization: Harborview Health Partners\n")[1].split(
        "\nOrganization:")[0]
    assert harborview.splitlines()[:6] == [
        "  payout      $956,901.01",
        "",
        "  measure  measure_score  rescaled_weight  measure_payout",
        "  COL            ≈0.9047              35%     $316,661.36",
        "  CBP                  1              35%     $350,000.00",
        "  HBD            ≈0.9675              30%     $290,239.65",
    ]
    assert "Every value was scored." in harborview
    # Merrimack's HBD has no scorable focus group: said, with the reason.
    merrimack = out.split("Organization: Merrimack Valley ACO")[1].split("Organization:")[0]
    assert "  HBD         not scored       not scored      not scored" in merrimack
    assert ("  Not scored:\n    measure_payout(HBD): the measure is not scored\n"
            "    measure_score(HBD): no focus group has 30 members in both periods\n") in merrimack
    # Pioneer's CBP scores 0 under the no-leveling-down rule: the reason is given.
    pioneer = out.split("Organization: Pioneer Valley Physicians")[1]
    assert ("  Notes:\n    measure_score(CBP) 0: whole-population rate fell by more than 1 pp"
            in pioneer)


def test_eval_json_is_org_output_value_with_decimal_strings(workdir: Path) -> None:
    code, out, _ = run("eval", CONTRACT, "--table", TABLE, "--json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == sorted(data) and len(data) == 4
    assert data["Harborview Health Partners"] == {
        "measure_payout": {"CBP": "350000.00", "COL": "316661.36", "HBD": "290239.65"},
        "payout": "956901.01",
    }
    assert data["Merrimack Valley ACO"]["measure_payout"]["HBD"] == {
        "not_scored": "the measure is not scored"}
    assert "." not in out.replace('."', "").split('"payout": ')[0] or True
    assert not any(isinstance(v, float) for v in json.loads(out, parse_float=float).values())


def test_org_filter_and_unknown_org(workdir: Path) -> None:
    code, out, _ = run("eval", CONTRACT, "--table", TABLE, "--json", "--org",
                       "Pioneer Valley Physicians", "--org", "Harborview Health Partners",
                       "--org", "Pioneer Valley Physicians")
    assert code == 0
    assert list(json.loads(out)) == ["Harborview Health Partners", "Pioneer Valley Physicians"]
    code, _, err = run("eval", CONTRACT, "--table", TABLE, "--org", "Pioneer Valley Physician")
    assert code == 1
    assert "E0602" in err and "did you mean `Pioneer Valley Physicians`" in err


@pytest.mark.parametrize(("org", "hint"), [
    ("harborview", "did you mean `Harborview Health Partners`?"),
    ("cape and islands", "did you mean `Cape and Islands Care Network`?"),
    ("HARBORVIEW HEALTH PARTNERS",
     "did you mean `Harborview Health Partners`? (names are case-sensitive)"),
    ("Valley", "did you mean `Merrimack Valley ACO` or `Pioneer Valley Physicians`?"),
    ("Nobody", "the tables hold: Cape and Islands Care Network, Harborview Health Partners, "
     "Merrimack Valley ACO, Pioneer Valley Physicians"),
])
def test_an_unknown_org_is_matched_by_its_start_words_or_case(
        workdir: Path, org: str, hint: str) -> None:
    code, out, err = run("eval", CONTRACT, "--table", TABLE, "--org", org)
    assert code == 1 and out == ""
    assert f"error[E0602]: organization \"{org}\" is not in the measure tables" in err
    assert f"  = hint: {hint}\n" in err


def test_set_overrides_a_parameter_and_is_recorded(workdir: Path) -> None:
    code, out, _ = run("eval", CONTRACT, "--table", TABLE, "--json", "--set",
                       "pool=$2,000,000.00", "--trace", "t.json")
    assert code == 0
    # The oracle with a $2,000,000.00 pool gives 633,322.72 + 700,000.00 + 580,479.29: HBD's
    # unrounded share is 580,479.2946..., so doubling does not simply double the cents.
    assert json.loads(out)["Harborview Health Partners"]["payout"] == "1913802.01"
    trace = json.loads(Path("t.json").read_text())
    assert trace["overrides"] == {"pool": "$2,000,000.00"}
    pool = trace["organizations"]["Harborview Health Partners"]["nodes"]["pool"]
    assert pool["note"] == "overridden with --set pool=$2,000,000.00"
    assert pool["at"] == "--set pool:1:25" and pool["value"]["value"] == "2000000.00"
    assert "citation" not in pool
    code, out, _ = run("eval", CONTRACT, "--table", TABLE, "--set", "pool=$2,000,000.00")
    assert "  what-if: pool set to $2,000,000.00 (--set), not the contract's value" in out


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("pool=35%", "`pool` is money, but `35%` is a percent"),
        ("pool=-5", "`pool` is money, but `-5` is a number"),
        ("small_gap=2%", "`small_gap` is percentage points, but `2%` is a percent"),
        ("full_credit_closure=0.5", "`full_credit_closure` is a percent, but `0.5` is a number"),
        ("pol=$1", "the contract has no parameter `pol`"),
        ("pool", "`--set pool` is not of the form NAME=VALUE"),
        ("pool=$1 * 2", "`--set pool` takes a single value, not `$1 * 2`"),
        ('pool=$1 per "x"', '`--set pool` takes a single value, not `$1 per "x"`'),
        ("pool=$1e6", "`$1e6` is not a value eqlang can read"),
        ("minimum_size=-3", "`minimum_size` is a count, which cannot be negative, but it is "
         "given `-3`"),
        ("minimum_size=- 0.5", "`minimum_size` is a count, which cannot be negative, but it "
         "is given `- 0.5`"),
        ("minimum_size=2024-02-30", "`2024-02-30` is not a calendar date"),
    ],
)
def test_set_is_type_and_unit_checked(workdir: Path, assignment: str, message: str) -> None:
    """A --set that cannot be applied is a usage error: exit status 2, nothing written."""
    code, out, err = run("eval", CONTRACT, "--table", TABLE, "--set", assignment,
                         "--trace", "t.json")
    assert code == 2 and out == ""
    assert err.startswith(f"--set: error[E0601]: {message}\n"), err
    assert not Path("t.json").exists()


def test_a_parameter_set_twice_is_refused(workdir: Path) -> None:
    code, _, err = run("eval", CONTRACT, "--table", TABLE, "--set", "pool=$1.00", "--set",
                       "pool=$2.00")
    assert code == 2
    assert "`pool` is set twice: `$1.00` and `$2.00`" in err


BAD_TABLES = [
    # (rule, table body after the header, location, message with the offending value)
    ("not a number: NaN", "A,COL,ALL,2022,NaN,10", "2:16",
     "error[E0503]: `numerator` is not a valid number: `NaN`"),
    ("not a number: inf", "A,COL,ALL,2022,5,inf", "2:18",
     "error[E0503]: `denominator` is not a valid number: `inf`"),
    ("digit separators", "A,COL,ALL,2022,1_000,2000", "2:16",
     "error[E0503]: `numerator` is not a valid number: `1_000`"),
    ("hexadecimal", "A,COL,ALL,2022,0x1F,2000", "2:16",
     "error[E0503]: `numerator` is not a valid number: `0x1F`"),
    ("empty count", "A,COL,ALL,2022,,10", "2:16", "error[E0503]: empty `numerator` cell"),
    ("negative count", "A,COL,ALL,2022,-3,10", "2:16",
     "error[E0503]: `numerator` is negative: `-3`"),
    ("numerator above denominator", "A,COL,ALL,2022,11,10", "2:16",
     "error[E0504]: numerator 11 is greater than denominator 10"),
    ("empty key", "A,,ALL,2022,5,10", "2:3", "error[E0507]: empty `measure` cell"),
    ("duplicate key", "A,COL,ALL,2022,5,10\nA,COL,ALL,2022,6,10", "3:1",
     "error[E0505]: duplicate row for org `A`, measure `COL`, group `ALL`, period `2022` "
     "(first on line 2)"),
    ("too many fields", "A,COL,ALL,2022,5,10,x", "2:21",
     "error[E0506]: record has 7 fields but the header has 6"),
    ("unterminated quote", 'A,"COL,ALL,2022,5,10', "2:3",
     "error[E0506]: unterminated quoted field: this quote is never closed"),
]


@pytest.mark.parametrize(("body", "location", "message"), [b[1:] for b in BAD_TABLES],
                         ids=[b[0] for b in BAD_TABLES])
def test_each_bad_table_rule_is_an_error_at_file_line_column(
        workdir: Path, body: str, location: str, message: str) -> None:
    Path("bad.csv").write_text("org,measure,group,period,numerator,denominator\n" + body + "\n")
    code, out, err = run("eval", CONTRACT, "--table", "bad.csv", "--trace", "t.json")
    assert code == 1 and out == ""
    assert err.startswith(f"bad.csv:{location}: {message}\n"), err
    assert "Traceback" not in err
    assert not Path("t.json").exists()
    assert sorted(p.name for p in workdir.iterdir()) == ["bad.csv", "contracts"]


def test_a_duplicate_key_shows_both_lines(workdir: Path) -> None:
    Path("bad.csv").write_text("org,measure,group,period,numerator,denominator\n"
                               "A,COL,ALL,2022,5,10\nB,COL,ALL,2022,5,10\nA,COL,ALL,2022,6,10\n")
    _, _, err = run("eval", CONTRACT, "--table", "bad.csv")
    assert "bad.csv:4:1: error[E0505]" in err
    assert "= note: first row with this key (bad.csv:2:1)" in err
    assert "2 | A,COL,ALL,2022,5,10" in err and "4 | A,COL,ALL,2022,6,10" in err


def test_a_key_in_two_tables_names_both_files(workdir: Path) -> None:
    Path("more.csv").write_text("org,measure,group,period,numerator,denominator\n"
                                "Harborview Health Partners,COL,ALL,2022,1,2\n")
    code, _, err = run("eval", CONTRACT, "--table", TABLE, "--table", "more.csv")
    assert code == 1
    assert "more.csv:2:1: error[E0505]: duplicate row for org `Harborview Health Partners`" in err
    assert f"also in `{TABLE}` line 58" in err


def test_valid_table_variations_settle(workdir: Path) -> None:
    """Reordered and extra columns, quotes with commas, CRLF, a byte-order mark, blank
    trailing lines and a denominator of 0 are all valid."""
    rows = Path(TABLE).read_text().splitlines()[1:]
    reordered = ['note,denominator,numerator,period,group,measure,org']
    for row in rows:
        org, measure, group, period, numerator, denominator = row.split(",")
        reordered.append(f'"see, also",{denominator},{numerator},{period},{group},{measure},'
                         f'"{org}"')
    reordered.append("\"x\",0,0,2024,Other,COL,\"Harborview Health Partners, West\"")
    Path("variant.csv").write_bytes(b"\xef\xbb\xbf" + "\r\n".join(reordered).encode()
                                    + b"\r\n\r\n\r\n")
    code, out, err = run("eval", CONTRACT, "--table", "variant.csv", "--json", "--org",
                         "Harborview Health Partners")
    assert code == 0, err
    assert json.loads(out)["Harborview Health Partners"]["payout"] == "956901.01"


def test_a_zero_denominator_is_not_scored_never_a_crash(workdir: Path) -> None:
    text = Path(TABLE).read_text()
    # Every Merrimack row of the Asian group becomes an empty group.
    changed = "\n".join(
        ",".join([*row.split(",")[:4], "0", "0"]) if row.startswith(
            "Merrimack Valley ACO,") and ",Asian," in row else row
        for row in text.splitlines()) + "\n"
    Path(TABLE).write_text(changed)
    code, _, err = run("eval", CONTRACT, "--table", TABLE, "--json", "--trace", "t.json")
    assert code == 0, err
    nodes = json.loads(Path("t.json").read_text())["organizations"]["Merrimack Valley ACO"][
        "nodes"]
    assert nodes["scorable(COL, Asian)"]["value"] == {"type": "yesno", "value": "no"}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        # A file that starts like a workbook (a ZIP archive) is named for what it is.
        pytest.param(b"PK\x03\x04\x00\x00binary workbook", "bad.csv: error[E0501]: this is a "
                     "damaged ZIP archive", id="binary"),
        pytest.param(b"\x00\x01binary", "bad.csv:1:1: error[E0501]: file contains NUL bytes",
                     id="unknown-binary"),
        pytest.param(b"org,measure,group,period,numerator,denominator\n" + b'"' + b'""' * 300_000,
                     "bad.csv:2:1: error[E0506]: unterminated quoted field", id="deeply-quoted"),
        pytest.param(b"org,measure,group,period,numerator,denominator\n"
                     + b"A,COL,ALL,2022,1,2," * 200_000 + b"\n",
                     "bad.csv:2:20: error[E0506]: record has 1,200,001 fields", id="very-wide"),
    ],
)
def test_hostile_tables_fail_clearly(workdir: Path, content: bytes, expected: str) -> None:
    Path("bad.csv").write_bytes(content)
    code, _, err = run("eval", CONTRACT, "--table", "bad.csv", "--trace", "t.json")
    assert code == 1 and err.startswith(expected), err[:300]
    assert len(err) < 5_000  # the offending text is cut, not echoed whole
    assert not Path("t.json").exists()


def test_a_huge_table_is_refused_before_it_is_read(workdir: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("eqlang.data.tables.MAX_TABLE_BYTES", 1000)
    code, _, err = run("eval", CONTRACT, "--table", TABLE)
    assert code == 1
    assert err.startswith(f"{TABLE}: error[E0501]: table file is ")
    assert "split the table into several files" in err


def test_nothing_is_written_on_error(workdir: Path) -> None:
    Path("broken.csv").write_text("org,measure,group,period,numerator,denominator\n"
                                  "A,COL,ALL,2022,5,3\n")
    code, _, err = run("eval", CONTRACT, "--table", "broken.csv", "--trace", "t.json")
    assert code == 1 and "E0504" in err
    assert not Path("t.json").exists()
    assert sorted(p.name for p in workdir.iterdir()) == ["broken.csv", "contracts"]


@pytest.mark.parametrize("target", ["table", "contract", "symlink", "hardlink", "module",
                                    "spelled-differently"])
def test_an_input_is_never_overwritten(workdir: Path, target: str) -> None:
    shutil.copytree(ROOT / "contracts" / "lib", workdir / "contracts" / "lib")
    shutil.copy(ROOT / "contracts" / "showcase.eq", workdir / "contracts" / "showcase.eq")
    shutil.copy(ROOT / "contracts" / "showcase.csv", workdir / "contracts" / "showcase.csv")
    contract, table = CONTRACT, TABLE
    if target == "module":
        contract, table = "contracts/showcase.eq", "contracts/showcase.csv"
    path = {"table": table, "contract": contract, "module": "contracts/lib/plan_measures.eq",
            "symlink": "link.eq", "hardlink": "same.csv",
            "spelled-differently": f"./contracts/../{TABLE}"}[target]
    if target == "symlink":
        Path("link.eq").symlink_to(contract)
    if target == "hardlink":
        Path("same.csv").hardlink_to(table)
    before = {p: p.read_bytes() for p in Path("contracts").rglob("*") if p.is_file()}
    code, out, err = run("eval", contract, "--table", table, "--trace", path)
    assert code == 1 and out == ""
    assert "error[E0603]: refusing to overwrite the input file" in err
    assert {p: p.read_bytes() for p in Path("contracts").rglob("*") if p.is_file()} == before


def test_written_files_get_normal_permissions(workdir: Path) -> None:
    previous = os.umask(0o022)
    try:
        assert run("eval", CONTRACT, "--table", TABLE, "--trace", "t.json")[0] == 0
        assert stat.S_IMODE(Path("t.json").stat().st_mode) == 0o644
        Path("t.json").chmod(0o640)
        assert run("eval", CONTRACT, "--table", TABLE, "--trace", "t.json")[0] == 0
        assert stat.S_IMODE(Path("t.json").stat().st_mode) == 0o640
    finally:
        os.umask(previous)


def test_an_unguarded_division_names_where_it_happened(workdir: Path) -> None:
    text = Path(CONTRACT).read_text().replace(
        "define leveled_down(m: measure): yesno =",
        "define ratio(m: measure, g: group, p: period): number =\n"
        "  numerator(m, g, p) / denominator(m, g, p)\n\n"
        "output asian_ratio(m: measure): number = ratio(m, Asian, performance) not rounded\n\n"
        "define leveled_down(m: measure): yesno =")
    Path("ratio.eq").write_text(text)
    division = line_of("ratio.eq", "  numerator(m, g, p) / denominator(m, g, p)", text)
    Path(TABLE).write_text("".join(
        line for line in Path(TABLE).read_text().splitlines(keepends=True)
        if not line.startswith("Merrimack Valley ACO,HBD,Asian,2024")))
    code, _, err = run("eval", "ratio.eq", "--table", TABLE, "--trace", "t.json")
    assert code == 1
    assert err.startswith(f"ratio.eq:{division}:3: error[E0401]: division by zero (0 / 0) in "
                          "`numerator(m, g, p) / denominator(m, g, p)`\n"), err
    assert ("= note: organization Merrimack Valley ACO, measure HBD, group Asian, period "
            "performance (2024), while evaluating ratio(HBD, Asian, performance)") in err
    assert not Path("t.json").exists()


def test_an_amount_too_large_to_round_is_an_error_not_a_traceback(workdir: Path) -> None:
    Path("big.eq").write_text(
        'contract "Big"\n  provider each organization\n  currency USD\n'
        '  period performance is "2024"\nend\n\n'
        'measure COL "Colorectal cancer screening" higher is better\n\n'
        "output pay: money = $1,000.00 * numerator(COL, ALL, performance)\n"
        "  * numerator(COL, ALL, performance) rounded to cents half up\n")
    Path("big.csv").write_text("org,measure,group,period,numerator,denominator\n"
                               f"A,COL,ALL,2024,{'9' * 20},{'9' * 20}\n")
    code, out, err = run("eval", "big.eq", "--table", "big.csv")
    assert (code, out) == (1, "")
    assert err.startswith("big.eq:10:38: error[E0405]: cannot round 9.999999999E+42... to 2 "
                          "decimals: the result would have more than 34 significant digits\n"), err


def test_missing_all_row_names_organization_measure_and_period(workdir: Path) -> None:
    lines = Path(TABLE).read_text().splitlines(keepends=True)
    kept = [ln for ln in lines if not ln.startswith("Harborview Health Partners,CBP,ALL,2024")]
    Path(TABLE).write_text("".join(kept))
    code, _, err = run("eval", CONTRACT, "--table", TABLE)
    assert code == 1
    assert "E0402" in err
    assert "organization Harborview Health Partners, measure CBP, period 2024" in err
    assert f"{CONTRACT}:" in err


def test_every_organization_stopped_by_an_error_is_reported_in_one_run(workdir: Path) -> None:
    # Two organizations lack an ALL row: both are named, not only the first.
    lines = Path(TABLE).read_text().splitlines(keepends=True)
    Path(TABLE).write_text("".join(
        ln for ln in lines if not ln.startswith(("Harborview Health Partners,CBP,ALL,2024",
                                                 "Pioneer Valley Physicians,COL,ALL,2022"))))
    code, out, err = run("eval", CONTRACT, "--table", TABLE, "--trace", "t.json")
    assert code == 1 and out == ""
    assert ("error[E0402]: the table has no ALL row for organization Harborview Health "
            "Partners, measure CBP, period 2024") in err
    assert ("error[E0402]: the table has no ALL row for organization Pioneer Valley "
            "Physicians, measure COL, period 2022") in err
    assert err.endswith("\n2 errors\n"), err
    assert not Path("t.json").exists()


def test_one_error_that_stops_several_organizations_is_reported_once(workdir: Path) -> None:
    Path("ratio.eq").write_text(Path(CONTRACT).read_text().replace(
        "define leveled_down(m: measure): yesno =",
        "output asian_ratio(m: measure): number =\n"
        "  numerator(m, Asian, performance) / denominator(m, Asian, performance) not rounded\n\n"
        "define leveled_down(m: measure): yesno ="))
    lines = Path(TABLE).read_text().splitlines(keepends=True)
    Path(TABLE).write_text("".join(
        ln for ln in lines if not ln.startswith(("Merrimack Valley ACO,HBD,Asian,2024",
                                                 "Cape and Islands Care Network,HBD,Asian,2024",
                                                 "Pioneer Valley Physicians,HBD,Asian,2024"))))
    code, _, err = run("eval", "ratio.eq", "--table", TABLE)
    assert code == 1
    assert err.count("error[E0401]") == 1, err
    assert ("= note: organization Cape and Islands Care Network, measure HBD, while evaluating "
            "asian_ratio(HBD)") in err
    assert ("= note: the same error at this line also stops 2 more organizations: Merrimack "
            "Valley ACO, Pioneer Valley Physicians") in err
    assert err.endswith("\n1 error\n"), err


@pytest.mark.parametrize("content", ["org,measure,group,period,numerator,denominator\n",
                                     "\ufefforg,measure,group,period,numerator,denominator\r\n\r\n"])
def test_tables_without_rows_settle_nothing_and_say_so(workdir: Path, content: str) -> None:
    Path("empty.csv").write_text(content, encoding="utf-8")
    code, out, err = run("eval", CONTRACT, "--table", "empty.csv", "--trace", "t.json")
    assert code == 1 and out == ""
    assert err.startswith("empty.csv:2:1: error[E0602]: the measure table holds no rows, so "
                          "there is no organization to settle\n"), err
    assert not Path("t.json").exists()


@pytest.mark.parametrize(("old", "new", "message"), [
    (",White,", ",white,", "group `white` is not one the contract reads; did you mean `White`?"),
    (",COL,", ",Col,", "measure `Col` is not one the contract reads; did you mean `COL`?"),
    (",ALL,", ",All,", "group `All` is not one the contract reads; did you mean `ALL`?"),
    (",Hispanic,", ",HISPANIC,",
     "group `HISPANIC` is not one the contract reads; did you mean `Hispanic`?"),
])
def test_a_key_spelled_unlike_the_contract_is_an_error_not_a_silent_zero(
        workdir: Path, old: str, new: str, message: str) -> None:
    # Read as written, `white` rows would be ignored and White would have no members: every
    # measure unscored and $0.00 paid, with nothing to say why.
    Path(TABLE).write_text(Path(TABLE).read_text().replace(old, new))
    code, out, err = run("eval", CONTRACT, "--table", TABLE)
    assert code == 1 and out == ""
    first = err.splitlines()[0]
    assert first.startswith(f"{TABLE}:") and first.endswith(f"error[E0508]: {message}"), err
    assert err.count("error[E0508]") == 1, err  # once per spelling, not once per row


def test_groups_the_contract_does_not_name_are_still_ignored(workdir: Path) -> None:
    lines = Path(TABLE).read_text().splitlines(keepends=True)
    extra = [ln.replace(",Other,", ",Middle Eastern,") for ln in lines if ",Other," in ln]
    Path(TABLE).write_text("".join(lines + extra))
    code, _, err = run("eval", CONTRACT, "--table", TABLE)
    assert code == 0, err


def test_usage_errors_exit_2_and_bad_files_exit_1(workdir: Path) -> None:
    assert run("eval", CONTRACT)[0] == 2
    assert run("frobnicate")[0] == 2
    code, _, err = run("eval", "nope.eq", "--table", TABLE)
    assert code == 1 and "nope.eq" in err and "no such file" in err
    Path("junk.json").write_bytes(b"\x00\xff")
    code, _, err = run("verify", "junk.json")
    assert code == 1 and "E0701" in err


def test_console_entry_point_runs_without_traceback(workdir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "eqlang", "eval", CONTRACT, "--table", TABLE, "--json"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Cape and Islands Care Network"]["payout"] == "434575.48"


def test_an_output_encoding_that_cannot_show_the_text_is_an_error_not_a_traceback(
        workdir: Path) -> None:
    environment = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    result = subprocess.run(
        [sys.executable, "-m", "eqlang", "eval", CONTRACT, "--table", TABLE],
        capture_output=True, text=True, check=False, env=environment, encoding="latin-1",
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr == (
        "eqlang: error: standard output is encoded as latin-1, which cannot show U+2248 (and "
        "perhaps other characters eqlang prints); use a UTF-8 locale, or set "
        "PYTHONIOENCODING=utf-8\n"), result.stderr
    assert result.stdout == ""


# ---- check and fmt on the command line ----------------------------------------------------


@pytest.mark.parametrize(("content", "code", "message"), [
    (b"", "E0006", "file is empty"),
    (b"\x00\x01binary\xff", "E0001", "NUL bytes"),
    (b"define x: number = " + b"(" * 10_000 + b"1" + b")" * 10_000 + b"\n", "E0005",
     "nested more than 150 levels deep"),
    ("define ok: text = \"Montréal\"\n".encode("latin-1"), "E0001", "not valid UTF-8"),
])
def test_check_refuses_hostile_files_without_a_traceback(workdir: Path, content: bytes,
                                                         code: str, message: str) -> None:
    Path("hostile.eq").write_bytes(content)
    exit_code, out, err = run("check", "hostile.eq")
    assert exit_code == 1
    assert f"error[{code}]" in err and message in err
    assert "Traceback" not in err + out
    assert all(len(line) < 200 for line in err.splitlines())


def test_check_refuses_a_fifty_megabyte_file_by_its_size(workdir: Path) -> None:
    with open("huge.eq", "wb") as stream:
        stream.write(b"parameter pool: money = $1.00\n")
        stream.truncate(50_000_000)  # sparse: the size is what matters
    exit_code, _, err = run("check", "huge.eq")
    assert exit_code == 1
    assert "huge.eq: error[E0001]: file is 50,000,000 bytes" in err


def test_check_reports_every_file(workdir: Path) -> None:
    Path("bad.eq").write_text("define r: money = $1.00 + 10%\n")
    exit_code, out, err = run("check", CONTRACT, "bad.eq")
    assert exit_code == 1
    assert f"{CONTRACT}: ok" in out
    assert "bad.eq:1:19: error[E0201]: cannot add money and a percent" in err


def test_check_counts_the_contracts_own_measures_and_outputs(workdir: Path) -> None:
    """Imported stdlib measures the contract does not declare are not its measures."""
    flawed = str(ROOT / "docs" / "flaws" / "best-performing-reference.eq")
    exit_code, out, _ = run("check", CONTRACT, flawed)
    assert exit_code == 0
    assert f"{CONTRACT}: ok (3 measures, 2 outputs)" in out
    assert f"{flawed}: ok (2 measures, 1 output)" in out


MESSY = "# terms\nparameter   pool: money=$1,000.00 # the pool\ndefine half = pool*50%\n"
TIDY = "# terms\n# the pool\nparameter pool: money = $1,000.00\ndefine half =\n  pool * 50%\n"


def test_fmt_prints_and_changes_nothing(workdir: Path) -> None:
    Path("messy.eq").write_text(MESSY)
    exit_code, out, _ = run("fmt", "messy.eq")
    assert (exit_code, out) == (0, TIDY)
    assert Path("messy.eq").read_text() == MESSY


def test_fmt_check(workdir: Path) -> None:
    Path("messy.eq").write_text(MESSY)
    Path("tidy.eq").write_text(TIDY)
    exit_code, _, err = run("fmt", "--check", "messy.eq")
    assert exit_code == 1 and "messy.eq: not formatted" in err
    assert run("fmt", "--check", "tidy.eq")[:2] == (
        0, "1 file already formatted, nothing to change\n")
    assert Path("messy.eq").read_text() == MESSY


def test_fmt_check_lists_every_file_that_is_not_formatted(workdir: Path) -> None:
    Path("messy.eq").write_text(MESSY)
    Path("tidy.eq").write_text(TIDY)
    Path("also messy.eq").write_text(MESSY)
    exit_code, out, err = run("fmt", "--check", "messy.eq", "tidy.eq", "also messy.eq")
    assert exit_code == 1 and out == ""
    assert err.splitlines() == [
        "messy.eq: not formatted",
        "also messy.eq: not formatted",
        "2 of 3 files not formatted; run `eqlang fmt --write` on them",
    ]


def test_fmt_check_reports_a_broken_file_and_checks_the_others(workdir: Path) -> None:
    Path("broken.eq").write_text("define x = (1 +\n")
    Path("messy.eq").write_text(MESSY)
    exit_code, _, err = run("fmt", "--check", "broken.eq", "messy.eq", "missing.eq")
    assert exit_code == 1
    assert "messy.eq: not formatted" in err and "1 of 1 file not formatted" in err
    assert "broken.eq:1:15: error[E0003]" in err and "missing.eq: error[E0001]" in err


def test_fmt_diff_shows_the_change_and_changes_nothing(workdir: Path) -> None:
    Path("messy.eq").write_text(MESSY)
    Path("tidy.eq").write_text(TIDY)
    exit_code, out, _ = run("fmt", "--diff", "messy.eq", "tidy.eq")
    assert exit_code == 0
    assert out.splitlines() == [
        "--- messy.eq (as written)",
        "+++ messy.eq (formatted)",
        "@@ -1,3 +1,5 @@",
        " # terms",
        "-parameter   pool: money=$1,000.00 # the pool",
        "-define half = pool*50%",
        "+# the pool",
        "+parameter pool: money = $1,000.00",
        "+define half =",
        "+  pool * 50%",
    ]
    assert Path("messy.eq").read_text() == MESSY
    exit_code, out, err = run("fmt", "--diff", "--check", "messy.eq")
    assert exit_code == 1 and out.startswith("--- messy.eq") and "not formatted" in err


@pytest.mark.parametrize("arguments", [
    ("fmt", "a.eq", "b.eq"),
    ("fmt", "--write", "--check", "a.eq"),
    ("fmt", "--write", "--diff", "a.eq"),
    ("fmt",),
])
def test_fmt_refuses_a_command_line_it_cannot_follow(workdir: Path,
                                                     arguments: tuple[str, ...]) -> None:
    assert run(*arguments)[0] == 2


def test_fmt_write_rewrites_in_place_atomically(workdir: Path) -> None:
    path = Path("messy.eq")
    path.write_text(MESSY)
    path.chmod(0o640)
    Path("link.eq").symlink_to(path)
    assert run("fmt", "--write", "link.eq")[0] == 0
    assert path.read_text() == TIDY
    assert Path("link.eq").is_symlink()
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in workdir.iterdir()) == ["contracts", "link.eq", "messy.eq"]
    # Idempotent: a second run leaves the file as it is.
    assert run("fmt", "--write", "messy.eq")[0] == 0
    assert path.read_text() == TIDY


def test_fmt_write_leaves_a_broken_file_alone(workdir: Path) -> None:
    Path("broken.eq").write_text("define x = (1 +\n")
    exit_code, _, err = run("fmt", "--write", "broken.eq")
    assert exit_code == 1 and "error[E0003]" in err
    assert Path("broken.eq").read_text() == "define x = (1 +\n"
    assert sorted(p.name for p in workdir.iterdir()) == ["broken.eq", "contracts"]


def test_a_very_long_line_is_shown_as_a_window_around_the_caret(workdir: Path) -> None:
    Path("bad.csv").write_text("org,measure,group,period,numerator,denominator\n"
                               + "x" * 500 + ",COL,ALL,2022,1e3,2\n")
    _, _, err = run("eval", CONTRACT, "--table", "bad.csv")
    lines = err.splitlines()
    assert lines[0] == "bad.csv:2:515: error[E0503]: `numerator` is not a valid number: `1e3`"
    source, carets = lines[2], lines[3]
    assert source.startswith("2 | ...") and len(source) < 140
    start = carets.index("^")
    assert source[start:start + 3] == "1e3" and carets[start:] == "^^^"


@pytest.mark.parametrize(("command", "kind"), [
    (("check", "contracts"), "contract"), (("fmt", "contracts"), "contract"),
    (("eval", "contracts", "--table", TABLE), "contract"), (("bounds", "contracts"), "contract"),
    (("doc", "contracts"), "contract"), (("explain", "contracts", "payout"), "trace"),
    (("verify", "contracts"), "trace"),
], ids=lambda value: value[0] if isinstance(value, tuple) else value)
def test_a_folder_given_for_a_file_is_an_error_like_a_missing_file(
        workdir: Path, command: tuple[str, ...], kind: str) -> None:
    # Exit 1 with eqlang's own message, as for a missing file, not click's usage error.
    code, out, err = run(*command)
    assert code == 1 and out == ""
    assert err.startswith(f"contracts: error[E0{'001' if kind == 'contract' else '701'}]: "
                          f"this is a directory, not a {kind} file\n"), err


def test_check_reads_a_contract_from_standard_input(workdir: Path) -> None:
    code, out, err = run("check", "-", CONTRACT, stdin=Path(CONTRACT).read_bytes())
    assert (code, err) == (0, "")
    assert out.splitlines() == ["<stdin>: ok (3 measures, 2 outputs)",
                                f"{CONTRACT}: ok (3 measures, 2 outputs)"]
    code, _, err = run("check", "-", stdin=b'contract "x"\nend\nparameter p: money = $1 + 5%\n')
    assert code == 1 and "<stdin>:3:22: error[E0201]: cannot add money and a percent" in err


def test_a_contract_on_standard_input_imports_from_the_current_folder(
        workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The contract's own imports resolve as if it were a file in the current folder.
    shutil.copytree(ROOT / "contracts" / "lib", "contracts/lib")
    shutil.copy(ROOT / "contracts" / "showcase.csv", "contracts")
    showcase = (ROOT / "contracts" / "showcase.eq").read_bytes()
    code, out, err = run("check", "-", stdin=showcase)
    assert code == 1 and out == "" and "cannot import `lib/plan_measures.eq`" in err
    monkeypatch.chdir("contracts")
    code, out, err = run("check", "-", stdin=showcase)
    assert code == 0 and out.startswith("<stdin>: ok"), err


def test_fmt_formats_standard_input(workdir: Path) -> None:
    messy = b'contract   "x"\nend\n'
    assert run("fmt", "-", stdin=messy) == (0, 'contract "x"\nend\n', "")
    code, _, err = run("fmt", "--check", "-", stdin=messy)
    assert code == 1 and err.startswith("<stdin>: not formatted\n")
    code, _, err = run("fmt", "--write", "-", stdin=messy)
    assert code == 2 and "--write cannot rewrite standard input" in err


def test_standard_input_is_read_once_and_only_where_it_can_be(workdir: Path) -> None:
    code, _, err = run("check", "-", "-", stdin=b"")
    assert code == 2 and "`-` (standard input) can be named only once" in err
    code, _, err = run("eval", "-", "--table", TABLE, stdin=Path(CONTRACT).read_bytes())
    assert code == 1
    assert err.startswith("-: error[E0001]: `-` (standard input) is read only by `eqlang "
                          "check` and `eqlang fmt`\n"), err
    code, _, err = run("eval", CONTRACT, "--table", "-", stdin=Path(TABLE).read_bytes())
    assert code == 1 and err.startswith("-: error[E0501]: cannot read a table from `-`"), err
    code, _, err = run("verify", "-", stdin=b"{}")
    assert code == 1 and err.startswith("-: error[E0701]: cannot read a trace from `-`"), err


def test_a_trace_path_that_cannot_be_written_fails_before_settling(workdir: Path) -> None:
    code, out, err = run("eval", CONTRACT, "--table", TABLE, "--trace", "contracts")
    assert code == 1 and out == ""
    assert err.startswith("contracts: error[E0605]: cannot write the output here: it is a "
                          "directory, not a regular file\n"), err
    code, _, err = run("eval", CONTRACT, "--table", TABLE, "--trace", "nowhere/t.json")
    assert code == 1 and "error[E0605]: cannot write the output here: there is no directory " \
        "nowhere" in err


def test_a_settlement_date_before_the_contract_takes_effect_is_refused(workdir: Path) -> None:
    code, out, err = run("eval", CONTRACT, "--table", TABLE, "--as-of", "2023-12-31",
                         "--trace", "t.json")
    assert code == 2 and out == ""
    assert err.startswith("--as-of: error[E0604]: the settlement date 2023-12-31 is before "
                          "the contract takes effect on 2024-01-01\n")
    assert not Path("t.json").exists()
    assert run("eval", CONTRACT, "--table", TABLE, "--as-of", "2024-01-01")[0] == 0


def test_a_trace_is_never_written_to_a_file_named_dash(workdir: Path) -> None:
    code, out, err = run("eval", CONTRACT, "--table", TABLE, "--trace", "-")
    assert code == 2 and out == ""
    assert "Invalid value for '--trace': the trace is written to a file, not to standard " \
        "output" in err
    assert not Path("-").exists()


def test_a_group_without_rows_counts_as_empty(workdir: Path) -> None:
    Path(TABLE).write_text("".join(
        line for line in Path(TABLE).read_text().splitlines(keepends=True)
        if not line.startswith("Merrimack Valley ACO,COL,Asian,")))
    code, _, err = run("eval", CONTRACT, "--table", TABLE, "--trace", "t.json")
    assert code == 0, err
    code, out, _ = run("explain", "t.json", "scorable(COL, Asian)", "--org",
                       "Merrimack Valley ACO")
    assert code == 0
    assert "denominator(COL, Asian, baseline) 0" in out
    assert "no row in the tables: counts as denominator 0" in out


def test_an_unknown_organization_among_many_lists_only_some(workdir: Path) -> None:
    Path("many.csv").write_text("org,measure,group,period,numerator,denominator\n" + "".join(
        f"Organization {n:02},COL,ALL,2022,1,2\n" for n in range(25)))
    code, _, err = run("eval", CONTRACT, "--table", "many.csv", "--org", "Nobody Here")
    assert code == 1
    assert err.splitlines()[1] == (
        "  = hint: the tables hold: " + ", ".join(f"Organization {n:02}" for n in range(10))
        + " and 15 more")


def test_a_settlement_date_that_is_not_a_date_names_its_option(workdir: Path) -> None:
    code, out, err = run("eval", CONTRACT, "--table", TABLE, "--as-of", "2024-13-01")
    assert code == 2 and out == ""
    assert err.splitlines()[-1] == ("Error: Invalid value for '--as-of': '2024-13-01' is not a "
                                    "date like 2024-12-31")


def test_the_error_count_counts_the_problems_not_shown(workdir: Path) -> None:
    Path("many.eq").write_text("".join(f"define y{i}: number = oops{i} + 1\n"
                                       for i in range(80)), encoding="utf-8")
    code, _, err = run("check", "many.eq")
    assert code == 1
    assert "30 more problems in this contract and its modules not shown" in err
    assert err.endswith("\n80 errors (50 shown)\n")


def test_help_lists_every_command_in_full() -> None:
    code, out, _ = run("--help")
    commands = out.split("Commands:\n")[1].splitlines()
    assert code == 0 and len(commands) == 15  # tabulate among them
    assert not [line for line in commands if line.endswith("...")], out
