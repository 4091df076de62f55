"""A real clamd for the tests, loading only the signature database the project ships
(dossiers/clamav/motcua-test.ndb, EICAR): started once per test session on a free port of
127.0.0.1 as its own process, stopped at the end. Without clamd the tests that need it are
skipped, and the root conftest prints a loud banner (CI installs clamav-daemon)."""

from __future__ import annotations

import io
import shutil
import socket
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from motcua.dossiers import scanner

CLAMD_MISSING = "clamd is not installed (apt-get install clamav-daemon): malware scan tests"

# The EICAR anti-virus test file, put together at test time (no such file in the repository).
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
assert len(EICAR) == 68


def eicar_pdf() -> bytes:
    return (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + EICAR + b"\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    )


def docx(text: bytes = "<w:document>Xin chào</w:document>".encode()) -> bytes:
    """A DOCX (zip, deflated) whose document part holds `text`."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/content-types"/>',
        )
        z.writestr("_rels/.rels", b'<?xml version="1.0"?><Relationships/>')
        z.writestr("word/document.xml", text)
    return buf.getvalue()


def eicar_docx() -> bytes:
    body = docx(b"<w:document><w:t>" + EICAR + b"</w:t></w:document>")
    assert EICAR not in body  # deflated: only a scanner that unpacks the zip finds it
    return body


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"zPING\0")
            return s.recv(16).startswith(b"PONG")
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_clamd(**conf: str) -> Iterator[str]:
    """Start clamd with the shipped test database; yield its MOTCUA_CLAMD address."""
    if scanner.clamd_program() is None:
        pytest.skip(CLAMD_MISSING)
    workdir = Path(tempfile.mkdtemp(prefix="motcua-clamd-"))
    port = free_port()
    argv, address = scanner.shipped_clamd(workdir, port, **conf)
    proc = subprocess.Popen(  # noqa: S603 (our own argv)
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        # Loading a one-signature database takes about a second; the limit is generous
        # for a busy machine, and a clamd that exits says why.
        for _ in range(600):
            if _answers(port):
                break
            if proc.poll() is not None:
                raise RuntimeError(f"clamd exited: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)
        else:
            raise RuntimeError("clamd did not answer PING")
        yield address
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)
