"""Permuted pair sums: the compiled core of global permutation tests.

Global statistics are sums over pairs of neighbours, ``Σ_ij w_ij f(v_i, v_j)`` with ``f``
symmetric, so they run over the upper triangle of ``W + Wᵀ`` (``Weights.pairs``: half the links).
Each permutation shuffles the values (:mod:`._permutation`) and sums over the pairs. The pairs
are read in one of two layouts, chosen once per set of weights by :func:`pair_layout`:

* **Rows** (any weights): compressed sparse rows with each weight as a code into a table of the
  distinct weights, the areas renumbered so that neighbours sit close in memory. Four
  permutations at a time share one pass over the rows.
* **Diagonals** (regular grids): when every pair ``(i, j)`` lies on one of a few diagonals
  ``j = i + d`` and each diagonal has one weight but for a few exceptions (grid edges, missing
  cells), the sum is ``Σ_d w_d Σ_i f(v_i, v_(i+d))`` plus a correction per exception. The inner
  sums are plain vector loops with no weights or indices to read, and they run on each bucket of
  the shuffle while it is still in cache, so a permutation never goes back to main memory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import pandas as pd
from numba import njit, prange
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.csgraph import reverse_cuthill_mckee

# numba's on-disk cache of these kernels is keyed to this file alone: after changing the shuffle,
# delete the cache (`find src -name '*.nb[ci]' -delete`) or the old shuffle stays compiled in.
from levelscope.spatial._permutation import (
    bucket_layout,
    csr_parts,
    permutation_state,
    scatter,
    shuffle,
    shuffle_run,
    stream_seed,
)

MODE_PRODUCT = 0  # Σ w_ij v_i v_j          (Moran's I, Getis–Ord G)
MODE_SQUARED = 1  # Σ w_ij (v_i − v_j)²     (Geary's C)
MODE_ABSOLUTE = 2  # Σ w_ij |v_i − v_j|     (spatial Gini)

_U = np.uint64
_BLOCK = 4  # permutations sharing one pass over the rows
_MAX_DIAGONALS = 8
# How far the farthest diagonal may lie: each slide of the window copies that many values, so
# on a large grid it may grow with the grid (a 64th of the cells: one row when there are 64 rows).
_MAX_REACH = 4096
_WINDOW_BUCKETS = 4  # buckets shuffled into the window between two slides
# Eight values (a cache line) between two threads' work space, so that neither writes a line
# the other is using.
_PAD = 8


@dataclass(frozen=True, eq=False)
class RowLayout:
    """Pairs as compressed sparse rows, each weight a code into ``table``.

    Row ``a`` is area ``order[a]``: the areas may be relabelled so that neighbours lie close
    together in memory. A permuted sum does not depend on the labels in distribution (a uniform
    permutation composed with a fixed one is uniform), so the test is the same test.
    """

    indptr: NDArray[np.integer]
    indices: NDArray[np.int32]
    codes: NDArray[np.unsignedinteger]
    table: NDArray[np.float64]
    order: NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class DiagonalLayout:
    """Pairs as diagonals ``(i, i + offsets[k])`` of weight ``weights[k]``, with exceptions.

    Exception ``e`` is the pair ``(positions[e], positions[e] + offsets[diagonals[e]])``, whose
    weight differs from its diagonal's by ``deltas[e]`` (``−weights[k]`` where there is no pair).
    Exceptions are sorted by position.
    """

    offsets: NDArray[np.int64]
    weights: NDArray[np.float64]
    positions: NDArray[np.int64]
    diagonals: NDArray[np.int64]
    deltas: NDArray[np.float64]


PairLayout = RowLayout | DiagonalLayout


def pair_layout(pairs: sparse.csr_array) -> PairLayout:
    """The faster layout of ``pairs`` (``Weights.pairs``) for the permutation kernels."""
    return _diagonal_layout(pairs) or _row_layout(*_close_order(pairs))


def _row_layout(pairs: sparse.csr_array, order: NDArray[np.int64]) -> RowLayout:
    """Rows with each weight given as a code into a table of the distinct weights.

    Contiguity weights have few distinct values (binary: one; row-standardised: one per pair
    of neighbour counts), so a one-byte code replaces an eight-byte float and the pass over the
    weights reads half the memory. With more than 256 distinct weights the table is the weights
    themselves and the codes count up.
    """
    indptr, indices, data = csr_parts(pairs)
    codes, table = pd.factorize(data)  # exact equality of floats: no weight is rounded
    if len(table) <= 256:
        return RowLayout(
            indptr, indices, codes.astype(np.uint8), np.ascontiguousarray(table, np.float64), order
        )
    return RowLayout(indptr, indices, np.arange(len(data), dtype=np.uint32), data, order)


def _close_order(pairs: sparse.csr_array) -> tuple[sparse.csr_array, NDArray[np.int64]]:
    """The pairs with the areas relabelled so that neighbours sit close, and the new order.

    Each permutation reads the values of both areas of every pair; when neighbours are far
    apart in the arrays those reads miss the cache. Reverse Cuthill–McKee numbering (Cuthill &
    McKee 1969) keeps neighbours close; it is kept only when it brings pairs closer on average
    than the areas' own order (a map sorted by area code often is already).
    """
    n = pairs.shape[0]
    if pairs.nnz == 0:
        return pairs, np.arange(n, dtype=np.int64)
    both = sparse.csr_matrix(pairs + pairs.T)
    order = reverse_cuthill_mckee(both, symmetric_mode=True).astype(np.int64)
    relabelled = sparse.csr_array(sparse.triu(both[order][:, order], k=1))
    relabelled.sort_indices()
    if np.mean(_reach(relabelled)[1]) < np.mean(_reach(pairs)[1]):
        return relabelled, order
    return pairs, np.arange(n, dtype=np.int64)


def _reach(pairs: sparse.csr_array) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Each pair's first area, and how far after it the second lies (at least 1: the pairs
    are the upper triangle)."""
    rows = np.repeat(np.arange(pairs.shape[0], dtype=np.int64), np.diff(pairs.indptr))
    return rows, pairs.indices.astype(np.int64) - rows


