"""The case workflow: one shared state machine, its trigger table and its guards.

Guards are pure predicates over the case (and the input of the trigger); they never write. *Who*
may fire a trigger is authorisation and lives in `app.auth.permissions`. The service that fires a
trigger owns the transaction: state, history row and audit row are committed together.
"""

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from transitions import Machine, MachineError


class CaseState(enum.Enum):
    # Lowercase members: name == value == the stored string.
    signalering = "signalering"
    mdo = "mdo"
    arrangement = "arrangement"
    evaluation = "evaluation"
    escalation = "escalation"
    closed = "closed"


STATE_LABELS = {
    CaseState.signalering: "Signalering",
    CaseState.mdo: "MDO",
    CaseState.arrangement: "Arrangement",
    CaseState.evaluation: "Evaluatie",
    CaseState.escalation: "Escalatie",
    CaseState.closed: "Gesloten",
}

TRIGGER_LABELS = {
    "plan_mdo": "MDO plannen",
    "agree_arrangement": "Arrangement afspreken",
    "start_light_help": "Lichte hulp starten zonder MDO",
    "start_evaluation": "Evaluatie starten",
    "continue_arrangement": "Arrangement voortzetten",
    "back_to_mdo": "Terug naar MDO",
    "close": "Casus sluiten",
    "escalate": "Escaleren",
    "resolve_escalation": "Escalatie afronden",
    "reopen": "Casus heropenen",
}


class ClosureReason(enum.Enum):
    school_approach = "school_approach"
    goals_met = "goals_met"
    handed_over = "handed_over"
    stopped_by_family = "stopped_by_family"
    aftercare_ended = "aftercare_ended"
    no_concern = "no_concern"


CLOSURE_REASON_LABELS = {
    ClosureReason.school_approach: "Opgelost met de eigen aanpak van de school",
    ClosureReason.goals_met: "Hulp beëindigd, doelen bereikt",
    ClosureReason.handed_over: "Overgedragen aan een andere school of 18+-voorziening",
    ClosureReason.stopped_by_family: "Gestopt door ouders/leerling (toestemming ingetrokken)",
    ClosureReason.aftercare_ended: "Nazorgperiode afgelopen",
    ClosureReason.no_concern: "Geen zorg (meer) na gesprek",
}


class EscalationReason(enum.Enum):
    no_youth_care_in_time = "no_youth_care_in_time"
    no_school_place = "no_school_place"
    thuiszitter = "thuiszitter"
    responsibility_dispute = "responsibility_dispute"
    no_progress = "no_progress"
    regie_dispute = "regie_dispute"
    parents_school_disagree = "parents_school_disagree"


ESCALATION_REASON_LABELS = {
    EscalationReason.no_youth_care_in_time: "Geen jeugdhulp op tijd beschikbaar",
    EscalationReason.no_school_place: "Geen schoolplek / OZA niet geregeld",
    EscalationReason.thuiszitter: "(Dreigende) thuiszitter",
    EscalationReason.responsibility_dispute: "Geschil over verantwoordelijkheid of financiering",
    EscalationReason.no_progress: "Geen voortgang bij evaluatie",
    EscalationReason.regie_dispute: "Casusregie onduidelijk of partners oneens",
    EscalationReason.parents_school_disagree: "Ouders en school oneens",
}

# Decisions at an evaluation that send the case back into a running arrangement: as agreed,
# adjusted, or stepped down to lighter help ("zo snel mogelijk weer afgeschaald").
CONTINUE_DECISIONS = frozenset({"continue", "adjust", "step_down"})


@dataclass(frozen=True)
class Guard:
    func: Callable
    message: str  # Dutch, says what is missing so the user knows what to do
    needs_input: bool  # checks the trigger's input (reason, note), not the records


GUARDS: dict[str, Guard] = {}


