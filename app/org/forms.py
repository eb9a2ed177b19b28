"""Forms of the admin screens. Choices that depend on the region are filled by the factories."""

from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from app.auth.models import ROLE_LABELS, SCHOOL_ROLES, Role
from app.auth.services import MIN_PASSWORD_LENGTH
from app.org.models import ORGANISATION_KIND_LABELS, PARTNER_TYPE_LABELS, SECTOR_LABELS
from app.org.services import (
    BRIN_PATTERN,
    REFERRAL_ANSWER_DAYS,
    REOPEN_WITHIN_YEARS,
    RETENTION_SCHOOL_YEARS,
    RETENTION_YOUTH_CARE_YEARS,
    SUPPRESSION_THRESHOLD,
)

NO_CHOICE = "Kies een van de mogelijkheden uit de lijst."
NO_DATE = "Vul een geldige datum in, bijvoorbeeld 01-08-2025."
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]  # what a date input sends, and what people type
NO_NUMBER = "Vul een heel getal in, bijvoorbeeld 10."
BRIN_MESSAGE = "Vul een BRIN-code in van 4 tekens, bijvoorbeeld 01AB."


def optional_int(value):
    """Select values: '' (the prompt) is None, anything else an id."""
    return None if value in ("", None) else int(value)


def _upper(value):
    return value.strip().upper() if isinstance(value, str) else value


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _labels(labels: dict, prompt: str) -> list[SelectChoice]:
    return [SelectChoice("", prompt)] + [
        SelectChoice(member.value, label) for member, label in labels.items()
    ]


def _options(objects, prompt: str) -> list[SelectChoice]:
    return [SelectChoice("", prompt)] + [SelectChoice(str(o.id), str(o)) for o in objects]


def id_field(label: str, required_message: str | None = None, **kwargs) -> SelectField:
    validators = [DataRequired(required_message)] if required_message else [Optional()]
    return SelectField(label, coerce=optional_int, validators=validators,
                       invalid_value_message=NO_CHOICE, invalid_choice_message=NO_CHOICE,
                       **kwargs)


def _prefill(form, values: dict) -> None:
    """Show an object's current values on GET; a POST keeps what the admin typed."""
    if not form.is_submitted():
        for name, value in values.items():
            form[name].data = value


def _range_field(label: str, bounds: tuple[int, int], description: str) -> IntegerField:
    low, high = bounds
    message = f"Vul een getal in van {low} tot en met {high}."
    return IntegerField(label, description=f"{description} ({low} tot en met {high}).",
                        invalid_value_message=NO_NUMBER,
                        validators=[InputRequired(message), NumberRange(low, high, message)])


class RegionForm(FlaskForm):
    name = StringField("Naam van de regio", filters=[_strip], validators=[
        DataRequired("Vul de naam van de regio in."),
        Length(max=120, message="Gebruik hoogstens 120 tekens.")])
    referral_answer_days = _range_field(
        "Termijn voor een antwoord op een verwijzing (dagen)", REFERRAL_ANSWER_DAYS,
        "Na zoveel dagen zonder antwoord geldt een verwijzing als te laat")
    reopen_within_years = _range_field(
        "Heropenen mogelijk tot (jaren na afsluiten)", REOPEN_WITHIN_YEARS,
        "Zo lang kan een afgesloten casus nog heropend worden")
    retention_youth_care_years = _range_field(
        "Bewaartermijn casus met jeugdhulp (jaren na afsluiten)", RETENTION_YOUTH_CARE_YEARS,
        "De Jeugdwet vraagt minstens 20 jaar na het einde van de hulp")
    retention_school_years = _range_field(
        "Bewaartermijn casus zonder jeugdhulp (jaren na afsluiten)", RETENTION_SCHOOL_YEARS,
        "Daarna haalt Schakel vrije tekst en leerlinggegevens weg; de cijfers blijven")
    # Optional: left empty, the region keeps its threshold.
    suppression_threshold = IntegerField(
        "Monitor: kleinste aantal dat getoond wordt",
        description="Een cijfer over minder dossiers dan dit toont de monitor niet "
                    "(onderdrukt); standaard 10 (5 tot en met 100).",
        invalid_value_message=NO_NUMBER,
        validators=[Optional(), NumberRange(*SUPPRESSION_THRESHOLD,
                                            "Vul een getal in van 5 tot en met 100.")])


