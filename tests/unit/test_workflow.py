"""The case workflow against the table of DESIGN §4, without a database.

The cases here are plain objects exposing exactly what the guards read; `record_transition`
collects the history rows the machine writes. The expected table below is written from the
design, not read from `workflow.TRANSITIONS`, so a drifting machine fails here.
"""

from datetime import UTC, date, datetime, time, timedelta
from itertools import product
from types import SimpleNamespace

import pytest

import app.all_models  # noqa: F401  (the history row is a model: every mapper must be known)
from app.cases import workflow
from app.cases.models import Case
from app.cases.workflow import (
    GUARDS,
    TRIGGER_LABELS,
    CaseState,
    TransitionNotAllowed,
    available_triggers,
    fire,
    machine,
    unmet_conditions,
    valid_triggers,
)
from app.org.models import Region, School

S = CaseState
TODAY = date(2025, 3, 12)
ORG_WIJKTEAM, ORG_LEERPLICHT = 11, 12

# DESIGN §4: trigger -> {source: destination}. resolve_escalation goes where `dest` says.
ALLOWED = {
    "plan_mdo": {S.signalering: S.mdo},
    "agree_arrangement": {S.mdo: S.arrangement},
    "start_light_help": {S.signalering: S.arrangement},
    "start_evaluation": {S.arrangement: S.evaluation},
    "continue_arrangement": {S.evaluation: S.arrangement},
    "back_to_mdo": {S.evaluation: S.mdo},
    "close": {S.signalering: S.closed, S.evaluation: S.closed, S.escalation: S.closed},
    "escalate": {s: S.escalation for s in (S.signalering, S.mdo, S.arrangement, S.evaluation)},
    "resolve_escalation": {S.escalation: S.mdo},
    "reopen": {S.closed: S.signalering},
}

# The input a user gives with each trigger (all of it valid).
INPUT = {
    "close": {"reason": "goals_met"},
    "escalate": {"reason": "thuiszitter", "note": "  Al vijf weken thuis.  "},
    "reopen": {"note": "Moeder meldt nieuwe zorgen."},
    "start_light_help": {"note": "Eén vraag, de wijkcoach pakt het op."},
    "resolve_escalation": {"dest": "mdo"},
}


@pytest.fixture(autouse=True)
def _db_transaction():
    """Overrides the conftest fixture: these tests need no app and no database."""
    yield


class FakeCase(SimpleNamespace):
    """A case on which every guard of every transition passes; tests break one thing at a time."""

    def __init__(self, state: CaseState, **overrides):
        meeting = SimpleNamespace(
            external_organisation_ids=lambda: {ORG_WIJKTEAM},
            present_disciplines=lambda: {"school", "wijkteam"},
            parent_participation_complete=lambda: True,
            pupil_voice_complete=lambda: True,
        )
        values = dict(
            state=state,
            discussed_with_parents=True,
            hulpvraag="Hoe krijgen we hem weer naar school?",
            meldcode_justification=None,
            planned_mdo=meeting,
            held_mdo=meeting,
            regie_holder_id=42,
            current_arrangement=SimpleNamespace(
                has_goals=lambda: True, evaluation_due=TODAY, ends_on=None
            ),
            accepted_referral=SimpleNamespace(to_organisation_id=ORG_WIJKTEAM, light_help=True),
            current_evaluation=SimpleNamespace(
                decision=SimpleNamespace(value="continue"),
                next_evaluation_due=TODAY + timedelta(weeks=8),
                school_input_recorded=True,
            ),
            open_escalation=SimpleNamespace(is_decided=lambda: True),
            reopen_until=TODAY,
            consented={ORG_WIJKTEAM, ORG_LEERPLICHT},
            rows=[],
        )
        values.update(overrides)
        super().__init__(**values)

    def consented_organisation_ids(self, on: date) -> set[int]:
        return self.consented

    def record_transition(self, transition, at=None) -> None:
        self.rows.append((transition, at))


def _fire(case, trigger, **extra):
    kwargs = {"actor_id": 7, "today": TODAY, **INPUT.get(trigger, {}), **extra}
    fire(case, trigger, **kwargs)


