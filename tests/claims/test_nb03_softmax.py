"""The sentences of notebooks/03_softmax.ipynb that say what a plot, an explorer or a run shows, and its "Try this".

Each test names in its docstring the sentence it backs, does what the sentence says (same scores, same slider
values) and checks the outcome against lossopt's losses.
"""

import re
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import lossopt as lo
from tests.test_notebook_solutions import collect, run_solution

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "03_softmax.ipynb"
CAT = np.array([3.2, 5.1, -1.7])  # the lecture's cat image: cat, car, frog
NOTES = [1.0, -2.0, 0.0]  # the notes' scores of the temperature section


def softmax_loss_of(scores, label):
    return float(lo.softmax_scores_loss(np.asarray(scores, dtype=float)[np.newaxis], [label])[0])


def readout(explorer):
    """Probabilities and loss as the SoftmaxScaleExplorer's readout prints them."""
    text = explorer.text
    probabilities = [float(v) for v in re.search(r"probabilities\s+\[([^\]]*)\]", text).group(1).split(",")]
    loss = float(re.search(r"loss\s+-ln p\[correct\] = ([-\d.]+)", text).group(1))
    return probabilities, loss


def loss_curve(explorer):
    """The right panel's curve (x, y): the loss of the correct class against the scale."""
    ax = explorer.figure.axes[2]
    (line,) = [line for line in ax.lines if line.get_label() == "-ln p[correct]"]
    return np.asarray(line.get_xdata()), np.asarray(line.get_ydata())


def now_dot(explorer):
    ax = explorer.figure.axes[2]
    (dot,) = [line for line in ax.lines if line.get_label() == "now"]
    return float(dot.get_xdata()[0]), float(dot.get_ydata()[0])


# ----------------------------------------------------------------------------
# the chain of the cat image
# ----------------------------------------------------------------------------


def test_chain_picture_shows_scores_exponentials_probabilities_correct_outlined():
    """ "The chain as a picture (the correct class is outlined)": scores, their exponentials, the probabilities."""
    axes = lo.plots.plot_softmax_chain(CAT, 0, class_names=("cat", "car", "frog"))
    p = lo.softmax_probabilities([CAT])[0]
    for ax, expected in zip(axes, [CAT, np.exp(CAT), p], strict=True):
        bars = ax.containers[0]
        np.testing.assert_allclose([bar.get_height() for bar in bars], expected)
        widths = [bar.get_linewidth() for bar in bars]
        assert widths[0] > 0 and widths[1] == widths[2] == 0  # only the correct class (cat) is outlined
    assert "2.04" in axes[2].get_title()


def test_base_10_loss_and_its_gradient_are_the_natural_ones_divided_by_ln_10():
    """ "The two differ by the factor ln 10 = 2.30", and of the gradient p - onehot(y): "(In base 10 it would be
    divided by 2.30.)" """
    S = CAT[np.newaxis]
    loss, dS = lo.softmax_scores_loss(S, [0])
    p = lo.softmax_probabilities(S)
    np.testing.assert_allclose(dS, p - np.array([[1.0, 0.0, 0.0]]))

    def log10_loss(scores):
        return float(-np.log10(lo.softmax_probabilities(scores)[0, 0]))

    numeric = lo.numerical_gradient(log10_loss, S.copy())
    np.testing.assert_allclose(numeric, dS / np.log(10), rtol=1e-6)
    assert round(np.log(10), 2) == 2.30
    assert np.isclose(log10_loss(S), float(loss) / np.log(10))


# ----------------------------------------------------------------------------
# why minus the log
# ----------------------------------------------------------------------------


