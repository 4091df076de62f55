"""Every API operation, fed input generated from its OpenAPI schema (schemathesis), answers
as its document says, as a citizen and as an officer (issue 10):

- phases: the schema's examples, the coverage phase (every boundary and every violation
  of each constraint the schema states: lengths, patterns, bounds, enums, required
  fields, wrong types) and bounded fuzzing;
- checks: no server error; every status answered is documented (status_code_conformance);
  every body matches its documented schema, the errors the `Error` component
  (response_schema_conformance); data that breaks the schema is refused with a client
  error (negative_data_rejection); and, for the operations whose only rule for valid input
  is the schema, valid data is accepted (positive_data_acceptance). Operations whose valid
  input also depends on the database (a procedure's code, a dossier's state) answer such
  input with 404/409/422 by design and are left out of that one check.

Runs in-process against the WSGI application, on the test database with the test world.
Hypothesis' max_examples bounds the fuzzing phase; the coverage phase generates what the
schema defines, once per operation.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from motcua.api.auth import token_create
from motcua.dossiers.enums import Status
from motcua.dossiers.tests.conftest import advance, world  # noqa: F401
from motcua.wsgi import application

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

CONFIG = SchemathesisConfig.from_dict(
    {
        "phases": {
            "examples": {"enabled": True},
            # Other HTTP methods on a path are the framework's 405, not an operation's.
            "coverage": {"enabled": True, "unexpected-methods": []},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": ["400", "401", "403", "404", "409", "413", "415", "422", "429"]
            },
            "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404"]},
        },
    }
)
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application, config=CONFIG)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# Valid input by the schema alone: the filters and pages of the lists. (The inbox's
# `agency` must name an agency that exists: 422 unknown_agency otherwise.)
SCHEMA_IS_THE_RULE = {
    "GET /api/catalog/procedures",
    "GET /api/catalog/fields",
    "GET /api/calendar/holidays",
    "GET /api/dossiers/mine",
    "GET /api/auth/tokens",
}


def checks_for(case) -> list:
    if f"{case.method.upper()} {case.path}" in SCHEMA_IS_THE_RULE:
        return [*CHECKS, positive_data_acceptance]
    return CHECKS


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
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_answers_as_documented(case, tokens):
    for token in tokens:
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"}, checks=checks_for(case)
        )
