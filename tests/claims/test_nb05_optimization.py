"""The sentences of notebook 05 (optimization) that say what a run, a plot or the explorer shows.

Each test repeats the notebook's own computation (same data, seeds and values) and checks what the sentence
in its docstring says.
"""

import contextlib
import functools
import inspect
import io
import types
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
    """'The best random W does better than chance, but the loss has hardly moved from 9.'"""
    best_loss, W_best = searches["random"]
    assert accuracy(W_best, data.X_test, data.y_test) > 0.1 + 0.05
    assert best_loss > 0.98 * 9.0


def test_random_local_search_is_much_better_but_throws_most_tries_away(searches):
    """'Much better than random search. ... most tries are wasted: ... most of them went up.'"""
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
    """'Both agree with the formula, the centered one far better. ... 1300 of them for the centered gradient.'"""
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
    """Try this: replace the softmax by the SVM in the error-against-h plot. 'The SVM's loss is made of straight
    pieces': right of round-off there is no truncation error (the error keeps falling as h grows), until the
    largest h crosses a kink and the error jumps."""
    steps, errors = toy_errors(lo.svm_loss)
    for method in ("forward", "centered"):
        before_kink = errors[method][steps < 0.05]
        assert np.all(np.diff(np.log10(before_kink)) < 0), method  # falls all the way to h = 1e-2
        assert errors[method][-1] > 1e4 * before_kink[-1], method  # h = 0.1 crosses a kink


def one_image_check(train):
    """The notebook's cell that checks the derived formulas on one image."""
    X, y = train
    x_i, y_i = X[0], y[0]
    W_one = 0.1 * np.random.default_rng(2).standard_normal((D, C))
    s = x_i @ W_one

    def svm_L_i(W):
        margins = np.maximum(0, x_i @ W - x_i @ W[:, y_i] + 1.0)
        margins[y_i] = 0
        return float(margins.sum())

    violated = s - s[y_i] + 1.0 > 0
    violated[y_i] = False
    svm_grad = np.outer(x_i, violated).astype(float)
    svm_grad[:, y_i] = -violated.sum() * x_i

    def softmax_L_i(W):
        scores = x_i @ W
        return float(-scores[y_i] + np.log(np.sum(np.exp(scores))))

    p = np.exp(s) / np.sum(np.exp(s))
    softmax_grad = np.outer(x_i, p - (np.arange(C) == y_i))
    return (
        int(violated.sum()),
        lo.rel_error(svm_grad, lo.numerical_gradient(svm_L_i, W_one)),
        lo.rel_error(softmax_grad, lo.numerical_gradient(softmax_L_i, W_one)),
    )


def test_the_derived_formulas_match_the_numerical_gradient_on_one_image(train):
    """'The formulas, checked on one image ... against lo.numerical_gradient of L_i alone': they agree, and the
    SVM case has some margins violated and some not (so both indicator cases are exercised)."""
    violated, svm_error, softmax_error = one_image_check(train)
    assert 0 < violated < C - 1
    assert svm_error < 1e-7
    assert softmax_error < 1e-6


def test_the_derived_svm_formula_is_lossopts_gradient(train):
    """'This is what lo.svm_loss and lo.softmax_loss return as dW': X^T dS + 2 reg W with the derived dS."""
    X, y = train
    X, y = X[:20], y[:20]
    W = 0.1 * np.random.default_rng(2).standard_normal((D, C))
    reg, N = 0.1, len(y)
    S = X @ W
    rows = np.arange(N)
    violated = (S - S[rows, y][:, None] + 1.0 > 0).astype(float)
    violated[rows, y] = 0
    dS = violated.copy()
    dS[rows, y] = -violated.sum(axis=1)
    np.testing.assert_allclose(lo.svm_loss(W, X, y, reg)[1], X.T @ dS / N + 2 * reg * W, rtol=1e-12, atol=1e-14)
    P = lo.softmax_probabilities(S)
    dS = P - (np.arange(C) == y[:, None])
    np.testing.assert_allclose(lo.softmax_loss(W, X, y, reg)[1], X.T @ dS / N + 2 * reg * W, rtol=1e-10, atol=1e-14)


