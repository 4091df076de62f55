"""Where files are kept (issue 12, "Storage"): the local filesystem by default, an
S3-compatible object store (django-storages' S3 backend, boto3) when MOTCUA_STORAGE_URL says
so. Read by settings, so it imports nothing of Django's apps.

    MOTCUA_STORAGE_URL=s3://BUCKET?endpoint=http://127.0.0.1:9000&region=us-east-1&prefix=motcua

The keys are not in the URL: boto3 reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or its
other usual sources). Every stored file's SHA-256 is recorded with its row and checked when
it is read back (motcua.dossiers.attachments.verified_open).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

FILESYSTEM = {"BACKEND": "django.core.files.storage.FileSystemStorage"}


class StorageUrlError(ValueError):
    pass


def default_storage_from_url(url: str) -> dict[str, Any]:
    """The STORAGES["default"] entry for MOTCUA_STORAGE_URL ("" → the filesystem)."""
    if not url:
        return dict(FILESYSTEM)
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise StorageUrlError(
            f"MOTCUA_STORAGE_URL must look like s3://bucket?endpoint=…; got {url!r}"
        )
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = set(query) - {"endpoint", "region", "prefix", "addressing"}
    if unknown:
        raise StorageUrlError(f"MOTCUA_STORAGE_URL: unknown option(s) {sorted(unknown)}")
    options: dict[str, Any] = {
        "bucket_name": parts.netloc,
        # Objects are private; downloads go through the application (access checks, hash).
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
        "location": query.get("prefix", "").strip("/"),
        "region_name": query.get("region") or None,
        "endpoint_url": query.get("endpoint") or None,
        # MinIO, Ceph, moto: path-style addressing unless told otherwise.
        "addressing_style": query.get("addressing", "path"),
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
