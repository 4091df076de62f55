"""The processes `motcua demo --serve` starts beside the web server.

Where the real counterpart cannot be reached from a demo machine (an identity provider, a
payment gateway, an antivirus daemon), motcua ships a faithful counterpart that runs as its
own process and speaks the real protocol; the demo starts each one here, waits until it
answers on its port, and points the settings at it. A companion that cannot start (its
program is missing) is reported and left out; the rest of the demo goes on.

To add one, write a factory returning a `Companion` (or None when it does not apply) in
the module that owns the protocol, and list its dotted path in FACTORIES.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass
class Companion:
    name: str  # shown to the person running the demo, Vietnamese first
    argv: list[str]
    port: int
    host: str = "127.0.0.1"
    # Settings (and environment variables, for child processes) pointing motcua at it.
    settings: dict[str, object] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    url: str = ""  # what to print, if anything
    startup_seconds: float = 20.0


# Dotted paths of factories: Callable[[], Companion | None].
FACTORIES: list[str] = [
    "motcua.demo.clamd.companion",  # ClamAV with the test signature database (EICAR)
    "motcua.demo.idp.identity_provider",  # OpenID Connect in place of VNeID
    "motcua.demo.payment_gateway.gateway_simulator",
    "motcua.demo.payment_gateway.national_platform_simulator",
    "motcua.demo.tsa.timestamp_authority",  # RFC 3161 timestamps for signed results
    "motcua.demo.national_portal.national_portal",  # receives the dossier sync (outbox)
    "motcua.demo.sms_gateway.sms_gateway",  # SMS and Zalo ZNS notifications
]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def start(companion: Companion) -> subprocess.Popen[bytes]:
    """Start `companion`, wait until its port answers, apply its settings. Raises
    RuntimeError naming the companion if it exits or does not answer in time."""
    env = {**os.environ, **companion.env}
    argv = list(companion.argv)
    # It dies with the demo however the demo ends (SIGTERM runs no atexit): util-linux's
    # setpriv sets the parent-death signal and execs the program (same pid).
    setpriv = shutil.which("setpriv")
    if setpriv and Path(argv[0]).name != "setpriv":
        argv = [setpriv, "--pdeathsig", "TERM", *argv]
    proc = subprocess.Popen(argv, env=env)  # noqa: S603 (our own argv)
    atexit.register(_stop, proc)
    deadline = time.monotonic() + companion.startup_seconds
    while not _answers(companion.host, companion.port):
        if proc.poll() is not None:
            raise RuntimeError(f"{companion.name}: exited with {proc.returncode}")
        if time.monotonic() > deadline:
            _stop(proc)
            raise RuntimeError(f"{companion.name}: no answer on port {companion.port}")
        time.sleep(0.1)
    for key, value in companion.settings.items():
        setattr(settings, key, value)
    os.environ.update({k: str(v) for k, v in companion.settings.items()})
    return proc


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()


def start_all(write: Callable[[str], None]) -> list[subprocess.Popen[bytes]]:
    """Start every companion that applies; report each on `write`."""
    started = []
    for path in FACTORIES:
        factory: Callable[[], Companion | None] = import_string(path)
        companion = factory()
        if companion is None:
            continue
        try:
            started.append(start(companion))
        except (OSError, RuntimeError) as exc:
            write(f"Không chạy được {companion.name} (could not start): {exc}")
            continue
        write(f"Đã chạy {companion.name}" + (f": {companion.url}" if companion.url else ""))
    return started
