"""Data sets: the lecture's worked example, 2-D toy sets, digits, CIFAR-10.

Everything here returns X as (N, D) float arrays and y as (N,) integer
labels in [0, C), the CS231n conventions. Everything that draws takes a seed.
"""

import gzip
import hashlib
import io
import numbers
import os
import pickle
import shutil
import tarfile
import urllib.error
import urllib.request
import zlib
from pathlib import Path
from typing import ClassVar, NamedTuple

import numpy as np
from filelock import FileLock

from ._validate import check_array, check_bool, check_choice, check_scalar, check_seed

try:
    from numpy._core.multiarray import _reconstruct  # numpy >= 2
except ImportError:  # numpy 1.x
    from numpy.core.multiarray import _reconstruct

# --- The lecture's examples ---


class ScoreTable(NamedTuple):
    """Scores of N images for C classes: ``scores`` (N, C), one row per image; ``labels`` (N,); ``class_names``."""

    scores: np.ndarray
    labels: np.ndarray
    class_names: tuple


def worked_example():
    """The lecture's three images (cat, car, frog) scored for three classes: a :class:`ScoreTable`.

    One row per image (the slide shows columns). Its multiclass SVM losses are 2.9, 0 and 12.9, mean 5.27.

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
    """The nine 2-D points of the CS231n linear-classification web demo (as the notes' screenshot shows them).

    Returns X (9, 2) and y (9,): three points in each of three classes.
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
    """Interleaved spiral arms in 2-D, one per class (no line separates them): X (N, 2) in the unit disc, y (N,)."""
    n_per_class = check_scalar(n_per_class, "n_per_class", numbers.Integral, low=1)
    n_classes = check_scalar(n_classes, "n_classes", numbers.Integral, low=2)
    noise = check_scalar(noise, "noise", low=0)
    rng = check_seed(seed)
    radius = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)
    arm = np.repeat(np.arange(n_classes), n_per_class)
    theta = arm * 4.0 + radius * 4.0 + noise * rng.standard_normal(radius.size)
    X = np.column_stack([radius * np.sin(theta), radius * np.cos(theta)])
    return X, arm


def blobs(n_per_class=50, n_classes=3, *, spread=0.5, seed=0):
    """Gaussian blobs (standard deviation ``spread``) centred evenly on a circle of radius 2: X (N, 2), y (N,)."""
    n_per_class = check_scalar(n_per_class, "n_per_class", numbers.Integral, low=1)
    n_classes = check_scalar(n_classes, "n_classes", numbers.Integral, low=2)
    spread = check_scalar(spread, "spread", low=0)
    rng = check_seed(seed)
    angles = 2 * np.pi * np.arange(n_classes) / n_classes
    centres = 2.0 * np.column_stack([np.cos(angles), np.sin(angles)])
    y = np.repeat(np.arange(n_classes), n_per_class)
    X = centres[y] + spread * rng.standard_normal((y.size, 2))
    return X, y


TOY_DATASETS = ("nine points", "blobs", "spiral")
"""The names :func:`make_dataset` accepts."""


