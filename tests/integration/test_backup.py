"""flask backup / restore on a real SQLite file (outside the per-test transaction)."""

import sqlite3
import threading

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.org.models import Region


def invoke(app, args):
    """Run a CLI command against `app` (the test runs inside the suite app's context)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=args)


@pytest.fixture
def file_app(app, tmp_path):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("backup/restore is the SQLite path; PostgreSQL uses pg_dump")
    live = create_app({"TESTING": True, "SECRET_KEY": "t",
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'live.db'}"})
    with live.app_context():
        upgrade()
        db.session.add(Region(code="NK", name="Noord-Kennemerland"))
        db.session.commit()
    yield live
    with live.app_context():
        db.engine.dispose()


def test_backup_while_writing_then_restore_passes_db_check(file_app, tmp_path):
    stop = threading.Event()

    def keep_writing():
        conn = sqlite3.connect(tmp_path / "live.db", timeout=5)
        n = 0
        while not stop.is_set() and n < 500:
            conn.execute("INSERT INTO region (code, name, referral_answer_days, "
                         "reopen_within_years) VALUES (?, ?, 10, 2)", (f"W{n}", f"Regio {n}"))
            conn.commit()
            n += 1
        conn.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    backup = tmp_path / "copy.db"
    result = invoke(file_app, ["backup", "--output", str(backup)])
    stop.set()
    writer.join()
    assert result.exit_code == 0, result.output
    assert "Back-up gemaakt" in result.output

    # the live database moves on; restoring brings back the snapshot
    with file_app.app_context():
        db.session.execute(sa.delete(Region).where(Region.code == "NK"))
        db.session.commit()
    refused = invoke(file_app, ["restore", str(backup)])
    assert refused.exit_code != 0 and "--yes" in refused.output
    result = invoke(file_app, ["restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    with file_app.app_context():
        db.engine.dispose()
        assert db.session.scalar(sa.select(Region).where(Region.code == "NK")) is not None
    check = invoke(file_app, ["db", "check"])
    assert check.exit_code == 0, check.output


def test_restore_refuses_a_damaged_file(file_app, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database" * 100)
    result = invoke(file_app, ["restore", str(bad), "--yes"])
    assert result.exit_code != 0
    assert "geen bruikbare SQLite-database" in result.output


def test_backup_refuses_to_overwrite(file_app, tmp_path):
    target = tmp_path / "exists.db"
    target.write_text("keep me")
    result = invoke(file_app, ["backup", "--output", str(target)])
    assert result.exit_code != 0
    assert target.read_text() == "keep me"
