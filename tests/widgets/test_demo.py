"""The linear-classifier demo (lossopt.widgets.demo), driven headlessly.

Every number the demo shows is checked against lossopt computed directly:
the score-level loss of ``X @ W + b``, the chain rule to W and b, and the
L2 penalty of the weights only (as the web demo's screenshot in the course notes shows).
"""

import base64

import numpy as np
import pytest

import lossopt as lo
from lossopt import classifier_loss
from lossopt.widgets.demo import PARAMETERS, START_B, START_W, LinearClassifierDemo

from ._pictures import pixels

SCORE_LEVEL = {
    "svm": lo.svm_scores_loss,
    "ova_svm": lo.ova_svm_scores_loss,
    "structured_svm": lo.structured_svm_scores_loss,
    "softmax": lo.softmax_scores_loss,
}


@pytest.fixture(scope="module")
def demo():
    """One demo for the tests that only read it (building one costs a full render)."""
    return LinearClassifierDemo()


@pytest.fixture
def fresh():
    """A demo of its own, for the tests that change it."""
    return LinearClassifierDemo()


def direct(W, b, X, y, loss, reg):
    """What lossopt computes without the demo: data loss, reg loss, dW, db."""
    W, b = np.asarray(W, float), np.asarray(b, float)
    data_loss, dS = SCORE_LEVEL[loss](X @ W + b, y)
    R, dR = lo.regularization(W)  # weights only: b is not penalized
    return data_loss, reg * R, X.T @ dS + reg * dR, dS.sum(axis=0)


def test_it_starts_where_the_web_demo_starts(demo):
    np.testing.assert_array_equal(demo.W, [[1, 2, 3], [2, -4, -1]])
    np.testing.assert_array_equal(demo.b, [0, 0.5, -0.5])
    X, y = lo.datasets.toy_2d()
    np.testing.assert_array_equal(demo.X, X)
    np.testing.assert_array_equal(demo.y, y)
    assert demo.controls["loss"].value == "svm"
    assert demo.controls["reg"].value == pytest.approx(0.1)
    assert demo.controls["lr"].value == pytest.approx(0.1)
    # the sliders' ranges: L2 about 1e-2..1e2, step size about 5e-4..5, both on a log scale
    assert 10 ** demo.controls["reg"].min == pytest.approx(1e-2) and 10 ** demo.controls["reg"].max == pytest.approx(
        1e2
    )
    assert 10 ** demo.controls["lr"].min == pytest.approx(5e-4, rel=0.03)  # on the grid of 0.1
    assert 10 ** demo.controls["lr"].max == pytest.approx(5)


