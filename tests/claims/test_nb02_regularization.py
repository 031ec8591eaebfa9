"""Claims of notebooks/02_regularization.ipynb: each test names the sentence it backs and checks it."""

import functools
import re
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest

import lossopt as lo

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "02_regularization.ipynb"
SLIDER = [10 ** (-3 + k / 4) for k in range(15)]  # the explorer's lambda grid: 1e-3 to 10**0.5, quarter decades


@pytest.fixture(scope="module")
def notebook():
    return nbformat.read(NOTEBOOK, as_version=4)


def run_cell(nb, marker, **namespace):
    """Execute the notebook's code cell containing ``marker`` (with np, lo, plt) and return its namespace."""
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and marker in c.source]
    namespace = {"np": np, "lo": lo, "plt": plt, **namespace}
    exec(cell.source, namespace)
    return namespace


@pytest.fixture(scope="module")
def data():
    points, labels, _ = lo.datasets.blobs_with_outliers()
    X_val, y_val = lo.datasets.blobs(100, 3, spread=0.7, seed=1)
    return lo.datasets.add_bias(points), labels, lo.datasets.add_bias(X_val), y_val


@pytest.fixture(scope="module")
def explorer():
    return lo.widgets.LambdaExplorer()


def readout(explorer, reg, penalty):
    """Set the explorer's controls and parse its readout: validation accuracy, training accuracy, zeros, sum W²."""
    explorer.controls["penalty"].value = penalty
    explorer.controls["reg"].value = reg
    text = explorer.text
    return {
        "val": float(re.search(r"validation (\d\.\d+)", text).group(1)),
        "train": float(re.search(r"training (\d\.\d+)", text).group(1)),
        "zeros": int(re.search(r"exactly 0: (\d+) of 9", text).group(1)),
        "sumsq": float(re.search(r"sum W² (\d+\.\d+)", text).group(1)),
    }


# ----------------------------------------------------------------------------
# The penalty picks one W; Occam's razor
# ----------------------------------------------------------------------------


def test_penalty_prefers_the_smallest_of_three_perfect_fits():
    """'All three have data loss 0; the penalty prefers the smallest, 0.5 W.' (the printed 0.25, 1.00, 4.00)"""
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    y = np.array([0, 1, 2])
    W = np.array([[2.0, 0.0, -1.0], [0.0, 2.0, -1.0]])
    totals = []
    for k in (0.5, 1.0, 2.0):
        assert lo.svm_loss(k * W, X, y)[0] == 0
        totals.append(round(float(lo.svm_loss(k * W, X, y, reg=0.1)[0]), 2))
    assert totals == [0.25, 1.0, 4.0]


def test_occam_picture(notebook):
    """'The degree-8 curve has no training error, yet does worse than the line on new data: it fitted the noise, with
    huge weights. With an L2 penalty the same nine weights stay small, the curve bends less, and it does about as
    well as the line.'"""
    ns = run_cell(notebook, "def powers(")
    powers, fits = ns["powers"], ns["fits"]

    def errors(name):
        w = fits[name]
        train = np.mean((powers(ns["x_train"], len(w) - 1) @ w - ns["y_train"]) ** 2)
        new = np.mean((powers(ns["x_new"], len(w) - 1) @ w - ns["y_new"]) ** 2)
        return train, new

    line, overfit, penalized = errors("straight line"), errors("degree 8"), errors("degree 8 + L2")
    assert overfit[0] < 1e-12 < line[0]
    assert overfit[1] > 2 * line[1]
    assert abs(penalized[1] - line[1]) < 0.1 * line[1] and penalized[1] < overfit[1] / 2
    assert np.abs(fits["degree 8"]).max() > 1000 * np.abs(fits["degree 8 + L2"]).max()
    grid = np.linspace(0, 1, 400)  # "bends less": its curve stays closer to the line than the overfit's does
    line_curve = powers(grid, 1) @ fits["straight line"]
    assert (
        np.abs(powers(grid, 8) @ fits["degree 8 + L2"] - line_curve).max()
        < 0.25 * np.abs(powers(grid, 8) @ fits["degree 8"] - line_curve).max()
    )
    ax = plt.gcf().axes[0]
    assert len(ax.get_lines()) == 4 and ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert ax.get_legend().get_bbox_to_anchor().x0 > ax.get_window_extent().x1 - 1  # beside the axes, not over them


