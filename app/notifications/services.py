"""Writing notifications: in the caller's transaction, never committed here."""

from flask import current_app

from app.extensions import db
from app.notifications.models import Notification, OutboxMessage

SUBJECT = "Schakel: er staat iets voor u klaar"


def notify(user, kind: str, text: str, *, case=None, link: str | None = None) -> Notification:
    """Put a content-free message in `user`'s inbox and queue its e-mail (when the user has an
    address and mail is configured). Commits with the caller's change."""
    notification = Notification(user_id=user.id, kind=kind, text=text[:300],
                                case_id=getattr(case, "id", None), link=link)
    db.session.add(notification)
    if user.email and current_app.config.get("MAIL_ENABLED", True):
        db.session.add(OutboxMessage(
            notification=notification, to_address=user.email, subject=SUBJECT,
            body=_body(text),
        ))
    return notification


def _body(text: str) -> str:
    base = current_app.config.get("PUBLIC_URL", "http://127.0.0.1:5000")
    return (f"{text}\n\nLog in op Schakel om te zien wat er van u gevraagd wordt: {base}/\n\n"
            "Dit bericht bevat bewust geen gegevens over de leerling.\n")