def test_mean_negative_log_likelihood_is_the_softmax_data_loss():
    """ "Take the log ..., put a minus in front ..., divide by N: that is the softmax loss. ... The cell checks this on
    the lecture's three images": -ln(product of the p_{y_i}) / N is the softmax data loss, so the W of largest
    likelihood is the W of smallest loss; and a product of many probabilities underflows to 0."""
    S, y, _ = lo.datasets.worked_example()
    p_correct = lo.softmax_probabilities(S)[np.arange(3), y]
    assert -np.log(p_correct.prod()) / 3 == pytest.approx(float(lo.softmax_scores_loss(S, y)[0]), rel=1e-12)
    # a larger likelihood is a smaller loss: scale the scores and compare the two orders
    likelihoods, losses = [], []
    for scale in (0.5, 1.0, 2.0):
        likelihoods.append(lo.softmax_probabilities(scale * S)[np.arange(3), y].prod())
        losses.append(float(lo.softmax_scores_loss(scale * S, y)[0]))
    assert np.argsort(likelihoods).tolist() == np.argsort(losses)[::-1].tolist()
    assert 0.1**1000 == 0.0 and np.isfinite(1000 * -np.log(0.1))  # the product underflows, the sum of logs does not


def test_one_hot_cross_entropy_is_the_kl_divergence_is_the_loss():
    """ "With one-hot targets, loss, cross-entropy and KL are one number", and for a target that is not one-hot
    H(p, q) = H(p) + KL(p || q), with KL "not symmetric"."""
    q = lo.softmax_probabilities([CAT])[0]
    loss = softmax_loss_of(CAT, 0)
    cross_entropy = -np.log(q[0])  # the one-hot p = [1, 0, 0] keeps one term
    kl = 1.0 * np.log(1.0 / q[0])
    assert cross_entropy == pytest.approx(loss) and kl == pytest.approx(loss)
    soft = np.array([0.7, 0.2, 0.1])
    entropy = -np.sum(soft * np.log(soft))
    kl_pq, kl_qp = np.sum(soft * np.log(soft / q)), np.sum(q * np.log(q / soft))
    assert -np.sum(soft * np.log(q)) == pytest.approx(entropy + kl_pq)
    assert abs(kl_pq - kl_qp) > 0.1


# ----------------------------------------------------------------------------
# the questions
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("lead", [-40, -20, -10, 0, 10, 20, 30, 40])
def test_loss_is_never_exactly_zero_nor_infinite_with_finite_scores(lead):
    """Question 1's answer: "With finite scores neither end is reached", and "Far ahead it is tiny (1.872e-13 for a
    lead of 30) but not 0." """
    loss = softmax_loss_of([float(lead), 0.0, 0.0], 0)
    assert 0 < loss < np.inf


def test_far_behind_the_loss_grows_like_the_gap():
    """ "Far behind, the loss grows like the gap: 40.69 for a lead of -40." """
    leads = np.array([-40.0, -20.0, -10.0])
    losses = np.array([softmax_loss_of([lead, 0.0, 0.0], 0) for lead in leads])
    assert np.all(np.diff(losses) < 0)  # a smaller lead (further behind), a larger loss
    np.testing.assert_allclose(losses + leads, np.log(2), atol=1e-4)  # loss = gap + ln 2, nearly
    assert round(losses[0], 2) == 40.69


def init_loss(weight_scale):
    """The Question 2 cell, with its 0.0001 replaced by ``weight_scale``."""
    rng = np.random.default_rng(0)
    N, D, C = 200, 3073, 10
    X = lo.datasets.add_bias(rng.normal(size=(N, D - 1)))
    y_random = rng.integers(0, C, size=N)
    W = weight_scale * rng.normal(size=(D, C))
    return float(lo.softmax_loss(W, X, y_random)[0])


def test_loss_at_initialization_is_ln_C():
    """Question 2's answer, "every class gets about 1/C and the loss is -ln(1/C) = ln C", confirmed by its cell on
    random data of CIFAR-10's size."""
    assert abs(init_loss(0.0001) - np.log(10)) < 1e-3


def test_try_larger_initial_weights_moves_the_loss_away_from_ln_10():
    """Try this: "In the Question 2 cell, change 0.0001 to 0.01, then to 1.0. How far from ln 10 does the loss go?" """
    distances = [abs(init_loss(scale) - np.log(10)) for scale in (0.0001, 0.01, 1.0)]
    assert distances[0] < distances[1] < distances[2]
    assert distances[1] > 0.1  # 0.01 already moves it visibly
    assert distances[2] > 10 * np.log(10)  # 1.0: the loss is many times ln 10


# ----------------------------------------------------------------------------
# stability
# ----------------------------------------------------------------------------


