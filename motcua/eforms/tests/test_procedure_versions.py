"""A procedure's form follows its versions: a catalog import that makes a new version of a
procedure keeps the procedure's form (eforms.services.procedure_form_follow, the catalog's
`version_created` listener)."""

import copy
import datetime as dt
import json

import pytest

from motcua.catalog.importer import FIXTURE_PATH, catalog_import
from motcua.catalog.models import ProcedureVersion
from motcua.eforms import selectors
from motcua.eforms.models import ProcedureForm
from motcua.eforms.services import definition_save

pytestmark = pytest.mark.django_db

D0 = dt.date(2025, 7, 1)
D1 = dt.date(2026, 1, 1)
D2 = dt.date(2026, 6, 1)
KHAI_SINH, KHAI_TU = "1.001193", "1.000656"


@pytest.fixture
def records():
    every = json.loads(FIXTURE_PATH.read_text(encoding="utf-8"))
    return {r["code"]: copy.deepcopy(r) for r in every if r["code"] in (KHAI_SINH, KHAI_TU)}


def _changed(record: dict, days: int) -> dict:
    record = copy.deepcopy(record)
    record["time_limit"] = {
        "value": days,
        "unit": "ngày làm việc",
        "text": f"{days} Ngày làm việc",
    }
    return record


def _versions(code: str) -> list[ProcedureVersion]:
    return list(ProcedureVersion.objects.filter(procedure__code=code).order_by("number"))


def test_a_new_version_of_a_procedure_keeps_its_form(records, doc):
    catalog_import(records=list(records.values()), effective_from=D0)
    doc["procedure_codes"] = [KHAI_SINH]
    form, _ = definition_save(actor=None, document=doc)
    (v1,) = _versions(KHAI_SINH)
    assert selectors.form_for_version(v1) == form

    report = catalog_import(records=[_changed(records[KHAI_SINH], 2)], effective_from=D1)
    assert report.updated == [KHAI_SINH]
    v1, v2 = _versions(KHAI_SINH)
    assert v1.effective_to == D1 - dt.timedelta(days=1)
    assert selectors.form_for_version(v2) == form
    assert selectors.form_for_version(v1) == form  # dossiers of the old version keep theirs
    # A procedure without a form gets none with its new version.
    catalog_import(records=[_changed(records[KHAI_TU], 2)], effective_from=D1)
    assert [selectors.form_for_version(v) for v in _versions(KHAI_TU)] == [None, None]


def test_the_form_of_the_previous_version_is_followed_version_after_version(records, doc):
    """The key the previous version uses wins over the definition's procedure_codes (an
    administrator may have linked the procedure to another form), and carries on."""
    catalog_import(records=[records[KHAI_SINH]], effective_from=D0)
    doc["procedure_codes"] = [KHAI_SINH]
    definition_save(actor=None, document=doc)
    other = copy.deepcopy(doc)
    other["key"] = "thu-nghiem-khac"
    other["procedure_codes"] = []
    other_form, _ = definition_save(actor=None, document=other)
    (v1,) = _versions(KHAI_SINH)
    ProcedureForm.objects.filter(procedure_version=v1).update(form_key="thu-nghiem-khac")

    catalog_import(records=[_changed(records[KHAI_SINH], 2)], effective_from=D1)
    catalog_import(records=[_changed(records[KHAI_SINH], 3)], effective_from=D2)
    assert [selectors.form_for_version(v) for v in _versions(KHAI_SINH)] == [other_form] * 3


def test_a_form_loaded_while_no_version_had_it_is_found_by_code(records, doc):
    """The previous version has no form (the definition came after it was closed): the
    new version takes the published form naming the procedure's code."""
    catalog_import(records=[records[KHAI_SINH]], effective_from=D0)
    catalog_import(records=[_changed(records[KHAI_SINH], 2)], effective_from=D1)
    doc["procedure_codes"] = [KHAI_SINH]
    form, _ = definition_save(actor=None, document=doc)
    ProcedureForm.objects.all().delete()

    catalog_import(records=[_changed(records[KHAI_SINH], 3)], effective_from=D2)
    assert [selectors.form_for_version(v) for v in _versions(KHAI_SINH)] == [None, None, form]
