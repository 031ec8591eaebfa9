"""The sentences of notebooks/04_svm_vs_softmax.ipynb that say what a plot, an explorer or a run shows, and its
"Try this".

Each test names in its docstring the sentence it backs, does what the sentence says (same scores, same slider
values, same drop-down choice) and checks the outcome against lossopt's losses.
"""

import re

import numpy as np
import pytest

import lossopt as lo

NOTES = [-2.85, 0.86, 0.28]  # the notes' figure: one image, correct class 2
JIGGLE = np.array([[10.0, -2.0, 3.0], [10.0, 9.0, 9.0], [10.0, -100.0, -100.0]])  # first class correct


def svm_of(scores, label, delta=1.0):
    return float(lo.svm_scores_loss(np.asarray(scores, dtype=float)[np.newaxis], [label], delta=delta)[0])


def softmax_of(scores, label):
    return float(lo.softmax_scores_loss(np.asarray(scores, dtype=float)[np.newaxis], [label])[0])


def readout(explorer):
    """(SVM loss, SVM derivative, softmax loss, softmax derivative) as the ScoreExplorer's readout prints them."""
    svm_line, softmax_line = explorer.text.splitlines()[:2]
    number = r"L = ([-+\d.]+)\s+dL/ds_[^=]*= ([-+\d.]+)"
    svm, svm_slope = map(float, re.search(number, svm_line).groups())
    softmax, softmax_slope = map(float, re.search(number, softmax_line).groups())
    return svm, svm_slope, softmax, softmax_slope


def curves(ax):
    """The labelled lines of a losses-vs-score plot, by label: (x, y)."""
    return {
        line.get_label(): (np.asarray(line.get_xdata()), np.asarray(line.get_ydata()))
        for line in ax.lines
        if not line.get_label().startswith("_")
    }


# ----------------------------------------------------------------------------
# the notes' figure
# ----------------------------------------------------------------------------


def test_figure_plot_shows_hinge_terms_and_probabilities_with_the_losses():
    """ "Left: the SVM's hinge terms, one bar per wrong class (class 0's is 0). Right: the softmax probabilities, the
    correct class outlined. Each title gives the loss." """
    hinge_ax, probability_ax = lo.plots.plot_svm_vs_softmax(np.array(NOTES), 2)
    bars = [container for container in hinge_ax.containers if len(container)]
    assert [container.get_label() for container in bars] == ["class 0", "class 1"]  # the wrong classes only
    heights = [container[0].get_height() for container in bars]
    np.testing.assert_allclose(heights, [0.0, 1.58], atol=1e-12)
    probability_bars = probability_ax.containers[0]
    p = lo.softmax_probabilities([NOTES])[0]
    np.testing.assert_allclose([bar.get_height() for bar in probability_bars], p)
    widths = [bar.get_linewidth() for bar in probability_bars]
    assert widths[2] > 0 and widths[0] == widths[1] == 0  # only the correct class 2 is outlined
    assert "1.58" in hinge_ax.get_title() and "1.04" in probability_ax.get_title()


# ----------------------------------------------------------------------------
# question 1: the jiggle
# ----------------------------------------------------------------------------


def jiggle_counts(seed=0, trials=1000, size=0.1):
    """The notebook's jiggle cell: how many of ``trials`` jiggles change each image's SVM and softmax loss."""
    rng = np.random.default_rng(seed)
    labels = np.zeros(trials, dtype=int)
    svm_each = lo.svm_scores_loss(JIGGLE, [0, 0, 0], per_example=True)[0]
    softmax_each = lo.softmax_scores_loss(JIGGLE, [0, 0, 0], per_example=True)[0]
    counts = []
    for row, svm, softmax in zip(JIGGLE, svm_each, softmax_each, strict=True):
        jiggled = row + rng.uniform(-size, size, size=(trials, 3))
        svm_jiggled = lo.svm_scores_loss(jiggled, labels, per_example=True)[0]
        softmax_jiggled = lo.softmax_scores_loss(jiggled, labels, per_example=True)[0]
        counts.append((int((svm_jiggled != svm).sum()), int((softmax_jiggled != softmax).sum())))
    return counts


def test_svm_is_zero_for_all_three_and_softmax_losses_differ():
    """Answer 1: "The SVM loss is 0 in all three cases" and "The softmax losses all differ: 0.000918, 0.551 and
    3.38e-48", the [10, 9, 9] one "much higher" than the [10, -100, -100] one (the notes); "The softmax loss changes
    with every jiggle" is the next test."""
    svm = lo.svm_scores_loss(JIGGLE, [0, 0, 0], per_example=True)[0]
    softmax = lo.softmax_scores_loss(JIGGLE, [0, 0, 0], per_example=True)[0]
    assert np.all(svm == 0)
    assert [f"{v:.3g}" for v in softmax] == ["0.000918", "0.551", "3.38e-48"]
    assert softmax[1] > 1e40 * softmax[2]


