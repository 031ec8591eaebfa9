"""Bad input gets one clear error at the boundary: the right type, naming the argument, no numpy warning.

One table per part of the API. Each row: an id, the call, the exception type,
and the argument the message must name (as a word). Warnings are errors here,
so a numpy RuntimeWarning on the way to our error fails the row too.
"""

import re

import numpy as np
import pytest

import lossopt as lo
from lossopt import landscape

pytestmark = pytest.mark.filterwarnings("error")

W = np.zeros((4, 3))
X = np.ones((5, 4))
Y = np.array([0, 1, 2, 0, 1])
S = np.zeros((5, 3))
D1 = np.ones((4, 3))
STEPS = np.linspace(-1, 1, 3)


def at(array, index, value):
    array = np.array(array, dtype=float)
    array[index] = value
    return array


def read_only(array):
    array = np.array(array, dtype=float)
    array.flags.writeable = False
    return array


W_LEVEL = [lo.svm_loss, lo.softmax_loss, lo.svm_loss_naive, lo.softmax_loss_naive, lo.linear_loss]

BAD_W_LEVEL = [
    # (id, W, X, y, kwargs, error, the argument the message names)
    ("X columns != W rows", np.zeros((5, 3)), X, Y, {}, ValueError, "X"),
    ("W 1-D", np.zeros(4), X, Y, {}, ValueError, "W"),
    ("X 1-D", W, np.ones(4), Y, {}, ValueError, "X"),
    ("y too short", W, X, Y[:4], {}, ValueError, "y"),
    ("y 2-D", W, X, Y.reshape(5, 1), {}, ValueError, "y"),
    ("label too big", W, X, [0, 1, 3, 0, 1], {}, ValueError, "y"),
    ("label negative", W, X, [0, 1, -1, 0, 1], {}, ValueError, "y"),
    ("float labels", W, X, Y.astype(float), {}, TypeError, "y"),
    ("string labels", W, X, ["a"] * 5, {}, TypeError, "y"),
    ("string X", W, np.full((5, 4), "x"), Y, {}, TypeError, "X"),
    ("complex W", W.astype(complex), X, Y, {}, TypeError, "W"),
    ("N = 0", W, X[:0], Y[:0], {}, ValueError, "X"),
    ("C = 0", np.zeros((4, 0)), X, Y, {}, ValueError, "W"),
    ("C = 1", np.zeros((4, 1)), X, np.zeros(5, dtype=int), {}, ValueError, "W"),
    ("ragged X", W, [[1.0, 2, 3, 4]] * 4 + [[1.0]], Y, {}, ValueError, "X"),
    ("ragged W", [[0.0, 0, 0]] * 3 + [[0.0]], X, Y, {}, ValueError, "W"),
    ("ragged y", W, X, [[0], [1, 2], [2], [0], [1]], {}, ValueError, "y"),
    ("NaN in W", at(W, (0, 0), np.nan), X, Y, {}, ValueError, "W"),
    ("NaN in X", W, at(X, (2, 3), np.nan), Y, {}, ValueError, "X"),
    ("inf in X", W, at(X, (1, 1), np.inf), Y, {}, ValueError, "X"),
    ("-inf in W", at(W, (1, 2), -np.inf), X, Y, {}, ValueError, "W"),
    ("1e308 in X: X @ W overflows", np.ones((4, 3)), np.full((5, 4), 1e308), Y, {}, ValueError, "X"),
    ("reg 1e308: reg * R overflows", np.ones((4, 3)), X, Y, {"reg": 1e308}, ValueError, "reg"),
    ("W 1e200: R(W) overflows", np.full((4, 3), 1e200), np.zeros((5, 4)), Y, {"reg": 1.0}, ValueError, "W"),
    ("reg < 0", W, X, Y, {"reg": -0.1}, ValueError, "reg"),
    ("reg NaN", W, X, Y, {"reg": np.nan}, ValueError, "reg"),
    ("reg inf", W, X, Y, {"reg": np.inf}, ValueError, "reg"),
    ("reg a string", W, X, Y, {"reg": "0.1"}, TypeError, "reg"),
    ("unknown penalty", W, X, Y, {"penalty": "l3"}, ValueError, "penalty"),
    ("penalty an array", W, X, Y, {"penalty": np.array(["l2", "l1"])}, TypeError, "penalty"),
    ("penalty a list", W, X, Y, {"penalty": ["l2"]}, TypeError, "penalty"),
]


