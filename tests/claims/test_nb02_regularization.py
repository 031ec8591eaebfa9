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
    """'All three fit the data perfectly: their data loss is 0. The penalty prefers the smallest, 0.5 W.'"""
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    y = np.array([0, 1, 2])
    W = np.array([[2.0, 0.0, -1.0], [0.0, 2.0, -1.0]])
    totals = []
    for k in (0.5, 1.0, 2.0):
        assert lo.svm_loss(k * W, X, y)[0] == 0
        totals.append(round(float(lo.svm_loss(k * W, X, y, reg=0.1)[0]), 2))
    assert totals == [0.25, 1.0, 4.0]


def test_occam_picture(notebook):
    """'The degree-8 curve has no training error at all, yet on new data it does worse than the straight line ...
    it needs huge weights. Give the same nine weights an L2 penalty, and the curve keeps its weights small, bends
    less, and does about as well as the line on new data.'"""
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


# ----------------------------------------------------------------------------
# The exercises and the gradient check
# ----------------------------------------------------------------------------


def test_gradient_check_passes_the_right_factor_and_catches_the_wrong_one(notebook):
    """'The right gradient is far below 1e-7; the wrong factor gives 0.33' (the notes: > 1e-2 is probably wrong);
    and the three lossopt penalties pass with tiny relative errors."""
    ns = run_cell(notebook, 'print(f"wrong, reg * W:')
    W, reg, numerical = ns["W"], ns["reg"], ns["numerical"]
    assert lo.rel_error(2 * reg * W, numerical) < 1e-9
    assert round(float(lo.rel_error(reg * W, numerical)), 2) == 0.33
    assert lo.rel_error(0.5 * reg * W, numerical) > 1e-2
    rng = np.random.default_rng(0)
    W = rng.standard_normal((3, 2))
    assert np.abs(W).min() > 0.05  # 'a W whose entries are all away from 0'
    for penalty in lo.PENALTIES:
        grad = lo.regularization(W, penalty)[1]
        numerical = lo.numerical_gradient(lambda V, p=penalty: lo.regularization(V, p)[0], W.copy())
        assert lo.rel_error(grad, numerical) < 1e-9


def test_half_convention_has_gradient_lambda_w(rng):
    """The notes' ½ λ Σ W²: 'the gradient of this term ... is simply λw instead of 2λw'."""
    W, reg = rng.normal(size=(4, 3)), 0.3
    numerical = lo.numerical_gradient(lambda V: 0.5 * reg * float(np.sum(V**2)), W.copy())
    assert lo.rel_error(reg * W, numerical) < 1e-9


# ----------------------------------------------------------------------------
# Same scores, different penalties
# ----------------------------------------------------------------------------


def test_w1_w2_question(rng):
    """Answer: 'L2 ... charges w1 four times as much: 1.0 against 0.25 ... L1 charges both the same, 1.0 ...
    moving weight from one input to another costs nothing as long as no sign changes.'"""
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
    """'the smallest L2 penalty is at a point that uses both inputs ... The smallest L1 penalty is at a point where
    one weight is exactly 0 ... w parallel to x ... at a corner, on an axis'; the legend is beside the axes."""
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
    exactly 0); and 'In more dimensions ... L1 often sets several weights to exactly 0'."""
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
    """'plus four points of class 0 far out on the other side of the plane, beyond classes 1 and 2'. (The old text
    also said 'No linear classifier gets them right'; that was false: a band along x1 = 0 gets all four right.)"""
    points, labels, is_outlier = lo.datasets.blobs_with_outliers()
    assert is_outlier.sum() == 4 and (labels[is_outlier] == 0).all()
    others = points[~is_outlier & (labels > 0)]
    assert points[is_outlier, 0].max() < others[:, 0].min()
    assert points[~is_outlier & (labels == 0), 0].min() > others[:, 0].mean()  # class 0's blob is on the other side
    band = np.array([[0.0, 0.0, 0.0], [0.0, 1.0, -1.0], [0.9, 0.0, 0.0]])  # class 0 wins where |x1| < 0.9
    assert ((lo.datasets.add_bias(points[is_outlier]) @ band).argmax(axis=1) == 0).all()


def test_explorer_panels_are_what_the_text_says(explorer, data):
    """'Left: the decision regions ... with the training points; the outliers are ringed. Right: the size of each
    weight, with a cross where a weight is exactly 0.' (at l1, λ = 1: six crosses)."""
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


def test_table_is_what_the_explorer_shows(explorer, data):
    """'The table below trains the same classifier as the explorer, at some of the slider's values of λ'."""
    X, labels, X_val, y_val = data
    for penalty in ("l2", "l1"):
        for reg in (0.001, 0.01, 0.1, 1.0, 10**0.25, 10**0.5):
            shown = readout(explorer, reg, penalty)
            W = lo.optim.fit_proximal(X, labels, reg, penalty)
            assert shown["zeros"] == int((W == 0).sum())
            assert shown["val"] == round(float(np.mean((X_val @ W).argmax(axis=1) == y_val)), 3)
            assert shown["sumsq"] == round(float(np.sum(W**2)), 3)


def test_what_to_see_small_and_larger_lambda(explorer):
    """'Small λ (0.001): the weights are large (Σ W² = 7.842) ... Validation accuracy is 0.903.' and 'Larger λ
    (0.1 to 1): the weights shrink (Σ W² from 1.029 to 0.287) ... validation accuracy goes up, to 0.98 and 0.99.'"""
    small = readout(explorer, 0.001, "l2")
    assert small["sumsq"] == 7.842 and small["val"] == 0.903
    at_01, at_1 = readout(explorer, 0.1, "l2"), readout(explorer, 1.0, "l2")
    assert (at_01["sumsq"], at_1["sumsq"]) == (1.029, 0.287)
    assert (round(at_01["val"], 2), round(at_1["val"], 2)) == (0.98, 0.99)