# --- the table: every trigger from every state ------------------------------------------------


@pytest.mark.parametrize(("trigger", "state"), list(product(ALLOWED, CaseState)),
                         ids=lambda v: v.value if isinstance(v, CaseState) else v)
def test_trigger_is_allowed_exactly_from_the_designed_sources(trigger, state):
    case = FakeCase(state)
    expected = ALLOWED[trigger].get(state)
    if expected is None:
        with pytest.raises(TransitionNotAllowed) as exc:
            _fire(case, trigger)
        assert workflow.STATE_LABELS[state] in str(exc.value)
        assert case.state is state
        assert case.rows == []
    else:
        _fire(case, trigger)
        assert case.state is expected
        [(row, _at)] = case.rows
        assert (row.trigger, row.from_state, row.to_state) == (trigger, state, expected)


def test_the_machine_knows_exactly_the_designed_triggers():
    assert set(machine.events) == set(ALLOWED) == set(TRIGGER_LABELS)
    assert not [name for name in machine.events if name.startswith("to_")]


@pytest.mark.parametrize("state", list(CaseState), ids=lambda s: s.value)
def test_valid_triggers_are_the_designed_ones_whatever_the_guards_say(state):
    nothing_ready = SimpleNamespace(state=state)  # a guard reading it would raise
    expected = {t for t, sources in ALLOWED.items() if state in sources}
    assert set(valid_triggers(nothing_ready)) == expected


def test_the_machine_holds_no_model_and_binds_nothing_to_a_case():
    case = FakeCase(S.signalering)
    _fire(case, "plan_mdo")
    available_triggers(case)
    assert machine.models == []
    assert not any(hasattr(case, name) for name in ("trigger", "may_plan_mdo", "plan_mdo",
                                                      "is_mdo", "to_mdo"))


def test_unknown_trigger_is_refused():
    case = FakeCase(S.signalering)
    with pytest.raises(TransitionNotAllowed, match="Onbekende stap"):
        fire(case, "to_closed")
    assert case.state is S.signalering


# --- the history row ---------------------------------------------------------------------------


def test_a_step_writes_one_history_row_with_actor_reason_and_trimmed_note():
    case = FakeCase(S.mdo)
    _fire(case, "escalate", at="AT")
    [(row, at)] = case.rows
    assert (row.actor_id, row.reason, row.note) == (7, "thuiszitter", "Al vijf weken thuis.")
    assert (row.from_state, row.to_state) == (S.mdo, S.escalation)
    assert at == "AT"


def test_an_empty_note_is_stored_as_none():
    case = FakeCase(S.signalering)
    _fire(case, "close", note="   ")
    assert case.rows[0][0].note is None


# --- every guard: refused when only it fails ---------------------------------------------------


def _meeting(**changes):
    meeting = FakeCase(S.mdo).held_mdo
    return SimpleNamespace(**{**vars(meeting), **changes})


def _arrangement(**changes):
    return SimpleNamespace(**{**vars(FakeCase(S.mdo).current_arrangement), **changes})


def _evaluation(**changes):
    return SimpleNamespace(**{**vars(FakeCase(S.mdo).current_evaluation), **changes})


