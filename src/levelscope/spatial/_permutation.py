"""Compiled kernels for permutation inference.

Random permutations come from a counter-based generator (SplitMix64) seeded once per permutation
from a NumPy ``Generator``, so results are identical for a given seed whatever the number of
threads, and permutations run in parallel without sharing state.

Large arrays are shuffled with the Rao–Sandelius method: scatter the values into random buckets
(one sequential pass), then shuffle each bucket while it sits in cache, writing it to its place
in the output (the "inside-out" Fisher–Yates shuffle). Given the bucket sizes, every arrangement
is equally likely, so the result is an exactly uniform permutation; it is several times faster
than a plain Fisher–Yates shuffle on arrays that do not fit in cache. Buckets have a fixed
capacity far above their expected size; the rare draw that would overflow one is redrawn, which
conditions only on the bucket sizes and so keeps the permutation uniform.

Global statistics are sums over pairs, ``Σ_ij w_ij f(v_i, v_j)`` with ``f`` symmetric, so they
run over the upper triangle of ``W + Wᵀ`` (half the links), and four permutations at a time share
one pass over the weights.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange
from numpy.typing import NDArray
from scipy import sparse

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_STREAM = np.uint64(0xD1B54A32D192ED03)
_BUCKET_SIZE = 2048  # expected values per bucket: a bucket of floats fits in the L1 cache
_MAX_BUCKET_BITS = 16
_BLOCK = 4  # permutations sharing one pass over the weights

MODE_PRODUCT = 0  # Σ w_ij v_i v_j          (Moran's I, Getis–Ord G)
MODE_SQUARED = 1  # Σ w_ij (v_i − v_j)²     (Geary's C)
MODE_ABSOLUTE = 2  # Σ w_ij |v_i − v_j|     (spatial Gini)


def stream_seed(seed: int | np.random.Generator | None) -> int:
    """One 63-bit integer from which every permutation's own stream is derived."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    return int(rng.integers(0, 2**63 - 1))


@njit(inline="always", cache=True)
def _next(state: np.uint64) -> tuple[np.uint64, np.uint64]:
    state = state + _GOLDEN
    z = state
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return state, z ^ (z >> np.uint64(31))


@njit(inline="always", cache=True)
def _below(state: np.uint64, draw: np.uint64, bound: int) -> tuple[np.uint64, int]:
    """An unbiased integer in ``[0, bound)`` from 16 random bits (Lemire's multiply-and-reject).

    ``bound`` is at most 2¹⁶; a rejected draw takes fresh bits from the stream.
    """
    s = np.uint64(bound)
    m = draw * s
    low = m & np.uint64(0xFFFF)
    if low < s:
        threshold = (np.uint64(0x10000) - s) % s
        while low < threshold:
            state, r = _next(state)
            m = (r >> np.uint64(48)) * s
            low = m & np.uint64(0xFFFF)
    return state, int(m >> np.uint64(16))


@njit(cache=True)
def bucket_layout(n: int) -> tuple[int, int]:
    """Bits of a bucket number and the capacity of a bucket for shuffling ``n`` values."""
    bits = 0
    while (1 << bits) * _BUCKET_SIZE < n and bits < _MAX_BUCKET_BITS:
        bits += 1
    if bits == 0:
        return 0, max(n, 1)
    mean = n / (1 << bits)
    # Eight standard deviations above the mean: overflow (and a redraw) is practically never.
    return bits, int(mean + 8.0 * np.sqrt(mean) + 64.0)


@njit(cache=True)
def _scatter(
    values: NDArray, buf: NDArray, fill: NDArray[np.int64], bits: int, cap: int, state: np.uint64
) -> tuple[np.uint64, bool]:
    """Put each value in a random bucket; report whether a bucket overflowed."""
    n = values.shape[0]
    fill[:] = 0
    mask = np.uint64((1 << bits) - 1)
    shift = np.uint64(bits)
    per_draw = 64 // bits
    i = 0
    while i < n:
        state, r = _next(state)
        for _ in range(min(per_draw, n - i)):
            b = int(r & mask)
            r >>= shift
            f = fill[b]
            if f == cap:
                return state, True  # practically never: the caller draws again
            buf[b * cap + f] = values[i]
            fill[b] = f + 1
            i += 1
    return state, False


