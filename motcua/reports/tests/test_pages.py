import csv
import datetime as dt
import io
import json

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import advance
from motcua.org.enums import AgencyKind, Role
from motcua.org.models import Agency, StaffRole
from motcua.org.tests.otp import otp_login

from .test_importer import EXAMPLE


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def data(world):
    from motcua.reports.importer import import_dossiers

    import_dossiers(EXAMPLE)
    advance(world, 10)  # a native one with the citizen's personal data
    advance(world, 4)
    return world


def client_for(user=None) -> Client:
    c = Client()
    if user is not None:
        otp_login(c, user)
    return c


def province_monitor(world):
    center = Agency.objects.create(
        code="000.00.01.H24",
        name="Trung tâm PVHCC tỉnh",
        kind=AgencyKind.PROVINCIAL_CENTER,
        unit=world.a.center.unit.parent,
    )
    user = world.a.staff["c:monitor"]
    StaffRole.objects.create(user=user, agency=center, role=Role.MONITOR)
    return user


DASH = "/bao-cao/?from=2026-03-01&to=2026-03-31"


def test_dashboard_anonymous_goes_to_login(data):
    r = client_for().get(DASH)
    assert r.status_code == 302
    assert r["Location"].startswith("/dang-nhap/?next=")


def test_dashboard_refuses_citizen_and_specialist(data):
    assert client_for(data.citizen).get(DASH).status_code == 403
    assert client_for(data.a.staff["s:specialist"]).get(DASH).status_code == 403


def test_dashboard_for_province_monitor(data):
    r = client_for(province_monitor(data)).get(DASH)
    assert r.status_code == 200
    html = r.content.decode()
    assert "Điểm theo Bộ chỉ số" in html
    assert "<svg" in html and 'role="img"' in html
    assert "Xếp hạng cơ quan giải quyết" in html
    assert '<th scope="col">' in html
    ranking = r.context["ranking"]
    assert [row["agency"].code for row in ranking] == ["000.A.02.H24"]
    # The overdue list links to the back office.
    codes = {row["dossier"].code for row in r.context["overdue"]}
    assert "000.A.01.H24-260305-0001" in codes  # imported, processing, overdue now
    overdue = Dossier.objects.get(code="000.A.01.H24-260305-0001")
    assert f"/can-bo/ho-so/{overdue.pk}/" in html


def test_dashboard_for_agency_leader_is_scoped(data):
    leader = data.b.staff["s:leader"]
    r = client_for(leader).get(DASH)
    assert r.status_code == 200
    assert r.context["agency"] == data.b.settling
    assert r.context["ranking"] == []
    assert r.context["overdue"] == []  # side B has no dossiers
    # Another agency is refused.
    assert client_for(leader).get(DASH + "&agency=000.A.02.H24").status_code == 403


def test_dashboard_bad_period_is_a_message(data):
    r = client_for(data.admin).get("/bao-cao/?from=31/02/2026&to=2026-01-01")
    assert r.status_code == 200
    assert "Ngày bắt đầu không hợp lệ" in r.content.decode()


def test_bieu06_page_and_downloads(data):
    c = client_for(data.admin)
    r = c.get("/bao-cao/bieu-06/?from=2026-03-01&to=2026-03-31")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Biểu số 06/VPCP/KSTT" in html
    assert 'scope="colgroup"' in html
    assert "01/03/2026" in html
    for fmt, magic in (("xlsx", b"PK"), ("pdf", b"%PDF"), ("csv", b"\xef\xbb\xbf")):
        d = c.get(f"/bao-cao/bieu-06/tai-ve/{fmt}/?from=2026-03-01&to=2026-03-31")
        assert d.status_code == 200
        assert d.content.startswith(magic)
        assert "bieu06-20260301-20260331" in d["Content-Disposition"]
    assert client_for().get("/bao-cao/bieu-06/tai-ve/pdf/").status_code == 302
    assert client_for(data.citizen).get("/bao-cao/bieu-06/tai-ve/pdf/").status_code == 403


