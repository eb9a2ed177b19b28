"""The demo region's escalation ladder, thuiszitter episodes on a few cases, and the rules'
thresholds; `seed_demo` then runs the real scan, so the coordinator's queue holds escalations
opened by hand and by the rules."""

import random
from datetime import date, timedelta

import sqlalchemy as sa

from app.cases.models import Case, CaseSignal, SignalCategory
from app.cases.workflow import CaseState, EscalationReason
from app.escalation.models import EscalationTier, ThuiszitterEpisode, ThuiszitterReason
from app.extensions import db

LADDER = (
    (1, "E1 – onafhankelijk voorzitter", 14,
     "De onafhankelijk voorzitter van het samenwerkingsverband (MDO met voorzitter)"),
    (2, "E2 – regionale casustafel", 21,
     "Directeur samenwerkingsverband en beleidsmedewerker jeugd van de gemeente samen"),
    (3, "E3 – bestuurlijk besluit", 28,
     "Wethouder jeugd van de grootste gemeente (Alkmaar), met garantstelling"),
)
# Higher than a region would start with, so the scan picks a handful of the replayed cases.
THRESHOLDS = {"escalation_referral_days": 21, "escalation_waiting_weeks": 4,
              "escalation_thuiszitter_weeks": 4, "escalation_no_regie_days": 180,
              "escalation_evaluation_days": 7}
R = ThuiszitterReason


def add_ladder(world) -> None:
    """Before the cases are flushed: new escalations take the ladder's first tier."""
    for level, name, sla_days, decider in LADDER:
        db.session.add(EscalationTier(region=world.region, level=level, name=name,
                                      sla_days=sla_days, decider=decider))
    for column, value in THRESHOLDS.items():
        setattr(world.region, column, value)
    db.session.flush()  # the flush of the cases finds the ladder in the database


def add_thuiszitters(today: date, seed: int) -> None:
    """An open episode for each case escalated as thuiszitter, and episodes (open, ended, one
    with an exemption) on a few absent pupils' cases that are not escalated."""
    rng = random.Random(seed)  # noqa: S311  # nosec B311 (invented demo data)
    escalated = db.session.scalars(
        sa.select(Case).where(Case.state == CaseState.escalation)
        .order_by(Case.id)).all()
    for case in escalated:
        if case.open_escalation.reason == EscalationReason.thuiszitter:
            start = case.open_escalation.opened_at.date() - timedelta(days=rng.randint(14, 40))
            _episode(case, max(start, case.opened_at.date()), None,
                     rng.choice((R.geen_passende_plek, R.schoolweigering)))
    absent = db.session.scalars(
        sa.select(Case).join(CaseSignal, CaseSignal.case_id == Case.id)
        .where(CaseSignal.category == SignalCategory.verzuim,
               Case.state.in_([CaseState.mdo, CaseState.arrangement]))
        .order_by(Case.id)).all()
    for number, case in enumerate(rng.sample(absent, min(6, len(absent)))):
        opened = case.opened_at.date()
        start = max(opened, today - timedelta(days=rng.randint(20, 70)))
        ended = start + timedelta(days=rng.randint(10, 25)) if number >= 4 else None
        _episode(case, start, ended if ended and ended < today else None,
                 (R.schoolweigering, R.ziekte, R.geen_passende_plek, R.anders,
                  R.geschorst_verwijderd, R.ziekte)[number], exemption=number == 3)


def _episode(case, started_on: date, ended_on, reason, exemption: bool = False) -> None:
    db.session.add(ThuiszitterEpisode(case_id=case.id, started_on=started_on, ended_on=ended_on,
                                      reason=reason, exemption=exemption,
                                      recorded_by_id=case.opened_by_id))
