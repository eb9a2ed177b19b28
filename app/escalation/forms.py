"""Forms of the escalation page, the thuiszitter section and the ladder admin screens."""

from datetime import date

from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from app.cases.forms import REQUIRED, TEXT_MAX, DutchForm, at_most
from app.cases.forms.core import RESOLVE_DESTS
from app.escalation.models import THUISZITTER_REASON_LABELS
from app.org.forms import DATE_FORMATS, NO_CHOICE, NO_DATE, NO_NUMBER


def _date(label: str) -> DateField:
    return DateField(label, format=DATE_FORMATS, invalid_value_message=NO_DATE,
                     validators=[InputRequired(NO_DATE)])


class CaseVersionForm(DutchForm):
    """A button on the escalation page: only the case version it was rendered with."""

    version = HiddenField(validators=[InputRequired(REQUIRED)])


class DecisionForm(CaseVersionForm):
    decision = TextAreaField(
        "Besluit", description="Wat is besloten, door wie, en wie doet wat wanneer.",
        validators=[DataRequired("Beschrijf het besluit."), at_most(TEXT_MAX)])
    funding_guarantee = BooleanField(
        "Garantstelling: de financiering is gegarandeerd, de verdeling volgt later")


class ResolveForm(CaseVersionForm):
    dest = SelectField("Terug naar", choices=dict(RESOLVE_DESTS), invalid_choice_message=NO_CHOICE,
                       validators=[InputRequired("Kies waar de casus verder gaat.")])
    note = TextAreaField("Toelichting (optioneel)", validators=[Optional(), at_most(TEXT_MAX)])


def _reason_choices() -> dict[str, str]:
    return {r.value: label for r, label in THUISZITTER_REASON_LABELS.items()}


class StartEpisodeForm(CaseVersionForm):
    started_on = _date("Thuis sinds")
    reason = SelectField("Reden", choices={"": "Kies een reden"} | _reason_choices(),
                         invalid_choice_message=NO_CHOICE,
                         validators=[DataRequired("Kies een reden.")])
    exemption = BooleanField("Vrijstelling van de leerplicht (bijvoorbeeld artikel 5a)")


class EndEpisodeForm(CaseVersionForm):
    ended_on = _date("Weer naar school (of elders onderwijs) op")


def start_episode_form(case=None, formdata=None) -> StartEpisodeForm:
    form = StartEpisodeForm(formdata=formdata, prefix="thuiszitter")
    if case is not None and formdata is None:
        form.version.data = case.version
    return form


def end_episode_form(case=None, formdata=None, today: date | None = None) -> EndEpisodeForm:
    form = EndEpisodeForm(formdata=formdata, prefix="thuiszitter_end")
    if case is not None and formdata is None:
        form.version.data = case.version
        form.ended_on.data = today or date.today()
    return form


# --- the ladder (admin) -----------------------------------------------------------------------


class TierForm(DutchForm):
    level = IntegerField(
        "Niveau", invalid_value_message=NO_NUMBER,
        description="1 is de eerste trede; opschalen gaat naar het volgende niveau dat bestaat.",
        validators=[InputRequired("Vul het niveau in, bijvoorbeeld 1."),
                    NumberRange(min=1, max=20, message="Kies een niveau van %(min)s tot %(max)s.")])
    name = StringField("Naam", description="Bijvoorbeeld: E1 – onafhankelijk voorzitter",
                       validators=[DataRequired("Vul een naam in."), at_most(120)])
    sla_days = IntegerField(
        "Termijn in dagen", invalid_value_message=NO_NUMBER,
        description="Binnen hoeveel dagen op deze trede een besluit valt.",
        validators=[InputRequired("Vul de termijn in dagen in."),
                    NumberRange(min=1, max=365,
                                message="Kies een termijn van %(min)s tot %(max)s dagen.")])
    decider = StringField(
        "Wie besluit", description="Bijvoorbeeld: wethouder van de grootste gemeente",
        validators=[DataRequired("Beschrijf wie op deze trede besluit."), at_most(300)])


def _threshold(label: str, unit: str, maximum: int, hint: str) -> IntegerField:
    return IntegerField(
        f"{label} (in {unit})", description=hint, invalid_value_message=NO_NUMBER,
        validators=[InputRequired(f"Vul het aantal {unit} in."),
                    NumberRange(min=1, max=maximum,
                                message=f"Kies %(min)s tot %(max)s {unit}.")])


class ThresholdsForm(DutchForm):
    escalation_referral_days = _threshold(
        "Verwijzing niet beantwoord", "dagen", 365,
        "Na zoveel dagen zonder antwoord (en na de antwoorddatum) wordt geëscaleerd.")
    escalation_waiting_weeks = _threshold(
        "Wacht op hulp", "weken", 104, "Na zoveel weken tussen acceptatie en start van de hulp.")
    escalation_thuiszitter_weeks = _threshold(
        "Thuiszitter", "weken", 104, "Na zoveel weken thuis (zonder vrijstelling).")
    escalation_no_regie_days = _threshold(
        "Niemand met casusregie", "dagen", 365,
        "Na zoveel dagen in een fase na de signalering zonder casusregie.")
    escalation_evaluation_days = _threshold(
        "Evaluatie te laat", "dagen", 365, "Na zoveel dagen over de evaluatiedatum.")
