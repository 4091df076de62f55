import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured

from motcua.core.errors import ValidationFailed
from motcua.core.identifiers import (
    BIRTH_PROVINCE_CODES,
    make_personal_id,
    make_tax_code,
    parse_personal_id,
    validate_personal_id,
    validate_tax_code,
)

# Reference §10.2: tax codes of six large companies, all passing the check digit.
REAL_TAX_CODES = [
    "0100109106",
    "0100107518",
    "0300588569",
    "0101248141",
    "0100112437",
    "0100100079",
]
# S mod 11 = 0 for these nine digits: the formula gives 10 (the UNCONFIRMED case).
MOD11_ZERO_FIRST9 = "100100009"


# --- tax codes -------------------------------------------------------------------------


@pytest.mark.parametrize("code", REAL_TAX_CODES)
def test_real_tax_codes_pass(code):
    assert validate_tax_code(code) == code


@pytest.mark.parametrize("code", REAL_TAX_CODES)
def test_every_wrong_check_digit_fails(code):
    for digit in "0123456789":
        if digit == code[9]:
            continue
        with pytest.raises(ValidationFailed) as exc:
            validate_tax_code(code[:9] + digit)
        assert exc.value.code == "invalid_tax_code"
        assert exc.value.field == "tax_code"
        assert f"must be {code[9]}, not {digit}" in exc.value.message_en


@pytest.mark.parametrize("code", REAL_TAX_CODES)
def test_swapped_body_digit_fails(code):
    # Changing the 5th digit by one changes S by 17, never a multiple of 11.
    mutated = code[:4] + str((int(code[4]) + 1) % 10) + code[5:]
    with pytest.raises(ValidationFailed):
        validate_tax_code(mutated)


def test_tax_code_is_normalized():
    assert validate_tax_code(" 0100109106 ") == "0100109106"
    assert validate_tax_code("0100109106-001") == "0100109106-001"
    assert validate_tax_code("0100109106001") == "0100109106-001"


def test_branch_suffix_is_not_checksummed_but_main_part_is():
    assert validate_tax_code("0100109106-999") == "0100109106-999"
    with pytest.raises(ValidationFailed):
        validate_tax_code("0100109107-001")


@pytest.mark.parametrize(
    "value",
    [
        "",
        None,
        "010010910",
        "01001091066",
        "01001091O6",
        "0100109106-01",
        "0100109106_001",
        "０100109106",
    ],
)
def test_tax_code_bad_shape(value):
    with pytest.raises(ValidationFailed) as exc:
        validate_tax_code(value, field="business_tax_code")
    assert exc.value.code == "invalid_tax_code"
    assert exc.value.field == "business_tax_code"
    assert exc.value.message.startswith("Mã số thuế không hợp lệ")


def test_mod11_zero_is_invalid_by_default():
    with pytest.raises(ValidationFailed) as exc:
        validate_tax_code(MOD11_ZERO_FIRST9 + "0")
    assert "no valid check digit" in exc.value.message_en
    with pytest.raises(ValueError):
        make_tax_code(MOD11_ZERO_FIRST9)


def test_mod11_zero_setting_accepts_zero(settings):
    settings.MOTCUA_TAX_CODE_MOD11_ZERO = "zero"
    assert validate_tax_code(MOD11_ZERO_FIRST9 + "0") == MOD11_ZERO_FIRST9 + "0"
    assert make_tax_code(MOD11_ZERO_FIRST9) == MOD11_ZERO_FIRST9 + "0"
    with pytest.raises(ValidationFailed):
        validate_tax_code(MOD11_ZERO_FIRST9 + "1")


def test_mod11_zero_setting_must_be_known(settings):
    settings.MOTCUA_TAX_CODE_MOD11_ZERO = "maybe"
    with pytest.raises(ImproperlyConfigured):
        validate_tax_code(MOD11_ZERO_FIRST9 + "0")


def test_make_tax_code_reproduces_real_codes():
    for code in REAL_TAX_CODES:
        assert make_tax_code(code[:9]) == code
    assert make_tax_code(10010910) == "0100109106"  # ints are zero-padded to nine digits
    with pytest.raises(ValueError):
        make_tax_code("01001091")


# --- personal identification numbers -------------------------------------------------


def test_province_list_has_the_63_pre_2025_provinces():
    assert len(BIRTH_PROVINCE_CODES) == 63
    assert min(BIRTH_PROVINCE_CODES) == "001"
    assert max(BIRTH_PROVINCE_CODES) == "096"
    assert BIRTH_PROVINCE_CODES["024"] == "Bắc Giang"
    assert BIRTH_PROVINCE_CODES["027"] == "Bắc Ninh"


def test_current_provinces_are_all_in_the_birth_province_list():
    from vietnam_provinces import Province

    assert {f"{int(p.code):03d}" for p in Province.iter_all()} <= set(BIRTH_PROVINCE_CODES)


@pytest.mark.parametrize(
    ("number", "province", "sex", "year"),
    [
        ("001085012345", "001", "male", 1985),
        ("024190000001", "024", "female", 1990),
        ("027200999999", "027", "male", 2000),
        ("096305123456", "096", "female", 2005),
    ],
)
def test_parse_personal_id(number, province, sex, year):
    info = parse_personal_id(number)
    assert (info.province_code, info.sex, info.birth_year) == (province, sex, year)
    assert info.serial == number[6:]
    assert validate_personal_id(number) == number


def test_personal_id_spaces_removed():
    assert validate_personal_id(" 001 085 012345 ") == "001085012345"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "empty"),
        (None, "empty"),
        ("00108501234", "exactly 12 digits (got 11)"),
        ("0010850123456", "exactly 12 digits (got 13)"),
        ("123456789", "exactly 12 digits (got 9)"),  # old CMND
        ("00108501234A", "digits only"),
        ("００1085012345", "digits only"),
        ("000085012345", "province code 000"),
        ("099085012345", "province code 099"),
        ("003085012345", "province code 003"),
        ("097085012345", "province code 097"),
        ("001499012345", "in the future"),  # 22nd century
        ("001999012345", "in the future"),
    ],
)
def test_bad_personal_ids(value, fragment):
    with pytest.raises(ValidationFailed) as exc:
        validate_personal_id(value)
    assert exc.value.code == "invalid_personal_id"
    assert exc.value.field == "personal_id"
    assert fragment in exc.value.message_en
    assert exc.value.message.startswith("Số định danh cá nhân không hợp lệ")


def test_field_name_is_passed_through():
    with pytest.raises(ValidationFailed) as exc:
        validate_personal_id("1", field="representative_id")
    assert exc.value.field == "representative_id"


def test_birth_year_next_year_refused():
    next_year = dt.date.today().year + 1
    number = f"001{2 * ((next_year - 1900) // 100)}{next_year % 100:02d}000001"
    with pytest.raises(ValidationFailed):
        validate_personal_id(number)


def test_make_personal_id():
    assert make_personal_id(24, "female", 1990, 1) == "024190000001"
    assert make_personal_id("1", "male", 2003, 12345) == "001203012345"
    info = parse_personal_id(make_personal_id(96, "female", 2001, 999_999))
    assert (info.province_code, info.sex, info.birth_year) == ("096", "female", 2001)
    with pytest.raises(ValidationFailed):
        make_personal_id(99, "male", 1990, 1)
    with pytest.raises(ValueError):
        make_personal_id(1, "x", 1990, 1)
    with pytest.raises(ValueError):
        make_personal_id(1, "male", 1899, 1)
