"""Referral to a youth professional: sending it, the professional's answers and inbox, the
terugkoppeling to the school, redirecting, progress notes and light help without an MDO."""

import html
import re
from datetime import date, timedelta
from itertools import product
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.cases import queries
from app.cases.models import Case, CaseEvent, Referral, ReferralNote, ReferralStatus
from app.cases.workflow import GUARDS, CaseState
from app.extensions import db
from app.models import utcnow
from app.notifications.models import Notification
from tests.conftest import statements_run
from tests.conftest import text_of as _raw_text
from tests.factories import (
    ArrangementFactory,
    CaseFactory,
    ConsentFactory,
    OrganisationFactory,
    ReferralFactory,
    ReferralNoteFactory,
    SchoolContactFactory,
    SchoolFactory,
    user_with_role,
)

RS = ReferralStatus
TODAY = date.today()
QUESTION = "Kan het wijkteam meekijken naar de slaapproblemen thuis?"


def text_of(response) -> str:
    return html.unescape(_raw_text(response))


@pytest.fixture
def w():
    """A school with its J&G-coach as fixed jeugdhulp contact, and a case with consent for the
    coach's wijkteam."""
    school = SchoolFactory(name="Basisschool De Regenboog")
    region = school.region
    region.referral_answer_days = 7
    wijkteam = OrganisationFactory(region=region, name="Wijkteam Noord")
    zuid = OrganisationFactory(region=region, name="Wijkteam Zuid")
    coach = user_with_role(Role.youth_professional, wijkteam, name="Coach Carla")
    deputy = user_with_role(Role.youth_professional, wijkteam, name="Collega Dirk")
    other = user_with_role(Role.youth_professional, zuid, name="Buurtwerker Sanne")
    ib = user_with_role(Role.school_staff, school, name="Ilse Begeleider")
    SchoolContactFactory(school=school, user=coach, deputy=deputy, organisation=wijkteam)
    case = CaseFactory(school=school, pupil__school=school, pupil__reference="REF-77",
                       opened_by=ib)
    ConsentFactory(case=case, recipient=wijkteam)
    return SimpleNamespace(school=school, region=region, wijkteam=wijkteam, zuid=zuid,
                           coach=coach, deputy=deputy, other=other, ib=ib, case=case)


def _referral(w, status=RS.sent, to_user="coach", **kwargs) -> Referral:
    kwargs.setdefault("answer_due_on", TODAY + timedelta(days=7))
    kwargs.setdefault("question", QUESTION)
    if status in (RS.started, RS.ended):
        kwargs.setdefault("started_on", TODAY - timedelta(days=3))
        kwargs.setdefault("sent_at", utcnow() - timedelta(days=20))
    return ReferralFactory(case=kwargs.pop("case", w.case),
                           to_organisation=kwargs.pop("to_organisation", w.wijkteam),
                           to_user=getattr(w, to_user) if to_user else None, status=status,
                           sent_by_id=w.ib.id, **kwargs)


def _fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def _version(case) -> int:
    return _fresh(Case, case.id).version


def _events(case, kind=None) -> list[str]:
    stmt = sa.select(CaseEvent.summary).where(CaseEvent.case_id == case.id)
    if kind:
        stmt = stmt.where(CaseEvent.kind == kind)
    return db.session.scalars(stmt.order_by(CaseEvent.id)).all()


def _notifications(user, kind=None) -> list[Notification]:
    stmt = sa.select(Notification).where(Notification.user_id == user.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return db.session.scalars(stmt.order_by(Notification.id)).all()


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _audited(case) -> list[str]:
    return db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.case_id == case.id)
                              .order_by(AuditEvent.seq)).all()


# --- sending -----------------------------------------------------------------------------------


def _send(client, w, membership=None, question=QUESTION, version=None):
    membership = membership or w.coach.memberships[0]
    return client.post(f"/cases/{w.case.id}/referrals", data={
        "referral-version": str(version or _version(w.case)),
        "referral-professional": str(membership.id), "referral-question": question})


