"""Checkers for the code students write in the notebooks, with diagnoses.

Each exercise is a function the student writes (CS231n assignment 1 conventions: X is N x D, W is D x C, the data
loss is the mean, L2 is ``reg * sum(W**2)``). A checker runs it on seeded problems, compares it with lossopt's own
functions and names every mistake it recognises. It never raises for a student's mistake: an exception becomes a
failed result naming its line, a call running longer than ``time_limit`` is stopped, and a stub that still raises
``NotImplementedError`` is "not attempted yet". Results are saved across notebooks (see :func:`progress_file`).

>>> import numpy as np
>>> def l2_regularization(W, reg):
...     return reg * np.sum(W * W), 2 * reg * W
>>> check_gradient("l2_regularization", l2_regularization).passed  # check(...) would also save the result
True
"""

import ast
import html
import inspect
import io
import json
import os
import sys
import sysconfig
import tempfile
import textwrap
import time
import traceback
import tracemalloc
import warnings
from contextlib import contextmanager, redirect_stdout, suppress
from functools import cache
from itertools import pairwise

import numpy as np

from .features import polar_features as _polar_features
from .gradcheck import grad_check, numerical_gradient, rel_error
from .losses import softmax_loss, svm_loss
from .optim import LinearClassifier, sgd
from .regularization import regularization

__all__ = ["CheckResult", "check", "check_gradient", "names", "progress", "progress_file", "reset_progress"]

PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not attempted yet"
TIME_LIMIT = 10.0  # seconds one call of the student's function may take before it is stopped


class CheckResult:
    """What :func:`check` and :func:`check_gradient` return: ``name``, ``state`` ("passed", "failed" or "not attempted
    yet"), ``passed``, ``message`` (what was verified, or the first diagnosis), ``diagnoses`` (all, all shown),
    ``inputs`` (the failing call's arguments by name: ``fn(**result.inputs)`` reruns it), ``seconds``."""

    def __init__(self, name, state, message, diagnoses=(), seconds=0.0, inputs=None, what="check"):
        self.name, self.state, self.what, self.seconds, self.inputs = name, state, what, seconds, inputs
        self.message = " ".join(str(message).split())  # one line, whatever the exception text held
        self.diagnoses = [" ".join(str(d).split()) for d in diagnoses]
        self.passed = state == PASSED
        self.title = name if what == "check" else f"{name} ({what})"

    @property
    def rerun(self):
        """A line that reruns the failing call, with the inputs' shapes ("" if nothing failed)."""
        if self.state != FAILED or not self.inputs:
            return ""
        shapes = ", ".join(f"{k} {v.dtype} {v.shape}" if isinstance(v, np.ndarray) else f"{k} = {v!r}"[:60]
                           for k, v in self.inputs.items())  # fmt: skip
        call = "check_gradient" if "gradient" in self.what else "check"
        run = f'result = lo.exercises.{call}("{self.name}", {self.name}); {self.name}(**result.inputs)'
        return f"Rerun the failing case: {run}  # {shapes}"

    def __repr__(self):
        more = [f"  also: {d}" for d in self.diagnoses[1:]] + ([self.rerun] if self.rerun else [])
        return "\n".join([f"{self.title}: {self.state}. {self.message}", *more])

    def _repr_html_(self):
        colour, esc = {PASSED: "#1b7837", FAILED: "#b2182b"}.get(self.state, "#555555"), html.escape
        more = "".join(f"<li>{esc(d)}</li>" for d in self.diagnoses[1:])
        return (f'<div style="font-family: monospace; white-space: pre-wrap"><b>{esc(self.title)}: <span style="color: '
                f'{colour}">{esc(self.state)}</span>.</b> {esc(self.message)}{f"<ul>{more}</ul>" if more else ""}'
                f"{f'<br><code>{esc(self.rerun)}</code>' if self.rerun else ''}</div>")  # fmt: skip


def progress_file():
    """Where results are saved: ``$LOSSOPT_PROGRESS_FILE``, else ``$XDG_DATA_HOME/lossopt/progress.json``
    (``~/.local/share`` when XDG_DATA_HOME is unset): the user's data folder, never the repository."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.environ.get("LOSSOPT_PROGRESS_FILE") or os.path.join(base, "lossopt", "progress.json")


def _load_progress():
    """(saved results {name: {"state", "message", "when"}}, a note if the file was unreadable and ignored)."""
    try:
        with open(progress_file(), encoding="utf-8") as file:
            saved = json.load(file)  # JSON only: the file is data, never code
    except FileNotFoundError:
        return {}, ""
    except (OSError, ValueError) as exc:
        saved = exc
    if not (isinstance(saved, dict) and all(isinstance(v, dict) and "state" in v for v in saved.values())):
        why = type(saved).__name__ if isinstance(saved, Exception) else "not the expected format"
        return {}, f"The progress file {progress_file()} could not be read ({why}) and was ignored."
    return saved, ""


def _save_progress(result):
    """Record a check's result in the progress file, atomically (a temporary file, then os.replace)."""
    saved, path = _load_progress()[0], os.path.abspath(progress_file())
    saved[result.name] = {"state": result.state, "message": result.message, "when": time.strftime("%Y-%m-%d %H:%M")}
    with suppress(OSError):  # a read-only home: the check still works, only the record is lost
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(saved, file, indent=1)
        os.replace(temporary, path)


class Progress(list):
    """Rows (name, notebook, state, last message) of every exercise; shows as a table."""

    def __init__(self, rows, note=""):
        super().__init__(rows)
        passed = sum(state == PASSED for _, _, state, _ in rows)
        self.note, self.summary = note, f"{passed} of {len(rows)} exercises passed (saved in {progress_file()})"

    def __repr__(self):
        width = max(len(name) for name, *_ in self)
        lines = [self.summary, *([self.note] if self.note else []), f"{'exercise':<{width}}  notebook  state"]
        return "\n".join(lines + [f"{name:<{width}}  {nb:<8}  {state}" for name, nb, state, _ in self])


def progress():
    """Every exercise, its notebook and its last state, from this or any earlier kernel (a list of rows); a corrupt
    progress file is reported in ``.note`` and ignored (it is read as JSON, never run)."""
    saved, note = _load_progress()
    rows = [(name, nb, saved.get(name, {}).get("state", "not checked yet"), saved.get(name, {}).get("message", ""))
            for name, (nb, *_) in _EXERCISES.items()]  # fmt: skip
    return Progress(rows, note)


def reset_progress():
    """Forget every saved result (delete the progress file)."""
    with suppress(FileNotFoundError):
        os.remove(progress_file())


class _Fail(Exception):  # noqa: N818 (a failed stage of a checker, or a stub; the first diagnosis is the message)
    def __init__(self, *diagnoses, state=FAILED):
        super().__init__(diagnoses[0])
        self.diagnoses, self.state = list(diagnoses), state


class _TimeUp(BaseException):  # BaseException: a student's `except Exception` cannot swallow it
    pass


_HERE, _PATHS = os.path.dirname(__file__), sysconfig.get_paths()  # lossopt's folder; the standard library's, ...
_LIBRARIES = (_HERE, os.path.dirname(np.__file__), _PATHS["stdlib"], _PATHS["purelib"], _PATHS["platlib"])
_FIT = inspect.unwrap(LinearClassifier.fit).__code__


@cache
def _student(filename):  # is it the student's code (not numpy, lossopt, the standard library or a package)?
    return not filename.startswith((*_LIBRARIES, "<frozen"))


class _Watch:
    """sys.settrace (this thread only) on the student's code: a call past its time limit is stopped by raising in the
    student's own frame (the kernel goes on); calls into lossopt's own answer and into LinearClassifier.fit noted."""

    def __init__(self, limit, answers):
        self.limit, self.answers, self.deadline, self.handed, self.fits = limit, answers, np.inf, [], []

    def __call__(self, frame, event, arg):  # a new frame: trace its lines only if it is the student's
        code, caller = frame.f_code, frame.f_back
        if any(a is code or a == code.co_filename for a in self.answers):
            while caller and caller.f_code.co_filename.startswith(_HERE) and caller.f_code.co_filename != __file__:
                caller = caller.f_back  # through lossopt's own wrappers to whoever called: the student, or a checker
            if caller and _student(caller.f_code.co_filename):
                self.handed.append(f"(line {caller.f_lineno}: {traceback.extract_stack(caller, limit=1)[-1].line})")
        if code is _FIT:  # the training data each fit gets (only the student's fits run under the watch)
            self.fits.append({k: frame.f_locals.get(k) for k in ("self", "X")})
        return self.line if _student(code.co_filename) else None

    def line(self, frame, event, arg):
        if time.perf_counter() > self.deadline:
            raise _TimeUp
        return self.line


