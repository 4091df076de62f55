"""Reads of the store: what an account holds, what matches a component, what a choice at
submission resolves to. Every read is by the owner's Applicant id: nobody lists or opens
another account's store (staff see stored files only through dossiers they may see)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from motcua.catalog.models import Component
from motcua.core.errors import ValidationFailed
from motcua.core.text import fold
from motcua.dossiers.access import RESULT_RELEASED
from motcua.dossiers.models import Attachment, AttachmentKind, AttachmentSource
from motcua.dossiers.reuse import Reuse

from .models import ShareLink, StoreDocument

RESULT, COMPONENT, UPLOAD = "kq", "tp", "tl"  # the origins, as the keys spell them
ORIGIN_LABELS = {
    RESULT: ("Kết quả điện tử", "Electronic result"),
    COMPONENT: ("Thành phần đã số hóa", "Digitized component"),
    UPLOAD: ("Tự tải lên", "Uploaded by you"),
}
# A dossier's attachments that are in its owner's store: the results released to them, and
# the components an agency digitized (results excluded). Copies taken from the store are not
# listed again (their source is).
_IN_STORE = Q(source=AttachmentSource.UPLOAD) & (
    Q(kind=AttachmentKind.RESULT, dossier__status__in=sorted(RESULT_RELEASED))
    | (Q(digitized=True, component__isnull=False) & ~Q(kind=AttachmentKind.RESULT))
)
_SOURCE = {
    RESULT: AttachmentSource.STORE_RESULT,
    COMPONENT: AttachmentSource.STORE_COMPONENT,
    UPLOAD: AttachmentSource.STORE_UPLOAD,
}


@dataclass(frozen=True)
class StoreItem:
    """One document of a store, whatever its origin. `key` ("kq-12", "tp-40", "tl-3") names
    it in URLs and forms; only the owner's items are ever looked up by it."""

    key: str
    origin: str  # RESULT, COMPONENT, UPLOAD
    doc_type: str
    issuer: str
    number: str
    valid_from: dt.date | None
    valid_until: dt.date | None
    dossier_code: str
    name: str
    content_type: str
    size: int
    sha256: str
    path: str
    at: dt.datetime
    attachment_id: int | None
    document_id: int | None

    @property
    def deletable(self) -> bool:
        """Only what the owner uploaded; what an agency issued or digitized is not theirs to
        alter."""
        return self.origin == UPLOAD

    @property
    def shareable(self) -> bool:
        return self.origin == RESULT

    @property
    def origin_label(self) -> tuple[str, str]:
        return ORIGIN_LABELS[self.origin]

    def expired_on(self, day: dt.date) -> bool:
        return self.valid_until is not None and self.valid_until < day

    def reuse(self) -> Reuse:
        """What the submission needs to copy this item into a dossier."""
        what = f"{ORIGIN_LABELS[self.origin][0]}: {self.doc_type}"
        if self.dossier_code:
            what += f" (hồ sơ {self.dossier_code})"
        return Reuse(
            source=_SOURCE[self.origin],
            path=self.path,
            name=self.name,
            content_type=self.content_type,
            size=self.size,
            sha256=self.sha256,
            label=what,
            attachment_id=self.attachment_id,
            document_id=self.document_id,
        )


def _from_attachment(att: Attachment, origin: str) -> StoreItem:
    dossier = att.dossier
    if origin == RESULT:
        version = dossier.procedure_version
        doc_type = version.result or version.name
        agency = dossier.settling_agency
        at = dossier.finished_at or att.uploaded_at
    else:
        doc_type = att.component.name if att.component is not None else att.original_name
        agency = dossier.receiving_agency
        at = att.uploaded_at
    return StoreItem(
        key=f"{origin}-{att.pk}",
        origin=origin,
        doc_type=doc_type,
        issuer=agency.name,
        number=dossier.code or "",
        valid_from=None,
        valid_until=None,
        dossier_code=dossier.code or "",
        name=att.original_name,
        content_type=att.content_type,
        size=att.size,
        sha256=att.sha256,
        path=att.file.name or "",
        at=at,
        attachment_id=att.pk,
        document_id=None,
    )


def _from_document(doc: StoreDocument) -> StoreItem:
    return StoreItem(
        key=f"{UPLOAD}-{doc.pk}",
        origin=UPLOAD,
        doc_type=doc.doc_type,
        issuer=doc.issuer,
        number=doc.number,
        valid_from=doc.valid_from,
        valid_until=doc.valid_until,
        dossier_code="",
        name=doc.original_name,
        content_type=doc.content_type,
        size=doc.size,
        sha256=doc.sha256,
        path=doc.file.name or "",
        at=doc.uploaded_at,
        attachment_id=None,
        document_id=doc.pk,
    )


