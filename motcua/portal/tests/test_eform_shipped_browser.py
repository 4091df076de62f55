"""A citizen fills each of the five shipped forms (khai sinh, khai tử, kết hôn, trích lục,
hộ kinh doanh) on a 360×740 screen in headless Chromium, from the form's first example
answer set: dates typed dd/mm/yyyy, communes picked with the no-script "show the communes"
button, group items added with the "add one more" submit button. First a submission with a
required field empty (the error summary), then the full one; axe clean, no horizontal
scroll; the dossier's declaration PDF carries the typed answers (pdftotext).
Screenshots: /tmp/eforms-shots."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from motcua.core.tests.browser import (
    AXE,
    CHROMIUM_MISSING,
    assert_accessible,
    chromium_missing,
    launch,
    screenshot,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason=CHROMIUM_MISSING),
    pytest.mark.skipif(not AXE.exists(), reason="needs axe-core: npm install"),
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils"),
]

SHOTS = Path("/tmp/eforms-shots")
DEFS = Path(__file__).resolve().parents[2] / "eforms" / "definitions"
KEYS = ["khai-sinh", "khai-tu", "ket-hon", "trich-luc", "ho-kinh-doanh"]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def browser():
    with launch() as b:
        yield b


def check(page, name: str) -> None:
    screenshot(page, SHOTS, name)
    assert_accessible(page, name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], (name, width)


def _leaves(data: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in data.items():
        path = f"{prefix}{k}"
        if isinstance(v, dict) and not ("code" in v and "valid_on" in v):
            out.update(_leaves(v, path + "."))
        else:
            out[path] = v
    return out


def _typed(kind: str, value: Any) -> str:
    if kind == "date":
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    return str(value)


def _fill(page, fid: str, kind: str, field: dict, value: Any) -> None:
    """One answer typed or picked as a person would."""
    from motcua.eforms.render import options_of
    from motcua.eforms.units import province_of, unit_of

    if kind == "boolean":
        page.set_checked(f"#{fid}", bool(value))
    elif kind == "admin_unit":
        unit = unit_of(value)
        assert unit is not None, value
        province = province_of(unit)
        if dt.date.fromisoformat(value["valid_on"]) < dt.date(2025, 7, 1):
            page.check(f"#{fid}-former")
        page.select_option(f"#{fid}-province", province.code)
        page.locator(f'button[name="eform_refresh"][value="{field["path"]}"]').click()
        page.wait_for_selector(f"#{fid}-code")
        page.select_option(f"#{fid}-code", value["code"])
    elif page.locator(f"fieldset#{fid}").count():  # radio buttons or check boxes
        values = value if isinstance(value, list) else [value]
        for i, o in enumerate(options_of(field)):
            if o["value"] in values:
                page.check(f"#{fid}-{i}")
    elif kind in ("choice", "result_delivery", "ethnic_group", "nationality"):
        page.select_option(f"#{fid}", str(value))
    else:
        page.fill(f"#{fid}", _typed(kind, value))


def _fill_form(page, document: dict, data: dict, locked: set[str]) -> list[tuple[str, str]]:
    """Fill the page from the example answers; returns (path, text typed) of the names,
    texts, numbers and dates (a group's item texts under the group's path)."""
    from motcua.eforms.definitions import walk
    from motcua.eforms.render import dom_id

    placed = {p.path: p for p in walk(document)}
    typed: list[tuple[str, str]] = []
    for path, value in _leaves(data).items():
        p = placed.get(path)
        if p is None or path in locked or value in (None, "", []):
            continue
        kind = p.field["type"]
        if kind == "group":
            subs = [q for q in placed.values() if q.group is p.field]
            for i, item in enumerate(value):
                if not page.locator(f'[id^="{dom_id(path)}-{i}-"]').count():  # no item i yet
                    page.locator(f'button[name="eform_add"][value="{path}"]').click()
                    page.wait_for_load_state()
                for q in subs:
                    rel = q.path.split("[].", 1)[1]
                    v = _leaves(item).get(rel)
                    if v in (None, "", []):
                        continue
                    fid = dom_id(f"{path}.{i}.{rel}")
                    field = dict(q.field, path=f"{path}.{i}.{rel}")
                    _fill(page, fid, q.field["type"], field, v)
                    if q.field["type"] in ("name", "text"):
                        typed.append((path, str(v)))
            continue
        _fill(page, dom_id(path), kind, dict(p.field, path=path), value)
        if kind in ("name", "text", "personal_number", "date"):
            typed.append((path, _typed(kind, value)))
    return typed


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "to-khai.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.mark.parametrize("key", KEYS)
def test_a_citizen_fills_a_shipped_form_on_a_phone(
    transactional_db, live_server, browser, settings, key, tmp_path
):
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.tests.factories import make_world
    from motcua.eforms.models import DossierForm
    from motcua.eforms.prefill import prefill_for
    from motcua.eforms.services import definition_save
    from motcua.org.services import legacy_units_load, units_load

    w = make_world()
    units_load(province_codes=[24])
    legacy_units_load()
    doc = json.loads((DEFS / f"{key}.json").read_text(encoding="utf-8"))
    # The world's procedure (1.001193, its declaration component) stands for each.
    doc["procedure_codes"] = ["1.001193"]
    doc["declaration"]["component"] = "Tờ khai đăng ký khai sinh"
    definition_save(actor=None, document=doc)
    example = json.loads((DEFS / "examples" / f"{key}.json").read_text(encoding="utf-8"))
    data = example["cases"][0]["data"]
    locked = {p for p, v in prefill_for(doc, w.citizen.applicant).items() if v.locked}

    base = live_server.url
    page = browser.new_page(viewport={"width": 360, "height": 740}, locale="vi-VN")
    try:
        page.goto(f"{base}/dang-nhap/?next=/thu-tuc/1.001193/nop/")
        page.fill("#id_username", "citizen")
        page.fill("#id_password", "x")
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{base}/thu-tuc/1.001193/nop/to-khai/")
        check(page, f"{key}-1-form")

        # Submitted empty first: the error summary lists the required fields.
        page.get_by_role("button", name="Tiếp tục: giấy tờ kèm theo").click()
        page.wait_for_selector(".error-summary")
        assert "Cần nhập" in page.inner_text(".error-summary")
        check(page, f"{key}-2-errors")

        typed = _fill_form(page, doc, data, locked)
        check(page, f"{key}-3-filled")
        page.get_by_role("button", name="Tiếp tục: giấy tờ kèm theo").click()
        page.wait_for_url(f"{base}/thu-tuc/1.001193/nop/", timeout=10000)
        check(page, f"{key}-4-documents")
        for inp in page.locator('input[type="file"]').all():
            inp.set_input_files(
                {"name": "giay-to.pdf", "mimeType": "application/pdf", "buffer": PDF}
            )
        page.get_by_role("button", name="Tiếp tục: kiểm tra hồ sơ").click()
        if page.locator(".error-summary").count():
            pytest.fail(page.inner_text(".error-summary"))
        page.wait_for_url(re.compile(r".*/nop/kiem-tra/$"))
        page.get_by_role("button", name="Nộp hồ sơ").click()
        page.wait_for_url(re.compile(r".*/ho-so/\d+/bien-nhan/"))
    finally:
        page.close()

    dossier = Dossier.objects.get()
    form = DossierForm.objects.get(dossier=dossier)
    contents = [a.file.read() for a in dossier.attachments.all()]
    (declaration,) = [c for c in contents if c != PDF]  # the uploads are the stub
    text = _pdf_text(declaration, tmp_path)
    assert doc["declaration"]["title"] in text
    # Every text typed for a field the declaration has a line for is printed on it.
    lines = {line.get("path") for line in doc["declaration"]["lines"]}
    printed = [t for path, t in typed if path in lines]
    assert printed
    missing = [t for t in printed if " ".join(t.split()) not in text]
    assert form.data and missing == [], missing
