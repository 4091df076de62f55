"""Issue 12 in headless Chromium against the live server: a leader of the settling agency
signs the result through the dossier page's form (the development PKI, the local TSA as
its own process), the counter returns it, the citizen downloads it, and the public
verification page, given the downloaded file and the QR code's address, says it is valid.
The portal's and back office's pages are checked with axe-core."""

from __future__ import annotations

import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.utils import timezone

from motcua.core.tests.browser import (
    AXE,
    CHROMIUM_MISSING,
    SCREENSHOTS,
    assert_accessible,
    chromium_missing,
    launch,
    pass_second_factor,
    screenshot,
)
from motcua.dossiers.enums import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import advance
from motcua.dossiers.tests.factories import make_world
from motcua.signing.models import IssuedResult
from motcua.signing.pades import verify_pdf

from .conftest import make_pdf

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason=CHROMIUM_MISSING),
    pytest.mark.skipif(not AXE.exists(), reason="needs axe-core: npm install"),
]

SHOTS = SCREENSHOTS / "signing"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser():
    with launch() as b:
        yield b


def check(page, name: str) -> None:
    screenshot(page, SHOTS, name)
    assert_accessible(page, name)


def session(browser, base: str, username: str, next_url: str, viewport=DESKTOP):
    """A fresh browser context logged in as `username` (password x, and the second factor
    for staff), on `next_url`."""
    ctx = browser.new_context(viewport=viewport, locale="vi-VN", accept_downloads=True)
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    page.goto(f"{base}/dang-nhap/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "x")
    page.get_by_role("button", name="Đăng nhập").click()
    pass_second_factor(page, username)
    page.wait_for_url(f"{base}{next_url}")
    return page


def test_a_signed_result_is_returned_downloaded_and_verified(
    transactional_db, signing, live_server, browser, tmp_path
):
    w = make_world()
    leader = w.a.staff["s:leader"]
    leader.first_name, leader.last_name = "An", "Nguyễn Văn"
    leader.save()
    d = advance(w, Status.PROCESSED)  # approved: the result is awaited
    base = live_server.url
    here = f"/can-bo/ho-so/{d.pk}/"

    # 1. The leader of the settling agency signs the result through the page's form.
    page = session(browser, base, leader.username, here)
    check(page, "sign-01-leader-dossier")
    panel = page.locator("#act-sign_result")
    panel.locator("summary").click()
    panel.locator("#sign-file").set_input_files(
        {"name": "ket-qua.pdf", "mimeType": "application/pdf", "buffer": make_pdf()}
    )
    panel.get_by_role("button", name=re.compile("Ký số và đính kèm")).click()
    page.wait_for_url(f"{base}{here}")
    assert "Đã ký số kết quả và đính kèm làm kết quả điện tử." in page.inner_text("main")
    check(page, "sign-02-signed")
    issued = IssuedResult.objects.get(dossier=d)
    assert (issued.signer_name, issued.timestamped) == ("An Nguyễn Văn", True)
    assert Dossier.objects.get(pk=d.pk).electronic_result is True
    page.context.close()

    # 2. The counter returns the result, through the dossier page's action.
    page = session(browser, base, w.a.staff["c:counter"].username, here)
    panel = page.locator("#act-return_result")
    panel.locator("summary").click()
    panel.locator("select[name=method]").select_option("online")
    panel.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "Đã trả kết quả cho người nộp." in page.inner_text("main")
    assert Dossier.objects.get(pk=d.pk).status == Status.RETURNED
    page.context.close()

    # 3. The citizen, on a phone, downloads the result from their dossier page.
    page = session(browser, base, "citizen", f"/ho-so/{d.pk}/", viewport=PHONE)
    check(page, "sign-03-citizen-dossier")
    with page.expect_download() as dl:
        page.get_by_role("link", name=re.compile("Tải kết quả")).click()
    pdf = tmp_path / "ket-qua-da-ky.pdf"
    dl.value.save_as(pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == issued.sha256
    # pyHanko runs its own event loop: not in this thread, where Playwright's runs.
    with ThreadPoolExecutor(1) as pool:
        verdict = pool.submit(verify_pdf, data).result()
    assert (verdict.valid, verdict.timestamped) == (True, True)
    page.context.close()

    # 4. Anyone, no login: the verification page given the downloaded file ...
    ctx = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = ctx.new_page()
    page.goto(f"{base}/xac-thuc/")
    check(page, "sign-04-verify-form")
    page.get_by_label("Tệp PDF kết quả").set_input_files(str(pdf))
    page.get_by_role("button", name=re.compile("Kiểm tra")).click()
    page.wait_for_load_state()
    answer = page.locator("section[data-status]")
    assert answer.get_attribute("data-status") == "valid"
    text = answer.inner_text()
    assert "Hợp lệ: đây là kết quả do hệ thống cấp" in text
    assert "An Nguyễn Văn — UBND A" in text
    signed_at = timezone.localtime(issued.signed_at).strftime("%d/%m/%Y")
    assert re.search(rf"{signed_at} \d\d:\d\d:\d\d \(có dấu thời gian\)", text)
    assert issued.code in text
    check(page, "sign-05-verify-upload")
    # Nothing wider than the phone (the 64-digit SHA-256 wraps).
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, Path("/tmp"), "signbrowser-verify")

    # ... and the QR code's address, which names the result by its code.
    page.goto(f"{base}/xac-thuc/{issued.code}/")
    answer = page.locator("section[data-status]")
    assert answer.get_attribute("data-status") == "valid"
    assert "An Nguyễn Văn" in answer.inner_text()
    check(page, "sign-06-verify-code")
    ctx.close()
