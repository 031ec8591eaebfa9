"""The sentences of notebooks/09_image_features.ipynb that say what a plot, the explorer or a run shows.

Each test names the sentence it backs and does what the notebook does, with the same values.
"""

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import skimage.data
import skimage.feature

import lossopt as lo

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "09_image_features.ipynb"
HOG_OPTIONS = dict(cell_size=2, block_size=2)  # section 5's hog_options


def code_cells():
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]


def cell_containing(text):
    (found,) = [source for source in code_cells() if text in source]
    return found


def test_the_notebook_uses_the_values_these_tests_use():
    """The tests below repeat the notebook's settings; this keeps the two together."""
    assert "hog_options = dict(cell_size=2, block_size=2)" in cell_containing("hog_options =")
    assert "shift = 1  #" in cell_containing("shift = 1")
    assert "explorer = lo.widgets.FeatureExplorer()" in cell_containing("FeatureExplorer(")
    assert "lo.features.kmeans(patches, 8, seed=0)" in cell_containing("kmeans(")


# ----------------------------------------------------------------------------
# Section 1: the explorer
# ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def explorer():
    return lo.widgets.FeatureExplorer()


def test_answer_1_a_line_in_r_separates_disc_and_ring():
    """Answer 1: "On (r, θ): yes ... The line r = c, for any c between the disc's radius and the ring's inner
    radius, separates them whatever the angle. Drawn back in the (x, y) plane, that line is a circle." """
    X, y = lo.datasets.disc_and_ring(100, seed=0)
    r = lo.features.polar_features(X)[:, 0]
    for c in (0.51, 0.65, 0.79):  # the disc's radius is 0.5, the ring's inner radius 0.8
        np.testing.assert_array_equal(r > c, y == 1)
    circle = 0.65 * np.column_stack([np.cos(np.linspace(0, 6.28, 50)), np.sin(np.linspace(0, 6.28, 50))])
    np.testing.assert_allclose(lo.features.polar_features(circle)[:, 0], 0.65)


def test_answer_1_no_line_in_x_y(explorer):
    """Answer 1: "On (x, y): no ... every disc point lies between ring points ... So if the classifier called every
    ring point "ring", it would call every disc point "ring" too. It must get something wrong." Checked on the
    explorer's data: every disc point is inside the convex hull of the ring points (a mix of them with weights >= 0),
    so a half-plane that holds all the ring points holds it too."""
    from scipy.spatial import Delaunay

    ring, disc = explorer.X[explorer.y == 1], explorer.X[explorer.y == 0]
    assert (Delaunay(ring).find_simplex(disc) >= 0).all()
    # and the two classes do not overlap: no ring point is inside the disc points' hull
    assert (Delaunay(disc).find_simplex(ring) < 0).all()
    assert explorer.accuracy["raw"][0] < 1.0


def test_raw_boundary_is_a_line_and_hardly_beats_guessing(explorer):
    """ "With raw (x, y) the boundary is a straight line in the plane, and the classifier gets hardly more points
    right than guessing would (the accuracies printed above)." """
    explorer.controls["features"].value = "raw"
    (image,) = explorer.figure.axes[0].get_images()
    regions = np.asarray(image.get_array())
    assert set(np.unique(regions)) == {0, 1}
    assert (np.abs(np.diff(regions, axis=1)).sum(axis=1) <= 1).all()  # one class change per row at most
    assert (np.abs(np.diff(regions, axis=0)).sum(axis=0) <= 1).all()  # and per column: a half-plane each
    assert np.mean(explorer.y == 0) == 0.5  # half the points are the disc: guessing gets half right
    train, test = explorer.accuracy["raw"]
    assert train <= 0.65 and test <= 0.65
    assert f"training accuracy {train:.1%}, test accuracy {test:.1%}" in explorer.text


def test_polar_boundary_is_a_line_on_the_right_and_goes_around_the_disc(explorer):
    """ "With polar (r, θ) the boundary on the right is again a straight line: the classifier is still linear.
    Drawn back in the plane (left), it goes all the way around the disc, and every training and test point is
    right." """
    explorer.controls["features"].value = "polar"
    ax_plane, ax_features = explorer.figure.axes
    (right,) = ax_features.get_images()
    regions = np.asarray(right.get_array())
    W = explorer.models["polar"].W_
    F = lo.features.polar_features(explorer.X)
    xx, _, grid = lo.plots.grid_over(F, resolution=150)
    mean, scale = explorer._scaling["polar"]
    straight = lo.datasets.add_bias((grid - mean) / scale) @ (W[:, 1] - W[:, 0]) > 0  # one side of a line
    np.testing.assert_array_equal(regions, straight.reshape(xx.shape))
    # Left: inside is "disc" and outside "ring" in every direction.
    angles = np.linspace(-np.pi, np.pi, 360, endpoint=False)
    for radius, expected in ((0.3, 0), (1.0, 1)):
        ring = radius * np.column_stack([np.cos(angles), np.sin(angles)])
        assert (explorer.predict(ring) == expected).all()
    (left,) = ax_plane.get_images()
    xx, _, grid = lo.plots.grid_over(explorer.X, resolution=150)
    np.testing.assert_array_equal(np.asarray(left.get_array()), explorer.predict(grid).reshape(xx.shape))
    assert explorer.accuracy["polar"] == (1.0, 1.0)