_WATCH, _LAST = _Watch(TIME_LIMIT, ()), {}  # _LAST: the arguments of the last call of the student's function


def _call(fn, name, *args):
    """Call the student's function under the watch; its exceptions become failed stages."""
    params = _EXERCISES[name][1][1:].split(")")[0].replace("=1e-5", "").split(", ")
    _LAST.clear()
    _LAST.update({k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in zip(params, args, strict=False)})
    previous, _WATCH.deadline = sys.gettrace(), time.perf_counter() + _WATCH.limit
    sys.settrace(_WATCH)
    try:  # inside _run: numpy warnings off (overflow and NaN are diagnosed from the results), prints hidden
        return fn(*args)
    except _Fail:
        raise
    except _TimeUp:
        raise _Fail(f"your function did not return in {_WATCH.limit:g} s (an infinite loop?); stopped.") from None
    except NotImplementedError:
        raise _Fail(f"The function still raises NotImplementedError: write {name} in its stub cell above, run it, "
                    "then this cell.", state=NOT_ATTEMPTED) from None  # fmt: skip
    except Exception as exc:  # the student's bug, reported, never raised
        frames = traceback.extract_tb(exc.__traceback__)
        mine = [f"line {f.lineno} of {f.name}" for f in frames if _student(f.filename)]
        signature = f"when called as {name}{_EXERCISES[name][1]}"  # raised by the call: a signature that does not fit
        where, text = mine[-1] if mine else signature if len(frames) == 1 else "inside numpy or lossopt", str(exc)
        shapes = " X is (N, D) and W is (D, C): the scores are X @ W, (N, C)." * ("matmul" in text)  # W @ X, X.T @ W
        raise _Fail(f"{name} raised {type(exc).__name__}{': ' * bool(text.strip())}{text} ({where}).{shapes}") from exc
    finally:
        sys.settrace(previous)


def _run(name, fn, checker, what, time_limit):
    """Run a checker on the student's function; return its CheckResult (never raises for the student)."""
    global _WATCH
    start, _WATCH, diagnoses = time.perf_counter(), _Watch(time_limit, _EXERCISES[name][3]), ()
    _LAST.clear()
    try:
        if not callable(fn):
            raise _Fail(f"{what} expects the function {name} itself, got {_describe(fn)}.")
        with redirect_stdout(io.StringIO()), warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")  # no numpy warnings; fn runs many times: its prints would flood the cell
            state, message = PASSED, checker(fn, name)
    except _Fail as failure:
        state, message, diagnoses = failure.state, failure.diagnoses[0], failure.diagnoses
    except Exception as exc:  # an output so unexpected that the checker itself tripped: a failure, not a crash
        state, message = FAILED, f"{name} returned something the checker could not read ({type(exc).__name__}: {exc})."
    if _WATCH.handed and state != NOT_ATTEMPTED:
        message = f"{name} hands the work to lossopt's own code {_WATCH.handed[0]}: write it yourself, with numpy."
        state, diagnoses = FAILED, [message, *diagnoses]
    inputs, diagnoses = (dict(_LAST) or None, diagnoses) if state == FAILED else (None, ())
    return CheckResult(name, state, message, diagnoses, time.perf_counter() - start, inputs, what)


def _close(a, b, rtol=1e-6):
    """a equals b up to rtol times the size of b (entries near 0 judged at b's scale)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or not np.isfinite(a).all() or not np.isfinite(b).all():
        return False
    return bool(np.all(np.abs(a - b) <= rtol * max(float(np.max(np.abs(b), initial=0.0)), 1e-12)))


def _first_match(value, candidates, rtol=1e-6):
    """The message of the first (expected, message) candidate that ``value`` equals, else None."""
    return next((message for expected, message in candidates if _close(value, expected, rtol)), None)


def _rtol(*arrays):  # float32 anywhere means single precision
    return 1e-4 if any(np.asarray(a).dtype == np.float32 for a in arrays) else 1e-6


def _describe(value):
    return f"an array of shape {value.shape}" if isinstance(value, np.ndarray) else f"a {type(value).__name__}"


def _scalar(value, what, name):
    """Check that ``value`` is one real number; return it as a float."""
    array = np.asarray(value) if not isinstance(value, (str, bytes)) else None
    if array is None or array.dtype.kind not in "fiu":
        raise _Fail(f"{name} must return {what} as a single real number, got {_describe(value)}.")
    if array.ndim != 0:
        hint = "return a single number (float)" if array.size == 1 else "it must be a single number"
        raise _Fail(f"{name} returned {what} as an array of shape {array.shape}; {hint}.")
    return float(array)


def _gradient_array(value, W, what, name):
    """Check that ``value`` is a floating array shaped like W; return it."""
    if not isinstance(value, np.ndarray):
        raise _Fail(f"{name} must return {what} as a numpy array of W's shape {W.shape}, got {_describe(value)}.")
    if value.shape != W.shape:
        transposed = ", W transposed" if value.shape == W.T.shape else ""
        raise _Fail(f"{what} has shape {value.shape}{transposed}; it must have W's shape {W.shape} (D x C).")
    if value.dtype.kind != "f":
        raise _Fail(f"{what} has dtype {value.dtype}; it must be floating (np.zeros(W.shape) or np.zeros_like(W) "
                    "for a float W), or every fraction is rounded away.")  # fmt: skip
    if W.dtype == np.float64 and value.dtype != np.float64:
        raise _Fail(f"{what} has dtype {value.dtype} for float64 inputs; keep float64 (precision is lost).")
    return value


def _pair(out, W, first, second, name):
    """Unpack a (scalar, array-like-W) pair, diagnosing a wrong shape of the output itself."""
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise _Fail(f"{name} must return a pair ({first}, {second}), got {_describe(out)}.")
    if isinstance(out[0], np.ndarray) and out[0].shape == W.shape and np.ndim(out[1]) == 0:
        raise _Fail(f"{name} returned ({second}, {first}); return ({first}, {second}), in that order.")
    return out


@contextmanager
def _unchanged(name, **arrays):
    """Fail if the student's function changed any of the given input arrays."""
    copies = {key: np.array(value, copy=True) for key, value in arrays.items()}
    yield
    if changed := [key for key, value in arrays.items() if not np.array_equal(value, copies[key], equal_nan=True)]:
        raise _Fail(f"{name} changed its input {' and '.join(changed)} in place (an in-place operation such as "
                    f"{changed[0]} -= ... or on a view of it); leave the inputs alone.")  # fmt: skip


_HIDDEN = {"map", "filter", "reduce", "apply_along_axis", "apply_over_axes", "vectorize", "fromiter", "frompyfunc"}
_LOOPS = (ast.For, ast.While, ast.AsyncFor, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _tree(fn):
    """(syntax tree, source, first line) of fn, or None when the source cannot be read."""
    try:
        source = textwrap.dedent(inspect.getsource(fn))
        return ast.parse(source), source, fn.__code__.co_firstlineno
    except (OSError, TypeError, SyntaxError, AttributeError):
        return None


def _called(node):
    """The name a Call node calls (``np.vectorize(f)`` -> "vectorize"), else ""."""
    func = node.func if isinstance(node, ast.Call) else None
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _loop_lines(fn):
    """Loops in fn's source, hidden ones (map, np.vectorize, ...) too: [(line, text)]; None if it is unreadable."""
    if (parsed := _tree(fn)) is None:
        return None
    tree, source, first = parsed
    found = [n for n in ast.walk(tree) if isinstance(n, _LOOPS) or _called(n) in _HIDDEN]
    found.sort(key=lambda n: (n.lineno, n.col_offset))  # the outer one first: np.fromiter before its generator
    return [(first + n.lineno - 1, ast.get_source_segment(source, n).splitlines()[0].strip()) for n in found]


def _reseeding_line(fn):
    """(line, text) of a generator created or seeded inside a loop of fn, else None."""
    parsed = _tree(fn)
    for loop in [n for n in ast.walk(parsed[0]) if isinstance(n, (ast.For, ast.While))] if parsed else []:
        for node in ast.walk(loop):
            if _called(node) in {"default_rng", "seed", "RandomState", "Generator"}:
                return parsed[2] + node.lineno - 1, ast.get_source_segment(parsed[1], node)
    return None


def _names_used(code):
    """Every global, attribute and free-variable name a code object (and the code nested in it) uses."""
    nested = [_names_used(c) for c in code.co_consts if inspect.iscode(c)] if code else []
    return set(code.co_names).union(code.co_freevars, *nested) if code else set()


_LECTURE_SCORES = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])  # cat, car, frog; X = I: S = W


