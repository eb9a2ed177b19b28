"""The monitor dashboard and its downloads: who sees what, the pickers, suppressed figures in
every output, the audit row of a download, and no formula in an export."""

import csv
import io
import zipfile
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.cases.models import ParentParticipation
from app.extensions import db
from app.monitor import forms
from app.monitor.exports import CSV_COLUMNS
from app.monitor.periods import SCHOOL_YEAR, current
from app.org.models import School, Sector
from tests.conftest import text_of
from tests.factories import (
    CaseFactory,
    MdoMeetingFactory,
    OrganisationFactory,
    RegionFactory,
    SchoolFactory,
    user_with_role,
)

PERIOD = current(SCHOOL_YEAR, datetime.now(UTC).date()).previous()  # a whole school year
HELD = datetime.combine(PERIOD.first + timedelta(days=90), time(10), UTC)
FORMULA = '=HYPERLINK("http://example.org","x")'


@pytest.fixture
def region():
    region = RegionFactory(code="NK", name="Noord-Kennemerland")
    po = SchoolFactory(municipality__region=region, sector=Sector.po, name="OBS De Regenboog")
    so = SchoolFactory(municipality=po.municipality, sector=Sector.so, name="SO De Windroos")
    vo = SchoolFactory(municipality=po.municipality, sector=Sector.vo, name=FORMULA)
    # PO 9 of 12 parents present, SO 11 of 11, VO 2 of 3: region 22 of 26.
    for where, count, absent in ((po, 12, 3), (so, 11, 0), (vo, 3, 1)):
        for number in range(count):
            parents = (ParentParticipation.invited_absent if number < absent
                       else ParentParticipation.present)
            MdoMeetingFactory(case=CaseFactory(pupil__school=where), planned_at=HELD,
                              held_at=HELD, parents=parents)
    db.session.commit()
    return region


def schools(region):
    return list(db.session.scalars(sa.select(School).where(School.region_id == region.id)))


@pytest.fixture
def coordinator(region):
    return user_with_role(Role.coordinator, OrganisationFactory(region=region))


@pytest.fixture
def staff(region):
    po = next(s for s in schools(region) if s.sector == Sector.po)
    return user_with_role(Role.school_staff, po)


def query(**params):
    return "&".join([f"periode={PERIOD.label}"] + [f"{k}={v}" for k, v in params.items()])


def test_coordinator_sees_every_section_with_figures_and_charts(login, coordinator):
    client = login(coordinator)
    response = client.get(f"/monitor/?{query()}")
    assert response.status_code == 200
    text = text_of(response)
    for title in ("Vormen van samenwerking", "Organisatie van de zorg", "Preventie",
                  "Evalueren, leren en ontwikkelen", "Escalatie en thuiszitters",
                  "Oordeel over samenwerking"):
        assert title in text
    assert "met een ouder aanwezig Definitie" in text
    assert "85% 22 van 26" in text
    html = response.get_data(as_text=True)
    assert 'role="img"' in html and "<title id=" in html and "<desc id=" in html
    assert "Cijfers bij deze grafiek" in text
    assert "<script" not in html


def test_a_small_sector_is_suppressed_on_screen_and_in_the_chart(login, coordinator):
    response = login(coordinator).get(f"/monitor/?{query()}")
    html = response.get_data(as_text=True)
    chart = html.split('id="chart-mdo_parent_present-sectoren"')[1].split("</svg>")[0]
    # VO (3 MDOs) is too small; SO (11) goes too, or region − PO − SO would give VO.
    assert "VO: onderdrukt" in chart and "SO: onderdrukt" in chart and "PO: 75%" in chart
    assert "67%" not in chart and "2 van 3" not in text_of(response)


def test_scope_and_period_pickers(login, coordinator, region):
    client = login(coordinator)
    po = next(s for s in schools(region) if s.sector == Sector.po)
    response = client.get(f"/monitor/?{query(bereik='sector:po')}")
    assert response.status_code == 200
    assert "Sector PO" in text_of(response) and "75% 9 van 12" in text_of(response)
    assert client.get(f"/monitor/?{query(bereik=f'school:{po.id}')}").status_code == 200
    previous = client.get(f"/monitor/?periode={PERIOD.previous().label}")
    assert previous.status_code == 200


def test_a_region_with_many_schools_lists_them_per_municipality(login, coordinator, region,
                                                                monkeypatch):
    monkeypatch.setattr(forms, "SCHOOL_LIST_MAX", 2)  # its three schools are "too many"
    elsewhere = SchoolFactory(municipality__region=region, name="OBS Elders")
    po = next(s for s in schools(region) if s.sector == Sector.po)
    client = login(coordinator)

    def options(**params) -> str:
        html = client.get(f"/monitor/?{query(**params)}").get_data(as_text=True)
        return html.split('name="bereik"', 1)[1].split("</select>", 1)[0]

    whole = options()
    assert "OBS De Regenboog" not in whole and "OBS Elders" not in whole
    assert f"Gemeente {po.municipality.name}" in whole
    one = options(bereik=f"gemeente:{po.municipality_id}")
    assert "OBS De Regenboog" in one and "SO De Windroos" in one and "OBS Elders" not in one
    chosen = options(bereik=f"school:{elsewhere.id}")  # a link to a school not listed before
    assert "OBS Elders" in chosen and "OBS De Regenboog" not in chosen


