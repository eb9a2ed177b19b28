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
