"""Where a signer's key is: a PKCS#11 token in production (MOTCUA_PKCS11_LIB: the token's
module, MOTCUA_PKCS11_TOKEN: its label, MOTCUA_PKCS11_PIN; the key and its certificate are
labelled with the signer's slug, pki.slug), a development PKCS#12 file otherwise."""

from __future__ import annotations

from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pyhanko.sign import signers

from . import pades, pki


def pkcs11_signer(lib: str, token: str, pin: str, label: str) -> signers.Signer:
    """A signer whose key never leaves the token: pyHanko's PKCS#11 signer, the key and the
    certificate found by `label`. The session stays open for the process."""
    from pyhanko.sign.pkcs11 import PKCS11Signer, TokenCriteria, open_pkcs11_session

    session = open_pkcs11_session(lib, token_criteria=TokenCriteria(label=token), user_pin=pin)
    chain = [_cert(pki.ensure() / n) for n in ("agency-ca.pem", "root.pem")]
    return PKCS11Signer(session, cert_label=label, key_label=label, ca_chain=chain)


def _cert(path: Any) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(pem.unarmor(path.read_bytes())[2])


_SIGNERS: dict[tuple[str, ...], signers.Signer] = {}


def signer_for(full_name: str, agency_name: str) -> signers.Signer:
    """The signer of a person (kept per process: opening a token or a PKCS#12 file is slow)."""
    if settings.MOTCUA_PKCS11_LIB:
        key = (settings.MOTCUA_PKCS11_LIB, settings.MOTCUA_PKCS11_TOKEN, pki.slug(full_name))
        if key not in _SIGNERS:
            _SIGNERS[key] = pkcs11_signer(
                settings.MOTCUA_PKCS11_LIB,
                settings.MOTCUA_PKCS11_TOKEN,
                settings.MOTCUA_PKCS11_PIN,
                pki.slug(full_name),
            )
        return _SIGNERS[key]
    key = (str(settings.MOTCUA_PKI_DIR), full_name, agency_name)
    if key not in _SIGNERS:
        path = pki.signer_p12(full_name, agency_name)
        _SIGNERS[key] = pades.pkcs12_signer(path, settings.MOTCUA_SIGNING_DEV_PASSPHRASE)
    return _SIGNERS[key]
