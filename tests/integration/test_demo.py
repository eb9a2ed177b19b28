"""flask seed-demo: the invented demo region, loaded only in demo mode and only into an empty
database. The command runs inside the per-test transaction (its commit is a SAVEPOINT)."""

import re
from datetime import date
from pathlib import Path
from unittest import mock

import pyotp
import pytest
import sqlalchemy as sa

from app.auth.models import Role, User
from app.cases.models import Case, CaseTransition, MdoMeeting, ParentParticipation, PupilVoice
from app.cases.workflow import CaseState
from app.demo import NOT_EMPTY
from app.demo.world import DEMO_PASSWORD, PEOPLE
from app.escalation.models import Escalation
from app.extensions import db
from app.models import utcnow
from app.org.models import PartnerType, Region, School, Sector
from tests.conftest import text_of
from tests.factories import RegionFactory, UserFactory

README = Path(__file__).resolve().parents[2] / "README.md"
REFERENCE = re.compile(r"^[A-Z]{2}-\d{4}$")
INITIALS = re.compile(r"^[A-Z]\.([a-z]{1,2}\.){0,2}[A-Z]\.$")
GROUP = re.compile(r"^(groep [1-8]|[1-6] (vmbo-[bkt]|havo|vwo))$")


def seed(app, runner, *args):
    with mock.patch.dict(app.config, {"DEMO_MODE": True}):
        return runner.invoke(args=["seed-demo", *args])


@pytest.fixture
def seeded(app, runner):
    result = seed(app, runner)
    assert result.exit_code == 0, result.output
    return result


def all_of(model):
    return db.session.scalars(sa.select(model)).all()


def readme_block() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("<!-- demo-logins:start -->")[1].split("<!-- demo-logins:end -->")[0]


# --- refusals ----------------------------------------------------------------------------------


def test_refuses_without_demo_mode(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "demomodus" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Region.id))) == 0


def test_refuses_a_database_with_a_region_and_if_empty_leaves_it_alone(app, runner):
    RegionFactory(code="EIG", name="Eigen regio")
    refused = seed(app, runner)
    assert refused.exit_code != 0
    assert NOT_EMPTY in refused.output
    skipped = seed(app, runner, "--if-empty")
    assert skipped.exit_code == 0, skipped.output
    assert "bevat al gegevens" in skipped.output
    assert [r.code for r in all_of(Region)] == ["EIG"]
    assert all_of(User) == []


def test_refuses_a_database_with_only_a_user(app, runner):
    UserFactory()
    result = seed(app, runner)
    assert result.exit_code != 0
    assert NOT_EMPTY in result.output
    assert all_of(Region) == []


# --- the region (each test seeds once: checks are grouped to keep the suite quick) --------------


def test_if_empty_loads_the_region_and_prints_the_logins(app, runner):
    result = seed(app, runner, "--if-empty")
    assert result.exit_code == 0, result.output
    assert "ib.regenboog@demo.schakel.nl" in result.output and DEMO_PASSWORD in result.output
    assert [r.code for r in all_of(Region)] == ["NK"]
    schools = all_of(School)
    assert len(schools) >= 10
    assert {Sector.po, Sector.sbo, Sector.so, Sector.vo} <= {s.sector for s in schools}
    assert all(re.fullmatch(r"\d{2}[A-Z]{2}", s.brin) for s in schools)
    assert_every_role_has_accounts()
    assert_each_school_but_one_has_a_youth_care_contact()


def assert_every_role_has_accounts():
    users = all_of(User)
    assert {m.role for u in users for m in u.memberships} == set(Role)
    assert all(u.job_title and u.email.endswith("@demo.schakel.nl") for u in users)
    assert {"Intern begeleider", "Zorgcoördinator", "J&G-coach", "Leerplichtambtenaar",
            "Jeugdarts", "Regionaal coördinator"} <= {u.job_title for u in users}


