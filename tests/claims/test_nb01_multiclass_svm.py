"""Claims of notebooks/01_multiclass_svm.ipynb: each test names the sentence it backs and checks it."""

import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

import lossopt as lo
from tests.test_notebook_solutions import collect, run_solution

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "01_multiclass_svm.ipynb"


@pytest.fixture(scope="module")
def worked():
    S, y, names = lo.datasets.worked_example()
    return np.asarray(S, float), np.asarray(y), names


@pytest.fixture(scope="module")
def notebook():
    return nbformat.read(NOTEBOOK, as_version=4)


def solutions():
    """name -> function of each hidden solution, run with only numpy (as in tests/test_notebook_solutions.py)."""
    cells = collect([NOTEBOOK])
    return {name: run_solution(name, code, NOTEBOOK.name) for name in cells for *_, code in cells[name]["solutions"]}


def tiny_problem():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    y = np.array([0, 1, 2])
    W = np.array([[2.0, 0.0, -1.0], [0.0, 2.0, -1.0]])
    return X, y, W


# ----------------------------------------------------------------------------
# The worked example and the 2016 slide error
# ----------------------------------------------------------------------------


def test_worked_example_terms_and_mean(worked):
    """The printed terms 2.9, 0 and 12.9, and 'The mean is **5.27**'."""
    S, y, _ = worked
    per_image = lo.plots.hinge_terms(S, y).sum(axis=1)
    np.testing.assert_allclose(per_image, [2.9, 0.0, 12.9], atol=1e-12)
    assert round(float(lo.svm_scores_loss(S, y)[0]), 2) == 5.27


def test_2016_slide_drops_the_margin_in_the_frog_terms(worked):
    """'max(0, 5.3) + max(0, 5.6) = 10.9, so (2.9 + 0 + 10.9) / 3 = 4.6. With the margin the frog's terms are 6.3
    and 6.6, its loss 12.9, and the mean 5.27'."""
    S, y, _ = worked
    frog = lo.plots.hinge_terms(S[2:3], y[2:3], delta=0.0)[0]  # the frog's terms without the +1
    np.testing.assert_allclose(frog[:2], [5.3, 5.6], atol=1e-12)
    cat, car = lo.plots.hinge_terms(S, y).sum(axis=1)[:2]
    assert round(float(frog.sum()), 1) == 10.9
    assert round(float((cat + car + frog.sum()) / 3), 2) == 4.6
    with_margin = lo.plots.hinge_terms(S[2:3], y[2:3], delta=1.0)[0]
    np.testing.assert_allclose(with_margin[:2], [6.3, 6.6], atol=1e-12)
    assert round(float(with_margin.sum()), 1) == 12.9
    assert round(float(lo.svm_scores_loss(S, y)[0]), 2) == 5.27


def test_car_image_has_bars_of_height_zero(worked):
    """'The car image meets both margins: both its bars have height 0.' (and the others do not)"""
    S, y, names = worked
    ax = lo.plots.plot_hinge_terms(S, y, class_names=names)
    heights = {}  # image index -> its bar heights
    for j, container in enumerate(ax.containers):
        for i, bar in zip(np.flatnonzero(y != j), container, strict=True):
            heights.setdefault(int(i), []).append(bar.get_height())
    assert heights[1] == [0.0, 0.0]
    assert max(heights[0]) > 0 and min(heights[2]) > 0


def test_lecture_loop_and_half_vectorized_forms_agree_with_lossopt(notebook, rng):
    """The notes' L_i and L_i_vectorized 'agree to 1e-12: True' with lossopt, on more than the worked example."""
    namespace = {"np": np}
    (cell,) = [c for c in notebook.cells if c.cell_type == "code" and "def L_i(" in c.source]
    exec(cell.source, namespace)
    S, y = rng.normal(size=(20, 5)), rng.integers(0, 5, size=20)
    loop = np.mean([namespace["L_i"](S[i], y[i]) for i in range(20)])
    half = np.mean([namespace["L_i_vectorized"](S[i], y[i]) for i in range(20)])
    full = lo.svm_scores_loss(S, y)[0]
    assert abs(loop - full) < 1e-12 and abs(half - full) < 1e-12


# ----------------------------------------------------------------------------
# The exercises
# ----------------------------------------------------------------------------


