"""The CIFAR-10 loader against untrusted files, two processes at once, killed downloads and damaged folders.

Every archive here is built by the tests in the official layout (tests.test_datasets.make_cifar_archive).
"""

import codecs
import gzip
import hashlib
import http.server
import io
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tarfile
import textwrap
import threading
import time

import numpy as np
import pytest

import lossopt as lo
from lossopt import datasets
from tests.test_datasets import make_cifar_archive

ARCHIVE, FOLDER = datasets.CIFAR10_ARCHIVE, datasets.CIFAR10_FOLDER
ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def names_in(path):
    """What a folder holds, less the lock file that lets processes take turns."""
    return sorted(p.name for p in path.iterdir() if p.name != ".cifar10.lock")


@pytest.fixture
def tiny(tmp_path):
    """A good tiny archive in tmp_path / "mirror": (path, md5, batch md5s)."""
    (tmp_path / "mirror").mkdir()
    path = tmp_path / "mirror" / ARCHIVE
    _, md5, batch_md5 = make_cifar_archive(path, images_per_batch=50)
    return path, md5, batch_md5


# --- two processes at once ----------------------------------------------------------------------

WORKER = textwrap.dedent(
    """
    import json, pathlib, sys, time
    import lossopt.datasets as d
    config = json.loads(sys.argv[1])
    print("ready", flush=True)
    for k, root in enumerate(config["roots"]):
        go = pathlib.Path(config["control"]) / f"go{k}"
        while not go.exists():
            time.sleep(0.0005)
        try:
            data = d.cifar10(root, download=config["download"], url=config["url"], md5=config["md5"],
                             batch_md5=config["batch_md5"])
            print("ok", int(data.X_train.sum()), flush=True)
        except Exception as error:
            print("error", type(error).__name__, str(error).replace("\\n", " "), flush=True)
    """
)


@pytest.mark.parametrize("download", [False, True], ids=["archive in place", "both download"])
def test_two_processes_loading_at_once_both_succeed(tmp_path, tiny, download):
    """Two real processes load into one folder at the same instant, three times: both get the data, nothing is left."""
    source, md5, batch_md5 = tiny
    trials = 3  # the lock serializes them; a few trials show that both still get whole data
    roots = [tmp_path / f"root{k}" for k in range(trials)]
    for root in roots:
        root.mkdir()
        if not download:
            (root / ARCHIVE).write_bytes(source.read_bytes())
    control = tmp_path / "control"
    control.mkdir()
    config = {"roots": [str(r) for r in roots], "control": str(control), "download": download,
              "url": source.as_uri(), "md5": md5, "batch_md5": batch_md5}  # fmt: skip
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER, json.dumps(config)], stdout=subprocess.PIPE, text=True, env=ENV)
        for _ in range(2)
    ]
    try:
        assert [w.stdout.readline().strip() for w in workers] == ["ready", "ready"]
        expected = int(lo.datasets.cifar10(source.parent, md5=md5, batch_md5=batch_md5).X_train.sum())
        for k, root in enumerate(roots):
            (control / f"go{k}").touch()  # both start this trial together
            answers = [w.stdout.readline().strip() for w in workers]
            assert answers == [f"ok {expected}"] * 2, f"trial {k}: {answers}"
            assert names_in(root) == sorted([ARCHIVE, FOLDER]), f"trial {k}: leftovers"
            assert datasets._md5_of(root / ARCHIVE) == md5  # the archive is whole, not mixed from two downloads
    finally:
        for w in workers:
            w.kill()
            w.wait()
            w.stdout.close()


# --- a crafted pickle cannot run code ---------------------------------------------------------------


class WritesMarker:
    """Unpickling this runs code: ``exec`` (or ``os.system``) writes a marker file."""

    def __init__(self, marker, how):
        self.marker, self.how = str(marker), how

    def __reduce__(self):
        if self.how == "exec":
            return exec, (f"open({self.marker!r}, 'w').close()",)
        return os.system, (f"touch {self.marker}",)


