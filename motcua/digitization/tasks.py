"""Celery tasks of digitization: thin, idempotent wrappers of the services."""

from __future__ import annotations

import logging

from celery import shared_task

log = logging.getLogger(__name__)


def run_scan(scan_id: int) -> str:
    """Take the scan, run the OCR outside any transaction, store the result or the failure.
    A scan that is not queued (already taken, done) is left alone."""
    from . import services
    from .ocr import OcrFailed, make_pdfa

    scan = services.scan_start(scan_id=scan_id)
    if scan is None:
        return "skipped"
    try:
        output = make_pdfa(services.scan_sources(scan))
        services.scan_finish(scan_id=scan_id, output=output)
    except (OcrFailed, OSError, ValueError) as e:
        log.warning("scan %s failed: %s", scan_id, e)
        services.scan_fail(scan_id=scan_id, error=str(e) or type(e).__name__)
        return "failed"
    except Exception as e:  # a bug or the database: recorded, then raised for the logs
        services.scan_fail(scan_id=scan_id, error=f"{type(e).__name__}: {e}")
        raise
    return "done"


@shared_task(name="digitization.ocr_scan", ignore_result=True)
def ocr_scan(scan_id: int) -> None:
    run_scan(scan_id)
