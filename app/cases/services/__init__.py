"""Writers for cases, one module per part of the journey. Each use case is one commit: the
record, the case's version step, the timeline event, notifications and the audit row."""

from app.cases.services.core import (
    CaseConflict,
    CaseError,
    PupilData,
    SignaleringData,
    TransitionNotAllowed,
    advance_case,
    changing,
    open_case,
    record_event,
    update_signalering,
)

__all__ = ["CaseConflict", "CaseError", "PupilData", "SignaleringData", "TransitionNotAllowed",
           "advance_case", "changing", "open_case", "record_event", "update_signalering"]
