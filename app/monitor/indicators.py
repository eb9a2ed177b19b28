"""The indicator catalogue: what the monitor measures, exactly, and what it compares with.

One entry per indicator: its key, Dutch title, NJi AOJ section, kind, numerator and denominator
(or the population of a median), the source fields, the period rule (which date puts a record
in a period) and the seed figure it corresponds to (`research/domain.md` §6 id). The records of
each indicator are selected in `populations.py`; `docs/monitor.md` holds this catalogue as
printed by `flask monitor catalogue` (a test keeps the two equal).
"""

import re
from dataclasses import dataclass

from app.cases.models import ARRANGEMENT_KIND_LABELS
from app.cases.workflow import ESCALATION_REASON_LABELS

PERCENTAGE = "percentage"
MEDIAN_DAYS = "median_days"
COUNT = "count"
PER_SCHOOL = "per_school"
SURVEY = "survey"  # asked in the survey rounds only; no case-derived value yet
KIND_LABELS = {PERCENTAGE: "percentage", MEDIAN_DAYS: "mediaan (dagen)", COUNT: "aantal",
               PER_SCHOOL: "aantal per school", SURVEY: "enquête"}

# Charts the dashboard draws for an indicator.
SECTORS = "sectors"  # bars per sector beside the region (region view only)
TREND = "trend"  # the last four periods
BARS = "bars"  # one bar per category (count tables)


@dataclass(frozen=True)
class Section:
    key: str
    title: str


SECTIONS = (
    Section("samenwerking", "Vormen van samenwerking"),
    Section("organisatie", "Organisatie van de zorg"),
    Section("preventie", "Preventie"),
    Section("evalueren", "Evalueren, leren en ontwikkelen"),
    Section("escalatie", "Escalatie en thuiszitters"),
    Section("oordeel", "Oordeel over samenwerking"),
)
SECTION_TITLES = {s.key: s.title for s in SECTIONS}

# Categories of the count tables. Escalation tiers come from the region's ladder.
WAIT_BUCKETS = (("0-7", "tot 1 week"), ("8-14", "1 tot 2 weken"), ("15-28", "2 tot 4 weken"),
                ("29-42", "4 tot 6 weken"), ("43-56", "6 tot 8 weken"),
                ("57+", "meer dan 8 weken"))
DIMENSIONS = {
    "wait_bucket": WAIT_BUCKETS,
    "kind": tuple((k.value, label) for k, label in ARRANGEMENT_KIND_LABELS.items()),
    "reason": tuple((r.value, label) for r, label in ESCALATION_REASON_LABELS.items()),
    "tier": (),  # per region: ("1", "E1 – …"), …, ("0", "zonder trede")
}


# "V1: ", "S1 §2.1: ", "X5; ", "; V6", "W1–W4": references to research/domain.md §6.
_SOURCE_IDS = re.compile(r"\b[A-Z]{1,2}\d+(?:–[A-Z]{1,2}\d+)?(?: §[\d.]+)?(?::\s*|;\s*|$)")
_NORM = re.compile(r" \(norm S\d\)")
_NATIONAL = re.compile(r"\bNL (\d{4})")


@dataclass(frozen=True)
class Indicator:
    key: str
    title: str
    section: str
    kind: str
    numerator: str  # percentage: who is counted; median: the duration; count: what is counted
    denominator: str  # percentage: out of whom; median: its population; per school: schools
    sources: str
    period_rule: str
    seed: str  # "V1: 46% …" — the domain.md §6 id and figure, or "—"
    population: str | None = None  # populations.POPULATIONS key
    flag: str | None = None  # percentage: the population's 0/1 column counted as numerator
    dimension: str | None = None  # count table: one row per category of this dimension
    category: str | None = None  # per school: the category of `dimension` that is counted
    charts: tuple[str, ...] = ()
    school_level: bool = False  # counts schools, not cases: no "jeugdhulp" view

    @property
    def section_title(self) -> str:
        return SECTION_TITLES[self.section]

    @property
    def comparison(self) -> str:
        """The seed figure as a reader sees it: without the ids of research/domain.md (a
        developer's reference, kept in `seed`, docs/monitor.md and the exports' definitions),
        and with the region written out."""
        text = _SOURCE_IDS.sub("", self.seed)
        text = _NORM.sub("", text).replace("NK 2016", "Noord-Kennemerland 2016")
        text = _NATIONAL.sub(r"landelijk \1", text).strip(" ;")
        return text or "—"


