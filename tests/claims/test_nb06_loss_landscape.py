"""The sentences of notebook 06 (loss landscapes) that say what a slice, a plot, the explorer or a run shows.

Each test repeats the notebook's own computation (same data, directions, grids and seeds) or moves the explorer's
sliders to the values its sentence names, and checks what the sentence in its docstring says.
"""

import functools
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import lossopt as lo
from lossopt import landscape

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "06_loss_landscape.ipynb"
D, C = 65, 10
FLAT = 1e-9  # a second difference this small is round-off: no kink there


@pytest.fixture(scope="module")
def train():
    data = lo.datasets.digits(seed=0)
    return data.X_train[:500], data.y_train[:500]


@pytest.fixture(scope="module")
def line(train):
    """The notebook's 1-D slices: three examples one at a time, and the average of 500, around W = 0."""
    X, y = train
    W_zero = np.zeros((D, C))
    (direction,) = landscape.random_directions(W_zero, k=1, seed=0)
    alphas = np.linspace(-10, 10, 401)
    three = [int(np.flatnonzero(y == digit)[0]) for digit in (0, 1, 2)]
    per_example = landscape.slice_1d(W_zero, X[three], y[three], direction, alphas, per_example=True)
    average = landscape.slice_1d(W_zero, X, y, direction, alphas)
    return {"alphas": alphas, "direction": direction, "per_example": per_example, "average": average}


@pytest.fixture(scope="module")
def plane(train):
    """The notebook's plane through W = 0: one image, all 500, and five images for SVM and softmax."""
    X, y = train
    W_zero = np.zeros((D, C))
    d1, d2 = landscape.random_directions(W_zero, seed=1)
    grid = np.linspace(-8, 8, 41)
    return {
        "grid": grid,
        "one": landscape.slice_2d(W_zero, X[:1], y[:1], d1, d2, grid, grid),
        "all": landscape.slice_2d(W_zero, X, y, d1, d2, grid, grid),
        **{
            loss: landscape.slice_2d(W_zero, X[:5], y[:5], d1, d2, grid, grid, loss=loss) for loss in ("svm", "softmax")
        },
    }


@pytest.fixture(scope="module")
def explorer():
    explorer = lo.widgets.LandscapeExplorer()
    explorer.render = lambda: b""  # the sentences are about the readout and the grids, not pixels
    return explorer


def set_sliders(explorer, **values):
    with explorer.hold():
        for name, value in values.items():
            explorer.controls[name].value = value
    return explorer.text.splitlines()


def lowest(text_lines):
    """(total, a, b) from the readout's 'lowest on the grid: total T at a = A, b = B'."""
    match = re.search(r"lowest on the grid: total ([-\d.]+) at a = ([-\d.]+), b = ([-\d.]+)", "\n".join(text_lines))
    return tuple(float(v) for v in match.groups())


def total_at_zero(text_lines):
    return float(re.search(r"at W = 0 \(a = -1, b = 0\): total ([\d.]+)", "\n".join(text_lines))[1])


def second_differences(Z, axis):
    return np.diff(Z, n=2, axis=axis)


def run_paths(train, batch_sizes):
    """The notebook's runs: softmax, λ = 1e-3, lr 0.5, 100 steps from the same start, seed 0."""
    X, y = train
    loss_fn = functools.partial(lo.softmax_loss, reg=1e-3)
    W_start = 0.001 * np.random.default_rng(0).standard_normal((D, C))
    results = {}
    for batch_size in batch_sizes:
        path = [W_start]
        lo.sgd(loss_fn, W_start, X, y, lr=0.5, batch_size=batch_size, num_iters=100, seed=0,
               callback=lambda step, W, loss, path=path: path.append(W))  # fmt: skip
        _, _, explained = landscape.trajectory_directions(path)
        results[batch_size] = (float(explained.sum()), float(loss_fn(path[-1], X, y)[0]))
    return results


def run_path(train, batch_size, num_iters=100):
    """One of the notebook's runs: the list of W_t, from the start to the end."""
    X, y = train
    loss_fn = functools.partial(lo.softmax_loss, reg=1e-3)
    W_start = 0.001 * np.random.default_rng(0).standard_normal((D, C))
    path = [W_start]
    lo.sgd(loss_fn, W_start, X, y, lr=0.5, batch_size=batch_size, num_iters=num_iters, seed=0,
           callback=lambda step, W, loss: path.append(W))  # fmt: skip
    return path


