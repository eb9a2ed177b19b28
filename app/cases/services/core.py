"""Writers for the case itself: open a signalering, edit it, fire workflow steps; and `changing`,
the one way the other parts of the journey change a case. One commit per use case."""

from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.audit import services as audit
from app.auth import permissions
from app.cases import workflow
from app.cases.models import Case, CaseEvent, CaseSignal, CaseTransition, Pupil, SignalCategory
from app.cases.workflow import CaseState, EscalationReason, TransitionNotAllowed
from app.escalation.models import Escalation
from app.extensions import db
from app.models import utcnow

__all__ = ["CaseConflict", "CaseError", "TransitionNotAllowed", "advance_case", "apply_trigger",
           "changing", "open_case", "record_event", "start_writing", "update_signalering"]


class CaseError(ValueError):
    """Input that cannot be saved; the Dutch message is shown to the user (at `field` if given)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class CaseConflict(Exception):
    """Someone else changed the case since this user's form was rendered."""

    def __init__(self, case_id: int):
        super().__init__("Deze casus is intussen door iemand anders gewijzigd.")
        self.case_id = case_id


@dataclass
class PupilData:
    reference: str
    initials: str
    birth_year: int
    group_name: str | None = None


@dataclass
class SignaleringData:
    signals: list[str]
    description: str
    hulpvraag: str | None
    discussed_with_parents: bool


def open_case(actor, school, pupil: PupilData, data: SignaleringData) -> Case:
    """Open a signalering for a pupil of `school`; one open case per pupil at a time."""
    start_writing()
    reference = pupil.reference.strip().upper()
    pupil_row = db.session.scalar(
        sa.select(Pupil).where(Pupil.school_id == school.id, Pupil.reference == reference)
    )
    # Refuse before touching the pupil row: a refused signalering changes nothing.
    if pupil_row is not None and _has_open_case(pupil_row):
        raise CaseError(
            f"Er loopt al een casus voor leerling {pupil_row.reference}. "
            "Werk die bij in plaats van een nieuwe te openen."
        )
    pupil_row = _fill_pupil(pupil_row or _new_pupil(school, reference), pupil)
    now = utcnow()
    case = Case(pupil=pupil_row, school_id=school.id, opened_by_id=actor.id, opened_at=now,
                state=CaseState.signalering, state_since=now, last_activity_at=now)
    _apply_signalering(case, data)
    case.history.append(CaseTransition(trigger="open", from_state=None,
                                       to_state=CaseState.signalering, actor_id=actor.id, at=now))
    db.session.add(case)
    try:
        db.session.flush()
    except IntegrityError as exc:
        # A concurrent request opened a case (or created the pupil) first.
        db.session.rollback()
        raise CaseError(f"Er loopt al een casus voor leerling {reference}. "
                        "Werk die bij in plaats van een nieuwe te openen.") from exc
    audit.record_change("create", case, permissions.case_access(actor, case), user=actor,
                        fields=("pupil", "signals", "description", "hulpvraag",
                                "discussed_with_parents"))
    _commit(case)
    return case


def _new_pupil(school, reference: str) -> Pupil:
    # Added to the session with its case (cascade), once it is filled in.
    return Pupil(school_id=school.id, reference=reference,
                 residence_municipality_id=school.municipality_id)


def _fill_pupil(pupil: Pupil, data: PupilData) -> Pupil:
    pupil.initials = data.initials.strip().upper()
    pupil.birth_year = data.birth_year
    pupil.group_name = (data.group_name or "").strip() or None
    return pupil


def _has_open_case(pupil: Pupil) -> bool:
    return db.session.scalar(
        sa.select(sa.exists().where(Case.pupil_id == pupil.id, Case.state != CaseState.closed))
    )


