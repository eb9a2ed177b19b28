from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from app.audit import services as audit
from app.auth import services
from app.auth.forms import LoginForm

bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")


def _safe_next(target: str | None) -> str | None:
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


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            audit.record_access("login", user=user)
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
        known = services.find_user_by_email(form.email.data)
        audit.record_access("login_failed", outcome="denied", user=known,
                            detail=None if known else "onbekend e-mailadres")
        flash("Deze combinatie van e-mailadres en wachtwoord kennen we niet.", "error")
    demo = current_app.config["DEMO_MODE"]
    status = 200 if not form.is_submitted() else 422 if form.errors else 401
    return render_template("auth/login.html", form=form, demo=demo), status


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        audit.record_access("logout")
        services.end_all_sessions(current_user._get_current_object())
    logout_user()
    flash("U bent uitgelogd.", "info")
    return redirect(url_for("auth.login"))
