"""Spatial weights: which areas are neighbours, and how much each neighbour counts.

A :class:`Weights` holds an ``n × n`` sparse matrix ``W`` (CSR) whose entry ``w_ij`` is the
weight area ``i`` gives to area ``j``, and the area ids in row order. Build one from shapes with
:meth:`Weights.queen`, :meth:`Weights.rook`, :meth:`Weights.knn`, :meth:`Weights.distance_band`
or :meth:`Weights.inverse_distance`, or bring one from SciPy or PySAL.

Areas with no neighbour ("islands", e.g. Orkney or the Isles of Scilly under contiguity) are kept
and listed in :attr:`Weights.islands`: their row of ``W`` is empty, so their spatial lag is 0.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy import sparse
from scipy.sparse import csr_array
from scipy.spatial import cKDTree

from levelscope.errors import UndefinedMeasureError
from levelscope.spatial._pair_sums import PairLayout, pair_layout

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

    from levelscope.data.store import Workspace

Transform = Literal["original", "row", "binary"]
ContiguityMethod = Literal["vertex", "strict"]
#: How :meth:`Weights.build` links areas.
Neighbours = Literal["fuzzy", "queen", "rook", "knn", "distance_band", "inverse_distance"]
NEIGHBOURS: tuple[str, ...] = (
    "fuzzy", "queen", "rook", "knn", "distance_band", "inverse_distance"
)
GeometryInput = Sequence["BaseGeometry"] | NDArray[Any]

_LARGEST_DENSE_INVERSE_DISTANCE = 20_000


class Weights:
    """Spatial weights between ``n`` areas, stored as a CSR sparse matrix.

    Parameters
    ----------
    matrix
        ``n × n`` weights; ``matrix[i, j]`` is the weight of ``j`` as a neighbour of ``i``. The
        diagonal must be zero (an area is not its own neighbour).
    ids
        The area ids in row order (default ``0 .. n-1``); must be unique.
    transform
        ``"original"`` (weights as given), ``"row"`` (each row sums to 1) or ``"binary"`` (1 for
        every neighbour). The weights as given are kept, so transforms can be undone.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> w = Weights.rook([box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 5, 6, 6)], ids=["a", "b", "c"])
    >>> w.islands
    ('c',)
    >>> w.row_standardised().to_sparse().toarray()[0]
    array([0., 1., 0.])
    """

    def __init__(
        self,
        matrix: sparse.sparray | sparse.spmatrix | ArrayLike,
        ids: Sequence[Hashable] | pd.Index | None = None,
        transform: Transform = "original",
    ) -> None:
        original = sparse.csr_array(matrix, dtype=np.float64)
        n_rows, n_cols = original.shape
        if n_rows != n_cols:
            raise ValueError(f"weights must be square, got shape {original.shape}")
        if np.any(original.diagonal() != 0):
            raise ValueError("weights must have a zero diagonal: an area is not its own neighbour")
        if original.nnz and not np.all(np.isfinite(original.data)):
            raise ValueError("weights must be finite")
        if original.nnz and original.data.min() < 0:
            raise ValueError("weights must not be negative")
        original.eliminate_zeros()
        original.sort_indices()
        index = pd.RangeIndex(n_rows) if ids is None else pd.Index(ids)
        if len(index) != n_rows:
            raise ValueError(f"{len(index)} ids for {n_rows} areas")
        if not index.is_unique:
            duplicated = index[index.duplicated()].unique().tolist()[:5]
            raise ValueError(f"area ids must be unique; repeated: {duplicated}")
        if transform not in ("original", "row", "binary"):
            raise ValueError(f"transform must be 'original', 'row' or 'binary', not {transform!r}")
        self._original = original
        self._ids = index
        self._transform: Transform = transform
        self._matrix = _apply_transform(original, transform)
        self._other_transforms: dict[Transform, Weights] = {}

    # ------------------------------------------------------------------ builders
    @classmethod
    def queen(
        cls,
        geometries: GeometryInput,
        ids: Sequence[Hashable] | None = None,
        *,
        method: ContiguityMethod = "vertex",
    ) -> Weights:
        """Queen contiguity: areas are neighbours if their boundaries share at least a point.

        ``method="vertex"`` (default) joins areas that share a boundary vertex, as
        ``libpysal.weights.Queen`` does; it tolerates the slivers and overlaps of generalised
        boundaries. ``method="strict"`` uses the point-set relation ``touches`` (boundaries meet,
        interiors do not), as ``libpysal.graph.Graph.build_contiguity(strict=True)``.
        """
        geoms = _as_geometries(geometries)
        if method == "vertex":
            pairs = _shared_vertices(geoms)
        elif method == "strict":
            tree = shapely.STRtree(geoms)
            pairs = np.asarray(tree.query(geoms, predicate="touches"))
        else:
            raise ValueError(f"method must be 'vertex' or 'strict', not {method!r}")
        return cls(_binary_from_pairs(pairs, len(geoms)), ids)

    @classmethod
    def rook(
        cls,
        geometries: GeometryInput,
        ids: Sequence[Hashable] | None = None,
        *,
        method: ContiguityMethod = "vertex",
    ) -> Weights:
        """Rook contiguity: areas are neighbours if their boundaries share an edge.

        ``method="vertex"`` (default) joins areas that share a boundary segment (two consecutive
        vertices), as ``libpysal.weights.Rook``; ``method="strict"`` requires boundaries to meet
        in a line (DE-9IM ``F***1****``), as ``libpysal.graph`` with ``strict=True``. Areas that
        meet only at a corner are queen but not rook neighbours.
        """
        geoms = _as_geometries(geometries)
        if method == "vertex":
            pairs = _shared_edges(geoms)
        elif method == "strict":
            left, right = shapely.STRtree(geoms).query(geoms)
            edge = shapely.relate_pattern(geoms[left], geoms[right], "F***1****")
            pairs = np.vstack([left[edge], right[edge]])
        else:
            raise ValueError(f"method must be 'vertex' or 'strict', not {method!r}")
        return cls(_binary_from_pairs(pairs, len(geoms)), ids)

    @classmethod
    def grid(
        cls,
        rows: int,
        columns: int,
        ids: Sequence[Hashable] | None = None,
        *,
        queen: bool = False,
    ) -> Weights:
        """Contiguity on a regular grid of ``rows × columns`` cells (a raster), numbered row by row.

        Rook neighbours share an edge; with ``queen=True`` cells that share only a corner are
        neighbours too. Equals ``libpysal.weights.lat2W(rows, columns, rook=not queen)``, without
        building any shapes. Permutation tests on a grid run faster than on an irregular map of
        the same size (see :func:`levelscope.spatial.moran`).

        Examples
        --------
        >>> Weights.grid(2, 3).cardinalities.tolist()
        [2, 3, 2, 2, 3, 2]
        """
        if rows < 1 or columns < 1:
            raise ValueError(f"a grid needs at least one row and one column, not {rows} × {columns}")
        cell = np.arange(rows * columns).reshape(rows, columns)
        links = [(cell[:, :-1], cell[:, 1:]), (cell[:-1, :], cell[1:, :])]
        if queen:
            links += [(cell[:-1, :-1], cell[1:, 1:]), (cell[:-1, 1:], cell[1:, :-1])]
        pairs = np.hstack([np.vstack([a.ravel(), b.ravel()]) for a, b in links])
        return cls(_binary_from_pairs(pairs, rows * columns), ids)

    @classmethod
    def fuzzy(
        cls,
        geometries: GeometryInput,
        ids: Sequence[Hashable] | None = None,
        *,
        tolerance: float = 0.0,
    ) -> Weights:
        """Areas whose shapes intersect, or lie within ``tolerance`` of each other, are neighbours.

        Generalised boundaries (ONS "BUC" and "BGC" files) are simplified one area at a time, so
        neighbours often no longer share vertices: their shapes overlap or leave thin gaps.
        Vertex contiguity then reports false islands (30 of the 179 ITL3 areas in the
        ultra-generalised 2021 file); by intersection only 5 remain, the true islands. With
        ``tolerance = 0`` this equals ``libpysal.weights.fuzzy_contiguity(buffering=False)``.
        Distances are in the units of the coordinates (metres on the British National Grid).
        """
        if tolerance < 0:
            raise ValueError(f"tolerance must not be negative, got {tolerance}")
        geoms = _as_geometries(geometries)
        tree = shapely.STRtree(geoms)
        if tolerance == 0:
            pairs = np.asarray(tree.query(geoms, predicate="intersects"))
        else:
            pairs = np.asarray(tree.query(geoms, predicate="dwithin", distance=tolerance))
        return cls(_binary_from_pairs(pairs, len(geoms)), ids)

    @classmethod
    def build(
        cls,
        geometries: GeometryInput,
        ids: Sequence[Hashable] | None = None,
        neighbours: Neighbours = "fuzzy",
        *,
        k: int = 6,
        threshold: float | None = None,
    ) -> Weights:
        """Weights of one kind by name: the single entry point the workspace and interfaces use.

        ``neighbours`` is ``"fuzzy"`` (default; see :meth:`fuzzy`), ``"queen"``, ``"rook"``,
        ``"knn"`` (``k`` nearest centroids), ``"distance_band"`` (centroids within
        ``threshold``) or ``"inverse_distance"`` (within ``threshold`` if given).
        """
        if neighbours == "fuzzy":
            return cls.fuzzy(geometries, ids, tolerance=threshold or 0.0)
        if neighbours == "queen":
            return cls.queen(geometries, ids)
        if neighbours == "rook":
            return cls.rook(geometries, ids)
        if neighbours == "knn":
            return cls.knn(geometries, k, ids)
        if neighbours == "distance_band":
            if threshold is None:
                raise ValueError("distance_band weights need a threshold distance")
            return cls.distance_band(geometries, threshold, ids)
        if neighbours == "inverse_distance":
            return cls.inverse_distance(geometries, ids, threshold=threshold)
        raise ValueError(f"neighbours must be one of {NEIGHBOURS}, not {neighbours!r}")

    @classmethod
    def from_geodataframe(
        cls,
        frame: Any,
        neighbours: Neighbours = "fuzzy",
        *,
        ids: str | None = None,
        k: int = 6,
        threshold: float | None = None,
    ) -> Weights:
        """Weights between the rows of a GeoDataFrame, by their geometries.

        Parameters
        ----------
        frame
            A ``geopandas.GeoDataFrame`` (or anything with a ``geometry`` column of shapely
            shapes), e.g. ``ws.boundaries("lad")`` or a file read with ``geopandas.read_file``.
        neighbours, k, threshold
            How areas are linked, as :meth:`build`.
        ids
            The column naming each area; default ``geography_code`` if the frame has one, else
            the frame's index.

        Returns
        -------
        Weights
            With ``ids`` in the frame's row order.

        Examples
        --------
        >>> import geopandas
        >>> from shapely.geometry import box
        >>> cells = geopandas.GeoDataFrame({"geography_code": ["a", "b", "c"]},
        ...                                geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)])
        >>> w = Weights.from_geodataframe(cells, "rook")
        >>> list(w.ids), w.cardinalities.tolist()
        (['a', 'b', 'c'], [1, 2, 1])
        """
        if ids is None:
            labels = frame["geography_code"] if "geography_code" in frame.columns else frame.index
        else:
            labels = frame[ids]
        shapes = list(frame.geometry)
        missing = [label for label, shape in zip(labels, shapes, strict=True) if shape is None]
        if missing:
            raise ValueError(f"no geometry for {len(missing)} areas, e.g. {missing[:5]}")
        return cls.build(shapes, list(labels), neighbours, k=k, threshold=threshold)

    @classmethod
    def from_workspace(
        cls,
        ws: Workspace,
        level: str,
        neighbours: Neighbours = "fuzzy",
        *,
        codes: Sequence[str] | None = None,
        k: int = 6,
        threshold: float | None = None,
    ) -> Weights:
        """Weights between the areas of a workspace level from their stored boundaries.

        ``ws.geometries(level)`` gives the codes, shapes and CRS; ``codes`` keeps only
        those areas (in that order); a code without a boundary is an error. Other arguments as
        :meth:`build`.
        """
        stored, shapes, _ = ws.geometries(level)
        if not stored:
            raise UndefinedMeasureError(f"no area at level {level!r} has a boundary in the workspace")
        by_code = dict(zip(stored, shapes, strict=True))
        chosen = list(stored) if codes is None else list(codes)
        missing = [c for c in chosen if c not in by_code]
        if missing:
            raise ValueError(f"no boundary for {len(missing)} areas, e.g. {missing[:5]}")
        return cls.build([by_code[c] for c in chosen], chosen, neighbours, k=k, threshold=threshold)

    @classmethod
    def knn(
        cls,
        locations: GeometryInput | ArrayLike,
        k: int,
        ids: Sequence[Hashable] | None = None,
    ) -> Weights:
        """The ``k`` nearest neighbours of each area (by centroid), weight 1 each.

        The relation is not symmetric: ``j`` may be among ``i``'s nearest without the reverse.
        ``locations`` are shapes (their centroids are used, as PySAL does) or an ``(n, 2)`` array
        of coordinates.
        """
        points = _coordinates(locations)
        n = len(points)
        if not 1 <= k < n:
            raise ValueError(f"k must be between 1 and n - 1 = {n - 1}, got {k}")
        _, found = cKDTree(points).query(points, k=k + 1)
        found = np.asarray(found)
        rows = np.arange(n)[:, None]
        # Each point is normally its own nearest; when duplicates tie, drop self wherever it is.
        is_self = found == rows
        no_self = ~is_self.any(axis=1)
        is_self[no_self, -1] = True
        neighbours = found[~is_self].reshape(n, k)
        matrix = sparse.csr_array(
            (np.ones(n * k), (np.repeat(np.arange(n), k), neighbours.ravel())), shape=(n, n)
        )
        return cls(matrix, ids)

    @classmethod
    def distance_band(
        cls,
        locations: GeometryInput | ArrayLike,
        threshold: float,
        ids: Sequence[Hashable] | None = None,
        *,
        binary: bool = True,
        alpha: float = -1.0,
    ) -> Weights:
        """Areas whose centroids lie within ``threshold`` of each other (distance ``<= threshold``).

        With ``binary=True`` each neighbour weighs 1; otherwise ``w_ij = d_ij ** alpha``
        (``alpha=-1``: inverse distance), as ``libpysal.weights.DistanceBand``. Distances are in
        the units of the coordinates (metres on the British National Grid).
        """
        if not threshold > 0:
            raise ValueError(f"threshold must be positive, got {threshold}")
        points = _coordinates(locations)
        tree = cKDTree(points)
        pairs = tree.query_pairs(threshold, output_type="ndarray")
        rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
        cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
        if binary:
            values = np.ones(len(rows))
        else:
            distance = np.linalg.norm(points[rows] - points[cols], axis=1)
            values = _distance_decay(distance, alpha)
        n = len(points)
        return cls(sparse.csr_array((values, (rows, cols)), shape=(n, n)), ids)

    @classmethod
    def inverse_distance(
        cls,
        locations: GeometryInput | ArrayLike,
        ids: Sequence[Hashable] | None = None,
        *,
        threshold: float | None = None,
        alpha: float = -1.0,
    ) -> Weights:
        """Inverse-distance weights ``w_ij = d_ij ** alpha`` between centroids.

        With a ``threshold`` only pairs within it are linked (as ``distance_band(binary=False)``);
        without one every pair is, which builds a dense matrix and is refused beyond 20,000 areas.
        """
        if threshold is not None:
            return cls.distance_band(locations, threshold, ids, binary=False, alpha=alpha)
        points = _coordinates(locations)
        n = len(points)
        if n > _LARGEST_DENSE_INVERSE_DISTANCE:
            raise ValueError(
                f"inverse distance between all {n} areas needs a dense matrix; give a threshold"
            )
        diff = points[:, None, :] - points[None, :, :]
        distance = np.sqrt((diff**2).sum(axis=2))
        off_diagonal = ~np.eye(n, dtype=bool)
        values = np.zeros((n, n))
        values[off_diagonal] = _distance_decay(distance[off_diagonal], alpha)
        return cls(values, ids)

    @classmethod
    def from_sparse(
        cls,
        matrix: sparse.sparray | sparse.spmatrix,
        ids: Sequence[Hashable] | None = None,
    ) -> Weights:
        """Weights from a SciPy sparse matrix (kept as given: ``transform="original"``)."""
        return cls(matrix, ids)

    @classmethod
    def from_pysal(cls, w: Any) -> Weights:
        """Weights from a ``libpysal.weights.W`` (its current transform is kept as the original)."""
        return cls(w.sparse, list(w.id_order))

    # ------------------------------------------------------------------ views
    @property
    def n(self) -> int:
        """Number of areas."""
        return int(self._matrix.shape[0])

    @property
    def ids(self) -> pd.Index:
        """Area ids in row order."""
        return self._ids

    @property
    def transform(self) -> Transform:
        """The transform applied to the original weights."""
        return self._transform

    @property
    def sparse(self) -> csr_array:
        """The weights matrix (CSR). Do not modify it in place."""
        return self._matrix

    def to_sparse(self) -> csr_array:
        """A copy of the weights matrix (CSR)."""
        return self._matrix.copy()

    def to_pysal(self) -> Any:
        """The weights as a ``libpysal.weights.W`` (needs libpysal installed)."""
        from libpysal.weights import WSP  # optional dependency, imported only here

        return WSP(sparse.csr_matrix(self._matrix), id_order=list(self._ids)).to_W(
            silence_warnings=True
        )

    @property
    def cardinalities(self) -> NDArray[np.int64]:
        """Number of neighbours of each area."""
        return np.diff(self._matrix.indptr).astype(np.int64)

    @property
    def islands(self) -> tuple[Hashable, ...]:
        """Ids of areas with no neighbour."""
        return tuple(self._ids[self.cardinalities == 0])

    # Weights never change after construction, so what is derived from them is computed once.
    @cached_property
    def s0(self) -> float:
        """Sum of all weights, ``S0 = Σ_i Σ_j w_ij``."""
        return float(self._matrix.sum())

    @cached_property
    def s1(self) -> float:
        """``S1 = ½ Σ_i Σ_j (w_ij + w_ji)²``: each pair's summed weight squared, counted once."""
        return float(np.sum(self.pairs.data**2))

    @cached_property
    def s2(self) -> float:
        """``S2 = Σ_i (w_i· + w_·i)²``, row plus column sums squared."""
        rows = np.asarray(self._matrix.sum(axis=1)).ravel()
        cols = np.asarray(self._matrix.sum(axis=0)).ravel()
        return float(((rows + cols) ** 2).sum())

    @cached_property
    def pairs(self) -> csr_array:
        """Each pair of neighbours once: the upper triangle of ``W + Wᵀ``.

        Entry ``(i, j)``, ``i < j``, is ``w_ij + w_ji``. A statistic symmetric in the two areas
        of a pair, ``Σ_i Σ_j w_ij f(y_i, y_j)``, is ``Σ_(i<j) pairs_ij f(y_i, y_j)``, over half
        the links.
        """
        pairs = csr_array(sparse.triu(self._matrix + self._matrix.T, k=1))
        pairs.eliminate_zeros()
        pairs.sort_indices()
        return pairs

    @cached_property
    def pair_layout(self) -> PairLayout:
        """:attr:`pairs` as the permutation tests read them: by diagonals on a regular grid,
        else by rows."""
        return pair_layout(self.pairs)

    def transformed(self, transform: Transform) -> Weights:
        """The same neighbours with another transform of the original weights."""
        if transform == self._transform:
            return self
        if transform not in self._other_transforms:
            self._other_transforms[transform] = Weights(self._original, self._ids, transform)
        return self._other_transforms[transform]

    def row_standardised(self) -> Weights:
        """Each area's weights divided by their sum, so every non-island row sums to 1."""
        return self.transformed("row")

    def binary(self) -> Weights:
        """Weight 1 for every neighbour."""
        return self.transformed("binary")

    def lag(self, values: ArrayLike) -> NDArray[np.float64]:
        """The spatial lag ``W y``: each area's weighted sum of its neighbours' values."""
        y = np.asarray(values, dtype=np.float64)
        if y.shape[0] != self.n:
            raise ValueError(f"{y.shape[0]} values for {self.n} areas")
        return np.asarray(self._matrix @ y)

    def summary(self) -> str:
        """Counts a person checks first: areas, links, neighbours per area, islands."""
        card = self.cardinalities
        islands = self.islands
        lines = [
            f"Weights: {self.n} areas, {self._matrix.nnz} links, transform {self._transform!r}",
            f"neighbours per area: min {card.min()}, mean {card.mean():.2f}, max {card.max()}",
            f"islands (no neighbour): {len(islands)}"
            + (f" {list(islands)[:10]}" if islands else ""),
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()


# ---------------------------------------------------------------------- helpers
def _apply_transform(original: sparse.csr_array, transform: Transform) -> sparse.csr_array:
    if transform == "original":
        return original
    if transform == "binary":
        binary = original.copy()
        binary.data = np.ones_like(binary.data)
        return binary
    row_sums = np.asarray(original.sum(axis=1)).ravel()
    scale = np.divide(1.0, row_sums, out=np.zeros_like(row_sums), where=row_sums > 0)
    standardised = original.copy()
    standardised.data = standardised.data * np.repeat(scale, np.diff(standardised.indptr))
    return standardised


def _as_geometries(geometries: GeometryInput) -> NDArray[Any]:
    geoms = np.asarray(geometries, dtype=object)
    if geoms.ndim != 1 or len(geoms) == 0:
        raise ValueError("give a non-empty sequence of shapely geometries")
    if not all(isinstance(g, shapely.Geometry) for g in geoms):
        raise TypeError("every geometry must be a shapely geometry")
    if shapely.is_empty(geoms).any():
        raise ValueError("empty geometries have no neighbours to find; remove them first")
    return geoms


def _coordinates(locations: GeometryInput | ArrayLike) -> NDArray[np.float64]:
    array = np.asarray(locations)
    if array.dtype != object:
        points = array.astype(np.float64)
        if points.ndim != 2 or points.shape[1] != 2:
            raise ValueError(f"coordinates must have shape (n, 2), got {points.shape}")
    else:
        points = shapely.get_coordinates(shapely.centroid(_as_geometries(array)))
    if not np.isfinite(points).all():
        raise ValueError("coordinates must be finite")
    return points


def _distance_decay(distance: NDArray[np.float64], alpha: float) -> NDArray[np.float64]:
    if alpha < 0 and np.any(distance == 0):
        raise UndefinedMeasureError(
            "two areas share a location (distance 0), so inverse-distance weights are infinite"
        )
    return np.asarray(distance**alpha)


def _binary_from_pairs(pairs: NDArray[Any], n: int) -> sparse.csr_array:
    left, right = np.asarray(pairs[0], dtype=np.int64), np.asarray(pairs[1], dtype=np.int64)
    keep = left != right
    left, right = left[keep], right[keep]
    # Contiguity is symmetric; adding both directions then clipping guards against one-sided
    # predicate results on invalid shapes.
    matrix = sparse.csr_array(
        (np.ones(2 * len(left)), (np.concatenate([left, right]), np.concatenate([right, left]))),
        shape=(n, n),
    )
    matrix.data = np.ones_like(matrix.data)
    return matrix


def _vertex_ids(coordinates: NDArray[np.float64]) -> NDArray[np.int64]:
    # Adding 0.0 turns -0.0 into 0.0 so equal points hash alike; complex sorts by (x, y).
    as_complex = (coordinates[:, 0] + 0.0) + 1j * (coordinates[:, 1] + 0.0)
    _, inverse = np.unique(as_complex, return_inverse=True)
    return np.asarray(inverse, dtype=np.int64).ravel()


def _pairs_sharing(keys: NDArray[np.int64], owners: NDArray[np.int64]) -> NDArray[np.int64]:
    """All pairs of distinct owners that hold the same key (e.g. a vertex or an edge)."""
    table = pd.DataFrame({"key": keys, "owner": owners}).drop_duplicates()
    shared = table[table.duplicated("key", keep=False)]
    joined = shared.merge(shared, on="key", suffixes=("_a", "_b"))
    joined = joined[joined["owner_a"] != joined["owner_b"]]
    return np.vstack([joined["owner_a"].to_numpy(), joined["owner_b"].to_numpy()])


def _shared_vertices(geoms: NDArray[Any]) -> NDArray[np.int64]:
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    return _pairs_sharing(_vertex_ids(coords), np.asarray(owner, dtype=np.int64))


def _shared_edges(geoms: NDArray[Any]) -> NDArray[np.int64]:
    # get_rings only reads Polygons, so split MultiPolygons into their parts first.
    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    ring_owner = part_owner[ring_part]
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    vertex = _vertex_ids(coords)
    # An edge joins consecutive vertices of the same ring; never the end of one ring and the
    # start of the next.
    same_ring = ring[:-1] == ring[1:]
    start, end = vertex[:-1][same_ring], vertex[1:][same_ring]
    n_vertices = int(vertex.max()) + 1
    edge = np.minimum(start, end) * n_vertices + np.maximum(start, end)
    owner = np.asarray(ring_owner, dtype=np.int64)[ring[:-1][same_ring]]
    return _pairs_sharing(edge, owner)
