"""lossopt.exercises: correct answers pass, stubs are "not attempted yet", each classic mistake is named.

Every diagnosis the checkers make has a test here that feeds a function with exactly that
mistake and asserts the message names it. The mistakes are written as small variations of
the reference solutions (a builder with one switch per mistake), so each differs from a
correct function in that one place.
"""

import json
import os
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import lossopt as lo
from lossopt import exercises


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    """Every test saves its checks in its own progress file, never in the user's data folder."""
    path = tmp_path / "data" / "progress.json"
    monkeypatch.setenv("LOSSOPT_PROGRESS_FILE", str(path))
    return path


# ----------------------------------------------------------------------------
# Reference solutions (as in the notebooks) and other correct variants
# ----------------------------------------------------------------------------


def svm_loss_naive(W, X, y, reg):
    dW = np.zeros(W.shape)  # float64 even for float32 W, as in the CS231n assignment
    N, C = X.shape[0], W.shape[1]
    loss = 0.0
    for i in range(N):
        scores = X[i].dot(W)
        correct = scores[y[i]]
        for j in range(C):
            if j == y[i]:
                continue
            margin = scores[j] - correct + 1
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    loss /= N
    dW /= N
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    return loss, dW


def svm_loss_naive_classes_outer(W, X, y, reg):
    """Another loop order: classes outside, examples inside; float32 stays float32."""
    N, C = X.shape[0], W.shape[1]
    loss, dW = W.dtype.type(0), np.zeros_like(W)
    for j in range(C):
        for i in range(N):
            if y[i] != j:
                margin = X[i] @ W[:, j] - X[i] @ W[:, y[i]] + 1
                if margin > 0:
                    loss += margin / N
                    dW[:, j] += X[i] / N
                    dW[:, y[i]] -= X[i] / N
    return loss + reg * (W**2).sum(), dW + reg * 2 * W


def svm_loss_naive_loop_over_D(W, X, y, reg):
    """The slowest reasonable loop order: every score a Python sum over the D features."""
    N, D, C = X.shape[0], W.shape[0], W.shape[1]
    loss, dW = 0.0, np.zeros(W.shape)
    for i in range(N):
        scores = [sum(X[i, d] * W[d, j] for d in range(D)) for j in range(C)]
        for j in range(C):
            margin = scores[j] - scores[y[i]] + 1
            if j != y[i] and margin > 0:
                loss += margin
                for d in range(D):
                    dW[d, j] += X[i, d]
                    dW[d, y[i]] -= X[i, d]
    return loss / N + reg * np.sum(W * W), dW / N + 2 * reg * W


def svm_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    S = X @ W
    correct = S[np.arange(N), y][:, None]
    margins = np.maximum(0, S - correct + 1)
    margins[np.arange(N), y] = 0
    loss = margins.sum() / N + reg * np.sum(W * W)
    dS = (margins > 0).astype(S.dtype)
    dS[np.arange(N), y] = -dS.sum(axis=1)
    dW = X.T @ dS / N + 2 * reg * W
    return loss, dW


def svm_loss_vectorized_onehot(W, X, y, reg):
    """Another layout: a one-hot mask, np.mean, a 0-d array for the loss."""
    S = X @ W
    onehot = np.eye(W.shape[1], dtype=bool)[y]
    margins = np.where(onehot, 0.0, np.maximum(0.0, S - S[onehot][:, None] + 1.0))
    loss = np.asarray(np.mean(margins.sum(axis=1)) + reg * np.vdot(W, W))
    active = (margins > 0).astype(float)
    dS = active - onehot * active.sum(axis=1, keepdims=True)
    return loss, X.T.dot(dS) / len(y) + 2 * reg * W


def softmax_loss_naive(W, X, y, reg):
    dW = np.zeros_like(W)
    N, C = X.shape[0], W.shape[1]
    loss = 0.0
    for i in range(N):
        s = X[i] @ W
        s = s - s.max()
        p = np.exp(s) / np.sum(np.exp(s))
        loss += -np.log(p[y[i]])
        for j in range(C):
            dW[:, j] += (p[j] - (j == y[i])) * X[i]
    loss = loss / N + reg * np.sum(W * W)
    dW = dW / N + 2 * reg * W
    return loss, dW


def softmax_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    S = X @ W
    S = S - S.max(axis=1, keepdims=True)
    P = np.exp(S)
    P /= P.sum(axis=1, keepdims=True)
    loss = -np.log(P[np.arange(N), y]).mean() + reg * np.sum(W * W)
    P[np.arange(N), y] -= 1
    dW = X.T @ P / N + 2 * reg * W
    return loss, dW


def softmax_loss_vectorized_logsumexp(W, X, y, reg):
    """Another form: log-sum-exp for the loss, probabilities from it."""
    S = X @ W
    top = S.max(axis=1, keepdims=True)
    lse = top[:, 0] + np.log(np.exp(S - top).sum(axis=1))
    loss = float(np.mean(lse - S[np.arange(len(y)), y])) + reg * float((W * W).sum())
    P = np.exp(S - lse[:, None])
    P[np.arange(len(y)), y] -= 1
    return loss, X.T @ P / len(y) + 2 * reg * W


def l2_regularization(W, reg):
    return reg * np.sum(W * W), 2 * reg * W


def l1_regularization(W, reg):
    return reg * np.sum(np.abs(W)), reg * np.sign(W)


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        fp = f(x)
        x[ix] = old - h
        fm = f(x)
        x[ix] = old
        grad[ix] = (fp - fm) / (2 * h)
        it.iternext()
    return grad


def numerical_gradient_copies(f, x, h=1e-5):
    """Another way: nudge copies, never x itself; flat indices."""
    grad = np.zeros(x.shape)
    for k in range(x.size):
        step = np.zeros(x.size)
        step[k] = h
        step = step.reshape(x.shape)
        grad.flat[k] = (f(x + step) - f(x - step)) / (2 * h)
    return grad


def numerical_gradient_add_subtract(f, x, h=1e-5):
    """Restores x by adding and subtracting h: equal up to rounding, accepted."""
    grad = np.zeros_like(x)
    for ix in np.ndindex(x.shape):
        x[ix] += h
        fp = f(x)
        x[ix] -= 2 * h
        fm = f(x)
        x[ix] += h
        grad[ix] = (fp - fm) / (2 * h)
    return grad


def gradient_descent(loss_fn, W0, lr, num_steps):
    W = W0.copy()
    for _ in range(num_steps):
        _, dW = loss_fn(W)
        W = W - lr * dW
    return W


def gradient_descent_while(loss_fn, W0, lr, num_steps):
    W, step = np.array(W0, copy=True), 0
    while step < num_steps:
        W -= lr * loss_fn(W)[1]
        step += 1
    return W


def sgd(loss_fn, W0, X, y, lr, batch_size, num_iters, seed):
    rng = np.random.default_rng(seed)
    W = W0.copy()
    loss_history = []
    for _ in range(num_iters):
        idx = rng.choice(X.shape[0], batch_size, replace=True)
        loss, dW = loss_fn(W, X[idx], y[idx])
        loss_history.append(loss)
        W -= lr * dW
    return W, loss_history


def sgd_epochs(loss_fn, W0, X, y, lr, batch_size, num_iters, seed):
    """Permutation-based epochs (a fresh order each pass), via lossopt's own sgd."""
    result = lo.sgd(loss_fn, W0, X, y, lr=lr, batch_size=batch_size, num_iters=num_iters, seed=seed)
    return result.W, result.loss_history


def sgd_global_seed(loss_fn, W0, X, y, lr, batch_size, num_iters, seed):
    """The legacy global generator, seeded: with replacement, np.random.choice."""
    np.random.seed(seed)  # noqa: NPY002 (students meet the legacy API too)
    W, history = W0, np.zeros(num_iters)
    for t in range(num_iters):
        idx = np.random.choice(len(y), batch_size)  # noqa: NPY002
        history[t], dW = loss_fn(W, X[idx], y[idx])
        W = W - lr * dW
    return W, history


def sgd_without_replacement(loss_fn, W0, X, y, lr, batch_size, num_iters, seed):
    rng = np.random.default_rng(seed)
    W, history = W0.copy(), []
    for _ in range(num_iters):
        idx = rng.choice(len(y), size=batch_size, replace=False)
        loss, dW = loss_fn(W, X[idx], y[idx])
        W -= lr * dW
        history.append(float(loss))
    return W, np.array(history)


def sgd_keywords(loss_fn, W0, X, y, lr, batch_size, num_iters, seed):
    """Calls loss_fn with keywords, as lossopt's losses name them, and samples with rng.integers."""
    rng = np.random.default_rng(seed)
    W, loss_history = W0, []
    for _ in range(num_iters):
        batch = rng.integers(0, len(y), size=batch_size)
        loss, dW = loss_fn(W, X=X[batch], y=y[batch])
        W = W - lr * dW
        loss_history.append(loss)
    return W, loss_history


def predict(W, X):
    return np.argmax(X @ W, axis=1)


def predict_loop(W, X):
    """One example at a time, as a student might."""
    y_pred = np.zeros(X.shape[0], dtype=int)
    for i in range(X.shape[0]):
        y_pred[i] = np.argmax(X[i].dot(W))
    return y_pred