def region_form(region) -> RegionForm:
    form = RegionForm()
    _prefill(form, {"name": region.name, "referral_answer_days": region.referral_answer_days,
                    "reopen_within_years": region.reopen_within_years,
                    "retention_youth_care_years": region.retention_youth_care_years,
                    "retention_school_years": region.retention_school_years,
                    "suppression_threshold": region.suppression_threshold})
    return form


class MunicipalityForm(FlaskForm):
    name = StringField("Naam van de gemeente", filters=[_strip], validators=[
        DataRequired("Vul de naam van de gemeente in."),
        Length(max=120, message="Gebruik hoogstens 120 tekens.")])


def municipality_form(municipality=None) -> MunicipalityForm:
    form = MunicipalityForm()
    if municipality is not None:
        _prefill(form, {"name": municipality.name})
    return form


class SchoolForm(FlaskForm):
    brin = StringField(
        "BRIN-code", filters=[_upper], description="4 tekens, bijvoorbeeld 01AB.",
        validators=[DataRequired(BRIN_MESSAGE), Regexp(BRIN_PATTERN, message=BRIN_MESSAGE)])
    name = StringField("Naam van de school", filters=[_strip], validators=[
        DataRequired("Vul de naam van de school in."),
        Length(max=160, message="Gebruik hoogstens 160 tekens.")])
    sector = SelectField("Sector", choices=_labels(SECTOR_LABELS, "Kies een sector"),
                         invalid_choice_message=NO_CHOICE,
                         validators=[DataRequired("Kies de sector van de school.")])
    municipality_id = id_field("Gemeente", "Kies de gemeente waar de school staat.")


def school_form(municipalities, school=None) -> SchoolForm:
    form = SchoolForm()
    form.municipality_id.choices = _options(municipalities, "Kies een gemeente")
    if school is not None:
        _prefill(form, {"brin": school.brin, "name": school.name, "sector": school.sector.value,
                        "municipality_id": school.municipality_id})
    return form


class OrganisationForm(FlaskForm):
    name = StringField("Naam van de organisatie", filters=[_strip], validators=[
        DataRequired("Vul de naam van de organisatie in."),
        Length(max=160, message="Gebruik hoogstens 160 tekens.")])
    kind = SelectField("Soort organisatie", invalid_choice_message=NO_CHOICE,
                       choices=_labels(ORGANISATION_KIND_LABELS, "Kies een soort"),
                       validators=[DataRequired("Kies wat voor organisatie dit is.")])
    municipality_id = id_field("Gemeente (optioneel)",
                               description="Laat leeg als de organisatie in de hele regio werkt.")


def organisation_form(municipalities, organisation=None) -> OrganisationForm:
    form = OrganisationForm()
    form.municipality_id.choices = _options(municipalities, "Hele regio")
    if organisation is not None:
        _prefill(form, {"name": organisation.name, "kind": organisation.kind.value,
                        "municipality_id": organisation.municipality_id})
    return form


def _date_field(label: str, requirement, **kwargs) -> DateField:
    return DateField(label, format=DATE_FORMATS, invalid_value_message=NO_DATE,
                     validators=[requirement], **kwargs)


class ContactForm(FlaskForm):
    partner_type = SelectField("Namens", invalid_choice_message=NO_CHOICE,
                               choices=_labels(PARTNER_TYPE_LABELS, "Kies een partner"),
                               validators=[DataRequired("Kies namens welke partner deze "
                                                        "contactpersoon werkt.")])
    user_id = id_field("Contactpersoon", "Kies de contactpersoon.",
                       description="Alleen mensen met een rol in deze regio staan in de lijst.")
    deputy_user_id = id_field("Vervanger (optioneel)")
    organisation_id = id_field("Organisatie (optioneel)")
    valid_from = _date_field("Geldig vanaf", InputRequired("Vul in vanaf welke datum deze "
                                                           "contactpersoon geldt."))
    valid_to = _date_field("Geldig tot en met (optioneel)", Optional(),
                           description="Laat leeg als er nog geen einddatum is.")

    def validate_deputy_user_id(self, field):
        if field.data is not None and field.data == self.user_id.data:
            raise ValidationError("Kies als vervanger iemand anders dan de contactpersoon zelf.")

    def validate_valid_to(self, field):
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError("De einddatum ligt vóór de begindatum. Kies een latere einddatum "
                             "of laat het veld leeg.")


