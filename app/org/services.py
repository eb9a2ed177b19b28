"""Writers for regions, municipalities, schools, organisations and school contact persons.

Each public function is one use case and commits once. Refused input raises `OrgError` (a Dutch
message for the administrator, and the form field it belongs to) and stores nothing: every check
runs before the first attribute is set.
"""

import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.auth.models import Membership, User
from app.extensions import db
from app.org.models import (
    Municipality,
    Organisation,
    OrganisationKind,
    PartnerType,
    Region,
    School,
    SchoolContact,
    Sector,
)

# Two digits and two letters (01AB), or four letters/digits for the newer codes.
BRIN_PATTERN = re.compile(r"^[0-9A-Z]{4}$")
REGION_CODE_PATTERN = re.compile(r"^[A-Z0-9-]{1,16}$")
REFERRAL_ANSWER_DAYS = (1, 90)
REOPEN_WITHIN_YEARS = (1, 20)
# The Jeugdwet keeps youth-care files at least 20 years after the end of care (OTS/voogdij longer).
RETENTION_YOUTH_CARE_YEARS = (20, 30)
RETENTION_SCHOOL_YEARS = (1, 20)
# The monitor's small-cell threshold: at least 5 (statistics offices use 3 to 10; default 10).
SUPPRESSION_THRESHOLD = (5, 100)


