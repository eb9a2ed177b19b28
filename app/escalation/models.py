"""Escalations of a case up the region's ladder, the ladder itself, and thuiszitter episodes."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.cases.workflow import EscalationReason
from app.extensions import db
from app.models import UTCDateTime, enum_column, utcnow

# The coordinator's queue: thuiszitters first (an escalation for that reason, or any open
# escalation of a case with an open thuiszitter episode), and within each group the ones with a
# deadline first, by deadline.
QUEUE_OTHER_NO_DEADLINE = 3


def queue_rank(thuiszitter: bool, due_on: date | None) -> int:
    """0 thuiszitter with a deadline, 1 thuiszitter without, 2 other with, 3 other without."""
    return (0 if thuiszitter else 2) + (1 if due_on is None else 0)


class Escalation(db.Model):
    __tablename__ = "escalation"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("pupil_case.id"), index=True)
    # The region of the case's school (a school does not change region): the queue filters on
    # it without joining the case and its school.
    region_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("region.id"))
    # The queue's first sort key, kept by the flush hook in app.escalation.services
    # (`queue_rank`): thuiszitters first, and within each group no deadline last.
    queue_rank: so.Mapped[int] = so.mapped_column(sa.SmallInteger, default=QUEUE_OTHER_NO_DEADLINE)
    reason: so.Mapped[EscalationReason] = so.mapped_column(enum_column(EscalationReason))
    rationale: so.Mapped[str] = so.mapped_column(sa.Text)
    # The level of the region's ladder (EscalationTier.level) the escalation is at; None when
    # the region has no ladder yet. A level, not a foreign key: the ladder is edited (names,
    # SLA) without rewriting history, and "escalations per tier" stays comparable over time.
    tier: so.Mapped[int | None]
    # The deadline of the current tier: the day it reached the tier plus that tier's SLA days.
    due_on: so.Mapped[date | None]
    # The automatic rule that opened it (app.escalation.rules.RULES); None when opened by hand.
    rule: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    opened_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("app_user.id"))
    opened_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    assigned_coordinator_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("app_user.id"), index=True
    )
    decision: so.Mapped[str | None] = so.mapped_column(sa.Text)
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("app_user.id"))
    decided_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    funding_guarantee: so.Mapped[bool] = so.mapped_column(default=False)
    resolved_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    case: so.Mapped["Case"] = so.relationship(back_populates="escalations")  # noqa: F821
    assigned_coordinator: so.Mapped["User | None"] = so.relationship(  # noqa: F821
        foreign_keys=[assigned_coordinator_id]
    )
    decided_by: so.Mapped["User | None"] = so.relationship(  # noqa: F821
        foreign_keys=[decided_by_id]
    )

    __table_args__ = (
        # The coordinator's queue in its order, open escalations only: a page of the queue
        # reads 50 index entries whatever the size of the region (docs/performance.md).
        sa.Index("ix_escalation_open_queue", "region_id", "queue_rank", "due_on", "opened_at",
                 "id", sqlite_where=sa.text("resolved_at IS NULL"),
                 postgresql_where=sa.text("resolved_at IS NULL")),
        # Resolved ones by date (the monitor). Partial: as a full index, SQLite's planner chose
        # it for "resolved_at IS NULL" and then sorted the whole queue anyway.
        sa.Index("ix_escalation_resolved_at", "resolved_at",
                 sqlite_where=sa.text("resolved_at IS NOT NULL"),
                 postgresql_where=sa.text("resolved_at IS NOT NULL")),
        sa.CheckConstraint("queue_rank BETWEEN 0 AND 3", name="queue_rank"),
    )

    def is_decided(self) -> bool:
        return bool((self.decision or "").strip()) and self.decided_by_id is not None


class EscalationTier(db.Model):
    """One step of a region's escalation ladder (e.g. E1 independent chair, E2 regional case
    table, E3 administrative decision), with its SLA and who decides there."""

    __tablename__ = "escalation_tier"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    region_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("region.id"), index=True)
    level: so.Mapped[int]
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    sla_days: so.Mapped[int]
    decider: so.Mapped[str] = so.mapped_column(sa.String(300))

    region: so.Mapped["Region"] = so.relationship()  # noqa: F821

    __table_args__ = (
        sa.UniqueConstraint("region_id", "level"),
        sa.CheckConstraint("level >= 1", name="level"),
        sa.CheckConstraint("sla_days >= 1", name="sla_days"),
    )

    def __str__(self) -> str:
        return self.name


class ThuiszitterReason(enum.Enum):
    geen_passende_plek = "geen_passende_plek"
    schoolweigering = "schoolweigering"
    ziekte = "ziekte"
    geschorst_verwijderd = "geschorst_verwijderd"
    anders = "anders"


THUISZITTER_REASON_LABELS = {
    ThuiszitterReason.geen_passende_plek: "Geen passende onderwijsplek",
    ThuiszitterReason.schoolweigering: "Schoolweigering of angst",
    ThuiszitterReason.ziekte: "Ziekte (lichamelijk of psychisch)",
    ThuiszitterReason.geschorst_verwijderd: "Geschorst of verwijderd",
    ThuiszitterReason.anders: "Anders",
}


class ThuiszitterEpisode(db.Model):
    """A period in which the pupil does not go to school (thuiszitter), on the case: from
    `started_on`, the first day at home, to `ended_on`, the day of return to education. At most
    one open episode per case (partial unique index)."""

    __tablename__ = "thuiszitter_episode"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("pupil_case.id"), index=True)
    started_on: so.Mapped[date]
    ended_on: so.Mapped[date | None]
    reason: so.Mapped[ThuiszitterReason] = so.mapped_column(enum_column(ThuiszitterReason))
    # Vrijstelling van de leerplicht (e.g. art. 5a Leerplichtwet): counted apart by the Inspectie.
    exemption: so.Mapped[bool] = so.mapped_column(default=False)
    recorded_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("app_user.id"))
    recorded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    case: so.Mapped["Case"] = so.relationship()  # noqa: F821
    recorded_by: so.Mapped["User"] = so.relationship()  # noqa: F821

    __table_args__ = (
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="period"),
        sa.Index("uq_thuiszitter_episode_one_open", "case_id", unique=True,
                 sqlite_where=sa.text("ended_on IS NULL"),
                 postgresql_where=sa.text("ended_on IS NULL")),
    )

    def days_on(self, today: date) -> int:
        """Days at home by `today`: from the first day at home up to the day of return."""
        end = min(self.ended_on or today, today)
        return max((end - self.started_on).days, 0)
