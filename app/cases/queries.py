"""Read helpers for case views: every read is scoped by the permission rules."""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort

from app.audit import services as audit
from app.auth import permissions
from app.auth.models import Role, User
from app.cases.models import (
    Case,
    CaseEvent,
    CaseTransition,
    MdoMeeting,
    Pupil,
    Referral,
    ReferralStatus,
)
from app.cases.workflow import STATE_LABELS, TRIGGER_LABELS, CaseState, reason_label
from app.extensions import db
from app.org.models import School

# Phases past signalering in which a case must have a regie holder (DESIGN §4).
REGIE_STATES = (CaseState.mdo, CaseState.arrangement, CaseState.evaluation, CaseState.escalation)


def caseload_query(user, state: CaseState | None = None, reference: str | None = None,
                   without_regie: bool = False):
    """Cases of the user's schools, most recently active first; `without_regie`: only those
    past signalering that nobody holds regie for."""
    stmt = (
        sa.select(Case)
        .join(Case.pupil)
        .where(*_caseload_filters(user, state, reference, without_regie))
        # The row shows the pupil (from the join above, not a second one), the regie holder's
        # name (not their memberships) and nothing of the school.
        .options(so.contains_eager(Case.pupil),
                 so.selectinload(Case.regie_holder).load_only(User.id, User.name)
                 .lazyload(User.memberships))
        .order_by(Case.last_activity_at.desc(), Case.id.desc())
    )
    return stmt


def _caseload_filters(user, state, reference, without_regie) -> list:
    filters = [Case.school_id.in_(permissions.schools_of(user))]
    if state is not None:
        filters.append(Case.state == state)
    if without_regie:
        filters += [Case.regie_holder_id.is_(None), Case.state.in_(REGIE_STATES)]
    if reference:
        escaped = reference.strip().upper().replace("\\", "\\\\").replace("%", r"\%")
        escaped = escaped.replace("_", r"\_")
        filters.append(Pupil.reference.like(f"{escaped}%", escape="\\"))
    return filters


def caseload_page(user, page: int, per_page: int, state: CaseState | None = None,
                  reference: str | None = None, without_regie: bool = False):
    """One page of the caseload. The total is counted on the case table's (school, activity)
    index alone, joining the pupil only to search on its reference: the generic count of the
    paginator wraps the whole row query, pupil join included (docs/performance.md)."""
    result = db.paginate(caseload_query(user, state, reference, without_regie), page=page,
                         per_page=per_page, max_per_page=per_page, error_out=False,
                         count=False)
    count = sa.select(sa.func.count()).select_from(Case)
    if reference:
        count = count.join(Case.pupil)
    result.total = db.session.scalar(
        count.where(*_caseload_filters(user, state, reference, without_regie)))
    return result


def case_or_404(case_id: int, user) -> Case:
    """The case if this user may see it; 404 otherwise, so its existence does not leak.
    A refusal of an existing case is logged."""
    case = db.session.get(Case, case_id)
    if case is None:
        abort(404)
    if not permissions.can_view_case(user, case):
        audit.record_access("denied", case, outcome="denied", detail="casus niet in bereik")
        abort(404)
    return case


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    title: str
    actor: str | None = None
    kind: str = "transition"
    lines: list[str] = field(default_factory=list)
    change: str | None = None  # "van MDO naar Arrangement"


def timeline(case: Case, limit: int | None = None) -> list[TimelineEntry]:
    """Workflow steps and journey events (consent, terugkoppeling, MDO, regie...), newest first;
    the latest `limit` of them when given. Only the actor's name is read, not the user."""
    transitions = db.session.execute(_newest(
        sa.select(CaseTransition, User.name).outerjoin(CaseTransition.actor)
        .where(CaseTransition.case_id == case.id), CaseTransition, limit)).all()
    events = db.session.execute(_newest(
        sa.select(CaseEvent, User.name).outerjoin(CaseEvent.actor)
        .where(CaseEvent.case_id == case.id), CaseEvent, limit)).all()
    entries = [_transition_entry(t, actor) for t, actor in transitions] + [
        TimelineEntry(e.at, e.summary, actor, e.kind) for e, actor in events
    ]
    return sorted(entries, key=lambda e: e.at, reverse=True)[:limit]


def _newest(stmt, model, limit: int | None):
    return stmt.order_by(model.at.desc(), model.id.desc()).limit(limit)


def _transition_entry(t: CaseTransition, actor: str | None) -> TimelineEntry:
    title = "Signalering geopend" if t.trigger == "open" else TRIGGER_LABELS.get(t.trigger,
                                                                                   t.trigger)
    change = (f"van {STATE_LABELS[t.from_state]} naar {STATE_LABELS[t.to_state]}"
              if t.from_state else None)
    lines = [f"Reden: {reason_label(t.trigger, t.reason)}"] if t.reason else []
    if t.note:
        lines.append(t.note)
    return TimelineEntry(t.at, title, actor, "transition", lines, change)


# --- referrals -------------------------------------------------------------------------------


def referral_inbox_page(user, which: str, page: int, per_page: int):
    """The youth professional's referrals: "open" (sent, to answer) or "running" (accepted,
    waiting, started); addressed to them, or to their organisation without a person. Loads
    what the permission check and the row need in a fixed number of queries."""
    statuses = ({ReferralStatus.sent} if which == "open" else
                {ReferralStatus.accepted, ReferralStatus.waiting, ReferralStatus.started})
    organisations = user.organisation_ids(Role.youth_professional)
    order = ((Referral.answer_due_on, Referral.id) if which == "open"
             else (Referral.sent_at.desc(), Referral.id.desc()))
    case = so.joinedload(Referral.case, innerjoin=True)
    stmt = (
        sa.select(Referral)
        .where(sa.or_(Referral.to_user_id == user.id,
                      sa.and_(Referral.to_user_id.is_(None),
                              Referral.to_organisation_id.in_(organisations))),
               Referral.status.in_(statuses))
        .options(
            so.joinedload(Referral.to_organisation),
            # Inner joins: an outer join around the case's own inner join to its pupil makes
            # SQLite materialise every case of the database first (docs/performance.md).
            case.joinedload(Case.school, innerjoin=True),
            case.selectinload(Case.referrals),
            case.selectinload(Case.consents),
            case.selectinload(Case.mdo_meetings).selectinload(MdoMeeting.participants),
            case.selectinload(Case.regie_handovers),
        )
        .order_by(*order)
    )
    return db.paginate(stmt, page=page, per_page=per_page, max_per_page=per_page,
                       error_out=False)


def overdue_referrals(region_id: int, today):
    """Referrals of the region's cases still unanswered after their answer date (for the
    escalation rules)."""
    return db.session.scalars(
        sa.select(Referral).join(Referral.case).join(Case.school)
        .where(School.region_id == region_id, Referral.status == ReferralStatus.sent,
               Referral.answer_due_on < today)
        .order_by(Referral.answer_due_on, Referral.id)
    ).all()
