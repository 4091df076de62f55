#!/usr/bin/env python
"""The security probe's attacks, repeated against a served instance: what was refused.

A figure to read, not a test (the tests of each defence are in the suites). It loads a
small demo province into a temporary database, serves it with gunicorn on a free port and
attacks it over HTTP, as the probe of issue 10 did:

1. Bad uploads through the API's online submission (a citizen's token): a valid
   submission first (the control: it must be accepted), then PDF bytes named .exe/.html,
   HTML named .pdf, an empty file, an oversized file, a DOCX bomb, too many bytes in one
   request, EICAR behind a %PDF header and inside a DOCX (refused only where a malware
   scanner is configured: MOTCUA_CLAMD), and a path in the file name.
2. Access between citizens: one citizen's token and session against the other's dossiers
   (read, files, receipt, withdraw), and no token at all.
3. Lookup guessing: wrong secrets for a real dossier code from one address, on the page
   and on the API; then the right secret from that address and from another.
4. Login brute force: 30 wrong passwords then the right one on the portal login, the admin
   login and POST /api/auth/token; a password spray (one wrong password on many accounts)
   from one address.

Addresses are told to the server in X-Real-IP (MOTCUA_CLIENT_IP_HEADER), as nginx would,
so that each attack comes from its own address.

    .venv/bin/python bench/probe.py [--database-url postgres://...]
"""

from __future__ import annotations

import argparse
import io
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
# The EICAR test string, assembled here so that no file in the repository is one.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="'
    b'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)


