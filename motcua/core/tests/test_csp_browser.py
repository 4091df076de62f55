"""The browser suites fail on a script or style the Content-Security-Policy blocks: an
inline script and an inline style on a page of the site are refused and noted, and the
site's own pages (with the admin's scripts) load with nothing refused."""

import pytest

from motcua.core.tests.browser import (
    CHROMIUM_MISSING,
    SCREENSHOTS,
    chromium_missing,
    launch,
    pass_second_factor,
)
from motcua.core.tests.browser import screenshot as save

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason=CHROMIUM_MISSING),
]


def test_inline_script_and_style_are_refused_and_noted(live_server, db):
    with pytest.raises(AssertionError), launch() as browser:
        page = browser.new_page()
        page.goto(f"{live_server.url}/tra-cuu/")
        page.evaluate(
            """() => {
                const s = document.createElement('script');
                s.textContent = 'document.title = "ran"';
                document.body.append(s);
                const p = document.createElement('p');
                p.setAttribute('style', 'color: red');
                document.body.append(p);
            }"""
        )
        page.wait_for_timeout(200)
        assert page.title() != "ran"
        seen = list(browser.policy_errors)
    assert len(seen) == 2, seen
    assert all("Content Security Policy" in e for e in seen)


def test_admin_pages_load_with_nothing_refused(live_server, django_user_model):
    django_user_model.objects.create_superuser(username="root", password="x")
    with launch() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "root")
        page.fill("#id_password", "x")
        page.click("input[type=submit]")
        pass_second_factor(page, "root")
        page.wait_for_url(f"{live_server.url}/admin/")
        # A change form: the admin's own scripts (calendar, related-object popups).
        page.goto(f"{live_server.url}/admin/auth/user/add/")
        page.wait_for_selector("#id_username")
        page.goto(f"{live_server.url}/admin/core/auditentry/")
        save(page, SCREENSHOTS, "admin-audit")


def test_report_page_styled_from_its_stylesheet(live_server, transactional_db):
    from motcua.dossiers.tests.factories import make_world

    w = make_world()
    with launch() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        page.goto(f"{live_server.url}/cong-khai/{w.a.settling.code}/")
        sheets = page.evaluate("[...document.styleSheets].map(s => s.href.split('/').pop())")
        assert sheets == ["site.css", "reports.css"]
        # A rule of reports.css (formerly an inline <style>) is applied.
        border = page.evaluate(
            "getComputedStyle(document.querySelector('.report-table td')).borderTopStyle"
        )
        assert border == "solid"
        save(page, SCREENSHOTS, "report-public-agency")
