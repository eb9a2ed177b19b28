"""Referrals to a youth professional: sending, the professional's answers, redirecting to the
worker already with the family, and progress notes.

Every answer is a content-free *terugkoppeling* to the school: a timeline line ("Hulp gestart op
12 maart 2027") and a notification to the sender. Reasons, outcomes and notes stay on the
referral record. The status rules are a pure table (`STEPS`, `check_answer`), tested without a
database.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.auth.models import Membership, Role, User
from app.cases.models import Case, Referral, ReferralNote, ReferralStatus
from app.cases.services import pickers
from app.cases.services.core import CaseError, changing, record_event
from app.cases.services.regie import known_user_ids
from app.cases.workflow import CaseState
from app.extensions import db
from app.filters import nl_date
from app.models import utcnow
from app.notifications.services import notify
from app.org.models import Organisation, PartnerType

RS = ReferralStatus
# A referral asks for help while the case is being worked; not once it is escalated or closed.
SENDABLE_STATES = frozenset({CaseState.signalering, CaseState.mdo, CaseState.arrangement,
                             CaseState.evaluation})
LIVE_STATUSES = frozenset({RS.sent, RS.accepted, RS.waiting, RS.started})
RUNNING_STATUSES = frozenset({RS.accepted, RS.waiting, RS.started})

STATUS_LABELS = {
    RS.sent: "Verstuurd, wacht op antwoord",
    RS.accepted: "Geaccepteerd",
    RS.declined: "Afgewezen",
    RS.redirected: "Doorverwezen",
    RS.waiting: "Wachtlijst",
    RS.started: "Hulp gestart",
    RS.ended: "Hulp beëindigd",
}

# An expected start further ahead than this is almost certainly a typing error.
MAX_EXPECTED_DAYS = 366


# --- the status table (pure) -----------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    sources: frozenset
    dest: ReferralStatus
    label: str  # the Dutch button


STEPS = {
    "accept": Step(frozenset({RS.sent}), RS.accepted, "Accepteren"),
    "decline": Step(frozenset({RS.sent}), RS.declined, "Afwijzen"),
    "redirect": Step(frozenset({RS.sent}), RS.redirected,
                     "Doorverwijzen naar wie al bij het gezin betrokken is"),
    "wait": Step(frozenset({RS.accepted, RS.waiting}), RS.waiting,
                 "Wachtlijst: verwachte startdatum"),
    "start": Step(frozenset({RS.accepted, RS.waiting}), RS.started, "Hulp gestart"),
    "end": Step(frozenset({RS.accepted, RS.waiting, RS.started}), RS.ended, "Hulp beëindigd"),
}


def next_status(status: ReferralStatus, step: str) -> ReferralStatus | None:
    """Where `step` takes a referral in `status`, or None when the table does not allow it."""
    rule = STEPS.get(step)
    return rule.dest if rule is not None and status in rule.sources else None


def steps_from(status: ReferralStatus) -> list[str]:
    return [name for name, rule in STEPS.items() if status in rule.sources]


@dataclass
class Answer:
    """What the professional fills in with a step; each step reads its own fields."""

    light_help: bool = False
    decline_reason: str | None = None
    redirect_to: int | None = None  # a youth professional's membership (someone in Schakel)
    redirect_note: str | None = None  # ... or who it is, outside Schakel
    expected_start: date | None = None
    bridging_plan: str | None = None
    started_on: date | None = None
    ended_on: date | None = None
    outcome: str | None = None


def _blank(text: str | None) -> bool:
    return not (text or "").strip()


def check_answer(step: str, answer: Answer, *, sent_on: date, started_on: date | None,
                 today: date) -> list[tuple[str, str]]:
    """(field, Dutch message) for every rule the answer breaks.

    Dates: help cannot have started or ended in the future (a planned start is what the
    wachtlijst status with its expected date is for, so the school never reads "Hulp gestart"
    about help that has not begun), nor before the referral was sent; an end is never before
    the start; an expected start lies between today and a year ahead.
    """
    problems = []
    if step == "decline" and _blank(answer.decline_reason):
        problems.append(("decline_reason", "Schrijf waarom u de verwijzing afwijst."))
    if step == "redirect" and answer.redirect_to is None and _blank(answer.redirect_note):
        problems.append(("redirect_note", "Kies de hulpverlener in Schakel die al bij het gezin "
                                          "betrokken is, of schrijf wie het is."))
    if step == "wait":
        problems += _expected_start_problems(answer.expected_start, today)
    if step == "start":
        problems += _fact_date_problems("started_on", answer.started_on, "startdatum",
                                        not_before=sent_on, today=today)
    if step == "end":
        earliest, what = (started_on, "de startdatum") if started_on else (sent_on, None)
        problems += _fact_date_problems("ended_on", answer.ended_on, "einddatum",
                                        not_before=earliest, today=today, before_what=what)
        if _blank(answer.outcome):
            problems.append(("outcome", "Beschrijf kort het resultaat van de hulp."))
    return problems


def _expected_start_problems(expected: date | None, today: date) -> list[tuple[str, str]]:
    if expected is None:
        return [("expected_start", "Vul de verwachte startdatum in.")]
    if expected < today:
        return [("expected_start", "De verwachte startdatum ligt in het verleden. Is de hulp al "
                                   "begonnen? Kies dan 'Hulp gestart'.")]
    if expected > today + timedelta(days=MAX_EXPECTED_DAYS):
        return [("expected_start", "Vul een verwachte startdatum binnen een jaar in.")]
    return []


def _fact_date_problems(field: str, value: date | None, name: str, *, not_before: date,
                        today: date, before_what: str | None = None) -> list[tuple[str, str]]:
    if value is None:
        return [(field, f"Vul de {name} in.")]
    if value > today:
        return [(field, f"De {name} ligt in de toekomst. Vul de datum in zodra het zover is.")]
    if value < not_before:
        what = before_what or "de datum waarop de verwijzing is verstuurd"
        return [(field, f"De {name} ligt vóór {what} ({nl_date(not_before)}).")]
    return []


def is_overdue(referral: Referral, today: date) -> bool:
    """Unanswered after the region's deadline."""
    return (referral.status == RS.sent and referral.answer_due_on is not None
            and referral.answer_due_on < today)


