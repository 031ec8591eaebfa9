"""The feature explorer (lossopt.widgets.features), driven headlessly."""

import numpy as np
import pytest

import lossopt as lo


@pytest.fixture(scope="module")
def explorer():
    return lo.widgets.FeatureExplorer()


def picture(explorer):
    """The PNG shown (``png`` in the reworked base, ``image.value`` before it)."""
    png = getattr(explorer, "png", None)
    return bytes(png if png is not None else explorer.image.value)


def regions_of(ax):
    (image,) = ax.get_images()
    return np.asarray(image.get_array())


def on_circle(radius, n=72):
    angles = np.linspace(-np.pi, np.pi, n, endpoint=False)
    return radius * np.column_stack([np.cos(angles), np.sin(angles)])


def test_starts_raw_and_the_readout_gives_both_accuracies(explorer):
    explorer.controls["features"].value = "raw"
    assert explorer.text.startswith("features: raw (x, y)")
    for name, label in (("raw", "raw (x, y)"), ("polar", "polar (r, θ)")):
        train, test = explorer.accuracy[name]
        assert f"{label}: training {train:.1%}, test {test:.1%}" in explorer.text
    assert picture(explorer)[:4] == b"\x89PNG"


def test_accuracies_are_what_the_models_score(explorer):
    for name in ("raw", "polar"):
        model = explorer.models[name]
        assert explorer.accuracy[name][0] == model.score(explorer._design(name, explorer.X), explorer.y)
        assert explorer.accuracy[name][1] == np.mean(explorer.predict(explorer.X_test, name) == explorer.y_test)


def test_no_line_separates_the_raw_points_but_the_polar_features_do(explorer):
    raw_train, raw_test = explorer.accuracy["raw"]
    assert raw_train <= 0.65 and raw_test <= 0.65  # hardly more than guessing (half the points are the disc)
    assert explorer.accuracy["polar"] == (1.0, 1.0)


def test_polar_regions_are_a_disc_drawn_back_in_the_plane(explorer):
    explorer.controls["features"].value = "polar"
    ax_plane, ax_features = explorer.figure.axes
    assert (explorer.predict(on_circle(0.3)) == 0).all()  # every direction: inside is the disc class ...
    assert (explorer.predict(on_circle(1.0)) == 1).all()  # ... and around it the ring class
    # The left picture is those predictions over the plane's grid.
    xx, _, grid = lo.plots.grid_over(explorer.X, resolution=150)
    np.testing.assert_array_equal(regions_of(ax_plane), explorer.predict(grid).reshape(xx.shape))
    assert ax_features.get_xlabel().startswith("r") and ax_features.get_ylabel().startswith("θ")


def test_in_feature_space_the_boundary_is_straight(explorer):
    for name in ("raw", "polar"):
        explorer.controls["features"].value = name
        _, ax_features = explorer.figure.axes
        regions = regions_of(ax_features)
        W = explorer.models[name].W_  # (3, 2) with the bias row
        # Two classes: the boundary is where the score difference is 0, a straight line in the features.
        F = lo.features.polar_features(explorer.X) if name == "polar" else explorer.X
        xx, _, grid = lo.plots.grid_over(F, resolution=150)
        mean, scale = explorer._scaling[name]
        diff = lo.datasets.add_bias((grid - mean) / scale) @ (W[:, 1] - W[:, 0])
        np.testing.assert_array_equal(regions, (diff > 0).reshape(xx.shape).astype(int))


def test_raw_regions_in_the_plane_split_it_by_a_line(explorer):
    explorer.controls["features"].value = "raw"
    ax_plane, _ = explorer.figure.axes
    regions = regions_of(ax_plane)
    assert set(np.unique(regions)) <= {0, 1}
    # Along any row of the grid the prediction changes at most once (a half-plane per class).
    assert (np.abs(np.diff(regions, axis=1)).sum(axis=1) <= 1).all()
    assert (np.abs(np.diff(regions, axis=0)).sum(axis=0) <= 1).all()


def test_toggling_redraws_without_retraining(explorer):
    models = dict(explorer.models)
    explorer.controls["features"].value = "raw"
    raw_png = picture(explorer)
    explorer.controls["features"].value = "polar"
    assert picture(explorer) != raw_png
    assert explorer.text.startswith("features: polar (r, θ)")
    assert all(explorer.models[name] is models[name] for name in models)


def test_every_panel_is_labelled(explorer):
    for name in ("raw", "polar"):
        explorer.controls["features"].value = name
        for ax in explorer.figure.axes:
            assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        assert explorer.figure.axes[1].get_legend() is not None


def test_bad_arguments_are_refused_by_name():
    with pytest.raises(ValueError, match="features"):
        lo.widgets.FeatureExplorer("cartesian")
    with pytest.raises(ValueError, match="n_per_class"):
        lo.widgets.FeatureExplorer(n_per_class=0)
    with pytest.raises(TypeError, match="seed"):
        lo.widgets.FeatureExplorer(seed="0")
    with pytest.raises(TypeError, match="seed"):
        lo.datasets.disc_and_ring(10, seed=1.5)
