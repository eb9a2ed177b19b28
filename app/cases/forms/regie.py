"""Forms of casusregie: ask someone to take it over (or take it yourself), and the answer."""

from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from app.cases.forms.core import REQUIRED, TEXT_MAX, DutchForm, at_most
from app.org.forms import NO_CHOICE


class HandoverRequestForm(DutchForm):
    version = HiddenField(validators=[InputRequired(REQUIRED)])
    # Choices are {id: label}, so the 409 page can show the choice by its label.
    to_user_id = SelectField(
        "Wie krijgt de casusregie?", invalid_choice_message=NO_CHOICE,
        validators=[DataRequired("Kies wie de casusregie overneemt.")],
    )
    note = TextAreaField("Toelichting (optioneel)", validators=[Optional(), at_most(TEXT_MAX)])


def handover_request_form(case, actor, receivers, formdata=None) -> HandoverRequestForm:
    """`receivers` are (user, known to the case) pairs; the actor is offered as "uzelf"."""
    form = HandoverRequestForm(formdata=formdata, prefix="regie")
    form.to_user_id.choices = {"": "Kies een persoon"} | {
        str(u.id): _receiver_label(u, known, u.id == actor.id) for u, known in receivers
    }
    if formdata is None:
        form.version.data = case.version
    return form


def _receiver_label(user, known: bool, is_actor: bool) -> str:
    homes = ", ".join(sorted({str(m.home) for m in user.memberships}))
    label = f"{user.name}{f' ({user.job_title})' if user.job_title else ''} – {homes}"
    if is_actor:
        return f"{label} – uzelf: u heeft de casusregie dan meteen"
    return f"{label} – al betrokken bij deze casus" if known else label


class HandoverAnswerForm(DutchForm):
    """Accepting or withdrawing needs nothing but the version the page was shown with."""

    version = HiddenField(validators=[InputRequired(REQUIRED)])


class HandoverDeclineForm(DutchForm):
    version = HiddenField(validators=[InputRequired(REQUIRED)])
    reason = TextAreaField(
        "Waarom neemt u de casusregie niet over?",
        validators=[DataRequired("Schrijf waarom u de casusregie niet overneemt."),
                    at_most(TEXT_MAX)],
    )


def answer_forms(case, formdata=None) -> dict:
    """The accept, decline and withdraw forms of the open handover, keyed like the views."""
    forms = {
        "regie_accept": HandoverAnswerForm(formdata=formdata, prefix="regie_accept"),
        "regie_decline": HandoverDeclineForm(formdata=formdata, prefix="regie_decline"),
        "regie_withdraw": HandoverAnswerForm(formdata=formdata, prefix="regie_withdraw"),
    }
    if formdata is None:
        for form in forms.values():
            form.version.data = case.version
    return forms
