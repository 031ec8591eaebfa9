"""Notebook 09: image features, fixed transforms of an image into a vector for a linear classifier on top.

A linear classifier on raw pixels can only draw straight boundaries in pixel
space. A *feature transform* first maps each example to a new vector (polar
coordinates, a colour histogram, a histogram of oriented gradients), and the
linear classifier then works on that vector. The transforms here are fixed:
only the classifier on top learns.

- :func:`polar_features`: the 2-D example (its data: ``lossopt.datasets.disc_and_ring``).
- :func:`color_histogram`: how much of each colour, wherever it is.
- :func:`image_gradients`, :func:`cell_histograms`, :func:`hog`: the
  histogram of oriented gradients (HOG), where the edges point, cell by cell.
- :func:`image_patches`, :func:`kmeans`, :func:`bag_of_words`: a vocabulary of
  "visual words" and how often each occurs in an image.
- :func:`hog_features`: many images to a feature matrix X (N x D).
- :func:`fit_linear_on_features`: a linear softmax classifier on top of fixed features.
- :func:`shift_images`: move images sideways, to see which features survive it.
"""

from typing import NamedTuple

import numpy as np

from ._validate import as_float_array, check_positive, check_positive_int
from .datasets import add_bias
from .optim import LinearClassifier

# ----------------------------------------------------------------------------
# The 2-D example: polar coordinates
# ----------------------------------------------------------------------------


def polar_features(X):
    """The feature transform f(x, y) = (r, theta): distance from the origin and angle.

    Parameters
    ----------
    X : array, shape (N, 2)
        Points (x, y).

    Returns
    -------
    ndarray, shape (N, 2)
        ``r = sqrt(x**2 + y**2)`` and ``theta = arctan2(y, x)`` in (-pi, pi].

    Examples
    --------
    >>> polar_features([[0.0, 2.0], [-1.0, 0.0]]).round(4)
    array([[2.    , 1.5708],
           [1.    , 3.1416]])
    """
    X = as_float_array(X, "X", ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"X must have two columns (x, y), got shape {X.shape}")
    return np.column_stack([np.hypot(X[:, 0], X[:, 1]), np.arctan2(X[:, 1], X[:, 0])])


# ----------------------------------------------------------------------------
# Colour histogram
# ----------------------------------------------------------------------------


def _check_image(image, name="image", *, color=None):
    """An image as a float array: (H, W) grey, or (N, H, W) grey images; (H, W, 3) colour when ``color`` is True."""
    image = np.asarray(image)
    if image.dtype.kind not in "fiub":
        raise TypeError(f"{name} must hold real numbers, got dtype {image.dtype}")
    if color and (image.ndim != 3 or image.shape[2] != 3):
        raise ValueError(f"{name} must be a colour image of shape (H, W, 3), got shape {image.shape}")
    if color is False and image.ndim not in (2, 3):
        raise ValueError(f"{name} must be a grey image of shape (H, W) or a stack (N, H, W), got shape {image.shape}")
    return image.astype(np.float64)


def color_histogram(image, n_bins=8):
    """The fraction of pixels in each of ``n_bins`` equal ranges of 0..255, for red, green and blue.

    Where a colour is in the image does not matter, only how much of it there is.

    Parameters
    ----------
    image : array, shape (H, W, 3)
        RGB values in [0, 256) (uint8 images are).
    n_bins : int, default 8
        Bins per channel; bin b holds the values in [b * 256 / n_bins, (b + 1) * 256 / n_bins).

    Returns
    -------
    ndarray, shape (3, n_bins)
        Row c is channel c's histogram; each row sums to 1.

    Examples
    --------
    >>> image = np.zeros((2, 2, 3), dtype=np.uint8)
    >>> image[0, 0] = (255, 0, 0)  # one red pixel in four
    >>> color_histogram(image, n_bins=2)
    array([[0.75, 0.25],
           [1.  , 0.  ],
           [1.  , 0.  ]])
    """
    image = _check_image(image, color=True)
    n_bins = check_positive_int(n_bins, "n_bins")
    if image.min() < 0 or image.max() >= 256:
        raise ValueError(f"image values must lie in [0, 256), got {image.min()} to {image.max()}")
    edges = np.linspace(0, 256, n_bins + 1)
    counts = np.stack([np.histogram(image[:, :, c], bins=edges)[0] for c in range(3)])  # (3, n_bins)
    return counts / (image.shape[0] * image.shape[1])