def _diagonal_layout(pairs: sparse.csr_array) -> DiagonalLayout | None:
    """The pairs as a few near-constant diagonals, or ``None`` when they are not so arranged.

    Each diagonal's weight is the one most of its places carry (zero when most are empty); the
    rest are exceptions. Worth it only while exceptions are few: at most one pair in eight.
    """
    n = pairs.shape[0]
    data = pairs.data
    if len(data) == 0:
        return None
    rows, reach = _reach(pairs)
    offsets = np.sort(pd.unique(reach))
    if len(offsets) > _MAX_DIAGONALS or offsets[-1] > max(_MAX_REACH, n // 64):
        return None
    weights = np.zeros(len(offsets))
    positions, diagonals, deltas = [], [], []
    on_diagonal = np.searchsorted(offsets, reach)
    for k, d in enumerate(offsets):
        here = on_diagonal == k
        line = np.zeros(n - d)
        line[rows[here]] = data[here]
        counts = pd.Series(data[here]).value_counts()
        if counts.iloc[0] * 2 > n - d:
            weights[k] = counts.index[0]
        off = np.flatnonzero(line != weights[k])
        positions.append(off)
        diagonals.append(np.full(len(off), k, dtype=np.int64))
        deltas.append(line[off] - weights[k])
    position = np.concatenate(positions)
    if len(position) * 8 > len(data):
        return None
    order = np.argsort(position, kind="stable")
    return DiagonalLayout(
        offsets.astype(np.int64), weights, position[order], np.concatenate(diagonals)[order],
        np.concatenate(deltas)[order],
    )


def permuted_pair_sums(
    values: NDArray[np.float64],
    layout: PairLayout,
    mode: int,
    n_permutations: int,
    seed: int | np.random.Generator | None,
) -> NDArray[np.float64]:
    """``Σ_ij w_ij f(v_π(i), v_π(j))`` for ``n_permutations`` random permutations ``π``.

    ``layout`` is ``Weights.pair_layout``: each pair of neighbours once, with the weights of both
    directions summed. Permutation ``p`` always uses stream ``p`` below ``stream_seed(seed)``, so
    the result does not depend on how the work is split between threads.
    """
    base = stream_seed(seed)
    values = np.ascontiguousarray(values, dtype=np.float64)
    # Work is handed out one piece at a time: on a shared machine one core may run slower than
    # the other, and a fixed split would leave the faster one idle at the end.
    with numba.parallel_chunksize(1):
        if isinstance(layout, DiagonalLayout):
            sums = _diagonal_pair_sums(
                values, layout.offsets, layout.weights, layout.positions, layout.diagonals,
                layout.deltas, mode, n_permutations, base,
            )
        else:
            sums = _row_pair_sums(
                values, layout.indptr, layout.indices, layout.codes, layout.table, mode,
                n_permutations, base,
            )
    return np.asarray(sums)


# Reassociating the sums lets the compiler use vector instructions; the order of a sum of
# products is arbitrary anyway (the observed statistic is summed in yet another order).
@njit(cache=True, fastmath={"reassoc", "contract"})
def _block_pair_sums(
    v: NDArray[np.float64],
    indptr: NDArray[np.integer],
    indices: NDArray[np.int32],
    codes: NDArray[np.unsignedinteger],
    table: NDArray[np.float64],
    mode: int,
    out: NDArray[np.float64],
) -> None:
    """``Σ_ij u_ij f(v_k[i], v_k[j])`` for the four rows ``v_k`` of ``v`` in one pass."""
    v0, v1, v2, v3 = v[0], v[1], v[2], v[3]
    t0 = t1 = t2 = t3 = 0.0
    n = _U(v.shape[1])
    i = _U(0)
    while i < n:
        s0 = s1 = s2 = s3 = 0.0
        k, end = _U(indptr[i]), _U(indptr[i + _U(1)])
        if mode == MODE_PRODUCT:
            while k < end:
                j, w = _U(indices[k]), table[codes[k]]
                s0 += w * v0[j]
                s1 += w * v1[j]
                s2 += w * v2[j]
                s3 += w * v3[j]
                k += _U(1)
            s0 *= v0[i]
            s1 *= v1[i]
            s2 *= v2[i]
            s3 *= v3[i]
        elif mode == MODE_SQUARED:
            while k < end:
                j, w = _U(indices[k]), table[codes[k]]
                s0 += w * (v0[i] - v0[j]) ** 2
                s1 += w * (v1[i] - v1[j]) ** 2
                s2 += w * (v2[i] - v2[j]) ** 2
                s3 += w * (v3[i] - v3[j]) ** 2
                k += _U(1)
        else:
            while k < end:
                j, w = _U(indices[k]), table[codes[k]]
                s0 += w * abs(v0[i] - v0[j])
                s1 += w * abs(v1[i] - v1[j])
                s2 += w * abs(v2[i] - v2[j])
                s3 += w * abs(v3[i] - v3[j])
                k += _U(1)
        t0 += s0
        t1 += s1
        t2 += s2
        t3 += s3
        i += _U(1)
    out[0], out[1], out[2], out[3] = t0, t1, t2, t3


@njit(parallel=True, cache=True)
def _row_pair_sums(
    values: NDArray[np.float64],
    indptr: NDArray[np.integer],
    indices: NDArray[np.int32],
    codes: NDArray[np.unsignedinteger],
    table: NDArray[np.float64],
    mode: int,
    n_permutations: int,
    base: int,
) -> NDArray[np.float64]:
    n = values.shape[0]
    n_blocks = (n_permutations + _BLOCK - 1) // _BLOCK
    result = np.empty(n_blocks * _BLOCK)
    buckets, capacity, spacing = bucket_layout(n)
    # Work space for each thread; a thread takes the next block when it is free.
    threads = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]
    v = np.empty((threads, _BLOCK, n), dtype=values.dtype)
    buf = np.empty((threads, buckets * spacing + _PAD), dtype=values.dtype)
    pos = np.zeros((threads, buckets + _PAD), dtype=np.uint64)
    out = np.empty((threads, _BLOCK + _PAD))
    for block in prange(n_blocks):
        t = numba.get_thread_id()
        first = block * _BLOCK
        for k in range(_BLOCK):
            state = permutation_state(base, first + k)
            shuffle(values, v[t, k], buf[t, :-_PAD], pos[t, :buckets], capacity, spacing, state)
        _block_pair_sums(v[t], indptr, indices, codes, table, mode, out[t, :_BLOCK])
        result[first : first + _BLOCK] = out[t, :_BLOCK]
    return result[:n_permutations]


