"""The counterparts of the notification tests, all real and on loopback: an SMTP server
(aiosmtpd) and the SMS / Zalo provider process (python -m motcua.devtools.sms_gateway)."""

from __future__ import annotations

import email
import email.policy
import socket
import subprocess
import sys
import time
from email.message import EmailMessage

import pytest
import requests

from motcua.dossiers.tests.conftest import T0, advance, submit, world  # noqa: F401


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """What the SMTP server received, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


@pytest.fixture(scope="session")
def smtp_server():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def smtp(smtp_server, settings):
    inbox, port = smtp_server
    inbox.messages.clear()
    inbox.refuse.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    return inbox


class Gateway:
    def __init__(self, url: str) -> None:
        self.url = url

    def received(self, channel: str | None = None) -> list[dict]:
        got = requests.get(f"{self.url}/_received", timeout=5).json()
        return [r for r in got if channel is None or r["channel"] == channel]

    def fail(self, times: int, status: int = 503) -> None:
        requests.post(f"{self.url}/_fail", json={"times": times, "status": status}, timeout=5)

    def reset(self) -> None:
        requests.post(f"{self.url}/_reset", json={}, timeout=5)


@pytest.fixture(scope="session")
def gateway_process():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "motcua.devtools.sms_gateway", "--port", str(port)]
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the SMS gateway did not start") from None
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def gateway(gateway_process, settings):
    gw = Gateway(gateway_process)
    gw.reset()
    settings.MOTCUA_SMS_URL = (
        f"{gateway_process}/MainService.svc/json/SendMultipleMessage_V4_post_json/"
    )
    settings.MOTCUA_SMS_API_KEY, settings.MOTCUA_SMS_SECRET_KEY = "dev-sms-key", "dev-sms-secret"
    settings.MOTCUA_SMS_BRANDNAME = "MOTCUA"
    settings.MOTCUA_SMS_UNACCENTED = True
    settings.MOTCUA_SMS_MAX_LENGTH = 0
    settings.MOTCUA_ZALO_URL = f"{gateway_process}/message/template"
    settings.MOTCUA_ZALO_ACCESS_TOKEN = "dev-zalo-token"
    settings.MOTCUA_ZALO_TEMPLATE_IDS = {
        "receipt": "301001",
        "supplement_request": "301002",
        "payment_request": "301003",
        "result_ready": "301004",
        "apology": "301005",
    }
    return gw


@pytest.fixture
def channels(smtp, gateway, settings):
    """Every channel reachable; the public URL fixed for the lookup links."""
    settings.MOTCUA_PUBLIC_URL = "https://dichvucong.bacninh.gov.vn"
    settings.MOTCUA_OUTBOX_KICK = False  # the tests run the worker themselves
    return smtp, gateway


def deliver() -> dict[str, int]:
    """Run the outbox worker once, as the Celery task does."""
    from motcua.integration import outbox

    return outbox.run()


def subject(mail: EmailMessage) -> str:
    """The decoded subject (a long encoded header is folded: its whitespace collapsed)."""
    return " ".join(str(mail["Subject"]).split())
