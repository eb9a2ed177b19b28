"""The whole case journey of issue 4 ("Done when"), played through the screens as its users click
it, with the clock moving as the weeks of a real case go by:

the intern begeleider (IB) of a primary school logs a signalering, completes it, records the
parents' consent and refers the pupil to the school's J&G-coach; the coach accepts, puts the help
on the waiting list with a bridging plan and later starts it, with a progress note the school reads
only once the consent covers it; the IB plans and fires the MDO, records it (a parent present, the
pupil heard beforehand, one action for the coach), the coach ticks the action off, the minutes
print; casusregie goes to the coach by acceptance; an OZA 2 arrangement is agreed and, after its
evaluation date, a joint evaluation closes the case. The IB sees every terugkoppeling on the
timeline, and every change left its audit row.

Each POST carries the case version read fresh from the database, as the page the user just saw
would; a refused POST fails with the page's own error messages.
"""

import html
import re
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from freezegun import freeze_time

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.cases.models import Case, MdoMeeting, MdoParticipant
from app.cases.services.mdo import local_to_utc, when_text
from app.cases.workflow import GUARDS, CaseState
from app.extensions import db
from app.filters import nl_date
from app.org.models import OrganisationKind, PartnerType, Sector
from tests.conftest import text_of as _raw_text
from tests.factories import (
    OrganisationFactory,
    SchoolContactFactory,
    SchoolFactory,
    user_with_role,
)

REFERENCE = "RB-0142"
QUESTION = "Kan de J&G-coach met ouders kijken naar de spanning thuis en de ochtenden?"
BRIDGING = "School geeft Sam elke ochtend een check-in bij de IB tot de hulp start."
NOTE = "Tweede gesprek met moeder gevoerd; de ochtendroutine werkt steeds beter."
MINUTES = ("We hebben samen met moeder besproken hoe het met Sam gaat. Sam krijgt hulp thuis en "
           "op school een vaste plek om even tot rust te komen.")
ACTION = "Gesprek met Sam en moeder over de ochtendroutine"
MORNING = time(9, 0)  # UTC: the same calendar day in Amsterdam, whatever the season


def text_of(response) -> str:
    return html.unescape(_raw_text(response))


def _problems(response) -> str:
    """The error messages a refused page shows: at the fields, in alerts and flashes."""
    body = response.get_data(as_text=True)
    found = re.findall(r'class="form-error"[^>]*>(.*?)</p>', body, re.S)
    found += re.findall(r'utrecht-alert--error"[^>]*>(.*?)</div>', body, re.S)
    cleaned = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", f)).split()) for f in found]
    return " | ".join(c for c in cleaned if c) or text_of(response)[:1500]


def _version(case_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(Case.version).where(Case.id == case_id))


def _case(case_id: int) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case_id)


def _post(client, url: str, data: dict, what: str):
    response = client.post(url, data=data)
    assert response.status_code == 302, (
        f"{what}: HTTP {response.status_code} – {_problems(response)}")
    return response


def _get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"GET {url}: HTTP {response.status_code}"
    return text_of(response)


def _morning(day: date) -> datetime:
    return datetime.combine(day, MORNING, tzinfo=UTC)


def _next_day_at(j, day: date) -> None:
    """Time passes: the clock moves to `day` and both users log in again (their sessions of the
    earlier day have ended)."""
    j.clock.move_to(_morning(day))
    j.ib = j.login(j.ib_user)
    j.coach = j.login(j.coach_user)


# --- the region: one PO school, its J&G-coach (the jeugdhulp contact), the JGZ -----------------