def test_the_gradient_rule_in_exercise_1_is_the_gradient(worked, rng):
    """'Each violated margin adds x_i to column j of dW and subtracts it from column y_i. The loss is a mean over N
    images, so divide by N' and 'add ... 2 * reg * W to dW': the rule, coded literally, matches a numerical gradient;
    so do the notes' two indicator formulas, column by column."""
    X, y = rng.normal(size=(8, 5)), rng.integers(0, 3, size=8)
    W, reg = rng.normal(size=(5, 3)), 0.3
    S = X @ W
    dW = np.zeros_like(W)
    for i in range(8):
        for j in range(3):
            if j != y[i] and S[i, j] - S[i, y[i]] + 1 > 0:
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    dW = dW / 8 + 2 * reg * W
    numerical = lo.numerical_gradient(lambda V: lo.svm_loss(V, X, y, reg)[0], W.copy())
    assert lo.rel_error(dW, numerical) < 1e-7
    indicator = (S - S[np.arange(8), y][:, None] + 1 > 0) & (np.arange(3) != y[:, None])  # (N, C) 1(margin violated)
    formulas = np.zeros_like(W)
    for i in range(8):
        formulas[:, y[i]] -= indicator[i].sum() * X[i]  # grad wrt w_{y_i}: minus the count of violations, times x_i
        for j in np.flatnonzero(indicator[i]):
            formulas[:, j] += X[i]  # grad wrt w_j: 1(violated) x_i
    np.testing.assert_allclose(formulas / 8 + 2 * reg * W, dW, atol=1e-12)
    assert indicator.any() and not indicator.all()  # both branches of the hinge occur


@pytest.mark.parametrize("name", ["svm_loss_naive", "svm_loss_vectorized"])
def test_the_gradient_comes_before_each_exercise_and_a_gradient_check_after_it(notebook, name):
    """'## The gradient' comes before the student first writes dW, and 'two exercises, each gradient-checked': the
    cell after each solution runs lo.exercises.check_gradient on the student's own function."""
    sources = [cell.source for cell in notebook.cells]
    (derivation,) = [i for i, src in enumerate(sources) if src.startswith("## The gradient")]
    (stub,) = [i for i, src in enumerate(sources) if src.startswith(f"def {name}(")]
    assert derivation < stub
    assert "\\mathbb{1}" in sources[derivation]  # the notes' indicator formulas
    (solution,) = [i for i, src in enumerate(sources) if f"Click to see a solution ({name})" in src]
    assert stub < solution
    assert notebook.cells[solution + 1].cell_type == "code"
    assert sources[solution + 1].strip() == f'lo.exercises.check_gradient("{name}", {name})'


def test_loops_are_slow_in_python(notebook):
    """'Loops over examples and classes are slow in Python.': on a CIFAR-shaped batch the loop solution
    takes several times as long as the loop-free one (best of 3, so a busy machine does not decide)."""
    found = solutions()
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((200, 3073)), rng.integers(0, 10, size=200)
    W = 1e-3 * rng.standard_normal((3073, 10))

    def best(fn):
        times = []
        for _ in range(3):
            start = time.perf_counter()
            fn(W, X, y, 1e-3)
            times.append(time.perf_counter() - start)
        return min(times)

    assert best(found["svm_loss_naive"]) > 3 * best(found["svm_loss_vectorized"])


# ----------------------------------------------------------------------------
# The lecture's questions
# ----------------------------------------------------------------------------


def test_q1_small_changes_to_the_car_scores_change_nothing(worked):
    """Q1: 'The car score beats cat by 3.6 and frog by 2.9, more than the margin of 1, so both hinge terms are 0 ...
    each score moves by up to 0.5, so a gap changes by at most 1' and the loss stays 0."""
    S, _, _ = worked
    gaps = S[1, 1] - S[1, [0, 2]]
    np.testing.assert_allclose(gaps, [3.6, 2.9], atol=1e-12)
    rng = np.random.default_rng(5)
    jiggled = S[1] + rng.uniform(-0.5, 0.5, size=(2000, 3))
    new_gaps = jiggled[:, [1]] - jiggled[:, [0, 2]]
    assert new_gaps.min() > 1.0
    assert (lo.svm_scores_loss(jiggled, np.ones(2000, int), per_example=True)[0] == 0).all()
    # and a change big enough to close a gap below 1 does change the loss
    assert lo.svm_scores_loss(S[1:2] + np.array([[0, -1.0, 1.0]]), [1])[0] > 0


def test_q2_min_is_zero_and_there_is_no_max(worked):
    """Q2: 'The minimum is 0 ... There is no maximum: a wrong score can grow without bound, and its hinge term
    grows with it' (the printed 12.9, 20.4, 110.4, 1010.4)."""
    S, y, _ = worked
    assert lo.svm_scores_loss(S[1:2], y[1:2])[0] == 0
    losses = [float(lo.svm_scores_loss([[2.2, s, -3.1]], [2])[0]) for s in (2.5, 10.0, 100.0, 1000.0, 1e6)]
    assert [round(v, 1) for v in losses[:4]] == [12.9, 20.4, 110.4, 1010.4]
    assert losses[-1] > 1e6
    rng = np.random.default_rng(0)
    assert (lo.svm_scores_loss(rng.normal(size=(500, 4)) * 10, rng.integers(0, 4, 500), per_example=True)[0] >= 0).all()


