"""Spatial weights against libpysal on real UK boundaries."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from shapely.geometry import box

from levelscope.spatial import Weights


def _dense(w: Any, order: list[Any]) -> np.ndarray:
    """A libpysal W as a dense array in the given id order."""
    full, ids = w.full()
    return pd.DataFrame(full, index=ids, columns=ids).loc[order, order].to_numpy()


def _quiet(build: Any, *args: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build(*args, **kwargs)


@pytest.mark.parametrize("kind", ["queen", "rook"])
@pytest.mark.parametrize("areas", ["itl3", "lad"])
def test_contiguity_equals_libpysal(kind: str, areas: str, request: pytest.FixtureRequest) -> None:
    from libpysal.weights import Queen, Rook

    frame = request.getfixturevalue(areas)
    codes = list(frame.index)
    ours = getattr(Weights, kind)(list(frame.geometry), codes)
    theirs = _quiet((Queen if kind == "queen" else Rook).from_dataframe, frame, use_index=True)
    np.testing.assert_array_equal(ours.sparse.toarray(), _dense(theirs, codes))
    assert sorted(ours.islands) == sorted(theirs.islands)


@pytest.mark.parametrize("shape", [(1, 6), (7, 1), (9, 13)])
@pytest.mark.parametrize("queen", [False, True])
def test_grid_equals_libpysal_lattice(shape: tuple[int, int], queen: bool) -> None:
    from libpysal.weights import lat2W

    rows, columns = shape
    theirs = _quiet(lat2W, rows, columns, rook=not queen)
    ours = Weights.grid(rows, columns, queen=queen)
    np.testing.assert_array_equal(ours.sparse.toarray(), _dense(theirs, list(range(rows * columns))))


def test_a_grid_of_one_cell_is_an_island_and_an_empty_grid_is_refused() -> None:
    assert Weights.grid(1, 1).islands == (0,)
    with pytest.raises(ValueError, match="at least one row"):
        Weights.grid(0, 5)


def test_true_islands_are_reported(lad: Any) -> None:
    w = Weights.queen(list(lad.geometry), list(lad.index))
    names = set(lad.loc[list(w.islands), "LAD23NM"])
    assert {"Isles of Scilly", "Orkney Islands", "Shetland Islands", "Isle of Wight"} <= names
    assert "islands (no neighbour): 6" in w.summary()
    # An island's row is empty, so its spatial lag is 0 rather than something invented.
    lag = w.row_standardised().lag(np.ones(w.n))
    assert np.all(lag[np.isin(w.ids, w.islands)] == 0)
    assert np.allclose(lag[~np.isin(w.ids, w.islands)], 1.0)


def test_fuzzy_equals_libpysal_and_removes_false_islands(itl3: Any) -> None:
    from libpysal.weights import fuzzy_contiguity

    codes = list(itl3.index)
    ours = Weights.fuzzy(list(itl3.geometry), codes)
    theirs = _quiet(fuzzy_contiguity, itl3, tolerance=0, buffering=False)
    theirs_ids = list(itl3.index)  # fuzzy_contiguity labels areas by the frame's index
    dense = pd.DataFrame(theirs.full()[0], index=theirs.full()[1], columns=theirs.full()[1])
    np.testing.assert_array_equal(ours.sparse.toarray(), dense.loc[theirs_ids, theirs_ids].to_numpy())
    # The ultra-generalised shapes share few vertices: vertex contiguity strands 30 areas.
    assert len(Weights.queen(list(itl3.geometry), codes).islands) == 30
    assert len(ours.islands) == 5


def test_knn_equals_libpysal(itl3: Any) -> None:
    from libpysal.weights import KNN

    codes = list(itl3.index)
    ours = Weights.knn(list(itl3.geometry), 6, codes)
    theirs = _quiet(KNN.from_dataframe, itl3, k=6, use_index=True)
    np.testing.assert_array_equal(ours.sparse.toarray(), _dense(theirs, codes))
    assert np.all(ours.cardinalities == 6)


@pytest.mark.parametrize("binary", [True, False])
def test_distance_band_equals_libpysal(itl3: Any, binary: bool) -> None:
    from libpysal.weights import DistanceBand

    codes = list(itl3.index)
    ours = Weights.distance_band(list(itl3.geometry), 40_000.0, codes, binary=binary, alpha=-1.5)
    theirs = _quiet(DistanceBand.from_dataframe, itl3, threshold=40_000.0, binary=binary, alpha=-1.5,
                    use_index=True)
    np.testing.assert_allclose(ours.sparse.toarray(), _dense(theirs, codes), rtol=1e-12)
    assert sorted(ours.islands) == sorted(theirs.islands)


def test_inverse_distance_without_threshold_links_every_pair() -> None:
    points = np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]])
    w = Weights.inverse_distance(points).sparse.toarray()
    # Written out: d01 = 5, d02 = 10, d12 = 5.
    expected = np.array([[0, 1 / 5, 1 / 10], [1 / 5, 0, 1 / 5], [1 / 10, 1 / 5, 0]])
    np.testing.assert_allclose(w, expected, rtol=1e-15)


def test_pysal_and_sparse_round_trip(itl3: Any) -> None:
    w = Weights.fuzzy(list(itl3.geometry), list(itl3.index)).row_standardised()
    pw = w.to_pysal()
    assert list(pw.id_order) == list(itl3.index)
    back = Weights.from_pysal(pw)
    assert (back.sparse != w.sparse).nnz == 0
    assert list(back.ids) == list(w.ids)
    from_scipy = Weights.from_sparse(sparse.coo_matrix(w.to_sparse()), list(w.ids))
    np.testing.assert_array_equal(from_scipy.sparse.toarray(), w.sparse.toarray())


@pytest.mark.parametrize("transform", ["r", "b"])
def test_s0_s1_s2_equal_libpysal(itl3: Any, transform: str) -> None:
    w = Weights.fuzzy(list(itl3.geometry), list(itl3.index))
    ours = w.row_standardised() if transform == "r" else w.binary()
    pw = w.to_pysal()
    pw.transform = transform
    for name in ("s0", "s1", "s2"):
        assert getattr(ours, name) == pytest.approx(getattr(pw, name), rel=1e-12)


def test_pairs_hold_each_link_once_with_both_directions_summed(itl3: Any) -> None:
    # k-nearest-neighbour weights, row-standardised, are asymmetric in links and in weights.
    w = Weights.knn(list(itl3.geometry), k=4).row_standardised()
    dense = w.sparse.toarray()
    expected = np.triu(dense + dense.T, k=1)
    np.testing.assert_array_equal(w.pairs.toarray(), expected)
    assert w.pairs.nnz == np.count_nonzero(expected)
    assert w.s1 == pytest.approx(0.5 * np.sum((dense + dense.T) ** 2), rel=1e-13)


def test_a_transform_is_built_once() -> None:
    w = Weights.rook([box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)])
    assert w.row_standardised() is w.row_standardised()
    assert w.transformed("original") is w


def test_transforms_are_reversible() -> None:
    cells = [box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1), box(9, 9, 10, 10)]
    w = Weights.rook(cells, ids=["a", "b", "c", "d"])
    row = w.row_standardised()
    np.testing.assert_allclose(row.sparse.toarray().sum(axis=1), [1, 1, 1, 0])
    np.testing.assert_array_equal(row.binary().sparse.toarray(), w.sparse.toarray())
    assert w.islands == ("d",)


def test_invalid_weights_are_refused() -> None:
    with pytest.raises(ValueError, match="square"):
        Weights(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="diagonal"):
        Weights(np.eye(2))
    with pytest.raises(ValueError, match="negative"):
        Weights(np.array([[0, -1.0], [1, 0]]))
    with pytest.raises(ValueError, match="unique"):
        Weights(np.array([[0, 1.0], [1, 0]]), ids=["a", "a"])
    with pytest.raises(ValueError, match="neighbours must be"):
        Weights.build([box(0, 0, 1, 1)], neighbours="bishop")  # type: ignore[arg-type]


def test_from_workspace_uses_stored_boundaries(demo_workspace: Any) -> None:
    codes, shapes, crs = demo_workspace.geometries("itl3")
    assert crs == "EPSG:27700"
    w = Weights.from_workspace(demo_workspace, "itl3")
    expected = Weights.fuzzy(shapes, codes)
    assert list(w.ids) == codes
    np.testing.assert_array_equal(w.sparse.toarray(), expected.sparse.toarray())
    some = codes[10:40]
    subset = Weights.from_workspace(demo_workspace, "itl3", "knn", codes=some, k=3)
    assert list(subset.ids) == some and np.all(subset.cardinalities == 3)
    with pytest.raises(ValueError, match="no boundary"):
        Weights.from_workspace(demo_workspace, "itl3", codes=["NOT_A_CODE"])
