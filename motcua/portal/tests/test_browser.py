"""End-to-end: a citizen in headless Chromium (Playwright) against the live server.

Every main page is checked with axe-core (no serious or critical violation) on a desktop
and on a 360×740 phone viewport, and saved as a screenshot under
test-artifacts/screenshots/ for a human to look at.
"""

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
    screenshot,
)
from motcua.dossiers.enums import Status
from motcua.dossiers.tests.conftest import advance
from motcua.dossiers.tests.factories import PDF, PNG

SHOTS = SCREENSHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason=CHROMIUM_MISSING),
    pytest.mark.skipif(not AXE.exists(), reason="needs axe-core: npm install"),
]


@pytest.fixture
def browser():
    with launch() as b:
        yield b


def check(page, name: str) -> None:
    """Screenshot the page, then assert axe-core finds nothing serious or critical."""
    screenshot(page, SHOTS, name)
    assert_accessible(page, name)


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def log_in(page, base: str, next_url: str) -> None:
    page.goto(f"{base}/dang-nhap/?next={next_url}")
    page.fill("#id_username", "citizen")
    page.fill("#id_password", "x")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}{next_url}")


def test_citizen_finds_submits_and_sees_the_receipt(transactional_db, live_server, browser):
    from motcua.dossiers.models import Dossier

    from .conftest import add_procedures, make_world

    w = make_world()
    add_procedures(w)
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")

    page.goto(f"{base}/")
    check(page, "01-home")

    page.fill("#q", "dang ky khai sinhh")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_url(re.compile(r".*/thu-tuc/\?q=.*"))
    assert "Kết quả cho" in page.inner_text("main")
    check(page, "02-search")

    page.get_by_role("link", name="Đăng ký khai sinh").click()
    page.wait_for_url(f"{base}/thu-tuc/1.001193/")
    assert "Nếu nộp ngay bây giờ" in page.inner_text("main")
    check(page, "03-procedure")

    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").first.click()
    page.wait_for_url(re.compile(r".*/dang-nhap/\?next=.*"))
    check(page, "04-login")
    page.fill("#id_username", "citizen")
    page.fill("#id_password", "x")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/thu-tuc/1.001193/nop/")
    # The applicant is the account's person: shown, not editable; the contact is prefilled.
    assert "Nguyễn Văn citizen" in page.inner_text("main")
    assert page.locator("#id_applicant_name").count() == 0
    assert page.input_value("#id_applicant_phone") == "0912345678"
    check(page, "05-submit")

    c1, c2 = w.components
    # A bad file first: the message stands next to its component, nothing is created.
    page.set_input_files(
        f"#id_component_{c1.pk}",
        {"name": "to-khai.txt", "mimeType": "text/plain", "buffer": b"not a pdf"},
    )
    page.get_by_role("button", name="Tiếp tục: kiểm tra hồ sơ").click()
    page.wait_for_selector(".error-summary")
    field = page.locator(".field", has=page.locator(f"#id_component_{c1.pk}"))
    assert "không đúng định dạng" in field.inner_text()
    assert Dossier.objects.count() == 0
    check(page, "06-submit-errors")

    page.set_input_files(
        f"#id_component_{c1.pk}",
        {"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": PDF},
    )
    page.set_input_files(
        f"#id_component_{c2.pk}",
        {"name": "chung-sinh.png", "mimeType": "image/png", "buffer": PNG},
    )
    page.get_by_role("button", name="Tiếp tục: kiểm tra hồ sơ").click()
    page.wait_for_url(f"{base}/thu-tuc/1.001193/nop/kiem-tra/")
    assert "chung-sinh.png" in page.inner_text("main")
    assert Dossier.objects.count() == 0
    check(page, "07-review")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url(re.compile(r".*/ho-so/\d+/bien-nhan/"))
    d = Dossier.objects.get()
    assert d.status == Status.SUBMITTED
    main = page.inner_text("main")
    assert "Hồ sơ đã được nộp thành công." in page.inner_text("body")
    assert d.secret in main and d.code in main  # the code is given at submission
    check(page, "08-receipt")

    page.get_by_role("link", name="Hồ sơ của tôi").first.click()
    page.wait_for_url(f"{base}/ho-so/")
    assert "Đã nộp, chờ tiếp nhận" in page.inner_text("main")
    check(page, "09-my-dossiers")

    page.get_by_role("link", name="Đăng ký khai sinh").click()
    page.wait_for_url(f"{base}/ho-so/{d.pk}/")
    assert "Bạn đã nộp hồ sơ trực tuyến" in page.inner_text("main")
    check(page, "10-dossier")

    # The receipt's QR leads to /tra-cuu/?code=…&secret=…: the status shows directly.
    received = advance(w, Status.PROCESSING)
    page.goto(f"{base}/tra-cuu/?code={received.code}&secret={received.secret}")
    assert "Đang xử lý" in page.inner_text("main")
    check(page, "11-lookup")

    # The language switch works without JavaScript.
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert "Track a dossier" in page.inner_text("main")
    check(page, "12-lookup-en")
    page.close()


