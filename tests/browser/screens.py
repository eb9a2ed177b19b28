"""What every main screen is checked for on the way through a journey: axe-core finds no serious
or critical accessibility problem, every abbreviation is explained at its first use (an <abbr>
with the meaning from the Begrippen page), and a screenshot lands in build/screenshots/.

axe-core comes bundled with axe-playwright-python: nothing is downloaded while testing."""

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from app.glossary import ABBREVIATIONS

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
FAILING_IMPACTS = ("serious", "critical")
# WCAG 2.1 A and AA, plus axe's best practices (landmarks, one h1, headings in order).
AXE_OPTIONS = {"resultTypes": ["violations"],
               "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                     "best-practice"]}}
_axe = Axe()

# Per known abbreviation, its first use in the page's own visible text and whether it is
# explained there: inside an <abbr title>, or written out in the same sentence ("Primair
# onderwijs (PO)"). Not looked at: what users wrote (.prewrap) and <option>/<textarea> text
# and the text of an <svg> chart, which cannot hold an <abbr> (a chart's figures are also in the
# table under it, which is looked at). Also every <abbr> with its title.
_ABBREVIATIONS_JS = r"""(meanings) => {
  const skip = 'script, style, option, textarea, svg, [hidden], .visually-hidden, .prewrap';
  const found = {}, abbrs = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip)) continue;
    const text = node.textContent;
    for (const [word, meaning] of Object.entries(meanings)) {
      if (word in found) continue;
      if (new RegExp('(^|[^\\p{L}\\p{N}&])' + word + '($|[^\\p{L}\\p{N}&])', 'u').test(text)) {
        const explained = !!parent.closest('abbr[title]')
          || text.toLowerCase().includes(meaning.toLowerCase());
        found[word] = {explained, text: text.trim().slice(0, 80)};
      }
    }
  }
  for (const a of document.querySelectorAll('abbr')) {
    abbrs.push({text: a.textContent.trim(), title: a.getAttribute('title')});
  }
  return {found, abbrs};
}"""


def axe_report(page: Page) -> str:
    """The serious and critical axe-core violations of the page, readable; '' when none."""
    results = _axe.run(page, options=AXE_OPTIONS).response
    lines = []
    for v in results["violations"]:
        if v["impact"] not in FAILING_IMPACTS:
            continue
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            fix = "; ".join(line.strip() for line in node["failureSummary"].splitlines()[1:])
            lines += [f"    at {' '.join(map(str, node['target']))}: {node['html'][:160]}",
                      f"       {fix[:300]}"]
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def abbreviation_problems(page: Page) -> list[str]:
    """Abbreviations whose first use on the page is not explained, and <abbr> titles that say
    something else than the Begrippen page."""
    seen = page.evaluate(_ABBREVIATIONS_JS, ABBREVIATIONS)
    problems = [f"{word} is first used without explanation in {info['text']!r}"
                for word, info in seen["found"].items() if not info["explained"]]
    for abbr in seen["abbrs"]:
        meaning = ABBREVIATIONS.get(abbr["text"])
        if meaning is None:
            problems.append(f"<abbr>{abbr['text']}</abbr> is not on the Begrippen page")
        elif (abbr["title"] or "").lower() != meaning.lower():
            problems.append(f"<abbr>{abbr['text']}</abbr> says {abbr['title']!r}, the Begrippen "
                            f"page {meaning!r}")
    return sorted(set(problems))


def screenshot(page: Page, name: str) -> Path:
    """The top of the page as a user opens it (the browser window, not the whole page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path))
    return path


def check_screen(page: Page, name: str) -> None:
    """A main screen: photograph it, then fail on a serious accessibility problem or an
    unexplained abbreviation, saying what and where."""
    screenshot(page, name)
    report = axe_report(page)
    assert not report, f"axe-core on {name} ({page.url}):\n{report}"
    problems = abbreviation_problems(page)
    assert not problems, f"abbreviations on {name} ({page.url}):\n" + "\n".join(problems)
