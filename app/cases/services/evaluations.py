"""The joint evaluation of an arrangement: school, youth care, parents and pupil look at the
goals per domain and decide. The evaluation row and the workflow step its decision fires are
one commit: a step the workflow refuses stores no evaluation either."""

from dataclasses import dataclass, field
from datetime import date

from app.cases.models import Case, Evaluation, EvaluationDecision, GoalAttainment
from app.cases.services.core import CaseError, apply_trigger, changing, record_event
from app.cases.workflow import CLOSURE_REASON_LABELS, ESCALATION_REASON_LABELS, CaseState
from app.filters import nl_date
from app.models import utcnow
from app.notifications.services import notify

DOMAINS = ("school", "thuis", "wijk")

# What the user chooses -> (decision stored on the evaluation, workflow step it fires).
# "Back to the MDO" is an adjustment too big for the case team alone: stored as `adjust`,
# it sends the case to a new MDO instead of back into the running arrangement.
OUTCOMES = {
    "continue": (EvaluationDecision.continue_, "continue_arrangement"),
    "adjust": (EvaluationDecision.adjust, "continue_arrangement"),
    "step_down": (EvaluationDecision.step_down, "continue_arrangement"),
    "back_to_mdo": (EvaluationDecision.adjust, "back_to_mdo"),
    "close": (EvaluationDecision.close, "close"),
    "escalate": (EvaluationDecision.escalate, "escalate"),
}
# For a domain with a goal; "no goal in this domain" is what the others get.
ATTAINED = frozenset(a.value for a in GoalAttainment if a != GoalAttainment.not_applicable)
CONTINUING = frozenset(o for o, (_, trigger) in OUTCOMES.items()
                       if trigger == "continue_arrangement")

NOT_IN_EVALUATION = ("Een evaluatie legt u vast als de casus in de fase Evaluatie staat: "
                     "start die eerst via Volgende stap.")
CLOSE_WITHOUT_SCHOOL = (
    "Sluiten kan alleen met de inbreng van de school: kruis aan dat de school erbij was, of "
    "schrijf op wat de school nu ziet (bijvoorbeeld aanwezigheid en verzuim). Zo sluit de "
    "jeugdhulp niet af terwijl het op school slechter gaat."
)

__all__ = ["DOMAINS", "OUTCOMES", "EvaluationData", "goals_of", "input_problems",
           "record_evaluation"]


@dataclass
class EvaluationData:
    held_on: date | None
    outcome: str  # a key of OUTCOMES
    school_present: bool = False
    youth_care_present: bool = False
    parents_present: bool = False
    pupil_present: bool = False
    attainment: dict[str, str | None] = field(default_factory=dict)  # domain -> GoalAttainment
    school_input: str | None = None
    notes: str | None = None
    next_evaluation_due: date | None = None
    closure_reason: str | None = None
    escalation_reason: str | None = None
    rationale: str | None = None


def goals_of(case: Case) -> dict[str, str]:
    """The goals of the current arrangement, per domain that has one."""
    arrangement = case.current_arrangement
    goals = {d: (getattr(arrangement, f"goal_{d}", None) or "").strip() for d in DOMAINS}
    return {d: goal for d, goal in goals.items() if goal}


def _text(value: str | None) -> str:
    return (value or "").strip()


def input_problems(case: Case, data: EvaluationData, today: date | None = None) -> dict[str, str]:
    """What stops `data` from being stored, as {form field: what to do, in Dutch}."""
    today = today or date.today()
    problems = {}
    if data.held_on is None:
        problems["held_on"] = "Vul de datum van de evaluatie in."
    elif data.held_on > today:
        problems["held_on"] = ("Die datum ligt in de toekomst: leg de evaluatie vast nadat die "
                               "is gehouden.")
    problems |= _party_problems(data)
    problems |= {f"attainment_{d}": "Geef aan in hoeverre dit doel is behaald."
                 for d in goals_of(case) if data.attainment.get(d) not in ATTAINED}
    return problems | _outcome_problems(data, today)


def _party_problems(data: EvaluationData) -> dict[str, str]:
    """The evaluation is joint: who was missing says why, and the school is always heard."""
    present = (data.school_present, data.youth_care_present, data.parents_present,
               data.pupil_present)
    if not any(present):
        return {"school_present": "Kruis aan wie er aan de evaluatie deelnamen."}
    problems = {}
    missing = [name for name, here in (("de school", data.school_present),
                                       ("de jeugdhulp", data.youth_care_present)) if not here]
    if missing and not _text(data.notes):
        verb = "was" if len(missing) == 1 else "waren"
        problems["notes"] = (f"De evaluatie is gezamenlijk: schrijf kort waarom "
                             f"{' en '.join(missing)} er niet bij {verb}.")
    if not data.school_present and not _text(data.school_input):
        problems["school_input"] = (
            CLOSE_WITHOUT_SCHOOL if data.outcome == "close"
            else "De school was er niet bij: schrijf op wat de school nu ziet."
        )
    return problems