def test_what_to_see_l1_zeros_grow_then_underfit(explorer, data):
    """'L1: as λ grows, more and more weights are exactly 0 ... From λ = 1.78 on, all nine are 0 ... every point
    gets the same class (class 0 ...), and validation accuracy drops to 0.333'."""
    zeros = [readout(explorer, reg, "l1")["zeros"] for reg in SLIDER]
    assert zeros == sorted(zeros) and zeros[0] == 0 and zeros[-1] == 9
    first_all = SLIDER[zeros.index(9)]
    assert round(first_all, 2) == 1.78
    top = readout(explorer, 10**0.5, "l1")
    assert top["val"] == 0.333
    X, labels, X_val, _ = data
    W = lo.optim.fit_proximal(X, labels, 10**0.25, "l1")
    assert ((X_val @ W).argmax(axis=1) == 0).all()


def test_what_to_see_l2_never_exactly_zero(explorer):
    """'L2 shrinks the weights, but at no λ of the slider is a weight exactly 0.'"""
    assert all(readout(explorer, reg, "l2")["zeros"] == 0 for reg in SLIDER)


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
# Misconceptions
# ----------------------------------------------------------------------------


def test_more_regularization_less_overfitting_until_underfitting(data):
    """'from λ = 0.001 to 1, Σ W² falls and validation accuracy rises; with L1 at λ = 1.78, the model underfits.'"""
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
    """'it adds 2λW to the gradient ... W ← W - lr (dW_data + 2λW) = (1 - 2 lr λ) W - lr dW_data'."""
    X, labels, _, _ = data
    for lr, reg in ((0.1, 0.05), (0.01, 3.0)):
        W = rng.normal(size=(3, 3))
        _, d_data = lo.svm_loss(W, X, labels)
        _, d_total = lo.svm_loss(W, X, labels, reg=reg)
        np.testing.assert_allclose(d_total - d_data, 2 * reg * W, atol=1e-12)
        np.testing.assert_allclose(W - lr * d_total, (1 - 2 * lr * reg) * W - lr * d_data, atol=1e-12)


@pytest.mark.parametrize("lam", [1.0, 0.5, 0.01])
def test_l1_slopes_are_plus_minus_lambda_and_the_centered_difference_at_0_is_0(lam):
    """'For L1 they are -1 and +1, then -λ and +λ ... At w = 0 the centered difference prints 0 ... That 0 is not a
    derivative': the one-sided slopes at 0 are -λ and +λ."""

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
    """'in the last step by amounts of the order of λ·lr = 0.1, and four of the six change sign. No weight is
    exactly 0 at any step. Only the proximal step makes them exactly 0.'"""
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


def test_aside_proximal_with_l2_alone_is_full_batch_gradient_descent(data):
    """'With the L2 penalty alone there is no soft-threshold step, and it is plain full-batch gradient descent
    (lo.sgd with the whole data set as the batch).'"""
    X, labels, _, _ = data
    W0 = 1e-3 * np.random.default_rng(3).standard_normal((3, 3))
    ours = lo.optim.fit_proximal(X, labels, 0.05, "l2", lr=0.1, steps=40, W0=W0)
    theirs = lo.sgd(
        functools.partial(lo.svm_loss, reg=0.05), W0, X, labels, lr=0.1, batch_size=len(labels), num_iters=40, seed=0
    ).W
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


def test_elastic_net_in_lossopt_has_beta_1(rng):
    """Table: 'elastic net (L1 + L2) | Σ β W² + |W| (β = 1 in `lossopt`) | 2 β W + sign(W)'."""
    W = rng.normal(size=(4, 3))
    R, dR = lo.regularization(W, "elastic")
    np.testing.assert_allclose(R, np.sum(W**2) + np.sum(np.abs(W)))
    np.testing.assert_allclose(dR, 2 * W + np.sign(W))


def test_aside_explorer_trains_every_lambda_of_a_penalty_once_then_only_draws(monkeypatch):
    """Aside: 'The explorer trains W for every λ on its slider the first time a penalty is chosen, and keeps them by λ
    and penalty: a step of the slider, or a return to a λ already seen, only draws.'"""
    import lossopt.widgets.penalty as penalty_module

    calls = []
    real = penalty_module.fit_proximal
    monkeypatch.setattr(penalty_module, "fit_proximal", lambda *a, **k: calls.append(a[2:4]) or real(*a, **k))
    explorer = lo.widgets.LambdaExplorer()
    slider = explorer.controls["reg"]
    on_slider = 10 ** np.arange(slider.min, slider.max + 1e-9, slider.step)
    assert sorted(calls) == sorted((reg, "l2") for reg in on_slider)  # the first penalty: every λ, once each
    start = len(calls)
    readout(explorer, 1.0, "l1")  # the next penalty: every λ of it, once each
    assert sorted(calls[start:]) == sorted((reg, "l1") for reg in on_slider)
    start = len(calls)
    readout(explorer, 10 ** (np.log10(1.0) + slider.step), "l1")  # a slider step
    shown = readout(explorer, 0.1, "l1")  # and a return to a λ already seen
    assert len(calls) == start  # no training
    assert shown["zeros"] == 4  # and it shows that W: 4 of 9 weights exactly 0, as in the table
