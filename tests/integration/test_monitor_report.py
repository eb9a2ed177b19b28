"""The printable monitor report for the OOGO: the dashboard's figures (known by construction)
with the previous period and the change, suppressed cells without a number anywhere, the header
a meeting needs, the same scope rules as the dashboard, an audit row, and a print stylesheet."""

import html
import re
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.cases.models import ParentParticipation
from app.extensions import db
from app.monitor.dashboard import panels
from app.monitor.periods import SCHOOL_YEAR, current
from app.monitor.queries import Monitor
from app.monitor.scopes import ALL_REGION
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
HELD_BEFORE = datetime.combine(PERIOD.previous().first + timedelta(days=90), time(10), UTC)


def _mdos(school, count: int, absent: int, held: datetime) -> None:
    for number in range(count):
        parents = (ParentParticipation.invited_absent if number < absent
                   else ParentParticipation.present)
        MdoMeetingFactory(case=CaseFactory(pupil__school=school), planned_at=held, held_at=held,
                          parents=parents)


@pytest.fixture
def region():
    region = RegionFactory(code="NK", name="Noord-Kennemerland")
    po = SchoolFactory(municipality__region=region, sector=Sector.po, name="OBS De Regenboog")
    so = SchoolFactory(municipality=po.municipality, sector=Sector.so, name="SO De Windroos")
    vo = SchoolFactory(municipality=po.municipality, sector=Sector.vo, name="Het Lyceum")
    # This year: PO 9 of 12 parents present, SO 11 of 11, VO 2 of 3: region 22 of 26 (85%).
    # The year before: PO 5 of 10, the region's only MDOs (50%): a change of +35 points.
    for school, count, absent in ((po, 12, 3), (so, 11, 0), (vo, 3, 1)):
        _mdos(school, count, absent, HELD)
    _mdos(po, 10, 5, HELD_BEFORE)
    db.session.commit()
    return region


def school(region, sector) -> School:
    return db.session.scalars(sa.select(School).where(School.region_id == region.id,
                                                      School.sector == sector)).one()


@pytest.fixture
def coordinator(region):
    return user_with_role(Role.coordinator, OrganisationFactory(region=region))


@pytest.fixture
def staff(region):
    return user_with_role(Role.school_staff, school(region, Sector.po))


def url(**params) -> str:
    return "/monitor/rapport?" + "&".join(
        [f"periode={PERIOD.label}"] + [f"{k}={v}" for k, v in params.items()])


def words(response) -> str:
    return html.unescape(text_of(response))


def section(response, key: str) -> str:
    """The text of one section of the report, from its heading to the next section."""
    page = response.get_data(as_text=True)
    return plain(page.split(f'aria-labelledby="kop-{key}"')[1].split("</section>")[0])


def plain(fragment: str) -> str:
    """Visible text of an HTML fragment, as `text_of` reads a page."""
    fragment = re.sub(r"</?abbr\b[^>]*>", "", fragment)
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", fragment).split()))


def test_the_report_shows_the_constructed_figures_with_the_previous_year(login, coordinator):
    response = login(coordinator).get(url())
    assert response.status_code == 200
    cooperation = section(response, "samenwerking")
    assert "MDO's met een ouder aanwezig 85% 22 van 26 50% +35 procentpunt" in cooperation
    chart = response.get_data(as_text=True).split(
        'id="chart-mdo_parent_present-sectoren"')[1].split("</figure>")[0]
    assert "Regio: 85%" in chart and "PO: 75%" in chart  # the SVG reads its figures out
    printed = plain(chart.split('class="data report-chart-figures"')[1])  # and prints them
    assert "Onderdeel Waarde Regio 85% PO 75% SO onderdrukt VO onderdrukt" in printed


def test_the_report_has_every_figure_of_the_dashboard(login, coordinator, region):
    """The same figures as the dashboard: every line of every panel, in the report's row."""
    page = words(login(coordinator).get(url()))
    for panel in panels(Monitor(region), ALL_REGION, PERIOD):
        for line in panel.lines:
            if line.group:
                continue
            row = " ".join(p for p in (line.title, line.current, line.basis, line.previous,
                                       line.change) if p)
            assert row in page, f"{panel.section.key}: {row!r} not in the report"


def test_a_suppressed_cell_is_suppressed_and_has_no_number_anywhere(login, coordinator,
                                                                   region):
    client = login(coordinator)
    page = client.get(url()).get_data(as_text=True)
    # VO (3 MDOs) is too small; SO (11) goes too, or region − PO − SO would give VO.
    chart = page.split('id="chart-mdo_parent_present-sectoren"')[1].split("</figure>")[0]
    assert "VO: onderdrukt" in chart and "SO: onderdrukt" in chart
    for hidden in ("2 van 3", "11 van 11", "67%"):
        assert hidden not in page
    vo = client.get(url(bereik="sector:vo"))
    cooperation = section(vo, "samenwerking")
    assert "MDO's met een ouder aanwezig onderdrukt" in cooperation
    assert "67%" not in vo.get_data(as_text=True) and "2 van 3" not in words(vo)


