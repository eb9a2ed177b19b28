"""A referral of a case to a youth professional (J&G-coach) or their organisation."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models import UTCDateTime, enum_column, utcnow


class ReferralStatus(enum.Enum):
    sent = "sent"
    accepted = "accepted"
    declined = "declined"
    redirected = "redirected"
    waiting = "waiting"
    started = "started"
    ended = "ended"


ACCEPTED_STATUSES = frozenset({ReferralStatus.accepted, ReferralStatus.waiting,
                               ReferralStatus.started})


class Referral(db.Model):
    __tablename__ = "referral"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("pupil_case.id"), index=True)
    to_organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisation.id"))
    to_user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("app_user.id"), index=True)
    status: so.Mapped[ReferralStatus] = so.mapped_column(
        enum_column(ReferralStatus), default=ReferralStatus.sent
    )
    sent_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("app_user.id"))
    sent_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    answered_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    decline_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    expected_start: so.Mapped[date | None]
    started_on: so.Mapped[date | None]
    ended_on: so.Mapped[date | None]
    outcome: so.Mapped[str | None] = so.mapped_column(sa.Text)

    case: so.Mapped["Case"] = so.relationship(back_populates="referrals")  # noqa: F821
    to_organisation: so.Mapped["Organisation"] = so.relationship()  # noqa: F821
    to_user: so.Mapped["User | None"] = so.relationship(foreign_keys=[to_user_id])  # noqa: F821

    def is_accepted(self) -> bool:
        return self.status in ACCEPTED_STATUSES
