"""The national portal's receiving service (motcua.devtools.national_portal) as a process on
a free loopback port, for the tests and the bench."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import dataclass

import requests

DSTCODE = "000.00.00.H03"
USERNAME = "motcua-test"
PASSWORD = "mat-khau-thu"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Receiver:
    url: str
    proc: subprocess.Popen

    def control(self, **body) -> dict:
        return requests.post(self.url + "/_control", json=body, timeout=5).json()

    def dossier(self, code: str) -> dict | None:
        r = requests.get(f"{self.url}/_control/dossiers/{code}", timeout=5)
        return r.json() if r.status_code == 200 else None

    def stats(self) -> dict:
        return requests.get(self.url + "/_control/stats", timeout=5).json()

    def settings(self) -> dict:
        return {
            "MOTCUA_NATIONAL_SYNC_URL": self.url,
            "MOTCUA_NATIONAL_SYNC_USERNAME": USERNAME,
            "MOTCUA_NATIONAL_SYNC_PASSWORD": PASSWORD,
            "MOTCUA_NATIONAL_SYNC_DSTCODE": DSTCODE,
        }

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def start(db: str = ":memory:") -> Receiver:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "motcua.devtools.national_portal",
            "--port",
            str(port),
            "--username",
            USERNAME,
            "--password",
            PASSWORD,
            "--dstcode",
            DSTCODE,
            "--db",
            db,
            "--control",
        ],
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(url + "/_control/stats", timeout=1)
            return Receiver(url, proc)
        except requests.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("the national portal receiver did not start") from None
            time.sleep(0.1)
