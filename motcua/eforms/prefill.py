"""Prefill: the applicant's values filled in before the form is shown.

`identity.*` reads the applicant account (org.Applicant). The full name and the personal
number / tax code are verified when the account is bound to a national identity login
(org.ApplicantIdentity, issue 10: they came from the provider's signed claims); they are
shown "Đã xác thực từ VNeID", and a field marked `locked` keeps them whatever is posted
(answers.validate). Address, phone and e-mail are the account's own, prefilled but never
verified; a birth date is not among the verified claims, so it is not prefilled.
`store.<document type>.<attribute>` reads the newest document of that type in the
applicant's store (motcua.store): its number, issuer, valid_from or valid_until.
"""

from __future__ import annotations

from typing import Any

from motcua.core.text import fold
from motcua.org.enums import ApplicantKind
from motcua.org.models import Applicant, ApplicantIdentity
from motcua.store import selectors as store_selectors

from .answers import Prefilled
from .definitions import walk

VERIFIED = {"full_name", "personal_number", "tax_code"}
STORE_ATTRIBUTES = {"number", "issuer", "valid_from", "valid_until"}


def _identity_values(applicant: Applicant) -> dict[str, str]:
    return {
        "full_name": applicant.full_name,
        "personal_number": applicant.personal_id if applicant.kind == ApplicantKind.PERSON else "",
        "tax_code": applicant.tax_code,
        "address": applicant.address,
        "phone": applicant.phone,
        "email": applicant.email,
    }


def prefill_for(document: dict[str, Any], applicant: Applicant | None) -> dict[str, Prefilled]:
    """The prefilled values of a form for an applicant, by data path (top-level fields)."""
    if applicant is None:
        return {}
    fields = [p for p in walk(document) if p.group is None and p.field.get("prefill")]
    if not fields:
        return {}
    identity = _identity_values(applicant)
    verified = ApplicantIdentity.objects.filter(applicant=applicant).exists()
    items = None
    out: dict[str, Prefilled] = {}
    for p in fields:
        source = p.field["prefill"]
        kind, _, rest = source.partition(".")
        if kind == "identity":
            value = identity.get(rest, "")
            if not value:
                continue
            is_verified = verified and rest in VERIFIED
            out[p.path] = Prefilled(
                value=value,
                verified=is_verified,
                locked=is_verified and bool(p.field.get("locked")),
                source=source,
            )
        elif kind == "store":
            doc_type, _, attribute = rest.rpartition(".")
            if attribute not in STORE_ATTRIBUTES:
                continue
            if items is None:
                items = store_selectors.store_items(applicant.pk)
            key = fold(doc_type.replace("_", " "))
            match = next((i for i in items if key and key in fold(i.doc_type)), None)
            found = getattr(match, attribute, None) if match is not None else None
            if found:
                text = found.isoformat() if hasattr(found, "isoformat") else str(found)
                out[p.path] = Prefilled(value=text, source=source)
    return out
