"""Data sets: the lecture's examples, toy sets, digits, and the CIFAR-10 loader on small archives."""

import hashlib
import io
import pickle
import tarfile

import numpy as np
import pytest

import lossopt as lo
from lossopt import datasets

# --- small sets ----------------------------------------------------------------


def test_toy_2d_is_the_web_demos_nine_points():
    X, y = lo.datasets.toy_2d()
    assert X.shape == (9, 2)
    np.testing.assert_array_equal(y, [0, 0, 0, 1, 1, 1, 2, 2, 2])
    np.testing.assert_array_equal(X[y == 0], [[0.5, 0.4], [0.8, 0.3], [0.3, 0.8]])
    np.testing.assert_array_equal(X[y == 1], [[-0.4, 0.3], [-0.3, 0.7], [-0.7, 0.2]])
    np.testing.assert_array_equal(X[y == 2], [[0.7, -0.4], [0.5, -0.6], [-0.4, -0.5]])


def test_blobs_with_outliers_puts_class_0_points_beyond_the_other_classes():
    X, y, is_outlier = lo.datasets.blobs_with_outliers(30, 4, seed=0)
    assert X.shape == (94, 2) and y.shape == is_outlier.shape == (94,)
    np.testing.assert_array_equal(is_outlier, np.arange(94) >= 90)
    np.testing.assert_array_equal(y[is_outlier], 0)
    blob_X, blob_y = lo.datasets.blobs(30, 3, spread=0.7, seed=0)
    np.testing.assert_array_equal(X[:90], blob_X)  # the blobs themselves, unchanged
    np.testing.assert_array_equal(y[:90], blob_y)
    assert np.linalg.norm(X[is_outlier] - [-6.0, 0.0], axis=1).max() < 2.0  # out on the far side
    assert X[~is_outlier][:, 0].min() > X[is_outlier][:, 0].max()
    # The blobs do not move with the number of outliers (a separate random stream).
    np.testing.assert_array_equal(lo.datasets.blobs_with_outliers(30, 7, seed=0)[0][:94], X)


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("nine points", lambda: lo.datasets.toy_2d()),
        ("blobs", lambda: lo.datasets.blobs(20, 3, seed=5)),
        ("spiral", lambda: lo.datasets.spiral(20, 3, seed=5)),
    ],
)
def test_make_dataset_names_the_toy_sets(name, make):
    X, y = lo.datasets.make_dataset(name, n_per_class=20, seed=5)
    expected_X, expected_y = make()
    np.testing.assert_array_equal(X, expected_X)
    np.testing.assert_array_equal(y, expected_y)


def test_make_dataset_adds_and_removes_points_stably():
    nine, labels = lo.datasets.toy_2d()
    X2, y2 = lo.datasets.make_dataset("nine points", extra=2)
    assert len(y2) == 11
    np.testing.assert_array_equal(X2[:9], nine)
    np.testing.assert_array_equal(y2[:9], labels)
    assert ((X2[9:] >= nine.min(axis=0)) & (X2[9:] <= nine.max(axis=0))).all()  # inside the data's box
    assert set(y2[9:]) <= {0, 1, 2}
    X3, _ = lo.datasets.make_dataset("nine points", extra=3)
    np.testing.assert_array_equal(X3[:11], X2)  # one more point, the others unchanged
    X_removed, y_removed = lo.datasets.make_dataset("nine points", extra=-4)
    assert len(y_removed) == 5
    np.testing.assert_array_equal(X_removed, lo.datasets.make_dataset("nine points", extra=-4)[0])
    assert {tuple(p) for p in X_removed} < {tuple(p) for p in nine}
    assert len(lo.datasets.make_dataset("nine points", extra=-100)[1]) == 3  # at least three points stay
    with pytest.raises(ValueError, match="name"):
        lo.datasets.make_dataset("moons")


@pytest.mark.parametrize("make", [lo.datasets.spiral, lo.datasets.blobs])
def test_toy_sets_are_seeded(make):
    X, y = make(20, 4, seed=7)
    assert X.shape == (80, 2)
    np.testing.assert_array_equal(np.bincount(y), [20] * 4)
    again, _ = make(20, 4, seed=7)
    other, _ = make(20, 4, seed=8)
    np.testing.assert_array_equal(X, again)
    assert not np.array_equal(X, other)


