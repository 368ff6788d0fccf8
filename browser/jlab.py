"""A JupyterLab server of our own for the browser test: started, queried and stopped by PID.

The server serves a scratch copy of the notebooks, never the tree itself, so that nothing a
test does in the browser (outputs, autosave, checkpoints) reaches the notebooks in git.
"""
from __future__ import annotations

import json
import os
import pathlib
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

# User settings the server starts with: every cell in the DOM (no virtual scrolling, so the
# test sees outputs below the fold), no autosave, no news or update pop-ups over the page.
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                    "checkForUpdates": False},
}


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jupyter_executable() -> str:
    """The ``jupyter`` next to the running Python (the project's virtual environment)."""
    candidate = pathlib.Path(sys.executable).with_name("jupyter")
    if not candidate.exists():
        raise FileNotFoundError(f"no jupyter next to {sys.executable}; install the project "
                                f"with `make test-browser` (expected {candidate})")
    return str(candidate)


class JupyterLab:
    """A JupyterLab process serving ``root`` on ``127.0.0.1:port`` with a random token.

    Parameters
    ----------
    root : pathlib.Path
        Directory the server serves (a scratch copy of the notebooks).
    scratch : pathlib.Path
        Directory for the server's settings, workspaces, runtime files and log.
    """

    def __init__(self, root: pathlib.Path, scratch: pathlib.Path):
        self.root, self.scratch = pathlib.Path(root), pathlib.Path(scratch)
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.scratch / "jupyterlab.log"
        self.process: subprocess.Popen | None = None

    def _environment(self) -> dict:
        settings = self.scratch / "settings"
        for plugin, values in SETTINGS.items():
            path = settings / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env = dict(os.environ)
        env.update(JUPYTERLAB_SETTINGS_DIR=str(settings),
                   JUPYTERLAB_WORKSPACES_DIR=str(self.scratch / "workspaces"),
                   JUPYTER_CONFIG_DIR=str(self.scratch / "config"),
                   JUPYTER_RUNTIME_DIR=str(self.scratch / "runtime"))
        return env

    def start(self, timeout: float = 60.0) -> "JupyterLab":
        command = [jupyter_executable(), "lab", "--no-browser",
                   "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
                   "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
                   f"--ServerApp.root_dir={self.root}",
                   # window.jupyterapp: the test reads kernel status and cell outputs from it
                   "--LabApp.expose_app_in_browser=True",
                   "--LabApp.news_url=None",
                   # a safety net: a server whose test died stops by itself after 10 idle minutes
                   "--ServerApp.shutdown_no_activity_timeout=600",
                   "--MappingKernelManager.cull_idle_timeout=600"]
        if os.geteuid() == 0:  # CI machines and containers run as root
            command.append("--allow-root")
        log = self.log_path.open("w")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, env=self._environment(),
                                        cwd=self.root)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.process.returncode}:\n"
                                   f"{self.log_tail()}")
            try:
                self.api("GET", "status")
                return self
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.25)
        self.stop()
        raise TimeoutError(f"JupyterLab did not answer on {self.url} within {timeout:.0f} s:\n"
                           f"{self.log_tail()}")

    def api(self, method: str, path: str):
        """Call the server's REST API; returns the decoded JSON answer (or None)."""
        request = urllib.request.Request(f"{self.url}/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            body = answer.read()
        return json.loads(body) if body else None

    def notebook_url(self, relative_path: str) -> str:
        # ?reset: a fresh workspace, so the previous notebook's tab is not restored
        return f"{self.url}/lab/tree/{relative_path}?reset&token={self.token}"

    def shutdown_kernels(self) -> None:
        """End every session and its kernel (the notebook tab no longer needs it)."""
        for session in self.api("GET", "sessions"):
            self.api("DELETE", f"sessions/{session['id']}")
        for kernel in self.api("GET", "kernels"):
            self.api("DELETE", f"kernels/{kernel['id']}")

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 15.0) -> None:
        """Shut the kernels down, then stop the server by its PID (SIGTERM, SIGKILL if stuck)."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.shutdown_kernels()
        except (urllib.error.URLError, ConnectionError):
            pass  # the server is going away anyway; its own shutdown ends the kernels
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout)


def copy_notebooks(notebooks: list[pathlib.Path], root: pathlib.Path) -> list[str]:
    """Copy each notebook's folder (notebooks and any files beside them) under ``root``.

    Returns the notebooks' paths relative to ``root``, e.g. ``lectures/01_forward.ipynb``.
    """
    relative = []
    for notebook in notebooks:
        folder = root / notebook.parent.name
        if not folder.exists():
            shutil.copytree(notebook.parent, folder,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        relative.append(f"{notebook.parent.name}/{notebook.name}")
    return relative
