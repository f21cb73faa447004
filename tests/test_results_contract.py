"""Every result class keeps the contract of ``levelscope.results.Result``.

The walk imports every module of the package and checks each subclass of ``Result`` it finds, so
a new result is held to the contract the moment it exists.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

import levelscope
from levelscope.evaluate import twfe
from levelscope.measures import bootstrap
from levelscope.results import Result
from levelscope.spatial import Weights, moran
from public_api import public_functions

#: Field names the glossary replaced (docs/glossary.md).
RETIRED_FIELDS = {"indicator", "low", "high", "ci", "confidence", "permutations", "n_permutations",
                  "n_boot", "bootstrap", "replications", "standard_error"}


def all_result_classes() -> list[type[Result]]:
    for info in pkgutil.walk_packages(levelscope.__path__, "levelscope."):
        if ".migrations" not in info.name:
            importlib.import_module(info.name)
    found: list[type[Result]] = []
    todo = list(Result.__subclasses__())
    while todo:
        cls = todo.pop()
        if cls.__module__.startswith("levelscope.") and cls not in found:
            found.append(cls)
        todo += cls.__subclasses__()
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


RESULTS = all_result_classes()


def test_the_walk_finds_the_results_of_every_analysis() -> None:
    packages = {cls.__module__.split(".")[1] for cls in RESULTS}
    assert {"measures", "spatial", "convergence", "compare", "need", "monitor", "evaluate",
            "design"} <= packages
    assert len(RESULTS) >= 62
    names = {cls.__name__ for cls in RESULTS}
    assert {"OutlierTreatment", "Imputation", "SharedBids", "Projection", "ImportSummary",
            "PermutationSummary", "GapTrend"} <= names


#: Dataclasses public functions return that are things, not the outcome of an analysis; anything
#: else a public function returns as a dataclass must be a Result.
NOT_RESULTS = {
    # records of the data model and of the code history, and their look-ups
    "CodeRecord", "Change", "Resolution", "Period", "Place", "AreaMatch", "NameMatch", "MirrorEntry",
    "Found",
    "Dataset", "Release", "Problem", "Provenance", "RawRow", "Batch", "EvidenceLink", "Practice",
    "PlaceContext", "FactorScore",
    # inputs an analysis or a reader is given, made by a helper
    "MeasureSpec", "Sample", "Panel", "SynthDesign", "Predictor", "CrossValidation", "Prepared",
    "WeightedPanel", "ProgrammeSummary", "Located", "Extract", "Suggestion", "Staged", "Boundaries",
    "Parsed", "ParsedFile", "Resolved", "Download", "CategoryCodes", "_Row",
    # what a loading command did, and the documents the report package writes
    "ImportReport", "FetchReport", "AllocationImport", "DemoReport", "InternationalLoad", "LufLoad",
    "Report",
}
def plain_dataclasses() -> dict[str, type]:
    """The package's dataclasses that are not results, by name."""
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(levelscope.__path__, "levelscope."):
        if ".migrations" in info.name:
            continue
        for value in vars(importlib.import_module(info.name)).values():
            if (inspect.isclass(value) and dataclasses.is_dataclass(value) and not issubclass(value, Result)
                    and value.__module__.startswith("levelscope.")):
                found[value.__name__] = value
    return found


def test_no_public_function_returns_a_plain_dataclass() -> None:
    """A function's return annotation (``X``, ``X | None``, ``list[X]``, ``tuple[X, ...]``) may name
    a dataclass of the package only if it is a Result or one of the things listed above."""
    plain = plain_dataclasses()
    assert plain.keys() >= NOT_RESULTS, "a listed thing became a result or went: take it off the list"
    found = []
    for where, function in public_functions():
        returned = inspect.signature(function).return_annotation
        text = returned if isinstance(returned, str) else getattr(returned, "__name__", str(returned))
        names = {word.rsplit(".", 1)[-1] for word in re.findall(r"[A-Za-z_][\w.]*", text)}
        found += [f"{where} -> {name}" for name in sorted(names & plain.keys() - NOT_RESULTS)]
    assert found == []
    assert {"treat_outliers", "impute", "share_bids", "project", "import_actuals", "gap_trend"} <= {
        where.rsplit(".", 1)[-1] for where, _ in public_functions()}


@pytest.mark.parametrize("cls", RESULTS, ids=lambda c: c.__qualname__)
def test_result_class_keeps_the_contract(cls: type[Result]) -> None:
    assert dataclasses.is_dataclass(cls), "a result is a dataclass"
    assert cls.__dataclass_params__.frozen, "a result is frozen"  # type: ignore[attr-defined]
    assert cls.__repr__ is Result.__repr__, "the shared repr: summary, then provenance"
    assert cls._repr_html_ is Result._repr_html_
    assert callable(cls.to_frame) and callable(cls.summary)
    names = {f.name for f in dataclasses.fields(cls)}
    assert "provenance" in names
    assert not names & RETIRED_FIELDS, f"glossary names: {names & RETIRED_FIELDS}"
    if hasattr(cls, "conf_int"):
        parameters = inspect.signature(cls.conf_int).parameters
        assert list(parameters) == ["self", "alpha"] and parameters["alpha"].default is None


def test_a_subclass_cannot_replace_the_shared_repr() -> None:
    @dataclass(frozen=True)  # repr=True by default: the contract still holds
    class Plain(Result):
        value: float

    shown = repr(Plain(1.5))
    assert shown.startswith("Plain\n") and "Source: user-supplied data" in shown

    with pytest.raises(TypeError, match="defines __repr__"):

        @dataclass(frozen=True)
        class Custom(Result):
            value: float

            def __repr__(self) -> str:
                return "mine"


def test_results_show_their_numbers_and_sources() -> None:
    cells = [box(x, y, x + 1, y + 1) for y in range(4) for x in range(4)]
    values = [float((3 * i) % 7) for i in range(16)]
    rng = np.random.default_rng(0)
    panel = pd.DataFrame({"unit": np.repeat(np.arange(6), 5), "time": np.tile(np.arange(5), 6)})
    panel["treated"] = ((panel["unit"] < 3) & (panel["time"] >= 3)).astype(float)
    panel["outcome"] = panel["unit"] + 0.5 * panel["time"] + 2 * panel["treated"] + rng.normal(0, 0.1, 30)
    examples = [
        moran(values, Weights.rook(cells), n_resamples=99),
        bootstrap([3, 1, 4, 1, 5, 9, 2, 6], n_resamples=99),
        twfe(panel, unit="unit", time="time", outcome="outcome", treatment="treated"),
    ]
    for result in examples:
        shown = repr(result)
        assert shown.startswith(result.summary()) and "Source:" in shown
        assert isinstance(result.to_frame(), pd.DataFrame) and len(result.to_frame())
        assert "<small>Source:" in result._repr_html_()
    # The regression table's interval: one row per coefficient, as its t distribution says.
    table = examples[2]
    interval = table.conf_int(alpha=0.1)
    assert list(interval.columns) == ["lower", "upper"]
    from scipy import stats

    q = stats.t.ppf(0.95, table.n_clusters - 1)
    np.testing.assert_allclose(interval["upper"] - table.estimate, q * table.std_error)
