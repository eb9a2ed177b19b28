"""The privacy officer downloads one file's access log as CSV: the columns of the log page.

An export leaves the application, so it asks for password and code again when the last
confirmation is more than 5 minutes old (ASVS 3.7.1), and it is itself logged (NEN 7513 ch. 8).
"""

import csv
import io

import sqlalchemy as sa
from flask import Response, abort
from flask_login import current_user

from app.audit import queries, services
from app.audit.cli import _cell
from app.audit.models import AuditEvent
from app.audit.views import bp
from app.auth import permissions
from app.auth.sessions import fresh_login_required
from app.cases.models import Case
from app.extensions import db

HEADER = ("Wanneer", "Wie", "Rol en organisatie", "Handeling", "Grond", "Uitkomst", "Vanaf")
OUTCOMES = {"ok": "toegestaan", "denied": "geweigerd"}


def _row(event: AuditEvent, users: dict[int, str]) -> list:
    role = ", ".join(p for p in (event.role, event.organisation) if p)
    action = f"{event.action} ({event.fields})" if event.fields else event.action
    basis = event.authorisation or ""
    if event.emergency:
        basis = f"{basis} noodtoegang".strip()
    return [_cell(v) for v in (event.at, users.get(event.user_id, ""), role, action, basis,
                               OUTCOMES.get(event.outcome, event.outcome), event.source_ip)]


def _events(case_id: int) -> list[AuditEvent]:
    # Newest first, like the log page; one case's log is small enough to hold in memory.
    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq.desc())
    ).all()


@bp.get("/cases/<int:case_id>/export.csv")
@fresh_login_required()
def case_log_export(case_id: int):
    case = db.session.get(Case, case_id)
    if case is None or not permissions.can_read_audit_log(current_user, case):
        abort(404)
    events = _events(case.id)
    users = queries.user_names({e.user_id for e in events})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(_row(e, users) for e in events)
    services.record_access("log_export", case,
                           permissions.Access("privacy_officer", "privacy_officer"),
                           detail=f"{len(events)} rijen")
    # Only the case id in the file name: no pupil reference, no user text.
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="toegangslog-{case.id}.csv"'})