@pytest.fixture(scope="module")
def paths(train):
    """The notebook's three runs: gradient descent (batches of 500), SGD with batches of 100 and of 10."""
    return {batch_size: run_path(train, batch_size) for batch_size in (500, 100, 10)}


def path_on_plane(path):
    """(W_t - W_final as rows (T, D*C), the drawn coordinates (T, 2), the two directions as rows (2, D*C))."""
    (p1, p2), coords, _ = landscape.trajectory_directions(path)
    steps = np.array([W - path[-1] for W in path]).reshape(len(path), -1)
    return steps, coords, np.array([p1.ravel(), p2.ravel()])


def turn_cosines(coords):
    """Cosine of each turn of a drawn path (between consecutive segments): 1 straight on, below 0 past 90 degrees."""
    segments = np.diff(coords, axis=0)
    return np.sum(segments[1:] * segments[:-1], axis=1) / (
        np.linalg.norm(segments[1:], axis=1) * np.linalg.norm(segments[:-1], axis=1)
    )


def test_the_walk_starts_at_w_zero_along_a_direction_of_length_1(line):
    """'We start at W = 0, where every score is 0, and walk along a random direction of length 1 (Frobenius norm).'"""
    assert np.linalg.norm(line["direction"]) == pytest.approx(1.0, rel=1e-12)
    assert line["direction"].shape == (D, C)


def test_every_example_and_the_average_are_9_at_w_zero(line):
    """'At W = 0 every score is 0, and every example's loss is C - 1 = 9' (and so is the average, printed)."""
    at_zero = int(np.argmin(np.abs(line["alphas"])))
    np.testing.assert_allclose(line["per_example"][at_zero], C - 1)
    assert line["average"][at_zero] == pytest.approx(C - 1)


def test_one_example_is_piecewise_linear_and_convex_the_average_a_smooth_bowl(line):
    """'the example's loss is piecewise linear and convex ... The average over many examples has so many kinks,
    each bending it a little, that it looks smooth: a convex bowl.'"""
    single = second_differences(line["per_example"], axis=0)  # (399, 3)
    assert single.min() > -FLAT  # convex
    kinks_per_example = (single > FLAT).sum(axis=0)
    assert np.all(kinks_per_example <= 2 * (C - 1))  # straight between a few kinks (two grid steps per kink at most)
    average = second_differences(line["average"], axis=0)
    assert average.min() > -FLAT  # convex
    assert np.mean(average > FLAT) > 0.9  # a kink nearly everywhere ...
    assert average.max() < 0.2 * single.max()  # ... each one small
    assert np.argmin(line["average"]) not in (0, len(line["alphas"]) - 1)  # a bowl: its bottom inside


def test_one_image_on_a_plane_has_flat_facets_the_average_looks_smooth(plane):
    """'One example's loss is made of flat facets meeting at the kinks; the average over all 500 images is a
    smooth-looking bowl.'"""
    for axis in (0, 1):
        one, every = second_differences(plane["one"], axis), second_differences(plane["all"], axis)
        assert one.min() > -FLAT and every.min() > -FLAT  # convex along both directions
        assert np.mean(np.abs(one) < FLAT) > 0.5  # mostly flat: facets
        assert np.mean(np.abs(every) < FLAT) < 0.05  # hardly anywhere straight


def test_svm_has_facets_softmax_is_smooth_both_convex(plane):
    """'Both are convex ..., but the SVM's surface is made of flat facets ... Softmax's log-sum-exp rounds every
    corner off: smooth level lines.' (five images)"""
    svm, softmax = plane["svm"], plane["softmax"]
    for axis in (0, 1):
        assert second_differences(svm, axis).min() > -FLAT
        assert np.mean(np.abs(second_differences(svm, axis)) < FLAT) > 0.2  # flat facets
        assert second_differences(softmax, axis).min() > 0  # curved everywhere: no facet, no corner


