#!/usr/bin/env python
"""What the malware scan costs per upload (issue 10, ADR 0009): `check_file` on PDFs of 1, 5
and 10 MiB read from temporary files on disk (as Django keeps uploads past 2 MiB), without
a scanner and with a real clamd loading the shipped test database, and the cost per MiB of
the scan alone. Also a raw INSTREAM with 64 KiB chunks instead of clamav-client's 1 KiB
ones, and the process's peak resident set before and after the 10 MiB scans (the file is
streamed, never read whole).

    .venv/bin/python bench/scan.py [--repeat 5]

clamd here knows one signature; with the full ClamAV database (about 8 million signatures)
the matching costs more per MiB: measure on the province's server with its clamd
(MOTCUA_CLAMD set: that clamd is used instead). A figure to read, not a test.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import struct
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
os.environ.setdefault("MOTCUA_VAR_DIR", tempfile.mkdtemp(prefix="motcua-bench-"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import TemporaryUploadedFile  # noqa: E402

from motcua.dossiers.attachments import check_file  # noqa: E402
from motcua.dossiers.tests.clamd import running_clamd  # noqa: E402

MiB = 1024 * 1024


def _hwm_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _upload(mib: int) -> TemporaryUploadedFile:
    upload = TemporaryUploadedFile("hoso.pdf", "application/pdf", 0, None)
    upload.write(b"%PDF-1.7\n")
    block = os.urandom(MiB)
    for _ in range(mib - 1):
        upload.write(block)
    upload.write(block[: MiB - upload.tell() % MiB])  # exactly `mib` MiB
    upload.size = upload.tell()
    return upload


def _ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _raw_instream(address: str, upload: TemporaryUploadedFile, chunk: int) -> bytes:
    host, port = address[len("tcp://") :].rsplit(":", 1)
    with socket.create_connection((host, int(port))) as s:
        s.sendall(b"zINSTREAM\0")
        upload.seek(0)
        while block := upload.read(chunk):
            s.sendall(struct.pack("!L", len(block)) + block)
        s.sendall(struct.pack("!L", 0))
        return s.recv(4096)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sizes = (1, 5, 10)
    uploads = {m: _upload(m) for m in sizes}
    settings.MOTCUA_CLAMD = ""
    plain = {m: _ms(lambda m=m: check_file(uploads[m], field="f"), args.repeat) for m in sizes}
    with running_clamd(stream_max_length="12M") as address:
        settings.MOTCUA_CLAMD = os.environ.get("MOTCUA_CLAMD") or address
        check_file(uploads[1], field="f")  # warm up
        hwm_before = _hwm_mib()
        scanned = {
            m: _ms(lambda m=m: check_file(uploads[m], field="f"), args.repeat) for m in sizes
        }
        hwm_after = _hwm_mib()
        raw = _ms(lambda: _raw_instream(address, uploads[10], 64 * 1024), args.repeat)
    print(f"clamd: {settings.MOTCUA_CLAMD} (median of {args.repeat})")
    print(f"{'MiB':>4} {'check, no scan':>15} {'check + scan':>13} {'scan per MiB':>13}")
    for m in sizes:
        per = (scanned[m] - plain[m]) / m
        print(f"{m:>4} {plain[m]:>12.1f} ms {scanned[m]:>10.1f} ms {per:>10.1f} ms")
    print(f"10 MiB raw INSTREAM, 64 KiB chunks: {raw:.1f} ms")
    print(f"peak RSS before / after the scans: {hwm_before:.0f} / {hwm_after:.0f} MiB")
    for upload in uploads.values():
        upload.close()


if __name__ == "__main__":
    main()
