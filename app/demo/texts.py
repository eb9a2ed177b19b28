"""Dutch phrases for the demo cases: invented situations, no names, nothing traceable to a child."""

from app.cases.models import SignalCategory
from app.cases.workflow import ClosureReason, EscalationReason

C = SignalCategory

DESCRIPTIONS = {
    C.sociaal_emotioneel: [
        "Leerling trekt zich terug in de klas en zoekt in de pauzes geen aansluiting meer.",
        "Leerling is sinds enkele weken somber, huilt vaker en zegt slecht te slapen.",
        "Leerling raakt snel overstuur bij veranderingen en blokkeert bij toetsen.",
    ],
    C.gedrag: [
        "Herhaaldelijk conflicten op het plein; de leerkracht ziet impulsief en driftig gedrag.",
        "Leerling verstoort de les en is twee keer uit de klas gestuurd deze maand.",
        "Leerling reageert fysiek bij frustratie; medeleerlingen gaan hem/haar uit de weg.",
    ],
    C.leren_ontwikkeling: [
        "Stagnatie bij lezen en rekenen ondanks extra begeleiding in de groep.",
        "Grote achterstand in taalontwikkeling; de school twijfelt of zij kan bieden wat nodig is.",
        "Leerling kan het tempo niet bijhouden en raakt gedemotiveerd.",
    ],
    C.opvoeden_opgroeien: [
        "Ouders geven aan thuis vast te lopen met grenzen stellen en vragen om steun.",
        "Ouders en school zien dezelfde onrust; ouders weten niet goed hoe ze moeten reageren.",
    ],
    C.verzuim: [
        "Ongeoorloofd verzuim: in zes weken elf lesuren gemist, vooral op maandag.",
        "Leerling komt steeds vaker te laat en spijbelt de laatste uren.",
        "Leerling is sinds drie weken nauwelijks op school geweest.",
    ],
    C.ziekteverzuim: [
        "Veel ziekmeldingen (buikpijn, hoofdpijn) zonder duidelijke medische oorzaak.",
        "Frequent ziekteverzuim; ouders melden vermoeidheid en somberheid.",
    ],
    C.thuissituatie: [
        "Leerling vertelt over spanningen thuis; komt regelmatig zonder ontbijt op school.",
        "Scheiding van ouders verloopt moeizaam; leerling is erg onrustig na weekenden.",
    ],
    C.veiligheid: [
        "Leerling heeft blauwe plekken en geeft wisselende verklaringen; meldcode gevolgd.",
        "Leerling vertelt over geweld tussen volwassenen thuis; aandachtsfunctionaris betrokken.",
    ],
    C.middelen_criminaliteit: [
        "Vermoeden van blowen onder schooltijd; leerling gaat om met een oudere groep.",
        "Leerling is aangehouden voor een winkeldiefstal; de wijkagent heeft contact opgenomen.",
    ],
    C.bestaanszekerheid: [
        "Gezin heeft geldzorgen; leerling heeft geen gymspullen en mist schoolreisjes.",
        "Gezin moet verhuizen en woont tijdelijk bij familie buiten de wijk.",
    ],
}

HULPVRAGEN = {
    C.sociaal_emotioneel: "Hoe helpen we de leerling weer mee te doen en zich veilig te voelen?",
    C.gedrag: "Welke aanpak werkt thuis én op school om het gedrag om te buigen?",
    C.leren_ontwikkeling: "Wat heeft de leerling nodig om zich weer te ontwikkelen, en waar?",
    C.opvoeden_opgroeien: "Welke opvoedondersteuning past bij dit gezin?",
    C.verzuim: "Hoe krijgen we de leerling weer volledig naar school?",
    C.ziekteverzuim: "Wat zit er achter het ziekteverzuim en wat helpt om het terug te dringen?",
    C.thuissituatie: "Welke steun heeft het gezin nodig zodat de leerling tot leren komt?",
    C.veiligheid: "Is de leerling thuis veilig, en wie pakt welke rol?",
    C.middelen_criminaliteit: "Hoe voorkomen we verder afglijden en houden we hem/haar op school?",
    C.bestaanszekerheid: "Welke ondersteuning kan het gezin krijgen zodat de leerling meedoet?",
}

