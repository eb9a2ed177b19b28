"""Casusregie: who holds it, and its handover. A handover is asked of a case-team user and takes
effect only when that user accepts; until then the old holder stays responsible. Whoever asks
regie for themselves has it at once. One commit per use case (through `changing`)."""

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.auth import permissions
from app.auth.models import Membership, Role, User
from app.cases.models import Case, HandoverStatus, RegieHandover
from app.cases.services import pickers
from app.cases.services.core import CaseError, changing, record_event
from app.cases.workflow import CaseState
from app.extensions import db
from app.models import utcnow
from app.notifications.services import notify
from app.org.models import Organisation

ONE_OPEN = ("Er loopt al een verzoek om de casusregie over te dragen. Wacht op het antwoord of "
            "trek het verzoek eerst in.")


def regie_link(case: Case) -> str:
    return f"/cases/{case.id}#kop-regie"


# --- who can be asked ------------------------------------------------------------------------


def is_eligible_receiver(user: User, case: Case) -> bool:
    """A case-team user: school staff of the case's school or a youth professional of its
    region, with an active account."""
    return user.active and any(
        (m.role == Role.school_staff and m.school_id == case.school_id)
        or (m.role == Role.youth_professional and m.region_id == case.school.region_id)
        for m in user.memberships
    )


def known_user_ids(case: Case, on: date | None = None) -> set[int]:
    """People already working on the case: a live referral, an MDO seat, or the school's
    fixed contact (or deputy). The seeds: hand over to the worker already with the family."""
    on = on or date.today()
    ids = pickers.people_on_case(case.id)
    for contact in case.school.contacts:
        if contact.is_valid_on(on):
            ids |= {contact.user_id, contact.deputy_user_id} - {None}
    return ids


def receivers(case: Case, actor: User | None = None,
              also: Iterable[int] = ()) -> list[tuple[User, bool]]:
    """Who the regie picker offers, as (user, known to the case): the school's staff, the
    people known to the case, the actor, and the users `also` names (search matches, a posted
    choice), each only when eligible. Those known to the case first, then by name; the current
    holder is left out. Bounded by the school and the case, not by the region."""
    known = known_user_ids(case)
    wanted = known | set(also) | ({actor.id} if actor is not None else set())
    users = db.session.scalars(
        sa.select(User).join(User.memberships)
        .where(User.active, sa.or_(
            sa.and_(Membership.role == Role.school_staff,
                    Membership.school_id == case.school_id),
            sa.and_(Membership.role == Role.youth_professional,
                    Membership.region_id == case.school.region_id, User.id.in_(wanted)),
        ))
        .distinct().order_by(User.name, User.id)
    ).all()
    ranked = [(u, u.id in known) for u in users if u.id != case.regie_holder_id]
    return sorted(ranked, key=lambda pair: not pair[1])  # stable: by name within each group


def search_receivers(case: Case, term: str) -> pickers.Found:
    """Youth professionals of the case's region whose name, or organisation's name, contains
    `term` (school staff are always offered)."""
    ids = db.session.scalars(
        sa.select(User.id).join(User.memberships).outerjoin(Membership.organisation)
        .where(User.active, Membership.role == Role.youth_professional,
               Membership.region_id == case.school.region_id,
               pickers.matching(term, User.name, Organisation.name))
        .group_by(User.id, User.name).order_by(User.name, User.id)
        .limit(pickers.SEARCH_LIMIT + 1)
    ).all()
    return pickers.found(term, list(ids))


# --- use cases -------------------------------------------------------------------------------


def request_handover(actor, case: Case, expected_version: int, to_user: User | None,
                     note: str | None = None) -> RegieHandover:
    """Ask `to_user` to take over casusregie; asking oneself takes it at once."""
    if to_user is not None and to_user.id == getattr(actor, "id", None):
        return take_regie(actor, case, expected_version, note)
    with changing(actor, case, expected_version, "regie:request", fields=("regie_handover",)):
        _check_receiver(case, to_user)
        now = utcnow()
        handover = RegieHandover(
            from_user_id=case.regie_holder_id, to_user_id=to_user.id, requested_by_id=actor.id,
            requested_at=now, note=_text(note), status=HandoverStatus.requested,
        )
        case.regie_handovers.append(handover)
        if not permissions.can_view_case(to_user, case):
            raise CaseError(
                f"{to_user.name} kan deze casus niet inzien: er is geen geldige toestemming "
                "voor de organisatie van deze persoon. Leg eerst toestemming vast.",
                field="to_user_id",
            )
        _flush_one_open()
        record_event(case, "regie", f"Casusregie overdracht gevraagd aan {to_user.name}", actor)
        notify(to_user, "handover_request",
               f"{actor.name} vraagt u de casusregie van een casus over te nemen.",
               case=case, link=regie_link(case))
    return handover