def test_spiral_is_not_linearly_separable_but_blobs_are():
    for make, low, high in ((lo.datasets.spiral, 0.3, 0.7), (lo.datasets.blobs, 0.95, 1.0)):
        X, y = make(100, 3, seed=0)
        Xb = lo.datasets.add_bias(X)
        model = lo.LinearClassifier("softmax", lr=0.5, epochs=50, batch_size=50, seed=0, verbose=False).fit(Xb, y)
        assert low <= model.score(Xb, y) <= high, make.__name__


def test_add_bias_appends_ones():
    Xb = lo.datasets.add_bias(np.zeros((3, 2), dtype=np.float32))
    assert Xb.dtype == np.float32
    np.testing.assert_array_equal(Xb[:, -1], 1)
    assert Xb.shape == (3, 3)


def test_digits_split_standardized_on_training_only():
    data = lo.datasets.digits(seed=0)
    assert [len(data.y_train), len(data.y_val), len(data.y_test)] == [1197, 300, 300]
    assert data.X_train.shape == (1197, 65)
    np.testing.assert_array_equal(data.X_val[:, -1], 1)  # the bias column
    pixels = data.X_train[:, :-1]
    varying = pixels.std(axis=0) > 0
    np.testing.assert_allclose(pixels.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(pixels[:, varying].std(axis=0), 1)
    assert abs(data.X_val[:, :-1].mean()) > 1e-6  # not re-standardized on its own statistics
    assert set(np.unique(data.y_train)) == set(range(10))


def test_digits_options_and_seed():
    raw = lo.datasets.digits(seed=1, bias=False, standardize=False, dtype=np.float32)
    assert raw.X_train.shape == (1197, 64)
    assert raw.X_train.dtype == np.float32
    assert raw.X_train.max() == 16
    again = lo.datasets.digits(seed=1, bias=False, standardize=False, dtype=np.float32)
    other = lo.datasets.digits(seed=2, bias=False, standardize=False, dtype=np.float32)
    np.testing.assert_array_equal(raw.y_test, again.y_test)
    assert not np.array_equal(raw.y_test, other.y_test)


# --- CIFAR-10 on archives the tests build in the official format -----------------


def make_cifar_archive(path, *, images_per_batch=4, extra_member=None, skip=None):
    """Write a tiny cifar-10-python.tar.gz: same folder, file names and pickled dicts as the real one.

    Returns the batches ``{name: (data, labels)}``, the archive's md5 and the md5 of each batch file.
    """
    rng = np.random.default_rng(0)
    batches, batch_md5 = {}, {}
    with tarfile.open(path, "w:gz") as tar:

        def add(name, payload):
            data = pickle.dumps(payload, protocol=2)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            return hashlib.md5(data).hexdigest()

        for name in datasets.CIFAR10_BATCHES:
            data = rng.integers(0, 256, (images_per_batch, 3072), dtype=np.uint8)
            labels = rng.integers(0, 10, images_per_batch).tolist()
            batches[name] = (data, labels)
            if name == skip:
                continue
            batch_md5[name] = add(name, {b"data": data, b"labels": labels, b"batch_label": name.encode()})
        add("batches.meta", {b"label_names": [b"airplane"] * 10})
        if extra_member is not None:
            info = tarfile.TarInfo(extra_member)
            info.size = 1
            tar.addfile(info, io.BytesIO(b"x"))
    return batches, hashlib.md5(path.read_bytes()).hexdigest(), batch_md5


def test_cifar10_loads_an_archive_in_the_official_format(tmp_path):
    archive = tmp_path / datasets.CIFAR10_ARCHIVE
    batches, md5, batch_md5 = make_cifar_archive(archive)
    data = lo.datasets.cifar10(tmp_path, md5=md5, batch_md5=batch_md5)
    assert data.X_train.shape == (20, 32, 32, 3)
    assert data.X_test.shape == (4, 32, 32, 3)
    assert data.X_train.dtype == np.float64
    assert data.class_names[0] == "plane"
    raw, labels = batches["data_batch_2"]
    np.testing.assert_array_equal(data.y_train[4:8], labels)
    # Each row is 1024 red, then 1024 green, then 1024 blue values, row-major.
    image = data.X_train[4]
    assert image[0, 0, 0] == raw[0, 0]  # red, top-left
    assert image[0, 1, 0] == raw[0, 1]  # red, next pixel to the right
    assert image[1, 0, 1] == raw[0, 1024 + 32]  # green, second row
    assert image[31, 31, 2] == raw[0, 3071]  # blue, bottom-right
    # A second call reads the extracted folder, not the archive.
    archive.unlink()
    np.testing.assert_array_equal(lo.datasets.cifar10(tmp_path, md5=md5, dtype=np.float32).y_test, data.y_test)


def test_cifar10_refuses_a_wrong_md5_and_extracts_nothing(tmp_path):
    make_cifar_archive(tmp_path / datasets.CIFAR10_ARCHIVE)
    with pytest.raises(ValueError, match="corrupt or not the official archive") as caught:
        lo.datasets.cifar10(tmp_path)  # the official md5
    assert "place a good copy at" in str(caught.value)
    assert not (tmp_path / datasets.CIFAR10_FOLDER).exists()


@pytest.mark.parametrize("member", ["../x", "cifar-10-batches-py/../../x", "/tmp/lossopt-absolute-x"])
def test_cifar10_refuses_members_outside_the_folder(tmp_path, member):
    root = tmp_path / "data"
    root.mkdir()
    _, md5, batch_md5 = make_cifar_archive(root / datasets.CIFAR10_ARCHIVE, extra_member=member)
    with pytest.raises(ValueError, match=r"refusing to extract .* outside cifar-10-batches-py"):
        lo.datasets.cifar10(root, md5=md5, batch_md5=batch_md5)
    assert not (tmp_path / "x").exists()
    assert not (root / datasets.CIFAR10_FOLDER).exists()
    assert sorted(p.name for p in root.iterdir() if p.suffix != ".lock") == [datasets.CIFAR10_ARCHIVE]  # no scratch


def test_cifar10_absent_without_download_says_how_to_get_it(tmp_path):
    with pytest.raises(lo.datasets.DatasetNotFoundError) as caught:
        lo.datasets.cifar10(tmp_path)
    message = str(caught.value)
    assert "download=True" in message
    assert str(tmp_path / datasets.CIFAR10_ARCHIVE) in message
    assert datasets.CIFAR10_MD5 in message


def test_cifar10_offline_download_gives_one_clear_error(tmp_path):
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    with pytest.raises(lo.datasets.DatasetNotFoundError, match="download failed") as caught:
        lo.datasets.cifar10(tmp_path, download=True, url="http://127.0.0.1:9/cifar-10-python.tar.gz")
    assert "place it at" in str(caught.value)
    assert [p.name for p in tmp_path.iterdir()] == [".cifar10.lock"]  # no partial file under any name


def test_cifar10_download_verifies_then_renames(tmp_path):
    source = tmp_path / "mirror" / datasets.CIFAR10_ARCHIVE
    source.parent.mkdir()
    _, md5, batch_md5 = make_cifar_archive(source)
    root = tmp_path / "cache"
    data = lo.datasets.cifar10(root, download=True, url=source.as_uri(), md5=md5, batch_md5=batch_md5)
    assert data.X_train.shape == (20, 32, 32, 3)
    assert sorted(p.name for p in root.iterdir()) == sorted(
        [".cifar10.lock", datasets.CIFAR10_ARCHIVE, datasets.CIFAR10_FOLDER]
    )


def test_cifar10_corrupt_download_is_not_kept(tmp_path):
    source = tmp_path / "mirror.tar.gz"
    make_cifar_archive(source)
    root = tmp_path / "cache"
    with pytest.raises(ValueError, match="corrupt"):
        lo.datasets.cifar10(root, download=True, url=source.as_uri(), md5="0" * 32)
    assert [p.name for p in root.iterdir()] == [".cifar10.lock"]


def test_default_data_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LOSSOPT_DATA", str(tmp_path / "here"))
    assert lo.datasets.default_data_dir() == tmp_path / "here"
    monkeypatch.delenv("LOSSOPT_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert lo.datasets.default_data_dir() == tmp_path / "lossopt"
