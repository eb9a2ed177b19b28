"""Hostile and random input on every admin form: a 4xx with a Dutch message or a correct save,
never a 500 and never stored script."""

import inspect

import pytest
from flask_wtf import FlaskForm
from hypothesis import given, settings
from hypothesis import strategies as st

from app.auth.models import Role
from app.org import forms as org_forms
from app.org.models import OrganisationKind
from tests.factories import (
    OrganisationFactory,
    SchoolContactFactory,
    SchoolFactory,
    user_with_role,
)
from tests.integration.test_fuzz_forms import FUZZ, anything

# Every field name of every admin form: each POST gets values for all of them.
FIELDS = sorted({
    name
    for _, form in inspect.getmembers(org_forms, inspect.isclass)
    if issubclass(form, FlaskForm) and form is not FlaskForm
    for name, value in vars(form).items()
    if hasattr(value, "field_class")
})

ENDPOINTS = [
    "/admin/regions/{region}/edit", "/admin/regions/{region}/municipalities/new",
    "/admin/municipalities/{municipality}/edit", "/admin/regions/{region}/schools/new",
    "/admin/schools/{school}/edit", "/admin/regions/{region}/organisations/new",
    "/admin/organisations/{organisation}/edit", "/admin/schools/{school}/contacts/new",
    "/admin/contacts/{contact}/edit", "/admin/contacts/{contact}/end", "/admin/users/new",
    "/admin/users/{user}/memberships",
]


@pytest.fixture
def admin_world(login):
    school = SchoolFactory()
    swv = OrganisationFactory(region=school.region, kind=OrganisationKind.samenwerkingsverband)
    admin = user_with_role(Role.admin, swv)
    staff = user_with_role(Role.school_staff, school)
    contact = SchoolContactFactory(school=school, user=staff)
    ids = {"region": school.region_id, "municipality": school.municipality_id,
           "school": school.id, "organisation": swv.id, "contact": contact.id,
           "user": staff.id}
    return login(admin), ids


def test_the_fuzzer_knows_the_admin_fields():
    assert {"brin", "name", "email", "password", "valid_from", "referral_answer_days"} <= set(
        FIELDS)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@settings(FUZZ, max_examples=8)
@given(values=st.fixed_dictionaries({name: anything for name in FIELDS}))
def test_admin_forms_never_break(admin_world, endpoint, values):
    client, ids = admin_world
    data = {k: v for k, v in values.items() if v is not None}
    response = client.post(endpoint.format(**ids), data=data)
    assert response.status_code in (200, 302, 400, 404, 409, 422), response.status_code
    body = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    if response.status_code == 302:
        shown = client.get(response.location).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in shown
