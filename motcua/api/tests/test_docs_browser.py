"""The API docs page works with no internet: Chromium, with every request to another host
refused, shows Swagger UI and the operations of the API."""

import pytest

from motcua.core.tests.browser import CHROMIUM_MISSING, chromium_missing, launch

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason=CHROMIUM_MISSING),
]


def test_swagger_ui_loads_with_no_internet(live_server, db):
    base = live_server.url
    elsewhere = []

    def route(r):
        if r.request.url.startswith(base):
            r.continue_()
        else:
            elsewhere.append(r.request.url)
            r.abort()

    with launch() as browser:
        page = browser.new_page()
        page.route("**/*", route)
        page.goto(f"{base}/api/docs")
        page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
        assert page.locator(".swagger-ui .title").first.inner_text().startswith("motcua API")
        assert page.locator(".opblock").count() > 10
    assert elsewhere == []