def _region(login, clock) -> SimpleNamespace:
    school = SchoolFactory(name="OBS De Regenboog", sector=Sector.po)
    wijkteam = OrganisationFactory(region=school.region, name="Wijkteam Noord",
                                   kind=OrganisationKind.wijkteam)
    jgz = OrganisationFactory(region=school.region, name="JGZ Kustregio",
                              kind=OrganisationKind.jgz)
    ib = user_with_role(Role.school_staff, school, name="Ilse Begeleider",
                        job_title="Intern begeleider")
    coach = user_with_role(Role.youth_professional, wijkteam, name="Joris Coach",
                           job_title="J&G-coach")
    SchoolContactFactory(school=school, user=coach, organisation=wijkteam,
                         partner_type=PartnerType.jeugdhulp)
    return SimpleNamespace(clock=clock, login=login, school=school, wijkteam=wijkteam, jgz=jgz,
                           ib_user=ib, coach_user=coach, ib=login(ib), coach=login(coach))


# --- 1. the IB: signalering, consent, referral -------------------------------------------------


def _signalering(j) -> None:
    assert "Nieuwe signalering" in _get(j.ib, "/cases/new")
    response = _post(j.ib, "/cases/new", {
        "school_id": str(j.school.id), "reference": REFERENCE, "initials": "S.J.",
        "birth_year": str(date.today().year - 9), "group_name": "groep 5",
        "signals": ["sociaal_emotioneel", "verzuim"],
        "description": "Sam komt vaak te laat, is moe en trekt zich terug in de klas.",
        "hulpvraag": "",
    }, "new signalering")
    j.case_id = int(re.fullmatch(r"/cases/(\d+)", response.location).group(1))
    j.url = f"/cases/{j.case_id}"

    page = _get(j.ib, j.url)
    assert f"Signalering voor {REFERENCE} is vastgelegd." in page
    assert "Besproken met ouders Nee, nog niet" in page
    # the MDO step says what is missing
    assert "MDO plannen kan nog niet:" in page
    assert GUARDS["has_hulpvraag"].message in page
    assert GUARDS["discussed_with_parents"].message in page

    assert "Signalering wijzigen" in _get(j.ib, f"{j.url}/edit")
    _post(j.ib, f"{j.url}/edit", {
        "version": str(_version(j.case_id)), "signals": ["sociaal_emotioneel", "verzuim"],
        "description": "Sam komt vaak te laat, is moe en trekt zich terug in de klas.",
        "hulpvraag": "Wat heeft Sam thuis en op school nodig om weer op tijd en uitgerust te "
                     "komen?",
        "discussed_with_parents": "y",
    }, "edit signalering")
    page = _get(j.ib, j.url)
    assert "De signalering is bijgewerkt." in page
    assert "Besproken met ouders Ja" in page
    assert GUARDS["has_hulpvraag"].message not in page


def _consent(j, organisation, purpose: str, *, progress_notes: bool) -> None:
    today = date.today()
    data = {
        "consent-version": str(_version(j.case_id)),
        "consent-recipient_organisation_id": str(organisation.id),
        "consent-purpose": purpose, "consent-given_on": today.isoformat(),
        "consent-expires_on": (today + timedelta(days=365)).isoformat(),
        # Sam is 8 or 9: the parents with authority give consent, and only they
        "consent-parties": ["parents"],
    }
    if progress_notes:
        data["consent-covers_progress_notes"] = "y"
    _post(j.ib, f"{j.url}/consents", data, f"consent for {organisation.name}")
    assert f"De toestemming voor {organisation.name} is vastgelegd." in _get(j.ib, j.url)


def _refer(j) -> None:
    body = j.ib.get(j.url).get_data(as_text=True)
    select = re.search(r'<select[^>]*name="referral-professional"[^>]*>(.*?)</select>', body,
                       re.S)
    assert select, "the IB is offered no referral form"
    selected = re.findall(r'<option selected value="(\d+)">([^<]*)</option>', select.group(1))
    # the school's jeugdhulp contact person is preselected
    membership = j.coach_user.memberships[0]
    assert [(value, html.unescape(label)) for value, label in selected] == [
        (str(membership.id), "Joris Coach – Wijkteam Noord (vaste contactpersoon)")]

    _post(j.ib, f"{j.url}/referrals", {
        "referral-version": str(_version(j.case_id)),
        "referral-professional": selected[0][0], "referral-question": QUESTION,
    }, "referral")
    page = _get(j.ib, j.url)
    assert "De verwijzing naar Wijkteam Noord is verstuurd." in page
    assert "Verwezen naar Wijkteam Noord" in page
    assert "Verstuurd, wacht op antwoord" in page


