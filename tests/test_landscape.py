"""Loss slices: equal to lossopt.linear_loss point by point, in bounded memory; direction choices."""

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import lossopt as lo
from lossopt import landscape

LOSSES = tuple(lo.SCORE_LOSSES)
TOLERANCE = {np.float64: {"rtol": 1e-9, "atol": 1e-12}, np.float32: {"rtol": 2e-4, "atol": 2e-5}}


def random_problem(rng, N=15, D=6, C=4, dtype=np.float64):
    X = rng.standard_normal((N, D)).astype(dtype)
    W = rng.standard_normal((D, C)).astype(dtype)
    d1, d2 = rng.standard_normal((2, D, C)).astype(dtype)
    return W, X, rng.integers(0, C, size=N), d1, d2


def pointwise(W, X, y, **options):
    """The loss at one W, the slow way: the function the slices must agree with."""
    return float(lo.linear_loss(W, X, y, options.pop("reg", 0.0), **options)[0])


# --- agreement with linear_loss ----------------------------------------------


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reg, penalty", [(0.0, "l2"), (0.3, "l2"), (0.3, "l1"), (0.2, "elastic")])
def test_slice_1d_equals_linear_loss_point_by_point(loss, dtype, reg, penalty, rng):
    W, X, y, d, _ = random_problem(rng, dtype=dtype)
    alphas = np.linspace(-3, 3, 13)
    options = {"loss": loss, "reg": reg, "delta": 1.5, "penalty": penalty}
    values = landscape.slice_1d(W, X, y, d, alphas, **options)
    expected = [pointwise(W + a * d, X, y, **options) for a in alphas]
    assert values.shape == (13,)
    assert values.dtype == dtype
    np.testing.assert_allclose(values, expected, **TOLERANCE[dtype])


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reg, penalty", [(0.0, "l2"), (0.3, "l2"), (0.3, "l1"), (0.2, "elastic")])
def test_slice_2d_equals_linear_loss_point_by_point(loss, dtype, reg, penalty, rng, monkeypatch):
    W, X, y, d1, d2 = random_problem(rng, dtype=dtype)
    # Chunks of 3 grid points: the grid (7 x 5 = 35) ends in a partial chunk.
    monkeypatch.setattr(landscape, "CHUNK", 3 * X.shape[0] * W.shape[1])
    alphas, betas = np.linspace(-2, 2, 7), np.linspace(-1, 3, 5)
    options = {"loss": loss, "reg": reg, "delta": 0.7, "penalty": penalty}
    Z = landscape.slice_2d(W, X, y, d1, d2, alphas, betas, **options)
    expected = [[pointwise(W + a * d1 + b * d2, X, y, **options) for b in betas] for a in alphas]
    assert Z.shape == (7, 5)
    assert Z.dtype == dtype
    np.testing.assert_allclose(Z, expected, **TOLERANCE[dtype])


@pytest.mark.parametrize("loss", LOSSES)
def test_per_example_slices_are_each_examples_loss(loss, rng):
    W, X, y, d1, d2 = random_problem(rng, N=6)
    alphas, betas = np.linspace(-2, 2, 5), np.array([-1.0, 0.5])
    options = {"loss": loss, "reg": 0.1, "penalty": "l1"}
    per_example = landscape.slice_1d(W, X, y, d1, alphas, per_example=True, **options)
    assert per_example.shape == (5, 6)
    expected = [[pointwise(W + a * d1, X[i : i + 1], y[i : i + 1], **options) for i in range(6)] for a in alphas]
    np.testing.assert_allclose(per_example, expected, rtol=1e-9, atol=1e-12)
    # Their mean is the slice, in 2-D too.
    grid = landscape.slice_2d(W, X, y, d1, d2, alphas, betas, per_example=True, **options)
    assert grid.shape == (5, 2, 6)
    np.testing.assert_allclose(grid.mean(axis=-1), landscape.slice_2d(W, X, y, d1, d2, alphas, betas, **options))


