from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.audit import services as audit
from app.auth import services, sessions, totp
from app.auth.forms import CodeForm, LoginForm, PasswordChangeForm, ReauthForm
from app.auth.throttling import current_account, pending_account, submitted_account, throttled

bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")
bp.before_app_request(sessions.enforce_lifetime)

UNKNOWN = "Deze combinatie van e-mailadres en wachtwoord kennen we niet."
WRONG_CODE = ("Deze code klopt niet of is al gebruikt. Wacht op de volgende code in uw "
              "authenticator-app en vul die in.")
STEP_EXPIRED = "Log opnieuw in: de vorige stap is verlopen (na 5 minuten)."
WRONG_REAUTH = ("Het wachtwoord of de code klopt niet. Vul uw wachtwoord en de nieuwste code uit "
                "uw authenticator-app in.")


def _next() -> str | None:
    return sessions.safe_next(request.args.get("next"))


def _status(form, refused: bool = False) -> int:
    if refused:
        return 401
    return 200 if not form.is_submitted() else 422 if form.errors else 401


@bp.route("/login", methods=["GET", "POST"])
@throttled(submitted_account)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            services.prepare_second_factor(user)
            sessions.password_ok(user)
            step = "auth.code" if user.has_second_factor else "auth.enrol"
            return redirect(url_for(step, next=_next()))
        known = services.find_user_by_email(form.email.data)
        audit.record_access("login_failed", outcome="denied", user=known,
                            detail=None if known else "onbekend e-mailadres")
        flash(UNKNOWN, "error")
    demo = current_app.config["DEMO_MODE"]
    return render_template("auth/login.html", form=form, demo=demo), _status(form)


def _pending_or_restart():
    """The user between password and code, or a redirect back to the login form."""
    user = sessions.pending_user()
    if user is None:
        flash(STEP_EXPIRED, "info")
        return None, redirect(url_for("auth.login", next=_next()))
    return user, None


def _logged_in(user):
    sessions.start(user)
    audit.record_access("login", user=user)
    return redirect(_next() or url_for("main.home"))


def _code_refused(form, user, exc: services.CodeRefused, action="totp_failed",
                  message=WRONG_CODE) -> bool:
    audit.record_access(action, outcome="denied", user=user, detail=exc.reason)
    form.code.errors.append(message)
    return True


@bp.route("/code", methods=["GET", "POST"])
@throttled(pending_account)
def code():
    user, restart = _pending_or_restart()
    if restart:
        return restart
    if not user.has_second_factor:
        return redirect(url_for("auth.enrol", next=_next()))
    form, refused = CodeForm(), False
    if form.validate_on_submit():
        try:
            services.confirm_second_factor(user, form.code.data)
        except services.CodeRefused as exc:
            refused = _code_refused(form, user, exc)
        else:
            return _logged_in(user)
    return render_template("auth/code.html", form=form), _status(form, refused)


@bp.route("/enrol", methods=["GET", "POST"])
@throttled(pending_account)
def enrol():
    user, restart = _pending_or_restart()
    if restart:
        return restart
    if user.has_second_factor:
        return redirect(url_for("auth.code", next=_next()))
    form, refused = CodeForm(), False
    if form.validate_on_submit():
        try:
            services.enrol_second_factor(user, form.code.data)
        except services.CodeRefused as exc:
            refused = _code_refused(form, user, exc)
        else:
            response = _logged_in(user)
            flash("Tweestapsverificatie staat aan. Voortaan vraagt Schakel na uw wachtwoord om "
                  "een code uit de app.", "success")
            return response
    issuer = current_app.config["TOTP_ISSUER"]
    return render_template(
        "auth/enrol.html", form=form, secret=totp.grouped(user.totp_secret),
        uri=totp.provisioning_uri(user.totp_secret, user.email, issuer),
    ), _status(form, refused)


@bp.route("/reauth", methods=["GET", "POST"])
@login_required
@throttled(current_account)
def reauth():
    form, refused = ReauthForm(), False
    user = current_user._get_current_object()
    if form.validate_on_submit():
        try:
            services.reauthenticate(user, form.password.data, form.code.data)
        except services.CodeRefused as exc:
            refused = _code_refused(form, user, exc, action="reauth", message=WRONG_REAUTH)
        else:
            sessions.mark_reauthenticated()
            audit.record_access("reauth")
            return redirect(_next() or url_for("main.home"))
    return render_template("auth/reauth.html", form=form), _status(form, refused)


@bp.route("/password", methods=["GET", "POST"])
@login_required
@throttled(current_account)
def password():
    form = PasswordChangeForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        try:
            services.change_password(user, form.current.data, form.new.data)
        except services.AccountError as exc:
            if exc.field == "current":
                audit.record_access("password_change", outcome="denied",
                                    detail="huidig wachtwoord onjuist")
            form["current" if exc.field == "current" else "new"].errors.append(str(exc))
        else:
            sessions.start(user)  # the nonce changed: this session goes on, the others end
            flash("Uw wachtwoord is gewijzigd. Op andere apparaten bent u uitgelogd.", "success")
            return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form), _status(form)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        audit.record_access("logout")
        services.end_all_sessions(current_user._get_current_object())
    sessions.end()
    flash("U bent uitgelogd.", "info")
    return redirect(url_for("auth.login"))
