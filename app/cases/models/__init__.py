"""Case models: the case and its history, and the sub-records the workflow's guards read."""

from app.cases.models.arrangement import (
    ARRANGEMENT_KIND_LABELS,
    GOAL_ATTAINMENT_LABELS,
    PLAN_KIND_LABELS,
    Arrangement,
    ArrangementKind,
    CasePlan,
    Evaluation,
    EvaluationDecision,
    Funding,
    GoalAttainment,
    PlanKind,
)
from app.cases.models.case import (
    SIGNAL_CATEGORY_LABELS,
    Case,
    CaseEvent,
    CaseSignal,
    CaseTransition,
    Pupil,
    SignalCategory,
)
from app.cases.models.consent import Consent, ConsentGiver
from app.cases.models.mdo import (
    Discipline,
    MdoAction,
    MdoMeeting,
    MdoParticipant,
    ParentParticipation,
    PupilVoice,
)
from app.cases.models.referral import Referral, ReferralNote, ReferralStatus
from app.cases.models.regie import HandoverStatus, RegieHandover

__all__ = [
    "ARRANGEMENT_KIND_LABELS", "GOAL_ATTAINMENT_LABELS", "PLAN_KIND_LABELS",
    "SIGNAL_CATEGORY_LABELS", "Arrangement", "ArrangementKind", "Case", "CaseEvent", "CasePlan",
    "CaseSignal", "CaseTransition", "Consent", "ConsentGiver", "Discipline", "Evaluation",
    "EvaluationDecision", "Funding", "GoalAttainment", "HandoverStatus", "MdoAction",
    "MdoMeeting", "MdoParticipant", "ParentParticipation", "PlanKind", "Pupil", "PupilVoice",
    "Referral", "ReferralNote", "ReferralStatus", "RegieHandover", "SignalCategory",
]
