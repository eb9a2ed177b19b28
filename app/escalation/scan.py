"""`flask escalation scan`: apply each region's automatic escalation rules.

Candidates come from one SQL query per rule and region (never a loop over all cases); each is
checked again with the pure rule of `rules.py` and then escalated through the real workflow step
in its own transaction: the case moves to `escalation` with its history row, the Escalation row
carries the rule and a Dutch rationale, and the audit rows name the rule as the actor. The scan
is idempotent and safe to run concurrently: a case that is already escalated is no candidate,
a condition that already led to an escalation for the same reason is not escalated again, and
a case changed by someone else since it was read (another scan, a user) is skipped.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import sqlalchemy as sa

from app.auth.permissions import Access
from app.cases.models import Arrangement, Case, Referral, ReferralStatus
from app.cases.services import CaseConflict, changing
from app.cases.services.core import apply_trigger
from app.cases.workflow import CaseState, TransitionNotAllowed
from app.escalation import rules
from app.escalation.models import ThuiszitterEpisode
from app.escalation.services import SYSTEM
from app.extensions import db
from app.org.models import Region, School


@dataclass(frozen=True)
class Candidate:
    case_id: int
    version: int
    since: date  # when the condition began (sent, answered, at home, phase, evaluation date)
    values: dict  # the plain values the pure rule is asked about


@dataclass
class ScanReport:
    escalated: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)  # rule key -> already handled / changed

    def lines(self) -> list[str]:
        return [f"{rule.label}: {self.escalated[key]} geëscaleerd, "
                f"{self.skipped[key]} overgeslagen" for key, rule in rules.RULES.items()]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC)


def _in_region(region: Region):
    return (sa.select(Case.id, Case.version).join(School, School.id == Case.school_id)
            .where(School.region_id == region.id,
                   Case.state.in_(sorted(rules.ESCALATABLE, key=lambda s: s.value))))


def _referral_unanswered(region: Region, today: date) -> list[Candidate]:
    days = region.escalation_referral_days
    rows = db.session.execute(
        _in_region(region).join(Referral, Referral.case_id == Case.id)
        .add_columns(Referral.status, Referral.sent_at, Referral.answer_due_on)
        .where(Referral.status == ReferralStatus.sent,
               Referral.sent_at < _midnight(rules.started_before(today, days)),
               sa.or_(Referral.answer_due_on.is_(None), Referral.answer_due_on < today))
        .order_by(Referral.sent_at)).all()
    return [Candidate(r.id, r.version, r.sent_at.date(),
                      {"status": r.status.value, "sent_on": r.sent_at.date(),
                       "answer_due_on": r.answer_due_on, "days": days}) for r in rows]


def _waiting_for_help(region: Region, today: date) -> list[Candidate]:
    weeks = region.escalation_waiting_weeks
    rows = db.session.execute(
        _in_region(region).join(Referral, Referral.case_id == Case.id)
        .add_columns(Referral.status, Referral.answered_at, Referral.started_on)
        .where(Referral.status.in_([ReferralStatus.accepted, ReferralStatus.waiting]),
               Referral.started_on.is_(None),
               Referral.answered_at < _midnight(rules.started_before(today, weeks * rules.WEEK)))
        .order_by(Referral.answered_at)).all()
    return [Candidate(r.id, r.version, r.answered_at.date(),
                      {"status": r.status.value, "answered_on": r.answered_at.date(),
                       "started_on": r.started_on, "weeks": weeks}) for r in rows]


def _thuiszitter(region: Region, today: date) -> list[Candidate]:
    weeks = region.escalation_thuiszitter_weeks
    rows = db.session.execute(
        _in_region(region).join(ThuiszitterEpisode, ThuiszitterEpisode.case_id == Case.id)
        .add_columns(ThuiszitterEpisode.started_on, ThuiszitterEpisode.ended_on,
                     ThuiszitterEpisode.exemption)
        .where(ThuiszitterEpisode.ended_on.is_(None), ThuiszitterEpisode.exemption.is_(False),
               ThuiszitterEpisode.started_on < rules.started_before(today, weeks * rules.WEEK))
        .order_by(ThuiszitterEpisode.started_on)).all()
    return [Candidate(r.id, r.version, r.started_on,
                      {"started_on": r.started_on, "ended_on": r.ended_on,
                       "exemption": r.exemption, "weeks": weeks}) for r in rows]


def _no_regie_holder(region: Region, today: date) -> list[Candidate]:
    days = region.escalation_no_regie_days
    rows = db.session.execute(
        _in_region(region).add_columns(Case.state, Case.regie_holder_id, Case.state_since)
        .where(Case.state != CaseState.signalering, Case.regie_holder_id.is_(None),
               Case.state_since < _midnight(rules.started_before(today, days)))
        .order_by(Case.state_since)).all()
    return [Candidate(r.id, r.version, r.state_since.date(),
                      {"state": r.state, "regie_holder_id": r.regie_holder_id,
                       "state_since": r.state_since.date(), "days": days}) for r in rows]


def _evaluation_overdue(region: Region, today: date) -> list[Candidate]:
    days = region.escalation_evaluation_days
    current = (sa.select(Arrangement.case_id, sa.func.max(Arrangement.id).label("id"))
               .group_by(Arrangement.case_id).subquery())
    rows = db.session.execute(
        _in_region(region).join(current, current.c.case_id == Case.id)
        .join(Arrangement, Arrangement.id == current.c.id)
        .add_columns(Case.state, Arrangement.evaluation_due)
        .where(Case.state == CaseState.arrangement,
               Arrangement.evaluation_due < rules.started_before(today, days))
        .order_by(Arrangement.evaluation_due)).all()
    return [Candidate(r.id, r.version, r.evaluation_due,
                      {"state": r.state, "evaluation_due": r.evaluation_due, "days": days})
            for r in rows]


# In order: when several rules hold for a case, the first escalates it (thuiszitters first, as
# in the coordinator's queue).
FINDERS = {
    "thuiszitter": (_thuiszitter, rules.thuiszitter),
    "referral_unanswered": (_referral_unanswered, rules.referral_unanswered),
    "waiting_for_help": (_waiting_for_help, rules.waiting_for_help),
    "no_regie_holder": (_no_regie_holder, rules.no_regie_holder),
    "evaluation_overdue": (_evaluation_overdue, rules.evaluation_overdue),
}


def scan(today: date | None = None, region_code: str | None = None) -> ScanReport:
    """Escalate every case of the region(s) that a rule says has waited too long."""
    today = today or date.today()
    query = sa.select(Region).order_by(Region.code)
    if region_code:
        query = query.where(Region.code == region_code)
    report, done = ScanReport(), set()
    for region in db.session.scalars(query).all():
        for key, (find, holds) in FINDERS.items():
            for candidate in find(region, today):
                if candidate.case_id in done:
                    continue  # one escalation per case and run, by the first rule that holds
                if not holds(today=today, **candidate.values):
                    continue
                if _escalate(rules.RULES[key], candidate, today):
                    report.escalated[key] += 1
                    done.add(candidate.case_id)
                else:
                    report.skipped[key] += 1
    db.session.rollback()  # end the last read transaction (SQLite: release the write lock)
    return report


def _handled(case: Case, rule: rules.Rule, since: date) -> bool:
    """An escalation for the same reason since the condition began (open or already decided
    and resolved by the coordinator) has dealt with it: never escalate it twice."""
    return any(e.reason == rule.reason and e.opened_at.date() >= since for e in case.escalations)


def _escalate(rule: rules.Rule, candidate: Candidate, today: date) -> bool:
    case = db.session.get(Case, candidate.case_id)
    if case is None or case.version != candidate.version or _handled(case, rule, candidate.since):
        db.session.rollback()  # end the read transaction; nothing was changed
        return False
    threshold = candidate.values.get("days", candidate.values.get("weeks"))
    note = rules.rationale(rule, candidate.since, today, threshold)
    access = Access(f"system:rule:{rule.key}", "system")
    try:
        with changing(SYSTEM, case, candidate.version, "escalation:rule", fields=("state",),
                      detail=f"automatische escalatie, regel {rule.key}"):
            apply_trigger(SYSTEM, case, "escalate", access, reason=rule.reason.value, note=note)
            case.open_escalation.rule = rule.key
    except (CaseConflict, TransitionNotAllowed):
        return False  # changed meanwhile (another scan or a user): the next run looks again
    return True
