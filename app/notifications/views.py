"""The inbox ("Berichten"): every logged-in user's own notifications, and the header count."""

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from app.notifications import queries, services
from app.notifications.models import kind_label

bp = Blueprint("notifications", __name__, url_prefix="/berichten", template_folder="templates")

PAGE_SIZE = 25


@bp.before_request
@login_required
def require_login():
    pass


def _user():
    return current_user._get_current_object()


@bp.get("/")
def index():
    page = queries.inbox_page(_user(), page=request.args.get("page", 1, type=int),
                              per_page=PAGE_SIZE)
    return render_template("notifications/index.html", page=page, kind_label=kind_label)


@bp.get("/<int:notification_id>")
def open_notification(notification_id: int):
    notification = services.mark_read(_user(), notification_id)
    if notification is None:
        abort(404)
    if is_internal_path(notification.link):
        return redirect(notification.link)
    return redirect(url_for("notifications.index"))


@bp.post("/alles-gelezen")
def read_all():
    count = services.mark_all_read(_user())
    flash(f"{count} {'bericht' if count == 1 else 'berichten'} als gelezen gemarkeerd."
          if count else "Er waren geen ongelezen berichten.", "success")
    return redirect(url_for("notifications.index"))


def is_internal_path(link: str | None) -> bool:
    """A path on this site, never a way out: "/cases/12" yes; "//evil.example",
    "/\\evil.example" (browsers read it as "//") and "https://…" no."""
    if not link or not link.startswith("/") or link.startswith("//"):
        return False
    if "\\" in link or any(ord(c) < 0x21 or ord(c) == 0x7F for c in link):
        return False
    parts = urlsplit(link)
    return not parts.scheme and not parts.netloc


# --- the header count --------------------------------------------------------------------------


def header_context() -> dict:
    """Context processor (registered in app/__init__.py): the unread count for the header,
    counted at most once per request and only when a page shows it."""
    return {"unread_notification_count": _unread_count}


def _unread_count() -> int:
    if not current_user.is_authenticated:
        return 0
    if "unread_notification_count" not in g:
        try:
            g.unread_notification_count = queries.unread_count(current_user)
        except sa.exc.SQLAlchemyError:
            # The badge must never break a page, least of all the error page of a failed
            # transaction; the next page counts again.
            current_app.logger.warning("unread count unavailable", exc_info=True)
            g.unread_notification_count = 0
    return g.unread_notification_count
