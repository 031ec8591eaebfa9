"""The sentences of notebooks/09_image_features.ipynb that say what a plot, the explorer or a run shows.

Each test names the sentence it backs and does what the notebook does, with the same values.
"""

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pytest
import skimage.data
import skimage.feature

import lossopt as lo

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "09_image_features.ipynb"


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
    assert 'explorer = lo.widgets.FeatureExplorer(features="polar")' in cell_containing("FeatureExplorer(")
    assert "lo.features.kmeans(patches, 8, seed=0)" in cell_containing("kmeans(")


# ----------------------------------------------------------------------------
# Section 1: the explorer
# ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def explorer():
    return lo.widgets.FeatureExplorer(features="polar")


def test_the_explorer_opens_on_the_polar_view_in_the_saved_output():
    """ "It opens on the polar features": the explorer made as the notebook makes it shows the polar view, and so does
    the picture saved with the notebook (its readout, saved beside the PNG, names the view)."""
    explorer = lo.widgets.FeatureExplorer(features="polar")
    assert explorer.values["features"] == "polar"
    assert explorer.text.startswith("features: polar (r, θ)")
    assert explorer.figure.axes[1].get_xlabel().startswith("r =")  # the right-hand axes are (r, θ)
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    (cell,) = [c for c in cells if c["cell_type"] == "code" and "FeatureExplorer(" in "".join(c["source"])]
    (output,) = [o for o in cell["outputs"] if "image/png" in o.get("data", {})]
    assert "".join(output["data"]["text/plain"]).startswith("features: polar (r, θ)")


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
    """Answer 1: "On (x, y): no ... Every disc point lies between ring points, so a classifier that calls every ring
    point "ring" calls the disc "ring" too." Checked on the explorer's data: every disc point is inside the convex
    hull of the ring points (a mix of them with weights >= 0), so a half-plane that holds all the ring points holds
    it too."""
    from scipy.spatial import Delaunay

    ring, disc = explorer.X[explorer.y == 1], explorer.X[explorer.y == 0]
    assert (Delaunay(ring).find_simplex(disc) >= 0).all()
    # and the two classes do not overlap: no ring point is inside the disc points' hull
    assert (Delaunay(disc).find_simplex(ring) < 0).all()
    assert explorer.accuracy["raw"][0] < 1.0


def test_raw_boundary_is_a_line_and_hardly_beats_guessing(explorer):
    """ "Toggle to raw (x, y): the boundary is a straight line in the plane, and hardly more points are right than by
    guessing." """
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
    """ "With polar (r, θ) the boundary on the right is a straight line, yet on the left it goes around the disc, and
    every training and test point is right." """
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
    """ "The explorer trains one linear softmax classifier (lo.LinearClassifier) per choice of features, once." """
    raw, polar = explorer.models["raw"], explorer.models["polar"]
    assert raw is not polar
    for model in (raw, polar):
        assert isinstance(model, lo.LinearClassifier) and model.loss == "softmax"
        assert model.W_.shape == (3, 2)  # (x, y) or (r, θ), and the bias


def test_the_toggle_only_redraws(explorer):
    """ "... per choice of features, once": the toggle only redraws, it does not train again."""
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
    """Answer 2: "No. It counts how many pixels have each colour, not where they are." """
    rng = np.random.default_rng(0)
    shuffled = rng.permutation(cat.reshape(-1, 3)).reshape(cat.shape)
    assert not np.array_equal(shuffled, cat)
    np.testing.assert_array_equal(lo.features.color_histogram(shuffled), lo.features.color_histogram(cat, n_bins=8))


def test_the_hog_picture_marks_the_cell_with_the_most_gradient(cat):
    """ "Right: the bins of the marked cell, the one with the most gradient"; "In the middle, each cell of the framed
    part draws its 9 bins as segments"."""
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
    """ "a segment runs along the edge, at right angles to the gradient, longer when its bin holds more." """
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
    """ "Our hog agrees with scikit-image's asked for the same (block_norm="L2")": the cell prints that the largest
    difference is below 1e-6, on features that lie between 0 and 1; and in scikit-image's order too."""
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
    Answer 3: "The colour histogram changes: values move into the middle bins. HOG does not (up to rounding)"; the
    cell prints both."""
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
    """ "Each image, whatever its size, becomes one vector of 8 numbers" (the bag of words); "the 8 × 8 patches of
    the grey cat, each shifted to mean 0 and scaled to length 1"."""
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