def test_the_send_form_preselects_the_schools_contact_and_finds_the_regions_professionals(
        w, login):
    foreign = user_with_role(Role.youth_professional, OrganisationFactory(), name="Ver Weg")
    client = login(w.ib)

    page = client.get(f"/cases/{w.case.id}").get_data(as_text=True)

    selected = re.search(r'<option selected value="(\d+)">([^<]*)</option>', page)
    assert selected.group(1) == str(w.coach.memberships[0].id)
    assert "Coach Carla – Wijkteam Noord (vaste contactpersoon)" in html.unescape(
        selected.group(2))
    assert "Collega Dirk – Wijkteam Noord (plaatsvervanger)" in html.unescape(page)
    assert "Buurtwerker Sanne" not in page  # not on the case: found by searching
    for term in ("sanne", "Ver Weg"):
        found = client.get(f"/cases/{w.case.id}?verwijzing_zoek={term}").get_data(as_text=True)
        assert ("Buurtwerker Sanne – Wijkteam Zuid" in found) == (term == "sanne")
        assert foreign.name not in found.split('name="referral-professional"')[1]


def test_sending_stores_the_referral_with_its_deadline_event_notification_and_audit(w, login):
    response = _send(login(w.ib), w)

    assert response.status_code == 302
    [referral] = db.session.scalars(sa.select(Referral)).all()
    assert (referral.to_user_id, referral.to_organisation_id, referral.status) == (
        w.coach.id, w.wijkteam.id, RS.sent)
    assert referral.question == QUESTION and referral.sent_by_id == w.ib.id
    assert referral.answer_due_on == TODAY + timedelta(days=7)
    assert _events(w.case, "referral") == ["Verwezen naar Wijkteam Noord"]
    [note] = _notifications(w.coach, "new_referral")
    assert note.link == f"/cases/{w.case.id}/referrals/{referral.id}"
    assert "REF-77" not in note.text and "slaap" not in note.text
    assert "referral:send" in _audited(w.case)
    assert _version(w.case) == 2


def test_the_school_may_pick_another_professional_of_the_region(w, login):
    ConsentFactory(case=w.case, recipient=w.zuid)

    assert _send(login(w.ib), w, w.other.memberships[0]).status_code == 302

    [referral] = db.session.scalars(sa.select(Referral)).all()
    assert (referral.to_user_id, referral.to_organisation_id) == (w.other.id, w.zuid.id)
    assert len(_notifications(w.other, "new_referral")) == 1


def test_without_consent_for_the_organisation_the_referral_is_refused(w, login):
    response = _send(login(w.ib), w, w.other.memberships[0])  # no consent for Wijkteam Zuid

    assert response.status_code == 422
    assert ("Er is geen geldige toestemming om Wijkteam Zuid te betrekken. Leg eerst de "
            "toestemming") in text_of(response)
    assert _count(Referral) == 0 and _events(w.case) == [] and _notifications(w.other) == []


def test_a_meldcode_justification_stands_in_for_consent(w, login):
    w.case.meldcode_justification = "Acute zorgen over de veiligheid thuis."

    assert _send(login(w.ib), w, w.other.memberships[0]).status_code == 302
    assert _count(Referral) == 1


def test_only_one_live_referral_to_an_organisation_at_a_time(w, login):
    _referral(w, RS.waiting)

    response = _send(login(w.ib), w, w.deputy.memberships[0])

    assert response.status_code == 422
    assert "Er loopt al een verwijzing naar Wijkteam Noord" in text_of(response)
    assert _count(Referral) == 1


def test_after_a_decline_the_school_may_refer_to_the_organisation_again(w, login):
    _referral(w, RS.declined, decline_reason="Niet ons werkgebied.")
    assert _send(login(w.ib), w).status_code == 302
    assert _count(Referral) == 2


@pytest.mark.parametrize("question", ["", "   "])
def test_a_referral_needs_the_schools_question(w, login, question):
    response = _send(login(w.ib), w, question=question)
    assert response.status_code == 422
    assert "Schrijf wat de school van de jeugdprofessional vraagt." in text_of(response)
    assert _count(Referral) == 0


def test_a_professional_of_another_region_cannot_be_chosen(w, login):
    foreign = user_with_role(Role.youth_professional, OrganisationFactory())
    response = _send(login(w.ib), w, foreign.memberships[0])
    assert response.status_code == 422
    assert "Kies een van de mogelijkheden uit de lijst." in text_of(response)
    assert _count(Referral) == 0


