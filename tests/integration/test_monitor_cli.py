"""`flask monitor export` and `flask monitor catalogue`, the region's threshold on the admin
screen, and the monitor of the demo region end to end."""

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime, time, timedelta
from unittest import mock

import pyotp
import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.cases.models import ParentParticipation, Pupil
from app.demo.world import DEMO_PASSWORD, PEOPLE
from app.extensions import db
from app.monitor.exports import CSV_COLUMNS
from app.monitor.indicators import BY_KEY, markdown
from app.monitor.periods import SCHOOL_YEAR, current
from app.monitor.queries import Monitor
from app.monitor.scopes import ALL_REGION, SECTOR, Scope
from app.org.models import Region, Sector
from tests.conftest import text_of
from tests.factories import (
    CaseFactory,
    MdoMeetingFactory,
    OrganisationFactory,
    RegionFactory,
    SchoolFactory,
    user_with_role,
)

PERIOD = current(SCHOOL_YEAR, date.today()).previous()
HELD = datetime.combine(PERIOD.first + timedelta(days=60), time(10), UTC)


@pytest.fixture
def region():
    region = RegionFactory(code="NK", name="Noord-Kennemerland", suppression_threshold=5)
    for sector, brin in ((Sector.po, "27RB"), (Sector.vo, "23BH")):
        school = SchoolFactory(municipality__region=region, sector=sector, brin=brin)
        for _ in range(6):
            MdoMeetingFactory(case=CaseFactory(pupil__school=school), planned_at=HELD,
                              held_at=HELD, parents=ParentParticipation.present)
    db.session.commit()
    return region


def export(runner, *args):
    return runner.invoke(args=["monitor", "export", "--region", "NK", "--period", PERIOD.label,
                               *args])


def rows(result) -> list[dict]:
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_csv_to_the_screen_with_an_audit_row(runner, region):
    result = export(runner)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == ",".join(CSV_COLUMNS)
    parents = [r for r in rows(result) if r["indicator"] == "mdo_parent_present"]
    assert parents == [{"section": "Vormen van samenwerking", "indicator": "mdo_parent_present",
                        "scope": "Regio Noord-Kennemerland", "period": PERIOD.label,
                        "numerator": "12", "denominator": "12", "value": "100.0",
                        "suppressed": "0"}]
    assert "cijfers geëxporteerd" in result.stderr
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.object_type == "monitor" and event.detail.startswith(f"NK {PERIOD.label} region")


@pytest.mark.parametrize("scope, expected", [
    ("sector", {"Sector PO", "Sector VO"}),
    ("sector:vo", {"Sector VO"}),
    ("school:27RB", {"27RB"}),
    ("jeugdhulp", {"Casussen met jeugdhulp"}),
])
def test_scopes(runner, region, scope, expected):
    result = export(runner, "--scope", scope)
    assert result.exit_code == 0, result.output
    scopes = {r["scope"] for r in rows(result)}
    assert {s if s in expected else s[-5:-1] for s in scopes} == expected


def test_xlsx_to_a_file(runner, region, tmp_path):
    target = tmp_path / "monitor.xlsx"
    result = export(runner, "--format", "xlsx", "--output", str(target))
    assert result.exit_code == 0, result.output
    names = zipfile.ZipFile(target).read("xl/workbook.xml").decode()
    assert 'name="Definities"' in names and 'name="Preventie"' in names


@pytest.mark.parametrize("args, message", [
    (["--region", "XX"], "Er is geen regio met code XX."),
    (["--period", "volgend jaar"], "Geef een schooljaar"),
    (["--period", "2015-2016"], "De monitor reikt terug tot"),
    (["--scope", "school:0000"], "Kies de regio, een sector"),
])
def test_refusals(runner, region, args, message):
    base = {"--region": "NK", "--period": PERIOD.label}
    pairs = dict(zip(args[::2], args[1::2], strict=True))
    argv = [x for k, v in (base | pairs).items() for x in (k, v)]
    result = runner.invoke(args=["monitor", "export", *argv])
    assert result.exit_code != 0
    assert message in result.output