# --- 2. the J&G-coach: inbox, accept, waiting list, start, progress note -----------------------


def _inbox_rows(response, section: str) -> list[str]:
    part = response.get_data(as_text=True).split(f'id="kop-{section}"')[1].split("</section>")[0]
    return re.findall(r'href="/cases/(\d+/referrals/\d+)"', part)


def _answer(j, step: str, what: str, **fields) -> None:
    data = {f"{step}-{name}": value for name, value in fields.items()}
    data[f"{step}-version"] = str(_version(j.case_id))
    response = _post(j.coach, f"{j.referral_url}/answer/{step}", data, f"referral {step}")
    assert response.location == j.referral_url
    assert "De school krijgt deze terugkoppeling." in _get(j.coach, j.referral_url), what


def _coach_accepts_and_waits(j) -> None:
    inbox = j.coach.get("/cases/referrals")
    assert inbox.status_code == 200
    rows = _inbox_rows(inbox, "te-beantwoorden")
    assert len(rows) == 1, "the referral is not in the coach's inbox"
    text = text_of(inbox)
    assert REFERENCE in text and "OBS De Regenboog" in text and QUESTION in text
    j.referral_url = f"/cases/{rows[0]}"
    assert rows[0].startswith(f"{j.case_id}/referrals/")
    notifications = _get(j.coach, "/berichten/")
    assert "Nieuwe verwijzing" in notifications
    assert "Er is een nieuwe verwijzing voor u in Schakel." in notifications

    page = _get(j.coach, j.referral_url)
    assert QUESTION in page and "Accepteren" in page and "Afwijzen" in page

    _answer(j, "accept", "accepted")
    j.expected_start = date.today() + timedelta(days=14)
    _answer(j, "wait", "waiting", expected_start=j.expected_start.isoformat(),
            bridging_plan=BRIDGING)
    inbox = j.coach.get("/cases/referrals")
    assert _inbox_rows(inbox, "te-beantwoorden") == []
    assert _inbox_rows(inbox, "lopend") == [j.referral_url.removeprefix("/cases/")]


def _coach_starts_and_notes(j) -> None:
    j.started_on = date.today()
    _answer(j, "start", "started", started_on=j.started_on.isoformat())
    _post(j.coach, f"{j.referral_url}/notes", {
        "note-version": str(_version(j.case_id)), "note-text": NOTE}, "progress note")
    page = _get(j.coach, j.referral_url)
    assert "De voortgangsnotitie is toegevoegd." in page and NOTE in page


# --- 3. the IB sees the terugkoppeling, and the note only under a covering consent -------------


def _ib_sees_feedback(j) -> None:
    page = _get(j.ib, j.url)
    timeline = page.split("Tijdlijn", 1)[1]
    for line in ("Verwijzing geaccepteerd door Wijkteam Noord",
                 f"Wachtlijst: verwachte start {nl_date(j.expected_start)}",
                 f"Hulp gestart op {nl_date(j.started_on)}", "Voortgangsnotitie toegevoegd"):
        assert line in timeline, line
    assert BRIDGING not in page and NOTE not in page  # content-free terugkoppeling
    assert f"Hulp gestart op {nl_date(j.started_on)}" in page.split("Verwijzingen", 1)[1]

    inbox = _get(j.ib, "/berichten/")
    assert inbox.count("Antwoord op uw verwijzing") == 3  # accepted, waiting list, started
    assert "Er is terugkoppeling op een verwijzing die u hebt verstuurd." in inbox
    assert REFERENCE not in inbox  # a message never names the pupil
    # opening the newest message leads to the referral
    newest = re.search(r'href="(/berichten/\d+)"', j.ib.get("/berichten/").get_data(as_text=True))
    assert j.ib.get(newest.group(1)).location == j.referral_url

    page = _get(j.ib, j.referral_url)
    assert NOTE not in page
    assert ("Er is 1 keer voortgang gemeld; de toestemming dekt het delen van de inhoud met "
            "school niet.") in page
    assert f"Verwachte start {nl_date(j.expected_start)}" in page

    # the parents agree that the coach shares progress with school: a second consent
    _consent(j, j.wijkteam, "Verwijzing naar jeugdhulp", progress_notes=True)
    page = _get(j.ib, j.referral_url)
    assert NOTE in page
    assert "de toestemming dekt het delen" not in page


