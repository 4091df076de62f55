"""Signed results: signing in the system (PKCS#12 and a PKCS#11 token), validation by
pyHanko and by poppler's pdfsig, upload checks, the public verification page, and the
electronic result (indicator 4.1) following only from a valid signature."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
from django.test import Client

from motcua.core.errors import PermissionDenied, ValidationFailed
from motcua.dossiers import services as s
from motcua.dossiers.enums import Action, Status
from motcua.dossiers.models import AttachmentKind, Dossier
from motcua.dossiers.tests.conftest import advance
from motcua.dossiers.tests.factories import make_world
from motcua.signing import keys, pades, pki
from motcua.signing.models import IssuedResult
from motcua.signing.services import result_sign

from .conftest import load_into_token, make_pdf


@pytest.fixture
def world(db):
    return make_world()


def _processing(w):
    d = advance(w, Status.PROCESSING)
    return s.dossier_forward(dossier_id=d.pk, actor=w.a.staff["s:specialist"])


def _result_bytes(d) -> bytes:
    att = d.attachments.get(kind=AttachmentKind.RESULT)
    with att.file.open("rb") as f:
        return f.read()


def _pdfsig(tmp_path, data: bytes) -> str:
    if shutil.which("pdfsig") is None:
        pytest.skip("pdfsig (poppler-utils) is not installed")
    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout


def _leader(w):
    leader = w.a.staff["s:leader"]
    leader.first_name, leader.last_name = "An", "Nguyễn Văn"
    leader.save()
    return leader


def test_a_leader_signs_with_a_pkcs12_key_and_both_validators_accept_it(world, signing, tmp_path):
    w = world
    d = _processing(w)
    assert d.electronic_result is False

    d = result_sign(dossier_id=d.pk, actor=_leader(w), file=("kq.pdf", make_pdf()))

    d.refresh_from_db()
    assert d.electronic_result is True  # indicator 4.1, from the validated signature
    issued = IssuedResult.objects.get(dossier=d)
    assert issued.code.startswith("KQ-") and len(issued.code) == 13
    assert issued.signed_in_system is True and issued.timestamped is True
    assert issued.signer_name == "An Nguyễn Văn"
    assert issued.signer_organization == w.a.settling.name
    data = _result_bytes(d)
    verdict = pades.verify_pdf(data)
    assert (verdict.valid, verdict.problem, verdict.timestamped) == (True, "", True)
    event = d.events.get(action=Action.ATTACH_RESULT)
    assert event.data["signature"]["code"] == issued.code
    assert event.data["signature"]["valid"] is True
    out = _pdfsig(tmp_path, data)
    assert "Signature Validation: Signature is Valid." in out
    assert "CN=An Nguyễn Văn" in out
    # The B-LT validation data: the chain's CRLs are in the document's security store.
    assert b"/DSS" in data and b"/CRLs" in data


def test_a_leader_signs_through_a_pkcs11_token(world, softhsm, tmp_path):
    from pyhanko.sign.pkcs11 import PKCS11Signer

    w = world
    leader = _leader(w)
    name = "An Nguyễn Văn"
    p12 = pki.signer_p12(name, w.a.settling.name)
    load_into_token(p12, pki.slug(name), "motcua-dev")
    p12.unlink()  # the key is now only on the token
    d = _processing(w)

    d = result_sign(dossier_id=d.pk, actor=leader, file=("kq.pdf", make_pdf()))

    assert isinstance(keys.signer_for(name, w.a.settling.name), PKCS11Signer)
    d.refresh_from_db()
    assert d.electronic_result is True
    data = _result_bytes(d)
    assert pades.verify_pdf(data).valid is True
    assert "Signature Validation: Signature is Valid." in _pdfsig(tmp_path, data)
    assert not p12.exists()


def _assert_unchanged(d):
    after = Dossier.objects.get(pk=d.pk)
    assert (after.version, after.electronic_result) == (d.version, d.electronic_result)
    assert not after.attachments.filter(kind=AttachmentKind.RESULT).exists()
    assert not IssuedResult.objects.filter(dossier=d).exists()


@pytest.mark.parametrize("who", ["s:specialist", "c:leader", "b:s:leader", "citizen"])
def test_only_a_leader_of_the_settling_agency_signs(world, signing, who):
    w = world
    d = _processing(w)
    actor = (
        w.citizen
        if who == "citizen"
        else w.b.staff[who[2:]]
        if who.startswith("b:")
        else w.a.staff[who]
    )
    with pytest.raises(PermissionDenied):
        result_sign(dossier_id=d.pk, actor=actor, file=("kq.pdf", make_pdf()))
    _assert_unchanged(d)


def test_an_unsigned_upload_is_refused_where_a_signed_result_is_required(world, signing, settings):
    w = world
    d = _processing(w)
    settings.MOTCUA_SIGNED_RESULT_REQUIRED = True
    with pytest.raises(ValidationFailed) as e:
        s.dossier_attach_result(
            dossier_id=d.pk, actor=w.a.staff["s:specialist"], file=("kq.pdf", make_pdf())
        )
    assert e.value.code == "result_not_signed" and e.value.field == "file"
    _assert_unchanged(d)

    # Without the province-wide setting, a procedure with no paper result requires it too.
    settings.MOTCUA_SIGNED_RESULT_REQUIRED = False
    w.version.paper_result_required = False
    w.version.save()
    with pytest.raises(ValidationFailed) as e:
        s.dossier_attach_result(
            dossier_id=d.pk, actor=w.a.staff["s:specialist"], file=("kq.pdf", make_pdf())
        )
    assert e.value.code == "result_not_signed"
    _assert_unchanged(d)


def test_an_unsigned_result_where_allowed_is_kept_but_is_not_an_electronic_result(world, signing):
    w = world
    d = _processing(w)
    d = s.dossier_attach_result(
        dossier_id=d.pk, actor=w.a.staff["s:specialist"], file=("kq.pdf", make_pdf())
    )
    d.refresh_from_db()
    assert d.electronic_result is False
    assert d.attachments.filter(kind=AttachmentKind.RESULT).count() == 1
    assert not IssuedResult.objects.filter(dossier=d).exists()


def _signed_elsewhere(w, name="Trần Thị Bình") -> bytes:
    signer = pades.pkcs12_signer(pki.signer_p12(name, w.a.settling.name), "motcua-dev")
    return pades.sign_pdf(
        make_pdf(), signer, signer_name=name, agency=w.a.settling.name, code="X", url="https://x/"
    )


def test_a_result_uploaded_already_signed_is_verified_and_becomes_the_electronic_result(
    world, signing
):
    w = world
    d = _processing(w)
    d = s.dossier_attach_result(
        dossier_id=d.pk, actor=w.a.staff["s:specialist"], file=("kq.pdf", _signed_elsewhere(w))
    )
    d.refresh_from_db()
    assert d.electronic_result is True
    issued = IssuedResult.objects.get(dossier=d)
    assert (issued.signed_in_system, issued.signer_name) == (False, "Trần Thị Bình")


def test_a_broken_signature_is_refused_on_upload(world, signing):
    w = world
    d = _processing(w)
    data = bytearray(_signed_elsewhere(w))
    data[data.index(b"/MediaBox") + 12] ^= 0x01  # a byte of the signed first revision
    with pytest.raises(ValidationFailed) as e:
        s.dossier_attach_result(
            dossier_id=d.pk, actor=w.a.staff["s:specialist"], file=("kq.pdf", bytes(data))
        )
    assert e.value.code == "result_signature_invalid"
    _assert_unchanged(d)


def test_a_signature_from_outside_the_trust_store_is_refused(world, signing, settings, tmp_path):
    w = world
    d = _processing(w)
    data = _signed_elsewhere(w)
    # The province trusts another root only.
    settings.MOTCUA_SIGNING_TRUST_ROOTS = [str(tmp_path / "other" / "root.pem")]
    settings_dir = settings.MOTCUA_PKI_DIR
    settings.MOTCUA_PKI_DIR = tmp_path / "other"
    pki.ensure()
    settings.MOTCUA_PKI_DIR = settings_dir
    assert pades.verify_pdf(data).problem == "untrusted"
    with pytest.raises(ValidationFailed) as e:
        s.dossier_attach_result(
            dossier_id=d.pk, actor=w.a.staff["s:specialist"], file=("kq.pdf", data)
        )
    assert e.value.data["problem"] == "untrusted"
    _assert_unchanged(d)


def _verify_page(data: bytes, code: str | None = None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = f"/xac-thuc/{code}/" if code else "/xac-thuc/"
    upload = SimpleUploadedFile("kq.pdf", data, content_type="application/pdf")
    return Client().post(url, {"file": upload})


def test_the_public_page_says_valid_and_a_single_changed_byte_is_caught(world, signing):
    w = world
    d = _processing(w)
    d = result_sign(dossier_id=d.pk, actor=_leader(w), file=("kq.pdf", make_pdf()))
    issued = IssuedResult.objects.get(dossier=d)
    data = _result_bytes(d)

    page = Client().get(f"/xac-thuc/{issued.code}/")
    assert page.status_code == 200 and page.context["answer"].status == "valid"
    body = page.content.decode()
    assert "An Nguyễn Văn" in body and issued.sha256 in body
    assert w.citizen.applicant.full_name not in body  # nothing personal

    assert _verify_page(data).context["answer"].status == "valid"
    assert _verify_page(data, issued.code).context["answer"].status == "valid"
    for where in (len(data) // 4, len(data) // 2, len(data) - 10):
        changed = bytearray(data)
        changed[where] ^= 0x01
        answer = _verify_page(bytes(changed)).context["answer"]
        assert answer.status in ("invalid", "not_issued_here"), where
        assert not answer.ok

    assert Client().get("/xac-thuc/KQ-KHONGCO000/").status_code == 404
    # A file validly signed but not issued by the system is not "a result this system issued".
    assert _verify_page(_signed_elsewhere(w)).context["answer"].status == "not_issued_here"


def test_a_second_signed_result_replaces_the_first_on_the_public_page(world, signing):
    w = world
    d = _processing(w)
    leader = _leader(w)
    d = result_sign(dossier_id=d.pk, actor=leader, file=("kq.pdf", make_pdf("lan 1")))
    first = IssuedResult.objects.get(dossier=d)
    first_bytes = _result_bytes(d)
    result_sign(dossier_id=d.pk, actor=leader, file=("kq.pdf", make_pdf("lan 2")))
    first.refresh_from_db()
    assert first.replaced_by is not None
    assert _verify_page(first_bytes).context["answer"].status == "replaced"


def test_a_revoked_certificate_signs_no_more_but_what_it_signed_before_stays_valid(world, signing):
    from cryptography.hazmat.primitives.serialization import pkcs12

    w = world
    name = "Lê Văn Cường"
    path = pki.signer_p12(name, w.a.settling.name)
    signer = pades.pkcs12_signer(path, "motcua-dev")
    data = pades.sign_pdf(
        make_pdf(), signer, signer_name=name, agency="x", code="X", url="https://x/"
    )
    assert pades.verify_pdf(data).valid is True
    _, cert, _ = pkcs12.load_key_and_certificates(path.read_bytes(), b"motcua-dev")
    # Past the validator's one-second tolerance, so the revocation is after the timestamp.
    time.sleep(1.2)
    pki.revoke(cert)
    with pytest.raises(pades.SignatureRefused):
        pades.sign_pdf(make_pdf(), signer, signer_name=name, agency="x", code="Y", url="https://x/")
    # Judged at its timestamp, before the revocation: still valid (the point of B-LT).
    verdict = pades.verify_pdf(data)
    assert (verdict.valid, verdict.timestamped) == (True, True)


@pytest.mark.parametrize(
    ("who", "status", "signed"),
    [
        ("s:leader", 302, True),
        ("s:specialist", 403, False),
        ("c:leader", 403, False),  # the receiving side's leader sees the dossier, signs not
        ("b:s:leader", 404, False),  # another commune's leader does not see it at all
    ],
)
def test_the_back_office_sign_form(world, signing, who, status, signed):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from motcua.org.tests.otp import otp_login

    w = world
    d = _processing(w)
    officer = (
        _leader(w)
        if who == "s:leader"
        else w.b.staff[who[2:]]
        if who[:2] == "b:"
        else w.a.staff[who]
    )
    client = Client()
    otp_login(client, officer)
    page = client.get(f"/can-bo/ho-so/{d.pk}/")
    if status != 404:
        assert ("ky-so-ket-qua" in page.content.decode()) is signed
    upload = SimpleUploadedFile("kq.pdf", make_pdf(), content_type="application/pdf")
    response = client.post(
        f"/can-bo/ho-so/{d.pk}/ky-so-ket-qua/", {"file": upload, "expected_version": d.version}
    )
    assert response.status_code == status
    d.refresh_from_db()
    assert d.electronic_result is signed
    assert IssuedResult.objects.filter(dossier=d).exists() is signed