def test_a_gradient_check_catches_a_forgotten_factor_2(small_problem):
    """'A check catches a wrong factor': the penalty differentiated as λW instead of 2λW (λ = 0.1) fails the check
    (relative error above 1e-2), the right gradient passes (below 1e-7)."""
    X_small, y_small, W = small_problem

    def f(W):
        return float(lo.softmax_loss(W, X_small, y_small, reg=0.1)[0])

    _, right = lo.softmax_loss(W, X_small, y_small, reg=0.1)
    assert lo.grad_check(f, W, right, num_checks=10, seed=0).max() < 1e-7
    assert lo.grad_check(f, W, right - 0.1 * W, num_checks=10, seed=0).max() > 1e-2


def test_away_from_the_kinks_no_nudge_crosses_one_and_the_check_passes(train):
    """'At a random W with Δ = 1, no nudge crosses a kink ... every margin is farther than that from its kink',
    and the SVM gradient then passes the check."""
    X, y = train
    X_small, y_small = X[:50], y[:50]
    W_random = 0.1 * np.random.default_rng(1).standard_normal((D, C))
    S = X_small @ W_random
    margins = S - S[np.arange(50), y_small][:, None] + 1.0
    assert np.abs(margins).min() > 1e-5 * np.abs(X_small).max()
    _, analytic = lo.svm_loss(W_random, X_small, y_small)
    errors = lo.grad_check(svm_loss_of(X_small, y_small), W_random, analytic, seed=0)
    assert errors.max() < 1e-7


def check_my_gradient_cell():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    (source,) = [cell.source for cell in notebook.cells if "def check_my_gradient" in cell.source]
    return source


def run_check_cell(train, errors=None, **student):
    """Run the notebook's 'check your own gradients' cell with the student's functions defined; return stdout.
    The unrounded relative errors the cell judges are appended to `errors` (a print rounds them, and a value
    printed as 1.0e-07 may lie on either side of the 1e-7 row)."""
    X, y = train
    errors = [] if errors is None else errors

    def rel_error(*args):
        errors.append(lo.rel_error(*args))
        return errors[-1]

    recording = types.SimpleNamespace(**{**vars(lo), "rel_error": rel_error})
    namespace = {"lo": recording, "np": np, "X": X, "y": y, "D": D, "C": C, **student}
    with contextlib.redirect_stdout(io.StringIO()) as out:
        exec(compile(check_my_gradient_cell(), str(NOTEBOOK), "exec"), namespace)
    return out.getvalue()


def stub(W, X, y, reg):
    raise NotImplementedError


def svm_half_penalty(W, X, y, reg):
    loss, dW = lo.svm_loss(W, X, y, reg)
    return loss, dW - reg * W  # the classic mistake: reg * W instead of 2 * reg * W


def centered(f, x, h=1e-5):
    return lo.numerical_gradient(f, x, h)


def test_check_your_own_gradients_says_not_attempted_for_missing_or_stub_functions(train):
    """'If a function is not there, or still raises NotImplementedError, the cell says "not attempted yet".'"""
    out = run_check_cell(train)
    assert out.count("not attempted yet") == 2
    out = run_check_cell(train, svm_loss_vectorized=stub, softmax_loss_vectorized=stub, numerical_gradient=stub)
    assert out.count("not attempted yet") == 2
    assert "svm_loss_vectorized: not attempted yet" in out and "softmax_loss_vectorized: not attempted yet" in out


