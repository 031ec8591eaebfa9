"""The softmax plots (lossopt.plots.softmax) and explorers (lossopt.widgets.softmax), driven headlessly.

Every expected value is computed here, directly, by lossopt's score-level
losses (or, for the hinge terms, by the hinge formula written out), and
compared with what the explorer drew and printed.
"""

import math

import numpy as np
import pytest

import lossopt as lo


def softmax_of(scores, label):
    """Probabilities, loss and dS of one image, straight from lo.softmax_scores_loss."""
    loss, dS = lo.softmax_scores_loss(np.asarray(scores, dtype=float)[np.newaxis], [label])
    p = dS[0].copy()
    p[label] += 1  # dS = p - onehot(label) for one image
    return p, float(loss), dS[0]


def heights(container):
    return np.array([bar.get_height() for bar in container])


def marker_lines(ax):
    """The lines drawn as dots (the "now" marker)."""
    return [line for line in ax.lines if line.get_marker() == "o"]


# ----------------------------------------------------------------------------
# plots
# ----------------------------------------------------------------------------


def test_probabilities_and_loss_is_the_lectures_cat():
    p, loss = lo.plots.probabilities_and_loss([3.2, 5.1, -1.7], 0)
    np.testing.assert_allclose(p, [0.13, 0.87, 0.00], atol=0.005)  # the lecture's chain
    assert round(loss, 2) == 2.04
    assert math.isclose(p.sum(), 1.0)


def test_softmax_chain_draws_scores_exp_and_probabilities():
    scores = np.array([3.2, 5.1, -1.7])
    axes = lo.plots.plot_softmax_chain(scores, 0, class_names=("cat", "car", "frog"))
    p, loss, _ = softmax_of(scores, 0)
    np.testing.assert_allclose(heights(axes[0].containers[0]), scores)
    np.testing.assert_allclose(heights(axes[1].containers[0]), [24.5, 164.0, 0.18], atol=0.05)  # the lecture, rounded
    np.testing.assert_allclose(heights(axes[2].containers[0]), p)
    assert f"{loss:.2f}" in axes[2].get_title()
    for ax in axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


@pytest.mark.parametrize("label", [0, 1, 2])
def test_svm_vs_softmax_shows_hinge_terms_and_probabilities(label):
    scores = np.array([-2.85, 0.86, 0.28])
    hinge_ax, probability_ax = lo.plots.plot_svm_vs_softmax(scores, label, delta=0.5, class_names="abc")
    svm = lo.svm_scores_loss([scores], [label], delta=0.5)[0]
    p, softmax, _ = softmax_of(scores, label)
    wrong = [j for j in range(3) if j != label]
    bars = [c for c in hinge_ax.containers if len(c)]
    assert [c.get_label() for c in bars] == ["abc"[j] for j in wrong]
    for container, j in zip(bars, wrong, strict=True):
        np.testing.assert_allclose(heights(container), [max(0.0, scores[j] - scores[label] + 0.5)], atol=1e-12)
    # the legend names only the wrong classes: the correct one has no bar
    assert [t.get_text() for t in hinge_ax.get_legend().get_texts()] == ["abc"[j] for j in wrong]
    np.testing.assert_allclose(heights(probability_ax.containers[0]), p)
    assert f"L = {svm:.2f}" in hinge_ax.get_title() and f"L = -ln p = {softmax:.2f}" in probability_ax.get_title()


@pytest.mark.parametrize(("moving", "label"), [(1, 0), (2, 0), (0, 0), (1, 2)])
def test_losses_vs_score_curves_are_the_losses_of_each_row(moving, label):
    scores = np.array([1.5, -0.3, 0.4])
    values = np.linspace(-4, 4, 17)
    deltas = (0.5, 1.0, 2.0)
    ax = lo.plots.plot_losses_vs_score(scores, label, moving, values, deltas=deltas, mark=0.25)
    curves = [line for line in ax.lines if line.get_label() and not line.get_label().startswith("_")]
    assert [line.get_label() for line in curves] == [*(f"SVM, delta = {d:g}" for d in deltas), "softmax", "now"]
    for k, x in enumerate(values):
        row = scores.copy()
        row[moving] = x
        for line, delta in zip(curves, deltas, strict=False):
            assert math.isclose(line.get_ydata()[k], lo.svm_scores_loss([row], [label], delta=delta)[0])
        assert math.isclose(curves[len(deltas)].get_ydata()[k], lo.softmax_scores_loss([row], [label])[0])
    # The SVM is flat (zero gradient in the moving score) beyond each dotted line; softmax never is.
    for line, delta in zip(curves, deltas, strict=False):
        x_flat = ax.lines[ax.lines.index(line) + 1].get_xdata()[0]
        row = scores.copy()
        row[moving] = x_flat + (0.1 if moving == label else -0.1)
        assert lo.svm_scores_loss([row], [label], delta=delta)[1][0, moving] == 0
        assert lo.softmax_scores_loss([row], [label])[1][0, moving] != 0
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel() and ax.get_legend() is not None


