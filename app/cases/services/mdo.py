"""The MDO: plan it (and change the plan), record how it went with its decisions as actions for
named owners, and mark an action done. One commit per use case, through `changing`.

Who may be invited, chair or own an action is worked out here too, so the forms offer exactly
what the writers accept.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from flask import current_app

from app.auth import permissions
from app.auth.models import Membership, Role, User
from app.cases.models import (
    Discipline,
    MdoAction,
    MdoMeeting,
    MdoParticipant,
    ParentParticipation,
    PupilVoice,
)
from app.cases.services.core import CaseError, changing, record_event
from app.cases.workflow import CaseState
from app.extensions import db
from app.filters import AMSTERDAM, nl_date
from app.models import utcnow
from app.notifications.services import notify
from app.org.models import Organisation, OrganisationKind, PartnerType

KIND_DISCIPLINE = {
    OrganisationKind.wijkteam: Discipline.jeugdhulp,
    OrganisationKind.jeugdhulpaanbieder: Discipline.jeugdhulp,
    OrganisationKind.leerplicht: Discipline.leerplicht,
    OrganisationKind.jgz: Discipline.jgz,
    OrganisationKind.samenwerkingsverband: Discipline.swv,
}
PARTNER_DISCIPLINE = {
    PartnerType.jeugdhulp: Discipline.jeugdhulp,
    PartnerType.leerplicht: Discipline.leerplicht,
    PartnerType.jgz: Discipline.jgz,
    PartnerType.swv: Discipline.swv,
}
PARENT_SUMMARY = {
    ParentParticipation.present: "ouders aanwezig",
    ParentParticipation.invited_absent: "ouders uitgenodigd, niet aanwezig",
    ParentParticipation.not_invited: "ouders niet uitgenodigd",
}
PUPIL_SUMMARY = {
    PupilVoice.present: "leerling aanwezig",
    PupilVoice.heard_beforehand: "leerling vooraf gehoord",
    PupilVoice.not_heard: "leerling niet gehoord",
}


def local_to_utc(day: date, clock: time) -> datetime:
    """A date and time as the user means them (Dutch local time), as an aware UTC moment."""
    return datetime.combine(day, clock, tzinfo=AMSTERDAM).astimezone(UTC)


def local_day(moment: datetime) -> date:
    return moment.astimezone(AMSTERDAM).date()


def when_text(moment: datetime) -> str:
    """'12 maart 2027 om 14:00', in Dutch local time."""
    local = moment.astimezone(AMSTERDAM)
    return f"{nl_date(local)} om {local:%H:%M}"


def _path(endpoint: str, **values) -> str:
    """An internal path for a notification link; works inside and outside a request."""
    return current_app.url_map.bind("").build(endpoint, values)


# --- who takes part ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Invitee:
    """A named person (with the organisation they come for) or an organisation without one."""

    discipline: Discipline
    user_id: int | None = None
    organisation_id: int | None = None
    label: str = ""

    @property
    def key(self) -> str:
        return f"p{self.user_id}-{self.organisation_id}" if self.user_id else (
            f"o{self.organisation_id}")


def participant_key(participant: MdoParticipant) -> str:
    return Invitee(participant.discipline, participant.user_id, participant.organisation_id).key


def case_team(case) -> list[User]:
    """Who may chair the MDO: the school staff of the school, the regie holder and the
    professionals with a live referral (not declined, not passed on)."""
    staff = db.session.scalars(
        sa.select(User).join(Membership)
        .where(Membership.role == Role.school_staff, Membership.school_id == case.school_id,
               User.active.is_(True))
        .order_by(User.name)
    ).all()
    others = [case.regie_holder] + [r.to_user for r in case.referrals if _live(r)]
    return _unique([*staff, *(u for u in others if u is not None)])


def _live(referral) -> bool:
    """A referral to a named professional that was not declined or passed on."""
    return referral.to_user is not None and referral.status.value not in {"declined",
                                                                          "redirected"}


def action_owners(case, meeting) -> list[User]:
    """Who may own a decision of `meeting`: its invited people and the case team."""
    return _unique([*case_team(case), *(p.user for p in meeting.participants if p.user)])


def _unique(users) -> list[User]:
    seen, result = set(), []
    for user in users:
        if user.id not in seen:
            seen.add(user.id)
            result.append(user)
    return result


def invitee_options(case, today: date) -> list[Invitee]:
    """Who may be invited besides the school: the professionals known to the case (regie holder,
    referrals, earlier MDOs), the school's contact persons, and every partner organisation of
    the region without a named person."""
    people = [_person(case.regie_holder)] if case.regie_holder else []
    people += [_person(r.to_user, r.to_organisation) for r in case.referrals if _live(r)]
    people += [_person(p.user, p.organisation, p.discipline)
               for m in case.mdo_meetings for p in m.participants
               if p.user and p.organisation]
    people += [_person(c.user, c.organisation, PARTNER_DISCIPLINE[c.partner_type])
               for c in case.school.contacts if c.is_valid_on(today)]
    organisations = db.session.scalars(
        sa.select(Organisation).where(Organisation.region_id == case.school.region_id)
        .order_by(Organisation.name)
    ).all()
    school_staff = _school_ids(case)
    options = [p for p in people if p is not None and p.user_id not in school_staff]
    options += [Invitee(KIND_DISCIPLINE[o.kind], None, o.id, f"{o.name} (zonder vaste persoon)")
                for o in organisations]
    unique = {}
    for option in options:
        unique.setdefault(option.key, option)
    return list(unique.values())


def _school_ids(case) -> set[int]:
    """Staff of the case's own school: they come as the school, not as an outside partner."""
    return {u.id for u in case_team(case) if permissions.is_school_staff_of(u, case.school_id)}


