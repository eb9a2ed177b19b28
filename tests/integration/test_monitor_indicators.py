"""Known answers: case sets whose true indicator values are known by construction, for every
indicator of the catalogue (threshold 1 here, so nothing is suppressed but empty cells; the
suppression has its own tests). "Today" is 15 October 2026; the period is school year
2025-2026, the previous one 2024-2025."""

from datetime import UTC, date, datetime

import pytest

from app.cases.models import (
    ArrangementKind,
    EvaluationDecision,
    GoalAttainment,
    HandoverStatus,
    ParentParticipation,
    PlanKind,
    PupilVoice,
    ReferralStatus,
)
from app.cases.workflow import CaseState, EscalationReason
from app.extensions import db
from app.monitor.indicators import BY_KEY, COMPUTED
from app.monitor.periods import parse
from app.monitor.queries import Monitor, indicator_values
from app.monitor.scopes import ALL_REGION, MUNICIPALITY, SCHOOL, SECTOR, YOUTH_CARE_IN, Scope
from app.org.models import PartnerType, Sector
from tests.factories import (
    ArrangementFactory,
    CaseFactory,
    CasePlanFactory,
    CaseTransitionFactory,
    EscalationFactory,
    EscalationTierFactory,
    EvaluationFactory,
    MdoMeetingFactory,
    MunicipalityFactory,
    ReferralFactory,
    RegieHandoverFactory,
    SchoolContactFactory,
    SchoolFactory,
    ThuiszitterEpisodeFactory,
    UserFactory,
)

TODAY = date(2026, 10, 15)
PERIOD, PREVIOUS = parse("2025-2026"), parse("2024-2025")


def at(year, month, day) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=UTC)


@pytest.fixture
def po():
    return SchoolFactory(sector=Sector.po, name="OBS De Regenboog")


@pytest.fixture
def vo(po):
    municipality = MunicipalityFactory(region=po.region, name="Heiloo")
    return SchoolFactory(sector=Sector.vo, municipality=municipality, name="Zeeduin Lyceum")


def case_at(school, opened=None, **kwargs):
    return CaseFactory(pupil__school=school, opened_at=opened or at(2025, 1, 6), **kwargs)


def helped(case):
    """Youth care takes part in the case: an accepted referral."""
    ReferralFactory(case=case, status=ReferralStatus.started, sent_at=at(2024, 1, 1),
                    answered_at=at(2024, 1, 2), started_on=date(2024, 1, 3))


def monitor(school) -> Monitor:
    return Monitor(school.region, TODAY, threshold=1)


def cell(school, key, scope=ALL_REGION, period=PERIOD, category=None):
    return monitor(school).cell(BY_KEY[key], scope, period, category)


def figures(school, key, scope=ALL_REGION, period=PERIOD, category=None):
    c = cell(school, key, scope, period, category)
    return (c.numerator, c.denominator, None if c.value is None else round(c.value, 1))


# --- vormen van samenwerking ------------------------------------------------------------------


def mdo(school, held, parents=ParentParticipation.present, voice=PupilVoice.present, case=None):
    return MdoMeetingFactory(case=case or case_at(school), planned_at=held or at(2026, 1, 1),
                             held_at=held, parents=parents, pupil_voice=voice)


def test_mdos_with_a_parent_and_with_the_pupil(po):
    for parents, voice in [(ParentParticipation.present, PupilVoice.present),
                           (ParentParticipation.present, PupilVoice.heard_beforehand),
                           (ParentParticipation.present, PupilVoice.not_heard),
                           (ParentParticipation.invited_absent, None)]:
        mdo(po, at(2025, 11, 3), parents, voice)
    mdo(po, None)  # planned, not held: not counted
    mdo(po, at(2025, 3, 1))  # held in the previous school year
    mdo(po, at(2026, 8, 3))  # held after the period
    assert figures(po, "mdo_parent_present") == (3, 4, 75.0)
    assert figures(po, "mdo_pupil_heard") == (2, 4, 50.0)
    assert figures(po, "mdo_pupil_present") == (1, 4, 25.0)
    comparison = monitor(po).compare(BY_KEY["mdo_parent_present"], ALL_REGION, PERIOD)
    assert comparison.previous.value == 100.0 and comparison.change == -25.0


