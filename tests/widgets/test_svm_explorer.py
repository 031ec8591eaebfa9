"""The hinge-term bars (lossopt.plots.svm) and the margin explorer (lossopt.widgets.svm), driven headlessly."""

import numpy as np
import pytest

import lossopt as lo


@pytest.fixture
def worked():
    return lo.datasets.worked_example()


# ----------------------------------------------------------------------------
# hinge_terms and plot_hinge_terms
# ----------------------------------------------------------------------------


def test_hinge_terms_are_the_lectures(worked):
    terms = lo.plots.hinge_terms(worked.scores, worked.labels)
    # The lecture: cat 2.9 + 0, car 0 + 0, frog 6.3 + 6.6.
    np.testing.assert_allclose(terms, [[0, 2.9, 0], [0, 0, 0], [6.3, 6.6, 0]], atol=1e-12)


@pytest.mark.parametrize("delta", [0.0, 0.5, 1.0, 3.0])
def test_hinge_terms_add_up_to_svm_scores_loss(rng, delta):
    S = rng.normal(size=(7, 4))
    y = rng.integers(0, 4, size=7)
    terms = lo.plots.hinge_terms(S, y, delta=delta)
    assert (terms[np.arange(7), y] == 0).all()
    loss, _ = lo.svm_scores_loss(S, y, delta=delta)
    np.testing.assert_allclose(terms.sum(axis=1).mean(), loss, rtol=1e-12)
    # and each row is that image's own loss
    for i in range(7):
        np.testing.assert_allclose(terms[i].sum(), lo.svm_scores_loss(S[i : i + 1], y[i : i + 1], delta=delta)[0])


def test_plot_hinge_terms_bars_are_the_terms(worked):
    ax = lo.plots.plot_hinge_terms(worked.scores, worked.labels, delta=2.0, class_names=worked.class_names)
    terms = lo.plots.hinge_terms(worked.scores, worked.labels, delta=2.0)
    assert [c.get_label() for c in ax.containers] == list(worked.class_names)
    for j, container in enumerate(ax.containers):
        wrong = np.flatnonzero(worked.labels != j)
        np.testing.assert_allclose([bar.get_height() for bar in container], terms[wrong, j])
    loss = lo.svm_scores_loss(worked.scores, worked.labels, delta=2.0)[0]
    assert f"L = {loss:.2f}" in ax.get_title()
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_legend() is not None
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat image", "car image", "frog image"]


def test_plot_hinge_terms_checks_its_input():
    with pytest.raises(ValueError, match="delta"):
        lo.plots.plot_hinge_terms([[1.0, 2.0]], [0], delta=-1)
    with pytest.raises(ValueError, match="y"):
        lo.plots.plot_hinge_terms([[1.0, 2.0]], [2])


# ----------------------------------------------------------------------------
# MarginExplorer
# ----------------------------------------------------------------------------


def line(ax, label):
    (found,) = [artist for artist in ax.get_lines() if artist.get_label() == label]
    return found


def test_margin_explorer_starts_at_the_lecture(worked):
    explorer = lo.widgets.MarginExplorer(reg=0.01)
    bars, _ = explorer.figure.axes
    heights = [bar.get_height() for container in bars.containers for bar in container]
    np.testing.assert_allclose(sorted(heights), [0, 0, 0, 2.9, 6.3, 6.6], atol=1e-12)
    assert "data loss 5.267" in explorer.text
    assert explorer.png[:4] == b"\x89PNG"


@pytest.mark.parametrize(("delta", "scale"), [(2.0, 1.5), (0.5, 0.0), (3.0, 2.25)])
def test_margin_explorer_shows_what_lossopt_computes(worked, delta, scale):
    reg = 0.02
    explorer = lo.widgets.MarginExplorer(reg=reg)
    with explorer.hold():
        explorer.controls["delta"].value = delta
        explorer.controls["scale"].value = scale
    W, X, y = scale * worked.scores, np.eye(3), worked.labels
    bars, curves = explorer.figure.axes

    # Left: the bars are the hinge terms of the scaled scores at this margin.
    expected = lo.plots.hinge_terms(W, y, delta=delta)
    for j, container in enumerate(bars.containers):
        np.testing.assert_allclose([bar.get_height() for bar in container], expected[y != j, j])
    assert f"Δ = {delta:g}" in bars.get_title()

    # Right: the data-loss curve is lossopt's data loss along the scale axis.
    data_line = line(curves, f"data loss, Δ = {delta:.2f}")
    ks = data_line.get_xdata()
    np.testing.assert_allclose(
        data_line.get_ydata(), [lo.svm_loss(k * worked.scores, X, y, delta=delta)[0] for k in ks]
    )
    total_line = line(curves, "total")
    np.testing.assert_allclose(
        total_line.get_ydata(), [lo.svm_loss(k * worked.scores, X, y, reg, delta=delta)[0] for k in ks]
    )

    # Readout: data, reg and total as lossopt computes them, and the delta = 1 twin.
    data = lo.svm_loss(W, X, y, delta=delta)[0]
    total = lo.svm_loss(W, X, y, reg, delta=delta)[0]
    first, second = explorer.text.splitlines()[:2]
    assert f"data loss {data:.3f} + reg loss {reg * lo.regularization(W)[0]:.3f} = total {total:.3f}" in first
    twin = lo.svm_loss(W / delta, X, y, reg * delta, delta=1.0)[0]
    assert f"λ·Δ = {reg * delta:.3g}" in second
    assert f"each × Δ = {data:.3f} and {total - data:.3f}" in second  # back to this Δ's data and reg loss
    np.testing.assert_allclose(delta * twin, total)  # the lesson itself: (Δ, λ, W) is (1, λΔ, W/Δ) scaled by Δ


def test_data_loss_is_homogeneous_in_delta_and_w(rng):
    X = rng.normal(size=(20, 5))
    W = rng.normal(size=(5, 4))
    y = rng.integers(0, 4, size=20)
    for k in (0.5, 2.0, 7.0):
        np.testing.assert_allclose(
            lo.svm_loss(k * W, X, y, delta=k * 1.0)[0], k * lo.svm_loss(W, X, y, delta=1.0)[0], rtol=1e-12
        )


def test_margin_explorer_redraws_on_each_control(worked):
    explorer = lo.widgets.MarginExplorer()
    before = explorer.text, explorer.png
    explorer.controls["scale"].value = 2.0
    after_scale = explorer.text, explorer.png
    explorer.controls["delta"].value = 0.5
    assert before[0] != after_scale[0] != explorer.text
    assert before[1] != after_scale[1] != explorer.png