def test_each_choice_has_its_own_linear_softmax_classifier(explorer):
    """ "Each choice has its own linear softmax classifier (lo.LinearClassifier), trained once." """
    raw, polar = explorer.models["raw"], explorer.models["polar"]
    assert raw is not polar
    for model in (raw, polar):
        assert isinstance(model, lo.LinearClassifier) and model.loss == "softmax"
        assert model.W_.shape == (3, 2)  # (x, y) or (r, θ), and the bias


def test_the_toggle_only_redraws(explorer):
    """Aside: "The explorer trains its two classifiers once, when it is made; the toggle only redraws." """
    models = dict(explorer.models)
    for value in ("raw", "polar", "raw"):
        explorer.controls["features"].value = value
        assert explorer.text.startswith(f"features: {'raw' if value == 'raw' else 'polar'}")
    assert all(explorer.models[name] is model for name, model in models.items())


# ----------------------------------------------------------------------------
# Sections 2-4: the cat
# ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cat():
    return skimage.data.chelsea()


def test_answer_2_shuffled_pixels_keep_the_colour_histogram(cat):
    """Answer 2: "No. The histogram only counts how many pixels have each colour, not where they are." """
    rng = np.random.default_rng(0)
    shuffled = rng.permutation(cat.reshape(-1, 3)).reshape(cat.shape)
    assert not np.array_equal(shuffled, cat)
    np.testing.assert_array_equal(lo.features.color_histogram(shuffled), lo.features.color_histogram(cat, n_bins=8))


def test_the_hog_picture_marks_the_cell_with_the_most_gradient(cat):
    """ "On the right are the 9 bins of the cell marked in the middle, the one with the most gradient in that part";
    the middle picture shows the framed part, 9 segments a cell."""
    grey = cat.mean(axis=2)
    cells = lo.features.cell_histograms(grey, cell_size=8, n_bins=9)
    rows, cols = slice(8, 24), slice(14, 42)
    part = cells[rows, cols]
    r, c = np.unravel_index(part.sum(axis=2).argmax(), part.shape[:2])
    row, col = rows.start + r, cols.start + c
    assert cells[row, col].sum() == part.sum(axis=2).max()
    bars = lo.plots.features.plot_orientation_histogram(cells[row, col])
    np.testing.assert_allclose([bar.get_height() for bar in bars], cells[row, col])
    lines = lo.plots.features.plot_hog(part, 8, origin=(64, 112))
    segments = np.asarray(lines.get_segments())  # (count, 2, 2) as (column, row)
    assert len(segments) == np.count_nonzero(part)
    assert segments[..., 0].min() >= 112 and segments[..., 0].max() <= 112 + 8 * 28
    assert segments[..., 1].min() >= 64 and segments[..., 1].max() <= 64 + 8 * 16


def test_hog_segments_run_along_the_edge_and_grow_with_their_bin():
    """ "A segment runs along the edge, at right angles to the gradient, and is longer when its bin holds more." """
    cells = np.zeros((1, 1, 9))
    cells[0, 0, 2] = 3.0  # bin 2: gradients at 40 to 60 degrees, drawn at the middle, 50
    cells[0, 0, 6] = 1.0  # bin 6: 120 to 140 degrees
    segments, _ = lo.plots.features.hog_segments(cells, 8)
    for b in (2, 6):
        along = segments[b][1] - segments[b][0]  # (column, row)
        gradient = [np.cos(np.radians(20 * b + 10)), np.sin(np.radians(20 * b + 10))]
        np.testing.assert_allclose(np.dot(along, gradient), 0, atol=1e-12)
    lengths = np.linalg.norm(segments[:, 1] - segments[:, 0], axis=1)
    assert lengths[2] > lengths[6] > 0 == lengths[0]
    np.testing.assert_allclose(lengths[2] / lengths[6], 3.0)