def feedback_summary(referral: Referral, step: str) -> str:
    """The terugkoppeling the school reads: what happened, never why or how it went."""
    organisation = referral.to_organisation.name
    return {
        "accept": f"Verwijzing geaccepteerd door {organisation}",
        "decline": f"Verwijzing afgewezen door {organisation}",
        "redirect": "Doorverwezen naar de hulpverlener die al bij het gezin betrokken is",
        "wait": f"Wachtlijst: verwachte start {nl_date(referral.expected_start)}",
        "start": f"Hulp gestart op {nl_date(referral.started_on)}",
        "end": f"Hulp beëindigd op {nl_date(referral.ended_on)}",
    }[step]


class AnswerRefused(CaseError):
    """An answer that breaks the rules; `problems` holds every (field, message)."""

    def __init__(self, problems: list[tuple[str, str]]):
        field, message = problems[0]
        super().__init__(message, field=field)
        self.problems = problems


# --- who can receive a referral --------------------------------------------------------------


def professional_choices(case: Case, today: date | None = None,
                         also: Iterable[int] = ()) -> list[Membership]:
    """What the referral picker offers: youth professionals of the case's region (one entry per
    organisation they work for) who are the school's jeugdhulp contact or deputy or already on
    the case, and the memberships `also` names (search matches, a posted choice). The contact
    person first and the deputy second. Bounded by the school and the case, not the region."""
    contact = case.school.contact_for(PartnerType.jeugdhulp, today or date.today())
    memberships = db.session.scalars(
        sa.select(Membership).join(Membership.user)
        .options(so.contains_eager(Membership.user), so.joinedload(Membership.organisation))
        .where(_professional_of(case),
               sa.or_(Membership.user_id.in_(known_user_ids(case, today)),
                      Membership.id.in_(set(also))))
        .order_by(User.name, Membership.id)
    ).all()
    if contact is None:
        return list(memberships)
    rank = {contact.user_id: 0, contact.deputy_user_id: 1}
    return sorted(memberships, key=lambda m: (rank.get(m.user_id, 2),
                                              m.organisation_id != contact.organisation_id))


