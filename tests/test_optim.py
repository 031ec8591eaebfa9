"""Minibatch SGD and the linear classifier."""

import functools

import numpy as np
import pytest

import lossopt as lo
from lossopt import optim


@pytest.fixture(scope="module")
def digits():
    return lo.datasets.digits(seed=0)


def test_sgd_lowers_the_loss(digits):
    W0 = np.zeros((digits.X_train.shape[1], 10))
    result = lo.sgd(lo.softmax_loss, W0, digits.X_train, digits.y_train, lr=0.1, batch_size=100, num_iters=200, seed=0)
    assert result.loss_history.shape == (200,)
    assert result.loss_history[0] == pytest.approx(np.log(10))
    assert result.loss_history[-20:].mean() < 0.5 * result.loss_history[0]
    assert not result.diverged
    np.testing.assert_array_equal(W0, 0)  # W0 is left alone


def test_sgd_step_is_w_minus_lr_times_gradient(rng):
    X, y = rng.standard_normal((8, 3)), np.arange(8) % 2
    W0 = rng.standard_normal((3, 2))
    result = lo.sgd(lo.svm_loss, W0, X, y, lr=0.3, batch_size=8, num_iters=1, seed=0)
    _, dW = lo.svm_loss(W0, X, y)  # a full batch: order does not matter
    np.testing.assert_allclose(result.W, W0 - 0.3 * dW)


def test_sgd_repeats_with_a_seed_and_differs_without(digits):
    run = functools.partial(
        lo.sgd, lo.svm_loss, np.zeros((65, 10)), digits.X_train, digits.y_train, lr=0.01, batch_size=32, num_iters=30
    )
    a, b, c = run(seed=1), run(seed=1), run(seed=2)
    np.testing.assert_array_equal(a.W, b.W)
    assert not np.array_equal(a.W, c.W)


def test_epochs_visit_every_example_once_per_epoch(rng):
    X, y = rng.standard_normal((10, 2)), np.arange(10) % 2
    seen = []

    def recording_loss(W, X_batch, y_batch):
        seen.append(X_batch[:, 0].copy())
        return lo.svm_loss(W, X_batch, y_batch)

    result = lo.sgd(recording_loss, np.zeros((2, 2)), X, y, batch_size=4, epochs=2, seed=0)
    assert len(result.loss_history) == 2 * 3  # ceil(10 / 4) steps an epoch
    for epoch in (seen[:3], seen[3:]):
        np.testing.assert_array_equal(np.sort(np.concatenate(epoch)), np.sort(X[:, 0]))


def test_schedule_scales_the_learning_rate(rng):
    X, y = rng.standard_normal((6, 3)), np.arange(6) % 3
    W0 = rng.standard_normal((3, 3))
    steps = []
    lo.sgd(lo.svm_loss, W0, X, y, lr=1.0, batch_size=6, num_iters=5, schedule=lo.step_decay(2, 0.5),
           callback=lambda step, W, loss: steps.append(W.copy()))  # fmt: skip
    # Check the third step: lr * 0.5 ** (2 // 2) = 0.5.
    _, dW = lo.svm_loss(steps[1], X, y)
    np.testing.assert_allclose(steps[2], steps[1] - 0.5 * dW)


def test_callback_can_stop_early(rng):
    X, y = rng.standard_normal((6, 3)), np.arange(6) % 3
    result = lo.sgd(lo.svm_loss, np.zeros((3, 3)), X, y, num_iters=50, callback=lambda step, W, loss: step == 4)
    assert len(result.loss_history) == 5


def test_a_huge_learning_rate_diverges_and_says_so(rng):
    X, y = 1e100 * rng.standard_normal((6, 3)), np.arange(6) % 3
    result = lo.sgd(lo.svm_loss, np.zeros((3, 3)), X, y, lr=1e300, batch_size=6, num_iters=50)
    assert result.diverged
    assert len(result.loss_history) < 50
    assert np.isfinite(result.W).all()


