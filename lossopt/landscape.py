"""Loss landscapes of a linear classifier: the loss along lines and planes through W (notebook 06).

The loss lives in D * C dimensions; the lecture looks at it along one random direction or two, as the
CS231n notes and Li et al. (2018) do. The model is linear: X (W + a d1 + b d2) = S0 + a S1 + b S2, so a grid
costs three matrix products with X, then elementwise work through the score-level kernels of
:mod:`lossopt.losses`, a bounded chunk of grid points at a time. The penalty needs no X.
"""

import numbers
from typing import NamedTuple

import numpy as np

from ._validate import PENALTIES, blame, check_array, check_bool, check_choice, check_problem, check_scalar, check_seed
from .losses import SCORE_LOSSES, score_kernel

CHUNK = 2**16
"""Score entries (grid points x N x C) per chunk: the extra memory of a slice stays a few MB."""


def slice_1d(W, X, y, direction, alphas, *, loss="svm", reg=0.0, delta=1.0, penalty="l2", per_example=False):
    """The loss along a line through W (D, C): L(W + a * direction) for each a in ``alphas`` (A,): (A,).

    X, y, ``loss``, ``reg``, ``delta``, ``penalty`` as in :func:`lossopt.linear_loss`; ``direction`` (D, C), see
    :func:`random_directions`. With ``per_example``, (A, N): each L_i + reg * R (the notes' single-example picture).
    The lecture's worked example (X the identity, so S = W) at W and one step away:

    >>> import lossopt as lo
    >>> S, y, _ = lo.datasets.worked_example()
    >>> [round(float(value), 2) for value in slice_1d(S, np.eye(3), y, np.ones((3, 3)), [0.0, 1.0])]
    [5.27, 5.27]
    """
    directions = {"direction": direction}
    return _slice(W, X, y, directions, {"alphas": alphas}, loss, reg, delta, penalty, per_example)


def slice_2d(W, X, y, d1, d2, alphas, betas, *, loss="svm", reg=0.0, delta=1.0, penalty="l2", per_example=False):
    """The loss L(W + a * d1 + b * d2) on the grid ``alphas`` (A,) x ``betas`` (B,): (A, B), (A, B, N) ``per_example``.

    As :func:`slice_1d`, with two directions d1, d2 (D, C). For ``contour(alphas, betas, Z)`` pass ``Z.T``.

    >>> import lossopt as lo
    >>> data, W = lo.datasets.digits(seed=0), np.zeros((65, 10))
    >>> Z = slice_2d(W, data.X_val, data.y_val, *random_directions(W, seed=0), [-1, 0, 1], [0, 1], loss="softmax")
    >>> Z.shape, round(float(Z[1, 0]), 4)  # at W = 0 every class has probability 1/10: ln 10
    ((3, 2), 2.3026)
    """
    directions, steps = {"d1": d1, "d2": d2}, {"alphas": alphas, "betas": betas}
    return _slice(W, X, y, directions, steps, loss, reg, delta, penalty, per_example)


def _check_steps(steps, name):
    if isinstance(steps, numbers.Real):
        raise TypeError(f"{name} must be a 1-D array of step lengths, got a single number; wrap it: [{steps}]")
    steps = check_array(steps, name, 1, finite=True)
    if steps.size == 0:
        raise ValueError(f"{name} is empty: give at least one step length")
    return steps


def _check_direction(direction, name, shape):
    direction = check_array(direction, name, 2, finite=True)
    if direction.shape != shape:
        raise ValueError(f"{name} must have the shape of W, {shape}, got {direction.shape}")
    return direction