def contact_form(staff, organisations, contact=None) -> ContactForm:
    form = ContactForm()
    form.user_id.choices = _options(staff, "Kies een persoon")
    form.deputy_user_id.choices = _options(staff, "Geen vervanger")
    form.organisation_id.choices = _options(organisations, "Geen organisatie")
    if contact is None:
        _prefill(form, {"valid_from": date.today()})
    else:
        _prefill(form, {"partner_type": contact.partner_type.value, "user_id": contact.user_id,
                        "deputy_user_id": contact.deputy_user_id,
                        "organisation_id": contact.organisation_id,
                        "valid_from": contact.valid_from, "valid_to": contact.valid_to})
    return form


class EndContactForm(FlaskForm):
    valid_to = _date_field("Laatste dag als contactpersoon",
                           InputRequired("Vul de laatste dag in."))


def end_contact_form(contact, today) -> EndContactForm:
    form = EndContactForm()
    _prefill(form, {"valid_to": max(today, contact.valid_from)})
    return form


# --- users ------------------------------------------------------------------------------------


def _role_field() -> SelectField:
    return SelectField("Rol", invalid_choice_message=NO_CHOICE,
                       choices=_labels(ROLE_LABELS, "Kies een rol"),
                       validators=[DataRequired("Kies een rol.")])


def _home_field() -> SelectField:
    return SelectField("Bij school of organisatie", invalid_choice_message=NO_CHOICE,
                       validators=[DataRequired("Kies de school of organisatie.")],
                       description="Een intern begeleider of zorgcoördinator hoort bij een "
                                   "school; alle andere rollen bij een organisatie.")


class _HomeOfRole:
    """Checks that the chosen home fits the role (school staff at a school, others not)."""

    def validate_home(self, field):
        if not field.data or self.role.data not in {role.value for role in Role}:
            return  # the role field reports its own error
        at_school = field.data.startswith("school:")
        if Role(self.role.data) in SCHOOL_ROLES and not at_school:
            raise ValidationError("Deze rol hoort bij een school: kies een school.")
        if Role(self.role.data) not in SCHOOL_ROLES and at_school:
            raise ValidationError("Deze rol hoort bij een organisatie: kies een organisatie.")

    def home_ref(self) -> tuple[str, int]:
        """('school' | 'organisation', id) of the chosen home."""
        kind, _, raw = self.home.data.partition(":")
        return kind, int(raw)


class MembershipForm(_HomeOfRole, FlaskForm):
    role = _role_field()
    home = _home_field()


class UserForm(_HomeOfRole, FlaskForm):
    name = StringField("Naam", filters=[_strip], validators=[
        DataRequired("Vul de naam in."), Length(max=120, message="Gebruik hoogstens 120 tekens.")])
    email = EmailField("E-mailadres", filters=[_strip], validators=[
        DataRequired("Vul het e-mailadres in."),
        Length(max=254, message="Gebruik hoogstens 254 tekens."),
        Email("Vul een geldig e-mailadres in, bijvoorbeeld naam@school.nl.")])
    job_title = StringField("Functie (optioneel)", filters=[_strip], validators=[
        Optional(), Length(max=120, message="Gebruik hoogstens 120 tekens.")])
    password = PasswordField(
        "Eerste wachtwoord", render_kw={"autocomplete": "new-password"},
        description=f"{MIN_PASSWORD_LENGTH} tot en met 128 tekens. Geef het wachtwoord op een "
                    "veilige manier door; de gebruiker kiest daarna zelf een nieuw.",
        validators=[DataRequired("Vul een eerste wachtwoord in."),
                    Length(MIN_PASSWORD_LENGTH, 128, f"Gebruik {MIN_PASSWORD_LENGTH} tot en met "
                                                     "128 tekens.")])
    role = _role_field()
    home = _home_field()


def membership_form(form_class, schools, organisations):
    """A MembershipForm or UserForm with the homes of the admin's region(s) to choose from."""
    form = form_class()
    form.home.choices = [SelectChoice("", "Kies een school of organisatie")] + [
        SelectChoice(f"school:{s.id}", f"{s.name} ({s.brin})", optgroup="Scholen")
        for s in schools
    ] + [
        SelectChoice(f"organisation:{o.id}", o.name, optgroup="Organisaties")
        for o in organisations
    ]
    return form
