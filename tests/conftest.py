"""Fixtures: one database per run (built by the migrations), each test in a rolled-back transaction.

Set TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test to run on PostgreSQL.
"""

import os
import re
import time
from contextlib import contextmanager
from unittest import mock

import pyotp
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade

from app import create_app
from app.auth.models import User
from app.extensions import db, limiter

PASSWORD = "correct horse battery staple"


class FreshContextClient(FlaskClient):
    """Every request gets its own app context, so `g` (and Flask-Login's cached user) never
    leaks from the test's context or between clients (research/security.md §0.5)."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast; production uses scrypt
        "DEMO_MODE": False,
    })
    app.test_client_class = FreshContextClient
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()  # the migrations build the schema: they are tested on every run
        db.engine.dispose()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _db_transaction(app):
    """Run the test in one outer transaction (app commits become SAVEPOINTs), then roll back."""
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        engines = db.engines
        with (
            mock.patch.dict(engines, {None: connection}),
            mock.patch.dict(db.session.session_factory.kw,
                            {"join_transaction_mode": "create_savepoint"}),
        ):
            db.session.remove()
            yield
            db.session.remove()
        transaction.rollback()
        connection.close()


@pytest.fixture(autouse=True)
def _fresh_limits():
    """Login throttling counts per address, and every test client is 127.0.0.1: start each
    test with no attempts counted. (Before any app exists, as for a unit test module run on
    its own, there is nothing to reset.)"""
    if limiter.initialized:
        limiter.reset()
    yield


@pytest.fixture
def session():
    return db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login(app):
    """login(user) -> a test client logged in as `user` through the real login steps:
    password, then a code from the user's TOTP secret (a fresh login)."""

    def _login(user, client=None):
        client = client or app.test_client()
        response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, "login failed at the password"
        response = client.post("/auth/code", data={"code": totp_code(user)})
        assert response.status_code == 302, "login failed at the code"
        return client

    return _login


def totp_code(user) -> str:
    """A code the server has not accepted yet. A code is good once, so a second login within
    the same 30 seconds uses the next step's code (accepted as clock drift)."""
    last = db.session.scalar(sa.select(User.totp_last_step).where(User.id == user.id))
    now = int(time.time()) // 30
    step = max(now, (last or 0) + 1)
    assert step <= now + 1, "log a user in at most twice within 30 seconds"
    return pyotp.TOTP(user.totp_secret).at(step * 30)


def wrong_code(user) -> str:
    """Six digits that are no valid code of `user` around now."""
    totp, now = pyotp.TOTP(user.totp_secret), int(time.time())
    valid = {totp.at(now + drift) for drift in range(-60, 61, 30)}
    return next(c for c in ("000000", "123456", "999999", "314159") if c not in valid)


def text_of(response) -> str:
    """The visible text of an HTML response, whitespace collapsed (for readable assertions)."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</?abbr\b[^>]*>", "", html)  # inline, as a browser reads "J&G-coach"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@contextmanager
def statements_run():
    """Every SQL statement sent while the block runs (SQLAlchemy's before_cursor_execute hook),
    in order: for tests that count queries or look at what a page reads."""
    seen: list[str] = []

    def note(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", note)


@contextmanager
def own_postgres_app(app, name: str, why: str):
    """An app on a PostgreSQL database of its own (`name`), outside the per-test transaction,
    so that writers in threads commit for real; skipped on SQLite (`why`)."""
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        pytest.skip(why)
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    live = create_app({"TESTING": True, "SECRET_KEY": "t",
                       "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                       "SQLALCHEMY_DATABASE_URI": url.set(database=name).render_as_string(
                           hide_password=False)})
    with live.app_context():
        upgrade()
    try:
        yield live
    finally:
        with live.app_context():
            db.engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE {name}"))
        admin.dispose()
