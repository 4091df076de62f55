"""Login with VNeID / the national portal over OpenID Connect, against a real provider.

The provider is `motcua.devtools.idp`, started as its own process on a free loopback port;
the Django test client goes to it over HTTP (with `requests`, as a browser would), picks an
identity on its page and comes back with the code. motcua's client (Authlib + joserfc) is
the real one: the misbehaviours (wrong issuer, expired, tampered signature, bad claims)
are switched on in the provider through its test-only control endpoint.
"""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import time
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from motcua.core.audit import history
from motcua.core.identifiers import make_personal_id
from motcua.demo.companions import free_port
from motcua.org import oidc
from motcua.org.enums import ApplicantKind, Role
from motcua.org.models import Applicant, ApplicantIdentity, StaffRole
from motcua.org.services import applicant_register
from motcua.org.tests.otp import otp_login

CALLBACK = "http://testserver/dang-nhap/vneid/ve/"
AN_PID = "027090123456"  # the provider's "an" identity (the demo citizen)
BINH_PID = "027195204816"
QUANHO_TAX = "2300123454"


@pytest.fixture(scope="module")
def idp():
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "motcua.devtools.idp",
            "--port",
            str(port),
            "--client-id",
            "motcua-test",
            "--client-secret",
            "bi-mat-thu",
            "--redirect-uri",
            CALLBACK,
            "--control",
        ],
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(base + "/.well-known/openid-configuration", timeout=1)
            break
        except requests.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("the test identity provider did not start") from None
            time.sleep(0.1)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def provider(idp, settings, db):
    """motcua pointed at the provider, behaving normally at the start of each test."""
    settings.MOTCUA_OIDC_ISSUER = idp
    settings.MOTCUA_OIDC_CLIENT_ID = "motcua-test"
    settings.MOTCUA_OIDC_CLIENT_SECRET = "bi-mat-thu"
    settings.MOTCUA_OIDC_REDIRECT_URI = ""
    settings.MOTCUA_OIDC_USERINFO = False
    settings.MOTCUA_OIDC_KEEP_LOCAL_PASSWORD = False
    oidc._cache.clear()
    misbehave(idp, "normal")
    yield idp
    misbehave(idp, "normal")


def misbehave(idp: str, mode: str) -> None:
    r = requests.post(idp + "/_control", json={"mode": mode}, timeout=5)
    assert r.status_code == 200, r.text


def to_provider(client, next_url: str = "") -> str:
    """Press the login button; return the provider URL motcua sends the browser to."""
    r = client.get("/dang-nhap/vneid/" + (f"?next={next_url}" if next_url else ""))
    assert r.status_code == 302, r.content
    return r["Location"]


def pick_identity(authorize_url: str, identity: str, decision: str = "allow") -> str:
    """On the provider's page, choose `identity` and submit; return where it sends back."""
    page = requests.get(authorize_url, timeout=5)
    assert page.status_code == 200, page.text
    assert "Đăng nhập bằng định danh điện tử" in page.text
    fields = {
        unescape(name): unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page.text
        )
    }
    assert f'value="{identity}"' in page.text
    action = urlsplit(authorize_url)._replace(path="/authorize", query="").geturl()
    back = requests.post(
        action,
        data={**fields, "identity": identity, "decision": decision},
        allow_redirects=False,
        timeout=5,
    )
    assert back.status_code == 302, back.text
    return back.headers["Location"]


