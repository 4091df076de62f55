"""Vietnamese alphabetical order: one key function, the same on SQLite and PostgreSQL."""

import pytest
from django.test import Client

from motcua.catalog.tests.conftest import _real_records, catalog, records  # noqa: F401
from motcua.core.text import collation_key, sorted_vi


def test_letters_in_vietnamese_order():
    words = ["Đất", "Dân", "Ơn", "Ôn", "On", "Ưu", "Uy", "Ăn", "Âm", "An", "Êm", "Em", "Bé"]
    assert sorted_vi(words) == [
        "An", "Ăn", "Âm", "Bé", "Dân", "Đất", "Em", "Êm", "On", "Ôn", "Ơn", "Uy", "Ưu",
    ]  # fmt: skip
    # Python's own order puts Đ and the other accented letters after z.
    assert sorted(words)[-1] == "Ưu" and sorted(["Đất", "Xã"]) == ["Xã", "Đất"]
    assert sorted_vi(["Xã", "Đất"]) == ["Đất", "Xã"]


def test_letters_before_tones():
    assert sorted_vi(["Việc làm", "Vật liệu xây dựng"]) == ["Vật liệu xây dựng", "Việc làm"]
    assert sorted_vi(["Hộ tịch", "Hỗ trợ", "Hồ sơ", "Hô hấp"]) == [
        "Hô hấp",
        "Hồ sơ",
        "Hộ tịch",
        "Hỗ trợ",
    ]


def test_tones_then_case_break_ties():
    # ngang, huyền, hỏi, ngã, sắc, nặng
    assert sorted_vi(["mạ", "má", "mã", "mả", "mà", "ma"]) == ["ma", "mà", "mả", "mã", "má", "mạ"]
    assert sorted_vi(["Ma", "ma"]) == ["ma", "Ma"]


def test_spaces_digits_and_composed_or_decomposed_input():
    assert sorted_vi(["Xã 2", "Xã 10", "Xã", "Xã A"]) == ["Xã", "Xã 10", "Xã 2", "Xã A"]
    decomposed = "Vie\u0302\u0323c la\u0300m"  # NFD
    assert collation_key(decomposed) == collation_key("Việc làm")
    assert collation_key(None) == collation_key("") == ((), (), ())


@pytest.mark.django_db
def test_the_fields_list_is_in_vietnamese_order(catalog):  # noqa: F811
    names = [f["name"] for f in Client().get("/api/catalog/fields").json()]
    assert names == [
        "Cấp, quản lý căn cước",
        "Chứng thực",
        "Đăng ký, quản lý cư trú",
        "Đất đai",
        "Hoạt động xây dựng",
        "Hộ tịch",
        "Lý lịch tư pháp",
        "Nuôi con nuôi",
        "Quản lý chất lượng nông lâm sản và thủy sản",
        "Quản lý xuất nhập cảnh",
        "Sát hạch, cấp giấy phép lái xe",
        "Thành lập và hoạt động của doanh nghiệp",
        "Thành lập và hoạt động của tổ hợp tác, hợp tác xã, liên hiệp hợp tác xã",
        "Thành lập và hoạt động doanh nghiệp (hộ kinh doanh)",
        "Vật liệu xây dựng",
        "Việc làm",
    ]
    # The portal's field filter offers them in the same order.
    html = Client().get("/thu-tuc/").content.decode()
    positions = [html.index(f">{name}") for name in ("Chứng thực", "Đất đai", "Hoạt động xây")]
    assert positions == sorted(positions)
    assert html.index(">Vật liệu xây dựng") < html.index(">Việc làm")
