"""Checkers for the code students write in the notebooks, with diagnoses.

Each exercise is a function the student writes in a notebook (CS231n
assignment 1 conventions: X is N x D, W is D x C, the data loss is the mean,
L2 is ``reg * sum(W**2)``). A checker runs it on seeded problems, compares
its answers with lossopt's own functions, and names the first mistake it
recognises::

    import lossopt as lo
    lo.exercises.check("svm_loss_naive", svm_loss_naive)   # one line: passed, or what is wrong
    lo.exercises.names()                                   # the exercises, in notebook order
    lo.exercises.progress()                                # a table of this kernel's checks

A checker never raises for the student's mistakes: an exception inside the
student's function becomes a failed result that names it and its line; a
function that still raises ``NotImplementedError`` is "not attempted yet".

Examples
--------
>>> import numpy as np
>>> def l2_regularization(W, reg):
...     return reg * np.sum(W * W), 2 * reg * W
>>> check("l2_regularization", l2_regularization).passed
True
>>> def l2_regularization(W, reg):
...     raise NotImplementedError
>>> check("l2_regularization", l2_regularization).state
'not attempted yet'
"""

import ast
import html
import inspect
import io
import os
import sys
import textwrap
import time
import traceback
import warnings
from contextlib import contextmanager, redirect_stdout
from functools import partial
from itertools import pairwise

import numpy as np

__all__ = ["CheckResult", "check", "names", "progress"]

PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not attempted yet"


# ----------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------


class CheckResult:
    """What :func:`check` returns: ``passed``, ``state``, ``message`` and every diagnosis found.

    Attributes
    ----------
    name : str
        The exercise.
    state : {"passed", "failed", "not attempted yet"}
    passed : bool
    message : str
        One line: what was verified, or the first diagnosis.
    diagnoses : list of str
        Every diagnosis found at the first failing stage (empty unless failed).
    seconds : float
        How long the check took.
    """

    def __init__(self, name, state, message, diagnoses=(), seconds=0.0):
        self.name = name
        self.state = state
        self.message = " ".join(str(message).split())  # one line, whatever the exception text held
        self.diagnoses = list(diagnoses)
        self.seconds = seconds

    @property
    def passed(self):
        return self.state == PASSED

    def __repr__(self):
        return f"{self.name}: {self.state}. {self.message}"

    def _repr_html_(self):
        colour = {PASSED: "#1b7837", FAILED: "#b2182b"}.get(self.state, "#555555")
        return (
            f'<div style="font-family: monospace; white-space: pre-wrap"><b>{html.escape(self.name)}: '
            f'<span style="color: {colour}">{html.escape(self.state)}</span>.</b> {html.escape(self.message)}</div>'
        )


class Progress:
    """A table of the exercises, the notebook of each, and its state in this kernel."""

    def __init__(self, rows):
        self.rows = rows  # (name, notebook, state, message)

    @property
    def summary(self):
        passed = sum(state == PASSED for _, _, state, _ in self.rows)
        return f"{passed} of {len(self.rows)} exercises passed in this kernel"

    def __repr__(self):
        width = max(len(name) for name, *_ in self.rows)
        lines = [self.summary, f"{'exercise':<{width}}  notebook  state"]
        lines += [f"{name:<{width}}  {notebook:<8}  {state}" for name, notebook, state, _ in self.rows]
        return "\n".join(lines)

    def _repr_html_(self):
        cells = "".join(
            f"<tr><td><code>{html.escape(name)}</code></td><td>{html.escape(notebook)}</td>"
            f"<td>{html.escape(state)}</td><td>{html.escape(message)}</td></tr>"
            for name, notebook, state, message in self.rows
        )
        head = "<tr><th>exercise</th><th>notebook</th><th>state</th><th>last message</th></tr>"
        return f"<p>{html.escape(self.summary)}</p><table>{head}{cells}</table>"


_RESULTS = {}  # name -> the last CheckResult of this kernel


class _Fail(Exception):  # noqa: N818 (a failed check, not an error of ours)
    """A failed stage of a checker; carries the diagnoses, the first one is the message."""

    def __init__(self, *diagnoses):
        super().__init__(diagnoses[0])
        self.diagnoses = list(diagnoses)


class _NotAttemptedError(Exception):
    pass


# ----------------------------------------------------------------------------
# Running the student's function
# ----------------------------------------------------------------------------


def _lo():
    """The lossopt package (imported lazily: this module is loaded while lossopt initialises)."""
    return sys.modules["lossopt"]


@contextmanager
def _quiet():
    """No numpy warnings from the student's code: overflow and NaN are diagnosed from the results."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def _where(exc, name):
    """'line 7 of svm_loss_naive': the innermost frame in the student's code (not in numpy or lossopt)."""
    libraries = (os.path.dirname(np.__file__), os.path.dirname(__file__))
    frames = traceback.extract_tb(exc.__traceback__)
    for frame in reversed(frames):
        if not frame.filename.startswith(libraries):
            return f"line {frame.lineno} of {frame.name}"
    if len(frames) == 1:  # raised by the call itself: most often a signature that does not fit
        return f"when called as {_EXERCISES[name][1]}"
    return "inside numpy or lossopt"


def _call(fn, name, *args):
    """Call the student's function; its exceptions become failed stages (NotImplementedError: not attempted)."""
    try:
        with _quiet():
            return fn(*args)
    except _Fail:
        raise
    except NotImplementedError as exc:
        raise _NotAttemptedError from exc
    except Exception as exc:  # the student's bug, reported, never raised
        text = str(exc).strip()
        raise _Fail(f"{name} raised {type(exc).__name__}{': ' + text if text else ''} ({_where(exc, name)}).") from exc


# ----------------------------------------------------------------------------
# Comparing numbers
# ----------------------------------------------------------------------------


