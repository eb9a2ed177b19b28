"""Retention (anonymise closed cases when their period ends) and the data-subject export."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.audit import services as audit
from app.audit.models import AuditEvent
from app.cases.models import ArrangementKind, Case, MdoMeeting, MdoParticipant, Pupil
from app.cases.workflow import CaseState
from app.extensions import db
from app.models import utcnow
from app.org.models import Region
from app.privacy.registry import REGISTRY, REMOVED

YOUTH_CARE_DISCIPLINES = frozenset({"wijkteam", "jeugdhulp"})


def involves_youth_care(case: Case) -> bool:
    """Youth-care records fall under the Jeugdwet's retention; school-only cases do not."""
    if any(r.is_accepted() or r.status.value == "ended" for r in case.referrals):
        return True
    if any(a.kind == ArrangementKind.jeugdhulp for a in case.arrangements):
        return True
    return any(p.discipline.value in YOUTH_CARE_DISCIPLINES and p.present
               for m in case.mdo_meetings for p in m.participants)


def retention_ends(case: Case) -> date | None:
    """The day after which a closed case is anonymised; None while it is open."""
    if case.closed_at is None:
        return None
    region = case.school.region
    years = (region.retention_youth_care_years if involves_youth_care(case)
             else region.retention_school_years)
    closed = case.closed_at.date()
    return closed.replace(year=closed.year + years, day=min(closed.day, 28))


@dataclass
class RetentionReport:
    checked: int = 0
    anonymised: int = 0


def run_retention(today: date, batch: int = 500) -> RetentionReport:
    """Anonymise every closed case whose retention ended before `today`. Idempotent; commits
    per batch so a long run keeps what it did when interrupted."""
    periods = db.session.execute(
        sa.select(Region.retention_school_years, Region.retention_youth_care_years)).all()
    shortest = min((min(p) for p in periods), default=0)
    cutoff = datetime(today.year - shortest, today.month, min(today.day, 28), tzinfo=UTC)
    report, last_id = RetentionReport(), 0
    while True:
        candidates = db.session.scalars(
            sa.select(Case).where(Case.state == CaseState.closed, Case.anonymised_at.is_(None),
                                  Case.closed_at < cutoff, Case.id > last_id)
            .order_by(Case.id).limit(batch)
        ).all()
        if not candidates:
            return report
        for case in candidates:
            report.checked += 1
            ends = retention_ends(case)
            if ends is not None and ends < today:
                anonymise_case(case)
                report.anonymised += 1
        last_id = candidates[-1].id
        db.session.commit()


def anonymise_case(case: Case) -> list[str]:
    """Blank every registered free-text column of the case and the pupil's identifiers.

    Structure (states, dates, kinds, who took part) stays, so the monitor's figures do not move.
    Written in the caller's transaction together with its audit row.
    """
    removed = []
    for entry in REGISTRY:
        if entry.case_column is None or not entry.free_text:
            continue
        column = getattr(entry.model, entry.case_column)
        for row in db.session.scalars(sa.select(entry.model).where(column == case.id)):
            for name in entry.free_text:
                if getattr(row, name):
                    setattr(row, name, REMOVED if _required(entry.model, name) else None)
                    removed.append(f"{entry.model.__tablename__}.{name}")
    _anonymise_pupil(case.pupil, case.id)
    case.anonymised_at = utcnow()
    audit.record_change("retention_anonymise", case, audit.Access("retention"),
                        fields=sorted(set(removed)) + ["pupil.reference", "pupil.initials"])
    return removed


def _required(model, name: str) -> bool:
    return not model.__table__.c[name].nullable


def _anonymise_pupil(pupil: Pupil, case_id: int) -> None:
    others_open = db.session.scalar(sa.select(sa.func.count()).select_from(Case).where(
        Case.pupil_id == pupil.id, Case.id != case_id, Case.anonymised_at.is_(None)))
    if others_open:
        return  # the pupil still has a case within its retention period
    pupil.reference = f"ANON-{pupil.id}"
    pupil.initials = "-"
    pupil.group_name = None


# --- data-subject export (AVG art. 15) ---------------------------------------------------------


def export_pupil(pupil: Pupil) -> dict:
    """Everything Schakel holds about one pupil, and who looked at their file (NEN 7513 ch. 9)."""
    cases = db.session.scalars(
        sa.select(Case).where(Case.pupil_id == pupil.id).order_by(Case.id)
    ).all()
    return {
        "pupil": _row(pupil),
        "cases": [_export_case(case) for case in cases],
        "exported_at": utcnow().isoformat(),
    }


def _export_case(case: Case) -> dict:
    data = {}
    for entry in REGISTRY:
        if entry.case_column is None:
            continue
        column = getattr(entry.model, entry.case_column)
        rows = db.session.scalars(sa.select(entry.model).where(column == case.id)).all()
        data[entry.model.__tablename__] = [_row(r, entry.export_exclude) for r in rows]
    data["mdo_participant"] = [_row(p) for p in db.session.scalars(
        sa.select(MdoParticipant).join(MdoMeeting).where(MdoMeeting.case_id == case.id)
        .options(so.raiseload("*")))]
    data["access_log"] = [_access_row(e) for e in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.seq))]
    return data


def _access_row(event: AuditEvent) -> dict:
    return {"at": event.at.isoformat(), "action": event.action, "outcome": event.outcome,
            "user_id": event.user_id, "role": event.role, "organisation": event.organisation,
            "authorisation": event.authorisation, "emergency": event.emergency}


def _row(obj, exclude=()) -> dict:
    out = {}
    for column in obj.__table__.columns:
        if column.key in exclude:
            continue
        value = getattr(obj, column.key)
        if hasattr(value, "value"):
            value = value.value
        elif isinstance(value, date | datetime):
            value = value.isoformat()
        out[column.key] = value
    return out
