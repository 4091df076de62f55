"""A local RFC 3161 timestamp authority and CRL server standing in for the Government Cipher
Committee's timestamping service (Decree 68/2024) in the demo and the tests.

    python -m motcua.devtools.tsa --port 8402

POST / with `application/timestamp-query` answers a `application/timestamp-reply` signed
with the development TSA certificate (var/pki/tsa.pem, issued by the development root);
GET /crl/<root|agency-ca>.crl serves the development CAs' current CRLs.
"""

from __future__ import annotations

import argparse
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import cms, core, keys, pem, tsp, x509


def _load(directory: Path) -> tuple[x509.Certificate, keys.PrivateKeyInfo]:
    _, _, der = pem.unarmor((directory / "tsa.pem").read_bytes())
    _, _, kder = pem.unarmor((directory / "tsa.key").read_bytes())
    return x509.Certificate.load(der), keys.PrivateKeyInfo.load(kder)


def serve(port: int, directory: Path, host: str = "127.0.0.1") -> None:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from pyhanko.sign import general
    from pyhanko.sign.general import simple_cms_attribute
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    cert, key = _load(directory)
    root_der = pem.unarmor((directory / "root.pem").read_bytes())[2]
    rsa_key = serialization.load_der_private_key(key.dump(), None)
    assert isinstance(rsa_key, rsa.RSAPrivateKey)
    tsa_key: rsa.RSAPrivateKey = rsa_key

    class Stamper(DummyTimeStamper):
        """pyHanko's test TSA, with its key parsed once (it re-reads it per token)."""

        def _sign_tst_info(self, tst_info_data, md_algorithm, dt):
            md = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
            md.update(tst_info_data)
            signed_attrs = cms.CMSAttributes(
                [
                    simple_cms_attribute("content_type", "tst_info"),
                    simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                    simple_cms_attribute(
                        "signing_certificate", general.as_signing_certificate(self.tsa_cert)
                    ),
                    simple_cms_attribute("message_digest", md.finalize()),
                ]
            )
            signature = tsa_key.sign(
                signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm.upper())
            )
            return signature, signed_attrs

    stamper = Stamper(
        cert,
        key,
        certs_to_embed=SimpleCertificateStore.from_certs([x509.Certificate.load(root_der)]),
    )

    class Handler(BaseHTTPRequestHandler):
        # Headers and body leave in separate writes: without TCP_NODELAY, Nagle
        # and the client's delayed ACK hold every answer ~40 ms.
        disable_nagle_algorithm = True

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _send(self, status: int, ctype: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            try:
                req = tsp.TimeStampReq.load(self.rfile.read(length))
                resp = stamper.request_tsa_response(req)
            except Exception:  # noqa: BLE001 - a malformed request is the caller's problem
                self._send(400, "text/plain", b"bad timestamp request")
                return
            self._send(200, "application/timestamp-reply", resp.dump())

        def do_GET(self) -> None:  # noqa: N802
            name = self.path.rsplit("/", 1)[-1]
            if self.path.startswith("/crl/") and name in ("root.crl", "agency-ca.crl"):
                self._send(200, "application/pkix-crl", (directory / name).read_bytes())
            elif self.path == "/":
                self._send(200, "text/plain", b"motcua development TSA\n")
            else:
                self._send(404, "text/plain", b"not found")

    ThreadingHTTPServer((host, port), Handler).serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8402)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--pki-dir", default=os.environ.get("MOTCUA_PKI_DIR", "var/pki"))
    args = parser.parse_args()
    serve(args.port, Path(args.pki_dir), args.host)


if __name__ == "__main__":
    main()
