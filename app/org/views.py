from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from app.auth import permissions

bp = Blueprint("org", __name__, url_prefix="/admin", template_folder="templates")


@bp.before_request
@login_required
def require_admin():
    if not permissions.can_administer(current_user):
        abort(403)


@bp.get("/")
def index():
    return render_template("org/index.html")
