#!/usr/bin/env python
"""OCR throughput of digitization at the counter (issue 12: "OCR pages per minute").

Runs the engine the Celery task runs (motcua.digitization.ocr.make_pdfa: ocrmypdf +
Tesseract `vie` + Ghostscript to PDF/A-2b) on the shipped scanned sample
(motcua/digitization/tests/data/giay-khai-sinh.png, 2480×1300 px at 300 dpi), as single
pages and as one batch of page images, and prints CPU seconds per page (this process and
its children: Tesseract, Ghostscript) and the pages per minute one core gives from that.
Wall-clock figures are printed too but are not to be trusted on a shared machine.

    .venv/bin/python bench/ocr.py [--repeat 3] [--batch 4]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "motcua" / "digitization" / "tests" / "data" / "giay-khai-sinh.png"


def cpu() -> float:
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--batch", type=int, default=4)
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from motcua.digitization.ocr import make_pdfa

    page = SAMPLE.read_bytes()
    make_pdfa([(page, "image/png")])  # warm-up: imports, plugin discovery
    runs = {"1 trang / 1 page": 1, f"{args.batch} trang / {args.batch} pages": args.batch}
    print(f"OCR (ocrmypdf + Tesseract vie -> PDF/A-2b), sample {SAMPLE.name}, x{args.repeat}")
    for label, pages in runs.items():
        per_page_cpu, per_page_wall = [], []
        for _ in range(args.repeat):
            c0, w0 = cpu(), time.perf_counter()
            out = make_pdfa([(page, "image/png")] * pages)
            c1, w1 = cpu(), time.perf_counter()
            assert out.pages == pages and "Nguyễn Thị Hương" in out.text
            per_page_cpu.append((c1 - c0) / pages)
            per_page_wall.append((w1 - w0) / pages)
        c = statistics.median(per_page_cpu)
        w = statistics.median(per_page_wall)
        print(
            f"  {label:>18}: CPU {c:.2f} s/page -> {60 / c:.1f} pages/min per core "
            f"(wall {w:.2f} s/page, {60 / w:.1f} pages/min; shared machine)"
        )


if __name__ == "__main__":
    main()
