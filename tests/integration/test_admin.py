"""The functional administrator's screens: region settings, places, contact persons, users."""

from datetime import date, timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from app.auth.models import Membership, Role, User
from app.extensions import db
from app.org.models import (
    Municipality,
    Organisation,
    OrganisationKind,
    PartnerType,
    Region,
    School,
    SchoolContact,
    Sector,
)
from tests.conftest import PASSWORD, text_of
from tests.conftest import statements_run as counted_queries
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    RegionFactory,
    SchoolContactFactory,
    SchoolFactory,
    user_with_role,
)

BRIN_MESSAGE = "Vul een BRIN-code in van 4 tekens, bijvoorbeeld 01AB."
NO_CHOICE = "Kies een van de mogelijkheden uit de lijst."


@pytest.fixture
def region():
    return RegionFactory(name="Noord-Kennemerland")


@pytest.fixture
def municipality(region):
    return MunicipalityFactory(region=region, name="Alkmaar")


@pytest.fixture
def swv(region):
    return OrganisationFactory(region=region, name="SWV Noord-Kennemerland",
                               kind=OrganisationKind.samenwerkingsverband)


@pytest.fixture
def admin(swv):
    return user_with_role(Role.admin, swv, name="Beheerder Bea")


@pytest.fixture
def client(login, admin):
    return login(admin)


@pytest.fixture
def elsewhere():
    """A school and a worker of another region: out of this admin's reach."""
    school = SchoolFactory(name="School Elders")
    worker = user_with_role(Role.school_staff, school, name="Wim Elders")
    return school, worker


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


# --- access -----------------------------------------------------------------------------------


def admin_urls(app):
    """Every route of the blueprint, with made-up ids: the role check comes before any lookup."""
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("org."):
            url = adapter.build(rule.endpoint, dict.fromkeys(rule.arguments, 1))
            yield ("GET" if "GET" in rule.methods else "POST"), url


@pytest.mark.parametrize("role", [Role.school_staff, Role.coordinator])
def test_other_roles_get_403_on_every_admin_page(app, login, swv, role):
    home = SchoolFactory(municipality__region=swv.region) if role == Role.school_staff else swv
    other = login(user_with_role(role, home))
    urls = list(admin_urls(app))
    assert len(urls) >= 20
    for method, url in urls:
        assert other.open(url, method=method).status_code == 403, url