def _close(a, b, rtol=1e-6):
    """a equals b up to rtol times the size of b (entries near 0 judged at b's scale)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or not np.isfinite(a).all():
        return False
    scale = max(float(np.max(np.abs(b), initial=0.0)), 1e-12)
    return bool(np.all(np.abs(a - b) <= rtol * scale))


def _first_match(value, candidates, rtol=1e-6):
    """The message of the first (expected, message) candidate that ``value`` equals, else None."""
    for expected, message in candidates:
        if _close(value, expected, rtol):
            return message
    return None


def _fmt(x):
    return f"{float(x):.6g}"


def _rtol(*arrays):
    """Tolerance: float32 anywhere means single precision."""
    return 1e-4 if any(np.asarray(a).dtype == np.float32 for a in arrays) else 1e-6


def _describe(value):
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"a {type(value).__name__}"


def _scalar(value, what, name):
    """Check that ``value`` is one real number; return it as a float."""
    array = np.asarray(value) if not isinstance(value, (str, bytes)) else None
    if array is None or array.dtype.kind not in "fiu":
        raise _Fail(f"{name} must return {what} as a single real number, got {_describe(value)}.")
    if array.ndim != 0:
        if array.size == 1:
            raise _Fail(f"{name} returned {what} as an array of shape {array.shape}; return a single number (float).")
        raise _Fail(f"{name} returned {what} as an array of shape {array.shape}; it must be a single number.")
    return float(array)


def _gradient_array(value, W, what, name):
    """Check that ``value`` is a floating array shaped like W; return it."""
    if not isinstance(value, np.ndarray):
        raise _Fail(f"{name} must return {what} as a numpy array of W's shape {W.shape}, got {_describe(value)}.")
    if value.shape != W.shape:
        if value.shape == W.T.shape:
            raise _Fail(f"{what} has shape {value.shape}, W transposed; it must have W's shape {W.shape} (D x C).")
        raise _Fail(f"{what} has shape {value.shape}; it must have W's shape {W.shape}.")
    if value.dtype.kind != "f":
        raise _Fail(
            f"{what} has dtype {value.dtype}; it must be floating (np.zeros(W.shape) or np.zeros_like(W) "
            f"for a float W), or every fraction is rounded away."
        )
    if W.dtype == np.float64 and value.dtype != np.float64:
        raise _Fail(f"{what} has dtype {value.dtype} for float64 inputs; keep float64 (precision is lost).")
    return value


def _pair(out, W, first, second, name):
    """Unpack a (scalar, array-like-W) pair, diagnosing a wrong shape of the output itself."""
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise _Fail(f"{name} must return a pair ({first}, {second}), got {_describe(out)}.")
    a, b = out
    if isinstance(a, np.ndarray) and a.shape == W.shape and np.ndim(b) == 0:
        raise _Fail(f"{name} returned ({second}, {first}); return ({first}, {second}), in that order.")
    return a, b


@contextmanager
def _unchanged(name, **arrays):
    """Fail if the student's function changed any of the given input arrays."""
    copies = {key: np.array(value, copy=True) for key, value in arrays.items()}
    yield
    changed = [key for key, value in arrays.items() if not np.array_equal(value, copies[key], equal_nan=True)]
    if changed:
        raise _Fail(
            f"{name} changed its input {' and '.join(changed)} in place (an in-place operation such as "
            f"{changed[0]} -= ... or on a view of it); leave the inputs alone and work on new arrays or copies."
        )


# ----------------------------------------------------------------------------
# Problems (seeded)
# ----------------------------------------------------------------------------

# The lecture's worked example: three images (cat, car, frog), one row of
# scores each. With X = identity the scores S = X @ W are W itself.
_LECTURE_SCORES = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])