# ----------------------------------------------------------------------------
# SoftmaxScaleExplorer
# ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scale", "lecture"),
    [(1.0, [0.70, 0.04, 0.26]), (0.5, [0.55, 0.12, 0.33])],  # the notes: 0.7 is 0.705 truncated
)
def test_scale_explorer_shows_the_notes_probabilities(scale, lecture):
    explorer = lo.widgets.SoftmaxScaleExplorer()
    explorer.controls["scale"].value = scale
    score_ax, probability_ax, loss_ax = explorer.figure.axes
    scores = scale * np.array([1.0, -2.0, 0.0])
    p, loss, _ = softmax_of(scores, 0)
    np.testing.assert_allclose(heights(score_ax.containers[0]), scores)
    np.testing.assert_allclose(heights(probability_ax.containers[0]), p)
    np.testing.assert_allclose(p, lecture, atol=0.006)
    (dot,) = marker_lines(loss_ax)
    np.testing.assert_allclose(np.ravel(dot.get_xydata()), [scale, loss])
    assert f"probabilities  [{', '.join(f'{v:6.2f}' for v in p)}]" in explorer.text
    assert f"-ln p[correct] = {loss:.4f}" in explorer.text
    assert f"T = 1/scale = {1 / scale:.2f}" in explorer.text


def test_scale_explorer_at_zero_is_uniform_and_its_curve_is_the_loss():
    explorer = lo.widgets.SoftmaxScaleExplorer(scores=[2.0, 1.0, -1.0, 0.5], label=1, class_names="abcd")
    explorer.controls["scale"].value = 0.0
    p, loss, _ = softmax_of([0.0, 0.0, 0.0, 0.0], 1)
    np.testing.assert_allclose(heights(explorer.figure.axes[1].containers[0]), p)
    np.testing.assert_allclose(p, 0.25)  # scale 0, infinite temperature: every class 1/C
    assert math.isclose(loss, math.log(4))
    assert f"-ln p[correct] = {loss:.4f}" in explorer.text and "infinite" in explorer.text
    curve = explorer.figure.axes[2].lines[0]
    for x, y in curve.get_xydata()[::10]:
        assert math.isclose(y, lo.softmax_scores_loss([x * np.array([2.0, 1.0, -1.0, 0.5])], [1])[0])


# ----------------------------------------------------------------------------
# ScoreExplorer
# ----------------------------------------------------------------------------


def check_score_explorer(explorer, scores, label, delta=1.0):
    """Everything the explorer shows, against lossopt for these scores and label."""
    hinge_ax, probability_ax, curve_ax = explorer.figure.axes
    svm, svm_dS = lo.svm_scores_loss([scores], [label], delta=delta)
    p, softmax, softmax_dS = softmax_of(scores, label)
    # Hinge bars: one per wrong class, max(0, s_j - s_y + delta), and they add up to the SVM loss.
    names = explorer.class_names
    bars = {c.get_label(): heights(c) for c in hinge_ax.containers if len(c)}
    expected = {names[j]: [max(0.0, scores[j] - scores[label] + delta)] for j in range(len(scores)) if j != label}
    assert bars.keys() == expected.keys()
    for name, value in expected.items():
        np.testing.assert_allclose(bars[name], value, atol=1e-12)
    assert math.isclose(sum(b.sum() for b in bars.values()), svm, abs_tol=1e-12)
    np.testing.assert_allclose(heights(probability_ax.containers[0]), p)
    # Redrawn in place: nothing of the previous draw is left, and the correct class is marked on its own bar.
    assert len(probability_ax.containers) == 1 and len(probability_ax.patches) == len(scores)
    assert len(hinge_ax.containers) == len(scores)
    ticks = [t.get_text() for t in probability_ax.get_xticklabels()]
    assert ticks == [f"{n}\n(correct)" if k == label else n for k, n in enumerate(names)]
    (dot,) = marker_lines(curve_ax)
    np.testing.assert_allclose(dot.get_xydata(), [[scores[label], svm], [scores[label], softmax]])
    name = names[label]
    assert f"L = {svm:.4f}   dL/ds_{name} = {svm_dS[0, label] + 0.0:+.4f}" in explorer.text  # + 0.0: no "-0.0"
    assert f"L = {softmax:.4f}   dL/ds_{name} = {softmax_dS[label]:+.4f}" in explorer.text
    return svm, softmax, svm_dS[0, label], softmax_dS[label]


def test_score_explorer_starts_at_the_notes_figure():
    explorer = lo.widgets.ScoreExplorer()
    svm, softmax, _, _ = check_score_explorer(explorer, [-2.85, 0.86, 0.28], 2)
    assert (round(svm, 2), round(softmax, 2)) == (1.58, 1.04)  # the notes' comparison


def test_score_explorer_follows_every_control():
    explorer = lo.widgets.ScoreExplorer(class_names=("cat", "car", "frog"))
    explorer.controls["s0"].value = 1.25
    check_score_explorer(explorer, [1.25, 0.86, 0.28], 2)
    explorer.controls["label"].value = 0
    check_score_explorer(explorer, [1.25, 0.86, 0.28], 0)
    with explorer.hold():
        explorer.controls["s1"].value = -4.0
        explorer.controls["s2"].value = 2.5
    check_score_explorer(explorer, [1.25, -4.0, 2.5], 0)


def test_score_explorer_svm_goes_flat_while_softmax_keeps_pushing():
    explorer = lo.widgets.ScoreExplorer(delta=0.5)
    explorer.controls["s2"].value = 3.0  # margin met: 3.0 > 0.86 + 0.5
    svm, softmax, svm_push, softmax_push = check_score_explorer(explorer, [-2.85, 0.86, 3.0], 2, delta=0.5)
    assert svm == 0 and svm_push == 0
    assert softmax > 0 and softmax_push < 0
    assert "dL/ds_class 2 = +0.0000" in explorer.text
