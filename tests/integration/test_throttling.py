"""Login throttling (ASVS 2.2.1): per account across addresses, per address across accounts,
on the password and the code step; only failures count; the answer never tells who exists."""

import socket
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.audit.models import AuditEvent
from app.auth.models import Role
from app.extensions import db, limiter
from tests.conftest import PASSWORD, text_of, totp_code, wrong_code
from tests.factories import SchoolFactory, user_with_role

TOO_MANY = "Te veel pogingen"
WRONG = "niet mijn wachtwoord"  # noqa: S105


@pytest.fixture
def low_limits(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMITS_ACCOUNT", "3/minute;5/hour")
    monkeypatch.setitem(app.config, "LOGIN_LIMITS_ADDRESS", "4/minute")


@pytest.fixture
def ib():
    return user_with_role(Role.school_staff, SchoolFactory(), email="ilse@school.example")


def _attempt(client, email, password=WRONG, address="10.0.0.1"):
    return client.post("/auth/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _throttled_rows():
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "throttled")
                              .order_by(AuditEvent.seq)).all()


def test_an_account_is_throttled_after_n_failures_from_any_address(ib, client, low_limits):
    codes = [_attempt(client, ib.email, address=f"10.0.0.{i}").status_code for i in range(3)]
    assert codes == [401, 401, 401]

    response = _attempt(client, ib.email, address="10.0.0.99")

    assert response.status_code == 429
    assert TOO_MANY in text_of(response) and "Wacht een paar minuten" in text_of(response)
    # even the right password waits: the guesser cannot tell it was right
    assert _attempt(client, ib.email, PASSWORD, address="10.0.0.100").status_code == 429
    [row, *_] = _throttled_rows()
    assert (row.user_id, row.outcome, row.source_ip) == (ib.id, "denied", "10.0.0.99")
    assert row.detail.startswith("auth.login: 3 per 1 minute")
    # another account from the same addresses is still fine
    assert _attempt(client, "iemand@school.example", address="10.0.0.1").status_code == 401


def test_an_address_is_throttled_after_n_failures_on_any_account(ib, client, low_limits):
    for i in range(4):
        assert _attempt(client, f"gok{i}@school.example").status_code == 401

    assert _attempt(client, ib.email, PASSWORD).status_code == 429
    assert _attempt(client, ib.email, PASSWORD, address="10.0.0.2").status_code == 302


def test_a_known_and_an_unknown_address_are_throttled_alike(ib, client, app, low_limits):
    other = app.test_client()
    for _ in range(3):
        _attempt(client, ib.email, address="10.0.1.1")
        _attempt(other, "niemand@school.example", address="10.0.2.1")
    known = _attempt(client, ib.email, address="10.0.1.2")
    unknown = _attempt(other, "niemand@school.example", address="10.0.2.2")

    assert known.status_code == unknown.status_code == 429
    assert text_of(known) == text_of(unknown)
    assert [r.user_id for r in _throttled_rows()] == [ib.id, None]
    assert all("niemand" not in (r.detail or "") for r in _throttled_rows())


def test_the_account_key_is_the_normalised_address(ib, client, low_limits):
    for email in ("ILSE@school.example", " ilse@SCHOOL.example", "ilse@school.example"):
        _attempt(client, email, address="10.0.3.1")
    assert _attempt(client, "Ilse@School.Example", address="10.0.3.2").status_code == 429


def test_successful_logins_do_not_count(app, low_limits):
    school = SchoolFactory()
    for _ in range(6):  # a school behind one address, all at 8:30
        user = user_with_role(Role.school_staff, school)
        assert _attempt(app.test_client(), user.email, PASSWORD).status_code == 302


def test_the_code_step_is_throttled_per_account(ib, app, low_limits):
    client = app.test_client()
    _attempt(client, ib.email, PASSWORD)
    for _ in range(3):
        assert client.post("/auth/code", data={"code": wrong_code(ib)}).status_code == 401
    response = client.post("/auth/code", data={"code": totp_code(ib)})
    assert response.status_code == 429 and TOO_MANY in text_of(response)
    [row] = _throttled_rows()
    assert row.user_id == ib.id and row.detail.startswith("auth.code:")
    assert client.get("/cases/").status_code == 302


def test_the_code_step_is_throttled_per_address_across_accounts(app, low_limits):
    school = SchoolFactory()
    for _ in range(4):
        user = user_with_role(Role.school_staff, school)
        client = app.test_client()
        _attempt(client, user.email, PASSWORD)
        client.post("/auth/code", data={"code": wrong_code(user)},
                    environ_base={"REMOTE_ADDR": "10.0.0.1"})
    user = user_with_role(Role.school_staff, school)
    client = app.test_client()
    _attempt(client, user.email, PASSWORD)
    response = client.post("/auth/code", data={"code": totp_code(user)},
                           environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert response.status_code == 429


def test_the_login_page_itself_is_never_throttled(client, low_limits):
    for _ in range(10):
        _attempt(client, "niemand@school.example")
    assert client.get("/auth/login", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200


def test_the_default_limits(app):
    assert app.config["LOGIN_LIMITS_ACCOUNT"] == "5/minute;20/hour"
    assert app.config["LOGIN_LIMITS_ADDRESS"] == "30/minute"
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


# --- Redis, as in production with several workers ---------------------------------------------


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_app(app, tmp_path):
    """An app whose limiter counts in Redis; the shared limiter goes back to memory after."""
    if not _redis_answers():
        pytest.skip("no Redis on 127.0.0.1:6379")
    pytest.importorskip("redis")
    redis_app = create_app({
        "TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'redis.db'}",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
        "LOGIN_LIMITS_ACCOUNT": "2/minute", "LOGIN_LIMITS_ADDRESS": "100/minute",
    })
    with redis_app.app_context():
        upgrade()
    yield redis_app
    with redis_app.app_context():
        db.engine.dispose()
    limiter.init_app(app)


def test_limits_are_counted_in_redis(redis_app):
    from limits.storage import RedisStorage

    assert isinstance(limiter.storage, RedisStorage)
    email = f"{uuid.uuid4().hex}@school.example"  # a key no other run has used
    client = redis_app.test_client()
    codes = [_attempt(client, email).status_code for _ in range(3)]
    assert codes[:2] == [401, 401] and codes[2] == 429
