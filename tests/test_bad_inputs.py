"""Bad input gets a clear error at the boundary: the right type, naming the argument."""

import numpy as np
import pytest

import lossopt as lo

W = np.zeros((4, 3))
X = np.ones((5, 4))
Y = np.array([0, 1, 2, 0, 1])
S = np.zeros((5, 3))


def nan_at(array, index):
    array = array.copy()
    array[index] = np.nan
    return array


def inf_at(array, index, sign=1):
    array = array.copy()
    array[index] = sign * np.inf
    return array


W_LEVEL = [lo.svm_loss, lo.softmax_loss, lo.svm_loss_naive, lo.softmax_loss_naive]

BAD_W_LEVEL = [
    # (W, X, y, kwargs, error, words the message must contain)
    (np.zeros((5, 3)), X, Y, {}, ValueError, ["X has 4 columns", "W has 5 rows"]),
    (np.zeros(4), X, Y, {}, ValueError, ["W must be 2-D"]),
    (W, np.ones(4), Y, {}, ValueError, ["X must be 2-D"]),
    (W, X, Y[:4], {}, ValueError, ["y must have shape (5,)"]),
    (W, X, Y.reshape(5, 1), {}, ValueError, ["y must have shape (5,)"]),
    (W, X, np.array([0, 1, 3, 0, 1]), {}, ValueError, ["labels in [0, 3)", "to 3"]),
    (W, X, np.array([0, 1, -1, 0, 1]), {}, ValueError, ["labels in [0, 3)", "from -1"]),
    (W, X, Y.astype(float), {}, TypeError, ["y must hold integer", "float64"]),
    (W, X, np.array(["a"] * 5), {}, TypeError, ["y must hold integer"]),
    (W, np.full((5, 4), "x"), Y, {}, TypeError, ["X must hold real numbers"]),
    (W.astype(complex), X, Y, {}, TypeError, ["W must hold real numbers"]),
    (W, X[:0], Y[:0], {}, ValueError, ["X has no rows"]),
    (np.zeros((4, 1)), X, np.zeros(5, dtype=int), {}, ValueError, ["at least two columns"]),
    (nan_at(W, (0, 0)), X, Y, {}, ValueError, ["NaN or infinity"]),
    (W, nan_at(X, (2, 3)), Y, {}, ValueError, ["NaN or infinity"]),
    (W, inf_at(X, (1, 1)), Y, {}, ValueError, ["NaN or infinity"]),
    (inf_at(W, (1, 2), -1), X, Y, {}, ValueError, ["NaN or infinity"]),
    (W, X, Y, {"reg": -0.1}, ValueError, ["reg must be a finite number >= 0", "-0.1"]),
    (W, X, Y, {"reg": np.nan}, ValueError, ["reg must be a finite number >= 0"]),
    (W, X, Y, {"reg": np.inf}, ValueError, ["reg must be a finite number >= 0"]),
    (W, X, Y, {"reg": "0.1"}, TypeError, ["reg must be a real number", "str"]),
    (W, X, Y, {"penalty": "l3"}, ValueError, ["unknown penalty 'l3'", "'l2'", "'l1'", "'elastic'"]),
]


@pytest.mark.parametrize("fn", W_LEVEL, ids=lambda fn: fn.__name__)
@pytest.mark.parametrize("W_, X_, y_, kwargs, error, words", BAD_W_LEVEL)
def test_W_level_bad_inputs(fn, W_, X_, y_, kwargs, error, words):
    with pytest.raises(error) as caught:
        fn(W_, X_, y_, **kwargs)
    for word in words:
        assert word in str(caught.value)


@pytest.mark.parametrize("fn", [lo.svm_loss, lo.svm_loss_naive, lo.svm_scores_loss])
def test_negative_delta(fn):
    args = (S, Y) if fn is lo.svm_scores_loss else (W, X, Y)
    with pytest.raises(ValueError, match="delta must be a finite number >= 0"):
        fn(*args, delta=-1.0)


SCORE_FUNCTIONS = [
    lo.svm_scores_loss,
    lo.softmax_scores_loss,
    lo.ova_svm_scores_loss,
    lo.structured_svm_scores_loss,
]

