"""The sub-records a demo case's guards read: consent, MDO, regie, referrals, arrangements,
evaluations and escalations. Each builder takes the Story and backdates what it writes."""

from datetime import date, datetime, timedelta

from app.cases.models import (
    Arrangement,
    ArrangementKind,
    Consent,
    ConsentGiver,
    Discipline,
    Evaluation,
    EvaluationDecision,
    Funding,
    MdoMeeting,
    MdoParticipant,
    ParentParticipation,
    PupilVoice,
    Referral,
    ReferralStatus,
    SignalCategory,
)
from app.demo import texts
from app.escalation.models import Escalation
from app.org.models import Sector

K = ArrangementKind
ARRANGEMENT_KINDS = {
    "po": {K.oza_1: 3, K.oza_2: 2, K.oza_7: 2, K.jeugdhulp: 3, K.school_support: 2},
    "vo": {K.oza_1: 2, K.oza_2: 2, K.oza_4: 1, K.jeugdhulp: 3, K.school_support: 1},
    "special": {K.oza_2: 1, K.oza_3: 2, K.oza_5: 1, K.oza_6: 1, K.jeugdhulp: 2},
}
# kind -> (providing organisation key or None for the school itself, funding)
PROVIDERS = {
    K.oza_1: (None, Funding.onderwijs), K.oza_2: (None, Funding.onderwijs),
    K.oza_3: ("jeugdhulp", Funding.integraal), K.oza_4: ("swv", Funding.onderwijs),
    K.oza_5: ("jeugdhulp", Funding.integraal), K.oza_6: ("swv", Funding.onderwijs),
    K.oza_7: ("swv", Funding.onderwijs), K.jeugdhulp: ("jeugdhulp", Funding.gemeente),
    K.school_support: (None, Funding.onderwijs),
}
RUNNING_REFERRALS = frozenset({ReferralStatus.accepted, ReferralStatus.waiting,
                               ReferralStatus.started})


def _giver(pupil, on: date) -> ConsentGiver:
    age = pupil.age_on(on)
    if age < 12:
        return ConsentGiver.parents
    return ConsentGiver.pupil_and_parents if age < 16 else ConsentGiver.young_person


def ensure_consent(s, organisation, on: date, purpose: str) -> None:
    """Consent for `organisation`, given a few days before `on` (never before the case)."""
    if organisation.id in s.case.consented_organisation_ids(on):
        return
    given = max(on - timedelta(days=s.rng.randint(0, 4)), s.case.opened_at.date())
    s.case.consents.append(Consent(
        recipient_organisation_id=organisation.id, purpose=purpose,
        given_by=_giver(s.case.pupil, given), given_on=given,
        recorded_by_id=s.staff.id, recorded_at=s.moment(given),
    ))


def withdraw_consents(s, at: datetime) -> None:
    for consent in s.case.consents:
        if consent.withdrawn_at is None:
            consent.withdrawn_at = at


def give_regie(s, user, at: datetime) -> None:
    s.case.regie_holder_id, s.case.regie_since = user.id, at


# --- MDO -------------------------------------------------------------------------------------


def plan_meeting(s, at: datetime) -> MdoMeeting:
    """An MDO planned two to five weeks after `at`, with consent for every external invitee."""
    meeting = MdoMeeting(chair_id=s.staff.id,
                         planned_at=s.moment(at.date() + timedelta(days=s.rng.randint(10, 35))))
    s.case.mdo_meetings.append(meeting)
    _invite(meeting, Discipline.school, s.staff, None)
    _invite(meeting, Discipline.wijkteam, s.coach, s.wijkteam)
    signals = set(s.case.signal_categories)
    if SignalCategory.verzuim in signals or (s.is_vo and s.rng.random() < 0.3):
        _invite(meeting, Discipline.leerplicht, s.user("leerplicht"), s.org("leerplicht"))
    if SignalCategory.ziekteverzuim in signals or s.rng.random() < 0.12:
        _invite(meeting, Discipline.jgz, s.user("jeugdarts"), s.org("jgz"))
    if s.school.sector in (Sector.sbo, Sector.so) or s.rng.random() < 0.15:
        _invite(meeting, Discipline.swv, None, s.org("swv"))
    if s.rng.random() < 0.2:
        _invite(meeting, Discipline.jeugdhulp, None, s.org("jeugdhulp"))
    if not s.case.meldcode_justification:
        for participant in meeting.participants:
            if participant.organisation_id is not None:
                ensure_consent(s, participant.organisation, at.date(), texts.CONSENT_PURPOSE_MDO)
    return meeting


