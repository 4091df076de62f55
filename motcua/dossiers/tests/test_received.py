"""What was handed in: the services record it per component and insist on the required
components and those of the cases the applicant declares (catalog.cases)."""

import datetime as dt

import pytest

from motcua.catalog.models import Component
from motcua.core.errors import ValidationFailed
from motcua.dossiers import services as s
from motcua.dossiers.enums import Status
from motcua.dossiers.models import Attachment, Dossier, ReceivedComponent

from .conftest import T0, advance
from .factories import PDF

pytestmark = pytest.mark.django_db

PROXY = "Trường hợp trẻ em bị bỏ rơi"


@pytest.fixture
def cased(world):
    """The world's procedure with two required components and one that applies only in
    the case of a proxy."""
    w = world
    Component.objects.filter(pk=w.components[1].pk).update(required=True)
    proxy = Component.objects.create(
        version=w.version,
        order=3,
        name="Biên bản về việc trẻ bị bỏ rơi",
        original_count=1,
        case=PROXY,
    )
    return w, proxy


def received(d):
    return sorted(
        ReceivedComponent.objects.filter(dossier=d).values_list(
            "component__order", "source", "originals", "copies", "files"
        )
    )


def test_online_submission_records_the_files_per_component(cased):
    w, proxy = cased
    d = s.dossier_submit(
        actor=w.citizen,
        procedure=w.procedure,
        receiving_agency=w.a.center,
        files={
            w.components[0].pk: [("a.pdf", PDF), ("b.pdf", PDF)],
            w.components[1].pk: [("c.pdf", PDF)],
        },
        at=T0,
    )
    assert received(d) == [(1, "online", 0, 0, 2), (2, "online", 0, 0, 1)]
    assert "cases" not in d.events.get(action="submit").data


def test_online_submission_lists_every_missing_component_and_writes_nothing(cased):
    w, proxy = cased
    with pytest.raises(ValidationFailed) as e:
        s.dossier_submit(
            actor=w.citizen,
            procedure=w.procedure,
            receiving_agency=w.a.center,
            files={w.components[0].pk: [("a.pdf", PDF)]},
            cases=[PROXY],
            at=T0,
        )
    assert e.value.code == "components_missing" and e.value.field == "files"
    assert e.value.message == (
        "Hồ sơ còn thiếu 2 thành phần bắt buộc: (1) Giấy chứng sinh; (2) Biên bản về việc trẻ bị bỏ rơi"
    )
    assert e.value.data == {"missing_components": [w.components[1].pk, proxy.pk]}
    assert Dossier.objects.count() == 0 and Attachment.objects.count() == 0
    assert ReceivedComponent.objects.count() == 0


def test_a_declared_case_requires_its_components(cased):
    w, proxy = cased
    files = {w.components[0].pk: [("a.pdf", PDF)], w.components[1].pk: [("b.pdf", PDF)]}
    # Without the case, the proxy's paper is not asked for.
    s.dossier_submit(
        actor=w.citizen, procedure=w.procedure, receiving_agency=w.a.center, files=files, at=T0
    )
    with pytest.raises(ValidationFailed) as e:
        s.dossier_submit(
            actor=w.citizen,
            procedure=w.procedure,
            receiving_agency=w.a.center,
            files=files,
            cases=[PROXY],
            at=T0,
        )
    assert e.value.data == {"missing_components": [proxy.pk]}
    d = s.dossier_submit(
        actor=w.citizen,
        procedure=w.procedure,
        receiving_agency=w.a.center,
        files={**files, proxy.pk: [("uq.pdf", PDF)]},
        cases=[PROXY],
        at=T0,
    )
    assert d.events.get(action="submit").data == {"files": 3, "cases": [PROXY], "code": d.code}


def test_an_unknown_case_is_refused(cased):
    w, _ = cased
    with pytest.raises(ValidationFailed) as e:
        s.dossier_submit(
            actor=w.citizen,
            procedure=w.procedure,
            receiving_agency=w.a.center,
            files={w.components[0].pk: [("a.pdf", PDF)], w.components[1].pk: [("b.pdf", PDF)]},
            cases=["Trường hợp khác"],
            at=T0,
        )
    assert (e.value.code, e.value.field) == ("unknown_case", "cases")
    assert Dossier.objects.count() == 0


