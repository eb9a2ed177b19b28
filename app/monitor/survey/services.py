"""Running a survey round: the region's bank, opening (snapshot and links), answering, closing.

Every change by a coordinator writes an audit row in its own transaction. Answering writes
none: an audit row holds a time, an address and a session, which would tie the answers to the
person who gave them.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.audit import services as audit
from app.extensions import db
from app.monitor.survey import bank
from app.monitor.survey.models import (
    OPTIONS,
    Audience,
    RoundStatus,
    Scale,
    SurveyAnswer,
    SurveyQuestion,
    SurveyRound,
    SurveyRoundQuestion,
    SurveyToken,
)
from app.org.models import Region

SHARED = ("audience", "theme", "topic", "text", "scale", "position", "indicator_key",
          "source_ref")
MAX_LINKS = 2000  # per group and round


class SurveyError(Exception):
    """A refusal in Dutch, shown at `field` when given."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class QuestionData:
    audience: Audience
    theme: str
    topic: str | None
    text: str
    scale: Scale
    position: int
    indicator_key: str | None
    active: bool = True


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- the bank ------------------------------------------------------------------------------


def bank_of(region_id: int) -> list[SurveyQuestion]:
    return list(db.session.scalars(
        sa.select(SurveyQuestion).where(SurveyQuestion.region_id == region_id)
        .order_by(SurveyQuestion.audience, SurveyQuestion.position, SurveyQuestion.id)))


def seed_bank(region: Region, actor=None) -> int:
    """Fill an empty bank with the reconstructed AOJ items (bank.ITEMS); a bank that has
    questions is left alone. Returns how many were added."""
    if bank_of(region.id):
        return 0
    for position, item in enumerate(bank.ITEMS, start=1):
        db.session.add(SurveyQuestion(
            region_id=region.id, audience=item.audience, theme=item.theme, topic=item.topic,
            text=item.text, scale=item.scale, position=position * 10,
            indicator_key=item.indicator_key, source_ref=item.source_ref))
    audit.record_change("survey_bank_seed", object_type="survey_bank", object_id=region.id,
                        detail=f"{region.code}: {len(bank.ITEMS)} standaardvragen", user=actor)
    db.session.commit()
    return len(bank.ITEMS)


def add_question(region: Region, data: QuestionData, actor=None) -> SurveyQuestion:
    question = SurveyQuestion(region_id=region.id, **_values(data))
    db.session.add(question)
    db.session.flush()
    audit.record_change("survey_question_add", object_type="survey_question",
                        object_id=question.id, detail=region.code, user=actor)
    db.session.commit()
    return question


def update_question(question: SurveyQuestion, data: QuestionData, actor=None) -> None:
    values = _values(data)
    changed = [name for name, value in values.items() if getattr(question, name) != value]
    for name in changed:
        setattr(question, name, values[name])
    audit.record_change("survey_question_edit", object_type="survey_question",
                        object_id=question.id, fields=changed, user=actor)
    db.session.commit()


def _values(data: QuestionData) -> dict:
    return {"audience": data.audience, "theme": data.theme, "topic": data.topic or None,
            "text": data.text, "scale": data.scale, "position": data.position,
            "indicator_key": data.indicator_key or None, "active": data.active}


# --- rounds --------------------------------------------------------------------------------


def create_round(region: Region, period: str, title: str, actor=None) -> SurveyRound:
    """A draft round; the region's first round fills its bank with the standard questions."""
    seed_bank(region, actor)
    survey_round = SurveyRound(region_id=region.id, period=period, title=title,
                               created_by_id=actor.id if actor else None)
    db.session.add(survey_round)
    db.session.flush()
    audit.record_change("survey_round_create", object_type="survey_round",
                        object_id=survey_round.id, detail=f"{region.code} {period}", user=actor)
    db.session.commit()
    return survey_round


def active_questions(region_id: int) -> dict[Audience, list[SurveyQuestion]]:
    found: dict[Audience, list[SurveyQuestion]] = {}
    for question in bank_of(region_id):
        if question.active:
            found.setdefault(question.audience, []).append(question)
    return found


