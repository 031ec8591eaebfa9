"""Notebook 09: image features, fixed transforms of each example into a vector for a linear classifier on top.

On raw pixels a linear classifier draws straight boundaries in pixel space; a feature transform (polar
coordinates, colour histogram, HOG, bag of visual words) maps each example first, and only the classifier learns.
"""

import numbers

import numpy as np

from ._validate import check_array, check_scalar


def _count(value, name):
    return int(check_scalar(value, name, numbers.Integral, low=1))


def polar_features(X):
    """f(x, y) = (r, theta) of points X (N, 2): distance from the origin and angle in (-pi, pi].

    >>> polar_features([[0.0, 2.0], [-1.0, 0.0]]).round(4)
    array([[2.    , 1.5708],
           [1.    , 3.1416]])
    """
    X = check_array(X, "X", 2)
    if X.shape[1] != 2:
        raise ValueError(f"X must have two columns (x, y), got shape {X.shape}")
    return np.column_stack([np.hypot(X[:, 0], X[:, 1]), np.arctan2(X[:, 1], X[:, 0])])


def _check_image(image, color):
    """An image as float64: (H, W, 3) colour if ``color``, else (H, W) grey or an (N, H, W) stack."""
    image = check_array(image, "image")
    if color and (image.ndim != 3 or image.shape[2] != 3):
        raise ValueError(f"image must be a colour image of shape (H, W, 3), got shape {image.shape}")
    if not color and image.ndim not in (2, 3):
        raise ValueError(f"image must be a grey image of shape (H, W) or a stack (N, H, W), got shape {image.shape}")
    return image.astype(np.float64)


def color_histogram(image, n_bins=8):
    """The fraction of pixels in each of ``n_bins`` equal ranges of [0, 256), per channel of an (H, W, 3) RGB image.

    Where a colour is does not matter, only how much of it there is. Returns (3, n_bins), rows summing to 1.

    >>> color_histogram(np.array([[[255, 0, 0], [0, 0, 0]], [[0, 0, 0], [0, 0, 0]]]), n_bins=2)[0]  # 1 red in 4
    array([0.75, 0.25])
    """
    image, n_bins = _check_image(image, color=True), _count(n_bins, "n_bins")
    if image.min() < 0 or image.max() >= 256:
        raise ValueError(f"image values must lie in [0, 256), got {image.min()} to {image.max()}")
    edges = np.linspace(0, 256, n_bins + 1)
    counts = np.stack([np.histogram(image[:, :, c], bins=edges)[0] for c in range(3)])  # (3, n_bins)
    return counts / (image.shape[0] * image.shape[1])


def image_gradients(image):
    """Central differences ``(g_row, g_col)`` of a grey image (H, W) or a stack (N, H, W); 0 on the border.

    ``g_row[i, j] = image[i + 1, j] - image[i - 1, j]``, ``g_col[i, j] = image[i, j + 1] - image[i, j - 1]``.
    """
    image = _check_image(image, color=False)
    g_row, g_col = np.zeros_like(image), np.zeros_like(image)
    g_row[..., 1:-1, :] = image[..., 2:, :] - image[..., :-2, :]  # "...": the image index of a stack
    g_col[..., :, 1:-1] = image[..., :, 2:] - image[..., :, :-2]
    return g_row, g_col


