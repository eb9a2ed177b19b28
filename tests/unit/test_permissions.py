"""Who may see, edit and move a case (DESIGN §2), on plain objects: no app, no database."""

from itertools import count, product
from types import SimpleNamespace

import pytest
from flask_login import AnonymousUserMixin

from app.auth import permissions as p
from app.auth.models import Role
from app.cases.workflow import CaseState, valid_triggers

S = CaseState
REGION, OTHER_REGION = 1, 2
SCHOOL, OTHER_SCHOOL = 10, 20
OPEN_STATES = [s for s in CaseState if s not in (S.escalation, S.closed)]
_ids = count(100)


@pytest.fixture(autouse=True)
def _db_transaction():
    """Overrides the conftest fixture: these tests need no app and no database."""
    yield


def user(*roles):
    """A logged-in user with one membership per (role, school_id | None, region_id)."""
    memberships = []
    for role, school_id, region_id in roles:
        home = SimpleNamespace(name=f"thuis van {role.value}")
        memberships.append(SimpleNamespace(
            role=role, school_id=school_id, region_id=region_id, home=home,
            school=home if school_id else None,
            organisation_id=None if school_id else next(_ids),
        ))
    return SimpleNamespace(id=next(_ids), is_authenticated=True, memberships=memberships)


def staff(school=SCHOOL, region=REGION):
    return user((Role.school_staff, school, region))


def org_user(role, region=REGION):
    return user((role, None, region))


def case(state=S.signalering, school=SCHOOL, region=REGION, regie_holder=None,
         referrals=(), mdo_users=(), consented=None, meldcode=None, handover_to=None):
    """A case; `consented` is the set of organisation ids with valid consent (None: all);
    `handover_to`: the receiver of an open casusregie handover."""
    meeting = SimpleNamespace(participants=[SimpleNamespace(user_id=u.id) for u in mdo_users])

    def valid_consent_for(organisation_id, on):
        if consented is None or organisation_id in consented:
            return SimpleNamespace(id=organisation_id)
        return None

    return SimpleNamespace(
        state=state, school_id=school, school=SimpleNamespace(region_id=region),
        regie_holder_id=regie_holder.id if regie_holder else None,
        referrals=[SimpleNamespace(to_user_id=u.id, status=SimpleNamespace(value=status))
                   for u, status in referrals],
        mdo_meetings=[meeting] if mdo_users else [],
        valid_consent_for=valid_consent_for, meldcode_justification=meldcode,
        open_handover=SimpleNamespace(to_user_id=handover_to.id) if handover_to else None,
    )


def fireable(u, c) -> set[str]:
    """The steps this user may take from the case's state (whether the guards pass or not)."""
    return {t for t in valid_triggers(c) if p.can_fire(u, c, t)}


# --- school staff ------------------------------------------------------------------------------


@pytest.mark.parametrize("state", OPEN_STATES, ids=lambda s: s.value)
def test_school_staff_works_the_cases_of_their_school(state):
    ib, c = staff(), case(state)
    assert p.can_view_case(ib, c) and p.can_edit_case(ib, c)
    assert fireable(ib, c) == set(valid_triggers(c))  # every step of the case team
    assert p.case_access(ib, c).rule == "school_staff"


def test_school_staff_reopens_but_no_longer_edits_a_closed_case():
    ib, c = staff(), case(S.closed)
    assert p.can_view_case(ib, c)
    assert not p.can_edit_case(ib, c)
    assert fireable(ib, c) == {"reopen"}


def test_school_staff_sees_an_escalated_case_but_the_coordinator_decides():
    ib, c = staff(), case(S.escalation)
    assert p.can_view_case(ib, c)
    assert fireable(ib, c) == set()


@pytest.mark.parametrize("state", list(CaseState), ids=lambda s: s.value)
@pytest.mark.parametrize("other", ["other school, same region", "other region"])
def test_staff_of_another_school_gets_nothing(state, other):
    ib = staff(OTHER_SCHOOL, REGION if other.endswith("same region") else OTHER_REGION)
    c = case(state)
    assert not p.can_view_case(ib, c)
    assert not p.can_edit_case(ib, c)
    assert fireable(ib, c) == set()
    assert p.case_access(ib, c) is None