def docx(document: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("word/document.xml", document)
    return buf.getvalue()


class Tally:
    def __init__(self) -> None:
        self.rows: list[tuple[str, int, int, str]] = []

    def add(self, attack: str, attempts: int, refused: int, note: str = "") -> None:
        self.rows.append((attack, attempts, refused, note))
        admitted = attempts - refused
        flag = "" if admitted == 0 else f"  <-- {admitted} ADMITTED"
        print(f"  {attack:<52} {attempts:>5} tried {refused:>5} refused{flag}  {note}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def csrf(client: httpx.Client, path: str, ip: str) -> str:
    page = client.get(path, headers={"X-Real-IP": ip})
    m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    return m.group(1) if m else ""


def form_login(client: httpx.Client, path: str, ip: str, username: str, password: str) -> int:
    token = csrf(client, path, ip)
    r = client.post(
        path,
        data={"csrfmiddlewaretoken": token, "username": username, "password": password},
        headers={"X-Real-IP": ip, "Referer": str(client.base_url) + path},
    )
    # A form login that works redirects (302); a refused one answers the page again (200)
    # or 429 when locked.
    return r.status_code


def api_login(client: httpx.Client, ip: str, username: str, password: str) -> httpx.Response:
    return client.post(
        "/api/auth/token",
        json={"username": username, "password": password, "name": "probe"},
        headers={"X-Real-IP": ip},
    )


def main() -> None:  # noqa: C901, PLR0915 (a script: one attack after the other)
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default="")
    ap.add_argument("--dossiers", type=int, default=300)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="motcua-probe-")
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url or f"sqlite:///{tmp}/probe.sqlite3",
        "MOTCUA_VAR_DIR": tmp,
        "DJANGO_SETTINGS_MODULE": "motcua.settings",
        "MOTCUA_CLIENT_IP_HEADER": "HTTP_X_REAL_IP",
        "MOTCUA_ALLOWED_HOSTS": "127.0.0.1",
        "MOTCUA_CACHE_URL": os.environ.get("MOTCUA_CACHE_URL", ""),
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    print(f"Loading a demo province ({args.dossiers} dossiers) into {env['DATABASE_URL']} …")
    subprocess.run([BIN / "motcua", "migrate", "--noinput", "-v", "0"], check=True, env=env)
    subprocess.run(
        [BIN / "motcua", "demo", "--dossiers", str(args.dossiers), "--reset"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    password = (Path(tmp) / "demo_password").read_text().strip()

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from motcua.catalog.models import Component

    # The malware scanner, as the demo runs it (clamd with the shipped EICAR-only
    # database), unless MOTCUA_CLAMD already names one or clamd is not installed.
    from motcua.demo import clamd
    from motcua.demo.companions import start
    from motcua.demo.generator.province import DEMO_ADMIN, DEMO_BUSINESS, DEMO_CITIZEN
    from motcua.dossiers.models import Dossier

    scanner = clamd.companion()
    if scanner is not None:
        start(scanner)
        env["MOTCUA_CLAMD"] = os.environ["MOTCUA_CLAMD"]
        print(f"Malware scanner: {scanner.name} at {env['MOTCUA_CLAMD']}")
    else:
        print(f"Malware scanner: MOTCUA_CLAMD={os.environ.get('MOTCUA_CLAMD') or '(none)'}")
    port = free_port()
    server = subprocess.Popen(
        [BIN / "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "motcua.wsgi:application"],
        env={**env, "MOTCUA_BIND": f"127.0.0.1:{port}", "MOTCUA_WORKERS": "2"},
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                httpx.get(base + "/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        print(f"Serving at {base} (gunicorn, 2 workers)\n")
        run(base, password, Dossier, Component, DEMO_CITIZEN, DEMO_BUSINESS, DEMO_ADMIN)
    finally:
        server.terminate()
        server.wait(timeout=10)


def run(base, password, Dossier, Component, citizen, business, admin) -> None:  # noqa: C901, PLR0912, PLR0915, N803
    tally = Tally()
    ip_n = iter(range(1, 250))

    def new_ip() -> str:
        return f"198.51.100.{next(ip_n)}"

    def token_for(username: str) -> str:
        r = api_login(httpx.Client(base_url=base), new_ip(), username, password)
        r.raise_for_status()
        return str(r.json()["token"])

    cit_token = token_for(citizen)
    mine = Dossier.objects.filter(owner__user__username=citizen).order_by("pk")
    theirs = (
        Dossier.objects.filter(owner__isnull=False)
        .exclude(owner__user__username=citizen)
        .order_by("pk")
    )
    sample = mine.select_related("procedure_version__procedure", "receiving_agency").first()

    # ------------------------------------------------------------------ 1. bad uploads
    print("1. Bad uploads (POST /api/dossiers, multipart, as the demo citizen)")
    version = sample.procedure_version
    comps = list(
        Component.objects.filter(version=version, case="")
        .order_by("order")
        .values_list("pk", "required")
    )
    base_form = {
        "procedure": version.procedure.code,
        "receiving_agency": sample.receiving_agency.code,
        "request_summary": "Thăm dò an ninh (security probe)",
    }
    client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {cit_token}"})

    def submit(first: tuple[str, bytes], extra: list[tuple[str, tuple[str, bytes]]] = ()):
        files = [(f"component_{comps[0][0]}", first)]
        files += [(f"component_{pk}", ("giay.pdf", PDF)) for pk, req in comps[1:] if req]
        files += list(extra)
        return client.post(
            "/api/dossiers",
            data=base_form,
            files=files,
            headers={"X-Real-IP": new_ip(), "Idempotency-Key": secrets.token_hex(8)},
        )

    control = submit(("don.pdf", PDF))
    print(
        f"  control: a valid submission answers {control.status_code} "
        f"({'accepted' if control.status_code == 201 else control.text[:200]})"
    )
    big = PDF + b"0" * (10 * 1024 * 1024)
    nine = PDF + b"0" * (9 * 1024 * 1024)
    scanner = bool(os.environ.get("MOTCUA_CLAMD"))
    bad = [
        ("PDF bytes named hoso.exe", ("hoso.exe", PDF), []),
        ("PDF bytes named hoso.html", ("hoso.html", PDF), []),
        ("HTML named hoso.pdf", ("hoso.pdf", b"<html><script>alert(1)</script></html>"), []),
        ("empty file", ("rong.pdf", b""), []),
        ("file over 10 MiB", ("lon.pdf", big), []),
        ("DOCX expanding 1 KiB -> 200 MiB", ("bom.docx", docx(b"\0" * (200 << 20))), []),
        (
            "4 x 9 MiB in one request",
            ("a.pdf", nine),
            [(f"component_{comps[0][0]}", (f"{i}.pdf", nine)) for i in range(3)],
        ),
        ("EICAR behind a %PDF header", ("virus.pdf", PDF + EICAR), []),
        ("EICAR inside a DOCX", ("virus.docx", docx(EICAR)), []),
    ]
    refused = 0
    for label, first, extra in bad:
        r = submit(first, extra)
        code = r.json().get("error", {}).get("code", "") if r.status_code >= 400 else ""
        ok = r.status_code >= 400
        refused += ok
        if not ok and "EICAR" in label and not scanner:
            code = "stored: no scanner configured (MOTCUA_CLAMD unset)"
        print(f"     {label:<36} -> {r.status_code} {code}")
    tally.add("bad uploads refused", len(bad), refused)
    r = submit(("../../../etc/passwd.pdf", PDF))
    if r.status_code == 201:
        detail = client.get(f"/api/dossiers/{r.json()['id']}").json()
        names = [a["name"] for c in detail.get("components", []) for a in c["attachments"]]
        print(f"     '../../../etc/passwd.pdf'            -> 201, kept as {names[:1]}")

    # ------------------------------------------------------------ 2. between citizens
    print("\n2. Access between citizens (the demo citizen against other citizens' dossiers)")
    other = list(theirs.values_list("pk", flat=True)[:10])
    attempts = refused = 0
    statuses: Counter[int] = Counter()
    for pk in other:
        for method, path, body in (
            ("GET", f"/api/dossiers/{pk}", None),
            ("POST", f"/api/dossiers/{pk}/withdrawal-request", {"reason": "thử"}),
        ):
            r = client.request(method, path, json=body, headers={"X-Real-IP": new_ip()})
            attempts += 1
            refused += r.status_code in (401, 403, 404)
            statuses[r.status_code] += 1
    session = httpx.Client(base_url=base)
    if form_login(session, "/dang-nhap/", new_ip(), citizen, password) == 302:
        for pk in other:
            for path in (f"/ho-so/{pk}/", f"/ho-so/{pk}/bien-nhan/"):
                r = session.get(path, headers={"X-Real-IP": new_ip()})
                attempts += 1
                refused += r.status_code in (403, 404)
                statuses[r.status_code] += 1
    anon = httpx.Client(base_url=base)
    for pk in other:
        r = anon.get(f"/api/dossiers/{pk}", headers={"X-Real-IP": new_ip()})
        attempts += 1
        refused += r.status_code == 401
        statuses[r.status_code] += 1
    tally.add("reads/acts on another citizen's dossier", attempts, refused, dict(statuses))

    # ------------------------------------------------------------------ 3. lookup guessing
    print("\n3. Lookup guessing (a real code, wrong secrets, one address)")
    target = Dossier.objects.exclude(secret="").order_by("pk").first()
    guesser = new_ip()
    statuses = Counter()
    found = 0
    for _ in range(60):
        guess = secrets.token_hex(4).upper()
        r = anon.get(
            "/tra-cuu/",
            params={"code": target.code, "secret": guess},
            headers={"X-Real-IP": guesser},
        )
        statuses[r.status_code] += 1
        found += r.status_code == 200
    for _ in range(30):
        r = anon.get(
            "/api/dossiers/lookup",
            params={"code": target.code, "secret": secrets.token_hex(4).upper()},
            headers={"X-Real-IP": guesser},
        )
        statuses[r.status_code] += 1
        found += r.status_code == 200
    tally.add("wrong secrets (page + API)", 90, 90 - found, dict(statuses))
    r = anon.get(
        "/tra-cuu/",
        params={"code": target.code, "secret": target.secret},
        headers={"X-Real-IP": guesser},
    )
    print(f"     the right secret from the guessing address -> {r.status_code}")
    r = anon.get(
        "/tra-cuu/",
        params={"code": target.code, "secret": target.secret},
        headers={"X-Real-IP": new_ip()},
    )
    print(f"     the right secret from another address      -> {r.status_code}")

    # ------------------------------------------------------------------ 4. login brute force
    print("\n4. Login brute force: 30 wrong passwords, then the right one")
    for label, account, kind in (
        ("portal /dang-nhap/", citizen, "/dang-nhap/"),
        ("admin /admin/login/", admin, "/admin/login/"),
        ("API POST /api/auth/token", business, "api"),
    ):
        ip = new_ip()
        statuses = Counter()
        s = httpx.Client(base_url=base)
        for i in range(30):
            if kind == "api":
                code = api_login(s, ip, account, f"sai-mat-khau-{i}").status_code
            else:
                code = form_login(s, kind, ip, account, f"sai-mat-khau-{i}")
            statuses[code] += 1
        if kind == "api":
            last = api_login(s, ip, account, password).status_code
        else:
            last = form_login(s, kind, ip, account, password)
        admitted = last in (201, 302)
        tally.add(
            f"{label}: the right password after 30 wrong",
            1,
            0 if admitted else 1,
            f"wrong: {dict(statuses)}; right: {last}",
        )
    ip = new_ip()
    statuses = Counter()
    s = httpx.Client(base_url=base)
    for i in range(20):
        statuses[api_login(s, ip, f"khong-co-{i}", "sai-mat-khau-x").status_code] += 1
    tally.add(
        "password spray: 20 accounts, one address",
        20,
        20 - statuses[201],
        f"{dict(statuses)} (locked after the limit)",
    )

    total = sum(a for _, a, _, _ in tally.rows)
    refused_all = sum(r for _, _, r, _ in tally.rows)
    print(f"\nIn all: {total} attacks, {refused_all} refused, {total - refused_all} admitted.")


if __name__ == "__main__":
    main()
