"""The in-app inbox and the transactional e-mail outbox.

A notification and its e-mail are written in the transaction of the change that causes them:
both exist exactly when the change does. `flask outbox send` delivers the e-mail later; a mail
server that is down leaves the message queued, never lost. Texts are content-free: they say
*that* something needs attention, never what is going on with the child.
"""

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models import UTCDateTime, utcnow

# Every kind of notification, with the Dutch label the inbox shows. A part of the journey that
# sends a new kind adds it here; an unknown kind shows as DEFAULT_KIND_LABEL.
KIND_LABELS = {
    "new_referral": "Nieuwe verwijzing",
    "referral_answer": "Antwoord op uw verwijzing",
    "mdo_invitation": "Uitnodiging voor een MDO",
    "action_assigned": "Nieuwe actie uit een MDO",
    "action_due": "Actie uit een MDO bijna of over de datum",
    "handover_request": "Verzoek om casusregie over te nemen",
    "handover_answer": "Antwoord op overdracht van casusregie",
    "handover_withdrawn": "Verzoek om casusregie ingetrokken",
    "evaluation_due": "Evaluatie van een arrangement komt eraan",
    "evaluation_decision": "Besluit na een evaluatie",
    "escalation": "Escalatie",
}
DEFAULT_KIND_LABEL = "Bericht"


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, DEFAULT_KIND_LABEL)


class Notification(db.Model):
    __tablename__ = "notification"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("app_user.id"))
    # One of KIND_LABELS.
    kind: so.Mapped[str] = so.mapped_column(sa.String(32))
    case_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("pupil_case.id"), index=True)
    text: so.Mapped[str] = so.mapped_column(sa.String(300))
    # Where the user goes to act on it (an internal path, never with a pupil reference).
    link: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    read_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    user: so.Mapped["User"] = so.relationship()  # noqa: F821

    __table_args__ = (
        sa.Index("ix_notification_user_unread", "user_id", "read_at", "id"),
        # The inbox, newest first: read in index order however many a user has.
        sa.Index("ix_notification_user_inbox", "user_id", "created_at", "id"),
    )


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    notification_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("notification.id"))
    to_address: so.Mapped[str] = so.mapped_column(sa.String(254))
    subject: so.Mapped[str] = so.mapped_column(sa.String(200))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    next_attempt_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    notification: so.Mapped[Notification | None] = so.relationship()

    __table_args__ = (sa.Index("ix_outbox_message_pending", "sent_at", "next_attempt_at"),)
