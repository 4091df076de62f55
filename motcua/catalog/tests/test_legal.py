"""Legal bases show their titles; citizens never see the catalog's curation notes."""

import html
import json

import pytest
from django.test import Client

from motcua.catalog.importer import FIXTURE_PATH
from motcua.catalog.legal import TABLE, LegalDocument, legal_documents, legal_titles

RECORDS = json.loads(FIXTURE_PATH.read_text("utf-8"))
CITED = sorted({n for r in RECORDS for n in r["legal_basis"] or []})
UNTITLED = [
    "01/2013/TT-BVHTTDL",
    "05/2015/TTLT-BTP-BCA-BYT",
    "10/2017/TT-BXD",
    "105/2014/NĐ-CP",
    "110/2020/TT-BCA",
    "22/2023/TT-BCA",
    "226/2016/TT-BTC",
    "24/2019/NĐ-CP",
    "36/2014/TT-BCA",
    "38/2018/TT-BNNPTNT",
    "47/2019/TT-BTC",
]


def test_the_table_has_a_row_for_every_document_the_records_cite():
    rows = json.loads(TABLE.read_text("utf-8"))
    assert [r["number"] for r in rows] == CITED
    assert len(CITED) == 112
    assert sorted(n for n, t in legal_titles().items() if not t) == sorted(UNTITLED)
    sources = {r["source"] for r in rows if r["title"]}
    assert sources == {"portal", "portal-mention", "record-notes", "reference"}
    assert all("source" not in r for r in rows if not r["title"])


def test_labels_read_number_then_title():
    [doc] = legal_documents(["85/2019/TT-BTC"])
    assert doc.label == (
        "85/2019/TT-BTC — Thông tư hướng dẫn về phí và lệ phí thuộc thẩm quyền quyết định "
        "của Hội đồng nhân dân tỉnh, thành phố trực thuộc Trung ương"
    )
    assert legal_documents(["60/2014/QH13"])[0].label == "60/2014/QH13 — Luật Hộ tịch"
    # No title anywhere we read: the type and number, as the portal shows it.
    assert legal_documents(["10/2017/TT-BXD"])[0].label == "Thông tư số 10/2017/TT-BXD"
    assert LegalDocument("99/2099/XX", None).label == "99/2099/XX"


@pytest.fixture
def api():
    return Client()


KHAI_SINH = next(r for r in RECORDS if r["code"] == "1.001193")


def test_api_detail_gives_titles_and_no_curation_notes(api, catalog):
    r = api.get("/api/catalog/procedures/1.001193")
    assert r.status_code == 200
    body = r.json()
    assert body["legal_basis"] == KHAI_SINH["legal_basis"]
    assert body["legal_documents"][0] == {
        "number": "85/2019/TT-BTC",
        "title": "Thông tư hướng dẫn về phí và lệ phí thuộc thẩm quyền quyết định của Hội "
        "đồng nhân dân tỉnh, thành phố trực thuộc Trung ương",
    }
    assert [d["number"] for d in body["legal_documents"]] == KHAI_SINH["legal_basis"]
    assert body["source"] == {
        "url": KHAI_SINH["source"],
        "portal_url": KHAI_SINH["portal_url"],
        "record_date": KHAI_SINH["record_date"],
    }
    text = r.content.decode()
    assert KHAI_SINH["notes"][:40] not in text
    assert "Không có thông tin" not in text


@pytest.mark.parametrize("code", [r["code"] for r in RECORDS if r.get("notes")])
def test_no_record_shows_its_notes_to_citizens(api, catalog, code):
    record = next(r for r in RECORDS if r["code"] == code)
    api_text = api.get(f"/api/catalog/procedures/{code}").content.decode()
    page = api.get(f"/thu-tuc/{code}/")
    assert page.status_code == 200
    for text in (api_text, page.content.decode()):
        assert record["notes"][:40] not in text
        assert html.escape(record["notes"][:40]) not in text
        assert '"notes"' not in text and "level_raw" not in text


def test_the_procedure_page_lists_number_and_title(api, catalog):
    html = api.get("/thu-tuc/1.001193/").content.decode()
    assert (
        "<li>85/2019/TT-BTC — Thông tư hướng dẫn về phí và lệ phí thuộc thẩm quyền quyết định "
        "của Hội đồng nhân dân tỉnh, thành phố trực thuộc Trung ương</li>"
    ) in html
    assert "<li>60/2014/QH13 — Luật Hộ tịch</li>" in html
