"""Loss landscapes of a linear classifier: the loss along lines and planes through W.

The loss lives in D * C dimensions; the lecture looks at it along one random
direction (a 1-D slice: loss against a) or two (a 2-D slice: contours or a
surface over a and b), as the CS231n notes and Li et al. (2018) do.

The model is linear, so the scores at W + a d1 + b d2 are::

    X (W + a d1 + b d2) = S0 + a S1 + b S2,    S0 = X W,  S1 = X d1,  S2 = X d2

A whole grid costs three matrix products with X, then elementwise work on
(N, C) score matrices, done on chunks of grid points so that the extra memory
stays bounded whatever the grid. Each point's loss comes from the very
score-level function of :mod:`lossopt.losses`. The penalty needs no X at all:
||W + a d1 + b d2||^2 expands into six inner products, and sum |W + a d1 + b d2|
is piecewise linear along a line, summed exactly from its sorted kinks.
"""

import numbers
from typing import NamedTuple

import numpy as np

from ._validate import (
    as_float_array,
    check_bool,
    check_choice,
    check_finite,
    check_linear_problem,
    check_positive_int,
    check_scores,
    check_seed,
)
from .losses import SCORE_LOSSES
from .regularization import PENALTIES

CHUNK_BYTES = 2**19
"""Size of one chunk of stacked score matrices (G, N, C). The score-level loss
makes a few arrays of that size, so the extra memory of a slice is a few MB
(or a few (N, C) matrices, if one is larger), whatever the grid; chunks of
this size also stay in the CPU cache (measured: 2**18 to 2**20 are fastest)."""

NORMALIZATIONS = ("frobenius", "per_class")


# ----------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------


def slice_1d(W, X, y, direction, alphas, *, loss="svm", reg=0.0, delta=1.0, penalty="l2", per_example=False):
    """The loss along a line through W: L(W + a * direction) for every a in ``alphas``.

    Parameters
    ----------
    W : array, shape (D, C)
        The centre of the slice.
    X : array, shape (N, D)
    y : array of int, shape (N,), labels in [0, C)
    direction : array, shape (D, C)
        Which way to walk (see :func:`random_directions`).
    alphas : array, shape (A,)
        Step lengths along ``direction``.
    loss : {"svm", "softmax", "ova_svm", "structured_svm"}, default "svm"
        Which score-level loss (a name in ``lossopt.SCORE_LOSSES``).
    reg : float, default 0.0
        Regularization strength lambda.
    delta : float, default 1.0
        Margin of the SVM losses (ignored by softmax).
    penalty : {"l2", "l1", "elastic"}, default "l2"
        Regularization penalty, as in :func:`lossopt.linear_loss`.
    per_example : bool, default False
        Return each example's loss L_i + reg * R instead of their mean (the
        notes' picture of a single example's piecewise-linear loss).

    Returns
    -------
    array, shape (A,), or (A, N) with ``per_example``
        ``lossopt.linear_loss(W + a * direction, X, y, reg, ...)[0]`` for each a
        (its mean over the last axis, with ``per_example``), in the precision of the inputs.

    Examples
    --------
    The SVM loss of the lecture's worked example (X the identity, so S = W) at W, and one step away:

    >>> import lossopt as lo
    >>> S, y, _ = lo.datasets.worked_example()
    >>> losses = slice_1d(S, np.eye(3), y, np.ones((3, 3)), [0.0, 1.0])
    >>> [round(float(value), 2) for value in losses]
    [5.27, 5.27]
    """
    problem, (direction,), score_loss, per_example = _check(
        W, X, y, {"direction": direction}, loss, reg, delta, penalty, per_example
    )
    alphas = _check_steps(alphas, "alphas")
    values = _slice(problem, direction, None, alphas, np.zeros(1), score_loss, per_example)
    return values[:, 0]