@pytest.mark.parametrize("C", [3, 10])
def test_q3_first_loss_is_near_c_minus_1(C):
    """Q3: 'C - 1 ... with three classes, 2', and the Try this: 'use ten classes instead of three'
    (the notebook's cell with 10 in place of 3: the first loss is close to 9)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 20))
    y = rng.integers(0, C, size=50)
    W = 1e-4 * rng.standard_normal((20, C))
    assert abs(float(lo.svm_loss(W, X, y)[0]) - (C - 1)) < 0.01


def test_q4_including_the_correct_class_adds_delta(worked, rng):
    """Q4: 'the loss grows by exactly Δ = 1: 6.27 instead of 5.27. Every W's loss grows by the same 1'."""
    S, y, _ = worked
    correct = S[np.arange(3), y][:, None]
    assert round(float(np.maximum(0, S - correct + 1).sum(axis=1).mean()), 2) == 6.27
    for delta in (1.0, 2.5):
        R, labels = rng.normal(size=(30, 4)), rng.integers(0, 4, 30)
        all_classes = np.maximum(0, R - R[np.arange(30), labels][:, None] + delta).sum(axis=1).mean()
        np.testing.assert_allclose(all_classes, lo.svm_scores_loss(R, labels, delta=delta)[0] + delta)


def test_q5_mean_instead_of_sum_only_rescales(worked, rng):
    """Q5: 'Only a rescaling, so the best W is the same. Summing over the images gives 2.9 + 0 + 12.9 = 15.8, three
    times 5.27 ... halves every L_i: 2.63'."""
    S, y, _ = worked
    per_image = lo.plots.hinge_terms(S, y).sum(axis=1)
    assert round(float(per_image.sum()), 2) == 15.8
    assert round(float((per_image / 2).mean()), 2) == 2.63
    X, labels = rng.normal(size=(20, 4)), rng.integers(0, 3, 20)
    candidates = [rng.normal(size=(4, 3)) for _ in range(50)]
    means = [lo.svm_loss(W, X, labels)[0] for W in candidates]
    sums = [lo.plots.hinge_terms(X @ W, labels).sum() for W in candidates]
    class_means = [(lo.plots.hinge_terms(X @ W, labels) / 2).sum(axis=1).mean() for W in candidates]
    assert np.argmin(means) == np.argmin(sums) == np.argmin(class_means)
    # '(With a penalty λ R(W), rescaling the data loss is the same as rescaling λ.)'
    reg, c = 0.05, 3.0
    penalties = [lo.regularization(W)[0] for W in candidates]
    scaled = [c * m + reg * p for m, p in zip(means, penalties, strict=True)]
    rescaled_reg = [m + reg / c * p for m, p in zip(means, penalties, strict=True)]
    np.testing.assert_allclose(scaled, c * np.array(rescaled_reg))


def test_q6_squared_hinge_can_prefer_other_scores():
    """Q6: 'scores A have one violation of 2, scores B two of 1.2: the hinge loss prefers A (2 against 2.4), the
    squared hinge B (2.88 against 4)'."""
    A = lo.plots.hinge_terms([[0.0, 1.0, -1.0]], [0])[0]
    B = lo.plots.hinge_terms([[0.0, 0.2, 0.2]], [0])[0]
    np.testing.assert_allclose(A, [0, 2.0, 0])
    np.testing.assert_allclose(B, [0, 1.2, 1.2])
    assert round(A.sum(), 2) == 2.0 and round(B.sum(), 2) == 2.4
    assert round((A**2).sum(), 2) == 4.0 and round((B**2).sum(), 2) == 2.88
    assert A.sum() < B.sum() and (A**2).sum() > (B**2).sum()


def test_q7_every_larger_multiple_of_a_zero_loss_w_has_zero_loss():
    """Q7: 'Doubling W doubles every difference between scores, so every margin that was met stays met' (the notes:
    any λW with λ > 1) '... 0.5 W still has zero loss, 0.25 W does not'; and 'R(W) = Σ W² prefers the smallest'."""
    X, y, W = tiny_problem()
    for k in (0.5, 1.0, 2.0, 10.0, 1e3):
        assert lo.svm_loss(k * W, X, y)[0] == 0
    assert round(float(lo.svm_loss(0.25 * W, X, y)[0]), 2) == 0.5
    penalties = [float(lo.regularization(k * W)[0]) for k in (1.0, 2.0, 10.0)]
    assert penalties == sorted(penalties) and penalties[0] < penalties[1]


# ----------------------------------------------------------------------------
# The margin and the scale of W, and the explorer
# ----------------------------------------------------------------------------