def test_l2_penalty_is_a_gaussian_prior_map(rng):
    """'Here N λ Σ W² is minus the log of a Gaussian prior of variance 1/(2Nλ) per weight, up to a constant': N times
    the Softmax loss with λ Σ W² is minus the log of (likelihood x that prior), up to one constant for every W, so
    both have the same minimizer (MAP). With another variance the difference is not constant."""
    N, reg = 40, 0.05
    X, y = rng.normal(size=(N, 5)), rng.integers(0, 3, N)

    def minus_log_posterior(W, variance):
        likelihood = lo.softmax_probabilities(X @ W)[np.arange(N), y]  # p(y_i | x_i, W)
        log_prior = np.sum(-(W**2) / (2 * variance) - 0.5 * np.log(2 * np.pi * variance))  # Gaussian, mean 0
        return -np.sum(np.log(likelihood)) - log_prior

    Ws = [rng.normal(size=(5, 3)) for _ in range(10)]
    for variance, constant in ((1 / (2 * N * reg), True), (1 / (2 * reg), False)):
        gaps = [N * lo.softmax_loss(W, X, y, reg)[0] - minus_log_posterior(W, variance) for W in Ws]
        assert (np.ptp(gaps) < 1e-9) == constant


# ----------------------------------------------------------------------------
# The exercises
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["l2_regularization", "l1_regularization"])
def test_each_penalty_exercise_is_gradient_checked_after_its_solution(notebook, name):
    """'two exercises, each gradient-checked': the cell after each solution runs lo.exercises.check_gradient on the
    student's own function."""
    sources = [cell.source for cell in notebook.cells]
    (solution,) = [i for i, src in enumerate(sources) if f"Click to see a solution ({name})" in src]
    assert sources[solution + 1].strip() == f'lo.exercises.check_gradient("{name}", {name})'
    assert notebook.cells[solution + 1].cell_type == "code"


# ----------------------------------------------------------------------------
# Same scores, different penalties
# ----------------------------------------------------------------------------


def test_w1_w2_question(rng):
    """Answer: 'L2 ... charges w1 four times as much, 1.0 against 0.25 ... L1 charges both 1.0: no preference here
    ... moving weight from one input to another costs nothing as long as no sign changes.'"""
    x = np.ones((1, 4))
    w1 = np.array([[1.0], [0.0], [0.0], [0.0]])
    w2 = np.full((4, 1), 0.25)
    assert (x @ w1)[0, 0] == (x @ w2)[0, 0] == 1.0
    assert lo.regularization(w1, "l2")[0] == 4 * lo.regularization(w2, "l2")[0] == 1.0
    assert lo.regularization(w1, "l1")[0] == lo.regularization(w2, "l1")[0] == 1.0
    for _ in range(20):  # any nonnegative w with the same sum: the same L1 penalty
        w = rng.dirichlet(np.ones(4))[:, None]
        np.testing.assert_allclose(lo.regularization(w, "l1")[0], 1.0)


def test_sparse_picture(notebook):
    """'On that line the smallest L2 penalty uses both inputs; the smallest L1 penalty has one weight exactly 0 ...
    where w is parallel to x ... at a corner, on an axis'; the legend is beside the axes."""
    ns = run_cell(notebook, "x2 = np.array([1.0, 2.0])")
    best_l2, best_l1 = ns["best_l2"], ns["best_l1"]
    np.testing.assert_allclose(best_l2, [0.2, 0.4], atol=1e-3)
    assert abs(best_l2[0] * 2 - best_l2[1]) < 2e-3 and (np.abs(best_l2) > 0.1).all()  # parallel to x = [1, 2]
    assert abs(best_l1[0]) < 1e-9 and abs(best_l1[1] - 0.5) < 1e-9
    ax = plt.gcf().axes[0]
    markers = {line.get_label(): line for line in ax.get_lines()}
    (l1_label,) = [label for label in markers if label.startswith("L1's choice")]
    assert abs(markers[l1_label].get_xdata()[0]) < 1e-9
    assert ax.get_legend().get_bbox_to_anchor().x0 > ax.get_window_extent().x1 - 1


def test_try_this_x_123_l1_minimum_is_on_an_axis(rng):
    """Try this: 'Change x to [1, 2, 3] ... where is the smallest L1 penalty now?' (at w = [0, 0, 1/3]: two weights
    exactly 0); and 'In more dimensions too, L1 often sets several weights to exactly 0'."""
    x = np.array([1.0, 2.0, 3.0])
    corner = np.array([0.0, 0.0, 1 / 3])
    assert abs(corner @ x - 1) < 1e-12
    # every other point of the plane x . w = 1 has a larger L1 penalty (and the L2 minimum uses all three inputs)
    points = rng.normal(size=(20000, 3))
    points += ((1 - points @ x) / (x @ x))[:, None] * x  # project onto the plane
    l1 = np.abs(points).sum(axis=1)
    assert l1.min() > np.abs(corner).sum()
    l2_best = x / (x @ x)
    assert ((points**2).sum(axis=1) >= (l2_best**2).sum() - 1e-12).all() and (l2_best > 0).all()


