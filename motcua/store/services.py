"""Writes on the store: an account holder uploads or deletes their own documents, shares a
result by a time-limited link and revokes it; a download through a link is counted. Each
is one transaction with its row locked where one exists, and appends a StoreEvent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import signing
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from motcua.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from motcua.core.text import nfc
from motcua.core.types import Actor, actor_user
from motcua.dossiers import hooks
from motcua.dossiers.attachments import FileGuard, check_file
from motcua.org.selectors import applicant_id

from . import selectors
from .models import ShareLink, StoreAction, StoreDocument, StoreEvent

# How long a share link may live, and the choices the page offers (days).
SHARE_DAYS = (1, 7, 30)
MAX_SHARE_DAYS = max(SHARE_DAYS)
_SIGNER_SALT = "motcua.store.share"


def _owner(actor: Actor) -> int:
    """The acting account's Applicant id: only citizens and businesses have a store."""
    owner = applicant_id(actor)
    if owner is None:
        raise PermissionDenied(
            "Chỉ tài khoản công dân, tổ chức mới có kho dữ liệu.",
            "Only citizen and business accounts have a document store.",
            code="not_an_applicant",
        )
    return owner


def _event(owner: int, action: str, actor: Actor, at: dt.datetime, **kw: Any) -> None:
    StoreEvent.objects.create(owner_id=owner, action=action, actor=actor_user(actor), at=at, **kw)


def _text(value: str | None, field: str, vi: str, en: str, required: bool = False) -> str:
    text = (nfc(value or "") or "").strip()
    if required and not text:
        raise ValidationFailed(
            f"{field}_required", f"Cần nhập {vi}.", f"The {en} is required.", field=field
        )
    if len(text) > 255:
        raise ValidationFailed(
            f"{field}_too_long",
            f"{vi.capitalize()} dài quá 255 ký tự.",
            f"The {en} is longer than 255 characters.",
            field=field,
        )
    return text


def store_upload(
    *,
    actor: Actor,
    upload: Any,
    doc_type: str,
    issuer: str = "",
    number: str = "",
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    at: dt.datetime | None = None,
) -> StoreDocument:
    """The account holder adds a document of theirs to their store: checked as every upload
    is (type sniffed, size, name, malware: dossiers.attachments.check_file), kept with its
    SHA-256, its type (what it can stand for at submission), issuer and validity."""
    at = at or timezone.now()
    owner = _owner(actor)
    kind = _text(doc_type, "doc_type", "loại giấy tờ", "document type", required=True)
    issuer = _text(issuer, "issuer", "cơ quan cấp", "issuer")
    number = _text(number, "number", "số, ký hiệu", "number")[:100]
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationFailed(
            "validity_reversed",
            "Ngày hết hiệu lực phải sau ngày có hiệu lực.",
            "The end of validity must come after its start.",
            field="valid_until",
        )
    checked = check_file(upload, field="file")
    with FileGuard() as guard, transaction.atomic():
        path = guard.save(f"store/{owner}/{checked.sha256[:2]}/{checked.sha256}", checked.file)
        doc = StoreDocument.objects.create(
            owner_id=owner,
            doc_type=kind,
            issuer=issuer,
            number=number,
            valid_from=valid_from,
            valid_until=valid_until,
            file=path,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_at=at,
        )
        _event(
            owner,
            StoreAction.UPLOAD,
            actor,
            at,
            document_id=doc.pk,
            data={"doc_type": kind, "name": checked.name, "sha256": checked.sha256},
        )
    return doc


def store_delete(*, actor: Actor, document_id: int, at: dt.datetime | None = None) -> None:
    """The owner deletes a document they uploaded (results and digitized components are the
    agencies' and cannot be deleted from here). Copies already taken into dossiers stay.
    The file is removed once the deletion is committed."""
    at = at or timezone.now()
    owner = _owner(actor)
    with transaction.atomic():
        doc = (
            StoreDocument.objects.select_for_update().filter(pk=document_id, owner_id=owner).first()
        )
        if doc is None:
            raise NotFound("giấy tờ trong kho", "Document in the store")
        path, name = doc.file.name or "", doc.original_name
        doc.delete()
        _event(
            owner,
            StoreAction.DELETE,
            actor,
            at,
            document_id=document_id,
            data={"doc_type": doc.doc_type, "name": name},
        )
        # Another document of the owner's may hold the same bytes (same path).
        if not StoreDocument.objects.filter(file=path).exists():
            transaction.on_commit(lambda: default_storage.delete(path))