def _invite(meeting, discipline, user, organisation) -> None:
    meeting.participants.append(MdoParticipant(
        discipline=discipline, user_id=user.id if user else None,
        organisation=organisation, organisation_id=organisation.id if organisation else None,
    ))


def hold_meeting(s, meeting: MdoMeeting) -> None:
    """Who came, and how parents and pupil took part (PO parents come far more often than VO)."""
    meeting.held_at = meeting.planned_at
    for participant in meeting.participants:
        chance = {Discipline.school: 1.0, Discipline.wijkteam: 0.95}.get(participant.discipline,
                                                                          0.85)
        participant.present = s.rng.random() < chance
    present = 0.3 if s.is_vo else 0.6
    meeting.parents = s.pick({ParentParticipation.present: present,
                              ParentParticipation.invited_absent: (1 - present) * 0.7,
                              ParentParticipation.not_invited: (1 - present) * 0.3})
    if meeting.parents == ParentParticipation.not_invited:
        meeting.parents_reason = s.rng.choice(texts.PARENTS_NOT_INVITED)
    heard = (0.3, 0.2) if s.is_vo else (0.05, 0.15)
    meeting.pupil_voice = s.pick({PupilVoice.present: heard[0],
                                  PupilVoice.heard_beforehand: heard[1],
                                  PupilVoice.not_heard: 1 - sum(heard)})
    if meeting.pupil_voice == PupilVoice.not_heard:
        meeting.pupil_reason = s.rng.choice(texts.PUPIL_NOT_HEARD)
    s.touch(meeting.held_at)


# --- referrals and arrangements ---------------------------------------------------------------


def refer(s, organisation, user, sent: datetime) -> Referral:
    referral = Referral(to_organisation_id=organisation.id,
                        to_user_id=user.id if user else None, status=ReferralStatus.sent,
                        sent_by_id=s.staff.id, sent_at=sent)
    s.case.referrals.append(referral)
    return referral


def redirect(s, referral: Referral, at: datetime) -> Referral:
    """The family already has a worker (the other J&G-coach): no double work, it goes there."""
    referral.status, referral.answered_at = ReferralStatus.redirected, at
    referral.decline_reason = texts.REDIRECT_REASON
    contact, deputy = s.world.coaches_of(s.school_key)
    s.coach = deputy if s.coach is contact else contact
    s.wijkteam = s.world.organisation_of(s.coach)
    ensure_consent(s, s.wijkteam, at.date(), texts.CONSENT_PURPOSE_HELP)
    return refer(s, s.wijkteam, s.coach, at)


def accept(s, referral: Referral, answered: datetime) -> None:
    referral.status, referral.answered_at = ReferralStatus.accepted, answered
    s.touch(answered)


def start_help(s, referral: Referral, expected: date) -> None:
    """Accepted help starts on `expected` give or take; until then the family waits."""
    referral.status, referral.expected_start = ReferralStatus.waiting, expected
    started = expected + timedelta(days=s.rng.randint(-3, 14))
    if started < s.until.date():
        referral.status, referral.started_on = ReferralStatus.started, started
        s.touch(s.moment(started))


def end_referrals(s, on: date, outcome: str) -> None:
    for referral in s.case.referrals:
        if referral.status in RUNNING_REFERRALS:
            referral.status, referral.ended_on, referral.outcome = ReferralStatus.ended, on, outcome


