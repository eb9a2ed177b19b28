"""The command-line tools: the workflow diagram and creating a user."""

from pathlib import Path

import sqlalchemy as sa

from app.auth.models import Membership, Role, User
from app.cases import workflow
from app.cases.cli import render_markdown
from app.extensions import db
from tests.factories import OrganisationFactory, SchoolFactory

DOCS = Path(__file__).resolve().parents[2] / "docs" / "workflow.md"
GOOD_PASSWORD = "lang genoeg wachtwoord"


def test_diagram_writes_every_state_and_trigger_as_mermaid(runner, tmp_path):
    output = tmp_path / "out" / "workflow.md"

    result = runner.invoke(args=["cases", "diagram", "--output", str(output)])

    assert result.exit_code == 0, result.output
    assert f"Workflow geschreven naar {output}" in result.output
    text = output.read_text(encoding="utf-8")
    diagram = text.split("```mermaid", 1)[1].split("```", 1)[0]
    assert "stateDiagram-v2" in diagram
    for row in workflow.TRANSITIONS:
        sources = row["source"] if isinstance(row["source"], list) else [row["source"]]
        for source in sources:
            assert f"{source.value} --> {row['dest'].value}: {row['trigger']}" in diagram
    for trigger, label in workflow.TRIGGER_LABELS.items():
        assert f"| `{trigger}` | {label} |" in text
    for guard in workflow.GUARDS.values():
        assert guard.message in text


def test_the_committed_diagram_matches_the_machine():
    assert DOCS.exists(), "run: FLASK_APP=wsgi.py flask cases diagram"
    assert DOCS.read_text(encoding="utf-8") == render_markdown(), (
        "docs/workflow.md is stale; run: FLASK_APP=wsgi.py flask cases diagram"
    )


def _create(runner, *extra, password=GOOD_PASSWORD):
    return runner.invoke(args=["users", "create", "--email", "Nieuw@School.Example",
                               "--name", "Nieuwe Collega", "--password", password, *extra])


def _user(email="nieuw@school.example"):
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_users_create_makes_a_school_staff_member(runner):
    school = SchoolFactory(brin="12AB")

    result = _create(runner, "--role", "school_staff", "--school", "12ab")

    assert result.exit_code == 0, result.output
    assert "Gebruiker nieuw@school.example aangemaakt (school_staff" in result.output
    user = _user()
    assert user.check_password(GOOD_PASSWORD)
    [membership] = user.memberships
    assert (membership.role, membership.school_id, membership.region_id) == (
        Role.school_staff, school.id, school.region_id)


def test_users_create_makes_a_member_of_an_organisation(runner):
    organisation = OrganisationFactory(name="Wijkteam Noord")

    result = _create(runner, "--role", "youth_professional", "--organisation", "Wijkteam Noord")

    assert result.exit_code == 0, result.output
    [membership] = _user().memberships
    assert (membership.role, membership.organisation_id) == (
        Role.youth_professional, organisation.id)


def test_users_create_refuses_a_short_password(runner):
    SchoolFactory(brin="12AB")

    result = _create(runner, "--role", "school_staff", "--school", "12AB", password="kort")

    assert result.exit_code != 0
    assert "Een wachtwoord heeft minstens 12 tekens." in result.output
    assert _user() is None


def test_users_create_refuses_an_unknown_school(runner):
    result = _create(runner, "--role", "school_staff", "--school", "99ZZ")

    assert result.exit_code != 0
    assert "Die school of organisatie bestaat niet." in result.output
    assert _user() is None


def test_users_create_refuses_a_role_at_the_wrong_kind_of_home(runner):
    SchoolFactory(brin="12AB")

    result = _create(runner, "--role", "coordinator", "--school", "12AB")

    assert result.exit_code != 0
    assert "Deze rol hoort bij een organisatie, niet bij een school." in result.output
    # The command runs in this test's app context; its process would end here, uncommitted.
    db.session.rollback()
    assert _user() is None
    assert db.session.scalar(sa.select(sa.func.count(Membership.id))) == 0
