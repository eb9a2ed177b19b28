"""Slowing down password and code guessing (ASVS 2.2.1): Flask-Limiter on every login step.

Each step's POST is limited per account and per client address; only failed attempts count, so
a school whose staff share one address is not locked out by its own successful logins at 8:30.
The account key is the normalised submitted address, whether or not an account exists, so the
answer never tells which addresses are known.
"""

from flask import current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.audit import services as audit
from app.auth import sessions
from app.auth.services import find_user_by_email
from app.extensions import limiter


def submitted_account() -> str:
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"email:{email}" if email else ""  # empty: the form refuses it anyway


def pending_account() -> str:
    uid = sessions.pending_user_id()
    return f"user:{uid}" if uid is not None else ""


def current_account() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else ""


def _failed(response) -> bool:
    return response.status_code >= 400


def _account_limits() -> str:
    return current_app.config["LOGIN_LIMITS_ACCOUNT"]


def _address_limits() -> str:
    return current_app.config["LOGIN_LIMITS_ADDRESS"]


def throttled(account_key):
    """Both limits on a login step's POST, read from the config on every request."""

    def decorate(view):
        view = limiter.limit(_account_limits, key_func=account_key, methods=["POST"],
                             deduct_when=_failed)(view)
        return limiter.limit(_address_limits, key_func=get_remote_address, methods=["POST"],
                             deduct_when=_failed)(view)

    return decorate


def record_throttled(error) -> None:
    """For the 429 handler: which step and which limit, and whose account if known (never the
    submitted address of an unknown one)."""
    user = None
    if request.endpoint == "auth.login" and request.form.get("email"):
        user = find_user_by_email(request.form["email"])
    elif sessions.pending_user_id() is not None:
        user = sessions.pending_user()
    audit.record_access("throttled", outcome="denied", user=user,
                        detail=f"{request.endpoint}: {error.description}")
