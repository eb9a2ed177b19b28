"""The dashboard's pickers (a GET form): region, period and scope. Only the periods of the
monitor's window and the scopes the user may see are offered; nothing narrower (no free date
ranges, no school × sector × age filters) exists, so no picker can cut out a cell that the
suppression has not seen."""

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField

from app.monitor.periods import KIND_LABELS, SCHOOL_YEAR, current
from app.monitor.queries import Monitor
from app.monitor.scopes import MUNICIPALITY, SCHOOL, SECTOR, YOUTH_CARE, Layout, Scope
from app.org.queries import SCHOOL_LIST_MAX

NO_CHOICE = "Kies een van de mogelijkheden uit de lijst."
GROUP_TITLES = {SECTOR: "Sector", MUNICIPALITY: "Gemeente (van de school)", SCHOOL: "School",
                YOUTH_CARE: "Jeugdhulp"}


class FilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    regio = SelectField("Regio")
    periode = SelectField("Periode")
    bereik = SelectField("Bekijk")

    def fill(self, regions, monitor: Monitor, scopes: list[Scope]) -> None:
        """Offer the user's regions, the window's periods and the allowed scopes; a value
        left out means the current school year, the first scope, the first region."""
        self.regio.choices = [SelectChoice(r.code, r.name) for r in regions]
        self.periode.choices = [SelectChoice(p.label, p.title, optgroup=KIND_LABELS[p.kind])
                                for p in monitor.periods]
        self.regio.data = self.regio.data or monitor.region.code
        self.periode.data = self.periode.data or current(SCHOOL_YEAR, monitor.today).label
        self.bereik.data = self.bereik.data or scopes[0].token()
        self.allowed_scopes = {s.token() for s in scopes}
        offered = _offered(monitor.layout, scopes, self.bereik.data)
        self.schools_per_municipality = len(offered) < len(scopes)
        self.bereik.choices = [
            SelectChoice(s.token(), monitor.layout.label(s),
                         optgroup=GROUP_TITLES.get(s.kind, "Regio")) for s in offered]

    def check(self) -> bool:
        """Every value one of the offered choices; a Dutch message at the field if not."""
        ok = True
        offered = {self.regio: {c.value for c in self.regio.choices},
                   self.periode: {c.value for c in self.periode.choices},
                   self.bereik: self.allowed_scopes}  # also a school the list leaves out
        for field in (self.regio, self.periode, self.bereik):
            if field.data not in offered[field]:
                field.errors = [NO_CHOICE]
                ok = False
        return ok


def _offered(layout: Layout, scopes: list[Scope], chosen: str) -> list[Scope]:
    """The scopes the picker lists. A region with more schools than SCHOOL_LIST_MAX lists only
    the schools of the chosen municipality (or of the chosen school's): thousands of options
    cost more to build than the figures and help nobody choose."""
    schools = [s for s in scopes if s.kind == SCHOOL]
    if len(schools) <= SCHOOL_LIST_MAX:
        return scopes
    try:
        picked = layout.parse(chosen)
    except ValueError:
        picked = None
    municipality = None
    if picked is not None and picked.kind == MUNICIPALITY:
        municipality = picked.value
    elif picked is not None and picked.kind == SCHOOL and picked.value in layout.schools:
        municipality = layout.schools[picked.value].municipality_id
    return [s for s in scopes if s.kind != SCHOOL
            or layout.schools[s.value].municipality_id == municipality]