def take_regie(actor, case: Case, expected_version: int, note: str | None = None) -> RegieHandover:
    """The actor takes casusregie themselves (e.g. the IB when nobody holds it): accepted at
    once, recorded as a handover so the history of holders stays complete."""
    with changing(actor, case, expected_version, "regie:take", fields=("regie_holder",)):
        _check_receiver(case, actor)
        now = utcnow()
        old_holder = case.regie_holder
        handover = RegieHandover(
            from_user_id=case.regie_holder_id, to_user_id=actor.id, requested_by_id=actor.id,
            requested_at=now, note=_text(note), status=HandoverStatus.accepted,
            answered_at=now,
        )
        case.regie_handovers.append(handover)
        _give_regie(case, actor, now)
        if old_holder is not None:
            notify(old_holder, "handover_answer",
                   f"{actor.name} heeft de casusregie van een casus van u overgenomen.",
                   case=case, link=regie_link(case))
    return handover


def accept_handover(actor, case: Case, expected_version: int,
                    handover: RegieHandover) -> RegieHandover:
    with changing(actor, case, expected_version, "regie:accept", fields=("regie_holder",)):
        _check_open(case, handover)
        if not is_eligible_receiver(actor, case):
            raise CaseError("U kunt deze casus niet (meer) in regie nemen: u werkt niet meer "
                            "voor deze school of in deze regio.")
        now = utcnow()
        handover.status, handover.answered_at = HandoverStatus.accepted, now
        old_holder = case.regie_holder
        _give_regie(case, actor, now)
        text = f"{actor.name} heeft de casusregie overgenomen."
        for user in _distinct(handover.requested_by, old_holder, skip=actor):
            notify(user, "handover_answer", text, case=case, link=regie_link(case))
    return handover


def decline_handover(actor, case: Case, expected_version: int, handover: RegieHandover,
                     reason: str) -> RegieHandover:
    with changing(actor, case, expected_version, "regie:decline", fields=("regie_handover",)):
        _check_open(case, handover)
        if not _text(reason):
            raise CaseError("Schrijf waarom u de casusregie niet overneemt.", field="reason")
        handover.status, handover.answered_at = HandoverStatus.declined, utcnow()
        handover.answer_note = _text(reason)
        record_event(case, "regie", "Overdracht afgewezen", actor)
        notify(handover.requested_by, "handover_answer",
               f"{actor.name} heeft uw verzoek om de casusregie over te nemen afgewezen.",
               case=case, link=regie_link(case))
    return handover


def withdraw_handover(actor, case: Case, expected_version: int,
                      handover: RegieHandover) -> RegieHandover:
    with changing(actor, case, expected_version, "regie:withdraw", fields=("regie_handover",)):
        _check_open(case, handover)
        handover.status, handover.answered_at = HandoverStatus.withdrawn, utcnow()
        record_event(case, "regie", "Verzoek om overdracht van de casusregie ingetrokken", actor)
        notify(handover.to_user, "handover_withdrawn",
               "Het verzoek om de casusregie van een casus over te nemen is ingetrokken.",
               link="/cases/regie")
    return handover


# --- helpers ---------------------------------------------------------------------------------


def _check_receiver(case: Case, user: User | None) -> None:
    if case.state == CaseState.closed:
        raise CaseError("Een gesloten casus heeft geen casusregie meer nodig.")
    if user is None or not is_eligible_receiver(user, case):
        raise CaseError("Kies een medewerker van de school of een jeugdprofessional uit de "
                        "regio.", field="to_user_id")
    if user.id == case.regie_holder_id:
        raise CaseError(f"{user.name} heeft de casusregie al.", field="to_user_id")
    if case.open_handover is not None:
        raise CaseError(ONE_OPEN, field="to_user_id")


def _flush_one_open() -> None:
    """The partial unique index keeps one open handover per case, also when two people ask
    at the same moment: the second gets the same Dutch answer as the check above."""
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise CaseError(ONE_OPEN, field="to_user_id") from exc


def _check_open(case: Case, handover: RegieHandover) -> None:
    if handover.case_id != case.id or handover.status != HandoverStatus.requested:
        raise CaseError("Dit verzoek om de casusregie over te dragen is al beantwoord of "
                        "ingetrokken.")


def _give_regie(case: Case, user: User, at) -> None:
    case.regie_holder = user
    case.regie_since = at
    record_event(case, "regie", f"Casusregie overgenomen door {user.name}", user)


def _distinct(*users, skip):
    seen = {getattr(skip, "id", None), None}
    for user in users:
        if user is not None and user.id not in seen:
            seen.add(user.id)
            yield user


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None
