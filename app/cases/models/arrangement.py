"""Arrangements (onderwijszorgarrangementen and other help) and their evaluations."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models import UTCDateTime, enum_column, utcnow


class ArrangementKind(enum.Enum):
    # The seven OZA gradations of seed S1, then the other kinds of help.
    oza_1 = "oza_1"
    oza_2 = "oza_2"
    oza_3 = "oza_3"
    oza_4 = "oza_4"
    oza_5 = "oza_5"
    oza_6 = "oza_6"
    oza_7 = "oza_7"
    jeugdhulp = "jeugdhulp"
    school_support = "school_support"


ARRANGEMENT_KIND_LABELS = {
    ArrangementKind.oza_1: "OZA 1 – kortdurende hulp op school",
    ArrangementKind.oza_2: "OZA 2 – intensieve of langdurige hulp op school",
    ArrangementKind.oza_3: "OZA 3 – dagbehandeling en onderwijs",
    ArrangementKind.oza_4: "OZA 4 – bovenschoolse voorziening",
    ArrangementKind.oza_5: "OZA 5 – terug uit residentiële zorg",
    ArrangementKind.oza_6: "OZA 6 – van speciaal naar regulier onderwijs",
    ArrangementKind.oza_7: "OZA 7 – consultatie en advies aan leraren",
    ArrangementKind.jeugdhulp: "Jeugdhulp",
    ArrangementKind.school_support: "Ondersteuning door de school",
}


class Funding(enum.Enum):
    onderwijs = "onderwijs"
    gemeente = "gemeente"
    integraal = "integraal"


class EvaluationDecision(enum.Enum):
    continue_ = "continue"
    adjust = "adjust"
    step_down = "step_down"
    close = "close"
    escalate = "escalate"


class GoalAttainment(enum.Enum):
    met = "met"
    partly = "partly"
    not_met = "not_met"
    not_applicable = "not_applicable"


GOAL_ATTAINMENT_LABELS = {
    GoalAttainment.met: "Behaald",
    GoalAttainment.partly: "Deels behaald",
    GoalAttainment.not_met: "Niet behaald",
    GoalAttainment.not_applicable: "Geen doel in dit domein",
}


class PlanKind(enum.Enum):
    opp = "opp"
    jeugd_gezinsplan = "jeugd_gezinsplan"
    integraal = "integraal"


PLAN_KIND_LABELS = {
    PlanKind.opp: "Ontwikkelingsperspectiefplan (OPP)",
    PlanKind.jeugd_gezinsplan: "Jeugd- en gezinsplan",
    PlanKind.integraal: "Integraal plan (onderwijs en jeugdhulp samen)",
}


class Arrangement(db.Model):
    __tablename__ = "arrangement"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("pupil_case.id"), index=True)
    kind: so.Mapped[ArrangementKind] = so.mapped_column(enum_column(ArrangementKind))
    provider_organisation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisation.id")
    )
    funding: so.Mapped[Funding | None] = so.mapped_column(enum_column(Funding))
    goal_school: so.Mapped[str | None] = so.mapped_column(sa.Text)
    goal_thuis: so.Mapped[str | None] = so.mapped_column(sa.Text)
    goal_wijk: so.Mapped[str | None] = so.mapped_column(sa.Text)
    starts_on: so.Mapped[date | None]
    ends_on: so.Mapped[date | None]
    evaluation_due: so.Mapped[date | None]
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    case: so.Mapped["Case"] = so.relationship(back_populates="arrangements")  # noqa: F821
    provider: so.Mapped["Organisation | None"] = so.relationship()  # noqa: F821

    __table_args__ = (
        sa.CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on",
                           name="period"),
    )

    def has_goals(self) -> bool:
        return any((g or "").strip() for g in (self.goal_school, self.goal_thuis, self.goal_wijk))


class Evaluation(db.Model):
    __tablename__ = "evaluation"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("pupil_case.id"), index=True)
    arrangement_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("arrangement.id"))
    held_on: so.Mapped[date]
    recorded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("app_user.id"))
    school_present: so.Mapped[bool] = so.mapped_column(default=False)
    youth_care_present: so.Mapped[bool] = so.mapped_column(default=False)
    parents_present: so.Mapped[bool] = so.mapped_column(default=False)
    pupil_present: so.Mapped[bool] = so.mapped_column(default=False)
    school_input: so.Mapped[str | None] = so.mapped_column(sa.Text)
    decision: so.Mapped[EvaluationDecision] = so.mapped_column(enum_column(EvaluationDecision))
    # The evaluation date this evaluation answered (its arrangement's at the time). Kept here
    # because continuing the arrangement overwrites the arrangement's date with the next.
    due_on: so.Mapped[date | None]
    next_evaluation_due: so.Mapped[date | None]
    attainment_school: so.Mapped[GoalAttainment | None] = so.mapped_column(
        enum_column(GoalAttainment, name="attainment_school"))
    attainment_thuis: so.Mapped[GoalAttainment | None] = so.mapped_column(
        enum_column(GoalAttainment, name="attainment_thuis"))
    attainment_wijk: so.Mapped[GoalAttainment | None] = so.mapped_column(
        enum_column(GoalAttainment, name="attainment_wijk"))
    notes: so.Mapped[str | None] = so.mapped_column(sa.Text)

    case: so.Mapped["Case"] = so.relationship(back_populates="evaluations")  # noqa: F821

    @property
    def school_input_recorded(self) -> bool:
        """The seeds' failure case: youth care closed while the school saw absence rise."""
        return self.school_present or bool((self.school_input or "").strip())


class CasePlan(db.Model):
    """A plan for the pupil (OPP, jeugd- en gezinsplan, integraal plan). The flags record whether
    it names functioning at home and at school: the seeds' test of an integrated plan."""

    __tablename__ = "case_plan"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("pupil_case.id"), index=True)
    kind: so.Mapped[PlanKind] = so.mapped_column(enum_column(PlanKind))
    drawn_up_on: so.Mapped[date]
    names_home: so.Mapped[bool] = so.mapped_column(default=False)
    names_school: so.Mapped[bool] = so.mapped_column(default=False)
    summary: so.Mapped[str | None] = so.mapped_column(sa.Text)
    recorded_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("app_user.id"))
    recorded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    case: so.Mapped["Case"] = so.relationship(back_populates="plans")  # noqa: F821
