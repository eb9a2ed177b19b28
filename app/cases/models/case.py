"""The pupil (pseudonymous), the case, its signal categories and its workflow history."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.cases.workflow import CaseState
from app.extensions import db
from app.models import UTCDateTime, enum_column, utcnow


class SignalCategory(enum.Enum):
    sociaal_emotioneel = "sociaal_emotioneel"
    gedrag = "gedrag"
    leren_ontwikkeling = "leren_ontwikkeling"
    opvoeden_opgroeien = "opvoeden_opgroeien"
    verzuim = "verzuim"
    ziekteverzuim = "ziekteverzuim"
    thuissituatie = "thuissituatie"
    veiligheid = "veiligheid"
    middelen_criminaliteit = "middelen_criminaliteit"
    bestaanszekerheid = "bestaanszekerheid"


SIGNAL_CATEGORY_LABELS = {
    SignalCategory.sociaal_emotioneel: "Sociaal-emotioneel",
    SignalCategory.gedrag: "Gedrag",
    SignalCategory.leren_ontwikkeling: "Leren en ontwikkeling",
    SignalCategory.opvoeden_opgroeien: "Opvoeden en opgroeien",
    SignalCategory.verzuim: "Verzuim of spijbelen",
    SignalCategory.ziekteverzuim: "Ziekteverzuim",
    SignalCategory.thuissituatie: "Zorgen over de thuissituatie",
    SignalCategory.veiligheid: "Signalen van onveiligheid (meldcode)",
    SignalCategory.middelen_criminaliteit: "Middelengebruik of beginnende criminaliteit",
    SignalCategory.bestaanszekerheid: "Schulden, huisvesting of bestaanszekerheid",
}


class Pupil(db.Model):
    """Pseudonymous by design: a school-local reference, initials, birth year; no name, no BSN."""

    __tablename__ = "pupil"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    school_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("school.id"), index=True)
    reference: so.Mapped[str] = so.mapped_column(sa.String(32))
    initials: so.Mapped[str] = so.mapped_column(sa.String(8))
    birth_year: so.Mapped[int]
    group_name: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    residence_municipality_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("municipality.id")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    school: so.Mapped["School"] = so.relationship()  # noqa: F821
    residence: so.Mapped["Municipality | None"] = so.relationship()  # noqa: F821

    __table_args__ = (
        sa.UniqueConstraint("school_id", "reference"),
        sa.CheckConstraint("birth_year BETWEEN 1990 AND 2100", name="birth_year"),
    )

    def __str__(self) -> str:
        return f"{self.reference} ({self.initials})"

    def age_on(self, on: date) -> int:
        """Age in whole years, at its lowest: only the birth year is known."""
        return on.year - self.birth_year - 1


class Case(db.Model):
    __tablename__ = "pupil_case"  # `case` is reserved in SQL

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    pupil_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("pupil.id"), index=True)
    school_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("school.id"))
    opened_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("app_user.id"))
    opened_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    state: so.Mapped[CaseState] = so.mapped_column(
        enum_column(CaseState, length=20), default=CaseState.signalering
    )
    state_since: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    last_activity_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    description: so.Mapped[str] = so.mapped_column(sa.Text)
    hulpvraag: so.Mapped[str | None] = so.mapped_column(sa.Text)
    discussed_with_parents: so.Mapped[bool] = so.mapped_column(default=False)
    # A meldcode track may justify sharing without consent; the justification is mandatory text.
    meldcode_justification: so.Mapped[str | None] = so.mapped_column(sa.Text)
    regie_holder_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("app_user.id"), index=True
    )
    regie_since: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    closed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    closure_reason: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    # Set when retention removed the free text and identifiers; the structure stays for the monitor.
    anonymised_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    version: so.Mapped[int] = so.mapped_column(default=1)

    pupil: so.Mapped[Pupil] = so.relationship(lazy="joined", innerjoin=True)
    school: so.Mapped["School"] = so.relationship()  # noqa: F821
    opened_by: so.Mapped["User"] = so.relationship(foreign_keys=[opened_by_id])  # noqa: F821
    regie_holder: so.Mapped["User | None"] = so.relationship(  # noqa: F821
        foreign_keys=[regie_holder_id]
    )
    signals: so.Mapped[list["CaseSignal"]] = so.relationship(
        cascade="all, delete-orphan", order_by="CaseSignal.category"
    )
    history: so.Mapped[list["CaseTransition"]] = so.relationship(
        back_populates="case", order_by="CaseTransition.id", cascade="all, delete-orphan"
    )
    consents: so.Mapped[list["Consent"]] = so.relationship(  # noqa: F821
        back_populates="case", order_by="Consent.id"
    )
    referrals: so.Mapped[list["Referral"]] = so.relationship(  # noqa: F821
        back_populates="case", order_by="Referral.id"
    )
    mdo_meetings: so.Mapped[list["MdoMeeting"]] = so.relationship(  # noqa: F821
        back_populates="case", order_by="MdoMeeting.id"
    )
    arrangements: so.Mapped[list["Arrangement"]] = so.relationship(  # noqa: F821
        back_populates="case", order_by="Arrangement.id"
    )
    evaluations: so.Mapped[list["Evaluation"]] = so.relationship(  # noqa: F821
        back_populates="case", order_by="Evaluation.id"
    )
    escalations: so.Mapped[list["Escalation"]] = so.relationship(  # noqa: F821
        back_populates="case", order_by="Escalation.id"
    )
    plans: so.Mapped[list["CasePlan"]] = so.relationship(  # noqa: F821
        back_populates="case", order_by="CasePlan.id"
    )
    regie_handovers: so.Mapped[list["RegieHandover"]] = so.relationship(  # noqa: F821
        back_populates="case", order_by="RegieHandover.id"
    )
    events: so.Mapped[list["CaseEvent"]] = so.relationship(
        order_by="CaseEvent.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.Index("ix_pupil_case_school_activity", "school_id", "last_activity_at"),
        sa.Index("ix_pupil_case_school_state", "school_id", "state"),
        # One open case per pupil, also under concurrent requests (services check it first,
        # with a Dutch message; this index is the guarantee).
        sa.Index("uq_pupil_case_one_open", "pupil_id", unique=True,
                 sqlite_where=sa.text("state <> 'closed'"),
                 postgresql_where=sa.text("state <> 'closed'")),
    )

    @property
    def signal_categories(self) -> list[SignalCategory]:
        return [s.category for s in self.signals]

    def record_transition(self, transition: "CaseTransition", at: datetime | None = None) -> None:
        """Append a history row and keep the derived columns in step (called by the workflow)."""
        at = at or utcnow()
        transition.at = at
        self.history.append(transition)
        self.state_since = at
        self.last_activity_at = at
        if transition.to_state == CaseState.closed:
            self.closed_at, self.closure_reason = at, transition.reason
        elif transition.from_state == CaseState.closed:
            self.closed_at, self.closure_reason = None, None

    # --- what the workflow's guards read -----------------------------------------------------

    @property
    def planned_mdo(self):
        return next((m for m in reversed(self.mdo_meetings) if m.held_at is None), None)

    @property
    def held_mdo(self):
        """The MDO held in the current MDO phase (not one from an earlier round)."""
        return next(
            (m for m in reversed(self.mdo_meetings)
             if m.held_at is not None and m.held_at >= self.state_since),
            None,
        )

    @property
    def current_arrangement(self):
        return self.arrangements[-1] if self.arrangements else None

    @property
    def accepted_referral(self):
        return next((r for r in reversed(self.referrals) if r.is_accepted()), None)

    @property
    def current_evaluation(self):
        return next(
            (e for e in reversed(self.evaluations) if e.recorded_at >= self.state_since), None
        )

    @property
    def open_handover(self):
        return next((h for h in reversed(self.regie_handovers) if h.status.value == "requested"),
                    None)

    @property
    def open_escalation(self):
        return next((e for e in reversed(self.escalations) if e.resolved_at is None), None)

    @property
    def reopen_until(self) -> date | None:
        if self.closed_at is None:
            return None
        years = self.school.region.reopen_within_years
        closed = self.closed_at.date()
        try:
            return closed.replace(year=closed.year + years)
        except ValueError:  # closed on 29 February, no such day in the target year
            return closed.replace(year=closed.year + years, day=28)

    def consented_organisation_ids(self, on: date) -> set[int]:
        return {c.recipient_organisation_id for c in self.consents if c.is_valid_on(on)}

    def valid_consent_for(self, organisation_id: int | None, on: date):
        """The consent that covers `organisation_id` on `on`, or None."""
        return next((c for c in self.consents
                     if c.recipient_organisation_id == organisation_id and c.is_valid_on(on)),
                    None)


class CaseSignal(db.Model):
    __tablename__ = "case_signal"

    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("pupil_case.id"), primary_key=True)
    category: so.Mapped[SignalCategory] = so.mapped_column(
        enum_column(SignalCategory), primary_key=True
    )


class CaseTransition(db.Model):
    """Append-only workflow history: written by the workflow, in the same commit as the state."""

    __tablename__ = "case_transition"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("pupil_case.id"), index=True)
    trigger: so.Mapped[str] = so.mapped_column(sa.String(32))
    from_state: so.Mapped[CaseState | None] = so.mapped_column(
        enum_column(CaseState, length=20, name="transition_from_state")
    )
    to_state: so.Mapped[CaseState] = so.mapped_column(
        enum_column(CaseState, length=20, name="transition_to_state")
    )
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("app_user.id"))
    reason: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    case: so.Mapped[Case] = so.relationship(back_populates="history")
    actor: so.Mapped["User | None"] = so.relationship()  # noqa: F821


class CaseEvent(db.Model):
    """A step on the timeline that is not a change of state: consent recorded, referral answered
    (the school's terugkoppeling), MDO held, regie handed over. `summary` is one content-free
    Dutch line ("Hulp gestart op 12 maart"); details stay on their own records."""

    __tablename__ = "case_event"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("pupil_case.id"), index=True)
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("app_user.id"))
    # e.g. consent, meldcode, referral, feedback, mdo, action, regie, arrangement, plan, evaluation
    kind: so.Mapped[str] = so.mapped_column(sa.String(32))
    summary: so.Mapped[str] = so.mapped_column(sa.String(300))
    referral_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("referral.id"))

    actor: so.Mapped["User | None"] = so.relationship()  # noqa: F821
    referral: so.Mapped["Referral | None"] = so.relationship()  # noqa: F821