# guard -> (what breaks it on an otherwise ready case, extra input, guards that fail with it)
BREAKERS = {
    "discussed_with_parents": ({"discussed_with_parents": False}, {}, set()),
    "has_hulpvraag": ({"hulpvraag": "   "}, {}, set()),
    # Without a planned MDO the consent check has nothing to cover; a meldcode note covers it.
    "has_planned_mdo": ({"planned_mdo": None, "meldcode_justification": "Acuut onveilig."}, {},
                        set()),
    "consent_covers_invitees": ({"consented": {ORG_LEERPLICHT}}, {}, set()),
    "mdo_held_with_two_disciplines": ({"held_mdo": _meeting(present_disciplines=lambda: {
        "school"})}, {}, set()),
    "parent_participation_recorded": (
        {"held_mdo": _meeting(parent_participation_complete=lambda: False)}, {}, set()),
    "pupil_voice_recorded": ({"held_mdo": _meeting(pupil_voice_complete=lambda: False)}, {},
                             set()),
    "has_regie_holder": ({"regie_holder_id": None}, {}, set()),
    "has_arrangement_with_goals": ({"current_arrangement": _arrangement(has_goals=lambda: False)},
                                   {}, set()),
    "has_arrangement_with_evaluation_date": (
        {"current_arrangement": _arrangement(evaluation_due=None)}, {}, set()),
    # No accepted referral means no organisation the consent could cover either.
    "has_accepted_referral": ({"accepted_referral": None}, {},
                              {"accepted_for_light_help", "consent_covers_referral"}),
    "accepted_for_light_help": (
        {"accepted_referral": SimpleNamespace(to_organisation_id=ORG_WIJKTEAM, light_help=False)},
        {}, set()),
    "consent_covers_referral": ({"consented": {ORG_LEERPLICHT}}, {}, set()),
    "evaluation_due_or_arrangement_ended": (
        {"current_arrangement": _arrangement(evaluation_due=TODAY + timedelta(days=1))}, {},
        set()),
    "evaluation_recorded": ({"current_evaluation": None}, {}, set()),
    "evaluation_decided_to_continue": (
        {"current_evaluation": _evaluation(decision=SimpleNamespace(value="close"))}, {},
        set()),
    "evaluation_with_school_input": (
        {"current_evaluation": _evaluation(school_input_recorded=False)}, {}, set()),
    "escalation_decided": ({"open_escalation": SimpleNamespace(is_decided=lambda: False)}, {},
                           set()),
    "within_reopen_period": ({"reopen_until": TODAY - timedelta(days=1)}, {}, set()),
    "closure_reason_given": ({}, {"reason": "thuiszitter"}, set()),  # an escalation reason
    "escalation_reason_given": ({}, {"reason": None}, set()),
    "note_given": ({}, {"note": " \n "}, set()),
}
# The destination guards pick one of resolve_escalation's two rows; tested on their own below.
DEST_GUARDS = {"resolves_to_mdo", "resolves_to_arrangement"}


def _guarded_steps():
    """(trigger, source, dest, guard) for every guard of every row of the machine's table."""
    for row in workflow.TRANSITIONS:
        sources = row["source"] if isinstance(row["source"], list) else [row["source"]]
        for source, condition in product(sources, row["conditions"]):
            if condition.__name__ in DEST_GUARDS:
                continue
            yield pytest.param(row["trigger"], source, row["dest"], condition.__name__,
                               id=f"{row['trigger']}-{source.value}-{row['dest'].value}"
                                  f"-{condition.__name__}")


def test_every_guard_has_a_breaker_and_a_dutch_message():
    assert set(BREAKERS) | DEST_GUARDS == set(GUARDS)
    for name, g in GUARDS.items():
        assert g.message.endswith(".") and g.message[0].isupper(), name


@pytest.mark.parametrize(("trigger", "source", "dest", "guard"), list(_guarded_steps()))
def test_step_is_refused_when_only_this_guard_fails(trigger, source, dest, guard):
    changes, extra, also_failing = BREAKERS[guard]
    dest_input = {"dest": dest.value} if trigger == "resolve_escalation" else {}

    ready = FakeCase(source)
    _fire(ready, trigger, **dest_input)
    assert ready.state is dest

    case = FakeCase(source, **changes)
    with pytest.raises(TransitionNotAllowed) as exc:
        _fire(case, trigger, **{**dest_input, **extra})
    expected = [GUARDS[name].message for name in GUARDS if name in also_failing | {guard}]
    assert sorted(exc.value.unmet) == sorted(expected)
    assert case.state is source
    assert case.rows == []


# --- particular rules --------------------------------------------------------------------------


@pytest.mark.parametrize("dest", [S.mdo, S.arrangement], ids=lambda s: s.value)
def test_resolve_escalation_goes_where_the_coordinator_decided(dest):
    case = FakeCase(S.escalation)
    _fire(case, "resolve_escalation", dest=dest.value)
    assert case.state is dest
    assert case.rows[0][0].to_state is dest


