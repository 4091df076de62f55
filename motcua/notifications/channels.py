"""The channels' adapters: what goes out on each, in the provider's own protocol.

Each `send_*` takes a logged Message and returns the provider's id for it, or raises
`Temporary` (try again later: provider down, timeout, 5xx, quota) or `Permanent` (the
message itself is refused: bad number, bad template). The outbox destinations
(delivery.py) turn these into outbox.Retry / outbox.Reject.

- E-mail: Django's mail backend (EMAIL_BACKEND, EMAIL_HOST…: real SMTP in production).
- SMS: an eSMS-style JSON POST (rest.esms.vn SendMultipleMessage_V4_post_json): ApiKey,
  SecretKey, Phone, Content, Brandname, SmsType 2 (brandname customer care), RequestId (the
  message's de-duplication id: the provider drops a repeat); answer {"CodeResult": "100",
  "SMSID": …}. The field names are eSMS's; another provider needs its own adapter.
- Zalo: a ZNS template message (POST business.openapi.zalo.me/message/template, header
  access_token; {phone: "84…", template_id, template_data, tracking_id}); answer
  {"error": 0, "message": …, "data": {"msg_id": …}}.
"""

from __future__ import annotations

import json
import smtplib
from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings
from django.core.mail import EmailMessage, get_connection

if TYPE_CHECKING:
    from .models import Message


class Temporary(Exception):
    """The provider could not take the message now; try again."""


class Permanent(Exception):
    """The provider refuses this message; trying again will not help."""


def international(phone: str) -> str:
    """A Vietnamese number as providers want it: 84 + the number without its leading 0."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("84"):
        return digits
    if digits.startswith("0"):
        return "84" + digits[1:]
    return digits


def send_email(message: Message) -> str:
    mail = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={"Message-ID": f"<{message.dedup_id}@motcua>"},
        connection=get_connection(fail_silently=False),
    )
    try:
        mail.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise Permanent(f"SMTP refused the recipient: {exc.recipients}") from exc
    except OSError as exc:  # refused connection, timeout, any other SMTP answer (SMTPException)
        raise Temporary(f"SMTP: {exc.__class__.__name__}: {exc}") from exc
    return f"{message.dedup_id}@motcua"


def _post(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    timeout = float(getattr(settings, "MOTCUA_NOTIFY_HTTP_TIMEOUT", 10))
    try:
        response = requests.post(url, json=body, headers=headers or {}, timeout=timeout)
    except requests.RequestException as exc:
        raise Temporary(f"{url}: {exc.__class__.__name__}: {exc}") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise Temporary(f"{url}: HTTP {response.status_code}")
    if response.status_code >= 400:
        raise Permanent(f"{url}: HTTP {response.status_code} {response.text[:200]}")
    try:
        return response.json()
    except json.JSONDecodeError as exc:
        raise Temporary(f"{url}: not JSON") from exc


# eSMS answers: 100 accepted; 99 unknown error, 103 no balance, 104 brandname not
# ready: the provider's side, try later; anything else (101 bad key, 118 bad type, 119
# brandname, 177 unknown network…) is about the request itself.
_SMS_TEMPORARY = {"99", "103", "104"}


def send_sms(message: Message) -> str:
    url = str(getattr(settings, "MOTCUA_SMS_URL", ""))
    if not url:
        raise Temporary("MOTCUA_SMS_URL is not set")
    answer = _post(
        url,
        {
            "ApiKey": getattr(settings, "MOTCUA_SMS_API_KEY", ""),
            "SecretKey": getattr(settings, "MOTCUA_SMS_SECRET_KEY", ""),
            "Phone": international(message.recipient),
            "Content": message.body,
            "Brandname": getattr(settings, "MOTCUA_SMS_BRANDNAME", ""),
            "SmsType": "2",
            "IsUnicode": "0" if getattr(settings, "MOTCUA_SMS_UNACCENTED", True) else "1",
            "RequestId": message.dedup_id,
            "Sandbox": "1" if getattr(settings, "MOTCUA_SMS_SANDBOX", False) else "0",
        },
    )
    code = str(answer.get("CodeResult", ""))
    if code == "100":
        return str(answer.get("SMSID", ""))
    error = f"SMS CodeResult {code}: {answer.get('ErrorMessage', '')}".strip()
    if code in _SMS_TEMPORARY:
        raise Temporary(error)
    raise Permanent(error)


def zalo_template_id(event: str) -> str:
    """The approved ZNS template of an event (MOTCUA_ZALO_TEMPLATE_IDS: a mapping, or its
    JSON text as the environment gives it)."""
    ids = getattr(settings, "MOTCUA_ZALO_TEMPLATE_IDS", {}) or {}
    if isinstance(ids, str):
        ids = json.loads(ids)
    return str(ids.get(event, ""))


# ZNS error codes that are the provider's side or a quota (try later): -124 token expired
# (renewed by the operator), -1 unknown, -108/-139 quota, -144 daily quota.
_ZALO_TEMPORARY = {-1, -124, -108, -139, -144}


def send_zalo(message: Message) -> str:
    url = str(getattr(settings, "MOTCUA_ZALO_URL", ""))
    template_id = zalo_template_id(message.event)
    if not url:
        raise Temporary("MOTCUA_ZALO_URL is not set")
    if not template_id:
        raise Permanent(f"no ZNS template id for the event {message.event!r}")
    body: dict[str, Any] = {
        "phone": international(message.recipient),
        "template_id": template_id,
        "template_data": message.params,
        "tracking_id": message.dedup_id,
    }
    if getattr(settings, "MOTCUA_ZALO_DEVELOPMENT", False):
        body["mode"] = "development"
    answer = _post(url, body, {"access_token": getattr(settings, "MOTCUA_ZALO_ACCESS_TOKEN", "")})
    error = int(answer.get("error", -1))
    if error == 0:
        return str((answer.get("data") or {}).get("msg_id", ""))
    text = f"ZNS error {error}: {answer.get('message', '')}"
    if error in _ZALO_TEMPORARY:
        raise Temporary(text)
    raise Permanent(text)


SENDERS = {"email": send_email, "sms": send_sms, "zalo": send_zalo}
