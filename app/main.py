"""The start page, which sends each user to where their work is, and the Begrippen page."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from app import glossary
from app.auth import permissions

bp = Blueprint("main", __name__)
# Every template may explain an abbreviation in a label or a name: {{ label|explain }}.
bp.add_app_template_filter(glossary.explain, "explain")


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


@bp.get("/begrippen")
def begrippen():
    # Public: the words explained here hold no case data, and the login page links here too.
    return render_template("glossary.html", terms=glossary.TERMS)
