"""The automatic escalation rules, at, just below and just above each threshold: no database."""

from datetime import date, timedelta

import pytest

from app.cases.workflow import CaseState, EscalationReason
from app.escalation import rules

TODAY = date(2027, 3, 15)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


# --- "more than N": day N is not yet, day N + 1 is ----------------------------------------------


@pytest.mark.parametrize(("days_ago", "expected"), [(9, False), (10, False), (11, True)])
def test_longer_than_counts_whole_days_and_is_strict(days_ago, expected):
    assert rules.longer_than(ago(days_ago), TODAY, 10) is expected


@pytest.mark.parametrize("days_ago", range(0, 30))
def test_the_sql_cutoff_agrees_with_the_rule_on_every_day(days_ago):
    start = ago(days_ago)
    assert (start < rules.started_before(TODAY, 10)) == rules.longer_than(start, TODAY, 10)


def test_no_start_is_never_longer_than_anything():
    assert rules.longer_than(None, TODAY, 0) is False


# --- referral unanswered --------------------------------------------------------------------------


@pytest.mark.parametrize(("days_ago", "expected"), [(13, False), (14, False), (15, True)])
def test_referral_unanswered_after_more_than_n_days(days_ago, expected):
    assert rules.referral_unanswered(status="sent", sent_on=ago(days_ago), answer_due_on=None,
                                     today=TODAY, days=14) is expected


def test_referral_unanswered_waits_for_its_own_answer_date():
    sent = ago(20)
    assert not rules.referral_unanswered(status="sent", sent_on=sent, answer_due_on=TODAY,
                                         today=TODAY, days=14)
    assert rules.referral_unanswered(status="sent", sent_on=sent, answer_due_on=ago(1),
                                     today=TODAY, days=14)


@pytest.mark.parametrize("status", ["accepted", "declined", "redirected", "waiting", "started"])
def test_an_answered_referral_is_not_unanswered(status):
    assert not rules.referral_unanswered(status=status, sent_on=ago(60), answer_due_on=ago(50),
                                         today=TODAY, days=14)


# --- waiting for help ----------------------------------------------------------------------------


@pytest.mark.parametrize(("days_ago", "expected"), [(41, False), (42, False), (43, True)])
@pytest.mark.parametrize("status", ["accepted", "waiting"])
def test_waiting_for_help_after_more_than_n_weeks(status, days_ago, expected):
    assert rules.waiting_for_help(status=status, answered_on=ago(days_ago), started_on=None,
                                  today=TODAY, weeks=6) is expected


def test_help_that_started_is_no_longer_waiting():
    assert not rules.waiting_for_help(status="waiting", answered_on=ago(90),
                                      started_on=ago(10), today=TODAY, weeks=6)
    assert not rules.waiting_for_help(status="started", answered_on=ago(90), started_on=None,
                                      today=TODAY, weeks=6)


# --- thuiszitter ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("days_ago", "expected"), [(27, False), (28, False), (29, True)])
def test_thuiszitter_after_more_than_n_weeks_at_home(days_ago, expected):
    assert rules.thuiszitter(started_on=ago(days_ago), ended_on=None, exemption=False,
                             today=TODAY, weeks=4) is expected


def test_an_ended_episode_or_an_exemption_does_not_escalate():
    assert not rules.thuiszitter(started_on=ago(90), ended_on=ago(5), exemption=False,
                                 today=TODAY, weeks=4)
    assert not rules.thuiszitter(started_on=ago(90), ended_on=None, exemption=True,
                                 today=TODAY, weeks=4)


# --- no regie holder -----------------------------------------------------------------------------


@pytest.mark.parametrize(("days_ago", "expected"), [(9, False), (10, False), (11, True)])
@pytest.mark.parametrize("state", [CaseState.mdo, CaseState.arrangement, CaseState.evaluation])
def test_no_regie_holder_after_more_than_n_days_past_signalering(state, days_ago, expected):
    assert rules.no_regie_holder(state=state, regie_holder_id=None, state_since=ago(days_ago),
                                 today=TODAY, days=10) is expected


@pytest.mark.parametrize("state", [CaseState.signalering, CaseState.escalation,
                                   CaseState.closed])
def test_no_regie_rule_ignores_signalering_escalated_and_closed_cases(state):
    assert not rules.no_regie_holder(state=state, regie_holder_id=None, state_since=ago(99),
                                     today=TODAY, days=10)


def test_a_regie_holder_ends_the_rule():
    assert not rules.no_regie_holder(state=CaseState.mdo, regie_holder_id=7,
                                     state_since=ago(99), today=TODAY, days=10)


# --- evaluation overdue --------------------------------------------------------------------------


@pytest.mark.parametrize(("days_ago", "expected"), [(29, False), (30, False), (31, True)])
def test_evaluation_overdue_after_more_than_n_days_past_its_date(days_ago, expected):
    assert rules.evaluation_overdue(state=CaseState.arrangement, evaluation_due=ago(days_ago),
                                    today=TODAY, days=30) is expected


def test_evaluation_overdue_only_while_the_arrangement_runs():
    assert not rules.evaluation_overdue(state=CaseState.evaluation, evaluation_due=ago(99),
                                        today=TODAY, days=30)
    assert not rules.evaluation_overdue(state=CaseState.arrangement, evaluation_due=None,
                                        today=TODAY, days=30)


# --- the table ----------------------------------------------------------------------------------


def test_each_rule_escalates_for_its_reason_with_a_region_threshold():
    reasons = {key: rule.reason for key, rule in rules.RULES.items()}
    assert reasons == {
        "referral_unanswered": EscalationReason.no_youth_care_in_time,
        "waiting_for_help": EscalationReason.no_youth_care_in_time,
        "thuiszitter": EscalationReason.thuiszitter,
        "no_regie_holder": EscalationReason.regie_dispute,
        "evaluation_overdue": EscalationReason.no_progress,
    }
    assert all(r.threshold_field.startswith("escalation_") for r in rules.RULES.values())
    assert all(len(key) <= 32 for key in rules.RULES)  # fits Escalation.rule


def test_the_rationale_is_dutch_and_content_free():
    text = rules.rationale(rules.RULES["thuiszitter"], ago(30), TODAY, 4)
    assert text == ("Automatisch geëscaleerd door de regel 'Thuiszitter': 4 weken sinds "
                    "13-02-2027, de drempel van de regio is 4 weken.")