# ----------------------------------------------------------------------------
# Histogram of oriented gradients (HOG)
# ----------------------------------------------------------------------------


def image_gradients(image):
    """Central differences of a grey image (or of each image of a stack) down the rows and along the columns.

    Parameters
    ----------
    image : array, shape (H, W), or (N, H, W) for N images at once

    Returns
    -------
    g_row, g_col : ndarray, shape of ``image`` each
        ``g_row[i, j] = image[i + 1, j] - image[i - 1, j]`` and
        ``g_col[i, j] = image[i, j + 1] - image[i, j - 1]``; 0 on the border.
    """
    image = _check_image(image, color=False)
    g_row = np.zeros_like(image)
    g_col = np.zeros_like(image)
    # "..." stands for the image index of a stack (and for nothing with one image).
    g_row[..., 1:-1, :] = image[..., 2:, :] - image[..., :-2, :]
    g_col[..., :, 1:-1] = image[..., :, 2:] - image[..., :, :-2]
    return g_row, g_col


def cell_histograms(image, *, cell_size=8, n_bins=9):
    """For each cell of ``cell_size`` x ``cell_size`` pixels, the gradient magnitude summed per orientation bin.

    The orientation of a gradient is its angle in degrees, folded into
    [0, 180): an edge from dark to light and one from light to dark count
    alike ("unsigned" gradients). Bin b holds the angles in
    [b * 180 / n_bins, (b + 1) * 180 / n_bins). Rows and columns that do not
    fill a whole cell are left out.

    Parameters
    ----------
    image : array, shape (H, W), or (N, H, W) for N images at once
        A grey image.
    cell_size : int, default 8
    n_bins : int, default 9

    Returns
    -------
    ndarray, shape (H // cell_size, W // cell_size, n_bins), or with N first for N images
    """
    image = _check_image(image, color=False)
    cell_size = check_positive_int(cell_size, "cell_size")
    n_bins = check_positive_int(n_bins, "n_bins")
    *stack, H, W = image.shape  # stack is [] for one image, [N] for N images
    n_rows, n_cols = H // cell_size, W // cell_size
    if n_rows == 0 or n_cols == 0:
        raise ValueError(f"image of shape {image.shape} is smaller than one cell of {cell_size} x {cell_size} pixels")
    g_row, g_col = image_gradients(image)
    magnitude = np.hypot(g_row, g_col)  # (H, W)
    angle = np.arctan2(g_row, g_col) * (180 / np.pi) % 180  # (H, W), degrees in [0, 180)
    bins = (angle // (180 / n_bins)).astype(int)  # (H, W), the orientation bin of each pixel
    # Keep whole cells only, then give each pixel's magnitude to its bin: (H', W', n_bins).
    height, width = n_rows * cell_size, n_cols * cell_size
    votes = (bins[..., :height, :width, None] == np.arange(n_bins)) * magnitude[..., :height, :width, None]
    # Sum the votes inside each cell: split rows and columns into (cell, pixel in cell), sum over the pixels.
    cells = votes.reshape(*stack, n_rows, cell_size, n_cols, cell_size, n_bins)
    return cells.sum(axis=(-4, -2))


def hog(image, *, cell_size=8, n_bins=9, block_size=1, eps=1e-5):
    """Histogram of oriented gradients: cell histograms, normalized over blocks of cells.

    Each block of ``block_size`` x ``block_size`` neighbouring cells is divided
    by its length, ``sqrt(sum of squares + eps**2)``, so that a faint edge and
    a strong one look alike. With ``block_size=1`` each cell is normalized on
    its own. Blocks overlap (they step by one cell), as in Dalal and Triggs's HOG.

    Parameters
    ----------
    image : array, shape (H, W), or (N, H, W) for N images at once
        A grey image.
    cell_size : int, default 8
    n_bins : int, default 9
    block_size : int, default 1
    eps : float, default 1e-5
        Keeps an empty block (no gradient at all) at 0 instead of 0 / 0.

    Returns
    -------
    ndarray, shape (n_rows - block_size + 1, n_cols - block_size + 1, block_size**2 * n_bins)
        ``n_rows, n_cols = H // cell_size, W // cell_size``; ``.ravel()`` is the
        feature vector. For N images, N comes first.

    Examples
    --------
    >>> image = np.zeros((16, 16))
    >>> image[:, 8:] = 1.0  # a vertical edge: the gradient points along the columns (0 degrees)
    >>> hog(image, cell_size=8).shape
    (2, 2, 9)
    >>> hog(image, cell_size=8)[0, 0].round(3)  # left cell: all in bin 0 (0 to 20 degrees)
    array([1., 0., 0., 0., 0., 0., 0., 0., 0.])
    """
    cells = cell_histograms(image, cell_size=cell_size, n_bins=n_bins)  # (n_rows, n_cols, n_bins)
    block_size = check_positive_int(block_size, "block_size")
    eps = check_positive(eps, "eps")
    n_rows, n_cols, _ = cells.shape[-3:]
    if block_size > min(n_rows, n_cols):
        raise ValueError(f"block_size {block_size} is larger than the {n_rows} x {n_cols} cells of the image")
    rows, cols = n_rows - block_size + 1, n_cols - block_size + 1
    # blocks[r, c] holds the cells (r + i, c + j) for i, j < block_size, in that order.
    blocks = np.concatenate(
        [cells[..., i : i + rows, j : j + cols, :] for i in range(block_size) for j in range(block_size)], axis=-1
    )  # (rows, cols, block_size**2 * n_bins)
    return blocks / np.sqrt((blocks**2).sum(axis=-1, keepdims=True) + eps**2)


def hog_features(images, **hog_options):
    """HOG of every image in a stack, one feature vector per row.

    Parameters
    ----------
    images : array, shape (N, H, W)
        Grey images.
    **hog_options
        Passed to :func:`hog` (``cell_size``, ``n_bins``, ``block_size``).

    Returns
    -------
    ndarray, shape (N, F)
        Row i is ``hog(images[i]).ravel()``.
    """
    images = as_float_array(images, "images", ndim=3)
    # hog takes a stack of images at once; 500 at a time bounds the memory of its N x H x W x n_bins votes.
    chunks = [images[k : k + 500] for k in range(0, len(images), 500)]
    return np.concatenate([hog(chunk, **hog_options).reshape(len(chunk), -1) for chunk in chunks])


def shift_images(images, pixels):
    """Move every image ``pixels`` columns to the right (left if negative), filling with zeros.

    Parameters
    ----------
    images : array, shape (N, H, W)
    pixels : int

    Returns
    -------
    ndarray, shape (N, H, W)

    Examples
    --------
    >>> shift_images(np.arange(1, 5).reshape(1, 1, 4), 1)
    array([[[0, 1, 2, 3]]])
    """
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"images must be 3-D (N, H, W), got shape {images.shape}")
    if isinstance(pixels, bool) or not isinstance(pixels, (int, np.integer)):
        raise TypeError(f"pixels must be an integer, got {type(pixels).__name__}")
    shifted = np.zeros_like(images)
    width = images.shape[2]
    if pixels >= 0:
        shifted[:, :, pixels:] = images[:, :, : width - pixels]
    else:
        shifted[:, :, :pixels] = images[:, :, -pixels:]
    return shifted