def slice_2d(W, X, y, d1, d2, alphas, betas, *, loss="svm", reg=0.0, delta=1.0, penalty="l2", per_example=False):
    """The loss on a plane through W: L(W + a * d1 + b * d2) on the grid ``alphas`` x ``betas``.

    Parameters
    ----------
    W : array, shape (D, C)
        The centre of the slice.
    X : array, shape (N, D)
    y : array of int, shape (N,), labels in [0, C)
    d1, d2 : arrays, shape (D, C)
        The two directions (see :func:`random_directions` and :func:`trajectory_directions`).
    alphas : array, shape (A,)
        Steps along d1 (the rows of the result).
    betas : array, shape (B,)
        Steps along d2 (the columns of the result).
    loss, reg, delta, penalty, per_example
        As in :func:`slice_1d`.

    Returns
    -------
    array, shape (A, B), or (A, B, N) with ``per_example``
        Entry [i, j] is ``lossopt.linear_loss(W + alphas[i] * d1 + betas[j] * d2, X, y, reg, ...)[0]``.
        To draw it with ``contour(alphas, betas, Z)``, pass ``Z.T`` (matplotlib puts x on the columns).

    Examples
    --------
    >>> import lossopt as lo
    >>> data = lo.datasets.digits(seed=0)
    >>> W = np.zeros((65, 10))
    >>> d1, d2 = random_directions(W, seed=0)
    >>> Z = slice_2d(W, data.X_val, data.y_val, d1, d2, np.linspace(-1, 1, 5), np.linspace(-1, 1, 3), loss="softmax")
    >>> Z.shape, round(float(Z[2, 1]), 4)  # at W = 0 every class has probability 1/10: ln 10
    ((5, 3), 2.3026)
    """
    problem, (d1, d2), score_loss, per_example = _check(
        W, X, y, {"d1": d1, "d2": d2}, loss, reg, delta, penalty, per_example
    )
    alphas = _check_steps(alphas, "alphas")
    betas = _check_steps(betas, "betas")
    return _slice(problem, d1, d2, alphas, betas, score_loss, per_example)


def random_directions(W, k=2, *, normalize="frobenius", seed=None):
    """Random Gaussian directions, scaled to the size of W.

    A slice is only comparable across models when a step of 1 means the same
    thing, so each direction is scaled to W: to W's Frobenius norm, or, with
    ``"per_class"``, each column (one class's template) to the norm of that
    column of W; the linear model's version of Li et al.'s filter normalization.
    Where W (or a column of it) is zero, the direction gets unit norm instead.

    Parameters
    ----------
    W : array, shape (D, C)
    k : int, default 2
        How many directions.
    normalize : {"frobenius", "per_class"}, default "frobenius"
    seed : int or numpy Generator, optional

    Returns
    -------
    array, shape (k, D, C)
        In W's precision; unpack with ``d1, d2 = random_directions(W)``.

    Examples
    --------
    >>> W = np.array([[3.0, 0.0], [4.0, 0.0]])
    >>> d = random_directions(W, k=1, normalize="per_class", seed=0)[0]
    >>> np.round(np.linalg.norm(d, axis=0), 6)  # column 0 as long as W's, column 1 unit (W's is zero)
    array([5., 1.])
    """
    W = check_finite(as_float_array(W, "W", ndim=2), "W")
    k = check_positive_int(k, "k")
    check_choice(normalize, "normalize", NORMALIZATIONS)
    rng = check_seed(seed)
    directions = rng.standard_normal((k, *W.shape))  # (k, D, C)
    # Norms over the entries that are scaled together: all of W, or one column.
    axes = (0, 1) if normalize == "frobenius" else (0,)
    target = np.linalg.norm(W.astype(np.float64), axis=axes, keepdims=True)  # (1, 1) or (1, C)
    target = np.where(target > 0, target, 1.0)
    directions *= target / np.linalg.norm(directions, axis=tuple(a + 1 for a in axes), keepdims=True)
    return directions.astype(W.dtype)


class TrajectoryDirections(NamedTuple):
    """What :func:`trajectory_directions` returns."""

    directions: np.ndarray
    """(2, D, C): two orthogonal unit directions (Frobenius norm 1), the path's principal ones."""
    coords: np.ndarray
    """(T, 2): each W_t as (a, b) on the slice through the last W: <W_t - W_final, d_k>."""
    explained: np.ndarray
    """(2,): the fraction of the path's variance that each direction explains."""


