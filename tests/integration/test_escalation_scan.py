"""`flask escalation scan`: the rules escalate through the real workflow, once, and skip what
is already escalated, closed, handled or changed meanwhile."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.cases import services
from app.cases.models import Case, CaseTransition, ReferralStatus
from app.cases.workflow import CaseState, EscalationReason
from app.escalation import scan as scanner
from app.escalation.models import Escalation, ThuiszitterEpisode
from app.extensions import db
from app.models import utcnow
from app.notifications.models import Notification
from app.org.models import OrganisationKind
from tests.factories import (
    ArrangementFactory,
    CaseFactory,
    EscalationTierFactory,
    OrganisationFactory,
    ReferralFactory,
    SchoolFactory,
    ThuiszitterEpisodeFactory,
    user_with_role,
)

TODAY = date.today()


@pytest.fixture
def school():
    return SchoolFactory()


@pytest.fixture
def region(school):
    return school.region


@pytest.fixture
def ib(school):
    return user_with_role(Role.school_staff, school)


@pytest.fixture
def coordinator(region):
    swv = OrganisationFactory(region=region, kind=OrganisationKind.samenwerkingsverband)
    return user_with_role(Role.coordinator, swv)


@pytest.fixture
def ladder(region):
    return [EscalationTierFactory(region=region, level=1, name="E1 – voorzitter", sla_days=14),
            EscalationTierFactory(region=region, level=3, name="E3 – wethouder", sla_days=28)]


def _case(school, ib, state=CaseState.mdo, **kwargs) -> Case:
    return CaseFactory(school=school, pupil__school=school, opened_by=ib, state=state, **kwargs)


def _days_ago(days: int):
    return utcnow() - timedelta(days=days)


def _run(today=TODAY, region=None):
    db.session.commit()  # the setup survives the scan's own rollbacks
    report = scanner.scan(today, region.code if region else None)
    db.session.expire_all()
    return report


def _escalations(case) -> list[Escalation]:
    return list(db.session.scalars(sa.select(Escalation).where(Escalation.case_id == case.id)))


# --- one rule, all its effects ----------------------------------------------------------------


def test_a_long_thuiszitter_is_escalated_through_the_workflow(school, ib, coordinator, ladder):
    holder = user_with_role(Role.youth_professional, OrganisationFactory(region=school.region))
    case = _case(school, ib, regie_holder_id=holder.id)
    ThuiszitterEpisodeFactory(case=case, started_on=TODAY - timedelta(days=29))
    version = case.version

    report = _run()

    case = db.session.get(Case, case.id)
    assert case.state == CaseState.escalation and case.version > version
    step = case.history[-1]
    assert (step.trigger, step.from_state, step.actor_id, step.reason) == (
        "escalate", CaseState.mdo, None, "thuiszitter")
    assert step.note.startswith("Automatisch geëscaleerd door de regel 'Thuiszitter': 4 weken")
    [escalation] = _escalations(case)
    assert escalation.rule == "thuiszitter"
    assert escalation.reason == EscalationReason.thuiszitter
    assert escalation.rationale == step.note and escalation.opened_by_id is None
    assert (escalation.tier, escalation.due_on) == (1, TODAY + timedelta(days=14))
    assert report.escalated["thuiszitter"] == 1
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.case_id == case.id)
                               .order_by(AuditEvent.seq)).all()
    assert [(a.action, a.user_id) for a in audit] == [("transition:escalate", None),
                                                      ("escalation:rule", None)]
    assert (audit[0].authorisation, audit[0].role) == ("system:rule:thuiszitter", "system")
    assert "thuiszitter" in audit[1].detail
    told = {n.user_id: n for n in db.session.scalars(
        sa.select(Notification).where(Notification.case_id == case.id))}
    assert set(told) == {coordinator.id, holder.id, ib.id}
    assert all(n.kind == "escalation" and "automatisch geëscaleerd" in n.text for n in
               told.values())
    assert told[coordinator.id].link == "/escalaties/"
    assert told[ib.id].link == f"/cases/{case.id}"
    assert all(case.pupil.reference not in n.text for n in told.values())


# --- every rule at and around its threshold ---------------------------------------------------


def _referral_unanswered(school, ib, days):
    case = _case(school, ib, state=CaseState.signalering)
    ReferralFactory(case=case, status=ReferralStatus.sent, sent_at=_days_ago(days),
                    answer_due_on=TODAY - timedelta(days=1))
    return case


def _waiting(school, ib, days):
    case = _case(school, ib)
    ReferralFactory(case=case, status=ReferralStatus.waiting, sent_at=_days_ago(days + 3),
                    answered_at=_days_ago(days))
    return case


def _thuiszitter(school, ib, days):
    case = _case(school, ib, state=CaseState.arrangement, regie_holder_id=ib.id)
    ThuiszitterEpisodeFactory(case=case, started_on=TODAY - timedelta(days=days))
    return case


def _no_regie(school, ib, days):
    return _case(school, ib, state=CaseState.mdo, state_since=_days_ago(days))


def _evaluation_overdue(school, ib, days):
    case = _case(school, ib, state=CaseState.arrangement, regie_holder_id=ib.id)
    ArrangementFactory(case=case, evaluation_due=TODAY - timedelta(days=days))
    return case


RULES = {  # rule -> (setup, the region's default threshold in days, expected reason)
    "referral_unanswered": (_referral_unanswered, 14, EscalationReason.no_youth_care_in_time),
    "waiting_for_help": (_waiting, 42, EscalationReason.no_youth_care_in_time),
    "thuiszitter": (_thuiszitter, 28, EscalationReason.thuiszitter),
    "no_regie_holder": (_no_regie, 10, EscalationReason.regie_dispute),
    "evaluation_overdue": (_evaluation_overdue, 30, EscalationReason.no_progress),
}


@pytest.mark.parametrize("rule", RULES)
def test_each_rule_escalates_just_above_its_threshold_and_not_at_it(school, ib, rule):
    setup, threshold, reason = RULES[rule]
    at = setup(school, ib, threshold)
    above = setup(school, ib, threshold + 1)

    report = _run()

    assert db.session.get(Case, at.id).state != CaseState.escalation
    assert _escalations(at) == []
    [escalation] = _escalations(above)
    assert (escalation.rule, escalation.reason) == (rule, reason)
    assert db.session.get(Case, above.id).state == CaseState.escalation
    assert report.escalated[rule] == 1 and sum(report.escalated.values()) == 1


def test_thresholds_are_region_settings(school, ib):
    school.region.escalation_no_regie_days = 30
    case = _no_regie(school, ib, 20)
    _run()
    assert _escalations(case) == []
    school.region.escalation_no_regie_days = 19
    _run()
    assert len(_escalations(case)) == 1


def test_today_can_be_given_to_catch_up(school, ib):
    case = _no_regie(school, ib, 5)
    _run(TODAY + timedelta(days=5))
    assert _escalations(case) == []
    _run(TODAY + timedelta(days=6))
    assert len(_escalations(case)) == 1


# --- idempotent and careful ---------------------------------------------------------------------


def test_running_twice_changes_nothing_the_second_time(school, ib):
    case = _thuiszitter(school, ib, 40)
    _run()
    version = db.session.get(Case, case.id).version
    counts = (len(_escalations(case)), _count(CaseTransition), _count(AuditEvent),
              _count(Notification))

    report = _run()

    assert sum(report.escalated.values()) == 0
    assert db.session.get(Case, case.id).version == version
    assert (len(_escalations(case)), _count(CaseTransition), _count(AuditEvent),
            _count(Notification)) == counts


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("state", [CaseState.escalation, CaseState.closed])
def test_escalated_and_closed_cases_are_skipped(school, ib, state):
    case = _case(school, ib, state=state, regie_holder_id=None, state_since=_days_ago(90))
    ThuiszitterEpisodeFactory(case=case, started_on=TODAY - timedelta(days=90))
    _run()
    assert _escalations(case) == [] and db.session.get(Case, case.id).state == state


def test_an_exempted_thuiszitter_is_not_escalated(school, ib):
    case = _case(school, ib, regie_holder_id=ib.id)
    ThuiszitterEpisodeFactory(case=case, started_on=TODAY - timedelta(days=90), exemption=True)
    _run()
    assert _escalations(case) == []


def test_a_condition_the_coordinator_resolved_does_not_escalate_again(school, ib, coordinator):
    case = _thuiszitter(school, ib, 40)
    _run()
    case = db.session.get(Case, case.id)
    case.open_escalation.decision = "Plek op de bovenschoolse voorziening per volgende week."
    case.open_escalation.decided_by_id = coordinator.id
    db.session.commit()
    services.advance_case(coordinator, case, "resolve_escalation", case.version, dest="mdo")
    assert db.session.get(Case, case.id).state == CaseState.mdo

    report = _run()

    assert len(_escalations(case)) == 1 and sum(report.escalated.values()) == 0
    assert db.session.get(Case, case.id).state == CaseState.mdo


def test_a_new_episode_after_the_resolved_one_escalates_again(school, ib, coordinator):
    case = _thuiszitter(school, ib, 40)
    _run()
    case = db.session.get(Case, case.id)
    escalation = case.open_escalation
    escalation.opened_at = _days_ago(60)  # as if it was opened at the first episode
    escalation.decision, escalation.decided_by_id = "Terug naar school.", coordinator.id
    episode = db.session.scalars(sa.select(ThuiszitterEpisode)
                                 .where(ThuiszitterEpisode.case_id == case.id)).one()
    episode.started_on, episode.ended_on = TODAY - timedelta(days=90), TODAY - timedelta(days=40)
    db.session.commit()
    services.advance_case(coordinator, case, "resolve_escalation", case.version, dest="mdo")
    ThuiszitterEpisodeFactory(case=case, started_on=TODAY - timedelta(days=30))

    _run()

    assert [e.rule for e in _escalations(case)] == ["thuiszitter", "thuiszitter"]


def test_a_case_changed_since_it_was_found_is_skipped(school, ib):
    case = _no_regie(school, ib, 30)
    db.session.commit()
    [candidate] = scanner._no_regie_holder(school.region, TODAY)
    case.hulpvraag = "Intussen aangevuld door de school."  # another user's commit
    db.session.commit()

    assert scanner._escalate(scanner.rules.RULES["no_regie_holder"], candidate, TODAY) is False

    db.session.expire_all()
    assert _escalations(case) == [] and db.session.get(Case, case.id).state == CaseState.mdo


def test_a_concurrent_scan_that_won_leaves_nothing_to_do(school, ib):
    case = _no_regie(school, ib, 30)
    db.session.commit()
    [candidate] = scanner._no_regie_holder(school.region, TODAY)
    rule = scanner.rules.RULES["no_regie_holder"]
    assert scanner._escalate(rule, candidate, TODAY) is True
    assert scanner._escalate(rule, candidate, TODAY) is False  # the other run, same snapshot
    db.session.expire_all()
    assert len(_escalations(case)) == 1


def test_one_escalation_per_case_and_run_the_thuiszitter_rule_first(school, ib):
    case = _waiting(school, ib, 60)
    case.state_since = _days_ago(30)  # and no regie holder
    ThuiszitterEpisodeFactory(case=case, started_on=TODAY - timedelta(days=60))
    report = _run()
    assert [e.rule for e in _escalations(case)] == ["thuiszitter"]
    assert report.escalated == {"thuiszitter": 1}


def test_the_region_option_limits_the_scan(school, ib):
    other_school = SchoolFactory()
    other = _no_regie(other_school, user_with_role(Role.school_staff, other_school), 30)
    mine = _no_regie(school, ib, 30)
    _run(region=school.region)
    assert len(_escalations(mine)) == 1 and _escalations(other) == []


def test_without_a_ladder_the_escalation_has_no_tier(school, ib):
    case = _no_regie(school, ib, 30)
    _run()
    [escalation] = _escalations(case)
    assert (escalation.tier, escalation.due_on) == (None, None)


# --- the command --------------------------------------------------------------------------------


def test_the_command_prints_a_summary_per_rule(runner, school, ib):
    _no_regie(school, ib, 30)
    _evaluation_overdue(school, ib, 40)
    db.session.commit()
    result = runner.invoke(args=["escalation", "scan", "--region", school.region.code,
                                 "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "Niemand met casusregie: 1 geëscaleerd, 0 overgeslagen" in result.output
    assert "Evaluatie te laat: 1 geëscaleerd" in result.output
    assert "Verwijzing niet beantwoord: 0 geëscaleerd" in result.output
    assert "Totaal: 2 geëscaleerd." in result.output


def test_the_command_refuses_an_unknown_region_and_a_bad_date(runner):
    result = runner.invoke(args=["escalation", "scan", "--region", "GEEN"])
    assert result.exit_code != 0 and "Er is geen regio met code GEEN" in result.output
    result = runner.invoke(args=["escalation", "scan", "--today", "15-03-2027"])
    assert result.exit_code != 0