class LinearOnFeatures(NamedTuple):
    """A linear classifier trained on standardized features (what :func:`fit_linear_on_features` returns)."""

    model: LinearClassifier
    """The fitted classifier; its input is :meth:`design` of the features."""
    mean: np.ndarray
    """(D,) the training features' mean."""
    scale: np.ndarray
    """(D,) the training features' standard deviation (1 where it is 0)."""
    lr: float
    """The learning rate that did best on the validation split."""
    val_accuracy: float

    def design(self, F):
        """Features (N, D) standardized with the training statistics, with the bias column: (N, D + 1)."""
        return add_bias((as_float_array(F, "F", ndim=2) - self.mean) / self.scale)

    def score(self, F, y):
        """Accuracy on features F (N, D) with labels y (N,)."""
        return self.model.score(self.design(F), y)


def fit_linear_on_features(F_train, y_train, F_val, y_val, *, lrs=(0.1, 0.3), epochs=30, reg=1e-4, seed=0):
    """Train a linear softmax classifier on fixed features; keep the learning rate that does best on validation.

    The features are standardized with the training rows' statistics and get
    the bias column. Only the classifier learns: the features stay as given.

    Parameters
    ----------
    F_train : array, shape (N, D)
    y_train : array of int, shape (N,)
    F_val : array, shape (M, D)
    y_val : array of int, shape (M,)
    lrs : sequence of float, default (0.1, 0.3)
        Learning rates to try.
    epochs : int, default 30
    reg : float, default 1e-4
        L2 strength.
    seed : int, default 0

    Returns
    -------
    LinearOnFeatures
    """
    F_train = as_float_array(F_train, "F_train", ndim=2)
    mean, std = F_train.mean(axis=0), F_train.std(axis=0)
    scale = np.where(std > 0, std, 1.0)
    best = None
    for lr in lrs:
        model = LinearClassifier(loss="softmax", lr=lr, reg=reg, epochs=epochs, seed=seed, verbose=False)
        candidate = LinearOnFeatures(model, mean, scale, float(lr), 0.0)
        model.fit(candidate.design(F_train), y_train)
        candidate = candidate._replace(val_accuracy=candidate.score(F_val, y_val))
        if best is None or candidate.val_accuracy > best.val_accuracy:
            best = candidate
    return best


