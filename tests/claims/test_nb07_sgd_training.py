"""The sentences of notebook 07 (minibatch SGD) that say what a run, a plot, the search or the explorer shows.

Each test repeats the notebook's own computation (same data, seeds and values), or runs the one notebook cell it
needs, and checks what the sentence in its docstring says.
"""

import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

import lossopt as lo
from tests.test_notebook_solutions import collect, run_solution

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "07_sgd_training.ipynb"

REGS = [1e-4, 1e-3, 1e-2, 1e-1, 1.0]
LRS = [0.1, 0.3, 1.0, 3.0, 10.0, 30.0]
LOSSES = ("softmax", "svm")
SOFTMAX = "softmax"


@pytest.fixture(scope="module")
def data():
    return lo.datasets.digits(seed=0)


@pytest.fixture(scope="module")
def notebook():
    return nbformat.read(NOTEBOOK, as_version=4)


@pytest.fixture(scope="module")
def solutions():
    """The notebook's hidden solutions, as functions (run with only np in scope, as CI runs them)."""
    cells = collect([NOTEBOOK])
    return {name: run_solution(name, code, NOTEBOOK.name) for name in cells for *_, code in cells[name]["solutions"]}


def cell_with(notebook, text):
    """The source of the one code cell that contains ``text``."""
    (source,) = [cell.source for cell in notebook.cells if cell.cell_type == "code" and text in cell.source]
    return source


def markdown_with(notebook, text):
    """The one markdown cell that contains ``text``."""
    (source,) = [cell.source for cell in notebook.cells if cell.cell_type == "markdown" and text in cell.source]
    return source


def fit_quietly(data, loss, lr, reg, **kwargs):
    """A LinearClassifier fit as the notebook does it, with DivergenceWarning silenced as in its search."""
    model = lo.LinearClassifier(loss, lr=lr, reg=reg, seed=0, verbose=False, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lo.DivergenceWarning)
        return model.fit(data.X_train, data.y_train)


def search(data, regs, lrs):
    """The notebook's grid search: the models, and the validation accuracies with NaN where a run diverged."""
    models, val = {}, {}
    for loss in LOSSES:
        val[loss] = np.full((len(regs), len(lrs)), np.nan)
        for i, reg in enumerate(regs):
            for j, lr in enumerate(lrs):
                model = fit_quietly(data, loss, lr, reg, epochs=20, batch_size=200)
                models[loss, i, j] = model
                if not model.diverged_:
                    val[loss][i, j] = model.score(data.X_val, data.y_val)
    return models, val


@pytest.fixture(scope="module")
def grid(data):
    return search(data, REGS, LRS)


def test_lo_sgd_visits_every_example_once_per_epoch_in_a_fresh_order(data):
    """'lo.sgd ... goes through the data in epochs, each a fresh random order of all examples.' Also: 'twenty epochs
    of batches of 100 on 1197 images are 240 steps.'"""
    batches = []

    def loss_fn(W, X_batch, y_batch):
        batches.append(X_batch[:, 0].copy())
        return lo.linear_loss(W, X_batch, y_batch, loss="softmax")

    N = len(data.y_train)
    W0 = np.zeros((data.X_train.shape[1], 10))
    X = data.X_train.copy()
    X[:, 0] = np.arange(N)  # tag each row with its index
    run = lo.sgd(loss_fn, W0, X, data.y_train, lr=0.01, batch_size=100, epochs=20, seed=0)
    assert len(run.loss_history) == len(batches) == 240
    epochs = [np.concatenate(batches[k : k + 12]) for k in range(0, 240, 12)]
    for epoch in epochs:
        np.testing.assert_array_equal(np.sort(epoch), np.arange(N))
    assert not np.array_equal(epochs[0], epochs[1])
    assert not np.array_equal(epochs[0], np.arange(N))


