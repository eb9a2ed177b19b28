"""No N+1 on the pages people work from: the number of SQL statements a page costs is the same
with 3 rows on it as with 30 (counted with SQLAlchemy's before_cursor_execute hook)."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import has_request_context

from app import _is_read_request
from app.auth.models import Role
from app.cases.models import (
    CaseEvent,
    CaseSignal,
    Discipline,
    EvaluationDecision,
    HandoverStatus,
    ParentParticipation,
    PupilVoice,
    ReferralStatus,
    SignalCategory,
)
from app.cases.services.pickers import SEARCH_LIMIT
from app.cases.workflow import CaseState, EscalationReason
from app.extensions import db
from app.models import utcnow
from app.org.models import OrganisationKind
from tests.conftest import statements_run as counted
from tests.factories import (
    ArrangementFactory,
    CaseFactory,
    CasePlanFactory,
    CaseTransitionFactory,
    ConsentFactory,
    EscalationFactory,
    EscalationTierFactory,
    EvaluationFactory,
    MdoActionFactory,
    MdoMeetingFactory,
    MdoParticipantFactory,
    NotificationFactory,
    OrganisationFactory,
    ReferralFactory,
    ReferralNoteFactory,
    RegieHandoverFactory,
    SchoolFactory,
    ThuiszitterEpisodeFactory,
    user_with_role,
)

FEW, MANY = 3, 30
TODAY = date.today()


def cost(client, url: str) -> int:
    with counted() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def same_cost(client, url: str, add_rows) -> None:
    """The page costs as many statements after `add_rows(MANY - FEW)` as with FEW rows."""
    cost(client, url)  # the first visit may warm caches; count from the second
    few = cost(client, url)
    add_rows(MANY - FEW)
    many = cost(client, url)
    assert few == many, f"{url}: {few} statements with {FEW} rows, {many} with {MANY}"


@pytest.fixture
def school():
    return SchoolFactory()


@pytest.fixture
def staff(school):
    return user_with_role(Role.school_staff, school)


@pytest.fixture
def wijkteam(school):
    return OrganisationFactory(region=school.region, kind=OrganisationKind.wijkteam)


@pytest.fixture
def coach(wijkteam):
    return user_with_role(Role.youth_professional, wijkteam)


# --- the pages -------------------------------------------------------------------------------


def test_caseload(school, staff, login):
    def add(n):
        for _ in range(n):
            holder = user_with_role(Role.youth_professional, OrganisationFactory(
                region=school.region))
            case = CaseFactory(school=school, pupil__school=school, state=CaseState.arrangement,
                               regie_holder=holder, opened_by=staff)
            db.session.add(CaseSignal(case_id=case.id, category=SignalCategory.gedrag))

    add(FEW)
    same_cost(login(staff), "/cases/", add)


def test_case_detail(school, staff, coach, wijkteam, login):
    case = CaseFactory(school=school, pupil__school=school, state=CaseState.arrangement,
                       opened_by=staff, regie_holder=coach, regie_since=utcnow())
    # The people on the records hold no youth-professional role: the referral form lists
    # every youth professional of the region (a list of its own, tested below), and here only
    # the case's own records grow.
    people = [_partner(school) for _ in range(MANY)]

    def add(n):
        for _ in range(n):
            _case_records(case, staff, coach, people.pop())

    add(FEW)
    same_cost(login(staff), f"/cases/{case.id}", add)


def _partner(school) -> dict:
    partner = OrganisationFactory(region=school.region)
    return {"organisation": partner,
            **{key: user_with_role(role, partner) for key, role in (
                ("professional", Role.participant), ("participant", Role.participant),
                ("owner", Role.participant), ("coordinator", Role.coordinator),
                ("actor", Role.participant))},
            **{key: user_with_role(Role.school_staff, school) for key in ("recorder", "mover")}}


def _case_records(case, staff, coach, people):
    """One of each record the case page shows, each with its own people and organisations."""
    partner = people["organisation"]
    ConsentFactory(case=case, recipient=partner, recorded_by_id=staff.id,
                   covers_progress_notes=True)
    referral = ReferralFactory(case=case, to_organisation=partner, to_user=people["professional"],
                               status=ReferralStatus.started, started_on=TODAY)
    ReferralNoteFactory(referral=referral)
    meeting = MdoMeetingFactory(case=case, held_at=utcnow() - timedelta(days=3),
                                planned_at=utcnow() - timedelta(days=3), chair=staff,
                                parents=ParentParticipation.present,
                                pupil_voice=PupilVoice.heard_beforehand)
    MdoParticipantFactory(meeting=meeting, discipline=Discipline.school, user=staff, present=True)
    MdoParticipantFactory(meeting=meeting, discipline=Discipline.jeugdhulp,
                          user=people["participant"], organisation=partner, present=True)
    MdoActionFactory(meeting=meeting, owner_id=people["owner"].id)
    arrangement = ArrangementFactory(case=case, provider=partner)
    EvaluationFactory(case=case, arrangement_id=arrangement.id,
                      decision=EvaluationDecision.continue_,
                      recorded_by_id=people["recorder"].id)
    CasePlanFactory(case=case)
    CaseTransitionFactory(case=case, actor=people["mover"], trigger="continue_arrangement",
                          from_state=CaseState.evaluation, to_state=CaseState.arrangement)
    db.session.add(CaseEvent(case_id=case.id, kind="feedback", summary="Hulp gestart",
                             actor_id=people["actor"].id))
    ThuiszitterEpisodeFactory(case=case, started_on=TODAY - timedelta(days=40),
                              ended_on=TODAY - timedelta(days=20))
    EscalationFactory(case=case, resolved_at=utcnow(), decision="Besluit.",
                      decided_by=people["coordinator"])
    RegieHandoverFactory(case=case, from_user_id=coach.id, to_user_id=coach.id,
                         requested_by_id=staff.id, status=HandoverStatus.accepted)
    db.session.flush()


@pytest.mark.parametrize("search", ["", "?regie_zoek=a", "?verwijzing_zoek=a",
                                    "?toestemming_zoek=a"])
def test_case_detail_with_more_professionals_in_the_region(school, staff, coach, login, search):
    """Neither the statements nor the pickers grow with the region: its professionals and
    organisations are offered only when a search finds them, at most SEARCH_LIMIT at a time."""
    case = CaseFactory(school=school, pupil__school=school, state=CaseState.signalering,
                       opened_by=staff, regie_holder=coach, regie_since=utcnow())
    added = []

    def add(n):
        for _ in range(n):
            added.append(user_with_role(Role.youth_professional, OrganisationFactory(
                region=school.region, name=f"Aanbieder {len(added):02d}"),
                name=f"Jeugdprofessional {len(added):02d}"))

    add(FEW)
    client = login(staff)
    same_cost(client, f"/cases/{case.id}{search}", add)
    page = client.get(f"/cases/{case.id}{search}").get_data(as_text=True)
    assert page.count("Jeugdprofessional ") <= 2 * SEARCH_LIMIT
    assert page.count("Aanbieder ") <= 2 * SEARCH_LIMIT


def test_case_detail_with_more_professionals_on_the_case(school, staff, coach, wijkteam,
                                                         login):
    """The people on the case are offered as receivers of regie and referrals, with their
    organisations: loaded in a fixed number of statements however many there are."""
    case = CaseFactory(school=school, pupil__school=school, state=CaseState.mdo,
                       opened_by=staff, regie_holder=coach, regie_since=utcnow())
    meeting = MdoMeetingFactory(case=case)

    def add(n):
        for _ in range(n):
            partner = OrganisationFactory(region=school.region)
            professional = user_with_role(Role.youth_professional, partner)
            ConsentFactory(case=case, recipient=partner)
            ReferralFactory(case=case, to_organisation=partner, to_user=professional)
            MdoParticipantFactory(meeting=meeting, discipline=Discipline.jeugdhulp,
                                  user=professional, organisation=partner)

    add(FEW)
    same_cost(login(staff), f"/cases/{case.id}", add)


def test_referral_inbox(school, staff, coach, wijkteam, login):
    def add(n):
        for _ in range(n):
            case = CaseFactory(school=school, pupil__school=school, opened_by=staff)
            ConsentFactory(case=case, recipient=wijkteam)
            ReferralFactory(case=case, to_organisation=wijkteam, to_user=coach,
                            answer_due_on=TODAY + timedelta(days=5))
            ReferralFactory(case=case, to_organisation=wijkteam, to_user=coach,
                            status=ReferralStatus.started, started_on=TODAY)

    add(FEW)
    same_cost(login(coach), "/cases/referrals", add)


def test_task_list(school, staff, coach, wijkteam, login):
    def add(n):
        for _ in range(n):
            case = CaseFactory(school=school, pupil__school=school, opened_by=staff,
                               state=CaseState.mdo)
            ConsentFactory(case=case, recipient=wijkteam)
            meeting = MdoMeetingFactory(case=case)
            MdoParticipantFactory(meeting=meeting, discipline=Discipline.wijkteam, user=coach,
                                  organisation=wijkteam)
            MdoActionFactory(meeting=meeting, owner_id=coach.id)

    add(FEW)
    same_cost(login(coach), "/cases/tasks", add)


def test_escalation_queue(school, login):
    swv = OrganisationFactory(region=school.region, kind=OrganisationKind.samenwerkingsverband)
    coordinator = user_with_role(Role.coordinator, swv)
    EscalationTierFactory(region=school.region, level=1)

    def add(n):
        for index in range(n):
            case = CaseFactory(school=school, pupil__school=school, state=CaseState.escalation)
            EscalationFactory(case=case, tier=1, due_on=TODAY + timedelta(days=index),
                              reason=EscalationReason.thuiszitter if index % 2
                              else EscalationReason.no_progress,
                              assigned_coordinator=user_with_role(Role.coordinator, swv))
            ThuiszitterEpisodeFactory(case=case)

    add(FEW)
    same_cost(login(coordinator), "/escalaties/", add)


def test_notifications_inbox(school, staff, login):
    def add(n):
        for _ in range(n):
            case = CaseFactory(school=school, pupil__school=school, opened_by=staff)
            NotificationFactory(user=staff, case_id=case.id, link=f"/cases/{case.id}")

    add(FEW)
    same_cost(login(staff), "/berichten/", add)


# --- the write path --------------------------------------------------------------------------


def test_a_workflow_step_reads_first_and_writes_only_its_rows_under_the_write_lock(
        school, staff, login):
    """A step reads (session, user, case, permissions, the form, the records its guards read)
    as a read request, which on SQLite holds no write lock, and begins writing at its version
    check: from there on only the version, the audit row, the case and its history row, and
    nothing once it has committed (no second write transaction)."""
    case = CaseFactory(school=school, pupil__school=school, opened_by=staff)
    CaseTransitionFactory(case=case, trigger="open", from_state=None,
                          to_state=CaseState.signalering)
    client = login(staff)
    phases: list[tuple[bool, str]] = []

    def note(conn, cursor, statement, *args):
        if has_request_context() and not statement.startswith(("SAVEPOINT", "RELEASE")):
            phases.append((_is_read_request(), " ".join(statement.split())))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", note)
    try:
        response = client.post(f"/cases/{case.id}/transitions/close", data={
            "close-version": str(case.version), "close-reason": "no_concern"})
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", note)

    assert response.status_code == 302
    flags = [reading for reading, _ in phases]
    assert flags == sorted(flags, reverse=True), "a read after the writing began"
    writes = [statement for reading, statement in phases if not reading]
    assert writes[0].startswith("SELECT pupil_case.version FROM pupil_case")
    assert not [s for s in writes[1:] if s.startswith("SELECT") and "audit_chain_head" not in s
                and "monitor" not in s], writes
    for row in ("UPDATE pupil_case ", "INSERT INTO case_transition ", "INSERT INTO audit_event "):
        assert any(s.startswith(row) for s in writes), row
    reads = [statement for reading, statement in phases if reading]
    assert any("FROM case_transition" in s for s in reads)  # the history, read before
