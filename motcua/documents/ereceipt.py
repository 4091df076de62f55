"""Biên lai điện tử as the law defines it: the receipt's data as XML with the collecting
agency's digital signature (Decree 123/2020/NĐ-CP art. 33; reference §1.3).

The structure is modelled on the tax authority's e-invoice XML (a data block with an `Id`,
general data, issuer, payer, lines, totals; then the signatures), with the names below. The
official schema for receipts was not read (reference §1.3 and §6.3: UNCONFIRMED): a province
that registers with the tax authority (Form 01/DK-BL) maps this to the published format.

    <BLai>
      <DLBLai Id="DLBLai">
        <TTChung> PBan, THDon, MSBLai (template), KHBLai (series), SBLai (number),
                  NLap (issue date), TDLap (issue time), DVTTe, HTTToan, MGDich, MHSo
        <NDBLai>
          <NThu> Ten, MDVi (agency code), DChi          — the collecting agency
          <NNop> Ten, MDDanh (ID / tax number), DChi    — the payer
          <DSKThu><KThu> STT, Ten, LKThu (phi / le_phi), STien
          <TToan> TgTTTBSo (total, đồng), TgTTTBChu (in words)
      </DLBLai>
      <ds:Signature> XMLDSig, enveloped, RSA-SHA256, exclusive C14N, with the certificate
    </BLai>

Keys: each collecting agency signs with its own key. Here a development key and a
self-signed certificate per agency are generated on first use under
MOTCUA_ERECEIPT_KEY_DIR (var/ereceipt-keys/, never committed): one PEM file holding both,
created atomically so two workers never make two keys. A production deployment puts the
agency's certificate (a licensed CA's) there instead; a remote signer/HSM is the issue-12
signing work's to unify.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from lxml import etree
from signxml import XMLSigner, XMLVerifier, methods
from signxml.exceptions import SignXMLException

from motcua.core.errors import ValidationFailed
from motcua.org.models import Agency
from motcua.payments.models import Receipt

VN_TZ = dt.timezone(dt.timedelta(hours=7))
VERSION = "1.0.0-motcua"  # PBan: our structure's version (not the tax authority's)
KIND_CODE = {"phi": "phi", "le_phi": "le_phi"}


# ------------------------------------------------------------------------------ keys


def _key_dir() -> Path:
    return Path(
        getattr(settings, "MOTCUA_ERECEIPT_KEY_DIR", "") or Path(settings.VAR_DIR) / "ereceipt-keys"
    )


def _key_path(agency: Agency) -> Path:
    return _key_dir() / (re.sub(r"[^A-Za-z0-9._-]", "_", agency.code) + ".pem")


def _new_key_pem(agency: Agency) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency.name[:64] or agency.code),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "motcua dev key, not for use"),
            x509.NameAttribute(NameOID.COMMON_NAME, agency.code[:64]),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ) + cert.public_bytes(serialization.Encoding.PEM)


def agency_key(agency: Agency) -> tuple[bytes, bytes]:
    """(private key PEM, certificate PEM) of the agency's receipt signing key, made on
    first use. The file is written whole under a temporary name, then linked into place:
    the first process to link wins, the others read its key."""
    path = _key_path(agency)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".new-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(_new_key_pem(agency))
            os.chmod(tmp, 0o600)
            with contextlib.suppress(FileExistsError):  # another process made it first
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    data = path.read_bytes()
    cut = data.index(b"-----BEGIN CERTIFICATE-----")
    return data[:cut], data[cut:]


def agency_certificate(agency: Agency) -> bytes:
    return agency_key(agency)[1]


@functools.lru_cache(maxsize=256)
def _loaded_key(pem: bytes) -> Any:
    """The parsed private key (parsing checks the RSA key: ~50 ms of CPU, paid once per
    key and process, not per receipt)."""
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return load_pem_private_key(pem, password=None)


# ------------------------------------------------------------------------------- XML


def _sub(parent: etree._Element, tag: str, text: object = None) -> etree._Element:
    el = etree.SubElement(parent, tag)
    if text is not None:
        el.text = str(text)
    return el


def receipt_xml_tree(receipt: Receipt) -> etree._Element:
    """The receipt's data (unsigned), from its row only."""
    r = receipt
    local = r.issued_at.astimezone(VN_TZ)
    root = etree.Element("BLai")
    data = _sub(root, "DLBLai")
    data.set("Id", "DLBLai")
    general = _sub(data, "TTChung")
    _sub(general, "PBan", VERSION)
    _sub(general, "THDon", "Biên lai thu phí, lệ phí")
    _sub(general, "MSBLai", r.template)
    _sub(general, "KHBLai", r.series)
    _sub(general, "SBLai", r.number_text)
    _sub(general, "NLap", local.date().isoformat())
    _sub(general, "TDLap", local.strftime("%H:%M:%S"))
    _sub(general, "DVTTe", "VND")
    _sub(general, "HTTToan", r.channel)
    if r.provider_txn_no:
        _sub(general, "MGDich", r.provider_txn_no)
    if r.paper_receipt_number:
        _sub(general, "SBLGiay", r.paper_receipt_number)
    _sub(general, "MHSo", r.dossier.code or "")
    content = _sub(data, "NDBLai")
    collector = _sub(content, "NThu")
    _sub(collector, "Ten", r.agency.name)
    _sub(collector, "MDVi", r.agency.code)
    if r.agency.address:
        _sub(collector, "DChi", r.agency.address)
    payer = _sub(content, "NNop")
    _sub(payer, "Ten", r.payer_name)
    if r.payer_id_number:
        _sub(payer, "MDDanh", r.payer_id_number)
    if r.payer_address:
        _sub(payer, "DChi", r.payer_address)
    lines = _sub(content, "DSKThu")
    for i, line in enumerate(r.fee_lines, start=1):
        item = _sub(lines, "KThu")
        _sub(item, "STT", i)
        _sub(item, "Ten", line.get("name", ""))
        kind = KIND_CODE.get(str(line.get("kind", "")))
        if kind:
            _sub(item, "LKThu", kind)
        _sub(item, "STien", int(line.get("amount_vnd", 0)))
    totals = _sub(content, "TToan")
    _sub(totals, "TgTTTBSo", r.amount_vnd)
    _sub(totals, "TgTTTBChu", r.amount_words)
    return root