def _attachments(owner_id: int) -> Iterable[tuple[Attachment, str]]:
    """The owner's results (released to them: access.RESULT_RELEASED) and the components
    agencies digitized on the owner's dossiers (_IN_STORE)."""
    rows = (
        Attachment.objects.filter(dossier__owner_id=owner_id)
        .filter(_IN_STORE)
        .select_related(
            "dossier",
            "dossier__procedure_version",
            "dossier__settling_agency",
            "dossier__receiving_agency",
            "component",
        )
        .order_by("-uploaded_at", "-pk")
    )
    for att in rows:
        yield att, RESULT if att.kind == AttachmentKind.RESULT else COMPONENT


def store_items(owner_id: int) -> list[StoreItem]:
    """Everything in the owner's store: results first, then digitized components, then
    their own uploads, newest first within each. Three queries at most."""
    items = [_from_attachment(att, origin) for att, origin in _attachments(owner_id)]
    items.sort(key=lambda i: (i.origin != RESULT, -i.at.timestamp()))
    items += [_from_document(d) for d in StoreDocument.objects.filter(owner_id=owner_id)]
    return items


def store_item(owner_id: int, key: str) -> StoreItem | None:
    """One item of the owner's store by its key (None: not theirs, or no such item)."""
    origin, _, raw = key.partition("-")
    if not raw.isdigit() or origin not in ORIGIN_LABELS:
        return None
    pk = int(raw)
    if origin == UPLOAD:
        doc = StoreDocument.objects.filter(owner_id=owner_id, pk=pk).first()
        return _from_document(doc) if doc is not None else None
    for att, found in _attachments_by_pk(owner_id, pk):
        if found == origin:
            return _from_attachment(att, origin)
    return None


def _attachments_by_pk(owner_id: int, pk: int) -> Iterable[tuple[Attachment, str]]:
    rows = (
        Attachment.objects.filter(pk=pk, dossier__owner_id=owner_id)
        .filter(_IN_STORE)
        .select_related(
            "dossier",
            "dossier__procedure_version",
            "dossier__settling_agency",
            "dossier__receiving_agency",
            "component",
        )
    )
    for att in rows:
        yield att, RESULT if att.kind == AttachmentKind.RESULT else COMPONENT


def matches(item: StoreItem, component: Component) -> bool:
    """Whether a store item can stand for a procedure's component: the item's document type
    and the component's name, accent- and case-insensitively, one containing the other
    ("Giấy khai sinh" stands for "Bản sao Giấy khai sinh"). The one matching rule: the form
    offers what matches, the submission refuses what does not."""
    kind, wanted = fold(item.doc_type).strip(), fold(component.name).strip()
    return bool(kind) and bool(wanted) and (kind in wanted or wanted in kind)


def offers(
    items: Sequence[StoreItem], components: Iterable[Component]
) -> dict[int, list[StoreItem]]:
    """Per component, the items of the store that match it (and are not expired today)."""
    today = timezone.localdate()
    return {
        c.pk: [i for i in items if matches(i, c) and not i.expired_on(today)] for c in components
    }


def resolve_reuse(
    owner_id: int, chosen: Mapping[int, Sequence[str]], components: Iterable[Component]
) -> dict[int, list[Reuse]]:
    """The submission's choices (component id → item keys) as Reuse records, for the
    owner's own items that match the component only; anything else is refused by name."""
    by_id = {c.pk: c for c in components}
    resolved: dict[int, list[Reuse]] = {}
    for cid, keys in chosen.items():
        component = by_id.get(cid)
        for key in keys:
            item = store_item(owner_id, key)
            if component is None or item is None or not matches(item, component):
                raise ValidationFailed(
                    "store_item_not_offered",
                    "Giấy tờ đã chọn trong kho dữ liệu không có hoặc không phù hợp với thành "
                    "phần hồ sơ này.",
                    "The document chosen from the store does not exist or does not match this "
                    "component.",
                    field=f"files.{cid}",
                    data={"key": key},
                )
            resolved.setdefault(cid, []).append(item.reuse())
    return resolved


def share_links(owner_id: int) -> list[ShareLink]:
    return list(
        ShareLink.objects.filter(owner_id=owner_id)
        .select_related("attachment")
        .order_by("-created_at")
    )
