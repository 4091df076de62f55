"""The back office's actions against the one table (dossiers.actions), and its readers of
component_<id> uploads (dossiers.uploads) refusing a malformed field name."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.backoffice.actions import ACTIONS
from motcua.dossiers import actions
from motcua.dossiers.enums import Action, Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import PDF, PNG
from motcua.org.tests.otp import otp_login

from .conftest import act, advance, recent, snapshot
from .test_pages import _intake


def test_the_back_office_takes_every_transition_but_the_rating():
    assert set(ACTIONS) == set(actions.CALLS) - {Action.RATE}
    assert all(page.action == action for action, page in ACTIONS.items())


@pytest.mark.django_db
def test_supplement_at_the_counter_refuses_a_malformed_file_field(client, world, officer):
    d = advance(world, Status.SUPPLEMENT_REQUESTED, at=recent())
    before = snapshot(d)
    r = act(
        client,
        officer,
        d,
        "supplement",
        note="Nộp bản giấy",
        **{
            f"component_{world.components[1].pk}": SimpleUploadedFile("cs.png", PNG),
            "component_cs": SimpleUploadedFile("x.pdf", PDF),
        },
    )
    assert r.status_code == 422
    assert "Tên trường tệp &#x27;component_cs&#x27; không hợp lệ" in r.content.decode()
    assert snapshot(d) == before


@pytest.mark.django_db
def test_intake_refuses_a_malformed_file_field(client, world, officer):
    otp_login(client, officer)
    r = client.post(
        "/can-bo/tiep-nhan/", _intake(world, component_x=SimpleUploadedFile("x.pdf", PDF))
    )
    assert r.status_code == 422
    assert "Tên trường tệp &#x27;component_x&#x27; không hợp lệ" in r.content.decode()
    assert Dossier.objects.count() == 0
