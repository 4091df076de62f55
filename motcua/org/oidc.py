"""OpenID Connect client: login with VNeID / the national portal's single sign-on.

The protocol is Authlib's (`OAuth2Session` for the authorization code flow with PKCE S256,
`joserfc` for the ID token); this module only wires it to motcua's settings and says, in
Vietnamese first, what went wrong. The flow (docs/security.md, "Đăng nhập bằng định danh
quốc gia (OIDC)"):

1. `begin` reads the provider's discovery document, makes a fresh `state`, `nonce` and
   PKCE `code_verifier`, and returns the authorization URL and the pending login, which
   the caller keeps in the session (single use: `finish` is given what was popped).
2. `finish` exchanges the code at the token endpoint (client secret + code verifier: the
   provider checks the verifier), then verifies the ID token: signature against the
   provider's JWKS, `iss` = the configured issuer, `aud` contains the client id (and `azp`
   when there are several audiences), `exp` / `iat` with a minute of clock skew, `nonce`
   = the pending one. Only then are its claims read.
3. `identity_from_claims` takes the personal number (or the tax code of a business) and
   the name from the verified claims, under the claim names the settings give, and checks
   the number with `motcua.core.identifiers`.

Every refusal is an `OidcFailure` with a stable `reason` (written to the security log)
and a message naming the problem.
"""

from __future__ import annotations

import ipaddress
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

from motcua.core.errors import DomainError, ValidationFailed
from motcua.core.identifiers import validate_personal_id, validate_tax_code
from motcua.core.text import nfc

from .enums import ApplicantKind

HTTP_TIMEOUT = 10.0  # seconds for each call to the provider
CLOCK_SKEW = 60  # seconds allowed between the provider's clock and ours
PENDING_MAX_AGE = 600  # a login must come back within ten minutes
METADATA_TTL = 300.0  # discovery and JWKS are re-read at most every five minutes
ALLOWED_ALGS = ("RS256", "PS256", "ES256")


class OidcFailure(DomainError):
    """A login over OpenID Connect refused; `code` is the reason in the security log."""

    status = 400


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str
    scope: str
    pid_claim: str
    tax_claim: str
    name_claim: str
    kind_claim: str
    business_kinds: frozenset[str]
    acr_values: str
    userinfo: bool


def config() -> OidcConfig | None:
    """The provider settings, or None when MOTCUA_OIDC_ISSUER is empty (login is off)."""
    issuer = str(getattr(settings, "MOTCUA_OIDC_ISSUER", "") or "").strip()
    if not issuer:
        return None

    def get(name: str, default: str = "") -> str:
        return str(getattr(settings, name, default) or default).strip()

    return OidcConfig(
        issuer=issuer,
        client_id=get("MOTCUA_OIDC_CLIENT_ID"),
        client_secret=get("MOTCUA_OIDC_CLIENT_SECRET"),
        scope=get("MOTCUA_OIDC_SCOPE", "openid profile"),
        pid_claim=get("MOTCUA_OIDC_PID_CLAIM", "SoDinhDanh"),
        tax_claim=get("MOTCUA_OIDC_TAX_CLAIM", "MaSoThue"),
        name_claim=get("MOTCUA_OIDC_NAME_CLAIM", "name"),
        kind_claim=get("MOTCUA_OIDC_KIND_CLAIM", "LoaiTaiKhoan"),
        business_kinds=frozenset(
            v.strip() for v in get("MOTCUA_OIDC_BUSINESS_KINDS", "2").split(",") if v.strip()
        ),
        acr_values=get("MOTCUA_OIDC_ACR_VALUES"),
        userinfo=bool(getattr(settings, "MOTCUA_OIDC_USERINFO", False)),
    )


def _fail(reason: str, vi: str, en: str) -> OidcFailure:
    return OidcFailure(reason, vi, en)