# ----------------------------------------------------------------------------
# The lambda explorer, the table and "What to see"
# ----------------------------------------------------------------------------


def test_the_outliers_sit_beyond_classes_1_and_2():
    """'plus four outliers of class 0 far out on the other side, beyond classes 1 and 2'. (An old text also said 'No
    linear classifier gets them right'; that was false: a band along x1 = 0 gets all four right.)"""
    points, labels, is_outlier = lo.datasets.blobs_with_outliers()
    assert is_outlier.sum() == 4 and (labels[is_outlier] == 0).all()
    others = points[~is_outlier & (labels > 0)]
    assert points[is_outlier, 0].max() < others[:, 0].min()
    assert points[~is_outlier & (labels == 0), 0].min() > others[:, 0].mean()  # class 0's blob is on the other side
    band = np.array([[0.0, 0.0, 0.0], [0.0, 1.0, -1.0], [0.9, 0.0, 0.0]])  # class 0 wins where |x1| < 0.9
    assert ((lo.datasets.add_bias(points[is_outlier]) @ band).argmax(axis=1) == 0).all()


def test_explorer_panels_are_what_the_text_says(explorer, data):
    """'Left: the decision regions and training points, outliers ringed. Right: each weight's size, with a cross
    where it is exactly 0.' (at l1, λ = 1: six crosses)."""
    X, labels, _, _ = data
    readout(explorer, 1.0, "l1")
    left, right = explorer.figure.axes[:2]
    W = lo.optim.fit_proximal(X, labels, 1.0, "l1")
    heights = sorted(bar.get_height() for container in right.containers for bar in container)
    np.testing.assert_allclose(heights, np.sort(np.abs(W).ravel()), atol=1e-12)
    (crosses,) = [line for line in right.get_lines() if line.get_label() == "exactly 0"]
    assert len(crosses.get_xdata()) == int((W == 0).sum()) == 6
    labels_left = [text.get_text() for text in left.get_legend().get_texts()]
    assert "outlier" in labels_left
    (ring,) = [c for c in left.collections if c.get_label() == "outlier"]
    assert len(ring.get_offsets()) == 4


def test_the_explorer_penalizes_the_bias_row(explorer, data):
    """'The explorer penalizes all nine entries of W, the bias row included.': its readout's reg loss is λ Σ W² over
    all nine weights, and each training step shrinks (L2) or soft-thresholds (L1) the bias row like the others."""
    X, labels, _, _ = data
    assert (X[:, 2] == 1).all()  # the bias trick: row 2 of W is the bias row ('bias' in the weights panel)
    readout(explorer, 1.0, "l2")
    reg_loss = float(re.search(r"reg loss (\d+\.\d+)", explorer.text).group(1))
    W = lo.optim.fit_proximal(X, labels, 1.0, "l2")
    assert reg_loss == round(float(np.sum(W**2)), 3) != round(float(np.sum(W[:2] ** 2)), 3)
    W0 = np.random.default_rng(7).standard_normal((3, 3))
    lr, reg = 0.1, 0.5
    _, d_data = lo.svm_loss(W0, X, labels)
    one_step = lo.optim.fit_proximal(X, labels, reg, "l2", lr=lr, steps=1, W0=W0)
    np.testing.assert_allclose(one_step, W0 - lr * (d_data + 2 * reg * W0), atol=1e-12)  # bias row included
    unpenalized_bias = W0 - lr * d_data - lr * 2 * reg * W0 * np.array([[1.0], [1.0], [0.0]])
    assert np.abs(one_step[2] - unpenalized_bias[2]).min() > 1e-3
    l1_step = lo.optim.fit_proximal(X, labels, 100.0, "l1", lr=lr, steps=1, W0=W0)
    assert (l1_step[2] == 0).all()  # a large L1 soft-threshold sets the bias row to 0 as well


def zeros_on_slider(explorer, penalty):
    """How many weights are exactly 0 at each λ of the slider: the explorer's own trained W, without drawing."""
    np.testing.assert_allclose(explorer.lambdas, SLIDER, rtol=1e-12)
    return [int((explorer.fit(reg, penalty) == 0).sum()) for reg in explorer.lambdas]


