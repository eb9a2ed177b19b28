"""Forms of the consent ledger and the meldcode override. Which consent boxes the form shows
depends on the pupil's age; the view fills them in from the age rule."""

from datetime import date

from wtforms import BooleanField, DateField, HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from app.cases.forms.core import REQUIRED, TEXT_MAX, DutchForm, MultiCheckboxField, at_most
from app.cases.services.consent import ConsentRule
from app.org.forms import DATE_FORMATS, NO_CHOICE, NO_DATE

# Stored as the Dutch text, so the ledger reads the same after this list changes.
PURPOSES = (
    "Verwijzing naar jeugdhulp",
    "Deelname aan het MDO",
    "Afstemming met leerplicht",
    "Afstemming met de jeugdgezondheidszorg",
    "Overdracht naar een andere school of voorziening",
)


def _date(label: str, requirement, **kwargs) -> DateField:
    return DateField(label, format=DATE_FORMATS, invalid_value_message=NO_DATE,
                     validators=[requirement], **kwargs)


class ConsentForm(DutchForm):
    version = HiddenField(validators=[InputRequired(REQUIRED)])
    # Choices are {value: label} dicts, so the 409 page can show the user's choice by its label.
    recipient_organisation_id = SelectField(
        "Organisatie", invalid_choice_message=NO_CHOICE,
        validators=[DataRequired("Kies de organisatie die toestemming krijgt.")],
    )
    purpose = SelectField(
        "Doel", invalid_choice_message=NO_CHOICE,
        choices={"": "Kies een doel"} | {p: p for p in PURPOSES},
        validators=[DataRequired("Kies waarvoor de toestemming geldt.")],
    )
    given_on = _date("Toestemming gegeven op", InputRequired("Vul in op welke dag de "
                                                             "toestemming is gegeven."))
    expires_on = _date("Geldig tot en met (optioneel)", Optional())
    covers_progress_notes = BooleanField(
        "Ouders/jongere vinden het goed dat de hulpverlener inhoudelijke voortgang met school "
        "deelt"
    )
    # Only the boxes the age rule requires are offered; each of them must be ticked.
    parties = MultiCheckboxField("Wie geeft toestemming?", choices=[], validate_choice=False)


def consent_form(case, organisations, rule: ConsentRule, formdata=None) -> ConsentForm:
    """The form for `case`; without formdata it is prefilled: today, valid for one year."""
    form = ConsentForm(formdata=formdata, prefix="consent")
    form.recipient_organisation_id.choices = {"": "Kies een organisatie"} | {
        str(o.id): o.name for o in organisations
    }
    show_parties(form, rule)
    if formdata is None:
        today = date.today()
        form.version.data = case.version
        form.given_on.data = today
        form.expires_on.data = one_year_after(today)
    return form


def show_parties(form: ConsentForm, rule: ConsentRule) -> None:
    """Offer exactly the boxes `rule` requires (and keep the rule to explain them)."""
    form.rule = rule
    form.parties.choices = dict(rule.checkboxes)


def one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


class WithdrawConsentForm(DutchForm):
    version = HiddenField(validators=[InputRequired(REQUIRED)])


class MeldcodeForm(DutchForm):
    version = HiddenField(validators=[InputRequired(REQUIRED)])
    justification = TextAreaField(
        "Onderbouwing",
        validators=[DataRequired("Schrijf de onderbouwing: waarom deelt de school zonder "
                                 "toestemming?"), at_most(TEXT_MAX)],
    )
