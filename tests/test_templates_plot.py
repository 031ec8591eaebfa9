"""plot_templates and plot_search_heatmap: the pictures show exactly the weights and scores given."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

import lossopt as lo


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_grey_templates_are_the_weight_columns_without_the_bias(rng):
    W = rng.standard_normal((65, 10))  # 8 x 8 pixels and a bias row
    W[64] = 100.0  # a bias far outside the weights: it must not set the grey scale
    axes = lo.plots.plot_templates(W, class_names=[str(k) for k in range(10)])
    assert len(axes) == 10
    for k, ax in enumerate(axes):
        (image,) = ax.get_images()
        np.testing.assert_array_equal(image.get_array(), W[:64, k].reshape(8, 8))
        assert image.get_clim() == (W[:64].min(), W[:64].max())  # one scale for every class
        assert ax.get_title() == str(k)
    assert axes[0].figure.get_suptitle()


def test_colour_templates_share_one_map_onto_rgb(rng):
    W = rng.standard_normal((32 * 32 * 3 + 1, 3))
    axes = lo.plots.plot_templates(W, image_shape=(32, 32, 3), class_names=["plane", "car", "bird"])
    weights = W[:-1]
    for k, ax in enumerate(axes):
        rgb = ax.get_images()[0].get_array()
        assert rgb.shape == (32, 32, 3)
        expected = (weights[:, k].reshape(32, 32, 3) - weights.min()) / (weights.max() - weights.min())
        np.testing.assert_allclose(rgb, expected)
    assert axes[1].get_title() == "car"


def test_template_images_reshape_in_flattening_order():
    images = np.arange(2 * 3 * 4 * 3).reshape(2, 3, 4, 3)  # two colour images as (n, h, w, 3)
    W = images.reshape(2, -1).T.astype(float)  # what X.reshape(n, -1) @ W learns against
    np.testing.assert_array_equal(lo.plots.template_images(W, (3, 4, 3)), images)


@pytest.mark.parametrize(
    ("shape", "image_shape", "message"), [((63, 10), (8, 8), "64 pixels"), ((65, 10), (8, 8, 2), "image_shape")]
)
def test_templates_refuse_shapes_that_do_not_fit(shape, image_shape, message):
    with pytest.raises(ValueError, match=message):
        lo.plots.plot_templates(np.zeros(shape), image_shape=image_shape)


def test_heatmap_writes_every_score_and_frames_the_best():
    regs, lrs = [1e-4, 1e-3, 1e-2], [0.1, 1.0]
    scores = np.array([[0.91, 0.95], [0.97, np.nan], [0.90, 0.93]])
    ax = lo.plots.plot_search_heatmap(scores, regs, lrs)
    texts = {(round(t.get_position()[0]), round(t.get_position()[1])): t.get_text() for t in ax.texts}
    assert texts == {(j, i): ("n/a" if np.isnan(s) else f"{s:.3f}") for (i, j), s in np.ndenumerate(scores)}
    (frame,) = ax.patches
    assert frame.get_xy() == (0 - 0.5, 1 - 0.5)  # column of lr 0.1, row of reg 1e-3
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.1", "1"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0.0001", "0.001", "0.01"]
    assert ax.get_title() and ax.get_xlabel() == "learning rate" and "λ" in ax.get_ylabel()


def test_heatmap_refuses_a_grid_of_the_wrong_shape():
    with pytest.raises(ValueError, match="shape"):
        lo.plots.plot_search_heatmap(np.zeros((2, 3)), [1, 2, 3], [1, 2])