@pytest.mark.parametrize("loss, target", [("softmax", 0.95), ("svm", 0.95)])
def test_linear_classifier_learns_digits(digits, loss, target):
    model = lo.LinearClassifier(loss, lr=0.1, reg=1e-3, epochs=20, batch_size=100, seed=0, verbose=False)
    assert model.fit(digits.X_train, digits.y_train) is model
    assert model.W_.shape == (65, 10)
    assert model.score(digits.X_val, digits.y_val) >= target
    assert model.predict(digits.X_test).shape == (300,)
    assert model.decision_function(digits.X_test[:5]).shape == (5, 10)
    assert len(model.loss_history_) == 20 * 12


def test_linear_classifier_score_is_accuracy(digits):
    model = lo.LinearClassifier("softmax", lr=0.1, epochs=2, seed=0, verbose=False).fit(digits.X_train, digits.y_train)
    expected = np.mean(model.predict(digits.X_val) == digits.y_val)
    assert model.score(digits.X_val, digits.y_val) == expected


def test_linear_classifier_uses_its_own_loss(digits):
    model = lo.LinearClassifier("svm", reg=0.5, delta=2.0, penalty="l1", num_iters=1, verbose=False)
    W = np.ones((65, 10))
    loss, _ = model.loss_and_gradient(W, digits.X_train, digits.y_train)
    expected, _ = lo.svm_loss(W, digits.X_train, digits.y_train, 0.5, delta=2.0, penalty="l1")
    assert loss == expected


def test_progress_bar_only_when_verbose_and_slow(digits, capsys, monkeypatch):
    fit = functools.partial(lo.LinearClassifier, "svm", num_iters=30, seed=0)
    fit(verbose=True).fit(digits.X_train, digits.y_train)  # fast: under the delay, no bar
    assert "SGD" not in capsys.readouterr().err
    monkeypatch.setattr(optim, "PROGRESS_DELAY", 0)
    fit(verbose=True).fit(digits.X_train, digits.y_train)
    assert "SGD" in capsys.readouterr().err
    fit(verbose=False).fit(digits.X_train, digits.y_train)
    captured = capsys.readouterr()
    assert captured.err == captured.out == ""


def test_float32_training_keeps_float32(digits):
    X = digits.X_train.astype(np.float32)
    model = lo.LinearClassifier("softmax", lr=0.1, num_iters=20, seed=0, verbose=False).fit(X, digits.y_train)
    assert model.W_.dtype == np.float32


# --- proximal gradient descent (notebook 02's lambda explorer) -------------------


def test_soft_threshold_is_the_l1_proximal_step(rng):
    v, t = rng.normal(size=(1, 7)), 0.4
    z = np.linspace(-3, 3, 60001)  # brute force: argmin_z 0.5 (z - v)^2 + t |z|, entry by entry
    brute = [z[np.argmin(0.5 * (z - value) ** 2 + t * np.abs(z))] for value in v[0]]
    np.testing.assert_allclose(lo.soft_threshold(v, t)[0], brute, atol=1e-4)
    assert (lo.soft_threshold(v, 10.0) == 0).all()


@pytest.fixture(scope="module")
def outliers():
    points, y, _ = lo.datasets.blobs_with_outliers()
    return lo.datasets.add_bias(points), y


