"""lossopt.features and its pictures (lossopt.plots.features); scikit-image is the oracle where definitions match.

Where they match: ``lossopt.features.hog(image, cell_size=c, n_bins=n, block_size=b)`` equals
``skimage.feature.hog(image, orientations=n, pixels_per_cell=(c, c), cells_per_block=(b, b),
block_norm="L2", feature_vector=False)`` (reshaped), to 1e-6 on integer-valued images (scikit-image
adds up the magnitudes in 32-bit floats). ``color_histogram(image, 256)`` equals
``skimage.exposure.histogram(image, source_range="dtype", channel_axis=-1, normalize=True)`` exactly.
Where they do not (scikit-image's default "L2-Hys" clipping), properties are tested instead.
"""

import numpy as np
import pytest
import skimage.color
import skimage.data
import skimage.exposure
import skimage.feature

import lossopt as lo
from lossopt import features as fe


@pytest.fixture(scope="module")
def cat():
    return skimage.data.chelsea()  # (300, 451, 3) uint8


def skimage_hog(image, cell_size, n_bins, block_size, block_norm="L2"):
    return skimage.feature.hog(
        image,
        orientations=n_bins,
        pixels_per_cell=(cell_size, cell_size),
        cells_per_block=(block_size, block_size),
        block_norm=block_norm,
        feature_vector=False,
    )


# ----------------------------------------------------------------------------
# Polar features and the disc-and-ring data
# ----------------------------------------------------------------------------


def test_polar_features_are_distance_and_angle(rng):
    X = rng.normal(size=(50, 2))
    P = fe.polar_features(X)
    np.testing.assert_allclose(P[:, 0] * np.cos(P[:, 1]), X[:, 0], atol=1e-12)
    np.testing.assert_allclose(P[:, 0] * np.sin(P[:, 1]), X[:, 1], atol=1e-12)
    assert (P[:, 0] >= 0).all() and (np.abs(P[:, 1]) <= np.pi).all()
    np.testing.assert_allclose(fe.polar_features([[0.0, 2.0], [3.0, 4.0]]), [[2.0, np.pi / 2], [5.0, np.arctan2(4, 3)]])


def test_disc_and_ring_radii_and_seed():
    X, y = lo.datasets.disc_and_ring(80, inner=0.5, ring=(0.8, 1.2), seed=3)
    assert X.shape == (160, 2) and y.shape == (160,)
    r = np.hypot(*X.T)
    assert (r[y == 0] <= 0.5).all()
    assert ((r[y == 1] >= 0.8) & (r[y == 1] <= 1.2)).all()
    np.testing.assert_array_equal(X, lo.datasets.disc_and_ring(80, seed=3)[0])
    assert not np.array_equal(X, lo.datasets.disc_and_ring(80, seed=4)[0])


def test_bad_inputs_name_the_argument():
    with pytest.raises(ValueError, match="ring"):
        lo.datasets.disc_and_ring(10, inner=1.0, ring=(0.8, 1.2))
    with pytest.raises(ValueError, match="X must have two columns"):
        fe.polar_features(np.zeros((3, 3)))
    with pytest.raises(TypeError, match="image"):
        fe.color_histogram(np.array([["a"]]))
    with pytest.raises(ValueError, match="colour image"):
        fe.color_histogram(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="256"):
        fe.color_histogram(np.full((2, 2, 3), 300.0))
    with pytest.raises(ValueError, match="n_bins"):
        fe.color_histogram(np.zeros((2, 2, 3)), n_bins=0)
    with pytest.raises(ValueError, match="grey image"):
        fe.hog(np.zeros((2, 16, 16, 3)))
    with pytest.raises(ValueError, match="smaller than one cell"):
        fe.hog(np.zeros((4, 4)), cell_size=8)
    with pytest.raises(ValueError, match="block_size"):
        fe.hog(np.zeros((16, 16)), cell_size=8, block_size=3)
    with pytest.raises(TypeError, match="cell_size"):
        fe.hog(np.zeros((16, 16)), cell_size=2.5)
    with pytest.raises(ValueError, match="k must be at most"):
        fe.kmeans(np.zeros((3, 2)), 4)
    with pytest.raises(ValueError, match="codebook"):
        fe.bag_of_words(np.zeros((3, 2)), np.zeros((4, 5)))


# ----------------------------------------------------------------------------
# Colour histogram
# ----------------------------------------------------------------------------


