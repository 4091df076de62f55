"""Every transition's sync message, checked by the receiving service as the portal would
(motcua.devtools.national_portal, a real process on loopback)."""

import datetime as dt
import itertools

import pytest
from django.db import transaction
from django.utils import timezone

from motcua.dossiers import services as s
from motcua.dossiers.tests.conftest import T0, submit
from motcua.dossiers.tests.factories import PDF, make_world
from motcua.integration import national, outbox
from motcua.integration.models import OutboxMessage

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 20
_codes = itertools.count(1)


@pytest.fixture
def world(db):
    return make_world()


def deliver():
    return outbox.run(names=[national.DESTINATION])


def sent(d):
    return list(
        OutboxMessage.objects.filter(destination=national.DESTINATION, key=d.code)
        .order_by("id")
        .values_list("payload__action", "state")
    )


def test_payload_of_a_received_dossier(world, receiver):
    d = submit(world, T0)
    st = world.a.staff
    d = s.dossier_receive(dossier_id=d.pk, actor=st["c:counter"], at=T0)
    m = OutboxMessage.objects.filter(key=d.code).order_by("id").last()
    assert m.dedup_id == f"{d.code}:2"
    assert m.payload["isUpdating"] is True
    data = m.payload["data"]
    assert data["MaHoSo"] == d.code
    assert data["MaTTHC"] == world.procedure.code
    assert data["KenhThucHien"] == "2"
    assert data["TrangThaiHoSo"] == "2"
    # 09:00 in Hà Nội, as the portal reads dates
    assert data["NgayNopHoSo"] == "20260304090000"
    assert data["NgayTiepNhan"] == "20260304090000"
    assert data["NgayHenTra"] == national.when(d.due_at) and data["NgayHenTra"] > "2026030409"
    assert data["NgayKetThucXuLy"] == "" and data["NgayTra"] == ""
    assert all(isinstance(v, str) for k, v in data.items() if k != "DanhSachPhiLePhi")


def test_full_lifecycle_online_with_supplement_payment_and_result(world, receiver):
    st = world.a.staff
    t = T0
    d = submit(world, t)
    d = s.dossier_receive(dossier_id=d.pk, actor=st["c:counter"], at=t)
    d = s.dossier_forward(dossier_id=d.pk, actor=st["c:counter"], at=t)
    d = s.dossier_request_supplement(
        dossier_id=d.pk,
        actor=st["s:specialist"],
        reason="Thiếu giấy chứng sinh",
        missing_components=[world.components[1].pk],
        at=t,
    )
    t += dt.timedelta(hours=1)
    d = s.dossier_supplement(
        dossier_id=d.pk,
        actor=world.citizen,
        files={world.components[1].pk: [("chung-sinh.png", PNG)]},
        at=t,
    )
    d = s.dossier_request_payment(dossier_id=d.pk, actor=st["s:specialist"], amount_vnd=8000, at=t)
    d = s.dossier_confirm_payment(
        dossier_id=d.pk, actor=st["c:counter"], amount_vnd=8000, receipt_number="1", at=t
    )
    t += dt.timedelta(hours=1)
    d = s.dossier_forward(dossier_id=d.pk, actor=st["s:specialist"], at=t)
    d = s.dossier_apologize(
        dossier_id=d.pk,
        actor=st["s:leader"],
        reason="Chờ xác minh",
        new_due_at=d.due_at + dt.timedelta(days=2),
        at=t,
    )
    t += dt.timedelta(hours=1)
    d = s.dossier_approve(dossier_id=d.pk, actor=st["s:leader"], result_note="Đã cấp", at=t)
    d = s.dossier_attach_result(dossier_id=d.pk, actor=st["s:leader"], file=("kq.pdf", PDF), at=t)
    d = s.dossier_return_result(dossier_id=d.pk, actor=st["c:counter"], at=t)
    s.dossier_rate(dossier_id=d.pk, actor=world.citizen, rating=1)

    totals = deliver()
    assert totals["dead"] == 0 and totals["retried"] == 0
    got = receiver.dossier(d.code)
    # the forward from 4 to 4 changes nothing the portal holds; rating is not synced
    assert got["history"] == [1, 2, 4, 5, 4, 6, 4, 4, 9, 9, 10]
    assert [a for a, _ in sent(d)] == [
        "submit",
        "receive",
        "forward",
        "request_supplement",
        "supplement",
        "request_payment",
        "confirm_payment",
        "apologize",
        "approve",
        "attach_result",
        "return_result",
    ]
    assert {state for _, state in sent(d)} == {"delivered"}
    assert got["data"]["NgayTra"] == national.when(d.returned_at)
    assert got["data"]["NgayHenTra"] == national.when(d.due_at)
    assert got["data"]["NgayKetThucXuLy"] == national.when(d.finished_at)


