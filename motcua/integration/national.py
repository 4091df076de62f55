"""The national portal's dossier sync (Cổng DVC quốc gia, "DongBoHoSoMC"): a destination of
the outbox (docs/integration.md "Đồng bộ Cổng DVC quốc gia").

Each dossier's creation and every change of a synced field (its status, a new
appointment, an electronic result) becomes one outbox message in the transition's
transaction (`sync_dossier_event`, a dossier hook): the dossier as it stands after the
event, in the portal's format (`portal_dossier`), built from the locked row the service
already holds (no extra query on the hot path). The delivery (`deliver`) logs in (`POST
{url}{auth path}` {username, password}, header dstcode → session) and posts
{session, madonvi, service, isUpdating, MaYeuCau, data: [dossier]}; `MaYeuCau` is the
message's dedup id, so the portal drops a repeat.

The protocol's shape is the one public provincial clients show (integration-reference
§3.1, IMPL); the official specification was not seen (UNCONFIRMED): paths, error codes and
the idempotency field are settings or documented, and the receiving service
(`python -m motcua.devtools.national_portal`) speaks the same.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from motcua.core.audit import actor_label
from motcua.core.errors import ValidationFailed
from motcua.core.types import Actor
from motcua.dossiers.enums import Action

from . import outbox

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier, DossierEvent

    from .models import OutboxMessage

log = logging.getLogger(__name__)

DESTINATION = "national_sync"
SCHEMA_VERSION = "1"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
# The events that change what the portal holds of a dossier: every status change (every
# action whose table target is a status), and the two that change a synced field in place:
# a new appointment (apology, Mẫu 04) and the electronic result (4.1).
IN_PLACE = frozenset({Action.APOLOGIZE, Action.ATTACH_RESULT})
CREATION = frozenset({Action.SUBMIT, Action.INTAKE})

# Answers of the portal (error_code): 0 accepted; the session is gone (log in again);
# the rest are refusals of this message that no retry changes.
OK = 0
SESSION_INVALID = 11


def configured() -> bool:
    return bool(getattr(settings, "MOTCUA_NATIONAL_SYNC_URL", ""))


def synced(event: DossierEvent) -> bool:
    """Whether this event is sent to the national portal (one rule: the hook and `resend`)."""
    return (
        event.action in CREATION
        or event.action in IN_PLACE
        or (event.from_status is not None and event.from_status != event.to_status)
    )


def when(value: dt.datetime | None) -> str:
    """The portal's date: yyyyMMddHHmmss in Asia/Ho_Chi_Minh; "" when there is none."""
    return value.astimezone(VN).strftime("%Y%m%d%H%M%S") if value is not None else ""


def _fees(dossier: Dossier) -> list[dict[str, str]]:
    lines = (dossier.fee_assessment or {}).get("lines", [])
    return [
        {
            "TenPhiLePhi": str(line.get("name", "")),
            "MaPhiLePhi": str(line.get("item_id") or ""),
            "LoaiPhiLePhi": "1" if line.get("kind") == "phi" else "2",
            "Gia": str(line["final_vnd"]) if line.get("final_vnd") is not None else "",
        }
        for line in lines
    ]


def portal_dossier(dossier: Dossier) -> dict[str, Any]:
    """The dossier in the portal's format (one-stop-reference §9): every value a string.
    Reads only the row and the relations the services' lock loads (procedure, agencies)."""
    return {
        "PhienBan": SCHEMA_VERSION,
        "MaHoSo": dossier.code or "",
        "MaTTHC": dossier.procedure.code,
        "TenTTHC": dossier.procedure.name,
        "KenhThucHien": str(dossier.channel),
        "TrangThaiHoSo": str(dossier.status),
        "ChuHoSo": dossier.applicant_name,
        "SoDinhDanh": dossier.applicant_id_number,
        "MaDonViTiepNhan": dossier.receiving_agency.code,
        "DonViXuLy": dossier.settling_agency.code,
        "NgayNopHoSo": when(dossier.submitted_at),
        "NgayTiepNhan": when(dossier.received_at),
        "NgayHenTra": when(dossier.due_at),
        "NgayKetThucXuLy": when(dossier.finished_at),
        "NgayTra": when(dossier.returned_at),
        "DuocThanhToanTrucTuyen": str(dossier.paid_online),
        "HoSoCoThanhPhanSoHoa": "1" if dossier.digitized else "0",
        "CoKetQuaDienTu": "1" if dossier.electronic_result else "0",
        "DanhSachPhiLePhi": _fees(dossier),
    }


def dedup_id(dossier: Dossier, event: DossierEvent) -> str:
    return f"{dossier.code or dossier.pk}:{event.seq}"


def sync_dossier_event(event: DossierEvent, dossier: Dossier) -> None:
    """The dossier hook (in the transition's transaction): one outbox INSERT per synced
    event while the sync is configured."""
    if not configured() or not synced(event):
        return
    outbox.enqueue(
        destination=DESTINATION,
        key=dossier.code or f"#{dossier.pk}",
        dedup_id=dedup_id(dossier, event),
        payload={
            "isUpdating": event.action not in CREATION,
            "action": event.action,
            "event_at": event.at.isoformat(),
            "data": portal_dossier(dossier),
        },
    )


