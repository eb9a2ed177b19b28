"""The consent ledger: who agreed that which organisation may be involved, for what, until when."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models import UTCDateTime, enum_column, utcnow


class ConsentGiver(enum.Enum):
    # Dutch practice: under 12 the parents; 12–16 the child and the parents; 16+ the young person.
    parents = "parents"
    pupil_and_parents = "pupil_and_parents"
    young_person = "young_person"


class Consent(db.Model):
    __tablename__ = "consent"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("pupil_case.id"), index=True)
    recipient_organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisation.id"))
    purpose: so.Mapped[str] = so.mapped_column(sa.String(200))
    given_by: so.Mapped[ConsentGiver] = so.mapped_column(enum_column(ConsentGiver))
    given_on: so.Mapped[date]
    expires_on: so.Mapped[date | None]
    # Parents/young person agree that the professional's progress notes are shared with school.
    covers_progress_notes: so.Mapped[bool] = so.mapped_column(default=False)
    withdrawn_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    withdrawn_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("app_user.id"))
    recorded_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("app_user.id"))
    recorded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    case: so.Mapped["Case"] = so.relationship(back_populates="consents")  # noqa: F821
    recipient: so.Mapped["Organisation"] = so.relationship()  # noqa: F821
    recorded_by: so.Mapped["User"] = so.relationship(foreign_keys=[recorded_by_id])  # noqa: F821

    __table_args__ = (
        sa.CheckConstraint("expires_on IS NULL OR expires_on >= given_on", name="period"),
    )

    def is_valid_on(self, on: date) -> bool:
        if self.withdrawn_at is not None and self.withdrawn_at.date() <= on:
            return False
        return self.given_on <= on and (self.expires_on is None or on <= self.expires_on)