def test_lossopt_is_exact_at_the_notes_large_scores():
    """ "Every exponential is now at most 1: nothing overflows" (the cell's lossopt losses 666, 333, 0)."""
    for label, expected in [(0, 666.0), (1, 333.0), (2, 0.0)]:
        assert softmax_loss_of([123.0, 456.0, 789.0], label) == pytest.approx(expected, abs=1e-9)


def test_probability_too_small_to_store():
    """ "with the scores [0, 1000] and class 0 correct, p_0 = e^-1000 is stored as 0 and -ln 0 is infinite, while
    this form gives exactly 1000." """
    assert lo.softmax_probabilities([[0.0, 1000.0]])[0, 0] == 0.0
    assert softmax_loss_of([0.0, 1000.0], 0) == 1000.0


# ----------------------------------------------------------------------------
# the gradient
# ----------------------------------------------------------------------------


def test_gradient_is_x_transpose_times_p_minus_y_over_n_plus_2_reg_w():
    """ "With the mean over N examples, dS = (P - Y) / N ... the chain rule gives dW = X^T dS (D x C); the L2 penalty
    adds 2 reg W", checked against lossopt and against a numerical gradient of the loss."""
    rng = np.random.default_rng(3)
    X, y, W, reg = rng.normal(size=(6, 4)), rng.integers(0, 3, size=6), rng.normal(size=(4, 3)), 0.3
    P = lo.softmax_probabilities(X @ W)
    Y = np.eye(3)[y]
    derived = X.T @ ((P - Y) / 6) + 2 * reg * W
    _, dW = lo.softmax_loss(W, X, y, reg)
    np.testing.assert_allclose(dW, derived, rtol=1e-12)
    numeric = lo.numerical_gradient(lambda V: float(lo.softmax_loss(V, X, y, reg)[0]), W.copy())
    np.testing.assert_allclose(numeric, derived, rtol=1e-6, atol=1e-9)


# ----------------------------------------------------------------------------
# the loop against the two matrix products
# ----------------------------------------------------------------------------


def lines_run(fn, N):
    """How many lines of lossopt's own code one call of ``fn`` runs on N examples (a loop over examples: ~N)."""
    rng = np.random.default_rng(0)
    X, y, W = rng.normal(size=(N, 5)), rng.integers(0, 3, size=N), rng.normal(size=(5, 3))
    package = str(Path(lo.__file__).parent)
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if frame.f_code.co_filename.startswith(package):
            count += event == "line"
            return tracer
        return None

    sys.settrace(tracer)
    try:
        fn(W, X, y, 0.1)
    finally:
        sys.settrace(None)
    return count


@pytest.fixture(scope="module")
def timing_data():
    """The timing cell's data: 500 examples of CIFAR-10's size."""
    rng = np.random.default_rng(1)
    X = lo.datasets.add_bias(rng.normal(size=(500, 3072)))
    y = rng.integers(0, 10, size=500)
    W = 0.001 * rng.normal(size=(3073, 10))
    return W, X, y


def test_naive_loops_over_the_examples_and_the_vectorized_one_does_not():
    """ "`lo.softmax_loss_naive` loops over the examples as in Exercise 1; `lo.softmax_loss` is vectorized": ten
    more examples run at least ten more lines of the naive version, and not one more of the vectorized one."""
    assert lines_run(lo.softmax_loss_naive, 20) - lines_run(lo.softmax_loss_naive, 10) >= 10
    assert lines_run(lo.softmax_loss, 20) == lines_run(lo.softmax_loss, 10)


def test_timing_cell_same_loss_and_the_loop_takes_longer(timing_data):
    """ "On 500 examples of CIFAR-10's size both give the same loss, and the loop takes longer." The direction only,
    each timed as its best of three runs (the loop takes several times as long, so load on the machine cannot
    flip it); no ratio is claimed."""
    W, X, y = timing_data
    (loss_naive, dW_naive), (loss, dW) = lo.softmax_loss_naive(W, X, y, 0.1), lo.softmax_loss(W, X, y, 0.1)
    assert loss_naive == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(dW_naive, dW, rtol=1e-9, atol=1e-15)
    best = {}
    for fn in (lo.softmax_loss_naive, lo.softmax_loss):
        times = []
        for _ in range(3):
            start = time.perf_counter()
            fn(W, X, y, 0.1)
            times.append(time.perf_counter() - start)
        best[fn] = min(times)
    assert best[lo.softmax_loss_naive] > best[lo.softmax_loss]


