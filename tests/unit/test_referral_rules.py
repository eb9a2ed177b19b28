"""The referral's status table and answer rules, without a database.

The expected table is written from the design (DESIGN §3, issue 4), not read from `STEPS`, so a
drifting table fails here.
"""

from datetime import date, timedelta
from itertools import product
from types import SimpleNamespace

import pytest

import app.all_models  # noqa: F401  (the services import the models: every mapper known)
from app.cases.models import ReferralStatus
from app.cases.services.referrals import (
    STATUS_LABELS,
    STEPS,
    Answer,
    check_answer,
    feedback_summary,
    is_overdue,
    next_status,
    steps_from,
)

RS = ReferralStatus
TODAY = date(2027, 3, 12)
SENT = TODAY - timedelta(days=20)

# step -> {from: to}
ALLOWED = {
    "accept": {RS.sent: RS.accepted},
    "decline": {RS.sent: RS.declined},
    "redirect": {RS.sent: RS.redirected},
    "wait": {RS.accepted: RS.waiting, RS.waiting: RS.waiting},
    "start": {RS.accepted: RS.started, RS.waiting: RS.started},
    "end": {RS.accepted: RS.ended, RS.waiting: RS.ended, RS.started: RS.ended},
}


@pytest.fixture(autouse=True)
def _db_transaction():
    """Overrides the conftest fixture: these tests need no app and no database."""
    yield


@pytest.fixture(autouse=True)
def _fresh_limits():
    """Overrides the conftest fixture: no app, so no login limits to reset."""
    yield


@pytest.mark.parametrize(("step", "status"), list(product(ALLOWED, RS)),
                         ids=lambda v: v.value if isinstance(v, RS) else v)
def test_every_step_from_every_status_is_allowed_or_refused_by_the_table(step, status):
    assert next_status(status, step) == ALLOWED[step].get(status)


def test_the_table_knows_exactly_the_designed_steps_and_every_status_has_a_dutch_label():
    assert set(STEPS) == set(ALLOWED)
    assert set(STATUS_LABELS) == set(RS)
    assert next_status(RS.sent, "reopen") is None


@pytest.mark.parametrize("status", list(RS), ids=lambda s: s.value)
def test_steps_from_a_status_are_the_buttons_the_receiver_gets(status):
    assert set(steps_from(status)) == {s for s, table in ALLOWED.items() if status in table}


def test_declined_redirected_and_ended_are_final():
    assert steps_from(RS.declined) == steps_from(RS.redirected) == steps_from(RS.ended) == []


def _problems(step, answer=None, started_on=None, today=TODAY):
    return check_answer(step, answer or Answer(), sent_on=SENT, started_on=started_on,
                        today=today)


def _fields(problems):
    return [field for field, _ in problems]


# --- what each step needs ----------------------------------------------------------------------


def test_accepting_needs_nothing_more():
    assert _problems("accept") == []
    assert _problems("accept", Answer(light_help=True)) == []


@pytest.mark.parametrize("reason", [None, "", "  \n "])
def test_declining_needs_a_reason(reason):
    [(field, message)] = _problems("decline", Answer(decline_reason=reason))
    assert field == "decline_reason" and "waarom" in message


def test_a_decline_with_a_reason_passes():
    assert _problems("decline", Answer(decline_reason="Past niet bij ons aanbod.")) == []


def test_redirecting_needs_a_worker_in_schakel_or_a_note_saying_who():
    assert _fields(_problems("redirect", Answer(redirect_note="  "))) == ["redirect_note"]
    assert _problems("redirect", Answer(redirect_to=7)) == []
    assert _problems("redirect", Answer(redirect_note="Buurtteam Zuid, Sanne")) == []


@pytest.mark.parametrize(("expected", "ok"), [
    (None, False),
    (TODAY - timedelta(days=1), False),
    (TODAY, True),
    (TODAY + timedelta(days=30), True),
    (TODAY + timedelta(days=366), True),
    (TODAY + timedelta(days=367), False),
], ids=["missing", "yesterday", "today", "next-month", "a-year", "beyond-a-year"])
def test_the_waiting_list_needs_an_expected_start_between_today_and_a_year(expected, ok):
    problems = _problems("wait", Answer(expected_start=expected,
                                        bridging_plan="School geeft extra begeleiding."))
    assert _fields(problems) == ([] if ok else ["expected_start"])