def _problem(N, D, C, seed, dtype=np.float64):
    """Random X (bias column last), W and y; scores of order 1 so that some SVM margins are active, some not."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, D))
    X[:, -1] = 1.0  # the bias trick
    W = rng.standard_normal((D, C)) / np.sqrt(D)
    return W.astype(dtype), X.astype(dtype), rng.integers(0, C, size=N)


def _mistakes(kind, S, y):
    """[(data loss or None, dS or None, what is wrong)] for the classic mistakes, and the right dS (N x C)."""
    N, C = S.shape
    rows, onehot = np.arange(N), np.eye(C)[y]
    if kind == "svm":  # per-example losses, and the positive margins (j != y_i) as 0/1, with delta 1 and 0
        margins = [np.maximum(0, S - S[rows, y][:, None] + delta) * (1 - onehot) for delta in (1.0, 0.0)]
        (losses, A), (losses0, A0) = ((m.sum(axis=1), (m > 0) * 1.0) for m in margins)
        count = A.sum(axis=1, keepdims=True)
        grad, column = A - onehot * count, "dW's correct-class column (y_i) gets"
        found = [
            (losses.mean() + 1, None, "the loss is 1 too big, delta = 1 per example. The j == y_i term is not skipped: "
             "the sum over classes must leave out the correct class, which would add max(0, s_yi - s_yi + 1) = 1."),
            (N * (losses.mean() + 1), None, f"the loss is N = {N} times too big and includes the j == y_i term: "
             "skip j == y_i, and divide the sum by N (the data loss is the mean)."),
            (losses0.mean(), A0 - onehot * A0.sum(axis=1, keepdims=True), "the margin is 0: it is s_j - s_yi + 1."),
            (None, A - onehot * (count > 0), f"{column} -x_i once per example; it needs -x_i per positive margin."),
            (None, A - onehot, f"{column} -x_i once for every example; it needs -x_i once per positive margin."),
            (None, A - onehot * (count + 1), f"{column} -(count + 1) x_i, one too many: the correct class's own "
             "margin (1 > 0) was counted. Was the mask (margins > 0) taken before margins[range(N), y] = 0?"),
            (None, A - onehot * (count - 1), f"{column} -(count - 1) x_i, one too few: the count is off by one."),
            (None, A + onehot, f"{column} +x_i (its own margin counted as positive) instead of -count x_i: "
             "was the mask taken before the correct class was zeroed?"),
            (None, A, "dW has the +x_i in column j of each positive margin but misses the -x_i in column y_i."),
            (None, -onehot * count, "dW has the -x_i in column y_i but misses the +x_i in column j of each margin."),
        ]  # fmt: skip
    else:
        E = np.exp(S - S.max(axis=1, keepdims=True))
        P, by_column = E / E.sum(axis=1, keepdims=True), np.exp(S - S.max(axis=0))
        losses, grad = -np.log(P[rows, y]), P - onehot
        found = [
            (losses.mean() / np.log(10), None, "the log is base 10 (np.log10). The softmax loss uses the natural "
             "log, np.log (the slide's 0.89 is log10; ln gives 2.04)."),
            *[(-np.log(Q[rows, y]).mean(), Q - onehot, "the probabilities are normalized over axis 0 (each class's "
               "column sums to 1); each example's row must: P / P.sum(axis=1, keepdims=True).")
              for Q in (E / E.sum(axis=0), by_column / by_column.sum(axis=0))],
            (None, P - 1, "dW subtracts 1 for every class (P -= 1); only the correct class's: P[range(N), y] -= 1."),
            (None, P, "dW misses the -1 at the correct class: dL_i/ds = p - onehot(y_i), not p."),
            (None, -onehot, "dW has only the -1 at the correct class: dL_i/ds = p - onehot(y_i) needs p too."),
        ]  # fmt: skip
    short = f"example {N - 1} (the last) is missing: does the loop stop one example early (range(N - 1))?"
    found += [(losses[:-1].sum() / k, grad * (rows < N - 1)[:, None] * N / k, short) for k in (N, N - 1)]
    return [(loss, None if G is None else G / N, what) for loss, G, what in found], grad / N


def _loss_diagnoses(kind, loss, dW, W, X, y, rtol, where):
    """Diagnoses of the data loss and its gradient (reg = 0), or [] if both are right."""
    W, X = W.astype(np.float64), X.astype(np.float64)
    ref_loss, ref_dW = (svm_loss if kind == "svm" else softmax_loss)(W, X, y, 0.0)
    S, (N, C) = X @ W, (X.shape[0], W.shape[1])
    mistakes, ref_G = _mistakes(kind, S, y)
    found = []
    if not np.isfinite(loss):
        hint = ""
        if kind == "softmax" and np.abs(S).max() > 50:
            hint = " The softmax must be max-shifted: subtract each row's largest score before np.exp."
        elif kind == "softmax":
            hint = " It takes the log of a value <= 0: was P changed before the log (P[range(N), y] -= 1 first)?"
        found.append(f"{where} the loss is {loss}, not a finite number.{hint}")
    elif not _close(loss, ref_loss, rtol):
        wrong = f"the loss is {loss:.6g}, expected {ref_loss:.6g}: "
        candidates = [(value, wrong + what) for value, _, what in mistakes if value is not None] + [
            (ref_loss + np.sum(W**2), "with reg = 0 the loss still adds sum(W**2): the penalty is reg * sum(W**2)."),
            (N * ref_loss, wrong + f"N = {N} times the expected, sum instead of mean: divide the summed loss by N."),
            (ref_loss / N, wrong + "1/N of the expected: divided by N twice."),
            (ref_loss / C, wrong + "1/C of the expected, a mean over all N x C entries: sum over the classes of each "
             "example, then take the mean over the N examples."),
        ]  # fmt: skip
        found.append(f"{where} " + (_first_match(loss, candidates, rtol) or wrong.rstrip(": ") + "."))
    if not _close(dW, ref_dW, rtol):
        sign = ("the margin s_j - s_yi + 1 adds +x_i to column j and -x_i to column y_i." if kind == "svm" else
                "dL_i/ds = p - onehot(y_i), so column j gets +p_j x_i and column y_i gets (p_yi - 1) x_i.")  # fmt: skip
        candidates = [(factor * ref_dW, what) for factor, what in [
            (-1, f"dW has the right size but the gradient sign is flipped: {sign}"),
            (N, f"dW is N = {N} times too big: the gradient is not divided by N (the loss is a mean, so it is too)."),
            (1 / N, "dW is 1/N of the right gradient: divided by N twice."),
            (1 / C, "dW is 1/C of the right gradient: divided by N * C; the mean is over the N examples only."),
            (N / C, f"dW is N/C times the right gradient: divided by C = {C} instead of N = {N}."),
        ]] + [(X.T @ G, what) for _, G, what in mistakes if G is not None]  # fmt: skip
        candidates += [(ref_dW + 2 * W, "with reg = 0 dW still adds 2 * W: the penalty's gradient is 2 * reg * W.")]
        found.append(f"{where} " + (_first_match(dW, candidates, rtol) or _gradient_off(dW, ref_G, X, y)))
    return found


def _gradient_off(dW, ref_G, X, y):
    """Where dW is off: solve dW = X.T @ G for the score gradient G (N <= D), then name the examples and columns."""
    N, dW = X.shape[0], dW.astype(np.float64)
    G = np.linalg.lstsq(X.T, dW, rcond=None)[0]
    if not _close(X.T @ G, dW, 1e-6):
        return "dW has a part that is not a sum of the rows x_i (dW = X.T @ dS): something else is added to it."
    off = np.abs(G - ref_G) > 1e-4 * max(np.abs(ref_G).max(), 1e-12)
    examples, (i, j), correct = np.flatnonzero(off.any(axis=1)), np.argwhere(off)[0], off[np.arange(N), y]
    which = {(True, False): "the correct class's column", (False, True): "other classes' columns"}.get(
        (bool(correct.any()), bool(off.sum() > correct.sum())), "the correct class's and other classes' columns"
    )
    return (f"dW is off in {which}, for example{'s' * (len(examples) > 1)} {', '.join(map(str, examples))} "
            f"(of 0..{N - 1}): example {i} adds {G[i, j] * N:.3g} x_{i} / N to column {j} "
            f"({'its correct class' if j == y[i] else 'not its class'}), expected {ref_G[i, j] * N:.3g} x_{i} / N. "
            "The gradient-check cell below compares dW with the numerical gradient.")  # fmt: skip


def _check_no_loops(fn, name, reference):
    """Vectorized: no Python loop in the source, no N x N array, and about the speed of lossopt's loss."""
    loops = _loop_lines(fn)
    if loops:
        hidden = " (a loop hidden in a call)" if "(" in loops[0][1].split()[0] else ""
        raise _Fail(f"{name} still has a Python loop{hidden} (line {loops[0][0]}: {loops[0][1]}). The vectorized "
                    "version works on all examples and classes at once: S = X @ W, then array operations.")  # fmt: skip
    W, X, y = _problem(2000, 20, 10, seed=7)
    tracing = tracemalloc.is_tracing()  # numpy reports its arrays to tracemalloc
    tracemalloc.start() if not tracing else tracemalloc.reset_peak()
    try:
        base = tracemalloc.get_traced_memory()[0]
        _call(fn, name, W, X, y, 0.0)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop() if not tracing else None
    if peak > 2000 * 2000:  # bytes: an N x N array of 1-byte booleans, at N = 2000
        raise _Fail(f"{name} builds an N x N array (np.diag(S[:, y]), or a product of N x N matrices): at N = 2000 "
                    f"it takes {peak / 1e6:.0f} MB, and its time and memory grow with N squared (CIFAR-10's 50,000 "
                    "images: 20 GB). Pick each row's correct score with S[np.arange(N), y]: N numbers.")  # fmt: skip

    def timed(f, repeat):  # the fastest of `repeat` calls, in seconds (Python evaluates left to right)
        return min(-time.perf_counter() + (f(W, X, y, 0.0), time.perf_counter())[1] for _ in range(repeat))

    t_ref, t = timed(reference, 2), timed(lambda *a: _call(fn, name, *a), 1)
    if t > max(20 * t_ref, 5e-3):  # confirm: the first call may have paid for warm-up
        t = min(t, timed(lambda *a: _call(fn, name, *a), 1))
    if t > max(20 * t_ref, 5e-3):
        raise _Fail(f"{name} takes {t * 1e3:.0f} ms on 2000 examples, {t / t_ref:.0f} times lossopt's vectorized "
                    "loss: it still loops over examples (or calls a function that does).")  # fmt: skip
    return "" if loops is not None else " (its source was not readable, so it was timed instead)"


