"""`motcua check --deploy` is clean with the production settings of README (issue 10), and
the settings of transport security default to off (plain http for `make demo`)."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from motcua.core.tests.test_settings import settings_in

ROOT = Path(__file__).resolve().parents[3]
MOTCUA = Path(sys.executable).with_name("motcua")


def readme_production_env() -> dict[str, str]:
    """The variables of README's production command line, the elided values (…) filled in."""
    readme = (ROOT / "README.md").read_text()
    line = next(ln for ln in readme.splitlines() if ln.startswith("`DATABASE_URL=postgres://"))
    given = dict(re.findall(r"([A-Z][A-Z0-9_]+)=(\S+)", line))
    filled = {
        "DATABASE_URL": "postgres://motcua@127.0.0.1:5432/motcua",
        "MOTCUA_SECRET_KEY": secrets.token_urlsafe(50),
        "MOTCUA_CACHE_URL": "redis://127.0.0.1:6379/1",
    }
    return {k: filled[k] if "…" in v else v for k, v in given.items()}


def test_readme_production_line_turns_https_on():
    env = readme_production_env()
    assert env["MOTCUA_DEBUG"] == "0"
    assert env["MOTCUA_HTTPS"] == "1"
    assert env["MOTCUA_PROXY_SSL_HEADER"] == "HTTP_X_FORWARDED_PROTO"
    assert {"MOTCUA_SECRET_KEY", "MOTCUA_ALLOWED_HOSTS", "DATABASE_URL"} <= set(env)


def run_check(env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    # Nothing of the test process's own (the browser suites set DJANGO_ALLOW_ASYNC_UNSAFE).
    own = ("MOTCUA_", "DATABASE_", "DJANGO_")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    clean.update(env, MOTCUA_VAR_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    return subprocess.run(
        [str(MOTCUA), "check", "--deploy", "--fail-level", "WARNING"],
        env=clean,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_check_deploy_is_clean_with_the_readme_production_settings(tmp_path):
    done = run_check(readme_production_env(), tmp_path)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "System check identified no issues" in done.stdout


def test_check_deploy_fails_without_https(tmp_path):
    # The same line without MOTCUA_HTTPS: the check names what is missing.
    env = readme_production_env()
    del env["MOTCUA_HTTPS"]
    done = run_check(env, tmp_path)
    assert done.returncode == 1
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in done.stderr, warning


NAMES = [
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
    "ALLOWED_HOSTS",
]


def test_transport_security_is_off_by_default_and_no_test_host(tmp_path):
    got = settings_in({"MOTCUA_VAR_DIR": str(tmp_path)}, NAMES)
    assert got == {
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_PROXY_SSL_HEADER": None,
        "ALLOWED_HOSTS": ["127.0.0.1", "localhost"],
    }


def test_https_and_the_proxy_header_from_the_environment(tmp_path):
    env = {
        "MOTCUA_VAR_DIR": str(tmp_path),
        "MOTCUA_HTTPS": "1",
        "MOTCUA_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO",
        "MOTCUA_ALLOWED_HOSTS": "dichvucong.bacninh.gov.vn, ",
    }
    assert settings_in(env, NAMES) == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "ALLOWED_HOSTS": ["dichvucong.bacninh.gov.vn"],
    }
