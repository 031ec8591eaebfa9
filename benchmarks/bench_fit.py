"""Cost of LinearClassifier.fit against a plain assignment-style SGD loop doing the same steps.

Digits (lossopt.datasets.digits: N = 1257 training rows, D = 65 with the bias,
C = 10), batch 200, 500 steps, one BLAS thread (run.py and the Makefile set
OPENBLAS_NUM_THREADS=1; this file sets it too when run alone). The plain loop
is CS231n's linear_classifier.py train() with its softmax_loss_vectorized:
the same starting W and the same batches (one random order per epoch), so
both end at the same W (checked). fit checks its input once and then calls
the unchecked kernel every step; the ratio is what the checks, the
divergence stop and the estimator cost. Best of interleaved rounds of CPU
time (the machine may be shared: ratios measured together are what repeat).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import time

import numpy as np

import lossopt as lo

STEPS, BATCH, LR, REG, ROUNDS = 500, 200, 0.1, 1e-3, 60
TARGET = 1.15


def softmax_loss_vectorized(W, X, y, reg):
    """Assignment 1's vectorized softmax loss and gradient."""
    num_train = X.shape[0]
    scores = X.dot(W)
    scores -= scores.max(axis=1, keepdims=True)
    exp_scores = np.exp(scores)
    probs = exp_scores / exp_scores.sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(num_train), y]).sum() / num_train + reg * np.sum(W * W)
    probs[np.arange(num_train), y] -= 1
    dW = X.T.dot(probs / num_train) + 2 * reg * W
    return loss, dW


def svm_loss_vectorized(W, X, y, reg):
    """Assignment 1's vectorized multiclass SVM loss and gradient."""
    num_train = X.shape[0]
    scores = X.dot(W)
    correct = scores[np.arange(num_train), y][:, np.newaxis]
    margins = np.maximum(0, scores - correct + 1)
    margins[np.arange(num_train), y] = 0
    loss = margins.sum() / num_train + reg * np.sum(W * W)
    mask = (margins > 0).astype(X.dtype)
    mask[np.arange(num_train), y] = -mask.sum(axis=1)
    dW = X.T.dot(mask / num_train) + 2 * reg * W
    return loss, dW


def plain_train(loss_fn, X, y, num_classes, seed=0):
    """Assignment 1's LinearClassifier.train: minibatch SGD, W -= lr * grad, one random order per epoch."""
    rng = np.random.default_rng(seed)
    W = 1e-3 * rng.standard_normal((X.shape[1], num_classes))
    num_train = X.shape[0]
    steps_per_epoch = -(-num_train // BATCH)
    loss_history = []
    for it in range(STEPS):
        if it % steps_per_epoch == 0:
            order = rng.permutation(num_train)
        batch = order[(it % steps_per_epoch) * BATCH : (it % steps_per_epoch + 1) * BATCH]
        loss, grad = loss_fn(W, X[batch], y[batch], REG)
        loss_history.append(loss)
        W -= LR * grad
    return W


def main():
    data = lo.datasets.digits(seed=0)
    X, y = data.X_train, data.y_train
    print(f"LinearClassifier.fit on the digits ({X.shape[0]} x {X.shape[1]}, C=10), batch {BATCH}, {STEPS} steps,")
    print(f"one BLAS thread, against a plain assignment-style SGD loop; best of {ROUNDS} interleaved rounds (CPU time)")
    print(f"{'loss':<8} {'fit ms':>8} {'plain ms':>9} {'ratio':>6} {'target':>7}  ok")
    for loss, plain_loss in (("softmax", softmax_loss_vectorized), ("svm", svm_loss_vectorized)):
        model = lo.LinearClassifier(loss, lr=LR, reg=REG, batch_size=BATCH, num_iters=STEPS, seed=0, verbose=False)
        runs = {"fit": lambda model=model: model.fit(X, y), "plain": lambda f=plain_loss: plain_train(f, X, y, 10)}
        best = dict.fromkeys(runs, np.inf)
        for _ in range(ROUNDS):
            for name, run in runs.items():
                start = time.process_time()
                run()
                best[name] = min(best[name], time.process_time() - start)
        if not np.allclose(model.W_, plain_train(plain_loss, X, y, 10), rtol=1e-6, atol=1e-9):
            raise AssertionError(f"{loss}: fit and the plain loop took different steps")
        ratio = best["fit"] / best["plain"]
        ok = "yes" if ratio <= TARGET else "NO"
        print(f"{loss:<8} {1e3 * best['fit']:8.1f} {1e3 * best['plain']:9.1f} {ratio:6.3f} {TARGET:7.2f}  {ok}")


if __name__ == "__main__":
    main()
