"""Query engines for member-level data: takes member files and the SQL of
``eqlang.data.member_sql``, gives result rows with exact decimals.

``DuckDB`` is embedded and part of the default install; ``Spark`` (the optional ``spark``
extra) runs the same query text, transpiled, in local mode, on a cluster named by its
master URL, or through Spark Connect. Each engine exposes a file's columns as the kinds the
queries tell apart, and each registers two views, ``results_raw`` and ``membership_raw``,
with ``source_file`` and ``source_row`` beside the file's own columns.
"""

from __future__ import annotations

import os
import re
import tempfile
import urllib.parse
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Protocol

from eqlang.data.member_sql import BOOLEAN, DECIMAL, INTEGER, TEXT, for_spark

#: The engines that can tabulate member files, by the name `--engine` takes.
ENGINES = ("duckdb", "spark")

#: A column kind the queries refuse for numbers: binary fractions are not the decimals the
#: file's writer meant.
FLOAT = "float"
#: Any other type: dates and the like, usable as keys (read as text) only.
OTHER = "other"

PARQUET, CSV = "parquet", "csv"


class EngineError(Exception):
    """The engine could not run: not installed, no Java, a file it cannot read. The message
    is the engine's own, cleaned of its internals; ``hint`` says what to do."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class Engine(Protocol):
    name: str

    @property
    def version(self) -> str: ...

    def register(self, view: str, paths: Sequence[str], kind: str) -> dict[str, str]:
        """Make ``view`` read ``paths`` (absolute, all of one ``kind``); give its columns'
        kinds, and decimal columns' scales as ``decimal:S``."""

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run one query of ``member_sql`` (DuckDB dialect) and give its rows."""

    def file_of(self, source_file: str) -> str:
        """The absolute path of a ``source_file`` value."""

    def close(self) -> None: ...


_DUCKDB_KINDS = (
    (re.compile(r"VARCHAR|TEXT|STRING"), TEXT),
    (re.compile(r"U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|U?HUGEINT"), INTEGER),
    (re.compile(r"BOOLEAN"), BOOLEAN),
    (re.compile(r"FLOAT|DOUBLE|REAL"), FLOAT),
)


def _duckdb_kind(type_name: str) -> str:
    found = re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", type_name)
    if found:
        return f"{DECIMAL}:{found[2]}"
    for pattern, kind in _DUCKDB_KINDS:
        if pattern.fullmatch(type_name):
            return kind
    return OTHER


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


#: DuckDB's own default is most of the machine's memory; beyond this it spills to disk.
DEFAULT_MEMORY_LIMIT = "1536MB"


class DuckDB:
    """DuckDB in this process: nothing to start. ``threads`` defaults to every core;
    beyond ``memory_limit`` DuckDB spills to a private temporary folder, removed on close."""

    name = "duckdb"

    def __init__(self, threads: int | None = None,
                 memory_limit: str | None = DEFAULT_MEMORY_LIMIT) -> None:
        import duckdb

        self._duckdb = duckdb
        self._spill = tempfile.TemporaryDirectory(prefix="eqlang-duckdb-")
        config: dict[str, Any] = {
            # Nothing is fetched from the network while reading someone's data.
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            # Not DuckDB's default, a folder beside wherever eqlang was started.
            "temp_directory": self._spill.name,
        }
        if threads is not None:
            config["threads"] = threads
        if memory_limit is not None:
            config["memory_limit"] = memory_limit
        self._connection = duckdb.connect(":memory:", config=config)

    @property
    def version(self) -> str:
        return str(self._duckdb.__version__)

    def register(self, view: str, paths: Sequence[str], kind: str) -> dict[str, str]:
        files = "[" + ", ".join(_sql_text(p) for p in paths) + "]"
        if kind == PARQUET:
            source = (f"SELECT * EXCLUDE (filename, file_row_number), filename AS source_file, "
                      f"file_row_number + 2 AS source_row FROM read_parquet({files}, "
                      "filename = true, file_row_number = true)")
        else:
            # Every cell as text, so that the queries see what the file says; the quoting
            # is RFC 4180's, and a malformed record is an error rather than skipped.
            source = (f"SELECT * EXCLUDE (filename), filename AS source_file, "
                      f"CAST(NULL AS BIGINT) AS source_row FROM read_csv({files}, "
                      "header = true, all_varchar = true, delim = ',', quote = '\"', "
                      "escape = '\"', strict_mode = true, filename = true)")
        self._run(f"CREATE OR REPLACE TEMP VIEW {view} AS {source}")
        described = self._run(f"DESCRIBE {view}")
        return {name: _duckdb_kind(type_name) for name, type_name, *_ in described
                if name not in ("source_file", "source_row")}

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self._run(sql)

    def file_of(self, source_file: str) -> str:
        return source_file

    def _run(self, sql: str) -> list[tuple[Any, ...]]:
        try:
            return self._connection.execute(sql).fetchall()
        except self._duckdb.Error as error:
            message = _first_line(str(error))
            hint = ("save the file as CSV in UTF-8 encoding" if "utf-8" in message.lower()
                    else "check that the file is a CSV or Parquet file of member rows, as "
                    "docs/data.md describes")
            raise EngineError(message, hint) from None

    def close(self) -> None:
        self._connection.close()
        self._spill.cleanup()


def _first_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return " ".join(lines[:3]) if lines else "the engine failed without a message"


class Spark:
    """Apache Spark, from PySpark: ``master`` is a master URL (``local[2]``,
    ``spark://host:7077``, ``yarn``), ``remote`` a Spark Connect URL (``sc://host:15002``);
    with neither, local mode on every core. ANSI mode is on, so an overflow fails instead of
    becoming NULL, and decimal arithmetic never trades scale for precision."""

    name = "spark"

    def __init__(self, master: str | None = None, remote: str | None = None) -> None:
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise EngineError("--engine spark needs PySpark, which is not installed",
                              "install the optional extra: pip install 'eqlang[spark]' "
                              "(and a Java runtime, 17 or later)") from None
        builder = SparkSession.builder.appName("eqlang tabulate")
        if remote is not None:
            builder = builder.remote(remote)
        else:
            builder = builder.master(master or "local[*]")
            builder = builder.config("spark.ui.enabled", "false")
            # A few partitions per core: the 200 Spark shuffles into by default make each
            # small query on one machine take seconds.
            builder = builder.config("spark.sql.shuffle.partitions", "8")
        settings = {
            "spark.sql.ansi.enabled": "true",
            "spark.sql.decimalOperations.allowPrecisionLoss": "false",
            "spark.sql.session.timeZone": "UTC",
            "spark.sql.caseSensitive": "true",
            "spark.ui.showConsoleProgress": "false",
        }
        for key, value in settings.items():
            builder = builder.config(key, value)
        try:
            self._session = builder.getOrCreate()
        except Exception as error:  # PySpark raises many kinds here
            raise EngineError(f"Spark could not start: {_first_line(str(error))}",
                              "Spark needs a Java runtime (17 or later) on the PATH or in "
                              "JAVA_HOME; for a cluster, check its URL; Spark Connect needs "
                              "pip install 'eqlang[spark-connect]'") from None
        self._frames: dict[str, Any] = {}
        for key, value in settings.items():
            if not key.startswith("spark.ui."):
                self._session.conf.set(key, value)
        if remote is None:
            self._session.sparkContext.setLogLevel("ERROR")

    @property
    def version(self) -> str:
        return str(self._session.version)

    def register(self, view: str, paths: Sequence[str], kind: str) -> dict[str, str]:
        from pyspark.sql import functions as F
        from pyspark.sql import types as T

        try:
            if kind == PARQUET:
                frame = self._session.read.parquet(*paths)
                row = F.col("_metadata.row_index") + 2
            else:
                frame = (self._session.read.option("header", "true")
                         .option("inferSchema", "false").option("mode", "FAILFAST")
                         .option("encoding", "UTF-8").option("quote", '"')
                         .option("escape", '"').option("multiLine", "true").csv(list(paths)))
                row = F.lit(None).cast("bigint")
            frame = frame.select("*", F.col("_metadata.file_path").alias("source_file"),
                                 row.alias("source_row"))
            # Every check reads the files again: keep them once, spilling to disk if need be.
            frame = frame.persist()
            if view in self._frames:
                self._frames[view].unpersist()
            self._frames[view] = frame
            frame.createOrReplaceTempView(view)
        except Exception as error:  # Py4J and analysis errors alike
            raise EngineError(f"Spark cannot read the files: {_first_line(str(error))}",
                              "check that each file is CSV or Parquet") from None
        kinds = {}
        for field in frame.schema.fields:
            if field.name in ("source_file", "source_row"):
                continue
            data_type = field.dataType
            if isinstance(data_type, T.StringType):
                kinds[field.name] = TEXT
            elif isinstance(data_type, T.ByteType | T.ShortType | T.IntegerType | T.LongType):
                kinds[field.name] = INTEGER
            elif isinstance(data_type, T.BooleanType):
                kinds[field.name] = BOOLEAN
            elif isinstance(data_type, T.DecimalType):
                kinds[field.name] = f"{DECIMAL}:{data_type.scale}"
            elif isinstance(data_type, T.FloatType | T.DoubleType):
                kinds[field.name] = FLOAT
            else:
                kinds[field.name] = OTHER
        return kinds

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        try:
            return [tuple(row) for row in self._session.sql(for_spark(sql)).collect()]
        except Exception as error:  # Py4J and analysis errors alike
            raise EngineError(f"Spark failed: {_first_line(str(error))}",
                              "check the member files; an overflow means a count too "
                              "large for DECIMAL(18, scale)") from None

    def file_of(self, source_file: str) -> str:
        parsed = urllib.parse.urlparse(source_file)
        return os.path.abspath(urllib.parse.unquote(parsed.path)) if parsed.scheme else \
            source_file

    def close(self) -> None:
        # The session is shared by the process (getOrCreate) and stays, sparing the next
        # tabulation a JVM start; the files kept for this one are let go.
        for frame in self._frames.values():
            frame.unpersist()
        self._frames.clear()


def decimal_text(value: Any) -> str:
    """An engine's count as exact text without trailing zeros: 12, 370.991, 0.5."""
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, Decimal):
        raise TypeError(f"an engine gave {type(value).__name__} for a count, not a decimal")
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
