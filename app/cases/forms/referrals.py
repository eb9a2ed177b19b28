"""Forms of the referral: sending it, the professional's answers and progress notes. The rules
of each answer (what is required, which dates make sense) live in the service's status table;
these forms only parse."""

from wtforms import BooleanField, DateField, HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from app.cases.forms.core import REQUIRED, TEXT_MAX, DutchForm, at_most
from app.cases.services.referrals import contact_role
from app.org.forms import DATE_FORMATS, NO_CHOICE, NO_DATE

NOT_IN_SCHAKEL = ""


def _date(label: str) -> DateField:
    return DateField(label, format=DATE_FORMATS, invalid_value_message=NO_DATE,
                     validators=[Optional()])


def _text(label: str) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), at_most(TEXT_MAX)])


class ReferralForm(DutchForm):
    version = HiddenField(validators=[InputRequired(REQUIRED)])
    # {membership id: label} choices, so the 409 page shows the choice by its label.
    professional = SelectField(
        "Jeugdprofessional", invalid_choice_message=NO_CHOICE, default="",
        validators=[DataRequired("Kies de jeugdprofessional naar wie u verwijst.")],
    )
    question = TextAreaField(
        "Wat vraagt de school van de jeugdprofessional?",
        validators=[DataRequired("Schrijf wat de school van de jeugdprofessional vraagt."),
                    at_most(TEXT_MAX)],
    )


class ReferralAnswerForm(DutchForm):
    """One form class for every step; `STEP_FIELDS` says which fields a step shows."""

    version = HiddenField(validators=[InputRequired(REQUIRED)])
    light_help = BooleanField("Lichte hulp, kan starten zonder MDO")
    decline_reason = _text("Waarom wijst u de verwijzing af?")
    redirect_to = SelectField("Hulpverlener in Schakel die al bij het gezin betrokken is",
                              invalid_choice_message=NO_CHOICE, default=NOT_IN_SCHAKEL)
    redirect_note = _text("Of, als die hulpverlener niet in Schakel werkt: wie is het?")
    expected_start = _date("Verwachte startdatum")
    bridging_plan = _text("Overbruggingsplan (optioneel): wat doen school en gezin in de "
                          "tussentijd?")
    started_on = _date("Startdatum van de hulp")
    ended_on = _date("Einddatum van de hulp")
    outcome = _text("Resultaat van de hulp")


STEP_FIELDS = {
    "accept": ("light_help",),
    "decline": ("decline_reason",),
    "redirect": ("redirect_to", "redirect_note"),
    "wait": ("expected_start", "bridging_plan"),
    "start": ("started_on",),
    "end": ("ended_on", "outcome"),
}
# Shown as required next to their label (the service checks them).
REQUIRED_FIELDS = frozenset({"decline_reason", "expected_start", "started_on", "ended_on",
                             "outcome"})


class ProgressNoteForm(DutchForm):
    version = HiddenField(validators=[InputRequired(REQUIRED)])
    text = TextAreaField("Voortgangsnotitie",
                         validators=[DataRequired("Schrijf de voortgangsnotitie."),
                                     at_most(TEXT_MAX)])


def professional_label(case, membership) -> str:
    role = contact_role(case, membership)
    label = f"{membership.user.name} – {membership.organisation.name}"
    return f"{label} ({role})" if role else label


def referral_form(case, choices, formdata=None) -> ReferralForm:
    """The send form; without formdata the school's jeugdhulp contact is preselected."""
    form = ReferralForm(formdata=formdata, prefix="referral")
    form.professional.choices = {"": "Kies een jeugdprofessional"} | {
        str(m.id): professional_label(case, m) for m in choices
    }
    if formdata is None:
        form.version.data = case.version
        if choices and contact_role(case, choices[0]):
            form.professional.data = str(choices[0].id)
    return form


def answer_form(step: str, case, choices=(), formdata=None) -> ReferralAnswerForm:
    form = ReferralAnswerForm(formdata=formdata, prefix=step)
    form.redirect_to.choices = {NOT_IN_SCHAKEL: "Niet in Schakel (schrijf hieronder wie)"} | {
        str(m.id): professional_label(case, m) for m in choices
    }
    if formdata is None:
        form.version.data = case.version
    return form


def note_form(case, formdata=None) -> ProgressNoteForm:
    form = ProgressNoteForm(formdata=formdata, prefix="note")
    if formdata is None:
        form.version.data = case.version
    return form
