"""The Begrippen list explains every abbreviation the developers' glossary names, and the
`explain` filter marks abbreviations up with the meaning from that same list."""

import re
from pathlib import Path

from markupsafe import Markup

from app.glossary import ABBREVIATIONS, TERMS, explain

DOCS_GLOSSARY = Path(__file__).resolve().parents[2] / "docs" / "glossary.md"
REQUIRED = {"MDO", "OZA", "OPP", "ZAT", "J&G", "SWV", "LPA"}  # issue 8


def _doc_abbreviations() -> set[str]:
    """Abbreviations in the term column of docs/glossary.md, e.g. 'intern begeleider (IB)'."""
    terms = [line.split("|")[1] for line in DOCS_GLOSSARY.read_text().splitlines()
             if line.startswith("| ") and not line.startswith("| term")]
    return {word for term in terms for word in re.findall(r"(?<![\w&])[A-Z][A-Z&]+(?![\w&])",
                                                          term)}


def test_every_abbreviation_of_the_docs_glossary_is_explained_on_the_begrippen_page():
    in_docs = _doc_abbreviations()
    assert REQUIRED <= in_docs
    assert sorted(in_docs - ABBREVIATIONS.keys()) == []


def test_every_term_has_a_plain_meaning():
    for term in TERMS:
        assert term.meaning.endswith(".") and len(term.meaning) < 400, term.name
    assert len({t.name.lower() for t in TERMS}) == len(TERMS)
    assert [t.name.lower() for t in TERMS] == sorted(t.name.lower() for t in TERMS)


def test_explain_marks_up_whole_abbreviations_with_their_meaning():
    assert explain("MDO plannen") == Markup(
        '<abbr title="multidisciplinair overleg">MDO</abbr> plannen')
    assert explain("Sanne, J&G-coach") == Markup(
        'Sanne, <abbr title="jeugd en gezin">J&amp;G</abbr>-coach')
    assert explain("Voortgezet speciaal onderwijs (VSO)").endswith(
        '(<abbr title="voortgezet speciaal onderwijs">VSO</abbr>)')
    # not inside a word, and the rest of the text stays escaped
    assert explain("MDOX <script>POST</script>") == Markup(
        "MDOX &lt;script&gt;POST&lt;/script&gt;")
    assert explain(None) == Markup("")