def _problem(N, D, C, seed, dtype=np.float64, w_scale=None):
    """Random X (bias column last), W and y; scores of order 1 so that some SVM margins are active, some not."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, D))
    X[:, -1] = 1.0  # the bias trick
    W = rng.standard_normal((D, C)) * (w_scale if w_scale is not None else 1.0 / np.sqrt(D))
    y = rng.integers(0, C, size=N)
    return W.astype(dtype), X.astype(dtype), y


# ----------------------------------------------------------------------------
# The losses: svm_loss_naive / _vectorized, softmax_loss_naive / _vectorized
# ----------------------------------------------------------------------------


def _loss_output(fn, name, W, X, y, reg):
    """Call a loss exercise with its inputs guarded; return (loss, dW) as (float, array)."""
    with _unchanged(name, W=W, X=X, y=y):
        out = _call(fn, name, W, X, y, reg)
    loss, dW = _pair(out, W, "loss", "dW", name)
    if isinstance(loss, np.ndarray) and loss.shape == (X.shape[0],) and X.shape[0] > 1:
        raise _Fail(f"{name} returned the loss as an array of shape {loss.shape}, one per example; return their mean.")
    return _scalar(loss, "the loss", name), _gradient_array(dW, W, "dW", name)


def _half_gradients(kind, W, X, y):
    """The two halves of the data gradient dW = X.T @ dS / N, each alone: a gradient that misses one of them."""
    W, X = W.astype(np.float64), X.astype(np.float64)
    N, rows = X.shape[0], np.arange(X.shape[0])
    S = X @ W  # (N, C)
    onehot = np.zeros_like(S)
    onehot[rows, y] = 1
    if kind == "svm":
        active = (S - S[rows, y][:, np.newaxis] + 1 > 0) * (1 - onehot)  # positive margins, j != y_i
        return [
            (
                X.T @ active / N,
                "dW has the +x_i in column j of each positive margin but misses the -x_i in column y_i "
                "(once per positive margin).",
            ),
            (
                X.T @ (-onehot * active.sum(axis=1, keepdims=True)) / N,
                "dW has the -x_i in column y_i but misses the +x_i in column j of each positive margin.",
            ),
        ]
    P = np.exp(S - S.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    return [
        (X.T @ P / N, "dW misses the -1 at the correct class: dL_i/ds = p - onehot(y_i), not p."),
        (X.T @ -onehot / N, "dW has only the -1 at the correct class: dL_i/ds = p - onehot(y_i) needs p too."),
    ]


def _loss_diagnoses(kind, loss, dW, ref_loss, ref_dW, W, X, y, rtol, where):
    """Diagnoses of the data loss and its gradient (reg = 0), or [] if both are right."""
    found, N, C = [], X.shape[0], W.shape[1]
    if not np.isfinite(loss):
        hint = (
            " The softmax must be max-shifted: subtract each row's largest score before np.exp "
            "(the probabilities do not change, and exp never overflows)."
            if kind == "softmax"
            else ""
        )
        found.append(f"{where} the loss is {loss}, not a finite number.{hint}")
    elif not _close(loss, ref_loss, rtol):
        candidates = []
        if kind == "svm":
            candidates += [
                (
                    ref_loss + 1.0,
                    f"{where} the loss is {_fmt(loss)}, expected {_fmt(ref_loss)}: 1 too big, delta = 1 per example. "
                    "The j == y_i term is not skipped: the sum over classes must leave out the correct class, "
                    "which would add max(0, s_yi - s_yi + 1) = 1.",
                ),
                (
                    N * (ref_loss + 1.0),
                    f"{where} the loss is N = {N} times too big and includes the j == y_i term: "
                    "skip j == y_i, and divide the sum by N (the data loss is the mean).",
                ),
            ]
        else:
            candidates.append(
                (
                    ref_loss / np.log(10),
                    f"{where} the loss is {_fmt(loss)}, expected {_fmt(ref_loss)}: the log is base 10 (np.log10). "
                    "The softmax loss uses the natural log, np.log (the slide's 0.89 is log10; ln gives 2.04).",
                )
            )
        candidates += [
            (
                ref_loss + float(np.sum(W.astype(np.float64) ** 2)),
                f"{where} with reg = 0 the loss still adds sum(W**2): the penalty is reg * sum(W**2).",
            ),
            (
                N * ref_loss,
                f"{where} the loss is {_fmt(loss)}, N = {N} times the expected {_fmt(ref_loss)}: "
                "sum instead of mean. Divide the summed loss by N (the data loss is the mean over examples).",
            ),
            (
                ref_loss / N,
                f"{where} the loss is {_fmt(loss)}, 1/N of the expected {_fmt(ref_loss)}: divided by N twice.",
            ),
            (
                ref_loss / C,
                f"{where} the loss is {_fmt(loss)}, 1/C of the expected {_fmt(ref_loss)}: a mean over all N x C "
                "entries. Sum over the classes of each example, then take the mean over the N examples.",
            ),
        ]
        found.append(
            _first_match(loss, candidates, rtol) or f"{where} the loss is {_fmt(loss)}, expected {_fmt(ref_loss)}."
        )
    if not _close(dW, ref_dW, rtol):
        candidates = [
            (
                -ref_dW,
                f"{where} dW has the right size but the gradient sign is flipped: "
                "the margin s_j - s_yi + 1 adds +x_i to column j and -x_i to column y_i."
                if kind == "svm"
                else f"{where} dW has the right size but the gradient sign is flipped: "
                "dL_i/ds = p - onehot(y_i), so column j gets +p_j x_i and column y_i gets (p_yi - 1) x_i.",
            ),
            (
                N * ref_dW,
                f"{where} dW is N = {N} times too big: the gradient is not divided by N "
                "(the loss is a mean, so its gradient is too).",
            ),
            (ref_dW / N, f"{where} dW is 1/N of the right gradient: divided by N twice."),
            *[(half, f"{where} {message}") for half, message in _half_gradients(kind, W, X, y)],
            (
                ref_dW + 2 * W.astype(np.float64),
                f"{where} with reg = 0 dW still adds 2 * W: the penalty's gradient is 2 * reg * W.",
            ),
        ]
        message = _first_match(dW, candidates, rtol)
        if message is None:
            error = float(np.max(np.abs(dW - ref_dW)) / max(float(np.max(np.abs(ref_dW))), 1e-12))
            message = (
                f"{where} dW is wrong (largest difference {error:.2g} of the gradient's size). "
                "Check it against lo.numerical_gradient of your own loss."
            )
        found.append(message)
    return found


def _reg_diagnoses(name, R, dR, W, reg, N, rtol, where):
    """Diagnoses of the L2 term: R = loss(reg) - loss(0) and dR = dW(reg) - dW(0)."""
    found = []
    ref_R, ref_dR = reg * float(np.sum(W.astype(np.float64) ** 2)), 2 * reg * W.astype(np.float64)
    if not _close(R, ref_R, rtol):
        candidates = [
            (0.0, f"{where} the loss ignores reg: add the L2 penalty reg * np.sum(W * W)."),
            (0.5 * ref_R, f"{where} the penalty is 0.5 * reg * sum(W**2); this course uses reg * np.sum(W * W)."),
            (
                ref_R / N,
                f"{where} the penalty is divided by N: only the data loss is a mean; add reg * sum(W**2) after.",
            ),
            (
                reg * float(np.abs(W).sum()),
                f"{where} the penalty is L1, reg * sum|W|; the loss uses L2, reg * sum(W**2).",
            ),
            (
                reg * float(np.sum(W[:-1].astype(np.float64) ** 2)),
                f"{where} the penalty leaves out W's last row (the biases); here reg * sum(W**2) covers all of W.",
            ),
            (
                2 * ref_R,
                f"{where} the penalty is 2 * reg * sum(W**2); it is reg * sum(W**2) (2 * reg * W is dW's term).",
            ),
        ]
        found.append(
            _first_match(R, candidates, rtol)
            or f"{where} reg adds {_fmt(R)} to the loss; the L2 penalty reg * sum(W**2) is {_fmt(ref_R)}."
        )
    if not _close(dR, ref_dR, rtol):
        candidates = [
            (0 * ref_dR, f"{where} dW misses the penalty's gradient: add 2 * reg * W."),
            (reg * W, f"{where} dW adds reg * W; the gradient of reg * sum(W**2) is 2 * reg * W."),
            (0.5 * reg * W, f"{where} dW adds 0.5 * reg * W; the gradient of reg * sum(W**2) is 2 * reg * W."),
            (-ref_dR, f"{where} dW subtracts 2 * reg * W: the sign of the penalty's gradient is flipped."),
            (ref_dR / N, f"{where} the penalty's gradient 2 * reg * W is divided by N: add it after dividing by N."),
            (
                np.vstack([ref_dR[:-1], 0 * ref_dR[-1:]]),
                f"{where} the penalty's gradient leaves out W's last row (the biases); add 2 * reg * W to all of dW.",
            ),
        ]
        found.append(
            _first_match(dR, candidates, rtol)
            or f"{where} reg changes dW by something other than the L2 gradient 2 * reg * W."
        )
    return found


def _loop_lines(fn):
    """Python loops (line, text) in fn's source, or None when the source cannot be read."""
    try:
        source = textwrap.dedent(inspect.getsource(fn))
        tree = ast.parse(source)
        first = fn.__code__.co_firstlineno
    except (OSError, TypeError, SyntaxError, AttributeError):
        return None
    kinds = (ast.For, ast.While, ast.AsyncFor, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
    loops = []
    for node in ast.walk(tree):
        if isinstance(node, kinds):
            text = (ast.get_source_segment(source, node) or "").splitlines()[0].strip()
            loops.append((first + node.lineno - 1, text))
    return sorted(loops)


def _best_time(fn, *args, repeat=3):
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - start)
    return best


