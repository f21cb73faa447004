"""Speed of levelscope.spatial against PySAL esda on the same data and weights, in one process.

Run: .venv/bin/python benchmarks/bench_spatial.py [--quick] [--peer-side N]

* global and local Moran's I with 999 permutations on a 500 × 500 rook lattice (250,000 cells),
  both libraries given the same ``lat2W`` matrix (levelscope recognises a grid from the matrix
  itself: its links lie on two diagonals, which its global permutation test exploits);
  esda's global Moran is timed on the same full lattice (about 7 s, best of three runs
  alternating with levelscope's); its local Moran takes
  minutes there, so by default it is timed on a ``--peer-side`` lattice (default 200: 40,000
  cells) and scaled by the ratio of cells, and on the full one only with ``--peer-side 500``;
* local Moran with 999 permutations on 33,000 areas (a queen lattice of 182 × 182, denser than
  the English LSOA map, whose areas have about 6 neighbours): target under 2 s.

Prints levelscope time, esda time and their ratio (above 1 means levelscope is faster).
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable

import numpy as np

from levelscope.spatial import Weights, local_moran, moran

PERMUTATIONS = 999


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def lattice(side: int, rook: bool) -> tuple[Weights, object]:
    from libpysal.weights import lat2W

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = lat2W(side, side, rook=rook)
    return Weights.from_pysal(w), w


def values(n: int) -> np.ndarray:
    # A smooth surface plus noise, so there is some autocorrelation to find.
    side = int(np.sqrt(n))
    grid = np.add.outer(np.sin(np.arange(side) / 15.0), np.cos(np.arange(side) / 20.0))
    return (grid.ravel() + np.random.default_rng(0).normal(0, 1, side * side))[:n]


def scrambled_global(y: np.ndarray, w: Weights) -> None:
    """Global Moran on the same lattice with its cells numbered in random order.

    The links then lie all over the matrix, as on an irregular map, so levelscope reads them by
    rows. esda is slower too: its sparse products lose their memory locality. One run each.
    """
    import esda
    from libpysal.weights import WSP
    from scipy import sparse

    order = np.random.default_rng(2).permutation(w.n)
    matrix = sparse.csr_array(w.sparse)[order][:, order]
    ours = Weights.from_sparse(matrix)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = WSP(sparse.csr_matrix(matrix)).to_W()
    theirs.transform = "r"
    moran(y[order], ours, n_resamples=9, seed=0)  # builds the transform and the layout
    t_ours = timed(lambda: moran(y[order], ours, n_resamples=PERMUTATIONS, seed=1))
    t_peer = timed(lambda: esda.Moran(y[order], theirs, permutations=PERMUTATIONS))
    row(f"global Moran, {w.n:,} cells in random order", t_ours, t_peer, "(one run each)")


def row(task: str, ours: float, peer: float | None, note: str = "") -> None:
    ratio = f"{peer / ours:7.1f}x" if peer is not None else "      -"
    peer_text = f"{peer:8.2f}" if peer is not None else "       -"
    print(f"{task:<58} {ours:8.2f} {peer_text} {ratio}  {note}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller lattices")
    parser.add_argument("--peer-side", type=int, default=200, help="lattice side for esda")
    parser.add_argument(
        "--scrambled", action="store_true",
        help="also time the global Moran with the cells numbered in random order (no grid to find)",
    )
    args = parser.parse_args()
    import esda

    side = 200 if args.quick else 500
    ours_w, _ = lattice(side, rook=True)
    y = values(side * side)
    # Warm-up: compile the kernels once (numba caches them on disk afterwards).
    moran(y[:400], lattice(20, True)[0], n_resamples=9, seed=0)
    local_moran(y[:400], lattice(20, True)[0], n_resamples=9, seed=0)
    print(f"{'task':<58} {'ours s':>8} {'esda s':>8} {'ratio':>8}")
    t_global = timed(lambda: moran(y, ours_w, n_resamples=PERMUTATIONS, seed=1))
    t_local = timed(lambda: local_moran(y, ours_w, n_resamples=PERMUTATIONS, seed=1))

    peer_side = min(args.peer_side, side)
    small_w, peer_w = lattice(peer_side, rook=True)
    y_small = values(peer_side * peer_side)
    peer_w.transform = "r"  # type: ignore[attr-defined]
    esda.Moran_Local(y_small[:400], lattice(20, True)[1], permutations=9)  # compile esda's numba
    t_peer_global = timed(lambda: esda.Moran(y_small, peer_w, permutations=PERMUTATIONS))
    t_peer_local = timed(lambda: esda.Moran_Local(y_small, peer_w, permutations=PERMUTATIONS,
                                                  seed=1))
    if peer_side == side:
        row(f"global Moran, {side * side:,} cells", t_global, t_peer_global)
        row(f"local Moran, {side * side:,} cells", t_local, t_peer_local)
    else:
        _, full_peer_w = lattice(side, rook=True)
        full_peer_w.transform = "r"  # type: ignore[attr-defined]
        # The headline comparison: best of three, alternating, so both sides see the same load.
        ours_times, peer_times = [], []
        for _ in range(3):
            peer_times.append(
                timed(lambda: esda.Moran(y, full_peer_w, permutations=PERMUTATIONS))
            )
            ours_times.append(timed(lambda: moran(y, ours_w, n_resamples=PERMUTATIONS, seed=1)))
        row(f"global Moran, {side * side:,} cells (esda on the same lattice)", min(ours_times),
            min(peer_times), "(best of three each)")
        t_small_global = timed(lambda: moran(y_small, small_w, n_resamples=PERMUTATIONS, seed=1))
        t_small_local = timed(lambda: local_moran(y_small, small_w, n_resamples=PERMUTATIONS,
                                                  seed=1))
        row(f"local Moran, {side * side:,} cells", t_local, None)
        row(f"global Moran, {peer_side ** 2:,} cells", t_small_global, t_peer_global)
        row(f"local Moran, {peer_side ** 2:,} cells", t_small_local, t_peer_local)
        scale = side * side / peer_side**2
        row(f"local Moran, {side * side:,} cells, esda scaled linearly", t_local,
            t_peer_local * scale, "(esda time × cells ratio)")

    if args.scrambled:
        scrambled_global(y, ours_w)

    areas_w, _ = lattice(182, rook=False)
    y_areas = values(182 * 182)
    t_areas = timed(lambda: local_moran(y_areas, areas_w, n_resamples=PERMUTATIONS, seed=1))
    row(f"local Moran, {182 * 182:,} areas (queen), target < 2 s", t_areas, None)


if __name__ == "__main__":
    main()
