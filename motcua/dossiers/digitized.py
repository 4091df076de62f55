"""The one rule of "digitized" (số hóa, indicator 766 4.2's first half), called by the
receipt (dossiers.services), the digitization at the counter (motcua.digitization) and
anything else that needs the verdict.

A dossier's components are digitized when at least one component file of it is digitized,
and an attachment is digitized only when it is the searchable PDF/A made by the OCR of a
scan at the counter: `Attachment.digitized` is set by motcua.digitization.services
(scan_finish) and by nothing else; files handed in at the counter or uploaded are not
digitized by being stored. An online dossier's component files are born electronic
(reference §4.2: "digitised at receipt; direct, postal or online"): they count too.
Historic dossiers brought by the importer and the demo's synthetic history carry the fact
as the source system recorded it (they have no files).
"""

from __future__ import annotations

from django.db import connection

from motcua.catalog.enums import Channel

from .models import Attachment, AttachmentKind


def is_digitized(dossier_id: int, channel: int) -> bool:
    """Whether the dossier counts as digitized (4.2's first condition), from its files."""
    table = Attachment._meta.db_table
    online = int(channel) == Channel.ONLINE
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT 1 FROM {table} WHERE dossier_id = %s AND component_id IS NOT NULL "  # noqa: S608
            "AND kind <> %s AND (digitized OR %s) LIMIT 1",
            [dossier_id, AttachmentKind.RESULT.value, online],
        )
        return cur.fetchone() is not None
