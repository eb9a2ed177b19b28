"""Read helpers for case views: every read is scoped by the permission rules."""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort

from app.audit import services as audit
from app.auth import permissions
from app.cases.models import Case, CaseEvent, CaseTransition, Pupil
from app.cases.workflow import STATE_LABELS, TRIGGER_LABELS, CaseState, reason_label
from app.extensions import db


def caseload_query(user, state: CaseState | None = None, reference: str | None = None):
    """Cases of the user's schools, most recently active first."""
    stmt = (
        sa.select(Case)
        .join(Case.pupil)
        .where(Case.school_id.in_(permissions.schools_of(user)))
        .options(so.selectinload(Case.regie_holder), so.selectinload(Case.school))
        .order_by(Case.last_activity_at.desc(), Case.id.desc())
    )
    if state is not None:
        stmt = stmt.where(Case.state == state)
    if reference:
        escaped = reference.strip().upper().replace("\\", "\\\\").replace("%", r"\%")
        escaped = escaped.replace("_", r"\_")
        stmt = stmt.where(Pupil.reference.like(f"{escaped}%", escape="\\"))
    return stmt


def caseload_page(user, page: int, per_page: int, **filters):
    return db.paginate(caseload_query(user, **filters), page=page, per_page=per_page,
                       max_per_page=per_page, error_out=False)


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


def timeline(case: Case) -> list[TimelineEntry]:
    """Workflow steps and journey events (consent, terugkoppeling, MDO, regie...), newest first."""
    transitions = db.session.scalars(
        sa.select(CaseTransition).where(CaseTransition.case_id == case.id)
        .options(so.selectinload(CaseTransition.actor))
    ).all()
    events = db.session.scalars(
        sa.select(CaseEvent).where(CaseEvent.case_id == case.id)
        .options(so.selectinload(CaseEvent.actor))
    ).all()
    entries = [_transition_entry(t) for t in transitions] + [
        TimelineEntry(e.at, e.summary, e.actor.name if e.actor else None, e.kind) for e in events
    ]
    return sorted(entries, key=lambda e: e.at, reverse=True)


def _transition_entry(t: CaseTransition) -> TimelineEntry:
    title = "Signalering geopend" if t.trigger == "open" else TRIGGER_LABELS.get(t.trigger,
                                                                                   t.trigger)
    change = (f"van {STATE_LABELS[t.from_state]} naar {STATE_LABELS[t.to_state]}"
              if t.from_state else None)
    lines = [f"Reden: {reason_label(t.trigger, t.reason)}"] if t.reason else []
    if t.note:
        lines.append(t.note)
    return TimelineEntry(t.at, title, t.actor.name if t.actor else None, "transition", lines,
                         change)