# --- 4. the MDO: plan, fire, hold, action, minutes -----------------------------------------------


def _plan_mdo(j) -> None:
    coach_key, jgz_key = f"p{j.coach_user.id}-{j.wijkteam.id}", f"o{j.jgz.id}"
    page = _get(j.ib, f"{j.url}/mdo/plan")
    assert "Joris Coach – Wijkteam Noord" in page and "JGZ Kustregio (zonder vaste persoon)" in page
    j.mdo_day = date.today() + timedelta(days=2)
    _post(j.ib, f"{j.url}/mdo/plan", {
        "version": str(_version(j.case_id)), "planned_on": j.mdo_day.isoformat(),
        "planned_time": "14:00", "chair_id": str(j.ib_user.id), "invitees": [coach_key, jgz_key],
    }, "plan the MDO")
    when = when_text(local_to_utc(j.mdo_day, time(14, 0)))
    page = _get(j.ib, j.url)
    assert "Het MDO is gepland en de genodigden hebben bericht gekregen." in page
    assert "Gepland MDO" in page and f"MDO gepland op {when}" in page
    assert page.count("toestemming vastgelegd") == 2  # the coach's wijkteam and the JGZ
    assert "MDO plannen kan nog niet" not in page
    assert f"U bent uitgenodigd voor een MDO op {when}." in _get(j.coach, "/berichten/")

    _post(j.ib, f"{j.url}/transitions/plan_mdo",
          {"plan_mdo-version": str(_version(j.case_id))}, "fire plan_mdo")
    assert _case(j.case_id).state == CaseState.mdo
    page = _get(j.ib, j.url)
    assert "MDO plannen: gelukt. De casus staat nu in 'MDO'." in page
    assert "MDO plannen – van Signalering naar MDO" in page


def _hold_mdo(j) -> None:
    meeting = db.session.scalars(sa.select(MdoMeeting).where(MdoMeeting.case_id == j.case_id)
                                 ).one()
    j.meeting_id = meeting.id
    participants = {p.discipline.value: p.id for p in db.session.scalars(
        sa.select(MdoParticipant).where(MdoParticipant.meeting_id == meeting.id))}
    assert set(participants) == {"school", "jeugdhulp", "jgz"}
    hold_url = f"{j.url}/mdo/{meeting.id}/hold"
    page = _get(j.ib, hold_url)
    assert "Joris Coach – Wijkteam Noord (Jeugdhulp)" in page
    assert "JGZ Kustregio (Jeugdgezondheidszorg (JGZ))" in page

    j.action_due = date.today() + timedelta(days=7)
    _post(j.ib, hold_url, {
        "version": str(_version(j.case_id)), "held_on": j.mdo_day.isoformat(),
        "held_time": "14:00",
        "present": [str(participants["school"]), str(participants["jeugdhulp"])],
        "parents": "present", "parents_reason": "", "pupil_voice": "heard_beforehand",
        "pupil_reason": "", "minutes": MINUTES, "action1_description": ACTION,
        "action1_owner": str(j.coach_user.id), "action1_due": j.action_due.isoformat(),
    }, "record the MDO")
    page = _get(j.ib, j.url)
    assert "Het MDO is vastgelegd." in page
    assert "MDO gehouden (ouders aanwezig; leerling vooraf gehoord)" in page
    assert f"{ACTION} Joris Coach {nl_date(j.action_due)} Open" in page


