"""A crash in the middle of a step leaves no half-written case: state, history and audit go
together or not at all."""

import pytest
import sqlalchemy as sa

from app.audit import services as audit_services
from app.audit.models import AuditEvent
from app.cases.models import Case, CaseTransition
from app.cases.services import core as services
from app.cases.workflow import CaseState
from app.escalation.models import Escalation
from app.extensions import db
from tests.factories import CaseFactory


def _stored(case_id):
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    steps = db.session.scalars(sa.select(CaseTransition.trigger)
                               .where(CaseTransition.case_id == case_id)).all()
    logged = db.session.scalars(sa.select(AuditEvent.action)
                                .where(AuditEvent.case_id == case_id)).all()
    escalations = db.session.scalars(sa.select(Escalation).where(
        Escalation.case_id == case_id)).all()
    return case.state, case.version, steps, logged, escalations


@pytest.mark.parametrize("crash_at", ["audit", "commit"])
def test_crash_during_a_transition_leaves_the_case_as_it_was(monkeypatch, crash_at):
    case = CaseFactory()
    before = _stored(case.id)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    if crash_at == "audit":
        monkeypatch.setattr(audit_services, "record_change", boom)
    else:
        monkeypatch.setattr(services, "_commit", boom)
    savepoint = db.session.begin_nested()  # stands in for the request's own transaction
    with pytest.raises(RuntimeError):
        services.advance_case(case.opened_by, case, "escalate", case.version,
                              reason="thuiszitter", note="Vijf weken thuis")
    savepoint.rollback()  # what the request teardown does after an error

    assert _stored(case.id) == before
    assert before[0] == CaseState.signalering