class OrgError(ValueError):
    """Refused input; `field` names the form field the message belongs to, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class RegionSettings:
    name: str
    referral_answer_days: int
    reopen_within_years: int
    retention_youth_care_years: int = 20
    retention_school_years: int = 2
    suppression_threshold: int = 10


@dataclass(frozen=True)
class SchoolData:
    brin: str
    name: str
    sector: Sector
    municipality_id: int


@dataclass(frozen=True)
class OrganisationData:
    name: str
    kind: OrganisationKind
    municipality_id: int | None


@dataclass(frozen=True)
class ContactData:
    partner_type: PartnerType
    user_id: int
    deputy_user_id: int | None
    organisation_id: int | None
    valid_from: date
    valid_to: date | None


def _commit() -> None:
    """A unique constraint hit by a concurrent request becomes a message, not a 500."""
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise OrgError("Dit kon niet worden opgeslagen: iemand heeft intussen hetzelfde "
                       "vastgelegd. Controleer de gegevens en probeer het opnieuw.") from exc


def _in_region(model, object_id: int | None, region_id: int, message: str, field: str):
    obj = db.session.get(model, object_id) if object_id is not None else None
    if obj is None or obj.region_id != region_id:
        raise OrgError(message, field)
    return obj


def _name_taken(model, region_id: int, name: str, exclude_id: int | None) -> bool:
    query = sa.select(model.id).where(
        model.region_id == region_id, sa.func.lower(model.name) == name.lower()
    )
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query.limit(1)) is not None


# --- regions ----------------------------------------------------------------------------------


def create_region(code: str, name: str, swv_name: str | None = None) -> Region:
    """A new region, optionally with its samenwerkingsverband (an admin's membership needs one)."""
    code, name = code.strip().upper(), name.strip()
    if not REGION_CODE_PATTERN.match(code):
        raise OrgError("Gebruik voor de code 1 tot 16 hoofdletters, cijfers of streepjes, "
                       "bijvoorbeeld NK.", "code")
    if not name or len(name) > 120:
        raise OrgError("Geef de regio een naam van hoogstens 120 tekens.", "name")
    if db.session.scalar(sa.select(Region.id).where(Region.code == code)) is not None:
        raise OrgError(f"Er is al een regio met code {code}. Kies een andere code.", "code")
    region = Region(code=code, name=name)
    db.session.add(region)
    if swv_name and swv_name.strip():
        db.session.add(Organisation(region=region, name=swv_name.strip()[:160],
                                    kind=OrganisationKind.samenwerkingsverband))
    _commit()
    return region


def update_region(region: Region, settings: RegionSettings) -> None:
    _check_range(settings.referral_answer_days, REFERRAL_ANSWER_DAYS, "referral_answer_days")
    _check_range(settings.reopen_within_years, REOPEN_WITHIN_YEARS, "reopen_within_years")
    _check_range(settings.retention_youth_care_years, RETENTION_YOUTH_CARE_YEARS,
                 "retention_youth_care_years")
    _check_range(settings.retention_school_years, RETENTION_SCHOOL_YEARS, "retention_school_years")
    _check_range(settings.suppression_threshold, SUPPRESSION_THRESHOLD, "suppression_threshold")
    if settings.reopen_within_years > settings.retention_school_years:
        raise OrgError("Heropenen kan niet langer dan de bewaartermijn van een schoolcasus: "
                       "maak de heropentermijn korter of de bewaartermijn langer.",
                       "reopen_within_years")
    region.name = settings.name.strip()
    region.referral_answer_days = settings.referral_answer_days
    region.reopen_within_years = settings.reopen_within_years
    region.retention_youth_care_years = settings.retention_youth_care_years
    region.retention_school_years = settings.retention_school_years
    region.suppression_threshold = settings.suppression_threshold
    _commit()


def _check_range(value: int, bounds: tuple[int, int], field: str) -> None:
    low, high = bounds
    if not low <= value <= high:
        raise OrgError(f"Vul een getal in van {low} tot en met {high}.", field)


# --- municipalities ---------------------------------------------------------------------------


def create_municipality(region: Region, name: str) -> Municipality:
    _check_municipality_name(region.id, name, None)
    municipality = Municipality(region=region, name=name.strip())
    db.session.add(municipality)
    _commit()
    return municipality


def rename_municipality(municipality: Municipality, name: str) -> None:
    _check_municipality_name(municipality.region_id, name, municipality.id)
    municipality.name = name.strip()
    _commit()


def _check_municipality_name(region_id: int, name: str, exclude_id: int | None) -> None:
    if _name_taken(Municipality, region_id, name.strip(), exclude_id):
        raise OrgError(f"Gemeente {name.strip()} staat al in deze regio.", "name")


# --- schools ----------------------------------------------------------------------------------


def create_school(region: Region, data: SchoolData) -> School:
    brin = _checked_school(region.id, data, None)
    school = School(region=region, municipality_id=data.municipality_id, brin=brin,
                    name=data.name.strip(), sector=data.sector)
    db.session.add(school)
    _commit()
    return school


def update_school(school: School, data: SchoolData) -> None:
    school.brin = _checked_school(school.region_id, data, school.id)
    school.name = data.name.strip()
    school.sector = data.sector
    school.municipality_id = data.municipality_id
    _commit()


def _checked_school(region_id: int, data: SchoolData, school_id: int | None) -> str:
    """The normalised BRIN code, once the school's input is known to be acceptable."""
    brin = data.brin.strip().upper()
    if not BRIN_PATTERN.match(brin):
        raise OrgError("Vul een BRIN-code in van 4 tekens, bijvoorbeeld 01AB.", "brin")
    taken = db.session.scalar(sa.select(School).where(School.brin == brin))
    if taken is not None and taken.id != school_id:
        raise OrgError(f"BRIN-code {brin} hoort al bij {taken.name}. Controleer de code; "
                       "een school staat maar één keer in Schakel.", "brin")
    _in_region(Municipality, data.municipality_id, region_id,
               "Kies een gemeente uit deze regio.", "municipality_id")
    return brin


# --- organisations ----------------------------------------------------------------------------


def create_organisation(region: Region, data: OrganisationData) -> Organisation:
    _check_organisation(region.id, data, None)
    organisation = Organisation(region=region, name=data.name.strip(), kind=data.kind,
                                municipality_id=data.municipality_id)
    db.session.add(organisation)
    _commit()
    return organisation


def update_organisation(organisation: Organisation, data: OrganisationData) -> None:
    _check_organisation(organisation.region_id, data, organisation.id)
    organisation.name = data.name.strip()
    organisation.kind = data.kind
    organisation.municipality_id = data.municipality_id
    _commit()


def _check_organisation(region_id: int, data: OrganisationData, exclude_id: int | None) -> None:
    if _name_taken(Organisation, region_id, data.name.strip(), exclude_id):
        raise OrgError(f"Er is al een organisatie met de naam {data.name.strip()} in deze "
                       "regio. Kies een andere naam.", "name")
    if data.municipality_id is not None:
        _in_region(Municipality, data.municipality_id, region_id,
                   "Kies een gemeente uit deze regio, of geen.", "municipality_id")


# --- contact persons --------------------------------------------------------------------------


def create_contact(school: School, data: ContactData) -> SchoolContact:
    _check_contact(school.region_id, data)
    contact = SchoolContact(school=school)
    _assign_contact(contact, data)
    db.session.add(contact)
    _commit()
    return contact


def update_contact(contact: SchoolContact, data: ContactData) -> None:
    _check_contact(contact.school.region_id, data)
    _assign_contact(contact, data)
    _commit()


def end_contact(contact: SchoolContact, on: date) -> None:
    """The contact person stays valid up to and including `on`."""
    if on < contact.valid_from:
        raise OrgError("De einddatum ligt vóór de begindatum "
                       f"({contact.valid_from:%d-%m-%Y}). Kies een latere datum.", "valid_to")
    contact.valid_to = on
    _commit()


def _check_contact(region_id: int, data: ContactData) -> None:
    if data.valid_to is not None and data.valid_to < data.valid_from:
        raise OrgError("De einddatum ligt vóór de begindatum. Kies een latere einddatum "
                       "of laat het veld leeg.", "valid_to")
    if data.deputy_user_id is not None and data.deputy_user_id == data.user_id:
        raise OrgError("Kies als vervanger iemand anders dan de contactpersoon zelf.",
                       "deputy_user_id")
    for user_id, field in ((data.user_id, "user_id"), (data.deputy_user_id, "deputy_user_id")):
        if user_id is not None and not _works_in_region(user_id, region_id):
            raise OrgError("Kies iemand die in deze regio werkt.", field)
    if data.organisation_id is not None:
        _in_region(Organisation, data.organisation_id, region_id,
                   "Kies een organisatie uit deze regio, of geen.", "organisation_id")


def _works_in_region(user_id: int, region_id: int) -> bool:
    return db.session.scalar(
        sa.select(User.id).where(
            User.id == user_id, User.active,
            User.memberships.any(Membership.region_id == region_id),
        )
    ) is not None


def _assign_contact(contact: SchoolContact, data: ContactData) -> None:
    contact.partner_type = data.partner_type
    contact.user_id = data.user_id
    contact.deputy_user_id = data.deputy_user_id
    contact.organisation_id = data.organisation_id
    contact.valid_from = data.valid_from
    contact.valid_to = data.valid_to
