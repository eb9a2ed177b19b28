"""The case writers: open a signalering, move a case through the workflow, never lose an update."""

from datetime import date

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.orm.exc import StaleDataError

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.cases import services, workflow
from app.cases.models import Case, CaseTransition, Pupil, SignalCategory
from app.cases.services import CaseConflict, CaseError, PupilData, SignaleringData
from app.cases.workflow import GUARDS, CaseState, TransitionNotAllowed
from app.escalation.models import Escalation
from app.extensions import db
from tests.factories import CaseFactory, SchoolFactory, user_with_role

SIGNAL = SignaleringData(signals=["gedrag", "verzuim"], description="  Komt vaak te laat.  ",
                         hulpvraag="", discussed_with_parents=True)


@pytest.fixture
def school():
    return SchoolFactory()


@pytest.fixture
def ib(school):
    return user_with_role(Role.school_staff, school, name="Ilse Begeleider")


def _pupil(reference="l-0042 ", initials="jb", group="6b"):
    return PupilData(reference=reference, initials=initials,
                     birth_year=date.today().year - 10, group_name=group)


def _case(school, **kwargs) -> Case:
    case = CaseFactory(school=school, pupil__school=school, **kwargs)
    db.session.commit()  # a conflict rolls the session back: the setup must survive that
    return case


def _history(case_id):
    return db.session.execute(
        sa.select(CaseTransition.trigger, CaseTransition.from_state, CaseTransition.to_state)
        .where(CaseTransition.case_id == case_id).order_by(CaseTransition.id)
    ).all()


def _logged(case_id):
    return db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.case_id == case_id)
                              .order_by(AuditEvent.seq)).all()


# --- open_case -------------------------------------------------------------------------------


def test_open_case_creates_the_pupil_the_case_and_its_first_history_row(school, ib):
    case = services.open_case(ib, school, _pupil(), SIGNAL)
    db.session.expire_all()

    case = db.session.get(Case, case.id)
    assert (case.pupil.reference, case.pupil.initials, case.pupil.group_name) == (
        "L-0042", "JB", "6b")
    assert case.pupil.school_id == school.id
    assert case.state == CaseState.signalering and case.version == 1
    assert case.signal_categories == [SignalCategory.gedrag, SignalCategory.verzuim]
    assert (case.description, case.hulpvraag) == ("Komt vaak te laat.", None)
    [opened] = case.history
    assert (opened.trigger, opened.from_state, opened.to_state, opened.actor_id) == (
        "open", None, CaseState.signalering, ib.id)
    assert _logged(case.id) == ["create"]


def test_a_second_open_case_for_the_same_pupil_is_refused_and_changes_nothing(school, ib):
    first = services.open_case(ib, school, _pupil(initials="JB", group="6b"), SIGNAL)

    with pytest.raises(CaseError, match="Er loopt al een casus voor leerling L-0042"):
        services.open_case(ib, school, _pupil(initials="XY", group="8a"), SIGNAL)
    db.session.commit()  # whatever the refused attempt left in the session would be saved now
    db.session.expire_all()

    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 1
    assert (first.pupil.initials, first.pupil.group_name) == ("JB", "6b")


def test_the_same_reference_at_another_school_is_another_pupil(school, ib):
    other = SchoolFactory()
    services.open_case(ib, school, _pupil(), SIGNAL)
    services.open_case(user_with_role(Role.school_staff, other), other, _pupil(), SIGNAL)
    assert db.session.scalar(sa.select(sa.func.count(Pupil.id))) == 2


def test_after_closing_a_new_case_reuses_the_pupil(school, ib):
    first = services.open_case(ib, school, _pupil(group="6b"), SIGNAL)
    services.advance_case(ib, first, "close", first.version, reason="no_concern")

    second = services.open_case(ib, school, _pupil(group="7a"), SIGNAL)

    assert second.id != first.id and second.pupil_id == first.pupil_id
    assert second.pupil.group_name == "7a"
    assert db.session.scalar(sa.select(sa.func.count(Pupil.id))) == 1