def _check_no_loops(fn, name, reference):
    """Vectorized means no Python loop: read the code with ast, and time it against lossopt on many examples."""
    loops = _loop_lines(fn)
    if loops:
        line, text = loops[0]
        raise _Fail(
            f"{name} still has a Python loop (line {line}: {text}). The vectorized version works on all "
            "examples and classes at once: S = X @ W, then array operations on S."
        )
    W, X, y = _problem(4000, 20, 10, seed=7)
    with _quiet():
        t_ref = _best_time(reference, W, X, y, 0.0)
        t_student = _best_time(lambda *a: _call(fn, name, *a), W, X, y, 0.0, repeat=1)
        if t_student > max(20 * t_ref, 5e-3):  # confirm: the first call may have paid for warm-up
            t_student = min(t_student, _best_time(lambda *a: _call(fn, name, *a), W, X, y, 0.0, repeat=2))
    if t_student > max(20 * t_ref, 5e-3):
        raise _Fail(
            f"{name} takes {t_student * 1e3:.0f} ms on 4000 examples, {t_student / t_ref:.0f} times lossopt's "
            "vectorized loss: it still loops over examples (or calls a function that does)."
        )
    return "" if loops is not None else " (its source was not readable, so it was timed instead)"


def _loss_checker(kind, vectorized):
    def checker(fn, name):
        lo = _lo()
        reference = lo.svm_loss if kind == "svm" else lo.softmax_loss

        def diagnose(W, X, y, reg, where):
            rtol = _rtol(W, X)
            W64, X64 = W.astype(np.float64), X.astype(np.float64)
            loss0, dW0 = _loss_output(fn, name, W, X, y, 0.0)
            ref_loss, ref_dW = reference(W64, X64, y, 0.0)
            found = _loss_diagnoses(kind, loss0, dW0, ref_loss, ref_dW, W, X, y, rtol, where)
            if found:
                raise _Fail(*found)
            if reg:
                loss, dW = _loss_output(fn, name, W, X, y, reg)
                found = _reg_diagnoses(name, loss - loss0, dW.astype(np.float64) - dW0, W, reg, X.shape[0], rtol, where)
                if found:
                    raise _Fail(*found)

        verified = []
        # 1. small, regularized: the classic mistakes show up with numbers that are easy to read
        W, X, y = _problem(5, 4, 3, seed=0)
        diagnose(W, X, y, 0.1, "On a small problem (N=5, D=4, C=3),")
        verified.append("a small problem")
        # 2. the lecture's numbers
        if kind == "svm":
            W, X, y = _LECTURE_SCORES.copy(), np.eye(3), np.array([0, 1, 2])
            diagnose(W, X, y, 0.0, "On the lecture's cat/car/frog scores (expected loss 5.27),")
            verified.append("the lecture's 5.27")
        else:
            W, X, y = _LECTURE_SCORES[:1].copy(), np.eye(1), np.array([0])
            diagnose(W, X, y, 0.0, "On the lecture's cat scores (expected loss 2.04),")
            verified.append("the lecture's 2.04")
        # the lecture's sanity check: with W = 0 every score is 0, so the loss is C - 1 (SVM) or ln C (softmax)
        _, X, y = _problem(10, 20, 10, seed=3)
        expected = "C - 1 = 9" if kind == "svm" else "ln C = ln 10 = 2.30"
        diagnose(np.zeros((20, 10)), X, y, 0.0, f"With W = 0 (all scores 0, expected loss {expected}),")
        verified.append(f"W = 0 ({expected.split(' = ')[0]})")
        # 3. CIFAR-shaped, float64 and float32
        W, X, y = _problem(50, 3073, 10, seed=1)
        diagnose(W, X, y, 0.5, "On a CIFAR-shaped problem (N=50, D=3073, C=10, float64),")
        diagnose(W.astype(np.float32), X.astype(np.float32), y, 0.5, "On the CIFAR-shaped problem in float32,")
        verified.append("CIFAR-shaped float64 and float32")
        # 4. softmax: scores around 1000 must not overflow
        if kind == "softmax":
            W, X, y = _problem(6, 4, 5, seed=2)
            W[-1] += 1000.0  # the bias row lifts every score to about 1000; their differences stay small
            diagnose(W, X, y, 0.0, "At scores around 1000,")
            verified.append("scores around 1000")
        note = ""
        if vectorized:
            note = _check_no_loops(fn, name, reference)
            verified.append("no Python loop")
        what = "SVM" if kind == "svm" else "softmax"
        return f"Loss and dW match lossopt's {what} loss on {', '.join(verified)}{note}."

    return checker


# ----------------------------------------------------------------------------
# Regularization
# ----------------------------------------------------------------------------