def _loss_checker(kind, vectorized):
    reference = svm_loss if kind == "svm" else softmax_loss

    def checker(fn, name):
        def diagnose(W, X, y, reg, where):
            with _unchanged(name, W=W, X=X, y=y):
                loss0, dW0 = _loss_output(fn, name, W, X, y, 0.0)
                found = _loss_diagnoses(kind, loss0, dW0, W, X, y, _rtol(W, X), where)
                if not found and reg:
                    loss, dW = _loss_output(fn, name, W, X, y, reg)
                    dR = (dW - dW0).astype(W.dtype)  # in W's precision: float32 rounding sets the tolerance
                    found = _penalty_diagnoses("l2", loss - loss0, dR, W.astype(np.float64), reg, where, X.shape[0])
            if found:
                raise _Fail(*found)

        diagnose(*_problem(5, 6, 3, seed=0), 0.1, "On a small problem (N=5, D=6, C=3, seed 0),")
        n = 3 if kind == "svm" else 1  # the lecture's cat/car/frog (SVM 5.27) or its cat (softmax 2.04)
        lecture = "5.27" if kind == "svm" else "2.04"
        diagnose(_LECTURE_SCORES[:n].copy(), np.eye(n), np.arange(n), 0.0, f"On the lecture's scores (loss {lecture}),")
        # the lecture's sanity check: with W = 0 every score is 0, so the loss is C - 1 (SVM) or ln C (softmax)
        expected = "C - 1 = 9" if kind == "svm" else "ln C = ln 10 = 2.30"
        diagnose(np.zeros((20, 10)), *_problem(10, 20, 10, seed=3)[1:], 0.0, f"With W = 0 (expected loss {expected}),")
        N, D = (50, 3073) if vectorized else (10, 100)  # a smaller D for loops: an inner loop over D stays quick
        W, X, y = _problem(N, D, 10, seed=1)
        diagnose(W, X, y, 0.5, f"On a CIFAR-like problem (N={N}, D={D}, C=10, seed 1, float64),")
        diagnose(W.astype(np.float32), X.astype(np.float32), y, 0.5, "On the CIFAR-like problem in float32,")
        if kind == "softmax":  # scores around 1000 must not overflow
            W, X, y = _problem(4, 6, 5, seed=2)
            W[-1] += 1000.0  # the bias row lifts every score to about 1000; their differences stay small
            diagnose(W, X, y, 0.0, "At scores around 1000 (N=4, D=6, C=5, seed 2),")
        if not vectorized and _loop_lines(fn) == []:
            raise _Fail(f"{name} has no loop: this exercise asks for the loop version, one example at a time (for i "
                        "in range(N): scores = X[i] @ W ...); the vectorized one comes next.")  # fmt: skip
        note = _check_no_loops(fn, name, reference) + ", no Python loop" if vectorized else ""
        return (f"Loss and dW match lossopt's {kind} loss on a small problem, the lecture's {lecture}, W = 0 "
                f"({expected.split(' = ')[0]}), CIFAR-like float64 and float32"
                f"{', scores around 1000' if kind == 'softmax' else ''}{note}.")  # fmt: skip

    return checker


def _loss_output(fn, name, W, X, y, reg):
    loss, dW = _pair(_call(fn, name, W, X, y, reg), W, "loss", "dW", name)
    if isinstance(loss, np.ndarray) and loss.shape == (X.shape[0],) and X.shape[0] > 1:
        raise _Fail(f"{name} returned the loss as an array of shape {loss.shape}, one per example; return their mean.")
    return _scalar(loss, "the loss", name), _gradient_array(dW, W, "dW", name).astype(np.float64)


def _penalty_checker(kind):
    def checker(fn, name):
        rng = np.random.default_rng(3)
        W0 = rng.standard_normal((4, 3))
        W0[0, 0] = W0[2, 1] = 0.0  # L1's subgradient at 0 is reg * sign(0) = 0
        cases = [(W0, 0.3, "On a small W (4 x 3, with zeros),"), (W0, 0.0, "With reg = 0,")]
        cases += [(rng.standard_normal((3073, 10)) * 1e-2, 2.5e4, "On a CIFAR-shaped W (3073 x 10),")]
        for W, reg, where in [*cases, (W0.astype(np.float32), 0.3, "On a float32 W,")]:
            with _unchanged(name, W=W):
                R, dR = _pair(_call(fn, name, W, reg), W, "R", "dR", name)
            if isinstance(R, np.ndarray) and R.shape == W.shape:
                raise _Fail(f"{name} returned R as an array of W's shape; the penalty is one number: sum it.")
            R, dR = _scalar(R, "R", name), _gradient_array(dR, W, "dR", name)
            if found := _penalty_diagnoses(kind, R, dR, W.astype(np.float64), reg, where):
                raise _Fail(*found)
        formula = "reg * sum(W**2) and 2 * reg * W" if kind == "l2" else "reg * sum|W| and reg * sign(W)"
        return f"R and dR match {formula} (lo.regularization) on small, CIFAR-shaped, float32 and reg = 0 inputs."

    return checker