@pytest.mark.parametrize("state", [CaseState.escalation, CaseState.closed])
def test_no_referral_from_an_escalated_or_closed_case(w, login, state):
    w.case.state = state
    client = login(w.ib)

    assert "Verwijzing versturen" not in text_of(client.get(f"/cases/{w.case.id}"))
    response = _send(client, w)

    assert response.status_code == 422
    assert "In deze fase van de casus kan geen verwijzing worden verstuurd." in text_of(response)
    assert _count(Referral) == 0


def test_the_regie_holder_may_send_a_referred_professional_may_not(w, login):
    ConsentFactory(case=w.case, recipient=w.zuid)
    holder = w.other
    w.case.regie_holder_id = holder.id
    _referral(w, RS.accepted)  # gives the coach sight of the case

    zuid_colleague = user_with_role(Role.youth_professional, w.zuid)
    assert _send(login(w.coach), w, zuid_colleague.memberships[0]).status_code == 403
    assert _send(login(holder), w, zuid_colleague.memberships[0]).status_code == 302


def test_a_referral_on_a_case_changed_meanwhile_is_a_409_that_keeps_the_question(w, login):
    client = login(w.ib)
    old = _version(w.case)
    w.case.hulpvraag = "Gewijzigd door een collega."
    w.case.last_activity_at = utcnow()
    db.session.flush()

    response = _send(client, w, version=old, question="Mijn eigen vraag aan het wijkteam.")

    assert response.status_code == 409
    assert "Mijn eigen vraag aan het wijkteam." in text_of(response)
    assert "Coach Carla – Wijkteam Noord" in text_of(response)
    assert _count(Referral) == 0


# --- answering: the status table through the screens -------------------------------------------

VALID = {
    "accept": {"light_help": "y"},
    "decline": {"decline_reason": "Dit past beter bij specialistische hulp."},
    "redirect": {"redirect_note": "Sanne van het buurtteam is al bij het gezin betrokken."},
    "wait": {"expected_start": (TODAY + timedelta(days=21)).isoformat(),
             "bridging_plan": "School geeft twee keer per week een check-in."},
    "start": {"started_on": TODAY.isoformat()},
    "end": {"ended_on": TODAY.isoformat(), "outcome": "Doelen thuis bereikt."},
}
NEXT = {
    ("accept", RS.sent): RS.accepted, ("decline", RS.sent): RS.declined,
    ("redirect", RS.sent): RS.redirected,
    ("wait", RS.accepted): RS.waiting, ("wait", RS.waiting): RS.waiting,
    ("start", RS.accepted): RS.started, ("start", RS.waiting): RS.started,
    ("end", RS.accepted): RS.ended, ("end", RS.waiting): RS.ended, ("end", RS.started): RS.ended,
}
SUMMARY = {
    "accept": "Verwijzing geaccepteerd door Wijkteam Noord",
    "decline": "Verwijzing afgewezen door Wijkteam Noord",
    "redirect": "Doorverwezen naar de hulpverlener die al bij het gezin betrokken is",
    "wait": f"Wachtlijst: verwachte start {TODAY + timedelta(days=21):%d}",
    "start": "Hulp gestart op",
    "end": "Hulp beëindigd op",
}


def _answer(client, referral, step, version, **data):
    fields = {f"{step}-{k}": v for k, v in {"version": str(version), **data}.items()}
    return client.post(f"/cases/{referral.case_id}/referrals/{referral.id}/answer/{step}",
                       data=fields)


@pytest.mark.parametrize(("step", "status"), list(product(VALID, RS)),
                         ids=lambda v: v.value if isinstance(v, RS) else v)
def test_every_step_from_every_status_through_the_screen(w, login, step, status):
    referral = _referral(w, status)
    client = login(w.coach)

    response = _answer(client, referral, step, _version(w.case), **VALID[step])

    after = _fresh(Referral, referral.id)
    if (step, status) in NEXT:
        assert response.status_code == 302
        assert after.status == NEXT[step, status]
        [summary] = _events(w.case, "feedback")
        assert summary.startswith(SUMMARY[step])
        [note] = _notifications(w.ib, "referral_answer")
        assert note.link == f"/cases/{w.case.id}/referrals/{referral.id}"
        assert f"referral:{step}" in _audited(w.case)
    else:
        # declined and redirected referrals are no longer the coach's to see
        if status in (RS.declined, RS.redirected):
            assert response.status_code == 404
        else:
            assert response.status_code == 422
            assert "kan nu niet" in text_of(response)
        assert after.status == status
        assert _events(w.case) == [] and _notifications(w.ib) == []


