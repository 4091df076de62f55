"""Vietnamese names for demo people and businesses (common họ / đệm / tên of the north)."""

from __future__ import annotations

import random

from motcua.core.identifiers import Sex

HO = (
    ["Nguyễn"] * 12
    + ["Trần"] * 4
    + ["Lê"] * 4
    + ["Phạm"] * 3
    + ["Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý", "Hà", "Phan"]
    + ["Trịnh", "Đào", "Thân", "Giáp", "Nghiêm", "Chu", "Hoàng"]
)
DEM_NAM = ["Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Thành", "Xuân", "Tiến", "Mạnh"]
DEM_NU = ["Thị", "Thị", "Thu", "Ngọc", "Thanh", "Minh", "Phương", "Hồng", "Thùy", "Kim"]
TEN_NAM = [
    "Hùng", "Dũng", "Nam", "Tuấn", "Long", "Hải", "Sơn", "Thắng", "Quân", "Phong",
    "Khánh", "Bình", "Hoàng", "Trung", "Kiên", "Cường", "Đạt", "Huy", "Việt", "Toàn",
]  # fmt: skip
TEN_NU = [
    "Hoa", "Lan", "Hương", "Mai", "Linh", "Trang", "Thảo", "Ngọc", "Hà", "Yến",
    "Nhung", "Huyền", "Dung", "Giang", "Hạnh", "Loan", "Oanh", "Phượng", "Vân", "Quyên",
]  # fmt: skip
BUSINESS_STEMS = [
    "Kinh Bắc", "Quan Họ", "Thành Đạt", "Hoàng Long", "Minh Phát", "Yên Thế Xanh",
    "Vải Thiều Lục Ngạn", "Gốm Phù Lãng", "Đông Hồ", "Cầu Thị Cầu", "Tiên Du Food",
    "Xây dựng Từ Sơn", "Điện tử Quế Võ", "Vận tải Việt Yên", "Nông sản Tân Yên",
    "Cơ khí Đình Bảng", "Gỗ Đồng Kỵ", "May mặc Hiệp Hòa", "Dược liệu Sơn Động", "An Phú",
]  # fmt: skip
BUSINESS_FORMS = ["Công ty TNHH", "Công ty TNHH", "Công ty cổ phần", "Doanh nghiệp tư nhân"]
STREETS = [
    "Lý Thái Tổ", "Ngô Gia Tự", "Trần Hưng Đạo", "Nguyễn Văn Cừ", "Lê Lợi",
    "Hoàng Hoa Thám", "Xương Giang", "Nguyễn Thị Lưu", "Lý Anh Tông", "Minh Khai",
]  # fmt: skip


def person(rng: random.Random) -> tuple[str, Sex]:
    """(full name, sex) — sex is "male" or "female" as `make_personal_id` wants."""
    if rng.random() < 0.5:
        return f"{rng.choice(HO)} {rng.choice(DEM_NAM)} {rng.choice(TEN_NAM)}", "male"
    return f"{rng.choice(HO)} {rng.choice(DEM_NU)} {rng.choice(TEN_NU)}", "female"


def business(rng: random.Random, i: int) -> str:
    stem = BUSINESS_STEMS[i % len(BUSINESS_STEMS)]
    rank = i // len(BUSINESS_STEMS)
    return f"{rng.choice(BUSINESS_FORMS)} {stem}" + (f" {rank + 1}" if rank else "")


def address(rng: random.Random, place: str) -> str:
    return f"Số {rng.randint(1, 250)} đường {rng.choice(STREETS)}, {place}, tỉnh Bắc Ninh"


def phone(rng: random.Random) -> str:
    return rng.choice(["091", "098", "097", "088", "035", "086"]) + f"{rng.randint(0, 9999999):07d}"
