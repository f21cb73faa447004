"""Compiled kernels for permutation inference: random streams, the shuffle, and the conditional
permutation of local statistics.

Random permutations come from a counter-based generator (SplitMix64) seeded once per permutation
from a NumPy ``Generator``, so results are identical for a given seed whatever the number of
threads, and permutations run in parallel without sharing state.

An array that fits in a core's cache is shuffled in place with the "inside-out" Fisher–Yates
method. Each step needs a random integer below the step's number; while those are below 4,096,
one 32-bit multiply-and-reject draw serves two steps (four steps per 64-bit random word), then
one draw serves one step. A larger one is shuffled with the Rao–Sandelius method:
scatter the values into up to 256 random buckets (one sequential pass, eight bucket numbers per
random word), then shuffle each bucket while it sits in cache, writing it to its place in the
output. Given the bucket sizes every arrangement is equally likely, so the permutation is exactly
uniform. Buckets have a capacity far above their expected size; a draw in which any bucket ends
up larger is redrawn, which conditions only on the bucket sizes and so keeps the permutation
uniform. The sizes are checked every ``_CHECK_EVERY`` values, and each bucket has that much room
beyond its capacity, so the scatter needs no test per value.

The loops index with unsigned integers on purpose: a signed index makes numba guard every access
against negative (from-the-end) indexing, which tripled the cost of the shuffle.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

_U = np.uint64
_GOLDEN = _U(0x9E3779B97F4A7C15)
_MIX1 = _U(0xBF58476D1CE4E5B9)
_MIX2 = _U(0x94D049BB133111EB)
_STREAM = _U(0xD1B54A32D192ED03)
_LOW32 = _U(0xFFFFFFFF)
_BUCKET_SIZE = 1024  # expected values per bucket: a bucket of floats fits in the L1 cache
_MAX_BUCKETS = 256  # bucket numbers are the bytes of a random word
_CHECK_EVERY = 1024  # values scattered between checks of the bucket sizes
# Up to this many values (512 kB of floats, within a core's L2 cache) a plain shuffle is faster
# than scattering first.
_DIRECT_LIMIT = 1 << 16
_PAIRED_BELOW = (1 << 12) - 4  # bounds below 2¹², so products of two below 2²⁴


def stream_seed(seed: int | np.random.Generator | None) -> int:
    """One 63-bit integer from which every permutation's own stream is derived."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    return int(rng.integers(0, 2**63 - 1))


@njit(inline="always", cache=True)
def _next(state: np.uint64) -> tuple[np.uint64, np.uint64]:
    state = state + _GOLDEN
    z = state
    z = (z ^ (z >> _U(30))) * _MIX1
    z = (z ^ (z >> _U(27))) * _MIX2
    return state, z ^ (z >> _U(31))


@njit(inline="always", cache=True)
def _below(state: np.uint64, draw: np.uint64, bound: np.uint64) -> tuple[np.uint64, np.uint64]:
    """An unbiased integer in ``[0, bound)`` from 32 random bits (Lemire's multiply-and-reject).

    ``bound`` is below 2³²; a rejected draw takes fresh bits from the stream.
    """
    m = draw * bound
    if (m & _LOW32) < bound:  # rare: only then can the draw be biased
        threshold = (_U(1 << 32) - bound) % bound
        while (m & _LOW32) < threshold:
            state, r = _next(state)
            m = (r >> _U(32)) * bound
    return state, m >> _U(32)


@njit(inline="always", cache=True)
def _below_pair(
    state: np.uint64, draw: np.uint64, bound: np.uint64
) -> tuple[np.uint64, np.uint64, np.uint64]:
    """Two unbiased integers, in ``[0, bound)`` and ``[0, bound + 1)``, from 32 random bits.

    One multiply-and-reject draw for the product of the two bounds, read off digit by digit by
    two multiplications (Brackett-Rozinsky & Lemire 2024, "Batched ranged random integer
    generation"): ``draw · bound · (bound + 1) = (j · (bound + 1) + k) · 2³² + low``. ``bound``
    must be below 2¹², so that the product is below 2²⁴ and rejections are rare.
    """
    second = bound + _U(1)
    m = draw * bound
    j = m >> _U(32)
    m = (m & _LOW32) * second
    # A shift, not the product itself, bounds the product from above: bound < 2¹² here.
    if (m & _LOW32) < (second << _U(12)):  # rare: only then can the draws be biased
        product = bound * second
        threshold = (_U(1 << 32) - product) % product
        while (m & _LOW32) < threshold:
            state, r = _next(state)
            m = (r >> _U(32)) * bound
            j = m >> _U(32)
            m = (m & _LOW32) * second
    return state, j, m >> _U(32)


@njit(cache=True)
def bucket_layout(n: int) -> tuple[int, int, int]:
    """Number of buckets, capacity of a bucket and the spacing of buckets for ``n`` values.

    Work space for :func:`shuffle` is ``buckets * spacing`` values: none when the values are
    shuffled in place (one bucket).
    """
    buckets = 1
    if n > _DIRECT_LIMIT:
        while buckets * _BUCKET_SIZE < n and buckets < _MAX_BUCKETS:
            buckets *= 2
    mean = n / buckets
    if buckets == 1:
        return 1, max(n, 1), 0
    # Eight standard deviations above the mean: overflow (and a redraw) is practically never.
    capacity = int(mean + 8.0 * np.sqrt(mean) + 64.0)
    return buckets, capacity, capacity + min(_CHECK_EVERY, n)