def test_our_hog_is_scikit_images_up_to_rounding(cat):
    """ "Our hog and scikit-image's skimage.feature.hog compute the same thing ... orientations=9,
    pixels_per_cell=(8, 8), cells_per_block=(2, 2), block_norm="L2" ... The largest difference below is about 1e-7,
    on features that lie between 0 and 1". Aside: "our_hog.ravel() matches skimage.feature.hog(...,
    feature_vector=True), up to rounding, for the settings above." """
    grey = cat.mean(axis=2)
    ours = lo.features.hog(grey, cell_size=8, n_bins=9, block_size=2)
    options = dict(orientations=9, pixels_per_cell=(8, 8), cells_per_block=(2, 2), block_norm="L2")
    theirs = skimage.feature.hog(grey, feature_vector=False, **options)
    difference = np.abs(ours - theirs.reshape(ours.shape)).max()
    assert 1e-8 < difference < 1e-6  # about 1e-7
    assert ours.min() >= 0 and ours.max() <= 1
    assert np.abs(ours.ravel() - skimage.feature.hog(grey, feature_vector=True, **options)).max() < 1e-6


def test_answer_3_dimming_changes_the_colour_histogram_not_hog(cat):
    """Question 3: "Halve the photograph's contrast and shift its values up: every value becomes 0.5 × value + 60."
    Answer 3: "The colour histogram changes: every value moves, into the middle bins. HOG does not (up to
    rounding)." """
    dim = 0.5 * cat.astype(float) + 60
    assert dim.std() == pytest.approx(0.5 * cat.std())  # half the contrast
    assert dim.min() == 0.5 * cat.min() + 60 and dim.max() == 0.5 * cat.max() + 60  # values shifted up
    before, after = lo.features.color_histogram(cat), lo.features.color_histogram(dim)
    assert np.abs(after - before).max() > 0.1
    assert after[:, [0, 6, 7]].sum() == 0  # values 60..187.5 fill bins 1 to 5 of 0 to 7 only
    hog = lo.features.hog(cat.mean(axis=2), cell_size=8, n_bins=9, block_size=2)
    hog_dim = lo.features.hog(dim.mean(axis=2), cell_size=8, n_bins=9, block_size=2)
    assert np.abs(hog_dim - hog).max() < 1e-9


