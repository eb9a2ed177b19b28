"""The bench region: municipalities, schools in the national proportion of sectors, partner
organisations, accounts and fixed contacts, sized to the number of cases; and the bench logins.

Invented names throughout (only the municipality names are real). Sizes follow the Dutch
picture: roughly 220 cases per school over five years, PO schools by far the most numerous, VO
schools fewer but each with several times the cases of a primary school.
"""

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime

from werkzeug.security import generate_password_hash

from app.bench.loader import Rows

BENCH_PASSWORD = "Schakel-bench-2026"  # noqa: S105  # nosec B105 (published bench password)
DOMAIN = "bench.schakel.nl"
CASES_PER_SCHOOL = 220
# Per 100 schools: sector, count, relative number of cases per school (school size).
SECTOR_MIX = (("po", 80, 1.0), ("sbo", 3, 1.5), ("so", 2, 1.5), ("vso", 2, 1.5),
              ("vo", 11, 3.5), ("mbo", 2, 3.0))
MUNICIPALITIES = (
    "Alkmaar", "Heiloo", "Bergen", "Castricum", "Uitgeest", "Heerhugowaard", "Langedijk",
    "Schagen", "Den Helder", "Hollands Kroon", "Hoorn", "Enkhuizen", "Medemblik", "Opmeer",
    "Koggenland", "Drechterland", "Stede Broec", "Purmerend", "Edam-Volendam", "Zaanstad",
    "Wormerland", "Oostzaan", "Beverwijk", "Heemskerk", "Velsen", "Haarlem", "Bloemendaal",
    "Zandvoort", "Heemstede", "Texel",
)
PROVIDERS = ("Jeugdhulp Kustregio", "Jeugd-GGZ Kustregio", "Gezinshuis Kustregio")
# How many bench logins of each kind (one per concurrent client of the load test).
BENCH_CLIENTS = 8
BENCH_KINDS = (  # local-part prefix, job title, role
    ("bench.ib", "Zorgcoördinator (bench)", "school_staff"),
    ("bench.schrijf", "Intern begeleider (bench, schrijftest)", "school_staff"),
    ("bench.jg", "J&G-coach (bench)", "youth_professional"),
    ("bench.coord", "Regionaal coördinator (bench)", "coordinator"),
)


def totp_secret(local: str) -> str:
    """A fixed, published base32 secret per bench account (bench databases only)."""
    digest = hashlib.sha256(f"schakel-bench:{local}".encode()).digest()
    return base64.b32encode(digest).decode()[:32]


@dataclass
class SchoolInfo:
    id: int
    municipality_id: int
    sector: str
    weight: float
    staff: list[int] = field(default_factory=list)


@dataclass
class World:
    region_id: int
    now: datetime
    schools: list[SchoolInfo] = field(default_factory=list)
    # municipality id -> wijkteam organisation id, and its coaches (youth professionals)
    wijkteam: dict[int, int] = field(default_factory=dict)
    coaches: dict[int, list[int]] = field(default_factory=dict)
    providers: list[tuple[int, list[int]]] = field(default_factory=list)
    leerplicht: tuple[int, list[int]] = (0, [])
    jgz: tuple[int, list[int]] = (0, [])
    coordinators: list[int] = field(default_factory=list)
    bench_school: SchoolInfo | None = None
    write_school: SchoolInfo | None = None
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # email, title, secret
    bench_user_ids: list[int] = field(default_factory=list)