NAMED = r"(?= must| ==| is | contains?| has| and| are| returned| changes|\[| @| hold|,| \(| or |$)"
"""What follows an argument's name in a message, so that "a" in "a sequence" does not count as naming a."""


def assert_names(caught, argument):
    message = str(caught.value)
    named = rf"(?<![\w\[]){re.escape(argument)}{NAMED}|unknown {re.escape(argument)} "
    assert re.search(named, message), f"{argument!r} not named in: {message}"


@pytest.mark.parametrize("fn", W_LEVEL, ids=lambda fn: fn.__name__)
@pytest.mark.parametrize(
    "W_, X_, y_, kwargs, error, argument", [case[1:] for case in BAD_W_LEVEL], ids=[case[0] for case in BAD_W_LEVEL]
)
def test_W_level_bad_inputs(fn, W_, X_, y_, kwargs, error, argument):
    with pytest.raises(error) as caught:
        fn(W_, X_, y_, **kwargs)
    assert_names(caught, argument)


@pytest.mark.parametrize(
    "W_, X_, y_, kwargs, error, argument", [case[1:] for case in BAD_W_LEVEL], ids=[case[0] for case in BAD_W_LEVEL]
)
def test_classifier_loss_and_slices_share_the_W_level_checks(W_, X_, y_, kwargs, error, argument):
    """The same check for every W-level function: lossopt._validate.check_problem."""
    with pytest.raises(error) as caught:
        direction = np.ones(W_.shape) if isinstance(W_, np.ndarray) and W_.ndim == 2 else D1
        lo.landscape.slice_1d(W_, X_, y_, direction, STEPS, **kwargs)
    assert_names(caught, argument)
    if "penalty" not in kwargs and "W 1e200" not in str(kwargs):  # classifier_loss has no penalty choice
        with pytest.raises(error) as caught:
            lo.classifier_loss(W_, np.zeros(3), X_, y_, reg=kwargs.get("reg", 0.0))
        assert_names(caught, argument)


SCORE_FUNCTIONS = [
    lo.svm_scores_loss,
    lo.softmax_scores_loss,
    lo.ova_svm_scores_loss,
    lo.structured_svm_scores_loss,
    lo.svm_scores_loss_naive,
    lo.softmax_scores_loss_naive,
    lo.ova_svm_scores_loss_naive,
    lo.structured_svm_scores_loss_naive,
]

BAD_SCORES = [
    ("S 1-D", np.zeros(3), [0], ValueError, "S"),
    ("N = 0", np.zeros((0, 3)), [], ValueError, "S"),
    ("C = 0", np.zeros((2, 0)), [0, 0], ValueError, "S"),
    ("C = 1", np.zeros((2, 1)), [0, 0], ValueError, "S"),
    ("ragged S", [[1.0, 2.0], [3.0]], [0, 1], ValueError, "S"),
    ("NaN in S", at(S, (0, 1), np.nan), Y, ValueError, "S"),
    ("-inf in S", at(S, (4, 2), -np.inf), Y, ValueError, "S"),
    ("label too big", S, [0, 1, 2, 0, 5], ValueError, "y"),
    ("float labels", S, [0.0, 1, 2, 0, 1], TypeError, "y"),
    ("y too short", S, [0, 1], ValueError, "y"),
    ("string S", [["a", "b"]], [0], TypeError, "S"),
    ("1e308 and -1e308 in S: the loss overflows", [[-1e308, 1e308, 1e308]], [0], ValueError, "S"),
]


