"""Who must agree, by the pupil's age (Dutch practice): under 12 the parents with authority,
12 up to 16 the child and the parents, 16 and older the young person alone. Only the birth year
is known, so a pupil may be one of two ages: then both ages' parties must agree."""

from datetime import date

import pytest

from app.cases.models import ConsentGiver
from app.cases.services.consent import (
    PARENTS,
    PUPIL,
    consent_rule,
    meaningful_length,
    missing_message,
    parties_for_age,
    possible_ages,
)

SPRING_2026 = date(2026, 3, 1)


@pytest.mark.parametrize(("age", "parties"), [
    (0, {PARENTS}), (11, {PARENTS}),
    (12, {PARENTS, PUPIL}), (15, {PARENTS, PUPIL}),
    (16, {PUPIL}), (17, {PUPIL}), (23, {PUPIL}),
])
def test_parties_for_one_known_age(age, parties):
    assert parties_for_age(age) == parties


def test_a_pupil_may_be_one_of_two_ages_except_on_new_years_eve():
    assert possible_ages(2014, SPRING_2026) == (11, 12)
    assert possible_ages(2014, date(2026, 1, 1)) == (11, 12)
    # On 31 December everyone born in 2014 has had their birthday.
    assert possible_ages(2014, date(2026, 12, 31)) == (12,)


@pytest.mark.parametrize(("birth_year", "ages", "giver", "parties"), [
    (2016, (9, 10), ConsentGiver.parents, (PARENTS,)),
    (2015, (10, 11), ConsentGiver.parents, (PARENTS,)),
    # 11 or 12: the parents because 11, the pupil as well because 12
    (2014, (11, 12), ConsentGiver.pupil_and_parents, (PARENTS, PUPIL)),
    (2013, (12, 13), ConsentGiver.pupil_and_parents, (PARENTS, PUPIL)),
    (2011, (14, 15), ConsentGiver.pupil_and_parents, (PARENTS, PUPIL)),
    # 15 or 16: the parents are still needed because 15
    (2010, (15, 16), ConsentGiver.pupil_and_parents, (PARENTS, PUPIL)),
    (2009, (16, 17), ConsentGiver.young_person, (PUPIL,)),
    (2005, (20, 21), ConsentGiver.young_person, (PUPIL,)),
])
def test_the_rule_takes_the_union_of_both_possible_ages(birth_year, ages, giver, parties):
    rule = consent_rule(birth_year, SPRING_2026)

    assert rule.ages == ages
    assert rule.giver == giver
    assert rule.parties == parties


def test_on_new_years_eve_the_age_is_certain():
    assert consent_rule(2014, date(2026, 12, 31)).giver == ConsentGiver.pupil_and_parents
    assert consent_rule(2015, date(2026, 12, 31)).giver == ConsentGiver.parents
    assert consent_rule(2010, date(2026, 12, 31)).giver == ConsentGiver.young_person


def test_the_form_shows_exactly_the_boxes_the_age_requires():
    assert consent_rule(2016, SPRING_2026).checkboxes == [
        (PARENTS, "De ouders met gezag geven toestemming")]
    assert consent_rule(2014, SPRING_2026).checkboxes == [
        (PARENTS, "De ouders met gezag geven toestemming"),
        (PUPIL, "De leerling geeft zelf ook toestemming")]
    assert consent_rule(2008, SPRING_2026).checkboxes == [
        (PUPIL, "De jongere geeft zelf toestemming")]


def test_the_explanation_says_the_ages_and_why_both_are_asked():
    unsure = consent_rule(2014, SPRING_2026).explanation
    assert unsure.startswith("De leerling is 11 of 12 jaar.")
    assert "Alleen het geboortejaar is bekend" in unsure
    sure = consent_rule(2013, SPRING_2026).explanation
    assert "12 of 13 jaar" in sure and "geboortejaar" not in sure
    assert consent_rule(2008, SPRING_2026).explanation.startswith("De jongere is 17 of 18 jaar.")


def test_missing_parties_are_named_in_dutch():
    rule = consent_rule(2014, SPRING_2026)

    assert rule.missing({PARENTS, PUPIL}) == []
    assert rule.missing({PARENTS}) == [PUPIL]
    assert rule.missing(set()) == [PARENTS, PUPIL]
    assert missing_message(rule, [PUPIL]).startswith(
        "Nog niet aangevinkt: de leerling moet nog toestemming geven (de leerling is 11 of 12 "
        "jaar).")
    assert missing_message(rule, [PARENTS, PUPIL]).startswith(
        "Nog niet aangevinkt: de ouders met gezag en de leerling moeten nog toestemming geven "
        "(de leerling is 11 of 12 jaar).")
    young = consent_rule(2008, SPRING_2026)
    assert missing_message(young, [PUPIL]).startswith("Nog niet aangevinkt: de jongere moet")


def test_a_ticked_box_the_age_does_not_ask_for_changes_nothing():
    assert consent_rule(2016, SPRING_2026).missing({PARENTS, PUPIL}) == []


def test_a_meldcode_justification_counts_letters_and_digits_only():
    assert meaningful_length("  .... ,,,, ----  ") == 0
    assert meaningful_length("Vermoeden van geweld") == 18
    assert meaningful_length("Ernstige signalen, overleg met Veilig Thuis") == 37