class WorldBuilder:
    def __init__(self, loader: Rows, cases: int, now: datetime):
        self.loader, self.cases, self.now = loader, cases, now
        self.password_hash = generate_password_hash(BENCH_PASSWORD, method="scrypt")
        self.world = World(region_id=0, now=now)

    def build(self) -> World:
        w, load = self.world, self.loader
        w.region_id = load.new_id("region")
        load.add("region", {"id": w.region_id, "code": "BENCH", "name": "Bench Kustregio",
                            "referral_answer_days": 10, "reopen_within_years": 2,
                            "retention_youth_care_years": 20, "retention_school_years": 2,
                            "escalation_referral_days": 14, "escalation_waiting_weeks": 6,
                            "escalation_thuiszitter_weeks": 4, "escalation_no_regie_days": 10,
                            "escalation_evaluation_days": 30})
        for level, name, sla, decider in (
                (1, "E1 Onafhankelijk voorzitter", 14, "Onafhankelijk voorzitter van het MDO"),
                (2, "E2 Regionale casustafel", 21, "Regionale casustafel"),
                (3, "E3 Bestuurlijk besluit", 28, "Directeur samenwerkingsverband")):
            load.add("escalation_tier", {"id": load.new_id("escalation_tier"),
                                         "region_id": w.region_id, "level": level,
                                         "name": name, "sla_days": sla, "decider": decider})
        n_schools = max(12, round(self.cases / CASES_PER_SCHOOL))
        municipalities = self._municipalities(max(3, min(len(MUNICIPALITIES) * 4,
                                                          n_schools // 30)))
        self._organisations(municipalities, n_schools)
        self._schools(municipalities, n_schools)
        self._bench_logins()
        return w

    # --- organisations and their people --------------------------------------------------------

    def _municipalities(self, count: int) -> list[int]:
        ids = []
        for i in range(count):
            name = MUNICIPALITIES[i % len(MUNICIPALITIES)]
            name = name if i < len(MUNICIPALITIES) else f"{name} {i // len(MUNICIPALITIES) + 1}"
            mid = self.loader.new_id("municipality")
            self.loader.add("municipality", {"id": mid, "region_id": self.world.region_id,
                                             "name": name})
            ids.append(mid)
        return ids

    def _organisation(self, name: str, kind: str, municipality_id: int | None = None) -> int:
        oid = self.loader.new_id("organisation")
        self.loader.add("organisation", {"id": oid, "region_id": self.world.region_id,
                                         "municipality_id": municipality_id, "name": name,
                                         "kind": kind})
        return oid

    def _organisations(self, municipalities: list[int], n_schools: int) -> None:
        w = self.world
        per_team = max(2, n_schools // len(municipalities) // 6)
        for n, mid in enumerate(municipalities, 1):
            oid = self._organisation(f"Wijkteam {n:03d}", "wijkteam", mid)
            w.wijkteam[mid] = oid
            w.coaches[mid] = [self.user(f"jg{mid}.{k}", f"J&G-coach {mid}-{k}", "J&G-coach",
                                        "youth_professional", organisation_id=oid)
                              for k in range(1, per_team + 1)]
        for name in PROVIDERS:
            oid = self._organisation(name, "jeugdhulpaanbieder")
            w.providers.append((oid, [self.user(f"hulp{oid}.{k}", f"Jeugdhulpverlener {oid}-{k}",
                                                "Jeugdhulpverlener", "youth_professional",
                                                organisation_id=oid) for k in range(1, 4)]))
        extra = max(2, n_schools // 40)
        oid = self._organisation("Leerplichtbureau Kustregio", "leerplicht")
        w.leerplicht = (oid, [self.user(f"lpa.{k}", f"Leerplichtambtenaar {k}",
                                        "Leerplichtambtenaar", "participant",
                                        organisation_id=oid) for k in range(1, extra + 1)])
        oid = self._organisation("JGZ Kustregio", "jgz")
        w.jgz = (oid, [self.user(f"jeugdarts.{k}", f"Jeugdarts {k}", "Jeugdarts", "participant",
                                 organisation_id=oid) for k in range(1, extra + 1)])
        swv = self._organisation("Samenwerkingsverband Kustregio", "samenwerkingsverband")
        self.swv = swv
        w.coordinators = [self.user(f"coordinator.{k}", f"Coördinator {k}",
                                    "Regionaal coördinator", "coordinator", organisation_id=swv)
                          for k in range(1, 4)]
        self.user("beheer", "Functioneel beheerder", "Functioneel beheerder", "admin",
                  organisation_id=swv)
        self.user("privacy", "Functionaris gegevensbescherming", "FG", "privacy_officer",
                  organisation_id=swv)

    # --- schools -------------------------------------------------------------------------------

    def _schools(self, municipalities: list[int], n_schools: int) -> None:
        w, load = self.world, self.loader
        pattern = [(sector, weight) for sector, count, weight in SECTOR_MIX for _ in range(count)]
        # One school of every sector first, then the sectors interleaved in their proportion.
        pattern = [(sector, weight) for sector, _, weight in SECTOR_MIX] + [
            pattern[(i * 37) % len(pattern)] for i in range(len(pattern))]
        for i in range(n_schools + 1):  # the last one is the write-test school
            sector, weight = pattern[i] if i < len(pattern) else pattern[
                len(SECTOR_MIX) + (i - len(SECTOR_MIX)) % (len(pattern) - len(SECTOR_MIX))]
            mid = municipalities[i % len(municipalities)]
            if i == n_schools:
                sector, weight, name = "vo", 0.0, "Bench Schrijfschool"
            else:
                name = f"{_school_prefix(sector)} {i + 1:05d}"
            sid = load.new_id("school")
            load.add("school", {"id": sid, "municipality_id": mid, "region_id": w.region_id,
                                "brin": _brin(sid), "name": name, "sector": sector})
            school = SchoolInfo(sid, mid, sector, weight)
            staff = 2 if sector in ("vo", "mbo") else 1
            title = "Zorgcoördinator" if sector in ("vo", "mbo") else "Intern begeleider"
            school.staff = [self.user(f"zorg{sid}.{k}", f"{title} {sid}-{k}", title,
                                      "school_staff", school_id=sid) for k in range(1, staff + 1)]
            self._contacts(school)
            if i == n_schools:
                w.write_school = school
            else:
                w.schools.append(school)
        w.bench_school = next(s for s in w.schools if s.sector == "vo")

    def _contacts(self, school: SchoolInfo) -> None:
        coaches = self.world.coaches[school.municipality_id]
        contact = coaches[school.id % len(coaches)]
        deputy = coaches[(school.id + 1) % len(coaches)]
        rows = [("jeugdhulp", self.world.wijkteam[school.municipality_id], contact, deputy)]
        if school.sector in ("vo", "mbo", "vso"):
            oid, officers = self.world.leerplicht
            rows.append(("leerplicht", oid, officers[school.id % len(officers)], None))
        for partner, oid, user_id, deputy_id in rows:
            self.loader.add("school_contact", {
                "id": self.loader.new_id("school_contact"), "school_id": school.id,
                "partner_type": partner, "organisation_id": oid, "user_id": user_id,
                "deputy_user_id": deputy_id, "valid_from": self.loader.day(date(2021, 8, 1)),
                "valid_to": None})

    # --- accounts ------------------------------------------------------------------------------

    def user(self, local: str, name: str, title: str, role: str, *, school_id=None,
             organisation_id=None, secret: str | None = None) -> int:
        load = self.loader
        uid = load.new_id("app_user")
        stamp = load.ts(datetime(2021, 8, 1, 9, 0, 0, 1))
        load.add("app_user", {
            "id": uid, "email": f"{local}@{DOMAIN}", "name": name, "job_title": title,
            "password_hash": self.password_hash, "active": True,
            "session_nonce": secrets.token_hex(16),
            "created_at": stamp, "totp_secret": secret or totp_secret(local),
            "totp_enrolled_at": stamp, "totp_last_step": None})
        load.add("membership", {"id": load.new_id("membership"), "user_id": uid, "role": role,
                                "school_id": school_id, "organisation_id": organisation_id,
                                "region_id": self.world.region_id})
        return uid

    def _bench_logins(self) -> None:
        w = self.world
        homes = {"bench.ib": {"school_id": w.bench_school.id},
                 "bench.schrijf": {"school_id": w.write_school.id},
                 "bench.jg": {"organisation_id": w.wijkteam[w.bench_school.municipality_id]},
                 "bench.coord": {"organisation_id": self.swv}}
        for prefix, title, role in BENCH_KINDS:
            for k in range(1, BENCH_CLIENTS + 1):
                local = f"{prefix}{k}"
                uid = self.user(local, f"{title.split(' (')[0]} {k} (bench)", title, role,
                                **homes[prefix])
                w.logins.append((f"{local}@{DOMAIN}", title, totp_secret(local)))
                w.bench_user_ids.append(uid)
                if prefix == "bench.ib":
                    w.bench_school.staff.append(uid)
                elif prefix == "bench.schrijf":
                    w.write_school.staff.append(uid)
                elif prefix == "bench.jg":
                    w.coaches[w.bench_school.municipality_id].append(uid)
                else:
                    w.coordinators.append(uid)


def _school_prefix(sector: str) -> str:
    return {"po": "Basisschool", "sbo": "SBO", "so": "SO-school", "vso": "VSO-school",
            "vo": "College", "mbo": "MBO-college"}[sector]


def _brin(school_id: int) -> str:
    """Four characters like a BRIN code: two digits and two letters, unique per school."""
    letters = "ABCDEFGHJKLMNPRSTUVWXZ"
    n = school_id - 1
    return (f"{n % 100:02d}{letters[(n // 100) % 22]}{letters[(n // 2200) % 22]}"
            f"{n // 48400 or ''}")[:6]