def trajectory_directions(Ws):
    """The two directions along which an optimization path varies most (Li et al. 2018): PCA of the path.

    Random directions almost never contain a path of W's: in D * C dimensions
    it is nearly orthogonal to them. The two principal directions of the
    path's steps do, as far as two directions can, so the path drawn at
    ``coords`` on ``slice_2d(Ws[-1], X, y, d1, d2, ...)`` is close to the real one
    (how close: ``explained``).

    Parameters
    ----------
    Ws : sequence of arrays of shape (D, C), or array of shape (T, D, C)
        The path, T >= 3 weight matrices in order; the last is the slice's centre.

    Returns
    -------
    TrajectoryDirections
        ``(directions, coords, explained)``: unpack with
        ``(d1, d2), coords, explained = trajectory_directions(Ws)``. The signs are
        chosen so the path starts at non-positive coordinates and walks to (0, 0).

    Examples
    --------
    A straight path along the first axis (plus a small wiggle along the second):

    >>> Ws = [np.array([[t, 0.1 * (t % 2)], [0.0, 0.0]]) for t in range(4, -1, -1)]
    >>> (d1, d2), coords, explained = trajectory_directions(Ws)
    >>> np.round(d1, 3) + 0.0  # it walks along d1 = -(first axis), to the last W
    array([[-1.,  0.],
           [ 0.,  0.]])
    >>> [round(float(a), 3) for a in coords[:, 0]]
    [-4.0, -3.0, -2.0, -1.0, 0.0]
    """
    Ws = as_float_array(_stack(Ws), "Ws", ndim=3)
    T = Ws.shape[0]
    if T < 3:
        raise ValueError(f"Ws must hold at least 3 weight matrices (a path with two principal directions), got {T}")
    steps = (Ws - Ws[-1]).reshape(T, -1).astype(np.float64)  # (T, D*C): W_t - W_final
    if not np.isfinite(steps).all():
        raise ValueError("Ws contain NaN or infinity; check the path for a diverged step")
    centered = steps - steps.mean(axis=0)  # PCA centres the points, as Li et al. do
    _, singular, components = np.linalg.svd(centered, full_matrices=False)
    variance = singular**2
    if variance.sum() == 0:
        raise ValueError("Ws are all equal: a path that does not move has no principal directions")
    components = components[:2]  # (2, D*C), orthonormal rows
    if components.shape[0] < 2:  # a single entry (D * C = 1) has no second direction
        raise ValueError(f"W must have at least 2 entries to span a plane, got shape {Ws.shape[1:]}")
    coords = steps @ components.T  # (T, 2): the directions are orthonormal, so projections are coordinates
    flip = np.where(coords[0] > 0, -1.0, 1.0)  # start at a <= 0, b <= 0
    components *= flip[:, np.newaxis]
    coords *= flip
    directions = components.reshape(2, *Ws.shape[1:]).astype(Ws.dtype)
    return TrajectoryDirections(directions, coords, variance[:2] / variance.sum())


# ----------------------------------------------------------------------------
# Checks
# ----------------------------------------------------------------------------


def _check(W, X, y, directions, loss, reg, delta, penalty, per_example):
    """Check the arguments every slice takes: the linear problem (with S0 = X @ W), the directions, the loss."""
    score_loss = SCORE_LOSSES[check_choice(loss, "loss", tuple(SCORE_LOSSES))]
    per_example = check_bool(per_example, "per_example")
    problem = check_linear_problem(W, X, y, reg, delta, penalty)
    checked = [_check_direction(direction, name, problem.W.shape) for name, direction in directions.items()]
    return problem, checked, score_loss, per_example


def _check_direction(direction, name, shape):
    direction = as_float_array(direction, name, ndim=2)
    if direction.shape != shape:
        raise ValueError(f"{name} must have the shape of W, {shape}, got {direction.shape}")
    return check_finite(direction, name)


