"""End-to-end in headless Chromium (Playwright) against the live server: the whole journey
across portal and back office, a walk-in dossier at the counter, and a refused one.

The inbox, intake and dossier pages are checked with axe-core (no serious or critical
violation) and saved as screenshots under test-artifacts/screenshots/backoffice/.
"""

from __future__ import annotations

import re
from pathlib import Path

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
from motcua.dossiers.tests.factories import PDF, make_world

SHOTS = SCREENSHOTS / "backoffice"


def _png(width: int = 120, height: int = 80) -> bytes:
    """A real (decodable) PNG, so that the inline preview can be seen on the screenshots."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + b"".join(bytes((165, 14 + 2 * y, 14 + x)) for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = _png()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason=CHROMIUM_MISSING),
]


@pytest.fixture
def browser():
    with launch() as b:
        yield b


def shot(page, name: str, axe: bool = False) -> None:
    """Screenshot the page; with axe, assert nothing serious or critical is found."""
    screenshot(page, SHOTS, f"bo-{name}")
    if not axe:
        return
    if not AXE.exists():
        pytest.skip("needs axe-core: npm install (node_modules/axe-core)")
    assert_accessible(page, name)


def session(browser, base: str, username: str, next_url: str):
    """A fresh browser context logged in as `username` (password x), on `next_url`."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    page.goto(f"{base}/dang-nhap/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "x")
    page.get_by_role("button", name="Đăng nhập").click()
    pass_second_factor(page, username)
    page.wait_for_url(f"{base}{next_url}")
    return page


def do(page, action: str, fill: dict | None = None, files: dict | None = None) -> None:
    """Open the action's panel on the dossier page, fill it, press its button."""
    panel = page.locator(f"#act-{action}")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    for selector, value in (fill or {}).items():
        panel.locator(selector).fill(value)
    for selector, value in (files or {}).items():
        panel.locator(selector).set_input_files(value)
    panel.locator("button[type=submit]").click()
    page.wait_for_load_state()


def status_of(dossier_id: int) -> int:
    from motcua.dossiers.models import Dossier

    return Dossier.objects.get(pk=dossier_id).status


def test_whole_journey(transactional_db, live_server, browser):
    from motcua.dossiers.models import Dossier

    w = make_world()
    base = live_server.url
    c1, c2 = w.components

    # The citizen submits online through the portal.
    citizen = session(browser, base, "citizen", "/thu-tuc/1.001193/nop/")
    citizen.set_input_files(
        f"#id_component_{c1.pk}",
        {"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": PDF},
    )
    citizen.get_by_role("button", name="Tiếp tục: kiểm tra hồ sơ").click()
    citizen.wait_for_url(f"{base}/thu-tuc/1.001193/nop/kiem-tra/")
    citizen.get_by_role("button", name="Nộp hồ sơ").click()
    citizen.wait_for_url(re.compile(r".*/ho-so/\d+/bien-nhan/"))
    d = Dossier.objects.get()
    assert d.status == Status.SUBMITTED

    # The counter officer finds it in the inbox and receives it.
    counter = session(browser, base, "A-c-counter", "/can-bo/")
    assert "Chưa tiếp nhận" in counter.inner_text("table.inbox")
    shot(counter, "01-inbox", axe=True)
    counter.get_by_role("link", name=d.code, exact=True).click()
    counter.wait_for_url(f"{base}/can-bo/ho-so/{d.pk}/")
    shot(counter, "02-dossier-submitted", axe=True)
    do(counter, "receive")
    assert "Đã tiếp nhận hồ sơ" in counter.inner_text(".messages")
    assert counter.locator('a[data-kind="receipt"]').count() == 1
    shot(counter, "03-dossier-received", axe=True)
    do(counter, "forward", {"textarea": "Hồ sơ đủ, chuyển thẩm định"})
    assert status_of(d.pk) == Status.PROCESSING

    # The specialist asks for a supplement: without a reason first.
    specialist = session(browser, base, "A-s-specialist", f"/can-bo/ho-so/{d.pk}/")
    do(specialist, "request_supplement")
    assert "lý do yêu cầu bổ sung" in specialist.inner_text("#act-request_supplement")
    shot(specialist, "04-supplement-request-error", axe=True)
    assert status_of(d.pk) == Status.PROCESSING
    specialist.locator(f"#act-request_supplement input[value='{c2.pk}']").check()
    do(specialist, "request_supplement", {"textarea": "Thiếu giấy chứng sinh"})
    assert status_of(d.pk) == Status.SUPPLEMENT_REQUESTED
    assert "Tạm dừng – chờ người nộp" in specialist.inner_text("#signal")
    shot(specialist, "05-supplement-requested")

    # The citizen supplements on the portal.
    citizen.goto(f"{base}/ho-so/{d.pk}/")
    citizen.set_input_files(
        f"#id_sup_{c2.pk}",
        {"name": "chung-sinh.png", "mimeType": "image/png", "buffer": PNG},
    )
    citizen.get_by_role("button", name="Gửi bổ sung").click()
    citizen.wait_for_load_state()
    assert status_of(d.pk) == Status.PROCESSING

    # The specialist sees the scan inline, forwards; the leader approves and attaches.
    specialist.reload()
    assert specialist.locator("img.preview").count() == 1
    assert specialist.eval_on_selector("img.preview", "i => i.complete && i.naturalWidth") == 120
    shot(specialist, "06-dossier-supplemented", axe=True)
    do(specialist, "forward", {"textarea": "Đủ điều kiện cấp"})
    leader = session(browser, base, "A-s-leader", f"/can-bo/ho-so/{d.pk}/")
    do(leader, "approve", {"textarea": "Cấp giấy khai sinh số 12/2026"})
    assert status_of(d.pk) == Status.PROCESSED
    do(
        leader,
        "attach_result",
        files={
            "input[type=file]": {
                "name": "ket-qua.pdf",
                "mimeType": "application/pdf",
                "buffer": PDF,
            }
        },
    )
    assert "Đã đính kèm kết quả điện tử" in leader.inner_text(".messages")

    # The counter returns the result; the control sheet shows every handover.
    counter.reload()
    do(counter, "return_result")
    assert status_of(d.pk) == Status.RETURNED
    sheet = counter.inner_text("#control-sheet + .table-scroll")
    assert sheet.count("A-") >= 3 and re.search("Trước hạn|Đúng hạn|Quá hạn", sheet)
    shot(counter, "07-dossier-returned", axe=True)

    # The citizen downloads the result and rates the service.
    citizen.goto(f"{base}/ho-so/{d.pk}/")
    with citizen.expect_download() as dl:
        citizen.get_by_role("link", name=re.compile("Tải kết quả")).click()
    assert Path(dl.value.path()).read_bytes() == PDF
    citizen.locator("input[name=rating][value='1']").check()
    citizen.get_by_role("button", name="Gửi đánh giá").click()
    citizen.wait_for_load_state()
    assert Dossier.objects.get(pk=d.pk).rating == 1


