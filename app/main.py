"""The start page: sends each user to where their work is."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.auth import permissions

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def home():
    if permissions.can_see_caseload(current_user):
        return redirect(url_for("cases.caseload"))
    if permissions.can_administer(current_user):
        return redirect(url_for("org.index"))
    if permissions.is_privacy_officer(current_user):
        return redirect(url_for("audit.index"))
    return render_template("home.html")
