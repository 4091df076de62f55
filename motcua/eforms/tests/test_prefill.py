"""Prefill from the verified identity of an OpenID Connect login (the devtools provider,
as portal/tests/test_oidc.py runs it) and from the account."""

import pytest

from motcua.eforms.prefill import prefill_for
from motcua.org.models import Applicant
from motcua.org.tests.factories import ApplicantFactory
from motcua.portal.tests.test_oidc import AN_PID, idp, log_in, provider  # noqa: F401

pytestmark = pytest.mark.django_db


def test_prefill_after_an_oidc_login_is_verified_and_locked(provider, client, doc):  # noqa: F811
    r, _ = log_in(client, "an")
    assert r.status_code == 302
    applicant = Applicant.objects.get(personal_id=AN_PID)
    applicant.phone = "0912345678"
    applicant.save(update_fields=["phone"])
    values = prefill_for(doc, applicant)
    assert set(values) == {
        "nguoi_yeu_cau.ho_ten",
        "nguoi_yeu_cau.so_dinh_danh",
        "nguoi_yeu_cau.dien_thoai",
    }
    name = values["nguoi_yeu_cau.ho_ten"]
    assert (name.value, name.verified, name.locked) == (applicant.full_name, True, True)
    number = values["nguoi_yeu_cau.so_dinh_danh"]
    assert (number.value, number.verified, number.locked) == (AN_PID, True, True)
    # The phone is the account's own: prefilled, never verified, never locked.
    phone = values["nguoi_yeu_cau.dien_thoai"]
    assert (phone.value, phone.verified, phone.locked) == ("0912345678", False, False)


def test_a_local_account_is_prefilled_but_not_verified(doc):
    applicant = ApplicantFactory(full_name="Trần Thị Hoa")
    values = prefill_for(doc, applicant)
    name = values["nguoi_yeu_cau.ho_ten"]
    assert (name.value, name.verified, name.locked) == ("Trần Thị Hoa", False, False)
    assert "nguoi_yeu_cau.dien_thoai" not in values  # nothing to fill
