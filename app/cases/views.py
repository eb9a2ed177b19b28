from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from app.audit import services as audit
from app.auth import permissions
from app.cases import queries, services, workflow
from app.cases.forms import EditSignaleringForm, SignaleringForm, transition_form
from app.cases.workflow import CaseState
from app.extensions import db
from app.org.models import School

bp = Blueprint("cases", __name__, url_prefix="/cases", template_folder="templates")

SEARCH_KEY = "caseload_reference"


@bp.before_request
@login_required
def require_login():
    pass


def _user():
    return current_user._get_current_object()


@bp.get("/")
def caseload():
    if not permissions.can_see_caseload(current_user):
        abort(403)
    state = request.args.get("state") or None
    if state is not None and state not in CaseState.__members__:
        abort(400)
    reference = session.get(SEARCH_KEY)
    page = queries.caseload_page(
        _user(), page=request.args.get("page", 1, type=int),
        per_page=current_app.config["CASELOAD_PAGE_SIZE"],
        state=CaseState(state) if state else None, reference=reference,
    )
    audit.record_access(
        "search" if reference else "list", object_type="caseload",
        detail=f"fase={state or 'alle'} pagina={page.page} treffers={page.total}"
        + (f" referentie={reference}*" if reference else ""),
    )
    return render_template("cases/caseload.html", page=page, state=state,
                           reference=session.get(SEARCH_KEY), states=list(CaseState))


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
                _user(), school,
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
    case = queries.case_or_404(case_id, _user())
    audit.record_access("read", case, permissions.case_access(current_user, case))
    return _render_detail(case)


def _render_detail(case, forms=None, errors=None, status=200):
    actions = _actions(case, forms or {})
    return render_template(
        "cases/detail.html", case=case, timeline=queries.timeline(case), actions=actions,
        errors=errors or {},
    ), status


def _actions(case, forms):
    """Steps valid from the current state that this user may take: open ones get a form,
    blocked ones list what is still missing."""
    user = _user()
    available = set(workflow.available_triggers(case))
    result = []
    for trigger in workflow.valid_triggers(case):
        if not permissions.can_fire(user, case, trigger):
            continue
        if trigger in available:
            form = forms.get(trigger) or transition_form(trigger, case)
            result.append({"trigger": trigger, "form": form, "unmet": []})
        else:
            unmet = workflow.unmet_conditions(case, trigger, preview=True)
            result.append({"trigger": trigger, "form": None, "unmet": unmet})
    return result


@bp.post("/<int:case_id>/transitions/<trigger>")
def fire(case_id: int, trigger: str):
    case = queries.case_or_404(case_id, _user())
    if trigger not in workflow.TRIGGER_LABELS:
        abort(404)
    form = transition_form(trigger, formdata=request.form)
    if _stale(form.version.data, case):
        # The case moved on since this page was rendered (perhaps out of this user's hands):
        # say so, with the current state, rather than a bare refusal.
        return _conflict(case_id, form)
    if not permissions.can_fire(current_user, case, trigger):
        _deny(case, f"transition:{trigger}")
    if not form.validate():
        return _render_detail(case, {trigger: form}, {trigger: _form_errors(form)}, 422)
    try:
        services.advance_case(
            _user(), case, trigger, _version(form.version.data),
            note=form.note.data, reason=form.reason.data or None, dest=form.dest.data or None,
        )
    except services.CaseConflict:
        return _conflict(case_id, form)
    except services.TransitionNotAllowed as exc:
        messages = exc.unmet or [str(exc)]
        return _render_detail(case, {trigger: form}, {trigger: messages}, 422)
    flash(f"{workflow.TRIGGER_LABELS[trigger]}: gelukt. De casus staat nu in "
          f"'{workflow.STATE_LABELS[case.state]}'.", "success")
    return redirect(url_for("cases.detail", case_id=case.id))


def _deny(case, action: str):
    audit.record_access("denied", case, permissions.case_access(current_user, case),
                        outcome="denied", detail=action)
    abort(403)


def _stale(raw_version, case) -> bool:
    try:
        return int(raw_version) != case.version
    except (TypeError, ValueError):
        return False  # a missing or malformed version is a form error, handled below


def _version(raw) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        abort(400)


def _form_errors(form) -> list[str]:
    return [message for errors in form.errors.values() for message in errors]


def _conflict(case_id: int, form):
    """409: show the case as it is now, with the user's own input kept for a second try."""
    db.session.expire_all()
    case = queries.case_or_404(case_id, _user())
    return render_template("cases/conflict.html", case=case, form=form,
                           timeline=queries.timeline(case)[:5]), 409


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
def edit(case_id: int):
    case = queries.case_or_404(case_id, _user())
    if not permissions.can_edit_case(current_user, case):
        _deny(case, "update")
    form = EditSignaleringForm(obj=None if request.method == "POST" else case)
    if request.method == "GET":
        audit.record_access("read", case, permissions.case_access(current_user, case))
        form.signals.data = [c.value for c in case.signal_categories]
        form.version.data = case.version
    if form.validate_on_submit():
        try:
            services.update_signalering(_user(), case, _version(form.version.data),
                                        _signalering_data(form))
        except services.CaseConflict:
            return _conflict(case_id, form)
        except services.CaseError as exc:
            flash(str(exc), "error")
            return render_template("cases/edit.html", case=case, form=form), 422
        flash("De signalering is bijgewerkt.", "success")
        return redirect(url_for("cases.detail", case_id=case.id))
    return render_template("cases/edit.html", case=case, form=form), 422 if form.errors else 200
