"""The walk of one demo case through the real machine: per state, prepare what the guards need,
then fire, or stop when the next step would lie in the future."""

from datetime import timedelta

from app.cases.models import ArrangementKind, EvaluationDecision
from app.cases.workflow import CaseState, ClosureReason, EscalationReason
from app.demo import records, texts

R, E, K = ClosureReason, EscalationReason, ArrangementKind
MAX_STEPS = 14
LIGHT_HELP_KINDS = {K.school_support: 3, K.jeugdhulp: 3, K.oza_1: 2, K.oza_7: 1}
# What a coordinator arranges when an escalation is resolved back into an arrangement.
RESOLVED_KINDS = {E.no_school_place: K.oza_4, E.thuiszitter: K.oza_3,
                  E.no_youth_care_in_time: K.jeugdhulp, E.responsibility_dispute: K.oza_3}


def play(s) -> None:
    steps = 0
    while steps < MAX_STEPS and PHASES[s.case.state](s):
        steps += 1
    s.finish()


def signalering(s) -> bool:
    choice = 1.0 if s.reopened else s.rng.random()
    if choice < 0.13:
        return _close_early(s)
    if choice < 0.29:
        return _light_help(s)
    if choice < 0.33:
        return _escalate_later(s, (E.thuiszitter, E.parents_school_disagree), 14, 60)
    return _plan_mdo(s)


def _close_early(s) -> bool:
    at = s.later(21, 90)
    if at is None:
        return False
    reason = s.pick({R.school_approach: 6, R.no_concern: 3, R.handed_over: 1})
    s.fire("close", at, s.staff, reason=reason.value, note=texts.CLOSURE_NOTES[reason])
    return True


def _light_help(s) -> bool:
    """Referred to the school's J&G-coach, who accepts and takes regie: no MDO needed."""
    sent = s.later(7, 45)
    if sent is None:
        return False
    s.case.discussed_with_parents = True
    records.ensure_consent(s, s.wijkteam, sent.date(), texts.CONSENT_PURPOSE_HELP)
    referral = records.refer(s, s.wijkteam, s.coach, sent)
    if s.rng.random() < 0.12:
        referral = records.redirect(s, referral, sent + timedelta(hours=2))
    s.touch(sent)
    answered = s.later(1, 12, after=sent)
    if answered is None:
        return False  # the referral waits for an answer: the monitor's response time
    records.accept(s, referral, answered, light_help=True)
    records.give_regie(s, s.coach, answered)
    help_ = records.arrangement(s, answered, s.pick(LIGHT_HELP_KINDS), provider=s.wijkteam)
    records.start_help(s, referral, help_.starts_on)
    s.fire("start_light_help", answered, s.staff, note=s.rng.choice(texts.LIGHT_HELP_NOTES))
    return True


def _plan_mdo(s) -> bool:
    at = s.later(10, 60)
    if at is None:
        return False
    s.case.discussed_with_parents = True
    s.case.hulpvraag = s.case.hulpvraag or texts.HULPVRAGEN[s.case.signal_categories[0]]
    records.plan_meeting(s, at)
    s.fire("plan_mdo", at, s.staff)
    return True


def mdo(s) -> bool:
    meeting = s.case.planned_mdo or records.plan_meeting(s, s.clock)
    if meeting.planned_at > s.until:
        return False  # planned, not yet held
    records.hold_meeting(s, meeting)
    s.clock = meeting.held_at
    if s.rng.random() < 0.08:
        reasons = (E.regie_dispute, E.responsibility_dispute, E.no_school_place,
                   E.parents_school_disagree)
        return _escalate_later(s, reasons, 2, 20)
    if len(meeting.present_disciplines()) < 2:
        return False  # youth care did not come: a new MDO is needed
    if s.case.regie_holder_id is None:
        if s.rng.random() < 0.08:
            return False  # nobody took casusregie: the gap the monitor and the rules flag
        holder = s.coach if s.rng.random() < 0.65 else s.staff
        records.give_regie(s, holder, meeting.held_at)
    agreed = s.later(1, 21)
    if agreed is None:
        return False
    records.arrangement(s, agreed)
    s.fire("agree_arrangement", agreed, s.staff)
    return True


def arrangement(s) -> bool:
    if s.rng.random() < 0.05:
        return _escalate_later(s, (E.no_youth_care_in_time, E.thuiszitter,
                                   E.responsibility_dispute), 14, 60)
    due = s.case.current_arrangement.evaluation_due
    at = max(s.moment(due + timedelta(days=s.rng.randint(0, 21))),
             s.clock + timedelta(minutes=10))
    if at > s.until:
        return False
    s.fire("start_evaluation", at, s.staff)
    return True


