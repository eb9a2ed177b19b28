"""Side effects of workflow steps that the next round depends on."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.cases import services, workflow
from app.cases.workflow import CaseState
from app.extensions import db
from tests.factories import (
    ArrangementFactory,
    CaseFactory,
    EscalationFactory,
    EvaluationFactory,
)


def test_continue_carries_the_new_evaluation_date_to_the_arrangement():
    case = CaseFactory(state=CaseState.evaluation)
    arrangement = ArrangementFactory(case=case, evaluation_due=date.today() - timedelta(days=1))
    new_due = date.today() + timedelta(weeks=10)
    EvaluationFactory(case=case, next_evaluation_due=new_due)
    db.session.refresh(case)
    services.advance_case(case.opened_by, case, "continue_arrangement", case.version)
    assert case.state == CaseState.arrangement
    assert arrangement.evaluation_due == new_due
    # so the next evaluation cannot start straight away
    assert "start_evaluation" not in workflow.available_triggers(case)


def test_closing_an_escalated_case_ends_its_escalation():
    escalation = EscalationFactory()
    case = escalation.case
    db.session.refresh(case)
    services.advance_case(case.opened_by, case, "close", case.version, reason="no_concern")
    assert case.state == CaseState.closed
    assert escalation.resolved_at == case.closed_at


def test_database_refuses_a_second_open_case_for_a_pupil():
    """The guarantee behind the service's check, for two requests at the same moment."""
    first = CaseFactory()
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        CaseFactory(pupil=first.pupil, school=first.school)
    # a closed case does not count
    first.state = CaseState.closed
    db.session.flush()
    CaseFactory(pupil=first.pupil, school=first.school)