def test_every_scope_counts_its_own_records(po, vo):
    for parents in [ParentParticipation.present] * 3 + [ParentParticipation.not_invited]:
        mdo(po, at(2025, 10, 1), parents)
    for _ in range(2):
        mdo(vo, at(2026, 2, 1), ParentParticipation.invited_absent)
    assert figures(po, "mdo_parent_present") == (3, 6, 50.0)
    assert figures(po, "mdo_parent_present", Scope(SECTOR, "po")) == (3, 4, 75.0)
    assert figures(po, "mdo_parent_present", Scope(SECTOR, "vo")) == (0, 2, 0.0)
    assert figures(po, "mdo_parent_present", Scope(SCHOOL, vo.id)) == (0, 2, 0.0)
    assert figures(po, "mdo_parent_present",
                   Scope(MUNICIPALITY, po.municipality_id)) == (3, 4, 75.0)


def test_the_youth_care_view_holds_the_cases_youth_care_took_part_in(po):
    with_help = case_at(po)
    helped(with_help)
    mdo(po, at(2025, 10, 1), ParentParticipation.present, case=with_help)
    mdo(po, at(2025, 11, 1), ParentParticipation.invited_absent, case=with_help)
    mdo(po, at(2025, 12, 1), ParentParticipation.present)
    mdo(po, at(2026, 1, 5), ParentParticipation.present)
    assert figures(po, "mdo_parent_present", YOUTH_CARE_IN) == (1, 2, 50.0)
    assert figures(po, "mdo_parent_present") == (3, 4, 75.0)


def test_schools_with_a_valid_youth_care_contact_on_the_reference_date(po, vo):
    # Reference date: 31 July 2026 (the period is over).
    third = SchoolFactory(municipality=po.municipality)
    fourth = SchoolFactory(municipality=po.municipality)
    SchoolContactFactory(school=po, valid_from=date(2025, 1, 1))
    SchoolContactFactory(school=vo, valid_from=date(2025, 1, 1), valid_to=date(2026, 6, 30))
    SchoolContactFactory(school=third, partner_type=PartnerType.leerplicht,
                         valid_from=date(2025, 1, 1))
    SchoolContactFactory(school=fourth, valid_from=date(2026, 8, 15))
    assert figures(po, "school_contact_valid") == (1, 4, 25.0)
    assert figures(po, "school_contact_valid", period=parse("2026Q3")) == (2, 4, 50.0)
    assert not cell(po, "school_contact_valid", YOUTH_CARE_IN).applicable


def left_signalering(case, when):
    CaseTransitionFactory(case=case, from_state=CaseState.signalering,
                          to_state=CaseState.mdo, at=when)


def test_open_cases_with_a_regie_holder_on_the_reference_date(po):
    holder = UserFactory()
    held = case_at(po, regie_holder_id=holder.id, regie_since=at(2026, 4, 1),
                   state=CaseState.arrangement)
    nobody = case_at(po, state=CaseState.mdo)
    too_late = case_at(po, regie_holder_id=holder.id, regie_since=at(2026, 9, 1),
                       state=CaseState.arrangement)
    handed = case_at(po, regie_holder_id=holder.id, regie_since=at(2026, 9, 1),
                     state=CaseState.arrangement)
    RegieHandoverFactory(case=handed, to_user_id=holder.id, status=HandoverStatus.accepted,
                         answered_at=at(2026, 5, 1))
    closed = case_at(po, state=CaseState.closed, closed_at=at(2026, 5, 1))
    for case in (held, nobody, too_late, handed, closed):
        left_signalering(case, at(2026, 3, 1))
    case_at(po)  # still in signalering: needs no regie holder yet
    case_at(po, opened=at(2026, 8, 20))  # opened after the reference date
    assert figures(po, "regie_coverage") == (2, 4, 50.0)


def test_days_without_a_regie_holder_after_signalering(po):
    holder = UserFactory()
    first = case_at(po, regie_holder_id=holder.id, regie_since=at(2026, 6, 1))
    RegieHandoverFactory(case=first, to_user_id=holder.id, status=HandoverStatus.accepted,
                         answered_at=at(2026, 3, 11))  # the first holder: 10 days after
    before = case_at(po, regie_holder_id=holder.id, regie_since=at(2026, 2, 1))  # 0 days
    never = case_at(po)  # nobody yet: 1 May 2026 to today 15 October 2026 = 167 days
    left_signalering(first, at(2026, 3, 1))
    left_signalering(before, at(2026, 3, 1))
    left_signalering(never, at(2026, 5, 1))
    assert figures(po, "regie_days_without") == (None, 3, 10.0)


