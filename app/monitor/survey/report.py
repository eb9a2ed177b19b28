"""A round's results: per question the distribution and the headline, suppressed below the
region's threshold like every monitor figure, and for a question linked to a case-derived
indicator the measured figure of the whole region in the round's period beside it.

Headlines follow the AOJ reporting convention (aoj_questionnaire.md §3): the mean mark; the
share "(helemaal) mee eens" and the share "ja" over the answers other than "weet niet". A
question whose headline rests on fewer answers than the threshold shows nothing but
"onderdrukt" (no n, no distribution). Answers are shown only once the round is closed, so no
one can watch the figures change as a known person answers.
"""

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from markupsafe import Markup

from app.extensions import db
from app.monitor import charts, dashboard  # a module: dashboard.panels reads these reports
from app.monitor.indicators import BY_KEY, SURVEY, Indicator
from app.monitor.periods import parse
from app.monitor.queries import Cell, Monitor
from app.monitor.scopes import ALL_REGION
from app.monitor.suppression import SUPPRESSED_LABEL
from app.monitor.survey.models import (
    AUDIENCE_LABELS,
    DONT_KNOW,
    OPTIONS,
    Audience,
    RoundStatus,
    Scale,
    SurveyAnswer,
    SurveyRound,
    SurveyRoundQuestion,
)

AGREE_VALUES = {"4", "5"}


@dataclass(frozen=True)
class Result:
    question: SurveyRoundQuestion
    suppressed: bool
    n: int | None = None  # every answer, "weet niet" included
    base: int | None = None  # the answers the headline is computed over
    value: float | None = None  # mean mark, or a percentage
    distribution: list[tuple[str, int]] = field(default_factory=list)  # (label, count)
    measured: Cell | None = None

    @property
    def headline(self) -> str:
        if self.suppressed:
            return SUPPRESSED_LABEL
        if self.value is None:
            return "–"
        scale = self.question.scale
        if scale == Scale.mark:
            return f"gemiddeld {dashboard.number(self.value, 1)}"
        if scale == Scale.agree:
            return f"{dashboard.number(self.value)}% (helemaal) mee eens"
        return f"{dashboard.number(self.value)}% ja"

    @property
    def basis(self) -> str:
        if self.suppressed:
            return ""
        dont_know = (self.n or 0) - (self.base or 0)
        return f"n = {self.n}" + (f", waarvan {dont_know} weet niet" if dont_know else "")

    def chart(self) -> Markup | None:
        """The distribution drawn as bars (the same figures stand in the table)."""
        if self.suppressed:
            return None
        bars = [charts.Bar(label, count, str(count)) for label, count in self.distribution]
        draw = charts.column_chart if self.question.scale == Scale.mark else charts.bar_chart
        return draw(f"grafiek-vraag-{self.question.id}", self.question.text, bars)

    @property
    def group_label(self) -> str:
        return AUDIENCE_LABELS[self.question.audience]

    @property
    def indicator(self) -> Indicator | None:
        return BY_KEY.get(self.question.indicator_key or "")

    @property
    def measured_text(self) -> str:
        """The case-derived figure as the dashboard writes it, with its basis."""
        if self.measured is None:
            return "–"
        text, rests_on = dashboard.figure(self.measured), dashboard.basis(self.measured)
        return f"{text} ({rests_on})" if rests_on else text


@dataclass(frozen=True)
class GroupReport:
    audience: Audience
    label: str
    results: list[Result]


@dataclass(frozen=True)
class RoundReport:
    round: SurveyRound
    threshold: int
    groups: list[GroupReport]

    def results(self) -> list[Result]:
        return [r for g in self.groups for r in g.results]

    def for_indicator(self, key: str) -> list[Result]:
        return [r for r in self.results() if r.question.indicator_key == key]


def compute(question: SurveyRoundQuestion, values: Counter, threshold: int,
            measured: Cell | None = None) -> Result:
    n = sum(values.values())
    base = n - values[DONT_KNOW]
    if not base:
        value = None
    elif question.scale == Scale.mark:
        value = sum(int(v) * c for v, c in values.items() if v != DONT_KNOW) / base
    elif question.scale == Scale.agree:
        value = 100 * sum(values[v] for v in AGREE_VALUES) / base
    else:
        value = 100 * values["ja"] / base
    if base < threshold:
        return Result(question, suppressed=True, measured=measured)
    distribution = [(label, values[option]) for option, label in OPTIONS[question.scale]]
    return Result(question, False, n, base, value, distribution, measured)


def tallies(round_id: int) -> dict[int, Counter]:
    """question id -> Counter of chosen options: one GROUP BY."""
    rows = db.session.execute(
        sa.select(SurveyAnswer.question_id, SurveyAnswer.value, sa.func.count())
        .join(SurveyRoundQuestion).where(SurveyRoundQuestion.round_id == round_id)
        .group_by(SurveyAnswer.question_id, SurveyAnswer.value))
    found: dict[int, Counter] = {}
    for question_id, value, count in rows:
        found.setdefault(question_id, Counter())[value] = count
    return found


def measured_cells(survey_round: SurveyRound, monitor: Monitor | None = None) -> dict[str, Cell]:
    """The case-derived figures of the whole region in the round's period for the indicators
    its questions are compared with (none when the period is outside the monitor's window)."""
    keys = {q.indicator_key for q in survey_round.questions
            if q.indicator_key in BY_KEY and BY_KEY[q.indicator_key].kind != SURVEY}
    if not keys:
        return {}
    monitor = monitor or Monitor(survey_round.region)
    period = parse(survey_round.period)
    if not monitor.covers(period):
        return {}
    return {key: monitor.cell(BY_KEY[key], ALL_REGION, period) for key in sorted(keys)}


def report(survey_round: SurveyRound, monitor: Monitor | None = None) -> RoundReport | None:
    """The results of a closed round (None before it is closed)."""
    if survey_round.status != RoundStatus.closed:
        return None
    threshold = max(1, survey_round.region.suppression_threshold)
    counts = tallies(survey_round.id)
    measured = measured_cells(survey_round, monitor)
    groups = []
    for audience in Audience:
        questions = [q for q in survey_round.questions if q.audience == audience]
        if questions:
            groups.append(GroupReport(audience, AUDIENCE_LABELS[audience], [
                compute(q, counts.get(q.id, Counter()), threshold,
                        measured.get(q.indicator_key or "")) for q in questions]))
    return RoundReport(survey_round, threshold, groups)


def latest_closed(region_id: int, period_label: str) -> SurveyRound | None:
    return db.session.scalar(
        sa.select(SurveyRound)
        .where(SurveyRound.region_id == region_id, SurveyRound.period == period_label,
               SurveyRound.status == RoundStatus.closed)
        .order_by(SurveyRound.closed_on.desc(), SurveyRound.id.desc()).limit(1))
