"""LinearClassifier as a scikit-learn estimator: its own checks, clone, cross-validation, grid search, pipelines."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import lossopt as lo

# Checks LinearClassifier fails on purpose, each for a rule of lossopt's (CONVENTIONS: bad input gets a
# TypeError or ValueError from lossopt that names the argument; X holds real numbers, y one label per row).
EXPECTED_FAILED_CHECKS = {
    "check_complex_data": (
        "complex X raises TypeError('X must hold real numbers ...'): the wrong kind of thing is a TypeError "
        "everywhere in lossopt; scikit-learn wants a ValueError"
    ),
    "check_dtype_object": (
        "an object array (even of numbers) raises TypeError naming X, as every lossopt function does; "
        "scikit-learn converts it to floats"
    ),
    "check_supervised_y_2d": (
        "a column vector y of shape (N, 1) raises ValueError naming y and its shape, as every lossopt function "
        "does; scikit-learn accepts it with a DataConversionWarning"
    ),
}


def expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS


@parametrize_with_checks(
    [
        lo.LinearClassifier(seed=0, verbose=False),
        lo.LinearClassifier("softmax", seed=0, verbose=False),  # has predict_proba
    ],
    expected_failed_checks=expected_failed_checks,
)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def test_the_expected_failures_still_fail():
    """Each exception above is still needed (else it should go), and fails for the reason given."""
    model = lo.LinearClassifier(seed=0, verbose=False)
    X, y = np.random.default_rng(0).standard_normal((30, 3)), np.arange(30) % 3
    with pytest.raises(TypeError, match="X must hold real numbers"):
        model.fit(X.astype(complex), y)
    with pytest.raises(TypeError, match="X must hold real numbers"):
        model.fit(X.astype(object), y)
    with pytest.raises(ValueError, match=r"y must have shape \(30,\)"):
        model.fit(X, y[:, None])


# --- scikit-learn's conventions, one at a time ---------------------------------------


@pytest.fixture(scope="module")
def digits():
    return lo.datasets.digits(seed=0)


def fast(**params):
    return lo.LinearClassifier("softmax", lr=0.1, reg=1e-3, epochs=3, batch_size=100, seed=0, verbose=False, **params)


def test_init_only_stores_its_arguments():
    model = lo.LinearClassifier("hinge", lr=-1, batch_size=2.5, verbose="no")  # nothing is checked yet
    assert model.get_params()["loss"] == "hinge" and model.get_params()["lr"] == -1
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        model.fit([[0.0], [1.0]], [0, 1])
    for name, value, error in [("lr", 0, ValueError), ("batch_size", 2.5, TypeError), ("verbose", "no", TypeError)]:
        with pytest.raises(error, match=name):
            lo.LinearClassifier(**{name: value}).fit([[0.0], [1.0]], [0, 1])


def test_get_params_set_params_and_clone():
    model = lo.LinearClassifier("softmax", reg=0.5, seed=3)
    params = model.get_params()
    assert params["loss"] == "softmax" and params["reg"] == 0.5 and params["seed"] == 3
    assert set(params) == {
        "loss", "reg", "lr", "batch_size", "num_iters", "epochs", "penalty", "delta", "schedule", "init_scale",
        "seed", "verbose",
    }  # fmt: skip
    assert model.set_params(lr=0.2, penalty="l1") is model
    assert model.lr == 0.2 and model.penalty == "l1"
    copy = clone(model)
    assert copy is not model and copy.get_params() == model.get_params()
    assert "LinearClassifier(loss='softmax'" in repr(model)


def test_clone_of_a_fitted_model_is_unfitted_and_refits_identically(digits):
    model = fast().fit(digits.X_train, digits.y_train)
    copy = clone(model)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        copy.predict(digits.X_val)
    np.testing.assert_array_equal(copy.fit(digits.X_train, digits.y_train).W_, model.W_)


def test_not_fitted_is_also_a_runtime_error_as_before():
    with pytest.raises(RuntimeError, match="not fitted yet"):
        lo.LinearClassifier().predict([[1.0]])


@pytest.mark.parametrize(
    "labels",
    [np.array([3, 5]), np.array(["cat", "dog", "frog"]), np.array([-1.0, 1.0]), np.array([10, 20, 30, 40])],
    ids=["ints 3 5", "strings", "floats -1 1", "ints 10..40"],
)
def test_any_class_labels(labels, rng):
    C = len(labels)
    centres = 4.0 * rng.standard_normal((C, 2))
    index = np.arange(40 * C) % C
    X = centres[index] + 0.3 * rng.standard_normal((index.size, 2))
    y = labels[index]
    model = lo.LinearClassifier("softmax", lr=0.5, epochs=30, batch_size=20, seed=0, verbose=False).fit(X, y)
    np.testing.assert_array_equal(model.classes_, np.sort(labels))
    assert model.W_.shape == (2, C)  # one column per class, whatever the labels
    predicted = model.predict(X)
    assert predicted.dtype == y.dtype
    assert model.score(X, y) == np.mean(predicted == y) > 0.9
    # Column j of W_ scores classes_[j]: training on the indices instead gives the same weights.
    indices = np.searchsorted(model.classes_, y)
    same = lo.LinearClassifier("softmax", lr=0.5, epochs=30, batch_size=20, seed=0, verbose=False).fit(X, indices)
    np.testing.assert_array_equal(same.W_, model.W_)


def test_n_features_in_and_a_wrong_width_named(digits):
    model = fast().fit(digits.X_train, digits.y_train)
    assert model.n_features_in_ == 65
    with pytest.raises(ValueError, match="X has 64 features, but LinearClassifier is expecting 65"):
        model.predict(digits.X_val[:, :64])


def test_decision_function_multiclass_and_binary(digits, rng):
    model = fast().fit(digits.X_train, digits.y_train)
    S = model.decision_function(digits.X_val)
    np.testing.assert_allclose(S, digits.X_val @ model.W_)
    np.testing.assert_array_equal(model.predict(digits.X_val), S.argmax(axis=1))
    # Two classes: one score per row, as scikit-learn's binary classifiers give (> 0 means classes_[1]).
    two = digits.y_train < 5
    binary = fast().fit(digits.X_train, np.where(two, "low", "high"))
    d = binary.decision_function(digits.X_val)
    assert d.shape == (300,)
    np.testing.assert_allclose(d, digits.X_val @ (binary.W_[:, 1] - binary.W_[:, 0]))
    np.testing.assert_array_equal(binary.predict(digits.X_val), np.where(d > 0, "low", "high"))


def test_predict_proba_is_the_softmax_and_only_for_softmax(digits):
    model = fast().fit(digits.X_train, digits.y_train)
    P = model.predict_proba(digits.X_val)
    np.testing.assert_allclose(P, lo.softmax_probabilities(digits.X_val @ model.W_))
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_array_equal(P.argmax(axis=1), model.predict(digits.X_val))
    assert not hasattr(lo.LinearClassifier("svm"), "predict_proba")  # an SVM has no probabilities


def test_cross_val_score(digits):
    scores = cross_val_score(fast(), digits.X_train, digits.y_train, cv=3)
    assert scores.shape == (3,)
    assert (scores > 0.85).all()


def test_grid_search_finds_the_best_setting(digits):
    search = GridSearchCV(fast(), {"lr": [1e-4, 0.1], "reg": [1e-4, 1e-2]}, cv=3)
    search.fit(digits.X_train, digits.y_train)
    assert search.best_params_["lr"] == 0.1  # 1e-4 barely moves W in three epochs
    assert search.cv_results_["mean_test_score"].shape == (4,)
    assert search.best_estimator_.score(digits.X_val, digits.y_val) > 0.9


def test_pipeline_with_a_scaler(rng):
    # Raw digit pixels (0..16, no bias column): the scaler standardizes them inside the pipeline.
    raw = lo.datasets.digits(seed=0, standardize=False, bias=False)
    pipe = make_pipeline(StandardScaler(), fast())
    pipe.fit(raw.X_train, raw.y_train)
    assert pipe.score(raw.X_val, raw.y_val) > 0.9
    model = pipe[-1]
    scaled = pipe[0].transform(raw.X_val)
    np.testing.assert_array_equal(pipe.predict(raw.X_val), model.predict(scaled))
    assert cross_val_score(make_pipeline(StandardScaler(), fast()), raw.X_train, raw.y_train, cv=2).min() > 0.85


def test_fit_callback_sees_every_step_and_can_stop(digits):
    seen = []
    model = fast()
    model.fit(digits.X_train, digits.y_train, callback=lambda step, W, loss: seen.append((step, W.copy(), loss)))
    assert [step for step, _, _ in seen] == list(range(len(model.loss_history_)))
    np.testing.assert_array_equal(seen[-1][1], model.W_)
    np.testing.assert_array_equal([loss for _, _, loss in seen], model.loss_history_)
    # W0_ is where it started: the first step is W0_ - lr * dW on the first batch.
    stopped = fast().fit(digits.X_train, digits.y_train, callback=lambda step, W, loss: step == 9)
    assert len(stopped.loss_history_) == 10
    np.testing.assert_array_equal(stopped.W0_, fast().fit(digits.X_train, digits.y_train).W0_)


def test_fit_callback_equals_sgd_from_w0(digits):
    """The run the SGD explorer repeated by hand: LinearClassifier.fit equals sgd from W0_ with the same stream."""
    model = fast().fit(digits.X_train, digits.y_train)
    rng = np.random.default_rng(0)
    W0 = 1e-3 * rng.standard_normal((65, 10))
    np.testing.assert_array_equal(model.W0_, W0)
    result = lo.sgd(model.loss_and_gradient, W0, digits.X_train, digits.y_train, lr=0.1, batch_size=100, epochs=3,
                    seed=rng)  # fmt: skip
    np.testing.assert_array_equal(result.W, model.W_)


def test_grid_with_diverging_cells_completes_and_marks_them(digits):
    """Notebook 07's search, with settings that blow up: the search finishes, those cells score nan."""
    grid = {"lr": [0.1, 10.0], "reg": [1e-3, 10.0]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lo.DivergenceWarning)
        warnings.filterwarnings("ignore", "One or more of the test scores are non-finite", UserWarning)
        search = GridSearchCV(lo.LinearClassifier("svm", num_iters=60, seed=0, verbose=False), grid, cv=2)
        search.fit(digits.X_train, digits.y_train)
    means = dict(zip(map(str, search.cv_results_["params"]), search.cv_results_["mean_test_score"], strict=True))
    assert np.isnan(means[str({"lr": 10.0, "reg": 10.0})])
    assert means[str({"lr": 0.1, "reg": 1e-3})] > 0.85
    assert search.best_params_ == {"lr": 0.1, "reg": 1e-3}
    # The same cells by hand, as notebook 07's loop does: diverged_ says which.
    diverged = {}
    for lr in grid["lr"]:
        for reg in grid["reg"]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", lo.DivergenceWarning)
                model = lo.LinearClassifier("svm", lr=lr, reg=reg, num_iters=60, seed=0, verbose=False)
                diverged[lr, reg] = model.fit(digits.X_train, digits.y_train).diverged_
    assert diverged == {(0.1, 1e-3): False, (0.1, 10.0): False, (10.0, 1e-3): False, (10.0, 10.0): True}