@pytest.mark.parametrize("fn", SCORE_FUNCTIONS, ids=lambda fn: fn.__name__)
@pytest.mark.parametrize(
    "S_, y_, error, argument", [case[1:] for case in BAD_SCORES], ids=[case[0] for case in BAD_SCORES]
)
def test_score_level_bad_inputs(fn, S_, y_, error, argument):
    with pytest.raises(error) as caught:
        fn(S_, y_)
    assert_names(caught, argument)


OTHER = [
    # losses
    ("per_example 'no'", lambda: lo.svm_scores_loss(S, Y, per_example="no"), TypeError, "per_example"),
    ("per_example 1", lambda: lo.softmax_scores_loss(S, Y, per_example=1), TypeError, "per_example"),
    ("delta < 0", lambda: lo.svm_scores_loss(S, Y, delta=-1.0), ValueError, "delta"),
    ("delta < 0, naive", lambda: lo.svm_loss_naive(W, X, Y, delta=-1.0), ValueError, "delta"),
    ("delta a string", lambda: lo.svm_loss(W, X, Y, delta="1"), TypeError, "delta"),
    ("unknown loss", lambda: lo.linear_loss(W, X, Y, loss="hinge"), ValueError, "loss"),
    ("loss an array", lambda: lo.linear_loss(W, X, Y, loss=np.array(["svm"])), TypeError, "loss"),
    ("b wrong shape", lambda: lo.classifier_loss(W, np.zeros(2), X, Y), ValueError, "b"),
    ("per_point 'no'", lambda: lo.classifier_loss(W, np.zeros(3), X, Y, per_point="no"), TypeError, "per_point"),
    ("probabilities of (N, 0)", lambda: lo.softmax_probabilities(np.zeros((3, 0))), ValueError, "S"),
    ("probabilities ragged", lambda: lo.softmax_probabilities([[1.0], [1.0, 2.0]]), ValueError, "S"),
    ("probabilities NaN", lambda: lo.softmax_probabilities([[np.nan, 1.0]]), ValueError, "S"),
    ("NaN in b", lambda: lo.classifier_loss(W, [0.0, np.nan, 0.0], X, Y), ValueError, "b"),
    (
        "delta 1e308: the margins overflow",
        lambda: lo.svm_scores_loss([[0.0, 1e308]], [0], delta=1e308),
        ValueError,
        "delta",
    ),
    (
        "W-level delta 1e308",
        lambda: lo.svm_loss(np.ones((4, 2)), X, np.zeros(5, int), delta=1e308),
        ValueError,
        "delta",
    ),
    # regularization
    ("unknown penalty", lambda: lo.regularization(W, "ridge"), ValueError, "penalty"),
    ("penalty an array", lambda: lo.regularization(W, np.array(["l2"])), TypeError, "penalty"),
    ("beta < 0", lambda: lo.regularization(W, beta=-1), ValueError, "beta"),
    ("NaN W", lambda: lo.regularization(at(W, (0, 0), np.nan)), ValueError, "W"),
    ("inf W, l1", lambda: lo.regularization(at(W, (0, 0), np.inf), "l1"), ValueError, "W"),
    ("1e200 W: W**2 overflows", lambda: lo.regularization(np.full((2, 2), 1e200)), ValueError, "W"),
    ("ragged W", lambda: lo.regularization([[1.0, 2.0], [1.0]]), ValueError, "W"),
    # gradient checks
    ("f not callable", lambda: lo.numerical_gradient(3, np.zeros(2)), TypeError, "f"),
    ("x a list", lambda: lo.numerical_gradient(np.sum, [1.0, 2.0]), TypeError, "x"),
    ("x read-only", lambda: lo.numerical_gradient(np.sum, read_only([1.0, 2.0])), ValueError, "x"),
    ("h = 0", lambda: lo.numerical_gradient(np.sum, np.zeros(2), h=0), ValueError, "h"),
    ("h NaN", lambda: lo.numerical_gradient(np.sum, np.zeros(2), h=np.nan), ValueError, "h"),
    ("unknown method", lambda: lo.numerical_gradient(np.sum, np.zeros(2), method="back"), ValueError, "method"),
    ("f returns NaN", lambda: lo.numerical_gradient(lambda v: np.nan, np.zeros(2)), ValueError, "f"),
    ("f returns a vector", lambda: lo.numerical_gradient(lambda v: [1.0, 2.0], np.zeros(2)), TypeError, "f"),
    ("f returns a string", lambda: lo.numerical_gradient(lambda v: "one", np.zeros(2)), TypeError, "f"),
    ("f's slope overflows", lambda: lo.numerical_gradient(lambda v: 1e300 * v[0] * 1e10, np.zeros(1)), ValueError, "f"),
    ("grad_check empty x", lambda: lo.grad_check(np.sum, np.zeros(0), np.zeros(0)), ValueError, "x"),
    ("grad_check read-only x", lambda: lo.grad_check(np.sum, read_only([1.0]), [1.0]), ValueError, "x"),
    ("analytic_grad shape", lambda: lo.grad_check(np.sum, np.zeros(3), np.zeros(2)), ValueError, "analytic_grad"),
    ("analytic_grad NaN", lambda: lo.grad_check(np.sum, np.zeros(2), [np.nan, 1.0]), ValueError, "analytic_grad"),
    ("num_checks = 0", lambda: lo.grad_check(np.sum, np.zeros(3), np.zeros(3), num_checks=0), ValueError, "num_checks"),
    ("seed = -1", lambda: lo.grad_check(np.sum, np.zeros(3), np.ones(3), seed=-1), ValueError, "seed"),
    ("seed 'a'", lambda: lo.grad_check(np.sum, np.zeros(3), np.ones(3), seed="a"), TypeError, "seed"),
    ("seed 1.5", lambda: lo.grad_check(np.sum, np.zeros(3), np.ones(3), seed=1.5), TypeError, "seed"),
    ("rel_error shapes", lambda: lo.rel_error(np.zeros(2), np.zeros(3)), ValueError, "a"),
    ("rel_error of empty", lambda: lo.rel_error([], []), ValueError, "a"),
    ("rel_error ragged", lambda: lo.rel_error([[1.0], [1.0, 2.0]], [1.0]), ValueError, "a"),
    ("rel_error inf", lambda: lo.rel_error([np.inf], [np.inf]), ValueError, "a"),
    # landscapes
    ("random_directions NaN W", lambda: landscape.random_directions(at(W, (0, 0), np.nan)), ValueError, "W"),
    ("random_directions seed -1", lambda: landscape.random_directions(W, seed=-1), ValueError, "seed"),
    ("random_directions seed 'a'", lambda: landscape.random_directions(W, seed="a"), TypeError, "seed"),
    ("random_directions normalize list", lambda: landscape.random_directions(W, normalize=[1]), TypeError, "normalize"),
    (
        "slice per_example 'no'",
        lambda: landscape.slice_1d(W, X, Y, D1, STEPS, per_example="no"),
        TypeError,
        "per_example",
    ),
    (
        "slice direction ragged",
        lambda: landscape.slice_1d(W, X, Y, [[1.0]] * 3 + [[1.0, 2.0]], STEPS),
        ValueError,
        "direction",
    ),
    ("slice direction shape", lambda: landscape.slice_1d(W, X, Y, np.ones((4, 2)), STEPS), ValueError, "direction"),
    (
        "slice NaN direction",
        lambda: landscape.slice_2d(W, X, Y, D1, at(D1, (0, 0), np.nan), STEPS, STEPS),
        ValueError,
        "d2",
    ),
    ("slice alphas empty", lambda: landscape.slice_1d(W, X, Y, D1, []), ValueError, "alphas"),
    ("slice betas a number", lambda: landscape.slice_2d(W, X, Y, D1, D1, STEPS, 1.0), TypeError, "betas"),
    ("slice steps 1e308: the loss overflows", lambda: landscape.slice_1d(W, X, Y, D1, [1e308]), ValueError, "alphas"),
    (
        "slice penalty an array",
        lambda: landscape.slice_1d(W, X, Y, D1, STEPS, penalty=np.array(["l2"])),
        TypeError,
        "penalty",
    ),
    ("plane_penalty d1 shape", lambda: landscape.plane_penalty(W, np.ones((3, 3)), D1, STEPS, STEPS), ValueError, "d1"),
    (
        "plane_penalty NaN W",
        lambda: landscape.plane_penalty(at(W, (0, 0), np.nan), D1, D1, STEPS, STEPS),
        ValueError,
        "W",
    ),
    ("plane_penalty steps 1e200", lambda: landscape.plane_penalty(W, D1, D1, [1e200], STEPS), ValueError, "alphas"),
    # other owners' functions that check through lossopt._validate (kept while their behaviour stands)
    ("sgd W0 rows", lambda: lo.sgd(lo.svm_loss, np.zeros((3, 3)), X, Y), ValueError, "W0"),
    ("sgd loss_fn a string", lambda: lo.sgd("svm", W, X, Y), TypeError, "loss_fn"),
    ("spiral n_classes 1", lambda: lo.datasets.spiral(n_classes=1), ValueError, "n_classes"),
    ("blobs n_per_class 0", lambda: lo.datasets.blobs(n_per_class=0), ValueError, "n_per_class"),
    ("step_decay every 0", lambda: lo.step_decay(0), ValueError, "every"),
]


