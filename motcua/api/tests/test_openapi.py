"""The OpenAPI document tells every answer (issue 10): each operation documents the error
statuses it can give, every documented error uses the one `Error` component, the
multipart bodies are described with their files, and the constraints the server enforces
are in the schema (and the server enforces what the schema says)."""

import pytest
from django.test import Client

from motcua.api.api import api
from motcua.api.openapi import ERROR_COMPONENT, ERROR_REF, ERROR_SCHEMA
from motcua.dossiers.api import ENDPOINTS
from motcua.dossiers.enums import Status

from .conftest import advance

ERRORS = {400, 401, 403, 404, 409, 413, 415, 422, 429}


@pytest.fixture(scope="module")
def document():
    return api.get_openapi_schema(path_prefix="/api/")


def operations(document):
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            yield path, method.upper(), op


def test_the_document_is_the_one_served(document):
    served = Client().get("/api/openapi.json").json()
    assert served["paths"].keys() == document["paths"].keys()
    assert served["components"]["schemas"][ERROR_COMPONENT] == ERROR_SCHEMA


def test_every_operation_documents_the_errors_it_can_give(document):
    transitions = {f"motcua_dossiers_api_{a}" for a in ENDPOINTS} | {
        # feedback (PAKN): each action is a transition of its table (motcua.feedback.rules)
        f"motcua_feedback_api_{a}"
        for a in ("accept", "reject", "classify", "assign", "request_info", "answer")
        + ("publish", "rate", "provide_info")
    }
    seen_transitions = set()
    for path, method, op in operations(document):
        where = f"{method} {path}"
        statuses = {int(s) for s in op["responses"]}
        assert 400 in statuses, where  # a NUL in any field, before any view
        params = op.get("parameters", [])
        if op.get("security"):
            assert 401 in statuses, where
            if method != "GET":
                assert 403 in statuses, where  # the session's CSRF check
        else:
            assert 401 not in statuses or path == "/api/auth/token", where
        if any(p["in"] == "path" for p in params):
            assert 404 in statuses, where
        if params or "requestBody" in op:
            assert 422 in statuses, where
        if "requestBody" in op:
            assert 413 in statuses, where
        if op["operationId"] in transitions:
            seen_transitions.add(op["operationId"])
            assert 409 in statuses, where
        else:
            assert 409 not in statuses, where
    assert seen_transitions == transitions


@pytest.mark.parametrize("path", ["/api/auth/token", "/api/dossiers/lookup"])
def test_the_throttled_operations_document_429(document, path):
    (op,) = document["paths"][path].values()
    assert "429" in {str(s) for s in op["responses"]}
    assert op["responses"][429]["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}


@pytest.mark.parametrize("path", ["/api/dossiers/lookup", "/api/indicators", "/api/calendar/due"])
def test_a_lookup_by_a_code_in_the_query_documents_404(document, path):
    (op,) = document["paths"][path].values()
    assert 404 in op["responses"]


def test_the_token_endpoint_documents_401_and_415(document):
    op = document["paths"]["/api/auth/token"]["post"]
    assert {401, 415, 422, 429} <= set(op["responses"])


def test_every_documented_error_uses_the_error_component(document):
    for path, method, op in operations(document):
        for status, response in op["responses"].items():
            if int(status) < 400:
                continue
            assert int(status) in ERRORS, f"{method} {path} {status}"
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": ERROR_REF}, f"{method} {path} {status}"
            assert "(" in response["description"], "Vietnamese, then English in brackets"


def _multipart(document, path):
    op = document["paths"][path]["post"]
    return op["requestBody"]["content"]["multipart/form-data"]["schema"]


FILE = {"type": "string", "format": "binary"}


def test_the_multipart_bodies_describe_their_files(document):
    submit = _multipart(document, "/api/dossiers")
    assert submit["properties"]["authorization"] == FILE
    assert submit["patternProperties"]["^component_[0-9]{1,18}$"] == {
        "type": "array",
        "items": FILE,
    }
    assert submit["properties"]["cases"]["type"] == "array"
    assert set(submit["required"]) == {"procedure", "receiving_agency"}

    intake = document["paths"]["/api/dossiers/intake"]["post"]["requestBody"]["content"]
    assert set(intake) == {"application/json", "multipart/form-data"}
    form = intake["multipart/form-data"]["schema"]
    assert form["properties"]["applicant_id_number"]["maxLength"] == 14
    assert "^component_[0-9]{1,18}$" in form["patternProperties"]
    assert "^(originals|copies)_[0-9]{1,18}$" in form["patternProperties"]
    assert intake["application/json"]["schema"]["properties"]["applicant"] == {
        "$ref": "#/components/schemas/ApplicantIn"
    }
    assert "ApplicantIn" in document["components"]["schemas"]

    result = _multipart(document, "/api/dossiers/{dossier_id}/result")
    assert result["properties"]["file"] == FILE
    assert result["required"] == ["file"]
    assert "expected_version" in result["properties"]

    supplement = _multipart(document, "/api/dossiers/{dossier_id}/supplement")
    assert supplement["patternProperties"]["^component_[0-9]{1,18}$"]["items"] == FILE
    assert "note" in supplement["properties"]


def test_no_schema_points_outside_the_document(document):
    """A `$ref` names a component the document holds (no '#/$defs/...' left over from a
    schema rendered on its own, which would resolve against the document's root)."""

    def refs(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "$ref":
                    yield v
                else:
                    yield from refs(v)
        elif isinstance(node, list):
            for v in node:
                yield from refs(v)

    schemas = document["components"]["schemas"]
    for ref in refs(document):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in schemas, ref


def _reason(document, path):
    op = document["paths"][path]["post"]
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    return schema["properties"]["reason"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/dossiers/{dossier_id}/refuse",
        "/api/dossiers/{dossier_id}/stop",
        "/api/dossiers/{dossier_id}/withdrawal",
        "/api/dossiers/{dossier_id}/supplement-request",
        "/api/dossiers/{dossier_id}/apology",
    ],
)
def test_a_reason_is_documented_as_not_blank(document, path):
    reason = _reason(document, path)
    assert reason["minLength"] == 1
    assert reason["maxLength"] == 4000
    assert reason["pattern"]
    assert (
        "reason"
        in document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"][
            "required"
        ]
    )