def test_refusal_and_withdrawal_and_counter_intake(world, receiver):
    st = world.a.staff
    refused = s.dossier_refuse(
        dossier_id=submit(world, T0).pk, actor=st["c:counter"], reason="Sai thẩm quyền", at=T0
    )
    w = submit(world, T0)
    w = s.dossier_receive(dossier_id=w.pk, actor=st["c:counter"], at=T0)
    w = s.dossier_request_withdrawal(dossier_id=w.pk, actor=world.citizen, reason="Thôi", at=T0)
    w = s.dossier_stop(dossier_id=w.pk, actor=st["c:counter"], reason="Công dân rút", at=T0)
    early = s.dossier_request_withdrawal(
        dossier_id=submit(world, T0).pk, actor=world.citizen, reason="Nhầm", at=T0
    )
    intake = {
        "actor": st["c:counter"],
        "procedure": world.procedure,
        "receiving_agency": world.a.center,
        "applicant": {"name": "Trần Thị Bưu", "id_number": "027190000001"},
        "at": T0,
    }
    counter = s.dossier_intake(**intake, files={world.components[0].pk: [("scan.pdf", PDF)]})
    counter_refused = s.dossier_intake(**intake, refuse_reason="Không thuộc thẩm quyền")
    totals = deliver()
    assert totals["dead"] == 0
    assert receiver.dossier(refused.code)["history"] == [1, 3]
    assert receiver.dossier(w.code)["history"] == [1, 2, 7, 8]
    assert receiver.dossier(early.code)["history"] == [1, 7]
    assert receiver.dossier(counter.code)["history"] == [1, 2]
    assert receiver.dossier(counter.code)["data"]["KenhThucHien"] == "1"
    assert receiver.dossier(counter_refused.code)["history"] == [1, 3]


def test_the_receiver_refuses_an_illegal_transition_and_the_message_is_dead(world, receiver):
    d = submit(world, T0)
    deliver()
    # a forged message: from 1 straight to 10
    data = {**national.portal_dossier(d), "TrangThaiHoSo": "10"}
    with transaction.atomic():
        outbox.enqueue(
            destination=national.DESTINATION,
            key=d.code,
            dedup_id=f"{d.code}:forged",
            payload={"isUpdating": True, "action": "forged", "data": data},
        )
    deliver()
    m = OutboxMessage.objects.get(dedup_id=f"{d.code}:forged")
    assert m.state == "dead" and m.attempts == 1
    assert m.last_error.startswith("Cổng DVC quốc gia từ chối (mã 20)")  # dates missing first
    assert "NgayTiepNhan: bắt buộc ở trạng thái 10" in m.last_error
    assert receiver.dossier(d.code)["history"] == [1]


