"""Reads for the coordinator's queue and the escalation page, scoped to the coordinator's
region(s) and to escalated cases only (coordinators see nothing else of a case)."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort

from app.audit import services as audit
from app.auth import permissions
from app.auth.models import Membership, Role, User
from app.cases.models import Case
from app.cases.workflow import CaseState, EscalationReason
from app.escalation.models import Escalation, EscalationTier, ThuiszitterEpisode
from app.extensions import db
from app.org.models import Municipality, School
from app.org.queries import SCHOOL_LIST_MAX

PAGE_SIZE = 50


@dataclass(frozen=True)
class QueueFilters:
    reason: EscalationReason | None = None
    tier: int | None = None
    municipality_id: int | None = None
    school_id: int | None = None
    assigned: str | None = None  # "mij", "niemand" or a user id

    def as_args(self) -> dict:
        """For links (pagination) that keep the filters."""
        values = {"reason": self.reason.value if self.reason else None, "tier": self.tier,
                  "municipality": self.municipality_id, "school": self.school_id,
                  "assigned": self.assigned}
        return {k: v for k, v in values.items() if v not in (None, "")}

    def describe(self) -> str:
        return " ".join(f"{k}={v}" for k, v in self.as_args().items()) or "geen filters"


def _open_in_region(stmt, user, filters: QueueFilters):
    """Open escalations of the user's region(s) that pass the filters."""
    stmt = stmt.where(Escalation.resolved_at.is_(None),
                      Escalation.region_id.in_(permissions.coordinator_region_ids(user)))
    if filters.reason is not None:
        stmt = stmt.where(Escalation.reason == filters.reason)
    if filters.tier is not None:
        stmt = stmt.where(Escalation.tier == filters.tier)
    if filters.municipality_id is not None:
        stmt = stmt.where(Escalation.case_id.in_(
            sa.select(Case.id).join(Case.school)
            .where(School.municipality_id == filters.municipality_id)))
    if filters.school_id is not None:
        stmt = stmt.where(Escalation.case_id.in_(
            sa.select(Case.id).where(Case.school_id == filters.school_id)))
    if filters.assigned == "mij":
        stmt = stmt.where(Escalation.assigned_coordinator_id == user.id)
    elif filters.assigned == "niemand":
        stmt = stmt.where(Escalation.assigned_coordinator_id.is_(None))
    elif filters.assigned:
        stmt = stmt.where(Escalation.assigned_coordinator_id == int(filters.assigned))
    return stmt


def queue_query(user, filters: QueueFilters, *, ids_only: bool = False):
    """Open escalations in the user's region(s): thuiszitters first, then the most overdue
    against the tier's deadline, then the oldest. The order is the partial index
    `ix_escalation_open_queue` (`queue_rank` is kept by the flush hook in services), so a page
    reads its rows in index order instead of sorting the whole queue. Leaving the escalation
    state resolves the escalation; the case's state is checked all the same, because the
    coordinator may see escalated cases only. `ids_only`: just the escalation ids, in that
    order (see `queue_page`)."""
    stmt = _open_in_region(
        sa.select(Escalation.id if ids_only else Escalation).join(Escalation.case)
        .where(Case.state == CaseState.escalation), user, filters,
    ).order_by(Escalation.queue_rank, Escalation.due_on, Escalation.opened_at, Escalation.id)
    if not ids_only:
        stmt = stmt.options(so.contains_eager(Escalation.case)
                            .joinedload(Case.school, innerjoin=True),
                            so.joinedload(Escalation.assigned_coordinator))
    return stmt


def queue_count(user, filters: QueueFilters) -> int:
    """How many the queue holds, from the index alone: an open escalation is on a case in the
    escalation state (leaving it resolves the escalation, `apply_trigger`; tested), so the
    count needs no lookup of every case (at 1M cases: 0.3 ms instead of 44-79 ms)."""
    return db.session.scalar(_open_in_region(
        sa.select(sa.func.count()).select_from(Escalation), user, filters))


def queue_page(user, filters: QueueFilters, page: int):
    """One page of the queue. The page of ids is read in index order, then its 50 rows are
    loaded whole: sorting every open escalation of a region with its case's texts attached
    costs far more than sorting their ids (docs/performance.md)."""
    result = db.paginate(queue_query(user, filters, ids_only=True), page=page,
                         per_page=PAGE_SIZE, max_per_page=PAGE_SIZE, error_out=False,
                         count=False)
    result.total = queue_count(user, filters)
    ids = list(result.items)
    # Inner joins: an outer join around the case's own inner join to its pupil makes SQLite
    # materialise every case of the database first.
    loaded = {e.id: e for e in db.session.scalars(
        sa.select(Escalation).where(Escalation.id.in_(ids))
        .options(so.joinedload(Escalation.case, innerjoin=True)
                 .joinedload(Case.school, innerjoin=True),
                 so.joinedload(Escalation.assigned_coordinator)))} if ids else {}
    result.items = [loaded[i] for i in ids]
    return result