def test_the_answer_forms_are_exactly_the_steps_possible_now(w, login):
    referral = _referral(w, RS.accepted)
    page = login(w.coach).get(f"/cases/{w.case.id}/referrals/{referral.id}")
    actions = set(re.findall(r'/answer/(\w+)"', page.get_data(as_text=True)))
    assert actions == {"wait", "start", "end"}


def test_accepting_for_light_help_is_recorded_on_the_referral(w, login):
    referral = _referral(w)
    _answer(login(w.coach), referral, "accept", _version(w.case), light_help="y")
    accepted = _fresh(Referral, referral.id)
    assert accepted.light_help is True and accepted.answered_at is not None


def test_a_decline_without_reason_is_refused_and_nothing_is_stored(w, login):
    referral = _referral(w)

    response = _answer(login(w.coach), referral, "decline", _version(w.case),
                       decline_reason="   ")

    assert response.status_code == 422
    assert "Schrijf waarom u de verwijzing afwijst." in text_of(response)
    after = _fresh(Referral, referral.id)
    assert after.status == RS.sent and after.decline_reason is None
    assert _events(w.case) == [] and _notifications(w.ib) == []
    assert _version(w.case) == 1


def test_the_reason_stays_on_the_record_and_out_of_the_schools_timeline(w, login):
    referral = _referral(w)
    _answer(login(w.coach), referral, "decline", _version(w.case),
            decline_reason="Zorgen passen bij specialistische GGZ.")
    school = login(w.ib)

    timeline = text_of(school.get(f"/cases/{w.case.id}"))
    assert "Verwijzing afgewezen door Wijkteam Noord" in timeline
    assert "specialistische GGZ" not in timeline
    record = text_of(school.get(f"/cases/{w.case.id}/referrals/{referral.id}"))
    assert "Reden van afwijzen Zorgen passen bij specialistische GGZ." in record


@pytest.mark.parametrize(("status", "step", "data", "message"), [
    (RS.accepted, "wait", {"expected_start": ""}, "Vul de verwachte startdatum in."),
    (RS.accepted, "wait", {"expected_start": (TODAY - timedelta(days=1)).isoformat()},
     "De verwachte startdatum ligt in het verleden."),
    (RS.accepted, "wait", {"expected_start": "morgen"}, "Vul een geldige datum in"),
    (RS.accepted, "start", {"started_on": (TODAY + timedelta(days=2)).isoformat()},
     "De startdatum ligt in de toekomst."),
    (RS.started, "end", {"ended_on": (TODAY - timedelta(days=4)).isoformat(),
                         "outcome": "Klaar."}, "De einddatum ligt vóór de startdatum"),
    (RS.started, "end", {"ended_on": TODAY.isoformat(), "outcome": " "},
     "Beschrijf kort het resultaat van de hulp."),
], ids=["no-expected-date", "expected-in-past", "not-a-date", "start-in-future",
        "end-before-start", "no-outcome"])
def test_answers_with_senseless_dates_or_missing_text_are_refused(w, login, status, step, data,
                                                                  message):
    referral = _referral(w, status)

    response = _answer(login(w.coach), referral, step, _version(w.case), **data)

    assert response.status_code == 422
    assert message in text_of(response)
    assert _fresh(Referral, referral.id).status == status
    assert _events(w.case) == []


def test_the_waiting_list_can_move_its_expected_date(w, login):
    referral = _referral(w, RS.waiting, expected_start=TODAY + timedelta(days=5))
    later = TODAY + timedelta(days=40)

    _answer(login(w.coach), referral, "wait", _version(w.case), expected_start=later.isoformat())

    assert _fresh(Referral, referral.id).expected_start == later
    [summary] = _events(w.case, "feedback")
    assert summary.startswith("Wachtlijst: verwachte start")


def test_a_stale_answer_is_a_409_and_changes_nothing(w, login):
    referral = _referral(w)
    response = _answer(login(w.coach), referral, "accept", _version(w.case) - 1)
    assert response.status_code == 409
    assert _fresh(Referral, referral.id).status == RS.sent


# --- who answers -------------------------------------------------------------------------------


