"""Reading the access log: chain verification, per-case overviews and period exports."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.audit.models import AuditChainHead, AuditEvent
from app.audit.services import GENESIS, row_hash
from app.extensions import db

BATCH = 2000


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None = None  # the first seq whose row or link does not match
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def _rows_in_order() -> Iterator[AuditEvent]:
    last = 0
    while True:
        batch = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.seq > last).order_by(AuditEvent.seq)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        yield from batch
        last = batch[-1].seq
        db.session.expunge_all()


def verify_chain() -> ChainReport:
    """Recompute every row's hash and link; report the first place where they break."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    for event in _rows_in_order():
        values = {key: getattr(event, key) for key in AuditEvent.HASHED}
        if event.seq != expected_seq:
            return ChainReport(checked, expected_seq, "een rij ontbreekt")
        if event.prev_hash != expected_prev:
            return ChainReport(checked, event.seq, "de koppeling met de vorige rij klopt niet")
        if row_hash(values) != event.row_hash:
            return ChainReport(checked, event.seq, "de inhoud van de rij is gewijzigd")
        expected_prev, expected_seq, checked = event.row_hash, event.seq + 1, checked + 1
    head = db.session.get(AuditChainHead, 1)
    if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != expected_prev):
        return ChainReport(checked, expected_seq, "de laatste rij(en) ontbreken")
    return ChainReport(checked)


def events_between(start: datetime, end: datetime):
    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.at >= start, AuditEvent.at < end)
        .order_by(AuditEvent.seq).execution_options(yield_per=BATCH)
    )


def case_access_log(case_id: int, page: int, per_page: int = 50):
    return db.paginate(
        sa.select(AuditEvent).where(AuditEvent.case_id == case_id)
        .order_by(AuditEvent.seq.desc()),
        page=page, per_page=per_page, max_per_page=per_page, error_out=False,
    )


def user_names(user_ids: set[int | None]) -> dict[int, str]:
    from app.auth.models import User

    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all())
