"""Every companion process dies with the demo, however the demo ends: `motcua demo --serve`
stopped by SIGTERM runs no atexit, and the identity provider and gateway simulator used to
outlive it (found after a demo run; clamd already had the fix)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/usr/bin/setpriv").exists(), reason="no setpriv")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_a_companion_dies_with_the_demo_process(tmp_path):
    script = (
        "import django, sys, time; django.setup()\n"
        "from motcua.demo import companions\n"
        "port = companions.free_port()\n"
        "c = companions.Companion(name='http', port=port, argv=[sys.executable, '-m',"
        " 'http.server', '--bind', '127.0.0.1', str(port)])\n"
        "proc = companions.start(c)\n"
        "open(sys.argv[1], 'w').write(str(proc.pid)); time.sleep(120)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(DJANGO_SETTINGS_MODULE="motcua.settings", MOTCUA_VAR_DIR=str(tmp_path))
    demo = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", script, str(tmp_path / "pid")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            if (tmp_path / "pid").exists() and (tmp_path / "pid").read_text():
                break
            assert demo.poll() is None, "the demo process stopped"
            time.sleep(0.1)
        child = int((tmp_path / "pid").read_text())
        assert _alive(child)
        demo.terminate()
        demo.wait(timeout=30)
        for _ in range(300):
            if not _alive(child):
                break
            time.sleep(0.1)
        assert not _alive(child)
    finally:
        if demo.poll() is None:
            demo.kill()
