"""The records behind each indicator, as SQL selects: one row per record (an MDO, a referral,
an evaluation, …) of the region, never a pupil reference.

Every select has the columns `school_id`, `municipality_id`, `sector` (po/so/vo/mbo) and `jh`
(1 when youth care takes part in the case, see `scopes`), then its own 0/1 flags, a duration
`days` and category columns. *Event* populations are dated by `at` (the period rule) and
filtered on the raw, indexed column for [first, last]; *snapshot* populations are read on the
period's reference date (or are "open during the period") and do not add up over months.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.cases.models import (
    Arrangement,
    Case,
    CasePlan,
    CaseTransition,
    HandoverStatus,
    MdoMeeting,
    ParentParticipation,
    PlanKind,
    PupilVoice,
    Referral,
    ReferralStatus,
    RegieHandover,
)
from app.cases.workflow import CaseState
from app.models import UTCDateTime
from app.monitor.indicators import WAIT_BUCKETS
from app.monitor.scopes import SECTOR_GROUPS
from app.monitor.sql import days_between, flag, not_negative, utc_date
from app.org.models import PartnerType, School, SchoolContact


@dataclass(frozen=True)
class Span:
    region_id: int
    first: date
    last: date
    today: date

    @property
    def reference(self) -> date:
        return min(self.last, self.today)

    def at(self, day: date) -> datetime:
        return datetime.combine(day, time(0), UTC)


@dataclass(frozen=True)
class Population:
    key: str
    records: Callable[[Span], sa.Select]
    event: bool  # dated by `at`, adds up over months
    flags: tuple[str, ...] = ()
    dimensions: tuple[str, ...] = ()
    durations: bool = False
    case_level: bool = True  # False: schools, with no youth-care view


_ACCEPTED_EVER = [ReferralStatus.accepted, ReferralStatus.waiting, ReferralStatus.started,
                  ReferralStatus.ended]


def sector_group() -> sa.Case:
    return sa.case(*[(School.sector.in_(sectors), group)
                     for group, sectors in SECTOR_GROUPS.items()])


def youth_care() -> sa.Case:
    """1 when youth care takes part in the case: a referral of it was ever accepted."""
    helped = Referral.__table__.alias("helped")
    return flag(sa.exists().where(helped.c.case_id == Case.id,
                                  helped.c.status.in_(_ACCEPTED_EVER)))


def left_signalering():
    return (CaseTransition.from_state == CaseState.signalering) & (
        CaseTransition.to_state.in_([CaseState.mdo, CaseState.arrangement]))


def case_columns() -> list:
    return [School.id.label("school_id"), School.municipality_id.label("municipality_id"),
            sector_group().label("sector"), youth_care().label("jh")]


def of_cases(select: sa.Select, record_case_id, span: Span) -> sa.Select:
    return (select.join(Case, record_case_id == Case.id)
            .join(School, Case.school_id == School.id).where(School.region_id == span.region_id))


def during(column, span: Span):
    """The raw column inside [first, last], so its index serves the filter."""
    if isinstance(column.type, UTCDateTime | sa.DateTime):
        return (column >= span.at(span.first)) & (column < span.at(span.last + timedelta(1)))
    return (column >= span.first) & (column <= span.last)


def pass_through(inner) -> list:
    return [inner.c.school_id, inner.c.municipality_id, inner.c.sector, inner.c.jh]


# --- vormen van samenwerking -------------------------------------------------------------------


def mdo_held(span: Span) -> sa.Select:
    m = MdoMeeting
    heard = [PupilVoice.present, PupilVoice.heard_beforehand]
    return of_cases(sa.select(
        *case_columns(), utc_date(m.held_at).label("at"),
        flag(m.parents == ParentParticipation.present).label("parent_present"),
        flag(m.pupil_voice.in_(heard)).label("pupil_heard"),
        flag(m.pupil_voice == PupilVoice.present).label("pupil_present"),
    ).select_from(m), m.case_id, span).where(during(m.held_at, span))


def schools(span: Span) -> sa.Select:
    c = SchoolContact
    valid = sa.exists().where(c.school_id == School.id, c.partner_type == PartnerType.jeugdhulp,
                              c.valid_from <= span.reference,
                              c.valid_to.is_(None) | (c.valid_to >= span.reference))
    return sa.select(School.id.label("school_id"), School.municipality_id.label("municipality_id"),
                     sector_group().label("sector"), sa.literal(0).label("jh"),
                     flag(valid).label("has_contact")).where(School.region_id == span.region_id)


def regie_active(span: Span) -> sa.Select:
    end = span.at(span.reference + timedelta(1))
    h = RegieHandover
    handed = sa.exists().where(h.case_id == Case.id, h.status == HandoverStatus.accepted,
                               h.answered_at < end)
    holds = Case.regie_holder_id.isnot(None) & (
        (sa.func.coalesce(Case.regie_since, Case.opened_at) < end) | handed)
    left = sa.exists().where(CaseTransition.case_id == Case.id, left_signalering(),
                             CaseTransition.at < end)
    return (sa.select(*case_columns(), flag(holds).label("has_regie")).select_from(Case)
            .join(School, Case.school_id == School.id)
            .where(School.region_id == span.region_id, Case.opened_at < end,
                   Case.closed_at.is_(None) | (Case.closed_at >= end), left))


def regie_exits(span: Span) -> sa.Select:
    t, h = CaseTransition, RegieHandover
    first_handover = (sa.select(sa.func.min(h.answered_at))
                      .where(h.case_id == Case.id, h.status == HandoverStatus.accepted)
                      .scalar_subquery())
    first_holder = sa.case((Case.regie_holder_id.is_(None), None), else_=sa.func.coalesce(
        first_handover, Case.regie_since, Case.opened_at))
    inner = of_cases(sa.select(*case_columns(), t.at.label("moved_at"),
                                first_holder.label("first_holder")).select_from(t),
                      t.case_id, span).where(left_signalering(), during(t.at, span)).subquery()
    moved, first = utc_date(inner.c.moved_at), inner.c.first_holder
    days = sa.case(
        (first.is_(None), days_between(sa.literal(span.today, sa.Date), moved)),
        (first <= inner.c.moved_at, 0),
        else_=days_between(utc_date(first), moved))
    return sa.select(*pass_through(inner), moved.label("at"), not_negative(days).label("days"))


# --- organisatie van de zorg -------------------------------------------------------------------


def referrals_answered(span: Span) -> sa.Select:
    r = Referral
    return of_cases(sa.select(
        *case_columns(), utc_date(r.answered_at).label("at"),
        not_negative(days_between(utc_date(r.answered_at), utc_date(r.sent_at))).label("days"),
        flag(r.status == ReferralStatus.declined).label("declined"),
        flag(r.status == ReferralStatus.redirected).label("redirected"),
    ).select_from(r), r.case_id, span).where(during(r.answered_at, span),
                                             r.status != ReferralStatus.sent)


def _bucket(days) -> sa.Case:
    limits = [int(value.split("-")[1]) for value, _label in WAIT_BUCKETS[:-1]]
    return sa.case(*[(days <= limit, value) for limit, (value, _label)
                     in zip(limits, WAIT_BUCKETS, strict=False)], else_=WAIT_BUCKETS[-1][0])


def referrals_started(span: Span) -> sa.Select:
    r = Referral
    days = not_negative(days_between(r.started_on, utc_date(r.answered_at)))
    return of_cases(sa.select(
        *case_columns(), r.started_on.label("at"), days.label("days"),
        _bucket(days).label("wait_bucket"),
    ).select_from(r), r.case_id, span).where(during(r.started_on, span),
                                             r.answered_at.isnot(None))


def referrals_due(span: Span) -> sa.Select:
    r = Referral
    on_time = r.answered_at.isnot(None) & (utc_date(r.answered_at) <= r.answer_due_on)
    return of_cases(sa.select(
        *case_columns(), r.answer_due_on.label("at"), flag(on_time).label("on_time"),
    ).select_from(r), r.case_id, span).where(
        during(r.answer_due_on, span),
        r.answered_at.isnot(None) | (r.answer_due_on < span.today))


def arrangements_started(span: Span) -> sa.Select:
    a = Arrangement
    return of_cases(sa.select(*case_columns(), a.starts_on.label("at"), a.kind.label("kind"))
                     .select_from(a), a.case_id, span).where(during(a.starts_on, span))


def plans(kind: PlanKind, names) -> Callable[[Span], sa.Select]:
    def records(span: Span) -> sa.Select:
        p = CasePlan
        return of_cases(sa.select(
            *case_columns(), p.drawn_up_on.label("at"), flag(names == sa.true()).label(
                names.key)).select_from(p), p.case_id, span).where(
            p.kind == kind, during(p.drawn_up_on, span))
    return records


# --- preventie ---------------------------------------------------------------------------------


def first_mdo(span: Span) -> sa.Select:
    m, earlier = MdoMeeting, so.aliased(MdoMeeting, name="earlier")
    first = ~sa.exists().where(earlier.case_id == m.case_id, earlier.held_at < m.held_at)
    return of_cases(sa.select(
        *case_columns(), utc_date(m.held_at).label("at"),
        not_negative(days_between(utc_date(m.held_at), utc_date(Case.opened_at))).label("days"),
    ).select_from(m), m.case_id, span).where(during(m.held_at, span), first)