def test_only_school_staff_open_cases_and_see_a_caseload():
    ib = staff()
    assert p.can_open_case(ib, SCHOOL) and not p.can_open_case(ib, OTHER_SCHOOL)
    assert p.can_see_caseload(ib) and p.schools_of(ib) == {SCHOOL}
    for role in set(Role) - {Role.school_staff}:
        someone = org_user(role)
        assert not p.can_see_caseload(someone)
        assert not p.can_open_case(someone, SCHOOL)


def test_staff_of_two_schools_works_both():
    ib = user((Role.school_staff, SCHOOL, REGION), (Role.school_staff, OTHER_SCHOOL, REGION))
    assert p.schools_of(ib) == {SCHOOL, OTHER_SCHOOL}
    assert p.can_view_case(ib, case(school=OTHER_SCHOOL))


# --- youth professionals and participants -------------------------------------------------------


def test_youth_professional_without_involvement_sees_nothing():
    coach = org_user(Role.youth_professional)
    colleague = org_user(Role.youth_professional)
    c = case(S.mdo, referrals=[(colleague, "accepted")], mdo_users=[colleague])
    assert not p.can_view_case(coach, c)
    assert fireable(coach, c) == set()


@pytest.mark.parametrize("state", OPEN_STATES, ids=lambda s: s.value)
def test_the_regie_holder_works_the_case_like_the_school(state):
    coach = org_user(Role.youth_professional)
    c = case(state, regie_holder=coach)
    assert p.can_view_case(coach, c) and p.can_edit_case(coach, c)
    assert fireable(coach, c) == set(valid_triggers(c))
    assert p.case_access(coach, c).rule.startswith("regie_holder+consent:")


def test_the_regie_holder_cannot_reopen_a_closed_case():
    coach = org_user(Role.youth_professional)
    c = case(S.closed, regie_holder=coach)
    assert p.can_view_case(coach, c)
    assert fireable(coach, c) == set()


@pytest.mark.parametrize("status", ["sent", "accepted", "waiting", "started", "ended"])
def test_a_referral_to_the_professional_lets_them_read(status):
    coach = org_user(Role.youth_professional)
    c = case(S.signalering, referrals=[(coach, status)])
    assert p.can_view_case(coach, c)
    assert p.case_access(coach, c).rule.startswith("case_team+consent:")
    assert not p.can_edit_case(coach, c)
    assert fireable(coach, c) == set()


@pytest.mark.parametrize("status", ["declined", "redirected"])
def test_a_declined_or_redirected_referral_gives_no_access(status):
    coach = org_user(Role.youth_professional)
    assert not p.can_view_case(coach, case(referrals=[(coach, status)]))


def test_a_declined_referral_does_not_hide_a_later_live_one():
    coach = org_user(Role.youth_professional)
    assert p.can_view_case(coach, case(referrals=[(coach, "declined"), (coach, "sent")]))


@pytest.mark.parametrize("role", [Role.youth_professional, Role.participant])
def test_mdo_participants_read_the_case(role):
    someone = org_user(role)
    c = case(S.mdo, mdo_users=[someone])
    assert p.can_view_case(someone, c)
    assert p.case_access(someone, c).role == role.value
    assert not p.can_edit_case(someone, c)
    assert fireable(someone, c) == set()


def test_a_participant_sees_a_case_only_through_an_mdo():
    leerplicht = org_user(Role.participant)
    assert not p.can_view_case(leerplicht, case(S.mdo))
    assert not p.can_view_case(leerplicht, case(S.mdo, referrals=[(leerplicht, "accepted")]))


# --- coordinators ----------------------------------------------------------------------------


def test_coordinator_sees_and_decides_escalated_cases_of_their_region():
    coordinator, c = org_user(Role.coordinator), case(S.escalation)
    assert p.can_view_case(coordinator, c)
    assert p.case_access(coordinator, c).rule == "coordinator_escalation"
    assert fireable(coordinator, c) == {"resolve_escalation", "close"}
    assert not p.can_edit_case(coordinator, c)


