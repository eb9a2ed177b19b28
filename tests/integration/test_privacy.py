"""Personal-data registry, retention and the data-subject export."""

import json
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.cases.models import ArrangementKind, Case, Pupil, ReferralStatus
from app.cases.workflow import CaseState
from app.extensions import db
from app.privacy import services
from app.privacy.registry import EXEMPT, REGISTRY, REMOVED, registered_models
from tests.factories import (
    ArrangementFactory,
    CaseFactory,
    CaseTransitionFactory,
    ReferralFactory,
)

PERSONAL_TABLES = {"pupil_case", "pupil"}


def test_every_model_that_refers_to_a_pupil_or_case_is_registered():
    missing = []
    for mapper in db.Model.registry.mappers:
        table = mapper.local_table
        refers = any(fk.column.table.name in PERSONAL_TABLES for fk in table.foreign_keys)
        refers = refers or table.name in PERSONAL_TABLES
        if refers and mapper.class_ not in registered_models() and mapper.class_ not in EXEMPT:
            missing.append(mapper.class_.__name__)
    assert missing == [], f"add these to app/privacy/registry.py: {missing}"


def test_registered_free_text_columns_exist():
    for entry in REGISTRY:
        for name in entry.free_text:
            assert name in entry.model.__table__.c, f"{entry.model.__name__}.{name}"


def _closed_case(closed_years_ago: float, **kwargs):
    closed_at = datetime.now(UTC) - timedelta(days=365.25 * closed_years_ago)
    case = CaseFactory(state=CaseState.closed, closed_at=closed_at,
                       description="Zorgen over de thuissituatie", **kwargs)
    CaseTransitionFactory(case=case, trigger="close", from_state=CaseState.signalering,
                          to_state=CaseState.closed, note="Moeder belde", at=closed_at)
    return case


def test_school_only_case_is_anonymised_after_its_short_period():
    case = _closed_case(3)  # school-only: region default 2 years
    region = case.school.region
    report = services.run_retention(date.today())
    assert report.anonymised == 1
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.anonymised_at is not None
    assert case.description == REMOVED
    assert case.history[-1].note is None
    assert case.pupil.reference == f"ANON-{case.pupil.id}"
    # structure stays for the monitor
    assert case.state == CaseState.closed and case.closed_at is not None
    assert region.retention_school_years == 2
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert event.action == "retention_anonymise" and event.case_id == case.id
    assert "pupil_case.description" in event.fields


def test_youth_care_case_is_kept_twenty_years():
    case = _closed_case(3)
    ReferralFactory(case=case, status=ReferralStatus.started)
    ArrangementFactory(case=case, kind=ArrangementKind.jeugdhulp)
    assert services.run_retention(date.today()).anonymised == 0
    db.session.expire_all()
    assert db.session.get(Case, case.id).description != REMOVED
    later = date.today() + timedelta(days=365 * 18)
    assert services.run_retention(later).anonymised == 1


def test_open_and_recent_cases_are_untouched_and_the_run_is_idempotent():
    open_case = CaseFactory(state=CaseState.mdo)
    recent = _closed_case(0.5)
    _closed_case(3)
    assert services.run_retention(date.today()).anonymised == 1
    assert services.run_retention(date.today()).anonymised == 0
    db.session.expire_all()
    assert db.session.get(Case, open_case.id).anonymised_at is None
    assert db.session.get(Case, recent.id).anonymised_at is None


def test_pupil_keeps_reference_while_another_case_is_within_retention():
    old = _closed_case(3)
    CaseFactory(pupil=old.pupil, school=old.school, state=CaseState.signalering)
    services.run_retention(date.today())
    db.session.expire_all()
    assert not db.session.get(Pupil, old.pupil.id).reference.startswith("ANON-")


def test_retention_command(runner):
    _closed_case(3)
    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "1 geanonimiseerd" in result.output


def test_data_subject_export_holds_every_case_record_and_the_access_log(runner):
    case = _closed_case(0.2)
    ArrangementFactory(case=case, goal_thuis="Rust in huis")
    result = runner.invoke(args=["privacy", "export-pupil", "--school", case.school.brin,
                                 "--reference", case.pupil.reference.lower()])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["pupil"]["reference"] == case.pupil.reference
    exported = data["cases"][0]
    assert exported["pupil_case"][0]["description"] == "Zorgen over de thuissituatie"
    assert exported["arrangement"][0]["goal_thuis"] == "Rust in huis"
    assert {e.model.__tablename__ for e in REGISTRY if e.case_column} <= set(exported)
    # the export itself is logged, and shows up in the next export's access log
    again = json.loads(runner.invoke(args=["privacy", "export-pupil", "--school",
                                           case.school.brin, "--reference",
                                           case.pupil.reference]).stdout)
    assert any(e["action"] == "export" for e in again["cases"][0]["access_log"])


def test_export_of_unknown_pupil_is_a_clear_error(runner):
    result = runner.invoke(args=["privacy", "export-pupil", "--school", "00XX",
                                 "--reference", "NOPE"])
    assert result.exit_code != 0
    assert "Geen leerling" in result.output
