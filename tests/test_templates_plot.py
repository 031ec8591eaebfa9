"""plot_templates and plot_search_heatmap: the pictures show exactly the weights and scores given.

Also notebook 07's CIFAR-10 cells, which draw colour templates, on a tiny fake CIFAR-10 folder and on none.
"""

import contextlib
import io
import pickle
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest

import lossopt as lo

NOTEBOOK_07 = Path(__file__).resolve().parents[1] / "notebooks" / "07_sgd_training.ipynb"


def test_grey_templates_are_the_weight_columns_without_the_bias(rng):
    W = rng.standard_normal((65, 10))  # 8 x 8 pixels and a bias row
    W[64] = 100.0  # a bias far outside the weights: it must not set the grey scale
    axes = lo.plots.plot_templates(W, class_names=[str(k) for k in range(10)])
    assert len(axes) == 10
    for k, ax in enumerate(axes):
        (image,) = ax.get_images()
        np.testing.assert_array_equal(image.get_array(), W[:64, k].reshape(8, 8))
        bound = np.abs(W[:64]).max()
        assert image.get_clim() == (-bound, bound)  # one scale for every class, centred at 0: white is a weight of 0
        assert image.get_cmap().name == "RdBu_r"  # diverging
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


def test_heatmap_colour_scale_can_start_near_the_best():
    scores = np.array([[0.5, 0.95], [0.97, 0.96]])
    ax = lo.plots.plot_search_heatmap(scores, [1e-3, 1e-2], [0.1, 1.0], vmin=0.9)
    assert ax.get_images()[0].get_clim() == (0.9, 0.97)
    colours = {t.get_text(): t.get_color() for t in ax.texts}
    assert colours["0.500"] == "white" and colours["0.970"] == "black"  # dark cells get light text


def test_heatmap_refuses_a_grid_of_the_wrong_shape():
    with pytest.raises(ValueError, match="shape"):
        lo.plots.plot_search_heatmap(np.zeros((2, 3)), [1, 2, 3], [1, 2])


def run_cifar_cells(monkeypatch, data_dir):
    """Run notebook 07's cells tagged "cifar10" with LOSSOPT_DATA = data_dir; return (namespace, stdout)."""
    monkeypatch.setenv("LOSSOPT_DATA", str(data_dir))
    monkeypatch.setattr(plt, "show", lambda: None)  # keep the figure to inspect (and Agg cannot show)
    notebook = nbformat.read(NOTEBOOK_07, as_version=4)
    sources = [cell.source for cell in notebook.cells if "cifar10" in cell.metadata.get("tags", [])]
    assert len(sources) == 2, "notebook 07 should have two cells tagged cifar10: load, then train and draw"
    namespace = {"lo": lo, "np": np, "plt": plt}
    with contextlib.redirect_stdout(io.StringIO()) as out:
        for source in sources:
            exec(compile(source, str(NOTEBOOK_07), "exec"), namespace)
    return namespace, out.getvalue()


def test_notebook07_skips_cifar10_with_one_line_when_it_is_absent(tmp_path, monkeypatch):
    namespace, out = run_cifar_cells(monkeypatch, tmp_path)
    assert namespace["cifar"] is None
    assert out.count("\n") == 1 and "cifar10(download=True)" in out and str(tmp_path) in out
    assert not plt.get_fignums()


def test_notebook07_cifar10_branch_on_a_tiny_fake_archive(tmp_path, monkeypatch):
    # The official folder layout with 5 x 220 training and 50 test images: the notebook keeps the
    # last 1000 training images to validate, so 100 remain to train on.
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name, n in [*((f"data_batch_{k}", 220) for k in range(1, 6)), ("test_batch", 50)]:
        batch = {b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8), b"labels": rng.integers(0, 10, n).tolist()}
        (folder / name).write_bytes(pickle.dumps(batch))

    class ShortRun(lo.LinearClassifier):
        """The notebook's classifier with 30 steps instead of its 1500: the branch's logic is under test, not SGD."""

        def __init__(self, *args, num_iters, **kwargs):
            self.asked_steps = num_iters
            super().__init__(*args, num_iters=30, **kwargs)

    monkeypatch.setattr(lo, "LinearClassifier", ShortRun)
    namespace, out = run_cifar_cells(monkeypatch, tmp_path)
    model = namespace["cifar_svm"]
    assert (model.loss, model.lr, model.reg, model.batch_size, model.asked_steps) == ("svm", 1e-7, 2.5e4, 200, 1500)
    assert model.W_.shape == (32 * 32 * 3 + 1, 10) and len(model.loss_history_) == 30
    assert namespace["X_cifar_train"].shape == (100, 3073) and namespace["X_cifar_val"].shape == (1000, 3073)
    assert abs(namespace["X_cifar_train"][:, :-1].mean(axis=0)).max() < 1e-3  # the mean image is subtracted
    val = model.score(namespace["X_cifar_val"], namespace["y_cifar_val"])
    assert f"validation accuracy {val:.3f}" in out and "0.39" in out
    axes = plt.gcf().axes
    assert [ax.get_title() for ax in axes] == list(lo.datasets.CIFAR10_CLASSES)
    np.testing.assert_allclose(axes[0].get_images()[0].get_array().shape, (32, 32, 3))