@pytest.mark.parametrize("state", [s for s in CaseState if s is not S.escalation],
                         ids=lambda s: s.value)
def test_coordinator_sees_nothing_of_cases_that_are_not_escalated(state):
    coordinator, c = org_user(Role.coordinator), case(state)
    assert not p.can_view_case(coordinator, c)
    assert fireable(coordinator, c) == set()


def test_coordinator_of_another_region_sees_nothing():
    coordinator = org_user(Role.coordinator, OTHER_REGION)
    c = case(S.escalation)
    assert not p.can_view_case(coordinator, c)
    assert fireable(coordinator, c) == set()


# --- roles without case content, and nobody ---------------------------------------------------


@pytest.mark.parametrize(("role", "state"),
                         list(product([Role.admin, Role.privacy_officer], CaseState)),
                         ids=lambda v: v.value)
def test_admin_and_privacy_officer_never_see_case_content(role, state):
    officer = org_user(role)
    c = case(state)
    assert not p.can_view_case(officer, c)
    assert not p.can_edit_case(officer, c)
    assert fireable(officer, c) == set()


def test_privacy_officer_reads_the_access_log_of_their_region_only():
    officer = org_user(Role.privacy_officer)
    assert p.can_read_audit_log(officer, case())
    assert not p.can_read_audit_log(officer, case(region=OTHER_REGION))
    assert not p.can_read_audit_log(staff(), case())


@pytest.mark.parametrize("state", list(CaseState), ids=lambda s: s.value)
def test_an_anonymous_user_gets_nothing(state):
    nobody, c = AnonymousUserMixin(), case(state)
    assert p.case_access(nobody, c) is None
    assert not p.can_view_case(nobody, c) and not p.can_edit_case(nobody, c)
    assert fireable(nobody, c) == set()
    assert not p.can_see_caseload(nobody) and not p.can_open_case(nobody, SCHOOL)
    assert not p.can_administer(nobody)


# --- consent: professionals outside the school ----------------------------------------------------


def test_without_consent_for_their_organisation_professionals_see_nothing():
    coach, lpa = org_user(Role.youth_professional), org_user(Role.participant)
    c = case(S.mdo, regie_holder=coach, referrals=[(coach, "accepted")],
             mdo_users=[coach, lpa], consented=set())
    for someone in (coach, lpa):
        assert not p.can_view_case(someone, c)
        assert not p.can_edit_case(someone, c)
        assert fireable(someone, c) == set()


def test_consent_for_another_organisation_does_not_count():
    coach = org_user(Role.youth_professional)
    other_org = coach.memberships[0].organisation_id + 1000
    assert not p.can_view_case(coach, case(S.mdo, regie_holder=coach, consented={other_org}))


def test_a_meldcode_justification_stands_in_for_consent():
    coach = org_user(Role.youth_professional)
    c = case(S.mdo, referrals=[(coach, "accepted")], consented=set(),
             meldcode="Vermoeden van huiselijk geweld; overleg met Veilig Thuis.")
    assert p.case_access(coach, c).rule == "case_team+meldcode"


def test_the_school_needs_no_consent_for_its_own_case():
    assert p.can_view_case(staff(), case(S.mdo, consented=set()))


@pytest.mark.parametrize("role", [Role.admin, Role.privacy_officer, Role.coordinator])
def test_regie_named_on_a_non_case_team_account_gives_no_access(role):
    someone = org_user(role)
    c = case(S.arrangement, regie_holder=someone)
    assert not p.is_regie_holder(someone, c)
    assert not p.can_view_case(someone, c) and not p.can_edit_case(someone, c)


def test_the_receiver_of_a_handover_sees_the_case_under_consent_only():
    coach = org_user(Role.youth_professional)
    organisation = coach.memberships[0].organisation_id

    access = p.case_access(coach, case(S.mdo, handover_to=coach))

    assert access.rule == f"handover+consent:{organisation}"
    assert not p.can_view_case(coach, case(S.mdo, handover_to=coach, consented=set()))
    assert not p.can_view_case(coach, case(S.mdo, handover_to=org_user(Role.youth_professional)))