def test_color_histogram_matches_skimage(cat):
    theirs, _ = skimage.exposure.histogram(cat, source_range="dtype", channel_axis=-1, normalize=True)  # (3, 256)
    np.testing.assert_allclose(fe.color_histogram(cat, n_bins=256), theirs, atol=1e-15)
    # 8 bins of 32 values each are sums of 32 of scikit-image's one-value bins.
    np.testing.assert_allclose(fe.color_histogram(cat, n_bins=8), theirs.reshape(3, 8, 32).sum(axis=2), atol=1e-12)


def test_color_histogram_ignores_where_colours_are(cat, rng):
    histogram = fe.color_histogram(cat)
    np.testing.assert_allclose(histogram.sum(axis=1), 1.0)
    shuffled = rng.permutation(cat.reshape(-1, 3)).reshape(cat.shape)  # same pixels, other places
    np.testing.assert_array_equal(fe.color_histogram(shuffled), histogram)
    assert not np.array_equal(fe.color_histogram(255 - cat), histogram)


def test_color_histogram_bins_are_equal_ranges_of_0_to_256():
    image = np.array([[[0.0, 31.9, 32.0], [223.9, 224.0, 255.5]]])  # (1, 2, 3)
    np.testing.assert_allclose(
        fe.color_histogram(image, n_bins=8)[:, [0, 1, 6, 7]], [[0.5, 0, 0.5, 0], [0.5, 0, 0, 0.5], [0, 0.5, 0, 0.5]]
    )


# ----------------------------------------------------------------------------
# HOG
# ----------------------------------------------------------------------------


def test_image_gradients_of_a_ramp():
    rows, cols = np.mgrid[0:6, 0:7]
    g_row, g_col = fe.image_gradients(2.0 * rows + 3.0 * cols)
    np.testing.assert_array_equal(g_row[1:-1], 4.0)  # (r + 1) - (r - 1) steps of 2
    np.testing.assert_array_equal(g_col[:, 1:-1], 6.0)
    assert (g_row[[0, -1]] == 0).all() and (g_col[:, [0, -1]] == 0).all()


