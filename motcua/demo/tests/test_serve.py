"""`motcua demo --serve` serves the pages and their static files with DEBUG off (the
settings' default), as a developer runs it without `make demo`."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 (our own server)
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_demo_serves_static_files_with_debug_off(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.pop("DATABASE_URL", None)
    env.update(MOTCUA_VAR_DIR=str(tmp_path), MOTCUA_DEBUG="0", PYTHONPATH=str(ROOT))
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, cwd=ROOT, check=True)
    port = free_port()
    server = subprocess.Popen(
        [*manage, "demo", "--dossiers", "0", "--serve", "--addr", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                status, _ = get(base + "/static/motcua/site.css")
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, "the demo server stopped"
                assert time.monotonic() < deadline, "the demo server did not start"
                time.sleep(0.5)
        assert status == 200
        status, body = get(base + "/static/ninja/swagger-ui-bundle.js")
        assert status == 200 and len(body) > 100_000
        status, body = get(base + "/")
        assert status == 200 and b'<html lang="vi">' in body
        # DEBUG is off: an unknown page is the plain 404, not Django's debug page.
        status, body = get(base + "/khong-co-trang-nay/")
        assert status == 404 and b"URLconf" not in body
    finally:
        server.terminate()
        server.wait(timeout=30)
