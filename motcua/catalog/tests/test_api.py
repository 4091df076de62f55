import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

URL = "/api/catalog"


@pytest.fixture
def client():
    return Client()


def test_list_search_accent_insensitive(client, catalog):
    a = client.get(f"{URL}/procedures", {"q": "dang ky khai sinh"}).json()
    b = client.get(f"{URL}/procedures", {"q": "Đăng ký khai sinh"}).json()
    assert a == b
    assert a["count"] == 5
    first = a["items"][0]
    assert first["code"] == "1.001193"
    assert first["name"] == "Thủ tục đăng ký khai sinh"
    assert first["field"] == {"code": "ho-tich", "name": "Hộ tịch"}
    assert first["level"] == "xa" and first["level_label"] == "Cấp xã"
    assert [(x["channel"], x["unit"], x["label"]) for x in first["time_limit"]["limits"]] == [
        (1, "working_days", "1 ngày làm việc"),
        (2, "working_days", "1 ngày làm việc"),
        (3, "working_days", "1 ngày làm việc"),
    ]
    assert first["time_limit"]["missing"] == []
    assert first["channels"] == [1, 2, 3]
    assert first["online_level"] == "partial"


def test_list_paging_and_filters(client, catalog):
    body = client.get(f"{URL}/procedures", {"level": "tinh", "limit": 5, "offset": 15}).json()
    assert body["count"] == 20 and len(body["items"]) == 5
    body = client.get(f"{URL}/procedures", {"field": "chung-thuc"}).json()
    assert body["count"] == 5


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"level": "huyen"}, "level"),
    ],
)
def test_list_bad_input_422(client, db, params, field):
    r = client.get(f"{URL}/procedures", params)
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "invalid_input" and err["field"] == field


def test_list_query_count_is_fixed(client, catalog, django_assert_num_queries):
    # page (with field, carrying the total) + versions in effect + their limits per channel,
    # whatever the page size
    with django_assert_num_queries(3):
        body = client.get(f"{URL}/procedures", {"limit": 100}).json()
    assert len(body["items"]) == 55 and body["count"] == 55
    with django_assert_num_queries(3):
        body = client.get(f"{URL}/procedures", {"q": "ho tich"}).json()
    assert len(body["items"]) == 15 and body["count"] == 15
    # the page with its total, its versions, their limits per channel
    with django_assert_num_queries(3):
        body = client.get(f"{URL}/procedures", {"limit": 10}).json()
    assert len(body["items"]) == 10 and body["count"] == 55
    # a page past the end has no row to carry the total: one count, no versions
    with django_assert_num_queries(2):
        body = client.get(f"{URL}/procedures", {"limit": 10, "offset": 60}).json()
    assert body["items"] == [] and body["count"] == 55


def test_detail(client, catalog):
    r = client.get(f"{URL}/procedures/1.001456")
    assert r.status_code == 200
    body = r.json()
    assert body["code"] == "1.001456" and body["level"] == "tinh"
    assert body["version"] == 1 and body["effective_from"] == "2025-07-01"
    assert [(x["channel"], x["value"], x["unit"]) for x in body["time_limit"]["limits"]] == [
        (1, "8.00", "working_days"),
        (2, "8.00", "working_days"),
        (3, "8.00", "working_days"),
    ]
    assert body["time_limit"]["limits"][0]["label_en"] == "8 working days"
    assert float(body["statutory_hours"]) == 60

    assert [f["amount_vnd"] for f in body["fees"]] == [160000, 200000, 400000]
    assert body["fee_total_vnd"] == 760000
    assert len(body["components"]) == 5
    assert [s["order"] for s in body["steps"]] == [1, 2, 3, 4]
    assert body["publication_decision"]
    assert body["source"]["portal_url"].startswith("https://dichvucong.gov.vn/")


def test_detail_limits_per_channel_and_missing(client, catalog):
    body = client.get(f"{URL}/procedures/1.013978").json()
    assert body["time_limit"]["text"] == (
        "Trực tuyến: 17 Ngày làm việc; Dịch vụ bưu chính: 20 Ngày làm việc; "
        "Trực tiếp: 27 Ngày làm việc"
    )
    assert [(x["channel"], x["label"]) for x in body["time_limit"]["limits"]] == [
        (1, "27 ngày làm việc"),
        (2, "17 ngày làm việc"),
        (3, "20 ngày làm việc"),
    ]
    # the process fits the shortest channel: 17 working days
    assert float(body["statutory_hours"]) == 17 * 7.5
    body = client.get(f"{URL}/procedures/2.000815").json()
    assert body["time_limit"]["limits"] == []
    assert body["time_limit"]["missing"] == [1]
    assert body["statutory_hours"] is None


def test_detail_unknown_code_404_in_the_error_shape(client, db):
    r = client.get(f"{URL}/procedures/0.000000")
    assert r.status_code == 404
    assert r.json() == {
        "error": {
            "code": "not_found",
            "message": "Không tìm thấy thủ tục 0.000000.",
            "message_en": "Procedure 0.000000 not found.",
            "field": "code",
        }
    }


def test_fields(client, catalog):
    body = client.get(f"{URL}/fields").json()
    assert len(body) == 16
    assert {"code": "ho-tich", "name": "Hộ tịch", "procedure_count": 15} in body
