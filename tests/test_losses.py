"""The losses: naive twins agree, gradients check, invariances hold, precision is kept."""

import inspect
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import lossopt as lo
from lossopt.losses import score_kernel


def kernel_mean(name, S, y, delta=1.0):
    """The unchecked score-level kernel, as (mean loss, dS)."""
    losses, dS = score_kernel(name, S, y, delta)
    return losses.mean(), dS


W_LEVEL = [(lo.svm_loss, lo.svm_loss_naive), (lo.softmax_loss, lo.softmax_loss_naive)]
SCORE_LEVEL_TWINS = [
    (lo.svm_scores_loss, lo.svm_scores_loss_naive),
    (lo.ova_svm_scores_loss, lo.ova_svm_scores_loss_naive),
    (lo.structured_svm_scores_loss, lo.structured_svm_scores_loss_naive),
]


def random_problem(rng, N=12, D=7, C=4, dtype=np.float64, scale=1.0):
    X = rng.standard_normal((N, D)).astype(dtype)
    W = (scale * rng.standard_normal((D, C))).astype(dtype)
    y = rng.integers(0, C, size=N)
    return W, X, y


def away_from_kinks(S, y, delta=1.0, gap=1e-3):
    """True if no hinge of any SVM loss is within ``gap`` of its kink."""
    rows = np.arange(len(y))
    margins = S - S[rows, y][:, None] + delta
    margins[rows, y] = np.inf
    targets = np.where(np.arange(S.shape[1]) == y[:, None], 1.0, -1.0)
    return bool(np.all(np.abs(margins) > gap) and np.all(np.abs(delta - targets * S) > gap))


# --- naive twins -------------------------------------------------------------


