"""Writers for the region's escalation ladder and rule thresholds (the admin screens).

Each public function is one use case and commits once; refused input raises `OrgError` (Dutch
message, form field) before anything is set, like the other admin services.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.cases.models import Case
from app.escalation.models import Escalation, EscalationTier
from app.escalation.rules import RULES
from app.extensions import db
from app.org.models import Region, School
from app.org.services import OrgError

# Bounds per unit; the forms show the same.
MAX_DAYS, MAX_WEEKS = 365, 104


@dataclass(frozen=True)
class TierData:
    level: int
    name: str
    sla_days: int
    decider: str


def _commit() -> None:
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise OrgError("Dit niveau bestaat al in de ladder (iemand legde het net vast). "
                       "Kies een ander niveau.", "level") from exc


def _check(region_id: int, data: TierData, tier_id: int | None) -> None:
    if data.level < 1:
        raise OrgError("Het niveau is 1 of hoger.", "level")
    if data.sla_days < 1:
        raise OrgError("De termijn is minstens 1 dag.", "sla_days")
    if not data.name.strip():
        raise OrgError("Vul een naam in.", "name")
    if not data.decider.strip():
        raise OrgError("Beschrijf wie op deze trede besluit.", "decider")
    taken = db.session.scalar(sa.select(EscalationTier.id).where(
        EscalationTier.region_id == region_id, EscalationTier.level == data.level,
        EscalationTier.id != (tier_id or 0)))
    if taken is not None:
        raise OrgError(f"Niveau {data.level} bestaat al in de ladder. Kies een ander niveau "
                       "of wijzig die trede.", "level")


def _open_at(region_id: int, level: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Escalation.id)).join(Escalation.case).join(Case.school)
        .where(School.region_id == region_id, Escalation.tier == level,
               Escalation.resolved_at.is_(None)))


def create_tier(region: Region, data: TierData) -> EscalationTier:
    _check(region.id, data, None)
    tier = EscalationTier(region_id=region.id, level=data.level, name=data.name.strip(),
                          sla_days=data.sla_days, decider=data.decider.strip())
    db.session.add(tier)
    _commit()
    return tier


def update_tier(tier: EscalationTier, data: TierData) -> None:
    """Name, SLA and decider change freely (deadlines already set stay as promised); the level
    only while no open escalation is at it, or those would lose their tier."""
    _check(tier.region_id, data, tier.id)
    if data.level != tier.level and _open_at(tier.region_id, tier.level):
        raise OrgError(f"Er staan nog open escalaties op niveau {tier.level}: het niveau kan "
                       "pas veranderen als die zijn afgerond.", "level")
    tier.level, tier.name = data.level, data.name.strip()
    tier.sla_days, tier.decider = data.sla_days, data.decider.strip()
    _commit()


def update_thresholds(region: Region, values: dict[str, int]) -> None:
    """The thresholds of the automatic rules, one per rule (in its days or weeks)."""
    for rule in RULES.values():
        value = values[rule.threshold_field]
        high = MAX_WEEKS if rule.unit == "weken" else MAX_DAYS
        if not 1 <= value <= high:
            raise OrgError(f"Kies 1 tot en met {high} {rule.unit}.", rule.threshold_field)
    for rule in RULES.values():
        setattr(region, rule.threshold_field, values[rule.threshold_field])
    _commit()
