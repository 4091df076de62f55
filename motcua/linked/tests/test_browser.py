"""End-to-end on a 360-px phone: a citizen submits the linked application for 2.000986 and
follows its one timeline; axe-core finds nothing serious on any page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from motcua.core.tests.browser import (
    AXE,
    CHROMIUM_MISSING,
    SCREENSHOTS,
    assert_accessible,
    chromium_missing,
    launch,
    screenshot,
)
from motcua.dossiers.tests.factories import PDF

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason=CHROMIUM_MISSING),
    pytest.mark.skipif(not AXE.exists(), reason="needs axe-core: npm install"),
]

PHONE = {"width": 360, "height": 740}


def check(page, name: str) -> None:
    screenshot(page, SCREENSHOTS, name)
    assert_accessible(page, name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (name, width)


def test_a_citizen_submits_the_linked_application_on_a_phone(transactional_db, live_server):
    from motcua.linked.models import LinkedApplication

    from .factories import make_linked_world, settle

    lw = make_linked_world()
    base = live_server.url
    with launch() as browser:
        page = browser.new_page(viewport=PHONE, locale="vi-VN")
        page.goto(f"{base}/thu-tuc/2.000986/")
        check(page, "linked-01-procedure")
        page.get_by_role("link", name="Nộp một lần cho cả 3 thủ tục liên thông").click()
        page.wait_for_url(f"{base}/dang-nhap/?next=/thu-tuc/2.000986/lien-thong/")
        page.fill("#id_username", "citizen")
        page.fill("#id_password", "x")
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{base}/thu-tuc/2.000986/lien-thong/")
        check(page, "linked-02-form")

        # First without the documents: every error at once, on the same page.
        page.fill("#id_data_child_name", "Nguyễn Thị Bống")
        page.fill("#id_data_birth_date", "31/02/2026")
        page.fill("#id_data_address", "Thôn Đông, xã A")
        page.get_by_role("button", name="Nộp hồ sơ liên thông").click()
        assert page.locator("#error-summary").is_visible()
        assert "ngày không hợp lệ" in page.inner_text("#err_data_birth_date")
        check(page, "linked-03-errors")

        page.fill("#id_data_birth_date", "01/03/2026")
        for key in ("p1", "p3", "p4"):
            page.set_input_files(
                f"#id_part_{key}",
                files=[{"name": f"{key}.pdf", "mimeType": "application/pdf", "buffer": PDF}],
            )
        page.get_by_role("button", name="Nộp hồ sơ liên thông").click()
        app = LinkedApplication.objects.get()
        page.wait_for_url(f"{base}/ho-so/lien-thong/{app.pk}/")
        first = app.members.get(order=1).dossier
        assert first.code in page.inner_text("#member-1")
        assert "Chờ thủ tục trước" in page.inner_text("#member-2")
        check(page, "linked-04-timeline")

        # The commune returns the birth registration: the police's dossier follows.
        settle(lw, first, timezone.now() - dt.timedelta(hours=5))
        page.reload()
        second = app.members.get(order=2).dossier
        assert second is not None
        assert "Đã trả kết quả" in page.inner_text("#member-1")
        assert second.code in page.inner_text("#member-2")
        assert lw.police_a.name in page.inner_text("#member-2")
        check(page, "linked-05-timeline-second")

        page.goto(f"{base}/ho-so/")
        assert f"LT-{app.pk}" in page.inner_text("main")
        check(page, "linked-06-my-dossiers")
        assert browser.policy_errors == []


def test_the_linked_page_renders_the_birth_registration_form_on_a_phone(
    transactional_db, live_server
):
    """With the khai-sinh form installed, the linked page asks the form (engine-rendered,
    no upload of the declaration) and shows every error of the form at once; axe clean at
    360 px."""
    from motcua.catalog.models import Component
    from motcua.eforms.services import definitions_load
    from motcua.linked.models import LinkedApplication

    from .factories import make_linked_world
    from .test_form import BIRTH_NOTICE, DECLARATION, EFORMS

    make_linked_world()
    Component.objects.filter(name="Tờ khai đăng ký khai sinh").update(name=DECLARATION)
    Component.objects.filter(name="Giấy chứng sinh").update(name=BIRTH_NOTICE)
    definitions_load(folder=EFORMS)
    base = live_server.url
    with launch() as browser:
        page = browser.new_page(viewport=PHONE, locale="vi-VN")
        page.goto(f"{base}/dang-nhap/?next=/thu-tuc/2.000986/lien-thong/")
        page.fill("#id_username", "citizen")
        page.fill("#id_password", "x")
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{base}/thu-tuc/2.000986/lien-thong/")
        assert page.locator('[name="f.tre.ho_ten"]').count() == 1
        assert page.locator("#id_data_child_name").count() == 0
        assert "lập từ tờ khai điện tử ở trên" in page.inner_text("main")
        check(page, "linked-form-01")

        page.fill('[name="f.tre.ho_ten"]', "Trần Minh An")
        page.fill("#id_data_address", "Thôn Đông, xã A")
        page.get_by_role("button", name="Nộp hồ sơ liên thông").click()
        page.wait_for_load_state()
        assert "Tờ khai còn lỗi cần sửa" in page.inner_text("main")
        assert page.input_value('[name="f.tre.ho_ten"]') == "Trần Minh An"
        check(page, "linked-form-02-errors")
        assert LinkedApplication.objects.count() == 0
        assert browser.policy_errors == []