def make_dataset(name="nine points", n_per_class=30, seed=0, extra=0):
    """A named 2-D toy set for notebook 08's demo, with ``extra`` random points added (or ``-extra`` removed).

    ``name`` is "nine points" (:func:`toy_2d`), "blobs" or "spiral" (``n_per_class`` points in each of three
    classes). Added points are uniform in the data's box with random labels; at least three points are kept.
    Returns X (N, 2) and y (N,).

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
    """Three 2-D blobs (:func:`blobs`) plus ``n_outliers`` class-0 points far out on the other side (notebook 02).

    Class 0 sits around (2, 0); its outliers around (-6, 0), beyond classes 1 and 2. Returns X (N, 2), y (N,) and
    is_outlier (N,) bool.

    >>> X, y, is_outlier = blobs_with_outliers(10, 2)
    >>> X.shape, y[is_outlier]
    ((32, 2), array([0, 0]))
    """
    X, y = blobs(n_per_class, 3, spread=0.7, seed=seed)
    rng = np.random.default_rng(seed + 1000)  # a separate stream: the blobs do not move with n_outliers
    X_out = np.array([-6.0, 0.0]) + 0.4 * rng.standard_normal((n_outliers, 2))
    is_outlier = np.r_[np.zeros(y.size, bool), np.ones(n_outliers, bool)]
    return np.vstack([X, X_out]), np.r_[y, np.zeros(n_outliers, int)], is_outlier


def disc_and_ring(n_per_class=100, *, inner=0.5, ring=(0.8, 1.2), seed=0):
    """Two classes no line separates: points in a disc of radius ``inner`` (class 0) and in a ring around it (class 1).

    The data of notebook 09's polar-coordinates example. ``ring`` is (inner radius, outer radius).
    Returns X (2 * n_per_class, 2), the points (x, y), and y (2 * n_per_class,).
    """
    n_per_class = check_scalar(n_per_class, "n_per_class", numbers.Integral, low=1)
    inner = check_scalar(inner, "inner", low=0, low_open=True)
    low, high = (check_scalar(r, "ring", low=0, low_open=True) for r in ring)
    if not inner < low < high:
        raise ValueError(f"ring must be (low, high) with disc radius inner < low < high, got {ring} and inner={inner}")
    rng = check_seed(seed)
    # Radii drawn so that the points are uniform over the area (sqrt of a uniform).
    r_disc = inner * np.sqrt(rng.uniform(size=n_per_class))
    r_ring = np.sqrt(rng.uniform(low**2, high**2, size=n_per_class))
    r = np.concatenate([r_disc, r_ring])
    theta = rng.uniform(-np.pi, np.pi, size=2 * n_per_class)
    X = np.column_stack([r * np.cos(theta), r * np.sin(theta)])
    return X, np.repeat([0, 1], n_per_class)


def add_bias(X):
    """Append a column of ones to X (the bias trick): (N, D) -> (N, D + 1)."""
    X = check_array(X, "X", ndim=2)
    return np.hstack([X, np.ones((X.shape[0], 1), dtype=X.dtype)])


# --- Digits (bundled with scikit-learn, no download) ---


class Split(NamedTuple):
    """A train / validation / test split."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def digits(*, val_size=300, test_size=300, seed=0, bias=True, standardize=True, dtype=np.float64):
    """scikit-learn's 1797 handwritten 8 x 8 digits, shuffled by ``seed`` and split three ways: a :class:`Split`.

    ``val_size`` and ``test_size`` examples go to validation and test, the rest (1197) train. ``standardize``
    centres each pixel and scales it to unit variance with the training split's statistics only (pixels
    constant there are only centred); ``bias`` appends a column of ones (the bias trick), so D = 65.
    X_* are (n, D) of ``dtype``, y_* labels in [0, 10).
    """
    from sklearn.datasets import load_digits  # imported here: it is slow to import

    val_size = check_scalar(val_size, "val_size", numbers.Integral, low=1)
    test_size = check_scalar(test_size, "test_size", numbers.Integral, low=1)
    rng = check_seed(seed)
    bias = check_bool(bias, "bias")
    standardize = check_bool(standardize, "standardize")
    dtype = _check_float_dtype(dtype)
    X, y = load_digits(return_X_y=True)
    if val_size + test_size >= len(y):
        raise ValueError(f"val_size + test_size must leave training examples: {val_size} + {test_size} >= {len(y)}")
    order = rng.permutation(len(y))
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


# --- CIFAR-10 (the official python archive, downloaded once into a cache) ---

CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_MD5 = "c58f30108f718f92721af3b95e74349a"
CIFAR10_ARCHIVE = "cifar-10-python.tar.gz"
CIFAR10_FOLDER = "cifar-10-batches-py"
CIFAR10_CLASSES = ("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
CIFAR10_BATCHES = ("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch")

# The md5 digests of the extracted batch files, as torchvision lists them
# (pytorch/vision, torchvision/datasets/cifar.py: CIFAR10.train_list and CIFAR10.test_list).
CIFAR10_BATCH_MD5 = {
    "data_batch_1": "c99cafc152244af753f735de768cd75f",
    "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
    "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
    "data_batch_4": "634d18415352ddfa80567beed471001a",
    "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
    "test_batch": "40351d587109b95175f43aff81a1287e",
}


class CIFAR10(NamedTuple):
    """CIFAR-10 in the CS231n shapes: images (n, 32, 32, 3) of pixel values 0..255, labels (n,) in [0, 10)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple


class DatasetNotFoundError(FileNotFoundError):
    """A data set is neither in its folder nor downloadable; the message says how to get it."""


def default_data_dir():
    """Where downloads are kept: ``$LOSSOPT_DATA``, else ``$XDG_CACHE_HOME/lossopt``, else ``~/.cache/lossopt``."""
    if os.environ.get("LOSSOPT_DATA"):
        return Path(os.environ["LOSSOPT_DATA"])
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "lossopt"


def cifar10(
    root=None, download=False, *, dtype=np.float64, url=CIFAR10_URL, md5=CIFAR10_MD5, batch_md5=CIFAR10_BATCH_MD5
):
    """Load CIFAR-10 from the official python archive, as the CS231n assignments do: a :class:`CIFAR10`.

    Looks in ``root`` (default :func:`default_data_dir`) for the folder ``cifar-10-batches-py``, else for the
    archive ``cifar-10-python.tar.gz``, else downloads it (about 163 MB) from ``url`` when ``download`` is true.

    The files are untrusted: the archive must match ``md5``; extraction refuses links and members outside the
    folder (and uses tarfile's "data" filter); every batch must be there and match ``batch_md5`` (None skips
    the digests, for a trusted copy); batches are read by an unpickler that builds only what a batch holds, so
    a planted file cannot run code. Work happens under a file lock (processes take turns) and scratch names:
    the folder appears whole, by one rename, and an interrupted run leaves nothing half written.

    Returns X_train (50000, 32, 32, 3), y_train (50000,), X_test (10000, 32, 32, 3), y_test (10000,) as
    ``dtype`` (float32 halves memory). Raises DatasetNotFoundError (absent, not downloadable) or ValueError
    (corrupt or unsafe files, a file where a folder should be), each saying what to do.
    """
    dtype = _check_float_dtype(dtype)
    download = check_bool(download, "download")
    root = default_data_dir() if root is None else Path(root)
    folder = root / CIFAR10_FOLDER
    for path in (root, folder):
        if path.exists() and not path.is_dir():
            raise ValueError(f"{path} is a file, but it should be a folder; move or delete it, then call cifar10 again")
    if not folder.is_dir():
        root.mkdir(parents=True, exist_ok=True)
        with FileLock(root / ".cifar10.lock"):  # one process fetches and extracts; the others wait, then load
            if not folder.is_dir():
                archive = root / CIFAR10_ARCHIVE
                if not archive.is_file():
                    if not download:
                        raise DatasetNotFoundError(_how_to_get_cifar10(root, "it is not there and download=False"))
                    _download(url, archive, md5)
                _check_md5(archive, md5)
                _extract(archive, folder, batch_md5)
    return _load_cifar10_folder(folder, dtype)


def _check_float_dtype(dtype, name="dtype"):
    """Return ``dtype`` as numpy's float32 or float64 dtype, or say what is wrong with it."""
    try:
        checked = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{name} must be np.float32 or np.float64, got {dtype!r}") from None
    if checked.kind != "f":
        kind = TypeError if checked.kind in "OUSVM" else ValueError  # not even a number, or a number that is not float
        raise kind(f"{name} must be np.float32 or np.float64 (floating point), got {checked}")
    return checked


def _how_to_get_cifar10(root, reason):
    return (
        f"CIFAR-10 not found in {root} ({reason}). Either call cifar10(download=True), "
        f"or download {CIFAR10_URL} (md5 {CIFAR10_MD5}) by hand and place it at {root / CIFAR10_ARCHIVE}"
    )


def _download(url, target, md5):
    """Download ``url`` to ``target`` through a partial file, renamed only once complete and verified."""
    from tqdm.auto import tqdm

    partial = target.with_name(target.name + ".part")  # under the lock: no other process writes it
    try:
        with open(partial, "wb") as file, urllib.request.urlopen(url, timeout=30) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=target.name) as bar:
                while chunk := response.read(1 << 20):
                    file.write(chunk)
                    bar.update(len(chunk))
            if total is not None and file.tell() != total:
                raise ConnectionError(f"the connection closed after {file.tell()} of {total} bytes")
        _check_md5(partial, md5, what=f"the download from {url}")
        os.replace(partial, target)  # atomic: the final name only ever holds a whole, verified archive
    except (urllib.error.URLError, OSError) as error:
        raise DatasetNotFoundError(_how_to_get_cifar10(target.parent, f"download failed: {error}")) from error
    finally:
        partial.unlink(missing_ok=True)