def arrangement(s, at: datetime, kind=None, provider=None, due: date | None = None):
    """An arrangement with goals per domain and an evaluation date; help from a jeugdhulp
    provider also gets its referral (accepted, waiting, started as time allows)."""
    group = "vo" if s.is_vo else "special" if s.school.sector in (Sector.sbo, Sector.so) else "po"
    kind = kind or s.pick(ARRANGEMENT_KINDS[group])
    provider_key, funding = PROVIDERS[kind]
    provider = provider or (s.org(provider_key) if provider_key else None)
    starts = at.date() + timedelta(days=s.rng.randint(0, 14))
    result = Arrangement(
        kind=kind, provider_organisation_id=provider.id if provider else None,
        funding=funding, goal_school=s.rng.choice(texts.GOALS_SCHOOL),
        goal_thuis=s.rng.choice(texts.GOALS_THUIS) if s.rng.random() < 0.7 else None,
        goal_wijk=s.rng.choice(texts.GOALS_WIJK) if s.rng.random() < 0.3 else None,
        starts_on=starts, created_at=at,
        evaluation_due=due or starts + timedelta(weeks=s.rng.randint(6, 14)),
    )
    s.case.arrangements.append(result)
    if provider is not None and provider is s.org("jeugdhulp"):
        _refer_to_provider(s, provider, at)
    return result


def _refer_to_provider(s, provider, at: datetime) -> None:
    ensure_consent(s, provider, at.date(), texts.CONSENT_PURPOSE_HELP)
    referral = refer(s, provider, None, at)
    answered = s.later(2, 20, after=at)
    if answered is not None and s.rng.random() < 0.15:
        referral.status, referral.answered_at = ReferralStatus.declined, answered
        referral.decline_reason = s.rng.choice(texts.DECLINE_REASONS)
        s.touch(answered)
        referral = refer(s, provider, None, answered)  # sent again with a sharper hulpvraag
        answered = s.later(2, 15, after=answered)
    if answered is not None:
        accept(s, referral, answered)
        start_help(s, referral, answered.date() + timedelta(days=s.rng.randint(10, 60)))


# --- evaluations and escalations --------------------------------------------------------------


def evaluation(s, held: datetime, decision: EvaluationDecision, next_due=None,
               needs_school=False) -> Evaluation:
    """PO evaluations are held jointly (school and youth care) far less often than VO ones."""
    school = s.rng.random() < (0.95 if s.is_vo else 0.8)
    record = Evaluation(
        held_on=held.date(), recorded_at=held, recorded_by_id=s.staff.id,
        school_present=school,
        youth_care_present=s.rng.random() < (0.9 if s.is_vo else 0.55),
        parents_present=s.rng.random() < 0.6,
        pupil_present=s.rng.random() < (0.45 if s.is_vo else 0.1),
        decision=decision, next_evaluation_due=next_due,
    )
    if (needs_school and not school) or s.rng.random() < 0.4:
        record.school_input = s.rng.choice(texts.SCHOOL_INPUT)
    s.links.append((record, s.case.current_arrangement))
    s.case.evaluations.append(record)
    return record


def open_escalation(s, reason, note: str, actor) -> Escalation:
    """The row the escalate service writes beside the transition (cases/services.advance_case)."""
    escalation = Escalation(
        reason=reason, rationale=note, opened_by_id=actor.id, opened_at=s.case.state_since,
        assigned_coordinator_id=s.user("coordinator").id if s.rng.random() < 0.8 else None,
    )
    s.case.escalations.append(escalation)
    return escalation


def decide_escalation(s, escalation: Escalation, at: datetime) -> None:
    coordinator = s.user("coordinator")
    escalation.tier = s.pick({1: 6, 2: 3, 3: 1})
    escalation.assigned_coordinator_id = coordinator.id
    escalation.decision, escalation.funding_guarantee = s.rng.choice(texts.ESCALATION_DECISIONS)
    escalation.decided_by_id, escalation.decided_at = coordinator.id, at
    s.touch(at)
