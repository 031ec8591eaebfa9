"""Bad input to training and the data sets: one TypeError or ValueError from lossopt, naming the argument.

Table-driven, with every warning an error: a case passes only if lossopt raises the expected type with a
message naming the argument, and numpy warns of nothing on the way. Diverging runs are at the end.
"""

import functools
import math
import warnings

import numpy as np
import pytest
import scipy.sparse

import lossopt as lo

RNG = np.random.default_rng(0)
X = RNG.standard_normal((12, 3))
Y = np.arange(12) % 3
W0 = np.zeros((3, 3))


@functools.cache
def fitted(loss="svm"):
    return lo.LinearClassifier(loss, num_iters=5, seed=0, verbose=False).fit(X, Y)


def with_nan(A, value=np.nan):
    A = np.array(A, dtype=float)
    A[1, 1] = value
    return A


def loss_returning(value):
    return lambda W, X_batch, y_batch: value


def sgd(**changes):
    """lossopt.sgd on the small problem above, with some arguments changed."""
    args = {"loss_fn": lo.svm_loss, "W0": W0, "X": X, "y": Y, "num_iters": 3, "seed": 0, **changes}
    return lo.sgd(args.pop("loss_fn"), args.pop("W0"), args.pop("X"), args.pop("y"), **args)


def classifier(**params):
    return lo.LinearClassifier(**{"num_iters": 3, "seed": 0, "verbose": False, **params})