def guard(message: str, *, needs_input: bool = False):
    """Register a guard under its function name; a failing guard explains itself in Dutch."""

    def register(func: Callable) -> Callable:
        def condition(event) -> bool:
            if needs_input and event.kwargs.get("preview"):
                return True
            return bool(func(event.model, event.kwargs))

        condition.__name__ = func.__name__
        GUARDS[func.__name__] = Guard(condition, message, needs_input)
        return condition

    return register


def _today(kwargs) -> date:
    return kwargs.get("today") or date.today()


def _text(kwargs, key: str) -> str:
    return (kwargs.get(key) or "").strip()


# --- guards on the records -------------------------------------------------------------------


@guard("De zorg is nog niet met de ouders (en de leerling) besproken.")
def discussed_with_parents(case, kw):
    return case.discussed_with_parents


@guard("Er is nog geen hulpvraag beschreven.")
def has_hulpvraag(case, kw):
    return bool((case.hulpvraag or "").strip())


@guard("Er is nog geen MDO gepland (datum, voorzitter en genodigden).")
def has_planned_mdo(case, kw):
    return case.planned_mdo is not None


@guard(
    "Niet voor elke uitgenodigde externe partner is geldige toestemming vastgelegd "
    "(of een meldcode-afweging met schriftelijke onderbouwing)."
)
def consent_covers_invitees(case, kw):
    if (case.meldcode_justification or "").strip():
        return True
    meeting = case.planned_mdo
    if meeting is None:
        return False
    covered = case.consented_organisation_ids(_today(kw))
    return meeting.external_organisation_ids() <= covered


@guard("Het MDO is nog niet gehouden met minstens twee disciplines aanwezig.")
def mdo_held_with_two_disciplines(case, kw):
    meeting = case.held_mdo
    return meeting is not None and len(meeting.present_disciplines()) >= 2


@guard("De deelname van de ouders aan het MDO is niet vastgelegd (met reden als niet uitgenodigd).")
def parent_participation_recorded(case, kw):
    meeting = case.held_mdo
    return meeting is not None and meeting.parent_participation_complete()


@guard("De stem van de leerling is niet vastgelegd (aanwezig, vooraf gehoord, of waarom niet).")
def pupil_voice_recorded(case, kw):
    meeting = case.held_mdo
    return meeting is not None and meeting.pupil_voice_complete()


@guard("Er is nog niemand met casusregie.")
def has_regie_holder(case, kw):
    return case.regie_holder_id is not None


@guard("Er is nog geen arrangement met doelen en een evaluatiedatum.")
def has_arrangement_with_goals(case, kw):
    arrangement = case.current_arrangement
    return arrangement is not None and arrangement.has_goals() and bool(arrangement.evaluation_due)


@guard("Er is nog geen arrangement met een evaluatiedatum.")
def has_arrangement_with_evaluation_date(case, kw):
    arrangement = case.current_arrangement
    return arrangement is not None and bool(arrangement.evaluation_due)


@guard("Er is nog geen verwijzing die een jeugdprofessional heeft geaccepteerd.")
def has_accepted_referral(case, kw):
    return case.accepted_referral is not None


@guard("Er is geen verwijzing die is geaccepteerd voor lichte hulp.")
def accepted_for_light_help(case, kw):
    referral = case.accepted_referral
    return referral is not None and bool(referral.light_help)


@guard("Er is geen geldige toestemming voor de organisatie die de hulp geeft.")
def consent_covers_referral(case, kw):
    referral = case.accepted_referral
    if referral is None:
        return False
    covered = case.consented_organisation_ids(_today(kw))
    return referral.to_organisation_id in covered


@guard("De evaluatiedatum is nog niet bereikt en het arrangement loopt nog.")
def evaluation_due_or_arrangement_ended(case, kw):
    arrangement = case.current_arrangement
    if arrangement is None:
        return False
    today = _today(kw)
    ended = arrangement.ends_on is not None and arrangement.ends_on <= today
    return ended or (arrangement.evaluation_due is not None and arrangement.evaluation_due <= today)