def national_resend(*, actor: Actor, since: dt.datetime, until: dt.datetime | None = None) -> int:
    """Send again, as a full record (an insert the portal takes in place of what it has),
    the current state of every dossier submitted from `since` (to `until`): what an
    operator does after the portal lost data, or after the sync was set up late. New dedup
    ids (the portal must not drop them as repeats); one transaction per 500 dossiers, each
    message after the dossier's earlier ones. Returns how many were queued."""
    from motcua.dossiers.models import Dossier

    if not configured():
        raise ValidationFailed(
            "national_sync_not_configured",
            "Chưa cấu hình đồng bộ Cổng DVC quốc gia (MOTCUA_NATIONAL_SYNC_URL).",
            "The national portal sync is not configured (MOTCUA_NATIONAL_SYNC_URL).",
        )
    qs = Dossier.objects.filter(submitted_at__gte=since).select_related(
        "procedure", "receiving_agency", "settling_agency"
    )
    if until is not None:
        qs = qs.filter(submitted_at__lt=until)
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    who = actor_label(actor)
    n = 0
    ids = list(qs.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), 500):
        with transaction.atomic():
            for dossier in qs.filter(id__in=ids[start : start + 500]).order_by("id"):
                outbox.enqueue(
                    destination=DESTINATION,
                    key=dossier.code or f"#{dossier.pk}",
                    dedup_id=f"{dossier.code or dossier.pk}:resend:{stamp}",
                    payload={
                        "isUpdating": False,
                        "action": "resend",
                        "event_at": timezone.now().isoformat(),
                        "by": who,
                        "data": portal_dossier(dossier),
                    },
                )
                n += 1
    return n


# --- delivery ----------------------------------------------------------------------------


class _Session:
    """The portal session of this process, shared by its threads, renewed when refused."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.token = ""
        self.http = requests.Session()


_SESSION = _Session()


def _url(path_setting: str, default: str) -> str:
    base = str(settings.MOTCUA_NATIONAL_SYNC_URL).rstrip("/")
    return base + str(getattr(settings, path_setting, default))


def _post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST JSON; the answer's JSON. Transport trouble and server errors are a Retry."""
    timeout = float(getattr(settings, "MOTCUA_NATIONAL_SYNC_TIMEOUT", 10))
    try:
        r = _SESSION.http.post(
            url,
            json=body,
            headers={"dstcode": str(getattr(settings, "MOTCUA_NATIONAL_SYNC_DSTCODE", ""))},
            timeout=timeout,
        )
    except requests.RequestException as exc:
        raise outbox.Retry(f"{type(exc).__name__}: {exc}") from None
    if r.status_code == 429 or r.status_code >= 500:
        after = r.headers.get("Retry-After")
        raise outbox.Retry(
            f"HTTP {r.status_code}", after=float(after) if after and after.isdigit() else None
        )
    try:
        data = r.json()
    except ValueError:
        raise outbox.Retry(f"HTTP {r.status_code}: không phải JSON") from None
    if not isinstance(data, dict):
        raise outbox.Retry(f"HTTP {r.status_code}: câu trả lời không đúng dạng")
    return data


def _login() -> str:
    answer = _post(
        _url("MOTCUA_NATIONAL_SYNC_AUTH_PATH", "/auth"),
        {
            "username": settings.MOTCUA_NATIONAL_SYNC_USERNAME,
            "password": settings.MOTCUA_NATIONAL_SYNC_PASSWORD,
        },
    )
    if answer.get("error_code") != OK or not answer.get("session"):
        # Credentials the portal refuses: every message would fail the same way until an
        # operator fixes the settings; retry (back-off) rather than bury them as dead.
        raise outbox.Retry(f"đăng nhập bị từ chối: {answer.get('message', answer)}")
    return str(answer["session"])


def _refusal(answer: dict[str, Any]) -> str:
    code = answer.get("error_code")
    msg = answer.get("message", "")
    errors = answer.get("errors") or []
    fields = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in errors)
    return f"Cổng DVC quốc gia từ chối (mã {code}): {msg}" + (f" [{fields}]" if fields else "")


@outbox.destination(DESTINATION, max_attempts=12, backoff=(10.0, 3600.0), timeout=10.0)
def deliver(message: OutboxMessage) -> None:
    if not configured():
        raise outbox.Retry("chưa cấu hình MOTCUA_NATIONAL_SYNC_URL", after=600)
    url = _url("MOTCUA_NATIONAL_SYNC_PATH", "/integration")
    for _ in range(2):
        with _SESSION.lock:
            if not _SESSION.token:
                _SESSION.token = _login()
            token = _SESSION.token
        answer = _post(
            url,
            {
                "session": token,
                "madonvi": str(getattr(settings, "MOTCUA_NATIONAL_SYNC_DSTCODE", "")),
                "service": "DongBoHoSoMC",
                "isUpdating": bool(message.payload.get("isUpdating")),
                "MaYeuCau": message.dedup_id,
                "data": [message.payload["data"]],
            },
        )
        code = answer.get("error_code")
        if code == OK:
            return
        if code == SESSION_INVALID:
            with _SESSION.lock:
                if _SESSION.token == token:
                    _SESSION.token = ""
            continue
        raise outbox.Reject(_refusal(answer))
    raise outbox.Retry("phiên làm việc bị từ chối sau khi đăng nhập lại")


def reset_session() -> None:
    """Forget the session (tests that start a new portal)."""
    with _SESSION.lock:
        _SESSION.token = ""
