"""Reuse of digitized data (tái sử dụng dữ liệu số hóa, indicator 4.3): one rule.

A component handed in from the applicant's document store (motcua.store) is copied into the
dossier as an attachment that names its source (models.AttachmentSource). What counts as
reuse of digitized data is decided here and nowhere else: the submission writes
`Attachment.reused` and `Dossier.reused` from it, the indicators read `Dossier.reused`
(indicators.formulas: "4.3"), and the back office shows the source.

The rule: reuse is taking data an agency already holds in digital form — an electronic
result it issued, or a component it digitized — instead of asking for the paper again
(Decree 45/2020 art. 25; Decision 766/QĐ-TTg indicator "tái sử dụng dữ liệu số hóa"). A
document the citizen uploaded to the store themselves is recorded as coming from the store
but is not digitized data of an agency: it does not count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .models import AttachmentSource

REUSED_SOURCES = frozenset({AttachmentSource.STORE_RESULT, AttachmentSource.STORE_COMPONENT})


def is_reuse(source: str) -> bool:
    """Whether an attachment from this source is a reuse of digitized data (4.3)."""
    return source in REUSED_SOURCES


def dossier_reused(sources: Iterable[str]) -> bool:
    """A dossier reuses digitized data when at least one of its components does."""
    return any(is_reuse(s) for s in sources)


@dataclass(frozen=True)
class Reuse:
    """A document of the applicant's store chosen for a component, as the store resolved it
    for its owner (motcua.store.selectors.resolve_reuse): the stored bytes (path, SHA-256
    recorded when they were kept) and where they came from. The submission re-reads and
    re-checks the bytes (attachments.verified_open) and copies them into the dossier."""

    source: str  # AttachmentSource, not UPLOAD
    path: str
    name: str
    content_type: str
    size: int
    sha256: str
    label: str
    attachment_id: int | None = None  # STORE_RESULT, STORE_COMPONENT
    document_id: int | None = None  # STORE_UPLOAD
