"""Weight-penalty pictures (lossopt.plots.svm) and the lambda explorer (lossopt.widgets.penalty), driven headlessly."""

import numpy as np
import pytest

import lossopt as lo
from lossopt import fit_proximal
from lossopt.datasets import blobs_with_outliers


@pytest.fixture(scope="module")
def data():
    points, y, is_outlier = blobs_with_outliers()
    return lo.datasets.add_bias(points), y, points, is_outlier


# ----------------------------------------------------------------------------
# plot_weight_magnitudes and plot_penalties
# ----------------------------------------------------------------------------


def test_weight_bars_are_magnitudes_and_zeros_are_marked(rng):
    W = rng.normal(size=(4, 3))
    W[[0, 2, 3], [1, 1, 0]] = 0.0
    ax = lo.plots.plot_weight_magnitudes(W, class_names=["a", "b", "c"])
    for c, container in enumerate(ax.containers):
        assert container.get_label() == "abc"[c]
        np.testing.assert_array_equal([bar.get_height() for bar in container], np.abs(W[:, c]))
    (crosses,) = [line for line in ax.get_lines() if line.get_label() == "exactly 0"]
    assert len(crosses.get_xdata()) == 3
    assert "3 of 12 exactly 0" in ax.get_title()


def test_weight_bars_without_zeros_have_no_crosses(rng):
    ax = lo.plots.plot_weight_magnitudes(rng.normal(size=(2, 2)) + 5)
    assert not ax.get_lines()
    assert "0 of 4" in ax.get_title()


def test_plot_penalties_draws_lossopts_penalty_and_gradient():
    ax_R, ax_dR = lo.plots.plot_penalties(w_max=2.0, penalties=("l2", "l1"))
    l2_R, l1_R = ax_R.get_lines()[:2]
    w = l2_R.get_xdata()
    np.testing.assert_allclose(l2_R.get_ydata(), w**2)
    np.testing.assert_allclose(l1_R.get_ydata(), np.abs(w))
    lines = ax_dR.get_lines()
    # l2: two smooth halves of 2w, no markers at 0; l1: -1 then +1, open circles at the jump, lossopt's 0 at 0.
    np.testing.assert_allclose(lines[0].get_ydata(), 2 * lines[0].get_xdata())
    np.testing.assert_allclose(lines[1].get_ydata(), 2 * lines[1].get_xdata())
    np.testing.assert_array_equal(lines[2].get_ydata(), -1.0)
    np.testing.assert_array_equal(lines[3].get_ydata(), 1.0)
    np.testing.assert_array_equal(lines[4].get_ydata(), [-1.0, 1.0])  # the one-sided limits
    np.testing.assert_array_equal(lines[5].get_ydata(), lo.regularization([[0.0]], "l1")[1][0])  # sign(0)
    assert lines[4].get_xdata().tolist() == [0, 0]
    assert len(lines) == 7  # 2 + 2 halves, the 2 markers of l1's jump (none for l2), the w = 0 guide


# ----------------------------------------------------------------------------
# The explorer (lossopt.fit_proximal itself is tested in tests/test_optim.py)
# ----------------------------------------------------------------------------


@pytest.mark.parametrize(("reg", "penalty"), [(1e-3, "l2"), (0.1, "l1"), (1.0, "l1"), (0.1, "elastic")])
def test_lambda_explorer_shows_what_lossopt_computes(data, reg, penalty):
    X, y, points, is_outlier = data
    explorer = lo.widgets.LambdaExplorer()
    with explorer.hold():
        explorer.controls["reg"].value = reg
        explorer.controls["penalty"].value = penalty
    reg = explorer.controls["reg"].value  # as the slider holds it
    W = fit_proximal(X, y, reg, penalty)
    regions, weights = explorer.figure.axes

    # Left: the predicted class of every pixel, and the ringed outliers.
    (image,) = regions.get_images()
    xx, _, grid = lo.plots.grid_over(points, resolution=100)
    expected = (lo.datasets.add_bias(grid) @ W).argmax(axis=1).reshape(xx.shape)
    np.testing.assert_array_equal(image.get_array(), expected)
    rings = [c for c in regions.collections if c.get_label() == "outlier"]
    np.testing.assert_allclose(rings[0].get_offsets(), points[is_outlier])

    # Right: the bars are |W|.
    for c, container in enumerate(weights.containers):
        np.testing.assert_allclose([bar.get_height() for bar in container], np.abs(W[:, c]))

    # Readout: losses by linear_loss, accuracies, exact zeros.
    data_loss = lo.linear_loss(W, X, y)[0]
    total = lo.linear_loss(W, X, y, reg, penalty=penalty)[0]
    assert f"data loss {data_loss:.3f} + reg loss {total - data_loss:.3f} = total {total:.3f}" in explorer.text
    train_accuracy = np.mean((X @ W).argmax(axis=1) == y)
    val_accuracy = np.mean((explorer.X_val @ W).argmax(axis=1) == explorer.y_val)
    assert f"training {train_accuracy:.3f}" in explorer.text
    assert f"validation {val_accuracy:.3f}" in explorer.text
    zeros = int((W == 0).sum())
    assert f"weights exactly 0: {zeros} of 9" in explorer.text
    assert (zeros > 0) == (penalty != "l2" and reg >= 0.1)


def test_lambda_explorer_more_regularization_generalizes_better_until_l1_zeroes_everything():
    explorer = lo.widgets.LambdaExplorer()
    accuracy = {}
    for reg in (1e-3, 1.0, 10**0.5):
        explorer.controls["reg"].value = reg
        W = explorer.fit(explorer.controls["reg"].value, "l2")
        accuracy[reg] = np.mean((explorer.X_val @ W).argmax(axis=1) == explorer.y_val)
    assert accuracy[1e-3] < accuracy[1.0] - 0.05  # weak lambda: W chases the outliers
    explorer.controls["penalty"].value = "l1"
    assert "weights exactly 0: 9 of 9" in explorer.text  # strong L1: nothing left


def test_lambda_explorer_caches_and_has_a_log_slider():
    explorer = lo.widgets.LambdaExplorer()
    slider = explorer.controls["reg"]
    assert slider.base == 10 and slider.min == pytest.approx(-3)
    assert explorer.fit(0.1, "l1") is explorer.fit(0.1, "l1")
    before = explorer.text
    explorer.controls["penalty"].value = "l1"
    assert explorer.text != before and explorer.text.startswith("l1,")
