"""The sub-records a demo case's guards read: consent, MDO, regie, referrals, arrangements,
evaluations and escalations. Each builder takes the Story and backdates what it writes."""

from datetime import date, datetime, timedelta

from app.cases.models import (
    ARRANGEMENT_KIND_LABELS,
    PLAN_KIND_LABELS,
    Arrangement,
    ArrangementKind,
    CaseEvent,
    CasePlan,
    Consent,
    ConsentGiver,
    Discipline,
    Evaluation,
    EvaluationDecision,
    Funding,
    GoalAttainment,
    HandoverStatus,
    MdoAction,
    MdoMeeting,
    MdoParticipant,
    ParentParticipation,
    PlanKind,
    PupilVoice,
    Referral,
    ReferralNote,
    ReferralStatus,
    RegieHandover,
    SignalCategory,
)
from app.demo import texts
from app.escalation.models import Escalation
from app.filters import nl_date, nl_datetime
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


def event(s, at: datetime, kind: str, summary: str, actor=None, referral=None) -> None:
    """A line on the case's timeline, as the services write it (content-free). `actor` is a
    user or a user id (a referral's receiver is only known by id before the flush)."""
    actor_id = actor if isinstance(actor, int) or actor is None else actor.id
    s.case.events.append(CaseEvent(at=at, kind=kind, summary=summary, referral=referral,
                                   actor_id=actor_id))


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
        covers_progress_notes=s.rng.random() < 0.6,
        recorded_by_id=s.staff.id, recorded_at=s.moment(given),
    ))
    event(s, s.moment(given), "consent", f"Toestemming vastgelegd voor {organisation.name}",
          s.staff)


def withdraw_consents(s, at: datetime) -> None:
    for consent in s.case.consents:
        if consent.withdrawn_at is None:
            consent.withdrawn_at, consent.withdrawn_by_id = at, s.staff.id
            name = _org_name(s, consent.recipient_organisation_id)
            event(s, at, "consent", f"Toestemming ingetrokken voor {name}", s.staff)


def give_regie(s, user, at: datetime) -> None:
    """Taken by the user themselves, or handed over and accepted a day or two later."""
    asked_by = s.staff
    answered = at if user is asked_by else at + timedelta(hours=s.rng.randint(2, 40))
    answered = min(answered, s.until)
    s.case.regie_handovers.append(RegieHandover(
        from_user_id=s.case.regie_holder_id, to_user_id=user.id, requested_by_id=asked_by.id,
        requested_at=at, status=HandoverStatus.accepted, answered_at=answered,
    ))
    if user is not asked_by:
        event(s, at, "regie", f"Casusregie overdracht gevraagd aan {user.name}", asked_by)
    event(s, answered, "regie", f"Casusregie overgenomen door {user.name}", user)
    s.case.regie_holder_id, s.case.regie_since = user.id, answered


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
    event(s, at, "mdo", f"MDO gepland op {nl_datetime(meeting.planned_at)}", s.staff)
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
    meeting.minutes = s.rng.choice(texts.MDO_MINUTES)
    _agree_actions(s, meeting)
    parents = {ParentParticipation.present: "ouders aanwezig",
               ParentParticipation.invited_absent: "ouders uitgenodigd, niet aanwezig",
               ParentParticipation.not_invited: "ouders niet uitgenodigd"}[meeting.parents]
    pupil = {PupilVoice.present: "leerling aanwezig",
             PupilVoice.heard_beforehand: "leerling vooraf gehoord",
             PupilVoice.not_heard: "leerling niet gehoord"}[meeting.pupil_voice]
    event(s, meeting.held_at, "mdo", f"MDO gehouden ({parents}; {pupil})", s.staff)
    s.touch(meeting.held_at)


def _agree_actions(s, meeting: MdoMeeting) -> None:
    """Two or three agreements with an owner and a date; those due before today mostly done."""
    owners = [s.staff] + ([s.coach] if any(p.user_id == s.coach.id and p.present
                                           for p in meeting.participants) else [])
    for description in s.rng.sample(texts.MDO_ACTIONS, s.rng.randint(1, 3)):
        due = meeting.held_at.date() + timedelta(days=s.rng.randint(5, 30))
        owner = s.rng.choice(owners)
        action = MdoAction(case=s.case, description=description, owner_id=owner.id, due_on=due,
                           created_at=meeting.held_at)
        done = s.moment(due - timedelta(days=s.rng.randint(0, 4)))
        if done < s.until and s.rng.random() < 0.85:
            action.done_at, action.done_by_id = max(done, meeting.held_at), owner.id
        meeting.actions.append(action)


# --- referrals and arrangements ---------------------------------------------------------------


def refer(s, organisation, user, sent: datetime) -> Referral:
    referral = Referral(to_organisation_id=organisation.id,
                        to_user_id=user.id if user else None, status=ReferralStatus.sent,
                        sent_by_id=s.staff.id, sent_at=sent,
                        question=s.case.hulpvraag or texts.HULPVRAGEN[s.case.signal_categories[0]],
                        answer_due_on=sent.date() + timedelta(
                            days=s.world.region.referral_answer_days))
    s.case.referrals.append(referral)
    event(s, sent, "referral", f"Verwezen naar {organisation.name}", s.staff, referral)
    return referral


def redirect(s, referral: Referral, at: datetime) -> Referral:
    """The family already has a worker (the other J&G-coach): no double work, it goes there."""
    referral.status, referral.answered_at = ReferralStatus.redirected, at
    referral.redirect_note = texts.REDIRECT_REASON
    event(s, at, "feedback", "Doorverwezen naar de hulpverlener die al bij het gezin betrokken is",
          s.coach, referral)
    contact, deputy = s.world.coaches_of(s.school_key)
    s.coach = deputy if s.coach is contact else contact
    s.wijkteam = s.world.organisation_of(s.coach)
    ensure_consent(s, s.wijkteam, at.date(), texts.CONSENT_PURPOSE_HELP)
    referral.redirected_to = refer(s, s.wijkteam, s.coach, at)
    return referral.redirected_to


