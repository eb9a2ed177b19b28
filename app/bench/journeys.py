"""One case's records as the workflow would have left them: the path through the states to the
case's current one, with the history rows, consents, referrals, MDOs with participants and
actions, arrangements, plans, evaluations, escalations, thuiszitter episodes and timeline
events that path implies. The texts are the demo's invented phrases.
"""

import random
from datetime import date, datetime, timedelta

from app.bench.loader import Rows
from app.bench.world import SchoolInfo, World
from app.cases.workflow import EscalationReason
from app.demo import texts
from app.escalation.models import queue_rank

# Share of cases per current state, in per mille: five years of casework, most of it closed;
# about one case in a hundred waits on the escalation ladder at any time.
STATE_MIX = (("closed", 550), ("signalering", 120), ("mdo", 60), ("arrangement", 210),
             ("evaluation", 50), ("escalation", 10))
SIGNALS = tuple(texts.DESCRIPTIONS)
CLOSE_EARLY = ("no_concern", "school_approach")
CLOSE_LATE = ("goals_met", "goals_met", "aftercare_ended", "handed_over", "stopped_by_family")
ESCALATION_REASONS = ("no_youth_care_in_time", "no_school_place", "thuiszitter",
                      "responsibility_dispute", "no_progress", "regie_dispute",
                      "parents_school_disagree")
THUISZITTER_REASONS = ("geen_passende_plek", "schoolweigering", "ziekte", "geschorst_verwijderd",
                       "anders")
KINDS_PO = ("oza_1", "oza_1", "oza_2", "oza_7", "jeugdhulp", "school_support")
KINDS_OTHER = ("oza_2", "oza_3", "oza_4", "oza_5", "oza_6", "jeugdhulp", "school_support")
DAY = timedelta(days=1)


