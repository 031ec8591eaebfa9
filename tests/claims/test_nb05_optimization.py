"""The sentences of notebook 05 (optimization) that say what a run, a plot or the explorer shows.

Each test repeats the notebook's own computation (same data, seeds and values) and checks what the sentence
in its docstring says.
"""

import functools
import inspect
from pathlib import Path

import nbformat
import numpy as np
import pytest

import lossopt as lo

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "05_optimization.ipynb"
D, C = 65, 10


@pytest.fixture(scope="module")
def data():
    return lo.datasets.digits(seed=0)


@pytest.fixture(scope="module")
def train(data):
    return data.X_train[:500], data.y_train[:500]


def svm_loss_of(X, y):
    return lambda W: float(lo.svm_loss(W, X, y)[0])


def random_search(loss, seed=0):
    rng = np.random.default_rng(seed)
    best_loss, W_best = np.inf, None
    for _ in range(1000):
        W = 0.001 * rng.standard_normal((D, C))
        current = loss(W)
        if current < best_loss:
            best_loss, W_best = current, W
    return best_loss, W_best


def random_local_search(loss, step, seed=0):
    """The notebook's strategy 2 with steps of `step`: (final loss, steps taken, W)."""
    rng = np.random.default_rng(seed)
    W = 0.001 * rng.standard_normal((D, C))
    current, taken = loss(W), 0
    for _ in range(1000):
        W_try = W + step * rng.standard_normal((D, C))
        loss_try = loss(W_try)
        if loss_try < current:
            W, current, taken = W_try, loss_try, taken + 1
    return current, taken, W


def accuracy(W, X, y):
    return float(np.mean((X @ W).argmax(axis=1) == y))


@pytest.fixture(scope="module")
def searches(train):
    loss = svm_loss_of(*train)
    return {
        "random": random_search(loss),
        **{step: random_local_search(loss, step) for step in (0.001, 0.01, 0.1)},
    }


def test_random_search_beats_chance_but_hardly_moves_the_loss(searches, data):
    """'Better than chance, but the loss has hardly moved from 9.'"""
    best_loss, W_best = searches["random"]
    assert accuracy(W_best, data.X_test, data.y_test) > 0.1 + 0.05
    assert best_loss > 0.98 * 9.0


def test_random_local_search_is_much_better_but_throws_most_tries_away(searches):
    """'Much better ... most tries went up and were thrown away.'"""
    final, taken, _ = searches[0.01]
    assert final < searches["random"][0] / 10
    assert taken < 500


def test_try_this_local_search_step_sizes(searches):
    """Try this: 'Run random local search with steps of 0.001 and 0.1 instead of 0.01. Which ends lower after 1000
    tries, and how many steps does each take?' Both end higher than 0.01 (too timid, too rough); the larger the
    step, the fewer tries are downhill."""
    losses = {step: searches[step][0] for step in (0.001, 0.01, 0.1)}
    taken = {step: searches[step][1] for step in (0.001, 0.01, 0.1)}
    assert losses[0.01] < losses[0.1] < losses[0.001]
    assert taken[0.001] > taken[0.01] > taken[0.1]


@pytest.fixture(scope="module")
def small_problem(train):
    X, y = train
    X_small, y_small = X[:50], y[:50]
    W = 0.01 * np.random.default_rng(1).standard_normal((D, C))
    return X_small, y_small, W


def test_centered_differences_agree_far_better_and_cost_two_evaluations_per_weight(small_problem):
    """'The centered one agrees far better. But each needs one or two evaluations of the loss per weight: 1300 here'
    (the cell prints each largest difference as a power of 10: far from the edge between two powers)."""
    X_small, y_small, W = small_problem
    calls = []

    def f(W):
        calls.append(1)
        return float(lo.softmax_loss(W, X_small, y_small)[0])

    _, analytic = lo.softmax_loss(W, X_small, y_small)
    forward = np.abs(lo.numerical_gradient(f, W, 1e-5, method="forward") - analytic).max()
    assert len(calls) == D * C + 1
    calls.clear()
    centered = np.abs(lo.numerical_gradient(f, W, 1e-5, method="centered") - analytic).max()
    assert len(calls) == 2 * D * C == 1300
    assert forward < 1e-5
    assert centered < forward / 1000
    for difference in (forward, centered):  # printed as 1e{round(log10)}: 0.1 or more from the .5 edge
        assert abs(abs(np.log10(difference) % 1) - 0.5) > 0.1


