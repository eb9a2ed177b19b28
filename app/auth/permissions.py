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
    """A referral addressed to the user (or, without a person, to their organisation) that was
    not declined or passed on."""
    return any(_addressed_to(user, r) and r.status.value not in {"declined", "redirected"}
               for r in case.referrals)


def _addressed_to(user, referral) -> bool:
    if referral.to_user_id is not None:
        return referral.to_user_id == getattr(user, "id", None)
    return referral.to_organisation_id in {
        m.organisation_id for m in _memberships(user) if m.role == Role.youth_professional
    }


def _is_mdo_participant(user, case) -> bool:
    return any(p.user_id == user.id for m in case.mdo_meetings for p in m.participants)


def _is_handover_receiver(user, case) -> bool:
    """Asked to take over casusregie: the receiver must see the case to decide."""
    handover = case.open_handover
    return handover is not None and handover.to_user_id == user.id


def _works_case(user, case) -> bool:
    """The hands of the case team: the school staff of the case's school or the regie holder
    (who may sit outside the school), and only while they can see the case."""
    return (is_school_staff_of(user, case.school_id) or is_regie_holder(user, case)) and (
        can_view_case(user, case)
    )


def _works_open_case(user, case) -> bool:
    return case.state != CaseState.closed and _works_case(user, case)


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
    if has_role(user, Role.youth_professional) and _is_handover_receiver(user, case):
        return _external_access(user, case, Role.youth_professional, "handover")
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
    return _works_open_case(user, case)


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


# --- consent ---------------------------------------------------------------------------------


def can_manage_consent(user, case) -> bool:
    """Record or withdraw a consent: the school of the case or the regie holder, while the
    case is open."""
    return _works_open_case(user, case)


def can_record_meldcode(user, case) -> bool:
    """The written meldcode justification for sharing without consent is the school's call."""
    return case.state != CaseState.closed and is_school_staff_of(user, case.school_id)


def can_read_meldcode(user, case) -> bool:
    """The meldcode justification names the signals of possible abuse: the school and the regie
    holder read it; others who share the case on its ground only see that it exists."""
    return _works_case(user, case)


def directory_region_ids(user) -> set[int]:
    """The regions whose schools' contact persons (wie zit waar) a user sees: those of all
    their memberships, whatever the role."""
    return {m.region_id for m in _memberships(user)}


def can_see_directory(user) -> bool:
    return bool(directory_region_ids(user))


# --- evaluations -----------------------------------------------------------------------------


def can_record_evaluation(user, case) -> bool:
    """Record the joint evaluation (and so fire the step it decides): the school or the regie
    holder. Whether the case is in its evaluation phase is the workflow's question, not this."""
    return _works_case(user, case)


# --- casusregie and arrangement ---------------------------------------------------------------


def can_request_regie(user, case) -> bool:
    """Ask someone to take over casusregie, or take it oneself: the school staff of the case's
    school or the current holder, while the case is open."""
    return _works_open_case(user, case)


def can_answer_handover(user, case, handover) -> bool:
    """Accept or decline a handover: only the person it asks."""
    return (
        handover.case_id == case.id
        and handover.to_user_id == getattr(user, "id", None)
        and can_view_case(user, case)
    )


def can_withdraw_handover(user, case, handover) -> bool:
    """The requester, or the school staff of the case's school: a request whose author is away
    must not block the case (only one handover can be open)."""
    return (
        handover.case_id == case.id
        and (handover.requested_by_id == getattr(user, "id", None)
             or is_school_staff_of(user, case.school_id))
        and can_view_case(user, case)
    )


def can_see_regie_requests(user) -> bool:
    """The list of handovers addressed to me: everyone who can be asked to hold regie."""
    return any(m.role in CASE_TEAM_ROLES for m in _memberships(user))


def can_record_arrangement(user, case) -> bool:
    """Arrangements and plans: the school staff of the case's school or the regie holder, on an
    open case. In which phases an arrangement may be recorded is the service's rule."""
    return _works_open_case(user, case)


def can_record_plan(user, case) -> bool:
    return can_record_arrangement(user, case)


# --- mdo -------------------------------------------------------------------------------------

# Who can be given an MDO action, and so has a task list.
TASK_ROLES = CASE_TEAM_ROLES | {Role.participant}


def can_plan_mdo(user, case) -> bool:
    """Plan the MDO or change the planned one: the school staff of the case's school or the
    regie holder, while the case is in signalering or (back) in the MDO phase."""
    return case.state in (CaseState.signalering, CaseState.mdo) and _works_case(user, case)


def can_record_mdo(user, case, meeting) -> bool:
    """Record how the planned MDO went: the same people, in the MDO phase, once."""
    return (
        case.state == CaseState.mdo
        and meeting.case_id == case.id
        and meeting.held_at is None
        and _works_case(user, case)
    )


def can_see_tasks(user) -> bool:
    """The task list "Mijn taken": everyone who can own an MDO action."""
    return any(m.role in TASK_ROLES for m in _memberships(user))


