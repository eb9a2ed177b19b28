"""Thuiszitter episodes on a case: the school or the regie holder starts and ends them, one
open episode at a time. An episode runs from the first day at home up to (not including) the
day of return to education. One commit per use case, through `changing`."""

from dataclasses import dataclass
from datetime import date

from app.cases.models import Case
from app.cases.services import CaseError, changing, record_event
from app.escalation import queries
from app.escalation.models import ThuiszitterEpisode, ThuiszitterReason
from app.extensions import db
from app.filters import nl_date

__all__ = ["EpisodeData", "end_episode", "start_episode"]


@dataclass(frozen=True)
class EpisodeData:
    started_on: date
    reason: ThuiszitterReason
    exemption: bool = False


def start_episode(actor, case: Case, expected_version: int, data: EpisodeData,
                  today: date | None = None) -> ThuiszitterEpisode:
    today = today or date.today()
    with changing(actor, case, expected_version, "thuiszitter:start",
                  fields=("thuiszitter.started_on", "thuiszitter.reason",
                          "thuiszitter.exemption")):
        _check_start(case, data.started_on, today)
        episode = ThuiszitterEpisode(case_id=case.id, started_on=data.started_on,
                                     reason=data.reason, exemption=data.exemption,
                                     recorded_by_id=actor.id)
        db.session.add(episode)
        record_event(case, "thuiszitter",
                     f"Thuiszitter sinds {nl_date(data.started_on)} vastgelegd", actor)
    return episode


def _check_start(case: Case, started_on: date, today: date) -> None:
    last = queries.last_episode(case.id)
    if last is not None and last.ended_on is None:
        raise CaseError("Er loopt al een thuiszitterperiode. Beëindig die eerst.",
                        field="started_on")
    if started_on > today:
        raise CaseError("Die datum ligt in de toekomst: leg een periode vast vanaf de eerste "
                        "dag dat de leerling thuis is.", field="started_on")
    if last is not None and started_on < last.ended_on:
        raise CaseError(f"De leerling was sinds {nl_date(last.ended_on)} weer op school: kies "
                        "een begindatum op of na die dag.", field="started_on")


def end_episode(actor, case: Case, expected_version: int, ended_on: date,
                today: date | None = None) -> ThuiszitterEpisode:
    today = today or date.today()
    with changing(actor, case, expected_version, "thuiszitter:end",
                  fields=("thuiszitter.ended_on",)):
        episode = queries.open_episode(case.id)
        if episode is None:
            raise CaseError("Er loopt geen thuiszitterperiode om te beëindigen.",
                            field="ended_on")
        if ended_on > today:
            raise CaseError("Die datum ligt in de toekomst: beëindig de periode op of na de "
                            "dag dat de leerling weer onderwijs volgt.", field="ended_on")
        if ended_on <= episode.started_on:
            raise CaseError(f"De leerling is thuis sinds {nl_date(episode.started_on)}: kies "
                            "een latere dag van terugkeer.", field="ended_on")
        episode.ended_on = ended_on
        record_event(case, "thuiszitter",
                     f"Thuiszitterperiode beëindigd op {nl_date(ended_on)}", actor)
    return episode