def _penalty_checker(kind):
    def checker(fn, name):
        rng = np.random.default_rng(3)
        W = rng.standard_normal((4, 3))
        W[0, 0] = W[2, 1] = 0.0  # L1's subgradient at 0 is reg * sign(0) = 0
        problems = [
            (W, 0.3, "On a small W (4 x 3, with zeros),"),
            (W, 0.0, "With reg = 0,"),
            (rng.standard_normal((3073, 10)) * 1e-2, 2.5e4, "On a CIFAR-shaped W (3073 x 10),"),
            (W.astype(np.float32), 0.3, "On a float32 W,"),
        ]
        for W, reg, where in problems:
            with _unchanged(name, W=W):
                out = _call(fn, name, W, reg)
            R, dR = _pair(out, W, "R", "dR", name)
            if isinstance(R, np.ndarray) and R.shape == W.shape:
                raise _Fail(f"{name} returned R as an array of W's shape; the penalty is one number: sum it.")
            R, dR = _scalar(R, "R", name), _gradient_array(dR, W, "dR", name)
            found = (_l2_diagnoses if kind == "l2" else _l1_diagnoses)(R, dR, W.astype(np.float64), reg, where)
            if found:
                raise _Fail(*found)
        formula = "reg * sum(W**2) and 2 * reg * W" if kind == "l2" else "reg * sum|W| and reg * sign(W)"
        return f"R and dR match {formula} (lo.regularization) on small, CIFAR-shaped, float32 and reg = 0 inputs."

    return checker


def _l2_diagnoses(R, dR, W, reg, where):
    lo = _lo()
    penalty, gradient = lo.regularization(W, "l2")
    ref_R, ref_dR = reg * float(penalty), reg * gradient
    rtol, found = 1e-5, []
    if not _close(R, ref_R, rtol):
        candidates = [
            (0.5 * ref_R, f"{where} R is 0.5 * reg * sum(W**2); this course's L2 is reg * sum(W**2)."),
            (float(penalty), f"{where} R is sum(W**2) without reg: multiply by reg."),
            (reg * float(np.abs(W).sum()), f"{where} R is reg * sum|W|, the L1 penalty; L2 is reg * sum(W**2)."),
            (
                reg * float(np.sqrt(penalty)),
                f"{where} R is reg * ||W||, the norm itself; L2 squares it: reg * sum(W**2).",
            ),
            (
                reg * float(W.sum()) ** 2,
                f"{where} R is reg * (sum W)**2, the square of the sum; square each entry first.",
            ),
            (2 * ref_R, f"{where} R is 2 * reg * sum(W**2); the 2 belongs to the gradient only."),
        ]
        found.append(_first_match(R, candidates, rtol) or f"{where} R is {_fmt(R)}, expected {_fmt(ref_R)}.")
    if not _close(dR, ref_dR, rtol):
        candidates = [
            (reg * W, f"{where} dR is reg * W; the gradient of reg * sum(W**2) is 2 * reg * W."),
            (0.5 * reg * W, f"{where} dR is 0.5 * reg * W; the gradient of reg * sum(W**2) is 2 * reg * W."),
            (2 * W, f"{where} dR is 2 * W without reg; it is 2 * reg * W."),
            (-ref_dR, f"{where} dR is -2 * reg * W: the sign is flipped (the penalty grows away from 0)."),
            (reg * np.sign(W), f"{where} dR is reg * sign(W), the L1 subgradient; L2's is 2 * reg * W."),
        ]
        found.append(_first_match(dR, candidates, rtol) or f"{where} dR is not 2 * reg * W.")
    return found


def _l1_diagnoses(R, dR, W, reg, where):
    lo = _lo()
    penalty, gradient = lo.regularization(W, "l1")
    ref_R, ref_dR = reg * float(penalty), reg * gradient
    rtol, found = 1e-5, []
    if not _close(R, ref_R, rtol):
        candidates = [
            (reg * float(W.sum()), f"{where} R is reg * sum(W) without the absolute value: use np.abs(W)."),
            (float(penalty), f"{where} R is sum|W| without reg: multiply by reg."),
            (reg * float(np.sum(W**2)), f"{where} R is reg * sum(W**2), the L2 penalty; L1 is reg * sum|W|."),
            (0.5 * ref_R, f"{where} R is 0.5 * reg * sum|W|; L1 is reg * sum|W|."),
        ]
        found.append(_first_match(R, candidates, rtol) or f"{where} R is {_fmt(R)}, expected {_fmt(ref_R)}.")
    if not _close(dR, ref_dR, rtol):
        zero = W == 0
        if not np.isfinite(dR).all():
            message = f"{where} dR is not finite at W = 0 (W / |W| divides by zero); use reg * np.sign(W), 0 at 0."
        elif zero.any() and _close(dR[~zero], ref_dR[~zero], rtol):
            message = (
                f"{where} dR at W = 0 is {_fmt(dR[zero][0])}; the subgradient there must be 0 = reg * sign(0) "
                "(np.where(W >= 0, 1, -1) gives 1): use reg * np.sign(W)."
            )
        else:
            candidates = [
                (gradient, f"{where} dR is sign(W) without reg: multiply by reg."),
                (-ref_dR, f"{where} dR is -reg * sign(W): the sign is flipped."),
                (reg * W, f"{where} dR is reg * W; the L1 subgradient is reg * sign(W)."),
                (2 * reg * W, f"{where} dR is 2 * reg * W, the L2 gradient; L1's is reg * sign(W)."),
            ]
            message = _first_match(dR, candidates, rtol) or f"{where} dR is not reg * sign(W)."
        found.append(message)
    return found


# ----------------------------------------------------------------------------
# Numerical gradient
# ----------------------------------------------------------------------------


def _smooth(x):
    """A smooth test function whose centered and forward differences differ clearly at h = 0.01."""
    x = np.asarray(x, dtype=np.float64)
    return float(np.sum(np.sin(x) * x + 0.5 * x**3 + np.exp(0.3 * x)))


def _differences(f, x, h, kind):
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        plus = f(x)
        x[index] = old - h
        minus = f(x)
        x[index] = old
        base = f(x)
        grad[index] = {"forward": (plus - base) / h, "backward": (base - minus) / h}[kind]
    return grad


