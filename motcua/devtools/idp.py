"""A small OpenID Connect provider standing in for VNeID / the national portal's SSO.

    python -m motcua.devtools.idp --port 8401 --client-id motcua --client-secret s3cret \\
        --redirect-uri http://127.0.0.1:8000/dang-nhap/vneid/ve/ [--control]

It runs as its own process for the demo and the tests (never imported by motcua's code)
and speaks the protocol motcua's client speaks to the real provider: discovery, a JWKS
with an RSA key generated at start (never written anywhere), the authorization endpoint
(a Vietnamese page where the demo person picks one of a few test identities), the token
endpoint (client secret, single-use codes bound to the redirect URI, PKCE S256 checked:
a wrong or missing code_verifier is refused), and userinfo. Tokens are signed with
joserfc (Authlib's JOSE library); the PKCE challenge is Authlib's
`create_s256_code_challenge`.

With --control it also takes `POST /_control {"mode": ...}` so that a test can make it
misbehave on purpose in the ID tokens it issues from then on: `wrong_issuer`, `expired`,
`tampered` (payload changed after signing), `wrong_audience`, `no_number`, `bad_number`,
or `normal`; `{"rotate_key": true}` replaces the signing key (a new key id), as a provider
rotating its keys does. The misbehaviour lives here; motcua's client under test is the real one.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import secrets
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import RSAKey

CODE_SECONDS = 60
TOKEN_SECONDS = 300
MODES = frozenset(
    {"normal", "wrong_issuer", "expired", "tampered", "wrong_audience", "no_number", "bad_number"}
)


@dataclass(frozen=True)
class TestIdentity:
    key: str
    name: str
    kind: str  # "1" citizen, "2" organisation (LoaiTaiKhoan, as OpenCPS reads it)
    number: str  # 12-digit personal number, or a tax code

    @property
    def subject(self) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"motcua-idp:{self.number}"))

    def claims(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "LoaiTaiKhoan": self.kind}
        out["SoDinhDanh" if self.kind == "1" else "MaSoThue"] = self.number
        return out


# The first and third are the demo's citizen and business (motcua/demo/generator:
# Nguyễn Văn An, make_personal_id(27, "male", 1990, 123456); the company with tax code
# make_tax_code("230012345")): logging in as them links the demo's local accounts.
IDENTITIES = (
    TestIdentity("an", "Nguyễn Văn An", "1", "027090123456"),
    TestIdentity("binh", "Trần Thị Bình", "1", "027195204816"),
    TestIdentity("quanho", "Công ty TNHH Quan Họ Kinh Bắc", "2", "2300123454"),
    TestIdentity("yenphong", "Hợp tác xã Nông nghiệp Yên Phong", "2", "2300987655"),
)


class Provider:
    def __init__(
        self,
        issuer: str,
        client_id: str,
        client_secret: str,
        redirect_uris: list[str],
        control: bool,
    ) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uris = redirect_uris
        self.control = control
        self.key = self.new_key()
        self.mode = "normal"
        self.lock = threading.Lock()
        self.codes: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, tuple[float, TestIdentity]] = {}

    @staticmethod
    def new_key() -> RSAKey:
        return RSAKey.generate_key(
            2048, parameters={"kid": secrets.token_hex(8), "use": "sig", "alg": "RS256"}
        )

    def metadata(self) -> dict[str, Any]:
        i = self.issuer
        return {
            "issuer": i,
            "authorization_endpoint": f"{i}/authorize",
            "token_endpoint": f"{i}/token",
            "userinfo_endpoint": f"{i}/userinfo",
            "jwks_uri": f"{i}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": ["authorization_code"],
            "claims_supported": ["sub", "name", "SoDinhDanh", "MaSoThue", "LoaiTaiKhoan", "acr"],
        }

    def id_token(self, who: TestIdentity, nonce: str) -> str:
        now = int(time.time())
        mode = self.mode
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": who.subject,
            "aud": self.client_id,
            "iat": now,
            "auth_time": now,
            "exp": now + TOKEN_SECONDS,
            "nonce": nonce,
            "acr": "2",
            **who.claims(),
        }
        if mode == "wrong_issuer":
            claims["iss"] = "https://gia-mao.example/"
        elif mode == "expired":
            claims["iat"] = now - 3600
            claims["auth_time"] = now - 3600
            claims["exp"] = now - 1800
        elif mode == "wrong_audience":
            claims["aud"] = "he-thong-khac"
        elif mode == "no_number":
            claims.pop("SoDinhDanh", None)
            claims.pop("MaSoThue", None)
        elif mode == "bad_number":
            key = "SoDinhDanh" if who.kind == "1" else "MaSoThue"
            claims[key] = claims[key][:-1] + str((int(claims[key][-1]) + 1) % 10)
            if who.kind == "1":
                claims[key] = "999" + claims[key][3:]  # no such birth province
        token = jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)
        if mode == "tampered":
            head, _payload, sig = token.split(".")
            forged = {**claims, "name": "Kẻ Giả Mạo", "SoDinhDanh": "027195204816"}
            body = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
            token = f"{head}.{body}.{sig}"
        return token


class Handler(BaseHTTPRequestHandler):
    # Headers and body leave in separate writes: without TCP_NODELAY, Nagle
    # and the client's delayed ACK hold every answer ~40 ms.
    disable_nagle_algorithm = True
    server: ProviderServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        sys.stderr.write("idp: " + (format % args) + "\n")

    # -- plumbing ---------------------------------------------------------------------
    @property
    def provider(self) -> Provider:
        return self.server.provider

    def _send(
        self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: dict[str, Any]) -> None:
        self._send(status, json.dumps(data).encode(), "application/json")

    def _html(self, status: int, body: str) -> None:
        page = (
            '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
            "<title>Nhà cung cấp định danh thử nghiệm</title></head><body>"
            f"{body}</body></html>"
        )
        self._send(status, page.encode(), "text/html; charset=utf-8")

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}

    def _query(self) -> dict[str, str]:
        q = urlsplit(self.path).query
        return {k: v[0] for k, v in parse_qs(q, keep_blank_values=True).items()}

    def _redirect(self, url: str) -> None:
        self._send(302, b"", "text/plain", {"Location": url})

    # -- routes -----------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        if path == "/.well-known/openid-configuration":
            self._json(200, self.provider.metadata())
        elif path == "/jwks":
            self._json(200, {"keys": [self.provider.key.as_dict(private=False)]})
        elif path == "/authorize":
            self.authorize_page(self._query())
        elif path == "/userinfo":
            self.userinfo()
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        if path == "/authorize":
            self.authorize_decide(self._form())
        elif path == "/token":
            self.token(self._form())
        elif path == "/_control" and self.provider.control:
            length = int(self.headers.get("Content-Length") or 0)
            data = json.loads(self.rfile.read(length) or b"{}")
            if data.get("rotate_key"):
                with self.provider.lock:
                    self.provider.key = self.provider.new_key()
                self._json(200, {"kid": self.provider.key.kid})
                return
            mode = data.get("mode", "normal")
            if mode not in MODES:
                self._json(400, {"error": f"unknown mode {mode}"})
                return
            with self.provider.lock:
                self.provider.mode = mode
            self._json(200, {"mode": mode})
        else:
            self._json(404, {"error": "not_found"})

    def _check_request(self, q: dict[str, str]) -> str | None:
        p = self.provider
        if q.get("client_id") != p.client_id:
            return "Ứng dụng (client_id) chưa đăng ký với nhà cung cấp định danh."
        if q.get("redirect_uri") not in p.redirect_uris:
            return "Địa chỉ quay về (redirect_uri) chưa đăng ký."
        if q.get("response_type") != "code":
            return "Chỉ hỗ trợ luồng mã cấp quyền (response_type=code)."
        if "openid" not in q.get("scope", "").split():
            return "Thiếu phạm vi openid."
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return "Bắt buộc PKCE S256 (code_challenge)."
        if not q.get("state") or not q.get("nonce"):
            return "Thiếu state hoặc nonce."
        return None

    def authorize_page(self, q: dict[str, str]) -> None:
        problem = self._check_request(q)
        if problem:
            self._html(400, f"<h1>Yêu cầu đăng nhập không hợp lệ</h1><p>{html.escape(problem)}</p>")
            return
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in q.items()
        )
        choices = "".join(
            f'<p><label><input type="radio" name="identity" value="{i.key}"'
            f"{' checked' if n == 0 else ''}> {html.escape(i.name)} — "
            f"{'số định danh' if i.kind == '1' else 'mã số thuế'} {i.number}</label></p>"
            for n, i in enumerate(IDENTITIES)
        )
        self._html(
            200,
            "<h1>Đăng nhập bằng định danh điện tử (thử nghiệm)</h1>"
            "<p>Đây là nhà cung cấp định danh dùng cho bản trình diễn và kiểm thử, thay cho "
            "VNeID / Cổng Dịch vụ công quốc gia. Chọn người đăng nhập:</p>"
            f'<form method="post" action="/authorize">{hidden}{choices}'
            '<p><button type="submit" name="decision" value="allow">Đồng ý đăng nhập</button> '
            '<button type="submit" name="decision" value="deny">Từ chối</button></p></form>',
        )

    def authorize_decide(self, f: dict[str, str]) -> None:
        problem = self._check_request(f)
        if problem:
            self._html(400, f"<h1>Yêu cầu đăng nhập không hợp lệ</h1><p>{html.escape(problem)}</p>")
            return
        back = f["redirect_uri"]
        sep = "&" if "?" in back else "?"
        if f.get("decision") != "allow":
            self._redirect(back + sep + urlencode({"error": "access_denied", "state": f["state"]}))
            return
        who = next((i for i in IDENTITIES if i.key == f.get("identity")), None)
        if who is None:
            self._html(400, "<h1>Chưa chọn người đăng nhập</h1>")
            return
        code = secrets.token_urlsafe(32)
        with self.provider.lock:
            self.provider.codes[code] = {
                "who": who,
                "redirect_uri": back,
                "nonce": f["nonce"],
                "challenge": f["code_challenge"],
                "expires": time.time() + CODE_SECONDS,
            }
        self._redirect(back + sep + urlencode({"code": code, "state": f["state"]}))

    def _client_ok(self, f: dict[str, str]) -> bool:
        p = self.provider
        auth = self.headers.get("Authorization", "")
        cid, secret = f.get("client_id", ""), f.get("client_secret", "")
        if auth.startswith("Basic "):
            try:
                raw = base64.b64decode(auth[6:]).decode()
            except ValueError:
                return False
            from urllib.parse import unquote

            cid, _, secret = raw.partition(":")
            cid, secret = unquote(cid), unquote(secret)
        return secrets.compare_digest(cid, p.client_id) and secrets.compare_digest(
            secret, p.client_secret
        )

    def token(self, f: dict[str, str]) -> None:
        p = self.provider
        if not self._client_ok(f):
            self._json(401, {"error": "invalid_client"})
            return
        if f.get("grant_type") != "authorization_code":
            self._json(400, {"error": "unsupported_grant_type"})
            return
        with p.lock:
            grant = p.codes.pop(f.get("code", ""), None)  # single use
        if grant is None or grant["expires"] < time.time():
            self._json(400, {"error": "invalid_grant", "error_description": "unknown code"})
            return
        if f.get("redirect_uri") != grant["redirect_uri"]:
            self._json(400, {"error": "invalid_grant", "error_description": "redirect_uri"})
            return
        verifier = f.get("code_verifier", "")
        if not verifier or not secrets.compare_digest(
            create_s256_code_challenge(verifier), grant["challenge"]
        ):
            self._json(400, {"error": "invalid_grant", "error_description": "code_verifier"})
            return
        access = secrets.token_urlsafe(32)
        with p.lock:
            p.tokens[access] = (time.time() + TOKEN_SECONDS, grant["who"])
        self._json(
            200,
            {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": TOKEN_SECONDS,
                "scope": "openid profile",
                "id_token": p.id_token(grant["who"], grant["nonce"]),
            },
        )

    def userinfo(self) -> None:
        auth = self.headers.get("Authorization", "")
        with self.provider.lock:
            hit = self.provider.tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
        if hit is None or hit[0] < time.time():
            self._send(401, b"", "text/plain", {"WWW-Authenticate": 'Bearer error="invalid_token"'})
            return
        who = hit[1]
        self._json(200, {"sub": who.subject, **who.claims()})


class ProviderServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], provider: Provider) -> None:
        super().__init__(address, Handler)
        self.provider = provider


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="OpenID Connect provider for motcua's demo and tests")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--issuer", default="", help="default http://HOST:PORT")
    ap.add_argument("--client-id", default="motcua")
    ap.add_argument("--client-secret", default="motcua-demo-secret")
    ap.add_argument("--redirect-uri", action="append", default=[], required=True)
    ap.add_argument("--control", action="store_true", help="accept POST /_control (tests)")
    args = ap.parse_args(argv)
    issuer = args.issuer or f"http://{args.host}:{args.port}"
    provider = Provider(issuer, args.client_id, args.client_secret, args.redirect_uri, args.control)
    server = ProviderServer((args.host, args.port), provider)
    sys.stderr.write(f"idp: {issuer} ready\n")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