def test_question_1_lambda_pulls_the_lowest_point_towards_w_zero(explorer):
    """Question 1's answer: with λ = 1e-4 'the lowest point lies at a > 0 (for softmax, off the edge of the grid). At
    λ = 1 the penalty outweighs the data loss at the trained W (a = 0), and the lowest point is most of the way to
    a = -1.' The explorer's readout shows what the notebook's cell prints (data_losses + λ R)."""
    steps = explorer.steps
    for loss in ("svm", "softmax"):
        a_values = []
        for reg in (1e-4, 1e-2, 1.0):
            text = set_sliders(explorer, loss=loss, reg=reg, delta=1.0)
            _, a, b = lowest(text)
            total = explorer.data_losses(loss, 1.0) + reg * explorer.R  # the notebook cell's computation
            i, j = np.unravel_index(np.argmin(total), total.shape)
            assert (a, b) == (round(steps[i], 2), round(steps[j], 2))
            a_values.append(a)
        assert a_values[0] > 0
        assert a_values[0] > a_values[1] > a_values[2]  # towards W = 0 as λ grows
        assert a_values[2] <= -0.5  # most of the way to a = -1
        text = set_sliders(explorer, reg=1.0)
        data, penalty = (float(v) for v in re.search(r"data ([\d.]+) \+ λR ([\d.]+)", "\n".join(text)).groups())
        assert penalty > 0.9 * (data + penalty)  # at W (a = b = 0) the penalty outweighs the data loss, by far
    set_sliders(explorer, loss="softmax", reg=1e-4)
    assert lowest(explorer.text.splitlines())[1] == steps[-1]  # off the edge


def test_delta_only_scales_the_svm_landscape(explorer, train):
    """'at W = 0 the SVM loss is (C - 1) Δ, and the data loss with margin Δ at W equals Δ times the data loss with
    margin 1 at W / Δ.'"""
    X, y = explorer.X, explorer.y
    for delta in (0.5, 2.0):
        text = set_sliders(explorer, loss="svm", delta=delta, reg=1e-4)
        assert total_at_zero(text) == pytest.approx((C - 1) * delta, abs=1e-4)
        scaled = landscape.slice_2d(
            explorer.W / delta,
            X,
            y,
            explorer.d1 / delta,
            explorer.d2 / delta,
            explorer.steps,
            explorer.steps,
            delta=1.0,
        )
        np.testing.assert_allclose(explorer.data_losses("svm", delta), delta * scaled, rtol=1e-10)
    set_sliders(explorer, delta=1.0)


def test_softmax_greys_out_the_margin(explorer):
    """'Softmax has no margin: the slider is greyed out.'"""
    set_sliders(explorer, loss="softmax")
    assert explorer.controls["delta"].disabled
    set_sliders(explorer, loss="svm")
    assert not explorer.controls["delta"].disabled


def test_structured_never_above_the_multiclass_svm_one_vs_all_charges_the_right_class(explorer):
    """'The structured SVM is never above the multiclass SVM ..., and the one-vs-all SVM also charges the right
    class for a score below +Δ.'"""
    assert np.all(explorer.data_losses("structured_svm", 1.0) <= explorer.data_losses("svm", 1.0) + 1e-12)
    S = np.array([[0.5, -2.0, -3.0]])  # right class 0 scores 0.5 < 1; the wrong ones are below -1
    assert lo.ova_svm_scores_loss(S, np.array([0]))[0] == pytest.approx(0.5)
    assert lo.svm_scores_loss(S, np.array([0]))[0] == 0.0


