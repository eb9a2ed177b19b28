"""Referrals: the section on the case page with the send form, the professional's inbox, and the
referral page with the answers, the status history and the progress notes."""

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.audit import services as audit
from app.auth import permissions
from app.auth.models import User
from app.cases import queries
from app.cases.forms.referrals import (
    NOT_IN_SCHAKEL,
    REQUIRED_FIELDS,
    STEP_FIELDS,
    answer_form,
    note_form,
    referral_form,
)
from app.cases.models import CaseEvent, Referral, ReferralNote
from app.cases.services import CaseConflict, CaseError, pickers
from app.cases.services import referrals as services
from app.cases.services.pickers import Found
from app.cases.views.blueprint import (
    bp,
    conflict,
    deny,
    detail_section,
    form_errors,
    stale,
    submit_case_form,
    user,
    version,
)
from app.extensions import db

INBOX_LISTS = ("open", "running")
# The professional picker's search field (a GET parameter of the case and referral pages).
SEARCH = "verwijzing_zoek"


def _labels() -> dict:
    return {"REFERRAL_STATUS_LABELS": services.STATUS_LABELS, "referral_today": date.today(),
            "referral_is_overdue": services.is_overdue, "referral_search": SEARCH}


@detail_section
def referrals_section(case, user, forms) -> dict:
    referrals = list(db.session.scalars(
        sa.select(Referral).where(Referral.case_id == case.id)
        .options(so.joinedload(Referral.to_organisation),
                 # Their names only: not each person's memberships.
                 so.joinedload(Referral.to_user).lazyload(User.memberships))
        .order_by(Referral.sent_at.desc(), Referral.id.desc())
    ))
    context = _labels() | {
        "referrals": referrals, "referral_feedback": _latest_feedback(case),
        "referral_sendable": case.state in services.SENDABLE_STATES,
    }
    if permissions.can_send_referral(user, case) and context["referral_sendable"]:
        form, found = forms.get("referral"), None
        if form is None:
            found = _search(case)
            form = referral_form(case, services.professional_choices(
                case, also=found.ids if found else ()))
        context |= {"referral_form": form, "referral_found": found}
    return context


def _search(case) -> Found | None:
    term = pickers.search_term(request.args.get(SEARCH))
    return services.search_professionals(case, term) if term else None


def _latest_feedback(case) -> dict[int, CaseEvent]:
    """The latest terugkoppeling per referral of the case, in one query."""
    events = db.session.scalars(
        sa.select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "feedback",
                                   CaseEvent.referral_id.is_not(None))
        .order_by(CaseEvent.at, CaseEvent.id)
    )
    return {e.referral_id: e for e in events}


@bp.post("/<int:case_id>/referrals")
def referral_send(case_id: int):
    case = queries.case_or_404(case_id, user())
    chosen = pickers.submitted_ids(request.form.get("referral-professional"))
    form = referral_form(case, services.professional_choices(case, also=chosen),
                         formdata=request.form)
    return submit_case_form(
        case, form, "referral",
        allowed=permissions.can_send_referral(current_user, case), action="referral:send",
        save=lambda expected: services.send_referral(user(), case, expected,
                                                     int(form.professional.data),
                                                     form.question.data),
        success=lambda referral: f"De verwijzing naar {referral.to_organisation.name} is "
                                 "verstuurd.",
        anchor="kop-verwijzingen")


def _attach(form, exc: CaseError) -> None:
    """Show the service's message(s) at the field they are about."""
    for field, message in getattr(exc, "problems", None) or [(exc.field, str(exc))]:
        if field and field in form:
            form[field].errors = [*form[field].errors, message]


# --- the inbox -------------------------------------------------------------------------------


@bp.get("/referrals")
def referral_inbox():
    if not permissions.can_see_referral_inbox(current_user):
        abort(403)
    per_page = current_app.config["CASELOAD_PAGE_SIZE"]
    wanted = {which: request.args.get(f"{which}_page", 1, type=int) for which in INBOX_LISTS}
    # Logged before the lists load: the log's own commit would expire what they loaded.
    audit.record_access("list", object_type="referral_inbox",
                        detail=" ".join(f"{w}_page={n}" for w, n in wanted.items()))
    pages = {which: queries.referral_inbox_page(user(), which, page=n, per_page=per_page)
             for which, n in wanted.items()}
    return render_template("cases/referral_inbox.html", pages=pages, **_labels())


# --- the referral page -----------------------------------------------------------------------


def _referral_or_404(case, referral_id: int) -> Referral:
    referral = db.session.get(Referral, referral_id)
    if referral is None or referral.case_id != case.id:
        abort(404)
    return referral


@bp.get("/<int:case_id>/referrals/<int:referral_id>")
def referral(case_id: int, referral_id: int):
    case = queries.case_or_404(case_id, user())
    referral = _referral_or_404(case, referral_id)
    audit.record_access("read", case, permissions.case_access(current_user, case))
    return _render_referral(case, referral)