def test_anonymous_visitor_is_sent_to_login(app):
    response = app.test_client().get("/admin/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_index_lists_only_the_managed_regions(client, region):
    RegionFactory(name="Regio Elders")
    text = text_of(client.get("/admin/"))
    assert "Noord-Kennemerland" in text
    assert "Regio Elders" not in text


# --- region -----------------------------------------------------------------------------------


def test_edit_region_settings(client, region):
    response = client.post(f"/admin/regions/{region.id}/edit", data={
        "name": "Noord-Kennemerland en West-Friesland", "referral_answer_days": "14",
        "reopen_within_years": "3", "retention_youth_care_years": "25",
        "retention_school_years": "5"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (region.name, region.referral_answer_days, region.reopen_within_years,
            region.retention_youth_care_years, region.retention_school_years) == (
        "Noord-Kennemerland en West-Friesland", 14, 3, 25, 5)


@pytest.mark.parametrize("fields, message", [
    ({"retention_youth_care_years": "15"}, "Vul een getal in van 20 tot en met 30."),
    ({"reopen_within_years": "4", "retention_school_years": "3"},
     "Heropenen kan niet langer dan de bewaartermijn van een schoolcasus"),
])
def test_retention_settings_are_checked(client, region, fields, message):
    data = {"name": "Andere naam", "referral_answer_days": "10", "reopen_within_years": "2",
            "retention_youth_care_years": "20", "retention_school_years": "2", **fields}
    response = client.post(f"/admin/regions/{region.id}/edit", data=data)
    assert response.status_code == 422
    assert message in text_of(response)
    db.session.expire_all()
    assert region.name == "Noord-Kennemerland"


@pytest.mark.parametrize("days, message", [
    ("0", "Vul een getal in van 1 tot en met 90."),
    ("91", "Vul een getal in van 1 tot en met 90."),
    ("tien", "Vul een heel getal in, bijvoorbeeld 10."),
])
def test_region_settings_out_of_range_are_refused(client, region, days, message):
    response = client.post(f"/admin/regions/{region.id}/edit", data={
        "name": "Andere naam", "referral_answer_days": days, "reopen_within_years": "2",
        "retention_youth_care_years": "20", "retention_school_years": "2"})
    assert response.status_code == 422
    assert message in text_of(response)
    db.session.expire_all()
    assert region.name == "Noord-Kennemerland"


def test_region_of_another_admin_is_not_found(client):
    other = RegionFactory()
    assert client.get(f"/admin/regions/{other.id}/edit").status_code == 404
    assert client.get(f"/admin/regions/{other.id}/schools").status_code == 404
    assert client.post(f"/admin/regions/{other.id}/municipalities/new",
                       data={"name": "Bergen"}).status_code == 404
    assert count(Municipality, Municipality.name == "Bergen") == 0


# --- municipalities ---------------------------------------------------------------------------


def test_create_and_rename_municipality(client, region):
    response = client.post(f"/admin/regions/{region.id}/municipalities/new",
                           data={"name": "Heiloo"})
    assert response.status_code == 302
    municipality = db.session.scalar(sa.select(Municipality).where(Municipality.name == "Heiloo"))
    assert municipality.region_id == region.id
    client.post(f"/admin/municipalities/{municipality.id}/edit", data={"name": "Castricum"})
    db.session.expire_all()
    assert municipality.name == "Castricum"
    assert "Castricum" in text_of(client.get(f"/admin/regions/{region.id}/municipalities"))


def test_duplicate_municipality_is_refused(client, region, municipality):
    response = client.post(f"/admin/regions/{region.id}/municipalities/new",
                           data={"name": "alkmaar"})
    assert response.status_code == 422
    assert "Gemeente alkmaar staat al in deze regio." in text_of(response)
    assert count(Municipality, Municipality.region_id == region.id) == 1


# --- schools ----------------------------------------------------------------------------------


def school_form(municipality, **overrides):
    return {"brin": "12ab", "name": "OBS De Wissel", "sector": "po",
            "municipality_id": str(municipality.id), **overrides}


def test_create_school_upper_cases_the_brin(client, region, municipality):
    response = client.post(f"/admin/regions/{region.id}/schools/new",
                           data=school_form(municipality))
    assert response.status_code == 302
    school = db.session.scalar(sa.select(School).where(School.brin == "12AB"))
    assert (school.name, school.sector, school.region_id) == ("OBS De Wissel", Sector.po, region.id)
    assert response.headers["Location"].endswith(f"/admin/schools/{school.id}")


@pytest.mark.parametrize("brin", ["", "12A", "12ABC", "12-B"])
def test_invalid_brin_is_refused_and_nothing_stored(client, region, municipality, brin):
    response = client.post(f"/admin/regions/{region.id}/schools/new",
                           data=school_form(municipality, brin=brin))
    assert response.status_code == 422
    assert BRIN_MESSAGE in text_of(response)
    assert count(School, School.region_id == region.id) == 0


def test_duplicate_brin_is_refused_even_from_another_region(client, region, municipality):
    SchoolFactory(brin="12AB", name="School Elders")
    response = client.post(f"/admin/regions/{region.id}/schools/new",
                           data=school_form(municipality))
    assert response.status_code == 422
    assert "BRIN-code 12AB hoort al bij School Elders." in text_of(response)
    assert count(School, School.region_id == region.id) == 0


def test_school_needs_a_municipality_of_its_own_region(client, region, municipality):
    foreign = MunicipalityFactory(name="Gemeente Elders")
    response = client.post(f"/admin/regions/{region.id}/schools/new",
                           data=school_form(municipality, municipality_id=str(foreign.id)))
    assert response.status_code == 422
    assert NO_CHOICE in text_of(response)
    assert "Gemeente Elders" not in text_of(response)
    assert count(School) == 0


def test_edit_school(client, municipality):
    school = SchoolFactory(municipality=municipality, brin="01AB")
    other = MunicipalityFactory(region=municipality.region, name="Bergen")
    response = client.post(f"/admin/schools/{school.id}/edit", data=school_form(
        other, brin="01ab", name="CSG Bergen", sector="vo"))
    assert response.status_code == 302
    db.session.expire_all()
    assert (school.brin, school.name, school.sector, school.municipality_id) == (
        "01AB", "CSG Bergen", Sector.vo, other.id)


def test_school_of_another_region_is_not_found(client, elsewhere):
    school, _ = elsewhere
    assert client.get(f"/admin/schools/{school.id}").status_code == 404
    assert client.post(f"/admin/schools/{school.id}/edit",
                       data={"name": "Overgenomen"}).status_code == 404
    assert client.get(f"/admin/schools/{school.id}/contacts/new").status_code == 404
    db.session.expire_all()
    assert school.name == "School Elders"


def test_school_list_queries_do_not_grow_with_the_schools(client, region, municipality):
    def list_queries():
        with counted_queries() as statements:
            assert client.get(f"/admin/regions/{region.id}/schools").status_code == 200
        return len(statements)

    SchoolContactFactory(school=SchoolFactory(municipality=municipality))
    few = list_queries()
    for _ in range(5):
        SchoolContactFactory(school=SchoolFactory(municipality=MunicipalityFactory(region=region)))
    assert list_queries() == few


# --- organisations ----------------------------------------------------------------------------


def test_create_and_edit_organisation(client, region, municipality):
    response = client.post(f"/admin/regions/{region.id}/organisations/new", data={
        "name": "Wijkteam Alkmaar-Noord", "kind": "wijkteam",
        "municipality_id": str(municipality.id)})
    assert response.status_code == 302
    team = db.session.scalar(sa.select(Organisation).where(
        Organisation.name == "Wijkteam Alkmaar-Noord"))
    assert (team.kind, team.municipality_id, team.region_id) == (
        OrganisationKind.wijkteam, municipality.id, region.id)
    client.post(f"/admin/organisations/{team.id}/edit", data={
        "name": "Jeugdteam Alkmaar", "kind": "jeugdhulpaanbieder", "municipality_id": ""})
    db.session.expire_all()
    assert (team.name, team.kind, team.municipality_id) == (
        "Jeugdteam Alkmaar", OrganisationKind.jeugdhulpaanbieder, None)
    listing = text_of(client.get(f"/admin/regions/{region.id}/organisations"))
    assert "Jeugdteam Alkmaar Jeugdhulpaanbieder Hele regio" in listing


def test_organisation_without_name_or_kind_is_refused(client, region):
    response = client.post(f"/admin/regions/{region.id}/organisations/new",
                           data={"name": " ", "kind": ""})
    assert response.status_code == 422
    text = text_of(response)
    assert "Vul de naam van de organisatie in." in text
    assert "Kies wat voor organisatie dit is." in text


def test_organisation_of_another_region_is_not_found(client):
    organisation = OrganisationFactory()
    assert client.get(f"/admin/organisations/{organisation.id}/edit").status_code == 404


# --- contact persons --------------------------------------------------------------------------


@pytest.fixture
def school(municipality):
    return SchoolFactory(municipality=municipality, name="OBS De Wissel")


@pytest.fixture
def coach(swv):
    team = OrganisationFactory(region=swv.region, name="Wijkteam Alkmaar")
    return user_with_role(Role.youth_professional, team, name="Coach Carla")


@pytest.fixture
def deputy(swv):
    return user_with_role(Role.youth_professional, swv, name="Vervanger Victor")


def contact_form(user, **overrides):
    return {"partner_type": "jeugdhulp", "user_id": str(user.id), "deputy_user_id": "",
            "organisation_id": "", "valid_from": date.today().isoformat(), "valid_to": "",
            **overrides}


def test_add_contact_person_valid_today(client, school, coach, deputy):
    response = client.post(f"/admin/schools/{school.id}/contacts/new",
                           data=contact_form(coach, deputy_user_id=str(deputy.id)))
    assert response.status_code == 302
    db.session.expire_all()
    assert school.contact_for(PartnerType.jeugdhulp).user_id == coach.id
    text = text_of(client.get(f"/admin/schools/{school.id}"))
    assert "Coach Carla (vervanger: Vervanger Victor)" in text
    assert "Geldig vandaag" in text


def test_school_page_shows_which_contact_is_valid_today(client, school, coach, deputy):
    today = date.today()
    SchoolContactFactory(school=school, user=deputy, valid_from=today - timedelta(days=400),
                         valid_to=today - timedelta(days=1))
    SchoolContactFactory(school=school, user=coach, valid_from=today)
    SchoolContactFactory(school=school, user=deputy, partner_type=PartnerType.leerplicht,
                         valid_from=today + timedelta(days=7))
    text = text_of(client.get(f"/admin/schools/{school.id}"))
    assert "Jeugdhulp (J&G-coach / wijkteam) Coach Carla Leerplicht Geen geldige" in unescape(text)
    assert text.count("Geldig vandaag") == 1
    assert "Beëindigd" in text and "Nog niet geldig" in text
    listing = text_of(client.get(f"/admin/regions/{school.region_id}/schools"))
    assert "OBS De Wissel" in listing and "Coach Carla" in listing


@pytest.mark.parametrize("overrides, message", [
    ({"deputy_user_id": "same"}, "Kies als vervanger iemand anders dan de contactpersoon zelf."),
    ({"valid_to": (date.today() - timedelta(days=1)).isoformat()},
     "De einddatum ligt vóór de begindatum."),
    ({"valid_from": "morgen"}, "Vul een geldige datum in, bijvoorbeeld 01-08-2025."),
    ({"partner_type": ""}, "Kies namens welke partner deze contactpersoon werkt."),
])
def test_invalid_contact_person_is_refused(client, school, coach, overrides, message):
    if overrides.get("deputy_user_id") == "same":
        overrides["deputy_user_id"] = str(coach.id)
    response = client.post(f"/admin/schools/{school.id}/contacts/new",
                           data=contact_form(coach, **overrides))
    assert response.status_code == 422
    assert message in text_of(response)
    assert count(SchoolContact) == 0


def test_contact_person_must_work_in_the_region(client, school, elsewhere):
    _, worker = elsewhere
    response = client.post(f"/admin/schools/{school.id}/contacts/new", data=contact_form(worker))
    assert response.status_code == 422
    assert count(SchoolContact) == 0
    assert "Wim Elders" not in text_of(client.get(f"/admin/schools/{school.id}/contacts/new"))


def test_edit_and_end_contact_person(client, school, coach, deputy):
    contact = SchoolContactFactory(school=school, user=coach,
                                   valid_from=date.today() - timedelta(days=30))
    response = client.post(f"/admin/contacts/{contact.id}/edit", data=contact_form(
        coach, deputy_user_id=str(deputy.id), partner_type="jgz",
        valid_from=contact.valid_from.isoformat()))
    assert response.status_code == 302
    yesterday = date.today() - timedelta(days=1)
    response = client.post(f"/admin/contacts/{contact.id}/end",
                           data={"valid_to": yesterday.isoformat()})
    assert response.status_code == 302
    db.session.expire_all()
    assert (contact.partner_type, contact.deputy_user_id, contact.valid_to) == (
        PartnerType.jgz, deputy.id, yesterday)
    assert "Beëindigd" in text_of(client.get(f"/admin/schools/{school.id}"))


def test_contact_cannot_end_before_it_started(client, school, coach):
    contact = SchoolContactFactory(school=school, user=coach, valid_from=date.today())
    response = client.post(f"/admin/contacts/{contact.id}/end",
                           data={"valid_to": (date.today() - timedelta(days=3)).isoformat()})
    assert response.status_code == 422
    assert "De einddatum ligt vóór de begindatum" in text_of(response)
    db.session.expire_all()
    assert contact.valid_to is None


def test_contact_of_another_region_is_not_found(client, elsewhere):
    school, worker = elsewhere
    contact = SchoolContactFactory(school=school, user=worker)
    assert client.get(f"/admin/contacts/{contact.id}/edit").status_code == 404
    assert client.post(f"/admin/contacts/{contact.id}/end",
                       data={"valid_to": date.today().isoformat()}).status_code == 404


# --- users ------------------------------------------------------------------------------------


def user_form(home, **overrides):
    kind = "school" if isinstance(home, School) else "organisation"
    return {"name": "Ilse Intern", "email": "Ilse@Wissel.nl", "job_title": "Intern begeleider",
            "password": "lang genoeg wachtwoord", "role": "school_staff",
            "home": f"{kind}:{home.id}", **overrides}


def test_create_user_with_first_role(client, school):
    response = client.post("/admin/users/new", data=user_form(school))
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "ilse@wissel.nl"))
    assert user.check_password("lang genoeg wachtwoord")
    assert [(m.role, m.school_id) for m in user.memberships] == [(Role.school_staff, school.id)]
    assert "Ilse Intern" in text_of(client.get("/admin/users"))


@pytest.mark.parametrize("overrides, message", [
    ({"password": "te kort"}, "Gebruik 12 tot en met 128 tekens."),
    ({"email": "geen-adres"}, "Vul een geldig e-mailadres in, bijvoorbeeld naam@school.nl."),
    ({"role": "coordinator"}, "Deze rol hoort bij een organisatie: kies een organisatie."),
    ({"name": ""}, "Vul de naam in."),
])
def test_invalid_new_user_is_refused(client, school, overrides, message):
    response = client.post("/admin/users/new", data=user_form(school, **overrides))
    assert response.status_code == 422
    assert message in text_of(response)
    assert count(User, User.name == "Ilse Intern") == 0


def test_existing_email_is_refused(client, school, coach):
    response = client.post("/admin/users/new", data=user_form(school, email=coach.email))
    assert response.status_code == 422
    assert f"Er is al een account met e-mailadres {coach.email}." in text_of(response)


def test_new_user_cannot_be_placed_in_another_region(client, elsewhere):
    school, _ = elsewhere
    response = client.post("/admin/users/new", data=user_form(school))
    assert response.status_code == 422
    assert NO_CHOICE in text_of(response)
    assert count(User, User.name == "Ilse Intern") == 0


def test_user_list_shows_the_region_only_filters_and_searches(client, coach, elsewhere):
    _, worker = elsewhere
    text = text_of(client.get("/admin/users"))
    assert "Coach Carla" in text and "Beheerder Bea" in text
    assert "Wim Elders" not in text
    text = text_of(client.get("/admin/users?role=youth_professional"))
    assert "1 gebruiker." in text and "Coach Carla" in text
    text = text_of(client.get("/admin/users?q=carl"))
    assert "1 gebruiker met" in text and "Coach Carla" in text
    assert client.get(f"/admin/users/{worker.id}").status_code == 404
    assert client.get("/admin/users?role=koning").status_code == 400


def test_user_list_is_paginated(client, swv):
    for _ in range(51):
        user_with_role(Role.participant, swv)
    first = text_of(client.get("/admin/users"))
    assert "52 gebruikers" in first and "Pagina 1 van 2" in first
    assert "Pagina 2 van 2" in text_of(client.get("/admin/users?page=2"))


def test_add_and_remove_membership(client, coach, school):
    response = client.post(f"/admin/users/{coach.id}/memberships",
                           data={"role": "school_staff", "home": f"school:{school.id}"})
    assert response.status_code == 302
    db.session.expire_all()
    added = next(m for m in coach.memberships if m.role == Role.school_staff)
    assert added.school_id == school.id
    assert client.post(f"/admin/memberships/{added.id}/remove").status_code == 302
    db.session.expire_all()
    assert [m.role for m in coach.memberships] == [Role.youth_professional]


def test_membership_at_a_school_of_another_region_is_refused(client, coach, elsewhere):
    school, _ = elsewhere
    response = client.post(f"/admin/users/{coach.id}/memberships",
                           data={"role": "school_staff", "home": f"school:{school.id}"})
    assert response.status_code == 422
    assert NO_CHOICE in text_of(response)
    assert count(Membership, Membership.school_id == school.id, Membership.user_id == coach.id) == 0


def test_membership_of_another_region_cannot_be_removed(client, elsewhere):
    _, worker = elsewhere
    membership = worker.memberships[0]
    assert client.post(f"/admin/memberships/{membership.id}/remove").status_code == 404
    assert count(Membership, Membership.user_id == worker.id) == 1


def test_last_role_of_a_user_is_not_removed(client, coach):
    membership = coach.memberships[0]
    response = client.post(f"/admin/memberships/{membership.id}/remove", follow_redirects=True)
    assert "Dit is de enige rol van deze gebruiker." in text_of(response)
    assert count(Membership, Membership.user_id == coach.id) == 1


def test_admin_cannot_remove_their_own_admin_role(client, admin, school):
    MembershipFactory(user=admin, role=Role.school_staff, school=school)
    own = next(m for m in admin.memberships if m.role == Role.admin)
    response = client.post(f"/admin/memberships/{own.id}/remove", follow_redirects=True)
    assert "U kunt uw eigen beheerdersrol niet intrekken." in text_of(response)
    assert count(Membership, Membership.id == own.id) == 1


def test_deactivating_a_user_ends_their_session(client, login, coach):
    coach_client = login(coach)
    assert coach_client.get("/").status_code == 200
    response = client.post(f"/admin/users/{coach.id}/deactivate")
    assert response.status_code == 302
    db.session.expire_all()
    assert coach.active is False
    after = coach_client.get("/")
    assert after.status_code == 302
    assert "/auth/login" in after.headers["Location"]
    refused = coach_client.post("/auth/login", data={"email": coach.email, "password": PASSWORD})
    assert refused.status_code != 302


def test_reactivate_user(client, login, coach):
    client.post(f"/admin/users/{coach.id}/deactivate")
    client.post(f"/admin/users/{coach.id}/reactivate")
    db.session.expire_all()
    assert coach.active is True
    login(coach)


def test_an_account_that_also_works_in_another_region_is_not_deactivated_here(
        client, login, coach, elsewhere):
    """Deactivating would lock the coach out of the other region too: the admin revokes the
    roles in their own region instead."""
    school, _ = elsewhere
    MembershipFactory(user=coach, role=Role.school_staff, school=school)
    page = text_of(client.get(f"/admin/users/{coach.id}"))
    assert "Account op inactief zetten" not in page
    assert "werkt ook buiten uw regio" in page
    assert client.post(f"/admin/users/{coach.id}/deactivate").status_code == 403
    db.session.expire_all()
    assert coach.active is True
    login(coach)


def test_admin_cannot_deactivate_themselves(client, admin):
    assert client.post(f"/admin/users/{admin.id}/deactivate").status_code == 403
    db.session.expire_all()
    assert admin.active is True
    assert "Account op inactief zetten" not in text_of(client.get(f"/admin/users/{admin.id}"))


def test_user_page_shows_only_the_roles_in_the_region(client, coach, elsewhere):
    school, _ = elsewhere
    both = user_with_role(Role.school_staff, school)
    MembershipFactory(user=both, role=Role.participant,
                      organisation=coach.memberships[0].organisation)
    db.session.refresh(both)
    text = text_of(client.get(f"/admin/users/{both.id}"))
    assert "Wijkteam Alkmaar" in text and "School Elders" not in text
    assert "1 rol buiten uw regio" in text


# --- command line -----------------------------------------------------------------------------


def test_create_region_command(runner):
    result = runner.invoke(args=["org", "create-region", "--code", "nk2", "--name",
                                 "Noord-Kennemerland", "--swv", "SWV PO Noord-Kennemerland"])
    assert result.exit_code == 0, result.output
    region = db.session.scalar(sa.select(Region).where(Region.code == "NK2"))
    assert region.name == "Noord-Kennemerland"
    assert count(Organisation, Organisation.region_id == region.id,
                 Organisation.kind == OrganisationKind.samenwerkingsverband) == 1
    again = runner.invoke(args=["org", "create-region", "--code", "NK2", "--name", "Dubbel"])
    assert again.exit_code != 0
    assert "Er is al een regio met code NK2." in again.output
