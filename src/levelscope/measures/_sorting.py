"""Sorting values together with their weights, for the measures that read a sample in order.

``np.argsort`` followed by two gathers is the obvious way, but an indirect sort is several times
slower than NumPy's vectorised sort of plain numbers. So each value's bit pattern is turned into
an unsigned integer that sorts the same way (IEEE 754 doubles do once negative numbers have
all their bits flipped and the others their sign bit), its lowest bits are replaced by the
value's position, and the integers are sorted directly. The positions then carry the values and
weights into order. Replacing the low bits can only confuse values that agree in all the other
bits (for a million values, to about 1 part in 10⁹), so runs of equal truncated keys are put in
exact order afterwards.
"""

from __future__ import annotations

import numba
import numpy as np

from levelscope.measures._validation import FloatArray

_SIGN = np.uint64(1 << 63)
_SHORT_RUN = 16  # longer runs of equal truncated keys are sorted with argsort, not by insertion


def sort_with_weights(values: FloatArray, weights: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``values`` ascending and ``weights`` in the same order (the input must be free of NaN).

    Ties come out in no particular order; every measure that sorts is indifferent to it.
    """
    index_bits = max(1, (values.size - 1).bit_length())
    keys = _position_keys(values, index_bits)
    keys.sort()
    return _in_key_order(values, weights, keys, index_bits)


@numba.njit(cache=True)
def _position_keys(values: FloatArray, index_bits: int) -> np.ndarray:  # pragma: no cover
    bits = values.view(np.uint64)
    shift = np.uint64(index_bits)
    keys = np.empty(values.size, dtype=np.uint64)
    for i in range(values.size):
        b = bits[i]
        ordered = ~b if b & _SIGN else b | _SIGN
        keys[i] = ((ordered >> shift) << shift) | np.uint64(i)
    return keys


@numba.njit(cache=True)
def _in_key_order(
    values: FloatArray, weights: FloatArray, keys: np.ndarray, index_bits: int
) -> tuple[FloatArray, FloatArray]:  # pragma: no cover
    n = values.size
    shift = np.uint64(index_bits)
    mask = (np.uint64(1) << shift) - np.uint64(1)
    y = np.empty(n)
    w = np.empty(n)
    for k in range(n):
        i = int(keys[k] & mask)
        y[k] = values[i]
        w[k] = weights[i]
    start = 0
    for k in range(1, n + 1):
        if k < n and keys[k] >> shift == keys[start] >> shift:
            continue
        if k - start > _SHORT_RUN:
            order = np.argsort(y[start:k]) + start
            y[start:k], w[start:k] = y[order], w[order]
        else:
            for j in range(start + 1, k):  # insertion sort of a short run
                yj, wj = y[j], w[j]
                m = j - 1
                while m >= start and y[m] > yj:
                    y[m + 1], w[m + 1] = y[m], w[m]
                    m -= 1
                y[m + 1], w[m + 1] = yj, wj
        start = k
    return y, w
