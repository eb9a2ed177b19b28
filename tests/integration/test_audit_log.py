"""The access log: hash chain, append-only, verification and export."""

import csv
import io

import pytest
import sqlalchemy as sa

from app.audit import queries, services
from app.audit.models import AuditEvent
from app.extensions import db
from tests.factories import CaseFactory


def _events():
    return db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)).all()


def test_rows_are_chained_in_order():
    case = CaseFactory()
    services.record_access("read", case, services.Access("school_staff", "school_staff", "X"))
    services.record_change("update", case, fields=("description",))
    first, second = _events()[-2:]
    assert second.seq == first.seq + 1
    assert second.prev_hash == first.row_hash
    assert first.subject_ref == f"{case.school.brin}/{case.pupil.reference}"
    assert second.fields == "description"
    assert queries.verify_chain().ok


def test_log_holds_no_free_text_about_the_pupil():
    case = CaseFactory(description="Vader drinkt, moeder werkt 's nachts")
    services.record_change("update", case, fields=("description",))
    row = _events()[-1]
    values = " ".join(str(getattr(row, c.key)) for c in AuditEvent.__table__.columns)
    assert "Vader" not in values and "moeder" not in values


def test_database_refuses_update_and_delete():
    services.record_access("login")
    event_id = _events()[-1].id
    for statement in (
        sa.update(AuditEvent).where(AuditEvent.id == event_id).values(action="x"),
        sa.delete(AuditEvent).where(AuditEvent.id == event_id),
    ):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.session.begin_nested():
            db.session.execute(statement)


def _drop_append_only_guard():
    """Simulate an attacker with direct database access (rolled back with the test)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("DROP TRIGGER audit_event_append_only ON audit_event"))
    else:
        db.session.execute(sa.text("DROP TRIGGER audit_event_no_update"))
        db.session.execute(sa.text("DROP TRIGGER audit_event_no_delete"))


@pytest.mark.parametrize("tamper", ["edit", "delete_middle", "delete_last"])
def test_verify_detects_tampering(tamper, runner):
    case = CaseFactory()
    for action in ("read", "read", "read"):
        services.record_access(action, case)
    assert queries.verify_chain().ok
    _drop_append_only_guard()
    rows = _events()
    target = rows[-1] if tamper == "delete_last" else rows[-2]
    if tamper == "edit":
        db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == target.id)
                           .values(user_id=999))
    else:
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == target.id))
    db.session.expire_all()
    report = queries.verify_chain()
    assert not report.ok
    assert report.broken_at == target.seq
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "NIET in orde" in result.output


def test_verify_command_on_a_sound_log(runner):
    services.record_access("login")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "Logboek in orde" in result.output


def test_export_writes_csv_for_the_period_and_logs_itself(runner):
    case = CaseFactory()
    services.record_access("read", case, services.Access("school_staff", "school_staff",
                                                         "=HYPERLINK(\"x\")"))
    before = len(_events())
    result = runner.invoke(args=["audit", "export", "--from", "2000-01-01", "--to", "2100-01-01"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[-1]["subject_ref"] == f"{case.school.brin}/{case.pupil.reference}"
    # a value that would start a spreadsheet formula is written as plain text
    assert rows[-1]["organisation"].startswith("'=")
    assert _events()[-1].action == "log_export"
    assert len(_events()) == before + 1


def test_export_refuses_an_inverted_period(runner):
    result = runner.invoke(args=["audit", "export", "--from", "2026-02-01", "--to", "2026-01-01"])
    assert result.exit_code != 0
    assert "--to ligt voor --from" in result.output
