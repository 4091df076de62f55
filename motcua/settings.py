"""Django settings for motcua.

Every setting that differs between machines comes from an environment variable with a
safe default; `.env.example` lists them. Without DATABASE_URL the project runs on an
embedded SQLite database under var/.
"""

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext

# `admin.ModelAdmin[Model]` and the other generic classes of the type stubs, subscriptable
# at run time too (the admin classes of the strictly typed apps name their model).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MOTCUA_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """A development key is generated on first run and kept under var/ (never committed)."""
    key = os.environ.get("MOTCUA_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        import secrets

        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# Off unless the developer turns it on (`make demo` does): tracebacks never reach a citizen.
DEBUG = os.environ.get("MOTCUA_DEBUG", "0") == "1"
# The names the site answers to. No test host here: Django's test setup adds "testserver".
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("MOTCUA_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    # The admin site asks for the second factor (motcua.org.otp.StaffAdminSite).
    "motcua.org.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # django-ninja's templates and static files: /api/docs loads Swagger UI from the project,
    # never from a CDN, so the API docs work on a network without internet.
    "ninja",
    "csp",
    "motcua.core",
    "motcua.org",
    "motcua.catalog",
    "motcua.workcalendar",
    "motcua.dossiers",
    "motcua.documents",
    "motcua.indicators",
    "motcua.payments",
    "motcua.integration",
    "motcua.signing",
    "motcua.digitization",
    "motcua.store",
    "motcua.eforms",
    "motcua.linked",
    "motcua.feedback",
    "motcua.reports",
    "motcua.notifications",
    "motcua.portal",
    "motcua.backoffice",
    "motcua.api",
    "motcua.demo",
    "axes",  # login throttling (block "Login throttling" below)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # What the server sends (settings block "Transport and response headers" below).
    "csp.middleware.CSPMiddleware",
    "motcua.core.security.PermissionsPolicyMiddleware",
    "motcua.core.security.NoStoreMiddleware",
    "motcua.core.requestid.RequestIdMiddleware",
    # The security log: knows the request being served; logs every 403 (core/seclog.py).
    "motcua.core.seclog.SecurityLogMiddleware",
    "motcua.core.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "motcua.core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: turns a login refused for a lockout into the 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "motcua" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'motcua.sqlite3'}"),
        conn_max_age=int(os.environ.get("MOTCUA_CONN_MAX_AGE", "60")),
    )
}
# PostgreSQL prepared statements (docs/rules.md); 0 behind a pooler in transaction mode.
MOTCUA_PG_PREPARE = os.environ.get("MOTCUA_PG_PREPARE", "1") == "1"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL and a busy timeout let the demo server and a management command share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # Server-side parameter binding lets psycopg prepare the statements a connection runs
    # often (after `prepare_threshold` runs): PostgreSQL then skips parsing and planning the
    # hot transition statements. Off with MOTCUA_PG_PREPARE=0 (e.g. behind a pooler in
    # transaction mode, where prepared statements do not survive).
    if MOTCUA_PG_PREPARE:
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": 5}
        )

# A PostgreSQL streaming replica (docs/deploy.md "Read replica"): with MOTCUA_REPLICA_URL
# set, the dashboard, reports, open data and the public catalogue read there
# (motcua.core.db); every write, and every read that must see its own write, goes to the
# primary. In tests the replica is the default test database (TEST MIRROR).
MOTCUA_REPLICA_URL = os.environ.get("MOTCUA_REPLICA_URL", "")
if MOTCUA_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        MOTCUA_REPLICA_URL,
        conn_max_age=int(os.environ.get("MOTCUA_CONN_MAX_AGE", "60")),
    )
    if MOTCUA_PG_PREPARE:
        DATABASES["replica"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": 5}
        )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["motcua.core.db.ReplicaRouter"]

