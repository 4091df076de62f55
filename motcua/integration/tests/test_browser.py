"""The outbox page and the dossier page's sync log in headless Chromium, at 360 px wide:
an agency administrator replays a dead letter with the button (a plain form); axe-core
finds no serious violation; nothing scrolls sideways."""

from __future__ import annotations

import pytest
from django.db import transaction

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
from motcua.dossiers import services as s
from motcua.dossiers.tests.conftest import T0, submit
from motcua.dossiers.tests.factories import make_world
from motcua.integration import national, outbox
from motcua.integration.models import OutboxMessage

SHOTS = SCREENSHOTS / "integration"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason=CHROMIUM_MISSING),
    pytest.mark.skipif(not AXE.exists(), reason="needs axe-core: npm install"),
]


def phone_session(browser, base, username, next_url):
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


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 361 && !e.closest('.table-scroll'))
            .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)"""
    )
    assert width <= 360, f"{width}px wide: {wide}"


def test_replay_a_dead_letter_on_a_phone(receiver, live_server):
    w = make_world()
    d = submit(w, T0)
    d = s.dossier_receive(dossier_id=d.pk, actor=w.a.staff["c:counter"], at=T0)
    outbox.run(names=[national.DESTINATION])
    # a message the portal refuses (a jump from 2 to 10)
    data = {**national.portal_dossier(d), "TrangThaiHoSo": "10"}
    with transaction.atomic():
        outbox.enqueue(
            destination=national.DESTINATION,
            key=d.code,
            dedup_id=f"{d.code}:forged",
            payload={"isUpdating": True, "action": "forged", "data": data},
        )
    outbox.run(names=[national.DESTINATION])
    m = OutboxMessage.objects.get(dedup_id=f"{d.code}:forged")
    assert m.state == "dead"
    base = live_server.url
    with launch() as browser:
        page = phone_session(browser, base, "A-c-agency_admin", "/can-bo/hop-thu-di/")
        assert "Cổng DVC quốc gia từ chối" in page.inner_text(f"#message-{m.pk}")
        screenshot(page, SHOTS, "outbox-01-dead-letter")
        assert_accessible(page, "outbox-01-dead-letter")
        no_sideways_scroll(page)
        page.locator(f"#message-{m.pk}").get_by_role("button").click()
        page.wait_for_url(f"{base}/can-bo/hop-thu-di/")
        assert "Đã đưa thư vào hàng đợi gửi lại." in page.inner_text("main")
        m.refresh_from_db()
        # eager: delivered again right after the replay's commit, and refused again
        assert (m.state, m.attempts) == ("dead", 1)
        page.goto(f"{base}/can-bo/ho-so/{d.pk}/")
        page.wait_for_selector("#sync")
        screenshot(page, SHOTS, "outbox-02-sync-log")
        assert_accessible(page, "outbox-02-sync-log")