def test_lecture_picture_one_example_piecewise_linear_average_a_bowl(rng):
    # The notes: one example's SVM loss along a line is piecewise linear; the
    # average over examples is still piecewise linear, and convex (a bowl).
    W, X, y, d, _ = random_problem(rng, N=20, D=10, C=5)
    alphas = np.linspace(-4, 4, 401)
    per_example = landscape.slice_1d(W, X, y, d, alphas, per_example=True)
    second_differences = np.diff(per_example, n=2, axis=0)  # zero except where a hinge bends
    assert (second_differences > -1e-9).all()  # convex
    bends = (np.abs(second_differences) > 1e-9).sum(axis=0)
    assert bends.max() <= 2 * (W.shape[1] - 1)  # a hinge per wrong class: at most C - 1 kinks (x2 by grid)
    assert (np.diff(landscape.slice_1d(W, X, y, d, alphas), n=2) > -1e-9).all()


# --- properties ----------------------------------------------------------------

finite = st.floats(-3, 3, allow_nan=False, width=64)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    N=st.integers(1, 6),
    D=st.integers(1, 4),
    C=st.integers(2, 4),
    alphas=arrays(np.float64, st.integers(1, 4), elements=finite),
    betas=arrays(np.float64, st.integers(1, 4), elements=finite),
    loss=st.sampled_from(LOSSES),
    penalty=st.sampled_from(lo.PENALTIES),
    reg=st.sampled_from([0.0, 0.5]),
)
def test_any_small_slice_equals_linear_loss(seed, N, D, C, alphas, betas, loss, penalty, reg):
    rng = np.random.default_rng(seed)
    W, X, y, d1, d2 = random_problem(rng, N, D, C)
    d2[rng.random(d2.shape) < 0.3] = 0  # entries that do not move: constant |w| terms
    options = {"loss": loss, "reg": reg, "penalty": penalty}
    Z = landscape.slice_2d(W, X, y, d1, d2, alphas, betas, **options)
    expected = [[pointwise(W + a * d1 + b * d2, X, y, **options) for b in betas] for a in alphas]
    np.testing.assert_allclose(Z, expected, rtol=1e-9, atol=1e-10)
    # Swapping the directions transposes the grid; a single beta = 0 is the 1-D slice.
    swapped = landscape.slice_2d(W, X, y, d2, d1, betas, alphas, **options)
    np.testing.assert_allclose(swapped.T, Z, rtol=1e-12, atol=1e-12)
    line = landscape.slice_2d(W, X, y, d1, d2, alphas, [0.0], **options)[:, 0]
    np.testing.assert_allclose(line, landscape.slice_1d(W, X, y, d1, alphas, **options), rtol=1e-12, atol=1e-12)


# --- memory ---------------------------------------------------------------------


def test_extra_memory_stays_bounded_for_a_big_grid(rng):
    N, D, C = 4000, 20, 10  # big score matrices, so that few grid points need much memory
    W, X, y, d1, d2 = random_problem(rng, N, D, C)
    alphas = betas = np.linspace(-1, 1, 30)
    all_scores = alphas.size * betas.size * N * C * 8  # what stacking the whole grid would take: 288 MB
    tracemalloc.start()
    try:
        Z = landscape.slice_2d(W, X, y, d1, d2, alphas, betas, loss="softmax", reg=1e-3, penalty="elastic")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert Z.shape == (30, 30)
    assert all_scores > 256 * 2**20
    assert peak < 256 * 2**20
    assert peak < 16 * landscape.CHUNK * 8  # a few chunks, whatever the grid


