"""The API docs page works on a network without internet: every asset comes from the
project's own static files, none from a CDN."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.views import serve
from django.test import Client, RequestFactory

pytestmark = pytest.mark.django_db

URL = re.compile(r"""(?:https?:)?//[^\s"'<>)]+""")
ASSETS = re.compile(r"""(?:src|href)="([^"]+)\"""")


def test_the_docs_page_names_no_other_host():
    r = Client().get("/api/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert "swagger-ui" in html
    assert URL.findall(html) == []
    # Swagger UI's online validator badge (validator.swagger.io) is off.
    assert '"validatorUrl": null' in html


def test_the_docs_assets_are_the_projects_static_files():
    html = Client().get("/api/docs").content.decode()
    assets = ASSETS.findall(html)
    prefix = settings.STATIC_URL  # "/static/"
    assert prefix == "/static/"
    assert sorted(assets) == [
        prefix + "ninja/favicon.png",
        prefix + "ninja/favicon.svg",
        prefix + "ninja/swagger-ui-bundle.js",
        prefix + "ninja/swagger-ui-init.js",
        prefix + "ninja/swagger-ui.css",
    ]
    for asset in assets:
        path = asset.removeprefix(prefix)
        assert finders.find(path) is not None, path
        # What `runserver` (and `motcua demo --serve`) answers for the asset.
        response = serve(RequestFactory().get(asset), path, insecure=True)
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        assert len(body) > 0
        if path.endswith(".js"):
            # The scripts themselves fetch nothing from another host either.
            assert b"cdn.jsdelivr.net" not in body and b"unpkg.com" not in body


def test_the_openapi_schema_is_served_from_the_same_origin():
    r = Client().get("/api/docs")
    assert '"url": "/api/openapi.json"' in r.content.decode()
    assert Client().get("/api/openapi.json").status_code == 200
