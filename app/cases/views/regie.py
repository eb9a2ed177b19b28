"""Casusregie on the case page (holder, open handover, the request form), the answers to a
handover, and the list of handovers addressed to me."""

from flask import abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import orm

from app.audit import services as audit
from app.auth import permissions
from app.auth.models import User
from app.cases import queries
from app.cases.forms.regie import (
    HandoverAnswerForm,
    HandoverDeclineForm,
    answer_forms,
    handover_request_form,
)
from app.cases.models import Case, HandoverStatus, RegieHandover
from app.cases.services import pickers, regie
from app.cases.views.blueprint import bp, detail_section, submit_case_form, user
from app.extensions import db

# The picker's search field (a GET parameter of the case page).
SEARCH = "regie_zoek"


@detail_section
def regie_section(case, user, forms) -> dict:
    handover = case.open_handover
    request_form, found = forms.get("regie_request"), None
    if request_form is None and handover is None and permissions.can_request_regie(user, case):
        term = pickers.search_term(request.args.get(SEARCH))
        found = regie.search_receivers(case, term) if term else None
        request_form = handover_request_form(
            case, user, regie.receivers(case, user, found.ids if found else ()))
    answers = answer_forms(case)
    answers |= {key: form for key, form in forms.items() if key in answers}
    last = case.regie_handovers[-1] if case.regie_handovers else None
    return {
        "regie_request_form": request_form, "regie_found": found, "regie_search": SEARCH,
        "regie_answer_forms": answers if handover is not None else {},
        "regie_declined": last if last is not None and last.status == HandoverStatus.declined
        else None,
    }


@bp.post("/<int:case_id>/regie")
def regie_request(case_id: int):
    case = queries.case_or_404(case_id, user())
    chosen = pickers.submitted_ids(request.form.get("regie-to_user_id"))
    form = handover_request_form(case, user(), regie.receivers(case, user(), chosen),
                                 formdata=request.form)

    def save(expected: int) -> RegieHandover:
        to_user = db.session.get(User, int(form.to_user_id.data))
        return regie.request_handover(user(), case, expected, to_user, form.note.data)

    return submit_case_form(case, form, "regie_request",
                            allowed=permissions.can_request_regie(current_user, case),
                            action="regie:request", save=save, success=_requested)


def _requested(handover: RegieHandover) -> str:
    if handover.status == HandoverStatus.accepted:
        return "U heeft nu de casusregie van deze casus."
    return (f"Het verzoek is naar {handover.to_user.name} gestuurd. Tot die het accepteert, "
            "blijft de huidige regiehouder verantwoordelijk.")


@bp.post("/<int:case_id>/regie/<int:handover_id>/accept")
def regie_accept(case_id: int, handover_id: int):
    case, handover = _handover_or_404(case_id, handover_id)
    return submit_case_form(
        case, HandoverAnswerForm(prefix="regie_accept"), "regie_accept",
        allowed=permissions.can_answer_handover(current_user, case, handover),
        action="regie:accept",
        save=lambda expected: regie.accept_handover(user(), case, expected, handover),
        success="U heeft nu de casusregie van deze casus.")


@bp.post("/<int:case_id>/regie/<int:handover_id>/decline")
def regie_decline(case_id: int, handover_id: int):
    case, handover = _handover_or_404(case_id, handover_id)
    form = HandoverDeclineForm(prefix="regie_decline")
    return submit_case_form(
        case, form, "regie_decline",
        allowed=permissions.can_answer_handover(current_user, case, handover),
        action="regie:decline",
        save=lambda expected: regie.decline_handover(user(), case, expected, handover,
                                                     form.reason.data),
        success="U heeft het verzoek afgewezen. De vrager krijgt daarvan bericht.")


@bp.post("/<int:case_id>/regie/<int:handover_id>/withdraw")
def regie_withdraw(case_id: int, handover_id: int):
    case, handover = _handover_or_404(case_id, handover_id)
    return submit_case_form(
        case, HandoverAnswerForm(prefix="regie_withdraw"), "regie_withdraw",
        allowed=permissions.can_withdraw_handover(current_user, case, handover),
        action="regie:withdraw",
        save=lambda expected: regie.withdraw_handover(user(), case, expected, handover),
        success="Het verzoek om de casusregie over te dragen is ingetrokken.")


@bp.get("/regie")
def regie_requests():
    if not permissions.can_see_regie_requests(current_user):
        abort(403)
    page = db.paginate(
        db.select(RegieHandover)
        .where(RegieHandover.to_user_id == current_user.id,
               RegieHandover.status == HandoverStatus.requested)
        # Inner joins, as in the task list: an outer join to the case makes SQLite
        # materialise every case (docs/performance.md).
        .options(orm.joinedload(RegieHandover.case, innerjoin=True)
                 .joinedload(Case.school, innerjoin=True),
                 orm.joinedload(RegieHandover.requested_by))
        .order_by(RegieHandover.requested_at.desc(), RegieHandover.id.desc()),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["CASELOAD_PAGE_SIZE"],
        max_per_page=current_app.config["CASELOAD_PAGE_SIZE"], error_out=False,
    )
    body = render_template("cases/regie_requests.html", page=page)
    # After rendering, as on the caseload: the log may commit (and so expire) the session.
    audit.record_access("list", object_type="regie_requests",
                        detail=f"pagina={page.page} treffers={page.total}")
    return body


def _handover_or_404(case_id: int, handover_id: int):
    case = queries.case_or_404(case_id, user())
    handover = db.session.get(RegieHandover, handover_id)
    if handover is None or handover.case_id != case.id:
        abort(404)
    return case, handover

