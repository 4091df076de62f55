"""Record ↔ canonical form: validation and normalization of one import record, and the
same canonical form read back from a stored version (what import compares and export
writes)."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from motcua.core.errors import ValidationFailed
from motcua.core.text import fold, nfc

from ..cases import derive_cases
from ..enums import Channel, Level, OnlineLevel, TimeUnit
from ..limits import Limit, limits_of, parse_cutoff, process_hours, read_time_limit
from ..models import ProcedureVersion
from ..services import process_errors

_UNITS = {
    "ngay lam viec": TimeUnit.WORKING_DAYS,
    "working days": TimeUnit.WORKING_DAYS,
    "gio": TimeUnit.WORKING_HOURS,
    "gio lam viec": TimeUnit.WORKING_HOURS,
    "working hours": TimeUnit.WORKING_HOURS,
    "ngay": TimeUnit.CALENDAR_DAYS,
    "calendar days": TimeUnit.CALENDAR_DAYS,
    "trong ngay": TimeUnit.SAME_DAY,
    "same day": TimeUnit.SAME_DAY,
}
_CHANNELS = {
    "truc tiep": Channel.COUNTER,
    "truc tuyen": Channel.ONLINE,
    "buu chinh": Channel.POST,
    "qua buu chinh cong ich": Channel.POST,
}
_ONLINE = {
    "full": OnlineLevel.FULL,
    "toan trinh": OnlineLevel.FULL,
    "partial": OnlineLevel.PARTIAL,
    "mot phan": OnlineLevel.PARTIAL,
    "none": OnlineLevel.NONE,
    "khong": OnlineLevel.NONE,
}
PROVENANCE = ("portal_url", "record_date", "level_raw", "notes")


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    # Every time limit the importer could not read, one entry per record: {index, code,
    # field, message, message_en}. Such a version takes no dossiers by the channels left
    # without a limit until an administrator sets it (`motcua catalog set-limit`).
    unread_limits: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        return (
            f"created {len(self.created)}, updated {len(self.updated)}, "
            f"unchanged {len(self.unchanged)}, rejected {len({e['index'] for e in self.errors})}, "
            f"time limits not read {len(self.unread_limits)}"
        )


def field_code_for(name: str) -> str:
    """A stable lĩnh vực code: slug of the folded name; past 40 characters, cut and suffixed
    with 8 hex digits of its SHA-1 so two long names never collide."""
    slug = fold(name).replace(" ", "-")
    if len(slug) <= 40:
        return slug
    return f"{slug[:31].rstrip('-')}-{hashlib.sha1(slug.encode()).hexdigest()[:8]}"  # noqa: S324


def _multiline(value: Any) -> str:
    """NFC, but keep line breaks of long texts (trình tự, điều kiện)."""
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else ""


def _is_optional(name: str) -> bool:
    key = fold(name)
    return key.startswith("truong hop") or "neu co" in key


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


class _Record:
    """Collects errors for one record; every error names `records[i].<key>`."""

    def __init__(self, index: int, raw: dict[str, Any], report: ImportReport) -> None:
        self.index, self.raw, self.report = index, raw, report
        self.code = raw.get("code") if isinstance(raw.get("code"), str) else None
        self.failed = False

    def error(self, key: str, vi: str, en: str) -> None:
        self.failed = True
        self.report.errors.append(
            {
                "index": self.index,
                "code": self.code,
                "field": f"records[{self.index}].{key}",
                "message": vi,
                "message_en": en,
            }
        )

    def text(self, key: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(key, f"Thiếu '{key}'.", f"'{key}' is required.")
            return ""
        if not isinstance(value, str):
            self.error(key, f"'{key}' phải là chuỗi.", f"'{key}' must be a string.")
            return ""
        value = nfc(value)
        if max_length and len(value) > max_length:
            self.error(
                key, f"'{key}' dài quá {max_length} ký tự.", f"'{key}' exceeds {max_length}."
            )
        return value

    def text_list(self, key: str) -> list[str]:
        value = self.raw.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(key, f"'{key}' phải là danh sách chuỗi.", f"'{key}' must be strings.")
            return []
        return [nfc(v) for v in value if v.strip()]

    def boolean(self, key: str, default: bool) -> bool:
        value = self.raw.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(key, f"'{key}' phải là true/false.", f"'{key}' must be a boolean.")
            return default
        return value


def normalize_record(index: int, raw: Any, report: ImportReport) -> dict[str, Any] | None:
    """One record → the canonical form compared with, and written to, the database."""
    if not isinstance(raw, dict):
        report.errors.append(
            {
                "index": index,
                "code": None,
                "field": f"records[{index}]",
                "message": f"Bản ghi {index} không phải đối tượng JSON.",
                "message_en": f"Record {index} is not a JSON object.",
            }
        )
        return None
    r = _Record(index, raw, report)
    code = r.text("code", required=True, max_length=40)
    name = r.text("name", required=True, max_length=1000)
    field_name = r.text("field", required=True, max_length=255)
    field_code = r.text("field_code", max_length=40) or (
        field_code_for(field_name) if field_name else ""
    )

    level = None
    if isinstance(raw.get("level"), str):
        key = fold(raw["level"]).removeprefix("cap ")
        level = key if key in Level.values else None
    if level is None:
        r.error("level", "Cấp thực hiện phải là xã, tỉnh hoặc bộ.", "level must be xã/tỉnh/bộ.")

    # Time limit
    tl = raw.get("time_limit") or {}
    value, unit, tl_text = None, TimeUnit.WORKING_DAYS.value, ""
    if not isinstance(tl, dict):
        r.error("time_limit", "'time_limit' phải là đối tượng.", "time_limit must be an object.")
        tl = {}
    if tl.get("value") is not None:
        value = _decimal(tl["value"])
        if (
            value is None
            or value <= 0
            or value >= 10**5
            or value != value.quantize(Decimal("0.01"))
        ):
            r.error(
                "time_limit.value",
                "Thời hạn phải là số dương (tối đa 2 chữ số thập phân).",
                "time_limit.value must be a positive number with at most 2 decimals.",
            )
            value = None
        else:
            value = value.quantize(Decimal("0.01"))
    raw_unit = tl.get("unit")
    if raw_unit is None:
        if value is not None:
            report.notes.append(
                f"records[{index}] {code}: time_limit.unit is null → read as working days"
            )
    elif isinstance(raw_unit, str) and (
        raw_unit in TimeUnit.values or fold(raw_unit).replace("_", " ") in _UNITS
    ):
        unit = raw_unit if raw_unit in TimeUnit.values else _UNITS[fold(raw_unit)].value
    else:
        r.error(
            "time_limit.unit",
            f"Đơn vị thời hạn '{raw_unit}' không hợp lệ.",
            f"Unknown time_limit.unit '{raw_unit}'.",
        )
    if tl.get("text") is not None:
        tl_text = _multiline(tl["text"])

    # Channels
    channels: set[int] = set()
    raw_channels = raw.get("channels")
    if not isinstance(raw_channels, list) or not raw_channels:
        r.error("channels", "Cần ít nhất một cách thức thực hiện.", "At least one channel.")
    else:
        for j, ch in enumerate(raw_channels):
            if isinstance(ch, int) and not isinstance(ch, bool) and ch in Channel.values:
                channels.add(ch)
            elif isinstance(ch, str) and fold(ch) in _CHANNELS:
                channels.add(_CHANNELS[fold(ch)].value)
            else:
                r.error(
                    f"channels[{j}]",
                    f"Cách thức '{ch}' không hợp lệ.",
                    f"Unknown channel '{ch}' (trực tiếp / trực tuyến / bưu chính).",
                )

    limits = _time_limits(
        r, raw, value, unit if raw_unit is not None else None, tl_text, sorted(channels)
    )

    # Components
    components = []
    raw_components = raw.get("components")
    if raw_components is not None and not isinstance(raw_components, list):
        r.error("components", "'components' phải là danh sách.", "components must be a list.")
        raw_components = []
    for j, c in enumerate(raw_components or []):
        at = f"components[{j}]"
        if not isinstance(c, dict) or not isinstance(c.get("name"), str) or not c["name"].strip():
            r.error(f"{at}.name", "Thành phần hồ sơ thiếu tên.", "A component needs a name.")
            continue
        counts = {}
        for key in ("original", "copy"):
            n = c.get(key, 0)
            n = 0 if n is None else n
            if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= 32767:
                r.error(f"{at}.{key}", "Số bản phải là số nguyên ≥ 0.", f"{key}: integer ≥ 0.")
                n = 0
            counts[key] = n
        cname = nfc(c["name"])
        form = nfc(c["form"]) if isinstance(c.get("form"), str) else ""
        if len(form) > 500:
            r.error(f"{at}.form", "Tên mẫu dài quá 500 ký tự.", "form exceeds 500 characters.")
        required = c.get("required")
        if not isinstance(required, bool):
            required = not _is_optional(cname)
        components.append(
            {
                "name": cname,
                "original": counts["original"],
                "copy": counts["copy"],
                "required": required,
                "form": form,
                "group": nfc(c["group"]) if isinstance(c.get("group"), str) else "",
                "case": nfc(c["case"]) if isinstance(c.get("case"), str) else None,
            }
        )
    # The case of each component: as the record states it, else read from its wording.
    derived = derive_cases([(c["name"], c["group"]) for c in components])
    for c, case in zip(components, derived, strict=True):
        if c["case"] is None:
            c["case"] = case

    # Fees
    fees = []
    raw_fees = raw.get("fees")
    if raw_fees is not None and not isinstance(raw_fees, list):
        r.error("fees", "'fees' phải là danh sách.", "fees must be a list.")
        raw_fees = []
    for j, f in enumerate(raw_fees or []):
        at = f"fees[{j}]"
        if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f["name"].strip():
            r.error(f"{at}.name", "Khoản phí thiếu tên.", "A fee needs a name.")
            continue
        amount = f.get("amount_vnd")
        if amount is not None and (
            isinstance(amount, bool) or not isinstance(amount, int) or amount < 0
        ):
            r.error(
                f"{at}.amount_vnd",
                "Số tiền phải là số nguyên đồng ≥ 0 hoặc null.",
                "amount_vnd must be a whole number of đồng ≥ 0, or null.",
            )
            amount = None
        fname = nfc(f["name"])
        if len(fname) > 500:
            r.error(f"{at}.name", "Tên khoản phí quá dài.", "Fee name exceeds 500 characters.")
        note = nfc(f["note"]) if isinstance(f.get("note"), str) else ""
        fees.append({"name": fname, "amount_vnd": amount, "note": note})

    # Online level (see module docstring)
    if raw.get("online_level") is None:
        online = OnlineLevel.PARTIAL if Channel.ONLINE in channels else OnlineLevel.NONE
    elif isinstance(raw["online_level"], str) and fold(raw["online_level"]) in _ONLINE:
        online = _ONLINE[fold(raw["online_level"])]
    else:
        online = OnlineLevel.NONE
        r.error(
            "online_level", "Mức độ trực tuyến không hợp lệ.", "online_level: full/partial/none."
        )

    source: dict[str, Any] = {}
    if raw.get("source") is not None:
        source["url"] = raw["source"]
    for key in PROVENANCE:
        if raw.get(key) is not None:
            source[key] = nfc(raw[key]) if isinstance(raw[key], str) else raw[key]
    if raw_fees is None:
        source["fees_unknown"] = True

    effective_from = None
    if raw.get("effective_from") is not None:
        try:
            effective_from = dt.date.fromisoformat(str(raw["effective_from"]))
        except ValueError:
            r.error("effective_from", "Ngày hiệu lực sai định dạng.", "effective_from: YYYY-MM-DD.")

    process = None
    if raw.get("process") is not None:
        process, errs = process_errors(
            raw["process"], process_hours(Limit(**x) for x in limits), prefix="process"
        )
        for e in errs:
            r.error(e["field"], e["message"], e["message_en"])

    version = {
        "name": name,
        "steps_text": _multiline(raw.get("steps_text")),
        "channels": sorted(channels),
        "time_limit_text": tl_text,
        "limits": [_canonical(x) for x in limits],
        "subjects": r.text_list("subjects"),
        "result": _multiline(raw.get("result")),
        "paper_result_required": r.boolean("paper_result_required", True),
        "conditions": _multiline(raw.get("conditions")),
        "legal_basis": r.text_list("legal_basis"),
        "online_level": online.value if hasattr(online, "value") else online,
        "eligible_full_online": r.boolean("eligible_full_online", False),
        "deciding_agency": r.text("deciding_agency"),
        "receiving_agency": r.text("receiving_agency"),
        "agency": r.text("agency"),
        "publication_decision": r.text("publication_decision", max_length=255),
        "source": source,
        "components": components,
        "fees": fees,
    }
    if r.failed:
        return None
    return {
        "index": index,
        "code": code,
        "name": name,
        "field": {"code": field_code, "name": field_name},
        "level": level,
        "version": version,
        "process": process,
        "effective_from": effective_from,
    }


def version_payload(v: ProcedureVersion) -> dict[str, Any]:
    """The canonical form of a stored version (same shape as `normalize_record()["version"]`)."""
    return {
        "name": v.name,
        "steps_text": v.steps_text,
        "channels": sorted(v.channels),
        "time_limit_text": v.time_limit_text,
        "limits": [_canonical(x.as_dict()) for x in limits_of(v).values()],
        "subjects": list(v.subjects),
        "result": v.result,
        "paper_result_required": v.paper_result_required,
        "conditions": v.conditions,
        "legal_basis": list(v.legal_basis),
        "online_level": v.online_level,
        "eligible_full_online": v.eligible_full_online,
        "deciding_agency": v.deciding_agency_text,
        "receiving_agency": v.receiving_agency_text,
        "agency": v.settling_agency_text,
        "publication_decision": v.publication_decision,
        "source": dict(v.source),
        "components": [
            {
                "name": c.name,
                "original": c.original_count,
                "copy": c.copy_count,
                "required": c.required,
                "form": c.form,
                "group": c.group,
                "case": c.case,
            }
            for c in v.components.all()
        ],
        "fees": [
            {"name": f.name, "amount_vnd": f.amount_vnd, "note": f.note} for f in v.fees.all()
        ],
    }


def _canonical(limit: dict[str, Any]) -> dict[str, Any]:
    """A limit as compared and exported: {channel, value (Decimal, 2 places), unit, cutoff
    ("15:00")}."""
    return {
        "channel": int(limit["channel"]),
        "value": limit["value"].quantize(Decimal("0.01")) if limit["value"] is not None else None,
        "unit": str(limit["unit"]),
        "cutoff": limit["cutoff"].strftime("%H:%M")
        if isinstance(limit["cutoff"], dt.time)
        else limit["cutoff"],
    }


def _time_limits(
    r: _Record,
    raw: dict[str, Any],
    value: Decimal | None,
    unit: str | None,
    text: str,
    offered: list[int],
) -> list[dict[str, Any]]:
    """The limits per channel: the record's own `limits` (our export writes them) when
    present, else read from `time_limit` (see `limits.read_time_limit`). What cannot be
    read is reported in `report.unread_limits`, never filled in."""
    given = raw.get("limits")
    if given is None:
        reading = read_time_limit(value, unit, text, offered)
        if reading.problem:
            r.report.unread_limits.append(
                {
                    "index": r.index,
                    "code": r.code,
                    "field": f"records[{r.index}].time_limit",
                    "message": reading.problem_vi,
                    "message_en": reading.problem,
                }
            )
        return [
            {"channel": x.channel, "value": x.value, "unit": x.unit, "cutoff": x.cutoff}
            for x in reading.limits
        ]
    if not isinstance(given, list):
        r.error("limits", "'limits' phải là danh sách.", "limits must be a list.")
        return []
    from ..services import clean_time_limit  # the one check an administrator's limit passes

    out: dict[int, dict[str, Any]] = {}
    for j, item in enumerate(given):
        at = f"limits[{j}]"
        if not isinstance(item, dict) or item.get("channel") not in Channel.values:
            r.error(f"{at}.channel", "Cách thức phải là 1, 2 hoặc 3.", "channel: 1, 2 or 3.")
            continue
        if item["channel"] in out:
            r.error(f"{at}.channel", "Cách thức bị lặp.", "The channel repeats.")
            continue
        try:
            if item.get("cutoff") is not None:
                parse_cutoff(item["cutoff"], f"{at}.cutoff")
            limit = clean_time_limit(
                value=item.get("value"),
                unit=item.get("unit"),
                cutoff=item.get("cutoff"),
                channel=item["channel"],
            )
        except ValidationFailed as exc:
            r.error(f"{at}.{exc.field or 'value'}", exc.message, exc.message_en)
            continue
        out[limit.channel] = {
            "channel": limit.channel,
            "value": limit.value,
            "unit": limit.unit,
            "cutoff": limit.cutoff,
        }
    missing = [ch for ch in offered if ch not in out]
    if missing and not r.failed:
        r.report.unread_limits.append(
            {
                "index": r.index,
                "code": r.code,
                "field": f"records[{r.index}].limits",
                "message": "không có thời hạn cho cách thức "
                + ", ".join(Channel(ch).label.lower() for ch in missing),
                "message_en": "no time limit for channel(s) "
                + ", ".join(Channel(ch).name.lower() for ch in missing),
            }
        )
    return [out[ch] for ch in sorted(out)]


def version_steps(v: ProcedureVersion) -> list[dict[str, Any]]:
    return [
        {
            "name": s.name,
            "role": s.role,
            "agency_role": s.agency_role,
            "duration_hours": s.duration_hours,
        }
        for s in v.steps.all()
    ]
