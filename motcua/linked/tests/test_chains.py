"""The shipped chain (fixtures/linked.json) on the real catalog records."""

import datetime as dt
import json

from motcua.catalog.enums import Confidence, LinkedStart
from motcua.catalog.importer import catalog_import_fixture
from motcua.catalog.models import LinkedMember, Procedure
from motcua.linked.chains import linked_chains_load, linked_procedures_load
from motcua.linked.services import chain_data_keys, chain_parts
from motcua.org.enums import AgencyKind


def test_the_shipped_chain_of_2_000986(db):
    catalog_import_fixture(effective_from=dt.date(2024, 1, 1))
    linked_procedures_load(effective_from=dt.date(2024, 1, 1))
    card = Procedure.objects.get(code="BHXH.TE6")
    # The record the project wrote says what it is: UNCONFIRMED, with where it came from.
    assert "UNCONFIRMED" in json.dumps(card.versions.get().source, ensure_ascii=False)
    (linked,) = linked_chains_load()
    again = linked_chains_load()  # idempotent
    assert [c.pk for c in again] == [linked.pk]
    assert (linked.procedure.code, linked.confidence) == ("2.000986", Confidence.UNCONFIRMED)
    members = list(LinkedMember.objects.filter(linked=linked).order_by("order"))
    assert [(m.procedure.code, m.agency_kind, m.start) for m in members] == [
        ("1.001193", AgencyKind.COMMUNE_COMMITTEE, LinkedStart.AT_ONCE),
        ("1.004222", AgencyKind.VERTICAL, LinkedStart.AFTER_PREVIOUS),
        ("BHXH.TE6", AgencyKind.SOCIAL_INSURANCE, LinkedStart.AFTER_PREVIOUS),
    ]
    assert chain_data_keys(linked) == [
        "child_name",
        "birth_date",
        "birth_place",
        "sex",
        "father_name",
        "mother_name",
        "address",
    ]
    parts = chain_parts(linked, dt.date(2026, 3, 4))
    # Every member's components are in the form, each name once.
    names = [p.name for p in parts]
    assert len(names) == len(set(names))
    for m in members:
        version = m.procedure.version_on(dt.date(2026, 3, 4))
        assert {c.name for c in version.components.all()} <= set(names)
    required = [p.name[:30] for p in parts if p.required]
    assert required == [
        "Giấy chứng sinh; trường hợp kh",
        "Hộ chiếu/Thẻ căn cước công dân",
        "Tờ khai đăng ký khai sinh theo",
        "Mẫu hộ tịch điện tử tương tác ",
        "Tờ khai tham gia bảo hiểm y tế",
    ]
