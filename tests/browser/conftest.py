"""A live Schakel on a free loopback port, and Debian's Chromium driven by Playwright.

Browsers cannot be downloaded here: Playwright launches the system `chromium`
(`make ci` installs the Debian package when it is missing).
"""

import shutil
import socket
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from app.auth.models import Role
from app.extensions import db
from tests.conftest import PASSWORD
from tests.factories import SchoolFactory, user_with_role

CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian chromium is not installed (make ci installs it)")
    return {**browser_type_launch_args, "executable_path": chromium, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The live server's certificate is self-signed, made for this run.
    return {**browser_context_args, "ignore_https_errors": True, "locale": "nl-NL"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _self_signed(directory: Path) -> tuple[str, str]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    openssl = shutil.which("openssl") or pytest.skip("openssl is not installed")
    subprocess.run(  # noqa: S603 (fixed arguments, test only)
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return str(cert), str(key)


@dataclass
class Live:
    url: str
    app: object
    ib_email: str
    ib_totp_secret: str
    password: str = PASSWORD

    def code(self) -> str:
        return pyotp.TOTP(self.ib_totp_secret).now()


@pytest.fixture
def live_tls(tmp_path):
    """Schakel over HTTPS with CSRF on and Secure `__Host-` cookies: as production (what
    SCHAKEL_TLS=1 configures), on loopback."""
    app = create_app({
        "SECRET_KEY": "browser-test", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'live.db'}",
        "SESSION_COOKIE_SECURE": True, "SESSION_COOKIE_NAME": "__Host-schakel",
    })
    with app.app_context():
        upgrade()
        school = SchoolFactory(name="Basisschool De Wilg")
        ib = user_with_role(Role.school_staff, school, email="ib@wilg.example.org")
        ib_email, ib_totp_secret = ib.email, ib.totp_secret
        db.session.commit()
    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True,
                         ssl_context=_self_signed(tmp_path))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Live(f"https://127.0.0.1:{port}", app, ib_email, ib_totp_secret)
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()