def test_counter_intake_records_the_papers_counted(cased):
    w, proxy = cased
    d = s.dossier_intake(
        actor=w.a.staff["c:counter"],
        procedure=w.procedure,
        receiving_agency=w.a.center,
        applicant={"name": "Trần Thị Ngọc Trâm"},
        received={
            w.components[0].pk: {"originals": 1},
            w.components[1].pk: {"originals": 0, "copies": 2},
            proxy.pk: {"originals": 1, "copies": 0},
        },
        files={w.components[0].pk: [("scan.pdf", PDF)]},
        cases=[PROXY],
        at=T0,
    )
    assert d.status == Status.RECEIVED
    assert received(d) == [
        (1, "counter", 1, 0, 1),
        (2, "counter", 0, 2, 0),
        (3, "counter", 1, 0, 0),
    ]
    assert d.events.get(action="intake").data == {"channel": 1, "cases": [PROXY], "code": d.code}


def test_counter_intake_cannot_receive_an_incomplete_dossier_but_can_refuse_it(cased):
    w, proxy = cased
    kw = {
        "actor": w.a.staff["c:counter"],
        "procedure": w.procedure,
        "receiving_agency": w.a.center,
        "applicant": {"name": "Lê Văn Tám"},
        "received": {w.components[0].pk: {"originals": 1}},
        "at": T0,
    }
    with pytest.raises(ValidationFailed) as e:
        s.dossier_intake(**kw)
    assert (e.value.code, e.value.field) == ("components_missing", "received")
    assert e.value.message == "Hồ sơ còn thiếu 1 thành phần bắt buộc: (1) Giấy chứng sinh"
    assert Dossier.objects.count() == 0
    d = s.dossier_intake(**kw, refuse_reason="Thiếu giấy chứng sinh")
    assert d.status == Status.REFUSED


@pytest.mark.parametrize("bad", [-1, 100, "2", True, None])
def test_counts_must_be_whole_numbers_0_to_99(cased, bad):
    w, _ = cased
    with pytest.raises(ValidationFailed) as e:
        s.dossier_intake(
            actor=w.a.staff["c:counter"],
            procedure=w.procedure,
            receiving_agency=w.a.center,
            applicant={"name": "Lê Văn Tám"},
            received={w.components[0].pk: {"originals": bad}},
            at=T0,
        )
    assert (e.value.code, e.value.field) == (
        "invalid_count",
        f"received.{w.components[0].pk}.originals",
    )
    assert "Tờ khai đăng ký khai sinh" in e.value.message
    assert Dossier.objects.count() == 0


def test_a_supplement_is_recorded_as_such(world):
    w = world
    d = advance(w, Status.SUPPLEMENT_REQUESTED)
    s.dossier_supplement(
        dossier_id=d.pk,
        actor=w.citizen,
        files={w.components[1].pk: [("gcs.pdf", PDF)]},
        at=T0 + dt.timedelta(hours=1),
    )
    assert received(d) == [(1, "online", 0, 0, 1), (2, "supplement", 0, 0, 1)]


AUTH_CASE = "Trường hợp ủy quyền thực hiện thủ tục"


@pytest.fixture
def proxied(world):
    """The catalog lists the authorisation document itself, in the case of a proxy."""
    w = world
    auth = Component.objects.create(
        version=w.version, order=3, name="Văn bản ủy quyền", original_count=1, case=AUTH_CASE
    )
    return w, auth


def test_filing_for_a_principal_hands_in_the_catalogs_authorisation_component(proxied):
    w, auth = proxied
    d = s.dossier_submit(
        actor=w.citizen,
        procedure=w.procedure,
        receiving_agency=w.a.center,
        files={w.components[0].pk: [("a.pdf", PDF)]},
        principal={"name": "Trần Thị Bình", "id_number": "001304000127"},
        authorization=("uy-quyen.pdf", PDF),
        at=T0,
    )
    # The principal relation declares the case and its file is that component's paper.
    assert d.events.get(action="submit").data["cases"] == [AUTH_CASE]
    assert received(d) == [(1, "online", 0, 0, 1), (3, "online", 0, 0, 1)]
    doc = Attachment.objects.get(dossier=d, kind="authorization")
    assert doc.component_id == auth.pk


def test_declaring_the_authorisation_case_without_a_principal_is_refused(proxied):
    w, auth = proxied
    with pytest.raises(ValidationFailed) as e:
        s.dossier_submit(
            actor=w.citizen,
            procedure=w.procedure,
            receiving_agency=w.a.center,
            files={w.components[0].pk: [("a.pdf", PDF)], auth.pk: [("uq.pdf", PDF)]},
            cases=[AUTH_CASE],
            at=T0,
        )
    assert e.value.code == "principal_required"
    assert e.value.field == "principal.name"
    assert Dossier.objects.count() == 0
