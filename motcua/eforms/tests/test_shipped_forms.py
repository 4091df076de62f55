"""The shipped form definitions and code lists, checked as data (issue 13).

Written against plain JSON Schema and the definition format (docs/eforms.md), so that the
content is checked whether or not the engine is loaded: every definition is a valid draft
2020-12 schema, every layout / condition / declaration path exists in it, every code list it
names exists, every component text its rules name is a component or a case of its procedure in
the catalog, the example answer sets validate, and the rules decide the components the tables
below say.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string
from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from vietnam_provinces import Province, Ward

from motcua.catalog.cases import derive_cases, names_component
from motcua.core.errors import ValidationFailed
from motcua.core.identifiers import validate_personal_id
from motcua.eforms.answers import read_post, validate
from motcua.eforms.declaration import declaration_pdf, printed_lines
from motcua.eforms.definitions import definition_errors
from motcua.eforms.logic import decide, visible_answers
from motcua.eforms.render import form_context
from motcua.org.services import legacy_units_load, units_load

EFORMS = Path(__file__).resolve().parents[1]
DEFINITIONS = EFORMS / "definitions"
CODELISTS = EFORMS / "codelists"
CATALOG = EFORMS.parent / "catalog" / "fixtures" / "procedures.json"
LEGACY_UNITS = EFORMS.parent / "org" / "fixtures" / "legacy_units.json"

KEYS = ["khai-sinh", "khai-tu", "ket-hon", "trich-luc", "ho-kinh-doanh"]
FIELD_TYPES = {
    "text", "textarea", "name", "date", "personal_number", "tax_code", "phone", "email",
    "admin_unit", "ethnic_group", "nationality", "money", "choice", "multichoice", "boolean",
    "result_delivery", "group",
}  # fmt: skip
PREFILLS = {
    "identity.full_name", "identity.birth_date", "identity.personal_number", "identity.tax_code",
    "identity.address", "identity.phone", "identity.email",
}  # fmt: skip
CODELIST_OF_TYPE = {
    "ethnic_group": "ethnic_groups",
    "nationality": "nationalities",
    "result_delivery": "result_delivery",
}


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def definition(key: str) -> dict:
    return _load(DEFINITIONS / f"{key}.json")


def examples(key: str) -> list[dict]:
    return _load(DEFINITIONS / "examples" / f"{key}.json")["cases"]


def codelist(name: str) -> dict:
    return _load(CODELISTS / f"{name}.json")


def procedure(code: str) -> dict:
    (found,) = [p for p in _load(CATALOG) if p["code"] == code]
    return found


# --- walking a definition ------------------------------------------------------------------


def fields(items: list[dict], prefix: str = "") -> Iterator[tuple[str, dict]]:
    """Every field with its full dotted path; a group's sub-fields are relative to an item."""
    for f in items:
        full = f"{prefix}{f['path']}"
        yield full, f
        if f["type"] == "group":
            yield from fields(f["fields"], prefix=f"{full}.")


def all_fields(doc: dict) -> list[tuple[str, dict]]:
    return [pf for section in doc["layout"] for pf in fields(section["fields"])]


def _deref(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        target: Any = schema
        for part in ref[2:].split("/"):
            target = target[part]
        node = target
    return node


def schema_at(schema: dict, path: str, *, group_paths: frozenset[str] = frozenset()) -> dict:
    """The sub-schema at a dotted path; inside a repeated group, the item's schema."""
    node = schema
    walked = []
    for part in path.split("."):
        node = _deref(schema, node)
        if ".".join(walked) in group_paths and walked:
            node = _deref(schema, node["items"])
        props = node.get("properties", {})
        if part not in props:
            raise KeyError(f"{path}: no property {part!r} at {'.'.join(walked) or '(root)'}")
        node = props[part]
        walked.append(part)
    return _deref(schema, node)


def group_paths(doc: dict) -> frozenset[str]:
    return frozenset(p for p, f in all_fields(doc) if f["type"] == "group")


def conditions(node: Any) -> Iterator[dict]:
    """Every COND in a definition (show_if, required_if, rules' when), nested ones too."""
    if isinstance(node, dict):
        for key in ("show_if", "required_if", "when"):
            if key in node:
                yield from _conds(node[key])
        for value in node.values():
            if isinstance(value, (dict, list)):
                yield from conditions(value)
    elif isinstance(node, list):
        for value in node:
            yield from conditions(value)


def _conds(cond: dict) -> Iterator[dict]:
    yield cond
    for key in ("all", "any"):
        for sub in cond.get(key, []):
            yield from _conds(sub)
    if "not" in cond:
        yield from _conds(cond["not"])


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield k
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)


