#!/usr/bin/env python
"""A worker's memory under one submission of 12 files of 9 MiB (issue 10), through the
API's WSGI handler in a fresh process: its peak resident set (VmHWM) before and after the
request, with today's limits (the request is refused from the sizes the uploads declare,
before any file is read) and with the volume limits lifted (every file read, checked and
stored, as before issue 10).

    .venv/bin/python bench/upload_memory.py [--files 12] [--mib 9]

SQLite and media in a temporary folder; the multipart body is streamed from a file on disk,
so the client's copy does not count. A figure to read, not a test.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIFTED = {
    "MOTCUA_MAX_REQUEST_BYTES": str(1 << 30),
    "MOTCUA_MAX_DOSSIER_BYTES": str(1 << 30),
    "MOTCUA_MAX_APPLICANT_DAY_BYTES": str(1 << 30),
}


def _hwm_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _one(files: int, mib: int) -> dict[str, object]:
    """In this (fresh) process: a small province, then one multipart submission."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command

    from motcua.api.auth import token_create
    from motcua.dossiers.models import Attachment
    from motcua.dossiers.tests.factories import make_world

    call_command("migrate", verbosity=0)
    w = make_world()
    token = token_create(user=w.citizen)[1]
    boundary = "motcuaboundary"
    body = Path(tempfile.mkstemp(dir=os.environ["MOTCUA_VAR_DIR"])[1])
    chunk = bytes(1024 * 1024)
    with body.open("wb") as out:
        for k, v in (("procedure", w.procedure.code), ("receiving_agency", w.a.center.code)):
            out.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            )
        for i in range(files):
            out.write(
                f"--{boundary}\r\nContent-Disposition: form-data; "
                f'name="component_{w.components[0].pk}"; filename="t{i}.pdf"\r\n'
                "Content-Type: application/pdf\r\n\r\n".encode()
            )
            out.write(b"%PDF-1.4\n" + bytes(1024 * 1024 - 9))
            for _ in range(mib - 1):
                out.write(chunk)
            out.write(b"\r\n")
        out.write(f"--{boundary}--\r\n".encode())
    handler = WSGIHandler()
    status: list[str] = []
    before = _hwm_kib()
    with body.open("rb") as stream:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/api/dossiers",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": stream,
            "wsgi.errors": io.StringIO(),
            "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
            "CONTENT_LENGTH": str(body.stat().st_size),
            "HTTP_AUTHORIZATION": f"Bearer {token}",
        }
        answer = b"".join(handler(environ, lambda s, h, *a: status.append(s)))
    after = _hwm_kib()
    code = json.loads(answer).get("error", {}).get("code", "") if answer[:1] == b"{" else ""
    return {
        "status": status[0],
        "code": code,
        "stored": Attachment.objects.count(),
        "hwm_before_mib": round(before / 1024, 1),
        "hwm_after_mib": round(after / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=12)
    parser.add_argument("--mib", type=int, default=9)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_one(args.files, args.mib)))
        return
    for label, extra in (("limits of issue 10", {}), ("volume limits lifted", LIFTED)):
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                **os.environ,
                **extra,
                "PYTHONPATH": str(ROOT),
                "MOTCUA_VAR_DIR": tmp,
                "MOTCUA_MEDIA_ROOT": f"{tmp}/media",
                "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            }
            out = subprocess.run(
                [sys.executable, __file__, "--child", f"--files={args.files}", f"--mib={args.mib}"],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            got = json.loads(out.strip().splitlines()[-1])
            grew = got["hwm_after_mib"] - got["hwm_before_mib"]
            print(
                f"{label:22} {args.files} × {args.mib} MiB: {got['status']} {got['code'] or ''}"
                f" stored={got['stored']} peak RSS {got['hwm_before_mib']} → "
                f"{got['hwm_after_mib']} MiB (+{grew:.1f})"
            )


if __name__ == "__main__":
    main()