def _render_referral(case, referral, forms=None, errors=None, status=200):
    forms, me = forms or {}, user()
    context = _labels() | {"case": case, "referral": referral, "errors": errors or {},
                           "STEPS": services.STEPS, "STEP_FIELDS": STEP_FIELDS,
                           "REQUIRED_FIELDS": REQUIRED_FIELDS}
    context["history"] = db.session.scalars(
        sa.select(CaseEvent).where(CaseEvent.case_id == case.id,
                                   CaseEvent.referral_id == referral.id)
        .options(so.joinedload(CaseEvent.actor)).order_by(CaseEvent.at, CaseEvent.id)
    ).all()
    context["notes"] = db.session.scalars(
        sa.select(ReferralNote).where(ReferralNote.referral_id == referral.id)
        .options(so.joinedload(ReferralNote.author)).order_by(ReferralNote.written_at)
    ).all()
    if permissions.can_answer_referral(me, referral):
        steps = services.steps_from(referral.status)
        choices, found = (), None
        if "redirect" in steps and "redirect" not in forms:
            found = _search(case)
            choices = _redirect_choices(case, referral, me, found.ids if found else ())
        context["redirect_found"] = found
        context["answer_forms"] = {
            step: forms.get(step) or answer_form(step, case, choices) for step in steps
        }
    if permissions.can_add_progress_note(me, referral) and (
            referral.status in services.RUNNING_STATUSES):
        context["note_form"] = forms.get("note") or note_form(case)
    return render_template("cases/referral_detail.html", **context), status


def _redirect_choices(case, referral, me, also=()):
    return [m for m in services.professional_choices(case, also=also)
            if m.user_id not in (referral.to_user_id, me.id)]


@bp.post("/<int:case_id>/referrals/<int:referral_id>/answer/<step>")
def referral_answer(case_id: int, referral_id: int, step: str):
    case = queries.case_or_404(case_id, user())
    referral = _referral_or_404(case, referral_id)
    if step not in services.STEPS:
        abort(404)
    chosen = pickers.submitted_ids(request.form.get(f"{step}-redirect_to"))
    form = answer_form(step, case, _redirect_choices(case, referral, user(), chosen),
                       formdata=request.form)
    if stale(form.version.data, case):
        return conflict(case_id, form)
    if not permissions.can_answer_referral(current_user, referral):
        deny(case, f"referral:{step}")
    if not form.validate():
        return _render_referral(case, referral, {step: form}, {step: form_errors(form)}, 422)
    try:
        services.answer_referral(user(), referral, step, version(form.version.data),
                                 _answer(form))
    except CaseConflict:
        return conflict(case_id, form)
    except CaseError as exc:
        _attach(form, exc)
        messages = [m for _, m in getattr(exc, "problems", [])] or [str(exc)]
        return _render_referral(case, referral, {step: form}, {step: messages}, 422)
    flash(f"Opgeslagen: {services.feedback_summary(referral, step)}. De school krijgt deze "
          "terugkoppeling.", "success")
    if not permissions.can_view_case(current_user, case):
        # Declined or passed on: the case is no longer this professional's to see.
        return redirect(url_for("cases.referral_inbox"))
    return redirect(url_for("cases.referral", case_id=case.id, referral_id=referral.id))


def _answer(form) -> services.Answer:
    redirect_to = form.redirect_to.data
    return services.Answer(
        light_help=bool(form.light_help.data), decline_reason=form.decline_reason.data,
        redirect_to=int(redirect_to) if redirect_to not in (None, NOT_IN_SCHAKEL) else None,
        redirect_note=form.redirect_note.data, expected_start=form.expected_start.data,
        bridging_plan=form.bridging_plan.data, started_on=form.started_on.data,
        ended_on=form.ended_on.data, outcome=form.outcome.data,
    )


@bp.post("/<int:case_id>/referrals/<int:referral_id>/notes")
def referral_note(case_id: int, referral_id: int):
    case = queries.case_or_404(case_id, user())
    referral = _referral_or_404(case, referral_id)
    form = note_form(case, formdata=request.form)
    if stale(form.version.data, case):
        return conflict(case_id, form)
    if not permissions.can_add_progress_note(current_user, referral):
        deny(case, "referral:note")
    if not form.validate():
        return _render_referral(case, referral, {"note": form}, {"note": form_errors(form)},
                                422)
    try:
        services.add_progress_note(user(), referral, version(form.version.data), form.text.data)
    except CaseConflict:
        return conflict(case_id, form)
    except CaseError as exc:
        _attach(form, exc)
        return _render_referral(case, referral, {"note": form}, {"note": [str(exc)]}, 422)
    flash("De voortgangsnotitie is toegevoegd.", "success")
    return redirect(url_for("cases.referral", case_id=case.id, referral_id=referral.id))
