"""SGDExplorer, driven headlessly: its curves and readout are what lossopt computes with the same seed."""

import numpy as np
import pytest

import lossopt as lo
from lossopt.widgets.training import SGDExplorer

STEPS = 60  # short runs keep the tests fast; the explorer's default is 200


@pytest.fixture(scope="module")
def data():
    return lo.datasets.digits(seed=0)


@pytest.fixture
def explorer(data):
    return SGDExplorer(data, steps=STEPS, seed=3)


def fitted(data, loss, lr, batch_size, seed=3, reg=1e-4):
    """The public classifier trained on the same setting, outside the explorer."""
    model = lo.LinearClassifier(loss, lr=lr, reg=reg, batch_size=batch_size, num_iters=STEPS, seed=seed, verbose=False)
    return model.fit(data.X_train, data.y_train)


@pytest.mark.parametrize(("loss", "lr", "batch_size"), [("softmax", 0.1, 32), ("svm", 1.0, 4), ("softmax", 3.0, 1197)])
def test_curves_and_readout_match_linear_classifier(explorer, data, loss, lr, batch_size):
    with explorer.hold():
        explorer.controls["loss"].value = loss
        explorer.controls["lr"].value = lr
        explorer.controls["batch_size"].value = batch_size
    model = fitted(data, loss, lr, batch_size)
    ax_loss, ax_acc = explorer.figure.axes

    # The faint line is the minibatch loss of every step, exactly LinearClassifier's history.
    np.testing.assert_array_equal(ax_loss.lines[0].get_ydata(), model.loss_history_)
    # The dashed line ends at the full training loss of the final W.
    full = float(model.loss_and_gradient(model.W_, data.X_train, data.y_train)[0])
    assert ax_loss.lines[-1].get_xdata()[-1] == STEPS
    assert ax_loss.lines[-1].get_ydata()[-1] == pytest.approx(full, rel=1e-12)
    # The validation curve ends at the classifier's validation accuracy, and the readout says so.
    val = model.score(data.X_val, data.y_val)
    assert ax_acc.lines[1].get_ydata()[-1] == pytest.approx(val)
    train = model.score(data.X_train, data.y_train)
    assert ax_acc.lines[0].get_ydata()[-1] == pytest.approx(train)
    assert f"validation accuracy {val:.3f}" in explorer.text
    assert f"training accuracy {train:.3f}" in explorer.text
    assert f"full training loss {full:.3f}" in explorer.text
    assert f"{STEPS} steps × {batch_size} = {STEPS * batch_size} examples seen" in explorer.text
    assert explorer.text.startswith(f"{loss}, lr {lr:.2e}, batch {batch_size}:")


def test_full_batch_minibatch_loss_is_the_full_loss(explorer, data):
    # With batch = all examples, step t's minibatch loss is the loss of W_t on the whole set,
    # which the dashed curve measures independently at its checkpoints.
    explorer.controls["batch_size"].value = len(data.y_train)
    ax_loss = explorer.figure.axes[0]
    history = ax_loss.lines[0].get_ydata()
    steps, full = ax_loss.lines[-1].get_data()
    inside = steps < STEPS  # the last checkpoint is after the last step
    np.testing.assert_allclose(history[steps[inside].astype(int)], full[inside], rtol=1e-10)


def test_small_batches_are_noisier(explorer):
    def roughness():
        history = explorer.figure.axes[0].lines[0].get_ydata()
        return np.abs(np.diff(history[STEPS // 2 :])).mean()  # step-to-step jumps, after the first descent

    explorer.controls["batch_size"].value = 2
    small = roughness()
    explorer.controls["batch_size"].value = 512
    assert small > 5 * roughness()


def test_runs_are_cached_and_repeat(explorer):
    explorer.controls["lr"].value = 1.0
    first_text, first_curve = explorer.text, explorer.figure.axes[0].lines[0].get_ydata().copy()
    run = explorer.run("softmax", 1.0, 32)
    explorer.controls["lr"].value = 0.01
    assert explorer.text != first_text
    explorer.controls["lr"].value = 1.0
    assert explorer.run("softmax", 1.0, 32) is run  # not trained again
    assert explorer.text == first_text
    np.testing.assert_array_equal(explorer.figure.axes[0].lines[0].get_ydata(), first_curve)


def test_every_plot_is_labelled_and_the_legend_is_below_the_data(explorer):
    for ax in explorer.figure.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        assert ax.get_legend() is None  # no legend over the curves: one below both panels
    (legend,) = explorer.figure.legends
    labels = [text.get_text() for text in legend.get_texts()]
    assert labels == ["minibatch loss (6-step mean)", "full training loss", "training", "validation"]
    styles = [(line.get_color(), line.get_linestyle()) for line in legend.get_lines()]
    assert len(set(styles)) == len(styles)  # each entry tells its curve apart


@pytest.mark.parametrize(("kwargs", "message"), [({"batch_size": 100}, "batch_size"), ({"loss": "hinge"}, "loss")])
def test_bad_settings_are_refused(data, kwargs, message):
    with pytest.raises(ValueError, match=message):
        SGDExplorer(data, steps=STEPS, **kwargs)
