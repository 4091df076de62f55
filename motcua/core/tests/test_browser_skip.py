"""Without Chromium the browser suite is skipped loudly, saying how to install it."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
INSTALL = "sudo apt-get install chromium"


def test_make_says_the_browser_suite_is_skipped_and_how_to_install_chromium():
    out = subprocess.run(
        ["make", "-s", "browser-check", "CHROMIUM=/nonexistent/chromium"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "BROWSER SUITE SKIPPED: /nonexistent/chromium not found." in out
    assert INSTALL in out and ".ci/run" in out
    # With Chromium where it is expected, nothing is said.
    here = subprocess.run(
        ["make", "-s", "browser-check", f"CHROMIUM={sys.executable}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert here == ""


def test_pytest_skip_reason_and_banner_say_how_to_install_chromium(tmp_path):
    env = {**os.environ, "CHROMIUM": "/nonexistent/chromium"}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-m",
            "browser",
            "-rs",
            "motcua/backoffice/tests/test_browser.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    assert "passed" not in out and "failed" not in out
    # The skip reason of each test, and the banner at the end.
    assert out.count("SKIPPED [") >= 1
    assert "BROWSER SUITE SKIPPED: /nonexistent/chromium not found" in out
    assert f"`{INSTALL}`" in out and "`.ci/run`" in out
    assert re.search(r"\d+ browser tests SKIPPED", out)
