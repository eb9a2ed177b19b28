"""A withdrawn consent takes effect on the very next request."""

from app.auth.models import Role
from app.extensions import db
from app.models import utcnow
from tests.factories import (
    CaseFactory,
    ConsentFactory,
    OrganisationFactory,
    ReferralFactory,
    SchoolFactory,
    user_with_role,
)


def test_withdrawing_consent_ends_the_professionals_access_at_once(login):
    school = SchoolFactory()
    wijkteam = OrganisationFactory(region=school.region)
    coach = user_with_role(Role.youth_professional, wijkteam)
    case = CaseFactory(school=school, pupil__school=school)
    ReferralFactory(case=case, to_user=coach, to_organisation=wijkteam)
    consent = ConsentFactory(case=case, recipient=wijkteam)
    client = login(coach)
    assert client.get(f"/cases/{case.id}").status_code == 200

    consent.withdrawn_at = utcnow()
    db.session.flush()
    assert client.get(f"/cases/{case.id}").status_code == 404
    # the school keeps its own case
    ib = user_with_role(Role.school_staff, school)
    assert login(ib).get(f"/cases/{case.id}").status_code == 200