def test_the_header_says_region_scope_period_printing_date_and_threshold(login, coordinator):
    text = words(login(coordinator).get(url()))
    assert f"Regio Noord-Kennemerland: {PERIOD.title} Regio Noord-Kennemerland" in text
    assert f"Periode {PERIOD.title}, naast {PERIOD.previous().title}" in text
    assert "Bereik Regio Noord-Kennemerland" in text
    assert re.search(r"Afgedrukt op \d{1,2} [a-z]+ 20\d\d \d\d:\d\d", text)
    assert "Drempel 10 waarnemingen" in text
    assert "Hoe lees je dit?" in text
    assert "minder dan 10 waarnemingen" in text and "uit de dossiers zelf" in text
    assert "op overeenstemming gericht overleg" in text


def test_every_section_is_in_the_report_with_the_survey_part(login, coordinator):
    text = words(login(coordinator).get(url()))
    for title in ("Vormen van samenwerking", "Organisatie van de zorg", "Preventie",
                  "Evalueren, leren en ontwikkelen", "Escalatie en thuiszitters",
                  "Oordeel over samenwerking", "Definities"):
        assert title in text


def test_on_paper_every_abbreviation_is_spelled_out(login, coordinator):
    """An <abbr> cannot be hovered on paper: the report lists what each one stands for."""
    text = words(login(coordinator).get(url()))
    legend = text.split("Afkortingen", 1)[1].split("Definities", 1)[0]
    assert "MDO multidisciplinair overleg" in legend
    assert "OZA onderwijszorgarrangement" in legend


def test_viewing_the_report_is_logged_without_a_case(login, coordinator):
    login(coordinator).get(url(bereik="sector:po"))
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "print")).one()
    assert event.object_type == "monitor"
    assert event.detail == f"NK {PERIOD.label} sector:po rapport"
    assert event.case_id is None and event.subject_ref is None


def test_school_staff_get_their_own_school_and_nothing_else(login, staff, region):
    client = login(staff)
    own = client.get(url())
    assert own.status_code == 200
    brin = staff.memberships[0].school.brin
    assert f"OBS De Regenboog ({brin}): {PERIOD.title}" in words(own)
    assert f"Regio Noord-Kennemerland Bereik OBS De Regenboog ({brin})" in words(own)
    assert "9 van 12" in words(own)
    vo = school(region, Sector.vo)
    for params in ({"bereik": "regio"}, {"bereik": f"school:{vo.id}"}, {"bereik": "sector:po"}):
        assert client.get(url(**params)).status_code == 403
    denied = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.outcome == "denied"))
    assert len(list(denied)) == 3
    assert not db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "print", AuditEvent.detail.contains("regio"))).first()


def test_another_region_is_not_found_and_a_bad_choice_is_refused(login, coordinator):
    other = RegionFactory(code="WF")
    SchoolFactory(municipality__region=other)
    db.session.commit()
    client = login(coordinator)
    assert client.get("/monitor/rapport?regio=WF").status_code == 404
    assert client.get("/monitor/rapport?periode=1999-2000").status_code == 400


def test_others_cannot_open_the_report(login, region):
    professional = user_with_role(Role.youth_professional, OrganisationFactory(region=region))
    assert login(professional).get(url()).status_code == 403


def test_the_dashboard_links_to_the_report_with_the_chosen_scope_and_period(login,
                                                                          coordinator):
    page = login(coordinator).get(
        f"/monitor/?periode={PERIOD.label}&bereik=sector:po").get_data(as_text=True)
    link = re.search(r'href="(/monitor/rapport\?[^"]+)"[^>]*>Afdrukken / opslaan als PDF<',
                     page)
    assert link
    target = html.unescape(link.group(1))
    assert "regio=NK" in target and f"periode={PERIOD.label}" in target
    assert "bereik=sector:po" in target or "bereik=sector%3Apo" in target


def test_in_print_the_menu_and_buttons_are_hidden_and_sections_start_a_page(login,
                                                                           coordinator):
    client = login(coordinator)
    page = client.get(url()).get_data(as_text=True)
    assert "site-nav" not in page and "<form" not in page and "<script" not in page
    assert re.search(r'<p class="no-print[^"]*">\s*<a href="/monitor/\?', page)
    sheet = re.search(r'href="(/static/css/monitor-report\.css[^"]*)"', page)
    assert sheet
    with client.get(sheet.group(1)) as response:
        css = response.get_data(as_text=True)
    assert re.search(r"@page\s*{\s*size:\s*A4", css)
    printed = css.split("@media print")[1]
    assert re.search(r"\.no-print[^{]*{\s*display:\s*none", printed)
    assert re.search(r"\.report-section\s*{[^}]*break-before:\s*page", printed)
    assert re.search(r"tr[^{]*{[^}]*break-inside:\s*avoid", printed)
