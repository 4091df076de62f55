import pytest

# The `security_lines` fixture: the security log as written, parsed back (core/seclog.py).
pytest_plugins = ["motcua.core.tests.seclog_capture"]


def pytest_configure(config):
    from django.conf import settings

    # Password hashing at production strength would make every test that creates a user slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    """Every test writes uploaded files to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Rolled-back test data may reuse ids on SQLite: start every test with empty caches."""
    from django.core.cache import cache, caches
    from django.core.cache.backends.locmem import LocMemCache

    from motcua.api.auth import auth_cache_clear
    from motcua.dossiers.rules import steps_cache_clear

    steps_cache_clear()
    auth_cache_clear()
    if isinstance(caches["default"], LocMemCache):
        # Lookup-failure counters. Never a shared cache (MOTCUA_CACHE_URL in the
        # environment): clearing Redis would empty a database others may use.
        cache.clear()
    yield
    steps_cache_clear()
    auth_cache_clear()


def pytest_terminal_summary(terminalreporter):
    """A loud banner when the browser suite was skipped for want of Chromium, or the
    malware scan tests for want of clamd."""
    from motcua.core.tests.browser import CHROMIUM_MISSING

    skipped = [
        r
        for r in terminalreporter.stats.get("skipped", [])
        if isinstance(r.longrepr, tuple) and CHROMIUM_MISSING in str(r.longrepr[2])
    ]
    if skipped:
        terminalreporter.write_sep("!", f"{len(skipped)} browser tests SKIPPED", red=True)
        terminalreporter.write_line(CHROMIUM_MISSING, red=True, bold=True)
        terminalreporter.write_sep("!", red=True)
    # The same for the malware scan tests, which need clamd (CI installs clamav-daemon).
    from motcua.dossiers.tests.clamd import CLAMD_MISSING

    skipped = [
        r
        for r in terminalreporter.stats.get("skipped", [])
        if isinstance(r.longrepr, tuple) and CLAMD_MISSING in str(r.longrepr[2])
    ]
    if skipped:
        terminalreporter.write_sep("!", f"{len(skipped)} malware scan tests SKIPPED", red=True)
        terminalreporter.write_line(CLAMD_MISSING, red=True, bold=True)
        terminalreporter.write_sep("!", red=True)


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, past the second factor the admin asks of staff
    (motcua.org.otp; the check stays on in the tests)."""
    from motcua.org.tests.otp import otp_login

    otp_login(client, admin_user)
    return client


@pytest.fixture(scope="session", autouse=True)
def _data_migrations_after_flush():
    """The rows data migrations seed (the notification templates, 0002_seed_templates) are
    there again after a transactional test or a live server flushes the database, as they
    are after `migrate`: Django's flush sends post_migrate, and this session's receiver
    seeds them (only what is missing; the seed is get_or_create). Without it a test's
    outcome would depend on whether a flushing test ran before it on the same worker."""
    import importlib

    from django.apps import apps
    from django.db.models.signals import post_migrate

    seed = importlib.import_module("motcua.notifications.migrations.0002_seed_templates").seed

    def reseed(sender, using="default", **kwargs):
        if getattr(sender, "label", "") == "notifications":
            seed(apps, None)

    post_migrate.connect(reseed, weak=False, dispatch_uid="motcua-tests-reseed")
    yield
    post_migrate.disconnect(dispatch_uid="motcua-tests-reseed")
