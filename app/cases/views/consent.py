"""The consent section of the case page: the ledger, recording and withdrawing a consent, and
the meldcode justification for sharing without consent."""

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from app.auth import permissions
from app.cases import queries
from app.cases.forms.consent import (
    MeldcodeForm,
    WithdrawConsentForm,
    consent_form,
    show_parties,
)
from app.cases.models import Consent
from app.cases.services import CaseConflict, CaseError, pickers
from app.cases.services import consent as services
from app.cases.views.blueprint import (
    bp,
    conflict,
    deny,
    detail_section,
    form_errors,
    refused,
    render_detail,
    stale,
    submit_case_form,
    user,
    version,
)
from app.extensions import db

ANCHOR = "kop-toestemming"
# The organisation picker's search field (a GET parameter of the case page).
SEARCH = "toestemming_zoek"


@detail_section
def consent_section(case, user, forms) -> dict:
    today = date.today()
    context = {
        "consents": _ledger(case), "today": today,
        "consent_rule": services.consent_rule(case.pupil.birth_year, today),
        "GIVER_LABELS": services.GIVER_LABELS,
        "meldcode_event": (services.latest_meldcode_event(case)
                           if (case.meldcode_justification or "").strip() else None),
    }
    if permissions.can_manage_consent(user, case):
        form, found = forms.get("consent"), None
        if form is None:
            term = pickers.search_term(request.args.get(SEARCH))
            found = services.search_recipients(case, term) if term else None
            form = consent_form(case, services.recipient_choices(
                case, also=found.ids if found else ()), context["consent_rule"])
        context |= {"consent_form": form, "consent_found": found, "consent_search": SEARCH}
        context["withdraw_form"] = forms.get("withdraw") or WithdrawConsentForm(
            prefix="withdraw", data={"version": case.version})
    if permissions.can_record_meldcode(user, case):
        context["meldcode_form"] = forms.get("meldcode") or MeldcodeForm(
            prefix="meldcode", data={"version": case.version,
                                     "justification": case.meldcode_justification})
    return context


def _ledger(case) -> list[Consent]:
    return list(db.session.scalars(
        sa.select(Consent).where(Consent.case_id == case.id)
        .options(so.joinedload(Consent.recipient))
        .order_by(Consent.given_on.desc(), Consent.id.desc())
    ))


@bp.post("/<int:case_id>/consents")
def consent_record(case_id: int):
    case = queries.case_or_404(case_id, user())
    rule = services.consent_rule(case.pupil.birth_year, date.today())
    chosen = pickers.submitted_ids(request.form.get("consent-recipient_organisation_id"))
    form = consent_form(case, services.recipient_choices(case, also=chosen), rule,
                        formdata=request.form)
    if stale(form.version.data, case):
        return conflict(case_id, form)
    if not permissions.can_manage_consent(current_user, case):
        deny(case, "consent:record")
    valid = form.validate()
    if form.given_on.data and not form.given_on.errors:
        # The age rule applies on the day the consent was given.
        show_parties(form, services.consent_rule(case.pupil.birth_year, form.given_on.data))
    if not valid:
        return render_detail(case, {"consent": form}, {"consent": form_errors(form)}, 422)
    data = services.ConsentData(
        recipient_organisation_id=int(form.recipient_organisation_id.data),
        purpose=form.purpose.data, given_on=form.given_on.data, expires_on=form.expires_on.data,
        covers_progress_notes=form.covers_progress_notes.data,
        parties=frozenset(form.parties.data or ()),
    )
    try:
        consent = services.record_consent(user(), case, version(form.version.data), data)
    except CaseConflict:
        return conflict(case_id, form)
    except CaseError as exc:
        return refused(case, "consent", form, exc)
    flash(f"De toestemming voor {consent.recipient.name} is vastgelegd.", "success")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor=ANCHOR))


@bp.post("/<int:case_id>/consents/<int:consent_id>/withdraw")
def consent_withdraw(case_id: int, consent_id: int):
    case = queries.case_or_404(case_id, user())
    consent = db.session.get(Consent, consent_id)
    if consent is None or consent.case_id != case.id:
        abort(404)
    form = WithdrawConsentForm(formdata=request.form, prefix="withdraw")
    return submit_case_form(
        case, form, "withdraw",
        allowed=permissions.can_manage_consent(current_user, case), action="consent:withdraw",
        save=lambda expected: services.withdraw_consent(user(), case, expected, consent),
        success=lambda _: f"De toestemming voor {consent.recipient.name} is ingetrokken. Wie "
                          "de casus alleen op grond van deze toestemming zag, ziet hem niet meer.",
        anchor=ANCHOR)


@bp.post("/<int:case_id>/meldcode")
def meldcode(case_id: int):
    case = queries.case_or_404(case_id, user())
    form = MeldcodeForm(formdata=request.form, prefix="meldcode")
    return submit_case_form(
        case, form, "meldcode",
        allowed=permissions.can_record_meldcode(current_user, case), action="meldcode:record",
        save=lambda expected: services.record_meldcode(user(), case, expected,
                                                       form.justification.data),
        success="De meldcode-afweging is vastgelegd en staat in de tijdlijn.", anchor=ANCHOR)
