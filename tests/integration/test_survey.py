"""Survey rounds end to end, with answers known by construction: a round is opened through the
coordinator's screen, answered through its real single-use links by anonymous clients, closed,
and its report, exports and dashboard panel checked against the answers given.

The region's threshold is 4. Six professionals answer: marks 6, 7, 8, 8, 9, 4 (mean 7,0);
"ouders standaard bij het MDO?" ja ×3, nee ×2, weet niet ×1 (60% ja of 5); the statement
5, 4, 2 and three "weet niet" (3 answers without "weet niet": suppressed). Two parents answer
(suppressed). In the dossiers 3 of the region's 4 MDOs of the school year had a parent present
(75%).
"""

import base64
import csv
import io
import re
import zipfile
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.cases.models import ParentParticipation
from app.extensions import db
from app.monitor.periods import SCHOOL_YEAR, current
from app.monitor.survey import bank, services
from app.monitor.survey.models import (
    Audience,
    RoundStatus,
    Scale,
    SurveyAnswer,
    SurveyQuestion,
    SurveyRound,
    SurveyRoundQuestion,
    SurveyToken,
)
from app.monitor.survey.services import QuestionData
from tests.conftest import text_of
from tests.factories import (
    CaseFactory,
    MdoMeetingFactory,
    OrganisationFactory,
    RegionFactory,
    SchoolFactory,
    user_with_role,
)

PERIOD = current(SCHOOL_YEAR, datetime.now(UTC).date()).previous()  # a whole school year
HELD = datetime.combine(PERIOD.first + timedelta(days=90), time(10), UTC)
UNAVAILABLE = "Deze link werkt niet (meer)"
P, PARENTS = Audience.professionals, Audience.ouders
PROFESSIONALS = [("6", "ja", "5"), ("7", "ja", "4"), ("8", "ja", "2"), ("8", "nee", "wn"),
                 ("9", "nee", "wn"), ("4", "wn", "wn")]


def survey_world(region, coordinator) -> dict:
    """For the access matrix and the route fuzzer: the region's bank, and an open round with
    a live link for professionals."""
    survey_round = services.create_round(region, PERIOD.label, "Voorjaarsmeting", coordinator)
    tokens = services.open_round(survey_round, {P: 2, PARENTS: 1}, coordinator)
    return {"round_id": survey_round.id, "question_id": services.bank_of(region.id)[0].id,
            "token": tokens[P][0]}


@pytest.fixture
def region():
    region = RegionFactory(code="NK", name="Noord-Kennemerland", suppression_threshold=4)
    school = SchoolFactory(municipality__region=region)
    for parents in [ParentParticipation.present] * 3 + [ParentParticipation.invited_absent]:
        MdoMeetingFactory(case=CaseFactory(pupil__school=school), planned_at=HELD,
                          held_at=HELD, parents=parents)
    return region


@pytest.fixture
def coordinator(region):
    return user_with_role(Role.coordinator, OrganisationFactory(region=region))


def question(region, audience, scale, text, position, key=None):
    return services.add_question(region, QuestionData(audience, "oordeel", None, text, scale,
                                                      position, key))


@pytest.fixture
def questions(region):
    return {
        "mark": question(region, P, Scale.mark, "Welk rapportcijfer geeft u?", 10,
                         "survey_report_mark"),
        "mdo": question(region, P, Scale.yes_no, "Nemen ouders standaard deel aan het MDO?",
                        20, "mdo_parent_present"),
        "agree": question(region, P, Scale.agree, "Partners vertrouwen elkaar.", 30,
                          "survey_working_factors"),
        "parents": question(region, PARENTS, Scale.yes_no, "Voelde u zich serieus genomen?", 10,
                            "survey_parents_taken_seriously"),
    }


@pytest.fixture
def staff(login, coordinator):
    return login(coordinator)


def open_through_screen(staff, survey_round, **counts) -> dict[str, list[str]]:
    """Open the round as the coordinator does; the links as the downloaded CSV has them."""
    form = {a.value: counts.get(a.value, 0) for a in Audience}
    response = staff.post(f"/monitor/enquetes/{survey_round.id}/openen", data=form)
    assert response.status_code == 200
    encoded = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"',
                        response.get_data(as_text=True)).group(1)
    links: dict[str, list[str]] = {}
    for row in csv.DictReader(io.StringIO(base64.b64decode(encoded).decode())):
        links.setdefault(row["group"], []).append(row["link"])
    return links


