"""Templates: seeded for every event, channel and language; edited in the admin (the next
message says what the edit says); rendered in a sandbox; SMS unaccented and within length."""

from __future__ import annotations

import pytest

from motcua.core.errors import ValidationFailed
from motcua.dossiers.enums import Status
from motcua.notifications import rendering
from motcua.notifications.enums import Event
from motcua.notifications.models import Template
from motcua.org.tests.otp import otp_login

from .conftest import advance, deliver, subject

pytestmark = pytest.mark.django_db


def test_every_event_has_its_templates():
    have = set(Template.objects.values_list("event", "channel", "language"))
    applicant = [e for e in Event.values if e != Event.EARLY_WARNING]
    expected = {
        (e, c, lang) for e in applicant for c in ("email", "sms", "zalo") for lang in ("vi", "en")
    }
    expected |= {("early_warning", "email", "vi"), ("early_warning", "email", "en")}
    assert have == expected


def test_seeded_sms_fit_one_segment_with_a_long_code():
    context = {
        "dossier_code": "000.00.01.H24-260304-0001",
        "due_date": "09/03/2026",
        "fee_due": "1.250.000 đồng",
        "lookup_url": "https://dichvucong.bacninh.gov.vn/tra-cuu/?code=000.00.01.H24-260304-0001",
    }
    for t in Template.objects.filter(channel="sms"):
        text = rendering.sms_text(rendering.render(t.body, context))
        assert text.isascii(), t
        assert len(text) <= 160, (t, len(text))
        assert not text.endswith("..."), (t, text)  # not cut: the link is whole


def test_edited_in_the_admin_the_next_message_says_it(world, channels, client):
    inbox, _ = channels
    t = Template.objects.get(event="receipt", channel="email", language="vi")
    otp_login(client, world.admin)
    response = client.post(
        f"/admin/notifications/template/{t.pk}/change/",
        {
            "subject": "Đã nhận hồ sơ {{ dossier_code }}",
            "body": "Xin chào {{ applicant_name }}. Mã hồ sơ: {{ dossier_code }}.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    d = advance(world, Status.RECEIVED)
    deliver()
    (mail,) = inbox.messages
    assert subject(mail) == f"Đã nhận hồ sơ {d.code}"
    assert mail.get_content().strip() == f"Xin chào Nguyễn Văn citizen. Mã hồ sơ: {d.code}."


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ('{% include "admin/base.html" %}', "template_tag_forbidden"),
        ("{% load static %}{% static 'x' %}", "template_tag_forbidden"),
        ("{% debug %}", "template_tag_forbidden"),
        ("{% if %}", "template_syntax"),
        ("{{ dossier_code|nosuchfilter }}", "template_syntax"),
    ],
)
def test_the_admin_refuses_what_leaves_the_sandbox(world, client, body, code):
    t = Template.objects.get(event="receipt", channel="email", language="vi")
    with pytest.raises(ValidationFailed) as exc:
        rendering.check(body)
    assert exc.value.code == code
    otp_login(client, world.admin)
    response = client.post(
        f"/admin/notifications/template/{t.pk}/change/", {"subject": "x", "body": body}
    )
    assert response.status_code == 200
    assert "Mẫu" in response.content.decode()
    t.refresh_from_db()
    assert t.body != body


def test_only_plain_strings_reach_a_template():
    text = "{{ dossier_code }}|{{ secret }}|{{ missing.attr }}"
    assert rendering.render(text, {"dossier_code": "H24-1"}) == "H24-1||"
    with pytest.raises(ValidationFailed) as exc:
        rendering.render("{{ dossier_code.__class__ }}", {"dossier_code": "H24-1"})
    assert exc.value.code == "template_syntax"


def test_sms_without_accents_and_cut_to_length(settings):
    settings.MOTCUA_SMS_UNACCENTED = True
    settings.MOTCUA_SMS_MAX_LENGTH = 0
    assert rendering.sms_text("Hồ sơ ĐÃ được tiếp nhận") == "Ho so DA duoc tiep nhan"
    long = "Hồ sơ " + "đ" * 200
    cut = rendering.sms_text(long)
    assert len(cut) == 160 and cut.endswith("...") and cut.startswith("Ho so ddd")
    settings.MOTCUA_SMS_UNACCENTED = False
    kept = rendering.sms_text(long)
    assert len(kept) == 70 and kept.endswith("…") and kept.startswith("Hồ sơ đđ")
    settings.MOTCUA_SMS_MAX_LENGTH = 306
    assert rendering.sms_text(long) == long


def test_a_missing_english_template_falls_back_to_vietnamese(world, channels):
    from motcua.notifications.models import Message, Preference

    Template.objects.filter(event="receipt", language="en").delete()
    Preference.objects.create(user=world.citizen, email=True, sms=False, language="en")
    d = advance(world, Status.RECEIVED)
    (m,) = Message.objects.filter(dossier=d)
    assert (m.language, m.subject) == ("vi", f"Hồ sơ {d.code} đã được tiếp nhận")