def _md5_of(path):
    digest = hashlib.md5()
    with open(path, "rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _check_md5(path, expected, what=None):
    """Check the md5 of ``path``; ``what`` names a download (its partial file is deleted, so not named)."""
    actual = _md5_of(path)
    if actual != expected:
        advice = "nothing was kept" if what else "delete it"
        raise ValueError(
            f"{what or path} is corrupt or not the official archive (md5 {actual}, expected {expected}); {advice}, "
            f"then call cifar10(download=True) or place a good copy at {path.parent / CIFAR10_ARCHIVE}"
        )


def _extract(archive, folder, batch_md5):
    """Extract the archive's ``folder`` into a scratch folder, check every batch, then rename it into place."""
    scratch = folder.with_name(f".{folder.name}.tmp")  # under the lock; a killed run's leftover is removed first
    shutil.rmtree(scratch, ignore_errors=True)
    refuse = f"refusing to extract {archive}: {{}}. Delete it and download the official archive again"
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                inside = os.path.normpath(member.name).split(os.sep)[0] == folder.name
                if not inside or os.path.isabs(member.name) or not (member.isfile() or member.isdir()):
                    raise ValueError(
                        refuse.format(f"member {member.name!r} is a link, a device, or outside {folder.name}")
                    )
                tar.extract(member, scratch, set_attrs=False, **_DATA_FILTER)
        for name in CIFAR10_BATCHES:
            path = scratch / folder.name / name
            if not path.is_file():
                raise ValueError(refuse.format(f"it has no {folder.name}/{name}"))
            if batch_md5 is not None and _md5_of(path) != batch_md5[name]:
                raise ValueError(refuse.format(f"its {name} is not the official batch (md5 {_md5_of(path)})"))
        os.replace(scratch / folder.name, folder)  # atomic: the folder appears whole
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise ValueError(
            f"{archive} cannot be read as a .tar.gz archive ({type(error).__name__}: {error}): it is truncated or "
            "not the CIFAR-10 archive. Delete it, then call cifar10(download=True) again or place a good copy there"
        ) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# tarfile's "data" filter (Python 3.12+, backported to 3.10.12 and 3.11.4) refuses what the checks above refuse, again.
_DATA_FILTER = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}


class _BatchUnpickler(pickle.Unpickler):
    """Unpickles only what CIFAR-10's batches contain: containers, numbers, bytes, str and numpy arrays.

    Arrays need three names (an empty array, its class, its dtype), Python 3's bytes a latin-1 encoder; any
    other name (``os.system``, ``builtins.exec``, ...) is refused before it can be called.
    """

    ALLOWED: ClassVar[dict] = {
        ("numpy.core.multiarray", "_reconstruct"): _reconstruct,  # pickles written by numpy 1.x (the real files)
        ("numpy._core.multiarray", "_reconstruct"): _reconstruct,  # pickles written by numpy 2
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
        ("_codecs", "encode"): lambda text, encoding="utf-8": _latin1(text, encoding),
    }

    def find_class(self, module, name):
        try:
            return self.ALLOWED[module, name]
        except KeyError:
            raise pickle.UnpicklingError(f"refused {module}.{name}: a CIFAR-10 batch never contains it") from None


def _latin1(text, encoding):
    """Python 3 pickles bytes (protocol 2) as ``_codecs.encode(text, "latin1")``; no other codec is allowed."""
    if encoding not in ("latin1", "latin-1") or not isinstance(text, str):
        raise pickle.UnpicklingError(f"refused _codecs.encode with {encoding!r}: a CIFAR-10 batch never contains it")
    return text.encode("latin1")


def _load_cifar10_folder(folder, dtype):
    def load_batch(name):
        path = folder / name
        redo = f"Delete the folder {folder} and call cifar10 again: it is extracted again from the archive"
        if not path.is_file():
            raise DatasetNotFoundError(f"the CIFAR-10 folder {folder} is incomplete: {name} is missing. {redo}")
        try:
            batch = _BatchUnpickler(io.BytesIO(path.read_bytes()), encoding="bytes").load()
            images, labels = batch[b"data"], np.asarray(batch[b"labels"])
            if not (
                isinstance(images, np.ndarray)
                and images.dtype == np.uint8
                and images.ndim == 2
                and images.shape[1] == 3072
                and labels.shape == (images.shape[0],)
                and labels.dtype.kind in "iu"
                and (labels.size == 0 or (labels.min() >= 0 and labels.max() < 10))
            ):
                raise ValueError("its data or labels have the wrong type or shape")
        except Exception as error:  # anything a damaged or crafted file can raise: one clear message
            raise ValueError(f"{path} is not a CIFAR-10 batch ({type(error).__name__}: {error}). {redo}") from None
        images = images.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # (n, 32, 32, 3)
        return images.astype(dtype), labels.astype(np.int64)

    train = [load_batch(name) for name in CIFAR10_BATCHES[:5]]
    X_test, y_test = load_batch("test_batch")
    X_train = np.concatenate([images for images, _ in train])
    y_train = np.concatenate([labels for _, labels in train])
    return CIFAR10(X_train, y_train, X_test, y_test, CIFAR10_CLASSES)