def _person(user, organisation=None, discipline=None) -> Invitee | None:
    """A person invited for their organisation (their own, when none is given)."""
    if organisation is None:
        membership = next((m for m in user.memberships if m.organisation is not None), None)
        organisation = membership.organisation if membership else None
    if organisation is None:
        return None
    discipline = discipline or KIND_DISCIPLINE[organisation.kind]
    return Invitee(discipline, user.id, organisation.id, f"{user.name} – {organisation.name}")


# --- plan --------------------------------------------------------------------------------------


@dataclass
class MdoPlan:
    planned_at: datetime
    chair_id: int
    invitees: list[Invitee]


def schedule_mdo(actor, case, expected_version: int, plan: MdoPlan) -> MdoMeeting:
    """Plan the case's MDO: the school always takes part; invited people are notified. Only one
    planned MDO at a time: a second is refused (change the planned one instead)."""
    with changing(actor, case, expected_version, "mdo_plan",
                  fields=("mdo.planned_at", "mdo.chair", "mdo.participants")):
        if case.planned_mdo is not None:
            raise CaseError("Er is al een MDO gepland. Wijzig dat MDO in plaats van een tweede "
                            "te plannen.")
        _check_plan(case, plan)
        meeting = MdoMeeting(case_id=case.id, planned_at=plan.planned_at, chair_id=plan.chair_id,
                             participants=[_school_participant(actor, case)])
        case.mdo_meetings.append(meeting)
        added = _set_invitees(meeting, plan.invitees)
        record_event(case, "mdo", f"MDO gepland op {when_text(plan.planned_at)}", actor)
        _invite(actor, case, meeting, added, moved=[])
    return meeting


def reschedule_mdo(actor, case, meeting: MdoMeeting, expected_version: int,
                   plan: MdoPlan) -> MdoMeeting:
    """Change the planned MDO (date, chair, invitees). New invitees get an invitation, the
    others a message when the date or time moved."""
    with changing(actor, case, expected_version, "mdo_replan",
                  fields=("mdo.planned_at", "mdo.chair", "mdo.participants")):
        if meeting.held_at is not None:
            raise CaseError("Dit MDO is al gehouden; plan zo nodig een nieuw MDO.")
        _check_plan(case, plan)
        moved = meeting.planned_at != plan.planned_at
        meeting.planned_at, meeting.chair_id = plan.planned_at, plan.chair_id
        added = _set_invitees(meeting, plan.invitees)
        staying = [p for p in meeting.participants if p not in added] if moved else []
        record_event(case, "mdo", f"MDO-planning gewijzigd: {when_text(plan.planned_at)}", actor)
        _invite(actor, case, meeting, added, moved=staying)
    return meeting


def _check_plan(case, plan: MdoPlan) -> None:
    if case.state not in (CaseState.signalering, CaseState.mdo):
        raise CaseError("Een MDO plannen kan alleen in de fase signalering of MDO.")
    if plan.planned_at <= utcnow():
        raise CaseError("Kies een datum en tijd in de toekomst.", field="planned_on")
    if plan.chair_id not in {u.id for u in case_team(case)}:
        raise CaseError("Kies een voorzitter uit het team van de casus.", field="chair_id")
    allowed = {o.key for o in invitee_options(case, date.today())}
    if not plan.invitees or any(i.key not in allowed for i in plan.invitees):
        raise CaseError("Nodig minstens één partner uit naast de school, uit de lijst.",
                        field="invitees")


def _school_participant(actor, case) -> MdoParticipant:
    """The school always takes part: the planner when they work at the school, else the one who
    opened the case (while still there)."""
    school_user = next((u for u in (actor, case.opened_by)
                        if permissions.is_school_staff_of(u, case.school_id)), None)
    return MdoParticipant(discipline=Discipline.school, user_id=getattr(school_user, "id", None))


def _set_invitees(meeting: MdoMeeting, invitees: list[Invitee]) -> list[MdoParticipant]:
    """Make the invitees besides the school exactly `invitees`; returns the new rows."""
    wanted = {i.key: i for i in invitees}
    current = {participant_key(p): p for p in meeting.participants
               if p.discipline != Discipline.school}
    for key, participant in current.items():
        if key not in wanted:
            meeting.participants.remove(participant)
    added = [MdoParticipant(discipline=i.discipline, user_id=i.user_id,
                            organisation_id=i.organisation_id)
             for key, i in wanted.items() if key not in current]
    meeting.participants.extend(added)
    return added


