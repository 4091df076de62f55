"""Files of the online submission wizard's drafts (motcua.portal.submission): good uploads
wait under DRAFTS/<draft id>/ in the project's storage until the dossier is submitted, and
the draft itself lives in the applicant's session."""

from __future__ import annotations

import contextlib
import datetime as dt
import os

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

DRAFTS = "portal-drafts"


def drafts_purge(*, older_than: dt.timedelta | None = None, now: dt.datetime | None = None) -> int:
    """Delete the files of submission drafts last written more than `older_than` ago
    (default: the session lifetime, after which no session can refer to them); returns how
    many files went. Uploaded documents of abandoned submissions do not stay forever."""
    age = older_than or dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    limit = (now or timezone.now()) - age
    removed = 0
    try:
        draft_dirs, _files = default_storage.listdir(DRAFTS)
    except FileNotFoundError:
        return 0
    for draft_id in draft_dirs:
        folder = f"{DRAFTS}/{draft_id}"
        _dirs, names = default_storage.listdir(folder)
        for name in names:
            path = f"{folder}/{name}"
            if default_storage.get_modified_time(path) < limit:
                default_storage.delete(path)
                removed += 1
        if not default_storage.listdir(folder)[1]:
            _remove_empty_folder(folder)
    return removed


def _remove_empty_folder(folder: str) -> None:
    """Local storage keeps empty folders; object stores have none to remove."""
    with contextlib.suppress(NotImplementedError, OSError):
        os.rmdir(default_storage.path(folder))
