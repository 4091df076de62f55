"""End-to-end: a citizen logs in with the national identity in headless Chromium, through
the test provider process, without JavaScript on motcua's side (a link and a form)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
import requests

from motcua.core.tests.browser import (
    AXE,
    CHROMIUM_MISSING,
    SCREENSHOTS,
    assert_accessible,
    chromium_missing,
    launch,
    screenshot,
)
from motcua.demo.companions import free_port
from motcua.org import oidc
from motcua.org.models import Applicant

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason=CHROMIUM_MISSING),
    pytest.mark.skipif(not AXE.exists(), reason="needs axe-core: npm install"),
]


@pytest.fixture
def provider_for(live_server, settings):
    callback = f"{live_server.url}/dang-nhap/vneid/ve/"
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "motcua.devtools.idp", "--port", str(port)]
        + ["--client-id", "motcua-b", "--client-secret", "bi-mat", "--redirect-uri", callback]
        + ["--control"],
        stderr=subprocess.DEVNULL,
    )
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(issuer + "/jwks", timeout=1)
            break
        except requests.ConnectionError:
            assert proc.poll() is None and time.monotonic() < deadline, "provider did not start"
            time.sleep(0.1)
    settings.MOTCUA_OIDC_ISSUER = issuer
    settings.MOTCUA_OIDC_CLIENT_ID = "motcua-b"
    settings.MOTCUA_OIDC_CLIENT_SECRET = "bi-mat"
    settings.MOTCUA_OIDC_REDIRECT_URI = callback
    oidc._cache.clear()
    yield issuer
    proc.terminate()
    proc.wait(timeout=10)


def test_a_citizen_logs_in_with_the_national_identity(transactional_db, live_server, provider_for):
    base = live_server.url
    with launch() as browser:
        page = browser.new_page(viewport={"width": 360, "height": 740}, locale="vi-VN")
        page.goto(f"{base}/dang-nhap/?next=/ho-so/")
        screenshot(page, SCREENSHOTS, "oidc-01-login")
        assert_accessible(page, "oidc-01-login")
        page.get_by_role("link", name="Đăng nhập bằng VNeID / Cổng DVC quốc gia").click()
        page.wait_for_url(f"{provider_for}/authorize?*")
        page.get_by_label("Trần Thị Bình", exact=False).check()
        page.get_by_role("button", name="Đồng ý đăng nhập").click()
        page.wait_for_url(f"{base}/ho-so/")
        assert Applicant.objects.filter(personal_id="027195204816").exists()

        # A tampered ID token: the page names the problem, in Vietnamese.
        requests.post(provider_for + "/_control", json={"mode": "tampered"}, timeout=5)
        page.goto(f"{base}/dang-nhap/vneid/")
        page.get_by_role("button", name="Đồng ý đăng nhập").click()
        page.wait_for_url(f"{base}/dang-nhap/vneid/ve/?*")
        assert "Chữ ký của ID token không đúng" in page.inner_text("main")
        screenshot(page, SCREENSHOTS, "oidc-02-refused")
        assert_accessible(page, "oidc-02-refused")