# (case, call, exception type, a regex the message must match: it names the argument)
CASES = [
    # --- a fitted model's input: X must be finite, of the right width, 2-D, numbers -----------------------
    ("predict NaN X", lambda: fitted().predict(with_nan(X)), ValueError, r"^Input X contains NaN"),
    ("predict inf X", lambda: fitted().predict(with_nan(X, np.inf)), ValueError, r"^Input X contains infinity"),
    ("predict -inf X", lambda: fitted().predict(with_nan(X, -np.inf)), ValueError, r"^Input X contains infinity"),
    ("score NaN X", lambda: fitted().score(with_nan(X), Y), ValueError, r"^Input X contains NaN"),
    ("decision_function NaN X", lambda: fitted().decision_function(with_nan(X)), ValueError, r"^Input X contains NaN"),
    ("predict_proba NaN X", lambda: fitted("softmax").predict_proba(with_nan(X)), ValueError, r"^Input X contains NaN"),
    (
        "predict 1-D X",
        lambda: fitted().predict(X[0]),
        ValueError,
        r"(?s)^Expected 2D array, got 1D array instead:.*Reshape your data",
    ),
    ("predict X too narrow", lambda: fitted().predict(X[:, :2]), ValueError, r"^X has 2 features, but .* 3"),
    ("predict X of strings", lambda: fitted().predict(X.astype(str)), TypeError, r"^X must hold real numbers"),
    ("predict ragged X", lambda: fitted().predict([[1.0, 2.0, 3.0], [1.0]]), ValueError, r"^X is ragged"),
    (
        "predict sparse X",
        lambda: fitted().predict(scipy.sparse.csr_matrix(X)),
        TypeError,
        r"^Sparse data was passed for X",
    ),
    ("score y too short", lambda: fitted().score(X, Y[:5]), ValueError, r"^y must have shape \(12,\)"),
    ("predict before fit", lambda: classifier().predict(X), RuntimeError, r"not fitted yet"),
    # --- fit: X, y, W0 ------------------------------------------------------------------------------------
    ("fit NaN X", lambda: classifier().fit(with_nan(X), Y), ValueError, r"^Input X contains NaN"),
    ("fit inf X", lambda: classifier().fit(with_nan(X, np.inf), Y), ValueError, r"^Input X contains infinity"),
    ("fit X with no rows", lambda: classifier().fit(X[:0], Y[:0]), ValueError, r"^Found array with 0 sample"),
    (
        "fit X with no columns",
        lambda: classifier().fit(X[:, :0], Y),
        ValueError,
        r"^Found array with 0 feature\(s\) \(shape=\(12, 0\)\)",
    ),
    ("fit y None", lambda: classifier().fit(X, None), ValueError, r"requires y to be passed"),
    ("fit y too short", lambda: classifier().fit(X, Y[:5]), ValueError, r"^y must have shape \(12,\)"),
    ("fit y a column", lambda: classifier().fit(X, Y[:, None]), ValueError, r"^y must have shape \(12,\)"),
    ("fit y continuous", lambda: classifier().fit(X, X[:, 0]), ValueError, r"^y must hold class labels"),
    ("fit y NaN", lambda: classifier().fit(X, np.where(Y == 0, np.nan, Y)), ValueError, r"^y contains NaN"),
    ("fit y one class", lambda: classifier().fit(X, np.zeros(12, int)), ValueError, r"^y must contain at least two"),
    ("fit W0 wrong classes", lambda: classifier().fit(X, Y, W0=np.zeros((3, 2))), ValueError, r"^W0 must have shape"),
    ("fit W0 wrong rows", lambda: classifier().fit(X, Y, W0=np.zeros((4, 3))), ValueError, r"^W0 must have shape"),
    ("fit W0 1-D", lambda: classifier().fit(X, Y, W0=np.zeros(9)), ValueError, r"^W0 must be 2-D"),
    ("fit W0 NaN", lambda: classifier().fit(X, Y, W0=with_nan(W0)), ValueError, r"^W0 contains NaN"),
    ("fit W0 strings", lambda: classifier().fit(X, Y, W0=W0.astype(str)), TypeError, r"^W0 must hold real numbers"),
    ("fit callback 5", lambda: classifier().fit(X, Y, callback=5), TypeError, r"^callback must be callable"),
    # --- the arguments __init__ stored, checked by fit ------------------------------------------------------
    ("loss 'hinge'", lambda: classifier(loss="hinge").fit(X, Y), ValueError, r"^unknown loss 'hinge'"),
    ("loss 3", lambda: classifier(loss=3).fit(X, Y), TypeError, r"^loss must be one of"),
    ("reg -1", lambda: classifier(reg=-1).fit(X, Y), ValueError, r"^reg == -1, must be >= 0"),
    ("reg NaN", lambda: classifier(reg=math.nan).fit(X, Y), ValueError, r"^reg must be a finite number"),
    ("reg '0.1'", lambda: classifier(reg="0.1").fit(X, Y), TypeError, r"^reg must be a real number"),
    ("lr 0", lambda: classifier(lr=0).fit(X, Y), ValueError, r"^lr == 0, must be > 0"),
    ("lr inf", lambda: classifier(lr=math.inf).fit(X, Y), ValueError, r"^lr must be a finite number"),
    ("batch_size 0", lambda: classifier(batch_size=0).fit(X, Y), ValueError, r"^batch_size == 0, must be >= 1"),
    ("batch_size 2.5", lambda: classifier(batch_size=2.5).fit(X, Y), TypeError, r"^batch_size must be an integer"),
    ("num_iters 0", lambda: classifier(num_iters=0).fit(X, Y), ValueError, r"^num_iters == 0, must be >= 1"),
    ("epochs -1", lambda: classifier(epochs=-1).fit(X, Y), ValueError, r"^epochs == -1, must be >= 1"),
    ("penalty 'l3'", lambda: classifier(penalty="l3").fit(X, Y), ValueError, r"^unknown penalty 'l3'"),
    ("delta -1", lambda: classifier(delta=-1).fit(X, Y), ValueError, r"^delta == -1, must be >= 0"),
    ("schedule 0.5", lambda: classifier(schedule=0.5).fit(X, Y), TypeError, r"^schedule must be callable"),
    ("init_scale -1", lambda: classifier(init_scale=-1).fit(X, Y), ValueError, r"^init_scale == -1, must be >= 0"),
    ("verbose 'no'", lambda: classifier(verbose="no").fit(X, Y), TypeError, r"^verbose must be True or False"),
    ("seed -1", lambda: classifier(seed=-1).fit(X, Y), ValueError, r"^seed must be an integer >= 0"),
    ("seed 'a'", lambda: classifier(seed="a").fit(X, Y), TypeError, r"^seed must be None, an integer"),
    ("seed 1.5", lambda: classifier(seed=1.5).fit(X, Y), TypeError, r"^seed must be None, an integer"),
    # --- sgd: a schedule and a loss_fn that misbehave, and its own arguments ----------------------------------
    ("schedule negative", lambda: sgd(schedule=lambda t: -1.0), ValueError, r"^schedule\(0\) returned -1\.0"),
    ("schedule NaN", lambda: sgd(schedule=lambda t: math.nan), ValueError, r"^schedule\(0\) returned nan"),
    ("schedule inf", lambda: sgd(schedule=lambda t: math.inf), ValueError, r"^schedule\(0\) returned inf"),
    ("schedule later NaN", lambda: sgd(schedule=lambda t: 1.0 if t < 2 else math.nan), ValueError, r"schedule\(2\)"),
    ("schedule None", lambda: sgd(schedule=lambda t: None), TypeError, r"^schedule\(0\) must return a number"),
    ("schedule 'fast'", lambda: sgd(schedule=lambda t: "fast"), TypeError, r"^schedule\(0\) must return a number"),
    ("classifier schedule NaN", lambda: classifier(schedule=lambda t: math.nan).fit(X, Y), ValueError, r"schedule"),
    (
        "loss_fn dW wrong shape",
        lambda: sgd(loss_fn=loss_returning((1.0, np.ones((3, 1))))),
        ValueError,
        r"^loss_fn returned dW of shape \(3, 1\); it must have the shape of W, \(3, 3\)",
    ),
    (
        "loss_fn dW transposed",
        lambda: sgd(W0=np.zeros((3, 2)), y=Y % 2, loss_fn=loss_returning((1.0, np.ones((2, 3))))),
        ValueError,
        r"^loss_fn returned dW of shape \(2, 3\)",
    ),
    ("loss_fn returns a number", lambda: sgd(loss_fn=loss_returning(1.0)), TypeError, r"^loss_fn must return a pair"),
    (
        "loss_fn loss an array",
        lambda: sgd(loss_fn=loss_returning((np.ones(3), W0))),
        TypeError,
        r"^loss_fn must return a number as its loss",
    ),
    ("loss_fn 5", lambda: sgd(loss_fn=5), TypeError, r"^loss_fn must be a callable"),
    ("sgd seed -1", lambda: sgd(seed=-1), ValueError, r"^seed must be an integer >= 0"),
    ("sgd seed 'a'", lambda: sgd(seed="a"), TypeError, r"^seed must be None"),
    ("sgd verbose 'yes'", lambda: sgd(verbose="yes"), TypeError, r"^verbose must be True or False"),
    ("sgd lr -1", lambda: sgd(lr=-1), ValueError, r"^lr == -1, must be > 0"),
    ("sgd both lengths", lambda: sgd(epochs=2), ValueError, r"give num_iters or epochs, not both"),
    ("sgd W0 too tall", lambda: sgd(W0=np.zeros((4, 3))), ValueError, r"W0 has 4 rows"),
    ("sgd X NaN", lambda: sgd(X=with_nan(X)), ValueError, r"^X contains NaN"),
    ("sgd y floats", lambda: sgd(y=Y.astype(float)), TypeError, r"^y must hold integer class labels"),
    ("step_decay every 0", lambda: lo.step_decay(0), ValueError, r"^every == 0, must be >= 1"),
    ("step_decay factor -1", lambda: lo.step_decay(10, -1), ValueError, r"^factor == -1, must be >= 0"),
    ("step_decay factor 1e308", lambda: lo.step_decay(10, 1e308), ValueError, r"^factor == 1e\+308, must be <= 1"),
    # --- fit_proximal ------------------------------------------------------------------------------------
    ("fit_proximal reg -1", lambda: lo.fit_proximal(X, Y, -1, "l1"), ValueError, r"^reg == -1, must be >= 0"),
    ("fit_proximal penalty", lambda: lo.fit_proximal(X, Y, 0.1, "l3"), ValueError, r"^unknown penalty 'l3'"),
    ("fit_proximal lr 0", lambda: lo.fit_proximal(X, Y, 0.1, "l1", lr=0), ValueError, r"^lr == 0, must be > 0"),
    (
        "fit_proximal steps 0",
        lambda: lo.fit_proximal(X, Y, 0.1, "l1", steps=0),
        ValueError,
        r"^steps == 0, must be >= 1",
    ),
    (
        "fit_proximal beta -1",
        lambda: lo.fit_proximal(X, Y, 0.1, "elastic", beta=-1),
        ValueError,
        r"^beta == -1, must be >= 0",
    ),
    ("fit_proximal X NaN", lambda: lo.fit_proximal(with_nan(X), Y, 0.1, "l1"), ValueError, r"^X contains NaN"),
    (
        "fit_proximal W0 wrong",
        lambda: lo.fit_proximal(X, Y, 0.1, "l1", W0=np.zeros((2, 3))),
        ValueError,
        r"X has 3 col",
    ),
    ("fit_proximal seed -1", lambda: lo.fit_proximal(X, Y, 0.1, "l1", seed=-1), ValueError, r"^seed must be"),
    # --- the data sets -------------------------------------------------------------------------------------
    (
        "digits dtype str",
        lambda: lo.datasets.digits(dtype=str),
        TypeError,
        r"^dtype must be np\.float32 or np\.float64",
    ),
    (
        "digits dtype int",
        lambda: lo.datasets.digits(dtype=int),
        ValueError,
        r"^dtype must be np\.float32 or np\.float64",
    ),
    ("digits dtype 'abc'", lambda: lo.datasets.digits(dtype="abc"), TypeError, r"^dtype must be np\.float32"),
    ("digits dtype bool", lambda: lo.datasets.digits(dtype=bool), ValueError, r"^dtype must be np\.float32"),
    ("digits seed -1", lambda: lo.datasets.digits(seed=-1), ValueError, r"^seed must be an integer >= 0"),
    ("digits seed 'a'", lambda: lo.datasets.digits(seed="a"), TypeError, r"^seed must be None"),
    ("digits bias 'yes'", lambda: lo.datasets.digits(bias="yes"), TypeError, r"^bias must be True or False"),
    ("digits standardize 1", lambda: lo.datasets.digits(standardize=1), TypeError, r"^standardize must be True"),
    ("digits val_size 0", lambda: lo.datasets.digits(val_size=0), ValueError, r"^val_size == 0, must be >= 1"),
    ("cifar10 dtype str", lambda: lo.datasets.cifar10("/nonexistent", dtype=str), TypeError, r"^dtype must be"),
    ("cifar10 download 'yes'", lambda: lo.datasets.cifar10("/nonexistent", download="yes"), TypeError, r"^download"),
    ("spiral seed -1", lambda: lo.datasets.spiral(seed=-1), ValueError, r"^seed must be an integer >= 0"),
    ("blobs seed 'a'", lambda: lo.datasets.blobs(seed="a"), TypeError, r"^seed must be None"),
    ("make_dataset name", lambda: lo.datasets.make_dataset("moons"), ValueError, r"^unknown name 'moons'"),
]


