from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.meta import DefaultMeta
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from app.cases.models import SIGNAL_CATEGORY_LABELS
from app.cases.workflow import (
    CLOSURE_REASON_LABELS,
    ESCALATION_REASON_LABELS,
    STATE_LABELS,
    CaseState,
)

TEXT_MAX = 5000
REQUIRED = "Dit veld is verplicht."


def at_most(length: int) -> Length:
    return Length(max=length, message="Gebruik hoogstens %(max)d tekens.")


class DutchForm(FlaskForm):
    """WTForms' own messages ("Not a valid integer value.") in Dutch, from its bundled catalogue."""

    class Meta:
        locales = ("nl",)

        def get_translations(self, form):
            # Flask-WTF only translates through Flask-Babel, which Schakel does not use.
            return DefaultMeta.get_translations(self, form)


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _signal_choices() -> dict[str, str]:
    # value -> label shorthand: WTForms 3.3 deprecates tuple choices at field construction.
    return {c.value: label for c, label in SIGNAL_CATEGORY_LABELS.items()}


class SignaleringFields(DutchForm):
    signals = MultiCheckboxField(
        "Signalen", choices=_signal_choices(),
        validators=[DataRequired("Kies minstens één soort signaal.")],
    )
    description = TextAreaField(
        "Wat ziet u?",
        validators=[DataRequired("Beschrijf kort wat u ziet."), at_most(TEXT_MAX)],
    )
    hulpvraag = TextAreaField(
        "Hulpvraag",
        validators=[Optional(), at_most(TEXT_MAX)],
    )
    discussed_with_parents = BooleanField("De zorg is met de ouders (en de leerling) besproken")


class SignaleringForm(SignaleringFields):
    """New signalering: the pupil (pseudonymous) and the concern."""

    school_id = SelectField("School", coerce=int,
                            validators=[InputRequired("Kies de school van de leerling.")])
    reference = StringField(
        "Leerlingreferentie",
        validators=[
            DataRequired("Vul de leerlingreferentie van uw school in."),
            at_most(32),
            Regexp(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$",
                   message="Gebruik alleen letters, cijfers, punt, streepje of schuine streep."),
        ],
    )
    initials = StringField(
        "Initialen",
        validators=[
            DataRequired("Vul de initialen in."), at_most(8),
            Regexp(r"^[A-Za-z][A-Za-z. ]*$", message="Alleen letters en punten, bijvoorbeeld J.B."),
        ],
    )
    birth_year = IntegerField(
        "Geboortejaar",
        invalid_value_message="Vul het geboortejaar in cijfers in, bijvoorbeeld 2014.",
        validators=[
            InputRequired("Vul het geboortejaar in, bijvoorbeeld 2014."),
            NumberRange(min=date.today().year - 25, max=date.today().year - 2,
                        message="Vul een geboortejaar in tussen %(min)s en %(max)s."),
        ],
    )
    group_name = StringField("Groep of klas", validators=[Optional(), at_most(32)])


class EditSignaleringForm(SignaleringFields):
    version = HiddenField(validators=[InputRequired(REQUIRED)])


class TransitionForm(DutchForm):
    """Input for one workflow step; the trigger decides which fields are shown and required."""

    version = HiddenField(validators=[InputRequired(REQUIRED)])
    reason = SelectField("Reden", choices=[], validate_choice=False, validators=[Optional()])
    dest = SelectField("Terug naar", choices=[], validate_choice=False, validators=[Optional()])
    note = TextAreaField("Toelichting", validators=[Optional(), at_most(TEXT_MAX)])


# What each trigger asks for: (reason choices, note label, note required, show dest)
TRIGGER_INPUT = {
    "close": (CLOSURE_REASON_LABELS, "Toelichting (optioneel)", False, False),
    "escalate": (ESCALATION_REASON_LABELS, "Onderbouwing", True, False),
    "reopen": (None, "Waarom wordt de casus heropend?", True, False),
    "start_light_help": (None, "Waarom is geen MDO nodig?", True, False),
    "resolve_escalation": (None, "Toelichting (optioneel)", False, True),
}
RESOLVE_DESTS = [(CaseState.mdo.value, STATE_LABELS[CaseState.mdo]),
                 (CaseState.arrangement.value, STATE_LABELS[CaseState.arrangement])]


def transition_form(trigger: str, case=None, formdata=None) -> TransitionForm:
    form = TransitionForm(formdata=formdata, prefix=trigger)
    reasons, note_label, note_required, with_dest = TRIGGER_INPUT.get(
        trigger, (None, "Toelichting (optioneel)", False, False)
    )
    form.reason.choices = (
        [("", "Kies een reden")] + [(r.value, label) for r, label in reasons.items()]
        if reasons else []
    )
    form.dest.choices = RESOLVE_DESTS if with_dest else []
    form.note.label.text = note_label
    form.note_required = note_required
    if case is not None and formdata is None:
        form.version.data = case.version
    return form