def _slice(W, X, y, directions, steps, loss, reg, delta, penalty, per_example):
    """Check a slice's arguments once; then the data loss on the grid, chunk by chunk, plus the penalty."""
    loss = check_choice(loss, "loss", tuple(SCORE_LOSSES))
    per_example = check_bool(per_example, "per_example")
    W, X, y = check_problem(W, X, y)
    reg, delta = check_scalar(reg, "reg", low=0), check_scalar(delta, "delta", low=0)
    penalty = check_choice(penalty, "penalty", PENALTIES)
    ds = [_check_direction(d, name, W.shape) for name, d in directions.items()]
    ab = [_check_steps(s, name) for name, s in steps.items()]
    if len(ds) == 1:  # a line is a plane with b = 0
        ds, ab = [*ds, np.zeros_like(W)], [*ab, np.zeros(1)]
    (d1, d2), (alphas, betas) = ds, ab
    N, C = X.shape[0], W.shape[1]
    with np.errstate(all="ignore"):  # an overflow anywhere shows in the values: named by blame
        S0, S1, S2 = X @ W, X @ d1, X @ d2  # (N, C) each: the only work that touches X
        a, b = (grid.ravel().astype(S0.dtype) for grid in np.meshgrid(alphas, betas, indexing="ij"))
        values = np.empty((a.size, N) if per_example else a.size, dtype=S0.dtype)
        chunk = max(1, CHUNK // (N * C))
        for start in range(0, a.size, chunk):
            at = slice(start, start + chunk)
            scores = S0 + a[at, None, None] * S1 + b[at, None, None] * S2  # (G, N, C): G grid points at once
            G = scores.shape[0]
            losses = score_kernel(loss, scores.reshape(G * N, C), np.tile(y, G), delta)[0].reshape(G, N)
            values[at] = losses if per_example else losses.mean(axis=1)
        values = values.reshape(alphas.size, betas.size, *values.shape[1:])
        if reg:
            R = (reg * _plane_penalty(W, d1, d2, alphas, betas, penalty)).astype(values.dtype)
            values += R[..., None] if per_example else R
        blame([values], {"X": X, "W": W, **directions, **steps, "reg": reg, "delta": delta}, "the loss on this slice")
    return values[:, 0] if len(steps) == 1 else values


def plane_penalty(W, d1, d2, alphas, betas, *, penalty="l2"):
    """R(W + a d1 + b d2), float64 (A, B), at each (a, b) of ``alphas`` (A,) x ``betas`` (B,); W, d1, d2 (D, C).

    To leave entries out (the demo's biases), pass only the rows that count: ``W[:2], d1[:2], d2[:2]``.

    >>> plane_penalty(np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]), [0, 1], [0, 2])
    array([[1., 5.],
           [4., 8.]])
    """
    W = check_array(W, "W", 2, finite=True)
    d1, d2 = _check_direction(d1, "d1", W.shape), _check_direction(d2, "d2", W.shape)
    alphas, betas = _check_steps(alphas, "alphas"), _check_steps(betas, "betas")
    penalty = check_choice(penalty, "penalty", PENALTIES)
    with np.errstate(all="ignore"):
        R = _plane_penalty(W, d1, d2, alphas, betas, penalty)
        return blame([R], {"W": W, "d1": d1, "d2": d2, "alphas": alphas, "betas": betas}, "the penalty")[0]


def _plane_penalty(W, d1, d2, alphas, betas, penalty):
    """Unchecked :func:`plane_penalty` (float64): L2 from the Gram matrix of (W, d1, d2); L1 row by row of the grid."""
    V = np.stack([W.ravel(), d1.ravel(), d2.ravel()]).astype(np.float64)  # (3, D * C)
    a, b = alphas.astype(np.float64)[:, None], betas.astype(np.float64)[None, :]
    R = np.zeros((a.size, b.size))
    if penalty != "l1":  # ||W + a d1 + b d2||^2 expands into the six inner products of (W, d1, d2)
        G = V @ V.T
        R += G[0, 0] + a * a * G[1, 1] + b * b * G[2, 2] + 2 * (a * G[0, 1] + b * G[0, 2] + a * b * G[1, 2])
    if penalty != "l2":  # sum |W + a d1 + b d2| has kinks: summed on the grid, (B, D * C) at a time
        for i in range(a.size):
            R[i] += np.abs(V[0] + a[i] * V[1] + b.T * V[2]).sum(axis=1)
    return R


def random_directions(W, k=2, *, normalize="frobenius", seed=None):
    """``k`` random Gaussian directions (k, D, C) in W's precision, each scaled to the size of W (D, C), not empty.

    A step of 1 then means the same for any model: each direction gets W's Frobenius norm, or, with
    ``"per_class"``, each column (a class's template) the norm of W's column (Li et al.'s filter
    normalization, for a linear model); where W or a column is zero, unit norm.

    >>> d = random_directions(np.array([[3.0, 0.0], [4.0, 0.0]]), k=1, normalize="per_class", seed=0)[0]
    >>> np.linalg.norm(d, axis=0).round(6)  # column 0 as long as W's, column 1 unit (W's is zero)
    array([5., 1.])
    """
    W = check_array(W, "W", 2, finite=True)
    if W.size == 0:
        raise ValueError(f"W is empty (shape {W.shape}): there is no direction to draw")
    k = int(check_scalar(k, "k", numbers.Integral, low=1))
    axes = (0, 1) if check_choice(normalize, "normalize", ("frobenius", "per_class")) == "frobenius" else (0,)
    directions = check_seed(seed).standard_normal((k, *W.shape))  # (k, D, C)
    with np.errstate(all="ignore"):  # W near 1e308: a norm that overflows is refused below
        top = np.abs(W).astype(np.float64).max(axis=axes, keepdims=True)  # norms of W / top cannot overflow
        target = np.where(top > 0, top * np.linalg.norm(W / np.where(top > 0, top, 1), axis=axes, keepdims=True), 1.0)
        unit = directions / np.linalg.norm(directions, axis=tuple(axis + 1 for axis in axes), keepdims=True)
        directions = (unit * target).astype(W.dtype)
    if not np.isfinite(directions).all():
        raise ValueError(f"W is too large (|W| up to {np.abs(W).max():.3g}): directions of its norm overflow {W.dtype}")
    return directions


class TrajectoryDirections(NamedTuple):
    """What :func:`trajectory_directions` returns: ``directions`` (2, D, C), two orthonormal directions;
    ``coords`` (T, 2), each W_t as <W_t - W_final, d_k>; ``explained`` (2,), each one's fraction of the variance.
    """

    directions: np.ndarray
    coords: np.ndarray
    explained: np.ndarray


def trajectory_directions(Ws):
    """The two directions along which a path of W's varies most (Li et al. 2018): PCA of the path.

    Random directions are nearly orthogonal to a path in D * C dimensions; its two principal directions contain it
    as far as two can, so ``coords`` on ``slice_2d(Ws[-1], X, y, d1, d2, ...)`` are close to the real path (how
    close: ``explained``). ``Ws``: T >= 3 matrices (D, C), D * C >= 2; the path walks to (0, 0) from a, b <= 0.

    >>> Ws = [np.array([[t, 0.1 * (t % 2)], [0.0, 0.0]]) for t in range(4, -1, -1)]  # along the first axis
    >>> [round(float(a), 3) for a in trajectory_directions(Ws).coords[:, 0]]
    [-4.0, -3.0, -2.0, -1.0, 0.0]
    """
    if not isinstance(Ws, np.ndarray) and len({np.shape(W) for W in Ws}) > 1:
        raise ValueError(f"Ws must all have the same shape, got shapes {sorted({np.shape(W) for W in Ws})}")
    Ws = check_array(Ws, "Ws", 3, finite=True)
    T = Ws.shape[0]
    if T < 3 or Ws[0].size < 2:
        raise ValueError(f"Ws must hold at least 3 weight matrices of at least 2 entries (a plane), got {Ws.shape}")
    with np.errstate(all="ignore"):  # steps too large for float64 are refused below
        steps = (Ws.astype(np.float64) - Ws[-1]).reshape(T, -1)  # (T, D*C): W_t - W_final
    scale = np.abs(steps).max()
    if not np.isfinite(scale):
        raise ValueError("Ws are too far apart: the steps W_t - W_final overflow float64")
    if scale == 0:
        raise ValueError("Ws are all equal: a path that does not move has no principal directions")
    steps /= scale  # entries in [-1, 1]: the SVD's squares cannot overflow, and the directions are the same
    _, singular, components = np.linalg.svd(steps - steps.mean(axis=0), full_matrices=False)  # PCA centres
    components = components[:2]  # (2, D*C), orthonormal rows
    with np.errstate(all="ignore"):
        coords = steps @ components.T * scale  # (T, 2): projections on orthonormal directions are coordinates
    if not np.isfinite(coords).all():
        raise ValueError("Ws are too far apart: the path's coordinates overflow float64")
    flip = np.where(coords[0] > 0, -1.0, 1.0)  # start at a <= 0, b <= 0
    directions = (components * flip[:, None]).reshape(2, *Ws.shape[1:]).astype(Ws.dtype)
    return TrajectoryDirections(directions, coords * flip, singular[:2] ** 2 / (singular**2).sum())
