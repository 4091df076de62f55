"""Attachments: size limit, type sniffed from the content, SHA-256, Django storage.

A rejected file leaves nothing behind: every file of a request is checked before any is
stored, and files stored inside a transaction that later fails are deleted (FileGuard).

The name must agree with the content: the extension must be one of the sniffed type's, and
the name kept (the download's name) is a safe one, ending in the type's own extension.
Office files are zip archives: their declared inflated size and ratio are bounded without
extracting anything (a "zip bomb" is refused). Then clamd scans it (scanner.py) when
MOTCUA_CLAMD is set: malware, or no answer, refuses it. Serving: only PDFs and images are shown
inline (`disposition`); the rest is downloaded.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

import filetype
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase

from motcua.core.errors import DomainError, ValidationFailed
from motcua.core.seclog import logs_rejected_upload, security_event

from . import scanner

if TYPE_CHECKING:
    from .reuse import Reuse

ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
}
# The extensions a name may end with for each type; the first is the one a kept name gets.
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
}
MAX_ZIP_ENTRIES = 10_000  # a real office file has tens of parts
# Zip-based office formats (OOXML, OpenDocument): their inflated size is checked.
ZIPPED_TYPES = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
    }
)
# Shown in the browser; anything else is served as a download (Content-Disposition).
INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


@dataclass
class CheckedFile:
    """A checked file, not read into memory: `file` is the upload itself (a temporary file
    past FILE_UPLOAD_MAX_MEMORY_SIZE) or, for (name, bytes), a ContentFile."""

    name: str
    file: File[Any]
    content_type: str
    sha256: str
    size: int
    scan: scanner.Scan | None = None  # None: no scanner configured (MOTCUA_CLAMD unset)
    reuse: Reuse | None = None  # taken from the applicant's store (reuse.py), not uploaded

    @property
    def content(self) -> bytes:
        """The bytes (reads the whole file: for tests and small files only)."""
        self.file.seek(0)
        data: bytes = self.file.read()
        self.file.seek(0)
        return data


def _describe_upload(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The refused file's name (as sent, cut to 255) and size, for the security log."""
    upload = args[0] if args else kwargs.get("upload")
    if isinstance(upload, tuple):
        return {"name": str(upload[0])[:255], "size": len(upload[1])}
    return {
        "name": str(getattr(upload, "name", "") or "")[:255],
        "size": getattr(upload, "size", None),
    }


@logs_rejected_upload(_describe_upload)  # every refusal, whichever check raised it
def check_file(upload: Any, *, field: str) -> CheckedFile:
    """Check one uploaded file (a Django UploadedFile or (name, bytes)) reading it in
    chunks: its head for the type, an office file's zip directory, the rest for the hash."""
    if isinstance(upload, tuple):
        name, content = upload
        file: File[Any] = ContentFile(content)
        size = len(content)
    else:
        name = upload.name or "tep"
        file, size = upload, int(upload.size or 0)
    if size > settings.MOTCUA_MAX_UPLOAD_BYTES:
        raise _too_big(name, field)
    if not size:
        raise ValidationFailed(
            "empty_file", f"Tệp '{name}' rỗng.", f"File '{name}' is empty.", field=field
        )
    file.seek(0)
    kind = filetype.guess(file.read(8192))  # the sniffer reads no further
    mime = kind.mime if kind else None
    if mime not in ALLOWED_TYPES:
        raise ValidationFailed(
            "file_type_not_allowed",
            f"Tệp '{name}' không đúng định dạng cho phép (PDF, JPEG, PNG, DOCX, XLSX).",
            f"File '{name}' is not an allowed type (PDF, JPEG, PNG, DOCX, XLSX).",
            field=field,
        )
    if mime in ZIPPED_TYPES:
        file.seek(0)
        _check_zip(file, size, name, field)
    kept = _safe_name(name, mime, field)
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    # The malware scan (scanner.py, ADR 0009): the content is known good by type, size and
    # name here, and nothing is stored yet. A detection or a silent scanner refuses the file.
    scanned = scanner.scan(file, name=name, field=field)
    return CheckedFile(
        name=kept,
        file=file,
        content_type=mime,
        sha256=digest.hexdigest(),
        size=size,
        scan=scanned,
    )


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if 0 < dot < len(name) - 1 else ""


