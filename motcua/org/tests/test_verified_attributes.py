"""org.VerifiedAttribute: written only by an identity login or an officer who saw the
evidence (applicant_attribute_verify), audited; the admin goes through the same service."""

import pytest

from motcua.core.errors import ValidationFailed
from motcua.core.models import AuditEntry
from motcua.dossiers.tests.factories import make_world
from motcua.org.models import Applicant, VerifiedAttribute
from motcua.org.services import applicant_attribute_verify, applicant_attributes
from motcua.org.tests.otp import otp_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


def test_identity_and_officer_sources(world):
    account = Applicant.objects.get(user=world.citizen)
    applicant_attribute_verify(actor=None, applicant=account, name="ho_ngheo", source="identity")
    officer = world.a.staff["c:counter"]
    applicant_attribute_verify(
        actor=officer, applicant=account, name="nguoi_co_cong", source="officer",
        evidence="Thẻ thương binh số 123",
    )  # fmt: skip
    import datetime as dt

    assert applicant_attributes(account.pk, dt.date(2026, 1, 1)) == {"ho_ngheo", "nguoi_co_cong"}
    assert AuditEntry.objects.filter(operation="applicant_attribute_verify").count() == 2


def test_bad_names_sources_and_actors_are_refused(world):
    account = Applicant.objects.get(user=world.citizen)
    for kw, code in [
        ({"name": "Hộ nghèo", "source": "identity", "actor": None}, "invalid_attribute"),
        ({"name": "ho_ngheo", "source": "self", "actor": None}, "invalid_source"),
        ({"name": "ho_ngheo", "source": "officer", "actor": None}, "not_an_officer"),
        ({"name": "ho_ngheo", "source": "officer", "actor": world.citizen}, "not_an_officer"),
    ]:
        with pytest.raises(ValidationFailed) as exc:
            applicant_attribute_verify(applicant=account, evidence="x", **kw)
        assert exc.value.code == code
    assert not VerifiedAttribute.objects.exists()


def test_an_expired_attribute_is_not_read(world):
    import datetime as dt

    account = Applicant.objects.get(user=world.citizen)
    applicant_attribute_verify(
        actor=None, applicant=account, name="ho_ngheo", source="identity",
        valid_to=dt.date(2025, 12, 31),
    )  # fmt: skip
    assert applicant_attributes(account.pk, dt.date(2025, 12, 31)) == {"ho_ngheo"}
    assert applicant_attributes(account.pk, dt.date(2026, 1, 1)) == frozenset()


def test_the_admin_records_an_officers_verification(client, world):
    officer = world.a.staff["c:counter"]
    officer.is_staff = officer.is_superuser = True
    officer.save()
    otp_login(client, officer)
    account = Applicant.objects.get(user=world.citizen)
    data = {"applicant": account.pk, "name": "ho_ngheo", "evidence": "", "valid_to": ""}
    client.post("/admin/org/verifiedattribute/add/", data)
    assert not VerifiedAttribute.objects.exists()  # no evidence, nothing recorded
    r = client.post(
        "/admin/org/verifiedattribute/add/", {**data, "evidence": "GCN hộ nghèo 45/2026"}
    )
    assert r.status_code == 302
    attr = VerifiedAttribute.objects.get()
    assert (attr.source, attr.verified_by_id) == ("officer", officer.pk)