# --- Transport and response headers (issue 10, "What the server sends") -------------------
# Off by default: `make demo` and the tests run on plain http://127.0.0.1. In production
# (README) MOTCUA_HTTPS=1 turns on HSTS, secure cookies and the redirect to https.
MOTCUA_HTTPS = os.environ.get("MOTCUA_HTTPS", "0") == "1"
SECURE_SSL_REDIRECT = os.environ.get("MOTCUA_SSL_REDIRECT", "1" if MOTCUA_HTTPS else "0") == "1"
SESSION_COOKIE_SECURE = MOTCUA_HTTPS
CSRF_COOKIE_SECURE = MOTCUA_HTTPS
# A year once on https; 0 (no header) otherwise. Lower it while trying https out: a browser
# that saw the header refuses plain http to the site for that long.
SECURE_HSTS_SECONDS = int(
    os.environ.get("MOTCUA_HSTS_SECONDS", str(365 * 24 * 3600) if MOTCUA_HTTPS else "0")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("MOTCUA_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
# The token only says the site consents to browsers' preload lists; nothing is listed until
# the owner of the registrable domain submits it (hstspreload.org).
SECURE_HSTS_PRELOAD = os.environ.get("MOTCUA_HSTS_PRELOAD", "1") == "1"
# Behind a TLS-terminating proxy, the header that proxy sets to "https" (nginx:
# `proxy_set_header X-Forwarded-Proto $scheme;`), named as in request.META, e.g.
# HTTP_X_FORWARDED_PROTO. Only set it when the proxy always sets or overwrites that header:
# a client could otherwise claim https itself.
MOTCUA_PROXY_SSL_HEADER = os.environ.get("MOTCUA_PROXY_SSL_HEADER", "")
if MOTCUA_PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = (MOTCUA_PROXY_SSL_HEADER, "https")
# Content-Security-Policy (django-csp): scripts, styles, images and requests from the site
# itself, no inline script or style (a template test keeps it so), nothing may frame the
# site. NONCE is only put in the header of a page that asks for `request.csp_nonce`.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # data: for the icons inside Swagger UI's stylesheet (/api/docs).
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Answers that a shared or browser cache may keep (motcua.core.security.NoStoreMiddleware):
# only GET/HEAD 200s to an anonymous client, that set no cookie, under these public paths;
# every other answer is sent with Cache-Control: no-store.
MOTCUA_CACHEABLE_PATHS = [
    "/thu-tuc/",
    "/cong-khai/",
    "/open-data/",
    "/static/",
    "/api/docs",
    "/api/openapi.json",
    "/api/catalog/",
    "/api/calendar/",
    "/api/indicators",
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Passwords, sessions and API tokens (docs/rules.md "Passwords, sessions, tokens") ----
# Argon2id hashes every new password; a password still under PBKDF2 (or scrypt) verifies and
# is re-hashed with Argon2 at its next successful login. The test suite swaps in a fast
# hasher (conftest.py) except where it proves this.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Run wherever a password is set (portal registration, admin, createsuperuser,
# changepassword, the demo); Django's own Vietnamese messages, English on the switch.
MOTCUA_PASSWORD_MIN_LENGTH = int(os.environ.get("MOTCUA_PASSWORD_MIN_LENGTH", "10"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        # Django's, with the Vietnamese message Django 5.2's catalogue lacks.
        "NAME": "motcua.org.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": MOTCUA_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions (motcua.org.sessions.SessionLimitsMiddleware): a staff session idle for
# MOTCUA_STAFF_IDLE_MINUTES ends (0 = never); every session ends MOTCUA_SESSION_MAX_HOURS
# after its login, however busy; the cookie does not outlive it either.
MOTCUA_STAFF_IDLE_MINUTES = int(os.environ.get("MOTCUA_STAFF_IDLE_MINUTES", "30"))
MOTCUA_SESSION_MAX_HOURS = float(os.environ.get("MOTCUA_SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = int(MOTCUA_SESSION_MAX_HOURS * 3600)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "motcua.org.sessions.SessionLimitsMiddleware",
)
# API tokens (motcua.api.auth): each expires MOTCUA_API_TOKEN_DAYS after it is made; a user
# holds at most MOTCUA_API_TOKENS_PER_USER live tokens (a new one revokes the oldest).
MOTCUA_API_TOKEN_DAYS = int(os.environ.get("MOTCUA_API_TOKEN_DAYS", "30"))
MOTCUA_API_TOKENS_PER_USER = int(os.environ.get("MOTCUA_API_TOKENS_PER_USER", "10"))
# --- end of passwords, sessions and API tokens -------------------------------------------

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "motcua" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MOTCUA_MEDIA_ROOT", VAR_DIR / "media"))
# Files: the filesystem under MEDIA_ROOT, or an S3-compatible object store when
# MOTCUA_STORAGE_URL=s3://bucket?endpoint=…&region=…&prefix=… (core/storage.py; the keys from
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, never in the URL).
from motcua.core.storage import default_storage_from_url  # noqa: E402

MOTCUA_STORAGE_URL = os.environ.get("MOTCUA_STORAGE_URL", "")
STORAGES = {
    "default": default_storage_from_url(MOTCUA_STORAGE_URL),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGIN_URL = "/dang-nhap/"
# Django's CSRF 403 page, its reason written to the security log (core/seclog.py).
CSRF_FAILURE_VIEW = "motcua.core.seclog.csrf_failure"
LOGIN_REDIRECT_URL = "/"

# ---- Uploads (issue 10): sizes, office files' inflated size, volumes. Bytes throughout.
# The largest accepted file (default 10 MiB).
MOTCUA_MAX_UPLOAD_BYTES = int(os.environ.get("MOTCUA_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
# An office file (DOCX, XLSX: zip archives) may declare at most this inflated size, and at
# most this many times its own size (a "zip bomb" is refused; nothing is inflated).
MOTCUA_MAX_UNZIPPED_BYTES = int(os.environ.get("MOTCUA_MAX_UNZIPPED_BYTES", str(100 * 1024 * 1024)))
MOTCUA_MAX_UNZIP_RATIO = int(os.environ.get("MOTCUA_MAX_UNZIP_RATIO", "100"))
# Volumes of what applicants hand in: per request (one submission, intake or supplement),
# per dossier (all its files but results), per applicant account per day (Vietnam's day).
MOTCUA_MAX_REQUEST_BYTES = int(os.environ.get("MOTCUA_MAX_REQUEST_BYTES", str(30 * 1024 * 1024)))
MOTCUA_MAX_DOSSIER_BYTES = int(os.environ.get("MOTCUA_MAX_DOSSIER_BYTES", str(60 * 1024 * 1024)))
MOTCUA_MAX_APPLICANT_DAY_BYTES = int(
    os.environ.get("MOTCUA_MAX_APPLICANT_DAY_BYTES", str(200 * 1024 * 1024))
)
# A body other than files (JSON, form fields) is held in memory up to this; uploaded files
# past FILE_UPLOAD_MAX_MEMORY_SIZE go to temporary files on disk, not to the worker's memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = MOTCUA_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Malware scan (dossiers/scanner.py, docs/security.md "Quét mã độc (ClamAV)"): clamd's
# address, tcp://127.0.0.1:3310 or unix:///run/clamav/clamd.ctl. Every file is scanned before
# it is kept; a file clamd does not answer for within MOTCUA_CLAMD_TIMEOUT seconds is refused
# (fail closed). Unset: no scan, and `motcua check --deploy` warns (motcua.W010). clamd's
# StreamMaxLength must be at least MOTCUA_MAX_UPLOAD_BYTES.
MOTCUA_CLAMD = os.environ.get("MOTCUA_CLAMD", "")
MOTCUA_CLAMD_TIMEOUT = float(os.environ.get("MOTCUA_CLAMD_TIMEOUT", "30"))
# ---- end of uploads

# The one-stop rules the legal texts we could read leave open (docs/rules.md): the 2018
# practice by default, so a province aligns them with the official text without a code change.
# Supplement requests (Mẫu 02) a dossier may receive.
MOTCUA_MAX_SUPPLEMENT_REQUESTS = int(os.environ.get("MOTCUA_MAX_SUPPLEMENT_REQUESTS", "1"))
# Apologies with a new appointment (Mẫu 04) a dossier may receive.
MOTCUA_MAX_APOLOGIES = int(os.environ.get("MOTCUA_MAX_APOLOGIES", "1"))

# Signed results (motcua.signing; docs/signing.md). The development PKI is generated on first
# run under var/pki; the trust store is a list of PEM files (the VGCA / NEAC roots in a
# province), by default the development root. Signing keys: a PKCS#12 file per leader in
# development, a PKCS#11 token (MOTCUA_PKCS11_LIB, MOTCUA_PKCS11_TOKEN, MOTCUA_PKCS11_PIN) in
# production. MOTCUA_TSA_URL: the RFC 3161 timestamp authority (the demo starts one).
MOTCUA_PKI_DIR = Path(os.environ.get("MOTCUA_PKI_DIR", VAR_DIR / "pki"))
MOTCUA_PKI_BASE_URL = os.environ.get("MOTCUA_PKI_BASE_URL", "http://127.0.0.1:8402")
MOTCUA_SIGNING_TRUST_ROOTS = [
    p for p in os.environ.get("MOTCUA_SIGNING_TRUST_ROOTS", "").split(os.pathsep) if p
]
MOTCUA_SIGNING_DEV_PASSPHRASE = os.environ.get("MOTCUA_SIGNING_DEV_PASSPHRASE", "motcua-dev")
MOTCUA_TSA_URL = os.environ.get("MOTCUA_TSA_URL", "")
MOTCUA_PKCS11_LIB = os.environ.get("MOTCUA_PKCS11_LIB", "")
MOTCUA_PKCS11_TOKEN = os.environ.get("MOTCUA_PKCS11_TOKEN", "")
MOTCUA_PKCS11_PIN = os.environ.get("MOTCUA_PKCS11_PIN", "")
# Every result must be a valid signed PDF ("1"), or ("0", the default) only where the procedure
# gives no paper result is an unsigned one refused (elsewhere it is kept but is not an
# electronic result, indicator 4.1).
MOTCUA_SIGNED_RESULT_REQUIRED = os.environ.get("MOTCUA_SIGNED_RESULT_REQUIRED", "0") == "1"
# A tax code whose check computation gives 10: "invalid" (no such code) or "zero".
MOTCUA_TAX_CODE_MOD11_ZERO = os.environ.get("MOTCUA_TAX_CODE_MOD11_ZERO", "invalid")

# Status lookup: failed attempts allowed per client address and window (docs/rules.md).
MOTCUA_LOOKUP_MAX_FAILURES = int(os.environ.get("MOTCUA_LOOKUP_MAX_FAILURES", "20"))
MOTCUA_LOOKUP_WINDOW_SECONDS = int(os.environ.get("MOTCUA_LOOKUP_WINDOW_SECONDS", "600"))
# The public verification page /xac-thuc/: checks (uploads and result codes) per client
# address and window before it answers 429 (docs/signing.md); 0 turns the limit off.
MOTCUA_VERIFY_MAX_CHECKS = int(os.environ.get("MOTCUA_VERIFY_MAX_CHECKS", "30"))
MOTCUA_VERIFY_WINDOW_SECONDS = int(os.environ.get("MOTCUA_VERIFY_WINDOW_SECONDS", "600"))
# Behind a reverse proxy: the request header with the client's address, e.g. HTTP_X_REAL_IP.
MOTCUA_CLIENT_IP_HEADER = os.environ.get("MOTCUA_CLIENT_IP_HEADER", "")
# Counters shared by the server processes (lookup limits): Redis when MOTCUA_CACHE_URL is
# set (redis://127.0.0.1:6379/1), else each process's memory.
MOTCUA_CACHE_URL = os.environ.get("MOTCUA_CACHE_URL", "")
if MOTCUA_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": MOTCUA_CACHE_URL,
        }
    }
# Same-day limits ("trong ngày"): received after this hour, due at the close of the next
# working day. 15:00 is the hour of Nghị định 23/2015/NĐ-CP Điều 7 (chứng thực); a record
# that names another hour keeps its own (docs/rules.md).
MOTCUA_SAME_DAY_CUTOFF = os.environ.get("MOTCUA_SAME_DAY_CUTOFF", "15:00")
# How long a worker process trusts what it learnt of an API token (user, roles); 0 = never.
MOTCUA_AUTH_CACHE_SECONDS = float(os.environ.get("MOTCUA_AUTH_CACHE_SECONDS", "10"))
# Public base URL, printed on receipts (status lookup link).
MOTCUA_PUBLIC_URL = os.environ.get("MOTCUA_PUBLIC_URL", "http://127.0.0.1:8000")

# Online payment through a VNPay-style gateway (motcua.payments; docs/payments.md). The
# values come from the province's contract with its gateway: the terminal code
# (vnp_TmnCode), the hash secret (HMAC-SHA512 key; never in the repository), the checkout
# URL (…/paymentv2/vpcpay.html) and the merchant API URL (…/merchant_webapi/api/
# transaction, for querydr). Empty: online payment is off and the portal says to pay at the
# counter. `motcua demo --serve` starts the gateway simulator and sets them. The IPN URL to
# register with the gateway is MOTCUA_PUBLIC_URL + /thanh-toan/vnpay/ipn/.
MOTCUA_VNPAY_TMN_CODE = os.environ.get("MOTCUA_VNPAY_TMN_CODE", "")
MOTCUA_VNPAY_HASH_SECRET = os.environ.get("MOTCUA_VNPAY_HASH_SECRET", "")
MOTCUA_VNPAY_PAY_URL = os.environ.get("MOTCUA_VNPAY_PAY_URL", "")
MOTCUA_VNPAY_API_URL = os.environ.get("MOTCUA_VNPAY_API_URL", "")
# How long an attempt may be paid on the gateway's page (vnp_ExpireDate), minutes.
MOTCUA_VNPAY_EXPIRE_MINUTES = int(os.environ.get("MOTCUA_VNPAY_EXPIRE_MINUTES", "15"))
# Reconciliation (đối soát; docs/payments.md "Đối soát"): the URL of the gateway's daily
# settlement file, {date} standing for YYYYMMDD (the simulator's:
# …/merchant_webapi/settlement/{date}.csv). Empty: no reconciliation. `celery -A motcua
# beat` reconciles yesterday (GMT+7) every day at MOTCUA_RECONCILE_AT_HOUR:15 (0-23, the
# TIME_ZONE's hour; default 6); `motcua payments reconcile --date D` does it by hand.
MOTCUA_VNPAY_SETTLEMENT_URL = os.environ.get("MOTCUA_VNPAY_SETTLEMENT_URL", "")
MOTCUA_RECONCILE_AT_HOUR = int(os.environ.get("MOTCUA_RECONCILE_AT_HOUR", "6"))
# The national portal's payment platform (docs/payments.md "Nền tảng thanh toán quốc gia";
# reference §1.4): the partner code (MaDoiTac) and hash key the operator issues (never in
# the repository), the URLs of its init and get-bill messages, the protocol version
# (PhienBan), the LoaiBanTin values "init,get_bill,confirm", the collecting agency's code
# and name (MaDonVi/MaCoQuanQD). Empty: the channel is off. The callback URL to register:
# MOTCUA_PUBLIC_URL + /thanh-toan/dvcqg/dpnhankqthanhtoanhs/ (POST JSON).
MOTCUA_DVCQG_PARTNER_CODE = os.environ.get("MOTCUA_DVCQG_PARTNER_CODE", "")
MOTCUA_DVCQG_HASH_KEY = os.environ.get("MOTCUA_DVCQG_HASH_KEY", "")
MOTCUA_DVCQG_INIT_URL = os.environ.get("MOTCUA_DVCQG_INIT_URL", "")
MOTCUA_DVCQG_QUERY_URL = os.environ.get("MOTCUA_DVCQG_QUERY_URL", "")
MOTCUA_DVCQG_VERSION = os.environ.get("MOTCUA_DVCQG_VERSION", "2.0.0")
MOTCUA_DVCQG_MESSAGE_TYPES = os.environ.get("MOTCUA_DVCQG_MESSAGE_TYPES", "1,2,3")
MOTCUA_DVCQG_AGENCY_CODE = os.environ.get("MOTCUA_DVCQG_AGENCY_CODE", "")
MOTCUA_DVCQG_AGENCY_NAME = os.environ.get("MOTCUA_DVCQG_AGENCY_NAME", "")
MOTCUA_DVCQG_EXPIRE_MINUTES = int(os.environ.get("MOTCUA_DVCQG_EXPIRE_MINUTES", "15"))
# The origin of the platform's checkout page (UrlThanhToan), for the dossier page's CSP
# form-action; empty: the init URL's origin.
MOTCUA_DVCQG_CHECKOUT_ORIGIN = os.environ.get("MOTCUA_DVCQG_CHECKOUT_ORIGIN", "")
# Pending attempts whose IPN / callback has not come (reference §1.8): every
# MOTCUA_QUERY_PENDING_EVERY_MINUTES `celery -A motcua beat` asks the gateway (querydr) and
# the national platform (get bill) about every attempt still pending after
# MOTCUA_QUERY_PENDING_AFTER_MINUTES (`motcua payments query-pending` does it by hand).
MOTCUA_QUERY_PENDING_EVERY_MINUTES = int(os.environ.get("MOTCUA_QUERY_PENDING_EVERY_MINUTES", "5"))
MOTCUA_QUERY_PENDING_AFTER_MINUTES = int(os.environ.get("MOTCUA_QUERY_PENDING_AFTER_MINUTES", "5"))

# Fee receipts (biên lai điện tử; motcua.payments.services.receipts, docs/payments.md). The
# template code (mẫu số) and series (ký hiệu; "{yy}" = the year's last two digits) the fee
# collector registered with the tax authority (Decree 123/2020 art. 34); per agency:
# "AGENCYCODE=TEMPLATE/SERIES;…". The defaults are placeholders (UNCONFIRMED).
MOTCUA_RECEIPT_TEMPLATE = os.environ.get("MOTCUA_RECEIPT_TEMPLATE", "01BLP0-001")
MOTCUA_RECEIPT_SERIES = os.environ.get("MOTCUA_RECEIPT_SERIES", "BL-{yy}E")
MOTCUA_RECEIPT_SERIES_BY_AGENCY = os.environ.get("MOTCUA_RECEIPT_SERIES_BY_AGENCY", "")
# The signed XML e-receipt (motcua.documents.ereceipt): each collecting agency's signing key
# and certificate, one PEM file per agency code; development ones are generated here on
# first use (never committed).
MOTCUA_ERECEIPT_KEY_DIR = Path(os.environ.get("MOTCUA_ERECEIPT_KEY_DIR", VAR_DIR / "ereceipt-keys"))

# Mail (Django's mail framework): the receipt sent to the applicant. By default mails are
# written as files under var/mail/ (the demo); set EMAIL_BACKEND to
# django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST… for a real server.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL", "0") == "1"
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "motcua <no-reply@motcua.localhost>")

import json as _json  # noqa: E402

# --- Notifications (motcua.notifications; docs/notifications.md) ------------------------
# E-mail goes through the mail backend above. SMS: an eSMS-style JSON API (MOTCUA_SMS_URL,
# e.g. https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/), its
# keys and brandname; Zalo: ZNS template messages (MOTCUA_ZALO_URL, the OA access token,
# and the id of the approved ZNS template of each event as JSON {"receipt": "123", …}).
# Unset URLs: those messages wait in the outbox (retried) until configured.
MOTCUA_SMS_URL = os.environ.get("MOTCUA_SMS_URL", "")
MOTCUA_SMS_API_KEY = os.environ.get("MOTCUA_SMS_API_KEY", "")
MOTCUA_SMS_SECRET_KEY = os.environ.get("MOTCUA_SMS_SECRET_KEY", "")
MOTCUA_SMS_BRANDNAME = os.environ.get("MOTCUA_SMS_BRANDNAME", "")
MOTCUA_SMS_SANDBOX = os.environ.get("MOTCUA_SMS_SANDBOX", "0") == "1"
# SMS without Vietnamese accents (what a brandname route without Unicode takes; UNCONFIRMED
# per provider) and the longest text sent (0: one segment, 160 unaccented / 70 with accents).
MOTCUA_SMS_UNACCENTED = os.environ.get("MOTCUA_SMS_UNACCENTED", "1") == "1"
MOTCUA_SMS_MAX_LENGTH = int(os.environ.get("MOTCUA_SMS_MAX_LENGTH", "0"))
MOTCUA_ZALO_URL = os.environ.get("MOTCUA_ZALO_URL", "")
MOTCUA_ZALO_ACCESS_TOKEN = os.environ.get("MOTCUA_ZALO_ACCESS_TOKEN", "")
MOTCUA_ZALO_TEMPLATE_IDS = _json.loads(os.environ.get("MOTCUA_ZALO_TEMPLATE_IDS", "{}") or "{}")
MOTCUA_ZALO_DEVELOPMENT = os.environ.get("MOTCUA_ZALO_DEVELOPMENT", "0") == "1"
MOTCUA_NOTIFY_HTTP_TIMEOUT = float(os.environ.get("MOTCUA_NOTIFY_HTTP_TIMEOUT", "10"))
# Officers are warned once a dossier has used this share of its time limit (UNCONFIRMED:
# no legal text sets it); the beat task looks every MOTCUA_EARLY_WARNING_EVERY_MINUTES.
MOTCUA_EARLY_WARNING_SHARE = os.environ.get("MOTCUA_EARLY_WARNING_SHARE", "0.75")
MOTCUA_EARLY_WARNING_EVERY_MINUTES = int(os.environ.get("MOTCUA_EARLY_WARNING_EVERY_MINUTES", "15"))
# Refunds (hoàn trả): when a paid dossier ends with one of these actions, a refund of its
# fees is requested automatically (MOTCUA_REFUND_AUTOMATIC=0: only officers request them).
# Which cases the law returns phí / lệ phí in was not found: UNCONFIRMED, configurable.
MOTCUA_REFUND_AUTOMATIC = os.environ.get("MOTCUA_REFUND_AUTOMATIC", "1") == "1"
MOTCUA_REFUND_ON_ACTIONS = os.environ.get(
    "MOTCUA_REFUND_ON_ACTIONS", "refuse,request_withdrawal,stop"
)
# Bank transfer by VietQR and statement matching (motcua.payments; docs/payments.md
# "Chuyển khoản VietQR và sao kê"). The collecting account: the bank's 6-digit BIN (e.g.
# 970415 VietinBank), the account number and the holder's name as the bank app shows it
# (ASCII). Empty BIN or account: the payment page offers no transfer. One account for the
# province: MOTCUA_VIETQR_AGENCY is the code of the agency that collects on it; its counter
# officers and leaders work the statement queue. An agency with its own account (the admin's
# "Tài khoản thu của đơn vị", CollectingAccount) collects on that one instead.
# MOTCUA_STATEMENT_COLUMNS overrides the statement file's column names, e.g.
# "date=Ngày GD;credit=Số tiền ghi có;text=Nội dung;txn_id=Số bút toán;balance=Số dư".
MOTCUA_VIETQR_BIN = os.environ.get("MOTCUA_VIETQR_BIN", "")
MOTCUA_VIETQR_ACCOUNT = os.environ.get("MOTCUA_VIETQR_ACCOUNT", "")
MOTCUA_VIETQR_ACCOUNT_NAME = os.environ.get("MOTCUA_VIETQR_ACCOUNT_NAME", "")
MOTCUA_VIETQR_AGENCY = os.environ.get("MOTCUA_VIETQR_AGENCY", "")
MOTCUA_STATEMENT_COLUMNS = os.environ.get("MOTCUA_STATEMENT_COLUMNS", "")

# The verdict and the clock (motcua.dossiers.deadlines, rules; docs/rules.md "Verdict").
# UNCONFIRMED legal points, configurable:
# - which appointment a re-appointed dossier (apology, Mẫu 04) is judged against:
#   "original" (the first one: an apology admits the delay) or "new";
MOTCUA_REAPPOINTMENT_JUDGED_AGAINST = os.environ.get(
    "MOTCUA_REAPPOINTMENT_JUDGED_AGAINST", "original"
)
# - whether waiting for the applicant's payment (status 6) pauses the clock: "land" (the
#   procedures of the land field), "all" or "none"; a procedure version may decide itself;
MOTCUA_PAYMENT_PAUSES_CLOCK = os.environ.get("MOTCUA_PAYMENT_PAUSES_CLOCK", "land")
# - how long before the appointment an apology must come, in working days, per regime.
MOTCUA_APOLOGY_MIN_LEAD_DAYS_2018 = os.environ.get("MOTCUA_APOLOGY_MIN_LEAD_DAYS_2018", "1")
MOTCUA_APOLOGY_MIN_LEAD_DAYS_2025 = os.environ.get("MOTCUA_APOLOGY_MIN_LEAD_DAYS_2025", "1")
# - the most supplement requests a dossier may have and still be on time (§1.5: 1).
MOTCUA_766_MAX_SUPPLEMENTS_ON_TIME = int(os.environ.get("MOTCUA_766_MAX_SUPPLEMENTS_ON_TIME", "1"))
# Decision 766 group 1 and 4.5a (docs/indicators.md "Phần còn lại của Bộ chỉ số"; UNCONFIRMED):
# - 1.1: a publication decision at least this many working days before its legal text.
MOTCUA_766_PUBLISH_LEAD_DAYS = int(os.environ.get("MOTCUA_766_PUBLISH_LEAD_DAYS", "5"))
# - 1.2: made public within this many working days of the decision.
MOTCUA_766_PUBLIC_WITHIN_DAYS = int(os.environ.get("MOTCUA_766_PUBLIC_WITHIN_DAYS", "5"))
# - 4.5a: the subjects that make a procedure one for individuals ("|"-separated).
MOTCUA_766_PERSON_SUBJECTS = [
    s.strip()
    for s in os.environ.get(
        "MOTCUA_766_PERSON_SUBJECTS",
        "Công dân Việt Nam|Người Việt Nam định cư ở nước ngoài|Người nước ngoài|Cá nhân",
    ).split("|")
    if s.strip()
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"jsonlines": {"()": "motcua.core.seclog.JsonLinesFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        # The security log (motcua.core.seclog): JSON lines to MOTCUA_SECURITY_LOG, a file
        # path (WatchedFileHandler: logrotate moves it, no copytruncate), or to standard
        # error when it is unset; MOTCUA_SECURITY_LOG_LEVEL=WARNING keeps refusals only.
        # Events, fields, rotation, retention: docs/security.md "Nhật ký an ninh".
        "security": (
            {
                "class": "logging.handlers.WatchedFileHandler",
                "filename": os.environ["MOTCUA_SECURITY_LOG"],
                "encoding": "utf-8",
                "formatter": "jsonlines",
            }
            if os.environ.get("MOTCUA_SECURITY_LOG")
            else {"class": "logging.StreamHandler", "formatter": "jsonlines"}
        ),
    },
    "loggers": {
        "motcua.security": {
            "handlers": ["security"],
            "level": os.environ.get("MOTCUA_SECURITY_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("MOTCUA_LOG_LEVEL", "WARNING")},
}

# Background work: Celery on Redis where deployed; eager (in the request, after commit) by
# default so the demo and the tests need no worker. Set MOTCUA_TASKS_EAGER=0 and run
# `celery -A motcua worker` to move forms and notifications out of the request.
CELERY_BROKER_URL = os.environ.get("MOTCUA_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_TASK_ALWAYS_EAGER = os.environ.get("MOTCUA_TASKS_EAGER", "1") == "1"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Digitization at the counter (motcua.digitization): OCR with ocrmypdf + Tesseract. The
# languages are Tesseract's ("vie", "vie+eng"); images without a resolution are read at
# MOTCUA_OCR_IMAGE_DPI; a page taking longer than MOTCUA_OCR_PAGE_TIMEOUT seconds fails.
MOTCUA_OCR_LANGUAGES = os.environ.get("MOTCUA_OCR_LANGUAGES", "vie")
MOTCUA_OCR_IMAGE_DPI = int(os.environ.get("MOTCUA_OCR_IMAGE_DPI", "300"))
MOTCUA_OCR_PAGE_TIMEOUT = float(os.environ.get("MOTCUA_OCR_PAGE_TIMEOUT", "180"))
# A scan still running after this long has lost its worker: the counter may retry it.
MOTCUA_OCR_STALE_SECONDS = int(os.environ.get("MOTCUA_OCR_STALE_SECONDS", "1800"))
# The code a digitized component / a result is given (mã thành phần số hóa, mã kết quả).
# The articles of Circular 01/2023/TT-VPCP that fix the format were not read (UNCONFIRMED,
# integration-reference §2.4): a str.format pattern with {dossier_code}, {component} (the
# component's order in the procedure), {n} (the count per dossier and component/result).
MOTCUA_COMPONENT_CODE_FORMAT = os.environ.get(
    "MOTCUA_COMPONENT_CODE_FORMAT", "{dossier_code}-TP{component:02d}-{n:02d}"
)

# Forms and their rows kept together (motcua.documents.services.documents_repair): every
# MOTCUA_DOCUMENTS_REPAIR_EVERY_SECONDS `celery -A motcua beat` queues the sweep, which
# renders the forms missing for the events of the last MOTCUA_DOCUMENTS_REPAIR_DAYS days and
# deletes form files without a row once older than MOTCUA_DOCUMENTS_ORPHAN_GRACE_MINUTES.
# Without beat, run `motcua documents repair` from cron.
MOTCUA_DOCUMENTS_REPAIR_EVERY_SECONDS = int(
    os.environ.get("MOTCUA_DOCUMENTS_REPAIR_EVERY_SECONDS", "600")
)
MOTCUA_DOCUMENTS_REPAIR_DAYS = int(os.environ.get("MOTCUA_DOCUMENTS_REPAIR_DAYS", "7"))
MOTCUA_DOCUMENTS_ORPHAN_GRACE_MINUTES = int(
    os.environ.get("MOTCUA_DOCUMENTS_ORPHAN_GRACE_MINUTES", "60")
)
# The outbox (motcua.integration.outbox; docs/integration.md "Hộp thư đi"): a worker
# claims up to MOTCUA_OUTBOX_BATCH messages at a time and holds them for
# MOTCUA_OUTBOX_LEASE_SECONDS (a worker killed mid-batch: another one takes them after
# that); one task delivers for at most MOTCUA_OUTBOX_TASK_BUDGET_SECONDS; `celery beat`
# sweeps every MOTCUA_OUTBOX_SWEEP_SECONDS. MOTCUA_OUTBOX_KICK=0: no task after each
# commit, the sweep alone delivers.
MOTCUA_OUTBOX_BATCH = int(os.environ.get("MOTCUA_OUTBOX_BATCH", "100"))
MOTCUA_OUTBOX_LEASE_SECONDS = float(os.environ.get("MOTCUA_OUTBOX_LEASE_SECONDS", "120"))
MOTCUA_OUTBOX_TASK_BUDGET_SECONDS = float(os.environ.get("MOTCUA_OUTBOX_TASK_BUDGET_SECONDS", "30"))
MOTCUA_OUTBOX_SWEEP_SECONDS = float(os.environ.get("MOTCUA_OUTBOX_SWEEP_SECONDS", "10"))
MOTCUA_OUTBOX_KICK = os.environ.get("MOTCUA_OUTBOX_KICK", "1") == "1"
# A queue of its own for the delivery (MOTCUA_OUTBOX_QUEUE=outbox; run a worker with
# `-Q outbox`), so that messages never wait behind PDF rendering; empty: Celery's default.
MOTCUA_OUTBOX_QUEUE = os.environ.get("MOTCUA_OUTBOX_QUEUE", "")
if MOTCUA_OUTBOX_QUEUE:
    CELERY_TASK_ROUTES = {"integration.deliver": {"queue": MOTCUA_OUTBOX_QUEUE}}

# The national portal's dossier sync (motcua.integration.national; docs/integration.md
# "Đồng bộ Cổng DVC quốc gia"). Empty URL: no sync. The adapter's base URL (the LGSP /
# national adapter), its login and sync paths, the account, the province's unit code
# (header dstcode, body madonvi), and one call's timeout in seconds. The paths and the
# protocol's details are UNCONFIRMED (no official specification seen): set them to what
# the province's registration says.
MOTCUA_NATIONAL_SYNC_URL = os.environ.get("MOTCUA_NATIONAL_SYNC_URL", "")
MOTCUA_NATIONAL_SYNC_AUTH_PATH = os.environ.get("MOTCUA_NATIONAL_SYNC_AUTH_PATH", "/auth")
MOTCUA_NATIONAL_SYNC_PATH = os.environ.get("MOTCUA_NATIONAL_SYNC_PATH", "/integration")
MOTCUA_NATIONAL_SYNC_USERNAME = os.environ.get("MOTCUA_NATIONAL_SYNC_USERNAME", "")
MOTCUA_NATIONAL_SYNC_PASSWORD = os.environ.get("MOTCUA_NATIONAL_SYNC_PASSWORD", "")
MOTCUA_NATIONAL_SYNC_DSTCODE = os.environ.get("MOTCUA_NATIONAL_SYNC_DSTCODE", "")
MOTCUA_NATIONAL_SYNC_TIMEOUT = float(os.environ.get("MOTCUA_NATIONAL_SYNC_TIMEOUT", "10"))

from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE = {
    "documents-repair": {
        "task": "documents.repair",
        "schedule": float(MOTCUA_DOCUMENTS_REPAIR_EVERY_SECONDS),
    },
    # Yesterday's payments against the gateway's settlement file (motcua.payments.tasks).
    "payments-reconcile": {
        "task": "payments.reconcile_yesterday",
        "schedule": crontab(minute=15, hour=MOTCUA_RECONCILE_AT_HOUR),
    },
    # The outbox's sweep (motcua.integration): what no after-commit kick delivered (a
    # broker that was down, a retry whose back-off has passed, a lease run out).
    "integration-sweep": {
        "task": "integration.deliver",
        "schedule": float(MOTCUA_OUTBOX_SWEEP_SECONDS),
    },
    # Pending attempts asked about (querydr, get bill) when their notification is late.
    "payments-query-pending": {
        "task": "payments.query_pending",
        "schedule": float(MOTCUA_QUERY_PENDING_EVERY_MINUTES * 60),
    },
    # Officers warned before dossiers turn late (motcua.notifications.tasks).
    "notifications-early-warnings": {
        "task": "notifications.early_warnings",
        "schedule": float(MOTCUA_EARLY_WARNING_EVERY_MINUTES * 60),
    },
}

# --- Login throttling (django-axes; docs/security.md "Login throttling") -----------------
# The portal login, the admin login and POST /api/auth/token all call authenticate(request,
# ...): axes' backend, first, refuses a locked caller before any password is checked, and
# each failure is counted in the database. Locked per account (username, from any address)
# and per address (any username from it) after MOTCUA_LOGIN_FAILURE_LIMIT failures, for
# MOTCUA_LOGIN_COOLOFF_MINUTES after the last one; an administrator unlocks at once (admin
# "Access attempts", or `motcua axes_reset_username NAME` / `axes_reset_ip ADDRESS`).
import datetime as _dt  # noqa: E402

MOTCUA_LOGIN_FAILURE_LIMIT = int(os.environ.get("MOTCUA_LOGIN_FAILURE_LIMIT", "5"))
MOTCUA_LOGIN_COOLOFF_MINUTES = int(os.environ.get("MOTCUA_LOGIN_COOLOFF_MINUTES", "15"))
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = MOTCUA_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = _dt.timedelta(minutes=MOTCUA_LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "motcua.core.lockout.axes_client_ip"
AXES_LOCKOUT_CALLABLE = "motcua.core.lockout.lockout_response"
# The security log names who and from where (the password is never logged).
AXES_SENSITIVE_PARAMETERS: list[str] = []
LOGGING.setdefault("loggers", {})["axes"] = {"level": "WARNING"}  # type: ignore[index]

# --- Officers' second factor (django-otp; docs/security.md "Xác thực hai lớp cho cán bộ") --
# Every staff account (is_staff, superuser, or a holder of a staff role in force) proves a
# TOTP code (or a one-time recovery code) after its password before any back-office page,
# the admin or the API (motcua.org.otp.StaffOTPMiddleware; POST /api/auth/token takes the
# code as `otp`). MOTCUA_STAFF_OTP: "required" (default) or "off" (a development machine
# without authenticator apps; never in production). Citizens are never asked.
MOTCUA_STAFF_OTP = os.environ.get("MOTCUA_STAFF_OTP", "required").strip().lower()
if MOTCUA_STAFF_OTP not in ("required", "off"):
    from django.core.exceptions import ImproperlyConfigured  # noqa: E402

    raise ImproperlyConfigured(
        f"MOTCUA_STAFF_OTP must be 'required' or 'off', not {MOTCUA_STAFF_OTP!r}"
    )
INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
# After the session limits: a session they end is not asked for a code.
MIDDLEWARE.insert(
    MIDDLEWARE.index("motcua.org.sessions.SessionLimitsMiddleware") + 1,
    "motcua.org.otp.StaffOTPMiddleware",
)
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = os.environ.get("MOTCUA_OTP_ISSUER", "Một cửa điện tử")
# Throttling (django-otp): after n wrong codes in a row a device refuses every code for
# factor × 2^(n-1) seconds (1, 2, 4, … up to an hour); 0 would turn it off.
OTP_TOTP_THROTTLE_FACTOR = int(os.environ.get("MOTCUA_OTP_THROTTLE_FACTOR", "1"))
OTP_STATIC_THROTTLE_FACTOR = OTP_TOTP_THROTTLE_FACTOR
if OTP_TOTP_THROTTLE_FACTOR < 1:
    from django.core.exceptions import ImproperlyConfigured  # noqa: E402

    raise ImproperlyConfigured("MOTCUA_OTP_THROTTLE_FACTOR must be at least 1")
# The admin's device pages never show a key or its QR code (resets: the user admin's
# action, audited).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Recovery codes given at a time (each works once).
MOTCUA_OTP_RECOVERY_CODES = int(os.environ.get("MOTCUA_OTP_RECOVERY_CODES", "10"))
# --- end of officers' second factor ---------------------------------------------------

# --- Login with the national identity: VNeID / national portal SSO over OpenID Connect ---
# (docs/security.md "Đăng nhập bằng định danh quốc gia (OIDC)"; motcua/org/oidc.py.) Off
# while MOTCUA_OIDC_ISSUER is empty; set, the portal's login page shows the button. The
# claim names VNeID / the national portal use are UNCONFIRMED: the defaults follow the
# OpenCPS single sign-on (SoDinhDanh, MaSoThue, LoaiTaiKhoan 1 = citizen); set them to what
# the province's registration with the provider says.
MOTCUA_OIDC_ISSUER = os.environ.get("MOTCUA_OIDC_ISSUER", "")
MOTCUA_OIDC_CLIENT_ID = os.environ.get("MOTCUA_OIDC_CLIENT_ID", "")
MOTCUA_OIDC_CLIENT_SECRET = os.environ.get("MOTCUA_OIDC_CLIENT_SECRET", "")
MOTCUA_OIDC_SCOPE = os.environ.get("MOTCUA_OIDC_SCOPE", "openid profile")
MOTCUA_OIDC_REDIRECT_URI = os.environ.get("MOTCUA_OIDC_REDIRECT_URI", "")  # default: this host
MOTCUA_OIDC_PID_CLAIM = os.environ.get("MOTCUA_OIDC_PID_CLAIM", "SoDinhDanh")
MOTCUA_OIDC_TAX_CLAIM = os.environ.get("MOTCUA_OIDC_TAX_CLAIM", "MaSoThue")
MOTCUA_OIDC_NAME_CLAIM = os.environ.get("MOTCUA_OIDC_NAME_CLAIM", "name")
MOTCUA_OIDC_KIND_CLAIM = os.environ.get("MOTCUA_OIDC_KIND_CLAIM", "LoaiTaiKhoan")
MOTCUA_OIDC_BUSINESS_KINDS = os.environ.get("MOTCUA_OIDC_BUSINESS_KINDS", "2")
MOTCUA_OIDC_ACR_VALUES = os.environ.get("MOTCUA_OIDC_ACR_VALUES", "")
# Also read the userinfo endpoint (claims the ID token lacks; same subject required).
MOTCUA_OIDC_USERINFO = os.environ.get("MOTCUA_OIDC_USERINFO", "0") == "1"
# Linking a local account with the same number retires its password, unless this is 1.
MOTCUA_OIDC_KEEP_LOCAL_PASSWORD = os.environ.get("MOTCUA_OIDC_KEEP_LOCAL_PASSWORD", "0") == "1"

# Electronic forms (docs/eforms.md): more folders of code lists (comma-separated), read
# after motcua/eforms/codelists/.
EFORMS_CODELIST_DIRS = [
    d.strip() for d in os.environ.get("MOTCUA_EFORMS_CODELIST_DIRS", "").split(",") if d.strip()
]

# Citizens' feedback (motcua.feedback; docs/feedback.md). The 766 operational limits
# (reference §4.2 G6 5.2), in working days on the work calendar; UNCONFIRMED which act each
# limit starts from and whether CĐ 89/2025's 15 days apply instead: settings.
MOTCUA_FEEDBACK_REJECT_DAYS = int(os.environ.get("MOTCUA_FEEDBACK_REJECT_DAYS", "2"))
MOTCUA_FEEDBACK_INFO_DAYS = int(os.environ.get("MOTCUA_FEEDBACK_INFO_DAYS", "5"))
MOTCUA_FEEDBACK_HANDLE_DAYS = int(os.environ.get("MOTCUA_FEEDBACK_HANDLE_DAYS", "15"))
MOTCUA_FEEDBACK_PUBLISH_DAYS = int(os.environ.get("MOTCUA_FEEDBACK_PUBLISH_DAYS", "2"))
MOTCUA_FEEDBACK_DAY_UNIT = os.environ.get("MOTCUA_FEEDBACK_DAY_UNIT", "working_days")
# Anti-abuse of the public form: submissions per client address per window.
MOTCUA_FEEDBACK_MAX_SUBMISSIONS = int(os.environ.get("MOTCUA_FEEDBACK_MAX_SUBMISSIONS", "5"))
MOTCUA_FEEDBACK_WINDOW_SECONDS = int(os.environ.get("MOTCUA_FEEDBACK_WINDOW_SECONDS", "3600"))