@njit(cache=True)
def shuffle(
    values: NDArray, out: NDArray, buf: NDArray, fill: NDArray[np.int64], bits: int, cap: int,
    state: np.uint64,
) -> np.uint64:
    """Write a uniform random permutation of ``values`` into ``out``; return the new state.

    ``buf`` (``2**bits * cap`` values) and ``fill`` (``2**bits`` counts) are work space, with
    ``bits, cap = bucket_layout(len(values))``.
    """
    # A state passed from Python arrives as a signed integer; mixing it with the generator's
    # unsigned arithmetic would silently turn the stream into floating point.
    s = np.uint64(state)
    n = values.shape[0]
    if bits == 0:
        buf[:n] = values
        fill[0] = n
    else:
        overflow = True
        while overflow:
            s, overflow = _scatter(values, buf, fill, bits, cap, s)
    start = 0
    for b in range(fill.shape[0]):
        size = fill[b]
        src = b * cap
        t = 0
        while t < size:
            s, r = _next(s)
            for q in range(min(4, size - t)):
                s, j = _below(s, (r >> np.uint64(16 * q)) & np.uint64(0xFFFF), t + 1)
                out[start + t] = out[start + j]
                out[start + j] = buf[src + t]
                t += 1
        start += size
    return s


@njit(cache=True)
def permutation_state(base: int, p: int) -> np.uint64:
    """The starting state of permutation ``p``'s stream."""
    state = np.uint64(base) ^ (np.uint64(p + 1) * _STREAM)
    state, _ = _next(state)
    return state


def pair_parts(
    matrix: sparse.sparray | sparse.spmatrix,
) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.float64]]:
    """CSR parts of ``triu(W + Wᵀ, 1) + diag(W)``: each pair once, for symmetric pair sums."""
    w = sparse.csr_array(matrix, dtype=np.float64)
    pairs = sparse.csr_array(sparse.triu(w + w.T, k=1) + sparse.diags_array(w.diagonal()))
    pairs.eliminate_zeros()
    pairs.sort_indices()
    return csr_parts(pairs)


@njit(cache=True)
def _block_pair_sums(
    v: NDArray[np.float64],
    indptr: NDArray[np.int64],
    indices: NDArray[np.int32],
    data: NDArray[np.float64],
    mode: int,
    out: NDArray[np.float64],
) -> None:
    """``Σ_ij u_ij f(v_k[i], v_k[j])`` for the four rows ``v_k`` of ``v`` in one pass."""
    v0, v1, v2, v3 = v[0], v[1], v[2], v[3]
    t0 = t1 = t2 = t3 = 0.0
    for i in range(v.shape[1]):
        s0 = s1 = s2 = s3 = 0.0
        if mode == MODE_PRODUCT:
            for k in range(indptr[i], indptr[i + 1]):
                j, w = indices[k], data[k]
                s0 += w * v0[j]
                s1 += w * v1[j]
                s2 += w * v2[j]
                s3 += w * v3[j]
            s0 *= v0[i]
            s1 *= v1[i]
            s2 *= v2[i]
            s3 *= v3[i]
        elif mode == MODE_SQUARED:
            for k in range(indptr[i], indptr[i + 1]):
                j, w = indices[k], data[k]
                s0 += w * (v0[i] - v0[j]) ** 2
                s1 += w * (v1[i] - v1[j]) ** 2
                s2 += w * (v2[i] - v2[j]) ** 2
                s3 += w * (v3[i] - v3[j]) ** 2
        else:
            for k in range(indptr[i], indptr[i + 1]):
                j, w = indices[k], data[k]
                s0 += w * abs(v0[i] - v0[j])
                s1 += w * abs(v1[i] - v1[j])
                s2 += w * abs(v2[i] - v2[j])
                s3 += w * abs(v3[i] - v3[j])
        t0 += s0
        t1 += s1
        t2 += s2
        t3 += s3
    out[0], out[1], out[2], out[3] = t0, t1, t2, t3


@njit(parallel=True, cache=True)
def _pair_sums_in_chunks(
    values: NDArray[np.float64],
    indptr: NDArray[np.int64],
    indices: NDArray[np.int32],
    data: NDArray[np.float64],
    mode: int,
    n_permutations: int,
    base: int,
    n_chunks: int,
) -> NDArray[np.float64]:
    n = values.shape[0]
    n_blocks = (n_permutations + _BLOCK - 1) // _BLOCK
    result = np.empty(n_blocks * _BLOCK)
    bits, cap = bucket_layout(n)
    for chunk in prange(n_chunks):
        v = np.empty((_BLOCK, n), dtype=values.dtype)
        buf = np.empty((1 << bits) * cap, dtype=values.dtype)
        fill = np.zeros(1 << bits, dtype=np.int64)
        out = np.empty(_BLOCK)
        for block in range(chunk, n_blocks, n_chunks):
            first = block * _BLOCK
            for k in range(_BLOCK):
                shuffle(values, v[k], buf, fill, bits, cap, permutation_state(base, first + k))
            _block_pair_sums(v, indptr, indices, data, mode, out)
            result[first : first + _BLOCK] = out
    return result[:n_permutations]


