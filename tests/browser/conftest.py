"""A live Schakel on a free loopback port over self-signed TLS, and Debian's Chromium driven by
Playwright.

Browsers cannot be downloaded here: Playwright launches the system `chromium` (`make ci` installs
the Debian package when it is missing). Two live servers, each with a fresh database:

- `live_tls`, per test: an empty Schakel with one intern begeleider (the TLS form checks);
- `demo`, once per run: the demo region as `make run` loads it, so the journeys are clicked by
  the demo accounts of the README on full, realistic pages. What a journey needs beyond the demo
  it seeds itself through the services (`demo.seed`); days that must pass for a case are played
  by moving that case's recorded dates back (`demo.days_pass`), see there.
"""

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from app import create_app
from app.auth.models import Role, User
from app.demo.seed import seed_demo
from app.demo.world import DEMO_PASSWORD, PEOPLE
from app.extensions import db
from app.models import UTCDateTime
from tests.conftest import PASSWORD
from tests.factories import SchoolFactory, user_with_role

CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
DEMO = {person.key: person for person in PEOPLE}
# Records of the demo's people that are not about one case: they keep their dates.
NOT_CASE_RECORDS = {"audit_event", "notification", "outbox_message"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian chromium is not installed (make ci installs it)")
    return {**browser_type_launch_args, "executable_path": chromium, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The live server's certificate is self-signed, made for this run.
    return {**browser_context_args, "ignore_https_errors": True, "locale": "nl-NL",
            "timezone_id": "Europe/Amsterdam"}


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


def _tls_app(directory: Path, **config):
    """Schakel over HTTPS with CSRF on and Secure `__Host-` cookies: as production (what
    SCHAKEL_TLS=1 configures), on loopback, with a fresh database built by the migrations."""
    app = create_app({
        "SECRET_KEY": "browser-test", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'live.db'}",
        "SESSION_COOKIE_SECURE": True, "SESSION_COOKIE_NAME": "__Host-schakel", **config,
    })
    with app.app_context():
        upgrade()
    return app


@contextmanager
def _serving(app, directory: Path):
    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True,
                         ssl_context=_self_signed(directory))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


# --- an empty Schakel with one user, per test --------------------------------------------------


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
    app = _tls_app(tmp_path)
    with app.app_context():
        school = SchoolFactory(name="Basisschool De Wilg")
        ib = user_with_role(Role.school_staff, school, email="ib@wilg.example.org")
        ib_email, ib_totp_secret = ib.email, ib.totp_secret
        db.session.commit()
    with _serving(app, tmp_path) as url:
        yield Live(url, app, ib_email, ib_totp_secret)


# --- the demo region, once per run ---------------------------------------------------------------


@dataclass
class Demo:
    url: str
    app: object
    password: str = DEMO_PASSWORD
    sessions: dict = field(default_factory=dict)  # e-mail -> Playwright storage state

    def seed(self, make: Callable):
        """Run `make()` in the live app's context (services commit themselves); return what it
        returns, which should be plain values (ids, texts), not rows of this session."""
        with self.app.app_context():
            try:
                return make()
            finally:
                db.session.remove()

    def code(self, email: str) -> str:
        """A code the server has not accepted yet: a code is good once, so a second login within
        the same 30 seconds uses the next step's (accepted as clock drift), a third waits."""
        with self.app.app_context():
            secret, last = db.session.execute(
                sa.select(User.totp_secret, User.totp_last_step).where(User.email == email)
            ).one()
            db.session.remove()
        step = max(int(time.time()) // 30, (last or 0) + 1)
        wait = (step - 1) * 30 - time.time()
        if wait > 0:
            time.sleep(wait + 0.2)
        return pyotp.TOTP(secret).at(step * 30)

    def days_pass(self, case_id: int, days: int) -> None:
        """`days` go by for one case. The server's clock cannot be moved under a real browser,
        so the case's own records move instead: every date and moment stored on the case and on
        the rows that belong to it goes `days` back, exactly as they would stand after that
        many days. The audit trail, the inboxes and the outbox keep their real times."""
        delta = timedelta(days=days)
        with self.app.app_context():
            for table in db.metadata.sorted_tables:
                key = table.c.id if table.name == "pupil_case" else table.c.get("case_id")
                moments = [c for c in table.columns if isinstance(c.type, sa.Date | UTCDateTime)]
                if key is None or not moments or table.name in NOT_CASE_RECORDS:
                    continue
                rows = db.session.execute(sa.select(table.c.id, *moments).where(key == case_id))
                for row in rows.mappings().all():
                    db.session.execute(table.update().where(table.c.id == row["id"]).values({
                        c.name: row[c.name] - delta for c in moments if row[c.name] is not None
                    }))
            db.session.commit()
            db.session.remove()


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    directory = tmp_path_factory.mktemp("demo")
    app = _tls_app(directory, DEMO_MODE=True)
    with app.app_context():
        seed_demo()
        db.session.remove()
    with _serving(app, directory) as url:
        yield Demo(url, app)


def log_in(page: Page, demo: Demo, email: str) -> None:
    """The two login steps as a user takes them: password, then the code from the app."""
    page.goto(f"{demo.url}/auth/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(demo.password)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Code uit uw authenticator-app")).to_be_visible()
    page.get_by_label("Code uit uw authenticator-app").fill(demo.code(email))
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


@pytest.fixture
def open_as(demo, new_context):
    """open_as("coach_noord") -> a page logged in as that demo account. The first time per run
    through the login screens; after that the browser session is reused, as a user who stays
    logged in would."""

    def _open(key: str, width: int | None = None) -> Page:
        email = DEMO[key].email
        page = new_context(storage_state=demo.sessions.get(email)).new_page()
        if width:
            page.set_viewport_size({"width": width, "height": 800})
        if email not in demo.sessions:
            log_in(page, demo, email)
            demo.sessions[email] = page.context.storage_state()
        return page

    return _open