def test_minibatch_gradient_error_shrinks_like_one_over_sqrt_batch_size(data):
    """'The last column stays near 5: the error shrinks like 1/√(batch size).' (the notebook's cell, same seeds)"""
    W_small = 1e-3 * np.random.default_rng(0).standard_normal((65, 10))
    rng = np.random.default_rng(0)
    _, full = lo.linear_loss(W_small, data.X_train, data.y_train, loss="softmax")
    scaled = []
    for batch_size in (1, 4, 16, 64, 256):
        errors = []
        for _ in range(200):
            batch = rng.choice(len(data.y_train), size=batch_size, replace=False)
            _, g = lo.linear_loss(W_small, data.X_train[batch], data.y_train[batch], loss="softmax")
            errors.append(np.linalg.norm(g - full) / np.linalg.norm(full))
        scaled.append(np.sqrt(np.mean(np.square(errors))) * np.sqrt(batch_size))
    assert all(4.0 < value < 6.0 for value in scaled)


def batch_run(data, batch_size, lr=0.1):
    return fit_quietly(data, "softmax", lr, 1e-4, batch_size=batch_size, num_iters=200)


def test_batch_of_one_jumps_tenfold_and_the_whole_set_falls_smoothly(data):
    """'With one example per step the loss often jumps tenfold from one step to the next ... The whole set falls
    smoothly' (and the batches of 8 and 64 never jump tenfold)."""
    one = batch_run(data, 1).loss_history_
    jumps = np.abs(np.diff(np.log10(one[-101:]))) >= 1
    assert jumps.sum() >= 20  # often: a fifth of the last 100 steps or more
    whole = batch_run(data, len(data.y_train)).loss_history_
    assert np.all(np.diff(whole) < 0)
    for batch_size in (8, 64):
        assert not (np.abs(np.diff(np.log10(batch_run(data, batch_size).loss_history_[-101:]))) >= 1).any()


@pytest.fixture
def explorer(sgd_explorer):
    """The module's one explorer, its controls back at their defaults (building one takes seconds)."""
    explorer, defaults = sgd_explorer
    with explorer.hold():
        for name, value in defaults.items():
            explorer.controls[name].value = value
    return explorer


@pytest.fixture(scope="module")
def sgd_explorer():
    explorer = lo.widgets.SGDExplorer()
    return explorer, {name: control.value for name, control in explorer.controls.items()}


def explorer_state(explorer, **values):
    with explorer.hold():
        for name, value in values.items():
            explorer.controls[name].value = value
    ax_loss = explorer.figure.axes[0]
    minibatch = np.asarray(ax_loss.lines[0].get_ydata(), dtype=float)
    full = np.asarray(ax_loss.lines[-1].get_ydata(), dtype=float)
    return minibatch, full


def test_explorer_tiny_learning_rate_falls_slowly(explorer):
    """'learning rate 0.001: after 200 steps the full training loss is still more than 5 times that of 0.1' (0.001 is
    the slider's smallest, and the loss does fall)."""
    assert explorer.controls["lr"].min == pytest.approx(-3)  # 0.001 is the smallest (log10)
    _, slow = explorer_state(explorer, lr=0.001)
    _, fast = explorer_state(explorer, lr=0.1)
    assert slow[-1] < slow[0]
    assert slow[-1] > 5 * fast[-1]


def test_explorer_batch_one_against_all(explorer, data):
    """'batch size 1, then all 1197, at learning rate 0.1: tenfold jumps, then a smooth fall'."""
    one, _ = explorer_state(explorer, lr=0.1, batch_size=1)
    assert (np.abs(np.diff(np.log10(one))) >= 1).sum() >= 20
    whole, _ = explorer_state(explorer, lr=0.1, batch_size=len(data.y_train))
    assert np.all(np.diff(whole) < 0)