def test_the_explorer_is_as_described(explorer):
    """'The explorer slices the loss of the first 300 training images through a W trained with softmax on the whole
    training set ... d1 = W itself (a = -1 is W = 0), and d2 a random direction at right angles to W. Move λ (log
    scale, from 1e-4 to 10) ... Left: the loss along d1 (b = 0): data loss, penalty λR(W) and their total. Right:
    contours of the total, W = 0 and the lowest point of the grid marked.'"""
    data = lo.datasets.digits(seed=0)
    np.testing.assert_array_equal(explorer.X, data.X_train[:300])
    model = lo.LinearClassifier("softmax", lr=0.1, reg=1e-3, epochs=10, seed=0, verbose=False)
    np.testing.assert_allclose(explorer.W, model.fit(data.X_train, data.y_train).W_)
    np.testing.assert_array_equal(explorer.d1, explorer.W)
    assert abs(np.vdot(explorer.d2, explorer.W)) < 1e-9 * np.vdot(explorer.W, explorer.W)
    reg = explorer.controls["reg"]
    assert (10**reg.min, 10**reg.max) == (pytest.approx(1e-4), pytest.approx(10.0))
    text = set_sliders(explorer, loss="svm", reg=0.1, delta=1.0)
    line_ax, plane_ax = explorer.figure.axes[:2]
    lines = {line.get_label(): line.get_ydata() for line in line_ax.get_lines()}
    middle = int(np.argmin(np.abs(explorer.steps)))  # b = 0
    data_loss = explorer.data_losses("svm", 1.0)[:, middle]
    np.testing.assert_allclose(lines["data loss"], data_loss)
    np.testing.assert_allclose(lines["λ R(W)"], 0.1 * explorer.R[:, middle])
    np.testing.assert_allclose(lines["total"], data_loss + 0.1 * explorer.R[:, middle])
    markers = {line.get_label(): line.get_xydata()[0] for line in plane_ax.get_lines()}
    np.testing.assert_allclose(markers["W = 0"], (-1, 0))
    np.testing.assert_allclose(markers["lowest on grid"], lowest(text)[1:])


def test_a_random_plane_hardly_contains_the_path(paths):
    """'A random plane through the end of gradient descent's path hardly contains the path: in 650 dimensions random
    directions are nearly at right angles to it.'"""
    path = paths[500]
    steps = np.array([W - path[-1] for W in path]).reshape(len(path), -1)  # (T, 650)
    for seed in range(5):
        q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((D * C, 2)))  # a random plane
        assert np.sum((steps @ q) ** 2) < 0.05 * np.sum(steps**2)
    _, _, explained = landscape.trajectory_directions(path)
    assert explained.sum() > 0.99


def test_paths_on_their_principal_planes(train):
    """'Gradient descent ...: a smooth curve, almost all in one plane. ... With batches of 100 the plane explains
    almost as much of the path. With 10 ... it leaves the plane more. Yet all three reach about the same training
    loss.'"""
    runs = run_paths(train, (500, 100, 10))
    (gd, gd_loss), (hundred, hundred_loss), (ten, ten_loss) = runs[500], runs[100], runs[10]
    assert gd > 0.99 and hundred > 0.98 and gd - hundred < 0.01
    assert ten < hundred - 0.1
    losses = [gd_loss, hundred_loss, ten_loss]
    assert max(losses) < 1.05 * min(losses)


def test_gradient_descent_draws_a_smooth_curve_batches_of_10_zig_zag(paths):
    """'Gradient descent takes the steepest way down ...: a smooth curve' and 'With 10 the path is noisy: it
    zig-zags': on the drawn plane, every turn of gradient descent's path is under 10 degrees; the path with batches
    of 10 turns by more than 90 degrees (doubles back) several times."""
    _, gd_coords, _ = path_on_plane(paths[500])
    _, ten_coords, _ = path_on_plane(paths[10])
    assert turn_cosines(gd_coords).min() > np.cos(np.radians(10))
    assert np.sum(turn_cosines(ten_coords) < 0) >= 5


def test_the_path_itself_leaves_the_plane_batches_of_10_most(paths):
    """'The path itself leaves the plane (the path with batches of 10 most)': the part of W_t - W_final off the drawn
    plane through W_final (its squared length, as a fraction of the path's) is above 0 for all three runs and
    largest for batches of 10."""
    off = {}
    for batch_size in (500, 100, 10):
        steps, coords, directions = path_on_plane(paths[batch_size])
        np.testing.assert_allclose(coords, steps @ directions.T, atol=1e-12)  # the drawn points are projections
        residual = steps - coords @ directions
        off[batch_size] = np.sum(residual**2) / np.sum(steps**2)
    assert all(value > 1e-4 for value in off.values())
    assert off[10] > 10 * max(off[500], off[100])


