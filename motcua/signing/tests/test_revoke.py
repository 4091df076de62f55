"""Issue 12's last items on issued results: revoking one from the back office (a leader of
the settling agency only), what the public verification page then says (revoked: when and
why; replaced: by which code, when), its rate limit, and share links of a revoked result."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from motcua.core.errors import DomainError
from motcua.core.templatetags.bilingual import vn_datetime
from motcua.dossiers import services as s
from motcua.dossiers.tests.factories import make_world
from motcua.org.tests.otp import otp_login
from motcua.signing.models import IssuedResult
from motcua.signing.services import result_sign
from motcua.store import services as store_services
from motcua.store.models import ShareLink

from .conftest import make_pdf
from .test_signing import _leader, _processing, _result_bytes, _verify_page


@pytest.fixture
def world(db):
    return make_world()


REASON = "Sai ngày sinh của người được khai sinh"


def _signed(w):
    d = _processing(w)
    d = result_sign(dossier_id=d.pk, actor=_leader(w), file=("kq.pdf", make_pdf()))
    return d, IssuedResult.objects.get(dossier=d)


def _officer(w, who):
    if who == "s:leader":
        return _leader(w)
    if who[:2] == "b:":
        return w.b.staff[who[2:]]
    return w.a.staff[who]


@pytest.mark.parametrize(
    ("who", "page", "post", "revoked"),
    [
        ("s:leader", 200, 302, True),  # the settling agency's leader
        ("s:specialist", 403, 403, False),
        ("c:leader", 403, 403, False),  # the receiving side's leader sees the dossier only
        ("c:counter", 403, 403, False),
        ("b:s:leader", 404, 404, False),  # another commune's leader does not see it at all
    ],
)
def test_the_back_office_revoke_page_per_role(world, signing, who, page, post, revoked):
    w = world
    d, issued = _signed(w)
    client = Client()
    otp_login(client, _officer(w, who))
    url = f"/can-bo/ho-so/{d.pk}/ket-qua/{issued.code}/thu-hoi/"
    if page != 404:
        dossier_page = client.get(f"/can-bo/ho-so/{d.pk}/").content.decode()
        assert issued.code in dossier_page
        assert (url in dossier_page) is revoked
    assert client.get(url).status_code == page
    assert client.post(url, {"reason": REASON}).status_code == post
    issued.refresh_from_db()
    assert (issued.revoked_at is not None) is revoked
    assert issued.revoked_reason == (REASON if revoked else "")


def test_a_revocation_needs_a_reason_and_happens_once(world, signing):
    w = world
    d, issued = _signed(w)
    client = Client()
    otp_login(client, _leader(w))
    url = f"/can-bo/ho-so/{d.pk}/ket-qua/{issued.code}/thu-hoi/"
    r = client.post(url, {"reason": "   "})
    assert r.status_code == 422 and "Cần nêu lý do thu hồi." in r.content.decode()
    issued.refresh_from_db()
    assert issued.revoked_at is None
    assert client.post(url, {"reason": REASON}).status_code == 302
    first = IssuedResult.objects.get(pk=issued.pk).revoked_at
    r = client.post(url, {"reason": "lần hai"})
    # The page no longer offers the form; a second post is refused and changes nothing.
    assert r.status_code == 409 and "Kết quả đã bị thu hồi." in r.content.decode()
    issued.refresh_from_db()
    assert (issued.revoked_at, issued.revoked_reason) == (first, REASON)
    assert 'name="reason"' not in client.get(url).content.decode()
    # An unknown code of a dossier the leader sees: 404.
    assert client.get(f"/can-bo/ho-so/{d.pk}/ket-qua/KQ-KHONGCO000/thu-hoi/").status_code == 404


def test_the_verify_page_says_revoked_with_the_date_and_the_reason(world, signing):
    w = world
    d, issued = _signed(w)
    data = _result_bytes(d)
    client = Client()
    otp_login(client, _leader(w))
    client.post(f"/can-bo/ho-so/{d.pk}/ket-qua/{issued.code}/thu-hoi/", {"reason": REASON})
    issued.refresh_from_db()
    when = vn_datetime(issued.revoked_at)
    for page in (Client().get(f"/xac-thuc/{issued.code}/"), _verify_page(data)):
        assert page.context["answer"].status == "revoked"
        body = page.content.decode()
        assert "đã bị thu hồi" in body
        assert f"{when}. Lý do" in body or f"{when}. Reason" in body
        assert REASON in body
        assert "Hợp lệ:" not in body


def test_the_verify_page_names_the_result_that_replaced_it_and_when(world, signing):
    w = world
    d, first = _signed(w)
    first_bytes = _result_bytes(d)
    result_sign(dossier_id=d.pk, actor=_leader(w), file=("kq.pdf", make_pdf("lan 2")))
    second = IssuedResult.objects.exclude(pk=first.pk).get(dossier=d)
    for page in (Client().get(f"/xac-thuc/{first.code}/"), _verify_page(first_bytes)):
        assert page.context["answer"].status == "replaced"
        body = page.content.decode()
        assert "đã được thay thế bởi" in body
        assert f'<a href="/xac-thuc/{second.code}/">{second.code}</a>' in body
        assert vn_datetime(second.issued_at) in body
    assert Client().get(f"/xac-thuc/{second.code}/").context["answer"].status == "valid"


def test_the_verify_page_is_rate_limited_per_client(world, signing, settings):
    w = world
    d, issued = _signed(w)
    data = _result_bytes(d)
    settings.MOTCUA_VERIFY_MAX_CHECKS = 3
    settings.MOTCUA_VERIFY_WINDOW_SECONDS = 300
    here, there = Client(REMOTE_ADDR="203.0.113.7"), Client(REMOTE_ADDR="203.0.113.8")
    # The empty form costs nothing; codes and uploads count alike.
    for _ in range(5):
        assert here.get("/xac-thuc/").status_code == 200
    assert here.get(f"/xac-thuc/{issued.code}/").status_code == 200
    assert here.get("/xac-thuc/KQ-KHONGCO000/").status_code == 404
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("kq.pdf", data, content_type="application/pdf")
    assert here.post("/xac-thuc/", {"file": upload}).context["answer"].status == "valid"
    for refused in (
        here.get(f"/xac-thuc/{issued.code}/"),
        here.post("/xac-thuc/", {"file": SimpleUploadedFile("kq.pdf", data)}),
    ):
        assert refused.status_code == 429
        assert refused["Retry-After"] == "300"
        body = refused.content.decode()
        assert "Bạn đã kiểm tra quá nhiều lần. Vui lòng thử lại sau 5 phút." in body
        assert issued.sha256 not in body and 'type="file"' not in body
    # Another address is not affected.
    assert there.get(f"/xac-thuc/{issued.code}/").status_code == 200
    # 0 turns the limit off.
    settings.MOTCUA_VERIFY_MAX_CHECKS = 0
    assert here.get(f"/xac-thuc/{issued.code}/").status_code == 200


def test_a_share_link_of_a_revoked_result_stops_working(world, signing):
    from motcua.signing.services import issued_result_revoke

    w = world
    st = w.a.staff
    d, issued = _signed(w)
    d = s.dossier_approve(dossier_id=d.pk, actor=st["s:leader"], result_note="Đã cấp")
    d = s.dossier_return_result(dossier_id=d.pk, actor=st["c:counter"])
    link = store_services.share_create(actor=w.citizen, key=f"kq-{issued.attachment_id}", days=7)
    token = store_services.share_token(link)
    r = Client().get(f"/chia-se/{token}/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == _result_bytes(d)

    issued_result_revoke(code=issued.code, actor=_leader(w), reason=REASON)

    r = Client().get(f"/chia-se/{token}/")
    assert r.status_code == 410
    body = r.content.decode()
    today = timezone.localtime().strftime("%d/%m/%Y")
    assert f"Kết quả được chia sẻ đã bị cơ quan cấp thu hồi ngày {today}. Lý do: {REASON}" in body
    with pytest.raises(DomainError) as exc:
        store_services.share_open(token=token)
    assert (exc.value.code, exc.value.status) == ("result_revoked", 410)
    assert ShareLink.objects.get(pk=link.pk).downloads == 1  # the refused ones not counted
