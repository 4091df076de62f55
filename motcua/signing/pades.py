"""PAdES signing and validation with pyHanko: the one place where a PDF is signed or a
signature is judged.

`sign_pdf` makes a PAdES-B-LT signature (the chain and the CAs' CRLs embedded, a timestamp
from the RFC 3161 authority) with a visible stamp: the signer, the agency and the time in
Vietnamese, and a QR code to the public verification page. `verify_pdf` says whether a PDF
carries an intact signature covering the whole file, by a certificate that chains to the
trust store and was valid (not expired, not revoked) at signing time.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import zlib
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from asn1crypto import crl as asn1_crl
from asn1crypto import keys, pem
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    SignatureCoverageLevel,
    validate_pdf_signature,
)
from pyhanko.stamp import QRStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from . import pki

# pyHanko warns at every signature that it embeds validation data without fetching: that
# is the design here (the CAs' CRLs are mirrored locally), not news for the log.
logging.getLogger("pyhanko.sign.signers.pdf_signer").addFilter(
    lambda record: "fetching is not allowed" not in record.getMessage()
)

FIELD = "KyKetQua"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
FONT = Path(__file__).resolve().parent.parent / "documents" / "fonts" / "DejaVuSans-vi.ttf"
# The stamp, bottom-left of the first page (points): TT 01/2023 puts the QR top-left on
# printed slips, but the result is the agency's own document; the stamp must not cover it.
STAMP_BOX = (36, 24, 316, 96)
RESERVED = 16 * 1024


def _load_cert(path: Path) -> asn1_x509.Certificate:
    data = path.read_bytes()
    if pem.detect(data):
        data = pem.unarmor(data)[2]
    return asn1_x509.Certificate.load(data)


@cache
def _trust(roots: tuple[str, ...], pki_dir: str) -> tuple[list[asn1_x509.Certificate], bool]:
    if roots:
        return [_load_cert(Path(p)) for p in roots], False
    d = pki.ensure()
    return [_load_cert(d / "root.pem")], True


def trust_roots() -> list[asn1_x509.Certificate]:
    """The trust store: MOTCUA_SIGNING_TRUST_ROOTS, or the development root."""
    return _trust(tuple(settings.MOTCUA_SIGNING_TRUST_ROOTS), str(settings.MOTCUA_PKI_DIR))[0]


def _dev_crls() -> list[asn1_crl.CertificateList]:
    """The development CAs' CRLs, read fresh (a revocation shows at once)."""
    d = pki.ensure()
    return [
        asn1_crl.CertificateList.load((d / n).read_bytes()) for n in ("root.crl", "agency-ca.crl")
    ]


def _dev_intermediates() -> list[asn1_x509.Certificate]:
    return [_load_cert(pki.ensure() / "agency-ca.pem")]


def signing_context() -> ValidationContext:
    """What the signer checks its own chain against and embeds (B-LT): the trust store and
    the CAs' CRLs, read locally (no fetching: the province's CRLs are mirrored)."""
    return ValidationContext(
        trust_roots=trust_roots(),
        other_certs=_dev_intermediates(),
        crls=_dev_crls(),
        allow_fetching=False,
        revocation_mode="require",
    )


@cache
def _font() -> GlyphAccumulatorFactory:
    """The stamp's face: the bundled Vietnamese DejaVu Sans subset rescaled to 1000 units per
    em, made once under var/pki. pyHanko 0.38 writes the glyph widths (/W) in font units
    where PDF means thousandths of an em, so a 2048-unit TrueType face is set twice too
    wide; the small face also keeps fontTools' subsetting (per signature) cheap."""
    path = pki.ensure() / "stamp-font-1000.ttf"
    if not path.exists():
        font = TTFont(str(FONT))
        scale_upem(font, 1000)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        font.save(str(tmp))
        tmp.rename(path)
    return _WholeFace(str(path))


@cache
def _face_stream(path: str) -> bytes:
    return zlib.compress(Path(path).read_bytes())