def _apply_signalering(case: Case, data: SignaleringData) -> list[str]:
    """Set the signalering fields; returns the names of the fields that changed."""
    wanted = {SignalCategory(s) for s in data.signals}
    changed = ["signals"] if wanted != set(case.signal_categories) else []
    case.signals = [s for s in case.signals if s.category in wanted] + [
        CaseSignal(category=c) for c in sorted(wanted - set(case.signal_categories),
                                               key=lambda c: c.value)
    ]
    values = {
        "description": data.description.strip(),
        "hulpvraag": (data.hulpvraag or "").strip() or None,
        "discussed_with_parents": data.discussed_with_parents,
    }
    for name, value in values.items():
        if getattr(case, name) != value:
            setattr(case, name, value)
            changed.append(name)
    return changed


def update_signalering(actor, case: Case, expected_version: int, data: SignaleringData) -> Case:
    _check_version(case, expected_version)
    if case.state == CaseState.closed:
        raise CaseError("Een gesloten casus kan niet meer worden gewijzigd.")
    with db.session.no_autoflush:
        changed = _apply_signalering(case, data)
        case.last_activity_at = utcnow()
        audit.record_change("update", case, permissions.case_access(actor, case), user=actor,
                            fields=changed)
    _commit(case)
    return case


def advance_case(actor, case: Case, trigger: str, expected_version: int, **data) -> Case:
    """Fire a workflow step: state, history row and side records are committed together.

    Raises CaseConflict when the case changed since `expected_version`, TransitionNotAllowed
    (with the unmet conditions in Dutch) when the step is not possible now.
    """
    _read_ahead(case, trigger, data)
    _check_version(case, expected_version)
    if trigger == "reopen" and _has_open_case(case.pupil):
        # The rule of open_case: one open case per pupil, also when an old one comes back.
        raise TransitionNotAllowed(
            f"Er loopt al een andere casus voor leerling {case.pupil.reference}. "
            "Werk die bij in plaats van deze te heropenen."
        )
    access = permissions.case_access(actor, case)  # before the step: it may change who sees it
    apply_trigger(actor, case, trigger, access, **data)
    _commit(case)
    return case


def _read_ahead(case: Case, trigger: str, data: dict) -> None:
    """Load what the step reads before the write lock is taken (`start_writing`): the records
    its guards look at, the history it appends to, the evaluation and escalation it carries on.
    `_check_version` vouches for them under the lock: every change to a case's records steps
    its version. The guards decide again when the step fires."""
    workflow.unmet_conditions(case, trigger, **data)
    for records in ("history", "evaluations", "escalations"):
        getattr(case, records)


# The steps out of the escalation state: each ends the open escalation, so an open escalation
# is always on a case in that state (the coordinator's queue counts on it).
ENDS_ESCALATION = ("resolve_escalation", "close")


def apply_trigger(actor, case: Case, trigger: str, access, **data) -> None:
    """Fire a workflow step in the caller's transaction, without committing: the state and its
    history row, the escalation it opens or ends, the evaluation date a continued arrangement
    carries, and the audit row. For a use case that stores a record and fires the step that
    record decides in one commit (an evaluation, inside `changing`); raises
    TransitionNotAllowed before changing anything when the step is not possible now.
    """
    # One flush at commit: one UPDATE of the case, one version step.
    with db.session.no_autoflush:
        evaluation = case.current_evaluation  # read before the step moves state_since
        next_due = evaluation.next_evaluation_due if evaluation else None
        workflow.fire(case, trigger, actor_id=actor.id, **data)
        if trigger == "escalate":
            case.escalations.append(Escalation(
                reason=EscalationReason(data["reason"]), rationale=data["note"].strip(),
                opened_by_id=actor.id, opened_at=case.state_since,
            ))
        elif trigger in ENDS_ESCALATION and case.open_escalation is not None:
            # Closing from the escalation state ends the escalation too, or it would stay in
            # the coordinator's queue for good.
            case.open_escalation.resolved_at = case.state_since
        elif trigger == "continue_arrangement":
            # The evaluation set the next date; the arrangement carries it to the next round.
            case.current_arrangement.evaluation_due = next_due
        audit.record_change(f"transition:{trigger}", case, access, user=actor,
                            fields=("state",))