def evaluation(s) -> bool:
    held = s.later(5, 40)
    if held is None:
        return False  # evaluation started, not yet held
    choice = s.rng.random()
    if choice < 0.38:
        return _evaluate_and_close(s, held)
    if choice < 0.78:
        return _evaluate_and_continue(s, held)
    if choice < 0.89:
        records.evaluation(s, held, s.pick({EvaluationDecision.adjust: 2,
                                            EvaluationDecision.step_down: 1}))
        s.fire("back_to_mdo", held, s.staff)
        return True
    records.evaluation(s, held, EvaluationDecision.escalate)
    return _escalate(s, (E.no_progress,), held)


def _evaluate_and_close(s, held) -> bool:
    reason = s.pick({R.goals_met: 5, R.aftercare_ended: 2, R.handed_over: 1.5,
                     R.stopped_by_family: 1.5})
    records.evaluation(s, held, EvaluationDecision.close, needs_school=True)
    if reason == R.stopped_by_family:
        records.withdraw_consents(s, held)
    records.end_referrals(s, held.date(), texts.CLOSURE_NOTES[reason])
    s.fire("close", held, s.staff, reason=reason.value, note=texts.CLOSURE_NOTES[reason])
    return True


def _evaluate_and_continue(s, held) -> bool:
    next_due = held.date() + timedelta(weeks=s.rng.randint(6, 12))
    adjust = s.rng.random() < 0.4
    decision = EvaluationDecision.adjust if adjust else EvaluationDecision.continue_
    records.evaluation(s, held, decision, next_due=next_due)
    if adjust:
        records.arrangement(s, held, due=next_due)
    else:
        s.case.current_arrangement.evaluation_due = next_due
    s.fire("continue_arrangement", held, s.staff)
    return True


def escalation(s) -> bool:
    open_ = s.case.open_escalation
    slow = s.rng.random() < 0.25  # waits for an administrative (E3) decision
    decided = s.later(45, 160) if slow else s.later(7, 60)
    if decided is None:
        return False  # in the coordinator's queue
    records.decide_escalation(s, open_, decided)
    at = s.later(1, 21, after=decided)
    if at is None:
        return False  # decided, not yet carried out
    coordinator = s.user("coordinator")
    choice = s.rng.random()
    if choice < 0.5:
        records.arrangement(s, at, RESOLVED_KINDS.get(open_.reason))
        if s.case.regie_holder_id is None:
            records.give_regie(s, s.coach, at)
        s.fire("resolve_escalation", at, coordinator, dest=CaseState.arrangement.value)
    elif choice < 0.8:
        s.fire("resolve_escalation", at, coordinator, dest=CaseState.mdo.value)
    else:
        reason = s.pick({R.handed_over: 1, R.stopped_by_family: 1})
        if reason == R.stopped_by_family:
            records.withdraw_consents(s, at)
        records.end_referrals(s, at.date(), texts.CLOSURE_NOTES[reason])
        s.fire("close", at, coordinator, reason=reason.value, note=texts.CLOSURE_NOTES[reason])
    open_.resolved_at = s.case.state_since
    return True


def closed(s) -> bool:
    if s.reopened or s.rng.random() > 0.1:
        return False
    at = s.later(21, 150)
    if at is None:
        return False
    s.reopened = True
    s.fire("reopen", at, s.staff, note=s.rng.choice(texts.REOPEN_NOTES))
    return True


def _escalate_later(s, reasons, lo: int, hi: int) -> bool:
    at = s.later(lo, hi)
    return at is not None and _escalate(s, reasons, at)


def _escalate(s, reasons, at) -> bool:
    reason = s.rng.choice(reasons)
    note = s.rng.choice(texts.ESCALATION_RATIONALES[reason])
    actor = s.staff
    if s.case.regie_holder_id == s.coach.id and s.rng.random() < 0.4:
        actor = s.coach
    s.fire("escalate", at, actor, reason=reason.value, note=note)
    records.open_escalation(s, reason, note, actor)
    return True


PHASES = {
    CaseState.signalering: signalering, CaseState.mdo: mdo, CaseState.arrangement: arrangement,
    CaseState.evaluation: evaluation, CaseState.escalation: escalation, CaseState.closed: closed,
}