# --- directions -------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_random_directions_have_the_size_of_w(dtype, rng):
    W = (rng.standard_normal((7, 3)) * [1.0, 5.0, 0.0]).astype(dtype)  # the last class's column is zero
    d = landscape.random_directions(W, k=3, seed=5)
    assert d.shape == (3, 7, 3)
    assert d.dtype == dtype
    np.testing.assert_allclose(np.linalg.norm(d, axis=(1, 2)), np.linalg.norm(W), rtol=1e-5)
    per_class = landscape.random_directions(W, normalize="per_class", seed=5)
    column_norms = np.linalg.norm(W, axis=0)
    np.testing.assert_allclose(np.linalg.norm(per_class, axis=1), [[*column_norms[:2], 1.0]] * 2, rtol=1e-5)
    np.testing.assert_array_equal(landscape.random_directions(W, seed=5), landscape.random_directions(W, seed=5))
    assert not np.allclose(landscape.random_directions(W, seed=5), landscape.random_directions(W, seed=6))


def test_random_directions_of_zero_w_have_unit_norm():
    d1, d2 = landscape.random_directions(np.zeros((4, 3)), seed=0)
    assert np.linalg.norm(d1) == pytest.approx(1.0)
    assert abs(np.vdot(d1, d2)) < 1.0  # different draws


@pytest.mark.parametrize("size", [1e200, 1e300])
def test_directions_of_huge_weights_are_exact_not_a_numpy_warning(size, rng):
    """W near 1e200-1e300: norms taken of W / max|W|, so nothing overflows on the way (warnings are errors)."""
    W = size * rng.standard_normal((4, 3))
    d = landscape.random_directions(W, seed=0)
    np.testing.assert_allclose(np.linalg.norm(d / size, axis=(1, 2)), np.linalg.norm(W / size), rtol=1e-12)
    per_class = landscape.random_directions(W, normalize="per_class", seed=0)
    np.testing.assert_allclose(np.linalg.norm(per_class / size, axis=1), [np.linalg.norm(W / size, axis=0)] * 2)
    Ws = [W * t for t in (3.0, 2.0, 1.5, 1.0)]
    (d1, _), coords, _ = landscape.trajectory_directions(Ws)
    np.testing.assert_allclose(W + coords[:, :1, None] * d1, Ws, rtol=1e-9)  # the path is a line along W


def test_a_float32_path_near_its_largest_number_is_taken_in_float64():
    Ws = np.array([np.full((2, 2), 3e38), np.zeros((2, 2)), np.full((2, 2), -3e38)], dtype=np.float32)
    (d1, _), coords, _ = landscape.trajectory_directions(Ws)  # W_0 - W_2 = 6e38 overflows float32, not float64
    assert d1.dtype == np.float32 and np.isfinite(coords).all()
    np.testing.assert_allclose(coords[:, 0], [-1.2e39, -6e38, 0.0], rtol=1e-6)


def test_trajectory_directions_recover_a_path_in_a_known_plane(rng):
    D, C = 9, 4
    u, v = np.linalg.qr(rng.standard_normal((D * C, 2)))[0].T  # orthonormal, in D*C dimensions
    t = np.linspace(0, 1, 30)
    p = 4 * (1 - t)  # along u: a long walk to the end point
    q = np.sin(6 * t) * (1 - t)  # along v: a smaller wiggle, uncorrelated enough with p
    W_final = rng.standard_normal((D, C))
    Ws = [W_final + (a * u + b * v).reshape(D, C) for a, b in zip(p, q, strict=True)]
    (d1, d2), coords, explained = landscape.trajectory_directions(Ws)
    assert d1.shape == d2.shape == (D, C)
    # The plane is recovered: u and v lie in span(d1, d2), and the directions are orthonormal.
    basis = np.stack([d1.ravel(), d2.ravel()])
    np.testing.assert_allclose(np.linalg.norm(basis @ np.stack([u, v]).T, axis=0), [1.0, 1.0], atol=1e-10)
    np.testing.assert_allclose(basis @ basis.T, np.eye(2), atol=1e-12)
    # The path's points in the plane: each W_t = W_final + a d1 + b d2 exactly here.
    rebuilt = W_final + coords[:, :1, None] * d1 + coords[:, 1:, None] * d2
    np.testing.assert_allclose(rebuilt, Ws, atol=1e-10)
    np.testing.assert_allclose(coords[-1], [0.0, 0.0], atol=1e-12)
    assert (coords[0] <= 0).all()
    assert explained.sum() == pytest.approx(1.0)
    assert explained[0] > explained[1]
    # The long walk is the first direction.
    assert abs(np.vdot(d1.ravel(), u)) > 0.95


