"""The quarterly thuiszitters list in the shape of the Inspectie's thuiszittersregistratie:
every episode open at some moment of the quarter, pseudonymous (school reference, no names)."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.cases.models import Case, Pupil
from app.escalation.models import THUISZITTER_REASON_LABELS, Escalation, ThuiszitterEpisode
from app.extensions import db
from app.org.models import SECTOR_LABELS, Region, School

COLUMNS = ("leerlingreferentie", "brin", "school", "sector", "woongemeente", "geboortejaar",
           "startdatum", "einddatum", "duur_dagen", "duur_weken", "reden", "vrijstelling",
           "escalatie_in_kwartaal")
QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


@dataclass(frozen=True)
class Quarter:
    first: date
    last: date

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        match = QUARTER.match(text.strip().upper())
        if not match:
            raise ValueError("Gebruik de vorm JJJJQn, bijvoorbeeld 2026Q3.")
        year, number = int(match[1]), int(match[2])
        first = date(year, 3 * number - 2, 1)
        following = date(year + (number == 4), 1 if number == 4 else 3 * number + 1, 1)
        return cls(first, following - timedelta(days=1))


def episodes_in(region: Region, quarter: Quarter) -> list[ThuiszitterEpisode]:
    """Open at any moment of the quarter: begun by its last day, not returned before its
    first day (`ended_on` is the day of return)."""
    return list(db.session.scalars(
        sa.select(ThuiszitterEpisode).join(ThuiszitterEpisode.case).join(Case.school)
        .where(School.region_id == region.id, ThuiszitterEpisode.started_on <= quarter.last,
               sa.or_(ThuiszitterEpisode.ended_on.is_(None),
                      ThuiszitterEpisode.ended_on > quarter.first))
        .options(so.contains_eager(ThuiszitterEpisode.case).contains_eager(Case.school),
                 so.contains_eager(ThuiszitterEpisode.case).joinedload(Case.pupil)
                 .joinedload(Pupil.residence))
        .order_by(School.brin, ThuiszitterEpisode.started_on, ThuiszitterEpisode.id)))


def _escalated_in(case_ids: list[int], quarter: Quarter) -> set[int]:
    """Cases with an escalation open at some moment of the quarter."""
    if not case_ids:
        return set()
    start = datetime.combine(quarter.first, time(0), UTC)
    end = datetime.combine(quarter.last + timedelta(days=1), time(0), UTC)
    return set(db.session.scalars(
        sa.select(Escalation.case_id).where(
            Escalation.case_id.in_(case_ids), Escalation.opened_at < end,
            sa.or_(Escalation.resolved_at.is_(None), Escalation.resolved_at >= start))))


def rows(region: Region, quarter: Quarter, today: date) -> list[dict]:
    episodes = episodes_in(region, quarter)
    escalated = _escalated_in(sorted({e.case_id for e in episodes}), quarter)
    # Duration at the quarter's reference date (its last day), or today while it runs.
    until = min(quarter.last + timedelta(days=1), today)
    result = []
    for episode in episodes:
        case, pupil = episode.case, episode.case.pupil
        end = min(episode.ended_on, until) if episode.ended_on else until
        days = max((end - episode.started_on).days, 0)
        result.append({
            "leerlingreferentie": pupil.reference, "brin": case.school.brin,
            "school": case.school.name, "sector": SECTOR_LABELS[case.school.sector],
            "woongemeente": pupil.residence.name if pupil.residence else "",
            "geboortejaar": pupil.birth_year, "startdatum": episode.started_on,
            "einddatum": episode.ended_on, "duur_dagen": days, "duur_weken": days // 7,
            "reden": THUISZITTER_REASON_LABELS[episode.reason],
            "vrijstelling": "ja" if episode.exemption else "nee",
            "escalatie_in_kwartaal": "ja" if case.id in escalated else "nee",
        })
    return result