def search_professionals(case: Case, term: str) -> pickers.Found:
    """Memberships of the region's youth professionals whose name, or organisation's name,
    contains `term`."""
    ids = db.session.scalars(
        sa.select(Membership.id).join(Membership.user).join(Membership.organisation)
        .where(_professional_of(case), pickers.matching(term, User.name, Organisation.name))
        .order_by(User.name, Membership.id).limit(pickers.SEARCH_LIMIT + 1)
    ).all()
    return pickers.found(term, list(ids))


def _professional_of(case: Case) -> sa.ColumnElement[bool]:
    """A membership that can receive a referral of `case` (the caller joins its user)."""
    return sa.and_(Membership.role == Role.youth_professional,
                   Membership.region_id == case.school.region_id,
                   Membership.organisation_id.is_not(None), User.active.is_(True))


def contact_role(case: Case, membership: Membership, today: date | None = None) -> str | None:
    """'vaste contactpersoon' or 'plaatsvervanger' when `membership` is the school's contact."""
    contact = case.school.contact_for(PartnerType.jeugdhulp, today or date.today())
    if contact is None:
        return None
    if membership.user_id == contact.user_id:
        return "vaste contactpersoon"
    return "plaatsvervanger" if membership.user_id == contact.deputy_user_id else None


def _chosen(case: Case, membership_id: int | None, field: str) -> Membership:
    chosen = db.session.scalar(
        sa.select(Membership).join(Membership.user)
        .where(_professional_of(case), Membership.id == membership_id)
    ) if membership_id is not None else None
    if chosen is None:
        raise CaseError("Kies een jeugdprofessional uit de lijst.", field=field)
    return chosen


def _check_can_refer(case: Case, organisation, today: date, field: str, *,
                     replacing: Referral | None = None) -> None:
    """Consent (or the meldcode justification) for the organisation, and no live referral to
    it yet: one professional of an organisation works one case at a time."""
    if case.valid_consent_for(organisation.id, today) is None and _blank(
            case.meldcode_justification):
        raise CaseError(f"Er is geen geldige toestemming om {organisation.name} te betrekken. "
                        "Leg eerst de toestemming van ouders of jeugdige vast (of een "
                        "meldcode-afweging).", field=field)
    if any(r.to_organisation_id == organisation.id and r.status in LIVE_STATUSES
           and r is not replacing for r in case.referrals):
        raise CaseError(f"Er loopt al een verwijzing naar {organisation.name}. Wacht het "
                        "antwoord af of laat die eerst afronden.", field=field)


def referral_path(referral: Referral) -> str:
    """The referral page (notifications carry an internal path, never a pupil reference)."""
    return f"/cases/{referral.case_id}/referrals/{referral.id}"


# --- writers ---------------------------------------------------------------------------------


def send_referral(actor, case: Case, expected_version: int, membership_id: int | None,
                  question: str, today: date | None = None) -> Referral:
    """Refer the case to a youth professional of the region; answer due after the region's
    referral_answer_days."""
    today = today or date.today()
    with changing(actor, case, expected_version, "referral:send",
                  fields=("to_user", "to_organisation", "question")):
        if case.state not in SENDABLE_STATES:
            raise CaseError("In deze fase van de casus kan geen verwijzing worden verstuurd.")
        if _blank(question):
            raise CaseError("Schrijf wat de school van de jeugdprofessional vraagt.",
                            field="question")
        chosen = _chosen(case, membership_id, "professional")
        _check_can_refer(case, chosen.organisation, today, "professional")
        referral = _new_referral(case, chosen, question.strip(), actor.id, today)
        record_event(case, "referral", f"Verwezen naar {chosen.organisation.name}", actor,
                     referral=referral)
    return referral


def _new_referral(case: Case, to: Membership, question: str, sent_by_id: int,
                  today: date) -> Referral:
    referral = Referral(
        case=case, to_organisation=to.organisation, to_user=to.user, status=RS.sent,
        sent_by_id=sent_by_id, sent_at=utcnow(), question=question,
        answer_due_on=today + timedelta(days=case.school.region.referral_answer_days),
    )
    db.session.add(referral)
    db.session.flush()  # its id is in the event and the notification's link
    notify(to.user, "new_referral", "Er is een nieuwe verwijzing voor u in Schakel.", case=case,
           link=referral_path(referral))
    return referral