BAD_SCORES = [
    (np.zeros(3), [0], ValueError, "S must be 2-D"),
    (np.zeros((0, 3)), [], ValueError, "empty batch"),
    (np.zeros((2, 1)), [0, 0], ValueError, "at least two columns"),
    (nan_at(S, (0, 1)), Y, ValueError, "S contains NaN or infinity"),
    (inf_at(S, (4, 2), -1), Y, ValueError, "S contains NaN or infinity"),
    (S, [0, 1, 2, 0, 5], ValueError, "labels in [0, 3)"),
    (S, [0.0, 1, 2, 0, 1], TypeError, "y must hold integer"),
    (S, [0, 1], ValueError, "y must have shape (5,)"),
    ([["a", "b"]], [0], TypeError, "S must hold real numbers"),
]


@pytest.mark.parametrize("fn", SCORE_FUNCTIONS, ids=lambda fn: fn.__name__)
@pytest.mark.parametrize("S_, y_, error, words", BAD_SCORES)
def test_score_level_bad_inputs(fn, S_, y_, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        fn(S_, y_)


def test_linear_loss_unknown_loss_name():
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        lo.linear_loss(W, X, Y, loss="hinge")


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: lo.regularization(W, "ridge"), ValueError, "unknown penalty 'ridge'"),
        (lambda: lo.regularization(W, beta=-1), ValueError, "beta must be a finite number >= 0"),
        (lambda: lo.numerical_gradient(3, np.zeros(2)), TypeError, "f must be a callable"),
        (lambda: lo.numerical_gradient(np.sum, [1.0, 2.0]), TypeError, "x must be a floating numpy array"),
        (lambda: lo.numerical_gradient(np.sum, np.zeros(2), h=0), ValueError, "h must be > 0"),
        (lambda: lo.numerical_gradient(np.sum, np.zeros(2), method="back"), ValueError, "unknown method"),
        (lambda: lo.grad_check(np.sum, np.zeros(3), np.zeros(2)), ValueError, "analytic_grad must have the shape"),
        (lambda: lo.grad_check(np.sum, np.zeros(3), np.zeros(3), num_checks=0), ValueError, "num_checks must be"),
        (lambda: lo.rel_error(np.zeros(2), np.zeros(3)), ValueError, "a and b must have the same shape"),
        (lambda: lo.LinearClassifier("hinge"), ValueError, "unknown loss 'hinge'"),
        (lambda: lo.LinearClassifier(lr=0), ValueError, "lr must be > 0"),
        (lambda: lo.LinearClassifier(batch_size=0), ValueError, "batch_size must be >= 1"),
        (lambda: lo.LinearClassifier(batch_size=2.5), TypeError, "batch_size must be an integer"),
        (lambda: lo.LinearClassifier(reg=-1), ValueError, "reg must be a finite number >= 0"),
        (lambda: lo.LinearClassifier().predict(X), RuntimeError, "not fitted yet"),
        (lambda: lo.LinearClassifier().fit(X, np.zeros(5, dtype=int)), ValueError, "at least two classes"),
        (lambda: lo.LinearClassifier().fit(X[:0], Y[:0]), ValueError, "X is empty"),
        (lambda: lo.sgd(lo.svm_loss, W, X, Y, num_iters=3, epochs=1), ValueError, "not both"),
        (lambda: lo.sgd(lo.svm_loss, np.zeros((3, 3)), X, Y), ValueError, "X has 4 columns but W0 has 3 rows"),
        (lambda: lo.sgd("svm", W, X, Y), TypeError, "loss_fn must be a callable"),
        (lambda: lo.sgd(lo.svm_loss, W, X, Y, schedule=0.5), TypeError, "schedule must be callable"),
        (lambda: lo.datasets.spiral(n_classes=1), ValueError, "n_classes must be at least 2"),
        (lambda: lo.datasets.blobs(n_per_class=0), ValueError, "n_per_class must be >= 1"),
        (lambda: lo.datasets.digits(val_size=1000, test_size=900), ValueError, "must leave training examples"),
        (lambda: lo.step_decay(0), ValueError, "every must be >= 1"),
    ],
)
def test_other_public_functions(call, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_fitted_model_checks_feature_count():
    model = lo.LinearClassifier(num_iters=2, verbose=False, seed=0).fit(X, Y)
    with pytest.raises(ValueError, match="X has 3 columns but the model was fitted on 4"):
        model.predict(np.ones((2, 3)))
    with pytest.raises(ValueError, match="labels in"):
        model.score(X, np.full(5, 7))
