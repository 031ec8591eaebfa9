"""The sentences of notebook 08 (the linear-classifier demo) that say what the demo, a plot or a run shows.

Each test does what its sentence says (the same controls, values and button presses: ``play.value += 1`` is one
tick of the Play button, ``step_button.click()`` one press of step) and checks the outcome. Where the prose states
a number, the test reads it from the notebook's own markdown and checks it against the run.
"""

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import lossopt as lo
from lossopt.datasets import make_dataset

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "08_linear_classifier_demo.ipynb"
START_W = np.array([[1.0, 2.0, 3.0], [2.0, -4.0, -1.0]])
START_B = np.array([0.0, 0.5, -0.5])

# The notes' screenshot (linear-classify.md, "Interactive web demo", assets/classifydemo.jpeg), as it shows them.
NOTES_W = np.array([[2.06, 1.48], [0.44, -1.82], [2.27, -2.04]])  # row k: (W[k,0], W[k,1]) of class k
NOTES_B = np.array([-0.42, 0.52, -0.10])
NOTES_TOTALS = {"data": 0.64, "reg": 1.92, "total": 2.57}
NOTES_L = np.array([0.02, 0.44, 0.00, 0.39, 1.87, 0.00, 0.25, 0.57, 2.24])
NOTES_POINTS = np.array(
    [[0.5, 0.4], [0.8, 0.3], [0.3, 0.8], [-0.4, 0.3], [-0.3, 0.7], [-0.7, 0.2], [0.7, -0.4], [0.5, -0.6], [-0.4, -0.5]]
)
NOTES_LABELS = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])


@pytest.fixture(scope="module")
def markdown():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    return "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")


@pytest.fixture(scope="module")
def toy():
    return lo.datasets.toy_2d()


def quick_demo(**kwargs):
    """A demo whose every tick runs ``draw()`` (state, table, artists) as in the notebook, but skips the PNG encoding.

    The sentences these tests back are about parameters, losses and what the artists hold, not about pixels; the
    encoding is 95% of a tick's time (the frame path has its own tests in tests/widgets).
    """
    demo = lo.widgets.LinearClassifierDemo(**kwargs)
    demo.render = lambda: b""
    return demo


def press_play(demo, ticks):
    """What the Play button does, tick by tick: it raises its value by one, and each tick takes a step."""
    for _ in range(ticks):
        demo.play.value += 1


def misclassified(state, y):
    return int(np.sum(state.scores.argmax(axis=1) != y))


def test_the_start_rings_eight_of_nine_points(toy):
    """'rings every point whose loss is above zero' and the plot's title '8 of 9 points have SVM loss > 0'."""
    X, y = toy
    S = X @ START_W + START_B
    losses = lo.svm_scores_loss(S, y, per_example=True)[0]
    ax = lo.plots.plot_linear_classifier(START_W, START_B, X, y, losses=losses)
    ringed = next(c for c in ax.collections if c.get_label() == "loss > 0").get_offsets()
    np.testing.assert_array_equal(np.asarray(ringed), X[losses > 0])
    assert np.sum(losses > 0) == 8
    # 'an arrow along w_k for each class (the longest arrow has a fixed length, the others are in proportion)'
    arrows = next(c for c in ax.collections if hasattr(c, "U"))
    lengths = np.hypot(arrows.U, arrows.V)
    norms = np.linalg.norm(START_W, axis=0)  # |w_k|
    np.testing.assert_allclose(lengths / lengths.max(), norms / norms.max())
    np.testing.assert_allclose(
        np.c_[arrows.U, arrows.V] / lengths[:, None], (START_W / np.linalg.norm(START_W, axis=0)).T
    )
    demo = quick_demo()
    assert "9 points, 8 with loss > 0" in demo.text


def test_the_demo_starts_where_the_notebook_says(markdown):
    """'Our demo starts from w0 = (1, 2), w1 = (2, -4), w2 = (3, -1) and b = (0, 0.5, -0.5)'; reset goes back there."""
    assert "w0 = (1, 2), w1 = (2, −4), w2 = (3, −1) and b = (0, 0.5, −0.5)" in markdown
    demo = quick_demo()
    np.testing.assert_array_equal(demo.W, START_W)
    np.testing.assert_array_equal(demo.b, START_B)
    demo.randomize_button.click()
    assert not np.array_equal(demo.W, START_W)
    demo.reset_button.click()
    np.testing.assert_array_equal(demo.W, START_W)
    np.testing.assert_array_equal(demo.b, START_B)
    assert demo.steps == 0


