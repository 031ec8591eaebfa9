"""LandscapeExplorer and StepSizeExplorer, driven headlessly: every drawn number is lossopt's."""

import functools
import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

import lossopt as lo
from lossopt import landscape
from lossopt.widgets.landscape import LandscapeExplorer
from lossopt.widgets.optimization import StepSizeExplorer


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def explorer():
    return LandscapeExplorer()


@pytest.fixture(scope="module")
def stepper():
    return StepSizeExplorer()


def number_after(text, label):
    """The float printed right after ``label`` in the readout."""
    return float(text.split(label, 1)[1].split()[0].rstrip(",:"))


# --- LandscapeExplorer ----------------------------------------------------------------


def test_the_slice_runs_through_w_and_the_origin(explorer):
    W = explorer.W
    np.testing.assert_array_equal(explorer.d1, W)  # a = -1 is W = 0
    assert abs(np.vdot(explorer.d2, W)) < 1e-9 * np.vdot(W, W)
    assert np.linalg.norm(explorer.d2) == pytest.approx(np.linalg.norm(W))


@pytest.mark.parametrize(
    "loss, delta, reg",
    [
        ("svm", 1.0, 1e-2),
        ("svm", 2.5, 1.0),
        ("softmax", 1.0, 3e-4),
        ("ova_svm", 0.5, 0.1),
        ("structured_svm", 1.0, 5.0),
    ],
)
def test_each_control_redraws_lossopts_slice(explorer, loss, delta, reg):
    with explorer.hold():
        explorer.controls["loss"].value = loss
        explorer.controls["delta"].value = delta
        explorer.controls["reg"].value = reg
    e = explorer
    options = {"loss": loss, "delta": delta, "reg": reg}
    # Left: the total along d1 is slice_1d; the data part is slice_1d without reg.
    lines = {line.get_label(): line for line in e.figure.axes[0].lines}
    np.testing.assert_allclose(lines["total"].get_ydata(), landscape.slice_1d(e.W, e.X, e.y, e.d1, e.steps, **options))
    np.testing.assert_allclose(
        lines["data loss"].get_ydata(), landscape.slice_1d(e.W, e.X, e.y, e.d1, e.steps, loss=loss, delta=delta)
    )
    # Right: the contours span slice_2d's values; the star is its lowest point.
    Z = landscape.slice_2d(e.W, e.X, e.y, e.d1, e.d2, e.steps, e.steps, **options)
    filled = e.figure.axes[1].collections[0]
    assert filled.levels[0] <= Z.min() and filled.levels[-1] >= Z.max()
    i, j = np.unravel_index(np.argmin(Z), Z.shape)
    star = next(line for line in e.figure.axes[1].lines if line.get_label() == "lowest on grid")
    np.testing.assert_allclose(np.ravel(star.get_data()), [e.steps[i], e.steps[j]])
    # The readout: linear_loss at W and at W = 0, and the grid's lowest value.
    at_W = float(lo.linear_loss(e.W, e.X, e.y, reg, loss=loss, delta=delta)[0])
    at_zero = float(lo.linear_loss(np.zeros_like(e.W), e.X, e.y, reg, loss=loss, delta=delta)[0])
    assert number_after(e.text, "= total") == pytest.approx(at_W, abs=1e-4)
    assert number_after(e.text, "(a = -1, b = 0): total") == pytest.approx(at_zero, abs=1e-4)
    assert number_after(e.text, "lowest on the grid: total") == pytest.approx(Z.min(), abs=1e-4)


def test_moving_lambda_keeps_the_colour_bar_so_its_pixels_can_be_kept(explorer):
    """The levels are fixed per loss and margin and span the total at both ends of the λ slider."""
    with explorer.hold():
        explorer.controls["loss"].value = "svm"
        explorer.controls["delta"].value = 1.0
    levels = []
    for reg in (1e-4, 0.3, 10.0):
        explorer.controls["reg"].value = reg
        levels.append(explorer.figure.axes[1].collections[0].levels)
        total = explorer.data_losses("svm", 1.0) + reg * explorer.R
        assert levels[-1][0] <= total.min() and levels[-1][-1] >= total.max()
    np.testing.assert_array_equal(levels[0], levels[1])
    np.testing.assert_array_equal(levels[0], levels[2])
    explorer.controls["delta"].value = 2.0  # another margin: other losses, other levels
    assert not np.array_equal(explorer.figure.axes[1].collections[0].levels, levels[0])


