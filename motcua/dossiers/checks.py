"""System checks of the dossiers app (`motcua check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from . import scanner


@checks.register(checks.Tags.security, deploy=True)
def check_malware_scanner(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Production keeps no file unscanned: MOTCUA_CLAMD must name a clamd (ADR 0009)."""
    if not settings.MOTCUA_CLAMD:
        return [
            checks.Warning(
                "MOTCUA_CLAMD chưa đặt: tệp tải lên được lưu mà không quét mã độc "
                "(MOTCUA_CLAMD is not set: uploaded files are kept without a malware scan).",
                hint="Cài clamav-daemon và freshclam, đặt MOTCUA_CLAMD=unix:///run/clamav/"
                "clamd.ctl (install clamav-daemon and freshclam; docs/security.md).",
                id="motcua.W010",
            )
        ]
    try:
        scanner.client()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="motcua.E010")]
    return []
