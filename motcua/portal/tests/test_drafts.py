import datetime as dt
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone

from motcua.portal.drafts import DRAFTS, drafts_purge


def _file(draft: str, name: str, age_days: float) -> str:
    path = default_storage.save(f"{DRAFTS}/{draft}/{name}", ContentFile(b"%PDF-1.4 x"))
    moment = (timezone.now() - dt.timedelta(days=age_days)).timestamp()
    os.utime(default_storage.path(path), (moment, moment))
    return path


def test_purge_deletes_old_draft_files_only():
    old = _file("aaa", "1-old.pdf", 20)
    mixed_old = _file("bbb", "1-old.pdf", 20)
    fresh = _file("bbb", "2-new.pdf", 0.25)  # six hours
    assert drafts_purge() == 2  # the session lifetime (MOTCUA_SESSION_MAX_HOURS) by default
    assert not default_storage.exists(old) and not default_storage.exists(mixed_old)
    assert default_storage.exists(fresh)
    assert "aaa" not in default_storage.listdir(DRAFTS)[0]  # the emptied folder is gone
    assert drafts_purge(older_than=dt.timedelta(hours=1)) == 1
    assert not default_storage.exists(fresh)


def test_purge_without_drafts_is_a_no_op():
    assert drafts_purge() == 0


def test_command(capsys):
    _file("ccc", "1.pdf", 3)
    call_command("drafts", "purge", "--days", "2")
    assert "removed 1 draft file(s)" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--days"):
        call_command("drafts", "purge", "--days", "0")
