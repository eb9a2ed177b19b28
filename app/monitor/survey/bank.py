"""The questions a region's bank starts with: AOJ-style items from research/aoj_questionnaire.md.

The official AOJ wording is not public (aoj_questionnaire.md §0): these texts are
**reconstructed** ([R]) around the structure, themes and scales that are known ([B]), and are
shown as "gereconstrueerd, niet de officiële AOJ-tekst". A region edits them in its own bank.
Each item names the aoj_questionnaire.md item it comes from and, where the case records can
measure the same thing, the catalogue indicator it is compared with.
"""

from dataclasses import dataclass

from app.monitor.survey.models import Audience, Scale

RECONSTRUCTED = "gereconstrueerd, niet de officiële AOJ-tekst"

PRO, PAR, YOU, POL = (Audience.professionals, Audience.ouders, Audience.jongeren,
                      Audience.beleid)
MARK, AGREE, YES_NO = Scale.mark, Scale.agree, Scale.yes_no


@dataclass(frozen=True)
class Item:
    audience: Audience
    theme: str  # indicators.SECTIONS key
    topic: str | None
    text: str
    scale: Scale
    indicator_key: str | None
    source_ref: str


ITEMS: tuple[Item, ...] = (
    # --- professionals (uitvoering) --------------------------------------------------------
    Item(PRO, "oordeel", "Rapportcijfer",
         "Welk rapportcijfer geeft u de samenwerking tussen onderwijs en jeugdhulp in uw "
         "regio?", MARK, "survey_report_mark", "B5.2"),
    Item(PRO, "oordeel", "Gedeelde visie",
         "Onderwijs en jeugdhulp in onze regio hebben een gedeelde visie op de samenwerking "
         "rond leerlingen.", AGREE, "survey_working_factors", "A1.1"),
    Item(PRO, "oordeel", "Onderling vertrouwen",
         "De samenwerkingspartners vertrouwen elkaar en komen afspraken na.", AGREE,
         "survey_working_factors", "A2.1"),
    Item(PRO, "oordeel", "Randvoorwaarden",
         "Er is voldoende tijd en ruimte voor de samenwerking, en taken en rollen zijn "
         "duidelijk belegd.", AGREE, "survey_working_factors", "A3.1"),
    Item(PRO, "oordeel", "Sturing op samenwerking",
         "Er is een duidelijke trekker voor de samenwerking, en op basis van cijfers wordt "
         "bijgestuurd.", AGREE, "survey_working_factors", "A4.2"),
    Item(PRO, "samenwerking", "MDO",
         "Nemen ouders standaard deel aan het MDO?", YES_NO, "mdo_parent_present", "B1.4"),
    Item(PRO, "samenwerking", "MDO",
         "Is de leerling standaard bij het MDO, of wordt hij of zij vooraf gehoord?", YES_NO,
         "mdo_pupil_heard", "B1.4"),
    Item(PRO, "samenwerking", "Contactpersoon",
         "Heeft elke school waarmee u werkt een vaste contactpersoon vanuit het wijk- of "
         "jeugdteam?", YES_NO, "school_contact_valid", "B1.1"),
    Item(PRO, "samenwerking", "Casusregie",
         "Bij een leerling met hulp is duidelijk wie de casusregie heeft.", AGREE,
         "regie_coverage", "A3.3"),
    Item(PRO, "organisatie", "Terugkoppeling",
         "Na een verwijzing krijgt de school op tijd terugkoppeling over de hulp.", AGREE,
         "referral_feedback_on_time", "B2.3"),
    Item(PRO, "organisatie", "Wachttijd",
         "Na signalering start de hulp snel genoeg.", AGREE, "referral_wait_days", "B3.5"),
    Item(PRO, "evalueren", "Evaluatie",
         "Evalueren school en jeugdhulp de hulp aan een leerling samen?", YES_NO,
         "evaluation_joint", "A4.6"),
    # --- ouders -----------------------------------------------------------------------------
    Item(PAR, "oordeel", "Serieus genomen",
         "Voelde u zich serieus genomen door school en hulpverlening?", YES_NO,
         "survey_parents_taken_seriously", "C3.1"),
    Item(PAR, "oordeel", "Goed gekeken",
         "Er is goed gekeken naar wat er met mijn kind aan de hand was.", AGREE, None, "C2.1"),
    Item(PAR, "oordeel", "Gesprekken",
         "De gesprekken met school en hulpverlening verliepen goed.", AGREE, None, "C2.4"),
    Item(PAR, "samenwerking", "MDO",
         "Was u bij het overleg over uw kind (het MDO)?", YES_NO, "mdo_parent_present", "C3.1"),
    Item(PAR, "evalueren", "Afspraken en resultaat",
         "Afspraken werden nagekomen, en door de hulp gaat het beter met mijn kind.", AGREE,
         "goals_met", "C4.1"),
    Item(PAR, "oordeel", "Rapportcijfer",
         "Welk rapportcijfer geeft u de samenwerking tussen school en hulpverlening rond uw "
         "kind?", MARK, None, "C5.1"),
    # --- jongeren en leerlingen -------------------------------------------------------------
    Item(YOU, "oordeel", "Serieus genomen",
         "Voelde je je serieus genomen door school en hulpverlening?", YES_NO, None, "C3.2"),
    Item(YOU, "oordeel", "Goed gekeken",
         "Er is goed gekeken naar wat er aan de hand was.", AGREE, None, "C2.1"),
    Item(YOU, "oordeel", "Gesprekken",
         "De gesprekken met school en hulpverlening gingen goed.", AGREE, None, "C2.4"),
    Item(YOU, "samenwerking", "Meepraten",
         "Ik mocht meepraten over mijn hulp en mijn plan.", AGREE, "mdo_pupil_heard", "C3.2"),
    Item(YOU, "evalueren", "Afspraken en resultaat",
         "Afspraken werden nagekomen, en door de hulp gaat het beter op school.", AGREE,
         "goals_met", "C4.2"),
    Item(YOU, "oordeel", "Rapportcijfer",
         "Welk rapportcijfer geef je de hulp die je kreeg?", MARK, None, "C5.2"),
    # --- beleid -----------------------------------------------------------------------------
    Item(POL, "oordeel", "Rapportcijfer",
         "Welk rapportcijfer geeft u de samenwerking tussen gemeente(n) en "
         "samenwerkingsverband?", MARK, None, "A9.1"),
    Item(POL, "oordeel", "Gedeelde visie",
         "Gemeente(n) en samenwerkingsverband hebben een gezamenlijke visie op de aansluiting "
         "tussen onderwijs en jeugdhulp.", AGREE, None, "A1.1"),
    Item(POL, "oordeel", "Sturing op samenwerking",
         "De uitvoering van de afspraken wordt periodiek gemonitord.", AGREE, None, "A4.3"),
)
