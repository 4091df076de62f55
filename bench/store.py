#!/usr/bin/env python
"""What checking a stored file's SHA-256 on every read costs (issue 12, "Storage").

Stores files of 100 KiB, 1 MiB and 10 MiB (the upload limit) in the default storage (the
file system under a temporary folder) and reads each back N times, interleaved: the plain
read the pages did before (`storage.open().read()`) and `dossiers.attachments.verified_open`
(read once into a spooled temporary file while hashing, then read from there, as
file_response serves it). Prints the CPU time per read (time.process_time: the machine is
shared, wall time is not trusted) and the extra cost per MiB. A figure to read, not a test.

    .venv/bin/python bench/store.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        os.environ["MOTCUA_MEDIA_ROOT"] = f"{tmp}/media"
        os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
        os.environ.pop("MOTCUA_STORAGE_URL", None)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage

        from motcua.dossiers.attachments import verified_open

        print(f"{'size':>8} {'plain ms':>9} {'verified ms':>12} {'extra ms/MiB':>13}")
        for size in (100 * 1024, 1024 * 1024, 10 * 1024 * 1024):
            data = os.urandom(size)
            sha = hashlib.sha256(data).hexdigest()
            path = default_storage.save(f"bench/{sha}", ContentFile(data))
            plain, verified = [], []
            for _ in range(args.rounds):
                t = time.process_time()
                with default_storage.open(path, "rb") as fh:
                    assert len(fh.read()) == size
                plain.append(time.process_time() - t)
                t = time.process_time()
                with verified_open(path, sha256=sha) as fh:
                    assert len(fh.read()) == size
                verified.append(time.process_time() - t)
            p, v = statistics.median(plain) * 1000, statistics.median(verified) * 1000
            print(f"{size // 1024:>6}Ki {p:>9.2f} {v:>12.2f} {(v - p) / (size / 2**20):>13.2f}")


if __name__ == "__main__":
    main()
