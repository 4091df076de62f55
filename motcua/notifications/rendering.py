"""Templates rendered in a sandbox, and SMS text made fit for the provider.

The admin edits template text, so it must not reach anything but the message's facts: a
standalone template engine with no loaders (no {% include %} / {% extends %} of files), no
tag libraries to {% load %}, autoescape off (the text is plain, not HTML), and a context of
plain strings only (never a model, whose methods a template could call). Tags that read
outside the context are refused when the template is saved.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.template import Context, Engine, TemplateSyntaxError

from motcua.core.errors import ValidationFailed
from motcua.core.text import nfc

_ENGINE = Engine(dirs=[], app_dirs=False, loaders=[], libraries={}, autoescape=False)
_FORBIDDEN = re.compile(r"{%-?\s*(include|extends|load|debug|ssi|templatetag|url|csrf_token)\b")


def check(text: str, *, field: str = "body") -> None:
    """Refuse template text that does not compile or reaches outside its context."""
    match = _FORBIDDEN.search(text)
    if match:
        raise ValidationFailed(
            "template_tag_forbidden",
            f"Mẫu không được dùng thẻ {{% {match.group(1)} %}}.",
            f"A template may not use the {{% {match.group(1)} %}} tag.",
            field=field,
        )
    try:
        _ENGINE.from_string(text)
    except TemplateSyntaxError as exc:
        raise ValidationFailed(
            "template_syntax",
            f"Mẫu sai cú pháp: {exc}",
            f"Template syntax error: {exc}",
            field=field,
        ) from exc


def render(text: str, context: dict[str, str]) -> str:
    check(text)
    plain: dict[str, Any] = {k: str(v) for k, v in context.items()}
    return nfc(_ENGINE.from_string(text).render(Context(plain, autoescape=False))) or ""


def render_mail(text: str, context: dict[str, str]) -> str:
    """Like render, keeping line breaks (an e-mail's paragraphs)."""
    check(text)
    plain: dict[str, Any] = {k: str(v) for k, v in context.items()}
    out = _ENGINE.from_string(text).render(Context(plain, autoescape=False))
    lines = [nfc(line) or "" for line in out.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def strip_accents(text: str) -> str:
    """Vietnamese without diacritics ("Hồ sơ đã được tiếp nhận" → "Ho so da duoc tiep nhan"),
    keeping case, digits and punctuation: what an SMS brandname without Unicode needs."""
    import unicodedata

    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    )


def sms_text(text: str) -> str:
    """The SMS as the provider will take it: without accents when MOTCUA_SMS_UNACCENTED
    (default on: brandname SMS in Vietnam are sent unaccented, UNCONFIRMED per provider),
    cut to MOTCUA_SMS_MAX_LENGTH characters (default 160 unaccented, 70 with accents: one
    GSM-7 / UCS-2 segment; ends with "…" / "..." when cut)."""
    unaccented = bool(getattr(settings, "MOTCUA_SMS_UNACCENTED", True))
    text = nfc(text) or ""
    if unaccented:
        text = strip_accents(text)
    limit = int(getattr(settings, "MOTCUA_SMS_MAX_LENGTH", 0) or (160 if unaccented else 70))
    if len(text) <= limit:
        return text
    ellipsis = "..." if unaccented else "…"
    return text[: limit - len(ellipsis)].rstrip() + ellipsis


def cap(value: str, length: int) -> str:
    """A ZNS parameter cut to its cap (name 30, code 30, address 200: reference §3.4)."""
    return value if len(value) <= length else value[: length - 1] + "…"