def _check_numerical_gradient(fn, name):
    lo = _lo()
    x = np.random.default_rng(4).standard_normal((3, 4))
    h = 1e-2
    # 1. the function: does it restore x, and is it the centered difference with the given h?
    probe, note = x.copy(), ""
    grad = _call(fn, name, _smooth, probe, h)
    if not np.array_equal(probe, x):
        if np.allclose(probe, x, rtol=0, atol=1e-13):
            note = " (x came back equal up to rounding: saving the old value restores it exactly)"
        else:
            worst = float(np.max(np.abs(probe - x)))
            raise _Fail(
                f"x was not restored: after the call an entry of x is off by {worst:.3g} (h = {h}). "
                "Save each entry before nudging it and put it back (x[ix] = old_value) after evaluating f."
            )
    if not isinstance(grad, np.ndarray) or grad.shape != x.shape:
        hint = " Visit every entry with np.ndindex(x.shape) (or np.nditer), not just the first axis."
        raise _Fail(f"For a 2-D x of shape {x.shape}, {name} returned {_describe(grad)}; it must have x's shape.{hint}")
    with _quiet():
        centered = lo.numerical_gradient(_smooth, x.copy(), h)
        candidates = [
            (
                _differences(_smooth, x.copy(), h, "forward"),
                f"With h = {h}, the result is the forward difference (f(x + h) - f(x)) / h: use the centered "
                "difference (f(x + h) - f(x - h)) / (2h), whose error is O(h**2) instead of O(h).",
            ),
            (
                _differences(_smooth, x.copy(), h, "backward"),
                f"With h = {h}, the result is the backward difference (f(x) - f(x - h)) / h: use the centered "
                "difference (f(x + h) - f(x - h)) / (2h).",
            ),
            (
                lo.numerical_gradient(_smooth, x.copy(), 1e-5),
                f"h ignored: called with h = {h}, the function used another step (is 1e-5 written in its body?).",
            ),
            (np.zeros(x.shape), "The gradient is zero everywhere: f must be evaluated at the nudged x."),
            (2 * centered, "The result is twice the centered difference: divide by 2h, not by h."),
            (0.5 * centered, "The result is half the centered difference: divide by (2 * h), with the parentheses."),
        ]
    if not _close(grad, centered, 1e-6):
        raise _Fail(
            _first_match(grad, candidates, 1e-6)
            or f"With h = {h}, on a smooth function of a 3 x 4 array x, the result differs from the centered "
            "differences (f(x + h) - f(x - h)) / (2h), one entry of x at a time."
        )
    # 2. the default h and a real use: the softmax loss's gradient, 1-D and 2-D
    W, X, y = _problem(5, 4, 3, seed=5)
    loss_of_W = lambda V: float(lo.softmax_loss(V, X, y, 0.1)[0])  # noqa: E731
    numeric = _call(fn, name, loss_of_W, W.copy())
    analytic = lo.softmax_loss(W, X, y, 0.1)[1]
    ok = isinstance(numeric, np.ndarray) and numeric.shape == W.shape and np.isfinite(numeric).all()
    error = lo.rel_error(numeric, analytic) if ok else np.inf
    if not error < 1e-6:
        raise _Fail(
            f"Called without h, on the softmax loss of a small problem, the result is not the gradient dW "
            f"(relative error {error:.2g}): is the default h = 1e-5?"
        )
    v = x[0].copy()
    flat = _call(fn, name, _smooth, v, h)
    if not _close(flat, lo.numerical_gradient(_smooth, x[0].copy(), h), 1e-6):
        raise _Fail(f"For a 1-D x, {name} does not return the centered differences.")
    return (
        f"Centered differences with the given h, x restored, any shape; "
        f"on the softmax loss it agrees with dW (relative error {error:.1e}){note}."
    )


# ----------------------------------------------------------------------------
# Gradient descent and SGD
# ----------------------------------------------------------------------------


class _Quadratic:
    """L(W) = 0.5 * sum(a * (W - T)**2): after k steps, W = T + (1 - lr a)**k (W0 - T)."""

    def __init__(self, shape, seed):
        rng = np.random.default_rng(seed)
        self.a = rng.uniform(0.5, 2.0, shape)
        self.T = rng.standard_normal(shape)

    def __call__(self, W):
        W = np.asarray(W, dtype=np.float64)
        return float(0.5 * np.sum(self.a * (W - self.T) ** 2)), self.a * (W - self.T)

    def after(self, W0, lr, steps):
        return self.T + (1 - lr * self.a) ** steps * (W0 - self.T)


def _check_gradient_descent(fn, name):
    W0 = np.random.default_rng(6).standard_normal((4, 3))
    lr, steps = 0.1, 7
    loss_fn = _Quadratic(W0.shape, seed=6)
    with _unchanged(name, W0=W0):
        W = _call(fn, name, loss_fn, W0, lr, steps)
    if not isinstance(W, np.ndarray) or W.shape != W0.shape:
        raise _Fail(f"{name} must return W, an array of W0's shape {W0.shape}, got {_describe(W)}.")
    if not _close(W, loss_fn.after(W0, lr, steps)):
        candidates = [
            (
                loss_fn.after(W0, -lr, steps),
                "the learning rate has the wrong sign: W + lr * dW climbs the loss; step W - lr * dW.",
            )
        ]
        candidates += [(loss_fn.after(W0, 1.0, steps), "lr is ignored: the step must be lr * dW.")]
        first_step = lr * loss_fn(W0)[1]
        candidates += [
            (
                W0 - steps * first_step,
                "every step uses the gradient at W0: compute dW inside the loop, at the current W.",
            )
        ]
        candidates += [
            (loss_fn.after(W0, lr, k), f"it took {k} steps instead of {steps}: take exactly num_steps steps.")
            for k in range(3 * steps + 2)
            if k != steps
        ]
        message = _first_match(W, candidates)
        raise _Fail(
            f"On a quadratic loss with lr = {lr}, num_steps = {steps}, "
            + (message or "W is not what num_steps steps of W <- W - lr * dW give.")
        )
    # lossopt's SVM loss, float64 and float32, against lossopt's sgd with full batches (= gradient descent)
    lo = _lo()
    Wp, X, y = _problem(20, 5, 3, seed=8)
    for dtype in (np.float64, np.float32):
        start = Wp.astype(dtype)
        loss_of_W = partial(lambda W, Xd: lo.svm_loss(W, Xd, y, 0.1), Xd=X.astype(dtype))
        full_batch = lo.sgd(
            lambda V, Xb, yb: lo.svm_loss(V, Xb, yb, 0.1),
            start,
            X.astype(dtype),
            y,
            lr=0.05,
            batch_size=len(y),
            num_iters=5,
            seed=0,
        )
        expected = full_batch[0]
        W = _call(fn, name, loss_of_W, start, 0.05, 5)
        if not isinstance(W, np.ndarray) or not _close(W, expected, _rtol(start)):
            raise _Fail(f"On lossopt's SVM loss ({np.dtype(dtype).name}), 5 steps of W <- W - lr * dW give another W.")
    if not np.array_equal(_call(fn, name, loss_fn, W0, lr, 0), W0):
        raise _Fail("With num_steps = 0, W must come back equal to W0.")
    return (
        "Takes num_steps steps of W <- W - lr * dW and leaves W0 untouched, "
        "on a quadratic and on lossopt's SVM loss (float64, float32)."
    )