def test_fit_proximal_with_l2_is_full_batch_sgd(outliers, rng):
    X, y = outliers
    W0 = 1e-3 * rng.standard_normal((3, 3))
    ours = lo.fit_proximal(X, y, 0.05, "l2", lr=0.1, steps=50, W0=W0)
    loss_fn = functools.partial(lo.svm_loss, reg=0.05)
    theirs = lo.sgd(loss_fn, W0, X, y, lr=0.1, batch_size=len(y), num_iters=50, seed=0).W
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("penalty", ["l1", "elastic"])
def test_fit_proximal_l1_gives_exact_zeros_and_lowers_the_loss(outliers, penalty):
    X, y = outliers
    W0 = np.full((3, 3), 0.5)
    W = lo.fit_proximal(X, y, 0.3, penalty, W0=W0)
    assert (W == 0).sum() >= 3
    assert (lo.fit_proximal(X, y, 0.3, "l2", W0=W0) != 0).all()
    assert lo.linear_loss(W, X, y, 0.3, penalty=penalty)[0] < lo.linear_loss(W0, X, y, 0.3, penalty=penalty)[0]


def test_fit_proximal_elastic_weighs_its_l2_part_by_beta(outliers):
    X, y = outliers
    W0 = np.full((3, 3), 0.5)
    # beta = 0 leaves only the L1 part: the elastic net is then L1 exactly.
    np.testing.assert_array_equal(
        lo.fit_proximal(X, y, 0.3, "elastic", beta=0.0, W0=W0, steps=20),
        lo.fit_proximal(X, y, 0.3, "l1", W0=W0, steps=20),
    )


def test_fit_proximal_starts_from_a_seeded_small_w(outliers):
    X, y = outliers
    a, b = (lo.fit_proximal(X, y, 0.1, "l2", steps=1, seed=s) for s in (3, 3))
    np.testing.assert_array_equal(a, b)
    W0 = 1e-3 * np.random.default_rng(3).standard_normal((3, 3))
    np.testing.assert_allclose(a, lo.fit_proximal(X, y, 0.1, "l2", steps=1, W0=W0))
    assert not np.allclose(a, lo.fit_proximal(X, y, 0.1, "l2", steps=1, seed=4))


def count_checks(monkeypatch):
    """Count every call of lossopt._validate's checks, wherever a module imported them from."""
    import lossopt._validate as validate

    calls = []
    for module in (validate, lo.losses, lo.optim, lo.landscape, lo.regularization):
        for name in ("check_array", "check_labels", "check_problem", "check_scalar", "check_scores", "blame"):
            if hasattr(module, name):
                original = getattr(validate, name)
                monkeypatch.setattr(module, name, lambda *a, _f=original, _n=name, **k: calls.append(_n) or _f(*a, **k))
    return calls


@pytest.mark.parametrize("loss", ["svm", "softmax"])
def test_fit_checks_once_then_every_step_calls_the_unchecked_kernel(digits, loss, monkeypatch):
    """Checked once (issue 20): the number of checks does not grow with the number of SGD steps."""
    calls = count_checks(monkeypatch)
    counts = []
    for steps in (5, 50):
        calls.clear()
        lo.LinearClassifier(loss, num_iters=steps, seed=0, verbose=False).fit(digits.X_train, digits.y_train)
        counts.append(len(calls))
    assert counts[0] > 0 and counts[0] == counts[1]


def test_fit_checks_x_once_not_again_in_sgd(digits, monkeypatch):
    checked, original = [], lo.optim.check_array
    record = lambda value, name, *args, **kwargs: checked.append(name) or original(value, name, *args, **kwargs)  # noqa: E731
    monkeypatch.setattr(lo.optim, "check_array", record)
    lo.LinearClassifier(num_iters=5, seed=0, verbose=False).fit(digits.X_train, digits.y_train)
    assert checked.count("X") == 1


def test_a_step_whose_new_w_blows_up_keeps_its_loss(rng):
    """The loss at W is recorded before the step that blows W up (StepSizeExplorer reads it), then sgd stops."""
    X, y = rng.standard_normal((20, 3)), np.arange(20) % 2
    result = lo.sgd(lo.svm_loss, np.zeros((3, 2)), X, y, lr=1e300, batch_size=20, num_iters=5, seed=0)
    assert result.diverged and result.loss_history.tolist() == [1.0]
    np.testing.assert_array_equal(result.W, 0)