def test_the_receiver_refuses_a_jump_and_dates_out_of_order(world, receiver):
    d = submit(world, T0)
    deliver()
    later = national.when(T0 + dt.timedelta(days=3))
    jump = {
        **national.portal_dossier(d),
        "TrangThaiHoSo": "9",
        "NgayTiepNhan": national.when(T0),
        "NgayHenTra": later,
        "NgayKetThucXuLy": later,
    }
    backwards = {**jump, "TrangThaiHoSo": "2", "NgayTiepNhan": national.when(T0 - dt.timedelta(1))}
    for name, data in (("jump", jump), ("backwards", backwards)):
        with transaction.atomic():
            outbox.enqueue(
                destination=national.DESTINATION,
                key=f"{d.code}-{name}",
                dedup_id=f"{d.code}:{name}",
                payload={"isUpdating": True, "action": name, "data": data},
            )
    deliver()
    jump_m = OutboxMessage.objects.get(dedup_id=f"{d.code}:jump")
    back_m = OutboxMessage.objects.get(dedup_id=f"{d.code}:backwards")
    assert (
        jump_m.state == "dead" and "(mã 21)" in jump_m.last_error and "1 → 9" in jump_m.last_error
    )
    assert back_m.state == "dead" and "(mã 23)" in back_m.last_error
    assert "NgayNopHoSo phải không muộn hơn NgayTiepNhan" in back_m.last_error


def test_destination_down_messages_wait_then_go_in_order(world, receiver):
    st = world.a.staff
    receiver.control(mode="down")
    d = submit(world, T0)
    d = s.dossier_receive(dossier_id=d.pk, actor=st["c:counter"], at=T0)
    d = s.dossier_forward(dossier_id=d.pk, actor=st["c:counter"], at=T0)
    totals = deliver()
    # only the head of the dossier's messages was tried; the others wait behind it
    assert (totals["retried"], totals["delivered"]) == (1, 0)
    assert sent(d) == [("submit", "pending"), ("receive", "pending"), ("forward", "pending")]
    head = OutboxMessage.objects.filter(key=d.code).order_by("id").first()
    assert head.last_error == "HTTP 503" and head.attempts == 1
    # an hour later (back-off passed): still down
    soon = timezone.now() + dt.timedelta(hours=1)
    b = outbox.deliver_batch(outbox.claim(names=[national.DESTINATION], now=soon))
    assert (b.retried, b.delivered) == (1, 0)
    receiver.control(mode="up")
    for _ in range(3):
        outbox.deliver_batch(
            outbox.claim(names=[national.DESTINATION], now=timezone.now() + dt.timedelta(hours=3))
        )
    assert sent(d) == [("submit", "delivered"), ("receive", "delivered"), ("forward", "delivered")]
    assert receiver.dossier(d.code)["history"] == [1, 2, 4]


def test_a_repeat_is_dropped_by_the_receiver(world, receiver):
    d = submit(world, T0)
    m = OutboxMessage.objects.get(key=d.code)
    national.deliver(m)
    national.deliver(m)  # a second worker after a lease ran out
    before = receiver.stats()
    national.deliver(m)
    after = receiver.stats()
    assert after["duplicates"] == before["duplicates"] + 1
    assert after["accepted"] == before["accepted"]
    assert receiver.dossier(d.code)["history"] == [1]


def test_an_expired_session_is_renewed(world, receiver):
    d = submit(world, T0)
    deliver()
    receiver.control(expire_sessions=True)
    d = s.dossier_receive(dossier_id=d.pk, actor=world.a.staff["c:counter"], at=T0)
    totals = deliver()
    assert (totals["delivered"], totals["retried"]) == (1, 0)
    assert receiver.dossier(d.code)["history"] == [1, 2]


def test_wrong_credentials_are_retried_not_buried(world, receiver, settings):
    settings.MOTCUA_NATIONAL_SYNC_PASSWORD = "sai"
    d = submit(world, T0)
    totals = deliver()
    m = OutboxMessage.objects.get(key=d.code)
    assert totals["retried"] == 1 and m.state == "pending"
    assert m.last_error.startswith("đăng nhập bị từ chối: Sai tài khoản")


def test_no_message_while_the_sync_is_not_configured(world, settings):
    settings.MOTCUA_NATIONAL_SYNC_URL = ""
    submit(world, T0)
    assert OutboxMessage.objects.count() == 0
