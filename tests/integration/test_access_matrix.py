"""Every route × every role × own/foreign objects, against the table in app/auth/access_matrix.py.

A route without an entry in the table fails `test_every_route_is_in_the_matrix`.
"""

from dataclasses import dataclass

import pytest
from flask import url_for

from app.auth.access_matrix import ALLOW, DENY, MATRIX, PUBLIC
from app.auth.models import Role
from app.cases.models import Discipline, ReferralStatus
from app.cases.workflow import CaseState
from app.org.models import OrganisationKind
from tests.factories import (
    ArrangementFactory,
    CaseFactory,
    ConsentFactory,
    EscalationFactory,
    EscalationTierFactory,
    EvaluationFactory,
    MdoActionFactory,
    MdoMeetingFactory,
    MdoParticipantFactory,
    NotificationFactory,
    OrganisationFactory,
    ReferralFactory,
    RegieHandoverFactory,
    SchoolContactFactory,
    SchoolFactory,
    ThuiszitterEpisodeFactory,
    user_with_role,
)
from tests.integration.test_survey import survey_world

# Allowed roles act last, the admin very last: its allowed POSTs may change the world.
ROLE_ORDER = [Role.participant, Role.privacy_officer, Role.coordinator, Role.youth_professional,
              Role.school_staff, Role.admin]


@dataclass
class World:
    params: dict
    users: dict


def build_world() -> World:
    school = SchoolFactory()
    region = school.region
    wijkteam = OrganisationFactory(region=region, kind=OrganisationKind.wijkteam)
    swv = OrganisationFactory(region=region, kind=OrganisationKind.samenwerkingsverband)
    leerplicht = OrganisationFactory(region=region, kind=OrganisationKind.leerplicht)
    users = {
        Role.school_staff: user_with_role(Role.school_staff, school),
        Role.youth_professional: user_with_role(Role.youth_professional, wijkteam),
        Role.participant: user_with_role(Role.participant, leerplicht),
        Role.coordinator: user_with_role(Role.coordinator, swv),
        Role.admin: user_with_role(Role.admin, swv),
        Role.privacy_officer: user_with_role(Role.privacy_officer, swv),
    }
    case = CaseFactory(school=school, pupil__school=school, state=CaseState.escalation,
                       regie_holder_id=users[Role.youth_professional].id)
    meeting = MdoMeetingFactory(case=case)
    MdoParticipantFactory(meeting=meeting, user=users[Role.participant],
                          organisation=leerplicht, discipline=Discipline.leerplicht)
    consents = [ConsentFactory(case=case, recipient=organisation)
                for organisation in (wijkteam, leerplicht)]
    escalation = EscalationFactory(case=case)
    ThuiszitterEpisodeFactory(case=case)
    EvaluationFactory(case=case)  # an earlier evaluation, listed on the case page
    # an MDO held earlier: its printable minutes, and an open action of the participant
    held = MdoMeetingFactory(case=case, held_at=case.opened_at, minutes="Verslag.")
    action = MdoActionFactory(meeting=held, owner_id=users[Role.participant].id)
    ArrangementFactory(case=case)
    handover = RegieHandoverFactory(case=case, to_user_id=users[Role.school_staff].id,
                                    requested_by_id=users[Role.youth_professional].id)
    # a referral the youth professional accepted: its page, answers and progress notes
    referral = ReferralFactory(case=case, to_organisation=wijkteam,
                               to_user=users[Role.youth_professional],
                               status=ReferralStatus.accepted)
    target = user_with_role(Role.school_staff, school)  # the user the admin routes act on
    contact = SchoolContactFactory(school=school, user=users[Role.youth_professional])
    params = {
        "case_id": case.id, "trigger": "close", "region_id": region.id,
        "municipality_id": school.municipality_id, "school_id": school.id,
        "organisation_id": wijkteam.id, "contact_id": contact.id, "user_id": target.id,
        "membership_id": target.memberships[0].id,
        "escalation_id": escalation.id, "tier_id": EscalationTierFactory(region=region).id,
        "consent_id": consents[0].id, "handover_id": handover.id,
        "referral_id": referral.id, "step": "wait",
        "meeting_id": held.id, "action_id": action.id,
        "notification_id": NotificationFactory(user=users[Role.school_staff], case_id=case.id,
                                               link=f"/cases/{case.id}").id,
    }
    params |= survey_world(region, users[Role.coordinator])  # an open round, a live link
    return World(params, users)


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(endpoints - MATRIX.keys()) == [], "add these routes to access_matrix.py"
    assert sorted(MATRIX.keys() - endpoints) == [], "these entries have no route any more"


def _classify(response) -> str:
    assert response.status_code < 500, f"server error {response.status_code}"
    if response.status_code == 302 and "/auth/login" in (response.location or ""):
        return "login"
    if response.status_code in (403, 404):
        return DENY
    return ALLOW


def _methods(rule):
    return sorted(m for m in rule.methods if m in ("GET", "POST"))


def _url(app, endpoint, rule, world) -> str:
    with app.test_request_context():
        return url_for(endpoint, **{name: world.params[name] for name in rule.arguments})


@pytest.mark.parametrize("endpoint", sorted(e for e, v in MATRIX.items() if v != PUBLIC))
def test_route_access(app, login, endpoint):
    own, foreign = build_world(), build_world()
    expected = MATRIX[endpoint]
    clients = {("own", r): login(u) for r, u in own.users.items()}
    clients |= {("foreign", r): login(u) for r, u in foreign.users.items()}
    failures = []
    for rule in [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]:
        url = _url(app, endpoint, rule, own)
        checks = [("anonymous", app.test_client(), "login")]
        if rule.arguments:
            checks += [(f"{r.value} of another region", clients["foreign", r], DENY)
                       for r in ROLE_ORDER]
        checks += [(r.value, clients["own", r], expected[r]) for r in ROLE_ORDER]
        for method in _methods(rule):
            for label, client, want in checks:
                got = _classify(client.open(url, method=method))
                if got != want:
                    failures.append(f"{method} {rule.rule} as {label}: {got}, expected {want}")
    assert failures == []