# --- advance_case ------------------------------------------------------------------------------


def test_a_step_writes_state_history_and_escalation_in_one_commit(school, ib):
    case = _case(school)
    commits = []

    def count_commit(session):
        commits.append(session)

    sa.event.listen(db.session(), "after_commit", count_commit)
    try:
        services.advance_case(ib, case, "escalate", 1, reason="thuiszitter",
                              note="  Al vijf weken niet op school.  ")
    finally:
        sa.event.remove(db.session(), "after_commit", count_commit)
    db.session.expire_all()

    assert len(commits) == 1
    case = db.session.get(Case, case.id)
    assert case.state == CaseState.escalation
    assert case.version == 2  # one UPDATE of the case
    [step] = case.history
    assert (step.trigger, step.from_state, step.to_state) == (
        "escalate", CaseState.signalering, CaseState.escalation)
    assert (step.actor_id, step.reason, step.note) == (
        ib.id, "thuiszitter", "Al vijf weken niet op school.")
    assert case.state_since == step.at == case.last_activity_at
    [escalation] = case.escalations
    assert escalation.reason.value == "thuiszitter"
    assert escalation.rationale == "Al vijf weken niet op school."
    assert (escalation.opened_by_id, escalation.resolved_at) == (ib.id, None)
    assert _logged(case.id) == ["transition:escalate"]


def test_closing_records_when_and_why(school, ib):
    case = _case(school)
    services.advance_case(ib, case, "close", 1, reason="school_approach", note="")
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.state == CaseState.closed
    assert case.closure_reason == "school_approach" and case.closed_at == case.state_since
    assert case.history[-1].note is None


def test_resolving_an_escalation_closes_the_escalation_row(school, ib):
    from tests.factories import EscalationFactory, OrganisationFactory

    coordinator = user_with_role(Role.coordinator, OrganisationFactory(region=school.region))
    case = _case(school, state=CaseState.escalation)
    EscalationFactory(case=case, decision="Terug naar het MDO met de wijkcoach.",
                      decided_by_id=coordinator.id)
    db.session.commit()

    services.advance_case(coordinator, case, "resolve_escalation", 1, dest="mdo")
    db.session.expire_all()

    case = db.session.get(Case, case.id)
    assert case.state == CaseState.mdo
    assert case.escalations[0].resolved_at == case.state_since
    assert case.open_escalation is None


def test_a_guard_failure_leaves_no_trace(school, ib):
    case = _case(school)  # no MDO planned

    with pytest.raises(TransitionNotAllowed) as exc:
        services.advance_case(ib, case, "plan_mdo", 1)
    db.session.commit()
    db.session.expire_all()

    assert GUARDS["has_planned_mdo"].message in exc.value.unmet
    case = db.session.get(Case, case.id)
    assert (case.state, case.version) == (CaseState.signalering, 1)
    assert _history(case.id) == [] and _logged(case.id) == []


@pytest.mark.parametrize("expected_version", [0, 2])
def test_a_stale_version_is_a_conflict_and_changes_nothing(school, ib, expected_version):
    case = _case(school)

    with pytest.raises(CaseConflict) as exc:
        services.advance_case(ib, case, "escalate", expected_version, reason="thuiszitter",
                              note="Al vijf weken thuis.")
    db.session.expire_all()

    assert exc.value.case_id == case.id
    assert "intussen door iemand anders gewijzigd" in str(exc.value)
    case = db.session.get(Case, case.id)
    assert (case.state, case.version) == (CaseState.signalering, 1)
    assert _history(case.id) == [] and case.escalations == [] and _logged(case.id) == []


def test_a_stale_edit_of_the_signalering_changes_nothing(school, ib):
    case = _case(school, description="Oorspronkelijke tekst.")
    services.advance_case(ib, case, "escalate", 1, reason="thuiszitter", note="Thuis.")

    with pytest.raises(CaseConflict):
        services.update_signalering(ib, case, 1, SignaleringData(
            signals=["gedrag"], description="Mijn nieuwe tekst.", hulpvraag=None,
            discussed_with_parents=False))
    db.session.expire_all()

    case = db.session.get(Case, case.id)
    assert case.description == "Oorspronkelijke tekst." and case.version == 2


