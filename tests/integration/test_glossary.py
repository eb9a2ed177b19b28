"""The Begrippen page: public, linked from the footer of every page, generated from the same list
that explains the abbreviations on the other screens."""

import html
import re

from app.glossary import ABBREVIATIONS, TERMS


def test_begrippen_lists_every_term_and_abbreviation_with_its_meaning(client):
    response = client.get("/begrippen")
    assert response.status_code == 200
    body = html.unescape(response.get_data(as_text=True))
    text = " ".join(re.sub(r"<[^>]+>", "", body).split())
    for term in TERMS:
        assert f"{term.name} {term.meaning}" in text, term.name
    for short, full in ABBREVIATIONS.items():
        assert f'<abbr title="{full}">{short}</abbr>' in body, short


def test_every_page_links_to_begrippen_in_its_footer(client):
    for url in ("/auth/login", "/begrippen"):
        footer = client.get(url).get_data(as_text=True).split('<footer class="site-footer">')[1]
        assert 'href="/begrippen"' in footer
