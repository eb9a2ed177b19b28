"""A question's headline from its answers (app/monitor/survey/report.py `compute`), by hand:
the AOJ convention leaves "weet niet" out of a percentage, and the threshold counts the
answers the headline rests on."""

from collections import Counter

import pytest

from app.monitor.survey.models import Audience, Scale, SurveyRoundQuestion
from app.monitor.survey.report import compute


def question(scale: Scale) -> SurveyRoundQuestion:
    return SurveyRoundQuestion(audience=Audience.professionals, theme="oordeel",
                               text="Vraag", scale=scale)


def test_agree_counts_mee_eens_and_helemaal_mee_eens_without_weet_niet():
    answers = Counter({"5": 3, "4": 4, "3": 1, "2": 1, "1": 1, "wn": 2})
    result = compute(question(Scale.agree), answers, threshold=10)
    assert (result.n, result.base, result.value) == (12, 10, 70.0)
    assert result.headline == "70% (helemaal) mee eens"
    assert result.basis == "n = 12, waarvan 2 weet niet"
    assert result.distribution == [("Helemaal mee oneens", 1), ("Mee oneens", 1),
                                   ("Neutraal", 1), ("Mee eens", 4), ("Helemaal mee eens", 3),
                                   ("Weet niet", 2)]


def test_a_mark_is_a_mean():
    result = compute(question(Scale.mark), Counter({"6": 1, "7": 2, "10": 1}), threshold=4)
    assert result.headline == "gemiddeld 7,5" and result.basis == "n = 4"


@pytest.mark.parametrize(("yes", "shown"), [(3, True), (2, False)])
def test_the_threshold_counts_the_answers_without_weet_niet(yes, shown):
    result = compute(question(Scale.yes_no), Counter({"ja": yes, "nee": 1, "wn": 5}),
                     threshold=4)
    assert result.suppressed is not shown
    if shown:
        assert result.headline == "75% ja"
    else:
        assert (result.headline, result.basis, result.n, result.distribution) == (
            "onderdrukt", "", None, [])