def tiers_by_level(region_ids) -> dict[tuple[int, int], EscalationTier]:
    """(region id, level) -> tier, for the regions on a page: one query."""
    tiers = db.session.scalars(sa.select(EscalationTier)
                               .where(EscalationTier.region_id.in_(region_ids))
                               .order_by(EscalationTier.level))
    return {(t.region_id, t.level): t for t in tiers}


def open_episodes(case_ids) -> dict[int, ThuiszitterEpisode]:
    """case id -> its open thuiszitter episode, for the cases on a page: one query."""
    if not case_ids:
        return {}
    episodes = db.session.scalars(sa.select(ThuiszitterEpisode).where(
        ThuiszitterEpisode.case_id.in_(case_ids), ThuiszitterEpisode.ended_on.is_(None)))
    return {e.case_id: e for e in episodes}


def open_episode(case_id: int) -> ThuiszitterEpisode | None:
    return open_episodes([case_id]).get(case_id)


def last_episode(case_id: int) -> ThuiszitterEpisode | None:
    return db.session.scalar(
        sa.select(ThuiszitterEpisode).where(ThuiszitterEpisode.case_id == case_id)
        .order_by(ThuiszitterEpisode.started_on.desc(), ThuiszitterEpisode.id.desc()).limit(1))


def episodes_of(case_id: int) -> list[ThuiszitterEpisode]:
    return list(db.session.scalars(
        sa.select(ThuiszitterEpisode).where(ThuiszitterEpisode.case_id == case_id)
        .order_by(ThuiszitterEpisode.started_on.desc(), ThuiszitterEpisode.id.desc())))


@dataclass(frozen=True)
class FilterChoices:
    schools: list  # (id, name) rows
    municipalities: list  # (id, name) rows
    coordinators: list
    tiers: list
    schools_per_municipality: bool = False  # the list waits for a municipality


def filter_choices(user, filters: QueueFilters) -> FilterChoices:
    regions = permissions.coordinator_region_ids(user)
    in_region = School.region_id.in_(regions)
    where = in_region if filters.municipality_id is None else sa.and_(
        in_region, School.municipality_id == filters.municipality_id)
    schools = db.session.execute(sa.select(School.id, School.name).where(where)
                                 .order_by(School.name).limit(SCHOOL_LIST_MAX + 1)).all()
    narrowed = len(schools) > SCHOOL_LIST_MAX
    if narrowed:  # only the chosen school, so the filter still shows what it is
        schools = db.session.execute(
            sa.select(School.id, School.name).where(in_region, School.id == filters.school_id)
        ).all() if filters.school_id is not None else []
    municipalities = db.session.execute(
        sa.select(Municipality.id, Municipality.name).where(Municipality.region_id.in_(regions))
        .order_by(Municipality.name)).all()
    coordinators = db.session.scalars(
        sa.select(User).join(Membership)
        .where(Membership.role == Role.coordinator, Membership.region_id.in_(regions))
        .distinct().order_by(User.name)).all()
    levels = db.session.execute(
        sa.select(EscalationTier.level, sa.func.min(EscalationTier.name))
        .where(EscalationTier.region_id.in_(regions))
        .group_by(EscalationTier.level).order_by(EscalationTier.level)).all()
    return FilterChoices(list(schools), list(municipalities), list(coordinators),
                         [(level, name) for level, name in levels], narrowed)


def escalation_or_404(escalation_id: int, user) -> Escalation:
    """An open escalation of an escalated case in the coordinator's region; 404 otherwise
    (the refusal of an existing one is logged, like a case out of scope)."""
    escalation = db.session.get(Escalation, escalation_id)
    if escalation is None:
        abort(404)
    case = escalation.case
    if (escalation.resolved_at is not None or case.state != CaseState.escalation
            or not permissions.is_coordinator_of_case(user, case)):
        audit.record_access("denied", case, outcome="denied",
                            detail="escalatie niet in bereik", object_type="escalation",
                            object_id=escalation.id)
        abort(404)
    return escalation


@dataclass(frozen=True)
class Sla:
    label: str
    overdue_days: int  # > 0 past the deadline


def sla_status(due_on: date | None, today: date) -> Sla:
    if due_on is None:
        return Sla("geen termijn (geen ladder)", 0)
    late = (today - due_on).days
    if late > 0:
        return Sla(f"{late} {'dag' if late == 1 else 'dagen'} over", late)
    return Sla("binnen termijn", 0)
