"""`flask notifications remind`: MDO actions due within two days (or overdue) to their owner,
evaluations due within a week (or passed) to the regie holder; once a day, never twice."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.cases.workflow import CaseState
from app.extensions import db
from app.models import utcnow
from app.notifications import services
from app.notifications.models import Notification, OutboxMessage
from tests.factories import (
    ArrangementFactory,
    CaseFactory,
    MdoActionFactory,
    MdoMeetingFactory,
    NotificationFactory,
    OrganisationFactory,
    SchoolFactory,
    user_with_role,
)

TODAY = services.local_today()


@pytest.fixture
def school():
    return SchoolFactory()


@pytest.fixture
def ib(school):
    return user_with_role(Role.school_staff, school, name="Ilse Begeleider")


@pytest.fixture
def coach(school):
    return user_with_role(Role.youth_professional, OrganisationFactory(region=school.region),
                          name="Jasper Coach")


def _case(school, ib, **kwargs):
    return CaseFactory(school=school, pupil__school=school, opened_by=ib, **kwargs)


def _action(case, owner, due_in_days, **kwargs):
    meeting = MdoMeetingFactory(case=case, held_at=utcnow())
    return MdoActionFactory(meeting=meeting, owner_id=owner.id,
                            due_on=TODAY + timedelta(days=due_in_days), **kwargs)


def _arranged(school, ib, due_in_days, **kwargs):
    case = _case(school, ib, state=CaseState.arrangement, **kwargs)
    ArrangementFactory(case=case, evaluation_due=TODAY + timedelta(days=due_in_days))
    return case


def _reminders(kind=None, user=None):
    db.session.expire_all()
    stmt = sa.select(Notification).where(Notification.kind.in_(("action_due",
                                                                "evaluation_due")))
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    if user:
        stmt = stmt.where(Notification.user_id == user.id)
    return db.session.scalars(stmt.order_by(Notification.id)).all()


# --- MDO actions -----------------------------------------------------------------------------


def test_an_action_due_within_two_days_reminds_its_owner(school, ib, coach):
    case = _case(school, ib)
    _action(case, coach, 2)
    report = services.remind(TODAY)
    assert (report.actions, report.evaluations) == (1, 0)
    (note,) = _reminders()
    assert (note.user_id, note.kind, note.case_id) == (coach.id, "action_due", case.id)
    assert note.link == f"/cases/{case.id}#kop-mdo"
    assert note.text.startswith("Er staat een actie uit een MDO op uw naam die moet uiterlijk")
    assert note.read_at is None


def test_the_reminder_is_content_free_and_mailed(school, ib, coach):
    case = _case(school, ib)
    action = _action(case, coach, 1)
    services.remind(TODAY)
    (note,) = _reminders()
    for secret in (case.pupil.reference, case.pupil.initials, action.description):
        assert secret not in note.text
    message = db.session.scalar(sa.select(OutboxMessage)
                                .where(OutboxMessage.notification_id == note.id))
    assert message.to_address == coach.email and action.description not in message.body


def test_an_overdue_action_says_so(school, ib, coach):
    _action(_case(school, ib), coach, -3)
    services.remind(TODAY)
    (note,) = _reminders()
    assert "had op" in note.text and "klaar moeten zijn" in note.text


def test_actions_due_later_done_or_in_a_closed_case_are_left_alone(school, ib, coach):
    _action(_case(school, ib), coach, 3)
    _action(_case(school, ib), coach, -1, done_at=utcnow(), done_by_id=coach.id)
    _action(_case(school, ib, state=CaseState.closed), coach, 0)
    assert services.remind(TODAY).actions == 0
    assert _reminders() == []


def test_several_actions_in_one_case_make_one_reminder(school, ib, coach):
    case = _case(school, ib)
    _action(case, coach, 2)
    _action(case, coach, -1)
    services.remind(TODAY)
    (note,) = _reminders()
    assert note.text.startswith("Er staan 2 acties uit een MDO op uw naam; de eerste had op")


def test_each_owner_gets_their_own_reminder(school, ib, coach):
    case = _case(school, ib)
    _action(case, coach, 0)
    _action(case, ib, 1)
    services.remind(TODAY)
    assert len(_reminders(user=coach)) == 1 and len(_reminders(user=ib)) == 1


def test_an_inactive_owner_gets_no_reminder(school, ib, coach):
    coach.active = False
    _action(_case(school, ib), coach, 0)
    assert services.remind(TODAY).actions == 0


# --- evaluations -----------------------------------------------------------------------------


def test_an_evaluation_due_within_a_week_reminds_the_regie_holder(school, ib, coach):
    case = _arranged(school, ib, 7, regie_holder_id=coach.id)
    report = services.remind(TODAY)
    assert (report.actions, report.evaluations) == (0, 1)
    (note,) = _reminders()
    assert (note.user_id, note.kind, note.case_id) == (coach.id, "evaluation_due", case.id)
    assert note.link == f"/cases/{case.id}#kop-arrangement"
    assert note.text.startswith("De evaluatie van een arrangement staat gepland op")


def test_without_a_regie_holder_the_opener_is_reminded(school, ib):
    _arranged(school, ib, 3, regie_holder_id=None)
    services.remind(TODAY)
    (note,) = _reminders()
    assert note.user_id == ib.id


def test_a_passed_evaluation_date_says_so(school, ib, coach):
    _arranged(school, ib, -2, regie_holder_id=coach.id)
    services.remind(TODAY)
    (note,) = _reminders()
    assert note.text.endswith("en is nog niet gestart.")


def test_evaluations_further_away_or_outside_the_arrangement_state_are_left_alone(
        school, ib, coach):
    _arranged(school, ib, 8, regie_holder_id=coach.id)
    in_evaluation = _case(school, ib, state=CaseState.evaluation, regie_holder_id=coach.id)
    ArrangementFactory(case=in_evaluation, evaluation_due=TODAY - timedelta(days=1))
    assert services.remind(TODAY).evaluations == 0


def test_only_the_current_arrangement_counts(school, ib, coach):
    case = _arranged(school, ib, -30, regie_holder_id=coach.id)  # the earlier round
    ArrangementFactory(case=case, evaluation_due=TODAY + timedelta(weeks=8))  # the current one
    assert services.remind(TODAY).evaluations == 0


# --- once a day ------------------------------------------------------------------------------


def test_running_twice_on_one_day_reminds_once(school, ib, coach, runner):
    _action(_case(school, ib), coach, 1)
    _arranged(school, ib, 1, regie_holder_id=coach.id)
    first = runner.invoke(args=["notifications", "remind"])
    second = runner.invoke(args=["notifications", "remind"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "Herinneringen: 1 voor acties, 1 voor evaluaties." in first.output
    assert "Herinneringen: 0 voor acties, 0 voor evaluaties." in second.output
    assert len(_reminders()) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.to_address == coach.email)) == 2


def test_yesterdays_reminder_does_not_stop_todays(school, ib, coach):
    case = _case(school, ib)
    _action(case, coach, -1)
    NotificationFactory(user=coach, kind="action_due", case_id=case.id,
                        link=f"/cases/{case.id}#kop-mdo",
                        created_at=utcnow() - timedelta(days=1))
    assert services.remind(TODAY).actions == 1


def test_another_kind_of_notification_today_does_not_count(school, ib, coach):
    case = _case(school, ib)
    _action(case, coach, 0)
    NotificationFactory(user=coach, kind="new_referral", case_id=case.id,
                        link=f"/cases/{case.id}")
    assert services.remind(TODAY).actions == 1


def test_a_reminder_about_another_case_does_not_count(school, ib, coach):
    first, second = _case(school, ib), _case(school, ib)
    _action(first, coach, 0)
    _action(second, coach, 0)
    services.remind(TODAY)
    _action(_case(school, ib), coach, 0)  # a new one the same day
    assert services.remind(TODAY).actions == 1
    assert len(_reminders(user=coach)) == 3
