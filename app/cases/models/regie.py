"""Casusregie handovers: requested by the holder (or the school), accepted by the receiver."""

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models import UTCDateTime, enum_column, utcnow


class HandoverStatus(enum.Enum):
    requested = "requested"
    accepted = "accepted"
    declined = "declined"
    withdrawn = "withdrawn"


class RegieHandover(db.Model):
    """Until the receiver accepts, the old holder stays responsible (Case.regie_holder_id)."""

    __tablename__ = "regie_handover"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("pupil_case.id"), index=True)
    from_user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("app_user.id"))
    to_user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("app_user.id"), index=True)
    requested_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("app_user.id"))
    requested_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    status: so.Mapped[HandoverStatus] = so.mapped_column(
        enum_column(HandoverStatus), default=HandoverStatus.requested
    )
    answered_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    answer_note: so.Mapped[str | None] = so.mapped_column(sa.Text)

    case: so.Mapped["Case"] = so.relationship(back_populates="regie_handovers")  # noqa: F821
    from_user: so.Mapped["User | None"] = so.relationship(foreign_keys=[from_user_id])  # noqa: F821
    to_user: so.Mapped["User"] = so.relationship(foreign_keys=[to_user_id])  # noqa: F821
    requested_by: so.Mapped["User"] = so.relationship(foreign_keys=[requested_by_id])  # noqa: F821

    __table_args__ = (
        # At most one open handover per case.
        sa.Index("uq_regie_handover_one_open", "case_id", unique=True,
                 sqlite_where=sa.text("status = 'requested'"),
                 postgresql_where=sa.text("status = 'requested'")),
    )
