"""Thuiszitter episodes on the case page, and the quarterly export for the Inspectie."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.cases.models import CaseEvent
from app.cases.workflow import CaseState
from app.escalation.models import ThuiszitterEpisode, ThuiszitterReason
from app.extensions import db
from app.monitor.thuiszitters import Quarter
from tests.conftest import text_of
from tests.factories import (
    CaseFactory,
    ConsentFactory,
    EscalationFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PupilFactory,
    SchoolFactory,
    ThuiszitterEpisodeFactory,
    user_with_role,
)

TODAY = date.today()


@pytest.fixture
def school():
    return SchoolFactory(brin="12AB", name="OBS De Regenboog")


@pytest.fixture
def ib(school):
    return user_with_role(Role.school_staff, school)


@pytest.fixture
def case(school, ib):
    case = CaseFactory(school=school, pupil__school=school, opened_by=ib, state=CaseState.mdo)
    db.session.commit()
    return case


def _start(client, case, version=None, **data):
    values = {"version": case.version if version is None else version,
              "started_on": (TODAY - timedelta(days=10)).isoformat(),
              "reason": "schoolweigering"} | data
    return client.post(f"/cases/{case.id}/thuiszitter",
                       data={f"thuiszitter-{k}": v for k, v in values.items()})


def _end(client, case, ended_on, version=None):
    return client.post(f"/cases/{case.id}/thuiszitter/end", data={
        "thuiszitter_end-version": case.version if version is None else version,
        "thuiszitter_end-ended_on": ended_on.isoformat()})


def _episodes(case) -> list[ThuiszitterEpisode]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(ThuiszitterEpisode)
                                   .where(ThuiszitterEpisode.case_id == case.id)
                                   .order_by(ThuiszitterEpisode.id)))


# --- on the case page -------------------------------------------------------------------------


def test_the_school_starts_an_episode_and_the_case_shows_its_duration(case, ib, login):
    client = login(ib)
    response = _start(client, case, exemption="y", reason="geen_passende_plek",
                      started_on=(TODAY - timedelta(days=17)).isoformat())
    assert response.status_code == 302
    [episode] = _episodes(case)
    assert (episode.reason, episode.exemption, episode.ended_on) == (
        ThuiszitterReason.geen_passende_plek, True, None)
    assert episode.recorded_by_id == ib.id
    text = text_of(client.get(f"/cases/{case.id}"))
    assert "17 dagen (2 weken)" in text and "Geen passende onderwijsplek" in text
    assert "Met vrijstelling van de leerplicht" in text
    assert "Thuiszitterperiode beëindigen" in text and "Thuiszitter vastleggen" not in text
    event = db.session.scalars(sa.select(CaseEvent).where(CaseEvent.kind == "thuiszitter")).one()
    assert event.summary.startswith("Thuiszitter sinds ")
    audit = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "thuiszitter:start")).one()
    assert audit.case_id == case.id and audit.user_id == ib.id


def test_end_an_episode_then_start_a_new_one(case, ib, login):
    client = login(ib)
    _start(client, case, started_on=(TODAY - timedelta(days=30)).isoformat())
    assert _end(client, _episodes(case)[0].case, TODAY - timedelta(days=5)).status_code == 302
    assert _episodes(case)[0].ended_on == TODAY - timedelta(days=5)
    assert "nu geen thuiszitter" in text_of(client.get(f"/cases/{case.id}"))
    assert _start(client, _episodes(case)[0].case,
                  started_on=(TODAY - timedelta(days=5)).isoformat()).status_code == 302
    assert [e.ended_on for e in _episodes(case)] == [TODAY - timedelta(days=5), None]


def test_one_open_episode_at_a_time(case, ib, login):
    client = login(ib)
    _start(client, case)
    response = _start(client, _episodes(case)[0].case)
    assert response.status_code == 422
    assert "Er loopt al een thuiszitterperiode" in text_of(response)
    assert len(_episodes(case)) == 1


def test_a_start_in_the_future_is_refused(case, ib, login):
    response = _start(login(ib), case, started_on=(TODAY + timedelta(days=1)).isoformat())
    assert response.status_code == 422 and "Die datum ligt in de toekomst" in text_of(response)
    assert _episodes(case) == []


def test_a_start_before_the_last_return_is_refused(case, ib, login):
    ThuiszitterEpisodeFactory(case=case, started_on=TODAY - timedelta(days=40),
                              ended_on=TODAY - timedelta(days=20))
    db.session.commit()
    response = _start(login(ib), case, started_on=(TODAY - timedelta(days=21)).isoformat())
    assert response.status_code == 422 and "weer op school" in text_of(response)
    assert len(_episodes(case)) == 1


@pytest.mark.parametrize("offset, message", [
    (0, "kies een latere dag van terugkeer"),  # the day it began
    (-3, "kies een latere dag van terugkeer"),
    (11, "Die datum ligt in de toekomst"),
])
def test_an_impossible_end_is_refused(case, ib, login, offset, message):
    started = TODAY - timedelta(days=10)
    ThuiszitterEpisodeFactory(case=case, started_on=started)
    db.session.commit()
    response = _end(login(ib), case, started + timedelta(days=offset))
    assert response.status_code == 422 and message in text_of(response)
    assert _episodes(case)[0].ended_on is None


def test_a_bad_date_or_no_reason_is_a_dutch_form_error(case, ib, login):
    response = _start(login(ib), case, started_on="gisteren", reason="")
    assert response.status_code == 422
    text = text_of(response)
    assert "Vul een geldige datum in" in text and "Kies een reden." in text
    assert _episodes(case) == []


def test_a_stale_version_is_a_conflict(case, ib, login):
    response = _start(login(ib), case, version=case.version - 1)
    assert response.status_code == 409 and _episodes(case) == []


def test_the_regie_holder_may_record_an_episode(school, case, login):
    coach = user_with_role(Role.youth_professional, OrganisationFactory(region=school.region))
    case.regie_holder_id = coach.id
    ConsentFactory(case=case, recipient=coach.memberships[0].organisation)
    db.session.commit()
    assert _start(login(coach), case).status_code == 302
    assert len(_episodes(case)) == 1


def test_a_participant_or_coordinator_may_not(school, case, login):
    case.state = CaseState.escalation
    EscalationFactory(case=case)
    coordinator = user_with_role(Role.coordinator, OrganisationFactory(region=school.region))
    db.session.commit()
    client = login(coordinator)
    assert "Thuiszitter vastleggen" not in text_of(client.get(f"/cases/{case.id}"))
    assert _start(client, case).status_code == 403
    assert _episodes(case) == []


def test_another_school_does_not_find_the_case(case, login):
    other = user_with_role(Role.school_staff, SchoolFactory())
    assert _start(login(other), case).status_code == 404


def test_not_on_a_closed_case(case, ib, login):
    case.state = CaseState.closed
    db.session.commit()
    assert _start(login(ib), case).status_code == 403


# --- the Inspectie export -------------------------------------------------------------------


@pytest.fixture
def quarter_cases(school, ib):
    """Episodes around 2026Q3 (1 July – 30 September); `ended_on` is the day of return."""
    home = MunicipalityFactory(region=school.region, name="Heiloo")

    def episode(reference, started, ended=None, **kwargs):
        pupil = PupilFactory(school=school, reference=reference, initials="Q.Z.",
                             birth_year=2013, residence=home)
        case = CaseFactory(pupil=pupil, school=school, opened_by=ib, state=CaseState.mdo)
        return ThuiszitterEpisodeFactory(case=case, started_on=started, ended_on=ended,
                                         **kwargs)

    made = {
        "before": episode("VOOR", date(2026, 5, 1), date(2026, 6, 20)),
        "returned_on_first_day": episode("TERUG-1-7", date(2026, 6, 1), date(2026, 7, 1)),
        "into": episode("IN", date(2026, 6, 1), date(2026, 7, 15)),
        "open": episode("OPEN", date(2026, 6, 15), exemption=True,
                        reason=ThuiszitterReason.ziekte),
        "last_day": episode("LAATSTE", date(2026, 9, 30), date(2026, 10, 20)),
        "after": episode("NA", date(2026, 10, 1)),
        "formula": episode("=1+2", date(2026, 8, 1), date(2026, 8, 29)),
    }
    EscalationFactory(case=made["open"].case, opened_at=datetime(2026, 8, 3, 9, tzinfo=UTC),
                      resolved_at=datetime(2026, 9, 1, 9, tzinfo=UTC))
    other_school = SchoolFactory()
    made["other_region"] = ThuiszitterEpisodeFactory(
        case=CaseFactory(school=other_school, pupil__school=other_school),
        started_on=date(2026, 8, 1))
    db.session.commit()
    return made


def _export(runner, tmp_path, school, quarter="2026Q3"):
    target = tmp_path / "thuiszitters.csv"
    result = runner.invoke(args=["monitor", "thuiszitters", "--region", school.region.code,
                                 "--quarter", quarter, "--output", str(target)])
    assert result.exit_code == 0, result.output
    return result, list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))


def test_the_export_lists_the_quarters_episodes_without_names(runner, tmp_path, school, ib,
                                                              quarter_cases):
    result, rows = _export(runner, tmp_path, school)
    assert [r["leerlingreferentie"] for r in rows] == ["IN", "OPEN", "'=1+2", "LAATSTE"]
    assert "4 thuiszitters geëxporteerd" in result.output
    open_row = rows[1]
    assert open_row == {
        "leerlingreferentie": "OPEN", "brin": "12AB", "school": "OBS De Regenboog",
        "sector": "Primair onderwijs (PO)", "woongemeente": "Heiloo", "geboortejaar": "2013",
        "startdatum": "2026-06-15", "einddatum": "", "duur_dagen": "108", "duur_weken": "15",
        "reden": "Ziekte (lichamelijk of psychisch)", "vrijstelling": "ja",
        "escalatie_in_kwartaal": "ja",
    }
    assert rows[0]["duur_dagen"] == "44" and rows[0]["escalatie_in_kwartaal"] == "nee"
    text = (tmp_path / "thuiszitters.csv").read_text(encoding="utf-8")
    assert "Q.Z." not in text and ib.name not in text  # no initials, no names
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.object_type == "thuiszitters" and "2026Q3: 4 rijen" in event.detail


def test_the_export_of_another_quarter(runner, tmp_path, school, quarter_cases):
    _, rows = _export(runner, tmp_path, school, "2026q4")
    assert {r["leerlingreferentie"] for r in rows} == {"OPEN", "LAATSTE", "NA"}


@pytest.mark.parametrize("args, message", [
    (["--region", "GEEN", "--quarter", "2026Q3"], "Er is geen regio met code GEEN"),
    (["--region", "{code}", "--quarter", "2026-3"], "JJJJQn"),
    (["--region", "{code}", "--quarter", "2026Q5"], "JJJJQn"),
])
def test_the_export_refuses_bad_arguments(runner, school, args, message):
    db.session.commit()
    result = runner.invoke(args=["monitor", "thuiszitters",
                                 *[a.format(code=school.region.code) for a in args]])
    assert result.exit_code != 0 and message in result.output


def test_quarters_run_from_their_first_to_their_last_day():
    assert Quarter.parse("2026Q1") == Quarter(date(2026, 1, 1), date(2026, 3, 31))
    assert Quarter.parse(" 2026q4") == Quarter(date(2026, 10, 1), date(2026, 12, 31))
