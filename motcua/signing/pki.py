"""The development public-key infrastructure, generated on first run under var/pki (never
committed): a root CA standing in for the national root (VGCA / NEAC), the province's agency
sub-CA, one signer certificate per leader (PKCS#12, passphrase MOTCUA_SIGNING_DEV_PASSPHRASE),
a timestamp authority's certificate, and the CRLs of both CAs.

In production none of this is used: the trust store is MOTCUA_SIGNING_TRUST_ROOTS (PEM files
the province configures: the VGCA and NEAC roots) and keys live on tokens (PKCS#11).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

YEARS = 10


def pki_dir() -> Path:
    return Path(settings.MOTCUA_PKI_DIR)


@dataclass(frozen=True)
class Issued:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey


def _name(cn: str, org: str = "Hệ thống một cửa điện tử (phát triển)") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _crl_url(name: str) -> str:
    return f"{settings.MOTCUA_PKI_BASE_URL.rstrip('/')}/crl/{name}.crl"


def _issue(
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: Issued | None,
    *,
    ca: bool,
    crl: str | None,
    eku: list[x509.ObjectIdentifier] | None = None,
) -> Issued:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    signer_key = issuer.key if issuer else key
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=365 * YEARS))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if issuer:
        b = b.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    if crl:
        b = b.add_extension(
            x509.CRLDistributionPoints(
                [x509.DistributionPoint([x509.UniformResourceIdentifier(crl)], None, None, None)]
            ),
            critical=False,
        )
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    return Issued(b.sign(signer_key, hashes.SHA256()), key)


def _write_pem(path: Path, issued: Issued) -> None:
    path.with_suffix(".pem").write_bytes(issued.cert.public_bytes(serialization.Encoding.PEM))
    key = path.with_suffix(".key")
    key.write_bytes(
        issued.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key.chmod(0o600)


def _read(path: Path) -> Issued:
    cert = x509.load_pem_x509_certificate(path.with_suffix(".pem").read_bytes())
    key = serialization.load_pem_private_key(path.with_suffix(".key").read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return Issued(cert, key)


def _write_crl(path: Path, ca: Issued, revoked: list[tuple[int, dt.datetime]]) -> None:
    now = dt.datetime.now(dt.UTC)
    b = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.cert.subject)
        .last_update(now - dt.timedelta(minutes=5))  # clock skew
        .next_update(now + dt.timedelta(days=365))
    )
    for serial, at in revoked:
        b = b.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(at).build()
        )
    path.write_bytes(b.sign(ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER))


def slug(name: str) -> str:
    """An ASCII file name for a person (Nguyễn Văn An -> nguyen-van-an)."""
    text = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    text = text.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "signer"


def ensure() -> Path:
    """Create the root, the agency CA, the TSA certificate and the CRLs once (a file lock
    keeps parallel first runs from racing); returns the directory."""
    d = pki_dir()
    d.mkdir(parents=True, exist_ok=True)
    if (d / "ready").exists():
        return d
    with (d / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (d / "ready").exists():
            return d
        root = _issue(_name("Root CA phát triển motcua"), _key(), None, ca=True, crl=None)
        _write_pem(d / "root", root)
        agency = _issue(
            _name("CA cơ quan phát triển motcua"), _key(), root, ca=True, crl=_crl_url("root")
        )
        _write_pem(d / "agency-ca", agency)
        tsa = _issue(
            _name("Máy chủ cấp dấu thời gian phát triển motcua"),
            _key(),
            root,
            ca=False,
            crl=_crl_url("root"),
            eku=[ExtendedKeyUsageOID.TIME_STAMPING],
        )
        _write_pem(d / "tsa", tsa)
        _write_crl(d / "root.crl", root, [])
        _write_crl(d / "agency-ca.crl", agency, [])
        (d / "signers").mkdir(exist_ok=True)
        (d / "ready").write_text("1\n")
    return d


def signer_p12(full_name: str, agency_name: str) -> Path:
    """The PKCS#12 file of a signer (a leader of `agency_name`), issued on first use."""
    d = ensure()
    path = d / "signers" / f"{slug(full_name)}.p12"
    if path.exists():
        return path
    agency = _read(d / "agency-ca")
    issued = _issue(
        _name(full_name, agency_name), _key(), agency, ca=False, crl=_crl_url("agency-ca")
    )
    data = pkcs12.serialize_key_and_certificates(
        slug(full_name).encode(),
        issued.key,
        issued.cert,
        [agency.cert, _read(d / "root").cert],
        serialization.BestAvailableEncryption(settings.MOTCUA_SIGNING_DEV_PASSPHRASE.encode()),
    )
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.chmod(0o600)
    tmp.rename(path)
    return path


def revoke(cert: x509.Certificate) -> None:
    """Revoke a signer certificate in the agency CA's CRL (tests, the demo)."""
    d = ensure()
    crl = x509.load_der_x509_crl((d / "agency-ca.crl").read_bytes())
    entries = [(r.serial_number, r.revocation_date_utc) for r in crl]
    entries.append((cert.serial_number, dt.datetime.now(dt.UTC)))
    _write_crl(d / "agency-ca.crl", _read(d / "agency-ca"), entries)