def cell_histograms(image, *, cell_size=8, n_bins=9):
    """Per cell of ``cell_size`` x ``cell_size`` pixels, the gradient magnitude summed per orientation bin.

    An orientation is the gradient's angle in [0, 180) degrees (dark-to-light and light-to-dark edges alike),
    bin b holding [b, b + 1) * 180 / n_bins; pixels outside whole cells are left out.
    (H, W) -> (H // cell_size, W // cell_size, n_bins); a stack (N, H, W) keeps N first.
    """
    image = _check_image(image, color=False)
    cell_size, n_bins = _count(cell_size, "cell_size"), _count(n_bins, "n_bins")
    *stack, H, W = image.shape  # stack is [] for one image, [N] for N images
    n_rows, n_cols = H // cell_size, W // cell_size
    if n_rows == 0 or n_cols == 0:
        raise ValueError(f"image of shape {image.shape} is smaller than one cell of {cell_size} x {cell_size} pixels")
    g_row, g_col = image_gradients(image)
    magnitude = np.hypot(g_row, g_col)
    angle = np.arctan2(g_row, g_col) * (180 / np.pi) % 180  # degrees in [0, 180)
    bins = (angle // (180 / n_bins)).astype(int)  # the orientation bin of each pixel
    height, width = n_rows * cell_size, n_cols * cell_size
    votes = (bins[..., :height, :width, None] == np.arange(n_bins)) * magnitude[..., :height, :width, None]
    # Split rows and columns into (cell, pixel in cell), then sum over the pixels.
    return votes.reshape(*stack, n_rows, cell_size, n_cols, cell_size, n_bins).sum(axis=(-4, -2))


def hog(image, *, cell_size=8, n_bins=9, block_size=1, eps=1e-5):
    """Histogram of oriented gradients (Dalal and Triggs, 2005): cell histograms, normalized over blocks of cells.

    Each block of ``block_size`` x ``block_size`` cells (one cell apart) is divided by ``sqrt(sum of squares +
    eps**2)``: a faint edge and a strong one look alike. Returns (n_rows - block_size + 1, n_cols - block_size + 1,
    block_size**2 * n_bins), N first for a stack. A vertical edge (gradient at 0 degrees) fills bin 0:

    >>> hog(np.repeat([[0.0] * 8 + [1.0] * 8], 16, axis=0), cell_size=8)[0, 0].round(3)
    array([1., 0., 0., 0., 0., 0., 0., 0., 0.])
    """
    cells = cell_histograms(image, cell_size=cell_size, n_bins=n_bins)
    block_size, eps = _count(block_size, "block_size"), check_scalar(eps, "eps", low=0, low_open=True)
    n_rows, n_cols, _ = cells.shape[-3:]
    if block_size > min(n_rows, n_cols):
        raise ValueError(f"block_size {block_size} is larger than the {n_rows} x {n_cols} cells of the image")
    rows, cols = n_rows - block_size + 1, n_cols - block_size + 1
    # blocks[r, c] holds the cells (r + i, c + j) for i, j < block_size, in that order.
    blocks = np.concatenate(
        [cells[..., i : i + rows, j : j + cols, :] for i in range(block_size) for j in range(block_size)], axis=-1
    )
    return blocks / np.sqrt((blocks**2).sum(axis=-1, keepdims=True) + eps**2)


def hog_features(images, **hog_options):
    """HOG of every grey image of a stack (N, H, W), one feature vector per row: (N, F); options go to :func:`hog`."""
    images = check_array(images, "images", 3)
    # 500 images at a time bound the memory of hog's N x H x W x n_bins votes.
    chunks = [images[k : k + 500] for k in range(0, len(images), 500)]
    return np.concatenate([hog(chunk, **hog_options).reshape(len(chunk), -1) for chunk in chunks])


def shift_images(images, pixels):
    """Move every image of (N, H, W) ``pixels`` columns to the right (left if negative), filling with zeros.

    >>> shift_images(np.arange(1, 5).reshape(1, 1, 4), 1)
    array([[[0, 1, 2, 3]]])
    """
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"images must be 3-D (N, H, W), got shape {images.shape}")
    pixels = int(check_scalar(pixels, "pixels", numbers.Integral))
    shifted = np.zeros_like(images)
    if pixels >= 0:
        shifted[:, :, pixels:] = images[:, :, : images.shape[2] - pixels]
    else:
        shifted[:, :, :pixels] = images[:, :, -pixels:]
    return shifted


def image_patches(image, *, patch_size=8, normalize=True):
    """A grey image (H, W) cut into non-overlapping square patches, one per row (patches, patch_size**2).

    With ``normalize``, each patch loses its mean and is divided by its length (if not 0): its pattern, not its
    brightness or contrast.
    """
    image, p = _check_image(image, color=False), _count(patch_size, "patch_size")
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
    """The ``k`` centres (k, D) of Lloyd's k-means on the rows of X (N, D): the "visual words".

    ``num_iters`` rounds: each row goes to its nearest centre, each centre to its rows' mean; ``seed`` picks
    the starting rows.
    """
    X, k, num_iters = check_array(X, "X", 2), _count(k, "k"), _count(num_iters, "num_iters")
    if k > X.shape[0]:
        raise ValueError(f"k must be at most the number of rows of X ({X.shape[0]}), got {k}")
    centers = X[np.random.default_rng(seed).choice(X.shape[0], size=k, replace=False)]  # (k, D)
    for _ in range(num_iters):
        labels = nearest(X, centers)
        for j in range(k):
            if np.any(labels == j):  # a centre that lost all its rows stays where it is
                centers[j] = X[labels == j].mean(axis=0)
    return centers


def bag_of_words(descriptors, codebook):
    """How often each visual word (Csurka et al., 2004) is the nearest one, as fractions: (N, D), (K, D) -> (K,)."""
    descriptors, codebook = check_array(descriptors, "descriptors", 2), check_array(codebook, "codebook", 2)
    if descriptors.shape[1] != codebook.shape[1]:
        raise ValueError(
            f"descriptors have {descriptors.shape[1]} columns but the codebook's words have {codebook.shape[1]}"
        )
    return np.bincount(nearest(descriptors, codebook), minlength=codebook.shape[0]) / descriptors.shape[0]
