"""Malware scan with ClamAV before a file is kept (issue 10, ADR 0009).

`check_file` calls `scan` once a file is known good by size, type and name, before anything
is stored. The file goes to clamd (MOTCUA_CLAMD: `tcp://127.0.0.1:3310` or
`unix:///run/clamav/clamd.ctl`) over clamd's INSTREAM protocol, read in chunks from where
Django put it (never whole in memory), through `clamav-client` (Artefactual's maintained
successor of the `clamd` package, whose last release is from 2014).

- `stream: OK`: the file is clean for clamd's signatures; the scan's time and clamd's
  VERSION answer (engine and signature database version) are returned and kept on the
  Attachment (`scanned_at`, `scan_engine`): the fact comes from the scan, not from a flag.
- `stream: NAME FOUND`: refused (ValidationFailed "malware_found"), the signature name in
  the error's data, not in the message the citizen reads.
- No answer, a timeout, an error (for instance a file over clamd's StreamMaxLength, which
  must be at least MOTCUA_MAX_UPLOAD_BYTES): refused with "scanner_unavailable" (503):
  fail closed, nothing is kept unscanned while a scanner is configured.
- MOTCUA_CLAMD unset: no scan (`scan` returns None; the attachment's `scanned_at` stays
  empty) and `motcua check --deploy` warns (motcua.W010, `checks.py`).

The project ships a test signature database (`clamav/motcua-test.ndb`: EICAR only) and
`shipped_clamd`, which writes a clamd.conf loading only it; the tests and the demo start
clamd with it as its own process.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clamav_client.clamd import ClamdError, ClamdNetworkSocket, ClamdUnixSocket
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from motcua.core.errors import DomainError, ValidationFailed

logger = logging.getLogger(__name__)

# The signature database the project ships for tests and the demo (EICAR only).
TEST_DATABASE_DIR = Path(__file__).resolve().with_name("clamav")


@dataclass(frozen=True)
class Scan:
    """A clean answer of clamd: when, and by what (clamd's VERSION answer, e.g.
    `ClamAV 1.4.6/27480/Fri Dec  4 08:29:33 2026`: engine/database version/database date)."""

    at: dt.datetime
    engine: str


def client(address: str | None = None) -> ClamdNetworkSocket | None:
    """The clamd client of MOTCUA_CLAMD, or None when it is not set."""
    address = settings.MOTCUA_CLAMD if address is None else address
    if not address:
        return None
    timeout = float(settings.MOTCUA_CLAMD_TIMEOUT)
    if address.startswith("unix://") and len(address) > len("unix://"):
        return ClamdUnixSocket(address[len("unix://") :], timeout)  # type: ignore[arg-type]
    if address.startswith("tcp://"):
        host, _, port = address[len("tcp://") :].rstrip("/").rpartition(":")
        if host and port.isdigit():
            return ClamdNetworkSocket(host.strip("[]"), int(port), timeout)
    raise ImproperlyConfigured(
        f"MOTCUA_CLAMD={address!r}: expected tcp://HOST:PORT or unix:///PATH/TO/clamd.ctl"
    )


def scan(file: Any, *, name: str, field: str) -> Scan | None:
    """Scan `file` (a Django File, read from its start in chunks) with clamd; None when no
    scanner is configured. Raises ValidationFailed (malware_found) on a detection and
    DomainError (scanner_unavailable, 503) when clamd does not give a clean answer."""
    clamd = client()
    if clamd is None:
        return None
    file.seek(0)
    try:
        engine = clamd.version()
        answer = clamd.instream(file)
    except (ClamdError, OSError) as exc:
        # OSError: refused, reset (clamd closes the stream past StreamMaxLength), timed out.
        logger.error("clamd %s did not scan %r: %s", settings.MOTCUA_CLAMD, name, exc)
        raise unavailable(name, field) from exc
    finally:
        file.seek(0)
    status, signature = answer.get("stream", ("ERROR", None))
    if status == "FOUND":
        logger.warning("clamd found %s in %r (%s)", signature, name, field)
        raise ValidationFailed(
            "malware_found",
            f"Tệp '{name}' chứa mã độc nên không được tiếp nhận. Vui lòng kiểm tra máy tính "
            "của bạn bằng phần mềm diệt virus và nộp một tệp khác.",
            f"File '{name}' contains malware and was not accepted. Please check your computer "
            "with antivirus software and upload another file.",
            field=field,
            data={"name": name, "signature": signature, "engine": engine},
        )
    if status != "OK":
        logger.error("clamd %s answered %r for %r", settings.MOTCUA_CLAMD, answer, name)
        raise unavailable(name, field)
    return Scan(at=timezone.now(), engine=engine[:200])


def unavailable(name: str, field: str) -> DomainError:
    return DomainError(
        "scanner_unavailable",
        f"Hệ thống quét mã độc tạm thời không hoạt động nên tệp '{name}' chưa được tiếp nhận. "
        "Vui lòng thử lại sau ít phút.",
        f"The malware scanner is unavailable, so file '{name}' was not accepted. "
        "Please try again in a few minutes.",
        field=field,
        status=503,
        data={"name": name},
    )


def shipped_clamd(
    workdir: Path, port: int, *, stream_max_length: str = "12M"
) -> tuple[list[str], str]:
    """A clamd that loads only the shipped test database (EICAR), on 127.0.0.1:`port`, in
    the foreground: writes `workdir`/clamd.conf and a copy of the database, returns the argv
    and the MOTCUA_CLAMD address. For the tests, the demo and bench/ — never production."""
    db = workdir / "db"
    db.mkdir(parents=True, exist_ok=True)
    for sig in TEST_DATABASE_DIR.glob("*.ndb"):
        (db / sig.name).write_bytes(sig.read_bytes())
    conf = workdir / "clamd.conf"
    conf.write_text(
        "\n".join(
            [
                f"TCPSocket {port}",
                "TCPAddr 127.0.0.1",
                f"DatabaseDirectory {db}",
                f"TemporaryDirectory {workdir}",
                "Foreground yes",
                "ScanArchive yes",
                "ScanOLE2 yes",
                "ScanPDF yes",
                "Bytecode no",
                f"StreamMaxLength {stream_max_length}",
                "SelfCheck 0",
                "",
            ]
        )
    )
    argv = [clamd_program() or "clamd", "-c", str(conf)]
    # It dies with the process that started it, however that one ends (a demo server
    # stopped by SIGTERM runs no atexit): util-linux's setpriv sets the parent-death signal
    # and execs clamd (same pid).
    setpriv = shutil.which("setpriv")
    if setpriv:
        argv = [setpriv, "--pdeathsig", "TERM", *argv]
    return argv, f"tcp://127.0.0.1:{port}"


def clamd_program() -> str | None:
    """Debian installs clamd in /usr/sbin, often not on a user's PATH."""
    found = shutil.which("clamd") or shutil.which("clamd", path="/usr/sbin:/usr/local/sbin")
    return found
