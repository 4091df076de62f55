# Data: each version's single limit becomes one ProcedureTimeLimit row per channel. Texts
# that name channels ("Trực tuyến: 17 Ngày làm việc; …; Trực tiếp: 27 Ngày làm việc") give
# each channel its own limit; a version without a limit gets no rows (nothing is invented).
# The reading is frozen here on purpose: a migration must not change with the app's code.

import re
import unicodedata
from decimal import Decimal

from django.db import migrations

_CHANNELS = {
    "truc tiep": 1,
    "truc tuyen": 2,
    "dich vu buu chinh": 3,
    "buu chinh": 3,
    "qua buu chinh cong ich": 3,
}
_UNITS = {
    "ngay lam viec": "working_days",
    "gio lam viec": "working_hours",
    "gio": "working_hours",
    "ngay": "calendar_days",
}
_PART = re.compile(r"^0*(\d+(?:[.,]\d+)?) (ngay lam viec|gio lam viec|gio|ngay)$")


def _fold(text):
    text = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return re.sub(r"\s+", " ", text).strip().lower()


def _per_channel(text):
    parts = [p.strip(" .") for p in _fold(text).split(";") if p.strip()]
    if len(parts) < 2:
        return None
    out = {}
    for part in parts:
        head, sep, tail = part.partition(":")
        match = _PART.match(tail.strip())
        channel = _CHANNELS.get(head.strip())
        if not sep or channel is None or match is None or channel in out:
            return None
        out[channel] = (Decimal(match[1].replace(",", ".")), _UNITS[match[2]])
    return out


def forward(apps, schema_editor):
    Version = apps.get_model("catalog", "ProcedureVersion")
    Limit = apps.get_model("catalog", "ProcedureTimeLimit")
    rows = []
    for v in Version.objects.exclude(time_limit_value=None).iterator():
        per = _per_channel(v.time_limit_text) or {
            ch: (v.time_limit_value, v.time_limit_unit) for ch in (1, 2, 3)
        }
        rows += [
            Limit(version_id=v.pk, channel=ch, value=value, unit=unit)
            for ch, (value, unit) in sorted(per.items())
        ]
    Limit.objects.bulk_create(rows, batch_size=1000)


def backward(apps, schema_editor):
    Version = apps.get_model("catalog", "ProcedureVersion")
    Limit = apps.get_model("catalog", "ProcedureTimeLimit")
    for row in Limit.objects.filter(channel=1).exclude(unit="same_day"):
        Version.objects.filter(pk=row.version_id).update(
            time_limit_value=row.value, time_limit_unit=row.unit
        )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_time_limits_per_channel"),
    ]

    operations = [migrations.RunPython(forward, backward)]
