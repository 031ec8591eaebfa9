"""Data sets: the lecture's worked example, 2-D toy sets, digits, CIFAR-10.

Everything here returns X as (N, D) float arrays and y as (N,) integer
labels in [0, C), the CS231n conventions. Everything that draws takes a seed.
"""

import hashlib
import os
import pickle
import tarfile
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ._validate import as_float_array, check_choice, check_nonnegative, check_positive_int

# ----------------------------------------------------------------------------
# The lecture's examples
# ----------------------------------------------------------------------------


class ScoreTable(NamedTuple):
    """Scores of N images for C classes, as the lecture's tables give them."""

    scores: np.ndarray
    """(N, C) scores, one row per image (the slide shows their transpose)."""
    labels: np.ndarray
    """(N,) the correct class of each image."""
    class_names: tuple
    """The C class names."""


def worked_example():
    """The lecture's three images (cat, car, frog) scored for three classes.

    The slide shows one column per image; here, as everywhere in lossopt,
    there is one row per example. Its multiclass SVM losses are 2.9, 0 and
    12.9, mean 5.27.

    Returns
    -------
    ScoreTable
        ``scores`` (3, 3), ``labels`` [0, 1, 2], ``class_names`` ("cat", "car", "frog").

    Examples
    --------
    >>> S, y, names = worked_example()
    >>> S[0], names[y[0]]
    (array([ 3.2,  5.1, -1.7]), 'cat')
    """
    scores = np.array(
        [
            [3.2, 5.1, -1.7],  # the cat image: cat, car, frog scores
            [1.3, 4.9, 2.0],  # the car image
            [2.2, 2.5, -3.1],  # the frog image
        ]
    )
    return ScoreTable(scores, np.array([0, 1, 2]), ("cat", "car", "frog"))


def toy_2d():
    """The nine 2-D points, three classes, of the CS231n linear-classification web demo.

    Returns
    -------
    X : ndarray, shape (9, 2)
    y : ndarray of int, shape (9,)
    """
    X = np.array(
        [
            [0.5, 0.4], [0.8, 0.3], [0.3, 0.8],  # class 0
            [-0.4, 0.3], [-0.3, 0.7], [-0.7, 0.2],  # class 1
            [0.7, -0.4], [0.5, -0.6], [-0.4, -0.5],  # class 2
        ]
    )  # fmt: skip
    return X, np.repeat(np.arange(3), 3)


def spiral(n_per_class=100, n_classes=3, *, noise=0.2, seed=0):
    """Interleaved spiral arms in 2-D, one per class: no line separates them.

    Parameters
    ----------
    n_per_class : int, default 100
    n_classes : int, default 3
    noise : float, default 0.2
        Standard deviation of the angular noise.
    seed : int or numpy Generator, default 0

    Returns
    -------
    X : ndarray, shape (n_per_class * n_classes, 2), within the unit disc
    y : ndarray of int, shape (n_per_class * n_classes,)
    """
    n_per_class = check_positive_int(n_per_class, "n_per_class")
    n_classes = _check_classes(n_classes)
    noise = check_nonnegative(noise, "noise")
    rng = np.random.default_rng(seed)
    radius = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)
    arm = np.repeat(np.arange(n_classes), n_per_class)
    theta = arm * 4.0 + radius * 4.0 + noise * rng.standard_normal(radius.size)
    X = np.column_stack([radius * np.sin(theta), radius * np.cos(theta)])
    return X, arm


def blobs(n_per_class=50, n_classes=3, *, spread=0.5, seed=0):
    """Gaussian blobs in 2-D whose centres sit evenly on a circle of radius 2.

    Parameters
    ----------
    n_per_class : int, default 50
    n_classes : int, default 3
    spread : float, default 0.5
        Standard deviation of each blob.
    seed : int or numpy Generator, default 0

    Returns
    -------
    X : ndarray, shape (n_per_class * n_classes, 2)
    y : ndarray of int, shape (n_per_class * n_classes,)
    """
    n_per_class = check_positive_int(n_per_class, "n_per_class")
    n_classes = _check_classes(n_classes)
    spread = check_nonnegative(spread, "spread")
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * np.arange(n_classes) / n_classes
    centres = 2.0 * np.column_stack([np.cos(angles), np.sin(angles)])
    y = np.repeat(np.arange(n_classes), n_per_class)
    X = centres[y] + spread * rng.standard_normal((y.size, 2))
    return X, y