def come_back(client, callback_url: str):
    parts = urlsplit(callback_url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CALLBACK
    return client.get(parts.path + "?" + parts.query)


def log_in(client, identity: str, next_url: str = ""):
    callback = pick_identity(to_provider(client, next_url), identity)
    return come_back(client, callback), callback


def security_lines(caplog) -> list[dict]:
    return [r.security for r in caplog.records if r.name == "motcua.security"]


def assert_refused(response, reason: str, caplog) -> None:
    assert response.status_code in (400, 404, 409), response.status_code
    body = response.content.decode()
    assert "Không đăng nhập được bằng định danh quốc gia" in body
    assert f"<code>{reason}</code>" in body
    assert "_auth_user_id" not in response.wsgi_request.session
    failed = [e for e in security_lines(caplog) if e["event"] == "login_failed"]
    assert failed and failed[-1]["channel"] == "oidc" and failed[-1]["reason"] == reason


@pytest.fixture(autouse=True)
def _security_log(caplog):
    caplog.set_level(logging.INFO, logger="motcua.security")


# -- the happy path ------------------------------------------------------------------------


def test_first_login_creates_the_account_and_the_second_finds_it(provider, client, caplog):
    r, _ = log_in(client, "binh")
    assert r.status_code == 302 and r["Location"] == "/ho-so/"
    applicant = Applicant.objects.get(personal_id=BINH_PID)
    assert applicant.kind == ApplicantKind.PERSON
    assert applicant.full_name == "Trần Thị Bình"
    assert applicant.user.username == BINH_PID
    assert not applicant.user.has_usable_password()
    assert int(client.session["_auth_user_id"]) == applicant.user.pk
    (ident,) = ApplicantIdentity.objects.filter(applicant=applicant)
    assert ident.issuer == provider and ident.number == BINH_PID and ident.subject
    assert ident.acr == "2" and not ident.linked_local
    assert history(ident).get().operation == "applicant_identity_create"
    logins = [e for e in security_lines(caplog) if e["event"] == "login"]
    assert len(logins) == 1  # one line per login (core/signals.py writes it)
    assert logins[-1]["channel"] == "oidc" and logins[-1]["created"] is True
    assert logins[-1]["user_id"] == applicant.user.pk

    client.post("/dang-xuat/")
    assert "_auth_user_id" not in client.session
    users_before = User.objects.count()
    r, _ = log_in(client, "binh", next_url="/thu-tuc/")
    assert r.status_code == 302 and r["Location"] == "/thu-tuc/"
    assert User.objects.count() == users_before
    assert int(client.session["_auth_user_id"]) == applicant.user.pk
    assert ApplicantIdentity.objects.filter(applicant=applicant).count() == 1
    logins = [e for e in security_lines(caplog) if e["event"] == "login"]
    assert logins[-1]["created"] is False


def test_the_authorization_request_uses_pkce_s256_state_and_nonce(provider, client):
    url = to_provider(client)
    assert url.startswith(provider + "/authorize?")
    q = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert q["response_type"] == "code" and q["client_id"] == "motcua-test"
    assert q["code_challenge_method"] == "S256" and len(q["code_challenge"]) == 43
    assert q["redirect_uri"] == CALLBACK and "openid" in q["scope"].split()
    pending = client.session["oidc_pending"][q["state"]]
    assert pending["nonce"] == q["nonce"]
    assert "code_verifier" not in q and pending["code_verifier"] not in url


def test_a_business_logs_in_with_its_tax_code(provider, client):
    r, _ = log_in(client, "yenphong")
    assert r.status_code == 302
    applicant = Applicant.objects.get(tax_code="2300987655")
    assert applicant.kind == ApplicantKind.BUSINESS and applicant.personal_id == ""
    assert applicant.full_name == "Hợp tác xã Nông nghiệp Yên Phong"


def test_userinfo_may_be_read_as_well(provider, client, settings):
    settings.MOTCUA_OIDC_USERINFO = True
    r, _ = log_in(client, "binh")
    assert r.status_code == 302
    assert Applicant.objects.filter(personal_id=BINH_PID).exists()


def test_the_login_page_shows_the_button_only_when_configured(provider, client, settings):
    body = client.get("/dang-nhap/?next=/ho-so/").content.decode()
    assert "Đăng nhập bằng VNeID / Cổng DVC quốc gia" in body
    assert 'href="/dang-nhap/vneid/?next=/ho-so/"' in body
    assert 'name="password"' in body  # local login stays
    settings.MOTCUA_OIDC_ISSUER = ""
    body = client.get("/dang-nhap/").content.decode()
    assert "Đăng nhập bằng VNeID" not in body
    assert 'name="password"' in body


# -- what the provider (or someone in between) gets wrong --------------------------------


@pytest.mark.parametrize(
    ("mode", "reason", "words"),
    [
        ("wrong_issuer", "wrong_issuer", "nhà phát hành (iss)"),
        ("expired", "token_expired", "ID token đã hết hạn"),
        ("tampered", "bad_signature", "Chữ ký của ID token không đúng"),
        ("wrong_audience", "wrong_audience", "không được cấp cho hệ thống này"),
        ("no_number", "number_missing", "không gửi số định danh cá nhân (trường 'SoDinhDanh')"),
        ("bad_number", "number_invalid", "không hợp lệ"),
    ],
)
def test_a_bad_id_token_is_refused_and_nothing_is_created(
    provider, client, caplog, mode, reason, words
):
    misbehave(provider, mode)
    users_before = User.objects.count()
    r, _ = log_in(client, "binh")
    assert_refused(r, reason, caplog)
    assert words in unescape(r.content.decode())
    assert User.objects.count() == users_before
    assert not Applicant.objects.filter(personal_id=BINH_PID).exists()


def test_a_missing_tax_code_is_named(provider, client, caplog):
    misbehave(provider, "no_number")
    r, _ = log_in(client, "quanho")
    assert_refused(r, "number_missing", caplog)
    assert "mã số thuế (trường 'MaSoThue')" in unescape(r.content.decode())


def test_a_replayed_state_is_refused(provider, client, caplog):
    r, callback = log_in(client, "binh")
    assert r.status_code == 302
    # The same answer again, in the same browser: the state was used up.
    again = come_back(client, callback)
    assert again.status_code == 400
    assert "<code>state_unknown</code>" in again.content.decode()
    # And in another browser (someone who captured the URL): never started there.
    from django.test import Client

    thief = Client()
    stolen = come_back(thief, callback)
    assert_refused(stolen, "state_unknown", caplog)


def test_a_callback_without_state_is_refused(provider, client, caplog):
    assert_refused(client.get("/dang-nhap/vneid/ve/?code=abc"), "state_missing", caplog)


def test_the_provider_checks_the_pkce_verifier(provider, client, caplog):
    callback = pick_identity(to_provider(client), "binh")
    session = client.session
    waiting = session["oidc_pending"]
    (state,) = waiting
    waiting[state]["code_verifier"] = "x" * 64  # not the verifier of the challenge sent
    session["oidc_pending"] = waiting
    session.save()
    r = come_back(client, callback)
    assert_refused(r, "token_refused", caplog)
    assert "invalid_grant" in unescape(r.content.decode())


def test_the_provider_refuses_a_token_request_without_verifier(provider, client):
    callback = pick_identity(to_provider(client), "binh")
    code = parse_qs(urlsplit(callback).query)["code"][0]
    r = requests.post(
        provider + "/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK},
        auth=("motcua-test", "bi-mat-thu"),
        timeout=5,
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_declining_at_the_provider_is_named(provider, client, caplog):
    callback = pick_identity(to_provider(client), "binh", decision="deny")
    r = come_back(client, callback)
    assert_refused(r, "provider_denied", caplog)


def test_a_discovery_document_for_another_issuer_is_refused(provider, client, caplog, settings):
    settings.MOTCUA_OIDC_ISSUER = provider.replace("127.0.0.1", "localhost")
    assert_refused(client.get("/dang-nhap/vneid/"), "wrong_issuer", caplog)


def test_an_unreachable_provider_is_named(provider, client, caplog, settings):
    settings.MOTCUA_OIDC_ISSUER = f"http://127.0.0.1:{free_port()}"
    assert_refused(client.get("/dang-nhap/vneid/"), "provider_unreachable", caplog)


def test_not_configured(client, settings, db, caplog):
    settings.MOTCUA_OIDC_ISSUER = ""
    assert_refused(client.get("/dang-nhap/vneid/"), "not_configured", caplog)


# -- binding to a local account -----------------------------------------------------------


def _local(username: str, pid: str, **kw) -> Applicant:
    return applicant_register(
        username=username,
        password="Mat-khau-rat-dai-2025",
        kind=ApplicantKind.PERSON,
        full_name="Nguyễn Văn An",
        personal_id=pid,
        **kw,
    )


def test_a_local_account_with_the_number_is_linked_and_its_password_retired(provider, client):
    local = _local("congdan", AN_PID)
    r, _ = log_in(client, "an")
    assert r.status_code == 302
    assert int(client.session["_auth_user_id"]) == local.user.pk
    ident = ApplicantIdentity.objects.get(applicant=local)
    assert ident.linked_local and ident.number == AN_PID
    assert history(ident).get().operation == "applicant_identity_link"
    local.user.refresh_from_db()
    assert not local.user.has_usable_password()
    assert Applicant.objects.filter(personal_id=AN_PID).count() == 1


def test_the_demo_may_keep_the_local_password(provider, client, settings):
    settings.MOTCUA_OIDC_KEEP_LOCAL_PASSWORD = True
    local = _local("congdan", AN_PID)
    r, _ = log_in(client, "an")
    assert r.status_code == 302
    local.user.refresh_from_db()
    assert local.user.check_password("Mat-khau-rat-dai-2025")


def test_a_local_account_bound_to_another_subject_is_not_taken_over(provider, client, caplog):
    local = _local("congdan", AN_PID)
    ApplicantIdentity.objects.create(
        applicant=local,
        issuer=provider,
        subject="mot-chu-the-khac",
        number=AN_PID,
        verified_at="2026-01-01T00:00:00Z",
        last_login_at="2026-01-01T00:00:00Z",
    )
    r, _ = log_in(client, "an")
    assert_refused(r, "account_conflict", caplog)
    assert ApplicantIdentity.objects.filter(applicant=local).count() == 1
    local.user.refresh_from_db()
    assert local.user.check_password("Mat-khau-rat-dai-2025")


def test_a_staff_account_is_never_linked(provider, client, caplog):
    from motcua.dossiers.tests.factories import make_world

    w = make_world()
    local = _local("canbo-cung-so", AN_PID)
    StaffRole.objects.create(user=local.user, agency=w.b.settling, role=Role.SPECIALIST)
    r, _ = log_in(client, "an")
    assert_refused(r, "account_conflict", caplog)
    assert "tài khoản cán bộ" in unescape(r.content.decode())
    assert not ApplicantIdentity.objects.exists()


def test_a_changed_number_for_a_known_subject_is_refused(provider, client, caplog):
    r, _ = log_in(client, "binh")
    assert r.status_code == 302
    applicant = Applicant.objects.get(personal_id=BINH_PID)
    other = make_personal_id(1, "female", 1995, 1)
    Applicant.objects.filter(pk=applicant.pk).update(personal_id=other)
    client.post("/dang-xuat/")
    r, _ = log_in(client, "binh")
    assert_refused(r, "number_changed", caplog)


def test_a_disabled_account_cannot_log_in(provider, client, caplog):
    r, _ = log_in(client, "binh")
    assert r.status_code == 302
    get_user_model().objects.filter(username=BINH_PID).update(is_active=False)
    client.post("/dang-xuat/")
    r, _ = log_in(client, "binh")
    assert_refused(r, "account_inactive", caplog)


def test_an_id_token_for_another_login_is_refused_by_its_nonce(provider, client, caplog):
    callback = pick_identity(to_provider(client), "binh")
    session = client.session
    waiting = session["oidc_pending"]
    (state,) = waiting
    waiting[state]["nonce"] = "nonce-cua-lan-dang-nhap-khac"
    session["oidc_pending"] = waiting
    session.save()
    assert_refused(come_back(client, callback), "nonce_mismatch", caplog)


# -- the demo ------------------------------------------------------------------------------

DEMO_SETTINGS = (
    "MOTCUA_OIDC_ISSUER",
    "MOTCUA_OIDC_CLIENT_ID",
    "MOTCUA_OIDC_CLIENT_SECRET",
    "MOTCUA_OIDC_REDIRECT_URI",
    "MOTCUA_OIDC_KEEP_LOCAL_PASSWORD",
)


def test_the_demo_starts_the_provider_and_its_citizen_logs_in(db, client, settings, monkeypatch):
    from motcua.demo import companions
    from motcua.demo.idp import identity_provider

    for name in DEMO_SETTINGS:
        setattr(settings, name, "" if name != "MOTCUA_OIDC_KEEP_LOCAL_PASSWORD" else False)
        monkeypatch.delenv(name, raising=False)  # restored after the test
    settings.MOTCUA_PUBLIC_URL = "http://testserver"
    oidc._cache.clear()
    assert "motcua.demo.idp.identity_provider" in companions.FACTORIES
    companion = identity_provider()
    assert companion is not None
    proc = companions.start(companion)
    try:
        assert f"http://127.0.0.1:{companion.port}" == settings.MOTCUA_OIDC_ISSUER
        assert settings.MOTCUA_OIDC_REDIRECT_URI == CALLBACK
        local = _local("congdan", AN_PID)
        r, _ = log_in(client, "an")
        assert r.status_code == 302
        assert int(client.session["_auth_user_id"]) == local.user.pk
        local.user.refresh_from_db()
        assert local.user.check_password("Mat-khau-rat-dai-2025")  # the demo keeps it
        # No control channel in the demo: the provider cannot be told to misbehave.
        r = requests.post(settings.MOTCUA_OIDC_ISSUER + "/_control", json={"mode": "expired"})
        assert r.status_code == 404
    finally:
        companions._stop(proc)


def test_a_configured_provider_replaces_the_demo_one(settings):
    from motcua.demo.idp import identity_provider

    settings.MOTCUA_OIDC_ISSUER = "https://sso.dichvucong.gov.vn"
    assert identity_provider() is None


def test_the_provider_offers_the_demo_citizen_and_company():
    from motcua.core.identifiers import make_tax_code
    from motcua.devtools.idp import IDENTITIES

    numbers = {i.key: i.number for i in IDENTITIES}
    assert numbers["an"] == make_personal_id(27, "male", 1990, 123456) == AN_PID
    assert numbers["quanho"] == make_tax_code("230012345") == QUANHO_TAX


def test_the_admin_shows_the_identity_and_does_not_let_the_number_be_edited(provider, client):
    r, _ = log_in(client, "binh")
    assert r.status_code == 302
    applicant = Applicant.objects.get(personal_id=BINH_PID)
    admin_user = User.objects.create_superuser("quantri", password="x")
    otp_login(client, admin_user)  # past the second factor (motcua.org.otp)
    page = client.get(f"/admin/org/applicant/{applicant.pk}/change/").content.decode()
    assert 'name="personal_id"' not in page
    assert BINH_PID in page and provider in page
    assert 'name="full_name"' in page


def test_a_rotated_signing_key_is_fetched_again(provider, client):
    r, _ = log_in(client, "binh")
    assert r.status_code == 302  # the key set is now cached
    rotated = requests.post(provider + "/_control", json={"rotate_key": True}, timeout=5)
    assert rotated.status_code == 200
    client.post("/dang-xuat/")
    r, _ = log_in(client, "binh")
    assert r.status_code == 302 and r["Location"] == "/ho-so/"
    assert oidc.key_set(oidc.config()).get_by_kid(rotated.json()["kid"])
