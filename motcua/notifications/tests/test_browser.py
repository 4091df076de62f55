"""In headless Chromium at 360 px: the citizen chooses their channels on the account page
(no JavaScript needed), the officer reads the message log on the dossier page; axe-core on
both, and neither scrolls sideways."""

from __future__ import annotations

import pytest

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
from motcua.notifications.models import Message, Preference

from .conftest import advance

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason=CHROMIUM_MISSING),
    pytest.mark.skipif(not AXE.exists(), reason="needs axe-core: npm install"),
]


@pytest.fixture
def browser():
    with launch() as b:
        yield b


def _phone(browser, base: str, username: str, next_url: str):
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    page.goto(f"{base}/dang-nhap/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "x")
    page.get_by_role("button", name="Đăng nhập").click()
    pass_second_factor(page, username)
    page.wait_for_url(f"{base}{next_url}")
    return page


def _check(page, name: str) -> None:
    screenshot(page, SCREENSHOTS, f"notify-{name}")
    assert_accessible(page, name)
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 360, f"{name}: {wide}px wide"


def test_the_citizen_chooses_and_the_officer_sees_the_log(world, live_server, browser, settings):
    settings.MOTCUA_OUTBOX_KICK = False
    base = live_server.url
    page = _phone(browser, base, "citizen", "/tai-khoan/thong-bao/")
    assert page.get_by_label("Thư điện tử", exact=True).is_checked()
    assert page.get_by_label("Tin nhắn SMS").is_checked()
    _check(page, "01-account")
    page.get_by_label("Tin nhắn SMS").uncheck()
    page.get_by_label("English").check()
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(f"{base}/tai-khoan/thong-bao/")
    assert "Đã lưu cách nhận thông báo." in page.inner_text("main")
    pref = Preference.objects.get(user=world.citizen)
    assert (pref.email, pref.sms, pref.zalo, pref.language) == (True, False, False, "en")

    d = advance(world, Status.RECEIVED)
    assert [(m.channel, m.language) for m in Message.objects.filter(dossier=d)] == [("email", "en")]
    officer = _phone(browser, base, "A-c-counter", f"/can-bo/ho-so/{d.pk}/")
    log = officer.inner_text("#notifications + *")
    assert "citizen@example.vn" in log and "Đang chờ gửi" in log
    _check(officer, "02-dossier-log")