# --- the rules, decided by the engine's one function ------------------------------------------


def decided(doc: dict, data: dict) -> tuple[set[str], set[str]]:
    """(components required, components omitted) by the definition's rules for these answers."""
    decision = decide(doc, data)
    return set(decision.require_components), set(decision.omit_components)


def catalog_components(code: str) -> list[SimpleNamespace]:
    """The procedure's components as the catalog imports them: a derived case, required."""
    components = procedure(code)["components"]
    cases = derive_cases([(c["name"], c["group"] or "") for c in components])
    return [
        SimpleNamespace(name=c["name"], case=case, required=True)
        for c, case in zip(components, cases, strict=True)
    ]


# --- definitions -----------------------------------------------------------------------------


def test_the_five_forms_are_shipped_and_nothing_else():
    assert sorted(p.stem for p in DEFINITIONS.glob("*.json")) == sorted(KEYS)
    assert sorted(p.stem for p in (DEFINITIONS / "examples").glob("*.json")) == sorted(KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_definition_header(key):
    doc = definition(key)
    assert doc["key"] == key
    assert doc["version"] == 1
    assert doc["title"]["vi"] and doc["title"]["en"]
    for code in doc["procedure_codes"]:
        assert procedure(code)["code"] == code
    assert doc["sources"], "a shipped form states its sources"
    for source in doc["sources"]:
        assert source["confidence"] in ("CONFIRMED", "UNCONFIRMED")
        assert source["title"]
    assert any(s["confidence"] == "CONFIRMED" for s in doc["sources"]), "at least the catalog"


@pytest.mark.parametrize("key", KEYS)
def test_definition_passes_the_engines_checks(key):
    """The meta-schema and the checks it cannot express (motcua.eforms.definitions)."""
    assert definition_errors(definition(key)) == []


@pytest.mark.parametrize("key", KEYS)
def test_definition_schema_is_a_valid_json_schema(key):
    schema = definition(key)["schema"]
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object"


@pytest.mark.parametrize("key", KEYS)
def test_every_layout_path_exists_in_the_schema(key):
    doc = definition(key)
    groups = group_paths(doc)
    paths = [p for p, _ in all_fields(doc)]
    assert len(paths) == len(set(paths)), "a path is laid out once"
    for path, field in all_fields(doc):
        node = schema_at(doc["schema"], path, group_paths=groups)
        if field["type"] == "group":
            assert node["type"] == "array", path
            assert _deref(doc["schema"], node["items"])["type"] == "object", path


@pytest.mark.parametrize("key", KEYS)
def test_fields_are_well_formed(key):
    doc = definition(key)
    section_keys = [s["key"] for s in doc["layout"]]
    assert len(section_keys) == len(set(section_keys))
    for section in doc["layout"]:
        assert section["title"]["vi"] and section["title"]["en"]
        assert section["fields"]
    for path, field in all_fields(doc):
        assert field["type"] in FIELD_TYPES, path
        assert field["label"]["vi"] and field["label"]["en"], path
        if field["type"] in ("choice", "multichoice"):
            assert field["options"], path
        if field.get("locked"):
            assert field["prefill"] in PREFILLS, (
                f"{path}: only a verified prefilled value is locked"
            )
        if "prefill" in field:
            assert field["prefill"] in PREFILLS or field["prefill"].startswith("store."), path


@pytest.mark.parametrize("key", KEYS)
def test_options_agree_with_the_schema(key):
    """An inline choice offers exactly the values its schema accepts; a code list's codes are
    exactly the schema's enum (the copy in the schema is the list)."""
    doc = definition(key)
    groups = group_paths(doc)
    for path, field in all_fields(doc):
        node = schema_at(doc["schema"], path, group_paths=groups)
        options = field.get("options")
        if isinstance(options, list):
            values = [o["value"] for o in options]
            assert len(values) == len(set(values)), path
            if "enum" in node:
                assert set(values) == set(node["enum"]), path
            for option in options:
                assert Draft202012Validator(node).is_valid(option["value"]), (path, option)
                assert option["label"]["vi"] and option["label"]["en"]
        elif isinstance(options, str):
            name = options.removeprefix("codelist:")
            codes = [i["code"] for i in codelist(name)["items"]]
            assert node["enum"] == codes, f"{path}: schema enum differs from codelist {name}"
        if field["type"] in CODELIST_OF_TYPE:
            assert options == f"codelist:{CODELIST_OF_TYPE[field['type']]}", path


@pytest.mark.parametrize("key", KEYS)
def test_every_codelist_referenced_exists(key):
    referenced = {
        f["options"].removeprefix("codelist:")
        for _, f in all_fields(definition(key))
        if isinstance(f.get("options"), str)
    }
    assert referenced
    for name in referenced:
        assert (CODELISTS / f"{name}.json").is_file(), name


@pytest.mark.parametrize("key", KEYS)
def test_every_condition_and_declaration_path_exists(key):
    doc = definition(key)
    groups = group_paths(doc)
    conds = [c for c in conditions(doc) if "field" in c]
    assert conds
    for cond in conds:
        schema_at(doc["schema"], cond["field"], group_paths=groups)
    lines = doc["declaration"]["lines"]
    for line in lines:
        if "path" in line:
            schema_at(doc["schema"], line["path"], group_paths=groups)
    declared = {line["path"] for line in lines if "path" in line}
    laid_out = {p for p, _ in all_fields(doc)}
    # Every line of the paper template is filled from a field (or from its parent object).
    for path in declared:
        assert path in laid_out or any(p.startswith(f"{path}.") for p in laid_out), path


@pytest.mark.parametrize("key", KEYS)
def test_applicant_identity_is_prefilled_and_locked(key):
    """The law takes the applicant's name, date of birth and personal number from the national
    population database: they come from the verified identity and cannot be changed."""
    locked = {f["prefill"] for _, f in all_fields(definition(key)) if f.get("locked")}
    assert locked == {"identity.full_name", "identity.birth_date", "identity.personal_number"}


# --- rules against the catalog ---------------------------------------------------------------


def _resolve(code: str, text: str) -> list[SimpleNamespace]:
    """The components a rule's text names, by the catalog's own rule (cases.names_component):
    a case of the procedure, or the start of a component's name."""
    return [c for c in catalog_components(code) if names_component(c, text)]


@pytest.mark.parametrize("key", KEYS)
def test_every_component_text_in_rules_is_a_component_of_the_procedure(key):
    doc = definition(key)
    (code,) = doc["procedure_codes"]
    texts = [
        text
        for rule in doc["rules"]
        for text in rule.get("require_components", []) + rule.get("omit_components", [])
    ]
    declaration = doc["declaration"]["component"]
    assert texts
    for text in [*texts, declaration]:
        assert len(_resolve(code, text)) == 1, f"{text!r} names no single component of {code}"


def test_resolve_refuses_a_text_that_is_not_a_component():
    assert _resolve("1.001193", "Giấy chứng nhận kết hôn") == []
    assert len(_resolve("1.001193", "Giấy chứng sinh")) == 1
    # Whole words only, and a start shared by two components names both (so it is refused).
    assert _resolve("1.001193", "Giấy chứng si") == []
    assert len(_resolve("1.001193", "Trường hợp")) == 2


@pytest.mark.parametrize("key", KEYS)
def test_a_rule_requires_a_case_or_says_why(key):
    """Requiring a component the catalog already always requires changes nothing: such a rule
    must carry a note telling the applicant what to hand in under it (the witness statement in
    place of the birth notice). Every other required text is a case of the procedure, so that
    declaring it makes the component needed (motcua.catalog.cases.needed)."""
    doc = definition(key)
    (code,) = doc["procedure_codes"]
    for rule in doc["rules"]:
        for text in rule.get("require_components", []):
            (component,) = _resolve(code, text)
            assert component.case or rule.get("note"), text


# --- examples ---------------------------------------------------------------------------------


def _validator(key: str) -> Draft202012Validator:
    return Draft202012Validator(definition(key)["schema"], format_checker=FormatChecker())


EXAMPLE_CASES = [(key, case["name"]) for key in KEYS for case in examples(key)]


def _example(key: str, name: str) -> dict:
    (found,) = [c for c in examples(key) if c["name"] == name]
    return found


@pytest.mark.parametrize(("key", "name"), EXAMPLE_CASES)
def test_example_answers_validate(key, name):
    errors = [e.message for e in _validator(key).iter_errors(_example(key, name)["data"])]
    assert errors == []


@pytest.mark.parametrize(("key", "name"), EXAMPLE_CASES)
def test_example_rules_decide_the_components(key, name):
    case = _example(key, name)
    require, omit = decided(definition(key), case["data"])
    assert require == set(case["components"]["require"])
    assert omit == set(case["components"]["omit"])


@pytest.mark.parametrize(("key", "name"), EXAMPLE_CASES)
def test_example_components_needed_follow_the_rules(key, name):
    """The dossier's components (catalog.cases.needed through the engine's Decision): what the
    rules require is needed, what they omit is not, and a conditional component that no rule
    requires is not needed either."""
    doc = definition(key)
    (code,) = doc["procedure_codes"]
    case = _example(key, name)
    components = catalog_components(code)
    needed = {c.name for c in decide(doc, case["data"]).components_needed(components)}
    for text in case["components"]["require"]:
        assert {c.name for c in _resolve(code, text)} <= needed, text
    for text in case["components"]["omit"]:
        assert not {c.name for c in _resolve(code, text)} & needed, text
    required = {c.name for t in case["components"]["require"] for c in _resolve(code, t)}
    for c in components:
        if c.case and c.name not in required:
            assert c.name not in needed, c.name


def _typed_values(key: str, data: dict, types: set[str]) -> Iterator[tuple[str, str, Any]]:
    doc = definition(key)
    by_path = dict(all_fields(doc))
    groups = group_paths(doc)

    def walk(node: Any, path: str) -> Iterator[tuple[str, str, Any]]:
        field = by_path.get(path)
        if field and field["type"] in types:
            yield path, field["type"], node
        if isinstance(node, dict):
            for k, v in node.items():
                yield from walk(v, f"{path}.{k}" if path else k)
        elif isinstance(node, list) and path in groups:
            for item in node:
                yield from walk(item, path)

    yield from walk(data, "")


@pytest.mark.parametrize(("key", "name"), EXAMPLE_CASES)
def test_example_identifiers_and_units_are_real(key, name):
    """Personal numbers pass the project's check; administrative units are today's (from
    vietnam-provinces) or former units the org app ships for old addresses."""
    data = _example(key, name)["data"]
    current = {f"{p.code.value:02d}" for p in Province.iter_all()} | {
        f"{w.code.value:05d}" for w in Ward.iter_all()
    }
    former = {u["code"]: u for u in _load(LEGACY_UNITS)["units"]}
    abolished = _load(LEGACY_UNITS)["valid_to"]
    seen = set()
    for path, type_, value in _typed_values(key, data, {"personal_number", "admin_unit"}):
        seen.add(type_)
        if type_ == "personal_number":
            assert validate_personal_id(value) == value, path
        elif value["valid_on"] > abolished:
            assert value["code"] in current, (path, value)
        else:
            unit = former[value["code"]]
            assert unit["valid_from"] <= value["valid_on"] <= abolished, (path, value)
    assert seen == {"personal_number", "admin_unit"}


def test_khai_sinh_example_uses_a_former_unit_for_the_place_of_origin():
    data = _example("khai-sinh", "me_dang_ky")["data"]
    assert data["tre"]["que_quan"] == {"code": "07291", "valid_on": "2025-06-30"}


# --- table tests: answers → components ------------------------------------------------------

KS_UQ = "Văn bản ủy quyền (được chứng thực) theo quy định của pháp luật trong trường hợp ủy quyền thực hiện việc đăng ký khai sinh"  # noqa: E501
KS_EFORM = "Mẫu hộ tịch điện tử tương tác đăng ký khai sinh"
KT_NOTICE = "Giấy báo tử hoặc giấy tờ thay Giấy báo tử"
KT_EVIDENCE = "Giấy tờ, tài liệu, chứng cứ do cơ quan, tổ chức có thẩm quyền cấp hoặc xác nhận hợp lệ chứng minh sự kiện chết"  # noqa: E501
HKD_HOUSEHOLD = (
    "Bản sao văn bản ủy quyền của thành viên hộ gia đình cho một thành viên làm chủ hộ kinh doanh"  # noqa: E501
)
HKD_PERSON = "Trường hợp ủy quyền cho cá nhân thực hiện thủ tục đăng ký hộ kinh doanh"
HKD_NO_ID = "Trường hợp chưa có tài khoản định danh điện tử để thực hiện xác thực điện tử"


def _answers(key: str, base: str, changes: dict[str, Any]) -> dict:
    data = copy.deepcopy(_example(key, base)["data"])
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return data


TABLE = [
    # (form, base example, changed answers, required, omitted)
    ("khai-sinh", "me_dang_ky", {}, set(), {KS_EFORM}),
    ("khai-sinh", "me_dang_ky", {"nguoi_yeu_cau.uy_quyen": True}, {KS_UQ}, {KS_EFORM}),
    (
        "khai-sinh",
        "me_dang_ky",
        {"tre.bi_bo_roi": True, "tre.mang_thai_ho": True},
        {
            "Trường hợp trẻ em bị bỏ rơi",
            "Trường hợp khai sinh cho trẻ em sinh ra do mang thai hộ",
        },
        {KS_EFORM},
    ),
    # Born abroad: no rule about the birth notice (a different procedure handles it).
    (
        "khai-sinh",
        "me_dang_ky",
        {"tre.noi_sinh.loai": "nuoc_ngoai", "tre.noi_sinh.nuoc_ngoai": "Tokyo, Nhật Bản"},
        set(),
        {KS_EFORM},
    ),
    (
        "khai-tu",
        "chong_khai_tu",
        {"giay_bao_tu.co": False},
        {KT_EVIDENCE},
        {KT_NOTICE, "Mẫu hộ tịch điện tử tương tác đăng ký khai tử"},
    ),
    # Residence unknown: the "last residence" proof is not asked even if the database had none.
    (
        "khai-tu",
        "khong_ro_noi_cu_tru",
        {},
        {"Trường hợp không xác định được nơi cư trú cuối cùng của người chết"},
        {"Mẫu hộ tịch điện tử tương tác đăng ký khai tử"},
    ),
    (
        "ket-hon",
        "hai_ben_trong_nuoc",
        {"cu_tru_khong_khai_thac_duoc": False},
        set(),
        {"Mẫu hộ tịch điện tử tương tác đăng ký kết hôn"},
    ),
    ("ho-kinh-doanh", "ca_nhan", {}, set(), set()),
    (
        "ho-kinh-doanh",
        "ca_nhan",
        {"nop_ho.uy_quyen": "ca_nhan", "nop_ho.nguoi_uy_quyen_co_tai_khoan": False},
        {HKD_PERSON, HKD_NO_ID},
        set(),
    ),
    # The head files in person: whether the principal has an e-identity does not matter.
    ("ho-kinh-doanh", "ca_nhan", {"nop_ho.nguoi_uy_quyen_co_tai_khoan": False}, set(), set()),
    ("ho-kinh-doanh", "ho_gia_dinh", {}, {HKD_HOUSEHOLD}, set()),
]


@pytest.mark.parametrize(("key", "base", "changes", "required", "omitted"), TABLE)
def test_answers_decide_the_components(key, base, changes, required, omitted):
    data = _answers(key, base, changes)
    assert _validator(key).is_valid(data)
    assert decided(definition(key), data) == (required, omitted)


INVALID = [
    # (form, base example, changed answers, the path the error is at)
    ("khai-sinh", "me_dang_ky", {"me": None}, "$.me"),
    ("khai-sinh", "chua_xac_dinh_cha", {"chua_xac_dinh.cha": False}, "$.cha"),  # then declared
    ("khai-sinh", "me_dang_ky", {"tre.dan_toc": "55"}, "$.tre.dan_toc"),
    ("khai-sinh", "me_dang_ky", {"tre.quoc_tich": "XK"}, "$.tre.quoc_tich"),
    ("khai-sinh", "me_dang_ky", {"tre.noi_sinh.loai": "nuoc_ngoai"}, "$.tre.noi_sinh.nuoc_ngoai"),
    ("khai-sinh", "me_dang_ky", {"ban_sao.so_luong": 11}, "$.ban_sao.so_luong"),
    (
        "khai-sinh",
        "me_dang_ky",
        {"nguoi_yeu_cau.so_dinh_danh": "02719512345"},
        "$.nguoi_yeu_cau.so_dinh_danh",
    ),
    ("khai-sinh", "me_dang_ky", {"tre.ngay_sinh": "20/11/2026"}, "$.tre.ngay_sinh"),
    ("khai-tu", "chong_khai_tu", {"giay_bao_tu.so": None}, "$.giay_bao_tu.so"),
    ("khai-tu", "chong_khai_tu", {"nguoi_chet.gio_chet": "24:10"}, "$.nguoi_chet.gio_chet"),
    ("ket-hon", "hai_ben_trong_nuoc", {"ben_kia.gioi_tinh": "nu"}, "$.ben_kia.gioi_tinh"),
    ("trich-luc", "ban_sao_khai_sinh", {"loai_trich_luc": "ho_chieu"}, "$.loai_trich_luc"),
    ("ho-kinh-doanh", "ho_gia_dinh", {"thanh_vien": []}, "$.thanh_vien"),
    (
        "ho-kinh-doanh",
        "ca_nhan",
        {"thanh_vien": _example("ho-kinh-doanh", "ho_gia_dinh")["data"]["thanh_vien"]},
        "$.thanh_vien",
    ),
    ("ho-kinh-doanh", "ca_nhan", {"ho_kinh_doanh.nganh_nghe": []}, "$.ho_kinh_doanh.nganh_nghe"),
    (
        "ho-kinh-doanh",
        "ca_nhan",
        {"ho_kinh_doanh.von_kinh_doanh": 1.5},
        "$.ho_kinh_doanh.von_kinh_doanh",
    ),
    ("ho-kinh-doanh", "ca_nhan", {"chu_ho.email": "not-an-email"}, "$.chu_ho.email"),
]


def _drop_nones(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _drop_nones(v) for k, v in node.items() if v is not None}
    if isinstance(node, list):
        return [_drop_nones(v) for v in node]
    return node


def _field_paths(error: ValidationError) -> list[str]:
    """The field an error belongs to: a missing answer is the missing property's error, not its
    parent object's (as the error summary links it)."""
    if error.validator == "required":
        missing = [p for p in error.validator_value if p not in error.instance]
        return [f"{error.json_path}.{p}" for p in missing]
    return [error.json_path]


@pytest.mark.parametrize(("key", "base", "changes", "at"), INVALID)
def test_bad_answers_are_refused_where_they_are_wrong(key, base, changes, at):
    data = _drop_nones(_answers(key, base, changes))  # None = the answer is left out
    assert _validator(key).is_valid(_example(key, base)["data"])
    errors = list(_validator(key).iter_errors(data))
    assert at in {p for e in errors for p in _field_paths(e)}, [
        (e.json_path, e.message) for e in errors
    ]


# --- code lists --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["ethnic_groups", "nationalities", "relationships", "result_delivery"]
)
def test_codelist_is_well_formed(name):
    doc = codelist(name)
    assert doc["name"] == name
    assert doc["source"]
    codes = [i["code"] for i in doc["items"]]
    names = [i["name"] for i in doc["items"]]
    assert len(codes) == len(set(codes)) and len(names) == len(set(names))
    assert all(codes) and all(names)


