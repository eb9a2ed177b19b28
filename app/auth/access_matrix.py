"""Who may reach which route: the table the access-matrix test walks.

Kept next to `permissions.py` on purpose: a new route without an entry here fails
`tests/integration/test_access_matrix.py`. For every route and role the table says whether the
role may use it on objects of its *own* school/region; objects of a *foreign* region are always
refused (403/404) and anonymous visitors are always sent to the login page, unless the route is
public.
"""

from app.auth.models import Role

PUBLIC = "public"
ALLOW = "allow"
DENY = "deny"
ANY_USER = tuple(Role)


def only(*roles: Role) -> dict[Role, str]:
    return {role: ALLOW if role in roles else DENY for role in Role}


ADMIN = only(Role.admin)

MATRIX: dict[str, dict[Role, str] | str] = {
    "static": PUBLIC,
    "auth.login": PUBLIC,
    # The second login step answers only with a fresh "password ok" marker; tested in
    # test_two_factor.py.
    "auth.code": PUBLIC,
    "auth.enrol": PUBLIC,
    "auth.reauth": only(*ANY_USER),
    "auth.password": only(*ANY_USER),
    # Logging out needs no rights (anonymous: a no-op); tested in test_auth.py.
    "auth.logout": PUBLIC,
    "main.home": only(*ANY_USER),
    # Begrippen: the glossary holds no case data; linked from every page, the login page too
    "main.begrippen": PUBLIC,
    # the inbox: every user, own notifications only. The matrix's notification belongs to the
    # school staff user; to everyone else it does not exist (404; test_notifications.py).
    "notifications.index": only(*ANY_USER),
    "notifications.open_notification": only(Role.school_staff),
    "notifications.read_all": only(*ANY_USER),
    # cases: the own case is escalated, held by the youth professional (regie), with the
    # participant invited to its MDO — so every case role has a real relation to it.
    "cases.caseload": only(Role.school_staff),
    "cases.search": only(Role.school_staff),
    "cases.new": only(Role.school_staff),
    "cases.detail": only(Role.school_staff, Role.youth_professional, Role.participant,
                         Role.coordinator),
    "cases.edit": only(Role.school_staff, Role.youth_professional),
    # the matrix fires `close` on the escalated case: the coordinator's step
    "cases.fire": only(Role.coordinator),
    # the case team may record an evaluation (on the escalated case the empty form is a 422)
    "cases.record_evaluation": only(Role.school_staff, Role.youth_professional),
    # consent: the school and the regie holder (the youth professional); the meldcode
    # justification is the school's alone
    "cases.consent_record": only(Role.school_staff, Role.youth_professional),
    "cases.consent_withdraw": only(Role.school_staff, Role.youth_professional),
    "cases.meldcode": only(Role.school_staff),
    # MDO: planning and recording happen in signalering/MDO, never on the escalated own case
    # (allowed roles are tested in test_mdo.py); the minutes print for all who see the case;
    # the matrix's action belongs to the participant, the school may close it too.
    "cases.mdo_plan": only(),
    "cases.mdo_hold": only(),
    "cases.mdo_minutes": only(Role.school_staff, Role.youth_professional, Role.participant,
                              Role.coordinator),
    "cases.tasks": only(Role.school_staff, Role.youth_professional, Role.participant),
    "cases.action_done": only(Role.school_staff, Role.participant),
    # wie zit waar: every role with a membership in the region
    "directory.index": only(*ANY_USER),
    # casusregie: the own case has an open handover from its holder (the youth professional)
    # to the school staff member; the school may withdraw it too. Arrangements and plans: the
    # school and the holder (on the escalated case a new arrangement answers with a message).
    "cases.regie_requests": only(Role.school_staff, Role.youth_professional),
    "cases.regie_request": only(Role.school_staff, Role.youth_professional),
    "cases.regie_accept": only(Role.school_staff),
    "cases.regie_decline": only(Role.school_staff),
    "cases.regie_withdraw": only(Role.school_staff, Role.youth_professional),
    "cases.arrangement_new": only(Role.school_staff, Role.youth_professional),
    "cases.arrangement_edit": only(Role.school_staff, Role.youth_professional),
    "cases.plan_new": only(Role.school_staff, Role.youth_professional),
    # referrals: the own case has an accepted referral to the youth professional. Sending is
    # the school's and the regie holder's (on the escalated case the empty form is a 422);
    # answering and progress notes only the receiver's; the page for all who see the case.
    "cases.referral_send": only(Role.school_staff, Role.youth_professional),
    "cases.referral_inbox": only(Role.youth_professional),
    "cases.referral": only(Role.school_staff, Role.youth_professional, Role.participant,
                           Role.coordinator),
    "cases.referral_answer": only(Role.youth_professional),
    "cases.referral_note": only(Role.youth_professional),
    # escalation: the coordinator's queue and escalation page (the own case's escalation);
    # the buttons answer an empty form with 422. Thuiszitter episodes: the school and the
    # regie holder (the youth professional).
    "escalation.queue": only(Role.coordinator),
    "escalation.detail": only(Role.coordinator),
    "escalation.assign": only(Role.coordinator),
    "escalation.tier_up": only(Role.coordinator),
    "escalation.decide": only(Role.coordinator),
    "escalation.resolve": only(Role.coordinator),
    "thuiszitter.start": only(Role.school_staff, Role.youth_professional),
    "thuiszitter.end": only(Role.school_staff, Role.youth_professional),
    # the monitor: coordinators for their region, school staff for their own school (the
    # scope a user may not see is refused; tested in test_monitor_views.py)
    "monitor.dashboard": only(Role.coordinator, Role.school_staff),
    "monitor.export": only(Role.coordinator, Role.school_staff),
    # survey rounds and the region's question bank: its coordinators (the matrix's round is
    # open, so opening it again answers with a message); tested in test_survey.py
    "survey.index": only(Role.coordinator),
    "survey.round_new": only(Role.coordinator),
    "survey.round": only(Role.coordinator),
    "survey.round_open": only(Role.coordinator),
    "survey.round_close": only(Role.coordinator),
    "survey.round_export": only(Role.coordinator),
    "survey.bank": only(Role.coordinator),
    "survey.bank_seed": only(Role.coordinator),
    "survey.question_new": only(Role.coordinator),
    "survey.question_edit": only(Role.coordinator),
    # the respondent's questionnaire: no account, the single-use link is the key; an unknown,
    # used or closed link gets one neutral page (test_survey.py)
    "survey.respond": PUBLIC,
    "monitor.report": only(Role.coordinator, Role.school_staff),
    "org.ladder": ADMIN,
    "org.tier_new": ADMIN,
    "org.tier_edit": ADMIN,
    "org.escalation_rules": ADMIN,
    "audit.index": only(Role.privacy_officer),
    "audit.case_log": only(Role.privacy_officer),
    # the matrix's logins are fresh (password and code just given), so no re-authentication
    "audit.case_log_export": only(Role.privacy_officer),
    "org.index": ADMIN,
    "org.region_edit": ADMIN,
    "org.municipalities": ADMIN,
    "org.municipality_new": ADMIN,
    "org.municipality_edit": ADMIN,
    "org.schools": ADMIN,
    "org.school": ADMIN,
    "org.school_new": ADMIN,
    "org.school_edit": ADMIN,
    "org.organisations": ADMIN,
    "org.organisation_new": ADMIN,
    "org.organisation_edit": ADMIN,
    "org.contact_new": ADMIN,
    "org.contact_edit": ADMIN,
    "org.contact_end": ADMIN,
    "org.users": ADMIN,
    "org.user_new": ADMIN,
    "org.user": ADMIN,
    "org.membership_add": ADMIN,
    "org.membership_remove": ADMIN,
    "org.user_deactivate": ADMIN,
    "org.user_reactivate": ADMIN,
}