def _other_session() -> so.Session:
    """A second user's session: its own identity map, on the test's connection.

    A second *connection* cannot take part: the test's outer transaction holds SQLite's write
    lock, and on PostgreSQL the rows it wrote are invisible to (and locked against) other
    connections. The two-connection race runs on PostgreSQL in test_concurrency.py.
    """
    return so.Session(bind=db.engines[None], join_transaction_mode="create_savepoint",
                      expire_on_commit=False)


def test_two_users_on_the_same_version_the_second_commit_is_refused(school, ib):
    case = _case(school)
    first, second = _other_session(), _other_session()
    mine = first.get(Case, case.id)
    first.commit()  # each has loaded version 1 and holds no transaction
    theirs = second.get(Case, case.id)
    second.commit()

    with first.no_autoflush:  # as the service does: one UPDATE, one version step
        workflow.fire(mine, "close", actor_id=ib.id, reason="no_concern")
    first.commit()
    with second.no_autoflush:
        workflow.fire(theirs, "escalate", actor_id=ib.id, reason="thuiszitter", note="Thuis.")
    with pytest.raises(StaleDataError):
        second.commit()
    second.rollback()
    first.close(), second.close()
    db.session.expire_all()

    case = db.session.get(Case, case.id)
    assert (case.state, case.version) == (CaseState.closed, 2)
    assert [t.trigger for t in case.history] == ["close"]


def test_a_commit_that_slips_in_after_the_version_check_is_a_conflict(school, ib, monkeypatch):
    """The version column is the backstop behind the row lock: if another writer commits
    between the check and the write, the service answers CaseConflict and writes nothing."""
    case = _case(school)
    real_fire = workflow.fire

    def fire_after_a_rival(target, trigger, **kwargs):
        rival = _other_session()
        real_fire(rival.get(Case, target.id), "close", actor_id=ib.id, reason="no_concern")
        rival.commit()
        rival.close()
        real_fire(target, trigger, **kwargs)

    monkeypatch.setattr(workflow, "fire", fire_after_a_rival)
    with pytest.raises(CaseConflict):
        services.advance_case(ib, case, "escalate", 1, reason="thuiszitter", note="Thuis.")
    monkeypatch.undo()
    db.session.expire_all()

    # (One connection: rolling back the loser also undoes the rival; what matters here is that
    # nothing of the loser is left.)
    assert "escalate" not in [trigger for trigger, *_ in _history(case.id)]
    assert db.session.scalar(sa.select(sa.func.count(Escalation.id))) == 0
    assert "transition:escalate" not in _logged(case.id)


# --- reopen ------------------------------------------------------------------------------------


def test_reopen_brings_a_closed_case_back_to_signalering(school, ib):
    case = services.open_case(ib, school, _pupil(), SIGNAL)
    services.advance_case(ib, case, "close", case.version, reason="no_concern")
    services.advance_case(ib, case, "reopen", case.version, note="Nieuwe zorgen van moeder.")
    db.session.expire_all()

    case = db.session.get(Case, case.id)
    assert case.state == CaseState.signalering
    assert (case.closed_at, case.closure_reason) == (None, None)
    assert [t.trigger for t in case.history] == ["open", "close", "reopen"]


def test_reopen_is_refused_while_another_case_of_the_pupil_is_open(school, ib):
    old = services.open_case(ib, school, _pupil(), SIGNAL)
    services.advance_case(ib, old, "close", old.version, reason="no_concern")
    services.open_case(ib, school, _pupil(), SIGNAL)

    with pytest.raises(TransitionNotAllowed, match="Er loopt al een andere casus"):
        services.advance_case(ib, old, "reopen", old.version, note="Toch deze.")
    db.session.expire_all()

    assert db.session.get(Case, old.id).state == CaseState.closed