def hyperparameter_search(X_train, y_train, X_val, y_val, learning_rates, regularization_strengths, epochs=10, seed=0):
    results, best, best_val = {}, None, -1.0
    for lr in learning_rates:
        for reg in regularization_strengths:
            model = lo.LinearClassifier("softmax", lr=lr, reg=reg, epochs=epochs, seed=seed, verbose=False)
            model.fit(X_train, y_train)
            results[(lr, reg)] = (model.score(X_train, y_train), model.score(X_val, y_val))
            if results[(lr, reg)][1] > best_val:
                best, best_val = (lr, reg), results[(lr, reg)][1]
    return best, results


def hyperparameter_search_max(
    X_train, y_train, X_val, y_val, learning_rates, regularization_strengths, epochs=10, seed=0
):
    """max over the dict, accuracies from predict."""
    results = {}
    for reg in regularization_strengths:  # the other loop order
        for lr in learning_rates:
            model = lo.LinearClassifier("softmax", lr=lr, reg=reg, epochs=epochs, seed=seed, verbose=False)
            model = model.fit(X_train, y_train)
            train = np.mean(model.predict(X_train) == y_train)
            results[lr, reg] = (train, np.mean(model.predict(X_val) == y_val))
    return max(results, key=lambda key: results[key][1]), results


def polar_features(X):
    x, y = X[:, 0], X[:, 1]
    return np.column_stack([np.sqrt(x**2 + y**2), np.arctan2(y, x)])


def polar_features_stack(X):
    return np.stack([np.linalg.norm(X, axis=1), np.arctan2(X[:, 1], X[:, 0])], axis=1)


CORRECT = {
    "svm_loss_naive": [svm_loss_naive, svm_loss_naive_classes_outer, svm_loss_naive_loop_over_D],
    "svm_loss_vectorized": [svm_loss_vectorized, svm_loss_vectorized_onehot],
    "l2_regularization": [l2_regularization],
    "l1_regularization": [l1_regularization],
    "softmax_loss_naive": [softmax_loss_naive],
    "softmax_loss_vectorized": [softmax_loss_vectorized, softmax_loss_vectorized_logsumexp],
    "numerical_gradient": [numerical_gradient, numerical_gradient_copies, numerical_gradient_add_subtract],
    "gradient_descent": [gradient_descent, gradient_descent_while],
    "sgd": [sgd, sgd_global_seed, sgd_without_replacement, sgd_keywords],
    "predict": [predict, predict_loop],
    "hyperparameter_search": [hyperparameter_search, hyperparameter_search_max],
    "polar_features": [polar_features, polar_features_stack],
}


def test_the_tests_cover_every_exercise():
    assert sorted(CORRECT) == sorted(exercises.names())


@pytest.mark.parametrize(
    "name, fn", [(name, fn) for name, fns in CORRECT.items() for fn in fns], ids=lambda v: getattr(v, "__name__", v)
)
def test_correct_answers_pass_in_well_under_a_second(name, fn):
    start = time.perf_counter()
    result = exercises.check(name, fn)
    elapsed = time.perf_counter() - start
    assert result.passed, result.message
    assert result.state == "passed"
    assert elapsed < 2.0  # issue 19: any reasonable loop order judged in under 2 s
    assert repr(result).startswith(f"{name}: passed. ")


# ----------------------------------------------------------------------------
# Stubs, exceptions, results
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", exercises.names())
def test_a_stub_is_not_attempted_yet(name):
    def stub(*args, **kwargs):
        # YOUR CODE HERE
        raise NotImplementedError

    result = exercises.check(name, stub)
    assert not result.passed
    assert result.state == "not attempted yet"
    assert "not attempted yet" in repr(result)
    assert "NotImplementedError" in result.message


def test_an_exception_in_the_students_code_names_it_and_its_line():
    def svm_loss_naive(W, X, y, reg):
        scores = X @ W
        return scores[len(y)], W  # IndexError on this line

    result = exercises.check("svm_loss_naive", svm_loss_naive)
    assert result.state == "failed"
    line = svm_loss_naive.__code__.co_firstlineno + 2
    assert "raised IndexError" in result.message
    assert f"line {line} of svm_loss_naive" in result.message


def test_an_error_raised_inside_numpy_or_lossopt_points_at_the_students_line():
    def svm_loss_vectorized(W, X, y, reg):
        error = lo.rel_error(W, X)  # lossopt rejects two shapes that differ
        return error, W

    result = exercises.check("svm_loss_vectorized", svm_loss_vectorized)
    line = svm_loss_vectorized.__code__.co_firstlineno + 1
    assert "raised ValueError" in result.message and "same shape" in result.message
    assert f"line {line} of svm_loss_vectorized" in result.message


@pytest.mark.parametrize("name", exercises.names())
@pytest.mark.parametrize(
    "fn",
    [
        None,
        lambda *a: None,
        lambda *a: "loss",
        lambda *a: (np.nan, np.nan),
        lambda *a: (1.0, "dW"),
        lambda *a: ([1, 2], {}),
        lambda *a: 1 / 0,
        lambda *a: a[0](a[1]) if callable(a[0]) else a[0][10**6],
    ],
    ids=["None", "returns None", "string", "nan", "string dW", "list and dict", "ZeroDivisionError", "IndexError"],
)
def test_check_never_raises_for_a_students_mistake(name, fn):
    result = exercises.check(name, fn)
    assert result.state == "failed"
    assert repr(result).splitlines()[0] == f"{name}: failed. {result.message}"


def test_what_the_students_function_prints_is_hidden_during_the_check(capsys):
    def l2_regularization(W, reg):
        print("debugging", W.shape)
        return reg * np.sum(W * W), 2 * reg * W

    assert exercises.check("l2_regularization", l2_regularization).passed
    assert capsys.readouterr().out == ""


def test_a_signature_that_does_not_fit_is_shown_the_expected_one():
    def svm_loss_naive(W, X, y):  # reg forgotten
        return svm_loss_vectorized(W, X, y, 0.0)

    result = exercises.check("svm_loss_naive", svm_loss_naive)
    assert "raised TypeError" in result.message
    assert "when called as svm_loss_naive(W, X, y, reg) -> (loss, dW)" in result.message


def test_an_error_with_no_line_of_the_students_code_says_so():
    result = exercises.check("l2_regularization", np.reshape)  # reshape(W, reg): a TypeError deep in numpy
    assert "raised TypeError" in result.message and "inside numpy or lossopt" in result.message


def test_a_bug_in_a_checker_itself_is_a_failed_result_not_a_crash(monkeypatch):
    def broken_checker(fn, name):
        raise RuntimeError("the checker tripped")

    notebook, signature, _, answers = exercises._EXERCISES["sgd"]
    monkeypatch.setitem(exercises._EXERCISES, "sgd", (notebook, signature, broken_checker, answers))
    result = exercises.check("sgd", sgd)
    assert result.state == "failed"
    assert "could not read (RuntimeError: the checker tripped)" in result.message


def test_something_that_is_not_a_function_is_told_so():
    assert "check expects the function sgd itself, got a NoneType" in exercises.check("sgd", None).message


def test_gradient_descent_that_returns_nothing_is_told_to_return_W():
    def gradient_descent(loss_fn, W0, lr, num_steps):
        W = W0.copy()
        for _ in range(num_steps):
            W -= lr * loss_fn(W)[1]

    result = exercises.check("gradient_descent", gradient_descent)
    assert "must return W, an array of W0's shape (4, 3), got a NoneType" in result.message


def test_an_unknown_exercise_is_our_error_and_raises_naming_the_exercises():
    with pytest.raises(ValueError, match="svm_loss_naive"):
        exercises.check("svm_loss", svm_loss_naive)


def test_the_result_shows_every_diagnosis_and_how_to_rerun_the_failing_case():
    result = exercises.check("svm_loss_vectorized", make_loss("svm", mean=False, divide_grad=False))
    assert len(result.diagnoses) == 2  # the loss and dW, both N times too big
    text, html = repr(result), result._repr_html_()
    assert text.startswith("svm_loss_vectorized: failed. ") and "sum instead of mean" in text.splitlines()[0]
    assert "  also: " in text and "not divided by N" in text and "not divided by N" in html
    assert "<ul>" in html and "<script" not in html
    rerun = text.splitlines()[-1]
    assert rerun.startswith('Rerun the failing case: result = lo.exercises.check("svm_loss_vectorized", ')
    assert "svm_loss_vectorized(**result.inputs)" in rerun and "X float64 (5, 6)" in rerun and "reg = 0.0" in rerun


def test_the_failing_inputs_rerun_the_failing_call():
    def softmax_loss_vectorized(W, X, y, reg):
        loss, dW = make_loss("softmax")(W, X, y, reg)
        return loss, (dW * 1.01 if W.dtype == np.float32 else dW)  # wrong only in float32

    result = exercises.check("softmax_loss_vectorized", softmax_loss_vectorized)
    assert result.state == "failed" and "float32" in result.message
    assert sorted(result.inputs) == ["W", "X", "reg", "y"] and result.inputs["W"].dtype == np.float32
    _, dW = softmax_loss_vectorized(**result.inputs)
    assert not np.allclose(dW, lo.softmax_loss(**result.inputs)[1], rtol=1e-4)  # the same wrong answer again


def test_a_passed_result_shows_one_line():
    result = exercises.check("l2_regularization", l2_regularization)
    assert "\n" not in repr(result) and result.inputs is None and result.diagnoses == []


