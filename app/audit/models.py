"""The access log (NEN 7513): who did what to which case, when, from where, on what basis."""

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models import UTCDateTime, utcnow

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class AuditEvent(db.Model):
    """Append-only; hash-chained in `seq` order so a changed or removed row is detectable.

    `case_id` has no foreign key on purpose: the log outlives the case (retention anonymises
    cases, the log is kept at least five years). Never holds names or free text about a pupil:
    `subject_ref` is the pupil's school-local reference, `fields` lists field *names*.
    """

    __tablename__ = "audit_event"

    id: so.Mapped[int] = so.mapped_column(BigId, primary_key=True)
    seq: so.Mapped[int] = so.mapped_column(sa.BigInteger, unique=True)
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, index=True)
    request_id: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    action: so.Mapped[str] = so.mapped_column(sa.String(48))
    outcome: so.Mapped[str] = so.mapped_column(sa.String(8), default="ok")
    user_id: so.Mapped[int | None] = so.mapped_column(index=True)
    role: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    organisation: so.Mapped[str | None] = so.mapped_column(sa.String(160))
    on_behalf_of_user_id: so.Mapped[int | None]
    source_ip: so.Mapped[str | None] = so.mapped_column(sa.String(45))
    user_agent_hash: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    case_id: so.Mapped[int | None] = so.mapped_column(index=True)
    subject_ref: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    object_type: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    object_id: so.Mapped[int | None]
    fields: so.Mapped[str | None] = so.mapped_column(sa.String(400))
    authorisation: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    emergency: so.Mapped[bool] = so.mapped_column(default=False)
    detail: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    prev_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    row_hash: so.Mapped[str] = so.mapped_column(sa.String(64))

    # Everything the hash covers, in a fixed order.
    HASHED = ("seq", "at", "request_id", "action", "outcome", "user_id", "role", "organisation",
              "on_behalf_of_user_id", "source_ip", "user_agent_hash", "case_id", "subject_ref",
              "object_type", "object_id", "fields", "authorisation", "emergency", "detail",
              "prev_hash")


class AuditChainHead(db.Model):
    """One row: the last sequence number and hash. Locking it serialises writers of the chain."""

    __tablename__ = "audit_chain_head"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    last_seq: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    last_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