def test_table_is_what_the_explorer_shows(explorer, data):
    """'The table below trains the explorer's classifier at six of its values of λ.': the table's W is the W the
    explorer trains and shows (its readout, at two of the settings)."""
    X, labels, X_val, y_val = data
    table = (0.001, 0.01, 0.1, 1.0, 10**0.25, 10**0.5)
    assert all(min(abs(reg - value) for value in SLIDER) < 1e-12 for reg in table)  # each is a slider value
    for penalty in ("l2", "l1"):
        for reg in table:
            np.testing.assert_array_equal(explorer.fit(reg, penalty), lo.optim.fit_proximal(X, labels, reg, penalty))
    for reg, penalty in ((0.01, "l2"), (0.1, "l1")):
        shown = readout(explorer, reg, penalty)
        W = lo.optim.fit_proximal(X, labels, reg, penalty)
        assert shown["zeros"] == int((W == 0).sum())
        assert shown["val"] == round(float(np.mean((X_val @ W).argmax(axis=1) == y_val)), 3)
        assert shown["sumsq"] == round(float(np.sum(W**2)), 3)


def test_what_to_see_small_and_larger_lambda(explorer):
    """Answer: 'With L2, from λ = 0.001 to 1, Σ W² falls from 7.842 to 0.287 and validation accuracy rises from 0.903
    to 0.99' (and at 0.1 in between: 1.029 and 0.98)."""
    small = readout(explorer, 0.001, "l2")
    assert small["sumsq"] == 7.842 and small["val"] == 0.903
    at_01, at_1 = readout(explorer, 0.1, "l2"), readout(explorer, 1.0, "l2")
    assert (at_01["sumsq"], at_1["sumsq"]) == (1.029, 0.287)
    assert (round(at_01["val"], 2), round(at_1["val"], 2)) == (0.98, 0.99)


def test_what_to_see_l1_zeros_grow_then_underfit(explorer, data):
    """'with L1, more and more weights are exactly 0 as λ grows' and the answer: 'from λ = 1.78 on, all nine weights
    are 0, the bias row's too: every point gets class 0 (the first of the tied scores), and validation accuracy
    drops to 0.333'."""
    zeros = zeros_on_slider(explorer, "l1")
    assert zeros == sorted(zeros) and zeros[0] == 0 and zeros[-1] == 9
    first_all = SLIDER[zeros.index(9)]
    assert round(first_all, 2) == 1.78
    top = readout(explorer, 10**0.5, "l1")
    assert top["val"] == 0.333
    X, labels, X_val, _ = data
    W = lo.optim.fit_proximal(X, labels, 10**0.25, "l1")
    assert (W == 0).all()  # the bias row too
    assert ((X_val @ W).argmax(axis=1) == 0).all()


def test_what_to_see_l2_never_exactly_zero(explorer):
    """'L2 shrinks the weights, but at no λ of the slider is a weight exactly 0.'"""
    assert zeros_on_slider(explorer, "l2") == [0] * len(SLIDER)


def test_try_this_first_l1_zeros(explorer, data):
    """Try this: 'choose l1 and raise λ one step at a time from 0.001. At which λ do the first weights become
    exactly 0, and which weights are they?' (λ ≈ 0.018: x0's weight for class 2 and x1's weight for class 0)."""
    X, labels, _, _ = data
    for reg in SLIDER:
        if readout(explorer, reg, "l1")["zeros"]:
            break
    assert round(reg, 3) == 0.018
    W = lo.optim.fit_proximal(X, labels, reg, "l1")
    assert sorted(zip(*np.nonzero(W == 0), strict=True)) == [(0, 2), (1, 0)]


def test_try_this_elastic_vs_l2_at_0_1(explorer):
    """Try this: 'At λ = 0.1, compare l2 and elastic: how many weights are exactly 0 with each?' (0 and 4)."""
    assert readout(explorer, 0.1, "l2")["zeros"] == 0
    assert readout(explorer, 0.1, "elastic")["zeros"] == 4


# ----------------------------------------------------------------------------
# The two questions students often get wrong
# ----------------------------------------------------------------------------