def test_only_the_receiver_may_answer(w, login):
    referral = _referral(w)
    w.case.regie_holder_id = w.deputy.id  # sees the case, but the referral is not theirs

    for user in (w.ib, w.deputy):
        response = _answer(login(user), referral, "accept", _version(w.case))
        assert response.status_code == 403
    assert _fresh(Referral, referral.id).status == RS.sent


def test_a_professional_of_another_region_does_not_find_the_referral(w, login):
    referral = _referral(w)
    stranger = user_with_role(Role.youth_professional, OrganisationFactory())
    client = login(stranger)
    assert _answer(client, referral, "accept", _version(w.case)).status_code == 404
    assert client.get(f"/cases/{w.case.id}/referrals/{referral.id}").status_code == 404


def test_a_referral_of_another_case_is_not_found_under_this_case(w, login):
    other_case = CaseFactory(school=w.school, pupil__school=w.school)
    referral = _referral(w, case=other_case)
    _referral(w)  # the coach sees this case through its own referral
    response = login(w.coach).get(f"/cases/{w.case.id}/referrals/{referral.id}")
    assert response.status_code == 404


def test_sent_to_an_organisation_any_of_its_professionals_answers(w, login):
    referral = _referral(w, to_user=None)

    response = _answer(login(w.deputy), referral, "accept", _version(w.case))

    assert response.status_code == 302
    assert _fresh(Referral, referral.id).status == RS.accepted
    assert _answer(login(w.other), referral, "start", _version(w.case),
                   started_on=TODAY.isoformat()).status_code == 404  # Zuid: not theirs


def test_an_unknown_step_is_not_found(w, login):
    referral = _referral(w)
    assert _answer(login(w.coach), referral, "approve", _version(w.case)).status_code == 404


# --- redirecting to the worker already with the family -------------------------------------------


def test_redirect_inside_schakel_makes_a_new_referral_with_the_same_question(w, login):
    ConsentFactory(case=w.case, recipient=w.zuid)
    referral = _referral(w)
    client = login(w.coach)

    response = _answer(client, referral, "redirect", _version(w.case),
                       redirect_to=str(w.other.memberships[0].id))

    assert response.status_code == 302 and response.location == "/cases/referrals"
    old = _fresh(Referral, referral.id)
    new = db.session.get(Referral, old.redirected_to_id)
    assert old.status == RS.redirected
    assert (new.to_user_id, new.to_organisation_id, new.status) == (w.other.id, w.zuid.id,
                                                                     RS.sent)
    assert new.question == QUESTION and new.sent_by_id == w.ib.id
    assert new.answer_due_on == TODAY + timedelta(days=7)
    assert _events(w.case) == ["Doorverwezen naar Wijkteam Zuid",
                               "Doorverwezen naar de hulpverlener die al bij het gezin "
                               "betrokken is"]
    assert [n.link for n in _notifications(w.other, "new_referral")] == [
        f"/cases/{w.case.id}/referrals/{new.id}"]
    assert len(_notifications(w.ib, "referral_answer")) == 1
    # passed on: the coach no longer sees the case, the new receiver does
    assert client.get(f"/cases/{w.case.id}").status_code == 404
    assert login(w.other).get(f"/cases/{w.case.id}/referrals/{new.id}").status_code == 200


def test_redirect_inside_schakel_needs_consent_for_the_new_organisation(w, login):
    referral = _referral(w)

    response = _answer(login(w.coach), referral, "redirect", _version(w.case),
                       redirect_to=str(w.other.memberships[0].id))

    assert response.status_code == 422
    assert "Er is geen geldige toestemming om Wijkteam Zuid te betrekken." in text_of(response)
    assert _fresh(Referral, referral.id).status == RS.sent and _count(Referral) == 1


def test_redirect_outside_schakel_records_who_and_creates_no_referral(w, login):
    referral = _referral(w)
    client = login(w.coach)

    refused = _answer(client, referral, "redirect", _version(w.case), redirect_note="")
    assert refused.status_code == 422
    assert "schrijf wie het is" in text_of(refused)

    response = _answer(client, referral, "redirect", _version(w.case),
                       redirect_note="Gezinsvoogd van de GI, mevrouw Jansen.")
    assert response.status_code == 302
    old = _fresh(Referral, referral.id)
    assert old.status == RS.redirected and old.redirected_to_id is None
    assert old.redirect_note == "Gezinsvoogd van de GI, mevrouw Jansen."
    assert _count(Referral) == 1
    page = text_of(login(w.ib).get(f"/cases/{w.case.id}/referrals/{referral.id}"))
    assert "Doorverwezen naar Gezinsvoogd van de GI, mevrouw Jansen." in page