def test_ethnic_groups_are_the_54_of_decision_121():
    items = codelist("ethnic_groups")["items"]
    assert [i["code"] for i in items] == [f"{n:02d}" for n in range(1, 55)]
    named = {i["code"]: i["name"] for i in items}
    assert (named["01"], named["02"], named["04"], named["08"], named["17"], named["54"]) == (
        "Kinh", "Tày", "Hoa", "HMông", "Chăm", "Rơ-măm",
    )  # fmt: skip
    assert "Việt" in items[0]["aliases"]


def test_nationalities_are_iso_3166_alpha_2_with_viet_nam_first():
    items = codelist("nationalities")["items"]
    assert items[0] == {"code": "VN", "name": "Việt Nam", "name_en": "Viet Nam"}
    assert all(len(i["code"]) == 2 and i["code"].isascii() and i["code"].isupper() for i in items)
    named = {i["code"]: i["name"] for i in items}
    assert (named["US"], named["CN"], named["KR"], named["LA"], named["KH"], named["DE"]) == (
        "Hoa Kỳ", "Trung Quốc", "Hàn Quốc", "Lào", "Campuchia", "Đức",
    )  # fmt: skip
    # Every UN member state has an entry (193) plus the Holy See, Palestine, Taiwan, Hong Kong, Macao.
    assert len(items) == 198