def _penalty_diagnoses(kind, R, dR, W, reg, where, N=None):
    """Diagnoses of a penalty: of l2_regularization's (R, dR), or (N given) of the L2 term a loss adds."""
    (penalty, gradient), zero, found = regularization(W, kind), W == 0, []
    R_, dR_ = ("R", "dR") if N is None else ("the penalty", "dW's penalty term")
    ref_R, ref_dR = reg * float(penalty), reg * gradient
    R_wrong, dR_wrong = {
        "l2": ([(0.0, f"{R_} is 0, reg is ignored: add reg * np.sum(W * W)."),
                (0.5 * ref_R, f"{R_} is 0.5 * reg * sum(W**2); this course's L2 is reg * sum(W**2)."),
                (float(penalty), f"{R_} is sum(W**2) without reg: multiply by reg."),
                (reg * float(np.abs(W).sum()), f"{R_} is reg * sum|W|, the L1 penalty; L2 is reg * sum(W**2)."),
                (reg * float(np.sqrt(penalty)), f"{R_} is reg * ||W||, the norm itself; L2 squares it."),
                (reg * float(W.sum()) ** 2, f"{R_} is reg * (sum W)**2, the square of the sum; square each entry."),
                (2 * ref_R, f"{R_} is 2 * reg * sum(W**2); the 2 belongs to the gradient only."),
                (ref_R / (N or 1), f"{R_} is divided by N: only the data loss is a mean; add reg * sum(W**2) after."),
                (reg * float(np.sum(W[:-1] ** 2)), f"{R_} leaves out W's last row (the biases); here it covers W.")],
               [(0 * W, f"{dR_} is 0, the penalty's gradient is missing: add 2 * reg * W."),
                (reg * W, f"{dR_} is reg * W; the gradient of reg * sum(W**2) is 2 * reg * W."),
                (0.5 * reg * W, f"{dR_} is 0.5 * reg * W; the gradient of reg * sum(W**2) is 2 * reg * W."),
                (2 * W, f"{dR_} is 2 * W without reg; it is 2 * reg * W."),
                (-ref_dR, f"{dR_} is -2 * reg * W: the sign is flipped (the penalty grows away from 0)."),
                (reg * np.sign(W), f"{dR_} is reg * sign(W), the L1 subgradient; L2's is 2 * reg * W."),
                (ref_dR / (N or 1), f"{dR_} is 2 * reg * W / N: add the penalty's gradient after dividing by N."),
                (np.vstack([ref_dR[:-1], 0 * W[-1:]]), f"{dR_} leaves out W's last row (the biases).")]),
        "l1": ([(reg * float(W.sum()), "R is reg * sum(W) without the absolute value: use np.abs(W)."),
                (float(penalty), "R is sum|W| without reg: multiply by reg."),
                (reg * float(np.sum(W**2)), "R is reg * sum(W**2), the L2 penalty; L1 is reg * sum|W|."),
                (0.5 * ref_R, "R is 0.5 * reg * sum|W|; L1 is reg * sum|W|.")],
               [(gradient, "dR is sign(W) without reg: multiply by reg."),
                (-ref_dR, "dR is -reg * sign(W): the sign is flipped."),
                (reg * W, "dR is reg * W; the L1 subgradient is reg * sign(W)."),
                (2 * reg * W, "dR is 2 * reg * W, the L2 gradient; L1's is reg * sign(W).")]),
    }[kind]  # fmt: skip
    rtol = 1e-5 if N is None else _rtol(dR)
    if not _close(R, ref_R, rtol):
        found.append(f"{where} " + (_first_match(R, R_wrong, rtol) or f"{R_} is {R:.6g}, expected {ref_R:.6g}."))
    if not _close(dR, ref_dR, rtol):
        formula = "2 * reg * W" if kind == "l2" else "reg * sign(W)"
        message = _first_match(dR, dR_wrong, rtol) or f"{dR_} is not {formula}."
        if kind == "l1" and not np.isfinite(dR).all():
            message = "dR is not finite at W = 0 (W / |W| divides by zero); use reg * np.sign(W), 0 at 0."
        elif kind == "l1" and zero.any() and _close(dR[~zero], ref_dR[~zero], rtol):
            message = (f"dR at W = 0 is {dR[zero][0]:.6g}; the subgradient there must be 0 = reg * sign(0) "
                       "(np.where(W >= 0, 1, -1) gives 1): use reg * np.sign(W).")  # fmt: skip
        found.append(f"{where} {message}")
    return found


# The notes' rule of thumb for the relative error (CS231n notes, Neural Networks Part 3, "Gradient checks")
_VERDICTS = [(1e-7, 'below 1e-7: "you should be happy"'),
             (1e-4, 'below 1e-4: "usually okay for objectives with kinks", too high without (the softmax)'),
             (1e-2, 'between 1e-4 and 1e-2: it "should make you feel uncomfortable"'),
             (np.inf, 'above 1e-2: "the gradient is probably wrong"')]  # fmt: skip
_GRADIENTS = {f"{loss}_loss_{form}": ("loss", "dW") for loss in ("svm", "softmax") for form in ("naive", "vectorized")}
_GRADIENTS |= {"l2_regularization": ("R", "dR"), "l1_regularization": ("R", "dR")}


def _gradient_problem():
    """N=3, D=4, C=3, seed 28: every SVM margin at least 0.84 from its kink (a nudge of h = 1e-5 moves one by at
    most 2e-5), every gradient entry at least 0.05 in size, so a right answer's error stays near 1e-10."""
    rng = np.random.default_rng(28)
    X = rng.standard_normal((3, 4))
    X[:, -1] = 1.0
    return rng.standard_normal((4, 3)) * 0.5, X, rng.integers(0, 3, 3)


def _gradient_checker(fn, name):
    W, X, y = _gradient_problem()
    value_name, grad_name = _GRADIENTS[name]
    penalty = value_name == "R"
    W = np.sign(W) * (0.2 + np.abs(W)) if penalty else W  # |W| >= 0.2: far from L1's kink at 0
    lines, worst = [], 0.0
    for reg in (0.5, 2.0) if penalty else (0.0, 0.1):
        args = (lambda V, reg=reg: (V, reg)) if penalty else (lambda V, reg=reg: (V, X, y, reg))
        value, grad = _pair(_call(fn, name, *args(W.copy())), W, value_name, grad_name, name)
        _scalar(value, value_name, name), _gradient_array(grad, W, grad_name, name)
        f = lambda V, args=args: _scalar(_pair(_call(fn, name, *args(V)), W, "", "", name)[0], value_name, name)  # noqa: E731
        error = float(grad_check(f, W.copy(), grad, num_checks=20, seed=0).max())  # 20 seeded draws: all 12 weights
        worst = max(worst, error)
        lines.append(f"reg = {reg}: {error:.1e} ({next(text for limit, text in _VERDICTS if error < limit)})")
    setting = "a 4 x 3 W, every |W| >= 0.2" if penalty else "N = 3 examples, D = 4, C = 3, seed 28"
    text = (f"Largest relative error of your {grad_name} against centered differences (lo.grad_check, h = 1e-5, all "
            f"12 weights of {setting}, no kink within reach of a nudge): " + "; ".join(lines) + ".")  # fmt: skip
    if worst >= 1e-7:
        raise _Fail(text + f' lo.exercises.check("{name}", {name}) says what is wrong.')
    return text


def check_gradient(name, fn, *, time_limit=TIME_LIMIT):
    """Gradient-check the student's own loss (W, X, y, reg) -> (loss, dW) or penalty (W, reg) -> (R, dR): "passed"
    when its gradient's largest relative error against centered differences of its own value, with and without reg,
    is below the notes' 1e-7 (each error is given with the notes' verdict). Never raises for the student's mistake."""
    if name not in _GRADIENTS:
        raise ValueError(f"check_gradient checks functions that return a gradient: {', '.join(_GRADIENTS)}")
    return _run(name, fn, _gradient_checker, "gradient check", time_limit)


def _smooth(x):
    """A smooth test function whose centered and forward differences differ clearly at h = 0.01."""
    x = np.asarray(x, dtype=np.float64)
    return float(np.sum(np.sin(x) * x + 0.5 * x**3 + np.exp(0.3 * x)))