def test_resolve_to_arrangement_without_one_does_not_fall_back_to_mdo():
    case = FakeCase(S.escalation, current_arrangement=None)
    with pytest.raises(TransitionNotAllowed) as exc:
        _fire(case, "resolve_escalation", dest="arrangement")
    assert exc.value.unmet == [GUARDS["has_arrangement_with_evaluation_date"].message]
    assert case.state is S.escalation


@pytest.mark.parametrize("dest", [None, "", "closed", "signalering"])
def test_resolve_without_a_valid_destination_asks_for_one(dest):
    case = FakeCase(S.escalation)
    with pytest.raises(TransitionNotAllowed) as exc:
        _fire(case, "resolve_escalation", dest=dest)
    assert exc.value.unmet == [GUARDS["resolves_to_mdo"].message]
    assert case.state is S.escalation


def test_close_needs_the_schools_input_only_when_closing_an_evaluation():
    no_input = {"current_evaluation": _evaluation(school_input_recorded=False)}
    for state in (S.signalering, S.escalation):
        case = FakeCase(state, **no_input)
        _fire(case, "close")
        assert case.state is S.closed

    case = FakeCase(S.evaluation, **no_input)
    with pytest.raises(TransitionNotAllowed) as exc:
        _fire(case, "close")
    assert exc.value.unmet == [GUARDS["evaluation_with_school_input"].message]


def test_a_meldcode_justification_stands_in_for_missing_consent():
    case = FakeCase(S.signalering, consented=set(), meldcode_justification="Acute onveiligheid.")
    _fire(case, "plan_mdo")
    assert case.state is S.mdo

    case = FakeCase(S.signalering, consented=set(), meldcode_justification="   ")
    with pytest.raises(TransitionNotAllowed):
        _fire(case, "plan_mdo")


@pytest.mark.parametrize("reason", [None, "", "geen_idee"])
def test_close_without_a_known_reason_is_refused(reason):
    case = FakeCase(S.signalering)
    with pytest.raises(TransitionNotAllowed) as exc:
        _fire(case, "close", reason=reason)
    assert exc.value.unmet == [GUARDS["closure_reason_given"].message]


# --- dates at their boundary -------------------------------------------------------------------


@pytest.mark.parametrize(("due", "ends_on", "allowed"), [
    (TODAY, None, True),
    (TODAY - timedelta(days=1), None, True),
    (TODAY + timedelta(days=1), None, False),
    (TODAY + timedelta(days=30), TODAY, True),
    (TODAY + timedelta(days=30), TODAY + timedelta(days=1), False),
    (None, None, False),
], ids=["due-today", "overdue", "due-tomorrow", "ended-today", "ends-tomorrow", "no-date"])
def test_evaluation_starts_on_its_due_date_or_when_the_arrangement_ended(due, ends_on, allowed):
    case = FakeCase(S.arrangement,
                    current_arrangement=_arrangement(evaluation_due=due, ends_on=ends_on))
    if allowed:
        _fire(case, "start_evaluation")
        assert case.state is S.evaluation
    else:
        with pytest.raises(TransitionNotAllowed):
            _fire(case, "start_evaluation")
        assert case.state is S.arrangement


@pytest.mark.parametrize(("next_due", "allowed"), [
    (TODAY + timedelta(days=1), True), (TODAY, False), (None, False),
], ids=["tomorrow", "today", "none"])
def test_continuing_needs_a_new_evaluation_date_in_the_future(next_due, allowed):
    case = FakeCase(S.evaluation, current_evaluation=_evaluation(next_evaluation_due=next_due))
    if allowed:
        _fire(case, "continue_arrangement")
        assert case.state is S.arrangement
    else:
        with pytest.raises(TransitionNotAllowed):
            _fire(case, "continue_arrangement")