def run_cells(*markers, replace=(), namespace=None):
    """Exec the notebook's code cells that contain ``markers``, in order, with ``(old, new)`` text replacements."""
    namespace = {"lo": lo, "np": np} if namespace is None else namespace
    for marker in markers:
        source = cell_containing(marker)
        for old, new in replace:
            source = source.replace(old, new)
        exec(source, namespace)
    return namespace


SEARCH_CELLS = (
    "data = lo.datasets.digits(",
    "hyperparameter_search = None",
    "def solution_07(",
    "learning_rates = [0.1",
)


def digits_run(hog_options="dict(cell_size=2, block_size=2)", shift=1):
    """Section 5's cells as the notebook runs them (search, then the moved digits), with a try-this's settings.

    Returns {features: (test accuracy, moved accuracy)} and the namespace.
    """
    replace = [("hog_options = dict(cell_size=2, block_size=2)", f"hog_options = {hog_options}")]
    replace += [("shift = 1  #", f"shift = {shift}  #")]
    with contextlib.redirect_stdout(io.StringIO()):
        ns = run_cells(*SEARCH_CELLS, "shift = 1", replace=replace)
    accuracy = {}
    for name, model in ns["classifiers"].items():
        moved = ns["standardize"](ns["train_features"][name], ns["features"](name, ns["moved"]))
        accuracy[name] = (
            model.score(ns["feature_sets"][name]["test"], ns["data"].y_test),
            model.score(moved, ns["data"].y_test),
        )
    return accuracy, ns


@pytest.fixture(scope="module")
def digits_default():
    return digits_run()


def test_section_5_standardizes_as_features_ipynb_and_uses_the_stand_in_until_one_is_pasted(digits_default):
    """ "each feature is standardized with the training split's statistics and gets the bias column"; "Paste your
    solved hyperparameter_search ... Until then, notebook 07's solution stands in." """
    _, ns = digits_default
    for F in ns["feature_sets"].values():
        np.testing.assert_allclose(F["train"][:, :-1].mean(axis=0), 0, atol=1e-9)
        spread = F["train"][:, :-1].std(axis=0)
        assert np.all(np.isclose(spread, 1) | np.isclose(spread, 0))  # constant pixels stay 0
        assert np.all(F["test"][:, -1] == 1)  # the bias column
    assert ns["search"] is ns["solution_07"]
    calls = []

    def pasted(*args, **kwargs):  # what a student pastes: the search below must use it
        calls.append(args[4:6])
        return ns["solution_07"](*args, **kwargs)

    with contextlib.redirect_stdout(io.StringIO()) as out:
        run_cells("def solution_07(", "learning_rates = [0.1", namespace={**ns, "hyperparameter_search": pasted})
    assert "your hyperparameter_search" in out.getvalue()
    assert calls == [([0.1, 0.3, 1.0], [1e-4, 1e-2])] * 2


def test_the_stand_in_is_a_correct_hyperparameter_search(digits_default):
    """ "notebook 07's solution stands in": the checker of notebook 07's exercise passes it."""
    _, ns = digits_default
    if "hyperparameter_search" not in lo.exercises.names():
        pytest.skip("the hyperparameter_search checker has not landed")
    result = lo.exercises.check("hyperparameter_search", ns["solution_07"])
    assert result.passed, result.message


def test_on_digits_hog_and_raw_pixels_do_about_equally_well(digits_default):
    """ "HOG and raw pixels do about equally well (the test accuracies above)." """
    accuracy, _ = digits_default
    assert abs(accuracy["HOG"][0] - accuracy["raw pixels"][0]) <= 0.02
    assert min(test for test, _ in accuracy.values()) > 0.9