def toy_errors(loss_fn):
    """The notebook's error-against-h sweep on the toy set, for a W-level loss such as lo.softmax_loss."""
    X_toy, y_toy = lo.datasets.toy_2d()
    X_toy = lo.datasets.add_bias(X_toy)
    W_toy = np.random.default_rng(0).standard_normal((3, 3))

    def toy_loss(W):
        return float(loss_fn(W, X_toy, y_toy)[0])

    _, toy_analytic = loss_fn(W_toy, X_toy, y_toy)
    steps = 10.0 ** np.arange(-13, 0)
    errors = {
        method: np.array(
            [np.abs(lo.numerical_gradient(toy_loss, W_toy, h, method=method) - toy_analytic).max() for h in steps]
        )
        for method in ("forward", "centered")
    }
    return steps, errors


def per_decade(errors):
    return errors[1:] / errors[:-1]


def test_truncation_against_round_off_as_the_text_reads_the_plot():
    """'Right of the minimum, truncation: the error grows with h, 10 times per decade for the forward difference
    and 100 times per decade for the centered one. Left of it, round-off: the error grows like 1/h as h shrinks,
    for both. The centered difference reaches a far smaller error, at a larger h.'"""
    steps, errors = toy_errors(lo.softmax_loss)
    forward, centered = errors["forward"], errors["centered"]
    best_forward, best_centered = int(np.argmin(forward)), int(np.argmin(centered))
    # right of each minimum (skipping the decade next to it, where both errors mix)
    np.testing.assert_allclose(per_decade(forward[best_forward + 2 :]), 10, rtol=0.5)
    np.testing.assert_allclose(per_decade(centered[best_centered + 2 :]), 100, rtol=0.5)
    # left: from h = 1e-13 to 1e-9 the error falls about 10 times per decade as h grows
    left = steps <= 1e-9
    np.testing.assert_allclose(per_decade(forward[left]), 0.1, rtol=0.6)
    np.testing.assert_allclose(per_decade(centered[left]), 0.1, rtol=0.6)
    assert centered.min() < forward.min() / 10
    assert steps[best_centered] > steps[best_forward]
    assert steps[best_centered] == pytest.approx(1e-5)


def test_lossopt_default_step_is_1e_5():
    """'h = 1e-5 in float64 is the usual choice ... and it is lo.numerical_gradient's default.'"""
    assert inspect.signature(lo.numerical_gradient).parameters["h"].default == 1e-5


def test_try_this_svm_in_the_h_plot_has_no_truncation_until_a_kink():
    """Try this: put lo.svm_loss in place of both lo.softmax_loss of the toy set, and redraw the error-against-h
    plot. 'The SVM's loss is made of straight pieces': right of round-off there is no truncation error (the error
    keeps falling as h grows), until the largest h crosses a kink and the error jumps."""
    steps, errors = toy_errors(lo.svm_loss)
    for method in ("forward", "centered"):
        before_kink = errors[method][steps < 0.05]
        assert np.all(np.diff(np.log10(before_kink)) < 0), method  # falls all the way to h = 1e-2
        assert errors[method][-1] > 1e4 * before_kink[-1], method  # h = 0.1 crosses a kink


def test_a_gradient_check_catches_a_forgotten_factor_2(small_problem):
    """'A check catches a wrong factor': the penalty differentiated as λW instead of 2λW (λ = 0.1) fails the check
    (relative error above 1e-2), the right gradient passes (below 1e-7)."""
    X_small, y_small, W = small_problem

    def f(W):
        return float(lo.softmax_loss(W, X_small, y_small, reg=0.1)[0])

    _, right = lo.softmax_loss(W, X_small, y_small, reg=0.1)
    assert lo.grad_check(f, W, right, num_checks=10, seed=0).max() < 1e-7
    assert lo.grad_check(f, W, right - 0.1 * W, num_checks=10, seed=0).max() > 1e-2


