"""Speed of a 2-D loss slice against evaluating the loss at every grid point one by one.

A 201 x 201 slice at CIFAR-10's shapes (N = 500 examples, D = 3073 with the
bias, C = 10) through lossopt.landscape.slice_2d, which uses S0 + a S1 + b S2,
against lossopt.linear_loss at W + a d1 + b d2 for each point. Evaluating all
40401 points one by one takes minutes, so it is timed on a random sample of
points in the same run and extrapolated. The peak extra memory is measured
with tracemalloc (which slows numpy down) on a band of the grid's rows: the
work runs chunk by chunk, so only the output grows with the grid, and the
full grid's peak is the band's plus the rest of the output.

The one-by-one baseline is two matrix products with X per point, and BLAS runs
them on several threads; when other processes keep the cores busy, those
threads wait for each other and the baseline slows down many times, which
flatters the ratio. So the baseline is timed twice: with BLAS as it is, and
with BLAS on one thread (threadpoolctl, installed with scikit-learn); the
targets are judged on the smaller ratio.

    python benchmarks/bench_landscape.py
"""

import time
import tracemalloc

import numpy as np
from threadpoolctl import threadpool_limits

import lossopt as lo
from lossopt import landscape

N, D, C = 500, 3073, 10
GRID = 201
SAMPLE = 25  # grid points evaluated one by one
BAND = 25  # rows of the grid traced for the peak memory
TARGETS = {"svm": 100, "softmax": 50}


def one_by_one_seconds(W, X, y, d1, d2, points, loss):
    """Seconds per grid point with linear_loss, and the losses, for comparison with the slice."""
    values = []
    start = time.perf_counter()
    for a, b in points:
        values.append(float(lo.linear_loss(W + a * d1 + b * d2, X, y, loss=loss)[0]))
    return (time.perf_counter() - start) / len(points), np.array(values)


def peak_extra_mb(function):
    """Peak memory allocated while ``function`` runs, in MB (tracemalloc)."""
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, size=N)
    W = 1e-3 * rng.standard_normal((D, C))  # the CS231n starting point
    d1, d2 = landscape.random_directions(W, seed=1)
    alphas = betas = np.linspace(-1, 1, GRID)
    rows, cols = rng.integers(0, GRID, size=(2, SAMPLE))

    print(f"Loss slice {GRID} x {GRID} at N={N}, D={D}, C={C} (float64), against linear_loss at each point")
    print(f"(one by one: timed on {SAMPLE} random grid points, extrapolated to {GRID * GRID};")
    print(f" peak extra memory: traced on {BAND} rows, plus the rest of the output)")
    header = (
        f"{'loss':<8} {'slice s':>8} {'one by one s':>13} {'(1 thread)':>11} {'speed-up':>9} {'target':>7}  {'ok':<3} "
        f"{'peak MB':>8}"
    )
    print(header)
    print("-" * len(header))
    for loss, target in TARGETS.items():
        start = time.perf_counter()
        Z = landscape.slice_2d(W, X, y, d1, d2, alphas, betas, loss=loss)
        slice_seconds = time.perf_counter() - start
        points = np.column_stack([alphas[rows], betas[cols]])
        per_point, values = one_by_one_seconds(W, X, y, d1, d2, points, loss)
        if not np.allclose(Z[rows, cols], values, rtol=1e-9):  # fast and wrong would be no result
            raise AssertionError(f"{loss}: the slice differs from linear_loss at the sampled points")
        with threadpool_limits(limits=1, user_api="blas"):
            per_point_1 = one_by_one_seconds(W, X, y, d1, d2, points, loss)[0]
        one_by_one, one_by_one_1 = per_point * GRID * GRID, per_point_1 * GRID * GRID
        speedup = min(one_by_one, one_by_one_1) / slice_seconds
        band = alphas[:BAND]
        peak = peak_extra_mb(lambda loss=loss, band=band: landscape.slice_2d(W, X, y, d1, d2, band, betas, loss=loss))
        peak += (GRID - BAND) * GRID * Z.itemsize / 2**20  # the rest of the output
        verdict = "yes" if speedup >= target else "NO"
        print(
            f"{loss:<8} {slice_seconds:8.1f} {one_by_one:13.0f} {one_by_one_1:11.0f} {speedup:8.0f}x {target:6d}x  "
            f"{verdict:<3} {peak:8.1f}"
        )


if __name__ == "__main__":
    main()