def receipt_xml_sign(receipt: Receipt) -> bytes:
    """The receipt's XML signed (XMLDSig, enveloped) with its collecting agency's key."""
    key, cert = agency_key(receipt.agency)
    signer = XMLSigner(method=methods.enveloped, c14n_algorithm=_EXC_C14N)
    signed = signer.sign(receipt_xml_tree(receipt), key=_loaded_key(key), cert=cert.decode("ascii"))
    return bytes(etree.tostring(signed, xml_declaration=True, encoding="UTF-8"))


_EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"


def receipt_xml_verify(data: bytes, *, agency: Agency) -> etree._Element:
    """Check an e-receipt's signature against the agency's certificate: the signed data
    block (`DLBLai`) on success; a clear error when anything — one byte — was changed."""
    try:
        result = XMLVerifier().verify(data, x509_cert=agency_certificate(agency).decode("ascii"))
    except (SignXMLException, etree.XMLSyntaxError, ValueError) as exc:
        raise ValidationFailed(
            "invalid_ereceipt_signature",
            f"Chữ ký số của biên lai điện tử không hợp lệ: {exc}.",
            f"The e-receipt's digital signature is not valid: {exc}.",
            field="xml",
        ) from None
    signed = result.signed_xml if not isinstance(result, list) else None
    block = signed.find("DLBLai") if signed is not None else None
    if block is None:  # signed, but not a receipt of ours
        raise ValidationFailed(
            "invalid_ereceipt",
            "Tệp không phải biên lai điện tử (thiếu khối dữ liệu DLBLai).",
            "Not an e-receipt (no DLBLai data block).",
            field="xml",
        )
    return block


def receipt_xml_store(*, receipt_id: int) -> Receipt:
    """Sign the receipt's XML and keep it with the receipt (once: the stored file is the
    e-receipt; a later call returns it)."""
    from .services import _write

    receipt = Receipt.objects.select_related("agency", "dossier").get(pk=receipt_id)
    if receipt.xml_sha256:
        return receipt
    content = receipt_xml_sign(receipt)
    sha = hashlib.sha256(content).hexdigest()
    storage = receipt.xml_file.storage
    name = _write(
        storage, f"receipts/{receipt.dossier_id}/bien-lai-{receipt.pk}-{sha[:16]}.xml", content
    )
    try:
        with transaction.atomic(durable=True):
            row = Receipt.objects.select_for_update().get(pk=receipt.pk)
            if row.xml_sha256:
                storage.delete(name)  # a concurrent call stored it first
                return row
            row.xml_file.name, row.xml_sha256 = name, sha
            row.save(update_fields=["xml_file", "xml_sha256"])
    except BaseException:
        storage.delete(name)
        raise
    return row


def receipt_xml(receipt: Receipt) -> bytes:
    """The stored signed XML of the receipt (signed and stored now if missing)."""
    stored = receipt_xml_store(receipt_id=receipt.pk)
    with stored.xml_file.open("rb") as fh:
        return fh.read()
