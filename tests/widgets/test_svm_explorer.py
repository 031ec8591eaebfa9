"""The hinge-term bars (lossopt.plots.svm) and the margin explorer (lossopt.widgets.svm), driven headlessly."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

import lossopt as lo


@pytest.fixture
def worked():
    return lo.datasets.worked_example()


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


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
