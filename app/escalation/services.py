"""The coordinator's work on an escalation: assign, move up a tier, decide, resolve; and the
notifications of every escalation event.

Each use case goes through `cases.services.changing` (lock, version check, audit row, one
commit). The workflow opens and ends escalations itself (`cases.services.core.apply_trigger`,
for the "Escaleren" step, an evaluation that escalates, and the scan); the flush hook at the
bottom completes such a row — the region's first tier and its deadline — and writes the
notifications of "opened" and "resolved/closed" in that same transaction, whoever fired it.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from app.auth.models import Membership, Role, User
from app.cases.models import Case, CaseTransition
from app.cases.services import CaseConflict, CaseError, advance_case, changing, record_event
from app.cases.workflow import STATE_LABELS, CaseState, EscalationReason
from app.escalation.models import Escalation, EscalationTier, ThuiszitterEpisode, queue_rank
from app.extensions import db
from app.models import utcnow
from app.notifications.services import notify

__all__ = ["QUIET", "SYSTEM", "CaseConflict", "CaseError", "assign_to_me", "first_tier",
           "next_tier", "record_decision", "resolve", "tier_of", "tier_up", "tiers_of"]

KIND = "escalation"
# Set on a session that replays history (the demo): rows are completed, nobody is notified.
QUIET = "escalation_events_quiet"


@dataclass(frozen=True)
class SystemActor:
    """Who acts when a rule escalates: no account (nothing that could log in or be granted
    rights), so history and audit rows carry no user and the rule is named instead."""

    id: None = None
    name: str = "Schakel (automatische escalatie)"
    is_authenticated: bool = False


SYSTEM = SystemActor()


# --- the ladder -------------------------------------------------------------------------------


def tiers_of(region_id: int) -> list[EscalationTier]:
    return list(db.session.scalars(
        sa.select(EscalationTier).where(EscalationTier.region_id == region_id)
        .order_by(EscalationTier.level)))


def first_tier(region_id: int) -> EscalationTier | None:
    tiers = tiers_of(region_id)
    return tiers[0] if tiers else None


def next_tier(region_id: int, level: int | None) -> EscalationTier | None:
    """The next level that exists above `level` (levels need not be consecutive)."""
    return next((t for t in tiers_of(region_id) if level is None or t.level > level), None)


def tier_of(region_id: int, level: int | None) -> EscalationTier | None:
    if level is None:
        return None
    return db.session.scalar(sa.select(EscalationTier).where(
        EscalationTier.region_id == region_id, EscalationTier.level == level))


def _place(escalation: Escalation, tier: EscalationTier | None, since: date) -> None:
    escalation.tier = tier.level if tier else None
    escalation.due_on = since + timedelta(days=tier.sla_days) if tier else None


# --- the coordinator's use cases ----------------------------------------------------------------


def assign_to_me(actor, escalation: Escalation, expected_version: int) -> None:
    case = escalation.case
    with changing(actor, case, expected_version, "escalation:assign",
                  fields=("escalation.assigned_coordinator",)):
        if escalation.assigned_coordinator_id == actor.id:
            raise CaseError("Deze escalatie staat al op uw naam.")
        escalation.assigned_coordinator_id = actor.id
        record_event(case, KIND, "Escalatie opgepakt door een regionaal coördinator", actor)
        _notify(case, escalation, actor,
                "Een regionaal coördinator heeft een escalatie opgepakt van een casus waarbij "
                "u betrokken bent.", to_coordinators=False)


def tier_up(actor, escalation: Escalation, expected_version: int,
            today: date | None = None) -> EscalationTier:
    """Move to the next level that exists in the region's ladder, with that tier's deadline."""
    case = escalation.case
    with changing(actor, case, expected_version, "escalation:tier_up",
                  fields=("escalation.tier", "escalation.due_on")):
        tier = next_tier(case.school.region_id, escalation.tier)
        if tier is None:
            raise CaseError("Er is geen hogere trede in de escalatieladder van deze regio. "
                            "Neem hier een besluit, of vraag de beheerder de ladder aan te "
                            "vullen.")
        _place(escalation, tier, today or date.today())
        record_event(case, KIND, f"Escalatie opgeschaald naar {tier.name}", actor)
        _notify(case, escalation, actor, f"Een escalatie is opgeschaald naar {tier.name}.",
                to_coordinators=False)
    return tier


def record_decision(actor, escalation: Escalation, expected_version: int, decision: str,
                    funding_guarantee: bool) -> None:
    """The coordinator's decision (may be recorded again until the escalation is resolved)."""
    text = (decision or "").strip()
    case = escalation.case
    with changing(actor, case, expected_version, "escalation:decide",
                  fields=("escalation.decision", "escalation.funding_guarantee")):
        if not text:
            raise CaseError("Beschrijf het besluit.", field="decision")
        escalation.decision, escalation.funding_guarantee = text, funding_guarantee
        escalation.decided_by_id, escalation.decided_at = actor.id, utcnow()
        summary = "Besluit over de escalatie vastgelegd" + (
            " (met garantstelling)" if funding_guarantee else "")
        record_event(case, KIND, summary, actor)
        _notify(case, escalation, actor, "Er is een besluit genomen over een escalatie van een "
                "casus waarbij u betrokken bent.", to_coordinators=False)


def resolve(actor, escalation: Escalation, expected_version: int, dest: str,
            note: str | None = None) -> Case:
    """Back into the workflow (MDO or arrangement) through the step `resolve_escalation`; its
    guards (a decision, an arrangement with an evaluation date) say what is missing."""
    return advance_case(actor, escalation.case, "resolve_escalation", expected_version,
                        dest=dest, note=note or "")