def test_phone_viewport(transactional_db, live_server, browser):
    from .conftest import add_procedures, make_world

    w = make_world()
    add_procedures(w)
    d = advance(w, Status.SUPPLEMENT_REQUESTED)
    base = live_server.url
    page = browser.new_page(viewport={"width": 360, "height": 740}, locale="vi-VN")
    for name, url in [
        ("m01-home", "/"),
        ("m02-search", "/thu-tuc/?q=ho+kinh+doanh"),
        ("m03-procedure", "/thu-tuc/1.001193/"),
        ("m04-lookup", f"/tra-cuu/?code={d.code}&secret=WRONG234"),
        ("m04b-register", "/dang-ky/"),
    ]:
        page.goto(base + url)
        no_sideways_scroll(page)
        check(page, name)
    log_in(page, base, "/thu-tuc/1.001193/nop/")
    no_sideways_scroll(page)
    check(page, "m05-submit")
    page.goto(f"{base}/ho-so/")
    check(page, "m06-my-dossiers")
    page.goto(f"{base}/ho-so/{d.pk}/")
    assert "Chờ bạn bổ sung giấy tờ" in page.inner_text("main")
    no_sideways_scroll(page)
    check(page, "m07-dossier-supplement")
    # The rating form after the result (many radio groups).
    returned = advance(w, Status.RETURNED)
    page.goto(f"{base}/ho-so/{returned.pk}/")
    assert "Đánh giá sự hài lòng" in page.inner_text("main")
    no_sideways_scroll(page)
    check(page, "m08-dossier-rating")
    page.locator('input[name="rating"][value="1"]').check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_url(f"{base}/ho-so/{returned.pk}/")
    assert "Cảm ơn bạn đã đánh giá." in page.inner_text("main")
    returned.refresh_from_db()
    assert returned.rating == 1
    # Tap targets: the main buttons are at least 44 px high.
    for box in page.locator("main .button").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().height)"
    ):
        assert box >= 44
    page.close()


def test_citizen_declares_a_case_and_is_asked_for_its_document(
    transactional_db, live_server, browser
):
    from motcua.catalog.models import Component
    from motcua.dossiers.models import Dossier

    from .conftest import make_world

    w = make_world()
    case = "Trường hợp trẻ em bị bỏ rơi"
    proxy = Component.objects.create(
        version=w.version,
        order=3,
        name="Biên bản về việc trẻ bị bỏ rơi",
        original_count=1,
        case=case,
    )
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    log_in(page, base, "/thu-tuc/1.001193/nop/")
    page.get_by_label(case).check()
    page.set_input_files(
        f"#id_component_{w.components[0].pk}",
        {"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": PDF},
    )
    page.get_by_role("button", name="Tiếp tục: kiểm tra hồ sơ").click()
    page.wait_for_selector(".error-summary")
    assert "Biên bản về việc trẻ bị bỏ rơi: Chưa đính kèm giấy tờ bắt buộc này." in page.inner_text(
        ".error-summary"
    )
    check(page, "30-submit-case-missing")
    page.set_input_files(
        f"#id_component_{proxy.pk}",
        {"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": PDF},
    )
    page.get_by_role("button", name="Tiếp tục: kiểm tra hồ sơ").click()
    page.wait_for_url(re.compile(r".*/nop/kiem-tra/$"))
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url(re.compile(r".*/ho-so/\d+/bien-nhan/"))
    d = Dossier.objects.get()
    assert d.events.get(action="submit").data["cases"] == [case]