# ----------------------------------------------------------------------------
# the exercises
# ----------------------------------------------------------------------------


def solutions():
    """name -> (function, source) of each hidden solution, run with only numpy, as in test_notebook_solutions."""
    cells = collect([NOTEBOOK])
    return {
        name: (run_solution(name, code, NOTEBOOK.name), code) for name in cells for *_, code in cells[name]["solutions"]
    }


def test_notebook_has_both_exercises_and_their_solutions_pass():
    """Exercises 1 and 2: "The check cell names what is wrong" (and passes a right answer: the hidden solutions)."""
    found = solutions()
    assert sorted(found) == ["softmax_loss_naive", "softmax_loss_vectorized"]
    for name, (fn, _) in found.items():
        result = lo.exercises.check(name, fn)
        assert result.passed, result.message


def test_gradient_check_cells_pass_a_right_dw_and_flag_one_that_does_not_match_the_loss():
    """After each exercise, "the next [cell] compares your dW with a numerical gradient": the hidden solutions pass
    it, the same solution with dW not divided by N fails it, and the unsolved stub is "not attempted yet"."""
    unaveraged = {
        "softmax_loss_naive": ("dW = dW / N + 2 * reg * W", "dW = dW + 2 * reg * W"),
        "softmax_loss_vectorized": ("dW = X.T @ dS / N + 2 * reg * W", "dW = X.T @ dS + 2 * reg * W"),
    }
    for name, (fn, source) in solutions().items():
        assert lo.exercises.check_gradient(name, fn).passed
        right, wrong = unaveraged[name]
        assert source.count(right) == 1
        broken = run_solution(name, source.replace(right, wrong), "a broken copy")
        result = lo.exercises.check_gradient(name, broken)
        assert result.state == "failed", result.message

        def stub(W, X, y, reg):
            raise NotImplementedError

        assert lo.exercises.check_gradient(name, stub).state == "not attempted yet"


def test_vectorized_without_the_shift_fails_the_check_at_large_scores():
    """Exercise 2: "Shift every row by its own largest score (the check tries scores around 1000)." The notebook's
    solution with its shift line removed must fail, naming the shift."""
    _, source = solutions()["softmax_loss_vectorized"]
    unshifted = source.replace("S = S - S.max(axis=1, keepdims=True)", "pass")
    assert unshifted != source
    namespace = {"np": np}
    exec(unshifted, namespace)
    result = lo.exercises.check("softmax_loss_vectorized", namespace["softmax_loss_vectorized"])
    assert not result.passed
    assert "shift" in result.message.lower()


# ----------------------------------------------------------------------------
# the temperature explorer
# ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def notes_explorer():
    """The notebook's explorer (the notes' scores, class 0 correct), built once; each test sets the scale it reads."""
    return lo.widgets.SoftmaxScaleExplorer(scores=NOTES, label=0)


def test_explorer_right_panel_is_the_loss_of_class_0_against_the_scale(notes_explorer):
    """ "The explorer: the notes' scores, class 0 correct. ... Right: the loss against the scale, a dot at the current
    scale." """
    explorer = notes_explorer
    scales, losses = loss_curve(explorer)
    np.testing.assert_allclose(losses, [softmax_loss_of(a * np.array(NOTES), 0) for a in scales], rtol=1e-12)
    explorer.controls["scale"].value = 2.0
    x, y = now_dot(explorer)
    assert x == 2.0 and y == pytest.approx(softmax_loss_of(2.0 * np.array(NOTES), 0))


