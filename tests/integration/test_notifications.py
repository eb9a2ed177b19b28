"""The inbox: own notifications only, opening marks read and goes to the link (never off-site),
the unread count in the header, and notify() inside a change that fails leaves nothing."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.cases import services as case_services
from app.cases.services import CaseError
from app.extensions import db
from app.models import utcnow
from app.notifications import queries
from app.notifications.models import KIND_LABELS, Notification, OutboxMessage
from app.notifications.services import notify
from app.notifications.views import is_internal_path
from tests.conftest import statements_run, text_of
from tests.factories import CaseFactory, NotificationFactory, SchoolFactory, user_with_role

APP = Path(__file__).resolve().parents[2] / "app"


@pytest.fixture
def school():
    return SchoolFactory()


@pytest.fixture
def ib(school):
    return user_with_role(Role.school_staff, school, name="Ilse Begeleider")


@pytest.fixture
def colleague(school):
    return user_with_role(Role.school_staff, school, name="Cor Collega")


def _note(user, text="Er is een nieuwe verwijzing voor u.", **kwargs):
    return NotificationFactory(user=user, text=text, **kwargs)


def _read_at(notification_id):
    return db.session.scalar(sa.select(Notification.read_at)
                             .where(Notification.id == notification_id))


# --- the inbox -------------------------------------------------------------------------------


def test_inbox_lists_only_the_users_own_notifications_newest_first(ib, colleague, login):
    now = utcnow()
    _note(ib, "Oudste bericht voor Ilse.", created_at=now - timedelta(days=2))
    _note(ib, "Nieuwste bericht voor Ilse.", created_at=now)
    _note(colleague, "Bericht voor Cor.")
    page = text_of(login(ib).get("/berichten/"))
    assert "Bericht voor Cor" not in page
    assert page.index("Nieuwste bericht voor Ilse") < page.index("Oudste bericht voor Ilse")
    assert "2 berichten, waarvan 2 ongelezen" in page


def test_inbox_shows_the_dutch_label_of_each_kind(ib, login):
    _note(ib, kind="handover_request", text="Iemand vraagt u de casusregie over te nemen.")
    _note(ib, kind="something_new", text="Een soort die de tabel nog niet kent.")
    page = text_of(login(ib).get("/berichten/"))
    assert KIND_LABELS["handover_request"] in page
    assert "Bericht Een soort die de tabel nog niet kent" in page


def test_every_kind_the_code_sends_has_a_dutch_label():
    source = "\n".join(p.read_text(encoding="utf-8") for p in APP.rglob("*.py"))
    sent = set(re.findall(r'notify\([^,()]+(?:\([^()]*\))?,\s*"(\w+)"', source))
    assert sent and sent <= KIND_LABELS.keys(), sorted(sent - KIND_LABELS.keys())


def test_unread_notifications_are_marked_new(ib, login):
    _note(ib, "Ongelezen bericht.")
    _note(ib, "Gelezen bericht.", read_at=utcnow())
    response = login(ib).get("/berichten/")
    html = response.get_data(as_text=True)
    assert "<strong>Ongelezen bericht.</strong>" in html
    assert "<strong>Gelezen bericht.</strong>" not in html
    assert "2 berichten, waarvan 1 ongelezen" in text_of(response)


def test_inbox_paginates_by_25(ib, login):
    for n in range(30):
        _note(ib, f"Bericht nummer {n:02d}.")
    client = login(ib)
    first, second = text_of(client.get("/berichten/")), text_of(client.get("/berichten/?page=2"))
    assert "Pagina 1 van 2" in first
    assert "Bericht nummer 29" in first and "Bericht nummer 05" in first
    assert "Bericht nummer 04" not in first
    assert "Bericht nummer 04" in second and "Bericht nummer 00" in second


def test_an_empty_inbox_says_so(ib, login):
    assert "U hebt geen berichten" in text_of(login(ib).get("/berichten/"))


def test_the_inbox_needs_a_login(client):
    response = client.get("/berichten/")
    assert response.status_code == 302 and "/auth/login" in response.location


# --- opening ---------------------------------------------------------------------------------


def test_opening_marks_read_and_goes_to_the_link(ib, school, login):
    case = CaseFactory(school=school, pupil__school=school)
    note = _note(ib, case_id=case.id, link=f"/cases/{case.id}")
    response = login(ib).get(f"/berichten/{note.id}")
    assert response.status_code == 302
    assert response.location == f"/cases/{case.id}"
    assert _read_at(note.id) is not None


def test_opening_again_keeps_the_first_read_time(ib, login):
    first_read = utcnow() - timedelta(days=3)
    note = _note(ib, link="/berichten/", read_at=first_read)
    login(ib).get(f"/berichten/{note.id}")
    assert _read_at(note.id) == first_read


def test_another_users_notification_does_not_exist_for_you(ib, colleague, login):
    note = _note(colleague, link="/cases/1")
    response = login(ib).get(f"/berichten/{note.id}")
    assert response.status_code == 404
    assert _read_at(note.id) is None  # and it stays unread for its owner


def test_an_unknown_notification_is_404(ib, login):
    assert login(ib).get("/berichten/999999").status_code == 404


@pytest.mark.parametrize("link", [
    "https://evil.example/phish", "//evil.example/phish", "/\\evil.example", "javascript:alert(1)",
    "/cases/1\r\nSet-Cookie: x=1", "", None,
])
def test_opening_never_leaves_the_site(ib, login, link):
    note = _note(ib, link=link)
    response = login(ib).get(f"/berichten/{note.id}")
    assert response.status_code == 302
    assert response.location == "/berichten/"
    assert _read_at(note.id) is not None


@pytest.mark.parametrize("link, internal", [
    ("/cases/12", True), ("/cases/12?tab=mdo#kop-mdo", True), ("/", True),
    ("//evil.example", False), ("/\\evil.example", False), ("http://x", False),
    ("cases/12", False), ("/cases/ 12", False),
])
def test_internal_path_rule(link, internal):
    assert is_internal_path(link) is internal


def test_mark_all_read_touches_only_the_users_own(ib, colleague, login):
    mine = [_note(ib).id, _note(ib).id]
    theirs = _note(colleague).id
    response = login(ib).post("/berichten/alles-gelezen")
    assert response.status_code == 302 and response.location == "/berichten/"
    assert all(_read_at(i) is not None for i in mine)
    assert _read_at(theirs) is None


def test_mark_all_read_says_how_many(ib, login):
    _note(ib), _note(ib)
    client = login(ib)
    assert "2 berichten als gelezen gemarkeerd" in text_of(
        client.post("/berichten/alles-gelezen", follow_redirects=True))
    assert "geen ongelezen berichten" in text_of(
        client.post("/berichten/alles-gelezen", follow_redirects=True))


# --- the header count ------------------------------------------------------------------------


def test_the_header_shows_the_unread_count_on_every_page(ib, colleague, login):
    _note(ib), _note(ib), _note(ib, read_at=utcnow()), _note(colleague)
    page = text_of(login(ib).get("/auth/password"))
    assert "Berichten 2 ongelezen" in page


def test_no_count_in_the_header_without_unread(ib, login):
    _note(ib, read_at=utcnow())
    html = login(ib).get("/auth/password").get_data(as_text=True)
    assert "utrecht-badge-counter" not in html
    assert 'href="/berichten/"' in html


def test_the_count_is_one_query_per_page(ib, app, login):
    _note(ib)
    client = login(ib)
    with statements_run() as statements:
        client.get("/berichten/")  # the page shows the count twice: one query
    counts = [s for s in statements if "count(" in s.lower() and "FROM notification" in s]
    unread_counts = [s for s in counts if "read_at IS NULL" in s]
    assert len(unread_counts) == 1


def test_the_count_uses_the_unread_index(ib):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the plan is read with SQLite's EXPLAIN QUERY PLAN")
    stmt = sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == ib.id, Notification.read_at.is_(None))
    compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {compiled}")).all()
    assert "ix_notification_user_unread" in " ".join(str(row) for row in plan)
    assert queries.unread_count(ib) == 0


# --- the transactional outbox ----------------------------------------------------------------


def _count(model, **where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)
                             .filter_by(**where))


def test_notify_writes_the_inbox_row_and_queues_the_email(ib, school):
    case = CaseFactory(school=school, pupil__school=school)
    note = notify(ib, "new_referral", "Er is een nieuwe verwijzing voor u.", case=case,
                  link=f"/cases/{case.id}")
    db.session.flush()
    message = db.session.scalar(sa.select(OutboxMessage)
                                .where(OutboxMessage.notification_id == note.id))
    assert message.to_address == ib.email
    assert message.sent_at is None and message.attempts == 0
    assert "Er is een nieuwe verwijzing voor u." in message.body
    assert case.pupil.reference not in message.body + message.subject


def test_notify_queues_no_email_when_mail_is_off(ib, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_ENABLED", False)
    note = notify(ib, "new_referral", "Er is een nieuwe verwijzing voor u.")
    db.session.flush()
    assert _count(Notification, id=note.id) == 1
    assert _count(OutboxMessage, notification_id=note.id) == 0


def test_a_change_that_fails_leaves_no_notification_and_no_email(ib, colleague, school):
    case = CaseFactory(school=school, pupil__school=school)
    db.session.commit()  # a failed change rolls the session back: the setup must survive it
    notifications, messages = _count(Notification), _count(OutboxMessage)
    with pytest.raises(CaseError):
        with case_services.changing(ib, case, case.version, "test:notify"):
            notify(colleague, "new_referral", "Er is een nieuwe verwijzing voor u.", case=case)
            db.session.flush()  # written to the database, inside the change's transaction
            raise CaseError("Vul de reden in.", field="reason")
    assert (_count(Notification), _count(OutboxMessage)) == (notifications, messages)


def test_a_change_that_succeeds_commits_notification_and_email_with_it(ib, colleague, school):
    case = CaseFactory(school=school, pupil__school=school)
    db.session.commit()
    with case_services.changing(ib, case, case.version, "test:notify"):
        notify(colleague, "new_referral", "Er is een nieuwe verwijzing voor u.", case=case)
    db.session.rollback()  # nothing pending: the change committed both
    assert _count(Notification, user_id=colleague.id) == 1
    assert _count(OutboxMessage, to_address=colleague.email) == 1