def test_jiggles_change_softmax_always_and_svm_only_at_the_margin():
    """ "The SVM loss of [10, -2, 3] and [10, -100, -100] changed in none of the 1000 jiggles. For [10, 9, 9] it
    changed in 656. It stays 0 only if the correct score's random change is the largest of the three, which happens
    in about one jiggle in three. The softmax loss changed in every jiggle." """
    counts = jiggle_counts()
    assert counts == [(0, 1000), (656, 1000), (0, 1000)]
    for seed in (1, 2):  # not a lucky seed: always none, every one, and about 2/3 for [10, 9, 9]
        other = jiggle_counts(seed)
        assert other[0] == (0, 1000) and other[2] == (0, 1000) and other[1][1] == 1000
        assert abs(other[1][0] - 2000 / 3) < 60  # 4 standard deviations of a binomial(1000, 2/3)


def test_10_9_9_loses_its_zero_when_a_wrong_score_comes_closer():
    """Answer 1: "In [10, 9, 9] each hinge term is max(0, 0), right at the kink: a jiggle that brings a wrong score
    closer to the correct one makes the SVM loss positive", while the other two's "stays 0"."""
    assert svm_of([10.0, 9.0, 9.0], 0) == 0
    assert svm_of([10.0, 9.001, 9.0], 0) > 0
    assert svm_of([9.999, 9.0, 9.0], 0) > 0
    assert svm_of([10.0, 8.999, 8.999], 0) == 0  # moved apart: still 0
    assert svm_of([10.0, -2.1, 3.1], 0) == 0 and svm_of([10.0, -99.9, -100.1], 0) == 0


# ----------------------------------------------------------------------------
# question 2: adding a data point
# ----------------------------------------------------------------------------


def test_new_point_leaves_svm_sum_and_gradient_unchanged_changes_softmax():
    """Answer 2: "Its hinge terms are 0: it adds nothing to the SVM's sum nor to its gradient ... Its softmax loss and
    gradient are small but never 0", and "with the usual mean ... even the SVM's mean changes"."""
    S, y, _ = lo.datasets.worked_example()
    S_more, y_more = np.vstack([S, [[10.0, -2.0, 3.0]]]), np.append(y, 0)
    svm_before, svm_after = (lo.svm_scores_loss(A, b, per_example=True)[0].sum() for A, b in [(S, y), (S_more, y_more)])
    assert svm_after == svm_before
    assert np.all(lo.svm_scores_loss(S_more, y_more)[1][-1] == 0)
    softmax_before = lo.softmax_scores_loss(S, y, per_example=True)[0].sum()
    softmax_after = lo.softmax_scores_loss(S_more, y_more, per_example=True)[0].sum()
    assert softmax_after > softmax_before
    assert np.all(lo.softmax_scores_loss(S_more, y_more)[1][-1] != 0)
    assert lo.svm_scores_loss(S_more, y_more)[0] != lo.svm_scores_loss(S, y)[0]  # the mean does change


# ----------------------------------------------------------------------------
# the explorer
# ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built_explorer():
    return lo.widgets.ScoreExplorer(scores=NOTES, label=2)


@pytest.fixture
def explorer(built_explorer):
    """The notebook's explorer, built once per module and put back at the notes' example before each test."""
    built_explorer.controls["label"].value = 2
    for k, score in enumerate(NOTES):
        built_explorer.controls[f"s{k}"].value = score
    return built_explorer


def test_explorer_starts_at_the_notes_example(explorer):
    """ "it starts at the notes' example" (SVM 1.58, softmax 1.04), "Right: both losses as the correct score moves,
    dots at its current value." """
    svm, _, softmax, _ = readout(explorer)
    assert (svm, round(softmax, 2)) == (1.58, 1.04)
    lines = curves(explorer.figure.axes[2])
    x, svm_curve = lines["SVM, delta = 1"]
    np.testing.assert_allclose(svm_curve, [svm_of([NOTES[0], NOTES[1], v], 2) for v in x], atol=1e-12)
    _, softmax_curve = lines["softmax"]
    np.testing.assert_allclose(softmax_curve, [softmax_of([NOTES[0], NOTES[1], v], 2) for v in x], rtol=1e-12)
    dots_x, dots_y = lines["now"]
    np.testing.assert_allclose(dots_x, [0.28, 0.28])
    np.testing.assert_allclose(dots_y, [1.58, softmax_of(NOTES, 2)])


