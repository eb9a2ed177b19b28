"""The demo users' inboxes: what the services would have put there over the last weeks."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.cases.models import (
    Case,
    CaseEvent,
    HandoverStatus,
    MdoAction,
    Referral,
    ReferralStatus,
    RegieHandover,
)
from app.cases.workflow import CaseState
from app.extensions import db
from app.filters import nl_date
from app.notifications.models import Notification

RECENT = timedelta(days=14)


def fill_inboxes(world, until: datetime) -> None:
    """Notifications for open referrals, a pending regie handover, recent terugkoppeling and
    actions falling due; the oldest already read. Call after the cases are flushed."""
    rows = _new_referrals() + _handover(world, until) + _feedback(until) + _actions_due(until)
    for notification in rows:
        if notification.created_at < until - timedelta(days=5):
            notification.read_at = notification.created_at + timedelta(hours=3)
    db.session.add_all(rows)


def _new_referrals() -> list[Notification]:
    referrals = db.session.scalars(sa.select(Referral).where(
        Referral.status == ReferralStatus.sent, Referral.to_user_id.is_not(None)))
    return [Notification(user_id=r.to_user_id, kind="new_referral", case_id=r.case_id,
                         created_at=r.sent_at, text="Er is een nieuwe verwijzing voor u.",
                         link=f"/cases/{r.case_id}/referrals/{r.id}") for r in referrals]


def _handover(world, until: datetime) -> list[Notification]:
    """One handover waiting for the demo J&G-coach, so accepting regie can be tried."""
    staff, coach = world.staff_of("regenboog"), world.users["coach_noord"]
    case = db.session.scalar(sa.select(Case).where(
        Case.school_id == world.schools["regenboog"].id, Case.state == CaseState.arrangement,
        Case.regie_holder_id == staff.id).order_by(Case.id).limit(1))
    if case is None:
        return []
    at = until - timedelta(days=1, hours=15)
    case.regie_handovers.append(RegieHandover(
        from_user_id=staff.id, to_user_id=coach.id, requested_by_id=staff.id, requested_at=at,
        status=HandoverStatus.requested,
        note="Hulp thuis is nu de kern; graag regie bij de J&G-coach."))
    case.events.append(CaseEvent(at=at, kind="regie", actor_id=staff.id,
                                 summary=f"Casusregie overdracht gevraagd aan {coach.name}"))
    return [Notification(user_id=coach.id, kind="handover_request", case_id=case.id,
                         created_at=at, link=f"/cases/{case.id}",
                         text="U bent gevraagd de casusregie over te nemen.")]


def _feedback(until: datetime) -> list[Notification]:
    rows = db.session.execute(
        sa.select(CaseEvent, Case.opened_by_id).join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.kind == "feedback", CaseEvent.at >= until - RECENT)).all()
    return [Notification(user_id=opener, kind="referral_answer", case_id=event.case_id,
                         created_at=event.at, link=f"/cases/{event.case_id}",
                         text="Er is terugkoppeling op een verwijzing.")
            for event, opener in rows]


def _actions_due(until: datetime) -> list[Notification]:
    actions = db.session.scalars(sa.select(MdoAction).where(
        MdoAction.done_at.is_(None), MdoAction.due_on <= (until + timedelta(days=2)).date()))
    return [Notification(user_id=a.owner_id, kind="action_due", case_id=a.case_id,
                         created_at=until - timedelta(hours=6), link="/cases/tasks",
                         text=f"Een actie uit een MDO is uiterlijk {nl_date(a.due_on)} af.")
            for a in actions]
