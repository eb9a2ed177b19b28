"""The consent ledger and the meldcode override: who must agree (by the pupil's age), recording
and withdrawing a consent, and the written justification for sharing without consent."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.cases.models import Case, CaseEvent, Consent, ConsentGiver
from app.cases.services import pickers
from app.cases.services.core import CaseError, changing, record_event
from app.cases.workflow import CaseState
from app.extensions import db
from app.models import utcnow
from app.org.models import Organisation

PARENTS, PUPIL = "parents", "pupil"
# Dutch practice (Jeugdwet/WGBO as commonly applied): from 12 the child agrees too, from 16 alone.
BOTH_FROM, ALONE_FROM = 12, 16
MELDCODE_MIN_CHARS = 20

GIVER_LABELS = {
    ConsentGiver.parents: "De ouders met gezag",
    ConsentGiver.pupil_and_parents: "De leerling en de ouders met gezag",
    ConsentGiver.young_person: "De jongere zelf",
}


# --- who must agree: a pure rule on the birth year ------------------------------------------


@dataclass(frozen=True)
class ConsentRule:
    """Who must agree for a pupil born in `birth_year`, on one date."""

    ages: tuple[int, ...]  # the ages the pupil may have that day (only the birth year is known)
    giver: ConsentGiver
    parties: tuple[str, ...]  # PARENTS and/or PUPIL, in the order the form shows them

    @property
    def age_text(self) -> str:
        return " of ".join(str(a) for a in self.ages) + " jaar"

    @property
    def checkboxes(self) -> list[tuple[str, str]]:
        """(party, Dutch label) of every box the form shows; each must be ticked."""
        return [(party, _CHECKBOX_LABELS[party, self.giver]) for party in self.parties]

    @property
    def explanation(self) -> str:
        person = "De jongere" if self.giver == ConsentGiver.young_person else "De leerling"
        text = f"{person} is {self.age_text}. {_RULE_TEXT[self.giver]}"
        if len({parties_for_age(a) for a in self.ages}) > 1:
            text += " Alleen het geboortejaar is bekend, dus vraagt Schakel beide toestemmingen."
        return text

    def missing(self, ticked) -> list[str]:
        return [party for party in self.parties if party not in set(ticked)]


_CHECKBOX_LABELS = {
    (PARENTS, ConsentGiver.parents): "De ouders met gezag geven toestemming",
    (PARENTS, ConsentGiver.pupil_and_parents): "De ouders met gezag geven toestemming",
    (PUPIL, ConsentGiver.pupil_and_parents): "De leerling geeft zelf ook toestemming",
    (PUPIL, ConsentGiver.young_person): "De jongere geeft zelf toestemming",
}
_RULE_TEXT = {
    ConsentGiver.parents: "Onder de 12 jaar geven de ouders met gezag toestemming.",
    ConsentGiver.pupil_and_parents: "Van 12 tot 16 jaar geven de leerling en de ouders met gezag "
                                    "allebei toestemming.",
    ConsentGiver.young_person: "Vanaf 16 jaar geeft de jongere zelf toestemming.",
}
_PARTY_NAMES = {
    (PARENTS, ConsentGiver.parents): "de ouders met gezag",
    (PARENTS, ConsentGiver.pupil_and_parents): "de ouders met gezag",
    (PUPIL, ConsentGiver.pupil_and_parents): "de leerling",
    (PUPIL, ConsentGiver.young_person): "de jongere",
}


def parties_for_age(age: int) -> frozenset[str]:
    if age < BOTH_FROM:
        return frozenset({PARENTS})
    if age < ALONE_FROM:
        return frozenset({PARENTS, PUPIL})
    return frozenset({PUPIL})


def possible_ages(birth_year: int, on: date) -> tuple[int, ...]:
    """Both ages a pupil born in `birth_year` may have on `on`; on 31 December only one."""
    oldest = on.year - birth_year
    return (oldest,) if (on.month, on.day) == (12, 31) else (oldest - 1, oldest)


def consent_rule(birth_year: int, on: date) -> ConsentRule:
    """Who must agree on `on`: the union of the parties of every age the pupil may have."""
    ages = possible_ages(birth_year, on)
    parties = frozenset().union(*(parties_for_age(a) for a in ages))
    if parties == {PARENTS}:
        giver = ConsentGiver.parents
    elif parties == {PUPIL}:
        giver = ConsentGiver.young_person
    else:
        giver = ConsentGiver.pupil_and_parents
    return ConsentRule(ages, giver, tuple(p for p in (PARENTS, PUPIL) if p in parties))


def missing_message(rule: ConsentRule, missing: list[str]) -> str:
    names = [_PARTY_NAMES[party, rule.giver] for party in missing]
    who = " en ".join(names)
    verb = "moeten" if len(names) > 1 else "moet"
    person = "de jongere" if rule.giver == ConsentGiver.young_person else "de leerling"
    return (f"Nog niet aangevinkt: {who} {verb} nog toestemming geven ({person} is "
            f"{rule.age_text}). Leg de toestemming pas vast als iedereen akkoord is.")


# --- who can receive a consent ---------------------------------------------------------------


def recipient_choices(case: Case, also: Iterable[int] = (),
                      today: date | None = None) -> list[Organisation]:
    """What the consent picker offers: organisations of the case's region that the school has a
    fixed contact at or that are already on the case (a consent, referral, MDO seat or
    arrangement), and those `also` names (search matches, a posted choice); by name. Bounded by
    the school and the case, not the region."""
    on = today or date.today()
    ids = {c.organisation_id for c in case.school.contacts if c.is_valid_on(on)}
    ids |= pickers.organisations_on_case(case.id)
    return list(db.session.scalars(
        sa.select(Organisation)
        .where(Organisation.region_id == case.school.region_id,
               Organisation.id.in_((ids | set(also)) - {None}))
        .order_by(Organisation.name, Organisation.id)
    ))


def search_recipients(case: Case, term: str) -> pickers.Found:
    """Organisations of the case's region whose name contains `term`."""
    ids = db.session.scalars(
        sa.select(Organisation.id)
        .where(Organisation.region_id == case.school.region_id,
               pickers.matching(term, Organisation.name))
        .order_by(Organisation.name, Organisation.id).limit(pickers.SEARCH_LIMIT + 1)
    ).all()
    return pickers.found(term, list(ids))


