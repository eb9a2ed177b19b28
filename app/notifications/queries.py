"""Reads for the inbox, the header count, the outbox status and the due reminders."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from app.auth.models import User
from app.cases.models import Arrangement, Case, MdoAction
from app.cases.workflow import CaseState
from app.extensions import db
from app.notifications.models import Notification, OutboxMessage


def inbox_page(user, page: int, per_page: int):
    """The user's own notifications, newest first."""
    stmt = (sa.select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))
    return db.paginate(stmt, page=page, per_page=per_page, max_per_page=per_page,
                       error_out=False)


def unread_count(user) -> int:
    """One COUNT on the index ix_notification_user_unread (user_id, read_at, id)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


# --- outbox ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxStatus:
    pending: int  # never tried yet
    failed: int  # tried, not delivered: waits for its next attempt
    sent: int
    oldest_unsent_at: datetime | None


def outbox_status() -> OutboxStatus:
    unsent = OutboxMessage.sent_at.is_(None)
    row = db.session.execute(sa.select(
        sa.func.count().filter(unsent, OutboxMessage.attempts == 0),
        sa.func.count().filter(unsent, OutboxMessage.attempts > 0),
        sa.func.count().filter(OutboxMessage.sent_at.is_not(None)),
        sa.func.min(sa.case((unsent, OutboxMessage.created_at))),
    )).one()
    return OutboxStatus(*row)


# --- reminders -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueActions:
    owner_id: int
    case_id: int
    count: int
    first_due: date


@dataclass(frozen=True)
class DueEvaluation:
    user_id: int
    case_id: int
    due: date


def _not_reminded(user_id, case_id, kind: str, since: datetime):
    """No notification of this kind about this case for this user since `since`. A reminder's
    link is a section of its case's page: the same kind and case mean the same link."""
    return ~sa.exists().where(
        Notification.user_id == user_id, Notification.case_id == case_id,
        Notification.kind == kind, Notification.created_at >= since,
    )


def due_actions(until: date, since: datetime) -> list[DueActions]:
    """Open MDO actions due on or before `until` (overdue ones too), per owner and case, for
    owners not reminded since `since`. Closed cases and inactive owners are left out."""
    rows = db.session.execute(
        sa.select(MdoAction.owner_id, MdoAction.case_id, sa.func.count(),
                  sa.func.min(MdoAction.due_on))
        .join(Case, Case.id == MdoAction.case_id)
        .join(User, User.id == MdoAction.owner_id)
        .where(MdoAction.done_at.is_(None), MdoAction.due_on <= until,
               Case.state != CaseState.closed, User.active.is_(True),
               _not_reminded(MdoAction.owner_id, MdoAction.case_id, "action_due", since))
        .group_by(MdoAction.owner_id, MdoAction.case_id)
        .order_by(MdoAction.owner_id, MdoAction.case_id)
    ).all()
    return [DueActions(*row) for row in rows]


def due_evaluations(until: date, since: datetime) -> list[DueEvaluation]:
    """Cases in state arrangement whose current (latest) arrangement is to be evaluated on or
    before `until`, addressed to the regie holder or else the user who opened the case."""
    current = (sa.select(Arrangement.case_id, sa.func.max(Arrangement.id).label("id"))
               .group_by(Arrangement.case_id).subquery())
    recipient = sa.func.coalesce(Case.regie_holder_id, Case.opened_by_id)
    rows = db.session.execute(
        sa.select(recipient, Case.id, Arrangement.evaluation_due)
        .join(current, current.c.case_id == Case.id)
        .join(Arrangement, Arrangement.id == current.c.id)
        .join(User, User.id == recipient)
        .where(Case.state == CaseState.arrangement, Arrangement.evaluation_due <= until,
               User.active.is_(True),
               _not_reminded(recipient, Case.id, "evaluation_due", since))
        .order_by(Case.id)
    ).all()
    return [DueEvaluation(*row) for row in rows]
