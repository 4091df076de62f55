"""The logic table: answers → sections shown, fields required, components needed; and the
components agree with catalog.cases.needed (the one rule)."""

from types import SimpleNamespace

import pytest

from motcua.catalog import cases as catalog_cases
from motcua.eforms.logic import decide, holds


def comp(name, *, required=True, case=""):
    return SimpleNamespace(name=name, required=required, case=case, pk=hash(name))


COMPONENTS = [
    comp("Tờ khai thử nghiệm"),
    comp("Văn bản ủy quyền theo quy định của pháp luật", required=False),
    comp("Phong bì dán tem ghi rõ địa chỉ người nhận"),
    comp("Giấy khai sinh của con", case="Trường hợp có con chung"),
]

TABLE = [
    # answers, sections shown, required (besides the always-required), components needed
    (
        {"nhan_ket_qua": "counter"},
        ["nguoi_yeu_cau", "con", "khac"],
        set(),
        ["Tờ khai thử nghiệm"],
    ),
    (
        {"nhan_ket_qua": "post", "nguoi_yeu_cau": {"nop_thay": True}},
        ["nguoi_yeu_cau", "uy_quyen", "con", "khac"],
        {"uy_quyen.nguoi_uy_quyen"},
        [
            "Tờ khai thử nghiệm",
            "Văn bản ủy quyền theo quy định của pháp luật",
            "Phong bì dán tem ghi rõ địa chỉ người nhận",
        ],
    ),
    (
        {"nhan_ket_qua": "online", "uy_quyen": {"quan_he": "khac"}, "con": [{"ho_ten": "An"}]},
        ["nguoi_yeu_cau", "con", "khac"],
        set(),  # the authorisation section is hidden: its answers do not count
        ["Tờ khai thử nghiệm", "Giấy khai sinh của con"],
    ),
    (
        {"nhan_ket_qua": "post", "giay_to": ["khac"]},
        ["nguoi_yeu_cau", "con", "khac"],
        {"ghi_chu"},
        ["Tờ khai thử nghiệm", "Phong bì dán tem ghi rõ địa chỉ người nhận"],
    ),
]
ALWAYS = {
    "nguoi_yeu_cau.ho_ten",
    "nguoi_yeu_cau.so_dinh_danh",
    "nguoi_yeu_cau.ngay_sinh",
    "nhan_ket_qua",
    "cam_doan",
}


@pytest.mark.parametrize(("answers", "sections", "required", "components"), TABLE)
def test_logic_table(doc, answers, sections, required, components):
    decision = decide(doc, answers)
    assert decision.sections == sections
    assert decision.required == ALWAYS | required
    assert [c.name for c in decision.components_needed(COMPONENTS)] == components
    # The same verdict as the one rule, component by component.
    for c in COMPONENTS:
        assert catalog_cases.needed(
            c, required=decision.require_components, omitted=decision.omit_components
        ) == (c.name in components)


def test_group_item_required_if_reads_the_item(doc):
    decision = decide(doc, {"con": [{"ho_ten": "An"}, {}]})
    (shown0, req0), (shown1, req1) = decision.items["con"]
    assert req0 == {"con[].ho_ten", "con[].ngay_sinh"}
    assert req1 == {"con[].ho_ten"}


def test_rule_notes(doc):
    assert decide(doc, {"nguoi_yeu_cau": {"nop_thay": True}}).notes == [
        {
            "vi": "Nộp thay: cần văn bản ủy quyền.",
            "en": "Filing for another: the authorisation is needed.",
        }
    ]


@pytest.mark.parametrize(
    ("cond", "data", "expected"),
    [
        ({"field": "a", "equals": 1}, {"a": 1}, True),
        ({"field": "a", "equals": 1}, {}, False),
        ({"field": "a", "in": [1, 2]}, {"a": 2}, True),
        ({"field": "a", "in": [1, 2]}, {"a": [3, 1]}, True),
        ({"field": "a.b", "filled": True}, {"a": {"b": ""}}, False),
        ({"field": "a.b", "filled": False}, {"a": {}}, True),
        (
            {"all": [{"field": "a", "equals": 1}, {"field": "b", "equals": 2}]},
            {"a": 1, "b": 3},
            False,
        ),
        (
            {"any": [{"field": "a", "equals": 1}, {"field": "b", "equals": 2}]},
            {"a": 0, "b": 2},
            True,
        ),
        ({"not": {"field": "a", "equals": 1}}, {"a": 1}, False),
    ],
)
def test_conditions(cond, data, expected):
    assert holds(cond, data) is expected


def test_omitted_wins_over_required_and_cases():
    c = comp("Giấy khai sinh của con", case="Trường hợp có con chung")
    assert catalog_cases.needed(c, ["Trường hợp có con chung"]) is True
    assert catalog_cases.needed(c, ["Trường hợp có con chung"], omitted=["giay khai sinh"]) is False
    assert catalog_cases.needed(c, [], required=["Trường hợp có con chung"]) is True
    # A prefix is a prefix of whole words.
    assert catalog_cases.needed(c, [], required=["Giấy khai"]) is True
    assert catalog_cases.needed(c, [], required=["Giấy kh"]) is False
