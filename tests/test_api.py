"""The Python API as a notebook user works with it: load, settle, read, explain, verify."""

from __future__ import annotations

import doctest
import gc
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from eqlang import api
from eqlang.api import (
    explain_trace,
    load_contract,
    load_trace,
    settle,
)
from eqlang.core.values import NotScored, Quantity
from eqlang.diagnostics import EqlangError

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "contracts" / "reference-equity.eq"
TABLE = ROOT / "contracts" / "reference-equity.csv"
HARBORVIEW = "Harborview Health Partners"


@pytest.fixture(scope="module")
def run() -> api.Run:
    return settle(load_contract(CONTRACT), [str(TABLE)])


def test_the_module_docstring_runs_as_written(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The docstring's examples run from a copy of the repository's contracts, so that the
    trace they write lands in a scratch folder; every example must give what it shows."""
    shutil.copytree(ROOT / "contracts", tmp_path / "contracts")
    monkeypatch.chdir(tmp_path)
    results = doctest.testmod(api, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                              report=True)
    assert results.attempted >= 20
    assert results.failed == 0, "see the doctest report above"
    assert (tmp_path / "trace.json").exists()


def test_outputs_are_exact_values(run: api.Run) -> None:
    outputs = run.outputs()
    payout = outputs[HARBORVIEW]["payout"]
    assert isinstance(payout, Quantity) and isinstance(payout.magnitude, Decimal)
    per_measure = outputs["Merrimack Valley ACO"]["measure_payout"]
    assert isinstance(per_measure, dict)
    assert per_measure["HBD"] == NotScored("the measure is not scored")


def test_rows_for_a_data_frame(run: api.Run) -> None:
    rows = run.rows()
    assert len(rows) == 4 * 4  # four organizations: payout and three measure payouts
    assert rows[0] == {"organization": "Cape and Islands Care Network",
                       "output": "measure_payout", "key": "COL", "unit": "money",
                       "value": Decimal("49345.25"), "text": "49345.25", "not_scored": None}
    hbd = next(r for r in rows if r["organization"] == "Merrimack Valley ACO"
               and r["key"] == "HBD")
    assert hbd["value"] is None and hbd["not_scored"] == "the measure is not scored"


def test_the_trace_is_plain_json_data(run: api.Run) -> None:
    trace = run.trace()
    assert json.loads(run.trace_json()) == trace
    assert trace["organizations"][HARBORVIEW]["outputs"]["payout"]["value"]["value"] == \
        "956901.01"


def test_what_if_runs_and_subsets(run: api.Run) -> None:
    what_if = settle(run.program, [str(TABLE)], organizations=[HARBORVIEW],
                     overrides={"pool": "$2,000,000.00"})
    assert what_if.organizations == (HARBORVIEW,)
    assert what_if.value(HARBORVIEW, "payout").magnitude == Decimal("1913802.01")
    assert what_if.trace()["overrides"] == {"pool": "$2,000,000.00"}
    # The same tables can be reused without reading them again.
    again = settle(run.program, run.tables, organizations=["Pioneer Valley Physicians"])
    assert again.value("Pioneer Valley Physicians", "payout").magnitude == Decimal("524230.10")


def test_mistakes_raise_diagnostics_not_tracebacks(run: api.Run) -> None:
    with pytest.raises(EqlangError) as info:
        run.value(HARBORVIEW, "payot")
    assert "did you mean `payout`" in str(info.value.diagnostics[0].hint)
    with pytest.raises(EqlangError) as info:
        run.value("Harborview Health Partner", "payout")
    assert info.value.diagnostics[0].code == "E0702"
    with pytest.raises(EqlangError):
        run.value(HARBORVIEW, "measure_payout")  # per measure: which one?
    with pytest.raises(EqlangError):
        run.value(HARBORVIEW, "payout", "COL")
    with pytest.raises(EqlangError) as info:
        run.explain("payout")  # several organizations
    assert info.value.diagnostics[0].code == "E0602"
    with pytest.raises(EqlangError) as info:
        settle(run.program, [str(TABLE)], overrides=["pool=35%"])
    assert info.value.diagnostics[0].code == "E0601"
    with pytest.raises(EqlangError) as info:
        load_contract(ROOT / "contracts" / "nope.eq")
    assert info.value.diagnostics[0].code == "E0001"


def test_an_error_reads_as_on_the_command_line(run: api.Run, tmp_path: Path) -> None:
    """A notebook shows ``str(error)``: it must say which file, line and column, and how
    to fix it, not only what is wrong."""
    table = tmp_path / "bad.csv"
    table.write_text("org,measure,group,period,numerator,denominator\nA,COL,ALL,2022,1e3,2\n")
    with pytest.raises(EqlangError) as info:
        settle(run.program, [table])
    text = str(info.value)
    assert text.startswith(f"{table}:2:16: error[E0503]: `numerator` is not a valid number: "
                           "`1e3`\n")
    assert "  = hint: write a plain non-negative decimal" in text
    with pytest.raises(EqlangError) as info:
        load_contract(tmp_path / "nope.eq")
    assert str(info.value).startswith(f"{tmp_path / 'nope.eq'}: error[E0001]: no such file")


def test_one_table_organization_or_override_needs_no_list(run: api.Run) -> None:
    alone = settle(run.program, TABLE, organizations=HARBORVIEW, overrides="pool=$2,000,000.00")
    assert alone.organizations == (HARBORVIEW,)
    assert alone.value(HARBORVIEW, "payout").magnitude == Decimal("1913802.01")
    assert settle(run.program, str(TABLE)).organizations == run.organizations


def test_a_per_measure_output_asks_for_its_measure(run: api.Run) -> None:
    with pytest.raises(EqlangError) as info:
        run.value(HARBORVIEW, "measure_payout")
    diagnostic = info.value.diagnostics[0]
    assert diagnostic.message == ("output `measure_payout` has one value per measure or "
                                  "group; name which")
    assert diagnostic.hint == (f"call value({HARBORVIEW!r}, 'measure_payout', 'COL'); it has: "
                               "COL, CBP, HBD")


def test_explaining_a_trace_file(run: api.Run, tmp_path: Path) -> None:
    path = tmp_path / "trace.json"
    run.write_trace(path)
    text = explain_trace(path, "gap(COL, Asian, baseline)", org=HARBORVIEW, depth=0)
    assert text.splitlines()[0] == "gap(COL, Asian, baseline) ≈3.8 pp"
    assert explain_trace(load_trace(path), "payout", org=HARBORVIEW) == run.explain(
        "payout", org=HARBORVIEW)


def test_settling_leaves_the_garbage_collector_as_it_was(run: api.Run) -> None:
    gc.disable()
    try:
        settle(run.program, run.tables, organizations=[HARBORVIEW]).trace()
        assert not gc.isenabled()
    finally:
        gc.enable()
    settle(run.program, run.tables, organizations=[HARBORVIEW]).trace()
    assert gc.isenabled()


def test_the_public_api_is_typed() -> None:
    for name in api.__all__:
        item = getattr(api, name)
        if callable(item) and not isinstance(item, type):
            assert item.__annotations__.get("return") is not None, name
        assert item.__doc__, name


def test_accented_names_match_however_the_accent_was_typed(tmp_path: Path) -> None:
    # The contract spells the provider and a category with combining accents, the table
    # with precomposed letters, and the caller names the organization a third way.
    composed, decomposed = "Cl\u00ednica", "Cli\u0301nica"
    contract = tmp_path / "accents.eq"
    contract.write_text(
        "contract \"Accents\"\n"
        f"  provider \"{decomposed} del Valle\"\n"
        "  currency USD\n"
        "  period performance is \"2024\"\n"
        "end\n\n"
        "measure COL \"Colorectal cancer screening\" higher is better\n\n"
        "stratification ethnicity\n"
        "  groups \"Lati\u0301ne\" as Latine, Other\n"
        "  reference Other\n"
        "  focus Latine\n"
        "end\n\n"
        "output latine_rate: percent = rate(COL, Latine, performance) not rounded\n",
        encoding="utf-8")
    table = tmp_path / "accents.csv"
    table.write_text("org,measure,group,period,numerator,denominator\n"
                     f"{composed} del Valle,COL,Lat\u00edne,2024,3,4\n", encoding="utf-8")
    outputs = settle(load_contract(str(contract)), str(table),
                     organizations=f"{decomposed} del Valle").outputs()
    assert outputs == {
        f"{composed} del Valle": {"latine_rate": Quantity("percent", Decimal("0.75"))}}
