"""The `org` blueprint: functional administrators only; what they manage is their region(s)."""

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_login import current_user, login_required

from app.auth import permissions
from app.auth.services import AccountError
from app.org import queries
from app.org.models import ORGANISATION_KIND_LABELS, PARTNER_TYPE_LABELS, SECTOR_LABELS
from app.org.services import OrgError

# Named after the package, so the templates are found in app/org/templates.
bp = Blueprint("org", "app.org", url_prefix="/admin", template_folder="templates")


@bp.context_processor
def labels():
    return {"SECTOR_LABELS": SECTOR_LABELS, "ORGANISATION_KIND_LABELS": ORGANISATION_KIND_LABELS,
            "PARTNER_TYPE_LABELS": PARTNER_TYPE_LABELS}


@bp.before_request
@login_required
def require_admin():
    if not permissions.can_administer(current_user):
        abort(403)


def admin():
    return current_user._get_current_object()


def page_number() -> int:
    return request.args.get("page", 1, type=int)


@bp.get("/")
def index():
    return render_template("org/index.html", regions=queries.managed_regions(admin()))


def form_page(form, save, success: str, template: str = "org/form.html", **context):
    """A valid POST calls `save` (one service call; it returns where to go next) and redirects.
    Invalid or refused input re-renders the form with status 422 and stores nothing."""
    if form.validate_on_submit():
        try:
            target = save()
        except (OrgError, AccountError) as exc:
            refuse(form, exc)
        else:
            flash(success, "success")
            return redirect(target)
    return render_template(template, form=form, **context), 422 if form.errors else 200


def refuse(form, exc: Exception) -> None:
    """Show a service's refusal at the field it concerns, or above the form."""
    field = getattr(exc, "field", None)
    if field and field in form:
        form[field].errors.append(str(exc))
    else:
        form.form_errors.append(str(exc))
