"""Numerical gradients: centered beats forward, x is restored, wrong gradients are caught."""

import numpy as np
import pytest

import lossopt as lo


def cubic(w):
    return float(np.sum(w**3))


def test_numerical_gradient_of_a_known_function(rng):
    w = rng.standard_normal((3, 4))
    np.testing.assert_allclose(lo.numerical_gradient(cubic, w), 3 * w**2, rtol=1e-8)


def test_x_is_restored_exactly(rng):
    w = rng.standard_normal((5, 2))
    before = w.copy()
    lo.numerical_gradient(cubic, w)
    lo.grad_check(cubic, w, 3 * w**2, seed=0)
    np.testing.assert_array_equal(w, before)


def test_x_is_restored_even_when_f_raises():
    w = np.array([1.0, 2.0])
    calls = []

    def fails_on_second_call(v):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("boom")
        return float(v.sum())

    with pytest.raises(RuntimeError, match="boom"):
        lo.numerical_gradient(fails_on_second_call, w)
    np.testing.assert_array_equal(w, [1.0, 2.0])


def test_centered_error_shrinks_as_h_squared_forward_as_h():
    w = np.array([0.7])
    exact = 3 * 0.7**2
    errors = {}
    for method in ("centered", "forward"):
        errors[method] = [abs(lo.numerical_gradient(cubic, w, h, method=method)[0] - exact) for h in (1e-2, 1e-3)]
    # Ten times smaller h: forward error ~10x smaller, centered ~100x.
    assert errors["forward"][0] / errors["forward"][1] == pytest.approx(10, rel=0.1)
    assert errors["centered"][0] / errors["centered"][1] == pytest.approx(100, rel=0.1)
    assert errors["centered"][1] < errors["forward"][1]


def test_too_small_h_loses_to_round_off():
    w = np.array([0.7])
    exact = 3 * 0.7**2
    good = abs(lo.numerical_gradient(cubic, w, 1e-5)[0] - exact)
    tiny = abs(lo.numerical_gradient(cubic, w, 1e-12)[0] - exact)
    assert tiny > 100 * good


def test_grad_check_returns_small_errors_for_a_right_gradient(rng):
    W = rng.standard_normal((4, 3))
    X, y = rng.standard_normal((6, 4)), rng.integers(0, 3, 6)
    _, dW = lo.softmax_loss(W, X, y, 0.1)
    errors = lo.grad_check(lambda w: float(lo.softmax_loss(w, X, y, 0.1)[0]), W, dW, num_checks=7, seed=3)
    assert errors.shape == (7,)
    assert errors.max() < 1e-7


def test_grad_check_catches_a_wrong_gradient(rng):
    W = rng.standard_normal((4, 3))
    X, y = rng.standard_normal((6, 4)), rng.integers(0, 3, 6)
    _, dW = lo.softmax_loss(W, X, y)
    errors = lo.grad_check(lambda w: float(lo.softmax_loss(w, X, y)[0]), W, 1.5 * dW, num_checks=5, seed=0)
    assert errors.min() > 1e-2  # the notes: above 1e-2 the gradient is probably wrong


def test_grad_check_is_reproducible_with_a_seed_and_prints_only_when_asked(rng, capsys):
    W = rng.standard_normal((6, 6))
    f = lambda w: float(np.sum(np.sin(w)))  # noqa: E731
    wrong = np.cos(W) + rng.standard_normal(W.shape) * 1e-3  # errors differ entry by entry
    first = lo.grad_check(f, W, wrong, seed=5)
    assert capsys.readouterr().out == ""
    second = lo.grad_check(f, W, wrong, seed=5, verbose=True)
    np.testing.assert_array_equal(first, second)
    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == 10
    assert all("relative error" in line for line in printed)


def test_rel_error():
    assert lo.rel_error(1.0, 1.0) == 0.0
    assert lo.rel_error([1.0, 2.0], [1.0, 6.0]) == pytest.approx(0.5)
    assert lo.rel_error(0.0, 1e-12) == pytest.approx(1e-4)  # the 1e-8 floor keeps zeros sane