def test_public_pages(data):
    c = client_for()
    r = c.get("/cong-khai/")
    assert r.status_code == 200
    assert "/cong-khai/000.A.02.H24/" in r.content.decode()
    r = c.get("/cong-khai/000.A.02.H24/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "UBND A" in html
    assert "Nguyễn Văn" not in html and "0912345678" not in html
    assert "000.A.01.H24-26" not in html  # no dossier codes either
    assert c.get("/cong-khai/khong-co/").status_code == 404


PERSONAL = ("Nguyễn Văn", "0912345678", "001203000123", "@example.vn", "Bắc Ninh", "applicant")


def test_open_data_csv_and_json_have_no_personal_data(data):
    c = client_for()
    r = c.get("/open-data/indicators.csv?from=2026-02&to=2026-03")
    assert r.status_code == 200
    text = r.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {(row["agency_code"], row["month"]) for row in rows} == {
        (code, month)
        for code in ("000.A.01.H24", "000.A.02.H24")
        for month in ("2026-02", "2026-03")
    }
    march = next(r for r in rows if r["agency_code"] == "000.A.02.H24" and r["month"] == "2026-03")
    assert march["i4_2_denominator"] == "7"  # 5 imported + 2 native received in March
    j = c.get("/open-data/indicators.json?from=2026-03&to=2026-03")
    body = j.json()
    assert body["rows"][0]["indicators"]["2.1"].keys() == {
        "numerator",
        "denominator",
        "rate",
        "unit",
        "points",
    }
    for payload in (text, j.content.decode()):
        for word in PERSONAL:
            assert word not in payload
    assert "applicant" not in json.dumps(body)


def test_open_data_index_page(data):
    r = client_for().get("/open-data/")
    assert r.status_code == 200
    assert "catalog.jsonld" in r.content.decode()


def test_dcat_catalog(data):
    r = client_for().get("/open-data/catalog.jsonld")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/ld+json")
    cat = json.loads(r.content)
    assert cat["@type"] == "dcat:Catalog"
    assert cat["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    (ds,) = cat["dcat:dataset"]
    assert ds["@type"] == "dcat:Dataset"
    assert ds["dct:license"]["@id"].startswith("https://creativecommons.org/")
    assert ds["dct:publisher"]["foaf:name"]
    assert ds["dct:temporal"]["dcat:startDate"]["@value"] == "2026-03-04"
    urls = {d["dcat:downloadURL"]["@id"] for d in ds["dcat:distribution"]}
    assert urls == {
        "http://testserver/open-data/indicators.csv",
        "http://testserver/open-data/indicators.json",
    }
    media = {d["dcat:mediaType"]["@id"].rsplit("/", 2)[-2:][1] for d in ds["dcat:distribution"]}
    assert media == {"csv", "json"}
    assert all(d["@type"] == "dcat:Distribution" for d in ds["dcat:distribution"])


def test_open_data_is_cached(data, django_assert_max_num_queries):
    """The second request reads the figures from the cache: the same answer, the figures
    of the dossiers (not an empty page), and a dossier received meanwhile shows only once
    the cache is gone."""
    url = "/open-data/indicators.json?from=2026-03&to=2026-03"
    c = client_for()
    first = c.get(url)
    assert first.status_code == 200
    body = first.json()
    march = {row["agency_code"]: row for row in body["rows"]}
    assert set(march) == {"000.A.01.H24", "000.A.02.H24"}
    assert {row["month"] for row in body["rows"]} == {"2026-03"}
    assert march["000.A.02.H24"]["indicators"]["4.2"]["denominator"] == 7
    with django_assert_max_num_queries(2):
        again = c.get(url)
    assert again.status_code == 200 and again.content == first.content
    advance(data, 4)  # one more dossier received in March
    assert c.get(url).content == first.content  # cached: not yet
    cache.clear()
    fresh = {row["agency_code"]: row for row in c.get(url).json()["rows"]}
    assert fresh["000.A.02.H24"]["indicators"]["4.2"]["denominator"] == 8


def test_months_back():
    from motcua.reports.selectors import months_back

    assert months_back(dt.date(2026, 3, 15), 3) == [
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
        dt.date(2026, 3, 1),
    ]


def test_pages_without_any_dossier(world):
    c = client_for(world.admin)
    r = c.get("/bao-cao/")
    assert r.status_code == 200
    assert "Không có hồ sơ quá hạn." in r.content.decode()
    assert c.get("/bao-cao/bieu-06/").status_code == 200
    assert c.get("/cong-khai/").status_code == 200
    assert c.get("/open-data/indicators.csv").status_code == 200
    cat = json.loads(c.get("/open-data/catalog.jsonld").content)
    assert "dcat:startDate" not in cat["dcat:dataset"][0]["dct:temporal"]


def test_public_page_in_english(data):
    c = client_for()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = c.get("/cong-khai/000.A.02.H24/")
    html = r.content.decode()
    assert 'lang="en"' in html
    assert "Summary" in html and "Tóm tắt" not in html


def test_scorecard_targets_only_for_thresholded_indicators(data):
    r = client_for(data.admin).get(DASH)
    rows = {row["figure"].id: row for row in r.context["rows"]}
    assert rows["2.1"]["target"] is None and rows["2.1"]["met"] is None
    assert rows["5.4"]["target"] == 90
    assert rows["4.2"]["target"] == 80
    assert rows["4.2"]["met"] is (rows["4.2"]["figure"].rate >= 80)
