"""Begrippen: the words and abbreviations Schakel shows, explained in plain Dutch (S4 asks to avoid
or explain jargon). One list feeds both the glossary page (/begrippen) and every <abbr> on screen
(the `explain` filter), so the two never disagree. docs/glossary.md is the developers' side of
the same words: its abbreviations must all be here (tests/unit/test_glossary.py)."""

import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Term:
    name: str
    meaning: str
    # abbreviation -> what it stands for: the title of its <abbr> on every screen
    short: dict[str, str] = field(default_factory=dict)


def _sectors() -> list[Term]:
    sectors = {"PO": "primair onderwijs", "SBO": "speciaal basisonderwijs",
               "SO": "speciaal onderwijs", "VSO": "voortgezet speciaal onderwijs",
               "VO": "voortgezet onderwijs", "MBO": "middelbaar beroepsonderwijs"}
    return [Term("PO, SBO, SO, VSO, VO, MBO",
                 "De soorten onderwijs: " + ", ".join(f"{k} is {v}" for k, v in sectors.items())
                 + ". Basisscholen zijn PO, middelbare scholen VO.", sectors)]


TERMS: list[Term] = sorted([
    Term("MDO", "Multidisciplinair overleg: school, jeugdhulp en andere partners praten samen "
         "mét de ouders en de leerling over één leerling en spreken af welke hulp nodig is.",
         {"MDO": "multidisciplinair overleg"}),
    Term("OZA", "Onderwijszorgarrangement: hulp waarin onderwijs en zorg samengaan, in zeven "
         "gradaties, van korte hulp op school (OZA 1) tot advies aan leraren (OZA 7).",
         {"OZA": "onderwijszorgarrangement"}),
    Term("OPP", "Ontwikkelingsperspectiefplan: het plan van de school voor een leerling met "
         "extra ondersteuning. Het zegt wat de leerling kan bereiken en welke hulp daarbij hoort.",
         {"OPP": "ontwikkelingsperspectiefplan"}),
    Term("ZAT", "Zorg- en adviesteam: een vast overleg op school over leerlingen die zorg nodig "
         "hebben; een vorm van MDO.", {"ZAT": "zorg- en adviesteam"}),
    Term("J&G-coach", "Jeugd- en gezinscoach: een jeugdprofessional (meestal van het wijkteam) "
         "die vast bij een school hoort. U kunt hem of haar direct vragen mee te denken.",
         {"J&G": "jeugd en gezin"}),
    Term("SWV", "Samenwerkingsverband: de schoolbesturen van een regio, die samen zorgen dat elke "
         "leerling passend onderwijs krijgt. De regionaal coördinator werkt vaak hier.",
         {"SWV": "samenwerkingsverband"}),
    Term("LPA", "Leerplichtambtenaar: let erop dat kinderen naar school gaan en helpt als een "
         "leerling veel verzuimt of thuiszit.", {"LPA": "leerplichtambtenaar"}),
    Term("IB", "Intern begeleider: regelt op een basisschool de extra ondersteuning van "
         "leerlingen en opent meestal de casus.", {"IB": "intern begeleider"}),
    Term("ZC", "Zorgcoördinator: regelt op een middelbare school of mbo de extra ondersteuning "
         "van leerlingen.", {"ZC": "zorgcoördinator"}),
    Term("JGZ", "Jeugdgezondheidszorg: de jeugdarts en de jeugdverpleegkundige.",
         {"JGZ": "jeugdgezondheidszorg"}),
    Term("BSN", "Burgerservicenummer: het persoonlijke nummer bij de overheid. Schakel bewaart "
         "het niet; een leerling staat er alleen onder de referentie van de school.",
         {"BSN": "burgerservicenummer"}),
    Term("BRIN", "De code van vier tekens waarmee de overheid een school kent (Basisregistratie "
         "Instellingen).", {"BRIN": "code van de school bij de overheid"}),
    # No <abbr> for E1, E2, E3: a tier's name says what it is ("E1 – onafhankelijk
    # voorzitter"), and the monitor uses the same codes for its sources.
    Term("E1, E2, E3", "De treden van de escalatieladder van de regio, van licht naar zwaar, "
         "bijvoorbeeld E1 onafhankelijk voorzitter, E2 regionale casustafel, E3 bestuurlijk "
         "besluit."),
    Term("SLA", "De afgesproken termijn waarbinnen op een trede van de escalatieladder een besluit "
         "valt (service level agreement).", {"SLA": "afgesproken termijn voor een besluit"}),
    Term("CSV en XLSX", "Bestanden om te openen in een rekenprogramma zoals Excel: CSV is platte "
         "tekst met de waarden gescheiden door komma's, XLSX een Excel-bestand.",
         {"CSV": "bestand voor een rekenprogramma", "XLSX": "Excel-bestand"}),
    *_sectors(),
    Term("Actie", "Een afspraak uit een MDO met iemand die het doet en een datum. Uw open acties "
         "staan onder Mijn taken."),
    Term("Afschalen", "Na een evaluatie overgaan op lichtere hulp."),
    Term("Arrangement", "De afgesproken hulp voor een leerling, met doelen op school, thuis of in "
         "de wijk, en een datum waarop samen wordt geëvalueerd."),
    Term("Casus", "Het dossier over één zorg om één leerling, van signalering tot afsluiten."),
    Term("Casusregie, regiehouder", "Wie de regie heeft, houdt de afspraken bij en zorgt dat de "
         "casus verder komt. Na de signalering heeft elke casus precies één regiehouder."),
    Term("Caseload", "De casussen van uw school, de laatst bijgewerkte bovenaan."),
    Term("Doorverwijzen", "Een verwijzing doorgeven aan de hulpverlener die het gezin al kent, "
         "zodat het gezin niet twee keer hetzelfde hoeft te vertellen."),
    Term("Escalatie, opschalen", "Een casus die vastloopt, gaat naar de regionaal coördinator. "
         "Die kan opschalen naar een hogere trede van de escalatieladder."),
    Term("Evaluatie", "School, jeugdhulp, ouders en leerling kijken samen terug op de doelen en "
         "besluiten hoe het verder gaat: doorgaan, bijstellen, afschalen, sluiten of escaleren."),
    Term("Garantstelling", "De belofte dat de hulp betaald wordt, ook als nog niet vaststaat wie "
         "betaalt; dan kan de hulp alvast beginnen."),
    Term("Gezag, ouders met gezag", "De ouders die over hun kind beslissen. Zij geven "
         "toestemming voor een kind onder de 12; van 12 tot 16 samen met het kind."),
    Term("Hulpvraag", "Waarbij de leerling en het gezin hulp nodig hebben, in hun eigen woorden."),
    Term("Kleine aantallen", "Een cijfer van de monitor dat op te weinig casussen rust (minder "
         "dan de drempel van de regio, meestal tien), staat niet op het scherm en niet in de "
         "export, zodat niemand erin te herkennen is."),
    Term("Lichte hulp", "Hulp die een jeugdprofessional kan starten zonder MDO."),
    Term("Meldcode", "De Meldcode huiselijk geweld en kindermishandeling. Als een kind niet veilig "
         "is, mag de school soms informatie delen zonder toestemming; de afweging wordt "
         "opgeschreven."),
    Term("Monitor", "De cijfers van de regio over de samenwerking, berekend uit de casussen, "
         "naast de uitkomsten van de jaarlijkse vragenlijst."),
    Term("NJi, AOJ-monitor", "Het Nederlands Jeugdinstituut (NJi) houdt met scholen en gemeenten "
         "de monitor Aansluiting Onderwijs – Jeugdhulp (AOJ) bij: een jaarlijkse vragenlijst.",
         {"NJi": "Nederlands Jeugdinstituut", "AOJ": "aansluiting onderwijs – jeugdhulp"}),
    Term("Overbruggingsplan", "Wat school en gezin doen zolang de hulp nog niet is begonnen "
         "(wachtlijst)."),
    Term("Overdracht van de casusregie", "De casusregie gaat pas over als de ander het verzoek "
         "accepteert; tot dan blijft de huidige regiehouder verantwoordelijk."),
    Term("Peildatum", "De dag waarop een cijfer van de monitor wordt gemeten: de laatste dag "
         "van de periode, of vandaag als de periode nog loopt."),
    Term("Signalering", "De eerste stap: de school ziet een zorg om een leerling en legt die "
         "vast."),
    Term("Stem van de leerling", "Hoe de leerling is gehoord: bij het MDO aanwezig, vooraf "
         "gevraagd, of niet (met de reden)."),
    Term("Terugkoppeling", "Bericht van de jeugdhulp aan de school dát er iets is gebeurd, "
         "bijvoorbeeld 'hulp gestart op 12 maart', zonder de inhoud van de hulp."),
    Term("Thuiszitter", "Een leerplichtig kind dat niet naar school gaat."),
    Term("Toestemming", "Wie ermee heeft ingestemd dat een organisatie buiten de school bij de "
         "casus komt, waarvoor en tot wanneer."),
    Term("Trede, escalatieladder", "De stappen waarlangs een vastgelopen casus omhoog gaat, elk "
         "met een termijn en iemand die besluit."),
    Term("Vaste contactpersoon", "De vaste persoon van een partner (jeugdhulp, leerplicht, JGZ) "
         "voor een school. Zie Wie zit waar."),
    Term("Verslag", "Het verslag van een MDO in gewone taal, voor de ouders en de leerling, om af "
         "te drukken."),
    Term("Verwijzing", "Een vraag van de school aan een jeugdprofessional om hulp. Die antwoordt "
         "binnen de termijn van de regio: accepteren, afwijzen of doorverwijzen."),
    Term("Voortgangsnotitie", "Een notitie van de jeugdprofessional over hoe de hulp gaat. De "
         "school leest de inhoud alleen als de toestemming dat dekt."),
    Term("Vrijstelling", "Vrijstelling van de leerplicht, bijvoorbeeld om medische redenen."),
    Term("Wachtlijst", "De hulp is geaccepteerd maar nog niet begonnen; er is een verwachte "
         "startdatum."),
    Term("Wijkteam", "Het team van de gemeente dat gezinnen in de wijk helpt met opvoeden, "
         "geld, gezondheid en meer."),
], key=lambda t: t.name.lower())

ABBREVIATIONS: dict[str, str] = {k: v for t in TERMS for k, v in t.short.items()}

# Longest first, so "VSO" is not read as "SO"; never inside a word ("MDO's" still counts).
_PATTERN = re.compile(
    r"(?<![\w&])(" + "|".join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True))
    + r")(?![\w&])"
)


def explain(text) -> Markup:
    """Plain `text`, escaped, with every known abbreviation in an <abbr> that says what it
    means: the Jinja filter `explain`, for labels and names that may hold an abbreviation.
    Markup is HTML already and is left as it is."""
    if isinstance(text, Markup):
        return text
    parts = _PATTERN.split("" if text is None else str(text))  # odd places: abbreviations
    return Markup("").join(
        Markup('<abbr title="{}">{}</abbr>').format(ABBREVIATIONS[part], part) if odd
        else escape(part)
        for odd, part in ((i % 2 == 1, p) for i, p in enumerate(parts))
    )