def accept(s, referral: Referral, answered: datetime, light_help: bool = False) -> None:
    referral.status, referral.answered_at = ReferralStatus.accepted, answered
    referral.light_help = light_help
    name = _org_name(s, referral.to_organisation_id)
    event(s, answered, "feedback", f"Verwijzing geaccepteerd door {name}", referral.to_user_id,
          referral)
    s.touch(answered)


def _org_name(s, organisation_id: int) -> str:
    return next(o.name for o in s.world.organisations.values() if o.id == organisation_id)


def start_help(s, referral: Referral, expected: date) -> None:
    """Accepted help starts on `expected` give or take; until then the family waits."""
    referral.status, referral.expected_start = ReferralStatus.waiting, expected
    answered = referral.answered_at or s.clock
    if expected > answered.date() + timedelta(days=7):
        referral.bridging_plan = s.rng.choice(texts.BRIDGING_PLANS)
        event(s, answered + timedelta(minutes=5), "feedback",
              f"Wachtlijst: verwachte start {nl_date(expected)}", referral.to_user_id, referral)
    started = max(expected + timedelta(days=s.rng.randint(-3, 14)), answered.date())
    if started < s.until.date():
        referral.status, referral.started_on = ReferralStatus.started, started
        event(s, s.moment(started), "feedback", f"Hulp gestart op {nl_date(started)}",
              referral.to_user_id, referral)
        s.touch(s.moment(started))
        noted = s.moment(started + timedelta(days=s.rng.randint(14, 40)))
        if noted < s.until and referral.to_user_id is not None:
            referral.notes.append(ReferralNote(case=s.case, author_id=referral.to_user_id,
                                               written_at=noted,
                                               text=s.rng.choice(texts.PROGRESS_NOTES)))
            event(s, noted, "feedback", "Voortgangsnotitie toegevoegd",
                  referral.to_user_id, referral)


def end_referrals(s, on: date, outcome: str) -> None:
    for referral in s.case.referrals:
        if referral.status in RUNNING_REFERRALS:
            referral.status, referral.ended_on, referral.outcome = ReferralStatus.ended, on, outcome
            event(s, s.moment(on), "feedback", f"Hulp beëindigd op {nl_date(on)}",
                  referral.to_user_id, referral)


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
    event(s, at, "arrangement", f"Arrangement vastgelegd: {ARRANGEMENT_KIND_LABELS[kind]}",
          s.staff)
    _plan(s, at, kind)
    if provider is not None and provider is s.org("jeugdhulp"):
        _refer_to_provider(s, provider, at)
    return result


def _plan(s, at: datetime, kind) -> None:
    """Special-needs arrangements come with an OPP; jeugdhulp often with an integrated plan."""
    if kind in (K.oza_3, K.oza_4, K.oza_5, K.oza_6) and not s.case.plans:
        plan = PlanKind.opp
    elif kind in (K.jeugdhulp, K.oza_3) and s.rng.random() < 0.5:
        plan = s.pick({PlanKind.integraal: 2, PlanKind.jeugd_gezinsplan: 1})
    else:
        return
    s.case.plans.append(CasePlan(
        kind=plan, drawn_up_on=at.date(), recorded_by_id=s.staff.id, recorded_at=at,
        names_school=plan != PlanKind.jeugd_gezinsplan or s.rng.random() < 0.3,
        names_home=plan != PlanKind.opp or s.rng.random() < 0.4,
        summary=texts.PLAN_SUMMARIES[plan.value],
    ))
    event(s, at, "plan", f"{PLAN_KIND_LABELS[plan]} vastgelegd", s.staff)


def _refer_to_provider(s, provider, at: datetime) -> None:
    ensure_consent(s, provider, at.date(), texts.CONSENT_PURPOSE_HELP)
    referral = refer(s, provider, None, at)
    answered = s.later(2, 20, after=at)
    if answered is not None and s.rng.random() < 0.15:
        referral.status, referral.answered_at = ReferralStatus.declined, answered
        referral.decline_reason = s.rng.choice(texts.DECLINE_REASONS)
        event(s, answered, "feedback", f"Verwijzing afgewezen door {provider.name}", None,
              referral)
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
        due_on=s.case.current_arrangement.evaluation_due if s.case.current_arrangement
        else None,
    )
    _attainment(s, record, s.case.current_arrangement, decision)
    if (needs_school and not school) or s.rng.random() < 0.4:
        record.school_input = s.rng.choice(texts.SCHOOL_INPUT)
    s.links.append((record, s.case.current_arrangement))
    s.case.evaluations.append(record)
    together = [name for name, present in (("school", record.school_present),
                                           ("jeugdhulp", record.youth_care_present),
                                           ("ouders", record.parents_present),
                                           ("leerling", record.pupil_present)) if present]
    event(s, held, "evaluation", "Evaluatie gehouden met " + (", ".join(together) or "de school"),
          s.staff)
    return record


def _attainment(s, record: Evaluation, arrangement, decision) -> None:
    """Goals met more often when the evaluation closes the case than when help goes on."""
    G = GoalAttainment
    weights = ({G.met: 6, G.partly: 3, G.not_met: 1} if decision == EvaluationDecision.close
               else {G.met: 2, G.partly: 5, G.not_met: 3})
    for domain in ("school", "thuis", "wijk"):
        goal = getattr(arrangement, f"goal_{domain}", None) if arrangement else None
        setattr(record, f"attainment_{domain}", s.pick(weights) if goal else G.not_applicable)


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