GOALS_SCHOOL = [
    "Leerling is weer minstens 95% van de lessen aanwezig.",
    "Leerling werkt twintig minuten zelfstandig aan een taak.",
    "Leerling neemt deel aan groepswerk zonder conflicten.",
    "Leerling haalt de leerdoelen van het eigen ontwikkelingsperspectief (OPP).",
    "Leerling weet bij wie hij/zij terecht kan als het niet gaat.",
]
GOALS_THUIS = [
    "Ouders hanteren een vast dag- en slaapritme.",
    "Ouders en leerling hebben een wekelijks gesprek over hoe het gaat.",
    "Ouders voelen zich gesteund in het stellen van grenzen.",
    "Het gezin heeft een overzicht van inkomsten en uitgaven met hulp van de schuldhulp.",
]
GOALS_WIJK = [
    "Leerling sport wekelijks bij een vereniging in de wijk.",
    "Leerling heeft een vast maatje via het jongerenwerk.",
    "Leerling neemt deel aan een naschoolse activiteit.",
]

LIGHT_HELP_NOTES = [
    "J&G-coach biedt vijf gesprekken met leerling en ouders; geen MDO nodig.",
    "Kortdurende ondersteuning door de J&G-coach op school, afgestemd met ouders.",
    "Oudergesprekken over opvoeding via het wijkteam; school volgt in de klas.",
]

REDIRECT_REASON = "Gezin is al bekend bij een collega-J&G-coach; die pakt de vraag op."
DECLINE_REASONS = [
    "Geen plek binnen de wachttijdnorm; eerst de hulpvraag aanscherpen.",
    "Hulpvraag past niet bij ons aanbod zoals nu beschreven.",
    "Aanmelding onvolledig: toestemming en beschikking ontbreken nog.",
]

PARENTS_NOT_INVITED = [
    "Eerst bespreking tussen professionals om de meldcode-afweging te maken.",
    "Ouders zijn vooraf gesproken en wilden zelf niet aansluiten; zij krijgen een verslag.",
    "Tolk niet op tijd beschikbaar; ouders worden apart geïnformeerd.",
]
PUPIL_NOT_HEARD = [
    "Leerling is jong; het beeld van de leerling is ingebracht door de leerkracht.",
    "Leerling wilde niet praten over de situatie; gesprek volgt met de mentor.",
    "Leerling was ziek; wordt na het MDO door de J&G-coach gesproken.",
]

SCHOOL_INPUT = [
    "Mentor ziet de aanwezigheid verbeteren; cijfers stabiel.",
    "Leerkracht ziet meer rust in de klas; werkhouding wisselend.",
    "Verzuim is gedaald naar twee lesuren per maand.",
    "School ziet weinig verandering in de klas.",
]

ESCALATION_RATIONALES = {
    EscalationReason.no_youth_care_in_time: [
        "Verwijzing naar specialistische jeugdhulp staat al negen weken op de wachtlijst.",
        "Geen aanbieder beschikbaar voor de geïndiceerde hulp; overbrugging loopt af.",
    ],
    EscalationReason.no_school_place: [
        "Geen plek in het speciaal onderwijs; toelaatbaarheidsverklaring ligt er al.",
        "Onderwijszorgarrangement komt niet rond: geen plek in de bovenschoolse voorziening.",
    ],
    EscalationReason.thuiszitter: [
        "Leerling zit vier weken thuis zonder onderwijs; afspraken komen niet van de grond.",
        "Dreigende thuiszitter: leerling gaat nog maar twee ochtenden per week naar school.",
    ],
    EscalationReason.responsibility_dispute: [
        "Gemeente en samenwerkingsverband zijn het oneens over wie de dagbehandeling betaalt.",
        "Onduidelijk of de zorg onder onderwijs of jeugdhulp valt; de start blijft uit.",
    ],
    EscalationReason.no_progress: [
        "Na twee evaluaties geen voortgang op de doelen; het plan wordt niet uitgevoerd.",
        "Doelen niet bereikt en het verzuim loopt weer op.",
    ],
    EscalationReason.regie_dispute: [
        "Geen van de partners wil de casusregie op zich nemen.",
        "School en wijkteam zijn het oneens over de aanpak; het MDO loopt vast.",
    ],
    EscalationReason.parents_school_disagree: [
        "Ouders willen geen verwijzing naar het speciaal onderwijs; school ziet geen alternatief.",
        "Ouders en school verschillen van mening over de oorzaak en de aanpak.",
    ],
}