@guard("De evaluatie is nog niet vastgelegd.")
def evaluation_recorded(case, kw):
    return case.current_evaluation is not None


@guard("De evaluatie besluit niet tot voortzetten, bijstellen of afschalen met een nieuwe "
       "evaluatiedatum na vandaag.")
def evaluation_decided_to_continue(case, kw):
    evaluation = case.current_evaluation
    return (
        evaluation is not None
        and evaluation.decision.value in CONTINUE_DECISIONS
        and evaluation.next_evaluation_due is not None
        and evaluation.next_evaluation_due > _today(kw)
    )


@guard("Sluiten na een evaluatie kan alleen met de inbreng van de school (aanwezig of "
       "schriftelijk): zo sluit de jeugdhulp niet af terwijl het op school slechter gaat.")
def evaluation_with_school_input(case, kw):
    evaluation = case.current_evaluation
    return evaluation is not None and evaluation.school_input_recorded


@guard("Er is nog geen besluit van een coördinator over de escalatie vastgelegd.")
def escalation_decided(case, kw):
    escalation = case.open_escalation
    return escalation is not None and escalation.is_decided()


@guard("De heropeningstermijn van deze casus is verstreken.")
def within_reopen_period(case, kw):
    until = case.reopen_until
    return until is not None and _today(kw) <= until


# --- guards on the input of the trigger ------------------------------------------------------


@guard("Kies een reden voor het sluiten.", needs_input=True)
def closure_reason_given(case, kw):
    return kw.get("reason") in {r.value for r in ClosureReason}


@guard("Kies een reden voor de escalatie.", needs_input=True)
def escalation_reason_given(case, kw):
    return kw.get("reason") in {r.value for r in EscalationReason}


@guard("Schrijf een toelichting.", needs_input=True)
def note_given(case, kw):
    return bool(_text(kw, "note"))


@guard("Kies of de casus terug gaat naar het MDO.", needs_input=True)
def resolves_to_mdo(case, kw):
    return kw.get("dest") == CaseState.mdo.value


@guard("Kies of de casus terug gaat naar het arrangement.", needs_input=True)
def resolves_to_arrangement(case, kw):
    return kw.get("dest") == CaseState.arrangement.value


S = CaseState
TRANSITIONS = [
    {"trigger": "plan_mdo", "source": S.signalering, "dest": S.mdo,
     "conditions": [discussed_with_parents, has_hulpvraag, has_planned_mdo,
                    consent_covers_invitees]},
    {"trigger": "agree_arrangement", "source": S.mdo, "dest": S.arrangement,
     "conditions": [mdo_held_with_two_disciplines, parent_participation_recorded,
                    pupil_voice_recorded, has_regie_holder, has_arrangement_with_goals]},
    {"trigger": "start_light_help", "source": S.signalering, "dest": S.arrangement,
     "conditions": [has_accepted_referral, accepted_for_light_help, consent_covers_referral,
                    note_given, has_regie_holder, has_arrangement_with_evaluation_date]},
    {"trigger": "start_evaluation", "source": S.arrangement, "dest": S.evaluation,
     "conditions": [evaluation_due_or_arrangement_ended]},
    {"trigger": "continue_arrangement", "source": S.evaluation, "dest": S.arrangement,
     "conditions": [evaluation_decided_to_continue]},
    {"trigger": "back_to_mdo", "source": S.evaluation, "dest": S.mdo,
     "conditions": [evaluation_recorded]},
    {"trigger": "close", "source": [S.signalering, S.escalation], "dest": S.closed,
     "conditions": [closure_reason_given]},
    {"trigger": "close", "source": S.evaluation, "dest": S.closed,
     "conditions": [closure_reason_given, evaluation_with_school_input]},
    {"trigger": "escalate", "source": [S.signalering, S.mdo, S.arrangement, S.evaluation],
     "dest": S.escalation, "conditions": [escalation_reason_given, note_given]},
    {"trigger": "resolve_escalation", "source": S.escalation, "dest": S.mdo,
     "conditions": [resolves_to_mdo, escalation_decided]},
    {"trigger": "resolve_escalation", "source": S.escalation, "dest": S.arrangement,
     "conditions": [resolves_to_arrangement, escalation_decided,
                    has_arrangement_with_evaluation_date]},
    {"trigger": "reopen", "source": S.closed, "dest": S.signalering,
     "conditions": [note_given, within_reopen_period]},
]


