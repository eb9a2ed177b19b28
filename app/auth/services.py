"""Writers for users and memberships; the only place that commits account changes."""

import secrets
from functools import cache

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from app.audit import services as audit
from app.auth import passwords, totp
from app.auth.models import SCHOOL_ROLES, Membership, Role, User
from app.extensions import db
from app.models import utcnow
from app.org.models import Organisation, School

MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH


class AccountError(ValueError):
    """Bad account input; the message is Dutch and shown to the user (at `field` if given)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class CodeRefused(Exception):
    """A TOTP code that is wrong, expired or already used; `reason` goes to the access log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if user is None:
        # Hash anyway, so an unknown address takes as long as a known one (no enumeration).
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def check_password_policy(password: str, email: str | None = None, name: str | None = None):
    """Every place that sets a password calls this (app/auth/passwords.py has the rules)."""
    try:
        passwords.check(password, email=email, name=name)
    except passwords.PasswordRefused as exc:
        raise AccountError(str(exc), field="password") from exc


def build_user(email: str, name: str, password: str, job_title: str | None = None) -> User:
    """A new user, added to the session but not committed (the caller's use case commits)."""
    email = email.strip().lower()
    if find_user_by_email(email) is not None:
        raise AccountError(f"Er is al een account met e-mailadres {email}.")
    check_password_policy(password, email, name)
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


def change_password(user: User, current: str, new: str) -> None:
    """The user's own change: the current password first; every other session ends (ASVS
    3.3.3) and the change is logged (ASVS 2.5.x)."""
    if not user.check_password(current):
        raise AccountError("Uw huidige wachtwoord klopt niet. Vul het wachtwoord in waarmee u "
                           "net hebt ingelogd.", field="current")
    check_password_policy(new, user.email, user.name)
    user.set_password(new)
    user.rotate_session_nonce()
    _log_account("password_change", user)
    db.session.commit()


def end_all_sessions(user: User) -> None:
    """Logout everywhere: a copied session cookie stops working too."""
    user.rotate_session_nonce()
    db.session.commit()


# --- the second factor (TOTP) ------------------------------------------------------------------


def prepare_second_factor(user: User) -> None:
    """Give an account without a TOTP secret one to enrol with; it stays until it is enrolled,
    so a user who set up the app and came back later still has the same secret."""
    if user.totp_secret is None:
        user.totp_secret = totp.new_secret()
        db.session.commit()


def _accept_code(user: User, code: str) -> None:
    """Accept `code` once: the step is stored with a conditional UPDATE, so two requests with
    the same code cannot both pass."""
    step = totp.matching_step(user.totp_secret, code)
    if step is None:
        raise CodeRefused("onjuiste of verlopen code")
    accepted = db.session.execute(
        sa.update(User).where(User.id == user.id, sa.or_(User.totp_last_step.is_(None),
                                                          User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False)
    ).rowcount
    if not accepted:
        raise CodeRefused("code al gebruikt")
    user.totp_last_step = step


def confirm_second_factor(user: User, code: str) -> None:
    """The login's second step; raises CodeRefused."""
    if not user.has_second_factor:
        raise CodeRefused("geen tweede factor ingesteld")
    _accept_code(user, code)
    db.session.commit()


def enrol_second_factor(user: User, code: str) -> None:
    """The first code from the user's app proves it holds the secret; logged as a credential
    change (ASVS 2.5.x)."""
    if user.totp_secret is None or user.has_second_factor:
        raise CodeRefused("geen inschrijving open")
    _accept_code(user, code)
    user.totp_enrolled_at = utcnow()
    _log_account("totp_enrol", user)
    db.session.commit()


def reauthenticate(user: User, password: str, code: str) -> None:
    """Password and code again before a sensitive action (ASVS 3.7.1); raises CodeRefused."""
    if not user.check_password(password):
        raise CodeRefused("onjuist wachtwoord")
    confirm_second_factor(user, code)


def reset_second_factor(user: User) -> None:
    """For a lost phone: the next login enrols a new secret; every open session ends."""
    user.totp_secret = user.totp_enrolled_at = user.totp_last_step = None
    user.rotate_session_nonce()
    _log_account("totp_reset", user)
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
