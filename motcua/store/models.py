"""The citizen's and business's document store (kho dữ liệu, issue 12).

What an account holds: the electronic results agencies issued on its dossiers and the
components agencies digitized (both are the dossiers' attachments, listed by
store.selectors and never altered here), the documents it uploaded itself
(StoreDocument), the links it made to share a result (ShareLink), and the append-only
trail of what was done in the store (StoreEvent).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


def document_path(instance: StoreDocument, filename: str) -> str:
    return f"store/{instance.owner_id}/{instance.sha256[:2]}/{instance.sha256}"


class StoreDocument(models.Model):
    """A document the account holder uploaded to their store: its type (what a procedure's
    component asks for), issuer and validity, the file with its SHA-256. Deleted by its
    owner only; a copy taken into a dossier stays with the dossier."""

    owner = models.ForeignKey(
        "org.Applicant",
        on_delete=models.PROTECT,
        related_name="store_documents",
        verbose_name="chủ kho",
    )
    doc_type = models.CharField("loại giấy tờ", max_length=255)
    issuer = models.CharField("cơ quan cấp", max_length=255, blank=True, default="")
    number = models.CharField("số, ký hiệu", max_length=100, blank=True, default="")
    valid_from = models.DateField("có hiệu lực từ", null=True, blank=True)
    valid_until = models.DateField("có hiệu lực đến", null=True, blank=True)
    file = models.FileField(upload_to=document_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField("tải lên lúc")

    class Meta:
        verbose_name = "giấy tờ trong kho"
        verbose_name_plural = "giấy tờ trong kho"
        ordering = ["owner", "-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-uploaded_at"], name="storedoc_owner_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="storedoc_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.doc_type} ({self.original_name})"


class ShareLink(models.Model):
    """A time-limited link to one electronic result of the owner's: the URL carries a
    signature of the link's id (store.sharing); it works until `expires_at`, or until the
    owner revokes it."""

    owner = models.ForeignKey("org.Applicant", on_delete=models.PROTECT, related_name="share_links")
    attachment = models.ForeignKey(
        "dossiers.Attachment", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    downloads = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "liên kết chia sẻ"
        verbose_name_plural = "liên kết chia sẻ"
        ordering = ["owner", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="sharelink_expires_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.attachment_id} → {self.expires_at}"


class StoreAction(models.TextChoices):
    UPLOAD = "upload", "Tải lên"
    DELETE = "delete", "Xóa"
    SHARE = "share", "Tạo liên kết chia sẻ"
    REVOKE = "revoke", "Thu hồi liên kết chia sẻ"
    SHARED_DOWNLOAD = "shared_download", "Tải qua liên kết chia sẻ"


class StoreEvent(models.Model):
    """The store's append-only trail: who did what, when, to which document or link."""

    owner = models.ForeignKey("org.Applicant", on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=16, choices=StoreAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    document_id = models.PositiveBigIntegerField(null=True, blank=True)
    share_link = models.ForeignKey(
        ShareLink, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "sự kiện kho dữ liệu"
        verbose_name_plural = "sự kiện kho dữ liệu"
        ordering = ["owner", "pk"]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.action} {self.at}"
