"""Forms of the arrangement (kind, provider, funding, goals per domain, period, evaluation
date) and of the plans. Choices are {value: label} dicts, so the 409 page shows labels."""

from datetime import date

from wtforms import BooleanField, DateField, HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from app.cases.forms.core import REQUIRED, TEXT_MAX, DutchForm, at_most
from app.cases.models import ARRANGEMENT_KIND_LABELS, PLAN_KIND_LABELS
from app.cases.services.arrangements import FUNDING_LABELS
from app.org.forms import DATE_FORMATS, NO_CHOICE, NO_DATE


def _date(label: str, requirement) -> DateField:
    return DateField(label, format=DATE_FORMATS, invalid_value_message=NO_DATE,
                     validators=[requirement])


def _goal(label: str) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), at_most(TEXT_MAX)])


class ArrangementForm(DutchForm):
    version = HiddenField(validators=[InputRequired(REQUIRED)])
    kind = SelectField(
        "Soort hulp", invalid_choice_message=NO_CHOICE,
        choices={"": "Kies de soort hulp"} | {k.value: label
                                              for k, label in ARRANGEMENT_KIND_LABELS.items()},
        validators=[DataRequired("Kies de soort hulp.")],
    )
    provider_organisation_id = SelectField("Aanbieder (optioneel)",
                                           invalid_choice_message=NO_CHOICE)
    funding = SelectField(
        "Financiering", invalid_choice_message=NO_CHOICE,
        choices={"": "Nog niet bekend"} | {f.value: label for f, label in FUNDING_LABELS.items()},
    )
    goal_school = _goal("Doel op school")
    goal_thuis = _goal("Doel thuis")
    goal_wijk = _goal("Doel in de wijk (vrije tijd, buurt)")
    starts_on = _date("Startdatum", InputRequired("Vul de startdatum in."))
    ends_on = _date("Einddatum (optioneel)", Optional())
    evaluation_due = _date("Evaluatiedatum",
                           InputRequired("Vul in wanneer het arrangement wordt geëvalueerd."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not any((f.data or "").strip() for f in (self.goal_school, self.goal_thuis,
                                                    self.goal_wijk)):
            self.goal_school.errors.append(
                "Beschrijf minstens één doel: op school, thuis of in de wijk.")
            valid = False
        start, end, due = self.starts_on.data, self.ends_on.data, self.evaluation_due.data
        if start and end and end < start:
            self.ends_on.errors.append("De einddatum ligt vóór de startdatum.")
            valid = False
        if start and due and due <= start:
            self.evaluation_due.errors.append("De evaluatiedatum moet na de startdatum liggen.")
            valid = False
        return valid


def arrangement_form(case, providers, arrangement=None, formdata=None) -> ArrangementForm:
    """Empty for a new arrangement, or showing `arrangement`; a POST keeps what was typed."""
    form = ArrangementForm(formdata=formdata)
    form.provider_organisation_id.choices = {"": "Nog niet bekend"} | {
        str(o.id): o.name for o in providers
    }
    if formdata is None:
        form.version.data = case.version
        if arrangement is not None:
            _show(form, arrangement)
        else:
            form.starts_on.data = date.today()
    return form


def _show(form: ArrangementForm, arrangement) -> None:
    form.kind.data = arrangement.kind.value
    form.provider_organisation_id.data = str(arrangement.provider_organisation_id or "")
    form.funding.data = arrangement.funding.value if arrangement.funding else ""
    for name in ("goal_school", "goal_thuis", "goal_wijk", "starts_on", "ends_on",
                 "evaluation_due"):
        form[name].data = getattr(arrangement, name)


class PlanForm(DutchForm):
    version = HiddenField(validators=[InputRequired(REQUIRED)])
    kind = SelectField(
        "Soort plan", invalid_choice_message=NO_CHOICE,
        choices={"": "Kies de soort plan"} | {k.value: label
                                              for k, label in PLAN_KIND_LABELS.items()},
        validators=[DataRequired("Kies de soort plan.")],
    )
    drawn_up_on = _date("Opgesteld op", InputRequired("Vul in wanneer het plan is opgesteld."))
    names_home = BooleanField("Het plan noemt het functioneren thuis")
    names_school = BooleanField("Het plan noemt het functioneren op school")
    summary = TextAreaField("Korte samenvatting (optioneel)",
                            validators=[Optional(), at_most(TEXT_MAX)])

    def validate_drawn_up_on(self, field) -> None:
        if field.data and field.data > date.today():
            raise ValidationError("De datum waarop het plan is opgesteld ligt in de toekomst.")


def plan_form(case, formdata=None) -> PlanForm:
    form = PlanForm(formdata=formdata, prefix="plan")
    if formdata is None:
        form.version.data = case.version
        form.drawn_up_on.data = date.today()
    return form