def _check_numerical_gradient(fn, name):
    x, h = np.random.default_rng(4).standard_normal((3, 4)), 1e-2
    probe, note = x.copy(), ""
    grad = _call(fn, name, _smooth, probe, h)
    if not np.array_equal(probe, x):
        if not np.allclose(probe, x, rtol=0, atol=1e-13):
            raise _Fail(f"x was not restored: after the call an entry of x is off by {np.max(np.abs(probe - x)):.3g} "
                        f"(h = {h}). Save each entry before nudging it; put it back after (x[ix] = old).")  # fmt: skip
        note = " (x came back equal up to rounding: saving the old value restores it exactly)"
    if not isinstance(grad, np.ndarray) or grad.shape != x.shape:
        raise _Fail(f"For a 2-D x of shape {x.shape}, {name} returned {_describe(grad)}; it must have x's shape. "
                    "Visit every entry with np.ndindex(x.shape) (or np.nditer), not just the first axis.")  # fmt: skip
    centered, use = numerical_gradient(_smooth, x.copy(), h), "use the centered difference (f(x + h) - f(x - h)) / (2h)"
    shifted = [x + np.where(np.arange(x.size) == k, h, 0.0).reshape(x.shape) for k in range(x.size)]  # x + h e_k
    forward = np.reshape([(_smooth(s) - _smooth(x)) / h for s in shifted], x.shape)
    backward = np.reshape([(_smooth(x) - _smooth(2 * x - s)) / h for s in shifted], x.shape)
    candidates = [
        (forward, f"With h = {h}, the result is the forward difference (f(x + h) - f(x)) / h: {use}, "
         "whose error is O(h**2) instead of O(h)."),
        (backward, f"With h = {h}, the result is the backward difference (f(x) - f(x - h)) / h: {use}."),
        (numerical_gradient(_smooth, x.copy(), 1e-5), f"h ignored: called with h = {h}, the function used another "
         "step (is 1e-5 written in its body?)."),
        (np.zeros(x.shape), "The gradient is zero everywhere: f must be evaluated at the nudged x."),
        (2 * centered, "The result is twice the centered difference: divide by 2h, not by h."),
        (0.5 * centered, "The result is half the centered difference: divide by (2 * h), with the parentheses."),
    ]  # fmt: skip
    if not _close(grad, centered, 1e-6):
        raise _Fail(_first_match(grad, candidates, 1e-6) or f"With h = {h}, on a smooth function of a 3 x 4 array "
                    "x, the result differs from the centered differences (f(x + h) - f(x - h)) / (2h).")  # fmt: skip
    # the default h, on a real use (the softmax loss's gradient), and a 1-D x
    W, X, y = _problem(5, 4, 3, seed=5)
    numeric = _call(fn, name, lambda V: float(softmax_loss(V, X, y, 0.1)[0]), W.copy())
    ok = isinstance(numeric, np.ndarray) and numeric.shape == W.shape and np.isfinite(numeric).all()
    error = rel_error(numeric, softmax_loss(W, X, y, 0.1)[1]) if ok else np.inf
    if not error < 1e-6:
        raise _Fail(f"Called without h, on the softmax loss of a small problem, the result is not the gradient dW "
                    f"(relative error {error:.2g}): is the default h = 1e-5?")  # fmt: skip
    if not _close(_call(fn, name, _smooth, x[0].copy(), h), numerical_gradient(_smooth, x[0].copy(), h), 1e-6):
        raise _Fail(f"For a 1-D x, {name} does not return the centered differences.")
    return (f"Centered differences with the given h, x restored, any shape; on the softmax loss it agrees with dW "
            f"(relative error {error:.1e}){note}.")  # fmt: skip


def _quadratic(shape, seed):
    """L(W) = 0.5 * sum(a * (W - T)**2) as loss_fn, and where k steps of size lr lead: T + (1 - lr a)**k (W0 - T)."""
    rng = np.random.default_rng(seed)
    a, T = rng.uniform(0.5, 2.0, shape), rng.standard_normal(shape)
    loss_fn = lambda W: (float(0.5 * np.sum(a * (W - T) ** 2)), a * (np.asarray(W, dtype=np.float64) - T))  # noqa: E731
    return loss_fn, lambda W0, lr, k: T + (1 - lr * a) ** k * (W0 - T)


def _check_gradient_descent(fn, name):
    W0, lr, steps = np.random.default_rng(6).standard_normal((4, 3)), 0.1, 7
    loss_fn, after = _quadratic(W0.shape, seed=6)
    with _unchanged(name, W0=W0):
        W = _call(fn, name, loss_fn, W0, lr, steps)
    if not isinstance(W, np.ndarray) or W.shape != W0.shape:
        raise _Fail(f"{name} must return W, an array of W0's shape {W0.shape}, got {_describe(W)}.")
    if not _close(W, after(W0, lr, steps)):
        message = _first_match(W, [
            (after(W0, -lr, steps), "the learning rate has the wrong sign: W + lr * dW climbs; step W - lr * dW."),
            (after(W0, 1.0, steps), "lr is ignored: the step must be lr * dW."),
            (W0 - steps * lr * loss_fn(W0)[1], "every step uses the gradient at W0: compute dW inside the loop."),
            *[(after(W0, lr, k), f"it took {k} steps instead of {steps}: take exactly num_steps steps.")
              for k in range(3 * steps + 2) if k != steps],
        ]) or "W is not what num_steps steps of W <- W - lr * dW give."  # fmt: skip
        raise _Fail(f"On a quadratic loss with lr = {lr}, num_steps = {steps}, {message}")
    Wp, X, y = _problem(20, 5, 3, seed=8)  # lossopt's SVM loss, against its sgd with full batches
    for dtype in (np.float64, np.float32):
        start, Xd = Wp.astype(dtype), X.astype(dtype)
        expected = sgd(lambda V, Xb, yb: svm_loss(V, Xb, yb, 0.1), start, Xd, y, lr=0.05, batch_size=20, num_iters=5)
        W = _call(fn, name, lambda V, Xd=Xd: svm_loss(V, Xd, y, 0.1), start, 0.05, 5)
        if not isinstance(W, np.ndarray) or not _close(W, expected[0], _rtol(start)):
            raise _Fail(f"On lossopt's SVM loss ({np.dtype(dtype).name}), 5 steps of W <- W - lr * dW give another W.")
    if not np.array_equal(_call(fn, name, loss_fn, W0, lr, 0), W0):
        raise _Fail("With num_steps = 0, W must come back equal to W0.")
    return "Takes num_steps steps of W <- W - lr * dW, W0 untouched, on a quadratic and on the SVM (float64, float32)."


class _Recorder:
    """A loss_fn for SGD that records every call: W, which rows of X (by their first column), labels, loss, dW."""

    def __init__(self, X, y):
        self.X, self.y, self.calls = X, y, []
        self.row_of = {float(value): i for i, value in enumerate(X[:, 0])}  # first columns are distinct

    def __call__(self, W, X, y):  # named like lossopt's losses, so loss_fn(W, X=..., y=...) works too
        X_batch, y_batch, W = np.asarray(X), np.asarray(y), np.asarray(W)
        if X_batch.ndim != 2 or X_batch.shape[1] != self.X.shape[1] or y_batch.shape != (X_batch.shape[0],):
            raise _Fail(f"loss_fn was called with X_batch of shape {X_batch.shape} and y_batch of shape "
                        f"{y_batch.shape}; pass rows of X and their labels: X[idx], y[idx].")  # fmt: skip
        rows = np.array([self.row_of.get(float(value), -1) for value in X_batch[:, 0]])
        if (rows < 0).any():
            raise _Fail("loss_fn was called with rows that are not rows of X: pass X[idx] for an index array idx.")
        loss, dW = softmax_loss(W, X_batch, y_batch, 1e-3)
        self.calls.append((W.astype(np.float64), rows, y_batch.copy(), float(loss), dW.copy()))
        return loss, dW


def _update_mistake(calls, W, lr):
    """(step, what is wrong) for the first step where W_{t+1} is not W_t - lr * dW_t, else None."""
    nexts = [c[0] for c in calls[1:]] + [np.asarray(W, dtype=np.float64)]
    for t, ((W_t, _, _, _, dW_t), W_next) in enumerate(zip(calls, nexts, strict=True)):
        if not _close(W_next, W_t - lr * dW_t):
            return t, _first_match(W_next, [
                (W_t + lr * dW_t, "the learning rate is applied with the wrong sign (W + lr * dW climbs the loss)."),
                (W_t, "W never changes: assign the step, W = W - lr * dW (or W -= lr * dW)."),
                (W_t - dW_t, "lr is ignored: the step is lr * dW.")]) or "W does not follow W - lr * dW."  # fmt: skip
    return None