def notebook_cell(marker):
    """The source of the notebook's one code cell that contains `marker`."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    (source,) = [c.source for c in notebook.cells if c.cell_type == "code" and marker in c.source]
    return source


def test_the_opened_up_grad_check_is_lo_grad_check():
    """'lo.grad_check checks a few entries chosen at random ... Opened up, it is this loop': the notebook's loop
    returns what lo.grad_check returns (same entries for the same seed, same relative errors), for a right and a
    wrong gradient and for an x of another shape, and leaves x as it was."""
    namespace = {"np": np}
    exec(compile(notebook_cell("def grad_check("), str(NOTEBOOK), "exec"), namespace)
    mine = namespace["grad_check"]
    rng = np.random.default_rng(7)
    for shape in ((65, 10), (3, 4, 5)):
        x = rng.standard_normal(shape)
        original = x.copy()

        def f(v):
            return float(np.sum(np.sin(v)) + 0.5 * np.sum(v**2))

        right = np.cos(x) + x
        for analytic in (right, right + 0.1 * x, 0 * x):
            for seed in (0, 3):
                np.testing.assert_allclose(
                    mine(f, x, analytic, num_checks=7, seed=seed),
                    lo.grad_check(f, x, analytic, num_checks=7, seed=seed),
                    rtol=1e-6,
                    atol=1e-12,
                )
        np.testing.assert_array_equal(x, original)


def test_kinks_answer_one_dimension():
    """The answer's example: 'f(x) = max(0, x) at x = -1e-6 has slope 0, but with h = 1e-5 the centered difference is
    ... = 0.45', and the SVM's hinge is what a gradient check trips on."""
    x = np.array([-1e-6])
    assert lo.numerical_gradient(lambda v: float(np.maximum(0, v).sum()), x, h=1e-5)[0] == pytest.approx(0.45)
    assert lo.numerical_gradient(lambda v: float(np.maximum(0, v).sum()), x, h=1e-7)[0] == 0.0  # no kink crossed


def test_kinks_answer_the_margin_decides_how_often(train):
    """'at a small W, as at the start of training, every margin is close to Δ: far from its kink with Δ = 1, on it
    with Δ = 0', and the notebook's check at W = 0: with Δ = 0 most checked weights fail (above 1e-2), with Δ = 1
    none does."""
    X, y = train
    X_small, y_small = X[:50], y[:50]
    W_small = 0.0001 * np.random.default_rng(0).standard_normal((D, C))  # the assignment's start
    S = X_small @ W_small
    margins = S - S[np.arange(50), y_small][:, None]  # margin minus Δ
    assert np.abs(margins).max() < 0.01
    failing = {}
    for delta in (0.0, 1.0):
        _, analytic = lo.svm_loss(np.zeros((D, C)), X_small, y_small, delta=delta)
        errors = lo.grad_check(
            lambda W, delta=delta: float(lo.svm_loss(W, X_small, y_small, delta=delta)[0]),
            np.zeros((D, C)),
            analytic,
            num_checks=10,
            seed=0,
        )
        failing[delta] = int(np.sum(errors > 1e-2))
    assert failing[0.0] >= 8
    assert failing[1.0] == 0


def test_the_question_quotes_assignment_1():
    """The question quotes assignment 1's svm.ipynb, Inline Question 1, as checked against the 2018 to 2020 versions
    (the assignment zips of cs231n.github.io): the quote stays whole when the cell is edited."""
    text = "\n".join(c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "markdown")
    quote = (
        "It is possible that once in a while a dimension in the gradcheck will not match exactly. What could such a "
        "discrepancy be caused by? Is it a reason for concern? What is a simple example in one dimension where a "
        "gradient check could fail?"
    )
    assert quote in " ".join(text.split())


@pytest.fixture(scope="module")
def sweep(train):
    X, y = train
    loss_fn = functools.partial(lo.linear_loss, loss="softmax", reg=1e-3)
    rates = (1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0)
    return {
        lr: lo.sgd(loss_fn, np.zeros((D, C)), X, y, lr=lr, batch_size=len(y), num_iters=51, seed=0).loss_history
        for lr in rates
    }


def test_the_step_size_sweep_reads_as_the_text_says(sweep):
    """'With η = 1e-4 the loss barely moves ...; with η = 0.1 it falls to 0.416. Larger steps go down faster, up to
    η = 10, the lowest after 50 steps in this table. At η = 100 the first step jumps past the bottom of the valley:
    the loss goes up, ... and after 50 steps it is still above where it started.' (Also the hidden answer.) The cited
    values lie far from a rounding edge of the printed table, so the checked cell prints the same everywhere."""
    start = sweep[1e-4][0]
    assert start == pytest.approx(np.log(10))  # 'Every run starts at ln 10'
    assert all(len(history) == 51 and history[0] == start for history in sweep.values())
    assert sweep[1e-4][50] > 0.99 * start
    assert sweep[0.1][50] < 0.2 * start
    finals = [sweep[lr][50] for lr in (1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0)]
    assert all(np.diff(finals) < 0)
    assert min(sweep, key=lambda lr: sweep[lr][50]) == 10.0
    assert sweep[100.0][1] > 10 * start
    assert sweep[100.0][50] > start
    for value in [sweep[lr][k] for lr in sweep for k in (1, 10, 50)]:
        assert abs(value * 1000 % 1 - 0.5) > 0.05  # not within 5e-5 of a rounding edge (x.xxx5)


@pytest.fixture(scope="module")
def explorer(train):
    return lo.widgets.StepSizeExplorer(*train)


def test_step_size_explorer_draws_the_chosen_curve_over_the_others_and_the_sweep(explorer, sweep):
    """'Move the learning rate (log scale, four positions per decade). Left: its loss curve over those of all other
    rates (grey). Right: the loss after 50 steps against the learning rate, the chosen one marked.'"""
    explorer.controls["lr"].value = 1.0
    ax_curve, ax_sweep = explorer.figure.axes
    chosen = [line for line in ax_curve.lines if line.get_label() == "chosen learning rate"]
    assert len(chosen) == 1
    np.testing.assert_allclose(chosen[0].get_ydata(), sweep[1.0], rtol=1e-12)
    grey = [line for line in ax_curve.lines if line is not chosen[0] and len(line.get_ydata()) > 0]
    assert len(grey) >= len(explorer.sweep)
    (sweep_line,) = [line for line in ax_sweep.lines if line.get_label().startswith("loss after")]
    rates = np.asarray(sweep_line.get_xdata())
    np.testing.assert_allclose(np.diff(np.log10(rates)), 0.25)
    (marker,) = [line for line in ax_sweep.lines if line.get_label() == "chosen"]
    np.testing.assert_allclose(marker.get_xdata(), [1.0])
    np.testing.assert_allclose(marker.get_ydata(), [sweep[1.0][50]], rtol=1e-12)