def _check_steps(steps, name):
    """Check a 1-D array of finite step lengths (a, or b)."""
    if isinstance(steps, numbers.Real):
        raise TypeError(f"{name} must be a 1-D array of step lengths, got a single number; wrap it: [{steps}]")
    steps = as_float_array(steps, name, ndim=1)
    if steps.size == 0:
        raise ValueError(f"{name} is empty: give at least one step length")
    if not np.isfinite(steps).all():
        raise ValueError(f"{name} contain NaN or infinity")
    return steps


def _stack(Ws):
    """A list of (D, C) matrices as one (T, D, C) array, with a clear error if their shapes differ."""
    if isinstance(Ws, np.ndarray):
        return Ws
    shapes = {np.shape(W) for W in Ws}
    if len(shapes) > 1:
        raise ValueError(f"Ws must all have the same shape, got shapes {sorted(shapes)}")
    return np.asarray(list(Ws))


# ----------------------------------------------------------------------------
# The grid: data loss from stacked scores, penalty in closed form
# ----------------------------------------------------------------------------


def _slice(problem, d1, d2, alphas, betas, score_loss, per_example):
    """Loss at W + a d1 + b d2 for a in alphas, b in betas: (A, B) or (A, B, N). d2 None means zero."""
    W, X, y, S0, reg, delta, penalty, _ = problem  # S0 = X @ W, checked
    with np.errstate(over="ignore", invalid="ignore"):  # reported by check_scores, by name
        S1 = X @ d1  # (N, C): with S0, three matrix products, the only work that touches X
        S2 = None if d2 is None else X @ d2
    for name, S in (("X @ d1", S1), ("X @ d2", S2)):
        if S is not None:
            check_scores(S, y, name=name)  # NaN, infinity or overflow anywhere in X shows up here
    dtype = S0.dtype if S2 is None else np.result_type(S0, S1, S2)
    with np.errstate(over="ignore", invalid="ignore"):  # a loss too large for the dtype is reported below
        values = _data_losses(score_loss, S0, S1, S2, y, alphas.astype(dtype), betas.astype(dtype), delta, per_example)
        if reg:
            R = _penalty_grid(W, d1, np.zeros_like(W) if d2 is None else d2, alphas, betas, penalty)  # (A, B)
            values += (reg * R).astype(dtype)[..., np.newaxis] if per_example else (reg * R).astype(dtype)
    if not np.isfinite(values).all():
        raise ValueError(
            "the loss overflows on this slice: X, W, direction (d1, d2), alphas, betas or reg hold values too large"
        )
    return values