def test_the_bridging_plan_is_optional():
    assert _problems("wait", Answer(expected_start=TODAY + timedelta(days=14))) == []


@pytest.mark.parametrize(("started", "ok"), [
    (None, False),
    (TODAY + timedelta(days=1), False),
    (TODAY, True),
    (SENT, True),
    (SENT - timedelta(days=1), False),
], ids=["missing", "tomorrow", "today", "day-sent", "before-sent"])
def test_help_starts_today_or_earlier_but_not_before_the_referral(started, ok):
    problems = _problems("start", Answer(started_on=started))
    assert _fields(problems) == ([] if ok else ["started_on"])


def test_a_future_start_points_to_the_waiting_list_and_an_early_one_names_the_day_sent():
    [(_, future)] = _problems("start", Answer(started_on=TODAY + timedelta(days=3)))
    [(_, early)] = _problems("start", Answer(started_on=SENT - timedelta(days=3)))
    assert "toekomst" in future
    assert "20 februari 2027" in early


@pytest.mark.parametrize(("ended", "started", "ok"), [
    (TODAY, TODAY - timedelta(days=5), True),
    (TODAY - timedelta(days=5), TODAY - timedelta(days=5), True),
    (TODAY - timedelta(days=6), TODAY - timedelta(days=5), False),
    (TODAY + timedelta(days=1), TODAY - timedelta(days=5), False),
    (SENT, None, True),
    (SENT - timedelta(days=1), None, False),
    (None, None, False),
], ids=["after-start", "on-start-day", "before-start", "future", "never-started-day-sent",
        "never-started-before-sent", "missing"])
def test_the_end_date_is_not_before_the_start_nor_in_the_future(ended, started, ok):
    problems = _problems("end", Answer(ended_on=ended, outcome="Doelen bereikt."),
                         started_on=started)
    assert _fields(problems) == ([] if ok else ["ended_on"])


def test_ending_needs_an_outcome_and_every_problem_is_reported_at_once():
    problems = _problems("end", Answer(ended_on=None, outcome=" "))
    assert _fields(problems) == ["ended_on", "outcome"]


# --- what the school reads, and when a referral is overdue -------------------------------------


def _referral(**values):
    base = dict(to_organisation=SimpleNamespace(name="Wijkteam Noord"), status=RS.sent,
                answer_due_on=TODAY, expected_start=date(2027, 4, 1),
                started_on=date(2027, 3, 12), ended_on=date(2027, 6, 30))
    return SimpleNamespace(**{**base, **values})


@pytest.mark.parametrize(("step", "summary"), [
    ("accept", "Verwijzing geaccepteerd door Wijkteam Noord"),
    ("decline", "Verwijzing afgewezen door Wijkteam Noord"),
    ("redirect", "Doorverwezen naar de hulpverlener die al bij het gezin betrokken is"),
    ("wait", "Wachtlijst: verwachte start 1 april 2027"),
    ("start", "Hulp gestart op 12 maart 2027"),
    ("end", "Hulp beëindigd op 30 juni 2027"),
])
def test_the_terugkoppeling_says_what_happened_and_nothing_more(step, summary):
    referral = _referral(decline_reason="Geheim", outcome="Geheim", bridging_plan="Geheim")
    assert feedback_summary(referral, step) == summary


@pytest.mark.parametrize(("status", "due", "overdue"), [
    (RS.sent, TODAY - timedelta(days=1), True),
    (RS.sent, TODAY, False),
    (RS.sent, None, False),
    (RS.accepted, TODAY - timedelta(days=10), False),
], ids=["sent-past-due", "sent-due-today", "no-deadline", "answered"])
def test_a_referral_is_overdue_only_while_unanswered_after_its_date(status, due, overdue):
    assert is_overdue(_referral(status=status, answer_due_on=due), TODAY) is overdue
