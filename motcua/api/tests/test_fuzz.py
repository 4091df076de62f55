"""Every API operation, fed input generated from its OpenAPI schema (schemathesis), answers
without a server error, as a citizen and as an officer: bad input is a 4xx, never a 500.

Runs in-process against the WSGI application, on the test database with the test world.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from motcua.api.auth import token_create
from motcua.dossiers.enums import Status
from motcua.dossiers.tests.conftest import advance, world  # noqa: F401
from motcua.wsgi import application

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django closes old connections around each request; the test database lives in one
    connection's transaction, so keep it open (as django.test.Client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(world):  # noqa: F811
    for status in (Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING):
        advance(world, status)  # dossiers for the operations to find
    return [
        token_create(user=world.citizen)[1],
        token_create(user=world.a.staff["c:counter"])[1],
    ]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_server_error(case, tokens):
    for token in tokens:
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error]
        )
