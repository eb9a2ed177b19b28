"""The indicator catalogue: complete (every indicator of DESIGN.md §5), consistent with the
populations that compute it, and printed in docs/monitor.md exactly as the code has it."""

import re
from pathlib import Path

from app.monitor.counting import POPULATIONS
from app.monitor.indicators import (
    BY_KEY,
    COMPUTED,
    DIMENSIONS,
    INDICATORS,
    KIND_LABELS,
    PER_SCHOOL,
    PERCENTAGE,
    SECTIONS,
    SURVEY,
    markdown,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "monitor.md"

# DESIGN.md §5, the table of case-derived indicators, one key (or more) per line of it.
DESIGN_5 = {
    "% held MDOs with a parent present": "mdo_parent_present",
    "% with the pupil present or heard": "mdo_pupil_heard",
    "% schools with a valid youth-care contact person": "school_contact_valid",
    "% active cases with a regie holder": "regie_coverage",
    "days without one": "regie_days_without",
    "median days referral → answer": "referral_answer_days",
    "median wait accepted → help started": "referral_wait_days",
    "% referrals with on-time terugkoppeling": "referral_feedback_on_time",
    "decline share": "referral_declined",
    "arrangements per gradation × sector": "arrangements_by_kind",
    "% OPPs naming home functioning": "opp_names_home",
    "% jeugd- en gezinsplannen naming school": "jgp_names_school",
    "gradation-7 consultations per school": "consultations_per_school",
    "median days signalering → MDO": "signalering_to_mdo_days",
    "% evaluations held jointly": "evaluation_joint",
    "% evaluations with parents": "evaluation_with_parents",
    "% evaluations on time": "evaluation_on_time",
    "goal attainment": "goals_met",
    "escalations by reason": "escalations_by_reason",
    "escalations by tier": "escalations_by_tier",
    "median days to resolution": "escalation_resolution_days",
    "% within SLA": "escalation_within_sla",
    "thuiszitters count": "thuiszitters",
    "thuiszitters duration": "thuiszitter_days",
}


def test_every_indicator_of_the_design_is_in_the_catalogue():
    assert sorted(set(DESIGN_5.values()) - BY_KEY.keys()) == []


def test_every_section_has_its_indicators_and_judgement_is_survey_only():
    for section in SECTIONS:
        kinds = {i.kind for i in INDICATORS if i.section == section.key}
        assert kinds, section.title
        assert (kinds == {SURVEY}) == (section.key == "oordeel")


def test_every_entry_is_complete():
    assert len(BY_KEY) == len(INDICATORS)
    for i in INDICATORS:
        assert i.kind in KIND_LABELS
        for text in (i.title, i.numerator, i.denominator, i.sources, i.period_rule, i.seed):
            assert text.strip(), i.key
        assert "|" not in i.title


def test_every_computed_indicator_is_computed_by_its_population():
    for i in COMPUTED:
        population = POPULATIONS[i.population]
        if i.kind == PERCENTAGE:
            assert i.flag in population.flags, i.key
        if i.dimension:
            assert i.dimension in population.dimensions and i.dimension in DIMENSIONS, i.key
        if i.kind == PER_SCHOOL:
            assert i.category in {v for v, _ in DIMENSIONS[i.dimension]}
        if i.kind == "median_days":
            assert population.durations, i.key
        if i.school_level:
            assert not population.case_level


def test_seed_figures_name_their_domain_id():
    with_seed = [i for i in INDICATORS if i.seed != "—"]
    assert len(with_seed) >= 20
    for i in with_seed:
        assert i.seed[0] in "VOKBEJXQSM", i.key  # an id of research/domain.md §6 (or S1)


def test_docs_print_the_catalogue_as_the_code_has_it():
    text = DOCS.read_text(encoding="utf-8")
    block = text.split("<!-- catalogue:start -->\n")[1].split("<!-- catalogue:end -->")[0]
    assert block == markdown(), "run `flask monitor catalogue` and paste it into docs/monitor.md"
    for i in INDICATORS:
        assert f"`{i.key}`" in block


def test_screens_show_the_seed_figures_without_the_research_ids():
    """A coordinator never saw "V1" or "NK": the screens show the figure and where it is from."""
    by_key = {i.key: i for i in INDICATORS}
    assert by_key["mdo_parent_present"].seed.startswith("V1: 46%")
    assert by_key["mdo_parent_present"].comparison.startswith("46% neemt standaard deel")
    for indicator in INDICATORS:
        assert not re.search(r"\b[A-Z]{1,2}\d+:|\bNK\b|; *$", indicator.comparison), indicator.key
        assert indicator.comparison.strip()