def test_the_losses_at_the_start_and_their_order(toy):
    """'reg loss 3.5 at the start'; 'the one-vs-all SVM is the largest'; 'the structured SVM is never above the
    Weston-Watkins one'."""
    y = toy[1]
    demo = quick_demo()
    totals = {}
    for loss in lo.SCORE_LOSSES:
        demo.controls["loss"].value = loss
        totals[loss] = demo.state.data_loss
        assert demo.state.reg_loss == pytest.approx(3.5)
    assert max(totals, key=totals.get) == "ova_svm"
    rng = np.random.default_rng(0)
    for _ in range(200):  # the "never above" on random scores, not only at the start
        S = rng.normal(scale=3.0, size=(9, 3))
        structured = lo.structured_svm_scores_loss(S, y, per_example=True)[0]
        weston_watkins = lo.svm_scores_loss(S, y, per_example=True)[0]
        assert np.all(structured <= weston_watkins + 1e-12)


def test_the_notes_screenshot_is_reproduced(toy):
    """'The screenshot shows the demo ... on the same nine points. Its grid holds W[k,0], W[k,1] and b[k] in row k:
    the transpose of our W'; with those parameters (L2 strength 0.10) the Weston-Watkins SVM gives its numbers: data
    loss and total to the digit, the rest within the printed largest difference (0.014); 'With the biases penalized
    too, the regularization loss would be larger than the screenshot's' (1.97)."""
    X, y = toy
    np.testing.assert_array_equal(X, NOTES_POINTS)
    np.testing.assert_array_equal(y, NOTES_LABELS)
    state = lo.classifier_loss(NOTES_W.T, NOTES_B, X, y, loss="svm", reg=0.1)
    assert f"{state.data_loss:.2f}" == "0.64"
    assert f"{state.total:.2f}" == "2.57"
    gaps = np.abs(np.r_[state.data_loss, state.reg_loss, state.total, state.losses] - np.r_[0.64, 1.92, 2.57, NOTES_L])
    assert round(float(gaps.max()), 3) == 0.014
    assert np.sum(np.round(state.losses, 2) != NOTES_L) == 3
    with_biases = state.reg_loss + 0.1 * np.sum(NOTES_B**2)
    assert f"{with_biases:.2f}" == "1.97"  # outside what rounding can explain: the screenshot penalizes W only
    # The other layout (the screenshot's rows as our rows) does not give the screenshot's losses.
    other = lo.classifier_loss(NOTES_W.reshape(2, 3), NOTES_B, X, y, loss="svm", reg=0.1)
    assert abs(other.data_loss - 0.64) > 0.1


def test_parameters_that_round_to_the_screenshots_give_every_number_exactly(toy):
    """'parameters that round to the ones shown give every one of its numbers exactly' (the 12 losses shown)."""
    X, y = toy
    rng = np.random.default_rng(0)
    n = 100_000
    theta = np.r_[NOTES_W.ravel(), NOTES_B] + rng.uniform(-0.005, 0.005, size=(n, 9))  # all round to the shown
    W = theta[:, :6].reshape(n, 3, 2).transpose(0, 2, 1)  # (n, D, C): our layout
    b = theta[:, 6:]
    found = None
    for i in range(n):
        state = lo.classifier_loss(W[i], b[i], X, y, loss="svm", reg=0.1)
        if (
            np.array_equal(np.round(state.losses, 2), NOTES_L)
            and round(state.data_loss, 2) == 0.64
            and round(state.reg_loss, 2) == 1.92
            and round(state.total, 2) == 2.57
        ):
            found = i
            break
    assert found is not None
    assert np.all(np.abs(theta[found] - np.r_[NOTES_W.ravel(), NOTES_B]) <= 0.005)