# --- organisatie van de zorg -----------------------------------------------------------------


def referral(school, sent, answered=None, status=ReferralStatus.accepted, **kwargs):
    return ReferralFactory(case=case_at(school), sent_at=sent, answered_at=answered,
                           status=status if answered else ReferralStatus.sent, **kwargs)


def test_answer_time_and_decline_and_redirect_shares(po):
    referral(po, at(2026, 3, 1), at(2026, 3, 5))  # 4 days
    referral(po, at(2026, 3, 1), at(2026, 3, 11), ReferralStatus.declined)  # 10
    referral(po, at(2026, 4, 1), at(2026, 4, 8), ReferralStatus.redirected)  # 7
    referral(po, at(2026, 4, 1))  # not answered
    referral(po, at(2025, 3, 1), at(2025, 3, 3))  # answered in the previous school year
    assert figures(po, "referral_answer_days") == (None, 3, 7.0)
    assert figures(po, "referral_declined") == (1, 3, 33.3)
    assert figures(po, "referral_redirected") == (1, 3, 33.3)
    assert figures(po, "referral_answer_days", period=PREVIOUS) == (None, 1, 2.0)


def test_waiting_time_from_acceptance_to_help_and_its_distribution(po):
    for answered, started in [(at(2026, 3, 1), date(2026, 3, 11)),  # 10 days
                              (at(2026, 3, 1), date(2026, 5, 1)),  # 61
                              (at(2026, 4, 1), date(2026, 4, 15)),  # 14
                              (at(2026, 4, 1), date(2026, 4, 20))]:  # 19
        referral(po, at(2026, 2, 1), answered, ReferralStatus.started, started_on=started)
    referral(po, at(2026, 2, 1), at(2026, 2, 2), ReferralStatus.waiting)  # not started
    assert figures(po, "referral_wait_days") == (None, 4, 16.5)
    distribution = {c.category: c.numerator for c in monitor(po).cells(
        BY_KEY["referral_wait_distribution"], ALL_REGION, PERIOD)}
    # An empty class is suppressed like any count below the threshold (here 1).
    assert distribution == {"0-7": None, "8-14": 2, "15-28": 1, "29-42": None, "43-56": None,
                            "57+": 1}


def test_terugkoppeling_within_the_answer_date(po):
    referral(po, at(2026, 3, 1), at(2026, 3, 5), answer_due_on=date(2026, 3, 10))  # on time
    referral(po, at(2026, 3, 1), at(2026, 3, 12), answer_due_on=date(2026, 3, 10))  # late
    referral(po, at(2026, 4, 1), answer_due_on=date(2026, 4, 20))  # never answered: late
    referral(po, at(2026, 9, 1), at(2026, 8, 30), answer_due_on=date(2026, 9, 10))
    referral(po, at(2026, 10, 1), answer_due_on=date(2026, 10, 25))  # not due yet
    assert figures(po, "referral_feedback_on_time") == (1, 3, 33.3)
    assert figures(po, "referral_feedback_on_time", period=parse("2026Q3")) == (1, 1, 100.0)
    assert figures(po, "referral_feedback_on_time", period=parse("2026Q4")) == (None, None, None)


def test_new_arrangements_per_kind_and_consultations_per_school(po, vo):
    for school, kind in [(po, ArrangementKind.oza_1), (po, ArrangementKind.oza_1),
                         (po, ArrangementKind.oza_7), (vo, ArrangementKind.oza_7),
                         (vo, ArrangementKind.jeugdhulp)]:
        ArrangementFactory(case=case_at(school), kind=kind, starts_on=date(2026, 2, 1))
    ArrangementFactory(case=case_at(po), kind=ArrangementKind.oza_7, starts_on=date(2025, 7, 1))
    assert figures(po, "arrangements") == (5, None, 5.0)
    by_kind = {c.category: c.numerator for c in monitor(po).cells(
        BY_KEY["arrangements_by_kind"], ALL_REGION, PERIOD)}
    assert {k: n for k, n in by_kind.items() if n} == {"oza_1": 2, "oza_7": 2, "jeugdhulp": 1}
    assert figures(po, "arrangements_by_kind", Scope(SECTOR, "vo"), category="oza_7") == (
        1, None, 1.0)
    assert figures(po, "consultations_per_school") == (2, 2, 1.0)
    assert figures(po, "consultations_per_school", Scope(SECTOR, "po")) == (1, 1, 1.0)


