"""One demo case in the making: its pupil, its people, its clock, and how it fires a step."""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from app.auth.models import User
from app.cases import workflow
from app.cases.models import Case, CaseSignal, CaseTransition, Pupil, SignalCategory
from app.cases.workflow import CaseState
from app.demo import texts
from app.demo.world import SCHOOLS, World
from app.org.models import Sector

C = SignalCategory
PRIMARY_SIGNALS = {
    "po": {C.sociaal_emotioneel: 5, C.gedrag: 5, C.leren_ontwikkeling: 4,
           C.opvoeden_opgroeien: 3, C.thuissituatie: 3, C.ziekteverzuim: 2, C.verzuim: 1,
           C.veiligheid: 1, C.bestaanszekerheid: 1},
    "vo": {C.verzuim: 5, C.sociaal_emotioneel: 4, C.gedrag: 3, C.ziekteverzuim: 3,
           C.middelen_criminaliteit: 2, C.thuissituatie: 2, C.leren_ontwikkeling: 2,
           C.veiligheid: 1, C.bestaanszekerheid: 1},
}
VO_TRACKS = (("vmbo-b", 4), ("vmbo-k", 4), ("vmbo-t", 4), ("havo", 5), ("vwo", 6))
CAPITALS = "ABCDEFGHIJKLMNOPRSTVWYZ"
PREFIXES = {key: prefix for key, *_rest, prefix in SCHOOLS}


@dataclass
class Story:
    """The state of one case's replay; `clock` is the moment of its latest step."""

    rng: random.Random
    world: World
    school_key: str
    until: datetime  # nothing happens after this moment (the start of today)
    links: list = field(default_factory=list)  # (evaluation, arrangement) to link after flush
    case: Case | None = None
    clock: datetime | None = None
    activity: datetime | None = None
    reopened: bool = False

    def __post_init__(self):
        self.school = self.world.schools[self.school_key]
        self.staff = self.world.staff_of(self.school_key)
        contact, deputy = self.world.coaches_of(self.school_key)
        self.coach = contact if self.rng.random() < 0.85 else deputy
        self.wijkteam = self.world.organisation_of(self.coach)

    @property
    def is_vo(self) -> bool:
        return self.school.sector == Sector.vo

    def user(self, key: str) -> User:
        return self.world.users[key]

    def org(self, key: str):
        return self.world.organisations[key]

    def pick(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def moment(self, day: date) -> datetime:
        """A moment in office hours on `day`."""
        hour, minute = self.rng.randint(8, 16), self.rng.choice((0, 15, 30, 45))
        return datetime.combine(day, time(hour, minute), UTC)

    def later(self, lo: int, hi: int, after: datetime | None = None) -> datetime | None:
        """A moment lo..hi days after `after` (default: the clock); None if it is not yet past."""
        base = after or self.clock
        at = self.moment(base.date() + timedelta(days=self.rng.randint(lo, hi)))
        at = max(at, base + timedelta(minutes=10))
        return at if at <= self.until else None

    def touch(self, at: datetime) -> None:
        if at <= self.until:
            self.activity = max(self.activity or at, at)

    def fire(self, trigger: str, at: datetime, actor: User, **kwargs) -> None:
        """The real machine with its real guards, backdated to `at`."""
        workflow.fire(self.case, trigger, actor_id=actor.id, at=at, today=at.date(), **kwargs)
        self.clock = at
        self.touch(at)

    def finish(self) -> None:
        self.case.last_activity_at = max(self.activity, self.case.state_since)

    # --- the opening of the case -------------------------------------------------------------

    def open(self, number: int, opened_day: date) -> Case:
        opened_at = self.moment(opened_day)
        signals = self._signals()
        primary = signals[0]
        case = Case(
            pupil=self._pupil(number, opened_day), school=self.school,
            opened_by_id=self.staff.id, opened_at=opened_at, state=CaseState.signalering,
            state_since=opened_at, last_activity_at=opened_at,
            description=self.rng.choice(texts.DESCRIPTIONS[primary]),
            hulpvraag=texts.HULPVRAGEN[primary] if self.rng.random() < 0.8 else None,
            discussed_with_parents=self.rng.random() < 0.6,
            signals=[CaseSignal(category=c) for c in signals],
        )
        if C.veiligheid in signals and self.rng.random() < 0.6:
            case.meldcode_justification = texts.MELDCODE_JUSTIFICATIONS[0]
        case.history.append(CaseTransition(trigger="open", from_state=None,
                                           to_state=CaseState.signalering,
                                           actor_id=self.staff.id, at=opened_at))
        self.case, self.clock = case, opened_at
        self.touch(opened_at)
        return case

    def _signals(self) -> list[SignalCategory]:
        weights = PRIMARY_SIGNALS["vo" if self.is_vo else "po"]
        signals = [self.pick(weights)]
        for _ in range(self.pick({0: 5, 1: 4, 2: 1})):
            extra = self.pick(weights)
            if extra not in signals:
                signals.append(extra)
        return signals

    def _pupil(self, number: int, opened: date) -> Pupil:
        age = self.rng.randint(12, 17) if self.is_vo else self.rng.randint(4, 11)
        residence = self.school.municipality
        if self.rng.random() < 0.15:
            residence = next(m for m in self.world.municipalities.values() if m is not residence)
        return Pupil(
            school=self.school, reference=f"{PREFIXES[self.school_key]}-{number}",
            initials=self._initials(), birth_year=opened.year - age - 1,
            group_name=self._group(age), residence=residence,
        )

    def _initials(self) -> str:
        middle = self.pick({"": 8, "v.": 1, "d.": 1, "v.d.": 1})
        return f"{self.rng.choice(CAPITALS)}.{middle}{self.rng.choice(CAPITALS)}."

    def _group(self, age: int) -> str:
        if not self.is_vo:
            return f"groep {min(8, max(1, age - 3))}"
        year = min(6, max(1, age - 11))
        track = self.rng.choice([name for name, years in VO_TRACKS if years >= year])
        return f"{year} {track}"
