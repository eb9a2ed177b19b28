"""The automatic escalation rules: pure functions over plain values, no database.

Each rule says whether a condition has lasted longer than the region's threshold ("more than N
days": on day N it is not yet due, on day N + 1 it is). `flask escalation scan` finds candidates
with SQL using `started_before` and asks the rule again on the loaded values, so this module is
the one definition of when a case escalates.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from app.cases.workflow import CaseState, EscalationReason

WEEK = 7


@dataclass(frozen=True)
class Rule:
    key: str
    reason: EscalationReason
    label: str  # Dutch, for the queue, the summary and the admin screen
    threshold_field: str  # the Region column that holds N
    unit: str  # "dagen" or "weken"

    @property
    def days_per_unit(self) -> int:
        return WEEK if self.unit == "weken" else 1


RULES: dict[str, Rule] = {
    r.key: r
    for r in (
        Rule("thuiszitter", EscalationReason.thuiszitter,
             "Thuiszitter", "escalation_thuiszitter_weeks", "weken"),
        Rule("referral_unanswered", EscalationReason.no_youth_care_in_time,
             "Verwijzing niet beantwoord", "escalation_referral_days", "dagen"),
        Rule("waiting_for_help", EscalationReason.no_youth_care_in_time,
             "Wacht te lang op hulp", "escalation_waiting_weeks", "weken"),
        Rule("no_regie_holder", EscalationReason.regie_dispute,
             "Niemand met casusregie", "escalation_no_regie_days", "dagen"),
        Rule("evaluation_overdue", EscalationReason.no_progress,
             "Evaluatie te laat", "escalation_evaluation_days", "dagen"),
    )
}

# Case states from which a rule may escalate (the workflow's `escalate` sources).
ESCALATABLE = frozenset({CaseState.signalering, CaseState.mdo, CaseState.arrangement,
                         CaseState.evaluation})


def days_between(start: date, today: date) -> int:
    return (today - start).days


def longer_than(start: date | None, today: date, days: int) -> bool:
    """Has something that began on `start` lasted more than `days` days on `today`?"""
    return start is not None and days_between(start, today) > days


def started_before(today: date, days: int) -> date:
    """The SQL form of `longer_than`: it holds exactly when start < this date."""
    return today - timedelta(days=days)


def referral_unanswered(*, status: str, sent_on: date, answer_due_on: date | None,
                        today: date, days: int) -> bool:
    """A referral still `sent` more than N days after sending, and past its own answer date:
    the region never escalates before the date the professional was given."""
    if status != "sent" or not longer_than(sent_on, today, days):
        return False
    return answer_due_on is None or answer_due_on < today


def waiting_for_help(*, status: str, answered_on: date | None, started_on: date | None,
                     today: date, weeks: int) -> bool:
    """Accepted (or on a waiting list) more than N weeks ago, and the help has not started."""
    return (status in {"accepted", "waiting"} and started_on is None
            and longer_than(answered_on, today, weeks * WEEK))


def thuiszitter(*, started_on: date, ended_on: date | None, exemption: bool, today: date,
                weeks: int) -> bool:
    """An open episode of more than N weeks. A pupil exempted from compulsory education is
    registered, not escalated: there is no school place to fight for."""
    return ended_on is None and not exemption and longer_than(started_on, today, weeks * WEEK)


def no_regie_holder(*, state: CaseState, regie_holder_id: int | None, state_since: date,
                    today: date, days: int) -> bool:
    """Past signalering, nobody holds casusregie, for more than N days in this phase."""
    return (state in ESCALATABLE - {CaseState.signalering} and regie_holder_id is None
            and longer_than(state_since, today, days))


def evaluation_overdue(*, state: CaseState, evaluation_due: date | None, today: date,
                       days: int) -> bool:
    """The arrangement runs on more than N days past its evaluation date."""
    return state == CaseState.arrangement and longer_than(evaluation_due, today, days)


def rationale(rule: Rule, since: date, today: date, threshold: int) -> str:
    """The Dutch rationale on the escalation and its history row (content-free)."""
    days = days_between(since, today)
    amount = f"{days // WEEK} weken" if rule.unit == "weken" else f"{days} dagen"
    return (f"Automatisch geëscaleerd door de regel '{rule.label}': {amount} sinds "
            f"{since:%d-%m-%Y}, de drempel van de regio is {threshold} {rule.unit}.")
