"""Who files a new dossier: the online applicant is the account's person, anyone may file
for someone else (the principal and the authorisation document), and what each hands in."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from motcua.catalog import cases as catalog_cases
from motcua.catalog.models import Component, ProcedureVersion
from motcua.core.errors import ValidationFailed
from motcua.core.text import nfc
from motcua.core.validation import UNSET, FieldErrors, validate_party
from motcua.org.models import Applicant

from ..attachments import CheckedFile, check_file
from ._files import Files, _check_files

Checked = list[tuple[Component, CheckedFile]]


def _online_contact(
    account: Applicant, applicant: Mapping[str, str] | None, errors: FieldErrors
) -> dict[str, str]:
    """The online applicant is the account's person: a different name or personal number is
    refused; the contact details are the account's unless others are given (checked)."""
    given = {k: v for k, v in (applicant or {}).items() if v}
    for field, own in (("name", account.full_name), ("id_number", account.identifier)):
        if field in given and nfc(given[field]) != own and re.sub(r"\s", "", given[field]) != own:
            errors.add(
                ValidationFailed(
                    "applicant_is_account",
                    "Người nộp trực tuyến là chủ tài khoản: họ tên và số định danh / mã số thuế "
                    "lấy từ tài khoản. Để nộp thay người khác, khai báo người ủy quyền "
                    "(principal_name, principal_id_number) và đính kèm giấy ủy quyền.",
                    "An online applicant is the account's person: the name and personal number "
                    "/ tax code come from the account. To file for someone else, give the "
                    "principal (principal_name, principal_id_number) and attach the "
                    "authorisation document.",
                    field=f"applicant.{field}",
                )
            )
    contact = {"phone": account.phone, "email": account.email, "address": account.address}
    contact.update(
        validate_party(
            prefix="applicant.",
            phone=given.get("phone", UNSET),
            email=given.get("email", UNSET),
            address=given.get("address", UNSET),
            errors=errors,
        )
    )
    return contact


def _check_principal(
    principal: Mapping[str, str] | None,
    authorization: Any,
    applicant_identifier: str,
    errors: FieldErrors,
) -> tuple[dict[str, str], CheckedFile | None]:
    """Filing for someone else: the principal's name and personal number / tax code
    (checked) and the authorisation document, all required together; nothing when neither
    is given. Errors go to `errors`."""
    wanted = {k: v for k, v in (principal or {}).items() if v}
    if not wanted and authorization is None:
        return {}, None
    details = validate_party(
        prefix="principal.",
        name=wanted.get("name", ""),
        id_number=wanted.get("id_number", ""),
        id_required=True,
        errors=errors,
    )
    if details.get("id_number") and details["id_number"] == applicant_identifier:
        errors.add(
            ValidationFailed(
                "principal_is_applicant",
                "Người ủy quyền phải là người khác với người nộp.",
                "The principal must be someone other than the applicant.",
                field="principal.id_number",
            )
        )
    if authorization is None:
        errors.add(
            ValidationFailed(
                "authorization_required",
                "Cần đính kèm giấy ủy quyền khi nộp thay người khác.",
                "Attach the authorisation document when filing for someone else.",
                field="authorization",
            )
        )
        return details, None
    checked: CheckedFile | None = errors.check(check_file, authorization, field="authorization")
    return details, checked


def _authorisation(
    components: list[Component],
    declared: list[str],
    principal_details: Mapping[str, str],
    auth_file: CheckedFile | None,
    errors: FieldErrors,
) -> tuple[list[str], Component | None]:
    """The principal relation and the catalog's authorisation component are one fact:
    naming a principal (with the authorisation file) declares the case of the catalog's
    "Văn bản ủy quyền" component and hands it in; declaring that case without naming the
    principal is refused. Returns the declared cases and the component the authorisation
    file stands for (None when the catalog lists none)."""
    auth = catalog_cases.authorization_components(components)
    auth_cases = {c.case for c in auth if c.case}
    if principal_details:
        declared = [*declared, *sorted(auth_cases - set(declared))]
    elif auth_cases & set(declared):
        errors.add(
            ValidationFailed(
                "principal_required",
                "Trường hợp ủy quyền: cần khai báo người ủy quyền (họ tên, số định danh hoặc "
                "mã số thuế) và đính kèm giấy ủy quyền.",
                "The authorisation case: give the principal (name, personal number or tax "
                "code) and attach the authorisation document.",
                field="principal.name",
            )
        )
    component: Component | None = auth[0] if auth and auth_file is not None else None
    return declared, component


@dataclass
class Filing:
    """What the filer of a new dossier hands in, checked: the principal filed for (empty:
    nobody), the cases declared, the files, and the authorisation file with the component
    it stands for."""

    principal: dict[str, str]
    declared: list[str]
    checked: Checked
    auth_file: CheckedFile | None
    auth_component: Component | None

    @property
    def authorisation(self) -> tuple[Component | None, CheckedFile | None]:
        return self.auth_component, self.auth_file

    def handed_in(self, counts: Mapping[int, Any]) -> set[int]:
        """The components handed in: with papers counted, files, or the authorisation."""
        ids = set(counts) | {c.pk for c, _ in self.checked}
        if self.auth_component is not None:
            ids.add(self.auth_component.pk)
        return ids

    def principal_details(self) -> dict[str, str]:
        """The principal as the dossier's row names it."""
        return {
            "principal_name": self.principal.get("name", ""),
            "principal_id_number": self.principal.get("id_number", ""),
        }


def _check_filing(
    *,
    version: ProcedureVersion,
    components: list[Component],
    declared: list[str],
    identifier: str,
    principal: Mapping[str, str] | None,
    authorization: Any,
    files: Files | None,
    errors: FieldErrors,
) -> Filing:
    """Check the principal, the authorisation and the files of a new dossier filed by the
    person `identifier`; the errors go to `errors`, to be reported all at once."""
    principal_details, auth_file = _check_principal(principal, authorization, identifier, errors)
    declared, auth_component = _authorisation(
        components, declared, principal_details, auth_file, errors
    )
    checked: Checked = errors.check(_check_files, files, version, components=components) or []
    return Filing(principal_details, declared, checked, auth_file, auth_component)