class _Recorder:
    """A loss_fn for SGD that records every call: W, which rows of X (by their first column), labels, loss, dW."""

    def __init__(self, X, y, loss):
        self.X, self.y, self.loss = X, y, loss
        self.row_of = {float(value): i for i, value in enumerate(X[:, 0])}  # first columns are distinct
        self.calls = []

    def __call__(self, W, X, y):  # named like lossopt's losses, so loss_fn(W, X=..., y=...) works too
        X_batch, y_batch, W = np.asarray(X), np.asarray(y), np.asarray(W)
        if X_batch.ndim != 2 or X_batch.shape[1] != self.X.shape[1] or y_batch.shape != (X_batch.shape[0],):
            raise _Fail(
                f"loss_fn was called with X_batch of shape {X_batch.shape} and y_batch of shape {y_batch.shape}; "
                "pass rows of X and their labels: X[idx], y[idx] for an index array idx."
            )
        rows = np.array([self.row_of.get(float(value), -1) for value in X_batch[:, 0]])
        if (rows < 0).any():
            raise _Fail("loss_fn was called with rows that are not rows of X: pass X[idx] for an index array idx.")
        loss, dW = self.loss(W, X_batch, y_batch)
        self.calls.append((W.astype(np.float64), rows, y_batch.copy(), float(loss), dW.copy()))
        return loss, dW


def _blobs(N, D, C, seed):
    rng = np.random.default_rng(seed)
    y = np.arange(N) % C
    centers = 3 * rng.standard_normal((C, D))
    X = centers[y] + rng.standard_normal((N, D))
    X[:, -1] = 1.0
    return X, y


def _update_mistake(calls, W, lr):
    """(step, what is wrong) for the first step where W_{t+1} is not W_t - lr * dW_t, else None."""
    nexts = [c[0] for c in calls[1:]] + [np.asarray(W, dtype=np.float64)]
    for t, ((W_t, _, _, _, dW_t), W_next) in enumerate(zip(calls, nexts, strict=True)):
        if not _close(W_next, W_t - lr * dW_t):
            candidates = [
                (
                    W_t + lr * dW_t,
                    "the learning rate is applied with the wrong sign (W + lr * dW climbs the loss); step W - lr * dW.",
                ),
                (W_t, "W never changes: assign the step, W = W - lr * dW (or W -= lr * dW)."),
                (W_t - dW_t, "lr is ignored: the step is lr * dW."),
            ]
            return t, _first_match(W_next, candidates) or "W does not follow W <- W - lr * dW."
    return None


def _check_sgd(fn, name):
    lo = _lo()
    X, y = _blobs(60, 5, 3, seed=9)
    W0 = 0.01 * np.random.default_rng(9).standard_normal((5, 3))
    lr, batch_size, num_iters = 0.1, 10, 30

    def run(seed):
        record = _Recorder(X, y, lambda W, Xb, yb: lo.softmax_loss(W, Xb, yb, 1e-3))
        with _unchanged(name, W0=W0, X=X, y=y):
            out = _call(fn, name, record, W0, X, y, lr, batch_size, num_iters, seed)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise _Fail(f"{name} must return a pair (W, loss_history), got {_describe(out)}.")
        W, history = out
        if not isinstance(W, np.ndarray) or W.shape != W0.shape:
            raise _Fail(f"{name} must return (W, loss_history) with W of W0's shape, got W as {_describe(W)}.")
        if np.ndim(history) == 0 or len(history) != num_iters:
            raise _Fail(
                f"loss_history must hold one loss per step, {num_iters} for num_iters = {num_iters}, "
                f"got {_describe(history)}{f' of length {len(history)}' if np.ndim(history) else ''}."
            )
        losses = [_scalar(value, "each loss in loss_history", name) for value in history]
        return W, np.array(losses), record.calls

    W, history, calls = run(0)
    where = f"With N = {len(y)}, batch_size = {batch_size}, num_iters = {num_iters}:"
    if len(calls) != num_iters:
        raise _Fail(f"{where} loss_fn was called {len(calls)} times; call it once per step.")
    for _, rows, y_batch, _, _ in calls:
        if not np.array_equal(y_batch, y[rows]):
            raise _Fail(f"{where} y_batch does not belong to X_batch: index X and y with the same idx.")
    sizes = np.array([len(rows) for _, rows, *_ in calls])
    if (sizes == len(y)).all():
        raise _Fail(
            f"{where} every step uses all {len(y)} examples: batch_size is ignored "
            "(that is full-batch gradient descent)."
        )
    if (sizes > batch_size).any() or np.mean(sizes == batch_size) < 0.5:
        raise _Fail(f"{where} the minibatches have {sorted(set(sizes.tolist()))} examples; expected batch_size.")
    batches = [tuple(sorted(rows.tolist())) for _, rows, *_ in calls]
    if len(set(batches)) == 1:
        raise _Fail(
            f"{where} every step uses the same minibatch (a fixed batch): "
            "draw a new random batch inside the loop, every step."
        )
    repeats = sum(a == b for a, b in pairwise(batches))
    if 4 * repeats > len(batches):  # drawn at random, two steps in a row almost never share a batch
        raise _Fail(
            f"{where} the minibatch stays the same for {repeats} of {len(batches) - 1} steps: "
            "draw a new one every step."
        )
    in_order = all(np.array_equal(rows, (rows[0] + np.arange(len(rows))) % len(y)) for _, rows, *_ in calls)
    if in_order:
        raise _Fail(
            f"{where} the minibatches walk through X in order (not shuffled/sampled): "
            "draw them at random every step (or shuffle each epoch)."
        )
    losses = np.array([c[3] for c in calls])
    if not _close(history, losses):
        raise _Fail(f"{where} loss_history does not hold the loss that loss_fn returned at each step.")
    # the loss falls; if not, or if W strays from the update rule, say which step went wrong
    k = num_iters // 5
    first, last = history[:k].mean(), history[-k:].mean()
    step_mistake = _update_mistake(calls, W, lr)
    if not last < first:
        cause = f": at step {step_mistake[0]}, {step_mistake[1]}" if step_mistake else "."
        raise _Fail(f"{where} the loss did not fall (first steps {_fmt(first)}, last {_fmt(last)}){cause}")
    if step_mistake:
        raise _Fail(f"{where} at step {step_mistake[0]}, {step_mistake[1]}")
    W_again, _, calls_again = run(0)
    if not (np.array_equal(W_again, W) and [tuple(c[1]) for c in calls_again] == [tuple(c[1]) for c in calls]):
        raise _Fail(f"{where} the same seed gave a different run: draw from rng = np.random.default_rng(seed).")
    _, _, calls_other = run(1)
    if [tuple(c[1]) for c in calls_other] == [tuple(c[1]) for c in calls]:
        raise _Fail(f"{where} seed = 1 drew the same minibatches as seed = 0: the seed is ignored.")
    return (
        f"W <- W - lr * dW on a fresh random minibatch each step, X and y batched together, "
        f"the same seed repeats the run, another seed changes it, the loss falls "
        f"({_fmt(first)} -> {_fmt(last)})."
    )