@pytest.mark.parametrize("decision", ["continue", "adjust", "step_down"])
def test_continue_adjust_and_step_down_all_continue_the_arrangement(decision):
    evaluation = _evaluation(decision=SimpleNamespace(value=decision))
    case = FakeCase(S.evaluation, current_evaluation=evaluation)
    _fire(case, "continue_arrangement")
    assert case.state is S.arrangement


@pytest.mark.parametrize(("until", "allowed"), [
    (TODAY, True), (TODAY + timedelta(days=1), True), (TODAY - timedelta(days=1), False),
    (None, False),
], ids=["deadline-today", "deadline-tomorrow", "deadline-yesterday", "never-closed"])
def test_reopen_is_possible_up_to_and_including_the_deadline_day(until, allowed):
    case = FakeCase(S.closed, reopen_until=until)
    if allowed:
        _fire(case, "reopen")
        assert case.state is S.signalering
    else:
        with pytest.raises(TransitionNotAllowed) as exc:
            _fire(case, "reopen")
        assert exc.value.unmet == [GUARDS["within_reopen_period"].message]


@pytest.mark.parametrize(("closed_on", "deadline"), [
    (date(2024, 3, 31), date(2026, 3, 31)),
    (date(2024, 1, 15), date(2026, 1, 15)),
    (date(2024, 2, 29), date(2026, 2, 28)),
])
def test_the_reopen_deadline_is_the_same_day_years_after_closing(closed_on, deadline):
    region = Region(reopen_within_years=2)
    case = Case(closed_at=datetime.combine(closed_on, time(14, 0), UTC),
                school=School(region=region))
    assert case.reopen_until == deadline
    assert Case(closed_at=None).reopen_until is None


def test_guards_use_todays_date_when_none_is_given():
    due_today = _arrangement(evaluation_due=date.today())
    case = FakeCase(S.arrangement, current_arrangement=due_today)
    fire(case, "start_evaluation")
    assert case.state is S.evaluation


# --- preview: which buttons to show ------------------------------------------------------------


def test_available_triggers_ignore_missing_input_but_respect_the_records():
    case = FakeCase(S.signalering)
    assert set(available_triggers(case)) == {"plan_mdo", "start_light_help", "close",
                                            "escalate"}
    case.discussed_with_parents = False
    case.regie_holder_id = None
    assert set(available_triggers(case)) == {"close", "escalate"}
    assert case.state is S.signalering and case.rows == []


def test_available_triggers_respect_record_guards_in_every_state():
    assert available_triggers(FakeCase(S.closed, reopen_until=TODAY - timedelta(days=1))) == []
    undecided = SimpleNamespace(is_decided=lambda: False)
    assert available_triggers(FakeCase(S.escalation, open_escalation=undecided)) == ["close"]
    assert set(available_triggers(FakeCase(S.escalation))) == {"close", "resolve_escalation"}
    no_input = _evaluation(school_input_recorded=False)
    assert "close" not in available_triggers(FakeCase(S.evaluation, current_evaluation=no_input))


def test_unmet_conditions_in_preview_name_only_the_missing_records():
    case = FakeCase(S.signalering, discussed_with_parents=False, hulpvraag=None)
    assert unmet_conditions(case, "plan_mdo", preview=True) == [
        GUARDS["discussed_with_parents"].message, GUARDS["has_hulpvraag"].message,
    ]
    assert unmet_conditions(case, "escalate", preview=True) == []
    assert unmet_conditions(case, "escalate") == [
        GUARDS["escalation_reason_given"].message, GUARDS["note_given"].message,
    ]


def test_unmet_conditions_for_a_step_that_does_not_exist_from_here():
    [message] = unmet_conditions(FakeCase(S.closed), "plan_mdo")
    assert "kan niet vanuit deze fase" in message


def test_reason_labels_are_dutch_and_unknown_codes_pass_through():
    assert workflow.reason_label("close", "goals_met") == "Hulp beëindigd, doelen bereikt"
    assert workflow.reason_label("escalate", "thuiszitter") == "(Dreigende) thuiszitter"
    assert workflow.reason_label("close", "oud") == "oud"
    assert workflow.reason_label("plan_mdo", None) == ""