def test_the_controls_are_as_listed(markdown):
    """The control list: steps of 0.1, L2 strength 0.01 to 100 and step size 0.0005 to 5 (log scales), Play up to
    ten steps a second (stop takes no step), randomize seeded (the same sequence every run), the four losses, the
    three data sets."""
    demo = quick_demo()
    reg, lr = demo.controls["reg"], demo.controls["lr"]
    assert 10**reg.min == pytest.approx(0.01, rel=0.3) and 10**reg.max == pytest.approx(100)
    assert 10**lr.min == pytest.approx(5e-4, rel=0.3) and 10**lr.max == pytest.approx(5)
    assert demo.play.interval == 100  # ms between ticks: at most ten a second
    before = demo.theta
    demo.nudge_buttons["W[1,2]", 1].click()
    assert demo.theta[1, 2] == pytest.approx(before[1, 2] + 0.1)
    assert np.count_nonzero(demo.theta - before) == 1
    assert demo._entry_labels["W[1,2]"].value.startswith("W[1,2] = -0.90   grad")  # its value and its gradient
    # 'The grid lists one class per column: W[0,k] and W[1,k] are w_k, then b[k].'
    grid = next(child for child in demo.widget.children if child.layout.grid_template_columns)
    assert grid.layout.grid_template_columns == "repeat(3, max-content)"
    names = [cell.children[-1].value.split(" =")[0] for cell in grid.children]
    for k in range(3):
        assert names[k::3] == [f"W[0,{k}]", f"W[1,{k}]", f"b[{k}]"]
    other = quick_demo()
    demo.randomize_button.click()
    other.randomize_button.click()
    np.testing.assert_array_equal(demo.W, other.W)
    assert {key for _, key in demo.controls["loss"].options} == set(lo.SCORE_LOSSES)
    assert set(demo.controls["dataset"].options) == {"nine points", "blobs", "spiral"}
    press_play(demo, 3)
    assert demo.steps == 3 and "steps 3" in demo.text
    demo.play.value = 0  # the stop button (■) sets Play's value back to its minimum
    assert demo.steps == 3  # 'stop it (■, which takes no step)'


def test_the_landscape_path_is_white_and_follows_the_parameters():
    """'the path the parameters took drawn in white', over the two chosen parameters."""
    demo = quick_demo()
    with demo.hold():
        demo.controls["p1"].value, demo.controls["p2"].value = "W[0,1]", "b[2]"
    press_play(demo, 5)
    path = demo.landscape.path
    assert path.get_color() == "white"
    xs, ys = path.get_data()
    assert len(xs) == 6  # the start and five steps
    assert xs[-1] == pytest.approx(demo.W[0, 1]) and ys[-1] == pytest.approx(demo.b[2])


def test_play_puts_every_point_in_its_region_but_the_loss_flattens_above_zero(markdown, toy):
    """'Press ▶ ...: From step 79 on, every point lies in the region of its own class. The loss then flattens above
    zero, and 7 of the 9 points keep a loss above zero' (and the notebook's cell prints 0.66 after 300 steps)."""
    y = toy[1]
    first = int(re.search(r"From step (\d+) on, every point lies in the region of its own class", markdown)[1])
    demo = quick_demo()
    press_play(demo, first - 1)
    assert misclassified(demo.state, y) > 0
    press_play(demo, 1)
    totals = []
    for _ in range(300 - first):
        assert misclassified(demo.state, y) == 0
        totals.append(demo.state.total)
        press_play(demo, 1)
    assert demo.steps == 300
    assert f"{demo.state.total:.2f}" == "0.66"
    assert np.ptp(totals[-100:]) < 0.01  # flat
    assert int(np.sum(demo.state.losses > 0)) == 7
    assert "7 of the 9 points keep a loss above zero" in markdown


def test_more_l2_shrinks_w_and_misclassifies_a_point(toy):
    """'Pause, raise the L2 strength to 1 and press ▶ again: W shrinks, and a point ends up in another class's
    region' (after the 300 steps above; the notebook's cell takes 300 more, as here)."""
    y = toy[1]
    demo = quick_demo()
    demo.step(300)  # the 300 Play ticks above (test_the_notebooks_training_cell_is_the_demos_training)
    before = float(np.sum(demo.W**2))
    demo.controls["reg"].value = 1.0
    counts = []
    for _ in range(300):
        press_play(demo, 1)
        counts.append(misclassified(demo.state, y))
    assert float(np.sum(demo.W**2)) < before / 5
    assert min(counts[-250:]) >= 1  # from early on, and to the end