def answer_referral(actor, referral: Referral, step: str, expected_version: int,
                    answer: Answer, today: date | None = None) -> Referral:
    """One step of the status table by the receiver, with the terugkoppeling to the school.
    Returns the referral the case continues with (a new one after a redirect in Schakel)."""
    today = today or date.today()
    case = referral.case
    with changing(actor, case, expected_version, f"referral:{step}",
                  fields=("status",) + _STEP_FIELDS.get(step, ()),
                  detail=f"verwijzing {referral.id}"):
        dest = next_status(referral.status, step)
        if dest is None:
            raise CaseError(f"Deze verwijzing staat op '{STATUS_LABELS[referral.status]}': "
                            f"'{STEPS[step].label}' kan nu niet.")
        if case.state == CaseState.closed and step != "end":
            raise CaseError("De casus is gesloten: alleen het beëindigen van de hulp kan nog.")
        problems = check_answer(step, answer, sent_on=referral.sent_at.date(),
                                started_on=referral.started_on, today=today)
        if problems:
            raise AnswerRefused(problems)
        follow_up = _apply(actor, referral, step, answer, today)
        referral.status = dest
        if step in ("accept", "decline", "redirect"):
            referral.answered_at = utcnow()
        record_event(case, "feedback", feedback_summary(referral, step), actor,
                     referral=referral)
        notify(referral.sent_by, "referral_answer",
               "Er is terugkoppeling op een verwijzing die u hebt verstuurd.", case=case,
               link=referral_path(referral))
    return follow_up or referral


_STEP_FIELDS = {
    "accept": ("light_help",), "decline": ("decline_reason",),
    "redirect": ("redirected_to", "redirect_note"),
    "wait": ("expected_start", "bridging_plan"), "start": ("started_on",),
    "end": ("ended_on", "outcome"),
}


def _apply(actor, referral: Referral, step: str, a: Answer, today: date) -> Referral | None:
    if step == "accept":
        referral.light_help = a.light_help
    elif step == "decline":
        referral.decline_reason = a.decline_reason.strip()
    elif step == "redirect":
        return _redirect(actor, referral, a, today)
    elif step == "wait":
        referral.expected_start = a.expected_start
        referral.bridging_plan = (a.bridging_plan or "").strip() or None
    elif step == "start":
        referral.started_on = a.started_on
    elif step == "end":
        referral.ended_on, referral.outcome = a.ended_on, a.outcome.strip()
    return None


def _redirect(actor, referral: Referral, a: Answer, today: date) -> Referral | None:
    """To the worker already with the family: a new referral with the same question when they
    are in Schakel, else a note saying who it is."""
    referral.redirect_note = (a.redirect_note or "").strip() or None
    if a.redirect_to is None:
        return None
    case = referral.case
    chosen = _chosen(case, a.redirect_to, "redirect_to")
    if chosen.user_id == referral.to_user_id or chosen.user_id == actor.id:
        raise CaseError("Kies een andere hulpverlener dan uzelf.", field="redirect_to")
    _check_can_refer(case, chosen.organisation, today, "redirect_to", replacing=referral)
    new = _new_referral(case, chosen, referral.question or "", referral.sent_by_id, today)
    referral.redirected_to = new
    record_event(case, "referral", f"Doorverwezen naar {chosen.organisation.name}", actor,
                 referral=new)
    return new


def add_progress_note(actor, referral: Referral, expected_version: int,
                      text: str) -> ReferralNote:
    """A progress note by the receiving side; the timeline only says that there is one."""
    case = referral.case
    with changing(actor, case, expected_version, "referral:note", fields=("referral_note",),
                  detail=f"verwijzing {referral.id}"):
        if referral.status not in RUNNING_STATUSES:
            raise CaseError("Voortgang melden kan zolang de verwijzing loopt (geaccepteerd, "
                            "wachtlijst of hulp gestart).")
        if _blank(text):
            raise CaseError("Schrijf de voortgangsnotitie.", field="text")
        note = ReferralNote(referral=referral, case_id=case.id, author_id=actor.id,
                            text=text.strip())
        db.session.add(note)
        # A terugkoppeling like the status changes: the school sees *that*, not what.
        record_event(case, "feedback", "Voortgangsnotitie toegevoegd", actor,
                     referral=referral)
    return note
