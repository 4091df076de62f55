"""Issue 12: a result shared by a time-limited link — signed, expiring, revocable — that
anyone with the link can download until then."""

import datetime as dt

import pytest
from django.utils import timezone

from motcua.core.errors import DomainError
from motcua.org.tests.otp import otp_login
from motcua.store import services
from motcua.store.models import ShareLink, StoreAction, StoreEvent

from .conftest import RESULT_PDF, returned_with_result

pytestmark = pytest.mark.django_db


def _share(client, w, key, days="7"):
    otp_login(client, w.citizen)
    r = client.post("/kho-du-lieu/chia-se/", {"key": key, "days": days})
    return r


def test_a_shared_result_downloads_for_anyone_until_it_expires(client, world, security_lines):
    w = world
    _d, result = returned_with_result(w)
    assert _share(client, w, f"kq-{result.pk}").status_code == 302
    link = ShareLink.objects.get()
    assert link.expires_at - link.created_at == dt.timedelta(days=7)
    page = client.get("/kho-du-lieu/").content.decode()
    token = services.share_token(link)
    assert f"/chia-se/{token}/" in page
    client.logout()
    r = client.get(f"/chia-se/{token}/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == RESULT_PDF
    assert ShareLink.objects.get().downloads == 1
    assert len(security_lines("share_link_used")) == 1
    # After the expiry the same link is refused, and nothing is counted.
    later = link.expires_at + dt.timedelta(seconds=1)
    with pytest.raises(DomainError):
        services.share_open(token=token, at=later)
    assert ShareLink.objects.get().downloads == 1
    # Just before it, it still works.
    services.share_open(token=token, at=link.expires_at - dt.timedelta(seconds=1))


def test_an_expired_link_answers_404(client, world):
    w = world
    _d, result = returned_with_result(w)
    past = timezone.now() - dt.timedelta(days=2)
    link = services.share_create(actor=w.citizen, key=f"kq-{result.pk}", days=1, at=past)
    r = client.get(f"/chia-se/{services.share_token(link)}/")
    assert r.status_code == 404 and "hết hạn" in r.content.decode()


def test_a_revoked_or_forged_link_answers_404(client, world):
    w = world
    _d, result = returned_with_result(w)
    _share(client, w, f"kq-{result.pk}", days="30")
    link = ShareLink.objects.get()
    token = services.share_token(link)
    # A changed id under the old signature, a changed signature: refused.
    other = token.replace(f"{link.pk}:", f"{link.pk + 1}:", 1)
    assert client.get(f"/chia-se/{other}/").status_code == 404
    assert client.get(f"/chia-se/{token[:-2]}xx/").status_code == 404
    assert client.get(f"/chia-se/{token}/").status_code == 200
    # Only the owner revokes it.
    otp_login(client, w.citizen2)
    assert client.post(f"/kho-du-lieu/chia-se/{link.pk}/thu-hoi/").status_code == 404
    otp_login(client, w.citizen)
    assert client.post(f"/kho-du-lieu/chia-se/{link.pk}/thu-hoi/").status_code == 302
    client.logout()
    assert client.get(f"/chia-se/{token}/").status_code == 404
    with pytest.raises(DomainError) as exc:
        services.share_revoke(actor=w.citizen, link_id=link.pk)
    assert exc.value.code == "share_link_inactive"
    assert list(StoreEvent.objects.values_list("action", flat=True)) == [
        StoreAction.SHARE,
        StoreAction.SHARED_DOWNLOAD,
        StoreAction.REVOKE,
    ]


def test_only_ones_own_result_is_shared_and_for_an_offered_period(client, world):
    w = world
    _d, result = returned_with_result(w)
    otp_login(client, w.citizen2)
    r = client.post("/kho-du-lieu/chia-se/", {"key": f"kq-{result.pk}", "days": "7"})
    assert r.status_code == 400 and r.context["errors"]["share"].code == "not_shareable"
    r = _share(client, w, f"kq-{result.pk}", days="365")
    assert r.status_code == 400 and r.context["errors"]["share"].code == "invalid_share_days"
    doc = services.store_upload(actor=w.citizen, upload=("a.pdf", RESULT_PDF), doc_type="X")
    with pytest.raises(DomainError) as exc:
        services.share_create(actor=w.citizen, key=f"tl-{doc.pk}", days=7)
    assert exc.value.code == "not_shareable"
    assert not ShareLink.objects.exists()