def test_the_notebooks_training_cell_is_the_demos_training(toy):
    """'The same steps in code': the notebook's loop (lo.classifier_loss, W -= lr dW) and the demo's Play agree."""
    X, y = toy
    W, b = START_W.copy(), START_B.copy()
    for _ in range(50):
        state = lo.classifier_loss(W, b, X, y, loss="svm", reg=0.1)
        W, b = W - 0.1 * state.dW, b - 0.1 * state.db
    demo = quick_demo()
    press_play(demo, 50)
    np.testing.assert_allclose(demo.W, W, rtol=1e-12)
    np.testing.assert_allclose(demo.b, b, rtol=1e-12, atol=1e-15)
    at_once = quick_demo()
    at_once.step(50)  # demo.step(n), which the tests use for many ticks at once, takes the same steps
    assert at_once.steps == 50
    np.testing.assert_allclose(at_once.W, W, rtol=1e-12)
    np.testing.assert_allclose(at_once.b, b, rtol=1e-12, atol=1e-15)


def test_the_chain_rule_gradients_are_the_demos(toy):
    """'the chain rule gives dL/dW = X^T dS + 2 · reg · W and dL/db = Σ_i dS_i' (dS from the score-level loss), for
    each of the four losses, at the start and at random parameters."""
    X, y = toy
    rng = np.random.default_rng(0)
    for W, b in [(START_W, START_B)] + [(rng.normal(size=(2, 3)), rng.normal(size=3)) for _ in range(5)]:
        for name, score_loss in lo.SCORE_LOSSES.items():
            _, dS = score_loss(X @ W + b, y)
            state = lo.classifier_loss(W, b, X, y, loss=name, reg=0.1)
            np.testing.assert_allclose(state.dW, X.T @ dS + 2 * 0.1 * W, atol=1e-12)
            np.testing.assert_allclose(state.db, dS.sum(axis=0), atol=1e-12)


def test_the_spiral_stays_about_half_right():
    """'a second demo on a spiral of 90 points takes 300 steps with the softmax loss. The loss flattens well above
    zero and about half of the points stay in another class's region'."""
    demo = quick_demo(dataset="spiral", loss="softmax", lr=0.5, reg=0.01)
    demo.step(300)
    assert len(demo.y) == 90
    accuracy = float(np.mean(demo.state.scores.argmax(axis=1) == demo.y))
    assert 0.4 <= accuracy <= 0.6
    totals = [total for total, _ in demo.history]
    assert demo.state.total > 0.5
    assert abs(totals[-1] - totals[-50]) < 0.01  # flat


@pytest.mark.parametrize("loss", sorted(lo.SCORE_LOSSES))
def test_no_loss_step_size_or_seed_gets_the_spiral_far_past_half(loss):
    """'Try the other losses, step sizes and data seeds: none gets far past half.' (300 steps, as the cell.)"""
    for seed in (0, 1, 2):
        X, y = make_dataset("spiral", 30, seed, 0)
        for lr in (0.05, 0.5, 2.0):
            W, b = START_W.copy(), START_B.copy()
            for _ in range(300):
                state = lo.classifier_loss(W, b, X, y, loss=loss, reg=0.01, per_point=False)
                W, b = W - lr * state.dW, b - lr * state.db
            accuracy = np.mean((X @ W + b).argmax(axis=1) == y)
            assert accuracy < 0.6, (loss, seed, lr, accuracy)


@pytest.mark.parametrize("spiral_first", [False, True])
def test_blobs_end_with_every_point_in_its_region(spiral_first):
    """'Switch the data to blobs and press ▶: there every point ends in its own region.' In a fresh demo, and in the
    spiral demo of the cell above after its 300 steps (where a reader who follows the sentence switches)."""
    if spiral_first:
        demo = quick_demo(dataset="spiral", loss="softmax", lr=0.5, reg=0.01)
        demo.step(300)
    else:
        demo = quick_demo()
    demo.controls["dataset"].value = "blobs"
    press_play(demo, 100)
    assert misclassified(demo.state, demo.y) == 0