def test_explorer_svm_starts_at_9(explorer):
    """'the SVM loss: its curves start at 9, not 2.30.'"""
    minibatch, full = explorer_state(explorer, loss="svm")
    assert full[0] == pytest.approx(9, abs=0.01)
    assert minibatch[0] == pytest.approx(9, abs=0.05)
    minibatch, full = explorer_state(explorer, loss="softmax")
    assert full[0] == pytest.approx(np.log(10), abs=0.01)


def test_try_this_explorer_large_rate_with_one_example_and_with_all(explorer, data):
    """Try this: 'at learning rate 10 and batch size 1 the full training loss ends far above where it started.
    Predict, then try, all 1197 examples per step.' (It falls, lower than at any batch size in the explorer at that
    rate.)"""
    _, one = explorer_state(explorer, lr=10.0, batch_size=1)
    assert one[-1] > 10 * one[0]
    _, whole = explorer_state(explorer, lr=10.0, batch_size=len(data.y_train))
    assert whole[-1] < 0.1 * whole[0]
    others = [explorer_state(explorer, batch_size=size)[1][-1] for size in (2, 32, 512)]
    assert whole[-1] < min(others)


def test_a_diverging_fit_stops_sets_diverged_and_warns(data):
    """'When ηλ > 1 ... the run diverges. lo.LinearClassifier then stops and sets diverged_ = True' (and warns)."""
    model = lo.LinearClassifier("softmax", lr=30.0, reg=1.0, epochs=20, batch_size=200, seed=0, verbose=False)
    with pytest.warns(lo.DivergenceWarning):
        model.fit(data.X_train, data.y_train)
    assert model.diverged_
    assert len(model.loss_history_) < 20 * 6  # stopped before the 120 steps it was asked for
    assert np.isfinite(model.W_).all()


def test_the_cells_marked_n_a_are_exactly_those_with_eta_lambda_above_1(grid):
    """'n/a marks the runs that diverged: exactly those with ηλ > 1, top right.' (and the printed list)"""
    models, val = grid
    expected = np.array([[lr * reg > 1 for lr in LRS] for reg in REGS])
    for loss in LOSSES:
        diverged = np.array([[models[loss, i, j].diverged_ for j in range(len(LRS))] for i in range(len(REGS))])
        np.testing.assert_array_equal(diverged, expected)
        np.testing.assert_array_equal(np.isnan(val[loss]), expected)
    # top right: the last rows (largest λ, drawn at the top) and the last columns (largest learning rate)
    assert expected[-1, -1] and not expected[0].any() and not expected[:, 0].any()


def test_heat_map_writes_n_a_in_the_diverged_cells(grid):
    """The heat map marks the diverged cells 'n/a' (and the title says so)."""
    _, val = grid
    ax = lo.plots.plot_search_heatmap(val["svm"], REGS, LRS, vmin=0.9, title="svm: validation accuracy (n/a: diverged)")
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts}
    for (i, j), value in np.ndenumerate(val["svm"]):
        assert (texts[i, j] == "n/a") == bool(np.isnan(value))


def test_the_framed_cell_is_the_best_setting_the_search_kept(grid):
    """'the frame marks the best setting (the first of any ties)': the model the search cell kept."""
    _, val = grid
    for loss in LOSSES:
        ax = lo.plots.plot_search_heatmap(val[loss], REGS, LRS, vmin=0.9, title=loss)
        (frame,) = [patch for patch in ax.patches if not patch.get_fill()]
        x, y = frame.get_xy()
        i, j = np.unravel_index(np.nanargmax(val[loss]), val[loss].shape)  # what the notebook's search keeps
        assert (round(y + 0.5), round(x + 0.5)) == (i, j)
        assert val[loss][i, j] == np.nanmax(val[loss])
        assert (frame.get_width(), frame.get_height()) == (1, 1)


