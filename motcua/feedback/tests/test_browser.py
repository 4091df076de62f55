"""Issue 14's feedback in headless Chromium against the live server: a citizen on a
360-px phone sends feedback (no login) and gets the tracking code; the settling agency's
leader accepts, classifies, assigns and answers it, and publishes the answer; the
citizen reads it with the code and rates it; the public page shows the answer without
the submitter's personal data. axe-core on every page."""

from __future__ import annotations

import re

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
from motcua.dossiers.tests.factories import make_world

from ..enums import Status
from ..models import Feedback

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason=CHROMIUM_MISSING),
    pytest.mark.skipif(not AXE.exists(), reason="needs axe-core: npm install"),
]

SHOTS = SCREENSHOTS / "feedback"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def browser():
    with launch() as b:
        yield b


def check(page, name: str) -> None:
    screenshot(page, SHOTS, name)
    assert_accessible(page, name)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name


def test_a_citizen_sends_feedback_an_officer_answers_and_it_is_published(
    transactional_db, live_server, browser
):
    w = make_world()
    base = live_server.url

    # 1. A citizen, no login, on a 360-px phone.
    ctx = browser.new_context(viewport=PHONE, locale="vi-VN")
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    page.goto(f"{base}/phan-anh-kien-nghi/gui/")
    check(page, "fb-01-form")
    page.get_by_label("Một cơ quan, cán bộ").check()
    page.get_by_label(re.compile("^Cơ quan nhận phản ánh")).select_option(w.a.settling.code)
    page.get_by_label("Nội dung phản ánh, kiến nghị").fill(
        "Bộ phận một cửa không có bảng hướng dẫn. Liên hệ tôi: 0987654321."
    )
    page.get_by_label("Họ và tên").fill("Hoàng Thị Lan")
    page.get_by_label("Số điện thoại").fill("0987654321")
    page.get_by_label(re.compile("^Tôi đồng ý công khai")).check()
    page.get_by_role("button", name="Gửi phản ánh").click()
    page.wait_for_url(re.compile(r"/phan-anh-kien-nghi/theo-doi/\?code="))
    f = Feedback.objects.get()
    assert f.code in page.inner_text("main")
    check(page, "fb-02-tracking")
    ctx.close()

    # 2. The settling agency's leader handles it through the back-office page.
    leader = w.a.staff["s:leader"]
    here = f"/can-bo/phan-anh/{f.pk}/"
    ctx = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    page.goto(f"{base}/dang-nhap/?next={here}")
    page.fill("#id_username", leader.username)
    page.fill("#id_password", "x")
    page.get_by_role("button", name="Đăng nhập").click()
    pass_second_factor(page, leader.username)
    page.wait_for_url(f"{base}{here}")
    check(page, "fb-03-officer")
    page.get_by_role("button", name="Tiếp nhận", exact=True).click()
    page.wait_for_url(f"{base}{here}")
    page.get_by_label("Nội dung thuộc").select_option("regulation")
    page.get_by_role("button", name="Phân loại").click()
    page.wait_for_url(f"{base}{here}")
    page.get_by_role("button", name="Chuyển xử lý").click()
    page.wait_for_url(f"{base}{here}")
    page.get_by_label("Nội dung trả lời").fill("Đã lắp bảng hướng dẫn tại quầy số 1.")
    page.get_by_role("button", name="Trả lời", exact=True).click()
    page.wait_for_url(f"{base}{here}")
    check(page, "fb-04-answered")
    page.get_by_role("button", name="Công khai câu trả lời").click()
    page.wait_for_url(f"{base}{here}")
    f.refresh_from_db()
    assert f.status == Status.PUBLISHED
    ctx.close()

    # 3. The citizen reads the answer with the code and rates it; the public page shows it.
    ctx = browser.new_context(viewport=PHONE, locale="vi-VN")
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    page.goto(f"{base}/phan-anh-kien-nghi/theo-doi/")
    page.get_by_label("Mã theo dõi").fill(f.code)
    page.get_by_role("button", name="Xem").click()
    assert "Đã lắp bảng hướng dẫn tại quầy số 1." in page.inner_text("#answer")
    check(page, "fb-05-answer")
    page.get_by_label("Hài lòng", exact=True).check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_load_state()
    assert "Cảm ơn bạn đã đánh giá." in page.inner_text("main")
    page.goto(f"{base}/phan-anh-kien-nghi/")
    check(page, "fb-06-published-list")
    page.get_by_role("link", name=re.compile("Bộ phận một cửa")).click()
    text = page.inner_text("main")
    assert "Đã lắp bảng hướng dẫn tại quầy số 1." in text
    assert "Liên hệ tôi: ***." in text
    assert "Hoàng Thị Lan" not in text and "0987654321" not in text
    check(page, "fb-07-published")
    ctx.close()
    f.refresh_from_db()
    assert f.satisfaction == "satisfied"
