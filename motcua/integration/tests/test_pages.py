"""The back office's outbox page and the dossier page's sync log; who may see and replay."""

import pytest
from django.db import transaction

from motcua.core.models import AuditEntry
from motcua.dossiers import services as s
from motcua.dossiers.tests.conftest import T0, submit
from motcua.dossiers.tests.factories import make_world
from motcua.integration import outbox
from motcua.integration.models import OutboxMessage
from motcua.org.tests.otp import otp_login

pytestmark = pytest.mark.django_db
URL = "/can-bo/hop-thu-di/"


@pytest.fixture
def world(db):
    return make_world()


def dead_letter(dest, dedup="d1", key="K1"):
    with transaction.atomic():
        m = outbox.enqueue(destination=dest.name, key=key, dedup_id=dedup, payload={})
    dest.plan[dedup] = [outbox.Reject("400 thiếu MaHoSo")]
    outbox.deliver_batch(outbox.claim(names=[dest.name]))
    m.refresh_from_db()
    assert m.state == "dead"
    return m


# role → (sees the page, may replay); every staff role of the world, on either side.
MATRIX = {
    "counter": (False, False),
    "specialist": (False, False),
    "leader": (False, False),
    "monitor": (True, False),
    "agency_admin": (True, True),
}


@pytest.mark.parametrize("side", ["c", "s"])
@pytest.mark.parametrize("role", sorted(MATRIX))
def test_access_matrix(client, world, dest, role, side):
    sees, replays = MATRIX[role]
    m = dead_letter(dest)
    otp_login(client, world.a.staff[f"{side}:{role}"])
    page = client.get(URL)
    assert page.status_code == (200 if sees else 403)
    if sees:
        html = page.content.decode()
        assert "400 thiếu MaHoSo" in html
        assert (f"/can-bo/hop-thu-di/{m.pk}/gui-lai/" in html) is replays
    r = client.post(f"/can-bo/hop-thu-di/{m.pk}/gui-lai/")
    assert r.status_code == (302 if replays else 403)
    m.refresh_from_db()
    assert m.state == ("pending" if replays else "dead")
    assert AuditEntry.objects.filter(operation="outbox_message_replay").count() == int(replays)
    r = client.post(f"/can-bo/hop-thu-di/{dest.name}/gui-lai-tat-ca/")
    assert r.status_code == (302 if replays else 403)


def test_citizen_and_anonymous_are_kept_out(client, world, dest, settings):
    m = dead_letter(dest)
    r = client.get(URL)
    assert r.status_code == 302
    assert r["Location"] == f"{settings.LOGIN_URL}?next={URL}"
    otp_login(client, world.citizen)
    assert client.get(URL).status_code == 403
    assert client.post(f"/can-bo/hop-thu-di/{m.pk}/gui-lai/").status_code == 403
    m.refresh_from_db()
    assert m.state == "dead"


def test_replay_all_from_the_page(client, world, dest):
    for k in ("a", "b"):
        dead_letter(dest, dedup=k, key=k)
    otp_login(client, world.a.staff["c:agency_admin"])
    r = client.post(f"/can-bo/hop-thu-di/{dest.name}/gui-lai-tat-ca/", follow=True)
    assert "Đã đưa 2 thư vào hàng đợi gửi lại." in r.content.decode()
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {"pending"}


def test_replay_of_what_is_not_dead_says_so(client, world, dest):
    with transaction.atomic():
        m = outbox.enqueue(destination=dest.name, key="K", dedup_id="p", payload={})
    otp_login(client, world.a.staff["c:agency_admin"])
    r = client.post(f"/can-bo/hop-thu-di/{m.pk}/gui-lai/", follow=True)
    assert "Chỉ gửi lại được thư đã thất bại (thư chết)." in r.content.decode()


def test_dossier_page_shows_its_sync_log(client, world, receiver):
    d = submit(world, T0)
    d = s.dossier_receive(dossier_id=d.pk, actor=world.a.staff["c:counter"], at=T0)
    outbox.run(names=["national_sync"])
    otp_login(client, world.a.staff["c:counter"])
    html = client.get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    section = html.split('id="sync"')[1].split("</table>")[0]
    rows = section.split("<tr>")[2:]
    assert len(rows) == 2
    assert "Nộp hồ sơ trực tuyến" in rows[0] and "Mới đăng ký" in rows[0]
    assert "Tiếp nhận hồ sơ" in rows[1] and "Được tiếp nhận" in rows[1]
    assert all("Đã gửi" in r for r in rows)