def test_plans_naming_home_and_school(po):
    for kind, home, school in [(PlanKind.opp, True, False), (PlanKind.opp, True, True),
                               (PlanKind.opp, False, True),
                               (PlanKind.jeugd_gezinsplan, False, True),
                               (PlanKind.jeugd_gezinsplan, True, False),
                               (PlanKind.integraal, True, True)]:
        CasePlanFactory(case=case_at(po), kind=kind, names_home=home, names_school=school,
                        drawn_up_on=date(2026, 1, 10))
    CasePlanFactory(case=case_at(po), kind=PlanKind.opp, drawn_up_on=date(2024, 1, 10))
    assert figures(po, "opp_names_home") == (2, 3, 66.7)
    assert figures(po, "jgp_names_school") == (1, 2, 50.0)


# --- preventie ---------------------------------------------------------------------------------


def test_days_from_signalering_to_the_first_mdo(po):
    first = case_at(po, opened=at(2026, 3, 1))
    mdo(po, at(2026, 3, 11), case=first)  # 10 days
    mdo(po, at(2026, 5, 1), case=first)  # a second MDO: not the first
    mdo(po, at(2026, 3, 2), case=case_at(po, opened=at(2026, 2, 1)))  # 29 days
    earlier = case_at(po, opened=at(2025, 1, 1))
    mdo(po, at(2025, 6, 1), case=earlier)  # first MDO in the previous school year
    mdo(po, at(2026, 2, 1), case=earlier)
    assert figures(po, "signalering_to_mdo_days") == (None, 2, 19.5)


# --- evalueren, leren en ontwikkelen --------------------------------------------------------


def evaluation(school, held, case=None, **kwargs):
    return EvaluationFactory(case=case or case_at(school), held_on=held, **kwargs)


def test_joint_evaluations_and_evaluations_with_parents(po):
    for school_, youth_care, parents in [(True, True, True), (True, False, False),
                                         (True, True, False), (False, True, True)]:
        evaluation(po, date(2026, 2, 1), school_present=school_,
                   youth_care_present=youth_care, parents_present=parents)
    evaluation(po, date(2025, 2, 1))
    assert figures(po, "evaluation_joint") == (2, 4, 50.0)
    assert figures(po, "evaluation_with_parents") == (2, 4, 50.0)


def test_evaluations_on_time_within_the_regions_margin(po):
    # The region escalates an evaluation 30 days overdue (default): that is the margin.
    on_time = case_at(po)
    arrangement = ArrangementFactory(case=on_time, evaluation_due=date(2026, 3, 1))
    evaluation(po, date(2026, 3, 20), on_time, arrangement_id=arrangement.id,
               decision=EvaluationDecision.close, next_evaluation_due=None)  # 19 days
    continued = case_at(po)
    carried = ArrangementFactory(case=continued, evaluation_due=date(2026, 6, 1))
    evaluation(po, date(2026, 3, 20), continued, arrangement_id=carried.id,
               next_evaluation_due=date(2026, 6, 1))  # its own date was overwritten: unknown
    evaluation(po, date(2026, 7, 15), continued, arrangement_id=carried.id,
               decision=EvaluationDecision.close, next_evaluation_due=None)  # 44 days late
    back = case_at(po)
    again = ArrangementFactory(case=back, evaluation_due=date(2026, 4, 1))
    evaluation(po, date(2026, 5, 15), back, arrangement_id=again.id,
               decision=EvaluationDecision.adjust, next_evaluation_due=None)  # 44 days late
    assert figures(po, "evaluation_on_time") == (1, 3, 33.3)


def test_an_evaluation_that_stored_its_date_counts_also_after_the_arrangement_went_on(po):
    continued = case_at(po)
    carried = ArrangementFactory(case=continued, evaluation_due=date(2026, 6, 1))
    evaluation(po, date(2026, 3, 20), continued, arrangement_id=carried.id,
               due_on=date(2026, 3, 1), next_evaluation_due=date(2026, 6, 1))  # 19 days
    evaluation(po, date(2026, 7, 15), continued, arrangement_id=carried.id,
               due_on=date(2026, 6, 1), decision=EvaluationDecision.close,
               next_evaluation_due=None)  # 44 days late
    assert figures(po, "evaluation_on_time") == (1, 2, 50.0)


