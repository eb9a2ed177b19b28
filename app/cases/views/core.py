"""The caseload, the signalering form, the case page and its workflow steps."""

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.audit import services as audit
from app.auth import permissions
from app.cases import queries, services, workflow
from app.cases.forms import EditSignaleringForm, SignaleringForm, transition_form
from app.cases.views.blueprint import (
    bp,
    conflict,
    deny,
    form_errors,
    render_detail,
    stale,
    user,
    version,
)
from app.cases.workflow import CaseState
from app.extensions import db
from app.org.models import School

SEARCH_KEY = "caseload_reference"


@bp.get("/")
def caseload():
    if not permissions.can_see_caseload(current_user):
        abort(403)
    state = request.args.get("state") or None
    if state is not None and state not in CaseState.__members__:
        abort(400)
    reference = session.get(SEARCH_KEY)
    without_regie = request.args.get("zonder_regie") == "1"
    page = queries.caseload_page(
        user(), page=request.args.get("page", 1, type=int),
        per_page=current_app.config["CASELOAD_PAGE_SIZE"],
        state=CaseState(state) if state else None, reference=reference,
        without_regie=without_regie,
    )
    body = render_template("cases/caseload.html", page=page, state=state,
                           reference=session.get(SEARCH_KEY), states=list(CaseState),
                           without_regie=without_regie)
    # Logged after rendering: where the log shares the request's connection (SQLite, tests)
    # it commits the session, and the listed cases would then be reloaded one by one.
    audit.record_access(
        "search" if reference else "list", object_type="caseload",
        detail=f"fase={state or 'alle'} pagina={page.page} treffers={page.total}"
        + (" zonder_regie" if without_regie else "")
        + (f" referentie={reference}*" if reference else ""),
    )
    return body


@bp.post("/search")
def search():
    """Pupil references travel in the POST body and the session, never in a URL or access log."""
    if not permissions.can_see_caseload(current_user):
        abort(403)
    reference = (request.form.get("reference") or "").strip()[:32]
    if reference and "clear" not in request.form:
        session[SEARCH_KEY] = reference
    else:
        session.pop(SEARCH_KEY, None)
    return redirect(url_for("cases.caseload", state=request.form.get("state") or None))


@bp.route("/new", methods=["GET", "POST"])
def new():
    school_ids = permissions.schools_of(current_user)
    if not school_ids:
        abort(403)
    form = SignaleringForm()
    schools = db.session.scalars(
        db.select(School).where(School.id.in_(school_ids)).order_by(School.name)
    ).all()
    form.school_id.choices = [(s.id, s.name) for s in schools]
    if len(schools) == 1 and not form.is_submitted():
        form.school_id.data = schools[0].id
    if form.validate_on_submit():
        school = db.session.get(School, form.school_id.data)
        if school is None or not permissions.can_open_case(current_user, school.id):
            abort(403)
        try:
            case = services.open_case(
                user(), school,
                services.PupilData(form.reference.data, form.initials.data,
                                   form.birth_year.data, form.group_name.data),
                _signalering_data(form),
            )
        except services.CaseError as exc:
            flash(str(exc), "error")
            return render_template("cases/new.html", form=form), 422
        flash(f"Signalering voor {case.pupil.reference} is vastgelegd.", "success")
        return redirect(url_for("cases.detail", case_id=case.id))
    return render_template("cases/new.html", form=form), 422 if form.errors else 200


def _signalering_data(form) -> services.SignaleringData:
    return services.SignaleringData(
        signals=form.signals.data, description=form.description.data,
        hulpvraag=form.hulpvraag.data, discussed_with_parents=form.discussed_with_parents.data,
    )


@bp.get("/<int:case_id>")
def detail(case_id: int):
    case = queries.case_or_404(case_id, user())
    audit.record_access("read", case, permissions.case_access(current_user, case))
    return render_detail(case)


@bp.post("/<int:case_id>/transitions/<trigger>")
def fire(case_id: int, trigger: str):
    case = queries.case_or_404(case_id, user())
    if trigger not in workflow.TRIGGER_LABELS:
        abort(404)
    form = transition_form(trigger, formdata=request.form)
    if stale(form.version.data, case):
        # The case moved on since this page was rendered (perhaps out of this user's hands):
        # say so, with the current state, rather than a bare refusal.
        return conflict(case_id, form)
    if not permissions.can_fire(current_user, case, trigger):
        deny(case, f"transition:{trigger}")
    if not workflow.is_available(case, trigger):
        # Not a step from here (or its records are missing): say why, whatever the input was.
        unmet = workflow.unmet_conditions(case, trigger, preview=True)
        return render_detail(case, {}, {trigger: unmet}, 422)
    if not form.validate():
        return render_detail(case, {trigger: form}, {trigger: form_errors(form)}, 422)
    try:
        services.advance_case(
            user(), case, trigger, version(form.version.data),
            note=form.note.data, reason=form.reason.data or None, dest=form.dest.data or None,
        )
    except services.CaseConflict:
        return conflict(case_id, form)
    except services.TransitionNotAllowed as exc:
        messages = exc.unmet or [str(exc)]
        return render_detail(case, {trigger: form}, {trigger: messages}, 422)
    flash(f"{workflow.TRIGGER_LABELS[trigger]}: gelukt. De casus staat nu in "
          f"'{workflow.STATE_LABELS[case.state]}'.", "success")
    if not permissions.can_view_case(current_user, case):
        # The step took the case out of this user's sight (a coordinator closing or resolving
        # an escalation): back to their own list rather than a 404.
        target = ("escalation.queue" if permissions.can_see_escalation_queue(current_user)
                  else "main.home")
        return redirect(url_for(target))
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
def edit(case_id: int):
    case = queries.case_or_404(case_id, user())
    if not permissions.can_edit_case(current_user, case):
        deny(case, "update")
    form = EditSignaleringForm(obj=None if request.method == "POST" else case)
    if request.method == "GET":
        audit.record_access("read", case, permissions.case_access(current_user, case))
        form.signals.data = [c.value for c in case.signal_categories]
        form.version.data = case.version
    if form.validate_on_submit():
        try:
            services.update_signalering(user(), case, version(form.version.data),
                                        _signalering_data(form))
        except services.CaseConflict:
            return conflict(case_id, form)
        except services.CaseError as exc:
            flash(str(exc), "error")
            return render_template("cases/edit.html", case=case, form=form), 422
        flash("De signalering is bijgewerkt.", "success")
        return redirect(url_for("cases.detail", case_id=case.id))
    return render_template("cases/edit.html", case=case, form=form), 422 if form.errors else 200