def test_walk_in_dossier_at_the_counter(transactional_db, live_server, browser):
    from motcua.dossiers.models import Dossier

    w = make_world()
    base = live_server.url
    c1, c2 = w.components
    c2.required = True  # the checklist must stop a receipt without it
    c2.save()
    page = session(browser, base, "A-c-counter", "/can-bo/tiep-nhan/")
    shot(page, "10-intake-search", axe=True)
    page.fill("#q", "khai sinh")
    page.get_by_role("button", name="Tìm").click()
    page.get_by_role("link", name="Đăng ký khai sinh").click()
    page.wait_for_url(re.compile(r".*/can-bo/tiep-nhan/\?procedure=1\.001193"))
    shot(page, "11-intake-form", axe=True)

    page.fill("#i-applicant_name", "Lê Văn Quầy")
    page.fill("#i-applicant_id_number", "001099000111")
    page.fill("#i-applicant_phone", "0988000111")
    page.fill(f"#i-originals_{c1.pk}", "1")
    page.fill(f"#i-copies_{c2.pk}", "1")
    page.set_input_files(
        f"#component-{c1.pk}",
        {"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": PDF},
    )
    page.set_input_files(
        f"#component-{c2.pk}", {"name": "chung-sinh.png", "mimeType": "image/png", "buffer": PNG}
    )
    page.check(f"#checked-{c1.pk}")
    # One component left unchecked: the checklist stops the receipt.
    page.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    page.wait_for_selector(".error-summary")
    assert "Chưa kiểm tra đủ thành phần hồ sơ" in page.inner_text("main")
    assert Dossier.objects.count() == 0
    shot(page, "12-intake-errors", axe=True)

    page.set_input_files(
        f"#component-{c1.pk}",
        {"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": PDF},
    )
    page.set_input_files(
        f"#component-{c2.pk}", {"name": "chung-sinh.png", "mimeType": "image/png", "buffer": PNG}
    )
    page.check(f"#checked-{c2.pk}")
    page.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    page.wait_for_url(re.compile(r".*/can-bo/ho-so/\d+/$"))
    d = Dossier.objects.get()
    assert d.status == Status.RECEIVED and d.channel == 1
    assert sorted(d.received.values_list("originals", "copies", "files")) == [(0, 1, 1), (1, 0, 1)]
    assert f"Đã tiếp nhận hồ sơ {d.code}" in page.inner_text(".messages")
    assert page.locator("img.preview").count() == 1
    assert page.locator('a[data-kind="receipt"]').get_attribute("href") == (
        f"/giay-to/{d.pk}/receipt.pdf"
    )
    shot(page, "13-intake-received", axe=True)


def test_refused_dossier(transactional_db, live_server, browser):
    from motcua.dossiers import services
    from motcua.dossiers.models import Dossier

    w = make_world()
    d = services.dossier_submit(
        actor=w.citizen,
        procedure=w.procedure,
        receiving_agency=w.a.center,
        files={w.components[0].pk: [("to-khai.pdf", PDF)]},
    )
    base = live_server.url
    page = session(browser, base, "A-c-counter", f"/can-bo/ho-so/{d.pk}/")
    do(page, "refuse")
    assert "lý do từ chối" in page.inner_text("#act-refuse")
    assert Dossier.objects.get(pk=d.pk).status == Status.SUBMITTED
    do(page, "refuse", {"textarea": "Thủ tục không thuộc thẩm quyền của xã"})
    assert Dossier.objects.get(pk=d.pk).status == Status.REFUSED
    assert "Không được tiếp nhận" in page.inner_text("#status")
    assert page.locator('a[data-kind="refusal"]').count() == 1
    assert "Bạn không có thao tác nào" in page.inner_text("main")
    shot(page, "20-refused", axe=True)
