#!/usr/bin/env python
"""CPU time to sign one result PDF (PAdES-B-LT, timestamped, visible stamp with QR) and to
verify one, the figures of issue 12. Target: p50 < 50 ms per signature.

Makes a development PKI in a temporary folder, starts the local RFC 3161 timestamp
authority as its own process (as the demo and the tests do), warms up, then signs N
one-page PDFs with a PKCS#12 key and prints p50 / p90 / mean of the signing process's CPU
milliseconds (time.process_time: the machine is shared, so wall time is printed only for
reference; the TSA's own CPU is in its process), then the same for verification. A figure
to read, not a test.

    .venv/bin/python bench/signing.py [--count 50]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _figures(label: str, cpu: list[float], wall: list[float]) -> None:
    cpu.sort()
    print(
        f"{label}: CPU p50 {statistics.median(cpu):.1f} ms, p90 {cpu[int(len(cpu) * 0.9)]:.1f} ms,"
        f" mean {statistics.mean(cpu):.1f} ms; wall p50 {statistics.median(wall):.1f} ms"
        f" (n={len(cpu)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=50)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="motcua-bench-signing-")
    port = _free_port()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="motcua.settings",
        DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3",
        MOTCUA_PKI_DIR=f"{tmp}/pki",
        MOTCUA_PKI_BASE_URL=f"http://127.0.0.1:{port}",
        MOTCUA_TSA_URL=f"http://127.0.0.1:{port}/",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from fpdf import FPDF

    from motcua.signing import pades, pki

    pki.ensure()
    tsa = subprocess.Popen(
        [sys.executable, "-m", "motcua.devtools.tsa", "--port", str(port)]
        + ["--pki-dir", f"{tmp}/pki"]
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.05)
        pdf = FPDF()
        pdf.add_page()
        pdf.set_font("helvetica", size=14)
        pdf.cell(text="Giay chung nhan")
        data = bytes(pdf.output())
        name, agency = "Nguyễn Văn An", "UBND xã Thử Nghiệm"
        signer = pades.pkcs12_signer(pki.signer_p12(name, agency), "motcua-dev")
        kw = {"signer_name": name, "agency": agency, "url": "https://dvc.example.vn/xac-thuc/K/"}
        for i in range(5):  # warm up: imports, the stamp face, the trust store
            signed = pades.sign_pdf(data, signer, code=f"KQ-WARM{i}", **kw)
            pades.verify_pdf(signed)
        cpu, wall, outputs = [], [], []
        for i in range(args.count):
            c, w = time.process_time(), time.perf_counter()
            outputs.append(pades.sign_pdf(data, signer, code=f"KQ-{i:07d}", **kw))
            cpu.append((time.process_time() - c) * 1000)
            wall.append((time.perf_counter() - w) * 1000)
        _figures("sign (PAdES-B-LT, timestamp, stamp + QR)", cpu, wall)
        cpu, wall = [], []
        for out in outputs:
            c, w = time.process_time(), time.perf_counter()
            assert pades.verify_pdf(out).valid
            cpu.append((time.process_time() - c) * 1000)
            wall.append((time.perf_counter() - w) * 1000)
        _figures("verify (pyHanko, chain + CRLs at the timestamp)", cpu, wall)
    finally:
        tsa.terminate()
        tsa.wait(10)


if __name__ == "__main__":
    main()