def _safe_name(name: str, mime: str, field: str) -> str:
    """The name to keep: the extension must be one of the sniffed type's (or absent); the
    stem without path, control or quoting characters, NFC; the type's extension appended.

    PDF bytes named `hoso.html` or `setup.exe` are refused: served under that name they
    would be taken for what they are not."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    ext = _extension(base)
    allowed = EXTENSIONS[mime]
    if ext and ext not in allowed:
        label = ALLOWED_TYPES[mime]
        raise ValidationFailed(
            "file_extension_mismatch",
            f"Tệp '{name}' có nội dung {label} nhưng phần mở rộng '{ext}' không khớp: "
            f"đổi tên thành '{allowed[0]}'.",
            f"File '{name}' holds {label} content but its extension '{ext}' does not match: "
            f"rename it to '{allowed[0]}'.",
            field=field,
            data={"name": name, "extension": ext, "sniffed": mime},
        )
    stem = base[: -len(ext)] if ext else base
    stem = unicodedata.normalize("NFC", stem)
    stem = "".join(
        ch for ch in stem if unicodedata.category(ch)[0] != "C" and ch not in "\"'<>:|?*;%"
    ).strip(" .")
    return f"{stem[:200] or 'tep'}{allowed[0]}"


def _check_zip(file: Any, size: int, name: str, field: str) -> None:
    """An office file's declared inflated size and ratio, read from the zip's directory
    without inflating anything (settings MOTCUA_MAX_UNZIPPED_BYTES, MOTCUA_MAX_UNZIP_RATIO).
    A reader that inflates it later still caps what it reads; these are the sizes the
    archive claims."""
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise ValidationFailed(
            "file_corrupt",
            f"Tệp '{name}' bị hỏng: không đọc được.",
            f"File '{name}' is corrupt: it cannot be read.",
            field=field,
        ) from exc
    inflated = sum(i.file_size for i in infos)
    limit = settings.MOTCUA_MAX_UNZIPPED_BYTES
    ratio = settings.MOTCUA_MAX_UNZIP_RATIO
    if inflated > limit or inflated > ratio * size or len(infos) > MAX_ZIP_ENTRIES:
        mib = limit / (1024 * 1024)
        raise ValidationFailed(
            "file_inflates_too_much",
            f"Tệp '{name}' khi giải nén quá lớn ({inflated} byte; tối đa {mib:g} MB và "
            f"{ratio} lần dung lượng tệp).",
            f"File '{name}' inflates too much ({inflated} bytes; at most {mib:g} MiB and "
            f"{ratio} times the file's size).",
            field=field,
            data={"inflated": inflated, "size": size, "entries": len(infos)},
        )


def served_name(name: str, content_type: str) -> str:
    """The download's name of a stored file: its kept name, made safe (files kept before
    names were checked may end in another type's extension: the type's own replaces it)."""
    exts = EXTENSIONS.get(content_type)
    if exts is None:
        return name
    try:
        return _safe_name(name, content_type, "")
    except ValidationFailed:
        return _safe_name(name[: -len(_extension(name))], content_type, "")


logger = logging.getLogger(__name__)
# Read back into memory up to this size, then into a temporary file (uploads are <= 10 MiB).
_SPOOL_BYTES = 1024 * 1024


class StoredFileCorrupt(DomainError):
    """A stored file whose bytes no longer have the SHA-256 recorded when it was kept: it is
    not served (nor reused), and the event is logged."""

    status = 409

    def __init__(self, name: str, path: str) -> None:
        super().__init__(
            "stored_file_corrupt",
            f"Tệp '{name}' trong kho lưu trữ đã bị thay đổi hoặc hỏng (mã băm SHA-256 không "
            "khớp): hệ thống không cung cấp tệp này. Vui lòng báo quản trị viên.",
            f"The stored file '{name}' has been altered or damaged (its SHA-256 does not "
            "match): it is not served. Please tell the administrator.",
            data={"path": path},
        )


def verified_open(stored: Any, *, sha256: str, name: str = "") -> Any:
    """The bytes of a stored file (a FieldFile or a storage path), read once from the
    storage (filesystem or object store) into a spooled temporary file while hashing, and
    given back only when their SHA-256 is the one recorded: a changed byte is refused
    (StoredFileCorrupt) and logged, never served."""
    path: str = stored if isinstance(stored, str) else stored.name
    digest = hashlib.sha256()
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 (returned)
    with default_storage.open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(64 * 1024), b""):
            digest.update(chunk)
            spool.write(chunk)
    if digest.hexdigest() != sha256:
        spool.close()
        logger.error("stored file %s: SHA-256 %s, recorded %s", path, digest.hexdigest(), sha256)
        security_event(
            "stored_file_corrupt",
            level=logging.ERROR,
            path=path,
            expected=sha256,
            found=digest.hexdigest(),
        )
        raise StoredFileCorrupt(name or path.rsplit("/", 1)[-1], path)
    spool.seek(0)
    return spool


def corrupt_response(exc: StoredFileCorrupt) -> HttpResponse:
    """The page a refused file gives (Vietnamese first, then English)."""
    return HttpResponse(
        f"{exc.message}\n{exc.message_en}\n",
        status=exc.status,
        content_type="text/plain; charset=utf-8",
    )


def file_response(
    stored: Any, *, original_name: str, content_type: str, sha256: str, api: bool = False
) -> HttpResponseBase:
    """Serve a stored file: PDFs and images inline, everything else as a download
    (Content-Disposition: attachment); never sniffed by the browser (nosniff); anything but a
    PDF sandboxed (no script of an uploaded file runs in our origin; Chromium's PDF viewer
    refuses sandboxed documents, and PDFs were sniffed as PDFs when stored). The bytes are
    checked against the recorded SHA-256 first (verified_open): a corrupt file is a 409 (a
    page saying so, or for the API the error raised, which it answers in its JSON shape)."""
    try:
        body = verified_open(stored, sha256=sha256, name=original_name)
    except StoredFileCorrupt as exc:
        if api:
            raise
        return corrupt_response(exc)
    response = FileResponse(
        body,
        as_attachment=content_type not in INLINE_TYPES,
        filename=served_name(original_name, content_type),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    if content_type != "application/pdf":
        response["Content-Security-Policy"] = "sandbox"
    return response


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

    def save(self, path: str, file: File[Any]) -> str:
        file.seek(0)
        stored = default_storage.save(path, file)
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
