"""The signing tests' counterparts: a development PKI in a temporary folder, the local RFC
3161 timestamp authority as its own process, and a SoftHSM2 token."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fpdf import FPDF


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def signing_env(tmp_path_factory):
    """(PKI folder, TSA URL): the PKI made by motcua.signing.pki, the TSA started like the
    demo starts it (python -m motcua.devtools.tsa)."""
    from django.conf import settings

    from motcua.signing import pki

    pki_dir = tmp_path_factory.mktemp("pki")
    port = _free_port()
    old = settings.MOTCUA_PKI_DIR, settings.MOTCUA_PKI_BASE_URL
    settings.MOTCUA_PKI_DIR, settings.MOTCUA_PKI_BASE_URL = pki_dir, f"http://127.0.0.1:{port}"
    try:
        pki.ensure()
    finally:
        settings.MOTCUA_PKI_DIR, settings.MOTCUA_PKI_BASE_URL = old
    proc = subprocess.Popen(
        [sys.executable, "-m", "motcua.devtools.tsa", "--port", str(port), "--pki-dir", pki_dir]
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the development TSA did not start") from None
            time.sleep(0.05)
    yield pki_dir, f"http://127.0.0.1:{port}/"
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def signing(signing_env, settings):
    from motcua.signing import keys

    pki_dir, tsa = signing_env
    settings.MOTCUA_PKI_DIR = pki_dir
    settings.MOTCUA_TSA_URL = tsa
    settings.MOTCUA_SIGNING_TRUST_ROOTS = []
    settings.MOTCUA_PUBLIC_URL = "https://dichvucong.example.vn"
    keys._SIGNERS.clear()
    yield pki_dir
    keys._SIGNERS.clear()


def make_pdf(text: str = "Giấy khai sinh") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text=text.encode("ascii", "ignore").decode())
    return bytes(pdf.output())


@pytest.fixture
def softhsm(signing, settings, tmp_path):
    """A SoftHSM2 token holding the key and certificate of `leader_name` (the key imported
    once, then used only through PKCS#11)."""
    lib = Path("/usr/lib/softhsm/libsofthsm2.so")
    if not lib.exists() or shutil.which("softhsm2-util") is None:
        pytest.skip("softhsm2 is not installed (.ci/apt-packages.txt)")
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    settings.MOTCUA_PKCS11_LIB = str(lib)
    settings.MOTCUA_PKCS11_TOKEN = "motcua-test"
    settings.MOTCUA_PKCS11_PIN = "123456"
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", "motcua-test"]
        + ["--pin", "123456", "--so-pin", "654321"],
        check=True,
        capture_output=True,
    )
    yield conf
    os.environ.pop("SOFTHSM2_CONF", None)


def load_into_token(p12: Path, label: str, passphrase: str) -> None:
    """Put a PKCS#12 file's key and certificate on the SoftHSM token, as a CA would on an
    officer's USB token."""
    import pkcs11
    from asn1crypto import core as asn1_core
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pkcs11 import Attribute, CertificateType, ObjectClass

    key, cert, _ = pkcs12.load_key_and_certificates(p12.read_bytes(), passphrase.encode())
    pem_path = p12.with_suffix(".import.pem")
    pem_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    subprocess.run(
        ["softhsm2-util", "--import", str(pem_path), "--token", "motcua-test"]
        + ["--label", label, "--id", "01", "--pin", "123456"],
        check=True,
        capture_output=True,
    )
    pem_path.unlink()
    lib = pkcs11.lib("/usr/lib/softhsm/libsofthsm2.so")
    token = lib.get_token(token_label="motcua-test")
    with token.open(rw=True, user_pin="123456") as session:
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: label,
                Attribute.ID: b"\x01",
                Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER),
                Attribute.SUBJECT: cert.subject.public_bytes(),
                Attribute.ISSUER: cert.issuer.public_bytes(),
                Attribute.SERIAL_NUMBER: asn1_core.Integer(cert.serial_number).dump(),
            }
        )