def _coach_does_the_action(j) -> None:
    assert "Er staat een actie uit een MDO voor u klaar" in _get(j.coach, "/berichten/")
    response = j.coach.get("/cases/tasks")
    tasks = text_of(response)
    assert response.status_code == 200 and "1 open actie." in tasks
    assert ACTION in tasks and REFERENCE in tasks and nl_date(j.action_due) in tasks
    done = re.findall(rf'action="(/cases/{j.case_id}/actions/\d+/done)"',
                      response.get_data(as_text=True))
    assert len(done) == 1
    response = _post(j.coach, done[0], {"version": str(_version(j.case_id)), "back": "tasks"},
                     "action done")
    assert response.location == "/cases/tasks"
    tasks = _get(j.coach, "/cases/tasks")
    assert "De actie is afgerond." in tasks and "U heeft geen open acties." in tasks
    assert f"Afgerond op {nl_date(date.today())}" in _get(j.ib, j.url)


def _minutes_print(j) -> None:
    page = _get(j.ib, f"{j.url}/mdo/{j.meeting_id}/verslag")
    assert "Verslag van het overleg over S.J." in page
    assert f"Op {nl_date(j.mdo_day)} om 14:00 uur" in page
    assert "Ilse Begeleider, OBS De Regenboog" in page and "Joris Coach, Wijkteam Noord" in page
    assert "Ook uitgenodigd, maar niet aanwezig: JGZ Kustregio." in page
    assert "De ouders waren bij het overleg." in page
    assert "Er is vóór het overleg met de leerling gesproken." in page
    assert MINUTES in page and ACTION in page
    assert "Druk af via het menu van uw browser." in page


# --- 5. casusregie to the coach ----------------------------------------------------------------


def _regie_to_the_coach(j) -> None:
    page = _get(j.ib, j.url)
    assert "Niemand heeft casusregie." in page
    assert GUARDS["has_regie_holder"].message in page
    _post(j.ib, f"{j.url}/regie", {
        "regie-version": str(_version(j.case_id)), "regie-to_user_id": str(j.coach_user.id),
        "regie-note": "Joris kent het gezin en heeft de hulp thuis.",
    }, "request the handover")
    page = _get(j.ib, j.url)
    assert "Overdracht gevraagd aan Joris Coach" in page
    assert "Tot die het verzoek accepteert, heeft niemand de casusregie." in page

    assert "Verzoek om casusregie over te nemen" in _get(j.coach, "/berichten/")
    requests = _get(j.coach, "/cases/regie")
    assert "1 open verzoek." in requests
    assert f"Casus {j.case_id} bekijken OBS De Regenboog Ilse Begeleider" in requests
    body = j.coach.get(j.url).get_data(as_text=True)
    accept = re.search(rf'action="(/cases/{j.case_id}/regie/\d+/accept)"', body)
    assert accept, "the coach is offered no way to accept"
    _post(j.coach, accept.group(1), {"regie_accept-version": str(_version(j.case_id))},
          "accept the handover")
    assert "U heeft nu de casusregie van deze casus." in _get(j.coach, j.url)

    page = _get(j.ib, j.url)
    assert f"Joris Coach , J&G-coach – sinds {nl_date(date.today())}" in page
    assert "Casusregie overgenomen door Joris Coach" in page
    assert _case(j.case_id).regie_holder_id == j.coach_user.id


# --- 6. the arrangement, the evaluation, the closure --------------------------------------------


