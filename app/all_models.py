"""Imports every model module so the mappers and Alembic's autogenerate see all tables."""

from app.audit.models import AuditChainHead, AuditEvent
from app.auth.models import Membership, User
from app.cases.models import (
    Arrangement,
    Case,
    CaseEvent,
    CasePlan,
    CaseSignal,
    CaseTransition,
    Consent,
    Evaluation,
    MdoAction,
    MdoMeeting,
    MdoParticipant,
    Pupil,
    Referral,
    ReferralNote,
    RegieHandover,
)
from app.escalation.models import Escalation, EscalationTier, ThuiszitterEpisode
from app.monitor.models import MONITOR_INDEXES  # noqa: F401  (indexes on the tables above)
from app.monitor.survey import models as survey_models  # noqa: F401  (the survey tables)
from app.notifications.models import Notification, OutboxMessage
from app.org.models import Municipality, Organisation, Region, School, SchoolContact

__all__ = [
    "Arrangement", "AuditChainHead", "AuditEvent", "Case", "CaseEvent", "CasePlan", "CaseSignal",
    "CaseTransition", "Consent", "Escalation", "Evaluation", "MdoAction", "MdoMeeting",
    "MdoParticipant", "Membership", "Municipality", "Notification", "Organisation",
    "OutboxMessage", "Pupil", "Referral", "ReferralNote", "Region", "RegieHandover", "School",
    "SchoolContact", "User",
    "EscalationTier", "ThuiszitterEpisode",
]
