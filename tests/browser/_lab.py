"""A throwaway JupyterLab server and a headless Chromium, and the guarantee that both go away.

Every process this module starts (the server, the kernels the server starts in
their own sessions, Chromium and its helpers) carries the environment variable
``LOSSOPT_BROWSER_RUN=<random id>``; :func:`kill_marked` finds them through
``/proc`` and kills them, so nothing outlives a run, whatever failed.
"""

import contextlib
import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

MARKER = "LOSSOPT_BROWSER_RUN"
CHROMIUM_ENV = "LOSSOPT_CHROMIUM"
REQUIRE_ENV = "LOSSOPT_REQUIRE_BROWSER"
HOW_TO_GET_ONE = (
    "no Chromium found: `apt-get install chromium` or `.venv/bin/playwright install chromium`"
    f" (or set {CHROMIUM_ENV} to a Chromium/Chrome executable)"
)
# Headless, quiet, and nothing fetched from the network behind the test's back.
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI containers run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# Lab user settings for the run: every cell in the DOM (no windowing), no news,
# no update check, no autosave (the copy is throwaway anyway), no extension
# manager fetching PyPI.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/extensionmanager-extension/plugin": {"enabled": False},
}


def find_chromium():
    """The Chromium executable to drive, or None.

    ``$LOSSOPT_CHROMIUM`` first (it must exist), then a system Chromium/Chrome
    on PATH (Debian's ``/usr/bin/chromium``), then Playwright's downloaded one.
    """
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        path = shutil.which(named)
        if path is None:
            raise FileNotFoundError(f"{CHROMIUM_ENV}={named!r} is not an executable")
        return path
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    with sync_playwright() as playwright:
        path = playwright.chromium.executable_path
    return path if Path(path).is_file() else None


def free_port():
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent():
    # Linux: the server gets SIGTERM when pytest dies, even by SIGKILL.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class LabServer:
    """JupyterLab on a free local port with a random token, its state in ``home``.

    Parameters
    ----------
    root : Path
        The server's root folder (what the file browser shows).
    home : Path
        Empty folder for settings, workspaces, runtime files, config and the log.
    run_id : str
        Value of ``$LOSSOPT_BROWSER_RUN`` for every process it starts.
    """

    def __init__(self, root, home, run_id):
        self.root, self.home, self.run_id = Path(root), Path(home), run_id
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.home / "jupyterlab.log"
        self.process = None

    def environment(self):
        env = dict(os.environ)
        for name in ("settings", "workspaces", "runtime", "config", "data", "ipython"):
            (self.home / name).mkdir(parents=True, exist_ok=True)
        for plugin, settings in LAB_SETTINGS.items():
            path = self.home / "settings" / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(settings))
        env.update(
            {
                "JUPYTERLAB_SETTINGS_DIR": str(self.home / "settings"),
                "JUPYTERLAB_WORKSPACES_DIR": str(self.home / "workspaces"),
                "JUPYTER_RUNTIME_DIR": str(self.home / "runtime"),
                "JUPYTER_CONFIG_DIR": str(self.home / "config"),  # ignore ~/.jupyter
                "JUPYTER_DATA_DIR": str(self.home / "data"),  # kernels and lab extensions come from sys.prefix
                "IPYTHONDIR": str(self.home / "ipython"),  # ignore ~/.ipython startup files
                "JUPYTER_PLATFORM_DIRS": "1",
                MARKER: self.run_id,
            }
        )
        env.pop("MPLBACKEND", None)
        return env

    def start(self, timeout=90):
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={self.root}",
            f"--IdentityProvider.token={self.token}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--ServerApp.terminals_enabled=False",
            "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: is the kernel connected and idle?
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")  # CI containers
        return self._launch(command, "JupyterLab", self._answers, timeout)

    def _answers(self):
        self.api("GET", "/api/status")  # raises OSError until the server answers
        return True

    def _launch(self, command, name, ready, timeout):
        """Start ``command`` in its own process group, logging to ``log_path``; return once ``ready()``."""
        env = self.environment()  # first: it makes the folders the log goes in
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=self.root,
                start_new_session=True,  # its own process group, killed as a whole
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{name} exited with {self.process.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                if ready():
                    return self
            time.sleep(0.25)
        raise TimeoutError(f"{name} did not answer within {timeout} s:\n{self.log_tail()}")

    def api(self, method, path, timeout=10):
        """Call the server's REST API; return the decoded JSON (or None)."""
        request = urllib.request.Request(
            self.url + path, method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self):
        """Stop every kernel session, so the next notebook has the CPU to itself."""
        with contextlib.suppress(OSError):
            for session in self.api("GET", "/api/sessions"):
                with contextlib.suppress(OSError, urllib.error.HTTPError):
                    self.api("DELETE", f"/api/sessions/{session['id']}")

    def log_text(self, start=0):
        """The server log (kernel stderr included) from byte ``start`` on."""
        with open(self.log_path, "rb") as log:
            log.seek(start)
            return log.read().decode("utf-8", "replace")

    def log_size(self):
        return self.log_path.stat().st_size

    def log_tail(self, lines=40):
        return "\n".join(self.log_text().splitlines()[-lines:])

    def stop(self):
        """Stop the server and its kernels: SIGTERM to the group, then SIGKILL.

        Returns the PIDs of the run that had to be killed afterwards (kernels
        live in sessions of their own, outside the server's group).
        """
        if self.process is None:
            return []
        process, self.process = self.process, None
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)  # the server stops its kernels itself
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # anything the server left in its group
        return kill_marked(self.run_id)


def marked_processes(run_id):
    """PIDs of live processes whose environment carries ``LOSSOPT_BROWSER_RUN=run_id``."""
    needle = f"{MARKER}={run_id}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:  # gone, or not ours
            continue
        if state != "Z" and needle in environ.split(b"\0"):
            pids.append(int(entry.name))
    return pids


def kill_marked(run_id, timeout=5):
    """SIGKILL every process of this run that is still alive; return the PIDs that were."""
    if not Path("/proc/self/environ").exists():
        return []
    leftover = marked_processes(run_id)
    for pid in leftover:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while marked_processes(run_id) and time.monotonic() < deadline:
        time.sleep(0.1)
    return leftover


class VoilaServer(LabServer):
    """``voila NOTEBOOK --strip_sources=True`` (what ``make demo`` runs) on a free local port, in ``root``.

    Same isolation and clean-up as :class:`LabServer`. Voila executes the
    notebook in a new kernel for each page load, so being up is checked with
    a bare TCP connection, which starts nothing.
    """

    def __init__(self, root, notebook, home, run_id):
        super().__init__(root, home, run_id)
        self.notebook = notebook
        self.log_path = self.home / "voila.log"

    def start(self, timeout=90):
        command = [
            sys.executable,
            "-m",
            "voila",
            self.notebook,
            "--strip_sources=True",
            "--no-browser",
            "--Voila.ip=127.0.0.1",
            f"--port={self.port}",
        ]
        return self._launch(command, "Voila", self._listens, timeout)

    def _listens(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=1):  # OSError until it listens
            return True

    def shutdown_kernels(self):
        """Voila's kernels end with the server."""