def test_each_image_becomes_8_numbers_whatever_its_size(cat):
    """ "Each image, whatever its size, becomes one vector of 8 numbers" (the bag of words); "The patches are the
    non-overlapping 8 × 8 patches of the grey cat, each shifted to mean 0 and scaled to length 1"."""
    grey = cat.mean(axis=2)
    patches = lo.features.image_patches(grey, patch_size=8)
    assert len(patches) == (grey.shape[0] // 8) * (grey.shape[1] // 8)  # non-overlapping: one per 8 x 8 tile
    tile = grey[:8, 8:16] - grey[:8, 8:16].mean()  # the second patch: rows 0-7, columns 8-15
    np.testing.assert_allclose(patches[1], (tile / np.linalg.norm(tile)).ravel())
    np.testing.assert_allclose(patches.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(patches, axis=1), 1)
    codebook = lo.features.kmeans(patches, 8, seed=0)
    brick = skimage.data.brick()
    assert grey.shape != brick.shape
    for image in (grey, brick):
        words = lo.features.bag_of_words(lo.features.image_patches(image, patch_size=8), codebook)
        assert words.shape == (8,)
        np.testing.assert_allclose(words.sum(), 1.0)


def test_try_3_shuffled_brick_changes_its_bag_of_words(cat):
    """Try this 3: shuffle the brick wall's pixels ... "its bag of words ... changes, because the patches are now
    noise." """
    codebook = lo.features.kmeans(lo.features.image_patches(cat.mean(axis=2), patch_size=8), 8, seed=0)
    brick = skimage.data.brick()
    rng = np.random.default_rng(0)
    shuffled = rng.permutation(brick.ravel()).reshape(brick.shape)
    before = lo.features.bag_of_words(lo.features.image_patches(brick, patch_size=8), codebook)
    after = lo.features.bag_of_words(lo.features.image_patches(shuffled, patch_size=8), codebook)
    assert np.abs(after - before).max() > 0.05


# ----------------------------------------------------------------------------
# Section 5: digits
# ----------------------------------------------------------------------------


def digits_run(hog_options, shift):
    """Section 5's two cells: raw pixels and HOG, then the test digits moved by ``shift`` pixels."""
    data = lo.datasets.digits(seed=0, standardize=False, bias=False)
    splits = {"train": data.X_train, "val": data.X_val, "test": data.X_test}
    images = {name: X.reshape(-1, 8, 8) for name, X in splits.items()}
    feature_sets = {
        "raw pixels": {name: im.reshape(len(im), -1) for name, im in images.items()},
        "HOG": {name: lo.features.hog_features(im, **hog_options) for name, im in images.items()},
    }
    moved = lo.features.shift_images(images["test"], shift)
    moved_features = {
        "raw pixels": moved.reshape(len(moved), -1),
        "HOG": lo.features.hog_features(moved, **hog_options),
    }
    result = {}
    for name, F in feature_sets.items():
        fitted = lo.features.fit_linear_on_features(F["train"], data.y_train, F["val"], data.y_val)
        result[name] = SimpleNamespace(
            test=fitted.score(F["test"], data.y_test), moved=fitted.score(moved_features[name], data.y_test)
        )
    return result


@pytest.fixture(scope="module")
def digits_default():
    return digits_run(HOG_OPTIONS, 1)


def test_on_digits_hog_and_raw_pixels_do_about_equally_well(digits_default):
    """ "On these digits HOG and raw pixels do about equally well (compare the test accuracies above)." """
    assert abs(digits_default["HOG"].test - digits_default["raw pixels"].test) <= 0.02
    assert min(r.test for r in digits_default.values()) > 0.9


def test_the_digits_description_says_what_the_notebook_quotes():
    """ "scikit-learn's description of the data set says they are "normalized bitmaps", and each of the 64 values
    counts the ink in a small block of a larger bitmap, which, in its words, "gives invariance to small
    distortions"." """
    from sklearn.datasets import load_digits

    description = " ".join(load_digits().DESCR.split())
    assert "normalized bitmaps of handwritten digits" in description
    assert "the number of on pixels are counted in each block" in description
    assert "gives invariance to small distortions" in description
    assert lo.datasets.digits(bias=False).X_train.shape[1] == 64


def test_answer_4_raw_pixels_lose_far_more_when_digits_move(digits_default):
    """Answer 4 and the sentence after it: "Raw pixels lose far more than HOG when the digits move by one pixel";
    "HOG loses accuracy too, only less." """
    raw, hog = digits_default["raw pixels"], digits_default["HOG"]
    raw_loss, hog_loss = raw.test - raw.moved, hog.test - hog.moved
    assert hog_loss > 0
    assert raw_loss > hog_loss + 0.15


def test_try_1_moving_left_also_hurts_raw_pixels_more():
    """Try this 1: "set shift = -1 ...: raw pixels again lose more than HOG." """
    run = digits_run(HOG_OPTIONS, -1)
    raw, hog = run["raw pixels"], run["HOG"]
    assert raw.test - raw.moved > hog.test - hog.moved + 0.1


def test_try_2_big_cells_make_hog_worse_than_raw_pixels():
    """Try this 2: "set hog_options = dict(cell_size=4, block_size=1): ... HOG's test accuracy falls below that of
    raw pixels." """
    run = digits_run(dict(cell_size=4, block_size=1), 1)
    assert run["HOG"].test < run["raw pixels"].test - 0.03


# ----------------------------------------------------------------------------
# The CIFAR-10 cell, with and without the archive
# ----------------------------------------------------------------------------


def run_cifar_cell(monkeypatch, loader, capsys):
    monkeypatch.setattr(lo.datasets, "cifar10", loader)
    exec(cell_containing("lo.datasets.cifar10("), {"lo": lo, "np": np})
    return capsys.readouterr().out


def test_cifar_cell_skips_with_a_clear_message(monkeypatch, capsys):
    """ "without it the cell says how to get it and skips." """

    def absent(**kwargs):
        raise lo.datasets.DatasetNotFoundError("not here")

    out = run_cifar_cell(monkeypatch, absent, capsys)
    assert "CIFAR-10 is not in" in out and "download=True" in out and "skipping" in out


def test_cifar_cell_compares_four_feature_sets_when_present(monkeypatch, capsys):
    """The CIFAR-10 comparison runs: raw pixels, colour histogram, HOG, both (on stand-in data of CIFAR's shape)."""
    rng = np.random.default_rng(0)

    def fake(**kwargs):
        images = rng.integers(0, 256, size=(3000, 32, 32, 3)).astype(np.float32)
        labels = rng.integers(0, 10, size=3000)
        return lo.datasets.CIFAR10(images[:2500], labels[:2500], images[2500:], labels[2500:], ("c",) * 10)

    out = run_cifar_cell(monkeypatch, fake, capsys)
    rows = out.strip().splitlines()[1:]
    assert [row[:24].strip() for row in rows] == ["raw pixels", "colour histogram", "HOG", "HOG + colour histogram"]
    assert [int(row[24:30]) for row in rows] == [3072, 24, 324, 348]