def test_the_digits_description_says_what_the_notebook_quotes():
    """ "scikit-learn's description calls them "normalized bitmaps", each value counting the ink in a block of a
    larger bitmap, which "gives invariance to small distortions"." """
    from sklearn.datasets import load_digits

    description = " ".join(load_digits().DESCR.split())
    assert "normalized bitmaps of handwritten digits" in description
    assert "the number of on pixels are counted in each block" in description
    assert "gives invariance to small distortions" in description
    assert lo.datasets.digits(bias=False).X_train.shape[1] == 64


def test_answer_4_raw_pixels_lose_far_more_when_digits_move(digits_default):
    """Answer 4 and the summary: moved by one pixel, "raw pixels lose far more"; "HOG loses accuracy too, only
    less." """
    accuracy, _ = digits_default
    (raw_test, raw_moved), (hog_test, hog_moved) = accuracy["raw pixels"], accuracy["HOG"]
    assert hog_test - hog_moved > 0
    assert raw_test - raw_moved > hog_test - hog_moved + 0.15


def test_try_1_moving_left_also_hurts_raw_pixels_more():
    """Try this 1: "set shift = -1: raw pixels again lose more than HOG." """
    accuracy, _ = digits_run(shift=-1)
    (raw_test, raw_moved), (hog_test, hog_moved) = accuracy["raw pixels"], accuracy["HOG"]
    assert raw_test - raw_moved > hog_test - hog_moved + 0.1


def test_try_2_big_cells_make_hog_worse_than_raw_pixels():
    """Try this 2: "set hog_options = dict(cell_size=4, block_size=1): HOG's test accuracy falls below raw
    pixels'." """
    accuracy, _ = digits_run(hog_options="dict(cell_size=4, block_size=1)")
    assert accuracy["HOG"][0] < accuracy["raw pixels"][0] - 0.03


# ----------------------------------------------------------------------------
# The CIFAR-10 cell, with and without the archive
# ----------------------------------------------------------------------------


def run_cifar_cell(monkeypatch, loader, capsys, digits_default):
    monkeypatch.setattr(lo.datasets, "cifar10", loader)
    _, ns = digits_default
    exec(
        cell_containing("lo.datasets.cifar10("),
        {"lo": lo, "np": np, "search": ns["solution_07"], "standardize": ns["standardize"]},
    )
    return capsys.readouterr().out


def test_cifar_cell_skips_with_a_clear_message(monkeypatch, capsys, digits_default):
    """ "Without the CIFAR-10 archive, the cell says how to get it and skips." """

    def absent(**kwargs):
        raise lo.datasets.DatasetNotFoundError("not here")

    out = run_cifar_cell(monkeypatch, absent, capsys, digits_default)
    assert "CIFAR-10 is not in" in out and "download=True" in out and "skipping" in out


def test_cifar_cell_tunes_colour_histogram_plus_hog_when_present(monkeypatch, capsys, digits_default):
    """ "HOG and colour histogram side by side, tuned with your search, on 2000 training, 500 validation and 500
    test images" (on stand-in data of CIFAR's shape), beside raw pixels."""
    rng = np.random.default_rng(0)
    sizes = []

    def fake(**kwargs):
        images = rng.integers(0, 256, size=(3000, 32, 32, 3)).astype(np.float32)
        labels = rng.integers(0, 10, size=3000)
        return lo.datasets.CIFAR10(images[:2500], labels[:2500], images[2500:], labels[2500:], ("c",) * 10)

    def search(X_train, y_train, X_val, y_val, *args):
        sizes.append((len(X_train), len(X_val)))
        return (0.01, 1e-4), {(0.01, 1e-4): (0.0, 0.0)}

    monkeypatch.setitem(digits_default[1], "solution_07", search)
    out = run_cifar_cell(monkeypatch, fake, capsys, digits_default)
    rows = out.strip().splitlines()[1:]
    assert [row[:24].strip() for row in rows] == ["raw pixels", "HOG + colour histogram"]
    assert [int(row[24:30]) for row in rows] == [3072, 324 + 24]
    assert sizes == [(2000, 500)] * 2