def test_scaling_margin_and_w_together_scales_the_data_loss(rng):
    """'Scaling both W and Δ by k scales every hinge term by k: data loss(k Δ, k W) = k · data loss(Δ, W)', and the
    printed 0.5 and 1.0."""
    X, y, W = tiny_problem()
    assert round(float(lo.svm_loss(0.25 * W, X, y)[0]), 3) == 0.5
    assert round(float(lo.svm_loss(0.5 * W, X, y, delta=2.0)[0]), 3) == 1.0
    X, y, W = rng.normal(size=(15, 4)), rng.integers(0, 3, 15), rng.normal(size=(4, 3))
    for k, delta in ((2.0, 1.0), (0.3, 1.5), (7.0, 0.2)):
        scaled = lo.svm_loss(k * W, X, y, delta=k * delta)[0]
        np.testing.assert_allclose(scaled, k * lo.svm_loss(W, X, y, delta=delta)[0])


def test_only_lambda_times_delta_matters(rng):
    """'margin Δ and strength λ give the problem of margin 1 and strength λΔ (W and the loss scaled by Δ)':
    total(Δ, λ, W) = Δ · total(1, λΔ, W / Δ) for every W."""
    X, y = rng.normal(size=(15, 4)), rng.integers(0, 3, 15)
    for delta, reg in ((2.0, 0.01), (0.5, 0.3), (3.0, 1.0)):
        for _ in range(5):
            W = rng.normal(size=(4, 3))
            left = lo.svm_loss(W, X, y, reg, delta=delta)[0]
            right = delta * lo.svm_loss(W / delta, X, y, reg * delta, delta=1.0)[0]
            np.testing.assert_allclose(left, right, rtol=1e-12)


def bars(explorer):
    """The hinge-term bars of the explorer's left panel, in class-then-image order."""
    return np.array([bar.get_height() for container in explorer.figure.axes[0].containers for bar in container])


def test_explorer_shows_what_the_text_says(worked):
    """'Left: the hinge terms as bars. Right: the data loss, the L2 penalty (λ = 0.01) and their total against k.
    The readout also gives the same problem at Δ = 1.'"""
    S, y, _ = worked
    explorer = lo.widgets.MarginExplorer(reg=0.01)
    explorer.controls["delta"].value = 1.5
    explorer.controls["scale"].value = 2.0
    terms = lo.plots.hinge_terms(2.0 * S, y, delta=1.5)
    expected = np.concatenate([terms[y != j, j] for j in range(3)])
    np.testing.assert_allclose(bars(explorer), expected, atol=1e-12)
    ax = explorer.figure.axes[1]
    lines = {line.get_label(): line for line in ax.get_lines()}
    k = np.asarray(lines["total"].get_xdata())
    data = np.array([lo.svm_loss(s * S, np.eye(3), y, delta=1.5)[0] for s in k])
    (data_label,) = [label for label in lines if label.startswith("data loss, Δ = 1.50")]
    (reg_label,) = [label for label in lines if label.startswith("reg loss")]
    np.testing.assert_allclose(lines[data_label].get_ydata(), data, atol=1e-12)
    np.testing.assert_allclose(lines[reg_label].get_ydata(), 0.01 * k**2 * np.sum(S**2), atol=1e-12)
    np.testing.assert_allclose(lines["total"].get_ydata(), data + 0.01 * k**2 * np.sum(S**2), atol=1e-12)
    assert "k" in ax.get_xlabel()
    second = explorer.text.splitlines()[1]
    assert second.startswith("Same problem at Δ = 1")
    twin = lo.svm_loss(2.0 * S / 1.5, np.eye(3), y, delta=1.0)[0]
    assert f"data loss {twin:.3f}" in second


def test_try_this_delta_2_k_2_doubles_every_bar():
    """Try this: 'set Δ = 2 and k = 2, then Δ = 1 and k = 1. What happened to every bar?' (each doubled)."""
    explorer = lo.widgets.MarginExplorer()
    explorer.controls["delta"].value = 2.0
    explorer.controls["scale"].value = 2.0
    doubled = bars(explorer)
    explorer.controls["delta"].value = 1.0
    explorer.controls["scale"].value = 1.0
    np.testing.assert_allclose(doubled, 2 * bars(explorer), atol=1e-12)
    assert (doubled > 0).sum() == 3  # cat's one bar, frog's two


def test_try_this_k_0_gives_c_minus_1():
    """Try this: 'Set k = 0, so that every score is 0. Which question above predicts the data loss you see?'
    (question 3: C - 1 = 2)."""
    explorer = lo.widgets.MarginExplorer()
    explorer.controls["scale"].value = 0.0
    assert "data loss 2.000 " in explorer.text.splitlines()[0]
    np.testing.assert_allclose(bars(explorer), 1.0)