def test_try_this_explorer_lowest_rate_and_first_overshoot(explorer):
    """Try this: 'move the learning rate up from 0.1, one position at a time. At which rate is the loss after 50
    steps lowest? At which rate does it first end above where it started?' Both have one answer inside the slider's
    range: the loss after 50 steps falls to one lowest rate, then rises, and a later rate ends above the start,
    which the readout calls too large."""
    slider = explorer.controls["lr"]
    positions = 10 ** np.arange(np.log10(0.1), slider.max + 1e-9, slider.step)
    finals, verdicts = [], []
    for rate in positions:
        slider.value = rate
        finals.append(float(explorer.text.split("→ ")[1].split()[0]))
        verdicts.append(explorer.text.splitlines()[1])
    lowest = int(np.argmin(finals))
    assert 0 < lowest < len(positions) - 1
    assert all(np.diff(finals[: lowest + 1]) < 0)
    start = float(explorer.text.split("loss ")[1].split()[0])
    above = [k for k, final in enumerate(finals) if final > start]
    assert above and above[0] > lowest
    assert verdicts[above[0]].startswith("too large")
    assert not verdicts[above[0] - 1].startswith("too large: the steps overshoot")
    assert f"lowest in the sweep: lr = {positions[lowest]:.2e}" in explorer.text