def test_eta_lambda_equal_to_1_does_not_diverge_but_learns_nothing_useful(grid):
    """'At ηλ = 1 the factor is −1: W flips its sign without growing, and learns nothing useful.'"""
    models, val = grid
    cells = [(i, j) for i in range(len(REGS)) for j in range(len(LRS)) if REGS[i] * LRS[j] == 1]
    assert len(cells) == 2
    for loss in LOSSES:
        for i, j in cells:
            assert not models[loss, i, j].diverged_
            assert val[loss][i, j] < 0.1  # below chance


def test_strongest_penalty_row_is_worse_than_weak_penalties(grid):
    """'With λ = 1 (top row), even the runs that do not diverge are worse than all runs with λ ≤ 1e-3 and a learning
    rate up to 3.'"""
    _, val = grid
    for loss in LOSSES:
        top = val[loss][REGS.index(1.0)]
        weak = val[loss][: REGS.index(1e-3) + 1, : LRS.index(3.0) + 1]
        assert np.nanmax(top) < weak.min()


def test_other_settings_are_within_one_validation_image_of_the_best(grid):
    """'Other settings are within one validation image (1/300) of the best' (the cell above counts them, the best
    included)."""
    _, val = grid
    for loss in LOSSES:
        close = val[loss] >= np.nanmax(val[loss]) - 1 / 300 - 1e-12
        assert close.sum() >= 2  # the best and at least one other
        assert np.nanmax(val[loss][close]) - np.nanmin(val[loss][close]) <= 1 / 300 + 1e-12


def test_summary_l2_factor_below_minus_one_exactly_where_runs_diverge(grid):
    """'When ηλ > 1 the factor 1 − 2ηλ is below −1: W flips its sign and grows every step, and the run diverges',
    with the step W <- (1 - 2ηλ) W - η ∇L_data(W); the summary: 'Runs with ηλ > 1 diverge.'"""
    models, _ = grid
    for loss in LOSSES:
        for i, reg in enumerate(REGS):
            for j, lr in enumerate(LRS):
                assert models[loss, i, j].diverged_ == (1 - 2 * lr * reg < -1)
    # the step itself: W <- (1 - 2 lr reg) W - lr dW_data, for a W-level loss with L2
    data = lo.datasets.digits(seed=0)
    W = np.random.default_rng(0).standard_normal((65, 10))
    _, dW = lo.linear_loss(W, data.X_train, data.y_train, 0.5, loss="softmax")
    _, dW_data = lo.linear_loss(W, data.X_train, data.y_train, 0.0, loss="softmax")
    np.testing.assert_allclose(W - 3.0 * dW, (1 - 2 * 3.0 * 0.5) * W - 3.0 * dW_data)


@pytest.fixture(scope="module")
def template_cell(notebook, data):
    """The notebook's template cell, run on its own: its namespace (template_model, pixels, axes) and its figure."""
    namespace = {"lo": lo, "np": np, "plt": plt, "data": data, "num_classes": 10}
    show = plt.show
    plt.show = lambda: None  # keep the figure to inspect
    try:
        exec(compile(cell_with(notebook, "template_model.fit("), str(NOTEBOOK), "exec"), namespace)
    finally:
        plt.show = show
    namespace["figure"] = namespace["axes"][0].figure
    yield namespace
    plt.close(namespace["figure"])


def similarity(template_cell):
    """Correlation of template k (rows) with the mean image of digit j (columns), as the checked cell computes it."""
    X, y = template_cell["pixels"]["train"], lo.datasets.digits(seed=0).y_train
    templates = template_cell["template_model"].W_[:64].T  # (10, 64)
    means = np.array([X[y == k, :64].mean(axis=0) for k in range(10)])
    return np.corrcoef(templates, means)[:10, 10:]


