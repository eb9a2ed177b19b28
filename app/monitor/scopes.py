"""What a monitor figure is about: the region, a sector, a municipality, a school, or the cases
in which youth care takes part.

* Sector: PO = po + sbo, SO = so + vso, VO = vo, MBO = mbo (the school's sector).
* Municipality: the municipality of the school (every case has a school; the pupil's place of
  residence is optional and often unknown). Cooperation is organised around the school: its
  wijkteam, its contact persons.
* Jeugdhulp: the survey splits its answers by the respondent's side (onderwijs PO/VO, or
  jeugdhulp). Its case-derived counterpart is the records of cases in which youth care took
  part: at least one referral that was accepted (accepted, waiting, started or ended).

All of them partition the region's records: a record belongs to one school, hence one sector and
one municipality, and is in or out of the youth-care view. The suppression uses exactly that.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

import sqlalchemy as sa

from app.extensions import db
from app.org.models import Municipality, Region, School, Sector

SECTOR_GROUPS = {"po": (Sector.po, Sector.sbo), "so": (Sector.so, Sector.vso),
                 "vo": (Sector.vo,), "mbo": (Sector.mbo,)}
SECTOR_GROUP_LABELS = {"po": "PO", "so": "SO", "vo": "VO", "mbo": "MBO"}
SECTOR_GROUP_TITLES = {"po": "primair onderwijs (PO en SBO)",
                       "so": "speciaal onderwijs (SO en VSO)",
                       "vo": "voortgezet onderwijs (VO)",
                       "mbo": "middelbaar beroepsonderwijs (MBO)"}
GROUP_OF_SECTOR = {s: g for g, sectors in SECTOR_GROUPS.items() for s in sectors}

REGION, SECTOR, MUNICIPALITY, SCHOOL, YOUTH_CARE = (
    "region", "sector", "municipality", "school", "jeugdhulp")
KINDS = (REGION, SECTOR, MUNICIPALITY, SCHOOL, YOUTH_CARE)


class Scope(NamedTuple):
    """A tuple, so the thousands of cell keys of the suppression hash fast."""

    kind: str
    value: str | int | bool | None = None

    def token(self) -> str:
        """The form value: "regio", "sector:po", "gemeente:3", "school:7", "jeugdhulp"."""
        names = {REGION: "regio", SECTOR: "sector", MUNICIPALITY: "gemeente",
                 SCHOOL: "school", YOUTH_CARE: "jeugdhulp"}
        plain = self.value is None or self.value is True  # (1 == True: compare identity)
        return names[self.kind] + ("" if plain else f":{self.value}")


ALL_REGION = Scope(REGION)
YOUTH_CARE_IN = Scope(YOUTH_CARE, True)
YOUTH_CARE_OUT = Scope(YOUTH_CARE, False)  # never shown, but derivable: region minus the view


@dataclass(frozen=True)
class SchoolInfo:
    id: int
    name: str
    brin: str
    municipality_id: int
    group: str


@dataclass
class Layout:
    """A region's schools, municipalities and sectors: the scopes there are, and how they nest."""

    region: Region
    schools: dict[int, SchoolInfo] = field(default_factory=dict)
    municipalities: dict[int, str] = field(default_factory=dict)
    _school_counts: Counter | None = field(default=None, repr=False, compare=False)

    @classmethod
    def load(cls, region: Region) -> "Layout":
        layout = cls(region)
        rows = db.session.execute(
            sa.select(School.id, School.name, School.brin, School.municipality_id,
                      School.sector).where(School.region_id == region.id)
            .order_by(School.name, School.id))
        for row in rows:
            layout.schools[row.id] = SchoolInfo(row.id, row.name, row.brin,
                                                row.municipality_id, GROUP_OF_SECTOR[row.sector])
        layout.municipalities = dict(db.session.execute(
            sa.select(Municipality.id, Municipality.name)
            .where(Municipality.region_id == region.id).order_by(Municipality.name)).all())
        return layout

    @property
    def groups(self) -> list[str]:
        present = {s.group for s in self.schools.values()}
        return [g for g in SECTOR_GROUPS if g in present]

    def scopes(self, kind: str) -> list[Scope]:
        if kind == REGION:
            return [ALL_REGION]
        if kind == SECTOR:
            return [Scope(SECTOR, g) for g in self.groups]
        if kind == MUNICIPALITY:
            return [Scope(MUNICIPALITY, m) for m in self.municipalities]
        if kind == SCHOOL:
            return [Scope(SCHOOL, s) for s in self.schools]
        return [YOUTH_CARE_IN]

    def scopes_of(self, school_id: int, youth_care: bool | None) -> list[Scope]:
        """Every scope a record of this school (in or out of the youth-care view) counts in."""
        school = self.schools[school_id]
        scopes = [ALL_REGION, Scope(SECTOR, school.group),
                  Scope(MUNICIPALITY, school.municipality_id), Scope(SCHOOL, school_id)]
        if youth_care is not None:
            scopes.append(YOUTH_CARE_IN if youth_care else YOUTH_CARE_OUT)
        return scopes

    def nesting(self, case_level: bool) -> list[tuple[Scope, list[Scope]]]:
        """(total, parts) pairs: how the scopes add up."""
        pairs = [(ALL_REGION, self.scopes(SECTOR)), (ALL_REGION, self.scopes(MUNICIPALITY))]
        by_group, by_municipality = defaultdict(list), defaultdict(list)
        for school in self.schools.values():  # one pass: a region has thousands of schools
            by_group[school.group].append(Scope(SCHOOL, school.id))
            by_municipality[school.municipality_id].append(Scope(SCHOOL, school.id))
        pairs += [(Scope(SECTOR, group), by_group[group]) for group in self.groups]
        pairs += [(Scope(MUNICIPALITY, municipality), by_municipality[municipality])
                  for municipality in self.municipalities]
        if case_level:
            pairs.append((ALL_REGION, [YOUTH_CARE_IN, YOUTH_CARE_OUT]))
        return pairs

    def school_count(self, scope: Scope) -> int | None:
        """Schools in a scope (the denominator of a per-school figure); None for the
        youth-care view, which is not a set of schools."""
        if scope.kind == YOUTH_CARE:
            return None
        if self._school_counts is None:  # one pass for every scope: pages ask for many
            counts = Counter()
            for school in self.schools.values():
                counts.update(self.scopes_of(school.id, None))
            self._school_counts = counts
        return self._school_counts[scope]

    def label(self, scope: Scope) -> str:
        """Dutch, for screens and exports; names only organisations, never a pupil."""
        if scope.kind == REGION:
            return f"Regio {self.region.name}"
        if scope.kind == SECTOR:
            return f"Sector {SECTOR_GROUP_LABELS[scope.value]}"
        if scope.kind == MUNICIPALITY:
            return f"Gemeente {self.municipalities.get(scope.value, '?')}"
        if scope.kind == SCHOOL:
            school = self.schools[scope.value]
            return f"{school.name} ({school.brin})"
        return "Casussen met jeugdhulp"

    def parse(self, token: str) -> Scope:
        """A scope from its form value or CLI text; ValueError (Dutch) if the region has none
        such. The CLI may name a school by BRIN and a municipality by name."""
        kind, _, value = (token or "regio").strip().partition(":")
        kind = kind.lower()
        if kind in ("regio", REGION) and not value:
            return ALL_REGION
        if kind == YOUTH_CARE and not value:
            return YOUTH_CARE_IN
        if kind == SECTOR and value.lower() in self.groups:
            return Scope(SECTOR, value.lower())
        if kind in ("gemeente", MUNICIPALITY):
            found = self._find(self.municipalities.items(), value, lambda name: name)
            if found is not None:
                return Scope(MUNICIPALITY, found)
        if kind == SCHOOL:
            found = self._find(((s.id, s) for s in self.schools.values()), value,
                               lambda school: school.brin)
            if found is not None:
                return Scope(SCHOOL, found)
        raise ValueError("Kies de regio, een sector, gemeente of school van de regio, of "
                         "jeugdhulp.")

    @staticmethod
    def _find(items, value: str, name_of) -> int | None:
        for object_id, obj in items:
            if value == str(object_id) or value.casefold() == name_of(obj).casefold():
                return object_id
        return None
