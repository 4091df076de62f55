"""Bind an identity proven by the OpenID Connect login to an applicant account.

The binding is the provider's (issuer, subject) and the number it asserted, never the
e-mail or the name. `applicant_from_oidc` is the one write; the rule it enforces
(docs/security.md, "Đăng nhập bằng định danh quốc gia (OIDC)"):

1. A known (issuer, subject): that account, provided the number the provider sends now is
   the one bound (a changed number is refused: an officer looks at it).
2. An unknown subject whose number belongs to no account: a new account (user + applicant)
   bound to it; its username is the number and it has no usable password.
3. An unknown subject whose number belongs to a local account (registered with a password,
   the number self-declared): linked to it only when that account
   - has no binding with this provider yet (a second subject never takes over), and
   - is an applicant's account only: not staff, not an administrator, no staff role, and
   - is active.
   The local password is then retired (unless MOTCUA_OIDC_KEEP_LOCAL_PASSWORD=1, the demo's
   choice): the number was only declared by whoever registered, and once the provider has
   proven whose number it is, a password set by someone else must not remain a way in.
   Otherwise the login is refused, naming why; nothing is written.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.core.audit import AuditAction, record, snapshot

from .enums import ApplicantKind
from .models import Applicant, ApplicantIdentity, StaffRole
from .oidc import OidcFailure, VerifiedIdentity

IDENTITY_FIELDS = ["applicant", "issuer", "subject", "number", "acr", "linked_local"]


def _refuse(reason: str, vi: str, en: str) -> OidcFailure:
    return OidcFailure(reason, vi, en, status=409)


def _number_field(kind: str) -> str:
    return "tax_code" if kind == ApplicantKind.BUSINESS else "personal_id"


@transaction.atomic
def applicant_from_oidc(*, identity: VerifiedIdentity) -> tuple[Applicant, bool]:
    """The applicant account for a verified identity, created or linked by the rule in
    the module text; returns (applicant, created). Raises OidcFailure when refused."""
    now = timezone.now()
    field = _number_field(identity.kind)
    bound = (
        ApplicantIdentity.objects.select_for_update()
        .select_related("applicant__user")
        .filter(issuer=identity.issuer, subject=identity.subject)
        .first()
    )
    if bound is not None:
        applicant = bound.applicant
        if getattr(applicant, field) != identity.number or applicant.kind != identity.kind:
            raise _refuse(
                "number_changed",
                "Số định danh / mã số thuế nhà cung cấp gửi lần này khác với số đã gắn với tài "
                "khoản. Xin liên hệ bộ phận một cửa để được kiểm tra.",
                "The number the provider sent differs from the one bound to the account. "
                "Please contact the one-stop office.",
            )
        if not applicant.user.is_active:
            raise _refuse(
                "account_inactive",
                "Tài khoản gắn với định danh này đã bị khóa.",
                "The account bound to this identity is disabled.",
            )
        bound.last_login_at = now
        if identity.acr:
            bound.acr = identity.acr
        bound.save(update_fields=["last_login_at", "acr"])
        return applicant, False

    local = (
        Applicant.objects.select_for_update()
        .select_related("user")
        .filter(**{field: identity.number})
        .first()
    )
    if local is None:
        return _create(identity, now), True
    _check_linkable(local, identity)
    row = ApplicantIdentity.objects.create(
        applicant=local,
        issuer=identity.issuer,
        subject=identity.subject,
        number=identity.number,
        acr=identity.acr,
        verified_at=now,
        last_login_at=now,
        linked_local=True,
    )
    user = local.user
    if user.has_usable_password() and not getattr(
        settings, "MOTCUA_OIDC_KEEP_LOCAL_PASSWORD", False
    ):
        user.set_unusable_password()
        user.save(update_fields=["password"])
    record(
        actor=None,
        action=AuditAction.CREATED,
        operation="applicant_identity_link",
        obj=row,
        before=None,
        after=snapshot(row, IDENTITY_FIELDS),
        reason="Đăng nhập bằng định danh quốc gia: gắn vào tài khoản có sẵn cùng số",
    )
    return local, False


def _check_linkable(local: Applicant, identity: VerifiedIdentity) -> None:
    user = local.user
    if local.kind != identity.kind:
        raise _refuse(
            "account_conflict",
            "Số này đã gắn với một tài khoản khác loại (công dân / tổ chức). Xin liên hệ bộ "
            "phận một cửa.",
            "This number belongs to an account of another kind. Please contact the office.",
        )
    if ApplicantIdentity.objects.filter(applicant=local, issuer=identity.issuer).exists():
        raise _refuse(
            "account_conflict",
            "Tài khoản có số này đã gắn với một định danh khác của cùng nhà cung cấp; không "
            "gắn thêm. Xin liên hệ bộ phận một cửa.",
            "The account with this number is already bound to another identity of this "
            "provider. Please contact the one-stop office.",
        )
    if user.is_staff or user.is_superuser or StaffRole.objects.filter(user=user).exists():
        raise _refuse(
            "account_conflict",
            "Số này thuộc một tài khoản cán bộ; tài khoản cán bộ không đăng nhập bằng định "
            "danh công dân.",
            "This number belongs to a staff account, which does not log in this way.",
        )
    if not user.is_active:
        raise _refuse(
            "account_inactive",
            "Tài khoản có số này đã bị khóa.",
            "The account with this number is disabled.",
        )


def _create(identity: VerifiedIdentity, now: dt.datetime) -> Applicant:
    UserModel = get_user_model()
    if UserModel.objects.filter(username__iexact=identity.number).exists():
        raise _refuse(
            "account_conflict",
            "Đã có tài khoản dùng tên đăng nhập trùng với số này nhưng không gắn số. Xin liên "
            "hệ bộ phận một cửa.",
            "An account already uses this number as its username. Please contact the office.",
        )
    try:
        with transaction.atomic():
            user: User = UserModel.objects.create_user(username=identity.number)
            user.set_unusable_password()
            user.first_name = identity.full_name[:150]
            user.save(update_fields=["password", "first_name"])
            applicant = Applicant.objects.create(
                user=user,
                kind=identity.kind,
                full_name=identity.full_name,
                **{_number_field(identity.kind): identity.number},
            )
            row = ApplicantIdentity.objects.create(
                applicant=applicant,
                issuer=identity.issuer,
                subject=identity.subject,
                number=identity.number,
                acr=identity.acr,
                verified_at=now,
                last_login_at=now,
            )
    except IntegrityError as exc:
        # Two first logins at once: the other one created it; the next try finds it.
        raise _refuse(
            "account_conflict",
            "Tài khoản đang được tạo từ một lần đăng nhập khác. Xin thử lại.",
            "The account is being created by another login. Please try again.",
        ) from exc
    record(
        actor=None,
        action=AuditAction.CREATED,
        operation="applicant_identity_create",
        obj=row,
        before=None,
        after=snapshot(row, IDENTITY_FIELDS),
        reason="Đăng nhập lần đầu bằng định danh quốc gia",
    )
    return applicant


__all__ = ["applicant_from_oidc"]