@pytest.mark.django_db
@pytest.mark.parametrize("blank", ["   ", "\t\n", "\u3000", "\x1c\x1f"])
def test_the_server_refuses_a_blank_reason_as_the_schema_says(world, api, blank):
    d = advance(world, Status.RECEIVED)
    r = api.post(f"/{d.pk}/refuse", world.a.staff["c:counter"], {"reason": blank})
    assert r.status_code == 422, r.content
    assert r.json()["error"]["field"] == "reason"
    d.refresh_from_db()
    assert d.status == Status.RECEIVED


@pytest.mark.django_db
def test_the_server_refuses_an_id_number_the_schema_refuses(world, api):
    """applicant.id_number: digits (spaces and one dash allowed), as the schema's pattern."""
    r = api.post(
        "/intake",
        world.a.staff["c:counter"],
        {
            "procedure": "x",
            "receiving_agency": "x",
            "applicant": {"name": "An", "id_number": "0123456789ab"},
        },
    )
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "applicant.id_number"


def test_the_status_filter_and_output_are_bounded_to_the_statuses(document):
    mine = document["paths"]["/api/dossiers/mine"]["get"]
    (status,) = [p for p in mine["parameters"] if p["name"] == "status"]
    text = str(status["schema"])
    assert "'minimum': 1" in text and f"'maximum': {max(Status.values)}" in text
    out = document["components"]["schemas"]["StatusOut"]["properties"]["value"]
    assert (out["minimum"], out["maximum"]) == (min(Status.values), max(Status.values))


@pytest.mark.django_db
def test_a_call_without_credentials_is_401_not_a_csrf_403(settings):
    """The session auth checks CSRF only when a session cookie came (what the document's
    401 says); with a session cookie and no CSRF token, it is 403 csrf_failed."""
    client = Client(enforce_csrf_checks=True)
    r = client.post("/api/dossiers/1/receive", {}, content_type="application/json")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthenticated"
    client.cookies[settings.SESSION_COOKIE_NAME] = "whatever"
    r = client.post("/api/dossiers/1/receive", {}, content_type="application/json")
    assert r.status_code == 403
    error = r.json()["error"]
    assert error["code"] == "csrf_failed"
    assert "CSRF" in error["message"] and "CSRF" in error["message_en"]


@pytest.mark.django_db
def test_a_body_past_the_limit_is_a_json_413(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = Client().post("/api/auth/token", b"{" + b" " * 2000 + b"}", content_type="application/json")
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "body_too_large"
    # Outside the API, Django's own 400 page, as before.
    assert Client().post("/", b"x" * 2000, content_type="application/json").status_code == 400


def test_a_string_parameter_says_it_takes_no_nul(document):
    """RejectNulMiddleware answers 400 to a NUL in any field: a free-text parameter's
    schema excludes it, so that a schema-valid request is never refused for it (found by
    schemathesis' positive-data check: `q` with a NUL answered 400)."""
    import re

    params = {
        p["name"]: p["schema"]
        for p in document["paths"]["/api/catalog/procedures"]["get"]["parameters"]
    }
    q = params["q"]
    pattern = q.get("pattern") or next(m["pattern"] for m in q["anyOf"] if "pattern" in m)
    assert re.match(pattern, "đất đai") and not re.match(pattern, "đất\x00")
    r = Client().get("/api/catalog/procedures", {"q": "a\x00"})
    assert r.status_code == 400


def test_no_two_response_schemas_share_a_name():
    """django-ninja names a component after its class: two Schema classes with one name
    used by the API overwrite each other in the document (the receipts' FeeLineOut replaced
    the dossier's, and the dossiers' ComponentOut the catalog's, so a correct answer was
    "off the schema")."""
    from collections import defaultdict

    from ninja import Schema

    api.get_openapi_schema(path_prefix="/api/")  # imports every router's schemas
    seen, stack = defaultdict(set), list(Schema.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("motcua.") and ".tests" not in cls.__module__:
            seen[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: where for name, where in seen.items() if len(where) > 1} == {}