def _check_classes(n_classes):
    n_classes = check_positive_int(n_classes, "n_classes")
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, got {n_classes}")
    return n_classes


TOY_DATASETS = ("nine points", "blobs", "spiral")
"""The names :func:`make_dataset` accepts."""


def make_dataset(name="nine points", n_per_class=30, seed=0, extra=0):
    """A named 2-D toy set, with ``extra`` random points added (or ``-extra`` removed).

    The data of the linear-classifier demo (notebook 04, ``lossopt.widgets.LinearClassifierDemo``).

    Parameters
    ----------
    name : {"nine points", "blobs", "spiral"}
        The web demo's nine points (:func:`toy_2d`), or :func:`blobs` /
        :func:`spiral` with ``n_per_class`` points per class (three classes).
    n_per_class : int
    seed : int
        Seeds the blobs and the spiral, and which points are added or removed.
    extra : int
        Points added (uniformly in the data's box, random labels) when > 0,
        removed (at random) when < 0; at least three points are kept.

    Returns
    -------
    X : array, shape (N, 2)
    y : array of int, shape (N,)

    Examples
    --------
    >>> X, y = make_dataset("nine points", extra=2)
    >>> X.shape, y.shape
    ((11, 2), (11,))
    """
    check_choice(name, "name", TOY_DATASETS)
    if name == "nine points":
        X, y = toy_2d()
    elif name == "blobs":
        X, y = blobs(n_per_class, 3, seed=seed)
    else:
        X, y = spiral(n_per_class, 3, seed=seed)
    if extra > 0:
        # Separate streams for positions and labels: the k-th added point is
        # the same whatever the count, so +1 adds one point and keeps the rest.
        low, high = X.min(axis=0), X.max(axis=0)
        new_X = np.random.default_rng([seed, 1]).uniform(low, high, size=(extra, 2))
        new_y = np.random.default_rng([seed, 2]).integers(0, 3, size=extra)
        X, y = np.vstack([X, new_X]), np.concatenate([y, new_y])
    elif extra < 0:
        removed = np.random.default_rng([seed, 3]).permutation(len(y))[: min(-extra, len(y) - 3)]
        keep = np.setdiff1d(np.arange(len(y)), removed)
        X, y = X[keep], y[keep]
    return X, y


def blobs_with_outliers(n_per_class=30, n_outliers=4, *, seed=0):
    """Three 2-D blobs (:func:`blobs`) plus a few class-0 points far out on the other side.

    The data of the lambda explorer (notebook 02, ``lossopt.widgets.LambdaExplorer``).
    Class 0 sits around (2, 0); its outliers sit around (-6, 0), beyond classes 1 and 2.
    No linear classifier can get them right, but a weakly regularized one tilts towards them.

    Returns
    -------
    X : ndarray, shape (3 * n_per_class + n_outliers, 2)
    y : ndarray of int, shape (3 * n_per_class + n_outliers,)
    is_outlier : ndarray of bool, same length

    Examples
    --------
    >>> X, y, is_outlier = blobs_with_outliers(10, 2)
    >>> X.shape, y[is_outlier]
    ((32, 2), array([0, 0]))
    """
    X, y = blobs(n_per_class, 3, spread=0.7, seed=seed)
    rng = np.random.default_rng(seed + 1000)  # a separate stream: the blobs do not move with n_outliers
    X_out = np.array([-6.0, 0.0]) + 0.4 * rng.standard_normal((n_outliers, 2))
    is_outlier = np.r_[np.zeros(y.size, bool), np.ones(n_outliers, bool)]
    return np.vstack([X, X_out]), np.r_[y, np.zeros(n_outliers, int)], is_outlier


def add_bias(X):
    """Append a column of ones to X (the bias trick): (N, D) -> (N, D + 1)."""
    X = as_float_array(X, "X", ndim=2)
    return np.hstack([X, np.ones((X.shape[0], 1), dtype=X.dtype)])


# ----------------------------------------------------------------------------
# Digits (bundled with scikit-learn, no download)
# ----------------------------------------------------------------------------