def state_plan(count: int, rng: random.Random) -> list[str]:
    """`count` states in the mix above, shuffled."""
    total = sum(share for _, share in STATE_MIX)
    states = [state for state, share in STATE_MIX for _ in range(count * share // total)]
    states += ["signalering"] * (count - len(states))
    rng.shuffle(states)
    return states


class Journeys:
    def __init__(self, loader: Rows, world: World, rng: random.Random):
        self.load, self.world, self.rng = loader, world, rng
        self.now = world.now.replace(tzinfo=None)
        self.today = self.now.date()
        self.cap = self.now - timedelta(minutes=5)
        self.ref_counter: dict[int, int] = {}

    # --- small helpers -------------------------------------------------------------------------

    def _at(self, at: datetime) -> datetime:
        """A moment that is never in the future: steps that would lie ahead happened today."""
        if at < self.cap:
            return at
        return self.cap - timedelta(seconds=self.rng.random() * 3600)

    def _row(self, table: str, **values) -> int:
        row_id = self.load.new_id(table)
        self.load.add(table, {"id": row_id, **values})
        return row_id

    # --- the case ------------------------------------------------------------------------------

    def case(self, school: SchoolInfo, state: str, opened: datetime, *,
             fresh: bool = False) -> int:
        """Write one case opened at `opened` and ending in `state`; `fresh`: a new signalering
        at version 1 with no records yet (the pool of the write benchmark)."""
        rng, load = self.rng, self.load
        c = _Case(self, school, state, rng.choice(school.staff))
        c.opened = opened
        self._pupil(c)
        if fresh:
            c.steps = [("open", None, "signalering", c.opened, None, None)]
        else:
            self._path(c)
        last = max([s[3] for s in c.steps] + c.activity)
        for trigger, source, dest, at, reason, note in c.steps:
            self._row("case_transition", case_id=c.id, trigger=trigger, from_state=source,
                      to_state=dest, actor_id=c.opener, reason=reason, note=note,
                      at=load.ts(at))
        for category in c.signals:
            load.add("case_signal", {"case_id": c.id, "category": category.value})
        load.add("pupil_case", {
            "id": c.id, "pupil_id": c.pupil_id, "school_id": school.id, "opened_by_id": c.opener,
            "opened_at": load.ts(c.opened), "state": state, "state_since": load.ts(c.steps[-1][3]),
            "last_activity_at": load.ts(last), "description": c.description,
            "hulpvraag": c.hulpvraag, "discussed_with_parents": not fresh,
            "meldcode_justification": c.meldcode, "regie_holder_id": c.regie,
            "regie_since": load.ts(c.regie_since) if c.regie else None,
            "closed_at": load.ts(c.steps[-1][3]) if state == "closed" else None,
            "closure_reason": c.steps[-1][4] if state == "closed" else None,
            "anonymised_at": None, "version": 1 + (0 if fresh else len(c.steps) + c.changes)})
        return c.id

    def opened(self, state: str, fresh: bool = False) -> datetime:
        """When a case in `state` was opened: closed ones over five years, open ones recent."""
        if fresh:
            back = self.rng.uniform(0.2, 20)
        elif state == "closed":
            back = self.rng.uniform(90, 5 * 365)
        elif state == "signalering":
            back = self.rng.uniform(1, 90)
        else:
            back = self.rng.uniform(60, 420)
        return self._at(self.now - timedelta(days=back))

    def _pupil(self, c: "_Case") -> None:
        n = self.ref_counter.get(c.school.id, 0) + 1
        self.ref_counter[c.school.id] = n
        young = c.school.sector in ("po", "sbo", "so")
        c.birth_year = year = c.opened.year - (self.rng.randint(5, 11) if young
                                               else self.rng.randint(12, 17))
        c.pupil_id = self._row(
            "pupil", school_id=c.school.id, reference=f"L{n:06d}",
            initials=f"{chr(65 + self.rng.randrange(26))}.{chr(65 + self.rng.randrange(26))}.",
            birth_year=year, group_name=f"groep {self.rng.randint(1, 8)}"
            if c.school.sector in ("po", "sbo", "so") else f"klas {self.rng.randint(1, 5)}",
            residence_municipality_id=c.school.municipality_id,
            created_at=self.load.ts(c.opened))

    # --- the paths -----------------------------------------------------------------------------

    def _path(self, c: "_Case") -> None:
        rng = self.rng
        c.steps = [("open", None, "signalering", c.opened, None, None)]
        if c.state == "signalering":
            if rng.random() < 0.4:
                self._consent(c, c.wijkteam)
            if rng.random() < 0.3:
                self._referral(c, "sent")
            return
        if c.state == "closed" and rng.random() < 0.35:
            self._step(c, "close", "signalering", "closed", rng.uniform(10, 60),
                       reason=rng.choice(CLOSE_EARLY))
            return
        if c.state in ("arrangement", "evaluation") and rng.random() < 0.3:
            self._light_help(c)
        elif not self._through_mdo(c):
            return
        self._after_arrangement(c)

    def _through_mdo(self, c: "_Case") -> bool:
        """Plan (and hold) the MDO; False when the path ends before an arrangement."""
        rng = self.rng
        self._mdo_phase(c)
        if c.state == "mdo":
            self._participants(c, held=False)
            return False
        if c.state == "escalation" and rng.random() < 0.5:
            self._participants(c, held=False)
            self._escalate(c, "mdo", open_=True)
            return False
        if c.state == "closed" and rng.random() < 0.15:
            self._participants(c, held=False)
            self._escalate(c, "mdo", open_=False)
        else:
            self._agree(c)
        return True

    def _after_arrangement(self, c: "_Case") -> None:
        """Evaluation rounds, then the step to the case's state."""
        rng, state = self.rng, c.state
        if state == "escalation":
            self._escalate(c, "arrangement", open_=True)
            return
        if rng.random() < 0.3:
            self._evaluation_round(c, "continue")
        if state == "arrangement":
            return
        self._step(c, "start_evaluation", "arrangement", "evaluation", rng.uniform(40, 120))
        if state == "closed":
            self._evaluation_record(c, "close")
            self._step(c, "close", "evaluation", "closed", 1, reason=rng.choice(CLOSE_LATE))

    def _step(self, c: "_Case", trigger, source, dest, days: float, reason=None, note=None):
        at = self._at(c.last + timedelta(days=days))
        c.steps.append((trigger, source, dest, at, reason, note))
        return at

    # --- the records on the path ---------------------------------------------------------------

    def _consent(self, c: "_Case", organisation_id: int, *, progress: bool = False) -> None:
        at = self._at(c.last + timedelta(days=self.rng.uniform(1, 10)))
        age = c.opened.year - c.birth_year
        giver = "parents" if age < 12 else "pupil_and_parents" if age < 16 else "young_person"
        self._row("consent", case_id=c.id, recipient_organisation_id=organisation_id,
                  purpose=texts.CONSENT_PURPOSE_HELP if progress else texts.CONSENT_PURPOSE_MDO,
                  given_by=giver, given_on=self.load.day(at.date()), expires_on=None,
                  covers_progress_notes=progress, withdrawn_at=None, withdrawn_by_id=None,
                  recorded_by_id=c.opener, recorded_at=self.load.ts(at))
        c.consented.add(organisation_id)
        c.event("consent", "Toestemming vastgelegd", at)

    def _referral(self, c: "_Case", status: str, *, light: bool = False) -> int:
        rng, load = self.rng, self.load
        if c.wijkteam not in c.consented:
            self._consent(c, c.wijkteam, progress=True)
        sent = self._at(c.last + timedelta(days=rng.uniform(1, 7)))
        answered = self._at(sent + timedelta(days=rng.uniform(1, 12))) if status != "sent" \
            else None
        started = (answered + timedelta(days=rng.uniform(3, 40))).date() \
            if status in ("started", "ended") and answered else None
        rid = self._row(
            "referral", case_id=c.id, to_organisation_id=c.wijkteam, to_user_id=c.coach,
            status=status, sent_by_id=c.opener, sent_at=load.ts(sent), question=c.hulpvraag,
            answer_due_on=load.day((sent + 10 * DAY).date()),
            answered_at=load.ts(answered) if answered else None, decline_reason=None,
            redirected_to_id=None, redirect_note=None, light_help=light,
            bridging_plan=rng.choice(texts.BRIDGING_PLANS) if answered else None,
            expected_start=load.day(started) if started else None,
            started_on=load.day(started) if started else None, ended_on=None, outcome=None,
            version=1 + (status != "sent") + bool(started))
        c.event("referral", "Verwijzing verstuurd naar het wijkteam", sent, referral=rid)
        if answered:
            c.event("feedback", "Verwijzing geaccepteerd", answered, referral=rid)
        if started:
            c.event("feedback", "Hulp gestart", datetime.combine(started, answered.time()),
                    referral=rid)
            if rng.random() < 0.3:
                self._row("referral_note", referral_id=rid, case_id=c.id, author_id=c.coach,
                          written_at=load.ts(self._at(answered + 30 * DAY)),
                          text=rng.choice(texts.PROGRESS_NOTES))
        return rid

    def _mdo_phase(self, c: "_Case") -> None:
        """Consents, a planned MDO with its invitees, the step to mdo; sometimes regie."""
        rng = self.rng
        c.hulpvraag = texts.HULPVRAGEN[c.signals[0]]
        self._consent(c, c.wijkteam)
        extra = None
        if rng.random() < 0.5:
            extra = self.world.leerplicht if c.school.sector not in ("po", "so") else \
                self.world.jgz
            self._consent(c, extra[0])
        planned = self._at(c.last + timedelta(days=rng.uniform(7, 21)))
        c.mdo = self._row("mdo_meeting", case_id=c.id, planned_at=self.load.ts(planned),
                          held_at=None, chair_id=c.opener, parents=None, parents_reason=None,
                          pupil_voice=None, pupil_reason=None, minutes=None)
        c.mdo_at = planned
        c.invitees = [("school", c.opener, None), ("wijkteam", c.coach, c.wijkteam)]
        if extra:
            discipline = "leerplicht" if extra is self.world.leerplicht else "jgz"
            c.invitees.append((discipline, rng.choice(extra[1]), extra[0]))
        self._step(c, "plan_mdo", "signalering", "mdo", 1)
        c.event("mdo", "MDO gepland", c.last)
        if c.state != "mdo" or rng.random() < 0.4:
            self._take_regie(c)

    def _participants(self, c: "_Case", *, held: bool) -> None:
        for discipline, user_id, organisation_id in c.invitees:
            self._row("mdo_participant", meeting_id=c.mdo, discipline=discipline,
                      user_id=user_id, organisation_id=organisation_id,
                      present=(self.rng.random() < 0.9 or discipline == "school") if held
                      else None)

    def _take_regie(self, c: "_Case") -> None:
        c.regie = c.coach if self.rng.random() < 0.7 else c.opener
        c.regie_since = c.last
        c.event("regie", "Casusregie overgenomen", c.last)

    def _agree(self, c: "_Case") -> None:
        """The MDO is held (parents, pupil, actions) and the arrangement agreed."""
        rng, load = self.rng, self.load
        held = c.mdo_at
        parents = rng.choices(("present", "invited_absent", "not_invited"), (70, 20, 10))[0]
        pupil = rng.choices(("present", "heard_beforehand", "not_heard"), (20, 55, 25))[0]
        # Held: the planned row is the held row; rewrite it with the outcome.
        meeting = self.load.rows["mdo_meeting"][-1]
        meeting.update(held_at=load.ts(held), parents=parents,
                       parents_reason=rng.choice(texts.PARENTS_NOT_INVITED)
                       if parents == "not_invited" else None, pupil_voice=pupil,
                       pupil_reason=rng.choice(texts.PUPIL_NOT_HEARD)
                       if pupil == "not_heard" else None,
                       minutes=rng.choice(texts.MDO_MINUTES))
        self._participants(c, held=True)
        c.event("mdo", "MDO gehouden", held)
        for _ in range(rng.randint(1, 3)):
            owner = rng.choice(c.invitees)[1]
            due = held + timedelta(days=rng.uniform(7, 30))
            done = due < self.now and rng.random() < 0.8
            self._row("mdo_action", meeting_id=c.mdo, case_id=c.id,
                      description=rng.choice(texts.MDO_ACTIONS), owner_id=owner,
                      due_on=load.day(due.date()), created_at=load.ts(held),
                      done_at=load.ts(self._at(due - DAY)) if done else None,
                      done_by_id=owner if done else None)
        self._arrangement(c, held)
        self._step(c, "agree_arrangement", "mdo", "arrangement", 1)
        if rng.random() < 0.5:
            self._referral(c, "started")

    def _light_help(self, c: "_Case") -> None:
        c.hulpvraag = texts.HULPVRAGEN[c.signals[0]]
        self._referral(c, "started", light=True)
        c.regie, c.regie_since = c.coach, c.last
        self._arrangement(c, c.last)
        self._step(c, "start_light_help", "signalering", "arrangement", 1,
                   note=self.rng.choice(texts.LIGHT_HELP_NOTES))

    def _arrangement(self, c: "_Case", at: datetime) -> None:
        rng, load = self.rng, self.load
        kind = rng.choice(KINDS_PO if c.school.sector == "po" else KINDS_OTHER)
        starts = (at + timedelta(days=rng.uniform(1, 14))).date()
        due = starts + timedelta(days=rng.choice((42, 56, 84, 112)))
        if c.state == "arrangement" and due <= self.today and rng.random() < 0.8:
            due = self.today + timedelta(days=rng.randint(1, 90))
        c.arrangement = self._row(
            "arrangement", case_id=c.id, kind=kind, provider_organisation_id=c.wijkteam
            if kind == "jeugdhulp" else None, funding=rng.choice(("onderwijs", "gemeente",
                                                                   "integraal")),
            goal_school=rng.choice(texts.GOALS_SCHOOL), goal_thuis=rng.choice(texts.GOALS_THUIS),
            goal_wijk=rng.choice(texts.GOALS_WIJK) if rng.random() < 0.4 else None,
            starts_on=load.day(starts), ends_on=None, evaluation_due=load.day(due),
            created_at=load.ts(self._at(at)))
        c.evaluation_due = due
        c.event("arrangement", "Arrangement vastgelegd", at)
        if rng.random() < 0.5:
            plan = rng.choice(("opp", "jeugd_gezinsplan", "integraal"))
            self._row("case_plan", case_id=c.id, kind=plan, drawn_up_on=load.day(starts),
                      names_home=plan != "opp" or rng.random() < 0.3,
                      names_school=plan != "jeugd_gezinsplan" or rng.random() < 0.5,
                      summary=texts.PLAN_SUMMARIES[plan], recorded_by_id=c.opener,
                      recorded_at=load.ts(self._at(at)))
            c.event("plan", "Plan vastgelegd", at)

    def _evaluation_round(self, c: "_Case", decision: str) -> None:
        self._step(c, "start_evaluation", "arrangement", "evaluation",
                   self.rng.uniform(40, 100))
        self._evaluation_record(c, decision)
        self._step(c, "continue_arrangement", "evaluation", "arrangement", 0.01)

    def _evaluation_record(self, c: "_Case", decision: str) -> None:
        rng, load = self.rng, self.load
        at = self._at(c.last + timedelta(days=rng.uniform(1, 14)))
        next_due = (at + timedelta(days=84)).date() if decision == "continue" else None
        if c.state == "arrangement" and next_due and next_due <= self.today:
            next_due = self.today + timedelta(days=rng.randint(7, 80))
        attain = ("met", "partly", "not_met")
        # The case's arrangement is the last row made (cases are made one at a time).
        arrangement = next((row for row in self.load.rows["arrangement"][-1:]
                            if row["id"] == c.arrangement), None)
        due = arrangement["evaluation_due"] if arrangement else None
        self._row("evaluation", case_id=c.id, arrangement_id=c.arrangement, due_on=due,
                  held_on=load.day(at.date()), recorded_at=load.ts(at), recorded_by_id=c.opener,
                  school_present=True, youth_care_present=rng.random() < 0.7,
                  parents_present=rng.random() < 0.6, pupil_present=rng.random() < 0.3,
                  school_input=rng.choice(texts.SCHOOL_INPUT), decision=decision,
                  next_evaluation_due=load.day(next_due) if next_due else None,
                  attainment_school=rng.choice(attain), attainment_thuis=rng.choice(attain),
                  attainment_wijk="not_applicable", notes=None)
        c.event("evaluation", "Evaluatie vastgelegd", at)
        c.last = at  # the next step follows the evaluation, not the other way round
        if next_due and arrangement:
            arrangement["evaluation_due"] = load.day(next_due)

    def _escalate(self, c: "_Case", source: str, *, open_: bool) -> None:
        rng, load = self.rng, self.load
        reason = rng.choice(ESCALATION_REASONS)
        at = self._step(c, "escalate", source, "escalation", rng.uniform(10, 60), reason=reason,
                        note=rng.choice(texts.ESCALATION_RATIONALES[_reason(reason)]))
        tier = rng.choices((1, 2, 3), (60, 30, 10))[0]
        due = (at + timedelta(days=(14, 21, 28)[tier - 1])).date()
        decided = None if open_ and rng.random() < 0.7 else self._at(at + 10 * DAY)
        decision = rng.choice(texts.ESCALATION_DECISIONS) if decided else (None, False)
        coordinator = rng.choice(self.world.coordinators) if rng.random() < 0.6 or decided \
            else None
        resolved = None if open_ else self._at(at + timedelta(days=rng.uniform(11, 30)))
        at_home = reason == "thuiszitter" or rng.random() < 0.1
        self._row("escalation", case_id=c.id, region_id=self.world.region_id,
                  queue_rank=queue_rank(at_home, due), reason=reason,
                  rationale=c.steps[-1][5], tier=tier, due_on=load.day(due), rule=None,
                  opened_by_id=c.opener, opened_at=load.ts(at),
                  assigned_coordinator_id=coordinator, decision=decision[0],
                  decided_by_id=coordinator if decided else None,
                  decided_at=load.ts(decided) if decided else None,
                  funding_guarantee=decision[1], resolved_at=load.ts(resolved) if resolved
                  else None)
        if at_home:
            started = at - timedelta(days=rng.uniform(14, 60))
            self._row("thuiszitter_episode", case_id=c.id, started_on=load.day(started.date()),
                      ended_on=None if open_ else load.day(resolved.date()),
                      reason=rng.choice(THUISZITTER_REASONS), exemption=False,
                      recorded_by_id=c.opener, recorded_at=load.ts(self._at(started + DAY)))
        if not open_:
            c.last = resolved
            if c.mdo is not None and source == "mdo":
                self._agree_after_escalation(c)

    def _agree_after_escalation(self, c: "_Case") -> None:
        self._arrangement(c, c.last)
        self._step(c, "resolve_escalation", "escalation", "arrangement", 0.01)


def _reason(value: str) -> EscalationReason:
    return EscalationReason(value)


class _Case:
    """The case being written: its ids, the people on it, the steps so far."""

    def __init__(self, journeys: Journeys, school: SchoolInfo, state: str, opener: int):
        world, rng = journeys.world, journeys.rng
        self.j, self.school, self.state, self.opener = journeys, school, state, opener
        self.id = journeys.load.new_id("pupil_case")
        self.wijkteam = world.wijkteam[school.municipality_id]
        self.coach = rng.choice(world.coaches[school.municipality_id])
        self.signals = rng.sample(SIGNALS, rng.choice((1, 1, 2, 2, 3)))
        self.description = rng.choice(texts.DESCRIPTIONS[self.signals[0]])
        self.hulpvraag = texts.HULPVRAGEN[self.signals[0]] if rng.random() < 0.6 else None
        self.meldcode = (texts.MELDCODE_JUSTIFICATIONS[0]
                         if self.signals[0].value == "veiligheid" else None)
        self.regie = self.regie_since = self.mdo = self.mdo_at = self.arrangement = None
        self.evaluation_due: date | None = None
        self.consented: set[int] = set()
        self.invitees: list = []
        self.activity: list[datetime] = []
        self.changes = 0
        self.opened = datetime.min
        self.pupil_id = 0
        self.birth_year = 2010
        self.steps: list[tuple] = []

    @property
    def last(self) -> datetime:
        return max([self.steps[-1][3], *self.activity[-1:]]) if self.steps else self.opened

    @last.setter
    def last(self, value: datetime) -> None:
        self.activity.append(value)

    def event(self, kind: str, summary: str, at: datetime, referral: int | None = None):
        at = self.j._at(at)
        self.activity.append(at)
        self.changes += 1
        self.j._row("case_event", case_id=self.id, at=self.j.load.ts(at), actor_id=self.opener,
                    kind=kind, summary=summary, referral_id=referral)
