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
    # What the school asks of the professional (the hulpvraag as sent).
    question: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # sent_at + the region's referral_answer_days, stored so "overdue" is one indexed compare.
    answer_due_on: so.Mapped[date | None] = so.mapped_column(index=True)
    answered_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    decline_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # Redirected to the worker already with the family (a new referral to them when in Schakel).
    redirected_to_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("referral.id"))
    redirect_note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # Accepted for light help that may start without an MDO (start_light_help).
    light_help: so.Mapped[bool] = so.mapped_column(default=False)
    bridging_plan: so.Mapped[str | None] = so.mapped_column(sa.Text)
    expected_start: so.Mapped[date | None]
    started_on: so.Mapped[date | None]
    ended_on: so.Mapped[date | None]
    outcome: so.Mapped[str | None] = so.mapped_column(sa.Text)

    version: so.Mapped[int] = so.mapped_column(default=1)

    case: so.Mapped["Case"] = so.relationship(back_populates="referrals")  # noqa: F821
    to_organisation: so.Mapped["Organisation"] = so.relationship()  # noqa: F821
    to_user: so.Mapped["User | None"] = so.relationship(foreign_keys=[to_user_id])  # noqa: F821
    sent_by: so.Mapped["User"] = so.relationship(foreign_keys=[sent_by_id])  # noqa: F821
    redirected_to: so.Mapped["Referral | None"] = so.relationship(
        remote_side=[id], foreign_keys=[redirected_to_id]
    )
    notes: so.Mapped[list["ReferralNote"]] = so.relationship(
        back_populates="referral", order_by="ReferralNote.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    def is_accepted(self) -> bool:
        return self.status in ACCEPTED_STATUSES


class ReferralNote(db.Model):
    """A progress note by the professional; the school reads it only under a consent that
    covers progress notes for the professional's organisation."""

    __tablename__ = "referral_note"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    referral_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("referral.id"), index=True)
    # Denormalised so retention and the data-subject export find it like every case record.
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("pupil_case.id"), index=True)
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("app_user.id"))
    written_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    text: so.Mapped[str] = so.mapped_column(sa.Text)

    referral: so.Mapped[Referral] = so.relationship(back_populates="notes")
    case: so.Mapped["Case"] = so.relationship()  # noqa: F821
    author: so.Mapped["User"] = so.relationship()  # noqa: F821