class _WholeFace(GlyphAccumulatorFactory):
    """Embed the stamp face whole (it is already a 20 KB subset): fontTools' subsetting and
    recompiling per signature cost more CPU than all of the cryptography."""

    def create_font_engine(self, writer: Any, obj_stream: Any = None) -> Any:
        engine = super().create_font_engine(writer, obj_stream)
        cidfont = engine.cidfont_obj
        data = _face_stream(self.font_file)

        def set_font_file(w: Any) -> Any:
            stream = generic.StreamObject(
                {generic.NameObject("/Filter"): generic.NameObject("/FlateDecode")},
                encoded_data=data,
            )
            ref = w.add_object(stream)
            cidfont._font_descriptor[generic.NameObject("/FontFile2")] = ref
            return ref

        engine._extract_subset = lambda options=None: None  # type: ignore[method-assign]
        cidfont.set_font_file = set_font_file  # type: ignore[method-assign,assignment]
        return engine


def _style() -> QRStampStyle:
    return QRStampStyle(
        stamp_text=(
            "Ký số bởi: %(signer)s\nCơ quan: %(agency)s\nThời gian: %(ts)s\n"
            "Mã kết quả: %(code)s\nXác thực: %(url)s"
        ),
        text_box_style=TextBoxStyle(font=_font(), font_size=7),
        border_width=1,
        timestamp_format="%d/%m/%Y %H:%M:%S",
    )


def timestamper() -> HTTPTimeStamper | None:
    return HTTPTimeStamper(settings.MOTCUA_TSA_URL, timeout=10) if settings.MOTCUA_TSA_URL else None


def sign_pdf(
    data: bytes,
    signer: signers.Signer,
    *,
    signer_name: str,
    agency: str,
    code: str,
    url: str,
    at: dt.datetime | None = None,
) -> bytes:
    """Sign `data` (PAdES-B-LT when a timestamp authority is configured, else B-B with the
    validation data embedded) with a visible Vietnamese stamp and a QR code to `url`."""
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        embed_validation_info=True,
        validation_context=signing_context(),
        reason=f"Ký kết quả giải quyết thủ tục hành chính, mã {code}",
        location=agency,
        name=signer_name,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        timestamper=timestamper(),
        stamp_style=_style(),
        new_field_spec=fields.SigFieldSpec(FIELD, box=STAMP_BOX, on_page=0),
    )
    params = {
        "url": url,
        "signer": signer_name,
        "agency": agency,
        "code": code,
    }
    try:
        out = pdf_signer.sign_pdf(
            IncrementalPdfFileWriter(BytesIO(data), strict=False),
            appearance_text_params=params,
            # Room for the CMS (chain, timestamp token): no trial signature to size it.
            bytes_reserved=RESERVED,
        )
    except SigningError as e:
        raise SignatureRefused("sign_failed", str(e)) from e
    return bytes(out.getbuffer())


class SignatureRefused(Exception):
    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Verdict:
    """What a PDF's last signature proves. `valid`: intact, covering the whole file, chained
    to the trust store, valid at signing time. `problem` is a stable code when not valid."""

    signed: bool
    valid: bool
    problem: str = ""
    signer: str = ""
    organization: str = ""
    signed_at: dt.datetime | None = None
    timestamped: bool = False
    serial: int | None = None

    def facts(self) -> dict[str, Any]:
        return {
            "signed": self.signed,
            "valid": self.valid,
            "problem": self.problem,
            "signer": self.signer,
            "organization": self.organization,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "timestamped": self.timestamped,
        }


def _subject(cert: asn1_x509.Certificate, attr: str) -> str:
    value = cert.subject.native.get(attr, "")
    return str(value[-1] if isinstance(value, list) else value)


