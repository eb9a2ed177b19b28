from app.auth.models import Role
from tests.conftest import text_of
from tests.factories import CaseFactory, SchoolFactory, user_with_role


def test_school_staff_sees_own_case_in_caseload(login):
    school = SchoolFactory()
    ib = user_with_role(Role.school_staff, school)
    case = CaseFactory(school=school, pupil__school=school)
    client = login(ib)
    response = client.get("/cases/")
    assert response.status_code == 200
    assert case.pupil.reference in text_of(response)