@pytest.mark.parametrize("s2", [1.86, 1.87, 2.5, 5.0, 10.0])
def test_past_1_86_svm_loss_and_derivative_are_zero_softmax_keeps_pushing(explorer, s2):
    """ "Drag the score of class 2, the correct one, up until the SVM loss reads 0. From there on the SVM's loss and
    derivative are exactly 0 ... Softmax's derivative, p - 1 ..., stays below 0", and the first Try this: "drag the
    score of class 2 from 0.28 up to 10. At which score does the SVM loss become 0 ...? Does the softmax loss ever
    reach 0?" From 1.86 = 0.86 + 1 on; softmax never."""
    explorer.controls["s2"].value = s2
    svm, svm_slope, softmax, softmax_slope = readout(explorer)
    assert svm == 0 and svm_slope == 0
    assert softmax > 0 and softmax_slope < 0
    p = lo.softmax_probabilities([[NOTES[0], NOTES[1], s2]])[0, 2]
    assert softmax_slope == round(p - 1, 4)


@pytest.mark.parametrize("s2", [0.28, 1.0, 1.85])
def test_below_1_86_the_svm_loss_is_not_zero(explorer, s2):
    """The first Try this, the other side: below 1.86 the SVM loss is above 0 and its derivative is -1, so the SVM
    loss first "reads 0" at 1.86."""
    explorer.controls["s2"].value = s2
    svm, svm_slope, _, _ = readout(explorer)
    assert svm > 0 and svm_slope == -1


def test_explorer_curve_is_flat_past_the_margin_and_softmax_never_flat(explorer):
    """ "From there on the SVM's loss and derivative are exactly 0: the flat part of its curve" (right panel)."""
    lines = curves(explorer.figure.axes[2])
    x, svm_curve = lines["SVM, delta = 1"]
    assert np.all(svm_curve[x >= 1.87] == 0) and np.all(svm_curve[x <= 1.85] > 0)
    _, softmax_curve = lines["softmax"]
    assert np.all(softmax_curve > 0) and np.all(np.diff(softmax_curve) < 0)


def test_try_class_1_correct_neither_loss_is_zero(explorer):
    """Try this: "Choose class 1, the top score, as the correct class in the drop-down. Is either loss 0? Why is the
    SVM's not?" Neither is: class 2 (0.28) is within the margin 1 of class 1 (0.86)."""
    explorer.controls["label"].value = 1
    svm, _, softmax, _ = readout(explorer)
    assert svm == pytest.approx(0.28 - 0.86 + 1) and svm > 0
    assert softmax == round(softmax_of(NOTES, 1), 4) and softmax > 0
    assert np.argmax(NOTES) == 1


# ----------------------------------------------------------------------------
# the plot at several margins
# ----------------------------------------------------------------------------


def svm_curve_shape(deltas):
    """Draw the notebook's last plot with ``deltas``; return each SVM curve (x, y) and the softmax curve."""
    ax = lo.plots.plot_losses_vs_score(NOTES, 2, 1, np.linspace(-4, 4, 161), deltas=deltas)
    lines = curves(ax)
    return {delta: lines[f"SVM, delta = {delta:g}"] for delta in deltas}, lines["softmax"], ax


def test_each_svm_curve_is_zero_until_0_28_minus_delta_then_slope_1_softmax_rises():
    """ "Each SVM curve (delta = 0.5, 1, 2) is 0 until the wrong score comes within delta of the correct one, at
    0.28 - delta (dotted lines), then rises with slope 1. The softmax curve is smooth, rises all the way and is above
    0 everywhere." """
    svm, (x, softmax), ax = svm_curve_shape((0.5, 1.0, 2.0))
    for delta, (x, y) in svm.items():
        kink = 0.28 - delta
        assert np.all(y[x <= kink] == 0)
        after = x > kink + 1e-9
        np.testing.assert_allclose(y[after], x[after] - kink, atol=1e-9)  # slope 1 from the kink
    dotted = sorted(line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == ":")
    np.testing.assert_allclose(dotted, [0.28 - 2.0, 0.28 - 1.0, 0.28 - 0.5])
    assert np.all(softmax > 0) and np.all(np.diff(softmax) > 0)


def test_try_deltas_0_1_5():
    """Try this: "Redraw the last plot with deltas=(0.0, 1.0, 5.0). Where does each SVM curve start to rise? Why does
    the delta = 5 curve never touch 0?" At 0.28, -0.72, and (delta = 5) before the left end: class 0's own term,
    -2.85 - 0.28 + 5, is above 0 whatever class 1 scores."""
    svm, _, _ = svm_curve_shape((0.0, 1.0, 5.0))
    for delta, kink in [(0.0, 0.28), (1.0, -0.72)]:
        x, y = svm[delta]
        assert np.all(y[x <= kink] == 0) and np.all(y[x > kink + 1e-9] > 0)
    x, y = svm[5.0]
    assert y.min() > 0 and y.min() == pytest.approx(-2.85 - 0.28 + 5 + (-4 - 0.28 + 5))
    assert np.all(np.diff(y) > 0)  # rising over the whole range
