"""Casusregie on the case page (holder, open handover, the request form), the answers to a
handover, and the list of handovers addressed to me."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import orm

from app.audit import services as audit
from app.auth import permissions
from app.auth.models import User
from app.cases import queries, services
from app.cases.forms.regie import (
    HandoverAnswerForm,
    HandoverDeclineForm,
    answer_forms,
    handover_request_form,
)
from app.cases.models import Case, HandoverStatus, RegieHandover
from app.cases.services import regie
from app.cases.views.blueprint import (
    bp,
    conflict,
    deny,
    detail_section,
    form_errors,
    render_detail,
    stale,
    user,
    version,
)
from app.extensions import db


@detail_section
def regie_section(case, user, forms) -> dict:
    handover = case.open_handover
    request_form = forms.get("regie_request")
    if request_form is None and handover is None and permissions.can_request_regie(user, case):
        request_form = handover_request_form(case, user, regie.receivers(case))
    answers = answer_forms(case)
    answers |= {key: form for key, form in forms.items() if key in answers}
    last = case.regie_handovers[-1] if case.regie_handovers else None
    return {
        "regie_request_form": request_form,
        "regie_answer_forms": answers if handover is not None else {},
        "regie_declined": last if last is not None and last.status == HandoverStatus.declined
        else None,
    }


@bp.post("/<int:case_id>/regie")
def regie_request(case_id: int):
    case = queries.case_or_404(case_id, user())
    form = handover_request_form(case, user(), regie.receivers(case), formdata=request.form)
    if stale(form.version.data, case):
        return conflict(case_id, form)
    if not permissions.can_request_regie(current_user, case):
        deny(case, "regie:request")
    if not form.validate():
        return _again(case, "regie_request", form)
    to_user = db.session.get(User, int(form.to_user_id.data))
    try:
        handover = regie.request_handover(user(), case, version(form.version.data), to_user,
                                          form.note.data)
    except services.CaseConflict:
        return conflict(case_id, form)
    except services.CaseError as exc:
        return _again(case, "regie_request", form, exc)
    if handover.status == HandoverStatus.accepted:
        flash("U heeft nu de casusregie van deze casus.", "success")
    else:
        flash(f"Het verzoek is naar {to_user.name} gestuurd. Tot die het accepteert, blijft de "
              "huidige regiehouder verantwoordelijk.", "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.post("/<int:case_id>/regie/<int:handover_id>/accept")
def regie_accept(case_id: int, handover_id: int):
    case, handover = _handover_or_404(case_id, handover_id)
    form = HandoverAnswerForm(prefix="regie_accept")
    return _answer(case, handover, "regie_accept", form, permissions.can_answer_handover,
                   lambda v: regie.accept_handover(user(), case, v, handover),
                   "U heeft nu de casusregie van deze casus.")


@bp.post("/<int:case_id>/regie/<int:handover_id>/decline")
def regie_decline(case_id: int, handover_id: int):
    case, handover = _handover_or_404(case_id, handover_id)
    form = HandoverDeclineForm(prefix="regie_decline")
    return _answer(case, handover, "regie_decline", form, permissions.can_answer_handover,
                   lambda v: regie.decline_handover(user(), case, v, handover, form.reason.data),
                   "U heeft het verzoek afgewezen. De vrager krijgt daarvan bericht.")


@bp.post("/<int:case_id>/regie/<int:handover_id>/withdraw")
def regie_withdraw(case_id: int, handover_id: int):
    case, handover = _handover_or_404(case_id, handover_id)
    form = HandoverAnswerForm(prefix="regie_withdraw")
    return _answer(case, handover, "regie_withdraw", form, permissions.can_withdraw_handover,
                   lambda v: regie.withdraw_handover(user(), case, v, handover),
                   "Het verzoek om de casusregie over te dragen is ingetrokken.")


@bp.get("/regie")
def regie_requests():
    if not permissions.can_see_regie_requests(current_user):
        abort(403)
    page = db.paginate(
        db.select(RegieHandover)
        .where(RegieHandover.to_user_id == current_user.id,
               RegieHandover.status == HandoverStatus.requested)
        .options(orm.joinedload(RegieHandover.case).joinedload(Case.school),
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


def _answer(case, handover, key, form, allowed, act, success: str):
    """The shape of every answer to a handover: version, permission, input, service, PRG."""
    if stale(form.version.data, case):
        return conflict(case.id, form)
    if not allowed(current_user, case, handover):
        deny(case, key.replace("_", ":", 1))
    if not form.validate():
        return _again(case, key, form)
    try:
        act(version(form.version.data))
    except services.CaseConflict:
        return conflict(case.id, form)
    except services.CaseError as exc:
        return _again(case, key, form, exc)
    flash(success, "success")
    return redirect(url_for("cases.detail", case_id=case.id))


def _again(case, key: str, form, exc: services.CaseError | None = None):
    """Show the case page again (422) with this form, its input and the Dutch messages."""
    if exc is None:
        return render_detail(case, {key: form}, {key: form_errors(form)}, 422)
    if exc.field and exc.field in form:
        form[exc.field].errors = [*form[exc.field].errors, str(exc)]
    return render_detail(case, {key: form}, {key: [str(exc)]}, 422)