def _arrangement(j) -> None:
    assert "Soort hulp" in _get(j.ib, f"{j.url}/arrangement/new")
    today = date.today()
    j.evaluation_due = today + timedelta(weeks=8)
    _post(j.ib, f"{j.url}/arrangement/new", {
        "version": str(_version(j.case_id)), "kind": "oza_2",
        "provider_organisation_id": str(j.wijkteam.id), "funding": "integraal",
        "goal_school": "Sam is elke ochtend op tijd en doet mee in de klas.",
        "goal_thuis": "Een vaste ochtendroutine met moeder.", "goal_wijk": "",
        "starts_on": today.isoformat(), "ends_on": "",
        "evaluation_due": j.evaluation_due.isoformat(),
    }, "record the arrangement")
    page = _get(j.ib, j.url)
    assert "Het arrangement is vastgelegd." in page
    assert "Soort OZA 2 – intensieve of langdurige hulp op school" in page
    assert "Arrangement vastgelegd: OZA 2 – intensieve of langdurige hulp op school" in page

    _post(j.ib, f"{j.url}/transitions/agree_arrangement",
          {"agree_arrangement-version": str(_version(j.case_id))}, "fire agree_arrangement")
    assert _case(j.case_id).state == CaseState.arrangement
    page = _get(j.ib, j.url)
    assert "Arrangement afspreken – van MDO naar Arrangement" in page
    # the evaluation waits for its date
    assert "Evaluatie starten kan nog niet:" in page
    assert GUARDS["evaluation_due_or_arrangement_ended"].message in page


def _evaluate_and_close(j) -> None:
    j.ended_on = date.today()
    _answer(j, "end", "ended", ended_on=j.ended_on.isoformat(),
            outcome="Ochtendroutine staat; moeder weet waar ze terecht kan.")

    page = _get(j.ib, j.url)
    assert "Evaluatie starten kan nog niet" not in page
    _post(j.ib, f"{j.url}/transitions/start_evaluation",
          {"start_evaluation-version": str(_version(j.case_id))}, "fire start_evaluation")
    assert _case(j.case_id).state == CaseState.evaluation

    _post(j.ib, f"{j.url}/evaluation", {
        f"evaluation-{name}": value for name, value in {
            "version": str(_version(j.case_id)), "held_on": date.today().isoformat(),
            "school_present": "y", "youth_care_present": "y", "parents_present": "y",
            "attainment_school": "met", "attainment_thuis": "met",
            "school_input": "Sam is sinds zes weken elke dag op tijd; geen verzuim meer.",
            "notes": "Iedereen tevreden; moeder belt de coach als het weer lastig wordt.",
            "outcome": "close", "closure_reason": "goals_met",
        }.items()
    }, "joint evaluation that closes the case")

    case = _case(j.case_id)
    assert case.state == CaseState.closed
    assert case.regie_holder_id == j.coach_user.id
    page = _get(j.ib, j.url)
    assert "De evaluatie is vastgelegd en de casus is gesloten." in page
    assert f"Gesloten {nl_date(date.today())} – Hulp beëindigd, doelen bereikt" in page
    assert "Besluit Sluiten" in page
    # the coach (regie holder) hears of the closure decided by the school
    assert "Een casus waarbij u betrokken bent, is na de evaluatie gesloten." in _get(
        j.coach, "/berichten/")
    _the_timeline_tells_the_whole_story(j, page)