def assert_each_school_but_one_has_a_youth_care_contact():
    today = date.today()
    contacts = {s: s.contact_for(PartnerType.jeugdhulp, today) for s in all_of(School)}
    without = [s for s, contact in contacts.items() if contact is None]
    assert len(without) == 1
    expired = [c for c in without[0].contacts if c.partner_type == PartnerType.jeugdhulp]
    assert expired and 0 < (today - expired[0].valid_to).days <= 31
    assert all(c.deputy_user_id for c in contacts.values() if c is not None)


# --- the cases ------------------------------------------------------------------------------------


def test_cases_replay_the_machine_into_every_state(seeded):
    states = dict(db.session.execute(
        sa.select(Case.state, sa.func.count(Case.id)).group_by(Case.state)).all())
    assert 180 <= sum(states.values()) <= 220
    assert set(states) == set(CaseState)
    assert all(count >= 5 for count in states.values()), states
    assert_each_state_is_where_its_history_ends()
    cases = all_of(Case)
    assert_histories_run_forward(cases)
    assert_cases_past_the_mdo_have_a_regie_holder(cases)


def assert_each_state_is_where_its_history_ends():
    last = sa.select(CaseTransition.case_id, sa.func.max(CaseTransition.id).label("id")) \
        .group_by(CaseTransition.case_id).subquery()
    pairs = db.session.execute(
        sa.select(Case.state, CaseTransition.to_state)
        .join(last, last.c.case_id == Case.id)
        .join(CaseTransition, CaseTransition.id == last.c.id)
    ).all()
    assert len(pairs) == db.session.scalar(sa.select(sa.func.count(Case.id)))
    assert all(state == to_state for state, to_state in pairs)


def assert_histories_run_forward(cases):
    now = utcnow()
    for case in cases:
        moments = [t.at for t in case.history]
        assert case.history[0].trigger == "open"
        assert moments == sorted(moments) and moments[-1] <= now
        assert case.state_since == moments[-1] <= case.last_activity_at


def assert_cases_past_the_mdo_have_a_regie_holder(cases):
    past_mdo = {"agree_arrangement", "start_light_help"}
    for case in cases:
        if case.state not in (CaseState.signalering, CaseState.closed) and (
                past_mdo & {t.trigger for t in case.history}):
            assert case.regie_holder_id is not None and case.regie_since is not None
    assert any(c.state == CaseState.mdo and c.regie_holder_id is None for c in cases), \
        "some cases in the MDO phase still wait for a regie holder"


def test_sub_records_are_realistic_and_pupils_pseudonymous(seeded):
    assert_mdos_record_parents_and_pupil()
    assert_escalations_and_closures_vary()
    assert_pupils_are_pseudonymous(all_of(Case))


def assert_mdos_record_parents_and_pupil():
    held = db.session.scalars(sa.select(MdoMeeting).where(MdoMeeting.held_at.is_not(None))).all()
    assert len(held) >= 50
    assert all(m.parent_participation_complete() and m.pupil_voice_complete() for m in held)
    parents = sum(m.parents == ParentParticipation.present for m in held) / len(held)
    heard = sum(m.pupil_voice != PupilVoice.not_heard for m in held) / len(held)
    assert 0.35 <= parents <= 0.65
    assert 0.05 <= heard < 0.5


def assert_escalations_and_closures_vary():
    escalations = all_of(Escalation)
    assert len({e.reason for e in escalations}) >= 5
    assert all(e.is_decided() for e in escalations if e.resolved_at is not None)
    still_open = {e.case_id for e in escalations if e.resolved_at is None}
    assert still_open == {c.id for c in all_of(Case) if c.state == CaseState.escalation}
    closed = [c for c in all_of(Case) if c.state == CaseState.closed]
    assert all(c.closed_at and c.closure_reason for c in closed)
    assert len({c.closure_reason for c in closed}) >= 4


