"""Forms of the survey rounds: a new round, opening it (links per group), closing it, the
question bank, and the respondent's questionnaire (one radio group per question, nothing to
type: no free text can carry anything personal)."""

from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from app.cases.forms import DutchForm, at_most
from app.monitor.indicators import INDICATORS, SECTIONS
from app.monitor.survey.models import (
    AUDIENCE_LABELS,
    OPTIONS,
    SCALE_LABELS,
    Audience,
    Scale,
    SurveyRoundQuestion,
)
from app.monitor.survey.services import MAX_LINKS, QuestionData
from app.org.forms import NO_CHOICE, NO_NUMBER

CHOOSE_ANSWER = "Kies een antwoord bij deze vraag."
LINKS_MESSAGE = f"Vul een getal in van 0 tot en met {MAX_LINKS}."


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RoundForm(DutchForm):
    title = StringField("Naam van de ronde", filters=[_strip],
                        description="Bijvoorbeeld: Najaarsmeting 2025.",
                        validators=[DataRequired("Geef de ronde een naam."), at_most(120)])
    periode = SelectField("Schooljaar", invalid_choice_message=NO_CHOICE,
                          description="De uitslag staat naast de cijfers uit de dossiers van "
                                      "dit schooljaar.",
                          validators=[DataRequired("Kies een schooljaar.")])


def _links_field(audience: Audience) -> IntegerField:
    return IntegerField(f"Aantal links: {AUDIENCE_LABELS[audience]}", default=0,
                        invalid_value_message=NO_NUMBER,
                        validators=[InputRequired(LINKS_MESSAGE),
                                    NumberRange(0, MAX_LINKS, LINKS_MESSAGE)])


class OpenRoundForm(DutchForm):
    professionals = _links_field(Audience.professionals)
    ouders = _links_field(Audience.ouders)
    jongeren = _links_field(Audience.jongeren)
    beleid = _links_field(Audience.beleid)

    def counts(self) -> dict[Audience, int]:
        return {audience: self[audience.value].data or 0 for audience in Audience}


class ButtonForm(DutchForm):
    """A button that only needs its CSRF token (close a round, fill the bank)."""


def _indicator_choices() -> dict[str, str]:
    return {"": "Geen"} | {i.key: f"{i.title} ({i.section_title})" for i in INDICATORS}


class QuestionForm(DutchForm):
    audience = SelectField("Groep",
                           choices={a.value: label for a, label in AUDIENCE_LABELS.items()},
                           invalid_choice_message=NO_CHOICE,
                           validators=[DataRequired("Kies de groep die de vraag krijgt.")])
    theme = SelectField("Onderdeel van de monitor", choices={s.key: s.title for s in SECTIONS},
                        invalid_choice_message=NO_CHOICE,
                        validators=[DataRequired("Kies een onderdeel.")])
    topic = StringField("Kopje (optioneel)", filters=[_strip],
                        description="Bijvoorbeeld de werkzame factor: Gedeelde visie.",
                        validators=[Optional(), at_most(60)])
    text = TextAreaField("Vraag of stelling", filters=[_strip],
                         validators=[DataRequired("Vul de vraag in."), at_most(300)])
    scale = SelectField("Antwoordschaal",
                        choices={s.value: label for s, label in SCALE_LABELS.items()},
                        invalid_choice_message=NO_CHOICE,
                        validators=[DataRequired("Kies een antwoordschaal.")])
    position = IntegerField("Volgorde", default=100, invalid_value_message=NO_NUMBER,
                            description="Een lager getal staat eerder in de vragenlijst.",
                            validators=[InputRequired("Vul een getal in van 1 tot en met 9999."),
                                        NumberRange(1, 9999, "Vul een getal in van 1 tot en met "
                                                             "9999.")])
    indicator_key = SelectField(
        "Vergelijken met (indicator uit de monitor)", choices=_indicator_choices(),
        invalid_choice_message=NO_CHOICE,
        description="Een cijfer uit de dossiers dat hetzelfde meet (ervaren naast gemeten), "
                    "of een enquête-onderdeel van de monitor dat deze vraag beantwoordt.")
    active = BooleanField("Actief: komt in nieuwe rondes", default=True)

    def data_object(self) -> QuestionData:
        return QuestionData(Audience(self.audience.data), self.theme.data, self.topic.data,
                            self.text.data, Scale(self.scale.data), self.position.data,
                            self.indicator_key.data, bool(self.active.data))


def field_name(question: SurveyRoundQuestion) -> str:
    return f"vraag{question.id}"


def response_form(questions: list[SurveyRoundQuestion]) -> DutchForm:
    """One required radio group per question, its options the question's scale."""

    class ResponseForm(DutchForm):
        pass

    for question in questions:
        setattr(ResponseForm, field_name(question), RadioField(
            question.text, choices=dict(OPTIONS[question.scale]),
            invalid_choice_message=CHOOSE_ANSWER, validators=[InputRequired(CHOOSE_ANSWER)]))
    return ResponseForm()
