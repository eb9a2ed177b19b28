"""Writing notifications (in the caller's transaction, never committed here), the inbox's
read marks, delivering the e-mail outbox and the daily reminders."""

import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.auth.models import User
from app.cases.models import Case
from app.extensions import db
from app.filters import AMSTERDAM, nl_date
from app.models import utcnow
from app.notifications import mailer, queries
from app.notifications.models import Notification, OutboxMessage

SUBJECT = "Schakel: er staat iets voor u klaar"


def notify(user, kind: str, text: str, *, case=None, link: str | None = None) -> Notification:
    """Put a content-free message in `user`'s inbox and queue its e-mail (when the user has an
    address and mail is configured). Commits with the caller's change."""
    notification = Notification(user_id=user.id, kind=kind, text=text[:300],
                                case_id=getattr(case, "id", None), link=link)
    db.session.add(notification)
    if user.email and current_app.config.get("MAIL_ENABLED", True):
        db.session.add(OutboxMessage(
            notification=notification, to_address=user.email, subject=SUBJECT,
            body=_body(text),
        ))
    return notification


def _body(text: str) -> str:
    base = current_app.config.get("PUBLIC_URL", "http://127.0.0.1:5000")
    return (f"{text}\n\nLog in op Schakel om te zien wat er van u gevraagd wordt: {base}/\n\n"
            "Dit bericht bevat bewust geen gegevens over de leerling.\n")


# --- inbox -----------------------------------------------------------------------------------


