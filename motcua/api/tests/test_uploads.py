"""The API's readers of component_<id> uploads (dossiers.uploads): a file field that is not
component_<id> (nor the submission's `authorization`) is refused, naming it; nothing is
written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.dossiers.enums import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import PDF

from .conftest import advance

pytestmark = pytest.mark.django_db


def f(name: str = "a.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF)


@pytest.mark.parametrize("field", ["component_x", "authorization"])
def test_supplement_refuses_a_malformed_file_field(world, api, field):
    d = advance(world, Status.SUPPLEMENT_REQUESTED)
    version = d.version
    c2 = world.components[1].pk
    r = api.multipart(
        f"/{d.pk}/supplement", world.citizen, {f"component_{c2}": f(), field: f("x.pdf")}
    )
    assert r.status_code == 422, r.json()
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_file_field", field)
    d.refresh_from_db()
    assert (d.status, d.version) == (Status.SUPPLEMENT_REQUESTED, version)
    assert d.attachments.filter(kind="supplement").count() == 0


def test_intake_refuses_a_malformed_file_field(world, api):
    r = api.multipart(
        "/intake",
        world.a.staff["c:counter"],
        {
            "procedure": world.procedure.code,
            "receiving_agency": world.a.center.code,
            "applicant_name": "Lê Văn Quầy",
            "applicant_id_number": "001099000111",
            "component_1x": f(),
        },
    )
    assert r.status_code == 422, r.json()
    assert r.json()["error"]["field"] == "component_1x"
    assert Dossier.objects.count() == 0
