"""Configuration from the environment; tests pass a dict of overrides to create_app()."""

import os
from datetime import timedelta
from pathlib import Path

INSTANCE = Path(__file__).resolve().parent.parent / "instance"


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'schakel.db'}")
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _served_over_tls() -> bool:
    return os.environ.get("SCHAKEL_TLS") == "1" or os.environ.get("SCHAKEL_ENV") == "production"


class Config:
    # A development default; production refuses to start without a real one (see create_app).
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # Demo mode shows demo logins and allows `flask seed-demo`; never on in production.
    DEMO_MODE = os.environ.get("SCHAKEL_DEMO", "0") == "1"
    ENV_NAME = os.environ.get("SCHAKEL_ENV", "development")
    SQLITE_BUSY_TIMEOUT_MS = 5000
    # A hashing method name, not a secret.
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105  # nosec B105
    CASELOAD_PAGE_SIZE = 50
    # Sessions (ASVS 3.3.2, 3.4): a browser-session cookie, ended after 30 minutes without a
    # request or 12 hours after login, whichever comes first; never a remember-me cookie.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _served_over_tls()
    # `__Host-` binds the cookie to this host, over HTTPS, for the whole site (ASVS 3.4.4).
    SESSION_COOKIE_NAME = "__Host-schakel" if SESSION_COOKIE_SECURE else "session"
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
    REMEMBER_COOKIE_DURATION = timedelta(0)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # Between the password and the TOTP code: how long the "password ok" marker holds.
    LOGIN_STEP_TIMEOUT = timedelta(minutes=5)
    TOTP_ISSUER = "Schakel"
    # Failed attempts per submitted account and per client address, on every login step.
    LOGIN_LIMITS_ACCOUNT = "5/minute;20/hour"
    LOGIN_LIMITS_ADDRESS = "30/minute"
    # memory:// holds per process; use Redis when running more than one worker.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = False
    # Behind a load balancer or reverse proxy: how many proxies in front set X-Forwarded-For and
    # X-Forwarded-Proto. 0 (the default) ignores those headers, which a client can forge; set
    # it to the number of trusted proxies so the audit log and the login throttle see the
    # client's address instead of the proxy's.
    PROXY_HOPS = int(os.environ.get("SCHAKEL_PROXY_HOPS", "0"))
    WTF_CSRF_TIME_LIMIT = None  # the session lifetime bounds the token instead
    MAX_CONTENT_LENGTH = 1 * 1024 * 1024
    # E-mail: notify() queues a message in the outbox table; `flask outbox send` (cron) delivers
    # it over SMTP. MAIL_USE_TLS means STARTTLS; a username needs it (no password in clear text).
    MAIL_ENABLED = os.environ.get("MAIL_ENABLED", "1") == "1"
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_FROM = os.environ.get("MAIL_FROM", "Schakel <noreply@localhost>")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "10"))
    # The address in e-mails ("log in op …"); e-mails never link to a case.
    PUBLIC_URL = os.environ.get("SCHAKEL_PUBLIC_URL", "http://127.0.0.1:5000")
