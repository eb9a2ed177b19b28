"""The regional coordinator's queue (/escalaties) and the escalation page: assign to me, move up
a tier, record the decision, resolve back into the workflow. Coordinators only; each sees the
open escalations of escalated cases in their own region(s)."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.audit import services as audit
from app.auth import permissions
from app.cases.views.blueprint import conflict, deny, form_errors, stale, user, version
from app.cases.workflow import (
    ESCALATION_REASON_LABELS,
    STATE_LABELS,
    CaseState,
    EscalationReason,
    TransitionNotAllowed,
    unmet_conditions,
)
from app.escalation import queries, services
from app.escalation.forms import CaseVersionForm, DecisionForm, ResolveForm
from app.escalation.models import THUISZITTER_REASON_LABELS
from app.escalation.rules import RULES
from app.params import id_arg, is_id

# Named after the package, so the templates are found in app/escalation/templates.
bp = Blueprint("escalation", "app.escalation", url_prefix="/escalaties",
               template_folder="templates")


@bp.before_request
@login_required
def require_coordinator():
    if not permissions.can_see_escalation_queue(current_user):
        abort(403)


@bp.context_processor
def labels():
    return {"ESCALATION_REASON_LABELS": ESCALATION_REASON_LABELS, "RULES": RULES,
            "THUISZITTER_REASON_LABELS": THUISZITTER_REASON_LABELS}


def _filters() -> queries.QueueFilters:
    reason = request.args.get("reason") or None
    if reason is not None and reason not in EscalationReason.__members__:
        abort(400)
    assigned = request.args.get("assigned") or None
    if assigned is not None and assigned not in ("mij", "niemand") and not is_id(assigned):
        abort(400)
    return queries.QueueFilters(
        reason=EscalationReason(reason) if reason else None, tier=id_arg("tier"),
        municipality_id=id_arg("municipality"), school_id=id_arg("school"),
        assigned=assigned)


@bp.get("/")
def queue():
    filters, today = _filters(), date.today()
    page = queries.queue_page(user(), filters, request.args.get("page", 1, type=int))
    escalations = page.items
    region_ids = {e.case.school.region_id for e in escalations}
    tiers = queries.tiers_by_level(region_ids)
    episodes = queries.open_episodes([e.case_id for e in escalations])
    html = render_template("escalation/queue.html", page=page, filters=filters,
                           choices=queries.filter_choices(user(), filters), tiers=tiers,
                           episodes=episodes, today=today, sla=queries.sla_status)
    # Logged once the page is built and before it is sent: nothing is shown unlogged.
    audit.record_access("list", object_type="escalation_queue",
                        detail=f"{filters.describe()} pagina={page.page} treffers={page.total}")
    return html


def _page(escalation, forms=None, errors=None, status=200):
    case, today = escalation.case, date.today()
    region_id = case.school.region_id
    forms = forms or {}
    data = {"version": case.version}
    return render_template(
        "escalation/detail.html", escalation=escalation, case=case, today=today,
        tier=services.tier_of(region_id, escalation.tier),
        next_tier=services.next_tier(region_id, escalation.tier),
        sla=queries.sla_status(escalation.due_on, today),
        episode=queries.open_episode(case.id),
        assign_form=forms.get("assign") or CaseVersionForm(prefix="assign", data=data),
        tier_form=forms.get("tier") or CaseVersionForm(prefix="tier", data=data),
        decision_form=forms.get("decision") or DecisionForm(prefix="decision", data=data | {
            "decision": escalation.decision,
            "funding_guarantee": escalation.funding_guarantee}),
        resolve_form=forms.get("resolve") or ResolveForm(prefix="resolve", data=data),
        resolve_unmet=unmet_conditions(case, "resolve_escalation", preview=True),
        errors=errors or {}, STATE_LABELS=STATE_LABELS,
    ), status


@bp.get("/<int:escalation_id>")
def detail(escalation_id: int):
    escalation = queries.escalation_or_404(escalation_id, user())
    case = escalation.case
    audit.record_access("read", case, permissions.case_access(current_user, case),
                        object_type="escalation", object_id=escalation.id)
    return _page(escalation)


def _act(escalation_id: int, key: str, form_class, action: str, run, success: str):
    """The pattern of every button on the page: scope, stale version (409), permission (403),
    validation (422), one service call, flash, redirect."""
    escalation = queries.escalation_or_404(escalation_id, user())
    case = escalation.case
    form = form_class(formdata=request.form, prefix=key)
    if stale(form.version.data, case):
        return conflict(case.id, form)
    if not permissions.can_handle_escalation(current_user, escalation):
        deny(case, action)
    if not form.validate():
        return _page(escalation, {key: form}, {key: form_errors(form)}, 422)
    try:
        message = run(escalation, form, version(form.version.data)) or success
    except services.CaseConflict:
        return conflict(case.id, form)
    except (services.CaseError, TransitionNotAllowed) as exc:
        messages = getattr(exc, "unmet", None) or [str(exc)]
        field = getattr(exc, "field", None)
        if field and field in form:
            form[field].errors = [*form[field].errors, str(exc)]
        return _page(escalation, {key: form}, {key: messages}, 422)
    flash(message, "success")
    if case.state != CaseState.escalation:
        return redirect(url_for("escalation.queue"))  # out of the coordinator's hands now
    return redirect(url_for("escalation.detail", escalation_id=escalation.id))


@bp.post("/<int:escalation_id>/assign")
def assign(escalation_id: int):
    return _act(escalation_id, "assign", CaseVersionForm, "escalation:assign",
                lambda e, form, v: services.assign_to_me(user(), e, v),
                "De escalatie staat nu op uw naam.")


@bp.post("/<int:escalation_id>/tier")
def tier_up(escalation_id: int):
    def run(escalation, form, expected):
        tier = services.tier_up(user(), escalation, expected)
        return f"Opgeschaald naar {tier.name}."

    return _act(escalation_id, "tier", CaseVersionForm, "escalation:tier_up", run, "")


@bp.post("/<int:escalation_id>/decision")
def decide(escalation_id: int):
    return _act(escalation_id, "decision", DecisionForm, "escalation:decide",
                lambda e, form, v: services.record_decision(
                    user(), e, v, form.decision.data, form.funding_guarantee.data),
                "Het besluit is vastgelegd.")


@bp.post("/<int:escalation_id>/resolve")
def resolve(escalation_id: int):
    def run(escalation, form, expected):
        case = services.resolve(user(), escalation, expected, form.dest.data, form.note.data)
        return (f"De escalatie is afgerond. De casus {case.pupil.reference} staat weer in "
                f"'{STATE_LABELS[case.state]}'.")

    return _act(escalation_id, "resolve", ResolveForm, "transition:resolve_escalation", run, "")
