"""What the public verification page says about a file or a result code: one function."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .models import IssuedResult
from .pades import Verdict, verify_pdf


@dataclass(frozen=True)
class Answer:
    verdict: Verdict | None  # None: no file was given (a code only)
    issued: IssuedResult | None
    # valid: a result this system issued, unaltered, in force; the other words say why not.
    status: str  # valid | invalid | not_issued_here | revoked | replaced | unknown_code

    @property
    def ok(self) -> bool:
        return self.status == "valid"


def _in_force(issued: IssuedResult) -> str:
    if issued.revoked_at is not None:
        return "revoked"
    if issued.replaced_by_id is not None:
        return "replaced"
    return "valid"


def issued_by_code(code: str) -> IssuedResult | None:
    return (
        IssuedResult.objects.select_related(
            "dossier__procedure", "dossier__settling_agency", "replaced_by"
        )
        .filter(code=code.strip().upper())
        .first()
    )


def verify_document(content: bytes | None, code: str | None = None) -> Answer:
    """A file is a valid result of this system when its signature is valid (pades) AND its
    bytes are exactly those of an issued result (SHA-256), which is neither revoked nor
    replaced. With a code, the file must be that result's file."""
    import hashlib

    issued = issued_by_code(code) if code else None
    if code and issued is None:
        return Answer(None, None, "unknown_code")
    if content is None:
        assert issued is not None
        return Answer(None, issued, _in_force(issued))
    verdict = verify_pdf(content)
    digest = hashlib.sha256(content).hexdigest()
    if issued is None:
        issued = (
            IssuedResult.objects.select_related(
                "dossier__procedure", "dossier__settling_agency", "replaced_by"
            )
            .filter(sha256=digest)
            .first()
        )
    if not verdict.valid:
        return Answer(verdict, issued, "invalid")
    if issued is None or issued.sha256 != digest:
        return Answer(verdict, issued, "not_issued_here")
    return Answer(verdict, issued, _in_force(issued))


def revocation_of(attachment_id: int) -> tuple[dt.datetime, str] | None:
    """(when, why) the result in this attachment was revoked, or None (not an issued result,
    or in force). Registered with dossiers.hooks.result_withdrawal: the store's share links
    of a revoked result stop working."""
    row = (
        IssuedResult.objects.filter(attachment_id=attachment_id, revoked_at__isnull=False)
        .values_list("revoked_at", "revoked_reason")
        .first()
    )
    if row is None or row[0] is None:
        return None
    return (row[0], row[1])
