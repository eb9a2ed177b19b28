"""Case models: the case and its history, and the sub-records the workflow's guards read."""

from app.cases.models.arrangement import (
    ARRANGEMENT_KIND_LABELS,
    Arrangement,
    ArrangementKind,
    Evaluation,
    EvaluationDecision,
    Funding,
)
from app.cases.models.case import (
    SIGNAL_CATEGORY_LABELS,
    Case,
    CaseSignal,
    CaseTransition,
    Pupil,
    SignalCategory,
)
from app.cases.models.consent import Consent, ConsentGiver
from app.cases.models.mdo import (
    Discipline,
    MdoMeeting,
    MdoParticipant,
    ParentParticipation,
    PupilVoice,
)
from app.cases.models.referral import Referral, ReferralStatus

__all__ = [
    "ARRANGEMENT_KIND_LABELS", "SIGNAL_CATEGORY_LABELS", "Arrangement", "ArrangementKind", "Case",
    "CaseSignal", "CaseTransition", "Consent", "ConsentGiver", "Discipline", "Evaluation",
    "EvaluationDecision", "Funding", "MdoMeeting", "MdoParticipant", "ParentParticipation",
    "Pupil", "PupilVoice", "Referral", "ReferralStatus", "SignalCategory",
]
