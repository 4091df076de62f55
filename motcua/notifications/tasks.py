"""Celery tasks of notifications: thin wrappers of the services."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="notifications.early_warnings")
def early_warnings() -> int:
    """Beat: warn officers about the dossiers that reached the early-warning share."""
    return services.early_warnings_send()
