"""The demo routes each procedure to the agency its catalog record names."""

import json
from pathlib import Path

import pytest

from motcua.catalog.enums import AgencyRole
from motcua.catalog.models import ProcedureAgency
from motcua.demo.generator import demo_load
from motcua.demo.generator.province import settler_key
from motcua.dossiers.models import Dossier

FIXTURE = Path(__file__).resolve().parents[2] / "catalog" / "fixtures" / "procedures.json"
RECORDS = {r["code"]: r for r in json.loads(FIXTURE.read_text())}

# Read off each record's "agency" by hand: the agency of the province that settles it.
EXPECTED = {
    # Ủy ban nhân dân cấp xã (hộ tịch, nuôi con nuôi, chứng thực, sổ gốc, hợp tác xã,
    # giấy phép xây dựng cấp xã, hòa giải đất đai) and the commune's business registration
    # office (hộ kinh doanh), a division of the commune committee.
    "commune.committee": """1.001193 1.000894 1.000656 1.004873 1.004884 1.004859 1.001022
        1.000689 1.004837 2.000635 2.000528 2.000806 1.004746 1.005461 2.001263 2.000986
        2.000815 2.000884 2.000908 1.001612 2.000720 1.001570 1.001266 2.000575 1.005280
        1.013225 1.013227 1.012812""",
    # Trung tâm Phục vụ hành chính công cấp xã (chứng thực giao dịch, di chúc).
    "commune.center": "2.001035 2.001019",
    # Công an cấp xã (thường trú, tạm trú, căn cước).
    "commune.police": "1.004222 1.004194 1.014061",
    # Công an tỉnh (lý lịch tư pháp, giấy phép lái xe, hộ chiếu, thẻ tạm trú).
    "police": "3.000333 3.000347 3.000348 1.001456 1.003460",
    # Sở Tài chính (đăng ký doanh nghiệp).
    "taichinh": "2.001583 2.001199 2.002043 2.001610 2.002009",
    # Sở Xây dựng.
    "xaydung": "1.013236 1.013237 1.006871",
    # Văn phòng đăng ký đất đai.
    "land_office": "1.013978 1.012783 1.013831 1.012784",
    # Cơ quan chức năng do UBND tỉnh chỉ định (an toàn thực phẩm nông, lâm, thủy sản).
    "nnmt": "2.001827",
    # Ban Quản lý các Khu công nghiệp tỉnh Bắc Ninh (giấy phép lao động).
    "industrial_zones": "1.014199 1.014200 1.014201 1.014196",
}
EXPECTED_BY_CODE = {code: key for key, codes in EXPECTED.items() for code in codes.split()}
# The records motcua.linked ships for its chains (fixtures/linked.json), beside the catalog's.
LINKED_FIXTURE = Path(__file__).resolve().parents[2] / "linked" / "fixtures" / "linked.json"
LINKED_RECORDS = {r["code"]: r for r in json.loads(LINKED_FIXTURE.read_text())["procedures"]}
LINKED_EXPECTED = {"BHXH.TE6": "social_insurance"}


def test_the_expectations_cover_every_record_once():
    assert sum(len(codes.split()) for codes in EXPECTED.values()) == len(RECORDS) == 55
    assert set(EXPECTED_BY_CODE) == set(RECORDS)


@pytest.mark.parametrize("code", sorted(RECORDS))
def test_the_routing_reads_the_records_agency(code):
    assert settler_key(RECORDS[code]["agency"]) == EXPECTED_BY_CODE[code]


def test_the_linked_records_are_routed_too():
    assert {c: settler_key(r["agency"]) for c, r in LINKED_RECORDS.items()} == LINKED_EXPECTED


def test_an_agency_the_province_does_not_have_is_not_routed():
    assert settler_key("Cục Cảnh sát giao thông") is None
    # The first agency of the record that the province has settles.
    assert settler_key("Cục Cảnh sát giao thông; Công an tỉnh; Công an cấp xã") == "police"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        result = demo_load(count=300, seed=11, password="demo-pass-123")
        yield result
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db
def test_every_procedure_is_settled_by_the_agency_its_record_names(demo):
    p = demo.province
    want = {}
    for code, key in {**EXPECTED_BY_CODE, **LINKED_EXPECTED}.items():
        if key.startswith("commune."):
            agencies = {p.settling(key, c) for c in p.communes}
        else:
            agencies = {p.settling(key)}
        want[code] = sorted(a.code for a in agencies)
    links = {}
    for code, agency in ProcedureAgency.objects.filter(role=AgencyRole.SETTLING).values_list(
        "procedure__code", "agency__code"
    ):
        links.setdefault(code, []).append(agency)
    assert {c: sorted(v) for c, v in links.items()} == want
    # The named agencies are what the records say.
    assert p.land_office.name == "Văn phòng Đăng ký đất đai tỉnh Bắc Ninh"
    assert p.industrial_zones.name == "Ban Quản lý các Khu công nghiệp tỉnh Bắc Ninh"
    assert [c.police.name for c in p.communes][:1] == [f"Công an {p.communes[0].unit.name}"]


@pytest.mark.django_db
def test_every_demo_dossier_goes_to_a_settling_agency_of_its_procedure(demo):
    settling = set(
        ProcedureAgency.objects.filter(role=AgencyRole.SETTLING).values_list(
            "procedure_id", "agency_id"
        )
    )
    receiving = set(
        ProcedureAgency.objects.filter(role=AgencyRole.RECEIVING).values_list(
            "procedure_id", "agency_id"
        )
    )
    rows = list(
        Dossier.objects.values_list("procedure_id", "settling_agency_id", "receiving_agency_id")
    )
    assert len(rows) == 300 + len(demo.live)
    assert [r for r in rows if (r[0], r[1]) not in settling] == []
    assert [r for r in rows if (r[0], r[2]) not in receiving] == []