@njit(inline="always", cache=True)
def _term(a: float, b: float, mode: int) -> float:
    if mode == MODE_PRODUCT:
        return a * b
    if mode == MODE_SQUARED:
        return (a - b) ** 2
    return abs(a - b)


# Not inlined: its reassociation flag would not survive inlining, and without it the loop is
# not vectorised (eight times slower).
@njit(cache=True, fastmath={"reassoc", "contract"})
def _diagonal_sum(a: NDArray[np.float64], b: NDArray[np.float64], mode: int) -> float:
    """``Σ_q f(a_q, b_q)``."""
    s = 0.0
    if mode == MODE_PRODUCT:
        for q in range(a.shape[0]):
            s += a[q] * b[q]
    elif mode == MODE_SQUARED:
        for q in range(a.shape[0]):
            s += (a[q] - b[q]) ** 2
    else:
        for q in range(a.shape[0]):
            s += abs(a[q] - b[q])
    return s


@njit(cache=True)
def _window_pair_sum(
    window: NDArray[np.float64], shift: int, lo: int, hi: int, n: int,
    offsets: NDArray[np.int64], weights: NDArray[np.float64], positions: NDArray[np.int64],
    diagonals: NDArray[np.int64], deltas: NDArray[np.float64], e: int, mode: int,
) -> tuple[float, int]:
    """Sum over the pairs ``(i, i + d)`` with ``lo <= i < hi``, where ``window[k]`` holds the value
    at position ``shift + k``; ``e`` is the first exception not yet counted."""
    total = 0.0
    for k in range(offsets.shape[0]):
        d = offsets[k]
        end = min(hi, n - d)
        if end > lo and weights[k] != 0.0:
            a = window[lo - shift : end - shift]
            b = window[lo - shift + d : end - shift + d]
            total += weights[k] * _diagonal_sum(a, b, mode)
    while e < positions.shape[0] and positions[e] < hi:
        i = positions[e] - shift
        total += deltas[e] * _term(window[i], window[i + offsets[diagonals[e]]], mode)
        e += 1
    return total, e


