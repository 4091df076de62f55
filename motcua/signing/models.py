"""The results this system issued with a valid signature: what the public verification page
answers from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class IssuedResult(models.Model):
    """A result file whose signature was validated when it was attached (signed here by the
    competent person, or uploaded already signed). Created only by the result check's
    facts in the attach transaction (services.record_issued_result), never edited but for
    revocation and replacement."""

    code = models.CharField("mã kết quả", max_length=24, unique=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="issued_results"
    )
    attachment = models.OneToOneField(
        "dossiers.Attachment", on_delete=models.PROTECT, related_name="issued_result"
    )
    sha256 = models.CharField("SHA-256 của tệp đã ký", max_length=64, db_index=True)
    signer_name = models.CharField("người ký", max_length=255)
    signer_organization = models.CharField("cơ quan của người ký", max_length=255, blank=True)
    signed_at = models.DateTimeField("thời điểm ký", null=True)
    timestamped = models.BooleanField("có dấu thời gian", default=False)
    signed_in_system = models.BooleanField("ký trên hệ thống", default=False)
    issued_at = models.DateTimeField("thời điểm phát hành")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)
    revoked_reason = models.TextField("lý do thu hồi", blank=True)

    class Meta:
        verbose_name = "kết quả điện tử đã ký"
        verbose_name_plural = "kết quả điện tử đã ký"
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoked_reason=""),
                name="issuedresult_revoked_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.code