def test_check_your_own_gradients_passes_a_correct_function_and_flags_a_wrong_penalty(train):
    """'The next cell then checks its gradient ... first without the penalty (reg = 0), then with it (reg = 0.1).'
    Its verdicts are the table's rows. A correct softmax is "happy" (below 1e-7) at both; a penalty gradient of
    reg * W is happy without the penalty and probably wrong with it; a function that raises is reported, and the
    cell goes on."""
    correct = functools.partial(lo.linear_loss, loss="softmax")
    out = run_check_cell(
        train, svm_loss_vectorized=svm_half_penalty, softmax_loss_vectorized=correct, numerical_gradient=centered
    )
    lines = out.splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("svm_loss_vectorized, reg = 0.0") and lines[0].endswith("(happy)")
    assert lines[1].startswith("svm_loss_vectorized, reg = 0.1") and lines[1].endswith("(probably wrong)")
    assert all(line.endswith("(happy)") for line in lines[2:])
    errors = []  # the unrounded values the cell judged, not their rounded prints
    out = run_check_cell(train, errors, svm_loss_vectorized=functools.partial(lo.linear_loss, loss="svm"))
    for line, reg, error in zip(out.splitlines()[:2], ("0.0", "0.1"), errors, strict=True):  # 1e-7: the kinks' row
        verdict = "happy" if error <= 1e-7 else "usually fine with kinks, as in the SVM; too high without"
        assert line.startswith(f"svm_loss_vectorized, reg = {reg}") and verdict in line
        assert error < 1e-4

    def broken(W, X, y, reg):
        return W[100]  # an IndexError, as a student's bug might raise

    out = run_check_cell(train, svm_loss_vectorized=broken)
    assert "svm_loss_vectorized raised IndexError" in out
    assert "softmax_loss_vectorized: not attempted yet" in out


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
    """'With η = 1e-4 the loss barely moves in 50 steps. With η = 0.1 it goes down ... Larger steps go down faster, up
    to η = 10, the lowest after
    50 steps in this table. At η = 100 the first step jumps ...: the loss goes up, ... and after 50 steps it is still
    above where it started.' (Also the hidden answer: too small barely moves, too large overshoots.)"""
    start = sweep[1e-4][0]
    assert all(len(history) == 51 and history[0] == start for history in sweep.values())
    assert sweep[1e-4][50] > 0.99 * start
    assert sweep[0.1][50] < 0.2 * start
    finals = [sweep[lr][50] for lr in (1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0)]
    assert all(np.diff(finals) < 0)
    assert min(sweep, key=lambda lr: sweep[lr][50]) == 10.0
    assert sweep[100.0][1] > 10 * start
    assert sweep[100.0][50] > start


@pytest.fixture
def explorer(train):
    return lo.widgets.StepSizeExplorer(*train)


def test_step_size_explorer_draws_the_chosen_curve_over_the_others_and_the_sweep(explorer, sweep):
    """'Move the learning rate (log scale, four positions per decade). Left: the loss curve of that rate, over the
    curves of all the other rates (grey). Right: the loss after 50 steps against the learning rate, with the chosen
    rate marked.'"""
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


def test_aside_numerical_gradient_restores_x_even_if_f_raises():
    """Aside: 'lo.numerical_gradient changes x in place, one entry at a time, and restores it (even if f raises).'"""
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    original = x.copy()
    seen = []

    def f(v):
        seen.append(np.count_nonzero(v != original))
        if len(seen) == 3:
            raise RuntimeError("boom")
        return float(np.sum(v**2))

    with pytest.raises(RuntimeError):
        lo.numerical_gradient(f, x)
    np.testing.assert_array_equal(x, original)
    assert seen == [1, 1, 1]  # one entry nudged at a time, in place
    lo.numerical_gradient(lambda v: float(np.sum(v**2)), x)
    np.testing.assert_array_equal(x, original)


def test_aside_full_batch_sgd_is_gradient_descent(train):
    """Aside: 'lo.sgd with batch_size equal to N ... every step uses all N examples': it is W <- W - lr dW."""
    X, y = train
    loss_fn = functools.partial(lo.linear_loss, loss="softmax", reg=1e-3)
    W = np.zeros((D, C))
    losses = []
    for _ in range(5):
        loss, dW = loss_fn(W, X, y)
        losses.append(loss)
        W = W - 0.1 * dW
    run = lo.sgd(loss_fn, np.zeros((D, C)), X, y, lr=0.1, batch_size=len(y), num_iters=5, seed=0)
    np.testing.assert_allclose(run.W, W, rtol=1e-12)
    np.testing.assert_allclose(run.loss_history, losses, rtol=1e-12)


def test_lossopt_takes_slope_0_exactly_on_the_kink(train):
    """'(At m = 0 exactly the hinge has no slope; code picks one side, and lossopt takes 0.)': with W = 0 and Δ = 0
    every margin is exactly 0, and lossopt's SVM gradient is 0 (while moving off the kink changes the loss)."""
    X, y = train
    X_small, y_small = X[:50], y[:50]
    W_zero = np.zeros((D, C))
    loss, dW = lo.svm_loss(W_zero, X_small, y_small, delta=0.0)
    assert loss == 0.0
    np.testing.assert_array_equal(dW, 0.0)
    nudged = W_zero.copy()
    nudged[-1, 0] = 1e-3  # the bias weight of class 0: every image has x = 1 there
    assert lo.svm_loss(nudged, X_small, y_small, delta=0.0)[0] > 0
