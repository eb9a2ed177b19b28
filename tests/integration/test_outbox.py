"""`flask outbox send`: delivers due e-mail over SMTP, keeps what fails queued with a growing
delay, never sends a message twice; `flask outbox status` counts them.

The mail server is a small real SMTP server on a free loopback port (FakeSmtpServer below).
"""

import socket
import socketserver
import threading
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.auth.models import Role
from app.extensions import db
from app.models import utcnow
from app.notifications import services
from app.notifications.mailer import MailConfigError, MailSettings, build_email
from app.notifications.models import OutboxMessage
from app.notifications.services import backoff, notify
from tests.factories import SchoolFactory, user_with_role

# --- a minimal SMTP server -------------------------------------------------------------------


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Enough of RFC 5321 for smtplib: EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def handle(self):
        server = self.server
        with server.lock:
            server.connections += 1
        self._reply("220 fake.smtp.test ESMTP")
        envelope = {}
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                self._reply("250-fake.smtp.test", "250 8BITMIME")
            elif verb == "HELO" or verb in ("RSET", "NOOP"):
                envelope = {} if verb == "RSET" else envelope
                self._reply("250 OK")
            elif verb == "MAIL":
                envelope = {"from": command[10:].strip("<> "), "to": []}
                self._reply("250 OK")
            elif verb == "RCPT":
                address = command[8:].strip("<> ")
                if address in server.refuse:
                    self._reply("550 5.1.1 Mailbox unavailable")
                else:
                    envelope["to"].append(address)
                    self._reply("250 OK")
            elif verb == "DATA":
                self._data(envelope)
                envelope = {}
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply("502 Command not implemented")

    def _data(self, envelope):
        self._reply("354 End data with <CR><LF>.<CR><LF>")
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        if self.server.data_reply:
            self._reply(self.server.data_reply)
            return
        with self.server.lock:
            self.server.received.append(
                (envelope["from"], envelope["to"],
                 message_from_bytes(b"".join(lines), policy=default_policy)))
        self._reply("250 OK: queued")

    def _reply(self, *lines):
        self.wfile.write("".join(f"{line}\r\n" for line in lines).encode())


class FakeSmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.lock = threading.Lock()
        self.received = []  # (envelope sender, recipients, parsed message)
        self.connections = 0
        self.refuse: set[str] = set()  # recipients answered with 550
        self.data_reply: str | None = None  # e.g. "451 try later": DATA refused

    @property
    def port(self) -> int:
        return self.server_address[1]

    def recipients(self) -> list[str]:
        return [to for _, tos, _ in self.received for to in tos]


@pytest.fixture
def smtp(app, monkeypatch):
    server = FakeSmtpServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    _point_at(app, monkeypatch, server.port)
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def _point_at(app, monkeypatch, port, **extra):
    settings = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_USE_TLS": False,
                "MAIL_USERNAME": None, "MAIL_PASSWORD": None, "MAIL_TIMEOUT": 2,
                "MAIL_FROM": "Schakel <noreply@schakel.test>", "MAIL_ENABLED": True, **extra}
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)


