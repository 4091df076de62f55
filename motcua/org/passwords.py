"""Password rules: Django's validators (settings.AUTH_PASSWORD_VALIDATORS), their messages in
Vietnamese first and English, for every place a password is set.

Django's forms (the admin's "add user" and "change password", `createsuperuser`,
`changepassword`) run the validators themselves; the services of the project that set a
password (`applicant_register`, the demo) call `password_problems`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import translation

from motcua.core.errors import ValidationFailed
from motcua.core.templatetags.bilingual import pick


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a Vietnamese message: Django 5.2 reworded this one message and its
    Vietnamese catalogue has not followed, so it would reach a citizen in English."""

    def get_error_message(self) -> str:
        n = self.min_length
        return pick(
            f"Mật khẩu quá ngắn. Nó phải chứa ít nhất {n} ký tự.",
            f"This password is too short. It must contain at least {n} characters.",
        )


def _messages(password: str, user: Any, language: str) -> list[str] | None:
    with translation.override(language):
        try:
            password_validation.validate_password(password, user=user)
        except ValidationError as exc:
            return [str(m) for m in exc.messages]
    return None


def password_problems(
    password: str, user: Any = None, field: str = "password"
) -> ValidationFailed | None:
    """What the validators find wrong with `password` for `user` (an unsaved user is
    enough: its username, names and e-mail are compared), as one error naming `field`
    with every message in Vietnamese and in English; None when it is acceptable."""
    vi = _messages(password, user, "vi")
    if vi is None:
        return None
    en = _messages(password, user, "en") or []
    return ValidationFailed("invalid_password", " ".join(vi), " ".join(en), field=field)


def password_check(password: str, user: Any = None) -> None:
    """Raise `password_problems`' error, if any."""
    problem = password_problems(password, user)
    if problem is not None:
        raise problem
