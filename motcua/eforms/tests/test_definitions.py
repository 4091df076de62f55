"""The meta-schema and the checks beyond it: the shipped definitions and the tests' own
pass; each kind of broken definition is refused with a message naming where."""

import copy
import json

import pytest

from motcua.eforms.definitions import HERE, definition_errors


def shipped():
    return sorted((HERE / "definitions").glob("*.json"))


@pytest.mark.parametrize("path", shipped(), ids=lambda p: p.name)
def test_shipped_definitions_pass(path):
    assert definition_errors(json.loads(path.read_text(encoding="utf-8"))) == []


def test_the_test_definition_passes(doc):
    assert definition_errors(doc) == []


def _drop(d, key):
    d.pop(key)


BROKEN = [
    ("no key", lambda d: _drop(d, "key"), "'key' is a required property"),
    ("key not a slug", lambda d: d.update(key="Khai Sinh"), "key: 'Khai Sinh' does not match"),
    ("version zero", lambda d: d.update(version=0), "version: 0 is less than the minimum"),
    ("title without vi", lambda d: d.update(title={"en": "x"}), "title: 'vi' is a required"),
    (
        "unknown field type",
        lambda d: d["layout"][0]["fields"][0].update(type="colour"),
        "layout/0/fields/0/type: 'colour' is not one of",
    ),
    (
        "choice without options",
        lambda d: d["layout"][1]["fields"][1].pop("options"),
        "layout/1/fields/1: 'options' is a required property",
    ),
    (
        "locked without prefill",
        lambda d: d["layout"][0]["fields"][0].pop("prefill"),
        "layout/0/fields/0: 'prefill' is a required property",
    ),
    (
        "bad prefill source",
        lambda d: d["layout"][0]["fields"][0].update(prefill="identity.shoe_size"),
        "layout/0/fields/0/prefill: 'identity.shoe_size' does not match",
    ),
    (
        "unknown COND operator",
        lambda d: d["layout"][1].update(show_if={"field": "x", "like": 1}),
        "layout/1/show_if",
    ),
    (
        "extra top-level key",
        lambda d: d.update(colour="red"),
        "Additional properties are not allowed",
    ),
    (
        "layout path not in schema",
        lambda d: d["layout"][0]["fields"][2].update(path="nguoi_yeu_cau.ngay_cuoi"),
        "layout/nguoi_yeu_cau/nguoi_yeu_cau.ngay_cuoi: đường dẫn không có trong lược đồ dữ liệu",
    ),
    (
        "group field not in item schema",
        lambda d: d["layout"][2]["fields"][0]["fields"][0].update(path="ten_goi"),
        "layout/con/con[].ten_goi: đường dẫn không có trong lược đồ dữ liệu",
    ),
    (
        "group over a non-array",
        lambda d: d["schema"]["properties"].update(con={"type": "object"}),
        "layout/con/con: nhóm lặp cần kiểu array",
    ),
    (
        "unknown code list",
        lambda d: d["layout"][1]["fields"][1].update(options="codelist:khong_co"),
        "layout/uy_quyen/uy_quyen.quan_he: không có danh mục 'codelist:khong_co'",
    ),
    (
        "section COND on unknown path",
        lambda d: d["layout"][1].update(show_if={"field": "nop_thay", "equals": True}),
        "layout/uy_quyen/show_if: trường 'nop_thay' không có trong tờ khai",
    ),
    (
        "field COND on unknown path",
        lambda d: d["layout"][3]["fields"][1].update(
            required_if={"field": "khong_co", "filled": True}
        ),
        "layout/khac/ghi_chu/required_if: trường 'khong_co' không có trong tờ khai",
    ),
    (
        "rule COND on unknown path",
        lambda d: d["rules"][0].update(when={"not": {"field": "a.b", "equals": 1}}),
        "rules/0/when: trường 'a.b' không có",
    ),
    (
        "declaration line on unknown path",
        lambda d: d["declaration"]["lines"][0].update(path="ho_ten"),
        "declaration/lines/0: trường 'ho_ten' không có",
    ),
    (
        "path used twice",
        lambda d: d["layout"][3]["fields"].append(copy.deepcopy(d["layout"][3]["fields"][0])),
        "layout/khac/le_phi: đường dẫn dùng hai lần",
    ),
    (
        "duplicate section",
        lambda d: d["layout"].append(copy.deepcopy(d["layout"][3])),
        "layout/khac: khóa mục trùng",
    ),
    (
        "data schema not a schema",
        lambda d: d["schema"]["properties"].update(le_phi={"type": "số"}),
        "schema: lược đồ dữ liệu không hợp lệ",
    ),
]


@pytest.mark.parametrize(
    ("breakage", "expected"), [(b[1], b[2]) for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_broken_definitions_are_refused(doc, breakage, expected):
    breakage(doc)
    errors = definition_errors(doc)
    assert any(expected in e for e in errors), errors


def test_every_problem_is_reported_at_once(doc):
    doc["layout"][0]["fields"][3]["path"] = "nguoi_yeu_cau.khong_co"
    doc["rules"][0]["when"] = {"field": "khong_co", "equals": True}
    assert len(definition_errors(doc)) == 2
