"""The `cases` blueprint and what every case screen shares: the detail page that the parts of
the journey add their sections to, the refusal, the 409 conflict answer, and the one way a form
on the case page is submitted."""

from collections.abc import Callable
from typing import NoReturn, TypeVar

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.audit import services as audit
from app.auth import permissions
from app.cases import queries, workflow
from app.cases.forms import transition_form
from app.cases.services import CaseConflict, CaseError
from app.cases.workflow import CaseState
from app.extensions import db

T = TypeVar("T")

# Named after the package, so the templates are found in app/cases/templates.
bp = Blueprint("cases", "app.cases", url_prefix="/cases", template_folder="templates")

# Each part of the journey (consent, referrals, MDO, regie, arrangement...) registers a function
# (case, user, forms) -> dict whose result is merged into the detail page's context; its
# template partial is included by cases/detail.html.
DETAIL_SECTIONS: list[Callable] = []


def detail_section(func: Callable) -> Callable:
    DETAIL_SECTIONS.append(func)
    return func


@bp.url_value_preprocessor
def _reads_first(endpoint, values):
    """A POST here reads (user, case, permissions, the form) before its service writes: in a
    plain transaction, so SQLite's write lock is taken where the service starts writing
    (services.core.start_writing) and held for the writing alone. Runs before the login is
    loaded, so that read is part of it too."""
    if request.method == "POST":
        g.reading = True


@bp.before_request
@login_required
def require_login():
    pass


def user():
    return current_user._get_current_object()


# The case page shows the latest entries of the timeline; a link shows all of them.
TIMELINE_LIMIT = 50
WHOLE_TIMELINE = "tijdlijn"


def render_detail(case, forms=None, errors=None, status=200):
    """The case page. `forms` maps a form key (a trigger, or a section's form name) to a form
    that failed validation, so it is shown again with the user's input; `errors` maps the same
    keys to Dutch messages."""
    forms = forms or {}
    context = {}
    for section in DETAIL_SECTIONS:
        context |= section(case, user(), forms)
    whole = request.args.get(WHOLE_TIMELINE) == "alles"
    timeline = queries.timeline(case, None if whole else TIMELINE_LIMIT + 1)
    return render_template(
        "cases/detail.html", case=case, timeline=timeline[:TIMELINE_LIMIT] if not whole
        else timeline, timeline_cut=len(timeline) > TIMELINE_LIMIT and not whole,
        actions=_actions(case, forms), errors=errors or {}, **context,
    ), status


# In the evaluation phase these steps are the decision of the evaluation form (cases/_evaluation
# .html), which records the evaluation and fires them together; no separate buttons.
DECIDED_BY_EVALUATION = frozenset({"continue_arrangement", "back_to_mdo", "close"})


def _actions(case, forms):
    """Steps valid from the current state that this user may take: open ones get a form,
    blocked ones list what is still missing."""
    available = set(workflow.available_triggers(case))
    result = []
    for trigger in workflow.valid_triggers(case):
        if not permissions.can_fire(user(), case, trigger):
            continue
        if case.state == CaseState.evaluation and trigger in DECIDED_BY_EVALUATION:
            continue
        if trigger in available:
            form = forms.get(trigger) or transition_form(trigger, case)
            result.append({"trigger": trigger, "form": form, "unmet": []})
        else:
            unmet = workflow.unmet_conditions(case, trigger, preview=True)
            result.append({"trigger": trigger, "form": None, "unmet": unmet})
    return result


def deny(case, action: str) -> NoReturn:
    """Refuse an in-scope action the user may not take: logged, then 403."""
    audit.record_access("denied", case, permissions.case_access(current_user, case),
                        outcome="denied", detail=action)
    abort(403)


def stale(raw_version, case) -> bool:
    """Was the form rendered for an older version of the case?"""
    try:
        return int(raw_version) != case.version
    except (TypeError, ValueError):
        return False  # a missing or malformed version is a form error, handled by the caller


def version(raw) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        abort(400)


def form_errors(form) -> list[str]:
    return [message for errors in form.errors.values() for message in errors]


def conflict(case_id: int, form):
    """409: show the case as it is now, with the user's own input kept for a second try."""
    db.session.expire_all()
    case = queries.case_or_404(case_id, user())
    return render_template("cases/conflict.html", case=case, form=form,
                           timeline=queries.timeline(case, 5)), 409


def refused(case, key: str, form, exc: CaseError):
    """A service refusal: the message at its field (or above the form), nothing stored (422)."""
    if exc.field and exc.field in form:
        form[exc.field].errors = [*form[exc.field].errors, str(exc)]
    return render_detail(case, {key: form}, {key: [str(exc)]}, 422)


def submit_case_form(case, form, key: str, *, allowed: bool, action: str,
                     save: Callable[[int], T], success: str | Callable[[T], str],
                     anchor: str | None = None):
    """Submit a form of the case page, in the order every write keeps: a stale version is a
    409 (before the permission, so a case that moved out of the user's hands says so), a step
    the user may not take is logged and 403 (before validation), invalid input shows the case
    page again with form `key` (422), then `save(expected_version)` runs the one service call.
    A service refusal is a 422 with its message; success is flashed (a callable gets what
    `save` returned) and redirects to the case page, at `anchor`."""
    if stale(form.version.data, case):
        return conflict(case.id, form)
    if not allowed:
        deny(case, action)
    if not form.validate():
        return render_detail(case, {key: form}, {key: form_errors(form)}, 422)
    try:
        result = save(version(form.version.data))
    except CaseConflict:
        return conflict(case.id, form)
    except CaseError as exc:
        return refused(case, key, form, exc)
    flash(success(result) if callable(success) else success, "success")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor=anchor))