def test_cell_histograms_share_out_every_magnitude(cat):
    grey = cat[:, :, 1].astype(float)
    cells = fe.cell_histograms(grey, cell_size=8, n_bins=9)
    assert cells.shape == (300 // 8, 451 // 8, 9)
    g_row, g_col = fe.image_gradients(grey)
    magnitude = np.hypot(g_row, g_col)[:296, :448]
    np.testing.assert_allclose(cells.sum(axis=2), magnitude.reshape(37, 8, 56, 8).sum(axis=(1, 3)))


@pytest.mark.parametrize(("angle", "expected_bin"), [(0, 0), (30, 1), (45, 2), (90, 4), (135, 6), (170, 8)])
def test_a_straight_edge_votes_in_its_bin(angle, expected_bin):
    rows, cols = np.mgrid[0:24, 0:24]
    a = np.radians(angle)
    image = 100.0 * (np.cos(a) * cols + np.sin(a) * rows)  # the gradient points at `angle` degrees
    cells = fe.cell_histograms(image, cell_size=8, n_bins=9)
    assert (cells.argmax(axis=2) == expected_bin).all()
    # The image turned dark-for-light has the opposite gradient and the same histogram (unsigned).
    np.testing.assert_allclose(fe.cell_histograms(-image, cell_size=8), cells)


@pytest.mark.parametrize("block_size", [1, 2, 3])
@pytest.mark.parametrize(("cell_size", "n_bins"), [(8, 9), (6, 9), (4, 9), (7, 9), (8, 6), (8, 12)])
def test_hog_matches_skimage_on_the_cat(cat, cell_size, n_bins, block_size):
    channel = cat[:, :, 0]  # integer-valued
    ours = fe.hog(channel, cell_size=cell_size, n_bins=n_bins, block_size=block_size)
    theirs = skimage_hog(channel, cell_size, n_bins, block_size)
    assert ours.shape == (theirs.shape[0], theirs.shape[1], block_size**2 * n_bins)
    np.testing.assert_allclose(ours, theirs.reshape(ours.shape), rtol=0, atol=1e-6)
    # and the flat feature vector is scikit-image's feature vector
    np.testing.assert_allclose(ours.ravel(), theirs.ravel(), rtol=0, atol=1e-6)


def test_hog_matches_skimage_on_random_and_grey_float_images(rng, cat):
    image = rng.integers(0, 256, size=(40, 56)).astype(float)
    np.testing.assert_allclose(fe.hog(image, cell_size=4), skimage_hog(image, 4, 9, 1)[:, :, 0, 0], atol=1e-6)
    # Grey floats in [0, 1]: the same to 1e-4 (scikit-image's 32-bit sums lose more on small magnitudes).
    grey = skimage.color.rgb2gray(cat)
    np.testing.assert_allclose(fe.hog(grey, block_size=2), skimage_hog(grey, 8, 9, 2).reshape(36, 55, 36), atol=1e-4)


def test_hog_differs_from_skimages_default_clipping_but_keeps_its_properties(cat):
    channel = cat[:, :, 0].astype(float)
    ours = fe.hog(channel, block_size=2)
    clipped = skimage_hog(channel, 8, 9, 2, block_norm="L2-Hys").reshape(ours.shape)
    assert np.abs(ours - clipped).max() > 0.1  # L2-Hys clips at 0.2 and renormalizes; we do not
    # Clipping ours at 0.2 and normalizing again is exactly what L2-Hys adds.
    capped = np.minimum(ours, 0.2)
    np.testing.assert_allclose(capped / np.sqrt((capped**2).sum(axis=2, keepdims=True) + 1e-10), clipped, atol=1e-6)
    # Each block has length 1 ...
    np.testing.assert_allclose(np.linalg.norm(ours, axis=2), 1.0, atol=1e-6)
    # ... so brighter or higher-contrast copies of the image give the same HOG.
    np.testing.assert_allclose(fe.hog(3.0 * channel + 20.0, block_size=2), ours, atol=1e-6)


def test_hog_of_a_flat_image_is_zero_not_nan():
    assert (fe.hog(np.full((16, 16), 7.0)) == 0).all()


def test_hog_features_are_one_row_per_image(rng):
    images = rng.integers(0, 17, size=(5, 8, 8))
    H = fe.hog_features(images, cell_size=2, block_size=2)
    assert H.shape == (5, 3 * 3 * 4 * 9)
    for image, row in zip(images, H, strict=True):
        np.testing.assert_array_equal(row, fe.hog(image, cell_size=2, block_size=2).ravel())


def test_shift_images_moves_columns_and_fills_zeros():
    images = np.arange(1, 13).reshape(1, 3, 4)
    np.testing.assert_array_equal(fe.shift_images(images, 1)[0, 0], [0, 1, 2, 3])
    np.testing.assert_array_equal(fe.shift_images(images, -2)[0, 2], [11, 12, 0, 0])
    np.testing.assert_array_equal(fe.shift_images(images, 0), images)
    with pytest.raises(TypeError, match="pixels"):
        fe.shift_images(images, 1.5)


# ----------------------------------------------------------------------------
# Bag of visual words
# ----------------------------------------------------------------------------


def test_image_patches_tile_the_image(rng):
    image = rng.normal(size=(17, 25))
    patches = fe.image_patches(image, patch_size=8, normalize=False)
    assert patches.shape == (2 * 3, 64)
    np.testing.assert_array_equal(patches[4].reshape(8, 8), image[8:16, 8:16])  # row 1, column 1
    normalized = fe.image_patches(image, patch_size=8)
    np.testing.assert_allclose(normalized.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(normalized, axis=1), 1)


def test_kmeans_finds_separated_clusters(rng):
    truth = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    X = np.repeat(truth, 30, axis=0) + 0.1 * rng.normal(size=(90, 2))
    centers = fe.kmeans(X, 3, seed=1)
    order = np.argsort(centers[:, 0] + 2 * centers[:, 1])
    np.testing.assert_allclose(centers[order], truth, atol=0.1)
    np.testing.assert_array_equal(fe.kmeans(X, 3, seed=1), centers)


def test_bag_of_words_counts_nearest_words():
    codebook = np.array([[0.0, 0.0], [1.0, 1.0], [5.0, 5.0]])
    descriptors = np.array([[0.1, 0.0], [0.9, 1.2], [1.1, 1.0], [4.0, 4.5]])
    np.testing.assert_allclose(fe.bag_of_words(descriptors, codebook), [0.25, 0.5, 0.25])
    np.testing.assert_array_equal(fe.nearest(descriptors, codebook), [0, 1, 1, 2])


# ----------------------------------------------------------------------------
# The pictures
# ----------------------------------------------------------------------------


def test_plot_color_histogram_draws_the_three_rows(cat):
    histogram = fe.color_histogram(cat)
    ax = lo.plots.features.plot_color_histogram(histogram)
    assert [line.get_label() for line in ax.get_lines()] == ["red", "green", "blue"]
    for line, row in zip(ax.get_lines(), histogram, strict=True):
        np.testing.assert_allclose(line.get_ydata(), row)
        np.testing.assert_allclose(line.get_xdata(), np.arange(16, 256, 32))
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel() and ax.get_legend()


def test_hog_segments_lie_along_the_edge_with_length_as_value():
    cells = np.zeros((1, 2, 9))
    cells[0, 0, 0] = 2.0  # gradient at 10 degrees: the edge runs at 100 degrees
    cells[0, 1, 4] = 1.0  # gradient at 90 degrees (down the rows): the edge runs along the columns
    segments, values = lo.plots.features.hog_segments(cells, 8)
    assert segments.shape == (18, 2, 2)
    np.testing.assert_array_equal(values, cells.ravel())
    first, second = segments[0], segments[9 + 4]
    np.testing.assert_allclose(first.mean(axis=0), [3.5, 3.5])  # centred in cell (0, 0)
    np.testing.assert_allclose(second.mean(axis=0), [11.5, 3.5])  # cell (0, 1)
    lengths = [np.linalg.norm(s[1] - s[0]) for s in (first, second)]
    np.testing.assert_allclose(lengths, [0.9 * 8, 0.45 * 8])
    direction = second[1] - second[0]
    np.testing.assert_allclose(direction[1], 0, atol=1e-12)  # horizontal: along the columns
    edge = first[1] - first[0]
    np.testing.assert_allclose(np.dot(edge, [np.cos(np.radians(10)), np.sin(np.radians(10))]), 0, atol=1e-12)


def test_plot_hog_and_orientation_bars(cat):
    cells = fe.cell_histograms(cat[:, :, 0], cell_size=8)
    lines = lo.plots.features.plot_hog(cells, 8, image_shape=cat.shape[:2])
    assert len(lines.get_segments()) == np.count_nonzero(cells)
    assert lines.axes.get_ylim() == (299.5, -0.5)
    bars = lo.plots.features.plot_orientation_histogram(cells[10, 20])
    np.testing.assert_allclose([bar.get_height() for bar in bars], cells[10, 20])
    np.testing.assert_allclose([bar.get_x() for bar in bars], np.arange(0, 180, 20))


def test_plot_predicted_regions_colours_by_the_predictor():
    X, y = lo.datasets.disc_and_ring(20, seed=0)
    regions = lo.plots.features.plot_predicted_regions(lambda P: (P[:, 0] > 0).astype(int), X, y, resolution=30)
    picture = np.asarray(regions.get_array())
    xx, _, _ = lo.plots.grid_over(X, resolution=30)
    np.testing.assert_array_equal(picture, np.broadcast_to(xx > 0, picture.shape))


def test_codebook_and_word_histogram_pictures():
    codebook = np.arange(3 * 4.0).reshape(3, 4)
    picture = lo.plots.features.plot_codebook(codebook, 2)
    strip = np.asarray(picture.get_array())
    np.testing.assert_array_equal(strip[:, 3:5], codebook[1].reshape(2, 2))
    ax = lo.plots.features.plot_word_histograms([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]], ["a", "b"])
    assert [c.get_label() for c in ax.containers] == ["a", "b"]
    np.testing.assert_allclose([bar.get_height() for bar in ax.containers[1]], [0.2, 0.3, 0.5])


def test_a_stack_of_images_gives_each_image_its_own_hog(rng):
    images = rng.integers(0, 256, size=(4, 24, 32)).astype(float)
    g_row, g_col = fe.image_gradients(images)
    cells = fe.cell_histograms(images, cell_size=8)
    hogs = fe.hog(images, cell_size=4, block_size=2)
    for i, image in enumerate(images):
        np.testing.assert_array_equal(g_row[i], fe.image_gradients(image)[0])
        np.testing.assert_array_equal(g_col[i], fe.image_gradients(image)[1])
        np.testing.assert_array_equal(cells[i], fe.cell_histograms(image, cell_size=8))
        np.testing.assert_array_equal(hogs[i], fe.hog(image, cell_size=4, block_size=2))
    many = rng.integers(0, 17, size=(1203, 8, 8))  # more than one chunk of 500
    H = fe.hog_features(many, cell_size=2, block_size=2)
    assert H.shape == (1203, 324)
    np.testing.assert_array_equal(H[1100], fe.hog(many[1100], cell_size=2, block_size=2).ravel())