# ----------------------------------------------------------------------------
# Progress across notebooks: a JSON file in the user's data folder
# ----------------------------------------------------------------------------


def test_progress_is_saved_and_shows_every_exercise_from_every_notebook(progress_file):
    exercises.check("l2_regularization", l2_regularization)
    exercises.check("l1_regularization", lambda W, reg: (reg * np.sum(W), reg * np.sign(W)))
    exercises._RESULTS = None  # nothing of this kernel is needed: the file holds the results
    table = exercises.progress()
    states = {name: state for name, _, state, _ in table}
    assert [name for name, *_ in table] == exercises.names() and len(table) == 12
    assert states["l2_regularization"] == "passed" and states["l1_regularization"] == "failed"
    assert states["sgd"] == "not checked yet"
    assert repr(table).splitlines()[0] == f"1 of 12 exercises passed (saved in {progress_file})"
    saved = json.loads(progress_file.read_text())
    assert saved["l2_regularization"]["state"] == "passed"
    assert [p.name for p in progress_file.parent.iterdir()] == ["progress.json"]  # no temporary file left behind


def test_progress_resets(progress_file):
    exercises.check("l2_regularization", l2_regularization)
    exercises.reset_progress()
    assert not progress_file.exists()
    assert {state for _, _, state, _ in exercises.progress()} == {"not checked yet"}
    exercises.reset_progress()  # twice is fine


@pytest.mark.parametrize("content", ["{not json", '["a list"]', '{"sgd": 3}', "__import__('os').system('x')"])
def test_a_corrupt_progress_file_is_reported_and_ignored_never_run(progress_file, content):
    progress_file.parent.mkdir(parents=True)
    progress_file.write_text(content)
    table = exercises.progress()
    assert "was ignored" in table.note and table.note in repr(table)
    assert {state for _, _, state, _ in table} == {"not checked yet"}
    assert exercises.check("l2_regularization", l2_regularization).passed  # and it is replaced by a good one
    assert exercises.progress().note == ""