def _closed_port() -> int:
    """A loopback port nobody listens on: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def user():
    return user_with_role(Role.school_staff, SchoolFactory(), email="ib@school.test")


def _queue(user, count=1):
    """Queue `count` e-mails for `user`; returns the ids of their *outbox messages*, oldest
    first. Not the notifications' ids: the two tables have their own id sequences, and on
    PostgreSQL a sequence is not rolled back with a test, so they drift apart."""
    notes = [notify(user, "new_referral", f"Er is een nieuwe verwijzing voor u ({n}).")
             for n in range(count)]
    db.session.commit()
    by_note = dict(db.session.execute(
        sa.select(OutboxMessage.notification_id, OutboxMessage.id)
        .where(OutboxMessage.notification_id.in_([n.id for n in notes]))).all())
    return [by_note[n.id] for n in notes]


def _messages():
    db.session.expire_all()
    return db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def _send(runner, *args):
    result = runner.invoke(args=["outbox", "send", *args])
    assert result.exit_code == 0, result.output
    return result


# --- delivery --------------------------------------------------------------------------------


def test_send_delivers_due_messages_over_smtp_and_marks_them_sent(runner, smtp, user):
    _queue(user, 2)
    result = _send(runner)
    assert "Outbox: 2 verstuurd, 0 mislukt." in result.output
    assert smtp.recipients() == ["ib@school.test", "ib@school.test"]
    sender, _, email = smtp.received[0]
    assert sender == "noreply@schakel.test"
    assert email["To"] == "ib@school.test" and email["From"] == "Schakel <noreply@schakel.test>"
    assert email["Subject"] == services.SUBJECT
    assert email["Auto-Submitted"] == "auto-generated"
    assert "Er is een nieuwe verwijzing voor u (0)." in email.get_content()
    assert all(m.sent_at is not None and m.attempts == 0 for m in _messages())


def test_one_smtp_connection_per_run(runner, smtp, user):
    _queue(user, 3)
    _send(runner)
    assert smtp.connections == 1 and len(smtp.received) == 3


def test_no_connection_when_nothing_is_due(runner, smtp, user):
    _queue(user)
    _send(runner)
    result = _send(runner)
    assert "Outbox: 0 verstuurd, 0 mislukt." in result.output
    assert smtp.connections == 1


def test_running_twice_sends_nothing_twice(runner, smtp, user):
    _queue(user, 2)
    _send(runner)
    _send(runner)
    assert len(smtp.received) == 2


def test_limit_sends_the_oldest_first_and_leaves_the_rest_due(runner, smtp, user):
    ids = _queue(user, 3)
    assert "Outbox: 2 verstuurd" in _send(runner, "--limit", "2").output
    sent = [m.id for m in _messages() if m.sent_at is not None]
    assert sent == ids[:2]
    assert "Outbox: 1 verstuurd" in _send(runner).output


def test_a_message_not_yet_due_waits(runner, smtp, user):
    _queue(user)
    message = _messages()[0]
    message.next_attempt_at = utcnow() + timedelta(minutes=5)
    db.session.commit()
    _send(runner)
    assert smtp.received == [] and _messages()[0].sent_at is None


def test_message_ids_are_stable_over_retries(user, app):
    _queue(user)
    message = _messages()[0]
    settings = MailSettings.from_config(app.config)
    first, again = build_email(message, settings), build_email(message, settings)
    assert first["Message-ID"] == again["Message-ID"]
    assert f".{message.id}." in first["Message-ID"]


# --- failure and retry -----------------------------------------------------------------------


def test_server_down_keeps_the_message_queued_then_delivers_it_later(
        runner, app, monkeypatch, user):
    _queue(user)
    _point_at(app, monkeypatch, _closed_port())
    before = utcnow()
    result = _send(runner)
    assert "Outbox: 0 verstuurd, 1 mislukt." in result.output
    assert "Verbinding geweigerd door 127.0.0.1" in result.output
    (message,) = _messages()
    assert message.sent_at is None and message.attempts == 1
    assert "Verbinding geweigerd" in message.last_error
    assert message.next_attempt_at >= before + timedelta(minutes=1)

    # a run within the backoff does not try again
    _send(runner)
    assert _messages()[0].attempts == 1

    # the server is back and the delay has passed: delivered, nothing lost
    server = FakeSmtpServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        _point_at(app, monkeypatch, server.port)
        message = _messages()[0]
        message.next_attempt_at = utcnow()
        db.session.commit()
        assert "Outbox: 1 verstuurd, 0 mislukt." in _send(runner).output
        assert server.recipients() == ["ib@school.test"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    (message,) = _messages()
    assert message.sent_at is not None and message.attempts == 1


def test_a_server_that_does_not_answer_times_out(runner, app, monkeypatch, user):
    _queue(user)
    with socket.socket() as silent:  # accepts connections (backlog), never says hello
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        _point_at(app, monkeypatch, silent.getsockname()[1], MAIL_TIMEOUT=0.3)
        result = _send(runner)
    assert "1 mislukt" in result.output
    (message,) = _messages()
    assert message.attempts == 1 and message.sent_at is None
    assert message.last_error.startswith("Time-out")


def test_an_smtp_error_fails_that_message_only(runner, smtp, user):
    other = user_with_role(Role.school_staff, SchoolFactory(), email="weg@school.test")
    _queue(user)
    _queue(other)
    smtp.refuse.add("weg@school.test")
    result = _send(runner)
    assert "Outbox: 1 verstuurd, 1 mislukt." in result.output
    delivered, refused = _messages()
    assert delivered.sent_at is not None
    assert refused.sent_at is None and refused.attempts == 1
    assert refused.last_error == "Ontvanger geweigerd door de mailserver (SMTP 550)"
    assert smtp.connections == 1


def test_a_temporary_refusal_is_retried_with_a_growing_delay(runner, smtp, user):
    _queue(user)
    smtp.data_reply = "451 4.3.0 Try again later"
    delays = []
    for attempt in (1, 2, 3):
        started = utcnow()
        _send(runner)
        (message,) = _messages()
        assert message.attempts == attempt
        assert message.last_error == "SMTP 451: 4.3.0 Try again later"
        delays.append(message.next_attempt_at - started)
        message.next_attempt_at = utcnow()  # as if the delay has passed
        db.session.commit()
    assert [round(d.total_seconds() / 60) for d in delays] == [1, 2, 4]
    smtp.data_reply = None
    _send(runner)
    (message,) = _messages()
    assert message.sent_at is not None and message.attempts == 3


def test_backoff_doubles_and_is_capped():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert backoff(9) == timedelta(hours=4, minutes=16)
    assert backoff(10) == backoff(500) == timedelta(hours=6)


def test_the_last_error_holds_no_password(runner, app, monkeypatch, smtp, user):
    _queue(user)
    # the fake server offers no AUTH: the login fails, and the reason must not carry secrets
    monkeypatch.setitem(app.config, "MAIL_USERNAME", "schakel")
    monkeypatch.setitem(app.config, "MAIL_PASSWORD", "geheim-wachtwoord-123")
    result = _send(runner)
    (message,) = _messages()
    assert message.attempts == 1
    assert "geheim-wachtwoord-123" not in message.last_error + result.output


def test_a_password_over_an_unencrypted_connection_is_refused(runner, app, monkeypatch, user):
    _queue(user)
    _point_at(app, monkeypatch, 25, MAIL_SERVER="smtp.example.org", MAIL_USERNAME="schakel",
              MAIL_PASSWORD="x")
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 1
    assert "MAIL_USE_TLS" in result.output
    (message,) = _messages()
    assert message.attempts == 0 and message.next_attempt_at <= utcnow()  # not even claimed


def test_a_failing_message_is_never_given_up(runner, app, monkeypatch, user):
    _queue(user)
    _point_at(app, monkeypatch, _closed_port())
    for _ in range(3):
        _send(runner)
        message = _messages()[0]
        message.next_attempt_at = utcnow()
        db.session.commit()
    assert len(_messages()) == 1 and _messages()[0].attempts == 3


def test_purge_deletes_sent_messages_after_the_retention_and_keeps_unsent_ones(
        runner, smtp, app, monkeypatch, user):
    old, recent = _queue(user, 2)
    _send(runner)
    waiting, = _queue(user, 1)
    failing, = _queue(user, 1)
    _point_at(app, monkeypatch, _closed_port())
    _send(runner)
    for message in _messages():  # everything happened long ago, except one delivery
        message.created_at -= timedelta(days=90)
        if message.id == old:
            message.sent_at -= timedelta(days=31)
        elif message.id == recent:
            message.sent_at -= timedelta(days=29)
    db.session.commit()

    result = runner.invoke(args=["outbox", "purge", "--days", "30"])

    assert result.exit_code == 0, result.output
    assert "1 verstuurde berichten van meer dan 30 dagen geleden verwijderd" in result.output
    assert [m.id for m in _messages()] == [recent, waiting, failing]


def test_purge_refuses_a_retention_of_zero_days(runner, user):
    _queue(user)
    result = runner.invoke(args=["outbox", "purge", "--days", "0"])
    assert result.exit_code != 0 and len(_messages()) == 1


# --- claiming --------------------------------------------------------------------------------


def test_a_claimed_message_is_not_due_for_another_run(user):
    ids = _queue(user, 3)
    first = services.claim_due(limit=2)
    second = services.claim_due(limit=10)
    third = services.claim_due(limit=10)
    assert first == ids[:2] and second == ids[2:] and third == []


def test_a_run_that_takes_too_long_hands_the_rest_back(runner, smtp, user, monkeypatch):
    _queue(user, 3)
    clock = iter([0.0, 0.0, services.CLAIM_LEASE.total_seconds()])
    monkeypatch.setattr(services, "_clock", lambda: next(clock))
    assert "Outbox: 1 verstuurd, 0 mislukt, 2 naar de volgende ronde." in _send(runner).output
    assert [m.sent_at is not None for m in _messages()] == [True, False, False]
    assert all(m.next_attempt_at <= utcnow() for m in _messages()[1:])


# --- status ----------------------------------------------------------------------------------


def test_status_counts_pending_failed_and_sent(runner, smtp, app, monkeypatch, user):
    _queue(user, 2)
    _send(runner)
    _queue(user, 1)
    _point_at(app, monkeypatch, _closed_port())
    _send(runner)
    _queue(user, 1)
    result = runner.invoke(args=["outbox", "status"])
    assert result.exit_code == 0, result.output
    assert "Outbox: 1 wachtend, 1 mislukt (volgt nieuwe poging), 2 verstuurd." in result.output
    assert "Oudste onverstuurde bericht:" in result.output


def test_status_of_an_empty_outbox(runner):
    result = runner.invoke(args=["outbox", "status"])
    assert "Outbox: 0 wachtend, 0 mislukt (volgt nieuwe poging), 0 verstuurd." in result.output


def test_a_bad_sender_address_is_a_configuration_error(app):
    config = dict(app.config, MAIL_FROM="geen adres")
    with pytest.raises(MailConfigError):
        MailSettings.from_config(config)


# --- two runs at the same time ---------------------------------------------------------------


@pytest.fixture
def live_app(app, tmp_path):
    """An app on a database of its own, outside the per-test transaction, so two runs in two
    threads really commit: SQLite (a file) or, when the suite runs on it, PostgreSQL."""
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    admin = None
    if url.get_backend_name() == "postgresql":
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text("DROP DATABASE IF EXISTS schakel_outbox"))
            conn.execute(sa.text("CREATE DATABASE schakel_outbox"))
        live_url = url.set(database="schakel_outbox").render_as_string(hide_password=False)
    else:
        live_url = f"sqlite:///{tmp_path / 'outbox.db'}"
    live = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": live_url,
                       "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with live.app_context():
        upgrade()
    yield live
    with live.app_context():
        db.engine.dispose()
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(sa.text("DROP DATABASE schakel_outbox"))
        admin.dispose()


def test_two_runs_at_the_same_time_never_send_a_message_twice(live_app, monkeypatch):
    server = FakeSmtpServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    _point_at(live_app, monkeypatch, server.port)
    with live_app.app_context():
        db.session.add_all(OutboxMessage(to_address=f"ontvanger{n}@school.test",
                                         subject="Schakel", body="Er staat iets klaar.")
                           for n in range(40))
        db.session.commit()
    start = threading.Barrier(3, timeout=10)
    reports, errors = [], []

    def run():
        with live_app.app_context():
            start.wait()
            try:
                while (report := services.send_due(limit=5)).sent:
                    reports.append(report)
            except Exception as exc:  # reported below, not swallowed
                errors.append(exc)

    runs = [threading.Thread(target=run) for _ in range(3)]
    try:
        for t in runs:
            t.start()
        for t in runs:
            t.join(60)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert errors == []
    delivered = server.recipients()
    assert sorted(delivered) == sorted(f"ontvanger{n}@school.test" for n in range(40))
    assert sum(r.sent for r in reports) == 40
    with live_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.sent_at.is_(None))) == 0