def _data_losses(score_loss, S0, S1, S2, y, alphas, betas, delta, per_example):
    """Mean (or per-example) data loss at every (a, b), one chunk of grid points at a time."""
    N, C = S0.shape
    A, B = alphas.size, betas.size
    values = np.empty((A * B, N) if per_example else (A * B,), dtype=S0.dtype)
    chunk = max(1, CHUNK_BYTES // (N * C * S0.dtype.itemsize))  # grid points per chunk
    labels = np.tile(y, min(chunk, A * B))  # (G * N,): every grid point has the same examples
    for start in range(0, A * B, chunk):
        points = np.arange(start, min(start + chunk, A * B))  # flat indices i * B + j
        a = alphas[points // B, np.newaxis, np.newaxis]  # (G, 1, 1)
        scores = S0 + a * S1  # (G, N, C): the scores of G grid points at once
        if S2 is not None:
            scores += betas[points % B, np.newaxis, np.newaxis] * S2
        # One call of the score-level loss on the chunk as a (G * N, C) batch gives every L_i.
        losses, _ = score_loss(
            scores.reshape(-1, C), labels[: scores.shape[0] * N], delta, per_example=True, gradient=False
        )
        losses = losses.reshape(points.size, N)  # (G, N)
        values[start : start + points.size] = losses if per_example else losses.mean(axis=1)
    return values.reshape((A, B, N) if per_example else (A, B))


def plane_penalty(W, d1, d2, alphas, betas, *, penalty="l2"):
    """The penalty R(W + a d1 + b d2) at every (a, b) of a grid, without X.

    ||W + a d1 + b d2||^2 expands into the six inner products of (W, d1, d2);
    sum |W + a d1 + b d2| is piecewise linear along each line, summed exactly
    from its sorted kinks. To leave some entries out of the penalty (the
    demo's biases), pass only the rows that count: ``plane_penalty(W[:2], d1[:2], d2[:2], ...)``.

    Parameters
    ----------
    W, d1, d2 : arrays, shape (D, C)
        The centre and the two directions.
    alphas : array, shape (A,)
        Steps along d1.
    betas : array, shape (B,)
        Steps along d2.
    penalty : {"l2", "l1", "elastic"}, default "l2"

    Returns
    -------
    array, shape (A, B), float64
        Entry [i, j] is ``lossopt.regularization(W + alphas[i] * d1 + betas[j] * d2, penalty)[0]``.

    Examples
    --------
    >>> W, d1, d2 = np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])
    >>> plane_penalty(W, d1, d2, [0.0, 1.0], [0.0, 2.0])  # (1 + a)^2 + b^2
    array([[1., 5.],
           [4., 8.]])
    """
    W = check_finite(as_float_array(W, "W", ndim=2), "W")
    d1, d2 = (_check_direction(d, name, W.shape) for d, name in ((d1, "d1"), (d2, "d2")))
    alphas, betas = _check_steps(alphas, "alphas"), _check_steps(betas, "betas")
    check_choice(penalty, "penalty", PENALTIES)
    with np.errstate(over="ignore", invalid="ignore"):  # reported just below
        R = _penalty_grid(W, d1, d2, alphas, betas, penalty)
    if not np.isfinite(R).all():
        raise ValueError("the penalty overflows float64: W, d1, d2, alphas or betas hold values too large")
    return R


def _penalty_grid(W, d1, d2, alphas, betas, penalty):
    """Unchecked core of :func:`plane_penalty`."""
    W, d1, d2 = (np.asarray(M, dtype=np.float64).ravel() for M in (W, d1, d2))
    alphas, betas = alphas.astype(np.float64), betas.astype(np.float64)
    R = np.zeros((alphas.size, betas.size))
    if penalty in ("l2", "elastic"):  # the elastic net's L2 weight is 1, as in lossopt.regularization
        # ||W + a d1 + b d2||^2 from the 3 x 3 Gram matrix of (W, d1, d2).
        gram = np.stack([W, d1, d2]) @ np.stack([W, d1, d2]).T
        a, b = alphas[:, np.newaxis], betas[np.newaxis, :]
        R += gram[0, 0] + 2 * a * gram[0, 1] + 2 * b * gram[0, 2]
        R += a * a * gram[1, 1] + 2 * a * b * gram[1, 2] + b * b * gram[2, 2]
    if penalty in ("l1", "elastic"):
        for i, a in enumerate(alphas):  # one line along d2 per row of the grid
            R[i] += _l1_along_line(W + a * d1, d2, betas)
    return R


def _l1_along_line(w, d, ts):
    """sum_k |w_k + t d_k| for every t in ts, exactly, in O((K + T) log K) instead of O(K T).

    Term k is |d_k| |t - t_k|, with its kink at t_k = -w_k / d_k (or the
    constant |w_k| where d_k = 0): the sum is piecewise linear in t. With
    the kinks sorted, prefix sums of |d_k| and |d_k| t_k give it at any t.
    """
    moving = d != 0
    constant = np.abs(w[~moving]).sum()
    w, d = w[moving], d[moving]
    order = np.argsort(-w / d)
    kinks = (-w / d)[order]  # (K,) sorted
    weight = np.abs(d)[order]  # |d_k|
    weighted_kink = (-w * np.sign(d))[order]  # |d_k| t_k, without dividing
    cum_weight = np.concatenate([[0.0], np.cumsum(weight)])
    cum_weighted_kink = np.concatenate([[0.0], np.cumsum(weighted_kink)])
    left = np.searchsorted(kinks, ts)  # how many kinks lie left of each t
    below = ts * cum_weight[left] - cum_weighted_kink[left]  # sum over t_k < t of |d_k| (t - t_k)
    above = (cum_weighted_kink[-1] - cum_weighted_kink[left]) - ts * (cum_weight[-1] - cum_weight[left])
    return constant + below + above