def can_complete_action(user, case, action) -> bool:
    """Mark an open MDO action done: its owner, or the school staff of the case's school (an
    owner who left must not keep it open for ever), while the case is open."""
    return (
        action.case_id == case.id
        and action.done_at is None
        and case.state != CaseState.closed
        and (action.owner_id == getattr(user, "id", None)
             or is_school_staff_of(user, case.school_id))
        and can_view_case(user, case)
    )


# --- referrals -------------------------------------------------------------------------------


def can_send_referral(user, case) -> bool:
    """Refer the case to a youth professional: the school staff of the case's school or the
    regie holder. In which phases a referral may be sent is the service's rule."""
    return _works_case(user, case)


def is_referral_receiver(user, referral) -> bool:
    """The professional the referral is addressed to; sent to an organisation without a
    person, any youth professional of that organisation."""
    return has_role(user, Role.youth_professional) and _addressed_to(user, referral)


def can_answer_referral(user, referral) -> bool:
    """Accept, decline, redirect, put on the waiting list, start, end: only the receiver."""
    return is_referral_receiver(user, referral) and can_view_case(user, referral.case)


def can_add_progress_note(user, referral) -> bool:
    return can_answer_referral(user, referral)


def can_read_progress_notes(user, referral) -> bool:
    """The receiving side reads its notes; everyone else on the case (the school first) only
    while a valid consent for the referral's organisation covers sharing progress notes."""
    if not can_view_case(user, referral.case):
        return False
    if is_referral_receiver(user, referral):
        return True
    today = date.today()
    return any(c.recipient_organisation_id == referral.to_organisation_id
               and c.covers_progress_notes and c.is_valid_on(today)
               for c in referral.case.consents)


def can_see_referral_inbox(user) -> bool:
    return has_role(user, Role.youth_professional)


# --- escalation ------------------------------------------------------------------------------


def coordinator_region_ids(user) -> set[int]:
    return _region_ids(user, Role.coordinator)


def can_see_escalation_queue(user) -> bool:
    """The queue of open escalations: regional coordinators only (each sees their region)."""
    return bool(coordinator_region_ids(user))


def can_handle_escalation(user, escalation) -> bool:
    """Assign, move up a tier, decide and resolve: a coordinator of the case's region, while
    the escalation is open and the case is in its escalation phase."""
    case = escalation.case
    return (escalation.resolved_at is None and case.state == CaseState.escalation
            and is_coordinator_of_case(user, case))


def can_record_thuiszitter(user, case) -> bool:
    """Start or end a thuiszitter episode: the school staff of the case's school or the regie
    holder, on an open case."""
    return _works_open_case(user, case)


def can_manage_ladder(user, region_id: int) -> bool:
    """The region's escalation ladder and rule thresholds: its functional administrators."""
    return can_manage_region(user, region_id)


# --- monitor -----------------------------------------------------------------------------------


def monitor_region_ids(user) -> set[int]:
    """Regions whose whole monitor a user sees: the regional coordinators'."""
    return _region_ids(user, Role.coordinator)


def monitor_school_ids(user) -> set[int]:
    """Schools whose own monitor figures a user sees: their school staff's."""
    return _school_ids(user)


def can_see_monitor(user) -> bool:
    """The monitor (aggregated, suppressed figures only): coordinators for their region,
    school staff for their own school."""
    return bool(monitor_region_ids(user) or monitor_school_ids(user))


def survey_region_ids(user) -> set[int]:
    """Regions whose survey rounds and question bank a user runs: the regional coordinators'.
    (Respondents need no account: their single-use link is their only access.)"""
    return _region_ids(user, Role.coordinator)


def can_run_surveys(user, region_id: int | None = None) -> bool:
    regions = survey_region_ids(user)
    return bool(regions) if region_id is None else region_id in regions


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
    """(De)activate an account: only one whose roles are all in the admin's region(s) (an
    account that also works elsewhere is that region's as well: revoke the roles here
    instead), and never one's own, so an admin cannot lock themselves out."""
    regions = admin_region_ids(user)
    return (other.id != user.id and bool(other.memberships)
            and all(m.region_id in regions for m in other.memberships))


def can_see_caseload(user) -> bool:
    return bool(_school_ids(user))


JINJA_GLOBALS = {
    f.__name__: f
    for f in (
        has_role, can_open_case, can_view_case, can_edit_case, can_fire, can_administer,
        can_manage_region, can_see_caseload, is_regie_holder, is_privacy_officer, can_manage,
        can_manage_user, can_set_user_active, can_manage_consent, can_record_meldcode,
        can_read_meldcode, can_see_directory, can_record_evaluation, can_request_regie,
        can_answer_handover, can_withdraw_handover, can_see_regie_requests,
        can_record_arrangement, can_record_plan, can_plan_mdo, can_record_mdo, can_see_tasks,
        can_complete_action, can_send_referral, is_referral_receiver, can_answer_referral,
        can_add_progress_note, can_read_progress_notes, can_see_referral_inbox,
        can_see_escalation_queue, can_handle_escalation, can_record_thuiszitter,
        can_manage_ladder, can_see_monitor, can_run_surveys,
    )
}
