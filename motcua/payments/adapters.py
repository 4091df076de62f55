"""The one interface a payment provider's adapter offers the payment services: create the
URL the applicant is sent to, verify a notification, query an attempt. Each provider's
protocol (vnpay.py, dvcqg.py) stays its own module; an adapter binds one to its settings.

    adapter_for(payment.provider).query(reference=…, created_at=…, client_ip=…)

Every adapter answers in the same currency, vnpay.Notice (reference, amount in đồng,
paid or not, the provider's transaction number), so the services apply any provider's
verified evidence through the same rule (services.evidence._apply).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings

from . import dvcqg, vnpay
from .models import Provider


class BadSignature(vnpay.ProtocolError):
    """A message whose signature (vnp_SecureHash, MaXacThuc) does not verify."""


@dataclass(frozen=True)
class Order:
    """What an adapter needs to send the applicant to pay one attempt."""

    reference: str
    amount_vnd: int
    description: str
    return_url: str
    client_ip: str
    created_at: dt.datetime
    expires_at: dt.datetime
    dossier_code: str = ""
    procedure_code: str = ""
    procedure_name: str = ""
    payer_name: str = ""


class PaymentAdapter(Protocol):
    provider: str

    def create_payment_url(self, order: Order) -> str:
        """The URL of the provider's checkout page for `order` (may call the provider)."""
        ...

    def verify_notification(self, params: Mapping[str, Any]) -> vnpay.Notice:
        """The notice in a server-to-server notification; BadSignature or ProtocolError."""
        ...

    def query(
        self, *, reference: str, created_at: dt.datetime, client_ip: str
    ) -> vnpay.Notice | None:
        """The provider's verified word on an attempt; None if it knows no such
        transaction. OSError/ValueError when unreachable, ProtocolError when unreadable."""
        ...


class VNPayAdapter:
    provider = Provider.VNPAY.value

    def __init__(self, config: vnpay.Config) -> None:
        self.config = config

    def create_payment_url(self, order: Order) -> str:
        params = vnpay.payment_params(
            self.config,
            txn_ref=order.reference,
            amount_vnd=order.amount_vnd,
            order_info=order.description,
            return_url=order.return_url,
            ip_addr=order.client_ip,
            created_at=order.created_at,
            expires_at=order.expires_at,
        )
        return vnpay.payment_url(self.config, params)

    def verify_notification(self, params: Mapping[str, Any]) -> vnpay.Notice:
        data = {str(k): str(v) for k, v in params.items()}
        if not vnpay.verify(self.config.hash_secret, data):
            raise BadSignature("vnp_SecureHash does not verify")
        return vnpay.read_notice(self.config, data)

    def query(
        self, *, reference: str, created_at: dt.datetime, client_ip: str
    ) -> vnpay.Notice | None:
        from django.utils import timezone

        body = vnpay.query_body(
            self.config,
            request_id=secrets.token_hex(16),
            txn_ref=reference,
            transaction_date=created_at,
            ip_addr=client_ip,
            now=timezone.now(),
        )
        answer = vnpay.post_json(self.config.api_url, body)
        if not vnpay.verify_query_response(self.config.hash_secret, answer):
            raise BadSignature("the querydr answer's vnp_SecureHash does not verify")
        return vnpay.query_notice(self.config, answer)


class NationalPlatformAdapter:
    provider = Provider.NATIONAL_PLATFORM.value

    def __init__(self, config: dvcqg.Config) -> None:
        self.config = config

    def create_payment_url(self, order: Order) -> str:
        body = dvcqg.init_body(
            self.config,
            reference=order.reference,
            amount_vnd=order.amount_vnd,
            created_at=order.created_at,
            ip=order.client_ip,
            dossier_code=order.dossier_code,
            procedure_code=order.procedure_code,
            procedure_name=order.procedure_name,
            payer_name=order.payer_name,
            description=order.description,
        )
        answer = vnpay.post_json(self.config.init_url, body)
        return dvcqg.init_redirect(self.config, answer, order.reference)

    def verify_notification(self, params: Mapping[str, Any]) -> vnpay.Notice:
        if not dvcqg.verify_callback(self.config, params):
            raise BadSignature("MaXacThuc does not verify")
        return dvcqg.read_callback(self.config, params)

    def query(
        self, *, reference: str, created_at: dt.datetime, client_ip: str
    ) -> vnpay.Notice | None:
        from django.utils import timezone

        body = dvcqg.query_body(self.config, reference=reference, now=timezone.now())
        answer = vnpay.post_json(self.config.query_url, body)
        return dvcqg.query_notice(self.config, answer)


def national_config() -> dvcqg.Config | None:
    """The national platform's contract from the settings (MOTCUA_DVCQG_*), or None when
    it is not configured."""
    s = settings
    cfg = dvcqg.Config(
        partner_code=str(getattr(s, "MOTCUA_DVCQG_PARTNER_CODE", "") or ""),
        hash_key=str(getattr(s, "MOTCUA_DVCQG_HASH_KEY", "") or ""),
        init_url=str(getattr(s, "MOTCUA_DVCQG_INIT_URL", "") or ""),
        query_url=str(getattr(s, "MOTCUA_DVCQG_QUERY_URL", "") or ""),
        version=str(getattr(s, "MOTCUA_DVCQG_VERSION", "") or "2.0.0"),
        agency_code=str(getattr(s, "MOTCUA_DVCQG_AGENCY_CODE", "") or ""),
        agency_name=str(getattr(s, "MOTCUA_DVCQG_AGENCY_NAME", "") or ""),
        expire_minutes=int(getattr(s, "MOTCUA_DVCQG_EXPIRE_MINUTES", 15) or 15),
    )
    types = _message_types(str(getattr(s, "MOTCUA_DVCQG_MESSAGE_TYPES", "") or ""))
    if types:
        init, get_bill, confirm = types
        cfg = dataclasses.replace(cfg, msg_init=init, msg_get_bill=get_bill, msg_confirm=confirm)
    if not (cfg.partner_code and cfg.hash_key and cfg.init_url):
        return None
    return cfg


def _message_types(value: str) -> tuple[str, str, str] | None:
    """MOTCUA_DVCQG_MESSAGE_TYPES = "init,get_bill,confirm" (LoaiBanTin of each)."""
    parts = [p.strip() for p in value.split(",")] if value else []
    if len(parts) != 3 or not all(parts):
        return None
    return parts[0], parts[1], parts[2]


def adapter_for(provider: str) -> PaymentAdapter | None:
    """The configured adapter of `provider`, or None if it is not configured."""
    if provider == Provider.NATIONAL_PLATFORM:
        cfg = national_config()
        return NationalPlatformAdapter(cfg) if cfg else None
    if provider == Provider.VNPAY:
        from .services._common import GatewayNotConfigured, gateway_config

        try:
            return VNPayAdapter(gateway_config())
        except GatewayNotConfigured:
            return None
    return None
