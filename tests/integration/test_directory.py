"""Wie zit waar: every professional of a region sees who the contact persons of its schools are
today; schools without a youth-care contact stand out."""

import html
from datetime import date, timedelta

import pytest

from app.auth import permissions
from app.auth.models import Role
from app.org.models import OrganisationKind, PartnerType, Sector
from tests.conftest import statements_run
from tests.conftest import text_of as _raw_text
from tests.factories import (
    MunicipalityFactory,
    OrganisationFactory,
    SchoolContactFactory,
    SchoolFactory,
    UserFactory,
    user_with_role,
)


def text_of(response) -> str:
    return html.unescape(_raw_text(response))


@pytest.fixture
def region_school():
    return SchoolFactory(name="Basisschool De Regenboog")


@pytest.fixture
def ib(region_school):
    return user_with_role(Role.school_staff, region_school, name="Ilse Begeleider")


def _contact(school, partner_type=PartnerType.jeugdhulp, **kwargs):
    return SchoolContactFactory(school=school, partner_type=partner_type, **kwargs)


def test_a_school_shows_its_contacts_of_today_with_deputy_organisation_and_email(
        region_school, ib, login):
    wijkteam = OrganisationFactory(region=region_school.region, name="Wijkteam Noord")
    coach = UserFactory(name="Joost Coach", email="joost@wijkteam.example")
    deputy = UserFactory(name="Dana Vervanger", email="dana@wijkteam.example")
    _contact(region_school, user=coach, deputy=deputy, organisation=wijkteam)
    _contact(region_school, PartnerType.leerplicht, user=UserFactory(name="Lotte Leerplicht"))
    _contact(region_school, PartnerType.jgz, user=UserFactory(name="Oud Contact"),
             valid_from=date.today() - timedelta(days=400),
             valid_to=date.today() - timedelta(days=1))
    _contact(region_school, PartnerType.swv, user=UserFactory(name="Nog Niet"),
             valid_from=date.today() + timedelta(days=5))

    response = login(ib).get("/wie-zit-waar/")

    assert response.status_code == 200
    text = text_of(response)
    assert "Basisschool De Regenboog" in text
    assert ("Joost Coach joost@wijkteam.example Wijkteam Noord Vervanger: Dana Vervanger, "
            "dana@wijkteam.example") in text
    assert "Lotte Leerplicht" in text
    assert "Oud Contact" not in text and "Nog Niet" not in text
    assert "Geen geldige contactpersoon jeugdhulp" not in text
    assert 'href="mailto:joost@wijkteam.example"' in response.get_data(as_text=True)


def test_only_the_schools_of_my_region_are_listed(region_school, ib, login):
    _contact(region_school, user=UserFactory(name="Eigen Coach"))
    elsewhere = SchoolFactory(name="Basisschool Elders")
    _contact(elsewhere, user=UserFactory(name="Vreemde Coach", email="vreemd@elders.example"))
    neighbour = SchoolFactory(name="Basisschool Buurregio", municipality=MunicipalityFactory())

    text = text_of(login(ib).get("/wie-zit-waar/"))

    assert "Basisschool De Regenboog" in text and "Eigen Coach" in text
    for foreign in ("Basisschool Elders", "Vreemde Coach", "vreemd@elders.example",
                    neighbour.name):
        assert foreign not in text
    assert "1 school." in text


def test_a_school_without_a_valid_youth_care_contact_is_flagged_and_can_be_filtered(
        region_school, ib, login):
    covered = SchoolFactory(name="Basisschool Gedekt", municipality=region_school.municipality)
    _contact(covered)
    ended = SchoolFactory(name="Basisschool Verlopen", municipality=region_school.municipality)
    _contact(ended, valid_from=date.today() - timedelta(days=90),
             valid_to=date.today() - timedelta(days=1))
    _contact(ended, PartnerType.leerplicht)  # another partner does not count
    client = login(ib)

    everything = text_of(client.get("/wie-zit-waar/"))
    missing = text_of(client.get("/wie-zit-waar/?without_youth_care=1"))

    assert everything.count("Geen geldige contactpersoon jeugdhulp") == 2
    assert "3 scholen." in everything
    assert "2 scholen zonder geldige contactpersoon jeugdhulp." in missing
    assert "Basisschool Verlopen" in missing and "Basisschool De Regenboog" in missing
    assert "Basisschool Gedekt" not in missing