@pytest.fixture
def opened(region, coordinator, questions, staff):
    survey_round = services.create_round(region, PERIOD.label, "Najaarsmeting", coordinator)
    return survey_round, open_through_screen(staff, survey_round, professionals=7, ouders=2)


def path(link: str) -> str:
    return link.removeprefix("http://localhost")


def round_question(survey_round, bank_question) -> SurveyRoundQuestion:
    return db.session.scalar(sa.select(SurveyRoundQuestion).where(
        SurveyRoundQuestion.round_id == survey_round.id,
        SurveyRoundQuestion.bank_question_id == bank_question.id))


def answer(client, survey_round, questions, link, values: dict):
    data = {f"vraag{round_question(survey_round, questions[name]).id}": value
            for name, value in values.items()}
    return client.post(path(link), data=data)


def answer_all(app, opened, questions):
    survey_round, links = opened
    for link, (mark, mdo, agree) in zip(links["professionals"], PROFESSIONALS, strict=False):
        response = answer(app.test_client(), survey_round, questions, link,
                          {"mark": mark, "mdo": mdo, "agree": agree})
        assert response.status_code == 200, text_of(response)
    for link in links["ouders"]:
        assert answer(app.test_client(), survey_round, questions, link,
                      {"parents": "ja"}).status_code == 200


def answer_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(SurveyAnswer.id)))


@pytest.fixture
def closed(app, opened, questions, staff):
    answer_all(app, opened, questions)
    survey_round = opened[0]
    assert staff.post(f"/monitor/enquetes/{survey_round.id}/sluiten").status_code == 302
    return survey_round


# --- links -------------------------------------------------------------------------------------


def test_opening_makes_the_links_once_and_keeps_only_their_hashes(opened, staff):
    survey_round, links = opened
    assert {group: len(found) for group, found in links.items()} == {"professionals": 7,
                                                                     "ouders": 2}
    token = path(links["professionals"][0]).removeprefix("/enquete/")
    stored = db.session.scalars(sa.select(SurveyToken.token_hash)
                                .where(SurveyToken.round_id == survey_round.id)).all()
    assert len(stored) == 9 and services.hash_token(token) in stored and token not in stored
    page = staff.get(f"/monitor/enquetes/{survey_round.id}").get_data(as_text=True)
    assert token not in page
    again = staff.post(f"/monitor/enquetes/{survey_round.id}/openen", data={"professionals": 3})
    assert again.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(SurveyToken.id))) == 9


def test_a_link_works_once(client, opened, questions):
    survey_round, links = opened
    page = client.get(path(links["professionals"][0]))
    assert page.status_code == 200
    assert "anoniem" in text_of(page)
    values = {"mark": "8", "mdo": "ja", "agree": "4"}
    assert answer(client, survey_round, questions, links["professionals"][0],
                  values).status_code == 200
    assert answer_count() == 3
    again = answer(client, survey_round, questions, links["professionals"][0], values)
    assert again.status_code == 404 and UNAVAILABLE in text_of(again)
    assert client.get(path(links["professionals"][0])).status_code == 404
    assert answer_count() == 3


def test_an_unknown_link_gets_the_same_page_as_a_used_one(client, opened, questions):
    survey_round, links = opened
    answer(client, survey_round, questions, links["ouders"][0], {"parents": "nee"})
    used = client.get(path(links["ouders"][0]))
    unknown = client.post("/enquete/bestaat-niet", data={"x": "1"})
    assert used.status_code == unknown.status_code == 404
    assert text_of(used) == text_of(unknown)
    assert answer_count() == 1


def test_a_closed_round_refuses_its_unused_links(client, opened, questions, staff):
    survey_round, links = opened
    staff.post(f"/monitor/enquetes/{survey_round.id}/sluiten")
    response = answer(client, survey_round, questions, links["ouders"][0], {"parents": "ja"})
    assert response.status_code == 404 and UNAVAILABLE in text_of(response)
    assert answer_count() == 0


