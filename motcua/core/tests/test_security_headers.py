"""What the server sends (issue 10): on every URL of the site, for an anonymous visitor, a
citizen and an officer, the security headers; `Cache-Control: no-store` on everything but
the public pages given to an anonymous client; https behaviour when turned on."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from motcua.core.security import PERMISSIONS_POLICY
from motcua.dossiers.enums import Status
from motcua.dossiers.tests.conftest import advance
from motcua.dossiers.tests.factories import make_world
from motcua.org.tests.otp import otp_login

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def routes(resolvers=None, prefix=""):
    """Every URL pattern of the site as (route, converter names), depth first."""
    out = []
    for p in resolvers if resolvers is not None else get_resolver().url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            out += routes(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            out.append(route)
    return out


def concrete(route: str, values: dict) -> str:
    """A path for a route: each <conv:name> (or ninja's {name}) from `values`."""
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    path = re.sub(r"<(?:\w+:)?(\w+)>|\{(\w+)\}", lambda m: str(values.get(m[1] or m[2], 1)), route)
    return "/" + path


def assert_headers(response, url):
    got = response["Content-Security-Policy"].split("; ")
    assert sorted(got) == sorted(CSP.split("; ")), url
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY, url
    assert response["X-Content-Type-Options"] == "nosniff", url
    assert response["Referrer-Policy"] == "same-origin", url
    assert response["X-Frame-Options"] == "DENY", url


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_every_url_carries_the_headers_and_no_store_for_each_visitor():
    w = make_world()
    d = advance(w, Status.RECEIVED)
    values = {
        "dossier_id": d.pk,
        "att_id": 1,
        "code": w.procedure.code,
        "action": "tiep-nhan",
        "kind": "tiep-nhan",
        "fmt": "xlsx",
        "path": "x",
        "app_label": "auth",
        "model_name": "user",
        "object_id": w.admin.pk,
        "content_type_id": 1,
        "url": "x",
        "indicator_id": 1,
    }
    urls = sorted({concrete(r, values) for r in routes() if "(?P" not in r})
    assert len(urls) > 40
    answered = {}
    for who in (None, w.citizen, w.a.staff["c:counter"], w.admin):
        # A 500 is answered with the headers too (and reported: see JSON above).
        client = Client(raise_request_exception=False)
        if who is not None:
            otp_login(client, who)
        for url in urls:
            for method in (client.get, client.post):
                r = method(url)
                assert_headers(r, url)
                answered[r.status_code] = answered.get(r.status_code, 0) + 1
                if who is not None or method is client.post or r.status_code != 200:
                    assert no_store(r), (url, who, r.status_code)
    # The walk reached real pages, not only redirects and refusals.
    assert answered[200] > 40, answered


@pytest.mark.django_db
def test_public_pages_may_be_cached_for_an_anonymous_client_only():
    w = make_world()
    client = Client()
    # A public page carries the visitor's CSRF token (the language switch is a form), and
    # Django sends its cookie again on every page that uses it: kept by no cache.
    for _ in range(2):
        page = client.get("/thu-tuc/")
        assert page.status_code == 200 and "csrftoken" in page.cookies
        assert no_store(page)
    # The public data and the public API are the same for everyone: cacheable.
    for url in ("/open-data/indicators.csv", "/api/catalog/procedures", "/api/openapi.json"):
        r = client.get(url)
        assert r.status_code == 200 and not r.cookies, url
        assert not no_store(r), url
    # The same answers with a token or a session: no-store.
    assert no_store(client.get("/api/catalog/procedures", HTTP_AUTHORIZATION="Bearer x"))
    otp_login(client, w.citizen)
    assert no_store(client.get("/thu-tuc/"))
    # Personal pages are never cacheable, even anonymous (they redirect to log in).
    anon = Client()
    anon.get("/thu-tuc/")
    assert no_store(anon.get("/tra-cuu/"))
    assert no_store(anon.get("/ho-so/"))


@pytest.mark.django_db
def test_https_behind_the_proxy(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    make_world()
    plain = Client().get("/dang-nhap/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/dang-nhap/"
    # SecurityMiddleware, first, redirects before any page is rendered.
    assert plain.content == b""
    secure = Client().get("/dang-nhap/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert secure.cookies["csrftoken"]["secure"] is True
    c = Client()
    r = c.post(
        "/dang-nhap/",
        {"username": "citizen", "password": "x"},
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert r.status_code == 302
    assert r.cookies["sessionid"]["secure"] is True