def test_trajectory_directions_are_principal_components_of_the_centred_path(rng):
    # Li et al. run PCA (which centres) on W_t - W_final: a big offset shared by
    # every point but the last has little variance and is not a principal direction.
    u, v, w = np.linalg.qr(rng.standard_normal((12, 3)))[0].T
    t = np.linspace(0, 2 * np.pi, 41)
    steps = np.outer(2 * np.cos(t), u) + np.outer(np.sin(t), v) + np.outer(np.where(t < t[-1], 3.0, 0.0), w)
    steps -= steps[-1]
    (d1, d2), _, explained = landscape.trajectory_directions(steps.reshape(41, 3, 4))
    basis = np.stack([d1.ravel(), d2.ravel()])
    covariance = np.cov(steps.T, bias=True)
    top = np.linalg.eigh(covariance)[0][::-1]
    np.testing.assert_allclose(explained, top[:2] / top.sum(), rtol=1e-9)
    assert np.linalg.norm(basis @ w) < 0.2


def test_a_gradient_descent_path_lies_on_its_trajectory_slice():
    X, y = lo.datasets.blobs(40, 5, spread=1.5, seed=0)  # 200 points, 5 classes
    X = lo.datasets.add_bias(X)
    Ws = []
    lo.sgd(
        lo.softmax_loss,
        np.zeros((3, 5)),
        X,
        y,
        lr=0.5,
        batch_size=200,
        num_iters=20,
        callback=lambda s, W, _: Ws.append(W),
    )
    (d1, d2), coords, explained = landscape.trajectory_directions(Ws)
    assert explained.sum() > 0.9  # plain gradient descent walks in a nearly flat sheet
    on_slice = [landscape.slice_2d(Ws[-1], X, y, d1, d2, [a], [b], loss="softmax")[0, 0] for a, b in coords]
    true = [pointwise(W, X, y, loss="softmax") for W in Ws]
    np.testing.assert_allclose(on_slice, true, rtol=0.05)


# --- bad inputs ----------------------------------------------------------------------