# ---------------------------------------------------------------------------- sharing


def share_token(link: ShareLink) -> str:
    """The link's token: its id signed (SECRET_KEY, a salt of its own). Forging or changing
    it fails the signature; the row says whether it has expired or been revoked."""
    return signing.TimestampSigner(salt=_SIGNER_SALT).sign(str(link.pk))


def share_create(*, actor: Actor, key: str, days: int, at: dt.datetime | None = None) -> ShareLink:
    """The owner shares one of their electronic results for `days` (1, 7 or 30): anyone
    with the link may download it until then, unless the owner revokes it first."""
    at = at or timezone.now()
    owner = _owner(actor)
    if days not in SHARE_DAYS:
        raise ValidationFailed(
            "invalid_share_days",
            f"Thời hạn chia sẻ phải là {', '.join(map(str, SHARE_DAYS))} ngày.",
            f"The sharing period must be {', '.join(map(str, SHARE_DAYS))} days.",
            field="days",
        )
    item = selectors.store_item(owner, key)
    if item is None or not item.shareable or item.attachment_id is None:
        raise ValidationFailed(
            "not_shareable",
            "Chỉ chia sẻ được kết quả điện tử của chính bạn.",
            "Only your own electronic results can be shared.",
            field="key",
        )
    with transaction.atomic():
        link = ShareLink.objects.create(
            owner_id=owner,
            attachment_id=item.attachment_id,
            created_at=at,
            expires_at=at + dt.timedelta(days=days),
        )
        _event(owner, StoreAction.SHARE, actor, at, share_link=link, data={"days": days})
    return link


def share_revoke(*, actor: Actor, link_id: int, at: dt.datetime | None = None) -> ShareLink:
    """The owner ends a link before it expires; revoking twice changes nothing more."""
    at = at or timezone.now()
    owner = _owner(actor)
    with transaction.atomic():
        link = ShareLink.objects.select_for_update().filter(pk=link_id, owner_id=owner).first()
        if link is None:
            raise NotFound("liên kết chia sẻ", "Share link")
        if link.revoked_at is not None or link.expires_at <= at:
            raise ValidationFailed(
                "share_link_inactive",
                "Liên kết này đã hết hạn hoặc đã bị thu hồi.",
                "This link has already expired or been revoked.",
                field="link",
            )
        link.revoked_at = at
        link.save(update_fields=["revoked_at"])
        _event(owner, StoreAction.REVOKE, actor, at, share_link=link)
    return link


def _gone() -> NotFound:
    return NotFound(
        "liên kết chia sẻ còn hiệu lực (liên kết sai, đã hết hạn hoặc đã bị thu hồi)",
        "A valid share link (the link is wrong, has expired or was revoked)",
    )


def _revoked_result(when: dt.datetime, reason: str) -> DomainError:
    day = timezone.localtime(when).strftime("%d/%m/%Y")
    return DomainError(
        "result_revoked",
        f"Kết quả được chia sẻ đã bị cơ quan cấp thu hồi ngày {day}. Lý do: {reason}",
        f"The shared result was revoked by its issuing agency on {day}. Reason: {reason}",
        status=410,
    )


def share_open(*, token: str, at: dt.datetime | None = None) -> ShareLink:
    """Anyone with the link downloads the shared result while the link is in force: a
    valid signature, not expired, not revoked by the owner, and the result itself not
    revoked by the agency that issued it (410, saying when and why). Each download is
    counted and recorded."""
    at = at or timezone.now()
    try:
        raw = signing.TimestampSigner(salt=_SIGNER_SALT).unsign(
            token, max_age=dt.timedelta(days=MAX_SHARE_DAYS)
        )
    except signing.BadSignature as exc:  # SignatureExpired is one
        raise _gone() from exc
    with transaction.atomic():
        link = (
            ShareLink.objects.select_for_update()
            .select_related("attachment")
            .filter(pk=int(raw))
            .first()
        )
        if link is None or link.revoked_at is not None or link.expires_at <= at:
            raise _gone()
        withdrawn = hooks.withdrawn_result(link.attachment_id)
        if withdrawn is not None:
            raise _revoked_result(*withdrawn)
        link.downloads += 1
        link.save(update_fields=["downloads"])
        _event(link.owner_id, StoreAction.SHARED_DOWNLOAD, None, at, share_link=link)
    return link