def test_the_redirect_choice_leaves_out_the_receiver(w, login):
    referral = _referral(w)
    page = login(w.coach).get(f"/cases/{w.case.id}/referrals/{referral.id}")
    options = re.findall(r'name="redirect-redirect_to">(.*?)</select>',
                         page.get_data(as_text=True), re.S)[0]
    assert "Collega Dirk" in options and "Coach Carla" not in options


# --- the inbox -----------------------------------------------------------------------------------


def _rows(response, section):
    body = response.get_data(as_text=True)
    part = body.split(f'id="kop-{section}"')[1].split("</section>")[0]
    return re.findall(r'href="/cases/\d+/referrals/(\d+)"', part)


def test_the_inbox_lists_what_to_answer_and_what_runs(w, login):
    mine = _referral(w)
    to_team = _referral(w, to_user=None, to_organisation=w.wijkteam,
                        case=_consented_case(w, w.wijkteam))
    running = _referral(w, RS.waiting, case=_consented_case(w, w.wijkteam))
    _referral(w, RS.declined, case=_consented_case(w, w.wijkteam))
    _referral(w, to_user="deputy", case=_consented_case(w, w.wijkteam))  # the colleague's

    response = login(w.coach).get("/cases/referrals")

    assert response.status_code == 200
    assert set(_rows(response, "te-beantwoorden")) == {str(mine.id), str(to_team.id)}
    assert _rows(response, "lopend") == [str(running.id)]
    text = text_of(response)
    assert "REF-77" in text and "Basisschool De Regenboog" in text and QUESTION in text
    assert "nog 7 dagen" in text


def _consented_case(w, organisation):
    case = CaseFactory(school=w.school, pupil__school=w.school)
    ConsentFactory(case=case, recipient=organisation)
    return case


def test_an_overdue_referral_is_flagged_in_the_inbox_and_on_the_case(w, login):
    _referral(w, answer_due_on=TODAY - timedelta(days=2))

    inbox = text_of(login(w.coach).get("/cases/referrals"))
    case_page = text_of(login(w.ib).get(f"/cases/{w.case.id}"))

    assert "Te laat (2 dagen)" in inbox
    assert "Te laat" in case_page


def test_without_consent_the_inbox_shows_no_pupil_or_question(w, login):
    case = CaseFactory(school=w.school, pupil__school=w.school, pupil__reference="GEHEIM-1")
    _referral(w, case=case, question="Vraag zonder toestemming")

    text = text_of(login(w.coach).get("/cases/referrals"))

    assert "GEHEIM-1" not in text and "Vraag zonder toestemming" not in text
    assert "Geen inzage" in text


def test_the_inbox_pages_and_keeps_the_other_lists_page(w, login, app, monkeypatch):
    monkeypatch.setitem(app.config, "CASELOAD_PAGE_SIZE", 2)
    for _ in range(3):
        _referral(w, case=_consented_case(w, w.wijkteam))
    client = login(w.coach)

    first, second = client.get("/cases/referrals"), client.get("/cases/referrals?open_page=2")

    assert len(_rows(first, "te-beantwoorden")) == 2 and len(_rows(second, "te-beantwoorden")) == 1
    assert "Pagina 1 van 2" in text_of(first)
    assert 'href="/cases/referrals?running_page=1&amp;open_page=2"' in first.get_data(
        as_text=True)


def test_the_inbox_loads_in_a_fixed_number_of_queries(w, login):
    client = login(w.coach)

    def queries_for_inbox():
        with statements_run() as statements:
            assert client.get("/cases/referrals").status_code == 200
        return len(statements)

    for status in (RS.sent, RS.accepted):
        _referral(w, status, case=_consented_case(w, w.wijkteam))
    few = queries_for_inbox()
    for status in (RS.sent, RS.sent, RS.started, RS.waiting, RS.sent, RS.accepted):
        _referral(w, status, case=_consented_case(w, w.wijkteam))
    assert queries_for_inbox() == few


