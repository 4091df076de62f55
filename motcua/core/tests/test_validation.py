"""The one validator of people's details (motcua.core.validation)."""

import pytest

from motcua.core.errors import ValidationFailed
from motcua.core.validation import errors_from, normalize_phone, validate_party


@pytest.mark.parametrize(
    "raw, stored",
    [
        ("0912345678", "0912345678"),
        ("091 234 5678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("+84 (912) 345-678", "0912345678"),
        ("0084912345678", "0912345678"),
        ("0312345678", "0312345678"),
        ("0512345678", "0512345678"),
        ("0712345678", "0712345678"),
        ("0812345678", "0812345678"),
        ("02043123456", "02043123456"),  # landline, area code 0204
        ("02438123456", "02438123456"),  # landline, area code 024
        ("+842438123456", "02438123456"),
        ("", ""),
    ],
)
def test_phone_numbers_accepted_and_normalized(raw, stored):
    assert normalize_phone(raw) == stored


@pytest.mark.parametrize(
    "raw",
    [
        "123",
        "0123456789",  # 01x: not a mobile prefix
        "0212345678",  # a landline needs 11 digits
        "091234567",  # 9 digits
        "09123456789",  # 11 digits starting 09
        "0612345678",  # 06 is not a mobile prefix
        "+1 912 345 678",
        "09１2345678",  # a full-width digit
        "phone",
    ],
)
def test_phone_numbers_refused(raw):
    with pytest.raises(ValidationFailed) as refused:
        normalize_phone(raw, field="applicant.phone")
    assert (refused.value.code, refused.value.field) == ("invalid_phone", "applicant.phone")


def test_every_error_at_once_in_field_order():
    with pytest.raises(ValidationFailed) as refused:
        validate_party(
            prefix="applicant.",
            name=" \t",
            id_number="123",
            phone="123",
            email="not-an-email",
            address="  Bắc   Ninh ",
        )
    exc = refused.value
    assert (exc.code, exc.field, exc.status) == ("invalid_input", "applicant.name", 422)
    assert [(e["field"], e["code"]) for e in exc.data["errors"]] == [
        ("applicant.name", "name_required"),
        ("applicant.id_number", "invalid_id_number"),
        ("applicant.phone", "invalid_phone"),
        ("applicant.email", "invalid_email"),
    ]
    assert [e.field for e in errors_from(exc)] == [
        "applicant.name",
        "applicant.id_number",
        "applicant.phone",
        "applicant.email",
    ]
    assert exc.as_dict()["error"]["data"]["errors"][0]["message"] == (
        "Cần nhập họ tên (hoặc tên tổ chức)."
    )


def test_one_error_is_raised_as_it_is():
    with pytest.raises(ValidationFailed) as refused:
        validate_party(name="Lan", email="a@")
    exc = refused.value
    assert (exc.code, exc.field, exc.data) == ("invalid_email", "email", {})
    assert errors_from(exc) == [exc]


def test_valid_details_are_normalized():
    assert validate_party(
        name="Tran  Thi\u0301 Lan",
        id_number="0012 0300 0123",
        phone="+84 912 345 678",
        email=" lan@example.vn ",
        address=" Bắc  Ninh ",
    ) == {
        "name": "Tran Thí Lan",
        "id_number": "001203000123",
        "phone": "0912345678",
        "email": "lan@example.vn",
        "address": "Bắc Ninh",
    }
    assert validate_party(id_number="0100109106") == {"id_number": "0100109106"}
    assert validate_party(id_number="0100109106-001") == {"id_number": "0100109106-001"}


def test_id_number_required_only_when_asked():
    assert validate_party(id_number="") == {"id_number": ""}
    with pytest.raises(ValidationFailed) as refused:
        validate_party(prefix="principal.", id_number=" ", id_required=True)
    assert (refused.value.code, refused.value.field) == (
        "id_number_required",
        "principal.id_number",
    )
