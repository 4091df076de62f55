"""A citizen fills the electronic form on a 360-px phone screen in headless Chromium:
the conditional section appears as they tick (eforms.js), a repeated group grows with the
"add one more" button, a wrong date gets the error summary, and every state of the page is
clean for axe-core."""

from __future__ import annotations

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
from motcua.eforms.tests.conftest import HERE, load_test_definition

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
    screenshot(page, SCREENSHOTS, name)
    assert_accessible(page, name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], (name, width)


def test_a_citizen_fills_the_form_on_a_phone(transactional_db, live_server, browser, settings):
    from motcua.dossiers.tests.factories import make_world
    from motcua.eforms.models import DossierForm  # noqa: F401
    from motcua.eforms.services import definition_save

    settings.EFORMS_CODELIST_DIRS = [str(HERE / "codelists")]
    w = make_world()
    doc = load_test_definition()
    doc["procedure_codes"] = ["1.001193"]
    definition_save(actor=None, document=doc)
    base = live_server.url
    page = browser.new_page(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page.goto(f"{base}/dang-nhap/?next=/thu-tuc/1.001193/nop/")
    page.fill("#id_username", "citizen")
    page.fill("#id_password", "x")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/thu-tuc/1.001193/nop/to-khai/")
    assert page.input_value("#f-nguoi-yeu-cau-ho-ten") == w.citizen.applicant.full_name
    check(page, "eform-01-phone")

    # The authorisation section shows as soon as the box is ticked (the script).
    assert page.is_hidden("#s-uy-quyen")
    page.check("#f-nguoi-yeu-cau-nop-thay")
    assert page.is_visible("#s-uy-quyen")
    page.uncheck("#f-nguoi-yeu-cau-nop-thay")
    assert page.is_hidden("#s-uy-quyen")

    # A repeated group grows without script of its own: a submit button.
    page.get_by_role("button", name="Thêm một mục").click()
    page.wait_for_selector("#f-con-0-ho-ten")
    page.fill("#f-con-0-ho-ten", "Nguyễn Văn Bé")

    page.fill("#f-nguoi-yeu-cau-ngay-sinh", "31/02/1990")
    page.get_by_role("button", name="Tiếp tục: giấy tờ kèm theo").click()
    page.wait_for_selector(".error-summary")
    summary = page.inner_text(".error-summary")
    assert "Ngày không hợp lệ" in summary and "Cần nhập «Ngày sinh của con»" in summary
    assert page.get_attribute("#f-nguoi-yeu-cau-ngay-sinh", "aria-invalid") == "true"
    check(page, "eform-02-errors")

    page.fill("#f-nguoi-yeu-cau-ngay-sinh", "05/09/1990")
    page.fill("#f-con-0-ngay-sinh", "01/02/2020")
    page.check("#f-nhan-ket-qua-0")
    page.check("#f-cam-doan")
    page.get_by_role("button", name="Tiếp tục: giấy tờ kèm theo").click()
    page.wait_for_url(f"{base}/thu-tuc/1.001193/nop/")
    assert "Lập từ tờ khai điện tử bạn đã điền" in page.inner_text("main")
    check(page, "eform-03-documents")