def test_the_inbox_is_audited_and_only_for_youth_professionals(w, login):
    login(w.coach).get("/cases/referrals")
    listed = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "referral_inbox", AuditEvent.user_id == w.coach.id)).all()
    assert [e.action for e in listed] == ["list"]
    assert login(w.ib).get("/cases/referrals").status_code == 403


def test_the_youth_professional_gets_the_nav_link(w, login):
    assert "Verwijzingen" in text_of(login(w.coach).get("/"))
    assert ">Verwijzingen<" not in login(w.ib).get("/").get_data(as_text=True)


# --- the case page and the referral page -------------------------------------------------------


def test_the_case_page_lists_each_referral_with_status_deadline_and_latest_feedback(w, login):
    referral = _referral(w, RS.accepted, light_help=True)
    db.session.add(CaseEvent(case_id=w.case.id, kind="feedback", referral_id=referral.id,
                             summary="Verwijzing geaccepteerd door Wijkteam Noord"))
    db.session.flush()

    text = text_of(login(w.ib).get(f"/cases/{w.case.id}"))

    assert "Wijkteam Noord Coach Carla Geaccepteerd lichte hulp" in text
    assert "Verwijzing geaccepteerd door Wijkteam Noord" in text


def test_the_referral_page_shows_question_and_status_history_and_is_audited(w, login):
    referral = _referral(w)
    coach = login(w.coach)
    _answer(coach, referral, "accept", _version(w.case))
    _answer(coach, referral, "start", _version(w.case), started_on=TODAY.isoformat())

    response = login(w.ib).get(f"/cases/{w.case.id}/referrals/{referral.id}")

    assert response.status_code == 200
    text = text_of(response)
    assert QUESTION in text
    history = text.split("Verloop")[1]
    assert history.index("Verwijzing geaccepteerd") < history.index("Hulp gestart op")
    assert "/answer/" not in response.get_data(as_text=True)  # the school does not answer
    reads = db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.case_id == w.case.id, AuditEvent.user_id == w.ib.id)).all()
    assert "read" in reads


# --- progress notes ------------------------------------------------------------------------------


def _note(client, referral, text, version):
    return client.post(f"/cases/{referral.case_id}/referrals/{referral.id}/notes",
                       data={"note-version": str(version), "note-text": text})


def test_the_receiver_adds_a_progress_note_the_timeline_only_says_that(w, login):
    referral = _referral(w, RS.started)

    response = _note(login(w.coach), referral, "Gesprek met moeder gehad.", _version(w.case))

    assert response.status_code == 302
    [note] = db.session.scalars(sa.select(ReferralNote)).all()
    assert (note.text, note.author_id, note.case_id) == ("Gesprek met moeder gehad.",
                                                          w.coach.id, w.case.id)
    assert _events(w.case) == ["Voortgangsnotitie toegevoegd"]
    assert "referral:note" in _audited(w.case)


def test_the_school_reads_notes_only_when_consent_covers_them(w, login):
    referral = _referral(w, RS.started)
    ReferralNoteFactory(referral=referral, text="Moeder slaapt slecht, er is een plan.")
    ReferralNoteFactory(referral=referral, text="Tweede gesprek gevoerd.")
    school = login(w.ib)
    url = f"/cases/{w.case.id}/referrals/{referral.id}"

    without = text_of(school.get(url))
    assert "Moeder slaapt slecht" not in without
    assert ("Er is 2 keer voortgang gemeld; de toestemming dekt het delen van de inhoud met "
            "school niet.") in without
    assert "Moeder slaapt slecht" in text_of(login(w.coach).get(url))

    ConsentFactory(case=w.case, recipient=w.wijkteam, covers_progress_notes=True)
    assert "Moeder slaapt slecht" in text_of(school.get(url))


def test_an_expired_covering_consent_hides_the_notes_again(w, login):
    referral = _referral(w, RS.started)
    ReferralNoteFactory(referral=referral, text="Inhoudelijke voortgang.")
    ConsentFactory(case=w.case, recipient=w.wijkteam, covers_progress_notes=True,
                   given_on=TODAY - timedelta(days=400), expires_on=TODAY - timedelta(days=1))

    text = text_of(login(w.ib).get(f"/cases/{w.case.id}/referrals/{referral.id}"))

    assert "Inhoudelijke voortgang." not in text and "Er is 1 keer voortgang gemeld" in text