@pytest.mark.parametrize("loss", list(SCORE_LEVEL))
@pytest.mark.parametrize("reg", [0.1, 3.0])
def test_starting_losses_and_gradients_are_lossopts(fresh, loss, reg):
    demo = fresh
    with demo.hold():
        demo.controls["loss"].value = loss
        demo.controls["reg"].value = reg
    data_loss, reg_loss, dW, db = direct(START_W, START_B, demo.X, demo.y, loss, reg)
    state = demo.state
    assert state.data_loss == pytest.approx(data_loss, rel=1e-12)
    assert state.reg_loss == pytest.approx(reg_loss, rel=1e-12)
    assert state.total == pytest.approx(data_loss + reg_loss, rel=1e-12)
    np.testing.assert_allclose(state.dW, dW, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(state.db, db, rtol=1e-12, atol=1e-15)
    # the readout says the same numbers
    assert f"data loss {data_loss:.4f} + reg loss {reg_loss:.4f}" in demo.text
    assert f"total {data_loss + reg_loss:.4f}" in demo.text
    # each entry's label shows its gradient
    label = demo._entry_labels["W[1,2]"].value
    assert f"grad {dW[1, 2]:+.3f}" in label
    assert f"grad {db[0]:+.3f}" in demo._entry_labels["b[0]"].value


def test_the_reg_loss_of_the_start_is_over_the_weights_only(demo):
    assert demo.controls["reg"].value == pytest.approx(0.1)
    # 0.1 * (1 + 4 + 9 + 4 + 16 + 1): the biases 0.5 and -0.5 do not count
    assert demo.state.reg_loss == pytest.approx(3.5)


@pytest.mark.parametrize("loss", list(SCORE_LEVEL))
def test_the_gradient_is_the_numerical_gradient(demo, loss):
    """2 * reg * W from the penalty reg * sum(W**2), not a wrong factor such as 0.5 * reg * W."""
    X, y = demo.X, demo.y
    theta = np.vstack([START_W, START_B]).astype(float)

    def total(t):
        return classifier_loss(t[:2], t[2], X, y, loss=loss, reg=0.7).total

    state = classifier_loss(theta[:2], theta[2], X, y, loss=loss, reg=0.7)
    numerical = lo.numerical_gradient(total, theta)
    np.testing.assert_allclose(np.vstack([state.dW, state.db]), numerical, atol=1e-6)


def test_the_table_lists_every_point_with_its_scores_and_loss(demo):
    assert demo.controls["loss"].value == "svm"
    S = demo.X @ np.array(START_W) + START_B
    lines = demo.text.splitlines()
    rows = lines[3:12]
    assert len(rows) == 9
    for i, row in enumerate(rows):
        own_loss = lo.svm_scores_loss(S[i : i + 1], demo.y[i : i + 1])[0]
        numbers = [float(v) for v in row.split()[:7]]
        np.testing.assert_allclose(numbers, [*demo.X[i], demo.y[i], *S[i], own_loss], atol=5e-4)
        assert row.endswith("loss > 0") == (own_loss > 0)
    # the nine losses are what the mean is made of
    assert np.mean(demo.state.losses) == pytest.approx(demo.state.data_loss)


def test_the_plane_shows_the_classifier(demo):
    W, b = np.array(START_W, float), np.array(START_B)
    plane = demo.plane
    # each dashed line is its class's zero-score line
    for k, line in enumerate(plane.lines):
        xs, ys = line.get_data()
        np.testing.assert_allclose(W[0, k] * np.asarray(xs) + W[1, k] * np.asarray(ys) + b[k], 0, atol=1e-9)
    # each arrow points along its class's weight vector
    U, V = plane.arrows.U, plane.arrows.V
    for k in range(3):
        assert U[k] * W[1, k] - V[k] * W[0, k] == pytest.approx(0, abs=1e-9)
        assert U[k] * W[0, k] + V[k] * W[1, k] > 0
    # the colours are the predicted classes
    xx, _, grid = lo.plots.grid_over(demo.X, resolution=plane._xx.shape[0])
    np.testing.assert_array_equal(plane.regions.get_array(), (grid @ W + b).argmax(axis=1).reshape(xx.shape))
    # the ringed points are those with loss > 0
    np.testing.assert_array_equal(plane.rings.get_offsets(), demo.X[demo.state.losses > 0])


def test_a_step_moves_the_parameters_by_minus_lr_times_the_gradient(fresh):
    fresh.controls["lr"].value = 0.05
    fresh.controls["loss"].value = "softmax"
    _, _, dW, db = direct(START_W, START_B, fresh.X, fresh.y, "softmax", 0.1)
    fresh.step_button.click()
    np.testing.assert_allclose(fresh.W, np.array(START_W) - 0.05 * dW, rtol=1e-12)
    np.testing.assert_allclose(fresh.b, np.array(START_B) - 0.05 * db, rtol=1e-12)
    assert fresh.steps == 1
    # the history grew by one, with the new total loss
    assert len(fresh.history) == 2
    assert fresh.history[-1][0] == pytest.approx(fresh.state.total)
    np.testing.assert_allclose(fresh.figure.axes[2].lines[0].get_ydata(), [h[0] for h in fresh.history])


def test_many_steps_at_once_are_as_many_single_steps(fresh):
    one_by_one = LinearClassifierDemo()
    fresh.step(5)
    for _ in range(5):
        one_by_one.step_button.click()
    np.testing.assert_allclose(fresh.theta, one_by_one.theta, rtol=1e-12)
    np.testing.assert_allclose(fresh.history, one_by_one.history, rtol=1e-12)
    assert fresh.steps == 5 and len(fresh.path) == len(fresh.history) == 6


def test_play_ticks_step_and_its_reset_does_not(fresh):
    start = fresh.theta
    fresh.play.value = 1
    fresh.play.value = 2
    assert fresh.steps == 2
    assert not np.allclose(fresh.theta, start)
    after = fresh.theta
    fresh.play.value = 0  # what Play's stop button does
    assert fresh.steps == 2
    np.testing.assert_array_equal(fresh.theta, after)
    assert fresh.play.interval == 100  # about ten steps a second


def test_many_steps_lower_the_loss_and_the_path_follows(fresh):
    first = fresh.state.total
    for _ in range(20):
        fresh.step()
    assert fresh.state.total < first
    assert len(fresh.path) == 21
    x, y = fresh.landscape.path.get_data()
    np.testing.assert_allclose(x, [theta[0, 0] for theta in fresh.path])  # landscape x is W[0,0]
    np.testing.assert_allclose(y, [theta[1, 0] for theta in fresh.path])  # landscape y is W[1,0]


def test_a_diverging_step_is_refused(fresh):
    with fresh.hold():
        fresh.controls["reg"].value = 100.0
        fresh.controls["lr"].value = 5.0  # W <- W (1 - 2 * 100 * 5): it grows a thousandfold a step
    for _ in range(4):
        fresh.step()
    assert np.isfinite(fresh.W).all() and np.abs(fresh.W).max() <= 1e6
    assert "refused" in fresh.text


def test_randomize_is_reproducible_with_its_seed():
    one, two, other = LinearClassifierDemo(seed=3), LinearClassifierDemo(seed=3), LinearClassifierDemo(seed=4)
    for demo in (one, two, other):
        demo.randomize_button.click()
    np.testing.assert_array_equal(one.theta, two.theta)
    assert not np.allclose(one.theta, other.theta)
    assert not np.allclose(one.theta, np.vstack([START_W, START_B]))
    first = one.theta
    one.randomize_button.click()
    assert not np.allclose(one.theta, first)  # the next draw, not the same one
    assert one.steps == 0 and len(one.path) == 1
    one.reset_button.click()
    np.testing.assert_array_equal(one.theta, np.vstack([START_W, START_B]))


def test_every_nudge_button_moves_its_entry_by_a_tenth(fresh):
    assert len(fresh.nudge_buttons) == 2 * len(PARAMETERS) == 18
    for (name, sign), button in fresh.nudge_buttons.items():
        before = fresh.theta
        button.click()
        change = fresh.theta - before
        index = fresh._index(name)
        assert change[index] == pytest.approx(sign * 0.1)
        change[index] = 0
        assert not change.any(), f"{name} moved other entries"
        assert f"{name} = {fresh.theta[index]:+.2f}" in fresh._entry_labels[name].value
    assert fresh.steps == 0  # nudges are not gradient steps


def test_the_dataset_choice(fresh):
    with fresh.hold():
        fresh.controls["dataset"].value = "spiral"
        fresh.controls["n_per_class"].value = 20
        fresh.controls["data_seed"].value = 5
    X, y = lo.datasets.spiral(20, 3, seed=5)
    np.testing.assert_array_equal(fresh.X, X)
    np.testing.assert_array_equal(fresh.y, y)
    data_loss, *_ = direct(fresh.W, fresh.b, X, y, "svm", 0.1)
    assert fresh.state.data_loss == pytest.approx(data_loss)
    assert "the nine of 60 points with the largest loss" in fresh.text
    assert len(fresh.text.splitlines()) <= 14  # fits the fixed-height readout

    fresh.controls["dataset"].value = "blobs"
    np.testing.assert_array_equal(fresh.X, lo.datasets.blobs(20, 3, seed=5)[0])
    # the plane shows these points, and only these
    shown = [c.get_offsets() for c in fresh.plane.ax.collections if c.get_label().startswith("class")]
    assert len(shown) == 3
    np.testing.assert_array_equal(np.vstack(shown), np.vstack([fresh.X[fresh.y == k] for k in range(3)]))

    fresh.controls["dataset"].value = "nine points"
    assert fresh.controls["n_per_class"].disabled
    fresh.controls["extra"].value = 2
    assert len(fresh.y) == 11
    np.testing.assert_array_equal(fresh.X[:9], lo.datasets.toy_2d()[0])
    added = fresh.X[9:]
    fresh.controls["extra"].value = 3  # one more point, the first two unchanged
    np.testing.assert_array_equal(fresh.X[9:11], added)
    fresh.controls["extra"].value = -4
    assert len(fresh.y) == 5
    # the same seed removes the same points
    removed_once = fresh.X.copy()
    fresh.controls["extra"].value = 0
    fresh.controls["extra"].value = -4
    np.testing.assert_array_equal(fresh.X, removed_once)


def test_the_landscape_is_the_total_loss_around_the_current_point(fresh):
    with fresh.hold():
        fresh.controls["loss"].value = "softmax"
        fresh.controls["reg"].value = 0.5
        fresh.controls["p1"].value = "W[1,2]"
        fresh.controls["p2"].value = "b[1]"  # a bias: no penalty along it
    image = fresh.landscape.image
    Z = image.get_array()  # rows: b[1], columns: W[1,2]
    left, right, bottom, top = image.get_extent()
    n = Z.shape[0]
    values1, values2 = np.linspace(left, right, n), np.linspace(bottom, top, n)
    for i, j in [(n // 2, n // 2), (0, n - 1), (3, 1)]:
        theta = fresh.theta
        theta[1, 2], theta[2, 1] = values1[j], values2[i]
        expected = classifier_loss(theta[:2], theta[2], fresh.X, fresh.y, loss="softmax", reg=0.5).total
        assert Z[i, j] == pytest.approx(expected, rel=1e-10)
    # the path starts at the centre of the box: there the landscape is the demo's own total
    assert Z[n // 2, n // 2] == pytest.approx(fresh.state.total, rel=1e-10)
    assert fresh.landscape.point.get_data()[0][0] == pytest.approx(fresh.W[1, 2])


def test_it_displays_as_a_picture_where_no_widget_manager_runs(demo):
    bundle = demo._repr_mimebundle_()
    assert pixels(base64.b64decode(bundle["image/png"])).shape == (round(3.8 * 80), 11 * 80, 3)
    assert "data loss" in bundle["text/plain"]
