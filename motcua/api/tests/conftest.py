import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from motcua.api.auth import token_create
from motcua.dossiers.tests.conftest import advance as _advance
from motcua.dossiers.tests.conftest import world  # noqa: F401

URL = "/api/dossiers"


def ago(hours: float = 3) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=hours)


def advance(w, status, at=None):
    """A side-A dossier in `status`, built a few hours ago so its deadlines lie ahead."""
    return _advance(w, status, at=at or ago())


class Caller:
    """A test client that can act as a user through a bearer token."""

    def __init__(self):
        self.client = Client()
        self._tokens: dict[int, str] = {}

    def headers(self, user):
        if user is None:
            return {}
        if user.pk not in self._tokens:
            self._tokens[user.pk] = token_create(user=user)[1]
        return {"Authorization": f"Bearer {self._tokens[user.pk]}"}

    def get(self, path, user=None, **params):
        return self.client.get(URL + path, params, headers=self.headers(user))

    def post(self, path, user=None, json=None):
        return self.client.post(
            URL + path,
            json if json is not None else {},
            content_type="application/json",
            headers=self.headers(user),
        )

    def multipart(self, path, user=None, data=None):
        return self.client.post(URL + path, data or {}, headers=self.headers(user))


@pytest.fixture
def api():
    return Caller()
