"""The joint evaluation on the case page: the form in the evaluation phase, the evaluations
held so far, and the step each one's decision fired."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import flash, redirect, request, url_for
from flask_login import current_user
from markupsafe import Markup

from app.auth import permissions
from app.auth.models import User
from app.cases import queries, services
from app.cases.forms.evaluations import DECISION_LABELS, DOMAIN_LABELS, EvaluationForm
from app.cases.models import GOAL_ATTAINMENT_LABELS, GoalAttainment
from app.cases.services import evaluations
from app.cases.views.blueprint import (
    bp,
    conflict,
    deny,
    detail_section,
    render_detail,
    stale,
    user,
    version,
)
from app.cases.workflow import CaseState, reason_label
from app.extensions import db
from app.filters import nl_date

FORM_KEY = "evaluation"
# How long before its date the case page starts pointing at the coming evaluation.
DUE_SOON = timedelta(days=14)


@dataclass(frozen=True)
class EvaluationRow:
    held_on: date
    parties: str
    attainment: list[tuple[str, str]]  # (domain, result) for the domains that had a goal
    decision: str
    reason: str | None
    next_due: date | None
    school_input: str | None
    notes: str | None
    recorded_by: str | None
    recorded_at: datetime


@dataclass(frozen=True)
class DueEvaluation:
    on: date
    startable: bool  # the date is reached or the arrangement ended: start_evaluation may fire


@detail_section
def evaluation_section(case, viewer, forms) -> dict:
    form = None
    if case.state == CaseState.evaluation and permissions.can_record_evaluation(viewer, case):
        form = forms.get(FORM_KEY) or _new_form(case)
    return {"evaluation_form": form, "evaluation_rows": _rows(case),
            "evaluation_due": _due(case)}


def _new_form(case) -> EvaluationForm:
    form = EvaluationForm(formdata=None, goals=evaluations.goals_of(case))
    form.version.data = case.version
    # Nobody is ticked as present beforehand: who was at the table is a fact to record, and
    # the school's presence is what allows closing.
    form.held_on.data = date.today()
    return form


def _due(case, today: date | None = None) -> DueEvaluation | None:
    arrangement = case.current_arrangement
    if case.state != CaseState.arrangement or arrangement is None:
        return None
    today = today or date.today()
    ended = arrangement.ends_on is not None and arrangement.ends_on <= today
    due = arrangement.evaluation_due
    if due is None or (due > today + DUE_SOON and not ended):
        return None
    return DueEvaluation(due, ended or due <= today)


def _rows(case) -> list[EvaluationRow]:
    """The evaluations held so far, newest first, each with the step its decision fired."""
    names = dict(db.session.execute(
        sa.select(User.id, User.name).where(User.id.in_({e.recorded_by_id
                                                          for e in case.evaluations}))
    ).all()) if case.evaluations else {}
    return [_row(case, e, names) for e in reversed(case.evaluations)]


def _row(case, evaluation, names) -> EvaluationRow:
    step = _step_after(case, evaluation)
    decision = DECISION_LABELS[evaluation.decision]
    if step is not None and step.trigger == "back_to_mdo":
        decision = f"{decision}: terug naar het MDO"
    attainment = [
        (DOMAIN_LABELS[d], GOAL_ATTAINMENT_LABELS[value])
        for d in evaluations.DOMAINS
        if (value := getattr(evaluation, f"attainment_{d}")) not in (
            None, GoalAttainment.not_applicable)
    ]
    return EvaluationRow(
        held_on=evaluation.held_on,
        parties=evaluations.dutch_list(evaluations.parties(evaluation)) or "–",
        attainment=attainment, decision=decision,
        reason=reason_label(step.trigger, step.reason) if step and step.reason else None,
        next_due=evaluation.next_evaluation_due, school_input=evaluation.school_input,
        notes=evaluation.notes, recorded_by=names.get(evaluation.recorded_by_id),
        recorded_at=evaluation.recorded_at,
    )


def _step_after(case, evaluation):
    """The workflow step out of the evaluation phase that this evaluation decided."""
    return next((t for t in case.history
                 if t.from_state == CaseState.evaluation and t.at >= evaluation.recorded_at),
                None)


@bp.post("/<int:case_id>/evaluation")
def record_evaluation(case_id: int):
    case = queries.case_or_404(case_id, user())
    form = EvaluationForm(formdata=request.form, goals=evaluations.goals_of(case))
    if stale(form.version.data, case):
        return conflict(case_id, form)
    if not permissions.can_record_evaluation(current_user, case):
        deny(case, "create:evaluation")
    if case.state != CaseState.evaluation:
        return _again(case, form, [evaluations.NOT_IN_EVALUATION])
    valid = form.validate()
    form.add_problems(evaluations.input_problems(case, form.evaluation_data()))
    if not valid or form.messages():
        return _again(case, form)
    data = form.evaluation_data()
    try:
        evaluations.record_evaluation(user(), case, version(form.version.data), data)
    except services.CaseConflict:
        return conflict(case_id, form)
    except services.CaseError as exc:
        if exc.field in form:
            form.add_problems({exc.field: str(exc)})
            return _again(case, form)
        return _again(case, form, [str(exc)])
    except services.TransitionNotAllowed as exc:
        return _again(case, form, exc.unmet or [str(exc)])
    flash(_done_message(case, data), "success")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="kop-evaluatie"))


def _again(case, form, messages=()):
    """The case page with the form and the user's input, saying what stopped it (422)."""
    return render_detail(case, {FORM_KEY: form}, {FORM_KEY: [*messages, *form.messages()]}, 422)


def _done_message(case, data) -> str | Markup:
    outcome = data.outcome
    if outcome == "continue":
        return (f"De evaluatie is vastgelegd. Het arrangement loopt door; de volgende evaluatie "
                f"is op {nl_date(data.next_evaluation_due)}.")
    if outcome in ("adjust", "step_down"):
        # The arrangement form belongs to the arrangement part of the case page.
        link = url_for("cases.detail", case_id=case.id, _anchor="kop-arrangement")
        change = "bijgesteld" if outcome == "adjust" else "afgeschaald"
        return Markup(
            "De evaluatie is vastgelegd en het arrangement loopt door. Leg nu vast hoe het "
            'arrangement wordt {change}: <a href="{link}">naar het arrangement</a>.'
        ).format(change=change, link=link)
    return {
        "back_to_mdo": "De evaluatie is vastgelegd. De casus gaat terug naar het MDO: "
                       "plan een nieuw MDO.",
        "close": "De evaluatie is vastgelegd en de casus is gesloten.",
        "escalate": "De evaluatie is vastgelegd en de casus is geëscaleerd.",
    }[outcome]