def test_template_pixels_are_the_same_split_mean_subtracted(template_cell, data):
    """'we train a softmax classifier with λ = 0.1 on pixels prepared as the assignment does: the mean image
    subtracted, no per-pixel scaling' (the same images and labels as the standardized split)."""
    raw = lo.datasets.digits(seed=0, standardize=False)
    train = template_cell["pixels"]["train"]
    assert np.abs(train[:, :64].mean(axis=0)).max() < 1e-12  # the training mean image is subtracted
    np.testing.assert_allclose(train[:, :64] * 16, raw.X_train[:, :64] - raw.X_train[:, :64].mean(axis=0))
    standardized = (train[:, :64] - train[:, :64].mean(axis=0)) / np.where(
        train[:, :64].std(axis=0) > 0, train[:, :64].std(axis=0), 1
    )
    np.testing.assert_allclose(standardized, data.X_train[:, :64], atol=1e-9)  # the same images, in the same order
    assert template_cell["template_model"].reg == 0.1 and template_cell["template_model"].loss == "softmax"


def test_each_template_is_most_similar_to_its_own_digits_mean_image(template_cell):
    """'Each template is most similar to its own digit's mean image.' And the answer: 'Each looks like a blurry copy of
    its digit': each correlates above 0.9 with its digit's mean image."""
    sim = similarity(template_cell)
    np.testing.assert_array_equal(sim.argmax(axis=1), np.arange(10))
    assert sim.diagonal().min() > 0.9


def test_answer_the_middle_of_the_0_is_negative_where_other_digits_have_ink(template_cell):
    """Answer: 'positive where that digit has ink, negative where other digits have ink that this digit lacks (the
    middle of the 0)'."""
    X, y = template_cell["pixels"]["train"], lo.datasets.digits(seed=0).y_train
    zero = template_cell["template_model"].W_[:64, 0].reshape(8, 8)
    middle = (slice(3, 5), slice(3, 5))
    zeros, others = X[y == 0, :64].mean(axis=0).reshape(8, 8), X[y != 0, :64].mean(axis=0).reshape(8, 8)
    assert (others[middle] > zeros[middle]).all()  # the other digits have ink there that the 0 lacks
    assert (zero[middle] < 0).all()
    inked = zeros > zeros.mean() + zeros.std()  # where the 0s have the most ink (the ring)
    assert (zero[inked] > 0).mean() > 0.8


def test_the_strong_penalty_costs_accuracy_against_the_search_best(template_cell, grid, data):
    """'The strong penalty costs accuracy against the search's best.'"""
    _, val = grid
    accuracy = template_cell["template_model"].score(template_cell["pixels"]["val"], data.y_val)
    assert accuracy < np.nanmax(val["softmax"]) - 0.05


def test_template_picture_red_where_ink_raises_the_score_centred_at_0(template_cell):
    """'Red: ink raises the class's score; blue: ink lowers it.' A diverging map centred at 0, one scale for all."""
    W = template_cell["template_model"].W_[:64]
    for k, ax in enumerate(template_cell["axes"]):
        (image,) = ax.get_images()
        low, high = image.get_clim()
        assert low == -high == -np.abs(W).max()
        rgba = image.to_rgba(np.asarray(image.get_array()))  # (8, 8, 4)
        weights = W[:, k].reshape(8, 8)
        strong = np.abs(weights) > 0.3 * high
        red, blue = rgba[..., 0], rgba[..., 2]
        assert (red[strong & (weights > 0)] > blue[strong & (weights > 0)]).all()
        assert (blue[strong & (weights < 0)] > red[strong & (weights < 0)]).all()
        assert ax.get_title() == f"digit {k}"


def test_try_this_more_learning_rates_diverge_exactly_where_eta_lambda_exceeds_1(data):
    """Try this: 'Add 100 to lrs and predict from ηλ > 1 which new cells diverge; then run the search.'"""
    models, _ = search(data, REGS, [100.0])
    for loss in LOSSES:
        diverged = [models[loss, i, 0].diverged_ for i in range(len(REGS))]
        assert diverged == [reg * 100.0 > 1 for reg in REGS]


