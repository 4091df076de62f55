"""A validly signed result PDF for tests of other apps (results are electronic only when
signed): signed with a development PKCS#12 key of the development PKI (var/pki, or
MOTCUA_PKI_DIR), without a timestamp (no TSA process needed)."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from motcua.signing import pades, pki

from .conftest import make_pdf


@cache
def _signed(pki_dir: str, text: str) -> bytes:
    name, agency = "Lãnh Đạo Thử Nghiệm", "UBND thử nghiệm"
    signer = pades.pkcs12_signer(pki.signer_p12(name, agency), "motcua-dev")
    tsa = settings.MOTCUA_TSA_URL
    settings.MOTCUA_TSA_URL = ""
    try:
        return pades.sign_pdf(
            make_pdf(text),
            signer,
            signer_name=name,
            agency=agency,
            code="KQ-TEST",
            url="https://x/",
        )
    finally:
        settings.MOTCUA_TSA_URL = tsa


def signed_pdf(text: str = "Ket qua") -> bytes:
    return _signed(str(settings.MOTCUA_PKI_DIR), text)
