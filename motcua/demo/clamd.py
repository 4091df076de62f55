"""The demo's malware scanner: a real clamd loading only the signature database the project
ships for tests (EICAR), so that a visitor uploading the EICAR test file sees the refusal
(docs/security.md, "Quét mã độc (ClamAV)"). It knows no real malware."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from django.conf import settings

from motcua.dossiers import scanner

from .companions import Companion, free_port


def companion() -> Companion | None:
    """clamd with the test database; None when clamd is not installed or MOTCUA_CLAMD
    already names a scanner."""
    if settings.MOTCUA_CLAMD or scanner.clamd_program() is None:
        return None
    workdir = Path(tempfile.mkdtemp(prefix="motcua-demo-clamd-"))
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    argv, address = scanner.shipped_clamd(workdir, free_port())
    return Companion(
        name=(
            "clamd — quét mã độc, chỉ biết chữ ký thử EICAR "
            "(malware scanner knowing only the EICAR test signature)"
        ),
        argv=argv,
        port=int(address.rsplit(":", 1)[1]),
        settings={"MOTCUA_CLAMD": address},
        url=address,
        startup_seconds=60.0,
    )