W0, X0, Y0 = np.zeros((3, 2)), np.ones((4, 3)), np.array([0, 1, 1, 0])
D0 = np.ones((3, 2))


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: landscape.slice_1d(W0, X0, Y0, np.ones((2, 3)), [0.0]), ValueError, "direction must have the shape"),
        (lambda: landscape.slice_1d(W0, X0, Y0, D0, [[0.0]]), ValueError, "alphas must be 1-D"),
        (lambda: landscape.slice_1d(W0, X0, Y0, D0, 0.5), TypeError, "alphas must be a 1-D array"),
        (lambda: landscape.slice_1d(W0, X0, Y0, D0, []), ValueError, "alphas is empty"),
        (lambda: landscape.slice_1d(W0, X0, Y0, D0, [np.nan]), ValueError, "alphas contains NaN"),
        (lambda: landscape.slice_1d(W0, X0, Y0, D0, ["a"]), TypeError, "alphas must hold real numbers"),
        (lambda: landscape.slice_1d(W0, X0, Y0, D0, [0.0], loss="hinge"), ValueError, "unknown loss 'hinge'"),
        (lambda: landscape.slice_1d(W0, X0, Y0, D0, [0.0], reg=-1), ValueError, "reg == -1, must be >= 0"),
        (lambda: landscape.slice_1d(W0, X0, Y0, D0, [0.0], delta=-1), ValueError, "delta == -1, must be >= 0"),
        (lambda: landscape.slice_1d(W0, X0, Y0, D0, [0.0], penalty="l3"), ValueError, "unknown penalty"),
        (lambda: landscape.slice_1d(W0, X0, Y0, D0, [0.0], per_example=1), TypeError, "per_example must be True"),
        (lambda: landscape.slice_1d(W0, X0, [0, 1, 2, 0], D0, [0.0]), ValueError, r"labels in \[0, 2\)"),
        (lambda: landscape.slice_1d(W0, X0, Y0[:3], D0, [0.0]), ValueError, "y must have shape"),
        (lambda: landscape.slice_1d(W0, X0[:, :2], Y0, D0, [0.0]), ValueError, "X has 2 columns"),
        (lambda: landscape.slice_1d(W0, X0 * np.nan, Y0, D0, [0.0]), ValueError, "NaN or infinity"),
        (lambda: landscape.slice_1d(W0, X0, Y0, D0 * np.nan, [0.0]), ValueError, "direction contains NaN"),
        (lambda: landscape.slice_2d(W0, X0, Y0, D0, D0[:2], [0.0], [0.0]), ValueError, "d2 must have the shape"),
        (lambda: landscape.slice_2d(W0, X0, Y0, D0, D0, [0.0], [np.inf]), ValueError, "betas contains NaN"),
        (lambda: landscape.random_directions(W0, k=0), ValueError, "k == 0, must be >= 1"),
        (lambda: landscape.random_directions(W0, normalize="l2"), ValueError, "unknown normalize"),
        (lambda: landscape.random_directions(np.zeros(3)), ValueError, "W must be 2-D"),
        (lambda: landscape.random_directions(np.zeros((0, 3))), ValueError, "W is empty"),
        (lambda: landscape.random_directions(np.full((4, 3), 1e308)), ValueError, "W is too large"),
        (lambda: landscape.trajectory_directions(np.zeros((3, 0, 2))), ValueError, "at least 2 entries"),
        (lambda: landscape.trajectory_directions([W0 - 1e308, W0, W0 + 1e308]), ValueError, "too far apart"),
        (lambda: landscape.trajectory_directions([W0, W0 + 1]), ValueError, "at least 3 weight matrices"),
        (lambda: landscape.trajectory_directions([W0, W0, D0[:2]]), ValueError, "same shape"),
        (lambda: landscape.trajectory_directions([W0, W0, W0]), ValueError, "all equal"),
        (lambda: landscape.trajectory_directions([W0, W0 + np.nan, W0 + 1]), ValueError, "NaN or infinity"),
    ],
)
def test_bad_inputs_raise_errors_that_name_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- plots -----------------------------------------------------------------------------


def test_plots_draw_the_slices_and_the_path(rng):
    import matplotlib.pyplot as plt

    W, X, y, d1, d2 = random_problem(rng)
    alphas, betas = np.linspace(-1, 1, 9), np.linspace(-2, 2, 5)
    Z = landscape.slice_2d(W, X, y, d1, d2, alphas, betas)
    try:
        per_example = landscape.slice_1d(W, X[:3], y[:3], d1, alphas, per_example=True)
        ax = lo.plots.plot_slice_1d(alphas, per_example, labels=["a", "b", "c"])
        np.testing.assert_allclose([line.get_ydata() for line in ax.lines], per_example.T)
        assert [text.get_text() for text in ax.get_legend().get_texts()] == ["a", "b", "c"]
        ax = lo.plots.plot_slice_contours(alphas, betas, Z)
        filled = ax.collections[0]
        assert filled.levels[0] <= Z.min() and filled.levels[-1] >= Z.max()
        assert ax.get_xlim() == (-1, 1) and ax.get_ylim() == (-2, 2)  # x is alphas, y is betas
        coords = np.array([[-1.0, -1.5], [-0.5, 0.5], [0.0, 0.0]])
        lo.plots.plot_path(coords, ax=ax, label="GD")
        path = next(line for line in ax.lines if line.get_label() == "GD")
        np.testing.assert_array_equal(np.column_stack(path.get_data()), coords)
        ax3d = lo.plots.plot_slice_surface(alphas, betas, Z)
        assert ax3d.name == "3d"
        np.testing.assert_allclose(ax3d.get_zlim(), (Z.min(), Z.max()), rtol=0.1)
        with pytest.raises(ValueError, match=r"Z must have shape \(len\(alphas\), len\(betas\)\)"):
            lo.plots.plot_slice_contours(alphas, betas, Z.T)
        with pytest.raises(ValueError, match=r"coords must have shape \(T, 2\)"):
            lo.plots.plot_path(np.zeros((3, 3)))
    finally:
        plt.close("all")