def test_the_data_controls_do_what_the_list_says():
    """'data: the nine points, Gaussian blobs or a spiral. For blobs and the spiral, points/class (3 to 100) sets how
    many points each class has, and data seed draws another set. points ± adds that many random points with random
    labels (positive) or removes that many at random (negative)'."""
    demo = quick_demo()
    c = demo.controls
    assert c["dataset"].description == "data" and c["n_per_class"].description == "points/class"
    assert c["data_seed"].description == "data seed" and c["extra"].description == "points ±"
    assert (c["n_per_class"].min, c["n_per_class"].max) == (3, 100)
    assert len(demo.y) == 9 and c["n_per_class"].disabled  # nine points: points/class does not apply
    for name in ("blobs", "spiral"):
        c["dataset"].value = name
        assert not c["n_per_class"].disabled
        c["n_per_class"].value = 10
        assert len(demo.y) == 30 and np.bincount(demo.y).tolist() == [10, 10, 10]
        before = demo.X.copy()
        c["data_seed"].value = 1
        assert demo.X.shape == before.shape and not np.array_equal(demo.X, before)
        c["data_seed"].value = 0
        np.testing.assert_array_equal(demo.X, before)
        c["extra"].value = 4
        assert len(demo.y) == 34
        np.testing.assert_array_equal(demo.X[:30], before)  # the old points stay; four are added
        c["extra"].value = -4
        assert len(demo.y) == 26
        assert all(any(np.array_equal(x, old) for old in before) for x in demo.X)  # only removed, none moved
        c["extra"].value = 0


def test_try_this_lower_l2_more_margins_met_but_softmax_never_zero():
    """Try this: 'Press reset, lower the L2 strength to 0.01 and press ▶ until the step counter passes 300. How many
    points keep a loss above zero now? Press reset, choose softmax and do the same: why does every softmax L stay
    above zero?'"""
    demo = quick_demo()
    demo.reset_button.click()
    demo.controls["reg"].value = 0.01
    demo.step(300)  # Play's first 300 ticks, taken at once (the same steps: see the training-cell test)
    press_play(demo, 1)
    svm_above_zero = int(np.sum(demo.state.losses > 0))
    assert svm_above_zero < 7  # fewer than the 7 at L2 strength 0.1
    demo.reset_button.click()
    demo.controls["loss"].value = "softmax"
    demo.step(300)  # Play's first 300 ticks, taken at once (the same steps: see the training-cell test)
    press_play(demo, 1)
    assert demo.steps == 301
    assert np.all(demo.state.losses > 0)


def test_try_this_a_huge_step_flips_w_then_the_second_is_refused():
    """Try this: 'Set the step size to 5 and the L2 strength to 100, then press step twice. What did the first step
    do to W (compute 1 − 2 · lr · reg)? Why does the demo refuse the second?'"""
    demo = quick_demo()
    demo.controls["lr"].value = 5.0
    demo.controls["reg"].value = 100.0
    W0 = demo.W.copy()
    demo.step_button.click()
    assert demo.steps == 1 and "refused" not in demo.text
    np.testing.assert_allclose(demo.W / W0, 1 - 2 * 5.0 * 100.0, rtol=5e-3)  # W -> about -999 W
    demo.step_button.click()
    assert demo.steps == 1
    assert "step refused" in demo.text
    assert np.all(demo.W / W0 < -900)  # the refused step left W where the first put it


def test_try_this_a_strong_penalty_makes_the_loss_flat_along_a_bias():
    """Try this: 'Choose the landscape axes W[0,0] and b[0] and set the L2 strength to 100: the loss hardly changes
    along b[0].'"""
    demo = quick_demo()
    demo.controls["p1"].value = "W[0,0]"
    demo.controls["p2"].value = "b[0]"
    demo.controls["reg"].value = 100.0
    Z = np.asarray(demo.landscape.image.get_array())  # rows along b[0], columns along W[0,0]
    along_bias = np.ptp(Z, axis=0).max()  # the most the loss changes along b[0], in any column
    along_weight = np.ptp(Z, axis=1).min()  # the least it changes along W[0,0], in any row
    assert along_bias < 0.01 * along_weight
    demo.controls["reg"].value = 0.1  # at the default strength it is not so
    Z = np.asarray(demo.landscape.image.get_array())
    assert np.ptp(Z, axis=0).max() > 0.1 * np.ptp(Z, axis=1).min()