def test_logistic_regression_minimizes_our_loss_at_lambda_1_over_2CN(data):
    """'LogisticRegression is the softmax classifier with an L2 penalty set by its parameter C: in our terms
    λ = 1 / (2 C N)': at the W of LogisticRegression(C=1.0, fit_intercept=False), the gradient of our loss is small
    with reg = 1 / (2N), and much larger with reg = 1 / N."""
    N = len(data.y_train)
    model = LogisticRegression(C=1.0, fit_intercept=False).fit(data.X_train, data.y_train)
    W = model.coef_.T

    def largest_gradient(reg):
        return np.abs(lo.softmax_loss(W, data.X_train, data.y_train, reg=reg)[1]).max()

    assert largest_gradient(1 / (2 * N)) < 1e-3
    assert largest_gradient(1 / N) > 10 * largest_gradient(1 / (2 * N))


def test_logistic_regression_leaves_its_intercept_out_of_the_penalty(data):
    """'It fits its own intercept and leaves it out of the penalty': with an intercept, its solution makes the
    gradient of our loss small once the penalty's gradient skips the bias row."""
    N = len(data.y_train)
    model = LogisticRegression(C=1.0, tol=1e-8, max_iter=2000).fit(data.X_train[:, :-1], data.y_train)
    W = np.vstack([model.coef_.T, model.intercept_])  # (65, 10), the bias last, like our bias trick
    reg = 1 / (2 * N)
    _, data_gradient = lo.softmax_loss(W, data.X_train, data.y_train)
    penalty_gradient = 2 * reg * W
    penalty_gradient[-1] = 0  # no penalty on the intercept
    assert np.abs(data_gradient + penalty_gradient).max() < 1e-5
    penalty_gradient[-1] = 2 * reg * W[-1]  # with it penalized, this is not a minimum
    assert np.abs(data_gradient + penalty_gradient).max() > 1e-4


def test_linear_svc_defaults_are_one_vs_rest_squared_hinge():
    """'LinearSVC is a one-vs-rest SVM with the squared hinge loss (its defaults)'."""
    params = LinearSVC().get_params()
    assert params["loss"] == "squared_hinge"
    assert params["multi_class"] == "ovr"


def test_explorer_draws_minibatch_mean_full_loss_and_accuracies(explorer, data):
    """'Left: the minibatch loss (faint), its 20-step mean, the full training loss (dashed); right: training and
    validation accuracy.'"""
    minibatch, full = explorer_state(explorer, lr=0.1, batch_size=32)
    ax_loss, ax_acc = explorer.figure.axes
    faint, mean, dashed = ax_loss.lines[0], ax_loss.lines[1], ax_loss.lines[-1]
    assert len(minibatch) == 200 and faint.get_alpha() is not None and faint.get_alpha() < 1
    assert "20-step mean" in mean.get_label()
    window = np.asarray(mean.get_ydata())
    assert any(np.isclose(window, minibatch[k : k + 20].mean()).any() for k in range(0, 181, 45))
    assert dashed.get_linestyle() == "--"
    model = lo.LinearClassifier("softmax", lr=0.1, reg=1e-4, batch_size=32, num_iters=200, seed=0, verbose=False)
    model.fit(data.X_train, data.y_train)
    assert full[-1] == pytest.approx(float(model.loss_and_gradient(model.W_, data.X_train, data.y_train)[0]))
    labels = [line.get_label() for line in ax_acc.lines]
    assert labels == ["training", "validation"]
    assert ax_acc.lines[1].get_ydata()[-1] == pytest.approx(model.score(data.X_val, data.y_val))