def test_filter_by_municipality_and_sector(region_school, ib, login):
    other_town = MunicipalityFactory(region=region_school.region, name="Gemeente Zuid")
    vo = SchoolFactory(name="Lyceum Zuid", municipality=other_town, sector=Sector.vo)
    SchoolFactory(name="Basisschool Zuid", municipality=other_town, sector=Sector.po)
    client = login(ib)

    in_town = text_of(client.get(f"/wie-zit-waar/?municipality={other_town.id}"))
    secondary = text_of(client.get("/wie-zit-waar/?sector=vo"))

    assert "Lyceum Zuid" in in_town and "Basisschool Zuid" in in_town
    assert "Basisschool De Regenboog" not in in_town
    assert "Lyceum Zuid" in secondary and "Basisschool Zuid" not in secondary
    assert f'<option value="{vo.municipality_id}" selected>' in client.get(
        f"/wie-zit-waar/?municipality={other_town.id}").get_data(as_text=True)
    assert client.get("/wie-zit-waar/?sector=hbo").status_code == 400


def test_a_municipality_of_another_region_shows_nothing(region_school, ib, login):
    elsewhere = SchoolFactory(name="Basisschool Elders")

    text = text_of(login(ib).get(f"/wie-zit-waar/?municipality={elsewhere.municipality_id}"))

    assert "Basisschool Elders" not in text and "0 scholen." in text


def test_the_overview_pages_by_twenty_five_and_keeps_the_filters(region_school, ib, login):
    for n in range(30):
        SchoolFactory(name=f"School {n:02d}", municipality=region_school.municipality)
    client = login(ib)

    first = client.get("/wie-zit-waar/?without_youth_care=1")
    second = client.get("/wie-zit-waar/?without_youth_care=1&page=2")

    assert first.get_data(as_text=True).count('<th scope="row">') == 25
    assert second.get_data(as_text=True).count('<th scope="row">') == 6
    assert "Pagina 1 van 2" in text_of(first)
    body = html.unescape(first.get_data(as_text=True))
    assert "/wie-zit-waar/?page=2" in body and "without_youth_care=1" in body


def test_the_number_of_queries_does_not_grow_with_the_schools(region_school, ib, login):
    client = login(ib)

    def queries_for_a_page() -> int:
        with statements_run() as statements:
            assert client.get("/wie-zit-waar/").status_code == 200
        return len(statements)

    for _ in range(3):
        school = SchoolFactory(municipality=region_school.municipality)
        _contact(school, deputy=UserFactory())
    few = queries_for_a_page()
    for _ in range(12):
        school = SchoolFactory(municipality=region_school.municipality)
        _contact(school, deputy=UserFactory(),
                 organisation=OrganisationFactory(region=region_school.region))
        _contact(school, PartnerType.leerplicht)
    many = queries_for_a_page()

    assert few > 0 and many == few


@pytest.mark.parametrize("role", list(Role))
def test_every_role_of_the_region_sees_the_overview(region_school, login, role):
    home = region_school if role == Role.school_staff else OrganisationFactory(
        region=region_school.region, kind=OrganisationKind.samenwerkingsverband)
    client = login(user_with_role(role, home))

    response = client.get("/wie-zit-waar/")

    assert response.status_code == 200
    assert "Basisschool De Regenboog" in text_of(response)
    assert '<a href="/wie-zit-waar/">Wie zit waar</a>' in response.get_data(as_text=True)


def test_an_account_without_membership_has_no_region_to_show():
    # Such an account cannot log in at all; the rule refuses it as well.
    assert not permissions.can_see_directory(UserFactory())


def test_an_anonymous_visitor_is_sent_to_the_login(client):
    response = client.get("/wie-zit-waar/")
    assert response.status_code == 302 and "/auth/login" in response.location


def test_admins_get_links_to_manage_the_contacts(region_school, ib, login):
    swv = OrganisationFactory(region=region_school.region,
                              kind=OrganisationKind.samenwerkingsverband)
    admin = login(user_with_role(Role.admin, swv))
    links = (f'href="/admin/schools/{region_school.id}"',
             f'href="/admin/schools/{region_school.id}/contacts/new"')

    as_admin = admin.get("/wie-zit-waar/").get_data(as_text=True)
    as_ib = login(ib).get("/wie-zit-waar/").get_data(as_text=True)

    assert all(link in as_admin for link in links)
    assert not [link for link in links if link in as_ib]
