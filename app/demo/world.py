"""The demo region: municipalities, schools, partner organisations, accounts and fixed contacts.

Every name of a person, school and organisation is invented; only the municipalities are real.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from werkzeug.security import generate_password_hash

from app.auth.models import Role, User
from app.auth.services import build_membership, check_password_policy
from app.extensions import db
from app.models import utcnow
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

DEMO_PASSWORD = "Schakel-demo-2026"  # noqa: S105  # nosec B105 (published demo password)
DOMAIN = "demo.schakel.nl"

# key, name, BRIN (invented), sector, municipality, pupil reference prefix
SCHOOLS = [
    ("regenboog", "OBS De Regenboog", "27RB", Sector.po, "Alkmaar", "RB"),
    ("wegwijzer", "CBS De Wegwijzer", "31WW", Sector.po, "Alkmaar", "WW"),
    ("kompas", "Basisschool Het Kompas", "44KP", Sector.po, "Alkmaar", "KP"),
    ("vlieger", "OBS De Vlieger", "52VL", Sector.po, "Alkmaar", "VL"),
    ("brug", "SBO De Brug", "18BR", Sector.sbo, "Alkmaar", "BR"),
    ("windroos", "SO De Windroos", "09WR", Sector.so, "Alkmaar", "WR"),
    ("berkenhout", "Berkenhout College", "23BH", Sector.vo, "Alkmaar", "BH"),
    ("zandloper", "Basisschool De Zandloper", "36ZL", Sector.po, "Heiloo", "ZL"),
    ("klaverblad", "CBS Het Klaverblad", "41KB", Sector.po, "Heiloo", "KB"),
    ("zeeduin", "Zeeduin Lyceum", "29ZD", Sector.vo, "Heiloo", "ZD"),
]

# key, name, kind, municipality (None: region-wide)
ORGANISATIONS = [
    ("wt_noord", "Wijkteam Alkmaar-Noord", OrganisationKind.wijkteam, "Alkmaar"),
    ("wt_zuid", "Wijkteam Alkmaar-Zuid", OrganisationKind.wijkteam, "Alkmaar"),
    ("wt_heiloo", "Sociaal Team Heiloo", OrganisationKind.wijkteam, "Heiloo"),
    ("jeugdhulp", "Jeugdhulp Kennemerkust", OrganisationKind.jeugdhulpaanbieder, None),
    ("leerplicht", "Leerplichtbureau Kennemerkust", OrganisationKind.leerplicht, None),
    ("jgz", "JGZ Kennemerkust", OrganisationKind.jgz, None),
    ("swv", "Samenwerkingsverband Kennemerkust", OrganisationKind.samenwerkingsverband, None),
]


@dataclass(frozen=True)
class Person:
    key: str
    local: str  # the part of the e-mail address before the @
    name: str
    job_title: str
    role: Role
    home: str  # school or organisation key
    does: str  # what this account shows in the demo (README, login table)

    @property
    def email(self) -> str:
        return f"{self.local}@{DOMAIN}"

    @property
    def totp_secret(self) -> str:
        """A fixed, published base32 secret per account (`DEMO` + the address + filler): demo
        mode only, so anyone can log in with the README and an authenticator app."""
        letters = "".join(c for c in self.local.upper() if c.isalpha())
        return (f"DEMO{letters}" + "DEMO" * 8)[:32]


def _staff(key, name, title="Intern begeleider", does="Caseload van de eigen school"):
    prefix = "zc" if title == "Zorgcoördinator" else "ib"
    return Person(key, f"{prefix}.{key}", name, title, Role.school_staff, key, does)


PEOPLE = [
    _staff("regenboog", "Marieke Verhoef",
           does="Volle caseload van een basisschool (PO): signaleren, MDO, arrangement"),
    _staff("berkenhout", "Jeroen Brinkhorst", "Zorgcoördinator",
           "Caseload van een middelbare school (VO), veel verzuim"),
    _staff("wegwijzer", "Fatima El Ouardi",
           does="Ziet alleen de eigen school, niet die van De Regenboog"),
    Person("coach_noord", "jg.noord", "Sanne Dijkgraaf", "J&G-coach", Role.youth_professional,
           "wt_noord", "Verwijzingen, casusregie en MDO's van de Alkmaarse scholen"),
    Person("coach_heiloo", "jg.heiloo", "Youssef Amrani", "J&G-coach", Role.youth_professional,
           "wt_heiloo", "Verwijzingen, casusregie en MDO's van de scholen in Heiloo"),
    Person("coach_zuid", "jg.zuid", "Lotte Veenstra", "J&G-coach", Role.youth_professional,
           "wt_zuid", "Contactpersoon van Het Kompas en De Windroos (De Vlieger: verlopen)"),
    Person("leerplicht", "leerplicht", "Wouter Kaandorp", "Leerplichtambtenaar",
           Role.participant, "leerplicht",
           "Leest mee in de casussen waarvoor hij in het MDO zit (verzuim)"),
    Person("jeugdarts", "jeugdarts", "Annelies Groeneveld", "Jeugdarts", Role.participant,
           "jgz", "Leest mee in de casussen waarvoor zij in het MDO zit (ziekteverzuim)"),
    Person("coordinator", "coordinator", "Priya Ramsaran", "Regionaal coördinator",
           Role.coordinator, "swv",
           "Escalaties van de regio; inhoud alleen van geëscaleerde casussen"),
    Person("admin", "beheer", "Bram Schoutsen", "Functioneel beheerder", Role.admin, "swv",
           "Scholen, organisaties, contactpersonen en accounts; geen casusinhoud"),
    Person("privacy", "privacy", "Ellen Hoekstein", "Functionaris gegevensbescherming",
           Role.privacy_officer, "swv", "Toegangslog per casus; geen casusinhoud"),
    _staff("kompas", "Ria Zonneveld"),
    _staff("vlieger", "Hanneke Overdijk",
           does="Caseload; de vaste contactpersoon jeugdhulp is vorige maand verlopen"),
    _staff("brug", "Kees Mooijman"),
    _staff("windroos", "Ingrid Spaanderman"),
    _staff("zandloper", "Mehmet Yıldırımoğlu"),
    _staff("klaverblad", "Joke van Dalsum"),
    _staff("zeeduin", "Thijs Roodbeen", "Zorgcoördinator"),
]

# school key -> (youth-care contact, deputy); the other J&G-coach is always the deputy.
YOUTH_CARE_CONTACTS = {
    "regenboog": ("coach_noord", "coach_heiloo"),
    "wegwijzer": ("coach_noord", "coach_zuid"),
    "kompas": ("coach_zuid", "coach_noord"),
    "vlieger": ("coach_zuid", "coach_noord"),
    "brug": ("coach_noord", "coach_zuid"),
    "windroos": ("coach_zuid", "coach_noord"),
    "berkenhout": ("coach_noord", "coach_zuid"),
    "zandloper": ("coach_heiloo", "coach_noord"),
    "klaverblad": ("coach_heiloo", "coach_noord"),
    "zeeduin": ("coach_heiloo", "coach_noord"),
}
EXPIRED_CONTACT_SCHOOL = "vlieger"  # its contact ended last month: the monitor shows the gap
LEERPLICHT_CONTACT_SCHOOLS = ("berkenhout", "zeeduin", "regenboog", "brug")
JGZ_CONTACT_SCHOOLS = ("regenboog", "berkenhout", "windroos")


@dataclass
class World:
    region: Region
    municipalities: dict[str, Municipality] = field(default_factory=dict)
    schools: dict[str, School] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def staff_of(self, school_key: str) -> User:
        return self.users[school_key]

    def coaches_of(self, school_key: str) -> tuple[User, User]:
        contact, deputy = YOUTH_CARE_CONTACTS[school_key]
        return self.users[contact], self.users[deputy]

    def organisation_of(self, user: User) -> Organisation:
        return user.memberships[0].organisation


def build_world(today: date) -> World:
    """Add the organisation side of the region to the session and flush it (ids are needed)."""
    # Suppression threshold 5, not 10: with 200 cases over ten schools a threshold of 10 hides
    # nearly every school and quarter of the demo monitor.
    region = Region(code="NK", name="Noord-Kennemerland (demo)", referral_answer_days=10,
                    reopen_within_years=2, suppression_threshold=5)
    world = World(region=region)
    for name in ("Alkmaar", "Heiloo"):
        world.municipalities[name] = Municipality(region=region, name=name)
    for key, name, brin, sector, municipality, _prefix in SCHOOLS:
        world.schools[key] = School(region=region, municipality=world.municipalities[municipality],
                                    brin=brin, name=name, sector=sector)
    for key, name, kind, municipality in ORGANISATIONS:
        world.organisations[key] = Organisation(
            region=region, name=name, kind=kind,
            municipality=world.municipalities.get(municipality),
        )
    db.session.add(region)
    db.session.add_all([*world.schools.values(), *world.organisations.values()])
    db.session.flush()  # memberships copy the region id of their home
    _build_accounts(world)
    db.session.flush()
    db.session.add_all(_contacts(world, today))
    return world


def _build_accounts(world: World) -> None:
    # One hash for every demo account: the password is public anyway, and scrypt per
    # account would make the seed take seconds.
    check_password_policy(DEMO_PASSWORD)
    shared_hash = generate_password_hash(
        DEMO_PASSWORD, method=current_app.config["PASSWORD_HASH_METHOD"]
    )
    for person in PEOPLE:
        user = User(email=person.email, name=person.name, job_title=person.job_title,
                    password_hash=shared_hash, totp_secret=person.totp_secret,
                    totp_enrolled_at=utcnow())
        home = world.schools.get(person.home) or world.organisations[person.home]
        build_membership(user, person.role, home)
        db.session.add(user)
        world.users[person.key] = user


def _contacts(world: World, today: date) -> list[SchoolContact]:
    since = today.replace(year=today.year - 2, day=1)
    last_month_end = today.replace(day=1) - timedelta(days=1)
    contacts = []
    for school_key, (contact, deputy) in YOUTH_CARE_CONTACTS.items():
        user = world.users[contact]
        ends = last_month_end if school_key == EXPIRED_CONTACT_SCHOOL else None
        contacts.append(_contact(world, school_key, PartnerType.jeugdhulp, user,
                                 world.users[deputy], since, ends))
    for school_key in LEERPLICHT_CONTACT_SCHOOLS:
        contacts.append(_contact(world, school_key, PartnerType.leerplicht,
                                 world.users["leerplicht"], None, since, None))
    for school_key in JGZ_CONTACT_SCHOOLS:
        contacts.append(_contact(world, school_key, PartnerType.jgz,
                                 world.users["jeugdarts"], None, since, None))
    return contacts


def _contact(world, school_key, partner_type, user, deputy, since, ends) -> SchoolContact:
    return SchoolContact(
        school_id=world.schools[school_key].id, partner_type=partner_type,
        organisation_id=world.organisation_of(user).id, user_id=user.id,
        deputy_user_id=deputy.id if deputy else None, valid_from=since, valid_to=ends,
    )
