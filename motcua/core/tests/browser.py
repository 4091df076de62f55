"""What the browser suites share: Debian's Chromium driven by Playwright, screenshots for a
human to look at, and axe-core's accessibility check (no serious or critical violation)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Debian's Chromium; CHROMIUM names another binary (the Makefile passes its own on).
CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[3]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


# Said by every skipped browser test, and repeated in a banner at the end of the run
# (conftest.py): a green run without the browser suite must not pass unnoticed.
CHROMIUM_MISSING = (
    f"BROWSER SUITE SKIPPED: {CHROMIUM} not found (bộ kiểm thử trình duyệt bị bỏ qua). "
    "Install Debian's Chromium: `sudo apt-get install chromium` (or run `.ci/run`, which "
    "installs it), then `make test-browser`."
)


def chromium_missing() -> bool:
    return not Path(CHROMIUM).exists()


class Browser:
    """Playwright's browser, noting every console message about the Content-Security-Policy
    or the Permissions-Policy of every page it opens: a script or a style the policy blocks
    is a broken page (issue 10), and `launch` fails the test that met one."""

    def __init__(self, browser) -> None:
        self._browser = browser
        self.policy_errors: list[str] = []

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Permissions-Policy" in message.text:
            self.policy_errors.append(message.text)

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        context.on("console", self._console)
        return context

    def new_page(self, **kwargs):
        page = self._browser.new_page(**kwargs)
        page.on("console", self._console)
        return page

    def __getattr__(self, name):
        return getattr(self._browser, name)


@contextmanager
def launch() -> Iterator:
    """A headless Chromium for one test; fails it if a page broke the site's policies."""
    # Playwright's sync API runs an event loop in this thread; the test's ORM calls stay
    # plain synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = Browser(p.chromium.launch(executable_path=CHROMIUM, args=ARGS))
        try:
            yield browser
        finally:
            browser.close()
        assert browser.policy_errors == []


def screenshot(page, folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def assert_accessible(page, name: str) -> None:
    """axe-core on the page as it is: nothing serious or critical."""
    # Evaluated through the DevTools protocol, which the page's CSP does not govern (an
    # added <script> would be refused: the CSP allows no inline script).
    page.evaluate(AXE.read_text())
    violations = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
            }));
        }"""
    )
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], f"{name}: {serious}"


def pass_second_factor(page, username: str) -> None:
    """After the password of a staff account: type a code its authenticator shows now on the
    verification page (motcua.org.otp), as the officer would; a citizen is not asked.
    The account gets an authenticator first if it has none (motcua.org.tests.otp)."""
    import re

    from django.contrib.auth import get_user_model

    from motcua.org.otp import needs_second_factor
    from motcua.org.tests.otp import fresh_code

    user = get_user_model().objects.get(username=username)
    if not needs_second_factor(user):
        return
    page.wait_for_url(re.compile(r".*/xac-thuc-hai-lop/.*"))
    code = fresh_code(user)  # enrols the account if it had no authenticator
    if "/dang-ky/" in page.url:  # it had none: to the verification page instead
        page.goto(page.url.replace("/dang-ky/", "/"))
    page.fill("#id_otp", code)
    page.get_by_role("button", name="Xác nhận").click()