def test_the_lectures_sanity_checks_at_w_equal_zero(explorer):
    # At W = 0 every score is 0: the SVM loss is (C - 1) * delta, the softmax loss ln C.
    with explorer.hold():
        explorer.controls["loss"].value = "svm"
        explorer.controls["delta"].value = 1.0
    assert number_after(explorer.text, "(a = -1, b = 0): total") == pytest.approx(9.0)
    explorer.controls["loss"].value = "softmax"
    assert number_after(explorer.text, "(a = -1, b = 0): total") == pytest.approx(math.log(10), abs=1e-4)


def test_more_regularization_pulls_the_minimum_towards_w_equal_zero(explorer):
    explorer.controls["loss"].value = "softmax"
    lowest = []
    for reg in (1e-4, 0.1, 1.0):
        explorer.controls["reg"].value = reg
        lowest.append(number_after(explorer.text, "at a ="))
    assert lowest[0] > lowest[1] > lowest[2] >= -1.0


def test_the_legend_is_below_the_panels_not_over_the_plane(explorer):
    """Plot rule: never a legend over the data. One figure legend lists both panels' entries, under them."""
    assert all(ax.get_legend() is None for ax in explorer.figure.axes)
    (legend,) = explorer.figure.legends
    labels = [text.get_text() for text in legend.get_texts()]
    assert labels == ["data loss", "λ R(W)", "total", "W (centre)", "W = 0", "lowest on grid"]
    renderer = explorer.figure.canvas.get_renderer()
    top = legend.get_window_extent(renderer).y1
    assert all(top < ax.get_tightbbox(renderer).y0 + 1 for ax in explorer.figure.axes[:2])


# --- StepSizeExplorer ------------------------------------------------------------------


@pytest.mark.parametrize("lr", [1e-4, 0.1, 3.16e-1, 0.05, 100.0])  # 0.05 is between slider positions
def test_the_curve_is_lossopts_gradient_descent(stepper, lr):
    stepper.controls["lr"].value = lr
    lr = stepper.controls["lr"].value
    loss_fn = functools.partial(lo.linear_loss, reg=stepper.reg, loss="softmax")
    W0 = np.zeros((stepper.X.shape[1], 10))
    run = lo.sgd(loss_fn, W0, stepper.X, stepper.y, lr=lr, batch_size=len(stepper.y), num_iters=51, seed=0)
    expected = run.loss_history  # the loss after 0, 1, ..., 50 steps
    curve = next(line for line in stepper.figure.axes[0].lines if line.get_label() == "chosen learning rate")
    np.testing.assert_allclose(curve.get_ydata(), expected, rtol=1e-12)
    marker = next(line for line in stepper.figure.axes[1].lines if line.get_label() == "chosen")
    np.testing.assert_allclose(np.ravel(marker.get_data()), [lr, expected[-1]], rtol=1e-12)
    assert number_after(stepper.text, "→") == pytest.approx(expected[-1], abs=1e-4)


def test_the_sweep_is_too_small_then_good_then_too_large(stepper):
    # The notes' pattern. Gradient descent starts at W = 0, where the softmax loss is ln 10.
    stepper.controls["lr"].value = 1e-4
    assert number_after(stepper.text, "loss") == pytest.approx(math.log(10), abs=1e-4)
    assert "too small" in stepper.text
    for lr in (0.01, 1.0):  # 0.01 moves slowly, but loses a third of the loss in 50 steps
        stepper.controls["lr"].value = lr
        assert "goes down" in stepper.text
    stepper.controls["lr"].value = 100.0
    assert "too large" in stepper.text
    sweep = stepper.figure.axes[1].lines[0]
    np.testing.assert_allclose(sweep.get_xdata(), stepper.sweep)
    np.testing.assert_allclose(sweep.get_ydata(), [stepper.run(rate)[-1] for rate in stepper.sweep])


def test_a_run_that_leaves_the_floats_says_so():
    data = lo.datasets.digits(seed=0)
    X, y = data.X_train[:50], data.y_train[:50]
    explorer = StepSizeExplorer(X, y, lr=1e305, lr_range=(1e304, 1e306), steps=5)  # reg * lr * W overflows
    result = lo.sgd(
        functools.partial(lo.linear_loss, reg=1e-3, loss="softmax"), np.zeros((65, 10)), X, y, lr=1e305,
        batch_size=50, num_iters=6, seed=0,
    )  # fmt: skip
    assert result.diverged
    assert f"W stopped being finite at step {result.loss_history.size}" in explorer.text