def plane_of_path(train, path):
    """The notebook's picture of a path: the grid around its end and the full training loss on its principal plane."""
    X, y = train
    (p1, p2), coords, _ = landscape.trajectory_directions(path)
    reach = 1.15 * np.abs(coords).max()
    around = np.linspace(-reach, reach, 31)
    return around, landscape.slice_2d(path[-1], X, y, p1, p2, around, around, loss="softmax", reg=1e-3)


def test_no_path_reaches_the_valleys_centre(train, paths):
    """'None of the three reaches the valley's centre: after 100 steps the lowest loss on each plane still lies
    ahead, at a > 0.' On each drawn plane the lowest grid point lies at least one grid step along the first
    direction (the start is at a < 0), and its loss is below the loss at the end of the path."""
    for batch_size, path in paths.items():
        around, Z = plane_of_path(train, path)
        _, coords, _ = path_on_plane(path)
        centre = len(around) // 2  # a = b = 0: the end of the path
        i, _ = np.unravel_index(np.argmin(Z), Z.shape)
        assert coords[0, 0] < 0, batch_size  # the path came from a < 0 ...
        assert around[i] >= around[centre + 1], batch_size  # ... and the lowest point lies ahead, at a > 0
        assert Z.min() < 0.95 * Z[centre, centre], batch_size


def test_try_this_fewer_images_show_their_kinks(train, line):
    """Try this: 'Draw the 1-D slice of the average over 5 and over 50 images instead of 500: how many images does
    the average need before its kinks are too small to see?' (the kinks get denser and smaller with more images)."""
    X, y = train
    kinked, largest = [], []
    for n in (5, 50, 500):
        average = landscape.slice_1d(np.zeros((D, C)), X[:n], y[:n], line["direction"], line["alphas"])
        bends = second_differences(average, axis=0)
        kinked.append(np.mean(bends > FLAT))
        largest.append(bends.max())
    assert kinked[0] < 0.3 < kinked[1] < kinked[2]
    assert largest[0] > largest[1] > largest[2]


def test_try_this_batches_of_one(train):
    """Try this: 'Draw the path of SGD with batches of 1 (same learning rate). How much of it does the principal
    plane explain, and what training loss does it end at?' (less than with 10, and a much higher loss)."""
    runs = run_paths(train, (10, 1))
    assert runs[1][0] < runs[10][0]
    assert runs[1][1] > 5 * runs[10][1]


def test_try_this_structured_svm_at_the_lowest_lambda(explorer):
    """Try this: 'In the explorer, set λ to its lowest value, 1e-4, and switch from svm to structured_svm. How does
    the loss at W = 0 change, and why is the whole landscape lower?'"""
    assert 10 ** explorer.controls["reg"].min == pytest.approx(1e-4)
    text = set_sliders(explorer, loss="svm", reg=1e-4, delta=1.0)
    assert total_at_zero(text) == pytest.approx(9.0)
    svm_total = explorer.data_losses("svm", 1.0) + 1e-4 * explorer.R
    text = set_sliders(explorer, loss="structured_svm")
    assert total_at_zero(text) == pytest.approx(1.0)
    structured_total = explorer.data_losses("structured_svm", 1.0) + 1e-4 * explorer.R
    assert np.all(structured_total <= svm_total + 1e-12)
    assert lowest(text)[0] < lowest(set_sliders(explorer, loss="svm"))[0]


def test_the_notebook_says_what_these_tests_check():
    """The sentences above are in the notebook as tested (a reworded sentence must come with its test)."""
    text = "\n".join(c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "markdown")
    text = " ".join(text.split())  # line breaks inside a sentence do not matter
    for sentence in (
        "set λ to its lowest value, 1e-4, and switch from `svm` to `structured_svm`",
        "Draw the path of SGD with batches of 1",
        "over 5 and over 50 images instead of 500",
        "Softmax** has no margin: the slider is greyed out",
        "With 10 the path is noisy: it zig-zags",
        "plane (the path with batches of 10 most)",
        "the penalty outweighs the data loss at the trained W",
        "None of the three reaches the valley's centre",
        "every example's loss is C - 1 = 9 (notebook 01's sanity check)",
    ):
        assert sentence in text, sentence