def _the_timeline_tells_the_whole_story(j, page: str) -> None:
    timeline = page.split("Tijdlijn", 1)[1]
    story = [  # oldest first; the page lists newest first
        "Signalering geopend",
        "Toestemming vastgelegd voor Wijkteam Noord",
        "Toestemming vastgelegd voor JGZ Kustregio",
        "Verwezen naar Wijkteam Noord",
        "Verwijzing geaccepteerd door Wijkteam Noord",
        f"Wachtlijst: verwachte start {nl_date(j.expected_start)}",
        f"Hulp gestart op {nl_date(j.started_on)}",
        "Voortgangsnotitie toegevoegd",
        "Toestemming vastgelegd voor Wijkteam Noord",  # the second: progress notes shared
        f"MDO gepland op {when_text(local_to_utc(j.mdo_day, time(14, 0)))}",
        "MDO plannen – van Signalering naar MDO",
        "MDO gehouden (ouders aanwezig; leerling vooraf gehoord)",
        "Actie afgerond",
        "Casusregie overdracht gevraagd aan Joris Coach",
        "Casusregie overgenomen door Joris Coach",
        "Arrangement vastgelegd: OZA 2",
        "Arrangement afspreken – van MDO naar Arrangement",
        f"Hulp beëindigd op {nl_date(j.ended_on)}",
        "Evaluatie starten – van Arrangement naar Evaluatie",
        f"Evaluatie gehouden op {nl_date(date.today())} met school, jeugdhulp en ouders",
    ]
    for line in story:
        assert line in timeline, f"not on the timeline: {line}"
    # newest first: reading down the page meets the story backwards
    cursor = 0
    for line in reversed(story):
        found = timeline.find(line, cursor)
        assert found >= 0, f"out of order on the timeline: {line}"
        cursor = found + len(line)
    assert "Casus sluiten – van Evaluatie naar Gesloten" in timeline
    assert "Reden: Hulp beëindigd, doelen bereikt" in timeline


def _every_step_was_audited(j) -> None:
    rows = db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.user_id, AuditEvent.object_type)
        .where(AuditEvent.case_id == j.case_id).order_by(AuditEvent.seq)).all()
    ib, coach = j.ib_user.id, j.coach_user.id
    changes = [(action, user) for action, user, _ in rows
               if action not in ("read", "list", "search", "print")]
    assert changes[:-2] == [
        ("create", ib), ("update", ib),
        ("consent:record", ib), ("consent:record", ib),
        ("referral:send", ib),
        ("referral:accept", coach), ("referral:wait", coach), ("referral:start", coach),
        ("referral:note", coach),
        ("consent:record", ib),
        ("mdo_plan", ib), ("transition:plan_mdo", ib), ("mdo_record", ib),
        ("mdo_action_done", coach),
        ("regie:request", ib), ("regie:accept", coach),
        ("arrangement:create", ib), ("transition:agree_arrangement", ib),
        ("referral:end", coach), ("transition:start_evaluation", ib),
    ]
    # the evaluation and the step it decided are one change
    assert sorted(changes[-2:]) == [("create:evaluation", ib), ("transition:close", ib)]
    assert ("print", ib, "mdo_meeting") in rows
    assert {user for action, user, _ in rows if action == "read"} == {ib, coach}
    assert not [row for row in rows if row[0] == "denied"]


# --- the journey -------------------------------------------------------------------------------


def test_the_whole_journey_from_signalering_to_a_closed_case(login):
    start = date.today()
    with freeze_time(_morning(start), tick=True) as clock:
        j = _region(login, clock)

        # week 0: the IB signals, completes the signalering, records consent and refers
        _signalering(j)
        _consent(j, j.wijkteam, "Verwijzing naar jeugdhulp", progress_notes=False)
        _consent(j, j.jgz, "Deelname aan het MDO", progress_notes=False)
        _refer(j)
        # the coach accepts and puts the help on the waiting list with a bridging plan
        _coach_accepts_and_waits(j)

        # two weeks later: the help starts; the school sees it all and plans the MDO
        _next_day_at(j, j.expected_start)
        _coach_starts_and_notes(j)
        _ib_sees_feedback(j)
        _plan_mdo(j)

        # the day after the MDO: record it, the action, the minutes, casusregie, arrangement
        _next_day_at(j, j.mdo_day + timedelta(days=1))
        _hold_mdo(j)
        _coach_does_the_action(j)
        _minutes_print(j)
        _regie_to_the_coach(j)
        _arrangement(j)

        # the day after the evaluation date: the help ends, the joint evaluation closes the case
        _next_day_at(j, j.evaluation_due + timedelta(days=1))
        _evaluate_and_close(j)

        _every_step_was_audited(j)