def test_result_delivery_is_the_three_channels():
    assert [i["code"] for i in codelist("result_delivery")["items"]] == [
        "counter",
        "post",
        "online",
    ]


# --- text ---------------------------------------------------------------------------------------


def _shipped_files() -> list[Path]:
    return sorted([*DEFINITIONS.rglob("*.json"), *CODELISTS.glob("*.json")])


@pytest.mark.parametrize("path", _shipped_files(), ids=lambda p: p.name)
def test_every_text_is_nfc(path):
    doc = _load(path)
    assert [s for s in strings(doc) if unicodedata.normalize("NFC", s) != s] == []


def test_personal_number_check_is_real():
    with pytest.raises(ValidationFailed):
        validate_personal_id("027195123")


# --- the engine reads the examples as the portal and the API would ------------------------------

ENGINE_TODAY = dt.date(2026, 12, 1)  # the day the examples' current units are stated for


@pytest.fixture
def units(db):
    """Today's Bắc Ninh units (vietnam-provinces) and the former ones the org app ships."""
    units_load(province_codes=[24])
    legacy_units_load()


@pytest.mark.parametrize(("key", "name"), EXAMPLE_CASES)
def test_the_engine_accepts_each_example_unchanged(units, key, name):
    """Server validation (motcua.eforms.answers.validate, as for POST /api/dossiers): no error,
    and the cleaned data are the example itself (names NFC, dates ISO, units as stored)."""
    doc = definition(key)
    data = _example(key, name)["data"]
    result = validate(doc, copy.deepcopy(data), today=ENGINE_TODAY)
    assert [(e.field, e.message) for e in result.errors] == []
    # The engine keeps the answers of shown sections and fields only.
    assert result.data == visible_answers(doc, data)