@pytest.mark.parametrize("fast, naive", W_LEVEL)
@pytest.mark.parametrize("reg, penalty", [(0.0, "l2"), (0.1, "l2"), (0.1, "l1"), (0.05, "elastic")])
def test_vectorized_equals_naive(fast, naive, reg, penalty, rng):
    for _ in range(5):
        W, X, y = random_problem(rng)
        loss, dW = fast(W, X, y, reg, penalty=penalty)
        loss_naive, dW_naive = naive(W, X, y, reg, penalty=penalty)
        assert float(loss) == pytest.approx(float(loss_naive), rel=1e-12)
        np.testing.assert_allclose(dW, dW_naive, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("fast, naive", SCORE_LEVEL_TWINS)
@pytest.mark.parametrize("delta", [0.0, 1.0, 2.5])
def test_score_level_extras_equal_naive(fast, naive, delta, rng):
    for _ in range(5):
        S = rng.standard_normal((9, 5)) * 2
        y = rng.integers(0, 5, 9)
        loss, dS = fast(S, y, delta=delta)
        loss_naive, dS_naive = naive(S, y, delta=delta)
        assert float(loss) == pytest.approx(float(loss_naive), rel=1e-12)
        np.testing.assert_allclose(dS, dS_naive, atol=1e-15)


def test_softmax_score_level_equals_naive(rng):
    for scale in (1.0, 30.0):
        S = rng.standard_normal((9, 5)) * scale
        y = rng.integers(0, 5, 9)
        loss, dS = lo.softmax_scores_loss(S, y)
        loss_naive, dS_naive = lo.softmax_scores_loss_naive(S, y)
        assert float(loss) == pytest.approx(float(loss_naive), rel=1e-12)
        np.testing.assert_allclose(dS, dS_naive, rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("naive, fast", [(lo.svm_loss_naive, lo.svm_loss), (lo.softmax_loss_naive, lo.softmax_loss)])
def test_naive_twins_are_the_assignments_loop_right_above_the_vectorized_one(naive, fast):
    """Assignment 1's form: a loop over the examples with scores = X[i] @ W, dW[:, j] += ... X[i]."""
    source = inspect.getsource(naive)
    assert "for i in range(num_train)" in source and "scores = X[i] @ W" in source and "X[i]" in source
    assert "dW[:, j] +=" in source
    lines = inspect.getsource(lo.losses).splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith(f"def {naive.__name__}("))
    after = [line for line in lines[start + 1 :] if line.startswith("def ")]
    assert after[0].startswith(f"def {fast.__name__}("), "the vectorized twin must come right after the naive one"


def test_svm_delta_is_passed_to_the_naive_twin_too(rng):
    W, X, y = random_problem(rng)
    for delta in (0.0, 0.5, 3.0):
        assert float(lo.svm_loss(W, X, y, delta=delta)[0]) == pytest.approx(
            float(lo.svm_loss_naive(W, X, y, delta=delta)[0])
        )


# --- gradients ----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(lo.SCORE_LOSSES))
def test_score_gradients_match_centered_differences(name, rng):
    checked = 0
    while checked < 3:
        # Unit-scale scores: with larger ones some probabilities are ~1e-5 and
        # round-off in f(x + h) - f(x - h) (~1e-11) alone exceeds 1e-7 of them.
        S = rng.standard_normal((3, 4))
        y = rng.integers(0, 4, 3)
        if not away_from_kinks(S, y):
            continue
        _, dS = kernel_mean(name, S, y)
        numerical = lo.numerical_gradient(lambda s, y=y: float(kernel_mean(name, s, y)[0]), S)
        assert lo.rel_error(dS, numerical) < 1e-7
        checked += 1


@pytest.mark.parametrize("loss", sorted(lo.SCORE_LOSSES))
@pytest.mark.parametrize("penalty", ["l2", "elastic"])
def test_W_gradients_match_centered_differences(loss, penalty, rng):
    W, X, y = random_problem(rng, N=10, D=5, C=3)
    assert away_from_kinks(X @ W, y), "choose a seed whose scores stay off the hinges"
    reg = 0.3
    _, dW = lo.linear_loss(W, X, y, reg, loss=loss, penalty=penalty)

    def f(w):
        return float(lo.linear_loss(w, X, y, reg, loss=loss, penalty=penalty)[0])

    assert lo.rel_error(dW, lo.numerical_gradient(f, W)) < 1e-7
    errors = lo.grad_check(f, W, dW, seed=0)
    assert errors.max() < 1e-7


def test_gradient_check_catches_a_wrong_l2_factor(rng):
    # A deliberately wrong factor of our own: 0.5 * reg * W for reg * sum(W**2); the right term is 2 * reg * W.
    W, X, y = random_problem(rng, N=10, D=5, C=3)
    reg = 1.0
    loss_fn = lambda w: float(lo.softmax_loss(w, X, y, reg)[0])  # noqa: E731
    data_grad = lo.softmax_loss(W, X, y)[1]
    buggy = data_grad + 0.5 * reg * W
    right = data_grad + 2 * reg * W
    assert lo.rel_error(right, lo.numerical_gradient(loss_fn, W)) < 1e-7
    assert lo.rel_error(buggy, lo.numerical_gradient(loss_fn, W)) > 1e-2


# --- precision ----------------------------------------------------------------


@pytest.mark.parametrize("fn", [lo.svm_loss, lo.softmax_loss])
def test_float32_in_float32_out_and_close_to_float64(fn, rng):
    W, X, y = random_problem(rng, N=50, D=20, C=5, dtype=np.float32)
    loss32, dW32 = fn(W, X, y, 0.01)
    loss64, dW64 = fn(W.astype(np.float64), X.astype(np.float64), y, 0.01)
    assert loss32.dtype == np.float32
    assert dW32.dtype == np.float32
    assert float(loss32) == pytest.approx(float(loss64), rel=1e-5)
    np.testing.assert_allclose(dW32, dW64, rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("name", sorted(lo.SCORE_LOSSES))
def test_score_level_keeps_float32(name, rng):
    S = rng.standard_normal((5, 3)).astype(np.float32)
    y = rng.integers(0, 3, 5)
    loss, dS = kernel_mean(name, S, y)
    assert loss.dtype == np.float32
    assert dS.dtype == np.float32


def test_integer_inputs_become_float64():
    loss, dW = lo.svm_loss(np.array([[1, 2], [3, 4]]), np.array([[1, 0]]), np.array([1]))
    assert dW.dtype == np.float64
    assert float(loss) == 0.0


def test_inputs_are_not_modified(rng):
    W, X, y = random_problem(rng)
    copies = W.copy(), X.copy(), y.copy()
    lo.svm_loss(W, X, y, 0.1)
    lo.softmax_loss(W, X, y, 0.1)
    for original, copy in zip((W, X, y), copies, strict=True):
        np.testing.assert_array_equal(original, copy)


# --- invariances (property tests) ----------------------------------------------

finite_scores = arrays(
    np.float64,
    st.tuples(st.integers(1, 6), st.integers(2, 6)),
    elements=st.floats(-50, 50, allow_nan=False),
)


@settings(max_examples=60, deadline=None)
@given(S=finite_scores, data=st.data())
def test_softmax_unchanged_by_adding_a_constant_to_a_row(S, data):
    y = np.array(data.draw(st.lists(st.integers(0, S.shape[1] - 1), min_size=len(S), max_size=len(S))))
    shifts = np.array(data.draw(st.lists(st.floats(-1e3, 1e3), min_size=len(S), max_size=len(S))))
    loss, dS = lo.softmax_scores_loss(S, y)
    loss_shifted, dS_shifted = lo.softmax_scores_loss(S + shifts[:, None], y)
    assert float(loss_shifted) == pytest.approx(float(loss), rel=1e-9, abs=1e-9)
    np.testing.assert_allclose(dS_shifted, dS, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(S=finite_scores, data=st.data())
def test_svm_unchanged_when_scores_move_within_the_margin(S, data):
    y = np.array(data.draw(st.lists(st.integers(0, S.shape[1] - 1), min_size=len(S), max_size=len(S))))
    rows = np.arange(len(y))
    margins = S - S[rows, y][:, None] + 1.0
    # A wrong class whose margin is met (margin <= 0) can move down freely,
    # and up by less than its slack, without changing the loss.
    satisfied = margins < 0
    satisfied[rows, y] = False
    fraction = data.draw(st.floats(-5.0, 0.99))
    moved = S + np.where(satisfied, -fraction * margins, 0.0)
    assert float(lo.svm_scores_loss(moved, y)[0]) == pytest.approx(float(lo.svm_scores_loss(S, y)[0]), abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(S=finite_scores, data=st.data())
def test_losses_are_nonnegative_and_svm_bounds_softmax_shape(S, data):
    y = np.array(data.draw(st.lists(st.integers(0, S.shape[1] - 1), min_size=len(S), max_size=len(S))))
    for name in lo.SCORE_LOSSES:
        loss, dS = kernel_mean(name, S, y)
        assert float(loss) >= 0
        assert dS.shape == S.shape
    # The softmax gradient's rows sum to zero: probabilities minus a one-hot vector.
    np.testing.assert_allclose(lo.softmax_scores_loss(S, y)[1].sum(axis=1), 0, atol=1e-12)


@pytest.mark.parametrize("big", [1e4, 1e5, 1e300])
def test_softmax_of_huge_scores_is_finite_and_right(big):
    S = np.array([[big, -big, 0.0], [-big, big, 0.5 * big]])
    y = np.array([1, 1])
    loss, dS = lo.softmax_scores_loss(S, y)
    # By hand: example 0 loses 2 * big (its class scores -big against +big); example 1 loses ~0.
    assert math.isfinite(float(loss))
    assert float(loss) == pytest.approx(big, rel=1e-12)
    assert np.isfinite(dS).all()


@pytest.mark.parametrize("num_classes", [2, 3, 10])
def test_softmax_loss_of_zero_scores_is_ln_C(num_classes):
    loss, _ = lo.softmax_loss(np.zeros((4, num_classes)), np.ones((5, 4)), np.arange(5) % num_classes)
    assert float(loss) == pytest.approx(math.log(num_classes), rel=1e-15)


def test_regularization_values_and_gradients():
    W = np.array([[1.0, -2.0], [0.0, 0.5]])
    R, dR = lo.regularization(W, "l2")
    assert float(R) == pytest.approx(5.25)
    np.testing.assert_array_equal(dR, 2 * W)
    R, dR = lo.regularization(W, "l1")
    assert float(R) == pytest.approx(3.5)
    np.testing.assert_array_equal(dR, [[1, -1], [0, 1]])
    R, dR = lo.regularization(W, "elastic", beta=0.5)
    assert float(R) == pytest.approx(0.5 * 5.25 + 3.5)
    np.testing.assert_array_equal(dR, W + np.sign(W))


@pytest.mark.parametrize("penalty", ["l2", "l1", "elastic"])
def test_regularization_gradient_checks_away_from_zero(penalty, rng):
    W = rng.uniform(0.1, 1.0, (4, 3)) * rng.choice([-1, 1], (4, 3))
    _, dR = lo.regularization(W, penalty)
    numerical = lo.numerical_gradient(lambda w: float(lo.regularization(w, penalty)[0]), W)
    assert lo.rel_error(dR, numerical) < 1e-7


def test_reg_adds_reg_times_penalty(rng):
    W, X, y = random_problem(rng)
    for penalty in lo.PENALTIES:
        plain, dplain = lo.svm_loss(W, X, y)
        R, dR = lo.regularization(W, penalty)
        loss, dW = lo.svm_loss(W, X, y, 0.7, penalty=penalty)
        assert float(loss) == pytest.approx(float(plain) + 0.7 * float(R))
        np.testing.assert_allclose(dW, dplain + 0.7 * dR)


@pytest.mark.parametrize("name", sorted(lo.SCORE_LOSSES))
def test_per_example_losses_are_each_rows_loss_and_average_to_the_loss(name, rng):
    S = rng.standard_normal((7, 4)) * 2
    y = rng.integers(0, 4, 7)
    public = {
        "svm": lo.svm_scores_loss,
        "softmax": lo.softmax_scores_loss,
        "ova_svm": lo.ova_svm_scores_loss,
        "structured_svm": lo.structured_svm_scores_loss,
    }[name]
    losses, dS = public(S, y, per_example=True)
    mean, dS_mean = public(S, y)
    assert losses.shape == (7,)
    for i in range(7):
        assert losses[i] == pytest.approx(float(public(S[i : i + 1], y[i : i + 1])[0]), rel=1e-12)
    assert float(mean) == pytest.approx(losses.mean(), rel=1e-12)
    np.testing.assert_array_equal(dS, dS_mean)


def test_softmax_probabilities(rng):
    S = rng.standard_normal((5, 3)) * 100
    P = lo.softmax_probabilities(S)
    np.testing.assert_allclose(P.sum(axis=1), 1)
    y = rng.integers(0, 3, 5)
    onehot = np.eye(3)[y]
    np.testing.assert_allclose(P, lo.softmax_scores_loss(S, y)[1] * 5 + onehot, atol=1e-15)
    with pytest.raises(ValueError, match="NaN or infinity"):
        lo.softmax_probabilities([[0.0, np.inf]])


# --- classifier_loss: a separate bias ------------------------------------------


@pytest.mark.parametrize("loss", tuple(lo.SCORE_LOSSES))
def test_classifier_loss_is_linear_loss_with_the_bias_trick_and_no_bias_penalty(loss, rng):
    W, X, y = random_problem(rng)
    b = rng.standard_normal(W.shape[1])
    reg = 0.3
    state = lo.classifier_loss(W, b, X, y, loss=loss, reg=reg)
    # The bias trick: a column of ones in X, the biases as W's last row; reg = 0 there, the penalty added by hand.
    loss_trick, dW_trick = lo.linear_loss(np.vstack([W, b]), np.hstack([X, np.ones((len(X), 1))]), y, loss=loss)
    assert state.data_loss == pytest.approx(float(loss_trick), rel=1e-12)
    assert state.reg_loss == pytest.approx(reg * np.sum(W**2), rel=1e-12)
    assert state.total == pytest.approx(state.data_loss + state.reg_loss, rel=1e-15)
    np.testing.assert_allclose(state.dW, dW_trick[:-1] + 2 * reg * W, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(state.db, dW_trick[-1], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(state.scores, X @ W + b, rtol=1e-12)
    assert state.losses.mean() == pytest.approx(state.data_loss, rel=1e-12)
    assert lo.classifier_loss(W, b, X, y, loss=loss, per_point=False).losses is None


def test_classifier_loss_gradients_check(rng):
    W, X, y = random_problem(rng, scale=3.0)
    b = rng.standard_normal(W.shape[1])
    state = lo.classifier_loss(W, b, X, y, loss="softmax", reg=0.2)
    dW = lo.numerical_gradient(lambda w: lo.classifier_loss(w, b, X, y, loss="softmax", reg=0.2).total, W.copy())
    db = lo.numerical_gradient(lambda c: lo.classifier_loss(W, c, X, y, loss="softmax", reg=0.2).total, b.copy())
    assert lo.rel_error(state.dW, dW) < 1e-6
    assert lo.rel_error(state.db, db) < 1e-6
