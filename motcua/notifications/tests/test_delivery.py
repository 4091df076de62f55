"""Messages for each dossier event, received by the real SMTP server and the local SMS /
Zalo provider, with the right text; retries, dead letters, de-duplication, preferences,
languages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from motcua.dossiers import services as s
from motcua.dossiers.enums import Status
from motcua.integration.models import OutboxMessage, OutboxState
from motcua.notifications.enums import DESTINATION
from motcua.notifications.models import Message, Preference

from .conftest import T0, advance, deliver, subject

pytestmark = pytest.mark.django_db

PUBLIC = "https://dichvucong.bacninh.gov.vn"
EMAIL = "citizen@example.vn"


def _sent(dossier, channel):
    return list(Message.objects.filter(dossier=dossier, channel=channel).order_by("id"))


def test_receipt_by_email_and_sms_by_default(world, channels):
    inbox, gateway = channels
    d = advance(world, Status.RECEIVED)
    assert deliver()["delivered"] == 2

    (mail,) = inbox.to(EMAIL)
    assert subject(mail) == f"Hồ sơ {d.code} đã được tiếp nhận"
    body = mail.get_content()
    assert body.startswith("Kính gửi ông/bà Nguyễn Văn citizen,")
    due = d.due_at.astimezone(dt.timezone(dt.timedelta(hours=7))).strftime("%d/%m/%Y")
    assert f"hẹn trả kết quả ngày {due}." in body
    assert f"Tra cứu: {PUBLIC}/tra-cuu/?code={d.code}" in body
    assert body.rstrip().endswith("UBND A")

    (sms,) = gateway.received("sms")
    assert sms["body"]["Phone"] == "84912345678"
    assert sms["body"]["Content"] == (
        f"Ho so {d.code} da duoc tiep nhan, hen tra {due}. Tra cuu: {PUBLIC}/tra-cuu/?code={d.code}"
    )
    assert sms["body"]["RequestId"] == f"dossier-event:{d.events.get(action='receive').pk}:sms"
    assert gateway.received("zalo") == []
    (m_mail,) = _sent(d, "email")
    (m_sms,) = _sent(d, "sms")
    assert (m_mail.status, m_mail.attempts, m_mail.event) == ("sent", 1, "receipt")
    assert (m_sms.status, m_sms.provider_id) == ("sent", sms["id"])


@pytest.mark.parametrize(
    ("status", "title", "phrase", "sms_phrase"),
    [
        (
            Status.SUPPLEMENT_REQUESTED,
            "Hồ sơ {code} cần bổ sung",
            "cần bổ sung: Thiếu giấy chứng sinh.",
            "Ho so {code} can bo sung giay to, xem chi tiet.",
        ),
        (
            Status.FINANCIAL_OBLIGATION,
            "Hồ sơ {code}: đề nghị nộp phí, lệ phí",
            "cần thực hiện nghĩa vụ tài chính: 8.000 đồng.",
            "Ho so {code}: de nghi nop 8.000 dong.",
        ),
        (
            Status.PROCESSED,
            "Hồ sơ {code} đã có kết quả",
            "Hồ sơ {code} đã có kết quả. Đề nghị ông/bà nhận kết quả",
            "Ho so {code} da co ket qua, moi nhan.",
        ),
    ],
)
def test_each_event_says_what_to_do_next(world, channels, status, title, phrase, sms_phrase):
    inbox, gateway = channels
    d = advance(world, status)
    deliver()
    mails = inbox.to(EMAIL)
    assert [subject(m) for m in mails] == [
        f"Hồ sơ {d.code} đã được tiếp nhận",
        title.format(code=d.code),
    ]
    assert phrase.format(code=d.code) in mails[1].get_content()
    contents = [r["body"]["Content"] for r in gateway.received("sms")]
    assert len(contents) == 2
    assert contents[1].startswith(sms_phrase.format(code=d.code))
    assert contents[1].endswith(f"Tra cuu: {PUBLIC}/tra-cuu/?code={d.code}")


def test_apology_gives_the_new_date(world, channels):
    inbox, _ = channels
    d = advance(world, Status.PROCESSING)
    new_due = d.due_at + dt.timedelta(days=7)
    s.dossier_apologize(
        dossier_id=d.pk,
        actor=world.a.staff["s:leader"],
        reason="Chờ xác minh",
        new_due_at=new_due,
        at=T0 + dt.timedelta(hours=2),
    )
    deliver()
    mail = inbox.to(EMAIL)[-1]
    assert subject(mail) == f"Thư xin lỗi: hồ sơ {d.code} được hẹn lại ngày trả"
    day = new_due.astimezone(dt.timezone(dt.timedelta(hours=7))).strftime("%d/%m/%Y")
    assert f"chưa giải quyết đúng hẹn: Chờ xác minh. Ngày hẹn trả mới: {day}." in (
        mail.get_content()
    )


def test_no_message_for_events_nobody_is_told_about(world, channels):
    d = advance(world, Status.PROCESSING)  # submit, receive, forward
    assert sorted(Message.objects.filter(dossier=d).values_list("event", flat=True)) == [
        "receipt",
        "receipt",
    ]


def test_zalo_template_message_when_chosen(world, channels):
    _, gateway = channels
    Preference.objects.create(user=world.citizen, email=False, sms=False, zalo=True)
    d = advance(world, Status.RECEIVED)
    assert deliver()["delivered"] == 1
    (zns,) = gateway.received("zalo")
    body = zns["body"]
    assert body["phone"] == "84912345678"
    assert body["template_id"] == "301001"
    assert body["template_data"]["dossier_code"] == d.code
    assert body["template_data"]["customer_name"] == "Nguyễn Văn citizen"
    assert body["template_data"]["lookup_url"] == f"{PUBLIC}/tra-cuu/?code={d.code}"
    assert body["template_data"]["next_step"].startswith(f"Hồ sơ {d.code} đã được tiếp nhận")
    assert body["tracking_id"].endswith(":zalo")
    assert gateway.received("sms") == []
    assert [m.channel for m in Message.objects.filter(dossier=d)] == ["zalo"]


@pytest.mark.parametrize(
    ("email", "sms", "expected"),
    [(True, False, ["email"]), (False, True, ["sms"]), (False, False, [])],
)
def test_preferences_respected(world, channels, email, sms, expected):
    inbox, gateway = channels
    Preference.objects.create(user=world.citizen, email=email, sms=sms, zalo=False)
    d = advance(world, Status.RECEIVED)
    deliver()
    assert sorted(Message.objects.filter(dossier=d).values_list("channel", flat=True)) == expected
    assert len(inbox.to(EMAIL)) == (1 if email else 0)
    assert len(gateway.received("sms")) == (1 if sms else 0)


def test_default_without_a_phone_is_email_only(world, channels):
    from motcua.org.models import Applicant

    Applicant.objects.filter(user=world.citizen).update(phone="")
    d = advance(world, Status.RECEIVED, applicant={"phone": ""})
    assert [m.channel for m in Message.objects.filter(dossier=d)] == ["email"]


def test_english_when_the_applicant_chose_english(world, channels):
    inbox, gateway = channels
    Preference.objects.create(user=world.citizen, email=True, sms=True, language="en")
    d = advance(world, Status.RECEIVED)
    deliver()
    (mail,) = inbox.to(EMAIL)
    assert subject(mail) == f"Dossier {d.code} has been received"
    assert mail.get_content().startswith("Dear Nguyễn Văn citizen,")
    (sms,) = gateway.received("sms")
    assert sms["body"]["Content"].startswith(f"Dossier {d.code} received, due ")
    assert set(Message.objects.filter(dossier=d).values_list("language", flat=True)) == {"en"}


def _due_now(destination: str) -> None:
    OutboxMessage.objects.filter(destination=destination).update(next_attempt_at=timezone.now())


def test_provider_down_then_retried(world, channels):
    _, gateway = channels
    gateway.fail(times=2, status=503)
    d = advance(world, Status.RECEIVED)
    deliver()
    (m,) = _sent(d, "sms")
    assert (m.status, m.attempts) == ("failed", 1)
    assert "HTTP 503" in m.last_error
    box = OutboxMessage.objects.get(destination=DESTINATION["sms"])
    assert box.state == OutboxState.PENDING
    _due_now(DESTINATION["sms"])
    deliver()
    m.refresh_from_db()
    assert (m.status, m.attempts) == ("failed", 2)
    assert gateway.received("sms") == []
    _due_now(DESTINATION["sms"])
    deliver()
    m.refresh_from_db()
    assert (m.status, m.attempts, m.last_error) == ("sent", 3, "")
    assert len(gateway.received("sms")) == 1
    assert OutboxMessage.objects.get(pk=box.pk).state == OutboxState.DELIVERED


def test_smtp_down_then_retried(world, channels, settings):
    inbox, _ = channels
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there
    d = advance(world, Status.RECEIVED)
    deliver()
    (m,) = _sent(d, "email")
    assert m.status == "failed"
    assert inbox.to(EMAIL) == []
    settings.EMAIL_PORT = port
    _due_now(DESTINATION["email"])
    deliver()
    m.refresh_from_db()
    assert m.status == "sent"
    assert len(inbox.to(EMAIL)) == 1


def test_refused_by_the_provider_is_dead_at_once(world, channels, settings):
    inbox, gateway = channels
    settings.MOTCUA_SMS_API_KEY = "wrong"
    inbox.refuse.add(EMAIL)
    d = advance(world, Status.RECEIVED)
    totals = deliver()
    assert totals["dead"] == 2
    by_channel = {m.channel: m for m in Message.objects.filter(dossier=d)}
    assert by_channel["sms"].status == "dead"
    assert "CodeResult 101" in by_channel["sms"].last_error
    assert by_channel["email"].status == "dead"
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {OutboxState.DEAD}


def test_out_of_attempts_is_dead(world, channels):
    from motcua.notifications import delivery

    _, gateway = channels
    gateway.fail(times=-1, status=502)
    d = advance(world, Status.RECEIVED)
    OutboxMessage.objects.filter(destination=DESTINATION["sms"]).update(
        attempts=delivery.MAX_ATTEMPTS - 1
    )
    deliver()
    (m,) = _sent(d, "sms")
    assert m.status == "dead"
    assert OutboxMessage.objects.get(destination=DESTINATION["sms"]).state == OutboxState.DEAD


def test_a_repeat_delivery_sends_nothing_twice(world, channels):
    inbox, gateway = channels
    advance(world, Status.RECEIVED)
    deliver()
    # A worker killed after the send but before the outbox's mark: handed over again.
    OutboxMessage.objects.update(state=OutboxState.PENDING, next_attempt_at=timezone.now())
    assert deliver()["delivered"] == 2
    assert len(inbox.to(EMAIL)) == 1
    assert len(gateway.received("sms")) == 1


def test_the_provider_drops_a_repeat_of_the_same_request_id(world, channels):
    """Even when our log is lost, the SMS carries its RequestId: the provider drops it."""
    _, gateway = channels
    advance(world, Status.RECEIVED)
    deliver()
    Message.objects.update(status="queued", sent_at=None)
    OutboxMessage.objects.update(state=OutboxState.PENDING, next_attempt_at=timezone.now())
    deliver()
    assert len(gateway.received("sms")) == 1


def test_messages_are_written_with_the_event(world, channels):
    """Rolled back with a failed transition: a refused action writes no message."""
    from motcua.core.errors import DomainError

    d = advance(world, Status.RECEIVED)
    before = (Message.objects.count(), OutboxMessage.objects.count())
    with pytest.raises(DomainError):
        s.dossier_receive(dossier_id=d.pk, actor=world.a.staff["c:counter"])
    assert (Message.objects.count(), OutboxMessage.objects.count()) == before == (2, 2)


def test_a_counter_intake_is_told_once_and_a_refused_one_not_at_all(world, channels):
    from motcua.dossiers.tests.factories import PDF

    intake = {
        "actor": world.a.staff["c:counter"],
        "procedure": world.procedure,
        "receiving_agency": world.a.center,
        "applicant": {
            "name": "Trần Thị Bưu",
            "id_number": "027190000001",
            "phone": "0987654321",
            "email": "buu@example.vn",
        },
        "at": T0,
    }
    d = s.dossier_intake(**intake, files={world.components[0].pk: [("scan.pdf", PDF)]})
    assert d.status == Status.RECEIVED
    assert sorted(
        Message.objects.filter(dossier=d).values_list("event", "channel", "recipient")
    ) == [("receipt", "email", "buu@example.vn"), ("receipt", "sms", "0987654321")]
    refused = s.dossier_intake(**intake, refuse_reason="Không thuộc thẩm quyền")
    assert refused.status == Status.REFUSED
    assert not Message.objects.filter(dossier=refused).exists()
