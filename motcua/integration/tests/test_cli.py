"""`motcua sync status|retry|resend|deliver`."""

import io

import pytest
from django.core.management import CommandError, call_command

from motcua.core.models import AuditEntry
from motcua.dossiers import services as s
from motcua.dossiers.tests.conftest import T0, submit
from motcua.dossiers.tests.factories import make_world
from motcua.integration import outbox
from motcua.integration.models import OutboxMessage

pytestmark = pytest.mark.django_db


def sync(*args):
    out = io.StringIO()
    call_command("sync", *args, stdout=out)
    return out.getvalue()


def line(out, destination="national_sync"):
    """The status line of one destination (notifications have their own lines)."""
    return next(x for x in out.splitlines(keepends=True) if x.startswith(f"{destination}:"))


def test_status_counts_per_destination_and_state(receiver):
    w = make_world()
    d = submit(w, T0)
    s.dossier_receive(dossier_id=d.pk, actor=w.a.staff["c:counter"], at=T0)
    assert line(sync("status")).startswith(
        "national_sync: chờ gửi 2, đang gửi 0, đã gửi 0, thất bại 0, chờ lâu nhất "
    )
    sync("deliver")
    assert line(sync("status")) == (
        "national_sync: chờ gửi 0, đang gửi 0, đã gửi 2, thất bại 0 "
        "(pending 0, delivering 0, delivered 2, dead 0)\n"
    )


def test_status_of_an_empty_outbox(db):
    assert sync("status") == "Hộp thư đi trống (the outbox is empty).\n"


def test_retry_replays_dead_letters_and_delivers(receiver):
    w = make_world()
    receiver.control(mode="down")
    d = submit(w, T0)
    sync("deliver")
    m = OutboxMessage.objects.get()
    assert m.state == "pending"  # waiting for its back-off
    OutboxMessage.objects.filter(pk=m.pk).update(state="dead", last_error="HTTP 503")
    receiver.control(mode="up")
    assert sync("retry") == (
        "Gửi lại 1 thư thất bại, 0 thư đang chờ; đã gửi 1, thử lại sau 0, thất bại 0 "
        "(replayed 1 dead, 0 waiting made due; delivered 1, retried 0, dead 0).\n"
    )
    m.refresh_from_db()
    assert m.state == "delivered"
    entry = AuditEntry.objects.get(operation="outbox_message_replay")
    assert entry.actor_id is None and entry.reason == "motcua sync retry"
    assert receiver.dossier(d.code)["history"] == [1]


def test_retry_makes_waiting_messages_due_now(receiver):
    w = make_world()
    receiver.control(mode="down")
    submit(w, T0)
    sync("deliver")
    receiver.control(mode="up")
    out = sync("retry")
    assert out.startswith("Gửi lại 0 thư thất bại, 1 thư đang chờ; đã gửi 1,")


def test_resend_from_a_day_sends_the_current_state_again(receiver):
    w = make_world()
    d = submit(w, T0)
    d = s.dossier_receive(dossier_id=d.pk, actor=w.a.staff["c:counter"], at=T0)
    sync("deliver")
    receiver.control(reset=True)  # the portal lost everything
    assert sync("resend", "--from", "04/03/2026") == (
        "Đã xếp 1 hồ sơ để gửi lại Cổng DVC quốc gia (queued 1 dossier(s) for the national "
        "portal).\n"
    )
    assert sync("resend", "--from", "05/03/2026") == (
        "Đã xếp 0 hồ sơ để gửi lại Cổng DVC quốc gia (queued 0 dossier(s) for the national "
        "portal).\n"
    )
    sync("deliver")
    got = receiver.dossier(d.code)
    assert got["history"] == [2]
    assert got["data"]["NgayTiepNhan"] == "20260304090000"
    m = OutboxMessage.objects.filter(payload__action="resend").get()
    assert m.payload["isUpdating"] is False and ":resend:" in m.dedup_id


def test_resend_needs_the_sync_configured_and_valid_dates(db, settings):
    settings.MOTCUA_NATIONAL_SYNC_URL = ""
    with pytest.raises(CommandError, match="Chưa cấu hình đồng bộ"):
        sync("resend", "--from", "01/01/2026")
    with pytest.raises(CommandError, match="Ngày không hợp lệ: '31/02/2026'"):
        sync("resend", "--from", "31/02/2026")
    settings.MOTCUA_NATIONAL_SYNC_URL = "http://127.0.0.1:9"
    with pytest.raises(CommandError, match="--to phải sau --from"):
        sync("resend", "--from", "02/01/2026", "--to", "31/12/2025")


def test_retry_of_an_unknown_destination(db):
    with pytest.raises(CommandError, match="Không có nơi nhận 'nowhere'"):
        sync("retry", "--destination", "nowhere")
    assert outbox.get_destination("national_sync") is not None