@pytest.mark.parametrize("params", ["periode=1999-2000", "periode=vandaag",
                                    "bereik=school:999999", "bereik=leerling:1"])
def test_a_value_outside_the_choices_is_refused_with_a_dutch_message(login, coordinator,
                                                                    params):
    response = login(coordinator).get(f"/monitor/?{params}")
    assert response.status_code == 400
    assert "Kies een van de mogelijkheden uit de lijst." in text_of(response)


def test_school_staff_see_their_own_school_only(login, staff, region):
    client = login(staff)
    response = client.get(f"/monitor/?{query()}")
    assert response.status_code == 200
    assert "OBS De Regenboog" in text_of(response)
    options = response.get_data(as_text=True).split('id="bereik"')[1].split("</select>")[0]
    assert options.count("<option") == 1
    vo = next(s for s in schools(region) if s.sector == Sector.vo)
    assert client.get(f"/monitor/?{query(bereik='regio')}").status_code == 403
    assert client.get(f"/monitor/?{query(bereik=f'school:{vo.id}')}").status_code == 403
    assert client.get(f"/monitor/?{query(bereik='sector:po')}").status_code == 403
    denied = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.outcome == "denied"))
    assert len(list(denied)) == 3


def test_another_regions_monitor_is_not_found(login, coordinator):
    other = RegionFactory(code="WF")
    SchoolFactory(municipality__region=other)
    db.session.commit()
    assert login(coordinator).get("/monitor/?regio=WF").status_code == 404


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_csv_download_has_the_columns_suppressed_rows_and_an_audit_row(login, coordinator):
    response = login(coordinator).get(f"/monitor/export?formaat=csv&{query()}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="monitor-NK-' in response.headers["Content-Disposition"]
    first_line = response.get_data(as_text=True).splitlines()[0]
    assert first_line == ",".join(CSV_COLUMNS)
    rows = csv_rows(response)
    parents = {r["scope"]: r for r in rows if r["indicator"] == "mdo_parent_present"}
    assert parents["Regio Noord-Kennemerland"] == {
        "section": "Vormen van samenwerking", "indicator": "mdo_parent_present",
        "scope": "Regio Noord-Kennemerland", "period": PERIOD.label, "numerator": "22",
        "denominator": "26", "value": "84.6", "suppressed": "0"}
    assert parents["Sector PO"]["value"] == "75.0"
    assert parents["Sector SO"]["suppressed"] == "1"
    assert parents["Sector VO"] | {"scope": ""} == {
        "section": "Vormen van samenwerking", "indicator": "mdo_parent_present", "scope": "",
        "period": PERIOD.label, "numerator": "", "denominator": "", "value": "",
        "suppressed": "1"}
    assert any(r["indicator"].startswith("escalations_by_reason.") for r in rows)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.object_type == "monitor" and f"NK {PERIOD.label} regio csv" in event.detail
    assert event.case_id is None and event.subject_ref is None


def test_csv_text_never_starts_a_formula(login, coordinator, region):
    vo = next(s for s in schools(region) if s.sector == Sector.vo)
    response = login(coordinator).get(
        f"/monitor/export?formaat=csv&{query(bereik=f'school:{vo.id}')}")
    scopes = {r["scope"] for r in csv_rows(response)}
    assert scopes == {"'" + FORMULA + f" ({vo.brin})"}


def test_xlsx_download_has_a_sheet_per_section_definitions_and_no_formula(login, coordinator,
                                                                         region):
    vo = next(s for s in schools(region) if s.sector == Sector.vo)
    response = login(coordinator).get(
        f"/monitor/export?formaat=xlsx&{query(bereik=f'school:{vo.id}')}")
    assert response.status_code == 200
    book = zipfile.ZipFile(io.BytesIO(response.get_data()))
    workbook = book.read("xl/workbook.xml").decode()
    for name in ("Vormen van samenwerking", "Evalueren, leren en ontwikkelen",
                 "Oordeel over samenwerking", "Definities"):
        assert f'name="{name}"' in workbook
    sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/sheet")]
    assert not any("<f>" in book.read(n).decode() for n in sheets)
    assert f"<t>{FORMULA} (" in book.read("xl/sharedStrings.xml").decode()  # text, not <f>


def test_school_staff_download_their_own_school(login, staff):
    rows = csv_rows(login(staff).get(f"/monitor/export?formaat=csv&{query()}"))
    assert {r["scope"] for r in rows} == {f"OBS De Regenboog ({staff.memberships[0].school.brin})"}


def test_an_unknown_format_is_refused(login, coordinator):
    assert login(coordinator).get("/monitor/export?formaat=pdf").status_code == 400


def test_nav_shows_the_monitor_to_coordinators_and_school_staff_only(login, coordinator, region):
    assert 'href="/monitor/"' in login(coordinator).get("/monitor/").get_data(as_text=True)
    professional = user_with_role(Role.youth_professional, OrganisationFactory(region=region))
    page = login(professional).get("/notifications/")
    assert 'href="/monitor/"' not in page.get_data(as_text=True)
    assert login(professional).get("/monitor/").status_code == 403