@njit(cache=True)
def scatter(
    values: NDArray, buf: NDArray, pos: NDArray[np.uint64], capacity: np.uint64,
    spacing: np.uint64, state: np.uint64,
) -> tuple[np.uint64, bool]:
    """Put each value in a random bucket; report whether a bucket went over its capacity."""
    n = _U(values.shape[0])
    buckets = _U(pos.shape[0])
    mask = buckets - _U(1)
    b = _U(0)
    while b < buckets:
        pos[b] = b * spacing
        b += _U(1)
    i = _U(0)
    while i < n:
        end = min(i + _U(_CHECK_EVERY), n)
        while i < end:
            state, r = _next(state)
            if i + _U(8) <= end:  # the usual case, which the compiler unrolls
                for q in range(8):
                    b = (r >> _U(8 * q)) & mask
                    p = pos[b]
                    buf[p] = values[i + _U(q)]
                    pos[b] = p + _U(1)
                i += _U(8)
            else:
                while i < end:
                    b = r & mask
                    r >>= _U(8)
                    p = pos[b]
                    buf[p] = values[i]
                    pos[b] = p + _U(1)
                    i += _U(1)
        # Since the last check each bucket gained at most _CHECK_EVERY values, which the
        # spacing leaves room for.
        b = _U(0)
        while b < buckets:
            if pos[b] - b * spacing > capacity:
                return state, True  # practically never: the caller draws again
            b += _U(1)
    return state, False


@njit(inline="always", cache=True)
def shuffle_run(
    src: NDArray, first: np.uint64, size: np.uint64, out: NDArray, start: np.uint64,
    state: np.uint64,
) -> np.uint64:
    """Inside-out Fisher–Yates: a uniform permutation of ``src[first:first+size]`` into
    ``out[start:start+size]``."""
    if size == _U(0):
        return state
    out[start] = src[first]
    t = _U(1)
    # Four steps per random word while the product of two bounds is below 2²⁴ (a rejection
    # rate under 1 in 256), then two.
    while t + _U(3) < size and t < _U(_PAIRED_BELOW):
        state, r = _next(state)
        state, j, k = _below_pair(state, r & _LOW32, t + _U(1))
        out[start + t] = out[start + j]
        out[start + j] = src[first + t]
        out[start + t + _U(1)] = out[start + k]
        out[start + k] = src[first + t + _U(1)]
        state, j, k = _below_pair(state, r >> _U(32), t + _U(3))
        out[start + t + _U(2)] = out[start + j]
        out[start + j] = src[first + t + _U(2)]
        out[start + t + _U(3)] = out[start + k]
        out[start + k] = src[first + t + _U(3)]
        t += _U(4)
    while t + _U(1) < size:
        state, r = _next(state)
        state, j = _below(state, r & _LOW32, t + _U(1))
        out[start + t] = out[start + j]
        out[start + j] = src[first + t]
        state, j = _below(state, r >> _U(32), t + _U(2))
        out[start + t + _U(1)] = out[start + j]
        out[start + j] = src[first + t + _U(1)]
        t += _U(2)
    if t < size:
        state, r = _next(state)
        state, j = _below(state, r >> _U(32), t + _U(1))
        out[start + t] = out[start + j]
        out[start + j] = src[first + t]
    return state


@njit(cache=True)
def shuffle(
    values: NDArray, out: NDArray, buf: NDArray, pos: NDArray[np.uint64], capacity: int,
    spacing: int, state: np.uint64,
) -> np.uint64:
    """Write a uniform random permutation of ``values`` into ``out``; return the new state.

    ``buf`` (``buckets * spacing`` values) and ``pos`` (``buckets`` unsigned integers) are work
    space, with ``buckets, capacity, spacing = bucket_layout(len(values))``.
    """
    # A state passed from Python arrives as a signed integer; mixing it with the generator's
    # unsigned arithmetic would silently turn the stream into floating point.
    s = _U(state)
    n = _U(values.shape[0])
    if pos.shape[0] == 1:
        return shuffle_run(values, _U(0), n, out, _U(0), s)
    cap, gap = _U(capacity), _U(spacing)
    overflow = True
    while overflow:
        s, overflow = scatter(values, buf, pos, cap, gap, s)
    start = _U(0)
    for b in range(pos.shape[0]):
        first = _U(b) * gap
        size = pos[b] - first
        s = shuffle_run(buf, first, size, out, start, s)
        start += size
    return s


@njit(cache=True)
def permutation_state(base: int, p: int) -> np.uint64:
    """The starting state of permutation ``p``'s stream."""
    state = np.uint64(base) ^ (np.uint64(p + 1) * _STREAM)
    state, _ = _next(state)
    return state


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
    indptr: NDArray[np.integer],
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
) -> tuple[NDArray[np.integer], NDArray[np.int32], NDArray[np.float64]]:
    """Index pointer, column indices and data of a CSR matrix in the dtypes the kernels take.

    The index pointer keeps SciPy's type: 32-bit unless the matrix is too large for it, so the
    kernels read half as many bytes for it.
    """
    return (
        np.ascontiguousarray(matrix.indptr),  # type: ignore[attr-defined]
        np.ascontiguousarray(matrix.indices, dtype=np.int32),  # type: ignore[attr-defined]
        np.ascontiguousarray(matrix.data, dtype=np.float64),  # type: ignore[attr-defined]
    )