FIRST_EXAMPLES = [(key, examples(key)[0]["name"]) for key in KEYS]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
@pytest.mark.parametrize(("key", "name"), FIRST_EXAMPLES)
def test_each_declaration_prints_the_template_with_the_data(units, key, name, tmp_path):
    """The declaration PDF of each shipped form: the template's title and every line label
    asked in order, the applicant's name, a commune by its name, the closing pledge."""
    doc = definition(key)
    data = _example(key, name)["data"]
    pdf = tmp_path / "to-khai.pdf"
    pdf.write_bytes(declaration_pdf(doc, data, day=ENGINE_TODAY))
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(unicodedata.normalize("NFC", text).split())
    spec = doc["declaration"]
    assert spec["title"] in flat
    at = 0
    for line in printed_lines(doc, data):
        found = flat.find(line["label"].rstrip(":"), at)
        assert found >= 0, line["label"]
        at = found
    applicant = value_at_path(
        data, "chu_ho.ho_ten" if key == "ho-kinh-doanh" else "nguoi_yeu_cau.ho_ten"
    )
    assert applicant in flat
    assert " ".join(spec["closing"].split()[:8]) in flat
    assert any(
        u in flat
        for u in ("Phường Kinh Bắc", "Phường Bắc Giang", "Phường Võ Cường", "Phường Từ Sơn")
    )