def test_only_the_receiver_adds_notes_and_only_while_the_referral_runs(w, login):
    referral = _referral(w)
    assert _note(login(w.ib), referral, "Van school.", _version(w.case)).status_code == 403
    response = _note(login(w.coach), referral, "Te vroeg.", _version(w.case))
    assert response.status_code == 422
    assert "Voortgang melden kan zolang de verwijzing loopt" in text_of(response)
    assert _count(ReferralNote) == 0


def test_an_empty_or_stale_note_is_refused(w, login):
    referral = _referral(w, RS.accepted)
    client = login(w.coach)
    empty = _note(client, referral, "  ", _version(w.case))
    assert empty.status_code == 422 and "Schrijf de voortgangsnotitie." in text_of(empty)
    stale = _note(client, referral, "Mijn notitie.", _version(w.case) + 1)
    assert stale.status_code == 409 and "Mijn notitie." in text_of(stale)
    assert _count(ReferralNote) == 0


# --- light help without an MDO -------------------------------------------------------------------


def test_light_help_starts_end_to_end_after_a_light_help_acceptance(w, login):
    referral = _referral(w)
    _answer(login(w.coach), referral, "accept", _version(w.case), light_help="y")
    w.case = _fresh(Case, w.case.id)
    w.case.regie_holder_id, w.case.regie_since = w.coach.id, utcnow()
    ArrangementFactory(case=w.case)
    db.session.flush()

    response = login(w.ib).post(f"/cases/{w.case.id}/transitions/start_light_help", data={
        "start_light_help-version": str(_version(w.case)),
        "start_light_help-note": "Eén duidelijke vraag; de coach pakt het op."})

    assert response.status_code == 302
    assert _fresh(Case, w.case.id).state == CaseState.arrangement


def test_an_acceptance_without_light_help_does_not_start_it(w, login):
    _referral(w, RS.accepted, light_help=False)
    w.case.regie_holder_id = w.coach.id
    ArrangementFactory(case=w.case)

    client = login(w.ib)
    page = text_of(client.get(f"/cases/{w.case.id}"))
    response = client.post(f"/cases/{w.case.id}/transitions/start_light_help", data={
        "start_light_help-version": str(_version(w.case)),
        "start_light_help-note": "Geen MDO nodig."})

    assert GUARDS["accepted_for_light_help"].message in page
    assert response.status_code == 422
    assert _fresh(Case, w.case.id).state == CaseState.signalering


# --- the query for the escalation rules ----------------------------------------------------------


def test_overdue_referrals_are_those_of_the_region_unanswered_after_their_date(w):
    late = _referral(w, answer_due_on=TODAY - timedelta(days=1))
    _referral(w, answer_due_on=TODAY, case=_consented_case(w, w.wijkteam))
    _referral(w, RS.accepted, answer_due_on=TODAY - timedelta(days=9),
              case=_consented_case(w, w.wijkteam))
    elsewhere = SchoolFactory()
    ReferralFactory(case=CaseFactory(school=elsewhere, pupil__school=elsewhere),
                    answer_due_on=TODAY - timedelta(days=5))

    assert [r.id for r in queries.overdue_referrals(w.region.id, TODAY)] == [late.id]


# --- hostile input -------------------------------------------------------------------------------

hostile = st.one_of(st.text(max_size=200), st.just("<script>alert(1)</script>"),
                    st.just("A" * 6000), st.just("2027-02-30"), st.just("31-12-1999"),
                    st.integers().map(str), st.just(""))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(step=st.sampled_from(sorted(VALID)), data=st.fixed_dictionaries({
    name: hostile for name in ("light_help", "decline_reason", "redirect_to", "redirect_note",
                               "expected_start", "bridging_plan", "started_on", "ended_on",
                               "outcome")}))
def test_hostile_answers_never_break_and_never_store_script(w, coach_client, step, data):
    referral = _referral(w, RS.sent if step in ("accept", "decline", "redirect") else
                         RS.accepted)

    response = _answer(coach_client, referral, step, _version(w.case), **data)

    assert response.status_code in (302, 400, 404, 422)  # 400: a NUL byte
    page = coach_client.get(f"/cases/{w.case.id}/referrals/{referral.id}")
    assert page.status_code in (200, 404)
    assert "<script>alert(1)</script>" not in page.get_data(as_text=True)


@pytest.fixture
def coach_client(w, login):
    return login(w.coach)
