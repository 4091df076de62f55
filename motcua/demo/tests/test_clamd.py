"""The demo starts clamd with the shipped test database beside the web server: an EICAR
upload is refused there, a clean one kept."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from motcua.demo import clamd, companions
from motcua.dossiers import scanner
from motcua.dossiers.attachments import check_file
from motcua.dossiers.tests.clamd import CLAMD_MISSING, eicar_pdf
from motcua.dossiers.tests.factories import PDF


def test_the_demo_companion_scans_with_the_test_signature(settings, monkeypatch):
    monkeypatch.delenv("MOTCUA_CLAMD", raising=False)  # start() sets it; undone after
    assert "motcua.demo.clamd.companion" in companions.FACTORIES
    settings.MOTCUA_CLAMD = ""
    if scanner.clamd_program() is None:
        pytest.skip(CLAMD_MISSING)
    companion = clamd.companion()
    assert companion is not None
    assert "EICAR" in companion.name  # the visitor is told what it knows
    proc = companions.start(companion)
    try:
        assert companion.settings["MOTCUA_CLAMD"] == settings.MOTCUA_CLAMD
        assert check_file(("a.pdf", PDF), field="f").scan is not None
        with pytest.raises(Exception, match="malware_found"):
            check_file(("b.pdf", eicar_pdf()), field="f")
    finally:
        companions._stop(proc)


def test_no_demo_clamd_when_a_scanner_is_configured(settings):
    settings.MOTCUA_CLAMD = "tcp://127.0.0.1:3310"
    assert clamd.companion() is None


def test_the_demo_clamd_dies_with_the_demo_process(tmp_path):
    # `motcua demo --serve` stopped by SIGTERM runs no atexit: clamd must not outlive it.
    if scanner.clamd_program() is None:
        pytest.skip(CLAMD_MISSING)
    script = (
        "import django, os, sys, time; django.setup()\n"
        "from django.conf import settings; settings.MOTCUA_CLAMD = ''\n"
        "from motcua.demo import clamd, companions\n"
        "proc = companions.start(clamd.companion())\n"
        "open(sys.argv[1], 'w').write(str(proc.pid)); time.sleep(120)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(DJANGO_SETTINGS_MODULE="motcua.settings", MOTCUA_VAR_DIR=str(tmp_path))
    demo = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", script, str(tmp_path / "pid")],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            if (tmp_path / "pid").exists() and (tmp_path / "pid").read_text():
                break
            assert demo.poll() is None, "the demo process stopped"
            time.sleep(0.1)
        clamd_pid = int((tmp_path / "pid").read_text())
        assert Path(f"/proc/{clamd_pid}/cmdline").read_bytes().count(b"clamd") >= 1
        demo.terminate()
        demo.wait(timeout=30)
        for _ in range(300):
            if not _alive(clamd_pid):
                break
            time.sleep(0.1)
        assert not _alive(clamd_pid)
    finally:
        if demo.poll() is None:
            demo.kill()


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its reaper has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
