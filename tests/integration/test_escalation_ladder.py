"""The admin screens of the escalation ladder and the rules' thresholds."""

import re

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.cases.workflow import CaseState
from app.escalation.models import EscalationTier
from app.extensions import db
from app.org.models import OrganisationKind, Region
from tests.conftest import text_of
from tests.factories import (
    CaseFactory,
    EscalationFactory,
    EscalationTierFactory,
    OrganisationFactory,
    RegionFactory,
    SchoolFactory,
    user_with_role,
)

TIER = {"level": "1", "name": "E1 – onafhankelijk voorzitter", "sla_days": "14",
        "decider": "De onafhankelijk voorzitter van het swv"}


@pytest.fixture
def region():
    return RegionFactory(name="Regio Noord")


@pytest.fixture
def admin(region):
    swv = OrganisationFactory(region=region, kind=OrganisationKind.samenwerkingsverband)
    return user_with_role(Role.admin, swv)


def _tiers(region) -> list[tuple]:
    db.session.expire_all()
    return [(t.level, t.name, t.sla_days) for t in db.session.scalars(
        sa.select(EscalationTier).where(EscalationTier.region_id == region.id)
        .order_by(EscalationTier.level))]


def test_the_ladder_page_lists_tiers_and_thresholds(region, admin, login):
    EscalationTierFactory(region=region, level=2, name="E2 – casustafel", sla_days=21)
    client = login(admin)
    assert f'href="/admin/regions/{region.id}/escalation"' in client.get(
        "/admin/").get_data(as_text=True)
    text = text_of(client.get(f"/admin/regions/{region.id}/escalation"))
    assert "E2 – casustafel" in text and "21 dagen" in text
    assert "Thuiszitter na meer dan 4 weken" in text
    assert "Niemand met casusregie na meer dan 10 dagen" in text


def test_add_a_tier(region, admin, login):
    response = login(admin).post(f"/admin/regions/{region.id}/escalation/tiers/new", data=TIER)
    assert response.status_code == 302
    assert _tiers(region) == [(1, "E1 – onafhankelijk voorzitter", 14)]


def test_a_new_tier_proposes_the_next_level(region, admin, login):
    EscalationTierFactory(region=region, level=2)
    page = login(admin).get(f"/admin/regions/{region.id}/escalation/tiers/new")
    html = page.get_data(as_text=True)
    assert re.search(r"<input[^>]*name=\"level\"[^>]*value=\"3\"", html), html


@pytest.mark.parametrize("change, message", [
    ({"level": "2"}, "Niveau 2 bestaat al in de ladder"),
    ({"sla_days": "0"}, "Kies een termijn van 1 tot 365 dagen."),
    ({"level": "0"}, "Kies een niveau van 1 tot 20."),
    ({"name": ""}, "Vul een naam in."),
    ({"decider": ""}, "Beschrijf wie op deze trede besluit."),
    ({"sla_days": "veertien"}, "Vul een heel getal in, bijvoorbeeld 10."),
])
def test_bad_tiers_are_refused_and_change_nothing(region, admin, login, change, message):
    EscalationTierFactory(region=region, level=2, name="E2", sla_days=21)
    response = login(admin).post(f"/admin/regions/{region.id}/escalation/tiers/new",
                                 data=TIER | change)
    assert response.status_code == 422
    assert message in text_of(response)
    assert _tiers(region) == [(2, "E2", 21)]


def test_the_same_level_may_exist_in_another_region(region, admin, login):
    EscalationTierFactory(region=RegionFactory(), level=1)
    response = login(admin).post(f"/admin/regions/{region.id}/escalation/tiers/new", data=TIER)
    assert response.status_code == 302


def test_edit_a_tier(region, admin, login):
    tier = EscalationTierFactory(region=region, level=1, name="E1", sla_days=14)
    response = login(admin).post(f"/admin/escalation/tiers/{tier.id}/edit",
                                 data=TIER | {"level": "4", "sla_days": "7"})
    assert response.status_code == 302
    assert _tiers(region) == [(4, "E1 – onafhankelijk voorzitter", 7)]


def test_a_level_with_open_escalations_keeps_its_number(region, admin, login):
    tier = EscalationTierFactory(region=region, level=1, name="E1", sla_days=14)
    school = SchoolFactory(municipality__region=region)
    EscalationFactory(case=CaseFactory(school=school, pupil__school=school,
                                       state=CaseState.escalation), tier=1)
    client = login(admin)
    response = client.post(f"/admin/escalation/tiers/{tier.id}/edit", data=TIER | {"level": "2"})
    assert response.status_code == 422
    assert "Er staan nog open escalaties op niveau 1" in text_of(response)
    assert client.post(f"/admin/escalation/tiers/{tier.id}/edit",
                       data=TIER | {"sla_days": "10"}).status_code == 302
    assert _tiers(region) == [(1, "E1 – onafhankelijk voorzitter", 10)]


def test_thresholds_are_edited_on_the_same_screen(region, admin, login):
    client = login(admin)
    data = {"escalation_referral_days": "21", "escalation_waiting_weeks": "8",
            "escalation_thuiszitter_weeks": "3", "escalation_no_regie_days": "14",
            "escalation_evaluation_days": "20"}
    assert client.get(f"/admin/regions/{region.id}/escalation/rules").status_code == 200
    response = client.post(f"/admin/regions/{region.id}/escalation/rules", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Region, region.id)
    assert {k: str(getattr(saved, k)) for k in data} == data
    response = client.post(f"/admin/regions/{region.id}/escalation/rules",
                           data=data | {"escalation_thuiszitter_weeks": "0"})
    assert response.status_code == 422 and "Kies 1 tot 104 weken." in text_of(response)
    db.session.expire_all()
    assert db.session.get(Region, region.id).escalation_thuiszitter_weeks == 3


def test_an_admin_of_another_region_finds_nothing(region, login):
    tier = EscalationTierFactory(region=region, level=1)
    other = user_with_role(Role.admin, OrganisationFactory(
        kind=OrganisationKind.samenwerkingsverband))
    client = login(other)
    assert client.get(f"/admin/regions/{region.id}/escalation").status_code == 404
    assert client.post(f"/admin/escalation/tiers/{tier.id}/edit", data=TIER).status_code == 404
    assert client.post(f"/admin/regions/{region.id}/escalation/tiers/new",
                       data=TIER | {"level": "5"}).status_code == 404
    assert [t[0] for t in _tiers(region)] == [1]


def test_a_coordinator_does_not_manage_the_ladder(region, login):
    coordinator = user_with_role(Role.coordinator, OrganisationFactory(region=region))
    assert login(coordinator).get(f"/admin/regions/{region.id}/escalation").status_code == 403
