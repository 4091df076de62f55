"""`motcua demo`: Bắc Ninh province with a year of dossiers (see the modules for details).

- `province`: master data through the org / catalog services (idempotent).
- `history`: the bulk synthesizer of past dossiers (like an import of legacy data).
- `live`: the demo citizen's open dossiers through the real dossier services.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

from motcua.dossiers.models import (
    Attachment,
    DailySequence,
    Dossier,
    DossierEvent,
    Handover,
    Pause,
    ReceivedComponent,
)
from motcua.org.passwords import password_problems

from .history import history_generate
from .live import live_dossiers_create
from .province import Province, province_load

__all__ = ["DemoResult", "demo_load", "demo_password", "dossiers_wipe"]


@dataclass
class DemoResult:
    province: Province
    generated: int = 0
    skipped: bool = False
    live: list = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)


def demo_password(path: Path | None = None) -> str:
    """The one password of every demo account: random on first run, kept in var/. It
    passes the password rules (AUTH_PASSWORD_VALIDATORS); a kept one that does not (made
    before a rule was added) is replaced, and `province_load` re-sets the accounts to it."""
    path = path or Path(settings.VAR_DIR) / "demo_password"
    if path.exists():
        kept = path.read_text().strip()
        if password_problems(kept) is None:
            return kept
    password = secrets.token_urlsafe(12)
    while password_problems(password) is not None:
        password = secrets.token_urlsafe(12)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n")
    path.chmod(0o600)
    return password


@transaction.atomic
def dossiers_wipe() -> int:
    """Delete every dossier and what hangs on it (demo only: events are append-only)."""
    for name in Attachment.objects.values_list("file", flat=True):
        if name and default_storage.exists(name):
            default_storage.delete(name)
    Attachment.objects.all().delete()
    # Rows of other apps that hang on dossiers (stored forms, indicator facts): delete them
    # first, whatever their on_delete, so that a reset never trips over a PROTECT.
    for rel in Dossier._meta.related_objects:
        if rel.related_model._meta.app_label not in ("dossiers",):
            rel.related_model._base_manager.all().delete()
    # QuerySet.delete() never calls DossierEvent.delete(), which refuses single rows.
    DossierEvent.objects.all().delete()
    Handover.objects.all().delete()
    Pause.objects.all().delete()
    ReceivedComponent.objects.all().delete()  # PROTECT: a received dossier stopped the reset
    count, _ = Dossier.objects.all().delete()
    DailySequence.objects.all().delete()
    return count


def demo_load(
    *, count: int = 20_000, seed: int = 2025, reset: bool = False, password: str
) -> DemoResult:
    """Load the province, then (unless dossiers exist and no reset) the history."""
    p = province_load(password=password)
    # The shipped electronic forms (motcua/eforms/definitions): idempotent, linked to the
    # procedures they serve.
    from motcua.eforms.services import definitions_load

    definitions_load()
    result = DemoResult(province=p)
    if reset:
        dossiers_wipe()
    if Dossier.objects.exists():
        result.skipped = True
        return result
    result.statuses = history_generate(p, count=count, seed=seed)
    result.generated = count
    # The history is bulk-inserted without the services' hooks: derive the indicators'
    # facts and counters from it once (live dossiers below go through the hooks).
    from motcua.indicators.services import indicators_rebuild

    indicators_rebuild()
    result.live = live_dossiers_create(p)
    return result