@pytest.mark.parametrize("call, error, argument", [case[1:] for case in OTHER], ids=[case[0] for case in OTHER])
def test_bad_inputs(call, error, argument):
    with pytest.raises(error) as caught:
        call()
    assert_names(caught, argument)


# --- finite but extreme: an exact answer, never a numpy warning ------------------------------------------


def test_huge_but_safe_scores_give_exact_answers():
    """1e308 where nothing overflows: the answer is exact and no warning is raised."""
    S_ = np.array([[1e308, -1e308, 0.0]])
    assert float(lo.softmax_scores_loss(S_, [0])[0]) == 0.0  # p_0 = 1: loss 0
    assert float(lo.svm_scores_loss(S_, [0])[0]) == 0.0  # every margin is met
    np.testing.assert_array_equal(lo.softmax_probabilities(S_), [[1.0, 0.0, 0.0]])
    assert float(lo.structured_svm_scores_loss(S_, [0])[0]) == 0.0


def test_rel_error_of_opposite_huge_numbers_is_one():
    assert lo.rel_error([1e308], [-1e308]) == 1.0


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_numerical_gradient_of_low_precision_x_is_right(dtype):
    """A float32 step of 1e-5 is lost to rounding: the estimate is made in float64."""
    x = np.array([300.0, -2.0, 0.5], dtype=dtype)
    grad = lo.numerical_gradient(lambda v: float(np.sum(v.astype(np.float64) ** 2)), x)
    np.testing.assert_allclose(grad, 2 * x.astype(np.float64), rtol=1e-6)
    assert x.dtype == dtype and x[0] == 300  # x itself untouched


def test_grad_check_passes_a_correct_float32_gradient(rng):
    W_, X_ = rng.standard_normal((6, 4)).astype(np.float32), rng.standard_normal((10, 6)).astype(np.float32)
    y_ = rng.integers(0, 4, 10)
    _, dW = lo.softmax_loss(W_, X_, y_, 0.1)
    assert dW.dtype == np.float32
    errors = lo.grad_check(lambda w: lo.softmax_loss(w, X_, y_, 0.1)[0], W_, dW, num_checks=10, seed=0)
    assert errors.max() < 1e-4


def test_check_seed_accepts_none_ints_and_generators():
    from lossopt._validate import check_seed

    generator = np.random.default_rng(5)
    assert check_seed(generator) is generator
    assert check_seed(np.int64(3)).integers(100) == np.random.default_rng(3).integers(100)
    assert isinstance(check_seed(None), np.random.Generator)
    with pytest.raises(TypeError, match="rng_seed"):
        check_seed(True, name="rng_seed")
