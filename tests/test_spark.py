"""Conformance: the same member files through DuckDB and Spark (local mode) give identical
decimal strings, for the table and for the problems found.

Needs PySpark (``pip install 'eqlang[spark]'``) and a Java runtime; CI has both
(.ci/run installs them) and there the test must run, not skip.
"""

from __future__ import annotations

import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from eqlang.api import load_contract
from eqlang.core.program import Program
from eqlang.data.attribution import Attribution, parse_attribution
from eqlang.data.members import open_engine, tabulate
from eqlang.diagnostics import EqlangError

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "contracts" / "reference-equity.eq"
MEMBERS = ROOT / "contracts" / "reference-members.csv"
MEMBERSHIP = ROOT / "contracts" / "reference-membership.csv"

_missing = []
try:
    import pyspark  # noqa: F401
except ImportError:
    _missing.append("PySpark")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    _missing.append("a Java runtime")
if _missing and os.environ.get("CI") == "true":
    pytest.fail(f"CI must run the Spark conformance test, but {' and '.join(_missing)} "
                "is missing: .ci/run installs them", pytrace=False)
pytestmark = pytest.mark.skipif(bool(_missing), reason=f"needs {' and '.join(_missing)}")


@pytest.fixture(scope="module")
def engines():  # type: ignore[no-untyped-def]
    duckdb = open_engine("duckdb")
    spark = open_engine("spark", master="local[2]")
    yield duckdb, spark
    duckdb.close()


@pytest.fixture(scope="module")
def reference() -> Program:
    return load_contract(CONTRACT)


def _parquet(folder: Path) -> tuple[Path, Path]:
    """The sample files as Parquet, flags as integers and probabilities as decimals."""
    import duckdb

    results, membership = folder / "members.parquet", folder / "membership.parquet"
    duckdb.sql(f"COPY (SELECT member_id, org, measure, period, "
               f"CAST(denominator AS TINYINT) AS denominator, "
               f"CAST(numerator AS TINYINT) AS numerator FROM read_csv('{MEMBERS}', "
               f"all_varchar = true)) TO '{results}' (FORMAT parquet)")
    duckdb.sql(f"COPY (SELECT member_id, stratification, \"group\", "
               f"CAST(probability AS DECIMAL(7, 6)) AS probability, source, method "
               f"FROM read_csv('{MEMBERSHIP}', all_varchar = true)) TO '{membership}' "
               "(FORMAT parquet)")
    return results, membership


# Each Spark query takes seconds even on small files, so the two attribution terms and the
# two file formats are paired rather than crossed.
@pytest.mark.parametrize(("terms", "kind"), [
    (Attribution(tolerance=Decimal("0.00001")), "csv"),
    (parse_attribution("most probable at 75% else Unknown", "0.00001"), "parquet")],
    ids=["fractional-csv", "most-probable-parquet"])
def test_duckdb_and_spark_give_identical_tables(tmp_path: Path, engines, reference: Program,
                                                terms: Attribution, kind: str) -> None:
    duckdb, spark = engines
    files = ([MEMBERS], [MEMBERSHIP]) if kind == "csv" else tuple(
        [path] for path in _parquet(tmp_path))
    by_duckdb = tabulate(reference, *files, terms, engine=duckdb)
    by_spark = tabulate(reference, *files, terms, engine=spark)
    assert by_spark.text == by_duckdb.text
    assert [(f.sha256, f.rows) for f in by_spark.files] == \
        [(f.sha256, f.rows) for f in by_duckdb.files]
    assert by_spark.query == by_duckdb.query  # one definition, transpiled for Spark
    assert by_spark.engine == "spark" and by_spark.engine_version.startswith("4.")


def test_duckdb_and_spark_find_the_same_problems(tmp_path: Path, engines,
                                                 reference: Program) -> None:
    duckdb, spark = engines
    results = tmp_path / "r.csv"
    results.write_text("member_id,org,measure,period,denominator,numerator\n"
                       "m1,A,COL,2024,1,1\nm2,A,COL,2024,0,1\nm1,A,COL,2024,1,1\n"
                       "m3,A,COL,2024,1,x\nm9,A,COL,2024,1,0\n", encoding="utf-8")
    membership = tmp_path / "m.csv"
    membership.write_text("member_id,stratification,group,probability,source\n"
                          "m1,race,White,1,self-reported\nm2,race,Black,0.6,imputed\n"
                          "m2,race,White,0.3,imputed\nm3,race,Black,1.5,imputed\n",
                          encoding="utf-8")
    found = []
    for engine in (duckdb, spark):
        with pytest.raises(EqlangError) as caught:
            tabulate(reference, [results], [membership], engine=engine)
        found.append(sorted((d.code, d.path, d.line, d.message)
                            for d in caught.value.diagnostics))
    assert found[0] == found[1]
    assert {code for code, *_ in found[0]} == {"E0903", "E0904", "E0905", "E0906", "E0907"}