@contextmanager
def changing(actor, case: Case, expected_version: int, action: str, fields=(), *,
             detail: str | None = None):
    """One use case on a case or its records (consent, referral, MDO, regie, arrangement...).

    Locks the case and checks the version the user's form was rendered with, lets the caller
    change things, stamps the case's last activity (which steps its version, so two people
    acting on the same case at once never overwrite each other), writes the audit row and
    commits it all together. A CaseError raised inside changes nothing.
    """
    _check_version(case, expected_version)
    access = permissions.case_access(actor, case)  # before the change: it may change who sees it
    try:
        with db.session.no_autoflush:
            yield access
            case.last_activity_at = utcnow()
            audit.record_change(action, case, access, user=actor, fields=fields, detail=detail)
    except Exception:
        db.session.rollback()
        raise
    _commit(case)


def record_event(case: Case, kind: str, summary: str, actor=None, referral=None) -> CaseEvent:
    """A line on the case's timeline, in the caller's transaction. Keep `summary` content-free:
    it is what the school sees as terugkoppeling ("Hulp gestart op 12 maart")."""
    event = CaseEvent(kind=kind, summary=summary[:300], actor_id=getattr(actor, "id", None),
                      referral_id=getattr(referral, "id", None), at=utcnow())
    event.case_id = case.id
    db.session.add(event)
    return event


def start_writing() -> None:
    """Where a case POST that read first starts writing. The case pages run the reading part
    of their POSTs (user, case, permissions, the form; `g.reading`, set by their blueprint) in
    a plain transaction, which on SQLite takes no write lock. Ending it here makes the next
    statement begin with BEGIN IMMEDIATE, so the write lock is held for the writing alone.

    What was read stays loaded: every change to a case or its records steps the case's version
    (`changing`), and `_check_version` compares it under the lock, so when the versions agree
    nothing read before has changed. A view changes nothing before its service runs.
    """
    if not (has_request_context() and g.get("reading")):
        return
    g.reading = False
    session = db.session()
    if session.in_transaction():
        expire, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()
        finally:
            session.expire_on_commit = expire


def _check_version(case: Case, expected_version: int) -> None:
    """Lock the case row and compare versions before changing anything.

    On PostgreSQL the FOR UPDATE makes a concurrent writer wait here and then see the new
    version; SQLite writers are serialised by BEGIN IMMEDIATE. The version column stays as
    the backstop at flush time (StaleDataError).
    """
    start_writing()
    current = db.session.scalar(
        sa.select(Case.version).where(Case.id == case.id).with_for_update()
    )
    if current != expected_version:
        db.session.rollback()
        raise CaseConflict(case.id)
    if case.version != current:
        db.session.refresh(case)


ONE_OPEN_CASE = "uq_pupil_case_one_open"


def _commit(case: Case) -> None:
    """Commit the use case. In a request what it wrote stays loaded: the view that redirects
    afterwards (and checks whether the user still sees the case) reads it from memory.
    Expiring it would reload it in a second transaction, which on SQLite takes the write lock
    again (BEGIN IMMEDIATE). Commands that loop over cases keep expiring at each commit."""
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = expire and not has_request_context()
    try:
        session.commit()
    except StaleDataError as exc:
        # The UPDATE ... WHERE version = n found no row: a concurrent commit won.
        db.session.rollback()
        raise CaseConflict(case.id) from exc
    except IntegrityError as exc:
        db.session.rollback()
        if ONE_OPEN_CASE in str(exc.orig) or "pupil_case.pupil_id" in str(exc.orig):
            # A concurrent request opened (or reopened) a case for this pupil first.
            raise CaseError("Er loopt al een casus voor deze leerling. "
                            "Werk die bij in plaats van een nieuwe te openen.") from exc
        raise
    finally:
        session.expire_on_commit = expire
