"""Every table that holds personal data about a pupil, with how to find and anonymise its rows.

A new model that refers to a pupil or a case must be registered here: a test walks the mappers
and fails when one is missing. Retention and the data-subject export both read this registry,
so a registered table is retained, anonymised and exported without further code.
"""

from dataclasses import dataclass, field

from app.audit.models import AuditEvent
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
from app.escalation.models import Escalation, ThuiszitterEpisode
from app.notifications.models import Notification

REMOVED = "[verwijderd na bewaartermijn]"


@dataclass(frozen=True)
class PersonalTable:
    model: type
    # Column that links a row to its case (None for the pupil itself).
    case_column: str | None
    # Free-text columns that may describe the child or family: blanked at the end of retention.
    free_text: tuple[str, ...] = ()
    # Columns exported to the data subject (all columns when empty).
    export_exclude: tuple[str, ...] = field(default=("version",))


REGISTRY: tuple[PersonalTable, ...] = (
    PersonalTable(Case, "id", free_text=("description", "hulpvraag", "meldcode_justification")),
    PersonalTable(CaseSignal, "case_id"),
    PersonalTable(CaseTransition, "case_id", free_text=("note",)),
    PersonalTable(Consent, "case_id", free_text=("purpose",)),
    PersonalTable(CaseEvent, "case_id"),  # content-free lines by design
    PersonalTable(Referral, "case_id", free_text=("question", "decline_reason", "redirect_note",
                                                  "bridging_plan", "outcome")),
    PersonalTable(ReferralNote, "case_id", free_text=("text",)),
    PersonalTable(MdoMeeting, "case_id", free_text=("parents_reason", "pupil_reason", "minutes")),
    PersonalTable(MdoParticipant, None),  # reached through its meeting
    PersonalTable(MdoAction, "case_id", free_text=("description",)),
    PersonalTable(RegieHandover, "case_id", free_text=("note", "answer_note")),
    PersonalTable(Arrangement, "case_id", free_text=("goal_school", "goal_thuis", "goal_wijk")),
    PersonalTable(CasePlan, "case_id", free_text=("summary",)),
    PersonalTable(Evaluation, "case_id", free_text=("school_input", "notes")),
    PersonalTable(Notification, "case_id"),  # content-free texts by design
    PersonalTable(Escalation, "case_id", free_text=("rationale", "decision")),
    PersonalTable(ThuiszitterEpisode, "case_id"),  # dates and a reason category, no free text
    PersonalTable(Pupil, None),
)

# Tables that point at a case or pupil but are kept apart on purpose, with the reason.
EXEMPT = {
    AuditEvent: "the NEN 7513 access log: kept five years on its own terms, no free text",
}


def registered_models() -> set[type]:
    return {entry.model for entry in REGISTRY}
