"""Escalations of a case up the region's ladder."""

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.cases.workflow import EscalationReason
from app.extensions import db
from app.models import UTCDateTime, enum_column, utcnow


class Escalation(db.Model):
    __tablename__ = "escalation"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("pupil_case.id"), index=True)
    reason: so.Mapped[EscalationReason] = so.mapped_column(enum_column(EscalationReason))
    rationale: so.Mapped[str] = so.mapped_column(sa.Text)
    tier: so.Mapped[int] = so.mapped_column(default=1)
    opened_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("app_user.id"))
    opened_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    assigned_coordinator_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("app_user.id"), index=True
    )
    decision: so.Mapped[str | None] = so.mapped_column(sa.Text)
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("app_user.id"))
    decided_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    funding_guarantee: so.Mapped[bool] = so.mapped_column(default=False)
    resolved_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime(), index=True)

    case: so.Mapped["Case"] = so.relationship(back_populates="escalations")  # noqa: F821

    def is_decided(self) -> bool:
        return bool((self.decision or "").strip()) and self.decided_by_id is not None