def _i(*args, **kwargs) -> Indicator:
    return Indicator(*args, **kwargs)


HELD_MDOS = "MDO's gehouden in de periode"
MDO_PERIOD = "mdo_meeting.held_at (de dag van het MDO)"

INDICATORS: tuple[Indicator, ...] = (
    # --- Vormen van samenwerking ---------------------------------------------------------------
    _i("mdo_parent_present", "MDO's met een ouder aanwezig", "samenwerking", PERCENTAGE,
       "MDO's waarbij ouders aanwezig waren (parents = present)", HELD_MDOS,
       "mdo_meeting.held_at, mdo_meeting.parents", MDO_PERIOD,
       "V1: 46% neemt standaard deel (PO 74%, VO 0%, jeugdhulp 35%; Almere 2021, enquête)",
       population="mdo_held", flag="parent_present", charts=(SECTORS, TREND)),
    _i("mdo_pupil_heard", "MDO's waarin de leerling aanwezig was of vooraf is gehoord",
       "samenwerking", PERCENTAGE,
       "MDO's met pupil_voice = present of heard_beforehand", HELD_MDOS,
       "mdo_meeting.held_at, mdo_meeting.pupil_voice", MDO_PERIOD,
       "V2: 4% neemt standaard deel (PO 0%, VO 0%, jeugdhulp 6%; Almere 2021, enquête)",
       population="mdo_held", flag="pupil_heard", charts=(SECTORS,)),
    _i("mdo_pupil_present", "MDO's met de leerling aanwezig", "samenwerking", PERCENTAGE,
       "MDO's met pupil_voice = present", HELD_MDOS,
       "mdo_meeting.held_at, mdo_meeting.pupil_voice", MDO_PERIOD,
       "V2: 4% (Almere 2021, enquête)", population="mdo_held", flag="pupil_present"),
    _i("school_contact_valid", "Scholen met een geldige vaste contactpersoon jeugdhulp",
       "samenwerking", PERCENTAGE,
       "scholen met een contactpersoon (partner_type = jeugdhulp) geldig op de peildatum",
       "scholen in het bereik",
       "school_contact.partner_type, valid_from, valid_to",
       "peildatum: de laatste dag van de periode, of vandaag zolang de periode loopt",
       "V11: >80% van de scholen heeft een vaste contactpersoon (gemeenten, NL 2018); V5",
       population="schools", flag="has_contact", school_level=True),
    _i("regie_coverage", "Lopende casussen met een regiehouder", "samenwerking", PERCENTAGE,
       "casussen met een regiehouder op de peildatum (regie_since of een aanvaarde "
       "overdracht op of vóór die dag)",
       "casussen die op de peildatum open waren en de signaleringsfase hadden verlaten",
       "pupil_case.opened_at, closed_at, regie_holder_id, regie_since; "
       "case_transition (vanuit signalering); regie_handover.answered_at",
       "peildatum: de laatste dag van de periode, of vandaag zolang de periode loopt",
       "K3: 38% van de IB'ers (PO) vindt onduidelijk wie de casusregie heeft (2019)",
       population="regie_active", flag="has_regie", charts=(TREND,)),
    _i("regie_days_without", "Dagen zonder regiehouder na de signalering (mediaan)",
       "samenwerking", MEDIAN_DAYS,
       "dagen van het verlaten van de signaleringsfase tot de eerste regiehouder (0 als er "
       "al een was; tot vandaag als er nog geen is)",
       "overgangen uit de signaleringsfase (naar MDO of lichte hulp) in de periode",
       "case_transition.at, from_state; regie_handover.answered_at; pupil_case.regie_since",
       "case_transition.at (dag van de overgang)",
       "K3: 38% onduidelijke casusregie (2019); V6",
       population="regie_exits"),
    # --- Organisatie van de zorg ---------------------------------------------------------------
    _i("referral_answer_days", "Dagen van verwijzing tot antwoord (mediaan)", "organisatie",
       MEDIAN_DAYS, "dagen van sent_at tot answered_at",
       "verwijzingen beantwoord (aangenomen, afgewezen of doorverwezen) in de periode",
       "referral.sent_at, referral.answered_at", "referral.answered_at (dag van het antwoord)",
       "K2: 42% van de IB'ers (PO) krijgt onvoldoende terugkoppeling (2019)",
       population="referrals_answered", charts=(SECTORS, TREND)),
    _i("referral_wait_days", "Wachttijd van aanname tot start van de hulp (mediaan, dagen)",
       "organisatie", MEDIAN_DAYS, "dagen van answered_at (aanname) tot started_on",
       "verwijzingen waarvan de hulp in de periode is gestart",
       "referral.answered_at, referral.started_on", "referral.started_on",
       "K1: 53% van de IB'ers (PO) noemt lange wachttijden (2019); X2",
       population="referrals_started", charts=(SECTORS, TREND)),
    _i("referral_wait_distribution", "Wachttijd tot start van de hulp: verdeling",
       "organisatie", COUNT, "verwijzingen per wachttijdklasse",
       "verwijzingen waarvan de hulp in de periode is gestart",
       "referral.answered_at, referral.started_on", "referral.started_on",
       "K1: 53% lange wachttijden (2019)", population="referrals_started",
       dimension="wait_bucket", charts=(BARS,)),
    _i("referral_feedback_on_time", "Verwijzingen met terugkoppeling binnen de termijn",
       "organisatie", PERCENTAGE,
       "verwijzingen beantwoord op of vóór answer_due_on",
       "verwijzingen met answer_due_on in de periode, beantwoord of over de termijn",
       "referral.answer_due_on, referral.answered_at", "referral.answer_due_on",
       "K2: 42% van de IB'ers (PO) krijgt onvoldoende terugkoppeling (2019)",
       population="referrals_due", flag="on_time", charts=(SECTORS, TREND)),
    _i("referral_declined", "Afgewezen verwijzingen", "organisatie", PERCENTAGE,
       "verwijzingen met status declined (de reden is vrije tekst en wordt niet geteld)",
       "verwijzingen beantwoord in de periode", "referral.status, referral.answered_at",
       "referral.answered_at", "—", population="referrals_answered", flag="declined"),
    _i("referral_redirected", "Doorverwezen verwijzingen (naar de hulpverlener die al "
       "betrokken is)", "organisatie", PERCENTAGE, "verwijzingen met status redirected",
       "verwijzingen beantwoord in de periode", "referral.status, referral.answered_at",
       "referral.answered_at", "—", population="referrals_answered", flag="redirected"),
    _i("arrangements", "Nieuwe arrangementen", "organisatie", COUNT,
       "arrangementen met een startdatum in de periode", "—",
       "arrangement.starts_on", "arrangement.starts_on", "S1 §2.1: zeven gradaties OZA",
       population="arrangements_started", charts=(TREND,)),
    _i("arrangements_by_kind", "Nieuwe arrangementen per soort", "organisatie", COUNT,
       "arrangementen per soort (OZA 1–7, jeugdhulp, ondersteuning door de school); "
       "in de regioweergave per sector", "—",
       "arrangement.kind, arrangement.starts_on, school.sector", "arrangement.starts_on",
       "S1 §2.1: zeven gradaties OZA", population="arrangements_started", dimension="kind"),
    _i("opp_names_home", "OPP's die het functioneren thuis noemen", "organisatie", PERCENTAGE,
       "OPP's met names_home", "OPP's opgesteld in de periode (kind = opp)",
       "case_plan.kind, drawn_up_on, names_home", "case_plan.drawn_up_on",
       "V8: 47,7% van de OPP's (Noord-Kennemerland 2016)",
       population="plans_opp", flag="names_home", charts=(TREND,)),
    _i("jgp_names_school", "Jeugd- en gezinsplannen die het functioneren op school noemen",
       "organisatie", PERCENTAGE, "plannen met names_school",
       "jeugd- en gezinsplannen opgesteld in de periode (kind = jeugd_gezinsplan)",
       "case_plan.kind, drawn_up_on, names_school", "case_plan.drawn_up_on",
       "V9: een derde (Noord-Kennemerland 2016)",
       population="plans_jgp", flag="names_school", charts=(TREND,)),
    # --- Preventie -----------------------------------------------------------------------------
    _i("consultations_per_school", "Consultatie en advies aan leraren (OZA 7) per school",
       "preventie", PER_SCHOOL, "arrangementen OZA 7 met een startdatum in de periode",
       "scholen in het bereik", "arrangement.kind = oza_7, arrangement.starts_on",
       "arrangement.starts_on",
       "B4: adviezen van de jeugdhulpcoach aan leerkrachten weinig herkend (NK 2016)",
       population="arrangements_started", dimension="kind", category="oza_7",
       charts=(TREND,)),
    _i("signalering_to_mdo_days", "Dagen van signalering tot het eerste MDO (mediaan)",
       "preventie", MEDIAN_DAYS, "dagen van pupil_case.opened_at tot het eerste gehouden MDO",
       "casussen waarvan het eerste MDO in de periode is gehouden",
       "pupil_case.opened_at, mdo_meeting.held_at",
       "mdo_meeting.held_at van het eerste gehouden MDO van de casus",
       "J5: 91% vindt dat samenwerking tot een snellere aanpak leidt (NK 2016)",
       population="first_mdo", charts=(SECTORS, TREND)),
    # --- Evalueren, leren en ontwikkelen ---------------------------------------------------
    _i("evaluation_joint", "Evaluaties samen met school en jeugdhulp", "evalueren", PERCENTAGE,
       "evaluaties met school_present én youth_care_present",
       "evaluaties gehouden in de periode",
       "evaluation.held_on, school_present, youth_care_present", "evaluation.held_on",
       "E1: gezamenlijk geëvalueerd VO 88%, PO 49% (Almere 2021, enquête)",
       population="evaluations_held", flag="joint", charts=(SECTORS, TREND)),
    _i("evaluation_with_parents", "Evaluaties met ouders", "evalueren", PERCENTAGE,
       "evaluaties met parents_present", "evaluaties gehouden in de periode",
       "evaluation.held_on, parents_present", "evaluation.held_on",
       "E7: geen cijfer in de bronnen (norm S3)",
       population="evaluations_held", flag="with_parents", charts=(SECTORS,)),
    _i("evaluation_on_time", "Evaluaties op tijd", "evalueren", PERCENTAGE,
       "evaluaties gehouden uiterlijk N dagen na hun evaluatiedatum (N: de drempel "
       "'evaluatie te laat' van de regio, standaard 30; een evaluatie begint pas als de "
       "datum bereikt is)",
       "evaluaties gehouden in de periode waarvan de evaluatiedatum bekend is: de datum die "
       "de evaluatie beantwoordde (evaluation.due_on); bij oudere evaluaties de "
       "volgende-evaluatiedatum van de vorige evaluatie van de casus, anders die van het "
       "arrangement zolang een latere evaluatie hem niet heeft overschreven",
       "evaluation.held_on, due_on, next_evaluation_due, arrangement_id; "
       "arrangement.evaluation_due; region.escalation_evaluation_days", "evaluation.held_on",
       "E7: geen cijfer in de bronnen (norm S3)",
       population="evaluations_on_time", flag="on_time", charts=(TREND,)),
    _i("goals_met", "Doelen behaald bij de evaluatie", "evalueren", PERCENTAGE,
       "doelen (school, thuis, wijk) met resultaat behaald",
       "doelen met een resultaat (behaald, deels, niet behaald) bij evaluaties in de "
       "periode", "evaluation.held_on, attainment_school, attainment_thuis, attainment_wijk",
       "evaluation.held_on",
       "X5; E4: ongeveer een derde volgt het doelbereik (NL 2018)",
       population="goals", flag="met", charts=(TREND,)),
    # --- Escalatie en thuiszitters -------------------------------------------------------------
    _i("escalations", "Nieuwe escalaties", "escalatie", COUNT,
       "escalaties geopend in de periode", "—", "escalation.opened_at",
       "escalation.opened_at", "K4: knelpunten als aantallen escalaties",
       population="escalations_opened", charts=(TREND,)),
    _i("escalations_by_reason", "Nieuwe escalaties per reden", "escalatie", COUNT,
       "escalaties geopend in de periode, per reden", "—",
       "escalation.opened_at, escalation.reason", "escalation.opened_at",
       "K4: knelpunten als aantallen escalaties",
       population="escalations_opened", dimension="reason", charts=(BARS,)),
    _i("escalations_by_tier", "Nieuwe escalaties per trede", "escalatie", COUNT,
       "escalaties geopend in de periode, per huidige trede van de escalatieladder", "—",
       "escalation.opened_at, escalation.tier", "escalation.opened_at", "—",
       population="escalations_opened", dimension="tier", charts=(BARS,)),
    _i("escalation_resolution_days", "Dagen tot afronding van een escalatie (mediaan)",
       "escalatie", MEDIAN_DAYS, "dagen van opened_at tot resolved_at",
       "escalaties afgerond in de periode", "escalation.opened_at, escalation.resolved_at",
       "escalation.resolved_at", "—",
       population="escalations_resolved", charts=(TREND,)),
    _i("escalation_within_sla", "Escalaties afgerond binnen de termijn van hun trede",
       "escalatie", PERCENTAGE, "escalaties afgerond op of vóór due_on",
       "escalaties afgerond in de periode met een termijn (due_on)",
       "escalation.resolved_at, escalation.due_on", "escalation.resolved_at", "—",
       population="escalations_sla", flag="within", charts=(TREND,)),
    _i("thuiszitters", "Thuiszitters", "escalatie", COUNT,
       "casussen met een thuiszitperiode zonder vrijstelling die in de periode liep", "—",
       "thuiszitter_episode.started_on, ended_on, exemption",
       "de thuiszitperiode liep op een dag van de periode (gestart op of vóór de laatste "
       "dag, niet teruggekeerd vóór de eerste)",
       "X1: het aantal thuiszitters in de gemeente (NJi); MW2",
       population="thuiszitter_cases", charts=(SECTORS, TREND)),
    _i("thuiszitter_days", "Duur van het thuiszitten (mediaan, dagen)", "escalatie",
       MEDIAN_DAYS,
       "dagen van started_on tot de terugkeer, het einde van de periode of vandaag",
       "thuiszitperiodes zonder vrijstelling die in de periode liepen",
       "thuiszitter_episode.started_on, ended_on, exemption",
       "de thuiszitperiode liep op een dag van de periode", "X1; MW2",
       population="thuiszitter_episodes", charts=(TREND,)),
    # --- Oordeel over samenwerking: survey only (the survey rounds fill these in) --------------
    _i("survey_report_mark", "Rapportcijfer voor de samenwerking", "oordeel", SURVEY,
       "gemiddeld rapportcijfer (1–10) van de professionals", "respondenten",
       "enquêteronde", "de enquêteronde",
       "J2: 6,93 (jeugdhulp 7,0; PO 6,80; VO 6,87; Almere 2021); J1: 6,9 (NK 2016)"),
    _i("survey_working_factors", "Werkzame factoren (gedeelde visie, onderling vertrouwen, "
       "randvoorwaarden, sturing)", "oordeel", SURVEY,
       "instemming met de stellingen per factor (5-puntsschaal, weet niet apart)",
       "respondenten", "enquêteronde", "de enquêteronde",
       "J4: elk ongeveer een 6 (NL 2018); W1–W4"),
    _i("survey_parents_taken_seriously", "Ouders voelden zich serieus genomen", "oordeel",
       SURVEY, "ouders die ja antwoorden", "ouders die antwoorden", "enquêteronde",
       "de enquêteronde", "Q2: ouders 88%, jongeren 100% (NK 2016)"),
)

BY_KEY = {i.key: i for i in INDICATORS}
COMPUTED = tuple(i for i in INDICATORS if i.kind != SURVEY)


def in_section(section: str) -> list[Indicator]:
    return [i for i in INDICATORS if i.section == section]


def markdown() -> str:
    """The catalogue as the Markdown tables of docs/monitor.md (`flask monitor catalogue`)."""
    lines = []
    for section in SECTIONS:
        lines += [f"### {section.title}", "",
                  "| key | titel | soort | teller | noemer / populatie | bronvelden | "
                  "periode | vergelijking (domain.md §6) |",
                  "|---|---|---|---|---|---|---|---|"]
        for i in in_section(section.key):
            cells = (f"`{i.key}`", i.title, KIND_LABELS[i.kind], i.numerator, i.denominator,
                     i.sources, i.period_rule, i.seed)
            lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