def permuted_pair_sums(
    values: NDArray[np.float64],
    pairs: tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.float64]],
    mode: int,
    n_permutations: int,
    base: int,
) -> NDArray[np.float64]:
    """``Σ_ij w_ij f(v_π(i), v_π(j))`` for ``n_permutations`` random permutations ``π``.

    ``pairs`` is :func:`pair_parts` of ``W``. Permutation ``p`` always uses stream ``p``, so the
    result does not depend on how the work is split between threads.
    """
    n_blocks = -(-n_permutations // _BLOCK)
    n_chunks = max(1, min(n_blocks, numba.get_num_threads()))
    return np.asarray(
        _pair_sums_in_chunks(
            np.ascontiguousarray(values, dtype=np.float64), *pairs, mode, n_permutations, base,
            n_chunks,
        )
    )


def draw_neighbour_table(
    n: int, max_neighbours: int, n_permutations: int, rng: np.random.Generator
) -> NDArray[np.int64]:
    """Indices into the ``n − 1`` *other* areas, drawn without replacement for each permutation.

    One table serves every area (as in GeoDa and PySAL): for area ``i``, index ``k >= i`` stands
    for area ``k + 1``, so ``i`` itself is never drawn.
    """
    table = np.empty((n_permutations, max(max_neighbours, 1)), dtype=np.int64)
    for p in range(n_permutations):
        table[p] = rng.choice(n - 1, size=table.shape[1], replace=False)
    return table


@njit(parallel=True, cache=True)
def conditional_local(
    values: NDArray[np.float64],
    indptr: NDArray[np.int64],
    indices: NDArray[np.int32],
    data: NDArray[np.float64],
    scale: NDArray[np.float64],
    shift: NDArray[np.float64],
    observed: NDArray[np.float64],
    table: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Conditional permutation of local statistics ``s_i = scale_i · Σ_j w_ij v_j + shift_i``.

    For area ``i`` the value at ``i`` stays put and its neighbours' values are replaced by those of
    randomly drawn other areas. Returns, per area, how many permuted statistics were ``>=`` and
    ``<=`` the observed one, and their mean and standard deviation.
    """
    n = values.shape[0]
    n_permutations = table.shape[0]
    greater = np.zeros(n, dtype=np.int64)
    lesser = np.zeros(n, dtype=np.int64)
    mean = np.zeros(n)
    std = np.zeros(n)
    # Values at drawn index k for areas before and after k in row order.
    below = np.empty(table.shape)
    above = np.empty(table.shape)
    for p in range(n_permutations):
        for k in range(table.shape[1]):
            below[p, k] = values[table[p, k]]
            above[p, k] = values[table[p, k] + 1]
    for i in prange(n):
        start = indptr[i]
        card = indptr[i + 1] - start
        g = 0
        le = 0
        total = 0.0
        total_sq = 0.0
        for p in range(n_permutations):
            lag = 0.0
            for k in range(card):
                drawn = above[p, k] if table[p, k] >= i else below[p, k]
                lag += data[start + k] * drawn
            stat = scale[i] * lag + shift[i]
            if stat >= observed[i]:
                g += 1
            if stat <= observed[i]:
                le += 1
            total += stat
            total_sq += stat * stat
        greater[i] = g
        lesser[i] = le
        m = total / n_permutations
        mean[i] = m
        std[i] = np.sqrt(max(total_sq / n_permutations - m * m, 0.0))
    return greater, lesser, mean, std


def csr_parts(
    matrix: object,
) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.float64]]:
    """Index pointer, column indices and data of a CSR matrix in the dtypes the kernels take."""
    return (
        np.ascontiguousarray(matrix.indptr, dtype=np.int64),  # type: ignore[attr-defined]
        np.ascontiguousarray(matrix.indices, dtype=np.int32),  # type: ignore[attr-defined]
        np.ascontiguousarray(matrix.data, dtype=np.float64),  # type: ignore[attr-defined]
    )
