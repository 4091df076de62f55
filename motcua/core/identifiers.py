"""Personal identification numbers and tax codes (reference §10).

`validate_personal_id` checks the structure of the 12-digit personal identification
number (số định danh cá nhân, printed on the CCCD / căn cước card); `validate_tax_code`
checks a 10-digit enterprise tax code (mã số thuế) and its check digit, or the 13-digit
branch form `NNNNNNNNNN-NNN`. Both return the normalized value or raise
`ValidationFailed` naming the field and what is wrong.

The `make_*` helpers build valid identifiers for test data and the demo; they are not
for issuing real numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .errors import ValidationFailed

Sex = Literal["male", "female"]

# Positions 1–3 of the personal identification number: the code of the province where
# the birth was registered. These are the codes of the 63 provinces before the 2025
# merger: the GSO administrative codes (Decision 124/2004/QĐ-TTg) zero-padded to three
# digits, as listed in the annex to Circular 07/2016/TT-BCA (Decree 137/2015/NĐ-CP,
# Art. 13). Source: reference §10.1 (range 001–096 CONFIRMED, luatduonggia.edu.vn); the
# per-code list is from background knowledge and UNCONFIRMED against the annex text.
# Numbers already issued do not change after the 2025 merger, so the list is frozen;
# the 34 current provinces kept codes from this list.
# Births registered abroad carry a country code instead (reference §10.1); those codes
# are not listed here, so such numbers are refused: UNCONFIRMED which codes are used.
BIRTH_PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

TAX_CODE_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
MOD11_ZERO_SETTING = "MOTCUA_TAX_CODE_MOD11_ZERO"
_MOD11_ZERO_CHOICES = ("invalid", "zero")

_WHITESPACE = re.compile(r"\s+")
_TAX_CODE = re.compile(r"^(\d{10})(?:-?(\d{3}))?$")


@dataclass(frozen=True)
class PersonalIdInfo:
    number: str
    province_code: str  # birth-registration province, three digits ("024")
    province_name: str
    sex: Sex
    century_digit: int
    birth_year: int
    serial: str  # positions 7–12


def _clean(value: object) -> str:
    if value is None:
        return ""
    return _WHITESPACE.sub("", str(value))


def _pid_error(field: str, vi: str, en: str) -> ValidationFailed:
    return ValidationFailed(
        "invalid_personal_id",
        f"Số định danh cá nhân không hợp lệ: {vi}.",
        f"Invalid personal identification number: {en}.",
        field=field,
    )


def parse_personal_id(value: object, *, field: str = "personal_id") -> PersonalIdInfo:
    """Split a 12-digit personal identification number into its parts (reference §10.1).

    Positions 1–3: birth-registration province; 4: century and sex (20th c. male 0 /
    female 1, 21st c. 2/3, ... 24th c. 8/9); 5–6: last two digits of the birth year;
    7–12: serial. A birth year after the current year is refused.
    """
    number = _clean(value)
    if not number:
        raise _pid_error(field, "chưa nhập", "it is empty")
    if not number.isascii() or not number.isdigit():
        raise _pid_error(field, "chỉ được gồm chữ số", "it must contain digits only")
    if len(number) != 12:
        raise _pid_error(
            field,
            f"phải gồm đúng 12 chữ số (đang có {len(number)})",
            f"it must have exactly 12 digits (got {len(number)})",
        )
    province_code = number[:3]
    if province_code not in BIRTH_PROVINCE_CODES:
        raise _pid_error(
            field,
            f"mã tỉnh nơi đăng ký khai sinh {province_code} không tồn tại",
            f"birth-registration province code {province_code} does not exist",
        )
    century_digit = int(number[3])
    birth_year = 1900 + 100 * (century_digit // 2) + int(number[4:6])
    if birth_year > dt.date.today().year:
        raise _pid_error(
            field,
            f"chữ số thế kỷ/giới tính {century_digit} cho năm sinh {birth_year} ở tương lai",
            f"century/sex digit {century_digit} gives birth year {birth_year}, in the future",
        )
    return PersonalIdInfo(
        number=number,
        province_code=province_code,
        province_name=BIRTH_PROVINCE_CODES[province_code],
        sex="male" if century_digit % 2 == 0 else "female",
        century_digit=century_digit,
        birth_year=birth_year,
        serial=number[6:],
    )


def validate_personal_id(value: object, *, field: str = "personal_id") -> str:
    """Return the normalized 12-digit personal identification number or raise.

    Spaces are removed. The structure is checked as in `parse_personal_id`; there is no
    check digit. Old 9-digit CMND numbers are refused (they are not personal
    identification numbers).
    """
    return parse_personal_id(value, field=field).number


def make_personal_id(province_code: int | str, sex: Sex, birth_year: int, serial: int) -> str:
    """Build a structurally valid personal identification number (test data, demo)."""
    if sex not in ("male", "female"):
        raise ValueError(f"sex must be 'male' or 'female', not {sex!r}")
    century_index, yy = divmod(birth_year - 1900, 100)
    if not 0 <= century_index <= 4:
        raise ValueError(f"birth year {birth_year} outside 1900–2399")
    if not 0 <= serial <= 999_999:
        raise ValueError(f"serial {serial} outside 0–999999")
    digit = 2 * century_index + (0 if sex == "male" else 1)
    return validate_personal_id(f"{int(province_code):03d}{digit}{yy:02d}{serial:06d}")


def _mod11_zero_policy() -> str:
    policy = getattr(settings, MOD11_ZERO_SETTING, "invalid")
    if policy not in _MOD11_ZERO_CHOICES:
        raise ImproperlyConfigured(
            f"{MOD11_ZERO_SETTING} must be one of {_MOD11_ZERO_CHOICES}, not {policy!r}"
        )
    return policy


def tax_code_check_digit(first9: str) -> int | None:
    """N10 = 10 − (S mod 11), S = Σ Ni·Wi; None when the result is 10 and the policy refuses it."""
    total = sum(int(d) * w for d, w in zip(first9, TAX_CODE_WEIGHTS, strict=True))
    check = 10 - total % 11
    if check == 10:
        return 0 if _mod11_zero_policy() == "zero" else None
    return check


def _tax_error(field: str, vi: str, en: str) -> ValidationFailed:
    return ValidationFailed(
        "invalid_tax_code",
        f"Mã số thuế không hợp lệ: {vi}.",
        f"Invalid tax code: {en}.",
        field=field,
    )


def validate_tax_code(value: object, *, field: str = "tax_code") -> str:
    """Return the normalized tax code (`NNNNNNNNNN` or `NNNNNNNNNN-NNN`) or raise.

    Rule (reference §10.2): S = Σ Ni·Wi for i = 1..9, W = [31, 29, 23, 19, 17, 13, 7, 5,
    3], and N10 = 10 − (S mod 11). The branch suffix of a dependent unit is not
    checksummed; it may be given with or without the dash and is returned with it.

    When S mod 11 = 0 the formula gives 10, which is not a digit. How the tax authority
    treats this case is UNCONFIRMED (implementations differ), so it is a setting:
    `settings.MOTCUA_TAX_CODE_MOD11_ZERO = "invalid"` (default: no such code is valid)
    or `"zero"` (the check digit is 0). It is read on every call.
    """
    code = _clean(value)
    if not code:
        raise _tax_error(field, "chưa nhập", "it is empty")
    match = _TAX_CODE.match(code) if code.isascii() else None
    if match is None:
        raise _tax_error(
            field,
            "phải gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số đối với đơn vị phụ thuộc",
            "it must be 10 digits, or 10 digits, a dash and 3 digits for a dependent unit",
        )
    main, branch = match.groups()
    expected = tax_code_check_digit(main[:9])
    if expected is None:
        raise _tax_error(
            field,
            "9 chữ số đầu không cho chữ số kiểm tra hợp lệ",
            "the first nine digits give no valid check digit",
        )
    if int(main[9]) != expected:
        raise _tax_error(
            field,
            f"chữ số kiểm tra (thứ 10) phải là {expected}, không phải {main[9]}",
            f"the check digit (10th) must be {expected}, not {main[9]}",
        )
    return f"{main}-{branch}" if branch else main


def make_tax_code(first9: str | int) -> str:
    """Append the check digit to nine digits (test data, demo).

    Raises ValueError when the nine digits have no valid check digit under the current
    `MOTCUA_TAX_CODE_MOD11_ZERO` policy.
    """
    digits = f"{int(first9):09d}" if isinstance(first9, int) else str(first9)
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit():
        raise ValueError(f"need exactly nine digits, got {first9!r}")
    check = tax_code_check_digit(digits)
    if check is None:
        raise ValueError(f"{digits} has no valid check digit (S mod 11 = 0)")
    return digits + str(check)