@pytest.mark.parametrize(("call", "error", "message"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_bad_input_gets_one_clear_error(call, error, message):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy RuntimeWarning on the way fails the case
        with pytest.raises(error, match=message) as caught:
            call()
    assert caught.type is error or issubclass(caught.type, error)
    assert caught.value.__traceback__ is not None
    # Raised by lossopt (or, for the width check, by scikit-learn on lossopt's behalf), not deep inside numpy.
    modules = {frame.tb_frame.f_globals.get("__name__", "") for frame in _frames(caught.value.__traceback__)}
    raiser = _last_frame(caught.value.__traceback__).tb_frame.f_globals.get("__name__", "")
    assert raiser.startswith(("lossopt", "sklearn.utils.validation")), (raiser, modules)


def _frames(tb):
    while tb is not None:
        yield tb
        tb = tb.tb_next


def _last_frame(tb):
    return list(_frames(tb))[-1]


# --- training that diverges: stopped at once, history kept, one warning of ours, never numpy's ---------------


@pytest.fixture(scope="module")
def digits():
    return lo.datasets.digits(seed=0)


@pytest.mark.parametrize(
    ("loss", "lr", "reg", "dtype"),
    [
        ("svm", 10, 10, np.float64),
        ("softmax", 10, 10, np.float64),
        ("softmax", 1e3, 1, np.float64),
        ("svm", 10, 10, np.float32),
        ("structured_svm", 100, 10, np.float64),
    ],
)
def test_a_diverging_fit_stops_keeps_its_history_and_warns_once(digits, loss, lr, reg, dtype):
    X_train = digits.X_train.astype(dtype)
    model = lo.LinearClassifier(loss, lr=lr, reg=reg, seed=0, verbose=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X_train, digits.y_train)
    assert [w.category for w in caught] == [lo.DivergenceWarning], [str(w.message) for w in caught]
    message = str(caught[0].message)
    assert f"lr={lr}" in message and "Lower the learning rate" in message
    assert model.diverged_
    steps = len(model.loss_history_)
    assert 0 < steps < 1000  # stopped at once, not after all 1000 steps
    assert f"step {steps + 1}" in message
    assert np.isfinite(model.loss_history_).all()
    assert np.isfinite(model.W_).all() and model.W_.dtype == dtype
    assert np.abs(model.W_).max() <= lo.optim.divergence_limit(dtype)
    assert math.isnan(model.score(digits.X_val, digits.y_val))  # a grid search marks the cell
    assert model.predict(digits.X_val).shape == (300,)  # the last finite W still predicts


def test_sgd_reports_divergence_in_its_result_silently(digits):
    loss_fn = functools.partial(lo.svm_loss, reg=10)
    W0 = np.zeros((65, 10))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = lo.sgd(loss_fn, W0, digits.X_train, digits.y_train, lr=10, num_iters=1000, seed=0)
    assert result.diverged and 0 < len(result.loss_history) < 1000
    # The weights grow by |1 - 2 lr reg| = 199 a step, so the run stops when they pass the limit.
    assert np.abs(result.W).max() <= lo.optim.divergence_limit(np.float64)
    assert result.loss_history[-1] > 1e60


def test_a_custom_loss_that_overflows_is_a_divergence_not_a_numpy_warning():
    def climbing(W, X_batch, y_batch):
        return float(-np.exp(W).sum()), -np.exp(W)  # W <- W + lr e^W grows until np.exp overflows

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = lo.sgd(climbing, np.ones((3, 3)), X, Y, lr=1.0, num_iters=50, seed=0)
    assert result.diverged and 0 < len(result.loss_history) < 50
    assert np.isfinite(result.W).all() and np.isfinite(result.loss_history).all()


def test_a_converging_run_is_not_flagged(digits):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = lo.LinearClassifier("svm", lr=0.1, reg=1e-3, epochs=3, seed=0, verbose=False)
        model.fit(digits.X_train, digits.y_train)
    assert not model.diverged_ and model.score(digits.X_val, digits.y_val) > 0.85


def test_the_divergence_limit_keeps_the_arithmetic_below_overflow():
    for dtype in (np.float32, np.float64):
        limit = lo.optim.divergence_limit(dtype)
        W = np.full((3073, 10), limit, dtype=dtype)  # CIFAR-sized W at the limit
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            R, dR = lo.regularization(W, "l2")
            assert np.isfinite(2.5e4 * R) and np.isfinite(dR).all()  # notebook 07's CIFAR reg of 2.5e4


def test_huge_but_finite_x_is_a_divergence_that_names_x_too(digits):
    """X of 1e300 (finite, extreme): the first steps blow W up; one warning of ours, no numpy warning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = lo.LinearClassifier("svm", lr=0.1, seed=0, verbose=False).fit(digits.X_train * 1e300, digits.y_train)
    assert [w.category for w in caught] == [lo.DivergenceWarning]
    assert "standardize X" in str(caught[0].message)
    assert model.diverged_ and np.isfinite(model.W_).all()


def test_huge_but_finite_x_at_predict_time_overflows_into_a_clear_error():
    model = lo.LinearClassifier(num_iters=1, verbose=False, seed=0).fit(X, Y, W0=np.ones((3, 3)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"^X holds values so large that the scores X @ W_ overflow"):
            model.predict(np.full((2, 3), 1.5e308))