def _invite(actor, case, meeting, added, moved) -> None:
    when = when_text(meeting.planned_at)
    link = _path("cases.detail", case_id=case.id)
    notified = {actor.id}
    for participants, text in ((added, f"U bent uitgenodigd voor een MDO op {when}."),
                               (moved, f"Een MDO waarvoor u bent uitgenodigd is verplaatst "
                                       f"naar {when}.")):
        for participant in participants:
            if participant.user_id is None or participant.user_id in notified:
                continue
            notified.add(participant.user_id)
            notify(db.session.get(User, participant.user_id), "mdo_invitation", text,
                   case=case, link=link)


# --- hold ----------------------------------------------------------------------------------------


@dataclass
class ActionData:
    description: str
    owner_id: int
    due_on: date
    row: int = 1  # the form row, so an error shows where the user typed it


@dataclass
class MdoRecord:
    held_at: datetime
    present_ids: set[int]  # MdoParticipant ids
    parents: ParentParticipation
    parents_reason: str | None
    pupil_voice: PupilVoice
    pupil_reason: str | None
    minutes: str
    actions: list[ActionData]


def record_mdo(actor, case, meeting: MdoMeeting, expected_version: int,
               record: MdoRecord) -> MdoMeeting:
    """Record the held MDO: who came, how parents and pupil took part, the minutes for the
    parents, and the decisions as actions for their owners (who are notified)."""
    with changing(actor, case, expected_version, "mdo_record",
                  fields=("mdo.held_at", "mdo.presence", "mdo.parents", "mdo.pupil_voice",
                          "mdo.minutes", "mdo.actions")):
        _check_record(case, meeting, record)
        meeting.held_at = record.held_at
        for participant in meeting.participants:
            participant.present = participant.id in record.present_ids
        meeting.parents = record.parents
        meeting.parents_reason = _reason(record.parents == ParentParticipation.not_invited,
                                         record.parents_reason)
        meeting.pupil_voice = record.pupil_voice
        meeting.pupil_reason = _reason(record.pupil_voice == PupilVoice.not_heard,
                                       record.pupil_reason)
        meeting.minutes = record.minutes.strip()
        for data in record.actions:
            meeting.actions.append(MdoAction(case_id=case.id, description=data.description.strip(),
                                             owner_id=data.owner_id, due_on=data.due_on))
        record_event(case, "mdo", f"MDO gehouden ({PARENT_SUMMARY[record.parents]}; "
                                  f"{PUPIL_SUMMARY[record.pupil_voice]})", actor)
        for data in record.actions:
            if data.owner_id != actor.id:
                notify(db.session.get(User, data.owner_id), "action_assigned",
                       f"Er staat een actie uit een MDO voor u klaar, uiterlijk "
                       f"{nl_date(data.due_on)}.", case=case, link=_path("cases.tasks"))
    return meeting


def _reason(required: bool, text: str | None) -> str | None:
    return ((text or "").strip() or None) if required else None


def _check_record(case, meeting: MdoMeeting, record: MdoRecord) -> None:
    if case.state != CaseState.mdo or meeting.held_at is not None:
        raise CaseError("Alleen een gepland MDO van een casus in de fase MDO kan worden "
                        "vastgelegd.")
    if record.held_at > utcnow():
        raise CaseError("Het MDO kan niet in de toekomst gehouden zijn.", field="held_on")
    if record.held_at < case.state_since:
        raise CaseError("Het MDO kan niet gehouden zijn voordat de casus in de fase MDO kwam "
                        f"({when_text(case.state_since)}).", field="held_on")
    if record.parents == ParentParticipation.not_invited and not (record.parents_reason or
                                                                  "").strip():
        raise CaseError("Schrijf op waarom de ouders niet zijn uitgenodigd.",
                        field="parents_reason")
    if record.pupil_voice == PupilVoice.not_heard and not (record.pupil_reason or "").strip():
        raise CaseError("Schrijf op waarom de leerling niet is gehoord.", field="pupil_reason")
    owners = {u.id for u in action_owners(case, meeting)}
    for data in record.actions:
        if data.owner_id not in owners:
            raise CaseError(f"Kies bij actie {data.row} iemand uit de genodigden of het team.",
                            field=f"action{data.row}_owner")
        if data.due_on < local_day(record.held_at):
            raise CaseError(f"Actie {data.row}: kies een datum op of na de dag van het MDO.",
                            field=f"action{data.row}_due")


# --- actions -------------------------------------------------------------------------------------


def complete_action(actor, case, action: MdoAction, expected_version: int) -> MdoAction:
    """Mark an MDO action done; the timeline says so, without its content."""
    with changing(actor, case, expected_version, "mdo_action_done", fields=("action.done_at",)):
        if action.done_at is not None:
            raise CaseError("Deze actie is al afgerond.")
        action.done_at, action.done_by_id = utcnow(), actor.id
        record_event(case, "action", "Actie afgerond", actor)
    return action