# ----------------------------------------------------------------------------
# Registry and the public functions
# ----------------------------------------------------------------------------

_EXERCISES = {
    # name: (notebook, signature, checker)
    "svm_loss_naive": ("01", "svm_loss_naive(W, X, y, reg) -> (loss, dW)", _loss_checker("svm", False)),
    "svm_loss_vectorized": ("01", "svm_loss_vectorized(W, X, y, reg) -> (loss, dW)", _loss_checker("svm", True)),
    "l2_regularization": ("02", "l2_regularization(W, reg) -> (R, dR)", _penalty_checker("l2")),
    "l1_regularization": ("02", "l1_regularization(W, reg) -> (R, dR)", _penalty_checker("l1")),
    "softmax_loss_naive": ("03", "softmax_loss_naive(W, X, y, reg) -> (loss, dW)", _loss_checker("softmax", False)),
    "softmax_loss_vectorized": (
        "03",
        "softmax_loss_vectorized(W, X, y, reg) -> (loss, dW)",
        _loss_checker("softmax", True),
    ),
    "numerical_gradient": ("05", "numerical_gradient(f, x, h=1e-5) -> grad", _check_numerical_gradient),
    "gradient_descent": ("07", "gradient_descent(loss_fn, W0, lr, num_steps) -> W", _check_gradient_descent),
    "sgd": ("07", "sgd(loss_fn, W0, X, y, lr, batch_size, num_iters, seed) -> (W, loss_history)", _check_sgd),
}


def names():
    """The exercises, in notebook order.

    Examples
    --------
    >>> names()[:2]
    ['svm_loss_naive', 'svm_loss_vectorized']
    """
    return list(_EXERCISES)


def check(name, fn):
    """Check a student's function for the exercise ``name``.

    Parameters
    ----------
    name : str
        One of :func:`names`.
    fn : callable
        The student's function, with the exercise's signature.

    Returns
    -------
    CheckResult
        ``.passed``, ``.state`` ("passed", "failed" or "not attempted yet"),
        ``.message`` (one line: what was verified, or the first diagnosis).
        Never raises for a mistake in ``fn``. What ``fn`` prints is hidden
        while it is checked (it runs many times).
    """
    if name not in _EXERCISES:
        raise ValueError(f"unknown exercise {name!r}; the exercises are: {', '.join(_EXERCISES)}")
    start = time.perf_counter()
    try:
        if not callable(fn):
            raise _Fail(f"check expects the function {name} itself, got {_describe(fn)}.")
        printed = io.StringIO()
        with redirect_stdout(printed), _quiet():  # fn runs many times: its prints would flood the cell
            message = _EXERCISES[name][2](fn, name)
        result = CheckResult(name, PASSED, message)
    except _NotAttemptedError:
        message = (
            f"The function still raises NotImplementedError: write {name} in the cell above, run it, then this cell."
        )
        result = CheckResult(name, NOT_ATTEMPTED, message)
    except _Fail as failure:
        message = failure.diagnoses[0]
        if len(failure.diagnoses) > 1:
            message += f" (and {len(failure.diagnoses) - 1} more: see .diagnoses)"
        result = CheckResult(name, FAILED, message, failure.diagnoses)
    except Exception as exc:  # an output so unexpected that the checker itself tripped: still a failure, not a crash
        result = CheckResult(
            name, FAILED, f"{name} returned something the checker could not read ({type(exc).__name__}: {exc})."
        )
    result.seconds = time.perf_counter() - start
    _RESULTS[name] = result
    return result


def progress():
    """A table of every exercise, its notebook and its state in this kernel.

    Returns
    -------
    Progress
        Shows as a table in a notebook; ``.rows`` holds (name, notebook, state, message).
    """
    rows = []
    for name, (notebook, _, _) in _EXERCISES.items():
        result = _RESULTS.get(name)
        state, message = (result.state, result.message) if result is not None else ("not checked in this kernel", "")
        rows.append((name, notebook, state, message))
    return Progress(rows)