@njit(cache=True)
def _permuted_diagonal_sum(
    values: NDArray[np.float64], buf: NDArray[np.float64], pos: NDArray[np.uint64],
    capacity: int, spacing: int, state: np.uint64, window: NDArray[np.float64],
    offsets: NDArray[np.int64], weights: NDArray[np.float64], positions: NDArray[np.int64],
    diagonals: NDArray[np.int64], deltas: NDArray[np.float64], mode: int,
) -> float:
    """One permutation's pair sum, taken bucket by bucket as the shuffle writes the buckets out.

    The window holds the positions whose pairs are not all summed yet; pairs reach at most
    ``offsets[-1]`` ahead, so that many values are kept when the window slides.
    """
    n = values.shape[0]
    s = _U(state)
    if pos.shape[0] == 1:
        shuffle_run(values, _U(0), _U(n), window, _U(0), s)
        total, _ = _window_pair_sum(
            window, 0, 0, n, n, offsets, weights, positions, diagonals, deltas, 0, mode
        )
        return total
    overflow = True
    while overflow:
        s, overflow = scatter(values, buf, pos, _U(capacity), _U(spacing), s)
    reach = offsets[offsets.shape[0] - 1]
    shift = 0  # the position window[0] holds
    filled = 0  # values in the window
    done = 0  # positions whose pairs are summed
    e = 0
    total = 0.0
    last = pos.shape[0] - 1
    for b in range(pos.shape[0]):
        first = _U(b) * _U(spacing)
        size = int(pos[b] - first)
        if filled + size > window.shape[0]:
            keep = shift + filled - done
            for q in range(keep):  # forward copy: the values move down
                window[q] = window[filled - keep + q]
            shift, filled = done, keep
        s = shuffle_run(buf, first, _U(size), window, _U(filled), s)
        filled += size
        upto = n if b == last else shift + filled - reach
        if upto > done:
            part, e = _window_pair_sum(
                window, shift, done, upto, n, offsets, weights, positions, diagonals, deltas, e,
                mode,
            )
            total += part
            done = upto
    return total


@njit(parallel=True, cache=True)
def _diagonal_pair_sums(
    values: NDArray[np.float64], offsets: NDArray[np.int64], weights: NDArray[np.float64],
    positions: NDArray[np.int64], diagonals: NDArray[np.int64], deltas: NDArray[np.float64],
    mode: int, n_permutations: int, base: int,
) -> NDArray[np.float64]:
    n = values.shape[0]
    buckets, capacity, spacing = bucket_layout(n)
    size = n if buckets == 1 else offsets[-1] + _WINDOW_BUCKETS * capacity
    threads = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]
    window = np.empty((threads, size + _PAD))
    buf = np.empty((threads, buckets * spacing + _PAD))
    pos = np.zeros((threads, buckets + _PAD), dtype=np.uint64)
    result = np.empty(n_permutations)
    for p in prange(n_permutations):
        t = numba.get_thread_id()
        result[p] = _permuted_diagonal_sum(
            values, buf[t, :-_PAD], pos[t, :buckets], capacity, spacing,
            permutation_state(base, p), window[t, :size],
            offsets, weights, positions, diagonals, deltas, mode,
        )
    return result
