"""`make lab`, the README's first command, started as a newcomer starts it, as root or not."""
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
VENV = pathlib.Path(sys.executable).parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


@pytest.fixture
def lab():
    """`make lab PORT=...` in its own process group; yields (base URL with token, its output)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["JUPYTER_CONFIG_DIR"] = str(ROOT / ".pytest_cache" / "lab-config")  # not the user's settings
    # The test runs in this environment's Python, whichever venv it is: make uses it.
    proc = subprocess.Popen(["make", "--no-print-directory", "lab", f"PORT={port}", f"VENV={VENV}"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 180
        url = None
        while url is None and time.monotonic() < deadline and proc.poll() is None:
            found = re.search(rf"(http://(?:127\.0\.0\.1|localhost):{port}/)lab\S*\?token=(\w+)",
                              "".join(lines))
            url = found and (found.group(1), found.group(2))
            time.sleep(0.2)
        assert url, (f"make lab printed no address with a token within 180 s (exit code "
                     f"{proc.poll()}):\n" + "".join(lines)[-3000:])
        yield url, lines
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # make and the JupyterLab it started
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


def test_make_lab_serves_the_course(lab):
    (base, token), lines = lab
    listing = json.loads(get(f"{base}api/contents/lectures?token={token}"))
    names = {item["name"] for item in listing["content"]}
    syllabus = set(re.findall(r"\(lectures/(\d\d_\w+\.ipynb)\)", (ROOT / "README.md").read_text()))
    assert "01_forward_pass.ipynb" in names and syllabus, (names, syllabus)
    assert syllabus <= names, f"the README's syllabus names notebooks the lab does not serve: {syllabus - names}"
    first = json.loads(get(f"{base}api/contents/lectures/01_forward_pass.ipynb?token={token}"))
    assert first["type"] == "notebook" and first["content"]["cells"], "the first lecture did not open"
    assert "/lab" in get(f"{base}lab?token={token}").decode(), "JupyterLab's page did not load"
    output = "".join(lines)
    if os.geteuid() == 0:
        assert "running as root" in output and "--allow-root" in output, output[-2000:]
    assert "no browser opens" in output, output[-2000:]