def crafted_archive(path, marker, how):
    """A tiny archive whose data_batch_1 is a pickle that runs code; returns (md5, batch md5s)."""
    _, _, batch_md5 = make_cifar_archive(path)
    with tarfile.open(path, "r:gz") as tar:
        members = [(m, tar.extractfile(m).read() if m.isfile() else None) for m in tar.getmembers()]
    evil = pickle.dumps({b"data": WritesMarker(marker, how), b"labels": [0]}, protocol=2)
    with tarfile.open(path, "w:gz") as tar:
        for member, data in members:
            if member.name.endswith("data_batch_1"):
                data = evil
                member.size = len(data)
            tar.addfile(member, io.BytesIO(data) if data is not None else None)
    batch_md5["data_batch_1"] = hashlib.md5(evil).hexdigest()
    return hashlib.md5(path.read_bytes()).hexdigest(), batch_md5


@pytest.mark.parametrize("how", ["exec", "os.system"])
def test_a_planted_batch_cannot_run_code(tmp_path, tiny, how):
    source, md5, batch_md5 = tiny
    lo.datasets.cifar10(source.parent, md5=md5, batch_md5=batch_md5)  # a good folder ...
    marker = tmp_path / "marker"
    planted = pickle.dumps({b"data": WritesMarker(marker, how), b"labels": [0]}, protocol=2)
    (source.parent / FOLDER / "data_batch_1").write_bytes(planted)  # ... with one batch replaced
    with pytest.raises(ValueError, match="data_batch_1 is not a CIFAR-10 batch") as caught:
        lo.datasets.cifar10(source.parent)
    assert "refused" in str(caught.value) and "Delete the folder" in str(caught.value)
    assert not marker.exists()


@pytest.mark.parametrize("how", ["exec", "os.system"])
def test_an_archive_accepted_by_the_callers_md5_cannot_run_code(tmp_path, how):
    root, marker = tmp_path / "data", tmp_path / "marker"
    root.mkdir()
    md5, crafted_batch_md5 = crafted_archive(root / ARCHIVE, marker, how)
    # With the official batch digests the crafted batch is refused before the folder appears ...
    with pytest.raises(ValueError, match="data_batch_1 is not the official batch"):
        lo.datasets.cifar10(root, md5=md5)
    assert names_in(root) == [ARCHIVE] and not marker.exists()
    # ... and even if the caller vouches for every file, the unpickler refuses to call anything.
    with pytest.raises(ValueError, match="refused"):
        lo.datasets.cifar10(root, md5=md5, batch_md5=crafted_batch_md5)
    assert not marker.exists()


def test_the_unpickler_allows_only_latin1_bytes(tmp_path, tiny):
    source, md5, batch_md5 = tiny
    lo.datasets.cifar10(source.parent, md5=md5, batch_md5=batch_md5)

    class Rot13:
        def __reduce__(self):
            return codecs.encode, ("abc", "rot13")

    (source.parent / FOLDER / "test_batch").write_bytes(pickle.dumps({b"data": Rot13()}, protocol=2))
    with pytest.raises(ValueError, match=r"refused _codecs\.encode with 'rot13'"):
        lo.datasets.cifar10(source.parent)


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        (b"not a pickle at all", "UnpicklingError"),
        (pickle.dumps([1, 2, 3]), "TypeError"),  # a list, not a dict
        (pickle.dumps({b"data": np.zeros((2, 3072), np.float64), b"labels": [0, 1]}), "wrong type or shape"),
        (pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 10]}), "wrong type or shape"),
    ],
    ids=["garbage", "a list", "float pixels", "label 10"],
)
def test_a_damaged_batch_gets_one_clear_error(tiny, payload, why):
    source, md5, batch_md5 = tiny
    lo.datasets.cifar10(source.parent, md5=md5, batch_md5=batch_md5)
    (source.parent / FOLDER / "data_batch_4").write_bytes(payload)
    with pytest.raises(ValueError, match=f"data_batch_4 is not a CIFAR-10 batch .*{why}.*Delete the folder"):
        lo.datasets.cifar10(source.parent)