def mark_read(user, notification_id: int) -> Notification | None:
    """Mark one of the user's own notifications read (the first read time stays) and return it;
    None when it is not theirs."""
    # Opening is a GET: on SQLite its transaction is deferred and has read already (the login),
    # and a transaction that read before it writes cannot wait for the write lock. So end it,
    # and let the UPDATE start the next one (the user's id is read before: the commit expires it).
    user_id = user.id
    db.session.commit()
    db.session.execute(
        sa.update(Notification)
        .where(Notification.id == notification_id, Notification.user_id == user_id,
               Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
    return db.session.scalar(sa.select(Notification).where(
        Notification.id == notification_id, Notification.user_id == user_id))


def mark_all_read(user) -> int:
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
    return result.rowcount


# --- outbox ----------------------------------------------------------------------------------

# A claimed message is not due for this long, so a concurrent run skips it. A run stops sending
# after half of it, so a claim never runs out while its run is still busy.
CLAIM_LEASE = timedelta(hours=1)
MAX_BACKOFF = timedelta(hours=6)
_clock = time.monotonic  # the run's stopwatch (tests replace it)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the first, second, third … failure, at most MAX_BACKOFF."""
    return min(timedelta(minutes=2 ** min(attempts - 1, 16)), MAX_BACKOFF)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)  # (message id, reason)
    released: int = 0  # claimed but left for the next run (the run took too long)


def claim_due(limit: int) -> list[int]:
    """Claim up to `limit` due messages for this run, committed at once.

    The claim moves next_attempt_at past the lease, so no other run finds the rows due. On
    PostgreSQL FOR UPDATE SKIP LOCKED lets a concurrent run pass over rows being claimed; on
    SQLite the command's transaction is BEGIN IMMEDIATE, which serialises the claims.
    """
    now = utcnow()
    ids = db.session.scalars(
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if ids:
        db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                           .values(next_attempt_at=now + CLAIM_LEASE))
    db.session.commit()
    return list(ids)


def send_due(limit: int = 100) -> DeliveryReport:
    """Deliver due messages over one SMTP connection. A sent message gets sent_at; a failed one
    another attempt later (backoff); a failing one is never given up. Raises MailConfigError before
    claiming anything when the settings are unusable."""
    settings = mailer.MailSettings.from_config(current_app.config)
    report = DeliveryReport()
    ids = claim_due(limit)
    if not ids:
        return report
    try:
        connection = mailer.connect(settings)
    except mailer.MAIL_ERRORS as exc:
        for message_id in ids:
            _failed(db.session.get(OutboxMessage, message_id), exc, settings, report)
        db.session.commit()
        return report
    deadline = _clock() + CLAIM_LEASE.total_seconds() / 2
    with connection:
        for position, message_id in enumerate(ids):
            if _clock() > deadline:
                report.released = _release(ids[position:])
                break
            _attempt(connection, db.session.get(OutboxMessage, message_id), settings, report)
    return report


def _attempt(connection, message: OutboxMessage, settings, report: DeliveryReport) -> None:
    try:
        connection.send(message)
    except mailer.MAIL_ERRORS as exc:
        _failed(message, exc, settings, report)
    else:
        message.sent_at = utcnow()
        report.sent += 1
    # Each outcome is committed at once: a crash later in the run must not send this one again.
    db.session.commit()


def _failed(message: OutboxMessage, exc, settings, report: DeliveryReport) -> None:
    message.attempts += 1
    message.last_error = mailer.describe(exc, settings)
    message.next_attempt_at = utcnow() + backoff(message.attempts)
    report.failed.append((message.id, message.last_error))


def purge_sent(older_than_days: int) -> int:
    """Delete sent messages whose delivery is more than `older_than_days` ago: the e-mail
    address of a professional has no use once the message went out (AVG data minimisation).
    Unsent messages stay, whatever their age: they still have to go. Commits."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    deleted = db.session.execute(sa.delete(OutboxMessage).where(
        OutboxMessage.sent_at.isnot(None), OutboxMessage.sent_at < cutoff)).rowcount
    db.session.commit()
    return deleted


def _release(ids: list[int]) -> int:
    db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                       .values(next_attempt_at=utcnow()))
    db.session.commit()
    return len(ids)


# --- reminders -------------------------------------------------------------------------------

ACTION_HORIZON = timedelta(days=2)
EVALUATION_HORIZON = timedelta(days=7)
# Any constant: PostgreSQL's advisory lock that keeps two reminder runs from overlapping.
REMINDER_LOCK = 4_000_001


@dataclass
class ReminderReport:
    actions: int = 0
    evaluations: int = 0


def local_today() -> date:
    return datetime.now(AMSTERDAM).date()


def remind(today: date | None = None) -> ReminderReport:
    """Remind owners of MDO actions due within two days (or overdue) and regie holders of
    evaluations due within a week (or passed). Idempotent per day: whoever got this reminder
    about this case today gets no second one. One commit."""
    today = today or local_today()
    since = datetime.combine(today, datetime.min.time(), AMSTERDAM).astimezone(UTC)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(REMINDER_LOCK)))
    actions = queries.due_actions(today + ACTION_HORIZON, since)
    evaluations = queries.due_evaluations(today + EVALUATION_HORIZON, since)
    users = _by_id(User, {a.owner_id for a in actions} | {e.user_id for e in evaluations})
    cases = _by_id(Case, {a.case_id for a in actions} | {e.case_id for e in evaluations})
    for row in actions:
        notify(users[row.owner_id], "action_due", _action_text(row, today),
               case=cases[row.case_id], link=case_link(row.case_id, "kop-mdo"))
    for row in evaluations:
        notify(users[row.user_id], "evaluation_due", _evaluation_text(row.due, today),
               case=cases[row.case_id], link=case_link(row.case_id, "kop-arrangement"))
    db.session.commit()
    return ReminderReport(actions=len(actions), evaluations=len(evaluations))


def _by_id(model, ids: set[int]) -> dict:
    if not ids:
        return {}
    return {obj.id: obj for obj in db.session.scalars(sa.select(model).where(model.id.in_(ids)))}


def case_link(case_id: int, section: str) -> str:
    """A section of the case page, also outside a request (the command runs from cron)."""
    adapter = current_app.url_map.bind("", script_name=current_app.config["APPLICATION_ROOT"])
    return f"{adapter.build('cases.detail', {'case_id': case_id})}#{section}"


def _action_text(row: queries.DueActions, today: date) -> str:
    when = nl_date(row.first_due)
    if row.count == 1:
        start = "Er staat een actie uit een MDO op uw naam die"
    else:
        start = f"Er staan {row.count} acties uit een MDO op uw naam; de eerste"
    if row.first_due < today:
        return f"{start} had op {when} klaar moeten zijn."
    return f"{start} moet uiterlijk {when} klaar zijn."


def _evaluation_text(due: date, today: date) -> str:
    when = nl_date(due)
    if due < today:
        return f"De evaluatie van een arrangement stond gepland op {when} en is nog niet gestart."
    return f"De evaluatie van een arrangement staat gepland op {when}."