def assert_pupils_are_pseudonymous(cases):
    for case in cases:
        pupil = case.pupil
        assert REFERENCE.match(pupil.reference), pupil.reference
        assert len(pupil.initials) <= 8 and INITIALS.match(pupil.initials), pupil.initials
        assert GROUP.match(pupil.group_name), pupil.group_name
        age = pupil.age_on(case.opened_at.date())
        assert (12 <= age <= 17) if case.school.sector == Sector.vo else (4 <= age <= 11)


# --- logging in with the README ------------------------------------------------------------------


def test_readme_lists_every_demo_account_with_the_password_and_totp_secret():
    block = readme_block()
    assert "Demo-accounts (alleen in demomodus)" in block
    for person in PEOPLE:
        row = next(line for line in block.splitlines() if f"`{person.email}`" in line)
        assert f"`{person.totp_secret}`" in row
    assert DEMO_PASSWORD in block
    assert "pyotp.TOTP(" in block


def test_demo_totp_secrets_are_distinct_base32_and_obviously_demo():
    secrets = [person.totp_secret for person in PEOPLE]
    assert len(set(secrets)) == len(secrets)
    for secret in secrets:
        assert re.fullmatch(r"DEMO[A-Z2-7]{28}", secret), secret
        assert len(pyotp.TOTP(secret).now()) == 6


def test_demo_accounts_are_enrolled_with_their_fixed_secret(seeded):
    secrets = {p.email: p.totp_secret for p in PEOPLE}
    for user in all_of(User):
        assert user.has_second_factor and user.totp_secret == secrets[user.email]


def test_demo_ib_logs_in_with_the_readme_password_and_sees_a_full_caseload(seeded, client):
    row = next(line for line in readme_block().splitlines() if "ib.regenboog@" in line)
    email, password, secret = re.search(r"`([^`]+@[^`]+)` \| `([^`]+)` \| `([^`]+)`",
                                        row).groups()
    response = client.post("/auth/login", data={"email": email, "password": password})
    assert response.location == "/auth/code"
    response = client.post("/auth/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    caseload = client.get("/cases/")
    assert caseload.status_code == 200
    total = int(re.search(r"(\d+) casussen", text_of(caseload)).group(1))
    assert total >= 50


def test_demo_journeys_leave_terugkoppeling_regie_handovers_and_inboxes(seeded):
    """The demo shows the journey's records: the school's terugkoppeling on the timeline, regie
    taken over by acceptance, MDO agreements in someone's task list, and a handover waiting for
    the demo J&G-coach in their inbox."""
    from app.cases.models import CaseEvent, HandoverStatus, MdoAction, RegieHandover
    from app.notifications.models import Notification

    feedback = [e for e in all_of(CaseEvent) if e.kind == "feedback"]
    assert any(e.summary.startswith("Hulp gestart op") for e in feedback)
    assert any(e.summary.startswith("Verwijzing geaccepteerd door") for e in feedback)
    # content-free: no pupil reference ever appears in a timeline line
    references = {c.pupil.reference for c in all_of(Case)}
    assert not any(ref in e.summary for e in all_of(CaseEvent) for ref in references)
    handovers = all_of(RegieHandover)
    holders = {c.id: c.regie_holder_id for c in all_of(Case)}
    accepted = [h for h in handovers if h.status == HandoverStatus.accepted]
    assert accepted and all(h.answered_at >= h.requested_at for h in accepted)
    pending = [h for h in handovers if h.status == HandoverStatus.requested]
    coach = db.session.scalar(sa.select(User).where(User.email.like("jg.noord@%")))
    assert [h.to_user_id for h in pending] == [coach.id]
    assert holders[pending[0].case_id] != coach.id  # the old holder keeps regie until accepted
    assert any(a.done_at is None for a in all_of(MdoAction))
    kinds = {(n.user_id, n.kind) for n in all_of(Notification)}
    assert (coach.id, "handover_request") in kinds
    assert all(n.link.startswith("/") for n in all_of(Notification))
