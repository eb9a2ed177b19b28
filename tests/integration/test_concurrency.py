"""Two people act on the same case at the same moment: exactly one wins, nothing is lost.

Runs on PostgreSQL with two real connections in two threads, against a database of its own
(outside the per-test transaction, so both commits are real).
"""

import threading

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.cases import services
from app.cases.models import Case, CaseTransition
from app.cases.workflow import CaseState
from app.extensions import db
from tests.conftest import own_postgres_app
from tests.factories import CaseFactory, SchoolFactory, user_with_role

DB_NAME = "schakel_concurrency"


@pytest.fixture
def pg_app(app):
    with own_postgres_app(app, DB_NAME, "two real concurrent connections: PostgreSQL "
                          "(SQLite serialises writers)") as live:
        yield live


def test_concurrent_transitions_exactly_one_wins(pg_app):
    with pg_app.app_context():
        school = SchoolFactory()
        ib1 = user_with_role(Role.school_staff, school)
        ib2 = user_with_role(Role.school_staff, school)
        case = CaseFactory(school=school, pupil__school=school)
        db.session.commit()
        case_id, version, users = case.id, case.version, (ib1.id, ib2.id)

    loaded = threading.Barrier(2, timeout=10)
    outcomes = {}

    def act(user_id, trigger, data):
        with pg_app.app_context():
            from app.auth.models import User

            actor = db.session.get(User, user_id)
            target = db.session.get(Case, case_id)
            loaded.wait()  # both hold the same version before either writes
            try:
                services.advance_case(actor, target, trigger, version, **data)
                outcomes[trigger] = "ok"
            except services.CaseConflict:
                outcomes[trigger] = "conflict"

    threads = [
        threading.Thread(target=act, args=(users[0], "close", {"reason": "no_concern"})),
        threading.Thread(target=act, args=(users[1], "escalate",
                                           {"reason": "thuiszitter", "note": "Al 5 weken thuis"})),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes.values()) == ["conflict", "ok"]
    winner = next(t for t, outcome in outcomes.items() if outcome == "ok")
    with pg_app.app_context():
        case = db.session.get(Case, case_id)
        expected = CaseState.closed if winner == "close" else CaseState.escalation
        assert case.state == expected
        assert case.version == version + 1
        steps = db.session.scalars(sa.select(CaseTransition.trigger)
                                   .where(CaseTransition.case_id == case_id)).all()
        assert steps == [winner]
        logged = db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.case_id == case_id, AuditEvent.action.like("transition:%"))).all()
        assert logged == [f"transition:{winner}"]
        assert len(case.escalations) == (1 if winner == "escalate" else 0)
