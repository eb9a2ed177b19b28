"""The joint evaluation form. Field checks live here; the rules across fields (who took part,
the school's input, what each decision needs) are the service's `input_problems`, so the view
and the service apply the same ones."""

from wtforms import BooleanField, DateField, HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Optional

from app.cases.forms.core import REQUIRED, TEXT_MAX, DutchForm, at_most
from app.cases.models import GOAL_ATTAINMENT_LABELS, EvaluationDecision, GoalAttainment
from app.cases.services.evaluations import DOMAINS, EvaluationData
from app.cases.workflow import CLOSURE_REASON_LABELS, ESCALATION_REASON_LABELS

OUTCOME_LABELS = {
    "continue": "Voortzetten zoals afgesproken",
    "adjust": "Bijstellen: het arrangement aanpassen en doorgaan",
    "step_down": "Afschalen: doorgaan met lichtere hulp",
    "back_to_mdo": "Terug naar het MDO: opnieuw met elkaar bekijken wat nodig is",
    "close": "Casus sluiten",
    "escalate": "Escaleren",
}
DECISION_LABELS = {
    EvaluationDecision.continue_: "Voortzetten",
    EvaluationDecision.adjust: "Bijstellen",
    EvaluationDecision.step_down: "Afschalen",
    EvaluationDecision.close: "Sluiten",
    EvaluationDecision.escalate: "Escaleren",
}
DOMAIN_LABELS = {"school": "School", "thuis": "Thuis", "wijk": "Wijk"}
PARTY_FIELDS = ("school_present", "youth_care_present", "parents_present", "pupil_present")
# The browser's date picker sends ISO dates; typed by hand, Dutch order is accepted too.
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]


def _attainment_field(domain: str) -> RadioField:
    choices = {a.value: label for a, label in GOAL_ATTAINMENT_LABELS.items()
               if a != GoalAttainment.not_applicable}
    return RadioField(f"{DOMAIN_LABELS[domain]}: in hoeverre is het doel behaald?", choices=choices,
                      validate_choice=False, validators=[Optional()])


def _reasons(labels) -> dict[str, str]:
    return {"": "Kies een reden"} | {r.value: label for r, label in labels.items()}


class EvaluationForm(DutchForm):
    version = HiddenField(validators=[InputRequired(REQUIRED)])
    held_on = DateField("Datum van de evaluatie", format=DATE_FORMATS,
                        validators=[InputRequired("Vul de datum van de evaluatie in.")])
    school_present = BooleanField("School")
    youth_care_present = BooleanField("Jeugdhulp")
    parents_present = BooleanField("Ouders")
    pupil_present = BooleanField("Leerling")
    attainment_school = _attainment_field("school")
    attainment_thuis = _attainment_field("thuis")
    attainment_wijk = _attainment_field("wijk")
    school_input = TextAreaField("Wat ziet de school nu?", validators=[at_most(TEXT_MAX)])
    notes = TextAreaField("Toelichting", validators=[at_most(TEXT_MAX)])
    outcome = RadioField("Besluit", choices=OUTCOME_LABELS, validate_choice=False,
                         validators=[Optional()])
    next_evaluation_due = DateField("Volgende evaluatie op", format=DATE_FORMATS,
                                    validators=[Optional()])
    closure_reason = SelectField("Reden voor het sluiten", choices=_reasons(CLOSURE_REASON_LABELS),
                                 validate_choice=False)
    escalation_reason = SelectField("Reden voor de escalatie",
                                    choices=_reasons(ESCALATION_REASON_LABELS),
                                    validate_choice=False)
    rationale = TextAreaField("Onderbouwing van de escalatie", validators=[at_most(TEXT_MAX)])

    def __init__(self, *args, goals: dict[str, str] | None = None, **kwargs):
        kwargs.setdefault("prefix", "evaluation")
        super().__init__(*args, **kwargs)
        self.goals = goals or {}  # domain -> goal text of the current arrangement

    @property
    def attainment_fields(self):
        """(domain label, goal text, field) for each domain that has a goal."""
        return [(DOMAIN_LABELS[d], goal, self[f"attainment_{d}"]) for d, goal in self.goals.items()]

    def evaluation_data(self) -> EvaluationData:
        return EvaluationData(
            held_on=self.held_on.data, outcome=self.outcome.data or "",
            **{name: bool(self[name].data) for name in PARTY_FIELDS},
            attainment={d: self[f"attainment_{d}"].data for d in DOMAINS},
            school_input=self.school_input.data, notes=self.notes.data,
            next_evaluation_due=self.next_evaluation_due.data,
            closure_reason=self.closure_reason.data or None,
            escalation_reason=self.escalation_reason.data or None,
            rationale=self.rationale.data,
        )

    def add_problems(self, problems: dict[str, str]) -> None:
        """Show the service's objections at their fields (a field's own error goes first)."""
        for name, message in problems.items():
            target = self[name] if name in self else self.outcome
            if not target.errors:
                target.errors = [message]

    def messages(self) -> list[str]:
        return [m for f in self for m in f.errors]
