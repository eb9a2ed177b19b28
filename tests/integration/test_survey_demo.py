"""The demo region's survey rounds: a closed round with answers that the monitor shows, and an
open one."""

import pyotp
import sqlalchemy as sa

from app.auth.models import User
from app.demo.world import DEMO_PASSWORD
from app.extensions import db
from app.monitor.survey.models import RoundStatus, SurveyAnswer, SurveyRound
from tests.conftest import text_of
from tests.integration.test_demo import seeded  # noqa: F401  (the fixture)


def test_the_demo_has_a_closed_round_on_the_dashboard_and_an_open_one(seeded, client):  # noqa: F811
    rounds = db.session.scalars(sa.select(SurveyRound).order_by(SurveyRound.id)).all()
    assert [r.status for r in rounds] == [RoundStatus.closed, RoundStatus.open]
    assert db.session.scalar(sa.select(sa.func.count(SurveyAnswer.id))) > 100
    coordinator = db.session.scalar(sa.select(User).where(User.email.startswith("coordinator")))
    client.post("/auth/login", data={"email": coordinator.email, "password": DEMO_PASSWORD})
    client.post("/auth/code", data={"code": pyotp.TOTP(coordinator.totp_secret).now()})
    page = text_of(client.get("/monitor/"))
    assert "Uit de enquête: Najaarsmeting" in page and "gemiddeld" in page
    report = text_of(client.get(f"/monitor/enquetes/{rounds[0].id}"))
    assert "Jongeren en leerlingen" in report and "onderdrukt" in report
    assert "Ingevuld" in text_of(client.get(f"/monitor/enquetes/{rounds[1].id}"))
