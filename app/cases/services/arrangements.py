"""The arrangement (an onderwijszorgarrangement or other help) and the plans of a case.

An arrangement names its goals per domain (school, thuis, wijk) and when it is evaluated: the
`agree_arrangement` and `start_light_help` steps read it. The timeline says *that* an
arrangement or plan was recorded and of which kind, never its goals. One commit per use case."""

from dataclasses import dataclass
from datetime import date

from app.cases.models import (
    ARRANGEMENT_KIND_LABELS,
    PLAN_KIND_LABELS,
    Arrangement,
    ArrangementKind,
    Case,
    CasePlan,
    Funding,
    PlanKind,
)
from app.cases.services.core import CaseError, changing, record_event
from app.cases.workflow import CaseState
from app.extensions import db
from app.filters import nl_date
from app.models import utcnow
from app.org.models import Organisation

FUNDING_LABELS = {
    Funding.onderwijs: "Onderwijs (samenwerkingsverband of school)",
    Funding.gemeente: "Gemeente (Jeugdwet)",
    Funding.integraal: "Integraal (onderwijs en gemeente samen)",
}

# Help is agreed in the MDO and runs through evaluation; light help may start from the
# signalering without an MDO. An escalated case waits for the coordinator's decision.
ARRANGEMENT_STATES = frozenset({CaseState.signalering, CaseState.mdo, CaseState.arrangement,
                                CaseState.evaluation})
ARRANGEMENT_FIELDS = ("kind", "provider_organisation_id", "funding", "goal_school", "goal_thuis",
                      "goal_wijk", "starts_on", "ends_on", "evaluation_due")
INTEGRAL_HINT = "Een integraal plan beschrijft thuis én school."
NOT_NOW = ("Een arrangement leg je vast in de fase MDO, Arrangement of Evaluatie, of bij lichte "
           "hulp in de Signalering. Deze casus staat nu in een andere fase.")


@dataclass
class ArrangementData:
    kind: str
    starts_on: date | None
    evaluation_due: date | None
    ends_on: date | None = None
    provider_organisation_id: int | None = None
    funding: str | None = None
    goal_school: str | None = None
    goal_thuis: str | None = None
    goal_wijk: str | None = None


@dataclass
class PlanData:
    kind: str
    drawn_up_on: date | None
    summary: str | None = None
    names_home: bool = False
    names_school: bool = False


def may_record_arrangement(case: Case) -> bool:
    return case.state in ARRANGEMENT_STATES


def providers(case: Case) -> list[Organisation]:
    """The organisations of the case's region that can provide the help."""
    return db.session.scalars(
        db.select(Organisation).where(Organisation.region_id == case.school.region_id)
        .order_by(Organisation.name)
    ).all()


def evaluation_overdue(arrangement: Arrangement, today: date | None = None) -> bool:
    today = today or date.today()
    return arrangement.evaluation_due is not None and arrangement.evaluation_due < today


def needs_integral_hint(plan: CasePlan) -> bool:
    """An integrated plan that does not name both home and school misses its point."""
    return plan.kind == PlanKind.integraal and not (plan.names_home and plan.names_school)


def record_arrangement(actor, case: Case, expected_version: int, data: ArrangementData,
                       arrangement: Arrangement | None = None) -> Arrangement:
    """Record a new arrangement, or change `arrangement` (only the current one may change)."""
    changed: list[str] = []  # filled in below; the audit row is written when the block ends
    action = "arrangement:update" if arrangement is not None else "arrangement:create"
    with changing(actor, case, expected_version, action, fields=changed):
        if not may_record_arrangement(case):
            raise CaseError(NOT_NOW)
        values = _arrangement_values(case, data)
        if arrangement is None:
            arrangement = Arrangement(created_at=utcnow())
            case.arrangements.append(arrangement)
        elif arrangement is not case.current_arrangement:
            raise CaseError("Alleen het huidige arrangement kan worden gewijzigd.")
        for name, value in values.items():
            if getattr(arrangement, name) != value:
                setattr(arrangement, name, value)
                changed.append(name)
        if changed:
            verb = "bijgewerkt" if action == "arrangement:update" else "vastgelegd"
            record_event(case, "arrangement",
                         f"Arrangement {verb}: {ARRANGEMENT_KIND_LABELS[values['kind']]}", actor)
    return arrangement


def _arrangement_values(case: Case, data: ArrangementData) -> dict:
    """Check the input against the rules of an arrangement; CaseError says what to do."""
    goals = {name: (getattr(data, name) or "").strip() or None
             for name in ("goal_school", "goal_thuis", "goal_wijk")}
    if not any(goals.values()):
        raise CaseError("Beschrijf minstens één doel: op school, thuis of in de wijk.",
                        field="goal_school")
    if data.starts_on is None:
        raise CaseError("Vul de startdatum in.", field="starts_on")
    if data.ends_on is not None and data.ends_on < data.starts_on:
        raise CaseError("De einddatum ligt vóór de startdatum.", field="ends_on")
    if data.evaluation_due is None:
        raise CaseError("Vul in wanneer het arrangement wordt geëvalueerd.",
                        field="evaluation_due")
    if data.evaluation_due <= data.starts_on:
        raise CaseError("De evaluatiedatum moet na de startdatum liggen.", field="evaluation_due")
    provider = None
    if data.provider_organisation_id is not None:
        provider = db.session.get(Organisation, data.provider_organisation_id)
        if provider is None or provider.region_id != case.school.region_id:
            raise CaseError("Kies een aanbieder uit de regio van de school.",
                            field="provider_organisation_id")
    try:
        kind = ArrangementKind(data.kind)
        funding = Funding(data.funding) if data.funding else None
    except ValueError as exc:
        raise CaseError("Kies een van de mogelijkheden uit de lijst.") from exc
    return {"kind": kind, "provider_organisation_id": getattr(provider, "id", None),
            "funding": funding, **goals, "starts_on": data.starts_on, "ends_on": data.ends_on,
            "evaluation_due": data.evaluation_due}


def record_plan(actor, case: Case, expected_version: int, data: PlanData,
                today: date | None = None) -> CasePlan:
    """Record a plan (OPP, jeugd- en gezinsplan, integraal plan) with the flags the monitor
    reads: does it name functioning at home, at school?"""
    today = today or date.today()
    fields = ("kind", "drawn_up_on", "summary", "names_home", "names_school")
    with changing(actor, case, expected_version, "plan:create", fields=fields):
        if case.state == CaseState.closed:
            raise CaseError("Bij een gesloten casus worden geen plannen meer vastgelegd.")
        if data.drawn_up_on is None:
            raise CaseError("Vul in wanneer het plan is opgesteld.", field="drawn_up_on")
        if data.drawn_up_on > today:
            raise CaseError("De datum waarop het plan is opgesteld ligt in de toekomst.",
                            field="drawn_up_on")
        try:
            kind = PlanKind(data.kind)
        except ValueError as exc:
            raise CaseError("Kies een van de mogelijkheden uit de lijst.", field="kind") from exc
        plan = CasePlan(kind=kind, drawn_up_on=data.drawn_up_on,
                        summary=(data.summary or "").strip() or None,
                        names_home=data.names_home, names_school=data.names_school,
                        recorded_by_id=actor.id, recorded_at=utcnow())
        case.plans.append(plan)
        record_event(case, "plan", f"Plan vastgelegd: {PLAN_KIND_LABELS[kind]}, opgesteld op "
                                   f"{nl_date(data.drawn_up_on)}", actor)
    return plan