def test_catalogue_prints_the_docs_tables(runner):
    result = runner.invoke(args=["monitor", "catalogue"])
    assert result.exit_code == 0 and result.output == markdown()


# --- the region's threshold on the admin screen -------------------------------------------


@pytest.fixture
def admin(region):
    return user_with_role(Role.admin, OrganisationFactory(region=region))


def edit(client, region, **overrides):
    data = {"name": region.name, "referral_answer_days": "10", "reopen_within_years": "2",
            "retention_youth_care_years": "20", "retention_school_years": "2"} | overrides
    return client.post(f"/admin/regions/{region.id}/edit", data=data)


def test_admin_sets_the_threshold(login, admin, region):
    client = login(admin)
    assert "Monitor: kleinste aantal" in text_of(client.get(f"/admin/regions/{region.id}/edit"))
    assert edit(client, region, suppression_threshold="12").status_code == 302
    db.session.expire_all()
    assert region.suppression_threshold == 12
    assert edit(client, region).status_code == 302  # left empty: kept
    db.session.expire_all()
    assert region.suppression_threshold == 12


@pytest.mark.parametrize("value, message", [("3", "Vul een getal in van 5 tot en met 100."),
                                            ("tien", "Vul een heel getal in")])
def test_admin_threshold_out_of_range_is_refused(login, admin, region, value, message):
    response = edit(login(admin), region, suppression_threshold=value)
    assert response.status_code == 422 and message in text_of(response)
    db.session.expire_all()
    assert region.suppression_threshold == 5


# --- the demo region end to end --------------------------------------------------------------


@pytest.fixture
def demo(app, runner):
    with mock.patch.dict(app.config, {"DEMO_MODE": True}):
        result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return db.session.scalar(sa.select(Region).where(Region.code == "NK"))


def test_the_demo_monitor_shows_sensible_figures(demo, client):
    assert demo.suppression_threshold == 5
    monitor = Monitor(demo)
    period = current(SCHOOL_YEAR, date.today()).previous()
    shown = [monitor.cell(BY_KEY[key], ALL_REGION, period) for key in (
        "mdo_parent_present", "regie_coverage", "referral_answer_days", "referral_wait_days",
        "evaluation_joint", "goals_met", "arrangements", "escalations")]
    assert all(not c.suppressed and c.value is not None for c in shown), shown
    parents = shown[0]
    assert 20 < parents.value < 90 and parents.denominator > 30
    po = monitor.cell(BY_KEY["evaluation_joint"], Scope(SECTOR, "po"), period)
    vo = monitor.cell(BY_KEY["evaluation_joint"], Scope(SECTOR, "vo"), period)
    if not (po.suppressed or vo.suppressed):
        assert vo.value > po.value  # the demo's VO evaluates jointly more often (S4)

    person = next(p for p in PEOPLE if p.key == "coordinator")
    client.post("/auth/login", data={"email": person.email, "password": DEMO_PASSWORD})
    client.post("/auth/code", data={"code": pyotp.TOTP(person.totp_secret).now()})
    page = client.get(f"/monitor/?periode={period.label}")
    assert page.status_code == 200
    text = text_of(page)
    assert "Regio Noord-Kennemerland (demo)" in text
    assert re.search(r"\d+% \d+ van \d+", text)
    download = client.get(f"/monitor/export?formaat=csv&periode={period.label}")
    exported = download.get_data(as_text=True)
    assert download.status_code == 200 and "\nVormen van samenwerking," in exported
    workbook = client.get(f"/monitor/export?formaat=xlsx&periode={period.label}").get_data()
    strings = zipfile.ZipFile(io.BytesIO(workbook)).read("xl/sharedStrings.xml").decode()
    references = set(db.session.scalars(sa.select(Pupil.reference)))
    assert len(references) >= 100
    for output in (page.get_data(as_text=True), exported, strings):
        assert not any(reference in output for reference in references)
