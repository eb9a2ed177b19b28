"""Imports every model module so the mappers and Alembic's autogenerate see all tables."""

from app.audit.models import AuditChainHead, AuditEvent
from app.auth.models import Membership, User
from app.cases.models import (
    Arrangement,
    Case,
    CaseSignal,
    CaseTransition,
    Consent,
    Evaluation,
    MdoMeeting,
    MdoParticipant,
    Pupil,
    Referral,
)
from app.escalation.models import Escalation
from app.org.models import Municipality, Organisation, Region, School, SchoolContact

__all__ = [
    "Arrangement", "AuditChainHead", "AuditEvent", "Case", "CaseSignal", "CaseTransition",
    "Consent", "Escalation", "Evaluation", "MdoMeeting", "MdoParticipant", "Membership",
    "Municipality", "Organisation", "Pupil", "Referral", "Region", "School", "SchoolContact",
    "User",
]