def test_every_question_needs_an_answer_and_the_link_stays_usable(client, opened, questions):
    survey_round, links = opened
    link = links["professionals"][0]
    response = answer(client, survey_round, questions, link, {"mark": "7", "mdo": "ja"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Kies een antwoord bij deze vraag." in text_of(response)
    field = f"vraag{round_question(survey_round, questions['agree']).id}"
    assert f'aria-describedby="{field}-error"' in body
    assert body.count("<fieldset") == 3 and body.count("<legend") == 3
    assert answer_count() == 0
    assert answer(client, survey_round, questions, link,
                  {"mark": "7", "mdo": "ja", "agree": "wn"}).status_code == 200


def test_an_answer_carries_no_link_time_or_respondent():
    assert set(SurveyAnswer.__table__.c.keys()) == {"id", "question_id", "value"}
    assert set(SurveyToken.__table__.c.keys()) == {"id", "round_id", "audience", "token_hash",
                                                    "used"}


def test_failed_link_lookups_are_throttled(client):
    statuses = [client.get(f"/enquete/geraden-{n}").status_code for n in range(21)]
    assert statuses[:20] == [404] * 20 and statuses[20] == 429


# --- the question bank -------------------------------------------------------------------------


def test_a_first_round_fills_an_empty_bank_with_the_reconstructed_items(region, staff):
    response = staff.post(f"/monitor/enquetes/regio/{region.id}/nieuw",
                          data={"title": "Eerste meting", "periode": PERIOD.label})
    assert response.status_code == 302
    survey_round = db.session.scalar(sa.select(SurveyRound)
                                     .where(SurveyRound.region_id == region.id))
    assert survey_round.status == RoundStatus.draft and survey_round.period == PERIOD.label
    assert len(services.bank_of(region.id)) == len(bank.ITEMS)
    page = text_of(staff.get(f"/monitor/enquetes/regio/{region.id}/vragen"))
    assert "Gereconstrueerd naar AOJ-item B5.2, niet de officiële AOJ-tekst" in page
    assert "Nemen ouders standaard deel aan het MDO?" in page


def test_bank_edits_do_not_change_a_held_round(client, opened, questions, staff):
    survey_round, links = opened
    bank_question = questions["mdo"]
    response = staff.post(f"/monitor/enquetes/vragen/{bank_question.id}", data={
        "audience": "professionals", "theme": "samenwerking", "text": "Een nieuwe tekst?",
        "scale": "agree", "position": "5", "indicator_key": "", "active": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SurveyQuestion, bank_question.id).text == "Een nieuwe tekst?"
    held = round_question(survey_round, bank_question)
    assert (held.text, held.scale) == ("Nemen ouders standaard deel aan het MDO?", Scale.yes_no)
    page = text_of(client.get(path(links["professionals"][0])))
    assert "Nemen ouders standaard deel aan het MDO?" in page and "nieuwe tekst" not in page
    assert db.session.scalar(sa.select(AuditEvent.fields).where(
        AuditEvent.action == "survey_question_edit",
        AuditEvent.object_id == bank_question.id)) == "theme,text,scale,position,indicator_key"


# --- the report --------------------------------------------------------------------------------


def test_no_figures_while_the_round_is_open(app, opened, questions, staff):
    answer_all(app, opened, questions)
    page = text_of(staff.get(f"/monitor/enquetes/{opened[0].id}"))
    assert "Ingevuld" in page and "gemiddeld" not in page
    assert staff.get(f"/monitor/enquetes/{opened[0].id}/export").status_code == 302


def test_the_report_shows_what_was_answered_beside_the_dossiers(closed, staff):
    page = text_of(staff.get(f"/monitor/enquetes/{closed.id}"))
    assert "Welk rapportcijfer geeft u? gemiddeld 7,0 n = 6" in page
    assert ("Nemen ouders standaard deel aan het MDO? 60% ja n = 6, waarvan 1 weet niet "
            "Ja: 3 Nee: 2 Weet niet: 1 Grafiek") in page
    assert "Ja: 3; Nee: 2; Weet niet: 1. Ja 3 Nee 2 Weet niet 1 75% (3 van 4)" in page  # chart
    assert "Partners vertrouwen elkaar. onderdrukt" in page
    assert "Voelde u zich serieus genomen? onderdrukt" in page
    assert "Helemaal mee eens: 1" not in page


def test_the_csv_has_the_same_figures_and_suppression(closed, staff):
    response = staff.get(f"/monitor/enquetes/{closed.id}/export?formaat=csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    heads = {r["question"]: r for r in rows if r["answer"] == "uitslag"}
    assert heads["Welk rapportcijfer geeft u?"]["value"] == "7.0"
    mdo = heads["Nemen ouders standaard deel aan het MDO?"]
    assert (mdo["value"], mdo["n"], mdo["measured_indicator"], mdo["measured_value"],
            mdo["measured_suppressed"]) == ("60.0", "6", "mdo_parent_present", "75.0", "0")
    for text in ("Partners vertrouwen elkaar.", "Voelde u zich serieus genomen?"):
        assert (heads[text]["suppressed"], heads[text]["value"], heads[text]["n"]) == ("1", "", "")
        assert [r for r in rows if r["question"] == text] == [heads[text]]
    marks = {r["answer"]: r["count"] for r in rows
             if r["question"] == "Welk rapportcijfer geeft u?" and r["answer"] != "uitslag"}
    assert marks == {"1": "0", "2": "0", "3": "0", "4": "1", "5": "0", "6": "1", "7": "1",
                     "8": "2", "9": "1", "10": "0"}
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "export", AuditEvent.object_type == "survey_round")) == 1


def test_the_xlsx_suppresses_too_and_writes_text_as_text(closed, staff, questions):
    services.update_question(questions["mark"], QuestionData(
        P, "oordeel", None, "=1+1", Scale.mark, 10, None))  # the bank, not the held round
    response = staff.get(f"/monitor/enquetes/{closed.id}/export?formaat=xlsx")
    book = zipfile.ZipFile(io.BytesIO(response.get_data()))
    strings = book.read("xl/sharedStrings.xml").decode()
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "Nemen ouders standaard deel aan het MDO?" in strings
    assert "Helemaal mee eens" not in strings  # the only statement is suppressed
    assert "<f>" not in sheet
    assert "<v>60</v>" in sheet and "<v>75</v>" in sheet and "<v>7</v>" in sheet


def test_the_dashboard_shows_the_latest_closed_round(closed, staff):
    page = text_of(staff.get(f"/monitor/?periode={PERIOD.label}&bereik=regio"))
    assert "Uit de enquête: Najaarsmeting" in page
    assert "Welk rapportcijfer geeft u? gemiddeld 7,0" in page
    assert "Ervaren naast gemeten" in page
    assert "60% ja n = 6, waarvan 1 weet niet 75% (3 van 4)" in page
    other = text_of(staff.get(f"/monitor/?periode={PERIOD.previous().label}&bereik=regio"))
    assert "Uit de enquête" not in other
    printed = text_of(staff.get(f"/monitor/rapport?periode={PERIOD.label}&bereik=regio"))
    assert "60% ja n = 6, waarvan 1 weet niet 75% (3 van 4)" in printed


def test_opening_and_closing_are_in_the_audit_log(closed):
    actions = db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.object_type == "survey_round", AuditEvent.object_id == closed.id)).all()
    assert {"survey_round_create", "survey_round_open", "survey_round_close"} <= set(actions)


# --- who may -----------------------------------------------------------------------------------


def test_only_the_regions_coordinators_reach_its_rounds(login, opened, region):
    survey_round = opened[0]
    urls = [f"/monitor/enquetes/{survey_round.id}", f"/monitor/enquetes/regio/{region.id}/vragen"]
    elsewhere = login(user_with_role(Role.coordinator, OrganisationFactory()))
    school_staff = login(user_with_role(Role.school_staff, SchoolFactory(
        municipality__region=region)))
    for url in urls:
        assert elsewhere.get(url).status_code == 404
        assert school_staff.get(url).status_code == 403
    assert survey_round.title not in elsewhere.get("/monitor/enquetes/").get_data(as_text=True)


def test_the_menu_leads_coordinators_to_the_rounds_and_nobody_else(login, coordinator, region):
    menu_item = '<a href="/monitor/enquetes/">Enquêtes</a>'
    assert menu_item in login(coordinator).get("/").get_data(as_text=True)
    school_staff = login(user_with_role(Role.school_staff, SchoolFactory(
        municipality__region=region)))
    assert menu_item not in school_staff.get("/").get_data(as_text=True)
