"""Forms of the MDO: plan it, record how it went (with up to five decisions as actions), and mark
an action done. Choices (people, invitees) are set by the view from the case."""

from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Optional, ValidationError

from app.cases.forms.core import REQUIRED, TEXT_MAX, DutchForm, MultiCheckboxField, at_most
from app.cases.models import Discipline, ParentParticipation, PupilVoice

ACTION_ROWS = 5

DISCIPLINE_LABELS = {
    Discipline.school: "School",
    Discipline.wijkteam: "Wijkteam",
    Discipline.jeugdhulp: "Jeugdhulp",
    Discipline.leerplicht: "Leerplicht",
    Discipline.jgz: "Jeugdgezondheidszorg (JGZ)",
    Discipline.swv: "Samenwerkingsverband (SWV)",
}
PARENT_LABELS = {
    ParentParticipation.present: "Aanwezig",
    ParentParticipation.invited_absent: "Uitgenodigd, maar niet aanwezig",
    ParentParticipation.not_invited: "Niet uitgenodigd",
}
PUPIL_LABELS = {
    PupilVoice.present: "Aanwezig bij het MDO",
    PupilVoice.heard_beforehand: "Vooraf gehoord (de mening is meegenomen)",
    PupilVoice.not_heard: "Niet gehoord",
}
# The same, as the minutes tell it to the parents.
PARENT_MINUTES = {
    ParentParticipation.present: "De ouders waren bij het overleg.",
    ParentParticipation.invited_absent: "De ouders waren uitgenodigd, maar konden er niet bij "
                                        "zijn.",
    ParentParticipation.not_invited: "De ouders waren niet uitgenodigd.",
}
PUPIL_MINUTES = {
    PupilVoice.present: "De leerling was zelf bij het overleg.",
    PupilVoice.heard_beforehand: "Er is vóór het overleg met de leerling gesproken. Wat de "
                                 "leerling vertelde, is in het overleg meegenomen.",
    PupilVoice.not_heard: "De leerling is niet gehoord.",
}


def _values(labels) -> dict[str, str]:
    return {member.value: label for member, label in labels.items()}


# Browsers without a date or time picker send what the user typed: accept the Dutch way too.
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]
TIME_FORMATS = ["%H:%M", "%H:%M:%S", "%H.%M"]
BAD_DATE = "Vul de datum in als dd-mm-jjjj, bijvoorbeeld 12-03-2027."
BAD_TIME = "Vul de tijd in als uu:mm, bijvoorbeeld 14:00."


def _date(label: str, *validators) -> DateField:
    return DateField(label, validators=list(validators), format=DATE_FORMATS,
                     invalid_value_message=BAD_DATE)


def _time(label: str, *validators) -> TimeField:
    return TimeField(label, validators=list(validators), format=TIME_FORMATS,
                     invalid_value_message=BAD_TIME)


class PlanMdoForm(DutchForm):
    version = HiddenField(validators=[InputRequired(REQUIRED)])
    planned_on = _date("Datum", InputRequired("Vul de datum van het MDO in."))
    planned_time = _time("Begintijd", InputRequired("Vul de begintijd in, bijvoorbeeld 14:00."))
    chair_id = SelectField("Voorzitter", validators=[InputRequired("Kies een voorzitter.")])
    invitees = MultiCheckboxField("Genodigden naast de school")

    def validate_invitees(self, field):
        # Not DataRequired: its `required` flag would mark every box of the group required.
        if not field.data:
            raise ValidationError("Nodig minstens één partner uit naast de school: een MDO is "
                                  "multidisciplinair.")


class HoldMdoForm(DutchForm):
    version = HiddenField(validators=[InputRequired(REQUIRED)])
    held_on = _date("Datum", InputRequired("Vul de datum in waarop het MDO is gehouden."))
    held_time = _time("Begintijd", InputRequired("Vul de begintijd in, bijvoorbeeld 14:00."))
    present = MultiCheckboxField("Wie waren er aanwezig?", validators=[Optional()])
    parents = RadioField(
        "De ouders", choices=_values(PARENT_LABELS), validate_choice=False,
        validators=[AnyOf(_values(PARENT_LABELS), message="Kies of de ouders erbij waren.")],
    )
    parents_reason = TextAreaField("Waarom waren de ouders niet uitgenodigd?",
                                   validators=[Optional(), at_most(TEXT_MAX)])
    pupil_voice = RadioField(
        "De leerling", choices=_values(PUPIL_LABELS), validate_choice=False,
        validators=[AnyOf(_values(PUPIL_LABELS), message="Kies hoe de leerling is gehoord.")],
    )
    pupil_reason = TextAreaField("Waarom is de leerling niet gehoord?",
                                 validators=[Optional(), at_most(TEXT_MAX)])
    minutes = TextAreaField(
        "Verslag voor ouders en leerling",
        validators=[DataRequired("Schrijf een kort verslag in gewone taal voor de ouders en de "
                                 "leerling."), at_most(TEXT_MAX)],
    )

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.parents.data == ParentParticipation.not_invited.value and not _filled(
                self.parents_reason):
            self.parents_reason.errors.append("Schrijf op waarom de ouders niet zijn "
                                              "uitgenodigd.")
            valid = False
        if self.pupil_voice.data == PupilVoice.not_heard.value and not _filled(self.pupil_reason):
            self.pupil_reason.errors.append("Schrijf op waarom de leerling niet is gehoord.")
            valid = False
        rows = [self._validate_row(n, *row) for n, row in enumerate(self.action_rows(), 1)]
        return all(rows) and valid

    def action_rows(self):
        """(description, owner, due date) field triples, one per row of the form."""
        return [(self[f"action{n}_description"], self[f"action{n}_owner"], self[f"action{n}_due"])
                for n in range(1, ACTION_ROWS + 1)]

    def _validate_row(self, number, description, owner, due) -> bool:
        """A blank row is ignored; a half-filled row says what is missing, at that row."""
        filled = {description: _filled(description), owner: bool(owner.data),
                  due: bool(due.raw_data and due.raw_data[0].strip())}
        if not any(filled.values()) or all(filled.values()):
            return not due.errors and not description.errors
        missing = {description: "wat er gedaan wordt", owner: "wie het doet",
                   due: "uiterlijk wanneer"}
        for field, present in filled.items():
            if not present:
                field.errors.append(f"Vul bij actie {number} ook in {missing[field]}.")
        return False

    def actions(self) -> list[tuple[int, str, str, object]]:
        """The filled rows: (row number, description, owner key, due date)."""
        return [(n, d.data.strip(), o.data, due.data)
                for n, (d, o, due) in enumerate(self.action_rows(), 1) if _filled(d)]


for _n in range(1, ACTION_ROWS + 1):
    setattr(HoldMdoForm, f"action{_n}_description",
            StringField(f"Actie {_n}: wat wordt er gedaan?", validators=[Optional(), at_most(500)]))
    setattr(HoldMdoForm, f"action{_n}_owner",
            SelectField(f"Actie {_n}: wie doet het?", validators=[Optional()]))
    setattr(HoldMdoForm, f"action{_n}_due", _date(f"Actie {_n}: uiterlijk op", Optional()))


def _filled(field) -> bool:
    return bool((field.data or "").strip())


class ActionDoneForm(DutchForm):
    version = HiddenField(validators=[InputRequired(REQUIRED)])
    back = HiddenField()  # "tasks" or "case": where the user came from