def test_explorer_at_scale_0_and_5(notes_explorer):
    """ "At scale 0 every class gets 0.33 and the loss is ln 3 = 1.0986; at scale 5 class 0, the top score, gets
    0.99 and the loss is 0.0067. The curve falls all the way." """
    explorer = notes_explorer
    explorer.controls["scale"].value = 0.0
    probabilities, loss = readout(explorer)
    assert probabilities == [0.33, 0.33, 0.33] and loss == 1.0986 == round(np.log(3), 4)
    explorer.controls["scale"].value = 5.0
    probabilities, loss = readout(explorer)
    assert probabilities[0] == 0.99 and loss == 0.0067
    _, losses = loss_curve(explorer)
    assert np.all(np.diff(losses) < 0)


@pytest.mark.parametrize(("scores", "label"), [(NOTES, 0), ([3.2, 5.1, -1.7], 0), ([-2.85, 0.86, 0.28], 2)])
def test_hot_end_every_class_gets_one_over_C_whatever_the_scores(notes_explorer, scores, label):
    """ "a -> 0 (hot): every class gets 1/C and the loss is ln C, whatever the scores", and the first Try this: set
    the scale to 0 for [1, -2, 0] and for [3.2, 5.1, -1.7]: the loss is the same."""
    explorer = notes_explorer if (scores, label) == (NOTES, 0) else lo.widgets.SoftmaxScaleExplorer(scores, label=label)
    explorer.controls["scale"].value = 0.0
    probabilities, loss = readout(explorer)
    assert probabilities == [0.33, 0.33, 0.33]
    assert loss == round(np.log(3), 4)
    assert now_dot(explorer) == (0.0, pytest.approx(np.log(3)))


def test_cold_end_loss_to_zero_if_top_score_is_correct_else_unbounded():
    """ "a large (cold): the probability piles up on the top score; the loss goes to 0 if it is the correct class, and
    grows without bound if not." """
    scales = [1.0, 10.0, 100.0, 1000.0]
    top = [softmax_loss_of(a * np.array(NOTES), 0) for a in scales]  # class 0 has the highest score
    other = [softmax_loss_of(a * np.array(NOTES), 2) for a in scales]
    assert np.all(np.diff(top) < 0) and top[-1] < 1e-12
    assert np.all(np.diff(other) > 0) and other[-1] == pytest.approx(1000.0)  # grows like the gap, 1 * scale
    p = lo.softmax_probabilities([100.0 * np.array(NOTES)])[0]
    assert p[0] > 1 - 1e-12


def test_try_class_1_correct_the_loss_never_goes_down():
    """Try this: "With SoftmaxScaleExplorer(scores=[1.0, -2.0, 0.0], label=1), move the scale from 0 to 5. Does the
    loss ever go down?" It does not: it rises all the way."""
    explorer = lo.widgets.SoftmaxScaleExplorer(scores=NOTES, label=1)
    _, losses = loss_curve(explorer)
    assert np.all(np.diff(losses) > 0)
    readings = []
    for scale in [0.0, 1.0, 2.5, 5.0]:
        explorer.controls["scale"].value = scale
        readings.append(readout(explorer)[1])
    assert readings == sorted(readings) and readings[0] < readings[-1]


def test_explorer_left_and_middle_panels(notes_explorer):
    """ "Left: the scores times the scale. Middle: the probabilities." (at the scale 2)"""
    explorer = notes_explorer
    explorer.controls["scale"].value = 2.0
    left, middle = explorer.figure.axes[:2]
    heights = [[bar.get_height() for container in ax.containers for bar in container] for ax in (left, middle)]
    np.testing.assert_allclose(heights[0], 2.0 * np.array(NOTES))
    np.testing.assert_allclose(heights[1], lo.softmax_probabilities([2.0 * np.array(NOTES)])[0])


@pytest.mark.parametrize("scale", [0.0, 1.0, 5.0])
def test_cell_after_the_explorer_prints_what_it_shows(notes_explorer, scale):
    """ "The cell after it prints what you read at the scales 0, 1 and 5." (the explorer's readout and the cell's
    lo.plots.probabilities_and_loss give the same rounded numbers)"""
    explorer = notes_explorer
    explorer.controls["scale"].value = scale
    shown_p, shown_loss = readout(explorer)
    p, loss = lo.plots.probabilities_and_loss(scale * np.array(NOTES), 0)
    assert shown_p == [round(float(v), 2) for v in p]
    assert shown_loss == round(float(loss), 4)