def test_goal_attainment(po):
    G = GoalAttainment
    evaluation(po, date(2026, 2, 1), attainment_school=G.met, attainment_thuis=G.partly,
               attainment_wijk=G.not_applicable)
    evaluation(po, date(2026, 3, 1), attainment_school=G.not_met, attainment_thuis=G.met,
               attainment_wijk=None)
    evaluation(po, date(2025, 3, 1), attainment_school=G.met)
    assert figures(po, "goals_met") == (2, 4, 50.0)


# --- escalatie en thuiszitters ----------------------------------------------------------------


def escalation(school, opened, reason=EscalationReason.thuiszitter, **kwargs):
    return EscalationFactory(case=case_at(school, state=CaseState.escalation),
                             opened_at=opened, reason=reason, **kwargs)


def test_new_escalations_by_reason_and_tier(po):
    escalation(po, at(2026, 1, 1), tier=None)  # opened while the region had no ladder yet
    EscalationTierFactory(region=po.region, level=1, name="E1 – onafhankelijk voorzitter")
    EscalationTierFactory(region=po.region, level=2, name="E2 – regionale casustafel")
    escalation(po, at(2025, 10, 1), tier=1)
    escalation(po, at(2025, 11, 1), EscalationReason.no_progress, tier=2)
    removed = EscalationTierFactory(region=po.region, level=4, name="E4")
    escalation(po, at(2025, 12, 1), EscalationReason.no_progress, tier=4)
    db.session.delete(removed)  # the ladder changed since: the level stays on the escalation
    db.session.flush()
    escalation(po, at(2025, 5, 1), tier=1)  # previous school year
    assert figures(po, "escalations") == (4, None, 4.0)
    m = monitor(po)
    by_reason = {c.category: c.numerator for c in m.cells(
        BY_KEY["escalations_by_reason"], ALL_REGION, PERIOD)}
    assert {k: n for k, n in by_reason.items() if n} == {"thuiszitter": 2, "no_progress": 2}
    tiers = m.cells(BY_KEY["escalations_by_tier"], ALL_REGION, PERIOD)
    assert [(c.category_label, c.numerator) for c in tiers] == [
        ("E1 – onafhankelijk voorzitter", 1), ("E2 – regionale casustafel", 1),
        ("Trede 4", 1), ("Zonder trede", 1)]


def test_days_to_resolution_and_within_the_tiers_deadline(po):
    EscalationTierFactory(region=po.region, level=1, sla_days=14)  # due 15 March
    escalation(po, at(2026, 3, 1), resolved_at=at(2026, 3, 11))  # 10 days, in time
    escalation(po, at(2026, 3, 1), resolved_at=at(2026, 3, 31))  # 30 days, late
    escalation(po, at(2026, 4, 1), resolved_at=at(2026, 4, 21), tier=9)  # no such tier, so no
    # deadline: 20 days, not in the SLA share
    escalation(po, at(2026, 4, 1))  # still open
    assert figures(po, "escalation_resolution_days") == (None, 3, 20.0)
    assert figures(po, "escalation_within_sla") == (1, 2, 50.0)


def test_thuiszitters_during_the_period_and_how_long(po):
    ThuiszitterEpisodeFactory(case=case_at(po), started_on=date(2026, 6, 1))  # 61 days
    ThuiszitterEpisodeFactory(case=case_at(po), started_on=date(2025, 9, 1),
                              ended_on=date(2025, 10, 1))  # 30 days
    ThuiszitterEpisodeFactory(case=case_at(po), started_on=date(2026, 1, 1), exemption=True)
    ThuiszitterEpisodeFactory(case=case_at(po), started_on=date(2025, 6, 1),
                              ended_on=date(2025, 7, 15))  # back before the period
    ThuiszitterEpisodeFactory(case=case_at(po), started_on=date(2026, 8, 10))  # after it
    assert figures(po, "thuiszitters") == (2, None, 2.0)
    assert figures(po, "thuiszitter_days") == (None, 2, 45.5)
    assert figures(po, "thuiszitters", period=parse("2026Q3")) == (2, None, 2.0)


# --- the function API ----------------------------------------------------------------------


def test_indicator_values_returns_every_indicator_with_its_previous_period(po):
    mdo(po, at(2025, 11, 3))
    values = indicator_values(po.region_id, ALL_REGION, PERIOD, today=TODAY)
    keys = {v.current.indicator.key for v in values}
    assert keys == {i.key for i in COMPUTED}
    assert all(v.previous is not None and v.previous.period == PREVIOUS for v in values)