# (decision, with a funding guarantee: "ik sta wel garant, later zien we wel uit welk potje")
ESCALATION_DECISIONS = [
    ("Regionale casustafel: gemeente staat garant voor de kosten, verrekening volgt later.", True),
    ("Onafhankelijk voorzitter wijst de casusregie toe en plant een nieuw MDO.", False),
    ("Samenwerkingsverband regelt een tijdelijke plek in de bovenschoolse voorziening.", False),
    ("Besluit: overbruggingshulp door het wijkteam tot de specialistische hulp start.", True),
    ("Gesprek met ouders en school onder leiding van het SWV; afspraken vastgelegd.", False),
]

CLOSURE_NOTES = {
    ClosureReason.school_approach: "De eigen aanpak van de school werkt; geen verdere hulp nodig.",
    ClosureReason.no_concern: "Na gesprek met ouders en leerling blijkt er geen zorg meer.",
    ClosureReason.goals_met: "Doelen bereikt, hulp afgerond; school blijft alert.",
    ClosureReason.aftercare_ended: "Nazorgperiode van drie maanden zonder nieuwe zorgen afgerond.",
    ClosureReason.handed_over: "Overgedragen aan de nieuwe school met een warme overdracht.",
    ClosureReason.stopped_by_family: "Ouders hebben hun toestemming ingetrokken; hulp gestopt.",
}

REOPEN_NOTES = [
    "Zorgen opnieuw: verzuim neemt weer toe na de vakantie.",
    "Ouders melden zich opnieuw bij de school; de situatie thuis is verslechterd.",
]

MELDCODE_JUSTIFICATIONS = [
    "Meldcode stap 2 en 3: overleg met Veilig Thuis; ouders informeren zou de leerling in "
    "gevaar kunnen brengen. Afweging vastgelegd door de aandachtsfunctionaris.",
]

CONSENT_PURPOSE_MDO = "Deelname aan het MDO en uitwisseling van de relevante gegevens"
CONSENT_PURPOSE_HELP = "Verwijzing en terugkoppeling over de hulp"

BRIDGING_PLANS = [
    "Mentor heeft wekelijks een kort gesprek met de leerling tot de hulp start.",
    "School biedt een rustplek en een vast aanspreekpunt; ouders bellen bij zorgen de IB'er.",
    "J&G-coach houdt tweewekelijks contact met ouders tot de behandeling begint.",
]
PROGRESS_NOTES = [
    "Drie gesprekken gevoerd met ouders en leerling; afspraken over ochtendritme lopen.",
    "Leerling komt trouw naar de gesprekken; thuis is meer rust sinds de vaste dagstructuur.",
    "Gezin heeft de eerste sessies gevolgd; ouders oefenen met de aanpak van driftbuien.",
]
MDO_MINUTES = [
    "We hebben besproken hoe het op school en thuis gaat. Iedereen ziet dat het kind zich "
    "niet prettig voelt. We spreken af dat de J&G-coach met het gezin gaat praten en dat de "
    "school een rustig plekje in de klas regelt. Over zes weken kijken we samen hoe het gaat.",
    "De school ziet veel verzuim. Ouders vertellen dat het ochtendritme thuis lastig is. We "
    "spreken af dat de leerplichtambtenaar een gesprek voert, dat de mentor dagelijks contact "
    "heeft en dat het wijkteam ouders helpt met de ochtenden.",
    "We hebben gekeken wat het kind nodig heeft om te blijven leren. Er komt extra begeleiding "
    "op school en de J&G-coach ondersteunt thuis. Ouders en kind denken mee over de doelen.",
]
MDO_ACTIONS = [
    "Gesprek met ouders over de thuissituatie plannen",
    "Aanmelding bij de jeugdhulpaanbieder klaarzetten",
    "Rustplek en time-outkaart in de klas regelen",
    "Verzuimgesprek met leerling en ouders voeren",
    "Afstemmen met de jeugdarts over de klachten",
    "Doelen voor het arrangement uitwerken met de leerling",
]
PLAN_SUMMARIES = {
    "opp": "Uitstroomperspectief en de extra ondersteuning op school per vak.",
    "jeugd_gezinsplan": "Afspraken met het gezin over opvoeding, dagritme en steun uit het "
                        "netwerk.",
    "integraal": "Eén plan voor school en thuis: doelen per domein en wie wat doet.",
}