def test_the_progress_file_lives_in_the_users_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("LOSSOPT_PROGRESS_FILE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert exercises.progress_file() == str(tmp_path / "xdg" / "lossopt" / "progress.json")
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert exercises.progress_file() == str(tmp_path / "home" / ".local" / "share" / "lossopt" / "progress.json")


def test_an_unwritable_progress_file_does_not_stop_the_check(monkeypatch, tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("")
    monkeypatch.setenv("LOSSOPT_PROGRESS_FILE", str(blocker / "progress.json"))  # its folder is a file
    assert exercises.check("l2_regularization", l2_regularization).passed


# ----------------------------------------------------------------------------
# A time limit: an infinite loop is stopped, and the kernel stays usable
# ----------------------------------------------------------------------------


def gradient_descent_forever(loss_fn, W0, lr, num_steps):
    W, k = W0.copy(), 0
    while k < num_steps:  # k += 1 forgotten
        try:  # noqa: SIM105 (a student's catch-all, which cannot swallow the stop)
            W = W - lr * loss_fn(W)[1]
        except Exception:
            pass
    return W


def test_an_infinite_loop_is_stopped_within_the_time_limit_and_the_next_check_works():
    start = time.perf_counter()
    result = exercises.check("gradient_descent", gradient_descent_forever, time_limit=0.5)
    assert time.perf_counter() - start < 2.0
    assert result.state == "failed"
    assert "your function did not return in 0.5 s (an infinite loop?)" in result.message
    assert exercises.check("gradient_descent", gradient_descent).passed  # the kernel goes on
    import sys

    assert sys.gettrace() is None or "coverage" in type(sys.gettrace()).__module__


def test_an_infinite_loop_is_stopped_in_a_thread_too():
    import threading

    results = []
    thread = threading.Thread(
        target=lambda: results.append(exercises.check("gradient_descent", gradient_descent_forever, time_limit=0.3))
    )
    thread.start()
    thread.join(5)
    assert not thread.is_alive() and "did not return in 0.3 s" in results[0].message


def test_the_default_time_limit_is_ten_seconds():
    assert exercises.TIME_LIMIT == 10.0


# ----------------------------------------------------------------------------
# check_gradient: the student's own gradient against centered differences
# ----------------------------------------------------------------------------

GRADIENT_EXERCISES = ["svm_loss_naive", "svm_loss_vectorized", "l2_regularization", "l1_regularization",
                      "softmax_loss_naive", "softmax_loss_vectorized"]  # fmt: skip


@pytest.mark.parametrize("name", GRADIENT_EXERCISES)
def test_check_gradient_is_happy_with_every_correct_answer_far_below_the_line(name):
    for fn in CORRECT[name]:
        result = exercises.check_gradient(name, fn)
        assert result.passed, result.message
        errors = [float(e) for e in __import__("re").findall(r": (\d\.\de-\d\d) \(below 1e-7", result.message)]
        assert len(errors) == 2 and max(errors) < 1e-8  # 10x clear of the line: round-off cannot cross it
        assert "you should be happy" in result.message and repr(result).startswith(f"{name} (gradient check): passed.")


def test_the_gradient_problem_is_far_from_every_kink_and_every_entry_is_large():
    W, X, y = exercises._gradient_problem()
    S = X @ W
    margins = S - S[np.arange(3), y][:, None] + 1
    margins[np.arange(3), y] = np.inf
    assert np.abs(margins).min() > 0.8 and np.abs(X).max() < 2  # a nudge of 1e-5 moves a margin < 2e-5
    for loss in (lo.svm_loss, lo.softmax_loss):
        assert np.abs(loss(W, X, y)[1]).min() > 0.05


@pytest.mark.parametrize("entry", [(i, j) for i in range(4) for j in range(3)])
def test_check_gradient_catches_a_gradient_wrong_in_any_one_of_the_12_entries(entry):
    def svm_loss_vectorized_off(W, X, y, reg):
        loss, dW = svm_loss_vectorized(W, X, y, reg)
        dW = dW.copy()
        dW[entry] *= 1.1  # 10% off: a relative error of about 0.05
        return loss, dW

    result = exercises.check_gradient("svm_loss_vectorized", svm_loss_vectorized_off)
    assert result.state == "failed" and "the gradient is probably wrong" in result.message


@pytest.mark.parametrize("name", GRADIENT_EXERCISES)
def test_check_gradient_says_not_attempted_yet_for_a_stub(name):
    def stub(*args):
        raise NotImplementedError

    result = exercises.check_gradient(name, stub)
    assert result.state == "not attempted yet" and "not attempted yet" in repr(result)


def test_check_gradient_fails_a_wrong_gradient_with_the_notes_verdict_and_points_to_check():
    result = exercises.check_gradient("softmax_loss_naive", make_loss("softmax", reg_grad=1.0))
    assert result.state == "failed"
    assert "reg = 0.0: " in result.message and '(below 1e-7: "you should be happy")' in result.message
    assert "reg = 0.1: " in result.message and "probably wrong" in result.message
    assert 'lo.exercises.check("softmax_loss_naive", softmax_loss_naive) says what is wrong' in result.message
    l1 = exercises.check_gradient("l1_regularization", lambda W, reg: (reg * np.abs(W).sum(), reg * W))
    assert l1.state == "failed" and "probably wrong" in l1.message


@pytest.mark.parametrize("fn", [lambda *a: None, lambda *a: (1.0, "dW"), lambda *a: 1 / 0, lambda *a: (np.inf, a[0])])
def test_check_gradient_never_raises_for_a_students_mistake(fn):
    result = exercises.check_gradient("svm_loss_naive", fn)
    assert result.state == "failed"


def test_check_gradient_knows_which_exercises_return_a_gradient():
    with pytest.raises(ValueError, match="svm_loss_naive"):
        exercises.check_gradient("sgd", sgd)


# ----------------------------------------------------------------------------
# Answers that hand the work to lossopt's own implementation
# ----------------------------------------------------------------------------


def svm_loss_lossopt(W, X, y, reg):
    return lo.svm_loss(W, X, y, reg)


def svm_loss_naive_lossopt(W, X, y, reg):
    for _ in range(1):  # a loop, to look like the naive version
        loss, dW = lo.svm_loss_naive(W, X, y, reg)
    return loss, dW


HANDED = [
    ("svm_loss_vectorized", svm_loss_lossopt, "svm_loss"),
    ("svm_loss_naive", svm_loss_naive_lossopt, "svm_loss_naive"),
    ("softmax_loss_vectorized", lambda W, X, y, reg: lo.softmax_loss(W, X, y, reg), "softmax_loss"),
    ("l2_regularization", lambda W, reg: tuple(reg * v for v in lo.regularization(W, "l2")), "regularization"),
    ("numerical_gradient", lambda f, x, h=1e-5: lo.numerical_gradient(f, x, h), "numerical_gradient"),
    ("sgd", sgd_epochs, "sgd"),
    ("polar_features", lambda X: lo.features.polar_features(X), "polar_features"),
]


@pytest.mark.parametrize("name, fn, called", HANDED, ids=[h[0] for h in HANDED])
def test_an_answer_that_returns_lossopts_own_implementation_is_told_so(name, fn, called):
    result = exercises.check(name, fn)
    assert result.state == "failed"
    lines = Path(fn.__code__.co_filename).read_text().splitlines()
    line = next(n for n in range(fn.__code__.co_firstlineno, len(lines) + 1) if f".{called}(" in lines[n - 1])
    assert f"hands the work to lossopt's own code (line {line}: " in result.message
    assert f"{called}(" in result.message and "write it yourself, with numpy" in result.message


# ----------------------------------------------------------------------------
# The losses: one switch per classic mistake
# ----------------------------------------------------------------------------


def make_loss(
    kind,
    *,
    skip_correct=True,
    mean=True,
    divide_grad=True,
    grad_sign=1.0,
    reg_loss=1.0,
    reg_grad=2.0,
    shift=True,
    log=np.log,
    output="pair",
    grad_dtype=None,
    mutate=False,
    reg_rows=slice(None),
    zero_scores_loss=None,
    grad_half=None,
    softmax_dS="p - onehot",
    data_loss=lambda loss, N: loss,
    data_grad=lambda dW, N: dW,
    penalty=lambda W, reg, N: reg * np.sum(W * W),
    penalty_grad=lambda W, reg, N: 2 * reg * W,
):
    """A vectorized SVM or softmax loss with at most one of the classic mistakes switched on."""

    def loss_fn(W, X, y, reg):
        N, rows = X.shape[0], np.arange(X.shape[0])
        S = X @ W
        if kind == "svm":
            margins = np.maximum(0, S - S[rows, y][:, None] + 1)
            if skip_correct:
                margins[rows, y] = 0
            losses = margins.sum(axis=1)
            dS = (margins > 0).astype(float)
            dS[rows, y] = 0
            dS[rows, y] = -dS.sum(axis=1)
        else:
            Z = S - S.max(axis=1, keepdims=True) if shift else S
            P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
            losses = -log(P[rows, y])
            dS = P.copy()
            dS[rows, y] -= 1
            if softmax_dS == "p":
                dS = P  # the mistake: no -1 at the correct class
            elif softmax_dS == "-onehot":
                dS = dS - P  # the mistake: only the -1
        loss = data_loss({True: losses.mean(), False: losses.sum(), "all entries": losses.sum() / S.size}[mean], N)
        if grad_half is not None:  # keep only the wrong classes' or only the correct class's entries of dS
            correct = np.zeros(dS.shape, dtype=bool)
            correct[rows, y] = True
            dS = np.where(correct == (grad_half == "correct class"), dS, 0.0)
        dW = grad_sign * (X.T @ dS)
        if divide_grad:
            dW = dW / N
        dW = data_grad(dW, N)
        penalized = np.zeros_like(W)
        penalized[reg_rows] = W[reg_rows]  # the rows the penalty covers (all of them, unless a mistake)
        loss = loss + reg_loss / 1.0 * penalty(penalized, reg, N)
        dW = dW + reg_grad / 2.0 * penalty_grad(penalized, reg, N)
        if zero_scores_loss is not None and not W.any():
            loss = zero_scores_loss  # a mistake seen only when every score is 0
        if mutate:
            {"X": X, "W": W, "y": y}[mutate][0] += 1  # e.g. a bias column added in place
        if grad_dtype is not None:
            dW = dW.astype(grad_dtype)
        return {
            "pair": (loss, dW),
            "swapped": (dW, loss),
            "loss only": loss,
            "per example": (losses, dW),
            "transposed": (loss, dW.T),
            "one-element array": (np.array([loss]), dW),
            "string loss": (f"{loss:.3f}", dW),
            "list dW": (loss, dW.tolist()),
        }[output]

    return loss_fn


LOSS_MISTAKES = [
    ("svm", dict(skip_correct=False), "j == y_i term is not skipped"),
    ("svm", dict(skip_correct=False), "delta = 1 per example"),
    ("svm", dict(mean=False), "sum instead of mean"),
    ("softmax", dict(mean=False), "sum instead of mean"),
    ("svm", dict(mean=False, divide_grad=False, skip_correct=False), "includes the j == y_i term"),
    ("svm", dict(reg_grad=1.0), "dW's penalty term is reg * W; the gradient of reg * sum(W**2) is 2 * reg * W"),
    ("softmax", dict(reg_grad=1.0), "dW's penalty term is reg * W; the gradient"),
    ("svm", dict(reg_grad=0.5), "dW's penalty term is 0.5 * reg * W"),
    ("softmax", dict(reg_grad=0.0), "the penalty's gradient is missing"),
    ("svm", dict(reg_loss=0.5), "0.5 * reg * sum(W**2)"),
    ("softmax", dict(reg_loss=0.0), "the penalty is 0, reg is ignored"),
    ("svm", dict(reg_rows=slice(0, -1)), "leaves out W's last row (the biases)"),
    ("softmax", dict(reg_rows=slice(0, -1)), "leaves out W's last row (the biases)"),
    ("svm", dict(zero_scores_loss=0.0), "With W = 0 (expected loss C - 1 = 9)"),
    ("softmax", dict(zero_scores_loss=0.0), "With W = 0 (expected loss ln C = ln 10 = 2.30), the loss is 0"),
    ("svm", dict(grad_sign=-1.0), "gradient sign is flipped"),
    ("softmax", dict(grad_sign=-1.0), "gradient sign is flipped"),
    ("svm", dict(divide_grad=False), "gradient is not divided by N"),
    ("softmax", dict(divide_grad=False), "gradient is not divided by N"),
    ("softmax", dict(shift=False), "max-shifted"),
    ("softmax", dict(log=np.log10), "base 10"),
    ("svm", dict(output="swapped"), "return (loss, dW), in that order"),
    ("svm", dict(output="loss only"), "must return a pair (loss, dW)"),
    ("softmax", dict(output="per example"), "one per example; return their mean"),
    ("svm", dict(output="transposed"), "W transposed"),
    ("svm", dict(grad_dtype=np.int64), "dtype int64"),
    ("softmax", dict(grad_dtype=np.float32), "dtype float32 for float64 inputs"),
    ("svm", dict(mutate="X"), "changed its input X in place"),
    ("svm", dict(mean="all entries"), "1/C of the expected"),
    ("svm", dict(grad_half="wrong classes"), "misses the -x_i in column y_i"),
    ("svm", dict(grad_half="correct class"), "misses the +x_i in column j"),
    ("softmax", dict(softmax_dS="p"), "dW misses the -1 at the correct class"),
    ("softmax", dict(softmax_dS="-onehot"), "dW has only the -1 at the correct class"),
    (
        "svm",
        dict(data_loss=lambda loss, N: loss / N),
        "the loss is 0.417987, expected 2.08994: 1/N of the expected: divided by N twice",
    ),
    ("softmax", dict(data_grad=lambda dW, N: dW / N), "dW is 1/N of the right gradient: divided by N twice"),
    ("svm", dict(data_loss=lambda loss, N: loss + 0.1), "the loss is 2.18994, expected 2.08994."),
    ("softmax", dict(data_grad=lambda dW, N: dW + 0.01), "dW has a part that is not a sum of the rows x_i"),
    ("svm", dict(penalty=lambda W, reg, N: reg * np.sum(W * W) / N), "the penalty is divided by N"),
    ("softmax", dict(penalty=lambda W, reg, N: reg * np.abs(W).sum()), "the penalty is reg * sum|W|, the L1 penalty"),
    ("svm", dict(penalty=lambda W, reg, N: np.sum(W * W)), "with reg = 0 the loss still adds sum(W**2)"),
    ("softmax", dict(penalty=lambda W, reg, N: 2 * reg * np.sum(W * W)), "the penalty is 2 * reg * sum(W**2)"),
    ("svm", dict(penalty=lambda W, reg, N: reg * np.sum(W) ** 2), "the square of the sum"),
    (
        "softmax",
        dict(penalty_grad=lambda W, reg, N: -2 * reg * W),
        "dW's penalty term is -2 * reg * W: the sign is flipped",
    ),
    (
        "svm",
        dict(penalty_grad=lambda W, reg, N: 2 * reg * W / N),
        "is 2 * reg * W / N: add the penalty's gradient after dividing by N",
    ),
    ("softmax", dict(penalty_grad=lambda W, reg, N: 2 * W), "with reg = 0 dW still adds 2 * W"),
    ("svm", dict(penalty_grad=lambda W, reg, N: 2 * reg * W**2), "dW's penalty term is not 2 * reg * W."),
    ("svm", dict(output="one-element array"), "as an array of shape (1,); return a single number"),
    ("softmax", dict(output="string loss"), "as a single real number, got a str"),
    ("svm", dict(output="list dW"), "dW as a numpy array of W's shape (6, 3), got a list"),
    ("softmax", dict(mutate="W"), "changed its input W in place"),
    ("softmax", dict(mutate="y"), "changed its input y in place"),
]


@pytest.mark.parametrize("vectorized", [False, True], ids=["naive", "vectorized"])
@pytest.mark.parametrize("kind, mistake, named", LOSS_MISTAKES, ids=[m[2] for m in LOSS_MISTAKES])
def test_each_classic_loss_mistake_is_named(kind, mistake, named, vectorized):
    name = f"{kind}_loss_{'vectorized' if vectorized else 'naive'}"
    result = exercises.check(name, make_loss(kind, **mistake))
    assert result.state == "failed"
    assert named in result.message


@pytest.mark.parametrize("kind", ["svm", "softmax"])
def test_the_loss_builder_without_a_mistake_passes(kind):
    """The mistakes above differ from a passing function only in their switch."""
    assert exercises.check(f"{kind}_loss_vectorized", make_loss(kind)).passed


def test_the_lecture_numbers_are_checked():
    """A loss right everywhere except on the lecture's three images is caught there, naming 5.27."""

    def svm_loss_naive(W, X, y, reg):
        loss, dW = svm_loss_vectorized(W, X, y, reg)
        return (loss + 1.0 if X.shape == (3, 3) else loss), dW

    result = exercises.check("svm_loss_naive", svm_loss_naive)
    assert "On the lecture's scores (loss 5.27), the loss is 6.26667, expected 5.26667" in result.message


def test_float32_is_checked():
    def softmax_loss_vectorized32(W, X, y, reg):
        loss, dW = softmax_loss_vectorized(W, X, y, reg)
        return loss, (dW if W.dtype == np.float64 else dW * 1.01)

    result = exercises.check("softmax_loss_vectorized", softmax_loss_vectorized32)
    assert "float32" in result.message


def test_a_python_loop_in_the_vectorized_loss_is_named_with_its_line():
    result = exercises.check("svm_loss_vectorized", svm_loss_naive)
    assert "still has a Python loop" in result.message
    assert "for i in range(N):" in result.message


def test_a_comprehension_counts_as_a_loop():
    def softmax_loss_vectorized(W, X, y, reg):
        loss, dW = softmax_loss_naive(W, X, y, reg)
        _ = [c for c in range(W.shape[1])]
        return loss, dW

    result = exercises.check("softmax_loss_vectorized", softmax_loss_vectorized)
    assert "still has a Python loop" in result.message


def _without_source(source, name):
    """A function whose source inspect cannot find (as for code exec'd from a string)."""
    namespace = {"np": np}
    exec(compile(textwrap.dedent(source), "<no file>", "exec"), namespace)
    return namespace[name]


def test_without_readable_source_a_loop_over_examples_is_found_by_timing():
    source = """
    def svm_loss_vectorized(W, X, y, reg):
        N = X.shape[0]
        loss, dW = 0.0, np.zeros(W.shape)
        for i in range(N):
            s = X[i] @ W
            m = np.maximum(0, s - s[y[i]] + 1)
            m[y[i]] = 0
            loss += m.sum()
            d = (m > 0).astype(float)
            d[y[i]] = -d.sum()
            dW += np.outer(X[i], d)
        return loss / N + reg * np.sum(W * W), dW / N + 2 * reg * W
    """
    result = exercises.check("svm_loss_vectorized", _without_source(source, "svm_loss_vectorized"))
    assert "still loops over examples" in result.message


def test_without_readable_source_a_vectorized_loss_passes_the_timing():
    source = """
    def svm_loss_vectorized(W, X, y, reg):
        N = X.shape[0]
        S = X @ W
        margins = np.maximum(0, S - S[np.arange(N), y][:, None] + 1)
        margins[np.arange(N), y] = 0
        dS = (margins > 0).astype(S.dtype)
        dS[np.arange(N), y] = -dS.sum(axis=1)
        return margins.sum() / N + reg * np.sum(W * W), X.T @ dS / N + 2 * reg * W
    """
    result = exercises.check("svm_loss_vectorized", _without_source(source, "svm_loss_vectorized"))
    assert result.passed, result.message
    assert "timed instead" in result.message


def test_a_vectorized_loss_that_calls_the_naive_one_is_found_by_timing():
    def svm_loss_vectorized(W, X, y, reg):
        return svm_loss_naive(W, X, y, reg)

    result = exercises.check("svm_loss_vectorized", svm_loss_vectorized)
    assert "still loops over examples" in result.message


# ----------------------------------------------------------------------------
# Regularization
# ----------------------------------------------------------------------------

L2_MISTAKES = [
    (lambda W, reg: (0.5 * reg * np.sum(W * W), 2 * reg * W), "0.5 * reg * sum(W**2)"),
    (lambda W, reg: (reg * np.sum(W * W), reg * W), "dR is reg * W; the gradient of reg * sum(W**2) is 2 * reg * W"),
    (lambda W, reg: (reg * np.sum(W * W), 0.5 * reg * W), "dR is 0.5 * reg * W"),
    (lambda W, reg: (reg * np.sum(W * W), -2 * reg * W), "sign is flipped"),
    (lambda W, reg: (reg * np.sum(W * W), 2 * W), "2 * W without reg"),
    (lambda W, reg: (np.sum(W * W), 2 * reg * W), "without reg"),
    (lambda W, reg: (reg * np.sum(np.abs(W)), 2 * reg * W), "the L1 penalty"),
    (lambda W, reg: (reg * np.sqrt(np.sum(W * W)), 2 * reg * W), "the norm itself"),
    (lambda W, reg: (reg * np.sum(W) ** 2, 2 * reg * W), "square of the sum"),
    (lambda W, reg: (reg * W * W, 2 * reg * W), "sum it"),
    (lambda W, reg: (reg * np.sum(W * W), 2 * reg * W.T), "W transposed"),
    (lambda W, reg: (reg * np.sum(W * W), reg * np.sign(W)), "dR is reg * sign(W), the L1 subgradient"),
    (lambda W, reg: (2 * reg * np.sum(W * W), 2 * reg * W), "the 2 belongs to the gradient only"),
    (lambda W, reg: (reg * np.sum(W * W) + 1, 2 * reg * W), "R is 7.99797, expected 6.99797"),
    (lambda W, reg: (reg * np.sum(W * W), 2 * reg * W + 1), "dR is not 2 * reg * W"),
    (lambda W, reg: (2 * reg * W, reg * np.sum(W * W)), "return (R, dR), in that order"),
    (lambda W, reg: reg * np.sum(W * W), "must return a pair (R, dR)"),
    (lambda W, reg: (reg * np.sum(W * W), 2 * reg * W.ravel()), "dR has shape (12,); it must have W's shape (4, 3)"),
]


@pytest.mark.parametrize("fn, named", L2_MISTAKES, ids=[m[1] for m in L2_MISTAKES])
def test_each_l2_mistake_is_named(fn, named):
    result = exercises.check("l2_regularization", fn)
    assert result.state == "failed" and named in result.message


def l2_in_place(W, reg):
    W *= 2 * reg  # the mistake: reuses W's memory for dR
    return reg * np.sum(W * W) / (2 * reg) ** 2 if reg else 0.0, W


def l1_ge_zero(W, reg):
    return reg * np.sum(np.abs(W)), reg * np.where(W >= 0, 1.0, -1.0)


def l1_divide(W, reg):
    return reg * np.sum(np.abs(W)), reg * W / np.abs(W)


L1_MISTAKES = [
    (lambda W, reg: (reg * np.sum(W), reg * np.sign(W)), "without the absolute value"),
    (lambda W, reg: (np.sum(np.abs(W)), reg * np.sign(W)), "sum|W| without reg"),
    (lambda W, reg: (reg * np.sum(W * W), reg * np.sign(W)), "the L2 penalty"),
    (l1_ge_zero, "the subgradient there must be 0 = reg * sign(0)"),
    (l1_divide, "not finite at W = 0"),
    (lambda W, reg: (reg * np.sum(np.abs(W)), np.sign(W)), "sign(W) without reg"),
    (lambda W, reg: (reg * np.sum(np.abs(W)), -reg * np.sign(W)), "sign is flipped"),
    (lambda W, reg: (reg * np.sum(np.abs(W)), 2 * reg * W), "the L2 gradient"),
    (lambda W, reg: (reg * np.sum(np.abs(W)), (reg * np.sign(W)).astype(int)), "dtype int64"),
    (lambda W, reg: (0.5 * reg * np.sum(np.abs(W)), reg * np.sign(W)), "R is 0.5 * reg * sum|W|"),
    (lambda W, reg: (reg * np.sum(np.abs(W)), reg * W), "dR is reg * W; the L1 subgradient is reg * sign(W)"),
    (lambda W, reg: (reg * np.sum(np.abs(W)) + 1, reg * np.sign(W)), "expected"),
    (lambda W, reg: (reg * np.sum(np.abs(W)), reg * np.sign(W) + 1), "dR is not reg * sign(W)"),
]


@pytest.mark.parametrize("fn, named", L1_MISTAKES, ids=[m[1] for m in L1_MISTAKES])
def test_each_l1_mistake_is_named(fn, named):
    result = exercises.check("l1_regularization", fn)
    assert result.state == "failed" and named in result.message


def test_a_penalty_that_changes_W_in_place_is_named():
    result = exercises.check("l2_regularization", l2_in_place)
    assert "changed its input W in place" in result.message


# ----------------------------------------------------------------------------
# Numerical gradient
# ----------------------------------------------------------------------------


def make_numerical_gradient(
    *,
    method="centered",
    restore=True,
    fixed_h=None,
    evaluate_at_x=True,
    divide=2.0,
    noise=0.0,
    default_h=1e-5,
    vector_method="centered",
):
    def numerical_gradient(f, x, h=default_h):
        h = fixed_h if fixed_h is not None else h
        kind = vector_method if x.ndim == 1 else method
        grad = np.zeros_like(x)
        base = f(x)
        for ix in np.ndindex(x.shape):
            old = x[ix]
            x[ix] = old + h
            fp = f(x) if evaluate_at_x else base
            x[ix] = old - h
            fm = f(x) if evaluate_at_x else base
            if restore:
                x[ix] = old
            if kind == "forward":
                grad[ix] = (fp - base) / h
            elif kind == "backward":
                grad[ix] = (base - fm) / h
            else:
                grad[ix] = (fp - fm) / (divide * h)
        return grad + noise

    return numerical_gradient


NUMERICAL_MISTAKES = [
    (dict(method="forward"), "forward difference"),
    (dict(restore=False), "x was not restored"),
    (dict(fixed_h=1e-5), "h ignored"),
    (dict(evaluate_at_x=False), "zero everywhere"),
    (dict(divide=1.0), "twice the centered difference"),
    (dict(method="backward"), "backward difference"),
    (dict(divide=4.0), "half the centered difference"),
    (dict(noise=1e-3), "the result differs from the centered differences"),
    (dict(default_h=0.1), "is the default h = 1e-5?"),
    (dict(vector_method="forward"), "For a 1-D x, numerical_gradient does not return the centered differences"),
]


@pytest.mark.parametrize("mistake, named", NUMERICAL_MISTAKES, ids=[m[1] for m in NUMERICAL_MISTAKES])
def test_each_numerical_gradient_mistake_is_named(mistake, named):
    result = exercises.check("numerical_gradient", make_numerical_gradient(**mistake))
    assert result.state == "failed" and named in result.message


def test_the_numerical_gradient_builder_without_a_mistake_passes():
    assert exercises.check("numerical_gradient", make_numerical_gradient()).passed


def test_a_numerical_gradient_for_1d_x_only_is_told_to_visit_every_entry():
    def numerical_gradient(f, x, h=1e-5):
        grad = np.zeros(len(x))
        for i in range(len(x)):
            xp, xm = x.copy(), x.copy()
            xp[i] += h
            xm[i] -= h
            grad[i] = (f(xp) - f(xm)) / (2 * h)
        return grad

    result = exercises.check("numerical_gradient", numerical_gradient)
    assert "Visit every entry" in result.message


def test_rounding_in_the_restored_x_is_accepted_with_a_note():
    result = exercises.check("numerical_gradient", numerical_gradient_add_subtract)
    assert result.passed and "up to rounding" in result.message


# ----------------------------------------------------------------------------
# Gradient descent
# ----------------------------------------------------------------------------


def make_gradient_descent(
    *,
    sign=-1.0,
    extra_steps=0,
    copy=True,
    use_lr=True,
    gradient_once=False,
    momentum=0.0,
    zero_steps_returns=None,
    skip_a_step_when_D=None,
):
    def gradient_descent(loss_fn, W0, lr, num_steps):
        if num_steps == 0 and zero_steps_returns is not None:
            return zero_steps_returns(W0)
        W = W0.copy() if copy else W0
        _, dW = loss_fn(W)
        velocity = np.zeros_like(W)
        steps = num_steps + extra_steps - (W0.shape[0] == skip_a_step_when_D)
        for _ in range(steps):
            if not gradient_once:
                _, dW = loss_fn(W)
            velocity = momentum * velocity + (lr if use_lr else 1.0) * dW
            W += sign * velocity
        return W

    return gradient_descent


GD_MISTAKES = [
    (dict(sign=1.0), "wrong sign"),
    (dict(extra_steps=1), "took 8 steps instead of 7"),
    (dict(extra_steps=-1), "took 6 steps instead of 7"),
    (dict(copy=False), "changed its input W0 in place"),
    (dict(use_lr=False), "lr is ignored"),
    (dict(gradient_once=True), "every step uses the gradient at W0"),
    (dict(momentum=0.5), "W is not what num_steps steps of W <- W - lr * dW give"),
    (dict(zero_steps_returns=np.zeros_like), "With num_steps = 0, W must come back equal to W0"),
    (dict(skip_a_step_when_D=5), "On lossopt's SVM loss (float64), 5 steps of W <- W - lr * dW give another W"),
]


@pytest.mark.parametrize("mistake, named", GD_MISTAKES, ids=[m[1] for m in GD_MISTAKES])
def test_each_gradient_descent_mistake_is_named(mistake, named):
    result = exercises.check("gradient_descent", make_gradient_descent(**mistake))
    assert result.state == "failed" and named in result.message


def test_the_gradient_descent_builder_without_a_mistake_passes():
    assert exercises.check("gradient_descent", make_gradient_descent()).passed


def test_gradient_descent_may_call_loss_fn_once_more_to_report_the_final_loss():
    def gradient_descent(loss_fn, W0, lr, num_steps):
        W = W0
        for _ in range(num_steps):
            W = W - lr * loss_fn(W)[1]
        print_final = loss_fn(W)[0]  # behaviour judged by W, not by how often loss_fn is called
        assert np.isfinite(print_final)
        return W

    assert exercises.check("gradient_descent", gradient_descent).passed


# ----------------------------------------------------------------------------
# SGD
# ----------------------------------------------------------------------------


def make_sgd(
    *,
    sampling="choice",
    sign=-1.0,
    update=True,
    seeded=True,
    use_lr=True,
    y_indices="same",
    copy=True,
    history="loss",
    batch="rows",
    output="pair",
    momentum=0.0,
    extra_calls=False,
):
    def sgd(loss_fn, W0, X, y, lr, batch_size, num_iters, seed):
        rng = np.random.default_rng(seed if seeded else None) if seeded != "fixed" else np.random.default_rng(0)
        N = X.shape[0]
        fixed = rng.choice(N, batch_size)
        W = W0.copy() if copy else W0
        velocity = np.zeros_like(W)
        losses = []
        for t in range(num_iters):
            if sampling == "choice":
                idx = rng.choice(N, batch_size)
            elif sampling == "fixed":
                idx = fixed
            elif sampling == "in order":
                idx = (t * batch_size + np.arange(batch_size)) % N
            elif sampling == "full":
                idx = np.arange(N)
            elif sampling == "every other step":
                idx = idx if t % 2 else rng.choice(N, batch_size)
            if batch == "half":
                idx = idx[: batch_size // 2]
            idx_y = idx if y_indices == "same" else rng.choice(N, len(idx))
            X_batch = {"rows": X[idx], "scaled": X[idx] / 255, "transposed": X[idx].T}[
                batch if batch != "half" else "rows"
            ]
            loss, dW = loss_fn(W, X_batch, y[idx_y])
            if update:
                velocity = momentum * velocity + (lr if use_lr else 1.0) * dW
                W += sign * velocity
            if extra_calls:
                loss = loss_fn(W, X, y)[0]  # the loss on all the data, a second call per step
            losses.append({"loss": loss, "zeros": 0.0, "arrays": np.array([loss, loss])}[history])
        return {"pair": (W, losses), "W only": W, "W transposed": (W.T, losses)}[output]

    return sgd


SGD_MISTAKES = [
    (dict(sampling="fixed"), "the same minibatch (a fixed batch)"),
    (dict(sampling="in order"), "walk through X in order (not shuffled/sampled)"),
    (dict(sampling="full"), "batch_size is ignored"),
    (dict(sampling="every other step"), "the minibatch stays the same for 15 of 29 steps"),
    (dict(sign=1.0), "learning rate is applied with the wrong sign"),
    (dict(sign=1.0), "the loss did not fall"),
    (dict(update=False), "W never changes"),
    (dict(use_lr=False), "lr is ignored"),
    (dict(seeded=False), "the same seed gave a different run"),
    (dict(seeded="fixed"), "the seed is ignored"),
    (dict(y_indices="other"), "y_batch does not belong to X_batch"),
    (dict(copy=False), "changed its input W0 in place"),
    (dict(history="zeros"), "loss_history does not hold the loss"),
    (dict(batch="half"), "the minibatches have [5] examples; expected batch_size"),
    (dict(batch="scaled"), "rows that are not rows of X"),
    (dict(batch="transposed"), "loss_fn was called with X_batch of shape (5, 10)"),
    (dict(output="W only"), "must return a pair (W, loss_history)"),
    (dict(output="W transposed"), "W of W0's shape"),
    (dict(momentum=0.5), "W does not follow W - lr * dW"),
    (dict(extra_calls=True), "loss_fn was called 60 times; call it once per step"),
    (
        dict(history="arrays"),
        "returned each loss in loss_history as an array of shape (2,); it must be a single number",
    ),
]


@pytest.mark.parametrize("mistake, named", SGD_MISTAKES, ids=[m[1] for m in SGD_MISTAKES])
def test_each_sgd_mistake_is_named(mistake, named):
    result = exercises.check("sgd", make_sgd(**mistake))
    assert result.state == "failed" and named in result.message


def test_the_sgd_builder_without_a_mistake_passes():
    assert exercises.check("sgd", make_sgd()).passed


def test_sgd_that_does_not_return_a_history_per_step_is_told():
    def sgd_last_loss(loss_fn, W0, X, y, lr, batch_size, num_iters, seed):
        W, history = sgd(loss_fn, W0, X, y, lr, batch_size, num_iters, seed)
        return W, history[-1]

    result = exercises.check("sgd", sgd_last_loss)
    assert "one loss per step" in result.message


# ----------------------------------------------------------------------------
# The gradient bugs of assignment 1, each in a function that makes exactly that mistake
# ----------------------------------------------------------------------------


def svm_with_dS(rule):
    """The vectorized SVM with its score gradient built by ``rule(active, onehot, count)`` instead of the right one."""

    def svm_loss_vectorized(W, X, y, reg):
        N, rows = X.shape[0], np.arange(X.shape[0])
        S = X @ W
        margins = np.maximum(0, S - S[rows, y][:, None] + 1)
        margins[rows, y] = 0
        onehot = np.eye(W.shape[1])[y]
        active = (margins > 0).astype(float)
        dS = rule(active, onehot, active.sum(axis=1, keepdims=True))
        return margins.sum() / N + reg * np.sum(W * W), X.T @ dS / N + 2 * reg * W

    return svm_loss_vectorized


def svm_mask_before_zeroing(W, X, y, reg):
    N, rows = X.shape[0], np.arange(X.shape[0])
    S = X @ W
    margins = np.maximum(0, S - S[rows, y][:, None] + 1)
    dS = (margins > 0).astype(float)  # the mistake: the mask is taken before the correct class is zeroed
    margins[rows, y] = 0
    dS[rows, y] = -dS.sum(axis=1)
    return margins.sum() / N + reg * np.sum(W * W), X.T @ dS / N + 2 * reg * W


def svm_loss_naive_once_per_example(W, X, y, reg):
    """dW[:, y[i]] -= X[i] sits outside the loop over classes: once per example, not once per positive margin."""
    dW, loss, N = np.zeros(W.shape), 0.0, X.shape[0]
    for i in range(N):
        scores = X[i].dot(W)
        for j in range(W.shape[1]):
            margin = scores[j] - scores[y[i]] + 1
            if j != y[i] and margin > 0:
                loss += margin
                dW[:, j] += X[i]
        dW[:, y[i]] -= X[i]
    return loss / N + reg * np.sum(W * W), dW / N + 2 * reg * W


def svm_loss_naive_stops_early(W, X, y, reg):
    dW, loss, N = np.zeros(W.shape), 0.0, X.shape[0]
    for i in range(N - 1):  # the mistake: the last example is never visited
        scores = X[i].dot(W)
        for j in range(W.shape[1]):
            margin = scores[j] - scores[y[i]] + 1
            if j != y[i] and margin > 0:
                loss += margin
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    return loss / N + reg * np.sum(W * W), dW / N + 2 * reg * W


def svm_divided_by(divisor):
    def svm_loss_vectorized(W, X, y, reg):
        loss, dW = svm_loss_vectorized_ref(W, X, y, 0.0)
        N, C = X.shape[0], W.shape[1]
        return loss + reg * np.sum(W * W), dW * N / {"C": C, "N*C": N * C}[divisor] + 2 * reg * W

    return svm_loss_vectorized


svm_loss_vectorized_ref = svm_loss_vectorized


def svm_margin_zero(W, X, y, reg):
    N, rows = X.shape[0], np.arange(X.shape[0])
    S = X @ W
    margins = np.maximum(0, S - S[rows, y][:, None])  # the mistake: + 1 forgotten
    margins[rows, y] = 0
    dS = (margins > 0).astype(float)
    dS[rows, y] = -dS.sum(axis=1)
    return margins.sum() / N + reg * np.sum(W * W), X.T @ dS / N + 2 * reg * W


def softmax_with(mistake):
    def softmax_loss_vectorized(W, X, y, reg):
        N, rows = X.shape[0], np.arange(X.shape[0])
        S = X @ W
        S = S - S.max(axis=1, keepdims=True)
        P = np.exp(S)
        P /= P.sum(axis=0 if mistake == "axis 0" else 1, keepdims=True)
        if mistake == "P changed before the log":
            P[rows, y] -= 1
        loss = -np.log(P[rows, y]).mean()
        if mistake == "-1 for every class":
            P -= 1
        elif mistake != "P changed before the log":
            P[rows, y] -= 1
        return loss + reg * np.sum(W * W), X.T @ P / N + 2 * reg * W

    return softmax_loss_vectorized


def softmax_one_example_off(W, X, y, reg):
    """Right except for example 2, whose correct-class entry of dS misses its -1."""
    loss, dW = softmax_loss_vectorized(W, X, y, reg)
    return loss, dW + np.outer(X[2], np.eye(W.shape[1])[y[2]]) / X.shape[0]


SVM, SOFTMAX = "svm_loss_vectorized", "softmax_loss_vectorized"
GRADIENT_BUGS = [
    ("svm_loss_naive", svm_loss_naive_once_per_example, "correct-class column (y_i) gets -x_i once for every example"),
    (SVM, svm_with_dS(lambda A, onehot, count: A - onehot * (count > 0)), "-x_i once per example;"),
    (SVM, svm_with_dS(lambda A, onehot, count: A - onehot * (count + 1)), "-(count + 1) x_i, one too many"),
    (SVM, svm_mask_before_zeroing, "Was the mask (margins > 0) taken before margins[range(N), y] = 0?"),
    (SVM, svm_with_dS(lambda A, onehot, count: A - onehot * (count - 1)), "one too few: the count is off by one"),
    (SVM, svm_with_dS(lambda A, onehot, count: A + onehot), "its own margin counted as positive"),
    ("svm_loss_vectorized", svm_divided_by("C"), "divided by C = 3 instead of N = 5"),
    ("svm_loss_vectorized", svm_divided_by("N*C"), "dW is 1/C of the right gradient: divided by N * C"),
    ("svm_loss_naive", svm_loss_naive_stops_early, "example 4 (the last) is missing: does the loop stop one example"),
    ("svm_loss_vectorized", svm_margin_zero, "the margin is 0: it is s_j - s_yi + 1"),
    ("softmax_loss_vectorized", softmax_with("axis 0"), "the probabilities are normalized over axis 0"),
    ("softmax_loss_vectorized", softmax_with("-1 for every class"), "dW subtracts 1 for every class (P -= 1)"),
    ("softmax_loss_vectorized", softmax_with("P changed before the log"), "was P changed before the log"),
    (SOFTMAX, softmax_one_example_off, "dW is off in the correct class's column, for example 2 (of 0..4): example 2 "
     "adds 0.536 x_2 / N to column 1 (its correct class), expected -0.464 x_2 / N"),
]  # fmt: skip


@pytest.mark.parametrize("name, fn, named", GRADIENT_BUGS, ids=[b[2][:40] for b in GRADIENT_BUGS])
def test_each_gradient_bug_is_named_specifically(name, fn, named):
    result = exercises.check(name, fn)
    assert result.state == "failed"
    assert named in " ".join(result.diagnoses), result.diagnoses
    assert "numerical_gradient" not in repr(result)  # notebook 01 has not introduced it


def test_the_max_shift_message_is_kept_for_overflow_only():
    result = exercises.check("softmax_loss_vectorized", make_loss("softmax", shift=False))
    assert "At scores around 1000" in result.message and "must be max-shifted" in result.message
    assert "before the log" not in result.message


# ----------------------------------------------------------------------------
# Loops: hidden ones, a naive answer without one, an N x N intermediate
# ----------------------------------------------------------------------------


HIDDEN_LOOPS = {
    "map": "np.array(list(map(lambda x: x @ W, X)))",
    "apply_along_axis": "np.apply_along_axis(lambda x: x @ W, 1, X)",
    "vectorize": "np.vectorize(lambda i, j: X[i] @ W[:, j])(*np.indices((X.shape[0], W.shape[1])))",
    "fromiter": "np.fromiter((x @ W for x in X), dtype=(float, W.shape[1]))",
}


@pytest.mark.parametrize("how", sorted(HIDDEN_LOOPS))
def test_a_loop_hidden_in_a_call_is_found(how, tmp_path):
    source = SVM_VECTORIZED_SOURCE.replace("S = X @ W", f"S = {HIDDEN_LOOPS[how]}")
    path = tmp_path / f"hidden_{how}.py"  # a file, so that inspect can read the source
    path.write_text("import numpy as np\n\n" + source)
    namespace = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    fn = namespace["svm_loss_vectorized"]
    W, X, y = exercises._problem(5, 6, 3, seed=0)
    assert np.allclose(fn(W, X, y, 0.1)[1], lo.svm_loss(W, X, y, 0.1)[1])  # right, but for the loop
    result = exercises.check("svm_loss_vectorized", fn)
    assert "still has a Python loop (a loop hidden in a call)" in result.message and how in result.message


SVM_VECTORIZED_SOURCE = """def svm_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    S = X @ W
    margins = np.maximum(0, S - S[np.arange(N), y][:, None] + 1)
    margins[np.arange(N), y] = 0
    dS = (margins > 0).astype(float)
    dS[np.arange(N), y] = -dS.sum(axis=1)
    return margins.sum() / N + reg * np.sum(W * W), X.T @ dS / N + 2 * reg * W
"""


def svm_loss_vectorized_diag(W, X, y, reg):
    """Right, but np.diag(S[:, y]) is N x N."""
    N = X.shape[0]
    S = X @ W
    correct = np.diag(S[:, y])[:, None]  # (N, 1), through an N x N array
    margins = np.maximum(0, S - correct + 1)
    margins[np.arange(N), y] = 0
    dS = (margins > 0).astype(float)
    dS[np.arange(N), y] = -dS.sum(axis=1)
    return margins.sum() / N + reg * np.sum(W * W), X.T @ dS / N + 2 * reg * W


def test_an_n_by_n_intermediate_is_named_as_such_not_as_a_loop():
    result = exercises.check("svm_loss_vectorized", svm_loss_vectorized_diag)
    assert "builds an N x N array" in result.message and "grow with N squared" in result.message
    assert "loop" not in result.message


@pytest.mark.parametrize("name", ["svm_loss_naive", "softmax_loss_naive"])
def test_a_naive_answer_without_a_loop_is_told_the_exercise_asks_for_one(name):
    fn = svm_loss_vectorized if name == "svm_loss_naive" else softmax_loss_vectorized
    result = exercises.check(name, fn)
    assert result.state == "failed" and f"{name} has no loop: this exercise asks for the loop version" in result.message


# ----------------------------------------------------------------------------
# SGD: batches that never reach most of the data, a generator seeded inside the loop
# ----------------------------------------------------------------------------


def sgd_range_D(loss_fn, W0, X, y, lr, batch_size, num_iters, seed):
    rng = np.random.default_rng(seed)
    W, history = W0.copy(), []
    for _ in range(num_iters):
        idx = rng.choice(X.shape[1], batch_size)  # the mistake: D, not N
        loss, dW = loss_fn(W, X[idx], y[idx])
        W, history = W - lr * dW, [*history, loss]
    return W, history


def sgd_reseeded(loss_fn, W0, X, y, lr, batch_size, num_iters, seed):
    W, history = W0.copy(), []
    for _ in range(num_iters):
        rng = np.random.default_rng(seed)  # the mistake: the same seed, every step
        idx = rng.choice(len(y), batch_size)
        loss, dW = loss_fn(W, X[idx], y[idx])
        W, history = W - lr * dW, [*history, loss]
    return W, history


def test_sgd_drawing_from_range_D_is_caught():
    result = exercises.check("sgd", sgd_range_D)
    assert "only ever use rows 0..4 of the 60" in result.message and "range(D)" in result.message


def test_sgd_reseeded_inside_the_loop_is_named_as_its_own_mistake():
    result = exercises.check("sgd", sgd_reseeded)
    line = sgd_reseeded.__code__.co_firstlineno + 3
    assert f"created again with the same seed inside the loop (line {line}: np.random.default_rng(seed))" in (
        result.message
    )
    assert "create it once, before the loop" in result.message
    fixed = exercises.check("sgd", make_sgd(sampling="fixed"))
    assert "a fixed batch" in fixed.message and "created again" not in fixed.message


# ----------------------------------------------------------------------------
# predict, hyperparameter_search, polar_features
# ----------------------------------------------------------------------------

PREDICT_MISTAKES = [
    (lambda W, X: X @ W, "it returns the scores X @ W (N x C)"),
    (lambda W, X: np.argmax(X @ W, axis=0), "argmax over axis 0"),
    (lambda W, X: np.argmin(X @ W, axis=1), "argmin picks each row's lowest score"),
    (lambda W, X: np.argmax(X @ W, axis=1).astype(float), "the classes are right but of dtype float64"),
    (lambda W, X: np.argmax(W @ X, axis=1), "X is (N, D) and W is (D, C): the scores are X @ W"),
    (lambda W, X: np.argmax(X.T @ W, axis=1), "X is (N, D) and W is (D, C): the scores are X @ W"),
    (lambda W, X: np.argmax(X @ W), "argmax without an axis"),
    (lambda W, X: np.eye(W.shape[1], dtype=int)[np.argmax(X @ W, axis=1)], "one-hot rows"),
    (lambda W, X: np.argmax(X @ W, axis=1) + 1, "returned [2, 4, 2, 2, 2, 3, 3]; expected [1, 3, 1, 1, 1, 2, 2]."),
]


@pytest.mark.parametrize("fn, named", PREDICT_MISTAKES, ids=[m[1][:30] for m in PREDICT_MISTAKES])
def test_each_predict_mistake_is_named(fn, named):
    result = exercises.check("predict", fn)
    assert result.state == "failed" and named in result.message


def make_search(*, choose="val", train_on="train", keys="lr, reg", values="train, val", skip=0, **kw):
    """A hyperparameter search with at most one mistake switched on."""

    def hyperparameter_search(X_train, y_train, X_val, y_val, learning_rates, regularization_strengths, epochs=10,
                              seed=0):  # fmt: skip
        results = {}
        X_fit, y_fit = {"train": (X_train, y_train), "val": (X_val, y_val),
                        "both": (np.vstack([X_train, X_val]), np.concatenate([y_train, y_val]))}[train_on]  # fmt: skip
        pairs = [(lr, reg) for lr in learning_rates for reg in regularization_strengths][skip:]
        for lr, reg in pairs:
            options = dict(lr=lr, reg=reg, epochs=epochs, seed=seed, verbose=False) | kw
            model = lo.LinearClassifier("softmax", **options).fit(X_fit, y_fit)
            accuracies = (model.score(X_train, y_train), model.score(X_val, y_val))
            key = (reg, lr) if keys == "reg, lr" else (lr, reg)
            results[key] = accuracies if values == "train, val" else accuracies[::-1]
        column = {"val": 1, "train": 0, "lowest": 1}[choose] if values == "train, val" else 1
        pick = min if choose == "lowest" else max
        best = pick(results, key=lambda key: results[key][column])
        return (best[::-1] if keys == "swapped best" else best), results

    return hyperparameter_search


SEARCH_MISTAKES = [
    (dict(choose="train"), "it has the highest training accuracy; choose by validation"),
    (dict(choose="lowest"), "it has the lowest validation accuracy; choose the highest"),
    (dict(), "reads X_test, y_test from the notebook: choosing by test accuracy"),
    (dict(train_on="val"), "trains on the validation set"),
    (dict(train_on="both"), "trains on training + validation data"),
    (dict(skip=1), "missing [(0.01, 0.001)]"),
    (dict(keys="reg, lr"), "results are keyed (reg, lr)"),
    (dict(keys="swapped best"), "best is (reg, lr); return (lr, reg)"),
    (dict(values="val, train"), "is (val_accuracy, train_accuracy)"),
    (dict(epochs=2), "built with loss='softmax', epochs=2, seed=0"),
]


def search_by_test_accuracy(X_train, y_train, X_val, y_val, learning_rates, regularization_strengths, epochs=10,
                            seed=0):  # fmt: skip
    _, results = make_search()(X_train, y_train, X_val, y_val, learning_rates, regularization_strengths, epochs, seed)
    models = {k: lo.LinearClassifier("softmax", lr=k[0], reg=k[1], epochs=epochs, seed=seed, verbose=False)
              for k in results}  # fmt: skip
    accuracy = {k: m.fit(X_train, y_train).score(X_test, y_test) for k, m in models.items()}  # noqa: F821 (notebook's)
    return max(accuracy, key=accuracy.get), results


@pytest.mark.parametrize("mistake, named", SEARCH_MISTAKES, ids=[m[1][:30] for m in SEARCH_MISTAKES])
def test_each_hyperparameter_search_mistake_is_named(mistake, named):
    start = time.perf_counter()
    fn = search_by_test_accuracy if "X_test" in named else make_search(**mistake)
    result = exercises.check("hyperparameter_search", fn)
    assert result.state == "failed" and named in result.message
    assert time.perf_counter() - start < 2.0


def test_the_search_builder_without_a_mistake_passes():
    assert exercises.check("hyperparameter_search", make_search()).passed


POLAR_MISTAKES = [
    (lambda X: np.column_stack([np.hypot(*X.T), np.arctan(X[:, 1] / X[:, 0])]), "np.arctan(y / x)"),
    (lambda X: np.column_stack([np.hypot(*X.T), np.degrees(np.arctan2(X[:, 1], X[:, 0]))]), "in degrees"),
    (lambda X: np.column_stack([np.arctan2(X[:, 1], X[:, 0]), np.hypot(*X.T)]), "the columns are swapped"),
    (lambda X: np.column_stack([(X**2).sum(axis=1), np.arctan2(X[:, 1], X[:, 0])]), "r squared"),
    (lambda X: np.array([np.hypot(*X.T), np.arctan2(X[:, 1], X[:, 0])]), "F has shape (2, N)"),
    (lambda X: np.column_stack([np.hypot(*X.T), np.arctan2(X[:, 0], X[:, 1])]), "np.arctan2(x, y)"),
    (lambda X: np.column_stack([np.hypot(*X.T), np.arctan2(X[:, 1], X[:, 0]) % (2 * np.pi)]), "[0, 2 pi)"),
    (lambda X: X, "F (shape (10, 2)) is not the columns r = sqrt(x**2 + y**2), theta = arctan2(y, x)"),
]


@pytest.mark.parametrize("fn, named", POLAR_MISTAKES, ids=[m[1][:30] for m in POLAR_MISTAKES])
def test_each_polar_features_mistake_is_named(fn, named):
    result = exercises.check("polar_features", fn)
    assert result.state == "failed" and named in result.message


def test_check_times_of_correct_answers_are_under_two_seconds():
    for name, fns in CORRECT.items():
        for fn in fns:
            result = exercises.check(name, fn)
            assert result.passed and result.seconds < 2.0, (name, fn.__name__, result.seconds)
    assert os.environ["LOSSOPT_PROGRESS_FILE"].endswith("progress.json")
