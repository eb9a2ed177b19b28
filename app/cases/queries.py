"""Read helpers for case views: every read is scoped by the permission rules."""

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort

from app.audit import services as audit
from app.auth import permissions
from app.cases.models import Case, CaseTransition, Pupil
from app.cases.workflow import CaseState
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


def timeline(case: Case) -> list[CaseTransition]:
    return db.session.scalars(
        sa.select(CaseTransition)
        .where(CaseTransition.case_id == case.id)
        .options(so.selectinload(CaseTransition.actor))
        .order_by(CaseTransition.at.desc(), CaseTransition.id.desc())
    ).all()