# --- leftovers of a killed download ------------------------------------------------------------------


class StallingHandler(http.server.BaseHTTPRequestHandler):
    """Sends the headers of a 10 MiB file and 1.5 MiB of it (so a first 1 MiB chunk is written), then stalls."""

    release = threading.Event()

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(10 * 2**20))
        self.end_headers()
        self.wfile.write(bytes(3 * 2**19))
        self.wfile.flush()
        self.release.wait(30)

    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # the client was killed on purpose: a broken pipe is expected


def test_a_partial_file_left_by_a_killed_download_is_cleaned(tmp_path, tiny):
    source, md5, batch_md5 = tiny
    root = tmp_path / "cache"
    root.mkdir()
    server = QuietServer(("127.0.0.1", 0), StallingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{ARCHIVE}"
    code = f"import lossopt.datasets as d; d.cifar10({str(root)!r}, download=True, url={url!r})"
    process = subprocess.Popen([sys.executable, "-c", code], env=ENV, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not any(p.stat().st_size > 0 for p in root.glob("*.part")):
            assert process.poll() is None and time.monotonic() < deadline, "the download never started"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)  # killed mid-download: no finally block runs
        process.wait()
        assert len(list(root.glob("*.part"))) == 1  # the killed download's partial file
        data = lo.datasets.cifar10(root, download=True, url=source.as_uri(), md5=md5, batch_md5=batch_md5)
        assert data.X_train.shape == (250, 32, 32, 3)
        assert names_in(root) == sorted([ARCHIVE, FOLDER])  # the partial file was written over, then renamed
    finally:
        StallingHandler.release.set()
        server.shutdown()
        server.server_close()
        if process.poll() is None:
            process.kill()
            process.wait()


# --- damaged archives and folders: one clear error each ------------------------------------------


@pytest.mark.parametrize("damage", ["truncated", "not gzip", "random bytes", "empty"])
def test_an_unreadable_archive_with_a_matching_md5(tmp_path, tiny, damage):
    source, _, batch_md5 = tiny
    root = tmp_path / "data"
    root.mkdir()
    good = source.read_bytes()
    if damage == "truncated":
        bad = good[: len(good) // 2]
    elif damage == "not gzip":
        bad = gzip.decompress(good)  # the plain .tar inside
    elif damage == "random bytes":
        bad = np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes()
    else:
        bad = b""
    (root / ARCHIVE).write_bytes(bad)
    md5 = datasets._md5_of(root / ARCHIVE)
    with pytest.raises(ValueError, match=r"cannot be read as a \.tar\.gz archive") as caught:
        lo.datasets.cifar10(root, md5=md5, batch_md5=batch_md5)
    assert "truncated or not the CIFAR-10 archive. Delete it" in str(caught.value)
    assert names_in(root) == [ARCHIVE]


def test_a_missing_batch_says_which_and_what_to_do(tiny):
    source, md5, batch_md5 = tiny
    root = source.parent
    lo.datasets.cifar10(root, md5=md5, batch_md5=batch_md5)
    (root / FOLDER / "data_batch_3").unlink()
    with pytest.raises(lo.datasets.DatasetNotFoundError, match="incomplete: data_batch_3 is missing") as caught:
        lo.datasets.cifar10(root, md5=md5, batch_md5=batch_md5)
    assert f"Delete the folder {root / FOLDER}" in str(caught.value)
    # The advice works: delete the folder, call again.
    shutil.rmtree(root / FOLDER)
    assert lo.datasets.cifar10(root, md5=md5, batch_md5=batch_md5).X_train.shape == (250, 32, 32, 3)


@pytest.mark.parametrize("check_batches", [True, False], ids=["batch md5s", "batch_md5=None"])
def test_an_archive_without_a_batch_is_refused_and_nothing_is_left(tmp_path, check_batches):
    """With or without the batch digests, a missing batch stops extraction before the folder appears."""
    root = tmp_path / "data"
    root.mkdir()
    _, md5, batch_md5 = make_cifar_archive(root / ARCHIVE, skip="data_batch_3")
    with pytest.raises(ValueError, match="it has no cifar-10-batches-py/data_batch_3"):
        lo.datasets.cifar10(root, md5=md5, batch_md5=batch_md5 if check_batches else None)
    assert names_in(root) == [ARCHIVE]


@pytest.mark.parametrize("where", ["the folder", "the data folder"])
def test_a_file_where_a_folder_should_be(tmp_path, where):
    root = tmp_path / "data"
    if where == "the folder":
        root.mkdir()
        (root / FOLDER).write_text("not a folder")
        blocked = root / FOLDER
    else:
        root.write_text("not a folder")
        blocked = root
    with pytest.raises(ValueError, match="is a file, but it should be a folder") as caught:
        lo.datasets.cifar10(root, download=True, url="http://127.0.0.1:9/never-used")
    assert str(blocked) in str(caught.value) and "move or delete it" in str(caught.value)


def test_a_corrupt_download_names_the_url_not_a_deleted_partial_file(tmp_path, tiny):
    source, _, _ = tiny
    root = tmp_path / "cache"
    with pytest.raises(ValueError, match="corrupt or not the official archive") as caught:
        lo.datasets.cifar10(root, download=True, url=source.as_uri(), md5="0" * 32)
    message = str(caught.value)
    assert source.as_uri() in message and ".part" not in message
    assert "nothing was kept" in message
    assert names_in(root) == []


def test_a_download_cut_short_says_so(tmp_path, monkeypatch):
    """A server that closes the connection early: a failed download, not a corrupt archive."""
    monkeypatch.setattr(StallingHandler, "release", threading.Event())
    StallingHandler.release.set()  # do not stall: close after 1.5 of 10 MiB
    server = QuietServer(("127.0.0.1", 0), StallingHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{ARCHIVE}"
        with pytest.raises(lo.datasets.DatasetNotFoundError, match="closed after 1572864 of 10485760 bytes"):
            lo.datasets.cifar10(tmp_path, download=True, url=url)
    finally:
        server.shutdown()
        server.server_close()
    assert names_in(tmp_path) == []


def test_a_scratch_folder_left_by_a_killed_extraction_is_replaced(tiny):
    """An extraction killed half-way leaves its scratch folder; the next call (holding the lock) starts afresh."""
    source, md5, batch_md5 = tiny
    root = source.parent
    scratch = root / f".{FOLDER}.tmp"
    (scratch / FOLDER).mkdir(parents=True)
    (scratch / FOLDER / "data_batch_1").write_bytes(b"half")
    assert lo.datasets.cifar10(root, md5=md5, batch_md5=batch_md5).X_train.shape == (250, 32, 32, 3)
    assert names_in(root) == sorted([ARCHIVE, FOLDER])


def test_a_link_in_the_archive_is_refused(tmp_path):
    """A symbolic link inside the folder (to a file outside it) is refused; nothing is extracted."""
    root = tmp_path / "data"
    root.mkdir()
    make_cifar_archive(root / ARCHIVE)
    with tarfile.open(root / ARCHIVE, "r:gz") as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(root / ARCHIVE, "w:gz") as tar:
        for member, data in members:
            tar.addfile(member, io.BytesIO(data))
        link = tarfile.TarInfo(f"{FOLDER}/readme.html")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
    with pytest.raises(ValueError, match=r"'cifar-10-batches-py/readme\.html' is a link"):
        lo.datasets.cifar10(root, md5=datasets._md5_of(root / ARCHIVE), batch_md5=None)
    assert names_in(root) == [ARCHIVE]