def open_round(survey_round: SurveyRound, counts: dict[Audience, int], actor=None,
               today: date | None = None) -> dict[Audience, list[str]]:
    """Copy the bank's active questions of each group that gets links, make the links and open
    the round. The tokens are returned once and stored only as hashes."""
    if survey_round.status != RoundStatus.draft:
        raise SurveyError("Deze ronde is al geopend.")
    bank_questions = active_questions(survey_round.region_id)
    for audience, count in counts.items():
        if count and not bank_questions.get(audience):
            raise SurveyError("Deze groep heeft geen actieve vragen in de vragenbank.",
                              audience.value)
    counts = {audience: count for audience, count in counts.items() if count}
    if not counts:
        raise SurveyError("Kies voor minstens één groep hoeveel links u nodig hebt.")
    tokens: dict[Audience, list[str]] = {}
    for audience, count in counts.items():
        for question in bank_questions[audience]:
            db.session.add(SurveyRoundQuestion(
                round_id=survey_round.id, bank_question_id=question.id,
                **{name: getattr(question, name) for name in SHARED}))
        tokens[audience] = [secrets.token_urlsafe(24) for _ in range(count)]
        db.session.add_all(SurveyToken(round_id=survey_round.id, audience=audience,
                                       token_hash=hash_token(token))
                           for token in tokens[audience])
    survey_round.status = RoundStatus.open
    survey_round.opened_on = today or date.today()
    audit.record_change("survey_round_open", object_type="survey_round",
                        object_id=survey_round.id,
                        detail=", ".join(f"{a.value} {n}" for a, n in counts.items()),
                        user=actor)
    db.session.commit()
    return tokens


def close_round(survey_round: SurveyRound, actor=None, today: date | None = None) -> None:
    if survey_round.status != RoundStatus.open:
        raise SurveyError("Alleen een open ronde kan gesloten worden.")
    survey_round.status = RoundStatus.closed
    survey_round.closed_on = today or date.today()
    audit.record_change("survey_round_close", object_type="survey_round",
                        object_id=survey_round.id, user=actor)
    db.session.commit()


def link_counts(round_id: int) -> dict[Audience, tuple[int, int]]:
    """Per group, in the order of `Audience`: (links made, links used)."""
    rows = db.session.execute(
        sa.select(SurveyToken.audience, sa.func.count(SurveyToken.id),
                  sa.func.sum(sa.case((SurveyToken.used, 1), else_=0)))
        .where(SurveyToken.round_id == round_id).group_by(SurveyToken.audience))
    found = {audience: (made, int(used or 0)) for audience, made, used in rows}
    return {audience: found[audience] for audience in Audience if audience in found}


# --- answering -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Invitation:
    """What a usable link opens: the round's questions for the link's group."""

    round: SurveyRound
    audience: Audience
    questions: list[SurveyRoundQuestion]


def invitation(token: str) -> Invitation | None:
    """The questionnaire behind a link, or None for a link that is unknown, used, or of a round
    that is not open: the respondent is told the same in each case."""
    row = db.session.execute(
        sa.select(SurveyToken, SurveyRound).join(SurveyRound)
        .where(SurveyToken.token_hash == hash_token(token), SurveyToken.used.is_(False),
               SurveyRound.status == RoundStatus.open)).first()
    if row is None:
        return None
    link, survey_round = row
    questions = [q for q in survey_round.questions if q.audience == link.audience]
    return Invitation(survey_round, link.audience, questions) if questions else None


def submit(token: str, answers: dict[int, str]) -> bool:
    """Use the link and store the answers, in one transaction; False (nothing stored) when the
    link was not usable any more (used meanwhile, or the round closed)."""
    found = invitation(token)
    if found is None:
        return False
    allowed = {q.id: {value for value, _ in OPTIONS[q.scale]} for q in found.questions}
    if set(answers) != set(allowed) or any(v not in allowed[k] for k, v in answers.items()):
        raise SurveyError("Beantwoord elke vraag met een van de antwoorden.")
    used = db.session.execute(
        sa.update(SurveyToken)
        .where(SurveyToken.token_hash == hash_token(token), SurveyToken.used.is_(False),
               SurveyToken.round_id.in_(sa.select(SurveyRound.id).where(
                   SurveyRound.status == RoundStatus.open)))
        .values(used=True).execution_options(synchronize_session=False))
    if used.rowcount != 1:
        db.session.rollback()
        return False
    db.session.add_all(SurveyAnswer(question_id=question_id, value=answers[question_id])
                       for question_id in sorted(answers))
    db.session.commit()
    return True