def verify_pdf(data: bytes) -> Verdict:
    """Judge the last signature of `data` (see Verdict)."""
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        sigs = reader.embedded_signatures
    except Exception:  # noqa: BLE001 - any unreadable file is "not a signed PDF"
        return Verdict(signed=False, valid=False, problem="unreadable")
    if not sigs:
        return Verdict(signed=False, valid=False, problem="unsigned")
    sig = sigs[-1]
    try:
        cert = sig.signer_cert
        tst_time = _timestamp_time(sig)
        moment = tst_time or sig.self_reported_timestamp
        dss_crls: list[asn1_crl.CertificateList] = []
        dss_certs: list[asn1_x509.Certificate] = []
        dss = DocumentSecurityStore.read_dss(reader) if "/DSS" in reader.root else None
        if dss is not None:
            dss_crls = [asn1_crl.CertificateList.load(c.get_object().data) for c in dss.crls]
            dss_certs = list(dss.load_certs())
        crls = dss_crls + (_dev_crls() if _trust_is_dev() else [])
        vc = ValidationContext(
            trust_roots=trust_roots(),
            other_certs=dss_certs + list(sig.other_embedded_certs),
            crls=crls,
            allow_fetching=False,
            revocation_mode="hard-fail" if crls else "soft-fail",
            moment=moment,
        )
        status = validate_pdf_signature(sig, vc)
    except Exception as e:  # noqa: BLE001 - a malformed signature is an invalid one
        return Verdict(signed=True, valid=False, problem=f"malformed: {type(e).__name__}")
    base: dict[str, Any] = {
        "signed": True,
        "signer": _subject(cert, "common_name"),
        "organization": _subject(cert, "organization_name"),
        "signed_at": moment,
        "timestamped": tst_time is not None,
        "serial": cert.serial_number,
    }
    if not status.intact or not status.valid:
        return Verdict(valid=False, problem="altered", **base)
    # The signature covers the whole file, or its revision followed only by validation data
    # (the DSS a B-LT signature appends) and document timestamps.
    level = status.modification_level
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE and (
        status.coverage != SignatureCoverageLevel.ENTIRE_REVISION
        or level is None
        or level > ModificationLevel.LTA_UPDATES
    ):
        return Verdict(valid=False, problem="modified_after_signing", **base)
    if status.revoked:
        return Verdict(valid=False, problem="revoked", **base)
    if not status.trusted:
        return Verdict(valid=False, problem="untrusted", **base)
    if status.timestamp_validity is not None and not (
        status.timestamp_validity.intact
        and status.timestamp_validity.valid
        and status.timestamp_validity.trusted
    ):
        return Verdict(valid=False, problem="bad_timestamp", **base)
    return Verdict(valid=True, **base)


def _timestamp_time(sig: Any) -> dt.datetime | None:
    """The time of the signature's RFC 3161 timestamp token (unsigned attribute), if any;
    pyHanko checks the token itself during validation."""
    attrs = sig.signer_info["unsigned_attrs"]
    if not attrs or attrs.native is None:
        return None
    for attr in attrs:
        if attr["type"].native == "signature_time_stamp_token":
            token = attr["values"][0]
            info = token["content"]["encap_content_info"]["content"].parsed
            value = info["gen_time"].native
            return value if isinstance(value, dt.datetime) else None
    return None


def _trust_is_dev() -> bool:
    return _trust(tuple(settings.MOTCUA_SIGNING_TRUST_ROOTS), str(settings.MOTCUA_PKI_DIR))[1]


class KeyFileSigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner, but the private key is parsed once: SimpleSigner re-reads it
    (cryptography's RSA consistency check, ~50 ms) on every raw signature, twice per PDF."""

    _key: Any = None

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        if mechanism["algorithm"].native not in ("rsassa_pkcs1v15", "sha256_rsa"):
            return super().sign_raw(data, digest_algorithm)
        if self._key is None:
            self._key = serialization.load_der_private_key(self.signing_key.dump(), None)
        assert isinstance(self._key, RSAPrivateKey)
        return self._key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))


def pkcs12_signer(path: Path, passphrase: str) -> signers.Signer:
    """The signer of a PKCS#12 file (development keys, pki.signer_p12)."""
    data = path.read_bytes()
    key, cert, others = pkcs12.load_key_and_certificates(data, passphrase.encode())
    if key is None or cert is None:
        raise SignatureRefused("key_unreadable", str(path))
    der_key = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    signer = KeyFileSigner(
        signing_key=keys.PrivateKeyInfo.load(der_key),
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in others]
        ),
    )
    signer._key = key
    return signer