class Split(NamedTuple):
    """A train / validation / test split."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def digits(*, val_size=300, test_size=300, seed=0, bias=True, standardize=True, dtype=np.float64):
    """scikit-learn's 1797 handwritten 8 x 8 digits, split three ways.

    Parameters
    ----------
    val_size, test_size : int, default 300
        Examples in the validation and test splits; the rest (1197) train.
    seed : int, default 0
        Shuffles the examples before splitting.
    bias : bool, default True
        Append a column of ones (the bias trick), so D = 65.
    standardize : bool, default True
        Centre each pixel and scale it to unit variance, with the mean and
        standard deviation of the training split only (pixels that are
        constant there are only centred).
    dtype : float32 or float64

    Returns
    -------
    Split
        ``X_*`` of shape (n, 64) or (n, 65), ``y_*`` labels in [0, 10).
    """
    from sklearn.datasets import load_digits  # imported here: it is slow to import

    X, y = load_digits(return_X_y=True)
    val_size = check_positive_int(val_size, "val_size")
    test_size = check_positive_int(test_size, "test_size")
    if val_size + test_size >= len(y):
        raise ValueError(f"val_size + test_size must leave training examples: {val_size} + {test_size} >= {len(y)}")
    order = np.random.default_rng(seed).permutation(len(y))
    X, y = X[order].astype(dtype), y[order]
    n_train = len(y) - val_size - test_size
    parts = np.split(np.arange(len(y)), [n_train, n_train + val_size])
    if standardize:
        mean = X[parts[0]].mean(axis=0)
        std = X[parts[0]].std(axis=0)
        X = (X - mean) / np.where(std > 0, std, 1)
    if bias:
        X = add_bias(X)
    return Split(*(array for part in parts for array in (X[part], y[part])))


# ----------------------------------------------------------------------------
# CIFAR-10 (the official python archive, downloaded once into a cache)
# ----------------------------------------------------------------------------

CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_MD5 = "c58f30108f718f92721af3b95e74349a"
CIFAR10_ARCHIVE = "cifar-10-python.tar.gz"
CIFAR10_FOLDER = "cifar-10-batches-py"
CIFAR10_CLASSES = ("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


class CIFAR10(NamedTuple):
    """CIFAR-10 in the CS231n shapes."""

    X_train: np.ndarray
    """(50000, 32, 32, 3) pixel values 0..255."""
    y_train: np.ndarray
    """(50000,) labels in [0, 10)."""
    X_test: np.ndarray
    """(10000, 32, 32, 3)."""
    y_test: np.ndarray
    """(10000,)."""
    class_names: tuple


class DatasetNotFoundError(FileNotFoundError):
    """A data set is neither in its folder nor downloadable; the message says how to get it."""


def default_data_dir():
    """Where downloads are kept: ``$LOSSOPT_DATA``, else ``$XDG_CACHE_HOME/lossopt``, else ``~/.cache/lossopt``."""
    if os.environ.get("LOSSOPT_DATA"):
        return Path(os.environ["LOSSOPT_DATA"])
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "lossopt"


def cifar10(root=None, download=False, *, dtype=np.float64, url=CIFAR10_URL, md5=CIFAR10_MD5):
    """Load CIFAR-10 from the official python archive, as the CS231n assignments do.

    Looks in ``root`` for the extracted folder ``cifar-10-batches-py``, else
    for the archive ``cifar-10-python.tar.gz`` (checked against its md5, then
    extracted), else downloads the archive when ``download`` is true.

    Parameters
    ----------
    root : str or Path, optional
        The data folder; default :func:`default_data_dir`.
    download : bool, default False
        Fetch the archive (about 163 MB) if it is not in ``root``.
    dtype : numpy dtype, default float64
        Of the returned images (CS231n uses float64; float32 halves memory).
    url, md5 : str
        Where to fetch the archive and its expected md5 (for mirrors and tests).

    Returns
    -------
    CIFAR10
        ``X_train`` (50000, 32, 32, 3), ``y_train`` (50000,), ``X_test``
        (10000, 32, 32, 3), ``y_test`` (10000,), ``class_names``.

    Raises
    ------
    DatasetNotFoundError
        The data is not there and could not be downloaded; the message says
        where to put the archive by hand.
    ValueError
        The archive is corrupt (wrong md5) or unsafe (a member would land
        outside the data folder).
    """
    root = default_data_dir() if root is None else Path(root)
    folder = root / CIFAR10_FOLDER
    archive = root / CIFAR10_ARCHIVE
    if not folder.is_dir():
        if not archive.is_file():
            if not download:
                raise DatasetNotFoundError(_how_to_get_cifar10(root, "it is not there and download=False"))
            _download(url, archive, md5)
        _check_md5(archive, md5)
        _extract_safely(archive, root, CIFAR10_FOLDER)
    return _load_cifar10_folder(folder, dtype)


def _how_to_get_cifar10(root, reason):
    return (
        f"CIFAR-10 not found in {root} ({reason}). Either call cifar10(download=True), "
        f"or download {CIFAR10_URL} (md5 {CIFAR10_MD5}) by hand and place it at {root / CIFAR10_ARCHIVE}"
    )


def _download(url, target, md5):
    """Download ``url`` to ``target`` via a temporary file, renamed only once complete and verified."""
    from tqdm.auto import tqdm

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = tempfile.NamedTemporaryFile(dir=target.parent, prefix=target.name, suffix=".part", delete=False)  # noqa: SIM115 (closed below, removed in finally)
    try:
        with partial, urllib.request.urlopen(url, timeout=30) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=target.name) as bar:
                while chunk := response.read(1 << 20):
                    partial.write(chunk)
                    bar.update(len(chunk))
        _check_md5(Path(partial.name), md5)
        os.replace(partial.name, target)  # atomic: the final name only ever holds a whole archive
    except (urllib.error.URLError, OSError) as error:
        raise DatasetNotFoundError(_how_to_get_cifar10(target.parent, f"download failed: {error}")) from error
    finally:
        if os.path.exists(partial.name):
            os.remove(partial.name)


def _check_md5(path, expected):
    digest = hashlib.md5()
    with open(path, "rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise ValueError(
            f"{path} is corrupt or not the official archive (md5 {digest.hexdigest()}, expected {expected}); "
            f"delete it, then download it again or place a good copy at {path.parent / CIFAR10_ARCHIVE}"
        )


def _extract_safely(archive, root, folder_name):
    """Extract ``archive`` into ``root``, refusing any member that would land outside it.

    Extraction goes to a temporary folder first and is moved into place
    whole, so an interrupted extraction never leaves a half-filled folder.
    """
    root = Path(root).resolve()
    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
        for member in members:
            destination = (root / member.name).resolve()
            if not destination.is_relative_to(root) or not (member.isfile() or member.isdir()):
                raise ValueError(
                    f"refusing to extract {archive}: member {member.name!r} is unsafe "
                    f"(it would land outside {root}, or it is a link or a device)"
                )
        with tempfile.TemporaryDirectory(dir=root) as scratch:
            # The "data" filter (Python 3.12+, backported to 3.10.12 and 3.11.4)
            # double-checks what the loop above already refused.
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            for member in members:
                tar.extract(member, scratch, set_attrs=False, **safe)
            extracted = Path(scratch) / folder_name
            if not extracted.is_dir():
                raise ValueError(f"{archive} has no folder {folder_name!r}; is it the official archive?")
            os.replace(extracted, root / folder_name)


def _load_cifar10_folder(folder, dtype):
    def load_batch(name):
        with open(folder / name, "rb") as file:
            batch = pickle.load(file, encoding="bytes")
        images = batch[b"data"].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # (n, 32, 32, 3)
        return images.astype(dtype), np.asarray(batch[b"labels"], dtype=np.int64)

    train = [load_batch(f"data_batch_{k}") for k in range(1, 6)]
    X_test, y_test = load_batch("test_batch")
    X_train = np.concatenate([images for images, _ in train])
    y_train = np.concatenate([labels for _, labels in train])
    return CIFAR10(X_train, y_train, X_test, y_test, CIFAR10_CLASSES)


__all__ = [
    "CIFAR10",
    "CIFAR10_CLASSES",
    "TOY_DATASETS",
    "DatasetNotFoundError",
    "ScoreTable",
    "Split",
    "add_bias",
    "blobs",
    "blobs_with_outliers",
    "cifar10",
    "default_data_dir",
    "digits",
    "make_dataset",
    "spiral",
    "toy_2d",
    "worked_example",
]