def _secure(url: str) -> bool:
    """HTTPS, or plain HTTP to a loopback address (the test and demo provider)."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    if parts.scheme != "http":
        return False
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_cache_lock = threading.Lock()
_cache: dict[tuple[str, str], tuple[float, Any]] = {}


def _get_json(url: str, what_vi: str, what_en: str, **kwargs: Any) -> dict[str, Any]:
    if not _secure(url):
        raise _fail(
            "insecure_endpoint",
            f"Địa chỉ {what_vi} của nhà cung cấp định danh không dùng HTTPS: {url}.",
            f"The identity provider's {what_en} address is not HTTPS: {url}.",
        )
    try:
        resp = requests.get(url, timeout=HTTP_TIMEOUT, **kwargs)
        resp.raise_for_status()
        data = resp.json()
    except (requests.RequestException, ValueError) as exc:
        raise _fail(
            "provider_unreachable",
            f"Không đọc được {what_vi} của nhà cung cấp định danh ({type(exc).__name__}).",
            f"Could not read the identity provider's {what_en} ({type(exc).__name__}).",
        ) from exc
    if not isinstance(data, dict):
        raise _fail(
            "provider_unreachable",
            f"{what_vi.capitalize()} của nhà cung cấp định danh không đúng định dạng.",
            f"The identity provider's {what_en} is malformed.",
        )
    return data


def _cached(kind: str, key: str, load: Any, *, refresh: bool = False) -> Any:
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get((kind, key))
    if hit is not None and not refresh and now - hit[0] < METADATA_TTL:
        return hit[1]
    value = load()
    with _cache_lock:
        _cache[(kind, key)] = (now, value)
    return value


def metadata(cfg: OidcConfig, *, refresh: bool = False) -> dict[str, Any]:
    """The discovery document; its `issuer` must be exactly the configured one
    (OpenID Connect Discovery 1.0, §4.3)."""

    def load() -> dict[str, Any]:
        url = cfg.issuer.rstrip("/") + "/.well-known/openid-configuration"
        doc = _get_json(url, "tài liệu cấu hình (discovery)", "discovery document")
        if doc.get("issuer") != cfg.issuer:
            raise _fail(
                "wrong_issuer",
                "Tài liệu cấu hình của nhà cung cấp định danh ghi một issuer khác với issuer "
                f"đã cấu hình ({doc.get('issuer')!r} ≠ {cfg.issuer!r}).",
                f"The provider's discovery document names another issuer "
                f"({doc.get('issuer')!r} ≠ {cfg.issuer!r}).",
            )
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(doc.get(key), str) or not _secure(doc[key]):
                raise _fail(
                    "provider_unreachable",
                    f"Tài liệu cấu hình của nhà cung cấp định danh thiếu hoặc sai '{key}'.",
                    f"The provider's discovery document lacks a valid '{key}'.",
                )
        return doc

    result: dict[str, Any] = _cached("meta", cfg.issuer, load, refresh=refresh)
    return result


def key_set(cfg: OidcConfig, *, refresh: bool = False) -> KeySet:
    meta = metadata(cfg)

    def load() -> KeySet:
        data = _get_json(meta["jwks_uri"], "khóa công khai (JWKS)", "key set (JWKS)")
        try:
            return KeySet.import_key_set(data)  # type: ignore[arg-type]
        except (JoseError, ValueError, KeyError, TypeError) as exc:
            raise _fail(
                "provider_unreachable",
                "Bộ khóa công khai (JWKS) của nhà cung cấp định danh không đọc được.",
                "The provider's key set (JWKS) cannot be read.",
            ) from exc

    result: KeySet = _cached("jwks", meta["jwks_uri"], load, refresh=refresh)
    return result


def _session(cfg: OidcConfig, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=cfg.client_id,
        client_secret=cfg.client_secret,
        scope=cfg.scope,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method name)
        default_timeout=HTTP_TIMEOUT,
    )


def begin(cfg: OidcConfig, redirect_uri: str) -> tuple[str, dict[str, Any]]:
    """The authorization URL and the pending login to keep (single use) in the session."""
    meta = metadata(cfg)
    pending = {
        "state": secrets.token_urlsafe(32),
        "nonce": secrets.token_urlsafe(32),
        "code_verifier": secrets.token_urlsafe(64),  # 86 characters (RFC 7636 §4.1)
        "created": int(time.time()),
    }
    extra = {"nonce": pending["nonce"]}
    if cfg.acr_values:
        extra["acr_values"] = cfg.acr_values
    with _session(cfg, redirect_uri) as client:
        url, _state = client.create_authorization_url(
            meta["authorization_endpoint"],
            state=pending["state"],
            code_verifier=pending["code_verifier"],
            **extra,
        )
    return str(url), pending


def check_pending(pending: Any, state: str) -> dict[str, Any]:
    """The pending login for `state`: refused when unknown, already used or too old."""
    if not state:
        raise _fail(
            "state_missing",
            "Nhà cung cấp định danh trả về mà không có tham số state.",
            "The identity provider came back without a state parameter.",
        )
    if not isinstance(pending, dict) or not secrets.compare_digest(
        str(pending.get("state", "")), state
    ):
        raise _fail(
            "state_unknown",
            "Phiên đăng nhập này không còn hiệu lực hoặc đã được dùng (state không khớp). "
            "Xin bấm đăng nhập lại.",
            "This login is not valid or was already used (unknown state). Please log in again.",
        )
    if int(time.time()) - int(pending.get("created", 0)) > PENDING_MAX_AGE:
        raise _fail(
            "state_expired",
            "Phiên đăng nhập đã quá 10 phút. Xin bấm đăng nhập lại.",
            "The login took more than 10 minutes. Please log in again.",
        )
    return pending


def finish(
    cfg: OidcConfig, redirect_uri: str, pending: dict[str, Any], code: str
) -> dict[str, Any]:
    """Exchange `code` and return the verified ID token claims (see the module text)."""
    if not code:
        raise _fail(
            "code_missing",
            "Nhà cung cấp định danh trả về mà không có mã cấp quyền (code).",
            "The identity provider came back without an authorization code.",
        )
    meta = metadata(cfg)
    try:
        with _session(cfg, redirect_uri) as client:
            token = client.fetch_token(
                meta["token_endpoint"],
                grant_type="authorization_code",
                code=code,
                code_verifier=pending["code_verifier"],
            )
    except OAuthError as exc:
        raise _fail(
            "token_refused",
            f"Nhà cung cấp định danh từ chối cấp token ({exc.error}).",
            f"The identity provider refused the token request ({exc.error}).",
        ) from exc
    except (requests.RequestException, ValueError) as exc:
        raise _fail(
            "provider_unreachable",
            f"Không gọi được điểm cấp token của nhà cung cấp định danh ({type(exc).__name__}).",
            f"Could not call the identity provider's token endpoint ({type(exc).__name__}).",
        ) from exc
    id_token = token.get("id_token")
    if not isinstance(id_token, str) or not id_token:
        raise _fail(
            "id_token_missing",
            "Nhà cung cấp định danh không trả về ID token.",
            "The identity provider returned no ID token.",
        )
    claims = verify_id_token(cfg, id_token, nonce=str(pending["nonce"]))
    if cfg.userinfo and meta.get("userinfo_endpoint"):
        info = _get_json(
            meta["userinfo_endpoint"],
            "thông tin người dùng (userinfo)",
            "userinfo",
            headers={"Authorization": f"Bearer {token.get('access_token', '')}"},
        )
        if info.get("sub") != claims["sub"]:
            raise _fail(
                "userinfo_subject",
                "Thông tin người dùng (userinfo) thuộc về một chủ thể khác với ID token.",
                "The userinfo answer is about another subject than the ID token.",
            )
        # The ID token's verified claims win; userinfo only fills what it lacks.
        claims = {**info, **claims}
    return claims


def verify_id_token(cfg: OidcConfig, id_token: str, *, nonce: str) -> dict[str, Any]:
    algorithms = list(ALLOWED_ALGS)
    try:
        try:
            decoded = jwt.decode(id_token, key_set(cfg), algorithms=algorithms)
        except (ValueError, TypeError, KeyError, JoseError) as first:
            if isinstance(first, BadSignatureError):
                raise
            # An unknown key id: the provider may have rotated its keys.
            decoded = jwt.decode(id_token, key_set(cfg, refresh=True), algorithms=algorithms)
    except BadSignatureError as exc:
        raise _fail(
            "bad_signature",
            "Chữ ký của ID token không đúng: thông tin đăng nhập có thể đã bị sửa.",
            "The ID token's signature is wrong: the login data may have been altered.",
        ) from exc
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise _fail(
            "id_token_invalid",
            f"ID token không hợp lệ ({type(exc).__name__}).",
            f"The ID token is invalid ({type(exc).__name__}).",
        ) from exc
    claims = dict(decoded.claims)
    registry = jwt.JWTClaimsRegistry(
        leeway=CLOCK_SKEW,
        iss={"essential": True, "value": cfg.issuer},
        aud={"essential": True, "value": cfg.client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError as exc:
        raise _fail(
            "token_expired",
            "ID token đã hết hạn. Xin đăng nhập lại (nếu lặp lại, kiểm tra đồng hồ máy chủ).",
            "The ID token has expired. Please log in again (if it recurs, check the clock).",
        ) from exc
    except MissingClaimError as exc:
        raise _fail(
            f"claim_missing_{exc.claim}",
            f"ID token thiếu trường bắt buộc '{exc.claim}'.",
            f"The ID token lacks the required claim '{exc.claim}'.",
        ) from exc
    except ClaimError as exc:
        claim = exc.claim
        names = {
            "iss": ("wrong_issuer", "nhà phát hành (iss) không phải nhà cung cấp đã cấu hình"),
            "aud": ("wrong_audience", "không được cấp cho hệ thống này (aud)"),
            "nonce": ("nonce_mismatch", "không thuộc phiên đăng nhập này (nonce)"),
            "iat": ("token_not_yet_valid", "ghi thời điểm phát hành ở tương lai (iat)"),
            "nbf": ("token_not_yet_valid", "chưa đến thời điểm có hiệu lực (nbf)"),
        }
        reason, vi = names.get(claim, (f"claim_invalid_{claim}", f"sai trường '{claim}'"))
        raise _fail(reason, f"ID token {vi}.", f"The ID token's '{claim}' claim is wrong.") from exc
    aud = claims.get("aud")
    if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != cfg.client_id:
        raise _fail(
            "wrong_audience",
            "ID token cấp cho nhiều bên mà không ghi hệ thống này là bên nhận (azp).",
            "The ID token has several audiences and does not name this client as azp.",
        )
    return claims


@dataclass(frozen=True)
class VerifiedIdentity:
    """Who the provider says logged in, from verified claims only."""

    issuer: str
    subject: str
    kind: str  # ApplicantKind
    number: str  # the personal number (person) or tax code (business), validated
    full_name: str
    acr: str


def _claim(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    if value is None or isinstance(value, dict | list | bool):
        return ""
    return nfc(str(value).strip())


def identity_from_claims(cfg: OidcConfig, claims: dict[str, Any]) -> VerifiedIdentity:
    """The applicant kind, number and name from the verified claims, the number checked
    by `motcua.core.identifiers`. A business is told by the kind claim (its value in
    MOTCUA_OIDC_BUSINESS_KINDS); without a kind claim, by a tax code and no personal
    number."""
    kind_value = _claim(claims, cfg.kind_claim) if cfg.kind_claim else ""
    pid = _claim(claims, cfg.pid_claim)
    tax = _claim(claims, cfg.tax_claim)
    business = (kind_value in cfg.business_kinds) if kind_value else (not pid and bool(tax))
    kind = ApplicantKind.BUSINESS if business else ApplicantKind.PERSON
    claim_name = cfg.tax_claim if business else cfg.pid_claim
    raw = tax if business else pid
    label_vi = "mã số thuế" if business else "số định danh cá nhân"
    label_en = "tax code" if business else "personal identification number"
    if not raw:
        raise _fail(
            "number_missing",
            f"Nhà cung cấp định danh không gửi {label_vi} (trường '{claim_name}').",
            f"The identity provider sent no {label_en} (claim '{claim_name}').",
        )
    try:
        number = validate_tax_code(raw) if business else validate_personal_id(raw)
    except ValidationFailed as exc:
        raise _fail(
            "number_invalid",
            f"{label_vi.capitalize()} do nhà cung cấp định danh gửi (trường '{claim_name}') "
            f"không hợp lệ: {exc.message}",
            f"The {label_en} sent by the identity provider (claim '{claim_name}') is "
            f"invalid: {exc.message_en}",
        ) from exc
    name = _claim(claims, cfg.name_claim)
    if not name:
        raise _fail(
            "name_missing",
            f"Nhà cung cấp định danh không gửi họ tên (trường '{cfg.name_claim}').",
            f"The identity provider sent no name (claim '{cfg.name_claim}').",
        )
    return VerifiedIdentity(
        issuer=str(claims["iss"]),
        subject=str(claims["sub"]),
        kind=str(kind),
        number=number,
        full_name=name[:255],
        acr=_claim(claims, "acr")[:64],
    )


__all__ = [
    "OidcConfig",
    "OidcFailure",
    "VerifiedIdentity",
    "begin",
    "check_pending",
    "config",
    "finish",
    "identity_from_claims",
    "verify_id_token",
]