# ----------------------------------------------------------------------------
# Bag of visual words
# ----------------------------------------------------------------------------


def image_patches(image, *, patch_size=8, normalize=True):
    """Cut a grey image into non-overlapping square patches, one per row.

    Parameters
    ----------
    image : array, shape (H, W)
    patch_size : int, default 8
    normalize : bool, default True
        Subtract each patch's mean and divide by its length (if not 0), so that
        a patch describes its pattern, not its brightness or contrast.

    Returns
    -------
    ndarray, shape ((H // patch_size) * (W // patch_size), patch_size**2)
    """
    image = _check_image(image, color=False)
    p = check_positive_int(patch_size, "patch_size")
    n_rows, n_cols = image.shape[0] // p, image.shape[1] // p
    patches = image[: n_rows * p, : n_cols * p].reshape(n_rows, p, n_cols, p).swapaxes(1, 2).reshape(-1, p * p)
    if normalize:
        patches = patches - patches.mean(axis=1, keepdims=True)
        length = np.linalg.norm(patches, axis=1, keepdims=True)
        patches = patches / np.where(length > 0, length, 1.0)
    return patches


def nearest(X, centers):
    """Index of the nearest centre (Euclidean) of each row of X: (N, D), (K, D) -> (N,)."""
    # |x - c|^2 = |x|^2 - 2 x.c + |c|^2; |x|^2 is the same for every centre, so it is left out.
    return ((centers**2).sum(axis=1) - 2 * X @ centers.T).argmin(axis=1)


def kmeans(X, k, *, num_iters=20, seed=0):
    """Group the rows of X into ``k`` clusters (Lloyd's k-means); the centres are the "visual words".

    Parameters
    ----------
    X : array, shape (N, D)
    k : int
    num_iters : int, default 20
        Rounds of: assign each row to its nearest centre, move each centre to its rows' mean.
    seed : int or numpy Generator, default 0
        Picks the k starting centres among the rows.

    Returns
    -------
    ndarray, shape (k, D)
        The centres.
    """
    X = as_float_array(X, "X", ndim=2)
    k = check_positive_int(k, "k")
    num_iters = check_positive_int(num_iters, "num_iters")
    if k > X.shape[0]:
        raise ValueError(f"k must be at most the number of rows of X ({X.shape[0]}), got {k}")
    rng = np.random.default_rng(seed)
    centers = X[rng.choice(X.shape[0], size=k, replace=False)]  # (k, D)
    for _ in range(num_iters):
        labels = nearest(X, centers)  # (N,)
        for j in range(k):
            if np.any(labels == j):  # a centre that lost all its rows stays where it is
                centers[j] = X[labels == j].mean(axis=0)
    return centers


def bag_of_words(descriptors, codebook):
    """How often each visual word is the nearest one, as fractions: (N, D), (K, D) -> (K,).

    Where in the image a word occurs does not matter, only how often.
    """
    descriptors = as_float_array(descriptors, "descriptors", ndim=2)
    codebook = as_float_array(codebook, "codebook", ndim=2)
    if descriptors.shape[1] != codebook.shape[1]:
        raise ValueError(
            f"descriptors have {descriptors.shape[1]} columns but the codebook's words have {codebook.shape[1]}"
        )
    counts = np.bincount(nearest(descriptors, codebook), minlength=codebook.shape[0])
    return counts / descriptors.shape[0]


__all__ = [
    "LinearOnFeatures",
    "bag_of_words",
    "cell_histograms",
    "color_histogram",
    "fit_linear_on_features",
    "hog",
    "hog_features",
    "image_gradients",
    "image_patches",
    "kmeans",
    "nearest",
    "polar_features",
    "shift_images",
]