def _outcome_problems(data: EvaluationData, today: date) -> dict[str, str]:
    if data.outcome not in OUTCOMES:
        return {"outcome": "Kies een besluit."}
    problems = {}
    if data.outcome in CONTINUING and not (data.next_evaluation_due
                                           and data.next_evaluation_due > today):
        problems["next_evaluation_due"] = "Kies een nieuwe evaluatiedatum na vandaag."
    if data.outcome == "close" and data.closure_reason not in {
            r.value for r in CLOSURE_REASON_LABELS}:
        problems["closure_reason"] = "Kies een reden voor het sluiten."
    if data.outcome == "escalate":
        if data.escalation_reason not in {r.value for r in ESCALATION_REASON_LABELS}:
            problems["escalation_reason"] = "Kies een reden voor de escalatie."
        if not _text(data.rationale):
            problems["rationale"] = "Onderbouw de escalatie."
    return problems


def record_evaluation(actor, case: Case, expected_version: int,
                      data: EvaluationData) -> Evaluation:
    """Store the joint evaluation and fire the step its decision means, in one commit.

    Raises CaseConflict (changed meanwhile), CaseError (input that cannot be stored, at its
    field) or TransitionNotAllowed (the workflow refused the step); each stores nothing.
    """
    decision, trigger = OUTCOMES.get(data.outcome, (None, None))
    with changing(actor, case, expected_version, "create:evaluation",
                  fields=("evaluation",)) as access:
        if case.state != CaseState.evaluation:
            raise CaseError(NOT_IN_EVALUATION)
        problems = input_problems(case, data)
        if problems:
            name, message = next(iter(problems.items()))
            raise CaseError(message, field=name)
        evaluation = _evaluation(actor, case, decision, data)
        case.evaluations.append(evaluation)
        record_event(case, "evaluation", summary(evaluation), actor)
        apply_trigger(actor, case, trigger, access, **_step_input(data))
        if trigger == "close":
            # An escalation tells the team itself, whoever fires it (app.escalation.services).
            _notify_team(actor, case)
    return evaluation


def _evaluation(actor, case: Case, decision: EvaluationDecision,
                data: EvaluationData) -> Evaluation:
    goals = goals_of(case)
    arrangement = case.current_arrangement
    evaluation = Evaluation(
        arrangement_id=arrangement.id if arrangement else None, held_on=data.held_on,
        due_on=arrangement.evaluation_due if arrangement else None,
        # Set now, not at flush: the workflow's guards read it before anything is flushed.
        recorded_at=utcnow(), recorded_by_id=actor.id,
        school_present=data.school_present, youth_care_present=data.youth_care_present,
        parents_present=data.parents_present, pupil_present=data.pupil_present,
        school_input=_text(data.school_input) or None, notes=_text(data.notes) or None,
        decision=decision,
        next_evaluation_due=data.next_evaluation_due if data.outcome in CONTINUING else None,
    )
    for domain in DOMAINS:
        value = data.attainment.get(domain) if domain in goals else None
        setattr(evaluation, f"attainment_{domain}",
                GoalAttainment(value) if value else GoalAttainment.not_applicable)
    return evaluation


def _step_input(data: EvaluationData) -> dict:
    if data.outcome == "close":
        return {"reason": data.closure_reason}
    if data.outcome == "escalate":
        return {"reason": data.escalation_reason, "note": _text(data.rationale)}
    return {}


PARTY_NAMES = (("school_present", "school"), ("youth_care_present", "jeugdhulp"),
               ("parents_present", "ouders"), ("pupil_present", "leerling"))


def parties(evaluation) -> list[str]:
    """Who took part, in Dutch: ["school", "jeugdhulp", "ouders", "leerling"]."""
    return [name for attr, name in PARTY_NAMES if getattr(evaluation, attr)]


def dutch_list(words: list[str]) -> str:
    return " en ".join(filter(None, [", ".join(words[:-1]), *words[-1:]]))


def summary(evaluation: Evaluation) -> str:
    """The timeline line: who took part, never what was said."""
    return (f"Evaluatie gehouden op {nl_date(evaluation.held_on)} met "
            f"{dutch_list(parties(evaluation))}")


CLOSED_NOTICE = "Een casus waarbij u betrokken bent, is na de evaluatie gesloten."


def _notify_team(actor, case: Case) -> None:
    """The school staff member who opened the case and the regie holder hear of a closure they
    did not decide themselves."""
    recipients = {u.id: u for u in (case.opened_by, case.regie_holder)
                  if u is not None and u.id != actor.id and u.active}
    for user in recipients.values():
        notify(user, "evaluation_decision", CLOSED_NOTICE, case=case, link=f"/cases/{case.id}")