def _check_sgd(fn, name):
    rng = np.random.default_rng(9)
    y = np.arange(60) % 3
    X = 3 * rng.standard_normal((3, 5))[y] + rng.standard_normal((60, 5))  # three blobs, N = 60, D = 5
    X[:, -1], W0, lr, batch_size, num_iters = 1.0, 0.01 * rng.standard_normal((5, 3)), 0.1, 10, 30

    def run(seed):
        record = _Recorder(X, y)
        with _unchanged(name, W0=W0, X=X, y=y):
            out = _call(fn, name, record, W0, X, y, lr, batch_size, num_iters, seed)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise _Fail(f"{name} must return a pair (W, loss_history), got {_describe(out)}.")
        if not isinstance(out[0], np.ndarray) or out[0].shape != W0.shape:
            raise _Fail(f"{name} must return (W, loss_history) with W of W0's shape, got W as {_describe(out[0])}.")
        if np.ndim(out[1]) == 0 or len(out[1]) != num_iters:
            length = f" of length {len(out[1])}" if np.ndim(out[1]) else ""
            raise _Fail(f"loss_history must hold one loss per step, {num_iters} for num_iters = {num_iters}, got "
                        f"{_describe(out[1])}{length}.")  # fmt: skip
        return out[0], np.array([_scalar(v, "each loss in loss_history", name) for v in out[1]]), record.calls

    where, (W, history, calls) = f"With N = 60, D = 5, batch_size = {batch_size}, num_iters = {num_iters}:", run(0)
    sizes, batches = [len(c[1]) for c in calls], [tuple(sorted(c[1].tolist())) for c in calls]
    reached, same, seeded = set().union(*batches), len(set(batches)) == 1, _reseeding_line(fn)
    for wrong, message in [
        (len(calls) != num_iters, f"loss_fn was called {len(calls)} times; call it once per step."),
        (any(not np.array_equal(c[2], y[c[1]]) for c in calls), "y_batch does not belong to X_batch: index X and y "
         "with the same idx."),
        (min(sizes, default=0) == 60, "every step uses all 60 examples: batch_size is ignored (full-batch descent)."),
        (max(sizes, default=0) > batch_size or np.mean(np.equal(sizes, batch_size)) < 0.5, f"the minibatches have "
         f"{sorted(set(sizes))} examples; expected batch_size."),
        (same and seeded, "every step uses the same minibatch: the generator is created again with the same seed "
         f"inside the loop (line {seeded and seeded[0]}: {seeded and seeded[1]}), so it draws the same numbers every "
         "step; create it once, before the loop."),
        (same, "every step uses the same minibatch (a fixed batch): draw a new random batch inside the loop, every "
         "step (or, if the generator is seeded inside the loop, create it before)."),
        (max(reached, default=0) < 5, "the minibatches only ever use rows 0..4 of the 60: the indices are drawn "
         "from range(D) (X.shape[1]); draw them from range(N), N = X.shape[0]."),
        (len(reached) < 30, f"{num_iters} minibatches reached only {len(reached)} of the 60 rows: sample from all N."),
        (4 * sum(a == b for a, b in pairwise(batches)) > num_iters, "the minibatch stays the same for "
         f"{sum(a == b for a, b in pairwise(batches))} of {num_iters - 1} steps: draw one a step."),  # at random, rare
        (all(np.array_equal(c[1], (c[1][0] + np.arange(len(c[1]))) % 60) for c in calls), "the minibatches walk "
         "through X in order (not shuffled/sampled): draw them at random every step (or shuffle each epoch)."),
        (not _close(history, [c[3] for c in calls]), "loss_history does not hold the loss loss_fn returned each step."),
    ]:  # fmt: skip
        if wrong:
            raise _Fail(f"{where} {message}")
    first, last = history[:6].mean(), history[-6:].mean()  # the loss falls; if not, say which step went wrong
    step_mistake = _update_mistake(calls, W, lr)
    if not last < first:
        cause = f": at step {step_mistake[0]}, {step_mistake[1]}" if step_mistake else "."
        raise _Fail(f"{where} the loss did not fall (first steps {first:.6g}, last {last:.6g}){cause}")
    if step_mistake:
        raise _Fail(f"{where} at step {step_mistake[0]}, {step_mistake[1]}")
    W_again, _, calls_again = run(0)
    if not (np.array_equal(W_again, W) and [tuple(c[1]) for c in calls_again] == [tuple(c[1]) for c in calls]):
        raise _Fail(f"{where} the same seed gave a different run: draw from rng = np.random.default_rng(seed).")
    if [tuple(c[1]) for c in run(1)[2]] == [tuple(c[1]) for c in calls]:
        raise _Fail(f"{where} seed = 1 drew the same minibatches as seed = 0: the seed is ignored.")
    return (f"W <- W - lr * dW on a fresh random minibatch each step, X and y batched together, the same seed "
            f"repeats the run, another seed changes it, the loss falls ({first:.6g} -> {last:.6g}).")  # fmt: skip


def _check_predict(fn, name):
    W0, X0, _ = _problem(7, 5, 4, seed=10)  # N = 7, D = 5, C = 4: every axis has its own length
    cases = [(W0, X0, "On N=7, D=5, C=4 (seed 10),"), (W0.astype(np.float32), X0.astype(np.float32), "In float32,")]
    for W, X, where in [*cases, (_LECTURE_SCORES.copy(), np.eye(3), "On the lecture's scores (X = I),")]:
        S = X.astype(np.float64) @ W.astype(np.float64)
        with _unchanged(name, W=W, X=X):
            out = np.asarray(_call(fn, name, W, X))
        expected = S.argmax(axis=1)
        if out.dtype.kind in "iu" and _close(out, expected, 0):
            continue
        if _close(out, expected, 0):
            raise _Fail(f"{where} the classes are right but of dtype {out.dtype}: class indices are integers.")
        candidates = [
            (S, "it returns the scores X @ W (N x C); predict returns each row's best class, argmax(axis=1)."),
            (np.eye(S.shape[1])[expected], "it returns one-hot rows (N x C); return the class indices, shape (N,)."),
            (S.argmax(axis=0), "argmax over axis 0 gives each class's highest-scoring example: use axis=1."),
            (S.argmin(axis=1), "argmin picks each row's lowest score; the prediction is the highest: argmax."),
            (S.argmax(), "argmax without an axis is one index into the flattened scores: use axis=1."),
        ]  # fmt: skip
        found = out.dtype.kind in "fiub" and _first_match(out, candidates, 0)
        shown = out.tolist() if out.size < 10 else f"an array of shape {out.shape}"
        raise _Fail(f"{where} " + (found or f"predict returned {shown}; expected {expected.tolist()}."))
    return "Returns argmax(X @ W, axis=1) as integer class indices, shape (N,), in float64 and float32."


