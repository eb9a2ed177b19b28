"""The privacy officer's view of the access log: who looked at which file, on what basis."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.audit import queries, services
from app.auth import permissions
from app.cases.models import Case, Pupil
from app.extensions import db
from app.org.models import School

bp = Blueprint("audit", __name__, url_prefix="/audit", template_folder="templates")


@bp.before_request
@login_required
def require_privacy_officer():
    if not permissions.is_privacy_officer(current_user):
        abort(403)


@bp.route("/", methods=["GET", "POST"])
def index():
    """Find a file by school and pupil reference; the reference travels in the POST body."""
    if request.method == "POST":
        brin = (request.form.get("brin") or "").strip().upper()[:6]
        reference = (request.form.get("reference") or "").strip().upper()[:32]
        cases = db.session.scalars(
            sa.select(Case).join(Pupil).join(School, Case.school_id == School.id)
            .where(School.brin == brin, Pupil.reference == reference).order_by(Case.id)
        ).all()
        cases = [c for c in cases if permissions.can_read_audit_log(current_user, c)]
        services.record_access("log_search", detail=f"{brin}: {len(cases)} dossier(s)")
        if len(cases) == 1:
            return redirect(url_for("audit.case_log", case_id=cases[0].id))
        if not cases:
            flash("Geen dossier gevonden met deze school en leerlingreferentie in uw regio.",
                  "error")
        return render_template("audit/index.html", cases=cases)
    return render_template("audit/index.html", cases=None)


@bp.get("/cases/<int:case_id>")
def case_log(case_id: int):
    case = db.session.get(Case, case_id)
    if case is None or not permissions.can_read_audit_log(current_user, case):
        abort(404)
    page = queries.case_access_log(case.id, request.args.get("page", 1, type=int))
    # Reading the log is itself logged (NEN 7513 ch. 8).
    services.record_access("log_read", case, permissions.Access("privacy_officer",
                                                                "privacy_officer"))
    return render_template("audit/case_log.html", case=case, page=page,
                           users=queries.user_names({e.user_id for e in page.items}))
