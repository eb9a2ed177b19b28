"""The login session: the step between password and code, its lifetime, and how fresh it is.

Flask's session is a signed cookie, so every timestamp here is tamper-proof but travels with a
copied cookie; logout therefore also rotates the user's nonce (see `User.get_id`).
"""

import secrets
import time
from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.audit import services as audit
from app.auth.models import User
from app.extensions import db, login_manager

# Session keys. {"uid", "nonce", "at"}: the password was right, the code is still to come.
PASSWORD_OK = "_password_ok"  # noqa: S105  # nosec B105 (a key name, not a password)
LOGIN_AT = "_login_at"  # when the session started (absolute limit)
SEEN_AT = "_seen_at"  # the last request (idle limit)
AUTH_AT = "_auth_at"  # the last time password and code were both given (re-authentication)
IDLE = "Uw sessie is verlopen omdat u een half uur niets hebt gedaan. Log opnieuw in."
ABSOLUTE = "U was langer dan 12 uur ingelogd. Log opnieuw in om verder te werken."


def _now() -> int:
    return int(time.time())


def safe_next(target: str | None) -> str | None:
    """Only same-site paths: an open redirect after login is a phishing tool."""
    if not target:
        return None
    # Browsers read a backslash as a slash and drop tabs and newlines: `/\\evil.example` and
    # `/\t/evil.example` are the host-relative `//evil.example`.
    if "\\" in target or any(ord(c) < 32 or c == "\x7f" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def here() -> str:
    """This request's path and query, to come back to after a login step."""
    return request.full_path.removesuffix("?")


# --- between the password and the code -----------------------------------------------------------


def password_ok(user: User) -> None:
    """Start a fresh session that only says: this user gave the right password just now."""
    session.clear()
    session[PASSWORD_OK] = {"uid": user.id, "nonce": user.session_nonce, "at": _now()}


def pending_user() -> User | None:
    """The user whose password was accepted less than LOGIN_STEP_TIMEOUT ago, if any."""
    marker = session.get(PASSWORD_OK)
    if not isinstance(marker, dict) or not isinstance(marker.get("uid"), int):
        return None
    limit = current_app.config["LOGIN_STEP_TIMEOUT"].total_seconds()
    if not 0 <= _now() - marker.get("at", 0) <= limit:
        return None
    user = db.session.get(User, marker["uid"])
    if user is None or not user.active or not secrets.compare_digest(
            user.session_nonce, str(marker.get("nonce", ""))):
        return None
    return user


def pending_user_id() -> int | None:
    marker = session.get(PASSWORD_OK)
    return marker.get("uid") if isinstance(marker, dict) else None


# --- the logged-in session -----------------------------------------------------------------------


def start(user: User) -> None:
    """A new session for a user who gave password and code (ASVS 3.2.1); never remember-me."""
    session.clear()
    login_user(user, remember=False)
    now = _now()
    session.update({LOGIN_AT: now, SEEN_AT: now, AUTH_AT: now})


def mark_reauthenticated() -> None:
    session[AUTH_AT] = _now()


def end() -> None:
    logout_user()
    session.clear()


def _expired() -> str | None:
    """Why the current session has ended, or None while it lives."""
    config, now = current_app.config, _now()
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return ABSOLUTE  # a session without its timestamps was not started by `start`
    if now - login_at > config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds():
        return ABSOLUTE
    if now - seen_at > config["SESSION_IDLE_TIMEOUT"].total_seconds():
        return IDLE
    return None


def enforce_lifetime():
    """before_request: end a session that was idle for 30 minutes or is older than 12 hours."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    reason = _expired()
    if reason is None:
        session[SEEN_AT] = _now()
        return None
    audit.record_access("session_expired", detail="inactief" if reason == IDLE else "12 uur")
    end()
    flash(reason, "info")
    target = here() if request.method == "GET" else None
    return redirect(url_for("auth.login", next=safe_next(target)))


# --- re-authentication ---------------------------------------------------------------------------


def fresh_login_required(max_age: timedelta = timedelta(minutes=5)):
    """A view for which password and code must have been given less than `max_age` ago; else
    the user confirms them again at /auth/reauth and comes back (ASVS 3.7.1). Meant for GET
    views (downloads): the way back is a GET of the same address."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            auth_at = session.get(AUTH_AT)
            if not isinstance(auth_at, int) or _now() - auth_at > max_age.total_seconds():
                return redirect(url_for("auth.reauth", next=here()))
            return view(*args, **kwargs)

        return wrapper

    return decorate