def _check_hyperparameter_search(fn, name):
    rng = np.random.default_rng(22)  # three 2-D classes + bias, train and val 30 each: best on train is not on val
    centers, y_train = 1.5 * rng.standard_normal((3, 2)), np.arange(30) % 3
    lrs, regs, epochs = (1e-2, 0.1, 1.0), (1e-3, 1.0), 5
    X_train, X_val, y_val = *(np.column_stack([centers[y_train] + s * rng.standard_normal((30, 2)), np.ones(30)])
                              for s in (1.0, 1.3)), y_train.copy()  # fmt: skip
    if test := sorted(n for n in _names_used(getattr(fn, "__code__", None)) if "test" in n.lower()):
        raise _Fail(f"{name} reads {', '.join(test)} from the notebook: choosing by test accuracy tunes to the test "
                    "set, which is kept for one final measurement. Choose by validation accuracy.")  # fmt: skip
    with _unchanged(name, X_train=X_train, y_train=y_train, X_val=X_val, y_val=y_val):
        out = _call(fn, name, X_train, y_train, X_val, y_val, lrs, regs, epochs, 0)
    if not isinstance(out, (tuple, list)) or len(out) != 2 or not isinstance(out[1], dict):
        raise _Fail(f"{name} must return (best, results), results a dict {{(lr, reg): (train_acc, val_acc)}}.")
    (best, results), fitted = out, [f["X"] for f in _WATCH.fits]
    if any(X is X_val for X in fitted):
        raise _Fail(f"{name} trains on the validation set (fit(X_val, y_val)): train on X_train, judge on X_val.")
    if any(np.shape(X)[0] == 60 for X in fitted):
        raise _Fail(f"{name} trains on training + validation data: the validation set must stay unseen to judge.")
    expected = {}
    for key in [(lr, reg) for lr in lrs for reg in regs]:
        model = LinearClassifier("softmax", lr=key[0], reg=key[1], epochs=epochs, seed=0, verbose=False)
        expected[key] = (model.fit(X_train, y_train).score(X_train, y_train), model.score(X_val, y_val))
    keys = {tuple(k) if isinstance(k, (tuple, list)) else k for k in results}
    if keys == {(reg, lr) for lr, reg in expected}:
        raise _Fail(f"{name}'s results are keyed (reg, lr); key them (lr, reg), as best is.")
    if keys != set(expected):
        raise _Fail(f"results must hold every (lr, reg) pair of the grid: missing {sorted(set(expected) - keys)}, "
                    f"extra {sorted(keys - set(expected))}.")  # fmt: skip
    for key, (train, val) in expected.items():
        got, model = results[key], next((f["self"] for f in _WATCH.fits if (f["self"].lr, f["self"].reg) == key), None)
        if np.shape(got) != (2,):
            raise _Fail(f"results[{key}] is {got!r}; each value must be (train_accuracy, val_accuracy).")
        if _close(got, (val, train), 1e-9) and train != val:
            raise _Fail(f"results[{key}] is (val_accuracy, train_accuracy); store (train_accuracy, val_accuracy).")
        built = (model.loss, model.epochs, model.seed) if model else ("softmax", 5, 0)
        if not _close(got, (train, val), 1e-9) and built != ("softmax", 5, 0):
            raise _Fail(f"for {key} the classifier was built with loss={built[0]!r}, epochs={built[1]}, seed="
                        f"{built[2]}; pass loss 'softmax', epochs=epochs and seed=seed.")  # fmt: skip
        if not _close(got, (train, val), 1e-9):
            raise _Fail(f"results[{key}] is {tuple(got)}; trained on X_train with that lr and reg: {(train, val)}.")
    vals, trains = {k: v[1] for k, v in expected.items()}, {k: v[0] for k, v in expected.items()}
    right, best = max(vals, key=vals.get), tuple(best) if isinstance(best, (tuple, list, np.ndarray)) else best
    found = next((what for hit, what in [
        (best == right[::-1], "best is (reg, lr); return (lr, reg)."),
        (trains.get(best) == max(trains.values()), "it has the highest training accuracy; choose by validation."),
        (vals.get(best) == min(vals.values()), "it has the lowest validation accuracy; choose the highest."),
    ] if hit), "it is not the pair with the highest validation accuracy.")  # fmt: skip
    if best != right:
        raise _Fail(f"On a 3 x 2 grid, best is {best}, expected {right} (val accuracy {vals[right]:.3f}): {found}")
    return "Trains each (lr, reg) on the training set, records (train, val) accuracy, picks the best on validation."


def _check_polar_features(fn, name):
    rng = np.random.default_rng(11)
    X = np.vstack([rng.standard_normal((7, 2)) * 2, [[-1.0, -1.0], [-1.0, 0.0], [0.0, -2.0]]])  # all four quadrants
    for points, where in ((X, "On 10 points in all four quadrants,"), (X.astype(np.float32), "In float32,")):
        with _unchanged(name, X=points):
            F = np.asarray(_call(fn, name, points))
        P = points.astype(np.float64)
        expected, (x, y) = _polar_features(P), P.T
        r, theta = expected.T
        candidates = [
            (np.column_stack([r, np.arctan(y / x)]), "theta is np.arctan(y / x), which cannot tell (x, y) from "
             "(-x, -y): points with x < 0 get an angle off by pi. Use np.arctan2(y, x)."),
            (np.column_stack([r, np.degrees(theta)]), "theta is in degrees; keep radians, as np.arctan2 gives them."),
            (np.column_stack([theta, r]), "the columns are swapped: column 0 is r, column 1 is theta."),
            (np.column_stack([r**2, theta]), "column 0 is x**2 + y**2, r squared: take its square root, np.sqrt."),
            (np.column_stack([r, np.arctan2(x, y)]), "theta is np.arctan2(x, y); the order is arctan2(y, x)."),
            (np.column_stack([r, theta % (2 * np.pi)]), "theta is in [0, 2 pi); keep arctan2's (-pi, pi]."),
            (expected.T, "F has shape (2, N), one row per feature; return (N, 2): np.column_stack([r, theta])."),
        ]  # fmt: skip
        if F.dtype.kind not in "fiu" or not _close(F, expected, _rtol(points)):
            found = F.dtype.kind in "fiu" and _first_match(F, candidates, 1e-4)
            raise _Fail(f"{where} " + (found or f"F (shape {F.shape}) is not the columns r = sqrt(x**2 + y**2), "
                                       "theta = arctan2(y, x)."))  # fmt: skip
    return "Returns the columns r = sqrt(x**2 + y**2) and theta = arctan2(y, x), shape (N, 2), in every quadrant."


# lossopt's own answers: any function of the file of lossopt's losses, penalties or numerical gradient does the work
_LOSSES, _PENALTIES, _GRADCHECK = ((f.__code__.co_filename,) for f in (svm_loss, regularization, numerical_gradient))
_SGD, _LC = (inspect.unwrap(sgd).__code__,), (inspect.unwrap(LinearClassifier.predict).__code__,)
_EXERCISES = {  # name: (notebook, signature, checker, lossopt's own answers: their code objects or files)
    "svm_loss_naive": ("01", "(W, X, y, reg) -> (loss, dW)", _loss_checker("svm", False), _LOSSES),
    "svm_loss_vectorized": ("01", "(W, X, y, reg) -> (loss, dW)", _loss_checker("svm", True), _LOSSES),
    "l2_regularization": ("02", "(W, reg) -> (R, dR)", _penalty_checker("l2"), _PENALTIES),
    "l1_regularization": ("02", "(W, reg) -> (R, dR)", _penalty_checker("l1"), _PENALTIES),
    "softmax_loss_naive": ("03", "(W, X, y, reg) -> (loss, dW)", _loss_checker("softmax", False), _LOSSES),
    "softmax_loss_vectorized": ("03", "(W, X, y, reg) -> (loss, dW)", _loss_checker("softmax", True), _LOSSES),
    "numerical_gradient": ("05", "(f, x, h=1e-5) -> grad", _check_numerical_gradient, _GRADCHECK),
    "gradient_descent": ("07", "(loss_fn, W0, lr, num_steps) -> W", _check_gradient_descent, _SGD),
    "sgd": ("07", "(loss_fn, W0, X, y, lr, batch_size, num_iters, seed) -> (W, loss_history)", _check_sgd, _SGD),
    "predict": ("07", "(W, X) -> y_pred", _check_predict, _LC),
    "hyperparameter_search": ("07", "(X_train, y_train, X_val, y_val, learning_rates, regularization_strengths, "
                              "epochs, seed) -> (best, results)", _check_hyperparameter_search, ()),
    "polar_features": ("09", "(X) -> F", _check_polar_features, (_polar_features.__code__,)),
}  # fmt: skip


def names():
    """The exercises, in notebook order: ``names()[:2] == ["svm_loss_naive", "svm_loss_vectorized"]``."""
    return list(_EXERCISES)


def check(name, fn, *, time_limit=TIME_LIMIT):
    """Check a student's function for the exercise ``name`` (one of :func:`names`); save and return a CheckResult.

    Never raises for a mistake in ``fn``; what ``fn`` prints is hidden; a call past ``time_limit`` s is stopped."""
    if name not in _EXERCISES:
        raise ValueError(f"unknown exercise {name!r}; the exercises are: {', '.join(_EXERCISES)}")
    result = _run(name, fn, _EXERCISES[name][2], "check", time_limit)
    _save_progress(result)
    return result