# --- notifications ------------------------------------------------------------------------------


def _path(endpoint: str, **values) -> str:
    """An internal path for a notification link; works inside and outside a request."""
    return current_app.url_map.bind("").build(endpoint, values)


def _coordinators_of(region_id: int) -> list[User]:
    return list(db.session.scalars(
        sa.select(User).join(Membership)
        .where(Membership.role == Role.coordinator, Membership.region_id == region_id,
               User.active.is_(True))
        .distinct().order_by(User.id)))


def _notify(case: Case, escalation: Escalation, actor_id_or_user, text: str, *,
            to_coordinators: bool) -> None:
    """The assigned coordinator (or, for a new escalation without one, every coordinator of
    the region), the regie holder and the user who opened the case; never the actor."""
    actor_id = getattr(actor_id_or_user, "id", actor_id_or_user)
    assigned = escalation.assigned_coordinator_id
    coordinators = ([db.session.get(User, assigned)] if assigned
                    else _coordinators_of(case.school.region_id) if to_coordinators else [])
    team = [case.regie_holder, case.opened_by]
    done = {actor_id} if actor_id is not None else set()
    for user, link in ([(u, "queue") for u in coordinators] + [(u, "case") for u in team]):
        if user is None or user.id in done or not user.active:
            continue
        done.add(user.id)
        target = _path("cases.detail", case_id=case.id)
        if link == "queue":  # a new escalation has no id before the flush: the queue then
            target = (_path("escalation.detail", escalation_id=escalation.id) if escalation.id
                      else _path("escalation.queue"))
        notify(user, KIND, text, case=case, link=target)


def _step(session, case: Case, triggers: tuple[str, ...]) -> CaseTransition | None:
    """The workflow step on `case` in this flush, if it is one of `triggers`."""
    return next((t for t in session.new if isinstance(t, CaseTransition) and t.case is case
                 and t.trigger in triggers), None)


def _opened(session, escalation: Escalation) -> None:
    case = escalation.case
    escalation.opened_at = escalation.opened_at or utcnow()  # the column default comes later
    if escalation.tier is None:
        _place(escalation, first_tier(case.school.region_id), escalation.opened_at.date())
    elif escalation.due_on is None:
        _place(escalation, tier_of(case.school.region_id, escalation.tier),
               escalation.opened_at.date())
    if session.info.get(QUIET) or _step(session, case, ("escalate",)) is None:
        return  # only an escalation the workflow opens now is news
    how = "automatisch " if escalation.rule else ""
    _notify(case, escalation, escalation.opened_by_id,
            f"Een casus is {how}geëscaleerd naar de regionaal coördinator.",
            to_coordinators=True)


def _ended(session, escalation: Escalation) -> None:
    case = escalation.case
    step = _step(session, case, ("resolve_escalation", "close"))
    if session.info.get(QUIET) or step is None:
        return
    if case.state == CaseState.closed:
        text = "Een casus waarbij u betrokken bent, is na een escalatie gesloten."
    else:
        text = (f"Een escalatie is afgerond; de casus gaat verder in de fase "
                f"{STATE_LABELS[case.state]}.")
    _notify(case, escalation, step.actor_id, text, to_coordinators=False)


def _just_resolved(escalation: Escalation) -> bool:
    history = sa.inspect(escalation).attrs.resolved_at.history
    return escalation.resolved_at is not None and bool(history.added) and not any(
        history.deleted)


@sa.event.listens_for(so.Session, "before_flush")
def _escalation_events(session, flush_context, instances) -> None:
    for obj in [o for o in session.new if isinstance(o, Escalation)]:
        _opened(session, obj)
    for obj in [o for o in session.dirty if isinstance(o, Escalation)]:
        if _just_resolved(obj):
            _ended(session, obj)
    _rank_queue(session)


def _rank_queue(session) -> None:
    """Keep `region_id` and `queue_rank` (the queue's index) right for the escalations this
    flush opens or changes, and for the open escalations of cases whose thuiszitter episode
    starts or ends in it: whoever changes them (a use case, the scan, the demo)."""
    changed = [o for o in session.new | session.dirty]
    escalations = {o for o in changed if isinstance(o, Escalation)}
    # An episode may name its case by relationship only until it is flushed.
    episodes = [(o, o.case.id if o.case is not None else o.case_id) for o in changed
                if isinstance(o, ThuiszitterEpisode)]
    if not escalations and not episodes:
        return
    with session.no_autoflush:
        if episodes:
            escalations |= set(session.scalars(sa.select(Escalation).where(
                Escalation.case_id.in_({case_id for _, case_id in episodes}),
                Escalation.resolved_at.is_(None))))
        case_ids = {e.case.id for e in escalations if e.case.id is not None}
        at_home = set(session.scalars(sa.select(ThuiszitterEpisode.case_id).where(
            ThuiszitterEpisode.case_id.in_(case_ids), ThuiszitterEpisode.ended_on.is_(None)))
        ) if case_ids else set()
        for episode, case_id in episodes:  # this flush's starts and ends win over the stored
            (at_home.add if episode.ended_on is None else at_home.discard)(case_id)
        for escalation in escalations:
            if escalation.region_id is None:
                escalation.region_id = escalation.case.school.region_id
            rank = queue_rank(escalation.reason == EscalationReason.thuiszitter
                              or escalation.case.id in at_home, escalation.due_on)
            if escalation.queue_rank != rank:
                escalation.queue_rank = rank
