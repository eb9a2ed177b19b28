"""The records behind the evaluation, escalation and thuiszitter indicators (the conventions
are those of `populations`)."""

from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.cases.models import Arrangement, Case, Evaluation, GoalAttainment
from app.escalation.models import Escalation, ThuiszitterEpisode
from app.monitor.populations import Span, case_columns, during, of_cases, pass_through
from app.monitor.sql import days_between, flag, not_negative, utc_date
from app.org.models import Region, School

RESULTS = [GoalAttainment.met, GoalAttainment.partly, GoalAttainment.not_met]


def evaluations_held(span: Span) -> sa.Select:
    e = Evaluation
    joint = (e.school_present == sa.true()) & (e.youth_care_present == sa.true())
    return of_cases(sa.select(
        *case_columns(), e.held_on.label("at"), flag(joint).label("joint"),
        flag(e.parents_present == sa.true()).label("with_parents"),
    ).select_from(e), e.case_id, span).where(during(e.held_on, span))


def _after(later, earlier):
    """`later` was held after `earlier` (same day: recorded later)."""
    return (later.held_on > earlier.held_on) | (
        (later.held_on == earlier.held_on) & (later.id > earlier.id))


def evaluations_on_time(span: Span) -> sa.Select:
    """The due date an evaluation answered: stored on it (`due_on`, since 2026-12); for older
    rows the next date the case's previous evaluation set, else its arrangement's date, unless
    a later evaluation may have overwritten it (the continued arrangement carries the new date)
    — then it is unknown and the evaluation is left out."""
    e = Evaluation
    previous = so.aliased(Evaluation, name="previous")
    later = so.aliased(Evaluation, name="later")
    previous_due = (sa.select(previous.next_evaluation_due)
                    .where(previous.case_id == e.case_id, _after(e, previous))
                    .order_by(previous.held_on.desc(), previous.id.desc()).limit(1)
                    .scalar_subquery())
    overwritten = sa.exists().where(later.case_id == e.case_id,
                                    later.arrangement_id == e.arrangement_id, _after(later, e))
    arrangement_due = (sa.select(Arrangement.evaluation_due)
                       .where(Arrangement.id == e.arrangement_id).scalar_subquery())
    due = sa.case((e.due_on.isnot(None), e.due_on),
                  (previous_due.isnot(None), previous_due),
                  (e.next_evaluation_due.is_(None) & ~overwritten, arrangement_due),
                  else_=None)
    inner = of_cases(sa.select(*case_columns(), e.held_on.label("at"), due.label("due"))
                      .select_from(e), e.case_id, span).where(during(e.held_on, span)).subquery()
    # The workflow starts an evaluation only once its date is reached, so "on time" allows the
    # region's own margin: the days after which its rule escalates an overdue evaluation.
    margin = (sa.select(Region.escalation_evaluation_days)
              .where(Region.id == span.region_id).scalar_subquery())
    late_by = days_between(inner.c.at, inner.c.due)
    return (sa.select(*pass_through(inner), inner.c.at, flag(late_by <= margin).label("on_time"))
            .where(inner.c.due.isnot(None)))


def goals(span: Span) -> sa.Select:
    """One row per goal (school, thuis, wijk) with a result at an evaluation of the period."""
    e = Evaluation
    parts = [
        of_cases(sa.select(*case_columns(), e.held_on.label("at"), column.label("result"))
                  .select_from(e), e.case_id, span)
        .where(during(e.held_on, span), column.in_(RESULTS))
        for column in (e.attainment_school, e.attainment_thuis, e.attainment_wijk)
    ]
    every = sa.union_all(*parts).subquery()
    return sa.select(*pass_through(every), every.c.at,
                     flag(every.c.result == GoalAttainment.met.value).label("met"))


# --- escalatie en thuiszitters ----------------------------------------------------------------


def escalations_opened(span: Span) -> sa.Select:
    x = Escalation
    return of_cases(sa.select(
        *case_columns(), utc_date(x.opened_at).label("at"), x.reason.label("reason"),
        sa.func.coalesce(x.tier, 0).label("tier"),
    ).select_from(x), x.case_id, span).where(during(x.opened_at, span))


def escalations_resolved(span: Span) -> sa.Select:
    x = Escalation
    return of_cases(sa.select(
        *case_columns(), utc_date(x.resolved_at).label("at"),
        not_negative(days_between(utc_date(x.resolved_at), utc_date(x.opened_at))).label("days"),
    ).select_from(x), x.case_id, span).where(during(x.resolved_at, span))


def escalations_sla(span: Span) -> sa.Select:
    x = Escalation
    return of_cases(sa.select(
        *case_columns(), utc_date(x.resolved_at).label("at"),
        flag(utc_date(x.resolved_at) <= x.due_on).label("within"),
    ).select_from(x), x.case_id, span).where(during(x.resolved_at, span),
                                             x.due_on.isnot(None))


def _episode_open(episode, span: Span):
    """At home on some day of the period (and by today); `ended_on` is the day of return.
    A pupil exempted from compulsory education (vrijstelling) is counted apart by the
    Inspectie, so not here."""
    return ((episode.exemption == sa.false()) & (episode.started_on <= span.reference)
            & (episode.ended_on.is_(None) | (episode.ended_on > span.first)))


def thuiszitter_cases(span: Span) -> sa.Select:
    ep = ThuiszitterEpisode
    at_home = sa.exists().where(ep.case_id == Case.id, _episode_open(ep, span))
    return (sa.select(*case_columns()).select_from(Case)
            .join(School, Case.school_id == School.id)
            .where(School.region_id == span.region_id, at_home))


def thuiszitter_episodes(span: Span) -> sa.Select:
    """Days at home up to the return, the end of the period or today (as the Inspectie
    export, app/monitor/thuiszitters.py)."""
    ep = ThuiszitterEpisode
    until = sa.literal(min(span.last + timedelta(1), span.today), sa.Date)
    end = sa.case((ep.ended_on.isnot(None) & (ep.ended_on < until), ep.ended_on), else_=until)
    return of_cases(sa.select(
        *case_columns(), not_negative(days_between(end, ep.started_on)).label("days"),
    ).select_from(ep), ep.case_id, span).where(_episode_open(ep, span))