def test_comparison_softmax_gets_close_to_the_minimum(data):
    """'Our softmax gets that λ, and 100 epochs with a halving learning rate to get close to the minimum.' Its
    objective closes all but 0.1% of the gap from the start to the minimum (found by LogisticRegression with a tight
    tolerance and the bias penalized, as ours)."""
    N = len(data.y_train)
    reg = 1 / (2 * N)
    ours = fit_quietly(
        data, "softmax", 4.0, reg, batch_size=200, epochs=100, schedule=lo.step_decay(25 * -(-N // 200), 0.5)
    )
    exact = LogisticRegression(C=1.0, fit_intercept=False, tol=1e-10, max_iter=5000).fit(data.X_train, data.y_train)

    def objective(W):
        return lo.softmax_loss(W, data.X_train, data.y_train, reg=reg)[0]

    gap = objective(ours.W_) - objective(exact.coef_.T)
    assert 0 <= gap < 1e-3 * (objective(ours.W0_) - objective(exact.coef_.T))


def test_the_minibatch_section_quotes_the_notes_reasons(notebook):
    """The notes' reasons for minibatches are in the minibatch section (quoted from optimization-1.md)."""
    text = " ".join(markdown_with(notebook, "## Minibatch SGD").split())
    for quote in (
        "it seems wasteful to compute the full loss function over the entire training set",
        "the examples in the training data are correlated",
        "the gradient from a mini-batch is a good approximation of the gradient of the full objective",
        "due to vectorized code optimizations it can be computationally much more efficient to evaluate the gradient "
        "for 100 examples, than the gradient for one example 100 times",
        "e.g. 32, 64 or 128. We use powers of 2 in practice",
    ):
        assert f"{quote}" in text, quote


def test_vectorized_100_examples_at_once_is_much_faster_than_one_at_a_time(notebook, data):
    """'The notes' point on vectorized code, timed: 100 examples at once against one example 100 times.' The
    notebook's timing cell (each the best of 5 runs): at once is more than 5 times faster."""
    namespace = {"lo": lo, "np": np, "data": data, "W_small": 1e-3 * np.random.default_rng(0).standard_normal((65, 10))}
    exec(compile(cell_with(notebook, "one example, 100 times"), str(NOTEBOOK), "exec"), namespace)
    best = namespace["timings"]
    assert best["one example, 100 times"] > 5 * best["100 examples at once"]


def test_predict_solution_gives_the_accuracy_model_score_prints(solutions, data):
    """'model.score is the accuracy: the fraction of right predictions ... the class of its highest score in X @ W'
    (the notebook's first model, with the hidden solution of predict)."""
    model = lo.LinearClassifier("softmax", lr=0.3, reg=1e-4, epochs=20, batch_size=100, seed=0, verbose=False)
    model.fit(data.X_train, data.y_train)
    for X, y in ((data.X_train, data.y_train), (data.X_val, data.y_val)):
        y_pred = solutions["predict"](model.W_, X)
        assert y_pred.shape == y.shape
        assert np.mean(y_pred == y) == model.score(X, y)


def test_search_cell_runs_the_exercise_search_for_softmax(solutions, grid, data):
    """'The cell below runs this search for both losses (20 epochs, batches of 200)': the hidden solution of
    hyperparameter_search with epochs=20 gives the softmax grid's validation accuracies (on a corner of the grid, a
    diverging run included), and picks by validation accuracy."""
    models, val = grid
    regs, lrs = [1e-4, 1.0], [3.0, 30.0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lo.DivergenceWarning)
        best, results = solutions["hyperparameter_search"](
            data.X_train, data.y_train, data.X_val, data.y_val, lrs, regs, epochs=20, seed=0
        )
    assert set(results) == {(lr, reg) for lr in lrs for reg in regs}
    for (lr, reg), (train_accuracy, val_accuracy) in results.items():
        i, j = REGS.index(reg), LRS.index(lr)
        if np.isnan(val[SOFTMAX][i, j]):
            assert np.isnan(val_accuracy)
        else:
            assert val_accuracy == val[SOFTMAX][i, j]
            assert train_accuracy == models[SOFTMAX, i, j].score(data.X_train, data.y_train)
    corner = {(lr, reg): val[SOFTMAX][REGS.index(reg), LRS.index(lr)] for lr in lrs for reg in regs}
    assert corner[best] == np.nanmax(list(corner.values()))
