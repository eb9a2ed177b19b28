"""Configuration from the environment; tests pass a dict of overrides to create_app()."""

import os
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
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the session lifetime bounds the token instead
    MAX_CONTENT_LENGTH = 1 * 1024 * 1024