HIDDEN_LINES = [
    # (form, example, labels printed, labels left out: their field or section is hidden)
    ("khai-sinh", "me_dang_ky", ["Họ, chữ đệm, tên người cha"], ["ở nước ngoài"]),
    (
        "khai-sinh",
        "tre_bi_bo_roi",
        ["Họ, chữ đệm, tên người yêu cầu"],
        ["Họ, chữ đệm, tên người mẹ", "Họ, chữ đệm, tên người cha", "Năm sinh", "Nơi sinh"],
    ),
    ("khai-tu", "chong_khai_tu", ["Số Giấy báo tử", "cấp ngày"], []),
    ("khai-tu", "chet_da_lau", [], ["Số Giấy báo tử", "cấp ngày"]),
    ("khai-tu", "khong_ro_noi_cu_tru", [], ["Nơi cư trú cuối cùng"]),
    ("ket-hon", "cu_tru_khong_khai_thac", ["Đề nghị cấp bản sao: Không"], ["Số lượng"]),
    ("ho-kinh-doanh", "ca_nhan", [], ["7. Thông tin về các thành viên hộ gia đình"]),
    ("ho-kinh-doanh", "ho_gia_dinh", ["7. Thông tin về các thành viên hộ gia đình"], []),
]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
@pytest.mark.parametrize(("key", "name", "printed", "left_out"), HIDDEN_LINES)
def test_declaration_leaves_out_what_was_not_asked(units, key, name, printed, left_out, tmp_path):
    """A line whose field or section show_if hides (logic.decide) is not printed at all,
    not even its label with an empty answer."""
    doc = definition(key)
    pdf = tmp_path / "to-khai.pdf"
    pdf.write_bytes(declaration_pdf(doc, _example(key, name)["data"], day=ENGINE_TODAY))
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(unicodedata.normalize("NFC", text).split())
    for label in printed:
        assert label in flat, label
    for label in left_out:
        assert label not in flat, label