# --- recording and withdrawing ---------------------------------------------------------------


@dataclass
class ConsentData:
    recipient_organisation_id: int
    purpose: str
    given_on: date
    expires_on: date | None
    covers_progress_notes: bool
    parties: frozenset[str]  # the boxes ticked on the form


def record_consent(actor, case: Case, expected_version: int, data: ConsentData,
                   today: date | None = None) -> Consent:
    """Add a consent to the ledger, with its timeline line; refused (nothing stored) when a
    party the pupil's age requires did not agree, or the period or recipient is wrong."""
    today = today or date.today()
    with changing(actor, case, expected_version, "consent:record",
                  fields=("consent",)):
        _require_open(case)
        recipient = _recipient(case, data.recipient_organisation_id)
        _check_period(data, today, case.pupil.birth_year)
        rule = consent_rule(case.pupil.birth_year, data.given_on)
        missing = rule.missing(data.parties)
        if missing:
            raise CaseError(missing_message(rule, missing), field="parties")
        consent = Consent(
            case_id=case.id, recipient_organisation_id=recipient.id,
            purpose=data.purpose.strip()[:200], given_by=rule.giver, given_on=data.given_on,
            expires_on=data.expires_on, covers_progress_notes=data.covers_progress_notes,
            recorded_by_id=actor.id, recorded_at=utcnow(),
        )
        db.session.add(consent)
        record_event(case, "consent", f"Toestemming vastgelegd voor {recipient.name}", actor)
    return consent


def withdraw_consent(actor, case: Case, expected_version: int, consent: Consent) -> Consent:
    """Withdraw a consent from now on: permissions read Consent.is_valid_on, so a professional
    who saw the case only under it loses access on the next request."""
    with changing(actor, case, expected_version, "consent:withdraw",
                  fields=("consent.withdrawn_at",), detail=f"toestemming {consent.id}"):
        _require_open(case)
        if consent.case_id != case.id:
            raise CaseError("Deze toestemming hoort niet bij deze casus.")
        if consent.withdrawn_at is not None:
            raise CaseError("Deze toestemming is al ingetrokken.")
        consent.withdrawn_at = utcnow()
        consent.withdrawn_by_id = actor.id
        record_event(case, "consent", f"Toestemming ingetrokken voor {consent.recipient.name}",
                     actor)
    return consent


def _require_open(case: Case) -> None:
    if case.state == CaseState.closed:
        raise CaseError("Een gesloten casus kan niet meer worden gewijzigd.")


def _recipient(case: Case, organisation_id: int | None) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None or organisation.region_id != case.school.region_id:
        raise CaseError("Kies een organisatie uit de regio van de school.",
                        field="recipient_organisation_id")
    return organisation


def _check_period(data: ConsentData, today: date, birth_year: int) -> None:
    if data.given_on > today:
        raise CaseError("De datum van de toestemming mag niet in de toekomst liggen.",
                        field="given_on")
    if data.given_on.year < birth_year:
        raise CaseError(f"De datum ligt vóór het geboortejaar van de leerling ({birth_year}). "
                        "Controleer de datum.", field="given_on")
    if data.expires_on is not None and data.expires_on < data.given_on:
        raise CaseError("De einddatum ligt vóór de datum van de toestemming. Kies een latere "
                        "einddatum of laat het veld leeg.", field="expires_on")


# --- the meldcode override -------------------------------------------------------------------


MELDCODE_RECORDED = "Meldcode-afweging vastgelegd: delen zonder toestemming"
MELDCODE_REPLACED = "Meldcode-afweging vervangen: delen zonder toestemming"


def meaningful_length(text: str | None) -> int:
    """Letters and digits only: spaces and punctuation do not make a justification."""
    return len(re.findall(r"[^\W_]", text or ""))


def record_meldcode(actor, case: Case, expected_version: int, justification: str) -> Case:
    """Record (or replace) the written justification for sharing without consent under the
    meldcode; the access rules and the plan_mdo guard honour it from the next request."""
    text = (justification or "").strip()
    with changing(actor, case, expected_version, "meldcode:record",
                  fields=("meldcode_justification",)):
        _require_open(case)
        if meaningful_length(text) < MELDCODE_MIN_CHARS:
            raise CaseError(
                f"Schrijf een onderbouwing van minstens {MELDCODE_MIN_CHARS} letters of "
                "cijfers: waarom deelt de school zonder toestemming, en na welke afweging?",
                field="justification")
        replaced = bool((case.meldcode_justification or "").strip())
        case.meldcode_justification = text
        record_event(case, "meldcode", MELDCODE_REPLACED if replaced else MELDCODE_RECORDED, actor)
    return case


def latest_meldcode_event(case: Case) -> CaseEvent | None:
    """Who recorded the current meldcode justification, and when."""
    return db.session.scalar(
        sa.select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "meldcode")
        .order_by(CaseEvent.at.desc(), CaseEvent.id.desc()).limit(1)
    )
