"""Every access rule of Schakel, in one module.

Views call these before acting and templates call the same functions (they are Jinja globals), so
a button is shown exactly when the action is allowed. Out-of-scope objects answer 404, so their
existence does not leak; in-scope actions the user may not take answer 403.
Admins and privacy officers never see case content.
"""

from dataclasses import dataclass
from datetime import date

from app.auth.models import Role
from app.cases.workflow import CaseState


@dataclass(frozen=True)
class Access:
    """Why a user may act on a case: the rule that allowed it, in which role, for which home."""

    rule: str
    role: str | None = None
    organisation: str | None = None


# Roles that work a case: the school and the youth professional.
CASE_TEAM_ROLES = frozenset({Role.school_staff, Role.youth_professional})
# Triggers that belong to the regional coordinator once a case is escalated.
COORDINATOR_TRIGGERS = frozenset({"resolve_escalation", "close"})
# Triggers the case team (school staff of the school, or the regie holder) may fire.
CASE_TEAM_TRIGGERS = frozenset({
    "plan_mdo", "agree_arrangement", "start_light_help", "start_evaluation",
    "continue_arrangement", "back_to_mdo", "close", "escalate",
})


def _memberships(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return user.memberships


def has_role(user, role: Role) -> bool:
    return any(m.role == role for m in _memberships(user))


def _school_ids(user, role: Role = Role.school_staff) -> set[int]:
    return {m.school_id for m in _memberships(user) if m.role == role and m.school_id}


def _region_ids(user, role: Role) -> set[int]:
    return {m.region_id for m in _memberships(user) if m.role == role}


def schools_of(user) -> set[int]:
    """School ids whose caseload this user works (school staff memberships)."""
    return _school_ids(user)


def is_school_staff_of(user, school_id: int) -> bool:
    return school_id in _school_ids(user)


def is_regie_holder(user, case) -> bool:
    """Holding regie gives case-team rights only to case-team roles (never to an admin or a
    privacy-officer account that was named by mistake)."""
    return case.regie_holder_id == getattr(user, "id", None) and any(
        m.role in CASE_TEAM_ROLES for m in _memberships(user)
    )


def _has_live_referral(user, case) -> bool:
    """A referral addressed to the user that they did not decline or pass on."""
    return any(r.to_user_id == user.id and r.status.value not in {"declined", "redirected"}
               for r in case.referrals)


def _is_mdo_participant(user, case) -> bool:
    return any(p.user_id == user.id for m in case.mdo_meetings for p in m.participants)


def is_coordinator_of_case(user, case) -> bool:
    return case.school.region_id in _region_ids(user, Role.coordinator)


# --- cases ---------------------------------------------------------------------------------


def can_open_case(user, school_id: int) -> bool:
    return is_school_staff_of(user, school_id)


def case_access(user, case) -> Access | None:
    """The rule under which `user` may see `case` (for the access log), or None.

    The school sees its own cases. Professionals outside the school see a case only while a
    valid consent covers their organisation (or a meldcode justification is recorded): a
    withdrawn consent takes effect on the next request.
    """
    for membership in _memberships(user):
        if membership.role == Role.school_staff and membership.school_id == case.school_id:
            return Access("school_staff", membership.role.value, membership.school.name)
    if is_regie_holder(user, case):
        return _external_access(user, case, Role.youth_professional, "regie_holder")
    if has_role(user, Role.youth_professional) and (
        _has_live_referral(user, case) or _is_mdo_participant(user, case)
    ):
        return _external_access(user, case, Role.youth_professional, "case_team")
    if has_role(user, Role.participant) and _is_mdo_participant(user, case):
        return _external_access(user, case, Role.participant, "case_team")
    # Coordinators see full detail of escalated cases of their region only.
    if case.state == CaseState.escalation and is_coordinator_of_case(user, case):
        membership = _membership(user, Role.coordinator)
        return Access("coordinator_escalation", Role.coordinator.value, str(membership.home))
    return None


def _external_access(user, case, role: Role, relation: str) -> Access | None:
    """Access for a professional outside the school: their relation to the case, under a
    consent record or the meldcode justification (logged as e.g. `case_team+consent:12`)."""
    for membership in _memberships(user):
        if membership.role != role:
            continue
        consent = case.valid_consent_for(membership.organisation_id, date.today())
        if consent is not None:
            return Access(f"{relation}+consent:{consent.id}", role.value, str(membership.home))
        if (case.meldcode_justification or "").strip():
            return Access(f"{relation}+meldcode", role.value, str(membership.home))
    return None


def _membership(user, role: Role):
    return next(m for m in _memberships(user) if m.role == role)


def can_view_case(user, case) -> bool:
    return case_access(user, case) is not None


def can_edit_case(user, case) -> bool:
    """Change the signalering itself (description, hulpvraag, categories)."""
    return (
        case.state != CaseState.closed
        and (is_school_staff_of(user, case.school_id) or is_regie_holder(user, case))
        and can_view_case(user, case)
    )


def can_fire(user, case, trigger: str) -> bool:
    """May this user press the button for `trigger`? The workflow decides if the step is valid."""
    if not can_view_case(user, case):
        return False
    if case.state == CaseState.escalation:
        return trigger in COORDINATOR_TRIGGERS and is_coordinator_of_case(user, case)
    if trigger == "reopen":
        return is_school_staff_of(user, case.school_id)
    if trigger in CASE_TEAM_TRIGGERS:
        return is_school_staff_of(user, case.school_id) or is_regie_holder(user, case)
    return False


# --- access log ------------------------------------------------------------------------------


def can_read_audit_log(user, case) -> bool:
    """The privacy officer of the case's region reads who saw the file; never the content."""
    return case.school.region_id in _region_ids(user, Role.privacy_officer)


def is_privacy_officer(user) -> bool:
    return has_role(user, Role.privacy_officer)


# --- administration ------------------------------------------------------------------------


def admin_region_ids(user) -> set[int]:
    return _region_ids(user, Role.admin)


def can_administer(user) -> bool:
    return bool(admin_region_ids(user))


def can_manage_region(user, region_id: int) -> bool:
    return region_id in admin_region_ids(user)


def can_manage(user, obj) -> bool:
    """A region-scoped object (municipality, school, organisation, membership) of an admin."""
    return can_manage_region(user, obj.region_id)


def can_manage_user(user, other) -> bool:
    """Admins manage the accounts that hold at least one membership in their region(s)."""
    regions = admin_region_ids(user)
    return any(m.region_id in regions for m in other.memberships)


def can_set_user_active(user, other) -> bool:
    """(De)activate an account: never one's own, so an admin cannot lock themselves out."""
    return other.id != user.id and can_manage_user(user, other)


def can_see_caseload(user) -> bool:
    return bool(_school_ids(user))


JINJA_GLOBALS = {
    f.__name__: f
    for f in (
        has_role, can_open_case, can_view_case, can_edit_case, can_fire, can_administer,
        can_manage_region, can_see_caseload, is_regie_holder, is_privacy_officer,
        can_manage, can_manage_user, can_set_user_active,
    )
}
