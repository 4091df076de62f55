"""The citizen's actions against the one table (dossiers.actions), and the portal's readers
of component_<id> uploads (dossiers.uploads): the online submission and the supplement
refuse a malformed file field, saying which, and keep nothing of it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.dossiers import actions
from motcua.dossiers.enums import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import advance
from motcua.dossiers.tests.factories import PDF, PNG
from motcua.org.tests.otp import otp_login
from motcua.portal.views import CITIZEN_ACTIONS

pytestmark = pytest.mark.django_db

MALFORMED = "Tên trường tệp &#x27;component_cs&#x27; không hợp lệ"


def test_the_citizens_actions_are_transitions_of_the_one_table():
    assert set(CITIZEN_ACTIONS) == {
        "supplement",
        "request_withdrawal",
        "rate",
    }
    assert set(CITIZEN_ACTIONS) <= set(actions.CALLS)


@pytest.mark.parametrize("action", sorted(CITIZEN_ACTIONS))
def test_each_citizen_action_gives_the_service_all_its_inputs(rf, world, action):
    d = advance(world, Status.SUPPLEMENT_REQUESTED)
    request = rf.post("/", {"reason": "r", "note": "n", "rating": "1", "comment": "c"})
    given = CITIZEN_ACTIONS[action].inputs(request, d)
    assert set(given) == set(actions.CALLS[action].inputs)


def test_supplement_refuses_a_malformed_file_field(client, world):
    d = advance(world, Status.SUPPLEMENT_REQUESTED)
    c2 = world.components[1]
    otp_login(client, world.citizen)
    r = client.post(
        f"/ho-so/{d.pk}/bo-sung/",
        {
            f"component_{c2.pk}": SimpleUploadedFile("chung-sinh.pdf", PDF),
            "component_cs": SimpleUploadedFile("x.pdf", PDF),
            "note": "Đã có",
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert MALFORMED in html and "Đã có" in html  # the note is shown again
    d.refresh_from_db()
    assert d.status == Status.SUPPLEMENT_REQUESTED
    assert d.attachments.filter(kind="supplement").count() == 0


def test_online_submission_refuses_a_malformed_file_field_and_keeps_no_new_file(client, world):
    c1, c2 = world.components
    otp_login(client, world.citizen)
    r = client.post(
        "/thu-tuc/1.001193/nop/",
        {
            "applicant_phone": "0987654321",
            "receiving_agency": world.a.center.pk,
            f"component_{c1.pk}": SimpleUploadedFile("to-khai.pdf", PDF),
            f"component_{c2.pk}": SimpleUploadedFile("chung-sinh.png", PNG),
            "component_cs": SimpleUploadedFile("x.pdf", PDF),
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert MALFORMED in html
    assert "to-khai.pdf" not in html and "chung-sinh.png" not in html
    assert client.session["portal_draft:1.001193"]["files"] == []
    assert Dossier.objects.count() == 0


def test_online_submission_refuses_a_component_of_another_procedure(client, world):
    c1, c2 = world.components
    otp_login(client, world.citizen)
    r = client.post(
        "/thu-tuc/1.001193/nop/",
        {
            "applicant_phone": "0987654321",
            "receiving_agency": world.a.center.pk,
            f"component_{c1.pk}": SimpleUploadedFile("to-khai.pdf", PDF),
            f"component_{c2.pk}": SimpleUploadedFile("chung-sinh.png", PNG),
            "component_999999": SimpleUploadedFile("x.pdf", PDF),
        },
    )
    assert r.status_code == 400
    assert "Thành phần hồ sơ 999999 không thuộc thủ tục này." in r.content.decode()