# --- the plane penalty ---------------------------------------------------------


def brute_force_penalty(W, d1, d2, alphas, betas, penalty):
    return np.array([[float(lo.regularization(W + a * d1 + b * d2, penalty)[0]) for b in betas] for a in alphas])


@pytest.mark.parametrize("penalty", lo.PENALTIES)
def test_plane_penalty_equals_regularization_with_a_cross_term(penalty, rng):
    """Random directions are not orthogonal: the a * b * <d1, d2> term matters."""
    W, _, _, d1, d2 = random_problem(rng)
    assert abs(np.vdot(d1, d2)) > 0.1  # the cross term is not zero here
    alphas, betas = np.linspace(-2, 2, 5), np.linspace(-1, 3, 4)
    R = landscape.plane_penalty(W, d1, d2, alphas, betas, penalty=penalty)
    np.testing.assert_allclose(R, brute_force_penalty(W, d1, d2, alphas, betas, penalty), rtol=1e-12)


@pytest.mark.parametrize("same_axis", [False, True])
def test_plane_penalty_on_two_weight_axes_leaving_the_bias_row_out(same_axis):
    """The demo's plane: theta = [W; b] (3 x 3), two parameters as axes, the penalty on W's rows only."""
    theta = np.array([[1.0, 2.0, 3.0], [2.0, -4.0, -1.0], [0.0, 0.5, -0.5]])
    d1, d2 = np.zeros((3, 3)), np.zeros((3, 3))
    d1[0, 1] = 1.0
    d2[(0, 1) if same_axis else (1, 2)] = 1.0  # the same weight twice: the cross term 2ab is all that differs
    alphas, betas = np.linspace(-3, 3, 7), np.linspace(-2, 2, 5)
    R = landscape.plane_penalty(theta[:2], d1[:2], d2[:2], alphas, betas)
    expected = brute_force_penalty(theta[:2], d1[:2], d2[:2], alphas, betas, "l2")
    np.testing.assert_allclose(R, expected, rtol=1e-12)
    a, b = alphas[:, None], betas[None, :]
    w01, w12 = theta[0, 1] + a, theta[1, 2] + (0 if same_axis else b)
    w01 = w01 + (b if same_axis else 0)
    rest = np.sum(theta[:2] ** 2) - theta[0, 1] ** 2 - theta[1, 2] ** 2
    np.testing.assert_allclose(R, rest + w01**2 + w12**2, rtol=1e-12)


def test_a_slice_checks_once_whatever_the_number_of_chunks(rng, monkeypatch):
    """Checked once (issue 20): the chunks of a big grid call the unchecked kernel, never a check."""
    from tests.test_optim import count_checks

    W, X, y, d1, d2 = random_problem(rng)
    monkeypatch.setattr(landscape, "CHUNK", 3 * X.shape[0] * W.shape[1])  # 3 grid points a chunk
    calls = count_checks(monkeypatch)
    counts = []
    for size in (2, 20):  # 2 chunks, then 134
        calls.clear()
        landscape.slice_2d(W, X, y, d1, d2, np.linspace(-1, 1, size), np.linspace(-1, 1, size), reg=0.1)
        counts.append(len(calls))
    assert counts[0] > 0 and counts[0] == counts[1]
