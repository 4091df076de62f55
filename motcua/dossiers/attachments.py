"""Attachments: size limit, type sniffed from the content, SHA-256, Django storage.

A rejected file leaves nothing behind: every file of a request is checked before any is
stored, and files stored inside a transaction that later fails are deleted (FileGuard).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from motcua.core.errors import ValidationFailed

ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
}


@dataclass
class CheckedFile:
    name: str
    content: bytes
    content_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def check_file(upload: Any, *, field: str) -> CheckedFile:
    """Read and check one uploaded file (a Django UploadedFile or (name, bytes))."""
    if isinstance(upload, tuple):
        name, content = upload
    else:
        name = upload.name or "tep"
        limit = settings.MOTCUA_MAX_UPLOAD_BYTES
        if upload.size is not None and upload.size > limit:
            raise _too_big(name, field)
        content = upload.read()
    limit = settings.MOTCUA_MAX_UPLOAD_BYTES
    if len(content) > limit:
        raise _too_big(name, field)
    if not content:
        raise ValidationFailed(
            "empty_file", f"Tệp '{name}' rỗng.", f"File '{name}' is empty.", field=field
        )
    kind = filetype.guess(content[:8192] if len(content) > 8192 else content)
    mime = kind.mime if kind else None
    if mime not in ALLOWED_TYPES and len(content) > 8192:
        # Office files are zip archives: the sniffer may need more than the first bytes.
        kind = filetype.guess(content)
        mime = kind.mime if kind else None
    if mime not in ALLOWED_TYPES:
        raise ValidationFailed(
            "file_type_not_allowed",
            f"Tệp '{name}' không đúng định dạng cho phép (PDF, JPEG, PNG, DOCX, XLSX).",
            f"File '{name}' is not an allowed type (PDF, JPEG, PNG, DOCX, XLSX).",
            field=field,
        )
    return CheckedFile(
        name=name[:255],
        content=content,
        content_type=mime,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _too_big(name: str, field: str) -> ValidationFailed:
    mib = settings.MOTCUA_MAX_UPLOAD_BYTES / (1024 * 1024)
    return ValidationFailed(
        "file_too_large",
        f"Tệp '{name}' vượt quá dung lượng cho phép ({mib:g} MB).",
        f"File '{name}' is larger than the limit ({mib:g} MiB).",
        field=field,
    )


class FileGuard:
    """Collects stored paths; deletes them if the surrounding block raises."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def save(self, path: str, content: bytes) -> str:
        stored = default_storage.save(path, ContentFile(content))
        self.paths.append(stored)
        return stored

    def __enter__(self) -> FileGuard:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Literal[False]:
        if exc_type is not None:
            for path in self.paths:
                default_storage.delete(path)
        return False
