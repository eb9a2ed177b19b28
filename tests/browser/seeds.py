"""What a journey finds waiting when it starts, made with the real services in the live app's
database (run through `demo.seed`), as the users before it would have left it."""

from datetime import date, timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.cases import services
from app.cases.services.consent import PARENTS, ConsentData, record_consent
from app.cases.services.referrals import send_referral
from app.cases.services.regie import request_handover
from app.demo.world import PEOPLE
from app.extensions import db

EMAILS = {person.key: person.email for person in PEOPLE}
QUESTION = "Kan de J&G-coach met ouders kijken naar de spanning thuis en de ochtenden?"


def _user(key: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == EMAILS[key]))


def _signalering(reference: str):
    """A signalering of the demo IB of De Regenboog for a pupil of about nine."""
    ib = _user("regenboog")
    school = next(m.school for m in ib.memberships if m.school is not None)
    return ib, services.open_case(
        ib, school,
        services.PupilData(reference, "K.L.", date.today().year - 9, "groep 6"),
        services.SignaleringData(["sociaal_emotioneel", "verzuim"],
                                 "Komt vaak te laat en trekt zich terug in de klas.",
                                 "Wat helpt om weer op tijd en uitgerust te komen?", True),
    )


def referred_with_handover(reference: str) -> int:
    """A case the IB referred to the J&G-coach of the school (with the parents' consent, also
    for sharing progress), and whose casusregie the IB asked the coach to take over."""
    ib, case = _signalering(reference)
    coach = _user("coach_noord")
    membership = next(m for m in coach.memberships if m.organisation is not None)
    today = date.today()
    record_consent(ib, case, case.version, ConsentData(
        membership.organisation_id, "Verwijzing naar jeugdhulp", today,
        today + timedelta(days=365), True, frozenset({PARENTS})))
    send_referral(ib, case, case.version, membership.id, QUESTION)
    request_handover(ib, case, case.version, coach,
                     "Sanne kent het gezin en heeft de hulp thuis.")
    return case.id


def escalated(reference: str) -> int:
    """A case the IB escalated: the school and the coach disagree about who holds regie."""
    ib, case = _signalering(reference)
    services.advance_case(ib, case, "escalate", case.version, reason="regie_dispute",
                          note="School en wijkteam zijn het oneens over wie de regie neemt.")
    return case.id