def test_more_regularization_less_overfitting_until_underfitting(data):
    """'Less, until the model underfits ... from λ = 0.001 to 1, Σ W² falls ... and validation accuracy rises ...
    With L1, from λ = 1.78 on ...' (training accuracy falls too: it underfits)."""
    X, labels, X_val, y_val = data
    sums, vals = [], []
    for reg in (0.001, 0.01, 0.1, 1.0):
        W = lo.optim.fit_proximal(X, labels, reg, "l2")
        sums.append(np.sum(W**2))
        vals.append(np.mean((X_val @ W).argmax(axis=1) == y_val))
    assert sums == sorted(sums, reverse=True) and vals == sorted(vals)
    W = lo.optim.fit_proximal(X, labels, 10**0.25, "l1")
    assert np.mean((X @ W).argmax(axis=1) == labels) < 0.4  # below even the training accuracy at lambda = 0.001


def test_l2_adds_2_reg_w_and_is_weight_decay(data, rng):
    """'it adds 2λW to the data loss's gradient dW. A step is W ← W - lr (dW + 2λW) = (1 - 2 lr λ) W - lr dW'."""
    X, labels, _, _ = data
    for lr, reg in ((0.1, 0.05), (0.01, 3.0)):
        W = rng.normal(size=(3, 3))
        _, d_data = lo.svm_loss(W, X, labels)
        _, d_total = lo.svm_loss(W, X, labels, reg=reg)
        np.testing.assert_allclose(d_total - d_data, 2 * reg * W, atol=1e-12)
        np.testing.assert_allclose(W - lr * d_total, (1 - 2 * lr * reg) * W - lr * d_data, atol=1e-12)


@pytest.mark.parametrize("lam", [1.0, 0.5, 0.01])
def test_l1_slopes_are_plus_minus_lambda_and_the_centered_difference_at_0_is_0(lam):
    """'λ|w| has slope -λ left of 0 and +λ right of it ... At w = 0 it prints 0 for L1 too, since (|h| - |-h|) / 2h
    = 0: an average of the two slopes, not a derivative': the one-sided slopes at 0 are -λ and +λ."""

    def f(V):
        return lam * lo.regularization(V, "l1")[0]

    slopes = [float(lo.numerical_gradient(f, np.array([[w]]), h=1e-6)[0, 0]) for w in (-1e-3, 0.0, 1e-3)]
    np.testing.assert_allclose(slopes, [-lam, 0.0, lam], atol=1e-9)
    h = 1e-6
    left = (f(np.zeros((1, 1))) - f(np.array([[-h]]))) / h
    right = (f(np.array([[h]])) - f(np.zeros((1, 1)))) / h
    np.testing.assert_allclose([left, right], [-lam, lam])
    l2 = [
        float(lo.numerical_gradient(lambda V: lam * lo.regularization(V)[0], np.array([[w]]))[0, 0])
        for w in (-1e-3, 1e-3)
    ]
    np.testing.assert_allclose(l2, [-2e-3 * lam, 2e-3 * lam], atol=1e-9)  # L2's slope 2λw goes to 0 with w


# ----------------------------------------------------------------------------
# The aside
# ----------------------------------------------------------------------------


def test_aside_subgradient_descent_hops_and_proximal_gives_zeros(data):
    """'A soft-threshold step ... sets those closer than that to exactly 0' and 'Under subgradient descent those
    weights move in the last step by about λ·lr = 0.1, four of the six change sign, and no weight is ever exactly
    0'."""
    X, labels, _, _ = data
    W0 = 1e-3 * np.random.default_rng(0).standard_normal((3, 3))
    steps = []
    lo.sgd(
        functools.partial(lo.svm_loss, reg=1.0, penalty="l1"),
        W0, X, labels, lr=0.1, batch_size=len(labels), num_iters=301, seed=0,
        callback=lambda step, W, loss: steps.append(W.copy()),
    )  # fmt: skip
    zero = lo.optim.fit_proximal(X, labels, 1.0, "l1", lr=0.1, steps=300, W0=W0) == 0
    assert zero.sum() == 6
    change = np.abs(steps[-1][zero] - steps[-2][zero])
    assert (change > 0.1 / 3).all() and (change < 0.1 * 3).all()
    assert (np.sign(steps[-1][zero]) != np.sign(steps[-2][zero])).sum() == 4
    assert not any((W == 0).any() for W in steps)


def test_elastic_net_in_lossopt_has_beta_1(rng):
    """Table: 'elastic net (L1 + L2) | Σ β W² + |W| (β = 1 in `lossopt`) | 2 β W + sign(W)'."""
    W = rng.normal(size=(4, 3))
    R, dR = lo.regularization(W, "elastic")
    np.testing.assert_allclose(R, np.sum(W**2) + np.sum(np.abs(W)))
    np.testing.assert_allclose(dR, 2 * W + np.sign(W))