def value_at_path(data: dict, path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        node = node[part]
    return node


class _Inputs(HTMLParser):
    """What a browser without script would post from a rendered form: text inputs, textareas,
    checked boxes and radios, selected options."""

    def __init__(self) -> None:
        super().__init__()
        self.post = QueryDict(mutable=True)
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") != "submit":
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.post.appendlist(name, a.get("value") or "on")
            else:
                self.post.appendlist(name, a.get("value") or "")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.post.appendlist(self._select, a.get("value") or "")
        elif tag == "textarea":
            self._textarea = name
            self.post.appendlist(name, "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.post.setlist(self._textarea, [self.post.get(self._textarea, "") + data])


@pytest.mark.parametrize(("key", "name"), EXAMPLE_CASES)
def test_each_example_survives_the_page_without_script(units, key, name):
    """Rendered on the server with the example's answers and posted back as a browser without
    JavaScript would: the same data, no error (every field type the forms use round-trips)."""
    doc = definition(key)
    data = _example(key, name)["data"]
    html = render_to_string("eforms/fields.html", form_context(doc, data, today=ENGINE_TODAY))
    page = _Inputs()
    page.feed(html)
    result = validate(doc, read_post(doc, page.post), today=ENGINE_TODAY)
    assert [(e.field, e.message) for e in result.errors] == []
    assert result.data == _unticked_as_no(doc, visible_answers(doc, data))


def _unticked_as_no(doc: dict, data: dict) -> dict:
    """A page posts nothing for an unticked box, which the engine stores as False (the API may
    leave it out): the example's answers as the page stores them."""
    data = copy.deepcopy(data)
    decision = decide(doc, data)
    types = {p: f["type"] for p, f in all_fields(doc)}
    for path in decision.fields:
        if types.get(path) == "boolean" and value_at_path_or_none(data, path) is None:
            *parents, last = path.split(".")
            node = data
            for part in parents:
                node = node.setdefault(part, {})
            node[last] = False
    for group, items in decision.items.items():
        for item, (shown, _) in zip(value_at_path_or_none(data, group) or [], items, strict=True):
            for full in shown:
                sub = full.split("[].", 1)[1]
                if types.get(f"{group}.{sub}") == "boolean" and sub not in item:
                    item[sub] = False
    return data


def value_at_path_or_none(data: dict, path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node
