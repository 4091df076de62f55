"""A form or multipart body sent to an operation that reads JSON is refused in the API's
error shape, never with a 500 (found by the security-headers walk, issue 10)."""

import pytest
from django.test import Client

MULTIPART = "multipart/form-data; boundary=x"
FIELD = b'--x\r\nContent-Disposition: form-data; name="username"\r\n\r\nan\r\n--x--\r\n'


@pytest.mark.django_db
def test_a_multipart_body_to_a_json_operation_is_refused_with_415():
    client = Client(raise_request_exception=True)
    response = client.post("/api/auth/token", FIELD, content_type=MULTIPART)
    assert response.status_code == 415
    error = response.json()["error"]
    assert error["code"] == "unsupported_media_type"
    assert error["field"] == "body"
    assert "JSON" in error["message"] and "JSON" in error["message_en"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"", MULTIPART, 422),  # no parts: no payload to validate
        (b"username=an&password=x", "application/x-www-form-urlencoded", 400),  # not JSON
    ],
)
def test_other_form_bodies_get_a_client_error_too(body, content_type, status):
    client = Client(raise_request_exception=True)
    response = client.post("/api/auth/token", body, content_type=content_type)
    assert response.status_code == status
    assert set(response.json()["error"]) >= {"code", "message", "message_en"}
