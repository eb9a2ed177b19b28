"""The thuiszitter section of the case page (its partial is cases/_thuiszitter.html): start and
end an episode. On its own blueprint with case URLs, as the case page's forms post here."""

from datetime import date

from flask import Blueprint, request
from flask_login import current_user, login_required

from app.auth import permissions
from app.cases import queries as case_queries
from app.cases.views.blueprint import detail_section, submit_case_form, user
from app.escalation import queries, thuiszitters
from app.escalation.forms import end_episode_form, start_episode_form
from app.escalation.models import THUISZITTER_REASON_LABELS, ThuiszitterReason

bp = Blueprint("thuiszitter", __name__, url_prefix="/cases")
ANCHOR = "kop-thuiszitter"


@bp.before_request
@login_required
def require_login():
    pass


@detail_section
def thuiszitter_section(case, user, forms) -> dict:
    episodes = queries.episodes_of(case.id)
    current = next((e for e in episodes if e.ended_on is None), None)
    context = {"thuiszitter_episodes": episodes, "thuiszitter_current": current,
               "thuiszitter_today": date.today(),
               "THUISZITTER_REASON_LABELS": THUISZITTER_REASON_LABELS,
               "escalation_open": None}
    if permissions.can_record_thuiszitter(user, case):
        # The form that fits the episode's state, or the one just refused (with its message).
        if current is None or "thuiszitter" in forms:
            context["thuiszitter_start_form"] = (forms.get("thuiszitter")
                                                 or start_episode_form(case))
        if current is not None or "thuiszitter_end" in forms:
            context["thuiszitter_end_form"] = (forms.get("thuiszitter_end")
                                               or end_episode_form(case))
    escalation = case.open_escalation
    if escalation is not None and permissions.can_handle_escalation(user, escalation):
        context["escalation_open"] = escalation
    return context


@bp.post("/<int:case_id>/thuiszitter")
def start(case_id: int):
    case = case_queries.case_or_404(case_id, user())
    form = start_episode_form(formdata=request.form)

    def save(expected: int) -> None:
        data = thuiszitters.EpisodeData(form.started_on.data,
                                        ThuiszitterReason(form.reason.data), form.exemption.data)
        thuiszitters.start_episode(user(), case, expected, data)

    return submit_case_form(case, form, "thuiszitter",
                            allowed=permissions.can_record_thuiszitter(current_user, case),
                            action="thuiszitter:start", save=save,
                            success="De thuiszitterperiode is vastgelegd.", anchor=ANCHOR)


@bp.post("/<int:case_id>/thuiszitter/end")
def end(case_id: int):
    case = case_queries.case_or_404(case_id, user())
    form = end_episode_form(formdata=request.form)
    return submit_case_form(
        case, form, "thuiszitter_end",
        allowed=permissions.can_record_thuiszitter(current_user, case), action="thuiszitter:end",
        save=lambda expected: thuiszitters.end_episode(user(), case, expected, form.ended_on.data),
        success="De thuiszitterperiode is beëindigd.", anchor=ANCHOR)
