"""`flask bench seed`: the bulk-loaded bench region is a region the app can work with.

Seeds 300 cases into a database of its own (the bulk loader writes through its own engine, so
it cannot share the per-test transaction), then checks the counts per state, referential
integrity, the consistency of the workflow records, the app's pages on the result, a workflow
step, and the access log's hash chain.
"""

import re
import time

import pyotp
import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.bench import seed as seeding
from app.bench.journeys import STATE_MIX
from app.bench.world import BENCH_PASSWORD, DOMAIN
from app.extensions import db
from app.monitor import counting
from app.monitor.counting import POPULATIONS
from app.monitor.populations import Span
from app.monitor.queries import Monitor
from app.monitor.scopes import KINDS
from app.org.models import Region
from tests.conftest import FreshContextClient

CASES = 300
TOKEN = re.compile(r'name="[\w-]*csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "bench.db"
    app = create_app({"TESTING": True, "SECRET_KEY": "bench-test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "DEMO_MODE": False})
    app.test_client_class = FreshContextClient
    with app.app_context():
        upgrade()
        db.engine.dispose()
    result = seeding.seed(f"sqlite:///{path}", CASES)
    yield app, result
    with app.app_context():
        db.engine.dispose()


def rows(app, sql: str, **params):
    with app.app_context():
        return db.session.execute(sa.text(sql), params).all()


def scalar(app, sql: str, **params):
    return rows(app, sql, **params)[0][0]


_last_step: dict[str, int] = {}


def token(client, path: str) -> str:
    """The CSRF token of the form on `path` (the bench app checks them, as in production)."""
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def login(app, local: str):
    """A client logged in through password and TOTP code, like a person."""
    client = app.test_client()
    email = f"{local}@{DOMAIN}"
    response = client.post("/auth/login", data={"email": email, "password": BENCH_PASSWORD,
                                                 "csrf_token": token(client, "/auth/login")})
    assert response.status_code == 302, response.get_data(as_text=True)
    secret = scalar(app, "SELECT totp_secret FROM app_user WHERE email = :e", e=email)
    step = max(int(time.time()) // 30, _last_step.get(email, 0) + 1)
    _last_step[email] = step
    response = client.post("/auth/code", data={"code": pyotp.TOTP(secret).at(step * 30),
                                                "csrf_token": token(client, "/auth/code")})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


# --- what was loaded -----------------------------------------------------------------------------


def test_cases_in_every_state_in_proportion(bench):
    app, result = bench
    counts = dict(rows(app, "SELECT state, COUNT(*) FROM pupil_case GROUP BY state"))
    assert sum(counts.values()) == CASES == result.counts["pupil_case"]
    assert set(counts) == {state for state, _ in STATE_MIX}
    assert max(counts, key=counts.get) == "closed"
    assert counts["escalation"] >= 1


def test_schools_in_every_sector_and_bench_logins(bench):
    app, result = bench
    sectors = {s for (s,) in rows(app, "SELECT DISTINCT sector FROM school")}
    assert {"po", "vo", "so"} <= sectors
    assert len(result.world.logins) == 32
    assert scalar(app, "SELECT COUNT(*) FROM app_user WHERE email LIKE 'bench.%'") == 32


def test_referential_integrity(bench):
    app, _ = bench
    assert rows(app, "PRAGMA foreign_key_check") == []
    assert rows(app, "PRAGMA integrity_check") == [("ok",)]


def test_histories_match_the_state(bench):
    app, _ = bench
    # Every case starts with `open` and its last step leads to its current state, at state_since.
    mismatched = rows(app, """
        SELECT c.id FROM pupil_case c
        JOIN case_transition t ON t.id = (SELECT MAX(id) FROM case_transition WHERE case_id = c.id)
        WHERE t.to_state <> c.state OR t.at <> c.state_since""")
    assert mismatched == []
    first = rows(app, """SELECT DISTINCT t.trigger FROM case_transition t WHERE t.id =
                         (SELECT MIN(id) FROM case_transition WHERE case_id = t.case_id)""")
    assert first == [("open",)]
    assert scalar(app, "SELECT COUNT(*) FROM pupil_case WHERE state = 'closed' "
                       "AND (closed_at IS NULL OR closure_reason IS NULL)") == 0


def test_records_that_the_workflow_implies(bench):
    app, _ = bench
    # Escalated cases have exactly one open escalation, with a tier and a deadline.
    assert rows(app, """SELECT c.id FROM pupil_case c WHERE c.state = 'escalation' AND
                        (SELECT COUNT(*) FROM escalation e WHERE e.case_id = c.id
                         AND e.resolved_at IS NULL AND e.tier IS NOT NULL) <> 1""") == []
    # Cases in the MDO phase have a planned meeting with invitees.
    assert rows(app, """SELECT c.id FROM pupil_case c WHERE c.state = 'mdo' AND NOT EXISTS
                        (SELECT 1 FROM mdo_meeting m JOIN mdo_participant p ON p.meeting_id = m.id
                         WHERE m.case_id = c.id AND m.held_at IS NULL)""") == []
    # Running arrangements have goals, an evaluation date and a regie holder.
    assert rows(app, """SELECT c.id FROM pupil_case c WHERE c.state = 'arrangement' AND
                        (c.regie_holder_id IS NULL OR NOT EXISTS (SELECT 1 FROM arrangement a
                         WHERE a.case_id = c.id AND a.evaluation_due IS NOT NULL))""") == []
    for table in ("consent", "referral", "mdo_action", "evaluation", "case_plan",
                  "thuiszitter_episode", "case_event"):
        assert scalar(app, f"SELECT COUNT(*) FROM {table}") > 0, table  # noqa: S608


def test_write_pool_is_fresh(bench):
    app, result = bench
    pool = rows(app, "SELECT state, version FROM pupil_case WHERE school_id = :s",
                s=result.world.write_school.id)
    assert len(pool) == seeding.write_pool_size(CASES)
    assert set(pool) == {("signalering", 1)}


def test_chain_head_exists_and_no_log_rows(bench):
    app, _ = bench
    assert rows(app, "SELECT id, last_seq FROM audit_chain_head") == [(1, 0)]
    assert scalar(app, "SELECT COUNT(*) FROM audit_event") == 0


# --- the app on the result -------------------------------------------------------------------


def test_school_pages_work(bench):
    app, result = bench
    client = login(app, "bench.ib1")
    page = client.get("/cases/")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count('href="/cases/') >= 20
    school = result.world.bench_school.id
    for state, _ in STATE_MIX:
        case_id = scalar(app, "SELECT MAX(id) FROM pupil_case WHERE school_id = :s "
                              "AND state = :st", s=school, st=state)
        if case_id is not None:
            assert client.get(f"/cases/{case_id}").status_code == 200, state
    assert client.get("/berichten/").status_code == 200
    assert client.get("/cases/tasks").status_code == 200


def test_coordinator_and_professional_pages_work(bench):
    app, _ = bench
    coordinator = login(app, "bench.coord1")
    queue = coordinator.get("/escalaties/")
    assert queue.status_code == 200
    escalation = scalar(app, "SELECT MIN(id) FROM escalation WHERE resolved_at IS NULL")
    assert coordinator.get(f"/escalaties/{escalation}").status_code == 200
    coach = login(app, "bench.jg1")
    assert coach.get("/cases/referrals").status_code == 200
    assert coach.get("/cases/tasks").status_code == 200


def test_workflow_steps_on_the_write_pool(bench):
    app, result = bench
    client = login(app, "bench.schrijf1")
    case_id = scalar(app, "SELECT MIN(id) FROM pupil_case WHERE school_id = :s",
                     s=result.world.write_school.id)
    csrf = token(client, f"/cases/{case_id}")
    # The form fields as the write benchmark (tools/bench/write.lua) posts them.
    closed = client.post(f"/cases/{case_id}/transitions/close", data={
        "close-csrf_token": csrf, "close-version": 1, "close-reason": "no_concern"})
    assert closed.status_code == 302
    reopened = client.post(f"/cases/{case_id}/transitions/reopen", data={
        "reopen-csrf_token": csrf, "reopen-version": 2, "reopen-note": "Opnieuw zorgen."})
    assert reopened.status_code == 302
    assert rows(app, "SELECT state, version FROM pupil_case WHERE id = :c", c=case_id) == [
        ("signalering", 3)]
    triggers = [t for (t,) in rows(app, "SELECT trigger FROM case_transition WHERE case_id = :c "
                                        "ORDER BY id", c=case_id)]
    assert triggers == ["open", "close", "reopen"]


def test_audit_chain_verifies_after_use(bench):
    app, _ = bench
    login(app, "bench.ib2").get("/cases/")
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "Logboek in orde" in result.output
    assert scalar(app, "SELECT COUNT(*) FROM audit_event") > 0


# --- refusals --------------------------------------------------------------------------------


def test_monitor_medians_of_every_period_and_scope_match_the_ranking(bench):
    """The dated populations' medians come from one histogram per population for the whole
    window (`window_medians`); on this region of 300 cases they are those of the ranking
    statement run per period and scope kind, for every period and scope."""
    app, _ = bench
    with app.app_context():
        region = db.session.scalar(sa.select(Region).where(Region.code == "BENCH"))
        monitor = Monitor(region, exact=True)
        window = Span(region.id, monitor.window.first, monitor.window.last, monitor.today)
        compared = 0
        for population in POPULATIONS.values():
            if not (population.event and population.durations):
                continue
            found = counting.window_medians(population, window, monitor.layout,
                                            monitor.periods)
            for period in monitor.periods:
                span = Span(region.id, period.first, min(period.last, monitor.window.last),
                            monitor.today)
                for kind in KINDS:
                    ranked = counting.medians(population.records(span), kind)
                    assert found[(period.label, kind)] == ranked, (population.key, period, kind)
                    compared += len(ranked)
        assert compared > 500  # medians of many scopes were there to compare


def test_refuses_a_database_that_is_not_empty(bench):
    app, _ = bench
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with pytest.raises(seeding.NotEmpty):
        seeding.seed(url, 100, parallel=False)


def test_refuses_in_production(runner, monkeypatch):
    monkeypatch.setenv("SCHAKEL_ENV", "production")
    result = runner.invoke(args=["bench", "seed", "--cases", "100"])
    assert result.exit_code != 0
    assert "niet beschikbaar in productie" in result.output
