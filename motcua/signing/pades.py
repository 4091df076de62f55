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
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    SignatureCoverageLevel,
    validate_pdf_signature,
)
from pyhanko.stamp import QRStampStyle
from pyhanko_certvalidator import ValidationContext

from . import pki

FIELD = "KyKetQua"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
FONT = Path(__file__).resolve().parent.parent / "documents" / "fonts" / "DejaVuSans-vi.ttf"
# The stamp, bottom-left of the first page (points): TT 01/2023 puts the QR top-left on
# printed slips, but the result is the agency's own document; the stamp must not cover it.
STAMP_BOX = (36, 24, 316, 96)


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
    return [asn1_crl.CertificateList.load((d / n).read_bytes()) for n in ("root.crl", "agency-ca.crl")]


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
    return GlyphAccumulatorFactory(str(FONT))


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
            IncrementalPdfFileWriter(BytesIO(data), strict=False), appearance_text_params=params
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


def pkcs12_signer(path: Path, passphrase: str) -> signers.Signer:
    signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=passphrase.encode())
    if signer is None:
        raise SignatureRefused("key_unreadable", str(path))
    return signer
