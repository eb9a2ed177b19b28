"""Writing the access log: one hash-chained AuditEvent per view, search, change and refusal.

Change rows go into the caller's transaction (a rolled-back change leaves no false entry).
Read, search, refusal and login rows are committed on their own, so they are kept even when
the request fails afterwards.
"""

import hashlib
import json
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlalchemy.orm  # noqa: F401  (sa.orm.Session for the event hooks)
from flask import g, has_request_context, request
from flask_login import current_user

from app.audit.models import AuditChainHead, AuditEvent
from app.auth.permissions import Access
from app.extensions import db
from app.models import utcnow

GENESIS = "0" * 64
CHAIN_LOCK = "audit_chain_locked"


def _plain(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def row_hash(values: dict) -> str:
    payload = {key: _plain(values.get(key)) for key in AuditEvent.HASHED}
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _append(conn: sa.Connection, values: dict) -> None:
    """Insert one chained row; the head row is locked so concurrent writers queue up."""
    head_table = AuditChainHead.__table__
    head = conn.execute(
        sa.select(head_table.c.last_seq, head_table.c.last_hash)
        .where(head_table.c.id == 1).with_for_update()
    ).one()
    values["seq"] = head.last_seq + 1
    values["prev_hash"] = head.last_hash
    values["row_hash"] = row_hash(values)
    conn.execute(sa.insert(AuditEvent.__table__).values(**values))
    conn.execute(
        sa.update(head_table).where(head_table.c.id == 1)
        .values(last_seq=values["seq"], last_hash=values["row_hash"])
    )


def _context_values(case, access: Access | None, user) -> dict:
    values = {"at": utcnow(), "emergency": False, "outcome": "ok"}
    if has_request_context():
        agent = request.headers.get("User-Agent", "")
        values.update(
            request_id=getattr(g, "request_id", None),
            source_ip=(request.remote_addr or "")[:45] or None,
            user_agent_hash=hashlib.sha256(agent.encode()).hexdigest()[:16] if agent else None,
        )
        if user is None and current_user.is_authenticated:
            user = current_user
    if user is not None:
        values["user_id"] = user.id
    if access is not None:
        values.update(authorisation=access.rule, role=access.role,
                      organisation=(access.organisation or "")[:160] or None)
    if case is not None:
        values.update(case_id=case.id, subject_ref=subject_ref(case))
    return values


def subject_ref(case) -> str:
    """The pupil as the log names it: school BRIN and the school-local reference, never a name."""
    return f"{case.school.brin}/{case.pupil.reference}"[:64]


def record_change(action: str, case=None, access: Access | None = None, *, fields=(),
                  object_type=None, object_id=None, detail=None, user=None) -> None:
    """Log a change in the caller's transaction: it commits or rolls back with the change."""
    values = _context_values(case, access, user)
    values.update(action=action[:48], fields=",".join(fields)[:400] or None,
                  object_type=object_type, object_id=object_id, detail=_short(detail))
    _append(db.session.connection(), values)
    db.session.info[CHAIN_LOCK] = True


def record_access(action: str, case=None, access: Access | None = None, *, outcome="ok",
                  detail=None, user=None, object_type=None, object_id=None) -> None:
    """Log a read, search, refusal or login on its own, so the row survives a failing request."""
    values = _context_values(case, access, user)
    values.update(action=action[:48], outcome=outcome, detail=_short(detail),
                  object_type=object_type, object_id=object_id)
    with _independent_connection() as conn:
        _append(conn, values)
    if outcome == "denied" and has_request_context():
        g.denial_logged = True


def record_refusal_once() -> None:
    """For the 403 handler: log a refusal that the view did not log itself."""
    if not g.get("denial_logged"):
        record_access("denied", outcome="denied", detail=f"{request.method} {request.endpoint}")


def _short(text):
    return (text or "")[:200] or None


@contextmanager
def _independent_connection():
    bind = db.engines[None]
    session = db.session()
    # In the test harness everything runs on one outer connection; in production a second
    # connection would wait on this request's own write lock (SQLite IMMEDIATE, or the chain
    # head held by a change in this transaction). Then write with the request and commit at
    # once when nothing else is pending (a refusal or read happens before any change).
    if isinstance(bind, sa.Connection) or (
        session.in_transaction() and _session_blocks_others(session)
    ):
        yield session.connection()
        if not (session.new or session.dirty or session.deleted):
            session.commit()
        return
    with bind.connect() as conn:
        conn.info["begin_immediate"] = True
        with conn.begin():
            yield conn


def _session_blocks_others(session) -> bool:
    if session.info.get(CHAIN_LOCK):
        return True
    return bool(session.connection().info.get("immediate"))


@sa.event.listens_for(sa.orm.Session, "after_commit")
@sa.event.listens_for(sa.orm.Session, "after_rollback")
def _release_chain_flag(session) -> None:
    session.info.pop(CHAIN_LOCK, None)
