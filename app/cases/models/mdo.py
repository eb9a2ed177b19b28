"""The multidisciplinary meeting (MDO): who was invited, who came, how parents and pupil joined."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models import UTCDateTime, enum_column, utcnow


class Discipline(enum.Enum):
    school = "school"
    wijkteam = "wijkteam"
    jeugdhulp = "jeugdhulp"
    leerplicht = "leerplicht"
    jgz = "jgz"
    swv = "swv"


class ParentParticipation(enum.Enum):
    present = "present"
    invited_absent = "invited_absent"
    not_invited = "not_invited"


class PupilVoice(enum.Enum):
    present = "present"
    heard_beforehand = "heard_beforehand"
    not_heard = "not_heard"


class MdoMeeting(db.Model):
    __tablename__ = "mdo_meeting"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("pupil_case.id"), index=True)
    planned_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    held_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    chair_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("app_user.id"))
    parents: so.Mapped[ParentParticipation | None] = so.mapped_column(
        enum_column(ParentParticipation)
    )
    parents_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    pupil_voice: so.Mapped[PupilVoice | None] = so.mapped_column(enum_column(PupilVoice))
    pupil_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # Written for the parents: printable from the case page.
    minutes: so.Mapped[str | None] = so.mapped_column(sa.Text)

    case: so.Mapped["Case"] = so.relationship(back_populates="mdo_meetings")  # noqa: F821
    participants: so.Mapped[list["MdoParticipant"]] = so.relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MdoParticipant.id"
    )
    chair: so.Mapped["User | None"] = so.relationship(foreign_keys=[chair_id])  # noqa: F821
    actions: so.Mapped[list["MdoAction"]] = so.relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MdoAction.id"
    )

    def external_organisation_ids(self) -> set[int]:
        return {p.organisation_id for p in self.participants if p.organisation_id is not None}

    def present_disciplines(self) -> set[Discipline]:
        return {p.discipline for p in self.participants if p.present}

    def parent_participation_complete(self) -> bool:
        if self.parents is None:
            return False
        return self.parents != ParentParticipation.not_invited or bool(
            (self.parents_reason or "").strip()
        )

    def pupil_voice_complete(self) -> bool:
        if self.pupil_voice is None:
            return False
        return self.pupil_voice != PupilVoice.not_heard or bool((self.pupil_reason or "").strip())


class MdoParticipant(db.Model):
    __tablename__ = "mdo_participant"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("mdo_meeting.id"), index=True)
    discipline: so.Mapped[Discipline] = so.mapped_column(enum_column(Discipline))
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("app_user.id"), index=True)
    # Set for partners outside the school: their presence needs consent.
    organisation_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("organisation.id"))
    present: so.Mapped[bool | None]

    meeting: so.Mapped[MdoMeeting] = so.relationship(back_populates="participants")
    user: so.Mapped["User | None"] = so.relationship()  # noqa: F821
    organisation: so.Mapped["Organisation | None"] = so.relationship()  # noqa: F821


class MdoAction(db.Model):
    """A decision of the MDO as an action with an owner and a due date: in the owner's task
    list until done."""

    __tablename__ = "mdo_action"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("mdo_meeting.id"), index=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("pupil_case.id"), index=True)
    description: so.Mapped[str] = so.mapped_column(sa.Text)
    owner_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("app_user.id"))
    due_on: so.Mapped[date]
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    done_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    done_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("app_user.id"))

    meeting: so.Mapped[MdoMeeting] = so.relationship(back_populates="actions")
    case: so.Mapped["Case"] = so.relationship()  # noqa: F821
    owner: so.Mapped["User"] = so.relationship(foreign_keys=[owner_id])  # noqa: F821

    __table_args__ = (
        # The task list: open actions of one owner by due date.
        sa.Index("ix_mdo_action_owner_open", "owner_id", "done_at", "due_on"),
    )