def _record(event) -> None:
    """after_state_change: append the history row; the calling service commits it with the state."""
    from app.cases.models import CaseTransition

    kw = event.kwargs
    event.model.record_transition(
        CaseTransition(
            trigger=event.event.name,
            from_state=CaseState(event.transition.source),
            to_state=CaseState(event.transition.dest),
            actor_id=kw.get("actor_id"),
            reason=kw.get("reason"),
            note=_text(kw, "note") or None,
        ),
        at=kw.get("at"),
    )


machine = Machine(
    model=None,
    states=CaseState,
    transitions=TRANSITIONS,
    initial=None,
    auto_transitions=False,
    send_event=True,
    after_state_change=_record,
)


class TransitionNotAllowed(Exception):
    """The trigger is not possible from the case's state, or a guard said no."""

    def __init__(self, message: str, unmet: list[str] | None = None):
        super().__init__(message)
        self.unmet = unmet or []


def fire(case, trigger: str, **kwargs) -> None:
    """Run `trigger` on `case` or raise TransitionNotAllowed with the unmet conditions in Dutch."""
    if trigger not in machine.events:
        raise TransitionNotAllowed(f"Onbekende stap: {trigger}")
    try:
        done = machine.events[trigger].trigger(case, **kwargs)
    except MachineError as exc:
        raise TransitionNotAllowed(
            f"'{TRIGGER_LABELS[trigger]}' kan niet vanuit '{STATE_LABELS[case.state]}'."
        ) from exc
    if not done:
        raise TransitionNotAllowed(
            f"'{TRIGGER_LABELS[trigger]}' kan nog niet.", unmet_conditions(case, trigger, **kwargs)
        )


def valid_triggers(case) -> list[str]:
    """Triggers that exist from the case's state, whatever the guards say."""
    return [t for t in machine.get_triggers(case.state.name) if t in TRIGGER_LABELS]


def available_triggers(case) -> list[str]:
    """Triggers whose record guards pass now; the input guards are checked when fired."""
    return [t for t in valid_triggers(case) if _guards_pass(case, t)]


def is_available(case, trigger: str) -> bool:
    """One trigger of `available_triggers`, without the guards of the others."""
    return trigger in valid_triggers(case) and _guards_pass(case, trigger)


def _guards_pass(case, trigger: str) -> bool:
    # transitions has no public "may" without an attached model; pinned <0.10 for this.
    return machine._can_trigger(case, trigger, preview=True)


def _transitions_from(case, trigger: str):
    event = machine.events.get(trigger)
    if event is None:
        return []
    return list(event.transitions.get(case.state.name, []))


def unmet_conditions(case, trigger: str, **kwargs) -> list[str]:
    """Dutch messages for the guards that fail; for several destinations, the one asked for."""
    candidates = _transitions_from(case, trigger)
    if not candidates:
        return [f"'{TRIGGER_LABELS.get(trigger, trigger)}' kan niet vanuit deze fase."]
    dest = kwargs.get("dest")
    chosen = next((t for t in candidates if t.dest == dest), candidates[0])
    event = SimpleNamespace(model=case, kwargs=kwargs)
    return [
        GUARDS[c.func.__name__].message
        for c in chosen.conditions
        if c.target != c.func(event)
    ]


def reason_label(trigger: str, value: str | None) -> str:
    """Dutch label of a reason code stored on a history row."""
    table = {"close": CLOSURE_REASON_LABELS, "escalate": ESCALATION_REASON_LABELS}.get(trigger, {})
    return next((label for reason, label in table.items() if reason.value == value), value or "")
