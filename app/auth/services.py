"""Writers for users and memberships; the only place that commits account changes."""

import sqlalchemy as sa

from app.audit import services as audit
from app.auth.models import SCHOOL_ROLES, Membership, Role, User
from app.extensions import db
from app.org.models import Organisation, School

MIN_PASSWORD_LENGTH = 12


class AccountError(ValueError):
    """Bad account input; the message is Dutch and shown to the user."""


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Een wachtwoord heeft minstens {MIN_PASSWORD_LENGTH} tekens.")
    if len(password) > 128:
        raise AccountError("Een wachtwoord heeft hoogstens 128 tekens.")


def build_user(email: str, name: str, password: str, job_title: str | None = None) -> User:
    """A new user, added to the session but not committed (the caller's use case commits)."""
    email = email.strip().lower()
    if find_user_by_email(email) is not None:
        raise AccountError(f"Er is al een account met e-mailadres {email}.")
    check_password_policy(password)
    user = User(email=email, name=name.strip(), job_title=job_title)
    user.set_password(password)
    db.session.add(user)
    return user


def build_membership(user: User, role: Role, home: School | Organisation) -> Membership:
    """A membership at a school (school staff) or organisation (every other role)."""
    if role in SCHOOL_ROLES and not isinstance(home, School):
        raise AccountError("Deze rol hoort bij een school.")
    if role not in SCHOOL_ROLES and not isinstance(home, Organisation):
        raise AccountError("Deze rol hoort bij een organisatie, niet bij een school.")
    if any(m.role == role and m.home is home for m in user.memberships):
        raise AccountError("Deze gebruiker heeft deze rol hier al.")
    membership = Membership(role=role, region_id=home.region_id)
    if isinstance(home, School):
        membership.school = home
    else:
        membership.organisation = home
    user.memberships.append(membership)
    return membership


def create_user(email, name, password, role=None, home=None, job_title=None) -> User:
    user = build_user(email, name, password, job_title)
    if role is not None:
        build_membership(user, role, home)
    db.session.commit()
    return user


def end_all_sessions(user: User) -> None:
    """Logout everywhere: a copied session cookie stops working too."""
    user.rotate_session_nonce()
    db.session.commit()


# --- administration: accounts and roles, for the functional administrator -------------------


def register_user(email, name, password, job_title, role: Role, home) -> User:
    """A new account with its first role (without one, no admin could find it again).
    Nothing is stored when the input is refused.
    """
    try:
        user = build_user(email, name, password, job_title or None)
        build_membership(user, role, home)
    except AccountError:
        db.session.rollback()
        raise
    db.session.flush()
    _log_account("account_create", user, f"{role.value} bij {home}")
    db.session.commit()
    return user


def add_membership(user: User, role: Role, home: School | Organisation) -> Membership:
    membership = build_membership(user, role, home)
    db.session.flush()
    _log_account("role_grant", user, f"{role.value} bij {home}")
    db.session.commit()
    return membership


def remove_membership(membership: Membership, actor: User) -> None:
    """Refuses a user's last role (deactivate the account instead) and an admin's own admin role,
    so no account is left without a home and no region without its administrator by accident."""
    user = membership.user
    if len(user.memberships) == 1:
        raise AccountError("Dit is de enige rol van deze gebruiker. Zet het account op inactief "
                           "als de gebruiker niet meer in de regio werkt.")
    if user.id == actor.id and membership.role == Role.admin:
        raise AccountError("U kunt uw eigen beheerdersrol niet intrekken. "
                           "Vraag dit aan een andere beheerder van uw regio.")
    _log_account("role_revoke", user, f"{membership.role.value} bij {membership.home}")
    user.memberships.remove(membership)
    db.session.commit()


def deactivate_user(user: User, actor: User) -> None:
    """The account can no longer log in and every open session of it ends at once."""
    if user.id == actor.id:
        raise AccountError("U kunt uw eigen account niet op inactief zetten.")
    user.active = False
    user.rotate_session_nonce()
    _log_account("account_deactivate", user)
    db.session.commit()


def reactivate_user(user: User) -> None:
    user.active = True
    _log_account("account_reactivate", user)
    db.session.commit()


def _log_account(action: str, user: User, detail: str | None = None) -> None:
    """Account and role changes are security events: logged with the change (ASVS 7.1.3)."""
    audit.record_change(action, object_type="user", object_id=user.id, detail=detail)
