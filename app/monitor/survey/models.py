"""The question bank of a region, its survey rounds with their snapshot of questions, the
single-use links (hashes only) and the anonymous answers.

No table here refers to a pupil, a case or a respondent: an answer row holds the question and
the chosen option, nothing else (no link, no time, no address), and a link knows only whether
it was used. Which link gave which answer is therefore stored nowhere.
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models import UTCDateTime, enum_column, utcnow


class Audience(enum.Enum):
    """The AOJ respondent groups (research/aoj_questionnaire.md §2)."""

    professionals = "professionals"
    ouders = "ouders"
    jongeren = "jongeren"
    beleid = "beleid"


AUDIENCE_LABELS = {
    Audience.professionals: "Professionals in onderwijs en jeugdhulp (uitvoering)",
    Audience.ouders: "Ouders",
    Audience.jongeren: "Jongeren en leerlingen",
    Audience.beleid: "Beleid (gemeente en samenwerkingsverband)",
}


class Scale(enum.Enum):
    mark = "mark"  # rapportcijfer 1–10
    agree = "agree"  # five-point agree scale plus "weet niet"
    yes_no = "yes_no"  # ja / nee / weet niet


SCALE_LABELS = {
    Scale.mark: "Rapportcijfer 1 tot en met 10",
    Scale.agree: "Stelling: helemaal mee oneens … helemaal mee eens, of weet niet",
    Scale.yes_no: "Ja, nee of weet niet",
}
DONT_KNOW = "wn"
OPTIONS = {
    Scale.mark: tuple((str(mark), str(mark)) for mark in range(1, 11)),
    Scale.agree: (("1", "Helemaal mee oneens"), ("2", "Mee oneens"), ("3", "Neutraal"),
                  ("4", "Mee eens"), ("5", "Helemaal mee eens"), (DONT_KNOW, "Weet niet")),
    Scale.yes_no: (("ja", "Ja"), ("nee", "Nee"), (DONT_KNOW, "Weet niet")),
}


class RoundStatus(enum.Enum):
    draft = "draft"
    open = "open"
    closed = "closed"


STATUS_LABELS = {RoundStatus.draft: "Concept", RoundStatus.open: "Open",
                 RoundStatus.closed: "Gesloten"}


class QuestionFields:
    """What a bank question and its snapshot in a round share."""

    audience: so.Mapped[Audience] = so.mapped_column(enum_column(Audience))
    # The monitor section (indicators.SECTIONS key) the question belongs to.
    theme: so.Mapped[str] = so.mapped_column(sa.String(32))
    # A short heading within the theme, e.g. the werkzame factor ("Gedeelde visie").
    topic: so.Mapped[str | None] = so.mapped_column(sa.String(60))
    text: so.Mapped[str] = so.mapped_column(sa.String(300))
    scale: so.Mapped[Scale] = so.mapped_column(enum_column(Scale))
    position: so.Mapped[int] = so.mapped_column(default=100)
    # The catalogue indicator (indicators.BY_KEY) it answers (a survey entry) or is compared
    # with (a case-derived entry: perceived vs measured).
    indicator_key: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    # The item of research/aoj_questionnaire.md it was reconstructed from ("B5.2").
    source_ref: so.Mapped[str | None] = so.mapped_column(sa.String(16))


class SurveyQuestion(QuestionFields, db.Model):
    """A question of the region's bank, edited by its coordinators."""

    __tablename__ = "survey_question"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    region_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("region.id"), index=True)
    active: so.Mapped[bool] = so.mapped_column(default=True)


class SurveyRound(db.Model):
    __tablename__ = "survey_round"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    region_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("region.id"), index=True)
    period: so.Mapped[str] = so.mapped_column(sa.String(9))  # a school year, "2025-2026"
    title: so.Mapped[str] = so.mapped_column(sa.String(120))
    status: so.Mapped[RoundStatus] = so.mapped_column(enum_column(RoundStatus),
                                                      default=RoundStatus.draft)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("app_user.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    opened_on: so.Mapped[date | None]
    closed_on: so.Mapped[date | None]

    region: so.Mapped["Region"] = so.relationship()  # noqa: F821
    questions: so.Mapped[list["SurveyRoundQuestion"]] = so.relationship(
        back_populates="round", order_by="(SurveyRoundQuestion.audience, "
                                         "SurveyRoundQuestion.position, SurveyRoundQuestion.id)")


class SurveyRoundQuestion(QuestionFields, db.Model):
    """A question as the round asked it: copied from the bank when the round opened, so later
    edits of the bank leave a held round as it was."""

    __tablename__ = "survey_round_question"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("survey_round.id"), index=True)
    bank_question_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("survey_question.id"))

    round: so.Mapped[SurveyRound] = so.relationship(back_populates="questions")


class SurveyToken(db.Model):
    """A single-use link: only the SHA-256 of its token is stored, and whether it was used
    (not when)."""

    __tablename__ = "survey_token"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("survey_round.id"), index=True)
    audience: so.Mapped[Audience] = so.mapped_column(enum_column(Audience))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    used: so.Mapped[bool] = so.mapped_column(default=False)


class SurveyAnswer(db.Model):
    """One chosen option. Deliberately nothing else: no link, respondent, time or address."""

    __tablename__ = "survey_answer"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    question_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("survey_round_question.id"), index=True)
    value: so.Mapped[str] = so.mapped_column(sa.String(4))
