"""The same summarize call on PySpark (local mode) gives the DuckDB results."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from levelscope.measures import summarize

pyspark = pytest.importorskip("pyspark")

MEASURES = [
    "gini",
    "theil",
    "mld",
    "ge(2)",
    "atkinson(1)",
    "cv",
    "variance_of_logs",
    "palma",
    "quantile_ratio",
    "share_ratio",
    "hoover",
    "max_min_ratio",
]


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from pyspark.sql import SparkSession

    warehouse: Path = tmp_path_factory.mktemp("spark-warehouse")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("levelscope-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.warehouse.dir", str(warehouse))
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.mark.spark
@pytest.mark.slow
def test_summarize_on_spark_equals_duckdb(spark: object, itl3_gva: pd.DataFrame) -> None:
    import ibis

    rng = np.random.default_rng(2)
    frame = itl3_gva.assign(pop=rng.integers(0, 5, len(itl3_gva)).astype(float))
    spark.createDataFrame(frame).createOrReplaceTempView("gva")  # type: ignore[attr-defined]
    table = ibis.pyspark.connect(spark).table("gva")

    on_spark = summarize(table, "gva", weight="pop", by=["itl1", "year"], measures=MEASURES)
    on_duckdb = summarize(frame, "gva", weight="pop", by=["itl1", "year"], measures=MEASURES)

    keys = ["itl1", "year", "measure"]
    on_spark = on_spark.sort_values(keys).reset_index(drop=True)
    on_duckdb = on_duckdb.sort_values(keys).reset_index(drop=True)
    assert len(on_spark) == 12 * 24 * len(MEASURES)
    pd.testing.assert_frame_equal(on_spark[keys], on_duckdb[keys], check_dtype=False)
    np.testing.assert_allclose(on_spark["value"], on_duckdb["value"], rtol=1e-9)
    np.testing.assert_array_equal(on_spark["n"], on_duckdb["n"])
    np.testing.assert_allclose(on_spark["total_weight"], on_duckdb["total_weight"], rtol=1e-12)
